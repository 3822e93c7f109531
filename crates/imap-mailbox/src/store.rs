//! An in-memory mailbox store for servers: mailboxes with UIDVALIDITY / UIDNEXT
//! (RFC 9051 §2.3.1.1), messages with UID, flags and internal date, APPEND, STORE, COPY /
//! MOVE with COPYUID data (RFC 4315 §3, RFC 6851), EXPUNGE with sequence renumbering
//! (RFC 9051 §7.5.1) and per-session views that poll for changes made by other sessions
//! (EXISTS, EXPUNGE, FETCH FLAGS for NOOP and IDLE).
//!
//! Deterministic: no clock (internal dates come from the caller), UIDVALIDITY values are
//! handed out from a counter, and every collection is bounded by [`Limits`].
//!
//! Sessions see the mailbox through a [`View`]: its own sequence-number → UID map, which
//! changes only when the session is told (its own EXPUNGE, or [`Store::poll`]), as RFC 9051
//! §7.4.1 / §7.5.1 require. Flag changes are tracked by a per-mailbox modification counter
//! (like CONDSTORE's MODSEQ, RFC 7162) instead of an unbounded log; expunges are found by
//! comparing the view's UIDs with the mailbox's.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::sync::Arc;

use imap_codec::command::{FetchAtt, StoreAction};
use imap_codec::core::IntoStatic;
use imap_codec::ext::condstore::ModSeq;
use imap_codec::response::MessageAttribute;
use imap_codec::{DateTime, SequenceSet, UidSet};

use crate::fetch::{FetchError, MessageMeta, fetch};
use crate::flags::{Flags, SystemFlag};
use crate::message::{Message, ParseLimits};
use crate::search::{Criterion, SearchContext, SearchResult};

/// Bounds of a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest message APPEND accepts, in octets (RFC 7889 APPENDLIMIT).
    pub max_message_size: usize,
    /// Messages per mailbox.
    pub max_messages: usize,
    /// Mailboxes per store.
    pub max_mailboxes: usize,
    /// MIME parsing bounds.
    pub parse: ParseLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 64 << 20,
            max_messages: 1_000_000,
            max_mailboxes: 10_000,
            parse: ParseLimits::default(),
        }
    }
}

/// Why a store operation failed; each suggests the tagged response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// No mailbox by that name: `NO [NONEXISTENT]` (or `[TRYCREATE]` for APPEND / COPY).
    NoSuchMailbox,
    /// CREATE of an existing name: `NO [ALREADYEXISTS]`.
    AlreadyExists,
    /// A message larger than [`Limits::max_message_size`]: `NO [TOOBIG]`.
    TooBig,
    /// A limit on messages or mailboxes is reached: `NO [LIMIT]`.
    Limit,
    /// The mailbox has used every UID: it must be recreated with a new UIDVALIDITY.
    UidsExhausted,
    /// The view's mailbox was deleted or recreated (UIDVALIDITY changed).
    ViewStale,
    /// STORE, EXPUNGE or MOVE in a read-only view (EXAMINE): answer `NO`.
    ReadOnly,
    /// A FETCH item failed.
    Fetch(FetchError),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for StoreError {}

/// A message in a mailbox.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// The UID.
    pub uid: NonZeroU32,
    /// The flags.
    pub flags: Flags,
    /// The internal date.
    pub internal_date: DateTime,
    /// The parsed message (shared between mailboxes by COPY).
    pub message: Arc<Message>,
    modseq: u64,
    changed_by: u64,
}

impl StoredMessage {
    /// The message's mod-sequence (RFC 7162 §3.1.1): raised to the mailbox's next value
    /// whenever the message is added or its flags change.
    pub fn modseq(&self) -> u64 {
        self.modseq
    }
}

/// One mailbox.
#[derive(Debug, Clone)]
pub struct Mailbox {
    uid_validity: NonZeroU32,
    uid_next: u32,
    messages: Vec<StoredMessage>,
    modseq: u64,
    recent_from: u32,
}

impl Mailbox {
    /// UIDVALIDITY.
    pub fn uid_validity(&self) -> NonZeroU32 {
        self.uid_validity
    }

    /// UIDNEXT.
    pub fn uid_next(&self) -> u32 {
        self.uid_next
    }

