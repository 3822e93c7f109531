#!/usr/bin/env python3
"""Real clients against `mailconform serve` (through `mailconform proxy --record`): Python's
imaplib and poplib each do a client's whole job and check that every message arrives
byte-identical to the file it was loaded from (scripts/peers/messages/, line ends made CRLF as
RFC 5322 §2.1 stores them). Used by scripts/conform/clients.sh; exits non-zero on any mismatch.

usage: clients.py IMAP_HOST:PORT POP3_HOST:PORT MESSAGES_DIR
"""
import imaplib
import os
import poplib
import re
import sys

USER, PASSWORD = "alice", "secret"


def crlf(data: bytes) -> bytes:
    return re.sub(rb"\r?\n", b"\r\n", data)


def fail(msg: str) -> None:
    print(f"clients.py: FAIL {msg}")
    sys.exit(1)


def main() -> None:
    imap_addr, pop3_addr, messages_dir = sys.argv[1:4]
    names = sorted(n for n in os.listdir(messages_dir) if n.endswith(".eml"))
    expected = [crlf(open(os.path.join(messages_dir, n), "rb").read()) for n in names]
    appended = b"From: imaplib <imaplib@example.org>\r\nSubject: appended by imaplib\r\n\r\nbody\r\n.dot line\r\n"

    host, port = imap_addr.rsplit(":", 1)
    m = imaplib.IMAP4(host, int(port))
    m.login(USER, PASSWORD)
    typ, caps = m.capability()
    typ, boxes = m.list()
    if typ != "OK" or not any(b"INBOX" in b for b in boxes):
        fail(f"LIST: {boxes}")
    typ, data = m.select("INBOX")
    if int(data[0]) != len(expected):
        fail(f"SELECT INBOX: {data[0]} messages, {len(expected)} expected")
    typ, data = m.search(None, "ALL")
    seqs = data[0].split()
    if len(seqs) != len(expected):
        fail(f"SEARCH ALL: {seqs}")
    for i, want in enumerate(expected, 1):
        typ, data = m.fetch(str(i), "(BODY.PEEK[] RFC822.SIZE)")
        got = data[0][1]
        if got != want:
            fail(f"IMAP message {i} ({names[i - 1]}): {len(got)} octets, {len(want)} expected")
        size = int(re.search(rb"RFC822\.SIZE (\d+)", data[0][0] + (data[1] if isinstance(data[1], bytes) else b"")).group(1))
        if size != len(want):
            fail(f"IMAP message {i}: RFC822.SIZE {size}, {len(want)} octets")
    typ, data = m.fetch("1:*", "(UID FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE)")
    if typ != "OK":
        fail(f"FETCH ENVELOPE BODYSTRUCTURE: {data}")
    typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.10>)")
    if typ != "OK":
        fail(f"FETCH sections: {data}")
    typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
    typ, data = m.search(None, "FLAGGED")
    if data[0].split() != [b"1"]:
        fail(f"SEARCH FLAGGED after STORE: {data}")
    typ, data = m.copy("1", "Archive")
    if typ != "OK":
        fail(f"COPY: {data}")
    typ, data = m.append("INBOX", "(\\Seen)", None, appended)
    if typ != "OK":
        fail(f"APPEND: {data}")
    typ, data = m.uid("SEARCH", None, "SUBJECT", "imaplib")
    uid = data[0].split()[-1]
    typ, data = m.uid("FETCH", uid, "(BODY.PEEK[])")
    if data[0][1] != appended:
        fail("the appended message came back different")
    typ, data = m.status("INBOX", "(MESSAGES UIDNEXT)")
    typ, data = m.select("Archive")
    typ, data = m.fetch("1", "(BODY.PEEK[])")
    if data[0][1] != expected[0]:
        fail("the copied message differs")
    typ, data = m.store("1", "+FLAGS", "(\\Deleted)")
    typ, data = m.expunge()
    if data != [b"1"]:
        fail(f"EXPUNGE in Archive: {data}")
    m.close()
    m.logout()
    print(f"imaplib: {len(expected)} messages byte-identical, STORE/SEARCH/COPY/APPEND/EXPUNGE done")

    host, port = pop3_addr.rsplit(":", 1)
    p = poplib.POP3(host, int(port))
    p.user(USER)
    p.pass_(PASSWORD)
    count, _ = p.stat()
    want_all = expected + [appended]
    if count != len(want_all):
        fail(f"STAT: {count} messages, {len(want_all)} expected")
    _, listing, _ = p.list()
    _, uidl, _ = p.uidl()
    for i, want in enumerate(want_all, 1):
        _, lines, octets = p.retr(i)
        got = b"\r\n".join(lines) + b"\r\n"
        if got != want:
            fail(f"POP3 message {i}: {len(got)} octets, {len(want)} expected")
        size = int(listing[i - 1].split()[1])
        if size != len(want):
            fail(f"POP3 LIST {i}: {size}, {len(want)} octets")
    _, top, _ = p.top(1, 0)
    if not want_all[0].startswith(b"\r\n".join(top)):
        fail("TOP 1 0 is not the start of message 1")
    p.quit()
    print(f"poplib: {len(want_all)} messages byte-identical (UIDL {len(uidl)}), TOP done")


if __name__ == "__main__":
    main()
