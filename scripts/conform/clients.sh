#!/usr/bin/env bash
# scripts/conform/clients.sh - real clients against `mailconform serve`, through
# `mailconform proxy --record`: Python imaplib and poplib (scripts/conform/clients.py) and curl
# (IMAP and POP3), and mbsync, fetchmail (POP3) and getmail6 (IMAP) when installed (the header
# fields mbsync and getmail add on their own removed before the comparison), do their jobs on a store loaded with --maildir
# from scripts/peers/messages/;
# every message must arrive byte-identical, and every recorded trace must validate under the
# strict profile with zero failures. The server and the proxies are stopped by PID at the end.
# Outputs in ${REPORTS:-target/conformance}/clients. MAILCONFORM overrides the binary (default
# target/release/mailconform). Every listener is on an ephemeral loopback port, read from the
# programs' start lines.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${MAILCONFORM:-$REPO/target/release/mailconform}
OUT=${REPORTS:-$REPO/target/conformance}/clients
MESSAGES=$REPO/scripts/peers/messages
rm -rf "$OUT"
mkdir -p "$OUT/traces" "$OUT/maildir/cur" "$OUT/maildir/new" "$OUT/curl"
i=0
for f in "$MESSAGES"/*.eml; do
    i=$((i + 1))
    cp "$f" "$OUT/maildir/cur/$(printf '%04d' "$i").conform:2,"
done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# addr FILE PATTERN: the address on the first line of FILE matching PATTERN (waits for it).
addr() {
    for _ in $(seq 100); do
        a=$(grep -m1 "$2" "$1" 2>/dev/null | grep -oE '127\.0\.0\.1:[0-9]+' || true)
        [ -n "$a" ] && { echo "$a"; return 0; }
        sleep 0.1
    done
    echo "no '$2' line in $1:" >&2; cat "$1" >&2; return 1
}

"$BIN" serve --imap 127.0.0.1:0 --pop3 127.0.0.1:0 --maildir "$OUT/maildir" >"$OUT/serve.log" 2>&1 &
pids+=($!)
imap=$(addr "$OUT/serve.log" '^IMAP')
pop3=$(addr "$OUT/serve.log" '^POP3')
# The proxies record each connection when it ends (the Python client's, then curl's).
"$BIN" proxy --listen 127.0.0.1:0 --upstream "$imap" --protocol imap --record "$OUT/traces" \
    --name imap --source "mailconform serve" >"$OUT/proxy-imap.log" 2>&1 &
pids+=($!)
"$BIN" proxy --listen 127.0.0.1:0 --upstream "$pop3" --protocol pop3 --record "$OUT/traces" \
    --name pop3 --source "mailconform serve" >"$OUT/proxy-pop3.log" 2>&1 &
pids+=($!)
pimap=$(addr "$OUT/proxy-imap.log" listening)
ppop3=$(addr "$OUT/proxy-pop3.log" listening)
echo "serve: IMAP $imap, POP3 $pop3; proxies: IMAP $pimap, POP3 $ppop3"

python3 "$HERE/clients.py" "$pimap" "$ppop3" "$MESSAGES"

# curl: UID 1 over IMAP, message 1 over POP3, compared with the file (CRLF line ends).
first=$(ls "$MESSAGES"/*.eml | head -1)
python3 -c 'import re,sys; sys.stdout.buffer.write(re.sub(rb"\r?\n", b"\r\n", open(sys.argv[1],"rb").read()))' \
    "$first" >"$OUT/curl/expected.eml"
curl -sS --max-time 20 -u alice:secret "imap://$pimap/INBOX;UID=1" -o "$OUT/curl/imap-1.eml"
curl -sS --max-time 20 -u alice:secret "pop3://$ppop3/1" -o "$OUT/curl/pop3-1.eml"
cmp "$OUT/curl/expected.eml" "$OUT/curl/imap-1.eml"
cmp "$OUT/curl/expected.eml" "$OUT/curl/pop3-1.eml"
echo "curl: IMAP UID 1 and POP3 message 1 byte-identical"

expected=4
# mbsync (isync), when installed: pulls INBOX into a Maildir; every message (the files and the
# one imaplib appended) must arrive, compared with line ends made CRLF (mbsync stores LF).
if command -v mbsync >/dev/null; then
    mkdir -p "$OUT/mbsync/INBOX"
    cat >"$OUT/mbsync/mbsyncrc" <<MBSYNC
IMAPAccount conform
Host ${pimap%:*}
Port ${pimap##*:}
User alice
Pass secret
SSLType None
AuthMechs LOGIN

IMAPStore conform-far
Account conform

MaildirStore conform-near
Path $OUT/mbsync/
Inbox $OUT/mbsync/INBOX

Channel conform
Far :conform-far:
Near :conform-near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
MBSYNC
    mbsync -c "$OUT/mbsync/mbsyncrc" conform >"$OUT/mbsync/mbsync.log" 2>&1 ||
        { cat "$OUT/mbsync/mbsync.log" >&2; exit 1; }
    # mbsync adds its own X-TUID header field to what it stores: removed before comparing.
    python3 "$HERE/same-messages.py" mbsync "$MESSAGES" "$OUT/mbsync/INBOX" 'X-TUID: [^\r\n]*\r\n'
    expected=$((expected + 1))
else
    echo "mbsync not installed: skipped"
fi

# fetchmail, when installed: every message over POP3 (UIDL, keep, fetchall) handed to an MDA that
# writes one file each. `set invisible` (no Received: field of its own) and `no rewrite` keep
# the bytes as served; fetchmail hands LF line ends to the MDA (made CRLF before comparing).
if command -v fetchmail >/dev/null; then
    mkdir -p "$OUT/fetchmail/store"
    cat >"$OUT/fetchmail/fetchmailrc" <<FETCHMAIL
set invisible
poll ${ppop3%:*} service ${ppop3##*:} protocol pop3 auth password
    user alice password secret is $(id -un) here
    options keep fetchall no rewrite sslproto ''
    mda "/bin/sh -c 'cat > \$(mktemp $OUT/fetchmail/store/msg.XXXXXX)'"
FETCHMAIL
    chmod 600 "$OUT/fetchmail/fetchmailrc"
    fetchmail -f "$OUT/fetchmail/fetchmailrc" -i "$OUT/fetchmail/ids" --nodetach --nosyslog -v \
        >"$OUT/fetchmail/fetchmail.log" 2>&1 || { cat "$OUT/fetchmail/fetchmail.log" >&2; exit 1; }
    python3 "$HERE/same-messages.py" fetchmail "$MESSAGES" "$OUT/fetchmail/store"
    expected=$((expected + 1))
else
    echo "fetchmail not installed: skipped"
fi

# getmail6, when installed: every message over IMAP into a Maildir. It refuses to deliver as
# root, so the Maildir is delivered to as `nobody` then; `received`, `delivered_to` and
# `record_mailbox` off keep its own header fields out, but it always writes a Return-Path:
# field of its own first, replacing the message's (removed from both before comparing).
if command -v getmail >/dev/null; then
    mkdir -p "$OUT/getmail/INBOX/cur" "$OUT/getmail/INBOX/new" "$OUT/getmail/INBOX/tmp"
    deliver_as=""
    if [ "$(id -u)" = 0 ]; then
        chmod -R a+rwx "$OUT/getmail/INBOX"
        deliver_as="user = nobody"
    fi
    cat >"$OUT/getmail/getmailrc" <<GETMAIL
[retriever]
type = SimpleIMAPRetriever
server = ${pimap%:*}
port = ${pimap##*:}
username = alice
password = secret
mailboxes = ("INBOX",)
record_mailbox = false

[destination]
type = Maildir
path = $OUT/getmail/INBOX/
$deliver_as

[options]
read_all = true
delete = false
delivered_to = false
received = false
GETMAIL
    getmail --getmaildir "$OUT/getmail" --rcfile "$OUT/getmail/getmailrc" \
        >"$OUT/getmail/getmail.log" 2>&1 || { cat "$OUT/getmail/getmail.log" >&2; exit 1; }
    python3 "$HERE/same-messages.py" getmail "$MESSAGES" "$OUT/getmail/INBOX" 'Return-Path: [^\r\n]*\r\n'
    expected=$((expected + 1))
else
    echo "getmail6 not installed: skipped"
fi

# Each proxy writes a connection's trace when the connection ends.
for _ in $(seq 100); do
    [ "$(ls "$OUT"/traces/*.trace 2>/dev/null | wc -l)" -ge "$expected" ] && break
    sleep 0.1
done
sleep 0.2
cat "$OUT/proxy-imap.log" "$OUT/proxy-pop3.log"
n=$(ls "$OUT"/traces/*.trace | wc -l)
[ "$n" = "$expected" ] || { echo "expected $expected recorded traces, found $n" >&2; exit 1; }
"$BIN" validate --quiet "$OUT/traces" | tee "$OUT/validate.txt"
tail -1 "$OUT/validate.txt" | grep -q "^$expected passed, 0 failed\$"
echo "clients: every client finished, messages byte-identical, $expected traces valid (strict)"
