//! CONDSTORE and QRESYNC (RFC 7162, which obsoletes RFC 4551 and RFC 5162; grammar: §7).
//!
//! Where each part of the grammar lives:
//!
//! - `mod-sequence-value` is [`ModSeq`], `mod-sequence-valzer` is [`crate::ext::Number64`];
//! - the `MODSEQ` fetch item (`fetch-mod-sequence`, §3.1.4.1) is the `Modseq` row of the
//!   `fetch-att` table ([`crate::command::FetchAtt::Modseq`]); its answer `fetch-mod-resp`
//!   (`MODSEQ (n)`, §3.1.4.1) the `Modseq` row of the FETCH data table
//!   ([`crate::response::MessageAttribute::Modseq`]);
//! - the `MODSEQ` search key (`search-modsequence`, §3.1.5) is [`SearchModSeq`], the `Modseq`
//!   row of the search-key table;
//! - `STATUS ... (HIGHESTMODSEQ)` (§3.1.6) is [`crate::command::StatusAttribute::HighestModSeq`]
//!   and [`crate::response::StatusAttributeValue::HighestModSeq`];
//! - the response codes `HIGHESTMODSEQ`, `NOMODSEQ`, `MODIFIED` (§3.1.2.1, §3.1.2.2, §3.1.3)
//!   are rows of the response-code table; `CLOSED` (§3.2.11) is in RFC 9051's table already;
//! - `SEARCH ... (MODSEQ n)` (`search-sort-mod-seq`, §3.1.5) is [`crate::response::SearchData`],
//!   ESEARCH's `MODSEQ n` (§3.1.5, RFC 4731 §3.2) [`crate::response::SearchReturnData::ModSeq`];
//! - `* VANISHED [(EARLIER)] known-uids` (`expunged-resp`, §3.2.10) is [`Vanished`], the
//!   `Vanished` row of the data table;
//! - the RFC 4466 slot parameters `SELECT/EXAMINE (CONDSTORE)` (§3.1.8), `(QRESYNC (...))`
//!   (§3.2.5, [`QResyncParams`]), `FETCH (CHANGEDSINCE n)` (§3.1.4.1), `UID FETCH (... VANISHED)`
//!   (§3.2.6) and `STORE (UNCHANGEDSINCE n)` (§3.1.3) are typed in [`crate::ext::slots`].
//!
//! **What depends on the connection.** The slot parameters are parsed only while
//! [`Extension::CondStore`](crate::context::Extension) or `QResync` is in force
//! ([`crate::ext::slots`]); `VANISHED` as a fetch modifier only with `QResync` (RFC 7162 §3.2.6:
//! "only allowed in the UID FETCH command" once QRESYNC is enabled). The new keywords (the
//! `MODSEQ` fetch item and search key, `HIGHESTMODSEQ` in STATUS) are accepted by the grammar
//! as MOVE or BINARY are: their command rows name the capability, which a server session
//! checks. On the response side every CONDSTORE/QRESYNC form is parsed whatever is in force: a
//! client must not lose the data a server sent (RFC 7162 §3.1 makes several commands
//! "CONDSTORE enabling" without ENABLE, so the client cannot always know in advance).

use crate::prelude::*;

use ::core::num::{NonZeroU32, NonZeroU64};

use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::ext::Number64;
use crate::flag::Flag;
use crate::parse::{keyword, lparen, number64, nz_number, rparen, sp, starts_with_ci};
use crate::sequence::UidSet;

/// `mod-sequence-value = 1*DIGIT` (RFC 7162 §7): a positive unsigned 63-bit integer,
/// 1 ≤ n ≤ 9,223,372,036,854,775,807.
///
/// ```
/// use mailproto_imap_codec::ext::condstore::ModSeq;
/// assert_eq!(ModSeq::new(917162500).unwrap().get(), 917162500);
/// assert!(ModSeq::new(0).is_err());
/// assert!(ModSeq::new(1 << 63).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ModSeq(NonZeroU64);

impl ModSeq {
    /// The largest value, 2^63 - 1.
    pub const MAX: ModSeq = ModSeq(NonZeroU64::new(i64::MAX as u64).unwrap());

    /// `n`; fails for 0 and above [`ModSeq::MAX`].
    pub fn new(n: u64) -> Result<Self, ValidationError> {
        match NonZeroU64::new(n) {
            Some(v) if n <= Self::MAX.get() => Ok(ModSeq(v)),
            _ => Err(ValidationError::new("mod-sequence-value", None)),
        }
    }

