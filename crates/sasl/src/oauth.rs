//! OAUTHBEARER (RFC 7628) and XOAUTH2 (Google's "OAuth 2.0 Mechanism" page for IMAP, POP and
//! SMTP): a bearer token in key/value pairs separated by `%x01`; on failure the server sends
//! an error as JSON in a challenge and the client completes with a dummy response.

use crate::prelude::*;

use crate::plain::finish_simple;
use crate::scram::{escape_saslname, unescape_saslname};
use crate::server::{check_len, outcome};
use crate::{
    Authenticator, ClientMechanism, ClientStep, Limits, Mechanism, Response, SaslError, Secret,
    ServerMechanism, ServerStep, TokenRequest,
};

const KVSEP: u8 = 0x01;

/// The error a server sends when it refuses a token (RFC 7628 §3.2.2; XOAUTH2 sends the
/// same shape with `schemes`).
///
/// ```
/// use mailproto_sasl::OAuthError;
/// let e = OAuthError { scope: Some("example_scope".into()), ..OAuthError::invalid_token() };
/// let json = e.to_json();
/// assert_eq!(json, r#"{"status":"invalid_token","scope":"example_scope"}"#);
/// assert_eq!(OAuthError::from_json(json.as_bytes()).unwrap(), e);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OAuthError {
    /// The error code (RFC 7628 §3.2.2 `status`; Google sends an HTTP code such as `401`).
    pub status: String,
    /// A scope valid for the service.
    pub scope: Option<String>,
    /// OpenID discovery URL (`openid-configuration`).
    pub openid_configuration: Option<String>,
    /// Accepted token schemes (XOAUTH2, RFC 7628 §4.4).
    pub schemes: Option<String>,
}

impl OAuthError {
    /// `{"status":"invalid_token"}`.
    pub fn invalid_token() -> Self {
        OAuthError::with_status("invalid_token")
    }

    /// An error with a status code only.
    pub fn with_status(status: &str) -> Self {
        OAuthError {
            status: status.to_owned(),
            ..OAuthError::default()
        }
    }

