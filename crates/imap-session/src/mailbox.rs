//! What a client knows of the selected mailbox (RFC 9051 §6.3.2, §7.3, §7.4; RFC 3501 §6.3.1,
//! §7.3, §7.4), kept up to date from the server's responses so that the client sees the
//! changes other clients make.

use crate::prelude::*;

use ::core::num::NonZeroU32;

use imap_codec::ext::condstore::ModSeq;
use imap_codec::response::{MessageAttribute, MessageAttributeKind, MessageAttributes};
use imap_codec::{Code, Data, Flag, FlagPerm, IntoStatic, UidSet};

/// The client's view of the selected (or being selected) mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailboxView {
    /// `EXISTS` (RFC 9051 §7.4.1), lowered by each `EXPUNGE`.
    pub exists: u32,
    /// `RECENT` (RFC 3501 §7.3.2; gone from IMAP4rev2).
    pub recent: Option<u32>,
    /// `FLAGS` (RFC 9051 §7.3.5): the flags defined in the mailbox.
    pub flags: Vec<Flag<'static>>,
    /// `PERMANENTFLAGS` (RFC 9051 §7.1).
    pub permanent_flags: Option<Vec<FlagPerm<'static>>>,
    /// `UIDVALIDITY` (RFC 9051 §2.3.1.1).
    pub uid_validity: Option<NonZeroU32>,
    /// `UIDNEXT` (RFC 9051 §2.3.1.1).
    pub uid_next: Option<NonZeroU32>,
    /// `UNSEEN` (RFC 3501 §7.1): the first unseen message.
    pub unseen: Option<NonZeroU32>,
    /// `READ-ONLY` (true) / `READ-WRITE` (false) from the tagged OK of SELECT/EXAMINE.
    pub read_only: Option<bool>,
    /// The mailbox's highest mod-sequence as the client knows it (RFC 7162 §3.1.2.1, §6):
    /// set by each `HIGHESTMODSEQ` response code; otherwise raised, when a command completes,
    /// to the highest `MODSEQ` of the FETCH data received since the previous completion.
    /// `None` when unknown or after `NOMODSEQ`.
    pub highest_modseq: Option<ModSeq>,
    /// `NOMODSEQ` (RFC 7162 §3.1.2.2): the mailbox has no persistent mod-sequences.
    pub no_modseq: bool,
    /// The highest FETCH `MODSEQ` since the last command completion (RFC 7162 §6).
    pending_modseq: Option<ModSeq>,
    /// A `HIGHESTMODSEQ` code arrived since the last command completion: it wins over the
    /// FETCH data (RFC 7162 §6: "the client MUST use it even if it has seen higher
    /// mod-sequences").
    modseq_code_seen: bool,
}

/// A change of the view that an application may want to react to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailboxChange {
    /// The number of messages changed.
    Exists(u32),
    /// Message `seq` was expunged: every message above it moved down by one
    /// ([`renumber_after_expunge`]).
    Expunged(NonZeroU32),
    /// The UIDVALIDITY changed while the mailbox was selected: every cached UID is void
    /// (RFC 9051 §2.3.1.1). The view has forgotten its UIDNEXT and mod-sequences; an
    /// application's caches of UIDs must be dropped too (`uidvalidity-change` under the
    /// real-world profile, a protocol error under strict).
    UidValidityChanged {
        /// The value before.
        old: NonZeroU32,
        /// The new value.
        new: NonZeroU32,
    },
    /// Messages were expunged, reported by UID (`VANISHED`, RFC 7162 §3.2.10). Without
    /// `earlier` the count of messages went down by one per UID and the sequence numbers of
    /// the others moved (§3.2.10.2); with it (the answer to a QRESYNC select or a UID FETCH
    /// with VANISHED) they went before this session and nothing is renumbered (§3.2.10.1).
    Vanished {
        /// `(EARLIER)`
        earlier: bool,
        /// The UIDs.
        uids: UidSet,
    },
    /// The highest mod-sequence changed (RFC 7162 §6).
    HighestModSeq(ModSeq),
}

