//! Basic values shared by commands and responses (RFC 1939 §3, RFC 2449 §3, RFC 6856 §2–3):
//! parameters, passwords, SASL mechanism names, unique-ids, language tags, response text,
//! plus the [`IntoStatic`] and [`Encode`] traits.
//!
//! Every type here can only hold a value its rule allows: constructors validate, parsers
//! borrow from the input, and [`IntoStatic`] makes any value owned.

use crate::prelude::*;

use ::core::fmt;
use ::core::num::NonZeroU32;
use alloc::borrow::Cow;

use crate::context::{Deviation, ParseOptions, Pop3Deviation, Side};
use crate::error::{ErrorKind, ParseError, ValidationError};

/// A message number (RFC 1939 §3: "message-number ... 1-origin"), never zero.
pub type MsgNumber = NonZeroU32;

pub use mailproto_core::IntoStatic;

/// A value that has a wire form (RFC 1939 §3): appends it to the caller's buffer.
pub trait Encode {
    /// Appends the wire form of `self` to `out`, CRLF (and any terminating `.` line)
    /// included.
    fn encode(&self, out: &mut Vec<u8>);

    /// The wire form in a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        // Room for a status line: most values are one, or start with one.
        let mut out = Vec::with_capacity(64);
        self.encode(&mut out);
        out
    }
}

/// Appends a decimal number.
pub(crate) fn put_number(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
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

// ---------------------------------------------------------------------------------------
// Byte classes.

/// VCHAR (%x21-7E) or an octet of a UTF-8 sequence (RFC 6856 §2.2 allows UTF-8 arguments).
pub(crate) fn is_param_byte(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) || b >= 0x80
}

/// A password octet: like a parameter, and SP (RFC 1939 §7: spaces may be part of it).
pub(crate) fn is_secret_byte(b: u8) -> bool {
    b == b' ' || is_param_byte(b)
}

/// Response text: any octet but NUL, CR and LF (CHAR of RFC 2449 §3, and UTF-8 per
/// RFC 6856 §3.2).
pub(crate) fn is_text_byte(b: u8) -> bool {
    !matches!(b, 0 | b'\r' | b'\n')
}

