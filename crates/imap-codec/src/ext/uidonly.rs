//! UIDONLY (RFC 9586): the `UIDFETCH` response, `[UIDREQUIRED]`, and which commands use
//! message numbers.
//!
//! RFC 9586 is not in `../shared/rfcs`. Where its text came from (the `search` tool, session
//! 5): the rfc-editor.org and datatracker pages of RFC 9586 (abstract and §3 prose: once
//! UIDONLY is enabled "the server MUST return tagged BAD response if the client uses message
//! sequence numbers. The server SHOULD include the UIDREQUIRED response code in such BAD
//! responses"), the IETF last-call review of draft-ietf-extra-imap-uidonly-06, and the
//! `uidfetch-resp` rule of §3.3 as quoted (with its section) in the comments of public IMAP
//! implementations that the tool's code index holds. The stored pages gave only their
//! openings, not the formal syntax section itself, so the rules below are those three
//! sources put together:
//!
//! ```text
//! capability     =/ "UIDONLY"
//! message-data   =/ uidfetch-resp
//! uidfetch-resp  = uniqueid SP "UIDFETCH" SP msg-att     ; §3.3
//! resp-text-code =/ "UIDREQUIRED"
//! ```
//!
//! - `ENABLE UIDONLY` (RFC 5161) puts [`Extension::UidOnly`](crate::Extension::UidOnly) in
//!   force ([`crate::Extension::from_capability`]); the sessions carry it in their parse
//!   context. It changes no rule of the codec: `uidfetch-resp` is an unconditional
//!   alternative of `message-data` in the ABNF, like `VANISHED` (RFC 7162). What depends on
//!   it is session behaviour: the server answers a command that uses message numbers
//!   ([`uses_message_numbers`]) with `BAD [UIDREQUIRED]` and sends `UIDFETCH` rather than
//!   `FETCH` and `VANISHED` rather than `EXPUNGE`; the client keys what it learns by UID.
//! - `UIDFETCH` is [`UidFetchData`] (the `UidFetch` row of [`crate::response::Data`]): a FETCH
//!   response whose number is the message's UID, never a sequence number.
//! - `UIDREQUIRED` is [`crate::response::Code::UidRequired`], a code without arguments.
//! - Message numbers inside search criteria count too: `UID SEARCH 1:10` (a `sequence-set`
//!   search key, RFC 9051 §6.4.4) uses them although the command is a UID one
//!   ([`search_uses_message_numbers`]). The §3 prose refuses message numbers in requests
//!   without naming commands; that search keys are among them is confirmed by Cyrus IMAP's
//!   UIDONLY test suite (Cassandane `tiny-tests/UIDonly/search`: `UID SEARCH 1:10` is
//!   answered BAD, `UID SEARCH UID 1:10` OK), found with the `search` tool in session 6.
//!   Not treated as message numbers (no source says so): `$` (RFC 5182) and QRESYNC's
//!   `seq-match-data` (RFC 7162 §3.2.5.2), which pairs message numbers with UIDs only as
//!   a hint.

use crate::prelude::*;

use ::core::num::NonZeroU32;

use crate::core::IntoStatic;

use crate::command::CommandBody;
use crate::command::search::SearchKey;
use crate::context::Ctx;
use crate::encode::Encoder;
use crate::error::PResult;
use crate::response::fetch::MessageAttributes;
use crate::response::{FetchData, MessageNumbered};
use crate::sequence::SequenceSet;

/// `uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att` (RFC 9586 §3.3): the data items of one
/// message, named by its UID. The list of items is never empty (`msg-att` has at least one).
///
/// ```
/// use mailproto_imap_codec::{Response, response::Data};
/// let r = Response::parse(b"* 25 UIDFETCH (FLAGS (\\Seen))\r\n").unwrap();
/// let Response::Data(Data::UidFetch(f)) = r else { panic!() };
/// assert_eq!(f.uid.get(), 25);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UidFetchData<'a> {
    /// The message's UID (`uniqueid = nz-number`, RFC 9051 §9).
    pub uid: NonZeroU32,
    /// The data items.
    pub attributes: MessageAttributes<'a>,
}

