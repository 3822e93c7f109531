//! Status responses: RFC 3501 §7.1 and RFC 9051 §7.1 — tagged and untagged OK, NO and BAD
//! (`resp-cond-state`, `response-tagged`), BYE (`resp-cond-bye`, `response-fatal`), PREAUTH
//! (`resp-cond-auth`, only in a `greeting`), and `resp-text`.

use crate::core::{IntoStatic, Tag, Text};
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::parse::byte;
use crate::response::code::Code;

/// The condition of a status response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StatusKind {
    /// `OK`: success, or an informational message.
    Ok,
    /// `NO`: operational error.
    No,
    /// `BAD`: protocol error.
    Bad,
    /// `PREAUTH`: the connection is already authenticated (greeting only).
    PreAuth,
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
            StatusKind::PreAuth => "PREAUTH",
            StatusKind::Bye => "BYE",
        }
    }

    /// Reads the condition keyword at the start of `name` (case-insensitive).
    pub(crate) fn from_keyword(name: &[u8]) -> Option<Self> {
        Some(match name.len() {
            2 if name.eq_ignore_ascii_case(b"OK") => StatusKind::Ok,
            2 if name.eq_ignore_ascii_case(b"NO") => StatusKind::No,
            3 if name.eq_ignore_ascii_case(b"BAD") => StatusKind::Bad,
            3 if name.eq_ignore_ascii_case(b"BYE") => StatusKind::Bye,
            7 if name.eq_ignore_ascii_case(b"PREAUTH") => StatusKind::PreAuth,
            _ => return None,
        })
    }
}

/// A status response: `response-tagged = tag SP resp-cond-state CRLF`, or untagged
/// `"*" SP (resp-cond-state / resp-cond-bye) CRLF` (RFC 9051 §7.1, §9).
///
/// Valid combinations: a tag with OK/NO/BAD; no tag with OK/NO/BAD/BYE. PREAUTH only occurs
/// in a [`Greeting`]. [`Response::check`](crate::Response::check) reports
/// combinations the grammar forbids. When `code` is `None`, `text` should not begin with
/// something that reads as `"[" resp-text-code "]" SP` (it would be parsed as a code).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Status<'a> {
    /// The tag of the command this completes, `None` for an untagged (`*`) response.
    pub tag: Option<Tag<'a>>,
    /// OK, NO, BAD, (PREAUTH,) BYE.
    pub kind: StatusKind,
    /// The response code in `[...]`, if any.
    pub code: Option<Code<'a>>,
    /// The human-readable text (may be empty, RFC 9051 `resp-text`).
    pub text: Text<'a>,
}

impl<'a> Status<'a> {
    /// A tagged or untagged status response without a code.
    pub fn new(tag: Option<Tag<'a>>, kind: StatusKind, text: Text<'a>) -> Self {
        Status {
            tag,
            kind,
            code: None,
            text,
        }
    }

    /// The same response with `code`.
    pub fn with_code(mut self, code: Code<'a>) -> Self {
        self.code = Some(code);
        self
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
        encode_resp_text(self.code.as_ref(), &self.text, e);
        e.crlf();
    }
}

impl IntoStatic for Status<'_> {
    type Static = Status<'static>;
    fn into_static(self) -> Status<'static> {
        Status {
            tag: self.tag.into_static(),
            kind: self.kind,
            code: self.code.into_static(),
            text: self.text.into_static(),
        }
    }
}

/// Parses `"[" resp-text-code "]" SP`.
pub(crate) fn code_prefix(i: &[u8]) -> PResult<'_, Code<'_>> {
    let (i, ()) = byte(i, b'[', "\"[\"")?;
    let (i, code) = Code::parse(i)?;
    let (i, ()) = byte(i, b']', "\"]\"")?;
    let (i, ()) = byte(i, b' ', "SP")?;
    Ok((i, code))
}

/// `resp-text = ["[" resp-text-code "]" SP] [text]` (RFC 9051; RFC 3501 requires the text).
///
/// Text that begins with `[` but does not form a code is text, as the grammar says.
pub(crate) fn resp_text(i: &[u8]) -> PResult<'_, (Option<Code<'_>>, Text<'_>)> {
    if i.first() == Some(&b'[')
        && let Ok((rest, code)) = code_prefix(i)
    {
        let (rest, text) = Text::parse_opt(rest)?;
        return Ok((rest, (Some(code), text)));
    }
    let (rest, text) = Text::parse_opt(i)?;
    Ok((rest, (None, text)))
}

/// Writes `resp-text`.
pub(crate) fn encode_resp_text(code: Option<&Code<'_>>, text: &Text<'_>, e: &mut Encoder<'_>) {
    if let Some(code) = code {
        e.byte(b'[');
        code.encode(e);
        e.raw(b"] ");
    }
    text.encode(e);
}

/// True when `text` would be read back as starting with a response code.
pub(crate) fn text_looks_like_code(text: &Text<'_>) -> bool {
    text.as_str().starts_with('[') && code_prefix(text.as_str().as_bytes()).is_ok()
}

/// The condition of a greeting (`resp-cond-auth / resp-cond-bye`, RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    fn as_str(self) -> &'static str {
        match self {
            GreetingKind::Ok => "OK",
            GreetingKind::PreAuth => "PREAUTH",
            GreetingKind::Bye => "BYE",
        }
    }
}

/// `greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF` (RFC 9051 §7.1, §9): the first
/// message of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Greeting<'a> {
    /// OK, PREAUTH or BYE.
    pub kind: GreetingKind,
    /// The response code in `[...]`, if any (often CAPABILITY).
    pub code: Option<Code<'a>>,
    /// The human-readable text.
    pub text: Text<'a>,
}

impl Encode for Greeting<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(b"* ").raw(self.kind.as_str().as_bytes()).sp();
        encode_resp_text(self.code.as_ref(), &self.text, e);
        e.crlf();
    }
}

impl IntoStatic for Greeting<'_> {
    type Static = Greeting<'static>;
    fn into_static(self) -> Greeting<'static> {
        Greeting {
            kind: self.kind,
            code: self.code.into_static(),
            text: self.text.into_static(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            StatusKind::PreAuth,
            StatusKind::Bye,
        ] {
            assert_eq!(StatusKind::from_keyword(k.as_str().as_bytes()), Some(k));
            let lower = k.as_str().to_ascii_lowercase();
            assert_eq!(StatusKind::from_keyword(lower.as_bytes()), Some(k));
        }
        assert_eq!(StatusKind::from_keyword(b"OKAY"), None);
    }
}