    /// The messages, by ascending UID.
    pub fn messages(&self) -> &[StoredMessage] {
        &self.messages
    }

    /// How many messages no session has seen yet: those that the next read-write SELECT
    /// will report `\Recent` (RFC 3501 §2.3.2), the `RECENT` of STATUS (RFC 3501 §6.3.10).
    pub fn recent_count(&self) -> u32 {
        self.messages
            .iter()
            .filter(|m| m.uid.get() >= self.recent_from)
            .count() as u32
    }

    /// HIGHESTMODSEQ (RFC 7162 §3.1.2.1): the highest mod-sequence given to any change in
    /// the mailbox (additions, flag changes, expunges); 1 while it never changed.
    pub fn highest_modseq(&self) -> u64 {
        self.modseq
    }

    /// The message with UID `uid`.
    pub fn by_uid(&self, uid: u32) -> Option<&StoredMessage> {
        self.index(uid).map(|i| &self.messages[i])
    }

    fn index(&self, uid: u32) -> Option<usize> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid.get())
            .ok()
    }
}

/// A session's view of a selected mailbox: its sequence numbers, its `\Recent` messages
/// and how far it has seen changes.
#[derive(Debug, Clone)]
pub struct View {
    id: u64,
    mailbox: String,
    uid_validity: NonZeroU32,
    uids: Vec<u32>,
    recent: BTreeSet<u32>,
    modseq: u64,
    read_only: bool,
}

impl View {
    /// The mailbox name.
    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    /// The number of messages this session knows of (EXISTS).
    pub fn exists(&self) -> u32 {
        self.uids.len() as u32
    }

    /// The UID of sequence number `seq`.
    pub fn uid(&self, seq: u32) -> Option<u32> {
        self.uids
            .get(usize::try_from(seq).ok()?.checked_sub(1)?)
            .copied()
    }

    /// The sequence number of `uid`.
    pub fn seq(&self, uid: u32) -> Option<u32> {
        self.uids.binary_search(&uid).ok().map(|i| i as u32 + 1)
    }

    /// Whether message `uid` is `\Recent` in this session (RFC 3501 §2.3.2).
    pub fn is_recent(&self, uid: u32) -> bool {
        self.recent.contains(&uid)
    }

    /// The number of `\Recent` messages (RECENT, RFC 3501 §7.3.2).
    pub fn recent_count(&self) -> u32 {
        self.recent.len() as u32
    }

    /// `(seq, uid)` of the messages a FETCH / STORE / COPY set names: sequence numbers
    /// (`uid == false`) or UIDs, with `*` the last message / largest UID (RFC 9051 §4.1.1)
    /// and `$` the saved result `saved` (sorted UIDs).
    pub fn resolve(&self, set: &SequenceSet, uid: bool, saved: &[u32]) -> Vec<(u32, u32)> {
        let largest_seq = self.exists();
        let largest_uid = self.uids.last().copied().unwrap_or(0);
        self.uids
            .iter()
            .enumerate()
            .map(|(i, &u)| (i as u32 + 1, u))
            .filter(|&(s, u)| match set {
                SequenceSet::SearchResult => saved.binary_search(&u).is_ok(),
                _ if uid => set.contains(u, largest_uid),
                _ => set.contains(s, largest_seq),
            })
            .collect()
    }
}

/// A change another session made, as an untagged response to send (RFC 9051 §7.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// `* n EXPUNGE`, already renumbered for the responses before it.
    Expunge(u32),
    /// `* n EXISTS`
    Exists(u32),
    /// `* n FETCH (FLAGS (...) UID u)`
    Flags {
        /// Sequence number.
        seq: u32,
        /// UID.
        uid: u32,
        /// The new flags.
        flags: Flags,
        /// `\Recent` in this session.
        recent: bool,
    },
}

/// COPYUID data (RFC 4315 §3): the destination's UIDVALIDITY and the source and
/// destination UIDs, pairwise in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyUid {
    /// The destination's UIDVALIDITY.
    pub uid_validity: NonZeroU32,
    /// The source UIDs, ascending.
    pub source: Vec<u32>,
    /// The new UIDs, in the same order.
    pub destination: Vec<u32>,
}

