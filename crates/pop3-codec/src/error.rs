//! Errors: what the parser expected, where, and why a value could not be built
//! (RFC 1939 §3, RFC 2449 §3–4).
//!
//! Every parse error carries the byte offset from the start of the message (the command
//! line, or the response from its first status octet), the rule or token that was expected
//! there, and a kind. Limit errors ([`ErrorKind::LineTooLong`], [`ErrorKind::TooLarge`]) are
//! reported by the stream decoders, which then skip the offending message and go on.

use ::core::fmt;

/// Why a message was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ErrorKind {
    /// The bytes at `offset` do not match the expected rule.
    Syntax,
    /// The command keyword is not one this crate knows (RFC 1939 §3: the server answers
    /// `-ERR`).
    UnknownCommand,
    /// A number does not fit its type (message numbers and line counts are `u32`, sizes
    /// `u64`).
    NumberTooLarge,
    /// A value is in the grammar but outside its meaning (message number 0, invalid UTF-8,
    /// invalid base64).
    InvalidValue,
    /// The input continues after the end of the message.
    TrailingBytes,
    /// The input ended before the message did.
    Incomplete,
    /// A line is longer than the configured limit (CRLF included).
    LineTooLong {
        /// The limit in octets.
        limit: usize,
    },
    /// A multi-line response or message body is larger than the configured limit.
    TooLarge {
        /// The limit in octets.
        limit: u64,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Syntax => f.write_str("syntax error"),
            ErrorKind::UnknownCommand => f.write_str("unknown command"),
            ErrorKind::NumberTooLarge => f.write_str("number too large"),
            ErrorKind::InvalidValue => f.write_str("invalid value"),
            ErrorKind::TrailingBytes => f.write_str("bytes after the end of the message"),
            ErrorKind::Incomplete => f.write_str("message incomplete"),
            ErrorKind::LineTooLong { limit } => write!(f, "line longer than {limit} octets"),
            ErrorKind::TooLarge { limit } => write!(f, "message larger than {limit} octets"),
        }
    }
}

/// A message did not match the grammar, or exceeded a limit.
///
/// ```
/// use mailproto_pop3_codec::{Command, ErrorKind};
/// let err = Command::parse(b"RETR x\r\n").unwrap_err();
/// assert_eq!((err.offset, err.expected, err.kind), (5, "msg", ErrorKind::Syntax));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ParseError {
    /// Offset of the offending byte from the start of the message.
    pub offset: usize,
    /// The rule or token expected at `offset`, e.g. `"SP"`, `"CRLF"`, `"msg"`, `"resp-code"`.
    pub expected: &'static str,
    /// What kind of problem it is.
    pub kind: ErrorKind,
}

impl ParseError {
    pub(crate) fn new(offset: usize, expected: &'static str, kind: ErrorKind) -> Self {
        ParseError {
            offset,
            expected,
            kind,
        }
    }

    pub(crate) fn syntax(offset: usize, expected: &'static str) -> Self {
        Self::new(offset, expected, ErrorKind::Syntax)
    }

    /// The text of the `-ERR` line a server sends for this error in a command (RFC 1939 §3:
    /// "A server MUST respond to an unrecognized, unimplemented, or syntactically invalid
    /// command by responding with a negative status indicator"). The text only: the status
    /// indicator is the encoder's (`-ERR ` + text + CRLF).
    ///
    /// ```
    /// use mailproto_pop3_codec::Command;
    /// assert_eq!(Command::parse(b"USER\r\n").unwrap_err().suggested_reply(), "syntax error");
    /// ```
    pub fn suggested_reply(&self) -> &'static str {
        match self.kind {
            ErrorKind::UnknownCommand => "unknown command",
            ErrorKind::LineTooLong { .. } => "line too long",
            _ => "syntax error",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at offset {}: expected {}",
            self.kind, self.offset, self.expected
        )
    }
}

impl ::core::error::Error for ParseError {}

pub use mailproto_core::ValidationError;
