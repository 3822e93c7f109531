//! PREVIEW (RFC 8970): a short plain-text preview of a message.
//!
//! RFC 8970 §6 (formal syntax):
//!
//! ```text
//! capability        =/ "PREVIEW"
//! fetch-att         =/ "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]
//! msg-att-dynamic   =/ "PREVIEW" SP nstring
//! preview-mod       =  "LAZY"
//! ```
//!
//! Rows: [`crate::command::FetchAtt::Preview`] and
//! [`crate::response::MessageAttribute::Preview`] (NIL: no preview yet, under LAZY, §3.2).
//!
//! **Real-world deviation `snippet-fuzzy`.** Before RFC 8970 the draft
//! (draft-ietf-extra-imap-fetch-preview-00 .. -03) named the item `SNIPPET` with a mandatory
//! algorithm list: `FETCH 1 (SNIPPET (FUZZY))`, answered by `SNIPPET (FUZZY nstring)`.
//! Servers still accept that form (Dovecot 2.3 implements both). Under
//! [`crate::context::Profile::RealWorld`] the command item `SNIPPET (FUZZY)` and the
//! response item `SNIPPET (FUZZY nstring)` are accepted as
//! [`crate::command::FetchAtt::Snippet`] / [`crate::response::MessageAttribute::Snippet`],
//! each reported as [`ImapDeviation::SnippetFuzzy`]; the strict profile rejects them
//! (`expected fetch-att` / `expected msg-att`). They encode in the form they were read in.

use crate::command::FetchAtt;
use crate::context::{Ctx, ImapDeviation};
use crate::core::{IntoStatic, NString};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::ext::NonEmpty;
use crate::parse::{keyword, paren_list, rparen, sp, starts_with_ci};

/// `preview-mod = "LAZY"` (RFC 8970 §6): how the server may answer a PREVIEW request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum PreviewMod {
    /// `LAZY`: answer NIL rather than compute a preview now (§3.2).
    Lazy,
}

impl PreviewMod {
    fn parse(i: &[u8]) -> PResult<'_, Self> {
        match keyword(i, "LAZY") {
            Ok((r, ())) if !r.first().is_some_and(|&b| crate::parse::is_atom_char(b)) => {
                Ok((r, PreviewMod::Lazy))
            }
            _ => fail(i, "preview-mod"),
        }
    }
}

impl Encode for PreviewMod {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            PreviewMod::Lazy => e.raw(b"LAZY"),
        };
    }
}

impl IntoStatic for PreviewMod {
    type Static = PreviewMod;
    fn into_static(self) -> PreviewMod {
        self
    }
}

/// The row parser of `PREVIEW`: `[SP "(" preview-mod *(SP preview-mod) ")"]` after the name,
/// for a single (unparenthesised) item.
pub(crate) fn parse_preview_att<'a>(_: &[u8], rest: &'a [u8]) -> PResult<'a, FetchAtt<'a>> {
    // `FETCH 1 PREVIEW (X-FOO 1)`: a single PREVIEW item is followed by the command's
    // `fetch-modifiers` (RFC 4466 §2.4), which also open with SP "(": a list that is not
    // preview-mods is left to them (PREVIEW without modifiers). Inside a list of items no
    // modifiers can follow: [`fetch_att`] reads the list itself, without going back.
    if rest.starts_with(b" (")
        && let Ok((r, mods)) = paren_list(&rest[1..], false, PreviewMod::parse)
    {
        return Ok((
            r,
            FetchAtt::Preview {
                modifiers: Some(NonEmpty::from_parsed(mods)),
            },
        ));
    }
    Ok((rest, FetchAtt::Preview { modifiers: None }))
}

/// Writes `PREVIEW [SP "(" preview-mod *(SP preview-mod) ")"]`.
pub(crate) fn encode_preview_att(modifiers: &Option<NonEmpty<PreviewMod>>, e: &mut Encoder<'_>) {
    e.raw(b"PREVIEW");
    if let Some(m) = modifiers {
        e.sp().paren_list(m, |e, m| m.encode(e));
    }
}

/// The row parser of `SNIPPET` in FETCH commands: never matches on its own (the strict
/// grammar has no such item); [`fetch_att`] reads the real-world form before the table.
pub(crate) fn parse_snippet_att<'a>(_: &[u8], rest: &'a [u8]) -> PResult<'a, FetchAtt<'a>> {
    fail(rest, "fetch-att")
}

/// Writes `SNIPPET (FUZZY)`.
pub(crate) fn encode_snippet_att(e: &mut Encoder<'_>) {
    e.raw(b"SNIPPET (FUZZY)");
}

