//! Replays an IMAP trace: frames each side's bytes, parses every message with the parser the
//! exchange calls for, and checks that re-encoding gives the same value.
//!
//! The exchange is followed by the sessions of `imap-session`, in observer mode: the client's
//! bytes go into a [`ServerSession`] and the server's into a [`ClientSession`], and what each
//! one parses is handed to the other as what its side sent. So the sessions decide which parser
//! applies (RFC 9051 §2.2, §6.2.2, §6.3.13, §7.6):
//! - the first server message of a `start: connect` trace is the greeting;
//! - after a client's AUTHENTICATE, client lines are SASL responses until the server's tagged
//!   response to it, and the server's continuation requests carry base64;
//! - after IDLE, the client's next line is `DONE`;
//! - a synchronizing literal the server refuses (a tagged response instead of `+`) ends that
//!   command at its announcement;
//! - after an OK to STARTTLS both sessions are told that TLS is up.

use imap_codec::context::ImapDeviation;
use imap_codec::encode::Encoded;
use imap_codec::framer::FrameError;
use imap_codec::response::generic::UnknownResponse;
use imap_codec::{
    AuthenticateData, Capability, Command, EncodeOptions, Extension, Greeting, IdleDone,
    IntoStatic, ParseError, ParseOptions, Profile, Response,
};
use imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, Inbound, MessageKind, PeerError,
    Received, ServerConfig, ServerEvent, ServerOutput, ServerSession, State,
};
use std::collections::VecDeque;

use serde::Serialize;

use crate::format::{DataLine, Headers, LineBytes, Side, Start, Trace};
use crate::report::{Failure, Found, Outcome, Summary};

/// The outcome for one IMAP message.
pub type Message = crate::report::Message<Kind, Parsed>;

impl Summary for Parsed {
    fn summary(&self) -> String {
        match self {
            Parsed::Command(c) => c.name().to_owned(),
            Parsed::AuthenticateData(_) => "SASL response".to_owned(),
            Parsed::IdleDone(_) => "DONE".to_owned(),
            Parsed::Greeting(_) => "greeting".to_owned(),
            Parsed::Response(r) => response_name(r).to_owned(),
            Parsed::Unknown { unknown, .. } => format!("unknown response {}", unknown.name),
            Parsed::Refused { refused } => format!(
                "command refused at its literal of {} octets",
                refused.literal_octets
            ),
        }
    }
}

impl From<ParseError> for Failure {
    fn from(e: ParseError) -> Self {
        Failure::Syntax {
            offset: e.offset,
            expected: e.expected,
            context: e.context,
            within: e.within,
            message: e.kind.message().to_owned(),
        }
    }
}

/// What kind of message a reader expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A client command.
    Command,
    /// A SASL response line during AUTHENTICATE.
    AuthenticateData,
    /// The `DONE` that ends IDLE.
    IdleDone,
    /// The server greeting.
    Greeting,
    /// A server response.
    Response,
}

