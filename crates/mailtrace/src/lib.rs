//! # mailtrace
//!
//! Reads the trace corpus format of this project ([`format`](mod@format), specified in
//! `docs/corpus-format.md`) and replays IMAP traces ([`imap`]) and POP3 traces ([`pop3`]),
//! each followed by that protocol's client and server sessions in observer mode
//! (`imap-session`, `pop3-session`): every message is framed, parsed with the parser the
//! exchange calls for, and re-encoded. [`report`] holds what is reported per message.
//!
//! No I/O: callers read the files and hand over their text.

pub mod format;
pub mod imap;
pub mod pop3;
pub mod report;
