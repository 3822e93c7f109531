//! IDLE (RFC 2177; in IMAP4rev2 as RFC 9051 §6.3.13; §9 `idle = "IDLE" CRLF "DONE"`).
//!
//! The command line is the `Idle` row of the command table ([`CommandBody::Idle`]: valid
//! when authenticated or selected, capability `IDLE` for IMAP4rev1 servers, no arguments);
//! this module holds the `DONE` line that ends it ([`IdleDone`]). The server's `+` and the
//! untagged data it sends meanwhile are ordinary responses (RFC 2177 §3).
//!
//! [`CommandBody::Idle`]: crate::command::CommandBody::Idle

use crate::prelude::*;

use crate::context::{ParseOptions, Parsed, Side};
use crate::core::IntoStatic;
use crate::encode::{EncodeOptions, Encoded, Encoder};
use crate::error::ParseError;
use crate::parse::{crlf, keyword, parse_all, parse_line_with};

/// The `"DONE" CRLF` line that ends IDLE (RFC 9051 §6.3.13, RFC 2177 §3), case-insensitive.
///
/// ```
/// use mailproto_imap_codec::IdleDone;
/// assert!(IdleDone::parse(b"done\r\n").is_ok());
/// assert!(IdleDone::parse(b"DONE \r\n").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IdleDone;

impl IdleDone {
    /// Parses the line `DONE` CRLF, strictly.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, |i| {
            let (i, ()) = keyword(i, "DONE")?;
            let (i, ()) = crlf(i)?;
            Ok((i, IdleDone))
        })
    }

    /// Parses the line `DONE` CRLF under `options` (the real-world profile accepts and
    /// reports `trailing-space`, `DONE ` CRLF).
    ///
    /// ```
    /// use mailproto_imap_codec::{IdleDone, ParseOptions, Profile};
    /// let rw = ParseOptions::default().with_profile(Profile::RealWorld);
    /// let parsed = IdleDone::parse_with(b"DONE \r\n", &rw).unwrap();
    /// assert_eq!((parsed.value, parsed.deviations[0].offset), (IdleDone, 4));
    /// ```
    pub fn parse_with(input: &[u8], options: &ParseOptions) -> Result<Parsed<Self>, ParseError> {
        parse_line_with(input, options, Side::Client, "", |i, _| {
            let (i, ()) = keyword(i, "DONE")?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, CommandBody, CommandKind, States};
    use crate::context::{DeviationId, Profile};
    use crate::{Capability, IntoStatic};

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
            (b"DONE \r\n", 4, "CRLF"),
        ] {
            let e = IdleDone::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (at, rule), "{bad:?}");
            let e = IdleDone::parse_with(bad, &ParseOptions::default()).unwrap_err();
            assert_eq!((e.offset, e.expected), (at, rule), "{bad:?}");
        }
        assert_eq!(IdleDone.into_static(), IdleDone);
    }

    #[test]
    fn done_line_real_world() {
        let rw = ParseOptions::default().with_profile(Profile::RealWorld);
        let p = IdleDone::parse_with(b"DONE\r\n", &rw).unwrap();
        assert!(p.deviations.is_empty());
        let p = IdleDone::parse_with(b"done \r\n", &rw).unwrap();
        assert_eq!(p.deviations.len(), 1);
        assert_eq!(p.deviations[0].id.id(), "trailing-space");
        let e = IdleDone::parse_with(b"DONE  \r\n", &rw).unwrap_err();
        assert_eq!((e.offset, e.expected), (4, "CRLF"));
    }

    /// The IDLE row of the command table.
    #[test]
    fn idle_command_row() {
        let cmd = Command::parse(b"A004 idle\r\n").unwrap();
        assert_eq!(cmd.body, CommandBody::Idle);
        assert_eq!(cmd.kind(), CommandKind::Idle);
        assert_eq!(CommandKind::Idle.name(), "IDLE");
        assert_eq!(CommandKind::Idle.states(), States::AUTH);
        assert_eq!(CommandKind::Idle.capability(), Some(Capability::Idle));
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(out, b"A004 IDLE\r\n");
        let e = Command::parse(b"A004 IDLE x\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (9, "CRLF"));
    }
}
