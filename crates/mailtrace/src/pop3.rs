//! Replays a POP3 trace, followed by the sessions of `pop3-session` in observer mode
//! (`pop3_session::observe`): the client's bytes go into a [`ServerSession::observer`] and the
//! server's into a [`ClientSession::observer`], and what each one parses is handed to the other
//! as what its side sent. So the sessions decide which parser applies (RFC 1939 §3; pipelining,
//! RFC 2449 §6.6):
//! - the first server message of a `start: connect` trace is the greeting;
//! - each response answers the oldest command still in flight, pipelined or not;
//! - after a challenge to AUTH, the client's next line is a SASL response (or `*`), and the
//!   server's answer to it is a challenge or the final status (RFC 5034 §4);
//! - a client line the grammar rejects is answered by one status line (RFC 1939 §3) or, by a
//!   server that reads it leniently, with what its keyword asks for
//!   (`Expected::for_rejected_line`: Courier and GNU Mailutils answer `TOP 1 -1` with a
//!   message), so the responses after it still pair with their own commands;
//! - after `+OK` to STLS both sessions are told that TLS is up (RFC 2595 §4).
//!
//! Commands and single responses are re-encoded and parsed again; the value must not change.

use std::borrow::Cow;
use std::collections::VecDeque;

use pop3_codec::context::ParseOptions;
use pop3_codec::{
    Command, Encode, Expected, IntoStatic, Limits, ListedSizes, ParseError, Response, SaslResponse,
    StatusLine,
};
use pop3_session::{
    ClientEvent, ClientOutput, ClientSession, ClientState, Inbound, MessageKind, PeerError,
    Received, ReceivedResponse, ServerEvent, ServerOutput, ServerSession,
};
use serde::Serialize;

use crate::format::{DataLine, Headers, LineBytes, Profile, Side, Start, Trace};
use crate::report::{Failure, Found, Outcome, Summary};

/// How a message was parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A client command.
    Command,
    /// A SASL response line during AUTH.
    SaslResponse,
    /// A server response, as the answer to what it names.
    Response(#[serde(skip)] Expected),
}

/// A parsed POP3 message, owned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Parsed {
    /// A command.
    Command(Command<'static>),
    /// A SASL response line.
    SaslResponse(SaslResponse),
    /// A response other than a message body.
    Response(Response<'static>),
    /// A RETR or TOP answer: the status line and the unstuffed body.
    Message {
        /// The `+OK` line.
        status: StatusLine<'static>,
        /// The body, unstuffed (as text where it is UTF-8).
        #[serde(serialize_with = "body_text")]
        body: Vec<u8>,
    },
}

fn body_text<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    match std::str::from_utf8(b) {
        Ok(t) => s.serialize_str(t),
        Err(_) => s.collect_seq(b.iter()),
    }
}

impl Summary for Parsed {
    fn summary(&self) -> String {
        match self {
            Parsed::Command(c) => c.keyword().to_owned(),
            Parsed::SaslResponse(_) => "SASL response".to_owned(),
            Parsed::Response(r) => match r {
                Response::Greeting(_) => "greeting".to_owned(),
                Response::Status(s) if s.is_ok() => "+OK".to_owned(),
                Response::Status(_) => "-ERR".to_owned(),
                Response::Challenge(_) => "SASL challenge".to_owned(),
                Response::Stat(_) => "STAT answer".to_owned(),
                Response::Scan(_) => "LIST n answer".to_owned(),
                Response::ScanList(_) => "LIST answer".to_owned(),
                Response::Uid(_) => "UIDL n answer".to_owned(),
                Response::UidList(_) => "UIDL answer".to_owned(),
                Response::Capabilities(_) => "CAPA answer".to_owned(),
                Response::Languages(_) => "LANG answer".to_owned(),
                Response::Message(m) => format!("message ({} octets)", m.body().len()),
                Response::Mechanisms(_) => "AUTH mechanism list".to_owned(),
                Response::XtndList(_) => "XTND XLST answer".to_owned(),
                _ => "answer".to_owned(),
            },
            Parsed::Message { body, .. } => format!("message ({} octets)", body.len()),
        }
    }
}

/// The outcome for one POP3 message.
pub type Message = crate::report::Message<Kind, Parsed>;

/// The result of replaying one POP3 trace.
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

