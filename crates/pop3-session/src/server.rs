//! The server session (RFC 1939 §3–§7, RFC 2449, RFC 2595 §4, RFC 5034 §4).
//!
//! The session reads commands, enforces the states and answers what it can alone (CAPA,
//! STAT, LIST, UIDL, DELE, RSET, NOOP, USER, wrong-state and malformed commands); it asks
//! the application through [`ServerEvent`]s for what only the application knows
//! (credentials, message bodies, the UPDATE) and the application answers with typed calls.

use crate::prelude::*;

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use mailproto_sasl::{
    Authenticated as SaslAuthenticated, Authenticator, SaslError, Secret as SaslSecret,
    ServerMechanism, ServerStep,
};

use pop3_codec::{
    ApopDigest, Capability, CodeKind, Command, CommandDecoder, Encode, Expected, Greeting,
    IntoStatic, Limits, Mechanism, MsgNumber, Param, Response, ResponseCode, Secret, StatusLine,
    Text, Timestamp, UniqueId,
};

use mailproto_core::DeviationCounter;
use pop3_codec::context::{Deviation, ParseOptions};

use crate::DeviationBudget;
use crate::body::{BodyStuffer, TopFilter};
use crate::error::{Attempt, LocalError, PeerError};
use crate::observe::{Inbound, MessageKind, Received};
use crate::states::{
    Phase, SERVER_TRANSITIONS, ServerInput, ServerState, command_allowed, next_state,
};

/// How a server session is set up.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    greeting: Greeting<'static>,
    capabilities: Vec<Capability<'static>>,
    limits: Limits,
    max_pipelined: usize,
    max_output: usize,
    tls: bool,
    parse: ParseOptions,
    budget: DeviationBudget,
}

impl ServerConfig {
    /// A configuration with this greeting (put an APOP timestamp in it to offer APOP,
    /// RFC 1939 §7), no capabilities, the default [`Limits`] and 64 KiB of pipelined input.
    ///
    /// The capabilities decide what is offered: [`Capability::User`] enables USER/PASS,
    /// [`Capability::Sasl`] lists the AUTH mechanisms, [`Capability::Stls`] enables STLS.
    pub fn new(greeting: Greeting<'static>) -> Self {
        ServerConfig {
            greeting,
            capabilities: Vec::new(),
            limits: Limits::default(),
            max_pipelined: 64 * 1024,
            max_output: 256 * 1024,
            tls: false,
            parse: ParseOptions::default(),
            budget: DeviationBudget::default(),
        }
    }

    /// The capabilities announced by CAPA (RFC 2449 §5), which also enable USER, AUTH
    /// mechanisms and STLS.
    pub fn with_capabilities(mut self, capabilities: Vec<Capability<'static>>) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// The decoder limits (line lengths, SASL lines).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How many octets of input the session buffers while it waits for the application;
    /// beyond that the client is told `-ERR` and the session closes.
    pub fn with_max_pipelined(mut self, octets: usize) -> Self {
        self.max_pipelined = octets;
        self
    }

    /// The most output the session builds before the application drains it (default
    /// 256 KiB, at least 1). While that much is pending the session reads no further
    /// command, and no [`Transmit`](ServerOutput::Transmit) is longer than this: a client
    /// that pipelines thousands of `UIDL` or `LIST` commands in one read cannot make the
    /// server build gigabytes of answers (output amplification). A single answer larger
    /// than the cap (a listing of a very large maildrop) is built once and lent in pieces.
    pub fn with_max_output(mut self, octets: usize) -> Self {
        self.max_output = octets.max(1);
        self
    }

    /// How the client's commands are parsed: strict by default; under
    /// [`Profile::RealWorld`](pop3_codec::Profile::RealWorld) each departure the catalogue
    /// knows (a bare LF, ...) is accepted and reported as a [`ServerEvent::Deviation`]. The
    /// limits stay those of [`with_limits`](Self::with_limits).
    pub fn with_parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// When to stop following a client that deviates (real-world profile): at the
    /// deviation that uses the budget up the session reports it, then
    /// [`PeerError::DeviationBudget`], answers `-ERR` and closes. Unlimited by default.
    pub fn with_deviation_budget(mut self, budget: DeviationBudget) -> Self {
        self.budget = budget;
        self
    }

    /// The decoder of the client's lines under this configuration.
    fn decoder(&self) -> CommandDecoder {
        CommandDecoder::with_options(self.parse.with_limits(self.limits))
    }

    /// The connection is already under TLS (POP3S, RFC 8314): STLS is refused.
    pub fn with_tls_active(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    fn offers_user(&self) -> bool {
        self.capabilities
            .iter()
            .any(|c| matches!(c, Capability::User))
    }

    fn offers_stls(&self) -> bool {
        self.capabilities
            .iter()
            .any(|c| matches!(c, Capability::Stls))
    }

    fn offers_mechanism(&self, m: &Mechanism<'_>) -> bool {
        self.capabilities.iter().any(|c| match c {
            Capability::Sasl(ms) => ms.iter().any(|x| x.is(m.as_str())),
            _ => false,
        })
    }
}

/// One message of the maildrop, fixed when the maildrop is opened (RFC 1939 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInfo {
    /// Exact size in octets, as RETR would send it before stuffing (RFC 1939 §11).
    pub size: u64,
    /// The unique-id (RFC 1939 §7), unique across sessions; `None` when UIDL is not offered.
    pub uid: Option<UniqueId<'static>>,
}

/// The maildrop the application opens on a successful login: message `n` of the session
/// is `messages[n - 1]` (RFC 1939 §5: numbers are local to the session).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Maildrop {
    messages: Vec<MessageInfo>,
}

impl Maildrop {
    /// A maildrop of these messages.
    pub fn new(messages: Vec<MessageInfo>) -> Self {
        Maildrop { messages }
    }

