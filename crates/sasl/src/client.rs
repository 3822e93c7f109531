//! The client side: the [`ClientMechanism`] trait, credentials and the mechanism factory.

use crate::prelude::*;

use ::core::fmt;

use crate::mechanism::{CredentialKind, KNOWN, choose};
use crate::scram::{ChannelBinding, ClientChannelBinding, ScramClient, ScramHash};
use crate::{
    AnonymousClient, CramMd5Client, ExternalClient, Limits, LoginClient, Mechanism, NonceSource,
    OAuthBearerClient, OAuthError, PlainClient, Response, SaslError, Secret, XOAuth2Client,
};

/// A client mechanism: a state machine that turns server challenges into responses.
///
/// The driving loop (RFC 4422 §3):
/// 1. If the protocol allows it and [`initial_response`](Self::initial_response) returns
///    `Some`, send it with the command ([`crate::wire::pop3_initial_response`] and
///    [`crate::wire::imap_initial_response`] say how); otherwise send the command alone.
/// 2. For every challenge (decoded with [`crate::wire::decode_challenge`]) call
///    [`step`](Self::step) and send the response it returns; on an error, cancel with `*`.
/// 3. When the server reports success, call [`finish`](Self::finish): SCRAM fails it when the
///    server did not prove it knows the password (RFC 5802 §5.1 `v`).
///
/// ```
/// use mailproto_sasl::{ClientConfig, ClientMechanism, Credentials, FixedNonces, Mechanism};
/// let creds = Credentials::password("tim", "tanstaaftanstaaf");
/// let mut client = ClientConfig::default()
///     .start(&Mechanism::CRAM_MD5, &creds, &mut FixedNonces::default())
///     .unwrap();
/// assert!(client.initial_response().unwrap().is_none()); // server-first
/// let step = client.step(b"<1896.697170952@postoffice.reston.mci.net>").unwrap();
/// assert_eq!(step.response().as_bytes(), b"tim b913a602c7eda7a495b4e6e7334d3890");
/// client.finish(None).unwrap();
/// ```
pub trait ClientMechanism: fmt::Debug + Send {
    /// The mechanism's name.
    fn mechanism(&self) -> Mechanism;

    /// The initial response (RFC 4422 §3.3, §4 item 3), for client-first mechanisms; `None`
    /// for server-first ones (CRAM-MD5, LOGIN). Once called, the initial response counts as
    /// sent: a deferred one goes out after the server's empty challenge without calling
    /// [`step`](Self::step) for it.
    fn initial_response(&mut self) -> Result<Option<Response>, SaslError>;

    /// Handles one challenge (decoded bytes) and returns what to send back.
    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError>;

    /// The server reported success, with `additional_data` when the protocol carries it
    /// (RFC 4422 §3.6; IMAP and POP3 do not: `None`). Fails when the mechanism is not complete
    /// or the server was not verified.
    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError>;
}

/// What the client sends after a challenge.
#[must_use]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientStep {
    /// Send this response (possibly empty) and wait for the next challenge or the outcome.
    Respond(Response),
    /// The server refused the OAuth token and sent its error (RFC 7628 §3.2.2): send
    /// `response` (OAUTHBEARER: the dummy `%x01`, RFC 7628 §3.2.3; XOAUTH2: empty) and expect
    /// a failure. `error` tells the application what to fix (scope, discovery URL).
    TokenRejected {
        /// The response that completes the failed exchange.
        response: Response,
        /// The server's error JSON, parsed.
        error: OAuthError,
    },
}

impl ClientStep {
    /// The response to send.
    pub fn response(&self) -> &Response {
        match self {
            ClientStep::Respond(r) | ClientStep::TokenRejected { response: r, .. } => r,
        }
    }

    /// The response to send, by value.
    pub fn into_response(self) -> Response {
        match self {
            ClientStep::Respond(r) | ClientStep::TokenRejected { response: r, .. } => r,
        }
    }
}

/// What the client authenticates with. Secrets are [`Secret`]s: hidden from `Debug`,
/// zeroized on drop.
///
/// ```
/// use mailproto_sasl::Credentials;
/// let c = Credentials::password("user", "pencil").with_authzid("admin");
/// assert!(!format!("{c:?}").contains("pencil"));
/// ```
#[derive(Debug, Clone)]
pub struct Credentials {
    kind: CredentialKind,
    username: String,
    secret: Secret,
    authzid: Option<String>,
}

impl Credentials {
    /// A user name and password (PLAIN, LOGIN, CRAM-MD5, SCRAM-*).
    pub fn password(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            kind: CredentialKind::Password,
            username: username.into(),
            secret: password.into(),
            authzid: None,
        }
    }

    /// A user name and an OAuth 2.0 bearer token (OAUTHBEARER, XOAUTH2). OAUTHBEARER sends the
    /// user name as its authorization identity (`a=`, RFC 7628 §3.1) unless
    /// [`with_authzid`](Self::with_authzid) sets another one.
    pub fn bearer(username: impl Into<String>, token: impl Into<Secret>) -> Self {
        Credentials {
            kind: CredentialKind::Token,
            username: username.into(),
            secret: token.into(),
            authzid: None,
        }
    }

    /// An identity established outside SASL, e.g. a TLS client certificate (EXTERNAL).
    pub fn external() -> Self {
        Credentials {
            kind: CredentialKind::External,
            username: String::new(),
            secret: Secret::default(),
            authzid: None,
        }
    }

    /// No credential; `trace` is the optional trace information (ANONYMOUS, RFC 4505 §2).
    pub fn anonymous(trace: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::Anonymous,
            username: trace.into(),
            secret: Secret::default(),
            authzid: None,
        }
    }

    /// Requests to act as `authzid` (RFC 4422 §3.4.1).
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }

    /// Which mechanisms these credentials can drive.
    pub fn kind(&self) -> CredentialKind {
        self.kind
    }

    /// The user name (the trace for anonymous credentials).
    pub fn username(&self) -> &str {
        &self.username
    }
}

