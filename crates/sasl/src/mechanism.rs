//! Mechanism names (RFC 4422 §3.1), the table of known mechanisms and the client's preference.

use ::core::fmt;
use alloc::borrow::Cow;

use crate::SaslError;

/// A SASL mechanism name: `1*20(UPPER-ALPHA / DIGIT / "-" / "_")` (RFC 4422 §3.1).
///
/// Names are compared case-insensitively (RFC 4422 §3.1; RFC 7628 §4's note): the value is
/// kept upper-cased, so `==` and `Hash` are case-insensitive.
///
/// ```
/// use mailproto_sasl::Mechanism;
/// let m = Mechanism::new("scram-sha-256").unwrap();
/// assert_eq!(m, Mechanism::SCRAM_SHA_256);
/// assert_eq!(m.as_str(), "SCRAM-SHA-256");
/// assert!(m.info().is_some_and(|i| !i.plaintext));
/// assert!(Mechanism::new("NOT A NAME").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mechanism(Cow<'static, str>);

macro_rules! known {
    ($($(#[$doc:meta])* $konst:ident = $name:literal;)*) => {
        impl Mechanism {
            $( $(#[$doc])* pub const $konst: Mechanism = Mechanism(Cow::Borrowed($name)); )*
        }
    };
}

known! {
    /// `PLAIN` (RFC 4616).
    PLAIN = "PLAIN";
    /// `LOGIN` (draft-murchison-sasl-login-00, obsolete).
    LOGIN = "LOGIN";
    /// `CRAM-MD5` (RFC 2195).
    CRAM_MD5 = "CRAM-MD5";
    /// `SCRAM-SHA-1` (RFC 5802).
    SCRAM_SHA_1 = "SCRAM-SHA-1";
    /// `SCRAM-SHA-1-PLUS` (RFC 5802 §6, channel binding).
    SCRAM_SHA_1_PLUS = "SCRAM-SHA-1-PLUS";
    /// `SCRAM-SHA-256` (RFC 7677).
    SCRAM_SHA_256 = "SCRAM-SHA-256";
    /// `SCRAM-SHA-256-PLUS` (RFC 7677, channel binding).
    SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS";
    /// `OAUTHBEARER` (RFC 7628).
    OAUTHBEARER = "OAUTHBEARER";
    /// `XOAUTH2` (Google's "OAuth 2.0 Mechanism" for IMAP, POP and SMTP).
    XOAUTH2 = "XOAUTH2";
    /// `ANONYMOUS` (RFC 4505).
    ANONYMOUS = "ANONYMOUS";
    /// `EXTERNAL` (RFC 4422 Appendix A).
    EXTERNAL = "EXTERNAL";
}

impl Mechanism {
    /// Validates a name (RFC 4422 §3.1) and upper-cases it.
    pub fn new(name: &str) -> Result<Self, SaslError> {
        let valid = (1..=20).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(SaslError::InvalidMechanismName);
        }
        let upper = name.to_ascii_uppercase();
        Ok(match KNOWN.iter().find(|i| i.mechanism.as_str() == upper) {
            Some(info) => info.mechanism.clone(),
            None => Mechanism(Cow::Owned(upper)),
        })
    }

    /// The name, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The properties of a mechanism this crate implements.
    pub fn info(&self) -> Option<&'static MechanismInfo> {
        KNOWN.iter().find(|i| i.mechanism == *self)
    }
}

impl fmt::Debug for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mechanism({})", self.0)
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ::core::str::FromStr for Mechanism {
    type Err = SaslError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mechanism::new(s)
    }
}

/// Which credential a mechanism consumes on the client side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialKind {
    /// A user name and password.
    Password,
    /// A user name and an OAuth 2.0 bearer token.
    Token,
    /// An identity established outside SASL (a TLS client certificate).
    External,
    /// No credential (trace information only).
    Anonymous,
}

