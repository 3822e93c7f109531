//! FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 3501 §6.4.5; §9 `fetch`, `fetch-att`): the
//! ALL / FAST / FULL macros and every `fetch-att` of both RFCs, including RFC 3501's
//! RFC822, RFC822.HEADER and RFC822.TEXT and the BINARY items of RFC 3516 / RFC 9051; extension
//! items are rows of the same table: EMAILID / THREADID ([`crate::ext::objectid`]), SAVEDATE
//! ([`crate::ext::savedate`]), PREVIEW and the real-world SNIPPET ([`crate::ext::preview`]),
//! Gmail's X-GM-MSGID / X-GM-THRID / X-GM-LABELS ([`crate::ext::gmail`], only while
//! [`crate::Extension::GmailExt1`] is in force).

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::context::Ctx;
use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::NonEmpty;
use crate::ext::preview::{
    PreviewMod, encode_preview_att, encode_snippet_att, parse_preview_att, parse_snippet_att,
};
use crate::ext::slots::{self, FetchModifier, Slot};
use crate::parse::{sp, take_while};
use crate::response::wire::skip_paren_list;
use crate::section::{Part, Partial, Section, encode_section_binary, parse_section_binary};
use crate::sequence::SequenceSet;

use super::CommandBody;

/// What a FETCH asks for: a macro, one `fetch-att`, or a parenthesised list of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FetchItems<'a> {
    /// `ALL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`
    All,
    /// `FAST` = `(FLAGS INTERNALDATE RFC822.SIZE)`
    Fast,
    /// `FULL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`
    Full,
    /// One `fetch-att`, unparenthesised.
    Single(FetchAtt<'a>),
    /// `"(" fetch-att *(SP fetch-att) ")"`, held as its checked wire form ([`FetchList`]).
    List(FetchList<'a>),
}

impl<'a> FetchItems<'a> {
    /// The items a macro stands for (RFC 9051 §6.4.5), or the items themselves.
    pub fn expand(&self) -> Vec<FetchAtt<'_>> {
        use FetchAtt as A;
        match self {
            FetchItems::All => vec![A::Flags, A::InternalDate, A::Rfc822Size, A::Envelope],
            FetchItems::Fast => vec![A::Flags, A::InternalDate, A::Rfc822Size],
            FetchItems::Full => vec![
                A::Flags,
                A::InternalDate,
                A::Rfc822Size,
                A::Envelope,
                A::Body,
            ],
            FetchItems::Single(a) => vec![a.clone()],
            FetchItems::List(l) => l.to_vec(),
        }
    }

    /// A parenthesised list of `items` ([`FetchList::new`]); fails when it is empty.
    pub fn list(items: impl IntoIterator<Item = FetchAtt<'a>>) -> Result<Self, ValidationError> {
        FetchList::new(items.into_iter().collect()).map(FetchItems::List)
    }
}

/// A row's parser: `unit` for the items without arguments.
macro_rules! parse_att {
    (unit, $v:ident, $name:ident, $rest:ident) => {
        Ok(($rest, FetchAtt::$v))
    };
    ($f:ident, $v:ident, $name:ident, $rest:ident) => {
        $f($name, $rest)
    };
}

/// Whether a row's parser is `unit` (the item is its name alone).
macro_rules! is_unit {
    (unit) => {
        true
    };
    ($f:ident) => {
        false
    };
}

/// A row's names as a pattern of `dispatch`: its first name, and its other name if it has one.
macro_rules! att_pat {
    ($v:ident) => {
        first::$v
    };
    ($v:ident, $alt:literal) => {
        first::$v | other::$v
    };
}

/// A row's encoder: `unit` writes the name.
macro_rules! encode_att {
    (unit, $name:literal, $e:ident) => {{
        $e.raw($name.as_bytes());
    }};
    (snippet, $name:literal, $e:ident) => {{
        encode_snippet_att($e);
    }};
    ($f:ident, $name:literal, $e:ident $(, $field:ident)*) => {
        $f($($field,)* $e)
    };
}