impl<'a> UidFetchData<'a> {
    /// `uid UIDFETCH (attributes)`.
    pub fn new(uid: NonZeroU32, attributes: impl Into<MessageAttributes<'a>>) -> Self {
        UidFetchData {
            uid,
            attributes: attributes.into(),
        }
    }

    /// After the name: the `msg-att` of `FETCH` (one grammar for both responses).
    pub(crate) fn parse(n: u32, at: &'a [u8], rest: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (rest, f) = FetchData::parse(n, at, rest, ctx)?;
        Ok((
            rest,
            UidFetchData {
                uid: f.seq,
                attributes: f.attributes,
            },
        ))
    }

    /// Writes what follows `UIDFETCH`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        self.attributes.encode_sp(e);
    }
}

impl MessageNumbered for UidFetchData<'_> {
    /// The UID (written where FETCH has its sequence number).
    fn message_number(&self) -> u32 {
        self.uid.get()
    }
}

/// Whether a command names messages by sequence number: the commands with a `UID` form
/// (the command table's `uid: Optional` rows: SEARCH, FETCH, STORE, COPY, MOVE, SORT, THREAD,
/// REPLACE) sent without `UID`, and `UID SEARCH`, `UID SORT` and `UID THREAD` whose criteria
/// hold a `sequence-set` search key of message numbers ([`search_uses_message_numbers`]).
/// Once UIDONLY is enabled the server answers them with `BAD [UIDREQUIRED]` (RFC 9586 §3).
///
/// ```
/// use mailproto_imap_codec::{Command, ext::uidonly::uses_message_numbers};
/// let fetch = Command::parse(b"a FETCH 1 FLAGS\r\n").unwrap();
/// let uid_fetch = Command::parse(b"a UID FETCH 1 FLAGS\r\n").unwrap();
/// let noop = Command::parse(b"a NOOP\r\n").unwrap();
/// let uid_search_numbers = Command::parse(b"a UID SEARCH 1:10 UNSEEN\r\n").unwrap();
/// let uid_search_uids = Command::parse(b"a UID SEARCH UID 1:10 UNSEEN\r\n").unwrap();
/// assert!(uses_message_numbers(&fetch.body));
/// assert!(!uses_message_numbers(&uid_fetch.body));
/// assert!(!uses_message_numbers(&noop.body));
/// assert!(uses_message_numbers(&uid_search_numbers.body));
/// assert!(!uses_message_numbers(&uid_search_uids.body));
/// ```
pub fn uses_message_numbers(body: &CommandBody<'_>) -> bool {
    use crate::command::UidForm;
    if body.kind().uid_form() == UidForm::Optional && !body.is_uid() {
        return true;
    }
    match body {
        // The program's keys are decoded from its checked wire form (issue 17's value model).
        CommandBody::Search { criteria, .. } => search_uses_message_numbers(&criteria.to_vec()),
        CommandBody::Sort { keys, .. } | CommandBody::Thread { keys, .. } => {
            search_uses_message_numbers(keys)
        }
        _ => false,
    }
}

