//! SCRAM-SHA-1, SCRAM-SHA-256 and their -PLUS variants (RFC 5802, RFC 7677).
//!
//! ```text
//! C: n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL                        client-first-message
//! S: r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096
//! C: c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=
//! S: v=rmF9pqV8S7suAoZWja4dJRkFsKQ=                              server-final-message
//! ```
//! (RFC 5802 §5.) In IMAP and POP3 the server-final message is a challenge, answered with an
//! empty response, since neither carries additional data with success (RFC 5034 §4).

use crate::prelude::*;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};

use crate::secret::ct_eq;
use crate::server::{check_len, outcome};
use crate::{
    Authenticated, Authenticator, ClientMechanism, ClientStep, Limits, Mechanism, Response,
    SaslError, Secret, ServerMechanism, ServerStep, saslprep_query,
};

/// The hash function of a SCRAM mechanism (RFC 5802 §2.2 `H`, `HMAC`, `Hi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScramHash {
    /// SHA-1 (RFC 5802).
    Sha1,
    /// SHA-256 (RFC 7677).
    Sha256,
}

macro_rules! with_digest {
    ($hash:expr, $D:ident => $body:expr) => {
        match $hash {
            ScramHash::Sha1 => {
                type $D = sha1::Sha1;
                $body
            }
            ScramHash::Sha256 => {
                type $D = sha2::Sha256;
                $body
            }
        }
    };
}

impl ScramHash {
    /// The hash and whether it is the -PLUS variant, for a SCRAM mechanism name.
    pub fn for_mechanism(mechanism: &Mechanism) -> Option<(ScramHash, bool)> {
        match mechanism.as_str() {
            "SCRAM-SHA-1" => Some((ScramHash::Sha1, false)),
            "SCRAM-SHA-1-PLUS" => Some((ScramHash::Sha1, true)),
            "SCRAM-SHA-256" => Some((ScramHash::Sha256, false)),
            "SCRAM-SHA-256-PLUS" => Some((ScramHash::Sha256, true)),
            _ => None,
        }
    }

    /// The mechanism name for this hash, with or without channel binding.
    pub fn mechanism(self, plus: bool) -> Mechanism {
        match (self, plus) {
            (ScramHash::Sha1, false) => Mechanism::SCRAM_SHA_1,
            (ScramHash::Sha1, true) => Mechanism::SCRAM_SHA_1_PLUS,
            (ScramHash::Sha256, false) => Mechanism::SCRAM_SHA_256,
            (ScramHash::Sha256, true) => Mechanism::SCRAM_SHA_256_PLUS,
        }
    }

    /// The output length of `H` in octets.
    pub fn output_len(self) -> usize {
        match self {
            ScramHash::Sha1 => 20,
            ScramHash::Sha256 => 32,
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Secret {
        with_digest!(self, D => {
            // HMAC takes keys of any length: the error branch cannot happen.
            match <Hmac<D> as Mac>::new_from_slice(key) {
                Ok(mut mac) => {
                    mac.update(data);
                    Secret::new(mac.finalize().into_bytes().to_vec())
                }
                Err(_) => Secret::default(),
            }
        })
    }

    fn h(self, data: &[u8]) -> Secret {
        use sha2::Digest as _;
        with_digest!(self, D => Secret::new(D::digest(data).to_vec()))
    }

    /// `Hi(str, salt, i)`: PBKDF2 with HMAC as PRF and the hash's output length (RFC 5802 §2.2).
    fn hi(self, password: &[u8], salt: &[u8], iterations: u32) -> Secret {
        let mut out = vec![0u8; self.output_len()];
        with_digest!(self, D => pbkdf2::pbkdf2_hmac::<D>(password, salt, iterations, &mut out));
        Secret::new(out)
    }
}

/// Channel binding data of the TLS connection (RFC 5802 §6, RFC 5056): the type name
/// (`tls-exporter`, RFC 9266; `tls-server-end-point`, RFC 5929; `tls-unique`) and the octets
/// the TLS library computed for it.
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelBinding {
    name: String,
    data: Vec<u8>,
}

impl ::core::fmt::Debug for ChannelBinding {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        write!(
            f,
            "ChannelBinding({}, {} octets)",
            self.name,
            self.data.len()
        )
    }
}

impl ChannelBinding {
    /// A binding of type `name` (`1*(ALPHA / DIGIT / "." / "-")`, RFC 5802 §7 `cb-name`).
    pub fn new(name: &str, data: Vec<u8>) -> Result<Self, SaslError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !ok {
            return Err(SaslError::InvalidInput(
                "channel binding type name (RFC 5802 §7 cb-name)",
            ));
        }
        Ok(ChannelBinding {
            name: name.to_owned(),
            data,
        })
    }

