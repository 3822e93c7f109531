//! FETCH data items: RFC 3501 §7.4.2 and RFC 9051 §7.5.2 — `msg-att`, `msg-att-dynamic`
//! (FLAGS) and `msg-att-static` (ENVELOPE, INTERNALDATE, RFC822, RFC822.HEADER, RFC822.TEXT,
//! RFC822.SIZE, BODY, BODYSTRUCTURE, `BODY[section]<origin>`, `BINARY[part]`, BINARY.SIZE,
//! UID), with BINARY from RFC 3516 / RFC 9051; extension items are rows of the same table:
//! EMAILID / THREADID ([`crate::ext::objectid`]), SAVEDATE ([`crate::ext::savedate`]), PREVIEW
//! and the real-world SNIPPET ([`crate::ext::preview`]).

use std::num::NonZeroU32;

use crate::context::Ctx;
use crate::core::{IntoStatic, Literal8, NString};
use crate::datetime::DateTime;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::ext::Number64;
use crate::ext::condstore::{ModSeq, parse_fetch_mod_resp};
use crate::ext::objectid::{ObjectId, encode_sp_paren_objectid, sp_paren_objectid};
use crate::ext::preview::{encode_snippet_data, parse_snippet_data};
use crate::ext::savedate::{encode_sp_date_time_or_nil, sp_date_time_or_nil};
use crate::flag::{Flag, FlagFetch};
use crate::parse::{byte, lparen, number, nz_number, paren_list, sp};
use crate::response::body::BodyStructure;
use crate::response::envelope::Envelope;
use crate::response::nstring;
use crate::section::{Part, Section, encode_section_binary, parse_section_binary};

