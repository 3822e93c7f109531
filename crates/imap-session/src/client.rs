//! The client session (RFC 9051 §2.2.1, §5.5, §6, §7): commands out, responses in.
//!
//! The session sends each command's bytes, stopping after every synchronizing literal
//! announcement until the server's `+` (RFC 9051 §4.3, §7.5); with LITERAL+ (or LITERAL- for
//! literals of at most 4096 octets, RFC 7888) it sends `{n+}` and does not wait. Commands sent
//! while one waits for `+` are queued behind it, so the wire order is the call order.
//!
//! Every command gets a [`CommandHandle`]; its tagged completion is [`ClientEvent::Completed`].
//! Untagged data is attributed to a command in flight when exactly one command in flight can
//! have caused it (RFC 9051 §7: FETCH data to the FETCH/STORE, SEARCH data to the SEARCH, ...);
//! otherwise it is unsolicited (`handle: None`).

use std::collections::VecDeque;

use imap_codec::framer::{Frame, FramedBuffer, FramerConfig};
use imap_codec::response::GreetingKind;
use imap_codec::{
    AuthenticateData, Capability, Code, Command, CommandBody, ContinuationRequest, Data,
    EncodeOptions, Greeting, IdleDone, IntoStatic, LiteralCapability, Response, Status, StatusKind,
    Tag,
};

use crate::error::{LocalError, PeerError};
use crate::mailbox::{MailboxChange, MailboxView};
use crate::state::{self, State, Trigger};
use crate::{Inbound, MessageKind, Received};

/// Settings of a [`ClientSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Limits for framing the server's responses.
    pub framer: FramerConfig,
    /// Tags are this prefix and a counter (`A1`, `A2`, ...).
    pub tag_prefix: String,
    /// Use this literal mode instead of the one the server's capabilities imply.
    pub literal_override: Option<LiteralCapability>,
    /// Refuse commands not valid in the (expected) state as a [`LocalError`]. Off for tools that
    /// follow an exchange from its middle.
    pub enforce_states: bool,
    /// Emit [`ClientEvent::Received`] for every message (for trace replayers).
    pub report_received: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            framer: FramerConfig::client(),
            tag_prefix: "A".to_owned(),
            literal_override: None,
            enforce_states: true,
            report_received: false,
        }
    }
}

impl ClientConfig {
    /// A configuration for following someone else's exchange (the corpus replayer): no state
    /// rules, every message reported.
    pub fn observer() -> Self {
        ClientConfig {
            enforce_states: false,
            report_received: true,
            literal_override: Some(LiteralCapability::Plus),
            ..ClientConfig::default()
        }
    }
}

/// Identifies a command sent by [`ClientSession::send`] in the events about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandHandle(pub u64);

/// What the client session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The greeting (RFC 9051 §7.1): OK, PREAUTH or BYE.
    Greeting(Greeting<'static>),
    /// Untagged data; `handle` is the command it answers when that can be told.
    Data {
        /// The command in flight it belongs to, if any.
        handle: Option<CommandHandle>,
        /// The data.
        data: Data<'static>,
    },
    /// An untagged OK/NO/BAD (RFC 9051 §7.1.1–§7.1.3).
    Status {
        /// The command in flight it belongs to, if exactly one is in flight.
        handle: Option<CommandHandle>,
        /// The response.
        status: Status<'static>,
    },
    /// The selected mailbox changed (EXISTS, EXPUNGE, UIDVALIDITY).
    Mailbox(MailboxChange),
    /// The state changed.
    StateChanged {
        /// Before.
        from: State,
        /// After.
        to: State,
    },
    /// A command completed (its tagged OK/NO/BAD, RFC 9051 §7.1).
    Completed {
        /// The command.
        handle: CommandHandle,
        /// The tagged response (kind, code, text).
        status: Status<'static>,
    },
    /// A continuation request during AUTHENTICATE, decoded: answer with
    /// [`ClientSession::authenticate_continue`].
    AuthenticateChallenge {
        /// The AUTHENTICATE command.
        handle: CommandHandle,
        /// The decoded challenge.
        data: Vec<u8>,
    },
    /// A continuation request nothing in the session waits for (kept for the application).
    Continuation {
        /// The request.
        request: ContinuationRequest<'static>,
    },
    /// The server accepted IDLE (`+`): updates follow until [`ClientSession::idle_done`].
    IdleAccepted {
        /// The IDLE command.
        handle: CommandHandle,
    },
    /// The server refused IDLE (its completion follows).
    IdleRejected {
        /// The IDLE command.
        handle: CommandHandle,
    },
    /// The server refused a synchronizing literal (a tagged response instead of `+`); the rest
    /// of the command was not sent.
    LiteralRejected {
        /// The command.
        handle: CommandHandle,
    },
    /// STARTTLS succeeded: start the TLS handshake on the socket now, then call
    /// [`ClientSession::handle_tls_established`]. `discarded` bytes that followed the OK were
    /// dropped unread (a [`PeerError::StartTlsInjection`] was reported when non-zero).
    TlsRequired {
        /// Bytes dropped.
        discarded: usize,
    },
    /// Untagged BYE (RFC 9051 §7.1.5): the server is closing the connection.
    Bye(Status<'static>),
    /// The server broke the protocol.
    ProtocolError(PeerError),
    /// Every received message, when [`ClientConfig::report_received`] is set.
    Received(Received),
    /// The stream ended.
    Closed,
}

/// One output of [`ClientSession::poll_output`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "bytes must be transmitted and events handled"]
// Outputs are moved out once each; boxing the events would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum ClientOutput {
    /// Bytes to write to the server, in order.
    Transmit(Vec<u8>),
    /// Something happened.
    Event(ClientEvent),
}