fn syntax(e: ParseError) -> Failure {
    Failure::Syntax {
        offset: e.offset,
        expected: e.expected,
        context: "",
        within: "",
        message: e.kind.to_string(),
    }
}

fn peer_failure(e: PeerError) -> Failure {
    match e {
        PeerError::Syntax(e) => syntax(e),
        e => Failure::Protocol {
            message: e.to_string(),
        },
    }
}

fn roundtrip(out: &[u8]) -> Failure {
    Failure::RoundTrip {
        encoded: String::from_utf8_lossy(out).into_owned(),
    }
}

/// The command's encoding must parse to the same command (under `options`: a row that only
/// the real-world profile reads, `non-standard-commands`, is read back under it).
fn check_command(c: &Command<'_>, options: &ParseOptions) -> Option<Failure> {
    let out = c.to_bytes();
    match Command::parse_with(&out, options) {
        Ok(again) if again.value == *c => None,
        _ => Some(roundtrip(&out)),
    }
}

fn check_sasl(s: &SaslResponse) -> Option<Failure> {
    let out = s.to_bytes();
    match SaslResponse::parse(&out) {
        Ok(again) if again == *s => None,
        _ => Some(roundtrip(&out)),
    }
}

/// The response's encoding must parse to the same response. `size` is about the size of the
/// message it was parsed from: the encoding is written into that much room (a big RETR
/// answer's buffer does not grow by doubling, to twice its size).
fn check_response(r: &Response<'_>, expected: Expected, size: usize) -> Option<Failure> {
    // Room for a CR before each bare LF of a real-world answer of lines of 64 octets or more.
    let mut out = Vec::with_capacity(size.saturating_add(size / 64).saturating_add(64));
    r.encode(&mut out);
    match Response::parse(&out, expected) {
        Ok(again) if again == *r => None,
        _ => Some(roundtrip(&out)),
    }
}

/// Replays a POP3 trace.
///
/// ```
/// use mailtrace::{format, pop3};
/// let text = "# source: x\n# protocol: pop3\nC: STAT\nS: +OK 2 320\nC: QUIT\nS: +OK bye\n";
/// let replay = pop3::replay(&format::parse(text).unwrap());
/// assert_eq!((replay.messages.len(), replay.failures()), (4, 0));
/// ```
pub fn replay(trace: &Trace) -> Replay {
    replay_with(trace, Profile::Strict)
}

/// Replays a POP3 trace under `profile`: under the strict profile the observer sessions follow
/// it; under [`Profile::RealWorld`] every message is parsed with the real-world profile (bare
/// LF line ends, the deviations of `pop3_codec::context::Pop3Deviation`) and reports the
/// deviations accepted in it.
///
/// (Seam until the sessions take `ParseOptions` themselves: the real-world replay pairs
/// answers with commands here, in order — pipelining, the greeting, SASL exchanges after
/// AUTH — instead of following the observer sessions.)
///
/// ```
/// use mailtrace::{format, pop3};
/// use mailtrace::format::Profile;
/// let text = "# source: x\n# protocol: pop3\nC: STAT\nS~ +OK 2 320\\n\n";
/// let trace = format::parse(text).unwrap();
/// assert_eq!(pop3::replay(&trace).failures(), 1);
/// let replay = pop3::replay_with(&trace, Profile::RealWorld);
/// assert_eq!(replay.failures(), 0);
/// assert_eq!(replay.messages[1].deviations[0].id, "bare-lf");
/// ```
pub fn replay_with(trace: &Trace, profile: Profile) -> Replay {
    Replay {
        messages: follow_lines!(Follower::new(&trace.headers, profile), trace),
    }
}

/// Replays a POP3 trace as it is read, as [`crate::imap::Follower`] does an IMAP one: each
/// data line is followed ([`Follower::line`]) and the messages it completes are handed over at
/// once, in the order [`replay_with`] lists them. What it keeps between lines is the sessions'
/// state (or the real-world pairing's) and the message being received: memory in proportion
/// to the largest message, not to the trace (issue 18, `docs/security.md`).
///
/// It is driven as [`crate::imap::Follower`] is (see its example; [`crate::stream::follow`]
/// drives either).
pub struct Follower {
    how: How,
    /// The last data line followed.
    last_line: usize,
}

