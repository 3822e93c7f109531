//! Errors, in two groups: [`LocalError`] (this side misused the session; nothing was sent)
//! and [`PeerError`] (the other side violated the protocol).

use ::core::fmt;

use pop3_codec::{CommandKind, ParseError, StatusLine};

/// What the application attempted when it got a [`LocalError::WrongState`]: a command, or a
/// call of a session method. Displays as the command keyword or the method name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Attempt {
    /// Sending a command of this kind.
    Command(CommandKind),
    /// Calling this session method (`handle_tls_established`, `accept_login`, ...).
    Method(&'static str),
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attempt::Command(kind) => f.write_str(kind.keyword()),
            Attempt::Method(name) => f.write_str(name),
        }
    }
}

/// The application called the session at the wrong time or with something it cannot send.
/// Nothing was sent and the session is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LocalError {
    /// The command is not valid in the current state ([`crate::states::command_phases`];
    /// PASS only right after USER, RFC 1939 §7).
    WrongState {
        /// The command or the method called.
        attempt: Attempt,
        /// The state the session is in.
        state: &'static str,
    },
    /// An exchange must finish first: a STLS, AUTH or body in progress, or a decision the
    /// application owes.
    Busy {
        /// What the session is waiting for.
        waiting_for: &'static str,
    },
    /// APOP needs a timestamp in the greeting (RFC 1939 §7).
    NoTimestamp,
    /// Input arrived between the `+OK` to STLS and `handle_tls_established`: those bytes
    /// are not POP3 (RFC 2595 §4) and were dropped.
    TlsPending,
    /// The session is closed (QUIT answered, end of stream, or a fatal peer error).
    Closed,
    /// The SASL mechanism refused to start or run (credentials that do not fit it, no
    /// randomness), or no offered mechanism fits the credentials.
    Sasl(mailproto_sasl::SaslError),
    /// No mechanism of the server's CAPA `SASL` list fits the credentials and the
    /// configuration ([`mailproto_sasl::ClientConfig::choose`]).
    NoMechanism,
    /// USER, PASS, APOP or AUTH on a plaintext connection under
    /// [`TlsPolicy::Required`](crate::client::TlsPolicy::Required): no credential goes out in
    /// clear.
    TlsRequired,
    /// STLS under [`TlsPolicy::Never`](crate::client::TlsPolicy::Never).
    TlsPolicy,
    /// A command of no RFC in force (`LAST`, `XTND XLST`, `AUTH` without a mechanism: the
    /// real-world `non-standard-commands`) under the strict profile; the real-world profile
    /// ([`ClientSession::with_parse_options`](crate::ClientSession::with_parse_options))
    /// sends it.
    NonStandard {
        /// The command (Display shows its keyword).
        command: CommandKind,
    },
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalError::WrongState { attempt, state } => {
                write!(f, "{attempt} is not valid in the {state} state")
            }
            LocalError::Busy { waiting_for } => write!(f, "busy: waiting for {waiting_for}"),
            LocalError::NoTimestamp => f.write_str("the greeting has no APOP timestamp"),
            LocalError::TlsPending => {
                f.write_str("input before handle_tls_established was dropped")
            }
            LocalError::Closed => f.write_str("the session is closed"),
            LocalError::Sasl(e) => write!(f, "SASL: {e}"),
            LocalError::NoMechanism => f.write_str("no offered SASL mechanism fits"),
            LocalError::TlsRequired => f.write_str("TLS is required before credentials are sent"),
            LocalError::TlsPolicy => f.write_str("STLS is not allowed by the TLS policy"),
            LocalError::NonStandard { command } => {
                write!(
                    f,
                    "{command} is of no RFC (the real-world profile sends it)"
                )
            }
        }
    }
}

impl ::core::error::Error for LocalError {}

