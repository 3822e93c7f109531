//! The client session (RFC 9051 §2.2.1, §5.5, §6, §7): commands out, responses in.
//!
//! The session sends each command's bytes, stopping after every synchronizing literal
//! announcement until the server's `+` (RFC 9051 §4.3, §7.5); with LITERAL+ (or LITERAL- for
//! literals of at most 4096 octets, RFC 7888) it sends `{n+}` and does not wait. Commands sent
//! while one waits for `+` are queued behind it, so the wire order is the call order.
//!
//! Every command gets a [`CommandHandle`]; its tagged completion is [`ClientEvent::Completed`].
//! Untagged data is attributed to the command in flight that caused it when that can be told
//! (RFC 9051 §7), and is otherwise unsolicited or ambiguous (`handle: None`): see
//! [`ClientEvent::Data`].

use crate::prelude::*;

use alloc::borrow::Cow;
use alloc::collections::VecDeque;

use imap_codec::command::AppendData;
use imap_codec::command::MboxOrPat;
use imap_codec::framer::{Frame, FramedBuffer, FramerConfig, LiteralAnnouncement};
use imap_codec::response::GreetingKind;
use imap_codec::response::{MailboxList, MessageAttribute, MessageAttributeKind};
use imap_codec::{
    AuthMechanism, AuthenticateData, Capability, Code, Command, CommandBody, CompressionAlgorithm,
    ContinuationRequest, Data, DateTime, Deviation, EncodeOptions, Extension, Flag, Greeting,
    IdleDone, IntoStatic, Literal, Literal8, LiteralCapability, Mailbox, ParseOptions, Parsed,
    Response, SequenceSet, Status, StatusKind, Tag, UidSet,
};

use crate::error::{LocalError, PeerError};
use crate::mailbox::{MailboxChange, MailboxView};
use crate::notify::Notification;
use crate::outbox::{Next, Outbox};
use crate::state::{self, State, Trigger};
use crate::{Inbound, MessageKind, Received};
use imap_codec::CommandKind;
use mailproto_sasl::{
    ClientConfig as SaslClientConfig, ClientMechanism, ClientStep, Credentials, Mechanism,
    NonceSource, Response as SaslResponse, SaslError,
};

/// Settings of a [`ClientSession`]: start from [`ClientConfig::default`] or
/// [`ClientConfig::observer`] and change fields with the `with_*` methods (the struct is
/// `#[non_exhaustive]`: settings will be added).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
    /// With [`report_received`](Self::report_received): [`Received::result`] holds a copy of
    /// the parsed value (the application's events hold the value itself). Off, a value is
    /// stood for by [`Inbound::Parsed`]: a follower that parses the reported bytes itself
    /// does not hold a big message once more (issue 18). Default: on.
    pub report_received_values: bool,
    /// Stream literals larger than this many octets in FETCH responses instead of holding
    /// them ([`ClientEvent::FetchStreamStart`], [`ClientOutput::LiteralChunk`]); `None`: hold
    /// every literal (the framer's limits bound them). Default: 1 MiB.
    pub stream_literals_over: Option<u64>,
    /// Whether credentials may go out without TLS ([`TlsPolicy`]). Default:
    /// [`TlsPolicy::Opportunistic`] (the application decides; set [`TlsPolicy::Required`]
    /// for anything but loopback and tests).
    pub tls_policy: TlsPolicy,
    /// The connection is under TLS from the start (implicit TLS, RFC 8314 §3.3, port 993).
    pub tls: bool,
    /// How the server's messages are parsed: the profile (strict by default; real-world
    /// reports each accepted departure as a [`ClientEvent::Deviation`]) and the extensions in
    /// force at the start (the session adds those the connection puts in force later).
    pub parse: ParseOptions,
    /// When to stop following a server that deviates from the grammar (real-world profile):
    /// unlimited by default.
    pub deviation_budget: DeviationBudget,
    /// The longest command line to send (CRLF included, literal data not counted), for
    /// servers that cap it (Yahoo and UW 1000 octets, Gmail 16 KiB, Dovecot 64 KiB). A FETCH,
    /// STORE, UID COPY, UID MOVE or UID EXPUNGE whose sequence set makes a longer line is sent
    /// as several commands over consecutive parts of its normalized set
    /// ([`Command::split_to_fit`]), each with its own tag, under one [`CommandHandle`] and one
    /// merged [`ClientEvent::Completed`] (see [`ClientSession::send_command`]). A command that
    /// cannot be split is sent as it is. Default: [`DEFAULT_MAX_LINE`] (RFC 7162 §4's
    /// "approximately 8192 octets"); `None`: never split.
    pub max_line: Option<usize>,
    /// Send the sequence sets of FETCH, STORE, COPY, MOVE and UID EXPUNGE
    /// [normalized](SequenceSet::normalized) (ascending, merged ranges: `5:3,1,2` as `1:5`),
    /// for servers that fail on descending ranges (hMailServer, QQ; RFC 2683 §3.2.1.5 advises
    /// the compact form). The set names the same messages (RFC 9051 §9 `seq-range`: `5:3`
    /// is `3:5`). Default: on; off for the [observer](ClientConfig::observer).
    pub normalize_sets: bool,
}

/// The default [`ClientConfig::max_line`]: RFC 7162 §4 (updating RFC 2683 §3.2.1.5), "a client
/// should limit the length of the command lines it generates to approximately 8192 octets
/// (including all quoted strings but not including literals)".
pub const DEFAULT_MAX_LINE: usize = imap_codec::command::split::RECOMMENDED_MAX_LINE;

/// An untagged response the grammar does not know, read generically, with its
/// `unknown-response` deviation (at the name).
pub(crate) fn unknown_response(
    raw: &[u8],
    options: &ParseOptions,
) -> Option<(
    imap_codec::response::generic::UnknownResponse<'static>,
    Deviation,
)> {
    use imap_codec::response::generic::UnknownResponse;
    let response = UnknownResponse::parse(raw, options.max_depth).ok()?;
    let offset = 2 + response
        .number
        .map_or(0, |n| n.to_string().len().saturating_add(1));
    let deviation = Deviation::new(
        imap_codec::context::ImapDeviation::UnknownResponse,
        offset,
        imap_codec::Side::Server,
    );
    Some((response.into_static(), deviation))
}

/// When a session under the real-world profile stops following a server (or client) that
/// deviates from the grammar ([`mailproto_core::DeviationBudget`] over the IMAP catalogue).
///
/// ```
/// use mailproto_imap_session::DeviationBudget;
/// use mailproto_imap_session::codec::context::ImapDeviation;
/// let budget = DeviationBudget::default()
///     .with_max(100)
///     .with_stop_on([ImapDeviation::UnescapedQuote]);
/// assert_eq!(budget.max, Some(100));
/// ```
pub type DeviationBudget = mailproto_core::DeviationBudget<imap_codec::context::ImapDeviation>;

/// What the client session does about TLS (RFC 8314 §4.1, RFC 9051 §6.2.1, §11.1; the "NO
/// STARTTLS" study, USENIX Security 2021: STARTTLS stripping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsPolicy {
    /// No credential ever goes out in clear: LOGIN and AUTHENTICATE are refused
    /// ([`LocalError::TlsRequired`]) until TLS is up (implicit, [`ClientConfig::tls`], or after
    /// STARTTLS and [`ClientSession::handle_tls_established`]). A STARTTLS answered NO or BAD,
    /// capabilities without STARTTLS on a plaintext connection, and a PREAUTH greeting on a
    /// plaintext connection are [`PeerError::TlsStripped`]: reported, and the session closes.
    Required,
    /// The application may use STARTTLS; credentials may go out in clear when it does not.
    /// LOGINDISABLED is still honoured (RFC 9051 §6.2.3), and once seen on the plaintext
    /// connection it stays in force until TLS, whatever later plaintext CAPABILITY data say.
    #[default]
    Opportunistic,
    /// No TLS: STARTTLS is refused ([`LocalError::TlsPolicy`]). For loopback and tests.
    Never,
}

/// How a man in the middle tried to keep the connection in clear ([`PeerError::TlsStripped`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stripping {
    /// Capabilities on the plaintext connection without STARTTLS.
    NotOffered,
    /// STARTTLS answered NO or BAD.
    Refused,
    /// A PREAUTH greeting on a plaintext connection (authenticated without TLS: RFC 9051
    /// §7.1.4; the client cannot STARTTLS any more).
    PreAuth,
}

/// The default [`ClientConfig::stream_literals_over`] (and the server's): 1 MiB.
pub const DEFAULT_STREAM_THRESHOLD: u64 = 1024 * 1024;

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            framer: FramerConfig::client(),
            tag_prefix: "A".to_owned(),
            literal_override: None,
            enforce_states: true,
            report_received: false,
            report_received_values: true,
            stream_literals_over: Some(DEFAULT_STREAM_THRESHOLD),
            tls_policy: TlsPolicy::default(),
            tls: false,
            parse: ParseOptions::default(),
            deviation_budget: DeviationBudget::default(),
            max_line: Some(DEFAULT_MAX_LINE),
            normalize_sets: true,
        }
    }
}

impl ClientConfig {
    /// With other framing limits.
    pub fn with_framer(mut self, framer: FramerConfig) -> Self {
        self.framer = framer;
        self
    }

