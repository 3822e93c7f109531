//! Body structures: RFC 3501 §7.4.2 / RFC 9051 §7.5.2 `BODY` and `BODYSTRUCTURE`, and the §9
//! rules `body`, `body-type-1part` (`body-type-basic`, `body-type-msg`, `body-type-text`),
//! `body-type-mpart`, `body-fields`, `body-ext-1part`, `body-ext-mpart`, `body-fld-*` and
//! `body-extension`.
//!
//! The parser never backtracks: a part is a multipart when the byte after its `(` is another
//! `(`, and a single part is text, message or basic as soon as its media type and subtype
//! are read (`media-text` and `media-message` require quoted strings, RFC 9051 §9).

use crate::prelude::*;

use crate::context::{Ctx, ImapDeviation};
use crate::core::{IString, IntoStatic, NString};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::ext::Number64;
use crate::parse::{number, rparen, sp};
use crate::response::envelope::Envelope;
use crate::response::wire::wire_list;
use crate::response::{StringList, nstring, skip_nstring, skip_string, string};

/// How deeply body structures and body extensions may nest before the parser gives up (the
/// grammar sets no limit; this keeps the parser's stack bounded).
pub const MAX_BODY_DEPTH: usize = 64;

/// One `attribute value` pair of a `body-fld-param` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyParam<'a> {
    /// The attribute name, e.g. `CHARSET`.
    pub name: IString<'a>,
    /// The value, e.g. `US-ASCII`.
    pub value: IString<'a>,
}

impl<'a> BodyParam<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, (name, value)) = param_fields(i, string)?;
        Ok((i, BodyParam { name, value }))
    }

    fn skip(i: &'a [u8]) -> PResult<'a, ()> {
        param_fields(i, skip_string).map(|(r, _)| (r, ()))
    }

    fn encode_item(&self, e: &mut Encoder<'_>) {
        self.name.encode(e);
        e.sp();
        self.value.encode(e);
    }
}

/// `string SP string`: one pair of a `body-fld-param`, each string read by `field` (parsed or
/// only checked).
#[inline]
fn param_fields<'a, F>(
    i: &'a [u8],
    field: impl Fn(&'a [u8], &'static str) -> PResult<'a, F>,
) -> PResult<'a, (F, F)> {
    let (r, name) = field(i, "body-fld-param")?;
    let (r, ()) = sp(r)?;
    let (r, value) = field(r, "string")?;
    Ok((r, (name, value)))
}

wire_list!(
    /// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil` (RFC 9051 §9):
    /// the parameters of a body part, held as their validated wire form and decoded on access
    /// (docs/performance.md, "Value model"). An empty list is NIL.
    ///
    /// ```
    /// use mailproto_imap_codec::IString;
    /// use mailproto_imap_codec::response::{BodyParam, BodyParams};
    /// let p = BodyParams::new(vec![BodyParam {
    ///     name: IString::new("CHARSET").unwrap(),
    ///     value: IString::new("UTF-8").unwrap(),
    /// }]);
    /// assert_eq!(p.wire(), br#""CHARSET" "UTF-8""#);
    /// assert_eq!(p.first().unwrap().value.as_bytes(), b"UTF-8");
    /// ```
    BodyParams of BodyParam, iter BodyParamsIter,
    sep: true,
    parse: BodyParam::parse,
    skip: BodyParam::skip,
    encode: BodyParam::encode_item,
);

/// `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
/// body-fld-octets` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyFields<'a> {
    /// `body-fld-param`: Content-Type parameters; empty is NIL.
    pub params: BodyParams<'a>,
    /// `body-fld-id`: Content-ID.
    pub id: NString<'a>,
    /// `body-fld-desc`: Content-Description.
    pub description: NString<'a>,
    /// `body-fld-enc`: Content-Transfer-Encoding.
    pub encoding: IString<'a>,
    /// `body-fld-octets`: size of the body in its transfer encoding.
    pub octets: u32,
}

impl<'a> BodyFields<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, params) = BodyParams::parse(i, "body-fld-param")?;
        let (i, ()) = sp(i)?;
        let (i, id) = nstring(i, "body-fld-id")?;
        let (i, ()) = sp(i)?;
        let (i, description) = nstring(i, "body-fld-desc")?;
        let (i, ()) = sp(i)?;
        let (i, encoding) = string(i, "body-fld-enc")?;
        let (i, ()) = sp(i)?;
        let (i, octets) = number(i).map_err(|e| rename(e, i, "body-fld-octets"))?;
        Ok((
            i,
            BodyFields {
                params,
                id,
                description,
                encoding,
                octets,
            },
        ))
    }
}

