//! The language-neutral form of a replay: what the corpus's expected files
//! (`corpus/expected/**/*.json`) hold, so that an implementation in any language can compare
//! its own reading of a trace with ours without knowing our Rust types.
//!
//! Each message is reduced to its **tree**: the message in its canonical form (as this
//! project's encoder writes the parsed value back), split into the generic data of the
//! protocol — atoms, numbers, strings, NIL, parenthesised lists, and for IMAP the response
//! code and the free text of status responses. The rules are in `docs/corpus-format.md`
//! ("Expected values") and the shape in `docs/corpus-expected.schema.json`; a tree depends
//! on what a message means, not on how it was quoted: a quoted string and a literal with the
//! same octets give the same node, keywords are upper case, and a real-world deviation shows
//! as the value it was read as.
//!
//! ```
//! use mailtrace::neutral::{imap_tree, ImapShape, Node};
//! let tree = imap_tree(b"* 3 FETCH (FLAGS (\\Seen) UID 7)\r\n", ImapShape::Response);
//! assert_eq!(
//!     tree,
//!     vec![
//!         Node::Atom("*".into()),
//!         Node::Number(3),
//!         Node::Atom("FETCH".into()),
//!         Node::List(vec![
//!             Node::Atom("FLAGS".into()),
//!             Node::List(vec![Node::Atom("\\Seen".into())]),
//!             Node::Atom("UID".into()),
//!             Node::Number(7),
//!         ]),
//!     ]
//! );
//! ```

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// One node of a message's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An atom (any run of non-special characters, brackets included: `BODY[HEADER]<0>`,
    /// `\Seen`, `1:5`, `AUTH=PLAIN`). JSON: a string.
    Atom(String),
    /// A run of decimal digits that fits in 64 bits. JSON: a number.
    Number(u64),
    /// A quoted string or a literal whose octets are UTF-8. JSON: `{"string": "..."}`.
    String(String),
    /// A quoted string or a literal whose octets are not UTF-8. JSON: `{"octets": "<hex>"}`.
    Octets(Vec<u8>),
    /// `NIL`. JSON: `null`.
    Nil,
    /// A parenthesised list. JSON: an array.
    List(Vec<Node>),
    /// An IMAP response code (`[...]` after OK/NO/BAD/BYE/PREAUTH or `+`), split like the
    /// rest. JSON: `{"code": [...]}`.
    Code(Vec<Node>),
    /// Free text: the text of a status response or continuation request, a SASL line, a POP3
    /// status line's text. JSON: `{"text": "..."}`.
    Text(String),
    /// POP3: the lines of a multi-line response after its status line, dot-unstuffed, without
    /// their CRLF and without the final `.`. JSON: `{"lines": ["...", ...]}` (a line that is
    /// not UTF-8 is `{"octets": "<hex>"}`).
    Lines(Vec<Node>),
    /// A message the rules cannot split (never the case for a canonical encoding today).
    /// JSON: `{"raw": "..."}` (lossy UTF-8).
    Raw(String),
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn one<S: Serializer, V: Serialize + ?Sized>(
            s: S,
            key: &str,
            value: &V,
        ) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry(key, value)?;
            m.end()
        }
        match self {
            Node::Atom(a) => s.serialize_str(a),
            Node::Number(n) => s.serialize_u64(*n),
            Node::String(t) => one(s, "string", t),
            Node::Octets(o) => one(s, "octets", &hex(o)),
            Node::Nil => s.serialize_unit(),
            Node::List(l) => l.serialize(s),
            Node::Code(c) => one(s, "code", c),
            Node::Text(t) => one(s, "text", t),
            Node::Lines(l) => one(s, "lines", l),
            Node::Raw(r) => one(s, "raw", r),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn string_node(bytes: &[u8]) -> Node {
    match std::str::from_utf8(bytes) {
        Ok(t) => Node::String(t.to_owned()),
        Err(_) => Node::Octets(bytes.to_vec()),
    }
}

fn text_node(bytes: &[u8]) -> Node {
    Node::Text(String::from_utf8_lossy(bytes).into_owned())
}

/// How an IMAP message is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapShape {
    /// A command, or `DONE`: tag and generic data.
    Command,
    /// A greeting or response: as a command, except that a status response (`OK`, `NO`,
    /// `BAD`, `BYE`, `PREAUTH` after the tag) and a continuation request (`+`) end with an
    /// optional [`Node::Code`] and a [`Node::Text`].
    Response,
    /// A SASL response line (AUTHENTICATE): one [`Node::Text`].
    Line,
}

