//! Responses, server → client (RFC 1939 §3–7, RFC 2449 §3 and §8 response codes, RFC 3206,
//! RFC 5034 §4 SASL challenges, RFC 6856 §3 language listings).
//!
//! Whether a response is multi-line depends on the command it answers, so every parser
//! takes an [`Expected`], made from the command with `Expected::from(&command)`. A `-ERR`
//! is always a single line ([`Response::Status`]); a `+OK` is typed by what was expected.

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::capability::Capability;
use crate::command::{Command, decode_base64, put_base64};
use crate::context::{Deviation, ParseOptions, Parsed, Pop3Deviation, Side};
use crate::core::{
    Cursor, Encode, IntoStatic, Language, Mechanism, MsgNumber, ResponseCode, Text, Timestamp,
    UniqueId, find_octet, first_bare_lf, is_vchar, non_text, put_number, text_len, vchar_len,
};
use crate::dot::{encode_body, find_terminator, read_body};
use crate::error::{ErrorKind, ParseError, ValidationError};
use crate::listing;

/// What the next response answers, and so how it is parsed (RFC 1939 §3: "Responses to
/// certain commands are multi-line").
///
/// ```
/// use mailproto_pop3_codec::{Command, Expected};
/// assert_eq!(Expected::from(&Command::List(None)), Expected::ScanList);
/// assert_eq!(Expected::from(&Command::List(Some(2.try_into().unwrap()))), Expected::Scan);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Expected {
    /// The greeting (RFC 1939 §4).
    Greeting,
    /// A single status line (USER, PASS, APOP, QUIT, DELE, NOOP, RSET, STLS, UTF8,
    /// `LANG tag`).
    Status,
    /// STAT's drop listing (RFC 1939 §5).
    Stat,
    /// `LIST msg`: one scan listing (RFC 1939 §5).
    Scan,
    /// `LIST`: multi-line scan listings (RFC 1939 §5).
    ScanList,
    /// `UIDL msg`: one unique-id listing (RFC 1939 §7).
    Uid,
    /// `UIDL`: multi-line unique-id listings (RFC 1939 §7).
    UidList,
    /// CAPA: multi-line capabilities (RFC 2449 §5).
    Capa,
    /// `LANG`: multi-line language listing (RFC 6856 §3.2).
    LangList,
    /// RETR or TOP: a multi-line message (RFC 1939 §5, §7).
    Message,
    /// AUTH or a SASL response line: a challenge `+ base64` or the final status
    /// (RFC 5034 §4).
    Auth,
    /// `AUTH` without a mechanism (real-world, `non-standard-commands`): the mechanism list,
    /// one `sasl-mech` per line (Cyrus, Dovecot).
    AuthList,
    /// `XTND XLST` (real-world, `non-standard-commands`): lines of text.
    XtndList,
}

impl Expected {
    /// Every context, in declaration order (fuzz targets and their seed generator pick one by
    /// index, so the order is part of their input format).
    pub const ALL: [Expected; 13] = [
        Expected::Greeting,
        Expected::Status,
        Expected::Stat,
        Expected::Scan,
        Expected::ScanList,
        Expected::Uid,
        Expected::UidList,
        Expected::Capa,
        Expected::LangList,
        Expected::Message,
        Expected::Auth,
        Expected::AuthList,
        Expected::XtndList,
    ];

    /// What the answer to a line the grammar rejects is read as: the answer a server gives
    /// when it reads the line leniently, guessed from its keyword and how many words follow
    /// (`LIST`, `UIDL` without an argument: their listings; with one or more: one listing;
    /// `RETR`, `TOP`: a message; `STAT`, `CAPA`; `AUTH` alone: the mechanism list), else a
    /// single status line (RFC 1939 §3: "a negative status indicator"). A `-ERR` answers
    /// every kind, so the guess only matters when the server answers `+OK`: Courier answers
    /// `TOP 1 -1` with a message, Dovecot `STAT extra` with a drop listing. Following it keeps
    /// the answers after it paired with their own commands.
    ///
    /// ```
    /// use mailproto_pop3_codec::Expected;
    /// assert_eq!(Expected::for_rejected_line(b"TOP 1 -1\r\n"), Expected::Message);
    /// assert_eq!(Expected::for_rejected_line(b"list 1 2\r\n"), Expected::Scan);
    /// assert_eq!(Expected::for_rejected_line(b"NOSUCH\r\n"), Expected::Status);
    /// ```
    pub fn for_rejected_line(line: &[u8]) -> Expected {
        use crate::command::CommandKind as K;
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
        let Some(keyword) = words.next() else {
            return Expected::Status;
        };
        let args = words.count();
        let (none, some) = match K::from_keyword(keyword) {
            Some(K::List) => (Expected::ScanList, Expected::Scan),
            Some(K::Uidl) => (Expected::UidList, Expected::Uid),
            Some(K::Retr | K::Top) => (Expected::Message, Expected::Message),
            Some(K::Stat) => (Expected::Stat, Expected::Stat),
            Some(K::Capa) => (Expected::Capa, Expected::Capa),
            Some(K::Lang) => (Expected::LangList, Expected::Status),
            Some(K::Auth) => (Expected::AuthList, Expected::Status),
            Some(K::XtndXlst) => (Expected::Status, Expected::XtndList),
            _ => (Expected::Status, Expected::Status),
        };
        if args == 0 { none } else { some }
    }
}

impl From<&Command<'_>> for Expected {
    fn from(cmd: &Command<'_>) -> Self {
        match cmd {
            Command::Stat => Expected::Stat,
            Command::List(None) => Expected::ScanList,
            Command::List(Some(_)) => Expected::Scan,
            Command::Uidl(None) => Expected::UidList,
            Command::Uidl(Some(_)) => Expected::Uid,
            Command::Retr(_) | Command::Top { .. } => Expected::Message,
            Command::Capa => Expected::Capa,
            Command::Lang(None) => Expected::LangList,
            Command::Auth { .. } => Expected::Auth,
            Command::AuthList => Expected::AuthList,
            Command::XtndXlst { .. } => Expected::XtndList,
            _ => Expected::Status,
        }
    }
}

impl Expected {
    /// True when a positive answer is multi-line.
    pub fn is_multi_line(self) -> bool {
        matches!(
            self,
            Expected::ScanList
                | Expected::UidList
                | Expected::Capa
                | Expected::LangList
                | Expected::Message
                | Expected::AuthList
                | Expected::XtndList
        )
    }
}

/// The outcome of decoding a prefix of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Decoded<T> {
    /// A complete value, and how many octets it used.
    Complete(T, usize),
    /// The input ends before the value does.
    Incomplete,
}

// ---------------------------------------------------------------------------------------

/// A status line: `+OK` or `-ERR`, an optional response code and text (RFC 1939 §3,
/// RFC 2449 §3 `single-line`, §8).
///
/// ```
/// use mailproto_pop3_codec::{CodeKind, StatusLine};
/// let s = StatusLine::parse(b"-ERR [IN-USE] Do you have another POP session running?\r\n").unwrap();
/// assert!(!s.is_ok());
/// assert_eq!(s.code().unwrap().kind(), CodeKind::InUse);
/// assert_eq!(s.text().as_str(), Some("Do you have another POP session running?"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StatusLine<'a> {
    ok: bool,
    code: Option<ResponseCode<'a>>,
    text: Text<'a>,
}

impl<'a> StatusLine<'a> {
    /// A status line. Without a code, the text must not begin with `[` (it would read as
    /// one, RFC 2449 §8).
    pub fn new(
        ok: bool,
        code: Option<ResponseCode<'a>>,
        text: Text<'a>,
    ) -> Result<Self, ValidationError> {
        if code.is_none() && text.as_bytes().first() == Some(&b'[') {
            return Err(ValidationError::new("text without resp-code", Some(0)));
        }
        Ok(StatusLine { ok, code, text })
    }

    /// `+OK` with text.
    pub fn ok(text: Text<'a>) -> Result<Self, ValidationError> {
        Self::new(true, None, text)
    }

    /// `-ERR` with text.
    pub fn err(text: Text<'a>) -> Result<Self, ValidationError> {
        Self::new(false, None, text)
    }

    /// True for `+OK`.
    pub fn is_ok(&self) -> bool {
        self.ok
    }

