//! Errors, in two groups (h11 style): [`LocalError`] when the caller misused the session (it is
//! returned by the call and changes nothing), [`PeerError`] when the other side broke the
//! protocol (it is reported as an event; the session goes on where it can).

use crate::prelude::*;

use ::core::fmt;

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
    /// LOGIN or AUTHENTICATE on a plaintext connection under `TlsPolicy::Required`: no
    /// credential goes out in clear.
    TlsRequired,
    /// STARTTLS under `TlsPolicy::Never`, or while TLS is up already.
    TlsPolicy,
    /// The response is not allowed here (e.g. a tagged response without a command, PREAUTH
    /// after the greeting, a greeting twice).
    UnexpectedResponse(&'static str),
    /// A value that does not encode to valid IMAP.
    Invalid(ValidationError),
    /// The SASL mechanism refused to start (credentials that do not fit it, TLS required,
    /// no randomness), or no mechanism the server offers fits the credentials.
    Sasl(mailproto_sasl::SaslError),
    /// No `AUTH=` mechanism the server advertised fits the credentials and the
    /// configuration ([`mailproto_sasl::ClientConfig::choose`]).
    NoMechanism,
    /// A COMPRESS is in flight: no command may follow it until its completion (RFC 4978 §3).
    CompressInFlight,
    /// UIDONLY is enabled and the command names messages by number (RFC 9586 §3; the server
    /// would answer `BAD [UIDREQUIRED]`): use its `UID` form.
    UidRequired {
        /// The command name.
        command: &'static str,
    },
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
            LocalError::TlsRequired => write!(f, "TLS is required before credentials are sent"),
            LocalError::TlsPolicy => {
                write!(f, "STARTTLS is not allowed (TLS policy, or TLS is up)")
            }
            LocalError::UnexpectedResponse(what) => write!(f, "unexpected response: {what}"),
            LocalError::Invalid(e) => write!(f, "invalid value: {e}"),
            LocalError::Sasl(e) => write!(f, "SASL: {e}"),
            LocalError::NoMechanism => write!(f, "no offered SASL mechanism fits"),
            LocalError::CompressInFlight => write!(f, "no command may follow COMPRESS"),
            LocalError::UidRequired { command } => {
                write!(f, "{command} uses message numbers, and UIDONLY is enabled")
            }
        }
    }
}

impl ::core::error::Error for LocalError {}

/// The peer broke the protocol. Reported as an event; the session keeps going where the
/// stream allows (a server answers with the suggested [`PeerError::reply`]).
///
/// `Debug` shows the length of the bytes of [`PeerError::Syntax`] and [`PeerError::Truncated`],
/// never the bytes: a LOGIN or a SASL line that failed to parse would print a password
/// (issue 18 item 10).
#[derive(Clone, PartialEq, Eq)]
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
    /// A SASL line while no challenge was outstanding (server side; RFC 9051 §6.2.2: the
    /// client answers each challenge with one line). The exchange ends with BAD.
    UnexpectedSaslLine,
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
    /// The client sent more than `ServerConfig::pre_auth_max_buffered` octets before login
    /// (server side; answered with `* BYE [LIMIT]`, and the session closed).
    TooMuchBeforeLogin {
        /// The bound.
        limit: usize,
    },
    /// STARTTLS while TLS is up already (server side; answered with BAD).
    TlsActive,
    /// Under `TlsPolicy::Required` on a plaintext connection, the server (or a man in the
    /// middle) kept the connection in clear (client side; the session closes).
    TlsStripped(crate::client::Stripping),
    /// A command, or an item of it, of an extension the server did not offer (server side;
    /// answered with BAD): e.g. `FETCH 1 (MODSEQ)` without CONDSTORE (RFC 7162 §3.1).
    NotOffered {
        /// The command name.
        command: &'static str,
        /// The capability it needs.
        capability: String,
    },
    /// A command that uses message numbers once UIDONLY is enabled (server side; answered
    /// with `BAD [UIDREQUIRED]`, RFC 9586 §3).
    UidRequired {
        /// The command name.
        command: &'static str,
    },
    /// The stream ended inside a message.
    Truncated {
        /// The bytes of the unfinished message.
        bytes: Vec<u8>,
    },
    /// A successful ENABLE without the untagged ENABLED that RFC 5161 §3.1 requires (strict
    /// profile; the real-world profile reports `enable-without-enabled` instead).
    EnableWithoutEnabled,
    /// An extended SEARCH (`RETURN (...)`) answered with `* SEARCH` instead of `* ESEARCH`
    /// (RFC 4731 §3.1; strict profile; the real-world profile reports `search-for-esearch`).
    SearchForEsearch,
    /// A second `* BYE` with no tagged response and no close since the first (RFC 9051
    /// §7.1.5: after BYE the server closes the connection; strict profile, the real-world
    /// profile reports `endless-bye`). The client session closes either way.
    RepeatedBye,
    /// A line the grammar rejects answered with a tagged NO instead of BAD (RFC 9051 §7.1.3;
    /// Courier; strict profile, the real-world profile reports `no-for-bad`). Found only when
    /// following an exchange ([`ClientSession::observe_rejected_command`](crate::ClientSession::observe_rejected_command)).
    NoForBad,
    /// `[UIDVALIDITY n]` with another value while the mailbox was selected (RFC 9051
    /// §2.3.1.1: UIDs MUST NOT change during the session; strict profile, the real-world
    /// profile reports `uidvalidity-change`). The view was reset either way
    /// ([`MailboxChange::UidValidityChanged`](crate::MailboxChange::UidValidityChanged)).
    UidValidityChanged {
        /// The value before.
        old: ::core::num::NonZeroU32,
        /// The new value.
        new: ::core::num::NonZeroU32,
    },
    /// The peer's deviations from the grammar used up the session's
    /// [`DeviationBudget`](crate::DeviationBudget) (real-world profile): the session stopped
    /// (closed) at this deviation, the `count`-th.
    DeviationBudget {
        /// The deviation that ended it.
        deviation: imap_codec::Deviation,
        /// How many deviations the peer had sent, this one included.
        count: usize,
    },
}

