#!/usr/bin/env bash
# scripts/peers/ci.sh - the real-server check CI runs: start Dovecot with scripts/peers/dovecot.sh,
# drive the scenarios that parse completely today through `mailconform proxy --record`, and
# require `mailconform validate` to pass on what was recorded (both directions, strict). Add a
# scenario here when the grammar it needs lands (see docs/peers.md for what fails today).
# The server is stopped by PID at the end (record.sh does it on exit).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$(mktemp -d /tmp/mailproto-peers-ci.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
# Issue 12/13 scenarios since session 6: CONDSTORE/QRESYNC, SORT/THREAD/ESEARCH, NOTIFY,
# COMPRESS (recorded inflated by the proxy), CONTEXT=SEARCH, SAVEDATE/PREVIEW/WITHIN/FUZZY,
# LIST-METADATA (answered BAD by Dovecot 2.3).
SCENARIOS="imap-auth imap-idle pop3-basic imap-condstore imap-sortthread imap-notify imap-compress"
SCENARIOS="$SCENARIOS imap-context imap-search2 imap-listmetadata"
# MAILCONFORM=PATH (as for record.sh) validates with that binary instead of the release build.
RECORD_DIR=$OUT "$HERE/record/record.sh" dovecot ${PEERS_CI_SCENARIOS:-$SCENARIOS}
"${MAILCONFORM:-$REPO/target/release/mailconform}" validate --quiet "$OUT"
