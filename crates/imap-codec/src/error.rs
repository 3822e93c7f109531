//! Errors: what the parser expected, where, and why a value could not be built.
//!
//! Every parse error carries the byte offset into the message, the ABNF rule (RFC 9051 §9 /
//! RFC 3501 §9 names) that was expected there, and the enclosing rule it was part of.

use ::core::fmt;

/// Why a message was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes at `offset` do not match the expected rule.
    Syntax,
    /// A number is larger than its rule allows (`number` is at most 4294967295,
    /// `number64` at most 9223372036854775807).
    NumberTooLarge,
    /// A value is in the grammar but outside its meaning (a month of 13, a zero where
    /// `nz-number` is required, an unknown keyword).
    InvalidValue,
    /// The message continues after its final CRLF.
    TrailingBytes,
    /// The message ended before the rule was complete (no final CRLF, or fewer literal bytes
    /// than announced).
    Incomplete,
}

impl ErrorKind {
    /// A short description, suitable for a log line.
    pub fn message(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::NumberTooLarge => "number too large",
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::TrailingBytes => "bytes after the end of the message",
            ErrorKind::Incomplete => "message incomplete",
        }
    }
}

/// A message did not match the grammar.
///
/// ```
/// use mailproto_imap_codec::Command;
/// let err = Command::parse(b"a1 NOOP x\r\n").unwrap_err();
/// assert_eq!(err.offset, 7);
/// assert_eq!(err.expected, "CRLF");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    /// Offset of the offending byte from the start of the message.
    pub offset: usize,
    /// The ABNF rule (or literal token) that was expected at `offset`, e.g. `"SP"`,
    /// `"nz-number"`, `"fetch-att"`.
    pub expected: &'static str,
    /// The innermost named rule the offending byte is inside, e.g. `"quoted"` or
    /// `"envelope"`; empty when there is none.
    pub context: &'static str,
    /// The outermost rule being parsed: the command or response, e.g. `"login"`; empty when
    /// there is none or it equals `context`.
    pub within: &'static str,
    /// What kind of problem it is.
    pub kind: ErrorKind,
}

impl ParseError {
    pub(crate) fn new(offset: usize, expected: &'static str, kind: ErrorKind) -> Self {
        ParseError {
            offset,
            expected,
            context: "",
            within: "",
            kind,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at offset {}: expected {}",
            self.kind.message(),
            self.offset,
            self.expected
        )?;
        if !self.context.is_empty() {
            write!(f, " in {}", self.context)?;
        }
        if !self.within.is_empty() {
            write!(f, ", within {}", self.within)?;
        }
        Ok(())
    }
}

impl ::core::error::Error for ParseError {}

pub use mailproto_core::ValidationError;

/// The nom error type used inside the grammar: the remaining input where the failure
/// happened, the rule expected there and the nearest named enclosing rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PErr<'a> {
    pub input: &'a [u8],
    pub expected: &'static str,
    pub context: &'static str,
    pub outer: &'static str,
    pub kind: ErrorKind,
}

impl<'a> PErr<'a> {
    pub(crate) fn new(input: &'a [u8], expected: &'static str) -> Self {
        PErr {
            input,
            expected,
            context: "",
            outer: "",
            kind: ErrorKind::Syntax,
        }
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Turns the internal error into the public one, relative to the whole message.
    pub(crate) fn into_public(self, message: &[u8]) -> ParseError {
        let offset = message.len().saturating_sub(self.input.len());
        let kind = if self.input.is_empty() && self.kind == ErrorKind::Syntax {
            ErrorKind::Incomplete
        } else {
            self.kind
        };
        let within = if self.outer == self.context {
            ""
        } else {
            self.outer
        };
        ParseError {
            offset,
            expected: self.expected,
            context: self.context,
            within,
            kind,
        }
    }
}

impl<'a> nom::error::ParseError<&'a [u8]> for PErr<'a> {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        PErr::new(input, "valid syntax")
    }

    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    /// Of two alternatives, report the one that got further into the input.
    fn or(self, other: Self) -> Self {
        if other.input.len() < self.input.len() {
            other
        } else {
            self
        }
    }
}

/// Result of an internal grammar parser.
pub(crate) type PResult<'a, T> = nom::IResult<&'a [u8], T, PErr<'a>>;

/// Fails at `input`, expecting `rule`.
#[inline]
pub(crate) fn fail<'a, T>(input: &'a [u8], rule: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PErr::new(input, rule)))
}

/// Fails at `input` with a specific kind.
#[inline]
pub(crate) fn fail_kind<'a, T>(
    input: &'a [u8],
    rule: &'static str,
    kind: ErrorKind,
) -> PResult<'a, T> {
    Err(nom::Err::Error(PErr::new(input, rule).with_kind(kind)))
}
