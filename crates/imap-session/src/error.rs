//! Errors, in two groups (h11 style): [`LocalError`] when the caller misused the session (it is
//! returned by the call and changes nothing), [`PeerError`] when the other side broke the
//! protocol (it is reported as an event; the session goes on where it can).

use std::fmt;

use imap_codec::framer::FrameError;
use imap_codec::{ParseError, ValidationError};

use crate::state::State;

/// The caller asked for something the protocol or the session's state does not allow. Nothing
/// was sent and nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LocalError {
    /// The command is not valid in the current state (RFC 9051 §6).
    InvalidState {
        /// The command name.
        command: &'static str,
        /// The state the session is in.
        state: State,
    },
    /// The session is closed (LOGOUT completed, BYE, end of stream, or too many violations).
    Closed,
    /// STARTTLS succeeded: the bytes now belong to TLS; call `handle_tls_established` first.
    TlsPending,
    /// A STARTTLS is in flight: no command may follow it until its completion (RFC 9051 §6.2.1).
    StartTlsInFlight,
    /// No AUTHENTICATE exchange is waiting for the client's response.
    NotAuthenticating,
    /// No accepted IDLE is in progress.
    NotIdling,
    /// No streamed literal waits for data ([`crate::ClientSession::push_literal_chunk`]).
    NoLiteralWanted,
    /// A streamed literal is being written: push its data first.
    LiteralInProgress {
        /// Octets it still wants.
        remaining: u64,
    },
    /// More data pushed than the streamed literal has left.
    LiteralTooLong {
        /// Octets the literal still wanted.
        remaining: u64,
    },
    /// The tag is already used by a command in flight.
    DuplicateTag(String),
    /// No command with this tag is in flight (a server completing an unknown command).
    UnknownTag(String),
    /// LOGIN while the server advertises LOGINDISABLED (RFC 9051 §6.2.3).
    LoginDisabled,
    /// The response is not allowed here (e.g. a tagged response without a command, PREAUTH
    /// after the greeting, a greeting twice).
    UnexpectedResponse(&'static str),
    /// A value that does not encode to valid IMAP.
    Invalid(ValidationError),
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalError::InvalidState { command, state } => {
                write!(f, "{command} is not valid in state {}", state.name())
            }
            LocalError::Closed => write!(f, "the session is closed"),
            LocalError::TlsPending => write!(f, "waiting for the TLS handshake"),
            LocalError::StartTlsInFlight => write!(f, "no command may follow STARTTLS"),
            LocalError::NotAuthenticating => write!(f, "no AUTHENTICATE exchange in progress"),
            LocalError::NotIdling => write!(f, "no accepted IDLE in progress"),
            LocalError::NoLiteralWanted => write!(f, "no streamed literal waits for data"),
            LocalError::LiteralInProgress { remaining } => {
                write!(f, "a streamed literal wants {remaining} more octets first")
            }
            LocalError::LiteralTooLong { remaining } => {
                write!(f, "more than the {remaining} octets the literal has left")
            }
            LocalError::DuplicateTag(t) => write!(f, "tag {t:?} is already in flight"),
            LocalError::UnknownTag(t) => write!(f, "no command {t:?} in flight"),
            LocalError::LoginDisabled => write!(f, "LOGIN is disabled (LOGINDISABLED)"),
            LocalError::UnexpectedResponse(what) => write!(f, "unexpected response: {what}"),
            LocalError::Invalid(e) => write!(f, "invalid value: {e}"),
        }
    }
}

impl std::error::Error for LocalError {}

/// The peer broke the protocol. Reported as an event; the session keeps going where the
/// stream allows (a server answers with the suggested [`PeerError::reply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerError {
    /// A message the strict grammar rejects.
    Syntax {
        /// The message as received.
        bytes: Vec<u8>,
        /// What was expected where.
        error: ParseError,
    },
    /// A framing limit was exceeded (line, literal or message size); the rest of that message
    /// is skipped.
    Frame(FrameError),
    /// A command not valid in the current state (server side; answered with BAD).
    InvalidState {
        /// The command name.
        command: &'static str,
        /// The state.
        state: State,
    },
    /// LOGIN although LOGINDISABLED is advertised (answered with NO).
    LoginDisabled,
    /// The server completed a tag no command in flight has.
    UnknownTag(String),
    /// A continuation request while nothing waits for one.
    UnexpectedContinuation,
    /// A continuation request during AUTHENTICATE that is not base64 (RFC 9051 §6.2.2).
    ChallengeNotBase64,
    /// A second greeting, or a greeting that is not `* OK` / `* PREAUTH` / `* BYE`.
    UnexpectedGreeting,
    /// Bytes the peer sent after the STARTTLS exchange and before TLS: discarded, never
    /// interpreted (CVE-2011-0411 class). `len` bytes were dropped.
    StartTlsInjection {
        /// How many bytes were dropped.
        len: usize,
    },
    /// The client sent more than `ServerConfig::max_buffered` octets while the server session
    /// waited for commands in flight (server side; answered with `* BYE [LIMIT]`, and the
    /// session closed).
    TooManyCommands,
    /// A command reuses the tag of a command in flight (RFC 9051 §2.2.1).
    DuplicateTag(String),
    /// A command, or an item of it, of an extension the server did not offer (server side;
    /// answered with BAD): e.g. `FETCH 1 (MODSEQ)` without CONDSTORE (RFC 7162 §3.1).
    NotOffered {
        /// The command name.
        command: &'static str,
        /// The capability it needs.
        capability: String,
    },
    /// The stream ended inside a message.
    Truncated {
        /// The bytes of the unfinished message.
        bytes: Vec<u8>,
    },
}

impl PeerError {
    /// The short description a server could put in its BAD/NO text.
    pub fn reply(&self) -> &'static str {
        match self {
            PeerError::Syntax { .. } => "Syntax error",
            PeerError::Frame(FrameError::LiteralTooLarge { .. }) => "Literal too large",
            PeerError::Frame(_) => "Command too long",
            PeerError::InvalidState { .. } => "Command not valid in this state",
            PeerError::LoginDisabled => "LOGIN is disabled",
            PeerError::TooManyCommands => "Too many commands in flight",
            PeerError::NotOffered { .. } => "Command or item not offered by this server",
            _ => "Protocol error",
        }
    }
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerError::Syntax { error, .. } => write!(f, "syntax: {error}"),
            PeerError::Frame(e) => write!(f, "framing: {e}"),
            PeerError::InvalidState { command, state } => {
                write!(f, "{command} is not valid in state {}", state.name())
            }
            PeerError::LoginDisabled => write!(f, "LOGIN while LOGINDISABLED"),
            PeerError::UnknownTag(t) => write!(f, "completion of unknown tag {t:?}"),
            PeerError::UnexpectedContinuation => write!(f, "unexpected continuation request"),
            PeerError::ChallengeNotBase64 => {
                write!(
                    f,
                    "a continuation request during AUTHENTICATE must carry base64"
                )
            }
            PeerError::UnexpectedGreeting => write!(f, "unexpected greeting"),
            PeerError::NotOffered {
                command,
                capability,
            } => write!(f, "{command} needs {capability}, which was not offered"),
            PeerError::StartTlsInjection { len } => {
                write!(f, "{len} bytes after STARTTLS discarded (injection)")
            }
            PeerError::TooManyCommands => write!(f, "too many commands in flight"),
            PeerError::DuplicateTag(t) => write!(f, "tag {t:?} is already in flight"),
            PeerError::Truncated { bytes } => {
                write!(f, "stream ended inside a message of {} bytes", bytes.len())
            }
        }
    }
}

impl std::error::Error for PeerError {}