/// Client policy and connection facts.
///
/// ```
/// use mailproto_sasl::{ChannelBinding, ClientConfig, Credentials, Mechanism};
/// let config = ClientConfig {
///     tls: true,
///     channel_binding: Some(ChannelBinding::tls_exporter(vec![7; 32])),
///     ..ClientConfig::default()
/// };
/// let advertised = [Mechanism::PLAIN, Mechanism::SCRAM_SHA_256, Mechanism::SCRAM_SHA_256_PLUS];
/// let creds = Credentials::password("user", "pencil");
/// assert_eq!(config.choose(&advertised, &creds), Some(Mechanism::SCRAM_SHA_256_PLUS));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientConfig {
    /// The connection is protected by TLS (implicit TLS, STARTTLS or STLS).
    pub tls: bool,
    /// Channel binding data of the TLS connection, for SCRAM-*-PLUS (RFC 5802 §6; RFC 9266
    /// `tls-exporter` for TLS 1.3, RFC 5929 `tls-server-end-point`).
    pub channel_binding: Option<ChannelBinding>,
    /// Allow mechanisms that send a reusable secret without TLS (off: RFC 9051 §6.2.2 note).
    pub allow_plaintext_without_tls: bool,
    /// Size and SCRAM iteration limits.
    pub limits: Limits,
    /// OAUTHBEARER `host` key (RFC 7628 §3.1).
    pub oauth_host: Option<String>,
    /// OAUTHBEARER `port` key (RFC 7628 §3.1).
    pub oauth_port: Option<u16>,
}

impl ClientConfig {
    /// A configuration for a TLS-protected connection.
    pub fn tls() -> Self {
        ClientConfig {
            tls: true,
            ..ClientConfig::default()
        }
    }

    /// The best of the server's `advertised` mechanisms for these credentials (see
    /// [`choose`](crate::choose) for the order), `None` if none fits.
    pub fn choose(&self, advertised: &[Mechanism], credentials: &Credentials) -> Option<Mechanism> {
        choose(
            advertised,
            |info| {
                info.credential == credentials.kind
                    && (!info.channel_binding || (self.tls && self.channel_binding.is_some()))
            },
            self.tls || self.allow_plaintext_without_tls,
        )
    }

    /// Creates the client side of `mechanism` for `credentials`. SCRAM takes its client
    /// nonce from `nonces`.
    ///
    /// With [`channel_binding`](Self::channel_binding) data (and TLS), a -PLUS mechanism binds
    /// (`p=`) and a plain SCRAM mechanism sends `y`: "I can bind, but you did not offer
    /// -PLUS" (RFC 5802 §6). A server that does offer -PLUS then refuses the exchange as a
    /// downgrade, so pick -PLUS whenever the server offers it ([`choose`](Self::choose)
    /// does), or clear `channel_binding` to send `n`.
    pub fn start(
        &self,
        mechanism: &Mechanism,
        credentials: &Credentials,
        nonces: &mut dyn NonceSource,
    ) -> Result<Box<dyn ClientMechanism>, SaslError> {
        let info = KNOWN
            .iter()
            .find(|i| i.mechanism == *mechanism)
            .ok_or_else(|| SaslError::UnsupportedMechanism(mechanism.to_string()))?;
        if info.credential != credentials.kind {
            return Err(SaslError::MissingCredentials(mechanism.to_string()));
        }
        if info.needs_tls && !self.tls && !self.allow_plaintext_without_tls {
            return Err(SaslError::TlsRequired(mechanism.to_string()));
        }
        let c = credentials;
        let authzid = c.authzid.as_deref();
        let m = mechanism.clone();
        Ok(if m == Mechanism::PLAIN {
            Box::new(PlainClient::new(authzid, &c.username, c.secret.clone())?)
        } else if m == Mechanism::LOGIN {
            Box::new(LoginClient::new(&c.username, c.secret.clone())?)
        } else if m == Mechanism::CRAM_MD5 {
            Box::new(CramMd5Client::new(&c.username, c.secret.clone())?)
        } else if let Some((hash, plus)) = ScramHash::for_mechanism(&m) {
            let binding = match (&self.channel_binding, plus) {
                (Some(cb), true) if self.tls => ClientChannelBinding::Bind(cb.clone()),
                (_, true) => return Err(SaslError::MissingCredentials(m.to_string())),
                (Some(_), false) if self.tls => ClientChannelBinding::NotAdvertised,
                (_, false) => ClientChannelBinding::Unsupported,
            };
            let nonce = crate::nonce::checked_nonce(nonces)?;
            Box::new(ScramClient::new(
                hash,
                binding,
                &c.username,
                &c.secret,
                authzid,
                &nonce,
                self.limits,
            )?)
        } else if m == Mechanism::OAUTHBEARER {
            Box::new(OAuthBearerClient::new(
                Some(authzid.unwrap_or(&c.username)).filter(|a| !a.is_empty()),
                c.secret.clone(),
                self.oauth_host.as_deref(),
                self.oauth_port,
            )?)
        } else if m == Mechanism::XOAUTH2 {
            Box::new(XOAuth2Client::new(&c.username, c.secret.clone())?)
        } else if m == Mechanism::ANONYMOUS {
            Box::new(AnonymousClient::new(&c.username)?)
        } else if m == Mechanism::EXTERNAL {
            Box::new(ExternalClient::new(authzid)?)
        } else {
            return Err(SaslError::UnsupportedMechanism(m.to_string()));
        })
    }
}
