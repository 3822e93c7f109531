//! SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4; §9 `search`, `search-program`,
//! `search-key`, `search-return-opts`, `search-return-opt`, `search-ret-opt-ext`): the full
//! search-key grammar of both RFCs (including RFC 3501's NEW, OLD, RECENT and the `$` saved
//! result of RFC 5182 / RFC 9051 §6.4.4.1), RETURN options (RFC 4731 / RFC 9051:
//! MIN MAX ALL COUNT SAVE and generic extensions) and CHARSET.

use crate::core::{AString, Atom, IntoStatic};
use crate::datetime::Date;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::{NonEmpty, Number64, TaggedExtLabel, TaggedExtVal, check_depth};
use crate::parse::{is_atom_char, paren_list, sp, starts_with_ci, take_while};
use crate::sequence::SequenceSet;

use super::CommandBody;

/// `search-key` (RFC 9051 §9 and RFC 3501 §9).
///
/// ```
/// use imap_codec::{Command, CommandBody};
/// use imap_codec::command::SearchKey;
/// let cmd = Command::parse(b"a SEARCH OR FROM alice NOT SEEN\r\n").unwrap();
/// let CommandBody::Search { criteria, .. } = cmd.body else { panic!() };
/// assert!(matches!(criteria.first(), SearchKey::Or(..)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SearchKey<'a> {
    /// `ALL`
    All,
    /// `ANSWERED`
    Answered,
    /// `BCC SP astring`
    Bcc(AString<'a>),
    /// `BEFORE SP date`
    Before(Date),
    /// `BODY SP astring`
    Body(AString<'a>),
    /// `CC SP astring`
    Cc(AString<'a>),
    /// `DELETED`
    Deleted,
    /// `DRAFT`
    Draft,
    /// `FLAGGED`
    Flagged,
    /// `FROM SP astring`
    From(AString<'a>),
    /// `HEADER SP header-fld-name SP astring`
    Header(AString<'a>, AString<'a>),
    /// `KEYWORD SP flag-keyword`
    Keyword(Atom<'a>),
    /// `LARGER SP number64`
    Larger(Number64),
    /// `NEW` (RFC 3501)
    New,
    /// `NOT SP search-key`
    Not(Box<SearchKey<'a>>),
    /// `OLD` (RFC 3501)
    Old,
    /// `ON SP date`
    On(Date),
    /// `OR SP search-key SP search-key`
    Or(Box<SearchKey<'a>>, Box<SearchKey<'a>>),
    /// `RECENT` (RFC 3501)
    Recent,
    /// `SEEN`
    Seen,
    /// `SENTBEFORE SP date`
    SentBefore(Date),
    /// `SENTON SP date`
    SentOn(Date),
    /// `SENTSINCE SP date`
    SentSince(Date),
    /// `SINCE SP date`
    Since(Date),
    /// `SMALLER SP number64`
    Smaller(Number64),
    /// `SUBJECT SP astring`
    Subject(AString<'a>),
    /// `TEXT SP astring`
    Text(AString<'a>),
    /// `TO SP astring`
    To(AString<'a>),
    /// `UID SP sequence-set`
    Uid(SequenceSet),
    /// `UNANSWERED`
    Unanswered,
    /// `UNDELETED`
    Undeleted,
    /// `UNDRAFT`
    Undraft,
    /// `UNFLAGGED`
    Unflagged,
    /// `UNKEYWORD SP flag-keyword`
    Unkeyword(Atom<'a>),
    /// `UNSEEN`
    Unseen,
    /// `sequence-set` (message sequence numbers, or `$`)
    SequenceSet(SequenceSet),
    /// `"(" search-key *(SP search-key) ")"`: all must match.
    And(NonEmpty<SearchKey<'a>>),
}

/// Search keys without arguments, by name.
const SIMPLE_KEYS: &[(&str, SearchKey<'static>)] = &[
    ("ALL", SearchKey::All),
    ("ANSWERED", SearchKey::Answered),
    ("DELETED", SearchKey::Deleted),
    ("DRAFT", SearchKey::Draft),
    ("FLAGGED", SearchKey::Flagged),
    ("NEW", SearchKey::New),
    ("OLD", SearchKey::Old),
    ("RECENT", SearchKey::Recent),
    ("SEEN", SearchKey::Seen),
    ("UNANSWERED", SearchKey::Unanswered),
    ("UNDELETED", SearchKey::Undeleted),
    ("UNDRAFT", SearchKey::Undraft),
    ("UNFLAGGED", SearchKey::Unflagged),
    ("UNSEEN", SearchKey::Unseen),
];

fn astring(i: &[u8]) -> PResult<'_, AString<'_>> {
    AString::parse::<true>(i)
}

impl<'a> SearchKey<'a> {
    /// Parses one `search-key`, nested at most [`crate::ext::MAX_DEPTH`] deep. Only the
    /// nesting forms recurse; their frames stay small (the other keys are parsed by
    /// [`parse_leaf`], kept out of line).
    pub(crate) fn parse(i: &'a [u8], depth: usize) -> PResult<'a, Self> {
        let (_, ()) = check_depth(i, depth, "search-key")?;
        if i.first() == Some(&b'(') {
            let (rest, keys) = paren_list(i, false, |j| SearchKey::parse(j, depth + 1))?;
            return Ok((rest, SearchKey::And(NonEmpty::from_parsed(keys))));
        }
        if starts_with_ci(i, b"NOT ") {
            let (r, k) = SearchKey::parse(&i[4..], depth + 1)?;
            return Ok((r, SearchKey::Not(Box::new(k))));
        }
        if starts_with_ci(i, b"OR ") {
            let (r, a) = SearchKey::parse(&i[3..], depth + 1)?;
            let (r, ()) = sp(r)?;
            let (r, b) = SearchKey::parse(r, depth + 1)?;
            return Ok((r, SearchKey::Or(Box::new(a), Box::new(b))));
        }
        parse_leaf(i)
    }
}

/// Every `search-key` except `"(" ... ")"`, `NOT` and `OR` with their SP.
#[inline(never)]
fn parse_leaf(i: &[u8]) -> PResult<'_, SearchKey<'_>> {
    if let Some(b'0'..=b'9' | b'*' | b'$') = i.first() {
        return SequenceSet::parse(i).map(|(r, s)| (r, SearchKey::SequenceSet(s)));
    }
    let (rest, name) = take_while(i, |b| b.is_ascii_alphabetic());
    if name.is_empty() || rest.first().is_some_and(|&b| is_atom_char(b)) {
        return fail(i, "search-key");
    }
    if let Some((_, key)) = SIMPLE_KEYS
        .iter()
        .find(|(n, _)| name.eq_ignore_ascii_case(n.as_bytes()))
    {
        return Ok((rest, key.clone()));
    }
    let mut upper = [0u8; 10];
    let Some(dst) = upper.get_mut(..name.len()) else {
        return fail(i, "search-key");
    };
    for (d, s) in dst.iter_mut().zip(name) {
        *d = s.to_ascii_uppercase();
    }
    macro_rules! arg {
        ($p:expr, $v:expr) => {{
            let (r, ()) = sp(rest)?;
            let (r, a) = $p(r)?;
            Ok((r, $v(a)))
        }};
    }
    match &*dst {
        b"BCC" => arg!(astring, SearchKey::Bcc),
        b"BODY" => arg!(astring, SearchKey::Body),
        b"CC" => arg!(astring, SearchKey::Cc),
        b"FROM" => arg!(astring, SearchKey::From),
        b"SUBJECT" => arg!(astring, SearchKey::Subject),
        b"TEXT" => arg!(astring, SearchKey::Text),
        b"TO" => arg!(astring, SearchKey::To),
        b"BEFORE" => arg!(Date::parse, SearchKey::Before),
        b"ON" => arg!(Date::parse, SearchKey::On),
        b"SINCE" => arg!(Date::parse, SearchKey::Since),
        b"SENTBEFORE" => arg!(Date::parse, SearchKey::SentBefore),
        b"SENTON" => arg!(Date::parse, SearchKey::SentOn),
        b"SENTSINCE" => arg!(Date::parse, SearchKey::SentSince),
        b"LARGER" => arg!(Number64::parse, SearchKey::Larger),
        b"SMALLER" => arg!(Number64::parse, SearchKey::Smaller),
        b"UID" => arg!(SequenceSet::parse, SearchKey::Uid),
        b"KEYWORD" => arg!(flag_keyword, SearchKey::Keyword),
        b"UNKEYWORD" => arg!(flag_keyword, SearchKey::Unkeyword),
        b"HEADER" => {
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
        // NOT / OR without their SP (the nesting forms are handled by the caller).
        b"NOT" | b"OR" => sp(rest).and_then(|_| fail(i, "search-key")),
        _ => fail(i, "search-key"),
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

impl Encode for SearchKey<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        use SearchKey as K;
        fn kw<T: Encode + ?Sized>(e: &mut Encoder<'_>, name: &str, v: &T) {
            e.raw(name.as_bytes()).sp();
            v.encode(e);
        }
        match self {
            K::Bcc(s) => kw(e, "BCC", s),
            K::Body(s) => kw(e, "BODY", s),
            K::Cc(s) => kw(e, "CC", s),
            K::From(s) => kw(e, "FROM", s),
            K::Subject(s) => kw(e, "SUBJECT", s),
            K::Text(s) => kw(e, "TEXT", s),
            K::To(s) => kw(e, "TO", s),
            K::Before(d) => kw(e, "BEFORE", d),
            K::On(d) => kw(e, "ON", d),
            K::Since(d) => kw(e, "SINCE", d),
            K::SentBefore(d) => kw(e, "SENTBEFORE", d),
            K::SentOn(d) => kw(e, "SENTON", d),
            K::SentSince(d) => kw(e, "SENTSINCE", d),
            K::Larger(n) => kw(e, "LARGER", n),
            K::Smaller(n) => kw(e, "SMALLER", n),
            K::Uid(s) => kw(e, "UID", s),
            K::Keyword(a) => kw(e, "KEYWORD", a),
            K::Unkeyword(a) => kw(e, "UNKEYWORD", a),
            K::Header(f, v) => {
                kw(e, "HEADER", f);
                e.sp();
                v.encode(e);
            }
            K::Not(k) => kw(e, "NOT", &**k),
            K::Or(a, b) => {
                kw(e, "OR", &**a);
                e.sp();
                b.encode(e);
            }
            K::SequenceSet(s) => s.encode(e),
            K::And(keys) => {
                e.paren_list(keys, |e, k| k.encode(e));
            }
            simple => {
                if let Some((name, _)) = SIMPLE_KEYS.iter().find(|(_, k)| k == simple) {
                    e.raw(name.as_bytes());
                }
            }
        }
    }
}

impl IntoStatic for SearchKey<'_> {
    type Static = SearchKey<'static>;
    fn into_static(self) -> SearchKey<'static> {
        use SearchKey as K;
        match self {
            K::All => K::All,
            K::Answered => K::Answered,
            K::Bcc(s) => K::Bcc(s.into_static()),
            K::Before(d) => K::Before(d),
            K::Body(s) => K::Body(s.into_static()),
            K::Cc(s) => K::Cc(s.into_static()),
            K::Deleted => K::Deleted,
            K::Draft => K::Draft,
            K::Flagged => K::Flagged,
            K::From(s) => K::From(s.into_static()),
            K::Header(f, v) => K::Header(f.into_static(), v.into_static()),
            K::Keyword(a) => K::Keyword(a.into_static()),
            K::Larger(n) => K::Larger(n),
            K::New => K::New,
            K::Not(k) => K::Not(k.into_static()),
            K::Old => K::Old,
            K::On(d) => K::On(d),
            K::Or(a, b) => K::Or(a.into_static(), b.into_static()),
            K::Recent => K::Recent,
            K::Seen => K::Seen,
            K::SentBefore(d) => K::SentBefore(d),
            K::SentOn(d) => K::SentOn(d),
            K::SentSince(d) => K::SentSince(d),
            K::Since(d) => K::Since(d),
            K::Smaller(n) => K::Smaller(n),
            K::Subject(s) => K::Subject(s.into_static()),
            K::Text(s) => K::Text(s.into_static()),
            K::To(s) => K::To(s.into_static()),
            K::Uid(s) => K::Uid(s),
            K::Unanswered => K::Unanswered,
            K::Undeleted => K::Undeleted,
            K::Undraft => K::Undraft,
            K::Unflagged => K::Unflagged,
            K::Unkeyword(a) => K::Unkeyword(a.into_static()),
            K::Unseen => K::Unseen,
            K::SequenceSet(s) => K::SequenceSet(s),
            K::And(keys) => K::And(keys.into_static()),
        }
    }
}

/// The names of the return options SEARCH defines itself.
const RETURN_NAMES: [&str; 5] = ["MIN", "MAX", "ALL", "COUNT", "SAVE"];

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
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
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
            SearchReturnOpt::Extension(x) => SearchReturnOpt::Extension(SearchRetOptExt {
                name: x.name.into_static(),
                params: x.params.into_static(),
            }),
        }
    }
}

/// `"SEARCH" [search-return-opts] SP search-program` after the name.
pub(super) fn parse_search(i: &[u8], uid: bool) -> PResult<'_, CommandBody<'_>> {
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
    let (mut i, first) = SearchKey::parse(i, 0)?;
    let mut criteria = vec![first];
    while i.first() == Some(&b' ') {
        let (r, k) = SearchKey::parse(&i[1..], 0)?;
        criteria.push(k);
        i = r;
    }
    Ok((
        i,
        CommandBody::Search {
            uid,
            return_opts,
            charset,
            criteria: NonEmpty::from_parsed(criteria),
        },
    ))
}

/// Writes the SEARCH arguments after the name.
pub(super) fn encode_search(
    return_opts: Option<&[SearchReturnOpt<'_>]>,
    charset: Option<&AString<'_>>,
    criteria: &NonEmpty<SearchKey<'_>>,
    e: &mut Encoder<'_>,
) {
    if let Some(opts) = return_opts {
        e.raw(b" RETURN ").paren_list(opts, |e, o| o.encode(e));
    }
    if let Some(cs) = charset {
        e.raw(b" CHARSET ");
        cs.encode(e);
    }
    for k in criteria {
        e.sp();
        k.encode(e);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip};
    use super::*;
    use crate::Command;
    use crate::error::ErrorKind;

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
        // Quoted dates are accepted and written unquoted.
        let c = Command::parse(b"a SEARCH SINCE \"1-Feb-1994\"\r\n").unwrap();
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        assert_eq!(out, b"a SEARCH SINCE 1-Feb-1994\r\n");
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
