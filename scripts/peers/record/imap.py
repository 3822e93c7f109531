#!/usr/bin/env python3
"""IMAP scenarios driven through `mailconform proxy` (see record.sh).

usage: imap.py SCENARIO PORT [--kind dovecot|cyrus|courier|mailutils] [--user U] [--password P]

Each scenario opens one connection (two for idle/notify) to PORT, the proxy, and sends the
commands below exactly as written. The mailbox is the one the server scripts create: alice's
INBOX with the 12 messages of scripts/peers/messages/ (UIDs 1..12). Commands a server does not
support are sent anyway where the answer (BAD/NO) is worth recording.
"""
import argparse
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from peerlib import CramMd5, Imap, Login, Plain, Scram, Wrong, b64  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("scenario")
ap.add_argument("port", type=int)
ap.add_argument("--kind", default="dovecot")
ap.add_argument("--user", default="alice")
ap.add_argument("--password", default="secret")
ap.add_argument("--user2", default="bob", help="a second user, for ACL and SCRAM with a hashed password")
a = ap.parse_args()
U, P, PORT, KIND = a.user, a.password, a.port, a.kind
# Mailbox names: Cyrus (altnamespace, unixhierarchysep) and Dovecot use "Archive"; Courier
# and Mailutils keep folders under "INBOX."
PFX = "INBOX." if KIND == "courier" else ""
ARCHIVE = PFX + "Archive"
SEP = "." if KIND == "courier" else "/"

MSG = (b"From: Alice Example <alice@example.com>\r\nTo: Bob Example <bob@example.com>\r\n"
       b"Subject: appended\r\nDate: Thu, 16 Nov 2023 09:00:00 +0000\r\n"
       b"Message-ID: <appended-1@example.com>\r\n\r\nAppended body.\r\n")


def login(c):
    return c.cmd(f"LOGIN {U} {P}")