    /// The response code, if any.
    pub fn code(&self) -> Option<&ResponseCode<'a>> {
        self.code.as_ref()
    }

    /// The text after the status (and code).
    pub fn text(&self) -> &Text<'a> {
        &self.text
    }

    /// Parses one complete status line, CRLF included.
    pub fn parse(line: &'a [u8]) -> Result<Self, ParseError> {
        let mut c = Cursor::new(line);
        let s = Self::parse_at(&mut c)?;
        c.end()?;
        Ok(s)
    }

    pub(crate) fn parse_at(c: &mut Cursor<'a>) -> Result<Self, ParseError> {
        if let Some((status, end)) = Self::fast(c.input, c.pos) {
            c.pos = end;
            return Ok(status);
        }
        Self::parse_exact(c)
    }

    /// The commonest status lines, `+OK` or `-ERR`, then nothing or SP and text that does not
    /// start with `[` (no response code), then CRLF, at `at`: the value the grammar gives and
    /// the offset after the CRLF, looked at a word at a time. `None` for anything else (a
    /// code, a bare LF, an error): the grammar ([`parse_exact`](Self::parse_exact)) decides.
    #[inline]
    fn fast(input: &'a [u8], at: usize) -> Option<(Self, usize)> {
        const OK: u32 = u32::from_le_bytes(*b"+OK\0");
        const ERR: u32 = u32::from_le_bytes(*b"-ERR");
        let rest = input.get(at..)?;
        // The first 64 octets, padded with SP (a line longer than that is left to the
        // grammar), and two more for the CRLF after the last.
        let len = rest.len().min(64);
        let mut block = [b' '; 66];
        block[..len].copy_from_slice(&rest[..len]);
        let head = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        let (ok, n) = if head & 0x00ff_ffff == OK {
            (true, 3)
        } else if head == ERR {
            (false, 4)
        } else {
            return None;
        };
        // `SP text`, where the text is not a code; or no text.
        let start = match (block[n], block[n + 1]) {
            (b' ', next) if next != b'[' => n + 1,
            (b'\r', _) => n,
            _ => return None,
        };
        // The first octet from `start` on that is not text, or the end of the input.
        let first = block.first_chunk::<64>()?;
        let stops = (non_text(first) | (1u128 << len) as u64) & (u64::MAX << start);
        let end = stops.trailing_zeros() as usize;
        if u16::from_le_bytes([block[end], block[end + 1]]) != u16::from_le_bytes(*b"\r\n") {
            return None;
        }
        let text = Text::from_checked(rest.get(start..end)?);
        Some((
            StatusLine {
                ok,
                code: None,
                text,
            },
            at + end + 2,
        ))
    }

    /// [`parse_at`](Self::parse_at) by the grammar, octet by octet, with its errors.
    fn parse_exact(c: &mut Cursor<'a>) -> Result<Self, ParseError> {
        let ok = match c.peek() {
            Some(b'+') => {
                c.tag(b"+OK", "+OK")?;
                true
            }
            Some(b'-') => {
                c.tag(b"-ERR", "-ERR")?;
                false
            }
            _ => return Err(c.err("+OK or -ERR")),
        };
        let (code, text) = if c.peek() == Some(b' ') {
            c.pos += 1;
            Self::code_and_text(c)?
        } else {
            (None, Text::empty())
        };
        c.crlf()?;
        Ok(StatusLine { ok, code, text })
    }

    fn code_and_text(
        c: &mut Cursor<'a>,
    ) -> Result<(Option<ResponseCode<'a>>, Text<'a>), ParseError> {
        let code = if c.peek() == Some(b'[') {
            c.pos += 1;
            let (at, raw) = c.take0(|b| is_vchar(b) && b != b']');
            if raw.is_empty() {
                return Err(c.err("resp-level"));
            }
            let code = ResponseCode::from_wire(raw, at)?;
            c.tag(b"]", "]")?;
            if c.peek() == Some(b' ') {
                c.pos += 1;
            }
            Some(code)
        } else {
            None
        };
        let (_, text) = c.take_text();
        Ok((code, Text::from_checked(text)))
    }

    fn encode_status(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.ok { b"+OK" } else { b"-ERR" });
        if let Some(code) = &self.code {
            out.extend_from_slice(b" [");
            out.extend_from_slice(code.as_str().as_bytes());
            out.push(b']');
        }
        if !self.text.is_empty() {
            out.push(b' ');
            out.extend_from_slice(self.text.as_bytes());
        }
    }
}

impl Encode for StatusLine<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.encode_status(out);
        out.extend_from_slice(b"\r\n");
    }
}

/// The server greeting (RFC 1939 §4, RFC 2449 §3 `greeting`): a `+OK` line whose text may
/// carry an APOP timestamp `<...>` (RFC 1939 §7).
///
/// ```
/// use mailproto_pop3_codec::Greeting;
/// let g = Greeting::parse(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n").unwrap();
/// assert_eq!(g.timestamp().unwrap().as_str(), "<1896.697170952@dbc.mtview.ca.us>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Greeting<'a> {
    status: StatusLine<'a>,
}

impl<'a> Greeting<'a> {
    /// A greeting from a `+OK` status line.
    pub fn new(status: StatusLine<'a>) -> Result<Self, ValidationError> {
        if !status.is_ok() {
            return Err(ValidationError::new("greeting (+OK)", None));
        }
        if let Err(at) = check_greeting_text(status.text.as_bytes()) {
            return Err(ValidationError::new("timestamp", Some(at)));
        }
        Ok(Greeting { status })
    }

    /// The status line.
    pub fn status(&self) -> &StatusLine<'a> {
        &self.status
    }

    /// The APOP timestamp: the first `<` of the text up to the next `>`, when what lies
    /// between is printable ASCII without `<` (RFC 1939 §7, RFC 2449 §3 `timestamp`).
    pub fn timestamp(&self) -> Option<Timestamp<'_>> {
        let text = self.status.text.as_bytes();
        let lt = memchr::memchr(b'<', text)?;
        let gt = lt + memchr::memchr(b'>', &text[lt..])?;
        let candidate = ::core::str::from_utf8(&text[lt..=gt]).ok()?;
        Timestamp::new(candidate).ok()
    }

    /// Parses one complete greeting line, CRLF included.
    pub fn parse(line: &'a [u8]) -> Result<Self, ParseError> {
        let status = StatusLine::parse(line)?;
        if !status.is_ok() {
            return Err(ParseError::syntax(0, "+OK"));
        }
        Greeting::checked(status, line)
    }

    /// Checks the text of a parsed `+OK` line against the greeting rule.
    fn checked(status: StatusLine<'a>, line: &[u8]) -> Result<Self, ParseError> {
        if let Err(at) = check_greeting_text(status.text.as_bytes()) {
            // The text is the tail of the line before its CRLF.
            let offset = line.len() - 2 - status.text.as_bytes().len() + at;
            return Err(ParseError::syntax(offset, "timestamp"));
        }
        Ok(Greeting { status })
    }
}

/// Checks greeting text against RFC 2449 §9 `*gchar [timestamp] *gchar`: a `<` may only open
/// the one timestamp, `"<" *VCHAR ">"`. (The ABNF's `gchar` also excludes SP, which every
/// real greeting contains; spaces are allowed.) Returns the offset of the offending `<`.
fn check_greeting_text(text: &[u8]) -> Result<(), usize> {
    let mut seen = false;
    let mut at = 0;
    while let Some(p) = find_octet(&text[at..], b'<') {
        let lt = at + p;
        let closed = text[lt + 1..]
            .iter()
            .position(|&b| !(0x21..=0x7e).contains(&b) || b == b'>' || b == b'<')
            .map(|q| lt + 1 + q)
            .filter(|&q| text[q] == b'>');
        match closed {
            Some(gt) if !seen => {
                seen = true;
                at = gt + 1;
            }
            _ => return Err(lt),
        }
    }
    Ok(())
}

impl Encode for Greeting<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.status.encode(out);
    }
}

/// STAT's drop listing (RFC 1939 §5): `+OK nn mm`, and whatever the server adds.
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DropListing<'a> {
    /// Number of messages.
    pub count: u32,
    /// Size of the maildrop in octets.
    pub size: u64,
    /// Text after the size (RFC 1939 §5 discourages it); empty when there is none.
    pub extra: Text<'a>,
}

/// A scan listing (RFC 1939 §5, LIST): message number, exact size, and whatever the server
/// adds.
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ScanListing<'a> {
    /// The message number.
    pub msg: MsgNumber,
    /// The size in octets.
    pub size: u64,
    /// Text after the size; empty when there is none.
    pub extra: Text<'a>,
}

/// A unique-id listing (RFC 1939 §7, UIDL): message number and unique-id, nothing after.
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UidListing<'a> {
    /// The message number.
    pub msg: MsgNumber,
    /// The unique-id.
    pub uid: UniqueId<'a>,
}

