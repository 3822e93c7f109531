//! The server side: the [`ServerMechanism`] trait, the [`Authenticator`] the application
//! implements, and the mechanism factory.

use crate::prelude::*;

use ::core::fmt;

use crate::scram::{ChannelBinding, ScramCredentials, ScramHash, ScramServer};
use crate::{
    AnonymousServer, CramMd5Server, ExternalServer, Limits, LoginServer, Mechanism, NonceSource,
    OAuthBearerServer, OAuthError, PlainServer, SaslError, Secret, XOAuth2Server,
};

/// A server mechanism: a state machine that turns client responses into challenges and,
/// at the end, an outcome.
///
/// The driving loop (RFC 4422 §3): call [`start`](Self::start) with the initial response
/// if the command carried one (`Some(b"")` for `=`), then [`step`](Self::step) with every
/// decoded response line, until [`ServerStep::Success`] or [`ServerStep::Failure`]. A client's
/// `*` (cancel) never reaches the mechanism: the session answers `BAD` / `-ERR`
/// ([`crate::wire::decode_line`]).
///
/// ```
/// use mailproto_sasl::{Authenticator, Mechanism, Secret, ServerConfig, ServerStep, FixedNonces};
/// struct Users;
/// impl Authenticator for Users {
///     fn check_password(&self, user: &str, password: &Secret) -> bool {
///         user == "tim" && password.ct_eq(b"tanstaaftanstaaf")
///     }
/// }
/// let config = ServerConfig::default();
/// let mut server = config
///     .start(&Mechanism::PLAIN, Some(&Default::default()), &mut FixedNonces::default())
///     .unwrap();
/// match server.start(Some(b"\0tim\0tanstaaftanstaaf"), &Users) {
///     ServerStep::Success(who) => assert_eq!(who.identity(), "tim"),
///     other => panic!("{other:?}"),
/// }
/// ```
pub trait ServerMechanism: fmt::Debug + Send {
    /// The mechanism's name.
    fn mechanism(&self) -> Mechanism;

    /// Begins the exchange, with the client's initial response if there was one. A
    /// mechanism that takes none fails on `Some` (RFC 9051 §6.2.2: tagged `BAD`).
    fn start(&mut self, initial_response: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep;

    /// Handles one client response (decoded bytes).
    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep;
}

/// What the server does next.
#[must_use]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ServerStep {
    /// Send this challenge (base64 after `+ `; empty is the empty challenge) and wait for a
    /// response.
    Challenge(Vec<u8>),
    /// Authentication succeeded (tagged `OK` / `+OK`).
    Success(Authenticated),
    /// Authentication failed; the error says why (for the log; the peer gets a plain
    /// `NO` / `-ERR`, or `BAD` for [`crate::ErrorKind::Malformed`]).
    Failure(SaslError),
}

/// The outcome of a successful exchange (RFC 4422 §3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Authenticated {
    /// The mechanism used.
    pub mechanism: Mechanism,
    /// The authentication identity (whose credentials were checked): prepared with SASLprep
    /// where the mechanism says so; `anonymous` for ANONYMOUS.
    pub authcid: String,
    /// The authorization identity requested by the client, if any (and allowed by
    /// [`Authenticator::authorize`]).
    pub authzid: Option<String>,
    /// ANONYMOUS trace information (RFC 4505 §2), for the log.
    pub trace: Option<String>,
}

impl Authenticated {
    /// The identity to act as: the authorization identity if one was requested, else the
    /// authentication identity (RFC 4422 §3.4.1).
    pub fn identity(&self) -> &str {
        self.authzid.as_deref().unwrap_or(&self.authcid)
    }
}

/// What the mechanism passes to [`Authenticator::verify_token`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct TokenRequest<'a> {
    /// OAUTHBEARER or XOAUTH2.
    pub mechanism: &'a Mechanism,
    /// XOAUTH2 `user=`; OAUTHBEARER's authorization identity `a=` (RFC 7628 §3.1).
    pub user: Option<&'a str>,
    /// The bearer token (after `Bearer `, RFC 6750 §2.1 `b64token`).
    pub token: &'a Secret,
    /// OAUTHBEARER `host` (already checked against [`ServerConfig::oauth_host`]).
    pub host: Option<&'a str>,
    /// OAUTHBEARER `port` (already checked against [`ServerConfig::oauth_port`]).
    pub port: Option<u16>,
}