def basic():
    """RFC 3501/9051 core: capabilities, login, mailbox management, FETCH and SEARCH."""
    c = Imap(PORT)
    c.cmd("CAPABILITY")
    c.cmd("NOOP")
    c.cmd("SELECT INBOX")                      # not authenticated yet: BAD/NO
    c.cmd(f"LOGIN {U} wrong-password")
    login(c)
    c.cmd("CAPABILITY")
    c.cmd('ID ("name" "mailproto-recorder" "version" "0.1")')
    c.cmd("NAMESPACE")
    c.cmd('LIST "" ""')
    c.cmd('LIST "" "*"')
    c.cmd('LSUB "" "*"')
    c.cmd("STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)")
    c.cmd(f'CREATE "{PFX}Projects"')
    c.cmd(f'CREATE "{PFX}Projects{SEP}2023"')
    c.cmd(f'RENAME "{PFX}Projects{SEP}2023" "{PFX}Projects{SEP}Old"')
    c.cmd(f'SUBSCRIBE "{PFX}Projects"')
    c.cmd(f'UNSUBSCRIBE "{PFX}Projects"')
    c.cmd(f'DELETE "{PFX}Projects{SEP}Old"')
    c.cmd(f'CREATE "{PFX}Caf&AOk-"')
    c.cmd("EXAMINE INBOX")
    c.cmd("SELECT INBOX")
    c.cmd("FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
    c.cmd("FETCH 1:* BODYSTRUCTURE")
    c.cmd("FETCH 3:5 BODY")
    c.cmd("FETCH 2 BODY[]")
    c.cmd("FETCH 4 (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BODY.PEEK[2.MIME] BODY.PEEK[3]<0.8>)")
    c.cmd("FETCH 5 (BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT])")
    c.cmd("FETCH 9 (BODY.PEEK[HEADER] BINARY.PEEK[1] BINARY.SIZE[1])")
    c.cmd("UID FETCH 1:* (UID FLAGS)")
    c.cmd("FETCH 1 (FAST)")
    c.cmd("SEARCH ALL")
    c.cmd("SEARCH UNSEEN")
    c.cmd('SEARCH FROM "bob" SINCE 1-Nov-2023')
    c.cmd("SEARCH CHARSET UTF-8 SUBJECT ", ("lit", "Köln".encode()))
    c.cmd('SEARCH CHARSET X-UNKNOWN SUBJECT "x"')
    c.cmd("UID SEARCH UID 5:* NOT DELETED")
    c.cmd("STORE 1 +FLAGS (\\Flagged)")
    c.cmd("STORE 2 FLAGS.SILENT (\\Seen $Important)")
    c.cmd("UID STORE 7 +FLAGS ($Label1)")
    c.cmd(f"COPY 1:2 {ARCHIVE}")
    c.cmd("COPY 1 NoSuchMailbox")
    c.cmd("CHECK")
    c.cmd("CLOSE")
    c.logout()


def auth():
    """AUTHENTICATE with each offered mechanism (RFC 9051 §6.2.2, RFC 4959 SASL-IR)."""
    c = Imap(PORT)
    c.cmd("CAPABILITY")
    c.authenticate("PLAIN", Wrong())                         # fails
    c.authenticate("PLAIN", None)                            # cancelled with "*"
    c.authenticate("X-UNKNOWN-MECH", None)
    c.authenticate("PLAIN", Plain(U, P))                     # without SASL-IR
    c.logout()
    c = Imap(PORT)
    c.authenticate("PLAIN", None, initial=Plain(U, P).value)  # SASL-IR
    c.cmd("NOOP")
    c.logout()
    for user in (U, a.user2):                               # alice: {PLAIN}; bob: {SCRAM-SHA-256}
        c = Imap(PORT)
        c.authenticate("SCRAM-SHA-256", Scram(user, P))
        c.cmd("NOOP")
        c.logout()
    c = Imap(PORT)
    c.authenticate("SCRAM-SHA-1", Scram(U, P, "sha1"))
    c.logout()
    c = Imap(PORT)
    c.authenticate("CRAM-MD5", CramMd5(U, P))
    c.logout()
    c = Imap(PORT)
    c.authenticate("LOGIN", Login(U, P))
    c.logout()


def condstore():
    """CONDSTORE/QRESYNC, RFC 7162."""
    c = Imap(PORT)
    login(c)
    c.cmd("STATUS INBOX (HIGHESTMODSEQ MESSAGES)")
    c.cmd("SELECT INBOX (CONDSTORE)")
    c.cmd("FETCH 1:3 (FLAGS MODSEQ)")
    c.cmd("STORE 1 +FLAGS (\\Flagged)")
    c.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)")
    c.cmd("STORE 2 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)")      # fails the condition: [MODIFIED]
    c.cmd("UID STORE 3 (UNCHANGEDSINCE 99999999) -FLAGS (\\Seen)")
    c.cmd("SEARCH MODSEQ 2")
    c.cmd('SEARCH MODSEQ "/flags/\\\\Flagged" all 1')
    c.cmd("UNSELECT")
    c.cmd("ENABLE CONDSTORE QRESYNC")
    r = c.cmd("SELECT INBOX")
    uidvalidity, modseq = "1700000000", "1"
    for line in r:
        s = line.decode(errors="replace")
        if "UIDVALIDITY" in s:
            uidvalidity = s.split("UIDVALIDITY ")[1].split("]")[0]
        if "HIGHESTMODSEQ" in s:
            modseq = s.split("HIGHESTMODSEQ ")[1].split("]")[0]
    c.cmd("STORE 4 +FLAGS.SILENT (\\Deleted)")
    c.cmd("EXPUNGE")                                           # VANISHED instead of EXPUNGE
    c.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    c.cmd("CLOSE")
    c.cmd(f"SELECT INBOX (QRESYNC ({uidvalidity} 1 1:20))")
    c.cmd(f"EXAMINE INBOX (QRESYNC ({uidvalidity} {modseq} 1:20 (1,3,5 1,3,6)))")
    c.cmd("SELECT INBOX (QRESYNC (1 2))")                       # wrong UIDVALIDITY
    c.logout()