/// The `fetch-att` table: one row per item,
/// `Variant { fields } = "NAME" ["OTHER-NAME", ...], parse: unit | fn, encode: unit | fn;`.
/// The names are what the parser dispatches on (upper-cased `1*(ALPHA / DIGIT / "." / "-")` before
/// any `[` or `<`); the first one is also the kind's name. A row's parser gets the name it
/// matched and the input after it; its encoder gets the fields and writes the whole item.
macro_rules! fetch_atts {
    ($(
        $(#[$vm:meta])*
        $variant:ident $({ $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? })?
            = $name:literal $([$($alt:literal),*])?, parse: $parse:ident, encode: $encode:ident;
    )*) => {
        /// `fetch-att` (RFC 9051 §9 and RFC 3501 §9): one variant per row of the table.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum FetchAtt<'a> {
            $($(#[$vm])* $variant $({ $($(#[$fm])* $field: $ty),* })?,)*
        }

        /// What a [`FetchAtt`] is, without its arguments: one variant per row of the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum FetchAttKind {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl FetchAttKind {
            /// Every kind, in table order.
            pub const ALL: &'static [FetchAttKind] = &[$(FetchAttKind::$variant),*];

            /// The item's name (`BODY[]` for a body section).
            pub const fn name(self) -> &'static str {
                match self {
                    $(FetchAttKind::$variant => $name,)*
                }
            }
        }

        impl FetchAtt<'_> {
            /// The kind of item.
            pub fn kind(&self) -> FetchAttKind {
                match self {
                    $(FetchAtt::$variant { .. } => FetchAttKind::$variant,)*
                }
            }
        }

        /// Each row's first name as bytes, named after its variant (`&[u8]` constants
        /// are slice patterns: the match is a comparison tree on length and bytes).
        #[allow(non_upper_case_globals)]
        mod first {
            $(pub const $variant: &[u8] = $name.as_bytes();)*
        }
        /// The rows' other names (at most one per row), named the same way.
        #[allow(non_upper_case_globals, dead_code)]
        mod other {
            $($($(pub const $variant: &[u8] = $alt.as_bytes();)*)?)*
        }

        /// The longest name any row dispatches on.
        const NAME_MAX: usize = crate::parse::max_len(&[$($name, $($($alt,)*)?)*]);

        /// Parses an item after its upper-cased name `name`; `None` when no row has it.
        #[inline]
        fn dispatch<'a>(name: &[u8], rest: &'a [u8]) -> Option<PResult<'a, FetchAtt<'a>>> {
            Some(match name {
                $(att_pat!($variant $($(, $alt)*)?) => parse_att!($parse, $variant, name, rest),)*
                _ => return None,
            })
        }

        /// The row whose name (first or other) is exactly `name`, as the encoder writes it
        /// (upper case), and whether the row is `unit`; for the fast walk of a list.
        #[inline]
        fn canonical_row(name: &[u8]) -> Option<(FetchAttKind, bool)> {
            Some(match name {
                $(att_pat!($variant $($(, $alt)*)?) => (FetchAttKind::$variant, is_unit!($parse)),)*
                _ => return None,
            })
        }

        impl Encode for FetchAtt<'_> {
            fn encode(&self, e: &mut Encoder<'_>) {
                match self {
                    $(FetchAtt::$variant { $($($field),*)? } => {
                        encode_att!($encode, $name, e $($(, $field)*)?)
                    })*
                }
            }
        }
    };
}

fetch_atts! {
    /// `ENVELOPE`
    Envelope = "ENVELOPE", parse: unit, encode: unit;
    /// `FLAGS`
    Flags = "FLAGS", parse: unit, encode: unit;
    /// `INTERNALDATE`
    InternalDate = "INTERNALDATE", parse: unit, encode: unit;
    /// `RFC822` (RFC 3501)
    Rfc822 = "RFC822", parse: unit, encode: unit;
    /// `RFC822.HEADER` (RFC 3501)
    Rfc822Header = "RFC822.HEADER", parse: unit, encode: unit;
    /// `RFC822.SIZE`
    Rfc822Size = "RFC822.SIZE", parse: unit, encode: unit;
    /// `RFC822.TEXT` (RFC 3501)
    Rfc822Text = "RFC822.TEXT", parse: unit, encode: unit;
    /// `BODY` (the non-extensible BODYSTRUCTURE); `BODY` followed by a section is a
    /// [`FetchAtt::BodySection`], which this row's parser builds.
    Body = "BODY", parse: parse_body, encode: unit;
    /// `BODYSTRUCTURE`
    BodyStructure = "BODYSTRUCTURE", parse: unit, encode: unit;
    /// `UID`
    Uid = "UID", parse: unit, encode: unit;
    /// `"BODY" section [partial]` or `"BODY.PEEK" section [partial]`
    BodySection {
        /// `BODY.PEEK`: do not set `\Seen`.
        peek: bool,
        /// The section.
        section: Section<'a>,
        /// `<offset.length>`
        partial: Option<Partial>,
    } = "BODY[]" ["BODY.PEEK"], parse: parse_body, encode: encode_body_section;
    /// `"BINARY" [".PEEK"] section-binary [partial]` (RFC 3516, RFC 9051)
    Binary {
        /// `BINARY.PEEK`
        peek: bool,
        /// The part (`None` for `[]`).
        part: Option<Part>,
        /// `<offset.length>`
        partial: Option<Partial>,
    } = "BINARY" ["BINARY.PEEK"], parse: parse_binary, encode: encode_binary;
    /// `"BINARY.SIZE" section-binary` (RFC 3516, RFC 9051)
    BinarySize {
        /// The part (`None` for `[]`).
        part: Option<Part>,
    } = "BINARY.SIZE", parse: parse_binary_size, encode: encode_binary_size;
    /// `fetch-mod-sequence = "MODSEQ"` (RFC 7162 §3.1.4.1; [`crate::ext::condstore`])
    Modseq = "MODSEQ", parse: unit, encode: unit;
    /// `EMAILID` (RFC 8474 §5.1, [`crate::ext::objectid`])
    EmailId = "EMAILID", parse: unit, encode: unit;
    /// `THREADID` (RFC 8474 §5.2, [`crate::ext::objectid`])
    ThreadId = "THREADID", parse: unit, encode: unit;
    /// `SAVEDATE` (RFC 8514 §5, [`crate::ext::savedate`])
    SaveDate = "SAVEDATE", parse: unit, encode: unit;
    /// `"PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]` (RFC 8970 §6,
    /// [`crate::ext::preview`])
    Preview {
        /// The modifiers (`LAZY`), when a list is sent.
        modifiers: Option<NonEmpty<PreviewMod>>,
    } = "PREVIEW", parse: parse_preview_att, encode: encode_preview_att;
    /// `SNIPPET (FUZZY)`: the pre-RFC 8970 form of PREVIEW, accepted under the real-world
    /// profile only (deviation `snippet-fuzzy`, [`crate::ext::preview`]).
    Snippet = "SNIPPET", parse: parse_snippet_att, encode: snippet;
    /// `X-GM-MSGID` (Gmail X-GM-EXT-1, [`crate::ext::gmail`]): only while
    /// [`crate::Extension::GmailExt1`] is in force.
    GmMsgId = "X-GM-MSGID", parse: unit, encode: unit;
    /// `X-GM-THRID` (Gmail X-GM-EXT-1)
    GmThrId = "X-GM-THRID", parse: unit, encode: unit;
    /// `X-GM-LABELS` (Gmail X-GM-EXT-1)
    GmLabels = "X-GM-LABELS", parse: unit, encode: unit;
}

