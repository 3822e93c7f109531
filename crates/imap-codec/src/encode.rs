//! The encoder: typed values → bytes, appended to a caller-supplied buffer.
//!
//! A client must stop after a synchronizing literal's announcement `{n}` CRLF and wait for the
//! server's continuation request before sending the literal data (RFC 9051 §4.3, §7.6). The
//! encoder therefore records every such point; [`Encoded::chunks`] splits the output there.
//! Whether literals are sent synchronizing or not is chosen from the server's capabilities
//! ([`LiteralCapability`]: LITERAL+ RFC 7888, LITERAL- RFC 7888 §4, IMAP4rev2 includes LITERAL-).

use crate::prelude::*;

/// The non-synchronizing literal extension the server announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiteralCapability {
    /// Neither LITERAL+ nor LITERAL-: every literal in a command is synchronizing.
    #[default]
    None,
    /// LITERAL- (RFC 7888 §4, implied by IMAP4rev2): literals of at most 4096 octets may be sent
    /// as `{n+}`.
    Minus,
    /// LITERAL+ (RFC 7888 §3): every literal may be sent as `{n+}`.
    Plus,
}

/// The largest literal that LITERAL- allows to be non-synchronizing (RFC 7888 §4).
pub const LITERAL_MINUS_MAX: usize = 4096;

/// Settings of the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct EncodeOptions {
    /// What the server allows for literals in commands.
    pub literal: LiteralCapability,
    /// Send a literal that asks to be non-synchronizing (`{n+}`) as synchronizing (`{n}`)
    /// when [`literal`](Self::literal) does not allow it: without LITERAL+ or LITERAL- "the
    /// client can only use synchronizing literals", and under LITERAL- one over 4096 octets
    /// "MUST be sent as a synchronizing literal" (RFC 7888 §3, §5). Off by default, so that a
    /// parsed command encodes as it was written; a client session turns it on.
    pub enforce_literal_capability: bool,
    /// Stream a literal's data instead of writing it: the first **empty** literal written is
    /// announced with this many octets and its data is left out; [`Encoded::streamed`] says
    /// where it goes, the caller sends it there. `None` (the default): every literal is
    /// written whole. See [`EncodeOptions::streaming`].
    pub streamed_literal: Option<u64>,
    /// Write values that hold their parsed wire form (a FETCH response's items,
    /// [`crate::response::MessageAttributes`]) in the encoder's canonical form even when the
    /// wire form differs from it (lower-case names or media types, `01` days, leading zeros),
    /// instead of copying the wire form. Off by default: encoding a parsed value copies its
    /// validated octets (docs/performance.md, "Value model").
    pub canonical: bool,
}

impl EncodeOptions {
    /// Options for a server that announced `literal`.
    pub fn with_literal(literal: LiteralCapability) -> Self {
        EncodeOptions {
            literal,
            enforce_literal_capability: false,
            streamed_literal: None,
            canonical: false,
        }
    }

    /// The same options, writing every value in the canonical form
    /// ([`canonical`](Self::canonical)).
    pub fn canonical(mut self) -> Self {
        self.canonical = true;
        self
    }

    /// The same options, streaming the first empty literal as one of `length` octets
    /// ([`streamed_literal`](Self::streamed_literal)): the message is written up to and
    /// including that literal's announcement (its head), then the rest after the literal (its
    /// tail), and the caller sends `length` octets between the two. The value to encode holds
    /// an empty literal as the stand-in, so that the types stay as strict as ever; whether
    /// the announcement is `{n}` or `{n+}` is decided for `length`, as for any literal.
    ///
    /// ```
    /// use mailproto_imap_codec::{Command, EncodeOptions, LiteralCapability};
    /// let cmd = Command::parse(b"a APPEND INBOX {0}\r\n\r\n").unwrap();
    /// let mut out = Vec::new();
    /// let options = EncodeOptions::with_literal(LiteralCapability::None).streaming(1 << 30);
    /// let enc = cmd.encode(&mut out, &options);
    /// let at = enc.streamed.unwrap();
    /// assert_eq!(&out[..at], b"a APPEND INBOX {1073741824}\r\n");
    /// assert_eq!(&out[at..], b"\r\n");
    /// assert_eq!(enc.sync_points, [at]); // the data waits for "+"
    /// ```
    pub fn streaming(mut self, length: u64) -> Self {
        self.streamed_literal = Some(length);
        self
    }