def sortthread():
    """SORT, THREAD, ESEARCH, ESORT, CONTEXT, SEARCHRES with CONDSTORE/QRESYNC, only what the
    strict grammar of RFC 4731, 5182, 5256, 5267, 5957 and 7162 allows (issue 12, part A)."""
    c = Imap(PORT)
    login(c)
    c.cmd("ENABLE QRESYNC")
    c.cmd("SELECT INBOX")
    c.cmd("SEARCH RETURN (MIN MAX COUNT ALL) ALL")
    c.cmd("UID SEARCH RETURN (MIN MAX) UNSEEN")
    c.cmd("SEARCH RETURN (ALL) MODSEQ 1")
    c.cmd("SEARCH MODSEQ 1")
    c.cmd("SEARCH RETURN (SAVE) FROM bob")
    c.cmd("FETCH $ (UID FLAGS MODSEQ)")
    c.cmd("UID SEARCH UID $ NOT DELETED")
    c.cmd("SORT (DATE) UTF-8 ALL")
    c.cmd("UID SORT (REVERSE ARRIVAL SUBJECT) UTF-8 ALL")
    c.cmd("SORT (DISPLAYFROM DISPLAYTO) UTF-8 ALL")
    c.cmd("SORT (SIZE) UTF-8 MODSEQ 1")
    c.cmd("SORT RETURN (MIN MAX COUNT ALL) (FROM) UTF-8 ALL")
    c.cmd("UID SORT RETURN (ALL) (REVERSE DATE) UTF-8 UNDELETED")
    c.cmd("SEARCH RETURN (CONTEXT COUNT) UNDELETED")
    c.cmd("THREAD REFERENCES UTF-8 ALL")
    c.cmd("THREAD ORDEREDSUBJECT UTF-8 ALL")
    c.cmd("UID THREAD REFS UTF-8 ALL")
    c.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    c.cmd("EXPUNGE")
    c.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    c.logout()


def search():
    """SEARCH extensions, SORT, THREAD: RFC 4731, 5032, 5182, 5256, 5267, 5957."""
    c = Imap(PORT)
    login(c)
    c.cmd("SELECT INBOX")
    c.cmd("SEARCH RETURN (MIN MAX COUNT ALL) ALL")
    c.cmd("UID SEARCH RETURN (MIN MAX) UNSEEN")
    c.cmd("SEARCH RETURN () FLAGGED")
    c.cmd("SEARCH RETURN (COUNT) NOT ALL")
    c.cmd("SEARCH RETURN (SAVE) FROM bob")
    c.cmd("FETCH $ (UID FLAGS)")
    c.cmd("SEARCH YOUNGER 3600")
    c.cmd("SEARCH OLDER 86400")
    c.cmd("SORT (DATE) UTF-8 ALL")
    c.cmd("SORT (REVERSE SUBJECT ARRIVAL) UTF-8 ALL")
    c.cmd("SORT (DISPLAYFROM) UTF-8 ALL")
    c.cmd("UID SORT (SIZE) US-ASCII SINCE 1-Nov-2023")
    c.cmd("SORT RETURN (MIN MAX COUNT) (FROM) UTF-8 ALL")
    c.cmd("THREAD REFERENCES UTF-8 ALL")
    c.cmd("THREAD ORDEREDSUBJECT UTF-8 ALL")
    c.cmd("THREAD REFS UTF-8 ALL")
    c.cmd("UID THREAD REFERENCES UTF-8 ALL")
    c.cmd("SEARCH FUZZY SUBJECT release")
    c.cmd("SORT (ARRIVAL) UTF-8")                              # missing search key: BAD
    c.cmd("THREAD X-UNKNOWN UTF-8 ALL")
    c.logout()


