//! SORT and THREAD (RFC 5256; grammar: §5), with the DISPLAYFROM and DISPLAYTO sort keys of
//! SORT=DISPLAY (RFC 5957 §4), the `REFS` thread algorithm of THREAD=REFS, ESORT's
//! `SORT RETURN (...)` (RFC 5267 §3, §5 `extended-sort`) and the mod-sequence after SORT's
//! numbers (RFC 7162 §3.1.5, §7 `sort-data`).
//!
//! - Commands: the `Sort` and `Thread` rows of the command table
//!   ([`crate::command::CommandBody::Sort`], [`crate::command::CommandBody::Thread`]), UID
//!   forms included; the search keys are those of SEARCH ([`crate::command::SearchKey`]).
//! - Responses: `* SORT` ([`crate::response::Data::Sort`], a [`crate::response::SearchData`]:
//!   numbers and an optional mod-sequence) and `* THREAD` ([`crate::response::Data::Thread`],
//!   a list of [`Thread`] trees, nested at most 250 deep (the parser's bound) or the
//!   [`crate::ParseOptions`]' `max_depth`).
//!
//! THREAD=REFS has no RFC: its algorithm name `REFS` comes from the draft successor of RFC
//! 5256 (draft-ietf-morg-inthread, "THREAD=REFS"), which keeps RFC 5256's grammar; `REFS` is a
//! `thread-alg-ext` atom and [`ThreadAlgorithm::Refs`] only names it.

use std::num::NonZeroU32;

use crate::context::Ctx;
use crate::core::{AString, Atom, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::{NonEmpty, check_depth_within};
use crate::parse::{
    is_atom_char, lparen, nz_number, paren_list, rparen, sp, starts_with_ci, take_while,
};

use crate::command::{CommandBody, SearchKey, SearchReturnOpt};

/// `sort-key` (RFC 5256 §5; RFC 5957 §4 adds DISPLAYFROM and DISPLAYTO, RFC 6203 §7
/// RELEVANCY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SortKey {
    /// `ARRIVAL`: internal date and time.
    Arrival,
    /// `CC`: the first CC address's mailbox.
    Cc,
    /// `DATE`: the Date header.
    Date,
    /// `FROM`: the first From address's mailbox.
    From,
    /// `SIZE`: RFC822.SIZE.
    Size,
    /// `SUBJECT`: the base subject (RFC 5256 §2.1).
    Subject,
    /// `TO`: the first To address's mailbox.
    To,
    /// `DISPLAYFROM` (RFC 5957 §4): the display name of the first From address.
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957 §4).
    DisplayTo,
    /// `RELEVANCY` (RFC 6203 §6, §7 `sort-key =/ "RELEVANCY"`): the FUZZY score, highest
    /// first (meaningful only with a FUZZY search key).
    Relevancy,
}

impl SortKey {
    /// Every key.
    pub const ALL: &'static [SortKey] = &[
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::Date,
        SortKey::From,
        SortKey::Size,
        SortKey::Subject,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
        SortKey::Relevancy,
    ];

    /// The name as sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Cc => "CC",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Size => "SIZE",
            SortKey::Subject => "SUBJECT",
            SortKey::To => "TO",
            SortKey::DisplayFrom => "DISPLAYFROM",
            SortKey::DisplayTo => "DISPLAYTO",
            SortKey::Relevancy => "RELEVANCY",
        }
    }

    fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (r, name) = take_while(i, |b| b.is_ascii_alphabetic());
        match SortKey::ALL
            .iter()
            .find(|k| name.eq_ignore_ascii_case(k.as_str().as_bytes()))
        {
            Some(k) if !r.first().is_some_and(|&b| is_atom_char(b)) => Ok((r, *k)),
            _ => fail(i, "sort-key"),
        }
    }
}

/// `sort-criterion = ["REVERSE" SP] sort-key` (RFC 5256 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SortCriterion {
    /// `REVERSE`
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

impl SortCriterion {
    fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (i, reverse) = if starts_with_ci(i, b"REVERSE ") {
            (&i[8..], true)
        } else {
            (i, false)
        };
        let (i, key) = SortKey::parse(i)?;
        Ok((i, SortCriterion { reverse, key }))
    }
}

impl Encode for SortCriterion {
    fn encode(&self, e: &mut Encoder<'_>) {
        if self.reverse {
            e.raw(b"REVERSE ");
        }
        e.raw(self.key.as_str().as_bytes());
    }
}

/// `thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext`, `thread-alg-ext = atom`
/// (RFC 5256 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ThreadAlgorithm<'a> {
    /// `ORDEREDSUBJECT` (RFC 5256 §3).
    OrderedSubject,
    /// `REFERENCES` (RFC 5256 §3).
    References,
    /// `REFS` (THREAD=REFS; see the module documentation).
    Refs,
    /// Any other algorithm (an atom none of the above).
    Other(Atom<'a>),
}

