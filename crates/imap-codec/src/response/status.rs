//! Status responses: RFC 3501 §7.1 and RFC 9051 §7.1 — tagged and untagged OK, NO and BAD
//! (`resp-cond-state`, `response-tagged`), BYE (`resp-cond-bye`, `response-fatal`), PREAUTH
//! (`resp-cond-auth`, only in a `greeting`), and `resp-text`.
//!
//! The types only hold what the grammar allows: a [`Status`] is a tagged OK/NO/BAD or an
//! untagged OK/NO/BAD/BYE (PREAUTH exists only in a [`Greeting`]), and a [`RespText`] without a
//! code never begins with something that would be read back as `"[" resp-text-code "]" SP`.
//! Every value encodes to bytes that parse back to the same value.

use mailproto_core::IntoStatic;

use crate::context::{Ctx, ImapDeviation};
use crate::core::{Tag, Text};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError};
use crate::parse::{byte, crlf, is_atom_char, sp, take_while};
use crate::response::code::Code;

/// The condition of a status response after the greeting (RFC 9051 §7.1): `resp-cond-state`
/// (OK, NO, BAD) or `resp-cond-bye` (BYE). PREAUTH is a [`GreetingKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StatusKind {
    /// `OK`: success, or an informational message.
    Ok,
    /// `NO`: operational error.
    No,
    /// `BAD`: protocol error.
    Bad,
    /// `BYE`: the server is closing the connection (untagged only).
    Bye,
}

impl StatusKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Ok => "OK",
            StatusKind::No => "NO",
            StatusKind::Bad => "BAD",
            StatusKind::Bye => "BYE",
        }
    }

    /// Whether a tagged response may carry this condition (`resp-cond-state`: OK, NO, BAD).
    pub fn can_be_tagged(self) -> bool {
        !matches!(self, StatusKind::Bye)
    }

    /// Reads the condition keyword `name` (case-insensitive).
    pub(crate) fn from_keyword(name: &[u8]) -> Option<Self> {
        Some(match name.len() {
            2 if name.eq_ignore_ascii_case(b"OK") => StatusKind::Ok,
            2 if name.eq_ignore_ascii_case(b"NO") => StatusKind::No,
            3 if name.eq_ignore_ascii_case(b"BAD") => StatusKind::Bad,
            3 if name.eq_ignore_ascii_case(b"BYE") => StatusKind::Bye,
            _ => return None,
        })
    }
}

/// `resp-text = ["[" resp-text-code "]" SP] [text]` (RFC 9051 §9; RFC 3501 §9 requires the
/// text): an optional response code and human-readable text.
///
/// Without a code, the text must not begin with something that reads as
/// `"[" resp-text-code "]" SP`: `* OK [ALERT] x` is the code ALERT with the text `x`, so the
/// text `[ALERT] x` alone cannot be sent. [`RespText::new`] refuses it; with a code, any text
/// is fine.
///
/// ```
/// use mailproto_imap_codec::{Code, response::RespText};
/// let t = RespText::plain("done").unwrap();
/// assert_eq!((t.code(), t.text().as_str()), (None, "done"));
/// assert!(RespText::plain("[ALERT] read me").is_err());
/// let t = RespText::coded(Code::Alert, "[ALERT] read me").unwrap();
/// assert_eq!(t.code(), Some(&Code::Alert));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RespText<'a> {
    code: Option<Code<'a>>,
    text: Text<'a>,
}

impl<'a> RespText<'a> {
    /// A response text; fails when there is no code and `text` would read as one.
    pub fn new(code: Option<Code<'a>>, text: Text<'a>) -> Result<Self, ValidationError> {
        if code.is_none() && text_looks_like_code(&text) {
            return Err(ValidationError::new("resp-text", Some(0)));
        }
        Ok(RespText { code, text })
    }

    /// Text without a code; fails for CR, LF or NUL, and for text that reads as a code.
    pub fn plain(text: impl Into<alloc::borrow::Cow<'a, str>>) -> Result<Self, ValidationError> {
        RespText::new(None, Text::new(text)?)
    }

