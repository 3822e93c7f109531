//! FETCH data items: RFC 3501 §7.4.2 and RFC 9051 §7.5.2 — `msg-att`, `msg-att-dynamic`
//! (FLAGS) and `msg-att-static` (ENVELOPE, INTERNALDATE, RFC822, RFC822.HEADER, RFC822.TEXT,
//! RFC822.SIZE, BODY, BODYSTRUCTURE, `BODY[section]<origin>`, `BINARY[part]`, BINARY.SIZE,
//! UID), with BINARY from RFC 3516 / RFC 9051; extension items are rows of the same table:
//! EMAILID / THREADID ([`crate::ext::objectid`]), SAVEDATE ([`crate::ext::savedate`]), PREVIEW
//! and the real-world SNIPPET ([`crate::ext::preview`]), Gmail's X-GM-MSGID / X-GM-THRID /
//! X-GM-LABELS ([`crate::ext::gmail`], only while [`crate::Extension::GmailExt1`] is in force).

use crate::prelude::*;

use ::core::num::NonZeroU32;

use crate::context::Ctx;
use crate::core::{IntoStatic, Literal8, NString};
use crate::datetime::DateTime;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::ext::NonEmpty;
use crate::ext::Number64;
use crate::ext::condstore::{ModSeq, parse_fetch_mod_resp};
use crate::ext::gmail::{self, GmailLabel};
use crate::ext::objectid::{ObjectId, encode_sp_paren_objectid, sp_paren_objectid};
use crate::ext::preview::{encode_snippet_data, parse_snippet_data};
use crate::ext::savedate::{encode_sp_date_time_or_nil, sp_date_time_or_nil};
use crate::flag::{Flag, FlagFetch};
use crate::parse::{byte, lparen, number, nz_number, paren_list, sp};
use crate::response::body::BodyStructure;
use crate::response::envelope::Envelope;
use crate::response::nstring;
use crate::section::{Part, Section, encode_section_binary, parse_section_binary};
use alloc::borrow::Cow;

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

/// The bytes of a FETCH item's name as [`MessageAttribute::lookup_in`] takes it: letters,
/// digits, `.` and `-` (a table: one load per byte).
static ITEM_NAME_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
        b += 1;
    }
    t
};

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
    /// `"X-GM-MSGID" SP gm-id` (Gmail X-GM-EXT-1, [`crate::ext::gmail`]; only while
    /// [`crate::Extension::GmailExt1`] is in force, like the two rows below)
    GmMsgId(u64) = "X-GM-MSGID", plain,
        |r, _| sp_then(r, gmail::parse_id),
        gmail::encode_sp_id,
        att_gm_id;
    /// `"X-GM-THRID" SP gm-id` (Gmail X-GM-EXT-1)
    GmThrId(u64) = "X-GM-THRID", plain,
        |r, _| sp_then(r, gmail::parse_id),
        gmail::encode_sp_id,
        att_gm_id;
    /// `"X-GM-LABELS" SP gm-label-list` (Gmail X-GM-EXT-1)
    GmLabels(Vec<GmailLabel<'a>>) = "X-GM-LABELS", plain,
        |r, _| sp_then(r, gmail::parse_label_list::<false>),
        gmail::encode_sp_label_list,
        att_gm_labels;
}

