//! WITHIN (RFC 5032): the YOUNGER and OLDER search keys.
//!
//! RFC 5032 §3 (formal syntax):
//!
//! ```text
//! search-key =/ ( "OLDER" / "YOUNGER" ) SP nz-number
//! ```
//!
//! The interval is in seconds, measured against the messages' INTERNALDATE and the server's
//! clock (§2). The keys are rows of the `search-key` table
//! ([`crate::command::SearchKey::Older`], [`crate::command::SearchKey::Younger`]); their
//! names are new, so the grammar does not depend on the server having advertised `WITHIN`.

use ::core::num::NonZeroU32;

use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::parse::nz_number;

/// The argument of YOUNGER and OLDER: an interval in seconds, `nz-number` (RFC 5032 §3).
///
/// ```
/// use mailproto_imap_codec::ext::within::Interval;
/// assert_eq!(Interval::new(259200).unwrap().seconds(), 259200);
/// assert!(Interval::new(0).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Interval(NonZeroU32);

impl Interval {
    /// An interval of `seconds`; `None` for 0 (the rule is `nz-number`).
    pub fn new(seconds: u32) -> Option<Self> {
        NonZeroU32::new(seconds).map(Interval)
    }

    /// The interval in seconds.
    pub fn seconds(self) -> u32 {
        self.0.get()
    }

    /// Parses `nz-number`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        nz_number(i).map(|(r, n)| (r, Interval(n)))
    }
}

impl From<NonZeroU32> for Interval {
    fn from(n: NonZeroU32) -> Self {
        Interval(n)
    }
}

impl Encode for Interval {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.number(u64::from(self.0.get()));
    }
}

impl IntoStatic for Interval {
    type Static = Interval;
    fn into_static(self) -> Interval {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{CommandBody, SearchKey, SearchKeyKind};
    use crate::error::ErrorKind;
    use crate::prelude::*;
    use crate::{Command, Response};

    fn roundtrip(line: &[u8]) -> Vec<SearchKeyKind> {
        let c = Command::parse(line).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        assert_eq!(out, line);
        let CommandBody::Search { criteria, .. } = c.body else {
            panic!()
        };
        criteria.iter().map(|k| k.kind()).collect()
    }

    /// RFC 5032 §4.
    #[test]
    fn rfc_example() {
        let kinds = roundtrip(b"a1 SEARCH UNSEEN YOUNGER 259200\r\n");
        assert_eq!(kinds, [SearchKeyKind::Unseen, SearchKeyKind::Younger]);
        // The RFC's answer reads `a1 * SEARCH ...`: the tag is a typo for the untagged `*`.
        assert!(Response::parse(b"a1 * SEARCH 4 8 15 16 23 42\r\n").is_err());
        assert!(Response::parse(b"* SEARCH 4 8 15 16 23 42\r\n").is_ok());
        let c = Command::parse(b"a UID SEARCH older 1 NOT YOUNGER 4294967295\r\n").unwrap();
        let CommandBody::Search { criteria, .. } = c.body else {
            panic!()
        };
        assert_eq!(
            criteria.first(),
            SearchKey::Older(Interval::new(1).unwrap())
        );
    }

    #[test]
    fn bad_intervals() {
        for (line, offset, expected, kind) in [
            (
                &b"a SEARCH YOUNGER 0\r\n"[..],
                17,
                "nz-number",
                ErrorKind::InvalidValue,
            ),
            (
                b"a SEARCH OLDER 4294967296\r\n",
                15,
                "nz-number",
                ErrorKind::NumberTooLarge,
            ),
            (b"a SEARCH OLDER -5\r\n", 15, "nz-number", ErrorKind::Syntax),
            (b"a SEARCH OLDER\r\n", 14, "SP", ErrorKind::Syntax),
        ] {
            let e = Command::parse(line).unwrap_err();
            assert_eq!(
                (e.offset, e.expected, e.kind),
                (offset, expected, kind),
                "{e}"
            );
        }
    }
}
