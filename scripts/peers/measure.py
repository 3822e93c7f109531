#!/usr/bin/env python3
"""measure.py [DIR] - how many recorded messages parse under today's strict grammar.

Runs `mailconform validate --json DIR` (default: recordings/) with the release binary and prints,
as Markdown: per server and direction, messages and how many parse (deliberately invalid
scenarios, `*-invalid*.trace`, counted apart), then the top failure causes per server, grouped by
what failed (the command or response name and the token at the failing offset) and the rule
the parser expected there. docs/peers.md holds its output.
"""
import collections
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIR = sys.argv[1] if len(sys.argv) > 1 else "recordings"
TOP = int(os.environ.get("TOP", "12"))
LITERAL = re.compile(rb"~?\{(\d+)[+-]?\}\r\n$")


def unescape(s):
    out, i = bytearray(), 0
    b = s.encode()
    while i < len(b):
        if b[i] == 0x5C:
            c = b[i + 1:i + 2]
            if c == b"x":
                out.append(int(b[i + 2:i + 4], 16)); i += 4; continue
            out += {b"r": b"\r", b"n": b"\n", b"t": b"\t", b"\\": b"\\"}[c]; i += 2; continue
        out.append(b[i]); i += 1
    return bytes(out)


def messages(path):
    """{(side, last line number): message bytes} for an IMAP trace (literal-aware framing)."""
    lines = []
    for n, raw in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
        if raw[:2] in ("C:", "S:"):
            lines.append((n, raw[0], raw[3:].encode() + b"\r\n"))
        elif raw[:2] in ("C~", "S~"):
            lines.append((n, raw[0], unescape(raw[3:])))
    out, cur, lit = {}, {"C": b"", "S": b""}, {"C": 0, "S": 0}
    for n, side, data in lines:
        cur[side] += data
        if lit[side]:
            take = min(lit[side], len(data))
            lit[side] -= take
            data = data[take:]
            if lit[side] or not data:
                continue
        m = LITERAL.search(data) if data.endswith(b"\n") else None
        if m:
            lit[side] = int(m.group(1))
        elif cur[side].endswith(b"\n"):
            out[(side, n)] = cur[side]
            cur[side] = b""
    return out


def what(msg, side):
    """`SORT`, `UID FETCH`, `* FETCH`, `* ESEARCH`, `tagged OK [MODIFIED`, ..."""
    words = msg.split(b"\r\n")[0].decode("utf-8", "replace").split(" ")
    if side == "C":
        if len(words) < 2:
            return words[0][:20]
        name = words[1].upper()
        if name == "UID" and len(words) > 2:
            name += " " + words[2].upper()
        return name
    if words[0] == "*":
        rest = [w for w in words[1:] if not w.isdigit()]
        head = rest[0].upper() if rest else "*"
        if head in ("OK", "NO", "BAD", "BYE", "PREAUTH") and len(rest) > 1 and rest[1].startswith("["):
            head += " " + rest[1].rstrip("]")
        return "* " + head
    if words[0] == "+":
        return "+"
    if len(words) > 1:
        head = "tagged " + words[1].upper()
        if len(words) > 2 and words[2].startswith("["):
            head += " " + words[2].rstrip("]")
        return head
    return words[0][:20]


# What a failing command name or token belongs to (the issue that brings its grammar).
EXTENSIONS = [
    ("CONDSTORE/QRESYNC, RFC 7162 (issue 12)", {"MODSEQ", "HIGHESTMODSEQ", "VANISHED", "CHANGEDSINCE",
     "UNCHANGEDSINCE", "NOMODSEQ", "MODIFIED", "QRESYNC", "CONDSTORE"}),
    ("SORT/THREAD, RFC 5256 (issue 12)", {"SORT", "THREAD", "UID SORT", "UID THREAD"}),
    ("ESEARCH/SEARCHRES/WITHIN/FUZZY (issue 12)", {"ESEARCH", "RETURN", "YOUNGER", "OLDER", "$", "FUZZY", "SAVE"}),
    ("NOTIFY, RFC 5465 (issue 12)", {"NOTIFY"}),
    ("OBJECTID/PREVIEW/SAVEDATE/STATUS=SIZE (issue 12)", {"MAILBOXID", "EMAILID", "THREADID", "SIZE", "DELETED",
     "PREVIEW", "SAVEDATE"}),
    ("METADATA, RFC 5464 (issue 13)", {"GETMETADATA", "SETMETADATA", "METADATA"}),
    ("QUOTA, RFC 9208 (issue 13)", {"GETQUOTA", "GETQUOTAROOT", "SETQUOTA", "QUOTA", "QUOTAROOT"}),
    ("ACL, RFC 4314 (issue 13)", {"MYRIGHTS", "GETACL", "LISTRIGHTS", "SETACL", "DELETEACL", "ACL"}),
    ("ID, RFC 2971 (issue 13)", {"ID"}),
    ("COMPRESS, RFC 4978 (issue 13)", {"COMPRESS"}),
    ("LIST-EXTENDED/SPECIAL-USE/CREATE USE (issue 13)", {"SPECIAL-USE", "SUBSCRIBED", "REMOTE", "USE",
     "RECURSIVEMATCH", "CHILDREN", "STATUS", "LIST"}),
    ("APPEND: MULTIAPPEND, CATENATE, UTF8 (issue 13)", {"APPEND", "CATENATE", "UTF8"}),
]


