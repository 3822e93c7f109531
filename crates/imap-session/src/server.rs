//! The server session (RFC 9051 §2.2.2, §5.5, §6): commands in, the application's responses
//! out.
//!
//! The session frames and parses the client's bytes with the parser the exchange calls for
//! (command, SASL line during AUTHENTICATE, `DONE` during IDLE), answers what it can answer by
//! itself (the `+` for a synchronizing literal within the limit, BAD for a syntax error or a
//! command not valid in the state, NO for LOGIN under LOGINDISABLED), and hands every other
//! command to the application as [`ServerEvent::Command`]. The application answers with
//! [`ServerSession::send_response`]; its tagged responses move the state (LOGIN/AUTHENTICATE,
//! SELECT/EXAMINE, CLOSE/UNSELECT, LOGOUT, STARTTLS).
//!
//! The session tracks what the server advertised from the responses it sends (CAPABILITY data
//! and codes): LOGINDISABLED and LITERAL+ / LITERAL- take effect from there.
//!
//! What a client can make the session hold is bounded: the message being read by the framer's
//! limits ([`ServerConfig::framer`]); what is pipelined while the session waits for commands in
//! flight by [`ServerConfig::max_buffered`] (beyond it, `* BYE [LIMIT]`); a non-synchronizing
//! literal over the limit (4096 octets without LITERAL+, RFC 7888 §5) is refused at its
//! announcement and its octets are dropped as they arrive, never held.

use std::collections::VecDeque;

use imap_codec::framer::{Frame, FrameError, FramedBuffer, FramerConfig, LiteralAnnouncement};
use imap_codec::response::{GreetingKind, RespText};
use imap_codec::{
    AuthenticateData, Capability, Code, Command, CommandBody, ContinuationRequest, Data, Encode,
    EncodeOptions, Encoder, ErrorKind, Greeting, IdleDone, IntoStatic, Response, Status,
    StatusKind, Tag, Text,
};

use crate::error::{LocalError, PeerError};
use crate::state::{self, State, Trigger};
use crate::{Inbound, MessageKind, Received};
use imap_codec::CommandKind;

/// Who answers a synchronizing literal announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiteralPolicy {
    /// The session answers `+` within the framer's literal limit; over it, the framer ends the
    /// command at the announcement and the session answers a tagged BAD (RFC 9051 §4.3, §7.5).
    Auto,
    /// The application decides: [`ServerEvent::LiteralAnnounced`]; answer with a continuation
    /// request to accept, or a tagged response to refuse.
    Manual,
}

/// Settings of a [`ServerSession`]: start from [`ServerConfig::default`] or
/// [`ServerConfig::observer`] and change fields with the `with_*` methods (the struct is
/// `#[non_exhaustive]`: settings will be added).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Limits for framing commands (command size, literal size).
    pub framer: FramerConfig,
    /// Reject commands not valid in the current state (RFC 9051 §6) and wait for the
    /// completion of a state-changing command before reading the next.
    pub enforce_states: bool,
    /// Who answers synchronizing literals.
    pub literals: LiteralPolicy,
    /// Answer syntax errors, invalid-state commands and refused literals with BAD/NO by
    /// itself. Off only for tools that follow someone else's exchange.
    pub auto_reply: bool,
    /// Most commands in flight (handed to the application, not completed). While that many
    /// are, the next command is not read: the session waits (see
    /// [`ServerSession::wants_input`]).
    pub max_in_flight: usize,
    /// Most octets the session holds unread while it waits: while a state-changing command
    /// (LOGIN, AUTHENTICATE, SELECT, EXAMINE, CLOSE, UNSELECT, LOGOUT, IDLE) or
    /// [`max_in_flight`](Self::max_in_flight) commands are in flight, or before the greeting.
    ///
    /// An I/O loop should stop reading from the socket while
    /// [`ServerSession::wants_input`] is false: TCP's flow control then holds a pipelining
    /// client back and this bound is never reached. It is reached only when more than this
    /// is handed to [`ServerSession::handle_input`] during a wait (a loop that reads on, or a
    /// client that pipelines more than one read). The session then drops what it holds,
    /// answers `* BYE [LIMIT] Too many commands in flight` (RFC 9051 §7.1, §7.1.5; closing
    /// with BYE is RFC 7888 §4's second choice for input the server will not hold), reports
    /// [`PeerError::TooManyCommands`] and closes: the commands in flight can no longer be
    /// answered. Answering only the excess commands (tagged `NO [LIMIT]`) would mean framing
    /// and parsing them during the wait, when it is not known yet how (after AUTHENTICATE,
    /// SASL lines) or in which state (after LOGIN or SELECT) they are to be read, and keeping
    /// their tags: a bound that is not a bound.
    ///
    /// The default, 1 MiB, is far above one read of a usual I/O loop (8–64 KiB). The bytes of
    /// a command being read when no wait is on are bounded by the framer's limits instead.
    pub max_buffered: usize,
    /// After this many protocol violations, send `* BYE` and close; `None`: never.
    pub max_violations: Option<u32>,
    /// Emit [`ServerEvent::Received`] for every message (for trace replayers).
    pub report_received: bool,
    /// Stream APPEND messages larger than this many octets instead of holding them
    /// ([`ServerEvent::AppendStreamStart`], [`ServerOutput::LiteralChunk`]); `None`: hold every
    /// literal. Default: 1 MiB. The largest literal accepted at all is still the framer's
    /// `max_literal` (and `max_message`): raise those to accept larger streamed messages.
    /// Synchronizing literals are streamed under [`LiteralPolicy::Auto`] only (under
    /// `Manual` the application has not accepted the literal yet when it is announced).
    pub stream_literals_over: Option<u64>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            framer: FramerConfig::server(),
            enforce_states: true,
            literals: LiteralPolicy::Auto,
            auto_reply: true,
            max_in_flight: 32,
            max_buffered: 1024 * 1024,
            max_violations: Some(10),
            report_received: false,
            stream_literals_over: Some(crate::client::DEFAULT_STREAM_THRESHOLD),
        }
    }
}

