//! Server responses: RFC 3501 §7 and RFC 9051 §7, with the grammar of their §9.
//!
//! - [`Response`]: one server message after the greeting: a status response ([`Status`]),
//!   untagged data ([`Data`]) or a continuation request ([`ContinuationRequest`]).
//! - [`Greeting`]: the first message of a connection (`greeting`, RFC 9051 §7.1).
//!
//! The modules follow the grammar: [`status`] (OK/NO/BAD/PREAUTH/BYE and `resp-text`),
//! [`code`] (`resp-text-code`), [`data`] (mailbox and capability data), [`fetch`]
//! (`msg-att`), [`envelope`] and [`body`] (BODY/BODYSTRUCTURE).
//!
//! ```
//! use mailproto_imap_codec::{Data, Response};
//! let r = Response::parse(b"* 23 EXISTS\r\n").unwrap();
//! assert_eq!(r, Response::Data(Data::Exists(23)));
//! let mut out = Vec::new();
//! let _ = r.encode(&mut out);
//! assert_eq!(out, b"* 23 EXISTS\r\n");
//! ```

use crate::prelude::*;

pub mod body;
pub(crate) mod check;
pub mod code;
pub mod data;
pub mod envelope;
pub mod fetch;
pub mod generic;
pub mod status;
pub(crate) mod wire;

use base64::Engine as _;

use mailproto_core::Side;

use crate::context::{Ctx, ImapDeviation, ParseOptions, Parsed, Profile};
use crate::core::{IString, IntoStatic, NString, Tag, Text, nil};
use crate::encode::{Encode, Encoded, Encoder};
use crate::error::{PResult, ParseError, ValidationError, fail};
use crate::parse::{byte, crlf, is_atom_char, is_quoted_char, parse_all, sp, take_while};

pub use crate::ext::condstore::Vanished;
pub use crate::ext::namespace::{NamespaceData, NamespaceDescr, NamespaceExtension};
pub use body::{
    BasicMedia, BodyExtension, BodyExtensionList, BodyFields, BodyParam, BodyParams,
    BodyParamsIter, BodyStructure, Disposition, ExtDisposition, ExtLanguage, ExtLocation, Language,
    MessagePart, MessageSubtype, MultiPart, MultiPartExtension, SinglePart, SinglePartExtension,
    SinglePartKind,
};
pub use code::{AppendUid, Code, CodeKind, CopyUid, OtherCode};
pub use data::{
    CapabilityData, Data, DataKind, EsearchData, FetchData, ListAttributes, ListData,
    ListExtendedItem, ListExtendedValue, MailboxList, MessageNumbered, SearchData,
    SearchReturnData, SearchReturnExt, StatusAttributeValue, StatusData,
};
pub use envelope::{Address, AddressList, AddressListIter, Envelope};
pub use fetch::{
    BinaryData, BinarySizeData, BinaryValue, MessageAttribute, MessageAttributeKind,
    MessageAttributes, MessageAttributesIter, SectionData,
};
pub use status::{Greeting, GreetingKind, RespText, Status, StatusKind};

/// `nstring`, reported as `rule` when the input is neither a string nor NIL.
pub(crate) fn nstring<'a>(i: &'a [u8], rule: &'static str) -> PResult<'a, NString<'a>> {
    NString::parse_as::<false>(i, rule)
}

/// Checks `nstring` without building the value (no allocation; the same acceptance and
/// errors as [`nstring`]).
pub(crate) fn skip_nstring<'a>(i: &'a [u8], rule: &'static str) -> PResult<'a, ()> {
    match i.first() {
        Some(b'"' | b'{') => IString::skip::<false>(i),
        // NIL or an error: nothing to build.
        _ => nstring(i, rule).map(|(r, _)| (r, ())),
    }
}

/// Checks `string` without building the value (no allocation; the same acceptance and
/// errors as [`string`]).
pub(crate) fn skip_string<'a>(i: &'a [u8], rule: &'static str) -> PResult<'a, ()> {
    match i.first() {
        Some(b'"' | b'{') => IString::skip::<false>(i),
        _ => fail(i, rule),
    }
}

/// Room made at once in an output buffer before a response or greeting is written into it:
/// most lines are shorter, so an empty buffer gets one allocation instead of growing by
/// doubling from 8 octets (five allocations for a 100-octet line).
const LINE_ROOM: usize = 128;

/// Gives a buffer with no allocation yet [`LINE_ROOM`] octets; any other is left as it is
/// (the encoder grows it as needed).
#[inline]
fn room_for_line(out: &mut Vec<u8>) {
    if out.capacity() == 0 {
        first_room(out);
    }
}

/// The allocation of [`room_for_line`], out of line: a buffer that is reused never gets here.
#[cold]
#[inline(never)]
fn first_room(out: &mut Vec<u8>) {
    out.reserve_exact(LINE_ROOM);
}

