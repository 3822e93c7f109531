//! FETCH data items from a message (RFC 9051 §6.4.5, §7.5.2; RFC 3501 §6.4.5 for the
//! RFC822.* items; RFC 3516 for BINARY). This module is the only one that matches
//! imap-codec's `FetchAtt` / `Section` and builds `MessageAttribute`s.

use std::borrow::Cow;
use std::num::NonZeroU32;

use imap_codec::command::FetchAtt;
use imap_codec::core::{IString, IntoStatic, Literal8, NString};
use imap_codec::ext::Number64;
use imap_codec::response::{
    BinaryData, BinarySizeData, BinaryValue, MessageAttribute, SectionData,
};
use imap_codec::{DateTime, Part, Partial, Section};

use crate::decode::{DecodeError, transfer_decode};
use crate::flags::Flags;
use crate::message::{Content, Entity, Message};
use crate::structure::{body_structure, envelope};

/// What the store knows about a message besides its octets.
#[derive(Debug, Clone, Copy)]
pub struct MessageMeta<'a> {
    /// The UID.
    pub uid: NonZeroU32,
    /// The flags.
    pub flags: &'a Flags,
    /// The internal date (RFC 9051 §2.3.3), chosen by the store, not read from the message.
    pub internal_date: DateTime,
    /// Whether the message is `\Recent` in the asking session (RFC 3501 §2.3.2).
    pub recent: bool,
}

/// Why a FETCH item cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// BINARY / BINARY.SIZE of a part whose Content-Transfer-Encoding is unknown: answer
    /// `NO [UNKNOWN-CTE]` (RFC 9051 §7.5.2, RFC 3516 §4.3).
    UnknownCte(String),
    /// A data item this kit does not know (a newer imap-codec item): answer `BAD`.
    Unsupported,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::UnknownCte(c) => write!(f, "unknown Content-Transfer-Encoding {c:?}"),
            FetchError::Unsupported => f.write_str("unsupported FETCH data item"),
        }
    }
}

impl std::error::Error for FetchError {}

impl From<DecodeError> for FetchError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::UnknownCte(c) => FetchError::UnknownCte(c),
        }
    }
}

/// The answer to one FETCH for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched<'m> {
    /// The data items, in the order asked.
    pub attributes: Vec<MessageAttribute<'m>>,
    /// True when a non-PEEK body item was fetched: RFC 9051 §6.4.5 says `\Seen` is set.
    /// The store applies it (and, if the flags changed, the server adds FLAGS).
    pub sets_seen: bool,
}

/// Computes `items` (macros already expanded, see `FetchItems::expand`) for `msg`.
pub fn fetch<'m>(
    msg: &'m Message,
    meta: &MessageMeta<'_>,
    items: &[FetchAtt<'_>],
) -> Result<Fetched<'m>, FetchError> {
    let mut attributes = Vec::with_capacity(items.len());
    let mut sets_seen = false;
    for item in items {
        let (attr, seen) = fetch_one(msg, meta, item)?;
        attributes.push(attr);
        sets_seen |= seen;
    }
    Ok(Fetched {
        attributes,
        sets_seen,
    })
}

