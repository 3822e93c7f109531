//! What the sessions' SASL tests share (`crates/imap-session/tests/sasl.rs`,
//! `crates/pop3-session/tests/sasl.rs`, which include this file by path): the users of the
//! RFCs' example exchanges and the client mechanisms that replay them. It needs nothing but
//! `mailproto_sasl`, so that any crate's tests can include it.
//!
//! - "user"/"pencil": RFC 5802 §5 (SCRAM-SHA-1, salt `QSXCR+Q6sek8bf92`) and RFC 7677 §3
//!   (SCRAM-SHA-256, salt `W22ZaJ0SNY7soEsUEjb6gQ==`), 4096 iterations;
//! - "tim"/"tanstaaftanstaaf": RFC 4616 §4 (PLAIN) and RFC 2195 §2 (CRAM-MD5).
#![allow(dead_code)]

use mailproto_sasl::{
    Authenticator, ClientConfig, ClientMechanism, Credentials, FixedNonces, Mechanism,
    ScramCredentials, ScramHash, Secret,
};

/// RFC 5802 §5's salt, `QSXCR+Q6sek8bf92` decoded.
pub const RFC5802_SALT: [u8; 12] = [65, 37, 194, 71, 228, 58, 177, 233, 60, 109, 255, 118];
/// RFC 7677 §3's salt, `W22ZaJ0SNY7soEsUEjb6gQ==` decoded.
pub const RFC7677_SALT: [u8; 16] = [
    91, 109, 153, 104, 157, 18, 53, 142, 236, 160, 75, 20, 18, 54, 250, 129,
];

/// The users of the RFCs' examples.
pub struct Users;

/// The password of `user` in the RFCs' examples.
pub fn password_of(user: &str) -> Option<&'static str> {
    match user {
        "user" => Some("pencil"),
        "tim" => Some("tanstaaftanstaaf"),
        _ => None,
    }
}

impl Authenticator for Users {
    fn check_password(&self, authcid: &str, password: &Secret) -> bool {
        password_of(authcid).is_some_and(|p| password.ct_eq(p.as_bytes()))
    }
    fn cram_md5_secret(&self, authcid: &str) -> Option<Secret> {
        password_of(authcid).map(Secret::from)
    }
    fn scram_credentials(&self, hash: ScramHash, user: &str) -> Option<ScramCredentials> {
        let salt: &[u8] = match hash {
            ScramHash::Sha1 => &RFC5802_SALT,
            _ => &RFC7677_SALT,
        };
        ScramCredentials::derive(hash, password_of(user)?, salt, 4096).ok()
    }
}

/// The client side of an example: mechanism `m` for `user`/`pw` with the RFC's client nonce
/// (plaintext allowed: the tests run without TLS).
pub fn client_mech(m: &Mechanism, user: &str, pw: &str, nonce: &str) -> Box<dyn ClientMechanism> {
    ClientConfig {
        allow_plaintext_without_tls: true,
        ..ClientConfig::default()
    }
    .start(
        m,
        &Credentials::password(user, pw),
        &mut FixedNonces::new([nonce]),
    )
    .unwrap()
}
