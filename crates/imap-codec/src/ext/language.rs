//! LANGUAGE and I18NLEVEL (RFC 5255): the language of the server's human-readable text
//! (§3) and the comparator used for SEARCH and SORT (§4).
//!
//! ```text
//! command-any      =/ language-cmd                                    ; RFC 5255 §3.5
//! language-cmd     = "LANGUAGE" *(SP lang-range-quoted)
//! response-payload =/ language-data
//! language-data    = "LANGUAGE" SP "(" lang-tag-quoted *(SP lang-tag-quoted) ")"
//! namespace-trans  = SP DQUOTE "TRANSLATION" DQUOTE SP "(" string ")"
//! lang-range-quoted = astring
//! lang-tag-quoted  = astring
//! command-auth     =/ comparator-cmd                                  ; RFC 5255 §4.10
//! resp-text-code   =/ "BADCOMPARATOR"
//! comparator-cmd   = "COMPARATOR" *(SP comp-order-quoted)
//! response-payload =/ comparator-data
//! comparator-data  = "COMPARATOR" SP comp-sel-quoted [SP "(" comp-id-quoted
//!                    *(SP comp-id-quoted) ")"]
//! comp-id-quoted / comp-order-quoted / comp-sel-quoted = astring
//! ```
//!
//! The commands are the `Language` and `Comparator` rows of the command table, the responses
//! the `Language` and `Comparator` rows of the data table, `BADCOMPARATOR` a row of the code
//! table. The language tags (RFC 4646) and collation names (RFC 4790) are kept as the
//! `astring`s the grammar says they are; their inner syntax is not checked. The NAMESPACE
//! `TRANSLATION` extension is a `namespace-response-extension` and parses as one
//! ([`crate::ext::namespace`]). After a LANGUAGE change the server's `resp-text` may hold
//! UTF-8 (§3.5 `UTF8-TEXT-CHAR`), which the `text` rule of this crate (RFC 9051) accepts.

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::context::Ctx;
use crate::core::AString;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::ext::NonEmpty;
use crate::parse::{paren_list, sp};

/// `*(SP astring)`: the arguments of LANGUAGE and COMPARATOR.
pub(crate) fn sp_astrings(mut i: &[u8]) -> PResult<'_, Vec<AString<'_>>> {
    let mut out = Vec::new();
    while i.first() == Some(&b' ') {
        let (rest, a) = AString::parse::<true>(&i[1..])?;
        out.push(a);
        i = rest;
    }
    Ok((i, out))
}

/// Writes `*(SP astring)`.
pub(crate) fn encode_sp_astrings(items: &[AString<'_>], e: &mut Encoder<'_>) {
    for a in items {
        e.sp();
        a.encode(e);
    }
}

/// `"(" astring *(SP astring) ")"` in a response.
fn astring_list(i: &[u8]) -> PResult<'_, NonEmpty<AString<'_>>> {
    let (i, list) = paren_list(i, false, AString::parse::<false>)?;
    Ok((i, NonEmpty::from_parsed(list)))
}

/// `language-data` after the name: `SP "(" lang-tag-quoted *(SP lang-tag-quoted) ")"`
/// (RFC 5255 §3.3). One tag: the language now in use; several: the languages offered.
pub(crate) fn parse_language_data<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
) -> PResult<'a, NonEmpty<AString<'a>>> {
    let (i, ()) = sp(i)?;
    astring_list(i)
}

/// Writes `language-data` after the name.
pub(crate) fn encode_language_data(tags: &NonEmpty<AString<'_>>, e: &mut Encoder<'_>) {
    e.sp().paren_list(tags, |e, t| t.encode(e));
}

/// `comparator-data = "COMPARATOR" SP comp-sel-quoted [SP "(" comp-id-quoted *(SP
/// comp-id-quoted) ")"]` (RFC 5255 §4.8, §4.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ComparatorData<'a> {
    /// `comp-sel-quoted`: the active comparator.
    pub active: AString<'a>,
    /// The comparators that matched the command's arguments, when more than one did.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub matching: Option<NonEmpty<AString<'a>>>,
}

