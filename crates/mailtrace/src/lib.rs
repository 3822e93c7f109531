//! # mailtrace
//!
//! Reads the trace corpus format of this project ([`format`](mod@format), specified in
//! `docs/corpus-format.md`) and replays IMAP traces ([`imap`]) and POP3 traces ([`pop3`]),
//! each followed by that protocol's client and server sessions in observer mode
//! (`imap-session`, `pop3-session`): every message is framed, parsed with the parser the
//! exchange calls for, and re-encoded. [`report`] holds what is reported per message.
//!
//! No I/O: callers read the files and hand over their text.

#![forbid(unsafe_code)]

pub mod format;
pub mod imap;
pub mod neutral;
pub mod pop3;
pub mod report;

pub use crate::format::{FormatError, Protocol, Trace, parse};
/// The crates whose values the replays report (`mailproto-imap-codec`, `mailproto-imap-session`,
/// `mailproto-pop3-codec`), so that reading a report needs no other dependency.
pub use {imap_codec, imap_session, pop3_codec};

/// The crate's README.md (the package's front page), compiled and run as a doctest so that its
/// example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
