//! The framer: where does one IMAP message end? (RFC 9051 §2.2, §4.3)
//!
//! An IMAP message is a line ending in CRLF, except that a line ending in a literal
//! announcement — `{n}`, `{n+}` (RFC 7888) or `~{n}` (RFC 3516) — continues with exactly `n`
//! octets of literal data and then the rest of the message. The framer finds message ends in
//! bytes that arrive in pieces of any size:
//!
//! - it finds line ends with `memchr` and remembers how far it has looked, so no byte is
//!   scanned twice, and it steps over literal data without looking at it: feeding a stream in
//!   chunks of any size costs O(total bytes);
//! - it reports a literal announcement **before** the literal's data, so that a server can
//!   answer `+` (or reject the command by its tag) and a client knows a literal is pending;
//! - on request ([`FramedBuffer::stream_literal`]) it hands a literal's data back in pieces as
//!   it arrives instead of holding it, and the message comes out without it (its count read
//!   as zeros), so that memory does not grow with the literal (issue 16);
//! - it enforces limits (line length, literal size, message size); after a limit error the
//!   rest of the offending message is handed back as [`Frame::Discard`] so that the stream
//!   stays usable.
//!
//! [`Framer`] works on the caller's buffer (httparse style); [`FramedBuffer`] owns one for
//! callers that prefer push/poll.
//!
//! ```
//! use mailproto_imap_codec::framer::{Frame, FramedBuffer, FramerConfig};
//! use mailproto_imap_codec::{Command, IntoStatic};
//!
//! let mut stream = FramedBuffer::new(FramerConfig::server());
//! let mut commands = Vec::new();
//! for chunk in [&b"a1 LOGIN {5}\r"[..], b"\nalice", b" secret\r\na2 NO", b"OP\r\n"] {
//!     stream.push(chunk);
//!     while let Some(frame) = stream.next_frame().unwrap() {
//!         match frame {
//!             Frame::Literal(lit) => assert_eq!(lit.length, 5), // a server would send "+ " here
//!             Frame::Message(bytes) => commands.push(Command::parse(bytes).unwrap().into_static()),
//!             Frame::Discard(_) => unreachable!(),
//!             // Only after `stream_literal` (see there).
//!             Frame::LiteralData { .. } => unreachable!(),
//!         }
//!     }
//! }
//! assert_eq!(commands.len(), 2);
//! ```

#![deny(clippy::arithmetic_side_effects)]

use crate::prelude::*;

use ::core::fmt;

/// Which side's messages are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A server framing the client's commands: a synchronizing literal's data only follows
    /// after the server's `+`, so a rejected one ends the message at its announcement.
    Server,
    /// A client framing the server's responses: literal data always follows, and `{n+}`
    /// (which servers never send) is not a literal announcement.
    Client,
}

/// Limits of the framer. Exceeding one yields a [`FrameError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FramerConfig {
    /// Whose messages are framed.
    pub role: Role,
    /// Longest line, CRLF included (a line is the text between message start or literal
    /// end and the next CRLF).
    pub max_line: usize,
    /// Largest literal.
    pub max_literal: u64,
    /// Largest message, lines and literals together.
    pub max_message: u64,
    /// Whether an LF without its CR ends a line (default `false`: RFC 9051 §2.2 lines end
    /// with CRLF, and a bare LF is part of the line, for the grammar to reject). The
    /// real-world profile sets it (`bare-lf` in `docs/real-world.md`: GNU Mailutils ends
    /// lines with LF after AUTHENTICATE, also after a literal announcement `{145}` LF); the
    /// parser then reports the deviation.
    pub bare_lf_ends_line: bool,
    /// Whether an empty line right after a literal's data, while a parenthesised list is
    /// still open, continues the message instead of ending it (default `false`: RFC 9051 §4.3
    /// the message goes on after the literal on the same line, and a CRLF there ends it). The
    /// real-world profile sets it (`blank-line-after-literal` in `docs/real-world.md`); the
    /// parser then reports the deviation. At most 64 such lines per message.
    pub blank_line_after_literal: bool,
}

impl FramerConfig {
    /// Defaults for a server framing commands: 64 KiB lines (like Dovecot's
    /// `imap_max_line_length`), 64 MiB literals and messages.
    pub fn server() -> Self {
        FramerConfig {
            role: Role::Server,
            max_line: 64 * 1024,
            max_literal: 64 * 1024 * 1024,
            max_message: 64 * 1024 * 1024 + 64 * 1024,
            bare_lf_ends_line: false,
            blank_line_after_literal: false,
        }
    }

    /// Defaults for a client framing responses: 1 MiB lines (long SEARCH results), 1 GiB
    /// literals and messages.
    pub fn client() -> Self {
        FramerConfig {
            role: Role::Client,
            max_line: 1024 * 1024,
            max_literal: 1 << 30,
            max_message: (1 << 30) + (1 << 20),
            bare_lf_ends_line: false,
            blank_line_after_literal: false,
        }
    }

    /// The same configuration with another line limit.
    pub fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    /// The same configuration with another literal limit.
    pub fn with_max_literal(mut self, max_literal: u64) -> Self {
        self.max_literal = max_literal;
        self
    }

    /// The same configuration with bare LF line ends accepted or not (see
    /// [`FramerConfig::bare_lf_ends_line`]).
    pub fn with_bare_lf(mut self, bare_lf_ends_line: bool) -> Self {
        self.bare_lf_ends_line = bare_lf_ends_line;
        self
    }

    /// The same configuration with empty lines after a literal inside an open list read as
    /// part of the message or not (see [`FramerConfig::blank_line_after_literal`]).
    pub fn with_blank_line_after_literal(mut self, on: bool) -> Self {
        self.blank_line_after_literal = on;
        self
    }

    /// The same configuration with what `profile` reads turned on: under
    /// [`Profile::RealWorld`](crate::Profile) a bare LF ends a line and an empty line after a
    /// literal inside an open list continues the message (`bare-lf`,
    /// `blank-line-after-literal`); under strict, the configuration unchanged.
    pub fn for_profile(self, profile: crate::Profile) -> Self {
        if profile == crate::Profile::RealWorld {
            self.with_bare_lf(true).with_blank_line_after_literal(true)
        } else {
            self
        }
    }

    /// The same configuration with another message limit.
    pub fn with_max_message(mut self, max_message: u64) -> Self {
        self.max_message = max_message;
        self
    }
}

/// A literal announced at the end of a line, reported before its data is consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralAnnouncement {
    /// The number of octets announced.
    pub length: u64,
    /// `{n}` (the sender waits for `+`) rather than `{n+}`.
    pub synchronizing: bool,
    /// `~{n}`: a literal8 (RFC 3516), which may hold any octet.
    pub binary: bool,
    /// How many bytes of the message precede the literal data (the message so far, up to and
    /// including the announcement's CRLF). The tag can be read from its start.
    pub prefix_len: usize,
}

/// What [`Framer::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// More bytes are needed; when known, at least this many more.
    Incomplete(Option<u64>),
    /// A literal announcement; its data is not consumed yet. Call `next` again to go on.
    Literal(LiteralAnnouncement),
    /// `buf[..len]` is one complete message. Remove those bytes before the next call.
    Message(usize),
    /// `buf[..len]` belongs to a message that was rejected: remove those bytes before the next
    /// call. `finished` is true when the rejected message ends there.
    Discard {
        /// Bytes to remove.
        len: usize,
        /// Whether the rejected message is over.
        finished: bool,
    },
    /// `buf[start..start + len]` is data of the literal being streamed
    /// ([`Framer::stream_literal`]): hand it on, then remove exactly those bytes (not the
    /// message before them) before the next call.
    LiteralData {
        /// Where the data starts (the end of the message so far).
        start: usize,
        /// How many octets.
        len: usize,
        /// Octets of the literal still to come after these.
        remaining: u64,
    },
}

/// A limit was exceeded. The framer then discards the rest of that message (see
/// [`Status::Discard`]) and goes on with the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// A line is longer than [`FramerConfig::max_line`].
    LineTooLong {
        /// The limit.
        limit: usize,
    },
    /// A literal is larger than [`FramerConfig::max_literal`] (or its count does not fit 64
    /// bits). For a synchronizing literal sent to a server, the message ends at the
    /// announcement: answer with a tagged BAD or NO instead of `+` (RFC 9051 §4.3).
    LiteralTooLarge {
        /// The literal as announced (`length` saturates at `u64::MAX`).
        literal: LiteralAnnouncement,
        /// The limit.
        limit: u64,
    },
    /// The message is larger than [`FramerConfig::max_message`].
    MessageTooLarge {
        /// The limit.
        limit: u64,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::LineTooLong { limit } => write!(f, "line longer than {limit} octets"),
            FrameError::LiteralTooLarge { literal, limit } => write!(
                f,
                "literal of {} octets exceeds the limit of {limit}",
                literal.length
            ),
            FrameError::MessageTooLarge { limit } => {
                write!(f, "message larger than {limit} octets")
            }
        }
    }
}