/// The sub-state owned by a command in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sub {
    None,
    Authenticate,
    Idle { accepted: bool, done: bool },
}

#[derive(Debug, Clone)]
struct InFlight {
    handle: CommandHandle,
    tag: Tag<'static>,
    name: &'static str,
    sub: Sub,
    /// Bytes not yet sent: each piece waits for a `+`.
    unsent: VecDeque<Vec<u8>>,
}

/// Where the session is, beyond the connection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Open,
    /// STARTTLS completed with OK: the bytes are TLS's until `handle_tls_established`.
    AwaitingTls,
    Closed,
}

/// A sans-IO IMAP client session. See the [crate docs](crate) for the driving contract.
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    state: State,
    link: Link,
    input: FramedBuffer,
    in_flight: Vec<InFlight>,
    /// Index in `in_flight` of the command whose bytes wait for `+`.
    blocked: Option<CommandHandle>,
    next_handle: u64,
    next_tag: u64,
    capabilities: Option<Vec<Capability<'static>>>,
    enabled: Vec<Capability<'static>>,
    mailbox: Option<MailboxView>,
    /// The view being built while SELECT/EXAMINE is in flight.
    selecting: Option<MailboxView>,
    out: VecDeque<ClientOutput>,
}

impl ClientSession {
    /// A session that waits for the server's greeting.
    pub fn new(config: ClientConfig) -> Self {
        Self::resume(config, State::Greeting)
    }

    /// A session that starts in `state` (for a connection whose start was handled elsewhere, or
    /// a trace that starts in the middle).
    pub fn resume(config: ClientConfig, state: State) -> Self {
        ClientSession {
            input: FramedBuffer::new(config.framer),
            config,
            state,
            link: Link::Open,
            in_flight: Vec::new(),
            blocked: None,
            next_handle: 0,
            next_tag: 1,
            capabilities: None,
            enabled: Vec::new(),
            mailbox: (state == State::Selected).then(MailboxView::default),
            selecting: None,
            out: VecDeque::new(),
        }
    }

    // ---- getters ----

    /// The connection state.
    pub fn state(&self) -> State {
        self.state
    }

    /// True once the session is closed (LOGOUT, BYE, end of stream).
    pub fn is_closed(&self) -> bool {
        self.link == Link::Closed
    }

    /// True between a successful STARTTLS and [`handle_tls_established`](Self::handle_tls_established).
    pub fn is_awaiting_tls(&self) -> bool {
        self.link == Link::AwaitingTls
    }

    /// The server's capabilities as last announced, or `None` when unknown (not yet
    /// announced, or forgotten after STARTTLS / authentication, RFC 9051 §6.2.1, §6.2.2).
    pub fn capabilities(&self) -> Option<&[Capability<'static>]> {
        self.capabilities.as_deref()
    }

    /// True when the server announced `cap`.
    pub fn has_capability(&self, cap: &Capability<'_>) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|c| c.iter().any(|x| x == cap))
    }