    /// The same options, with [`enforce_literal_capability`](Self::enforce_literal_capability)
    /// set to `enforce`.
    ///
    /// ```
    /// use mailproto_imap_codec::{Command, EncodeOptions, LiteralCapability};
    /// let cmd = Command::parse(b"a LOGIN {5+}\r\nalice pw\r\n").unwrap();
    /// let mut out = Vec::new();
    /// let none = EncodeOptions::with_literal(LiteralCapability::None);
    /// let _ = cmd.encode(&mut out, &none.enforcing(true));
    /// assert_eq!(out, b"a LOGIN {5}\r\nalice pw\r\n");
    /// ```
    pub fn enforcing(mut self, enforce: bool) -> Self {
        self.enforce_literal_capability = enforce;
        self
    }
}

/// A piece from this size on gets its room made at once ([`Encoder::raw`]).
const BIG_PIECE: usize = 64 * 1024;
/// Room kept after a big piece for the rest of the message.
const TAIL_ROOM: usize = 256;

/// Where an encoded message was written, and where a client must wait for a continuation
/// request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[must_use = "a client must honour the synchronization points"]
pub struct Encoded {
    /// Offset in the buffer where the message starts.
    pub start: usize,
    /// Offset in the buffer where the message ends.
    pub end: usize,
    /// Offsets in the buffer, each just after a synchronizing literal's `{n}` CRLF: the bytes
    /// before it may be sent; the bytes after it only once the server sent `+`.
    pub sync_points: Vec<usize>,
    /// With [`EncodeOptions::streaming`]: the offset in the buffer, just after the streamed
    /// literal's announcement CRLF, where its data goes (the bytes after it are the rest of
    /// the message); `None` when no empty literal was written.
    pub streamed: Option<usize>,
}

impl Encoded {
    /// The pieces to send, in order: after every piece except the last, a client waits for
    /// the server's continuation request (`+`).
    ///
    /// ```
    /// use mailproto_imap_codec::{Command, EncodeOptions};
    /// let cmd = Command::parse(b"a LOGIN {5}\r\nalice \"pw\"\r\n").unwrap();
    /// let mut out = Vec::new();
    /// let enc = cmd.encode(&mut out, &EncodeOptions::default());
    /// let chunks: Vec<&[u8]> = enc.chunks(&out).collect();
    /// assert_eq!(chunks, [&b"a LOGIN {5}\r\n"[..], &b"alice \"pw\"\r\n"[..]]);
    /// ```
    pub fn chunks<'o>(&self, out: &'o [u8]) -> impl Iterator<Item = &'o [u8]> + use<'o, '_> {
        let mut at = self.start;
        let mut points = self.sync_points.iter().copied().chain(Some(self.end));
        ::core::iter::from_fn(move || {
            let p = points.next()?;
            let chunk = &out[at..p];
            at = p;
            Some(chunk)
        })
    }

    /// The whole message as written.
    pub fn bytes<'o>(&self, out: &'o [u8]) -> &'o [u8] {
        &out[self.start..self.end]
    }
}

/// Writes one message: every [`Encode`] impl appends to the caller's buffer through it.
///
/// The encoder holds the caller's buffer by value while it writes (it takes it at creation
/// and gives it back when finished or dropped). Writing through a `&mut Vec<u8>` held in a
/// struct made the compiler store and reload the vector's length around every byte, since a
/// byte store might alias it; a vector owned by the encoder, which functions receive as
/// `&mut Encoder`, is known not to alias. Encoding values that are in cache ran about 10 %
/// faster for it (docs/performance.md, History).
#[derive(Debug)]
pub struct Encoder<'b> {
    /// The caller's buffer, moved in for the encoder's lifetime.
    out: Vec<u8>,
    /// Where the buffer goes back.
    dest: &'b mut Vec<u8>,
    start: usize,
    sync_points: Vec<usize>,
    streamed: Option<usize>,
    options: EncodeOptions,
    client: bool,
}

impl<'b> Encoder<'b> {
    /// An encoder for a client → server message (commands; literals may need synchronization).
    pub fn client(out: &'b mut Vec<u8>, options: &EncodeOptions) -> Self {
        let start = out.len();
        Encoder {
            out: ::core::mem::take(out),
            dest: out,
            start,
            sync_points: Vec::new(),
            streamed: None,
            options: *options,
            client: true,
        }
    }