/// A language listing (RFC 6856 §3.2): a language tag and an optional description.
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LangListing<'a> {
    /// The language tag.
    pub tag: Language<'a>,
    /// Its description in the language itself; empty when there is none.
    pub description: Text<'a>,
}

/// A positive multi-line response with typed lines (RFC 1939 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MultiLine<'a, T> {
    status: StatusLine<'a>,
    items: Vec<T>,
}

impl<'a, T> MultiLine<'a, T> {
    /// A multi-line response; `status` must be `+OK`.
    pub fn new(status: StatusLine<'a>, items: Vec<T>) -> Result<Self, ValidationError> {
        if !status.is_ok() {
            return Err(ValidationError::new("multi-line (+OK)", None));
        }
        Ok(MultiLine { status, items })
    }

    /// The first line.
    pub fn status(&self) -> &StatusLine<'a> {
        &self.status
    }

    /// The lines between the first and the terminating `.`.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The lines, owned.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

/// The scan listings answering LIST (RFC 1939 §5: `scan-listing` lines, `msg SP size
/// [SP text] CRLF`, then `.` CRLF), kept as their checked wire form.
///
/// The parser checks every line once and keeps its octets; a listing is decoded when it is
/// read ([`iter`](Self::iter), [`get`](Self::get), [`find`](Self::find)), with no further
/// check; [`into_items`](Self::into_items) gives the owned, decoded form. The lines are
/// always in their canonical form, the encoder's (no leading zero, no SP before an empty
/// text): a parse keeps the input's octets when they are canonical (they usually are) and
/// writes the canonical form of a listing that is not. So encoding is a copy, and two values
/// are equal when their octets are.
///
/// ```
/// use mailproto_pop3_codec::{Encode, Expected, MsgNumber, Response, ScanListing, ScanListings, StatusLine, Text};
/// let input = b"+OK\r\n1 120\r\n2 200 extra\r\n.\r\n";
/// let Response::ScanList(list) = Response::parse(input, Expected::ScanList).unwrap() else { panic!() };
/// assert_eq!(list.len(), 2);
/// assert_eq!(list.get(1).map(|s| (s.msg.get(), s.size)), Some((2, 200)));
/// assert_eq!(list.find(MsgNumber::new(1).unwrap()).map(|s| s.size), Some(120));
/// assert_eq!(list.iter().map(|s| s.size).sum::<u64>(), 320);
/// // Leading zeros are read as the grammar says, and kept in the canonical form.
/// let Response::ScanList(zeros) = Response::parse(b"+OK\r\n01 0120\r\n2 200 extra\r\n.\r\n", Expected::ScanList).unwrap() else { panic!() };
/// assert_eq!(zeros, list);
/// assert_eq!(Response::ScanList(zeros).to_bytes(), input);
/// // Built from listings.
/// let one = ScanListing { msg: MsgNumber::new(3).unwrap(), size: 7, extra: Text::empty() };
/// let built = ScanListings::new(StatusLine::ok(Text::empty()).unwrap(), [one]).unwrap();
/// assert_eq!(built.as_wire(), b"3 7\r\n");
/// ```
#[derive(Clone, PartialEq, Eq, IntoStatic)]
pub struct ScanListings<'a> {
    status: StatusLine<'a>,
    /// The lines, CRLF included, canonical and checked (`listing::scan_lines` takes every
    /// one of them).
    lines: Cow<'a, [u8]>,
    /// How many lines.
    len: usize,
}

impl<'a> ScanListings<'a> {
    /// The scan listings `items` after `status`, which must be `+OK`.
    pub fn new<'b>(
        status: StatusLine<'a>,
        items: impl IntoIterator<Item = ScanListing<'b>>,
    ) -> Result<Self, ValidationError> {
        if !status.is_ok() {
            return Err(ValidationError::new("multi-line (+OK)", None));
        }
        let mut lines = Vec::new();
        let mut len = 0;
        for item in items {
            item.put(&mut lines);
            lines.extend_from_slice(b"\r\n");
            len += 1;
        }
        Ok(ScanListings {
            status,
            lines: Cow::Owned(lines),
            len,
        })
    }

    /// The first line.
    pub fn status(&self) -> &StatusLine<'a> {
        &self.status
    }

    /// How many listings.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The listings, decoded one by one.
    pub fn iter(&self) -> ScanListingIter<'_> {
        ScanListingIter {
            rest: &self.lines,
            left: self.len,
        }
    }

    /// The listing at `index` (counted from 0, in the order of the lines): decodes the lines
    /// before it.
    pub fn get(&self, index: usize) -> Option<ScanListing<'_>> {
        self.iter().nth(index)
    }

    /// The (first) listing of message `msg`: decodes the lines up to it.
    pub fn find(&self, msg: MsgNumber) -> Option<ScanListing<'_>> {
        self.iter().find(|s| s.msg == msg)
    }

    /// The lines between the status line and the terminating `.`, each with its CRLF, as
    /// the encoder writes them.
    pub fn as_wire(&self) -> &[u8] {
        &self.lines
    }

    /// The listings, decoded and owned by the caller (borrowing from the input when the
    /// value does).
    pub fn into_items(self) -> Vec<ScanListing<'a>> {
        match self.lines {
            Cow::Borrowed(lines) => ScanListingIter {
                rest: lines,
                left: self.len,
            }
            .collect(),
            Cow::Owned(lines) => ScanListingIter {
                rest: &lines,
                left: self.len,
            }
            .map(IntoStatic::into_static)
            .collect(),
        }
    }
}

impl<'b> IntoIterator for &'b ScanListings<'_> {
    type Item = ScanListing<'b>;
    type IntoIter = ScanListingIter<'b>;
    fn into_iter(self) -> ScanListingIter<'b> {
        self.iter()
    }
}

/// The listings of [`ScanListings`], decoded as they are read.
#[derive(Debug, Clone)]
pub struct ScanListingIter<'b> {
    rest: &'b [u8],
    left: usize,
}

impl<'b> Iterator for ScanListingIter<'b> {
    type Item = ScanListing<'b>;

    fn next(&mut self) -> Option<ScanListing<'b>> {
        // Every line was checked by the parser (or written by the encoder), so it decodes.
        let (listing, used) = listing::decode_scan_line(self.rest)?;
        self.rest = self.rest.get(used..).unwrap_or_default();
        self.left = self.left.saturating_sub(1);
        Some(listing)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for ScanListingIter<'_> {}

impl ::core::iter::FusedIterator for ScanListingIter<'_> {}

/// The listings, as a list (for `Debug` and serde).
struct Listed<'x, 'a>(&'x ScanListings<'a>);

impl ::core::fmt::Debug for Listed<'_, '_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl ::core::fmt::Debug for ScanListings<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("ScanListings")
            .field("status", &self.status)
            .field("items", &Listed(self))
            .finish()
    }
}

/// The shape of a [`MultiLine`] of [`ScanListing`]s: `{"status": ..., "items": [...]}`.
#[cfg(feature = "serde")]
impl serde::Serialize for ScanListings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("MultiLine", 2)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("items", &Listed(self))?;
        st.end()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Listed<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

/// A message (RETR, TOP; RFC 1939 §5, §7): the status line and the unstuffed body. The body
/// borrows from the input unless a line had to be unstuffed.
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Message<'a> {
    status: StatusLine<'a>,
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::core::ser::bytes"))]
    body: Cow<'a, [u8]>,
}

impl<'a> Message<'a> {
    /// A message; `status` must be `+OK` and `body` empty or ending in CRLF (RFC 1939 §3;
    /// see [`crate::dot`] for bodies without one).
    pub fn new(
        status: StatusLine<'a>,
        body: impl Into<Cow<'a, [u8]>>,
    ) -> Result<Self, ValidationError> {
        let body = body.into();
        if !status.is_ok() {
            return Err(ValidationError::new("message (+OK)", None));
        }
        if !body.is_empty() && !body.ends_with(b"\r\n") {
            return Err(ValidationError::new(
                "body ending in CRLF",
                Some(body.len() - 1),
            ));
        }
        Ok(Message { status, body })
    }

    /// The status line.
    pub fn status(&self) -> &StatusLine<'a> {
        &self.status
    }

    /// The unstuffed body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The unstuffed body, as stored.
    pub fn into_body(self) -> Cow<'a, [u8]> {
        self.body
    }
}