pub(crate) fn is_vchar(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// Octets of a word: every one 1, every one 0x7F, every high bit (word arithmetic, here and
/// in `listing`).
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
pub(crate) const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// Every octet of a word set to `b`.
pub(crate) const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// The high bit of every octet of `x` that is not zero (exact for every octet: nothing
/// carries, the low seven bits are added to 0x7F at most).
#[inline(always)]
fn nonzero(x: u64) -> u64 {
    ((x & LOW7).wrapping_add(LOW7) | x) & HIGH
}

/// The high bit of every octet of `w` that is `b`.
#[inline(always)]
fn octets_eq(w: u64, b: u8) -> u64 {
    !nonzero(w ^ splat(b)) & HIGH
}

/// The high bit of every octet of `w` below 0x80 that is not a VCHAR (%x21-7E): CTLs, SP
/// and DEL. (The low seven bits are offset so that the high bit tells the comparison; no
/// addition carries into the next octet because both terms are below 0x80.)
#[inline(always)]
fn ascii_non_vchar(w: u64) -> u64 {
    let low = w & LOW7;
    let at_least_21 = low.wrapping_add(splat(0x80 - 0x21));
    let above_7e = low.wrapping_add(splat(0x7f - 0x7e));
    (!at_least_21 | above_7e) & !w & HIGH
}

/// The high bit of every octet of `w` that is not text ([`is_text_byte`]).
#[inline(always)]
fn non_text_octets(w: u64) -> u64 {
    octets_eq(w, 0) | octets_eq(w, b'\r') | octets_eq(w, b'\n')
}

/// The high bits of the octets of `w` as eight bits, octet `i` at bit `i` (gathered into the
/// low eight bits of the product's top octet).
#[inline(always)]
fn gather(high_bits: u64) -> u64 {
    (high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// One bit per octet of `block` (octet `i`, bit `i`): set where `stops` sets the octet's high
/// bit. Eight words with word arithmetic, no branch: in a fuzz build every comparison calls
/// into the fuzzer, and a per-octet loop compares every octet once per rule it checks.
#[inline(always)]
fn block_stops(block: &[u8; 64], stops: impl Fn(u64) -> u64) -> u64 {
    let mut mask = 0;
    for (i, w) in block.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        mask |= gather(stops(w)) << (8 * i);
    }
    mask
}

/// One bit per octet of `block` (octet `i`, bit `i`): set where the octet is not `text`
/// ([`is_text_byte`]: NUL, CR or LF).
#[inline]
pub(crate) fn non_text(block: &[u8; 64]) -> u64 {
    block_stops(block, non_text_octets)
}

/// How many leading octets of `bytes` `stops` does not stop at: 64 at a time, each block
/// padded (the bit after the last octet stands for the end).
#[inline(always)]
fn run_len(bytes: &[u8], stops: impl Fn(u64) -> u64 + Copy) -> usize {
    let mut at = 0;
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        let len = rest.len().min(64);
        let mut block = [0; 64];
        block[..len].copy_from_slice(&rest[..len]);
        let mask = block_stops(&block, stops) | (1u128 << len) as u64;
        if mask != 0 {
            return at + mask.trailing_zeros() as usize;
        }
        at += 64;
    }
}

/// The offset of the first `b` in `bytes`, 64 octets at a time: on short input `memchr` runs
/// a per-octet loop, a comparison (in a fuzz build, a call into the fuzzer) per octet.
pub(crate) fn find_octet(bytes: &[u8], b: u8) -> Option<usize> {
    let at = run_len(bytes, |w| octets_eq(w, b));
    (at < bytes.len()).then_some(at)
}

/// The offset of the first LF in `bytes` that does not follow a CR (RFC 1939 §3 ends lines
/// with CRLF), found 64 octets at a time.
pub(crate) fn first_bare_lf(bytes: &[u8]) -> Option<usize> {
    // Whether the octet before the block was a CR.
    let mut cr_before = 0;
    for (i, chunk) in bytes.chunks(64).enumerate() {
        let mut block = [0; 64];
        block[..chunk.len()].copy_from_slice(chunk);
        let lf = block_stops(&block, |w| octets_eq(w, b'\n'));
        let cr = block_stops(&block, |w| octets_eq(w, b'\r'));
        let bare = lf & !(cr << 1 | cr_before);
        if bare != 0 {
            return Some(64 * i + bare.trailing_zeros() as usize);
        }
        cr_before = cr >> 63;
    }
    None
}

/// How many leading octets of `bytes` are VCHARs ([`is_vchar`]).
pub(crate) fn vchar_len(bytes: &[u8]) -> usize {
    run_len(bytes, |w| ascii_non_vchar(w) | (w & HIGH))
}

/// How many leading octets of `bytes` are parameter octets ([`is_param_byte`]).
pub(crate) fn param_len(bytes: &[u8]) -> usize {
    run_len(bytes, ascii_non_vchar)
}

/// How many leading octets of `bytes` are `cchar`s ([`is_cchar`]).
pub(crate) fn cchar_len(bytes: &[u8]) -> usize {
    run_len(bytes, |w| {
        ascii_non_vchar(w) | (w & HIGH) | octets_eq(w, b'.')
    })
}

/// How many leading octets of `bytes` are `text` ([`is_text_byte`]): the offset of the first
/// NUL, CR or LF, or the length. The first 64 octets (a status line, a listing's line) are
/// classified as one padded block ([`non_text`]), the rest, when there is no stop among
/// them, with `memchr3`.
#[inline]
pub(crate) fn text_len(bytes: &[u8]) -> usize {
    let len = bytes.len().min(64);
    // Padded with a text octet; the bit after the last octet stands for the end.
    let mut block = [b' '; 64];
    block[..len].copy_from_slice(&bytes[..len]);
    let stops = non_text(&block) | (1u128 << len) as u64;
    if stops != 0 {
        return stops.trailing_zeros() as usize;
    }
    let rest = &bytes[64..];
    64 + memchr::memchr3(0, b'\r', b'\n', rest).unwrap_or(rest.len())
}

/// `mech-char` of RFC 4422 §3.1, lower case accepted (RFC 5034 §5: case-insensitive).
fn is_mech_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `cchar` of RFC 2449 §3 (printable ASCII but "."; DEL excluded).
pub(crate) fn is_cchar(b: u8) -> bool {
    is_vchar(b) && b != b'.'
}

/// `rchar` of RFC 2449 §3 (printable ASCII but "/" and "]").
fn is_rchar(b: u8) -> bool {
    is_vchar(b) && b != b'/' && b != b']'
}

fn check_chars(
    bytes: &[u8],
    rule: &'static str,
    min: usize,
    max: usize,
    ok: impl Fn(u8) -> bool,
) -> Result<(), ValidationError> {
    if let Some(p) = bytes.iter().position(|&b| !ok(b)) {
        return Err(ValidationError::new(rule, Some(p)));
    }
    if bytes.len() < min || bytes.len() > max {
        return Err(ValidationError::new(rule, None));
    }
    Ok(())
}

fn check_mechanism(b: &[u8]) -> Result<(), ValidationError> {
    check_chars(b, "sasl-mech", 1, 20, is_mech_char)
}

fn check_unique_id(b: &[u8]) -> Result<(), ValidationError> {
    check_chars(b, "unique-id", 1, 70, is_vchar)
}

fn check_param(b: &[u8]) -> Result<(), ValidationError> {
    check_chars(b, "param", 1, usize::MAX, is_param_byte)
}

fn check_secret(b: &[u8]) -> Result<(), ValidationError> {
    check_chars(b, "password", 1, usize::MAX, is_secret_byte)
}

fn check_capa_tag(b: &[u8]) -> Result<(), ValidationError> {
    check_chars(b, "capa-tag", 1, usize::MAX, is_cchar)
}

/// A language tag or basic language range (RFC 4647 §2.1, RFC 5646): subtags of 1–8
/// letters or digits separated by "-", the first made of letters.
fn check_language(b: &[u8]) -> Result<(), ValidationError> {
    const RULE: &str = "language-tag";
    let mut start = 0;
    for (n, sub) in b.split(|&c| c == b'-').enumerate() {
        let ok = |c: u8| {
            if n == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric()
            }
        };
        if let Some(p) = sub.iter().position(|&c| !ok(c)) {
            return Err(ValidationError::new(RULE, Some(start + p)));
        }
        if sub.is_empty() || sub.len() > 8 {
            return Err(ValidationError::new(
                RULE,
                Some(start.min(b.len().saturating_sub(1))),
            ));
        }
        start += sub.len() + 1;
    }
    Ok(())
}