    /// With another tag prefix.
    pub fn with_tag_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.tag_prefix = prefix.into();
        self
    }

    /// With a literal mode that overrides the one the capabilities imply (`None`: from the
    /// capabilities).
    pub fn with_literal_override(mut self, literal: Option<LiteralCapability>) -> Self {
        self.literal_override = literal;
        self
    }

    /// With or without state rules.
    pub fn with_enforce_states(mut self, enforce: bool) -> Self {
        self.enforce_states = enforce;
        self
    }

    /// With or without [`ClientEvent::Received`].
    pub fn with_report_received(mut self, report: bool) -> Self {
        self.report_received = report;
        self
    }

    /// With or without the values in [`ClientEvent::Received`] (see
    /// [`report_received_values`](Self::report_received_values)).
    pub fn with_report_received_values(mut self, values: bool) -> Self {
        self.report_received_values = values;
        self
    }

    /// Streams FETCH literals larger than `octets` (see
    /// [`stream_literals_over`](ClientConfig::stream_literals_over)).
    pub fn with_stream_literals_over(mut self, octets: u64) -> Self {
        self.stream_literals_over = Some(octets);
        self
    }

    /// Holds every literal whole: no streaming.
    pub fn without_literal_streaming(mut self) -> Self {
        self.stream_literals_over = None;
        self
    }

    /// With another TLS policy.
    pub fn with_tls_policy(mut self, policy: TlsPolicy) -> Self {
        self.tls_policy = policy;
        self
    }

    /// The connection is (or is not) under TLS from the start ([`tls`](Self::tls)).
    pub fn with_tls_active(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Parses the server's messages under `parse` (profile, extensions in force at the start).
    pub fn with_parse_options(mut self, parse: ParseOptions) -> Self {
        self.parse = parse;
        self
    }

    /// Splits command lines longer than `max_line` octets where the command allows it
    /// ([`max_line`](ClientConfig::max_line)); `None`: never split.
    pub fn with_max_line(mut self, max_line: Option<usize>) -> Self {
        self.max_line = max_line;
        self
    }

    /// With or without [`normalize_sets`](ClientConfig::normalize_sets).
    pub fn with_normalize_sets(mut self, normalize: bool) -> Self {
        self.normalize_sets = normalize;
        self
    }

    /// A configuration for following someone else's exchange (the corpus replayer): no state
    /// rules, every message reported, no streaming, commands sent as they are (never split).
    pub fn observer() -> Self {
        ClientConfig {
            enforce_states: false,
            max_line: None,
            normalize_sets: false,
            report_received: true,
            stream_literals_over: None,
            literal_override: Some(LiteralCapability::Plus),
            ..ClientConfig::default()
        }
    }
}

/// Identifies a command sent by [`ClientSession::send`] in the events about it. Opaque: only
/// the session makes handles, so a handle always names a command of that session. Handles
/// are ordered as the commands were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandHandle(u64);

/// What the client session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The greeting (RFC 9051 §7.1): OK, PREAUTH or BYE.
    Greeting(Greeting<'static>),
    /// Untagged data (RFC 9051 §7.2–§7.5). EXISTS and EXPUNGE are reported here only, after
    /// the [`MailboxView`] was updated.
    ///
    /// `handle` is the command in flight the data answer, when that can be told. The
    /// candidates are the commands in flight of a kind that causes such data (FETCH data:
    /// FETCH/STORE; SEARCH/ESEARCH: SEARCH; LIST, LSUB, STATUS, CAPABILITY, ENABLED,
    /// NAMESPACE: the command of that name; EXISTS/FLAGS/RECENT: SELECT/EXAMINE; EXPUNGE:
    /// EXPUNGE/MOVE). Then:
    ///
    /// - ESEARCH with a tag correlator answers the command with that tag, and no other;
    ///   without one, `UID` results answer a UID SEARCH and others a SEARCH;
    /// - FETCH data answer the FETCH/STORE whose set holds the message: by UID for UID
    ///   FETCH / UID STORE (their data always carry the UID, RFC 9051 §6.4.9), by sequence
    ///   number otherwise; this applies even to a single candidate, as FETCH data are often
    ///   unsolicited (flag changes made by others);
    /// - between several candidates, STATUS data answer the STATUS about their mailbox, and
    ///   LIST/LSUB data the LIST/LSUB whose reference and pattern match the name (`*`, and
    ///   `%` not crossing the hierarchy delimiter; RFC 9051 §6.3.9);
    /// - otherwise the only candidate.
    ///
    /// `None` when the data are unsolicited (no candidate) or truly ambiguous (several
    /// remain): two SEARCHes and `* SEARCH` data, which carry nothing to tell them apart; a
    /// message two FETCH/STORE sets hold; two SELECT/EXAMINE or two EXPUNGE/MOVE; EXISTS and
    /// EXPUNGE arriving during IDLE or NOOP.
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
    /// A change of the selected mailbox derived from what was received, not reported
    /// otherwise: today the UIDVALIDITY change (RFC 9051 §2.3.1.1). EXISTS and EXPUNGE are
    /// [`ClientEvent::Data`] (one event per fact).
    Mailbox(MailboxChange),
    /// What NOTIFY (RFC 5465) made the server send while it is on
    /// ([`ClientSession::notify_active`]): unsolicited STATUS, LIST and METADATA data about
    /// other mailboxes (reported here instead of [`ClientEvent::Data`]), and the overflow
    /// (reported besides the untagged OK that carries it). See [`crate::notify`].
    Notification(Notification),
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
    /// STARTTLS succeeded: what the session learned on the plaintext connection is dropped
    /// (RFC 9051 §6.2.1; anything a man in the middle injected or removed before TLS:
    /// capabilities, ENABLED extensions). ALERTs and other responses received before were
    /// reported as events when they arrived, and are kept nowhere. Reported before
    /// [`ClientEvent::TlsRequired`], only when something was dropped.
    PlaintextStateDropped {
        /// The capabilities forgotten.
        capabilities: Vec<Capability<'static>>,
        /// The ENABLED extensions forgotten.
        enabled: Vec<Capability<'static>>,
    },
    /// Untagged BYE (RFC 9051 §7.1.5): the server is closing the connection. A BYE greeting
    /// is reported as [`ClientEvent::Greeting`] only.
    Bye(Status<'static>),
    /// The server broke the protocol.
    ProtocolError(PeerError),
    /// The real-world profile ([`ClientConfig::parse`]) accepted a message that departs from
    /// the grammar; reported before the events the message causes.
    Deviation(Deviation),
    /// The real-world profile kept an untagged response the grammar does not know
    /// (`unknown-response`, reported as a [`ClientEvent::Deviation`] just before): its name and
    /// generic values, and the raw message.
    Unknown {
        /// The response, generically.
        response: imap_codec::response::generic::UnknownResponse<'static>,
        /// The message as received.
        raw: Vec<u8>,
    },
    /// Every received message, when [`ClientConfig::report_received`] is set.
    Received(Received),
    /// A literal larger than [`ClientConfig::stream_literals_over`] begins in a FETCH
    /// response: its octets follow as [`ClientOutput::LiteralChunk`]s (the last one has
    /// `remaining: 0`), then the rest of the response is read as usual and reported as
    /// [`ClientEvent::Data`], where this literal reads as empty.
    FetchStreamStart {
        /// The command it answers, as for [`ClientEvent::Data`].
        handle: Option<CommandHandle>,
        /// The FETCH response so far (RFC 9051 §7.5.2): the message number and the
        /// attributes before the literal, and last the attribute the literal is the value of
        /// (`BODY[section]<origin>`, `BINARY[...]`, `RFC822`, ...), with an empty value. It is
        /// the response up to the literal, closed with `)` and parsed by the codec.
        head: Data<'static>,
        /// The literal's octets.
        length: u64,
    },
    /// The session is ready for the data of a streamed literal
    /// ([`ClientSession::send_append_stream`]): push it with
    /// [`ClientSession::push_literal_chunk`]. Sent when the server's `+` arrived, or at once
    /// for a non-synchronizing literal (LITERAL+, RFC 7888).
    LiteralWanted {
        /// The command.
        handle: CommandHandle,
        /// Octets to push.
        length: u64,
    },
    /// The AUTHENTICATE run by the session ([`ClientSession::authenticate`]) succeeded: the
    /// server answered OK (the [`ClientEvent::Completed`] before this one) and the mechanism
    /// accepted the outcome; for SCRAM the server proved it knows the password (RFC 5802
    /// §5.1 `v`). The state is now Authenticated.
    Authenticated {
        /// The AUTHENTICATE command.
        handle: CommandHandle,
        /// The mechanism used.
        mechanism: Mechanism,
    },
    /// The AUTHENTICATE run by the session failed on the client's side (a tagged NO or BAD
    /// from the server is only its [`ClientEvent::Completed`]):
    ///
    /// - the mechanism refused a challenge (malformed, wrong nonce, too many iterations):
    ///   the session cancelled the exchange with `*` (RFC 9051 §6.2.2) and the server's BAD
    ///   follows;
    /// - the server answered OK but did not prove its identity (SCRAM `v=` missing or wrong,
    ///   [`SaslError::ServerSignature`], [`SaslError::ServerNotVerified`]): the server is not
    ///   authentic; the session closes and stays Not Authenticated.
    AuthenticationFailed {
        /// The AUTHENTICATE command.
        handle: CommandHandle,
        /// Why.
        error: SaslError,
    },
    /// COMPRESS succeeded (RFC 4978 §3): from the octet after the CRLF of its tagged OK both
    /// directions are compressed. Wrap the socket now: every later [`ClientOutput::Transmit`]
    /// is deflated before it is written, and what is read is inflated before
    /// [`ClientSession::handle_input`]. `compressed` holds the bytes that followed the OK in
    /// the same input, not read as IMAP: inflate them and feed them back first.
    CompressionStarted {
        /// The COMPRESS command.
        handle: CommandHandle,
        /// The algorithm.
        algorithm: CompressionAlgorithm,
        /// Received bytes after the OK, still compressed.
        compressed: Vec<u8>,
    },
    /// The stream ended.
    Closed,
}

/// One output of [`ClientSession::poll_output`]. It borrows the session until the next call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "bytes must be transmitted and events handled"]
// Outputs are moved out once each; boxing the events would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum ClientOutput<'a> {
    /// Bytes to write to the server, in order, lent from the session's output buffer until
    /// the next call to [`ClientSession::poll_output`].
    Transmit(&'a [u8]),
    /// Something happened.
    Event(ClientEvent),
    /// Octets of the streamed literal announced by the last [`ClientEvent::FetchStreamStart`],
    /// in order, lent from the session's receive buffer until the next call (no copy).
    LiteralChunk {
        /// The octets.
        data: &'a [u8],
        /// Octets of the literal still to come; `0` on its last chunk.
        remaining: u64,
    },
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
    kind: CommandKind,
    sub: Sub,
    /// What of the command tells which untagged data answer it.
    scope: Scope,
    /// Bytes not yet sent: each piece waits for a `+`.
    unsent: VecDeque<Vec<u8>>,
    /// A literal whose data the application streams, after `unsent`.
    body: Option<OutBody>,
}

/// A literal the application streams ([`ClientSession::send_append_stream`]).
#[derive(Debug, Clone)]
struct OutBody {
    handle: CommandHandle,
    /// Octets still to push.
    remaining: u64,
    /// The command's bytes after the literal.
    tail: Vec<u8>,
    /// The literal is synchronizing and the `+` has not arrived.
    wait_plus: bool,
}

/// What of a command in flight decides whether untagged data answer it, when several
/// commands could have caused the data (see [`attribute`]).
#[derive(Debug, Clone)]
enum Scope {
    /// Nothing beyond the command's kind.
    Any,
    /// STATUS: the mailbox asked about (RFC 9051 §6.3.11, §7.3.2).
    Mailbox(Vec<u8>),
    /// LIST / LSUB: the reference and the patterns (RFC 9051 §6.3.9).
    Patterns {
        reference: Vec<u8>,
        patterns: Vec<Vec<u8>>,
    },
    /// FETCH / STORE: the messages, by UID for UID FETCH / UID STORE (RFC 9051 §6.4.5,
    /// §6.4.6, §6.4.9: their FETCH data always carry the UID).
    Messages { uid: bool, set: SequenceSet },
    /// SEARCH / UID SEARCH: whether ESEARCH data answer with UIDs (RFC 9051 §7.3.4), and
    /// whether it is an extended SEARCH (`RETURN (...)`), which ESEARCH answers (RFC 4731 §3.1),
    /// and whether it saves its result for `$` (`RETURN (SAVE)`, RFC 5182 §2).
    Search {
        uid: bool,
        extended: bool,
        save: bool,
    },
    /// ENABLE: the capabilities asked for (RFC 5161 §3.1), and whether `* ENABLED` came.
    Enable {
        asked: Vec<Capability<'static>>,
        answered: bool,
    },
    /// NOTIFY: SET (notifications on once it completes with OK) or NONE (RFC 5465 §3).
    Notify { set: bool },
}

impl Scope {
    fn of(body: &CommandBody<'_>) -> Scope {
        match body {
            CommandBody::Status { mailbox, .. } => Scope::Mailbox(mailbox.as_bytes().to_vec()),
            CommandBody::List {
                reference,
                patterns,
                ..
            } => Scope::Patterns {
                reference: reference.as_bytes().to_vec(),
                patterns: match patterns {
                    MboxOrPat::Single(p) => vec![p.as_bytes().to_vec()],
                    MboxOrPat::Patterns(ps) => ps.iter().map(|p| p.as_bytes().to_vec()).collect(),
                },
            },
            CommandBody::Lsub { reference, pattern }
            | CommandBody::Xlist { reference, pattern } => Scope::Patterns {
                reference: reference.as_bytes().to_vec(),
                patterns: vec![pattern.as_bytes().to_vec()],
            },
            CommandBody::Fetch {
                uid, sequence_set, ..
            }
            | CommandBody::Store {
                uid, sequence_set, ..
            } => Scope::Messages {
                uid: *uid,
                set: sequence_set.clone(),
            },
            CommandBody::Search {
                uid, return_opts, ..
            } => Scope::Search {
                uid: *uid,
                extended: return_opts.is_some(),
                save: return_opts
                    .as_ref()
                    .is_some_and(|o| o.contains(&imap_codec::command::SearchReturnOpt::Save)),
            },
            CommandBody::Enable { capabilities } => Scope::Enable {
                asked: capabilities
                    .iter()
                    .cloned()
                    .map(IntoStatic::into_static)
                    .collect(),
                answered: false,
            },
            CommandBody::Notify { set } => Scope::Notify { set: set.is_some() },
            _ => Scope::Any,
        }
    }
}

/// Where the session is, beyond the connection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Open,
    /// STARTTLS completed with OK: the bytes are TLS's until `handle_tls_established`.
    AwaitingTls,
    Closed,
}