/// The sizes the scan listings gave (RFC 1939 §5 LIST: "the exact size of the message in
/// octets", counted as §11 says: CRLF as two octets, byte-stuffing not counted), to check a
/// RETR answer against: a body of another length is the real-world `header-inserted` (GNU
/// Mailutils and Courier add an `X-UIDL:` header). A client records each LIST answer
/// ([`record`](Self::record)); the last listing of a message counts. Holds one entry per
/// message listed (no more than the listings it was given).
///
/// ```
/// use mailproto_pop3_codec::{Expected, ListedSizes, MsgNumber, Pop3Deviation, Response};
/// let mut sizes = ListedSizes::default();
/// sizes.record(&Response::parse(b"+OK\r\n1 6\r\n2 7\r\n.\r\n", Expected::ScanList).unwrap());
/// let one = MsgNumber::new(1).unwrap();
/// assert_eq!(sizes.check(one, b"hi\r\n\r\n").map(|d| d.offset), None);
/// let d = sizes.check(one, b"X-UIDL: 1\r\nhi\r\n\r\n").unwrap();
/// assert_eq!((d.id, d.offset), (Pop3Deviation::HeaderInserted, 6));
/// // A message never listed is not checked.
/// assert!(sizes.check(MsgNumber::new(3).unwrap(), b"x\r\n").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedSizes {
    /// `None` until the first listing: most sessions never send LIST, and an empty map
    /// still costs its drop. Boxed so that a session without listings carries one word.
    #[allow(clippy::box_collection, reason = "one word until the first listing")]
    sizes: Option<Box<alloc::collections::BTreeMap<u32, u64>>>,
}

impl ListedSizes {
    /// Records the sizes of a `LIST` or `LIST msg` answer; other responses are ignored.
    pub fn record(&mut self, response: &Response<'_>) {
        match response {
            Response::Scan(s) => self.insert(s.msg, s.size),
            Response::ScanList(m) => m.iter().for_each(|s| self.insert(s.msg, s.size)),
            _ => {}
        }
    }

    /// Records that `msg` was listed with `size` octets.
    pub fn insert(&mut self, msg: MsgNumber, size: u64) {
        self.sizes.get_or_insert_default().insert(msg.get(), size);
    }

    /// The size listed for `msg`.
    pub fn get(&self, msg: MsgNumber) -> Option<u64> {
        self.sizes.as_ref()?.get(&msg.get()).copied()
    }

    /// Checks the unstuffed body of a RETR answer for `msg` against its listed size
    /// ([`check_len`](Self::check_len)).
    pub fn check(&self, msg: MsgNumber, body: &[u8]) -> Option<Deviation> {
        self.check_len(msg, body.len() as u64)
    }

    /// Checks the length of the unstuffed body of a RETR answer for `msg` against its
    /// listed size: `None` when they agree or `msg` was not listed, else the deviation
    /// `header-inserted` at the offset in the body where they part (the listed size when
    /// the body is longer, its end when shorter).
    pub fn check_len(&self, msg: MsgNumber, len: u64) -> Option<Deviation> {
        let listed = self.get(msg)?;
        (listed != len).then(|| {
            let at = usize::try_from(listed.min(len)).unwrap_or(usize::MAX);
            Deviation::new(Pop3Deviation::HeaderInserted, at, Side::Server)
        })
    }
}

