//! Body section specifiers (RFC 9051 §6.4.5, §9 `section`, `section-spec`, `section-part`,
//! `section-msgtext`, `section-text`, `header-list`, `section-binary`, `partial`).

use crate::prelude::*;

use ::core::num::NonZeroU32;

use alloc::borrow::Cow;

use crate::core::{AString, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::parse::{byte, number64, nz_number, sp, starts_with_ci};

/// `section-part = nz-number *("." nz-number)`: a MIME part path such as `4.2.1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Part(Vec<NonZeroU32>);

impl Part {
    /// A part path; fails when empty.
    pub fn new(path: Vec<NonZeroU32>) -> Result<Self, ValidationError> {
        if path.is_empty() {
            return Err(ValidationError::new("section-part", None));
        }
        Ok(Part(path))
    }

    /// The path.
    pub fn path(&self) -> &[NonZeroU32] {
        &self.0
    }

    /// Parses `section-part`. Stops before a `.` that is not followed by a digit (the start
    /// of a `section-text`).
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (mut i, first) = nz_number(i)?;
        let mut path = vec![first];
        while i.first() == Some(&b'.') && i.get(1).is_some_and(u8::is_ascii_digit) {
            let (rest, n) = nz_number(&i[1..])?;
            path.push(n);
            i = rest;
        }
        Ok((i, Part(path)))
    }
}

impl Encode for Part {
    fn encode(&self, e: &mut Encoder<'_>) {
        for (n, p) in self.0.iter().enumerate() {
            if n > 0 {
                e.byte(b'.');
            }
            e.number(u64::from(p.get()));
        }
    }
}

/// `header-list = "(" header-fld-name *(SP header-fld-name) ")"` (RFC 9051 §9,
/// `header-fld-name = astring`), never empty.
///
/// Held as its checked wire form (between the parentheses) and decoded on access, as the
/// response side's lists are (docs/performance.md, "Value model"): parsing a
/// `BODY.PEEK[HEADER.FIELDS (...)]` allocates nothing for the names. Encoding copies the wire
/// form unless it holds a literal, which is written again for its synchronization point (a
/// name's atom or quoted form is what the encoder writes for it: quoted strings escape exactly
/// `"` and `\`, RFC 9051 §9 `quoted-specials`).
///
/// ```
/// use mailproto_imap_codec::section::HeaderList;
/// use mailproto_imap_codec::Section;
/// let s = Section::parse_str("[HEADER.FIELDS (From \"X-Spam Score\")]").unwrap();
/// let Section::HeaderFields { fields, .. } = &s else { panic!() };
/// assert_eq!(fields.len(), 2);
/// assert!(fields.names().any(|n| n.as_bytes().eq_ignore_ascii_case(b"from")));
/// assert_eq!(fields.to_vec()[1].as_bytes(), b"X-Spam Score");
/// let built = HeaderList::new(fields.to_vec()).unwrap();
/// assert_eq!(&built, fields);
/// assert_eq!(fields.wire(), b"From \"X-Spam Score\"");
/// ```
#[derive(Clone)]
pub struct HeaderList<'a> {
    /// `header-fld-name *(SP header-fld-name)`, checked.
    wire: Cow<'a, [u8]>,
    /// The number of names (at least one).
    len: usize,
}

impl<'a> HeaderList<'a> {
    /// A list of header field names; fails when empty.
    pub fn new(names: Vec<AString<'a>>) -> Result<Self, ValidationError> {
        if names.is_empty() {
            return Err(ValidationError::new("header-list", None));
        }
        let mut out = Vec::new();
        {
            let mut e = Encoder::client(&mut out, &crate::encode::EncodeOptions::default());
            e.sp_list(&names, |e, name| name.encode(e));
            let _ = e.finish();
        }
        Ok(HeaderList {
            wire: Cow::Owned(out),
            len: names.len(),
        })
    }

    /// The names, decoded from the checked wire form as the iterator advances.
    pub fn names(&self) -> HeaderNames<'_> {
        HeaderNames::new(&self.wire, self.len, AString::parse::<true>)
    }

    /// The names (the same as [`names`](Self::names)).
    pub fn iter(&self) -> HeaderNames<'_> {
        self.names()
    }

    /// The number of names (at least one).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a header list has at least one name.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The names, fully decoded, borrowing from the list.
    pub fn to_vec(&self) -> Vec<AString<'_>> {
        self.names().collect()
    }

    /// The checked wire form: `header-fld-name *(SP header-fld-name)`, as received (or as
    /// encoded by [`new`](Self::new)).
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// Checks `header-list` (the acceptance and errors of a parenthesised list of `astring`)
    /// without building the names.
    fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        let (body, ()) = crate::parse::lparen(i)?;
        let mut j = body;
        let mut len = 0;
        loop {
            let (r, ()) = skip_astring::<CMD>(j)?;
            len += 1;
            match r.first() {
                Some(b' ') => j = &r[1..],
                Some(b')') => {
                    let wire = &body[..body.len() - r.len()];
                    return Ok((
                        &r[1..],
                        HeaderList {
                            wire: Cow::Borrowed(wire),
                            len,
                        },
                    ));
                }
                _ => return fail(r, "\")\""),
            }
        }
    }
}