impl Encode for BodyFields<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.params.encode(e);
        e.sp();
        self.id.encode(e);
        e.sp();
        self.description.encode(e);
        e.sp();
        self.encoding.encode(e);
        e.sp().number(u64::from(self.octets));
    }
}

/// Renames an error that happened right at `at` to `name`.
fn rename<'a>(
    e: nom::Err<crate::error::PErr<'a>>,
    at: &'a [u8],
    name: &'static str,
) -> nom::Err<crate::error::PErr<'a>> {
    e.map(|mut e| {
        if e.input.len() == at.len() && e.kind == ErrorKind::Syntax {
            e.expected = name;
        }
        e
    })
}

/// The media type of a `body-type-basic`: any type except those `media-text` and
/// `media-message` claim (RFC 9051 §9 `media-basic`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BasicMedia<'a> {
    media_type: IString<'a>,
    subtype: IString<'a>,
}

fn is_quoted_ci(s: &IString<'_>, text: &str) -> bool {
    matches!(s, IString::Quoted(q) if q.as_str().eq_ignore_ascii_case(text))
}

fn is_message_rfc822_or_global(t: &IString<'_>, sub: &IString<'_>) -> Option<MessageSubtype> {
    if !is_quoted_ci(t, "MESSAGE") {
        return None;
    }
    if is_quoted_ci(sub, "RFC822") {
        Some(MessageSubtype::Rfc822)
    } else if is_quoted_ci(sub, "GLOBAL") {
        Some(MessageSubtype::Global)
    } else {
        None
    }
}

impl<'a> BasicMedia<'a> {
    /// A basic media type. Fails for a quoted `"TEXT"` type and for quoted
    /// `"MESSAGE" "RFC822"` / `"MESSAGE" "GLOBAL"`: those are [`SinglePartKind::Text`] and
    /// [`SinglePartKind::Message`].
    pub fn new(media_type: IString<'a>, subtype: IString<'a>) -> Result<Self, ValidationError> {
        if is_quoted_ci(&media_type, "TEXT")
            || is_message_rfc822_or_global(&media_type, &subtype).is_some()
        {
            return Err(ValidationError::new("media-basic", None));
        }
        Ok(BasicMedia {
            media_type,
            subtype,
        })
    }

    /// The media type, e.g. `APPLICATION`.
    pub fn media_type(&self) -> &IString<'a> {
        &self.media_type
    }

    /// The media subtype, e.g. `PDF`.
    pub fn subtype(&self) -> &IString<'a> {
        &self.subtype
    }
}

/// The subtype of a `media-message`: `"RFC822"` or (RFC 9051) `"GLOBAL"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum MessageSubtype {
    /// `MESSAGE/RFC822`
    Rfc822,
    /// `MESSAGE/GLOBAL` (RFC 6532)
    Global,
}

/// The rest of a `body-type-msg`: `SP envelope SP body SP body-fld-lines` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessagePart<'a> {
    /// RFC822 or GLOBAL.
    pub subtype: MessageSubtype,
    /// The envelope of the encapsulated message.
    pub envelope: Envelope<'a>,
    /// The body structure of the encapsulated message.
    pub body: BodyStructure<'a>,
    /// `body-fld-lines` (a `number64`).
    pub lines: Number64,
}

/// What kind of single part a body is (RFC 9051 §9 `body-type-1part`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SinglePartKind<'a> {
    /// `body-type-basic`: `media-basic SP body-fields`.
    Basic(BasicMedia<'a>),
    /// `body-type-msg`: `"MESSAGE" "RFC822"/"GLOBAL" SP body-fields SP envelope SP body SP
    /// body-fld-lines`.
    Message(Box<MessagePart<'a>>),
    /// `body-type-text`: `"TEXT" SP media-subtype SP body-fields SP body-fld-lines`.
    Text {
        /// The subtype, e.g. `PLAIN`.
        subtype: IString<'a>,
        /// `body-fld-lines` (a `number64`).
        lines: Number64,
    },
}

/// `body-fld-dsp = "(" string SP body-fld-param ")"` (the non-NIL form; RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Disposition<'a> {
    /// The disposition type, e.g. `ATTACHMENT`.
    pub kind: IString<'a>,
    /// Its parameters; empty is NIL.
    pub params: BodyParams<'a>,
}