/// Properties of a known mechanism.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MechanismInfo {
    /// The name.
    pub mechanism: Mechanism,
    /// The defining document and section.
    pub spec: &'static str,
    /// The credential it consumes.
    pub credential: CredentialKind,
    /// It sends a password or bearer token that an eavesdropper can reuse.
    pub plaintext: bool,
    /// Only to be used under TLS (plaintext secrets; RFC 7628 §3 for OAUTHBEARER).
    pub needs_tls: bool,
    /// The client sends the first message (RFC 4422 §3.3 "client-first").
    pub client_first: bool,
    /// It takes an initial response (RFC 4422 §4 item 3, RFC 4959, RFC 5034 §4).
    pub initial_response: bool,
    /// The server proves knowledge of the credential to the client (SCRAM `v=`).
    pub mutual: bool,
    /// It binds the exchange to the TLS channel (RFC 5802 §6, -PLUS).
    pub channel_binding: bool,
}

const fn info(
    mechanism: Mechanism,
    spec: &'static str,
    credential: CredentialKind,
    plaintext: bool,
    client_first: bool,
    mutual: bool,
    channel_binding: bool,
) -> MechanismInfo {
    MechanismInfo {
        mechanism,
        spec,
        credential,
        plaintext,
        needs_tls: plaintext,
        client_first,
        initial_response: client_first,
        mutual,
        channel_binding,
    }
}

/// Every mechanism this crate implements, strongest first: the order is the client's
/// preference ([`choose`]).
#[rustfmt::skip]
pub const KNOWN: &[MechanismInfo] = &[
    info(Mechanism::SCRAM_SHA_256_PLUS, "RFC 7677 §3, RFC 5802 §6", CredentialKind::Password, false, true, true, true),
    info(Mechanism::SCRAM_SHA_1_PLUS, "RFC 5802 §6", CredentialKind::Password, false, true, true, true),
    info(Mechanism::SCRAM_SHA_256, "RFC 7677 §3", CredentialKind::Password, false, true, true, false),
    info(Mechanism::SCRAM_SHA_1, "RFC 5802 §5", CredentialKind::Password, false, true, true, false),
    info(Mechanism::EXTERNAL, "RFC 4422 Appendix A", CredentialKind::External, false, true, false, false),
    info(Mechanism::OAUTHBEARER, "RFC 7628 §3", CredentialKind::Token, true, true, false, false),
    info(Mechanism::XOAUTH2, "Google XOAUTH2 protocol", CredentialKind::Token, true, true, false, false),
    info(Mechanism::CRAM_MD5, "RFC 2195 §2", CredentialKind::Password, false, false, false, false),
    info(Mechanism::PLAIN, "RFC 4616 §2", CredentialKind::Password, true, true, false, false),
    info(Mechanism::LOGIN, "draft-murchison-sasl-login-00 §2", CredentialKind::Password, true, false, false, false),
    info(Mechanism::ANONYMOUS, "RFC 4505 §2", CredentialKind::Anonymous, false, true, false, false),
];

/// Picks the mechanism a client should use among those the server advertised.
///
/// Walks [`KNOWN`] in order (SCRAM -PLUS, SCRAM, EXTERNAL, OAUTHBEARER, XOAUTH2, CRAM-MD5,
/// PLAIN, LOGIN, ANONYMOUS) and returns the first one that the server advertised, that
/// `usable` accepts (it has the credential, channel binding data, …), and that is not
/// plaintext over an unprotected connection unless `allow_plaintext` (RFC 9051 §6.2.2 note,
/// RFC 5034 §4). [`crate::ClientConfig::choose`] fills `usable` from the credentials.
///
/// ```
/// use mailproto_sasl::{choose, Mechanism};
/// let advertised = [Mechanism::PLAIN, Mechanism::SCRAM_SHA_1, Mechanism::SCRAM_SHA_256_PLUS];
/// // No channel binding data: -PLUS is not usable.
/// let pick = choose(&advertised, |i| !i.channel_binding, false);
/// assert_eq!(pick, Some(Mechanism::SCRAM_SHA_1));
/// ```
pub fn choose(
    advertised: &[Mechanism],
    mut usable: impl FnMut(&MechanismInfo) -> bool,
    allow_plaintext: bool,
) -> Option<Mechanism> {
    KNOWN
        .iter()
        .filter(|i| allow_plaintext || !i.needs_tls)
        .filter(|i| advertised.contains(&i.mechanism))
        .find(|i| usable(i))
        .map(|i| i.mechanism.clone())
}
