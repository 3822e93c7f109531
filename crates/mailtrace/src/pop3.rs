//! Replays a POP3 trace: the client's bytes through a command decoder, the server's through a
//! response decoder told what each response answers (RFC 1939 §3; pipelining, RFC 2449 §6.6).
//!
//! What it tracks:
//! - the greeting first when the trace starts at `connect`;
//! - one expectation per command, in order, so pipelined commands pair with their answers;
//! - after AUTH, client lines are SASL responses (or `*`) until the server's final status
//!   (RFC 5034 §4), and each SASL line expects one more answer.
//!
//! Commands and single responses are re-encoded and parsed again; the value must not change.

use pop3_codec::{
    Command, CommandDecoder, Encode, Expected, IntoStatic, Limits, ParseError, Response,
    ResponseDecoder, ResponseEvent, SaslResponse, StatusLine,
};
use serde::Serialize;

use crate::format::{Side, Start, Trace};
use crate::report::{Failure, Outcome, Summary};

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

fn roundtrip(out: &[u8]) -> Failure {
    Failure::RoundTrip {
        encoded: String::from_utf8_lossy(out).into_owned(),
    }
}

fn check_command(c: &Command<'_>) -> Option<Failure> {
    let out = c.to_bytes();
    match Command::parse(&out) {
        Ok(again) if again == *c => None,
        _ => Some(roundtrip(&out)),
    }
}

fn check_response(r: &Response<'_>, expected: Expected) -> Option<Failure> {
    let out = r.to_bytes();
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
    let limits = Limits::default();
    let mut client = CommandDecoder::new(limits);
    let mut server = if trace.headers.start == Start::Connect {
        ResponseDecoder::new(limits)
    } else {
        ResponseDecoder::without_greeting(limits)
    };
    // What each queued expectation was, to re-parse answers with the same context.
    let mut expected: std::collections::VecDeque<Expected> = std::collections::VecDeque::new();
    if trace.headers.start == Start::Connect {
        expected.push_back(Expected::Greeting);
    }
    let mut in_auth = false;
    let mut body: Option<(StatusLine<'static>, Vec<u8>)> = None;
    let mut messages = Vec::new();

    for data in &trace.lines {
        match data.side {
            Side::Client => {
                client.push(&data.bytes);
                loop {
                    let (kind, result) = if in_auth {
                        match client.next_sasl_response() {
                            Ok(None) => break,
                            Ok(Some(s)) => {
                                server.expect(Expected::Auth);
                                expected.push_back(Expected::Auth);
                                (Kind::SaslResponse, Ok(Parsed::SaslResponse(s)))
                            }
                            Err(e) => (Kind::SaslResponse, Err(syntax(e))),
                        }
                    } else {
                        match client.next_command() {
                            Ok(None) => break,
                            Ok(Some(c)) => {
                                let e = Expected::from(&c);
                                server.expect(e);
                                expected.push_back(e);
                                if matches!(c, Command::Auth { .. }) {
                                    in_auth = true;
                                }
                                let result = match check_command(&c) {
                                    Some(f) => Err(f),
                                    None => Ok(Parsed::Command(c.into_static())),
                                };
                                (Kind::Command, result)
                            }
                            Err(e) => (Kind::Command, Err(syntax(e))),
                        }
                    };
                    messages.push(crate::report::Message {
                        side: Side::Client,
                        line: data.line,
                        kind,
                        bytes: Vec::new(),
                        result: outcome(result),
                    });
                }
            }
            Side::Server => {
                server.push(&data.bytes);
                loop {
                    let answers = expected.front().copied().unwrap_or(Expected::Status);
                    let result = match server.next_event() {
                        Ok(None) => break,
                        Ok(Some(ResponseEvent::MessageStart(status))) => {
                            body = Some((status.into_static(), Vec::new()));
                            continue;
                        }
                        Ok(Some(ResponseEvent::BodyChunk(chunk))) => {
                            if let Some((_, b)) = body.as_mut() {
                                b.extend_from_slice(chunk);
                            }
                            continue;
                        }
                        Ok(Some(ResponseEvent::MessageEnd)) => {
                            expected.pop_front();
                            match body.take() {
                                Some((status, body)) => Ok(Parsed::Message { status, body }),
                                None => continue,
                            }
                        }
                        Ok(Some(ResponseEvent::Response(r))) => {
                            expected.pop_front();
                            match &r {
                                Response::Challenge(_) => {}
                                _ if answers == Expected::Auth => in_auth = false,
                                _ => {}
                            }
                            match check_response(&r, answers) {
                                Some(f) => Err(f),
                                None => Ok(Parsed::Response(r.into_static())),
                            }
                        }
                        Err(e) => {
                            expected.pop_front();
                            Err(syntax(e))
                        }
                    };
                    messages.push(crate::report::Message {
                        side: Side::Server,
                        line: data.line,
                        kind: Kind::Response(answers),
                        bytes: Vec::new(),
                        result: outcome(result),
                    });
                }
            }
        }
    }
    let last_line = trace.lines.last().map_or(0, |l| l.line);
    for (side, left) in [(Side::Client, client.buffered()), (Side::Server, &[][..])] {
        if !left.is_empty() {
            messages.push(incomplete(side, last_line, Kind::Command));
        }
    }
    if body.is_some() || server.pending() > 0 && server_has_bytes(&mut server) {
        messages.push(incomplete(
            Side::Server,
            last_line,
            Kind::Response(expected.front().copied().unwrap_or(Expected::Status)),
        ));
    }
    Replay { messages }
}

/// True when the response decoder holds bytes of an unfinished response.
fn server_has_bytes(server: &mut ResponseDecoder) -> bool {
    !server.take_buffered().is_empty()
}

fn incomplete(side: Side, line: usize, kind: Kind) -> Message {
    crate::report::Message {
        side,
        line,
        kind,
        bytes: Vec::new(),
        result: Outcome::Err {
            failure: Failure::Incomplete,
        },
    }
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

    /// The same answers in the wrong order do not parse: the pairing is real.
    #[test]
    fn answers_out_of_order_are_rejected() {
        let text = "# source: test\n# protocol: pop3\nC: LIST\nC: STAT\nS: +OK 1 5\n";
        assert_eq!(replay(&format::parse(text).unwrap()).failures(), 1);
    }
}