    /// The JSON form sent in the challenge.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        let fields = [
            ("status", Some(&self.status)),
            ("schemes", self.schemes.as_ref()),
            ("scope", self.scope.as_ref()),
            ("openid-configuration", self.openid_configuration.as_ref()),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                if out.len() > 1 {
                    out.push(',');
                }
                json_string(key, &mut out);
                out.push(':');
                json_string(v, &mut out);
            }
        }
        out.push('}');
        out
    }

    /// Parses the challenge: a flat JSON object; unknown members are ignored, `status` is
    /// required.
    pub fn from_json(json: &[u8]) -> Result<Self, SaslError> {
        let mut e = OAuthError::default();
        let mut status = None;
        for (key, value) in parse_flat_object(json)? {
            let Some(value) = value else { continue };
            match key.as_str() {
                "status" => status = Some(value),
                "scope" => e.scope = Some(value),
                "openid-configuration" => e.openid_configuration = Some(value),
                "schemes" => e.schemes = Some(value),
                _ => {}
            }
        }
        e.status = status.ok_or(SaslError::Malformed(
            "OAuth error without status (RFC 7628 §3.2.2)",
        ))?;
        Ok(e)
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A flat JSON object: members whose value is a string are `Some`, numbers, booleans and
/// `null` are `None`; nested values are an error (RFC 8259 grammar otherwise).
fn parse_flat_object(json: &[u8]) -> Result<Vec<(String, Option<String>)>, SaslError> {
    const BAD: SaslError = SaslError::Malformed("OAuth error is not a flat JSON object");
    let text = core::str::from_utf8(json).map_err(|_| BAD)?;
    let mut chars = text.chars().peekable();
    let skip_ws = |c: &mut core::iter::Peekable<core::str::Chars<'_>>| {
        while c
            .next_if(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
            .is_some()
        {}
    };
    let string = |c: &mut core::iter::Peekable<core::str::Chars<'_>>| -> Result<String, SaslError> {
        if c.next() != Some('"') {
            return Err(BAD);
        }
        let mut s = String::new();
        loop {
            match c.next().ok_or(BAD)? {
                '"' => return Ok(s),
                '\\' => match c.next().ok_or(BAD)? {
                    '"' => s.push('"'),
                    '\\' => s.push('\\'),
                    '/' => s.push('/'),
                    'b' => s.push('\u{8}'),
                    'f' => s.push('\u{c}'),
                    'n' => s.push('\n'),
                    'r' => s.push('\r'),
                    't' => s.push('\t'),
                    'u' => {
                        let mut code = 0u32;
                        for _ in 0..4 {
                            code = code * 16 + c.next().and_then(|d| d.to_digit(16)).ok_or(BAD)?;
                        }
                        // Surrogates (pairs or not) become U+FFFD: only display text here.
                        s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    _ => return Err(BAD),
                },
                ch if (ch as u32) < 0x20 => return Err(BAD),
                ch => s.push(ch),
            }
        }
    };
    let mut members = Vec::new();
    skip_ws(&mut chars);
    if chars.next() != Some('{') {
        return Err(BAD);
    }
    skip_ws(&mut chars);
    if chars.next_if_eq(&'}').is_none() {
        loop {
            skip_ws(&mut chars);
            let key = string(&mut chars)?;
            skip_ws(&mut chars);
            if chars.next() != Some(':') {
                return Err(BAD);
            }
            skip_ws(&mut chars);
            let value = match chars.peek() {
                Some('"') => Some(string(&mut chars)?),
                Some(c) if c.is_ascii_alphanumeric() || *c == '-' => {
                    let mut lit = String::new();
                    while let Some(c) =
                        chars.next_if(|c| c.is_ascii_alphanumeric() || "+-.".contains(*c))
                    {
                        lit.push(c);
                    }
                    let number = lit.parse::<f64>().is_ok_and(|n| n.is_finite());
                    if !(number || matches!(lit.as_str(), "true" | "false" | "null")) {
                        return Err(BAD);
                    }
                    None
                }
                _ => return Err(BAD),
            };
            members.push((key, value));
            skip_ws(&mut chars);
            match chars.next() {
                Some(',') => continue,
                Some('}') => break,
                _ => return Err(BAD),
            }
        }
    }
    skip_ws(&mut chars);
    if chars.next().is_some() {
        return Err(BAD);
    }
    Ok(members)
}

/// RFC 6750 §2.1 `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &[u8]) -> bool {
    let body = token.iter().position(|&b| b == b'=').unwrap_or(token.len());
    body > 0
        && token[..body]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(b))
        && token[body..].iter().all(|&b| b == b'=')
}

/// The key/value pairs up to the closing `%x01` (RFC 7628 §3.1 `*kvpair kvsep`), which must
/// end the message. `key = 1*ALPHA`, `value = *(VCHAR / SP / HTAB / CR / LF)`.
type Pairs<'a> = Vec<(&'a [u8], &'a [u8])>;

fn parse_kvpairs(mut rest: &[u8]) -> Result<Pairs<'_>, SaslError> {
    const BAD: SaslError = SaslError::Malformed("OAuth key/value pairs (RFC 7628 §3.1)");
    let mut pairs: Pairs<'_> = Vec::new();
    loop {
        match rest {
            [KVSEP] => return Ok(pairs),
            [] => return Err(BAD),
            _ => {}
        }
        let end = rest.iter().position(|&b| b == KVSEP).ok_or(BAD)?;
        let pair = &rest[..end];
        rest = &rest[end + 1..];
        let eq = pair.iter().position(|&b| b == b'=').ok_or(BAD)?;
        let (key, value) = (&pair[..eq], &pair[eq + 1..]);
        let value_ok = value
            .iter()
            .all(|&b| (0x21..=0x7e).contains(&b) || matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) || !value_ok {
            return Err(BAD);
        }
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(SaslError::Malformed("repeated OAuth key"));
        }
        pairs.push((key, value));
    }
}

/// The token of an `auth` value `Bearer SP b64token` (scheme case-insensitive, RFC 7628 §4);
/// empty when absent or of another scheme (the server answers with its error JSON).
fn bearer_token(auth: Option<&[u8]>) -> Secret {
    match auth {
        Some(a)
            if a.len() > 7 && a[..7].eq_ignore_ascii_case(b"Bearer ") && is_b64token(&a[7..]) =>
        {
            Secret::new(&a[7..])
        }
        _ => Secret::default(),
    }
}

