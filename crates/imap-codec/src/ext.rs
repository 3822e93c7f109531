//! The generic extension syntax of RFC 4466 as used by RFC 9051 §9: `tagged-ext-val`,
//! `tagged-ext-simple`, `tagged-ext-comp` and `tagged-ext-label`.
//!
//! Used by LIST extended data items (`mbox-list-extended-item`, RFC 9051 §7.3.1, RFC 5258)
//! and ESEARCH return data (`search-ret-data-ext`, RFC 9051 §7.3.4, RFC 4731).

use std::borrow::Cow;

use crate::core::{AString, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::parse::{ascii_str, number64, sp};
use crate::sequence::SequenceSet;

/// How deeply parenthesised extension values may nest before the parser gives up (the
/// grammar sets no limit; this keeps the parser's stack bounded).
pub(crate) const MAX_EXT_DEPTH: usize = 64;

/// `tagged-label-fchar = ALPHA / "-" / "_" / "."`
fn is_label_fchar(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'-' || b == b'_' || b == b'.'
}

/// `tagged-label-char = tagged-label-fchar / DIGIT / ":"`
pub(crate) fn is_label_char(b: u8) -> bool {
    is_label_fchar(b) || b.is_ascii_digit() || b == b':'
}

/// True when `s` is a `tagged-ext-label`.
pub(crate) fn is_tagged_ext_label(s: &[u8]) -> bool {
    match s.split_first() {
        Some((&f, rest)) => is_label_fchar(f) && rest.iter().all(|&b| is_label_char(b)),
        None => false,
    }
}

/// `tagged-ext-simple = sequence-set / number / number64` (RFC 9051 §9), kept as its text.
///
/// ```
/// use imap_codec::ext::TaggedExtSimple;
/// let v = TaggedExtSimple::new("1:5,7").unwrap();
/// assert!(v.as_sequence_set().is_some() && v.as_number().is_none());
/// assert_eq!(TaggedExtSimple::new("0").unwrap().as_number(), Some(0));
/// assert!(TaggedExtSimple::new("1:").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct TaggedExtSimple<'a>(Cow<'a, str>);

impl<'a> TaggedExtSimple<'a> {
    /// Checks that `value` is a `sequence-set` or a `number64`.
    pub fn new(value: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let value = value.into();
        let ok = crate::parse::parse_all(value.as_bytes(), |i| {
            TaggedExtSimple::parse(i).map(|(r, _)| (r, ()))
        })
        .is_ok();
        if ok {
            Ok(TaggedExtSimple(value))
        } else {
            Err(ValidationError::new("tagged-ext-simple", None))
        }
    }

    /// The value as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a `number64`, when it is one.
    pub fn as_number(&self) -> Option<u64> {
        if self.0.bytes().all(|b| b.is_ascii_digit()) {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The value as a `sequence-set`, when it is one.
    pub fn as_sequence_set(&self) -> Option<SequenceSet> {
        SequenceSet::parse_str(&self.0).ok()
    }

    /// Parses `tagged-ext-simple`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let len = i
            .iter()
            .position(|&b| !(b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$')))
            .unwrap_or(i.len());
        if len == 0 {
            return fail(i, "tagged-ext-val");
        }
        let rest = if i[..len].iter().all(u8::is_ascii_digit) {
            match number64(i) {
                Ok((r, _)) => r,
                // A run of digits too large for number64 is not a sequence-set either.
                Err(_) => return fail_kind(i, "number64", ErrorKind::NumberTooLarge),
            }
        } else {
            SequenceSet::parse(i)?.0
        };
        if rest.len() != i.len() - len {
            return fail(rest, "tagged-ext-simple");
        }
        Ok((rest, TaggedExtSimple(Cow::Borrowed(ascii_str(&i[..len])))))
    }
}

impl Encode for TaggedExtSimple<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.0.as_bytes());
    }
}

impl IntoStatic for TaggedExtSimple<'_> {
    type Static = TaggedExtSimple<'static>;
    fn into_static(self) -> TaggedExtSimple<'static> {
        TaggedExtSimple(self.0.into_static())
    }
}

/// One element of a `tagged-ext-comp`: an `astring` or a parenthesised `tagged-ext-comp`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TaggedExtItem<'a> {
    /// `astring`
    AString(AString<'a>),
    /// `"(" tagged-ext-comp ")"`
    Paren(TaggedExtComp<'a>),
}

impl IntoStatic for TaggedExtItem<'_> {
    type Static = TaggedExtItem<'static>;
    fn into_static(self) -> TaggedExtItem<'static> {
        match self {
            TaggedExtItem::AString(a) => TaggedExtItem::AString(a.into_static()),
            TaggedExtItem::Paren(c) => TaggedExtItem::Paren(c.into_static()),
        }
    }
}

impl Encode for TaggedExtItem<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            TaggedExtItem::AString(a) => a.encode(e),
            TaggedExtItem::Paren(c) => {
                e.byte(b'(');
                c.encode(e);
                e.byte(b')');
            }
        }
    }
}

