//! Stream decoders: commands and responses from bytes that arrive in chunks of any size
//! (RFC 1939 §3, RFC 2449 §4 line limits, RFC 5034 §4 SASL lines).
//!
//! Both decoders own a buffer: [`push`](ResponseDecoder::push) received bytes, then call
//! `next…` until it returns `Ok(None)`. Line ends are found with `memchr` and the decoders
//! remember how far they have looked, so a stream costs O(total bytes) whatever the chunk
//! sizes. Buffering is bounded by the [`Limits`]; a message body (RETR, TOP) is never
//! buffered whole but handed out in borrowed chunks.
//!
//! After an error (a line too long, a response too large, a syntax error) the offending
//! message is skipped and the next call goes on with the next one. Error offsets count
//! from the start of the offending message; for a limit they are the limit itself (the
//! first octet beyond it).

#![deny(clippy::arithmetic_side_effects)]

use crate::prelude::*;

use alloc::collections::VecDeque;

use crate::command::{Command, SaslResponse};
use crate::context::{Deviation, ParseOptions, Parsed, Pop3Deviation, Side};
use crate::core::Cursor;
use crate::core::MsgNumber;
use crate::dot::{BodyDecoder, Chunk};
use crate::error::{ErrorKind, ParseError};
use crate::listing::newlines;
use crate::response::{Expected, Response, StatusLine};

/// Limits of the stream decoders. Exceeding one is an error; the stream stays usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Limits {
    /// Longest command line, CRLF included (RFC 2449 §4: 255).
    pub max_command_line: usize,
    /// Longest response line, CRLF included: status lines and the lines of listings and
    /// capabilities (RFC 2449 §4 and §5: 512).
    pub max_response_line: usize,
    /// Longest SASL line in either direction, CRLF included (RFC 5034 §4 sets no limit).
    pub max_sasl_line: usize,
    /// Largest multi-line listing (LIST, UIDL, CAPA, LANG), which is buffered whole.
    pub max_listing: usize,
    /// Largest message body (RETR, TOP), unstuffed; it is streamed, not buffered.
    pub max_body: u64,
}

impl Default for Limits {
    /// The RFC limits: 255-octet commands, 512-octet response lines, 64 KiB SASL lines,
    /// 16 MiB listings, 1 GiB bodies.
    fn default() -> Self {
        Limits {
            max_command_line: 255,
            max_response_line: 512,
            max_sasl_line: 64 * 1024,
            max_listing: 16 * 1024 * 1024,
            max_body: 1 << 30,
        }
    }
}

impl Limits {
    /// The same limits with another command line limit.
    pub fn with_max_command_line(mut self, n: usize) -> Self {
        self.max_command_line = n;
        self
    }

    /// The same limits with another response line limit.
    pub fn with_max_response_line(mut self, n: usize) -> Self {
        self.max_response_line = n;
        self
    }

    /// The same limits with another SASL line limit.
    pub fn with_max_sasl_line(mut self, n: usize) -> Self {
        self.max_sasl_line = n;
        self
    }

    /// The same limits with another listing limit.
    pub fn with_max_listing(mut self, n: usize) -> Self {
        self.max_listing = n;
        self
    }

    /// The same limits with another body limit.
    pub fn with_max_body(mut self, n: u64) -> Self {
        self.max_body = n;
        self
    }
}

/// What [`LineScanner::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// `buf[..len]` is a line (ending in LF; the grammar checks the CR).
    Complete(usize),
    /// No line end yet.
    Incomplete,
    /// The line is longer than the limit; it is now being discarded.
    TooLong,
    /// `buf[..len]` was discarded; `finished` when the discarded line ended there.
    Discarded { len: usize, finished: bool },
}

/// Finds line ends, remembering how far it has looked.
#[derive(Debug, Clone, Default)]
struct LineScanner {
    scanned: usize,
    discarding: bool,
}