    /// Extensions the server reported as ENABLED (RFC 5161).
    pub fn enabled(&self) -> &[Capability<'static>] {
        &self.enabled
    }

    /// The selected mailbox, when in [`State::Selected`].
    pub fn mailbox(&self) -> Option<&MailboxView> {
        self.mailbox.as_ref()
    }

    /// Commands sent and not yet completed, oldest first: (handle, tag, name).
    pub fn in_flight(&self) -> impl Iterator<Item = (CommandHandle, &str, &'static str)> {
        self.in_flight
            .iter()
            .map(|c| (c.handle, c.tag.as_str(), c.name))
    }

    /// The parser the next server message will be given.
    pub fn expecting(&self) -> MessageKind {
        if self.state == State::Greeting {
            MessageKind::Greeting
        } else {
            MessageKind::Response
        }
    }

    /// The literal mode used to encode commands now.
    pub fn literal_capability(&self) -> LiteralCapability {
        if let Some(l) = self.config.literal_override {
            return l;
        }
        if self.has_capability(&Capability::LiteralPlus) {
            LiteralCapability::Plus
        } else if self.has_capability(&Capability::LiteralMinus)
            || self.has_capability(&Capability::Imap4rev2)
        {
            LiteralCapability::Minus
        } else {
            LiteralCapability::None
        }
    }

    // ---- output ----

    /// The next output. Call until `None` after every input (the drain rule).
    pub fn poll_output(&mut self) -> Option<ClientOutput> {
        self.out.pop_front()
    }

    fn event(&mut self, e: ClientEvent) {
        self.out.push_back(ClientOutput::Event(e));
    }

    fn transmit(&mut self, bytes: Vec<u8>) {
        if let Some(ClientOutput::Transmit(last)) = self.out.back_mut() {
            last.extend_from_slice(&bytes);
        } else {
            self.out.push_back(ClientOutput::Transmit(bytes));
        }
    }

    // ---- intentions ----

    /// Sends a command with the next tag of the session.
    pub fn send(&mut self, body: CommandBody<'_>) -> Result<CommandHandle, LocalError> {
        let tag = format!("{}{}", self.config.tag_prefix, self.next_tag);
        let tag = Tag::new(tag).map_err(LocalError::Invalid)?;
        self.next_tag += 1;
        self.send_command(Command::new(tag, body))
    }

    /// Sends a command with its own tag.
    pub fn send_command(&mut self, command: Command<'_>) -> Result<CommandHandle, LocalError> {
        match self.link {
            Link::Closed => return Err(LocalError::Closed),
            Link::AwaitingTls => return Err(LocalError::TlsPending),
            Link::Open => {}
        }
        if self.in_flight.iter().any(|c| c.name == "STARTTLS") {
            return Err(LocalError::StartTlsInFlight);
        }
        if self.in_flight.iter().any(|c| c.tag == command.tag) {
            return Err(LocalError::DuplicateTag(command.tag.as_str().to_owned()));
        }
        if self
            .in_flight
            .iter()
            .any(|c| matches!(c.sub, Sub::Idle { done: false, .. } | Sub::Authenticate))
            && self.config.enforce_states
        {
            // RFC 2177 / RFC 9051 §6.2.2: nothing but DONE / SASL lines until they end.
            return Err(LocalError::InvalidState {
                command: command.name(),
                state: self.state,
            });
        }
        if self.config.enforce_states {
            let expected = self.expected_state();
            if !state::valid_states(&command.body).contains(expected) {
                return Err(LocalError::InvalidState {
                    command: command.name(),
                    state: expected,
                });
            }
            if matches!(command.body, CommandBody::Login { .. })
                && self.has_capability(&Capability::LoginDisabled)
            {
                return Err(LocalError::LoginDisabled);
            }
        }
        let mut buf = Vec::new();
        // RFC 7888 §3, §5: a `{n+}` the server does not allow goes as `{n}`.
        let options = EncodeOptions::with_literal(self.literal_capability()).enforcing(true);
        let encoded = command.encode(&mut buf, &options);
        let mut unsent: VecDeque<Vec<u8>> = encoded.chunks(&buf).map(<[u8]>::to_vec).collect();
        let handle = CommandHandle(self.next_handle);
        self.next_handle += 1;
        let sub = match command.body {
            CommandBody::Authenticate { .. } => Sub::Authenticate,
            CommandBody::Idle => Sub::Idle {
                accepted: false,
                done: false,
            },
            _ => Sub::None,
        };
        if matches!(
            command.body,
            CommandBody::Select { .. } | CommandBody::Examine { .. }
        ) {
            self.selecting = Some(MailboxView::default());
        }
        if self.blocked.is_none() {
            let first = unsent.pop_front().unwrap_or_default();
            self.transmit(first);
            if !unsent.is_empty() {
                self.blocked = Some(handle);
            }
        }
        self.in_flight.push(InFlight {
            handle,
            tag: command.tag.into_static(),
            name: command.body.name(),
            sub,
            unsent,
        });
        Ok(handle)
    }