impl MessageAttributeKind {
    /// The extension that must be in force for the item to parse (`None`: always).
    pub const fn extension(self) -> Option<crate::Extension> {
        match self {
            MessageAttributeKind::GmMsgId
            | MessageAttributeKind::GmThrId
            | MessageAttributeKind::GmLabels => Some(crate::Extension::GmailExt1),
            _ => None,
        }
    }
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

/// The data items of one FETCH response: `msg-att = "(" (msg-att-dynamic / msg-att-static)
/// *(SP (msg-att-dynamic / msg-att-static)) ")"` (RFC 9051 §9), never empty.
///
/// A parsed list is held as its validated wire form (the octets between the parentheses) and
/// its items are decoded on access (docs/performance.md, "Value model"): parsing checks every
/// item once with walkers that build nothing (BODY and BODYSTRUCTURE trees, ENVELOPE,
/// FLAGS), so a response allocates nothing for its items, and holding it costs its wire
/// size. [`iter`](Self::iter) decodes each item as it goes, from bytes known to be valid;
/// [`find`](Self::find) and [`of_kind`](Self::of_kind) only check the other items again.
/// Encoding copies the wire form (see [`crate::EncodeOptions::canonical`] for the encoder's
/// canonical form instead). A list built from items
/// ([`from`](Self::from) a [`NonEmpty`]), and a list the real-world profile had to repair
/// (its deviations reported as before), holds its items instead; both forms compare equal
/// when their items do.
///
/// ```
/// use mailproto_imap_codec::{Response, response::{Data, MessageAttribute, MessageAttributeKind}};
/// let r = Response::parse(b"* 3 FETCH (UID 7 FLAGS (\\Seen))\r\n").unwrap();
/// let Response::Data(Data::Fetch(f)) = r else { panic!() };
/// assert_eq!(f.attributes.len(), 2);
/// assert_eq!(f.attributes.wire(), Some(&b"UID 7 FLAGS (\\Seen)"[..]));
/// let uid = f.attributes.find(MessageAttributeKind::Uid).unwrap();
/// assert!(matches!(*uid, MessageAttribute::Uid(u) if u.get() == 7));
/// ```
#[derive(Clone)]
pub struct MessageAttributes<'a>(AttrRepr<'a>);

#[derive(Clone)]
enum AttrRepr<'a> {
    /// Validated wire form (between the parentheses), the number of items, and the
    /// extensions in force when it was checked (the Gmail rows are read only under theirs).
    Wire {
        wire: alloc::borrow::Cow<'a, [u8]>,
        len: usize,
        extensions: crate::context::Extensions,
    },
    /// Items built in code, or repaired by the real-world profile.
    Items(NonEmpty<MessageAttribute<'a>>),
}

impl<'a> MessageAttributes<'a> {
    /// The number of items (at least one).
    pub fn len(&self) -> usize {
        match &self.0 {
            AttrRepr::Wire { len, .. } => *len,
            AttrRepr::Items(items) => items.len(),
        }
    }