/// Whether search criteria name messages by sequence number: a `sequence-set` search key
/// (RFC 9051 §6.4.4, "Messages with message sequence numbers corresponding to the specified
/// message sequence number set") anywhere in them, inside `NOT`, `OR`, parentheses and
/// `FUZZY` too. `$` (SEARCHRES, RFC 5182) is not one: it names the saved result of an
/// earlier search, whatever numbers that search returned, so it stays usable under UIDONLY.
///
/// RFC 9586 §3 refuses message numbers in requests once UIDONLY is enabled; a
/// `sequence-set` key in `UID SEARCH` is such a use. Cyrus IMAP's own UIDONLY tests
/// (Cassandane `UIDonly/search`) expect `UID SEARCH 1:10` to be answered with BAD and
/// `UID SEARCH UID 1:10` with OK.
///
/// Walks the keys with an explicit stack, so a hand-built key nested arbitrarily deep
/// cannot exhaust the call stack.
pub fn search_uses_message_numbers(keys: &[SearchKey<'_>]) -> bool {
    let mut stack: Vec<&SearchKey<'_>> = keys.iter().collect();
    while let Some(key) = stack.pop() {
        match key {
            SearchKey::SequenceSet(SequenceSet::Items(_)) => return true,
            SearchKey::Not(inner) | SearchKey::Fuzzy(inner) => stack.push(inner),
            SearchKey::Or(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            SearchKey::And(inner) => stack.extend(inner.iter()),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::response::Data;
    use crate::{Command, Response};

    use super::uses_message_numbers;

    /// RFC 9586 §3.
    #[test]
    fn uidrequired() {
        let line =
            b"A103 BAD [UIDREQUIRED] Message numbers are not allowed once UIDONLY is enabled\r\n";
        let r = Response::parse(line).unwrap();
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        assert!(format!("{r:?}").contains("UidRequired"));
    }

    /// RFC 9586 §3.3: `uniqueid SP "UIDFETCH" SP msg-att`, whole, byte by byte and with
    /// trailing bytes.
    #[test]
    fn uidfetch() {
        let line = b"* 4827313 UIDFETCH (FLAGS (\\Seen) MODSEQ (12))\r\n";
        let r = Response::parse(line).unwrap();
        let Response::Data(Data::UidFetch(f)) = &r else {
            panic!("{r:?}")
        };
        assert_eq!((f.uid.get(), f.attributes.len()), (4827313, 2));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        for cut in 0..line.len() {
            assert!(Response::parse(&line[..cut]).is_err(), "{cut}");
        }
        assert!(Response::parse(b"* 1 UIDFETCH (UID 1)\r\nx").is_err());
    }

    /// What `uniqueid` and `msg-att` refuse, where and why: UID 0, a leading zero, an empty
    /// list, no list.
    #[test]
    fn uidfetch_invalid() {
        for (line, offset, expected) in [
            (&b"* 0 UIDFETCH (FLAGS ())\r\n"[..], 2, "nz-number"),
            (b"* 01 UIDFETCH (FLAGS ())\r\n", 2, "nz-number"),
            (b"* 1 UIDFETCH ()\r\n", 14, "msg-att"),
            (b"* 1 UIDFETCH FLAGS ()\r\n", 13, "msg-att"),
        ] {
            let e = Response::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{e}");
        }
    }

    /// The commands that name messages by number are the `uid: Optional` rows without UID.
    #[test]
    fn message_number_commands() {
        for (line, numbers) in [
            ("a FETCH 1 FLAGS\r\n", true),
            ("a STORE 1 +FLAGS (\\Seen)\r\n", true),
            ("a COPY 1 INBOX\r\n", true),
            ("a SEARCH ALL\r\n", true),
            ("a UID SEARCH ALL\r\n", false),
            ("a UID STORE 1 +FLAGS (\\Seen)\r\n", false),
            ("a UID EXPUNGE 1\r\n", false),
            ("a EXPUNGE\r\n", false),
            ("a ENABLE UIDONLY\r\n", false),
            // Search criteria: a sequence-set key names messages by number (RFC 9586 §3).
            ("a UID SEARCH 1:10\r\n", true),
            ("a UID SEARCH UID 1:10\r\n", false),
            ("a UID SEARCH NOT (UNSEEN OR DELETED 2)\r\n", true),
            ("a UID SEARCH OR UID 1 FLAGGED\r\n", false),
            ("a UID SEARCH $\r\n", false),
            ("a UID SEARCH UID $ NOT 3,5:*\r\n", true),
        ] {
            let c = Command::parse(line.as_bytes()).unwrap();
            assert_eq!(uses_message_numbers(&c.body), numbers, "{line}");
        }
    }
}
