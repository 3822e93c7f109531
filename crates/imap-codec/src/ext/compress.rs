//! COMPRESS (RFC 4978): the `COMPRESS` command, the `COMPRESS=` capability and the
//! `COMPRESSIONACTIVE` response code.
//!
//! RFC 4978 §5:
//!
//! ```text
//! command-auth =/ compress
//! compress    = "COMPRESS" SP algorithm
//! capability  =/ "COMPRESS=" algorithm
//! algorithm   = "DEFLATE"
//! resp-text-code =/ "COMPRESSIONACTIVE"
//! ```
//!
//! The command is the `Compress` row of the command table ([`CommandBody::Compress`]: valid
//! when authenticated or selected, capability `COMPRESS=DEFLATE`); the capability is
//! [`Capability::CompressDeflate`] and the code [`Code::CompressionActive`]. What happens to
//! the byte stream after the tagged OK (RFC 4978 §3: compression starts right after its
//! CRLF, in both directions) is the sessions' to signal and the I/O shell's to do.
//!
//! [`CommandBody::Compress`]: crate::command::CommandBody::Compress
//! [`Capability::CompressDeflate`]: crate::capability::Capability::CompressDeflate
//! [`Code::CompressionActive`]: crate::response::Code::CompressionActive

use crate::core::IntoStatic;
use crate::encode::Encoder;
use crate::error::PResult;
use crate::parse::{keyword, sp};

/// `algorithm = "DEFLATE"` (RFC 4978 §5; DEFLATE is RFC 1951). The only algorithm defined;
/// the grammar allows no other, so no other can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum CompressionAlgorithm {
    /// `DEFLATE` (RFC 1951 raw deflate, RFC 4978 §3).
    Deflate,
}

impl CompressionAlgorithm {
    /// The name as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            CompressionAlgorithm::Deflate => "DEFLATE",
        }
    }

    /// `algorithm = "DEFLATE"` (case-insensitive, RFC 4978 §5).
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (i, ()) = keyword(i, "DEFLATE")?;
        Ok((i, CompressionAlgorithm::Deflate))
    }

    pub(crate) fn encode(self, e: &mut Encoder<'_>) {
        e.raw(self.as_str().as_bytes());
    }
}

/// `SP algorithm` after the name `COMPRESS`.
pub(crate) fn parse_sp_algorithm(i: &[u8]) -> PResult<'_, CompressionAlgorithm> {
    let (i, ()) = sp(i)?;
    CompressionAlgorithm::parse(i)
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, CommandBody, CommandKind, States};
    use crate::prelude::*;
    use crate::response::{Code, Response};
    use crate::{Capability, EncodeOptions};

    use super::CompressionAlgorithm;

    #[test]
    fn command_parses_and_encodes() {
        // RFC 4978 §3 example.
        let cmd = Command::parse(b"c compress deflate\r\n").unwrap();
        assert_eq!(
            cmd.body,
            CommandBody::Compress {
                algorithm: CompressionAlgorithm::Deflate
            }
        );
        assert_eq!(cmd.kind(), CommandKind::Compress);
        assert_eq!(CommandKind::Compress.states(), States::AUTH);
        assert_eq!(
            CommandKind::Compress.capability(),
            Some(Capability::CompressDeflate)
        );
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(out, b"c COMPRESS DEFLATE\r\n");
    }

    #[test]
    fn bad_commands_are_rejected_with_offsets() {
        for (input, offset) in [
            (&b"c COMPRESS\r\n"[..], 10),
            (b"c COMPRESS GZIP\r\n", 11),
            (b"c COMPRESS DEFLATE X\r\n", 18),
            (b"c COMPRESS  DEFLATE\r\n", 11),
        ] {
            let err = Command::parse(input).unwrap_err();
            assert_eq!(err.offset, offset, "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn capability_and_code() {
        assert_eq!(
            Capability::parse_str("compress=deflate").unwrap(),
            Capability::CompressDeflate
        );
        let r = Response::parse(b"c NO [COMPRESSIONACTIVE] DEFLATE active via TLS\r\n").unwrap();
        let Response::Status(s) = r else {
            panic!("{r:?}")
        };
        assert_eq!(s.code(), Some(&Code::CompressionActive));
    }
}