/// A server response, typed by what it answers (see [`Expected`]).
///
/// ```
/// use mailproto_pop3_codec::{Encode, Expected, Response};
/// let input = b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n";
/// let Response::ScanList(list) = Response::parse(input, Expected::ScanList).unwrap() else { panic!() };
/// assert_eq!(list.get(1).unwrap().size, 200);
/// assert_eq!(Response::ScanList(list).to_bytes(), input);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Response<'a> {
    /// The greeting.
    Greeting(Greeting<'a>),
    /// A single status line: every `-ERR`, and `+OK` where nothing more is expected.
    Status(StatusLine<'a>),
    /// A SASL challenge `+ base64` (RFC 5034 §4), decoded.
    Challenge(Vec<u8>),
    /// `+OK nn mm` answering STAT.
    Stat(DropListing<'a>),
    /// `+OK n size` answering `LIST n`.
    Scan(ScanListing<'a>),
    /// Scan listings answering LIST, as their checked wire form.
    ScanList(ScanListings<'a>),
    /// `+OK n uid` answering `UIDL n`.
    Uid(UidListing<'a>),
    /// Unique-id listings answering UIDL.
    UidList(MultiLine<'a, UidListing<'a>>),
    /// Capabilities answering CAPA.
    Capabilities(MultiLine<'a, Capability<'a>>),
    /// Language listings answering LANG.
    Languages(MultiLine<'a, LangListing<'a>>),
    /// A message answering RETR or TOP.
    Message(Message<'a>),
    /// The SASL mechanisms answering `AUTH` without a mechanism (real-world,
    /// `non-standard-commands`; Cyrus, Dovecot): one `sasl-mech` (RFC 5034 §4) per line.
    Mechanisms(MultiLine<'a, Mechanism<'a>>),
    /// The lines answering `XTND XLST` (real-world, `non-standard-commands`), as text.
    XtndList(MultiLine<'a, Text<'a>>),
}

impl<'a> Response<'a> {
    /// Parses exactly one complete response (RFC 1939 §3), as an answer to `expected`.
    pub fn parse(input: &'a [u8], expected: Expected) -> Result<Self, ParseError> {
        let (r, used) = parse_prefix(Cursor::new(input), expected)?;
        if used < input.len() {
            return Err(ParseError::new(
                used,
                "end of response",
                ErrorKind::TrailingBytes,
            ));
        }
        Ok(r)
    }

    /// Parses exactly one complete response under `options`: the strict grammar, or the
    /// real-world profile, which also accepts the deviations of
    /// [`Pop3Deviation`] and reports them.
    ///
    /// ```
    /// use mailproto_pop3_codec::context::{ParseOptions, Pop3Deviation, Profile};
    /// use mailproto_pop3_codec::{Expected, Response};
    /// let real = ParseOptions::default().with_profile(Profile::RealWorld);
    /// assert!(Response::parse(b"+OK 2 320\n", Expected::Stat).is_err());
    /// let parsed = Response::parse_with(b"+OK 2 320\n", Expected::Stat, &real).unwrap();
    /// assert!(matches!(parsed.value, Response::Stat(ref d) if (d.count, d.size) == (2, 320)));
    /// assert_eq!((parsed.deviations[0].id, parsed.deviations[0].offset), (Pop3Deviation::BareLf, 9));
    /// ```
    pub fn parse_with(
        input: &'a [u8],
        expected: Expected,
        options: &ParseOptions,
    ) -> Result<Parsed<Self>, ParseError> {
        let mut c = Cursor::with_options(input, options, Side::Server);
        // A multi-line response's bare LFs are read on a copy (below), only when the
        // response fails with them.
        let multi = expected.is_multi_line() && input.starts_with(b"+");
        if multi {
            c.bare_lf_ok = false;
        }
        let (r, used, deviations) = match parse_prefix_with(c, expected) {
            Err(e) if multi && options.real_world() => {
                return multi_line_bare_lf(input, expected, options).unwrap_or(Err(e));
            }
            other => other?,
        };
        if used < input.len() {
            return Err(ParseError::new(
                used,
                "end of response",
                ErrorKind::TrailingBytes,
            ));
        }
        Ok(Parsed::new(r, deviations))
    }

    /// Parses the answer to `UIDL msg` (RFC 1939 §7) under `options`: as
    /// [`Response::parse_with`] with [`Expected::Uid`], and under the real-world profile a
    /// `+OK` with the unique-id alone (`+OK 00001a1457b5a851` CRLF, Twisted), which strict
    /// rejects, is read as the listing of `msg`, the message asked for; the deviation
    /// `uidl-one-token` is reported at the unique-id.
    ///
    /// ```
    /// use mailproto_pop3_codec::context::{ParseOptions, Pop3Deviation, Profile};
    /// use mailproto_pop3_codec::{MsgNumber, Response};
    /// let msg = MsgNumber::new(1).unwrap();
    /// let line = b"+OK 00001a1457b5a851\r\n";
    /// assert!(Response::parse_uid_with(line, msg, &ParseOptions::default()).is_err());
    /// let rw = ParseOptions::default().with_profile(Profile::RealWorld);
    /// let parsed = Response::parse_uid_with(line, msg, &rw).unwrap();
    /// assert_eq!(parsed.value, Response::parse_uid_with(b"+OK 1 00001a1457b5a851\r\n", msg, &rw).unwrap().value);
    /// assert_eq!((parsed.deviations[0].id, parsed.deviations[0].offset), (Pop3Deviation::UidlOneToken, 4));
    /// ```
    pub fn parse_uid_with(
        input: &'a [u8],
        msg: MsgNumber,
        options: &ParseOptions,
    ) -> Result<Parsed<Self>, ParseError> {
        match Self::parse_with(input, Expected::Uid, options) {
            Err(e) if options.real_world() => {
                let one_token = input
                    .strip_prefix(b"+OK ")
                    .and_then(|r| r.strip_suffix(b"\r\n"))
                    .filter(|t| !t.is_empty() && t.iter().all(|&b| is_vchar(b)));
                let Some(token) = one_token else {
                    return Err(e);
                };
                let uid = UniqueId::from_wire(token, 4, "unique-id").map_err(|_| e)?;
                Ok(Parsed::new(
                    Response::Uid(UidListing { msg, uid }),
                    vec![Deviation::new(Pop3Deviation::UidlOneToken, 4, Side::Server)],
                ))
            }
            other => other,
        }
    }

    /// Decodes one response from the start of `input`: complete (with the octets used),
    /// incomplete, or an error. Each call scans from the start; for a stream use
    /// [`crate::ResponseDecoder`], which does not.
    pub fn decode(input: &'a [u8], expected: Expected) -> Result<Decoded<Self>, ParseError> {
        match parse_prefix(Cursor::new(input), expected) {
            Ok((r, used)) => Ok(Decoded::Complete(r, used)),
            Err(e) if e.kind == ErrorKind::Incomplete => Ok(Decoded::Incomplete),
            Err(e) => Err(e),
        }
    }

    /// The status line, for every variant that has one.
    pub fn status(&self) -> Option<&StatusLine<'a>> {
        match self {
            Response::Greeting(g) => Some(&g.status),
            Response::Status(s) => Some(s),
            Response::ScanList(m) => Some(&m.status),
            Response::UidList(m) => Some(&m.status),
            Response::Capabilities(m) => Some(&m.status),
            Response::Languages(m) => Some(&m.status),
            Response::Message(m) => Some(&m.status),
            Response::Mechanisms(m) => Some(&m.status),
            Response::XtndList(m) => Some(&m.status),
            Response::Challenge(_) | Response::Stat(_) | Response::Scan(_) | Response::Uid(_) => {
                None
            }
        }
    }
}

/// Real-world `err-in-multiline-slot`: a line that does not start with a status, from a server
/// that echoes an overlong command line. `-ERR` spliced into the line is read as the status
/// from there; a line ended by CR CR LF with no status as a `-ERR` without text. `None`: not
/// this deviation (the strict error stands).
fn spliced_err<'a>(c: &mut Cursor<'a>) -> Option<(Response<'a>, usize)> {
    let input = c.input;
    let end = memchr::memchr(b'\n', input)?;
    let line = &input[..=end];
    if let Some(at) = memchr::memmem::find(line, b"-ERR") {
        let mut sub = Cursor::new(&input[at..]);
        let status = StatusLine::parse_at(&mut sub).ok()?;
        c.deviate(Pop3Deviation::ErrInMultilineSlot, at);
        c.pos = at + sub.pos;
        return Some((Response::Status(status), c.pos));
    }
    if line.ends_with(b"\r\r\n") {
        c.deviate(Pop3Deviation::ErrInMultilineSlot, end - 2);
        c.pos = end + 1;
        let status = StatusLine {
            ok: false,
            code: None,
            text: Text::empty(),
        };
        return Some((Response::Status(status), c.pos));
    }
    None
}

/// Parses a response at the start of the cursor's input; returns it and the octets used.
fn parse_prefix(c: Cursor<'_>, expected: Expected) -> Result<(Response<'_>, usize), ParseError> {
    parse_prefix_with(c, expected).map(|(r, used, _)| (r, used))
}

/// [`parse_prefix`], with the deviations the cursor accepted.
fn parse_prefix_with(
    mut c: Cursor<'_>,
    expected: Expected,
) -> Result<(Response<'_>, usize, Vec<Deviation>), ParseError> {
    let (r, used) = parse_response(&mut c, expected)?;
    Ok((r, used, ::core::mem::take(&mut c.deviations)))
}

fn parse_response<'a>(
    c: &mut Cursor<'a>,
    expected: Expected,
) -> Result<(Response<'a>, usize), ParseError> {
    let input = c.input;
    if expected == Expected::Auth && input.starts_with(b"+ ") {
        c.pos = 2;
        let (at, data) = c.take0(|b| b != b'\r' && b != b'\n');
        let data = decode_base64(data, at)?;
        c.crlf()?;
        return Ok((Response::Challenge(data), c.pos));
    }
    if expected == Expected::Auth && input == b"+" {
        return Err(ParseError::new(1, "SP", ErrorKind::Incomplete));
    }
    if expected == Expected::Auth && c.real_world && (input == b"+\r\n" || input == b"+\n") {
        c.deviate(Pop3Deviation::EmptyStatus, 1);
        c.pos = 1;
        c.crlf()?;
        return Ok((Response::Challenge(Vec::new()), c.pos));
    }
    if c.real_world
        && !input.starts_with(b"+")
        && !input.starts_with(b"-")
        && let Some(r) = spliced_err(c)
    {
        return Ok(r);
    }
    let positive = input.starts_with(b"+");
    if !positive
        || matches!(
            expected,
            Expected::Status | Expected::Auth | Expected::Greeting
        )
    {
        let status = StatusLine::parse_at(c)?;
        let r = if status.ok && expected == Expected::Greeting {
            match Greeting::checked(status.clone(), &input[..c.pos]) {
                Ok(g) => Response::Greeting(g),
                Err(e) if c.real_world => {
                    c.deviate(Pop3Deviation::GreetingTimestampVariants, e.offset);
                    // The closest valid greeting: each `<` that does not open the one
                    // timestamp is dropped.
                    let mut text = status.text.as_bytes().to_vec();
                    while let Err(at) = check_greeting_text(&text) {
                        text.remove(at);
                    }
                    let status = StatusLine {
                        text: Text::new(text).unwrap_or_default(),
                        ..status
                    };
                    Response::Greeting(Greeting { status })
                }
                Err(e) => return Err(e),
            }
        } else {
            Response::Status(status)
        };
        return Ok((r, c.pos));
    }
    match expected {
        Expected::Stat => {
            c.word_tag(*b"+OK ", "+OK SP")?;
            let count = c.u32("count")?;
            c.sp()?;
            let size = c.u64("size")?;
            let extra = extra_text(c)?;
            c.crlf()?;
            Ok((Response::Stat(DropListing { count, size, extra }), c.pos))
        }
        Expected::Scan => {
            c.word_tag(*b"+OK ", "+OK SP")?;
            let s = scan_listing(c)?;
            c.crlf()?;
            Ok((Response::Scan(s), c.pos))
        }
        Expected::Uid => {
            c.word_tag(*b"+OK ", "+OK SP")?;
            let u = uid_listing(c)?;
            c.crlf()?;
            Ok((Response::Uid(u), c.pos))
        }
        Expected::ScanList => {
            let status = positive_status(c)?;
            let (lines, len) = scan_lines(c)?;
            Ok((
                Response::ScanList(ScanListings { status, lines, len }),
                c.pos,
            ))
        }
        Expected::UidList => {
            let status = positive_status(c)?;
            let start = c.pos;
            let (end, capacity) = listing_extent(input, start);
            // Unique-ids are ASCII: the lines are checked as UTF-8 once, not each id.
            let mut uids = listing::UidLines::new(utf8_prefix(&input[start..end]));
            let fast = |at: usize, items: &mut Vec<_>| {
                let (u, next) = uids.line(at - start)?;
                items.push(u);
                Some(start + next)
            };
            let items = lines(c, capacity, fast, uid_listing)?;
            Ok((Response::UidList(MultiLine { status, items }), c.pos))
        }
        Expected::Capa => {
            multi(c, Capability::parse_at).map(|m| (Response::Capabilities(m), c.pos))
        }
        Expected::LangList => multi(c, lang_listing).map(|m| (Response::Languages(m), c.pos)),
        Expected::AuthList => multi(c, mechanism_line).map(|m| (Response::Mechanisms(m), c.pos)),
        Expected::XtndList => {
            let status = positive_status(c)?;
            let (_, capacity) = listing_extent(input, c.pos);
            let items = lines(
                c,
                capacity,
                |at, items| fast_text_line(input, at, items),
                text_line,
            )?;
            Ok((Response::XtndList(MultiLine { status, items }), c.pos))
        }
        Expected::Message => {
            let status = positive_status(c)?;
            let start = c.pos;
            // One pass over the lines that start with `.` (RFC 1939 §3).
            let Some(whole) = read_body(&input[start..]) else {
                return Err(ParseError::new(
                    input.len(),
                    ". CRLF",
                    ErrorKind::Incomplete,
                ));
            };
            // A line-start `.` that is not doubled was not byte-stuffed (RFC 1939 §3).
            if let Some(at) = whole.unstuffed {
                if !c.real_world {
                    return Err(ParseError::syntax(start + at, "byte-stuffed line"));
                }
                c.deviate(Pop3Deviation::MissingDotStuffing, start + at);
            }
            let body = whole.body;
            Ok((
                Response::Message(Message { status, body }),
                start + whole.end,
            ))
        }
        Expected::Status | Expected::Auth | Expected::Greeting => unreachable!("handled above"),
    }
}

/// Under the real-world profile, a multi-line response whose lines end with bare LFs is read
/// as the same response with CRLF line ends (`bare-lf`, reported once, at the first bare LF):
/// a copy is made and parsed, so the value is owned. `None` when there is no bare LF.
fn multi_line_bare_lf(
    input: &[u8],
    expected: Expected,
    options: &ParseOptions,
) -> Option<Result<Parsed<Response<'static>>, ParseError>> {
    let first = first_bare_lf(input)?;
    // The copy, and where CRs were inserted (offsets in the copy).
    let mut copy = Vec::with_capacity(input.len() + input.len() / 16);
    let mut inserted = Vec::new();
    for (i, &b) in input.iter().enumerate() {
        if b == b'\n' && (i == 0 || input[i - 1] != b'\r') {
            inserted.push(copy.len());
            copy.push(b'\r');
        }
        copy.push(b);
    }
    let original = |x: usize| x - inserted.partition_point(|&p| p < x);
    let mut c = Cursor::with_options(&copy, options, Side::Server);
    c.bare_lf_ok = false;
    Some(
        parse_prefix_with(c, expected).and_then(|(r, used, mut deviations)| {
            if used < copy.len() {
                return Err(ParseError::new(
                    original(used),
                    "end of response",
                    ErrorKind::TrailingBytes,
                ));
            }
            for d in &mut deviations {
                d.offset = original(d.offset);
            }
            deviations.push(Deviation::new(Pop3Deviation::BareLf, first, Side::Server));
            deviations.sort_by_key(|d| d.offset);
            Ok(Parsed::new(r.into_static(), deviations))
        }),
    )
}

fn positive_status<'a>(c: &mut Cursor<'a>) -> Result<StatusLine<'a>, ParseError> {
    let status = StatusLine::parse_at(c)?;
    debug_assert!(status.ok);
    Ok(status)
}