    /// A code with text; fails only for CR, LF or NUL in the text.
    pub fn coded(
        code: Code<'a>,
        text: impl Into<alloc::borrow::Cow<'a, str>>,
    ) -> Result<Self, ValidationError> {
        Ok(RespText::with_code(code, Text::new(text)?))
    }

    /// A code with text: always valid.
    pub fn with_code(code: Code<'a>, text: Text<'a>) -> Self {
        RespText {
            code: Some(code),
            text,
        }
    }

    /// The response code in `[...]`, if any.
    pub fn code(&self) -> Option<&Code<'a>> {
        self.code.as_ref()
    }

    /// The human-readable text (may be empty).
    pub fn text(&self) -> &Text<'a> {
        &self.text
    }

    /// The code and the text.
    pub fn into_parts(self) -> (Option<Code<'a>>, Text<'a>) {
        (self.code, self.text)
    }

    /// Parses `resp-text` up to (not including) CRLF.
    ///
    /// Text that begins with `[` but does not form `"[" resp-text-code "]" SP` is text, as the
    /// grammar says. Under the real-world profile, `"[" resp-text-code "]"` directly before
    /// CRLF (the SP and text missing, `* OK [UNSEEN 8]`) is read as the code with empty text
    /// and reported as `missing-text`; the strict profile reads it as text.
    pub(crate) fn parse(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        if i.first() == Some(&b'[') {
            if let Ok((rest, code)) = code_prefix(i, ctx) {
                let (rest, text) = Text::parse_opt(rest)?;
                return Ok((rest, RespText::with_code(code, text)));
            }
            if ctx.real_world()
                && let Ok((rest, code)) = code_brackets(i, ctx)
                && rest.starts_with(b"\r\n")
            {
                ctx.deviate(ImapDeviation::MissingText, rest);
                return Ok((rest, RespText::with_code(code, Text::default())));
            }
        }
        let (rest, text) = Text::parse_opt(i)?;
        Ok((rest, RespText { code: None, text }))
    }
}

impl Encode for RespText<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        if let Some(code) = &self.code {
            e.byte(b'[');
            code.encode(e);
            e.raw(b"] ");
        }
        self.text.encode(e);
    }
}

/// Parses `SP resp-text CRLF`, the end of every status response and greeting. Under the
/// real-world profile a CRLF right after the condition (`* BYE` CRLF: no SP, no text) is
/// read as empty text and reported as `missing-text`.
pub(crate) fn sp_resp_text_crlf<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, RespText<'a>> {
    if ctx.real_world() && i.starts_with(b"\r\n") {
        ctx.deviate(ImapDeviation::MissingText, i);
        return Ok((&i[2..], RespText::default()));
    }
    let (i, ()) = sp(i)?;
    let (i, text) = RespText::parse(i, ctx)?;
    let (i, ()) = crlf(i)?;
    Ok((i, text))
}

/// A status response after the greeting: `response-tagged = tag SP resp-cond-state CRLF`, or
/// untagged `"*" SP (resp-cond-state / resp-cond-bye) CRLF` (RFC 9051 §7.1, §9).
///
/// Only the combinations the grammar allows can be built: a tag with OK/NO/BAD, no tag with
/// OK/NO/BAD/BYE.
///
/// ```
/// use mailproto_imap_codec::{Response, Status, StatusKind, Tag, response::RespText};
/// let done = Status::ok(Tag::new("a1").unwrap(), RespText::plain("done").unwrap());
/// let mut out = Vec::new();
/// let _ = Response::Status(done.clone()).encode(&mut out);
/// assert_eq!(out, b"a1 OK done\r\n");
/// assert_eq!(done.kind(), StatusKind::Ok);
/// assert!(Status::tagged(Tag::new("a1").unwrap(), StatusKind::Bye, RespText::default()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Status<'a> {
    tag: Option<Tag<'a>>,
    kind: StatusKind,
    #[cfg_attr(feature = "serde", serde(flatten))]
    text: RespText<'a>,
}

