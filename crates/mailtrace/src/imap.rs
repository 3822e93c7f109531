//! Replays an IMAP trace: frames each side's bytes, parses every message with the parser the
//! exchange calls for, and checks that re-encoding gives the same value.
//!
//! What it tracks (RFC 9051 §2.2, §6.2.2, §6.3.13, §7.6):
//! - the first server message of a `start: connect` trace is the greeting;
//! - after a client's AUTHENTICATE, client lines are SASL responses until the server's tagged
//!   response to it, and the server's continuation requests carry base64;
//! - after IDLE, the client's next line is `DONE`;
//! - a synchronizing literal the server refuses (a tagged response instead of `+`) ends that
//!   command at its announcement.

use imap_codec::framer::{Frame, FrameError, FramedBuffer, FramerConfig};
use imap_codec::{
    AuthenticateData, Command, CommandBody, EncodeOptions, Greeting, IdleDone, IntoStatic,
    ParseError, Response, Tag,
};
use serde::Serialize;

use crate::format::{Side, Start, Trace};
use crate::report::{Failure, Outcome, Summary};

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
}

fn response_name(r: &Response<'_>) -> &'static str {
    match r {
        Response::Status(s) if s.tag.is_some() => "tagged status",
        Response::Status(_) => "untagged status",
        Response::Data(_) => "data",
        Response::Continuation(_) => "continuation request",
    }
}

/// Tracks the exchange while messages are processed in the order they complete.
#[derive(Default)]
struct Tracker {
    greeting_pending: bool,
    authenticate: Option<Tag<'static>>,
    idle: Option<Tag<'static>>,
    /// A client command waiting for `+` before its literal: (tag prefix bytes).
    pending_sync_literal: Option<Vec<u8>>,
}

fn parse_message(kind: Kind, bytes: &[u8]) -> Result<Parsed, Failure> {
    let mut out = Vec::new();
    match kind {
        Kind::Command => {
            let v = Command::parse(bytes)?;
            let enc = v.encode(&mut out, &EncodeOptions::default());
            let again = Command::parse(enc.bytes(&out)).map_err(|_| roundtrip(&out))?;
            if again != v {
                return Err(roundtrip(&out));
            }
            Ok(Parsed::Command(v.into_static()))
        }
        Kind::AuthenticateData => {
            let v = AuthenticateData::parse(bytes)?;
            let enc = v.encode(&mut out);
            let again = AuthenticateData::parse(enc.bytes(&out)).map_err(|_| roundtrip(&out))?;
            if again != v {
                return Err(roundtrip(&out));
            }
            Ok(Parsed::AuthenticateData(v.into_static()))
        }
        Kind::IdleDone => {
            let v = IdleDone::parse(bytes)?;
            let enc = v.encode(&mut out);
            IdleDone::parse(enc.bytes(&out)).map_err(|_| roundtrip(&out))?;
            Ok(Parsed::IdleDone(v))
        }
        Kind::Greeting => {
            let v = Greeting::parse(bytes)?;
            let enc = v.encode(&mut out);
            let again = Greeting::parse(enc.bytes(&out)).map_err(|_| roundtrip(&out))?;
            if again != v {
                return Err(roundtrip(&out));
            }
            Ok(Parsed::Greeting(v.into_static()))
        }
        Kind::Response => {
            let v = Response::parse(bytes)?;
            let enc = v.encode(&mut out);
            let again = Response::parse(enc.bytes(&out)).map_err(|_| roundtrip(&out))?;
            if again != v {
                return Err(roundtrip(&out));
            }
            Ok(Parsed::Response(v.into_static()))
        }
    }
}

fn roundtrip(out: &[u8]) -> Failure {
    Failure::RoundTrip {
        encoded: String::from_utf8_lossy(out).into_owned(),
    }
}

impl Tracker {
    fn client_kind(&self) -> Kind {
        if self.authenticate.is_some() {
            Kind::AuthenticateData
        } else if self.idle.is_some() {
            Kind::IdleDone
        } else {
            Kind::Command
        }
    }

    fn server_kind(&self) -> Kind {
        if self.greeting_pending {
            Kind::Greeting
        } else {
            Kind::Response
        }
    }

    /// Updates the exchange state after a parsed message; returns a protocol failure when the
    /// message does not fit the exchange.
    fn observe(&mut self, parsed: &Parsed) -> Option<Failure> {
        match parsed {
            Parsed::Command(c) => match &c.body {
                CommandBody::Authenticate { .. } => self.authenticate = Some(c.tag.clone()),
                CommandBody::Idle => self.idle = Some(c.tag.clone()),
                _ => {}
            },
            Parsed::IdleDone(_) => self.idle = None,
            Parsed::AuthenticateData(_) => {}
            Parsed::Greeting(_) => {}
            Parsed::Response(Response::Status(s)) => {
                if let Some(tag) = &s.tag
                    && self.authenticate.as_ref() == Some(tag)
                {
                    self.authenticate = None;
                }
            }
            Parsed::Response(Response::Continuation(c)) => {
                if self.authenticate.is_some() && c.base64_data().is_none() {
                    return Some(Failure::Protocol {
                        message: "a continuation request during AUTHENTICATE must carry base64"
                            .to_owned(),
                    });
                }
            }
            Parsed::Response(Response::Data(_)) => {}
        }
        None
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
    let mut tracker = Tracker {
        greeting_pending: trace.headers.start == Start::Connect,
        ..Tracker::default()
    };
    let mut client = FramedBuffer::new(FramerConfig::server());
    let mut server = FramedBuffer::new(FramerConfig::client());
    let mut messages = Vec::new();

    for data in &trace.lines {
        match data.side {
            Side::Client => client.push(&data.bytes),
            Side::Server => server.push(&data.bytes),
        }
        loop {
            let buffer = match data.side {
                Side::Client => &mut client,
                Side::Server => &mut server,
            };
            let got = match buffer.next_frame() {
                Ok(None) => break,
                Ok(Some(Frame::Discard(_))) => continue,
                Ok(Some(Frame::Literal(lit))) => {
                    if data.side == Side::Client && lit.synchronizing {
                        let prefix = buffer.buffered()[..lit.prefix_len].to_vec();
                        tracker.pending_sync_literal = Some(prefix);
                    }
                    continue;
                }
                Ok(Some(Frame::Message(bytes))) => Ok(bytes.to_vec()),
                Err(e) => Err(e),
            };
            let kind = match data.side {
                Side::Client => tracker.client_kind(),
                Side::Server => tracker.server_kind(),
            };
            let (result, bytes) = match got {
                Ok(bytes) => (parse_message(kind, &bytes), bytes),
                Err(e) => (Err(frame_failure(e)), Vec::new()),
            };
            if data.side == Side::Client {
                tracker.pending_sync_literal = None;
            }
            if kind == Kind::Greeting {
                tracker.greeting_pending = false;
            }
            let result = match result {
                Ok(value) => match tracker.observe(&value) {
                    Some(failure) => Outcome::Err { failure },
                    None => Outcome::Ok { value },
                },
                Err(failure) => Outcome::Err { failure },
            };
            let refused_tag = match &result {
                Outcome::Ok {
                    value: Parsed::Response(Response::Status(s)),
                } => s.tag.as_ref().map(|t| t.as_str().as_bytes().to_vec()),
                _ => None,
            };
            messages.push(Message {
                side: data.side,
                line: data.line,
                kind,
                bytes,
                result,
            });
            // A tagged response to a command whose synchronizing literal is still pending:
            // the server refused the literal, so the command ends at its announcement.
            if let Some(tag) = refused_tag
                && let Some(prefix) = tracker
                    .pending_sync_literal
                    .take_if(|p| p.starts_with(&tag) && p.get(tag.len()) == Some(&b' '))
            {
                client.framer_mut().reject_literal();
                while let Ok(Some(Frame::Discard(_))) = client.next_frame() {}
                let kind = tracker.client_kind();
                let result = match parse_message(kind, &prefix) {
                    Ok(value) => Outcome::Ok { value },
                    Err(failure) => Outcome::Err { failure },
                };
                messages.push(Message {
                    side: Side::Client,
                    line: data.line,
                    kind,
                    bytes: prefix,
                    result,
                });
            }
        }
    }
    let last_line = trace.lines.last().map_or(0, |l| l.line);
    for (side, buffer, kind) in [
        (Side::Client, &client, tracker.client_kind()),
        (Side::Server, &server, tracker.server_kind()),
    ] {
        if !buffer.buffered().is_empty() {
            messages.push(Message {
                side,
                line: last_line,
                kind,
                bytes: buffer.buffered().to_vec(),
                result: Outcome::Err {
                    failure: Failure::Incomplete,
                },
            });
        }
    }
    Replay { messages }
}

fn frame_failure(e: FrameError) -> Failure {
    Failure::Frame {
        message: e.to_string(),
    }
}
