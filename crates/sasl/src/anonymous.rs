//! ANONYMOUS (RFC 4505): optional trace information, no credential.

use crate::prelude::*;

use crate::plain::finish_simple;
use crate::server::check_len;
use crate::{
    Authenticated, Authenticator, ClientMechanism, ClientStep, Limits, Mechanism, Response,
    SaslError, ServerMechanism, ServerStep,
};

/// Checks trace information: UTF-8 without control characters (RFC 4505 §3 "trace" profile,
/// tables C.2.1, C.2.2), and a token (no `@`) of at most 255 characters (§2). An e-mail
/// address (with `@`) is bounded by the same 255 characters here.
fn check_trace(trace: &str) -> bool {
    trace.chars().count() <= 255 && !trace.chars().any(char::is_control)
}

/// ANONYMOUS client: the trace as initial response (RFC 4505 §2).
#[derive(Debug)]
pub struct AnonymousClient {
    trace: String,
    sent: bool,
}

impl AnonymousClient {
    /// Trace information: empty, an e-mail address or an opaque token (RFC 4505 §2).
    pub fn new(trace: &str) -> Result<Self, SaslError> {
        if !check_trace(trace) {
            return Err(SaslError::InvalidInput("ANONYMOUS trace (RFC 4505 §2, §3)"));
        }
        Ok(AnonymousClient {
            trace: trace.to_owned(),
            sent: false,
        })
    }
}

impl ClientMechanism for AnonymousClient {
    fn mechanism(&self) -> Mechanism {
        Mechanism::ANONYMOUS
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        if self.sent {
            return Err(SaslError::InvalidState("ANONYMOUS message already sent"));
        }
        self.sent = true;
        Ok(Some(Response::new(self.trace.as_bytes())))
    }

    fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        if self.sent || !challenge.is_empty() {
            return Err(SaslError::Unexpected("ANONYMOUS has a single message"));
        }
        self.sent = true;
        Ok(ClientStep::Respond(Response::new(self.trace.as_bytes())))
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        finish_simple(self.sent, additional_data)
    }
}

/// ANONYMOUS server: lets the client in when [`Authenticator::allow_anonymous`] says so;
/// the outcome's `authcid` is `anonymous` and `trace` holds the trace.
#[derive(Debug)]
pub struct AnonymousServer {
    limits: Limits,
    state: u8,
}

impl AnonymousServer {
    /// A new exchange.
    pub fn new(limits: Limits) -> Self {
        AnonymousServer { limits, state: 0 }
    }

    fn verify(&mut self, message: &[u8], auth: &dyn Authenticator) -> ServerStep {
        self.state = 2;
        if let Err(e) = check_len(message, &self.limits) {
            return ServerStep::Failure(e);
        }
        let Some(trace) = core::str::from_utf8(message)
            .ok()
            .filter(|t| check_trace(t))
        else {
            return ServerStep::Failure(SaslError::Malformed("ANONYMOUS trace (RFC 4505 §2)"));
        };
        if !auth.allow_anonymous(trace) {
            return ServerStep::Failure(SaslError::Refused);
        }
        ServerStep::Success(Authenticated {
            mechanism: Mechanism::ANONYMOUS,
            authcid: "anonymous".into(),
            authzid: None,
            trace: Some(trace.to_owned()),
        })
    }
}

impl ServerMechanism for AnonymousServer {
    fn mechanism(&self) -> Mechanism {
        Mechanism::ANONYMOUS
    }

    fn start(&mut self, initial_response: Option<&[u8]>, auth: &dyn Authenticator) -> ServerStep {
        if self.state != 0 {
            return ServerStep::Failure(SaslError::InvalidState("ANONYMOUS already started"));
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
            return ServerStep::Failure(SaslError::InvalidState("ANONYMOUS is not waiting"));
        }
        self.verify(response, auth)
    }
}