/// An AUTHENTICATE exchange the session runs ([`ClientSession::authenticate`]).
#[derive(Debug)]
struct SaslRun {
    handle: CommandHandle,
    mechanism: Box<dyn ClientMechanism>,
    /// The initial response, held for the server's empty challenge (no SASL-IR).
    deferred: Option<SaslResponse>,
    /// The session cancelled the exchange with `*`.
    cancelled: bool,
}

/// A sans-IO IMAP client session. See the [crate docs](crate) for the driving contract.
///
/// `Debug` shows the state and the sizes of the buffers, never their bytes (the output buffer
/// may hold a LOGIN password or a SASL response: issue 18 item 10).
pub struct ClientSession {
    /// The SASL exchange the session runs, if any.
    sasl: Option<SaslRun>,
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
    /// The SEARCHRES variable `$` (RFC 5182 §2.1): `None` when nothing was saved since the
    /// mailbox was selected, `Some(true)` after a successful `SEARCH RETURN (SAVE)`,
    /// `Some(false)` after a failed one (which empties it).
    saved_search: Option<bool>,
    /// NOTIFY (RFC 5465) is on: see [`crate::notify`].
    notify: bool,
    mailbox: Option<MailboxView>,
    /// The view being built while SELECT/EXAMINE is in flight.
    selecting: Option<MailboxView>,
    /// The literal whose data the application is pushing now (nothing else is sent meanwhile).
    writing: Option<OutBody>,
    /// Bytes to transmit, events, the chunk waiting to be lent.
    outbox: Outbox<ClientEvent>,
    /// TLS is up (configured, or after STARTTLS and `handle_tls_established`).
    tls: bool,
    /// LOGINDISABLED was announced on the plaintext connection: it stays in force until TLS,
    /// whatever later plaintext capabilities say (issue 18 item 5).
    login_disabled_in_clear: bool,
    /// Deviations the server sent so far (real-world profile), for the budget.
    deviations_seen: usize,
    /// A `* BYE` came and no tagged response since (`endless-bye`).
    bye_seen: bool,
    /// Tags of lines the client sent that the grammar rejects (observer mode,
    /// [`ClientSession::observe_rejected_command`]): their answer is due as BAD.
    rejected_tags: VecDeque<Tag<'static>>,
    /// The untagged CAPABILITY data received while LOGIN or AUTHENTICATE was in flight
    /// (`capability-during-login`).
    login_capabilities: Option<Vec<Capability<'static>>>,
    /// Commands sent as several parts ([`ClientConfig::max_line`]) whose parts are not all
    /// completed.
    splits: Vec<Split>,
}

/// A command sent as several tagged parts under one handle: what its merged completion is so
/// far.
#[derive(Debug, Clone)]
struct Split {
    handle: CommandHandle,
    /// Parts still in flight.
    remaining: usize,
    /// The merged completion of the parts completed so far ([`merge_completions`]).
    outcome: Option<Status<'static>>,
}

impl ::core::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("ClientSession")
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
            .field("capabilities", &self.capabilities)
            .field("enabled", &self.enabled)
            .field("buffered", &self.input)
            .field("output_octets", &self.outbox.len())
            .field("events", &self.outbox.events_len())
            .finish_non_exhaustive()
    }
}

impl ClientSession {
    /// A session that waits for the server's greeting.
    pub fn new(config: ClientConfig) -> Self {
        Self::resume(config, State::Greeting)
    }