/// The tree of one IMAP message (with its CRLF and literals), as defined in
/// `docs/corpus-format.md`; [`Node::Raw`] when the rules cannot split it.
pub fn imap_tree(message: &[u8], shape: ImapShape) -> Vec<Node> {
    let body = message.strip_suffix(b"\r\n").unwrap_or(message);
    if shape == ImapShape::Line {
        return vec![text_node(body)];
    }
    let mut lexer = Lexer {
        b: body,
        pos: 0,
        depth: 0,
    };
    match lexer.message(shape == ImapShape::Response) {
        Some(nodes) => nodes,
        None => vec![Node::Raw(String::from_utf8_lossy(body).into_owned())],
    }
}

/// How deeply lists may nest in a tree (the codecs' own bound is lower).
const MAX_DEPTH: usize = 300;

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn rest(&self) -> &[u8] {
        &self.b[self.pos..]
    }

    fn message(&mut self, response: bool) -> Option<Vec<Node>> {
        let mut nodes = Vec::new();
        let tag = self.token(None)?;
        let is_plus = tag == Node::Atom("+".into());
        nodes.push(tag);
        if response && is_plus {
            self.code_and_text(&mut nodes)?;
            return Some(nodes);
        }
        loop {
            self.skip_spaces();
            if self.peek().is_none() {
                return Some(nodes);
            }
            let node = self.token(None)?;
            let status = response
                && nodes.len() == 1
                && matches!(&node, Node::Atom(a)
                    if ["OK", "NO", "BAD", "BYE", "PREAUTH"].iter().any(|k| a.eq_ignore_ascii_case(k)));
            nodes.push(node);
            if status {
                self.code_and_text(&mut nodes)?;
                return Some(nodes);
            }
        }
    }

    /// After `+` or a status condition: `[SP] ["[" code "]"] [SP text]`.
    fn code_and_text(&mut self, nodes: &mut Vec<Node>) -> Option<()> {
        if self.peek() == Some(b' ') {
            self.pos += 1;
        }
        if self.peek() == Some(b'[') {
            self.pos += 1;
            let code = self.sequence(Some(b']'))?;
            nodes.push(Node::Code(code));
            if self.peek() == Some(b' ') {
                self.pos += 1;
            }
        }
        if !self.rest().is_empty() {
            nodes.push(text_node(self.rest()));
            self.pos = self.b.len();
        }
        Some(())
    }

    /// Tokens up to `close` (consumed), or to the end when `close` is `None`.
    fn sequence(&mut self, close: Option<u8>) -> Option<Vec<Node>> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut nodes = Vec::new();
        loop {
            self.skip_spaces();
            match (self.peek(), close) {
                (None, None) => break,
                (None, Some(_)) => return None,
                (Some(c), Some(k)) if c == k => {
                    self.pos += 1;
                    break;
                }
                _ => nodes.push(self.token(close)?),
            }
        }
        self.depth -= 1;
        Some(nodes)
    }

    fn token(&mut self, close: Option<u8>) -> Option<Node> {
        match self.peek()? {
            b'(' => {
                self.pos += 1;
                Some(Node::List(self.sequence(Some(b')'))?))
            }
            b'"' => self.quoted(),
            b'{' => self.literal(),
            b'~' if self.b.get(self.pos + 1) == Some(&b'{') => {
                self.pos += 1;
                self.literal()
            }
            b')' => None,
            _ => self.atom(close),
        }
    }

    fn quoted(&mut self) -> Option<Node> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(string_node(&out));
                }
                b'\\' => {
                    out.push(*self.b.get(self.pos + 1)?);
                    self.pos += 2;
                }
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// `{n}` / `{n+}` / `{n-}` CRLF and `n` octets (`~` already consumed).
    fn literal(&mut self) -> Option<Node> {
        self.pos += 1;
        let start = self.pos;
        while self.peek()?.is_ascii_digit() {
            self.pos += 1;
        }
        let n: usize = std::str::from_utf8(&self.b[start..self.pos])
            .ok()?
            .parse()
            .ok()?;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.pos += 1;
        }
        if !self.rest().starts_with(b"}\r\n") {
            return None;
        }
        self.pos += 3;
        let end = self.pos.checked_add(n)?;
        let data = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(string_node(data))
    }

    /// A run up to SP, `(`, `)`, `"`, the end, or `close`; a `[` takes everything up to its
    /// matching `]` into the atom (`BODY[HEADER.FIELDS (FROM)]`, `[Gmail]/Sent`).
    fn atom(&mut self, close: Option<u8>) -> Option<Node> {
        let start = self.pos;
        let mut brackets = 0usize;
        while let Some(c) = self.peek() {
            if brackets > 0 {
                match c {
                    b'[' => brackets += 1,
                    b']' => brackets -= 1,
                    b'"' => {
                        self.quoted()?;
                        continue;
                    }
                    _ => {}
                }
                self.pos += 1;
                continue;
            }
            match c {
                b' ' | b'(' | b')' | b'"' => break,
                c if Some(c) == close => break,
                b'[' => brackets += 1,
                _ => {}
            }
            self.pos += 1;
        }
        if brackets > 0 || self.pos == start {
            return None;
        }
        let atom = std::str::from_utf8(&self.b[start..self.pos]).ok()?;
        if atom.eq_ignore_ascii_case("NIL") {
            return Some(Node::Nil);
        }
        if atom.bytes().all(|c| c.is_ascii_digit())
            && let Ok(n) = atom.parse()
        {
            return Some(Node::Number(n));
        }
        Some(Node::Atom(atom.to_owned()))
    }
}