fn get<'a>(pairs: &[(&[u8], &'a [u8])], key: &[u8]) -> Option<&'a [u8]> {
    pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientState {
    Start,
    Sent,
    Rejected,
}

fn client_step(
    state: &mut ClientState,
    message: &Response,
    challenge: &[u8],
    dummy: &[u8],
) -> Result<ClientStep, SaslError> {
    match *state {
        ClientState::Start if challenge.is_empty() => {
            *state = ClientState::Sent;
            Ok(ClientStep::Respond(message.clone()))
        }
        ClientState::Sent if challenge.len() <= Limits::default().max_message_len => {
            *state = ClientState::Rejected;
            Ok(ClientStep::TokenRejected {
                response: Response::new(dummy),
                error: OAuthError::from_json(challenge)?,
            })
        }
        ClientState::Sent => Err(SaslError::TooLong {
            len: challenge.len(),
            limit: Limits::default().max_message_len,
        }),
        _ => Err(SaslError::Unexpected(
            "challenge after the OAuth exchange ended",
        )),
    }
}

fn client_initial(
    state: &mut ClientState,
    message: &Response,
) -> Result<Option<Response>, SaslError> {
    if *state != ClientState::Start {
        return Err(SaslError::InvalidState("OAuth message already sent"));
    }
    *state = ClientState::Sent;
    Ok(Some(message.clone()))
}

/// OAUTHBEARER client (RFC 7628 §3.1).
///
/// ```
/// use mailproto_sasl::{ClientMechanism, OAuthBearerClient};
/// let mut c = OAuthBearerClient::new(
///     Some("user@example.com"),
///     "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".into(),
///     Some("server.example.com"),
///     Some(143),
/// ).unwrap();
/// let ir = c.initial_response().unwrap().unwrap();
/// assert_eq!(ir.as_bytes(), &b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01\
///     auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"[..]); // RFC 7628 §4.1
/// ```
#[derive(Debug)]
pub struct OAuthBearerClient {
    message: Response,
    state: ClientState,
}

impl OAuthBearerClient {
    /// `authzid`: the user (`a=`, escaped as a saslname); `token`: RFC 6750 `b64token`;
    /// `host` and `port`: where the client connected (RFC 7628 §3.1).
    pub fn new(
        authzid: Option<&str>,
        token: Secret,
        host: Option<&str>,
        port: Option<u16>,
    ) -> Result<Self, SaslError> {
        if !is_b64token(token.expose()) {
            return Err(SaslError::InvalidInput(
                "bearer token (RFC 6750 §2.1 b64token)",
            ));
        }
        let host_ok = host.is_none_or(|h| h.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        if !host_ok {
            return Err(SaslError::InvalidInput("OAUTHBEARER host"));
        }
        let mut m = Secret::new(Vec::with_capacity(64 + token.len()));
        m.push_bytes(b"n,");
        if let Some(a) = authzid {
            m.push_bytes(b"a=");
            m.push_bytes(escape_saslname(a).as_bytes());
        }
        m.push_bytes(b",\x01");
        if let Some(h) = host {
            m.push_bytes(format!("host={h}\x01").as_bytes());
        }
        if let Some(p) = port {
            m.push_bytes(format!("port={p}\x01").as_bytes());
        }
        m.push_bytes(b"auth=Bearer ");
        m.push_bytes(token.expose());
        m.push_bytes(b"\x01\x01");
        Ok(OAuthBearerClient {
            message: m.into(),
            state: ClientState::Start,
        })
    }
}

impl ClientMechanism for OAuthBearerClient {
    fn mechanism(&self) -> Mechanism {
        Mechanism::OAUTHBEARER
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        client_initial(&mut self.state, &self.message)
    }

    /// After the initial response, a challenge is the server's error: the step parses it and
    /// answers the dummy `%x01` (RFC 7628 §3.2.3).
    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        client_step(&mut self.state, &self.message, challenge, &[KVSEP])
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        finish_simple(self.state == ClientState::Sent, additional_data)
    }
}

/// XOAUTH2 client: `user=` user `%x01` `auth=Bearer ` token `%x01%x01`.
#[derive(Debug)]
pub struct XOAuth2Client {
    message: Response,
    state: ClientState,
}

