//! LOGIN (draft-murchison-sasl-login-00, obsolete): user name and password as two responses
//! to the challenges "User Name" and "Password".
//!
//! The grammar comes from the draft as published (copy consulted: the GNU SASL source tree's
//! `doc/specification/draft-murchison-sasl-login-00.txt`), §2: the server SHOULD send the
//! challenges "User Name" and "Password"; the client ignores their content.

use crate::prelude::*;

use crate::plain::finish_simple;
use crate::server::{check_len, outcome};
use crate::{
    Authenticator, ClientMechanism, ClientStep, Limits, Mechanism, Response, SaslError, Secret,
    ServerMechanism, ServerStep, saslprep_query,
};

/// LOGIN client. Server-first: no initial response.
#[derive(Debug)]
pub struct LoginClient {
    username: String,
    password: Secret,
    sent: u8,
}

impl LoginClient {
    /// A user name and password: UTF-8, non-empty.
    pub fn new(username: &str, password: Secret) -> Result<Self, SaslError> {
        if username.is_empty() || password.is_empty() || password.expose_str().is_none() {
            return Err(SaslError::InvalidInput("LOGIN user name or password"));
        }
        Ok(LoginClient {
            username: username.to_owned(),
            password,
            sent: 0,
        })
    }
}

impl ClientMechanism for LoginClient {
    fn mechanism(&self) -> Mechanism {
        Mechanism::LOGIN
    }

    fn initial_response(&mut self) -> Result<Option<Response>, SaslError> {
        Ok(None)
    }

    fn step(&mut self, _challenge: &[u8]) -> Result<ClientStep, SaslError> {
        self.sent += 1;
        match self.sent {
            1 => Ok(ClientStep::Respond(Response::new(self.username.as_bytes()))),
            2 => Ok(ClientStep::Respond(self.password.clone().into())),
            _ => {
                self.sent = 3;
                Err(SaslError::Unexpected("LOGIN has two challenges"))
            }
        }
    }

    fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        finish_simple(self.sent == 2, additional_data)
    }
}

/// LOGIN server: two challenges, then [`Authenticator::check_password`].
#[derive(Debug)]
pub struct LoginServer {
    limits: Limits,
    state: LoginState,
}

#[derive(Debug)]
enum LoginState {
    Start,
    User,
    Password(String),
    Done,
}

/// The draft's challenges (§2).
const USER_CHALLENGE: &[u8] = b"User Name";
const PASSWORD_CHALLENGE: &[u8] = b"Password";

impl LoginServer {
    /// A new exchange.
    pub fn new(limits: Limits) -> Self {
        LoginServer {
            limits,
            state: LoginState::Start,
        }
    }

    fn field(&self, data: &[u8], what: &'static str) -> Result<String, SaslError> {
        check_len(data, &self.limits)?;
        if data.len() > self.limits.max_field_len {
            return Err(SaslError::TooLong {
                len: data.len(),
                limit: self.limits.max_field_len,
            });
        }
        let s = core::str::from_utf8(data).map_err(|_| SaslError::Malformed(what))?;
        if s.is_empty() || s.contains('\0') {
            return Err(SaslError::Malformed(what));
        }
        saslprep_query(s).map_err(|_| SaslError::AuthenticationFailed)
    }
}

impl ServerMechanism for LoginServer {
    fn mechanism(&self) -> Mechanism {
        Mechanism::LOGIN
    }

    fn start(&mut self, initial_response: Option<&[u8]>, _auth: &dyn Authenticator) -> ServerStep {
        if !matches!(self.state, LoginState::Start) {
            return ServerStep::Failure(SaslError::InvalidState("LOGIN already started"));
        }
        if initial_response.is_some() {
            self.state = LoginState::Done;
            return ServerStep::Failure(SaslError::InitialResponseNotAllowed("LOGIN".into()));
        }
        self.state = LoginState::User;
        ServerStep::Challenge(USER_CHALLENGE.to_vec())
    }

    fn step(&mut self, response: &[u8], auth: &dyn Authenticator) -> ServerStep {
        match ::core::mem::replace(&mut self.state, LoginState::Done) {
            LoginState::User => match self.field(response, "LOGIN user name") {
                Ok(user) => {
                    self.state = LoginState::Password(user);
                    ServerStep::Challenge(PASSWORD_CHALLENGE.to_vec())
                }
                Err(e) => ServerStep::Failure(e),
            },
            LoginState::Password(user) => match self.field(response, "LOGIN password") {
                Ok(pw) => {
                    let pw = Secret::from(pw);
                    if auth.check_password(&user, &pw) {
                        outcome(Mechanism::LOGIN, user, None, auth)
                    } else {
                        ServerStep::Failure(SaslError::AuthenticationFailed)
                    }
                }
                Err(e) => ServerStep::Failure(e),
            },
            _ => ServerStep::Failure(SaslError::InvalidState("LOGIN is not waiting")),
        }
    }
}