/// Who follows the trace: the observer sessions (strict) or the real-world pairing, with the
/// bytes of each side not yet complete as a message.
enum How {
    Sessions(Box<Follow>),
    Pairing {
        pair: Box<Pairing>,
        client: Vec<u8>,
        server: Vec<u8>,
    },
}

impl Follower {
    /// A follower of a trace with these headers, under `profile`.
    pub fn new(headers: &Headers, profile: Profile) -> Self {
        let how = if profile == Profile::Strict {
            let limits = headers.limits.apply(Limits::default());
            let start = match headers.start {
                Start::Connect => ClientState::Greeting,
                Start::Authenticated | Start::Selected => ClientState::Transaction,
                Start::NotAuthenticated | Start::Any => ClientState::Authorization,
            };
            How::Sessions(Box::new(Follow {
                server: ServerSession::observer(limits),
                client: ClientSession::observer(limits, start),
                messages: Vec::new(),
                body: None,
                body_error: None,
            }))
        } else {
            let mut options = ParseOptions::default().with_profile(profile);
            options.limits = headers.limits.apply(options.limits);
            How::Pairing {
                pair: Box::new(Pairing {
                    options,
                    greeting: headers.start == Start::Connect,
                    pending: VecDeque::new(),
                    listed: ListedSizes::default(),
                    scanned: 0,
                    sasl: false,
                    messages: Vec::new(),
                }),
                client: Vec::new(),
                server: Vec::new(),
            }
        };
        Follower { how, last_line: 0 }
    }

    /// Follows one data line (or a piece of one: [`crate::format::Reader::next_piece`]); `out`
    /// gets the messages it completes, in order.
    pub fn line(&mut self, data: DataLine, out: impl FnMut(Message)) {
        self.follow(data.into(), out);
    }

    /// [`Follower::line`] for a line owned or borrowed (a parsed trace's lines are followed
    /// without a copy).
    pub(crate) fn follow(&mut self, data: LineBytes<'_>, out: impl FnMut(Message)) {
        let LineBytes { line, side, bytes } = data;
        self.last_line = line;
        match &mut self.how {
            How::Sessions(follow) => {
                // The client's bytes go to the server session and the server's to the client
                // session; each one's parsed messages are handed to the other as what it sent.
                let _ = match side {
                    Side::Client => follow.server.handle_input(&bytes),
                    Side::Server => follow.client.handle_input(&bytes),
                };
                drop(bytes);
                follow.drain(line);
                follow.messages.drain(..).for_each(out);
            }
            How::Pairing {
                pair,
                client,
                server,
            } => {
                match side {
                    Side::Client => {
                        extend(client, bytes);
                        while let Some(n) = memchr::memchr(b'\n', client).map(|i| i + 1) {
                            let first = split_first(client, n);
                            pair.client_line(&first, line);
                        }
                    }
                    Side::Server => {
                        extend(server, bytes);
                        while let Some(n) = pair.server_extent(server) {
                            let message = split_first(server, n);
                            pair.server_message(&message, line);
                        }
                    }
                }
                pair.messages.drain(..).for_each(out);
            }
        }
    }

    /// Ends the trace: a message it ends inside is reported as incomplete.
    pub fn finish(self, mut out: impl FnMut(Message)) {
        let last_line = self.last_line;
        match self.how {
            How::Sessions(follow) => {
                if follow.server.buffered_len() > 0 {
                    out(incomplete(Side::Client, last_line, Kind::Command));
                }
                if follow.body.is_some() || follow.client.buffered_len() > 0 {
                    let answers = follow
                        .body
                        .as_ref()
                        .map_or(Expected::Status, |_| Expected::Message);
                    out(incomplete(Side::Server, last_line, Kind::Response(answers)));
                }
            }
            How::Pairing {
                mut pair,
                client,
                server,
            } => {
                if !client.is_empty() {
                    out(incomplete(Side::Client, last_line, Kind::Command));
                }
                if !server.is_empty() {
                    let (answers, _) = pair.next_expected(false);
                    out(incomplete(Side::Server, last_line, Kind::Response(answers)));
                }
            }
        }
    }
}

/// Appends a data line's bytes to a side's pending bytes (taking the line itself when
/// nothing is pending: a big line is not copied).
fn extend(pending: &mut Vec<u8>, bytes: Cow<'_, [u8]>) {
    if pending.is_empty() {
        *pending = bytes.into_owned();
    } else {
        pending.extend_from_slice(&bytes);
    }
}