/// `+OK` line, then lines parsed by `item` until `.` CRLF.
fn multi<'a, T>(
    c: &mut Cursor<'a>,
    item: impl Fn(&mut Cursor<'a>) -> Result<T, ParseError>,
) -> Result<MultiLine<'a, T>, ParseError> {
    let status = positive_status(c)?;
    let items = lines(c, 0, |_, _| None, item)?;
    Ok(MultiLine { status, items })
}

/// The shortest listing line, `1 0` CRLF or `1 x` CRLF.
const MIN_LISTING_LINE: usize = 5;

/// Where a listing whose lines start at `start` ends (after its terminating line, or at the
/// end of the input when that has not arrived), and room for how many lines to reserve: one
/// per LF, and never more than a valid listing of that size can have, so that bad input does
/// not make a large reservation.
fn listing_extent(input: &[u8], start: usize) -> (usize, usize) {
    let rest = &input[start..];
    // A complete response usually ends with its terminating line; a longer input is
    // searched. (Were there an earlier terminating line, the extent would only reserve room
    // for lines that are there.)
    let end = if rest.ends_with(b"\r\n.\r\n") || rest == b".\r\n" {
        rest.len()
    } else {
        find_terminator(rest).map_or(rest.len(), |(_, end)| end)
    };
    let lf = memchr::memchr_iter(b'\n', &rest[..end]).count();
    (
        start + end,
        lf.saturating_sub(1).min(end / MIN_LISTING_LINE),
    )
}

/// The longest prefix of `bytes` that is UTF-8.
fn utf8_prefix(bytes: &[u8]) -> &str {
    match ::core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => ::core::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// The lines of a LIST answer until `.` CRLF, and how many: each checked in one pass by
/// `listing::scan_lines` when it is canonical, else parsed by the grammar (which reports
/// errors) and written in its canonical form; from the first such line on, the lines are a
/// copy.
fn scan_lines<'a>(c: &mut Cursor<'a>) -> Result<(Cow<'a, [u8]>, usize), ParseError> {
    let input = c.input;
    let start = c.pos;
    let mut len = 0;
    // The canonical form of the lines, once one was not.
    let mut canonical: Option<Vec<u8>> = None;
    loop {
        let at = c.pos;
        let (end, n) = listing::scan_lines(input, at);
        len += n;
        if let Some(out) = &mut canonical {
            out.extend_from_slice(&input[at..end]);
        }
        c.pos = end;
        let Some(item) = slow_line(c, scan_listing)? else {
            break;
        };
        len += 1;
        let out = canonical.get_or_insert_with(|| {
            let mut out = Vec::with_capacity(input.len() - start);
            out.extend_from_slice(&input[start..end]);
            out
        });
        item.put(out);
        out.extend_from_slice(b"\r\n");
    }
    let lines = match canonical {
        Some(out) => Cow::Owned(out),
        // Without the terminating line.
        None => Cow::Borrowed(&input[start..c.pos - 3]),
    };
    Ok((lines, len))
}

/// Lines until `.` CRLF, each taken by `fast` when it can (from the offset of a line start,
/// it appends the value and returns the offset after the CRLF), else parsed by `item`
/// (which reports errors).
fn lines<'a, T>(
    c: &mut Cursor<'a>,
    capacity: usize,
    mut fast: impl FnMut(usize, &mut Vec<T>) -> Option<usize>,
    item: impl Fn(&mut Cursor<'a>) -> Result<T, ParseError>,
) -> Result<Vec<T>, ParseError> {
    let mut items = Vec::with_capacity(capacity);
    loop {
        while let Some(next) = fast(c.pos, &mut items) {
            c.pos = next;
        }
        if slow_line_into(c, &item, &mut items)? {
            return Ok(items);
        }
    }
}

/// [`slow_line`], its line appended to `items`; `true` at the terminating line. Out of
/// line, so that the fast path's loop keeps its values in registers.
#[inline(never)]
fn slow_line_into<'a, T>(
    c: &mut Cursor<'a>,
    item: impl Fn(&mut Cursor<'a>) -> Result<T, ParseError>,
    items: &mut Vec<T>,
) -> Result<bool, ParseError> {
    let line = slow_line(c, item)?;
    let end = line.is_none();
    items.extend(line);
    Ok(end)
}

/// One line of a listing by the grammar, or its terminating line (then `None`).
#[inline]
fn slow_line<'a, T>(
    c: &mut Cursor<'a>,
    item: impl Fn(&mut Cursor<'a>) -> Result<T, ParseError>,
) -> Result<Option<T>, ParseError> {
    let rest = c.rest();
    if rest.starts_with(b".\r\n") {
        c.pos += 3;
        return Ok(None);
    }
    if rest.is_empty() || rest == b"." || rest == b".\r" {
        return Err(ParseError::new(
            c.input.len(),
            ". CRLF",
            ErrorKind::Incomplete,
        ));
    }
    let line = item(c)?;
    c.crlf()?;
    Ok(Some(line))
}

/// `[SP text]` after a number: the text may be empty.
fn extra_text<'a>(c: &mut Cursor<'a>) -> Result<Text<'a>, ParseError> {
    if c.peek() == Some(b' ') {
        c.pos += 1;
        let (_, t) = c.take_text();
        Ok(Text::from_checked(t))
    } else {
        Ok(Text::empty())
    }
}

fn scan_listing<'a>(c: &mut Cursor<'a>) -> Result<ScanListing<'a>, ParseError> {
    let msg = c.msg()?;
    c.sp()?;
    let size = c.u64("size")?;
    let extra = extra_text(c)?;
    Ok(ScanListing { msg, size, extra })
}

fn uid_listing<'a>(c: &mut Cursor<'a>) -> Result<UidListing<'a>, ParseError> {
    let msg = c.msg()?;
    c.sp()?;
    let (at, uid) = c.take1_len(vchar_len, "unique-id")?;
    let uid = UniqueId::from_wire(uid, at, "unique-id")?;
    Ok(UidListing { msg, uid })
}

/// One line of the mechanism list: `sasl-mech` (RFC 5034 §4).
fn mechanism_line<'a>(c: &mut Cursor<'a>) -> Result<Mechanism<'a>, ParseError> {
    let (at, m) = c.take1_len(vchar_len, "sasl-mech")?;
    Mechanism::from_wire(m, at, "sasl-mech")
}

