//! Extensions: one module per RFC extension, and the generic extension syntax they share.
//!
//! Each extension module (`ext/<name>.rs`) holds the types, parsers, encoders, `Arbitrary`
//! support and tests of one RFC, and its module documentation names the RFC and sections. It
//! plugs into the base grammar through the tables (a row in the command table of
//! [`crate::command`] per new command; rows in the response tables per new data or code) and
//! through the RFC 4466 slots of [`slots`]. The modules:
//!
//! - [`condstore`]: CONDSTORE and QRESYNC (RFC 7162);
//! - [`idle`]: IDLE and DONE (RFC 2177, RFC 9051 §6.3.13);
//! - [`multiappend`]: several messages in one APPEND (RFC 3502);
//! - [`catenate`]: APPEND of a message made of parts, `[TOOBIG]`, `[BADURL]` (RFC 4469);
//! - [`replace`]: REPLACE and UID REPLACE (RFC 8508);
//! - [`unauthenticate`]: UNAUTHENTICATE (RFC 8437);
//! - [`binary`]: what RFC 3516 (BINARY) has and RFC 9051 kept;
//! - [`utf8`]: UTF8=ACCEPT / UTF8=ONLY, `APPEND ... UTF8 (~{n}...)` (RFC 6855);
//! - [`language`]: LANGUAGE, COMPARATOR, `[BADCOMPARATOR]` (RFC 5255);
//! - [`referrals`]: `[REFERRAL url]`, RLIST, RLSUB (RFC 2221, RFC 2193);
//! - [`urlauth`]: GENURLAUTH, RESETKEY, URLFETCH, `[URLMECH ...]` (RFC 4467);
//! - [`id`]: ID (RFC 2971);
//! - [`quota`]: QUOTA (RFC 9208, RFC 2087);
//! - [`acl`]: ACL (RFC 4314) and LIST-MYRIGHTS (RFC 8440);
//! - [`metadata`]: METADATA and METADATA-SERVER (RFC 5464);
//! - [`special_use`]: the `USE` parameter of CREATE (RFC 6154 §3, RFC 8457 §3);
//! - [`gmail`]: Gmail's X-GM-EXT-1 (Google's documentation);
//! - [`annotate`]: the response codes of ANNOTATE-EXPERIMENT-1 (RFC 5257) that Cyrus sends;
//! - [`within`]: YOUNGER and OLDER search keys (RFC 5032);
//! - [`fuzzy`]: the FUZZY search key and RELEVANCY (RFC 6203);
//! - [`objectid`]: MAILBOXID, EMAILID, THREADID (RFC 8474);
//! - [`savedate`]: SAVEDATE and the SAVED* search keys (RFC 8514);
//! - [`preview`]: PREVIEW, and the pre-RFC `SNIPPET (FUZZY)` as a real-world deviation
//!   (RFC 8970);
//! - [`status_ext`]: STATUS items SIZE (RFC 8438), DELETED (RFC 9051), APPENDLIMIT
//!   (RFC 7889), and the TOOBIG code (RFC 4469, RFC 7889);
//! - [`notify`]: the NOTIFICATIONOVERFLOW code (RFC 5465);
//! - [`uidonly`]: the UIDFETCH response, the UIDREQUIRED code, message-number commands
//!   (RFC 9586);
//! - [`compress`]: COMPRESS and `COMPRESSIONACTIVE` (RFC 4978);
//! - [`partial`]: PARTIAL ranges (RFC 9394);
//! - [`search_context`]: CONTEXT=SEARCH, CONTEXT=SORT and ESORT (RFC 5267);
//! - [`slots`]: the RFC 4466 §2 parameter slots of SELECT/EXAMINE, FETCH and STORE;
//! - [`sort`]: SORT and THREAD (RFC 5256, SORT=DISPLAY RFC 5957, THREAD=REFS, ESORT RFC 5267).
//!
//! This module has the generic syntax itself: the `tagged-ext` family of RFC 4466 §2.1 as
//! kept in RFC 9051 §9 (`tagged-ext-label`, `tagged-ext-val`, `tagged-ext-simple`,
//! `tagged-ext-comp`, also the shape of `option-val-comp`), and [`NonEmpty`], the list type
//! for `1*(...)` rules. `docs/architecture.md` ("How to add an extension") lists the steps.

use std::borrow::Cow;
use std::ops::Deref;