/// One data item, and whether it sets `\Seen`.
#[allow(unreachable_patterns)]
fn fetch_one<'m>(
    msg: &'m Message,
    meta: &MessageMeta<'_>,
    item: &FetchAtt<'_>,
) -> Result<(MessageAttribute<'m>, bool), FetchError> {
    let root = msg.root();
    Ok(match item {
        FetchAtt::Envelope => (
            MessageAttribute::Envelope(Box::new(envelope(&msg.header()))),
            false,
        ),
        FetchAtt::Flags => (
            MessageAttribute::Flags(meta.flags.to_codec(meta.recent)),
            false,
        ),
        FetchAtt::InternalDate => (MessageAttribute::InternalDate(meta.internal_date), false),
        FetchAtt::Uid => (MessageAttribute::Uid(meta.uid), false),
        FetchAtt::Rfc822Size => (
            MessageAttribute::Rfc822Size(number64(msg.raw().len() as u64)),
            false,
        ),
        FetchAtt::Rfc822 => (MessageAttribute::Rfc822(data(msg.raw().into())), true),
        FetchAtt::Rfc822Header => (
            MessageAttribute::Rfc822Header(data(msg.slice(root.header.clone()).into())),
            false,
        ),
        FetchAtt::Rfc822Text => (
            MessageAttribute::Rfc822Text(data(msg.slice(root.body.clone()).into())),
            true,
        ),
        FetchAtt::Body => (
            MessageAttribute::Body(Box::new(body_structure(msg, root, false))),
            false,
        ),
        FetchAtt::BodyStructure => (
            MessageAttribute::BodyStructure(Box::new(body_structure(msg, root, true))),
            false,
        ),
        FetchAtt::BodySection {
            peek,
            section,
            partial,
        } => {
            let bytes = section_data(msg, section);
            let (origin, data) = match (bytes, partial) {
                // A section the message does not have: an empty string, as Dovecot 2.3
                // answers (RFC 9051 does not say; see docs/mailbox.md).
                (None, p) => (p.map(|p| p.offset()), self::data(Cow::Borrowed(&[][..]))),
                (Some(b), Some(p)) => (Some(p.offset()), self::data(slice_partial(b, *p))),
                (Some(b), None) => (None, self::data(b)),
            };
            (
                MessageAttribute::BodySection(SectionData {
                    section: section.clone().into_static(),
                    // RFC 9051 §9 lets the command's offset be a `number64` but the answer's
                    // origin is a `number`: an offset past 4 GiB is past the end of any message
                    // the store accepts (`Limits`), so saturating is never reached in practice.
                    origin: origin.map(|o| u32::try_from(o).unwrap_or(u32::MAX)),
                    data,
                }),
                !*peek,
            )
        }
        FetchAtt::Binary {
            peek,
            part,
            partial,
        } => {
            let value = match binary_data(msg, part.as_ref())? {
                // A part the message does not have: empty, as for BODY[].
                None => BinaryValue::NString(data(Cow::Borrowed(&[][..]))),
                Some(b) => {
                    let b = match partial {
                        Some(p) => slice_partial(Cow::Owned(b), *p).into_owned(),
                        None => b,
                    };
                    if b.contains(&0) {
                        BinaryValue::Literal8(Literal8::new(b))
                    } else {
                        BinaryValue::NString(data(Cow::Owned(b)))
                    }
                }
            };
            (
                MessageAttribute::Binary(BinaryData {
                    section: part.clone(),
                    value,
                }),
                !*peek,
            )
        }
        FetchAtt::BinarySize { part } => {
            let size = binary_data(msg, part.as_ref())?.map_or(0, |b| b.len());
            (
                MessageAttribute::BinarySize(BinarySizeData {
                    section: part.clone(),
                    size: u32::try_from(size).unwrap_or(u32::MAX),
                }),
                false,
            )
        }
        _ => return Err(FetchError::Unsupported),
    })
}

/// An `nstring` holding `bytes`, borrowed when possible; NUL (not allowed in IMAP strings,
/// RFC 9051 §4.3) becomes 0x80.
fn data(bytes: Cow<'_, [u8]>) -> NString<'_> {
    let bytes = if bytes.contains(&0) {
        Cow::Owned(
            bytes
                .iter()
                .map(|&b| if b == 0 { 0x80 } else { b })
                .collect(),
        )
    } else {
        bytes
    };
    NString(Some(IString::new(bytes).expect("no NUL octet")))
}

/// `<offset.length>` (RFC 9051 §6.4.5): the octets from `offset`, at most `length` of
/// them; empty when `offset` is past the end.
pub fn slice_partial(bytes: Cow<'_, [u8]>, p: Partial) -> Cow<'_, [u8]> {
    let len = bytes.len() as u64;
    let start = p.offset().min(len) as usize;
    let end = p.offset().saturating_add(p.length()).min(len) as usize;
    match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(&b[start..end]),
        Cow::Owned(mut v) => {
            v.truncate(end);
            v.drain(..start);
            Cow::Owned(v)
        }
    }
}

fn path(p: &Part) -> Vec<u32> {
    p.path().iter().map(|n| n.get()).collect()
}

/// The entity whose header / text a `HEADER`, `HEADER.FIELDS`, `TEXT` specifier names: the
/// message itself, or the message encapsulated in a message/rfc822 part (RFC 9051 §6.4.5:
/// only such parts have these specifiers).
fn message_entity<'m>(msg: &'m Message, part: Option<&Part>) -> Option<&'m Entity> {
    match part {
        None => Some(msg.root()),
        Some(p) => match &msg.part(&path(p))?.content {
            Content::Message(inner) => Some(inner),
            _ => None,
        },
    }
}

