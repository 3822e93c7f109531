//! SEARCH evaluation (RFC 9051 §6.4.4, RFC 3501 §6.4.4) and ESEARCH result data
//! (RFC 4731, RFC 9051 §7.3.4).
//!
//! [`compile`] is the only function that matches imap-codec's `SearchKey`: it turns the
//! criteria into this crate's [`Criterion`] tree (checking the charset once), which
//! [`Criterion::matches`] evaluates against a message. [`SearchResult::return_data`] is the
//! only place that builds `SearchReturnData`.
//!
//! What the text keys match (all case-insensitive, after Unicode lower-casing of both
//! sides):
//! - `HEADER name s` (and FROM, TO, CC, BCC, SUBJECT as `HEADER` with that name): the
//!   unfolded value of each field with that name, RFC 2047 encoded words decoded. An empty
//!   `s` matches every message that has such a field (RFC 9051 §6.4.4).
//! - `BODY s`: the text/* leaf parts, their transfer encoding removed and their charset
//!   converted (UTF-8, US-ASCII, ISO-8859-1; others read as UTF-8), plus the headers of
//!   encapsulated messages (they are body text of the outer message). Non-text parts are not
//!   searched.
//! - `TEXT s`: the top-level header fields (decoded as for HEADER) or BODY.

use std::num::NonZeroU32;

use imap_codec::command::{SearchKey, SearchReturnOpt};
use imap_codec::core::AString;
use imap_codec::ext::condstore::ModSeq;
use imap_codec::response::SearchReturnData;
use imap_codec::{SeqItem, SequenceSet};

use crate::date::{Ymd, parse_date};
use crate::decode::{decode_words, to_utf8, transfer_decode};
use crate::fetch::MessageMeta;
use crate::flags::SystemFlag;
use crate::header::{Header, unfold};
use crate::message::{Content, Entity, Message};

/// Why a SEARCH cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SearchError {
    /// The CHARSET is neither US-ASCII nor UTF-8: answer `NO [BADCHARSET (US-ASCII UTF-8)]`
    /// (RFC 9051 §6.4.4).
    BadCharset(String),
    /// A search string is not valid UTF-8: answer `BAD`.
    InvalidString,
    /// A key this kit does not know (a newer imap-codec key): answer `BAD`.
    Unsupported,
}

impl std::fmt::Display for SearchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SearchError::BadCharset(c) => write!(f, "unsupported charset {c:?}"),
            SearchError::InvalidString => f.write_str("search string is not UTF-8"),
            SearchError::Unsupported => f.write_str("unsupported search key"),
        }
    }
}

impl std::error::Error for SearchError {}

/// The charsets SEARCH accepts, for the `BADCHARSET` response code.
pub const CHARSETS: &[&str] = &["US-ASCII", "UTF-8"];

/// Which date a date criterion looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    /// The internal date (BEFORE, ON, SINCE).
    Internal,
    /// The Date header field (SENTBEFORE, SENTON, SENTSINCE).
    Sent,
}

/// How a date criterion compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateCmp {
    /// Earlier than the date.
    Before,
    /// Within the date.
    On,
    /// Within or later than the date.
    Since,
}

/// A compiled search criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Criterion {
    /// Every message.
    All,
    /// A system flag is set (`true`) or not set (`false`).
    Flag(SystemFlag, bool),
    /// A keyword is set or not set.
    Keyword(String, bool),
    /// `\Recent` in this session (RFC 3501).
    Recent,
    /// `\Recent` and not `\Seen` (RFC 3501 NEW).
    New,
    /// Not `\Recent` (RFC 3501 OLD).
    Old,
    /// A date comparison, date-only (RFC 9051 §6.4.4: "disregarding time and timezone").
    Date(DateField, DateCmp, Ymd),
    /// A header field contains a string (lower-cased).
    Header(String, String),
    /// The body contains a string (lower-cased).
    Body(String),
    /// The header or body contains a string (lower-cased).
    Text(String),
    /// RFC822.SIZE larger than.
    Larger(u64),
    /// RFC822.SIZE smaller than.
    Smaller(u64),
    /// Message sequence numbers.
    Sequence(SequenceSet),
    /// UIDs.
    Uid(SequenceSet),
    /// Negation.
    Not(Box<Criterion>),
    /// Either.
    Or(Box<Criterion>, Box<Criterion>),
    /// All of them.
    And(Vec<Criterion>),
    /// `MODSEQ [entry] n` (RFC 7162 §3.1.5): the message's mod-sequence is at least `n`.
    /// The optional metadata entry is not kept per flag here: the message's own
    /// mod-sequence stands for every entry (RFC 7162 §3.1.5 allows a server that keeps no
    /// per-flag values to do so).
    ModSeq(u64),
}

