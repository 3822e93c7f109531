//! SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4; §9 `search`, `search-program`,
//! `search-key`, `search-return-opts`, `search-return-opt`, `search-ret-opt-ext`): the full
//! search-key grammar of both RFCs (including RFC 3501's NEW, OLD, RECENT and the `$` saved
//! result of RFC 5182 / RFC 9051 §6.4.4.1), RETURN options (RFC 4731 / RFC 9051:
//! MIN MAX ALL COUNT SAVE and generic extensions) and CHARSET. Extension keys are rows of the
//! same table, with their grammar in their `ext/` module: OLDER / YOUNGER ([`crate::ext::within`]),
//! FUZZY ([`crate::ext::fuzzy`]), EMAILID / THREADID ([`crate::ext::objectid`]), SAVEDBEFORE /
//! SAVEDON / SAVEDSINCE / SAVEDATESUPPORTED ([`crate::ext::savedate`]), Gmail's X-GM-RAW /
//! X-GM-MSGID / X-GM-THRID / X-GM-LABELS ([`crate::ext::gmail`], only while
//! [`crate::Extension::GmailExt1`] is in force).

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::context::{Ctx, DECODE, Side};
use crate::core::{AString, Atom, IString, IntoStatic};
use crate::datetime::Date;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::condstore::SearchModSeq;
use crate::ext::gmail::{self, GmailLabel, encode_key_msgid, encode_key_thrid};
use crate::ext::objectid::ObjectId;
use crate::ext::partial::PartialRange;
use crate::ext::within::Interval;
use crate::ext::{NonEmpty, Number64, TaggedExtLabel, TaggedExtVal, check_depth_within};
use crate::parse::{is_atom_char, paren_list, sp, starts_with_ci, take_while};
use crate::sequence::SequenceSet;

use super::CommandBody;

mod check;
#[cfg(test)]
pub(crate) use check::mutated_once;

/// A row's parser (input after the key's name): `unit`; `arg f` (`SP` then `f`); `custom f`
/// (`f` gets the input after the name); `nested` (NOT, OR, sequence sets and parenthesised
/// lists, which [`SearchKey::parse`] reads before the name dispatch: a NOT or OR that reaches
/// the dispatch lacks its SP).
macro_rules! parse_key {
    (unit, $v:ident, $rest:ident, $i:ident) => {
        Ok(($rest, SearchKey::$v))
    };
    (arg $f:ident, $v:ident, $rest:ident, $i:ident) => {
        sp_arg($rest, $f, SearchKey::$v)
    };
    (custom $f:ident, $v:ident, $rest:ident, $i:ident) => {
        $f($rest)
    };
    (nested, $v:ident, $rest:ident, $i:ident) => {
        sp($rest).and_then(|_| fail($i, "search-key"))
    };
}

/// A row's encoder: `unit` writes the name; `arg` the name, SP and the argument; `custom f`
/// calls `f` with the fields.
macro_rules! encode_key {
    (unit, $name:literal, $e:ident) => {{
        $e.raw($name.as_bytes());
    }};
    (arg, $name:literal, $e:ident, $a:ident) => {{
        $e.raw($name.as_bytes()).sp();
        $a.encode($e);
    }};
    (custom $f:ident, $name:literal, $e:ident $(, $field:ident)*) => {
        $f($($field,)* $e)
    };
}

/// The `search-key` table: one row per key,
/// `Variant(fields) = "NAME", parse: unit | arg f | custom f | nested, encode: unit | arg | custom f;`.
/// The parser dispatches on the upper-cased name (`1*(ALPHA / "-")`); the two keys without a name
/// (`sequence-set`, `"(" ... ")"`) carry their ABNF form instead, which no name matches.
macro_rules! search_keys {
    ($(
        $(#[$vm:meta])*
        $variant:ident $(( $($field:ident : $ty:ty),* ))?
            = $name:literal, parse: $pk:ident $($pf:ident)?, encode: $ek:ident $($ef:ident)?;
    )*) => {
        /// `search-key` (RFC 9051 §9 and RFC 3501 §9): one variant per row of the table.
        ///
        /// ```
        /// use mailproto_imap_codec::{Command, CommandBody};
        /// use mailproto_imap_codec::command::{SearchKey, SearchKeyKind};
        /// let cmd = Command::parse(b"a SEARCH OR FROM alice NOT SEEN\r\n").unwrap();
        /// let CommandBody::Search { criteria, .. } = cmd.body else { panic!() };
        /// assert!(matches!(criteria.first(), SearchKey::Or(..)));
        /// assert_eq!(criteria.first().kind(), SearchKeyKind::Or);
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum SearchKey<'a> {
            $($(#[$vm])* $variant $(( $($ty),* ))?,)*
        }

        /// What a [`SearchKey`] is, without its arguments: one variant per row of the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum SearchKeyKind {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl SearchKeyKind {
            /// Every kind, in table order.
            pub const ALL: &'static [SearchKeyKind] = &[$(SearchKeyKind::$variant),*];

            /// The key's name (the ABNF form for `sequence-set` and `(...)`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(SearchKeyKind::$variant => $name,)*
                }
            }
        }

        impl SearchKey<'_> {
            /// The kind of key.
            pub fn kind(&self) -> SearchKeyKind {
                match self {
                    $(SearchKey::$variant { .. } => SearchKeyKind::$variant,)*
                }
            }
        }

        /// The longest key name.
        const NAME_MAX: usize = crate::parse::max_len(&[$($name),*]);

        /// Parses a key after its upper-cased name `name` (`i` is where the name starts);
        /// `None` when no row has it.
        #[inline]
        fn dispatch<'a>(
            name: &[u8],
            rest: &'a [u8],
            i: &'a [u8],
        ) -> Option<PResult<'a, SearchKey<'a>>> {
            /// Each row's name as bytes, named after its variant (`&[u8]` constants are
            /// slice patterns: the match is a comparison tree on length and bytes).
            #[allow(non_upper_case_globals)]
            mod name {
                $(pub const $variant: &[u8] = $name.as_bytes();)*
            }
            Some(match name {
                $(name::$variant => parse_key!($pk $($pf)?, $variant, rest, i),)*
                _ => return None,
            })
        }

        impl Encode for SearchKey<'_> {
            fn encode(&self, e: &mut Encoder<'_>) {
                match self {
                    $(SearchKey::$variant $(( $($field),* ))? => {
                        encode_key!($ek $($ef)?, $name, e $($(, $field)*)?)
                    })*
                }
            }
        }
    };
}