/// The application's credential store. Every method has a refusing default, so an
/// application implements only what its enabled mechanisms use.
pub trait Authenticator {
    /// PLAIN, LOGIN: is `password` right for `authcid`? Both are prepared with SASLprep
    /// (RFC 4616 §2, query strings). Compare in constant time ([`Secret::ct_eq`]).
    fn check_password(&self, authcid: &str, password: &Secret) -> bool {
        let _ = (authcid, password);
        false
    }

    /// CRAM-MD5: the shared secret (the password) of `authcid` (RFC 2195 §2).
    fn cram_md5_secret(&self, authcid: &str) -> Option<Secret> {
        let _ = authcid;
        None
    }

    /// SCRAM: the stored credentials of `username` (prepared with SASLprep) for `hash`
    /// (RFC 5802 §3; [`ScramCredentials::derive`] makes them from a password). `None` for an
    /// unknown user: the exchange then goes on with mock credentials and fails at the proof,
    /// so that user names cannot be probed.
    fn scram_credentials(&self, hash: ScramHash, username: &str) -> Option<ScramCredentials> {
        let _ = (hash, username);
        None
    }

    /// OAUTHBEARER, XOAUTH2: validates the token and returns the authenticated identity, or
    /// the error to send to the client (RFC 7628 §3.2.2).
    fn verify_token(&self, request: &TokenRequest<'_>) -> Result<String, OAuthError> {
        let _ = request;
        Err(OAuthError::invalid_token())
    }

    /// ANONYMOUS: let an anonymous client in (RFC 4505 §5: off by default)?
    fn allow_anonymous(&self, trace: &str) -> bool {
        let _ = trace;
        false
    }

    /// May `authcid` act as `authzid` (RFC 4422 §3.4.1)? Called only when they differ.
    fn authorize(&self, authcid: &str, authzid: &str) -> bool {
        let _ = (authcid, authzid);
        false
    }
}

/// What the TLS layer knows about the connection.
#[derive(Debug, Clone, Default)]
pub struct TlsInfo {
    /// Channel binding data for SCRAM-*-PLUS (RFC 5802 §6).
    pub channel_binding: Option<ChannelBinding>,
    /// The identity the client proved outside SASL (client certificate), for EXTERNAL
    /// (RFC 4422 Appendix A).
    pub peer_identity: Option<String>,
}

impl TlsInfo {
    /// A TLS connection with channel binding data.
    pub fn with_channel_binding(channel_binding: ChannelBinding) -> Self {
        TlsInfo {
            channel_binding: Some(channel_binding),
            peer_identity: None,
        }
    }
}

/// Server policy.
///
/// ```
/// use mailproto_sasl::{Mechanism, ServerConfig, TlsInfo};
/// let config = ServerConfig::default();
/// // Without TLS, PLAIN is not offered (RFC 9051 §6.2.2 note).
/// assert!(!config.advertised(None).contains(&Mechanism::PLAIN));
/// assert!(config.advertised(Some(&TlsInfo::default())).contains(&Mechanism::PLAIN));
/// ```
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Enabled mechanisms, in the order to advertise them.
    pub mechanisms: Vec<Mechanism>,
    /// Allow plaintext mechanisms without TLS (off: RFC 9051 §6.2.2 note, RFC 5034 §4).
    pub allow_plaintext_without_tls: bool,
    /// Size and SCRAM limits.
    pub limits: Limits,
    /// The host name in the CRAM-MD5 challenge (RFC 2195 §2).
    pub hostname: String,
    /// When set, OAUTHBEARER's `host` must match (RFC 7628 §3.2).
    pub oauth_host: Option<String>,
    /// When set, OAUTHBEARER's `port` must match (RFC 7628 §3.2).
    pub oauth_port: Option<u16>,
    /// A server-wide secret for mock SCRAM salts of unknown users: with it the mock salt of a
    /// name is stable, so unknown names cannot be told from known ones. Without it the mock
    /// salt is random per attempt.
    pub scram_mock_key: Option<Secret>,
    /// The iteration count announced with mock credentials.
    pub scram_mock_iterations: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            mechanisms: vec![
                Mechanism::SCRAM_SHA_256_PLUS,
                Mechanism::SCRAM_SHA_256,
                Mechanism::SCRAM_SHA_1_PLUS,
                Mechanism::SCRAM_SHA_1,
                Mechanism::PLAIN,
                Mechanism::EXTERNAL,
            ],
            allow_plaintext_without_tls: false,
            limits: Limits::default(),
            hostname: "localhost".into(),
            oauth_host: None,
            oauth_port: None,
            scram_mock_key: None,
            scram_mock_iterations: 4096,
        }
    }
}

