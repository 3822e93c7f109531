//! PARTIAL (RFC 9394; grammar: §4): paged SEARCH and SORT results. The range of the
//! `PARTIAL` return option ([`crate::command::SearchReturnOpt::Partial`]) and of the
//! `PARTIAL (range results)` return data ([`crate::response::SearchReturnData::Partial`]).
//! RFC 9394 extends RFC 5267's `partial-range` (§4.4 there, first-to-last only) with
//! `partial-range-last`, counted from the newest message.
//!
//! The FETCH modifier `PARTIAL` (§3.2) is [`crate::ext::slots::FetchModifier::Partial`]: the
//! `fetch-modifiers` slot opens when PARTIAL is advertised ([`crate::Extension::Partial`]).
//! Not done: `tagged-ext-simple =/ partial-range-last` (a negative range as the value of a
//! generic extension parameter).

use ::core::num::NonZeroU32;

use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::parse::{byte, nz_number};

/// `partial-range = partial-range-first / partial-range-last`,
/// `partial-range-first = nz-number ":" nz-number`,
/// `partial-range-last = MINUS nz-number ":" MINUS nz-number` (RFC 9394 §4). The two
/// numbers are kept as written (`500:400` means the same as `400:500`).
///
/// ```
/// use mailproto_imap_codec::ext::partial::PartialRange;
/// let r = PartialRange::parse_str("-1:-100").unwrap();
/// assert!(matches!(r, PartialRange::Last(a, b) if a.get() == 1 && b.get() == 100));
/// assert!(PartialRange::parse_str("1:-100").is_err());
/// assert!(PartialRange::parse_str("0:5").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PartialRange {
    /// `a:b`, from the oldest (lowest UIDs) messages: the a-th to the b-th result.
    First(NonZeroU32, NonZeroU32),
    /// `-a:-b`, from the newest messages.
    Last(NonZeroU32, NonZeroU32),
}

impl PartialRange {
    /// Parses the text form.
    pub fn parse_str(s: &str) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(s.as_bytes(), Self::parse)
    }

    /// Parses `partial-range`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        crate::parse::rule("partial-range", |i| {
            if i.first() == Some(&b'-') {
                let (r, a) = nz_number(&i[1..])?;
                let (r, ()) = byte(r, b':', "\":\"")?;
                let (r, ()) = byte(r, b'-', "MINUS")?;
                let (r, b) = nz_number(r)?;
                return Ok((r, PartialRange::Last(a, b)));
            }
            let (r, a) = nz_number(i)?;
            let (r, ()) = byte(r, b':', "\":\"")?;
            let (r, b) = nz_number(r)?;
            Ok((r, PartialRange::First(a, b)))
        })(i)
    }
}

impl Encode for PartialRange {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            PartialRange::First(a, b) => {
                e.number(u64::from(a.get()))
                    .byte(b':')
                    .number(u64::from(b.get()));
            }
            PartialRange::Last(a, b) => {
                e.byte(b'-')
                    .number(u64::from(a.get()))
                    .raw(b":-")
                    .number(u64::from(b.get()));
            }
        }
    }
}