search_keys! {
    /// `ALL`
    All = "ALL", parse: unit, encode: unit;
    /// `ANSWERED`
    Answered = "ANSWERED", parse: unit, encode: unit;
    /// `BCC SP astring`
    Bcc(value: AString<'a>) = "BCC", parse: arg astring, encode: arg;
    /// `BEFORE SP date`
    Before(date: Date) = "BEFORE", parse: arg date, encode: arg;
    /// `BODY SP astring`
    Body(value: AString<'a>) = "BODY", parse: arg astring, encode: arg;
    /// `CC SP astring`
    Cc(value: AString<'a>) = "CC", parse: arg astring, encode: arg;
    /// `DELETED`
    Deleted = "DELETED", parse: unit, encode: unit;
    /// `DRAFT`
    Draft = "DRAFT", parse: unit, encode: unit;
    /// `FLAGGED`
    Flagged = "FLAGGED", parse: unit, encode: unit;
    /// `FROM SP astring`
    From(value: AString<'a>) = "FROM", parse: arg astring, encode: arg;
    /// `HEADER SP header-fld-name SP astring`
    Header(field: AString<'a>, value: AString<'a>) = "HEADER",
        parse: custom parse_header, encode: custom encode_header;
    /// `KEYWORD SP flag-keyword`
    Keyword(keyword: Atom<'a>) = "KEYWORD", parse: arg flag_keyword, encode: arg;
    /// `LARGER SP number64`
    Larger(n: Number64) = "LARGER", parse: arg number64, encode: arg;
    /// `NEW` (RFC 3501)
    New = "NEW", parse: unit, encode: unit;
    /// `NOT SP search-key`
    Not(key: Box<SearchKey<'a>>) = "NOT", parse: nested, encode: arg;
    /// `OLD` (RFC 3501)
    Old = "OLD", parse: unit, encode: unit;
    /// `ON SP date`
    On(date: Date) = "ON", parse: arg date, encode: arg;
    /// `OR SP search-key SP search-key`
    Or(a: Box<SearchKey<'a>>, b: Box<SearchKey<'a>>) = "OR",
        parse: nested, encode: custom encode_or;
    /// `RECENT` (RFC 3501)
    Recent = "RECENT", parse: unit, encode: unit;
    /// `SEEN`
    Seen = "SEEN", parse: unit, encode: unit;
    /// `SENTBEFORE SP date`
    SentBefore(date: Date) = "SENTBEFORE", parse: arg date, encode: arg;
    /// `SENTON SP date`
    SentOn(date: Date) = "SENTON", parse: arg date, encode: arg;
    /// `SENTSINCE SP date`
    SentSince(date: Date) = "SENTSINCE", parse: arg date, encode: arg;
    /// `SINCE SP date`
    Since(date: Date) = "SINCE", parse: arg date, encode: arg;
    /// `SMALLER SP number64`
    Smaller(n: Number64) = "SMALLER", parse: arg number64, encode: arg;
    /// `SUBJECT SP astring`
    Subject(value: AString<'a>) = "SUBJECT", parse: arg astring, encode: arg;
    /// `TEXT SP astring`
    Text(value: AString<'a>) = "TEXT", parse: arg astring, encode: arg;
    /// `TO SP astring`
    To(value: AString<'a>) = "TO", parse: arg astring, encode: arg;
    /// `UID SP sequence-set`
    Uid(set: SequenceSet) = "UID", parse: arg sequence_set, encode: arg;
    /// `UNANSWERED`
    Unanswered = "UNANSWERED", parse: unit, encode: unit;
    /// `UNDELETED`
    Undeleted = "UNDELETED", parse: unit, encode: unit;
    /// `UNDRAFT`
    Undraft = "UNDRAFT", parse: unit, encode: unit;
    /// `UNFLAGGED`
    Unflagged = "UNFLAGGED", parse: unit, encode: unit;
    /// `UNKEYWORD SP flag-keyword`
    Unkeyword(keyword: Atom<'a>) = "UNKEYWORD", parse: arg flag_keyword, encode: arg;
    /// `UNSEEN`
    Unseen = "UNSEEN", parse: unit, encode: unit;
    /// `sequence-set` (message sequence numbers, or `$`)
    SequenceSet(set: SequenceSet) = "sequence-set", parse: nested, encode: custom encode_set;
    /// `"(" search-key *(SP search-key) ")"`: all must match.
    And(keys: NonEmpty<SearchKey<'a>>) = "(", parse: nested, encode: custom encode_and;
    /// `search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer`
    /// (RFC 7162 §3.1.5; [`crate::ext::condstore`])
    Modseq(key: SearchModSeq<'a>) = "MODSEQ", parse: custom parse_modseq, encode: custom encode_modseq;
    /// `OLDER SP nz-number` (RFC 5032 §3, [`crate::ext::within`]): received more than this
    /// many seconds ago.
    Older(interval: Interval) = "OLDER", parse: arg interval, encode: arg;
    /// `YOUNGER SP nz-number` (RFC 5032 §3, [`crate::ext::within`]): received at most this
    /// many seconds ago.
    Younger(interval: Interval) = "YOUNGER", parse: arg interval, encode: arg;
    /// `FUZZY SP search-key` (RFC 6203 §7, [`crate::ext::fuzzy`])
    Fuzzy(key: Box<SearchKey<'a>>) = "FUZZY", parse: nested, encode: arg;
    /// `EMAILID SP objectid` (RFC 8474 §6, [`crate::ext::objectid`])
    EmailId(id: ObjectId<'a>) = "EMAILID", parse: arg objectid, encode: arg;
    /// `THREADID SP objectid` (RFC 8474 §6, [`crate::ext::objectid`])
    ThreadId(id: ObjectId<'a>) = "THREADID", parse: arg objectid, encode: arg;
    /// `SAVEDBEFORE SP date` (RFC 8514 §5, [`crate::ext::savedate`])
    SavedBefore(date: Date) = "SAVEDBEFORE", parse: arg date, encode: arg;
    /// `SAVEDON SP date` (RFC 8514 §5)
    SavedOn(date: Date) = "SAVEDON", parse: arg date, encode: arg;
    /// `SAVEDSINCE SP date` (RFC 8514 §5)
    SavedSince(date: Date) = "SAVEDSINCE", parse: arg date, encode: arg;
    /// `SAVEDATESUPPORTED` (RFC 8514 §5)
    SaveDateSupported = "SAVEDATESUPPORTED", parse: unit, encode: unit;
    /// `X-GM-RAW SP astring`: a search in Gmail's own query syntax (X-GM-EXT-1,
    /// [`crate::ext::gmail`]; only while [`crate::Extension::GmailExt1`] is in force, like the
    /// three rows below).
    GmRaw(query: AString<'a>) = "X-GM-RAW", parse: arg astring, encode: arg;
    /// `X-GM-MSGID SP gm-id` (X-GM-EXT-1)
    GmMsgId(id: u64) = "X-GM-MSGID", parse: arg gm_id, encode: custom encode_key_msgid;
    /// `X-GM-THRID SP gm-id` (X-GM-EXT-1)
    GmThrId(id: u64) = "X-GM-THRID", parse: arg gm_id, encode: custom encode_key_thrid;
    /// `X-GM-LABELS SP gm-label` (X-GM-EXT-1)
    GmLabels(label: GmailLabel<'a>) = "X-GM-LABELS", parse: arg gm_label, encode: arg;
}

impl SearchKeyKind {
    /// The extension that must be in force for the key to parse (`None`: always).
    pub const fn extension(self) -> Option<crate::Extension> {
        match self {
            SearchKeyKind::GmRaw
            | SearchKeyKind::GmMsgId
            | SearchKeyKind::GmThrId
            | SearchKeyKind::GmLabels => Some(crate::Extension::GmailExt1),
            _ => None,
        }
    }
}

fn gm_id(i: &[u8]) -> PResult<'_, u64> {
    gmail::parse_id(i)
}

fn gm_label(i: &[u8]) -> PResult<'_, GmailLabel<'_>> {
    GmailLabel::parse::<true>(i)
}

fn parse_modseq(rest: &[u8]) -> PResult<'_, SearchKey<'_>> {
    SearchModSeq::parse_after_name(rest).map(|(r, k)| (r, SearchKey::Modseq(k)))
}

fn encode_modseq(key: &SearchModSeq<'_>, e: &mut Encoder<'_>) {
    e.raw(b"MODSEQ");
    key.encode(e);
}

/// `SP arg` after a key's name, made into a key by `make`.
#[inline]
fn sp_arg<'a, T>(
    rest: &'a [u8],
    arg: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
    make: impl FnOnce(T) -> SearchKey<'a>,
) -> PResult<'a, SearchKey<'a>> {
    let (r, ()) = sp(rest)?;
    let (r, a) = arg(r)?;
    Ok((r, make(a)))
}

fn astring(i: &[u8]) -> PResult<'_, AString<'_>> {
    AString::parse::<true>(i)
}

fn date(i: &[u8]) -> PResult<'_, Date> {
    Date::parse(i)
}

fn number64(i: &[u8]) -> PResult<'_, Number64> {
    Number64::parse(i)
}

fn sequence_set(i: &[u8]) -> PResult<'_, SequenceSet> {
    SequenceSet::parse(i)
}

fn interval(i: &[u8]) -> PResult<'_, Interval> {
    Interval::parse(i)
}

fn objectid(i: &[u8]) -> PResult<'_, ObjectId<'_>> {
    ObjectId::parse(i)
}

/// `SP header-fld-name SP astring` after `HEADER`.
fn parse_header(rest: &[u8]) -> PResult<'_, SearchKey<'_>> {
    let (r, ()) = sp(rest)?;
    let (r, field) = astring(r).map_err(|e| {
        e.map(|mut e| {
            if e.input.len() == r.len() {
                e.expected = "header-fld-name";
            }
            e
        })
    })?;
    let (r, ()) = sp(r)?;
    let (r, value) = astring(r)?;
    Ok((r, SearchKey::Header(field, value)))
}

fn encode_header(field: &AString<'_>, value: &AString<'_>, e: &mut Encoder<'_>) {
    e.raw(b"HEADER ");
    field.encode(e);
    e.sp();
    value.encode(e);
}

fn encode_or(a: &SearchKey<'_>, b: &SearchKey<'_>, e: &mut Encoder<'_>) {
    e.raw(b"OR ");
    a.encode(e);
    e.sp();
    b.encode(e);
}

fn encode_set(set: &SequenceSet, e: &mut Encoder<'_>) {
    set.encode(e);
}

fn encode_and(keys: &NonEmpty<SearchKey<'_>>, e: &mut Encoder<'_>) {
    e.paren_list(keys, |e, k| k.encode(e));
}

impl<'a> SearchKey<'a> {
    /// Parses one `search-key`, nested at most the context's `max_depth` deep (never more
    /// than [`crate::ext::MAX_DEPTH`]); the keys of an extension only while it is in force.
    /// Only the nesting forms recurse; their frames stay small (the other keys are parsed by
    /// [`parse_leaf`], kept out of line).
    pub(crate) fn parse(i: &'a [u8], depth: usize, cx: &Ctx<'_>) -> PResult<'a, Self> {
        let max = cx.options().max_depth;
        let (_, ()) = check_depth_within(i, depth, max, "search-key")?;
        // The nested forms, told apart by their first octet (most keys are none of them).
        match i.first().map(u8::to_ascii_uppercase) {
            Some(b'(') => {
                let (rest, keys) = paren_list(i, false, |j| SearchKey::parse(j, depth + 1, cx))?;
                return Ok((rest, SearchKey::And(NonEmpty::from_parsed(keys))));
            }
            Some(b'N') if starts_with_ci(i, b"NOT ") => {
                let (r, k) = SearchKey::parse(&i[4..], depth + 1, cx)?;
                return Ok((r, SearchKey::Not(Box::new(k))));
            }
            Some(b'F') if starts_with_ci(i, b"FUZZY ") => {
                let (r, k) = SearchKey::parse(&i[6..], depth + 1, cx)?;
                return Ok((r, SearchKey::Fuzzy(Box::new(k))));
            }
            Some(b'O') if starts_with_ci(i, b"OR ") => {
                let (r, a) = SearchKey::parse(&i[3..], depth + 1, cx)?;
                let (r, ()) = sp(r)?;
                let (r, b) = SearchKey::parse(r, depth + 1, cx)?;
                return Ok((r, SearchKey::Or(Box::new(a), Box::new(b))));
            }
            _ => {}
        }
        let (r, key) = parse_leaf(i)?;
        match key.kind().extension() {
            Some(ext) if !cx.has(ext) && !cx.assume_in_force(&[ext], i) => fail(i, "search-key"),
            _ => Ok((r, key)),
        }
    }
}

/// Every `search-key` except `"(" ... ")"`, `NOT` and `OR` with their SP: a sequence set, or
/// a name dispatched through the table.
#[inline(never)]
fn parse_leaf(i: &[u8]) -> PResult<'_, SearchKey<'_>> {
    if let Some(b'0'..=b'9' | b'*' | b'$') = i.first() {
        return SequenceSet::parse(i).map(|(r, s)| (r, SearchKey::SequenceSet(s)));
    }
    let (rest, name) = take_while(i, |b| b.is_ascii_alphabetic() || b == b'-');
    if name.is_empty() || rest.first().is_some_and(|&b| is_atom_char(b)) {
        return fail(i, "search-key");
    }
    let mut buf = [0u8; NAME_MAX];
    let Some(upper) = buf.get_mut(..name.len()) else {
        return fail(i, "search-key");
    };
    for (d, s) in upper.iter_mut().zip(name) {
        *d = s.to_ascii_uppercase();
    }
    match dispatch(upper, rest, i) {
        Some(result) => result,
        None => fail(i, "search-key"),
    }
}

/// `flag-keyword = atom` (RFC 3501; RFC 9051 lists `$MDNSent` etc., all atoms).
fn flag_keyword(i: &[u8]) -> PResult<'_, Atom<'_>> {
    Atom::parse(i).map_err(|e| {
        e.map(|mut e| {
            e.expected = "flag-keyword";
            e
        })
    })
}

/// The names of the return options SEARCH defines itself.
const RETURN_NAMES: [&str; 5] = ["MIN", "MAX", "ALL", "COUNT", "SAVE"];

/// The names of the return options of extensions with their own forms (RFC 5267, RFC 9394).
const EXT_RETURN_NAMES: [&str; 3] = ["CONTEXT", "UPDATE", "PARTIAL"];

/// `search-return-opt` (RFC 9051 §9, RFC 4731, RFC 5182).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SearchReturnOpt<'a> {
    /// `MIN`
    Min,
    /// `MAX`
    Max,
    /// `ALL`
    All,
    /// `COUNT`
    Count,
    /// `SAVE` (RFC 5182)
    Save,
    /// `modifier-context = "CONTEXT"` (RFC 5267 §4.2; [`crate::ext::search_context`])
    Context,
    /// `modifier-update = "UPDATE"` (RFC 5267 §4.3)
    Update,
    /// `modifier-update =/ "UPDATE" SP "(" fetch-att *(SP fetch-att) ")"` (RFC 5465 §7, §8:
    /// what to FETCH for messages added to the result). RFC 5465's ABNF writes no SP before
    /// the list; its example and the generic `search-ret-opt-ext` form (RFC 4466 §2.6) have
    /// one, and so does this crate.
    UpdateFetch(NonEmpty<crate::command::FetchAtt<'a>>),
    /// `modifier-partial = "PARTIAL" SP partial-range` (RFC 9394 §4, RFC 5267 §4.4;
    /// [`crate::ext::partial`])
    Partial(PartialRange),
    /// `search-ret-opt-ext = search-modifier-name [SP search-mod-params]`
    Extension(SearchRetOptExt<'a>),
}

/// `search-ret-opt-ext = search-modifier-name [SP search-mod-params]` (RFC 9051 §9,
/// RFC 4466 §2.6): a RETURN option this crate does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SearchRetOptExt<'a> {
    name: TaggedExtLabel<'a>,
    params: Option<TaggedExtVal<'a>>,
}

impl<'a> SearchRetOptExt<'a> {
    /// An option `name` with optional parameters; fails for MIN, MAX, ALL, COUNT and SAVE.
    pub fn new(
        name: TaggedExtLabel<'a>,
        params: Option<TaggedExtVal<'a>>,
    ) -> Result<Self, ValidationError> {
        if RETURN_NAMES
            .iter()
            .chain(EXT_RETURN_NAMES.iter())
            .any(|n| n.eq_ignore_ascii_case(name.as_str()))
        {
            return Err(ValidationError::new("search-ret-opt-ext", Some(0)));
        }
        Ok(SearchRetOptExt { name, params })
    }

    /// `search-modifier-name`
    pub fn name(&self) -> &TaggedExtLabel<'a> {
        &self.name
    }

    /// `search-mod-params`
    pub fn params(&self) -> Option<&TaggedExtVal<'a>> {
        self.params.as_ref()
    }
}

impl<'a> SearchReturnOpt<'a> {
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = TaggedExtLabel::parse(i).map_err(|e| {
            e.map(|mut e| {
                e.expected = "search-return-opt";
                e
            })
        })?;
        let n = name.as_str();
        let known = [
            SearchReturnOpt::Min,
            SearchReturnOpt::Max,
            SearchReturnOpt::All,
            SearchReturnOpt::Count,
            SearchReturnOpt::Save,
        ];
        for (text, opt) in RETURN_NAMES.iter().zip(known) {
            if n.eq_ignore_ascii_case(text) {
                return Ok((rest, opt));
            }
        }
        if n.eq_ignore_ascii_case("CONTEXT") {
            return Ok((rest, SearchReturnOpt::Context));
        }
        if n.eq_ignore_ascii_case("UPDATE") {
            if rest.starts_with(b" (") {
                let (r, atts) = paren_list(&rest[1..], false, crate::command::FetchAtt::parse)?;
                return Ok((r, SearchReturnOpt::UpdateFetch(NonEmpty::from_parsed(atts))));
            }
            return Ok((rest, SearchReturnOpt::Update));
        }
        if n.eq_ignore_ascii_case("PARTIAL") {
            let (r, ()) = sp(rest)?;
            let (r, range) = PartialRange::parse(r)?;
            return Ok((r, SearchReturnOpt::Partial(range)));
        }
        let (rest, params) = match rest {
            [b' ', b'0'..=b'9' | b'*' | b'$' | b'(', ..] => {
                let (r, v) = TaggedExtVal::parse::<true>(&rest[1..])?;
                (r, Some(v))
            }
            _ => (rest, None),
        };
        Ok((
            rest,
            SearchReturnOpt::Extension(SearchRetOptExt { name, params }),
        ))
    }
}

impl Encode for SearchReturnOpt<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        let name = match self {
            SearchReturnOpt::Min => "MIN",
            SearchReturnOpt::Max => "MAX",
            SearchReturnOpt::All => "ALL",
            SearchReturnOpt::Count => "COUNT",
            SearchReturnOpt::Save => "SAVE",
            SearchReturnOpt::Context => "CONTEXT",
            SearchReturnOpt::Update => "UPDATE",
            SearchReturnOpt::UpdateFetch(atts) => {
                e.raw(b"UPDATE ").paren_list(atts, |e, a| a.encode(e));
                return;
            }
            SearchReturnOpt::Partial(r) => {
                e.raw(b"PARTIAL ");
                r.encode(e);
                return;
            }
            SearchReturnOpt::Extension(x) => {
                x.name.encode(e);
                if let Some(p) = &x.params {
                    e.sp();
                    p.encode(e);
                }
                return;
            }
        };
        e.raw(name.as_bytes());
    }
}

impl IntoStatic for SearchReturnOpt<'_> {
    type Static = SearchReturnOpt<'static>;
    fn into_static(self) -> SearchReturnOpt<'static> {
        match self {
            SearchReturnOpt::Min => SearchReturnOpt::Min,
            SearchReturnOpt::Max => SearchReturnOpt::Max,
            SearchReturnOpt::All => SearchReturnOpt::All,
            SearchReturnOpt::Count => SearchReturnOpt::Count,
            SearchReturnOpt::Save => SearchReturnOpt::Save,
            SearchReturnOpt::Context => SearchReturnOpt::Context,
            SearchReturnOpt::Update => SearchReturnOpt::Update,
            SearchReturnOpt::UpdateFetch(a) => SearchReturnOpt::UpdateFetch(a.into_static()),
            SearchReturnOpt::Partial(r) => SearchReturnOpt::Partial(r),
            SearchReturnOpt::Extension(x) => SearchReturnOpt::Extension(SearchRetOptExt {
                name: x.name.into_static(),
                params: x.params.into_static(),
            }),
        }
    }
}

/// `"SEARCH" [search-return-opts] SP search-program` after the name.
pub(super) fn parse_search<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
    uid: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (mut i, return_opts) =
        if starts_with_ci(i, b" RETURN") && !i.get(7).is_some_and(|&b| is_atom_char(b)) {
            let (r, ()) = sp(&i[7..])?;
            let (r, opts) = paren_list(r, true, SearchReturnOpt::parse)?;
            (r, Some(opts))
        } else {
            (i, None)
        };
    i = sp(i)?.0;
    let mut charset = None;
    if starts_with_ci(i, b"CHARSET") && !i.get(7).is_some_and(|&b| is_atom_char(b)) {
        let (r, ()) = sp(&i[7..])?;
        let (r, cs) = AString::parse::<true>(r).map_err(|e| {
            e.map(|mut e| {
                if e.input.len() == r.len() {
                    e.expected = "charset";
                }
                e
            })
        })?;
        charset = Some(cs);
        i = sp(r)?.0;
    }
    let (i, criteria) = SearchProgram::parse(i, cx)?;
    Ok((
        i,
        CommandBody::Search {
            uid,
            return_opts,
            charset,
            criteria,
        },
    ))
}

/// The search keys of a SEARCH command, `search-key *(SP search-key)` (RFC 9051 §6.4.4, §9
/// `search-program`; RFC 3501 §9 `search`), all of which must match: held as their checked
/// wire form and decoded on access (issue 17's value model; issue 18's memory bound).
///
/// The parser checks every key once, under the message's options (profile, extensions,
/// nesting limit), without building anything, and keeps the slice of the message from the
/// first key to the end of the last; parsing a SEARCH therefore allocates nothing for its
/// keys, and a server that keeps the command holds its keys in as many octets as they took on
/// the wire (a SEARCH of 40,000 `SUBJECT {0+}` keys: the 600 KB of the message, not 40,000
/// values). [`iter`](Self::iter) parses the keys again from those checked bytes as it
/// advances. A program built from keys ([`new`](Self::new)) is encoded once into the same
/// form. Two programs compare equal exactly when their keys do.
///
/// Encoding copies the wire form when it is the canonical one (what the encoder writes for
/// the keys; the parser compares each key with its encoding as it checks it) and holds no
/// literal; otherwise (lower-case names, quoted dates, literals) each key is encoded again,
/// the encoder choosing each literal's form and recording its synchronization point.
///
/// ```
/// use mailproto_imap_codec::command::{SearchKey, SearchKeyKind, SearchProgram};
/// use mailproto_imap_codec::{Command, CommandBody};
/// let cmd = Command::parse(b"a SEARCH since 1-Feb-2024 OR FROM alice NOT SEEN\r\n").unwrap();
/// let CommandBody::Search { criteria, .. } = &cmd.body else { panic!() };
/// assert_eq!(criteria.wire(), b"since 1-Feb-2024 OR FROM alice NOT SEEN");
/// let kinds: Vec<_> = criteria.iter().map(|k| k.kind()).collect();
/// assert_eq!(kinds, [SearchKeyKind::Since, SearchKeyKind::Or]);
/// let built = SearchProgram::new(criteria.to_vec()).unwrap();
/// assert_eq!(&built, criteria);
/// assert_eq!(built.wire(), b"SINCE 1-Feb-2024 OR FROM alice NOT SEEN");
/// assert!(SearchProgram::new(Vec::new()).is_err());
/// ```
#[derive(Clone)]
pub struct SearchProgram<'a> {
    /// `search-key *(SP search-key)`, checked.
    wire: Cow<'a, [u8]>,
    /// The number of keys (at least one).
    len: usize,
    /// Whether `wire` is what the encoder writes for the keys, free of literals, so that
    /// encoding may copy it.
    canonical: bool,
}

impl<'a> SearchProgram<'a> {
    /// A program of `keys`, all of which must match; fails when there is none, or when the
    /// keys nest deeper than the parsers' bound (250 levels; no server would read them).
    pub fn new(keys: impl IntoIterator<Item = SearchKey<'a>>) -> Result<Self, ValidationError> {
        let mut out = Vec::new();
        let mut len = 0;
        {
            let mut e = Encoder::client(&mut out, &crate::encode::EncodeOptions::default());
            for key in keys {
                if len > 0 {
                    e.sp();
                }
                key.encode(&mut e);
                len += 1;
            }
            let _ = e.finish();
        }
        if len == 0 {
            return Err(ValidationError::new("search-key", None));
        }
        let cx = Ctx::new(&DECODE, Side::Client, &out);
        match SearchProgram::parse(&out, &cx) {
            Ok(([], p)) if p.len == len => {}
            Ok((rest, _)) => {
                return Err(ValidationError::new(
                    "search-key",
                    Some(out.len() - rest.len()),
                ));
            }
            Err(e) => {
                return Err(ValidationError::new(
                    "search-key",
                    Some(error_offset(&out, e)),
                ));
            }
        }
        Ok(SearchProgram {
            canonical: memchr::memchr(b'{', &out).is_none(),
            wire: Cow::Owned(out),
            len,
        })
    }

    /// Checks `search-key *(SP search-key)` under the message's context and keeps its wire
    /// form; the error is the one of the key that fails. The common programs are decided by
    /// a fast walk with no values ([`check`]); whatever it cannot tell, [`parse_exact`]
    /// decides.
    ///
    /// [`parse_exact`]: Self::parse_exact
    #[inline]
    pub(crate) fn parse(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self> {
        if let Some((rest, len, canonical)) = check::program(i, cx.options().max_depth) {
            let wire = &i[..i.len() - rest.len()];
            return Ok((
                rest,
                SearchProgram {
                    wire: Cow::Borrowed(wire),
                    len,
                    canonical,
                },
            ));
        }
        Self::parse_exact(i, cx)
    }

    /// [`parse`](Self::parse) key by key: each key parsed (and dropped), its canonical form
    /// checked in place or by encoding.
    #[inline(never)]
    fn parse_exact(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self> {
        let start = i;
        let mut len = 0;
        let mut j = i;
        // Whether each key as received is what the encoder writes for it: while they agree,
        // encoding may copy the wire form. The common keys are checked in place
        // (`written_as`); the others are encoded into one buffer (as long as the longest such
        // key, allocated only if one occurs) and compared.
        let mut scratch = Vec::new();
        let mut canonical = true;
        loop {
            let (r, key) = SearchKey::parse(j, 0, cx)?;
            len += 1;
            if canonical {
                let wire = &j[..j.len() - r.len()];
                canonical = match key.written_as(wire) {
                    Some(same) => same,
                    None => key.encoded_as(wire, &mut scratch),
                };
            }
            match r.split_first() {
                Some((b' ', after)) => j = after,
                _ => {
                    let wire = &start[..start.len() - r.len()];
                    return Ok((
                        r,
                        SearchProgram {
                            // A literal is written again, for its synchronization point.
                            canonical: canonical && memchr::memchr(b'{', wire).is_none(),
                            wire: Cow::Borrowed(wire),
                            len,
                        },
                    ));
                }
            }
        }
    }

    /// The number of keys (at least one).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a program has at least one key.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The keys, decoded from the checked wire form as the iterator advances.
    pub fn iter(&self) -> SearchKeys<'_> {
        SearchKeys::new(&self.wire, self.len, decode_key)
    }

    /// The first key.
    pub fn first(&self) -> SearchKey<'_> {
        // A program has at least one key, and its wire form decodes (see `SearchKeys`); the
        // fallback is never taken.
        self.iter().next().unwrap_or(SearchKey::All)
    }

    /// The keys, fully decoded, borrowing from the program.
    pub fn to_vec(&self) -> Vec<SearchKey<'_>> {
        self.iter().collect()
    }

    /// The checked wire form: `search-key *(SP search-key)`, as received (or as encoded by
    /// [`new`](Self::new)).
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }
}

