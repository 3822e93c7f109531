//! Basic data formats of RFC 9051 §4 / RFC 3501 §4: atoms, tags, strings (quoted and literal,
//! `astring`, `nstring`), text and charsets.
//!
//! Every type here can only hold a value its rule allows: constructors validate, parsers
//! borrow from the input, and [`IntoStatic`] makes any value owned.

use crate::prelude::*;

use ::core::fmt;
use alloc::borrow::Cow;
#[cfg(feature = "std")]
use std::cell::Cell;

#[cfg(feature = "std")]
std::thread_local! {
    /// What `quoted` does with raw UTF-8 in the message being parsed: set by
    /// [`crate::context::Ctx`] for the message's duration (see [`Utf8Scope`]); allowed outside
    /// any message (the value-level parsers, e.g. `from_bytes`).
    static UTF8_QUOTED: Cell<Utf8Quoted> = const { Cell::new(Utf8Quoted::Allow) };
    /// The address of the first raw UTF-8 octet read in a quoted string of the message, under
    /// [`Utf8Quoted::Report`]; 0 for none.
    static UTF8_SEEN: Cell<usize> = const { Cell::new(0) };
}

/// What `quoted` does with raw UTF-8 (octets >= 0x80) in the message being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Utf8Quoted {
    /// Refuse it: RFC 3501 §9 `QUOTED-CHAR` (7-bit), strict without UTF8=ACCEPT.
    Refuse,
    /// Read it: RFC 9051 §9 `QUOTED-CHAR`, UTF8=ACCEPT in force (RFC 6855 §3).
    Allow,
    /// Read it and note where (real-world without UTF8=ACCEPT: `eight-bit-in-quoted`).
    Report,
}

/// What `quoted` does with raw UTF-8 in the message being parsed (see [`Utf8Scope`]).
/// Without the `std` feature there is no thread-local state: raw UTF-8 is always allowed
/// (the RFC 9051 `QUOTED-CHAR`), so the RFC 6855 §3 gate is a `std` feature (docs/architecture.md).
#[inline]
fn utf8_quoted() -> Utf8Quoted {
    #[cfg(feature = "std")]
    {
        UTF8_QUOTED.with(Cell::get)
    }
    #[cfg(not(feature = "std"))]
    {
        Utf8Quoted::Allow
    }
}

/// Notes that raw UTF-8 was read at address `at` (the first one of the message is kept).
#[cfg_attr(not(feature = "std"), allow(unused_variables))]
fn note_utf8(at: usize) {
    #[cfg(feature = "std")]
    UTF8_SEEN.with(|c| {
        if c.get() == 0 {
            c.set(at);
        }
    });
}

/// For the duration of one message's parse, what raw UTF-8 in `quoted` does (RFC 6855 §3:
/// allowed only once UTF8=ACCEPT is enabled, or IMAP4rev2, RFC 9051 §9 `QUOTED-CHAR`; under
/// the real-world profile without them, read and reported as `eight-bit-in-quoted`).
/// `quoted` is read by parsers that take no parse context, so the [`crate::context::Ctx`] of
/// the message sets this for the thread and the previous value comes back when it is dropped
/// (contexts nest).
#[derive(Debug)]
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) struct Utf8Scope {
    previous: Utf8Quoted,
    /// Under [`Utf8Quoted::Report`] only: the note of the enclosing scope, put back on drop.
    /// The other modes never note, so they leave the note alone (one thread-local write
    /// less on entry and on drop).
    previous_seen: Option<usize>,
}

impl Utf8Scope {
    /// Sets what raw UTF-8 in `quoted` does until the scope is dropped.
    #[cfg_attr(not(feature = "std"), allow(unused_variables))]
    pub(crate) fn enter(mode: Utf8Quoted) -> Self {
        #[cfg(feature = "std")]
        {
            Utf8Scope {
                previous: UTF8_QUOTED.with(|c| c.replace(mode)),
                previous_seen: (mode == Utf8Quoted::Report)
                    .then(|| UTF8_SEEN.with(|c| c.replace(0))),
            }
        }
        #[cfg(not(feature = "std"))]
        {
            Utf8Scope {
                previous: Utf8Quoted::Allow,
                previous_seen: None,
            }
        }
    }

    /// The address of the first raw UTF-8 octet read in a quoted string in this scope, under
    /// [`Utf8Quoted::Report`] (`None` in the other modes).
    #[inline]
    pub(crate) fn first_seen(&self) -> Option<usize> {
        #[cfg(feature = "std")]
        {
            self.previous_seen?;
            Some(UTF8_SEEN.with(Cell::get)).filter(|&a| a != 0)
        }
        #[cfg(not(feature = "std"))]
        {
            None
        }
    }
}