impl ServerConfig {
    /// The mechanisms to advertise (`AUTH=` capabilities, the POP3 `SASL` tag) on a
    /// connection: the enabled ones minus plaintext without TLS, -PLUS without channel
    /// binding data and EXTERNAL without a peer identity. `tls` is `None` without TLS.
    pub fn advertised(&self, tls: Option<&TlsInfo>) -> Vec<Mechanism> {
        self.mechanisms
            .iter()
            .filter(|m| self.offered(m, tls).is_ok())
            .cloned()
            .collect()
    }

    fn offered(&self, m: &Mechanism, tls: Option<&TlsInfo>) -> Result<(), SaslError> {
        let info = m
            .info()
            .filter(|_| self.mechanisms.contains(m))
            .ok_or_else(|| SaslError::UnsupportedMechanism(m.to_string()))?;
        if info.needs_tls && tls.is_none() && !self.allow_plaintext_without_tls {
            return Err(SaslError::TlsRequired(m.to_string()));
        }
        if info.channel_binding && tls.and_then(|t| t.channel_binding.as_ref()).is_none() {
            return Err(SaslError::UnsupportedMechanism(m.to_string()));
        }
        if *m == Mechanism::EXTERNAL && tls.and_then(|t| t.peer_identity.as_ref()).is_none() {
            return Err(SaslError::UnsupportedMechanism(m.to_string()));
        }
        Ok(())
    }

    /// Creates the server side of `mechanism` for one exchange. Fails (tagged `NO`, RFC 9051
    /// §6.2.2) for a mechanism that is not offered on this connection. SCRAM and CRAM-MD5 take
    /// their nonce from `nonces`.
    pub fn start(
        &self,
        mechanism: &Mechanism,
        tls: Option<&TlsInfo>,
        nonces: &mut dyn NonceSource,
    ) -> Result<Box<dyn ServerMechanism>, SaslError> {
        self.offered(mechanism, tls)?;
        let m = mechanism.clone();
        let l = self.limits;
        Ok(if m == Mechanism::PLAIN {
            Box::new(PlainServer::new(l))
        } else if m == Mechanism::LOGIN {
            Box::new(LoginServer::new(l))
        } else if m == Mechanism::CRAM_MD5 {
            let nonce = crate::nonce::checked_nonce(nonces)?;
            Box::new(CramMd5Server::new(&nonce, &self.hostname, l)?)
        } else if let Some((hash, plus)) = ScramHash::for_mechanism(&m) {
            let cb = tls.and_then(|t| t.channel_binding.clone());
            // The server supports channel binding when it offers a -PLUS variant here.
            let supports_cb = cb.is_some()
                && self
                    .mechanisms
                    .iter()
                    .any(|m| m.info().is_some_and(|i| i.channel_binding));
            let nonce = crate::nonce::checked_nonce(nonces)?;
            let mut server = ScramServer::new(hash, plus, cb, supports_cb, &nonce, l)?;
            server.set_mock(self.scram_mock_key.clone(), self.scram_mock_iterations);
            Box::new(server)
        } else if m == Mechanism::OAUTHBEARER {
            Box::new(OAuthBearerServer::new(
                self.oauth_host.clone(),
                self.oauth_port,
                l,
            ))
        } else if m == Mechanism::XOAUTH2 {
            Box::new(XOAuth2Server::new(l))
        } else if m == Mechanism::ANONYMOUS {
            Box::new(AnonymousServer::new(l))
        } else if m == Mechanism::EXTERNAL {
            Box::new(ExternalServer::new(
                tls.and_then(|t| t.peer_identity.clone()),
                l,
            ))
        } else {
            return Err(SaslError::UnsupportedMechanism(m.to_string()));
        })
    }
}

/// The outcome once the credentials checked out: applies the authorization identity rule
/// (RFC 4422 §3.4.1).
pub(crate) fn outcome(
    mechanism: Mechanism,
    authcid: String,
    authzid: Option<String>,
    auth: &dyn Authenticator,
) -> ServerStep {
    if let Some(z) = &authzid
        && *z != authcid
        && !auth.authorize(&authcid, z)
    {
        return ServerStep::Failure(SaslError::AuthorizationFailed);
    }
    ServerStep::Success(Authenticated {
        mechanism,
        authcid,
        authzid,
        trace: None,
    })
}

/// Checks a peer message against the size limit.
pub(crate) fn check_len(data: &[u8], limits: &Limits) -> Result<(), SaslError> {
    if data.len() > limits.max_message_len {
        Err(SaslError::TooLong {
            len: data.len(),
            limit: limits.max_message_len,
        })
    } else {
        Ok(())
    }
}