impl FetchAttKind {
    /// The extension that must be in force for the item to parse (`None`: always).
    pub const fn extension(self) -> Option<crate::Extension> {
        match self {
            FetchAttKind::GmMsgId | FetchAttKind::GmThrId | FetchAttKind::GmLabels => {
                Some(crate::Extension::GmailExt1)
            }
            _ => None,
        }
    }
}

/// `fetch-att` under the parse context: the items of an extension only while it is in force
/// (the Gmail items, [`crate::ext::gmail`]), the real-world SNIPPET ([`crate::ext::preview`]).
fn fetch_att<'a>(i: &'a [u8], cx: &Ctx<'_>, in_list: bool) -> PResult<'a, FetchAtt<'a>> {
    let (r, a) = crate::ext::preview::fetch_att(i, cx, in_list)?;
    match a.kind().extension() {
        Some(ext) if !cx.has(ext) && !cx.assume_in_force(&[ext], i) => fail(i, "fetch-att"),
        _ => Ok((r, a)),
    }
}

fn opt_partial(i: &[u8]) -> PResult<'_, Option<Partial>> {
    if i.first() == Some(&b'<') {
        let (r, p) = Partial::parse(i)?;
        Ok((r, Some(p)))
    } else {
        Ok((i, None))
    }
}

/// `"BODY"`, or `"BODY" [".PEEK"] section [partial]`.
fn parse_body<'a>(name: &[u8], rest: &'a [u8]) -> PResult<'a, FetchAtt<'a>> {
    let peek = name == b"BODY.PEEK";
    if !peek && rest.first() != Some(&b'[') {
        return Ok((rest, FetchAtt::Body));
    }
    let (r, section) = Section::parse::<true>(rest)?;
    let (r, partial) = opt_partial(r)?;
    Ok((
        r,
        FetchAtt::BodySection {
            peek,
            section,
            partial,
        },
    ))
}

/// `"BINARY" [".PEEK"] section-binary [partial]`
fn parse_binary<'a>(name: &[u8], rest: &'a [u8]) -> PResult<'a, FetchAtt<'a>> {
    let (r, part) = parse_section_binary(rest)?;
    let (r, partial) = opt_partial(r)?;
    Ok((
        r,
        FetchAtt::Binary {
            peek: name == b"BINARY.PEEK",
            part,
            partial,
        },
    ))
}

/// `"BINARY.SIZE" section-binary`
fn parse_binary_size<'a>(_: &[u8], rest: &'a [u8]) -> PResult<'a, FetchAtt<'a>> {
    let (r, part) = parse_section_binary(rest)?;
    Ok((r, FetchAtt::BinarySize { part }))
}

fn encode_body_section(
    peek: &bool,
    section: &Section<'_>,
    partial: &Option<Partial>,
    e: &mut Encoder<'_>,
) {
    e.raw(if *peek { b"BODY.PEEK" } else { b"BODY" });
    section.encode(e);
    if let Some(p) = partial {
        p.encode(e);
    }
}

fn encode_binary(peek: &bool, part: &Option<Part>, partial: &Option<Partial>, e: &mut Encoder<'_>) {
    e.raw(if *peek { b"BINARY.PEEK" } else { b"BINARY" });
    encode_section_binary(part, e);
    if let Some(p) = partial {
        p.encode(e);
    }
}

fn encode_binary_size(part: &Option<Part>, e: &mut Encoder<'_>) {
    e.raw(b"BINARY.SIZE");
    encode_section_binary(part, e);
}