/// `string`, reported as `rule` when the input is not one.
pub(crate) fn string<'a>(i: &'a [u8], rule: &'static str) -> PResult<'a, IString<'a>> {
    match i.first() {
        Some(b'"' | b'{') => IString::parse::<false>(i),
        _ => fail(i, rule),
    }
}

/// A hierarchy delimiter: `DQUOTE QUOTED-CHAR DQUOTE` in LIST, LSUB and NAMESPACE responses
/// (RFC 9051 §9 `mailbox-list`, `namespace-descr`): one character other than NUL, CR and LF.
///
/// ```
/// use mailproto_imap_codec::response::Delimiter;
/// assert_eq!(Delimiter::new('/').unwrap().as_char(), '/');
/// assert!(Delimiter::new('\n').is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Delimiter(char);

impl Delimiter {
    /// A delimiter; fails for NUL, CR and LF.
    pub fn new(c: char) -> Result<Self, ValidationError> {
        if matches!(c, '\0' | '\r' | '\n') {
            return Err(ValidationError::new("QUOTED-CHAR", Some(0)));
        }
        Ok(Delimiter(c))
    }

    /// The character.
    pub fn as_char(self) -> char {
        self.0
    }

    /// Parses `DQUOTE QUOTED-CHAR DQUOTE / nil`.
    pub(crate) fn parse_or_nil(i: &[u8]) -> PResult<'_, Option<Self>> {
        match i.first() {
            Some(b'"') => {}
            Some(b'N' | b'n') => {
                return match nil(i) {
                    Ok((r, ())) => Ok((r, None)),
                    Err(_) => fail(i, "DQUOTE"),
                };
            }
            _ => return fail(i, "DQUOTE"),
        }
        let j = &i[1..];
        let (j, c) = match j.first() {
            Some(b'\\') => match j.get(1) {
                Some(&b @ (b'"' | b'\\')) => (&j[2..], b as char),
                _ => return fail(&j[1..], "quoted-specials"),
            },
            Some(&b) if is_quoted_char(b) => (&j[1..], b as char),
            Some(&b) if b >= 0xc2 => {
                let len = match b {
                    0xc2..=0xdf => 2,
                    0xe0..=0xef => 3,
                    _ => 4,
                };
                match j.get(..len).map(::core::str::from_utf8) {
                    Some(Ok(s)) => (&j[len..], s.chars().next().unwrap_or('?')),
                    _ => return fail(j, "QUOTED-CHAR"),
                }
            }
            _ => return fail(j, "QUOTED-CHAR"),
        };
        let (j, ()) = byte(j, b'"', "DQUOTE")?;
        Ok((j, Some(Delimiter(c))))
    }

    /// Writes `DQUOTE QUOTED-CHAR DQUOTE / nil`.
    pub(crate) fn encode_or_nil(d: Option<Self>, e: &mut Encoder<'_>) {
        match d {
            None => {
                e.raw(b"NIL");
            }
            Some(Delimiter(c)) => {
                e.byte(b'"');
                if c == '"' || c == '\\' {
                    e.byte(b'\\');
                }
                let mut buf = [0u8; 4];
                e.raw(c.encode_utf8(&mut buf).as_bytes()).byte(b'"');
            }
        }
    }
}

/// `"(" string *(SP string) ")"`: a non-empty parenthesised list of strings (RFC 9051 §9
/// `body-fld-lang`, `namespace-response-extension`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct StringList<'a>(Vec<IString<'a>>);

impl<'a> StringList<'a> {
    /// A list of at least one string.
    pub fn new(items: Vec<IString<'a>>) -> Result<Self, ValidationError> {
        if items.is_empty() {
            return Err(ValidationError::new("string", None));
        }
        Ok(StringList(items))
    }

    /// The strings.
    pub fn as_slice(&self) -> &[IString<'a>] {
        &self.0
    }

    /// Parses `"(" string *(SP string) ")"`.
    pub(crate) fn parse_paren(i: &'a [u8]) -> PResult<'a, Self> {
        crate::parse::paren_list(i, false, |i| string(i, "string")).map(|(r, v)| (r, StringList(v)))
    }
}

impl Encode for StringList<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.paren_list(&self.0, |e, s| s.encode(e));
    }
}

/// `continue-req = "+" SP (resp-text / base64) CRLF` (RFC 9051 §7.6, §9): the server is
/// ready for the rest of a command, or sends a SASL challenge.
///
/// ```
/// use mailproto_imap_codec::{ContinuationRequest, Response};
/// let c = ContinuationRequest::base64(b"challenge");
/// let mut out = Vec::new();
/// let _ = Response::Continuation(c.clone()).encode(&mut out);
/// assert_eq!(out, b"+ Y2hhbGxlbmdl\r\n");
/// assert_eq!(c.base64_data().as_deref(), Some(&b"challenge"[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ContinuationRequest<'a> {
    #[cfg_attr(feature = "serde", serde(flatten))]
    text: RespText<'a>,
}

