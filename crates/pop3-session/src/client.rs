//! The client session (RFC 1939 §3–§7, RFC 2449 §5–6, RFC 2595 §4, RFC 5034 §4).
//!
//! The application states intentions ([`ClientSession::send`], [`ClientSession::apop`],
//! [`ClientSession::sasl_respond`]); the session encodes them, knows what each response
//! answers (pipelined or not) and reports typed [`ClientEvent`]s. Message bodies arrive as
//! unstuffed chunks: memory does not depend on the size of a message.

use crate::prelude::*;

use alloc::collections::VecDeque;

use mailproto_core::DeviationCounter;
use pop3_codec::context::{Deviation, ParseOptions, Pop3Deviation, Side};
use pop3_codec::{
    Capability, Command, CommandKind, Encode, Expected, Greeting, IntoStatic, LangListing, Limits,
    ListedSizes, Mechanism, MsgNumber, Param, Response, ResponseDecoder, ResponseEvent,
    SaslResponse, ScanListing, StatusLine, Text, UidListing,
};

use mailproto_sasl::{
    ClientConfig as SaslClientConfig, ClientMechanism, ClientStep, Credentials,
    Mechanism as SaslMechanism, NonceSource, SaslError,
};

use crate::DeviationBudget;
use crate::error::{Attempt, LocalError, PeerError};
use crate::observe::ReceivedResponse;
use crate::states::{
    CLIENT_TRANSITIONS, ClientInput, ClientState, Label, Phase, command_allowed, next_state,
};

/// Identifies a command sent with [`ClientSession::send`]; every event answering it
/// carries it. Ids increase in the order commands were given. Opaque: only the session
/// makes them, so an id cannot be forged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u64);

impl RequestId {
    /// The id as a number (for logs): 0 for the first command, then increasing.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// Why a client session closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientClose {
    /// QUIT was answered (see [`ClientEvent::Quit`]).
    Quit,
    /// The server closed the connection after refusing the credentials: an
    /// authentication failure, not a protocol error. The last `-ERR` is kept (its
    /// response code may say `AUTH`, `IN-USE`, `LOGIN-DELAY`, `SYS/TEMP`, ...).
    AuthenticationFailed(StatusLine<'static>),
    /// The greeting was `-ERR`.
    GreetingRefused(StatusLine<'static>),
    /// The connection ended without QUIT being answered; in UPDATE, whether the server
    /// removed the marked messages is unknown.
    ConnectionLost,
    /// The server violated the protocol (see the preceding [`ClientEvent::PeerError`]).
    ProtocolError,
}

/// What the client session does about TLS (RFC 8314 §4.1, RFC 2595 §4; the "NO STARTTLS"
/// study, USENIX Security 2021: STLS stripping). Set with [`ClientSession::with_tls_policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsPolicy {
    /// No credential ever goes out in clear: USER, PASS, APOP and AUTH are refused
    /// ([`LocalError::TlsRequired`]) until TLS is up ([`ClientSession::new_tls`], or after
    /// STLS and [`ClientSession::handle_tls_established`]). STLS answered `-ERR`, and a CAPA
    /// answer without STLS on a plaintext connection, are [`PeerError::TlsStripped`]:
    /// reported, and the session closes.
    Required,
    /// The application may use STLS; credentials may go out in clear when it does not.
    #[default]
    Opportunistic,
    /// No TLS: STLS is refused ([`LocalError::TlsPolicy`]). For loopback and tests.
    Never,
}

/// How a man in the middle tried to keep the connection in clear ([`PeerError::TlsStripped`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stripping {
    /// A CAPA answer on the plaintext connection without STLS.
    NotOffered,
    /// STLS answered `-ERR`.
    Refused,
}

