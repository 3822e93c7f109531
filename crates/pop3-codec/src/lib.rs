//! # pop3-codec
//!
//! A sans-IO codec for POP3 ([RFC 1939]) and its extensions: CAPA, response codes and
//! pipelining ([RFC 2449]), STLS ([RFC 2595]), the SYS and AUTH response codes
//! ([RFC 3206]), SASL AUTH ([RFC 5034], [RFC 1734]) and UTF8 / LANG ([RFC 6856]). Bytes in,
//! typed commands and responses out, and typed values back to bytes. No I/O, no clocks.
//!
//! The layers, in the order bytes flow through them:
//!
//! 1. [`framer`]: [`CommandDecoder`] (server side) and [`ResponseDecoder`] (client side)
//!    find message ends in a stream that arrives in pieces of any size, in O(n) total time,
//!    with line and size [`Limits`]; message bodies are streamed in borrowed chunks.
//! 2. The grammar: [`Command::parse`], [`SaslResponse::parse`], [`Response::parse`] /
//!    [`Response::decode`] over complete messages. Whether a response is multi-line depends
//!    on the command it answers, so response parsers take an [`Expected`]
//!    (`Expected::from(&command)`). Values borrow from the input; [`IntoStatic`] makes them
//!    owned.
//! 3. [`Encode`]: values back to bytes, appended to the caller's buffer; [`dot`] stuffs and
//!    unstuffs message bodies.
//!
//! Values can only be built through validating constructors, so the encoder never writes
//! what the parser would reject.
//!
//! ```
//! use mailproto_pop3_codec::{Command, Encode, Expected, Response, Text, StatusLine};
//!
//! // Client: encode a command and parse the answer in its context.
//! let cmd = Command::Uidl(None);
//! assert_eq!(cmd.to_bytes(), b"UIDL\r\n");
//! let answer = b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n";
//! let Response::UidList(list) = Response::parse(answer, Expected::from(&cmd)).unwrap() else {
//!     panic!("a UIDL listing")
//! };
//! assert_eq!(list.items()[1].uid.as_str(), "QhdPYR:00WBw1Ph7x7");
//!
//! // Server: parse a command, answer it.
//! assert_eq!(Command::parse(b"stat\r\n").unwrap(), Command::Stat);
//! let reply = Response::Status(StatusLine::err(Text::try_from("no such message").unwrap()).unwrap());
//! assert_eq!(reply.to_bytes(), b"-ERR no such message\r\n");
//! ```
//!
//! Strictness: the grammar is RFC 2449 §3's, read strictly (single SP separators, CRLF line
//! ends, `+OK`/`-ERR` in upper case, text starting with `[` must be a response code, known
//! capabilities must have well-formed arguments), with these documented allowances: command
//! keywords, capability tags and response codes ignore case (as the RFCs require); the APOP
//! digest may be in upper-case hex; text and parameters may carry UTF-8 (RFC 6856).
//!
//! The sessions (`mailproto-pop3-session`) run the framer ([`framer`]) and these parsers in
//! their run loop; `mailproto-client` puts them on a socket. Examples:
//! `crates/pop3-session/examples/download.rs` (a session over `std::net`) and
//! `crates/client/examples/pop3_download.rs` (the blocking client).
//!
//! [RFC 1939]: https://www.rfc-editor.org/rfc/rfc1939
//! [RFC 2449]: https://www.rfc-editor.org/rfc/rfc2449
//! [RFC 2595]: https://www.rfc-editor.org/rfc/rfc2595
//! [RFC 3206]: https://www.rfc-editor.org/rfc/rfc3206
//! [RFC 5034]: https://www.rfc-editor.org/rfc/rfc5034
//! [RFC 1734]: https://www.rfc-editor.org/rfc/rfc1734
//! [RFC 6856]: https://www.rfc-editor.org/rfc/rfc6856

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![no_std]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;
// no_std + alloc: every module starts with `use crate::prelude::*;` (docs/architecture.md).
use mailproto_core::prelude;

#[cfg(feature = "arbitrary")]
mod arbitrary;
pub mod capability;
pub mod command;
pub mod context;
pub mod core;
pub mod dot;
pub mod error;
pub mod framer;
mod listing;
pub mod response;

pub use crate::capability::{Capability, Expire, OtherCapability};
pub use crate::command::{ApopDigest, Command, CommandKind, LangArg, SaslResponse};
pub use crate::context::{Deviation, DeviationId, ParseOptions, Parsed, Pop3Deviation, Profile};
pub use crate::core::{
    CapaTag, CodeKind, Encode, IntoStatic, Language, Mechanism, MsgNumber, Param, ResponseCode,
    Secret, Text, Timestamp, UniqueId,
};
pub use crate::error::{ErrorKind, ParseError, ValidationError};
pub use crate::framer::{CommandDecoder, Limits, ResponseDecoder, ResponseEvent};
pub use crate::response::{
    Decoded, DropListing, Expected, Greeting, LangListing, ListedSizes, Message, MultiLine,
    Response, ScanListing, ScanListingIter, ScanListings, StatusLine, UidListing,
};

/// The crate's README.md (the package's front page), compiled and run as a doctest so that its
/// example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