    /// Answers an AUTHENTICATE challenge (base64 line) or cancels the exchange (`*`),
    /// RFC 9051 §6.2.2.
    pub fn authenticate_continue(&mut self, data: AuthenticateData<'_>) -> Result<(), LocalError> {
        self.check_open()?;
        if !self.in_flight.iter().any(|c| c.sub == Sub::Authenticate) {
            return Err(LocalError::NotAuthenticating);
        }
        let mut buf = Vec::new();
        let _ = data.encode(&mut buf);
        self.transmit(buf);
        Ok(())
    }

    /// Ends IDLE with `DONE` (RFC 2177, RFC 9051 §6.3.13); its completion follows.
    pub fn idle_done(&mut self) -> Result<(), LocalError> {
        self.check_open()?;
        let cmd = self
            .in_flight
            .iter_mut()
            .find(|c| matches!(c.sub, Sub::Idle { done: false, .. }))
            .ok_or(LocalError::NotIdling)?;
        if let Sub::Idle { accepted, .. } = cmd.sub {
            cmd.sub = Sub::Idle {
                accepted,
                done: true,
            };
        }
        let mut buf = Vec::new();
        let _ = IdleDone.encode(&mut buf);
        self.transmit(buf);
        Ok(())
    }

    fn check_open(&self) -> Result<(), LocalError> {
        match self.link {
            Link::Open => Ok(()),
            Link::AwaitingTls => Err(LocalError::TlsPending),
            Link::Closed => Err(LocalError::Closed),
        }
    }

    /// The state the session will be in if every command in flight succeeds (commands are
    /// checked against it, so that LOGIN and SELECT may be pipelined).
    fn expected_state(&self) -> State {
        self.in_flight
            .iter()
            .fold(self.state, |s, c| match success_trigger(c.name) {
                Some(t) => state::next(s, t).unwrap_or(s),
                None => s,
            })
    }

    // ---- inputs ----

    /// The TLS handshake after STARTTLS is done: IMAP goes on over TLS.
    pub fn handle_tls_established(&mut self) -> Result<(), LocalError> {
        if self.link != Link::AwaitingTls {
            return Err(LocalError::UnexpectedResponse("no STARTTLS completed"));
        }
        self.link = Link::Open;
        Ok(())
    }