impl Utf8Scope {
    /// Whether raw UTF-8 was read in a quoted string in this scope ([`Utf8Scope::first_seen`]
    /// is `Some`): one test on the common path (none).
    #[inline(always)]
    pub(crate) fn seen(&self) -> bool {
        #[cfg(feature = "std")]
        {
            // `&`, not `&&`: both are cheap, one branch.
            (UTF8_SEEN.with(Cell::get) != 0) & self.previous_seen.is_some()
        }
        #[cfg(not(feature = "std"))]
        {
            false
        }
    }
}

impl Drop for Utf8Scope {
    fn drop(&mut self) {
        #[cfg(feature = "std")]
        {
            UTF8_QUOTED.with(|c| c.set(self.previous));
            if let Some(seen) = self.previous_seen {
                UTF8_SEEN.with(|c| c.set(seen));
            }
        }
    }
}

use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::parse::{
    ascii_str, byte, crlf, is_astring_char, is_atom_char, is_tag_char, is_text_char, number64,
    take_while, take_while1,
};

pub use mailproto_core::IntoStatic;

/// Octets a string value can be built from: `&str`, `String`, `&[u8]`, `Vec<u8>`, arrays
/// and `Cow`s of either. Borrowed inputs stay borrowed.
pub trait IntoBytes<'a> {
    /// The octets.
    fn into_bytes(self) -> Cow<'a, [u8]>;
}

impl<'a> IntoBytes<'a> for &'a str {
    fn into_bytes(self) -> Cow<'a, [u8]> {
        Cow::Borrowed(self.as_bytes())
    }
}
impl<'a> IntoBytes<'a> for &'a [u8] {
    fn into_bytes(self) -> Cow<'a, [u8]> {
        Cow::Borrowed(self)
    }
}
impl<'a, const N: usize> IntoBytes<'a> for &'a [u8; N] {
    fn into_bytes(self) -> Cow<'a, [u8]> {
        Cow::Borrowed(self)
    }
}
impl<'a> IntoBytes<'a> for String {
    fn into_bytes(self) -> Cow<'a, [u8]> {
        Cow::Owned(self.into_bytes())
    }
}
impl<'a> IntoBytes<'a> for Vec<u8> {
    fn into_bytes(self) -> Cow<'a, [u8]> {
        Cow::Owned(self)
    }
}
impl<'a> IntoBytes<'a> for Cow<'a, [u8]> {
    fn into_bytes(self) -> Cow<'a, [u8]> {
        self
    }
}
impl<'a> IntoBytes<'a> for Cow<'a, str> {
    fn into_bytes(self) -> Cow<'a, [u8]> {
        match self {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }
    }
}

/// Serde helpers: bytes are written as a string when they are UTF-8, else as a list of octets.
#[cfg(feature = "serde")]
pub(crate) mod ser {
    pub(crate) fn bytes<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match ::core::str::from_utf8(b) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.collect_seq(b.iter()),
        }
    }
}

fn check(bytes: &[u8], rule: &'static str, ok: impl Fn(u8) -> bool) -> Result<(), ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::new(rule, None));
    }
    match bytes.iter().position(|&b| !ok(b)) {
        Some(p) => Err(ValidationError::new(rule, Some(p))),
        None => Ok(()),
    }
}

macro_rules! ascii_token {
    ($(#[$doc:meta])* $name:ident, $rule:literal, $pred:path) => {
        mailproto_core::validated_str!(
            $(#[$doc])*
            #[derive(Debug)]
            $name,
            |bytes: &[u8]| check(bytes, $rule, $pred)
        );

        impl<'a> $name<'a> {
            /// Built by a parser that has already checked the bytes.
            pub(crate) fn from_checked(bytes: &'a [u8]) -> Self {
                $name(Cow::Borrowed(ascii_str(bytes)))
            }

            /// Parses the rule.
            #[allow(dead_code, reason = "not every token type is parsed on its own")]
            pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
                let (rest, run) = take_while1(i, $pred, $rule)?;
                Ok((rest, Self::from_checked(run)))
            }
        }

        impl Encode for $name<'_> {
            fn encode(&self, e: &mut Encoder<'_>) {
                e.raw(self.0.as_bytes());
            }
        }
    };
}