/// A parsed message, owned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Parsed {
    /// A command.
    Command(Command<'static>),
    /// A SASL response line.
    AuthenticateData(AuthenticateData<'static>),
    /// `DONE`.
    IdleDone(IdleDone),
    /// A greeting.
    Greeting(Greeting<'static>),
    /// A response.
    Response(Response<'static>),
    /// An untagged response the grammar does not know, kept generically by the real-world
    /// profile (`unknown-response`).
    Unknown {
        /// Its name and generic values.
        unknown: UnknownResponse<'static>,
        /// The message as received (its tree in the expected files is read from these).
        #[serde(skip)]
        raw: Vec<u8>,
    },
    /// A command that ended at a synchronizing literal the server refused (a tagged response
    /// instead of `+`, RFC 9051 §4.3, §7.5): valid as far as it was sent.
    Refused {
        /// The command's tag and the refused literal's size.
        refused: RefusedCommand,
    },
}

/// A command cut at a refused synchronizing literal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedCommand {
    /// The command's tag.
    pub tag: String,
    /// The octets the literal announced.
    pub literal_octets: u64,
}

fn response_name(r: &Response<'_>) -> &'static str {
    match r {
        Response::Status(s) if s.tag().is_some() => "tagged status",
        Response::Status(_) => "untagged status",
        Response::Data(_) => "data",
        Response::Continuation(_) => "continuation request",
    }
}

/// The two observer sessions, to hand a parsed message to the one that did not read it (as
/// what its side sent), and the events taken from them early (see [`Peers::sent_by_client`]).
struct Peers<'s> {
    client: &'s mut ClientSession,
    server: &'s mut ServerSession,
    pending: &'s mut Pending,
}

/// Events polled from a session to give its transmit buffer back, before the replay's drain
/// loop reached them: that loop takes them first, in the order they came.
#[derive(Default)]
struct Pending {
    client: VecDeque<ClientEvent>,
    server: VecDeque<ServerEvent>,
}

impl Peers<'_> {
    /// After the client session was handed a message as what its side sent: its encoding (the
    /// bytes it would transmit, as large as the message) is lent and given back at once, so
    /// that it is freed before the reported value is made (memory per message: the bytes and
    /// the value, `docs/security.md`). An event polled behind it is kept for the drain loop.
    fn sent_by_client(&mut self) {
        while let Some(out) = self.client.poll_output() {
            match out {
                ClientOutput::Transmit(_) => {}
                ClientOutput::Event(e) => {
                    if client_event_followed(&e) {
                        self.pending.client.push_back(e);
                    }
                    return;
                }
                _ => return,
            }
        }
    }

    /// The same for the server session (a greeting or a response handed to it).
    fn sent_by_server(&mut self) {
        while let Some(out) = self.server.poll_output() {
            match out {
                ServerOutput::Transmit(_) => {}
                ServerOutput::Event(e) => {
                    if server_event_followed(&e) {
                        self.pending.server.push_back(e);
                    }
                    return;
                }
                _ => return,
            }
        }
    }
}

/// The server session's events the replay follows (the others are dropped as they are
/// polled: `ServerEvent::Command` is the application's copy of a command).
fn server_event_followed(e: &ServerEvent) -> bool {
    matches!(
        e,
        ServerEvent::Received(_) | ServerEvent::LiteralAnnounced { .. }
    )
}

/// The client session's events the replay follows.
fn client_event_followed(e: &ClientEvent) -> bool {
    matches!(
        e,
        ClientEvent::TlsRequired { .. }
            | ClientEvent::Received(_)
            | ClientEvent::ProtocolError(_)
            | ClientEvent::Deviation(_)
    )
}

/// Parses one message as `kind` under `options`, then checks that its encoding parses
/// strictly to the same value (under the real-world profile: the value is the closest one the
/// grammar allows), and hands the value to the other session (`peers`). Returns the value and
/// the deviations accepted.
///
/// Memory (`docs/security.md`): the value parsed here borrows from `bytes`; the encoding of
/// the round-trip check is dropped before the value is handed on (a shallow copy, borrowing
/// too), and what the other session makes of it (its encoding) is given back before the
/// owned value reported is made. So a big literal is held twice at most: as the message's
/// bytes and as one encoding or the reported value.
fn parse_message(
    kind: Kind,
    bytes: &[u8],
    options: &ParseOptions,
    mut peers: Peers<'_>,
) -> Result<(Parsed, Vec<Found>), Failure> {
    let found = |d: &[imap_codec::Deviation]| -> Vec<Found> {
        d.iter().map(|d| Found::new(d.id, d.offset)).collect()
    };
    match kind {
        Kind::Command => {
            let p = Command::parse_with(bytes, options)?;
            round_trip(
                bytes.len(),
                |out| p.value.encode(out, &EncodeOptions::default()),
                |enc| Ok(reparse(enc, options, Command::parse_with)? == p.value),
            )?;
            let _ = peers.client.send_command(p.value.clone());
            peers.sent_by_client();
            Ok((Parsed::Command(p.value.into_static()), found(&p.deviations)))
        }
        Kind::AuthenticateData => {
            let p = AuthenticateData::parse_with(bytes, options)?;
            round_trip(
                bytes.len(),
                |out| p.value.encode(out),
                |enc| Ok(AuthenticateData::parse(enc).is_ok_and(|again| again == p.value)),
            )?;
            let _ = peers.client.authenticate_continue(p.value.clone());
            peers.sent_by_client();
            Ok((
                Parsed::AuthenticateData(p.value.into_static()),
                found(&p.deviations),
            ))
        }
        Kind::IdleDone => {
            let p = IdleDone::parse_with(bytes, options)?;
            round_trip(
                bytes.len(),
                |out| p.value.encode(out),
                |enc| Ok(IdleDone::parse(enc).is_ok()),
            )?;
            let _ = peers.client.idle_done();
            peers.sent_by_client();
            Ok((Parsed::IdleDone(p.value), found(&p.deviations)))
        }
        Kind::Greeting => {
            let p = Greeting::parse_with(bytes, options)?;
            round_trip(
                bytes.len(),
                |out| p.value.encode(out),
                |enc| Ok(Greeting::parse(enc).is_ok_and(|again| again == p.value)),
            )?;
            let _ = peers.server.send_greeting(p.value.clone());
            peers.sent_by_server();
            Ok((
                Parsed::Greeting(p.value.into_static()),
                found(&p.deviations),
            ))
        }
        Kind::Response => {
            let p = Response::parse_with(bytes, options)?;
            round_trip(
                bytes.len(),
                |out| p.value.encode(out),
                |enc| Ok(reparse(enc, options, Response::parse_with)? == p.value),
            )?;
            let _ = peers.server.send_response(p.value.clone());
            peers.sent_by_server();
            Ok((
                Parsed::Response(p.value.into_static()),
                found(&p.deviations),
            ))
        }
    }
}

/// Encodes a value (`encode`, into a buffer the size of the message it was parsed from) and
/// checks its encoding (`same`: it parses to the same value); the encoding is dropped before
/// the value goes on.
fn round_trip(
    len: usize,
    encode: impl FnOnce(&mut Vec<u8>) -> Encoded,
    same: impl FnOnce(&[u8]) -> Result<bool, Failure>,
) -> Result<(), Failure> {
    let mut out = Vec::with_capacity(len);
    let enc = encode(&mut out);
    if same(enc.bytes(&out))? {
        Ok(())
    } else {
        Err(roundtrip(&out))
    }
}

/// An untagged response the real-world profile kept generically, with its deviation.
fn unknown_response(bytes: &[u8], options: &ParseOptions) -> Result<(Parsed, Vec<Found>), Failure> {
    let unknown = UnknownResponse::parse(bytes, options.max_depth)?.into_static();
    let (id, offset) = unknown.deviation();
    let found = vec![Found::new(id, offset)];
    Ok((
        Parsed::Unknown {
            unknown,
            raw: bytes.to_vec(),
        },
        found,
    ))
}

/// Parses the encoding of a value back: strictly (with the extensions in force, and raw UTF-8
/// in quoted strings as RFC 9051 §9 `QUOTED-CHAR` allows: a repaired Latin-1 string is written
/// as UTF-8, which RFC 3501 without UTF8=ACCEPT would not read), so that what a real-world
/// message repaired is written in the grammar's form. The exceptions are `snippet-fuzzy`
/// and `extension-not-in-force`, values kept and written back in the form they were read
/// (`SNIPPET (FUZZY)`; `SELECT INBOX (CONDSTORE)` to a server without CONDSTORE): their
/// encoding is re-read under the message's own options, and nothing but those deviations
/// may be found there (as the `imap_real_world` fuzz target checks).
fn reparse<'a, T>(
    encoded: &'a [u8],
    options: &ParseOptions,
    parse: impl Fn(&'a [u8], &ParseOptions) -> Result<imap_codec::Parsed<T>, ParseError>,
) -> Result<T, Failure> {
    let strict = options
        .clone()
        .with_profile(Profile::Strict)
        .with_extension(Extension::Utf8Accept);
    if let Ok(p) = parse(encoded, &strict) {
        return Ok(p.value);
    }
    match parse(encoded, options) {
        Ok(p)
            if !p.deviations.is_empty()
                && p.deviations.iter().all(|d| {
                    matches!(
                        d.id,
                        ImapDeviation::SnippetFuzzy | ImapDeviation::ExtensionNotInForce
                    )
                }) =>
        {
            Ok(p.value)
        }
        _ => Err(roundtrip(encoded)),
    }
}

fn roundtrip(out: &[u8]) -> Failure {
    Failure::RoundTrip {
        encoded: String::from_utf8_lossy(out).into_owned(),
    }
}

/// The result of replaying one trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    /// Every message of both sides, in the order they completed.
    pub messages: Vec<Message>,
}