use crate::core::{AString, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::parse::{ascii_str, number64, take_while};
use crate::sequence::{SeqItem, SeqNumber, SequenceSet};

pub mod acl;
pub mod annotate;
pub mod binary;
pub mod catenate;
pub mod compress;
pub mod condstore;
pub mod fuzzy;
pub mod gmail;
pub mod id;
pub mod idle;
pub mod language;
pub mod metadata;
pub mod multiappend;
pub mod namespace;
pub mod notify;
pub mod objectid;
pub mod partial;
pub mod preview;
pub mod quota;
pub mod referrals;
pub mod replace;
pub mod savedate;
pub mod search_context;
pub mod slots;
pub mod sort;
pub mod special_use;
pub mod status_ext;
pub mod uidonly;
pub mod unauthenticate;
pub mod urlauth;
pub mod utf8;
pub mod within;

/// How deeply parentheses (and `NOT`/`OR` search keys) may nest before the parser gives up;
/// keeps the recursive-descent parsers' stack use bounded on hostile input.
pub(crate) const MAX_DEPTH: usize = 250;

/// Fails with [`ErrorKind::InvalidValue`] when `depth` exceeds [`MAX_DEPTH`].
#[inline]
pub(crate) fn check_depth<'a>(i: &'a [u8], depth: usize, rule: &'static str) -> PResult<'a, ()> {
    check_depth_within(i, depth, MAX_DEPTH, rule)
}

/// Fails with [`ErrorKind::InvalidValue`] when `depth` exceeds `max` (a limit from the
/// [`crate::ParseOptions`], never above [`MAX_DEPTH`]).
#[inline]
pub(crate) fn check_depth_within<'a>(
    i: &'a [u8],
    depth: usize,
    max: usize,
    rule: &'static str,
) -> PResult<'a, ()> {
    if depth > max.min(MAX_DEPTH) {
        return fail_kind(i, rule, ErrorKind::InvalidValue);
    }
    Ok((i, ()))
}

/// A list with at least one element: the `x *(SP x)` / `1*x` rules of the grammar.
///
/// ```
/// use mailproto_imap_codec::ext::NonEmpty;
/// assert!(NonEmpty::<u32>::new(vec![]).is_err());
/// assert_eq!(NonEmpty::one(7u32).as_slice(), &[7]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct NonEmpty<T>(Vec<T>);

impl<T> NonEmpty<T> {
    /// The list `items`; fails when it is empty.
    pub fn new(items: Vec<T>) -> Result<Self, ValidationError> {
        if items.is_empty() {
            return Err(ValidationError::new("1*element", None));
        }
        Ok(NonEmpty(items))
    }

    /// A list of one element.
    pub fn one(item: T) -> Self {
        NonEmpty(vec![item])
    }

    /// Built by a parser that has pushed at least one element.
    pub(crate) fn from_parsed(items: Vec<T>) -> Self {
        debug_assert!(!items.is_empty());
        NonEmpty(items)
    }

    /// The elements.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The first element.
    pub fn first(&self) -> &T {
        &self.0[0]
    }

    /// Adds an element at the end.
    pub fn push(&mut self, item: T) {
        self.0.push(item);
    }

    /// The elements as a `Vec`.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> Deref for NonEmpty<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> TryFrom<Vec<T>> for NonEmpty<T> {
    type Error = ValidationError;
    fn try_from(items: Vec<T>) -> Result<Self, ValidationError> {
        Self::new(items)
    }
}

impl<T> From<NonEmpty<T>> for Vec<T> {
    fn from(list: NonEmpty<T>) -> Vec<T> {
        list.0
    }
}

impl<'l, T> IntoIterator for &'l NonEmpty<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: IntoStatic> IntoStatic for NonEmpty<T> {
    type Static = NonEmpty<T::Static>;
    fn into_static(self) -> Self::Static {
        NonEmpty(self.0.into_static())
    }
}

/// `number64 = 1*DIGIT` (RFC 9051 §4.2, §9): an unsigned 63-bit integer, at most
/// 9223372036854775807.
///
/// ```
/// use mailproto_imap_codec::ext::Number64;
/// assert_eq!(Number64::new(4096).unwrap().get(), 4096);
/// assert!(Number64::new(u64::MAX).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Number64(u64);

