//! # imap-codec
//!
//! A sans-IO codec for IMAP4rev1 ([RFC 3501]) and IMAP4rev2 ([RFC 9051]): bytes in, typed
//! commands and responses out, and typed values back to bytes. No I/O, no clocks, no threads.
//!
//! The layers, in the order bytes flow through them:
//!
//! 1. [`framer`]: finds where one message ends in a stream that arrives in pieces of any
//!    size, literal-aware (`{n}`, `{n+}`, `~{n}`), in O(n) total time; reports a literal
//!    announcement before the literal's data arrives.
//! 2. The grammar: nom parsers over one complete message ([`Command::parse`],
//!    [`Response::parse`], [`Greeting::parse`]). Parsed values borrow from the input; every
//!    value converts to an owned one with [`IntoStatic`].
//! 3. [`encode`]: values back to bytes, into the caller's buffer, split where a client must
//!    wait for a continuation request.
//!
//! The grammar accepted is the union of RFC 3501 §9 and RFC 9051 §9, strictly: what both
//! forbid is an error with a byte offset and the expected rule. `parse_with(bytes, &options)`
//! ([`context`]) parses under a profile (the real-world profile accepts and reports named
//! deviations) with extensions in force (which open the RFC 4466 slots of [`ext::slots`]).
//!
//! Commands, fetch items, search keys and STATUS items are data: one table each generates the
//! enum, its fieldless kind ([`CommandKind`], with the states a command is valid in and the
//! capability it needs), the name dispatch and the encoder. Extensions live in [`ext`], one
//! module per RFC.
//!
//! ## A run loop
//!
//! ```
//! use mailproto_imap_codec::framer::{Frame, FramedBuffer, FramerConfig};
//! use mailproto_imap_codec::{IntoStatic, Response};
//!
//! let mut input = FramedBuffer::new(FramerConfig::client());
//! let mut responses = Vec::new();
//! for read in [&b"* 2 EXI"[..], b"STS\r\n* 1 FETCH (BODY[] {2}\r\nhi)\r\n"] {
//!     input.push(read); // what one socket read gave, cut anywhere
//!     while let Some(frame) = input.next_frame().unwrap() {
//!         if let Frame::Message(bytes) = frame {
//!             responses.push(Response::parse(bytes).unwrap().into_static());
//!         }
//!     }
//! }
//! assert_eq!(responses.len(), 2);
//! ```
//!
//! The sessions (`mailproto-imap-session`) run this loop and the protocol's state for you;
//! `mailproto-client` puts them on a socket. Examples: `crates/imap-session/examples/tcp_client.rs`
//! (a session over `std::net`), `crates/client/examples/` (blocking and tokio clients, a tokio
//! server, STARTTLS).
//!
//! [RFC 3501]: https://www.rfc-editor.org/rfc/rfc3501
//! [RFC 9051]: https://www.rfc-editor.org/rfc/rfc9051

#![cfg_attr(docsrs, feature(doc_cfg))]
// No unsafe code, except in the one audited module `ascii` (docs/performance.md).
#![deny(unsafe_code)]
#![no_std]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;
// no_std + alloc: every module starts with `use crate::prelude::*;` (docs/architecture.md).
use mailproto_core::prelude;

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod ascii;
pub mod capability;
pub mod command;
pub mod context;
pub mod core;
pub mod datetime;
pub mod encode;
pub mod error;
pub mod ext;
pub mod flag;
pub mod framer;
pub mod items;
pub mod mailbox;
pub(crate) mod parse;
pub mod redact;
mod repair;
pub mod response;
pub mod section;
pub mod sequence;

pub use crate::capability::{AuthMechanism, Capability};
pub use crate::command::{
    AuthenticateData, Command, CommandBody, CommandKind, CompressionAlgorithm, IdleDone,
};
pub use crate::context::{Deviation, Extension, Extensions, ParseOptions, Parsed, Profile};
pub use crate::core::{
    AString, Atom, AtomExt, IString, IntoBytes, IntoStatic, Literal, Literal8, LiteralMode,
    NString, Quoted, Tag, Text,
};
pub use crate::datetime::{Date, DateTime};
pub use crate::encode::{Encode, EncodeOptions, Encoded, Encoder, LiteralCapability};
pub use crate::error::{ErrorKind, ParseError, ValidationError};
pub use crate::flag::{Flag, FlagFetch, FlagPerm, MailboxAttribute};
pub use crate::mailbox::{ListMailbox, Mailbox};
pub use crate::response::{
    Code, ContinuationRequest, Data, Greeting, MessageAttribute, Response, Status, StatusKind,
};
pub use crate::section::{Part, Partial, Section};
pub use crate::sequence::{SeqItem, SeqNumber, SequenceSet, UidSet};
// What reading a `Deviation` needs, at the root too.
pub use crate::context::{DeviationId, ImapDeviation, Side};

// The README's examples are compiled and run as doctests by `imap-session` (they use both
// crates).

/// The crate's README.md (the package's front page), compiled and run as a doctest so that its
/// example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