impl ServerConfig {
    /// With other framing limits.
    pub fn with_framer(mut self, framer: FramerConfig) -> Self {
        self.framer = framer;
        self
    }

    /// With or without state rules.
    pub fn with_enforce_states(mut self, enforce: bool) -> Self {
        self.enforce_states = enforce;
        self
    }

    /// With another literal policy.
    pub fn with_literals(mut self, literals: LiteralPolicy) -> Self {
        self.literals = literals;
        self
    }

    /// With or without answers of the session's own.
    pub fn with_auto_reply(mut self, auto_reply: bool) -> Self {
        self.auto_reply = auto_reply;
        self
    }

    /// With another bound on commands in flight.
    pub fn with_max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max;
        self
    }

    /// With another bound on octets held during a wait.
    pub fn with_max_buffered(mut self, max: usize) -> Self {
        self.max_buffered = max;
        self
    }

    /// With another violation limit (`None`: never close for violations).
    pub fn with_max_violations(mut self, max: Option<u32>) -> Self {
        self.max_violations = max;
        self
    }

    /// Streams APPEND literals larger than `octets` (see
    /// [`stream_literals_over`](ServerConfig::stream_literals_over)).
    pub fn with_stream_literals_over(mut self, octets: u64) -> Self {
        self.stream_literals_over = Some(octets);
        self
    }

    /// Holds every literal whole: no streaming.
    pub fn without_literal_streaming(mut self) -> Self {
        self.stream_literals_over = None;
        self
    }

    /// With or without [`ServerEvent::Received`].
    pub fn with_report_received(mut self, report: bool) -> Self {
        self.report_received = report;
        self
    }

    /// A configuration for following someone else's exchange (the corpus replayer): no state
    /// rules, no answers of its own, literals decided by the responses seen, every message
    /// reported.
    pub fn observer() -> Self {
        ServerConfig {
            enforce_states: false,
            literals: LiteralPolicy::Manual,
            auto_reply: false,
            max_in_flight: usize::MAX,
            max_buffered: usize::MAX,
            max_violations: None,
            report_received: true,
            stream_literals_over: None,
            ..ServerConfig::default()
        }
    }
}

/// What the server session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A command for the application; complete it with a tagged response.
    Command(Command<'static>),
    /// An APPEND whose message is larger than [`ServerConfig::stream_literals_over`] begins
    /// (RFC 9051 §6.3.12): its octets follow as [`ServerOutput::LiteralChunk`]s (the last one
    /// has `remaining: 0`), then the whole command as [`ServerEvent::Command`], where the
    /// message reads as empty: complete that one.
    AppendStreamStart {
        /// The APPEND up to its message (tag, mailbox, flags, date), parsed by the codec with
        /// an empty literal standing in for the message.
        command: Command<'static>,
        /// The message's octets.
        length: u64,
    },
    /// A SASL response line (or `*` cancel) of the AUTHENTICATE in progress.
    AuthenticateData {
        /// The AUTHENTICATE command's tag.
        tag: Tag<'static>,
        /// The line.
        data: AuthenticateData<'static>,
    },
    /// The client ended IDLE; send the tagged completion.
    IdleDone {
        /// The IDLE command's tag.
        tag: Tag<'static>,
    },
    /// A synchronizing literal awaits a decision ([`LiteralPolicy::Manual`]).
    LiteralAnnounced {
        /// The command's tag, when readable.
        tag: Option<Tag<'static>>,
        /// Its length.
        length: u64,
    },
    /// The session answered a command itself (BAD/NO) without handing it to the application.
    Rejected {
        /// The command, when it parsed.
        command: Option<Command<'static>>,
        /// The answer sent.
        response: Status<'static>,
    },
    /// The state changed.
    StateChanged {
        /// Before.
        from: State,
        /// After.
        to: State,
    },
    /// STARTTLS was answered OK: start the TLS handshake now, then call
    /// [`ServerSession::handle_tls_established`].
    TlsRequired,
    /// The client broke the protocol.
    ProtocolError(PeerError),
    /// Every received message, when [`ServerConfig::report_received`] is set.
    Received(Received),
    /// The session is closed (LOGOUT, BYE, end of stream).
    Closed,
}

/// One output of [`ServerSession::poll_output`]. It borrows the session until the next call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "bytes must be transmitted and events handled"]
// Outputs are moved out once each; boxing the events would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum ServerOutput<'a> {
    /// Bytes to write to the client, in order, lent from the session's output buffer until
    /// the next call to [`ServerSession::poll_output`].
    Transmit(&'a [u8]),
    /// Something happened.
    Event(ServerEvent),
    /// Octets of the message announced by the last [`ServerEvent::AppendStreamStart`], in
    /// order, lent from the session's receive buffer until the next call (no copy).
    LiteralChunk {
        /// The octets.
        data: &'a [u8],
        /// Octets of the literal still to come; `0` on its last chunk.
        remaining: u64,
    },
}