impl<'a> FetchAtt<'a> {
    /// Parses `fetch-att`: the name (`1*(ALPHA / DIGIT / "." / "-")`, `-` for the `X-GM-`
    /// items), then the row's parser. What is in force is checked by the caller.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = take_while(i, |b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        let mut buf = [0u8; NAME_MAX];
        let Some(upper) = buf.get_mut(..name.len()) else {
            return fail(i, "fetch-att");
        };
        for (d, s) in upper.iter_mut().zip(name) {
            *d = s.to_ascii_uppercase();
        }
        match dispatch(upper, rest) {
            Some(result) => result,
            None => fail(i, "fetch-att"),
        }
    }
}

/// `"(" fetch-att *(SP fetch-att) ")"` (RFC 9051 §9 `fetch`), never empty.
///
/// Held as its checked wire form (between the parentheses) and decoded on access, as
/// [`HeaderList`](crate::section::HeaderList) is: parsing a FETCH item list allocates
/// nothing. The list is checked once (docs/performance.md, "Session 8 (fetch)"): a fast walk
/// reads the common items written as the encoder writes them (upper-case names, `BODY` /
/// `BODY.PEEK` sections with atom header names, partials without leading zeros) and gives up
/// on anything else, after which the exact parser decides, with its errors and under the
/// parse context (extensions in force, the real-world `SNIPPET (FUZZY)`). Encoding copies
/// the wire form when the fast walk read it (or the list was built by [`new`](Self::new)
/// and holds no literal), and writes each item again otherwise.
///
/// ```
/// use mailproto_imap_codec::command::{Command, CommandBody, FetchAtt, FetchItems, FetchList};
/// let c = Command::parse(b"a UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER])\r\n").unwrap();
/// let CommandBody::Fetch { items: FetchItems::List(l), .. } = &c.body else { panic!() };
/// assert_eq!(l.len(), 3);
/// assert!(l.contains(&FetchAtt::Flags));
/// assert_eq!(l.wire(), b"UID FLAGS BODY.PEEK[HEADER]");
/// let built = FetchList::new(vec![FetchAtt::Uid, FetchAtt::Flags]).unwrap();
/// assert_eq!(built.to_vec(), [FetchAtt::Uid, FetchAtt::Flags]);
/// ```
#[derive(Clone)]
pub struct FetchList<'a> {
    /// `fetch-att *(SP fetch-att)`, checked.
    wire: Cow<'a, [u8]>,
    /// The number of items (at least one).
    len: usize,
    /// The wire form is what the encoder writes for the items, with no literal.
    copy: bool,
}

/// The items of a [`FetchList`], decoded one by one from its checked wire form.
pub type FetchAtts<'s> = crate::items::SpItems<'s, FetchAtt<'s>>;

/// Decodes one item of a checked list: every form the list's parsers accept.
fn decode_att(i: &[u8]) -> PResult<'_, FetchAtt<'_>> {
    crate::ext::preview::fetch_att_form(i, true, true)
}

impl<'a> FetchList<'a> {
    /// A list of items; fails when it is empty.
    pub fn new(items: Vec<FetchAtt<'a>>) -> Result<Self, ValidationError> {
        if items.is_empty() {
            return Err(ValidationError::new("fetch", None));
        }
        let mut out = Vec::new();
        {
            let mut e = Encoder::client(&mut out, &crate::encode::EncodeOptions::default());
            e.sp_list(&items, |e, a| a.encode(e));
            let _ = e.finish();
        }
        // What the encoder wrote reads back as the same items (else the value is refused
        // rather than decoded differently).
        let list = FetchList {
            copy: memchr::memchr(b'{', &out).is_none(),
            wire: Cow::Owned(out),
            len: items.len(),
        };
        if !list.iter().eq(items.iter().cloned()) {
            return Err(ValidationError::new("fetch-att", None));
        }
        Ok(list)
    }

    /// The items, decoded from the checked wire form as the iterator advances.
    pub fn iter(&self) -> FetchAtts<'_> {
        FetchAtts::new(&self.wire, self.len, decode_att)
    }

    /// The number of items (at least one).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a list has at least one item.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether the list holds `att`.
    pub fn contains(&self, att: &FetchAtt<'_>) -> bool {
        self.iter().any(|a| a == *att)
    }

    /// The items, fully decoded, borrowing from the list.
    pub fn to_vec(&self) -> Vec<FetchAtt<'_>> {
        self.iter().collect()
    }

    /// The checked wire form: `fetch-att *(SP fetch-att)`, as received (or as encoded by
    /// [`new`](Self::new)).
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// Parses `"(" fetch-att *(SP fetch-att) ")"` under the parse context: the fast walk,
    /// else the exact check (the acceptance and errors of a list of [`fetch_att`]s).
    fn parse(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self> {
        let body = i.get(1..).unwrap_or_default();
        let (r, len, copy) = match walk::list(i) {
            Some((r, len)) => (r, len, true),
            None => {
                let mut len = 0;
                let (r, ()) = skip_paren_list(i, false, |j| {
                    len += 1;
                    fetch_att(j, cx, true).map(|(r, _)| (r, ()))
                })?;
                (r, len, false)
            }
        };
        let wire = &body[..body.len() - r.len() - 1];
        Ok((
            r,
            FetchList {
                wire: Cow::Borrowed(wire),
                len,
                copy,
            },
        ))
    }
}