    /// A session that starts in `state` (for a connection whose start was handled elsewhere, or
    /// a trace that starts in the middle).
    pub fn resume(config: ClientConfig, state: State) -> Self {
        let tls = config.tls;
        ClientSession {
            sasl: None,
            // The real-world profile also frames `bare-lf` and `blank-line-after-literal`.
            input: FramedBuffer::new(config.framer.for_profile(config.parse.profile)),
            config,
            state,
            link: Link::Open,
            in_flight: Vec::new(),
            blocked: None,
            next_handle: 0,
            next_tag: 1,
            capabilities: None,
            enabled: Vec::new(),
            saved_search: None,
            notify: false,
            mailbox: (state == State::Selected).then(MailboxView::default),
            selecting: None,
            writing: None,
            outbox: Outbox::default(),
            tls,
            login_disabled_in_clear: false,
            deviations_seen: 0,
            bye_seen: false,
            rejected_tags: VecDeque::new(),
            login_capabilities: None,
            splits: Vec::new(),
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

    /// True once TLS is up: configured ([`ClientConfig::tls`]) or after STARTTLS and
    /// [`handle_tls_established`](Self::handle_tls_established).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The TLS policy in force ([`ClientConfig::tls_policy`]).
    pub fn tls_policy(&self) -> TlsPolicy {
        self.config.tls_policy
    }

    /// True while LOGIN is refused for LOGINDISABLED: announced now, or announced on the
    /// plaintext connection before TLS (it stays in force until TLS is up).
    pub fn login_disabled(&self) -> bool {
        self.login_disabled_in_clear || self.has_capability(&Capability::LoginDisabled)
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

    /// True once the server reported `* ENABLED UIDONLY` (RFC 9586 §3): commands that use
    /// message numbers are refused ([`LocalError::UidRequired`]) and message data arrive as
    /// `UIDFETCH`, keyed by UID.
    pub fn uidonly_enabled(&self) -> bool {
        self.enabled.contains(&Capability::UidOnly)
    }

    /// True while NOTIFY (RFC 5465) is on: after a `NOTIFY SET` completed with OK, until
    /// `NOTIFY NONE` completed with OK or the server reported `[NOTIFICATIONOVERFLOW]` (§5.8).
    /// Meanwhile unsolicited STATUS/LIST/METADATA data are [`ClientEvent::Notification`]s.
    pub fn notify_active(&self) -> bool {
        self.notify
    }

    /// The options the next server message is parsed with: the configured ones, plus the
    /// extensions the server reported as ENABLED ([`imap_codec::Extension::from_capability`])
    /// and X-GM-EXT-1 once advertised.
    pub fn parse_options(&self) -> &ParseOptions {
        &self.config.parse
    }

    /// The state of the SEARCHRES variable `$` (RFC 5182 §2.1): `None` when no `SEARCH
    /// RETURN (SAVE)` completed since the mailbox was selected (`$` is then the empty set),
    /// `Some(true)` when the last one succeeded and saved its result, `Some(false)` when it
    /// failed (which also empties `$`).
    pub fn saved_search(&self) -> Option<bool> {
        self.saved_search
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

    /// Octets the session holds: received and not yet handed out (the message being read,
    /// without a streamed literal's data except the chunk lent last) and output not yet
    /// polled. With streaming, bounded by [`ClientConfig::stream_literals_over`], the
    /// framer's line limit and the size of one input, whatever a literal's size.
    pub fn buffered_len(&self) -> usize {
        self.input
            .buffered_len()
            .saturating_add(self.outbox.pending_len())
    }

    /// The streamed literal the session waits for the application's data of
    /// ([`ClientEvent::LiteralWanted`], [`push_literal_chunk`](Self::push_literal_chunk)):
    /// its command and the octets still to push.
    pub fn literal_wanted(&self) -> Option<(CommandHandle, u64)> {
        self.writing.as_ref().map(|w| (w.handle, w.remaining))
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

    /// The next output: the bytes to transmit first (all of them, in one slice lent until the
    /// next call), then the events in the order they arose. Call until `None` after every
    /// input and intention (the drain rule).
    pub fn poll_output(&mut self) -> Option<ClientOutput<'_>> {
        let (_, chunk_returned) = self.outbox.begin_poll();
        if chunk_returned {
            // The application had the chunk: read on.
            self.process();
        }
        // A chunk is lent only while its literal is still being read (the buffer was not
        // dropped meanwhile: end of stream, STARTTLS, a limit).
        let streaming = self.input.is_streaming();
        match self.outbox.next(streaming)? {
            Next::Transmit(bytes) => Some(ClientOutput::Transmit(bytes)),
            Next::Event(e) => Some(ClientOutput::Event(e)),
            Next::Chunk(remaining) => Some(ClientOutput::LiteralChunk {
                data: self.input.lent_literal_data(),
                remaining,
            }),
        }
    }

    fn event(&mut self, e: ClientEvent) {
        self.outbox.event(e);
    }

    /// The output buffer, emptied first if its bytes were lent already.
    fn out_buf(&mut self) -> &mut Vec<u8> {
        self.outbox.buf()
    }

    fn transmit(&mut self, bytes: &[u8]) {
        self.out_buf().extend_from_slice(bytes);
    }

    // ---- intentions ----

    /// Sends a command with the next tag of the session.
    pub fn send(&mut self, body: CommandBody<'_>) -> Result<CommandHandle, LocalError> {
        let tag = format!("{}{}", self.config.tag_prefix, self.next_tag);
        let tag = Tag::new(tag).map_err(LocalError::Invalid)?;
        self.next_tag += 1;
        self.send_command(Command::new(tag, body))
    }

    /// Observer mode (a replayer following someone else's exchange): the client sent a line
    /// that the grammar rejects, tagged `tag`. Its answer is due as a tagged BAD (RFC 9051
    /// §7.1.3: "a protocol-level error in the client's command"); a tagged NO without a
    /// response code instead (Courier) is reported, as `no-for-bad` under the real-world
    /// profile and as [`PeerError::NoForBad`] under strict (a NO with a code, such as RFC
    /// 6154's `[USEATTR]`, read the command). The session remembers the last 16 such tags.
    pub fn observe_rejected_command(&mut self, tag: Tag<'_>) {
        if self.rejected_tags.len() >= 16 {
            self.rejected_tags.pop_front();
        }
        self.rejected_tags.push_back(tag.into_static());
    }

    /// Sends a command with its own tag.
    ///
    /// The sequence set of a FETCH, STORE, COPY, MOVE or UID EXPUNGE goes out normalized
    /// (ascending, merged) unless [`ClientConfig::normalize_sets`] is off.
    ///
    /// A command whose line would be longer than [`ClientConfig::max_line`] and that can be
    /// split ([`Command::split_to_fit`]: FETCH, STORE, UID COPY, UID MOVE, UID EXPUNGE) goes
    /// out as several commands over consecutive parts of its normalized sequence set: the
    /// first with the command's tag, the others with the session's next tags; all are sent at
    /// once (pipelined, RFC 9051 §5.5) and the application sees one command:
    ///
    /// - one handle: the data each part causes is [`ClientEvent::Data`] with that handle, and
    ///   [`in_flight`](Self::in_flight) lists every part still running under it;
    /// - one [`ClientEvent::Completed`], when the last part completes: the first part's
    ///   completion that is not OK (the first BAD, else the first NO: the parts after a failed
    ///   one still run, so some of the messages may have been handled), or, when every part
    ///   succeeded, the first part's OK with the codes of all parts merged where they are sets
    ///   (`COPYUID` of one UIDVALIDITY: the source and destination UID sets joined in order,
    ///   RFC 4315 §3; `MODIFIED`: the sets joined, RFC 7162 §3.1.3); other codes are the first
    ///   part's.
    ///
    /// COPY and MOVE by message number, and commands with nothing to split, are sent as they
    /// are, even when longer than the limit (the server may accept longer lines).
    pub fn send_command(&mut self, command: Command<'_>) -> Result<CommandHandle, LocalError> {
        match self.link {
            Link::Closed => return Err(LocalError::Closed),
            Link::AwaitingTls => return Err(LocalError::TlsPending),
            Link::Open => {}
        }
        if self
            .in_flight
            .iter()
            .any(|c| c.kind == CommandKind::StartTls)
        {
            return Err(LocalError::StartTlsInFlight);
        }
        if self
            .in_flight
            .iter()
            .any(|c| c.kind == CommandKind::Compress)
        {
            // RFC 4978 §3: "The client MUST NOT send any further commands until it has seen
            // the result of COMPRESS."
            return Err(LocalError::CompressInFlight);
        }
        if self.in_flight.iter().any(|c| c.tag == command.tag) {
            return Err(LocalError::DuplicateTag(command.tag.as_str().to_owned()));
        }
        if self.uidonly_enabled() && imap_codec::ext::uidonly::uses_message_numbers(&command.body) {
            // RFC 9586 §3: no message numbers once UIDONLY is enabled.
            return Err(LocalError::UidRequired {
                command: command.name(),
            });
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
            if matches!(command.body, CommandBody::Login { .. }) && self.login_disabled() {
                return Err(LocalError::LoginDisabled);
            }
        }
        self.check_tls_policy(command.body.kind())?;
        let mut command = command;
        if self.config.normalize_sets {
            normalize_set(&mut command.body);
        }
        let parts = self.split_to_fit(&command);
        let Some(parts) = parts.filter(|p| p.len() > 1) else {
            return self.send_checked(command, None);
        };
        let handle = CommandHandle(self.next_handle);
        self.next_handle += 1;
        self.splits.push(Split {
            handle,
            remaining: parts.len(),
            outcome: None,
        });
        for part in parts {
            self.send_part(part, None, handle);
        }
        Ok(handle)
    }

    /// `command` split to fit [`ClientConfig::max_line`], the parts after the first tagged
    /// with the session's next tags (skipping tags in flight); `None` when there is no limit or
    /// the command cannot be split.
    fn split_to_fit<'c>(&mut self, command: &Command<'c>) -> Option<Vec<Command<'c>>> {
        let limit = self.config.max_line?;
        if !command.is_splittable() {
            // Sent as given: no measuring encode (and no copy) of an APPEND and the like.
            return None;
        }
        let options = EncodeOptions::with_literal(self.literal_capability()).enforcing(true);
        let prefix = self.config.tag_prefix.as_str();
        let in_flight = &self.in_flight;
        let mut next = self.next_tag;
        let parts = command
            .split_to_fit(limit, &options, || {
                loop {
                    let tag = Tag::new(format!("{prefix}{next}"));
                    next += 1;
                    match tag {
                        Ok(tag) if tag == command.tag || in_flight.iter().any(|c| c.tag == tag) => {
                        }
                        Ok(tag) => break tag,
                        // A prefix that makes no tag (refused by `send`; reachable through
                        // `send_command` only): the part gets the command's own tag.
                        Err(_) => break command.tag.clone(),
                    }
                }
            })
            .ok()?;
        self.next_tag = next;
        Some(parts)
    }

    /// Sends an APPEND (RFC 9051 §6.3.12) whose message the application streams: `length`
    /// octets, pushed with [`push_literal_chunk`](Self::push_literal_chunk) once
    /// [`ClientEvent::LiteralWanted`] says so (after the server's `+`, or at once when the
    /// literal may be non-synchronizing: LITERAL+, or LITERAL- up to 4096 octets, RFC 7888).
    /// The command is written by the codec up to the literal's announcement, the data goes
    /// as it is pushed, then the rest of the command; commands sent meanwhile wait behind it
    /// (wire order = call order). A tagged NO/BAD instead of `+` ends it
    /// ([`ClientEvent::LiteralRejected`], nothing to push).
    ///
    /// `binary` sends a `literal8` (`~{n}`, RFC 3516, needs the BINARY capability), which may
    /// hold any octet; a `literal` must not hold NUL (RFC 9051 §4.3): the session does not
    /// look at the data, the server will refuse it.
    pub fn send_append_stream(
        &mut self,
        mailbox: Mailbox<'_>,
        flags: Option<Vec<Flag<'_>>>,
        date: Option<DateTime>,
        length: u64,
        binary: bool,
    ) -> Result<CommandHandle, LocalError> {
        // The empty literal stands in for the data, which the encoder leaves out.
        let message = if binary {
            AppendData::Literal8(Literal8::new(&b""[..]))
        } else {
            AppendData::Literal(Literal::new(&b""[..]).map_err(LocalError::Invalid)?)
        };
        let body = CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
            more: Vec::new(),
        };
        let tag = format!("{}{}", self.config.tag_prefix, self.next_tag);
        let tag = Tag::new(tag).map_err(LocalError::Invalid)?;
        self.next_tag += 1;
        self.send_checked(Command::new(tag, body), Some(length))
    }

    /// Pushes the next octets of the streamed literal ([`ClientEvent::LiteralWanted`]). They
    /// are transmitted as they are (drain [`poll_output`](Self::poll_output) after each push:
    /// the session holds at most one push); after the last octet, the rest of the command
    /// and whatever was queued behind it follow. Refused (nothing sent) when no literal is
    /// wanted, or when `data` is longer than what remains.
    pub fn push_literal_chunk(&mut self, data: &[u8]) -> Result<(), LocalError> {
        self.check_open()?;
        let writing = self.writing.as_mut().ok_or(LocalError::NoLiteralWanted)?;
        let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if len > writing.remaining {
            return Err(LocalError::LiteralTooLong {
                remaining: writing.remaining,
            });
        }
        writing.remaining -= len;
        let done = writing.remaining == 0;
        self.transmit(data);
        if done && let Some(w) = self.writing.take() {
            self.transmit(&w.tail);
            // Whatever waited behind it goes out now.
            self.blocked = None;
            if let Some(next) = self
                .in_flight
                .iter()
                .find(|c| c.handle > w.handle)
                .map(|c| c.handle)
            {
                self.flush_blocked(next);
            }
        }
        Ok(())
    }

    fn send_checked(
        &mut self,
        command: Command<'_>,
        streamed: Option<u64>,
    ) -> Result<CommandHandle, LocalError> {
        let handle = CommandHandle(self.next_handle);
        self.next_handle += 1;
        self.send_part(command, streamed, handle);
        Ok(handle)
    }

    /// Queues `command` under `handle` (a command of its own, or a part of a split one).
    fn send_part(&mut self, command: Command<'_>, streamed: Option<u64>, handle: CommandHandle) {
        // Room for a command line of the usual size: written without growing two or three
        // times from 8 octets.
        let mut buf = Vec::with_capacity(64);
        // RFC 7888 §3, §5: a `{n+}` the server does not allow goes as `{n}`.
        let mut options = EncodeOptions::with_literal(self.literal_capability()).enforcing(true);
        if let Some(length) = streamed {
            options = options.streaming(length);
        }
        let encoded = command.encode(&mut buf, &options);
        #[cfg(feature = "tracing")]
        tracing::debug!(?handle, tag = ?command.tag, kind = ?command.body.kind(), "command");
        let (unsent, body) = match (streamed, encoded.streamed) {
            (None, _) => (owned_chunks(buf, &encoded), None),
            (Some(length), Some(at)) => {
                // The pieces of the head (each after a `+`), the data, then the tail.
                let mut unsent: VecDeque<Vec<u8>> = VecDeque::new();
                let mut from = encoded.start;
                for &p in encoded.sync_points.iter().filter(|&&p| p < at) {
                    unsent.push_back(buf[from..p].to_vec());
                    from = p;
                }
                unsent.push_back(buf[from..at].to_vec());
                let body = OutBody {
                    handle,
                    remaining: length,
                    tail: buf[at..encoded.end].to_vec(),
                    wait_plus: encoded.sync_points.contains(&at),
                };
                (unsent, Some(body))
            }
            (Some(_), None) => unreachable!("an APPEND writes its literal"),
        };
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
        self.in_flight.push(InFlight {
            handle,
            tag: command.tag.into_static(),
            name: command.body.name(),
            kind: command.body.kind(),
            sub,
            scope: Scope::of(&command.body),
            unsent,
            body,
        });
        if self.blocked.is_none() {
            self.flush_blocked(handle);
        }
    }

    /// Sends AUTHENTICATE (RFC 9051 §6.2.2) and runs the SASL exchange with `mechanism`:
    /// the session sends the initial response inline when the server announced `SASL-IR`
    /// (RFC 4959 §3; `=` when empty), otherwise as the answer to the server's empty
    /// challenge (RFC 4422 §3.3); decodes every challenge, steps the mechanism and sends its
    /// base64 response; cancels with `*` when the mechanism refuses a challenge. The outcome
    /// is [`ClientEvent::Completed`] then [`ClientEvent::Authenticated`] or
    /// [`ClientEvent::AuthenticationFailed`]. No [`ClientEvent::AuthenticateChallenge`] is
    /// reported for this exchange.
    ///
    /// `mechanism` comes from [`mailproto_sasl::ClientConfig::start`] (which takes the
    /// randomness, so the session stays deterministic), or see
    /// [`authenticate_with`](Self::authenticate_with).
    pub fn authenticate(
        &mut self,
        mut mechanism: Box<dyn ClientMechanism>,
    ) -> Result<CommandHandle, LocalError> {
        self.check_open()?;
        if self.sasl.is_some() {
            return Err(LocalError::InvalidState {
                command: CommandKind::Authenticate.name(),
                state: self.state,
            });
        }
        let name = AuthMechanism::new(mechanism.mechanism().as_str().to_owned())
            .map_err(LocalError::Invalid)?;
        let initial = mechanism.initial_response().map_err(LocalError::Sasl)?;
        let sasl_ir = self.has_capability(&Capability::SaslIr);
        let (inline, deferred) = match initial {
            Some(r) if sasl_ir => (Some(r), None),
            other => (None, other),
        };
        let handle = self.send(CommandBody::Authenticate {
            mechanism: name,
            initial_response: inline.as_ref().map(|r| Cow::Borrowed(r.as_bytes())),
        })?;
        self.sasl = Some(SaslRun {
            handle,
            mechanism,
            deferred,
            cancelled: false,
        });
        Ok(handle)
    }

    /// Picks the strongest mechanism among the server's `AUTH=` capabilities that fits
    /// `credentials` under `config` ([`mailproto_sasl::ClientConfig::choose`]: SCRAM before
    /// PLAIN, plaintext mechanisms only with `config.tls` or when explicitly allowed), starts
    /// it and runs it ([`authenticate`](Self::authenticate)). The capabilities must be known
    /// (greeting code or a CAPABILITY response).
    pub fn authenticate_with(
        &mut self,
        config: &SaslClientConfig,
        credentials: &Credentials,
        nonces: &mut dyn NonceSource,
    ) -> Result<(CommandHandle, Mechanism), LocalError> {
        let advertised: Vec<Mechanism> = self
            .capabilities()
            .unwrap_or_default()
            .iter()
            .filter_map(|c| match c {
                Capability::Auth(m) => Mechanism::new(m.as_str()).ok(),
                _ => None,
            })
            .collect();
        let chosen = config
            .choose(&advertised, credentials)
            .ok_or(LocalError::NoMechanism)?;
        let mechanism = config
            .start(&chosen, credentials, nonces)
            .map_err(LocalError::Sasl)?;
        let handle = self.authenticate(mechanism)?;
        Ok((handle, chosen))
    }

    /// A challenge of the exchange the session runs: the next response, or `*`.
    fn sasl_challenge(&mut self, challenge: Option<Vec<u8>>) {
        let Some(run) = self.sasl.as_mut() else {
            return;
        };
        if run.cancelled {
            // RFC 9051 §6.2.2: after `*` the server's BAD is due, not another challenge.
            self.event(ClientEvent::ProtocolError(
                PeerError::UnexpectedContinuation,
            ));
            return;
        }
        let handle = run.handle;
        let result = match (challenge, run.deferred.take()) {
            (None, _) => Err(SaslError::Base64),
            // RFC 4422 §3.3: without SASL-IR the server asks with an empty challenge.
            (Some(c), Some(initial)) if c.is_empty() => Ok(initial),
            (Some(_), Some(_)) => Err(SaslError::Unexpected(
                "a non-empty challenge where the initial response was due",
            )),
            (Some(c), None) => run.mechanism.step(&c).map(ClientStep::into_response),
        };
        match result {
            Ok(response) => {
                let _ = AuthenticateData::Response(Cow::Borrowed(response.as_bytes()))
                    .encode(self.out_buf());
            }
            Err(error) => {
                if let Some(run) = self.sasl.as_mut() {
                    run.cancelled = true;
                }
                let _ = AuthenticateData::Cancel.encode(self.out_buf());
                self.event(ClientEvent::AuthenticationFailed { handle, error });
            }
        }
    }

    /// Answers an AUTHENTICATE challenge (base64 line) or cancels the exchange (`*`),
    /// RFC 9051 §6.2.2, for an exchange the application runs itself (sent with
    /// [`send`](Self::send)); an exchange run by [`authenticate`](Self::authenticate) is
    /// answered by the session.
    pub fn authenticate_continue(&mut self, data: AuthenticateData<'_>) -> Result<(), LocalError> {
        self.check_open()?;
        if !self.in_flight.iter().any(|c| c.sub == Sub::Authenticate) {
            return Err(LocalError::NotAuthenticating);
        }
        let _ = data.encode(self.out_buf());
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
        let _ = IdleDone.encode(self.out_buf());
        Ok(())
    }

    /// The TLS policy's say on sending a command of `kind` (whatever `enforce_states` says):
    /// under [`TlsPolicy::Required`] no credential goes out in clear; under
    /// [`TlsPolicy::Never`] no STARTTLS.
    fn check_tls_policy(&self, kind: CommandKind) -> Result<(), LocalError> {
        match (self.config.tls_policy, kind) {
            (TlsPolicy::Required, CommandKind::Login | CommandKind::Authenticate) if !self.tls => {
                Err(LocalError::TlsRequired)
            }
            (TlsPolicy::Never, CommandKind::StartTls) => Err(LocalError::TlsPolicy),
            (_, CommandKind::StartTls) if self.tls => Err(LocalError::TlsPolicy),
            _ => Ok(()),
        }
    }

    /// Under [`TlsPolicy::Required`] on a plaintext connection: a stripping attempt is
    /// reported and the session closes (nothing more is sent on this connection).
    fn stripped(&mut self, how: Stripping) {
        if self.config.tls_policy == TlsPolicy::Required && !self.tls {
            self.event(ClientEvent::ProtocolError(PeerError::TlsStripped(how)));
            self.close();
        }
    }

    /// Advertised capabilities that change the server's grammar without ENABLE are put in
    /// force: Gmail's X-GM-EXT-1 data items ([`imap_codec::ext::gmail`]).
    fn grammar_capabilities(&mut self) {
        if self.has_capability(&Capability::XGmExt1) {
            self.config.parse.extensions.insert(Extension::GmailExt1);
        }
    }

    /// Capabilities were learned: LOGINDISABLED on the plaintext connection stays in force
    /// until TLS; under [`TlsPolicy::Required`], capabilities without STARTTLS in clear are
    /// stripping.
    fn learned_capabilities(&mut self) {
        self.grammar_capabilities();
        if self.tls {
            return;
        }
        if self.has_capability(&Capability::LoginDisabled) {
            self.login_disabled_in_clear = true;
        }
        if self.capabilities.is_some()
            && !self.has_capability(&Capability::StartTls)
            && self.state == State::NotAuthenticated
        {
            self.stripped(Stripping::NotOffered);
        }
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
            .fold(self.state, |s, c| match state::trigger_on_ok(c.kind) {
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
        self.tls = true;
        // LOGINDISABLED was the plaintext connection's (RFC 9051 §6.2.3); the server says
        // again what holds under TLS.
        self.login_disabled_in_clear = false;
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

    /// The server broke a session rule of the catalogue: under the real-world profile the
    /// deviation `id` at `offset` is reported (and counted against the budget: true when it
    /// used the budget up and closed the session); under the strict profile, `strict` (if
    /// the rule is one the RFC states; `None` for a reading the RFC leaves open).
    fn session_rule(
        &mut self,
        id: imap_codec::context::ImapDeviation,
        offset: usize,
        strict: Option<PeerError>,
    ) -> bool {
        if self.config.parse.profile != imap_codec::Profile::RealWorld {
            if let Some(e) = strict {
                self.event(ClientEvent::ProtocolError(e));
            }
            return false;
        }
        let deviation = Deviation::new(id, offset, imap_codec::Side::Server);
        self.deviations_seen = self.deviations_seen.saturating_add(1);
        let count = self.deviations_seen;
        let stop = self.config.deviation_budget.exceeded(&deviation, count);
        self.event(ClientEvent::Deviation(deviation));
        if stop {
            self.event(ClientEvent::ProtocolError(PeerError::DeviationBudget {
                deviation,
                count,
            }));
            self.close();
        }
        stop
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
        self.process();
        Ok(())
    }

    /// Frames and handles what was received, until more is needed or a streamed literal's
    /// chunk is to be lent first (it stops there: `poll_output` lends it and reads on).
    fn process(&mut self) {
        if self.outbox.chunk_waiting() {
            // Not lent yet: framing on would drop it.
            return;
        }
        loop {
            if self.link != Link::Open {
                break;
            }
            let kind = self.expecting();
            let (parsed, bytes) = match self.input.next_frame() {
                Ok(None) => break,
                Ok(Some(Frame::Literal(lit))) => {
                    self.literal_announced(kind, lit);
                    continue;
                }
                Ok(Some(Frame::LiteralData { remaining, .. })) => {
                    self.outbox.hold_chunk(remaining);
                    break;
                }
                Ok(Some(Frame::Discard(_))) => continue,
                Ok(Some(Frame::Message(m))) => {
                    // Parsed where it lies in the framer's buffer (literals borrowed), then
                    // made owned: the one copy of the message. Its bytes are copied again
                    // only for a trace follower (`report_received`): first, and parsed after
                    // the framer gave its buffer back (pushing nothing drops the message
                    // returned; a big one that filled the buffer frees it), so that the
                    // buffer, the copy and the value are not all held at once.
                    if self.config.report_received {
                        let bytes = m.to_vec();
                        self.input.push(&[]);
                        (parse(kind, &bytes, &self.config.parse), Some(bytes))
                    } else {
                        (parse(kind, m, &self.config.parse), None)
                    }
                }
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
            self.message(kind, parsed, bytes);
        }
    }

    /// A literal is announced: a FETCH literal over the threshold is streamed.
    ///
    /// Whether the literal is the value of a FETCH attribute is the codec's to say: the
    /// response up to the literal, with the literal empty ([`zero_announced_count`]) and
    /// closed with `)` CRLF, must parse as FETCH data. Anywhere else (a literal inside an
    /// ENVELOPE, BODYSTRUCTURE, or other data) the literal is held as usual, within the
    /// framer's limits.
    ///
    /// [`zero_announced_count`]: imap_codec::framer::zero_announced_count
    fn literal_announced(&mut self, kind: MessageKind, lit: LiteralAnnouncement) {
        let Some(threshold) = self.config.stream_literals_over else {
            return;
        };
        if kind != MessageKind::Response || lit.length <= threshold {
            return;
        }
        let mut head = self.input.current_prefix(lit.prefix_len).to_vec();
        if !imap_codec::framer::zero_announced_count(&mut head) {
            return;
        }
        head.extend_from_slice(b")\r\n");
        let Ok(Parsed {
            value: Response::Data(data @ Data::Fetch { .. }),
            ..
        }) = Response::parse_with(&head, &self.config.parse)
        else {
            return;
        };
        let head = data.into_static();
        if !self.input.stream_literal() {
            return;
        }
        let exists = self.view_mut().map(|v| v.exists);
        let handle = attribute(&head, &self.in_flight, exists, self.notify);
        self.event(ClientEvent::FetchStreamStart {
            handle,
            head,
            length: lit.length,
        });
    }

    fn message(
        &mut self,
        kind: MessageKind,
        parsed: Result<(Inbound, Vec<Deviation>), PeerError>,
        bytes: Option<Vec<u8>>,
    ) {
        // Real-world: an untagged response the grammar does not know is kept generically.
        let (parsed, unknown) = match parsed {
            Err(PeerError::Syntax { bytes: raw, error })
                if kind == MessageKind::Response
                    && self.config.parse.profile == imap_codec::Profile::RealWorld =>
            {
                match unknown_response(&raw, &self.config.parse) {
                    Some((response, deviation)) => (
                        Ok((Inbound::Unknown, vec![deviation])),
                        Some((response, raw)),
                    ),
                    None => (Err(PeerError::Syntax { bytes: raw, error }), None),
                }
            }
            other => (other, None),
        };
        let mut stop = None;
        let parsed = parsed.map(|(inbound, deviations)| {
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
                self.event(ClientEvent::Deviation(deviation));
            }
            inbound
        });
        if let Some((deviation, count)) = stop {
            self.event(ClientEvent::ProtocolError(PeerError::DeviationBudget {
                deviation,
                count,
            }));
            self.close();
            return;
        }
        if let Some(bytes) = bytes {
            let result = crate::reported(&parsed, self.config.report_received_values);
            self.event(ClientEvent::Received(Received {
                kind,
                bytes,
                result,
            }));
        }
        if let Some((response, raw)) = unknown {
            self.event(ClientEvent::Unknown { response, raw });
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
        let learned = if let Some(Code::Capability(c)) = g.code() {
            self.capabilities = Some(c.capabilities().to_vec());
            true
        } else {
            false
        };
        let kind = g.kind();
        // One event per fact: a BYE greeting is reported as the greeting (not also as
        // `Bye`); the state change to Logout follows.
        self.event(ClientEvent::Greeting(g));
        match kind {
            GreetingKind::Ok => self.trigger(Trigger::GreetingOk),
            GreetingKind::PreAuth => {
                self.trigger(Trigger::GreetingPreAuth);
                self.stripped(Stripping::PreAuth);
            }
            GreetingKind::Bye => self.trigger(Trigger::Bye),
        }
        if learned && self.link == Link::Open {
            self.learned_capabilities();
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
            Code::NotificationOverflow => {
                // RFC 5465 §5.8: as if NOTIFY NONE had just been received.
                self.notify = false;
                self.event(ClientEvent::Notification(Notification::Overflow));
            }
            Code::Capability(c) => {
                self.capabilities = Some(c.capabilities().to_vec());
                self.learned_capabilities();
            }
            other => {
                let selecting = self.selecting.is_some();
                if let Some(change) = self.view_mut().and_then(|v| v.apply_code(other)) {
                    if let MailboxChange::UidValidityChanged { old, new } = change
                        && !selecting
                        && self.session_rule(
                            imap_codec::context::ImapDeviation::UidvalidityChange,
                            0,
                            Some(PeerError::UidValidityChanged { old, new }),
                        )
                    {
                        return;
                    }
                    self.event(ClientEvent::Mailbox(change));
                }
            }
        }
    }

    fn response(&mut self, r: Response<'static>) {
        match r {
            Response::Data(data) => {
                let exists = self.view_mut().map(|v| v.exists);
                let handle = attribute(&data, &self.in_flight, exists, self.notify);
                // RFC 4731 §3.1: an extended SEARCH is answered with ESEARCH, not SEARCH.
                if matches!(data, Data::Search(_))
                    && self.in_flight.iter().any(|c| {
                        Some(c.handle) == handle
                            && matches!(c.scope, Scope::Search { extended: true, .. })
                    })
                    && self.session_rule(
                        imap_codec::context::ImapDeviation::SearchForEsearch,
                        2,
                        Some(PeerError::SearchForEsearch),
                    )
                {
                    return;
                }
                match &data {
                    Data::Capability(c) => {
                        self.capabilities = Some(c.capabilities().to_vec());
                        self.learned_capabilities();
                        if self.in_flight.iter().any(|c| {
                            matches!(c.kind, CommandKind::Login | CommandKind::Authenticate)
                        }) {
                            self.login_capabilities = Some(c.capabilities().to_vec());
                        }
                    }
                    Data::Enabled(caps) => {
                        for c in caps {
                            if !self.enabled.contains(c) {
                                self.enabled.push(c.clone());
                            }
                            // What ENABLE turned on changes the grammar from now on
                            // (RFC 5161 §3.1; RFC 7162 §3.2.3, RFC 6855 §3).
                            if let Some(ext) = Extension::from_capability(c) {
                                self.config.parse.extensions.insert(ext);
                            }
                        }
                        for cmd in &mut self.in_flight {
                            if let Scope::Enable { answered, .. } = &mut cmd.scope {
                                *answered = true;
                            }
                        }
                    }
                    _ => {}
                }
                // The view is updated before the data are reported; the data are the one
                // event (EXISTS during IDLE was also reported as `Mailbox` before).
                let _ = self.view_mut().map(|v| v.apply_data(&data));
                if self.notify && handle.is_none() {
                    match Notification::from_data(data) {
                        Ok(n) => self.event(ClientEvent::Notification(n)),
                        Err(data) => self.event(ClientEvent::Data { handle, data }),
                    }
                } else {
                    self.event(ClientEvent::Data { handle, data });
                }
            }
            Response::Status(s) if s.tag().is_none() => {
                if let Some(code) = s.code() {
                    self.apply_code(code);
                }
                if s.kind() == StatusKind::Bye && self.bye_seen {
                    // RFC 9051 §7.1.5: after BYE the server closes (at once, or after the
                    // tagged OK to LOGOUT). A second BYE with neither in between is an
                    // endless stream of them (Yandex): the session stops following it, as
                    // if the connection had ended.
                    if !self.session_rule(
                        imap_codec::context::ImapDeviation::EndlessBye,
                        0,
                        Some(PeerError::RepeatedBye),
                    ) {
                        self.close();
                    }
                } else if s.kind() == StatusKind::Bye {
                    self.bye_seen = true;
                    self.event(ClientEvent::Bye(s));
                    self.trigger(Trigger::Bye);
                } else {
                    let handle = match self.in_flight.as_slice() {
                        [one, rest @ ..] if rest.iter().all(|r| r.handle == one.handle) => {
                            Some(one.handle)
                        }
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
        if let Some(handle) = self.blocked
            && self.writing.is_none()
        {
            if let Some(cmd) = self.in_flight.iter_mut().find(|c| c.handle == handle)
                && cmd.unsent.is_empty()
                && let Some(body) = &mut cmd.body
            {
                // The `+` for a streamed literal: its data may go now.
                body.wait_plus = false;
            }
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
            Sub::Authenticate if self.sasl.as_ref().is_some_and(|r| r.handle == handle) => {
                let data = c.base64_data();
                if data.is_none() {
                    self.event(ClientEvent::ProtocolError(PeerError::ChallengeNotBase64));
                }
                self.sasl_challenge(data);
            }
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

    /// Sends the next piece of the blocked command, then whatever was queued behind it,
    /// up to the next wait: for a `+`, or for the application's data of a streamed literal.
    fn flush_blocked(&mut self, handle: CommandHandle) {
        self.blocked = None;
        let mut pieces = Vec::new();
        let mut seen = false;
        let mut wanted = None;
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
            if let Some(body) = &cmd.body {
                self.blocked = Some(cmd.handle);
                if !body.wait_plus {
                    wanted = cmd.body.take();
                }
                break;
            }
        }
        for p in pieces {
            self.outbox.push_owned(p);
        }
        if let Some(w) = wanted {
            self.event(ClientEvent::LiteralWanted {
                handle: w.handle,
                length: w.remaining,
            });
            self.writing = Some(w);
        }
    }

    /// The completion to report for `handle` after its part completed with `s`: `s` itself
    /// for a command that was not split; for a split one, `None` until its last part
    /// completes, then the parts' completions merged ([`merge_completions`]).
    fn merge_split(
        &mut self,
        handle: CommandHandle,
        s: Status<'static>,
    ) -> Option<Status<'static>> {
        let Some(at) = self.splits.iter().position(|p| p.handle == handle) else {
            return Some(s);
        };
        let split = &mut self.splits[at];
        split.remaining = split.remaining.saturating_sub(1);
        split.outcome = Some(match split.outcome.take() {
            None => s,
            Some(before) => merge_completions(before, s),
        });
        if split.remaining > 0 {
            return None;
        }
        self.splits.swap_remove(at).outcome
    }

    fn completion(&mut self, s: Status<'static>) {
        let tag = s.tag().cloned().unwrap_or_else(|| unreachable!());
        let rejected = self.rejected_tags.iter().position(|t| *t == tag);
        if let Some(at) = rejected
            && !self.in_flight.iter().any(|c| c.tag == tag)
        {
            self.rejected_tags.remove(at);
            self.bye_seen = false;
            // A NO with a response code gave a specific reason: the server read the command
            // (our grammar may be narrower than its, e.g. an extension not in force here).
            if s.kind() == StatusKind::No && s.code().is_none() {
                self.session_rule(
                    imap_codec::context::ImapDeviation::NoForBad,
                    0,
                    Some(PeerError::NoForBad),
                );
            }
            return;
        }
        let Some(pos) = self.in_flight.iter().position(|c| c.tag == tag) else {
            self.event(ClientEvent::ProtocolError(PeerError::UnknownTag(
                tag.as_str().to_owned(),
            )));
            return;
        };
        let cmd = self.in_flight.remove(pos);
        self.bye_seen = false;
        let during_login = match cmd.kind {
            CommandKind::Login | CommandKind::Authenticate => self.login_capabilities.take(),
            _ => None,
        };
        if let Some(code) = s.code()
            && !matches!(code, Code::Capability(_))
        {
            self.apply_code(code);
        }
        // RFC 7162 §6: the highest mod-sequence is settled at each completion.
        if let Some(change) = self.view_mut().and_then(MailboxView::command_completed) {
            self.event(ClientEvent::Mailbox(change));
        }
        let ok = s.kind() == StatusKind::Ok;
        // A command whose literal was refused: the rest is never sent. (A streamed literal
        // whose data flows is written to its end: the server reads it, RFC 7888 §4.)
        if !cmd.unsent.is_empty() || cmd.body.is_some() {
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
        // RFC 5161 §3.1: a successful ENABLE is answered with `* ENABLED`. Some servers send
        // only the OK (iCloud; Dovecot for UTF8=ACCEPT): under the real-world profile that is
        // the `enable-without-enabled` deviation, and what was asked is taken as enabled.
        if let Scope::Enable {
            asked,
            answered: false,
        } = &cmd.scope
            && ok
        {
            let real_world = self.config.parse.profile == imap_codec::Profile::RealWorld;
            if self.session_rule(
                imap_codec::context::ImapDeviation::EnableWithoutEnabled,
                0,
                Some(PeerError::EnableWithoutEnabled),
            ) {
                return;
            }
            for c in asked.iter().filter(|_| real_world) {
                if !self.enabled.contains(c) {
                    self.enabled.push(c.clone());
                }
            }
        }
        let handle = cmd.handle;
        let code = s.code().cloned();
        if let Scope::Search { save: true, .. } = cmd.scope {
            self.saved_search = Some(ok);
        }
        if let (Scope::Notify { set }, true) = (&cmd.scope, ok) {
            // RFC 5465 §3: NOTIFY SET replaces what was in force; NOTIFY NONE turns it off.
            self.notify = *set;
        }
        if matches!(
            cmd.kind,
            CommandKind::Select | CommandKind::Examine | CommandKind::Close | CommandKind::Unselect
        ) {
            // A new mailbox (or none) resets `$` (RFC 5182 §2.1).
            self.saved_search = None;
        }
        // A part of a split command: one completion, when the last part completes.
        let Some(s) = self.merge_split(handle, s) else {
            return;
        };
        self.event(ClientEvent::Completed { handle, status: s });
        let sasl = self.sasl.take_if(|r| r.handle == handle);
        if let Some(mut run) = sasl
            && ok
        {
            // RFC 4422 §3.6: the outcome; SCRAM checks that the server proved its identity.
            let verified = if run.cancelled {
                Err(SaslError::Unexpected("success after the client cancelled"))
            } else {
                run.mechanism.finish(None)
            };
            if let Err(error) = verified {
                self.event(ClientEvent::AuthenticationFailed { handle, error });
                self.close();
                return;
            }
            self.event(ClientEvent::Authenticated {
                handle,
                mechanism: run.mechanism.mechanism(),
            });
        }
        match cmd.kind {
            CommandKind::Compress if ok => {
                // RFC 4978 §3: compression starts right after the CRLF of the OK; what
                // followed it is compressed data, not IMAP.
                let compressed = self.input.take_buffered();
                self.event(ClientEvent::CompressionStarted {
                    handle,
                    algorithm: CompressionAlgorithm::Deflate,
                    compressed,
                });
            }
            CommandKind::Login | CommandKind::Authenticate if ok => {
                // RFC 9051 §6.2.2, §6.2.3: capabilities may change after authentication.
                self.capabilities = None;
                if let Some(Code::Capability(c)) = code {
                    self.capabilities = Some(c.capabilities().to_vec());
                    self.grammar_capabilities();
                } else if let Some(c) = during_login {
                    // RFC 9051 §7.2.2: the capabilities after authentication come in the
                    // tagged OK's code; an untagged CAPABILITY before that OK (Dovecot) is
                    // unilateral data (§2.2.2), so strict relies on none of it, and the
                    // real-world profile keeps it as the new list and names the reading.
                    if self.config.parse.profile == imap_codec::Profile::RealWorld {
                        if self.session_rule(
                            imap_codec::context::ImapDeviation::CapabilityDuringLogin,
                            0,
                            None,
                        ) {
                            return;
                        }
                        self.capabilities = Some(c);
                        self.grammar_capabilities();
                    }
                }
                self.trigger(Trigger::AuthOk);
            }
            CommandKind::Select | CommandKind::Examine => {
                let view = self.selecting.take();
                if ok {
                    let mut view = view.unwrap_or_default();
                    if view.read_only.is_none() {
                        view.read_only = Some(cmd.kind == CommandKind::Examine);
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
            CommandKind::Close | CommandKind::Unselect if ok => self.trigger(Trigger::CloseOk),
            CommandKind::Unauthenticate if ok => {
                // RFC 8437 §3: every effect of authentication ends: the selected mailbox,
                // what ENABLE turned on, the capabilities seen after login.
                self.capabilities = None;
                self.mailbox = None;
                self.enabled.clear();
                self.trigger(Trigger::UnauthenticateOk);
            }
            CommandKind::Logout if ok => {
                self.trigger(Trigger::Logout);
                self.close();
            }
            CommandKind::StartTls if !ok => self.stripped(Stripping::Refused),
            CommandKind::StartTls => {
                // RFC 9051 §6.2.1: forget capabilities; nothing after the OK's CRLF is IMAP.
                // Everything else learned in clear goes too (ENABLED: ENABLE is not valid
                // before login, so any is injected), and the drop is reported.
                let capabilities = self.capabilities.take().unwrap_or_default();
                let enabled = ::core::mem::take(&mut self.enabled);
                if !capabilities.is_empty() || !enabled.is_empty() {
                    self.event(ClientEvent::PlaintextStateDropped {
                        capabilities,
                        enabled,
                    });
                }
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

/// Replaces the sequence set of a FETCH, STORE, COPY, MOVE or UID EXPUNGE with its
/// normalized form ([`ClientConfig::normalize_sets`]).
fn normalize_set(body: &mut CommandBody<'_>) {
    match body {
        CommandBody::Fetch { sequence_set, .. }
        | CommandBody::Store { sequence_set, .. }
        | CommandBody::Copy { sequence_set, .. }
        | CommandBody::Move { sequence_set, .. }
        | CommandBody::UidExpunge { sequence_set } => *sequence_set = sequence_set.normalized(),
        _ => {}
    }
}

/// Two completions of parts of one split command ([`ClientSession::send_command`]) as one:
/// the more severe (BAD, then NO, then OK; between equals, the earlier); two OKs as the
/// earlier with their set-valued codes joined (`COPYUID` of one UIDVALIDITY, RFC 4315 §3;
/// `MODIFIED`, RFC 7162 §3.1.3), or with the later one's code when the earlier has none.
fn merge_completions(before: Status<'static>, after: Status<'static>) -> Status<'static> {
    let severity = |s: &Status<'_>| match s.kind() {
        StatusKind::Ok => 0,
        StatusKind::No => 1,
        _ => 2,
    };
    if severity(&after) > severity(&before) {
        return after;
    }
    if severity(&before) > 0 {
        return before;
    }
    let joined = match (before.code(), after.code()) {
        (Some(Code::CopyUid(a)), Some(Code::CopyUid(b))) if a.uid_validity == b.uid_validity => {
            let join = |x: &UidSet, y: &UidSet| UidSet::new([x.ranges(), y.ranges()].concat()).ok();
            join(&a.source, &b.source)
                .zip(join(&a.destination, &b.destination))
                .map(|(source, destination)| {
                    Code::CopyUid(imap_codec::response::CopyUid {
                        uid_validity: a.uid_validity,
                        source,
                        destination,
                    })
                })
        }
        (Some(Code::Modified(a)), Some(Code::Modified(b))) => match (a, b) {
            (SequenceSet::Items(x), SequenceSet::Items(y)) => {
                SequenceSet::new([x.as_slice(), y.as_slice()].concat())
                    .ok()
                    .map(Code::Modified)
            }
            _ => None,
        },
        (None, Some(code)) => Some(code.clone()),
        _ => None,
    };
    match joined {
        Some(code) => before.with_code(code),
        None => before,
    }
}

/// The commands whose untagged data `data` can be (RFC 9051 §7.2–§7.5; RFC 3501 §7.2.3,
/// §7.2.5; RFC 5161; RFC 2342): the one table from data to command kinds.
fn answers(data: &Data<'_>) -> &'static [CommandKind] {
    use CommandKind as K;
    // The UID forms share their command's kind (`CommandBody::is_uid` tells them apart);
    // UID EXPUNGE has a kind of its own.
    match data {
        Data::Capability(_) => &[K::Capability],
        Data::Enabled(_) => &[K::Enable],
        Data::List(_) => &[K::List],
        Data::Lsub(_) => &[K::Lsub],
        Data::Xlist(_) => &[K::Xlist],
        Data::Namespace(_) => &[K::Namespace],
        Data::Status(_) => &[K::Status, K::List],
        Data::Search(_) => &[K::Search],
        Data::Esearch(_) => &[K::Search, K::Sort],
        Data::Sort(_) => &[K::Sort],
        Data::Thread(_) => &[K::Thread],
        Data::Flags(_) | Data::Exists(_) | Data::Recent(_) => &[K::Select, K::Examine],
        Data::Expunge(_) => &[K::Expunge, K::UidExpunge, K::Move],
        Data::Fetch(_) | Data::UidFetch(_) => &[K::Fetch, K::Store],
        // `Data` grows with extensions: data no command here asked for.
        _ => &[],
    }
}

/// The command in flight that untagged `data` answer, when that can be told; `exists` is the
/// message count of the mailbox being selected or selected (for `*` in sequence sets).
///
/// The candidates are the commands in flight whose kind can cause the data ([`answers`]).
/// Then, in this order:
///
/// - ESEARCH with a tag correlator (RFC 9051 §7.3.4) answers the command with that tag, and
///   no other; without one, only a UID SEARCH answers `UID` results and only a SEARCH the
///   others.
/// - FETCH data (RFC 9051 §7.5.2) answer a FETCH/STORE only when its set holds the message:
///   by UID for UID FETCH / UID STORE (whose data always carry the UID, §6.4.9; FETCH data
///   without UID answer none of them), by sequence number otherwise. FETCH data are often
///   unsolicited (flag changes made by others), so this filter applies even to a single
///   candidate. UIDFETCH data (RFC 9586 §3.3, once UIDONLY is enabled) answer only a UID
///   FETCH / UID STORE whose set holds their UID.
/// - STATUS data answer the STATUS about their mailbox; LIST/LSUB data the LIST/LSUB whose
///   reference and pattern match the name (`*` and `%`, §6.3.9). These filters apply only
///   between several candidates: a single LIST in flight gets all LIST data.
///
/// `None` when no candidate or more than one remains: the data are unsolicited or truly
/// ambiguous (two SEARCHes without correlators, two SELECT-kind commands, two FETCHes of
/// overlapping sets, ...).
fn attribute(
    data: &Data<'_>,
    in_flight: &[InFlight],
    exists: Option<u32>,
    notify: bool,
) -> Option<CommandHandle> {
    let kinds = answers(data);
    // The candidates, walked again where needed rather than collected (no Vec per data).
    let candidates = || in_flight.iter().filter(|c| kinds.contains(&c.kind));
    if let Data::Esearch(e) = data
        && let Some(tag) = &e.correlator
    {
        return in_flight
            .iter()
            .find(|c| c.tag.as_str().as_bytes() == tag.as_bytes())
            .map(|c| c.handle);
    }
    // Whatever the filters below, no candidate answers nothing (most data, unsolicited).
    candidates().next()?;
    match data {
        Data::Esearch(e) => {
            one(candidates()
                .filter(|c| !matches!(c.scope, Scope::Search { uid, .. } if uid != e.uid)))
        }
        Data::Fetch(imap_codec::response::FetchData { seq, attributes }) => {
            // The UID item is looked for only when a UID FETCH / UID STORE could use it:
            // finding it walks the items of a wire form again.
            let by_uid = candidates().any(|c| matches!(c.scope, Scope::Messages { uid: true, .. }));
            let uid = match by_uid
                .then(|| attributes.find(MessageAttributeKind::Uid))
                .flatten()
                .as_deref()
            {
                Some(MessageAttribute::Uid(u)) => Some(u.get()),
                _ => None,
            };
            let largest = exists.filter(|&n| n > 0).unwrap_or(u32::MAX);
            one(candidates().filter(|c| match &c.scope {
                Scope::Messages { uid: true, set } => {
                    uid.is_some_and(|u| may_contain(set, u, u32::MAX))
                }
                Scope::Messages { uid: false, set } => may_contain(set, seq.get(), largest),
                _ => false,
            }))
        }
        // RFC 9586 §3.3: UIDFETCH data answer a UID FETCH / UID STORE whose set holds the UID.
        Data::UidFetch(f) => one(candidates().filter(|c| {
            matches!(&c.scope, Scope::Messages { uid: true, set }
                if may_contain(set, f.uid.get(), u32::MAX))
        })),
        _ => {
            // While NOTIFY is on, STATUS and LIST data about other mailboxes come unsolicited
            // (RFC 5465 §5): their names must match even for a single candidate (below).
            // (Not an `if let` guard: the MSRV, Rust 1.88, does not have them.)
            if !(notify && matches!(data, Data::Status(_) | Data::List(_)))
                && let Some(handle) = one(candidates())
            {
                return Some(handle);
            }
            match data {
                Data::Status(st) => one(candidates().filter(
                    |c| matches!(&c.scope, Scope::Mailbox(m) if m == st.mailbox.as_bytes()),
                )),
                Data::List(l) => one(candidates().filter(|c| lists(&c.scope, &l.list))),
                Data::Lsub(l) | Data::Xlist(l) => one(candidates().filter(|c| lists(&c.scope, l))),
                _ => None,
            }
        }
    }
}

/// The one command `candidates` hold: the parts of a split command share its handle and are
/// one candidate. `None` for none, or for several.
fn one<'f>(mut candidates: impl Iterator<Item = &'f InFlight>) -> Option<CommandHandle> {
    let first = candidates.next()?.handle;
    candidates.all(|c| c.handle == first).then_some(first)
}

/// True when `n` may be in `set`; `$` (RFC 5182) may hold anything.
fn may_contain(set: &SequenceSet, n: u32, largest: u32) -> bool {
    matches!(set, SequenceSet::SearchResult) || set.contains(n, largest)
}

/// True when a LIST/LSUB with `scope` lists `entry` (RFC 9051 §6.3.9: the reference and the
/// pattern, concatenated, matched with `*` (anything) and `%` (anything but the hierarchy
/// delimiter)).
fn lists(scope: &Scope, entry: &MailboxList<'_>) -> bool {
    let Scope::Patterns {
        reference,
        patterns,
    } = scope
    else {
        return false;
    };
    let name = entry.mailbox.as_bytes();
    let delimiter = entry
        .delimiter
        .and_then(|d| u8::try_from(u32::from(d.as_char())).ok());
    patterns.iter().any(|p| {
        let full = [reference.as_slice(), p.as_slice()].concat();
        wildcard_match(&full, name, delimiter)
    })
}

/// Matches `name` against `pattern` with `*` and `%` in O(len(pattern) × len(name)) time
/// (a row of states per pattern octet: no backtracking a hostile name could blow up).
fn wildcard_match(pattern: &[u8], name: &[u8], delimiter: Option<u8>) -> bool {
    // reach[j]: the pattern so far matches name[..j].
    let mut reach = vec![false; name.len() + 1];
    reach[0] = true;
    for &p in pattern {
        let mut next = vec![false; name.len() + 1];
        match p {
            b'*' | b'%' => {
                let mut on = false;
                for j in 0..=name.len() {
                    // Going from name[..j-1] to name[..j] consumes name[j-1]: `%` does not
                    // consume the delimiter.
                    if p == b'%' && j > 0 && delimiter.is_some_and(|d| name[j - 1] == d) {
                        on = false;
                    }
                    on |= reach[j];
                    next[j] = on;
                }
            }
            _ => {
                for j in 0..name.len() {
                    next[j + 1] = reach[j] && name[j] == p;
                }
            }
        }
        reach = next;
    }
    reach[name.len()]
}

/// Parses a framed server message where it lies and makes the value owned (the one copy).
///
/// The deviations the real-world profile accepted come with the value (none under strict).
fn parse(
    kind: MessageKind,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<(Inbound, Vec<Deviation>), PeerError> {
    let parsed = if kind == MessageKind::Greeting {
        Greeting::parse_with(bytes, options)
            .map(|p| (Inbound::Greeting(p.value.into_static()), p.deviations))
    } else {
        Response::parse_with(bytes, options)
            .map(|p| (Inbound::Response(p.value.into_static()), p.deviations))
    };
    parsed.map_err(|error| PeerError::Syntax {
        bytes: bytes.to_vec(),
        error,
    })
}

/// The pieces of an encoded command (`encoded.chunks`, split at its synchronizing literals),
/// owned: the pieces before the last are copied out (command heads before a literal); the last
/// piece is the encoding buffer itself, not copied (a big APPEND literal is the last piece),
/// with the spare capacity from its growth given back.
fn owned_chunks(mut buf: Vec<u8>, encoded: &imap_codec::encode::Encoded) -> VecDeque<Vec<u8>> {
    let last_start = encoded.sync_points.last().copied().unwrap_or(encoded.start);
    let mut pieces: VecDeque<Vec<u8>> = encoded
        .chunks(&buf[..last_start])
        .take(encoded.sync_points.len())
        .map(<[u8]>::to_vec)
        .collect();
    buf.truncate(encoded.end);
    buf.drain(..last_start);
    if buf.capacity() - buf.len() > 64 * 1024 {
        buf.shrink_to_fit();
    }
    pieces.push_back(buf);
    pieces
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
                ClientOutput::LiteralChunk { .. } => unreachable!("no literal is streamed here"),
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