/// How a POP3 message is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pop3Shape {
    /// A command: its keyword and arguments, split at each SP, as atoms.
    Command,
    /// A SASL response line: one [`Node::Text`].
    Line,
    /// A response: the status (`+OK`, `-ERR`, `+`) as an atom, the rest of the status line
    /// as [`Node::Text`] (when there is one), and for a multi-line response its lines as
    /// [`Node::Lines`].
    Response,
}

/// The tree of one POP3 message (with its CRLF, and for a multi-line response everything up
/// to and with the final `.` CRLF), as defined in `docs/corpus-format.md`.
pub fn pop3_tree(message: &[u8], shape: Pop3Shape) -> Vec<Node> {
    let mut lines = message
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = lines.next().unwrap_or_default();
    match shape {
        Pop3Shape::Line => vec![text_node(first)],
        Pop3Shape::Command => first
            .split(|&b| b == b' ')
            .map(|w| Node::Atom(String::from_utf8_lossy(w).into_owned()))
            .collect(),
        Pop3Shape::Response => {
            let (status, text) = match first.iter().position(|&b| b == b' ') {
                Some(i) => (&first[..i], Some(&first[i + 1..])),
                None => (first, None),
            };
            let mut nodes = vec![Node::Atom(String::from_utf8_lossy(status).into_owned())];
            if let Some(text) = text {
                nodes.push(text_node(text));
            }
            let rest: Vec<&[u8]> = lines.collect();
            // A single-line response leaves one empty piece after its CRLF.
            if rest.len() > 1 {
                let body = rest[..rest.len() - 1]
                    .iter()
                    .take_while(|l| **l != b".")
                    .map(|l| {
                        let l = l.strip_prefix(b".").unwrap_or(l);
                        match std::str::from_utf8(l) {
                            Ok(t) => Node::Atom(t.to_owned()),
                            Err(_) => Node::Octets(l.to_vec()),
                        }
                    })
                    .collect();
                nodes.push(Node::Lines(body));
            }
            nodes
        }
    }
}

/// The expected document of one trace: `{"protocol", "messages": [...]}` with, per message,
/// its side, line, kind and result, the tree when it parsed, and the deviations accepted in it
/// (a `profile: real-world` trace is replayed under that profile; the JSON Schema is
/// `docs/corpus-expected.schema.json`).
pub fn expected(trace: &crate::format::Trace) -> serde_json::Value {
    use crate::format::Protocol;
    let messages: Vec<serde_json::Value> = match trace.headers.protocol {
        Protocol::Imap => crate::imap::replay_with(trace, trace.headers.profile)
            .messages
            .iter()
            .map(|m| message_json(m, imap_canonical))
            .collect(),
        Protocol::Pop3 => crate::pop3::replay_with(trace, trace.headers.profile)
            .messages
            .iter()
            .map(|m| message_json(m, pop3_canonical))
            .collect(),
    };
    let protocol = match trace.headers.protocol {
        Protocol::Imap => "imap",
        Protocol::Pop3 => "pop3",
    };
    serde_json::json!({ "protocol": protocol, "messages": messages })
}

