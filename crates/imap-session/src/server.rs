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

use crate::prelude::*;

use alloc::sync::Arc;

use ::core::num::NonZeroU32;

use imap_codec::framer::{Frame, FrameError, FramedBuffer, FramerConfig, LiteralAnnouncement};
use imap_codec::response::{GreetingKind, RespText, Vanished};
use imap_codec::{
    AuthenticateData, Capability, Code, Command, CommandBody, ContinuationRequest, Data, Deviation,
    Encode, EncodeOptions, Encoder, ErrorKind, Extension, Extensions, Greeting, IdleDone,
    IntoStatic, ParseOptions, Parsed, Response, Status, StatusKind, Tag, Text, UidSet,
};

use crate::error::{LocalError, PeerError};
use crate::outbox::{Next, Outbox};
use crate::state::{self, State, Trigger};
use crate::{Inbound, MessageKind, Received};
use imap_codec::{CommandKind, CompressionAlgorithm};
use mailproto_sasl::{
    Authenticated as SaslAuthenticated, Authenticator, ErrorKind as SaslErrorKind, SaslError,
    Secret, ServerMechanism, ServerStep,
};

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
    /// With [`report_received`](Self::report_received): [`Received::result`] holds a copy of
    /// the parsed value (the application's events hold the value itself). Off, a value is
    /// stood for by [`Inbound::Parsed`]: a follower that parses the reported bytes itself
    /// does not hold a big message once more (issue 18). Default: on.
    pub report_received_values: bool,
    /// Stream APPEND messages larger than this many octets instead of holding them
    /// ([`ServerEvent::AppendStreamStart`], [`ServerOutput::LiteralChunk`]); `None`: hold every
    /// literal. Default: 1 MiB. The largest literal accepted at all is still the framer's
    /// `max_literal` (and `max_message`): raise those to accept larger streamed messages.
    /// Synchronizing literals are streamed under [`LiteralPolicy::Auto`] only (under
    /// `Manual` the application has not accepted the literal yet when it is announced).
    pub stream_literals_over: Option<u64>,
    /// Largest literal accepted before login (in the not-authenticated state and before the
    /// greeting), synchronizing or not: a larger one is refused at its announcement with a
    /// tagged `BAD [TOOBIG]` (no `+`; `{n+}` octets are read and dropped, never held; RFC 9051
    /// §4.3, RFC 7888 §4, §5). Default: [`DEFAULT_PRE_AUTH_LITERAL`] (4 KiB: a LOGIN user
    /// name or password as a literal). The framer's `max_literal` still applies after login.
    pub pre_auth_max_literal: u64,
    /// Most octets held for a connection before login: the command being received (lines and
    /// literals) and what is pipelined behind it. Beyond it the session answers
    /// `* BYE [LIMIT]`, reports [`PeerError::TooMuchBeforeLogin`] and closes. Default:
    /// [`DEFAULT_PRE_AUTH_BUFFERED`] (64 KiB: one line of the default framer limit, a long
    /// SASL line). After login, [`max_buffered`](Self::max_buffered) and the framer's limits
    /// apply.
    pub pre_auth_max_buffered: usize,
    /// Most octets of output the session builds before the application takes them
    /// ([`ServerSession::poll_output`]): while that many wait, the session reads no further
    /// command (as while it waits for commands in flight: [`ServerSession::wants_input`] is
    /// false, and received bytes are held up to [`max_buffered`](Self::max_buffered)), so
    /// that the answers the session writes itself (BAD to a flood of bad lines) never pile
    /// up. One response may go over it. Default: 256 KiB (as pop3-session).
    pub max_output: usize,
    /// The connection is under TLS from the start (implicit TLS, RFC 8314 §3.3, port 993):
    /// STARTTLS is refused with BAD ([`PeerError::TlsActive`]), as after a STARTTLS that
    /// succeeded.
    pub tls: bool,
    /// How the client's commands are parsed: the profile (strict by default; real-world
    /// reports each accepted departure as a [`ServerEvent::Deviation`]) and the extensions in
    /// force (those the server offers; the session adds those the connection enables).
    pub parse: ParseOptions,
    /// When to stop serving a client that deviates from the grammar (real-world profile):
    /// unlimited by default. When used up: [`PeerError::DeviationBudget`], `* BYE` (when
    /// `auto_reply`) and closed.
    pub deviation_budget: crate::DeviationBudget,
}

/// The default [`ServerConfig::pre_auth_max_literal`]: 4 KiB.
pub const DEFAULT_PRE_AUTH_LITERAL: u64 = 4096;