/// `body-fld-lang = nstring / "(" string *(SP string) ")"` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Language<'a> {
    /// One language tag, or NIL.
    Single(NString<'a>),
    /// A parenthesised list of language tags.
    List(StringList<'a>),
}

/// `body-extension = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"`
/// (RFC 9051 §9): extension data of future standards.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BodyExtension<'a> {
    /// A string or NIL.
    NString(NString<'a>),
    /// A `number64`.
    Number(Number64),
    /// A parenthesised, non-empty list.
    List(BodyExtensionList<'a>),
}

/// The non-empty list form of a [`BodyExtension`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct BodyExtensionList<'a>(Vec<BodyExtension<'a>>);

impl<'a> BodyExtensionList<'a> {
    /// A list of at least one item.
    pub fn new(items: Vec<BodyExtension<'a>>) -> Result<Self, ValidationError> {
        if items.is_empty() {
            return Err(ValidationError::new("body-extension", None));
        }
        Ok(BodyExtensionList(items))
    }

    /// The items.
    pub fn items(&self) -> &[BodyExtension<'a>] {
        &self.0
    }
}

impl<'a> BodyExtension<'a> {
    fn parse(i: &'a [u8], depth: usize) -> PResult<'a, Self> {
        match i.first() {
            Some(b'(') => {
                if depth >= MAX_BODY_DEPTH {
                    return fail_kind(i, "body-extension", ErrorKind::InvalidValue);
                }
                let mut i = &i[1..];
                let mut out = Vec::new();
                loop {
                    let (r, v) = Self::parse(i, depth + 1)?;
                    out.push(v);
                    match r.first() {
                        Some(b' ') => i = &r[1..],
                        Some(b')') => {
                            return Ok((&r[1..], BodyExtension::List(BodyExtensionList(out))));
                        }
                        _ => return fail(r, "\")\""),
                    }
                }
            }
            Some(b) if b.is_ascii_digit() => {
                Number64::parse(i).map(|(r, n)| (r, BodyExtension::Number(n)))
            }
            _ => nstring(i, "body-extension").map(|(r, s)| (r, BodyExtension::NString(s))),
        }
    }
}

impl Encode for BodyExtension<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            BodyExtension::NString(s) => s.encode(e),
            BodyExtension::Number(n) => n.encode(e),
            BodyExtension::List(l) => {
                e.paren_list(&l.0, |e, x| x.encode(e));
            }
        }
    }
}

/// `body-fld-loc *(SP body-extension)`: the end of the extension data (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExtLocation<'a> {
    /// `body-fld-loc`: Content-Location.
    pub location: NString<'a>,
    /// Further `body-extension`s.
    pub extensions: Vec<BodyExtension<'a>>,
}

/// `body-fld-lang [SP body-fld-loc *(SP body-extension)]` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExtLanguage<'a> {
    /// `body-fld-lang`: Content-Language.
    pub language: Language<'a>,
    /// The location and what follows, when present.
    pub location: Option<ExtLocation<'a>>,
}

/// `body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]`: the part of the
/// extension data shared by single parts and multiparts (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExtDisposition<'a> {
    /// `body-fld-dsp`: Content-Disposition, `None` for NIL.
    pub disposition: Option<Disposition<'a>>,
    /// The language and what follows, when present.
    pub language: Option<ExtLanguage<'a>>,
}