/// What the client session tells the application.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent<'a> {
    /// The greeting (RFC 1939 §4); [`Greeting::timestamp`] is the APOP timestamp.
    Greeting(Greeting<'static>),
    /// The answer to CAPA (RFC 2449 §5); also kept in
    /// [`ClientSession::capabilities`].
    Capabilities {
        /// The CAPA command.
        id: RequestId,
        /// The capabilities.
        capabilities: Vec<Capability<'static>>,
    },
    /// `+OK` to STLS: hand the connection to TLS now, then call
    /// [`ClientSession::handle_tls_established`]. Any byte received after the `+OK` line
    /// was discarded (RFC 2595 §4), and the capabilities are forgotten.
    StartTls {
        /// The STLS command.
        id: RequestId,
    },
    /// A SASL challenge (RFC 5034 §4): answer with [`ClientSession::sasl_respond`] or
    /// [`ClientSession::sasl_cancel`].
    SaslChallenge {
        /// The AUTH command.
        id: RequestId,
        /// The decoded challenge.
        data: Vec<u8>,
    },
    /// The AUTH run by the session ([`ClientSession::authenticate`]) succeeded: the
    /// server said `+OK` and, for SCRAM, proved its identity (RFC 5802 §5.1 `v`). Reported
    /// just before the [`ClientEvent::LoggedIn`] of that `+OK`.
    Authenticated {
        /// The AUTH command.
        id: RequestId,
        /// The mechanism used.
        mechanism: SaslMechanism,
    },
    /// The AUTH run by the session failed on the client's side: the mechanism refused a
    /// challenge (the session cancelled with `*`, RFC 5034 §4, and the server's `-ERR`
    /// follows), or the server said `+OK` without proving its identity (SCRAM): the
    /// session then closes ([`ClientClose::ProtocolError`]).
    AuthenticationFailed {
        /// The AUTH command.
        id: RequestId,
        /// Why.
        error: SaslError,
    },
    /// `+OK` to PASS, APOP or AUTH: the maildrop is open (TRANSACTION).
    LoggedIn {
        /// The login command.
        id: RequestId,
        /// The status line.
        status: StatusLine<'static>,
    },
    /// `-ERR` to PASS, APOP or AUTH. The code may be `AUTH`, `IN-USE`, `LOGIN-DELAY`,
    /// `SYS/TEMP`, `SYS/PERM` (RFC 2449 §8, RFC 3206).
    AuthFailed {
        /// The login command.
        id: RequestId,
        /// The `-ERR` line.
        status: StatusLine<'static>,
    },
    /// `+OK` to a command without data (USER, DELE, NOOP, RSET, UTF8, `LANG tag`).
    Ok {
        /// The command.
        id: RequestId,
        /// The status line.
        status: StatusLine<'static>,
    },
    /// `-ERR` to any command but a login or QUIT.
    Refused {
        /// The command.
        id: RequestId,
        /// Its kind (Display shows the keyword); `None` for a line the grammar rejected,
        /// followed in observer mode ([`ClientSession::observe_rejected_line`]).
        command: Option<CommandKind>,
        /// The `-ERR` line.
        status: StatusLine<'static>,
    },
    /// STAT's drop listing (RFC 1939 §5).
    Stat {
        /// The STAT command.
        id: RequestId,
        /// Messages not marked as deleted.
        count: u32,
        /// Their size in octets.
        size: u64,
    },
    /// `LIST msg` (RFC 1939 §5).
    Scan {
        /// The LIST command.
        id: RequestId,
        /// The listing.
        listing: ScanListing<'static>,
    },
    /// LIST (RFC 1939 §5).
    ScanList {
        /// The LIST command.
        id: RequestId,
        /// One listing per message not marked as deleted.
        listings: Vec<ScanListing<'static>>,
    },
    /// `UIDL msg` (RFC 1939 §7).
    Uid {
        /// The UIDL command.
        id: RequestId,
        /// The listing.
        listing: UidListing<'static>,
    },
    /// UIDL (RFC 1939 §7).
    UidList {
        /// The UIDL command.
        id: RequestId,
        /// One listing per message not marked as deleted.
        listings: Vec<UidListing<'static>>,
    },
    /// LANG without argument (RFC 6856 §3).
    Languages {
        /// The LANG command.
        id: RequestId,
        /// The languages.
        listings: Vec<LangListing<'static>>,
    },
    /// The mechanism list answering `AUTH` without a mechanism
    /// ([`Command::AuthList`], real-world `non-standard-commands`).
    Mechanisms {
        /// The command.
        id: RequestId,
        /// The SASL mechanisms, in the server's order.
        mechanisms: Vec<Mechanism<'static>>,
    },
    /// The lines answering `XTND XLST` ([`Command::XtndXlst`], real-world
    /// `non-standard-commands`).
    XtndList {
        /// The command.
        id: RequestId,
        /// The lines, unstuffed.
        lines: Vec<Text<'static>>,
    },
    /// `+OK` to RETR or TOP: [`ClientEvent::BodyChunk`]s and a
    /// [`ClientEvent::MessageEnd`] follow.
    MessageStart {
        /// The RETR or TOP command.
        id: RequestId,
        /// The status line.
        status: StatusLine<'static>,
    },
    /// Unstuffed body octets (RFC 1939 §3), borrowed until the next call.
    BodyChunk {
        /// The RETR or TOP command.
        id: RequestId,
        /// The octets.
        data: &'a [u8],
    },
    /// The body is complete.
    MessageEnd {
        /// The RETR or TOP command.
        id: RequestId,
    },
    /// The answer to QUIT (RFC 1939 §6). `updated` is true when QUIT was sent in
    /// TRANSACTION and answered `+OK`: the server removed the marked messages. A `-ERR`
    /// in UPDATE means some were not removed. A [`ClientEvent::Closed`] follows.
    Quit {
        /// The QUIT command.
        id: RequestId,
        /// Whether the deletions were committed.
        updated: bool,
        /// The status line.
        status: StatusLine<'static>,
    },
    /// `+OK` to STLS: what the session learned on the plaintext connection (the
    /// capabilities) is dropped (RFC 2595 §4), reported before [`ClientEvent::StartTls`]
    /// when there was any.
    PlaintextStateDropped {
        /// The capabilities forgotten.
        capabilities: Vec<Capability<'static>>,
    },
    /// The server violated the protocol. The session is closed when a
    /// [`ClientEvent::Closed`] follows; a [`PeerError::StartTlsInjection`] is reported
    /// without closing.
    PeerError(PeerError),
    /// Real-world profile ([`ClientSession::with_parse_options`]): the server departed from
    /// the grammar or from a session rule in a way the catalogue knows; the session accepted
    /// it and goes on. Reported before the events of the response it was found in (its
    /// offset counts from that response's start; 0 for a session rule).
    Deviation(Deviation),
    /// Observer mode only ([`ClientSession::observer`]): a response as read, parsed or not,
    /// before the session acts on it ([`crate::observe`]).
    Received(ReceivedResponse),
    /// The session is over.
    Closed(ClientClose),
}