/// `fetch-att` in the parse context: under the real-world profile `SNIPPET (FUZZY)` (the
/// `snippet-fuzzy` deviation), otherwise the table's items. `in_list`: the item is in a
/// parenthesised list, where `PREVIEW SP "("` can only open preview-mods (RFC 8970 §6; the
/// command's fetch-modifiers follow the list's `)`), so a list that is not preview-mods is an
/// error at the modifier, not a backtrack.
pub(crate) fn fetch_att<'a>(i: &'a [u8], cx: &Ctx<'_>, in_list: bool) -> PResult<'a, FetchAtt<'a>> {
    let snippet = cx.real_world() && starts_with_ci(i, SNIPPET_FORM);
    if snippet {
        cx.deviate(ImapDeviation::SnippetFuzzy, i);
    }
    fetch_att_form(i, in_list, snippet)
}

/// `SNIPPET (FUZZY)`, the real-world item.
const SNIPPET_FORM: &[u8] = b"SNIPPET (FUZZY)";

/// [`fetch_att`] without the context: `snippet` says whether `SNIPPET (FUZZY)` is accepted
/// (its deviation is the caller's). Also the decoder of a checked
/// [`FetchList`](crate::command::FetchList), whose items one of these forms has read.
pub(crate) fn fetch_att_form(i: &[u8], in_list: bool, snippet: bool) -> PResult<'_, FetchAtt<'_>> {
    const PREVIEW_MODS: &[u8] = b"PREVIEW (";
    if in_list && starts_with_ci(i, PREVIEW_MODS) {
        let (r, mods) = paren_list(&i[PREVIEW_MODS.len() - 1..], false, PreviewMod::parse)?;
        return Ok((
            r,
            FetchAtt::Preview {
                modifiers: Some(NonEmpty::from_parsed(mods)),
            },
        ));
    }
    if starts_with_ci(i, b"SNIPPET") {
        if snippet && starts_with_ci(i, SNIPPET_FORM) {
            return Ok((&i[SNIPPET_FORM.len()..], FetchAtt::Snippet));
        }
        if !i
            .get(7)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'.')
        {
            return fail(i, "fetch-att");
        }
    }
    FetchAtt::parse(i)
}

/// The row parser of `SNIPPET` in FETCH responses: `SP "(" "FUZZY" SP nstring ")"` under the
/// real-world profile (deviation `snippet-fuzzy`), an error under the strict one.
pub(crate) fn parse_snippet_data<'a>(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, NString<'a>> {
    if !cx.real_world() {
        return fail(i, "msg-att");
    }
    let (r, ()) = sp(i)?;
    let at = r;
    let (r, ()) = keyword(r, "(FUZZY")?;
    let (r, ()) = sp(r)?;
    let (r, s) = crate::response::nstring(r, "nstring")?;
    let (r, ()) = rparen(r)?;
    cx.deviate(ImapDeviation::SnippetFuzzy, at);
    Ok((r, s))
}