/// How many UIDs a UID set names (`a:b` counts `|b - a| + 1`), saturating.
pub fn uid_count(set: &UidSet) -> u32 {
    set.ranges().iter().fold(0u32, |n, &(a, b)| {
        n.saturating_add(a.abs_diff(b).saturating_add(1))
    })
}

/// The new sequence number of message `seq` after message `expunged` was removed; `None` for
/// the expunged message itself (RFC 9051 §7.4.1: "each message with a sequence number greater
/// than this one is decremented").
pub fn renumber_after_expunge(seq: NonZeroU32, expunged: NonZeroU32) -> Option<NonZeroU32> {
    use ::core::cmp::Ordering;
    match seq.cmp(&expunged) {
        Ordering::Less => Some(seq),
        Ordering::Equal => None,
        Ordering::Greater => NonZeroU32::new(seq.get() - 1),
    }
}

impl MailboxView {
    /// Applies untagged data; returns the change an application may care about.
    pub fn apply_data(&mut self, data: &Data<'_>) -> Option<MailboxChange> {
        match data {
            Data::Exists(n) => {
                self.exists = *n;
                Some(MailboxChange::Exists(*n))
            }
            Data::Recent(n) => {
                self.recent = Some(*n);
                None
            }
            Data::Expunge(seq) => {
                self.exists = self.exists.saturating_sub(1);
                if let Some(r) = &mut self.recent {
                    *r = (*r).min(self.exists);
                }
                Some(MailboxChange::Expunged(*seq))
            }
            Data::Flags(flags) => {
                self.flags = flags.iter().cloned().map(IntoStatic::into_static).collect();
                None
            }
            Data::Vanished(v) => {
                if !v.earlier {
                    // RFC 7162 §3.2.10.2: one message fewer per UID.
                    self.exists = self.exists.saturating_sub(uid_count(&v.uids));
                    if let Some(r) = &mut self.recent {
                        *r = (*r).min(self.exists);
                    }
                }
                Some(MailboxChange::Vanished {
                    earlier: v.earlier,
                    uids: v.uids.clone(),
                })
            }
            Data::Fetch(f) => {
                self.fetched(&f.attributes);
                None
            }
            // RFC 9586 §3.3: FETCH data keyed by UID once UIDONLY is enabled.
            Data::UidFetch(f) => {
                self.fetched(&f.attributes);
                None
            }
            _ => None,
        }
    }

    /// The MODSEQ of FETCH/UIDFETCH data (RFC 7162 §3.1.4.1) counts toward the highest one.
    fn fetched(&mut self, attributes: &MessageAttributes<'_>) {
        if !may_hold_modseq(attributes) {
            return;
        }
        for a in attributes.of_kind(MessageAttributeKind::Modseq) {
            if let MessageAttribute::Modseq(m) = &*a {
                self.pending_modseq = self.pending_modseq.max(Some(*m));
            }
        }
    }

    /// A command completed (its tagged response arrived, after its code was applied): the
    /// highest mod-sequence is raised to the highest FETCH `MODSEQ` seen since the previous
    /// completion, unless a `HIGHESTMODSEQ` code came meanwhile (RFC 7162 §6).
    pub fn command_completed(&mut self) -> Option<MailboxChange> {
        let pending = self.pending_modseq.take();
        let code_seen = ::core::mem::replace(&mut self.modseq_code_seen, false);
        match pending {
            Some(m) if !code_seen && !self.no_modseq && Some(m) > self.highest_modseq => {
                self.highest_modseq = Some(m);
                Some(MailboxChange::HighestModSeq(m))
            }
            _ => None,
        }
    }