impl<'a> Status<'a> {
    /// A tagged completion; fails for BYE (`response-tagged` carries `resp-cond-state`).
    pub fn tagged(
        tag: Tag<'a>,
        kind: StatusKind,
        text: RespText<'a>,
    ) -> Result<Self, ValidationError> {
        if !kind.can_be_tagged() {
            return Err(ValidationError::new("resp-cond-state", None));
        }
        Ok(Status {
            tag: Some(tag),
            kind,
            text,
        })
    }

    /// An untagged status response (OK, NO, BAD or BYE): always valid.
    pub fn untagged(kind: StatusKind, text: RespText<'a>) -> Self {
        Status {
            tag: None,
            kind,
            text,
        }
    }

    /// `tag OK resp-text`: the command succeeded.
    pub fn ok(tag: Tag<'a>, text: RespText<'a>) -> Self {
        Status {
            tag: Some(tag),
            kind: StatusKind::Ok,
            text,
        }
    }

    /// `tag NO resp-text`: the command failed.
    pub fn no(tag: Tag<'a>, text: RespText<'a>) -> Self {
        Status {
            tag: Some(tag),
            kind: StatusKind::No,
            text,
        }
    }

    /// `tag BAD resp-text`: the command was not understood.
    pub fn bad(tag: Tag<'a>, text: RespText<'a>) -> Self {
        Status {
            tag: Some(tag),
            kind: StatusKind::Bad,
            text,
        }
    }

    /// `* OK resp-text`
    pub fn untagged_ok(text: RespText<'a>) -> Self {
        Status::untagged(StatusKind::Ok, text)
    }

    /// `* NO resp-text`
    pub fn untagged_no(text: RespText<'a>) -> Self {
        Status::untagged(StatusKind::No, text)
    }

    /// `* BAD resp-text`
    pub fn untagged_bad(text: RespText<'a>) -> Self {
        Status::untagged(StatusKind::Bad, text)
    }

    /// `* BYE resp-text`: the server is closing the connection.
    pub fn bye(text: RespText<'a>) -> Self {
        Status::untagged(StatusKind::Bye, text)
    }

    /// The tag of the command this completes, `None` for an untagged (`*`) response.
    pub fn tag(&self) -> Option<&Tag<'a>> {
        self.tag.as_ref()
    }

    /// OK, NO, BAD or BYE.
    pub fn kind(&self) -> StatusKind {
        self.kind
    }

    /// The response code, if any.
    pub fn code(&self) -> Option<&Code<'a>> {
        self.text.code()
    }

    /// The human-readable text (may be empty).
    pub fn text(&self) -> &Text<'a> {
        self.text.text()
    }

    /// The code and text.
    pub fn resp_text(&self) -> &RespText<'a> {
        &self.text
    }

    /// The same response with `code` (replacing any code it had): always valid.
    pub fn with_code(mut self, code: Code<'a>) -> Self {
        self.text.code = Some(code);
        self
    }

    /// The tag, the condition and the response text.
    pub fn into_parts(self) -> (Option<Tag<'a>>, StatusKind, RespText<'a>) {
        (self.tag, self.kind, self.text)
    }

    /// Parses `SP resp-text CRLF` after the condition keyword.
    pub(crate) fn parse_rest(
        tag: Option<Tag<'a>>,
        kind: StatusKind,
        i: &'a [u8],
        ctx: &Ctx<'_>,
    ) -> PResult<'a, Self> {
        let (i, text) = sp_resp_text_crlf(i, ctx)?;
        Ok((i, Status { tag, kind, text }))
    }
}

impl Encode for Status<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match &self.tag {
            Some(t) => t.encode(e),
            None => {
                e.byte(b'*');
            }
        }
        e.sp().raw(self.kind.as_str().as_bytes()).sp();
        self.text.encode(e);
        e.crlf();
    }
}

/// Parses `"[" resp-text-code "]"`.
fn code_brackets<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Code<'a>> {
    let (i, ()) = byte(i, b'[', "\"[\"")?;
    let (i, code) = Code::parse(i, ctx)?;
    let (i, ()) = byte(i, b']', "\"]\"")?;
    Ok((i, code))
}

