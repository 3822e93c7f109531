//! Generic values: what the real-world profile keeps of data it has no type for (an unknown
//! untagged response, an unknown FETCH item), so that unknown extension data never kills a
//! parse and is still reported.
//!
//! The tree is made of the building blocks every IMAP response is written in (RFC 9051 §4,
//! §9): atoms, numbers, strings (quoted or literal), `NIL` and parenthesised lists. An atom
//! takes a `[...]` part with it (`BODY[HEADER]<0>`), as `fetch-att` names do.
//!
//! ```
//! use mailproto_imap_codec::response::generic::{Generic, UnknownResponse};
//! let u = UnknownResponse::parse(b"* XAOL-NEWS (1 \"two\" NIL) {3}\r\nabc\r\n", 250).unwrap();
//! assert_eq!(u.name, "XAOL-NEWS");
//! assert_eq!(u.values.len(), 2);
//! assert_eq!(
//!     u.values[0],
//!     Generic::List(vec![Generic::Number(1), Generic::String(b"two".to_vec().into()), Generic::Nil])
//! );
//! ```

use std::borrow::Cow;

use crate::core::IntoStatic;
use crate::error::{ErrorKind, ParseError};

/// One generic value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Generic<'a> {
    /// An atom (brackets and what they hold included).
    Atom(Cow<'a, str>),
    /// A number (`1*DIGIT`, up to 2^64 - 1).
    Number(u64),
    /// A quoted string or a literal, unescaped: the octets.
    String(Cow<'a, [u8]>),
    /// `NIL`.
    Nil,
    /// A parenthesised list.
    List(Vec<Generic<'a>>),
}

/// An untagged response whose name the grammar does not know (`* XAOL-NEWS ...`,
/// `* 3 XFOO ...`), kept as its name and generic values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct UnknownResponse<'a> {
    /// The number before the name, for `* n NAME ...`.
    pub number: Option<u64>,
    /// The name (an atom).
    pub name: Cow<'a, str>,
    /// What follows the name, value by value.
    pub values: Vec<Generic<'a>>,
}

impl<'a> UnknownResponse<'a> {
    /// What the real-world profile reports for this response, and where: `zero-sequence-number`
    /// at the number for `* 0 FETCH ...` and `* 0 EXPUNGE` (RFC 9051 §9 `message-data` takes
    /// an `nz-number`), otherwise `unknown-response` at the name.
    ///
    /// ```
    /// use mailproto_imap_codec::context::ImapDeviation;
    /// use mailproto_imap_codec::response::generic::UnknownResponse;
    /// let zero = UnknownResponse::parse(b"* 0 FETCH (FLAGS ())\r\n", 8).unwrap();
    /// assert_eq!(zero.deviation(), (ImapDeviation::ZeroSequenceNumber, 2));
    /// let other = UnknownResponse::parse(b"* 12 XFOO 1\r\n", 8).unwrap();
    /// assert_eq!(other.deviation(), (ImapDeviation::UnknownResponse, 5));
    /// ```
    pub fn deviation(&self) -> (crate::context::ImapDeviation, usize) {
        use crate::context::ImapDeviation;
        let zero_message = self.number == Some(0)
            && (self.name.eq_ignore_ascii_case("FETCH")
                || self.name.eq_ignore_ascii_case("EXPUNGE"));
        if zero_message {
            return (ImapDeviation::ZeroSequenceNumber, 2);
        }
        let number_len = self.number.map_or(0, |n| n.to_string().len() + 1);
        (ImapDeviation::UnknownResponse, 2 + number_len)
    }

    /// Reads `"*" SP [number SP] atom *(SP value) CRLF` generically, with lists nested at most
    /// `max_depth` deep. Linear in the input.
    pub fn parse(input: &'a [u8], max_depth: usize) -> Result<Self, ParseError> {
        let mut r = Reader {
            input,
            pos: 0,
            max_depth,
        };
        r.expect(b"* ", "\"*\" SP")?;
        let mut number = None;
        if r.peek().is_some_and(|b| b.is_ascii_digit()) {
            match r.value(0)? {
                Generic::Number(n) => number = Some(n),
                _ => return Err(r.err("number")),
            }
            r.expect(b" ", "SP")?;
        }
        let name = match r.value(0)? {
            Generic::Atom(a) => a,
            _ => return Err(r.err("atom")),
        };
        let mut values = Vec::new();
        loop {
            match r.peek() {
                Some(b' ') => r.pos += 1,
                // Lists side by side (`* THREAD (1)(2 3)`, RFC 5256 §4).
                Some(b'(') if !values.is_empty() => {}
                _ => break,
            }
            values.push(r.value(0)?);
        }
        r.expect(b"\r\n", "CRLF")?;
        if r.pos != input.len() {
            return Err(ParseError::new(
                r.pos,
                "end of message",
                ErrorKind::TrailingBytes,
            ));
        }
        Ok(UnknownResponse {
            number,
            name,
            values,
        })
    }
}

/// Reads one generic value at the start of `input` (up to SP, `)` or CRLF); returns it and
/// the octets it took. Lists nest at most `max_depth` deep.
pub fn value(input: &[u8], max_depth: usize) -> Result<(Generic<'_>, usize), ParseError> {
    let mut r = Reader {
        input,
        pos: 0,
        max_depth,
    };
    let v = r.value(0)?;
    Ok((v, r.pos))
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    max_depth: usize,
}

fn is_atom_end(b: u8) -> bool {
    matches!(b, b' ' | b'(' | b')' | b'"' | b'{' | b'\r' | b'\n') || b < 0x20 || b == 0x7f
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn err(&self, expected: &'static str) -> ParseError {
        ParseError::new(self.pos, expected, ErrorKind::Syntax)
    }

    fn expect(&mut self, token: &[u8], expected: &'static str) -> Result<(), ParseError> {
        if self.input[self.pos..].starts_with(token) {
            self.pos += token.len();
            Ok(())
        } else {
            Err(self.err(expected))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Generic<'a>, ParseError> {
        match self.peek() {
            Some(b'(') => {
                if depth >= self.max_depth.min(crate::ext::MAX_DEPTH) {
                    return Err(ParseError::new(
                        self.pos,
                        "shallower nesting",
                        ErrorKind::InvalidValue,
                    ));
                }
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    match self.peek() {
                        Some(b')') => {
                            self.pos += 1;
                            return Ok(Generic::List(items));
                        }
                        Some(b' ') if !items.is_empty() => self.pos += 1,
                        // Lists side by side (`THREAD (1)(2 3)`, RFC 5256 §4).
                        Some(b'(') => {}
                        _ if items.is_empty() => {}
                        _ => return Err(self.err("SP or \")\"")),
                    }
                    items.push(self.value(depth + 1)?);
                }
            }
            Some(b'"') => self.quoted(),
            Some(b'{') | Some(b'~') if self.literal_start() => self.literal(),
            Some(b) if !is_atom_end(b) => Ok(self.atom()),
            _ => Err(self.err("value")),
        }
    }

    fn literal_start(&self) -> bool {
        let rest = &self.input[self.pos..];
        rest.starts_with(b"{") || rest.starts_with(b"~{")
    }

    fn quoted(&mut self) -> Result<Generic<'a>, ParseError> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            match self.input.get(i) {
                None | Some(b'\r' | b'\n') => {
                    self.pos = i;
                    return Err(self.err("DQUOTE"));
                }
                Some(b'"') => break,
                Some(b'\\') if self.input.get(i + 1).is_some_and(|&b| b != b'\r') => {
                    escaped = true;
                    i += 2;
                }
                Some(_) => i += 1,
            }
        }
        let raw = &self.input[start..i];
        self.pos = i + 1;
        if !escaped {
            return Ok(Generic::String(Cow::Borrowed(raw)));
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut k = 0;
        while k < raw.len() {
            if raw[k] == b'\\' && k + 1 < raw.len() {
                k += 1;
            }
            out.push(raw[k]);
            k += 1;
        }
        Ok(Generic::String(Cow::Owned(out)))
    }

    fn literal(&mut self) -> Result<Generic<'a>, ParseError> {
        if self.peek() == Some(b'~') {
            self.pos += 1;
        }
        self.pos += 1;
        let digits_start = self.pos;
        let mut n: u64 = 0;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or_else(|| self.err("number"))?;
            self.pos += 1;
        }
        if self.pos == digits_start {
            return Err(self.err("number"));
        }
        if self.peek() == Some(b'+') {
            self.pos += 1;
        }
        self.expect(b"}\r\n", "\"}\" CRLF")?;
        let len = usize::try_from(n).map_err(|_| self.err("literal data"))?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|&e| e <= self.input.len())
            .ok_or_else(|| {
                ParseError::new(self.input.len(), "literal data", ErrorKind::Incomplete)
            })?;
        let data = &self.input[self.pos..end];
        self.pos = end;
        Ok(Generic::String(Cow::Borrowed(data)))
    }

    /// An atom, with any `[...]` part (nested brackets balanced) and a following `<...>`.
    fn atom(&mut self) -> Generic<'a> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'[' => depth += 1,
                b']' if depth > 0 => depth -= 1,
                b'\r' | b'\n' => break,
                _ if depth > 0 => {}
                _ if is_atom_end(b) => break,
                _ => {}
            }
            self.pos += 1;
        }
        let raw = &self.input[start..self.pos];
        if raw == b"NIL" {
            return Generic::Nil;
        }
        if raw.iter().all(u8::is_ascii_digit)
            && let Some(n) = std::str::from_utf8(raw).ok().and_then(|s| s.parse().ok())
        {
            return Generic::Number(n);
        }
        Generic::Atom(String::from_utf8_lossy(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_responses() {
        let u = UnknownResponse::parse(b"* 3 XFOO BODY[HEADER.FIELDS (A B)]<0> ~{2}\r\nab\r\n", 10)
            .unwrap();
        assert_eq!(u.number, Some(3));
        assert_eq!(u.name, "XFOO");
        assert_eq!(
            u.values,
            [
                Generic::Atom("BODY[HEADER.FIELDS (A B)]<0>".into()),
                Generic::String(b"ab".to_vec().into())
            ]
        );
        let t = UnknownResponse::parse(b"* THREAD (1)(2 (3)(4))\r\n", 10).unwrap();
        assert_eq!(t.values.len(), 2);
        let q = UnknownResponse::parse(b"* X \"a\\\"b\"\r\n", 10).unwrap();
        assert_eq!(q.values, [Generic::String(b"a\"b".to_vec().into())]);
        for bad in [
            &b"* X (\r\n"[..],
            b"* X \"a\r\n",
            b"* X {5}\r\nab\r\n",
            b"* X a\r\nmore",
            b"A1 X\r\n",
            b"* X ((((1))))\r\n",
        ] {
            assert!(UnknownResponse::parse(bad, 3).is_err(), "{bad:?}");
        }
        // Deep nesting is bounded, long input is linear.
        let deep = format!("* X {}{}\r\n", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(
            UnknownResponse::parse(deep.as_bytes(), 250)
                .unwrap_err()
                .kind,
            ErrorKind::InvalidValue
        );
        let long = format!("* X ({})\r\n", "1 ".repeat(100_000).trim_end());
        assert!(UnknownResponse::parse(long.as_bytes(), 250).is_ok());
    }
}
