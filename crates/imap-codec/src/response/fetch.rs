//! FETCH data items: RFC 3501 §7.4.2 and RFC 9051 §7.5.2 — `msg-att`, `msg-att-dynamic`
//! (FLAGS) and `msg-att-static` (ENVELOPE, INTERNALDATE, RFC822, RFC822.HEADER, RFC822.TEXT,
//! RFC822.SIZE, BODY, BODYSTRUCTURE, `BODY[section]<origin>`, `BINARY[part]`, BINARY.SIZE,
//! UID), with BINARY from RFC 3516 / RFC 9051.

use std::num::NonZeroU32;

use crate::core::{IntoStatic, Literal8, NString};
use crate::datetime::DateTime;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::flag::{Flag, FlagFetch};
use crate::parse::{byte, lparen, number, number64, nz_number, paren_list, sp};
use crate::response::body::{BodyStructure, encode_number64};
use crate::response::envelope::Envelope;
use crate::response::nstring;
use crate::section::{Part, Section, encode_section_binary, parse_section_binary};

/// The value of a `BINARY[...]` item: `nstring / literal8` (RFC 9051 §9, RFC 3516).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BinaryValue<'a> {
    /// A string (no NUL) or NIL.
    NString(NString<'a>),
    /// `~{n}` CRLF octets: any octets.
    Literal8(Literal8<'a>),
}

impl IntoStatic for BinaryValue<'_> {
    type Static = BinaryValue<'static>;
    fn into_static(self) -> BinaryValue<'static> {
        match self {
            BinaryValue::NString(s) => BinaryValue::NString(s.into_static()),
            BinaryValue::Literal8(l) => BinaryValue::Literal8(l.into_static()),
        }
    }
}

impl BinaryValue<'_> {
    /// The octets, or `None` for NIL.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            BinaryValue::NString(s) => s.as_bytes(),
            BinaryValue::Literal8(l) => Some(l.data()),
        }
    }
}