    /// Applies a response code of an untagged or tagged status response.
    pub fn apply_code(&mut self, code: &Code<'_>) -> Option<MailboxChange> {
        match code {
            Code::PermanentFlags(f) => {
                self.permanent_flags =
                    Some(f.iter().cloned().map(IntoStatic::into_static).collect());
            }
            Code::UidValidity(new) => {
                let old = self.uid_validity.replace(*new);
                if let Some(old) = old
                    && old != *new
                {
                    // Every UID and mod-sequence known was of the old UIDVALIDITY (RFC 9051
                    // §2.3.1.1, RFC 7162 §3.1.2.1): the view forgets them.
                    self.uid_next = None;
                    self.highest_modseq = None;
                    self.pending_modseq = None;
                    self.modseq_code_seen = false;
                    return Some(MailboxChange::UidValidityChanged { old, new: *new });
                }
            }
            Code::UidNext(n) => self.uid_next = Some(*n),
            Code::Unseen(n) => self.unseen = Some(*n),
            Code::ReadOnly => self.read_only = Some(true),
            Code::ReadWrite => self.read_only = Some(false),
            Code::HighestModSeq(m) => {
                self.modseq_code_seen = true;
                self.no_modseq = false;
                if self.highest_modseq.replace(*m) != Some(*m) {
                    return Some(MailboxChange::HighestModSeq(*m));
                }
            }
            Code::NoModSeq => {
                self.no_modseq = true;
                self.highest_modseq = None;
            }
            _ => {}
        }
        None
    }
}

