//! SEARCH=FUZZY (RFC 6203): fuzzy matching of search keys and relevancy scores.
//!
//! RFC 6203 §7 (formal syntax):
//!
//! ```text
//! capability         =/ "SEARCH=FUZZY"
//! score              = 1*3DIGIT
//!    ;; (1 <= n <= 100)
//! score-list         = "(" [score *(SP score)] ")"
//! search-key         =/ "FUZZY" SP search-key
//! search-return-data =/ "RELEVANCY" SP score-list
//! search-return-opt  =/ "RELEVANCY"
//! sort-key           =/ "RELEVANCY"
//! ```
//!
//! - `FUZZY SP search-key` is a row of the `search-key` table
//!   ([`crate::command::SearchKey::Fuzzy`]); like NOT it nests, so it counts against the
//!   nesting limit.
//! - `RELEVANCY` as a return option and as return data conforms to the generic
//!   `search-ret-opt-ext` / `search-ret-data-ext` of RFC 4466 §2.6 (RFC 6203 §7 says so), and
//!   is kept in those generic forms; [`relevancy`] builds the option and [`scores`] reads
//!   the scores out of an ESEARCH response, checking the `score` rule (1 to 100).
//! - `sort-key =/ "RELEVANCY"` is [`crate::ext::sort::SortKey::Relevancy`] (the SORT
//!   module's key table); the examples of §6 are `corpus/imap/rfc6203/6-sort.trace`.
//!
//! The name `FUZZY` is new, so the grammar does not depend on advertising.

use crate::prelude::*;

use crate::command::{SearchRetOptExt, SearchReturnOpt};
use crate::error::ValidationError;
use crate::ext::{TaggedExtComp, TaggedExtLabel, TaggedExtVal};
use crate::response::SearchReturnExt;

/// A relevancy score (RFC 6203 §4: `score = 1*3DIGIT`, 1 to 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Score(u8);

impl Score {
    /// A score of `n`; fails outside 1..=100.
    pub fn new(n: u8) -> Result<Self, ValidationError> {
        if (1..=100).contains(&n) {
            Ok(Score(n))
        } else {
            Err(ValidationError::new("score", None))
        }
    }

    /// The score.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// The return option `RELEVANCY` (RFC 6203 §4).
///
/// ```
/// use mailproto_imap_codec::ext::fuzzy::relevancy;
/// use mailproto_imap_codec::command::SearchReturnOpt;
/// let SearchReturnOpt::Extension(x) = relevancy() else { panic!() };
/// assert_eq!(x.name().as_str(), "RELEVANCY");
/// ```
pub fn relevancy() -> SearchReturnOpt<'static> {
    // "RELEVANCY" is a tagged-ext-label and not one of SEARCH's own option names.
    match TaggedExtLabel::new("RELEVANCY").and_then(|name| SearchRetOptExt::new(name, None)) {
        Ok(x) => SearchReturnOpt::Extension(x),
        Err(_) => unreachable!("RELEVANCY is a valid search-ret-opt-ext"),
    }
}

/// The scores of `RELEVANCY SP score-list` return data (RFC 6203 §4, §7): `None` when `data`
/// is other return data; an error when the list breaks the `score-list` rule (an element
/// that is not a number from 1 to 100 of at most three digits, or a nested list).
pub fn scores(data: &SearchReturnExt<'_>) -> Option<Result<Vec<Score>, ValidationError>> {
    if !data.name().eq_ignore_ascii_case("RELEVANCY") {
        return None;
    }
    let bad = || ValidationError::new("score-list", None);
    let TaggedExtVal::Comp(items) = data.value() else {
        return Some(Err(bad()));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let TaggedExtComp::AString(s) = item else {
            return Some(Err(bad()));
        };
        let text = s.as_bytes();
        if text.is_empty() || text.len() > 3 || !text.iter().all(u8::is_ascii_digit) {
            return Some(Err(bad()));
        }
        let n = text.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        match u8::try_from(n).ok().map(Score::new) {
            Some(Ok(s)) => out.push(s),
            _ => return Some(Err(bad())),
        }
    }
    Some(Ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{CommandBody, SearchKey, SearchKeyKind};
    use crate::response::{Data, SearchReturnData};
    use crate::{Command, Response};

    fn cmd(line: &[u8]) -> Command<'_> {
        let c = Command::parse(line).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        assert_eq!(out, line);
        c
    }

    /// RFC 6203 §3, §4 examples (the SORT ones, §4, need SORT: RFC 5256).
    #[test]
    fn rfc_examples() {
        let c = cmd(b"A1 SEARCH FUZZY (SUBJECT \"IMAP break\")\r\n");
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        let SearchKey::Fuzzy(inner) = criteria.first() else {
            panic!()
        };
        assert_eq!(inner.kind(), SearchKeyKind::And);
        let c = cmd(b"A2 SEARCH FUZZY SUBJECT work FROM user@example.com\r\n");
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        let kinds: Vec<_> = criteria.iter().map(|k| k.kind()).collect();
        assert_eq!(kinds, [SearchKeyKind::Fuzzy, SearchKeyKind::From]);
        let c = cmd(b"B1 SEARCH RETURN (RELEVANCY ALL) FUZZY TEXT \"Helo\"\r\n");
        let CommandBody::Search { return_opts, .. } = &c.body else {
            panic!()
        };
        assert_eq!(return_opts.as_deref().unwrap()[0], relevancy());
        let r =
            Response::parse(b"* ESEARCH (TAG \"B1\") ALL 1,5,10 RELEVANCY (4 99 42)\r\n").unwrap();
        let Response::Data(Data::Esearch(e)) = &r else {
            panic!("{r:?}")
        };
        let found: Vec<_> = e
            .data
            .iter()
            .filter_map(|d| match d {
                SearchReturnData::Other(x) => scores(x),
                _ => None,
            })
            .collect();
        let got: Vec<u8> = found[0].as_ref().unwrap().iter().map(|s| s.get()).collect();
        assert_eq!(got, [4, 99, 42]);
    }

    #[test]
    fn bad_input() {
        let e = Command::parse(b"a SEARCH FUZZY\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (14, "SP"));
        let e = Command::parse(b"a SEARCH FUZZY FOO\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (15, "search-key"));
        let deep = format!("a SEARCH {}ALL\r\n", "FUZZY ".repeat(300));
        assert!(Command::parse(deep.as_bytes()).is_err());
        for bad in ["(0)", "(101)", "(0042)", "((4))", "5"] {
            let line = format!("* ESEARCH ALL 1 RELEVANCY {bad}\r\n");
            let Ok(Response::Data(Data::Esearch(e))) = Response::parse(line.as_bytes()) else {
                continue;
            };
            for d in &e.data {
                if let SearchReturnData::Other(x) = d {
                    assert!(scores(x).unwrap().is_err(), "{bad}");
                }
            }
        }
        assert!(Score::new(0).is_err() && Score::new(101).is_err());
    }
}