def extension(label, tok):
    name = label.split(" ", 1)[1] if " " in label else label
    name = name.split(":")[0].replace("* ", "").replace("tagged ", "")
    for ext, words in EXTENSIONS:
        if tok.upper() in words or tok.upper().lstrip("[") in words:
            return ext
    for ext, words in EXTENSIONS:
        if name.upper() in words:
            return ext
    return "not an extension keyword: a deviation, or a failure that follows an earlier one"


def token(msg, offset):
    """The word at the failing offset (leading spaces and brackets skipped)."""
    t = msg[offset:offset + 60].decode("utf-8", "replace").lstrip(" ([")
    t = re.split(r"[ ()\[\]\r\n]", t, maxsplit=1)[0] if t else ""
    return t or repr(msg[offset:offset + 1].decode("utf-8", "replace"))


def main():
    exe = os.path.join(REPO, "target", "release", "mailconform")
    res = subprocess.run([exe, "validate", "--json", DIR], capture_output=True, text=True, cwd=REPO)
    per = collections.defaultdict(lambda: [0, 0])
    causes = collections.defaultdict(collections.Counter)
    by_ext = collections.defaultdict(collections.Counter)
    frames = {}
    for line in res.stdout.splitlines():
        if not line.startswith("{"):
            continue
        m = json.loads(line)
        if "side" not in m:
            continue
        f = m["file"]
        server = f.split(os.sep)[-2] if os.sep in f else "?"
        name = os.path.basename(f)
        proto = name.split("-")[0]
        invalid = "-invalid" in name
        key = (server, proto, m["side"], invalid)
        per[key][0] += 1
        if m["ok"]:
            per[key][1] += 1
            continue
        if invalid:
            continue
        if proto == "imap":
            if f not in frames:
                frames[f] = messages(os.path.join(REPO, f))
            msg = frames[f].get((m["side"], m["line"]), b"")
        else:
            msg = b""
            for n, raw in enumerate(open(os.path.join(REPO, f), encoding="utf-8").read().split("\n"), 1):
                if n == m["line"]:
                    msg = raw[3:].encode() + b"\r\n"
        label = what(msg, m["side"]) if msg else "?"
        err = m.get("error")
        tok = token(msg, m.get("offset", 0)) if msg and err == "syntax" else ""
        by_ext[extension(label, tok.strip("'"))][f"{server} {m['side']}"] += 1
        if err == "syntax":
            rule = f"expected {m.get('expected')}" + (f" in {m['context']}" if m.get("context") else "")
            cause = f"{m['side']} {label}: {rule} at `{tok}`"
        else:
            cause = f"{m['side']} {label}: {err}"
        causes[server][cause] += 1
    print("| server | protocol | direction | messages | parse | % | deliberately invalid scenarios: messages / parse |")
    print("|---|---|---|---:|---:|---:|---|")
    keys = sorted({k[:3] for k in per})
    tot = collections.defaultdict(lambda: [0, 0])
    for server, proto, side in keys:
        n, ok = per[(server, proto, side, False)]
        ni, oki = per[(server, proto, side, True)]
        tot[side][0] += n; tot[side][1] += ok
        d = "client → server" if side == "C" else "server → client"
        pct = f"{100 * ok / n:.1f}" if n else "–"
        print(f"| {server} | {proto} | {d} | {n} | {ok} | {pct} | {ni} / {oki} |")
    for side in ("C", "S"):
        n, ok = tot[side]
        if n:
            d = "client → server" if side == "C" else "server → client"
            print(f"| **all** | | {d} | {n} | {ok} | {100 * ok / n:.1f} | |")
    servers = sorted(causes)
    cols = [f"{sv} {sd}" for sv in servers for sd in ("C", "S")]
    print("\nFailing messages by what they need (outside the invalid scenarios; C = client, S = server):\n")
    print("| needs | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for ext, counts in sorted(by_ext.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"| {ext} | " + " | ".join(str(counts.get(c, 0)) for c in cols) + " |")
    for server in servers:
        print(f"\n**{server}**, top failure causes (outside the invalid scenarios):\n")
        print("| count | side, message: first failing rule at token |")
        print("|---:|---|")
        for cause, c in causes[server].most_common(TOP):
            escaped = cause.replace("|", "\\|")
            print(f"| {c} | {escaped} |")


main()