    /// An encoder for a server → client message (responses; literals never wait).
    pub fn server(out: &'b mut Vec<u8>) -> Self {
        Self::server_with(out, &EncodeOptions::default())
    }

    /// A server encoder with options: only [`EncodeOptions::streamed_literal`] applies to
    /// responses (a FETCH response whose `BODY[]` data the server streams).
    pub fn server_with(out: &'b mut Vec<u8>, options: &EncodeOptions) -> Self {
        let start = out.len();
        Encoder {
            out: ::core::mem::take(out),
            dest: out,
            start,
            sync_points: Vec::new(),
            streamed: None,
            options: EncodeOptions {
                streamed_literal: options.streamed_literal,
                canonical: options.canonical,
                ..EncodeOptions::default()
            },
            client: false,
        }
    }

    /// Appends raw bytes (already valid for the grammar at this point).
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        if bytes.len() >= BIG_PIECE {
            self.room_for_big(bytes.len());
        }
        self.out.extend_from_slice(bytes);
        self
    }

    /// Makes room at once for about `len` more octets when they are many: for a value whose
    /// encoding is about as long as its checked wire form but written in many small pieces (a
    /// SEARCH program of 80,000 `{0+}` literals), which growing by doubling would leave with up
    /// to as much again allocated (issue 18; `mailtrace/tests/memory.rs`). If the encoding
    /// turns out longer, the buffer grows as it would have without this.
    #[inline]
    pub(crate) fn expect_about(&mut self, len: usize) -> &mut Self {
        if len >= BIG_PIECE {
            self.room_for_big(len);
        }
        self
    }

    /// Makes room for a big piece (a literal's data, a copied wire form) and the few octets
    /// that usually close the message after it (`)`, CRLF), at once: growing by doubling for
    /// those would leave up to as much again of the piece allocated (issue 18: an APPEND's
    /// encoding peaked at 2x its size).
    #[cold]
    fn room_for_big(&mut self, len: usize) {
        self.out.reserve_exact(len.saturating_add(TAIL_ROOM));
    }

    /// Appends one byte.
    #[inline]
    pub fn byte(&mut self, b: u8) -> &mut Self {
        self.out.push(b);
        self
    }

    /// Appends `SP`.
    #[inline]
    pub fn sp(&mut self) -> &mut Self {
        self.byte(b' ')
    }

    /// Appends `CRLF`.
    #[inline]
    pub fn crlf(&mut self) -> &mut Self {
        self.raw(b"\r\n")
    }

    /// Appends a decimal number.
    #[inline]
    pub fn number(&mut self, n: u64) -> &mut Self {
        if n < 10 {
            return self.byte(b'0' + n as u8);
        }
        // Two digits per division, from a table of "00" to "99".
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839404142434445464748495051525354555657585960\
            616263646566676869707172737475767778798081828384858687888990919293949596979899";
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = n;
        while n >= 100 {
            let d = (n % 100) as usize * 2;
            n /= 100;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
        }
        if n >= 10 {
            let d = n as usize * 2;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
        } else {
            i -= 1;
            buf[i] = b'0' + n as u8;
        }
        self.raw(&buf[i..])
    }

    /// Appends `item *(SP item)` using `f` for each item.
    pub fn sp_list<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Self, &T)) -> &mut Self {
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                self.sp();
            }
            f(self, item);
        }
        self
    }

    /// Appends `"(" [item *(SP item)] ")"`.
    pub fn paren_list<T>(&mut self, items: &[T], f: impl FnMut(&mut Self, &T)) -> &mut Self {
        self.byte(b'(');
        self.sp_list(items, f);
        self.byte(b')')
    }

    /// Appends a literal: `{n}` / `{n+}` / `~{n}` CRLF and the data. In a client message a
    /// synchronizing literal records a synchronization point after its CRLF.
    ///
    /// `non_sync` asks for `{n+}` (only honoured in client messages, and only where
    /// [`EncodeOptions::literal`] permits it when
    /// [`EncodeOptions::enforce_literal_capability`] is set); a synchronizing literal is also
    /// sent as `{n+}` when [`EncodeOptions::literal`] permits it.
    ///
    /// With [`EncodeOptions::streaming`], the first empty literal is announced with the
    /// streamed length and [`Encoded::streamed`] records where its data goes.
    pub fn literal(&mut self, data: &[u8], binary: bool, non_sync: bool) -> &mut Self {
        let streamed = match self.options.streamed_literal {
            Some(length) if data.is_empty() && self.streamed.is_none() => Some(length),
            _ => None,
        };
        let length = streamed.unwrap_or(data.len() as u64);
        let allowed = match self.options.literal {
            LiteralCapability::None => false,
            LiteralCapability::Minus => length <= LITERAL_MINUS_MAX as u64,
            LiteralCapability::Plus => true,
        };
        let plus =
            self.client && (allowed || (non_sync && !self.options.enforce_literal_capability));
        if binary {
            self.byte(b'~');
        }
        self.byte(b'{').number(length);
        if plus {
            self.byte(b'+');
        }
        self.raw(b"}\r\n");
        if self.client && !plus {
            let at = self.out.len();
            self.sync_points.push(at);
        }
        if streamed.is_some() {
            self.streamed = Some(self.out.len());
        }
        self.raw(data)
    }

    /// True for a client → server message.
    pub(crate) fn wants_canonical(&self) -> bool {
        // A streamed literal is found by writing the values.
        self.options.canonical || self.options.streamed_literal.is_some()
    }

    /// Whether this encoder writes a client → server message.
    pub fn is_client(&self) -> bool {
        self.client
    }

    /// Finishes the message (and gives the buffer back, as dropping the encoder does).
    pub fn finish(mut self) -> Encoded {
        Encoded {
            start: self.start,
            end: self.out.len(),
            sync_points: ::core::mem::take(&mut self.sync_points),
            streamed: self.streamed,
        }
    }
}

