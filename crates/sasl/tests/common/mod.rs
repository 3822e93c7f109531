//! Shared test helpers: a credential store and a client–server pair harness that passes
//! every message through the base64 wire form.
#![allow(dead_code)]

use base64::Engine as _;
use mailproto_sasl::wire::{Line, decode_challenge, decode_line, encode_line};
use mailproto_sasl::*;

pub const SALT_B64: &str = "QSXCR+Q6sek8bf92";
pub const TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

pub fn b64d(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// Users: "user"/"pencil" (SCRAM from RFC 5802's salt), "tim"/"tanstaaftanstaaf",
/// "Kurt"/"xipj3plmq" who may act as "Ursel"; token TOKEN belongs to user@example.com.
#[derive(Default)]
pub struct Store {
    pub anonymous: bool,
    pub scope: Option<String>,
}

fn password_of(user: &str) -> Option<&'static str> {
    match user {
        "user" => Some("pencil"),
        "tim" => Some("tanstaaftanstaaf"),
        "Kurt" => Some("xipj3plmq"),
        _ => None,
    }
}

impl Authenticator for Store {
    fn check_password(&self, authcid: &str, password: &Secret) -> bool {
        password_of(authcid).is_some_and(|p| password.ct_eq(p.as_bytes()))
    }
    fn cram_md5_secret(&self, authcid: &str) -> Option<Secret> {
        password_of(authcid).map(Secret::from)
    }
    fn scram_credentials(&self, hash: ScramHash, username: &str) -> Option<ScramCredentials> {
        let pw = password_of(username)?;
        Some(ScramCredentials::derive(hash, pw, &b64d(SALT_B64), 4096).unwrap())
    }
    fn verify_token(&self, request: &TokenRequest<'_>) -> Result<String, OAuthError> {
        if request.token.ct_eq(TOKEN.as_bytes()) {
            Ok("user@example.com".into())
        } else {
            Err(OAuthError {
                scope: self.scope.clone(),
                ..OAuthError::invalid_token()
            })
        }
    }
    fn allow_anonymous(&self, _trace: &str) -> bool {
        self.anonymous
    }
    fn authorize(&self, authcid: &str, authzid: &str) -> bool {
        authcid == "Kurt" && authzid == "Ursel"
    }
}

/// How an exchange ended.
#[derive(Debug)]
pub enum End {
    /// The server said yes; the client's `finish` result.
    Success(Authenticated, Result<(), SaslError>),
    /// The server said no.
    ServerFailure(SaslError),
    /// The client gave up (it would send `*`).
    ClientError(SaslError),
}

/// A man in the middle: may rewrite each challenge (index, bytes).
pub type Tamper<'a> = &'a mut dyn FnMut(usize, Vec<u8>) -> Vec<u8>;

fn wire_response(bytes: &[u8]) -> Vec<u8> {
    let mut line = Vec::new();
    encode_line(bytes, &mut line);
    match decode_line(&line).unwrap() {
        Line::Data(d) => d.expose().to_vec(),
        _ => unreachable!(),
    }
}

fn wire_challenge(bytes: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    encode_line(bytes, &mut text);
    decode_challenge(&text).unwrap()
}

pub fn run(
    client: &mut dyn ClientMechanism,
    server: &mut dyn ServerMechanism,
    auth: &dyn Authenticator,
    use_ir: bool,
    tamper: Tamper<'_>,
) -> End {
    let ir = if use_ir {
        match client.initial_response() {
            Ok(ir) => ir,
            Err(e) => return End::ClientError(e),
        }
    } else {
        None
    };
    let mut step = server.start(ir.map(|r| wire_response(r.as_bytes())).as_deref(), auth);
    let mut n = 0;
    loop {
        match step {
            ServerStep::Challenge(c) => {
                let c = tamper(n, wire_challenge(&c));
                n += 1;
                assert!(n < 10, "too many round trips");
                match client.step(&c) {
                    Ok(r) => step = server.step(&wire_response(r.response().as_bytes()), auth),
                    Err(e) => return End::ClientError(e),
                }
            }
            ServerStep::Success(who) => return End::Success(who, client.finish(None)),
            ServerStep::Failure(e) => return End::ServerFailure(e),
            _ => unreachable!(),
        }
    }
}

pub fn no_tamper() -> impl FnMut(usize, Vec<u8>) -> Vec<u8> {
    |_, c| c
}

/// Client and server from the factories, then [`run`].
pub fn pair(
    mech: &Mechanism,
    creds: &Credentials,
    client_cfg: &ClientConfig,
    server_cfg: &ServerConfig,
    tls: Option<&TlsInfo>,
    auth: &dyn Authenticator,
    use_ir: bool,
) -> End {
    let mut client = client_cfg
        .start(
            mech,
            creds,
            &mut FixedNonces::new(["clientnonce0123456789"]),
        )
        .unwrap();
    let mut server = server_cfg
        .start(mech, tls, &mut FixedNonces::new(["servernonceABCDEF"]))
        .unwrap();
    run(&mut *client, &mut *server, auth, use_ir, &mut no_tamper())
}

/// A server config with every mechanism enabled.
pub fn all_server() -> ServerConfig {
    ServerConfig {
        mechanisms: KNOWN.iter().map(|i| i.mechanism.clone()).collect(),
        ..ServerConfig::default()
    }
}