/// [`text_line`] and its CRLF for a line that ends with CRLF and has no NUL, CR or LF before
/// it, found a word at a time ([`text_len`]) rather than octet by octet; the same value and
/// end as the grammar's.
/// `None` (the grammar decides) for anything else, the terminating line among them.
#[inline]
fn fast_text_line<'a>(input: &'a [u8], at: usize, items: &mut Vec<Text<'a>>) -> Option<usize> {
    let rest = input.get(at..)?;
    // The first octet that is not text must be the CR of a CRLF.
    let end = text_len(rest);
    let line = &rest[..end];
    if rest.get(end..end + 2)? != b"\r\n" || line == b"." {
        return None;
    }
    items.push(Text::from_checked(line.strip_prefix(b".").unwrap_or(line)));
    Some(at + end + 2)
}

/// One line of text (no NUL, CR or LF), possibly empty; a leading `.` was byte-stuffed
/// (RFC 1939 §3) and is removed.
fn text_line<'a>(c: &mut Cursor<'a>) -> Result<Text<'a>, ParseError> {
    if c.peek() == Some(b'.') {
        c.pos += 1;
    }
    let (_, t) = c.take_text();
    Ok(Text::from_checked(t))
}

fn lang_listing<'a>(c: &mut Cursor<'a>) -> Result<LangListing<'a>, ParseError> {
    let (at, tag) = c.take1_len(vchar_len, "language-tag")?;
    let tag = Language::from_wire(tag, at, "language-tag")?;
    let description = extra_text(c)?;
    Ok(LangListing { tag, description })
}

// ---------------------------------------------------------------------------------------
// Encoding.

fn put_extra(out: &mut Vec<u8>, t: &Text<'_>) {
    if !t.is_empty() {
        out.push(b' ');
        out.extend_from_slice(t.as_bytes());
    }
}

impl ScanListing<'_> {
    fn put(&self, out: &mut Vec<u8>) {
        put_number(out, u64::from(self.msg.get()));
        out.push(b' ');
        put_number(out, self.size);
        put_extra(out, &self.extra);
    }
}

impl UidListing<'_> {
    fn put(&self, out: &mut Vec<u8>) {
        put_number(out, u64::from(self.msg.get()));
        out.push(b' ');
        out.extend_from_slice(self.uid.as_str().as_bytes());
    }
}

fn put_multi<T>(out: &mut Vec<u8>, m: &MultiLine<'_, T>, mut line: impl FnMut(&mut Vec<u8>, &T)) {
    m.status.encode(out);
    for item in &m.items {
        line(out, item);
    }
    out.extend_from_slice(b".\r\n");
}