impl ::core::error::Error for FrameError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Looking for the CRLF of the line that started at `line_start`.
    Line,
    /// Literal announced and reported; `remaining` octets to step over next.
    Literal { remaining: u64, reported: bool },
    /// Literal being streamed ([`Framer::stream_literal`]): `remaining` octets to hand back
    /// as [`Status::LiteralData`]; the caller removes them from its buffer.
    Streaming { remaining: u64 },
}

/// The incremental, literal-aware framer. It holds no bytes: the caller keeps a buffer that
/// starts at the current message, appends what arrives, calls [`Framer::next`], and removes
/// the bytes of every [`Status::Message`] / [`Status::Discard`] it is given.
#[derive(Debug, Clone)]
pub struct Framer {
    config: FramerConfig,
    state: State,
    /// Bytes of the buffer already looked at.
    pos: usize,
    /// Where the current line starts.
    line_start: usize,
    /// Bytes of the message so far that were removed by `Discard` (discard mode only).
    discarding: bool,
    /// Set by [`Framer::reject_literal`] or a synchronizing literal over the limit: the
    /// rejected message ends at `pos`.
    end_at_pos: bool,
    /// An announcement waiting to be reported (after the line end was found).
    pending: Option<LiteralAnnouncement>,
    /// The literal last reported is synchronizing (for [`Framer::reject_literal`]).
    reported_sync: bool,
    /// In discard mode: the end of the current line's octets already dropped, as far as it
    /// may begin a literal announcement (`~`, `{`, digits, `+`, `}`; see [`announcement_tail`]),
    /// so that the announcement is seen however the line was split.
    tail: Vec<u8>,
    /// Empty lines after a literal that continued the current message
    /// ([`FramerConfig::blank_line_after_literal`]).
    continued: u8,
}