/// Checks `astring` as [`AString::parse`] does, without building it.
fn skip_astring<const CMD: bool>(i: &[u8]) -> PResult<'_, ()> {
    match i.first() {
        Some(b'"' | b'{') => crate::core::IString::skip::<CMD>(i),
        _ => crate::parse::take_while1(i, crate::parse::is_astring_char, "astring")
            .map(|(r, _)| (r, ())),
    }
}

/// The names of a [`HeaderList`], decoded one by one from its checked wire form (with the
/// command grammar's literals at most).
pub type HeaderNames<'s> = crate::items::SpItems<'s, AString<'s>>;

impl<'s> IntoIterator for &'s HeaderList<'_> {
    type Item = AString<'s>;
    type IntoIter = HeaderNames<'s>;
    fn into_iter(self) -> HeaderNames<'s> {
        self.names()
    }
}

crate::response::wire::by_items!(HeaderList, wire_eq);

impl IntoStatic for HeaderList<'_> {
    type Static = HeaderList<'static>;
    fn into_static(self) -> HeaderList<'static> {
        HeaderList {
            wire: Cow::Owned(self.wire.into_owned()),
            len: self.len,
        }
    }
}

impl Encode for HeaderList<'_> {
    /// `"(" header-fld-name *(SP header-fld-name) ")"`: the wire form copied, or each name
    /// written again when one is a literal.
    fn encode(&self, e: &mut Encoder<'_>) {
        if memchr::memchr(b'{', &self.wire).is_none() {
            e.byte(b'(').raw(&self.wire).byte(b')');
        } else {
            e.paren_list(&self.to_vec(), |e, n| n.encode(e));
        }
    }
}

/// A body section: what `BODY[...]` / `BODY.PEEK[...]` names (RFC 9051 §6.4.5).
///
/// ```
/// use mailproto_imap_codec::Section;
/// let s = Section::parse_str("[1.2.HEADER.FIELDS (DATE FROM)]").unwrap();
/// assert!(matches!(s, Section::HeaderFields { not: false, .. }));
/// assert_eq!(s.to_string(), "[1.2.HEADER.FIELDS (DATE FROM)]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Section<'a> {
    /// `[]` (the whole message) or `[1.2]` (a part's body).
    Part(Option<Part>),
    /// `[HEADER]` / `[1.2.HEADER]`
    Header(Option<Part>),
    /// `[HEADER.FIELDS (...)]` or `[HEADER.FIELDS.NOT (...)]`, optionally under a part.
    HeaderFields {
        /// The part (of a message/rfc822 part), or the whole message.
        part: Option<Part>,
        /// `.NOT`: all fields except these.
        not: bool,
        /// The field names.
        fields: HeaderList<'a>,
    },
    /// `[TEXT]` / `[1.2.TEXT]`
    Text(Option<Part>),
    /// `[1.2.MIME]` (only with a part).
    Mime(Part),
}

impl<'a> Section<'a> {
    /// Parses the text form, brackets included.
    pub fn parse_str(s: &'a str) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(s.as_bytes(), Self::parse::<true>)
    }

    /// Parses `section = "[" [section-spec] "]"`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        crate::parse::rule("section", Self::parse_section::<CMD>)(i)
    }

    fn parse_section<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, ()) = byte(i, b'[', "section")?;
        if i.first() == Some(&b']') {
            return Ok((&i[1..], Section::Part(None)));
        }
        let (i, part) = if i.first().is_some_and(u8::is_ascii_digit) {
            let (i, p) = crate::parse::rule("section-part", Part::parse)(i)?;
            if i.first() == Some(&b']') {
                return Ok((&i[1..], Section::Part(Some(p))));
            }
            let (i, ()) = byte(i, b'.', "\".\"")?;
            (i, Some(p))
        } else {
            (i, None)
        };
        let (i, section) = if starts_with_ci(i, b"HEADER.FIELDS") {
            let (i, not) = if starts_with_ci(&i[13..], b".NOT") {
                (&i[17..], true)
            } else {
                (&i[13..], false)
            };
            let (i, ()) = sp(i)?;
            let (i, fields) = crate::parse::rule("header-list", HeaderList::parse::<CMD>)(i)?;
            (i, Section::HeaderFields { part, not, fields })
        } else if starts_with_ci(i, b"HEADER") {
            (&i[6..], Section::Header(part))
        } else if starts_with_ci(i, b"TEXT") {
            (&i[4..], Section::Text(part))
        } else if let Some(p) = part.clone()
            && starts_with_ci(i, b"MIME")
        {
            (&i[4..], Section::Mime(p))
        } else {
            return fail(i, "section-text");
        };
        let (i, ()) = byte(i, b']', "\"]\"")?;
        Ok((i, section))
    }
}

