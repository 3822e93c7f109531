//! Operations on the sessions as data, for fuzz targets and property tests (feature
//! `arbitrary`): a target draws a `Vec<ClientOp>` / `Vec<ServerOp>` and [`run_client`] /
//! [`run_server`] apply them, draining after each one. The sessions must never panic,
//! whatever the sequence. Both sessions stream literals over [`STREAM_OVER`] octets here (not
//! the default 1 MiB), so that short fuzz inputs reach the streaming paths.

use crate::prelude::*;

use imap_codec::{AuthenticateData, Command, Greeting, Mailbox, Response};

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
    /// `send_append_stream` to INBOX of `length` octets.
    AppendStream {
        /// Octets announced.
        length: u16,
        /// `~{n}` rather than `{n}`.
        binary: bool,
    },
    /// `push_literal_chunk`.
    PushLiteral(Vec<u8>),
}

/// Literals over this many octets are streamed by the sessions [`run_client`] and
/// [`run_server`] drive.
pub const STREAM_OVER: u64 = 16;

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
    /// `send_fetch_stream` of a response given as bytes (skipped when they do not parse as
    /// one) with a literal of `length` octets.
    FetchStream {
        /// The response.
        response: Vec<u8>,
        /// Octets announced.
        length: u16,
    },
    /// `push_literal_chunk`.
    PushLiteral(Vec<u8>),
}

/// Applies `ops` to a new client session, draining after each; returns the number of outputs.
pub fn run_client(ops: &[ClientOp]) -> usize {
    let mut s = ClientSession::new(ClientConfig::default().with_stream_literals_over(STREAM_OVER));
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
            ClientOp::AppendStream { length, binary } => match Mailbox::new("INBOX") {
                Ok(m) => s
                    .send_append_stream(m, None, None, u64::from(*length), *binary)
                    .map(|_| ()),
                Err(_) => Ok(()),
            },
            ClientOp::PushLiteral(d) => s.push_literal_chunk(d),
        };
        while s.poll_output().is_some() {
            n += 1;
        }
    }
    n
}

/// Applies `ops` to a new server session, draining after each; returns the number of outputs.
pub fn run_server(ops: &[ServerOp]) -> usize {
    let mut s = ServerSession::new(ServerConfig::default().with_stream_literals_over(STREAM_OVER));
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
            ServerOp::FetchStream { response, length } => match Response::parse(response) {
                Ok(r) => s.send_fetch_stream(r, u64::from(*length)),
                Err(_) => Ok(()),
            },
            ServerOp::PushLiteral(d) => s.push_literal_chunk(d),
        };
        while s.poll_output().is_some() {
            n += 1;
        }
    }
    n
}