    /// The value.
    pub fn get(self) -> u64 {
        self.0.get()
    }

    /// Parses `mod-sequence-value`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (r, n) = number64(i).map_err(|e| {
            e.map(|mut e| {
                e.expected = "mod-sequence-value";
                e
            })
        })?;
        match NonZeroU64::new(n) {
            Some(v) => Ok((r, ModSeq(v))),
            None => fail_kind(i, "mod-sequence-value", ErrorKind::InvalidValue),
        }
    }
}

impl Encode for ModSeq {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.number(self.get());
    }
}

/// Parses `mod-sequence-valzer = "0" / mod-sequence-value` (RFC 7162 §7).
pub(crate) fn parse_valzer(i: &[u8]) -> PResult<'_, Number64> {
    Number64::parse(i).map_err(|e| {
        e.map(|mut e| {
            e.expected = "mod-sequence-valzer";
            e
        })
    })
}

/// `entry-type-req = entry-type-resp / "all"`, `entry-type-resp = "priv" / "shared"`
/// (RFC 7162 §7): which metadata item a MODSEQ search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EntryType {
    /// `priv`
    Private,
    /// `shared`
    Shared,
    /// `all`
    All,
}

impl EntryType {
    /// The name as sent (lower case, as in the RFC).
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryType::Private => "priv",
            EntryType::Shared => "shared",
            EntryType::All => "all",
        }
    }

    fn parse(i: &[u8]) -> PResult<'_, Self> {
        for t in [EntryType::Private, EntryType::Shared, EntryType::All] {
            let name = t.as_str().as_bytes();
            if starts_with_ci(i, name)
                && !i.get(name.len()).is_some_and(|b| b.is_ascii_alphanumeric())
            {
                return Ok((&i[name.len()..], t));
            }
        }
        fail(i, "entry-type-req")
    }
}

/// `search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer`,
/// `search-modseq-ext = SP entry-name SP entry-type-req` (RFC 7162 §3.1.5, §7): messages
/// whose mod-sequence (of one flag's metadata item, with the extension) is at least the value.
///
/// `entry-name = entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE`, with the `quoted`
/// escapes: `"/flags/\\seen"` names `\Seen`. `attr-flag` excludes `\Recent`.
///
/// ```
/// use mailproto_imap_codec::ext::condstore::{EntryType, SearchModSeq};
/// use mailproto_imap_codec::ext::Number64;
/// use mailproto_imap_codec::Flag;
/// let key = SearchModSeq::new(Some((Flag::Draft, EntryType::All)), Number64::new(620162338).unwrap());
/// assert!(key.is_ok());
/// let recent = mailproto_imap_codec::flag::FlagExtension::new("Recent").unwrap();
/// assert!(SearchModSeq::new(Some((Flag::Extension(recent), EntryType::All)), Number64::new(1).unwrap()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SearchModSeq<'a> {
    entry: Option<(Flag<'a>, EntryType)>,
    modseq: Number64,
}