/// What [`ClientSession::poll_output`] returns.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub enum ClientOutput<'a> {
    /// Write these bytes to the connection.
    Transmit(&'a [u8]),
    /// Act on this.
    Event(ClientEvent<'a>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sasl {
    None,
    /// AUTH (or a SASL line) sent; the server's answer is awaited.
    WaitingServer,
    /// A challenge was reported; the application owes a response.
    WaitingApp,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    id: RequestId,
    /// The command's kind; `None` for a line the grammar rejected (observer mode).
    kind: Option<CommandKind>,
    /// How its answer is parsed.
    expected: Expected,
    /// For RETR, the message (its body is checked against the size LIST gave).
    retr: Option<MsgNumber>,
}

/// The message RETR asks for.
fn retr_of(cmd: &Command<'_>) -> Option<MsgNumber> {
    match cmd {
        Command::Retr(msg) => Some(*msg),
        _ => None,
    }
}

/// What one decoder step produced, owned (so the decoder's borrow ends).
enum Step {
    Nothing,
    Response(Response<'static>),
    Start(StatusLine<'static>),
    /// A chunk, copied into `ClientSession::chunk`.
    Chunk,
    End,
    Error(PeerError),
}

/// The longest command line, CRLF included (RFC 2449 §4).
const MAX_COMMAND: usize = 255;

/// A POP3 client session: one connection, from the greeting to the close. No I/O.
///
/// Methods come in four kinds:
/// - getters: [`state`](Self::state), [`capabilities`](Self::capabilities),
///   [`buffered_len`](Self::buffered_len), ...;
/// - inputs: [`handle_input`](Self::handle_input), [`handle_eof`](Self::handle_eof),
///   [`handle_tls_established`](Self::handle_tls_established);
/// - intentions: [`send`](Self::send), [`apop`](Self::apop),
///   [`sasl_respond`](Self::sasl_respond), [`sasl_cancel`](Self::sasl_cancel);
/// - the output: [`poll_output`](Self::poll_output), called until `None` after every
///   input and intention. Bytes to transmit come before events.
///
/// Commands are sent at once when the server announced PIPELINING (RFC 2449 §6.6) or
/// nothing is in flight; otherwise they wait in the session, in order. STLS and AUTH are
/// only accepted when nothing is in flight.
///
/// `Debug` shows the state and the sizes of the buffers, never their bytes (the output may
/// hold a PASS line or a SASL response: issue 18 item 10).
pub struct ClientSession {
    limits: Limits,
    state: ClientState,
    decoder: ResponseDecoder,
    out: Vec<u8>,
    out_taken: bool,
    chunk: Vec<u8>,
    /// The octets of the body being received (RETR, TOP).
    body_len: u64,
    /// The sizes LIST answers gave, for the check of RETR bodies (RFC 1939 §5, §11).
    listed: ListedSizes,
    events: VecDeque<ClientEvent<'static>>,
    in_flight: VecDeque<InFlight>,
    queue: VecDeque<(RequestId, Command<'static>)>,
    next_id: u64,
    greeting: Option<Greeting<'static>>,
    capabilities: Option<Vec<Capability<'static>>>,
    tls: bool,
    tls_policy: TlsPolicy,
    sasl: Sasl,
    /// The mechanism of the AUTH the session runs, and whether it cancelled.
    mechanism: Option<(Box<dyn ClientMechanism>, bool)>,
    deferred_ir: Option<Vec<u8>>,
    last_was_user: bool,
    auth_failed: Option<StatusLine<'static>>,
    quit_given: bool,
    eof: bool,
    /// Following a recorded exchange ([`ClientSession::observer`]).
    observer: bool,
    /// How the server's responses are parsed ([`ClientSession::with_parse_options`]).
    options: ParseOptions,
    /// When to stop following a deviating server.
    budget: DeviationBudget,
    /// The deviations seen so far.
    deviations_seen: DeviationCounter,
}

impl ClientSession {
    /// A session on a new connection, waiting for the greeting.
    pub fn new(limits: Limits) -> Self {
        ClientSession {
            limits,
            state: ClientState::Greeting,
            decoder: ResponseDecoder::new(limits),
            out: Vec::new(),
            out_taken: false,
            chunk: Vec::new(),
            body_len: 0,
            listed: ListedSizes::default(),
            events: VecDeque::new(),
            in_flight: VecDeque::new(),
            queue: VecDeque::new(),
            next_id: 0,
            greeting: None,
            capabilities: None,
            tls: false,
            tls_policy: TlsPolicy::default(),
            sasl: Sasl::None,
            mechanism: None,
            deferred_ir: None,
            last_was_user: false,
            auth_failed: None,
            quit_given: false,
            eof: false,
            observer: false,
            options: ParseOptions::default().with_limits(limits),
            budget: DeviationBudget::default(),
            deviations_seen: DeviationCounter::default(),
        }
    }

    /// A session that follows a recorded exchange instead of taking part in it
    /// ([`crate::observe`]), starting in `start`: [`ClientState::Greeting`] for a recording
    /// from the connection on, else [`ClientState::Authorization`] or
    /// [`ClientState::Transaction`].
    ///
    /// Fed the server's bytes, it reports every response as a [`ClientEvent::Received`]
    /// (then the usual typed events); told what the client sent
    /// ([`send`](Self::send), [`sasl_respond`](Self::sasl_respond),
    /// [`observe_rejected_line`](Self::observe_rejected_line)), it knows what each response
    /// answers. It transmits nothing, accepts every command in every state, sends each at
    /// once (the recording says it was sent), and does not close on a syntax error.
    pub fn observer(limits: Limits, start: ClientState) -> Self {
        let mut s = Self::new(limits);
        s.observer = true;
        if start != ClientState::Greeting {
            s.decoder = ResponseDecoder::without_greeting(limits).with_options(s.options);
            s.state = match start {
                ClientState::Transaction => ClientState::Transaction,
                _ => ClientState::Authorization,
            };
        }
        s
    }

    /// True for a session made by [`observer`](Self::observer).
    pub fn is_observer(&self) -> bool {
        self.observer
    }

    /// Observer mode: the client sent a line the grammar rejects. A server answers it with
    /// exactly one single-line status (RFC 1939 §3: "a negative status indicator"; RFC 5034
    /// §4 for a bad SASL line), which this session now expects, so that the answers after it
    /// pair with their own commands.
    pub fn observe_rejected_line(&mut self) -> Result<(), LocalError> {
        self.observe_rejected_line_as(Expected::Status)
    }

    /// Observer mode: the client sent a line the grammar rejects, and its answer is read as
    /// `answer` (the server observer's [`Received::answered_as`](crate::Received), from
    /// [`Expected::for_rejected_line`]): a server that reads `TOP 1 -1` leniently answers
    /// with a message (Courier, GNU Mailutils), and the answers after it still pair with
    /// their own commands. A `-ERR` answers every kind.
    pub fn observe_rejected_line_as(&mut self, answer: Expected) -> Result<(), LocalError> {
        if !self.observer {
            return Err(self.wrong(Attempt::Method("observe_rejected_line")));
        }
        if self.sasl == Sasl::WaitingApp {
            // A SASL line that is not base64: the AUTH command still awaits its answer.
            self.decoder.expect(Expected::Auth);
            self.sasl = Sasl::WaitingServer;
            return Ok(());
        }
        let id = RequestId(self.next_id);
        self.next_id += 1;
        // A SASL exchange is not followed for a rejected AUTH line: its status closes it.
        let answer = if answer == Expected::Auth {
            Expected::Status
        } else {
            answer
        };
        self.decoder.expect(answer);
        self.in_flight.push_back(InFlight {
            id,
            kind: None,
            expected: answer,
            retr: None,
        });
        Ok(())
    }

    /// The same, for a connection that is already under TLS (POP3S, RFC 8314).
    pub fn new_tls(limits: Limits) -> Self {
        let mut s = Self::new(limits);
        s.tls = true;
        s
    }

    /// The same session parsing the server's responses under `options` (their profile; the
    /// session keeps its limits). Strict by default; under [`Profile::RealWorld`] each
    /// departure the catalogue knows is accepted and reported as a
    /// [`ClientEvent::Deviation`], and the session rules of the catalogue are tolerated
    /// the same way (`eof-after-err`).
    ///
    /// [`Profile::RealWorld`]: pop3_codec::Profile::RealWorld
    ///
    /// ```
    /// use mailproto_pop3_session::codec::{DeviationId, Limits, ParseOptions, Profile};
    /// use mailproto_pop3_session::{ClientEvent, ClientOutput, ClientSession};
    /// let real = ParseOptions::default().with_profile(Profile::RealWorld);
    /// let mut s = ClientSession::new(Limits::default()).with_parse_options(real);
    /// s.handle_input(b"+OK ready\n").unwrap();
    /// let mut seen = Vec::new();
    /// while let Some(out) = s.poll_output() {
    ///     match out {
    ///         ClientOutput::Event(ClientEvent::Deviation(d)) => seen.push(d.id.id()),
    ///         ClientOutput::Event(ClientEvent::Greeting(_)) => seen.push("greeting"),
    ///         _ => {}
    ///     }
    /// }
    /// assert_eq!(seen, ["bare-lf", "greeting"]);
    /// ```
    pub fn with_parse_options(mut self, options: ParseOptions) -> Self {
        self.options = options.with_limits(self.limits);
        self.decoder = self.decoder.with_options(self.options);
        self
    }

    /// The same session with a deviation budget (real-world profile): at the deviation
    /// that uses it up, the session reports it, then [`PeerError::DeviationBudget`], and
    /// closes ([`ClientClose::ProtocolError`]). Unlimited by default.
    pub fn with_deviation_budget(mut self, budget: DeviationBudget) -> Self {
        self.budget = budget;
        self
    }

    /// The options the server's responses are parsed under.
    pub fn parse_options(&self) -> &ParseOptions {
        &self.options
    }

    /// The same session with another TLS policy ([`TlsPolicy`]; default
    /// [`TlsPolicy::Opportunistic`]).
    pub fn with_tls_policy(mut self, policy: TlsPolicy) -> Self {
        self.tls_policy = policy;
        self
    }

    // ---------------------------------------------------------------- getters

    /// The TLS policy in force.
    pub fn tls_policy(&self) -> TlsPolicy {
        self.tls_policy
    }

    /// The state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// The greeting, once received.
    pub fn greeting(&self) -> Option<&Greeting<'static>> {
        self.greeting.as_ref()
    }

    /// The capabilities of the last CAPA answer (forgotten after STLS, RFC 2595 §4).
    pub fn capabilities(&self) -> Option<&[Capability<'static>]> {
        self.capabilities.as_deref()
    }

    /// True when the server announced PIPELINING (RFC 2449 §6.6).
    pub fn pipelining(&self) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|c| c.iter().any(|c| matches!(c, Capability::Pipelining)))
    }

    /// True once TLS is up.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Commands sent and not yet fully answered.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Commands given and not yet sent (waiting for earlier answers).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Octets held by the session: received input not yet decoded, output not yet
    /// polled, and the current body chunk. Bounded by the limits and the size of the
    /// inputs, whatever the size of a message.
    pub fn buffered_len(&self) -> usize {
        self.decoder.buffered_len()
            + if self.out_taken { 0 } else { self.out.len() }
            + self.chunk.len()
    }

    // ---------------------------------------------------------------- inputs

    /// Received bytes. They are decoded by [`poll_output`](Self::poll_output).
    ///
    /// Between the `+OK` to STLS and [`handle_tls_established`](Self::handle_tls_established)
    /// input is refused and dropped ([`LocalError::TlsPending`]).
    pub fn handle_input(&mut self, data: &[u8]) -> Result<(), LocalError> {
        match self.state {
            ClientState::Closed => Err(LocalError::Closed),
            ClientState::TlsHandshake => Err(LocalError::TlsPending),
            _ if self.eof => Err(LocalError::Closed),
            _ => {
                self.decoder.push(data);
                Ok(())
            }
        }
    }

    /// The server closed the connection. Input received before is still decoded.
    pub fn handle_eof(&mut self) {
        self.eof = true;
    }

    /// TLS is up after [`ClientEvent::StartTls`]. Send CAPA again to learn what the
    /// server offers under TLS.
    pub fn handle_tls_established(&mut self) -> Result<(), LocalError> {
        if self.state != ClientState::TlsHandshake {
            return Err(self.wrong(Attempt::Method("handle_tls_established")));
        }
        self.tls = true;
        self.decoder = ResponseDecoder::without_greeting(self.limits).with_options(self.options);
        self.goto(ClientInput::TlsEstablished);
        self.flush();
        Ok(())
    }

    // ---------------------------------------------------------------- intentions

    /// Sends a command (or queues it until it may be sent). Checks that it is valid
    /// where the session will be ([`crate::states::command_phases`]; PASS right after
    /// USER). An AUTH initial response that would make the command longer than 255 octets
    /// is sent after the server's empty challenge instead (RFC 5034 §4).
    pub fn send(&mut self, cmd: Command<'_>) -> Result<RequestId, LocalError> {
        if self.observer {
            return Ok(self.observe_command(cmd.into_static()));
        }
        self.check_send(&cmd)?;
        let mut cmd = cmd.into_static();
        if let Command::Auth {
            mechanism,
            initial_response: Some(ir),
        } = &cmd
            && cmd.to_bytes().len() > MAX_COMMAND
        {
            self.deferred_ir = Some(ir.clone());
            cmd = Command::Auth {
                mechanism: mechanism.clone(),
                initial_response: None,
            };
        }
        match cmd {
            Command::Quit => self.quit_given = true,
            Command::Auth { .. } => self.sasl = Sasl::WaitingServer,
            _ => {}
        }
        self.last_was_user = matches!(cmd, Command::User(_));
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.queue.push_back((id, cmd));
        self.flush();
        Ok(id)
    }

    /// APOP with the greeting's timestamp and the shared secret (RFC 1939 §7).
    pub fn apop(&mut self, name: Param<'_>, secret: &[u8]) -> Result<RequestId, LocalError> {
        let greeting = self.greeting.as_ref().ok_or(LocalError::NoTimestamp)?;
        let ts = greeting.timestamp().ok_or(LocalError::NoTimestamp)?;
        let cmd = Command::apop(name, &ts, secret).into_static();
        self.send(cmd)
    }

    /// Sends AUTH (RFC 5034 §4) and runs the SASL exchange with `mechanism`: the initial
    /// response goes inline when `AUTH <mechanism> <base64>` fits in 255 octets (RFC 2449
    /// §4), otherwise after the server's empty challenge; every challenge is stepped by the
    /// session and answered in base64, or cancelled with `*` when the mechanism refuses it.
    /// The outcome is [`ClientEvent::Authenticated`] then [`ClientEvent::LoggedIn`], or
    /// [`ClientEvent::AuthenticationFailed`] and then [`ClientEvent::AuthFailed`] (or the
    /// close, when a `+OK` came without the server's proof). No
    /// [`ClientEvent::SaslChallenge`] is reported for this exchange.
    pub fn authenticate(
        &mut self,
        mut mechanism: Box<dyn ClientMechanism>,
    ) -> Result<RequestId, LocalError> {
        let name = pop3_codec::Mechanism::new(mechanism.mechanism().as_str().to_owned())
            .map_err(|_| LocalError::Sasl(SaslError::InvalidMechanismName))?;
        let ir = mechanism.initial_response().map_err(LocalError::Sasl)?;
        let id = self.send(Command::Auth {
            mechanism: name,
            initial_response: ir.map(|r| r.as_bytes().to_vec()),
        })?;
        self.mechanism = Some((mechanism, false));
        Ok(id)
    }

    /// Picks the strongest mechanism of the CAPA `SASL` list (RFC 5034 §5) that fits
    /// `credentials` under `config` ([`mailproto_sasl::ClientConfig::choose`]), starts it and
    /// runs it ([`authenticate`](Self::authenticate)). CAPA must have been answered.
    pub fn authenticate_with(
        &mut self,
        config: &SaslClientConfig,
        credentials: &Credentials,
        nonces: &mut dyn NonceSource,
    ) -> Result<(RequestId, SaslMechanism), LocalError> {
        let advertised: Vec<SaslMechanism> = self
            .capabilities()
            .unwrap_or_default()
            .iter()
            .filter_map(|c| match c {
                Capability::Sasl(ms) => Some(ms),
                _ => None,
            })
            .flatten()
            .filter_map(|m| SaslMechanism::new(m.as_str()).ok())
            .collect();
        let chosen = config
            .choose(&advertised, credentials)
            .ok_or(LocalError::NoMechanism)?;
        let mechanism = config
            .start(&chosen, credentials, nonces)
            .map_err(LocalError::Sasl)?;
        let id = self.authenticate(mechanism)?;
        Ok((id, chosen))
    }

    /// Answers the last [`ClientEvent::SaslChallenge`] (RFC 5034 §4).
    pub fn sasl_respond(&mut self, data: &[u8]) -> Result<(), LocalError> {
        self.sasl_line(SaslResponse::Data(data.to_vec()))
    }

    /// Cancels the SASL exchange with `*` (RFC 5034 §4); the server answers `-ERR`.
    pub fn sasl_cancel(&mut self) -> Result<(), LocalError> {
        self.sasl_line(SaslResponse::Cancel)
    }

    // ---------------------------------------------------------------- output

    /// The next output: bytes to transmit first, then events. Call until `None` after
    /// every input and intention. Borrowed data is valid until the next call.
    pub fn poll_output(&mut self) -> Option<ClientOutput<'_>> {
        if self.out_taken {
            self.out.clear();
            self.out_taken = false;
        }
        self.chunk.clear();
        loop {
            if !self.out.is_empty() {
                self.out_taken = true;
                #[cfg(feature = "tracing")]
                tracing::trace!(octets = self.out.len(), "transmit");
                return Some(ClientOutput::Transmit(&self.out));
            }
            if let Some(e) = self.events.pop_front() {
                #[cfg(feature = "tracing")]
                tracing::debug!(event = ?e, "event");
                return Some(ClientOutput::Event(e));
            }
            match self.state {
                ClientState::Closed => return None,
                ClientState::TlsHandshake if self.eof => {
                    self.close_on_eof();
                    continue;
                }
                ClientState::TlsHandshake => return None,
                _ => {}
            }
            let step = self.step();
            if self.deviations_found() {
                // The budget is used up: the session closed.
                continue;
            }
            match step {
                Step::Nothing => {
                    if self.decoder.pending() == 0 && self.decoder.buffered_len() > 0 {
                        if self.observer {
                            // Reported, and dropped: nothing was asked that they answer.
                            drop(self.decoder.take_buffered());
                            self.events
                                .push_back(ClientEvent::Received(ReceivedResponse {
                                    id: None,
                                    answers: Expected::Status,
                                    result: Err(PeerError::Unsolicited),
                                }));
                            continue;
                        }
                        self.fatal(PeerError::Unsolicited);
                        continue;
                    }
                    if self.eof {
                        self.close_on_eof();
                        continue;
                    }
                    return None;
                }
                Step::Chunk => {
                    let id = self.front_id();
                    self.body_len += self.chunk.len() as u64;
                    return Some(ClientOutput::Event(ClientEvent::BodyChunk {
                        id,
                        data: &self.chunk,
                    }));
                }
                Step::Start(status) => {
                    let id = self.front_id();
                    self.body_len = 0;
                    self.events
                        .push_back(ClientEvent::MessageStart { id, status });
                }
                Step::End => {
                    if self.body_size_differs() {
                        // The budget is used up: the session closed.
                        continue;
                    }
                    let id = self.pop_front();
                    self.events.push_back(ClientEvent::MessageEnd { id });
                    self.flush();
                }
                Step::Response(r) => {
                    if self.observer {
                        let (id, answers) = self.answers();
                        self.events
                            .push_back(ClientEvent::Received(ReceivedResponse {
                                id,
                                answers,
                                result: Ok(r.clone()),
                            }));
                    }
                    self.response(r)
                }
                Step::Error(e) if self.observer => {
                    // The decoder skipped the message and its expectation: so does the
                    // session, and the next response pairs with the next command.
                    // In an AUTH exchange only a status line ends it (RFC 5034 §4): a line
                    // that parses as neither is taken as a malformed challenge, and the
                    // client's next line as its SASL response.
                    let (id, answers) = self.answers();
                    if self.state == ClientState::Greeting {
                        self.goto(ClientInput::GreetingOk);
                    } else if answers == Expected::Auth {
                        self.sasl = Sasl::WaitingApp;
                    } else {
                        self.in_flight.pop_front();
                    }
                    self.events
                        .push_back(ClientEvent::Received(ReceivedResponse {
                            id,
                            answers,
                            result: Err(e),
                        }));
                }
                Step::Error(e) => self.fatal(e),
            }
        }
    }

    // ---------------------------------------------------------------- internals

    fn step(&mut self) -> Step {
        match self.decoder.next_event() {
            Ok(None) => Step::Nothing,
            Ok(Some(ResponseEvent::Response(r))) => Step::Response(r.into_static()),
            Ok(Some(ResponseEvent::MessageStart(s))) => Step::Start(s.into_static()),
            Ok(Some(ResponseEvent::BodyChunk(c))) => {
                self.chunk.extend_from_slice(c);
                Step::Chunk
            }
            Ok(Some(ResponseEvent::MessageEnd)) => Step::End,
            Err(e) => Step::Error(PeerError::Syntax(e)),
        }
    }

    /// At the end of a RETR answer: a body whose length is not the size LIST gave
    /// (RFC 1939 §5, §11) is the deviation `header-inserted` under the real-world profile,
    /// else a [`PeerError::SizeMismatch`] event; the session goes on. True when the
    /// deviation used up the budget (the session is then closed).
    fn body_size_differs(&mut self) -> bool {
        let Some(msg) = self.in_flight.front().and_then(|f| f.retr) else {
            return false;
        };
        let Some(d) = self.listed.check_len(msg, self.body_len) else {
            return false;
        };
        if self.options.real_world() {
            return self.deviation(d);
        }
        self.events
            .push_back(ClientEvent::PeerError(PeerError::SizeMismatch {
                msg: msg.get(),
                listed: self.listed.get(msg).unwrap_or_default(),
                received: self.body_len,
            }));
        false
    }

    /// Reports the deviations the decoder accepted in what it just returned; true when
    /// they used up the budget (the session is then closed).
    fn deviations_found(&mut self) -> bool {
        // Most responses have none: nothing to take (no vector moved out of the decoder).
        if !self.decoder.has_deviations() {
            return false;
        }
        let found = self.decoder.take_deviations();
        found.into_iter().any(|d| self.deviation(d))
    }

    /// Reports one deviation; true when it used up the budget (the session is then closed).
    fn deviation(&mut self, d: Deviation) -> bool {
        if self.state == ClientState::Closed {
            return true;
        }
        let used_up = self.deviations_seen.count(&self.budget, &d);
        self.events.push_back(ClientEvent::Deviation(d));
        match used_up {
            Some(count) => {
                self.fatal(PeerError::DeviationBudget {
                    deviation: d,
                    count,
                });
                true
            }
            None => false,
        }
    }

    fn goto(&mut self, input: ClientInput) {
        match next_state(CLIENT_TRANSITIONS, self.state, input) {
            Some(s) => self.state = s,
            // An observer follows what was recorded, even a server that answers in a state
            // where the RFC has no such answer.
            None if self.observer => {}
            None => debug_assert!(false, "no transition {:?} on {input:?}", self.state),
        }
    }

    fn wrong(&self, attempt: Attempt) -> LocalError {
        if self.state == ClientState::Closed {
            LocalError::Closed
        } else {
            LocalError::WrongState {
                attempt,
                state: self.state.label(),
            }
        }
    }

    /// The command the next response answers, and how it is parsed.
    fn answers(&self) -> (Option<RequestId>, Expected) {
        if self.state == ClientState::Greeting {
            return (None, Expected::Greeting);
        }
        match self.in_flight.front() {
            Some(f) => (Some(f.id), f.expected),
            None => (None, Expected::Status),
        }
    }

    fn front_id(&self) -> RequestId {
        self.in_flight.front().map_or(RequestId(u64::MAX), |f| f.id)
    }

    fn pop_front(&mut self) -> RequestId {
        self.in_flight
            .pop_front()
            .map_or(RequestId(u64::MAX), |f| f.id)
    }

    fn in_flight_has(&self, kind: CommandKind) -> bool {
        self.in_flight.iter().any(|f| f.kind == Some(kind))
    }

    fn login_in_flight(&self) -> bool {
        self.in_flight
            .iter()
            .filter_map(|f| f.kind)
            .chain(self.queue.iter().map(|(_, c)| c.kind()))
            .any(is_login)
    }

    fn check_send(&self, cmd: &Command<'_>) -> Result<(), LocalError> {
        let kind = cmd.kind();
        if self.state == ClientState::Closed || self.quit_given || self.eof {
            return Err(LocalError::Closed);
        }
        if self.state == ClientState::Greeting {
            return Err(self.wrong(Attempt::Command(kind)));
        }
        if kind.profile() == pop3_codec::Profile::RealWorld && !self.options.real_world() {
            return Err(LocalError::NonStandard { command: kind });
        }
        if self.state == ClientState::TlsHandshake || self.in_flight_has(CommandKind::Stls) {
            return Err(LocalError::Busy {
                waiting_for: CommandKind::Stls.keyword(),
            });
        }
        if self.sasl != Sasl::None {
            return Err(LocalError::Busy {
                waiting_for: "the AUTH exchange",
            });
        }
        let phase = match self.state {
            ClientState::Transaction | ClientState::Update => Phase::Transaction,
            _ => Phase::Authorization,
        };
        let allowed = command_allowed(kind, phase)
            || (phase == Phase::Authorization
                && self.login_in_flight()
                && command_allowed(kind, Phase::Transaction));
        if !allowed {
            return Err(self.wrong(Attempt::Command(kind)));
        }
        match (self.tls_policy, kind) {
            (
                TlsPolicy::Required,
                CommandKind::User | CommandKind::Pass | CommandKind::Apop | CommandKind::Auth,
            ) if !self.tls => return Err(LocalError::TlsRequired),
            (TlsPolicy::Never, CommandKind::Stls) => return Err(LocalError::TlsPolicy),
            _ => {}
        }
        match cmd {
            Command::Pass(_) if !self.last_was_user => Err(LocalError::WrongState {
                attempt: Attempt::Command(kind),
                state: "Authorization without a USER before",
            }),
            Command::Stls if self.tls => Err(LocalError::WrongState {
                attempt: Attempt::Command(kind),
                state: "TLS active",
            }),
            Command::Stls | Command::Auth { .. }
                if !self.in_flight.is_empty() || !self.queue.is_empty() =>
            {
                Err(LocalError::Busy {
                    waiting_for: "answers to earlier commands",
                })
            }
            _ => Ok(()),
        }
    }

    fn sasl_line(&mut self, line: SaslResponse) -> Result<(), LocalError> {
        if self.sasl != Sasl::WaitingApp || self.state == ClientState::Closed {
            return Err(self.wrong(Attempt::Method("a SASL response")));
        }
        if !self.observer {
            line.encode(&mut self.out);
        }
        self.decoder.expect(Expected::Auth);
        self.sasl = Sasl::WaitingServer;
        Ok(())
    }

    /// Observer mode: `cmd` was sent; its answer comes next after those in flight.
    fn observe_command(&mut self, cmd: Command<'static>) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        let expected = self.expect_answer(&cmd);
        self.in_flight.push_back(InFlight {
            id,
            kind: Some(cmd.kind()),
            expected,
            retr: retr_of(&cmd),
        });
        match cmd {
            Command::Auth { .. } => self.sasl = Sasl::WaitingServer,
            Command::Quit if self.state == ClientState::Transaction => {
                self.goto(ClientInput::QuitSent)
            }
            _ => {}
        }
        id
    }

    /// Tells the decoder what the answer to `cmd` is (for `UIDL msg`, which message: the
    /// real-world profile reads `+OK <uid>` as its listing, `uidl-one-token`).
    fn expect_answer(&mut self, cmd: &Command<'_>) -> Expected {
        let expected = Expected::from(cmd);
        match cmd {
            Command::Uidl(Some(msg)) => self.decoder.expect_uid(*msg),
            _ => self.decoder.expect(expected),
        }
        expected
    }

    /// Sends queued commands while allowed.
    fn flush(&mut self) {
        while !self.queue.is_empty() {
            let may = matches!(
                self.state,
                ClientState::Authorization | ClientState::Transaction
            ) && (self.in_flight.is_empty() || self.pipelining());
            if !may {
                return;
            }
            let (id, cmd) = self.queue.pop_front().expect("front exists");
            cmd.encode(&mut self.out);
            let expected = self.expect_answer(&cmd);
            self.in_flight.push_back(InFlight {
                id,
                kind: Some(cmd.kind()),
                expected,
                retr: retr_of(&cmd),
            });
            if matches!(cmd, Command::Quit) && self.state == ClientState::Transaction {
                self.goto(ClientInput::QuitSent);
            }
        }
    }

    fn fatal(&mut self, e: PeerError) {
        self.events.push_back(ClientEvent::PeerError(e));
        self.goto(ClientInput::PeerError);
        self.events
            .push_back(ClientEvent::Closed(ClientClose::ProtocolError));
    }

    fn close_on_eof(&mut self) {
        let reason = match (self.auth_failed.take(), self.state) {
            (Some(s), ClientState::Authorization) => {
                // RFC 1939 §4, §7: after `-ERR` to a login the server stays in
                // AUTHORIZATION; closing there is `eof-after-err` (MailKit's reports). Both
                // profiles take it as the authentication failure it is (not a protocol
                // error: what the shells report); real-world also names the deviation.
                if self.options.real_world() {
                    let d = Deviation::new(Pop3Deviation::EofAfterErr, 0, Side::Server);
                    if self.deviation(d) {
                        return;
                    }
                }
                ClientClose::AuthenticationFailed(s)
            }
            _ => ClientClose::ConnectionLost,
        };
        self.goto(ClientInput::EndOfStream);
        self.events.push_back(ClientEvent::Closed(reason));
    }

    fn response(&mut self, r: Response<'static>) {
        if self.state == ClientState::Greeting {
            match r {
                Response::Greeting(g) => {
                    self.greeting = Some(g.clone());
                    self.goto(ClientInput::GreetingOk);
                    self.events.push_back(ClientEvent::Greeting(g));
                    self.flush();
                }
                Response::Status(s) => {
                    self.goto(ClientInput::GreetingErr);
                    self.events
                        .push_back(ClientEvent::Closed(ClientClose::GreetingRefused(s)));
                }
                _ => self.fatal(PeerError::Unexpected {
                    expected: "greeting",
                }),
            }
            return;
        }
        let Some(front) = self.in_flight.front().copied() else {
            self.fatal(PeerError::Unsolicited);
            return;
        };
        let id = front.id;
        if let Response::Challenge(data) = r {
            if front.kind != Some(CommandKind::Auth) || self.sasl != Sasl::WaitingServer {
                self.fatal(PeerError::Unexpected {
                    expected: "a status line",
                });
                return;
            }
            match self.deferred_ir.take() {
                // RFC 5034 §4: the initial response that did not fit the command line.
                Some(ir) => {
                    self.sasl = Sasl::WaitingApp;
                    let _ = self.sasl_line(SaslResponse::Data(ir));
                }
                None => {
                    self.sasl = Sasl::WaitingApp;
                    match self.mechanism.as_mut() {
                        Some((_, true)) => {
                            // After `*` only the -ERR is due (RFC 5034 §4).
                            self.fatal(PeerError::Unexpected {
                                expected: "a status line",
                            });
                        }
                        Some((m, cancelled)) => {
                            match m.step(&data).map(ClientStep::into_response) {
                                Ok(r) => {
                                    let _ =
                                        self.sasl_line(SaslResponse::Data(r.as_bytes().to_vec()));
                                }
                                Err(error) => {
                                    *cancelled = true;
                                    let _ = self.sasl_line(SaslResponse::Cancel);
                                    self.events
                                        .push_back(ClientEvent::AuthenticationFailed { id, error });
                                }
                            }
                        }
                        None => self
                            .events
                            .push_back(ClientEvent::SaslChallenge { id, data }),
                    }
                }
            }
            return;
        }
        self.in_flight.pop_front();
        // A LIST answer's sizes are recorded from its listings, decoded once (below).
        if !matches!(r, Response::ScanList(_)) {
            self.listed.record(&r);
        }
        let event = match r {
            Response::Status(status) => self.status(front, status),
            Response::Stat(d) => ClientEvent::Stat {
                id,
                count: d.count,
                size: d.size,
            },
            Response::Scan(listing) => ClientEvent::Scan { id, listing },
            Response::ScanList(m) => {
                let listings = m.into_items();
                for s in &listings {
                    self.listed.insert(s.msg, s.size);
                }
                ClientEvent::ScanList { id, listings }
            }
            Response::Uid(listing) => ClientEvent::Uid { id, listing },
            Response::UidList(m) => ClientEvent::UidList {
                id,
                listings: m.into_items(),
            },
            Response::Capabilities(m) => {
                let capabilities = m.into_items();
                self.capabilities = Some(capabilities.clone());
                ClientEvent::Capabilities { id, capabilities }
            }
            Response::Languages(m) => ClientEvent::Languages {
                id,
                listings: m.into_items(),
            },
            Response::Mechanisms(m) => ClientEvent::Mechanisms {
                id,
                mechanisms: m.into_items(),
            },
            Response::XtndList(m) => ClientEvent::XtndList {
                id,
                lines: m.into_items(),
            },
            _ => {
                self.fatal(PeerError::Unexpected {
                    expected: "the answer to the command",
                });
                return;
            }
        };
        let stripped = match &event {
            ClientEvent::Refused {
                command: Some(CommandKind::Stls),
                ..
            } => Some(Stripping::Refused),
            ClientEvent::Capabilities { capabilities, .. }
                if !capabilities.iter().any(|c| matches!(c, Capability::Stls)) =>
            {
                Some(Stripping::NotOffered)
            }
            _ => None,
        }
        .filter(|_| {
            self.tls_policy == TlsPolicy::Required
                && !self.tls
                && !self.observer
                && self.state == ClientState::Authorization
        });
        self.events.push_back(event);
        if let Some(how) = stripped {
            self.fatal(PeerError::TlsStripped(how));
            return;
        }
        if front.kind == Some(CommandKind::Quit) {
            self.events
                .push_back(ClientEvent::Closed(ClientClose::Quit));
        }
        self.flush();
    }

    fn status(&mut self, front: InFlight, status: StatusLine<'static>) -> ClientEvent<'static> {
        let id = front.id;
        let ok = status.is_ok();
        match front.kind {
            Some(kind) if is_login(kind) => {
                self.sasl = Sasl::None;
                self.deferred_ir = None;
                let run = if kind == CommandKind::Auth {
                    self.mechanism.take()
                } else {
                    None
                };
                if let Some((mut m, cancelled)) = run
                    && ok
                {
                    // RFC 4422 §3.6: SCRAM checks that the server proved its identity.
                    let verified = if cancelled {
                        Err(SaslError::Unexpected("success after the client cancelled"))
                    } else {
                        m.finish(None)
                    };
                    match verified {
                        Ok(()) => self.events.push_back(ClientEvent::Authenticated {
                            id,
                            mechanism: m.mechanism(),
                        }),
                        Err(error) => {
                            self.events
                                .push_back(ClientEvent::AuthenticationFailed { id, error });
                            self.fatal(PeerError::Unexpected {
                                expected: "a server that proves its identity (SASL)",
                            });
                            return ClientEvent::AuthFailed { id, status };
                        }
                    }
                }
                if ok {
                    self.auth_failed = None;
                    self.goto(ClientInput::LoginAccepted);
                    // A QUIT pipelined behind the login is read in TRANSACTION: UPDATE.
                    if self.in_flight_has(CommandKind::Quit) {
                        self.goto(ClientInput::QuitSent);
                    }
                    ClientEvent::LoggedIn { id, status }
                } else {
                    self.auth_failed = Some(status.clone());
                    ClientEvent::AuthFailed { id, status }
                }
            }
            Some(CommandKind::Stls) if ok => {
                // RFC 2595 §4: nothing after the +OK line is read before TLS is up; what
                // came with it is dropped and reported (response injection).
                let len = self.decoder.take_buffered().len();
                if len > 0 {
                    self.events
                        .push_back(ClientEvent::PeerError(PeerError::StartTlsInjection { len }));
                }
                if let Some(capabilities) = self.capabilities.take().filter(|c| !c.is_empty()) {
                    self.events
                        .push_back(ClientEvent::PlaintextStateDropped { capabilities });
                }
                self.goto(ClientInput::StlsAccepted);
                ClientEvent::StartTls { id }
            }
            Some(CommandKind::Quit) => {
                let updated = ok && self.state == ClientState::Update;
                self.goto(ClientInput::QuitAnswered);
                if self.observer {
                    // A recording may go on with another session (the RFC examples do).
                    self.state = ClientState::Authorization;
                }
                ClientEvent::Quit {
                    id,
                    updated,
                    status,
                }
            }
            _ if ok => ClientEvent::Ok { id, status },
            kind => {
                if kind == Some(CommandKind::User) {
                    self.last_was_user = false;
                }
                ClientEvent::Refused {
                    id,
                    command: kind,
                    status,
                }
            }
        }
    }
}

/// The commands whose `+OK` opens the maildrop (RFC 1939 §7 PASS and APOP, RFC 5034 §4 AUTH).
fn is_login(kind: CommandKind) -> bool {
    matches!(
        kind,
        CommandKind::Pass | CommandKind::Apop | CommandKind::Auth
    )
}

impl ::core::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("ClientSession")
            .field("state", &self.state)
            .field("tls", &self.tls)
            .field("tls_policy", &self.tls_policy)
            .field("capabilities", &self.capabilities)
            .field("in_flight", &self.in_flight.len())
            .field("queued", &self.queue.len())
            .field("buffered", &pop3_codec::core::Octets(self.buffered_len()))
            .field("output_octets", &self.out.len())
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}