ascii_token!(
    /// `atom = 1*ATOM-CHAR` (RFC 9051 §4.1).
    ///
    /// ```
    /// use mailproto_imap_codec::Atom;
    /// assert!(Atom::new("X-GM-EXT-1").is_ok());
    /// assert!(Atom::new("two words").is_err());
    /// ```
    Atom, "atom", is_atom_char
);

ascii_token!(
    /// `tag = 1*<any ASTRING-CHAR except "+">` (RFC 9051 §2.2.1, §9).
    ///
    /// ```
    /// use mailproto_imap_codec::Tag;
    /// assert!(Tag::new("A001").is_ok());
    /// assert!(Tag::new("a+1").is_err());
    /// ```
    Tag, "tag", is_tag_char
);

ascii_token!(
    /// `1*ASTRING-CHAR`: the atom form of an `astring` (an atom that may contain `]`).
    AtomExt, "astring", is_astring_char
);

/// How a client's literal is to be sent (RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum LiteralMode {
    /// `{n}`: the sender waits for a continuation request, unless the encoder is told the
    /// server permits `{n+}` (LITERAL+ / LITERAL-). Server literals are always this mode.
    #[default]
    Sync,
    /// `{n+}`: sent without waiting (client → server only).
    NonSync,
}

/// `quoted = DQUOTE *QUOTED-CHAR DQUOTE` (RFC 9051 §4.3), holding the unescaped content.
///
/// The content is any text without CR, LF or NUL; non-ASCII text is allowed as UTF-8
/// (RFC 9051 §9 `QUOTED-CHAR`, under IMAP4rev2 or UTF8=ACCEPT): a message's parser accepts
/// it only while [`crate::Extension::Utf8Accept`] is in force (or under the real-world
/// profile), RFC 6855 §3.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Quoted<'a>(Cow<'a, str>);

impl<'a> Quoted<'a> {
    /// Checks that `value` can be quoted.
    pub fn new(value: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let value = value.into();
        if let Some(p) = value
            .bytes()
            .position(|b| b == 0 || b == b'\r' || b == b'\n')
        {
            return Err(ValidationError::new("quoted", Some(p)));
        }
        Ok(Quoted(value))
    }

    /// The unescaped content.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses `quoted`. ASCII content (the common case) is read by one scan that does not
    /// depend on the UTF-8 mode ([`crate::ascii::quoted_ascii`]: the same end and content as
    /// the exact scan, in every mode); anything else (raw UTF-8, errors) goes to the exact
    /// scan, which decides acceptance and errors.
    #[inline]
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        match crate::ascii::quoted_ascii(i) {
            Some((rest, text, escaped)) => Ok((rest, Self::from_raw(text, escaped))),
            None => Self::parse_exact(i),
        }
    }

    /// [`Quoted::parse`] without the ASCII fast path: the exact scan alone.
    #[inline(never)]
    fn parse_exact(i: &'a [u8]) -> PResult<'a, Self> {
        crate::parse::rule("quoted", Self::parse_quoted)(i)
    }

    fn parse_quoted(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, (text, escaped)) = Self::scan(i)?;
        Ok((rest, Self::from_raw(text, escaped)))
    }

    /// The value of a scanned `quoted`'s raw content: borrowed when it holds no escape, else
    /// unescaped (`\"` and `\\\\` stand for `"` and `\\`, RFC 9051 §4.3).
    #[inline(always)]
    fn from_raw(text: &'a str, escaped: bool) -> Self {
        if !escaped {
            return Quoted(Cow::Borrowed(text));
        }
        Self::unescape(text)
    }

    /// The unescaped content of a raw content that holds an escape (out of line: the rare case).
    #[inline(never)]
    fn unescape(text: &str) -> Self {
        let mut owned = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    owned.push(next);
                }
            } else {
                owned.push(c);
            }
        }
        Quoted(Cow::Owned(owned))
    }

    /// Checks `quoted` without building the value: the same acceptance and errors as
    /// [`Quoted::parse`], and no allocation (a validated wire list uses it).
    pub(crate) fn skip(i: &'a [u8]) -> PResult<'a, ()> {
        if let Some(n) = crate::ascii::quoted_ascii_len(i) {
            return Ok((&i[n..], ()));
        }
        crate::parse::rule("quoted", Self::scan)(i).map(|(rest, _)| (rest, ()))
    }

    /// Scans `quoted`: the raw (still escaped) content as text, and whether it holds an escape.
    #[inline]
    fn scan(i: &'a [u8]) -> PResult<'a, (&'a str, bool)> {
        let mode = utf8_quoted();
        let scanned = crate::ascii::scan_quoted(i, mode != Utf8Quoted::Refuse)?;
        if mode == Utf8Quoted::Report
            && let Some(p) = scanned.1.0.bytes().position(|b| b >= 0x80)
        {
            note_utf8(scanned.1.0.as_ptr() as usize + p);
        }
        Ok(scanned)
    }
}

impl Encode for Quoted<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        let bytes = self.0.as_bytes();
        // Most strings hold no quoted-specials: then the content is one copy.
        if !has_quoted_special(bytes) {
            e.byte(b'"').raw(bytes).byte(b'"');
            return;
        }
        e.byte(b'"');
        let mut rest = bytes;
        while let Some(p) = memchr::memchr2(b'"', b'\\', rest) {
            e.raw(&rest[..p]).byte(b'\\').byte(rest[p]);
            rest = &rest[p + 1..];
        }
        e.raw(rest).byte(b'"');
    }
}