/// The default [`ServerConfig::pre_auth_max_buffered`]: 64 KiB.
pub const DEFAULT_PRE_AUTH_BUFFERED: usize = 64 * 1024;

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
            report_received_values: true,
            stream_literals_over: Some(crate::client::DEFAULT_STREAM_THRESHOLD),
            pre_auth_max_literal: DEFAULT_PRE_AUTH_LITERAL,
            pre_auth_max_buffered: DEFAULT_PRE_AUTH_BUFFERED,
            max_output: 256 * 1024,
            tls: false,
            parse: ParseOptions::default(),
            deviation_budget: crate::DeviationBudget::default(),
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

    /// Parses the client's commands under `parse` (profile, extensions in force).
    pub fn with_parse_options(mut self, parse: ParseOptions) -> Self {
        self.parse = parse;
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

    /// With another bound on literals before login
    /// ([`pre_auth_max_literal`](Self::pre_auth_max_literal)).
    pub fn with_pre_auth_max_literal(mut self, octets: u64) -> Self {
        self.pre_auth_max_literal = octets;
        self
    }

    /// With another bound on octets held before login
    /// ([`pre_auth_max_buffered`](Self::pre_auth_max_buffered)).
    pub fn with_pre_auth_max_buffered(mut self, octets: usize) -> Self {
        self.pre_auth_max_buffered = octets;
        self
    }

    /// With another bound on output waiting for the application
    /// ([`max_output`](Self::max_output)).
    pub fn with_max_output(mut self, octets: usize) -> Self {
        self.max_output = octets;
        self
    }

    /// The connection is (or is not) under TLS from the start ([`tls`](Self::tls)).
    pub fn with_tls_active(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// With or without [`ServerEvent::Received`].
    pub fn with_report_received(mut self, report: bool) -> Self {
        self.report_received = report;
        self
    }

    /// With or without the values in [`ServerEvent::Received`] (see
    /// [`report_received_values`](Self::report_received_values)).
    pub fn with_report_received_values(mut self, values: bool) -> Self {
        self.report_received_values = values;
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
            pre_auth_max_literal: u64::MAX,
            pre_auth_max_buffered: usize::MAX,
            max_output: usize::MAX,
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
    /// The real-world profile ([`ServerConfig::parse`]) accepted a command that departs from
    /// the grammar; reported before the events the command causes.
    Deviation(Deviation),
    /// Every received message, when [`ServerConfig::report_received`] is set.
    Received(Received),
    /// The AUTHENTICATE run by the session ([`ServerSession::authenticate_start`])
    /// succeeded; its tagged OK was sent and the state is Authenticated.
    Authenticated {
        /// The AUTHENTICATE command's tag.
        tag: Tag<'static>,
        /// Who authenticated, as whom (RFC 4422 §3.4).
        outcome: SaslAuthenticated,
    },
    /// The AUTHENTICATE run by the session failed; its tagged NO or BAD was sent. `error`
    /// says why, for the log (the client was told nothing more).
    AuthenticationFailed {
        /// The AUTHENTICATE command's tag.
        tag: Tag<'static>,
        /// Why.
        error: SaslError,
    },
    /// COMPRESS was answered OK (RFC 4978 §3): the OK went out uncompressed (it is in the
    /// [`ServerOutput::Transmit`] before this event); wrap the socket now, deflating every
    /// later transmit and inflating what is read. `compressed` holds received bytes that
    /// followed the command, not read as IMAP: inflate them and feed them back first.
    CompressionStarted {
        /// The COMPRESS command's tag.
        tag: Tag<'static>,
        /// The algorithm.
        algorithm: CompressionAlgorithm,
        /// Received bytes after the command, still compressed.
        compressed: Vec<u8>,
    },
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
    /// AUTHENTICATE: client lines are SASL responses until the tagged completion; one line
    /// may come after each challenge (`challenged`).
    Authenticate {
        challenged: bool,
    },
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

/// The application's credential store, held while an exchange the session runs lasts.
#[derive(Clone)]
struct AuthHandle(Arc<dyn Authenticator + Send + Sync>);

impl ::core::fmt::Debug for AuthHandle {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("Authenticator(..)")
    }
}

/// The AUTHENTICATE in flight: its initial response until the application starts the
/// mechanism ([`ServerSession::authenticate_start`]), then the mechanism.
#[derive(Debug)]
struct ServerSaslRun {
    tag: Tag<'static>,
    initial: Option<Secret>,
    mechanism: Option<Box<dyn ServerMechanism>>,
    auth: Option<AuthHandle>,
}

/// A sans-IO IMAP server session. See the [crate docs](crate) for the driving contract.
///
/// `Debug` shows the state and the sizes of the buffers, never their bytes (the receive buffer
/// may hold a LOGIN password or a SASL response: issue 18 item 10).
pub struct ServerSession {
    /// The AUTHENTICATE in flight, if any.
    sasl: Option<ServerSaslRun>,
    config: ServerConfig,
    state: State,
    link: Link,
    input: FramedBuffer,
    in_flight: Vec<InFlight>,
    /// A synchronizing literal waiting for the application (Manual): its announcement and
    /// the tag of its command (the message so far stays in the framer's buffer).
    pending_literal: Option<PendingLiteral>,
    advertised: Vec<Capability<'static>>,
    /// What this server answered ENABLE with (`* ENABLED`, RFC 5161 §3.2) and changes the
    /// grammar: QRESYNC, CONDSTORE, UTF8=ACCEPT.
    enabled: Extensions,
    violations: u32,
    /// Deviations the client sent so far (real-world profile), for the budget.
    deviations_seen: usize,
    /// A FETCH literal the application streams out: (octets still to push, the response's
    /// bytes after the literal).
    writing: Option<(u64, Vec<u8>)>,
    /// Bytes to transmit, events, the chunk waiting to be lent.
    outbox: Outbox<ServerEvent>,
    /// TLS is up: configured ([`ServerConfig::tls`]) or after STARTTLS.
    tls: bool,
}

/// RFC 7888 §4: LITERAL- allows non-synchronizing literals of at most this many octets.
const LITERAL_MINUS_MAX: u64 = 4096;

impl ::core::fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("ServerSession")
            .field("state", &self.state)
            .field("link", &self.link)
            .field("tls", &self.tls)
            .field(
                "in_flight",
                &self
                    .in_flight
                    .iter()
                    .map(|c| (c.tag.as_str(), c.name))
                    .collect::<Vec<_>>(),
            )
            .field("advertised", &self.advertised)
            .field("violations", &self.violations)
            .field("buffered", &self.input)
            .field("output_octets", &self.outbox.len())
            .field("events", &self.outbox.events_len())
            .finish_non_exhaustive()
    }
}