impl<'a> ContinuationRequest<'a> {
    /// A continuation request with an optional code and text. Without a code, the text must
    /// not begin with something that reads as `"[" resp-text-code "]" SP`.
    pub fn new(code: Option<Code<'a>>, text: Text<'a>) -> Result<Self, ValidationError> {
        Ok(ContinuationRequest {
            text: RespText::new(code, text)?,
        })
    }

    /// A continuation request with `text` (always valid: a [`RespText`] is).
    pub fn with_text(text: RespText<'a>) -> Self {
        ContinuationRequest { text }
    }

    /// A SASL challenge: `data` in base64 (RFC 4648 with padding).
    pub fn base64(data: impl AsRef<[u8]>) -> ContinuationRequest<'static> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(data.as_ref());
        // Base64 text never contains CR, LF or NUL, nor "[".
        ContinuationRequest {
            text: RespText::new(None, Text::new(encoded).unwrap_or_default()).unwrap_or_default(),
        }
    }

    /// The response code, if any.
    pub fn code(&self) -> Option<&Code<'a>> {
        self.text.code()
    }

    /// The text (or base64 data).
    pub fn text(&self) -> &Text<'a> {
        self.text.text()
    }

    /// The code and text.
    pub fn resp_text(&self) -> &RespText<'a> {
        &self.text
    }

    /// The text decoded as `base64` (RFC 9051 §9), when there is no code and it is valid
    /// base64; empty text is an empty challenge.
    pub fn base64_data(&self) -> Option<Vec<u8>> {
        if self.code().is_some() {
            return None;
        }
        base64::engine::general_purpose::STANDARD
            .decode(self.text().as_str())
            .ok()
    }

    fn parse(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = byte(i, b'+', "continue-req")?;
        // `+` CRLF (no SP): `empty-continuation` under the real-world profile.
        if ctx.real_world() && i.starts_with(b"\r\n") {
            ctx.deviate(ImapDeviation::EmptyContinuation, i);
            return Ok((
                &i[2..],
                ContinuationRequest {
                    text: RespText::default(),
                },
            ));
        }
        let (i, text) = status::sp_resp_text_crlf(i, ctx)?;
        Ok((i, ContinuationRequest { text }))
    }
}

impl Encode for ContinuationRequest<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(b"+ ");
        self.text.encode(e);
        e.crlf();
    }
}