/// The sub-state owned by a command in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sub {
    None,
    /// AUTHENTICATE: client lines are SASL responses until the tagged completion.
    Authenticate,
    /// IDLE: the next client line is DONE.
    Idle {
        accepted: bool,
        done: bool,
    },
    /// STARTTLS: nothing the client sends is read until the answer; the bytes dropped so far.
    StartTls {
        dropped: usize,
    },
}

#[derive(Debug, Clone)]
struct InFlight {
    tag: Tag<'static>,
    name: &'static str,
    kind: CommandKind,
    sub: Sub,
}

#[derive(Debug, Clone)]
struct PendingLiteral {
    literal: LiteralAnnouncement,
    tag: Option<Tag<'static>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Open,
    AwaitingTls,
    Closed,
}

/// A sans-IO IMAP server session. See the [crate docs](crate) for the driving contract.
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    state: State,
    link: Link,
    input: FramedBuffer,
    in_flight: Vec<InFlight>,
    /// A synchronizing literal waiting for the application (Manual): its announcement and
    /// the tag of its command (the message so far stays in the framer's buffer).
    pending_literal: Option<PendingLiteral>,
    advertised: Vec<Capability<'static>>,
    violations: u32,
    /// A streamed literal's data is framed and not yet lent (`Some(remaining)`).
    chunk: Option<u64>,
    /// A chunk was lent: framing goes on at the next `poll_output`.
    chunk_lent: bool,
    /// A FETCH literal the application streams out: (octets still to push, the response's
    /// bytes after the literal).
    writing: Option<(u64, Vec<u8>)>,
    /// Bytes to transmit, lent by `poll_output`.
    out: Vec<u8>,
    /// `out` was lent: clear it before writing more or lending again.
    out_taken: bool,
    events: VecDeque<ServerEvent>,
}

/// RFC 7888 §4: LITERAL- allows non-synchronizing literals of at most this many octets.
const LITERAL_MINUS_MAX: u64 = 4096;

impl ServerSession {
    /// A session that has not sent its greeting yet ([`send_greeting`](Self::send_greeting)).
    pub fn new(config: ServerConfig) -> Self {
        Self::resume(config, State::Greeting)
    }

    /// A session that starts in `state`.
    pub fn resume(config: ServerConfig, state: State) -> Self {
        ServerSession {
            input: FramedBuffer::new(config.framer),
            config,
            state,
            link: Link::Open,
            in_flight: Vec::new(),
            pending_literal: None,
            advertised: Vec::new(),
            violations: 0,
            chunk: None,
            chunk_lent: false,
            writing: None,
            out: Vec::new(),
            out_taken: false,
            events: VecDeque::new(),
        }
    }

    // ---- getters ----

    /// The connection state.
    pub fn state(&self) -> State {
        self.state
    }

    /// True once closed.
    pub fn is_closed(&self) -> bool {
        self.link == Link::Closed
    }

    /// True between an OK to STARTTLS and [`handle_tls_established`](Self::handle_tls_established).
    pub fn is_awaiting_tls(&self) -> bool {
        self.link == Link::AwaitingTls
    }

    /// The capabilities this server last advertised (from its own CAPABILITY responses).
    pub fn advertised(&self) -> &[Capability<'static>] {
        &self.advertised
    }

    /// Tags of the commands handed to the application and not yet completed.
    pub fn in_flight(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.in_flight.iter().map(|c| (c.tag.as_str(), c.name))
    }

    /// The parser the next client message will be given.
    pub fn expecting(&self) -> MessageKind {
        for c in &self.in_flight {
            match c.sub {
                Sub::Authenticate => return MessageKind::AuthenticateData,
                Sub::Idle { done: false, .. } => return MessageKind::IdleDone,
                _ => {}
            }
        }
        MessageKind::Command
    }

    /// The protocol violations counted so far.
    pub fn violations(&self) -> u32 {
        self.violations
    }

    /// How many received octets the session holds, not yet handed on as a message or
    /// dropped: the part of a message still being received, and while the session waits,
    /// what was pipelined behind (at most [`ServerConfig::max_buffered`]).
    ///
    /// While an APPEND's message is streamed ([`ServerEvent::AppendStreamStart`]) the
    /// message's octets are not held: only the command without them, and at most one input.
    pub fn buffered_len(&self) -> usize {
        self.input.buffered_len()
    }

    /// Octets of the streamed FETCH literal still to push
    /// ([`send_fetch_stream`](Self::send_fetch_stream)), if one is being written.
    pub fn literal_wanted(&self) -> Option<u64> {
        self.writing.as_ref().map(|w| w.0)
    }

    /// False while the session reads no further client message: before the greeting, while a
    /// state-changing command or [`ServerConfig::max_in_flight`] commands are in flight (until
    /// the application completes one), and once closed or waiting for TLS. An I/O loop should
    /// not read from the socket meanwhile; bytes handed in anyway are held, up to
    /// [`ServerConfig::max_buffered`].
    pub fn wants_input(&self) -> bool {
        self.link == Link::Open && !self.waiting()
    }

    // ---- output ----

