//! # imap-session
//!
//! Sans-IO IMAP4rev1 ([RFC 3501]) / IMAP4rev2 ([RFC 9051]) client and server sessions: the
//! state machines a library puts between a socket and an application. No I/O, no clocks, no
//! threads: the caller feeds received bytes and intentions in, and polls bytes to transmit and
//! events out. Messages are framed and parsed by [`imap_codec`].
//!
//! ## The driving contract
//!
//! Each session has four kinds of methods:
//!
//! - **getters** (`state`, `capabilities`, `mailbox`, ...);
//! - **`handle_*` inputs**: received bytes ([`ClientSession::handle_input`]), end of stream
//!   (`handle_eof`), "TLS is up" (`handle_tls_established`);
//! - **application intentions**: commands to send (client), responses to send (server),
//!   AUTHENTICATE data, `DONE`. These return a [`LocalError`] when the protocol or the state
//!   forbids them, and change nothing then;
//! - **one output**: `poll_output`, returning a `#[must_use]` enum: first
//!   `Transmit(&[u8])`, all bytes to write so far in one slice lent from the session's
//!   buffer until the next call, then the events, in the order they arose. This is
//!   pop3-session's contract, so that one run loop drives both crates.
//!
//! **Drain rule: after every input or intention, call `poll_output` until it returns `None`.**
//! Write (or copy) each lent slice before the next call; events are reported in the order the
//! messages that caused them arrived. Errors of the peer ([`PeerError`]) are events, never
//! panics.
//!
//! Events own their values: a received message is parsed where it lies in the session's
//! receive buffer and made owned once ([`IntoStatic`](imap_codec::IntoStatic)); nothing else of
//! it is copied. The peak memory for a message is about twice its size for a big literal
//! (docs/imap-session.md, "Memory") — unless the literal is streamed:
//!
//! ## Streaming literals
//!
//! A literal over [`ClientConfig::stream_literals_over`] / [`ServerConfig::stream_literals_over`]
//! (default 1 MiB) in a FETCH response (client) or an APPEND (server) is not held: the session
//! reports the message so far, parsed by the codec ([`ClientEvent::FetchStreamStart`],
//! [`ServerEvent::AppendStreamStart`]), then lends the octets as they arrive
//! (`LiteralChunk { data, remaining }` outputs, borrowed from the receive buffer until the next
//! `poll_output`), then reports the whole message as usual, where that literal reads as empty.
//! Sending: [`ClientSession::send_append_stream`] / [`ServerSession::send_fetch_stream`], then
//! `push_literal_chunk` until the announced octets went out ([`ClientEvent::LiteralWanted`]
//! says when the client may start: after the server's `+`). Memory is bounded by the
//! threshold, the framer's line limit and one input, whatever the literal's size
//! (docs/imap-session.md, "Streaming literals").
//!
//! ## SASL and COMPRESS
//!
//! AUTHENTICATE (RFC 9051 §6.2.2) can be run by the sessions with a `mailproto-sasl`
//! mechanism: [`ClientSession::authenticate`] / [`ClientSession::authenticate_with`] (SASL-IR,
//! RFC 4959; base64; `*` on a refused challenge; the server's proof checked after the OK:
//! [`ClientEvent::Authenticated`] or [`ClientEvent::AuthenticationFailed`]) and
//! [`ServerSession::authenticate_start`] (the application's `Authenticator` checks the
//! credentials; the session sends challenges and the tagged completion). The randomness
//! (nonces) stays with the caller. A server reads one SASL line per challenge: a line while
//! none is outstanding is [`PeerError::UnexpectedSaslLine`].
//!
//! COMPRESS (RFC 4978): after the tagged OK both sessions report `CompressionStarted` with the
//! received bytes that followed, still compressed; the I/O shell wraps its stream from there
//! (mailproto-client's `compress` feature). Nothing after the OK is read as IMAP.
//!
//! ## A run loop
//!
//! ```
//! use mailproto_imap_session::{ClientConfig, ClientEvent, ClientOutput, ClientSession, State};
//! use imap_codec::CommandBody;
//!
//! // Two scripted "reads" stand in for a socket.
//! let mut reads = vec![
//!     &b"* OK [CAPABILITY IMAP4rev2] ready\r\n"[..],
//!     b"* CAPABILITY IMAP4rev2 IDLE\r\nA1 OK done\r\n",
//! ]
//! .into_iter();
//! let mut written = Vec::new();
//! let mut session = ClientSession::new(ClientConfig::default());
//! let mut completed = None;
//! while let Some(bytes) = reads.next() {
//!     session.handle_input(bytes).unwrap();
//!     // Drain after every input.
//!     while let Some(output) = session.poll_output() {
//!         match output {
//!             ClientOutput::Transmit(bytes) => written.extend_from_slice(bytes),
//!             ClientOutput::Event(ClientEvent::Greeting(_)) => {
//!                 let _handle = session.send(CommandBody::Capability).unwrap();
//!             }
//!             ClientOutput::Event(ClientEvent::Completed { status, .. }) => completed = Some(status),
//!             ClientOutput::Event(_) => {}
//!             // Octets of a FETCH literal over the streaming threshold (see below).
//!             ClientOutput::LiteralChunk { .. } => {}
//!         }
//!     }
//! }
//! assert_eq!(written, b"A1 CAPABILITY\r\n");
//! assert_eq!(session.state(), State::NotAuthenticated);
//! assert!(completed.is_some());
//! assert_eq!(session.capabilities().unwrap().len(), 2);
//! ```
//!
//! Examples: `examples/tcp_client.rs` (this loop over a `::core::net::TcpStream`), and the I/O
//! shells of `mailproto-client` (`crates/client/examples/`: blocking and tokio clients, a tokio
//! server with an in-memory store, STARTTLS), which are this loop and nothing else.
//!
//! ## What the sessions own
//!
//! - the connection [`State`] and its transitions, as data ([`state::TRANSITIONS`],
//!   [`state::command_states`]);
//! - literal continuation, AUTHENTICATE and IDLE as sub-states of the command that started
//!   them;
//! - STARTTLS: no byte received after the exchange and before `handle_tls_established` is ever
//!   interpreted as IMAP (both sides; CVE-2011-0411 class);
//! - on the client, capabilities, ENABLEd extensions and the selected mailbox's
//!   [`MailboxView`].
//!
//! [RFC 3501]: https://www.rfc-editor.org/rfc/rfc3501
//! [RFC 9051]: https://www.rfc-editor.org/rfc/rfc9051

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![no_std]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;
// no_std + alloc: every module starts with `use crate::prelude::*;` (docs/architecture.md).
use mailproto_core::prelude::{self, *};