/// The value of a `BINARY[...]` item: `nstring / literal8` (RFC 9051 §9, RFC 3516).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BinaryValue<'a> {
    /// A string (no NUL) or NIL.
    NString(NString<'a>),
    /// `~{n}` CRLF octets: any octets.
    Literal8(Literal8<'a>),
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

/// The FETCH data items, one row each: `Variant(payload) = "NAME", form, parser, encoder,
/// generator;`. From it come [`MessageAttribute`], [`MessageAttributeKind`] (with `ALL` and
/// `name()`), the parser's dispatch, the encoder and the `Arbitrary` variant choice.
///
/// The form is `plain` (`NAME SP value`) or `section` (`NAME "[" ...`): `BODY` has both
/// (`BODY SP body` and `BODY[section]`), told apart by the byte after the name. The parser
/// gets the input after the name; the encoder writes what follows the name.
macro_rules! msg_att_table {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident($payload:ty) = $name:literal, $form:ident, $parse:expr, $encode:expr, $arb:ident;
    )*) => {
        /// One data item of a FETCH response (`msg-att-dynamic / msg-att-static`, RFC 9051
        /// §9), one variant per row of the FETCH item table.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum MessageAttribute<'a> {
            $($(#[doc = $doc])* $variant($payload),)*
        }

        /// The kind of a [`MessageAttribute`], without its value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum MessageAttributeKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl MessageAttributeKind {
            /// Every kind, in table order.
            pub const ALL: &'static [MessageAttributeKind] = &[$(MessageAttributeKind::$variant,)*];

            /// The item's name on the wire, e.g. `"BODYSTRUCTURE"` (`"BODY"` for both `BODY`
            /// and `BODY[section]`).
            pub fn name(self) -> &'static str {
                match self {
                    $(MessageAttributeKind::$variant => $name,)*
                }
            }

            /// Whether the name is followed by `[` (`BODY[...]`, `BINARY[...]`).
            pub fn has_section(self) -> bool {
                match self {
                    $(MessageAttributeKind::$variant => msg_att_table!(@section $form),)*
                }
            }
        }

        /// The longest name of a row.
        const NAME_MAX: usize = crate::parse::max_len(&[$($name),*]);

        /// The row named `name` (letters, digits and `.`, as the parser scans it; any case)
        /// whose form matches `section`, else any row named `name` (its parser then says what
        /// is missing: `BINARY` without `[`).
        #[inline]
        fn lookup(name: &[u8], section: bool) -> Option<MessageAttributeKind> {
            /// Each row's name as bytes, named after its variant (`&[u8]` constants are
            /// slice patterns: the match is a comparison tree on length and bytes).
            #[allow(non_upper_case_globals)]
            mod name {
                $(pub const $variant: &[u8] = $name.as_bytes();)*
            }
            let mut buf = [0u8; NAME_MAX];
            let upper = buf.get_mut(..name.len())?;
            for (d, s) in upper.iter_mut().zip(name) {
                *d = s.to_ascii_uppercase();
            }
            // The rows of the right form first, then any row of that name; a name that two
            // rows share (`BODY`) repeats in the second group, where only its first row is
            // reachable (and never reached: one of the two has the right form).
            #[allow(unreachable_patterns)]
            match &*upper {
                $(name::$variant if msg_att_table!(@section $form) == section => {
                    Some(MessageAttributeKind::$variant)
                })*
                $(name::$variant => Some(MessageAttributeKind::$variant),)*
                _ => None,
            }
        }

        impl MessageAttribute<'_> {
            /// The kind of this item.
            pub fn kind(&self) -> MessageAttributeKind {
                match self {
                    $(MessageAttribute::$variant(_) => MessageAttributeKind::$variant,)*
                }
            }
        }

        impl<'a> MessageAttribute<'a> {
            #[inline]
            fn parse_kind(
                kind: MessageAttributeKind,
                rest: &'a [u8],
                ctx: &Ctx<'_>,
            ) -> PResult<'a, Self> {
                match kind {
                    $(MessageAttributeKind::$variant => ($parse)(rest, ctx)
                        .map(|(r, v)| (r, MessageAttribute::$variant(v))),)*
                }
            }
        }

        impl Encode for MessageAttribute<'_> {
            fn encode(&self, e: &mut Encoder<'_>) {
                match self {
                    $(MessageAttribute::$variant(v) => {
                        e.raw($name.as_bytes());
                        ($encode)(v, e);
                    })*
                }
            }
        }

        /// Generates a [`MessageAttribute`] of a kind chosen from
        /// [`MessageAttributeKind::ALL`].
        #[cfg(feature = "arbitrary")]
        pub(crate) fn arbitrary_message_attribute(
            u: &mut arbitrary::Unstructured<'_>,
        ) -> arbitrary::Result<MessageAttribute<'static>> {
            Ok(match *u.choose(MessageAttributeKind::ALL)? {
                $(MessageAttributeKind::$variant => {
                    MessageAttribute::$variant(crate::arbitrary::$arb(u)?)
                })*
            })
        }
    };
    (@section plain) => { false };
    (@section section) => { true };
}