    /// Always false: `msg-att` has at least one item.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items in order: decoded from the wire form as the iterator advances, or borrowed
    /// from the items held.
    pub fn iter(&self) -> MessageAttributesIter<'_> {
        MessageAttributesIter {
            only: None,
            repr: match &self.0 {
                AttrRepr::Wire {
                    wire,
                    len,
                    extensions,
                    ..
                } => IterRepr::Wire(decode_items(wire, *len, *extensions)),
                AttrRepr::Items(items) => IterRepr::Items(items.as_slice().iter()),
            },
        }
    }

    /// The first item.
    pub fn first(&self) -> Option<Cow<'_, MessageAttribute<'_>>> {
        self.iter().next()
    }

    /// The `n`th item (decodes the items before it).
    pub fn get(&self, n: usize) -> Option<Cow<'_, MessageAttribute<'_>>> {
        self.iter().nth(n)
    }

    /// The first item of kind `kind`.
    pub fn find(&self, kind: MessageAttributeKind) -> Option<Cow<'_, MessageAttribute<'_>>> {
        self.of_kind(kind).next()
    }

    /// The items of kind `kind`, in order. The other items of a wire form are only checked
    /// again (not built) on the way.
    pub fn of_kind(&self, kind: MessageAttributeKind) -> MessageAttributesIter<'_> {
        let mut it = self.iter();
        if let IterRepr::Wire(w) = &mut it.repr {
            w.only = Some(kind);
        }
        it.only = Some(kind);
        it
    }

    /// The items, fully decoded, borrowing from the list.
    pub fn to_vec(&self) -> Vec<MessageAttribute<'_>> {
        self.iter().map(Cow::into_owned).collect()
    }

    /// The items, fully decoded, with the list's lifetime (owned items when the list owns its
    /// wire form).
    pub fn into_vec(self) -> Vec<MessageAttribute<'a>> {
        match self.0 {
            AttrRepr::Wire {
                wire: alloc::borrow::Cow::Borrowed(rest),
                len,
                extensions,
                ..
            } => decode_items(rest, len, extensions).collect(),
            AttrRepr::Wire {
                wire: alloc::borrow::Cow::Owned(v),
                len,
                extensions,
                ..
            } => decode_items(&v, len, extensions)
                .map(IntoStatic::into_static)
                .collect(),
            AttrRepr::Items(items) => items.into_vec(),
        }
    }

    /// The validated wire form of the items (between the parentheses) of a parsed list;
    /// `None` for items held as values.
    pub fn wire(&self) -> Option<&[u8]> {
        match &self.0 {
            AttrRepr::Wire { wire, .. } => Some(wire),
            AttrRepr::Items(_) => None,
        }
    }

    /// Parses `msg-att` (after `FETCH SP` / `UIDFETCH SP`). The items are checked under the
    /// strict grammar with the extensions of `ctx` and kept as a wire slice; when that fails
    /// they are parsed by the builders in `ctx`, which report the error (offset, rule) or,
    /// under the real-world profile, the deviations and the repaired items.
    pub(crate) fn parse(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let checked = if ctx.real_world() {
            let strict = strict_options(ctx.options().extensions);
            check_msg_att(i, &Ctx::new(&strict, ctx.side(), i))
        } else {
            check_msg_att(i, ctx)
        };
        match checked {
            Ok((r, (wire, len))) => Ok((
                r,
                MessageAttributes(AttrRepr::Wire {
                    wire: alloc::borrow::Cow::Borrowed(wire),
                    len,
                    extensions: ctx.options().extensions,
                }),
            )),
            Err(_) => {
                crate::parse::rule("msg-att", |i| MessageAttribute::parse_msg_att_list(i, ctx))(i)
                    .map(|(r, v)| {
                        (
                            r,
                            MessageAttributes(AttrRepr::Items(NonEmpty::from_parsed(v))),
                        )
                    })
            }
        }
    }

    /// Writes ` msg-att` (what follows `FETCH` and `UIDFETCH`). A wire form is copied, unless
    /// it holds a literal (written in its canonical form, `{0}` not `{000}`) or the encoder
    /// asks for the canonical form ([`crate::EncodeOptions::canonical`]: upper-case names,
    /// `NIL` and media types, `SP DIGIT` days, no leading zeros; or a streamed literal): then
    /// the items are decoded and written one by one.
    pub(crate) fn encode_sp(&self, e: &mut Encoder<'_>) {
        match &self.0 {
            AttrRepr::Wire { wire, .. }
                if !(e.wants_canonical() || memchr::memchr(b'{', wire).is_some()) =>
            {
                e.raw(b" (").raw(wire).byte(b')');
            }
            AttrRepr::Wire { .. } => {
                e.raw(b" (");
                for (n, a) in self.iter().enumerate() {
                    if n > 0 {
                        e.sp();
                    }
                    a.encode(e);
                }
                e.byte(b')');
            }
            AttrRepr::Items(items) => {
                e.sp().paren_list(items.as_slice(), |e, a| a.encode(e));
            }
        }
    }
}

/// The strict profile with `extensions`: how a wire list is checked and decoded.
fn strict_options(extensions: crate::context::Extensions) -> crate::ParseOptions {
    crate::ParseOptions {
        extensions,
        ..crate::ParseOptions::default()
    }
}

/// Checks `"(" msg-att-item *(SP msg-att-item) ")"` without building the items: the wire form
/// between the parentheses and the number of items.
fn check_msg_att<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, (&'a [u8], usize)> {
    let (body, ()) = lparen(i)?;
    let mut i = body;
    let mut len = 0;
    loop {
        let (r, ()) = MessageAttribute::skip(i, ctx)?;
        len += 1;
        match r.first() {
            Some(b' ') => i = &r[1..],
            Some(b')') => return Ok((&r[1..], (&body[..body.len() - r.len()], len))),
            _ => return fail(r, "\")\""),
        }
    }
}

/// Decodes `left` items from checked wire bytes.
fn decode_items(rest: &[u8], left: usize, extensions: crate::context::Extensions) -> WireItems<'_> {
    WireItems {
        rest,
        left,
        options: strict_options(extensions),
        only: None,
    }
}

