//! What a replay reports for each message, shared by the IMAP and POP3 replayers.

use serde::Serialize;

use crate::format::Side;

/// A parsed value that can name itself in a one-line report.
pub trait Summary {
    /// A short name (`SELECT`, `greeting`, `RETR answer`, ...).
    fn summary(&self) -> String;
}

/// Why a message failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "error", rename_all = "kebab-case")]
pub enum Failure {
    /// The strict grammar rejected it.
    Syntax {
        /// Offset in the message.
        offset: usize,
        /// The expected rule.
        expected: &'static str,
        /// The innermost named rule the offending byte is inside.
        context: &'static str,
        /// The outermost rule (the command or response), when it differs from `context`.
        #[serde(skip_serializing_if = "str::is_empty")]
        within: &'static str,
        /// Description.
        message: String,
    },
    /// A framing limit was exceeded.
    Frame {
        /// Description.
        message: String,
    },
    /// The exchange broke a rule the grammar alone cannot see.
    Protocol {
        /// Description.
        message: String,
    },
    /// Encoding the parsed value and parsing it again gave another value.
    RoundTrip {
        /// The re-encoded bytes.
        encoded: String,
    },
    /// The trace ended in the middle of the message.
    Incomplete,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Syntax {
                offset,
                expected,
                context,
                within,
                message,
            } => {
                write!(f, "{message} at offset {offset}: expected {expected}")?;
                if !context.is_empty() {
                    write!(f, " in {context}")?;
                }
                if !within.is_empty() {
                    write!(f, ", within {within}")?;
                }
                Ok(())
            }
            Failure::Frame { message } => write!(f, "framing: {message}"),
            Failure::Protocol { message } => write!(f, "protocol: {message}"),
            Failure::RoundTrip { encoded } => {
                write!(f, "re-encoding changed the value: {encoded:?}")
            }
            Failure::Incomplete => write!(f, "the trace ends inside this message"),
        }
    }
}

/// A deviation from the grammar that the real-world profile accepted in a message
/// (`docs/real-world.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The stable id (`bare-lf`, `expunged-keyword`, ...).
    pub id: &'static str,
    /// Offset in the message.
    pub offset: usize,
    /// The RFC rule it breaks.
    pub rule: &'static str,
}

impl Found {
    /// The report of one codec deviation.
    pub fn new<Id: imap_codec::DeviationId>(id: Id, offset: usize) -> Self {
        Found {
            id: id.id(),
            offset,
            rule: id.rule(),
        }
    }
}

/// The outcome for one message: `K` says how it was parsed, `V` is the parsed value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message<K, V> {
    /// Who sent it.
    pub side: Side,
    /// The trace line on which it was completed.
    pub line: usize,
    /// How it was parsed.
    pub kind: K,
    /// The message bytes (lossy UTF-8 in serialized form; literal data included).
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The parsed value, or why it failed.
    #[serde(flatten)]
    pub result: Outcome<V>,
    /// The deviations the real-world profile accepted in it (none under strict).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<Found>,
}

/// A parsed value or a failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome<V> {
    /// Parsed (and round-tripped).
    Ok {
        /// The value.
        value: V,
    },
    /// Failed.
    Err {
        /// Why.
        #[serde(flatten)]
        failure: Failure,
    },
}

impl<K, V: Summary> Message<K, V> {
    /// True when the message parsed.
    pub fn is_ok(&self) -> bool {
        matches!(self.result, Outcome::Ok { .. })
    }

    /// The name of what was parsed (`SELECT`, `FETCH`, `greeting`, ...), or the failure, for
    /// one-line reports.
    pub fn summary(&self) -> String {
        match &self.result {
            Outcome::Ok { value } => value.summary(),
            Outcome::Err { failure } => failure.to_string(),
        }
    }
}