impl Replay {
    /// How many messages failed.
    pub fn failures(&self) -> usize {
        self.messages.iter().filter(|m| !m.is_ok()).count()
    }
}

/// Replays an IMAP trace.
///
/// ```
/// use mailtrace::{format, imap};
/// let trace = format::parse("# source: x\nC: a1 NOOP\nS: a1 OK done\n").unwrap();
/// let replay = imap::replay(&trace);
/// assert_eq!(replay.messages.len(), 2);
/// assert_eq!(replay.failures(), 0);
/// ```
pub fn replay(trace: &Trace) -> Replay {
    replay_with(trace, Profile::Strict)
}

/// Replays an IMAP trace under `profile`: the observer sessions parse under it (under
/// [`Profile::RealWorld`] their framers end lines at a bare LF too) and each message reports
/// the deviations accepted in it ([`crate::report::Message::deviations`]).
///
/// ```
/// use mailtrace::{format, imap};
/// use mailtrace::format::Profile;
/// let trace = format::parse("# source: x\nC: a1 NOOP\nS: * 5 EXPUNGED\nS: a1 OK done\n").unwrap();
/// assert_eq!(imap::replay(&trace).failures(), 1);
/// let replay = imap::replay_with(&trace, Profile::RealWorld);
/// assert_eq!(replay.failures(), 0);
/// assert_eq!(replay.messages[1].deviations[0].id, "expunged-keyword");
/// ```
pub fn replay_with(trace: &Trace, profile: Profile) -> Replay {
    Replay {
        messages: follow_lines!(Follower::new(&trace.headers, profile), trace),
    }
}

