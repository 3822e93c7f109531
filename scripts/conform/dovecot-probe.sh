#!/usr/bin/env bash
# scripts/conform/dovecot-probe.sh - `mailconform probe` against a fresh Dovecot (started with
# scripts/peers/dovecot.sh, stopped by PID at the end), IMAP and POP3 as alice; the reports
# (text, JSON, HTML, findings) go to ${REPORTS:-target/conformance}; the findings must be the
# documented ones (docs/findings-dovecot.txt, explained in docs/conformance.md): a changed
# finding fails. MAILCONFORM overrides the binary (default target/release/mailconform).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${MAILCONFORM:-$REPO/target/release/mailconform}
REPORTS=${REPORTS:-$REPO/target/conformance}
mkdir -p "$REPORTS"
"$REPO/scripts/peers/dovecot.sh" start >"$REPORTS/dovecot-start.log" 2>&1
trap '"$REPO/scripts/peers/dovecot.sh" stop >/dev/null 2>&1 || true' EXIT
imap=$("$REPO/scripts/peers/dovecot.sh" port imap)
pop3=$("$REPO/scripts/peers/dovecot.sh" port pop3)
version=$("$REPO/scripts/peers/dovecot.sh" version 2>/dev/null || echo unknown)
echo "$version: IMAP 127.0.0.1:$imap, POP3 127.0.0.1:$pop3"
status=0
"$BIN" probe "imap://127.0.0.1:$imap" "pop3://127.0.0.1:$pop3" --user alice --password secret \
    --json "$REPORTS/dovecot.json" --html "$REPORTS/dovecot.html" \
    --findings "$REPORTS/dovecot.findings" --expect "$REPO/docs/findings-dovecot.txt" \
    | tee "$REPORTS/dovecot.txt" || status=$?
echo "reports: $REPORTS/dovecot.{txt,json,html,findings}"
exit "$status"