/// `resp-code` content of RFC 2449 §3: `resp-level *("/" resp-level)`.
fn check_resp_code(b: &[u8]) -> Result<(), ValidationError> {
    const RULE: &str = "resp-code";
    let mut start = 0;
    for level in b.split(|&c| c == b'/') {
        if let Some(p) = level.iter().position(|&c| !is_rchar(c)) {
            return Err(ValidationError::new(RULE, Some(start + p)));
        }
        if level.is_empty() {
            return Err(ValidationError::new(
                RULE,
                Some(start.min(b.len().saturating_sub(1))),
            ));
        }
        start += level.len() + 1;
    }
    Ok(())
}

/// The APOP timestamp (RFC 1939 §7): `"<" *VCHAR ">"`, with no `<` or `>` inside.
fn check_timestamp(b: &[u8]) -> Result<(), ValidationError> {
    const RULE: &str = "timestamp";
    if b.first() != Some(&b'<') {
        return Err(ValidationError::new(RULE, Some(0)));
    }
    if b.len() < 2 || b.last() != Some(&b'>') {
        return Err(ValidationError::new(RULE, None));
    }
    let inner = &b[1..b.len() - 1];
    match inner
        .iter()
        .position(|&c| !is_vchar(c) || c == b'<' || c == b'>')
    {
        Some(p) => Err(ValidationError::new(RULE, Some(p + 1))),
        None => Ok(()),
    }
}