impl Framer {
    /// A framer with the given limits.
    pub fn new(config: FramerConfig) -> Self {
        Framer {
            config,
            state: State::Line,
            pos: 0,
            line_start: 0,
            discarding: false,
            end_at_pos: false,
            pending: None,
            reported_sync: false,
            tail: Vec::new(),
            continued: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FramerConfig {
        &self.config
    }

    /// True when no part of a message has been seen (nothing buffered belongs to a message in
    /// progress).
    pub fn is_idle(&self) -> bool {
        self.pos == 0 && self.state == State::Line && !self.discarding
    }

    /// Declines the literal just reported ([`Status::Literal`]): its message is discarded.
    ///
    /// - A synchronizing literal sent to a server ([`Role::Server`]): the client sends the data
    ///   only after a `+`, and the server answers with a tagged BAD/NO instead (RFC 9051 §4.3),
    ///   so the message ends at the announcement.
    /// - Any other literal (a non-synchronizing one, RFC 7888 §3; a server's literal to a
    ///   client): its data follows anyway. It is stepped over without being held, and so is the
    ///   rest of its message, all handed back as [`Status::Discard`] as it arrives: a server can
    ///   refuse an over-long `{n+}` literal (RFC 7888 §4, §5) at its announcement and read the
    ///   octets without keeping them.
    pub fn reject_literal(&mut self) {
        if let State::Literal { .. } = self.state {
            self.discarding = true;
            self.end_at_pos = self.reported_sync && self.config.role == Role::Server;
        }
    }

    /// Streams the literal just reported ([`Status::Literal`]) instead of holding it: its data
    /// is handed back as it arrives, as [`Status::LiteralData`] pieces that the caller removes
    /// from its buffer (they are not part of the message), and the message goes on after the
    /// literal as if its data were empty. The message finally returned ([`Status::Message`])
    /// therefore lacks the literal's octets: a caller that parses it must make the
    /// announcement read as empty first ([`zero_announced_count`] does that in place).
    /// Memory then holds the message without its literal, whatever the literal's size.
    ///
    /// Returns false (and changes nothing) unless a literal was just reported.
    pub fn stream_literal(&mut self) -> bool {
        match self.state {
            State::Literal {
                remaining,
                reported: true,
            } if !self.discarding && !self.end_at_pos => {
                self.state = State::Streaming { remaining };
                true
            }
            _ => false,
        }
    }

    /// True while a streamed literal's data is expected ([`Framer::stream_literal`]).
    pub fn is_streaming(&self) -> bool {
        matches!(self.state, State::Streaming { .. })
    }

    /// Looks at `buf` (the bytes from the start of the current message) and says what is
    /// there. Returns an error once when a limit is exceeded; the following calls hand back
    /// the rest of that message as [`Status::Discard`].
    pub fn next(&mut self, buf: &[u8]) -> Result<Status, FrameError> {
        if let Some(len) = self.one_line_message(buf) {
            return Ok(Status::Message(len));
        }
        self.next_general(buf)
    }

    /// [`Framer::next`] without its fast path.
    fn next_general(&mut self, buf: &[u8]) -> Result<Status, FrameError> {
        loop {
            if self.end_at_pos {
                let len = self.pos;
                self.reset();
                return Ok(Status::Discard {
                    len,
                    finished: true,
                });
            }
            match self.state {
                State::Streaming { remaining } => {
                    if remaining == 0 {
                        self.line_start = self.pos;
                        self.state = State::Line;
                        continue;
                    }
                    // `pos <= buf.len()` always: it is set only from positions in `buf`.
                    let available = buf.len().saturating_sub(self.pos);
                    if available == 0 {
                        return Ok(Status::Incomplete(Some(remaining)));
                    }
                    let len = usize::try_from(remaining).map_or(available, |r| r.min(available));
                    let remaining =
                        remaining.saturating_sub(u64::try_from(len).unwrap_or(u64::MAX));
                    // The caller removes the data: `pos` stays where the literal began.
                    self.state = State::Streaming { remaining };
                    return Ok(Status::LiteralData {
                        start: self.pos,
                        len,
                        remaining,
                    });
                }
                State::Literal {
                    remaining,
                    reported,
                } => {
                    if !reported {
                        self.state = State::Literal {
                            remaining,
                            reported: true,
                        };
                        if let Some(lit) = self.pending.take()
                            && !self.discarding
                        {
                            self.reported_sync = lit.synchronizing;
                            return Ok(Status::Literal(lit));
                        }
                    }
                    // `pos <= buf.len()` always: it is set only from positions in `buf`.
                    let available =
                        u64::try_from(buf.len().saturating_sub(self.pos)).unwrap_or(u64::MAX);
                    if available < remaining {
                        let left = remaining.saturating_sub(available);
                        if self.discarding && !buf.is_empty() {
                            let len = buf.len();
                            self.pos = 0;
                            self.line_start = 0;
                            self.state = State::Literal {
                                remaining: left,
                                reported: true,
                            };
                            return Ok(Status::Discard {
                                len,
                                finished: false,
                            });
                        }
                        self.pos = buf.len();
                        self.state = State::Literal {
                            remaining: left,
                            reported: true,
                        };
                        return Ok(Status::Incomplete(Some(left)));
                    }
                    // `remaining <= available`, which is a `usize`: the conversion and the
                    // sum stay within `buf.len()`.
                    let step = usize::try_from(remaining).unwrap_or(usize::MAX);
                    self.pos = self.pos.saturating_add(step).min(buf.len());
                    self.line_start = self.pos;
                    self.state = State::Line;
                }
                State::Line => {
                    let from = self.pos.min(buf.len());
                    let found = memchr::memchr(b'\n', &buf[from..]).map(|k| from.saturating_add(k));
                    let Some(lf) = found else {
                        self.pos = buf.len();
                        if self.discarding {
                            // Keep a final CR: it may pair with an LF still to come (unless
                            // it is the last octet of a literal, before the line starts).
                            let keep = usize::from(
                                buf.len() > self.line_start && buf.last() == Some(&b'\r'),
                            );
                            let len = buf.len().saturating_sub(keep);
                            if len == 0 {
                                return Ok(Status::Incomplete(None));
                            }
                            self.tail =
                                announcement_tail(&self.tail, &buf[self.line_start.min(len)..len]);
                            self.pos = keep;
                            self.line_start = 0;
                            return Ok(Status::Discard {
                                len,
                                finished: false,
                            });
                        }
                        if let Some(err) = self.limit_error(buf.len()) {
                            return Err(self.start_discarding(err));
                        }
                        return Ok(Status::Incomplete(None));
                    };
                    self.pos = lf.saturating_add(1);
                    let Some(cr) = lf
                        .checked_sub(1)
                        .filter(|&cr| cr >= self.line_start && buf[cr] == b'\r')
                        .or_else(|| self.config.bare_lf_ends_line.then_some(lf))
                    else {
                        // A bare LF (or one after a CR that was literal data) does not end a
                        // line; the grammar rejects it later.
                        continue;
                    };
                    if !self.discarding
                        && let Some(err) = self.limit_error(self.pos)
                    {
                        // Look at this line end again, in discard mode: it may end the
                        // message or announce a literal that must be stepped over.
                        self.pos = lf;
                        return Err(self.start_discarding(err));
                    }
                    let line = &buf[self.line_start..cr];
                    let announced = if self.tail.is_empty() {
                        literal_announcement(line)
                    } else {
                        // The line's start was dropped (discard mode): what may begin an
                        // announcement was kept.
                        literal_announcement(&[&self.tail[..], line].concat())
                    };
                    self.tail.clear();
                    // Servers never send `{n+}` (RFC 7888 §3, RFC 9051 §4.3): a client does
                    // not take it for a literal, and the grammar rejects the line.
                    let announced =
                        announced.filter(|&(_, sync, _)| sync || self.config.role == Role::Server);
                    match announced {
                        // blank-line-after-literal: the empty line after a literal inside
                        // an open list does not end the message (real-world only).
                        None if self.config.blank_line_after_literal
                            && !self.discarding
                            && cr == self.line_start
                            && self.line_start > 0
                            && self.continued < 64
                            && list_open(&buf[..cr]) =>
                        {
                            self.continued = self.continued.saturating_add(1);
                            self.line_start = self.pos;
                        }
                        None => {
                            let len = self.pos;
                            let discarding = self.discarding;
                            self.reset();
                            return Ok(if discarding {
                                Status::Discard {
                                    len,
                                    finished: true,
                                }
                            } else {
                                Status::Message(len)
                            });
                        }
                        Some((length, synchronizing, binary)) => {
                            let lit = LiteralAnnouncement {
                                length,
                                synchronizing,
                                binary,
                                prefix_len: self.pos,
                            };
                            if self.discarding {
                                if self.config.role == Role::Server && synchronizing {
                                    self.end_at_pos = true;
                                    continue;
                                }
                            } else if length > self.config.max_literal {
                                let err = FrameError::LiteralTooLarge {
                                    literal: lit,
                                    limit: self.config.max_literal,
                                };
                                let err = self.start_discarding(err);
                                if self.config.role == Role::Server && synchronizing {
                                    self.end_at_pos = true;
                                } else {
                                    self.state = State::Literal {
                                        remaining: length,
                                        reported: true,
                                    };
                                }
                                return Err(err);
                            } else if u64::try_from(self.pos)
                                .ok()
                                .and_then(|pos| pos.checked_add(length))
                                .is_none_or(|end| end > self.config.max_message)
                            {
                                // A sum that overflows is over any limit (issue 18 item 9:
                                // with `max_literal = u64::MAX` it wrapped and slipped under
                                // `max_message`).
                                let err = self.start_discarding(FrameError::MessageTooLarge {
                                    limit: self.config.max_message,
                                });
                                if self.config.role == Role::Server && synchronizing {
                                    self.end_at_pos = true;
                                } else {
                                    self.state = State::Literal {
                                        remaining: length,
                                        reported: true,
                                    };
                                }
                                return Err(err);
                            }
                            self.pending = Some(lit);
                            self.state = State::Literal {
                                remaining: length,
                                reported: false,
                            };
                        }
                    }
                }
            }
        }
    }

    /// The fast path of [`Framer::next`] for the common message: the framer is at the start
    /// of a message (nothing looked at, no literal, not discarding), and `buf` holds a whole
    /// first line that ends in CRLF (RFC 9051 §2.2), announces no literal (the octet before
    /// the CR is not `}`, so [`literal_announcement`] finds none) and is within both limits.
    /// Then that line is the whole message: its length, with the framer's state unchanged
    /// (it is already the state [`Framer::reset`] leaves). Anything else is `None`, and the
    /// general loop decides, so the frames are those of the loop in every case.
    #[inline]
    fn one_line_message(&self, buf: &[u8]) -> Option<usize> {
        if self.pos != 0
            || self.state != State::Line
            || self.discarding
            || self.end_at_pos
            || !self.tail.is_empty()
        {
            return None;
        }
        let lf = find_lf(buf)?;
        let len = lf.checked_add(1)?;
        let cr = lf.checked_sub(1)?;
        if buf[cr] != b'\r'
            || cr.checked_sub(1).is_some_and(|b| buf[b] == b'}')
            || len > self.config.max_line
            || !u64::try_from(len).is_ok_and(|l| l <= self.config.max_message)
        {
            return None;
        }
        Some(len)
    }

    /// The limit the message exceeds when it has `end` octets so far, the current line
    /// included: the one exceeded at the earlier octet (the line limit on a tie), so that
    /// the error does not depend on how the bytes were split.
    fn limit_error(&self, end: usize) -> Option<FrameError> {
        // The first octet over each limit (line lengths count from `line_start`).
        let line_over = self.line_start.saturating_add(self.config.max_line);
        let message_over = usize::try_from(self.config.max_message).unwrap_or(usize::MAX);
        let line = end > line_over;
        let message = end > message_over;
        if line && (!message || line_over <= message_over) {
            Some(FrameError::LineTooLong {
                limit: self.config.max_line,
            })
        } else if message {
            Some(FrameError::MessageTooLarge {
                limit: self.config.max_message,
            })
        } else {
            None
        }
    }

    fn start_discarding(&mut self, err: FrameError) -> FrameError {
        self.discarding = true;
        err
    }

    fn reset(&mut self) {
        self.state = State::Line;
        self.pos = 0;
        self.line_start = 0;
        self.discarding = false;
        self.end_at_pos = false;
        self.pending = None;
        self.reported_sync = false;
        self.tail.clear();
        self.continued = 0;
    }
}

/// The first LF of `buf`: the first 32 octets a word at a time (a command line is short, and
/// a call of `memchr` costs more than the scan of a few words), the rest with `memchr`.
#[inline(always)]
fn find_lf(buf: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut n = 0;
    while n < 32 {
        let Some(word) = buf.get(n..).and_then(|b| b.first_chunk::<8>()) else {
            break;
        };
        // The high bit of each zero octet of `v` (an LF of the word), exact up to the first.
        let v = u64::from_le_bytes(*word) ^ (ONES * u64::from(b'\n'));
        let m = v.wrapping_sub(ONES) & !v & HIGHS;
        if m != 0 {
            return Some(n.saturating_add((m.trailing_zeros() / 8) as usize));
        }
        n = n.saturating_add(8);
    }
    memchr::memchr(b'\n', buf.get(n..)?).map(|k| n.saturating_add(k))
}

/// Whether a parenthesised list is still open at the end of `message` (quoted strings and
/// literal data stepped over): for [`FramerConfig::blank_line_after_literal`] only.
fn list_open(message: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while i < message.len() {
        match message[i] {
            b'(' => depth = depth.saturating_add(1),
            b')' => depth = depth.saturating_sub(1),
            b'"' => {
                i = i.saturating_add(1);
                while i < message.len() && message[i] != b'"' {
                    i = i.saturating_add(if message[i] == b'\\' { 2 } else { 1 });
                }
            }
            b'\n' => {
                // A line end inside the message: the line before it announced a literal.
                if let Some((length, _, _)) =
                    literal_announcement(message[..i].strip_suffix(b"\r").unwrap_or(&message[..i]))
                {
                    i = i.saturating_add(usize::try_from(length).unwrap_or(usize::MAX));
                }
            }
            _ => {}
        }
        i = i.saturating_add(1);
    }
    depth > 0
}

/// The end of `prev` followed by `dropped` (octets of one line) as far as it may begin a
/// literal announcement `~{n}`, `{n+}`, `{n}` that the rest of the line completes: empty
/// when it cannot; otherwise `~`, or `~{` / `{` with the digits (leading zeros removed, more
/// than 20 digits replaced by 20 nines: the same saturated count), `+` and `}` seen. Short
/// whatever was dropped, so discarding stays in constant memory.
fn announcement_tail(prev: &[u8], dropped: &[u8]) -> Vec<u8> {
    let mut rev = dropped
        .iter()
        .rev()
        .chain(prev.iter().rev())
        .copied()
        .peekable();
    let mut close = false;
    let mut plus = false;
    if rev.peek() == Some(&b'~') {
        return b"~".to_vec();
    }
    if rev.peek() == Some(&b'}') {
        close = true;
        rev.next();
    }
    if rev.peek() == Some(&b'+') {
        plus = true;
        rev.next();
    }
    // Digits, last first: the 21 lowest are kept; a non-zero one above them saturates.
    let mut low: Vec<u8> = Vec::new();
    let mut saturated = false;
    let mut count = 0usize;
    while let Some(&d) = rev.peek().filter(|d| d.is_ascii_digit()) {
        if low.len() < 21 {
            low.push(d);
        } else if d != b'0' {
            saturated = true;
        }
        count = count.saturating_add(1);
        rev.next();
    }
    if rev.next() != Some(b'{') || (close && count == 0) {
        return Vec::new();
    }
    let binary = rev.next() == Some(b'~');
    low.reverse();
    let first = low.iter().position(|&d| d != b'0').unwrap_or(low.len());
    let significant = &low[first..];
    let mut out = Vec::with_capacity(24);
    if binary {
        out.push(b'~');
    }
    out.push(b'{');
    if saturated || significant.len() > 20 {
        out.extend_from_slice(b"99999999999999999999");
    } else if significant.is_empty() {
        if count > 0 {
            out.push(b'0');
        }
    } else {
        out.extend_from_slice(significant);
    }
    if plus {
        out.push(b'+');
    }
    if close {
        out.push(b'}');
    }
    out
}

/// If `line` (without its CRLF) ends in `{n}`, `{n+}` or `~{n}`, returns (n, synchronizing,
/// binary). A count too large for 64 bits saturates (and so exceeds any limit).
fn literal_announcement(line: &[u8]) -> Option<(u64, bool, bool)> {
    let body = line.strip_suffix(b"}")?;
    let (body, synchronizing) = match body.strip_suffix(b"+") {
        Some(b) => (b, false),
        None => (body, true),
    };
    let digits_start = body
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p.saturating_add(1));
    let digits = &body[digits_start..];
    let open = digits_start.checked_sub(1)?;
    if digits.is_empty() || body[open] != b'{' {
        return None;
    }
    let binary = open.checked_sub(1).is_some_and(|t| body[t] == b'~');
    let length = digits.iter().fold(0u64, |acc, d| {
        acc.saturating_mul(10)
            .saturating_add(u64::from(d.saturating_sub(b'0')))
    });
    Some((length, synchronizing, binary))
}

/// Rewrites in place the count of the literal announced at the end of `prefix` (a message up
/// to and including the announcement's CRLF, as [`LiteralAnnouncement::prefix_len`] measures
/// it) to zeros of the same width: `{1048576}` CRLF becomes `{0000000}` CRLF, which the
/// grammar reads as an empty literal (`number` allows leading zeros, RFC 9051 §9). This is how
/// a streamed literal ([`Framer::stream_literal`]) is left in its message, so that the rest
/// of the message parses with the strict grammar, and the parsed value says honestly that
/// the message held no octets there. Returns false when `prefix` ends in no announcement.
///
/// ```
/// let mut m = b"a APPEND INBOX {123+}\r\n".to_vec();
/// assert!(mailproto_imap_codec::framer::zero_announced_count(&mut m));
/// assert_eq!(m, b"a APPEND INBOX {000+}\r\n");
/// ```
pub fn zero_announced_count(prefix: &mut [u8]) -> bool {
    let Some(line) = prefix.strip_suffix(b"\r\n") else {
        return false;
    };
    if literal_announcement(line).is_none() {
        return false;
    }
    let end = line.len().saturating_sub(1); // the `}`
    let end = if line.get(end.saturating_sub(1)) == Some(&b'+') {
        end.saturating_sub(1)
    } else {
        end
    };
    for b in prefix[..end].iter_mut().rev() {
        if !b.is_ascii_digit() {
            break;
        }
        *b = b'0';
    }
    true
}

/// The tag at the start of a message (RFC 9051 §9: `tag = 1*<any ASTRING-CHAR except "+">`,
/// followed by SP), borrowed from it: what a server needs to answer a message it will not parse
/// (a literal it refuses, a line over the limit) with a tagged BAD. `None` when the message
/// does not start with a valid tag and a space (it is untagged, a continuation, or garbage).
///
/// ```
/// use mailproto_imap_codec::framer::message_tag;
/// assert_eq!(message_tag(b"a1 APPEND INBOX {5}\r\n").unwrap().as_str(), "a1");
/// assert!(message_tag(b"* 1 EXISTS\r\n").is_none());
/// assert!(message_tag(b"a+1 NOOP\r\n").is_none());
/// ```
pub fn message_tag(message: &[u8]) -> Option<crate::Tag<'_>> {
    let end = memchr::memchr(b' ', message)?;
    let tag = ::core::str::from_utf8(&message[..end]).ok()?;
    crate::Tag::new(tag).ok()
}