impl<'a> ThreadAlgorithm<'a> {
    /// An algorithm by name: the known ones by their variant, any other atom as `Other`.
    pub fn new(name: &'a str) -> Result<Self, ValidationError> {
        Ok(Self::from_atom(Atom::new(name)?))
    }

    fn from_atom(a: Atom<'a>) -> Self {
        let s = a.as_str();
        if s.eq_ignore_ascii_case("ORDEREDSUBJECT") {
            ThreadAlgorithm::OrderedSubject
        } else if s.eq_ignore_ascii_case("REFERENCES") {
            ThreadAlgorithm::References
        } else if s.eq_ignore_ascii_case("REFS") {
            ThreadAlgorithm::Refs
        } else {
            ThreadAlgorithm::Other(a)
        }
    }

    /// The name as sent.
    pub fn as_str(&self) -> &str {
        match self {
            ThreadAlgorithm::OrderedSubject => "ORDEREDSUBJECT",
            ThreadAlgorithm::References => "REFERENCES",
            ThreadAlgorithm::Refs => "REFS",
            ThreadAlgorithm::Other(a) => a.as_str(),
        }
    }
}

/// `charset = atom / quoted` (RFC 5256 §5): an astring that is not a literal.
fn charset(i: &[u8]) -> PResult<'_, AString<'_>> {
    if i.first() == Some(&b'{') {
        return fail(i, "charset");
    }
    let (r, cs) = AString::parse::<true>(i).map_err(|e| {
        e.map(|mut e| {
            if e.input.len() == i.len() {
                e.expected = "charset";
            }
            e
        })
    })?;
    // An atom has no `]` (RFC 9051 §9 `atom-specials` include `resp-specials`).
    if matches!(&cs, AString::Atom(_)) && cs.as_bytes().contains(&b']') {
        return fail(i, "charset");
    }
    Ok((r, cs))
}

/// `search-criteria = charset 1*(SP search-key)` (RFC 5256 §5), after its SP.
fn search_criteria<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
) -> PResult<'a, (AString<'a>, NonEmpty<SearchKey<'a>>)> {
    let (i, cs) = charset(i)?;
    let max = cx.options().max_depth;
    let mut keys = Vec::new();
    let mut i = i;
    loop {
        let (r, ()) = sp(i)?;
        let (r, k) = SearchKey::parse(r, 0, max)?;
        keys.push(k);
        i = r;
        if i.first() != Some(&b' ') {
            break;
        }
    }
    Ok((i, (cs, NonEmpty::from_parsed(keys))))
}

/// `sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria` (RFC 5256 §5), and
/// `extended-sort = ["UID" SP] "SORT" search-return-opts SP sort-criteria SP search-criteria`
/// (RFC 5267 §5): what follows the name.
pub(crate) fn parse_sort<'a>(i: &'a [u8], cx: &Ctx<'_>, uid: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, return_opts) =
        if starts_with_ci(i, b" RETURN") && !i.get(7).is_some_and(|&b| is_atom_char(b)) {
            let (r, ()) = sp(&i[7..])?;
            let (r, opts) = paren_list(r, true, SearchReturnOpt::parse)?;
            (r, Some(opts))
        } else {
            (i, None)
        };
    let (i, ()) = sp(i)?;
    let (i, criteria) = crate::parse::rule("sort-criteria", |i| {
        paren_list(i, false, SortCriterion::parse)
    })(i)?;
    let (i, ()) = sp(i)?;
    let (i, (charset, keys)) = search_criteria(i, cx)?;
    Ok((
        i,
        CommandBody::Sort {
            uid,
            return_opts,
            criteria: NonEmpty::from_parsed(criteria),
            charset,
            keys,
        },
    ))
}

pub(crate) fn encode_sort(
    _uid: &bool,
    return_opts: &Option<Vec<SearchReturnOpt<'_>>>,
    criteria: &NonEmpty<SortCriterion>,
    charset: &AString<'_>,
    keys: &NonEmpty<SearchKey<'_>>,
    e: &mut Encoder<'_>,
) {
    if let Some(opts) = return_opts {
        e.raw(b" RETURN ").paren_list(opts, |e, o| o.encode(e));
    }
    e.sp().paren_list(criteria, |e, c| c.encode(e));
    encode_search_criteria(charset, keys, e);
}

fn encode_search_criteria(
    charset: &AString<'_>,
    keys: &NonEmpty<SearchKey<'_>>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    charset.encode(e);
    for k in keys {
        e.sp();
        k.encode(e);
    }
}

/// `thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria` (RFC 5256 §5): what
/// follows the name.
pub(crate) fn parse_thread<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
    uid: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, alg) = crate::parse::rule("thread-alg", Atom::parse)(i)?;
    let (i, ()) = sp(i)?;
    let (i, (charset, keys)) = search_criteria(i, cx)?;
    Ok((
        i,
        CommandBody::Thread {
            uid,
            algorithm: ThreadAlgorithm::from_atom(alg),
            charset,
            keys,
        },
    ))
}