macro_rules! str_token {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        mailproto_core::validated_str!($(#[$doc])* $name, $check);

        impl<'a> $name<'a> {
            /// Parses bytes already known to be in the rule's alphabet; checks UTF-8 and the
            /// rule. `at` is their offset in the message.
            #[allow(dead_code)]
            pub(crate) fn from_wire(
                bytes: &'a [u8],
                at: usize,
                expected: &'static str,
            ) -> Result<Self, ParseError> {
                let text = ::core::str::from_utf8(bytes).map_err(|e| {
                    ParseError::new(at + e.valid_up_to(), "UTF-8", ErrorKind::InvalidValue)
                })?;
                $check(bytes).map_err(|e| {
                    ParseError::new(at + e.position.unwrap_or(0), expected, ErrorKind::Syntax)
                })?;
                Ok($name(Cow::Borrowed(text)))
            }

            /// Parses bytes taken as a run of the rule's own octet class, at least one (all
            /// the rule asks of `Param` and `CapaTag`, but UTF-8): checks UTF-8 only, with
            /// [`from_wire`](Self::from_wire)'s error.
            #[allow(dead_code)]
            pub(crate) fn from_run(bytes: &'a [u8], at: usize) -> Result<Self, ParseError> {
                let text = ::core::str::from_utf8(bytes).map_err(|e| {
                    ParseError::new(at + e.valid_up_to(), "UTF-8", ErrorKind::InvalidValue)
                })?;
                Ok(Self::from_checked(text))
            }

            /// Wraps text already checked against the rule.
            #[allow(dead_code)]
            pub(crate) fn from_checked(text: &'a str) -> Self {
                debug_assert!($check(text.as_bytes()).is_ok());
                $name(Cow::Borrowed(text))
            }
        }
    };
}

macro_rules! debug_as_str {
    ($($name:ident),*) => {$(
        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    )*};
}

str_token!(
    /// A command parameter (RFC 2449 §3 `param = 1*VCHAR`), such as the name of USER and
    /// APOP; UTF-8 allowed (RFC 6856 §2.2).
    Param,
    check_param
);

str_token!(
    /// The argument of PASS (RFC 1939 §7): the rest of the line, which may contain spaces
    /// (and UTF-8, RFC 6856 §2.2). Its `Debug` output is redacted.
    Secret,
    check_secret
);

str_token!(
    /// A SASL mechanism name (RFC 4422 §3.1 `sasl-mech`, RFC 5034 §4): 1–20 letters, digits,
    /// `-` or `_`. Compared case-insensitively with [`Mechanism::is`].
    Mechanism,
    check_mechanism
);

str_token!(
    /// A unique-id (RFC 1939 §7, UIDL): 1 to 70 octets in 0x21–0x7E.
    UniqueId,
    check_unique_id
);

str_token!(
    /// A language tag (RFC 5646) or basic language range (RFC 4647 §2.1), as used by LANG
    /// (RFC 6856 §3).
    Language,
    check_language
);

str_token!(
    /// A capability tag (RFC 2449 §3 `capa-tag = 1*cchar`), compared case-insensitively.
    CapaTag,
    check_capa_tag
);

str_token!(
    /// An APOP timestamp (RFC 1939 §7): `<` VCHARs `>`, brackets included.
    Timestamp,
    check_timestamp
);

debug_as_str!(Param, Mechanism, UniqueId, Language, CapaTag, Timestamp);

/// The names of the command fields whose values are secrets (the command table's field
/// names): AUTH's `initial_response` (RFC 5034 §4). PASS's argument is a [`Secret`], redacted
/// by its type.
pub const SECRET_FIELDS: &[&str] = &["initial_response"];

/// A field of a command as `Debug` shows it: its value, or `<redacted>` for a
/// [`SECRET_FIELDS`] name.
pub struct RedactField<'v> {
    name: &'static str,
    value: &'v dyn fmt::Debug,
}

impl<'v> RedactField<'v> {
    /// The field `name` with its value.
    pub fn new(name: &'static str, value: &'v dyn fmt::Debug) -> Self {
        RedactField { name, value }
    }
}

impl fmt::Debug for RedactField<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if SECRET_FIELDS.contains(&self.name) {
            f.write_str("<redacted>")
        } else {
            self.value.fmt(f)
        }
    }
}

/// Octets shown by their count only: `<N octets>` (SASL data, buffered lines).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Octets(pub usize);

impl fmt::Debug for Octets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} octets>", self.0)
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Mechanism<'_> {
    /// True when this is the mechanism `name`, ignoring case (RFC 5034 §5).
    pub fn is(&self, name: &str) -> bool {
        self.0.eq_ignore_ascii_case(name)
    }
}

// ---------------------------------------------------------------------------------------
// Response codes.