    /// A maildrop of messages with these sizes and no unique-ids.
    pub fn from_sizes(sizes: impl IntoIterator<Item = u64>) -> Self {
        Maildrop {
            messages: sizes
                .into_iter()
                .map(|size| MessageInfo { size, uid: None })
                .collect(),
        }
    }

    /// The messages, in session order.
    pub fn messages(&self) -> &[MessageInfo] {
        &self.messages
    }
}

/// A `-ERR` the application sends: a text and an optional response code (RFC 2449 §8,
/// RFC 3206): `IN-USE`, `LOGIN-DELAY`, `AUTH`, `SYS/TEMP`, `SYS/PERM`, ...
///
/// ```
/// use mailproto_pop3_session::Refusal;
/// use pop3_codec::{CodeKind, Encode};
/// let r = Refusal::new("maildrop already locked").with_code(CodeKind::InUse);
/// assert_eq!(r.to_status().to_bytes(), b"-ERR [IN-USE] maildrop already locked\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    code: Option<ResponseCode<'static>>,
    text: Text<'static>,
}

impl Refusal {
    /// A refusal with this text. CR, LF and NUL are replaced by spaces, and a leading `[`
    /// (which would read as a response code) by `(`.
    pub fn new(text: &str) -> Self {
        let mut bytes: Vec<u8> = text
            .bytes()
            .map(|b| {
                if matches!(b, 0 | b'\r' | b'\n') {
                    b' '
                } else {
                    b
                }
            })
            .collect();
        if bytes.first() == Some(&b'[') {
            bytes[0] = b'(';
        }
        Refusal {
            code: None,
            text: Text::new(bytes).unwrap_or_else(|_| Text::empty()),
        }
    }

    /// The same refusal with the code of `kind` (RFC 2449 §8.1, RFC 3206).
    pub fn with_code(self, kind: CodeKind) -> Self {
        self.with_response_code(ResponseCode::of(kind))
    }

    /// The same refusal with any response code.
    pub fn with_response_code(mut self, code: ResponseCode<'static>) -> Self {
        self.code = Some(code);
        self
    }

    /// `-ERR [IN-USE]`: the maildrop is locked (RFC 2449 §8.1.2).
    pub fn in_use() -> Self {
        Refusal::new("maildrop in use").with_code(CodeKind::InUse)
    }

    /// `-ERR [LOGIN-DELAY]`: logged in too recently (RFC 2449 §8.1.1).
    pub fn login_delay() -> Self {
        Refusal::new("login delay not expired").with_code(CodeKind::LoginDelay)
    }

    /// `-ERR [AUTH]`: wrong credentials (RFC 3206 §5).
    pub fn auth() -> Self {
        Refusal::new("authentication failed").with_code(CodeKind::Auth)
    }

    /// `-ERR [SYS/TEMP]`: a temporary problem (RFC 3206 §4).
    pub fn sys_temp() -> Self {
        Refusal::new("temporary failure").with_code(CodeKind::SysTemp)
    }

    /// `-ERR [SYS/PERM]`: a permanent problem (RFC 3206 §4).
    pub fn sys_perm() -> Self {
        Refusal::new("permanent failure").with_code(CodeKind::SysPerm)
    }

    /// The status line sent.
    pub fn to_status(&self) -> StatusLine<'static> {
        StatusLine::new(false, self.code.clone(), self.text.clone())
            .unwrap_or_else(|_| StatusLine::new(false, None, Text::empty()).expect("empty text"))
    }
}

/// Credentials to check ([`ServerEvent::Authenticate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// USER then PASS (RFC 1939 §7).
    UserPass {
        /// The name given to USER.
        name: Param<'static>,
        /// The password given to PASS (its `Debug` is redacted).
        password: Secret<'static>,
    },
    /// APOP (RFC 1939 §7): check with
    /// `ApopDigest::compute(&timestamp, secret).verify(&digest)`.
    Apop {
        /// The mailbox name.
        name: Param<'static>,
        /// The client's digest.
        digest: ApopDigest,
        /// The timestamp of this session's greeting.
        timestamp: Timestamp<'static>,
    },
}

/// Why a server session closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerClose {
    /// QUIT in AUTHORIZATION: nothing to update.
    Quit,
    /// QUIT in TRANSACTION and the UPDATE finished; `committed` as the application said.
    Updated {
        /// Whether the marked messages were removed.
        committed: bool,
    },
    /// The connection ended without QUIT: no UPDATE (RFC 1939 §6).
    ConnectionLost,
    /// A fatal peer error (see the preceding [`ServerEvent::PeerError`]).
    ProtocolError,
}