/// Replays an IMAP trace as it is read: the sessions follow one data line at a time
/// ([`Follower::line`]) and each message is handed over as soon as it is complete (and no
/// earlier line can still complete one: a command that ends at a refused synchronizing
/// literal is reported at the line of its announcement), in the order [`replay_with`] lists
/// them. What it keeps between lines is the two sessions' state and the messages completed
/// while a synchronizing literal waits for the server's answer: memory in proportion to the
/// largest message, not to the trace (issue 18 item 11).
///
/// ```
/// use mailtrace::format::{Profile, Reader};
/// use mailtrace::imap::Follower;
/// let text = "# source: x\nC: a1 NOOP\nS: a1 OK done\n";
/// let mut reader = Reader::new(text.as_bytes()).unwrap();
/// let mut follower = Follower::new(reader.headers(), Profile::Strict);
/// let mut names = Vec::new();
/// for line in &mut reader {
///     follower.line(line.unwrap(), |m| names.push(m.summary()));
/// }
/// follower.finish(|m| names.push(m.summary()));
/// assert_eq!(names, ["NOOP", "tagged status"]);
/// ```
pub struct Follower {
    follow: Follow,
    /// The last data line followed.
    last_line: usize,
}

impl Follower {
    /// Sessions that follow a trace with these headers under `profile`.
    pub fn new(headers: &Headers, profile: Profile) -> Self {
        let mut options = ParseOptions::default().with_profile(profile);
        let start = match headers.start {
            Start::Connect => State::Greeting,
            Start::Authenticated => State::Authenticated,
            Start::Selected => State::Selected,
            Start::NotAuthenticated | Start::Any => State::NotAuthenticated,
        };
        // `# extensions:` puts their grammar in force on both sides from the start. The
        // sessions parse under the profile (and their framers end lines at a bare LF under
        // the real-world one); the messages are parsed again here for the report.
        for cap in &headers.extensions {
            if let Some(ext) = Capability::parse_str(cap)
                .ok()
                .and_then(|c| Extension::from_capability(&c))
            {
                options = options.with_extension(ext);
            }
        }
        Follower {
            follow: Follow {
                // The sessions report what they received without a copy of its value: the
                // replay parses the bytes itself (one copy of a big message less).
                server: ServerSession::resume(
                    ServerConfig::observer()
                        .with_parse_options(options.clone())
                        .with_report_received_values(false),
                    start,
                ),
                client: ClientSession::resume(
                    ClientConfig::observer()
                        .with_parse_options(options.clone())
                        .with_report_received_values(false),
                    start,
                ),
                messages: Vec::new(),
                announced_at: None,
                options,
                pending: Pending::default(),
                server_events: Vec::new(),
                client_events: Vec::new(),
            },
            last_line: 0,
        }
    }

    /// Follows one data line (or a piece of one: [`crate::format::Reader::next_piece`]); `out`
    /// gets the messages it completes, in order. The line's bytes are dropped once the session
    /// that reads them has them.
    pub fn line(&mut self, data: DataLine, out: impl FnMut(Message)) {
        self.follow(data.into(), out);
    }

