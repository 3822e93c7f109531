#!/usr/bin/env python3
"""same-messages.py CLIENT MESSAGES DIR [STRIP-REGEX]: the messages a real client stored in DIR
(the files of DIR/cur and DIR/new for a Maildir, else every file of DIR) must be the files of MESSAGES (*.eml) plus the
one scripts/conform/clients.py appends, byte for byte once line ends are made CRLF (clients that
store LF do so) and the first match of STRIP-REGEX (a header field the client writes on its own,
replacing one the message may have) is removed from both sides. Exit 1 with the first difference otherwise."""
import os
import re
import sys

client, messages, store = sys.argv[1:4]
strip = re.compile(sys.argv[4].encode()) if len(sys.argv) > 4 else None


def crlf(b):
    return re.sub(rb"\r?\n", b"\r\n", b)


def clean(b):
    b = crlf(b)
    return strip.sub(b"", b, count=1) if strip else b


want = sorted(clean(open(os.path.join(messages, n), "rb").read())
              for n in os.listdir(messages) if n.endswith(".eml"))
# clients.py's APPEND (the IMAP clients after it see it, and POP3 sees INBOX).
want.append(b"From: imaplib <imaplib@example.org>\r\nSubject: appended by imaplib\r\n\r\nbody\r\n.dot line\r\n")
want.sort()
got = []
maildir = [os.path.join(store, "cur"), os.path.join(store, "new")]
for d in maildir if os.path.isdir(maildir[0]) else [store]:
    if os.path.isdir(d):
        for n in sorted(os.listdir(d)):
            p = os.path.join(d, n)
            if os.path.isfile(p):
                got.append(clean(open(p, "rb").read()))
got.sort()
if got != want:
    diff = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(got), len(want)))
    sys.exit(f"{client}: {len(got)} messages, {len(want)} expected; first difference at #{diff}:\n"
             f"  want {want[diff][:200] if diff < len(want) else None!r}\n"
             f"  got  {got[diff][:200] if diff < len(got) else None!r}")
print(f"{client}: {len(got)} messages, the same contents")