/// Removes and returns the first `n` bytes (the whole vector, not a copy, when that is all:
/// a big answer's spare capacity, from growing by doubling, is given back first, so that it
/// and its parsed copy peak at about twice its size).
fn split_first(pending: &mut Vec<u8>, n: usize) -> Vec<u8> {
    if n >= pending.len() {
        let mut all = std::mem::take(pending);
        if all.capacity() - all.len() > 64 * 1024 {
            all.shrink_to_fit();
        }
        all
    } else {
        pending.drain(..n).collect()
    }
}

/// The real-world replay's pairing of answers with commands.
struct Pairing {
    options: ParseOptions,
    /// The greeting is still to come.
    greeting: bool,
    /// What the commands in flight expect, oldest first, each with the message it asks for
    /// when that matters to its answer: `UIDL msg` (`uidl-one-token`: an answer without the
    /// number is read as the listing of the one asked) and `RETR msg` (the body is checked
    /// against the size LIST gave, `header-inserted`). One queue, so that an answer always
    /// takes its own command's message, whatever was rejected or cut before it.
    pending: VecDeque<(Expected, Option<pop3_codec::MsgNumber>)>,
    /// The sizes of the LIST answers so far.
    listed: ListedSizes,
    /// How far the server's pending bytes were searched for the end of a multi-line answer.
    scanned: usize,
    /// Inside an AUTH exchange: client lines are SASL responses, server lines challenges or
    /// the final status.
    sasl: bool,
    messages: Vec<Message>,
}

impl Pairing {
    /// What the next server message answers (`take`: it is consumed).
    fn next_expected(&mut self, take: bool) -> (Expected, Option<pop3_codec::MsgNumber>) {
        if self.greeting {
            return (Expected::Greeting, None);
        }
        if self.sasl {
            return (Expected::Auth, None);
        }
        let next = self
            .pending
            .front()
            .copied()
            .unwrap_or((Expected::Status, None));
        if take {
            self.pending.pop_front();
        }
        next
    }

    /// Where the first server message in `buf` ends, if it is complete: a line, or for a
    /// positive multi-line answer, up to its `.` line (CRLF or bare LF). The lines found not
    /// to end it are not looked at again when more bytes come (`scanned`): linear in the
    /// answer, however many trace lines it spans.
    fn server_extent(&mut self, buf: &[u8]) -> Option<usize> {
        let first = memchr::memchr(b'\n', buf)? + 1;
        let (expected, _) = self.next_expected(false);
        if !(expected.is_multi_line() && buf.starts_with(b"+")) {
            self.scanned = 0;
            return Some(first);
        }
        let mut at = self.scanned.max(first);
        loop {
            let Some(end) = memchr::memchr(b'\n', &buf[at..]).map(|i| i + at + 1) else {
                self.scanned = at;
                return None;
            };
            let line = &buf[at..end];
            if line == b".\r\n" || line == b".\n" {
                self.scanned = 0;
                return Some(end);
            }
            at = end;
        }
    }

    fn client_line(&mut self, line: &[u8], at: usize) {
        let limits = self.options.limits;
        let max = if self.sasl {
            limits.max_sasl_line
        } else {
            limits.max_command_line
        };
        if line.len() > max {
            let kind = if self.sasl {
                Kind::SaslResponse
            } else {
                self.pending.push_back((Expected::Status, None));
                Kind::Command
            };
            let failure = Failure::Frame {
                message: format!("line of {} octets, over the limit of {max}", line.len()),
            };
            self.messages
                .push(message(Side::Client, at, kind, Err(failure)));
            return;
        }
        if self.sasl {
            let result =
                SaslResponse::parse(line)
                    .map_err(syntax)
                    .and_then(|s| match check_sasl(&s) {
                        Some(f) => Err(f),
                        None => Ok(Parsed::SaslResponse(s)),
                    });
            self.messages
                .push(message(Side::Client, at, Kind::SaslResponse, result));
            return;
        }
        let (result, deviations) = match Command::parse_with(line, &self.options) {
            Ok(p) => {
                let asked = match p.value {
                    Command::Uidl(Some(msg)) | Command::Retr(msg) => Some(msg),
                    _ => None,
                };
                self.pending.push_back((Expected::from(&p.value), asked));
                let found = p
                    .deviations
                    .iter()
                    .map(|d| Found::new(d.id, d.offset))
                    .collect();
                let result = match check_command(&p.value, &self.options) {
                    Some(f) => Err(f),
                    None => Ok(Parsed::Command(p.value.into_static())),
                };
                (result, found)
            }
            Err(e) => {
                // RFC 1939 §3: one negative status answers it, or, from a server that reads
                // the line leniently, the answer its keyword asks for.
                self.pending
                    .push_back((Expected::for_rejected_line(line), None));
                (Err(syntax(e)), Vec::new())
            }
        };
        let mut m = message(Side::Client, at, Kind::Command, result);
        m.deviations = deviations;
        self.messages.push(m);
    }

