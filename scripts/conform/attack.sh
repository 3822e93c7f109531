#!/usr/bin/env bash
# scripts/conform/attack.sh - curl against `mailconform serve --attack CLASS`, one connection
# per class and protocol: `curl --ssl-reqd` (TLS required) logging in over IMAP, then POP3
# (every class but preauth, which has no POP3 form). The hostile server reports
# what curl did (credentials in plaintext? went on without TLS? acted on injected data?); the
# results go to ${REPORTS:-target/conformance}/attack-curl.{txt,jsonl}. The script fails when a
# class did not run; a `vulnerable` verdict is recorded (docs/conformance.md lists curl's).
# MAILCONFORM overrides the binary (default target/release/mailconform).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${MAILCONFORM:-$REPO/target/release/mailconform}
OUT=${REPORTS:-$REPO/target/conformance}
mkdir -p "$OUT"
: >"$OUT/attack-curl.txt"
: >"$OUT/attack-curl.jsonl"
curl --version | head -1 | tee -a "$OUT/attack-curl.txt"
run() { # run PROTOCOL CLASS
    local proto=$1 class=$2 log pid addr rc
    log=$OUT/attack-$proto-$class.log
    "$BIN" serve --attack "$class" "--$proto" 127.0.0.1:0 --connections 1 >"$log" 2>&1 &
    pid=$!
    addr=
    for _ in $(seq 100); do
        addr=$(grep -m1 -oE '127\.0\.0\.1:[0-9]+' "$log" 2>/dev/null || true)
        [ -n "$addr" ] && break
        sleep 0.1
    done
    [ -n "$addr" ] || { echo "the hostile server ($proto $class) did not start" >&2; cat "$log" >&2; exit 1; }
    local url="imap://$addr/INBOX"
    [ "$proto" = pop3 ] && url="pop3://$addr/1"
    rc=0
    curl -sS --max-time 20 --ssl-reqd -k -u alice:secret "$url" -o /dev/null \
        2>"$OUT/attack-$proto-$class.curl" || rc=$?
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null || true
    grep -q '^json: ' "$log" || { echo "no report for $proto $class" >&2; cat "$log" >&2; exit 1; }
    echo "$proto: curl exit $rc ($(tr -d '\n' <"$OUT/attack-$proto-$class.curl")); $(grep -v '^json: ' "$log" | sed -n 2p)" \
        | tee -a "$OUT/attack-curl.txt"
    grep '^json: ' "$log" | sed 's/^json: //' >>"$OUT/attack-curl.jsonl"
}
for class in no-starttls preauth starttls-no inject untagged-before-starttls alert-bye; do
    run imap "$class"
done
for class in no-starttls starttls-no inject untagged-before-starttls alert-bye; do
    run pop3 "$class"
done
echo "hostile-server results for curl: $OUT/attack-curl.txt"
