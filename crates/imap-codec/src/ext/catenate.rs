//! CATENATE (RFC 4469): an APPEND whose message is put together from literal text and IMAP
//! URLs of parts of messages the server already has (§3, §5).
//!
//! ```text
//! append-data  =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"   ; RFC 4469 §5
//! cat-part     = text-literal / url                               ; RFC 4469 §5
//! cat-part     =/ utf8-literal                                    ; RFC 6855 §4
//! text-literal = "TEXT" SP literal
//! url          = "URL" SP astring
//! resp-text-code =/ "TOOBIG" / "BADURL" SP url-resp-text
//! url-resp-text  = 1*(TEXT-CHAR except "]")
//! ```
//!
//! The data form is [`AppendData::Catenate`](crate::command::AppendData::Catenate), usable
//! in any message of a MULTIAPPEND (RFC 4469 §3); the codes are the `TooBig` and `BadUrl`
//! rows of the code table ([`crate::Code`]). The URL strings are kept as sent (RFC 5092
//! syntax is not checked: the server resolves them). Each `TEXT` literal is a literal of
//! its own: without LITERAL+ the client waits for a `+` before each (§6 examples), and the
//! server may answer a synchronizing one with a tagged NO that ends the command (§3).
//!
//! `url-resp-text` is written in RFC 4469 §5 as `%x01-09 / %x0B-0C / %x0E-5B / %x5D-FE`
//! with the comment "Any TEXT-CHAR except `]`"; this module follows the comment (the
//! 7-bit `TEXT-CHAR` of RFC 3501 §9): an IMAP URL is 7-bit (RFC 5092 §11).

use crate::prelude::*;

use alloc::borrow::Cow;

use mailproto_core::IntoStatic;

use crate::context::Ctx;
use crate::core::{AString, Literal, Literal8};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::NonEmpty;
use crate::parse::{
    ascii_str, byte, is_text_char, keyword, rparen, sp, starts_with_ci, take_while,
};

/// `cat-part` (RFC 4469 §5, RFC 6855 §4): one piece of a catenated message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum CatPart<'a> {
    /// `text-literal = "TEXT" SP literal`: octets sent with the command.
    Text(Literal<'a>),
    /// `url = "URL" SP astring`: an IMAP URL (RFC 5092) of a message or part on the server.
    Url(AString<'a>),
    /// `utf8-literal = "UTF8" SP "(" literal8 ")"` (RFC 6855 §4): text with UTF-8 header
    /// fields.
    Utf8(Literal8<'a>),
}

impl<'a> CatPart<'a> {
    /// Parses `cat-part`.
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        if starts_with_ci(i, b"TEXT") {
            let (i, ()) = keyword(i, "TEXT")?;
            let (i, ()) = sp(i)?;
            let (i, l) = Literal::parse::<true>(i)?;
            Ok((i, CatPart::Text(l)))
        } else if starts_with_ci(i, b"URL") {
            let (i, ()) = keyword(i, "URL")?;
            let (i, ()) = sp(i)?;
            let (i, url) = AString::parse::<true>(i)?;
            Ok((i, CatPart::Url(url)))
        } else if starts_with_ci(i, b"UTF8") {
            let (i, l) = super::utf8::parse_utf8_literal(i)?;
            Ok((i, CatPart::Utf8(l)))
        } else {
            fail(i, "cat-part")
        }
    }
}

impl Encode for CatPart<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            CatPart::Text(l) => {
                e.raw(b"TEXT ");
                l.encode(e);
            }
            CatPart::Url(u) => {
                e.raw(b"URL ");
                u.encode(e);
            }
            CatPart::Utf8(l) => super::utf8::encode_utf8_literal(l, e),
        }
    }
}

/// `"CATENATE" SP "(" cat-part *(SP cat-part) ")"`.
pub(crate) fn parse_catenate(i: &[u8]) -> PResult<'_, NonEmpty<CatPart<'_>>> {
    crate::parse::rule("append-data", |i| {
        let (i, ()) = keyword(i, "CATENATE")?;
        let (i, ()) = sp(i)?;
        let (mut i, ()) = byte(i, b'(', "\"(\"")?;
        let mut parts = Vec::new();
        loop {
            let (rest, part) = CatPart::parse(i)?;
            parts.push(part);
            match rest.first() {
                Some(b' ') => i = &rest[1..],
                _ => {
                    let (rest, ()) = rparen(rest)?;
                    return Ok((rest, NonEmpty::from_parsed(parts)));
                }
            }
        }
    })(i)
}

