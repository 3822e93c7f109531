//! CRAM-MD5 (RFC 2195 §2): the server sends a msg-id-like challenge, the client answers
//! `user SP hex(HMAC-MD5(secret, challenge))`.

use crate::prelude::*;

use hmac::{Hmac, Mac};
use md5::Md5;

use crate::plain::finish_simple;
use crate::secret::ct_eq;
use crate::server::{check_len, outcome};
use crate::{
    Authenticator, ClientMechanism, ClientStep, Limits, Mechanism, Response, SaslError, Secret,
    ServerMechanism, ServerStep,
};

/// `hex(HMAC-MD5(secret, challenge))` in lower case (RFC 2195 §2, RFC 2104).
fn digest(secret: &[u8], challenge: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length (longer ones are hashed, as RFC 2195 §2 says).
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(challenge);
    let tag = mac.finalize().into_bytes();
    let mut hex = [0u8; 32];
    for (i, b) in tag.iter().enumerate() {
        hex[2 * i] = HEX[usize::from(b >> 4)];
        hex[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// CRAM-MD5 client. Server-first: no initial response.
#[derive(Debug)]
pub struct CramMd5Client {
    username: String,
    secret: Secret,
    answered: bool,
}

impl CramMd5Client {
    /// A user name (no space: the response is `user SP digest`) and the shared secret.
    pub fn new(username: &str, secret: Secret) -> Result<Self, SaslError> {
        if username.is_empty() || username.contains(|c: char| c.is_ascii_control()) {
            return Err(SaslError::InvalidInput("CRAM-MD5 user name"));
        }
        Ok(CramMd5Client {
            username: username.to_owned(),
            secret,
            answered: false,
        })
    }
}

impl ClientMechanism for CramMd5Client {
    fn mechanism(&self) -> Mechanism {
        Mechanism::CRAM_MD5
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        Ok(None)
    }

    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        if self.answered {
            return Err(SaslError::Unexpected("CRAM-MD5 has one challenge"));
        }
        if challenge.is_empty() {
            return Err(SaslError::Malformed(
                "empty CRAM-MD5 challenge (RFC 2195 §2)",
            ));
        }
        self.answered = true;
        let mut response = Secret::new(Vec::with_capacity(self.username.len() + 33));
        response.push_bytes(self.username.as_bytes());
        response.push_bytes(b" ");
        response.push_bytes(&digest(self.secret.expose(), challenge));
        Ok(ClientStep::Respond(response.into()))
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        finish_simple(self.answered, additional_data)
    }
}

/// CRAM-MD5 server: challenge `<nonce@hostname>`, then
/// [`Authenticator::cram_md5_secret`].
#[derive(Debug)]
pub struct CramMd5Server {
    challenge: String,
    limits: Limits,
    state: u8, // 0 start, 1 sent, 2 done
}

impl CramMd5Server {
    /// A challenge `<nonce@hostname>` (RFC 2195 §2: msg-id syntax, RFC 822).
    pub fn new(nonce: &str, hostname: &str, limits: Limits) -> Result<Self, SaslError> {
        Self::with_challenge(format!("<{nonce}@{hostname}>"), limits)
    }

    /// A given challenge, e.g. `<1896.697170952@postoffice.reston.mci.net>`.
    pub fn with_challenge(challenge: String, limits: Limits) -> Result<Self, SaslError> {
        if !challenge.starts_with('<')
            || !challenge.ends_with('>')
            || !challenge.contains('@')
            || !challenge.bytes().all(|b| (0x21..=0x7e).contains(&b))
        {
            return Err(SaslError::InvalidInput(
                "CRAM-MD5 challenge (RFC 2195 §2: msg-id)",
            ));
        }
        Ok(CramMd5Server {
            challenge,
            limits,
            state: 0,
        })
    }
}

impl ServerMechanism for CramMd5Server {
    fn mechanism(&self) -> Mechanism {
        Mechanism::CRAM_MD5
    }

    fn start(&mut self, initial_response: Option<&[u8]>, _auth: &dyn Authenticator) -> ServerStep {
        if self.state != 0 {
            return ServerStep::Failure(SaslError::InvalidState("CRAM-MD5 already started"));
        }
        if initial_response.is_some() {
            self.state = 2;
            return ServerStep::Failure(SaslError::InitialResponseNotAllowed("CRAM-MD5".into()));
        }
        self.state = 1;
        ServerStep::Challenge(self.challenge.as_bytes().to_vec())
    }

    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        if self.state != 1 {
            return ServerStep::Failure(SaslError::InvalidState("CRAM-MD5 is not waiting"));
        }
        self.state = 2;
        if let Err(e) = check_len(response, &self.limits) {
            return ServerStep::Failure(e);
        }
        let Some(space) = response.iter().rposition(|&b| b == b' ') else {
            return ServerStep::Failure(SaslError::Malformed(
                "CRAM-MD5 response is `user SP digest`",
            ));
        };
        let (user, hex) = (&response[..space], &response[space + 1..]);
        let Ok(user) = core::str::from_utf8(user) else {
            return ServerStep::Failure(SaslError::Malformed("CRAM-MD5 user name is not UTF-8"));
        };
        if user.is_empty() || hex.len() != 32 || !hex.iter().all(|b| HEX.contains(b)) {
            return ServerStep::Failure(SaslError::Malformed(
                "CRAM-MD5 digest is 32 lower-case hex digits (RFC 2195 §2)",
            ));
        }
        let Some(secret) = auth.cram_md5_secret(user) else {
            return ServerStep::Failure(SaslError::AuthenticationFailed);
        };
        let expected = digest(secret.expose(), self.challenge.as_bytes());
        if !ct_eq(&expected, hex) {
            return ServerStep::Failure(SaslError::AuthenticationFailed);
        }
        outcome(Mechanism::CRAM_MD5, user.to_owned(), None, auth)
    }
}