/// The kind of the command at the start of a message, read from its name alone (RFC 9051 §9:
/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`;
/// a `UID` prefix is followed by the command it applies to), without parsing its arguments.
/// What a server needs to refuse a command that is not valid in its state (e.g. anything but
/// CAPABILITY, NOOP, LOGOUT, STARTTLS, AUTHENTICATE, LOGIN before login) before it parses, or
/// even receives, the rest: the first bytes of the message are enough. `None` when the message
/// does not start with a tag, a space and a known command name followed by SP, CR or the end of
/// what is there.
///
/// ```
/// use mailproto_imap_codec::{framer::message_command_kind, CommandKind};
/// assert_eq!(message_command_kind(b"a1 login joe {5}\r\n"), Some(CommandKind::Login));
/// assert_eq!(message_command_kind(b"a2 UID FETCH 1 FLAGS\r\n"), Some(CommandKind::Fetch));
/// assert_eq!(message_command_kind(b"a3 UID EXPUNGE 1\r\n"), Some(CommandKind::UidExpunge));
/// assert_eq!(message_command_kind(b"a4 SEARCHX ALL\r\n"), None);
/// assert_eq!(message_command_kind(b"* OK hi\r\n"), None);
/// ```
pub fn message_command_kind(message: &[u8]) -> Option<crate::CommandKind> {
    use crate::command::UidForm;
    message_tag(message)?;
    let at = memchr::memchr(b' ', message)?.checked_add(1)?;
    let (name, rest) = command_word(message.get(at..)?)?;
    if name.eq_ignore_ascii_case(b"UID") {
        let rest = rest.strip_prefix(b" ")?;
        let (name, _) = command_word(rest)?;
        return crate::CommandKind::ALL.iter().copied().find(|k| {
            let full = k.name().as_bytes();
            match k.uid_form() {
                UidForm::Only => full
                    .strip_prefix(b"UID ")
                    .is_some_and(|n| n.eq_ignore_ascii_case(name)),
                UidForm::Optional => full.eq_ignore_ascii_case(name),
                UidForm::No => false,
            }
        });
    }
    crate::CommandKind::ALL
        .iter()
        .copied()
        .find(|k| k.uid_form() != UidForm::Only && k.name().as_bytes().eq_ignore_ascii_case(name))
}

/// A command name at the start of `bytes` (letters, digits, `-`, `_`, `=`, `.`: the
/// characters of the table's names) and what follows it, when it ends at SP, CR or the end.
fn command_word(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'.')))
        .unwrap_or(bytes.len());
    let (name, rest) = bytes.split_at(end);
    if name.is_empty() || !(rest.is_empty() || rest[0] == b' ' || rest[0] == b'\r') {
        return None;
    }
    Some((name, rest))
}

/// The most [`FramedBuffer`] reserves ahead for an announced literal.
const RESERVE_MAX: usize = 32 * 1024 * 1024;

/// Room [`FramedBuffer`] reserves with a literal for the rest of its message.
const TAIL_ROOM: usize = 4096;

/// Above this capacity, an emptied [`FramedBuffer`] gives its memory back (after a big
/// message), so that one big message does not pin its size for the connection's life.
const KEEP_CAPACITY: usize = 1024 * 1024;

/// One thing [`FramedBuffer::next_frame`] found.
///
/// `Debug` shows lengths, not the bytes (a message may be a LOGIN with its password).
#[derive(PartialEq, Eq)]
pub enum Frame<'b> {
    /// A complete message.
    Message(&'b [u8]),
    /// A literal announcement (its data has not been consumed).
    Literal(LiteralAnnouncement),
    /// Bytes of a rejected message, dropped (how many).
    Discard(usize),
    /// Data of the literal being streamed ([`FramedBuffer::stream_literal`]), lent until the
    /// next call; they are removed from the buffer then.
    LiteralData {
        /// The octets that arrived.
        data: &'b [u8],
        /// Octets of the literal still to come after these.
        remaining: u64,
    },
}

impl fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::redact::Octets;
        match self {
            Frame::Message(m) => f.debug_tuple("Message").field(&Octets(m.len())).finish(),
            Frame::Literal(l) => f.debug_tuple("Literal").field(l).finish(),
            Frame::Discard(n) => f.debug_tuple("Discard").field(n).finish(),
            Frame::LiteralData { data, remaining } => f
                .debug_struct("LiteralData")
                .field("data", &Octets(data.len()))
                .field("remaining", remaining)
                .finish(),
        }
    }
}