msg_att_table! {
    /// `"FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"`
    Flags(Vec<FlagFetch<'a>>) = "FLAGS", plain,
        |r, _| sp_then(r, |r| paren_list(r, true, Flag::parse)),
        |flags: &Vec<FlagFetch<'_>>, e: &mut Encoder<'_>| {
            e.sp().paren_list(flags, |e, f| f.encode(e));
        },
        att_flags;
    /// `"UID" SP uniqueid`
    Uid(NonZeroU32) = "UID", plain,
        |r, _| sp_then(r, nz_number),
        |uid: &NonZeroU32, e: &mut Encoder<'_>| {
            e.sp().number(u64::from(uid.get()));
        },
        att_uid;
    /// `"ENVELOPE" SP envelope`
    Envelope(Box<Envelope<'a>>) = "ENVELOPE", plain,
        |r, _| sp_then(r, Envelope::parse).map(|(r, env)| (r, Box::new(env))),
        encode_sp_envelope,
        att_envelope;
    /// `"INTERNALDATE" SP date-time`
    InternalDate(DateTime) = "INTERNALDATE", plain,
        |r, _| sp_then(r, DateTime::parse),
        |dt: &DateTime, e: &mut Encoder<'_>| {
            e.sp();
            dt.encode(e);
        },
        att_internal_date;
    /// `"RFC822.SIZE" SP number64` (RFC 9051; RFC 3501: `number`)
    Rfc822Size(Number64) = "RFC822.SIZE", plain,
        |r, _| sp_then(r, Number64::parse),
        |n: &Number64, e: &mut Encoder<'_>| {
            e.sp();
            n.encode(e);
        },
        att_number64;
    /// `"RFC822" SP nstring` (RFC 3501)
    Rfc822(NString<'a>) = "RFC822", plain,
        sp_nstring,
        encode_sp_nstring,
        att_nstring;
    /// `"RFC822.HEADER" SP nstring` (RFC 3501)
    Rfc822Header(NString<'a>) = "RFC822.HEADER", plain,
        sp_nstring,
        encode_sp_nstring,
        att_nstring;
    /// `"RFC822.TEXT" SP nstring` (RFC 3501)
    Rfc822Text(NString<'a>) = "RFC822.TEXT", plain,
        sp_nstring,
        encode_sp_nstring,
        att_nstring;
    /// `"BODY" SP body`: the structure without extension data.
    Body(Box<BodyStructure<'a>>) = "BODY", plain,
        |r, ctx| sp_then(r, |r| BodyStructure::parse_in(r, ctx)).map(|(r, b)| (r, Box::new(b))),
        encode_sp_body,
        att_body;
    /// `"BODYSTRUCTURE" SP body`
    BodyStructure(Box<BodyStructure<'a>>) = "BODYSTRUCTURE", plain,
        |r, ctx| sp_then(r, |r| BodyStructure::parse_in(r, ctx)).map(|(r, b)| (r, Box::new(b))),
        encode_sp_body,
        att_body;
    /// `"BODY" section ["<" number ">"] SP nstring`
    BodySection(SectionData<'a>) = "BODY", section,
        |r, _| SectionData::parse(r),
        |s: &SectionData<'_>, e: &mut Encoder<'_>| s.encode(e),
        att_section_data;
    /// `"BINARY" section-binary SP (nstring / literal8)` (RFC 9051, RFC 3516)
    Binary(BinaryData<'a>) = "BINARY", section,
        |r, _| BinaryData::parse(r),
        |b: &BinaryData<'_>, e: &mut Encoder<'_>| b.encode(e),
        att_binary;
    /// `"BINARY.SIZE" section-binary SP number` (RFC 9051, RFC 3516)
    BinarySize(BinarySizeData) = "BINARY.SIZE", section,
        |r, _| BinarySizeData::parse(r),
        |b: &BinarySizeData, e: &mut Encoder<'_>| {
            encode_section_binary(&b.section, e);
            e.sp().number(u64::from(b.size));
        },
        att_binary_size;
    /// `fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"` (RFC 7162 §3.1.4.1;
    /// [`crate::ext::condstore`])
    Modseq(ModSeq) = "MODSEQ", plain,
        |r, _| parse_fetch_mod_resp(r),
        |m: &ModSeq, e: &mut Encoder<'_>| {
            e.raw(b" (");
            m.encode(e);
            e.byte(b')');
        },
        att_modseq;
    /// `"EMAILID" SP "(" objectid ")"` (RFC 8474 §5.1, [`crate::ext::objectid`])
    EmailId(ObjectId<'a>) = "EMAILID", plain,
        sp_paren_objectid,
        encode_sp_paren_objectid,
        att_objectid;
    /// `"THREADID" SP ( "(" objectid ")" / nil )` (RFC 8474 §5.2): `None` is NIL (the
    /// message is in no thread).
    ThreadId(Option<ObjectId<'a>>) = "THREADID", plain,
        |r, _| sp_then(r, ObjectId::parse_paren_or_nil),
        |id: &Option<ObjectId<'_>>, e: &mut Encoder<'_>| {
            e.sp();
            ObjectId::encode_paren_or_nil(id.as_ref(), e);
        },
        att_threadid;
    /// `"SAVEDATE" SP (date-time / nil)` (RFC 8514 §5, [`crate::ext::savedate`]): `None` is
    /// NIL (the mailbox keeps no save dates).
    SaveDate(Option<DateTime>) = "SAVEDATE", plain,
        sp_date_time_or_nil,
        encode_sp_date_time_or_nil,
        att_savedate;
    /// `"PREVIEW" SP nstring` (RFC 8970 §6, [`crate::ext::preview`])
    Preview(NString<'a>) = "PREVIEW", plain,
        sp_nstring,
        encode_sp_nstring,
        att_nstring;
    /// `"SNIPPET" SP "(" "FUZZY" SP nstring ")"`: the pre-RFC 8970 form of PREVIEW, accepted
    /// under the real-world profile only (deviation `snippet-fuzzy`,
    /// [`crate::ext::preview`]).
    Snippet(NString<'a>) = "SNIPPET", plain,
        parse_snippet_data,
        encode_snippet_data,
        att_snippet;
}

fn sp_then<'a, T>(i: &'a [u8], f: impl FnOnce(&'a [u8]) -> PResult<'a, T>) -> PResult<'a, T> {
    let (i, ()) = sp(i)?;
    f(i)
}

fn sp_nstring<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, NString<'a>> {
    sp_then(i, |i| nstring(i, "nstring"))
}

fn encode_sp_nstring(s: &NString<'_>, e: &mut Encoder<'_>) {
    e.sp();
    s.encode(e);
}

// The table passes each payload by reference: `&Box<_>` for the boxed ones.
#[allow(clippy::borrowed_box)]
fn encode_sp_envelope(env: &Box<Envelope<'_>>, e: &mut Encoder<'_>) {
    e.sp();
    env.encode(e);
}

#[allow(clippy::borrowed_box)]
fn encode_sp_body(b: &Box<BodyStructure<'_>>, e: &mut Encoder<'_>) {
    e.sp();
    b.encode(e);
}

/// `"BODY" section ["<" number ">"] SP nstring`: a section's content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SectionData<'a> {
    /// The section.
    pub section: Section<'a>,
    /// The first octet's offset, for a partial fetch (a `number`).
    pub origin: Option<u32>,
    /// The data.
    pub data: NString<'a>,
}

impl<'a> SectionData<'a> {
    fn parse(r: &'a [u8]) -> PResult<'a, Self> {
        let (r, section) = Section::parse::<false>(r)?;
        let (r, origin) = if r.first() == Some(&b'<') {
            let (r, n) = number(&r[1..])?;
            let (r, ()) = byte(r, b'>', "\">\"")?;
            (r, Some(n))
        } else {
            (r, None)
        };
        let (r, ()) = sp(r)?;
        let (r, data) = nstring(r, "nstring")?;
        Ok((
            r,
            SectionData {
                section,
                origin,
                data,
            },
        ))
    }

    fn encode(&self, e: &mut Encoder<'_>) {
        self.section.encode(e);
        if let Some(o) = self.origin {
            e.byte(b'<').number(u64::from(o)).byte(b'>');
        }
        e.sp();
        self.data.encode(e);
    }
}

/// `"BINARY" section-binary SP (nstring / literal8)` (RFC 9051, RFC 3516): a part's decoded
/// content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BinaryData<'a> {
    /// The part, `None` for the whole message (`[]`).
    pub section: Option<Part>,
    /// The decoded content.
    pub value: BinaryValue<'a>,
}

// By hand: `Part` (section.rs) has no `IntoStatic`.
impl IntoStatic for BinaryData<'_> {
    type Static = BinaryData<'static>;
    fn into_static(self) -> BinaryData<'static> {
        BinaryData {
            section: self.section,
            value: self.value.into_static(),
        }
    }
}

impl<'a> BinaryData<'a> {
    fn parse(r: &'a [u8]) -> PResult<'a, Self> {
        let (r, section) = parse_section_binary(r)?;
        let (r, ()) = sp(r)?;
        let (r, value) = if r.first() == Some(&b'~') {
            let (r, l) = Literal8::parse::<false>(r)?;
            (r, BinaryValue::Literal8(l))
        } else {
            let (r, s) = nstring(r, "nstring")?;
            (r, BinaryValue::NString(s))
        };
        Ok((r, BinaryData { section, value }))
    }

    fn encode(&self, e: &mut Encoder<'_>) {
        encode_section_binary(&self.section, e);
        e.sp();
        match &self.value {
            BinaryValue::NString(s) => s.encode(e),
            BinaryValue::Literal8(l) => l.encode(e),
        }
    }
}

/// `"BINARY.SIZE" section-binary SP number` (RFC 9051, RFC 3516): a part's decoded size.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BinarySizeData {
    /// The part, `None` for the whole message (`[]`).
    pub section: Option<Part>,
    /// The decoded size.
    pub size: u32,
}

impl BinarySizeData {
    fn parse(r: &[u8]) -> PResult<'_, Self> {
        let (r, section) = parse_section_binary(r)?;
        let (r, ()) = sp(r)?;
        let (r, size) = number(r)?;
        Ok((r, BinarySizeData { section, size }))
    }
}

impl<'a> MessageAttribute<'a> {
    /// Parses `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP ...) ")"`.
    pub(crate) fn parse_msg_att(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Vec<Self>> {
        crate::parse::rule("msg-att", |i| Self::parse_msg_att_list(i, ctx))(i)
    }

    fn parse_msg_att_list(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Vec<Self>> {
        let (mut i, ()) = lparen(i).map_err(|e| {
            e.map(|mut e| {
                e.expected = "msg-att";
                e
            })
        })?;
        let mut out = Vec::with_capacity(8);
        loop {
            let (r, a) = Self::parse(i, ctx)?;
            out.push(a);
            match r.first() {
                Some(b' ') => i = &r[1..],
                Some(b')') => return Ok((&r[1..], out)),
                _ => return fail(r, "\")\""),
            }
        }
    }

    /// Parses one data item, dispatching on its name (and, for `BODY`, on whether `[`
    /// follows).
    fn parse(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let len = i
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'.'))
            .unwrap_or(i.len());
        let (name, r) = i.split_at(len);
        let section = r.first() == Some(&b'[');
        match lookup(name, section) {
            Some(kind) => Self::parse_kind(kind, r, ctx),
            None => fail(i, "msg-att"),
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
            matches!(&a[0], MessageAttribute::Binary(BinaryData { section: None, value }) if value.as_bytes() == Some(&b"a\0b"[..]))
        );
        attrs("BINARY.SIZE[] 0 BINARY.SIZE[1.2] 4294967295");
        attrs("ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
        attrs(
            "BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0) BODYSTRUCTURE (\"APPLICATION\" \"X\" NIL NIL NIL \"BASE64\" 4 NIL)",
        );
    }

    #[test]
    fn every_row_is_found_by_its_name() {
        for &kind in MessageAttributeKind::ALL {
            let name = kind.name();
            assert_eq!(lookup(name.as_bytes(), kind.has_section()), Some(kind));
            let lower = name.to_ascii_lowercase();
            assert_eq!(lookup(lower.as_bytes(), kind.has_section()), Some(kind));
        }
        assert_eq!(lookup(b"BINARY", false), Some(MessageAttributeKind::Binary));
        assert_eq!(lookup(b"BODY.PEEK", true), None);
        assert_eq!(lookup(b"", false), None);
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