/// Items decoded one by one from a checked wire form.
#[derive(Debug, Clone)]
struct WireItems<'s> {
    rest: &'s [u8],
    left: usize,
    options: crate::ParseOptions,
    /// Only the items of this kind are built; the others are skipped.
    only: Option<MessageAttributeKind>,
}

impl<'s> Iterator for WireItems<'s> {
    type Item = MessageAttribute<'s>;

    fn next(&mut self) -> Option<MessageAttribute<'s>> {
        if self.left == 0 {
            return None;
        }
        // The bytes were checked under these options, so this parse succeeds; should it not,
        // the iteration ends.
        let ctx = Ctx::new(&self.options, crate::context::Side::Server, self.rest);
        loop {
            if self.left == 0 {
                return None;
            }
            let parsed = match self.only {
                Some(kind)
                    if MessageAttribute::lookup_in(self.rest, &ctx).map(|k| k.0) != Some(kind) =>
                {
                    MessageAttribute::skip(self.rest, &ctx).map(|(r, ())| (r, None))
                }
                _ => MessageAttribute::parse(self.rest, &ctx).map(|(r, a)| (r, Some(a))),
            };
            match parsed {
                Ok((r, item)) => {
                    self.left -= 1;
                    self.rest = r.strip_prefix(b" ").unwrap_or(r);
                    if item.is_some() {
                        return item;
                    }
                }
                Err(_) => {
                    self.left = 0;
                    return None;
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// The items of a [`MessageAttributes`], in order: decoded (`Cow::Owned`) from a wire form,
/// or borrowed from the items held.
#[derive(Debug, Clone)]
pub struct MessageAttributesIter<'s> {
    repr: IterRepr<'s>,
    /// Only the items of this kind.
    only: Option<MessageAttributeKind>,
}

#[derive(Debug, Clone)]
enum IterRepr<'s> {
    Wire(WireItems<'s>),
    Items(::core::slice::Iter<'s, MessageAttribute<'s>>),
}

impl<'s> Iterator for MessageAttributesIter<'s> {
    type Item = Cow<'s, MessageAttribute<'s>>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.repr {
            IterRepr::Wire(w) => w.next().map(Cow::Owned),
            IterRepr::Items(it) => {
                let only = self.only;
                it.find(|a| only.is_none_or(|k| a.kind() == k))
                    .map(Cow::Borrowed)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.repr {
            IterRepr::Wire(w) => w.size_hint(),
            IterRepr::Items(it) => it.size_hint(),
        }
    }
}

impl<'s> IntoIterator for &'s MessageAttributes<'_> {
    type Item = Cow<'s, MessageAttribute<'s>>;
    type IntoIter = MessageAttributesIter<'s>;
    fn into_iter(self) -> MessageAttributesIter<'s> {
        self.iter()
    }
}

impl<'a> From<NonEmpty<MessageAttribute<'a>>> for MessageAttributes<'a> {
    fn from(items: NonEmpty<MessageAttribute<'a>>) -> Self {
        MessageAttributes(AttrRepr::Items(items))
    }
}

impl PartialEq for MessageAttributes<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.wire(), other.wire()) {
            (Some(a), Some(b)) if a == b => true,
            _ => self.len() == other.len() && self.iter().eq(other.iter()),
        }
    }
}

crate::response::wire::by_items!(MessageAttributes);

impl IntoStatic for MessageAttributes<'_> {
    type Static = MessageAttributes<'static>;
    fn into_static(self) -> MessageAttributes<'static> {
        MessageAttributes(match self.0 {
            AttrRepr::Wire {
                wire,
                len,
                extensions,
            } => AttrRepr::Wire {
                wire: alloc::borrow::Cow::Owned(wire.into_owned()),
                len,
                extensions,
            },
            AttrRepr::Items(items) => AttrRepr::Items(items.into_static()),
        })
    }
}

impl<'a> MessageAttribute<'a> {
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

