//! What a client knows of the selected mailbox (RFC 9051 §6.3.2, §7.3, §7.4; RFC 3501 §6.3.1,
//! §7.3, §7.4), kept up to date from the server's responses so that the client sees the
//! changes other clients make.

use std::num::NonZeroU32;

use imap_codec::{Code, Data, Flag, FlagPerm, IntoStatic};

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
    /// (RFC 9051 §2.3.1.1).
    UidValidityChanged {
        /// The value before.
        old: NonZeroU32,
        /// The new value.
        new: NonZeroU32,
    },
}

/// The new sequence number of message `seq` after message `expunged` was removed; `None` for
/// the expunged message itself (RFC 9051 §7.4.1: "each message with a sequence number greater
/// than this one is decremented").
pub fn renumber_after_expunge(seq: NonZeroU32, expunged: NonZeroU32) -> Option<NonZeroU32> {
    use std::cmp::Ordering;
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
                    return Some(MailboxChange::UidValidityChanged { old, new: *new });
                }
            }
            Code::UidNext(n) => self.uid_next = Some(*n),
            Code::Unseen(n) => self.unseen = Some(*n),
            Code::ReadOnly => self.read_only = Some(true),
            Code::ReadWrite => self.read_only = Some(false),
            _ => {}
        }
        None
    }
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

    #[test]
    fn uidvalidity_change_is_reported() {
        let mut v = MailboxView::default();
        assert_eq!(v.apply_code(&Code::UidValidity(nz(5))), None);
        assert_eq!(v.apply_code(&Code::UidValidity(nz(5))), None);
        assert_eq!(
            v.apply_code(&Code::UidValidity(nz(6))),
            Some(MailboxChange::UidValidityChanged {
                old: nz(5),
                new: nz(6)
            })
        );
    }
}
