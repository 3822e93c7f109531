//! The error type shared by every mechanism, client and server side.

use crate::prelude::*;

use thiserror::Error;

/// Who is at fault for a [`SaslError`], to pick the reply (RFC 9051 §6.2.2 tagged `NO` /
/// `BAD`, RFC 5034 §4 `-ERR`) or the log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The application misused the API (a step after the end, credentials that do not fit the
    /// mechanism, a mechanism refused by local policy).
    Local,
    /// The peer sent a message that breaks the mechanism's grammar or a protocol limit (an
    /// IMAP server answers tagged `BAD`, RFC 9051 §6.2.2).
    Malformed,
    /// The exchange was well-formed but the peer failed to prove what it had to (wrong
    /// password, wrong server signature, rejected token, refused authorization identity).
    Failed,
}

/// Everything that can go wrong in a SASL exchange.
///
/// Messages never contain a secret; peer-supplied text (SCRAM `e=`) is kept as received.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SaslError {
    // ----- local misuse -----
    /// A mechanism name that is not `1*20(UPPER-ALPHA / DIGIT / "-" / "_")` (RFC 4422 §3.1).
    #[error("invalid SASL mechanism name (RFC 4422 §3.1: 1 to 20 of A-Z 0-9 - _)")]
    InvalidMechanismName,
    /// This crate has no implementation of the mechanism (or it is disabled by configuration).
    #[error("SASL mechanism {0} is not supported")]
    UnsupportedMechanism(String),
    /// The mechanism sends a password or token in the clear and the connection is not
    /// protected by TLS (RFC 9051 §6.2.2 note, RFC 5034 §4).
    #[error("SASL mechanism {0} sends a plaintext secret and needs TLS")]
    TlsRequired(String),
    /// The credentials given cannot drive the mechanism (e.g. no password for SCRAM).
    #[error("the credentials do not fit SASL mechanism {0}")]
    MissingCredentials(String),
    /// A value supplied by the application is not valid for the mechanism.
    #[error("invalid {0}")]
    InvalidInput(&'static str),
    /// SASLprep (RFC 4013) refused a string.
    #[error("SASLprep (RFC 4013) failed for the {0}")]
    Saslprep(&'static str),
    /// The nonce source failed.
    #[error("no random nonce could be generated")]
    Randomness,
    /// A step was requested in a state that does not take one (after the outcome, or twice).
    #[error("the SASL exchange is not expecting this: {0}")]
    InvalidState(&'static str),

    // ----- malformed peer input -----
    /// A line that is not strict base64 (RFC 9051 §6.2.2, RFC 5034 §4).
    #[error("invalid base64 in a SASL line")]
    Base64,
    /// A message over the configured size limit.
    #[error("SASL message of {len} octets exceeds the limit of {limit}")]
    TooLong {
        /// The size of the message.
        len: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A message that does not follow the mechanism's grammar.
    #[error("malformed SASL message: {0}")]
    Malformed(&'static str),
    /// The peer sent a message where none was expected, or data where an empty message was.
    #[error("unexpected SASL message: {0}")]
    Unexpected(&'static str),
    /// The client cancelled the exchange with `*` (RFC 9051 §6.2.2: tagged `BAD`; RFC 5034
    /// §4: `-ERR`; RFC 4422 §3.5).
    #[error("the client cancelled the SASL exchange")]
    Cancelled,
    /// An initial response for a mechanism that takes none (RFC 9051 §6.2.2: tagged `BAD`).
    #[error("SASL mechanism {0} does not take an initial response")]
    InitialResponseNotAllowed(String),
    /// SCRAM: the server's nonce does not start with the client's, or the client echoed a
    /// different nonce (RFC 5802 §5.1 `r`).
    #[error("SCRAM nonce mismatch (RFC 5802 §5.1)")]
    NonceMismatch,
    /// SCRAM: the iteration count is outside the configured bounds.
    #[error("SCRAM iteration count {count} outside {min}..={max}")]
    IterationCount {
        /// The count the server sent.
        count: u32,
        /// The configured minimum (RFC 7677 §4: at least 4096).
        min: u32,
        /// The configured maximum (bounds the client's work).
        max: u32,
    },
    /// SCRAM: a mandatory extension (`m=`) that this implementation does not know.
    #[error("unsupported SCRAM mandatory extension (RFC 5802 §5.1 m)")]
    MandatoryExtension,

    // ----- failed exchange -----
    /// The credentials were wrong (or the user unknown; the two are not told apart).
    #[error("authentication failed")]
    AuthenticationFailed,
    /// The authenticated identity may not act as the requested authorization identity
    /// (RFC 4422 §3.4.1).
    #[error("not authorized to act as the requested authorization identity")]
    AuthorizationFailed,
    /// SCRAM: the server's signature (`v=`) is wrong: it does not know the password
    /// (RFC 5802 §5.1 `v`, §9).
    #[error("SCRAM server signature mismatch: the server is not authentic")]
    ServerSignature,
    /// SCRAM: the server reported success without proving its identity (no `v=`).
    #[error("the server reported success before proving its identity")]
    ServerNotVerified,
    /// SCRAM: the server answered with `e=` (RFC 5802 §7 `server-error-value`).
    #[error("SCRAM server error: {0}")]
    ServerError(String),
    /// SCRAM -PLUS / gs2 header: channel binding refused or mismatched (RFC 5802 §6).
    #[error("channel binding failure: {0}")]
    ChannelBinding(&'static str),
    /// OAUTHBEARER / XOAUTH2: the token was refused (RFC 7628 §3.2.2).
    #[error("OAuth token rejected")]
    TokenRejected,
    /// ANONYMOUS refused by policy (RFC 4505 §5), or EXTERNAL without an external identity.
    #[error("authentication refused by policy")]
    Refused,
}

impl SaslError {
    /// Who is at fault.
    pub fn kind(&self) -> ErrorKind {
        use SaslError::*;
        match self {
            InvalidMechanismName
            | UnsupportedMechanism(_)
            | TlsRequired(_)
            | MissingCredentials(_)
            | InvalidInput(_)
            | Saslprep(_)
            | Randomness
            | InvalidState(_) => ErrorKind::Local,
            Base64
            | TooLong { .. }
            | Malformed(_)
            | Unexpected(_)
            | Cancelled
            | InitialResponseNotAllowed(_)
            | NonceMismatch
            | IterationCount { .. }
            | MandatoryExtension => ErrorKind::Malformed,
            AuthenticationFailed | AuthorizationFailed | ServerSignature | ServerNotVerified
            | ServerError(_) | ChannelBinding(_) | TokenRejected | Refused => ErrorKind::Failed,
        }
    }
}