/// Where a message stands in the mailbox, for the sequence-number and UID keys.
#[derive(Debug, Clone, Copy)]
pub struct SearchContext<'a> {
    /// The message's sequence number.
    pub seq: u32,
    /// The number of messages (`*` for sequence numbers).
    pub largest_seq: u32,
    /// The largest UID in the mailbox (`*` for UIDs).
    pub largest_uid: u32,
    /// The saved search result (`$`, RFC 5182 / RFC 9051 §6.4.4.1) as sorted UIDs; `None`
    /// or empty when nothing was saved (then `$` matches nothing).
    pub saved: Option<&'a [u32]>,
    /// The message's mod-sequence (RFC 7162 §3.1.1), for `MODSEQ`; 0 when the store keeps
    /// none.
    pub modseq: u64,
}

/// Compiles a SEARCH program: `charset` is the CHARSET argument (`None` = US-ASCII in
/// RFC 3501 / UTF-8 in RFC 9051, both read as UTF-8), `keys` the criteria (all must match).
pub fn compile(
    charset: Option<&AString<'_>>,
    keys: &[SearchKey<'_>],
) -> Result<Criterion, SearchError> {
    if let Some(c) = charset {
        let name = String::from_utf8_lossy(c.as_bytes()).into_owned();
        if !CHARSETS.iter().any(|k| k.eq_ignore_ascii_case(&name)) {
            return Err(SearchError::BadCharset(name));
        }
    }
    let all = keys.iter().map(key).collect::<Result<Vec<_>, _>>()?;
    Ok(match <[Criterion; 1]>::try_from(all) {
        Ok([one]) => one,
        Err(all) => Criterion::And(all),
    })
}

fn text(s: &AString<'_>) -> Result<String, SearchError> {
    std::str::from_utf8(s.as_bytes())
        .map(str::to_lowercase)
        .map_err(|_| SearchError::InvalidString)
}

fn ymd(d: &imap_codec::Date) -> Ymd {
    (d.year(), d.month(), d.day())
}

/// One `search-key` to a criterion.
#[allow(unreachable_patterns)]
fn key(k: &SearchKey<'_>) -> Result<Criterion, SearchError> {
    use Criterion as C;
    use SearchKey as K;
    use SystemFlag as F;
    let header = |name: &str, s: &AString<'_>| Ok(C::Header(name.into(), text(s)?));
    let date = |f, c, d: &imap_codec::Date| Ok(C::Date(f, c, ymd(d)));
    match k {
        K::All => Ok(C::All),
        K::Answered => Ok(C::Flag(F::Answered, true)),
        K::Unanswered => Ok(C::Flag(F::Answered, false)),
        K::Deleted => Ok(C::Flag(F::Deleted, true)),
        K::Undeleted => Ok(C::Flag(F::Deleted, false)),
        K::Draft => Ok(C::Flag(F::Draft, true)),
        K::Undraft => Ok(C::Flag(F::Draft, false)),
        K::Flagged => Ok(C::Flag(F::Flagged, true)),
        K::Unflagged => Ok(C::Flag(F::Flagged, false)),
        K::Seen => Ok(C::Flag(F::Seen, true)),
        K::Unseen => Ok(C::Flag(F::Seen, false)),
        K::Keyword(a) => Ok(C::Keyword(a.as_str().into(), true)),
        K::Unkeyword(a) => Ok(C::Keyword(a.as_str().into(), false)),
        K::Recent => Ok(C::Recent),
        K::New => Ok(C::New),
        K::Old => Ok(C::Old),
        K::Before(d) => date(DateField::Internal, DateCmp::Before, d),
        K::On(d) => date(DateField::Internal, DateCmp::On, d),
        K::Since(d) => date(DateField::Internal, DateCmp::Since, d),
        K::SentBefore(d) => date(DateField::Sent, DateCmp::Before, d),
        K::SentOn(d) => date(DateField::Sent, DateCmp::On, d),
        K::SentSince(d) => date(DateField::Sent, DateCmp::Since, d),
        K::Bcc(s) => header("bcc", s),
        K::Cc(s) => header("cc", s),
        K::From(s) => header("from", s),
        K::To(s) => header("to", s),
        K::Subject(s) => header("subject", s),
        K::Header(name, s) => Ok(C::Header(
            String::from_utf8_lossy(name.as_bytes()).to_ascii_lowercase(),
            text(s)?,
        )),
        K::Body(s) => Ok(C::Body(text(s)?)),
        K::Text(s) => Ok(C::Text(text(s)?)),
        K::Larger(n) => Ok(C::Larger(n.get())),
        K::Smaller(n) => Ok(C::Smaller(n.get())),
        K::Uid(set) => Ok(C::Uid(set.clone())),
        K::SequenceSet(set) => Ok(C::Sequence(set.clone())),
        K::Modseq(m) => Ok(C::ModSeq(m.modseq().get())),
        K::Not(k) => Ok(C::Not(Box::new(key(k)?))),
        K::Or(a, b) => Ok(C::Or(Box::new(key(a)?), Box::new(key(b)?))),
        K::And(list) => Ok(C::And(
            list.as_slice().iter().map(key).collect::<Result<_, _>>()?,
        )),
        _ => Err(SearchError::Unsupported),
    }
}

fn in_set(set: &SequenceSet, n: u32, largest: u32, uid: u32, saved: Option<&[u32]>) -> bool {
    match set {
        SequenceSet::SearchResult => saved.is_some_and(|s| s.binary_search(&uid).is_ok()),
        _ => set.contains(n, largest),
    }
}

fn date_matches(cmp: DateCmp, have: Ymd, want: Ymd) -> bool {
    match cmp {
        DateCmp::Before => have < want,
        DateCmp::On => have == want,
        DateCmp::Since => have >= want,
    }
}

/// The decoded, lower-cased values of the fields called `name` (RFC 2047 decoded).
fn header_matches(h: &Header<'_>, name: &str, needle: &str) -> bool {
    h.all(name).any(|f| {
        needle.is_empty()
            || decode_words(&unfold(h.raw_value(f)))
                .to_lowercase()
                .contains(needle)
    })
}

fn any_header_matches(h: &Header<'_>, needle: &str) -> bool {
    h.fields().iter().any(|f| {
        decode_words(&unfold(h.raw_value(f)))
            .to_lowercase()
            .contains(needle)
    })
}

/// BODY search over the text parts below `e` (see the module docs).
fn body_matches(msg: &Message, e: &Entity, needle: &str) -> bool {
    match &e.content {
        Content::Multipart(parts) => parts.iter().any(|p| body_matches(msg, p, needle)),
        Content::Message(inner) => {
            any_header_matches(&inner.header(msg.raw()), needle) || body_matches(msg, inner, needle)
        }
        Content::Leaf if e.is_text() => {
            let raw = msg.slice(e.body.clone());
            let decoded = transfer_decode(&e.encoding, raw).unwrap_or_else(|_| raw.to_vec());
            let charset = e.content_type.param("charset").unwrap_or(b"us-ascii");
            to_utf8(charset, &decoded).to_lowercase().contains(needle)
        }
        Content::Leaf => false,
    }
}

impl Criterion {
    /// True when the message matches.
    pub fn matches(&self, msg: &Message, meta: &MessageMeta<'_>, ctx: &SearchContext<'_>) -> bool {
        use Criterion as C;
        match self {
            C::All => true,
            C::Flag(f, on) => meta.flags.has(*f) == *on,
            C::Keyword(k, on) => meta.flags.has_keyword(k) == *on,
            C::Recent => meta.recent,
            C::New => meta.recent && !meta.flags.has(SystemFlag::Seen),
            C::Old => !meta.recent,
            C::Date(DateField::Internal, cmp, want) => {
                date_matches(*cmp, ymd(&meta.internal_date.date()), *want)
            }
            C::Date(DateField::Sent, cmp, want) => msg
                .header()
                .get("date")
                .and_then(|d| parse_date(&d))
                .is_some_and(|have| date_matches(*cmp, have, *want)),
            C::Header(name, needle) => header_matches(&msg.header(), name, needle),
            C::Body(needle) => body_matches(msg, msg.root(), needle),
            C::Text(needle) => {
                any_header_matches(&msg.header(), needle) || body_matches(msg, msg.root(), needle)
            }
            C::Larger(n) => msg.raw().len() as u64 > *n,
            C::Smaller(n) => (msg.raw().len() as u64) < *n,
            C::Sequence(set) => in_set(set, ctx.seq, ctx.largest_seq, meta.uid.get(), ctx.saved),
            C::Uid(set) => in_set(
                set,
                meta.uid.get(),
                ctx.largest_uid,
                meta.uid.get(),
                ctx.saved,
            ),
            C::Not(c) => !c.matches(msg, meta, ctx),
            C::Or(a, b) => a.matches(msg, meta, ctx) || b.matches(msg, meta, ctx),
            C::And(all) => all.iter().all(|c| c.matches(msg, meta, ctx)),
            C::ModSeq(n) => ctx.modseq >= *n,
        }
    }

    /// Whether the program has a `MODSEQ` key anywhere: the SEARCH response then carries the
    /// highest mod-sequence of the messages found (RFC 7162 §3.1.5).
    pub fn uses_modseq(&self) -> bool {
        use Criterion as C;
        match self {
            C::ModSeq(_) => true,
            C::Not(c) => c.uses_modseq(),
            C::Or(a, b) => a.uses_modseq() || b.uses_modseq(),
            C::And(all) => all.iter().any(Criterion::uses_modseq),
            _ => false,
        }
    }
}

/// The numbers (sequence numbers or UIDs) a SEARCH matched, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResult {
    numbers: Vec<u32>,
    modseq: Option<u64>,
}

