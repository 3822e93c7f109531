//! Quick mailbox resynchronization with QRESYNC (RFC 7162 §3.2.5, §6): what a client caches
//! of a mailbox, the SELECT/EXAMINE that asks the server for what changed since, and the
//! bookkeeping of the answers.
//!
//! The client enables QRESYNC first (`ENABLE QRESYNC`, RFC 7162 §3.2.3), then sends
//! [`MailboxCache::select`]; it hands every response of that SELECT (and, afterwards, every
//! unsolicited response while the mailbox stays selected) to [`MailboxCache::apply`] and calls
//! [`MailboxCache::completed`] at each tagged response. The server answers with
//! `* VANISHED (EARLIER) uids` for the known messages that are gone (§3.2.5.1), `* n FETCH
//! (UID u FLAGS (...) MODSEQ (m))` for every message changed since the cached mod-sequence
//! (new ones included), and `[HIGHESTMODSEQ m]`. If the UIDVALIDITY changed, the server ignores
//! the QRESYNC parameter (§3.2.5): the cache is emptied and [`MailboxCache::needs_full_sync`]
//! says so.
//!
//! The cache keys messages by UID. FETCH data without a UID (an unsolicited flag change
//! named by sequence number only) cannot be placed and are counted in
//! [`MailboxCache::unplaced`]; servers send the UID with every FETCH once QRESYNC is enabled
//! (RFC 7162 §3.2.4: "the server MUST include the UID ... in all subsequent untagged FETCH
//! responses").

use crate::prelude::*;

use ::core::num::NonZeroU32;
use alloc::collections::BTreeMap;

use imap_codec::ext::condstore::{ModSeq, QResyncParams};
use imap_codec::ext::slots::SelectParam;
use imap_codec::response::{MessageAttribute, MessageAttributes};
use imap_codec::{Code, CommandBody, Data, Flag, IntoStatic, Mailbox, Response, UidSet};

/// What a client keeps of one mailbox between sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxCache {
    /// The UIDVALIDITY the UIDs belong to.
    pub uid_validity: NonZeroU32,
    /// The highest mod-sequence the cache is up to date with.
    pub highest_modseq: ModSeq,
    /// The messages: UID → flags.
    pub messages: BTreeMap<NonZeroU32, Vec<Flag<'static>>>,
    /// The UIDVALIDITY changed: every cached UID was dropped and a full synchronization is
    /// needed (RFC 7162 §3.2.5; RFC 9051 §2.3.1.1).
    needs_full_sync: bool,
    /// FETCH data without a UID since the cache was made.
    unplaced: usize,
    /// `HIGHESTMODSEQ` code since the last completion (it wins, RFC 7162 §6).
    code_modseq: Option<ModSeq>,
    /// Highest FETCH `MODSEQ` since the last completion.
    fetch_modseq: Option<ModSeq>,
}

impl MailboxCache {
    /// An empty cache for a mailbox with this UIDVALIDITY and highest mod-sequence (e.g. from
    /// the answers to a first, full synchronization).
    pub fn new(uid_validity: NonZeroU32, highest_modseq: ModSeq) -> Self {
        MailboxCache {
            uid_validity,
            highest_modseq,
            messages: BTreeMap::new(),
            needs_full_sync: false,
            unplaced: 0,
            code_modseq: None,
            fetch_modseq: None,
        }
    }

    /// The QRESYNC parameter for the cache: `(uidvalidity modseq [known-uids])`, the known
    /// UIDs as ranges (RFC 7162 §3.2.5).
    pub fn qresync_params(&self) -> QResyncParams {
        let params = QResyncParams::new(self.uid_validity, self.highest_modseq);
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for uid in self.messages.keys().map(|u| u.get()) {
            match ranges.last_mut() {
                Some((_, hi)) if hi.checked_add(1) == Some(uid) => *hi = uid,
                _ => ranges.push((uid, uid)),
            }
        }
        match UidSet::new(ranges) {
            Ok(uids) => params.with_known_uids(uids),
            Err(_) => params,
        }
    }