/// The meaning of a response code (RFC 2449 §8, RFC 3206, RFC 6856 §5), matched
/// case-insensitively on its leading levels; further hierarchical detail is ignored as
/// RFC 2449 §8 requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum CodeKind {
    /// `IN-USE` (RFC 2449 §8.1.2): authenticated, but the maildrop is locked.
    InUse,
    /// `LOGIN-DELAY` (RFC 2449 §8.1.1): logged in too recently.
    LoginDelay,
    /// `SYS/TEMP` (RFC 3206 §4): a temporary system problem.
    SysTemp,
    /// `SYS/PERM` (RFC 3206 §4): a permanent system problem.
    SysPerm,
    /// `AUTH` (RFC 3206 §5): the credentials were wrong.
    Auth,
    /// `UTF8` (RFC 6856 §5): the message needs UTF-8 mode.
    Utf8,
    /// Any other code (kept verbatim in [`ResponseCode::as_str`]).
    Unknown,
}

/// An extended response code (RFC 2449 §8): `[` resp-level *("/" resp-level) `]`, without
/// the brackets, case kept as received.
///
/// ```
/// use mailproto_pop3_codec::{CodeKind, ResponseCode};
/// let code = ResponseCode::new("sys/temp/disk-full").unwrap();
/// assert_eq!(code.kind(), CodeKind::SysTemp);
/// assert_eq!(code.levels().collect::<Vec<_>>(), ["sys", "temp", "disk-full"]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResponseCode<'a> {
    code: Cow<'a, str>,
    kind: CodeKind,
}

impl<'a> ResponseCode<'a> {
    /// Checks `code` (the text between the brackets) against RFC 2449 §3 `resp-code`.
    pub fn new(code: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let code = code.into();
        check_resp_code(code.as_bytes())?;
        let kind = classify(&code);
        Ok(ResponseCode { code, kind })
    }

    /// The code for a known meaning, spelled as in its RFC (`Unknown` gives `X-UNKNOWN`).
    pub fn of(kind: CodeKind) -> ResponseCode<'static> {
        let code = match kind {
            CodeKind::InUse => "IN-USE",
            CodeKind::LoginDelay => "LOGIN-DELAY",
            CodeKind::SysTemp => "SYS/TEMP",
            CodeKind::SysPerm => "SYS/PERM",
            CodeKind::Auth => "AUTH",
            CodeKind::Utf8 => "UTF8",
            CodeKind::Unknown => "X-UNKNOWN",
        };
        ResponseCode {
            code: Cow::Borrowed(code),
            kind,
        }
    }

    pub(crate) fn from_wire(bytes: &'a [u8], at: usize) -> Result<Self, ParseError> {
        check_resp_code(bytes)
            .map_err(|e| ParseError::syntax(at + e.position.unwrap_or(0), "resp-level"))?;
        // rchar is ASCII, so this cannot fail.
        let code =
            ::core::str::from_utf8(bytes).map_err(|_| ParseError::syntax(at, "resp-level"))?;
        Ok(ResponseCode {
            code: Cow::Borrowed(code),
            kind: classify(code),
        })
    }

    /// What the code means.
    pub fn kind(&self) -> CodeKind {
        self.kind
    }

    /// The code as received (without brackets).
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The hierarchical levels, in order.
    pub fn levels(&self) -> impl Iterator<Item = &str> {
        self.code.split('/')
    }
}

fn classify(code: &str) -> CodeKind {
    let mut levels = code.split('/');
    let first = levels.next().unwrap_or("");
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    if is(first, "IN-USE") {
        CodeKind::InUse
    } else if is(first, "LOGIN-DELAY") {
        CodeKind::LoginDelay
    } else if is(first, "AUTH") {
        CodeKind::Auth
    } else if is(first, "UTF8") {
        CodeKind::Utf8
    } else if is(first, "SYS") {
        match levels.next() {
            Some(l) if is(l, "TEMP") => CodeKind::SysTemp,
            Some(l) if is(l, "PERM") => CodeKind::SysPerm,
            _ => CodeKind::Unknown,
        }
    } else {
        CodeKind::Unknown
    }
}

impl fmt::Debug for ResponseCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseCode({:?}, {:?})", self.code, self.kind)
    }
}

impl fmt::Display for ResponseCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.code)
    }
}

// ---------------------------------------------------------------------------------------
// Text.