impl SearchKey<'_> {
    /// Whether `wire` is what [`Encode`] writes for this key, decided without writing for the
    /// common keys: the unit keys (their name, upper case), the date keys (name, SP and
    /// [`Date::is_written_as`]), the string keys with an atom or a quoted string without
    /// escapes (written as received). `None`: not one of those (or a form they do not
    /// decide: an escape, a literal); [`encoded_as`](Self::encoded_as) decides.
    fn written_as(&self, wire: &[u8]) -> Option<bool> {
        use SearchKey as K;
        let arg = |name: &str| {
            wire.strip_prefix(name.as_bytes())
                .and_then(|r| r.strip_prefix(b" "))
        };
        match self {
            K::All
            | K::Answered
            | K::Deleted
            | K::Draft
            | K::Flagged
            | K::New
            | K::Old
            | K::Recent
            | K::Seen
            | K::Unanswered
            | K::Undeleted
            | K::Undraft
            | K::Unflagged
            | K::Unseen
            | K::SaveDateSupported => Some(wire == self.kind().name().as_bytes()),
            K::Before(d)
            | K::On(d)
            | K::SentBefore(d)
            | K::SentOn(d)
            | K::SentSince(d)
            | K::Since(d)
            | K::SavedBefore(d)
            | K::SavedOn(d)
            | K::SavedSince(d) => Some(arg(self.kind().name()).is_some_and(|a| d.is_written_as(a))),
            K::Bcc(v)
            | K::Body(v)
            | K::Cc(v)
            | K::From(v)
            | K::Subject(v)
            | K::Text(v)
            | K::To(v) => {
                // The encoder writes the name in upper case.
                let Some(a) = arg(self.kind().name()) else {
                    return Some(false);
                };
                match v {
                    AString::Atom(atom) => Some(a == atom.as_str().as_bytes()),
                    // `"` content `"`: no escape, so the encoder writes it the same way; an
                    // escape is decided by encoding.
                    AString::String(IString::Quoted(q)) => a
                        .strip_prefix(b"\"")
                        .and_then(|a| a.strip_suffix(b"\""))
                        .is_some_and(|c| c == q.as_str().as_bytes())
                        .then_some(true),
                    AString::String(IString::Literal(_)) => None,
                }
            }
            _ => None,
        }
    }

    /// Whether `wire` is what [`Encode`] writes for this key, by writing it into `scratch`.
    fn encoded_as(&self, wire: &[u8], scratch: &mut Vec<u8>) -> bool {
        scratch.clear();
        let mut e = Encoder::client(scratch, &crate::encode::EncodeOptions::default());
        self.encode(&mut e);
        let _ = e.finish();
        scratch.as_slice() == wire
    }
}