fn message_json<K: Serialize, V>(
    m: &crate::report::Message<K, V>,
    tree: impl Fn(&V) -> Result<Vec<Node>, serde_json::Value>,
) -> serde_json::Value {
    use crate::report::{Failure, Outcome};
    let mut out = serde_json::Map::new();
    out.insert("line".into(), m.line.into());
    out.insert(
        "side".into(),
        serde_json::to_value(m.side).unwrap_or_default(),
    );
    out.insert(
        "kind".into(),
        serde_json::to_value(&m.kind).unwrap_or_default(),
    );
    let mut result = |r: &str| {
        out.insert("result".into(), r.into());
    };
    let mut extra = Vec::new();
    match &m.result {
        Outcome::Ok { value } => match tree(value) {
            Ok(nodes) => {
                result("ok");
                extra.push(("tree", serde_json::to_value(nodes).unwrap_or_default()));
            }
            Err(refused) => {
                result("refused");
                extra.push(("refused", refused));
            }
        },
        Outcome::Err { failure } => match failure {
            Failure::Syntax {
                offset, expected, ..
            } => {
                result("rejected");
                extra.push(("offset", (*offset).into()));
                extra.push(("expected", (*expected).into()));
            }
            Failure::Frame { .. } => result("frame-error"),
            Failure::Protocol { .. } => result("protocol-error"),
            Failure::RoundTrip { .. } => result("round-trip-error"),
            Failure::Incomplete => result("incomplete"),
        },
    }
    if !m.deviations.is_empty() {
        let deviations: Vec<serde_json::Value> = m
            .deviations
            .iter()
            .map(|d| serde_json::json!({"id": d.id, "offset": d.offset}))
            .collect();
        extra.push(("deviations", deviations.into()));
    }
    for (k, v) in extra {
        out.insert(k.into(), v);
    }
    serde_json::Value::Object(out)
}

/// The canonical bytes of a parsed IMAP message and their tree; a refused command gives its
/// `{"tag", "literal_octets"}` instead.
fn imap_canonical(p: &crate::imap::Parsed) -> Result<Vec<Node>, serde_json::Value> {
    use crate::imap::Parsed;
    use imap_codec::EncodeOptions;
    let mut out = Vec::new();
    let shape = match p {
        Parsed::Command(c) => {
            // One message: its synchronization points do not matter here.
            let _ = c.encode(&mut out, &EncodeOptions::default());
            ImapShape::Command
        }
        Parsed::AuthenticateData(d) => {
            // One message: its synchronization points do not matter here.
            let _ = d.encode(&mut out);
            ImapShape::Line
        }
        Parsed::IdleDone(d) => {
            // One message: its synchronization points do not matter here.
            let _ = d.encode(&mut out);
            ImapShape::Command
        }
        Parsed::Greeting(g) => {
            // One message: its synchronization points do not matter here.
            let _ = g.encode(&mut out);
            ImapShape::Response
        }
        Parsed::Response(r) => {
            // One message: its synchronization points do not matter here.
            // The canonical form: the same tree whatever form the items were parsed from.
            let _ = r.encode_canonical(&mut out);
            ImapShape::Response
        }
        Parsed::Unknown { raw, .. } => {
            // No typed value: the tree of the message as received.
            out.extend_from_slice(raw);
            ImapShape::Response
        }
        Parsed::Refused { refused } => {
            return Err(serde_json::json!({
                "tag": refused.tag,
                "literal_octets": refused.literal_octets,
            }));
        }
    };
    Ok(imap_tree(&out, shape))
}