def admin():
    """QUOTA (RFC 9208), METADATA (RFC 5464), ACL (RFC 4314), NAMESPACE, LIST-EXTENDED
    (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154)."""
    c = Imap(PORT)
    login(c)
    c.cmd("NAMESPACE")
    c.cmd("GETQUOTAROOT INBOX")
    c.cmd('GETQUOTA "User quota"')
    c.cmd('GETQUOTA ""')
    c.cmd('SETQUOTA "User quota" (STORAGE 512)')
    c.cmd('GETMETADATA "" /private/comment')
    c.cmd('SETMETADATA INBOX (/private/comment "My inbox")')
    c.cmd('SETMETADATA INBOX (/shared/comment "Shared note" /private/vendor/mailproto/x NIL)')
    c.cmd("GETMETADATA INBOX /private/comment")
    c.cmd("GETMETADATA (DEPTH infinity) INBOX /private")
    c.cmd("GETMETADATA (MAXSIZE 5) INBOX (/private/comment /shared/comment)")
    c.cmd('SETMETADATA INBOX (/private/comment ', ("lit", b"literal value"), ")")
    c.cmd("GETMETADATA INBOX /bad-entry")
    c.cmd("MYRIGHTS INBOX")
    c.cmd("GETACL INBOX")
    c.cmd(f"LISTRIGHTS INBOX {a.user2}")
    c.cmd(f"SETACL {ARCHIVE} {a.user2} lr")
    c.cmd(f"GETACL {ARCHIVE}")
    c.cmd(f"DELETEACL {ARCHIVE} {a.user2}")
    c.cmd("MYRIGHTS NoSuchMailbox")
    c.cmd('LIST (SPECIAL-USE) "" "*"')
    c.cmd('LIST "" "*" RETURN (SPECIAL-USE)')
    c.cmd('LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN)')
    c.cmd('LIST "" "%" RETURN (STATUS (MESSAGES UNSEEN UIDNEXT))')
    c.cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" "*"')
    c.cmd('LIST "" ("INBOX" "Arch*")')
    c.cmd('LIST (REMOTE) "" "*" RETURN (SUBSCRIBED)')
    c.cmd(f'CREATE "{PFX}Important" (USE (\\Important))')
    c.cmd(f'CREATE "{PFX}Flagged2" (USE (\\Flagged))')
    c.cmd("STATUS INBOX (MESSAGES SIZE UIDNEXT)")
    c.cmd("STATUS INBOX (DELETED)")
    c.cmd("LIST (BOGUS) \"\" \"*\"")
    c.logout()


def append():
    """APPEND and friends: LITERAL+ (RFC 7888), MULTIAPPEND (RFC 3502), CATENATE (RFC 4469),
    UTF8 (RFC 6855), BINARY (RFC 3516), MOVE (RFC 6851), UIDPLUS (RFC 4315), UNSELECT (RFC 3691)."""
    c = Imap(PORT)
    login(c)
    c.cmd('APPEND INBOX (\\Seen) "16-Nov-2023 09:00:00 +0000" ', ("lit", MSG))
    c.cmd("APPEND INBOX ", ("lit+", MSG.replace(b"appended-1", b"appended-2")))
    c.cmd("APPEND INBOX (\\Seen) ", ("lit", MSG.replace(b"appended-1", b"multi-1")),
          " () ", ("lit", MSG.replace(b"appended-1", b"multi-2")))
    c.cmd("APPEND INBOX CATENATE (URL \"/INBOX/;UID=1/;SECTION=HEADER\" TEXT ",
          ("lit", b"\r\nCatenated body.\r\n"), ")")
    c.cmd("APPEND INBOX ", ("lit8", b"Subject: binary\r\n\r\nNUL byte: \x00 end\r\n"))
    c.cmd("APPEND NoSuchMailbox ", ("lit", MSG))
    c.cmd("ENABLE UTF8=ACCEPT")
    c.cmd("SELECT INBOX")
    c.cmd(f"UID MOVE 2 {ARCHIVE}")
    c.cmd(f"MOVE 1 {ARCHIVE}")
    c.cmd(f"UID COPY 3 {ARCHIVE}")
    c.cmd("STORE 1:2 +FLAGS.SILENT (\\Deleted)")
    c.cmd("UID EXPUNGE 3")
    c.cmd("EXPUNGE")
    c.cmd("UNSELECT")
    c.cmd("UNSELECT")                                          # not selected any more
    # Last, because a server without UTF8=ACCEPT may read the literal's lines as commands.
    c.cmd("APPEND INBOX UTF8 (", ("lit8+", "Subject: Grüße\r\n\r\nUTF-8 header.\r\n".encode()), ")")
    c.drain(1)
    c.logout()


