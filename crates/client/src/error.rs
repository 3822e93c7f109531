//! The one error type of the shells.

use std::fmt;
use std::io;

use imap_codec::Code;
use pop3_codec::ResponseCode;

/// What went wrong in a shell call. `#[non_exhaustive]`: causes will be added.
///
/// Errors come in groups: the transport ([`Error::Io`], [`Error::Tls`]); the caller
/// ([`Error::Invalid`], [`Error::ImapLocal`], [`Error::Pop3Local`], [`Error::NoMechanism`]);
/// the server breaking the protocol ([`Error::ImapProtocol`], [`Error::Pop3Protocol`],
/// [`Error::Sasl`]); and the server refusing a command ([`Error::No`], [`Error::Bad`],
/// [`Error::Pop3Err`], [`Error::Bye`]), with its text and response code.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The socket failed (a read timeout is [`io::ErrorKind::WouldBlock`] or
    /// [`io::ErrorKind::TimedOut`]).
    Io(io::Error),
    /// The TLS layer failed (handshake, certificate verification, ...).
    #[cfg(feature = "rustls")]
    Tls(rustls::Error),
    /// TLS was asked for, but the crate was built without the `rustls` feature, or the host
    /// is not a valid TLS server name.
    TlsUnavailable(String),
    /// A value that cannot be sent (a mailbox name, a user name, ... the grammar forbids).
    Invalid(imap_codec::ValidationError),
    /// The IMAP session refused the call (wrong state, closed, ...): nothing was sent.
    ImapLocal(imap_session::LocalError),
    /// The IMAP server broke the protocol (RFC 9051): the session reported it.
    ImapProtocol(imap_session::PeerError),
    /// The POP3 session refused the call: nothing was sent.
    Pop3Local(pop3_session::LocalError),
    /// The POP3 server broke the protocol.
    Pop3Protocol(pop3_session::PeerError),
    /// SASL failed on the client side (a bad server message, the server's SCRAM signature
    /// did not verify, ...).
    Sasl(mailproto_sasl::SaslError),
    /// None of the server's SASL mechanisms fits the credentials (or TLS is required for
    /// them and the connection has none).
    NoMechanism,
    /// The IMAP server answered `NO` (RFC 9051 §7.1.2).
    No {
        /// The server's text.
        text: String,
        /// The response code, if any.
        code: Option<Code<'static>>,
    },
    /// The IMAP server answered `BAD` (RFC 9051 §7.1.3).
    Bad {
        /// The server's text.
        text: String,
        /// The response code, if any.
        code: Option<Code<'static>>,
    },
    /// The POP3 server answered `-ERR` (RFC 1939 §3).
    Pop3Err {
        /// The server's text.
        text: String,
        /// The response code (RFC 2449 §8), if any.
        code: Option<ResponseCode<'static>>,
    },
    /// The IMAP server sent `BYE` (RFC 9051 §7.1.5) and closed the connection.
    Bye {
        /// The server's text.
        text: String,
    },
    /// The connection is closed.
    Closed,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {e}"),
            #[cfg(feature = "rustls")]
            Error::Tls(e) => write!(f, "TLS error: {e}"),
            Error::TlsUnavailable(why) => write!(f, "TLS unavailable: {why}"),
            Error::Invalid(e) => write!(f, "invalid value: {e}"),
            Error::ImapLocal(e) => write!(f, "IMAP call refused: {e}"),
            Error::ImapProtocol(e) => write!(f, "IMAP protocol error: {e}"),
            Error::Pop3Local(e) => write!(f, "POP3 call refused: {e}"),
            Error::Pop3Protocol(e) => write!(f, "POP3 protocol error: {e}"),
            Error::Sasl(e) => write!(f, "SASL error: {e}"),
            Error::NoMechanism => write!(f, "no SASL mechanism of the server fits"),
            Error::No { text, .. } => write!(f, "server said NO: {text}"),
            Error::Bad { text, .. } => write!(f, "server said BAD: {text}"),
            Error::Pop3Err { text, .. } => write!(f, "server said -ERR: {text}"),
            Error::Bye { text } => write!(f, "server said BYE: {text}"),
            Error::Closed => write!(f, "connection closed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            #[cfg(feature = "rustls")]
            Error::Tls(e) => Some(e),
            Error::ImapLocal(e) => Some(e),
            Error::Pop3Local(e) => Some(e),
            Error::Sasl(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

#[cfg(feature = "rustls")]
impl From<rustls::Error> for Error {
    fn from(e: rustls::Error) -> Self {
        Error::Tls(e)
    }
}

impl From<imap_codec::ValidationError> for Error {
    fn from(e: imap_codec::ValidationError) -> Self {
        Error::Invalid(e)
    }
}

impl From<imap_session::LocalError> for Error {
    fn from(e: imap_session::LocalError) -> Self {
        Error::ImapLocal(e)
    }
}

impl From<pop3_session::LocalError> for Error {
    fn from(e: pop3_session::LocalError) -> Self {
        Error::Pop3Local(e)
    }
}

impl From<mailproto_sasl::SaslError> for Error {
    fn from(e: mailproto_sasl::SaslError) -> Self {
        Error::Sasl(e)
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