impl<'a> ExtDisposition<'a> {
    /// Parses `body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]`.
    fn parse(i: &'a [u8], depth: usize) -> PResult<'a, Self> {
        let (mut i, disposition) = match i.first() {
            Some(b'(') => {
                let (r, kind) = string(&i[1..], "string")?;
                let (r, ()) = sp(r)?;
                let (r, params) = BodyParams::parse(r, "body-fld-param")?;
                let (r, ()) = rparen(r)?;
                (r, Some(Disposition { kind, params }))
            }
            Some(b'N' | b'n') => match crate::core::nil(i) {
                Ok((r, ())) => (r, None),
                Err(_) => return fail(i, "body-fld-dsp"),
            },
            _ => return fail(i, "body-fld-dsp"),
        };
        let mut language = None;
        if i.first() == Some(&b' ') {
            let j = &i[1..];
            let (r, lang) = if j.first() == Some(&b'(') {
                let (r, list) = StringList::parse_paren(j)?;
                (r, Language::List(list))
            } else {
                let (r, s) = nstring(j, "body-fld-lang")?;
                (r, Language::Single(s))
            };
            i = r;
            let mut location = None;
            if i.first() == Some(&b' ') {
                let (r, loc) = nstring(&i[1..], "body-fld-loc")?;
                i = r;
                let mut extensions = Vec::new();
                while i.first() == Some(&b' ') {
                    let (r, x) = BodyExtension::parse(&i[1..], depth)?;
                    extensions.push(x);
                    i = r;
                }
                location = Some(ExtLocation {
                    location: loc,
                    extensions,
                });
            }
            language = Some(ExtLanguage {
                language: lang,
                location,
            });
        }
        Ok((
            i,
            ExtDisposition {
                disposition,
                language,
            },
        ))
    }
}

impl Encode for ExtDisposition<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match &self.disposition {
            Some(d) => {
                e.byte(b'(');
                d.kind.encode(e);
                e.sp();
                d.params.encode(e);
                e.byte(b')');
            }
            None => {
                e.raw(b"NIL");
            }
        }
        let Some(lang) = &self.language else { return };
        e.sp();
        match &lang.language {
            Language::Single(s) => s.encode(e),
            Language::List(l) => l.encode(e),
        }
        let Some(loc) = &lang.location else { return };
        e.sp();
        loc.location.encode(e);
        for x in &loc.extensions {
            e.sp();
            x.encode(e);
        }
    }
}

/// `body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc
/// *(SP body-extension)]]]` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SinglePartExtension<'a> {
    /// `body-fld-md5`: Content-MD5.
    pub md5: NString<'a>,
    /// The disposition and what follows, when present.
    pub disposition: Option<ExtDisposition<'a>>,
}

/// `body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc
/// *(SP body-extension)]]]` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MultiPartExtension<'a> {
    /// `body-fld-param`: Content-Type parameters (e.g. the boundary); empty is NIL.
    pub params: BodyParams<'a>,
    /// The disposition and what follows, when present.
    pub disposition: Option<ExtDisposition<'a>>,
}

/// A non-multipart body: `body-type-1part` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SinglePart<'a> {
    /// Basic, message or text, with the fields specific to it.
    pub kind: SinglePartKind<'a>,
    /// `body-fields`
    pub fields: BodyFields<'a>,
    /// `body-ext-1part` (BODYSTRUCTURE only).
    pub extension: Option<SinglePartExtension<'a>>,
}

/// A multipart body: `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`
/// (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MultiPart<'a> {
    bodies: Vec<BodyStructure<'a>>,
    subtype: IString<'a>,
    extension: Option<MultiPartExtension<'a>>,
}

impl<'a> MultiPart<'a> {
    /// A multipart of at least one body.
    pub fn new(
        bodies: Vec<BodyStructure<'a>>,
        subtype: IString<'a>,
        extension: Option<MultiPartExtension<'a>>,
    ) -> Result<Self, ValidationError> {
        if bodies.is_empty() {
            return Err(ValidationError::new("body-type-mpart", None));
        }
        Ok(MultiPart {
            bodies,
            subtype,
            extension,
        })
    }

    /// The parts, in order.
    pub fn bodies(&self) -> &[BodyStructure<'a>] {
        &self.bodies
    }

    /// The multipart subtype, e.g. `MIXED`.
    pub fn subtype(&self) -> &IString<'a> {
        &self.subtype
    }

    /// `body-ext-mpart` (BODYSTRUCTURE only).
    pub fn extension(&self) -> Option<&MultiPartExtension<'a>> {
        self.extension.as_ref()
    }
}