/// False only when `attributes` cannot hold a `MODSEQ` item: a wire form whose octets nowhere
/// spell `MODSEQ` (item names are case-insensitive, RFC 9051 §4). Looking for the name is much
/// cheaper than [`MessageAttributes::of_kind`], which checks every item of a wire form again
/// (an ENVELOPE, a BODYSTRUCTURE tree) on its way; most FETCH data hold no MODSEQ.
fn may_hold_modseq(attributes: &MessageAttributes<'_>) -> bool {
    let Some(wire) = attributes.wire() else {
        return true;
    };
    memchr::memchr2_iter(b'M', b'm', wire).any(|at| {
        wire.get(at..at + 6)
            .is_some_and(|name| name.eq_ignore_ascii_case(b"MODSEQ"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn expunge_renumbers() {
        // RFC 9051 §7.4.1: expunging 3, 3, 3 of 11 removes messages 3, 4 and 5.
        assert_eq!(renumber_after_expunge(nz(2), nz(3)), Some(nz(2)));
        assert_eq!(renumber_after_expunge(nz(3), nz(3)), None);
        assert_eq!(renumber_after_expunge(nz(9), nz(3)), Some(nz(8)));
        let mut v = MailboxView {
            exists: 11,
            ..MailboxView::default()
        };
        for _ in 0..3 {
            v.apply_data(&Data::Expunge(nz(3)));
        }
        assert_eq!(v.exists, 8);
    }

    fn modseq(n: u64) -> ModSeq {
        ModSeq::new(n).unwrap()
    }

    fn fetch(line: &str) -> Data<'static> {
        match imap_codec::Response::parse(line.as_bytes()).unwrap() {
            imap_codec::Response::Data(d) => d.into_static(),
            other => panic!("{other:?}"),
        }
    }

    /// RFC 7162 §6's example: the HIGHESTMODSEQ code wins over higher FETCH MODSEQs; without
    /// a code the highest FETCH MODSEQ since the last completion is taken.
    #[test]
    fn highest_modseq_follows_rfc7162_section6() {
        let mut v = MailboxView::default();
        v.apply_code(&Code::HighestModSeq(modseq(96)));
        v.command_completed();
        assert_eq!(v.highest_modseq, Some(modseq(96)));
        // A150
        v.apply_data(&fetch("* 1 FETCH (UID 6 MODSEQ (103))\r\n"));
        v.apply_data(&fetch("* 2 FETCH (UID 7 MODSEQ (101))\r\n"));
        v.apply_code(&Code::HighestModSeq(modseq(99)));
        assert_eq!(v.command_completed(), None);
        assert_eq!(v.highest_modseq, Some(modseq(99)));
        // A151: the tagged OK carries the code.
        v.apply_data(&fetch("* 3 FETCH (UID 8 MODSEQ (104))\r\n"));
        v.apply_code(&Code::HighestModSeq(modseq(99)));
        v.command_completed();
        assert_eq!(v.highest_modseq, Some(modseq(99)));
        // A152: no code; the FETCH MODSEQ is taken.
        v.apply_data(&fetch("* 3 FETCH (UID 8 MODSEQ (105))\r\n"));
        assert_eq!(
            v.command_completed(),
            Some(MailboxChange::HighestModSeq(modseq(105)))
        );
        // Lower values never lower it.
        v.apply_data(&fetch("* 3 FETCH (MODSEQ (50))\r\n"));
        assert_eq!(v.command_completed(), None);
        assert_eq!(v.highest_modseq, Some(modseq(105)));
        v.apply_code(&Code::NoModSeq);
        assert!(v.no_modseq && v.highest_modseq.is_none());
    }

    /// The look for the name never misses a MODSEQ item (any case, any place), and the
    /// highest FETCH MODSEQ is taken from them as from the full walk.
    #[test]
    fn modseq_name_prefilter_misses_no_item() {
        for (items, held) in [
            ("UID 6 MODSEQ (103)", Some(103)),
            ("modseq (104) UID 6", Some(104)),
            ("FLAGS (\\Seen) mOdSeQ (105)", Some(105)),
            ("UID 6 FLAGS (\\Seen)", None),
            (
                "UID 6 ENVELOPE (\"MODSEQ (9)\" NIL NIL NIL NIL NIL NIL NIL NIL NIL)",
                None,
            ),
            ("BODY[] {10}\r\nMODSEQ (7) UID 6", None),
            ("UID 6 RFC822.SIZE 12", None),
            // Several MODSEQ items (not sent by any server seen, but not forbidden): the
            // highest counts, and a later "modseq" inside a literal is not one.
            ("MODSEQ (7) UID 6 MODSEQ (9) MODSEQ (8)", Some(9)),
            ("MODSEQ (9) BODY[] {6}\r\nmodseq", Some(9)),
        ] {
            let data = fetch(&format!("* 1 FETCH ({items})\r\n"));
            let Data::Fetch(f) = &data else {
                panic!("{items}")
            };
            let walked = f.attributes.find(MessageAttributeKind::Modseq).is_some();
            assert_eq!(walked, held.is_some(), "{items}");
            assert!(may_hold_modseq(&f.attributes) || !walked, "{items}");
            let mut v = MailboxView::default();
            v.apply_data(&data);
            assert_eq!(v.pending_modseq, held.map(modseq), "{items}");
        }
    }

    #[test]
    fn vanished_counts_down_unless_earlier() {
        let mut v = MailboxView {
            exists: 20,
            ..MailboxView::default()
        };
        let change = v.apply_data(&fetch("* VANISHED 405,407,410:412\r\n"));
        assert_eq!(v.exists, 15);
        assert!(matches!(
            change,
            Some(MailboxChange::Vanished { earlier: false, .. })
        ));
        v.apply_data(&fetch("* VANISHED (EARLIER) 1:100\r\n"));
        assert_eq!(v.exists, 15);
        assert_eq!(uid_count(&UidSet::parse_str("5:2,7").unwrap()), 5);
        assert_eq!(
            uid_count(&UidSet::parse_str("1:4294967295,1").unwrap()),
            u32::MAX
        );
    }

    #[test]
    fn uidvalidity_change_is_reported() {
        let mut v = MailboxView::default();
        assert_eq!(v.apply_code(&Code::UidValidity(nz(5))), None);
        assert_eq!(v.apply_code(&Code::UidValidity(nz(5))), None);
        v.apply_code(&Code::UidNext(nz(40)));
        assert_eq!(v.uid_next, Some(nz(40)));
        assert_eq!(
            v.apply_code(&Code::UidValidity(nz(6))),
            Some(MailboxChange::UidValidityChanged {
                old: nz(5),
                new: nz(6)
            })
        );
        assert_eq!(v.uid_next, None);
    }
}