impl fmt::Debug for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use imap_codec::redact::Octets;
        match self {
            PeerError::Syntax { bytes, error } => f
                .debug_struct("Syntax")
                .field("bytes", &Octets(bytes.len()))
                .field("error", error)
                .finish(),
            PeerError::Truncated { bytes } => f
                .debug_struct("Truncated")
                .field("bytes", &Octets(bytes.len()))
                .finish(),
            PeerError::Frame(e) => f.debug_tuple("Frame").field(e).finish(),
            PeerError::InvalidState { command, state } => f
                .debug_struct("InvalidState")
                .field("command", command)
                .field("state", state)
                .finish(),
            PeerError::LoginDisabled => f.write_str("LoginDisabled"),
            PeerError::UnknownTag(t) => f.debug_tuple("UnknownTag").field(t).finish(),
            PeerError::UnexpectedContinuation => f.write_str("UnexpectedContinuation"),
            PeerError::ChallengeNotBase64 => f.write_str("ChallengeNotBase64"),
            PeerError::UnexpectedGreeting => f.write_str("UnexpectedGreeting"),
            PeerError::StartTlsInjection { len } => f
                .debug_struct("StartTlsInjection")
                .field("len", len)
                .finish(),
            PeerError::TooManyCommands => f.write_str("TooManyCommands"),
            PeerError::DuplicateTag(t) => f.debug_tuple("DuplicateTag").field(t).finish(),
            PeerError::TooMuchBeforeLogin { limit } => f
                .debug_struct("TooMuchBeforeLogin")
                .field("limit", limit)
                .finish(),
            PeerError::TlsActive => f.write_str("TlsActive"),
            PeerError::UnexpectedSaslLine => f.write_str("UnexpectedSaslLine"),
            PeerError::NotOffered {
                command,
                capability,
            } => f
                .debug_struct("NotOffered")
                .field("command", command)
                .field("capability", capability)
                .finish(),
            PeerError::UidRequired { command } => f
                .debug_struct("UidRequired")
                .field("command", command)
                .finish(),
            PeerError::EnableWithoutEnabled => f.write_str("EnableWithoutEnabled"),
            PeerError::SearchForEsearch => f.write_str("SearchForEsearch"),
            PeerError::RepeatedBye => f.write_str("RepeatedBye"),
            PeerError::NoForBad => f.write_str("NoForBad"),
            PeerError::UidValidityChanged { old, new } => f
                .debug_struct("UidValidityChanged")
                .field("old", old)
                .field("new", new)
                .finish(),
            PeerError::DeviationBudget { deviation, count } => f
                .debug_struct("DeviationBudget")
                .field("deviation", deviation)
                .field("count", count)
                .finish(),
            PeerError::TlsStripped(how) => f.debug_tuple("TlsStripped").field(how).finish(),
        }
    }
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
            PeerError::TooMuchBeforeLogin { .. } => "Too much data before login",
            PeerError::TlsActive => "TLS is active already",
            PeerError::NotOffered { .. } => "Command or item not offered by this server",
            PeerError::UidRequired { .. } => {
                "Message numbers are not allowed once UIDONLY is enabled"
            }
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
            PeerError::UnexpectedSaslLine => {
                write!(f, "a SASL line while no challenge was outstanding")
            }
            PeerError::UnexpectedGreeting => write!(f, "unexpected greeting"),
            PeerError::NotOffered {
                command,
                capability,
            } => write!(f, "{command} needs {capability}, which was not offered"),
            PeerError::UidRequired { command } => {
                write!(f, "{command} uses message numbers once UIDONLY is enabled")
            }
            PeerError::StartTlsInjection { len } => {
                write!(f, "{len} bytes after STARTTLS discarded (injection)")
            }
            PeerError::TooManyCommands => write!(f, "too many commands in flight"),
            PeerError::DuplicateTag(t) => write!(f, "tag {t:?} is already in flight"),
            PeerError::TooMuchBeforeLogin { limit } => {
                write!(f, "more than {limit} octets before login")
            }
            PeerError::TlsActive => write!(f, "STARTTLS while TLS is active"),
            PeerError::TlsStripped(how) => write!(f, "TLS required, but stripped: {how:?}"),
            PeerError::Truncated { bytes } => {
                write!(f, "stream ended inside a message of {} bytes", bytes.len())
            }
            PeerError::EnableWithoutEnabled => {
                write!(
                    f,
                    "ENABLE succeeded without an untagged ENABLED (RFC 5161 §3.1)"
                )
            }
            PeerError::SearchForEsearch => {
                write!(
                    f,
                    "an extended SEARCH answered with SEARCH, not ESEARCH (RFC 4731 §3.1)"
                )
            }
            PeerError::RepeatedBye => {
                write!(f, "BYE again without a close (RFC 9051 §7.1.5)")
            }
            PeerError::NoForBad => write!(
                f,
                "a command the grammar rejects answered NO instead of BAD (RFC 9051 §7.1.3)"
            ),
            PeerError::UidValidityChanged { old, new } => write!(
                f,
                "UIDVALIDITY changed from {old} to {new} while selected (RFC 9051 §2.3.1.1)"
            ),
            PeerError::DeviationBudget { deviation, count } => {
                write!(
                    f,
                    "deviation budget used up at deviation {count}: {deviation}"
                )
            }
        }
    }
}

impl ::core::error::Error for PeerError {}
