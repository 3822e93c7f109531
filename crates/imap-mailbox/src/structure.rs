//! ENVELOPE and BODY / BODYSTRUCTURE values (RFC 9051 §7.5.2, §9 `envelope`, `body`)
//! computed from a [`Message`]. This module and [`crate::fetch`](mod@crate::fetch) are the only places that
//! build imap-codec response values for FETCH.
//!
//! Field by field (RFC 9051 §7.5.2 and §9):
//! - type, subtype, parameter names and the encoding are upper-cased (as in the RFC's
//!   examples); parameter values, ids, descriptions and languages are passed as written.
//! - A text/* part without a charset parameter gets `"CHARSET" "US-ASCII"` (RFC 2046
//!   §4.1.2).
//! - An absent or invalid Content-Type is `"TEXT" "PLAIN" ("CHARSET" "US-ASCII")`
//!   (RFC 2045 §5.2); inside multipart/digest the default is `MESSAGE/RFC822` (RFC 2046
//!   §5.1.5).
//! - `body-fld-octets` is the size of the body in octets as stored (still transfer
//!   encoded); `body-fld-lines` (text/* and message/rfc822) counts line ends (LF octets).
//! - BODYSTRUCTURE adds the extension data: MD5 (Content-MD5, else NIL), disposition,
//!   language (Content-Language, NIL when absent), location (Content-Location); BODY omits it.

use imap_codec::core::{IString, NString};
use imap_codec::response::{
    Address, AddressList, BasicMedia, BodyFields, BodyParam, BodyStructure, Disposition, Envelope,
    ExtDisposition, ExtLanguage, ExtLocation, Language, MessagePart, MessageSubtype, MultiPart,
    MultiPartExtension, SinglePart, SinglePartExtension, SinglePartKind,
};

use crate::address::{AddressItem, parse_address_list};
use crate::header::Header;
use crate::message::{Content, Entity, Message};
use crate::mime::{self, Param};

/// An IMAP string for arbitrary octets: quoted when possible, else a literal. NUL is not
/// allowed in either (RFC 9051 §4.3), so each NUL becomes 0x80 (as Dovecot does).
pub(crate) fn istring(bytes: &[u8]) -> IString<'static> {
    let owned: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == 0 { 0x80 } else { b })
        .collect();
    // IString::new fails only on NUL, replaced above.
    IString::new(owned).expect("no NUL octet")
}

pub(crate) fn nstring(bytes: Option<&[u8]>) -> NString<'static> {
    NString(bytes.map(istring))
}

fn upper(s: &str) -> IString<'static> {
    istring(s.to_ascii_uppercase().as_bytes())
}

/// The ENVELOPE of the message whose header is `h` (RFC 9051 §7.5.2).
pub fn envelope(h: &Header<'_>) -> Envelope<'static> {
    let text = |name: &str| nstring(h.get(name).as_deref());
    let addrs = |name: &str| h.get(name).map(|v| addresses(&v)).unwrap_or_default();
    let from = addrs("from");
    let or_from =
        |v: Vec<Address<'static>>| AddressList::new(if v.is_empty() { from.clone() } else { v });
    Envelope {
        date: text("date"),
        subject: text("subject"),
        sender: or_from(addrs("sender")),
        reply_to: or_from(addrs("reply-to")),
        from: AddressList::new(from.clone()),
        to: AddressList::new(addrs("to")),
        cc: AddressList::new(addrs("cc")),
        bcc: AddressList::new(addrs("bcc")),
        in_reply_to: text("in-reply-to"),
        message_id: text("message-id"),
    }
}

/// Address structures for an address list: groups become a start marker (host NIL,
/// mailbox = group name) and an end marker (all NIL), RFC 9051 §7.5.2.
fn addresses(value: &[u8]) -> Vec<Address<'static>> {
    parse_address_list(value)
        .into_iter()
        .map(|item| match item {
            AddressItem::Mailbox(m) => Address {
                name: nstring(m.name.as_deref()),
                adl: nstring(m.adl.as_deref()),
                mailbox: nstring(Some(&m.local)),
                host: nstring(Some(&m.domain)),
            },
            AddressItem::GroupStart(name) => Address {
                mailbox: nstring(Some(&name)),
                ..Address::default()
            },
            AddressItem::GroupEnd => Address::default(),
        })
        .collect()
}