/// A [`Framer`] with its own buffer: [`push`](FramedBuffer::push) received bytes, then call
/// [`next_frame`](FramedBuffer::next_frame) until it returns `None`.
///
/// Consumed bytes are dropped lazily and the buffer is compacted only when the consumed part
/// is at least as large as what remains, so each byte is moved O(1) times on average.
///
/// `Debug` shows how many octets are held, not the octets (issue 18 item 10).
#[derive(Clone)]
pub struct FramedBuffer {
    framer: Framer,
    buf: Vec<u8>,
    /// Start of the current message in `buf`.
    start: usize,
    /// Bytes to drop at the next call (the message last returned).
    consumed: usize,
    /// While a reported literal is outstanding: where (relative to the message start) its
    /// last byte lies. Until the buffer reaches it no frame can complete, so `next_frame`
    /// need not ask the framer.
    literal_end: usize,
    /// Streamed literal data lent by the last `next_frame` (offset from `start`, length):
    /// removed from the buffer at the next call.
    cut: (usize, usize),
    /// The prefix length of the literal last reported (for `stream_literal`).
    last_prefix: usize,
}

impl fmt::Debug for FramedBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FramedBuffer")
            .field("framer", &self.framer)
            .field("buffered", &crate::redact::Octets(self.buffered_len()))
            .finish_non_exhaustive()
    }
}

impl FramedBuffer {
    /// An empty buffer with a framer of the given limits.
    pub fn new(config: FramerConfig) -> Self {
        FramedBuffer {
            framer: Framer::new(config),
            buf: Vec::new(),
            start: 0,
            consumed: 0,
            literal_end: 0,
            cut: (0, 0),
            last_prefix: 0,
        }
    }

    /// Appends received bytes. Streamed literal data lent by the last
    /// [`next_frame`](Self::next_frame) stays available ([`lent_literal_data`](Self::lent_literal_data))
    /// until the next call to `next_frame`.
    pub fn push(&mut self, data: &[u8]) {
        let cut = ::core::mem::take(&mut self.cut);
        self.drop_consumed();
        self.cut = cut;
        if self.start > 0 && self.start >= self.buf.len().saturating_sub(self.start) {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let held = self.buf.len().saturating_sub(self.start);
        if self.literal_end > held {
            // The data of a reported literal arrives: make room for the rest of it once,
            // instead of regrowing the buffer (and copying what it holds) again and again
            // while it trickles in. The reservation is bounded: the framer's limit has been
            // checked, and a peer that announces much and sends little gets at most
            // RESERVE_MAX reserved. It is made only now, not when the literal is reported, so
            // that a literal the caller rejects costs nothing. It includes room for the end of
            // the message after the literal (TAIL_ROOM): without it, the `)` CRLF after a big
            // FETCH BODY[] literal doubled the buffer (a 16 MiB literal peaked at 3.8 x its
            // size in a client session, issue 18 item 2).
            self.buf.reserve(
                self.literal_end
                    .saturating_sub(held)
                    .saturating_add(TAIL_ROOM)
                    .min(RESERVE_MAX)
                    .max(data.len()),
            );
        }
        self.buf.extend_from_slice(data);
    }

    /// The framer (for its configuration, or [`Framer::reject_literal`]).
    pub fn framer_mut(&mut self) -> &mut Framer {
        // The caller may change the framer's state (e.g. reject the literal): ask it again.
        self.literal_end = 0;
        &mut self.framer
    }

    /// Declines the literal just reported ([`Frame::Literal`]); see [`Framer::reject_literal`].
    /// The following calls to [`next_frame`](Self::next_frame) hand back the message's bytes
    /// as [`Frame::Discard`]: for a literal whose data follows (`{n+}`), each piece as it is
    /// pushed, so that the buffer never holds more than the last push.
    pub fn reject_literal(&mut self) {
        self.framer_mut().reject_literal();
    }

    /// Streams the literal just reported ([`Frame::Literal`]) instead of holding it; see
    /// [`Framer::stream_literal`]. Its count in the buffered message is set to zeros
    /// ([`zero_announced_count`]), so the message finally returned parses as if the literal
    /// were empty; its data is returned as [`Frame::LiteralData`] pieces as it is pushed, each
    /// lent until the next call and then dropped. Nothing is reserved for the literal: the
    /// buffer holds the message without the literal and at most the last push.
    ///
    /// Returns false (and changes nothing) unless a literal was just reported.
    pub fn stream_literal(&mut self) -> bool {
        if !self.framer.stream_literal() {
            return false;
        }
        self.literal_end = 0;
        let at = self.start.saturating_add(self.consumed);
        let end = at.saturating_add(self.last_prefix).min(self.buf.len());
        zero_announced_count(&mut self.buf[at..end]);
        true
    }

    /// The streamed literal data lent by the last [`Frame::LiteralData`] (empty when none is
    /// lent): the same octets, for a caller that could not keep the frame's borrow.
    pub fn lent_literal_data(&self) -> &[u8] {
        let (at, len) = self.cut;
        let from = self.start.saturating_add(at).min(self.buf.len());
        &self.buf[from..from.saturating_add(len).min(self.buf.len())]
    }

    /// True while a streamed literal's data is expected ([`FramedBuffer::stream_literal`]).
    pub fn is_streaming(&self) -> bool {
        self.framer.is_streaming()
    }

    /// How many bytes are held: received, and not yet returned as a message or discarded
    /// (lent streamed literal data included until the next call).
    pub fn buffered_len(&self) -> usize {
        self.buf
            .len()
            .saturating_sub(self.start)
            .saturating_sub(self.consumed)
    }

    /// Bytes received but not yet returned as part of a message.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start.saturating_add(self.consumed).min(self.buf.len())..]
    }