impl SearchResult {
    /// A result from numbers in any order (duplicates and 0 dropped).
    pub fn new(mut numbers: Vec<u32>) -> Self {
        numbers.retain(|&n| n != 0);
        numbers.sort_unstable();
        numbers.dedup();
        SearchResult {
            numbers,
            modseq: None,
        }
    }

    /// The same result carrying the highest mod-sequence of the messages found (RFC 7162
    /// §3.1.5: sent when the search used `MODSEQ` and found something).
    pub fn with_modseq(mut self, modseq: Option<u64>) -> Self {
        self.modseq = modseq.filter(|&m| m > 0);
        self
    }

    /// The highest mod-sequence of the messages found, when the search asked for it.
    pub fn modseq(&self) -> Option<u64> {
        self.modseq
    }

    /// The numbers, ascending (the SEARCH response's list).
    pub fn numbers(&self) -> &[u32] {
        &self.numbers
    }

    /// MIN (RFC 4731 §3.1).
    pub fn min(&self) -> Option<u32> {
        self.numbers.first().copied()
    }

    /// MAX.
    pub fn max(&self) -> Option<u32> {
        self.numbers.last().copied()
    }

    /// COUNT.
    pub fn count(&self) -> u32 {
        u32::try_from(self.numbers.len()).unwrap_or(u32::MAX)
    }