    /// [`Follower::line`] for a line owned or borrowed (a parsed trace's lines are followed
    /// without a copy).
    pub(crate) fn follow(&mut self, data: LineBytes<'_>, out: impl FnMut(Message)) {
        let LineBytes { line, side, bytes } = data;
        let follow = &mut self.follow;
        // The client's bytes go to the server session and the server's to the client session;
        // each one's parsed messages are handed to the other as what it sends.
        let _ = match side {
            Side::Client => follow.server.handle_input(&bytes),
            Side::Server => follow.client.handle_input(&bytes),
        };
        drop(bytes);
        self.last_line = line;
        follow.drain(line);
        follow.flush(out);
    }

    /// Ends the trace: what the sessions still hold is reported (a message the trace ends
    /// inside), then every message held.
    pub fn finish(mut self, out: impl FnMut(Message)) {
        let follow = &mut self.follow;
        follow.server.handle_eof();
        follow.client.handle_eof();
        follow.drain(self.last_line);
        follow.announced_at = None;
        follow.flush(out);
    }
}

/// The two sessions following one trace.
struct Follow {
    server: ServerSession,
    client: ClientSession,
    /// The messages completed and not handed over yet.
    messages: Vec<Message>,
    /// The line of the synchronizing literal announcement the server has not answered yet
    /// (a refused command is reported at it, not at the server's refusal).
    announced_at: Option<usize>,
    /// The profile the messages are parsed under.
    options: ParseOptions,
    /// Events taken from the sessions early, handled first.
    pending: Pending,
    /// The server session's events being handled (empty between rounds).
    server_events: Vec<ServerEvent>,
    /// The client session's events being handled (empty between rounds).
    client_events: Vec<ClientEvent>,
}

impl Follow {
    /// Hands the messages held over, unless a synchronizing literal waits for the server's
    /// answer (a refusal puts the command before the messages completed since).
    fn flush(&mut self, mut out: impl FnMut(Message)) {
        if self.announced_at.is_none() {
            self.messages.drain(..).for_each(&mut out);
        }
    }

    /// Handles both sessions' outputs until neither has any.
    fn drain(&mut self, line: usize) {
        loop {
            let mut progress = false;
            // The server session's outputs are taken first, and only the events the replay
            // follows kept: the application's copy of a command (`ServerEvent::Command`) is
            // dropped before the command's reported copy is handed to the client session
            // (one copy of a big literal less at the peak). Handling an event does not touch
            // the server session, so the order is the same.
            // (The event vectors are the follower's, kept from line to line: no allocation
            // per round.)
            let mut events = std::mem::take(&mut self.server_events);
            events.extend(self.pending.server.drain(..));
            progress |= !events.is_empty();
            while let Some(out) = self.server.poll_output() {
                progress = true;
                if let ServerOutput::Event(e) = out
                    && server_event_followed(&e)
                {
                    events.push(e);
                }
            }
            for e in events.drain(..) {
                self.server_event(e, line);
            }
            self.server_events = events;
            // The same for the client session's events (its application events hold copies
            // of what they report), up to a `TlsRequired`, whose handling changes the client
            // session: it is handled before anything after it is taken.
            loop {
                let mut events = std::mem::take(&mut self.client_events);
                let mut tls = false;
                while let Some(e) = self.pending.client.pop_front() {
                    progress = true;
                    tls = matches!(e, ClientEvent::TlsRequired { .. });
                    events.push(e);
                    if tls {
                        break;
                    }
                }
                while !tls && let Some(out) = self.client.poll_output() {
                    progress = true;
                    if let ClientOutput::Event(e) = out
                        && client_event_followed(&e)
                    {
                        tls = matches!(e, ClientEvent::TlsRequired { .. });
                        events.push(e);
                    }
                }
                for e in events.drain(..) {
                    self.client_event(e, line);
                }
                self.client_events = events;
                if !tls {
                    break;
                }
            }
            if !progress {
                return;
            }
        }
    }

    fn server_event(&mut self, e: ServerEvent, line: usize) {
        // Only what the server session received: the client's messages.
        let r = match e {
            ServerEvent::Received(r) => r,
            ServerEvent::LiteralAnnounced { .. } => {
                self.announced_at = Some(line);
                return;
            }
            _ => return,
        };
        let line = match (&r.result, self.announced_at.take()) {
            (Ok(Inbound::RefusedCommand { .. }), Some(at)) => at,
            _ => line,
        };
        // A command line the grammar rejects: its answer is due as BAD (RFC 9051 §7.1.3).
        if r.kind == MessageKind::Command
            && matches!(r.result, Err(PeerError::Syntax { .. }))
            && let Some(tag) = r
                .bytes
                .split(|&b| b == b' ')
                .next()
                .and_then(|t| std::str::from_utf8(t).ok())
                .and_then(|t| imap_codec::Tag::new(t.to_owned()).ok())
        {
            self.client.observe_rejected_command(tag);
        }
        // The client session learns what "its" application sent (in `record`).
        let message = self.record(Side::Client, r, line);
        // A refused command is known only at the refusal; it goes before the messages that
        // came after its announcement, so that the report stays in line order.
        let at = self.messages.partition_point(|m| m.line <= message.line);
        self.messages.insert(at, message);
    }

