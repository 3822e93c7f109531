//! PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`, one client message.

use crate::prelude::*;

use crate::server::{check_len, outcome};
use crate::{
    Authenticator, ClientMechanism, ClientStep, Limits, Mechanism, Response, SaslError, Secret,
    ServerMechanism, ServerStep, saslprep_query,
};

/// PLAIN client (RFC 4616 §2). Client-first: the whole message is the initial response.
///
/// ```
/// use mailproto_sasl::{ClientMechanism, PlainClient};
/// let mut c = PlainClient::new(Some("Ursel"), "Kurt", "xipj3plmq".into()).unwrap();
/// let ir = c.initial_response().unwrap().unwrap();
/// assert_eq!(ir.as_bytes(), b"Ursel\0Kurt\0xipj3plmq"); // RFC 4616 §4
/// ```
#[derive(Debug)]
pub struct PlainClient {
    message: Response,
    sent: bool,
}

impl PlainClient {
    /// `authzid` may be `None` (derived by the server); `authcid` and `password` are
    /// non-empty UTF-8 without NUL (RFC 4616 §2).
    pub fn new(authzid: Option<&str>, authcid: &str, password: Secret) -> Result<Self, SaslError> {
        let authzid = authzid.unwrap_or("");
        let pw = password.expose();
        if authcid.is_empty() || authcid.contains('\0') || authzid.contains('\0') {
            return Err(SaslError::InvalidInput(
                "PLAIN identity (RFC 4616 §2: 1*SAFE)",
            ));
        }
        if pw.is_empty() || pw.contains(&0) || core::str::from_utf8(pw).is_err() {
            return Err(SaslError::InvalidInput(
                "PLAIN password (RFC 4616 §2: 1*SAFE)",
            ));
        }
        let mut message = Secret::new(Vec::with_capacity(
            authzid.len() + authcid.len() + pw.len() + 2,
        ));
        message.push_bytes(authzid.as_bytes());
        message.push_bytes(b"\0");
        message.push_bytes(authcid.as_bytes());
        message.push_bytes(b"\0");
        message.push_bytes(pw);
        Ok(PlainClient {
            message: message.into(),
            sent: false,
        })
    }
}

impl ClientMechanism for PlainClient {
    fn mechanism(&self) -> Mechanism {
        Mechanism::PLAIN
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        if self.sent {
            return Err(SaslError::InvalidState("PLAIN message already sent"));
        }
        self.sent = true;
        Ok(Some(self.message.clone()))
    }

    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        if self.sent {
            return Err(SaslError::Unexpected("PLAIN has a single message"));
        }
        if !challenge.is_empty() {
            return Err(SaslError::Unexpected(
                "PLAIN expects an empty challenge (RFC 4422 §3.3)",
            ));
        }
        self.sent = true;
        Ok(ClientStep::Respond(self.message.clone()))
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        finish_simple(self.sent, additional_data)
    }
}

/// `finish` for mechanisms without server verification: the message must have been sent and
/// no additional data is expected.
pub(crate) fn finish_simple(sent: bool, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
    if !sent {
        return Err(SaslError::Unexpected("success before the client's message"));
    }
    match additional_data {
        Some(d) if !d.is_empty() => Err(SaslError::Unexpected("additional data with success")),
        _ => Ok(()),
    }
}

/// PLAIN server (RFC 4616 §2): checks the password with [`Authenticator::check_password`]
/// after SASLprep of the identity and password.
#[derive(Debug)]
pub struct PlainServer {
    limits: Limits,
    state: u8, // 0 start, 1 waiting, 2 done
}

impl PlainServer {
    /// A new exchange.
    pub fn new(limits: Limits) -> Self {
        PlainServer { limits, state: 0 }
    }

    fn verify(&mut self, message: &[u8], auth: &dyn Authenticator) -> ServerStep {
        self.state = 2;
        match parse_plain(message, &self.limits) {
            Err(e) => ServerStep::Failure(e),
            Ok((authzid, authcid, password)) => {
                if !auth.check_password(&authcid, &password) {
                    return ServerStep::Failure(SaslError::AuthenticationFailed);
                }
                outcome(Mechanism::PLAIN, authcid, authzid, auth)
            }
        }
    }
}

/// Splits and prepares a PLAIN message: (authzid, prepared authcid, prepared password).
pub(crate) fn parse_plain(
    message: &[u8],
    limits: &Limits,
) -> Result<(Option<String>, String, Secret), SaslError> {
    check_len(message, limits)?;
    let mut parts = message.splitn(3, |&b| b == 0);
    let (Some(authzid), Some(authcid), Some(passwd)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(SaslError::Malformed(
            "PLAIN message needs two NULs (RFC 4616 §2)",
        ));
    };
    if passwd.contains(&0) {
        return Err(SaslError::Malformed(
            "NUL inside the PLAIN password (RFC 4616 §2)",
        ));
    }
    if authcid.is_empty() || passwd.is_empty() {
        return Err(SaslError::Malformed(
            "empty PLAIN authcid or password (RFC 4616 §2)",
        ));
    }
    for part in [authzid, authcid, passwd] {
        if part.len() > limits.max_field_len {
            return Err(SaslError::TooLong {
                len: part.len(),
                limit: limits.max_field_len,
            });
        }
    }
    let utf8 =
        |b| core::str::from_utf8(b).map_err(|_| SaslError::Malformed("PLAIN field is not UTF-8"));
    let (authzid, authcid, passwd) = (utf8(authzid)?, utf8(authcid)?, utf8(passwd)?);
    // RFC 4616 §2: prepare with SASLprep; verification fails when preparation does.
    let authcid = saslprep_query(authcid).map_err(|_| SaslError::AuthenticationFailed)?;
    let password =
        Secret::from(saslprep_query(passwd).map_err(|_| SaslError::AuthenticationFailed)?);
    let authzid = match authzid {
        "" => None,
        z => Some(saslprep_query(z).map_err(|_| SaslError::AuthorizationFailed)?),
    };
    Ok((authzid, authcid, password))
}

impl ServerMechanism for PlainServer {
    fn mechanism(&self) -> Mechanism {
        Mechanism::PLAIN
    }

    fn start(&mut self, initial_response: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep {
        if self.state != 0 {
            return ServerStep::Failure(SaslError::InvalidState("PLAIN already started"));
        }
        match initial_response {
            Some(message) => self.verify(message, auth),
            None => {
                self.state = 1;
                ServerStep::Challenge(Vec::new())
            }
        }
    }

    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        if self.state != 1 {
            return ServerStep::Failure(SaslError::InvalidState("PLAIN is not waiting"));
        }
        self.verify(response, auth)
    }
}