    /// The row of the item at `i` and the input after its name, if it is known and its
    /// extension is in force.
    #[inline]
    fn lookup_in(i: &'a [u8], ctx: &Ctx<'_>) -> Option<(MessageAttributeKind, &'a [u8])> {
        let len = i
            .iter()
            .position(|&b| !ITEM_NAME_CHAR[usize::from(b)])
            .unwrap_or(i.len());
        let (name, r) = i.split_at(len);
        let section = r.first() == Some(&b'[');
        match lookup(name, section) {
            Some(kind) if kind.extension().is_none_or(|ext| ctx.has(ext)) => Some((kind, r)),
            _ => None,
        }
    }

    /// Parses one data item, dispatching on its name (and, for `BODY`, on whether `[`
    /// follows).
    fn parse(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        match Self::lookup_in(i, ctx) {
            Some((kind, r)) => Self::parse_kind(kind, r, ctx),
            None => fail(i, "msg-att"),
        }
    }

    /// Checks one data item without building the lists and trees the value would hold
    /// (BODY / BODYSTRUCTURE, FLAGS, ENVELOPE); other items are parsed onto the stack and
    /// dropped. Accepts exactly what [`Self::parse`] accepts in a strict `ctx`.
    fn skip(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, ()> {
        let Some((kind, r)) = Self::lookup_in(i, ctx) else {
            return fail(i, "msg-att");
        };
        match kind {
            // The fast walks first; when they cannot tell, the exact ones decide.
            MessageAttributeKind::Body | MessageAttributeKind::BodyStructure => {
                sp_then(r, |r| match crate::response::check::body(r, 0) {
                    Some(rest) => Ok((rest, ())),
                    None => crate::response::body::skip_body(r, 0),
                })
            }
            MessageAttributeKind::Flags => sp_then(r, |r| {
                crate::response::wire::skip_paren_list(r, true, |i| {
                    Flag::parse(i).map(|(r, _)| (r, ()))
                })
            }),
            MessageAttributeKind::Envelope => {
                sp_then(r, |r| match crate::response::check::envelope(r) {
                    Some(rest) => Ok((rest, ())),
                    None => Envelope::skip(r),
                })
            }
            _ => Self::parse_kind(kind, r, ctx).map(|(r, _)| (r, ())),
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

    /// Every item of `line` (a FETCH response) as the builders read them, in one pass.
    fn built(line: &[u8]) -> Vec<MessageAttribute<'_>> {
        let ctx = Ctx::new(&crate::context::STRICT, crate::context::Side::Server, line);
        let at = line.iter().position(|&b| b == b'(').unwrap();
        let (_, v) = MessageAttribute::parse_msg_att_list(&line[at..], &ctx).unwrap();
        v
    }

    #[test]
    fn items_are_a_checked_wire_form_decoded_on_access() {
        let line: &[u8] = b"* 12 FETCH (UID 9 FLAGS (\\Seen $Junk) ENVELOPE (\"d\" \"a \\\"b\\\"\" ((\"N\" NIL \"m\" \"h\")) NIL NIL NIL NIL NIL NIL \"<i>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 12 1 NIL NIL (\"en\" \"de\") NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 500 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"HTML\" NIL NIL NIL \"8BIT\" 100 3) 20 NIL (\"INLINE\" NIL) \"fr\" \"loc\" 7 (\"x\" 8 (NIL \"y\"))) \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL) BODY[1] {3}\r\nabc MODSEQ (4))\r\n";
        let r = Response::parse(line).unwrap();
        let Response::Data(Data::Fetch(f)) = &r else {
            panic!()
        };
        assert!(f.attributes.wire().is_some());
        assert_eq!(f.attributes.len(), 6);
        let expected = built(line);
        assert_eq!(f.attributes.to_vec(), expected);
        // The form held by values compares equal and encodes the same.
        let held = MessageAttributes::from(NonEmpty::new(expected.clone()).unwrap());
        assert_eq!(held, f.attributes);
        let encode = |a: &MessageAttributes<'_>| {
            let mut out = Vec::new();
            let mut e = Encoder::server(&mut out);
            a.encode_sp(&mut e);
            let _ = e.finish();
            out
        };
        assert_eq!(encode(&held), encode(&f.attributes));
        // Lookups by kind skip the other items.
        assert!(matches!(
            f.attributes.find(MessageAttributeKind::Modseq).as_deref(),
            Some(MessageAttribute::Modseq(m)) if m.get() == 4
        ));
        assert_eq!(held.of_kind(MessageAttributeKind::Uid).count(), 1);
        assert_eq!(
            f.attributes.of_kind(MessageAttributeKind::Binary).count(),
            0
        );
        // Owned: the wire form is copied, the items decode the same.
        let owned = r.clone().into_static();
        let Response::Data(Data::Fetch(o)) = owned else {
            panic!()
        };
        assert_eq!(o.attributes.into_vec(), expected);
    }

    #[test]
    fn a_wire_form_is_copied_and_the_canonical_form_is_written_on_request() {
        for line in [
            &b"* 1 FETCH (UID 5 FLAGS (\\Seen $Fwd \\Recent) RFC822.SIZE 0 INTERNALDATE \" 7-Jul-1996 02:44:25 -0700\" ENVELOPE (\"Wed, 01 Jan 2025 08:09:00 +0100\" \"re: {x} 0012\" ((\"A\" NIL \"a\" \"b\")) NIL NIL NIL NIL NIL \"<0@x>\" NIL) BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"nil\") NIL NIL \"7BIT\" 10 0 NIL NIL NIL NIL) MODSEQ (10))\r\n"[..],
            b"* 1 fetch (uid 5)\r\n",
            b"* 1 FETCH (FLAGS (\\SEEN))\r\n",
            b"* 1 FETCH (RFC822.SIZE 007)\r\n",
            b"* 1 FETCH (INTERNALDATE \"07-JUL-1996 02:44:25 -0000\")\r\n",
            b"* 1 FETCH (ENVELOPE (nil NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
            b"* 1 FETCH (ENVELOPE (NIL {1}\r\nx NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
            b"* 1 FETCH (BODY (\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"B\" NIL NIL NIL \"7BIT\" 01 1) 1))\r\n",
            b"* 1 FETCH (BODY[] {0000}\r\n)\r\n",
        ] {
            let r = Response::parse(line).unwrap_or_else(|e| panic!("{e:?}"));
            let Response::Data(Data::Fetch(f)) = &r else {
                panic!()
            };
            // By default a wire form without literal is copied.
            let mut out = Vec::new();
            let _ = r.encode(&mut out);
            let items = &line[line.iter().position(|&b| b == b'(').unwrap()..];
            if memchr::memchr(b'{', line).is_none() {
                assert!(out.ends_with(items), "{}", String::from_utf8_lossy(line));
            }
            // The canonical form is the items' encoding.
            let mut canonical = Vec::new();
            let options = crate::EncodeOptions::default().canonical();
            let mut e = Encoder::server_with(&mut canonical, &options);
            f.attributes.encode_sp(&mut e);
            let _ = e.finish();
            let mut built = Vec::new();
            let mut e = Encoder::server(&mut built);
            e.sp().paren_list(&f.attributes.to_vec(), |e, a| a.encode(e));
            let _ = e.finish();
            assert_eq!(canonical, built);
        }
    }

    #[test]
    fn real_world_repairs_are_held_as_items() {
        // basic-message-rfc822: the check fails, the builders repair and report.
        let line: &[u8] =
            b"* 1 FETCH (UID 3 BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 10))\r\n";
        assert!(Response::parse(line).is_err());
        let options = crate::ParseOptions::default().with_profile(crate::Profile::RealWorld);
        let p = Response::parse_with(line, &options).unwrap();
        assert_eq!(p.deviations.len(), 1);
        let Response::Data(Data::Fetch(f)) = &p.value else {
            panic!()
        };
        assert!(f.attributes.wire().is_none());
        assert_eq!(f.attributes.len(), 2);
        // Valid input under real-world: a wire form, no deviation.
        let p = Response::parse_with(b"* 1 FETCH (UID 3)\r\n", &options).unwrap();
        assert!(p.deviations.is_empty());
        let Response::Data(Data::Fetch(f)) = &p.value else {
            panic!()
        };
        assert!(f.attributes.wire().is_some());
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
