#!/usr/bin/env bash
# scripts/peers/record/record.sh SERVER [SCENARIO...] - re-record recordings/SERVER/*.trace.
#
# SERVER is dovecot, cyrus, courier or mailutils (scripts/peers/SERVER.sh).
# For each scenario (default: all of imap.py's and pop3.py's), the server is restarted from
# scratch (same mailboxes every time), a `mailconform proxy --record` is put in front of it on a
# free loopback port, the Python driver runs the scenario through the proxy, and the proxy is
# stopped by its PID. The proxy prints one summary line per connection (and the messages that
# do not parse under today's strict grammar).
#   scenario names: imap-basic imap-auth ... pop3-basic pop3-auth pop3-invalid
# RECORD_DIR=DIR writes DIR/SERVER/*.trace instead of recordings/SERVER/ (scripts/peers/ci.sh).
# MAILCONFORM=PATH runs that mailconform binary instead of building a release one.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
SERVER=${1:?usage: record.sh dovecot|cyrus|courier|mailutils [SCENARIO...]}
shift
SCRIPT=$REPO/scripts/peers/$SERVER.sh
[ -x "$SCRIPT" ] || { echo "no $SCRIPT" >&2; exit 2; }
OUT=${RECORD_DIR:-$REPO/recordings}/$SERVER
IMAP_SCENARIOS="basic auth condstore sortthread search admin append idle notify compress utf8 search2 context listmetadata invalid"
POP3_SCENARIOS="basic auth invalid"
if [ $# = 0 ]; then
  set --
  for s in $IMAP_SCENARIOS; do set -- "$@" "imap-$s"; done
  for s in $POP3_SCENARIOS; do set -- "$@" "pop3-$s"; done
fi

# MAILCONFORM=PATH uses that mailconform binary (e.g. a debug build) instead of building one.
if [ -n "${MAILCONFORM:-}" ]; then
  BIN=$MAILCONFORM
else
  cargo build --release -q -p mailconform --manifest-path "$REPO/Cargo.toml"
  BIN=$REPO/target/release/mailconform
fi
mkdir -p "$OUT"

PROXY_PID=
cleanup() {
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null || true
  "$SCRIPT" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$SCRIPT" start >/dev/null
VERSION=$("$SCRIPT" version)
IMAP_PORT=$("$SCRIPT" port imap)
POP3_PORT=$("$SCRIPT" port pop3)
read -r USER1 USER2 < <("$SCRIPT" users 2>/dev/null || echo alice bob)

for scenario in "$@"; do
  proto=${scenario%%-*}; name=${scenario#*-}
  case $proto in
    imap) upstream=$IMAP_PORT; driver=$HERE/imap.py ;;
    pop3) upstream=$POP3_PORT; driver=$HERE/pop3.py ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  "$SCRIPT" stop >/dev/null; "$SCRIPT" start >/dev/null          # the same mailboxes every time
  rm -f "$OUT/$scenario".trace "$OUT/$scenario"-[0-9]*.trace
  log=$(mktemp)
  "$BIN" proxy --listen 127.0.0.1:0 --upstream "127.0.0.1:$upstream" --protocol "$proto" \
    --record "$OUT" --name "$scenario" --source "$VERSION" > "$log" 2>&1 &
  PROXY_PID=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && break; sleep 0.05
  done
  [ -n "$port" ] || { cat "$log" >&2; exit 1; }
  echo "== $SERVER $scenario"
  python3 "$driver" "$name" "$port" --kind "$SERVER" --user "$USER1" --user2 "$USER2" || echo "   (driver ended with an error: $?)"
  sleep 0.5                                  # the last connection's trace is written when it ends
  kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=
  sed '1d' "$log"; rm -f "$log"
done
