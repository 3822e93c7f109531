//! EXTERNAL (RFC 4422 Appendix A): the client asks to be the identity the TLS layer (or
//! another external means) established, or to act as an authorization identity.

use crate::prelude::*;

use crate::plain::finish_simple;
use crate::server::{check_len, outcome};
use crate::{
    Authenticator, ClientMechanism, ClientStep, Limits, Mechanism, Response, SaslError,
    ServerMechanism, ServerStep,
};

/// EXTERNAL client: the authorization identity (possibly empty) as initial response
/// (RFC 4422 A.1 `external-initial-resp`).
#[derive(Debug)]
pub struct ExternalClient {
    authzid: String,
    sent: bool,
}

impl ExternalClient {
    /// `None` or empty: act as the identity the server associated with the credentials.
    pub fn new(authzid: Option<&str>) -> Result<Self, SaslError> {
        let authzid = authzid.unwrap_or("");
        if authzid.contains('\0') {
            return Err(SaslError::InvalidInput(
                "EXTERNAL authzid (RFC 4422 A.1: no NUL)",
            ));
        }
        Ok(ExternalClient {
            authzid: authzid.to_owned(),
            sent: false,
        })
    }
}

impl ClientMechanism for ExternalClient {
    fn mechanism(&self) -> Mechanism {
        Mechanism::EXTERNAL
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        if self.sent {
            return Err(SaslError::InvalidState("EXTERNAL message already sent"));
        }
        self.sent = true;
        Ok(Some(Response::new(self.authzid.as_bytes())))
    }

    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        if self.sent || !challenge.is_empty() {
            return Err(SaslError::Unexpected("EXTERNAL has a single message"));
        }
        self.sent = true;
        Ok(ClientStep::Respond(Response::new(self.authzid.as_bytes())))
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        finish_simple(self.sent, additional_data)
    }
}

/// EXTERNAL server: the identity comes from [`crate::TlsInfo::peer_identity`]; a non-empty
/// authzid goes through [`Authenticator::authorize`].
#[derive(Debug)]
pub struct ExternalServer {
    identity: Option<String>,
    limits: Limits,
    state: u8,
}

impl ExternalServer {
    /// The identity the external layer established, if any.
    pub fn new(identity: Option<String>, limits: Limits) -> Self {
        ExternalServer {
            identity,
            limits,
            state: 0,
        }
    }

    fn verify(&mut self, message: &[u8], auth: &dyn Authenticator) -> ServerStep {
        self.state = 2;
        if let Err(e) = check_len(message, &self.limits) {
            return ServerStep::Failure(e);
        }
        let Some(authzid) = core::str::from_utf8(message)
            .ok()
            .filter(|z| !z.contains('\0'))
        else {
            return ServerStep::Failure(SaslError::Malformed("EXTERNAL authzid (RFC 4422 A.1)"));
        };
        let Some(identity) = self.identity.clone() else {
            return ServerStep::Failure(SaslError::Refused);
        };
        let authzid = Some(authzid.to_owned()).filter(|z| !z.is_empty());
        outcome(Mechanism::EXTERNAL, identity, authzid, auth)
    }
}

impl ServerMechanism for ExternalServer {
    fn mechanism(&self) -> Mechanism {
        Mechanism::EXTERNAL
    }

    fn start(&mut self, initial_response: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep {
        if self.state != 0 {
            return ServerStep::Failure(SaslError::InvalidState("EXTERNAL already started"));
        }
        match initial_response {
            Some(m) => self.verify(m, auth),
            None => {
                self.state = 1;
                ServerStep::Challenge(Vec::new())
            }
        }
    }

    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        if self.state != 1 {
            return ServerStep::Failure(SaslError::InvalidState("EXTERNAL is not waiting"));
        }
        self.verify(response, auth)
    }
}