pub(crate) fn encode_thread(
    _uid: &bool,
    algorithm: &ThreadAlgorithm<'_>,
    charset: &AString<'_>,
    keys: &NonEmpty<SearchKey<'_>>,
    e: &mut Encoder<'_>,
) {
    e.sp().raw(algorithm.as_str().as_bytes());
    encode_search_criteria(charset, keys, e);
}

/// One `thread-list` of a THREAD response (RFC 5256 §5):
/// `"(" (thread-members / thread-nested) ")"`, `thread-members = nz-number *(SP nz-number)
/// [SP thread-nested]`, `thread-nested = 2*thread-list`. The members are a chain of messages
/// (each the parent of the next); the branches hang under the last member (or, without
/// members, under a dummy parent, RFC 5256 §4). There are never exactly one branch, and
/// never neither members nor branches.
///
/// ```
/// use std::num::NonZeroU32;
/// use mailproto_imap_codec::ext::sort::Thread;
/// let n = |v| NonZeroU32::new(v).unwrap();
/// let leaf = |v| Thread::new(vec![n(v)], vec![]).unwrap();
/// assert!(Thread::new(vec![n(3)], vec![leaf(6), leaf(4)]).is_ok());
/// assert!(Thread::new(vec![n(3)], vec![leaf(6)]).is_err(), "thread-nested = 2*thread-list");
/// assert!(Thread::new(vec![], vec![]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Thread {
    members: Vec<NonZeroU32>,
    branches: Vec<Thread>,
}

impl Thread {
    /// A thread: its chain of members and the branches under the last one.
    pub fn new(members: Vec<NonZeroU32>, branches: Vec<Thread>) -> Result<Self, ValidationError> {
        if branches.len() == 1 || (members.is_empty() && branches.is_empty()) {
            return Err(ValidationError::new("thread-list", None));
        }
        Ok(Thread { members, branches })
    }

    /// The chain of messages.
    pub fn members(&self) -> &[NonZeroU32] {
        &self.members
    }

    /// The branches (none, or at least two).
    pub fn branches(&self) -> &[Thread] {
        &self.branches
    }

    /// How deep the tree nests (1 for a thread without branches).
    pub fn depth(&self) -> usize {
        1 + self.branches.iter().map(Thread::depth).max().unwrap_or(0)
    }

    fn parse(i: &[u8], depth: usize, max: usize) -> PResult<'_, Self> {
        let (_, ()) = check_depth_within(i, depth, max, "thread-list")?;
        let (mut i, ()) = lparen(i)?;
        let mut members = Vec::new();
        // Branches follow the members after an SP, or stand alone.
        let mut nested = i.first() == Some(&b'(');
        if !nested {
            loop {
                let (r, n) = nz_number(i)?;
                members.push(n);
                i = r;
                if i.first() != Some(&b' ') {
                    break;
                }
                i = &i[1..];
                if i.first() == Some(&b'(') {
                    nested = true;
                    break;
                }
            }
        }
        let mut branches = Vec::new();
        if nested {
            while i.first() == Some(&b'(') {
                let (r, t) = Thread::parse(i, depth + 1, max)?;
                branches.push(t);
                i = r;
            }
            if branches.len() < 2 {
                // thread-nested = 2*thread-list
                return fail(i, "thread-list");
            }
        }
        let (i, ()) = rparen(i)?;
        Ok((i, Thread { members, branches }))
    }
}

impl Encode for Thread {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'(');
        for (n, m) in self.members.iter().enumerate() {
            if n > 0 {
                e.sp();
            }
            e.number(u64::from(m.get()));
        }
        if !self.members.is_empty() && !self.branches.is_empty() {
            e.sp();
        }
        for b in &self.branches {
            b.encode(e);
        }
        e.byte(b')');
    }
}

/// `thread-data = "THREAD" [SP 1*thread-list]` (RFC 5256 §5): what follows the name.
pub(crate) fn parse_thread_data<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Vec<Thread>> {
    let mut out = Vec::new();
    if !i.starts_with(b" ") {
        return Ok((i, out));
    }
    let max = ctx.options().max_depth;
    let mut i = &i[1..];
    loop {
        let (r, t) = Thread::parse(i, 0, max)?;
        out.push(t);
        i = r;
        if i.first() != Some(&b'(') {
            return Ok((i, out));
        }
    }
}

/// Writes what follows `THREAD`.
pub(crate) fn encode_thread_data(threads: &[Thread], e: &mut Encoder<'_>) {
    if !threads.is_empty() {
        e.sp();
        for t in threads {
            t.encode(e);
        }
    }
}

#[cfg(test)]
mod tests;