/// `body = "(" (body-type-1part / body-type-mpart) ")"` (RFC 9051 §9): the MIME structure
/// of a message as returned by FETCH BODY and BODYSTRUCTURE.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BodyStructure<'a> {
    /// `body-type-1part`
    Single(SinglePart<'a>),
    /// `body-type-mpart`
    Multi(MultiPart<'a>),
}

impl<'a> BodyStructure<'a> {
    /// Parses `body` under the strict profile.
    #[cfg(test)]
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let ctx = Ctx::new(&crate::context::STRICT, crate::context::Side::Server, i);
        Self::parse_in(i, &ctx)
    }

    /// Parses `body` in `ctx` (the real-world profile reads `basic-message-rfc822`).
    pub(crate) fn parse_in(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        crate::parse::rule("body", |i| Self::parse_depth(i, 0, ctx))(i)
    }

    fn parse_depth(i: &'a [u8], depth: usize, ctx: &Ctx<'_>) -> PResult<'a, Self> {
        if i.first() != Some(&b'(') {
            return fail(i, "body");
        }
        if depth >= MAX_BODY_DEPTH {
            return fail_kind(i, "body", ErrorKind::InvalidValue);
        }
        let i = &i[1..];
        if i.first() == Some(&b'(') {
            Self::multi(i, depth, ctx)
        } else {
            Self::single(i, depth, ctx)
        }
    }

    fn multi(i: &'a [u8], depth: usize, ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let mut bodies = Vec::new();
        let mut i = i;
        loop {
            let (r, b) = Self::parse_depth(i, depth + 1, ctx)?;
            bodies.push(b);
            i = r;
            if i.first() != Some(&b'(') {
                break;
            }
        }
        let (i, ()) = sp(i)?;
        let (i, subtype) = string(i, "media-subtype")?;
        let (i, extension) = if i.first() == Some(&b' ') {
            let (r, params) = BodyParams::parse(&i[1..], "body-fld-param")?;
            let (r, disposition) = if r.first() == Some(&b' ') {
                let (r, d) = ExtDisposition::parse(&r[1..], depth + 1)?;
                (r, Some(d))
            } else {
                (r, None)
            };
            (
                r,
                Some(MultiPartExtension {
                    params,
                    disposition,
                }),
            )
        } else {
            (i, None)
        };
        let (i, ()) = rparen(i)?;
        Ok((
            i,
            BodyStructure::Multi(MultiPart {
                bodies,
                subtype,
                extension,
            }),
        ))
    }

    fn single(i: &'a [u8], depth: usize, ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, media_type) = string(i, "body")?;
        let (i, ()) = sp(i)?;
        let (i, subtype) = string(i, "media-subtype")?;
        let (i, ()) = sp(i)?;
        let (i, fields) = BodyFields::parse(i)?;
        let (i, kind) = if is_quoted_ci(&media_type, "TEXT") {
            let (i, ()) = sp(i)?;
            let (i, lines) = Number64::parse(i).map_err(|e| rename(e, i, "body-fld-lines"))?;
            (i, SinglePartKind::Text { subtype, lines })
        } else if let Some(msg) = is_message_rfc822_or_global(&media_type, &subtype)
            && !(ctx.real_world() && !i.starts_with(b" (") && msg == MessageSubtype::Rfc822)
        {
            let (i, ()) = sp(i)?;
            let (i, envelope) = Envelope::parse(i)?;
            let (i, ()) = sp(i)?;
            let (i, body) = Self::parse_depth(i, depth + 1, ctx)?;
            let (i, ()) = sp(i)?;
            let (i, lines) = Number64::parse(i).map_err(|e| rename(e, i, "body-fld-lines"))?;
            (
                i,
                SinglePartKind::Message(Box::new(MessagePart {
                    subtype: msg,
                    envelope,
                    body,
                    lines,
                })),
            )
        } else {
            let media_type = if is_message_rfc822_or_global(&media_type, &subtype).is_some() {
                // basic-message-rfc822 (real-world only, see the condition above): a
                // message/rfc822 part without envelope, body and lines (mail.ru, Gmail),
                // read as a basic part of that type, its media type held as a literal: the
                // form `media-basic` allows and `media-message` does not, so that the value
                // is written back in a form the strict grammar reads to the same value.
                ctx.deviate(ImapDeviation::BasicMessageRfc822, i);
                match crate::core::Literal::new(media_type.as_bytes().to_vec()) {
                    Ok(l) => IString::Literal(l),
                    Err(_) => media_type,
                }
            } else {
                media_type
            };
            (
                i,
                SinglePartKind::Basic(BasicMedia {
                    media_type,
                    subtype,
                }),
            )
        };
        let (i, extension) = if i.first() == Some(&b' ') {
            let (r, md5) = nstring(&i[1..], "body-fld-md5")?;
            let (r, disposition) = if r.first() == Some(&b' ') {
                let (r, d) = ExtDisposition::parse(&r[1..], depth + 1)?;
                (r, Some(d))
            } else {
                (r, None)
            };
            (r, Some(SinglePartExtension { md5, disposition }))
        } else {
            (i, None)
        };
        let (i, ()) = rparen(i)?;
        Ok((
            i,
            BodyStructure::Single(SinglePart {
                kind,
                fields,
                extension,
            }),
        ))
    }
}

