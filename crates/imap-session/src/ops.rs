//! Operations on the sessions as data, for fuzz targets and property tests (feature
//! `arbitrary`): a target draws a `Vec<ClientOp>` / `Vec<ServerOp>` and [`run_client`] /
//! [`run_server`] apply them, draining after each one. The sessions must never panic,
//! whatever the sequence.

use imap_codec::{AuthenticateData, Command, Greeting, Response};

use crate::{ClientConfig, ClientSession, ServerConfig, ServerSession};

/// One input or intention for a [`ClientSession`].
#[derive(Debug, Clone, PartialEq, Eq, arbitrary::Arbitrary)]
pub enum ClientOp {
    /// Bytes from the server.
    Input(Vec<u8>),
    /// End of stream.
    Eof,
    /// A command, given as bytes; skipped when they do not parse as one.
    Send(Vec<u8>),
    /// A SASL response.
    AuthenticateResponse(Vec<u8>),
    /// Cancel AUTHENTICATE.
    AuthenticateCancel,
    /// `DONE`.
    IdleDone,
    /// TLS is up.
    TlsEstablished,
}

/// One input or intention for a [`ServerSession`].
#[derive(Debug, Clone, PartialEq, Eq, arbitrary::Arbitrary)]
pub enum ServerOp {
    /// Bytes from the client.
    Input(Vec<u8>),
    /// End of stream.
    Eof,
    /// A greeting, given as bytes; skipped when they do not parse as one.
    Greeting(Vec<u8>),
    /// A response, given as bytes; skipped when they do not parse as one.
    Respond(Vec<u8>),
    /// A SASL challenge.
    Challenge(Vec<u8>),
    /// TLS is up.
    TlsEstablished,
}

/// Applies `ops` to a new client session, draining after each; returns the number of outputs.
pub fn run_client(ops: &[ClientOp]) -> usize {
    let mut s = ClientSession::new(ClientConfig::default());
    let mut n = 0;
    for op in ops {
        let _ = match op {
            ClientOp::Input(b) => s.handle_input(b),
            ClientOp::Eof => {
                s.handle_eof();
                Ok(())
            }
            ClientOp::Send(b) => match Command::parse(b) {
                Ok(c) => s.send_command(c).map(|_| ()),
                Err(_) => Ok(()),
            },
            ClientOp::AuthenticateResponse(d) => {
                s.authenticate_continue(AuthenticateData::Response(d.as_slice().into()))
            }
            ClientOp::AuthenticateCancel => s.authenticate_continue(AuthenticateData::Cancel),
            ClientOp::IdleDone => s.idle_done(),
            ClientOp::TlsEstablished => s.handle_tls_established(),
        };
        while s.poll_output().is_some() {
            n += 1;
        }
    }
    n
}

/// Applies `ops` to a new server session, draining after each; returns the number of outputs.
pub fn run_server(ops: &[ServerOp]) -> usize {
    let mut s = ServerSession::new(ServerConfig::default());
    let mut n = 0;
    for op in ops {
        let _ = match op {
            ServerOp::Input(b) => s.handle_input(b),
            ServerOp::Eof => {
                s.handle_eof();
                Ok(())
            }
            ServerOp::Greeting(b) => match Greeting::parse(b) {
                Ok(g) => s.send_greeting(g),
                Err(_) => Ok(()),
            },
            ServerOp::Respond(b) => match Response::parse(b) {
                Ok(r) => s.send_response(r),
                Err(_) => Ok(()),
            },
            ServerOp::Challenge(d) => s.challenge(d),
            ServerOp::TlsEstablished => s.handle_tls_established(),
        };
        while s.poll_output().is_some() {
            n += 1;
        }
    }
    n
}
