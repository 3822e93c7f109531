//! # pop3-session
//!
//! Sans-IO POP3 state machines: a [`ClientSession`] and a [`ServerSession`] for one
//! connection each ([RFC 1939], with CAPA and pipelining of [RFC 2449], STLS of
//! [RFC 2595], SASL AUTH of [RFC 5034], the response codes of RFC 2449 §8 and RFC 3206).
//!
//! ## The driving contract (the drain rule)
//!
//! **Feed an input with a `handle_*` method, then call `poll_output()` until it returns
//! `None`. Do this after every input and every intention. A `Transmit(&[u8])` (and a
//! borrowed body chunk) lends the session's own buffer: it is valid until the next call on
//! the session, so write it (or copy it) before calling again.**
//!
//! This is the one contract of the mailproto sessions (issue 11: `imap-session` follows
//! the same one). In detail, both sessions have four kinds of methods:
//!
//! 1. **inputs**, `handle_*`: `handle_input(&bytes)` (what the peer sent; only buffered),
//!    `handle_eof()` (the peer closed), `handle_tls_established()` (after a STLS, once TLS
//!    is up);
//! 2. **intentions / answers**: the client [`send`](ClientSession::send)s commands and
//!    answers SASL challenges; the server answers the events that need the application
//!    ([`accept_login`](ServerSession::accept_login),
//!    [`send_body`](ServerSession::send_body), [`commit_update`](ServerSession::commit_update), ...);
//! 3. **output**, `poll_output()`: a `#[must_use]` enum, `Transmit(&[u8])` or
//!    `Event(event)`. Bytes to transmit come before events. Decoding happens here, one
//!    message at a time, so a body is delivered chunk by chunk as the caller drains it, and
//!    the memory a session holds does not depend on the size of a message;
//! 4. **getters**: `state()`, `buffered_len()`, `is_tls()`, ...
//!
//! The lending contract was chosen over `Transmit(Vec<u8>)` because the session keeps
//! (and reuses) one output buffer: no allocation per response, and back-pressure is
//! natural: the server builds no more than [`ServerConfig::with_max_output`] of output
//! before the application drains it, and reads no further command meanwhile.
//!
//! The crate is deterministic: no sockets, no clocks, no threads; the wire format is
//! [`pop3_codec`]'s. Misuse by the application is a [`LocalError`] (nothing sent, nothing
//! changed); a peer that breaks the protocol is a [`PeerError`]: the server answers `-ERR`
//! (and closes on fatal ones), the client closes. Bytes injected after STLS are dropped and
//! reported ([`PeerError::StartTlsInjection`]).
//!
//! ## A run loop
//!
//! A client and a server wired to each other through in-memory queues: the same loop
//! works over a socket (see `examples/download.rs`).
//!
//! ```
//! use pop3_codec::{Capability, Command, Greeting, Limits, Param, Secret};
//! use mailproto_pop3_session::{
//!     ClientEvent, ClientOutput, ClientSession, ClientState, Credentials, Maildrop,
//!     ServerConfig, ServerEvent, ServerOutput, ServerSession, ServerState,
//! };
//!
//! let greeting = Greeting::parse(b"+OK POP3 ready\r\n").unwrap();
//! let config = ServerConfig::new(greeting).with_capabilities(vec![Capability::User]);
//! let mut server = ServerSession::new(config);
//! let mut client = ClientSession::new(Limits::default());
//! let body = b"Subject: hi\r\n\r\n.dotted line\r\n";
//! let (mut to_client, mut to_server) = (Vec::new(), Vec::new());
//! let (mut received, mut updated) = (Vec::new(), false);
//!
//! while client.state() != ClientState::Closed {
//!     // Server: input, then drain.
//!     if !to_server.is_empty() {
//!         server.handle_input(&::core::mem::take(&mut to_server)).unwrap();
//!     }
//!     while let Some(out) = server.poll_output() {
//!         let event = match out {
//!             ServerOutput::Transmit(bytes) => { to_client.extend_from_slice(bytes); continue }
//!             ServerOutput::Event(e) => e,
//!         };
//!         match event {
//!             ServerEvent::Authenticate(Credentials::UserPass { .. }) => {
//!                 server.accept_login(Maildrop::from_sizes([body.len() as u64])).unwrap()
//!             }
//!             ServerEvent::Retrieve { .. } => {
//!                 server.send_body(body).unwrap();
//!                 server.end_body().unwrap();
//!             }
//!             ServerEvent::Update { deleted } => {
//!                 assert_eq!(deleted.len(), 1);
//!                 server.commit_update(Ok(())).unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//!     // Client: input, then drain.
//!     if !to_client.is_empty() {
//!         client.handle_input(&::core::mem::take(&mut to_client)).unwrap();
//!     }
//!     while let Some(out) = client.poll_output() {
//!         let event = match out {
//!             ClientOutput::Transmit(bytes) => { to_server.extend_from_slice(bytes); continue }
//!             ClientOutput::Event(e) => e,
//!         };
//!         match event {
//!             ClientEvent::Greeting(_) => {
//!                 client.send(Command::User(Param::new("mrose").unwrap())).unwrap();
//!                 client.send(Command::Pass(Secret::new("tanstaaf").unwrap())).unwrap();
//!             }
//!             ClientEvent::LoggedIn { .. } => {
//!                 let one = 1.try_into().unwrap();
//!                 client.send(Command::Retr(one)).unwrap();
//!                 client.send(Command::Dele(one)).unwrap();
//!                 client.send(Command::Quit).unwrap();
//!             }
//!             ClientEvent::BodyChunk { data, .. } => received.extend_from_slice(data),
//!             ClientEvent::Quit { updated: u, .. } => updated = u,
//!             _ => {}
//!         }
//!     }
//! }
//! assert_eq!(received, body);
//! assert!(updated);
//! assert_eq!(server.state(), ServerState::Closed);
//! ```
//!
//! ## Modules
//!
//! - [`client`], [`server`]: the sessions;
//! - [`states`]: states, the transition tables they follow, which command is valid where,
//!   and the diagrams drawn from them (`docs/pop3-session.md`);
//! - [`body`]: streaming dot-stuffing and the TOP cut;
//! - [`ops`]: every input and call as data, for fuzz targets (`arbitrary` feature);
//! - [`observe`]: observer mode, following a recorded exchange (`mailtrace`);
//! - [`error`]: [`LocalError`] and [`PeerError`].
//!
//! [RFC 1939]: https://www.rfc-editor.org/rfc/rfc1939
//! [RFC 2449]: https://www.rfc-editor.org/rfc/rfc2449
//! [RFC 2595]: https://www.rfc-editor.org/rfc/rfc2595
//! [RFC 5034]: https://www.rfc-editor.org/rfc/rfc5034

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![no_std]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;
// no_std + alloc: every module starts with `use crate::prelude::*;` (docs/architecture.md).
use mailproto_core::prelude;