impl Encode for Response<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Response::Greeting(g) => g.encode(out),
            Response::Status(s) => s.encode(out),
            Response::Challenge(data) => {
                out.extend_from_slice(b"+ ");
                put_base64(out, data);
                out.extend_from_slice(b"\r\n");
            }
            Response::Stat(d) => {
                out.extend_from_slice(b"+OK ");
                put_number(out, u64::from(d.count));
                out.push(b' ');
                put_number(out, d.size);
                put_extra(out, &d.extra);
                out.extend_from_slice(b"\r\n");
            }
            Response::Scan(s) => {
                out.extend_from_slice(b"+OK ");
                s.put(out);
                out.extend_from_slice(b"\r\n");
            }
            Response::Uid(u) => {
                out.extend_from_slice(b"+OK ");
                u.put(out);
                out.extend_from_slice(b"\r\n");
            }
            Response::ScanList(m) => {
                m.status.encode(out);
                out.extend_from_slice(&m.lines);
                out.extend_from_slice(b".\r\n");
            }
            Response::UidList(m) => put_multi(out, m, |out, u| {
                u.put(out);
                out.extend_from_slice(b"\r\n");
            }),
            Response::Capabilities(m) => put_multi(out, m, |out, c| c.encode_line(out)),
            Response::Languages(m) => put_multi(out, m, |out, l| {
                out.extend_from_slice(l.tag.as_str().as_bytes());
                put_extra(out, &l.description);
                out.extend_from_slice(b"\r\n");
            }),
            Response::Message(m) => {
                m.status.encode(out);
                encode_body(&m.body, out);
            }
            Response::Mechanisms(m) => put_multi(out, m, |out, mech| {
                out.extend_from_slice(mech.as_str().as_bytes());
                out.extend_from_slice(b"\r\n");
            }),
            Response::XtndList(m) => put_multi(out, m, |out, line| {
                // A text line that starts with `.` is byte-stuffed (RFC 1939 §3).
                if line.as_bytes().first() == Some(&b'.') {
                    out.push(b'.');
                }
                out.extend_from_slice(line.as_bytes());
                out.extend_from_slice(b"\r\n");
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------
// IntoStatic: derived, but for MultiLine (a type parameter, which the derive does not take).

impl<T: IntoStatic> IntoStatic for MultiLine<'_, T> {
    type Static = MultiLine<'static, T::Static>;
    fn into_static(self) -> Self::Static {
        MultiLine {
            status: self.status.into_static(),
            items: self.items.into_static(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The answer to a rejected line is read as its keyword asks (what Courier, Dovecot and
    /// GNU Mailutils send to the lines of `recordings/*/pop3-invalid.trace`).
    #[test]
    fn rejected_lines_are_answered_as_their_keyword_asks() {
        let table: &[(&[u8], Expected)] = &[
            (b"TOP 1 -1\r\n", Expected::Message),
            (b"TOP\r\n", Expected::Message),
            (b"RETR 0\r\n", Expected::Message),
            (b"LIST x\r\n", Expected::Scan),
            (b"LIST 1 2\r\n", Expected::Scan),
            (b"LIST  \r\n", Expected::ScanList),
            (b"UIDL 0\r\n", Expected::Uid),
            (b"STAT extra\r\n", Expected::Stat),
            (b"CAPA x\r\n", Expected::Capa),
            (b"AUTH\n", Expected::AuthList),
            (b"AUTH PL@IN\r\n", Expected::Status),
            (b"XTND XLST\r\n", Expected::XtndList),
            (b"user alice extra words\r\n", Expected::Status),
            (b"NOSUCH\r\n", Expected::Status),
            (b"\r\n", Expected::Status),
            (b"\xff\xfe\r\n", Expected::Status),
        ];
        for &(line, expected) in table {
            assert_eq!(
                Expected::for_rejected_line(line),
                expected,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    /// A listing (or the text lines of `XTND XLST`) parsed by the grammar alone, without the
    /// fast paths: the reference.
    fn reference(input: &[u8], expected: Expected) -> Result<(Response<'_>, usize), ParseError> {
        let mut c = Cursor::new(input);
        match expected {
            Expected::ScanList => multi(&mut c, scan_listing).map(|m| {
                let list = ScanListings::new(m.status, m.items).expect("+OK");
                (Response::ScanList(list), c.pos)
            }),
            Expected::XtndList => multi(&mut c, text_line).map(|m| (Response::XtndList(m), c.pos)),
            _ => multi(&mut c, uid_listing).map(|m| (Response::UidList(m), c.pos)),
        }
    }

    /// The fast paths give the grammar's value or error for `input`, and for every prefix.
    fn agree(input: &[u8]) {
        for expected in [Expected::ScanList, Expected::UidList, Expected::XtndList] {
            for end in (0..=input.len()).rev() {
                let input = &input[..end];
                if !input.starts_with(b"+") {
                    break;
                }
                let parsed = parse_prefix(Cursor::new(input), expected);
                assert_eq!(
                    parsed,
                    reference(input, expected),
                    "{expected:?} {:?}",
                    String::from_utf8_lossy(input)
                );
                // The checked wire form decodes to the grammar's listings.
                if let Ok((Response::ScanList(list), _)) = parsed {
                    let grammar = multi(&mut Cursor::new(input), scan_listing).unwrap();
                    assert_eq!(list.len(), grammar.items().len());
                    assert_eq!(list.iter().collect::<Vec<_>>(), grammar.items());
                    assert_eq!(list.into_items(), grammar.into_items());
                }
            }
        }
    }

    #[test]
    fn bad_listing_lines_fail_as_in_the_grammar() {
        let long = "x".repeat(71);
        let at_limit = "y".repeat(70);
        for line in [
            "1 x9\r\n",
            "1x 100\r\n",
            "1 1x0\r\n",
            "1  100\r\n",
            "1 100\n",
            "1 100\r",
            "1 100\r\r\n",
            "1\n",
            "1 \r\n",
            "0 100\r\n",
            "00 100\r\n",
            "4294967296 1\r\n",
            "99999999999 1\r\n",
            "1 18446744073709551616\r\n",
            "1 99999999999999999999999\r\n",
            "1 100 text\0\r\n",
            "1 100 text\n",
            "1 abc def\r\n",
            "1 \u{7f}\r\n",
            "1 \u{e9}t\u{e9}\r\n",
            &format!("1 {long}\r\n"),
            &format!("1 {at_limit}\r\n"),
            "..\r\n",
            ".\r",
            "",
        ] {
            for before in ["", "1 120\r\n", "7 whqtswO00WBw418f9t5JxYwZ\r\n"] {
                let input = format!("+OK\r\n{before}{line}2 200\r\n.\r\n");
                agree(input.as_bytes());
            }
        }
    }

    #[test]
    fn listing_errors_keep_offset_and_rule() {
        let e = Response::parse(b"+OK\r\n1 120\r\n2 2x0\r\n.\r\n", Expected::ScanList).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (15, "CRLF", ErrorKind::Syntax)
        );
        let e = Response::parse(b"+OK\r\n1 120\r\n0 200\r\n.\r\n", Expected::ScanList).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (12, "msg", ErrorKind::InvalidValue)
        );
        let e = Response::parse(b"+OK\r\n1 ab\r\n2 c d\r\n.\r\n", Expected::UidList).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (14, "CRLF", ErrorKind::Syntax)
        );
        let e = Response::parse(b"+OK\r\n1 ab\n.\r\n", Expected::UidList).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (9, "CRLF", ErrorKind::Syntax)
        );
        let e = Response::parse(b"+OK\r\n4294967296 ab\r\n.\r\n", Expected::UidList).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (5, "msg", ErrorKind::NumberTooLarge)
        );
        let e = Response::parse(b"+OK\r\n1 200\r\n", Expected::ScanList).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (12, ". CRLF", ErrorKind::Incomplete)
        );
    }

    #[test]
    fn bare_lfs_are_found_across_blocks() {
        for at in [0, 1, 62, 63, 64, 65, 127, 128, 200] {
            let mut bytes = vec![b'x'; 210];
            bytes[at] = b'\n';
            assert_eq!(first_bare_lf(&bytes), Some(at));
            if at > 0 {
                bytes[at - 1] = b'\r';
                assert_eq!(first_bare_lf(&bytes), None, "{at}");
            }
        }
    }

    /// Octets that matter to the status line grammar, for mutations.
    const STATUS_SPECIAL: &[u8] = b" \r\n[]+-OKER/\0\x7f\xc3\xa9<>";

    fn status_line() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            ("\\+OK|-ERR", "( [ -~]{0,80})?")
                .prop_map(|(s, text)| format!("{s}{text}\r\n").into_bytes()),
            ("\\+OK|-ERR", "[A-Z/-]{0,12}", "[ -~]{0,20}")
                .prop_map(|(s, code, text)| format!("{s} [{code}] {text}\r\n").into_bytes()),
            prop::collection::vec(any::<u8>(), 0..40),
        ]
    }

    /// The status line at `at` by [`StatusLine::parse_at`] (the fast path, then the grammar)
    /// and by the grammar alone, under `options`: the same value or error, end and deviations.
    fn status_agrees<'a>(input: &'a [u8], at: usize, options: &ParseOptions) {
        let run = |parse: fn(&mut Cursor<'a>) -> Result<StatusLine<'a>, ParseError>| {
            let mut c = Cursor::with_options(input, options, Side::Server);
            c.pos = at;
            let r = parse(&mut c);
            (r, c.pos, c.deviations)
        };
        let exact = run(StatusLine::parse_exact);
        assert_eq!(
            run(StatusLine::parse_at),
            exact,
            "{:?}",
            String::from_utf8_lossy(input)
        );
        if let Some((status, end)) = StatusLine::fast(input, at) {
            assert_eq!((Ok(status), end, Vec::new()), exact);
        }
    }

    #[test]
    fn status_lines_agree_with_the_grammar() {
        let rw = ParseOptions::default().with_profile(crate::Profile::RealWorld);
        for line in [
            &b"+OK\r\n"[..],
            b"+OK \r\n",
            b"+OK  two spaces\r\n",
            b"-ERR\r\n",
            b"-ERR no such message\r\n",
            b"+OK [\r\n",
            b"+OK [IN-USE] locked\r\n",
            b"+OK text\n",
            b"+OK text\r",
            b"+OK text\r\r\n",
            b"+OK te\0xt\r\n",
            b"+OKdone\r\n",
            b"+ok\r\n",
            b"-ER\r\n",
            b"+OK",
            b"+O",
            b"",
            b"+OK \xc3\xa9t\xc3\xa9\r\n",
        ] {
            for options in [&ParseOptions::default(), &rw] {
                status_agrees(line, 0, options);
                let mut after = b"1 2\r\n".to_vec();
                after.extend_from_slice(line);
                status_agrees(&after, 5, options);
            }
        }
    }

    /// Octets that matter to the listing grammar, for mutations.
    const SPECIAL: &[u8] = b" \r\n.0159x~!\0\x7f\x80\xc3\xa9\t";

    fn listing_line() -> impl Strategy<Value = String> {
        prop_oneof![
            (1u32.., any::<u64>(), "( [ -~]{0,10})?")
                .prop_map(|(m, s, extra)| format!("{m} {s}{extra}\r\n")),
            (1u32..100_000, 0u64..10_000_000).prop_map(|(m, s)| format!("{m} {s}\r\n")),
            (1u32.., "[!-~]{1,72}").prop_map(|(m, uid)| format!("{m} {uid}\r\n")),
            "[0-9]{1,22} [0-9]{1,22}\r\n",
            // Text lines (`XTND XLST`), byte-stuffed or not.
            "\\.{0,2}[ -~]{0,12}\r\n",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn fast_paths_agree_with_the_grammar(
            lines in prop::collection::vec(listing_line(), 0..12),
            mutations in prop::collection::vec((any::<prop::sample::Index>(), 0..SPECIAL.len(), 0..3u8), 0..3),
        ) {
            let mut input = b"+OK\r\n".to_vec();
            for l in &lines {
                input.extend_from_slice(l.as_bytes());
            }
            input.extend_from_slice(b".\r\n");
            for (at, byte, how) in mutations {
                let at = 5 + at.index(input.len() - 5);
                match how {
                    0 => input[at] = SPECIAL[byte],
                    1 => input.insert(at, SPECIAL[byte]),
                    _ => {
                        input.remove(at);
                    }
                }
            }
            agree(&input);
        }

        #[test]
        fn fast_status_lines_agree_with_the_grammar(
            line in status_line(),
            before in "(1 2\r\n)?",
            mutations in prop::collection::vec((any::<prop::sample::Index>(), 0..STATUS_SPECIAL.len(), 0..3u8), 0..3),
        ) {
            let mut input = before.clone().into_bytes();
            input.extend_from_slice(&line);
            for (at, byte, how) in mutations {
                if input.len() == before.len() {
                    break;
                }
                let at = before.len() + at.index(input.len() - before.len());
                match how {
                    0 => input[at] = STATUS_SPECIAL[byte],
                    1 => input.insert(at, STATUS_SPECIAL[byte]),
                    _ => {
                        input.remove(at);
                    }
                }
            }
            let rw = ParseOptions::default().with_profile(crate::Profile::RealWorld);
            for options in [&ParseOptions::default(), &rw] {
                status_agrees(&input, before.len(), options);
            }
        }

        #[test]
        fn octet_searches_are_the_per_octet_ones(
            bytes in prop::collection::vec(prop_oneof![2 => Just(b'\r'), 2 => Just(b'\n'), 1 => Just(b'<'), 1 => any::<u8>(), 30 => 0x20u8..0x7f], 0..200),
            from in 0..8usize,
        ) {
            let bytes = &bytes[from.min(bytes.len())..];
            prop_assert_eq!(find_octet(bytes, b'<'), memchr::memchr(b'<', bytes));
            let bare = (0..bytes.len()).find(|&i| bytes[i] == b'\n' && (i == 0 || bytes[i - 1] != b'\r'));
            prop_assert_eq!(first_bare_lf(bytes), bare);
        }

        #[test]
        fn text_len_is_the_run_of_text_octets(
            bytes in prop::collection::vec(prop_oneof![1 => Just(0u8), 1 => Just(b'\r'), 1 => Just(b'\n'), 4 => any::<u8>(), 60 => 0x20u8..0x7f], 0..200),
            from in 0..8usize,
        ) {
            let bytes = &bytes[from.min(bytes.len())..];
            let expected = bytes.iter().position(|&b| !crate::core::is_text_byte(b)).unwrap_or(bytes.len());
            prop_assert_eq!(text_len(bytes), expected);
        }
    }
}