/// `"` `text` `"` in any case: the wire form of a quoted string equal to `text` (an ASCII
/// word; `quoted` escapes only `"` and `\`, so no other form of it exists).
pub(crate) fn raw_is_quoted_ci(raw: &[u8], text: &str) -> bool {
    raw.len() == text.len() + 2
        && raw[0] == b'"'
        && raw[raw.len() - 1] == b'"'
        && raw[1..raw.len() - 1].eq_ignore_ascii_case(text.as_bytes())
}

/// Checks `body` (RFC 9051 §9) without building it: the validating half of the lazily
/// decoded FETCH items (docs/performance.md, "Value model"). It walks the same grammar as
/// [`BodyStructure::parse_in`] under the strict profile, with the same depth bound, and
/// allocates nothing (strings are checked in place; a `body-fields` and an `envelope` are
/// read onto the stack and dropped). Any bytes it accepts [`BodyStructure::parse_in`] reads to
/// a value; on an error the caller parses again with the builder, whose error (offset,
/// expected rule) or real-world repair is the one reported, so the errors here need not be
/// the builder's.
pub(crate) fn skip_body(i: &[u8], depth: usize) -> PResult<'_, ()> {
    if i.first() != Some(&b'(') {
        return fail(i, "body");
    }
    if depth >= MAX_BODY_DEPTH {
        return fail_kind(i, "body", ErrorKind::InvalidValue);
    }
    let mut i = &i[1..];
    let i = if i.first() == Some(&b'(') {
        // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
        loop {
            let (r, ()) = skip_body(i, depth + 1)?;
            i = r;
            if i.first() != Some(&b'(') {
                break;
            }
        }
        let (i, ()) = sp(i)?;
        let (i, ()) = skip_string(i, "media-subtype")?;
        match i.split_first() {
            Some((b' ', r)) => {
                let (r, _) = BodyParams::parse(r, "body-fld-param")?;
                skip_ext_tail(r, depth)?.0
            }
            _ => i,
        }
    } else {
        // body-type-1part
        let (r, ()) = skip_string(i, "body")?;
        let media_type = &i[..i.len() - r.len()];
        let (r, ()) = sp(r)?;
        let (s, ()) = skip_string(r, "media-subtype")?;
        let subtype = &r[..r.len() - s.len()];
        let (s, ()) = sp(s)?;
        let (mut i, _) = BodyFields::parse(s)?;
        if raw_is_quoted_ci(media_type, "TEXT") {
            let (r, ()) = sp(i)?;
            i = Number64::parse(r)?.0;
        } else if raw_is_quoted_ci(media_type, "MESSAGE")
            && (raw_is_quoted_ci(subtype, "RFC822") || raw_is_quoted_ci(subtype, "GLOBAL"))
        {
            let (r, ()) = sp(i)?;
            let (r, ()) = Envelope::skip(r)?;
            let (r, ()) = sp(r)?;
            let (r, ()) = skip_body(r, depth + 1)?;
            let (r, ()) = sp(r)?;
            i = Number64::parse(r)?.0;
        }
        match i.split_first() {
            Some((b' ', r)) => {
                let (r, ()) = skip_nstring(r, "body-fld-md5")?;
                skip_ext_tail(r, depth)?.0
            }
            _ => i,
        }
    };
    rparen(i)
}