    /// The server closed the stream.
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
                self.event(ClientEvent::Received(Received {
                    kind: self.expecting(),
                    bytes: rest,
                    result: Err(err.clone()),
                }));
            }
            self.event(ClientEvent::ProtocolError(err));
        }
        self.close();
    }

    fn close(&mut self) {
        self.link = Link::Closed;
        if self.state != State::Logout {
            self.set_state(State::Logout);
        }
        self.event(ClientEvent::Closed);
    }

    fn set_state(&mut self, to: State) {
        let from = self.state;
        if from != to {
            self.state = to;
            if to != State::Selected {
                self.mailbox = None;
            }
            self.event(ClientEvent::StateChanged { from, to });
        }
    }

    fn trigger(&mut self, t: Trigger) {
        if let Some(to) = state::next(self.state, t) {
            self.set_state(to);
        }
    }

    /// Bytes received from the server.
    pub fn handle_input(&mut self, bytes: &[u8]) -> Result<(), LocalError> {
        self.check_open()?;
        self.input.push(bytes);
        loop {
            if self.link != Link::Open {
                break;
            }
            let kind = self.expecting();
            let frame = match self.input.next_frame() {
                Ok(None) => break,
                Ok(Some(Frame::Literal(_) | Frame::Discard(_))) => continue,
                Ok(Some(Frame::Message(m))) => m.to_vec(),
                Err(e) => {
                    let err = PeerError::Frame(e);
                    if self.config.report_received {
                        self.event(ClientEvent::Received(Received {
                            kind,
                            bytes: Vec::new(),
                            result: Err(err.clone()),
                        }));
                    }
                    if kind == MessageKind::Greeting {
                        self.set_state(State::NotAuthenticated);
                    }
                    self.event(ClientEvent::ProtocolError(err));
                    continue;
                }
            };
            self.message(kind, frame);
        }
        Ok(())
    }

    fn message(&mut self, kind: MessageKind, bytes: Vec<u8>) {
        let parsed = if kind == MessageKind::Greeting {
            Greeting::parse(&bytes).map(|g| Inbound::Greeting(g.into_static()))
        } else {
            Response::parse(&bytes).map(|r| Inbound::Response(r.into_static()))
        };
        let parsed = parsed.map_err(|error| PeerError::Syntax {
            bytes: bytes.clone(),
            error,
        });
        if self.config.report_received {
            self.event(ClientEvent::Received(Received {
                kind,
                bytes,
                result: parsed.clone(),
            }));
        }
        match parsed {
            Ok(Inbound::Greeting(g)) => self.greeting(g),
            Ok(Inbound::Response(r)) => self.response(r),
            Ok(_) => {}
            Err(e) => {
                if kind == MessageKind::Greeting {
                    // The exchange can only be followed as if the greeting were OK.
                    self.set_state(State::NotAuthenticated);
                }
                self.event(ClientEvent::ProtocolError(e));
            }
        }
    }

    fn greeting(&mut self, g: Greeting<'static>) {
        if let Some(Code::Capability(c)) = g.code() {
            self.capabilities = Some(c.capabilities().to_vec());
        }
        let kind = g.kind();
        self.event(ClientEvent::Greeting(g.clone()));
        match kind {
            GreetingKind::Ok => self.trigger(Trigger::GreetingOk),
            GreetingKind::PreAuth => self.trigger(Trigger::GreetingPreAuth),
            GreetingKind::Bye => {
                self.event(ClientEvent::Bye(Status::bye(g.into_parts().1)));
                self.trigger(Trigger::Bye);
            }
        }
    }

    /// The view that untagged mailbox data updates: the one being selected, else the
    /// selected one.
    fn view_mut(&mut self) -> Option<&mut MailboxView> {
        if self.selecting.is_some() {
            self.selecting.as_mut()
        } else {
            self.mailbox.as_mut()
        }
    }

    fn apply_code(&mut self, code: &Code<'static>) {
        match code {
            Code::Capability(c) => self.capabilities = Some(c.capabilities().to_vec()),
            other => {
                if let Some(change) = self.view_mut().and_then(|v| v.apply_code(other)) {
                    self.event(ClientEvent::Mailbox(change));
                }
            }
        }
    }

    fn attribute(&self, data: &Data<'_>) -> Option<CommandHandle> {
        let names: &[&str] = match data {
            Data::Capability(_) => &["CAPABILITY"],
            Data::Enabled(_) => &["ENABLE"],
            Data::List(_) => &["LIST"],
            Data::Lsub(_) => &["LSUB"],
            Data::Namespace(_) => &["NAMESPACE"],
            Data::Status(_) => &["STATUS", "LIST"],
            Data::Search(_) => &["SEARCH", "UID SEARCH"],
            Data::Esearch(_) => &["SEARCH", "UID SEARCH"],
            Data::Flags(_) | Data::Exists(_) | Data::Recent(_) => &["SELECT", "EXAMINE"],
            Data::Expunge(_) => &["EXPUNGE", "UID EXPUNGE", "MOVE", "UID MOVE"],
            Data::Fetch(_) => &["FETCH", "UID FETCH", "STORE", "UID STORE"],
            // `Data` grows with extensions: data no command here asked for.
            _ => &[],
        };
        let mut it = self.in_flight.iter().filter(|c| names.contains(&c.name));
        match (it.next(), it.next()) {
            (Some(c), None) => Some(c.handle),
            _ => None,
        }
    }

    fn response(&mut self, r: Response<'static>) {
        match r {
            Response::Data(data) => {
                let handle = self.attribute(&data);
                match &data {
                    Data::Capability(c) => self.capabilities = Some(c.capabilities().to_vec()),
                    Data::Enabled(caps) => {
                        for c in caps {
                            if !self.enabled.contains(c) {
                                self.enabled.push(c.clone());
                            }
                        }
                    }
                    _ => {}
                }
                let change = self.view_mut().and_then(|v| v.apply_data(&data));
                self.event(ClientEvent::Data { handle, data });
                if let Some(change) = change {
                    self.event(ClientEvent::Mailbox(change));
                }
            }
            Response::Status(s) if s.tag().is_none() => {
                if let Some(code) = s.code() {
                    self.apply_code(code);
                }
                if s.kind() == StatusKind::Bye {
                    self.event(ClientEvent::Bye(s));
                    self.trigger(Trigger::Bye);
                } else {
                    let handle = match self.in_flight.as_slice() {
                        [one] => Some(one.handle),
                        _ => None,
                    };
                    self.event(ClientEvent::Status { handle, status: s });
                }
            }
            Response::Status(s) => self.completion(s),
            Response::Continuation(c) => self.continuation(c),
        }
    }

    fn continuation(&mut self, c: ContinuationRequest<'static>) {
        // A command waiting to send its literal comes first: it is the one that asked.
        if let Some(handle) = self.blocked {
            self.flush_blocked(handle);
            return;
        }
        let Some(cmd) = self.in_flight.iter_mut().find(|c| {
            matches!(
                c.sub,
                Sub::Authenticate
                    | Sub::Idle {
                        accepted: false,
                        ..
                    }
            )
        }) else {
            self.event(ClientEvent::ProtocolError(
                PeerError::UnexpectedContinuation,
            ));
            self.event(ClientEvent::Continuation { request: c });
            return;
        };
        let handle = cmd.handle;
        match cmd.sub {
            Sub::Authenticate => match c.base64_data() {
                Some(data) => self.event(ClientEvent::AuthenticateChallenge { handle, data }),
                None => {
                    self.event(ClientEvent::ProtocolError(PeerError::ChallengeNotBase64));
                    self.event(ClientEvent::Continuation { request: c });
                }
            },
            Sub::Idle { done, .. } => {
                cmd.sub = Sub::Idle {
                    accepted: true,
                    done,
                };
                self.event(ClientEvent::IdleAccepted { handle });
            }
            Sub::None => {}
        }
    }

    /// Sends the next piece of the blocked command, then whatever was queued behind it.
    fn flush_blocked(&mut self, handle: CommandHandle) {
        self.blocked = None;
        let mut pieces = Vec::new();
        let mut seen = false;
        for cmd in &mut self.in_flight {
            if cmd.handle == handle {
                seen = true;
            }
            if !seen {
                continue;
            }
            if let Some(p) = cmd.unsent.pop_front() {
                pieces.push(p);
                if !cmd.unsent.is_empty() {
                    self.blocked = Some(cmd.handle);
                    break;
                }
            }
        }
        for p in pieces {
            self.transmit(p);
        }
    }

    fn completion(&mut self, s: Status<'static>) {
        let tag = s.tag().cloned().unwrap_or_else(|| unreachable!());
        let Some(pos) = self.in_flight.iter().position(|c| c.tag == tag) else {
            self.event(ClientEvent::ProtocolError(PeerError::UnknownTag(
                tag.as_str().to_owned(),
            )));
            return;
        };
        let cmd = self.in_flight.remove(pos);
        if let Some(code) = s.code()
            && !matches!(code, Code::Capability(_))
        {
            self.apply_code(code);
        }
        let ok = s.kind() == StatusKind::Ok;
        // A command whose literal was refused: the rest is never sent.
        if !cmd.unsent.is_empty() {
            self.event(ClientEvent::LiteralRejected { handle: cmd.handle });
            if self.blocked == Some(cmd.handle) {
                // Whatever was queued behind it goes out now.
                if let Some(next) = self.in_flight.get(pos).map(|c| c.handle) {
                    self.flush_blocked(next);
                } else {
                    self.blocked = None;
                }
            }
        }
        if let Sub::Idle {
            accepted: false, ..
        } = cmd.sub
            && !ok
        {
            self.event(ClientEvent::IdleRejected { handle: cmd.handle });
        }
        let handle = cmd.handle;
        let code = s.code().cloned();
        self.event(ClientEvent::Completed { handle, status: s });
        match cmd.name {
            "LOGIN" | "AUTHENTICATE" if ok => {
                // RFC 9051 §6.2.2, §6.2.3: capabilities may change after authentication.
                self.capabilities = None;
                if let Some(Code::Capability(c)) = code {
                    self.capabilities = Some(c.capabilities().to_vec());
                }
                self.trigger(Trigger::AuthOk);
            }
            "SELECT" | "EXAMINE" => {
                let view = self.selecting.take();
                if ok {
                    let mut view = view.unwrap_or_default();
                    if view.read_only.is_none() {
                        view.read_only = Some(cmd.name == "EXAMINE");
                    }
                    // A new SELECT while selected closes the old mailbox (RFC 9051 §6.3.2).
                    self.mailbox = None;
                    self.trigger(Trigger::SelectOk);
                    if self.state == State::Selected {
                        self.mailbox = Some(view);
                    }
                } else {
                    self.trigger(Trigger::SelectFailed);
                }
            }
            "CLOSE" | "UNSELECT" if ok => self.trigger(Trigger::CloseOk),
            "LOGOUT" if ok => {
                self.trigger(Trigger::Logout);
                self.close();
            }
            "STARTTLS" if ok => {
                // RFC 9051 §6.2.1: forget capabilities; nothing after the OK's CRLF is IMAP.
                self.capabilities = None;
                let rest = self.input.take_buffered();
                if !rest.is_empty() {
                    self.event(ClientEvent::ProtocolError(PeerError::StartTlsInjection {
                        len: rest.len(),
                    }));
                }
                self.link = Link::AwaitingTls;
                self.event(ClientEvent::TlsRequired {
                    discarded: rest.len(),
                });
            }
            _ => {}
        }
    }
}