impl ServerSession {
    /// A session that has not sent its greeting yet ([`send_greeting`](Self::send_greeting)).
    pub fn new(config: ServerConfig) -> Self {
        Self::resume(config, State::Greeting)
    }

    /// A session that starts in `state`.
    pub fn resume(config: ServerConfig, state: State) -> Self {
        ServerSession {
            sasl: None,
            // The real-world profile also frames `bare-lf` and `blank-line-after-literal`.
            input: FramedBuffer::new(config.framer.for_profile(config.parse.profile)),
            tls: config.tls,
            config,
            state,
            link: Link::Open,
            in_flight: Vec::new(),
            pending_literal: None,
            advertised: Vec::new(),
            enabled: Extensions::NONE,
            violations: 0,
            deviations_seen: 0,
            writing: None,
            outbox: Outbox::default(),
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

    /// True once TLS is up: configured ([`ServerConfig::tls`]) or after STARTTLS and
    /// [`handle_tls_established`](Self::handle_tls_established).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// True before login (before the greeting and in the not-authenticated state), where the
    /// pre-authentication bounds apply ([`ServerConfig::pre_auth_max_literal`],
    /// [`ServerConfig::pre_auth_max_buffered`]).
    pub fn is_pre_auth(&self) -> bool {
        matches!(self.state, State::Greeting | State::NotAuthenticated)
    }

    /// The most octets the session holds now: [`ServerConfig::pre_auth_max_buffered`] before
    /// login (when smaller), [`ServerConfig::max_buffered`] after.
    fn buffer_cap(&self) -> usize {
        if self.is_pre_auth() {
            self.config
                .max_buffered
                .min(self.config.pre_auth_max_buffered)
        } else {
            self.config.max_buffered
        }
    }

    /// The capabilities this server last advertised (from its own CAPABILITY responses).
    pub fn advertised(&self) -> &[Capability<'static>] {
        &self.advertised
    }

    /// The options the next client message is parsed with: the configured ones, plus
    /// CONDSTORE, PARTIAL, X-GM-EXT-1 and CREATE-SPECIAL-USE when advertised (RFC 7162 §3.1,
    /// RFC 9394 §3.2, Gmail, RFC 6154 §3: their forms need no ENABLE) and what
    /// the server's `* ENABLED` turned on (QRESYNC, RFC 7162 §3.2.3; UTF8=ACCEPT, RFC 6855
    /// §3).
    pub fn parse_options(&self) -> ParseOptions {
        options_for(&self.config.parse, &self.advertised, &self.enabled)
    }

    /// True once the server enabled QRESYNC (`* ENABLED QRESYNC`): expunges are then
    /// reported with VANISHED (RFC 7162 §3.2.10.2, [`send_expunged`](Self::send_expunged)).
    pub fn qresync_enabled(&self) -> bool {
        self.enabled.contains(Extension::QResync)
    }

    /// True once the server enabled UIDONLY (`* ENABLED UIDONLY`, RFC 9586 §3): commands that
    /// use message numbers are answered with `BAD [UIDREQUIRED]`, message data go out as
    /// `UIDFETCH` (FETCH data are refused), and expunges as VANISHED.
    pub fn uidonly_enabled(&self) -> bool {
        self.enabled.contains(Extension::UidOnly)
    }

    /// Reports expunged messages: `(sequence number, UID)` of each, the sequence numbers as
    /// EXPUNGE responses give them one after the other (RFC 9051 §7.4.1: each already
    /// accounts for the previous ones). Once QRESYNC is enabled this is one `* VANISHED`
    /// response with the UIDs instead (RFC 7162 §3.2.10.2: "the server MUST use the VANISHED
    /// response without the EARLIER tag instead of the EXPUNGE response"); otherwise one
    /// `* n EXPUNGE` per message.
    pub fn send_expunged(
        &mut self,
        expunged: &[(NonZeroU32, NonZeroU32)],
    ) -> Result<(), LocalError> {
        if expunged.is_empty() {
            return Ok(());
        }
        if self.qresync_enabled() || self.uidonly_enabled() {
            let mut uids: Vec<(u32, u32)> = Vec::new();
            let mut sorted: Vec<u32> = expunged.iter().map(|(_, u)| u.get()).collect();
            sorted.sort_unstable();
            sorted.dedup();
            for u in sorted {
                match uids.last_mut() {
                    Some((_, hi)) if hi.checked_add(1) == Some(u) => *hi = u,
                    _ => uids.push((u, u)),
                }
            }
            let uids = UidSet::new(uids)
                .map_err(|_| LocalError::UnexpectedResponse("VANISHED without UIDs"))?;
            return self.send_response(Response::Data(Data::Vanished(Vanished {
                earlier: false,
                uids,
            })));
        }
        for (seq, _) in expunged {
            self.send_response(Response::Data(Data::Expunge(*seq)))?;
        }
        Ok(())
    }

    /// Tags of the commands handed to the application and not yet completed.
    pub fn in_flight(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.in_flight.iter().map(|c| (c.tag.as_str(), c.name))
    }

    /// The parser the next client message will be given.
    pub fn expecting(&self) -> MessageKind {
        for c in &self.in_flight {
            match c.sub {
                Sub::Authenticate { .. } => return MessageKind::AuthenticateData,
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
        let (lent, chunk_returned) = self.outbox.begin_poll();
        if lent.is_some_and(|len| len >= self.config.max_output) {
            // The application took the output that held reading back: read on.
            self.advance();
        }
        if chunk_returned {
            // The application had the chunk: read on.
            self.advance();
        }
        // A chunk is lent only while its literal is still being read (the buffer was not
        // dropped meanwhile: end of stream, STARTTLS, a limit).
        let streaming = self.input.is_streaming();
        match self.outbox.next(streaming)? {
            Next::Transmit(bytes) => Some(ServerOutput::Transmit(bytes)),
            Next::Event(e) => Some(ServerOutput::Event(e)),
            Next::Chunk(remaining) => Some(ServerOutput::LiteralChunk {
                data: self.input.lent_literal_data(),
                remaining,
            }),
        }
    }

    fn event(&mut self, e: ServerEvent) {
        self.outbox.event(e);
    }

    /// The output buffer, emptied first if its bytes were lent already.
    fn out_buf(&mut self) -> &mut Vec<u8> {
        self.outbox.buf()
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
        if self.uidonly_enabled() {
            uidonly_allows(&response)?;
        }
        match &response {
            Response::Status(s) if s.tag().is_some() => {
                // Compared where it lies (no owned copy of the tag per response).
                let tag = s.tag().unwrap_or_else(|| unreachable!());
                let pos = self.in_flight.iter().position(|c| c.tag == *tag);
                let literal_for_tag = self
                    .pending_literal
                    .as_ref()
                    .is_some_and(|p| p.tag.as_ref().is_some_and(|t| *t == *tag));
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
                match d {
                    Data::Capability(c) => {
                        self.advertised = c.capabilities().to_vec().into_static();
                    }
                    Data::Enabled(caps) => {
                        for ext in caps.iter().filter_map(Extension::from_capability) {
                            self.enabled.insert(ext);
                            if ext == Extension::QResync {
                                // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
                                self.enabled.insert(Extension::CondStore);
                            }
                        }
                    }
                    _ => {}
                }
                self.write(&response);
            }
            Response::Continuation(_) => {
                if self.pending_literal.take().is_some() {
                    // Accepted: the framer goes on with the literal data.
                } else if let Some(cmd) = self.in_flight.iter_mut().find(|c| {
                    matches!(
                        c.sub,
                        Sub::Authenticate { .. }
                            | Sub::Idle {
                                accepted: false,
                                ..
                            }
                    )
                }) {
                    if let Sub::Authenticate { challenged } = &mut cmd.sub {
                        // The client may send one line now (RFC 9051 §6.2.2).
                        *challenged = true;
                    }
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
        if self.uidonly_enabled() {
            uidonly_allows(&response)?;
        }
        if !matches!(
            response,
            Response::Data(Data::Fetch { .. } | Data::UidFetch { .. })
        ) || self.state == State::Greeting
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
        if !self
            .in_flight
            .iter()
            .any(|c| matches!(c.sub, Sub::Authenticate { .. }))
        {
            return Err(LocalError::NotAuthenticating);
        }
        self.send_response(Response::Continuation(ContinuationRequest::base64(data)))
    }

    /// Runs the SASL exchange of the AUTHENTICATE `tag` (handed over as
    /// [`ServerEvent::Command`]) with `mechanism`, checking credentials with `auth`
    /// (RFC 9051 §6.2.2, RFC 4422 §3): the session passes the command's initial response
    /// (SASL-IR, RFC 4959) to the mechanism, sends its challenges as `+ base64`, decodes the
    /// client's lines and steps the mechanism, and completes the command: tagged OK on
    /// success ([`ServerEvent::Authenticated`], state Authenticated), `NO
    /// [AUTHENTICATIONFAILED]` on failure, `BAD` for a malformed exchange, a client's `*`
    /// or a line sent while no challenge was outstanding
    /// ([`ServerEvent::AuthenticationFailed`]).
    ///
    /// `mechanism` comes from [`mailproto_sasl::ServerConfig::start`] (which takes the
    /// randomness, so the session stays deterministic; on its error complete the command with
    /// NO yourself). `auth` is the application's credential store; it is called
    /// synchronously from this call and from [`handle_input`](Self::handle_input) while the
    /// exchange lasts.
    pub fn authenticate_start(
        &mut self,
        tag: &Tag<'_>,
        mechanism: Box<dyn ServerMechanism>,
        auth: Arc<dyn Authenticator + Send + Sync>,
    ) -> Result<(), LocalError> {
        match self.link {
            Link::Closed => return Err(LocalError::Closed),
            Link::AwaitingTls => return Err(LocalError::TlsPending),
            Link::Open => {}
        }
        let tag = tag.clone().into_static();
        let Some(run) = self
            .sasl
            .as_mut()
            .filter(|r| r.tag == tag && r.mechanism.is_none())
        else {
            return Err(LocalError::NotAuthenticating);
        };
        let initial = run.initial.take();
        let mut mechanism = mechanism;
        let step = mechanism.start(initial.as_ref().map(|s| s.expose()), auth.as_ref());
        run.mechanism = Some(mechanism);
        run.auth = Some(AuthHandle(auth));
        self.sasl_outcome(step);
        self.advance();
        Ok(())
    }

    /// What the mechanism said: a challenge, or the completion.
    fn sasl_outcome(&mut self, step: ServerStep) {
        let Some(tag) = self.sasl.as_ref().map(|r| r.tag.clone()) else {
            return;
        };
        match step {
            ServerStep::Challenge(c) => {
                if let Some(cmd) = self.in_flight.iter_mut().find(|c| c.tag == tag) {
                    cmd.sub = Sub::Authenticate { challenged: true };
                }
                self.write(&Response::Continuation(ContinuationRequest::base64(&c)));
            }
            ServerStep::Success(outcome) => {
                self.sasl = None;
                self.finish_command(&tag, StatusKind::Ok, None, "AUTHENTICATE completed");
                self.event(ServerEvent::Authenticated { tag, outcome });
            }
            ServerStep::Failure(error) => {
                self.sasl_failed(tag, error);
            }
            // `ServerStep` grows with the SASL crate: anything else ends the exchange.
            _ => self.sasl_failed(tag, SaslError::InvalidState("unknown step")),
        }
    }

    /// Ends the exchange the session runs with BAD (malformed, cancelled) or NO.
    fn sasl_failed(&mut self, tag: Tag<'static>, error: SaslError) {
        self.sasl = None;
        let (kind, code, text) = match error.kind() {
            SaslErrorKind::Malformed => (StatusKind::Bad, None, "Invalid SASL exchange"),
            _ => (
                StatusKind::No,
                Some(Code::AuthenticationFailed),
                "Authentication failed",
            ),
        };
        let text = if error == SaslError::Cancelled {
            "Authentication cancelled"
        } else {
            text
        };
        self.finish_command(&tag, kind, code, text);
        self.event(ServerEvent::AuthenticationFailed { tag, error });
    }

    /// Writes the tagged completion of `tag` and applies it, without reading on.
    fn finish_command(
        &mut self,
        tag: &Tag<'static>,
        kind: StatusKind,
        code: Option<Code<'static>>,
        text: &str,
    ) {
        let text = RespText::plain(text.to_owned()).unwrap_or_default();
        let Ok(mut status) = Status::tagged(tag.clone(), kind, text) else {
            return;
        };
        if let Some(code) = code {
            status = status.with_code(code);
        }
        self.write(&Response::Status(status));
        if let Some(pos) = self.in_flight.iter().position(|c| &c.tag == tag) {
            let cmd = self.in_flight.remove(pos);
            self.completed(cmd, kind, None);
        }
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
        if self.sasl.as_ref().is_some_and(|r| r.tag == cmd.tag) {
            // The application completed the AUTHENTICATE itself.
            self.sasl = None;
        }
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
            CommandKind::Compress if ok => {
                // RFC 4978 §3: the client compresses from the first command after COMPRESS,
                // the server from the octet after the OK's CRLF; nothing was read meanwhile.
                let compressed = self.input.take_buffered();
                self.event(ServerEvent::CompressionStarted {
                    tag: cmd.tag,
                    algorithm: CompressionAlgorithm::Deflate,
                    compressed,
                });
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
            let result = match parse(kind, &prefix, &self.parse_options()).0 {
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
                        None => parse(kind, &prefix, &self.parse_options()).0,
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
        self.tls = true;
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
        let mut piece = self.buffer_cap().max(1);
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
                let room = self.buffer_cap().saturating_sub(self.input.buffered_len());
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
            let pre_auth = self.is_pre_auth();
            if (self.waiting() || pre_auth) && self.input.buffered_len() > self.buffer_cap() {
                // Before login, whatever is held counts (issue 18 items 2, 3): a command
                // that grows past the bound is not received to its end.
                self.too_much_input();
            }
            piece = self.buffer_cap().max(1);
        }
        Ok(())
    }

    /// More than [`ServerConfig::max_buffered`] octets arrived during a wait: `* BYE [LIMIT]`
    /// and close (see there why).
    fn too_much_input(&mut self) {
        let err =
            if self.is_pre_auth() && self.config.pre_auth_max_buffered < self.config.max_buffered {
                PeerError::TooMuchBeforeLogin {
                    limit: self.config.pre_auth_max_buffered,
                }
            } else {
                PeerError::TooManyCommands
            };
        let _ = self.input.take_buffered();
        self.violations += 1;
        self.event(ServerEvent::ProtocolError(err.clone()));
        if self.config.auto_reply {
            let bye = Status::bye(RespText::with_code(
                Code::Limit,
                Text::new(err.reply()).unwrap_or_default(),
            ));
            self.write(&Response::Status(bye));
        }
        self.close();
    }

    /// True while received bytes are held rather than read: before the greeting, or while
    /// the next command must wait.
    fn waiting(&self) -> bool {
        self.state == State::Greeting || self.must_wait() || self.output_full()
    }

    /// True while [`ServerConfig::max_output`] octets of output wait for the application.
    fn output_full(&self) -> bool {
        self.outbox.pending_len() >= self.config.max_output
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
        if self.outbox.chunk_waiting() {
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
                .any(|c| matches!(c.sub, Sub::StartTls { .. }) || c.kind == CommandKind::Compress)
                || self.must_wait()
                || self.output_full()
            {
                return;
            }
            let kind = self.expecting();
            let pre_check = self.pre_auth_check(kind);
            let deviations: Vec<Deviation>;
            let received = match self.input.next_frame() {
                Ok(None) => return,
                Ok(Some(Frame::Discard(_))) => continue,
                Ok(Some(Frame::LiteralData { remaining, .. })) => {
                    self.outbox.hold_chunk(remaining);
                    return;
                }
                Ok(Some(Frame::Literal(lit))) => {
                    if let Some(err) = self.pre_auth_refusal(kind, lit) {
                        // Refused at the announcement, before its octets arrive (issue 18
                        // item 3): no `+`; a `{n+}` literal's octets are dropped as they come.
                        let tag = self.input.current_tag().map(IntoStatic::into_static);
                        self.input.reject_literal();
                        if self.config.report_received {
                            self.event(ServerEvent::Received(Received {
                                kind,
                                bytes: Vec::new(),
                                result: Err(err.clone()),
                            }));
                        }
                        self.violation(err, tag, None);
                        continue;
                    }
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
                    // The grammar in force, worked out only when there is a message to parse.
                    let options = options_for(&self.config.parse, &self.advertised, &self.enabled);
                    // Parsed where it lies in the framer's buffer; the value is made owned
                    // (the one copy of the message). Its bytes are copied again only for a
                    // trace follower, its tag only when it does not parse.
                    // Before login, a command not valid there is refused from its name alone,
                    // unparsed (issue 18 item 2: a 63 MiB SEARCH parsed in full took 4.3 GB).
                    let judge = |m: &[u8]| {
                        let (result, found) =
                            match pre_check.and_then(|state| pre_auth_invalid_in(state, m)) {
                                Some(err) => (Err(err), Vec::new()),
                                None => parse(kind, m, &options),
                            };
                        let tag = match &result {
                            Err(_) => {
                                imap_codec::framer::message_tag(m).map(IntoStatic::into_static)
                            }
                            Ok(_) => None,
                        };
                        (result, found, tag)
                    };
                    if self.config.report_received {
                        // For a trace follower: the copy is made first and parsed, after the
                        // framer gave its buffer back (pushing nothing drops the message
                        // returned; a big one that filled the buffer frees it), so that
                        // the buffer, the copy and the value are not all held at once.
                        let bytes = m.to_vec();
                        self.input.push(&[]);
                        let (result, found, tag) = judge(&bytes);
                        deviations = found;
                        (result, tag, Some(bytes))
                    } else {
                        let (result, found, tag) = judge(m);
                        deviations = found;
                        (result, tag, None)
                    }
                }
                Err(e) => {
                    self.frame_error(kind, e);
                    continue;
                }
            };
            self.pending_literal = None;
            let mut stop = None;
            for deviation in deviations {
                self.deviations_seen = self.deviations_seen.saturating_add(1);
                if stop.is_none()
                    && self
                        .config
                        .deviation_budget
                        .exceeded(&deviation, self.deviations_seen)
                {
                    stop = Some((deviation, self.deviations_seen));
                }
                self.event(ServerEvent::Deviation(deviation));
            }
            if let Some((deviation, count)) = stop {
                self.event(ServerEvent::ProtocolError(PeerError::DeviationBudget {
                    deviation,
                    count,
                }));
                if self.config.auto_reply {
                    let text = RespText::plain("Too many protocol deviations").unwrap_or_default();
                    self.write(&Response::Status(Status::bye(text)));
                }
                self.close();
                return;
            }
            self.message(kind, received);
        }
    }

    /// Before login (with state rules on), a command whose name is known and not valid in the
    /// state: [`PeerError::InvalidState`], decided from the first bytes of the message
    /// ([`imap_codec::framer::message_command_kind`]) without parsing the rest.
    fn pre_auth_invalid(&self, kind: MessageKind, message: &[u8]) -> Option<PeerError> {
        let state = self.pre_auth_check(kind)?;
        pre_auth_invalid_in(state, message)
    }

    /// The state to check commands against before login, when they are checked there.
    fn pre_auth_check(&self, kind: MessageKind) -> Option<State> {
        (self.is_pre_auth() && self.config.enforce_states && kind == MessageKind::Command)
            .then_some(self.state)
    }

    /// Why a literal announced before login is refused, if it is: its command is not valid
    /// in the state ([`pre_auth_invalid`](Self::pre_auth_invalid)), or it is larger than
    /// [`ServerConfig::pre_auth_max_literal`].
    fn pre_auth_refusal(&self, kind: MessageKind, lit: LiteralAnnouncement) -> Option<PeerError> {
        if !self.is_pre_auth() {
            return None;
        }
        if let Some(err) = self.pre_auth_invalid(kind, self.input.current_prefix(lit.prefix_len)) {
            return Some(err);
        }
        (lit.length > self.config.pre_auth_max_literal).then_some(PeerError::Frame(
            FrameError::LiteralTooLarge {
                literal: lit,
                limit: self.config.pre_auth_max_literal,
            },
        ))
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
        let Ok(Parsed { value: command, .. }) = Command::parse_with(&head, &self.parse_options())
        else {
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
        let uid_required = matches!(err, PeerError::UidRequired { .. });
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
        if uid_required {
            status = status.with_code(Code::UidRequired);
        }
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
            let result = crate::reported(&result, self.config.report_received_values);
            self.event(ServerEvent::Received(Received {
                kind,
                bytes,
                result,
            }));
        }
        let owner = self.in_flight.iter().position(|c| {
            matches!(
                c.sub,
                Sub::Authenticate { .. } | Sub::Idle { done: false, .. }
            )
        });
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
                let Some(i) = owner else {
                    return;
                };
                let tag = self.in_flight[i].tag.clone();
                let challenged = matches!(
                    self.in_flight[i].sub,
                    Sub::Authenticate { challenged: true }
                );
                if !challenged {
                    // Issue 18 item 8, RFC 9051 §6.2.2: the client answers challenges; a line
                    // while none is outstanding is a protocol error and ends the exchange.
                    self.violations += 1;
                    self.event(ServerEvent::ProtocolError(PeerError::UnexpectedSaslLine));
                    if self
                        .sasl
                        .as_ref()
                        .is_some_and(|r| r.tag == tag && r.mechanism.is_some())
                    {
                        self.sasl_failed(
                            tag,
                            SaslError::Unexpected("a line while no challenge was outstanding"),
                        );
                    } else if self.config.auto_reply {
                        self.sasl = None;
                        self.in_flight.remove(i);
                        self.violation(PeerError::UnexpectedSaslLine, Some(tag), None);
                    }
                    return;
                }
                self.in_flight[i].sub = Sub::Authenticate { challenged: false };
                let run = self
                    .sasl
                    .as_mut()
                    .filter(|r| r.tag == tag)
                    .and_then(|r| Some((r.mechanism.as_mut()?, r.auth.as_ref()?)));
                match run {
                    Some((mechanism, auth)) => {
                        let step = match data {
                            AuthenticateData::Cancel => ServerStep::Failure(SaslError::Cancelled),
                            AuthenticateData::Response(r) => mechanism.step(&r, auth.0.as_ref()),
                        };
                        self.sasl_outcome(step);
                    }
                    None => self.event(ServerEvent::AuthenticateData { tag, data }),
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
            if matches!(cmd.body, CommandBody::StartTls) && self.tls {
                // RFC 9051 §6.2.1 / RFC 8314 §3.3: TLS is up already (implicit, or a
                // STARTTLS before); a second negotiation is refused (issue 18 item 8).
                let tag = Some(cmd.tag.clone());
                self.violation(PeerError::TlsActive, tag, Some(cmd));
                return;
            }
            if matches!(cmd.body, CommandBody::Login { .. })
                && self.advertised.contains(&Capability::LoginDisabled)
            {
                let tag = Some(cmd.tag.clone());
                self.violation(PeerError::LoginDisabled, tag, Some(cmd));
                return;
            }
            if let Some(capability) = self.missing_capability(&cmd) {
                // A command (or an item of it) of an extension this server did not offer:
                // unknown to it, so BAD (RFC 9051 §7.1.3).
                let tag = Some(cmd.tag.clone());
                let err = PeerError::NotOffered {
                    command: cmd.name(),
                    capability,
                };
                self.violation(err, tag, Some(cmd));
                return;
            }
            if self.enabled.contains(Extension::UidOnly)
                && imap_codec::ext::uidonly::uses_message_numbers(&cmd.body)
            {
                // RFC 9586 §3: once UIDONLY is enabled, a command that uses message numbers
                // gets BAD, with UIDREQUIRED.
                let tag = Some(cmd.tag.clone());
                let err = PeerError::UidRequired {
                    command: cmd.name(),
                };
                self.violation(err, tag, Some(cmd));
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
        let sub = match &cmd.body {
            CommandBody::Authenticate {
                initial_response, ..
            } => {
                self.sasl = Some(ServerSaslRun {
                    tag: cmd.tag.clone(),
                    initial: initial_response.as_ref().map(|r| Secret::new(r.to_vec())),
                    mechanism: None,
                    auth: None,
                });
                Sub::Authenticate { challenged: false }
            }
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

/// A command named at the start of `message` that is not valid in `state`, decided from its
/// name alone (see [`ServerSession::is_pre_auth`]).
fn pre_auth_invalid_in(state: State, message: &[u8]) -> Option<PeerError> {
    let command = imap_codec::framer::message_command_kind(message)?;
    let valid = state::States::from(command.states());
    (!valid.contains(state)).then(|| PeerError::InvalidState {
        command: command.name(),
        state,
    })
}

impl ServerSession {
    /// The capability `cmd` needs that this server has not offered, if any, once the server
    /// has advertised its capabilities (unknown capabilities refuse nothing):
    /// - the command table's `capability` column, on an IMAP4rev1-only server (IMAP4rev2
    ///   includes those commands, RFC 9051 §6);
    /// - CONDSTORE's items (RFC 7162 §3.1): the `MODSEQ` fetch item and search key and
    ///   `HIGHESTMODSEQ` in STATUS, unless CONDSTORE (or QRESYNC) is advertised or enabled.
    ///   (Its select, fetch and store parameters are refused by the grammar itself.)
    fn missing_capability(&self, cmd: &Command<'_>) -> Option<String> {
        if self.advertised.is_empty() {
            return None;
        }
        if let Some(cap) = cmd.kind().capability()
            && !self.advertised.contains(&Capability::Imap4rev2)
            && !self.advertised.contains(&cap)
        {
            return Some(cap.as_str().into_owned());
        }
        let condstore = self.advertised.contains(&Capability::CondStore)
            || self.advertised.contains(&Capability::QResync)
            || self.enabled.contains(Extension::CondStore);
        if !condstore && uses_condstore(&cmd.body) {
            return Some("CONDSTORE".to_owned());
        }
        None
    }
}

/// Refuses what a server must not send once UIDONLY is enabled (RFC 9586 §3): FETCH data
/// (UIDFETCH replaces them, §3.3) and EXPUNGE (VANISHED replaces it).
fn uidonly_allows(response: &Response<'_>) -> Result<(), LocalError> {
    match response {
        Response::Data(Data::Fetch(_)) => Err(LocalError::UnexpectedResponse(
            "FETCH data once UIDONLY is enabled (RFC 9586 §3.3: UIDFETCH)",
        )),
        Response::Data(Data::Expunge(_)) => Err(LocalError::UnexpectedResponse(
            "EXPUNGE once UIDONLY is enabled (RFC 9586 §3: VANISHED)",
        )),
        _ => Ok(()),
    }
}

/// Whether a command uses an item of CONDSTORE (RFC 7162 §3.1.4, §3.1.5, §3.1.6).
fn uses_condstore(body: &CommandBody<'_>) -> bool {
    use imap_codec::command::{FetchAtt, FetchItems, SearchKey, StatusAttribute};
    fn key(k: &SearchKey<'_>) -> bool {
        match k {
            SearchKey::Modseq(_) => true,
            SearchKey::Not(k) => key(k),
            SearchKey::Or(a, b) => key(a) || key(b),
            SearchKey::And(keys) => keys.iter().any(key),
            _ => false,
        }
    }
    match body {
        CommandBody::Fetch { items, .. } => match items {
            FetchItems::Single(a) => *a == FetchAtt::Modseq,
            FetchItems::List(l) => l.contains(&FetchAtt::Modseq),
            _ => false,
        },
        CommandBody::Search { criteria, .. } => criteria.iter().any(|k| key(&k)),
        CommandBody::Status { items, .. } => items.contains(&StatusAttribute::HighestModSeq),
        _ => false,
    }
}

/// A framed message: the parser's result, the tag when it did not parse, and its bytes when
/// they are reported ([`ServerConfig::report_received`]).
type ParsedMessage = (
    Result<Inbound, PeerError>,
    Option<Tag<'static>>,
    Option<Vec<u8>>,
);

/// Parses a framed client message where it lies and makes the value owned (the one copy),
/// under `options`; the deviations the real-world profile accepted come beside the result
/// (none under strict, none when it fails).
fn parse(
    kind: MessageKind,
    bytes: &[u8],
    options: &ParseOptions,
) -> (Result<Inbound, PeerError>, Vec<Deviation>) {
    let r = match kind {
        MessageKind::AuthenticateData => AuthenticateData::parse_with(bytes, options).map(|p| {
            (
                Inbound::AuthenticateData(p.value.into_static()),
                p.deviations,
            )
        }),
        MessageKind::IdleDone => {
            IdleDone::parse_with(bytes, options).map(|p| (Inbound::IdleDone(p.value), p.deviations))
        }
        _ => Command::parse_with(bytes, options)
            .map(|p| (Inbound::Command(p.value.into_static()), p.deviations)),
    };
    match r {
        Ok((inbound, deviations)) => (Ok(inbound), deviations),
        Err(error) => (
            Err(PeerError::Syntax {
                bytes: bytes.to_vec(),
                error,
            }),
            Vec::new(),
        ),
    }
}

/// [`ServerSession::parse_options`] from the fields it reads (so that the framer's buffer can
/// stay borrowed while they are read).
fn options_for(
    parse: &ParseOptions,
    advertised: &[Capability<'static>],
    enabled: &Extensions,
) -> ParseOptions {
    let mut options = parse.clone();
    // One pass over what was advertised (not one `contains` per capability).
    for cap in advertised {
        if matches!(
            cap,
            Capability::CondStore
                | Capability::Partial
                | Capability::XGmExt1
                | Capability::CreateSpecialUse
        ) && let Some(ext) = Extension::from_capability(cap)
        {
            options.extensions.insert(ext);
        }
    }
    for ext in enabled.iter() {
        options.extensions.insert(ext);
    }
    options
}
