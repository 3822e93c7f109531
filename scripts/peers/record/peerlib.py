"""Small raw IMAP and POP3 clients for driving recorded sessions through `mailconform proxy`.

They send exactly the bytes written in the scenarios (no client library rewrites them) and read
whole responses (IMAP literals, POP3 multi-line answers), so that the proxy in between records
real exchanges. Nothing here parses more than it needs to know where an answer ends.
"""
import base64
import hashlib
import hmac
import re
import socket
import sys
import time
import zlib

LITERAL = re.compile(rb"~?\{(\d+)\}\r\n$")


def b64(s):
    if isinstance(s, str):
        s = s.encode()
    return base64.b64encode(s).decode()


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    deflate = None
    inflate = None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.deflate:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def start_deflate(self):
        """COMPRESS=DEFLATE accepted (RFC 4978 §3): raw deflate (RFC 1951) both ways from the
        octet after the tagged OK, every write ended with a sync flush (§4)."""
        self.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflate = zlib.decompressobj(-15)
        self.buf = self.inflate.decompress(self.buf)

    def _fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError("server closed the connection")
        self.buf += self.inflate.decompress(d) if self.inflate else d

    def line(self):
        while b"\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\n") + 1
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def drain(self, wait=0.3):
        """Reads whatever arrives within `wait` seconds (unsolicited data)."""
        self.sock.settimeout(wait)
        try:
            while True:
                self._fill()
        except (socket.timeout, EOFError):
            pass
        finally:
            self.sock.settimeout(10)
        out, self.buf = self.buf, b""
        return out

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Imap(Conn):
    def __init__(self, port, **kw):
        super().__init__(port, **kw)
        self.n = 0
        self.greeting = self.response()

    def tag(self):
        self.n += 1
        return f"A{self.n:03d}"

    def response(self):
        """One whole server response (literals included)."""
        out = self.line()
        while True:
            m = LITERAL.search(out)
            if not m:
                return out
            out += self.exactly(int(m.group(1)))
            out += self.line()

    def until_tagged(self, tag):
        got = []
        while True:
            r = self.response()
            got.append(r)
            if r.startswith(tag.encode() + b" "):
                return got

    def cmd(self, *parts, tag=None):
        """Like _cmd, but a server that closes the connection or stays silent for 10 s ends
        the command instead of the scenario."""
        try:
            return self._cmd(*parts, tag=tag)
        except (EOFError, OSError) as e:
            print(f"   ({type(e).__name__} after {parts[0]!r})", file=sys.stderr)
            return []

    def _cmd(self, *parts, tag=None):
        """Sends one command. `parts` are str/bytes pieces and ("lit", bytes) / ("lit+", bytes)
        / ("lit8", bytes) literals; a synchronizing literal waits for the server's `+` (or gives
        up when the server answers with the tagged response instead)."""
        tag = tag or self.tag()
        pending = tag.encode() + b" "
        got = []
        for p in parts:
            if isinstance(p, tuple):
                kind, data = p
                if kind in ("lit+", "lit8+"):
                    pending += (b"~" if kind == "lit8+" else b"") + b"{%d+}\r\n" % len(data) + data
                    continue
                pending += (b"~" if kind == "lit8" else b"") + b"{%d}\r\n" % len(data)
                self.send(pending)
                pending = b""
                r = self.response()
                got.append(r)
                if not r.startswith(b"+"):
                    return got + (self.until_tagged(tag) if not r.startswith(tag.encode()) else [])
                pending = data
            else:
                pending += p.encode() if isinstance(p, str) else p
        self.send(pending + b"\r\n")
        return got + self.until_tagged(tag)

    def raw(self, data, tag):
        """Sends raw bytes (CRLF included by the caller) and reads up to the tagged answer."""
        try:
            self.send(data)
            return self.until_tagged(tag)
        except (EOFError, OSError) as e:
            print(f"   ({type(e).__name__} after {data!r})", file=sys.stderr)
            return []

    def authenticate(self, mech, sasl=None, initial=None):
        """AUTHENTICATE: `sasl.step(challenge) -> str` answers each continuation request (a
        missing `sasl` cancels with `*`); `initial` is a SASL-IR initial response."""
        tag = self.tag()
        self.send(f"{tag} AUTHENTICATE {mech}" + (f" {initial}" if initial is not None else "") + "\r\n")
        got = []
        while True:
            r = self.response()
            got.append(r)
            if r.startswith(tag.encode() + b" "):
                return got
            if r.startswith(b"+"):
                challenge = base64.b64decode(r[1:].strip() or b"")
                self.send((sasl.step(challenge) if sasl else "*") + "\r\n")

    def logout(self):
        try:
            self.cmd("LOGOUT")
        except EOFError:
            pass
        self.close()