/// The trigger a command's tagged OK fires.
fn success_trigger(name: &str) -> Option<Trigger> {
    match name {
        "LOGIN" | "AUTHENTICATE" => Some(Trigger::AuthOk),
        "SELECT" | "EXAMINE" => Some(Trigger::SelectOk),
        "CLOSE" | "UNSELECT" => Some(Trigger::CloseOk),
        "LOGOUT" => Some(Trigger::Logout),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(s: &mut ClientSession) -> (Vec<u8>, Vec<ClientEvent>) {
        let (mut bytes, mut events) = (Vec::new(), Vec::new());
        while let Some(o) = s.poll_output() {
            match o {
                ClientOutput::Transmit(b) => bytes.extend(b),
                ClientOutput::Event(e) => events.push(e),
            }
        }
        (bytes, events)
    }

    #[test]
    fn sync_literal_waits_for_continuation_and_queues_behind() {
        let mut c = ClientSession::resume(ClientConfig::default(), State::NotAuthenticated);
        let login = Command::parse(b"a LOGIN {5}\r\nalice pw\r\n").unwrap();
        c.send_command(login).unwrap();
        c.send(CommandBody::Noop).unwrap();
        assert_eq!(drain(&mut c).0, b"a LOGIN {5}\r\n");
        c.handle_input(b"+ go\r\n").unwrap();
        assert_eq!(drain(&mut c).0, b"alice pw\r\nA1 NOOP\r\n");
    }

    #[test]
    fn refused_literal_releases_the_queue() {
        let mut c = ClientSession::resume(ClientConfig::default(), State::NotAuthenticated);
        let login = Command::parse(b"a LOGIN {5}\r\nalice pw\r\n").unwrap();
        let h = c.send_command(login).unwrap();
        c.send(CommandBody::Noop).unwrap();
        let _ = drain(&mut c);
        c.handle_input(b"a NO too big\r\n").unwrap();
        let (bytes, events) = drain(&mut c);
        assert_eq!(bytes, b"A1 NOOP\r\n");
        assert!(events.contains(&ClientEvent::LiteralRejected { handle: h }));
    }

    #[test]
    fn literal_plus_does_not_wait() {
        let mut c = ClientSession::resume(ClientConfig::default(), State::NotAuthenticated);
        c.handle_input(b"* CAPABILITY IMAP4rev1 LITERAL+\r\n")
            .unwrap();
        let login = Command::parse(b"a LOGIN {5}\r\nalice pw\r\n").unwrap();
        c.send_command(login).unwrap();
        assert_eq!(drain(&mut c).0, b"a LOGIN {5+}\r\nalice pw\r\n");
    }
}
