//! # mailproto-client
//!
//! Thin I/O shells over the sans-IO sessions of mailproto ([`imap_session`],
//! [`pop3_session`]): blocking clients over `std::net` (feature `blocking`, default), async
//! clients, an async IMAP server driver and tokio-util codec adapters over tokio (feature
//! `tokio`), TLS with rustls (feature `rustls`, default: implicit TLS, STARTTLS / STLS,
//! certificate verification on, the platform's roots), SASL through [`mailproto_sasl`] (run by
//! the sessions), IMAP COMPRESS=DEFLATE (feature `compress`, RFC 4978: `compress::Deflate` over
//! both clients' and the async server driver's streams).
//!
//! ## Ten lines
//!
//! ```no_run
//! use imap_codec::{command::{FetchAtt, FetchItems}, SequenceSet};
//! use mailproto_client::blocking::imap::{Client, Config};
//! use mailproto_client::{Credentials, Tls};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut client = Client::connect("imap.example.org", 993, Tls::Implicit, Config::default())?;
//! client.authenticate(&Credentials::password("user", "pencil"))?; // SCRAM-SHA-256 when offered
//! let inbox = client.select("INBOX")?; // the session's MailboxView
//! let all = SequenceSet::parse_str(&format!("1:{}", inbox.exists.max(1)))?;
//! for message in client.fetch(&all, FetchItems::Single(FetchAtt::Envelope))? {
//!     println!("{} {:?}", message.seq, message.attributes);
//! }
//! let changes = client.idle(std::time::Duration::from_secs(60))?; // DONE after a change or 60 s
//! client.logout()?;
//! # let _ = changes; Ok(()) }
//! ```
//!
//! ## The run loop inside
//!
//! The shells contain no protocol logic. Every method is the sessions' driving contract
//! and nothing else:
//!
//! ```text
//! handle = session.send(command)                    // an intention
//! loop {
//!     while let Some(out) = session.poll_output() { // the drain rule, after every input
//!         Transmit(bytes) => socket.write_all(bytes)
//!         Event(Data { handle: Some(h), .. }) if h == handle => collect
//!         Event(Completed { handle, status })       => return OK / Error::No / Error::Bad
//!         Event(TlsRequired) => swap the socket for TLS, session.handle_tls_established()
//!         Event(other)       => keep (unsolicited data for noop / idle) or fail
//!     }
//!     session.handle_input(socket.read()?)           // or handle_eof()
//! }
//! ```
//!
//! What a command's data is (FETCH, SEARCH, EXISTS, ...) is decided by the session's
//! attribution; STARTTLS/STLS happen when the session says so, and the bytes a server sent
//! between its OK and the handshake are dropped and reported by the session (the shells
//! refuse such a connection, [`Error::ImapProtocol`]). Every byte read is handed to the
//! session at once, so a swap loses nothing the shell should keep.
//!
//! ## Examples
//!
//! In `crates/client/examples/` (each runs against an in-process server when given no
//! `HOST PORT USER PASSWORD`):
//!
//! - `imap_blocking.rs`: login (SCRAM when offered), select, fetch, store, IDLE, logout;
//! - `imap_tokio.rs`: the same with the tokio client (`--features tokio`);
//! - `pop3_download.rs`: every message of a maildrop streamed to a file;
//! - `starttls.rs`: IMAP STARTTLS and POP3 STLS;
//! - `imap_server.rs`: the async server driver over an in-memory store (`--features tokio`).
//!
//! See `docs/shells.md` for the design and its limits.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "compress")]
pub mod compress;
mod error;
pub mod imap;
pub mod pop3;
#[cfg(feature = "rustls")]
pub mod stream;
pub mod tls;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use crate::error::{Error, Result};
pub use crate::tls::{Tls, TlsConfig};
pub use mailproto_sasl::Credentials;

// The README example is compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