    /// ALL as inclusive ranges of consecutive numbers, ascending.
    pub fn ranges(&self) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for &n in &self.numbers {
            match out.last_mut() {
                Some((_, b)) if b.checked_add(1) == Some(n) => *b = n,
                _ => out.push((n, n)),
            }
        }
        out
    }

    /// The ESEARCH return data for RETURN options `opts` (RFC 4731 §3.1, RFC 9051
    /// §6.4.4): `RETURN ()` means ALL; MIN, MAX and ALL are omitted when nothing matched;
    /// COUNT is always given when asked. SAVE and extension options produce no data (the
    /// session saves the result itself).
    pub fn return_data(&self, opts: &[SearchReturnOpt<'_>]) -> Vec<SearchReturnData<'static>> {
        let ask = |want: fn(&SearchReturnOpt<'_>) -> bool| opts.iter().any(want);
        let all = opts.is_empty() || ask(|o| matches!(o, SearchReturnOpt::All));
        let mut out = Vec::new();
        if ask(|o| matches!(o, SearchReturnOpt::Min))
            && let Some(n) = self.min().and_then(NonZeroU32::new)
        {
            out.push(SearchReturnData::Min(n));
        }
        if ask(|o| matches!(o, SearchReturnOpt::Max))
            && let Some(n) = self.max().and_then(NonZeroU32::new)
        {
            out.push(SearchReturnData::Max(n));
        }
        if all {
            let items = self
                .ranges()
                .into_iter()
                .filter_map(|(a, b)| {
                    if a == b {
                        SeqItem::single(a)
                    } else {
                        SeqItem::range(a, b)
                    }
                })
                .collect();
            if let Ok(SequenceSet::Items(items)) = SequenceSet::new(items) {
                out.push(SearchReturnData::All(items));
            }
        }
        if ask(|o| matches!(o, SearchReturnOpt::Count)) {
            out.push(SearchReturnData::Count(self.count()));
        }
        // RFC 7162 §3.1.5 / RFC 4731 §3.2: MODSEQ with the highest mod-sequence found.
        if let Some(m) = self.modseq.and_then(|m| ModSeq::new(m).ok()) {
            out.push(SearchReturnData::ModSeq(m));
        }
        out
    }
}