impl<'s> IntoIterator for &'s FetchList<'_> {
    type Item = FetchAtt<'s>;
    type IntoIter = FetchAtts<'s>;
    fn into_iter(self) -> FetchAtts<'s> {
        self.iter()
    }
}

crate::response::wire::by_items!(FetchList, wire_eq);

impl IntoStatic for FetchList<'_> {
    type Static = FetchList<'static>;
    fn into_static(self) -> FetchList<'static> {
        FetchList {
            wire: Cow::Owned(self.wire.into_owned()),
            len: self.len,
            copy: self.copy,
        }
    }
}

impl Encode for FetchList<'_> {
    /// `"(" fetch-att *(SP fetch-att) ")"`: the wire form copied, or each item written again.
    fn encode(&self, e: &mut Encoder<'_>) {
        if self.copy {
            e.byte(b'(').raw(&self.wire).byte(b')');
        } else {
            e.paren_list(&self.to_vec(), |e, a| a.encode(e));
        }
    }
}

/// The fast walk of a FETCH item list (issue 17; the pattern of `response/check.rs`): a
/// cursor over the bytes with no error values, which reads the items as the encoder writes
/// them and returns `None` on anything else (lower case, a literal, quoted header names,
/// leading zeros, long numbers, BINARY, PREVIEW, an extension's item), after which the exact
/// parser decides. For every input it accepts, the exact parser accepts the same bytes with
/// the same end, the same items, and encodes them as these bytes (property tests below).
mod walk {
    use super::{FetchAttKind, canonical_row};

    /// The input after what a step read, or `None` when it cannot tell.
    type Rest<'a> = Option<&'a [u8]>;

    /// A name as the encoder writes it: `A-Z`, `0-9`, `.`.
    const NAME: u8 = 1;
    /// A header name the walk reads (an atom of `ALPHA`, `DIGIT`, `-`).
    const FIELD: u8 = 2;

    /// The class bits of each byte: one lookup per byte.
    static CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0usize;
        while b < 256 {
            let c = b as u8;
            if c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'.' {
                t[b] |= NAME;
            }
            if c.is_ascii_alphanumeric() || c == b'-' {
                t[b] |= FIELD;
            }
            b += 1;
        }
        t
    };

    /// The length of the run of bytes of `class` at the start of `i`.
    #[inline(always)]
    fn run(i: &[u8], class: u8) -> usize {
        i.iter()
            .position(|&b| CLASS[b as usize] & class == 0)
            .unwrap_or(i.len())
    }

    /// `"(" fetch-att *(SP fetch-att) ")"`: the input after it and the number of items.
    pub(super) fn list(i: &[u8]) -> Option<(&[u8], usize)> {
        let mut j = i.strip_prefix(b"(")?;
        let mut len = 0;
        loop {
            j = att(j)?;
            len += 1;
            match j.split_first()? {
                (b' ', r) => j = r,
                (b')', r) => return Some((r, len)),
                _ => return None,
            }
        }
    }

    /// One item: an upper-case name of a row that is always in force, then a `BODY` /
    /// `BODY.PEEK` section.
    #[inline]
    fn att(i: &[u8]) -> Rest<'_> {
        let (name, rest) = i.split_at(run(i, NAME));
        let (kind, unit) = canonical_row(name)?;
        match (rest.first()?, kind) {
            (b'[', FetchAttKind::Body | FetchAttKind::BodySection) => section_partial(rest),
            (b' ' | b')', FetchAttKind::Body) => Some(rest),
            (b' ' | b')', _) if unit && kind.extension().is_none() => Some(rest),
            _ => None,
        }
    }

    /// Digits as the encoder writes a number: `0`, or a non-zero digit and at most
    /// `max - 1` more (so that the value is in range without computing it); `zero`: whether
    /// `0` is allowed.
    #[inline(always)]
    fn number(i: &[u8], max: usize, zero: bool) -> Rest<'_> {
        let n = i
            .iter()
            .take(max + 1)
            .take_while(|b| b.is_ascii_digit())
            .count();
        match i.first()? {
            b'0' if zero && n == 1 => Some(&i[1..]),
            b'1'..=b'9' if n <= max => Some(&i[n..]),
            _ => None,
        }
    }

    /// `section [partial]` (RFC 9051 §9), in upper case, with header names that are atoms
    /// of letters, digits and `-`.
    fn section_partial(i: &[u8]) -> Rest<'_> {
        let mut j = i.strip_prefix(b"[")?;
        if let Some(r) = j.strip_prefix(b"]") {
            return partial(r);
        }
        let part = j.first()?.is_ascii_digit();
        if part {
            loop {
                // `nz-number` (< 2^32): at most 9 digits.
                j = number(j, 9, false)?;
                match j {
                    [b'.', d, ..] if d.is_ascii_digit() => j = &j[1..],
                    [b']', r @ ..] => return partial(r),
                    [b'.', r @ ..] => {
                        j = r;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        if let Some(r) = j.strip_prefix(b"HEADER.FIELDS") {
            let r = r.strip_prefix(b".NOT").unwrap_or(r);
            j = header_names(r.strip_prefix(b" (")?)?;
        } else if let Some(r) = j.strip_prefix(b"HEADER") {
            j = r;
        } else if let Some(r) = j.strip_prefix(b"TEXT") {
            j = r;
        } else if part && j.starts_with(b"MIME") {
            j = &j[4..];
        } else {
            return None;
        }
        partial(j.strip_prefix(b"]")?)
    }

    /// `header-fld-name *(SP header-fld-name) ")"`, each name `1*(ALPHA / DIGIT / "-")`.
    fn header_names(mut i: &[u8]) -> Rest<'_> {
        loop {
            let n = run(i, FIELD);
            if n == 0 {
                return None;
            }
            match i[n..].split_first()? {
                (b' ', r) => i = r,
                (b')', r) => return Some(r),
                _ => return None,
            }
        }
    }

    /// `[partial]`: `"<" number64 "." nz-number64 ">"` (< 2^63: at most 18 digits).
    fn partial(i: &[u8]) -> Rest<'_> {
        let Some(r) = i.strip_prefix(b"<") else {
            return Some(i);
        };
        let r = number(r, 18, true)?.strip_prefix(b".")?;
        number(r, 18, false)?.strip_prefix(b">")
    }
}