    fn server_message(&mut self, bytes: &[u8], at: usize) {
        let (expected, asked) = self.next_expected(true);
        self.greeting = false;
        let max = self.options.limits.max_response_line;
        let first = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
        if first > max {
            self.sasl = false;
            let failure = Failure::Frame {
                message: format!("line of {first} octets, over the limit of {max}"),
            };
            self.messages.push(message(
                Side::Server,
                at,
                Kind::Response(expected),
                Err(failure),
            ));
            return;
        }
        let retr = asked.filter(|_| expected == Expected::Message);
        let parsed = match (expected, asked) {
            (Expected::Uid, Some(msg)) => Response::parse_uid_with(bytes, msg, &self.options),
            _ => Response::parse_with(bytes, expected, &self.options),
        };
        let (result, deviations) = match parsed {
            Ok(mut p) => {
                self.sasl = matches!(p.value, Response::Challenge(_));
                self.listed.record(&p.value);
                // RFC 1939 §5, §11: the body of a RETR answer has the size LIST gave.
                if let (Some(msg), Response::Message(m)) = (retr, &p.value) {
                    p.deviations.extend(self.listed.check(msg, m.body()));
                }
                let found = p
                    .deviations
                    .iter()
                    .map(|d| Found::new(d.id, d.offset))
                    .collect();
                let result = match check_response(&p.value, expected, bytes.len()) {
                    Some(f) => Err(f),
                    None => Ok(match p.value {
                        Response::Message(m) => Parsed::Message {
                            status: m.status().clone().into_static(),
                            body: m.body().to_vec(),
                        },
                        r => Parsed::Response(r.into_static()),
                    }),
                };
                (result, found)
            }
            Err(e) => {
                self.sasl = false;
                (Err(syntax(e)), Vec::new())
            }
        };
        let mut m = message(Side::Server, at, Kind::Response(expected), result);
        m.deviations = deviations;
        self.messages.push(m);
    }
}

/// The two observer sessions following one trace.
struct Follow {
    server: ServerSession,
    client: ClientSession,
    messages: Vec<Message>,
    /// A RETR or TOP answer being received: its status line and the body so far.
    body: Option<(StatusLine<'static>, Vec<u8>)>,
    /// What the client session found wrong with the answer being received (a body whose
    /// size is not the one LIST gave: RFC 1939 §5, §11).
    body_error: Option<PeerError>,
}

impl Follow {
    /// Handles both sessions' outputs until neither has any.
    fn drain(&mut self, line: usize) {
        loop {
            let mut progress = false;
            while let Some(out) = self.server.poll_output() {
                progress = true;
                if let ServerOutput::Event(ServerEvent::Received(r)) = out {
                    self.client_message(r, line);
                }
            }
            loop {
                let event = match self.client.poll_output() {
                    None => break,
                    Some(ClientOutput::Transmit(_)) => continue,
                    Some(ClientOutput::Event(ClientEvent::BodyChunk { data, .. })) => {
                        if let Some((_, body)) = self.body.as_mut() {
                            body.extend_from_slice(data);
                        }
                        progress = true;
                        continue;
                    }
                    Some(ClientOutput::Event(e)) => pop3_session::ops::record(e),
                };
                progress = true;
                if let pop3_session::ops::ClientRecord::Event(e) = event {
                    self.server_event(e, line);
                }
            }
            if !progress {
                return;
            }
        }
    }