/// `body-fld-lines`: the number of line ends (LF octets) in the body. The line break
/// before a boundary belongs to the boundary (RFC 2046 §5.1.1), so a part's last line is
/// counted only when it ends with its own CRLF; Dovecot 2.3 counts the same way.
pub fn count_lines(body: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', body).count() as u64
}

fn params(p: &[Param]) -> Vec<BodyParam<'static>> {
    p.iter()
        .map(|p| BodyParam {
            name: upper(&p.name),
            value: istring(&p.value),
        })
        .collect()
}

/// `body-fld-dsp`, `body-fld-lang`, `body-fld-loc` (RFC 9051 §9, RFC 2183, RFC 3282,
/// RFC 2557).
fn ext_disposition(h: &Header<'_>) -> ExtDisposition<'static> {
    let disposition = h
        .get("content-disposition")
        .and_then(|v| mime::disposition(&v))
        .map(|d| Disposition {
            kind: upper(&d.kind),
            params: params(&d.params).into(),
        });
    let langs = h
        .get("content-language")
        .map(|v| mime::languages(&v))
        .unwrap_or_default();
    let language = match langs.len() {
        0 => Language::Single(NString(None)),
        1 => Language::Single(nstring(Some(&langs[0]))),
        _ => {
            match imap_codec::response::StringList::new(langs.iter().map(|l| istring(l)).collect())
            {
                Ok(l) => Language::List(l),
                Err(_) => Language::Single(NString(None)),
            }
        }
    };
    ExtDisposition {
        disposition,
        language: Some(ExtLanguage {
            language,
            location: Some(ExtLocation {
                location: nstring(h.get("content-location").as_deref()),
                extensions: Vec::new(),
            }),
        }),
    }
}

/// BODYSTRUCTURE (`extensible`) or BODY of `entity`.
pub fn body_structure(msg: &Message, entity: &Entity, extensible: bool) -> BodyStructure<'static> {
    let raw = msg.raw();
    let h = entity.header(raw);
    let ct = &entity.content_type;
    if let Content::Multipart(parts) = &entity.content {
        let bodies = parts
            .iter()
            .map(|p| body_structure(msg, p, extensible))
            .collect();
        let extension = extensible.then(|| MultiPartExtension {
            params: params(&ct.params).into(),
            disposition: Some(ext_disposition(&h)),
        });
        if let Ok(m) = MultiPart::new(bodies, upper(&ct.subtype), extension) {
            return BodyStructure::Multi(m);
        }
        // Unreachable: a multipart entity has at least one part (message.rs).
    }
    let body = msg.slice(entity.body.clone());
    let kind = match &entity.content {
        Content::Message(inner) => SinglePartKind::Message(Box::new(MessagePart {
            subtype: if ct.subtype == "global" {
                MessageSubtype::Global
            } else {
                MessageSubtype::Rfc822
            },
            envelope: envelope(&inner.header(raw)),
            body: body_structure(msg, inner, extensible),
            lines: crate::fetch::number64(count_lines(body)),
        })),
        _ if entity.is_text() => SinglePartKind::Text {
            subtype: upper(&ct.subtype),
            lines: crate::fetch::number64(count_lines(body)),
        },
        _ => SinglePartKind::Basic(
            BasicMedia::new(upper(&ct.kind), upper(&ct.subtype))
                .or_else(|_| BasicMedia::new(upper("application"), upper("octet-stream")))
                .expect("APPLICATION/OCTET-STREAM is media-basic"),
        ),
    };
    let mut body_params = params(&ct.params);
    if entity.is_text() && ct.param("charset").is_none() {
        // RFC 2046 §4.1.2: "The default character set, which must be assumed in the
        // absence of a charset parameter, is US-ASCII" (Dovecot 2.3 adds it too).
        body_params.push(BodyParam {
            name: upper("charset"),
            value: istring(b"US-ASCII"),
        });
    }
    let fields = BodyFields {
        params: body_params.into(),
        id: nstring(h.get("content-id").as_deref()),
        description: nstring(h.get("content-description").as_deref()),
        encoding: upper(&entity.encoding),
        octets: u32::try_from(body.len()).unwrap_or(u32::MAX),
    };
    let extension = extensible.then(|| SinglePartExtension {
        md5: nstring(h.get("content-md5").as_deref()),
        disposition: Some(ext_disposition(&h)),
    });
    BodyStructure::Single(SinglePart {
        kind,
        fields,
        extension,
    })
}