/// The byte offset of a parse error in `input`.
fn error_offset(input: &[u8], e: nom::Err<crate::error::PErr<'_>>) -> usize {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => input.len() - e.input.len(),
        nom::Err::Incomplete(_) => input.len(),
    }
}

/// The keys of a [`SearchProgram`], decoded one by one from its checked wire form (under
/// options no wider than those it was checked under).
pub type SearchKeys<'s> = crate::items::SpItems<'s, SearchKey<'s>>;

/// One key of a checked program.
fn decode_key(i: &[u8]) -> PResult<'_, SearchKey<'_>> {
    let cx = Ctx::new(&DECODE, Side::Client, i);
    SearchKey::parse(i, 0, &cx)
}

impl<'s> IntoIterator for &'s SearchProgram<'_> {
    type Item = SearchKey<'s>;
    type IntoIter = SearchKeys<'s>;
    fn into_iter(self) -> SearchKeys<'s> {
        self.iter()
    }
}

impl<'a> TryFrom<NonEmpty<SearchKey<'a>>> for SearchProgram<'a> {
    type Error = ValidationError;
    fn try_from(keys: NonEmpty<SearchKey<'a>>) -> Result<Self, ValidationError> {
        SearchProgram::new(keys.into_vec())
    }
}

crate::response::wire::by_items!(SearchProgram, wire_eq);