/// Writes `"CATENATE" SP "(" cat-part *(SP cat-part) ")"`.
pub(crate) fn encode_catenate(parts: &[CatPart<'_>], e: &mut Encoder<'_>) {
    e.raw(b"CATENATE ");
    e.paren_list(parts, |e, p| p.encode(e));
}

/// `url-resp-text = 1*(TEXT-CHAR except "]")` (RFC 4469 §5): the URL of a `[BADURL ...]`
/// code, as the server wrote it.
///
/// ```
/// use mailproto_imap_codec::ext::catenate::UrlRespText;
/// assert!(UrlRespText::new("/INBOX;UIDVALIDITY=785799047/;UID=113330").is_ok());
/// assert!(UrlRespText::new("a]b").is_err());
/// assert!(UrlRespText::new("").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct UrlRespText<'a>(Cow<'a, str>);

fn is_url_resp_char(b: u8) -> bool {
    is_text_char(b) && b != b']'
}

impl<'a> UrlRespText<'a> {
    /// Checks `text` against the rule: non-empty, 7-bit text without CR, LF, NUL or `]`.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let text = text.into();
        if text.is_empty() {
            return Err(ValidationError::new("url-resp-text", None));
        }
        if let Some(p) = text.bytes().position(|b| !is_url_resp_char(b)) {
            return Err(ValidationError::new("url-resp-text", Some(p)));
        }
        Ok(UrlRespText(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses `SP url-resp-text` after the code's name.
    pub(crate) fn parse_sp(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let (rest, text) = take_while(i, is_url_resp_char);
        if text.is_empty() {
            return fail(i, "url-resp-text");
        }
        Ok((rest, UrlRespText(Cow::Borrowed(ascii_str(text)))))
    }

    /// Writes `SP url-resp-text`.
    pub(crate) fn encode_sp(&self, e: &mut Encoder<'_>) {
        e.sp().raw(self.0.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{AppendData, CommandBody};
    use crate::encode::EncodeOptions;
    use crate::response::Response;

    /// RFC 4469 §6, first example, with the literals inline.
    const EXAMPLE_1: &str = "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE \
(URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {42}\r\n\
\r\n\
--------------030308070208000400050907\r\n \
URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" \
URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\" TEXT {42}\r\n\
\r\n\
--------------030308070208000400050907\r\n \
URL \"/Drafts;UIDVALIDITY=385759045/;UID=30\" TEXT {44}\r\n\
\r\n\
--------------030308070208000400050907--\r\n)\r\n";

    #[test]
    fn rfc4469_example() {
        let c = roundtrip(EXAMPLE_1.as_bytes(), true);
        let CommandBody::Append { message, more, .. } = &c.body else {
            panic!("{c:?}")
        };
        assert!(more.is_empty());
        let AppendData::Catenate(parts) = message else {
            panic!("{message:?}")
        };
        assert_eq!(parts.len(), 7);
        assert_eq!(message.data(), None);
        assert!(matches!(&parts[1], CatPart::Text(l) if l.data().len() == 42));
        assert!(matches!(&parts[6], CatPart::Text(l) if l.data().ends_with(b"0907--\r\n")));
        let mut out = Vec::new();
        let enc = c.encode(&mut out, &EncodeOptions::default());
        assert_eq!(enc.sync_points.len(), 3, "one wait per TEXT literal");
    }

    #[test]
    fn forms() {
        for line in [
            "a APPEND INBOX CATENATE (URL \"/INBOX;UIDVALIDITY=1/;UID=2\")\r\n",
            "a APPEND INBOX CATENATE (TEXT {1+}\r\nx)\r\n",
            "a APPEND INBOX CATENATE (URL x TEXT {1}\r\ny URL z)\r\n",
            "a APPEND INBOX CATENATE (UTF8 (~{2}\r\n\u{e9}))\r\n",
            "a APPEND INBOX {1}\r\nx CATENATE (URL y)\r\n",
            "a APPEND INBOX (\\Seen) CATENATE (URL y) () CATENATE (TEXT {0}\r\n)\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        roundtrip(
            b"a APPEND INBOX catenate (url \"x\" text {0}\r\n)\r\n",
            false,
        );
    }

    #[test]
    fn rejects_bad_catenates() {
        rejects(b"a APPEND INBOX CATENATE ()\r\n", 25, "cat-part");
        rejects(b"a APPEND INBOX CATENATE(URL x)\r\n", 23, "SP");
        rejects(b"a APPEND INBOX CATENATE (URL x )\r\n", 31, "cat-part");
        rejects(b"a APPEND INBOX CATENATE (URL x\r\n", 30, "\")\"");
        rejects(
            b"a APPEND INBOX CATENATE (TEXT ~{1}\r\nx)\r\n",
            30,
            "literal",
        );
        rejects(b"a APPEND INBOX CATENATE (TEXT {1}\r\n\0)\r\n", 35, "CHAR8");
        rejects(b"a APPEND INBOX CATENATE (BODY x)\r\n", 25, "cat-part");
        rejects(b"a APPEND INBOX CATENATE (URL (x))\r\n", 29, "astring");
    }

    #[test]
    fn codes() {
        for line in [
            "A003 NO [TOOBIG] Message too big\r\n",
            "A004 NO [BADURL /INBOX;UIDVALIDITY=785799047/;UID=113330/;section=1.5.9] CATENATE part does not exist\r\n",
        ] {
            let r = Response::parse(line.as_bytes()).unwrap();
            let mut out = Vec::new();
            let _ = r.encode(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), line);
        }
        let r = Response::parse(b"a NO [BADURL x y] no\r\n").unwrap();
        let Response::Status(s) = r else { panic!() };
        assert_eq!(
            s.code(),
            Some(&Code::BadUrl(UrlRespText::new("x y").unwrap()))
        );
        for bad in [
            &b"a NO [BADURL] x\r\n"[..],
            b"a NO [BADURL ] x\r\n",
            b"a NO [TOOBIG 1] x\r\n",
        ] {
            // Not a code: the bracketed text is plain text (resp-text allows "[").
            let Response::Status(s) = Response::parse(bad).unwrap() else {
                panic!()
            };
            assert_eq!(s.code(), None, "{bad:?}");
        }
    }
}
