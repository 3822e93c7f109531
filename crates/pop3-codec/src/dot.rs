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
//! use mailproto_pop3_codec::dot::{BodyDecoder, BodyEvent, encode_body};
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

#![deny(clippy::arithmetic_side_effects)]

use crate::prelude::*;

use ::core::ops::Range;
use alloc::borrow::Cow;
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
                let next = i.saturating_add(2);
                out.extend_from_slice(&rest[..next]);
                rest = &rest[next..];
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
    let needs = stuffed.first() == Some(&b'.') || line_dot().find(stuffed).is_some();
    if !needs {
        return Cow::Borrowed(stuffed);
    }
    let mut out = Vec::with_capacity(stuffed.len());
    let mut rest = stuffed;
    if rest.first() == Some(&b'.') {
        rest = &rest[1..];
    }
    while let Some(i) = line_dot().find(rest) {
        out.extend_from_slice(&rest[..i.saturating_add(2)]);
        rest = &rest[i.saturating_add(3)..];
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
    // The terminating line is the first line that starts with `.` and ends right after it.
    // (Searching for CRLF `.` CRLF directly is slower: CR and LF are too common in a body
    // for the search's prefilter, while lines that start with `.` are rare.)
    line_dot()
        .find_iter(input)
        .find(|&i| input.get(i.saturating_add(3)..i.saturating_add(5)) == Some(b"\r\n"))
        .map(|i| (i.saturating_add(2), i.saturating_add(5)))
}

/// A whole multi-line body read in one pass ([`read_body`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WholeBody<'a> {
    /// The body, unstuffed (borrowed when no line starts with `.`).
    pub body: Cow<'a, [u8]>,
    /// The end of the terminating line `.` CRLF (from the start of the input).
    pub end: usize,
    /// The first line that starts with `.` but was not byte-stuffed (`.hidden`): its
    /// offset. It is kept verbatim in `body`.
    pub unstuffed: Option<usize>,
}

/// Reads a multi-line body that starts at the start of `input` (a line start), up to and
/// including its terminating line, in one pass (RFC 1939 §3): every line that starts with
/// `.` is found once (a `CRLF .` search, rare in mail); it is the terminating line (`.`
/// CRLF), a byte-stuffed line (`..`: one dot dropped), or a line that was not stuffed (kept
/// verbatim, the first one reported). The runs between stuffed lines are copied once.
/// `None` when the terminating line has not arrived.
pub(crate) fn read_body(input: &[u8]) -> Option<WholeBody<'_>> {
    let mut out: Option<Vec<u8>> = None;
    // The next octet of `input` not yet copied into `out`.
    let mut copied = 0;
    let mut unstuffed = None;
    // What the line that starts at `dot` (a `.`) is: `Some(true)` the terminating line,
    // `Some(false)` another line, `None` not known yet (the input ends).
    let at_dot = |dot: usize| -> Option<bool> {
        match input.get(dot.wrapping_add(1))? {
            b'\r' => Some(*input.get(dot.wrapping_add(2))? == b'\n'),
            _ => Some(false),
        }
    };
    let first = (input.first() == Some(&b'.')).then_some(0);
    // (Bound first: without std the finder is built here and must outlive the search.)
    let finder = &line_dot();
    let rest = finder.find_iter(input).map(|i| i.saturating_add(2));
    for dot in first.into_iter().chain(rest) {
        if at_dot(dot)? {
            let body = match out {
                None => Cow::Borrowed(&input[..dot]),
                Some(mut out) => {
                    out.extend_from_slice(&input[copied..dot]);
                    Cow::Owned(out)
                }
            };
            return Some(WholeBody {
                body,
                end: dot.saturating_add(3),
                unstuffed,
            });
        }
        if input.get(dot.saturating_add(1)) == Some(&b'.') {
            // A stuffed line: drop its first dot.
            let out = out.get_or_insert_with(|| Vec::with_capacity(input.len()));
            out.extend_from_slice(&input[copied..dot]);
            copied = dot.saturating_add(1);
        } else if unstuffed.is_none() {
            unstuffed = Some(dot);
        }
    }
    None
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