/// What the server session tells the application.
///
/// `Debug` shows the length of SASL data (initial responses, responses), never the data
/// (issue 18 item 10); passwords are [`Secret`]s, redacted by their type.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// Check credentials; answer [`ServerSession::accept_login`] or
    /// [`ServerSession::reject_login`].
    Authenticate(Credentials),
    /// AUTH with an offered mechanism (RFC 5034 §4); answer
    /// [`ServerSession::sasl_challenge`], `accept_login` or `reject_login`.
    SaslStart {
        /// The mechanism.
        mechanism: Mechanism<'static>,
        /// The decoded initial response, if the client sent one.
        initial_response: Option<Vec<u8>>,
    },
    /// The client's answer to a challenge; answer like [`ServerEvent::SaslStart`].
    SaslResponse(Vec<u8>),
    /// The client cancelled the SASL exchange with `*`; the session answered `-ERR`.
    SaslCancelled,
    /// The AUTH run by the session ([`ServerSession::sasl_start`]) succeeded: open the
    /// maildrop of `outcome.identity()` and answer [`ServerSession::accept_login`] (or
    /// [`ServerSession::reject_login`], e.g. `[IN-USE]`).
    SaslAuthenticated {
        /// Who authenticated, as whom (RFC 4422 §3.4).
        outcome: SaslAuthenticated,
    },
    /// The AUTH run by the session failed; the session answered `-ERR [AUTH]` (RFC 5034
    /// §4, RFC 3206). `error` says why, for the log.
    SaslFailed {
        /// Why.
        error: SaslError,
    },
    /// STLS accepted: once the `+OK` is transmitted, run the TLS handshake on the
    /// connection and call [`ServerSession::handle_tls_established`]. Input received after
    /// the STLS command was discarded (RFC 2595 §4).
    StartTls,
    /// RETR (`top: None`) or TOP: send the whole message with
    /// [`ServerSession::send_body`] and [`ServerSession::end_body`] (the session stuffs
    /// it, and cuts it for TOP), or refuse it with [`ServerSession::refuse_retrieve`].
    Retrieve {
        /// The message.
        msg: MsgNumber,
        /// For TOP, how many body lines.
        top: Option<u32>,
    },
    /// QUIT in TRANSACTION (RFC 1939 §6): remove these messages, then call
    /// [`ServerSession::commit_update`]. Never sent for a dropped connection.
    Update {
        /// The messages marked as deleted.
        deleted: Vec<MsgNumber>,
    },
    /// The client violated the protocol; the session answered `-ERR` (and closed, if a
    /// [`ServerEvent::Closed`] follows).
    PeerError(PeerError),
    /// Real-world profile ([`ServerConfig::with_parse_options`]): the client's command
    /// departed from the grammar in a way the catalogue knows; it was accepted. Reported
    /// before the events of that command (the offset counts from the command's start).
    Deviation(Deviation),
    /// Observer mode only ([`ServerSession::observer`]): a client message as read, parsed or
    /// not ([`crate::observe`]).
    Received(Received),
    /// The session is over: close the connection once transmitted bytes are written.
    Closed(ServerClose),
}

/// What [`ServerSession::poll_output`] returns.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub enum ServerOutput<'a> {
    /// Write these bytes to the connection.
    Transmit(&'a [u8]),
    /// Act on this.
    Event(ServerEvent),
}

/// What the session waits for from the application.
#[derive(Debug)]
enum Pending {
    None,
    /// An `accept_login` / `reject_login` (or `sasl_challenge` when `sasl`).
    Login {
        sasl: bool,
    },
    /// A SASL line from the client.
    SaslLine,
    /// A body for RETR or TOP.
    Body {
        msg: MsgNumber,
        top: Option<TopFilter>,
        started: bool,
        stuffer: BodyStuffer,
    },
    /// A `commit_update`.
    Update,
    /// `handle_tls_established`.
    Tls,
}

impl Pending {
    fn name(&self) -> &'static str {
        match self {
            Pending::None => "nothing",
            Pending::Login { .. } => "accept_login or reject_login",
            Pending::SaslLine => "the client's SASL line",
            Pending::Body { .. } => "end_body",
            Pending::Update => "commit_update",
            Pending::Tls => "handle_tls_established",
        }
    }
}

/// A POP3 server session: one connection, from the greeting to the close. No I/O.
///
/// Methods come in four kinds:
/// - getters: [`state`](Self::state), [`buffered_len`](Self::buffered_len), ...;
/// - inputs: [`handle_input`](Self::handle_input), [`handle_eof`](Self::handle_eof),
///   [`handle_tls_established`](Self::handle_tls_established);
/// - the application's answers to events: [`accept_login`](Self::accept_login),
///   [`send_body`](Self::send_body), [`commit_update`](Self::commit_update), ...;
/// - the output: [`poll_output`](Self::poll_output), to be called until `None` after
///   every input and answer. Bytes to transmit come before events.
///
/// Commands are handled one at a time, in order; while the application owes an answer,
/// later (pipelined) commands wait in the buffer.
///
/// `Debug` shows the state and how many octets are buffered, never the bytes (a PASS line
/// may be waiting in the buffer: issue 18 item 10).
pub struct ServerSession {
    config: ServerConfig,
    state: ServerState,
    decoder: CommandDecoder,
    /// Output built and not yet lent, preceded by the `lent` octets of the last Transmit.
    out: Vec<u8>,
    lent: usize,
    events: VecDeque<ServerEvent>,
    tls: bool,
    pending: Pending,
    /// The name of a USER answered `+OK` by the previous command.
    user: Option<Param<'static>>,
    maildrop: Maildrop,
    deleted: Vec<bool>,
    eof: bool,
    /// Following a recorded exchange ([`ServerSession::observer`]).
    observer: bool,
    /// The AUTH in progress: its initial response until [`ServerSession::sasl_start`], then
    /// the mechanism the session runs.
    sasl: Option<SaslRun>,
    /// The deviations seen so far (real-world profile).
    deviations_seen: DeviationCounter,
}

/// The application's credential store, held while an exchange the session runs lasts.
struct AuthHandle(Arc<dyn Authenticator + Send + Sync>);

impl ::core::fmt::Debug for AuthHandle {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("Authenticator(..)")
    }
}

#[derive(Debug)]
struct SaslRun {
    initial: Option<SaslSecret>,
    mechanism: Option<(Box<dyn ServerMechanism>, AuthHandle)>,
}

fn ok_line(text: &str) -> Response<'static> {
    Response::Status(
        StatusLine::ok(Text::new(text.as_bytes().to_vec()).unwrap_or_else(|_| Text::empty()))
            .expect("text without a leading ["),
    )
}