class Pop3(Conn):
    def __init__(self, port, **kw):
        super().__init__(port, **kw)
        self.greeting = self.line()

    def cmd(self, text, multi=False):
        self.send(text + "\r\n")
        first = self.line()
        out = [first]
        if multi and first.startswith(b"+OK"):
            while True:
                ln = self.line()
                out.append(ln)
                if ln == b".\r\n":
                    break
        return out

    def auth(self, mech, sasl=None, initial=None):
        self.send(f"AUTH {mech}" + (f" {initial}" if initial is not None else "") + "\r\n")
        got = []
        while True:
            r = self.line()
            got.append(r)
            if not r.startswith(b"+ ") and r.rstrip(b"\r\n") != b"+":
                return got
            challenge = base64.b64decode(r[1:].strip() or b"")
            self.send((sasl.step(challenge) if sasl else "*") + "\r\n")


class Scram:
    """A SCRAM client (RFC 5802 §3, §5; RFC 7677): step() answers each challenge."""

    def __init__(self, user, password, hash_name="sha256", cnonce="mailprotoPeerNonce4711"):
        self.user, self.password, self.hash, self.cnonce = user, password, hash_name, cnonce
        self.n = 0

    def first(self):
        self.bare = f"n={self.user},r={self.cnonce}"
        return b64("n,," + self.bare)

    def step(self, challenge):
        self.n += 1
        if self.n == 1 and not challenge:
            self.n = 0
            return self.first()
        if self.n == 1:
            self.first()
        if self.n <= 2 and challenge.startswith(b"r="):
            server_first = challenge.decode()
            attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
            salted = hashlib.pbkdf2_hmac(self.hash, self.password.encode(),
                                         base64.b64decode(attrs["s"]), int(attrs["i"]))
            client_key = hmac.new(salted, b"Client Key", self.hash).digest()
            stored = hashlib.new(self.hash, client_key).digest()
            without_proof = f"c=biws,r={attrs['r']}"
            auth_message = f"{self.bare},{server_first},{without_proof}".encode()
            sig = hmac.new(stored, auth_message, self.hash).digest()
            proof = bytes(a ^ b for a, b in zip(client_key, sig))
            return b64(f"{without_proof},p={base64.b64encode(proof).decode()}")
        return ""  # after server-final ("v=..."): an empty response


class Plain:
    """PLAIN, RFC 4616."""

    def __init__(self, user, password, authzid=""):
        self.value = b64(f"{authzid}\0{user}\0{password}")

    def step(self, _challenge):
        return self.value


class Login:
    """The LOGIN mechanism (draft-murchison-sasl-login): user name, then password."""

    def __init__(self, user, password):
        self.answers = [b64(user), b64(password)]

    def step(self, _challenge):
        return self.answers.pop(0) if self.answers else ""


class CramMd5:
    """CRAM-MD5, RFC 2195."""

    def __init__(self, user, password):
        self.user, self.password = user, password

    def step(self, challenge):
        return b64(f"{self.user} {hmac.new(self.password.encode(), challenge, 'md5').hexdigest()}")


class Wrong:
    """Answers every challenge with a wrong value (a failed authentication)."""

    def step(self, _challenge):
        return b64("\0alice\0wrong-password")