impl Encode for Section<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'[');
        let prefix = |e: &mut Encoder<'_>, part: &Option<Part>| {
            if let Some(p) = part {
                p.encode(e);
                e.byte(b'.');
            }
        };
        match self {
            Section::Part(p) => {
                if let Some(p) = p {
                    p.encode(e);
                }
            }
            Section::Header(p) => {
                prefix(e, p);
                e.raw(b"HEADER");
            }
            Section::HeaderFields { part, not, fields } => {
                prefix(e, part);
                e.raw(if *not {
                    b"HEADER.FIELDS.NOT "
                } else {
                    b"HEADER.FIELDS "
                });
                fields.encode(e);
            }
            Section::Text(p) => {
                prefix(e, p);
                e.raw(b"TEXT");
            }
            Section::Mime(p) => {
                p.encode(e);
                e.raw(b".MIME");
            }
        }
        e.byte(b']');
    }
}

impl ::core::fmt::Display for Section<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        crate::encode::display_wire_form(self, f)
    }
}

impl IntoStatic for Section<'_> {
    type Static = Section<'static>;
    fn into_static(self) -> Section<'static> {
        match self {
            Section::Part(p) => Section::Part(p),
            Section::Header(p) => Section::Header(p),
            Section::HeaderFields { part, not, fields } => Section::HeaderFields {
                part,
                not,
                fields: fields.into_static(),
            },
            Section::Text(p) => Section::Text(p),
            Section::Mime(p) => Section::Mime(p),
        }
    }
}

/// `section-binary = "[" [section-part] "]"` (RFC 9051 §9, RFC 3516).
pub(crate) fn parse_section_binary(i: &[u8]) -> PResult<'_, Option<Part>> {
    let (i, ()) = byte(i, b'[', "section-binary")?;
    if i.first() == Some(&b']') {
        return Ok((&i[1..], None));
    }
    let (i, p) = Part::parse(i)?;
    let (i, ()) = byte(i, b']', "\"]\"")?;
    Ok((i, Some(p)))
}

/// Writes `section-binary`.
pub(crate) fn encode_section_binary(part: &Option<Part>, e: &mut Encoder<'_>) {
    e.byte(b'[');
    if let Some(p) = part {
        p.encode(e);
    }
    e.byte(b']');
}

/// `partial = "<" number64 "." nz-number64 ">"` (RFC 9051 §9): a byte range of a FETCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Partial {
    offset: u64,
    length: ::core::num::NonZeroU64,
}

impl Partial {
    /// The range of `length` octets from `offset`; both are `number64` (at most 2^63−1) and
    /// `length` is not 0.
    ///
    /// ```
    /// use mailproto_imap_codec::Partial;
    /// let p = Partial::new(0, 2048).unwrap();
    /// assert_eq!((p.offset(), p.length()), (0, 2048));
    /// assert!(Partial::new(0, 0).is_err());
    /// assert!(Partial::new(u64::MAX, 1).is_err());
    /// ```
    pub fn new(offset: u64, length: u64) -> Result<Self, ValidationError> {
        const MAX: u64 = i64::MAX as u64;
        if offset > MAX {
            return Err(ValidationError::new("number64", None));
        }
        match ::core::num::NonZeroU64::new(length) {
            Some(length) if length.get() <= MAX => Ok(Partial { offset, length }),
            _ => Err(ValidationError::new("nz-number64", None)),
        }
    }

    /// The first octet.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// How many octets at most (never 0).
    pub fn length(&self) -> u64 {
        self.length.get()
    }

    /// Parses `partial`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        crate::parse::rule("partial", Self::parse_partial)(i)
    }

    fn parse_partial(i: &[u8]) -> PResult<'_, Self> {
        let (i, ()) = byte(i, b'<', "partial")?;
        let (i, offset) = number64(i)?;
        let (i, ()) = byte(i, b'.', "\".\"")?;
        let at = i;
        let (i, length) = number64(i)?;
        let Some(length) = ::core::num::NonZeroU64::new(length) else {
            return fail(at, "nz-number64");
        };
        let (i, ()) = byte(i, b'>', "\">\"")?;
        Ok((i, Partial { offset, length }))
    }
}

impl Encode for Partial {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'<')
            .number(self.offset)
            .byte(b'.')
            .number(self.length.get())
            .byte(b'>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        for s in [
            "[]",
            "[1]",
            "[1.2.3]",
            "[HEADER]",
            "[TEXT]",
            "[4.1.MIME]",
            "[2.HEADER.FIELDS.NOT (X-A \"b c\")]",
        ] {
            assert_eq!(Section::parse_str(s).unwrap().to_string(), s);
        }
        for bad in [
            "[MIME]",
            "[1.0]",
            "[0]",
            "[HEADER.FIELDS ()]",
            "[1.]",
            "[FOO]",
            "[1",
        ] {
            assert!(Section::parse_str(bad).is_err(), "{bad}");
        }
    }
}