/// True when `bytes` holds `"` or `\\` (RFC 9051 §9 `quoted-specials`). Eight bytes at a
/// time (SWAR); quoted strings are short, so this beats memchr's set-up cost.
#[inline]
fn has_quoted_special(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // True when one of the eight bytes of `x` is a quote or a backslash: a byte of
    // `x ^ c` is zero exactly where `x` has `c`, and (v - 1) & !v sets that byte's high bit.
    fn word(x: u64) -> bool {
        let q = x ^ (ONES * u64::from(b'"'));
        let s = x ^ (ONES * u64::from(b'\\'));
        ((q.wrapping_sub(ONES) & !q) | (s.wrapping_sub(ONES) & !s)) & HIGHS != 0
    }
    let load = |c: &[u8]| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    if bytes.len() < 8 {
        return bytes.iter().any(|&b| b == b'"' || b == b'\\');
    }
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder().len();
    for c in chunks {
        if word(load(c)) {
            return true;
        }
    }
    // The last eight bytes, overlapping the chunks already seen.
    tail > 0 && word(load(&bytes[bytes.len() - 8..]))
}

impl IntoStatic for Quoted<'_> {
    type Static = Quoted<'static>;
    fn into_static(self) -> Quoted<'static> {
        Quoted(self.0.into_static())
    }
}

/// Parses a literal header `{n}` / `{n+}` (client only) / `~{n}` and its data; returns the
/// data, whether it was `{n+}`, and whether it was a literal8.
fn literal_any<'a, const CMD: bool>(
    i: &'a [u8],
    binary_allowed: bool,
) -> PResult<'a, (&'a [u8], bool, bool)> {
    let (after_tilde, binary) = match i.first() {
        Some(b'~') if binary_allowed => (&i[1..], true),
        _ => (i, false),
    };
    let (j, ()) = byte(
        after_tilde,
        b'{',
        if binary { "literal8" } else { "literal" },
    )?;
    let (j, n) = number64(j)?;
    let (j, non_sync) = match j.first() {
        Some(b'+') if CMD => (&j[1..], true),
        _ => (j, false),
    };
    let (j, ()) = byte(j, b'}', "\"}\"")?;
    let (j, ()) = crlf(j)?;
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if j.len() < n {
        return fail_kind(&j[j.len()..], "literal data", ErrorKind::Incomplete);
    }
    let data = &j[..n];
    if !binary && let Some(p) = memchr::memchr(0, data) {
        return fail(&j[p..], "CHAR8");
    }
    Ok((&j[n..], (data, non_sync, binary)))
}

/// `literal = "{" number64 ["+"] "}" CRLF *CHAR8` (RFC 9051 §4.3): any octets but NUL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Literal<'a> {
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser::bytes"))]
    data: Cow<'a, [u8]>,
    mode: LiteralMode,
}

impl<'a> Literal<'a> {
    /// A literal holding `data`, which must not contain NUL (use [`Literal8`] for that).
    pub fn new(data: impl IntoBytes<'a>) -> Result<Self, ValidationError> {
        let data = data.into_bytes();
        if let Some(p) = memchr::memchr(0, &data) {
            return Err(ValidationError::new("literal", Some(p)));
        }
        Ok(Literal {
            data,
            mode: LiteralMode::Sync,
        })
    }

    /// The same literal, to be sent as `mode`.
    pub fn with_mode(mut self, mode: LiteralMode) -> Self {
        self.mode = mode;
        self
    }