impl CopyUid {
    /// The `COPYUID` response code's two `uid-set`s (RFC 4315 §3), runs of consecutive
    /// UIDs written as ranges; `None` when nothing was copied (then no COPYUID is sent).
    /// Both lists are ascending, so the sets still pair up in order.
    pub fn uid_sets(&self) -> Option<(UidSet, UidSet)> {
        Some((compress(&self.source)?, compress(&self.destination)?))
    }
}

/// Ascending UIDs as a `uid-set` of ranges.
fn compress(uids: &[u32]) -> Option<UidSet> {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for &u in uids {
        match ranges.last_mut() {
            Some((_, b)) if b.checked_add(1) == Some(u) => *b = u,
            _ => ranges.push((u, u)),
        }
    }
    UidSet::new(ranges).ok()
}

/// The in-memory store.
#[derive(Debug, Clone)]
pub struct Store {
    mailboxes: BTreeMap<String, Mailbox>,
    limits: Limits,
    next_uid_validity: u32,
    next_view: u64,
}

impl Default for Store {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl Store {
    /// An empty store.
    pub fn new(limits: Limits) -> Self {
        Store {
            mailboxes: BTreeMap::new(),
            limits,
            next_uid_validity: 1,
            next_view: 1,
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The mailbox names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.mailboxes.keys().map(String::as_str)
    }

    /// A mailbox.
    pub fn mailbox(&self, name: &str) -> Option<&Mailbox> {
        self.mailboxes.get(name)
    }

    /// CREATE: a new empty mailbox with a fresh UIDVALIDITY.
    pub fn create(&mut self, name: &str) -> Result<NonZeroU32, StoreError> {
        if self.mailboxes.contains_key(name) {
            return Err(StoreError::AlreadyExists);
        }
        if self.mailboxes.len() >= self.limits.max_mailboxes {
            return Err(StoreError::Limit);
        }
        let uid_validity = NonZeroU32::new(self.next_uid_validity).ok_or(StoreError::Limit)?;
        self.next_uid_validity = self.next_uid_validity.checked_add(1).unwrap_or(0);
        self.mailboxes.insert(
            name.to_string(),
            Mailbox {
                uid_validity,
                uid_next: 1,
                messages: Vec::new(),
                // HIGHESTMODSEQ is a positive number even before any change (RFC 7162 §7
                // `mod-sequence-value`), and every change must raise it.
                modseq: 1,
                recent_from: 1,
            },
        );
        Ok(uid_validity)
    }

    /// DELETE.
    pub fn delete(&mut self, name: &str) -> Result<(), StoreError> {
        self.mailboxes
            .remove(name)
            .map(|_| ())
            .ok_or(StoreError::NoSuchMailbox)
    }

    /// RENAME (RFC 9051 §6.3.6): `from` and every mailbox below it in the hierarchy
    /// (`delimiter`) take the new name, keeping their messages, UIDs and UIDVALIDITY (each
    /// value stays unique in the store). Renaming INBOX moves its messages into a new mailbox
    /// `to` (with a fresh UIDVALIDITY) and leaves INBOX empty; its children are not moved.
    pub fn rename(&mut self, from: &str, to: &str, delimiter: char) -> Result<(), StoreError> {
        if !self.mailboxes.contains_key(from) {
            return Err(StoreError::NoSuchMailbox);
        }
        if self.mailboxes.contains_key(to) {
            return Err(StoreError::AlreadyExists);
        }
        if from.eq_ignore_ascii_case("INBOX") {
            self.create(to)?;
            let inbox = self.mbox(from)?;
            let (messages, uid_next, modseq) = (
                std::mem::take(&mut inbox.messages),
                inbox.uid_next,
                inbox.modseq,
            );
            // INBOX's next change must be seen by its views: its messages went away.
            inbox.modseq += 1;
            let new = self.mbox(to)?;
            new.messages = messages;
            new.uid_next = uid_next;
            new.modseq = modseq;
            return Ok(());
        }
        let prefix = format!("{from}{delimiter}");
        let moving: Vec<String> = self
            .mailboxes
            .keys()
            .filter(|k| *k == from || k.starts_with(&prefix))
            .cloned()
            .collect();
        let renamed: Vec<(String, String)> = moving
            .into_iter()
            .map(|old| {
                let new = format!("{to}{}", &old[from.len()..]);
                (old, new)
            })
            .collect();
        if renamed
            .iter()
            .any(|(_, new)| new != to && self.mailboxes.contains_key(new))
        {
            return Err(StoreError::AlreadyExists);
        }
        for (old, new) in renamed {
            if let Some(m) = self.mailboxes.remove(&old) {
                self.mailboxes.insert(new, m);
            }
        }
        Ok(())
    }

    fn mbox(&mut self, name: &str) -> Result<&mut Mailbox, StoreError> {
        self.mailboxes
            .get_mut(name)
            .ok_or(StoreError::NoSuchMailbox)
    }

    fn mbox_for(&mut self, view: &View) -> Result<&mut Mailbox, StoreError> {
        let m = self
            .mbox(&view.mailbox)
            .map_err(|_| StoreError::ViewStale)?;
        if m.uid_validity != view.uid_validity {
            return Err(StoreError::ViewStale);
        }
        Ok(m)
    }

    /// APPEND (RFC 9051 §6.3.12): returns the APPENDUID data (RFC 4315 §3). Bare LF line
    /// ends are stored as CRLF ([`normalize_line_endings`]), so that sizes, BODY[] and
    /// BINARY[] agree with what is sent (RFC 5322 §2.1, RFC 9051 §7.5.2).
    pub fn append(
        &mut self,
        name: &str,
        raw: Vec<u8>,
        flags: Flags,
        internal_date: DateTime,
    ) -> Result<(NonZeroU32, NonZeroU32), StoreError> {
        if raw.len() > self.limits.max_message_size {
            return Err(StoreError::TooBig);
        }
        let limits = self.limits;
        let m = self.mbox(name)?;
        let raw = normalize_line_endings(raw);
        let message = Arc::new(Message::parse_with(raw, limits.parse));
        insert(m, &limits, message, flags, internal_date).map(|uid| (m.uid_validity, uid))
    }

    /// SELECT (`read_only == false`) or EXAMINE: a view of every message; messages not yet
    /// seen by any session become `\Recent` in this one (RFC 3501 §2.3.2; EXAMINE does not
    /// claim them).
    pub fn select(&mut self, name: &str, read_only: bool) -> Result<View, StoreError> {
        let id = self.next_view;
        self.next_view += 1;
        let m = self.mbox(name)?;
        let uids: Vec<u32> = m.messages.iter().map(|x| x.uid.get()).collect();
        let mut recent = BTreeSet::new();
        if !read_only {
            recent.extend(uids.iter().copied().filter(|&u| u >= m.recent_from));
            m.recent_from = m.uid_next;
        }
        Ok(View {
            id,
            mailbox: name.to_string(),
            uid_validity: m.uid_validity,
            uids,
            recent,
            modseq: m.modseq,
            read_only,
        })
    }

    /// FETCH / UID FETCH for `items` on the messages of `targets` (from
    /// [`View::resolve`]). Non-PEEK body items set `\Seen` (not in a read-only view), and
    /// FLAGS is then appended to that message's items if it was not asked for (RFC 9051
    /// §6.4.5). Messages expunged by another session since the view last polled are
    /// skipped.
    #[allow(clippy::type_complexity)]
    pub fn fetch(
        &mut self,
        view: &View,
        targets: &[(u32, u32)],
        items: &[FetchAtt<'_>],
    ) -> Result<Vec<(u32, Vec<MessageAttribute<'static>>)>, StoreError> {
        let m = self.mbox_for(view)?;
        let mut out = Vec::with_capacity(targets.len());
        for &(seq, uid) in targets {
            let Some(i) = m.index(uid) else { continue };
            let sm = &m.messages[i];
            let recent = view.recent.contains(&uid);
            let meta = MessageMeta {
                uid: sm.uid,
                flags: &sm.flags,
                internal_date: sm.internal_date,
                recent,
            };
            // MODSEQ (RFC 7162 §3.1.4) is the store's, not the message's: answered here.
            let with_modseq = items.iter().any(|a| matches!(a, FetchAtt::Modseq));
            let fetched = if with_modseq {
                let rest: Vec<FetchAtt<'_>> = items
                    .iter()
                    .filter(|a| !matches!(a, FetchAtt::Modseq))
                    .cloned()
                    .collect();
                fetch(&sm.message, &meta, &rest)
            } else {
                fetch(&sm.message, &meta, items)
            }
            .map_err(StoreError::Fetch)?;
            let mut attrs: Vec<MessageAttribute<'static>> = fetched
                .attributes
                .into_iter()
                .map(IntoStatic::into_static)
                .collect();
            if fetched.sets_seen && !view.read_only && !sm.flags.has(SystemFlag::Seen) {
                m.modseq += 1;
                let sm = &mut m.messages[i];
                sm.flags.set(SystemFlag::Seen, true);
                sm.modseq = m.modseq;
                sm.changed_by = view.id;
                let flags = sm.flags.to_codec(recent);
                match attrs
                    .iter_mut()
                    .find(|a| matches!(a, MessageAttribute::Flags(_)))
                {
                    Some(a) => *a = MessageAttribute::Flags(flags),
                    None => attrs.push(MessageAttribute::Flags(flags)),
                }
            }
            if with_modseq && let Ok(m) = ModSeq::new(m.messages[i].modseq) {
                attrs.push(MessageAttribute::Modseq(m));
            }
            out.push((seq, attrs));
        }
        Ok(out)
    }

    /// STORE / UID STORE (RFC 9051 §6.4.6): applies `action` with `flags` and returns the
    /// new flags of each changed-or-named message as `(seq, uid, flags)` (send them as
    /// FETCH responses unless `.SILENT`).
    pub fn store(
        &mut self,
        view: &View,
        targets: &[(u32, u32)],
        action: StoreAction,
        flags: &Flags,
    ) -> Result<Vec<(u32, u32, Flags)>, StoreError> {
        self.store_unchanged_since(view, targets, action, flags, None)
            .map(|(list, _)| list)
    }

    /// STORE with the `UNCHANGEDSINCE` modifier (RFC 7162 §3.1.3): messages whose
    /// mod-sequence is above `unchanged_since` are left alone and returned second as
    /// `(seq, uid)` (the `MODIFIED` response code's set); the others are stored as
    /// [`Store::store`] does. `None` is a plain STORE.
    #[allow(clippy::type_complexity)]
    pub fn store_unchanged_since(
        &mut self,
        view: &View,
        targets: &[(u32, u32)],
        action: StoreAction,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<(Vec<(u32, u32, Flags)>, Vec<(u32, u32)>), StoreError> {
        if view.read_only {
            return Err(StoreError::ReadOnly);
        }
        let m = self.mbox_for(view)?;
        let mut out = Vec::with_capacity(targets.len());
        let mut modified = Vec::new();
        for &(seq, uid) in targets {
            let Some(i) = m.index(uid) else { continue };
            if unchanged_since.is_some_and(|u| m.messages[i].modseq > u) {
                modified.push((seq, uid));
                continue;
            }
            let mut new = m.messages[i].flags.clone();
            #[allow(unreachable_patterns)]
            match action {
                StoreAction::Replace => new = flags.clone(),
                StoreAction::Add => new.add_all(flags),
                StoreAction::Remove => new.remove_all(flags),
                _ => {}
            }
            if new != m.messages[i].flags {
                m.modseq += 1;
                let sm = &mut m.messages[i];
                sm.flags = new.clone();
                sm.modseq = m.modseq;
                sm.changed_by = view.id;
            }
            out.push((seq, uid, new));
        }
        Ok((out, modified))
    }

    /// The targets whose mod-sequence is above `modseq`: FETCH's `CHANGEDSINCE` modifier
    /// (RFC 7162 §3.1.4.1).
    pub fn changed_since(
        &self,
        view: &View,
        targets: &[(u32, u32)],
        modseq: u64,
    ) -> Vec<(u32, u32)> {
        let Some(m) = self
            .mailboxes
            .get(&view.mailbox)
            .filter(|m| m.uid_validity == view.uid_validity)
        else {
            return Vec::new();
        };
        targets
            .iter()
            .copied()
            .filter(|&(_, uid)| m.by_uid(uid).is_some_and(|x| x.modseq > modseq))
            .collect()
    }

    /// EXPUNGE (or UID EXPUNGE with `only`, sorted UIDs, RFC 4315 §2.1): removes the `\Deleted`
    /// messages and returns the sequence numbers to report, in the order RFC 9051 §7.5.1
    /// describes: ascending, each already decremented for the EXPUNGEs sent before it (so
    /// deleting messages 3, 4, 7 and 11 yields 3, 3, 5, 8).
    pub fn expunge(
        &mut self,
        view: &mut View,
        only: Option<&[u32]>,
    ) -> Result<Vec<u32>, StoreError> {
        if view.read_only {
            return Err(StoreError::ReadOnly);
        }
        let m = self.mbox_for(view)?;
        let gone: BTreeSet<u32> = m
            .messages
            .iter()
            .filter(|x| x.flags.has(SystemFlag::Deleted))
            .map(|x| x.uid.get())
            .filter(|u| only.is_none_or(|o| o.binary_search(u).is_ok()))
            .collect();
        m.messages.retain(|x| !gone.contains(&x.uid.get()));
        if !gone.is_empty() {
            // An expunge is a change of the mailbox (RFC 7162 §3.1.2.1, §3.2.10).
            m.modseq += 1;
        }
        Ok(remove_from_view(view, &gone))
    }

    /// COPY / UID COPY (RFC 9051 §6.4.7): copies `targets` to `dest`, keeping flags and
    /// internal dates; returns the COPYUID data.
    pub fn copy(
        &mut self,
        view: &View,
        targets: &[(u32, u32)],
        dest: &str,
    ) -> Result<CopyUid, StoreError> {
        let limits = self.limits;
        let src = self.mbox_for(view)?;
        let copies: Vec<(u32, Arc<Message>, Flags, DateTime)> = targets
            .iter()
            .filter_map(|&(_, uid)| src.by_uid(uid))
            .map(|x| {
                (
                    x.uid.get(),
                    Arc::clone(&x.message),
                    x.flags.clone(),
                    x.internal_date,
                )
            })
            .collect();
        let d = self.mbox(dest)?;
        if d.messages.len() + copies.len() > limits.max_messages {
            return Err(StoreError::Limit);
        }
        let mut source = Vec::with_capacity(copies.len());
        let mut destination = Vec::with_capacity(copies.len());
        for (uid, msg, flags, date) in copies {
            let new = insert(d, &limits, msg, flags, date)?;
            source.push(uid);
            destination.push(new.get());
        }
        Ok(CopyUid {
            uid_validity: d.uid_validity,
            source,
            destination,
        })
    }

    /// MOVE / UID MOVE (RFC 6851 §3): COPY, then expunge the originals; returns the COPYUID
    /// data and the EXPUNGE sequence numbers (ordered as in [`Store::expunge`]).
    pub fn move_messages(
        &mut self,
        view: &mut View,
        targets: &[(u32, u32)],
        dest: &str,
    ) -> Result<(CopyUid, Vec<u32>), StoreError> {
        if view.read_only {
            return Err(StoreError::ReadOnly);
        }
        let copied = self.copy(view, targets, dest)?;
        let gone: BTreeSet<u32> = copied.source.iter().copied().collect();
        let m = self.mbox_for(view)?;
        m.messages.retain(|x| !gone.contains(&x.uid.get()));
        if !gone.is_empty() {
            m.modseq += 1;
        }
        Ok((copied, remove_from_view(view, &gone)))
    }

    /// SEARCH / UID SEARCH: the sequence numbers (or UIDs when `uid`) of the messages in
    /// the view that match. `saved` is the `$` result (sorted UIDs).
    pub fn search(
        &self,
        view: &View,
        criterion: &Criterion,
        uid: bool,
        saved: Option<&[u32]>,
    ) -> Result<SearchResult, StoreError> {
        let m = self
            .mailboxes
            .get(&view.mailbox)
            .filter(|m| m.uid_validity == view.uid_validity)
            .ok_or(StoreError::ViewStale)?;
        let largest_uid = view.uids.last().copied().unwrap_or(0);
        let mut hits = Vec::new();
        let mut highest = 0;
        for (i, &u) in view.uids.iter().enumerate() {
            let Some(sm) = m.by_uid(u) else { continue };
            let meta = MessageMeta {
                uid: sm.uid,
                flags: &sm.flags,
                internal_date: sm.internal_date,
                recent: view.recent.contains(&u),
            };
            let ctx = SearchContext {
                seq: i as u32 + 1,
                largest_seq: view.exists(),
                largest_uid,
                saved,
                modseq: sm.modseq,
            };
            if criterion.matches(&sm.message, &meta, &ctx) {
                hits.push(if uid { u } else { i as u32 + 1 });
                highest = highest.max(sm.modseq);
            }
        }
        let modseq = criterion.uses_modseq().then_some(highest);
        Ok(SearchResult::new(hits).with_modseq(modseq))
    }

    /// The changes other sessions made since the view last polled, for NOOP, IDLE or the
    /// end of any command (RFC 9051 §7.4.1): EXPUNGEs first (only when `allow_expunge`:
    /// RFC 9051 §7.5.1 forbids them during FETCH, STORE and SEARCH), then EXISTS for new
    /// messages (which become `\Recent` here if no session saw them), then FETCH FLAGS for
    /// messages whose flags another session changed. The view is updated to match.
    pub fn poll(
        &mut self,
        view: &mut View,
        allow_expunge: bool,
    ) -> Result<Vec<Update>, StoreError> {
        let m = self.mbox_for(view)?;
        let mut out = Vec::new();
        if allow_expunge {
            let gone: BTreeSet<u32> = view
                .uids
                .iter()
                .copied()
                .filter(|&u| m.index(u).is_none())
                .collect();
            out.extend(
                remove_from_view(view, &gone)
                    .into_iter()
                    .map(Update::Expunge),
            );
        }
        let known = view.uids.last().copied().unwrap_or(0);
        let new: Vec<u32> = m
            .messages
            .iter()
            .map(|x| x.uid.get())
            .filter(|&u| u > known)
            .collect();
        if !new.is_empty() {
            if !view.read_only {
                view.recent
                    .extend(new.iter().copied().filter(|&u| u >= m.recent_from));
                m.recent_from = m.uid_next;
            }
            view.uids.extend(new.iter().copied());
            out.push(Update::Exists(view.exists()));
        }
        for (i, &u) in view.uids.iter().enumerate() {
            let Some(sm) = m.by_uid(u) else { continue };
            if sm.modseq > view.modseq && sm.changed_by != view.id && u <= known {
                out.push(Update::Flags {
                    seq: i as u32 + 1,
                    uid: u,
                    flags: sm.flags.clone(),
                    recent: view.recent.contains(&u),
                });
            }
        }
        view.modseq = m.modseq;
        Ok(out)
    }
}

/// Turns every bare LF (and bare CR) into CRLF (RFC 5322 §2.1: lines end with CRLF);
/// input that already uses CRLF is returned unchanged without copying.
pub fn normalize_line_endings(raw: Vec<u8>) -> Vec<u8> {
    let bare = |i: usize, b: u8| {
        (b == b'\n' && (i == 0 || raw[i - 1] != b'\r'))
            || (b == b'\r' && raw.get(i + 1) != Some(&b'\n'))
    };
    if !raw.iter().enumerate().any(|(i, &b)| bare(i, b)) {
        return raw;
    }
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    for (i, &b) in raw.iter().enumerate() {
        if bare(i, b) {
            out.extend_from_slice(b"\r\n");
        } else {
            out.push(b);
        }
    }
    out
}

/// Adds a message with the next UID.
fn insert(
    m: &mut Mailbox,
    limits: &Limits,
    message: Arc<Message>,
    flags: Flags,
    internal_date: DateTime,
) -> Result<NonZeroU32, StoreError> {
    if m.messages.len() >= limits.max_messages {
        return Err(StoreError::Limit);
    }
    let uid = NonZeroU32::new(m.uid_next).ok_or(StoreError::UidsExhausted)?;
    m.uid_next = m.uid_next.checked_add(1).ok_or(StoreError::UidsExhausted)?;
    m.modseq += 1;
    m.messages.push(StoredMessage {
        uid,
        flags,
        internal_date,
        message,
        modseq: m.modseq,
        changed_by: 0,
    });
    Ok(uid)
}

/// Removes `gone` from the view; the EXPUNGE numbers in RFC 9051 §7.5.1 order.
fn remove_from_view(view: &mut View, gone: &BTreeSet<u32>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut removed = 0u32;
    for (i, &u) in view.uids.iter().enumerate() {
        if gone.contains(&u) {
            out.push(i as u32 + 1 - removed);
            removed += 1;
        }
    }
    view.uids.retain(|u| !gone.contains(u));
    for u in gone {
        view.recent.remove(u);
    }
    out
}