/// One data item of a FETCH response (`msg-att-dynamic / msg-att-static`, RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MessageAttribute<'a> {
    /// `"FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"`
    Flags(Vec<FlagFetch<'a>>),
    /// `"ENVELOPE" SP envelope`
    Envelope(Box<Envelope<'a>>),
    /// `"INTERNALDATE" SP date-time`
    InternalDate(DateTime),
    /// `"RFC822" SP nstring` (RFC 3501)
    Rfc822(NString<'a>),
    /// `"RFC822.HEADER" SP nstring` (RFC 3501)
    Rfc822Header(NString<'a>),
    /// `"RFC822.TEXT" SP nstring` (RFC 3501)
    Rfc822Text(NString<'a>),
    /// `"RFC822.SIZE" SP number64` (RFC 3501: `number`; values above 2^63-1 are written as
    /// 2^63-1)
    Rfc822Size(u64),
    /// `"BODY" SP body`: the structure without extension data.
    Body(Box<BodyStructure<'a>>),
    /// `"BODYSTRUCTURE" SP body`
    BodyStructure(Box<BodyStructure<'a>>),
    /// `"BODY" section ["<" number ">"] SP nstring`
    BodySection {
        /// The section.
        section: Section<'a>,
        /// The first octet's offset, for a partial fetch (a `number`; values above 2^32-1
        /// are written as 4294967295).
        origin: Option<u64>,
        /// The data.
        data: NString<'a>,
    },
    /// `"BINARY" section-binary SP (nstring / literal8)` (RFC 9051, RFC 3516)
    Binary {
        /// The part, `None` for the whole message (`[]`).
        section: Option<Part>,
        /// The decoded content.
        value: BinaryValue<'a>,
    },
    /// `"BINARY.SIZE" section-binary SP number` (RFC 9051, RFC 3516)
    BinarySize {
        /// The part, `None` for the whole message (`[]`).
        section: Option<Part>,
        /// The decoded size.
        size: u32,
    },
    /// `"UID" SP uniqueid`
    Uid(NonZeroU32),
}

impl<'a> MessageAttribute<'a> {
    /// Parses `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP ...) ")"`.
    pub(crate) fn parse_msg_att(i: &'a [u8]) -> PResult<'a, Vec<Self>> {
        crate::parse::rule("msg-att", Self::parse_msg_att_list)(i)
    }

    fn parse_msg_att_list(i: &'a [u8]) -> PResult<'a, Vec<Self>> {
        let (mut i, ()) = lparen(i).map_err(|e| {
            e.map(|mut e| {
                e.expected = "msg-att";
                e
            })
        })?;
        let mut out = Vec::with_capacity(8);
        loop {
            let (r, a) = Self::parse(i)?;
            out.push(a);
            match r.first() {
                Some(b' ') => i = &r[1..],
                Some(b')') => return Ok((&r[1..], out)),
                _ => return fail(r, "\")\""),
            }
        }
    }

    /// Parses one data item, dispatching on its name.
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let len = i
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'.'))
            .unwrap_or(i.len());
        let (name, r) = i.split_at(len);
        let is = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
        match name.first().map(u8::to_ascii_uppercase) {
            Some(b'F') if is("FLAGS") => {
                let (r, ()) = sp(r)?;
                let (r, flags) = paren_list(r, true, Flag::parse)?;
                Ok((r, MessageAttribute::Flags(flags)))
            }
            Some(b'U') if is("UID") => {
                let (r, ()) = sp(r)?;
                let (r, uid) = nz_number(r)?;
                Ok((r, MessageAttribute::Uid(uid)))
            }
            Some(b'E') if is("ENVELOPE") => {
                let (r, ()) = sp(r)?;
                let (r, env) = Envelope::parse(r)?;
                Ok((r, MessageAttribute::Envelope(Box::new(env))))
            }
            Some(b'I') if is("INTERNALDATE") => {
                let (r, ()) = sp(r)?;
                let (r, dt) = DateTime::parse(r)?;
                Ok((r, MessageAttribute::InternalDate(dt)))
            }
            Some(b'R') if is("RFC822.SIZE") => {
                let (r, ()) = sp(r)?;
                let (r, n) = number64(r)?;
                Ok((r, MessageAttribute::Rfc822Size(n)))
            }
            Some(b'R') if is("RFC822") || is("RFC822.HEADER") || is("RFC822.TEXT") => {
                let (r, ()) = sp(r)?;
                let (r, s) = nstring(r, "nstring")?;
                let v = match name.len() {
                    6 => MessageAttribute::Rfc822(s),
                    13 => MessageAttribute::Rfc822Header(s),
                    _ => MessageAttribute::Rfc822Text(s),
                };
                Ok((r, v))
            }
            Some(b'B') if is("BODY") => {
                if r.first() == Some(&b'[') {
                    let (r, section) = Section::parse::<false>(r)?;
                    let (r, origin) = if r.first() == Some(&b'<') {
                        let (r, n) = number(&r[1..])?;
                        let (r, ()) = byte(r, b'>', "\">\"")?;
                        (r, Some(u64::from(n)))
                    } else {
                        (r, None)
                    };
                    let (r, ()) = sp(r)?;
                    let (r, data) = nstring(r, "nstring")?;
                    return Ok((
                        r,
                        MessageAttribute::BodySection {
                            section,
                            origin,
                            data,
                        },
                    ));
                }
                let (r, ()) = sp(r)?;
                let (r, b) = BodyStructure::parse(r)?;
                Ok((r, MessageAttribute::Body(Box::new(b))))
            }
            Some(b'B') if is("BODYSTRUCTURE") => {
                let (r, ()) = sp(r)?;
                let (r, b) = BodyStructure::parse(r)?;
                Ok((r, MessageAttribute::BodyStructure(Box::new(b))))
            }
            Some(b'B') if is("BINARY") => {
                let (r, section) = parse_section_binary(r)?;
                let (r, ()) = sp(r)?;
                let (r, value) = if r.first() == Some(&b'~') {
                    let (r, l) = Literal8::parse::<false>(r)?;
                    (r, BinaryValue::Literal8(l))
                } else {
                    let (r, s) = nstring(r, "nstring")?;
                    (r, BinaryValue::NString(s))
                };
                Ok((r, MessageAttribute::Binary { section, value }))
            }
            Some(b'B') if is("BINARY.SIZE") => {
                let (r, section) = parse_section_binary(r)?;
                let (r, ()) = sp(r)?;
                let (r, size) = number(r)?;
                Ok((r, MessageAttribute::BinarySize { section, size }))
            }
            _ => fail(i, "msg-att"),
        }
    }
}

impl Encode for MessageAttribute<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            MessageAttribute::Flags(flags) => {
                e.raw(b"FLAGS ").paren_list(flags, |e, f| f.encode(e));
            }
            MessageAttribute::Envelope(env) => {
                e.raw(b"ENVELOPE ");
                env.encode(e);
            }
            MessageAttribute::InternalDate(dt) => {
                e.raw(b"INTERNALDATE ");
                dt.encode(e);
            }
            MessageAttribute::Rfc822(s) => {
                e.raw(b"RFC822 ");
                s.encode(e);
            }
            MessageAttribute::Rfc822Header(s) => {
                e.raw(b"RFC822.HEADER ");
                s.encode(e);
            }
            MessageAttribute::Rfc822Text(s) => {
                e.raw(b"RFC822.TEXT ");
                s.encode(e);
            }
            MessageAttribute::Rfc822Size(n) => {
                e.raw(b"RFC822.SIZE ");
                encode_number64(*n, e);
            }
            MessageAttribute::Body(b) => {
                e.raw(b"BODY ");
                b.encode(e);
            }
            MessageAttribute::BodyStructure(b) => {
                e.raw(b"BODYSTRUCTURE ");
                b.encode(e);
            }
            MessageAttribute::BodySection {
                section,
                origin,
                data,
            } => {
                e.raw(b"BODY");
                section.encode(e);
                if let Some(o) = origin {
                    e.byte(b'<')
                        .number((*o).min(u64::from(u32::MAX)))
                        .byte(b'>');
                }
                e.sp();
                data.encode(e);
            }
            MessageAttribute::Binary { section, value } => {
                e.raw(b"BINARY");
                encode_section_binary(section, e);
                e.sp();
                match value {
                    BinaryValue::NString(s) => s.encode(e),
                    BinaryValue::Literal8(l) => l.encode(e),
                }
            }
            MessageAttribute::BinarySize { section, size } => {
                e.raw(b"BINARY.SIZE");
                encode_section_binary(section, e);
                e.sp().number(u64::from(*size));
            }
            MessageAttribute::Uid(uid) => {
                e.raw(b"UID ").number(u64::from(uid.get()));
            }
        }
    }
}

impl IntoStatic for MessageAttribute<'_> {
    type Static = MessageAttribute<'static>;
    fn into_static(self) -> MessageAttribute<'static> {
        match self {
            MessageAttribute::Flags(f) => MessageAttribute::Flags(f.into_static()),
            MessageAttribute::Envelope(e) => MessageAttribute::Envelope(e.into_static()),
            MessageAttribute::InternalDate(d) => MessageAttribute::InternalDate(d),
            MessageAttribute::Rfc822(s) => MessageAttribute::Rfc822(s.into_static()),
            MessageAttribute::Rfc822Header(s) => MessageAttribute::Rfc822Header(s.into_static()),
            MessageAttribute::Rfc822Text(s) => MessageAttribute::Rfc822Text(s.into_static()),
            MessageAttribute::Rfc822Size(n) => MessageAttribute::Rfc822Size(n),
            MessageAttribute::Body(b) => MessageAttribute::Body(b.into_static()),
            MessageAttribute::BodyStructure(b) => MessageAttribute::BodyStructure(b.into_static()),
            MessageAttribute::BodySection {
                section,
                origin,
                data,
            } => MessageAttribute::BodySection {
                section: section.into_static(),
                origin,
                data: data.into_static(),
            },
            MessageAttribute::Binary { section, value } => MessageAttribute::Binary {
                section,
                value: value.into_static(),
            },
            MessageAttribute::BinarySize { section, size } => {
                MessageAttribute::BinarySize { section, size }
            }
            MessageAttribute::Uid(u) => MessageAttribute::Uid(u),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Data, Response};

    fn attrs(s: &str) -> Vec<MessageAttribute<'static>> {
        let line = format!("* 1 FETCH ({s})\r\n");
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), line);
        let Response::Data(Data::Fetch(f)) = r.into_static() else {
            panic!()
        };
        f.attributes.into_vec()
    }

    #[test]
    fn every_item() {
        let a = attrs(
            "FLAGS (\\Seen \\Recent $Forwarded) UID 4827313 RFC822.SIZE 44827 INTERNALDATE \" 7-Jul-1996 02:44:25 +0000\"",
        );
        assert_eq!(a.len(), 4);
        assert!(matches!(&a[0], MessageAttribute::Flags(f) if f[1].is_recent()));
        attrs("RFC822 {5}\r\nhello RFC822.HEADER NIL RFC822.TEXT \"body\"");
        attrs("BODY[] NIL BODY[1.2.MIME] \"x\" BODY[HEADER.FIELDS (DATE FROM)]<0> {0}\r\n");
        attrs("BODY[TEXT]<4294967295> \"\" BODY[4.2.HEADER.FIELDS.NOT (X)] NIL");
        let a = attrs("BINARY[] ~{3}\r\na\0b BINARY[1.2] \"x\" BINARY[3] NIL");
        assert!(
            matches!(&a[0], MessageAttribute::Binary { section: None, value } if value.as_bytes() == Some(&b"a\0b"[..]))
        );
        attrs("BINARY.SIZE[] 0 BINARY.SIZE[1.2] 4294967295");
        attrs("ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
        attrs(
            "BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0) BODYSTRUCTURE (\"APPLICATION\" \"X\" NIL NIL NIL \"BASE64\" 4 NIL)",
        );
    }

    #[test]
    fn lower_case_names() {
        let r = Response::parse(b"* 1 fetch (uid 5 flags () body[text] nil)\r\n").unwrap();
        let Response::Data(Data::Fetch(f)) = r else {
            panic!()
        };
        assert_eq!(f.attributes.len(), 3);
    }

    #[test]
    fn rejects() {
        for (bad, offset, expected) in [
            (&b"* 1 FETCH (BINARY[] ~{2+}\r\nab)\r\n"[..], 23, "\"}\""),
            (b"* 1 FETCH (BODY[]<1.2> NIL)\r\n", 19, "\">\""),
            (b"* 1 FETCH (BODY[] ~{1}\r\na)\r\n", 18, "nstring"),
            (b"* 1 FETCH (BINARY.SIZE[] NIL)\r\n", 25, "number"),
            (b"* 1 FETCH (RFC822.SIZE -1)\r\n", 23, "number64"),
            (b"* 1 FETCH (BODY.PEEK[] NIL)\r\n", 11, "msg-att"),
            (b"* 1 FETCH (FLAGS (\\*))\r\n", 19, "flag"),
            (b"* 1 FETCH (UID 1))\r\n", 17, "CRLF"),
        ] {
            let e = Response::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
    }
}
