//! Dot-stuffing of multi-line responses (RFC 1939 §3): whole bodies and a streaming body
//! decoder.
//!
//! On the wire every line of a multi-line response that begins with `.` gets one more `.`
//! in front, and the response ends with the line `.` CRLF. Lines end with CRLF only: a bare
//! CR or LF is body data, and the terminating line is recognised only as exactly `.` CRLF at
//! the start of a line.
//!
//! **A body without a final CRLF.** RFC 1939 §3 ends a multi-line response with
//! CRLF `.` CRLF, so the last body line always ends in CRLF. [`encode_body`] therefore
//! appends a CRLF to a non-empty body that does not end in one (and the decoder returns the
//! body with that CRLF). [`stuff`] and [`unstuff`] alone are exact inverses for any octets.
//!
//! ```
//! use pop3_codec::dot::{BodyDecoder, BodyEvent, encode_body};
//! let mut wire = Vec::new();
//! encode_body(b"Subject: x\r\n\r\n.hidden\r\n", &mut wire);
//! assert_eq!(wire, b"Subject: x\r\n\r\n..hidden\r\n.\r\n");
//!
//! // Decode it in chunks of 3 octets: constant memory, borrowed chunks.
//! let mut dec = BodyDecoder::new();
//! let mut body = Vec::new();
//! 'feed: for mut chunk in wire.chunks(3) {
//!     loop {
//!         let (used, event) = dec.next(chunk).unwrap();
//!         chunk = &chunk[used..];
//!         match event {
//!             BodyEvent::Data(d) => body.extend_from_slice(d),
//!             BodyEvent::NeedMore => break,
//!             BodyEvent::End => break 'feed,
//!         }
//!     }
//! }
//! assert_eq!(body, b"Subject: x\r\n\r\n.hidden\r\n");
//! ```

use std::borrow::Cow;

use memchr::memmem;

use crate::error::{ErrorKind, ParseError};

/// Appends `body` dot-stuffed (a `.` before every line that starts with `.`), without the
/// terminating line. Exact inverse of [`unstuff`].
pub fn stuff(body: &[u8], out: &mut Vec<u8>) {
    let mut at_line_start = true;
    let mut rest = body;
    while !rest.is_empty() {
        if at_line_start && rest[0] == b'.' {
            out.push(b'.');
        }
        match memmem::find(rest, b"\r\n") {
            Some(i) => {
                out.extend_from_slice(&rest[..i + 2]);
                rest = &rest[i + 2..];
                at_line_start = true;
            }
            None => {
                out.extend_from_slice(rest);
                break;
            }
        }
    }
}

/// Appends a whole multi-line body: `body` dot-stuffed, a CRLF if a non-empty body lacks
/// its final one, and the terminating `.` CRLF (RFC 1939 §3).
pub fn encode_body(body: &[u8], out: &mut Vec<u8>) {
    stuff(body, out);
    if !body.is_empty() && !body.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
}

/// Removes dot-stuffing: the first octet of every line that begins with `.` is dropped
/// (RFC 1939 §3). Borrows when no line begins with `.`.
pub fn unstuff(stuffed: &[u8]) -> Cow<'_, [u8]> {
    let needs = stuffed.first() == Some(&b'.') || memmem::find(stuffed, b"\r\n.").is_some();
    if !needs {
        return Cow::Borrowed(stuffed);
    }
    let mut out = Vec::with_capacity(stuffed.len());
    let mut rest = stuffed;
    if rest.first() == Some(&b'.') {
        rest = &rest[1..];
    }
    let finder = memmem::Finder::new(b"\r\n.");
    while let Some(i) = finder.find(rest) {
        out.extend_from_slice(&rest[..i + 2]);
        rest = &rest[i + 3..];
    }
    out.extend_from_slice(rest);
    Cow::Owned(out)
}

/// Where the terminating line is in `input`, which starts at a line start: returns
/// (end of the stuffed body, end of the terminating line).
pub(crate) fn find_terminator(input: &[u8]) -> Option<(usize, usize)> {
    if input.starts_with(b".\r\n") {
        return Some((0, 3));
    }
    memmem::find(input, b"\r\n.\r\n").map(|i| (i + 2, i + 5))
}

/// What [`BodyDecoder::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BodyEvent<'b> {
    /// Unstuffed body octets, borrowed from the input (or a constant).
    Data(&'b [u8]),
    /// All of the input was consumed; feed more.
    NeedMore,
    /// The terminating `.` CRLF was consumed: the body is complete.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a line.
    LineStart,
    /// Inside a line; the last octet was not CR.
    Mid,
    /// Inside a line; the last octet was CR.
    MidCr,
    /// A `.` at a line start was seen and held back.
    Dot,
    /// `.` CR at a line start were seen and held back.
    DotCr,
    /// The terminating line was consumed.
    Done,
}

/// Streaming dot-unstuffer for one multi-line body (RFC 1939 §3): feed it the bytes that
/// follow the status line, in chunks of any size; it returns unstuffed data borrowed from
/// each chunk and tells where the body ends. Memory use is constant; a CRLF or `.` split
/// across chunks is handled.
///
/// A size limit ([`BodyDecoder::with_limit`]) counts unstuffed octets; when it is exceeded
/// the decoder returns the octets up to the limit, then reports [`ErrorKind::TooLarge`] once
/// and consumes the rest of the body without returning it, so that the stream stays usable
/// (and what is returned does not depend on how the input was split).
#[derive(Debug, Clone)]
pub struct BodyDecoder {
    state: State,
    /// Unstuffed octets returned so far.
    emitted: u64,
    /// Wire octets consumed so far.
    consumed: u64,
    limit: u64,
    discarding: bool,
}