/// Parses `"[" resp-text-code "]" SP`.
pub(crate) fn code_prefix<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Code<'a>> {
    let (i, code) = code_brackets(i, ctx)?;
    let (i, ()) = byte(i, b' ', "SP")?;
    Ok((i, code))
}

/// True when `text` would be read back as starting with a response code (by the strict
/// profile with UTF8=ACCEPT in force: what any reader may read as a code).
pub(crate) fn text_looks_like_code(text: &Text<'_>) -> bool {
    let bytes = text.as_str().as_bytes();
    if bytes.first() != Some(&b'[') {
        return false;
    }
    // UTF-8 quoted strings in force: a reader that enabled UTF8=ACCEPT would read
    // `[NOUPDATE "Entwürfe"]` as a code (RFC 6855 §3).
    let options = crate::context::ParseOptions::default()
        .with_extension(crate::context::Extension::Utf8Accept);
    let ctx = Ctx::new(&options, mailproto_core::Side::Server, bytes);
    code_prefix(bytes, &ctx).is_ok()
}

/// The condition of a greeting (`resp-cond-auth / resp-cond-bye`, RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GreetingKind {
    /// `OK`: the client must authenticate.
    Ok,
    /// `PREAUTH`: already authenticated.
    PreAuth,
    /// `BYE`: the server refuses the connection.
    Bye,
}

impl GreetingKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            GreetingKind::Ok => "OK",
            GreetingKind::PreAuth => "PREAUTH",
            GreetingKind::Bye => "BYE",
        }
    }

    fn from_keyword(name: &[u8]) -> Option<Self> {
        Some(match name.len() {
            2 if name.eq_ignore_ascii_case(b"OK") => GreetingKind::Ok,
            3 if name.eq_ignore_ascii_case(b"BYE") => GreetingKind::Bye,
            7 if name.eq_ignore_ascii_case(b"PREAUTH") => GreetingKind::PreAuth,
            _ => return None,
        })
    }
}

/// `greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF` (RFC 9051 §7.1, §9): the first
/// message of a connection.
///
/// ```
/// use mailproto_imap_codec::{Greeting, response::{GreetingKind, RespText}};
/// let g = Greeting::ok(RespText::plain("ready").unwrap());
/// let mut out = Vec::new();
/// let _ = g.encode(&mut out);
/// assert_eq!(out, b"* OK ready\r\n");
/// assert_eq!(g.kind(), GreetingKind::Ok);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Greeting<'a> {
    kind: GreetingKind,
    #[cfg_attr(feature = "serde", serde(flatten))]
    text: RespText<'a>,
}

impl<'a> Greeting<'a> {
    /// A greeting: always valid.
    pub fn new(kind: GreetingKind, text: RespText<'a>) -> Self {
        Greeting { kind, text }
    }

    /// `* OK resp-text`: the client must authenticate.
    pub fn ok(text: RespText<'a>) -> Self {
        Greeting::new(GreetingKind::Ok, text)
    }

    /// `* PREAUTH resp-text`: the connection is already authenticated.
    pub fn preauth(text: RespText<'a>) -> Self {
        Greeting::new(GreetingKind::PreAuth, text)
    }

    /// `* BYE resp-text`: the server refuses the connection.
    pub fn bye(text: RespText<'a>) -> Self {
        Greeting::new(GreetingKind::Bye, text)
    }

    /// OK, PREAUTH or BYE.
    pub fn kind(&self) -> GreetingKind {
        self.kind
    }

    /// The response code, if any (often CAPABILITY).
    pub fn code(&self) -> Option<&Code<'a>> {
        self.text.code()
    }

    /// The human-readable text.
    pub fn text(&self) -> &Text<'a> {
        self.text.text()
    }

    /// The code and text.
    pub fn resp_text(&self) -> &RespText<'a> {
        &self.text
    }

    /// The condition and the response text.
    pub fn into_parts(self) -> (GreetingKind, RespText<'a>) {
        (self.kind, self.text)
    }

    /// Parses `"*" SP (resp-cond-auth / resp-cond-bye) CRLF`.
    pub(crate) fn parse_inner(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = byte(i, b'*', "greeting")?;
        let (i, ()) = sp(i)?;
        let (rest, name) = take_while(i, is_atom_char);
        let Some(kind) = GreetingKind::from_keyword(name) else {
            return crate::error::fail(i, "resp-cond-auth");
        };
        let (r, text) = sp_resp_text_crlf(rest, ctx)?;
        Ok((r, Greeting { kind, text }))
    }
}

