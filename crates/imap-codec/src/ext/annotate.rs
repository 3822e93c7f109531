//! ANNOTATE-EXPERIMENT-1: RFC 5257, as far as Cyrus uses it — the response codes of §4.1 and
//! §7 (`ANNOTATIONS`, `ANNOTATE TOOBIG`, `ANNOTATE TOOMANY`).
//!
//! ```text
//! resp-text-code =/ "ANNOTATE" SP "TOOBIG" /
//!                   "ANNOTATE" SP "TOOMANY" /
//!                   "ANNOTATIONS" SP ann-size
//! ann-size       = "NONE" / (("READ-ONLY" / nz-number) [SP "NOPRIVATE"])
//! ```
//!
//! Cyrus advertises the capability and sends `* OK [ANNOTATIONS 65536]` on SELECT (see
//! `recordings/cyrus/`); it sends no ANNOTATION fetch items, store items or search keys
//! there, and those parts of RFC 5257 (`ANNOTATION` FETCH/STORE/SEARCH/APPEND items, the
//! `(ANNOTATE)` select parameter) are not implemented here.

use ::core::num::NonZeroU32;

use mailproto_core::IntoStatic;

use crate::context::Ctx;
use crate::encode::Encoder;
use crate::error::{PResult, fail};
use crate::parse::{is_atom_char, nz_number, sp, starts_with_ci, take_while};

/// The level of annotation support: `ann-size` (RFC 5257 §4.1, §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AnnotationSupport {
    /// `NONE`: the mailbox has no annotations.
    None,
    /// `READ-ONLY [SP NOPRIVATE]`: annotations cannot be changed.
    ReadOnly {
        /// `NOPRIVATE`: only shared annotations.
        no_private: bool,
    },
    /// `nz-number [SP NOPRIVATE]`: the largest annotation value, in octets.
    MaxSize {
        /// The size.
        size: NonZeroU32,
        /// `NOPRIVATE`: only shared annotations.
        no_private: bool,
    },
}

impl AnnotationSupport {
    /// The ANNOTATIONS code's parser: `SP ann-size` after the name.
    pub(crate) fn parse<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let no_private = |r: &'a [u8]| -> (&'a [u8], bool) {
            if starts_with_ci(r, b" NOPRIVATE") && !r.get(10).is_some_and(|&b| is_atom_char(b)) {
                (&r[10..], true)
            } else {
                (r, false)
            }
        };
        if i.first().is_some_and(u8::is_ascii_digit) {
            let (r, size) = nz_number(i)?;
            let (r, no_private) = no_private(r);
            return Ok((r, AnnotationSupport::MaxSize { size, no_private }));
        }
        let (r, word) = take_while(i, is_atom_char);
        if word.eq_ignore_ascii_case(b"NONE") {
            Ok((r, AnnotationSupport::None))
        } else if word.eq_ignore_ascii_case(b"READ-ONLY") {
            let (r, no_private) = no_private(r);
            Ok((r, AnnotationSupport::ReadOnly { no_private }))
        } else {
            fail(i, "ann-size")
        }
    }

    /// The ANNOTATIONS code's encoder: what follows the name.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        let no_private = match *self {
            AnnotationSupport::None => {
                e.raw(b" NONE");
                false
            }
            AnnotationSupport::ReadOnly { no_private } => {
                e.raw(b" READ-ONLY");
                no_private
            }
            AnnotationSupport::MaxSize { size, no_private } => {
                e.sp().number(u64::from(size.get()));
                no_private
            }
        };
        if no_private {
            e.raw(b" NOPRIVATE");
        }
    }
}

/// The ANNOTATE code (RFC 5257 §7): why a STORE or APPEND of annotations failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AnnotateCode {
    /// `TOOBIG`: a value is larger than the server allows.
    TooBig,
    /// `TOOMANY`: too many annotations on the message.
    TooMany,
}

impl AnnotateCode {
    /// The ANNOTATE code's parser: `SP ("TOOBIG" / "TOOMANY")` after the name.
    pub(crate) fn parse<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let (r, word) = take_while(i, is_atom_char);
        if word.eq_ignore_ascii_case(b"TOOBIG") {
            Ok((r, AnnotateCode::TooBig))
        } else if word.eq_ignore_ascii_case(b"TOOMANY") {
            Ok((r, AnnotateCode::TooMany))
        } else {
            fail(i, "resp-text-code")
        }
    }

    /// The ANNOTATE code's encoder: what follows the name.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        e.raw(match self {
            AnnotateCode::TooBig => b" TOOBIG",
            AnnotateCode::TooMany => b" TOOMANY",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IntoStatic;
    use crate::prelude::*;
    use crate::response::{Code, Response};

    fn code(line: &str) -> Option<Code<'static>> {
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), line);
        let Response::Status(s) = r else { panic!() };
        s.code().cloned().map(IntoStatic::into_static)
    }

    #[test]
    fn rfc_5257_codes() {
        // §4.2's example, and Cyrus's.
        assert_eq!(
            code("* OK [ANNOTATIONS 20480 NOPRIVATE] x\r\n"),
            Some(Code::Annotations(AnnotationSupport::MaxSize {
                size: NonZeroU32::new(20480).unwrap(),
                no_private: true
            }))
        );
        assert_eq!(
            code("* OK [ANNOTATIONS 65536] Ok\r\n"),
            Some(Code::Annotations(AnnotationSupport::MaxSize {
                size: NonZeroU32::new(65536).unwrap(),
                no_private: false
            }))
        );
        assert_eq!(
            code("* OK [ANNOTATIONS NONE] x\r\n"),
            Some(Code::Annotations(AnnotationSupport::None))
        );
        assert_eq!(
            code("* OK [ANNOTATIONS READ-ONLY NOPRIVATE] x\r\n"),
            Some(Code::Annotations(AnnotationSupport::ReadOnly {
                no_private: true
            }))
        );
        assert_eq!(
            code("a NO [ANNOTATE TOOBIG] x\r\n"),
            Some(Code::Annotate(AnnotateCode::TooBig))
        );
        assert_eq!(
            code("a NO [ANNOTATE TOOMANY] x\r\n"),
            Some(Code::Annotate(AnnotateCode::TooMany))
        );
        // Not codes: the bracket is then text (RFC 9051 §9 `resp-text`).
        for bad in [
            "* OK [ANNOTATIONS 0] x\r\n",
            "* OK [ANNOTATIONS NONE NOPRIVATE] x\r\n",
            "* OK [ANNOTATIONS BIG] x\r\n",
            "* OK [ANNOTATE HUGE] x\r\n",
        ] {
            assert_eq!(code(bad), None, "{bad}");
        }
    }
}
