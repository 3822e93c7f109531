//! # mailtrace
//!
//! Reads the trace corpus format of this project ([`format`](mod@format), specified in
//! `docs/corpus-format.md`) and replays IMAP traces ([`imap`]) and POP3 traces ([`pop3`]),
//! each followed by that protocol's client and server sessions in observer mode
//! (`imap-session`, `pop3-session`): every message is framed, parsed with the parser the
//! exchange calls for, and re-encoded. [`report`] holds what is reported per message.
//!
//! No I/O of its own: callers hand over a trace's text ([`format::parse`]) or a reader of it
//! ([`format::Reader`], any `BufRead`), which [`stream::follow`] replays one line at a time.

#![forbid(unsafe_code)]

/// Every message a follower (`imap::Follower`, `pop3::Follower`) makes of a parsed trace's
/// data lines, in order: the `replay_with` of both protocols.
macro_rules! follow_lines {
    ($follower:expr, $trace:expr) => {{
        let mut follower = $follower;
        let mut messages = Vec::new();
        for data in &$trace.lines {
            // Borrowed: the trace keeps its lines, no copy of each is made to be followed.
            follower.follow(data.into(), |m| messages.push(m));
        }
        follower.finish(|m| messages.push(m));
        messages
    }};
}

pub mod format;
pub mod imap;
pub mod neutral;
pub mod pop3;
pub mod report;
pub mod stream;

pub use crate::format::{FormatError, Protocol, ReadError, Reader, Trace, parse};
/// The crates whose values the replays report (`mailproto-imap-codec`, `mailproto-imap-session`,
/// `mailproto-pop3-codec`), so that reading a report needs no other dependency.
pub use {imap_codec, imap_session, pop3_codec};

/// The crate's README.md (the package's front page), compiled and run as a doctest so that its
/// example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