/// Writes `SP "(" "FUZZY" SP nstring ")"` after `SNIPPET`.
pub(crate) fn encode_snippet_data(s: &NString<'_>, e: &mut Encoder<'_>) {
    e.raw(b" (FUZZY ");
    s.encode(e);
    e.byte(b')');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::CommandBody;
    use crate::context::{ParseOptions, Profile};
    use crate::prelude::*;
    use crate::response::{Data, MessageAttribute};
    use crate::{Command, Response};

    fn cmd(line: &[u8]) -> Command<'_> {
        let c = Command::parse(line).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        assert_eq!(out, line);
        c
    }

    fn resp(line: &[u8]) -> Response<'_> {
        let r = Response::parse(line).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        r
    }

    /// RFC 8970 §3.1, §5 examples.
    #[test]
    fn rfc_examples() {
        let c = cmd(b"A1 FETCH 1 (PREVIEW)\r\n");
        let CommandBody::Fetch { items, .. } = &c.body else {
            panic!()
        };
        assert_eq!(items.expand(), [FetchAtt::Preview { modifiers: None }]);
        let r = resp(b"* 1 FETCH (PREVIEW \"Preview text!\")\r\n");
        let Response::Data(Data::Fetch(f)) = &r else {
            panic!()
        };
        assert!(
            matches!(f.attributes.first().as_deref(), Some(MessageAttribute::Preview(s)) if s.as_bytes() == Some(&b"Preview text!"[..]))
        );
        cmd(b"A2 FETCH 1 (RFC822.SIZE PREVIEW)\r\n");
        resp(b"* 1 FETCH (RFC822.SIZE 5647 PREVIEW {13}\r\nLorem ipsum\r\n)\r\n");
        let c = cmd(b"B1 FETCH 1:4 (ENVELOPE PREVIEW (LAZY))\r\n");
        let CommandBody::Fetch { items, .. } = &c.body else {
            panic!()
        };
        assert_eq!(
            items.expand()[1],
            FetchAtt::Preview {
                modifiers: Some(NonEmpty::one(PreviewMod::Lazy))
            }
        );
        cmd(b"C3 FETCH $ (UID PREVIEW (LAZY))\r\n");
        resp(b"* 5 FETCH (UID 13 PREVIEW \"Preview!\")\r\n");
        resp(b"* 9 FETCH (UID 23 PREVIEW NIL)\r\n");
        cmd(b"C4 UID FETCH 23 (PREVIEW)\r\n");
        cmd(b"a FETCH 1 PREVIEW (LAZY LAZY)\r\n");
    }

    #[test]
    fn bad_input() {
        for (line, offset, expected) in [
            // Inside a list of items, `PREVIEW (` opens preview-mods (no fetch-modifiers can
            // follow there): the error is at the modifier.
            (&b"a FETCH 1 (PREVIEW ())\r\n"[..], 20, "preview-mod"),
            (b"a FETCH 1 (PREVIEW (FUZZY))\r\n", 20, "preview-mod"),
            (b"a FETCH 1 (PREVIEW (LAZYX))\r\n", 20, "preview-mod"),
            (b"a FETCH 1 (UID PREVIEW (LAZY X))\r\n", 29, "preview-mod"),
            // A single PREVIEW: the list may be the command's fetch-modifiers (RFC 4466 §2.4),
            // none of which is in force here.
            (b"a FETCH 1 PREVIEW (FUZZY)\r\n", 17, "CRLF"),
            (b"a FETCH 1 (PREVIEW (LAZY)\r\n", 25, "\")\""),
            (b"a FETCH 1 (SNIPPET (FUZZY))\r\n", 11, "fetch-att"),
            (b"a FETCH 1 SNIPPET\r\n", 10, "fetch-att"),
        ] {
            let e = Command::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{e}");
        }
        let e = Response::parse(b"* 1 FETCH (PREVIEW)\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (18, "SP"));
        let e = Response::parse(b"* 1 FETCH (SNIPPET (FUZZY \"x\"))\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (18, "msg-att"));
    }

    /// The `snippet-fuzzy` deviation: accepted and named under the real-world profile only.
    #[test]
    fn snippet_fuzzy_deviation() {
        let rw = ParseOptions::default().with_profile(Profile::RealWorld);
        let line = b"a FETCH 1:2 (UID SNIPPET (FUZZY))\r\n";
        let p = Command::parse_with(line, &rw).unwrap();
        assert_eq!(p.deviations.len(), 1);
        assert_eq!(
            mailproto_core::DeviationId::id(p.deviations[0].id),
            "snippet-fuzzy"
        );
        assert_eq!(p.deviations[0].offset, 17);
        let CommandBody::Fetch { items, .. } = &p.value.body else {
            panic!()
        };
        assert_eq!(items.expand(), [FetchAtt::Uid, FetchAtt::Snippet]);
        let mut out = Vec::new();
        let _ = p.value.encode(&mut out, &Default::default());
        assert_eq!(out, line);
        let p = Command::parse_with(b"a FETCH 1 snippet (fuzzy)\r\n", &rw).unwrap();
        assert_eq!(p.deviations.len(), 1);
        assert!(Command::parse_with(b"a FETCH 1 (SNIPPET (LAZY))\r\n", &rw).is_err());

        let line = b"* 1 FETCH (UID 4 SNIPPET (FUZZY \"Hello there\"))\r\n";
        let p = Response::parse_with(line, &rw).unwrap();
        assert_eq!(p.deviations.len(), 1);
        assert_eq!(
            mailproto_core::DeviationId::id(p.deviations[0].id),
            "snippet-fuzzy"
        );
        assert_eq!(p.deviations[0].offset, 25);
        let mut out = Vec::new();
        let _ = p.value.encode(&mut out);
        assert_eq!(out, line);
        assert!(Response::parse_with(b"* 1 FETCH (SNIPPET (LAZY \"x\"))\r\n", &rw).is_err());
        // As Dovecot 2.3.19 sent it (corpus/imap/real-world/dovecot/search2-snippet-fuzzy).
        let dovecot =
            "* 2 FETCH (SNIPPET (FUZZY {47}\r\nViele Grüße aus Köln und eine schöne Woche!))\r\n";
        let p = Response::parse_with(dovecot.as_bytes(), &rw).unwrap();
        assert_eq!(p.deviations.len(), 1);
        let Response::Data(Data::Fetch(f)) = &p.value else {
            panic!()
        };
        let first = f.attributes.first();
        let Some(MessageAttribute::Snippet(s)) = first.as_deref() else {
            panic!()
        };
        assert_eq!(s.as_bytes().map(<[u8]>::len), Some(47));
        assert!(Response::parse(line).is_err());
    }
}