impl XOAuth2Client {
    /// The user (e-mail address) and the access token.
    pub fn new(user: &str, token: Secret) -> Result<Self, SaslError> {
        if !is_b64token(token.expose()) {
            return Err(SaslError::InvalidInput(
                "bearer token (RFC 6750 §2.1 b64token)",
            ));
        }
        if user.is_empty() || user.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(SaslError::InvalidInput("XOAUTH2 user"));
        }
        let mut m = Secret::new(Vec::with_capacity(32 + user.len() + token.len()));
        m.push_bytes(b"user=");
        m.push_bytes(user.as_bytes());
        m.push_bytes(b"\x01auth=Bearer ");
        m.push_bytes(token.expose());
        m.push_bytes(b"\x01\x01");
        Ok(XOAuth2Client {
            message: m.into(),
            state: ClientState::Start,
        })
    }
}

impl ClientMechanism for XOAuth2Client {
    fn mechanism(&self) -> Mechanism {
        Mechanism::XOAUTH2
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        client_initial(&mut self.state, &self.message)
    }

    /// After the initial response, a challenge is the server's error: the step parses it and
    /// answers with an empty response.
    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        client_step(&mut self.state, &self.message, challenge, b"")
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        finish_simple(self.state == ClientState::Sent, additional_data)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerState {
    Start,
    Waiting,
    ErrorSent,
    Done,
}

/// The parsed pieces of a client message, for both mechanisms.
struct TokenMessage {
    user: Option<String>,
    token: Secret,
    host: Option<String>,
    port: Option<u16>,
}

/// Parses an OAUTHBEARER client response (RFC 7628 §3.1).
fn parse_oauthbearer(msg: &[u8]) -> Result<Option<TokenMessage>, SaslError> {
    const BAD: SaslError =
        SaslError::Malformed("OAUTHBEARER gs2 header (RFC 7628 §3.1, RFC 5801 §4)");
    if msg == [KVSEP] {
        return Ok(None); // only valid after an error: fail without discovery
    }
    let rest = match msg {
        [b'n' | b'y', b',', rest @ ..] => rest,
        [b'p', b'=', ..] => {
            return Err(SaslError::ChannelBinding(
                "OAUTHBEARER does not do channel binding",
            ));
        }
        _ => return Err(BAD),
    };
    let comma = rest.iter().position(|&b| b == b',').ok_or(BAD)?;
    let authzid = match &rest[..comma] {
        [] => None,
        [b'a', b'=', name @ ..] => {
            let name = core::str::from_utf8(name).map_err(|_| BAD)?;
            Some(unescape_saslname(name).ok_or(BAD)?)
        }
        _ => return Err(BAD),
    };
    let rest = &rest[comma + 1..];
    let [KVSEP, pairs @ ..] = rest else {
        return Err(BAD);
    };
    let pairs = parse_kvpairs(pairs)?;
    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    let port = match get(&pairs, b"port") {
        None => None,
        Some(p) => Some(
            core::str::from_utf8(p)
                .ok()
                .filter(|p| !p.starts_with('0'))
                .and_then(|p| p.parse::<u16>().ok())
                .ok_or(SaslError::Malformed("OAUTHBEARER port (RFC 7628 §3.1)"))?,
        ),
    };
    Ok(Some(TokenMessage {
        user: authzid,
        token: bearer_token(get(&pairs, b"auth")),
        host: get(&pairs, b"host").map(text),
        port,
    }))
}

/// Parses an XOAUTH2 client response.
fn parse_xoauth2(msg: &[u8]) -> Result<TokenMessage, SaslError> {
    let pairs = parse_kvpairs(msg)?;
    let user = get(&pairs, b"user")
        .and_then(|u| core::str::from_utf8(u).ok())
        .filter(|u| !u.is_empty())
        .ok_or(SaslError::Malformed("XOAUTH2 without user"))?;
    Ok(TokenMessage {
        user: Some(user.to_owned()),
        token: bearer_token(get(&pairs, b"auth")),
        host: None,
        port: None,
    })
}

/// The shared server logic of OAUTHBEARER and XOAUTH2.
#[derive(Debug)]
struct TokenServer {
    mechanism: Mechanism,
    host: Option<String>,
    port: Option<u16>,
    limits: Limits,
    state: ServerState,
}

impl TokenServer {
    fn start(&mut self, ir: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep {
        if self.state != ServerState::Start {
            return ServerStep::Failure(SaslError::InvalidState("OAuth exchange already started"));
        }
        match ir {
            Some(m) => self.verify(m, auth),
            None => {
                self.state = ServerState::Waiting;
                ServerStep::Challenge(Vec::new())
            }
        }
    }

    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        match self.state {
            ServerState::Waiting => self.verify(response, auth),
            ServerState::ErrorSent => {
                self.state = ServerState::Done;
                let dummy: &[u8] = if self.mechanism == Mechanism::OAUTHBEARER {
                    &[KVSEP]
                } else {
                    b""
                };
                // RFC 7628 §3.2.3: the client completes with %x01 (XOAUTH2: empty); fail either way.
                ServerStep::Failure(if response == dummy {
                    SaslError::TokenRejected
                } else {
                    SaslError::Malformed("expected the dummy response after the OAuth error")
                })
            }
            _ => ServerStep::Failure(SaslError::InvalidState("OAuth exchange is not waiting")),
        }
    }

