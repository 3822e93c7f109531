//! IDLE (RFC 9051 §6.3.13, RFC 2177; §9 `idle = "IDLE" CRLF "DONE"`): the command line is
//! [`CommandBody::Idle`](super::CommandBody::Idle); this module holds the `DONE` line that
//! ends it.

use crate::encode::{EncodeOptions, Encoded, Encoder};
use crate::error::ParseError;
use crate::parse::{crlf, keyword, parse_all};

/// The `"DONE" CRLF` line that ends IDLE (RFC 9051 §6.3.13), case-insensitive.
///
/// ```
/// use imap_codec::IdleDone;
/// assert!(IdleDone::parse(b"done\r\n").is_ok());
/// assert!(IdleDone::parse(b"DONE \r\n").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IdleDone;

impl IdleDone {
    /// Parses the line `DONE` CRLF.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, |i| {
            let (i, ()) = keyword(i, "DONE")?;
            let (i, ()) = crlf(i)?;
            Ok((i, IdleDone))
        })
    }

    /// Appends `DONE` CRLF.
    pub fn encode(&self, out: &mut Vec<u8>) -> Encoded {
        let mut e = Encoder::client(out, &EncodeOptions::default());
        e.raw(b"DONE").crlf();
        e.finish()
    }
}

impl crate::core::IntoStatic for IdleDone {
    type Static = IdleDone;
    fn into_static(self) -> IdleDone {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_line() {
        assert_eq!(IdleDone::parse(b"DONE\r\n"), Ok(IdleDone));
        assert_eq!(IdleDone::parse(b"DoNe\r\n"), Ok(IdleDone));
        let mut out = b"x".to_vec();
        let enc = IdleDone.encode(&mut out);
        assert_eq!((enc.bytes(&out), enc.start), (&b"DONE\r\n"[..], 1));
        for (bad, at, rule) in [
            (&b"DONE"[..], 4, "CRLF"),
            (b"DONE\n", 4, "CRLF"),
            (b"DON\r\n", 0, "DONE"),
            (b" DONE\r\n", 0, "DONE"),
            (b"DONE\r\nDONE\r\n", 6, "end of message"),
        ] {
            let e = IdleDone::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (at, rule), "{bad:?}");
        }
    }
}