/// A positive multi-line answer (RFC 1939 §3) whose first line says `text`.
fn multi_line<T>(text: &'static str, items: Vec<T>) -> pop3_codec::MultiLine<'static, T> {
    let status = StatusLine::ok(Text::try_from(text).unwrap()).expect("plain text");
    pop3_codec::MultiLine::new(status, items).expect("+OK status")
}

impl ServerSession {
    /// A session that has just accepted a connection; the greeting is the first output.
    pub fn new(config: ServerConfig) -> Self {
        let mut out = Vec::new();
        config.greeting.encode(&mut out);
        ServerSession {
            decoder: config.decoder(),
            tls: config.tls,
            config,
            state: ServerState::Authorization,
            out,
            lent: 0,
            events: VecDeque::new(),
            pending: Pending::None,
            user: None,
            maildrop: Maildrop::default(),
            deleted: Vec::new(),
            eof: false,
            observer: false,
            sasl: None,
            deviations_seen: DeviationCounter::default(),
        }
    }

    /// The same session parsing the client's lines under `options`
    /// ([`ServerConfig::with_parse_options`]; for an [`observer`](Self::observer)).
    pub fn with_parse_options(mut self, options: ParseOptions) -> Self {
        self.config.parse = options;
        self.decoder = self.config.decoder();
        self
    }

    /// A session that follows a recorded exchange instead of serving it ([`crate::observe`]):
    /// fed the client's bytes, it reports every message as a [`ServerEvent::Received`],
    /// parsed or not, transmits nothing, checks no state and never closes on a peer error.
    /// The driver tells it what the server did that changes how the client's next line is
    /// read: [`sasl_challenge`](Self::sasl_challenge) (a SASL line follows) and
    /// [`handle_tls_established`](Self::handle_tls_established) (after `+OK` to STLS).
    pub fn observer(limits: Limits) -> Self {
        let greeting = Greeting::new(StatusLine::ok(Text::empty()).expect("empty text"))
            .expect("a +OK status");
        let mut s = ServerSession::new(ServerConfig::new(greeting).with_limits(limits));
        s.out.clear();
        s.observer = true;
        s
    }

    /// True for a session made by [`observer`](Self::observer).
    pub fn is_observer(&self) -> bool {
        self.observer
    }

    // ---------------------------------------------------------------- getters

    /// The state (RFC 1939 §3).
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// True once TLS is up (configured, or after STLS).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The maildrop opened by [`accept_login`](Self::accept_login).
    pub fn maildrop(&self) -> &Maildrop {
        &self.maildrop
    }

    /// True when message `msg` is marked as deleted.
    pub fn is_deleted(&self, msg: MsgNumber) -> bool {
        self.deleted
            .get(msg.get() as usize - 1)
            .copied()
            .unwrap_or(false)
    }

    /// Octets held by the session: input not yet handled and output not yet polled.
    /// Bounded by the limits, the pipelining allowance, the output cap
    /// ([`ServerConfig::with_max_output`]) plus one answer, and the largest chunk passed to
    /// [`send_body`](Self::send_body) (stuffed), whatever the size of a message.
    pub fn buffered_len(&self) -> usize {
        self.decoder.buffered().len() + self.out.len() - self.lent
    }

    /// True when the session would handle more input now (not waiting for the
    /// application); a caller may stop reading the connection while it is false.
    pub fn wants_input(&self) -> bool {
        matches!(self.pending, Pending::None | Pending::SaslLine)
            && self.state != ServerState::Closed
            && !self.output_full()
    }

    // ---------------------------------------------------------------- inputs

    /// Received bytes. Commands are handled when [`poll_output`](Self::poll_output) is
    /// called.
    pub fn handle_input(&mut self, data: &[u8]) -> Result<(), LocalError> {
        match self.state {
            ServerState::Closed => Err(LocalError::Closed),
            ServerState::TlsHandshake => Err(LocalError::TlsPending),
            _ => {
                if self.eof {
                    return Err(LocalError::Closed);
                }
                self.decoder.push(data);
                Ok(())
            }
        }
    }

    /// The client closed the connection. Commands received before are still handled;
    /// then the session closes without UPDATE unless one of them was QUIT (RFC 1939 §6).
    pub fn handle_eof(&mut self) {
        self.eof = true;
        if self.state == ServerState::TlsHandshake {
            self.pending = Pending::None;
            self.goto(ServerInput::EndOfStream);
            self.events
                .push_back(ServerEvent::Closed(ServerClose::ConnectionLost));
        }
    }

    /// TLS is up after [`ServerEvent::StartTls`]; commands are read again (RFC 2595 §4).
    pub fn handle_tls_established(&mut self) -> Result<(), LocalError> {
        if self.observer {
            self.pending = Pending::None;
            self.tls = true;
            self.drop_injected();
            return Ok(());
        }
        if !matches!(self.pending, Pending::Tls) || self.state != ServerState::TlsHandshake {
            return Err(self.wrong("handle_tls_established"));
        }
        self.pending = Pending::None;
        self.tls = true;
        self.decoder = self.config.decoder();
        self.goto(ServerInput::TlsEstablished);
        Ok(())
    }

    // ---------------------------------------------------------------- answers

    /// Accepts the credentials of [`ServerEvent::Authenticate`] or a SASL exchange and
    /// opens `maildrop`: `+OK`, TRANSACTION.
    pub fn accept_login(&mut self, maildrop: Maildrop) -> Result<(), LocalError> {
        if !matches!(self.pending, Pending::Login { .. }) {
            return Err(self.busy_or_wrong("accept_login"));
        }
        self.sasl = None;
        self.pending = Pending::None;
        self.deleted = vec![false; maildrop.messages.len()];
        self.maildrop = maildrop;
        let (n, size) = self.totals();
        let text = format!("maildrop has {n} messages ({size} octets)");
        ok_line(&text).encode(&mut self.out);
        self.goto(ServerInput::LoginAccepted);
        Ok(())
    }

    /// Refuses the credentials: `-ERR` with the refusal's code (e.g. `[AUTH]`, `[IN-USE]`,
    /// `[LOGIN-DELAY]`); the session stays in AUTHORIZATION.
    pub fn reject_login(&mut self, refusal: Refusal) -> Result<(), LocalError> {
        if !matches!(self.pending, Pending::Login { .. }) {
            return Err(self.busy_or_wrong("reject_login"));
        }
        self.sasl = None;
        self.pending = Pending::None;
        refusal.to_status().encode(&mut self.out);
        Ok(())
    }

    /// Runs the SASL exchange of the AUTH just reported ([`ServerEvent::SaslStart`]) with
    /// `mechanism` (from [`mailproto_sasl::ServerConfig::start`], which takes the randomness),
    /// checking credentials with `auth` (RFC 5034 §4, RFC 4422 §3): the session passes the
    /// initial response, sends the challenges, decodes and steps each client line, and ends
    /// with [`ServerEvent::SaslAuthenticated`] (answer `accept_login` with the maildrop) or
    /// `-ERR [AUTH]` and [`ServerEvent::SaslFailed`]. No [`ServerEvent::SaslResponse`] is
    /// reported for this exchange.
    pub fn sasl_start(
        &mut self,
        mechanism: Box<dyn ServerMechanism>,
        auth: Arc<dyn Authenticator + Send + Sync>,
    ) -> Result<(), LocalError> {
        let waiting = matches!(self.pending, Pending::Login { sasl: true });
        let Some(run) = self
            .sasl
            .as_mut()
            .filter(|r| waiting && r.mechanism.is_none())
        else {
            return Err(self.busy_or_wrong("sasl_start"));
        };
        let initial = run.initial.take();
        let mut mechanism = mechanism;
        let step = mechanism.start(initial.as_ref().map(|s| s.expose()), auth.as_ref());
        run.mechanism = Some((mechanism, AuthHandle(auth)));
        self.sasl_outcome(step);
        Ok(())
    }

    /// What the mechanism said: a challenge, or the outcome.
    fn sasl_outcome(&mut self, step: ServerStep) {
        match step {
            ServerStep::Challenge(c) => {
                Response::Challenge(c).encode(&mut self.out);
                self.pending = Pending::SaslLine;
            }
            ServerStep::Success(outcome) => {
                self.sasl = None;
                self.pending = Pending::Login { sasl: false };
                self.events
                    .push_back(ServerEvent::SaslAuthenticated { outcome });
            }
            ServerStep::Failure(error) => self.sasl_failed(error),
            // `ServerStep` grows with the SASL crate: anything else ends the exchange.
            _ => self.sasl_failed(SaslError::InvalidState("unknown step")),
        }
    }

    fn sasl_failed(&mut self, error: SaslError) {
        self.sasl = None;
        self.pending = Pending::None;
        Refusal::auth().to_status().encode(&mut self.out);
        self.events.push_back(ServerEvent::SaslFailed { error });
    }

    /// Sends a SASL challenge (`+ base64`, RFC 5034 §4) in an AUTH exchange.
    pub fn sasl_challenge(&mut self, data: &[u8]) -> Result<(), LocalError> {
        if self.observer {
            // The client's next line is a SASL response (RFC 5034 §4).
            self.pending = Pending::SaslLine;
            return Ok(());
        }
        if !matches!(self.pending, Pending::Login { sasl: true }) {
            return Err(self.busy_or_wrong("sasl_challenge"));
        }
        Response::Challenge(data.to_vec()).encode(&mut self.out);
        self.pending = Pending::SaslLine;
        Ok(())
    }

    /// The next chunk of the message asked for by [`ServerEvent::Retrieve`]. The first
    /// call sends the `+OK`; chunks may split lines anywhere. For TOP the session drops
    /// what lies beyond the requested lines.
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), LocalError> {
        self.start_body()?;
        let Pending::Body { top, stuffer, .. } = &mut self.pending else {
            unreachable!("start_body checked")
        };
        let data = match top {
            Some(filter) => filter.filter(chunk),
            None => chunk,
        };
        stuffer.push(data, &mut self.out);
        Ok(())
    }

    /// Ends the message: the terminating `.` line (RFC 1939 §3).
    pub fn end_body(&mut self) -> Result<(), LocalError> {
        self.start_body()?;
        let Pending::Body { stuffer, .. } = &mut self.pending else {
            unreachable!("start_body checked")
        };
        stuffer.finish(&mut self.out);
        self.pending = Pending::None;
        Ok(())
    }

    /// Refuses a RETR or TOP before any of its body was sent (e.g. `[SYS/TEMP]`).
    pub fn refuse_retrieve(&mut self, refusal: Refusal) -> Result<(), LocalError> {
        match &self.pending {
            Pending::Body { started: false, .. } => {
                self.pending = Pending::None;
                refusal.to_status().encode(&mut self.out);
                Ok(())
            }
            Pending::Body { .. } => Err(LocalError::Busy {
                waiting_for: "end_body (the body has started)",
            }),
            _ => Err(self.busy_or_wrong("refuse_retrieve")),
        }
    }

    /// Ends the UPDATE of [`ServerEvent::Update`]: `Ok` when every marked message was
    /// removed (`+OK`), else the refusal (RFC 1939 §6 `-ERR`, e.g. `[SYS/TEMP]`). Closes the
    /// session.
    pub fn commit_update(&mut self, outcome: Result<(), Refusal>) -> Result<(), LocalError> {
        if !matches!(self.pending, Pending::Update) {
            return Err(self.busy_or_wrong("commit_update"));
        }
        self.pending = Pending::None;
        let committed = outcome.is_ok();
        match outcome {
            Ok(()) => {
                let (n, _) = self.totals();
                ok_line(&format!("POP3 server signing off ({n} messages left)"))
                    .encode(&mut self.out);
            }
            Err(r) => r.to_status().encode(&mut self.out),
        }
        self.goto(ServerInput::UpdateDone);
        self.events
            .push_back(ServerEvent::Closed(ServerClose::Updated { committed }));
        Ok(())
    }

    // ---------------------------------------------------------------- output

    /// The next output: bytes to transmit first, then events. Call until `None` after
    /// every input and every answer. A borrowed `Transmit` is valid until the next call.
    pub fn poll_output(&mut self) -> Option<ServerOutput<'_>> {
        // What the last Transmit lent has been written: drop it.
        self.out.drain(..self.lent);
        self.lent = 0;
        self.process();
        if !self.out.is_empty() {
            self.lent = self.out.len().min(self.config.max_output);
            #[cfg(feature = "tracing")]
            tracing::trace!(octets = self.lent, "transmit");
            return Some(ServerOutput::Transmit(&self.out[..self.lent]));
        }
        let e = self.events.pop_front()?;
        #[cfg(feature = "tracing")]
        tracing::debug!(event = ?e, "event");
        Some(ServerOutput::Event(e))
    }

    // ---------------------------------------------------------------- internals

    fn goto(&mut self, input: ServerInput) {
        match next_state(SERVER_TRANSITIONS, self.state, input) {
            Some(s) => self.state = s,
            None => debug_assert!(false, "no transition {:?} on {input:?}", self.state),
        }
    }

    fn state_name(&self) -> &'static str {
        crate::states::Label::label(self.state)
    }

    fn wrong(&self, call: &'static str) -> LocalError {
        if self.state == ServerState::Closed {
            LocalError::Closed
        } else {
            LocalError::WrongState {
                attempt: Attempt::Method(call),
                state: self.state_name(),
            }
        }
    }

    fn busy_or_wrong(&self, call: &'static str) -> LocalError {
        match self.pending {
            Pending::None => self.wrong(call),
            ref p => LocalError::Busy {
                waiting_for: p.name(),
            },
        }
    }

    fn start_body(&mut self) -> Result<(), LocalError> {
        let size = match &self.pending {
            Pending::Body { started: true, .. } => return Ok(()),
            Pending::Body { msg, top, .. } => top
                .is_none()
                .then(|| self.maildrop.messages[msg.get() as usize - 1].size),
            _ => return Err(self.busy_or_wrong("send_body")),
        };
        match size {
            Some(size) => ok_line(&format!("{size} octets")).encode(&mut self.out),
            None => ok_line("").encode(&mut self.out),
        }
        if let Pending::Body { started, .. } = &mut self.pending {
            *started = true;
        }
        Ok(())
    }

    /// Counts and octets of the messages not marked as deleted.
    fn totals(&self) -> (usize, u64) {
        self.maildrop
            .messages
            .iter()
            .zip(&self.deleted)
            .filter(|(_, d)| !**d)
            .fold((0, 0), |(n, s), (m, _)| (n + 1, s + m.size))
    }

    /// Drops what is buffered at the switch to TLS, reporting it when there is any: bytes
    /// sent in the clear after STLS are never read as POP3 (RFC 2595 §4; CVE-2011-0411
    /// class). Nothing is sent for them.
    fn drop_injected(&mut self) {
        let len = self.decoder.take_buffered().len();
        if len > 0 {
            self.events
                .push_back(ServerEvent::PeerError(PeerError::StartTlsInjection { len }));
        }
    }

    fn err(&mut self, e: PeerError) {
        let text = e.suggested_reply();
        Refusal::new(text).to_status().encode(&mut self.out);
        self.events.push_back(ServerEvent::PeerError(e));
    }

    fn fatal(&mut self, e: PeerError) {
        self.err(e);
        self.decoder.take_buffered();
        self.goto(ServerInput::Fatal);
        self.events
            .push_back(ServerEvent::Closed(ServerClose::ProtocolError));
    }

    /// True when the output cap is reached: no command is read until the application drains
    /// the output (back-pressure, [`ServerConfig::with_max_output`]).
    fn output_full(&self) -> bool {
        self.out.len() - self.lent >= self.config.max_output
    }

    /// Observer mode: reports every complete client line, as a SASL line right after a
    /// challenge, else as a command.
    fn observe(&mut self) {
        loop {
            let (kind, result, answered_as) = if matches!(self.pending, Pending::SaslLine) {
                let r = match self.decoder.next_sasl_response() {
                    Ok(None) => return,
                    Ok(Some(line)) => Ok(Inbound::SaslResponse(line)),
                    Err(e) => Err(PeerError::Syntax(e)),
                };
                self.pending = Pending::None;
                (MessageKind::SaslResponse, r, Expected::Auth)
            } else {
                let (r, answered_as) = match self.decoder.next_command_with() {
                    Ok(None) => return,
                    Ok(Some(c)) => {
                        let (command, found) = (c.value.into_static(), c.deviations);
                        if self.deviations(found) {
                            return;
                        }
                        let answer = Expected::from(&command);
                        (Ok(Inbound::Command(command)), answer)
                    }
                    Err(e) => (
                        Err(PeerError::Syntax(e)),
                        Expected::for_rejected_line(self.decoder.last_line()),
                    ),
                };
                (MessageKind::Command, r, answered_as)
            };
            self.events.push_back(ServerEvent::Received(Received {
                kind,
                result,
                answered_as,
            }));
        }
    }

    /// Handles buffered commands until one needs the application or input runs out.
    fn process(&mut self) {
        if self.observer {
            return self.observe();
        }
        loop {
            if self.state == ServerState::Closed {
                return;
            }
            match self.pending {
                Pending::None => {}
                Pending::SaslLine => {
                    match self.decoder.next_sasl_response() {
                        Ok(Some(pop3_codec::SaslResponse::Data(d))) => {
                            self.pending = Pending::Login { sasl: true };
                            let run = self.sasl.as_mut().and_then(|r| r.mechanism.as_mut());
                            match run {
                                Some((m, auth)) => {
                                    let step = m.step(&d, auth.0.as_ref());
                                    self.sasl_outcome(step);
                                }
                                None => self.events.push_back(ServerEvent::SaslResponse(d)),
                            }
                        }
                        Ok(Some(pop3_codec::SaslResponse::Cancel)) => {
                            self.sasl = None;
                            self.pending = Pending::None;
                            Refusal::new("authentication cancelled")
                                .to_status()
                                .encode(&mut self.out);
                            self.events.push_back(ServerEvent::SaslCancelled);
                        }
                        Ok(None) => {
                            self.check_eof();
                            return;
                        }
                        Err(e) => {
                            self.pending = Pending::None;
                            self.err(PeerError::Syntax(e));
                        }
                    }
                    continue;
                }
                _ => {
                    let limit = self.config.max_pipelined;
                    if self.decoder.buffered().len() > limit
                        && matches!(
                            self.state,
                            ServerState::Authorization | ServerState::Transaction
                        )
                    {
                        self.pending = Pending::None;
                        self.fatal(PeerError::TooMuchPipelined { limit });
                    }
                    return;
                }
            }
            if self.output_full() {
                // Back-pressure: the rest waits in the input buffer.
                return;
            }
            let cmd = match self.decoder.next_command_with() {
                Ok(Some(c)) => {
                    let (command, found) = (c.value.into_static(), c.deviations);
                    if self.deviations(found) {
                        return;
                    }
                    command
                }
                Ok(None) => {
                    self.check_eof();
                    return;
                }
                Err(e) => {
                    self.user = None;
                    self.err(PeerError::Syntax(e));
                    continue;
                }
            };
            self.command(cmd);
        }
    }

    /// Reports the deviations of a command; true when they used up the budget (the
    /// session then answered `-ERR` and closed).
    fn deviations(&mut self, found: Vec<Deviation>) -> bool {
        for d in found {
            let used_up = self.deviations_seen.count(&self.config.budget, &d);
            self.events.push_back(ServerEvent::Deviation(d));
            if let Some(count) = used_up {
                self.fatal(PeerError::DeviationBudget {
                    deviation: d,
                    count,
                });
                return true;
            }
        }
        false
    }

    fn check_eof(&mut self) {
        if self.eof
            && matches!(self.pending, Pending::None | Pending::SaslLine)
            && matches!(
                self.state,
                ServerState::Authorization | ServerState::Transaction
            )
        {
            self.pending = Pending::None;
            self.goto(ServerInput::EndOfStream);
            self.events
                .push_back(ServerEvent::Closed(ServerClose::ConnectionLost));
        }
    }

    fn phase(&self) -> Phase {
        match self.state {
            ServerState::Transaction => Phase::Transaction,
            _ => Phase::Authorization,
        }
    }

    /// The message `n` if it exists and is not marked (RFC 1939 §5).
    fn live(&mut self, n: MsgNumber) -> Option<usize> {
        let i = n.get() as usize - 1;
        if i < self.maildrop.messages.len() && !self.deleted[i] {
            Some(i)
        } else {
            self.err(PeerError::NoSuchMessage { msg: n.get() });
            None
        }
    }

    fn command(&mut self, cmd: Command<'static>) {
        let kind = cmd.kind();
        let user = self.user.take();
        if !command_allowed(kind, self.phase()) {
            self.err(PeerError::WrongState {
                command: kind,
                state: self.state_name(),
            });
            return;
        }
        match cmd {
            Command::User(name) => {
                if self.config.offers_user() {
                    self.user = Some(name);
                    ok_line("send PASS").encode(&mut self.out);
                } else {
                    self.err(PeerError::NotOffered { command: kind });
                }
            }
            Command::Pass(password) => match user {
                Some(name) => {
                    self.pending = Pending::Login { sasl: false };
                    self.events
                        .push_back(ServerEvent::Authenticate(Credentials::UserPass {
                            name,
                            password,
                        }));
                }
                None => self.err(PeerError::PassWithoutUser),
            },
            Command::Apop { name, digest } => {
                match self
                    .config
                    .greeting
                    .timestamp()
                    .map(IntoStatic::into_static)
                {
                    Some(timestamp) => {
                        self.pending = Pending::Login { sasl: false };
                        self.events
                            .push_back(ServerEvent::Authenticate(Credentials::Apop {
                                name,
                                digest,
                                timestamp,
                            }));
                    }
                    None => self.err(PeerError::NotOffered { command: kind }),
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                if self.config.offers_mechanism(&mechanism) {
                    self.pending = Pending::Login { sasl: true };
                    self.sasl = Some(SaslRun {
                        initial: initial_response
                            .as_ref()
                            .map(|r| SaslSecret::new(r.clone())),
                        mechanism: None,
                    });
                    self.events.push_back(ServerEvent::SaslStart {
                        mechanism,
                        initial_response,
                    });
                } else {
                    self.err(PeerError::NotOffered { command: kind });
                }
            }
            Command::Stls => {
                if self.tls || !self.config.offers_stls() {
                    self.err(PeerError::NotOffered { command: kind });
                } else {
                    // RFC 2595 §4: nothing the client sent after STLS is read as POP3;
                    // such bytes are dropped and reported (command injection).
                    self.drop_injected();
                    ok_line("Begin TLS negotiation").encode(&mut self.out);
                    self.pending = Pending::Tls;
                    self.goto(ServerInput::StlsAccepted);
                    self.events.push_back(ServerEvent::StartTls);
                }
            }
            Command::Capa => {
                let tls = self.tls;
                let phase = self.phase();
                let items: Vec<Capability<'static>> = self
                    .config
                    .capabilities
                    .iter()
                    .filter(|c| {
                        !(matches!(c, Capability::Stls) && (tls || phase == Phase::Transaction))
                    })
                    .cloned()
                    .collect();
                Response::Capabilities(multi_line("Capability list follows", items))
                    .encode(&mut self.out);
            }
            Command::Quit => {
                if self.state == ServerState::Transaction {
                    self.goto(ServerInput::Quit);
                    self.pending = Pending::Update;
                    let deleted = self
                        .deleted
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| **d)
                        .filter_map(|(i, _)| MsgNumber::new(i as u32 + 1))
                        .collect();
                    self.events.push_back(ServerEvent::Update { deleted });
                } else {
                    ok_line("POP3 server signing off").encode(&mut self.out);
                    self.goto(ServerInput::Quit);
                    self.events
                        .push_back(ServerEvent::Closed(ServerClose::Quit));
                }
            }
            Command::Utf8 | Command::Lang(_) => self.err(PeerError::NotOffered { command: kind }),
            // `AUTH` alone (real-world only, `non-standard-commands`): the mechanisms of the
            // SASL capability, one per line, as Cyrus and Dovecot answer it.
            Command::AuthList => {
                let mechanisms = self
                    .config
                    .capabilities
                    .iter()
                    .find_map(|c| match c {
                        Capability::Sasl(m) => Some(m.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                Response::Mechanisms(multi_line("mechanisms follow", mechanisms))
                    .encode(&mut self.out);
            }
            Command::Stat => {
                let (n, size) = self.totals();
                Response::Stat(pop3_codec::DropListing {
                    count: n as u32,
                    size,
                    extra: Text::empty(),
                })
                .encode(&mut self.out);
            }
            Command::List(Some(n)) => {
                if let Some(i) = self.live(n) {
                    Response::Scan(pop3_codec::ScanListing {
                        msg: n,
                        size: self.maildrop.messages[i].size,
                        extra: Text::empty(),
                    })
                    .encode(&mut self.out);
                }
            }
            Command::List(None) => {
                let (n, size) = self.totals();
                let status = StatusLine::ok(
                    Text::new(format!("{n} messages ({size} octets)").into_bytes())
                        .expect("plain text"),
                )
                .expect("plain text");
                let items = self.live_messages(|msg, m| {
                    Some(pop3_codec::ScanListing {
                        msg,
                        size: m.size,
                        extra: Text::empty(),
                    })
                });
                Response::ScanList(pop3_codec::ScanListings::new(status, items).expect("+OK"))
                    .encode(&mut self.out);
            }
            Command::Uidl(arg) => {
                if self.maildrop.messages.iter().any(|m| m.uid.is_none()) {
                    self.err(PeerError::NotOffered { command: kind });
                    return;
                }
                match arg {
                    Some(n) => {
                        if let Some(i) = self.live(n) {
                            let uid = self.maildrop.messages[i].uid.clone().expect("checked");
                            Response::Uid(pop3_codec::UidListing { msg: n, uid })
                                .encode(&mut self.out);
                        }
                    }
                    None => {
                        let items = self.live_messages(|msg, m| {
                            m.uid.clone().map(|uid| pop3_codec::UidListing { msg, uid })
                        });
                        let status = StatusLine::ok(Text::empty()).expect("empty");
                        Response::UidList(pop3_codec::MultiLine::new(status, items).expect("+OK"))
                            .encode(&mut self.out);
                    }
                }
            }
            Command::Retr(n) | Command::Top { msg: n, .. } => {
                let top = match cmd {
                    Command::Top { lines, .. } => Some(lines),
                    _ => None,
                };
                if self.live(n).is_some() {
                    self.pending = Pending::Body {
                        msg: n,
                        top: top.map(TopFilter::new),
                        started: false,
                        stuffer: BodyStuffer::new(),
                    };
                    self.events.push_back(ServerEvent::Retrieve { msg: n, top });
                }
            }
            Command::Dele(n) => {
                if let Some(i) = self.live(n) {
                    self.deleted[i] = true;
                    ok_line(&format!("message {n} deleted")).encode(&mut self.out);
                }
            }
            Command::Noop => ok_line("").encode(&mut self.out),
            Command::Rset => {
                self.deleted.iter_mut().for_each(|d| *d = false);
                let (n, size) = self.totals();
                ok_line(&format!("maildrop has {n} messages ({size} octets)"))
                    .encode(&mut self.out);
            }
            _ => self.err(PeerError::NotOffered { command: kind }),
        }
    }

    fn live_messages<T>(&self, f: impl Fn(MsgNumber, &MessageInfo) -> Option<T>) -> Vec<T> {
        self.maildrop
            .messages
            .iter()
            .zip(&self.deleted)
            .enumerate()
            .filter(|(_, (_, d))| !**d)
            .filter_map(|(i, (m, _))| f(MsgNumber::new(i as u32 + 1)?, m))
            .collect()
    }
}

impl ::core::fmt::Debug for ServerEvent {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        use pop3_codec::core::Octets;
        match self {
            ServerEvent::Authenticate(c) => f.debug_tuple("Authenticate").field(c).finish(),
            ServerEvent::SaslStart {
                mechanism,
                initial_response,
            } => f
                .debug_struct("SaslStart")
                .field("mechanism", mechanism)
                .field(
                    "initial_response",
                    &initial_response.as_ref().map(|d| Octets(d.len())),
                )
                .finish(),
            ServerEvent::SaslResponse(d) => f
                .debug_tuple("SaslResponse")
                .field(&Octets(d.len()))
                .finish(),
            ServerEvent::SaslCancelled => f.write_str("SaslCancelled"),
            ServerEvent::SaslAuthenticated { outcome } => f
                .debug_struct("SaslAuthenticated")
                .field("outcome", outcome)
                .finish(),
            ServerEvent::SaslFailed { error } => {
                f.debug_struct("SaslFailed").field("error", error).finish()
            }
            ServerEvent::StartTls => f.write_str("StartTls"),
            ServerEvent::Retrieve { msg, top } => f
                .debug_struct("Retrieve")
                .field("msg", msg)
                .field("top", top)
                .finish(),
            ServerEvent::Update { deleted } => {
                f.debug_struct("Update").field("deleted", deleted).finish()
            }
            ServerEvent::PeerError(e) => f.debug_tuple("PeerError").field(e).finish(),
            ServerEvent::Deviation(d) => f.debug_tuple("Deviation").field(d).finish(),
            ServerEvent::Received(r) => f.debug_tuple("Received").field(r).finish(),
            ServerEvent::Closed(c) => f.debug_tuple("Closed").field(c).finish(),
        }
    }
}

impl ::core::fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("ServerSession")
            .field("state", &self.state)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("buffered", &pop3_codec::core::Octets(self.buffered_len()))
            .field("output_octets", &self.out.len())
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}
