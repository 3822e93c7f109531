//! # mailtrace
//!
//! Reads the trace corpus format of this project ([`format`], specified in
//! `docs/corpus-format.md`) and replays IMAP traces through `imap-codec` ([`imap`]): every
//! message is framed, parsed with the parser the exchange calls for, and re-encoded.
//!
//! No I/O: callers read the files and hand over their text.

pub mod format;
pub mod imap;