    /// The data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// How it is sent.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// Parses `literal`; `{n+}` only where `CMD` (client → server).
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, (data, non_sync, _)) =
            crate::parse::rule("literal", |i| literal_any::<CMD>(i, false))(i)?;
        let mode = if non_sync {
            LiteralMode::NonSync
        } else {
            LiteralMode::Sync
        };
        Ok((
            rest,
            Literal {
                data: Cow::Borrowed(data),
                mode,
            },
        ))
    }
}

impl Encode for Literal<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.literal(&self.data, false, self.mode == LiteralMode::NonSync);
    }
}

impl IntoStatic for Literal<'_> {
    type Static = Literal<'static>;
    fn into_static(self) -> Literal<'static> {
        Literal {
            data: self.data.into_static(),
            mode: self.mode,
        }
    }
}

/// `literal8 = "~{" number64 ["+"] "}" CRLF *OCTET` (RFC 9051 §4.3.1, RFC 3516): any octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Literal8<'a> {
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser::bytes"))]
    data: Cow<'a, [u8]>,
    mode: LiteralMode,
}

impl<'a> Literal8<'a> {
    /// A binary literal holding `data`.
    pub fn new(data: impl IntoBytes<'a>) -> Self {
        Literal8 {
            data: data.into_bytes(),
            mode: LiteralMode::Sync,
        }
    }

    /// The same literal, to be sent as `mode`.
    pub fn with_mode(mut self, mode: LiteralMode) -> Self {
        self.mode = mode;
        self
    }

    /// The data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// How it is sent.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// Parses `literal8`; `~{n+}` only where `CMD`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() != Some(&b'~') {
            return fail(i, "literal8");
        }
        let (rest, (data, non_sync, _)) =
            crate::parse::rule("literal8", |i| literal_any::<CMD>(i, true))(i)?;
        let mode = if non_sync {
            LiteralMode::NonSync
        } else {
            LiteralMode::Sync
        };
        Ok((
            rest,
            Literal8 {
                data: Cow::Borrowed(data),
                mode,
            },
        ))
    }
}

impl Encode for Literal8<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.literal(&self.data, true, self.mode == LiteralMode::NonSync);
    }
}

impl IntoStatic for Literal8<'_> {
    type Static = Literal8<'static>;
    fn into_static(self) -> Literal8<'static> {
        Literal8 {
            data: self.data.into_static(),
            mode: self.mode,
        }
    }
}

/// `string = quoted / literal` (RFC 9051 §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum IString<'a> {
    /// `"..."`
    Quoted(Quoted<'a>),
    /// `{n}` CRLF data
    Literal(Literal<'a>),
}

impl<'a> IString<'a> {
    /// The shortest form valid in every mode for `value`: quoted when it is ASCII without CR,
    /// LF or NUL, else a literal. Raw UTF-8 in a quoted string is valid only once UTF8=ACCEPT
    /// is enabled or in IMAP4rev2 (RFC 6855 §3, RFC 3501 §9 `QUOTED-CHAR` is 7-bit), a literal
    /// always is (RFC 3501 §4.3), so non-ASCII values are literals. Fails only when `value`
    /// contains NUL.
    ///
    /// ```
    /// use mailproto_imap_codec::IString;
    /// assert!(matches!(IString::new("two words").unwrap(), IString::Quoted(_)));
    /// assert!(matches!(IString::new("line\r\nbreak").unwrap(), IString::Literal(_)));
    /// assert!(matches!(IString::new("smørrebrød").unwrap(), IString::Literal(_)));
    /// ```
    pub fn new(value: impl IntoBytes<'a>) -> Result<Self, ValidationError> {
        let value = value.into_bytes();
        let quotable = value
            .iter()
            .all(|&b| b.is_ascii() && b != 0 && b != b'\r' && b != b'\n');
        if quotable {
            let text = match value {
                Cow::Borrowed(b) => Cow::Borrowed(ascii_str(b)),
                Cow::Owned(v) => Cow::Owned(String::from_utf8(v).unwrap_or_default()),
            };
            return Ok(IString::Quoted(Quoted(text)));
        }
        Literal::new(value).map(IString::Literal)
    }

    /// The string's octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            IString::Quoted(q) => q.as_str().as_bytes(),
            IString::Literal(l) => l.data(),
        }
    }

    /// Parses `string`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        match i.first() {
            Some(b'"') => Quoted::parse(i).map(|(r, q)| (r, IString::Quoted(q))),
            Some(b'{') => Literal::parse::<CMD>(i).map(|(r, l)| (r, IString::Literal(l))),
            _ => fail(i, "string"),
        }
    }

    /// Checks `string` without building the value (no allocation; the same acceptance and
    /// errors as [`IString::parse`]).
    pub(crate) fn skip<const CMD: bool>(i: &'a [u8]) -> PResult<'a, ()> {
        match i.first() {
            Some(b'"') => Quoted::skip(i),
            Some(b'{') => Literal::parse::<CMD>(i).map(|(r, _)| (r, ())),
            _ => fail(i, "string"),
        }
    }
}