/// True when the header in `h` ends with the blank line.
fn ends_with_blank_line(h: &[u8]) -> bool {
    h == b"\n" || h == b"\r\n" || h.ends_with(b"\n\n") || h.ends_with(b"\n\r\n")
}

/// The octets `BODY[section]` returns (RFC 9051 §6.4.5), or `None` when the section does
/// not exist in this message (a part number past the last part, or HEADER / TEXT of a part
/// that is not message/rfc822); [`fetch`] answers an empty string then, as Dovecot 2.3
/// does.
///
/// `HEADER.FIELDS` returns the matching fields (case-insensitive names) in message order,
/// each with its folded continuation lines, then the blank line if the header has one;
/// `HEADER.FIELDS.NOT` the other fields likewise. `MIME` returns a part's own header.
#[allow(unreachable_patterns)]
pub fn section_data<'m>(msg: &'m Message, section: &Section<'_>) -> Option<Cow<'m, [u8]>> {
    let b = |r: std::ops::Range<usize>| Some(Cow::Borrowed(msg.slice(r)));
    match section {
        Section::Part(None) => Some(Cow::Borrowed(msg.raw())),
        Section::Part(Some(p)) => b(msg.part(&path(p))?.body.clone()),
        Section::Mime(p) => b(msg.part(&path(p))?.header.clone()),
        Section::Header(p) => b(message_entity(msg, p.as_ref())?.header.clone()),
        Section::Text(p) => b(message_entity(msg, p.as_ref())?.body.clone()),
        Section::HeaderFields { part, not, fields } => {
            let e = message_entity(msg, part.as_ref())?;
            let h = e.header(msg.raw());
            let names = fields.to_vec();
            let mut out = Vec::new();
            for f in h.fields() {
                let name = h.name(f);
                if name.is_empty() {
                    continue;
                }
                let listed = names
                    .iter()
                    .any(|n| n.as_bytes().eq_ignore_ascii_case(name));
                if listed != *not {
                    out.extend_from_slice(msg.slice(f.whole.clone()));
                }
            }
            if ends_with_blank_line(msg.slice(e.header.clone())) {
                out.extend_from_slice(b"\r\n");
            }
            Some(Cow::Owned(out))
        }
        _ => None,
    }
}

/// The decoded octets `BINARY[part]` returns (RFC 9051 §6.4.5, RFC 3516 §4.2): the part's
/// body with its Content-Transfer-Encoding removed, and for text/* parts bare LF turned
/// into CRLF (RFC 9051 §7.5.2: "servers MUST ensure that textual line-oriented sections
/// are always transmitted using the IMAP CRLF line termination"). `BINARY[]` is the whole
/// message as stored. `Ok(None)` when the part does not exist.
pub fn binary_data(msg: &Message, part: Option<&Part>) -> Result<Option<Vec<u8>>, FetchError> {
    let Some(p) = part else {
        return Ok(Some(msg.raw().to_vec()));
    };
    let Some(e) = msg.part(&path(p)) else {
        return Ok(None);
    };
    let decoded = transfer_decode(&e.encoding, msg.slice(e.body.clone()))?;
    Ok(Some(if e.is_text() { crlf(decoded) } else { decoded }))
}

/// Bare LF → CRLF.
fn crlf(v: Vec<u8>) -> Vec<u8> {
    if !v
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || v[i - 1] != b'\r'))
    {
        return v;
    }
    let mut out = Vec::with_capacity(v.len() + v.len() / 16);
    for (i, &b) in v.iter().enumerate() {
        if b == b'\n' && (i == 0 || v[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// A size or count as `number64` (RFC 9051 §9: at most 2^63 - 1, which no stored message
/// reaches; saturates rather than panics).
pub(crate) fn number64(n: u64) -> Number64 {
    Number64::new(n).unwrap_or(Number64::MAX)
}
