//! Following a trace file as it is read: [`follow`] reads the headers, then hands each data
//! line to the protocol's replay and each completed message to the caller, who keeps what it
//! needs of it (a count, a one-line summary, the deviation ids) and drops the rest (issue 18
//! item 11: `mailconform validate` streams its files).
//!
//! Both protocols are followed line by line ([`imap::Follower`], [`pop3::Follower`]): the
//! memory needed is about the largest message's (`docs/security.md` has the figures),
//! whatever the trace's length.

use std::io::BufRead;

use serde::Serialize;

use crate::format::{Profile, Protocol, ReadError, Reader, Side};
use crate::report::Found;
use crate::{imap, pop3};

/// One replayed message of either protocol.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Entry {
    /// An IMAP message.
    Imap(imap::Message),
    /// A POP3 message.
    Pop3(pop3::Message),
}

impl Entry {
    /// Who sent it.
    pub fn side(&self) -> Side {
        match self {
            Entry::Imap(m) => m.side,
            Entry::Pop3(m) => m.side,
        }
    }

    /// The trace line on which it was completed.
    pub fn line(&self) -> usize {
        match self {
            Entry::Imap(m) => m.line,
            Entry::Pop3(m) => m.line,
        }
    }

    /// True when it parsed.
    pub fn is_ok(&self) -> bool {
        match self {
            Entry::Imap(m) => m.is_ok(),
            Entry::Pop3(m) => m.is_ok(),
        }
    }

    /// What was parsed, or the failure, in a few words.
    pub fn summary(&self) -> String {
        match self {
            Entry::Imap(m) => m.summary(),
            Entry::Pop3(m) => m.summary(),
        }
    }

    /// The deviations the real-world profile accepted in it.
    pub fn deviations(&self) -> &[Found] {
        match self {
            Entry::Imap(m) => &m.deviations,
            Entry::Pop3(m) => &m.deviations,
        }
    }

    /// The message bytes (empty where the replay does not keep them).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Entry::Imap(m) => &m.bytes,
            Entry::Pop3(m) => &m.bytes,
        }
    }
}

/// Replays the trace `reader` reads under `profile`, handing every message to `out` as it
/// completes, in the order `imap::replay_with` / `pop3::replay_with` list them. The lines are
/// read and followed in pieces ([`Reader::next_piece`]): a line longer than
/// [`crate::format::PIECE`] is not held whole.
///
/// A read or format error ends the replay: the messages before it have been handed over.
///
/// ```
/// use mailtrace::format::{Profile, Reader};
/// let text = "# source: x\nC: a1 NOOP\nS: a1 OK done\nC: a2 NOOP\n";
/// let (mut total, mut failed) = (0, 0);
/// mailtrace::stream::follow(Reader::new(text.as_bytes()).unwrap(), Profile::Strict, |m| {
///     total += 1;
///     failed += usize::from(!m.is_ok());
/// })
/// .unwrap();
/// assert_eq!((total, failed), (3, 0));
/// ```
pub fn follow<R: BufRead>(
    mut reader: Reader<R>,
    profile: Profile,
    mut out: impl FnMut(Entry),
) -> Result<(), ReadError> {
    match reader.headers().protocol {
        Protocol::Imap => {
            let mut follower = imap::Follower::new(reader.headers(), profile);
            while let Some(piece) = reader.next_piece() {
                follower.line(piece?, |m| out(Entry::Imap(m)));
            }
            follower.finish(|m| out(Entry::Imap(m)));
        }
        Protocol::Pop3 => {
            let mut follower = pop3::Follower::new(reader.headers(), profile);
            while let Some(piece) = reader.next_piece() {
                follower.line(piece?, |m| out(Entry::Pop3(m)));
            }
            follower.finish(|m| out(Entry::Pop3(m)));
        }
    }
    Ok(())
}