impl Encode for IString<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            IString::Quoted(q) => q.encode(e),
            IString::Literal(l) => l.encode(e),
        }
    }
}

impl IntoStatic for IString<'_> {
    type Static = IString<'static>;
    fn into_static(self) -> IString<'static> {
        match self {
            IString::Quoted(q) => IString::Quoted(q.into_static()),
            IString::Literal(l) => IString::Literal(l.into_static()),
        }
    }
}

/// `astring = 1*ASTRING-CHAR / string` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AString<'a> {
    /// The atom form.
    Atom(AtomExt<'a>),
    /// A quoted string or literal.
    String(IString<'a>),
}

impl<'a> AString<'a> {
    /// The shortest valid form for `value`: an atom when possible, else quoted, else a literal.
    ///
    /// ```
    /// use mailproto_imap_codec::AString;
    /// assert!(matches!(AString::new("INBOX").unwrap(), AString::Atom(_)));
    /// assert!(matches!(AString::new("").unwrap(), AString::String(_)));
    /// ```
    pub fn new(value: impl IntoBytes<'a>) -> Result<Self, ValidationError> {
        let value = value.into_bytes();
        if !value.is_empty() && value.iter().all(|&b| is_astring_char(b)) {
            let atom = match value {
                Cow::Borrowed(b) => AtomExt::from_checked(b),
                Cow::Owned(v) => AtomExt(Cow::Owned(String::from_utf8(v).unwrap_or_default())),
            };
            return Ok(AString::Atom(atom));
        }
        IString::new(value).map(AString::String)
    }

    /// The string's octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            AString::Atom(a) => a.as_str().as_bytes(),
            AString::String(s) => s.as_bytes(),
        }
    }

    /// Parses `astring`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        match i.first() {
            Some(b'"') => Quoted::parse(i).map(|(r, q)| (r, AString::String(IString::Quoted(q)))),
            Some(b'{') => IString::parse::<CMD>(i).map(|(r, s)| (r, AString::String(s))),
            _ => {
                let (rest, run) = take_while1(i, is_astring_char, "astring")?;
                Ok((rest, AString::Atom(AtomExt::from_checked(run))))
            }
        }
    }
}

impl Encode for AString<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            AString::Atom(a) => a.encode(e),
            AString::String(s) => s.encode(e),
        }
    }
}

impl IntoStatic for AString<'_> {
    type Static = AString<'static>;
    fn into_static(self) -> AString<'static> {
        match self {
            AString::Atom(a) => AString::Atom(a.into_static()),
            AString::String(s) => AString::String(s.into_static()),
        }
    }
}

/// `nstring = string / nil` (RFC 9051 §4.5): `None` is `NIL`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct NString<'a>(pub Option<IString<'a>>);

impl<'a> NString<'a> {
    /// `NIL`.
    pub const NIL: NString<'static> = NString(None);

    /// The string's octets, or `None` for NIL.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.0.as_ref().map(IString::as_bytes)
    }

    /// Parses `nstring`, reporting `rule` when the input is neither a string nor NIL.
    pub(crate) fn parse_as<const CMD: bool>(i: &'a [u8], rule: &'static str) -> PResult<'a, Self> {
        match i.first() {
            Some(b'"' | b'{') => IString::parse::<CMD>(i).map(|(r, s)| (r, NString(Some(s)))),
            Some(b'N' | b'n') => match nil(i) {
                Ok((r, ())) => Ok((r, NString(None))),
                Err(_) => fail(i, rule),
            },
            _ => fail(i, rule),
        }
    }
}

impl Encode for NString<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match &self.0 {
            Some(s) => s.encode(e),
            None => {
                e.raw(b"NIL");
            }
        }
    }
}

impl IntoStatic for NString<'_> {
    type Static = NString<'static>;
    fn into_static(self) -> NString<'static> {
        NString(self.0.into_static())
    }
}