impl Number64 {
    /// The largest value, 2^63 - 1.
    pub const MAX: Number64 = Number64(i64::MAX as u64);

    /// `n`; fails above [`Number64::MAX`].
    pub fn new(n: u64) -> Result<Self, ValidationError> {
        if n > Self::MAX.0 {
            return Err(ValidationError::new("number64", None));
        }
        Ok(Number64(n))
    }

    /// The value.
    pub fn get(self) -> u64 {
        self.0
    }

    /// Parses `number64`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        number64(i).map(|(r, n)| (r, Number64(n)))
    }
}

impl From<u32> for Number64 {
    fn from(n: u32) -> Self {
        Number64(u64::from(n))
    }
}

impl TryFrom<u64> for Number64 {
    type Error = ValidationError;
    fn try_from(n: u64) -> Result<Self, ValidationError> {
        Self::new(n)
    }
}

impl Encode for Number64 {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.number(self.0);
    }
}

impl IntoStatic for Number64 {
    type Static = Number64;
    fn into_static(self) -> Number64 {
        self
    }
}

fn is_label_fchar(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'-' || b == b'_' || b == b'.'
}

/// `tagged-label-char = tagged-label-fchar / DIGIT / ":"`
pub(crate) fn is_label_char(b: u8) -> bool {
    is_label_fchar(b) || b.is_ascii_digit() || b == b':'
}

/// True when `s` is a `tagged-ext-label`.
pub(crate) fn is_tagged_ext_label(s: &[u8]) -> bool {
    match s.split_first() {
        Some((&f, rest)) => is_label_fchar(f) && rest.iter().all(|&b| is_label_char(b)),
        None => false,
    }
}

/// `SP tagged-ext-val`, as it follows a label in extension data.
pub(crate) fn sp_tagged_ext_val<const CMD: bool>(i: &[u8]) -> PResult<'_, TaggedExtVal<'_>> {
    let (i, ()) = crate::parse::sp(i)?;
    TaggedExtVal::parse::<CMD>(i)
}

/// `tagged-ext-label = tagged-label-fchar *tagged-label-char` (RFC 9051 §9, RFC 4466 §2.1):
/// the name of an extension parameter, e.g. a `search-modifier-name`.
///
/// ```
/// use mailproto_imap_codec::ext::TaggedExtLabel;
/// assert!(TaggedExtLabel::new("X-PARTIAL").is_ok());
/// assert!(TaggedExtLabel::new("1ABC").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct TaggedExtLabel<'a>(Cow<'a, str>);

impl<'a> TaggedExtLabel<'a> {
    /// Checks `label` against the rule.
    pub fn new(label: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let label = label.into();
        let b = label.as_bytes();
        match b.first() {
            None => return Err(ValidationError::new("tagged-ext-label", None)),
            Some(&c) if !is_label_fchar(c) => {
                return Err(ValidationError::new("tagged-ext-label", Some(0)));
            }
            _ => {}
        }
        if let Some(p) = b.iter().position(|&c| !is_label_char(c)) {
            return Err(ValidationError::new("tagged-ext-label", Some(p)));
        }
        Ok(TaggedExtLabel(label))
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses `tagged-ext-label`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        match i.first() {
            Some(&c) if is_label_fchar(c) => {
                let (rest, run) = take_while(&i[1..], is_label_char);
                let n = 1 + run.len();
                Ok((rest, TaggedExtLabel(Cow::Borrowed(ascii_str(&i[..n])))))
            }
            _ => fail(i, "tagged-ext-label"),
        }
    }
}

impl Encode for TaggedExtLabel<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.0.as_bytes());
    }
}

impl IntoStatic for TaggedExtLabel<'_> {
    type Static = TaggedExtLabel<'static>;
    fn into_static(self) -> TaggedExtLabel<'static> {
        TaggedExtLabel(self.0.into_static())
    }
}

/// `tagged-ext-simple = sequence-set / number / number64` (RFC 9051 §9).
///
/// A plain number (`5`) is always a number; anything else that is a sequence set
/// (`1:5`, `*`, `$`, `2,4`) is a sequence set. Constructors normalize accordingly, so a value
/// reads back exactly as it was built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TaggedExtSimple(SimpleRepr);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
enum SimpleRepr {
    Number(u64),
    Set(SequenceSet),
}