/// One server response after the greeting (RFC 9051 §7, §9 `continue-req`, `response-data`,
/// `response-done`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Response<'a> {
    /// A tagged or untagged OK/NO/BAD, or an untagged BYE.
    Status(Status<'a>),
    /// Untagged data.
    Data(Data<'a>),
    /// `+ ...`
    Continuation(ContinuationRequest<'a>),
}

impl<'a> Response<'a> {
    /// Parses exactly one complete response message including its final CRLF (literals
    /// inline), under the strict profile.
    ///
    /// ```
    /// use mailproto_imap_codec::Response;
    /// let err = Response::parse(b"* 0 EXPUNGE\r\n").unwrap_err();
    /// assert_eq!((err.offset, err.expected), (2, "nz-number"));
    /// ```
    pub fn parse(input: &'a [u8]) -> Result<Response<'a>, ParseError> {
        let options = ParseOptions::default();
        let ctx = Ctx::new(&options, Side::Server, input);
        parse_all(input, |i| Self::parse_inner(i, &ctx))
    }

    /// Parses one complete response under `options`: the real-world profile accepts the
    /// deviations it knows and reports them with their offsets.
    ///
    /// ```
    /// use mailproto_imap_codec::{Response, ParseOptions, Profile, context::ImapDeviation};
    /// let options = ParseOptions::default().with_profile(Profile::RealWorld);
    /// let parsed = Response::parse_with(b"* BYE\r\n", &options).unwrap();
    /// assert_eq!(parsed.deviations[0].id, ImapDeviation::MissingText);
    /// assert_eq!(parsed.deviations[0].offset, 5);
    /// assert!(Response::parse(b"* BYE\r\n").is_err());
    /// ```
    pub fn parse_with(
        input: &'a [u8],
        options: &ParseOptions,
    ) -> Result<Parsed<Response<'a>>, ParseError> {
        fn once<'b>(
            bytes: &'b [u8],
            options: &ParseOptions,
        ) -> Result<Parsed<Response<'b>>, ParseError> {
            let ctx = Ctx::new(options, Side::Server, bytes);
            let value = parse_all(bytes, |i| Response::parse_inner(i, &ctx))?;
            Ok(ctx.finish(value))
        }
        match once(input, options) {
            Err(e) if options.profile == Profile::RealWorld => {
                crate::repair::repair(input, e, Side::Server, |bytes| {
                    once(bytes, options).map(|p| p.map(IntoStatic::into_static))
                })
            }
            other => other,
        }
    }

    /// Appends the wire form to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Encoded {
        room_for_line(out);
        let mut e = Encoder::server(out);
        Encode::encode(self, &mut e);
        e.finish()
    }

    /// [`encode`](Self::encode) in the canonical form
    /// ([`EncodeOptions::canonical`](crate::EncodeOptions::canonical)): what a value built in
    /// code with the same items would write, whatever the form it was parsed from.
    pub fn encode_canonical(&self, out: &mut Vec<u8>) -> Encoded {
        room_for_line(out);
        let mut e = Encoder::server_with(out, &crate::EncodeOptions::default().canonical());
        Encode::encode(self, &mut e);
        e.finish()
    }

    pub(crate) fn parse_inner(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        match i.first() {
            Some(b'+') => {
                ContinuationRequest::parse(i, ctx).map(|(r, c)| (r, Response::Continuation(c)))
            }
            Some(b'*') => {
                let (j, ()) = sp(&i[1..])?;
                if j.first().is_some_and(u8::is_ascii_digit) {
                    let (r, d) = Data::parse_numbered(j, ctx)?;
                    let (r, ()) = crlf(r)?;
                    return Ok((r, Response::Data(d)));
                }
                let (rest, name) = take_while(j, is_atom_char);
                if let Some(kind) = StatusKind::from_keyword(name) {
                    return Status::parse_rest(None, kind, rest, ctx)
                        .map(|(r, s)| (r, Response::Status(s)));
                }
                match Data::parse_keyword(name, rest, ctx) {
                    Some(res) => {
                        let (r, d) = res?;
                        let (r, ()) = crlf(r)?;
                        Ok((r, Response::Data(d)))
                    }
                    None => fail(j, "response-data"),
                }
            }
            _ => {
                let (j, tag) = Tag::parse(i).map_err(|e| {
                    e.map(|mut e| {
                        e.expected = "response";
                        e
                    })
                })?;
                let (j, ()) = sp(j)?;
                let (rest, name) = take_while(j, is_atom_char);
                let kind = match StatusKind::from_keyword(name) {
                    Some(k) if k.can_be_tagged() => k,
                    _ => return fail(j, "resp-cond-state"),
                };
                Status::parse_rest(Some(tag), kind, rest, ctx)
                    .map(|(r, s)| (r, Response::Status(s)))
            }
        }
    }
}

impl Encode for Response<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Response::Status(s) => s.encode(e),
            Response::Data(d) => d.encode(e),
            Response::Continuation(c) => c.encode(e),
        }
    }
}

impl<'a> Greeting<'a> {
    /// Parses a greeting, `"*" SP (resp-cond-auth / resp-cond-bye) CRLF`, under the strict
    /// profile.
    ///
    /// ```
    /// use mailproto_imap_codec::{Greeting, response::GreetingKind};
    /// let g = Greeting::parse(b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n").unwrap();
    /// assert_eq!(g.kind(), GreetingKind::PreAuth);
    /// assert!(Greeting::parse(b"* NO go away\r\n").is_err());
    /// ```
    pub fn parse(input: &'a [u8]) -> Result<Self, ParseError> {
        let options = ParseOptions::default();
        let ctx = Ctx::new(&options, Side::Server, input);
        parse_all(input, |i| Self::parse_inner(i, &ctx))
    }

    /// Parses a greeting under `options` (see [`Response::parse_with`]).
    pub fn parse_with(input: &'a [u8], options: &ParseOptions) -> Result<Parsed<Self>, ParseError> {
        fn once<'b>(
            bytes: &'b [u8],
            options: &ParseOptions,
        ) -> Result<Parsed<Greeting<'b>>, ParseError> {
            let ctx = Ctx::new(options, Side::Server, bytes);
            let value = parse_all(bytes, |i| Greeting::parse_inner(i, &ctx))?;
            Ok(ctx.finish(value))
        }
        match once(input, options) {
            Err(e) if options.profile == Profile::RealWorld => {
                crate::repair::repair(input, e, Side::Server, |bytes| {
                    once(bytes, options).map(|p| p.map(IntoStatic::into_static))
                })
            }
            other => other,
        }
    }

    /// Appends the wire form to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Encoded {
        room_for_line(out);
        let mut e = Encoder::server(out);
        Encode::encode(self, &mut e);
        e.finish()
    }
}

#[cfg(test)]
mod tests;