impl Encode for FetchItems<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            FetchItems::All => {
                e.raw(b"ALL");
            }
            FetchItems::Fast => {
                e.raw(b"FAST");
            }
            FetchItems::Full => {
                e.raw(b"FULL");
            }
            FetchItems::Single(a) => a.encode(e),
            FetchItems::List(l) => l.encode(e),
        }
    }
}

impl IntoStatic for FetchItems<'_> {
    type Static = FetchItems<'static>;
    fn into_static(self) -> FetchItems<'static> {
        match self {
            FetchItems::All => FetchItems::All,
            FetchItems::Fast => FetchItems::Fast,
            FetchItems::Full => FetchItems::Full,
            FetchItems::Single(a) => FetchItems::Single(a.into_static()),
            FetchItems::List(l) => FetchItems::List(l.into_static()),
        }
    }
}

/// `SP sequence-set SP (...)` after the FETCH name.
pub(super) fn parse_fetch<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
    uid: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = SequenceSet::parse(i)?;
    let (i, ()) = sp(i)?;
    let (i, items) = if i.first() == Some(&b'(') {
        let (r, list) = FetchList::parse(i, cx)?;
        (r, FetchItems::List(list))
    } else {
        let (r, name) = take_while(i, |b| b.is_ascii_alphanumeric() || b == b'.');
        let boundary = !matches!(r.first(), Some(b'[' | b'<'));
        if boundary && name.eq_ignore_ascii_case(b"ALL") {
            (r, FetchItems::All)
        } else if boundary && name.eq_ignore_ascii_case(b"FAST") {
            (r, FetchItems::Fast)
        } else if boundary && name.eq_ignore_ascii_case(b"FULL") {
            (r, FetchItems::Full)
        } else {
            let (r, a) = fetch_att(i, cx, false)?;
            (r, FetchItems::Single(a))
        }
    };
    let at = i;
    let (i, modifiers) = slots::parse_sp_params(i, cx, Slot::FetchModifiers)?;
    // RFC 7162 §3.2.6, §7 `rexpunges-fetch-mod`: VANISHED "is only allowed in the UID FETCH
    // command" and "MUST only be specified together with the CHANGEDSINCE UID FETCH modifier".
    if modifiers.contains(&FetchModifier::Vanished)
        && (!uid
            || !modifiers
                .iter()
                .any(|m| matches!(m, FetchModifier::ChangedSince(_))))
    {
        return crate::error::fail_kind(
            at,
            "rexpunges-fetch-mod",
            crate::error::ErrorKind::InvalidValue,
        );
    }
    Ok((
        i,
        CommandBody::Fetch {
            uid,
            sequence_set,
            items,
            modifiers,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip};
    use super::*;
    use proptest::prelude::*;

    /// The table: every kind's name reads back as that kind (BODY[] and BINARY need their
    /// section).
    #[test]
    fn the_fetch_att_table() {
        for kind in FetchAttKind::ALL {
            let item = match kind {
                FetchAttKind::BinarySize | FetchAttKind::Binary => format!("{}[1]", kind.name()),
                // Real-world only: `ext::preview`'s tests read it.
                FetchAttKind::Snippet => continue,
                _ => kind.name().to_owned(),
            };
            let (rest, att) = FetchAtt::parse(item.as_bytes()).unwrap();
            assert!(rest.is_empty(), "{item}");
            assert_eq!(att.kind(), *kind, "{item}");
            let mut out = Vec::new();
            let mut e = Encoder::client(&mut out, &crate::EncodeOptions::default());
            att.encode(&mut e);
            let _ = e.finish();
            assert_eq!(String::from_utf8_lossy(&out), item);
        }
        assert!(FetchAtt::parse(b"BODYSTRUCTUREX").is_err());
        assert!(FetchAtt::parse(b"BODY.PEEK").is_err());
    }

    #[test]
    fn rfc_examples() {
        for line in [
            "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
            "A003 FETCH 4 ALL\r\n",
            "A005 FETCH 3 ALL\r\n",
            "A999 UID FETCH 4827313:4828442 FLAGS\r\n",
            "A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"a003 fetch 12 full\r\n", false);
        assert!(matches!(
            c.body,
            CommandBody::Fetch {
                items: FetchItems::Full,
                uid: false,
                ..
            }
        ));
        roundtrip(b"a004 fetch 12 body[header]\r\n", false);
    }

    #[test]
    fn every_fetch_att() {
        let line = "a FETCH 1:* (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE \
RFC822.TEXT BODY BODYSTRUCTURE UID BODY[] BODY[]<0.2048> BODY.PEEK[1.2.MIME] \
BODY[3.HEADER.FIELDS.NOT (X-A \"B\")]<10.1> BODY.PEEK[TEXT] BINARY[] BINARY[1.2]<0.10> \
BINARY.PEEK[3] BINARY.SIZE[] BINARY.SIZE[4.1])\r\n";
        let c = roundtrip(line.as_bytes(), true);
        let CommandBody::Fetch {
            items: FetchItems::List(l),
            ..
        } = &c.body
        else {
            panic!()
        };
        assert_eq!(l.len(), 20);
        for line in [
            "a FETCH 1 FAST\r\n",
            "a FETCH 1 BODY\r\n",
            "a FETCH 1 BODY[]\r\n",
            "a FETCH 1 BINARY.PEEK[1]<0.1>\r\n",
            "a UID FETCH 1 (UID)\r\n",
            "a FETCH 1 RFC822.SIZE\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        assert_eq!(FetchItems::All.expand().len(), 4);
    }

    #[test]
    fn rejects_bad_fetches() {
        rejects(b"a FETCH 1\r\n", 9, "SP");
        rejects(b"a FETCH 1 \r\n", 10, "fetch-att");
        rejects(b"a FETCH 1 (ALL)\r\n", 11, "fetch-att");
        rejects(b"a FETCH 1 ()\r\n", 11, "fetch-att");
        rejects(b"a FETCH 1 (FLAGS )\r\n", 17, "fetch-att");
        rejects(b"a FETCH 1 (FLAGS  UID)\r\n", 17, "fetch-att");
        rejects(b"a FETCH 1 FLAGS UID\r\n", 15, "CRLF");
        rejects(b"a FETCH 1 BODY.PEEK\r\n", 19, "section");
        rejects(b"a FETCH 1 BODY[MIME]\r\n", 15, "section-text");
        rejects(b"a FETCH 1 BODY[]<0.0>\r\n", 19, "nz-number64");
        rejects(b"a FETCH 1 BODY[]<0>\r\n", 18, "\".\"");
        rejects(b"a FETCH 1 BINARY\r\n", 16, "section-binary");
        rejects(b"a FETCH 1 BINARY[TEXT]\r\n", 17, "nz-number");
        rejects(b"a FETCH 1 BINARY.SIZE[1]<0.1>\r\n", 24, "CRLF");
        rejects(b"a FETCH 1 ALL[]\r\n", 10, "fetch-att");
        rejects(b"a FETCH 1 RFC822.FOO\r\n", 10, "fetch-att");
        rejects(b"a FETCH 1 BODYSTRUCTURE[]\r\n", 23, "CRLF");
        rejects(b"a FETCH * (FLAGS\r\n", 16, "\")\"");
    }
    /// A list with every form the fast walk reads, and some it leaves to the exact parser.
    const LIST: &str = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Subject Date)] \
BODY BODY[] BODY[1.2.MIME]<0.2048> BODY[3.HEADER.FIELDS.NOT (X-A B)]<10.1> BODY.PEEK[TEXT] \
ENVELOPE BODYSTRUCTURE INTERNALDATE MODSEQ BODY[2] BODY[4.HEADER] BINARY[1] PREVIEW)";

    /// The forms of [`LIST`] that the fast walk reads.
    const FAST: &str = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Subject Date)] \