pub mod client;
pub mod error;
pub mod mailbox;
pub mod notify;
#[cfg(feature = "arbitrary")]
pub mod ops;
mod outbox;
pub mod resync;
pub mod server;
pub mod state;

pub use crate::client::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, CommandHandle, DEFAULT_MAX_LINE,
    DeviationBudget, Stripping, TlsPolicy,
};
pub use crate::error::{LocalError, PeerError};
pub use crate::mailbox::{MailboxChange, MailboxView};
pub use crate::notify::Notification;
pub use crate::resync::MailboxCache;
pub use crate::server::{LiteralPolicy, ServerConfig, ServerEvent, ServerOutput, ServerSession};
pub use crate::state::State;
/// The codec the sessions speak (`mailproto-imap-codec`): commands, responses and the values
/// in them, so that one dependency and `use` of this crate are enough.
pub use imap_codec as codec;

use imap_codec::{AuthenticateData, Command, Greeting, IdleDone, Response, Tag};

/// Which parser a session applies to the next complete message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// The server greeting (RFC 9051 §7.1 `greeting`).
    Greeting,
    /// A server response.
    Response,
    /// A client command.
    Command,
    /// A SASL response line during AUTHENTICATE (RFC 9051 §6.2.2).
    AuthenticateData,
    /// The `DONE` that ends IDLE (RFC 2177).
    IdleDone,
}

/// A parsed message, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inbound {
    /// A greeting.
    Greeting(Greeting<'static>),
    /// A response.
    Response(Response<'static>),
    /// A command.
    Command(Command<'static>),
    /// A SASL response line.
    AuthenticateData(AuthenticateData<'static>),
    /// `DONE`.
    IdleDone(IdleDone),
    /// A command that ended at a synchronizing literal's announcement because the server
    /// refused the literal with a tagged response instead of `+` (RFC 9051 §4.3, §7.5). Its
    /// bytes up to the announcement are valid, so far as they go; the rest was never sent.
    RefusedCommand {
        /// The command's tag.
        tag: Tag<'static>,
        /// The octets the refused literal announced.
        literal_octets: u64,
    },
    /// An untagged response the grammar does not know, kept generically under the real-world
    /// profile (`unknown-response`; the client reports it as `ClientEvent::Unknown`).
    Unknown,
    /// A message that parsed, in a [`Received`] without values
    /// (`ServerConfig::report_received_values`, `ClientConfig::report_received_values` off):
    /// the value went to the application's events only.
    Parsed,
}

/// The result a [`Received`] reports: a copy of `result`, or with `values` off,
/// [`Inbound::Parsed`] for a parsed value (no copy of it; the rest is small).
pub(crate) fn reported(
    result: &Result<Inbound, PeerError>,
    values: bool,
) -> Result<Inbound, PeerError> {
    match result {
        Ok(
            Inbound::Greeting(_)
            | Inbound::Response(_)
            | Inbound::Command(_)
            | Inbound::AuthenticateData(_)
            | Inbound::IdleDone(_),
        ) if !values => Ok(Inbound::Parsed),
        other => other.clone(),
    }
}

/// One received message as framed, with the parser applied and its result. Reported only when
/// the configuration asks for it (`report_received`), for tools that follow a whole exchange
/// (the trace replayer); applications use the other events.
///
/// `Debug` shows the length of `bytes`, not the bytes (they may hold a LOGIN password).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Received {
    /// The parser applied.
    pub kind: MessageKind,
    /// The message bytes (literal data included); empty after a framing error.
    pub bytes: Vec<u8>,
    /// The value, or [`PeerError::Syntax`] / [`PeerError::Frame`] / [`PeerError::Truncated`].
    pub result: Result<Inbound, PeerError>,
}

impl ::core::fmt::Debug for Received {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Received")
            .field("kind", &self.kind)
            .field("bytes", &imap_codec::redact::Octets(self.bytes.len()))
            .field("result", &self.result)
            .finish()
    }
}

/// The README's client example, compiled and run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The crate's README.md (the package's front page), compiled and run as a doctest so that its
/// example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctest;