    /// A client message, read by the server observer: reported, then handed to the client
    /// observer as what its side sent.
    fn client_message(&mut self, r: Received, line: usize) {
        let kind = match r.kind {
            MessageKind::SaslResponse => Kind::SaslResponse,
            _ => Kind::Command,
        };
        let result = match r.result {
            Ok(Inbound::Command(c)) => {
                let _ = self.client.send(c.clone());
                match check_command(&c, &ParseOptions::default()) {
                    Some(f) => Err(f),
                    None => Ok(Parsed::Command(c)),
                }
            }
            Ok(Inbound::SaslResponse(s)) => {
                let _ = match &s {
                    SaslResponse::Data(d) => self.client.sasl_respond(d),
                    SaslResponse::Cancel => self.client.sasl_cancel(),
                };
                match check_sasl(&s) {
                    Some(f) => Err(f),
                    None => Ok(Parsed::SaslResponse(s)),
                }
            }
            Ok(_) => Err(Failure::Incomplete),
            Err(e) => {
                // RFC 1939 §3: one status line answers it, or, from a server that reads the
                // line leniently, the answer its keyword asks for.
                let _ = self.client.observe_rejected_line_as(r.answered_as);
                Err(peer_failure(e))
            }
        };
        self.messages
            .push(message(Side::Client, line, kind, result));
    }