def idle():
    """IDLE (RFC 2177 / RFC 9051 §6.3.13): changes made by a second connection arrive as
    untagged EXISTS / FETCH / EXPUNGE."""
    c = Imap(PORT)
    login(c)
    c.cmd("SELECT INBOX")
    other = Imap(PORT)
    login(other)
    other.cmd("SELECT INBOX")
    tag = c.tag()
    c.send(f"{tag} IDLE\r\n")
    c.response()                                               # "+ idling"
    other.cmd("STORE 1 +FLAGS (\\Flagged)")
    time.sleep(1.5)
    other.cmd("APPEND INBOX ", ("lit", MSG))
    time.sleep(1.5)
    other.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    other.cmd("EXPUNGE")
    time.sleep(1.5)
    c.drain(0.5)
    c.raw(b"DONE\r\n", tag)
    c.cmd("NOOP")
    other.logout()
    c.logout()


def notify():
    """NOTIFY, RFC 5465: events about the selected and other mailboxes from a second connection."""
    c = Imap(PORT)
    login(c)
    c.cmd("SELECT INBOX")
    c.cmd("NOTIFY SET STATUS (SELECTED (MessageNew (UID FLAGS) MessageExpunge FlagChange)) "
          "(PERSONAL (MessageNew MessageExpunge MailboxName SubscriptionChange))")
    other = Imap(PORT)
    login(other)
    other.cmd("APPEND INBOX ", ("lit", MSG))
    other.cmd(f"APPEND {ARCHIVE} ", ("lit", MSG))
    other.cmd(f'CREATE "{PFX}Notified"')
    other.cmd(f'SUBSCRIBE "{PFX}Notified"')
    time.sleep(1.5)
    c.cmd("NOOP")
    c.cmd("NOTIFY NONE")
    c.cmd("NOTIFY SET (SELECTED (Bogus))")
    other.logout()
    c.logout()


def compress():
    """COMPRESS=DEFLATE, RFC 4978: COMPRESS DEFLATE, then a session inside
    the deflate stream (the proxy records it inflated): a second COMPRESS (NO
    [COMPRESSIONACTIVE], §3), SELECT, FETCH of flags, a message, the start of the 40 KB one, an APPEND
    with a literal, SEARCH, NOOP, LOGOUT. (An unknown mechanism is sent by `invalid`.)"""
    c = Imap(PORT)
    login(c)
    r = c.cmd("COMPRESS DEFLATE")
    if not (r and b" OK" in r[-1]):
        c.logout()
        return
    c.start_deflate()
    c.cmd("CAPABILITY")
    c.cmd("COMPRESS DEFLATE")
    c.cmd("SELECT INBOX")
    c.cmd("FETCH 1:* (UID FLAGS RFC822.SIZE)")
    c.cmd("FETCH 2 BODY.PEEK[]")
    c.cmd("UID FETCH 12 (BODY.PEEK[]<0.1200> BINARY.SIZE[1])")
    c.cmd("APPEND INBOX (\\Seen) ", ("lit", MSG))
    c.cmd("UID SEARCH SUBJECT appended")
    c.cmd("NOOP")
    c.logout()