impl Drop for Encoder<'_> {
    fn drop(&mut self) {
        ::core::mem::swap(self.dest, &mut self.out);
    }
}

/// Writes the wire form of `value` to a formatter: the `Display` of values whose wire form
/// is text (dates, sequence sets, sections).
pub(crate) fn display_wire_form(
    value: &impl Encode,
    f: &mut ::core::fmt::Formatter<'_>,
) -> ::core::fmt::Result {
    let mut out = Vec::new();
    let mut e = Encoder::server(&mut out);
    value.encode(&mut e);
    let _ = e.finish();
    f.write_str(&String::from_utf8_lossy(&out))
}

/// A value that has a wire form.
pub trait Encode {
    /// Appends the wire form of `self`.
    fn encode(&self, e: &mut Encoder<'_>);
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, e: &mut Encoder<'_>) {
        (**self).encode(e)
    }
}

#[cfg(test)]
mod tests {
    use super::Encoder;
    use crate::prelude::*;

    #[test]
    fn non_sync_literals_follow_the_capability_when_enforced() {
        use super::{EncodeOptions, LITERAL_MINUS_MAX, LiteralCapability};
        let small = vec![b'a'; LITERAL_MINUS_MAX];
        let big = vec![b'a'; LITERAL_MINUS_MAX + 1];
        let cases = [
            // (capability, enforce, data, non_sync asked) -> non-synchronizing sent
            (LiteralCapability::None, true, &small, true, false),
            (LiteralCapability::None, false, &small, true, true),
            (LiteralCapability::Minus, true, &small, true, true),
            (LiteralCapability::Minus, true, &big, true, false),
            (LiteralCapability::Minus, false, &big, true, true),
            (LiteralCapability::Minus, true, &small, false, true),
            (LiteralCapability::Plus, true, &big, true, true),
            (LiteralCapability::Plus, true, &big, false, true),
            (LiteralCapability::None, true, &small, false, false),
        ];
        for (cap, enforce, data, ask, expect_plus) in cases {
            let mut out = Vec::new();
            let options = EncodeOptions::with_literal(cap).enforcing(enforce);
            let mut e = Encoder::client(&mut out, &options);
            e.literal(data, false, ask);
            let enc = e.finish();
            let header = format!(
                "{{{}{}}}\r\n",
                data.len(),
                if expect_plus { "+" } else { "" }
            );
            assert!(
                out.starts_with(header.as_bytes()),
                "{cap:?} {enforce} {ask}"
            );
            assert_eq!(enc.sync_points.is_empty(), expect_plus);
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut samples: Vec<u64> = (0..1000).collect();
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            samples.extend([p - 1, p, p + 1, next - 1]);
            p = next;
        }
        samples.extend([u64::from(u32::MAX), u64::MAX, u64::MAX - 1]);
        for n in samples {
            let mut out = Vec::new();
            Encoder::server(&mut out).number(n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