fn pop3_canonical(p: &crate::pop3::Parsed) -> Result<Vec<Node>, serde_json::Value> {
    use crate::pop3::Parsed;
    use pop3_codec::Encode;
    Ok(match p {
        Parsed::Command(c) => pop3_tree(&c.to_bytes(), Pop3Shape::Command),
        Parsed::SaslResponse(s) => pop3_tree(&s.to_bytes(), Pop3Shape::Line),
        Parsed::Response(r) => pop3_tree(&r.to_bytes(), Pop3Shape::Response),
        Parsed::Message { status, body } => {
            let mut out = status.to_bytes();
            pop3_codec::dot::encode_body(body, &mut out);
            pop3_tree(&out, Pop3Shape::Response)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(nodes: &[Node]) -> String {
        serde_json::to_string(nodes).unwrap()
    }

    #[test]
    fn status_responses_end_with_code_and_text() {
        let t = imap_tree(
            b"* OK [PERMANENTFLAGS (\\Deleted \\*)] Limited (see \"x\"\r\n",
            ImapShape::Response,
        );
        assert_eq!(
            json(&t),
            r#"["*","OK",{"code":["PERMANENTFLAGS",["\\Deleted","\\*"]]},{"text":"Limited (see \"x\""}]"#
        );
        let t = imap_tree(b"+ idling\r\n", ImapShape::Response);
        assert_eq!(json(&t), r#"["+",{"text":"idling"}]"#);
        let t = imap_tree(b"a1 OK [READ-WRITE] done\r\n", ImapShape::Response);
        assert_eq!(
            json(&t),
            r#"["a1","OK",{"code":["READ-WRITE"]},{"text":"done"}]"#
        );
    }

    #[test]
    fn literals_and_quoted_strings_are_the_same_node() {
        let a = imap_tree(b"a LOGIN \"joe\" {3}\r\npw\"\r\n", ImapShape::Command);
        let b = imap_tree(b"a LOGIN {3}\r\njoe \"pw\\\"\"\r\n", ImapShape::Command);
        assert_eq!(a, b);
        assert_eq!(
            json(&a),
            r#"["a","LOGIN",{"string":"joe"},{"string":"pw\""}]"#
        );
        let bin = imap_tree(
            b"* 1 FETCH (BINARY[] ~{2}\r\n\x00\xff)\r\n",
            ImapShape::Response,
        );
        assert_eq!(
            json(&bin),
            r#"["*",1,"FETCH",["BINARY[]",{"octets":"00ff"}]]"#
        );
    }

    #[test]
    fn brackets_stay_in_their_atom() {
        let t = imap_tree(
            b"a FETCH 1:* (BODY.PEEK[HEADER.FIELDS (FROM \"TO\")]<0.10> FLAGS) NIL\r\n",
            ImapShape::Command,
        );
        assert_eq!(
            json(&t),
            r#"["a","FETCH","1:*",["BODY.PEEK[HEADER.FIELDS (FROM \"TO\")]<0.10>","FLAGS"],null]"#
        );
        let t = imap_tree(b"a SELECT [Gmail]/Sent\r\n", ImapShape::Command);
        assert_eq!(json(&t), r#"["a","SELECT","[Gmail]/Sent"]"#);
    }

    #[test]
    fn unsplittable_messages_are_raw() {
        for bad in [
            &b"a (NOOP\r\n"[..],
            b"a \"open\r\n",
            b"a {5}\r\nab\r\n",
            b"a )\r\n",
        ] {
            assert!(
                matches!(
                    imap_tree(bad, ImapShape::Command).as_slice(),
                    [Node::Raw(_)]
                ),
                "{bad:?}"
            );
        }
        let deep = format!("a {}{}\r\n", "(".repeat(400), ")".repeat(400));
        assert!(matches!(
            imap_tree(deep.as_bytes(), ImapShape::Command).as_slice(),
            [Node::Raw(_)]
        ));
    }

    #[test]
    fn pop3_shapes() {
        assert_eq!(
            json(&pop3_tree(b"USER alice\r\n", Pop3Shape::Command)),
            r#"["USER","alice"]"#
        );
        assert_eq!(
            json(&pop3_tree(b"+OK 2 320\r\n", Pop3Shape::Response)),
            r#"["+OK",{"text":"2 320"}]"#
        );
        assert_eq!(
            json(&pop3_tree(
                b"+OK\r\n1 120\r\n..x\r\n.\r\n",
                Pop3Shape::Response
            )),
            r#"["+OK",{"lines":["1 120",".x"]}]"#
        );
    }
}