/// `nil = "NIL"` (case-insensitive).
pub(crate) fn nil(i: &[u8]) -> PResult<'_, ()> {
    crate::parse::keyword(i, "NIL")
}

/// `text = 1*(TEXT-CHAR / UTF8-2 / UTF8-3 / UTF8-4)` (RFC 9051 §9): human-readable text up to
/// the end of the line. It may be empty where the grammar makes it optional (`resp-text`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Text<'a>(Cow<'a, str>);

impl<'a> Text<'a> {
    /// Checks that `value` holds no CR, LF or NUL.
    pub fn new(value: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let value = value.into();
        if let Some(p) = value
            .bytes()
            .position(|b| b == 0 || b == b'\r' || b == b'\n')
        {
            return Err(ValidationError::new("text", Some(p)));
        }
        Ok(Text(value))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses text up to (not including) CR; may return empty text.
    pub(crate) fn parse_opt(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, run) = take_while(i, |b| is_text_char(b) || b >= 0x80);
        let text = match ::core::str::from_utf8(run) {
            Ok(t) => t,
            Err(e) => return fail(&i[e.valid_up_to()..], "TEXT-CHAR"),
        };
        Ok((rest, Text(Cow::Borrowed(text))))
    }
}

impl Encode for Text<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.0.as_bytes());
    }
}