    /// `SELECT mailbox (QRESYNC (...))` (RFC 7162 §3.2.5).
    pub fn select(&self, mailbox: Mailbox<'static>) -> CommandBody<'static> {
        CommandBody::Select {
            mailbox,
            params: vec![SelectParam::QResync(self.qresync_params())],
        }
    }

    /// `EXAMINE mailbox (QRESYNC (...))`.
    pub fn examine(&self, mailbox: Mailbox<'static>) -> CommandBody<'static> {
        CommandBody::Examine {
            mailbox,
            params: vec![SelectParam::QResync(self.qresync_params())],
        }
    }

    /// True when the UIDVALIDITY changed: the cache was emptied.
    pub fn needs_full_sync(&self) -> bool {
        self.needs_full_sync
    }

    /// How many FETCH data without a UID were seen (and could not be placed).
    pub fn unplaced(&self) -> usize {
        self.unplaced
    }

    /// Applies one response of the resynchronization (or an unsolicited one later).
    pub fn apply(&mut self, response: &Response<'_>) {
        match response {
            Response::Data(d) => self.apply_data(d),
            Response::Status(s) => {
                if let Some(code) = s.code() {
                    self.apply_code(code);
                }
            }
            Response::Continuation(_) => {}
        }
    }

    fn apply_code(&mut self, code: &Code<'_>) {
        match code {
            Code::UidValidity(v) if *v != self.uid_validity => {
                self.uid_validity = *v;
                self.messages.clear();
                self.needs_full_sync = true;
            }
            Code::HighestModSeq(m) => self.code_modseq = Some(*m),
            _ => {}
        }
    }

    fn apply_data(&mut self, data: &Data<'_>) {
        match data {
            Data::Vanished(v) => {
                // Both forms name UIDs; none renumbers anything here (the cache has no
                // sequence numbers).
                self.messages.retain(|uid, _| {
                    !v.uids
                        .ranges()
                        .iter()
                        .any(|&(a, b)| (a.min(b)..=a.max(b)).contains(&uid.get()))
                });
            }
            Data::Fetch(f) => self.apply_fetch(None, &f.attributes),
            // RFC 9586 §3.3: once UIDONLY is enabled, the number is the UID.
            Data::UidFetch(f) => self.apply_fetch(Some(f.uid), &f.attributes),
            _ => {}
        }
    }

    /// Applies the items of FETCH or UIDFETCH data (`uid`: the UID UIDFETCH names).
    fn apply_fetch(&mut self, uid: Option<NonZeroU32>, attributes: &MessageAttributes<'_>) {
        let mut uid = uid;
        let mut flags = None;
        for a in attributes {
            match &*a {
                MessageAttribute::Uid(u) => uid = Some(*u),
                MessageAttribute::Flags(fl) => {
                    flags = Some(
                        fl.iter()
                            .filter(|f| !f.is_recent())
                            .cloned()
                            .map(IntoStatic::into_static)
                            .collect(),
                    )
                }
                MessageAttribute::Modseq(m) => {
                    self.fetch_modseq = self.fetch_modseq.max(Some(*m));
                }
                _ => {}
            }
        }
        match (uid, flags) {
            (Some(uid), Some(flags)) => {
                self.messages.insert(uid, flags);
            }
            (Some(_), None) => {}
            (None, _) => self.unplaced += 1,
        }
    }

    /// A command completed (its tagged response was applied): the cached highest
    /// mod-sequence becomes the `HIGHESTMODSEQ` code seen since the previous completion, else
    /// the highest FETCH `MODSEQ` if higher (RFC 7162 §6).
    pub fn completed(&mut self) {
        let code = self.code_modseq.take();
        let fetch = self.fetch_modseq.take();
        match (code, fetch) {
            (Some(m), _) => self.highest_modseq = m,
            (None, Some(m)) if m > self.highest_modseq => self.highest_modseq = m,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_codec::{Command, EncodeOptions, Tag};

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    fn r(line: &str) -> Response<'static> {
        Response::parse(line.as_bytes()).unwrap().into_static()
    }

    /// RFC 7162 §3.2.5.1's example, from the client's side.
    #[test]
    fn rfc7162_example() {
        let mut cache = MailboxCache::new(nz(67890007), ModSeq::new(90060115194045000).unwrap());
        for uid in (41..=211).chain(214..=541) {
            cache.messages.insert(nz(uid), vec![Flag::Seen]);
        }
        let cmd = Command::new(Tag::new("A03").unwrap(), cache.select(Mailbox::Inbox));
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(
            out,
            b"A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))\r\n"
        );
        for line in [
            "* OK [CLOSED] Previous mailbox closed\r\n",
            "* 100 EXISTS\r\n",
            "* OK [UIDVALIDITY 67890007] UIDVALIDITY\r\n",
            "* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence\r\n",
            "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n",
            "* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n",
            "* 50 FETCH (UID 119 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045308))\r\n",
            "* 51 FETCH (UID 541 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045001))\r\n",
            "A03 OK [READ-WRITE] mailbox selected\r\n",
        ] {
            cache.apply(&r(line));
        }
        cache.completed();
        let uids: Vec<u32> = cache.messages.keys().map(|u| u.get()).collect();
        assert_eq!(uids, [42, 117, 119, 541]);
        assert_eq!(cache.messages[&nz(117)], vec![Flag::Seen, Flag::Answered]);
        assert_eq!(cache.highest_modseq.get(), 90060115205545359);
        assert!(!cache.needs_full_sync());
    }

    #[test]
    fn uidvalidity_change_empties_the_cache() {
        let mut cache = MailboxCache::new(nz(1), ModSeq::new(5).unwrap());
        cache.messages.insert(nz(3), Vec::new());
        cache.apply(&r("* OK [UIDVALIDITY 2] new\r\n"));
        assert!(cache.needs_full_sync() && cache.messages.is_empty());
        assert_eq!(cache.uid_validity, nz(2));
        assert!(cache.qresync_params().known_uids().is_none());
        cache.apply(&r("* 1 FETCH (FLAGS (\\Seen) MODSEQ (9))\r\n"));
        assert_eq!(cache.unplaced(), 1);
        cache.completed();
        assert_eq!(cache.highest_modseq.get(), 9);
    }
}