    fn verify(&mut self, msg: &[u8], auth: &dyn Authenticator) -> ServerStep {
        self.state = ServerState::Done;
        if let Err(e) = check_len(msg, &self.limits) {
            return ServerStep::Failure(e);
        }
        let parsed = if self.mechanism == Mechanism::OAUTHBEARER {
            parse_oauthbearer(msg)
        } else {
            parse_xoauth2(msg).map(Some)
        };
        let m = match parsed {
            Err(e) => return ServerStep::Failure(e),
            Ok(None) => return ServerStep::Failure(SaslError::TokenRejected),
            Ok(Some(m)) => m,
        };
        // RFC 7628 §3.2: host and port must match what the server knows.
        let mismatch = matches!((&self.host, &m.host), (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b))
            || matches!((self.port, m.port), (Some(a), Some(b)) if a != b);
        let verdict = if mismatch {
            Err(OAuthError::with_status("invalid_request"))
        } else {
            auth.verify_token(&TokenRequest {
                mechanism: &self.mechanism,
                user: m.user.as_deref(),
                token: &m.token,
                host: m.host.as_deref(),
                port: m.port,
            })
        };
        match verdict {
            Ok(identity) => {
                let authzid = if self.mechanism == Mechanism::OAUTHBEARER {
                    m.user
                } else {
                    None
                };
                outcome(self.mechanism.clone(), identity, authzid, auth)
            }
            Err(error) => {
                self.state = ServerState::ErrorSent;
                ServerStep::Challenge(error.to_json().into_bytes())
            }
        }
    }
}

/// OAUTHBEARER server (RFC 7628 §3.2): [`Authenticator::verify_token`] decides; a refusal
/// goes to the client as JSON, then the exchange fails after the client's `%x01`.
#[derive(Debug)]
pub struct OAuthBearerServer(TokenServer);

impl OAuthBearerServer {
    /// `host`/`port`: when set, the client's `host`/`port` keys must match (RFC 7628 §3.2).
    pub fn new(host: Option<String>, port: Option<u16>, limits: Limits) -> Self {
        OAuthBearerServer(TokenServer {
            mechanism: Mechanism::OAUTHBEARER,
            host,
            port,
            limits,
            state: ServerState::Start,
        })
    }
}

impl ServerMechanism for OAuthBearerServer {
    fn mechanism(&self) -> Mechanism {
        Mechanism::OAUTHBEARER
    }
    fn start(&mut self, initial_response: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep {
        self.0.start(initial_response, auth)
    }
    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        self.0.step(response, auth)
    }
}

/// XOAUTH2 server: as OAUTHBEARER, with `user=` passed to
/// [`Authenticator::verify_token`] and an empty response completing a refusal.
#[derive(Debug)]
pub struct XOAuth2Server(TokenServer);

impl XOAuth2Server {
    /// A new exchange.
    pub fn new(limits: Limits) -> Self {
        XOAuth2Server(TokenServer {
            mechanism: Mechanism::XOAUTH2,
            host: None,
            port: None,
            limits,
            state: ServerState::Start,
        })
    }
}

impl ServerMechanism for XOAuth2Server {
    fn mechanism(&self) -> Mechanism {
        Mechanism::XOAUTH2
    }
    fn start(&mut self, initial_response: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep {
        self.0.start(initial_response, auth)
    }
    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        self.0.step(response, auth)
    }
}