    /// An event of the client observer: responses are reported; challenges and STLS are
    /// told to the server observer.
    fn server_event(&mut self, e: ClientEvent<'static>, line: usize) {
        match e {
            ClientEvent::Received(ReceivedResponse {
                answers, result, ..
            }) => {
                let result = match result {
                    Ok(r) => match check_response(&r, answers, 0) {
                        Some(f) => Err(f),
                        None => Ok(Parsed::Response(r)),
                    },
                    Err(e) => {
                        if answers == Expected::Auth {
                            // A malformed challenge: the client's SASL line comes next.
                            let _ = self.server.sasl_challenge(&[]);
                        }
                        Err(peer_failure(e))
                    }
                };
                self.messages
                    .push(message(Side::Server, line, Kind::Response(answers), result));
            }
            ClientEvent::MessageStart { status, .. } => self.body = Some((status, Vec::new())),
            ClientEvent::MessageEnd { .. } => {
                if let Some((status, body)) = self.body.take() {
                    let result = match self.body_error.take() {
                        Some(e) => Err(peer_failure(e)),
                        None => Ok(Parsed::Message { status, body }),
                    };
                    self.messages.push(message(
                        Side::Server,
                        line,
                        Kind::Response(Expected::Message),
                        result,
                    ));
                }
            }
            ClientEvent::PeerError(e @ PeerError::SizeMismatch { .. }) if self.body.is_some() => {
                self.body_error = Some(e);
            }
            ClientEvent::SaslChallenge { data, .. } => {
                let _ = self.server.sasl_challenge(&data);
            }
            ClientEvent::StartTls { .. } => {
                let _ = self.client.handle_tls_established();
                let _ = self.server.handle_tls_established();
            }
            _ => {}
        }
    }
}

fn message(side: Side, line: usize, kind: Kind, result: Result<Parsed, Failure>) -> Message {
    crate::report::Message {
        side,
        line,
        kind,
        bytes: Vec::new(),
        result: outcome(result),
        deviations: Vec::new(),
    }
}

fn incomplete(side: Side, line: usize, kind: Kind) -> Message {
    message(side, line, kind, Err(Failure::Incomplete))
}

fn outcome(result: Result<Parsed, Failure>) -> Outcome<Parsed> {
    match result {
        Ok(value) => Outcome::Ok { value },
        Err(failure) => Outcome::Err { failure },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format;

    /// RFC 2449 §6.6: with PIPELINING the client sends several commands at once; each answer
    /// must be parsed as the answer to its own command, in order.
    #[test]
    fn pipelined_commands_pair_with_their_answers() {
        let text = "# source: test\n# protocol: pop3\n\
            C: STAT\nC: LIST\nC: UIDL 1\nC: RETR 1\n\
            S: +OK 1 5\nS: +OK\nS: 1 5\nS: .\nS: +OK 1 whqtswO00WBw418f9t5JxYwZ\n\
            S: +OK 5 octets\nS: ..hi\nS: .\n";
        let replay = replay(&format::parse(text).unwrap());
        assert_eq!(replay.failures(), 0, "{replay:#?}");
        let answers: Vec<String> = replay
            .messages
            .iter()
            .filter(|m| m.side == Side::Server)
            .map(|m| m.summary())
            .collect();
        assert_eq!(
            answers,
            [
                "STAT answer",
                "LIST answer",
                "UIDL n answer",
                "message (5 octets)"
            ]
        );
        let kinds: Vec<Kind> = replay.messages.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds[4..],
            [
                Kind::Response(Expected::Stat),
                Kind::Response(Expected::ScanList),
                Kind::Response(Expected::Uid),
                Kind::Response(Expected::Message),
            ]
        );
    }

    /// Followed piece by piece, a trace that ends inside an answer reports it as incomplete
    /// at the end, under either profile.
    #[test]
    fn a_follower_reports_what_the_trace_ends_inside() {
        let text = "# source: x\n# protocol: pop3\nC: STAT\nS: +OK 2 320\nC: RETR 1\nS: +OK\n";
        for profile in [Profile::Strict, Profile::RealWorld] {
            let mut reader = format::Reader::new(text.as_bytes()).unwrap();
            let mut follower = Follower::new(reader.headers(), profile);
            let (mut ok, mut failed) = (0, Vec::new());
            while let Some(piece) = reader.next_piece() {
                follower.line(piece.unwrap(), |m| ok += usize::from(m.is_ok()));
            }
            follower.finish(|m| failed.push((m.line, m.side, m.summary())));
            assert_eq!(ok, 3, "{profile:?}");
            let incomplete = "the trace ends inside this message".to_string();
            assert_eq!(failed, [(6, Side::Server, incomplete)], "{profile:?}");
        }
    }

    /// Under the real-world profile each answer takes the message its own command asked
    /// for (`uidl-one-token` reads `+OK <uid>` as that message's listing; RETR's body is
    /// checked against that message's size), also after a rejected `UIDL n` line and after
    /// an answer cut for its length, which both took an expectation of their own.
    #[test]
    fn an_answer_takes_the_message_of_its_own_command() {
        // Per server message: its line, whether it parsed, the message of a UIDL n answer
        // (0 for other answers) and its deviations.
        type Row = (usize, bool, u32, Vec<(&'static str, usize)>);
        let results = |text: &str| -> Vec<Row> {
            let trace = format::parse(text).unwrap();
            replay_with(&trace, Profile::RealWorld)
                .messages
                .iter()
                .filter(|m| m.side == Side::Server)
                .map(|m| {
                    let found = m.deviations.iter().map(|d| (d.id, d.offset)).collect();
                    let msg = match &m.result {
                        Outcome::Ok {
                            value: Parsed::Response(Response::Uid(u)),
                        } => u.msg.get(),
                        _ => 0,
                    };
                    (m.line, m.is_ok(), msg, found)
                })
                .collect()
        };
        // A rejected `UIDL 0` (message numbers start at 1) is answered `-ERR`; the one-token
        // answer after it is UIDL 2's.
        let rejected = "# source: test\n# protocol: pop3\n# start: authenticated\n\
            C: UIDL 0\nC: UIDL 2\nS: -ERR no such message\nS: +OK QhdPYR:00WBw1Ph7x7\n";
        assert_eq!(
            results(rejected),
            [
                (6, true, 0, vec![]),
                (7, true, 2, vec![("uidl-one-token", 4)])
            ]
        );
        // An answer over the line limit fails; the next one still pairs with its command.
        let long = format!(
            "# source: test\n# protocol: pop3\n# start: authenticated\n\
             C: LIST\nC: UIDL 1\nC: UIDL 2\nC: RETR 2\n\
             S: +OK\nS: 1 10\nS: 2 5\nS: .\nS: +OK {}\nS: +OK QhdPYR\n\
             S: +OK\nS: abc\nS: .\n",
            "x".repeat(600)
        );
        assert_eq!(
            results(&long),
            [
                (11, true, 0, vec![]),
                (12, false, 0, vec![]),
                (13, true, 2, vec![("uidl-one-token", 4)]),
                (16, true, 0, vec![]),
            ]
        );
    }

    /// The same answers in the wrong order do not parse: the pairing is real.
    #[test]
    fn answers_out_of_order_are_rejected() {
        let text = "# source: test\n# protocol: pop3\nC: LIST\nC: STAT\nS: +OK 1 5\n";
        assert_eq!(replay(&format::parse(text).unwrap()).failures(), 1);
    }
}