    fn client_event(&mut self, e: ClientEvent, line: usize) {
        match e {
            ClientEvent::Received(r) => {
                // The server session learns what "its" application sent (in `record`).
                let message = self.record(Side::Server, r, line);
                self.messages.push(message);
            }
            // The exchange rules the grammar cannot see that a trace must keep.
            ClientEvent::ProtocolError(
                e @ (PeerError::ChallengeNotBase64
                | PeerError::EnableWithoutEnabled
                | PeerError::SearchForEsearch
                | PeerError::RepeatedBye
                | PeerError::NoForBad
                | PeerError::UidValidityChanged { .. }),
            ) => {
                if let Some(last) = self.messages.last_mut() {
                    last.result = Outcome::Err {
                        failure: Failure::Protocol {
                            message: e.to_string(),
                        },
                    };
                }
            }
            // A deviation from a session rule (not from the grammar: those come with the
            // message's own parse): it belongs to the message that completed the exchange.
            ClientEvent::Deviation(d)
                if matches!(
                    d.id,
                    ImapDeviation::EnableWithoutEnabled
                        | ImapDeviation::SearchForEsearch
                        | ImapDeviation::EndlessBye
                        | ImapDeviation::CapabilityDuringLogin
                        | ImapDeviation::UidvalidityChange
                        | ImapDeviation::NoForBad
                ) =>
            {
                if let Some(last) = self.messages.last_mut() {
                    last.deviations.push(Found::new(d.id, d.offset));
                }
            }
            ClientEvent::TlsRequired { .. } => {
                let _ = self.client.handle_tls_established();
                let _ = self.server.handle_tls_established();
            }
            _ => {}
        }
    }

    /// A received message as a report entry (re-encoding checked); a message that parsed is
    /// handed to the other session as what its side sent.
    fn record(&mut self, side: Side, r: Received, line: usize) -> Message {
        let kind = match r.kind {
            MessageKind::Greeting => Kind::Greeting,
            MessageKind::Response => Kind::Response,
            MessageKind::Command => Kind::Command,
            MessageKind::AuthenticateData => Kind::AuthenticateData,
            MessageKind::IdleDone => Kind::IdleDone,
        };
        let result = match r.result {
            Ok(Inbound::RefusedCommand {
                tag,
                literal_octets,
            }) => Ok((
                Parsed::Refused {
                    refused: RefusedCommand {
                        tag: tag.as_str().to_owned(),
                        literal_octets,
                    },
                },
                Vec::new(),
            )),
            Ok(Inbound::Unknown) => unknown_response(&r.bytes, &self.options),
            // The grammar in force as the session that parsed the message has it (the
            // header's extensions and what ENABLE turned on since).
            // Parsed (`Inbound::Parsed`: the session's value is not copied into the report;
            // the report's is made from the replay's parse, after the other session's
            // encoding of it is given back).
            Ok(_) => {
                let options = match side {
                    Side::Client => self.server.parse_options(),
                    Side::Server => self.client.parse_options().clone(),
                };
                let peers = Peers {
                    client: &mut self.client,
                    server: &mut self.server,
                    pending: &mut self.pending,
                };
                parse_message(kind, &r.bytes, &options, peers)
            }
            Err(PeerError::Syntax { error, .. }) => Err(Failure::from(error)),
            Err(PeerError::Frame(e)) => Err(frame_failure(e)),
            Err(_) => Err(Failure::Incomplete),
        };
        let (result, deviations) = match result {
            Ok((value, deviations)) => (Outcome::Ok { value }, deviations),
            Err(failure) => (Outcome::Err { failure }, Vec::new()),
        };
        Message {
            side,
            line,
            kind,
            bytes: r.bytes,
            result,
            deviations,
        }
    }
}

fn frame_failure(e: FrameError) -> Failure {
    Failure::Frame {
        message: e.to_string(),
    }
}