pub mod body;
pub mod client;
pub mod error;
pub mod observe;
pub mod ops;
pub mod server;
pub mod states;

pub use crate::client::{
    ClientClose, ClientEvent, ClientOutput, ClientSession, RequestId, Stripping, TlsPolicy,
};
pub use crate::error::{Attempt, LocalError, PeerError};
pub use crate::observe::{Inbound, MessageKind, Received, ReceivedResponse};
pub use crate::server::{
    Credentials, Maildrop, MessageInfo, Refusal, ServerClose, ServerConfig, ServerEvent,
    ServerOutput, ServerSession,
};
pub use crate::states::{ClientState, Phase, ServerState};
/// The codec the sessions speak (`mailproto-pop3-codec`): commands, responses and the values
/// in them, so that one dependency and `use` of this crate are enough.
pub use pop3_codec as codec;

/// When a session under the real-world profile stops following a peer that deviates from
/// the grammar ([`mailproto_core::DeviationBudget`] over the POP3 catalogue; the IMAP
/// sessions use the same type over theirs).
///
/// ```
/// use mailproto_pop3_session::DeviationBudget;
/// use mailproto_pop3_session::codec::Pop3Deviation;
/// let budget = DeviationBudget::default().with_max(10).with_stop_on([Pop3Deviation::BareLf]);
/// assert_eq!(budget.max, Some(10));
/// ```
pub type DeviationBudget = mailproto_core::DeviationBudget<pop3_codec::Pop3Deviation>;

/// The crate's README.md (the package's front page), compiled and run as a doctest so that its
/// example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