impl<'a> SearchModSeq<'a> {
    /// The key; the flag of the entry cannot be `\Recent` (RFC 7162 §7 `attr-flag`).
    pub fn new(
        entry: Option<(Flag<'a>, EntryType)>,
        modseq: Number64,
    ) -> Result<Self, ValidationError> {
        if entry.as_ref().is_some_and(|(f, _)| f.is_recent()) {
            return Err(ValidationError::new("attr-flag", None));
        }
        Ok(SearchModSeq { entry, modseq })
    }

    /// The flag whose metadata item is searched, and which type of item.
    pub fn entry(&self) -> Option<&(Flag<'a>, EntryType)> {
        self.entry.as_ref()
    }

    /// The mod-sequence the messages' must reach.
    pub fn modseq(&self) -> Number64 {
        self.modseq
    }

    /// Parses what follows the key's name `MODSEQ`.
    pub(crate) fn parse_after_name(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        if i.first() == Some(&b'"') {
            let (r, flag) = entry_flag_name(i)?;
            let (r, ()) = sp(r)?;
            let (r, ty) = EntryType::parse(r)?;
            let (r, ()) = sp(r)?;
            let (r, modseq) = parse_valzer(r)?;
            return Ok((
                r,
                SearchModSeq {
                    entry: Some((flag, ty)),
                    modseq,
                },
            ));
        }
        let (r, modseq) = parse_valzer(i)?;
        Ok((
            r,
            SearchModSeq {
                entry: None,
                modseq,
            },
        ))
    }
}

/// `entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE` (RFC 7162 §7). `attr-flag` is
/// `"\\" atom` or `atom`: no other `quoted` escape can occur inside, since atoms have
/// neither `"` nor `\`.
fn entry_flag_name(i: &[u8]) -> PResult<'_, Flag<'_>> {
    let (r, ()) = crate::parse::byte(i, b'"', "entry-name")?;
    if !starts_with_ci(r, b"/flags/") {
        return fail(r, "entry-flag-name");
    }
    let r = &r[7..];
    let (r, flag) = if r.starts_with(b"\\\\") {
        // The second backslash starts the flag as `flag` reads it: `\Seen`.
        Flag::parse(&r[1..])?
    } else if r.first() == Some(&b'\\') {
        return fail(r, "attr-flag");
    } else {
        Flag::parse(r)?
    };
    if flag.is_recent() {
        return fail(r, "attr-flag");
    }
    let (r, ()) = crate::parse::byte(r, b'"', "DQUOTE")?;
    Ok((r, flag))
}

impl Encode for SearchModSeq<'_> {
    /// Writes what follows `MODSEQ`.
    fn encode(&self, e: &mut Encoder<'_>) {
        e.sp();
        if let Some((flag, ty)) = &self.entry {
            let mut text = Vec::new();
            flag.encode(&mut Encoder::server(&mut text));
            e.raw(b"\"/flags/");
            if text.first() == Some(&b'\\') {
                e.byte(b'\\');
            }
            e.raw(&text)
                .byte(b'"')
                .sp()
                .raw(ty.as_str().as_bytes())
                .sp();
        }
        self.modseq.encode(e);
    }
}

/// The argument of `SELECT/EXAMINE mailbox (QRESYNC (...))` (RFC 7162 §3.2.5):
/// `"QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`,
/// `seq-match-data = "(" known-sequence-set SP known-uid-set ")"`. The sets are sets of
/// numbers without `*` ([`UidSet`]).
///
/// ```
/// use ::core::num::NonZeroU32;
/// use mailproto_imap_codec::ext::condstore::{ModSeq, QResyncParams};
/// use mailproto_imap_codec::sequence::UidSet;
/// let p = QResyncParams::new(NonZeroU32::new(67890007).unwrap(), ModSeq::new(20050715194045000).unwrap())
///     .with_known_uids(UidSet::parse_str("41,43:211,214:541").unwrap());
/// assert_eq!(p.known_uids().unwrap().ranges()[0], (41, 41));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QResyncParams {
    uid_validity: NonZeroU32,
    modseq: ModSeq,
    known_uids: Option<UidSet>,
    seq_match: Option<(UidSet, UidSet)>,
}

impl QResyncParams {
    /// The last known UIDVALIDITY and mod-sequence of the mailbox.
    pub fn new(uid_validity: NonZeroU32, modseq: ModSeq) -> Self {
        QResyncParams {
            uid_validity,
            modseq,
            known_uids: None,
            seq_match: None,
        }
    }

    /// With the UIDs the client knows.
    pub fn with_known_uids(mut self, uids: UidSet) -> Self {
        self.known_uids = Some(uids);
        self
    }

    /// With `seq-match-data`: message numbers and the UIDs they had. RFC 7162 §7 allows it
    /// without `known-uids`; the RFC's text (§3.2.5) only uses it after them.
    pub fn with_seq_match(mut self, sequence_set: UidSet, uid_set: UidSet) -> Self {
        self.seq_match = Some((sequence_set, uid_set));
        self
    }

    /// `uidvalidity`
    pub fn uid_validity(&self) -> NonZeroU32 {
        self.uid_validity
    }

    /// The last known mod-sequence.
    pub fn modseq(&self) -> ModSeq {
        self.modseq
    }

    /// `known-uids`
    pub fn known_uids(&self) -> Option<&UidSet> {
        self.known_uids.as_ref()
    }

    /// `seq-match-data`: (`known-sequence-set`, `known-uid-set`).
    pub fn seq_match(&self) -> Option<&(UidSet, UidSet)> {
        self.seq_match.as_ref()
    }

