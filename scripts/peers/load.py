#!/usr/bin/env python3
"""load.py PORT USER PASSWORD [--admin ADMIN:PASS --create-user] - fills USER's INBOX over IMAP with
scripts/peers/messages/*.eml (CRLF, fixed flags and INTERNALDATEs) and creates the special-use
folders, for servers whose stores are not written directly (Cyrus). With --admin, first creates
the user's mailbox as the admin (Cyrus: `user/NAME`) and gives it a quota."""
import argparse
import datetime
import glob
import imaplib
import os

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("user")
ap.add_argument("password")
ap.add_argument("--admin")
ap.add_argument("--users", default="", help="comma-separated users to create as the admin")
a = ap.parse_args()
HERE = os.path.dirname(os.path.abspath(__file__))

if a.admin:
    name, pw = a.admin.split(":", 1)
    m = imaplib.IMAP4("127.0.0.1", a.port)
    m.login(name, pw)
    for u in [a.user] + [u for u in a.users.split(",") if u]:
        m.create(f"user/{u}")
        m._simple_command("SETQUOTA", f'"user/{u}"', "(STORAGE 102400)")
    m.logout()

FLAGS = ["\\Seen", "", "\\Flagged \\Seen", "\\Answered \\Seen", "\\Seen $Forwarded", "\\Seen",
         "", "", "\\Seen", "", "$Important", ""]
m = imaplib.IMAP4("127.0.0.1", a.port)
m.login(a.user, a.password)
for box, use in [("Drafts", "\\Drafts"), ("Sent", "\\Sent"), ("Trash", "\\Trash"),
                 ("Junk", "\\Junk"), ("Archive", "\\Archive")]:
    typ, _ = m._simple_command("CREATE", box, f"(USE ({use}))")
    if typ != "OK":
        m.create(box)
    m.subscribe(box)
for n, path in enumerate(sorted(glob.glob(os.path.join(HERE, "messages", "*.eml")))):
    data = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    when = datetime.datetime.fromtimestamp(1700000000 + (n + 1) * 3600, datetime.timezone.utc)
    flags = f"({FLAGS[n]})" if FLAGS[n] else None
    m.append("INBOX", flags, imaplib.Time2Internaldate(when), data)
for n, name in [(20, "01-plain.eml"), (21, "06-thread-start.eml")]:
    data = open(os.path.join(HERE, "messages", name), "rb").read().replace(b"\n", b"\r\n")
    when = datetime.datetime.fromtimestamp(1700000000 + n * 3600, datetime.timezone.utc)
    m.append("Archive", "(\\Seen)", imaplib.Time2Internaldate(when), data)
m.logout()