def context():
    """CONTEXT=SEARCH, RFC 5267 §4: SEARCH/UID SEARCH RETURN (UPDATE ...) while a second
    connection changes flags, appends and expunges (ADDTO / REMOVEFROM ESEARCH updates, §4.1,
    sent on NOOP), then CANCELUPDATE (§4.3); ESORT RETURN (COUNT) and PARTIAL-less CONTEXT."""
    c = Imap(PORT)
    login(c)
    c.cmd("SELECT INBOX")
    c.cmd("SEARCH RETURN (UPDATE COUNT MIN) UNSEEN")
    c.cmd("UID SEARCH RETURN (UPDATE ALL) FLAGGED")
    other = Imap(PORT)
    login(other)
    other.cmd("SELECT INBOX")
    other.cmd("STORE 1 -FLAGS (\\Seen)")
    other.cmd("STORE 3 +FLAGS (\\Seen)")
    other.cmd("UID STORE 5 +FLAGS (\\Flagged)")
    other.cmd("APPEND INBOX ", ("lit", MSG))
    other.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    other.cmd("EXPUNGE")
    time.sleep(1.0)
    c.cmd("NOOP")
    c.cmd("CANCELUPDATE \"A003\" \"A004\"")
    other.cmd("STORE 4 -FLAGS (\\Seen)")
    time.sleep(0.5)
    c.cmd("NOOP")
    c.cmd("SORT RETURN (COUNT CONTEXT) (SUBJECT) UTF-8 ALL")
    other.logout()
    c.logout()


def search2():
    """The smaller search/fetch extensions of issue 12: SAVEDATE (RFC 8514), PREVIEW (RFC 8970,
    with LAZY), WITHIN (RFC 5032), SEARCH=FUZZY (RFC 6203), OBJECTID (RFC 8474: EMAILID and
    THREADID fetched and searched, STATUS MAILBOXID), STATUS APPENDLIMIT (RFC 7889), STATUS
    SIZE/DELETED (RFC 8438, RFC 9051) and LIST-STATUS with SIZE."""
    c = Imap(PORT)
    login(c)
    c.cmd("SELECT INBOX")
    c.cmd("FETCH 1:3 (UID SAVEDATE)")
    c.cmd("FETCH 1:2 (PREVIEW)")
    c.cmd("FETCH 3 (PREVIEW (LAZY))")
    c.cmd("SEARCH SAVEDSINCE 1-Jan-2000 SAVEDBEFORE 1-Jan-2100")
    c.cmd("SEARCH SAVEDATESUPPORTED")
    c.cmd("UID SEARCH YOUNGER 4000000000")
    c.cmd("SEARCH OLDER 1 UNSEEN")
    c.cmd("SEARCH FUZZY (SUBJECT meet)")
    r = c.cmd("FETCH 6:7 (EMAILID THREADID)")
    m = re.search(rb"EMAILID \(([^)\s]+)\)", b"".join(r))
    t = re.search(rb"THREADID (?:\(([^)\s]+)\)|(NIL))", b"".join(r))
    if m:
        c.cmd(f"SEARCH EMAILID {m.group(1).decode()}")
    tid = t and t.group(1)
    if tid and tid != b"NIL":                     # Cyrus without conversations: THREADID (NIL)
        c.cmd(f"UID SEARCH THREADID {tid.decode()}")
    c.cmd("STATUS INBOX (MAILBOXID)")
    c.cmd("STATUS INBOX (APPENDLIMIT)")
    c.cmd(f"STATUS {ARCHIVE} (MESSAGES SIZE DELETED)")
    c.cmd('LIST "" % RETURN (STATUS (MESSAGES SIZE))')
    c.logout()