/// Checks `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`
/// without building it (see [`skip_body`]).
fn skip_ext_tail(i: &[u8], depth: usize) -> PResult<'_, ()> {
    let Some((b' ', i)) = i.split_first() else {
        return Ok((i, ()));
    };
    let depth = depth + 1;
    let i = match i.first() {
        Some(b'(') => {
            let (r, ()) = skip_string(&i[1..], "string")?;
            let (r, ()) = sp(r)?;
            let (r, _) = BodyParams::parse(r, "body-fld-param")?;
            rparen(r)?.0
        }
        _ => crate::core::nil(i)?.0,
    };
    let Some((b' ', j)) = i.split_first() else {
        return Ok((i, ()));
    };
    let (i, ()) = if j.first() == Some(&b'(') {
        crate::response::wire::skip_paren_list(j, false, |i| skip_string(i, "string"))?
    } else {
        skip_nstring(j, "body-fld-lang")?
    };
    let Some((b' ', j)) = i.split_first() else {
        return Ok((i, ()));
    };
    let (mut i, ()) = skip_nstring(j, "body-fld-loc")?;
    while let Some((b' ', j)) = i.split_first() {
        i = skip_body_extension(j, depth)?.0;
    }
    Ok((i, ()))
}

/// Checks one `body-extension` without building it (see [`skip_body`]).
fn skip_body_extension(i: &[u8], depth: usize) -> PResult<'_, ()> {
    match i.first() {
        Some(b'(') => {
            if depth >= MAX_BODY_DEPTH {
                return fail_kind(i, "body-extension", ErrorKind::InvalidValue);
            }
            crate::response::wire::skip_paren_list(i, false, |i| skip_body_extension(i, depth + 1))
        }
        Some(b) if b.is_ascii_digit() => Number64::parse(i).map(|(r, _)| (r, ())),
        _ => skip_nstring(i, "body-extension"),
    }
}