impl TaggedExtSimple {
    /// A `number64`; fails above 9223372036854775807.
    pub fn number(n: u64) -> Result<Self, ValidationError> {
        if n > i64::MAX as u64 {
            return Err(ValidationError::new("number64", None));
        }
        Ok(TaggedExtSimple(SimpleRepr::Number(n)))
    }

    /// A sequence set (a set holding one plain number becomes that number).
    pub fn sequence_set(set: SequenceSet) -> Self {
        if let SequenceSet::Items(items) = &set
            && let [SeqItem::Single(SeqNumber::Value(n))] = items.as_slice()
        {
            return TaggedExtSimple(SimpleRepr::Number(u64::from(n.get())));
        }
        TaggedExtSimple(SimpleRepr::Set(set))
    }

    /// The value when it is a plain number.
    pub fn as_number(&self) -> Option<u64> {
        match &self.0 {
            SimpleRepr::Number(n) => Some(*n),
            SimpleRepr::Set(_) => None,
        }
    }

    /// The value as a sequence set, when it is one (a non-zero plain number of at most
    /// 4294967295 is also a sequence set).
    pub fn to_sequence_set(&self) -> Option<SequenceSet> {
        match &self.0 {
            SimpleRepr::Set(s) => Some(s.clone()),
            SimpleRepr::Number(n) => SequenceSet::single(u32::try_from(*n).ok()?).ok(),
        }
    }

    /// Parses `tagged-ext-simple`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        match i.first() {
            Some(b'*' | b'$') => {
                SequenceSet::parse(i).map(|(r, s)| (r, TaggedExtSimple(SimpleRepr::Set(s))))
            }
            Some(b'0'..=b'9') => {
                let (after, _) = take_while(i, |b| b.is_ascii_digit());
                if matches!(after.first(), Some(b':' | b',')) {
                    SequenceSet::parse(i).map(|(r, s)| (r, TaggedExtSimple(SimpleRepr::Set(s))))
                } else {
                    number64(i).map(|(r, n)| (r, TaggedExtSimple(SimpleRepr::Number(n))))
                }
            }
            _ => fail(i, "tagged-ext-simple"),
        }
    }
}

impl Encode for TaggedExtSimple {
    fn encode(&self, e: &mut Encoder<'_>) {
        match &self.0 {
            SimpleRepr::Number(n) => {
                e.number(*n);
            }
            SimpleRepr::Set(s) => s.encode(e),
        }
    }
}

impl IntoStatic for TaggedExtSimple {
    type Static = TaggedExtSimple;
    fn into_static(self) -> TaggedExtSimple {
        self
    }
}

/// One element of `tagged-ext-comp` / `option-val-comp` (RFC 9051 §9): an `astring`, or a
/// parenthesised, non-empty, space-separated list of elements.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TaggedExtComp<'a> {
    /// `astring`
    AString(AString<'a>),
    /// `"(" tagged-ext-comp ")"`
    Paren(NonEmpty<TaggedExtComp<'a>>),
}

impl<'a> TaggedExtComp<'a> {
    /// Parses `tagged-ext-comp`: elements separated by single spaces, up to (not including)
    /// the `)` that closes the enclosing list.
    pub(crate) fn parse_list<const CMD: bool>(
        i: &'a [u8],
        depth: usize,
    ) -> PResult<'a, NonEmpty<Self>> {
        let (_, ()) = check_depth(i, depth, "tagged-ext-comp")?;
        let mut out = Vec::new();
        let mut i = i;
        loop {
            let (rest, item) = match i.first() {
                Some(b'(') => {
                    let (rest, inner) = Self::parse_list::<CMD>(&i[1..], depth + 1)?;
                    let (rest, ()) = crate::parse::rparen(rest)?;
                    (rest, TaggedExtComp::Paren(inner))
                }
                _ => {
                    let (rest, a) = AString::parse::<CMD>(i).map_err(|e| {
                        e.map(|mut e| {
                            if e.input.len() == i.len() {
                                e.expected = "tagged-ext-comp";
                            }
                            e
                        })
                    })?;
                    (rest, TaggedExtComp::AString(a))
                }
            };
            out.push(item);
            if rest.first() == Some(&b' ') {
                i = &rest[1..];
            } else {
                return Ok((rest, NonEmpty(out)));
            }
        }
    }

    /// Writes elements separated by single spaces.
    pub(crate) fn encode_list(items: &[Self], e: &mut Encoder<'_>) {
        e.sp_list(items, |e, c| c.encode(e));
    }
}

