//! COMPRESS=DEFLATE (RFC 4978) for the shells: raw deflate (RFC 1951, no zlib header) in
//! both directions, each write ended with a sync flush so that the peer can inflate a whole
//! command or response at once (RFC 4978 §4: "the sender MUST flush"; a full flush is not
//! needed).
//!
//! The sessions say where compression starts (`ClientEvent::CompressionStarted`,
//! `ServerEvent::CompressionStarted`, after the tagged OK of COMPRESS, RFC 4978 §3) and hand
//! back the received bytes that followed the OK in the same read; the shell then creates a
//! [`Deflate`], inflates those bytes first, and from then on deflates every transmit and
//! inflates every read. No protocol logic lives here: only the byte transform.

use std::io;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// Both directions of a DEFLATE layer (RFC 4978 §3).
pub struct Deflate {
    deflate: Compress,
    inflate: Decompress,
}

impl std::fmt::Debug for Deflate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflate")
            .field("total_in", &self.deflate.total_in())
            .field("total_out", &self.deflate.total_out())
            .field("inflated", &self.inflate.total_out())
            .finish()
    }
}

impl Default for Deflate {
    fn default() -> Self {
        Deflate::new()
    }
}

/// Output grows by this much at a time.
const CHUNK: usize = 16 * 1024;

impl Deflate {
    /// A fresh layer: raw deflate at the default level, raw inflate.
    pub fn new() -> Self {
        Deflate {
            deflate: Compress::new(Compression::default(), false),
            inflate: Decompress::new(false),
        }
    }

    /// Deflates `data` (what the session transmits) and appends it to `out`, ending with a
    /// sync flush so that the peer can read all of it now.
    pub fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        let mut input = data;
        loop {
            out.reserve(CHUNK);
            let before_in = self.deflate.total_in();
            let before_out = out.len();
            self.deflate
                .compress_vec(input, out, FlushCompress::Sync)
                .map_err(io::Error::other)?;
            let consumed =
                usize::try_from(self.deflate.total_in() - before_in).map_err(io::Error::other)?;
            input = &input[consumed..];
            // Done when everything went in and the flush left spare room in `out`.
            if input.is_empty() && out.len() < out.capacity() && out.len() >= before_out {
                return Ok(());
            }
        }
    }

    /// Inflates `data` (what was read from the socket) and appends the result to `out`, for
    /// the session's `handle_input`.
    pub fn decompress(&mut self, data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        let mut input = data;
        loop {
            out.reserve(CHUNK);
            let before_in = self.inflate.total_in();
            let status = self
                .inflate
                .decompress_vec(input, out, FlushDecompress::Sync)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let consumed =
                usize::try_from(self.inflate.total_in() - before_in).map_err(io::Error::other)?;
            input = &input[consumed..];
            match status {
                Status::StreamEnd => return Ok(()),
                _ if input.is_empty() && out.len() < out.capacity() => return Ok(()),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Deflate;

    #[test]
    fn round_trip_in_pieces() {
        let mut a = Deflate::new();
        let mut b = Deflate::new();
        let mut wire = Vec::new();
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for msg in [&b"A1 NOOP\r\n"[..], b"", &big, b"A2 LOGOUT\r\n"] {
            let start = wire.len();
            a.compress(msg, &mut wire).unwrap();
            // Each write is complete on its own (sync flush): inflating it, even byte by
            // byte, gives the message back.
            let mut got = Vec::new();
            for byte in wire[start..].chunks(7) {
                b.decompress(byte, &mut got).unwrap();
            }
            assert_eq!(got, msg);
        }
    }

    #[test]
    fn garbage_is_an_error() {
        let mut b = Deflate::new();
        let mut out = Vec::new();
        assert!(b.decompress(&[0xff; 64], &mut out).is_err());
    }
}
