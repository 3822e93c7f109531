#!/usr/bin/env python3
"""POP3 scenarios driven through `mailconform proxy` (see record.sh).

usage: pop3.py SCENARIO PORT [--user U] [--password P]

alice's maildrop holds the 12 messages of scripts/peers/messages/; message 10 has lines that
start with a dot (dot-stuffed by the server, RFC 1939 §3). No scenario deletes for good: DELE is
followed by RSET, or the session ends without QUIT's UPDATE state.
"""
import argparse
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from peerlib import CramMd5, Login, Plain, Pop3, Scram, Wrong  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("scenario")
ap.add_argument("port", type=int)
ap.add_argument("--user", default="alice")
ap.add_argument("--password", default="secret")
ap.add_argument("--user2", default="bob")
ap.add_argument("--kind", default="dovecot")
a = ap.parse_args()
U, P, PORT = a.user, a.password, a.port


def basic():
    """RFC 1939 with the RFC 2449 extensions: every command in AUTHORIZATION and TRANSACTION."""
    c = Pop3(PORT)
    c.cmd("CAPA", multi=True)
    c.cmd("STAT")                              # not yet authenticated
    c.cmd(f"USER {U}")
    c.cmd("PASS wrong-password")
    c.cmd(f"USER {U}")
    c.cmd(f"PASS {P}")
    c.cmd("CAPA", multi=True)
    c.cmd("STAT")
    c.cmd("LIST", multi=True)
    c.cmd("LIST 2")
    c.cmd("LIST 99")
    c.cmd("UIDL", multi=True)
    c.cmd("UIDL 3")
    c.cmd("TOP 1 0", multi=True)
    c.cmd("TOP 3 2", multi=True)
    c.cmd("RETR 10", multi=True)               # dot-stuffed lines
    c.cmd("RETR 4", multi=True)
    c.cmd("RETR 9", multi=True)                # raw UTF-8 header
    c.cmd("DELE 1")
    c.cmd("DELE 1")                            # already deleted
    c.cmd("LIST 1")
    c.cmd("STAT")
    c.cmd("RSET")
    c.cmd("STAT")
    c.cmd("NOOP")
    c.cmd("QUIT")
    c.close()


def auth():
    """APOP (RFC 1939 §7) and AUTH (RFC 5034): PLAIN with and without an initial response,
    SCRAM-SHA-256 for a {PLAIN} and a {SCRAM-SHA-256} stored password, CRAM-MD5, LOGIN,
    a failure and a cancellation."""
    c = Pop3(PORT)
    stamp = re.search(rb"<[^>]*>", c.greeting)
    if stamp:
        digest = hashlib.md5(stamp.group(0) + P.encode()).hexdigest()
        c.cmd(f"APOP {U} 0123456789abcdef0123456789abcdef")  # wrong digest
        c.close()
        c = Pop3(PORT)
        stamp = re.search(rb"<[^>]*>", c.greeting)
        digest = hashlib.md5(stamp.group(0) + P.encode()).hexdigest()
        c.cmd(f"APOP {U} {digest}")
        c.cmd("STAT")
        c.cmd("QUIT")
        c.close()
        c = Pop3(PORT)
    c.cmd("AUTH", multi=True)                  # list of mechanisms: not RFC 5034, but many servers answer
    c.cmd("QUIT")
    c.close()
    c = Pop3(PORT)
    c.auth("PLAIN", Wrong())
    c.auth("PLAIN", None)                      # cancelled
    c.auth("X-UNKNOWN")
    c.auth("PLAIN", Plain(U, P))
    c.cmd("STAT")
    c.cmd("QUIT")
    c.close()
    c = Pop3(PORT)
    c.auth("PLAIN", None, initial=Plain(U, P).value)
    c.cmd("QUIT")
    c.close()
    for user in (U, a.user2):
        c = Pop3(PORT)
        c.auth("SCRAM-SHA-256", Scram(user, P))
        c.cmd("STAT")
        c.cmd("QUIT")
        c.close()
    c = Pop3(PORT)
    c.auth("CRAM-MD5", CramMd5(U, P))
    c.cmd("QUIT")
    c.close()
    c = Pop3(PORT)
    c.auth("LOGIN", Login(U, P))
    c.cmd("QUIT")
    c.close()


def invalid():
    """Commands that break the grammar or the state rules."""
    c = Pop3(PORT)
    for line in ["NOSUCH", "USER", "PASS secret", "RETR 1", "APOP alice", "TOP", "user alice extra words"]:
        c.cmd(line)
    c.cmd(f"USER {U}")
    c.cmd(f"PASS {P}")
    for line in ["LIST x", "LIST 1 2", "RETR", "RETR 0", "RETR 999", "TOP 1", "TOP 1 -1", "TOP x 1",
                 "DELE", "UIDL 0", "USER bob", "NOSUCH", "STAT extra"]:
        c.cmd(line)
    c.cmd("RSET")
    c.cmd("QUIT")
    c.close()


SCENARIOS = {f.__name__: f for f in [basic, auth, invalid]}

if __name__ == "__main__":
    SCENARIOS[a.scenario]()