    /// The next output: the bytes to transmit first (all of them, in one slice lent until the
    /// next call), then the events in the order they arose. Call until `None` after every
    /// input and intention (the drain rule).
    pub fn poll_output(&mut self) -> Option<ServerOutput<'_>> {
        if self.out_taken {
            self.out.clear();
            self.out_taken = false;
        }
        if self.chunk_lent {
            // The application had the chunk: read on.
            self.chunk_lent = false;
            self.advance();
        }
        if !self.out.is_empty() {
            self.out_taken = true;
            return Some(ServerOutput::Transmit(&self.out));
        }
        if let Some(e) = self.events.pop_front() {
            return Some(ServerOutput::Event(e));
        }
        // A chunk is lent only while its literal is still being read (the buffer was not
        // dropped meanwhile: end of stream, STARTTLS, a limit).
        let remaining = self.chunk.take().filter(|_| self.input.is_streaming())?;
        self.chunk_lent = true;
        Some(ServerOutput::LiteralChunk {
            data: self.input.lent_literal_data(),
            remaining,
        })
    }

    fn event(&mut self, e: ServerEvent) {
        self.events.push_back(e);
    }

    /// The output buffer, emptied first if its bytes were lent already.
    fn out_buf(&mut self) -> &mut Vec<u8> {
        if self.out_taken {
            self.out.clear();
            self.out_taken = false;
        }
        &mut self.out
    }

    fn transmit(&mut self, bytes: &[u8]) {
        self.out_buf().extend_from_slice(bytes);
    }

    fn set_state(&mut self, to: State) {
        let from = self.state;
        if from != to {
            self.state = to;
            self.event(ServerEvent::StateChanged { from, to });
        }
    }

    fn trigger(&mut self, t: Trigger) {
        if let Some(to) = state::next(self.state, t) {
            self.set_state(to);
        }
    }

    fn close(&mut self) {
        if self.link != Link::Closed {
            self.link = Link::Closed;
            self.set_state(State::Logout);
            self.event(ServerEvent::Closed);
        }
    }

    // ---- intentions ----

    /// Sends the greeting (RFC 9051 §7.1): OK, PREAUTH or BYE.
    pub fn send_greeting(&mut self, greeting: Greeting<'_>) -> Result<(), LocalError> {
        if self.state != State::Greeting {
            return Err(LocalError::UnexpectedResponse(
                "greeting after the greeting",
            ));
        }
        if let Some(Code::Capability(c)) = greeting.code() {
            self.advertised = c.capabilities().to_vec().into_static();
        }
        let _ = greeting.encode(self.out_buf());
        match greeting.kind() {
            GreetingKind::Ok => self.trigger(Trigger::GreetingOk),
            GreetingKind::PreAuth => self.trigger(Trigger::GreetingPreAuth),
            GreetingKind::Bye => {
                self.trigger(Trigger::Bye);
                self.close();
            }
        }
        self.advance();
        Ok(())
    }

    /// Sends a response: untagged data or status, a continuation request (an AUTHENTICATE
    /// challenge, the acceptance of IDLE, or of a literal under [`LiteralPolicy::Manual`]), or
    /// a command's tagged completion.
    pub fn send_response(&mut self, response: Response<'_>) -> Result<(), LocalError> {
        match self.link {
            Link::Closed => return Err(LocalError::Closed),
            Link::AwaitingTls => return Err(LocalError::TlsPending),
            Link::Open => {}
        }
        if let Some((remaining, _)) = self.writing {
            return Err(LocalError::LiteralInProgress { remaining });
        }
        if self.state == State::Greeting && !self.config.report_received {
            return Err(LocalError::UnexpectedResponse(
                "response before the greeting",
            ));
        }
        let observer = !self.config.auto_reply;
        match &response {
            Response::Status(s) if s.tag().is_some() => {
                let tag = s
                    .tag()
                    .cloned()
                    .unwrap_or_else(|| unreachable!())
                    .into_static();
                let pos = self.in_flight.iter().position(|c| c.tag == tag);
                let literal_for_tag = self
                    .pending_literal
                    .as_ref()
                    .is_some_and(|p| p.tag.as_ref() == Some(&tag));
                if pos.is_none() && !literal_for_tag && !observer {
                    return Err(LocalError::UnknownTag(tag.as_str().to_owned()));
                }
                self.write(&response);
                if let Some(pos) = pos {
                    let cmd = self.in_flight.remove(pos);
                    self.completed(cmd, s.kind(), s.code());
                }
                if literal_for_tag {
                    self.refuse_literal();
                }
            }
            Response::Status(s) => {
                self.write(&response);
                if let Some(Code::Capability(c)) = s.code() {
                    self.advertised = c.capabilities().to_vec().into_static();
                }
                if s.kind() == StatusKind::Bye {
                    self.trigger(Trigger::Bye);
                    // During LOGOUT the tagged OK still follows the BYE (RFC 9051 §6.1.3).
                    let logout = self.in_flight.iter().any(|c| c.kind == CommandKind::Logout);
                    if !observer && !logout {
                        self.close();
                    }
                }
            }
            Response::Data(d) => {
                if let Data::Capability(c) = d {
                    self.advertised = c.capabilities().to_vec().into_static();
                }
                self.write(&response);
            }
            Response::Continuation(_) => {
                if self.pending_literal.take().is_some() {
                    // Accepted: the framer goes on with the literal data.
                } else if let Some(cmd) = self.in_flight.iter_mut().find(|c| {
                    matches!(
                        c.sub,
                        Sub::Authenticate
                            | Sub::Idle {
                                accepted: false,
                                ..
                            }
                    )
                }) {
                    if let Sub::Idle { done, .. } = cmd.sub {
                        cmd.sub = Sub::Idle {
                            accepted: true,
                            done,
                        };
                    }
                } else if !observer {
                    return Err(LocalError::UnexpectedResponse(
                        "continuation request nothing waits for",
                    ));
                }
                self.write(&response);
            }
        }
        self.advance();
        Ok(())
    }

    /// Sends FETCH data (RFC 9051 §7.5.2) whose literal the application streams: `response`
    /// holds an empty literal where the data goes (e.g. `BODY[]` with an empty literal
    /// value) and `length` is the literal's real size. The codec writes the response up to
    /// that literal's announcement (`{length}`); push the data with
    /// [`push_literal_chunk`](Self::push_literal_chunk) (drain [`poll_output`](Self::poll_output)
    /// after each push: the session holds at most one push); after the last octet the rest
    /// of the response follows. Other responses are refused meanwhile
    /// ([`LocalError::LiteralInProgress`]).
    pub fn send_fetch_stream(
        &mut self,
        response: Response<'_>,
        length: u64,
    ) -> Result<(), LocalError> {
        match self.link {
            Link::Closed => return Err(LocalError::Closed),
            Link::AwaitingTls => return Err(LocalError::TlsPending),
            Link::Open => {}
        }
        if let Some((remaining, _)) = self.writing {
            return Err(LocalError::LiteralInProgress { remaining });
        }
        if !matches!(response, Response::Data(Data::Fetch { .. })) || self.state == State::Greeting
        {
            return Err(LocalError::UnexpectedResponse(
                "a streamed literal outside FETCH data",
            ));
        }
        let mut buf = Vec::new();
        let mut e = Encoder::server_with(&mut buf, &EncodeOptions::default().streaming(length));
        Encode::encode(&response, &mut e);
        let encoded = e.finish();
        let Some(at) = encoded.streamed else {
            return Err(LocalError::UnexpectedResponse(
                "no empty literal to stream in the FETCH data",
            ));
        };
        self.transmit(&buf[..at]);
        self.writing = Some((length, buf[at..].to_vec()));
        if length == 0 {
            self.push_literal_chunk(&[])?;
        }
        Ok(())
    }

    /// Pushes the next octets of the FETCH literal being streamed
    /// ([`send_fetch_stream`](Self::send_fetch_stream)); after the last one, the rest of the
    /// response is written. Refused (nothing sent) when no literal is being streamed, or
    /// when `data` is longer than what remains.
    pub fn push_literal_chunk(&mut self, data: &[u8]) -> Result<(), LocalError> {
        let (remaining, _) = self.writing.as_mut().ok_or(LocalError::NoLiteralWanted)?;
        let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if len > *remaining {
            return Err(LocalError::LiteralTooLong {
                remaining: *remaining,
            });
        }
        *remaining -= len;
        let done = *remaining == 0;
        self.transmit(data);
        if done && let Some((_, tail)) = self.writing.take() {
            self.transmit(&tail);
        }
        Ok(())
    }

    /// Sends a SASL challenge (`+ base64`) during AUTHENTICATE.
    pub fn challenge(&mut self, data: &[u8]) -> Result<(), LocalError> {
        if !self.in_flight.iter().any(|c| c.sub == Sub::Authenticate) {
            return Err(LocalError::NotAuthenticating);
        }
        self.send_response(Response::Continuation(ContinuationRequest::base64(data)))
    }

    /// Completes the command `tag` with a tagged OK/NO/BAD.
    pub fn complete(
        &mut self,
        tag: Tag<'_>,
        kind: StatusKind,
        text: &str,
    ) -> Result<(), LocalError> {
        let text = RespText::plain(text.to_owned()).map_err(LocalError::Invalid)?;
        let status = Status::tagged(tag, kind, text).map_err(LocalError::Invalid)?;
        self.send_response(Response::Status(status))
    }

    fn write(&mut self, r: &Response<'_>) {
        let _ = r.encode(self.out_buf());
    }

    fn completed(&mut self, cmd: InFlight, kind: StatusKind, code: Option<&Code<'_>>) {
        let ok = kind == StatusKind::Ok;
        if let Sub::StartTls { dropped } = cmd.sub
            && dropped > 0
        {
            self.violations += 1;
            self.event(ServerEvent::ProtocolError(PeerError::StartTlsInjection {
                len: dropped,
            }));
        }
        if let Some(Code::Capability(c)) = code {
            self.advertised = c.capabilities().to_vec().into_static();
        }
        match cmd.kind {
            CommandKind::Login | CommandKind::Authenticate if ok => self.trigger(Trigger::AuthOk),
            CommandKind::Select | CommandKind::Examine if ok => self.trigger(Trigger::SelectOk),
            CommandKind::Select | CommandKind::Examine => self.trigger(Trigger::SelectFailed),
            CommandKind::Close | CommandKind::Unselect if ok => self.trigger(Trigger::CloseOk),
            CommandKind::Unauthenticate if ok => self.trigger(Trigger::UnauthenticateOk),
            CommandKind::Logout if ok => {
                self.trigger(Trigger::Logout);
                if self.config.auto_reply {
                    self.close();
                }
            }
            CommandKind::StartTls if ok => {
                // Whatever arrived meanwhile was discarded already; from now on the bytes are
                // TLS's.
                self.link = Link::AwaitingTls;
                self.event(ServerEvent::TlsRequired);
            }
            _ => {}
        }
    }

    /// The application completed a command whose synchronizing literal was pending: the
    /// command ends at its announcement (RFC 9051 §4.3) and is reported as such.
    fn refuse_literal(&mut self) {
        let Some(pending) = self.pending_literal.take() else {
            return;
        };
        // Only a trace follower sees the refused command's bytes: copied then, once.
        let prefix = self.config.report_received.then(|| {
            self.input
                .current_prefix(pending.literal.prefix_len)
                .to_vec()
        });
        self.input.reject_literal();
        while let Ok(Some(Frame::Discard(_))) = self.input.next_frame() {}
        if let Some(prefix) = prefix {
            let kind = self.expecting();
            let result = match parse(kind, &prefix) {
                // Valid up to the announcement, which ends it: a command cut there. The tag
                // and the octet count are the framer's.
                Err(PeerError::Syntax { error, .. })
                    if error.kind == ErrorKind::Incomplete && error.offset == prefix.len() =>
                {
                    match pending.tag {
                        Some(tag) => Ok(Inbound::RefusedCommand {
                            tag,
                            literal_octets: pending.literal.length,
                        }),
                        None => parse(kind, &prefix),
                    }
                }
                other => other,
            };
            self.event(ServerEvent::Received(Received {
                kind,
                bytes: prefix,
                result,
            }));
        }
    }

    // ---- inputs ----

    /// The TLS handshake after STARTTLS is done.
    pub fn handle_tls_established(&mut self) -> Result<(), LocalError> {
        if self.link != Link::AwaitingTls {
            return Err(LocalError::UnexpectedResponse("no STARTTLS completed"));
        }
        self.link = Link::Open;
        self.advertised.clear();
        Ok(())
    }

    /// The client closed the stream.
    pub fn handle_eof(&mut self) {
        if self.link == Link::Closed {
            return;
        }
        let rest = self.input.take_buffered();
        if !rest.is_empty() {
            let err = PeerError::Truncated {
                bytes: rest.clone(),
            };
            if self.config.report_received {
                self.event(ServerEvent::Received(Received {
                    kind: self.expecting(),
                    bytes: rest,
                    result: Err(err.clone()),
                }));
            }
            self.event(ServerEvent::ProtocolError(err));
        }
        self.close();
    }

    /// Bytes received from the client.
    pub fn handle_input(&mut self, bytes: &[u8]) -> Result<(), LocalError> {
        match self.link {
            Link::Closed => return Err(LocalError::Closed),
            Link::AwaitingTls => return Err(LocalError::TlsPending),
            Link::Open => {}
        }
        // The bytes go in pieces of at most `max_buffered`, each one framed as far as the
        // state allows before the next: so whatever is left when a wait begins is at most one
        // piece, and a wait never holds more than `max_buffered`.
        let piece = self.config.max_buffered.max(1);
        let mut rest = bytes;
        while !rest.is_empty() && self.link == Link::Open {
            if let Some(c) = self
                .in_flight
                .iter_mut()
                .find(|c| matches!(c.sub, Sub::StartTls { .. }))
            {
                // RFC 9051 §6.2.1: the client must wait for the answer to STARTTLS; anything it
                // sends meanwhile is never read as IMAP (reported with the answer).
                if let Sub::StartTls { dropped } = &mut c.sub {
                    *dropped += rest.len();
                }
                return Ok(());
            }
            if self.waiting() {
                let room = self
                    .config
                    .max_buffered
                    .saturating_sub(self.input.buffered_len());
                if rest.len() > room {
                    self.too_much_input();
                } else {
                    self.input.push(rest);
                }
                return Ok(());
            }
            let (now, later) = rest.split_at(rest.len().min(piece));
            self.input.push(now);
            rest = later;
            self.advance();
            if self.waiting() && self.input.buffered_len() > self.config.max_buffered {
                self.too_much_input();
            }
        }
        Ok(())
    }

    /// More than [`ServerConfig::max_buffered`] octets arrived during a wait: `* BYE [LIMIT]`
    /// and close (see there why).
    fn too_much_input(&mut self) {
        let _ = self.input.take_buffered();
        self.violations += 1;
        self.event(ServerEvent::ProtocolError(PeerError::TooManyCommands));
        if self.config.auto_reply {
            let bye = Status::bye(RespText::with_code(
                Code::Limit,
                Text::new(PeerError::TooManyCommands.reply()).unwrap_or_default(),
            ));
            self.write(&Response::Status(bye));
        }
        self.close();
    }

    /// True while received bytes are held rather than read: before the greeting, or while
    /// the next command must wait.
    fn waiting(&self) -> bool {
        self.state == State::Greeting || self.must_wait()
    }

    /// True while the next command must wait: a state-changing command is in flight (its
    /// outcome decides whether the next command is valid), or too many are.
    fn must_wait(&self) -> bool {
        if self.in_flight.len() >= self.config.max_in_flight {
            return true;
        }
        self.config.enforce_states
            && self.expecting() == MessageKind::Command
            && self
                .in_flight
                .iter()
                .any(|c| state::changes_state(c.kind) || c.kind == CommandKind::Idle)
    }

    /// Frames and handles what is buffered, as far as the state allows, and until a streamed
    /// literal's chunk is to be lent first (`poll_output` lends it and reads on).
    fn advance(&mut self) {
        if self.chunk.is_some() {
            // Not lent yet: framing on would drop it.
            return;
        }
        loop {
            if self.link != Link::Open || self.state == State::Greeting {
                return;
            }
            if self
                .in_flight
                .iter()
                .any(|c| matches!(c.sub, Sub::StartTls { .. }))
                || self.must_wait()
            {
                return;
            }
            let kind = self.expecting();
            let received = match self.input.next_frame() {
                Ok(None) => return,
                Ok(Some(Frame::Discard(_))) => continue,
                Ok(Some(Frame::LiteralData { remaining, .. })) => {
                    self.chunk = Some(remaining);
                    return;
                }
                Ok(Some(Frame::Literal(lit))) => {
                    // Nothing of the message so far is copied (issue 18 item 1: copying the
                    // prefix at every literal made `{0+}` repeated N times quadratic): the
                    // tag is read from the framer's buffer, only when it is needed.
                    if !lit.synchronizing {
                        let limit = if self.advertised.contains(&Capability::LiteralPlus) {
                            u64::MAX
                        } else {
                            LITERAL_MINUS_MAX
                        };
                        if lit.length > limit && self.config.auto_reply {
                            // RFC 7888 §4 (first choice), §5: refuse the command at the
                            // announcement, with a tagged BAD [TOOBIG]; its octets are read
                            // and dropped as they come, never held, so that the stream stays
                            // in step.
                            let tag = self.input.current_tag().map(IntoStatic::into_static);
                            self.input.reject_literal();
                            let err = PeerError::Frame(FrameError::LiteralTooLarge {
                                literal: lit,
                                limit: LITERAL_MINUS_MAX,
                            });
                            if self.config.report_received {
                                self.event(ServerEvent::Received(Received {
                                    kind,
                                    bytes: Vec::new(),
                                    result: Err(err.clone()),
                                }));
                            }
                            self.violation(err, tag, None);
                        } else {
                            self.maybe_stream(kind, lit);
                        }
                        continue;
                    }
                    match self.config.literals {
                        LiteralPolicy::Auto => {
                            self.transmit(b"+ Ready for literal data\r\n");
                            self.maybe_stream(kind, lit);
                        }
                        LiteralPolicy::Manual => {
                            let tag = self.input.current_tag().map(IntoStatic::into_static);
                            self.event(ServerEvent::LiteralAnnounced {
                                tag: tag.clone(),
                                length: lit.length,
                            });
                            self.pending_literal = Some(PendingLiteral { literal: lit, tag });
                        }
                    }
                    continue;
                }
                Ok(Some(Frame::Message(m))) => {
                    // Parsed where it lies in the framer's buffer; the value is made owned
                    // (the one copy of the message). Its bytes are copied again only for a
                    // trace follower, its tag only when it does not parse.
                    let result = parse(kind, m);
                    let tag = match &result {
                        Err(_) => imap_codec::framer::message_tag(m).map(IntoStatic::into_static),
                        Ok(_) => None,
                    };
                    let bytes = self.config.report_received.then(|| m.to_vec());
                    (result, tag, bytes)
                }
                Err(e) => {
                    self.frame_error(kind, e);
                    continue;
                }
            };
            self.pending_literal = None;
            self.message(kind, received);
        }
    }

    /// An accepted literal over the threshold in an APPEND is streamed. Whether the literal
    /// is an APPEND's message is the codec's to say: the command up to the literal, with the
    /// literal empty ([`zero_announced_count`]) and ended with CRLF, must parse as APPEND.
    /// Any other literal is held as usual, within the framer's limits.
    ///
    /// [`zero_announced_count`]: imap_codec::framer::zero_announced_count
    fn maybe_stream(&mut self, kind: MessageKind, lit: LiteralAnnouncement) {
        let Some(threshold) = self.config.stream_literals_over else {
            return;
        };
        if kind != MessageKind::Command || lit.length <= threshold {
            return;
        }
        let mut head = self.input.current_prefix(lit.prefix_len).to_vec();
        if !imap_codec::framer::zero_announced_count(&mut head) {
            return;
        }
        head.extend_from_slice(b"\r\n");
        let Ok(command) = Command::parse(&head) else {
            return;
        };
        if !matches!(command.body, CommandBody::Append { .. }) {
            return;
        }
        let command = command.into_static();
        if self.input.stream_literal() {
            self.event(ServerEvent::AppendStreamStart {
                command,
                length: lit.length,
            });
        }
    }

    fn frame_error(&mut self, kind: MessageKind, e: FrameError) {
        let tag = self.input.current_tag().map(IntoStatic::into_static);
        self.pending_literal = None;
        if self.config.report_received {
            self.event(ServerEvent::Received(Received {
                kind,
                bytes: Vec::new(),
                result: Err(PeerError::Frame(e)),
            }));
        }
        self.violation(PeerError::Frame(e), tag, None);
    }

    /// Reports a violation, answers it with BAD (when answering), and ends the session with
    /// BYE after too many.
    fn violation(
        &mut self,
        err: PeerError,
        tag: Option<Tag<'static>>,
        command: Option<Command<'static>>,
    ) {
        let text = RespText::plain(err.reply()).unwrap_or_default();
        let too_big = matches!(err, PeerError::Frame(FrameError::LiteralTooLarge { .. }));
        let kind = if err == PeerError::LoginDisabled {
            StatusKind::No
        } else {
            StatusKind::Bad
        };
        self.event(ServerEvent::ProtocolError(err));
        self.violations += 1;
        if !self.config.auto_reply {
            return;
        }
        let mut status = match tag {
            Some(tag) if kind == StatusKind::No => Status::no(tag, text),
            Some(tag) => Status::bad(tag, text),
            None => Status::untagged(kind, text),
        }
        .into_static();
        if too_big {
            // RFC 7888 §5: a BAD to an APPEND for a literal over the limit carries TOOBIG
            // (RFC 4469 §4.2, also for "a server-specific message size limit").
            status = status.with_code(Code::TooBig);
        }
        self.write(&Response::Status(status.clone()));
        self.event(ServerEvent::Rejected {
            command,
            response: status,
        });
        if self
            .config
            .max_violations
            .is_some_and(|max| self.violations >= max)
        {
            let bye = Status::bye(RespText::plain("Too many errors").unwrap_or_default());
            self.write(&Response::Status(bye));
            self.close();
        }
    }

    fn message(&mut self, kind: MessageKind, received: ParsedMessage) {
        let (result, message_tag, bytes) = received;
        if let Some(bytes) = bytes {
            self.event(ServerEvent::Received(Received {
                kind,
                bytes,
                result: result.clone(),
            }));
        }
        let owner = self
            .in_flight
            .iter()
            .position(|c| matches!(c.sub, Sub::Authenticate | Sub::Idle { done: false, .. }));
        match result {
            Err(e) => {
                // RFC 9051 §6.2.2: a SASL line that is not base64 ends the exchange with BAD.
                let tag = match owner {
                    Some(i) if self.config.auto_reply => {
                        let c = self.in_flight.remove(i);
                        Some(c.tag)
                    }
                    Some(_) => None,
                    None => message_tag,
                };
                self.violation(e, tag, None);
            }
            Ok(Inbound::AuthenticateData(data)) => {
                let tag = owner.map(|i| self.in_flight[i].tag.clone());
                if let Some(tag) = tag {
                    self.event(ServerEvent::AuthenticateData { tag, data });
                }
            }
            Ok(Inbound::IdleDone(_)) => {
                if let Some(i) = owner {
                    if let Sub::Idle { accepted, .. } = self.in_flight[i].sub {
                        self.in_flight[i].sub = Sub::Idle {
                            accepted,
                            done: true,
                        };
                    }
                    let tag = self.in_flight[i].tag.clone();
                    self.event(ServerEvent::IdleDone { tag });
                }
            }
            Ok(Inbound::Command(cmd)) => self.command(cmd),
            Ok(_) => {}
        }
    }

    fn command(&mut self, cmd: Command<'static>) {
        if self.config.enforce_states {
            let valid = state::valid_states(&cmd.body);
            if !valid.contains(self.state) {
                let tag = Some(cmd.tag.clone());
                let err = PeerError::InvalidState {
                    command: cmd.name(),
                    state: self.state,
                };
                self.violation(err, tag, Some(cmd));
                return;
            }
            if matches!(cmd.body, CommandBody::Login { .. })
                && self.advertised.contains(&Capability::LoginDisabled)
            {
                let tag = Some(cmd.tag.clone());
                self.violation(PeerError::LoginDisabled, tag, Some(cmd));
                return;
            }
            if self.in_flight.iter().any(|c| c.tag == cmd.tag) {
                // Tags must be unique among commands in flight (RFC 9051 §2.2.1).
                let tag = Some(cmd.tag.clone());
                let err = PeerError::DuplicateTag(cmd.tag.as_str().to_owned());
                self.violation(err, tag, Some(cmd));
                return;
            }
        }
        let sub = match cmd.body {
            CommandBody::Authenticate { .. } => Sub::Authenticate,
            CommandBody::Idle => Sub::Idle {
                accepted: false,
                done: false,
            },
            CommandBody::StartTls => {
                // RFC 9051 §6.2.1, CVE-2011-0411: anything pipelined after STARTTLS is
                // dropped unread (and reported with the answer, so that how the bytes were
                // chunked does not matter).
                let rest = self.input.take_buffered();
                Sub::StartTls {
                    dropped: rest.len(),
                }
            }
            _ => Sub::None,
        };
        self.in_flight.push(InFlight {
            tag: cmd.tag.clone(),
            name: cmd.name(),
            kind: cmd.kind(),
            sub,
        });
        self.event(ServerEvent::Command(cmd));
    }
}

/// A framed message: the parser's result, the tag when it did not parse, and its bytes when
/// they are reported ([`ServerConfig::report_received`]).
type ParsedMessage = (
    Result<Inbound, PeerError>,
    Option<Tag<'static>>,
    Option<Vec<u8>>,
);

fn parse(kind: MessageKind, bytes: &[u8]) -> Result<Inbound, PeerError> {
    let r = match kind {
        MessageKind::AuthenticateData => {
            AuthenticateData::parse(bytes).map(|d| Inbound::AuthenticateData(d.into_static()))
        }
        MessageKind::IdleDone => IdleDone::parse(bytes).map(Inbound::IdleDone),
        _ => Command::parse(bytes).map(|c| Inbound::Command(c.into_static())),
    };
    r.map_err(|error| PeerError::Syntax {
        bytes: bytes.to_vec(),
        error,
    })
}