impl IntoStatic for SearchProgram<'_> {
    type Static = SearchProgram<'static>;
    fn into_static(self) -> SearchProgram<'static> {
        SearchProgram {
            wire: Cow::Owned(self.wire.into_owned()),
            len: self.len,
            canonical: self.canonical,
        }
    }
}

impl Encode for SearchProgram<'_> {
    /// The keys, separated by SP: each key encoded (the canonical form: upper-case names,
    /// unquoted dates, ...), or the wire form copied when it is that form already.
    fn encode(&self, e: &mut Encoder<'_>) {
        if self.canonical {
            e.raw(&self.wire);
            return;
        }
        // The canonical form is about as long as the wire form.
        e.expect_about(self.wire.len());
        for (n, key) in self.iter().enumerate() {
            if n > 0 {
                e.sp();
            }
            key.encode(e);
        }
    }
}

/// Writes the SEARCH arguments after the name.
pub(super) fn encode_search(
    return_opts: Option<&[SearchReturnOpt<'_>]>,
    charset: Option<&AString<'_>>,
    criteria: &SearchProgram<'_>,
    e: &mut Encoder<'_>,
) {
    if let Some(opts) = return_opts {
        e.raw(b" RETURN ").paren_list(opts, |e, o| o.encode(e));
    }
    if let Some(cs) = charset {
        e.raw(b" CHARSET ");
        cs.encode(e);
    }
    e.sp();
    criteria.encode(e);
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip, roundtrip_with};
    use super::*;
    use crate::Command;
    use crate::error::ErrorKind;

    /// The nesting limit comes from the parse options (lowered, never raised).
    #[test]
    fn nesting_limit_from_the_options() {
        let line = b"a SEARCH NOT NOT NOT ALL\r\n";
        assert!(Command::parse(line).is_ok());
        let options = crate::ParseOptions::default().with_max_depth(2);
        let e = Command::parse_with(line, &options).unwrap_err();
        assert_eq!((e.offset, e.kind), (21, ErrorKind::InvalidValue));
        let options = crate::ParseOptions::default().with_max_depth(3);
        assert!(Command::parse_with(line, &options).is_ok());
        let options = crate::ParseOptions::default().with_max_depth(usize::MAX);
        let deep = format!(
            "a SEARCH {}ALL\r\n",
            "NOT ".repeat(crate::ext::MAX_DEPTH + 1)
        );
        assert!(Command::parse_with(deep.as_bytes(), &options).is_err());
    }

    /// The table: every named key parses back as its kind, with a sample argument.
    #[test]
    fn the_search_key_table() {
        let cx = Ctx::new(&crate::context::STRICT, crate::Side::Client, b"");
        for kind in SearchKeyKind::ALL {
            let arg = match kind {
                SearchKeyKind::Header => " a b",
                SearchKeyKind::Not | SearchKeyKind::Fuzzy => " ALL",
                SearchKeyKind::Or => " ALL SEEN",
                SearchKeyKind::Before
                | SearchKeyKind::On
                | SearchKeyKind::Since
                | SearchKeyKind::SentBefore
                | SearchKeyKind::SentOn
                | SearchKeyKind::SentSince
                | SearchKeyKind::SavedBefore
                | SearchKeyKind::SavedOn
                | SearchKeyKind::SavedSince => " 1-Feb-1994",
                SearchKeyKind::Larger
                | SearchKeyKind::Smaller
                | SearchKeyKind::Uid
                | SearchKeyKind::Modseq
                | SearchKeyKind::Older
                | SearchKeyKind::Younger => " 5",
                SearchKeyKind::SequenceSet | SearchKeyKind::And => continue,
                SearchKeyKind::GmMsgId | SearchKeyKind::GmThrId => " 1278455344230334865",
                _ if SearchKey::parse(kind.name().as_bytes(), 0, &cx).is_ok() => "",
                _ => " x",
            };
            let line = format!("a SEARCH {}{arg}\r\n", kind.name());
            let options = match kind.extension() {
                Some(ext) => {
                    // Not without the extension: an error at the key's name.
                    rejects(line.as_bytes(), 9, "search-key");
                    crate::ParseOptions::default().with_extension(ext)
                }
                None => crate::ParseOptions::default(),
            };
            let cmd = roundtrip_with(line.as_bytes(), true, &options);
            let CommandBody::Search { criteria, .. } = &cmd.body else {
                panic!()
            };
            assert_eq!(criteria.first().kind(), *kind, "{line}");
        }
        let cmd = roundtrip(b"a SEARCH 1:3 (SEEN)\r\n", true);
        let CommandBody::Search { criteria, .. } = &cmd.body else {
            panic!()
        };
        let kinds: Vec<_> = criteria.iter().map(|k| k.kind()).collect();
        assert_eq!(kinds, [SearchKeyKind::SequenceSet, SearchKeyKind::And]);
    }

    #[test]
    fn rfc_examples() {
        for line in [
            "A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
            "A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
            "A284 SEARCH RETURN (MIN) UNSEEN\r\n",
            "A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n",
            "A286 SEARCH RETURN (COUNT) DELETED\r\n",
            "A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
            "A283 SEARCH TEXT \"string not in mailbox\"\r\n",
            "A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n",
            "A285 SEARCH CHARSET UTF-8 TEXT {8}\r\nмать\r\n",
            "A301 UID SEARCH UID $ SMALLER 4096\r\n",
            "A301 UID SEARCH $ SMALLER 4096\r\n",
            "B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {12}\r\nотпуск\r\n",
            "P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать\r\n",
            "C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006 FROM \"Smith\"\r\n",
            "C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006 FROM \"Smith\"\r\n",
            "C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 FROM \"Smith\"\r\n",
            "F282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n",
            "A999 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
            "A999 UID SEARCH 1:100 UNDELETED\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"h search from maria@example.com\r\n", false);
        assert_eq!(c.name(), "SEARCH");
    }

    /// A program is copied when it is canonical; a literal in it is written again, with its
    /// synchronization point; a program too deep for any parser cannot be built.
    #[test]
    fn programs_copy_canonical_keys_and_rewrite_literals() {
        let c = Command::parse(b"a SEARCH SUBJECT {3}\r\nabc ALL\r\n").unwrap();
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        assert_eq!(criteria.len(), 2);
        let mut out = Vec::new();
        let enc = c.encode(&mut out, &Default::default());
        assert_eq!(out, b"a SEARCH SUBJECT {3}\r\nabc ALL\r\n");
        assert_eq!(enc.sync_points, [22]);
        let owned = c.clone().into_static();
        assert_eq!(owned, c);
        let mut deep = SearchKey::All;
        for _ in 0..=crate::ext::MAX_DEPTH {
            deep = SearchKey::Not(Box::new(deep));
        }
        assert!(SearchProgram::new([deep]).is_err());
        assert!(SearchProgram::new([SearchKey::Not(Box::new(SearchKey::All))]).is_ok());
    }

    /// The in-place canonical check of the common keys agrees with encoding and comparing,
    /// key by key, over upper and lower case names, quoted and unquoted dates, leading zeros,
    /// atoms, quoted strings with and without escapes, and literals.
    #[test]
    fn the_in_place_canonical_check_agrees_with_encoding() {
        let line = "a SEARCH ALL all Seen UNSEEN SINCE 1-Feb-2024 since 1-Feb-2024 \
SINCE 01-Feb-2024 SINCE 1-FEB-2024 SINCE \"1-Feb-2024\" BEFORE 28-Dec-1999 ON 9-Jan-0999 \
SENTON 10-Mar-2000 SAVEDSINCE 3-Apr-2001 FROM alice from alice FROM \"bob smith\" \
FROM \"alice\" FROM \"p\\\"q\" SUBJECT \"a\\\\b\" TO {1}\r\nx TEXT \"\" CC c BCC b \
BODY x NOT SEEN OR 1 2 UID 1:* 1,2:3 (SEEN) LARGER 7 SMALLER 007 KEYWORD k \
SAVEDATESUPPORTED\r\n";
        let c = Command::parse(line.as_bytes()).unwrap();
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        let mut rest = criteria.wire();
        let mut scratch = Vec::new();
        let (mut decided, mut canonical) = (0, 0);
        for key in criteria.iter() {
            let cx = Ctx::new(&DECODE, Side::Client, rest);
            let (r, again) = SearchKey::parse(rest, 0, &cx).unwrap();
            assert_eq!(again, key);
            let wire = &rest[..rest.len() - r.len()];
            let encoded = key.encoded_as(wire, &mut scratch);
            if let Some(same) = key.written_as(wire) {
                assert_eq!(same, encoded, "{}", String::from_utf8_lossy(wire));
                decided += 1;
            }
            canonical += usize::from(encoded);
            rest = r.strip_prefix(b" ").unwrap_or(r);
        }
        assert_eq!((criteria.len(), decided, canonical), (33, 22, 25));
    }

    #[test]
    fn every_key() {
        let line = "a SEARCH ALL ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED DRAFT \
FLAGGED FROM f HEADER X-Y \"\" KEYWORD k LARGER 9223372036854775807 NEW NOT SEEN OLD \
ON 31-Dec-1999 OR 1 2 RECENT SEEN SENTBEFORE 1-Feb-2000 SENTON 2-Feb-2000 SENTSINCE \
3-Feb-2000 SINCE 4-Feb-2000 SMALLER 0 SUBJECT s TEXT t TO u UID 1:* UNANSWERED UNDELETED \
UNDRAFT UNFLAGGED UNKEYWORD k UNSEEN 1,2:3 $ * ((ALL) (SEEN DRAFT))\r\n";
        let c = roundtrip(line.as_bytes(), true);
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        assert_eq!(criteria.len(), 39);
        // Quoted dates are accepted and written unquoted; the program keeps its wire form.
        let c = Command::parse(b"a SEARCH SINCE \"1-Feb-1994\"\r\n").unwrap();
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        assert_eq!(out, b"a SEARCH SINCE 1-Feb-1994\r\n");
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        let built = SearchProgram::new(criteria.to_vec()).unwrap();
        assert_eq!(&built, criteria);
        assert_eq!(built.wire(), b"SINCE 1-Feb-1994");
        assert_eq!(criteria.wire(), b"SINCE \"1-Feb-1994\"");
        roundtrip(
            b"a search or not seen (deleted) since 01-feb-1994\r\n",
            false,
        );
    }

    #[test]
    fn return_extensions_and_charset_forms() {
        for line in [
            "a SEARCH RETURN (X-PARTIAL 1:100) ALL\r\n",
            "a SEARCH RETURN (X-A (b (c d)) X-B X-C 5 X-D $) ALL\r\n",
            "a SEARCH RETURN (X-A ()) ALL\r\n",
            "a SEARCH CHARSET \"UTF-8\" ALL\r\n",
            "a SEARCH CHARSET {5}\r\nUTF-8 ALL\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        assert!(SearchRetOptExt::new(TaggedExtLabel::new("min").unwrap(), None).is_err());
    }

    #[test]
    fn rejects_bad_searches() {
        rejects(b"a SEARCH\r\n", 8, "SP");
        rejects(b"a SEARCH \r\n", 9, "search-key");
        rejects(b"a SEARCH ALL \r\n", 13, "search-key");
        rejects(b"a SEARCH ALL  SEEN\r\n", 13, "search-key");
        rejects(b"a SEARCH FOO\r\n", 9, "search-key");
        rejects(b"a SEARCH ALLX\r\n", 9, "search-key");
        rejects(b"a SEARCH SEEN1\r\n", 9, "search-key");
        rejects(b"a SEARCH ()\r\n", 10, "search-key");
        rejects(b"a SEARCH (ALL\r\n", 13, "\")\"");
        rejects(b"a SEARCH OR ALL\r\n", 15, "SP");
        rejects(b"a SEARCH NOT\r\n", 12, "SP");
        rejects(b"a SEARCH SINCE 1-Foo-2000\r\n", 17, "date-month");
        rejects(b"a SEARCH SINCE 30-Feb-2000\r\n", 15, "date");
        rejects(b"a SEARCH LARGER 9223372036854775808\r\n", 16, "number64");
        rejects(b"a SEARCH LARGER x\r\n", 16, "number64");
        rejects(b"a SEARCH UID 0\r\n", 13, "sequence-set");
        rejects(b"a SEARCH KEYWORD \\Seen\r\n", 17, "flag-keyword");
        rejects(b"a SEARCH HEADER (x) y\r\n", 16, "header-fld-name");
        rejects(b"a SEARCH CHARSET\r\n", 16, "SP");
        rejects(b"a SEARCH CHARSET (x) ALL\r\n", 17, "charset");
        rejects(b"a SEARCH CHARSET UTF-8\r\n", 22, "SP");
        rejects(b"a SEARCH RETURN (MIN) \r\n", 22, "search-key");
        rejects(b"a SEARCH RETURN (MIN 5) ALL\r\n", 21, "search-return-opt");
        rejects(b"a SEARCH RETURN (1X) ALL\r\n", 17, "search-return-opt");
        rejects(b"a SEARCH RETURN MIN ALL\r\n", 16, "\"(\"");
        rejects(b"a SEARCH ALL CHARSET UTF-8\r\n", 13, "search-key");
        let deep = format!("a SEARCH {}ALL{}\r\n", "(".repeat(500), ")".repeat(500));
        let e = Command::parse(deep.as_bytes()).unwrap_err();
        assert_eq!(
            (e.kind, e.expected),
            (ErrorKind::InvalidValue, "search-key")
        );
        let deep = format!("a SEARCH {}ALL\r\n", "NOT ".repeat(200));
        roundtrip(deep.as_bytes(), true);
        let deep = format!("a SEARCH {}ALL{}\r\n", "(".repeat(200), ")".repeat(200));
        roundtrip(deep.as_bytes(), true);
        let deep = format!("a SEARCH {}ALL\r\n", "OR SEEN ".repeat(300));
        let e = Command::parse(deep.as_bytes()).unwrap_err();
        assert_eq!(
            (e.kind, e.expected),
            (ErrorKind::InvalidValue, "search-key")
        );
    }

    #[test]
    fn long_flat_searches_are_linear() {
        let mut line = b"a SEARCH".to_vec();
        for n in 1..20000 {
            line.extend_from_slice(format!(" OR UID {n} FROM x{n}").as_bytes());
        }
        line.extend_from_slice(b" ALL\r\n");
        roundtrip(&line, true);
        let mut flat = b"a SEARCH".to_vec();
        for n in 1..20000 {
            flat.extend_from_slice(format!(" UID {n}").as_bytes());
        }
        flat.extend_from_slice(b"\r\n");
        roundtrip(&flat, true);
    }
}