/// `tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"`
/// (RFC 9051 §9): a non-empty, space-separated list of items.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct TaggedExtComp<'a>(Vec<TaggedExtItem<'a>>);

impl<'a> TaggedExtComp<'a> {
    /// A component of at least one item.
    pub fn new(items: Vec<TaggedExtItem<'a>>) -> Result<Self, ValidationError> {
        if items.is_empty() {
            return Err(ValidationError::new("tagged-ext-comp", None));
        }
        Ok(TaggedExtComp(items))
    }

    /// The items.
    pub fn items(&self) -> &[TaggedExtItem<'a>] {
        &self.0
    }

    /// Parses `tagged-ext-comp` (always followed by `")"` in the grammar).
    fn parse(i: &'a [u8], depth: usize) -> PResult<'a, Self> {
        if depth > MAX_EXT_DEPTH {
            return fail_kind(i, "tagged-ext-comp", ErrorKind::InvalidValue);
        }
        let mut items = Vec::new();
        let mut i = i;
        loop {
            let (rest, item) = if i.first() == Some(&b'(') {
                let (r, c) = Self::parse(&i[1..], depth + 1)?;
                let (r, ()) = crate::parse::rparen(r)?;
                (r, TaggedExtItem::Paren(c))
            } else {
                let (r, a) = AString::parse::<false>(i).map_err(|e| {
                    e.map(|mut e| {
                        if e.input.len() == i.len() {
                            e.expected = "tagged-ext-comp";
                        }
                        e
                    })
                })?;
                (r, TaggedExtItem::AString(a))
            };
            items.push(item);
            if rest.first() == Some(&b' ') {
                i = &rest[1..];
            } else {
                return Ok((rest, TaggedExtComp(items)));
            }
        }
    }
}

impl Encode for TaggedExtComp<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.sp_list(&self.0, |e, item| item.encode(e));
    }
}

impl IntoStatic for TaggedExtComp<'_> {
    type Static = TaggedExtComp<'static>;
    fn into_static(self) -> TaggedExtComp<'static> {
        TaggedExtComp(self.0.into_static())
    }
}

/// `tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"` (RFC 9051 §9, RFC 4466).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TaggedExtVal<'a> {
    /// A sequence set or number.
    Simple(TaggedExtSimple<'a>),
    /// `"(" [tagged-ext-comp] ")"`; `None` is `()`.
    Comp(Option<TaggedExtComp<'a>>),
}

impl<'a> TaggedExtVal<'a> {
    /// Parses `tagged-ext-val`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() == Some(&b'(') {
            if i.get(1) == Some(&b')') {
                return Ok((&i[2..], TaggedExtVal::Comp(None)));
            }
            let (r, c) = TaggedExtComp::parse(&i[1..], 1)?;
            let (r, ()) = crate::parse::rparen(r)?;
            return Ok((r, TaggedExtVal::Comp(Some(c))));
        }
        TaggedExtSimple::parse(i).map(|(r, s)| (r, TaggedExtVal::Simple(s)))
    }
}

impl Encode for TaggedExtVal<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            TaggedExtVal::Simple(s) => s.encode(e),
            TaggedExtVal::Comp(c) => {
                e.byte(b'(');
                if let Some(c) = c {
                    c.encode(e);
                }
                e.byte(b')');
            }
        }
    }
}

impl IntoStatic for TaggedExtVal<'_> {
    type Static = TaggedExtVal<'static>;
    fn into_static(self) -> TaggedExtVal<'static> {
        match self {
            TaggedExtVal::Simple(s) => TaggedExtVal::Simple(s.into_static()),
            TaggedExtVal::Comp(c) => TaggedExtVal::Comp(c.into_static()),
        }
    }
}

/// Parses `SP tagged-ext-val`.
pub(crate) fn sp_tagged_ext_val(i: &[u8]) -> PResult<'_, TaggedExtVal<'_>> {
    let (i, ()) = sp(i)?;
    TaggedExtVal::parse(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_all;

    fn roundtrip(s: &str) {
        let v = parse_all(s.as_bytes(), TaggedExtVal::parse).unwrap();
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        v.encode(&mut e);
        let _ = e.finish();
        assert_eq!(out, s.as_bytes());
    }

    #[test]
    fn values() {
        for s in [
            "1",
            "0",
            "1:*",
            "$",
            "5000000000",
            "()",
            "(a)",
            "(a b)",
            "((a) \"b c\")",
            "(1:2 (x (y)))",
        ] {
            roundtrip(s);
        }
        for bad in [
            "",
            "(",
            "(a",
            "( )",
            "(a )",
            "1:",
            "99999999999999999999",
            "1$",
            "x",
        ] {
            assert!(
                parse_all(bad.as_bytes(), TaggedExtVal::parse).is_err(),
                "{bad}"
            );
        }
        let deep = format!("{}a{}", "(".repeat(200), ")".repeat(200));
        assert!(parse_all(deep.as_bytes(), TaggedExtVal::parse).is_err());
        assert!(is_tagged_ext_label(b"X-FOO.1:2"));
        assert!(!is_tagged_ext_label(b"1X"));
    }
}