/// The other side violated the protocol. Each variant says what was expected and what
/// arrived, and (for a server) [`PeerError::suggested_reply`] is what the client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerError {
    /// A message the grammar rejects (syntax, unknown command, line or size limit).
    Syntax(ParseError),
    /// A command not valid in the current state (RFC 1939 §3).
    WrongState {
        /// The command (Display shows its keyword).
        command: CommandKind,
        /// The state the server is in.
        state: &'static str,
    },
    /// PASS not right after a successful USER (RFC 1939 §7).
    PassWithoutUser,
    /// A command the server does not offer (e.g. a SASL mechanism not advertised, STLS
    /// without TLS support or under TLS, UIDL without unique-ids).
    NotOffered {
        /// The command (Display shows its keyword).
        command: CommandKind,
    },
    /// A message number that does not exist or is marked as deleted (RFC 1939 §5).
    NoSuchMessage {
        /// The number given.
        msg: u32,
    },
    /// The server answered with something other than what the command requires (e.g. a
    /// SASL challenge to a non-AUTH command).
    Unexpected {
        /// What the session expected.
        expected: &'static str,
    },
    /// Bytes arrived while no response was expected.
    Unsolicited,
    /// The body of a RETR answer is not as long as the size LIST gave for the message
    /// (RFC 1939 §5: "the exact size of the message in octets", §11). Under the real-world
    /// profile it is the deviation `header-inserted` instead. The session goes on.
    SizeMismatch {
        /// The message.
        msg: u32,
        /// The size the scan listing gave.
        listed: u64,
        /// The octets of the unstuffed body.
        received: u64,
    },
    /// More pipelined input than the session buffers while the application is busy.
    TooMuchPipelined {
        /// The limit in octets.
        limit: usize,
    },
    /// The greeting was `-ERR` (RFC 1939 §4 does not allow it; some servers send it when
    /// refusing service).
    GreetingRefused(StatusLine<'static>),
    /// Bytes the peer sent in the clear after STLS (client side) or after the `+OK` to it
    /// (server side), before TLS: dropped, never interpreted (RFC 2595 §4; the CVE-2011-0411
    /// class of command and response injection). Reported, not fatal: the session goes on
    /// to the TLS handshake.
    StartTlsInjection {
        /// How many bytes were dropped.
        len: usize,
    },
    /// Under [`TlsPolicy::Required`](crate::client::TlsPolicy::Required) on a plaintext
    /// connection, the server (or a man in the middle) kept the connection in clear (client
    /// side; the session closes).
    TlsStripped(crate::client::Stripping),
    /// The [`DeviationBudget`](mailproto_core::DeviationBudget) of the session (real-world
    /// profile) is used up: `deviation` was the `count`-th. The session closes.
    DeviationBudget {
        /// The deviation that used the budget up.
        deviation: pop3_codec::context::Deviation,
        /// How many deviations the session had seen, this one included.
        count: usize,
    },
}

impl PeerError {
    /// The text of the `-ERR` a server sends for this error.
    pub fn suggested_reply(&self) -> &'static str {
        match self {
            PeerError::Syntax(e) => e.suggested_reply(),
            PeerError::WrongState { .. } => "command not valid in this state",
            PeerError::PassWithoutUser => "PASS must follow a successful USER",
            PeerError::NotOffered { .. } => "command not supported",
            PeerError::NoSuchMessage { .. } => "no such message",
            PeerError::TooMuchPipelined { .. } => "too many commands in flight",
            PeerError::Unexpected { .. }
            | PeerError::Unsolicited
            | PeerError::SizeMismatch { .. }
            | PeerError::GreetingRefused(_)
            | PeerError::StartTlsInjection { .. }
            | PeerError::TlsStripped(_) => "protocol error",
            PeerError::DeviationBudget { .. } => "too many deviations from the protocol",
        }
    }
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerError::Syntax(e) => write!(f, "syntax: {e}"),
            PeerError::WrongState { command, state } => {
                write!(f, "{command} is not valid in the {state} state")
            }
            PeerError::PassWithoutUser => f.write_str("PASS without a successful USER"),
            PeerError::NotOffered { command } => write!(f, "{command} is not offered"),
            PeerError::NoSuchMessage { msg } => write!(f, "no message {msg}"),
            PeerError::Unexpected { expected } => write!(f, "expected {expected}"),
            PeerError::Unsolicited => f.write_str("bytes with no response expected"),
            PeerError::SizeMismatch {
                msg,
                listed,
                received,
            } => write!(
                f,
                "message {msg} is {received} octets, its scan listing said {listed}"
            ),
            PeerError::TooMuchPipelined { limit } => {
                write!(f, "more than {limit} octets pipelined")
            }
            PeerError::GreetingRefused(_) => f.write_str("the greeting was -ERR"),
            PeerError::StartTlsInjection { len } => {
                write!(f, "{len} bytes after STLS discarded (injection)")
            }
            PeerError::TlsStripped(how) => write!(f, "TLS required, but stripped: {how:?}"),
            PeerError::DeviationBudget { deviation, count } => {
                write!(f, "deviation budget used up at the {count}th: {deviation}")
            }
        }
    }
}

impl ::core::error::Error for PeerError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// The errors carry kinds; their text shows the keyword, as it did when they carried it.
    #[test]
    fn display_shows_the_keyword() {
        let e = PeerError::WrongState {
            command: CommandKind::Stat,
            state: "Authorization",
        };
        assert_eq!(
            e.to_string(),
            "STAT is not valid in the Authorization state"
        );
        let e = PeerError::NotOffered {
            command: CommandKind::Stls,
        };
        assert_eq!(e.to_string(), "STLS is not offered");
        let e = LocalError::WrongState {
            attempt: Attempt::Command(CommandKind::Pass),
            state: "Authorization without a USER before",
        };
        assert_eq!(
            e.to_string(),
            "PASS is not valid in the Authorization without a USER before state"
        );
        let e = LocalError::WrongState {
            attempt: Attempt::Method("handle_tls_established"),
            state: "Transaction",
        };
        assert_eq!(
            e.to_string(),
            "handle_tls_established is not valid in the Transaction state"
        );
    }
}