/// Human-readable text of a response line (RFC 1939 §3, RFC 2449 §3 `text`): any octets
/// but NUL, CR and LF. UTF-8 is expected (RFC 6856 §3.2) but not required, so the text is
/// kept as octets; [`Text::as_str`] gives it as UTF-8 when it is.
#[derive(Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Text<'a>(
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser::bytes"))] Cow<'a, [u8]>,
);

impl<'a> Text<'a> {
    /// Checks that `text` has no NUL, CR or LF.
    pub fn new(text: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValidationError> {
        let text = text.into();
        check_chars(&text, "text", 0, usize::MAX, is_text_byte)?;
        Ok(Text(text))
    }

    /// Empty text.
    pub fn empty() -> Text<'static> {
        Text(Cow::Borrowed(b""))
    }

    pub(crate) fn from_checked(bytes: &'a [u8]) -> Self {
        Text(Cow::Borrowed(bytes))
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        ::core::str::from_utf8(&self.0).ok()
    }

    /// True when there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> TryFrom<&'a str> for Text<'a> {
    type Error = ValidationError;
    fn try_from(value: &'a str) -> Result<Self, ValidationError> {
        Self::new(value.as_bytes())
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({:?})", String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

// ---------------------------------------------------------------------------------------
// The line cursor used by the grammar.

/// A position in one message, with the small set of rules POP3 needs.
pub(crate) struct Cursor<'a> {
    pub input: &'a [u8],
    pub pos: usize,
    /// Real-world profile: a bare LF ends a line ([`Pop3Deviation::BareLf`]).
    pub bare_lf_ok: bool,
    /// Real-world profile: the other deviations of [`Pop3Deviation`] are accepted too.
    pub real_world: bool,
    /// The deviations accepted so far.
    pub deviations: Vec<Deviation>,
    /// Who sent the message.
    pub side: Side,
}

impl<'a> Cursor<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Cursor {
            input,
            pos: 0,
            bare_lf_ok: false,
            real_world: false,
            deviations: Vec::new(),
            side: Side::Client,
        }
    }

    /// A cursor under `options`, for a message sent by `side`.
    pub fn with_options(input: &'a [u8], options: &ParseOptions, side: Side) -> Self {
        Cursor {
            bare_lf_ok: options.real_world(),
            real_world: options.real_world(),
            side,
            ..Cursor::new(input)
        }
    }

    pub fn rest(&self) -> &'a [u8] {
        &self.input[self.pos..]
    }

    pub fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    pub fn at_eol(&self) -> bool {
        matches!(self.peek(), Some(b'\r' | b'\n') | None)
    }

    /// An error at the current position; `Incomplete` when the input is exhausted.
    pub fn err(&self, expected: &'static str) -> ParseError {
        let kind = if self.pos >= self.input.len() {
            ErrorKind::Incomplete
        } else {
            ErrorKind::Syntax
        };
        ParseError::new(self.pos, expected, kind)
    }

    pub fn tag(&mut self, t: &[u8], expected: &'static str) -> Result<(), ParseError> {
        let rest = self.rest();
        let n = t.len().min(rest.len());
        if rest[..n] == t[..n] && n == t.len() {
            self.pos += n;
            Ok(())
        } else if rest[..n] == t[..n] {
            self.pos += n;
            Err(self.err(expected))
        } else {
            let p = rest.iter().zip(t).position(|(a, b)| a != b).unwrap_or(0);
            Err(ParseError::syntax(self.pos + p, expected))
        }
    }

    pub fn sp(&mut self) -> Result<(), ParseError> {
        self.tag(b" ", "SP")
    }

    /// CRLF; a bare LF is reported as a missing CR (strict) or accepted as the line end
    /// and reported as a [`Pop3Deviation::BareLf`] deviation (real-world).
    /// Records a deviation at `offset` (real-world profile only).
    pub fn deviate(&mut self, id: Pop3Deviation, offset: usize) {
        debug_assert!(self.real_world);
        self.deviations.push(Deviation::new(id, offset, self.side));
    }

    pub fn crlf(&mut self) -> Result<(), ParseError> {
        if let Some(head) = self.rest().first_chunk::<2>()
            && u16::from_le_bytes(*head) == u16::from_le_bytes(*b"\r\n")
        {
            self.pos += 2;
            return Ok(());
        }
        self.crlf_exact()
    }

    /// [`tag`](Self::tag) for a tag of at most 8 octets, compared as one number when the
    /// input has that many (no call to `bcmp`, one comparison).
    #[inline]
    pub fn word_tag<const N: usize>(
        &mut self,
        t: [u8; N],
        expected: &'static str,
    ) -> Result<(), ParseError> {
        const { assert!(N <= 8) };
        if let Some(head) = self.rest().first_chunk::<N>() {
            let mut a = [0; 8];
            let mut b = [0; 8];
            a[..N].copy_from_slice(head);
            b[..N].copy_from_slice(&t);
            if u64::from_le_bytes(a) == u64::from_le_bytes(b) {
                self.pos += N;
                return Ok(());
            }
        }
        self.tag(&t, expected)
    }

    /// CRLF octet by octet (with the error's offset), or a bare LF under the real-world
    /// profile.
    fn crlf_exact(&mut self) -> Result<(), ParseError> {
        if self.bare_lf_ok && self.peek() == Some(b'\n') {
            self.deviations
                .push(Deviation::new(Pop3Deviation::BareLf, self.pos, self.side));
            self.pos += 1;
            return Ok(());
        }
        self.tag(b"\r\n", "CRLF")
    }

    /// Octets while `ok`, at least one.
    pub fn take1(
        &mut self,
        ok: impl Fn(u8) -> bool,
        expected: &'static str,
    ) -> Result<(usize, &'a [u8]), ParseError> {
        let start = self.pos;
        let len = self.rest().iter().take_while(|&&b| ok(b)).count();
        if len == 0 {
            return Err(self.err(expected));
        }
        self.pos += len;
        Ok((start, &self.input[start..self.pos]))
    }

    /// [`take1`](Self::take1) for a class whose run `len` measures a word at a time
    /// ([`vchar_len`], [`param_len`], [`cchar_len`]).
    pub fn take1_len(
        &mut self,
        len: fn(&[u8]) -> usize,
        expected: &'static str,
    ) -> Result<(usize, &'a [u8]), ParseError> {
        let start = self.pos;
        let n = len(self.rest());
        if n == 0 {
            return Err(self.err(expected));
        }
        self.pos += n;
        Ok((start, &self.input[start..self.pos]))
    }

    /// `text` octets (no NUL, CR or LF, [`is_text_byte`]), possibly none: `take0(is_text_byte)`
    /// found a word at a time ([`text_len`]) rather than octet by octet (a status line's text
    /// is the longest part of most responses).
    pub fn take_text(&mut self) -> (usize, &'a [u8]) {
        let start = self.pos;
        self.pos += text_len(self.rest());
        (start, &self.input[start..self.pos])
    }

    /// Octets while `ok`, possibly none.
    pub fn take0(&mut self, ok: impl Fn(u8) -> bool) -> (usize, &'a [u8]) {
        let start = self.pos;
        let len = self.rest().iter().take_while(|&&b| ok(b)).count();
        self.pos += len;
        (start, &self.input[start..self.pos])
    }

    /// A decimal number of at most `max`.
    pub fn number(&mut self, max: u64, expected: &'static str) -> Result<u64, ParseError> {
        let (start, digits) = self.take1(|b| b.is_ascii_digit(), expected)?;
        let mut n: u64 = 0;
        for &d in digits {
            n = match n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
            {
                Some(n) if n <= max => n,
                _ => return Err(ParseError::new(start, expected, ErrorKind::NumberTooLarge)),
            };
        }
        Ok(n)
    }

    pub fn u32(&mut self, expected: &'static str) -> Result<u32, ParseError> {
        Ok(self.number(u64::from(u32::MAX), expected)? as u32)
    }

    pub fn u64(&mut self, expected: &'static str) -> Result<u64, ParseError> {
        self.number(u64::MAX, expected)
    }

    /// A message number: a nonzero `u32`.
    pub fn msg(&mut self) -> Result<MsgNumber, ParseError> {
        let start = self.pos;
        let n = self.u32("msg")?;
        MsgNumber::new(n).ok_or(ParseError::new(start, "msg", ErrorKind::InvalidValue))
    }

    /// The end of the message: nothing may follow.
    pub fn end(&self) -> Result<(), ParseError> {
        if self.pos < self.input.len() {
            Err(ParseError::new(
                self.pos,
                "end of message",
                ErrorKind::TrailingBytes,
            ))
        } else {
            Ok(())
        }
    }
}