    /// The tag of the message being framed (its first bytes are buffered), borrowed from the
    /// buffer: see [`message_tag`]. After a [`Frame::Literal`], the tag of the command that
    /// announced it.
    pub fn current_tag(&self) -> Option<crate::Tag<'_>> {
        message_tag(self.buffered())
    }

    /// The bytes of the message being framed received so far, up to `len` (e.g. a
    /// [`LiteralAnnouncement::prefix_len`]), borrowed from the buffer.
    pub fn current_prefix(&self, len: usize) -> &[u8] {
        let held = self.buffered();
        &held[..len.min(held.len())]
    }

    /// Removes and returns everything buffered, and resets the framer (e.g. after STARTTLS,
    /// where bytes that arrived after the command must not be interpreted as IMAP).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        self.drop_consumed();
        let rest = self.buf.split_off(self.start);
        self.buf.clear();
        self.start = 0;
        self.literal_end = 0;
        self.cut = (0, 0);
        self.framer = Framer::new(*self.framer.config());
        rest
    }

    fn drop_consumed(&mut self) {
        let (at, len) = ::core::mem::take(&mut self.cut);
        if len > 0 {
            // Only the bytes pushed after the literal's data follow it: each is moved once.
            let from = self.start.saturating_add(at).min(self.buf.len());
            let to = from.saturating_add(len).min(self.buf.len());
            self.buf.drain(from..to);
        }
        self.start = self.start.saturating_add(self.consumed);
        self.consumed = 0;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            if self.buf.capacity() > KEEP_CAPACITY {
                self.buf = Vec::new();
            }
        }
    }

    /// A big message that fills the buffer alone leaves the buffer's spare capacity (up to
    /// as much again, from growing by doubling) unused while the application makes its value
    /// owned: that capacity is given back first (a shrinking reallocation, done in place by
    /// the usual allocators), so the message and its owned copy peak at about 2x its size,
    /// not 3x (issue 18's memory goal; `imap-session/tests/memory.rs`). Small messages and
    /// buffers that hold more than the message are left alone (no reallocation per message).
    fn release_slack(&mut self, len: usize) {
        const BIG: usize = 256 * 1024;
        let slack = self.buf.capacity().saturating_sub(len);
        if len >= BIG && self.start == 0 && self.buf.len() == len && slack > len / 8 {
            self.buf.shrink_to_fit();
        }
    }

    /// The next message or literal announcement, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, FrameError> {
        self.drop_consumed();
        if self.buf.len().saturating_sub(self.start) < self.literal_end {
            // Inside a literal whose end has not arrived: nothing can complete yet.
            return Ok(None);
        }
        self.literal_end = 0;
        match self.framer.next(&self.buf[self.start..])? {
            Status::Incomplete(_) => Ok(None),
            Status::Literal(lit) => {
                // Until the literal's end has arrived, nothing can complete (and `push` makes
                // room for the data).
                let want = usize::try_from(lit.length).unwrap_or(usize::MAX);
                self.literal_end = lit.prefix_len.saturating_add(want);
                self.last_prefix = lit.prefix_len;
                Ok(Some(Frame::Literal(lit)))
            }
            Status::LiteralData {
                start,
                len,
                remaining,
            } => {
                self.cut = (start, len);
                let from = self.start.saturating_add(start);
                Ok(Some(Frame::LiteralData {
                    data: &self.buf[from..from.saturating_add(len)],
                    remaining,
                }))
            }
            Status::Message(len) => {
                self.consumed = len;
                self.release_slack(len);
                Ok(Some(Frame::Message(
                    &self.buf[self.start..self.start.saturating_add(len)],
                )))
            }
            Status::Discard { len, .. } => {
                self.consumed = len;
                Ok(Some(Frame::Discard(len)))
            }
        }
    }

    /// [`push`](Self::push) for a read, with the complete messages handed to `on_message`
    /// as they are found, each borrowed from `data` where it lies wholly within it: such
    /// messages are framed where they are and never copied into the buffer. Only the message
    /// left incomplete at the end of `data` (and one that began in an earlier read, completed
    /// line by line) goes through the buffer.
    ///
    /// It stops at the first frame that is not a complete message (a literal announcement,
    /// discarded bytes, streamed literal data or a [`FrameError`]), leaving it and the rest of
    /// `data` buffered, exactly as after [`push`](Self::push): call
    /// [`next_frame`](Self::next_frame) until it returns `None` after every call, as after
    /// `push`. The frames are the same, in the same order, as with `push` and `next_frame`
    /// alone, however `data` is cut (tested with every cut).
    ///
    /// ```
    /// use mailproto_imap_codec::framer::{Frame, FramedBuffer, FramerConfig};
    ///
    /// let mut fb = FramedBuffer::new(FramerConfig::client());
    /// let mut seen = Vec::new();
    /// let reads = [&b"* 1 EXISTS\r\n* 2 EXI"[..], b"STS\r\n* 3 EXISTS\r\n* 4 FETCH (BODY[] {2}\r\n", b"hi)\r\n"];
    /// for read in reads {
    ///     fb.push_messages(read, |m| seen.push(m.to_vec()));
    ///     while let Some(frame) = fb.next_frame().unwrap() {
    ///         match frame {
    ///             Frame::Message(m) => seen.push(m.to_vec()),
    ///             Frame::Literal(l) => assert_eq!(l.length, 2),
    ///             _ => unreachable!(),
    ///         }
    ///     }
    /// }
    /// assert_eq!(seen.len(), 4);
    /// assert_eq!(seen[3], b"* 4 FETCH (BODY[] {2}\r\nhi)\r\n");
    /// ```
    pub fn push_messages(&mut self, data: &[u8], mut on_message: impl FnMut(&[u8])) {
        let cut = ::core::mem::take(&mut self.cut);
        self.drop_consumed();
        self.cut = cut;
        let plain =
            |fb: &Self| fb.cut == (0, 0) && fb.literal_end == 0 && !fb.framer.is_streaming();
        let mut at = 0;
        // A message begun in an earlier read: completed line by line, each line tried on a
        // copy of the framer so that a frame other than a message is left to `next_frame`.
        while self.buffered_len() > 0 {
            if !plain(self) {
                self.push(&data[at..]);
                return;
            }
            let Some(lf) = memchr::memchr(b'\n', &data[at..]) else {
                self.push(&data[at..]);
                return;
            };
            let end = at.saturating_add(lf).saturating_add(1);
            self.push(&data[at..end]);
            at = end;
            let mut probe = self.framer.clone();
            match probe.next(&self.buf[self.start..]) {
                Ok(Status::Incomplete(None)) => self.framer = probe,
                Ok(Status::Message(_)) => {
                    if let Ok(Some(Frame::Message(m))) = self.next_frame() {
                        on_message(m);
                    }
                }
                _ => {
                    self.push(&data[at..]);
                    return;
                }
            }
            self.drop_consumed();
        }
        if !self.framer.is_idle() {
            // Between the pieces of a discarded or streamed message.
            self.push(&data[at..]);
            return;
        }
        // Nothing buffered and the framer at the start of a message: frame in place.
        while at < data.len() {
            let rest = &data[at..];
            match self.framer.next(rest) {
                Ok(Status::Message(len)) => {
                    on_message(&rest[..len.min(rest.len())]);
                    at = at.saturating_add(len);
                }
                Ok(Status::Incomplete(None)) => break,
                _ => {
                    // Framed again from the message's start by `next_frame`.
                    self.framer.reset();
                    break;
                }
            }
        }
        self.push(&data[at.min(data.len())..]);
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// Feeds `input` in chunks of `size` and collects messages, literal sizes and errors.
    fn run(config: FramerConfig, input: &[u8], size: usize) -> Vec<String> {
        frames(config, input.chunks(size.max(1)), false)
    }

    /// [`FramedBuffer::push_messages`] then `next_frame`, as [`run`] does with `push`, for
    /// `input` cut at `cuts`.
    fn run_in_place(config: FramerConfig, input: &[u8], cuts: &[usize]) -> Vec<String> {
        let mut from = 0;
        let reads = cuts.iter().copied().chain([input.len()]).map(|to| {
            let to = to.clamp(from, input.len());
            let read = &input[from..to];
            from = to;
            read
        });
        frames(config, reads, true)
    }

    /// Feeds the reads (with `push_messages` when `in_place`, else `push`), then takes every
    /// frame; consecutive discards are merged so that the cutting does not change the result.
    fn frames<'i>(
        config: FramerConfig,
        reads: impl Iterator<Item = &'i [u8]>,
        in_place: bool,
    ) -> Vec<String> {
        let mut fb = FramedBuffer::new(config);
        let mut out = Vec::new();
        for read in reads {
            if in_place {
                fb.push_messages(read, |m| out.push(String::from_utf8_lossy(m).into_owned()));
            } else {
                fb.push(read);
            }
            loop {
                match fb.next_frame() {
                    Ok(Some(Frame::Message(m))) => {
                        out.push(String::from_utf8_lossy(m).into_owned())
                    }
                    Ok(Some(Frame::Literal(l))) => {
                        out.push(format!("literal {} sync={}", l.length, l.synchronizing))
                    }
                    Ok(Some(Frame::Discard(n))) => out.push(format!("discard {n}")),
                    Ok(None) => break,
                    Ok(Some(Frame::LiteralData { .. })) => unreachable!("nothing is streamed"),
                    Err(e) => out.push(format!("error {e}")),
                }
            }
        }
        let mut merged: Vec<String> = Vec::new();
        for s in out {
            if let (Some(last), Some(n)) = (merged.last_mut(), s.strip_prefix("discard "))
                && let Some(m) = last.strip_prefix("discard ")
            {
                let total: usize = m.parse::<usize>().unwrap() + n.parse::<usize>().unwrap();
                *last = format!("discard {total}");
                continue;
            }
            merged.push(s);
        }
        merged
    }

    /// `push_messages` frames in place what `push` copies: the same frames in the same order
    /// for every cut of the input into two reads and for every read size, literals, limits
    /// and errors included.
    #[test]
    fn push_messages_matches_push_for_every_cut() {
        let inputs: [(FramerConfig, &[u8]); 5] = [
            (
                // bare-lf and blank-line-after-literal (real-world only).
                FramerConfig::client().for_profile(crate::Profile::RealWorld),
                b"* 1 FETCH (BODY[] {2}\r\nhi\r\n\r\n FLAGS ())\r\n* 2 EXISTS\n* 3 EXISTS\r\n",
            ),
            (
                FramerConfig::server(),
                b"a1 NOOP\r\na2 LOGIN {5}\r\nal}\r\n {3+}\r\npw!\r\na3 NOOP\r\n",
            ),
            (
                FramerConfig::client(),
                b"* 1 EXISTS\r\n* 1 FETCH (BODY[] ~{2}\r\n\0\n)\r\n* OK x\r\n* 2 EXISTS\r\n",
            ),
            (
                FramerConfig::server().with_max_line(12),
                b"a NOOP\r\nb this line is too long\r\nc NOOP\r\nd NOOP\r\n",
            ),
            (
                FramerConfig::server().with_max_literal(3),
                b"a NOOP\r\nb LOGIN {9+}\r\n123456789 x\r\nc NOOP\r\n",
            ),
        ];
        for (config, input) in inputs {
            let expected = run(config, input, input.len());
            for cut in 0..=input.len() {
                assert_eq!(
                    run_in_place(config, input, &[cut]),
                    expected,
                    "cut at {cut}"
                );
            }
            for size in 1..=input.len() {
                let cuts: Vec<usize> = (size..input.len()).step_by(size).collect();
                assert_eq!(
                    run_in_place(config, input, &cuts),
                    expected,
                    "reads of {size}"
                );
            }
        }
    }

    /// The fast path of `next` (`one_line_message`) against the general loop: whatever it
    /// frames, the loop frames as the same message and leaves the same state, for every
    /// one-octet change of a few message streams (line ends, literal announcements, limits),
    /// every prefix of the buffer, and the configurations of both roles and profiles.
    #[test]
    fn the_one_line_fast_path_agrees_with_the_loop() {
        let bases: [&[u8]; 3] = [
            b"a1 NOOP\r\na2 LOGIN {5}\r\nal}\r\n {3+}\r\npw!\r\na3 X}\r\n\r\nb ~{1}\r\nz\r\n",
            b"* 1 FETCH (BODY[] {2}\r\nhi\r\n\r\n FLAGS ())\r\n* 2 EXISTS\n* 3 EXISTS\r\n",
            b"a SELECT x\r\nb this line is too long\r\n\r\nc {0}\r\n\r\n",
        ];
        let configs = [
            FramerConfig::server(),
            FramerConfig::client(),
            FramerConfig::server().for_profile(crate::Profile::RealWorld),
            FramerConfig::client().for_profile(crate::Profile::RealWorld),
            FramerConfig::server().with_max_line(12),
            FramerConfig::server().with_max_literal(3),
        ];
        let mut fast = 0;
        for base in bases {
            let mut inputs = vec![base.to_vec()];
            for at in 0..base.len() {
                for b in [b'\r', b'\n', b'}', b'{', b'+', b'~', b'1', b' ', b'x'] {
                    let mut m = base.to_vec();
                    m[at] = b;
                    inputs.push(m);
                }
            }
            for input in &inputs {
                for config in configs {
                    let mut framer = Framer::new(config);
                    let mut at = 0;
                    while at < input.len() {
                        for end in at..=input.len() {
                            let buf = &input[at..end];
                            if let Some(len) = framer.one_line_message(buf) {
                                fast += 1;
                                let mut general = framer.clone();
                                assert_eq!(general.next_general(buf), Ok(Status::Message(len)));
                                assert_eq!(format!("{general:?}"), format!("{framer:?}"));
                            }
                        }
                        match framer.next(&input[at..]) {
                            Ok(Status::Message(len) | Status::Discard { len, .. }) => at += len,
                            Ok(Status::Incomplete(_)) => break,
                            Ok(_) => {}
                            Err(_) => {}
                        }
                    }
                }
            }
        }
        assert!(fast > 10_000, "{fast}");
    }

    #[test]
    fn lines_and_literals_in_any_chunking() {
        let input = b"a1 NOOP\r\na2 LOGIN {5}\r\nal}\r\n {3+}\r\npw!\r\n* 1 FETCH (BODY[] ~{2}\r\n\0\n)\r\n";
        let whole = run(FramerConfig::server(), input, input.len());
        assert_eq!(
            whole,
            [
                "a1 NOOP\r\n",
                "literal 5 sync=true",
                "literal 3 sync=false",
                "a2 LOGIN {5}\r\nal}\r\n {3+}\r\npw!\r\n",
                "literal 2 sync=true",
                "* 1 FETCH (BODY[] ~{2}\r\n\0\n)\r\n",
            ]
        );
        for size in 1..input.len() {
            assert_eq!(
                run(FramerConfig::server(), input, size),
                whole,
                "chunk size {size}"
            );
        }
    }

    /// Streamed literals: their data comes out in pieces, in order, however the input is
    /// split; the message comes out without them, the counts read as zeros; the buffer never
    /// holds a literal.
    #[test]
    fn streamed_literals_in_any_chunking() {
        let input =
            b"* 1 FETCH (UID 7 BODY[1] {10}\r\n0123456789 BODY[2] ~{3}\r\na\0c)\r\n* 2 EXISTS\r\n";
        let run = |size: usize| {
            let mut fb = FramedBuffer::new(FramerConfig::client());
            let mut out: Vec<String> = Vec::new();
            let mut data = Vec::new();
            let mut peak = 0;
            for chunk in input.chunks(size) {
                fb.push(chunk);
                peak = peak.max(fb.buffered_len());
                loop {
                    match fb.next_frame().unwrap() {
                        None => break,
                        Some(Frame::Literal(l)) => {
                            out.push(format!("literal {}", l.length));
                            assert!(fb.stream_literal());
                            assert!(!fb.stream_literal());
                        }
                        Some(Frame::LiteralData { data: d, .. }) => data.extend_from_slice(d),
                        Some(Frame::Message(m)) => {
                            out.push(String::from_utf8_lossy(m).into_owned())
                        }
                        Some(Frame::Discard(_)) => unreachable!(),
                    }
                }
            }
            (out, data, peak)
        };
        let (whole, data, _) = run(input.len());
        assert_eq!(
            whole,
            [
                "literal 10",
                "literal 3",
                "* 1 FETCH (UID 7 BODY[1] {00}\r\n BODY[2] ~{0}\r\n)\r\n",
                "* 2 EXISTS\r\n"
            ]
        );
        assert_eq!(data, b"0123456789a\0c");
        for size in 1..input.len() {
            let (out, d, peak) = run(size);
            assert_eq!((&out, &d), (&whole, &data), "chunk size {size}");
            // The message without its literals (48 octets) and one push.
            assert!(peak <= 48 + size, "{peak} at {size}");
        }
    }

    /// Fuzz findings (imap_framer_chunks, docs/fuzzing.md F1, F2): with a line over the
    /// limit, a literal announcement split across chunks while the line is being discarded
    /// must still be stepped over, and when both the line and the message limit are
    /// exceeded, the error must not depend on the chunking.
    #[test]
    fn discarding_does_not_depend_on_chunking() {
        let tiny = FramerConfig::client()
            .with_max_line(4)
            .with_max_literal(100);
        for input in [
            &b"a1 SEARCH TEXT {0005}\r\n)\r\n)\r\na2 OK x\r\n"[..],
            b"* 1 FETCH (BODY[] ~{000000000000000000000000000012+}\r\n0123456789\r\n)\r\n",
            b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n)\r\n",
            b"x {3}\r\n\r\n\r\nyy\r\n",
        ] {
            let whole = run(tiny, input, input.len());
            for size in 1..input.len() {
                assert_eq!(run(tiny, input, size), whole, "chunk size {size}");
            }
        }
        let limits = FramerConfig::server().with_max_line(4).with_max_message(3);
        let input = b"12\r\n";
        let whole = run(limits, input, input.len());
        assert_eq!(whole[0], "error message larger than 3 octets");
        assert_eq!(run(limits, input, 1), whole);
    }

    #[test]
    fn servers_do_not_announce_non_synchronizing_literals() {
        let input = b"* 1 FETCH (BODY[] {5+}\r\nhello)\r\n";
        assert_eq!(
            run(FramerConfig::client(), input, 4),
            ["* 1 FETCH (BODY[] {5+}\r\n", "hello)\r\n"]
        );
    }

    /// Issue 18 item 9: with `max_literal = u64::MAX`, the message size `pos + length`
    /// overflowed (a panic in debug builds, a wrap under `max_message` in release builds). A
    /// sum that does not fit is over the limit, on both sides and for both literal kinds.
    #[test]
    fn literal_length_near_u64_max_does_not_wrap_the_message_limit() {
        for (role, announcement) in [
            (Role::Server, "{18446744073709551615}"),
            (Role::Server, "{18446744073709551615+}"),
            (Role::Client, "{18446744073709551615}"),
            (Role::Client, "{18446744073709551600}"),
        ] {
            let config = FramerConfig {
                role,
                max_line: 1024,
                max_literal: u64::MAX,
                max_message: 1024,
                bare_lf_ends_line: false,
                blank_line_after_literal: false,
            };
            let input = format!("a1 APPEND INBOX {announcement}\r\n");
            let mut framer = Framer::new(config);
            assert_eq!(
                framer.next(input.as_bytes()),
                Err(FrameError::MessageTooLarge { limit: 1024 }),
                "{role:?} {announcement}"
            );
        }
    }

    #[test]
    fn bare_lf_does_not_end_a_line() {
        assert_eq!(
            run(FramerConfig::server(), b"a NOOP\nb NOOP\r\n", 3),
            ["a NOOP\nb NOOP\r\n"]
        );
    }

    #[test]
    fn not_announcements() {
        for line in [&b"x {}"[..], b"x {a}", b"}", b"x 5}", b"{5", b"x {5}}"] {
            assert_eq!(
                literal_announcement(line),
                None,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(literal_announcement(b"{0}"), Some((0, true, false)));
        assert_eq!(literal_announcement(b"x ~{7+}"), Some((7, false, true)));
        assert_eq!(
            literal_announcement(b"x {99999999999999999999999}")
                .unwrap()
                .0,
            u64::MAX
        );
    }

    #[test]
    fn long_line_is_discarded_and_the_stream_goes_on() {
        let config = FramerConfig::server().with_max_line(16);
        let input = b"a1 SEARCH TEXT xxxxxxxxxxxxxxxxxxxxxx\r\na2 NOOP\r\n";
        let whole = run(config, input, input.len());
        assert_eq!(
            whole,
            [
                "error line longer than 16 octets",
                "discard 39",
                "a2 NOOP\r\n"
            ]
        );
        for size in 1..input.len() {
            assert_eq!(run(config, input, size), whole, "chunk size {size}");
        }
    }

    #[test]
    fn oversized_sync_literal_ends_the_command_at_the_announcement() {
        let config = FramerConfig::server().with_max_literal(10);
        let input = b"a1 APPEND INBOX {100}\r\na2 NOOP\r\n";
        assert_eq!(
            run(config, input, input.len()),
            [
                "error literal of 100 octets exceeds the limit of 10",
                "discard 23",
                "a2 NOOP\r\n"
            ]
        );
    }

    #[test]
    fn oversized_non_sync_literal_is_skipped() {
        let config = FramerConfig::server().with_max_literal(4);
        let input = b"a1 APPEND INBOX {6+}\r\n{1}\r\nx\r\na2 NOOP\r\n";
        let whole = run(config, input, input.len());
        assert_eq!(
            whole,
            [
                "error literal of 6 octets exceeds the limit of 4",
                "discard 30",
                "a2 NOOP\r\n"
            ]
        );
        for size in 1..input.len() {
            assert_eq!(run(config, input, size), whole, "chunk size {size}");
        }
    }

    #[test]
    fn rejected_literal_by_the_application() {
        let mut fb = FramedBuffer::new(FramerConfig::server());
        fb.push(b"a1 LOGIN {5}\r\n");
        assert!(matches!(fb.next_frame(), Ok(Some(Frame::Literal(_)))));
        fb.framer_mut().reject_literal();
        assert_eq!(fb.next_frame(), Ok(Some(Frame::Discard(14))));
        fb.push(b"a2 NOOP\r\n");
        assert_eq!(fb.next_frame(), Ok(Some(Frame::Message(b"a2 NOOP\r\n"))));
    }

    /// Like [`run`], but every non-synchronizing literal is rejected when reported.
    fn run_rejecting(config: FramerConfig, input: &[u8], cuts: &[usize]) -> Vec<String> {
        let mut fb = FramedBuffer::new(config);
        let mut out = Vec::new();
        let mut at = 0;
        for &cut in cuts.iter().chain([&input.len()]) {
            let cut = cut.clamp(at, input.len());
            fb.push(&input[at..cut]);
            at = cut;
            loop {
                match fb.next_frame() {
                    Ok(Some(Frame::Message(m))) => {
                        out.push(String::from_utf8_lossy(m).into_owned())
                    }
                    Ok(Some(Frame::Literal(l))) => {
                        out.push(format!("literal {} sync={}", l.length, l.synchronizing));
                        if !l.synchronizing {
                            fb.reject_literal();
                        }
                    }
                    Ok(Some(Frame::Discard(n))) => {
                        if let Some(total) = out.last_mut().and_then(|l| {
                            l.strip_prefix("discard ")
                                .map(|m| m.parse::<usize>().unwrap())
                        }) {
                            *out.last_mut().unwrap() = format!("discard {}", total + n);
                        } else {
                            out.push(format!("discard {n}"));
                        }
                    }
                    Ok(None) => break,
                    Ok(Some(Frame::LiteralData { .. })) => unreachable!("nothing is streamed"),
                    Err(e) => out.push(format!("error {e}")),
                }
            }
        }
        out
    }

    /// RFC 7888 §4, §5: a server may refuse a non-synchronizing literal at its announcement;
    /// its data and the rest of the command (another `{n+}` literal included) are stepped
    /// over, and the next command is framed as usual, however the bytes are split. The first
    /// literal's 6 octets end in a CR: the LF after it does not end a line.
    #[test]
    fn rejected_non_sync_literal_is_stepped_over_in_any_chunking() {
        let input = b"a1 APPEND INBOX {6+}\r\nab\r\n}\r\n {3+}\r\nx\r\n\r\na2 NOOP\r\na3 LOGIN {2+}\r\npw\r\n";
        let whole = run_rejecting(FramerConfig::server(), input, &[]);
        assert_eq!(
            whole,
            [
                "literal 6 sync=false",
                "discard 41",
                "a2 NOOP\r\n",
                "literal 2 sync=false",
                "discard 19",
            ]
        );
        for a in 0..=input.len() {
            for b in a..=input.len() {
                assert_eq!(
                    run_rejecting(FramerConfig::server(), input, &[a, b]),
                    whole,
                    "cuts {a} {b}"
                );
            }
        }
    }

    /// A synchronizing literal later in a rejected message ends it at its announcement: the
    /// client waits for a `+` that does not come.
    #[test]
    fn rejected_non_sync_literal_followed_by_a_sync_one() {
        let input = b"a1 X {2+}\r\nab {5}\r\na2 NOOP\r\n";
        let whole = run_rejecting(FramerConfig::server(), input, &[]);
        assert_eq!(whole, ["literal 2 sync=false", "discard 19", "a2 NOOP\r\n"]);
        for cut in 0..=input.len() {
            assert_eq!(run_rejecting(FramerConfig::server(), input, &[cut]), whole);
        }
    }

    /// A client declining a server's literal steps over its data too (it follows anyway).
    #[test]
    fn client_rejecting_a_literal_steps_over_its_data() {
        let input = b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n* 2 EXISTS\r\n";
        let mut fb = FramedBuffer::new(FramerConfig::client());
        fb.push(input);
        assert!(matches!(fb.next_frame(), Ok(Some(Frame::Literal(_)))));
        fb.reject_literal();
        assert_eq!(fb.next_frame(), Ok(Some(Frame::Discard(31))));
        assert_eq!(fb.next_frame(), Ok(Some(Frame::Message(b"* 2 EXISTS\r\n"))));
    }

    /// A 10 MiB `{n+}` literal, rejected at its announcement and fed in 64 KiB pieces, is never
    /// held: the buffer keeps at most one piece, and reserves nothing for the literal.
    #[test]
    fn rejected_huge_non_sync_literal_is_not_held() {
        const PIECE: usize = 64 * 1024;
        let length = 10 * 1024 * 1024;
        let mut fb = FramedBuffer::new(FramerConfig::server());
        fb.push(b"a1 APPEND INBOX {10485760+}\r\n");
        assert!(
            matches!(fb.next_frame(), Ok(Some(Frame::Literal(l))) if l.length == length as u64)
        );
        fb.reject_literal();
        let piece = vec![b'x'; PIECE];
        let mut discarded = 0;
        let mut fed = 0;
        while fed < length {
            let n = PIECE.min(length - fed);
            fb.push(&piece[..n]);
            fed += n;
            assert!(fb.buffered_len() <= PIECE + 32, "{}", fb.buffered_len());
            assert!(fb.buf.capacity() <= 2 * PIECE + 64, "{}", fb.buf.capacity());
            while let Ok(Some(Frame::Discard(n))) = fb.next_frame() {
                discarded += n;
            }
            assert_eq!(fb.buffered_len(), 0);
        }
        fb.push(b"\r\na2 NOOP\r\n");
        assert_eq!(fb.next_frame(), Ok(Some(Frame::Discard(2))));
        assert_eq!(discarded + 2, 29 + length + 2);
        assert_eq!(fb.next_frame(), Ok(Some(Frame::Message(b"a2 NOOP\r\n"))));
    }

    /// The room for an accepted literal is made when its data arrives, once.
    #[test]
    fn accepted_literal_is_reserved_when_its_data_arrives() {
        let mut fb = FramedBuffer::new(FramerConfig::server());
        fb.push(b"a1 APPEND INBOX {100000+}\r\n");
        assert!(matches!(fb.next_frame(), Ok(Some(Frame::Literal(_)))));
        assert!(fb.buf.capacity() < 1000);
        fb.push(b"x");
        let capacity = fb.buf.capacity();
        assert!(capacity >= 27 + 100_000, "{capacity}");
        for _ in 0..99 {
            fb.push(&[b'x'; 1000]);
        }
        assert_eq!(fb.buf.capacity(), capacity);
    }

    #[test]
    fn huge_literal_in_small_chunks_is_not_buffered_twice() {
        let mut framer = Framer::new(FramerConfig::client());
        let mut buf = b"* 1 FETCH (BODY[] {100000}\r\n".to_vec();
        assert!(matches!(framer.next(&buf), Ok(Status::Literal(_))));
        let mut expected_remaining = 100_000u64;
        for _ in 0..100 {
            buf.extend_from_slice(&[b'x'; 1000]);
            expected_remaining -= 1000;
            if expected_remaining > 0 {
                assert_eq!(
                    framer.next(&buf),
                    Ok(Status::Incomplete(Some(expected_remaining)))
                );
            }
        }
        buf.extend_from_slice(b")\r\n");
        assert_eq!(framer.next(&buf), Ok(Status::Message(buf.len())));
    }
}