impl Encode for Greeting<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(b"* ").raw(self.kind.as_str().as_bytes()).sp();
        self.text.encode(e);
        e.crlf();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ParseOptions;
    use mailproto_core::Side;

    fn resp_text(i: &[u8]) -> PResult<'_, (Option<Code<'_>>, Text<'_>)> {
        let options = ParseOptions::default();
        let ctx = Ctx::new(&options, Side::Server, i);
        RespText::parse(i, &ctx).map(|(r, t)| (r, t.into_parts()))
    }

    #[test]
    fn resp_text_forms() {
        let (r, (code, text)) = resp_text(b"[ALERT] hi\r\n").unwrap();
        assert_eq!(
            (code, text.as_str(), r),
            (Some(Code::Alert), "hi", &b"\r\n"[..])
        );
        let (_, (code, text)) = resp_text(b"[ALERT]\r\n").unwrap();
        assert_eq!((code, text.as_str()), (None, "[ALERT]"));
        let (_, (code, text)) = resp_text(b"[X-Y a b] \r\n").unwrap();
        assert!(matches!(code, Some(Code::Other(o)) if o.text() == Some("a b")));
        assert!(text.is_empty());
        let (_, (code, text)) = resp_text(b"[unclosed\r\n").unwrap();
        assert_eq!((code, text.as_str()), (None, "[unclosed"));
        let (_, (code, _)) = resp_text(b"\r\n").unwrap();
        assert_eq!(code, None);
        assert!(text_looks_like_code(&Text::new("[PARSE] x").unwrap()));
        assert!(!text_looks_like_code(&Text::new("[PARSE x").unwrap()));
    }

    #[test]
    fn keywords() {
        for k in [
            StatusKind::Ok,
            StatusKind::No,
            StatusKind::Bad,
            StatusKind::Bye,
        ] {
            assert_eq!(StatusKind::from_keyword(k.as_str().as_bytes()), Some(k));
            let lower = k.as_str().to_ascii_lowercase();
            assert_eq!(StatusKind::from_keyword(lower.as_bytes()), Some(k));
        }
        assert_eq!(StatusKind::from_keyword(b"OKAY"), None);
        assert_eq!(StatusKind::from_keyword(b"PREAUTH"), None);
        for k in [GreetingKind::Ok, GreetingKind::PreAuth, GreetingKind::Bye] {
            assert_eq!(GreetingKind::from_keyword(k.as_str().as_bytes()), Some(k));
        }
        assert_eq!(GreetingKind::from_keyword(b"NO"), None);
    }

    #[test]
    fn constructors_refuse_what_the_grammar_forbids() {
        let tag = Tag::new("a1").unwrap();
        assert!(Status::tagged(tag.clone(), StatusKind::Bye, RespText::default()).is_err());
        for k in [StatusKind::Ok, StatusKind::No, StatusKind::Bad] {
            let s = Status::tagged(tag.clone(), k, RespText::default()).unwrap();
            assert_eq!((s.tag(), s.kind()), (Some(&tag), k));
        }
        assert!(RespText::plain("[ALERT] x").is_err());
        assert!(
            RespText::plain("[UIDNEXT 0] x").is_ok(),
            "not a valid code: text"
        );
        assert!(RespText::plain("[ALERT]").is_ok(), "no SP: text");
        assert!(RespText::plain("a\rb").is_err());
        let s = Status::bye(RespText::plain("x").unwrap()).with_code(Code::Alert);
        assert_eq!((s.code(), s.text().as_str()), (Some(&Code::Alert), "x"));
    }
}