BODY BODY[] BODY[1.2.MIME]<0.2048> BODY[3.HEADER.FIELDS.NOT (X-A B)]<10.1> BODY.PEEK[TEXT] \
ENVELOPE BODYSTRUCTURE INTERNALDATE MODSEQ BODY[2] BODY[4.HEADER])";

    /// The exact check of a list under `options`: the input after it and the items, as the
    /// list parse before session 8 built them (a `Vec` of `fetch_att`).
    fn exact(
        i: &[u8],
        options: &crate::ParseOptions,
    ) -> Result<(usize, Vec<FetchAtt<'static>>), (usize, &'static str)> {
        let cx = Ctx::new(options, crate::context::Side::Client, i);
        crate::parse::paren_list(i, false, |j| fetch_att(j, &cx, true))
            .map(|(r, v)| {
                (
                    r.len(),
                    v.into_iter().map(IntoStatic::into_static).collect(),
                )
            })
            .map_err(|e| error_at(i, e))
    }

    /// An error as its offset in `i` and its rule.
    fn error_at(i: &[u8], e: nom::Err<crate::error::PErr<'_>>) -> (usize, &'static str) {
        match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => (i.len() - e.input.len(), e.expected),
            nom::Err::Incomplete(_) => (usize::MAX, "incomplete"),
        }
    }

    /// Mutations of a valid list: one byte replaced, inserted or removed.
    fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
        crate::response::check::tests::mutated_with(base, b"()[]<>. 0129HEADRTXMIbodypeak{}\"-\r\n")
    }

    /// Encodes `items` as a parenthesised list, item by item.
    fn encode_items(items: &[FetchAtt<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = Encoder::client(&mut out, &crate::EncodeOptions::default());
        e.paren_list(items, |e, a| a.encode(e));
        let _ = e.finish();
        out
    }

    #[test]
    fn the_common_forms_take_the_fast_path() {
        let input = format!("{LIST} x");
        assert_eq!(
            walk::list(input.as_bytes()),
            None,
            "BINARY and PREVIEW are left"
        );
        let common = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Subject Date)] \