impl<'a> ComparatorData<'a> {
    /// Parses `comparator-data` after the name.
    pub(crate) fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let (i, active) = AString::parse::<false>(i)?;
        let (i, matching) = if i.first() == Some(&b' ') {
            let (i, list) = astring_list(&i[1..])?;
            (i, Some(list))
        } else {
            (i, None)
        };
        Ok((i, ComparatorData { active, matching }))
    }

    /// Writes `comparator-data` after the name.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        e.sp();
        self.active.encode(e);
        if let Some(m) = &self.matching {
            e.sp().paren_list(m, |e, c| c.encode(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{CommandBody, CommandKind, States};
    use crate::prelude::*;
    use crate::response::{Data, Response};
    use crate::{Capability, Code};

    fn response(line: &str) -> Response<'_> {
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), line);
        r
    }

    /// RFC 5255 §3.2's and §4.7's command examples.
    #[test]
    fn commands() {
        for line in [
            "A002 LANGUAGE MUL\r\n",
            "A003 LANGUAGE\r\n",
            "C001 LANGUAGE DE\r\n",
            "D002 LANGUAGE DE-IT\r\n",
            "D003 LANGUAGE \"default\"\r\n",
            "E001 LANGUAGE FR-CA EN-CA\r\n",
            "A001 COMPARATOR \"cz;*\" i;basic\r\n",
            "A001 COMPARATOR\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"E001 LANGUAGE FR-CA EN-CA\r\n", true);
        let CommandBody::Language { ranges } = &c.body else {
            panic!()
        };
        assert_eq!(ranges.len(), 2);
        assert_eq!(CommandKind::Language.states(), States::ANY);
        assert_eq!(CommandKind::Comparator.states(), States::AUTH);
        assert_eq!(
            CommandKind::Language.capability(),
            Some(Capability::Language)
        );
        rejects(b"a LANGUAGE \r\n", 11, "astring");
        rejects(b"a LANGUAGE (EN)\r\n", 11, "astring");
        rejects(b"a COMPARATOR  x\r\n", 13, "astring");
    }

    /// RFC 5255 §3.2's, §3.4's and §4.7's responses.
    #[test]
    fn responses() {
        let r = response("* LANGUAGE (EN DE IT i-default)\r\n");
        let Response::Data(Data::Language(tags)) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(tags.len(), 4);
        response("* LANGUAGE (DE)\r\n");
        let r = response("* COMPARATOR i;basic\r\n");
        let Response::Data(Data::Comparator(c)) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(
            (c.active.as_bytes(), c.matching.is_none()),
            (&b"i;basic"[..], true)
        );
        response("* COMPARATOR i;basic (i;basic \"i;ascii-casemap\")\r\n");
        response(
            "* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\" \"TRANSLATION\" \
(\"Andere Ben&APw-tzer/\"))) ((\"Public Folders/\" \"/\" \"TRANSLATION\" \
(\"Gemeinsame Postf&AM8-cher/\")))\r\n",
        );
        response("A001 OK Sprachwechsel durch LANGUAGE-Befehl ausgef\u{fc}hrt\r\n");
        let r = response("A1 NO [BADCOMPARATOR] No such comparator\r\n");
        let Response::Status(s) = &r else { panic!() };
        assert_eq!(s.code(), Some(&Code::BadComparator));
        for bad in [
            &b"* LANGUAGE ()\r\n"[..],
            b"* LANGUAGE EN\r\n",
            b"* LANGUAGE\r\n",
            b"* COMPARATOR\r\n",
            b"* COMPARATOR a ()\r\n",
            b"* COMPARATOR a (b\r\n",
        ] {
            assert!(Response::parse(bad).is_err(), "{bad:?}");
        }
        let Response::Status(s) = Response::parse(b"A1 NO [BADCOMPARATOR x] y\r\n").unwrap() else {
            panic!()
        };
        assert_eq!(s.code(), None, "not a code: text");
    }
}
