//! # mailproto-imap-mailbox
//!
//! The server-side message kit of mailproto: what an IMAP server computes from stored
//! messages, as a library with no I/O and no clock (dates come from the caller).
//!
//! - [`Message`]: an RFC 5322 message split into MIME entities (RFC 2045 §2.4, RFC 2046
//!   §5) with the exact byte range of every header and body, which the section
//!   specifiers of RFC 9051 §6.4.5 (`BODY[2.1.MIME]`, `BODY[3.HEADER]`, ...) address.
//!   Parsing never fails and is bounded ([`ParseLimits`]).
//! - [`structure`]: ENVELOPE and BODY / BODYSTRUCTURE (RFC 9051 §7.5.2).
//! - [`fetch()`]: every FETCH data item of RFC 9051 and RFC 3501 (RFC822.*), with partial
//!   ranges and BINARY (RFC 3516), reporting when `\Seen` is to be set.
//! - [`search`]: SEARCH evaluation for every key of RFC 9051 §6.4.4 and RFC 3501, and
//!   ESEARCH data (RFC 4731).
//! - [`store`]: an in-memory store with UIDs, flags, APPEND, STORE, COPY / MOVE
//!   (COPYUID), EXPUNGE renumbering and per-session views polling for updates.
//!
//! imap-codec values are built or matched only in [`fetch`](mod@fetch), [`structure`],
//! [`search`] (`compile`, `SearchResult::return_data`) and [`flags`].
//!
//! ```
//! use imap_codec::command::{FetchAtt, SearchKey};
//! use imap_codec::response::{BodyStructure, MessageAttribute, SinglePartKind};
//! use imap_codec::{AString, Date, DateTime};
//! use mailproto_imap_mailbox::search::compile;
//! use mailproto_imap_mailbox::store::Store;
//! use mailproto_imap_mailbox::Flags;
//!
//! let mut store = Store::default();
//! store.create("INBOX").unwrap();
//! let date = DateTime::new(Date::new(2024, 3, 1).unwrap(), 12, 0, 0, 60).unwrap();
//! let raw = b"From: Alice <alice@example.org>\r\nSubject: Hello\r\n\
//!             Date: Fri, 1 Mar 2024 11:00:00 +0000\r\n\r\nHi Bob!\r\n";
//! let (_validity, uid) = store.append("INBOX", raw.to_vec(), Flags::new(), date).unwrap();
//! assert_eq!(uid.get(), 1);
//!
//! let view = store.select("INBOX", false).unwrap();
//! let targets = view.resolve(&imap_codec::SequenceSet::single(1).unwrap(), false, &[]);
//! let items = [FetchAtt::Envelope, FetchAtt::BodyStructure];
//! let fetched = store.fetch(&view, &targets, &items).unwrap();
//! let (seq, attrs) = &fetched[0];
//! assert_eq!(*seq, 1);
//! let MessageAttribute::Envelope(env) = &attrs[0] else { panic!() };
//! assert_eq!(env.subject.as_bytes(), Some(&b"Hello"[..]));
//! assert_eq!(env.from.first().unwrap().host.as_bytes(), Some(&b"example.org"[..]));
//! assert_eq!(env.sender, env.from); // RFC 9051 §7.5.2: absent Sender is From
//! let MessageAttribute::BodyStructure(body) = &attrs[1] else { panic!() };
//! let BodyStructure::Single(part) = &**body else { panic!() };
//! assert!(matches!(part.kind, SinglePartKind::Text { lines, .. } if lines.get() == 1));
//! assert_eq!(part.fields.octets, 9);
//!
//! let program = compile(None, &[SearchKey::Body(AString::new("bob").unwrap())]).unwrap();
//! let found = store.search(&view, &program, true, None).unwrap();
//! assert_eq!(found.numbers(), &[1]);
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod address;
pub mod date;
pub mod decode;
pub mod fetch;
pub mod flags;
pub mod header;
pub mod message;
pub mod mime;
pub mod search;
pub mod store;
pub mod structure;

pub use crate::fetch::{FetchError, Fetched, MessageMeta, fetch};
pub use crate::flags::{Flags, SystemFlag};
pub use crate::message::{Content, Entity, Message, ParseLimits};
pub use crate::search::{Criterion, SearchContext, SearchError, SearchResult, compile};
pub use crate::store::{CopyUid, Limits, Store, StoreError, Update, View};

// The README example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