impl Encode for TaggedExtComp<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            TaggedExtComp::AString(a) => a.encode(e),
            TaggedExtComp::Paren(items) => {
                e.byte(b'(');
                Self::encode_list(items, e);
                e.byte(b')');
            }
        }
    }
}

impl IntoStatic for TaggedExtComp<'_> {
    type Static = TaggedExtComp<'static>;
    fn into_static(self) -> TaggedExtComp<'static> {
        match self {
            TaggedExtComp::AString(a) => TaggedExtComp::AString(a.into_static()),
            TaggedExtComp::Paren(items) => TaggedExtComp::Paren(items.into_static()),
        }
    }
}

/// `tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TaggedExtVal<'a> {
    /// A number or sequence set.
    Simple(TaggedExtSimple),
    /// `"(" [tagged-ext-comp] ")"`: `()` is an empty list.
    Comp(Vec<TaggedExtComp<'a>>),
}

impl<'a> TaggedExtVal<'a> {
    /// Parses `tagged-ext-val`; string literals may be `{n+}` only where `CMD`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        match i.first() {
            Some(b'(') => {
                if i.get(1) == Some(&b')') {
                    return Ok((&i[2..], TaggedExtVal::Comp(Vec::new())));
                }
                let (rest, items) = TaggedExtComp::parse_list::<CMD>(&i[1..], 1)?;
                let (rest, ()) = crate::parse::rparen(rest)?;
                Ok((rest, TaggedExtVal::Comp(items.into_vec())))
            }
            Some(b'0'..=b'9' | b'*' | b'$') => {
                TaggedExtSimple::parse(i).map(|(r, s)| (r, TaggedExtVal::Simple(s)))
            }
            _ => fail(i, "tagged-ext-val"),
        }
    }
}

impl Encode for TaggedExtVal<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            TaggedExtVal::Simple(s) => s.encode(e),
            TaggedExtVal::Comp(items) => {
                e.byte(b'(');
                TaggedExtComp::encode_list(items, e);
                e.byte(b')');
            }
        }
    }
}

impl IntoStatic for TaggedExtVal<'_> {
    type Static = TaggedExtVal<'static>;
    fn into_static(self) -> TaggedExtVal<'static> {
        match self {
            TaggedExtVal::Simple(s) => TaggedExtVal::Simple(s),
            TaggedExtVal::Comp(items) => TaggedExtVal::Comp(items.into_static()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_all;

    fn enc(v: &impl Encode) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        v.encode(&mut e);
        let _ = e.finish();
        out
    }

    #[test]
    fn tagged_ext_val_forms() {
        for s in [
            "5",
            "0",
            "9223372036854775807",
            "1:5",
            "*",
            "$",
            "2,4:*",
            "()",
            "(a)",
        ] {
            let v = parse_all(s.as_bytes(), TaggedExtVal::parse::<true>).unwrap();
            assert_eq!(enc(&v), s.as_bytes(), "{s}");
        }
        let v = parse_all(b"(a (b \"c d\") ((e)))", TaggedExtVal::parse::<true>).unwrap();
        assert_eq!(enc(&v), b"(a (b \"c d\") ((e)))");
        for bad in ["", "( a)", "(a )", "(())", "9223372036854775808", "x", "(a"] {
            assert!(
                parse_all(bad.as_bytes(), TaggedExtVal::parse::<true>).is_err(),
                "{bad}"
            );
        }
        let deep = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
        let e = parse_all(deep.as_bytes(), TaggedExtVal::parse::<true>).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidValue);
    }

    #[test]
    fn simple_normalizes() {
        let s = TaggedExtSimple::sequence_set(SequenceSet::single(5).unwrap());
        assert_eq!(s.as_number(), Some(5));
        assert_eq!(s, TaggedExtSimple::number(5).unwrap());
        assert!(TaggedExtSimple::number(u64::MAX).is_err());
    }

    #[test]
    fn labels() {
        let (rest, l) = TaggedExtLabel::parse(b"X-a.b:1 5").unwrap();
        assert_eq!((l.as_str(), rest), ("X-a.b:1", &b" 5"[..]));
        assert!(TaggedExtLabel::parse(b"5x").is_err());
        assert!(TaggedExtLabel::new("a b").is_err());
    }
}