def listmetadata():
    """LIST-METADATA (RFC 9590): the METADATA return option of LIST-EXTENDED, alone and with
    STATUS, after a SETMETADATA gives INBOX a shared comment; the comment is removed again."""
    c = Imap(PORT)
    login(c)
    c.cmd('SETMETADATA INBOX (/shared/comment "List me")')
    c.cmd('LIST "" "%" RETURN (METADATA (/shared/comment /private/comment))')
    c.cmd('LIST "" "INBOX" RETURN (STATUS (MESSAGES) METADATA (/shared/comment))')
    c.cmd("SETMETADATA INBOX (/shared/comment NIL)")
    c.logout()


def utf8():
    """UTF8=ACCEPT, RFC 6855 §3: ENABLE, then raw UTF-8 in quoted mailbox names and search
    strings, APPEND UTF8 with a literal8 holding raw UTF-8 headers (and a plain APPEND of
    them), FETCH of them (ENVELOPE, header fields) and LIST. Of the four servers only Courier offers UTF8=ACCEPT; the others
    answer what they answer (recorded as input)."""
    c = Imap(PORT)
    login(c)
    c.cmd("ENABLE UTF8=ACCEPT")
    box = f"{PFX}Grüße"
    c.cmd(f'CREATE "{box}"')
    c.cmd(f'LIST "" "{PFX}Gr*"')
    c.cmd(f'STATUS "{box}" (MESSAGES)')
    umsg = ("From: Jürgen Müller <juergen@example.de>\r\nTo: Alice Example <alice@example.com>\r\n"
            "Subject: Grüße aus Köln\r\nDate: Thu, 16 Nov 2023 09:00:00 +0000\r\n"
            "Message-ID: <utf8-append@example.de>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nSchöne Woche!\r\n").encode()
    c.cmd(f'APPEND "{box}" UTF8 (', ("lit8", umsg), ")")
    c.cmd(f'APPEND "{box}" ', ("lit", umsg))     # Courier refuses the literal8 form
    c.cmd(f'SELECT "{box}"')
    c.cmd("FETCH 1 (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])")
    c.cmd('SEARCH SUBJECT "Köln"')
    c.cmd('UID SEARCH FROM "Müller"')
    c.cmd("CLOSE")
    c.cmd(f'DELETE "{box}"')
    c.logout()


def invalid():
    """Commands that break the grammar or the state rules, each answered by BAD/NO."""
    c = Imap(PORT)
    # Dovecot's login process closes after 3 bad commands, its imap process after 20 in a row.
    for line in ["A001 NOSUCHCOMMAND", "A002 LOGIN alice"]:
        c.raw(line.encode() + b"\r\n", line.split()[0])
    login(c)
    for i, line in enumerate([
        "B001 SELECT",
        "B002 FETCH 1 FLAGS",                    # no mailbox selected
        "B003 SELECT INBOX extra",
        "B004 SELECT INBOX",
        "B005 FETCH 0 FLAGS",
        "B006 FETCH 1:* (FLAGS",
        "B007 FETCH 1 NOSUCHITEM",
        "B008 STORE 1 +FLAGS (\\Bogus)",
        "B009 SEARCH NOSUCHKEY",
        "B010 SEARCH (UNSEEN",
        "B011 FETCH 99999 FLAGS",
        "B012 UID FETCH abc FLAGS",
        "B013 COPY 1",
        "B014 CREATE",
        "B015 STATUS INBOX (NOSUCHITEM)",
        "B016 FETCH 1 BODY[]<",
        "B017 LOGIN alice secret",              # wrong state
        "B018 CAPABILITY extra",
        'B019 LOGIN "unterminated',
        "B020 COMPRESS X-UNKNOWN",              # RFC 4978 §5: algorithm = "DEFLATE"
    ]):
        c.raw(line.encode() + b"\r\n", line.split()[0])
        if i % 5 == 4:
            c.cmd("NOOP")
    c.logout()


SCENARIOS = {f.__name__: f for f in
             [basic, auth, condstore, sortthread, search, admin, append, idle, notify, compress,
              utf8, search2, context, listmetadata, invalid]}

if __name__ == "__main__":
    SCENARIOS[a.scenario]()