impl IntoStatic for Text<'_> {
    type Static = Text<'static>;
    fn into_static(self) -> Text<'static> {
        Text(self.0.into_static())
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quoted strings: mostly plain ASCII, with any byte, escapes, DQUOTEs, CR/LF and UTF-8.
    fn quoted_input() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        proptest::collection::vec(
            prop_oneof![
                6 => 0x20u8..0x7f,
                1 => any::<u8>(),
                1 => Just(b'\\'),
                1 => Just(b'"'),
                1 => Just(0xc3u8),
                1 => Just(0xa9u8),
                1 => Just(b'{'),
            ],
            0..40,
        )
        .prop_map(|mut v| {
            v.insert(0, b'"');
            v
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// The ASCII fast paths of `quoted` and `astring` give what the exact scan gives (the
        /// same value and end, or the same error), in every UTF-8 mode, and `skip` likewise.
        #[test]
        fn quoted_fast_path_agrees_with_the_exact_scan(input in quoted_input()) {
            for mode in [Utf8Quoted::Refuse, Utf8Quoted::Allow, Utf8Quoted::Report] {
                // Each path in a scope of its own: raw UTF-8 noted under Report must agree too.
                let scope = Utf8Scope::enter(mode);
                let exact = Quoted::parse_exact(&input);
                let exact_seen = scope.first_seen();
                drop(scope);
                let scope = Utf8Scope::enter(mode);
                let fast = Quoted::parse(&input);
                let fast_seen = scope.first_seen();
                let skipped = Quoted::skip(&input);
                let astring = AString::parse::<true>(&input);
                drop(scope);
                let _scope = Utf8Scope::enter(mode);
                let exact_skip = crate::parse::rule("quoted", Quoted::scan)(&input)
                    .map(|(rest, _)| (rest, ()));
                proptest::prop_assert_eq!(fast, exact.clone());
                proptest::prop_assert_eq!(fast_seen, exact_seen);
                proptest::prop_assert_eq!(skipped, exact_skip);
                let exact_astring = exact.map(|(r, q)| (r, AString::String(IString::Quoted(q))));
                proptest::prop_assert_eq!(astring, exact_astring);
            }
        }
    }

    #[test]
    fn quoted_special_search_agrees_with_a_byte_loop() {
        // Every length up to 40, a special at every position, and bytes either side of the
        // specials' values (0x21, 0x23, 0x5b, 0x5d, 0xa2, 0xdc), which a wrong borrow would hit.
        for len in 0..40 {
            for filler in [b'a', b'!', b'#', b'[', b']', 0xa2, 0xdc, 0x00] {
                let plain = vec![filler; len];
                assert!(!has_quoted_special(&plain), "{len} {filler}");
                for at in 0..len {
                    for special in [b'"', b'\\'] {
                        let mut v = plain.clone();
                        v[at] = special;
                        assert!(has_quoted_special(&v), "{len} {filler} {at} {special}");
                    }
                }
            }
        }
    }

    #[test]
    fn quoted_rejects_a_bad_byte_at_every_position() {
        // The word-at-a-time prefix must hand every forbidden byte to the byte loop, wherever
        // it sits in the word; allowed control characters and UTF-8 pass.
        for len in 0..40 {
            for at in 0..len {
                for (bad, expected) in [
                    (0u8, "QUOTED-CHAR"),
                    (b'\r', "QUOTED-CHAR"),
                    (b'\n', "QUOTED-CHAR"),
                    (0xff, "QUOTED-CHAR"),
                ] {
                    let mut input = vec![b'"'];
                    input.extend(::core::iter::repeat_n(b'x', len));
                    input[1 + at] = bad;
                    input.push(b'"');
                    match Quoted::parse(&input) {
                        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                            assert_eq!(input.len() - e.input.len(), 1 + at, "{len} {at} {bad}");
                            assert_eq!(e.expected, expected);
                        }
                        other => panic!("{len} {at} {bad}: {other:?}"),
                    }
                }
                for good in [1u8, 0x7f, b'\t'] {
                    let mut input = vec![b'"'];
                    input.extend(::core::iter::repeat_n(b'x', len));
                    input[1 + at] = good;
                    input.push(b'"');
                    let (rest, q) = Quoted::parse(&input).unwrap();
                    assert_eq!((rest, q.as_str().as_bytes()), (&b""[..], &input[1..=len]));
                }
            }
            let mut input = vec![b'"'];
            input.extend(::core::iter::repeat_n(b'x', len));
            input.extend_from_slice("é\\\"\"".as_bytes());
            let (_, q) = Quoted::parse(&input).unwrap();
            assert_eq!(q.as_str(), format!("{}é\"", "x".repeat(len)));
        }
    }

    #[test]
    fn quoted_unescapes_and_borrows_when_it_can() {
        let (rest, q) = Quoted::parse(b"\"a b\" x").unwrap();
        assert_eq!((q.as_str(), rest), ("a b", &b" x"[..]));
        assert!(matches!(q.0, Cow::Borrowed(_)));
        let (_, q) = Quoted::parse(br#""say \"hi\" \\o/""#).unwrap();
        assert_eq!(q.as_str(), r#"say "hi" \o/"#);
        assert!(Quoted::parse(br#""bad \x""#).is_err());
        assert!(Quoted::parse(b"\"a\rb\"").is_err());
        assert!(Quoted::parse(b"\"open").is_err());
        assert_eq!(
            Quoted::parse("\"Grüße\"".as_bytes()).unwrap().1.as_str(),
            "Grüße"
        );
        assert!(Quoted::parse(b"\"\xff\"").is_err());
    }

    /// The unescaping of `quoted`: every string of `"`, `\`, ASCII and non-ASCII characters,
    /// escaped as the grammar wants, reads back as itself.
    #[test]
    fn quoted_unescapes_every_mix_of_escapes_and_text() {
        let alphabet = ["a", "\"", "\\", "é", " ", "xyz"];
        for n in 0..6usize.pow(5) {
            let mut text = String::new();
            let mut k = n;
            for _ in 0..5 {
                text.push_str(alphabet[k % 6]);
                k /= 6;
            }
            let mut wire = String::from("\"");
            for c in text.chars() {
                if c == '"' || c == '\\' {
                    wire.push('\\');
                }
                wire.push(c);
            }
            wire.push('"');
            let (rest, q) = Quoted::parse(wire.as_bytes()).unwrap();
            assert_eq!((q.as_str(), rest), (text.as_str(), &b""[..]), "{wire}");
        }
    }

    #[test]
    fn literal_forms() {
        let (rest, l) = Literal::parse::<true>(b"{3+}\r\nabc)").unwrap();
        assert_eq!(
            (l.data(), l.mode(), rest),
            (&b"abc"[..], LiteralMode::NonSync, &b")"[..])
        );
        assert!(Literal::parse::<false>(b"{3+}\r\nabc").is_err());
        assert!(Literal::parse::<true>(b"{3}\r\na\0c").is_err());
        assert!(Literal::parse::<true>(b"{4}\r\nabc").is_err());
        let (_, l8) = Literal8::parse::<false>(b"~{3}\r\na\0c").unwrap();
        assert_eq!(l8.data(), b"a\0c");
    }

    #[test]
    fn encode_picks_the_shortest_form() {
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        AString::new(&b"INBOX"[..]).unwrap().encode(&mut e);
        e.sp();
        AString::new(&b"a \"b\""[..]).unwrap().encode(&mut e);
        e.sp();
        AString::new(&b"x\ny"[..]).unwrap().encode(&mut e);
        let _ = e.finish();
        assert_eq!(out, b"INBOX \"a \\\"b\\\"\" {3}\r\nx\ny");
    }
}