impl Encode for BodyStructure<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'(');
        match self {
            BodyStructure::Single(s) => {
                match &s.kind {
                    SinglePartKind::Basic(b) => {
                        b.media_type.encode(e);
                        e.sp();
                        b.subtype.encode(e);
                    }
                    SinglePartKind::Message(m) => {
                        e.raw(match m.subtype {
                            MessageSubtype::Rfc822 => b"\"MESSAGE\" \"RFC822\"",
                            MessageSubtype::Global => b"\"MESSAGE\" \"GLOBAL\"",
                        });
                    }
                    SinglePartKind::Text { subtype, .. } => {
                        e.raw(b"\"TEXT\" ");
                        subtype.encode(e);
                    }
                }
                e.sp();
                s.fields.encode(e);
                match &s.kind {
                    SinglePartKind::Basic(_) => {}
                    SinglePartKind::Message(m) => {
                        e.sp();
                        m.envelope.encode(e);
                        e.sp();
                        m.body.encode(e);
                        e.sp();
                        m.lines.encode(e);
                    }
                    SinglePartKind::Text { lines, .. } => {
                        e.sp();
                        lines.encode(e);
                    }
                }
                if let Some(x) = &s.extension {
                    e.sp();
                    x.md5.encode(e);
                    if let Some(d) = &x.disposition {
                        e.sp();
                        d.encode(e);
                    }
                }
            }
            BodyStructure::Multi(m) => {
                for b in &m.bodies {
                    b.encode(e);
                }
                e.sp();
                m.subtype.encode(e);
                if let Some(x) = &m.extension {
                    e.sp();
                    x.params.encode(e);
                    if let Some(d) = &x.disposition {
                        e.sp();
                        d.encode(e);
                    }
                }
            }
        }
        e.byte(b')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_all;

    fn istring_text<'s>(s: &'s IString<'_>) -> alloc::borrow::Cow<'s, str> {
        String::from_utf8_lossy(s.as_bytes())
    }

    fn roundtrip(s: &str) -> BodyStructure<'_> {
        let b =
            parse_all(s.as_bytes(), BodyStructure::parse).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        b.encode(&mut e);
        let _ = e.finish();
        assert_eq!(String::from_utf8_lossy(&out), s);
        b
    }

    #[test]
    fn rfc_examples() {
        let b = roundtrip(r#"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 2279 48)"#);
        assert!(matches!(
            b,
            BodyStructure::Single(SinglePart {
                kind: SinglePartKind::Text { lines, .. },
                ..
            }) if lines.get() == 48
        ));
        let b = roundtrip(
            r#"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")"#,
        );
        let BodyStructure::Multi(m) = b else { panic!() };
        assert_eq!(m.bodies().len(), 2);
        assert_eq!(istring_text(m.subtype()), "MIXED");
    }

    #[test]
    fn extension_data() {
        // A full BODYSTRUCTURE: multipart/mixed of text, an image attachment with every
        // extension field, a nested message/rfc822 and a multipart/alternative.
        roundtrip(
            r#"(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 120 4 NIL NIL NIL NIL)("IMAGE" "PNG" ("NAME" "a.png") "<id@x>" "A picture" "BASE64" 4000 "md5sum" ("ATTACHMENT" ("FILENAME" "a.png")) ("en" "de") "http://x/a.png" 7 ("x" 8 (NIL "y")))("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 500 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "HTML" NIL NIL NIL "8BIT" 100 3) 20 NIL ("INLINE" NIL) "fr")(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)("TEXT" "HTML" NIL NIL NIL "7BIT" 1 1) "ALTERNATIVE" ("BOUNDARY" "b2")) "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)"#,
        );
        roundtrip(r#"(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1) "MIXED" NIL)"#);
        roundtrip(r#"("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BINARY" 10)"#);
        roundtrip(
            r#"("MESSAGE" "GLOBAL" NIL NIL NIL "8BIT" 0 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("APPLICATION" "X" NIL NIL NIL "7BIT" 0) 0)"#,
        );
        // A literal "TEXT" is not media-text: it is a basic part without lines.
        let b = roundtrip("({4}\r\nTEXT \"PLAIN\" NIL NIL NIL \"7BIT\" 1)");
        assert!(matches!(
            b,
            BodyStructure::Single(SinglePart {
                kind: SinglePartKind::Basic(_),
                ..
            })
        ));
        // "MESSAGE" with another subtype is basic.
        roundtrip(r#"("MESSAGE" "DELIVERY-STATUS" NIL NIL NIL "7BIT" 10)"#);
    }

    #[test]
    fn lower_case_types_are_recognised() {
        let b = parse_all(
            br#"("text" "plain" NIL NIL NIL "7bit" 1 2)"#,
            BodyStructure::parse,
        )
        .unwrap();
        assert!(matches!(
            b,
            BodyStructure::Single(SinglePart {
                kind: SinglePartKind::Text { lines, .. },
                ..
            }) if lines.get() == 2
        ));
    }

    #[test]
    fn rejects() {
        let cases: &[(&str, usize, &str)] = &[
            // text without lines
            (r#"("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1)"#, 36, "SP"),
            // empty parameter list
            (
                r#"("APPLICATION" "X" () NIL NIL "7BIT" 1)"#,
                20,
                "body-fld-param",
            ),
            // SP between multipart bodies
            (
                r#"(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1) "MIXED")"#,
                41,
                "media-subtype",
            ),
            // number where an nstring is required
            (
                r#"("APPLICATION" "X" NIL 5 NIL "7BIT" 1)"#,
                23,
                "body-fld-id",
            ),
            // trailing SP
            (
                r#"("APPLICATION" "X" NIL NIL NIL "7BIT" 1 )"#,
                40,
                "body-fld-md5",
            ),
            // atom where a string is required
            (r#"(TEXT "PLAIN" NIL NIL NIL "7BIT" 1 1)"#, 1, "body"),
            (
                r#"("APPLICATION" "X" NIL NIL NIL 7BIT 1)"#,
                31,
                "body-fld-enc",
            ),
            (r#"()"#, 1, "body"),
        ];
        for &(input, offset, expected) in cases {
            let err = parse_all(input.as_bytes(), BodyStructure::parse).unwrap_err();
            assert_eq!((err.offset, err.expected), (offset, expected), "{input}");
        }
        let deep = format!(
            "{}(\"A\" \"B\" NIL NIL NIL \"7BIT\" 1){}",
            "(".repeat(100),
            " \"MIXED\")".repeat(100)
        );
        assert!(parse_all(deep.as_bytes(), BodyStructure::parse).is_err());
    }

    #[test]
    fn validated_constructors() {
        let q = |s: &'static str| IString::new(s).unwrap();
        assert!(BasicMedia::new(q("TEXT"), q("PLAIN")).is_err());
        assert!(BasicMedia::new(q("message"), q("rfc822")).is_err());
        assert!(BasicMedia::new(q("MESSAGE"), q("PARTIAL")).is_ok());
        assert!(MultiPart::new(vec![], q("MIXED"), None).is_err());
        assert!(BodyExtensionList::new(vec![]).is_err());
    }
}