impl Default for BodyDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl BodyDecoder {
    /// A decoder without a size limit.
    pub fn new() -> Self {
        Self::with_limit(u64::MAX)
    }

    /// A decoder that rejects bodies of more than `limit` unstuffed octets.
    pub fn with_limit(limit: u64) -> Self {
        BodyDecoder {
            state: State::LineStart,
            emitted: 0,
            consumed: 0,
            limit,
            discarding: false,
        }
    }

    /// A decoder that drops everything up to and including the terminating line (used
    /// after an error, to keep the stream usable). `at_line_start` tells whether the next
    /// octet starts a line.
    pub(crate) fn discarding(at_line_start: bool) -> Self {
        let mut d = Self::new();
        d.discarding = true;
        if !at_line_start {
            d.state = State::Mid;
        }
        d
    }

    /// True once the terminating line was consumed.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Wire octets consumed so far (stuffing and the terminator included).
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Unstuffed octets returned so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// Decodes from the start of `input`: returns how many octets of `input` were used and
    /// what was found. Call again with the unused rest until [`BodyEvent::NeedMore`] (then
    /// feed more) or [`BodyEvent::End`].
    pub fn next<'b>(&mut self, input: &'b [u8]) -> Result<(usize, BodyEvent<'b>), ParseError> {
        let mut total = 0;
        loop {
            let before = self.state;
            let (used, event) = self.step(&input[total..]);
            if let BodyEvent::Data(d) = event {
                if self.discarding {
                    total += used;
                    self.consumed += used as u64;
                    continue;
                }
                let room = self.limit.saturating_sub(self.emitted);
                if d.len() as u64 > room && room > 0 {
                    // Return the octets up to the limit (the error comes with the next
                    // call), so that what is returned does not depend on the chunking.
                    // Only a slice of the input is longer than one octet, and it ends
                    // where `used` does.
                    let k = room as usize;
                    let offset = d.as_ptr() as usize - input[total..].as_ptr() as usize;
                    let cr_before = |j: usize| match j {
                        0 if offset == 0 => before == State::MidCr,
                        0 => input[total + offset - 1] == b'\r',
                        _ => d[j - 1] == b'\r',
                    };
                    self.state = match d[k - 1] {
                        b'\r' => State::MidCr,
                        b'\n' if cr_before(k - 1) => State::LineStart,
                        _ => State::Mid,
                    };
                    let used = used - (d.len() - k);
                    total += used;
                    self.consumed += used as u64;
                    self.emitted += k as u64;
                    return Ok((total, BodyEvent::Data(&d[..k])));
                }
                if self.emitted + d.len() as u64 > self.limit {
                    // Not consumed: the next call drops these octets.
                    self.state = before;
                    self.discarding = true;
                    // The offset is the first unstuffed octet beyond the limit.
                    return Err(ParseError::new(
                        usize::try_from(self.limit).unwrap_or(usize::MAX),
                        "end of body",
                        ErrorKind::TooLarge { limit: self.limit },
                    ));
                }
                self.emitted += d.len() as u64;
            }
            total += used;
            self.consumed += used as u64;
            return Ok((total, event));
        }
    }

    fn step<'b>(&mut self, input: &'b [u8]) -> (usize, BodyEvent<'b>) {
        let mut i = 0;
        loop {
            if self.state == State::Done {
                return (i, BodyEvent::End);
            }
            let Some(&b) = input.get(i) else {
                return (i, BodyEvent::NeedMore);
            };
            match self.state {
                State::LineStart => {
                    if b == b'.' {
                        self.state = State::Dot;
                        i += 1;
                    } else {
                        self.state = State::Mid;
                        return self.scan(input, i);
                    }
                }
                State::Dot => {
                    if b == b'\r' {
                        self.state = State::DotCr;
                        i += 1;
                    } else {
                        // A stuffed dot: dropped; the line goes on with `b`.
                        self.state = State::Mid;
                        return self.scan(input, i);
                    }
                }
                State::DotCr => {
                    if b == b'\n' {
                        self.state = State::Done;
                        return (i + 1, BodyEvent::End);
                    }
                    // `.` CR and something else: the dot was stuffing, the CR is data.
                    self.state = State::MidCr;
                    return (i, BodyEvent::Data(b"\r"));
                }
                State::Mid | State::MidCr => return self.scan(input, i),
                State::Done => unreachable!("handled above"),
            }
        }
    }

    /// Returns data from `start` up to the first line end followed by `.` (or the end of the
    /// input), and sets the state for what follows.
    fn scan<'b>(&mut self, input: &'b [u8], start: usize) -> (usize, BodyEvent<'b>) {
        let mut from = start;
        loop {
            match memchr::memchr(b'\n', &input[from..]) {
                Some(off) => {
                    let lf = from + off;
                    let crlf = if lf == start {
                        self.state == State::MidCr
                    } else {
                        input[lf - 1] == b'\r'
                    };
                    from = lf + 1;
                    if crlf {
                        match input.get(from) {
                            Some(b'.') | None => {
                                self.state = State::LineStart;
                                return (from, BodyEvent::Data(&input[start..from]));
                            }
                            Some(_) => {}
                        }
                    }
                    self.state = State::Mid;
                }
                None => {
                    let end = input.len();
                    if end > start {
                        self.state = if input[end - 1] == b'\r' {
                            State::MidCr
                        } else {
                            State::Mid
                        };
                    }
                    return (end, BodyEvent::Data(&input[start..end]));
                }
            }
        }
    }
}