/// What [`BodyDecoder::next_chunk`] found: a [`BodyEvent`] whose data is a range of the
/// input, so that a caller can borrow it from its own buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Chunk {
    /// `input[range]` is unstuffed body data.
    Data(Range<usize>),
    /// A CR held back at the end of an earlier input (after a line-start `.`) turned out to
    /// be body data.
    HeldCr,
    /// A `.` held back at a line start turned out to begin a line that was not byte-stuffed
    /// (real-world profile, `missing-dot-stuffing`): it is body data.
    HeldDot,
    /// All of the input was consumed.
    NeedMore,
    /// The terminating line was consumed.
    End,
}

/// The searcher for CRLF `.`, where a line starts with a dot (built once with `std`).
#[cfg(feature = "std")]
fn line_dot() -> &'static memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memmem::Finder<'static>> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| memmem::Finder::new(b"\r\n."))
}

/// The searcher for CRLF `.`, where a line starts with a dot (no_std: built per use).
#[cfg(not(feature = "std"))]
fn line_dot() -> memmem::Finder<'static> {
    memmem::Finder::new(b"\r\n.")
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
    /// Where (in the current input: the octet after the dot) a line starting with `.` but not
    /// `..` was seen: that line
    /// was not byte-stuffed (RFC 1939 §3), an error.
    unstuffed: Option<usize>,
    /// Real-world profile: a line that starts with `.` and was not byte-stuffed is kept
    /// verbatim (`missing-dot-stuffing`) instead of being an error.
    tolerant: bool,
    /// Wire offsets (from the body's first octet) of the dots of such lines, not yet taken.
    tolerated: Vec<u64>,
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
            unstuffed: None,
            tolerant: false,
            tolerated: Vec::new(),
        }
    }

    /// The same decoder keeping lines that start with `.` and were not byte-stuffed
    /// (`missing-dot-stuffing`, real-world profile) instead of failing on them; their
    /// offsets are handed out by [`take_tolerated`](Self::take_tolerated).
    pub(crate) fn tolerating(mut self) -> Self {
        self.tolerant = true;
        self
    }

    /// The wire offsets (from the body's first octet) of the dots that began lines which were
    /// not byte-stuffed, found since the last call (always empty unless tolerating).
    pub(crate) fn take_tolerated(&mut self) -> Vec<u64> {
        ::core::mem::take(&mut self.tolerated)
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
        let (used, chunk) = self.next_chunk(input)?;
        let event = match chunk {
            Chunk::Data(range) => BodyEvent::Data(&input[range]),
            Chunk::HeldCr => BodyEvent::Data(b"\r"),
            Chunk::HeldDot => BodyEvent::Data(b"."),
            Chunk::NeedMore => BodyEvent::NeedMore,
            Chunk::End => BodyEvent::End,
        };
        Ok((used, event))
    }

    /// [`BodyDecoder::next`] with the data as a range of `input`.
    pub(crate) fn next_chunk(&mut self, input: &[u8]) -> Result<(usize, Chunk), ParseError> {
        let mut pos = 0;
        loop {
            let before = self.state;
            let (end, chunk) = self.step(input, pos);
            if let Some(after_dot) = self.unstuffed.take()
                && !self.discarding
            {
                // Not consumed: the next call drops the rest of the body, as after a limit.
                self.state = before;
                self.discarding = true;
                // The dot is the octet before `after_dot` (maybe the last of an earlier input).
                let offset = self
                    .consumed
                    .saturating_add(after_dot.saturating_sub(pos) as u64)
                    .saturating_sub(1);
                return Err(ParseError::new(
                    usize::try_from(offset).unwrap_or(usize::MAX),
                    "byte-stuffed line",
                    ErrorKind::Syntax,
                ));
            }
            let len = match &chunk {
                Chunk::Data(range) => range.len(),
                Chunk::HeldCr => 1,
                Chunk::HeldDot => {
                    if !self.discarding {
                        // The dot is the octet before `end` (maybe the last of an earlier input).
                        let dot = self
                            .consumed
                            .saturating_add(end.saturating_sub(pos) as u64)
                            .saturating_sub(1);
                        self.tolerated.push(dot);
                    }
                    1
                }
                Chunk::NeedMore | Chunk::End => {
                    self.consume(end, pos);
                    return Ok((end, chunk));
                }
            };
            if self.discarding {
                self.consume(end, pos);
                pos = end;
                continue;
            }
            let room = self.limit.saturating_sub(self.emitted);
            if let Chunk::Data(range) = &chunk
                && len as u64 > room
                && room > 0
            {
                // Return the octets up to the limit (the error comes with the next call),
                // so that what is returned does not depend on the chunking. The range ends
                // where `end` does.
                // `0 < room < len`: the last octet lies inside the range.
                let room_len = usize::try_from(room).unwrap_or(usize::MAX);
                let last = range.start.saturating_add(room_len).saturating_sub(1);
                let cr_before = if last == pos {
                    before == State::MidCr
                } else {
                    input[last.saturating_sub(1)] == b'\r'
                };
                self.state = match input[last] {
                    b'\r' => State::MidCr,
                    b'\n' if cr_before => State::LineStart,
                    _ => State::Mid,
                };
                let after = last.saturating_add(1);
                self.consume(after, pos);
                self.emitted = self.emitted.saturating_add(room);
                return Ok((after, Chunk::Data(range.start..after)));
            }
            if self.emitted.saturating_add(len as u64) > self.limit {
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
            self.emitted = self.emitted.saturating_add(len as u64);
            self.consume(end, pos);
            return Ok((end, chunk));
        }
    }

    /// Counts the octets `pos..end` of the input as consumed.
    fn consume(&mut self, end: usize, pos: usize) {
        self.consumed = self.consumed.saturating_add(end.saturating_sub(pos) as u64);
    }

    /// One step from `input[at..]`: where it ended and what it found.
    fn step(&mut self, input: &[u8], mut at: usize) -> (usize, Chunk) {
        loop {
            if self.state == State::Done {
                return (at, Chunk::End);
            }
            let Some(&b) = input.get(at) else {
                return (at, Chunk::NeedMore);
            };
            match self.state {
                State::LineStart if b == b'.' => {
                    self.state = State::Dot;
                    at = at.saturating_add(1);
                }
                State::Dot if b == b'\r' => {
                    self.state = State::DotCr;
                    at = at.saturating_add(1);
                }
                State::DotCr if b == b'\n' => {
                    self.state = State::Done;
                    return (at.saturating_add(1), Chunk::End);
                }
                State::DotCr => {
                    // `.` CR and something else: the dot was stuffing, the CR is data.
                    self.state = State::MidCr;
                    return (at, Chunk::HeldCr);
                }
                // A line that does not start with `.`, or the rest of a stuffed one (its
                // dot is dropped), or the rest of a line.
                State::Dot if b != b'.' && self.tolerant => {
                    // Not stuffing: the dot is data, and the line goes on from `at`.
                    self.state = State::Mid;
                    return (at, Chunk::HeldDot);
                }
                State::LineStart | State::Dot => {
                    if self.state == State::Dot && b != b'.' {
                        self.unstuffed = Some(at);
                    }
                    self.state = State::Mid;
                    return self.scan(input, at);
                }
                State::Mid | State::MidCr | State::Done => return self.scan(input, at),
            }
        }
    }

    /// Returns the data from `start` (which exists) up to the first CRLF followed by `.`,
    /// or up to the end of the input, and sets the state for what follows. The search is
    /// one `memmem` for CRLF `.`: lines that do not start with `.` cost nothing each.
    fn scan(&mut self, input: &[u8], start: usize) -> (usize, Chunk) {
        // A CR that ended the previous input (or step) and a LF here end a line.
        if self.state == State::MidCr
            && input[start] == b'\n'
            && matches!(input.get(start.saturating_add(1)), Some(b'.') | None)
        {
            self.state = State::LineStart;
            let end = start.saturating_add(1);
            return (end, Chunk::Data(start..end));
        }
        if let Some(i) = line_dot().find(&input[start..]) {
            let end = start.saturating_add(i).saturating_add(2);
            self.state = State::LineStart;
            return (end, Chunk::Data(start..end));
        }
        self.state = match &input[start..] {
            [.., b'\r', b'\n'] => State::LineStart,
            [b'\n'] if self.state == State::MidCr => State::LineStart,
            [.., b'\r'] => State::MidCr,
            _ => State::Mid,
        };
        (input.len(), Chunk::Data(start..input.len()))
    }
}