    /// Parses `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (i, ()) = lparen(i)?;
        let (i, uid_validity) = nz_number(i)?;
        let (i, ()) = sp(i)?;
        let (mut i, modseq) = ModSeq::parse(i)?;
        let mut out = QResyncParams::new(uid_validity, modseq);
        if i.first() == Some(&b' ') && i.get(1).is_some_and(u8::is_ascii_digit) {
            let (r, uids) = known_set(&i[1..], "known-uids")?;
            out.known_uids = Some(uids);
            i = r;
        }
        if i.starts_with(b" (") {
            let (r, seqs) = known_set(&i[2..], "known-sequence-set")?;
            let (r, ()) = sp(r)?;
            let (r, uids) = known_set(r, "known-uid-set")?;
            let (r, ()) = rparen(r)?;
            out.seq_match = Some((seqs, uids));
            i = r;
        }
        let (i, ()) = rparen(i)?;
        Ok((i, out))
    }
}

/// A `sequence-set` without `*` (`known-uids`, `known-sequence-set`, `known-uid-set`).
fn known_set<'a>(i: &'a [u8], rule: &'static str) -> PResult<'a, UidSet> {
    crate::parse::rule(rule, UidSet::parse)(i)
}

impl Encode for QResyncParams {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'(').number(u64::from(self.uid_validity.get())).sp();
        self.modseq.encode(e);
        if let Some(uids) = &self.known_uids {
            e.sp();
            uids.encode(e);
        }
        if let Some((seqs, uids)) = &self.seq_match {
            e.raw(b" (");
            seqs.encode(e);
            e.sp();
            uids.encode(e);
            e.byte(b')');
        }
        e.byte(b')');
    }
}

/// `expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids` (RFC 7162 §3.2.10): UIDs of
/// expunged messages. `earlier` is set when the response answers a `UID FETCH ... (VANISHED)`
/// or a QRESYNC select (the messages went before this session, §3.2.5.1, §3.2.6); without it
/// the response replaces EXPUNGE once QRESYNC is enabled (and, unlike EXPUNGE, does not
/// decrement the message count before each one: it removes all the UIDs at once).
///
/// ```
/// use mailproto_imap_codec::{Response, response::{Data, Vanished}};
/// let r = Response::parse(b"* VANISHED (EARLIER) 300:310,405,411\r\n").unwrap();
/// let Response::Data(Data::Vanished(v)) = r else { panic!() };
/// assert!(v.earlier);
/// assert_eq!(v.uids.ranges(), &[(300, 310), (405, 405), (411, 411)]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Vanished {
    /// `(EARLIER)`
    pub earlier: bool,
    /// The UIDs.
    pub uids: UidSet,
}

impl Vanished {
    /// Parses what follows `VANISHED`.
    pub(crate) fn parse_after_name(i: &[u8]) -> PResult<'_, Self> {
        let (i, ()) = sp(i)?;
        let (i, earlier) = if i.first() == Some(&b'(') {
            let (r, ()) = lparen(i)?;
            let (r, ()) = keyword(r, "EARLIER")?;
            let (r, ()) = rparen(r)?;
            let (r, ()) = sp(r)?;
            (r, true)
        } else {
            (i, false)
        };
        let (i, uids) = known_set(i, "known-uids")?;
        Ok((i, Vanished { earlier, uids }))
    }

    /// Writes what follows `VANISHED`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        e.sp();
        if self.earlier {
            e.raw(b"(EARLIER) ");
        }
        self.uids.encode(e);
    }
}

/// `search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")"` after the numbers of a
/// SEARCH or SORT response (RFC 7162 §3.1.5): parses ` (MODSEQ n)` when the input starts
/// with ` (`.
pub(crate) fn parse_sp_search_sort_mod_seq(i: &[u8]) -> PResult<'_, Option<ModSeq>> {
    if !i.starts_with(b" (") {
        return Ok((i, None));
    }
    let (r, ()) = keyword(&i[2..], "MODSEQ")?;
    let (r, ()) = sp(r)?;
    let (r, m) = ModSeq::parse(r)?;
    let (r, ()) = rparen(r)?;
    Ok((r, Some(m)))
}

/// Writes ` (MODSEQ n)`.
pub(crate) fn encode_sp_search_sort_mod_seq(m: Option<ModSeq>, e: &mut Encoder<'_>) {
    if let Some(m) = m {
        e.raw(b" (MODSEQ ");
        m.encode(e);
        e.byte(b')');
    }
}

/// `fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"` (RFC 7162 §3.1.4.1): what
/// follows the name.
pub(crate) fn parse_fetch_mod_resp(i: &[u8]) -> PResult<'_, ModSeq> {
    let (i, ()) = sp(i)?;
    let (i, ()) = lparen(i)?;
    let (i, m) = crate::parse::rule("permsg-modsequence", ModSeq::parse)(i)?;
    let (i, ()) = rparen(i)?;
    Ok((i, m))
}

#[cfg(test)]
mod tests;