impl LineScanner {
    fn next(&mut self, buf: &[u8], max: usize) -> Line {
        match memchr::memchr(b'\n', &buf[self.scanned.min(buf.len())..]) {
            Some(i) => {
                let len = self.scanned.saturating_add(i).saturating_add(1);
                self.scanned = 0;
                if self.discarding {
                    self.discarding = false;
                    Line::Discarded {
                        len,
                        finished: true,
                    }
                } else if len > max {
                    self.discarding = true;
                    self.scanned = 0;
                    Line::TooLong
                } else {
                    Line::Complete(len)
                }
            }
            None => {
                if self.discarding {
                    self.scanned = 0;
                    Line::Discarded {
                        len: buf.len(),
                        finished: false,
                    }
                } else if buf.len() > max {
                    self.discarding = true;
                    self.scanned = 0;
                    Line::TooLong
                } else {
                    self.scanned = buf.len();
                    Line::Incomplete
                }
            }
        }
    }
}

/// A buffer whose consumed front is dropped lazily (each octet is moved O(1) times on
/// average).
#[derive(Debug, Clone, Default)]
struct Buffer {
    buf: Vec<u8>,
    start: usize,
    consumed: usize,
}

impl Buffer {
    fn push(&mut self, data: &[u8]) {
        self.drop_consumed();
        if self.start > 0 && self.start >= self.buf.len().saturating_sub(self.start) {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    fn drop_consumed(&mut self) {
        self.start = self.start.saturating_add(self.consumed);
        self.consumed = 0;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    fn data(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn take(&mut self) -> Vec<u8> {
        self.drop_consumed();
        let rest = self.buf.split_off(self.start);
        self.buf.clear();
        self.start = 0;
        rest
    }
}

/// From the line start `at` in `data`, the start of the first line that is incomplete, longer
/// than `max`, ends beyond `limit` or is the terminating `.` CRLF: the lines before it are
/// complete listing lines within the limits, which framing only steps over.
fn plain_lines(data: &[u8], at: usize, max: usize, limit: usize, lf_end: bool) -> usize {
    let mut start = at;
    // Whether the line that ends before `end` is only stepped over (under the real-world
    // profile, `lf_end`, a `.` LF ends the listing too: `bare-lf`).
    let plain = |start: usize, end: usize| {
        end.saturating_sub(start) <= max
            && end <= limit
            && &data[start..end] != b".\r\n"
            && !(lf_end && &data[start..end] == b".\n")
    };
    // LFs 64 octets at a time from a bit mask (lines are short: one search per line would
    // cost more than the line), then the rest one at a time.
    let mut base = at;
    while let Some(block) = data.get(base..).and_then(|b| b.first_chunk::<64>()) {
        let mut lfs = newlines(block);
        while lfs != 0 {
            let end = base
                .saturating_add(lfs.trailing_zeros() as usize)
                .saturating_add(1);
            // Clears the lowest set bit (`lfs != 0`).
            lfs &= lfs.wrapping_sub(1);
            if !plain(start, end) {
                return start;
            }
            start = end;
        }
        base = base.saturating_add(64);
    }
    for lf in memchr::memchr_iter(b'\n', &data[base..]) {
        let end = base.saturating_add(lf).saturating_add(1);
        if !plain(start, end) {
            return start;
        }
        start = end;
    }
    start
}

fn too_long(offset: usize, limit: usize) -> ParseError {
    ParseError::new(offset, "CRLF", ErrorKind::LineTooLong { limit })
}

/// Decodes a client's commands (RFC 1939 §3) and SASL lines (RFC 5034 §4) from a stream:
/// the server side.
///
/// ```
/// use mailproto_pop3_codec::{Command, CommandDecoder, ErrorKind, Limits};
/// let mut dec = CommandDecoder::new(Limits::default());
/// dec.push(b"USER mrose\r\nPA");
/// assert!(matches!(dec.next_command(), Ok(Some(Command::User(_)))));
/// assert_eq!(dec.next_command(), Ok(None));
/// dec.push(b"SS secret\r\nFOO\r\nSTAT\r\n");
/// assert!(matches!(dec.next_command(), Ok(Some(Command::Pass(_)))));
/// assert_eq!(dec.next_command().unwrap_err().kind, ErrorKind::UnknownCommand);
/// assert_eq!(dec.next_command(), Ok(Some(Command::Stat)));
/// ```
#[derive(Debug, Clone)]
pub struct CommandDecoder {
    limits: Limits,
    options: ParseOptions,
    buf: Buffer,
    scanner: LineScanner,
}

impl CommandDecoder {
    /// An empty decoder (strict profile).
    pub fn new(limits: Limits) -> Self {
        Self::with_options(ParseOptions::default().with_limits(limits))
    }

    /// An empty decoder under `options`: its limits, and the profile that
    /// [`next_command_with`](Self::next_command_with) parses under.
    ///
    /// ```
    /// use mailproto_pop3_codec::context::{ParseOptions, Profile};
    /// use mailproto_pop3_codec::{Command, CommandDecoder};
    /// let mut dec = CommandDecoder::with_options(ParseOptions::default().with_profile(Profile::RealWorld));
    /// dec.push(b"STAT\nNOOP\r\n");
    /// let first = dec.next_command_with().unwrap().unwrap();
    /// assert_eq!((first.value, first.deviations.len()), (Command::Stat, 1));
    /// let second = dec.next_command_with().unwrap().unwrap();
    /// assert_eq!((second.value, second.deviations.len()), (Command::Noop, 0));
    /// ```
    pub fn with_options(options: ParseOptions) -> Self {
        CommandDecoder {
            limits: options.limits,
            options,
            buf: Buffer::default(),
            scanner: LineScanner::default(),
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.push(data);
    }

    /// Bytes received and not yet decoded.
    pub fn buffered(&self) -> &[u8] {
        &self.buf.buf[self.buf.start.saturating_add(self.buf.consumed)..]
    }

    /// Removes and returns everything buffered (after STLS, RFC 2595 §4: bytes that
    /// arrived after the command are not POP3 in the clear).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        self.scanner = LineScanner::default();
        self.buf.take()
    }

    fn next_line(&mut self, max: usize) -> Result<Option<&[u8]>, ParseError> {
        self.buf.drop_consumed();
        loop {
            match self.scanner.next(self.buf.data(), max) {
                Line::Complete(len) => {
                    self.buf.consumed = len;
                    return Ok(Some(&self.buf.data()[..len]));
                }
                Line::Incomplete => return Ok(None),
                Line::TooLong => return Err(too_long(max, max)),
                Line::Discarded { len, .. } => {
                    self.buf.consumed = len;
                    self.buf.drop_consumed();
                    if self.buf.data().is_empty() {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// The line the last `next_*` call returned or rejected, CRLF included, until the next
    /// call or push (empty when that call returned `Ok(None)` or found a line too long). A
    /// server observer reads the keyword of a rejected line from it
    /// ([`Expected::for_rejected_line`](crate::Expected::for_rejected_line)).
    ///
    /// ```
    /// use mailproto_pop3_codec::{CommandDecoder, Expected, Limits};
    /// let mut dec = CommandDecoder::new(Limits::default());
    /// dec.push(b"TOP 1 -1\r\n");
    /// assert!(dec.next_command().is_err());
    /// assert_eq!(dec.last_line(), b"TOP 1 -1\r\n");
    /// assert_eq!(Expected::for_rejected_line(dec.last_line()), Expected::Message);
    /// ```
    pub fn last_line(&self) -> &[u8] {
        &self.buf.data()[..self.buf.consumed]
    }

    /// The next command by the strict grammar, `Ok(None)` when more bytes are needed.
    pub fn next_command(&mut self) -> Result<Option<Command<'_>>, ParseError> {
        let max = self.limits.max_command_line;
        match self.next_line(max)? {
            Some(line) => Command::parse(line).map(Some),
            None => Ok(None),
        }
    }

    /// The next command under the decoder's options ([`with_options`](Self::with_options)),
    /// with the deviations the real-world profile accepted; `Ok(None)` when more bytes are
    /// needed. Lines are found at each LF, so a bare-LF line is framed like any other.
    pub fn next_command_with(&mut self) -> Result<Option<Parsed<Command<'_>>>, ParseError> {
        let max = self.limits.max_command_line;
        let options = self.options;
        match self.next_line(max)? {
            Some(line) => Command::parse_with(line, &options).map(Some),
            None => Ok(None),
        }
    }

    /// The next client line of a SASL exchange (after AUTH, RFC 5034 §4).
    pub fn next_sasl_response(&mut self) -> Result<Option<SaslResponse>, ParseError> {
        let max = self.limits.max_sasl_line;
        match self.next_line(max)? {
            Some(line) => SaslResponse::parse(line).map(Some),
            None => Ok(None),
        }
    }
}

/// One thing [`ResponseDecoder::next_event`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ResponseEvent<'b> {
    /// A complete response (every response but a positive RETR or TOP answer).
    Response(Response<'b>),
    /// The status line of a positive RETR or TOP answer; body chunks follow.
    MessageStart(StatusLine<'b>),
    /// Unstuffed body octets.
    BodyChunk(&'b [u8]),
    /// The body's terminating line was consumed.
    MessageEnd,
}

#[derive(Debug, Clone)]
enum State {
    Idle,
    /// Framing a listing: `next_line` is the offset (from the response start) of the next
    /// line not yet found.
    Listing {
        next_line: usize,
    },
    /// Streaming a body; `report_end` is false when the body is being discarded.
    Body {
        dec: BodyDecoder,
        report_end: bool,
        /// The length of the status line before the body (for deviation offsets).
        status_len: usize,
    },
    /// Skipping the rest of a line that was too long.
    SkipLine,
}

/// Decodes a server's responses from a stream: the client side (RFC 1939 §3).
///
/// The caller tells what each response answers: the greeting is expected first, then one
/// [`expect`](ResponseDecoder::expect) per command sent (pipelined commands queue up, RFC
/// 2449 §6.6), and again after each SASL line. With nothing expected, bytes wait in the
/// buffer.
///
/// ```
/// use mailproto_pop3_codec::{Command, Expected, Limits, ResponseDecoder, ResponseEvent};
/// let mut dec = ResponseDecoder::new(Limits::default());
/// dec.expect(Expected::from(&Command::Retr(1.try_into().unwrap())));
/// let mut body = Vec::new();
/// for chunk in [&b"+OK POP3 ready\r\n+OK 120 oct"[..], b"ets\r\nHi\r\n..dot\r\n.", b"\r\n"] {
///     dec.push(chunk);
///     while let Some(event) = dec.next_event().unwrap() {
///         match event {
///             ResponseEvent::Response(r) => assert!(r.status().unwrap().is_ok()),
///             ResponseEvent::MessageStart(s) => assert_eq!(s.text().as_str(), Some("120 octets")),
///             ResponseEvent::BodyChunk(c) => body.extend_from_slice(c),
///             ResponseEvent::MessageEnd => assert_eq!(body, b"Hi\r\n.dot\r\n"),
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ResponseDecoder {
    limits: Limits,
    buf: Buffer,
    scanner: LineScanner,
    /// What each queued response answers, in order; for an [`Expected::Uid`], the message
    /// asked for when known ([`ResponseDecoder::expect_uid`]): the real-world profile reads
    /// `+OK <uid>` as its listing (`uidl-one-token`).
    expected: VecDeque<(Expected, Option<MsgNumber>)>,
    state: State,
    /// The profile responses are parsed under ([`ResponseDecoder::with_options`]).
    options: ParseOptions,
    /// The deviations of the last response the real-world profile accepted.
    deviations: Vec<Deviation>,
}

impl ResponseDecoder {
    /// A decoder expecting the greeting.
    pub fn new(limits: Limits) -> Self {
        Self::expecting(limits, Expected::Greeting)
    }

    /// A decoder that expects nothing yet: for a connection whose greeting was already read
    /// (the caller queues an [`expect`](ResponseDecoder::expect) per command sent).
    pub fn without_greeting(limits: Limits) -> Self {
        ResponseDecoder {
            limits,
            buf: Buffer::default(),
            scanner: LineScanner::default(),
            expected: VecDeque::new(),
            state: State::Idle,
            options: ParseOptions::default().with_limits(limits),
            deviations: Vec::new(),
        }
    }

    /// A decoder expecting `first` (e.g. after STLS, where no greeting follows).
    pub fn expecting(limits: Limits, first: Expected) -> Self {
        ResponseDecoder {
            limits,
            buf: Buffer::default(),
            scanner: LineScanner::default(),
            expected: VecDeque::from([(first, None)]),
            state: State::Idle,
            options: ParseOptions::default().with_limits(limits),
            deviations: Vec::new(),
        }
    }

    /// The same decoder parsing under `options` (their profile; the decoder keeps its
    /// limits). Under the real-world profile the deviations of each response are kept for
    /// [`take_deviations`](Self::take_deviations), and a listing also ends at `.` LF.
    ///
    /// ```
    /// use mailproto_pop3_codec::context::{ParseOptions, Pop3Deviation, Profile};
    /// use mailproto_pop3_codec::{Expected, Limits, ResponseDecoder, ResponseEvent};
    /// let real = ParseOptions::default().with_profile(Profile::RealWorld);
    /// let mut dec = ResponseDecoder::new(Limits::default()).with_options(real);
    /// dec.expect(Expected::Stat);
    /// dec.push(b"+OK ready\r\n+OK 2 320\n");
    /// assert!(matches!(dec.next_event(), Ok(Some(ResponseEvent::Response(_)))));
    /// assert!(dec.take_deviations().is_empty());
    /// assert!(matches!(dec.next_event(), Ok(Some(ResponseEvent::Response(_)))));
    /// let found = dec.take_deviations();
    /// assert_eq!((found[0].id, found[0].offset), (Pop3Deviation::BareLf, 9));
    /// ```
    pub fn with_options(mut self, options: ParseOptions) -> Self {
        self.options = options.with_limits(self.limits);
        self
    }

    /// The deviations the real-world profile accepted in the responses returned since the
    /// last call (always empty under the strict profile), in order.
    pub fn take_deviations(&mut self) -> Vec<Deviation> {
        ::core::mem::take(&mut self.deviations)
    }

    /// True when [`take_deviations`](Self::take_deviations) has deviations to give.
    pub fn has_deviations(&self) -> bool {
        !self.deviations.is_empty()
    }

    /// Parses one complete response under the decoder's profile, keeping its deviations.
    fn parse_response<'b>(
        options: &ParseOptions,
        deviations: &mut Vec<Deviation>,
        frame: &'b [u8],
        expected: Expected,
    ) -> Result<Option<ResponseEvent<'b>>, ParseError> {
        if !options.real_world() {
            return Response::parse(frame, expected).map(|r| Some(ResponseEvent::Response(r)));
        }
        let parsed = Response::parse_with(frame, expected, options)?;
        deviations.extend(parsed.deviations);
        Ok(Some(ResponseEvent::Response(parsed.value)))
    }

    /// Queues what the next response answers (call once per command or SASL line sent).
    pub fn expect(&mut self, expected: Expected) {
        self.expected.push_back((expected, None));
    }

    /// Queues the answer to `UIDL msg` (RFC 1939 §7): like [`expect`](Self::expect) with
    /// [`Expected::Uid`], and under the real-world profile a `+OK <uid>` without the message
    /// number is read as the listing of `msg` (`uidl-one-token`).
    pub fn expect_uid(&mut self, msg: MsgNumber) {
        self.expected.push_back((Expected::Uid, Some(msg)));
    }

    /// Drops the front expectation (its answer is complete or skipped).
    fn pop_expected(&mut self) {
        self.expected.pop_front();
    }

    /// How many responses are expected and not yet complete.
    pub fn pending(&self) -> usize {
        self.expected.len()
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.push(data);
    }

    /// How many received octets are buffered and not yet consumed (for memory bounds).
    pub fn buffered_len(&self) -> usize {
        self.buf
            .buf
            .len()
            .saturating_sub(self.buf.start)
            .saturating_sub(self.buf.consumed)
    }

    /// Removes and returns everything buffered (after the `+OK` to STLS, RFC 2595 §4).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        self.scanner = LineScanner::default();
        self.state = State::Idle;
        self.buf.take()
    }

    /// The next event, `Ok(None)` when more bytes (or an expectation) are needed.
    pub fn next_event(&mut self) -> Result<Option<ResponseEvent<'_>>, ParseError> {
        self.buf.drop_consumed();
        loop {
            match &mut self.state {
                State::Body {
                    dec,
                    report_end,
                    status_len,
                } => {
                    let start = self.buf.start;
                    let (used, chunk) = dec.next_chunk(&self.buf.buf[start..])?;
                    self.buf.consumed = used;
                    match chunk {
                        Chunk::Data(range) => {
                            return Ok(Some(ResponseEvent::BodyChunk(
                                &self.buf.buf[start.saturating_add(range.start)
                                    ..start.saturating_add(range.end)],
                            )));
                        }
                        Chunk::HeldCr => return Ok(Some(ResponseEvent::BodyChunk(b"\r"))),
                        Chunk::HeldDot => {
                            // `missing-dot-stuffing` (real-world): offsets from the start of
                            // the response, its status line included.
                            let base = *status_len as u64;
                            for dot in dec.take_tolerated() {
                                self.deviations.push(Deviation::new(
                                    Pop3Deviation::MissingDotStuffing,
                                    usize::try_from(base.saturating_add(dot)).unwrap_or(usize::MAX),
                                    Side::Server,
                                ));
                            }
                            return Ok(Some(ResponseEvent::BodyChunk(b".")));
                        }
                        Chunk::NeedMore => return Ok(None),
                        Chunk::End => {
                            let report_end = *report_end;
                            self.state = State::Idle;
                            self.pop_expected();
                            if report_end {
                                return Ok(Some(ResponseEvent::MessageEnd));
                            }
                            self.buf.drop_consumed();
                        }
                    }
                }
                State::SkipLine => match self.scanner.next(self.buf.data(), usize::MAX) {
                    Line::Discarded { len, finished } => {
                        self.buf.consumed = len;
                        self.buf.drop_consumed();
                        if finished {
                            self.state = State::Idle;
                        } else {
                            return Ok(None);
                        }
                    }
                    _ => unreachable!("the scanner is discarding"),
                },
                State::Idle => {
                    let Some(&(expected, asked)) = self.expected.front() else {
                        return Ok(None);
                    };
                    let max = if expected == Expected::Auth {
                        self.limits.max_sasl_line.max(self.limits.max_response_line)
                    } else {
                        self.limits.max_response_line
                    };
                    let positive_multi =
                        expected.is_multi_line() && self.buf.data().starts_with(b"+OK");
                    match self.scanner.next(self.buf.data(), max) {
                        Line::Incomplete => return Ok(None),
                        Line::TooLong => {
                            if positive_multi {
                                // Skip the rest of the response.
                                self.scanner = LineScanner::default();
                                self.state = State::Body {
                                    dec: BodyDecoder::discarding(false),
                                    report_end: false,
                                    status_len: 0,
                                };
                            } else {
                                self.pop_expected();
                                self.state = State::SkipLine;
                            }
                            return Err(too_long(max, max));
                        }
                        Line::Discarded { .. } => unreachable!("not discarding when idle"),
                        Line::Complete(len) if positive_multi && expected == Expected::Message => {
                            self.buf.consumed = len;
                            let line =
                                &self.buf.buf[self.buf.start..self.buf.start.saturating_add(len)];
                            let mut c = Cursor::with_options(line, &self.options, Side::Server);
                            let status =
                                StatusLine::parse_at(&mut c).and_then(|s| c.end().map(|()| s));
                            self.deviations.append(&mut c.deviations);
                            return match status {
                                Ok(status) => {
                                    let dec = BodyDecoder::with_limit(self.limits.max_body);
                                    self.state = State::Body {
                                        dec: if self.options.real_world() {
                                            dec.tolerating()
                                        } else {
                                            dec
                                        },
                                        report_end: true,
                                        status_len: len,
                                    };
                                    Ok(Some(ResponseEvent::MessageStart(status)))
                                }
                                Err(e) => {
                                    self.state = State::Body {
                                        dec: BodyDecoder::discarding(true),
                                        report_end: false,
                                        status_len: 0,
                                    };
                                    Err(e)
                                }
                            };
                        }
                        Line::Complete(len) if positive_multi => {
                            self.state = State::Listing { next_line: len };
                        }
                        Line::Complete(len) => {
                            self.pop_expected();
                            self.buf.consumed = len;
                            let line =
                                &self.buf.buf[self.buf.start..self.buf.start.saturating_add(len)];
                            if let Some(msg) = asked.filter(|_| self.options.real_world()) {
                                let parsed = Response::parse_uid_with(line, msg, &self.options)?;
                                self.deviations.extend(parsed.deviations);
                                return Ok(Some(ResponseEvent::Response(parsed.value)));
                            }
                            return Self::parse_response(
                                &self.options,
                                &mut self.deviations,
                                line,
                                expected,
                            );
                        }
                    }
                }
                State::Listing { next_line } => {
                    let at = *next_line;
                    let Some(&(expected, _)) = self.expected.front() else {
                        unreachable!("a listing is framed for an expectation");
                    };
                    let max = self.limits.max_response_line;
                    let rest = &self.buf.data()[at..];
                    let rest_len = rest.len();
                    let found = self.scanner.next(rest, max);
                    let terminator = match found {
                        Line::Complete(len) => {
                            &rest[..len] == b".\r\n"
                                || (self.options.real_world() && &rest[..len] == b".\n")
                        }
                        _ => false,
                    };
                    match found {
                        Line::Incomplete => {
                            if at.saturating_add(rest_len) > self.limits.max_listing {
                                return Err(self.listing_too_large(at));
                            }
                            return Ok(None);
                        }
                        // The listing limit is reached before the line limit: the
                        // limit exceeded at the earlier octet is reported, whatever the
                        // chunking (fuzz finding F5).
                        Line::TooLong if at.saturating_add(max) > self.limits.max_listing => {
                            return Err(self.listing_too_large(at));
                        }
                        Line::TooLong => {
                            self.scanner = LineScanner::default();
                            self.buf.consumed = at;
                            self.state = State::Body {
                                dec: BodyDecoder::discarding(true),
                                report_end: false,
                                status_len: 0,
                            };
                            return Err(too_long(at.saturating_add(max), max));
                        }
                        Line::Discarded { .. } => unreachable!("not discarding in a listing"),
                        Line::Complete(len) => {
                            let end = at.saturating_add(len);
                            if end > self.limits.max_listing {
                                // Skipped from the line's start, as when the line is still
                                // incomplete (a `.` CRLF over the limit still ends it).
                                return Err(self.listing_too_large(at));
                            }
                            if terminator {
                                self.pop_expected();
                                self.state = State::Idle;
                                self.buf.consumed = end;
                                let frame = &self.buf.buf
                                    [self.buf.start..self.buf.start.saturating_add(end)];
                                return Self::parse_response(
                                    &self.options,
                                    &mut self.deviations,
                                    frame,
                                    expected,
                                );
                            }
                            // Step over the lines that have arrived after this one and need
                            // nothing but that, in one pass; the first that needs more is
                            // left to the code above.
                            let next = plain_lines(
                                self.buf.data(),
                                end,
                                max,
                                self.limits.max_listing,
                                self.options.real_world(),
                            );
                            self.state = State::Listing { next_line: next };
                        }
                    }
                }
            }
        }
    }

    /// Reports a listing over the limit and starts skipping the rest of it from
    /// `line_start`, the start of its first line not yet looked at.
    fn listing_too_large(&mut self, line_start: usize) -> ParseError {
        self.scanner = LineScanner::default();
        self.buf.consumed = line_start;
        self.state = State::Body {
            dec: BodyDecoder::discarding(true),
            report_end: false,
            status_len: 0,
        };
        ParseError::new(
            self.limits.max_listing,
            ". CRLF",
            ErrorKind::TooLarge {
                limit: self.limits.max_listing as u64,
            },
        )
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::plain_lines;
    use crate::prelude::*;

    /// `plain_lines` one line at a time.
    fn reference(data: &[u8], at: usize, max: usize, limit: usize) -> usize {
        let mut start = at;
        while let Some(lf) = data[start..].iter().position(|&b| b == b'\n') {
            let end = start + lf + 1;
            if end - start > max || end > limit || &data[start..end] == b".\r\n" {
                break;
            }
            start = end;
        }
        start
    }

    #[test]
    fn plain_lines_stop_where_the_line_by_line_loop_does() {
        // Lines of every length from 1 to 80 (so that they end at every position of the
        // 64-octet blocks), a terminating line, bare LFs, and a tail without LF.
        let mut data = Vec::new();
        for len in 1..=80 {
            data.extend(::core::iter::repeat_n(b'a' + (len % 26) as u8, len - 1));
            data.push(b'\n');
            if len % 17 == 0 {
                data.extend_from_slice(b"\r\n");
            }
        }
        let term = data.len();
        data.extend_from_slice(b".\r\nafter\nand more");
        for at in [0, 1, 3, 6, 10, 100, 1000, term - 80, term] {
            // Start at a line start.
            let at = if at == 0 || data[at - 1] == b'\n' {
                at
            } else {
                at + data[at..].iter().position(|&b| b == b'\n').unwrap() + 1
            };
            for max in [1, 2, 3, 20, 63, 64, 65, 79, 80, 512] {
                for limit in [0, 5, 64, 500, 2000, term + 2, term + 3, usize::MAX] {
                    assert_eq!(
                        plain_lines(&data, at, max, limit, false),
                        reference(&data, at, max, limit),
                        "at {at}, max {max}, limit {limit}"
                    );
                }
            }
        }
    }

    /// The message asked for travels with its own expectation: in a pipeline of UIDL with
    /// and without a message, STAT and a UIDL listing, each `+OK <uid>` pairs with its own
    /// command (RFC 1939 §7; the real-world `uidl-one-token`).
    #[test]
    fn a_uidl_answer_pairs_with_the_message_of_its_own_command() {
        use super::{ResponseDecoder, ResponseEvent};
        use crate::context::{ParseOptions, Pop3Deviation, Profile};
        use crate::{Expected, Limits, MsgNumber, Response};
        let real = ParseOptions::default().with_profile(Profile::RealWorld);
        let mut dec = ResponseDecoder::without_greeting(Limits::default()).with_options(real);
        let msg = |n| MsgNumber::new(n).unwrap();
        dec.expect(Expected::Uid);
        dec.expect_uid(msg(4));
        dec.expect(Expected::Stat);
        dec.expect(Expected::UidList);
        dec.expect_uid(msg(9));
        dec.push(b"+OK 1 a\r\n+OK b\r\n+OK 2 9\r\n+OK\r\n1 a\r\n.\r\n+OK c\r\n");
        let mut uids = Vec::new();
        while let Some(event) = dec.next_event().unwrap() {
            match event {
                ResponseEvent::Response(Response::Uid(u)) => {
                    uids.push((u.msg.get(), u.uid.as_str().to_owned()))
                }
                ResponseEvent::Response(_) => uids.push((0, String::new())),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            uids,
            [(1, "a"), (4, "b"), (0, ""), (0, ""), (9, "c")].map(|(n, u)| (n, u.to_owned()))
        );
        assert_eq!(dec.pending(), 0);
        let found: Vec<_> = dec.take_deviations().iter().map(|d| d.id).collect();
        assert_eq!(found, [Pop3Deviation::UidlOneToken; 2]);
        // A UIDL without a message asked for has nothing to pair a lone token with.
        dec.expect(Expected::Uid);
        dec.push(b"+OK d\r\n");
        assert!(dec.next_event().is_err());
    }
}