    /// `tls-exporter` (RFC 9266), the binding for TLS 1.3.
    pub fn tls_exporter(data: Vec<u8>) -> Self {
        ChannelBinding {
            name: "tls-exporter".into(),
            data,
        }
    }

    /// `tls-server-end-point` (RFC 5929 §4): the hash of the server's certificate.
    pub fn tls_server_end_point(data: Vec<u8>) -> Self {
        ChannelBinding {
            name: "tls-server-end-point".into(),
            data,
        }
    }

    /// The type name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The binding data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

/// The client's channel binding choice: the gs2 header's `gs2-cbind-flag` (RFC 5802 §6, §7).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientChannelBinding {
    /// `n`: the client does not support channel binding.
    Unsupported,
    /// `y`: the client supports it but thinks the server does not (no -PLUS advertised).
    NotAdvertised,
    /// `p=<name>`: bind to this channel (the -PLUS mechanisms).
    Bind(ChannelBinding),
}

/// Escapes a name for `saslname` (RFC 5802 §5.1 `n`: `,` as `=2C`, `=` as `=3D`).
pub(crate) fn escape_saslname(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

/// Reverses [`escape_saslname`]; `None` for an empty name or a bad `=` sequence.
pub(crate) fn unescape_saslname(name: &str) -> Option<String> {
    if name.is_empty() || name.contains(',') {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let esc = rest.get(i..i + 3)?;
        out.push(match esc {
            "=2C" => ',',
            "=3D" => '=',
            _ => return None,
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Some(out)
}

/// What a SCRAM server stores for a user (RFC 5802 §3): salt, iteration count, `StoredKey`
/// and `ServerKey`. The keys are [`Secret`]s (they let an attacker impersonate the server).
///
/// ```
/// use mailproto_sasl::{ScramCredentials, ScramHash};
/// use base64::Engine as _;
/// let salt = base64::engine::general_purpose::STANDARD.decode("QSXCR+Q6sek8bf92").unwrap();
/// let c = ScramCredentials::derive(ScramHash::Sha1, "pencil", &salt, 4096).unwrap();
/// assert_eq!(c.stored_key.len(), 20);
/// ```
#[derive(Debug, Clone)]
pub struct ScramCredentials {
    /// The salt.
    pub salt: Vec<u8>,
    /// The iteration count.
    pub iterations: u32,
    /// `StoredKey := H(ClientKey)`.
    pub stored_key: Secret,
    /// `ServerKey := HMAC(SaltedPassword, "Server Key")`.
    pub server_key: Secret,
}

impl ScramCredentials {
    /// Credentials from stored values.
    pub fn new(salt: Vec<u8>, iterations: u32, stored_key: Secret, server_key: Secret) -> Self {
        ScramCredentials {
            salt,
            iterations,
            stored_key,
            server_key,
        }
    }

    /// Derives the stored keys from a password: `SaltedPassword := Hi(Normalize(password),
    /// salt, i)` with SASLprep as `Normalize` (RFC 5802 §3). Use a random salt of 16 octets or
    /// more and at least 4096 iterations (RFC 7677 §4).
    pub fn derive(
        hash: ScramHash,
        password: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, SaslError> {
        if salt.is_empty() || iterations == 0 {
            return Err(SaslError::InvalidInput("SCRAM salt or iteration count"));
        }
        let normalized =
            Secret::from(saslprep_query(password).map_err(|_| SaslError::Saslprep("password"))?);
        let salted = hash.hi(normalized.expose(), salt, iterations);
        let client_key = hash.hmac(salted.expose(), b"Client Key");
        Ok(ScramCredentials {
            salt: salt.to_vec(),
            iterations,
            stored_key: hash.h(client_key.expose()),
            server_key: hash.hmac(salted.expose(), b"Server Key"),
        })
    }

    fn valid_for(&self, hash: ScramHash) -> bool {
        !self.salt.is_empty()
            && self.iterations > 0
            && self.stored_key.len() == hash.output_len()
            && self.server_key.len() == hash.output_len()
    }
}

fn xor(a: &[u8], b: &[u8]) -> Secret {
    Secret::new(a.iter().zip(b).map(|(x, y)| x ^ y).collect::<Vec<u8>>())
}

fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// `i`: `posit-number = %x31-39 *DIGIT` (RFC 5802 §7).
fn parse_iterations(s: &str) -> Option<u32> {
    if s.starts_with('0') || s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Optional extensions after the mandatory attributes: `attr-val` (`ALPHA "=" value`).
fn check_extensions<'a>(rest: impl Iterator<Item = &'a str>) -> Result<(), SaslError> {
    for ext in rest {
        let b = ext.as_bytes();
        if b.len() < 2 || !b[0].is_ascii_alphabetic() || b[1] != b'=' {
            return Err(SaslError::Malformed(
                "SCRAM attribute (RFC 5802 §7 attr-val)",
            ));
        }
    }
    Ok(())
}

#[derive(Debug)]
enum ClientState {
    Start,
    FirstSent,
    FinalSent { server_signature: Secret },
    Verified,
    Failed,
}

/// SCRAM client (RFC 5802 §5, §6; RFC 7677 §3).
///
/// ```
/// use mailproto_sasl::{ClientMechanism, ClientChannelBinding, Limits, ScramClient, ScramHash};
/// let mut c = ScramClient::new(ScramHash::Sha1, ClientChannelBinding::Unsupported,
///     "user", &"pencil".into(), None, "fyko+d2lbbFgONRv9qkxdawL", Limits::default()).unwrap();
/// let first = c.initial_response().unwrap().unwrap();
/// assert_eq!(first.as_bytes(), b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
/// let last = c.step(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
///     .unwrap();
/// assert_eq!(last.response().as_bytes(), &b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,\
///     p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="[..]);
/// let _ = c.step(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap(); // verifies the server
/// c.finish(None).unwrap();
/// ```
#[derive(Debug)]
pub struct ScramClient {
    hash: ScramHash,
    binding: ClientChannelBinding,
    gs2_header: String,
    client_first_bare: String,
    nonce: String,
    password: Secret,
    limits: Limits,
    state: ClientState,
}

impl ScramClient {
    /// A client for `hash`, -PLUS when `binding` is [`ClientChannelBinding::Bind`].
    /// `username` and `password` are prepared with SASLprep (RFC 5802 §5.1 `n`, §3
    /// `Normalize`); `nonce` is the client nonce (printable, no `,`).
    pub fn new(
        hash: ScramHash,
        binding: ClientChannelBinding,
        username: &str,
        password: &Secret,
        authzid: Option<&str>,
        nonce: &str,
        limits: Limits,
    ) -> Result<Self, SaslError> {
        if !crate::nonce::is_printable_nonce(nonce) {
            return Err(SaslError::InvalidInput(
                "SCRAM nonce (RFC 5802 §7: printable, no ',')",
            ));
        }
        let username = saslprep_query(username).map_err(|_| SaslError::Saslprep("user name"))?;
        let pw = password
            .expose_str()
            .ok_or(SaslError::InvalidInput("SCRAM password (UTF-8)"))?;
        let password =
            Secret::from(saslprep_query(pw).map_err(|_| SaslError::Saslprep("password"))?);
        if username.is_empty() || password.is_empty() {
            return Err(SaslError::InvalidInput("empty SCRAM user name or password"));
        }
        let flag = match &binding {
            ClientChannelBinding::Unsupported => "n".to_owned(),
            ClientChannelBinding::NotAdvertised => "y".to_owned(),
            ClientChannelBinding::Bind(cb) => format!("p={}", cb.name),
        };
        let authzid = match authzid {
            Some(a) if !a.is_empty() => format!("a={}", escape_saslname(a)),
            _ => String::new(),
        };
        Ok(ScramClient {
            hash,
            gs2_header: format!("{flag},{authzid},"),
            client_first_bare: format!("n={},r={nonce}", escape_saslname(&username)),
            nonce: nonce.to_owned(),
            binding,
            password,
            limits,
            state: ClientState::Start,
        })
    }

    fn client_first(&mut self) -> Response {
        self.state = ClientState::FirstSent;
        Response::new(format!("{}{}", self.gs2_header, self.client_first_bare).into_bytes())
    }

    fn client_final(&mut self, server_first: &[u8]) -> Result<Response, SaslError> {
        if server_first.len() > self.limits.max_message_len {
            return Err(SaslError::TooLong {
                len: server_first.len(),
                limit: self.limits.max_message_len,
            });
        }
        let server_first = core::str::from_utf8(server_first)
            .map_err(|_| SaslError::Malformed("server-first-message is not UTF-8"))?;
        let mut attrs = server_first.split(',');
        let mut next = |prefix: &'static str, what: &'static str| {
            let attr = attrs.next().unwrap_or("");
            if attr.starts_with("m=") {
                return Err(SaslError::MandatoryExtension);
            }
            attr.strip_prefix(prefix).ok_or(SaslError::Malformed(what))
        };
        let nonce = next("r=", "server-first-message: r= expected (RFC 5802 §5.1)")?;
        let salt = next("s=", "server-first-message: s= expected (RFC 5802 §5.1)")?;
        let iterations = next("i=", "server-first-message: i= expected (RFC 5802 §5.1)")?;
        check_extensions(attrs)?;
        if !crate::nonce::is_printable_nonce(nonce) {
            return Err(SaslError::Malformed("server nonce (RFC 5802 §7 printable)"));
        }
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err(SaslError::NonceMismatch);
        }
        let salt = STANDARD
            .decode(salt)
            .map_err(|_| SaslError::Malformed("SCRAM salt is not base64"))?;
        if salt.is_empty() {
            return Err(SaslError::Malformed("empty SCRAM salt"));
        }
        let iterations = parse_iterations(iterations)
            .ok_or(SaslError::Malformed("SCRAM iteration count (RFC 5802 §7)"))?;
        let (min, max) = (self.limits.min_iterations, self.limits.max_iterations);
        if !(min..=max).contains(&iterations) {
            return Err(SaslError::IterationCount {
                count: iterations,
                min,
                max,
            });
        }
        let mut cbind_input = self.gs2_header.as_bytes().to_vec();
        if let ClientChannelBinding::Bind(cb) = &self.binding {
            cbind_input.extend_from_slice(&cb.data);
        }
        let without_proof = format!("c={},r={nonce}", b64(&cbind_input));
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let h = self.hash;
        let salted = h.hi(self.password.expose(), &salt, iterations);
        let client_key = h.hmac(salted.expose(), b"Client Key");
        let stored_key = h.h(client_key.expose());
        let client_signature = h.hmac(stored_key.expose(), auth_message.as_bytes());
        let proof = xor(client_key.expose(), client_signature.expose());
        let server_key = h.hmac(salted.expose(), b"Server Key");
        self.state = ClientState::FinalSent {
            server_signature: h.hmac(server_key.expose(), auth_message.as_bytes()),
        };
        Ok(Response::new(
            format!("{without_proof},p={}", b64(proof.expose())).into_bytes(),
        ))
    }

    fn verify_server(&mut self, server_final: &[u8]) -> Result<(), SaslError> {
        let ClientState::FinalSent { server_signature } =
            ::core::mem::replace(&mut self.state, ClientState::Failed)
        else {
            return Err(SaslError::Unexpected("server-final-message out of order"));
        };
        if server_final.len() > self.limits.max_message_len {
            return Err(SaslError::TooLong {
                len: server_final.len(),
                limit: self.limits.max_message_len,
            });
        }
        let text = core::str::from_utf8(server_final)
            .map_err(|_| SaslError::Malformed("server-final-message is not UTF-8"))?;
        let mut attrs = text.split(',');
        let first = attrs.next().unwrap_or("");
        if let Some(e) = first.strip_prefix("e=") {
            return Err(SaslError::ServerError(e.chars().take(128).collect()));
        }
        let v = first.strip_prefix("v=").ok_or(SaslError::Malformed(
            "server-final-message: v= expected (RFC 5802 §5.1)",
        ))?;
        check_extensions(attrs)?;
        let v = STANDARD
            .decode(v)
            .map_err(|_| SaslError::Malformed("server signature is not base64"))?;
        if !server_signature.ct_eq(&v) {
            return Err(SaslError::ServerSignature);
        }
        self.state = ClientState::Verified;
        Ok(())
    }
}

impl ClientMechanism for ScramClient {
    fn mechanism(&self) -> Mechanism {
        self.hash
            .mechanism(matches!(self.binding, ClientChannelBinding::Bind(_)))
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        match self.state {
            ClientState::Start => Ok(Some(self.client_first())),
            _ => Err(SaslError::InvalidState(
                "SCRAM client-first-message already sent",
            )),
        }
    }

    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        match self.state {
            ClientState::Start if challenge.is_empty() => {
                Ok(ClientStep::Respond(self.client_first()))
            }
            ClientState::Start => Err(SaslError::Unexpected(
                "SCRAM expects an empty first challenge",
            )),
            ClientState::FirstSent => {
                let r = self.client_final(challenge);
                if r.is_err() {
                    self.state = ClientState::Failed;
                }
                r.map(ClientStep::Respond)
            }
            ClientState::FinalSent { .. } => {
                self.verify_server(challenge)?;
                Ok(ClientStep::Respond(Response::empty()))
            }
            ClientState::Verified | ClientState::Failed => Err(SaslError::Unexpected(
                "challenge after the SCRAM exchange ended",
            )),
        }
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        if let Some(data) = additional_data
            && matches!(self.state, ClientState::FinalSent { .. })
        {
            self.verify_server(data)?;
        }
        match self.state {
            ClientState::Verified => Ok(()),
            _ => Err(SaslError::ServerNotVerified),
        }
    }
}

/// What the server keeps between its two messages.
#[derive(Debug)]
struct Exchange {
    gs2_header: String,
    client_first_bare: String,
    server_first: String,
    nonce: String,
    credentials: ScramCredentials,
    known_user: bool,
    authcid: String,
    authzid: Option<String>,
    bound: bool,
}

#[derive(Debug)]
enum ServerState {
    Start,
    Waiting,
    FirstSent(Box<Exchange>),
    FinalSent(Authenticated),
    Done,
}

/// SCRAM server (RFC 5802 §5, §6; RFC 7677 §3): credentials from
/// [`Authenticator::scram_credentials`]; the server-final message is a challenge, answered by
/// an empty response.
#[derive(Debug)]
pub struct ScramServer {
    hash: ScramHash,
    plus: bool,
    channel_binding: Option<ChannelBinding>,
    supports_channel_binding: bool,
    nonce: String,
    limits: Limits,
    mock_key: Option<Secret>,
    mock_iterations: u32,
    state: ServerState,
}

impl ScramServer {
    /// A server for `hash` (-PLUS when `plus`), with this connection's `channel_binding`
    /// data; `supports_channel_binding` says the server advertises -PLUS here (a client `y`
    /// then signals a downgrade, RFC 5802 §6). `nonce` is the server's nonce part.
    pub fn new(
        hash: ScramHash,
        plus: bool,
        channel_binding: Option<ChannelBinding>,
        supports_channel_binding: bool,
        nonce: &str,
        limits: Limits,
    ) -> Result<Self, SaslError> {
        if !crate::nonce::is_printable_nonce(nonce) {
            return Err(SaslError::InvalidInput(
                "SCRAM nonce (RFC 5802 §7: printable, no ',')",
            ));
        }
        if plus && channel_binding.is_none() {
            return Err(SaslError::UnsupportedMechanism(
                hash.mechanism(true).to_string(),
            ));
        }
        Ok(ScramServer {
            hash,
            plus,
            channel_binding,
            supports_channel_binding,
            nonce: nonce.to_owned(),
            limits,
            mock_key: None,
            mock_iterations: 4096,
            state: ServerState::Start,
        })
    }

    /// Mock credentials for unknown users: salt `HMAC(key, name)` (random per attempt without
    /// a key) and this iteration count.
    pub fn set_mock(&mut self, key: Option<Secret>, iterations: u32) {
        self.mock_key = key;
        self.mock_iterations = iterations.max(1);
    }

    fn mock_credentials(&self, username: &str) -> ScramCredentials {
        let h = self.hash;
        let key = self
            .mock_key
            .as_ref()
            .map_or(self.nonce.as_bytes(), |k| k.expose());
        let salt = h.hmac(key, format!("salt:{username}").as_bytes());
        ScramCredentials {
            salt: salt.expose()[..16.min(salt.len())].to_vec(),
            iterations: self.mock_iterations,
            stored_key: h.hmac(self.nonce.as_bytes(), b"mock stored key"),
            server_key: h.hmac(self.nonce.as_bytes(), b"mock server key"),
        }
    }

    fn client_first(&mut self, msg: &[u8], auth: &dyn Authenticator) -> Result<Vec<u8>, SaslError> {
        check_len(msg, &self.limits)?;
        let msg = core::str::from_utf8(msg)
            .map_err(|_| SaslError::Malformed("client-first-message is not UTF-8"))?;
        const GS2: SaslError = SaslError::Malformed("gs2-header (RFC 5802 §7)");
        // gs2-cbind-flag "," [ authzid ] ","
        let (flag, rest) = msg.split_once(',').ok_or(GS2)?;
        let (authzid, bare) = rest.split_once(',').ok_or(GS2)?;
        let gs2_header = &msg[..flag.len() + authzid.len() + 2];
        let bound = match flag {
            "n" => false,
            "y" if self.supports_channel_binding => {
                return Err(SaslError::ChannelBinding(
                    "server-does-support-channel-binding",
                ));
            }
            "y" => false,
            _ => {
                let name = flag.strip_prefix("p=").ok_or(GS2)?;
                let cb = self.channel_binding.as_ref().filter(|_| self.plus).ok_or(
                    SaslError::ChannelBinding("channel binding requested without -PLUS"),
                )?;
                if name != cb.name {
                    return Err(SaslError::ChannelBinding(
                        "unsupported-channel-binding-type",
                    ));
                }
                true
            }
        };
        if self.plus && !bound {
            return Err(SaslError::ChannelBinding(
                "-PLUS without channel binding (p=)",
            ));
        }
        let authzid = match authzid {
            "" => None,
            a => Some(
                a.strip_prefix("a=")
                    .and_then(unescape_saslname)
                    .ok_or(GS2)?,
            ),
        };
        let mut attrs = bare.split(',');
        let user = attrs.next().unwrap_or("");
        if user.starts_with("m=") {
            return Err(SaslError::MandatoryExtension);
        }
        let user =
            user.strip_prefix("n=")
                .and_then(unescape_saslname)
                .ok_or(SaslError::Malformed(
                    "client-first-message: n= expected (RFC 5802 §5.1)",
                ))?;
        let client_nonce = attrs
            .next()
            .and_then(|r| r.strip_prefix("r="))
            .filter(|r| crate::nonce::is_printable_nonce(r))
            .ok_or(SaslError::Malformed(
                "client-first-message: r= expected (RFC 5802 §5.1)",
            ))?;
        check_extensions(attrs)?;
        // RFC 5802 §5.1: the server prepares the user name with SASLprep.
        let authcid = saslprep_query(&user)
            .ok()
            .filter(|u| !u.is_empty())
            .ok_or(SaslError::AuthenticationFailed)?;
        let (credentials, known_user) = match auth.scram_credentials(self.hash, &authcid) {
            Some(c) if c.valid_for(self.hash) => (c, true),
            Some(_) => return Err(SaslError::InvalidInput("stored SCRAM credentials")),
            None => (self.mock_credentials(&authcid), false),
        };
        let nonce = format!("{client_nonce}{}", self.nonce);
        let server_first = format!(
            "r={nonce},s={},i={}",
            b64(&credentials.salt),
            credentials.iterations
        );
        let reply = server_first.clone().into_bytes();
        self.state = ServerState::FirstSent(Box::new(Exchange {
            gs2_header: gs2_header.to_owned(),
            client_first_bare: bare.to_owned(),
            server_first,
            nonce,
            credentials,
            known_user,
            authcid,
            authzid,
            bound,
        }));
        Ok(reply)
    }

    fn client_final(&mut self, x: &Exchange, msg: &[u8], auth: &dyn Authenticator) -> ServerStep {
        match self.verify_final(x, msg) {
            Err(e) => ServerStep::Failure(e),
            Ok(auth_message) => {
                let mechanism = self.hash.mechanism(self.plus);
                match outcome(mechanism, x.authcid.clone(), x.authzid.clone(), auth) {
                    ServerStep::Success(who) => {
                        let h = self.hash;
                        let sig =
                            h.hmac(x.credentials.server_key.expose(), auth_message.as_bytes());
                        self.state = ServerState::FinalSent(who);
                        ServerStep::Challenge(format!("v={}", b64(sig.expose())).into_bytes())
                    }
                    other => other,
                }
            }
        }
    }

    /// Checks the client-final-message; returns the AuthMessage.
    fn verify_final(&self, x: &Exchange, msg: &[u8]) -> Result<String, SaslError> {
        check_len(msg, &self.limits)?;
        let msg = core::str::from_utf8(msg)
            .map_err(|_| SaslError::Malformed("client-final-message is not UTF-8"))?;
        let (without_proof, proof) = msg.rsplit_once(",p=").ok_or(SaslError::Malformed(
            "client-final-message: p= expected (RFC 5802 §5.1)",
        ))?;
        let mut attrs = without_proof.split(',');
        let c = attrs
            .next()
            .and_then(|c| c.strip_prefix("c="))
            .ok_or(SaslError::Malformed(
                "client-final-message: c= expected (RFC 5802 §5.1)",
            ))?;
        let r = attrs
            .next()
            .and_then(|r| r.strip_prefix("r="))
            .ok_or(SaslError::Malformed(
                "client-final-message: r= expected (RFC 5802 §5.1)",
            ))?;
        check_extensions(attrs)?;
        let c = STANDARD
            .decode(c)
            .map_err(|_| SaslError::Malformed("channel-binding is not base64"))?;
        let mut expected = x.gs2_header.as_bytes().to_vec();
        if let (true, Some(cb)) = (x.bound, &self.channel_binding) {
            expected.extend_from_slice(&cb.data);
        }
        if !ct_eq(&c, &expected) {
            return Err(SaslError::ChannelBinding("channel-bindings-dont-match"));
        }
        if r != x.nonce {
            return Err(SaslError::NonceMismatch);
        }
        let proof = STANDARD
            .decode(proof)
            .map_err(|_| SaslError::Malformed("proof is not base64"))?;
        let h = self.hash;
        if proof.len() != h.output_len() {
            return Err(SaslError::Malformed("proof has the wrong length"));
        }
        let auth_message = format!("{},{},{without_proof}", x.client_first_bare, x.server_first);
        let client_signature = h.hmac(x.credentials.stored_key.expose(), auth_message.as_bytes());
        let client_key = xor(&proof, client_signature.expose());
        let valid = x
            .credentials
            .stored_key
            .ct_eq(h.h(client_key.expose()).expose());
        if !(valid && x.known_user) {
            return Err(SaslError::AuthenticationFailed);
        }
        Ok(auth_message)
    }
}

impl ServerMechanism for ScramServer {
    fn mechanism(&self) -> Mechanism {
        self.hash.mechanism(self.plus)
    }

    fn start(&mut self, initial_response: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep {
        if !matches!(self.state, ServerState::Start) {
            return ServerStep::Failure(SaslError::InvalidState("SCRAM already started"));
        }
        match initial_response {
            None => {
                self.state = ServerState::Waiting;
                ServerStep::Challenge(Vec::new())
            }
            Some(msg) => {
                self.state = ServerState::Done;
                self.client_first(msg, auth)
                    .map_or_else(ServerStep::Failure, ServerStep::Challenge)
            }
        }
    }

    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        match ::core::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::Waiting => self
                .client_first(response, auth)
                .map_or_else(ServerStep::Failure, ServerStep::Challenge),
            ServerState::FirstSent(x) => self.client_final(&x, response, auth),
            ServerState::FinalSent(who) if response.is_empty() => ServerStep::Success(who),
            ServerState::FinalSent(_) => ServerStep::Failure(SaslError::Unexpected(
                "SCRAM expects an empty response to the server-final-message",
            )),
            ServerState::Start | ServerState::Done => {
                ServerStep::Failure(SaslError::InvalidState("SCRAM is not waiting"))
            }
        }
    }
}