BODY[1.2.MIME]<0.2048> BODY[3.HEADER.FIELDS.NOT (X-A B)]<10.1> BODY) x";
        let (rest, len) = walk::list(common.as_bytes()).unwrap();
        assert_eq!((rest, len), (&b" x"[..], 7));
        for left in [
            "(uid)",
            "(BODY[header])",
            "(BODY[HEADER.FIELDS (\"From\")])",
            "(BODY[HEADER.FIELDS ({4}\r\nFrom)])",
            "(BODY[]<00.1>)",
            "(BODY[01])",
            "(BODY[1234567890])",
            "(BODY[]<0.1234567890123456789>)",
            "(X-GM-MSGID)",
            "(PREVIEW)",
            "(BINARY.SIZE[1])",
            "(SNIPPET (FUZZY))",
        ] {
            assert_eq!(walk::list(left.as_bytes()), None, "{left}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Whatever the fast walk accepts, the exact check accepts (strict and real-world)
        /// with the same end and number of items; the list decodes to the exact parser's
        /// items, and they encode as the wire form the list copies.
        #[test]
        fn the_fast_walk_agrees_with_the_exact_parser(input in mutated(FAST)) {
            let shown = String::from_utf8_lossy(&input).into_owned();
            let rw = crate::ParseOptions::default().with_profile(crate::Profile::RealWorld);
            if let Some((rest, len)) = walk::list(&input) {
                for options in [&crate::context::STRICT, &rw] {
                    let (end, items) = exact(&input, options).unwrap_or_else(|e| panic!("{shown}: {e:?}"));
                    prop_assert_eq!(end, rest.len(), "{}", shown);
                    prop_assert_eq!(items.len(), len, "{}", shown);
                    let cx = Ctx::new(options, crate::context::Side::Client, &input);
                    let (r, list) = FetchList::parse(&input, &cx).unwrap();
                    prop_assert_eq!(r.len(), end);
                    prop_assert!(list.copy);
                    prop_assert_eq!(&list.to_vec(), &items, "{}", shown);
                    prop_assert_eq!(encode_items(&items), input[..input.len() - end].to_vec(), "{}", shown);
                }
            }
        }

        /// Every list, fast or not: the list parse accepts exactly what the exact check
        /// accepts, with the same end or the same error (offset, rule), and decodes to the
        /// same items; its encoding reads back as an equal list.
        #[test]
        fn a_list_parses_as_its_items(input in prop_oneof![mutated(LIST), mutated(FAST)]) {
            let cx = Ctx::new(&crate::context::STRICT, crate::context::Side::Client, &input);
            let got = FetchList::parse(&input, &cx).map_err(|e| error_at(&input, e));
            match (got, exact(&input, &crate::context::STRICT)) {
                (Ok((r, list)), Ok((end, items))) => {
                    prop_assert_eq!(r.len(), end);
                    prop_assert_eq!(list.len(), items.len());
                    prop_assert_eq!(list.to_vec(), items.clone());
                    let mut out = Vec::new();
                    let mut e = Encoder::client(&mut out, &crate::EncodeOptions::default());
                    list.encode(&mut e);
                    let _ = e.finish();
                    prop_assert_eq!(out, encode_items(&items));
                    let built = FetchList::new(items).unwrap();
                    prop_assert_eq!(&built, &list);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (a, b) => prop_assert!(false, "{:?}: {:?} vs {:?}", String::from_utf8_lossy(&input), a.map(|(r, l)| (r.len(), l.to_vec().len())), b),
            }
        }
    }

    #[test]
    fn a_built_list() {
        let l = FetchList::new(vec![FetchAtt::Uid, FetchAtt::Snippet, FetchAtt::Modseq]).unwrap();
        assert_eq!(l.wire(), b"UID SNIPPET (FUZZY) MODSEQ");
        assert_eq!(
            l.to_vec(),
            [FetchAtt::Uid, FetchAtt::Snippet, FetchAtt::Modseq]
        );
        assert!(FetchList::new(Vec::new()).is_err());
        assert!(FetchItems::list([]).is_err());
        let owned = l.clone().into_static();
        assert_eq!(owned, l);
    }
}
