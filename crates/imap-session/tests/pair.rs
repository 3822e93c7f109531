//! The pair harness (quinn-proto style): a client session and a server session joined by
//! in-memory queues. Every example of RFC 3501 and RFC 9051 in the corpus that is an exchange
//! runs through it end to end (the §8 sample sessions with closer checks), and the server's
//! state rules, limits, literal handling and the STARTTLS attacks are checked here.

mod common;

use std::path::Path;

use common::Pair;
use imap_codec::{Capability, Command, CommandBody, LiteralCapability, Response, StatusKind, Tag};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, LocalError, PeerError, ServerConfig,
    ServerEvent, ServerOutput, ServerSession, State,
};
use mailtrace::format::{self, Side, Start, Trace};
use mailtrace::imap::{self as replay, Parsed};
use mailtrace::report::Outcome;

/// The directory of the IMAP corpus.
fn corpus_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/imap")
}

fn read_trace(path: &str) -> Trace {
    let text = std::fs::read_to_string(corpus_root().join(path)).unwrap();
    format::parse(&text).unwrap()
}

/// What [`play_trace`] left behind: the pair, the trace's messages (as the observer replay
/// parsed them), and which of the trace's server messages are `+` requests for a client's
/// synchronizing literal, which the server session sends by itself (`LiteralPolicy::Auto`).
struct Played {
    pair: Pair,
    messages: Vec<replay::Message>,
    literal_continuations: Vec<usize>,
}

/// Plays a corpus trace through a pair: every client message of the trace becomes the client
/// application's intention, every server message the server application's, in trace order.
/// A `+` for a literal is not an intention: the server session answers literals itself. An
/// intention the session refuses is an error.
///
/// The client session sends `{n+}` only to a server that allows it (RFC 7888 §3). Where an
/// RFC 9051 example's client sends `{n+}`, the example assumes what IMAP4rev2 includes,
/// LITERAL- (RFC 9051 §4.3), so the client is told so; elsewhere it knows no literal
/// capability and sends its synchronizing literals as written (with LITERAL- it would send
/// the short ones as `{n+}`).
fn play_trace(trace: &Trace, start: State) -> Result<Played, String> {
    let messages = replay::replay(trace).messages;
    let non_sync = trace
        .stream(Side::Client)
        .windows(4)
        .any(|w| w == b"+}\r\n");
    let imap4rev2 = trace.headers.source.starts_with("RFC 9051") && non_sync;
    let client = ClientConfig::default()
        .with_literal_override(imap4rev2.then_some(LiteralCapability::Minus));
    let mut pair = Pair::resume(client, ServerConfig::default(), start);
    let mut literal_continuations = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let Outcome::Ok { value } = &m.result else {
            return Err(format!("line {}: {}", m.line, m.summary()));
        };
        let done = match (m.side, value.clone()) {
            (Side::Client, Parsed::Command(c)) => pair.client.send_command(c).map(|_| ()),
            (Side::Client, Parsed::AuthenticateData(d)) => pair.client.authenticate_continue(d),
            (Side::Client, Parsed::IdleDone(_)) => pair.client.idle_done(),
            (Side::Server, Parsed::Greeting(g)) => pair.server.send_greeting(g),
            (Side::Server, Parsed::Response(Response::Continuation(_)))
                if !pair
                    .server
                    .in_flight()
                    .any(|(_, name)| matches!(name, "AUTHENTICATE" | "IDLE")) =>
            {
                // Nothing in flight asks the application for a `+`: it is the one for the
                // next command's literal (that command completes later, so it comes later
                // in the list), and the server session sends it.
                literal_continuations.push(i);
                Ok(())
            }
            (Side::Server, Parsed::Response(r)) => pair.server.send_response(r),
            (side, other) => return Err(format!("line {}: {side:?} {other:?}", m.line)),
        };
        if let Err(e) = done {
            return Err(format!("line {}: {} refused: {e}", m.line, m.summary()));
        }
        pair.drive();
    }
    Ok(Played {
        pair,
        messages,
        literal_continuations,
    })
}

/// Plays a corpus trace (by path) through a pair. Returns the pair and the trace's two byte
/// streams.
fn play(path: &str, start: State) -> (Pair, Vec<u8>, Vec<u8>) {
    let trace = read_trace(path);
    let played = play_trace(&trace, start).unwrap_or_else(|e| panic!("{path}: {e}"));
    (
        played.pair,
        trace.stream(Side::Client),
        trace.stream(Side::Server),
    )
}

#[test]
fn rfc3501_section8_sample_session() {
    let (pair, client_bytes, server_bytes) =
        play("rfc3501/8-sample-session.trace", State::Greeting);
    // Both sessions wrote exactly the RFC's bytes.
    // The encoder writes command names and keywords in upper case; the RFC's client wrote
    // them in lower case, which IMAP treats alike.
    assert_eq!(
        String::from_utf8_lossy(&pair.client_wire).to_ascii_lowercase(),
        String::from_utf8_lossy(&client_bytes).to_ascii_lowercase()
    );
    assert_eq!(
        String::from_utf8_lossy(&pair.server_wire),
        String::from_utf8_lossy(&server_bytes)
    );
    assert_eq!(pair.client.state(), State::Logout);
    assert_eq!(pair.server.state(), State::Logout);
    assert!(pair.client.is_closed() && pair.server.is_closed());
    let states: Vec<String> = pair
        .client_events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::StateChanged { from, to } => Some(format!("{from:?} -> {to:?}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [
            "Greeting -> NotAuthenticated",
            "NotAuthenticated -> Authenticated",
            "Authenticated -> Selected",
            "Selected -> Logout",
        ]
    );
    // The SELECT's view, as the client saw it before LOGOUT.
    let view = pair.selected_view.clone().unwrap();
    assert_eq!(view.exists, 18);
    assert_eq!(view.recent, Some(2));
    assert_eq!(view.unseen.map(|n| n.get()), Some(17));
    assert_eq!(view.uid_validity.map(|n| n.get()), Some(3857529045));
    assert_eq!(view.read_only, Some(false));
    assert_eq!(view.flags.len(), 5);
    // FETCH data is attributed to the FETCH in flight.
    let attributed = pair
        .client_events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ClientEvent::Data {
                    handle: Some(_),
                    data: imap_codec::Data::Fetch { .. }
                }
            )
        })
        .count();
    assert_eq!(attributed, 3);
}

#[test]
fn rfc9051_section8_sample_connection() {
    let (pair, client_bytes, server_bytes) =
        play("rfc9051/8-sample-connection.trace", State::Greeting);
    // The codec encodes the mailbox name "inbox" (case-insensitive INBOX, RFC 9051 §5.1) as
    // INBOX; every other byte is the RFC's.
    let server_bytes = String::from_utf8(server_bytes)
        .unwrap()
        .replace(r#"("OLDNAME" ("inbox"))"#, r#"("OLDNAME" (INBOX))"#)
        .into_bytes();
    // The encoder writes command names and keywords in upper case; the RFC's client wrote
    // them in lower case, which IMAP treats alike.
    assert_eq!(
        String::from_utf8_lossy(&pair.client_wire).to_ascii_lowercase(),
        String::from_utf8_lossy(&client_bytes).to_ascii_lowercase()
    );
    assert_eq!(
        String::from_utf8_lossy(&pair.server_wire),
        String::from_utf8_lossy(&server_bytes)
    );
    assert_eq!(pair.client.state(), State::Logout);
    // STARTTLS happened once on each side, and the SCRAM exchange gave two challenges.
    let tls = pair
        .client_events
        .iter()
        .filter(|e| matches!(e, ClientEvent::TlsRequired { discarded: 0 }))
        .count();
    assert_eq!(tls, 1);
    let challenges = pair
        .client_events
        .iter()
        .filter(|e| matches!(e, ClientEvent::AuthenticateChallenge { .. }))
        .count();
    assert_eq!(challenges, 2);
    let enabled = pair.client_events.iter().any(|e| {
        matches!(
            e,
            ClientEvent::Data {
                data: imap_codec::Data::Enabled(_),
                handle: Some(_)
            }
        )
    });
    assert!(enabled);
    assert!(
        pair.server_events
            .iter()
            .all(|e| !matches!(e, ServerEvent::ProtocolError(_)))
    );
}

#[test]
fn rfc9051_idle_end_to_end() {
    let (pair, client_bytes, server_bytes) =
        play("rfc9051/6.3.13-idle.trace", State::Authenticated);
    let _ = (client_bytes, server_bytes);
    let accepted = pair
        .client_events
        .iter()
        .filter(|e| matches!(e, ClientEvent::IdleAccepted { .. }))
        .count();
    // Two IDLEs accepted; the third (A006) is still waiting when the trace ends.
    assert_eq!(accepted, 2);
    let done = pair
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::IdleDone { .. }))
        .count();
    assert_eq!(done, 2);
    // 3 EXISTS, +1, -1 (EXPUNGE 2), =3, -1, =2, =3.
    assert_eq!(pair.client.mailbox().unwrap().exists, 3);
}

// ---- every RFC example through the pair ----

/// The examples of `corpus/imap/rfc3501` and `corpus/imap/rfc9051` that are not an exchange
/// two enforcing sessions can produce, each with the reason. Every other trace of those
/// directories runs end to end in [`every_rfc_example_runs_through_the_pair`].
const NOT_EXCHANGES: &[(&str, &str)] = &[
    (
        "rfc3501/6.5.1-x-command.trace",
        "expect: reject; the experimental X command and its response are outside the grammar",
    ),
    (
        "rfc3501/7.1.3-bad.trace",
        "expect: reject; the client sends an empty command line on purpose",
    ),
    (
        "rfc3501/7.5-continuation-2.trace",
        "expect: reject; BLURDYBLOOP is no command and its literal never follows",
    ),
    (
        "rfc9051/6.5-xpig-latin.trace",
        "expect: reject; the experimental command and its response are outside the grammar",
    ),
    (
        "rfc9051/7.1-code-haschildren.trace",
        "the RFC completes m356 with the tag o356: a tagged response without its command",
    ),
    (
        "rfc9051/7.1.3-bad.trace",
        "expect: reject; the client sends an empty command line on purpose",
    ),
];

/// The state a trace starts in: its `start` header; for `start: any` (the trace does not
/// say, docs/corpus-format.md) the highest state (selected, authenticated, not
/// authenticated) in which every client command up to the first one that changes the state is
/// valid (RFC 9051 §6, `state::command_states`). A trace without commands so starts selected,
/// where every untagged response of RFC 9051 §7 may come.
fn start_state(trace: &Trace, messages: &[replay::Message]) -> Result<State, String> {
    Ok(match trace.headers.start {
        Start::Connect => State::Greeting,
        Start::NotAuthenticated => State::NotAuthenticated,
        Start::Authenticated => State::Authenticated,
        Start::Selected => State::Selected,
        Start::Any => {
            let mut candidates = vec![
                State::NotAuthenticated,
                State::Authenticated,
                State::Selected,
            ];
            for m in messages {
                let Outcome::Ok {
                    value: Parsed::Command(c),
                } = &m.result
                else {
                    continue;
                };
                candidates
                    .retain(|s| mailproto_imap_session::state::valid_states(&c.body).contains(*s));
                if mailproto_imap_session::state::changes_state(c.kind()) {
                    break;
                }
            }
            candidates
                .pop()
                .ok_or("no state in which its first commands are valid")?
        }
    })
}

/// Frames what one side wrote and parses each message with the parser the trace's message at
/// the same place was given.
fn parse_wire(side: Side, wire: &[u8], kinds: &[replay::Kind]) -> Result<Vec<Parsed>, String> {
    use imap_codec::framer::{Frame, FramedBuffer, FramerConfig};
    use imap_codec::{AuthenticateData, Greeting, IdleDone, IntoStatic};
    let config = match side {
        Side::Client => FramerConfig::server(),
        Side::Server => FramerConfig::client(),
    };
    let mut framed = FramedBuffer::new(config);
    framed.push(wire);
    let mut out = Vec::new();
    loop {
        let bytes = match framed.next_frame() {
            Ok(Some(Frame::Message(m))) => m.to_vec(),
            Ok(Some(Frame::Literal(_))) => continue,
            Ok(None) => break,
            other => return Err(format!("{side:?} wrote {other:?}")),
        };
        let Some(kind) = kinds.get(out.len()) else {
            return Err(format!(
                "{side:?} wrote more than the trace: {:?}",
                String::from_utf8_lossy(&bytes)
            ));
        };
        let err = |e: imap_codec::ParseError| {
            format!("{side:?} wrote {:?}: {e}", String::from_utf8_lossy(&bytes))
        };
        // Out of the session's context: UTF-8 quoted strings (RFC 6855 §3) are read as the
        // sessions read them once enabled.
        let utf8 =
            imap_codec::ParseOptions::default().with_extension(imap_codec::Extension::Utf8Accept);
        out.push(match kind {
            replay::Kind::Command => Parsed::Command(
                Command::parse_with(&bytes, &utf8)
                    .map_err(err)?
                    .value
                    .into_static(),
            ),
            replay::Kind::AuthenticateData => Parsed::AuthenticateData(
                AuthenticateData::parse(&bytes).map_err(err)?.into_static(),
            ),
            replay::Kind::IdleDone => Parsed::IdleDone(IdleDone::parse(&bytes).map_err(err)?),
            replay::Kind::Greeting => Parsed::Greeting(
                Greeting::parse_with(&bytes, &utf8)
                    .map_err(err)?
                    .value
                    .into_static(),
            ),
            replay::Kind::Response => Parsed::Response(
                Response::parse_with(&bytes, &utf8)
                    .map_err(err)?
                    .value
                    .into_static(),
            ),
        });
    }
    if !framed.buffered().is_empty() {
        return Err(format!(
            "{side:?} wrote an unfinished message: {:?}",
            String::from_utf8_lossy(framed.buffered())
        ));
    }
    Ok(out)
}

/// A command of the trace as a default client writes it: the sequence set of a FETCH, STORE,
/// COPY, MOVE or UID EXPUNGE normalized (`ClientConfig::normalize_sets`, on by default), so
/// `*:2,5` goes out as the same set in ascending, merged form.
fn as_the_client_sends<'a>(command: &Command<'a>) -> Command<'a> {
    let mut command = command.clone();
    match &mut command.body {
        CommandBody::Fetch { sequence_set, .. }
        | CommandBody::Store { sequence_set, .. }
        | CommandBody::Copy { sequence_set, .. }
        | CommandBody::Move { sequence_set, .. }
        | CommandBody::UidExpunge { sequence_set } => *sequence_set = sequence_set.normalized(),
        _ => {}
    }
    command
}

/// Plays one trace through an enforcing pair and checks what both sides wrote and reported.
fn run_end_to_end(path: &str) -> Result<(), String> {
    let trace = read_trace(path);
    let messages = replay::replay(&trace).messages;
    let start = start_state(&trace, &messages)?;
    let played = play_trace(&trace, start)?;
    let pair = &played.pair;
    if let Some(e) = pair
        .client_events
        .iter()
        .find(|e| matches!(e, ClientEvent::ProtocolError(_)))
    {
        return Err(format!("the client reported {e:?}"));
    }
    if let Some(e) = pair.server_events.iter().find(|e| {
        matches!(
            e,
            ServerEvent::ProtocolError(_) | ServerEvent::Rejected { .. }
        )
    }) {
        return Err(format!("the server reported {e:?}"));
    }
    // Every client message reached the server's application, in order: nothing is left
    // waiting in the server session.
    let handed: Vec<String> = pair
        .server_events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Command(c) => Some(format!("{c:?}")),
            ServerEvent::AuthenticateData { data, .. } => Some(format!("{data:?}")),
            ServerEvent::IdleDone { .. } => Some("DONE".to_owned()),
            _ => None,
        })
        .collect();
    let sent: Vec<String> = played
        .messages
        .iter()
        .filter_map(|m| match &m.result {
            Outcome::Ok {
                value: Parsed::Command(c),
            } => Some(format!("{:?}", as_the_client_sends(c))),
            Outcome::Ok {
                value: Parsed::AuthenticateData(d),
            } => Some(format!("{d:?}")),
            Outcome::Ok {
                value: Parsed::IdleDone(_),
            } => Some("DONE".to_owned()),
            _ => None,
        })
        .collect();
    if handed != sent {
        return Err(format!(
            "the server's application got {handed:#?}, the client sent {sent:#?}"
        ));
    }
    // What each side wrote is compared with the trace as parsed values, not as bytes: the
    // encoder chooses among forms IMAP gives the same meaning (keywords in upper case, an
    // atom or a quoted string, INBOX for "inbox", RFC 9051 §4, §5.1), and folding the
    // case of the bytes instead would also fold what is case-sensitive (tags, mailbox
    // names, strings). A value compares everything IMAP gives a meaning to, in order.
    for side in [Side::Client, Side::Server] {
        let expected: Vec<(usize, &replay::Message)> = played
            .messages
            .iter()
            .enumerate()
            .filter(|(_, m)| m.side == side)
            .collect();
        let kinds: Vec<replay::Kind> = expected.iter().map(|(_, m)| m.kind).collect();
        let wire = match side {
            Side::Client => &pair.client_wire,
            Side::Server => &pair.server_wire,
        };
        let written = parse_wire(side, wire, &kinds)?;
        if written.len() != expected.len() {
            return Err(format!(
                "{side:?} wrote {} messages, the trace has {}",
                written.len(),
                expected.len()
            ));
        }
        for ((i, m), got) in expected.iter().zip(&written) {
            let Outcome::Ok { value } = &m.result else {
                unreachable!("play_trace refuses failed messages")
            };
            let same = if played.literal_continuations.contains(i) {
                // The session's own `+` for a literal: its text is for humans (RFC 9051 §7.5).
                matches!(got, Parsed::Response(Response::Continuation(_)))
            } else if let Parsed::Command(c) = value {
                *got == Parsed::Command(as_the_client_sends(c))
            } else {
                got == value
            };
            if !same {
                return Err(format!(
                    "line {}: {side:?} wrote {got:?}, the trace has {value:?}",
                    m.line
                ));
            }
        }
    }
    Ok(())
}

/// Every example of RFC 3501 and RFC 9051 in the corpus that is an exchange runs through a
/// client and a server session with their default (enforcing) configurations; the others are
/// in [`NOT_EXCHANGES`], which must name existing files only.
#[test]
fn every_rfc_example_runs_through_the_pair() {
    let mut files = Vec::new();
    for dir in ["rfc3501", "rfc9051"] {
        for f in std::fs::read_dir(corpus_root().join(dir)).unwrap() {
            let name = f.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".trace") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    let mut problems = Vec::new();
    for (path, _) in NOT_EXCHANGES {
        if !files.iter().any(|f| f == path) {
            problems.push(format!("{path}: excluded but not in the corpus"));
        }
    }
    let mut ran = 0;
    for path in &files {
        if NOT_EXCHANGES.iter().any(|(p, _)| p == path) {
            // An excluded trace that runs after all belongs in the run.
            if run_end_to_end(path).is_ok() {
                problems.push(format!("{path}: excluded but runs end to end"));
            }
            continue;
        }
        match run_end_to_end(path) {
            Ok(()) => ran += 1,
            Err(e) => problems.push(format!("{path}: {e}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} traces:\n{}",
        problems.len(),
        files.len(),
        problems.join("\n")
    );
    assert_eq!(ran + NOT_EXCHANGES.len(), files.len());
}

/// The examples of the APPEND family (MULTIAPPEND, CATENATE, REPLACE, UTF8), UNAUTHENTICATE
/// and URLFETCH run through a client and a server session: each literal of a MULTIAPPEND or
/// CATENATE waits for its own `+` and the command reaches the server's application whole.
#[test]
fn extension_examples_run_through_the_pair() {
    let mut problems = Vec::new();
    for path in [
        "rfc3502/6-multiappend-2.trace",
        "rfc4469/A-catenate-1.trace",
        "rfc4469/A-catenate-2.trace",
        "rfc4469/A-catenate-3.trace",
        "rfc8508/3.2-replace.trace",
        "rfc8508/3.3-uid-replace.trace",
        "rfc8508/4.2-replace-catenate.trace",
        "rfc6855/4-utf8-append.trace",
        "rfc8437/3-unauthenticate.trace",
        "rfc4467/7.4-urlfetch.trace",
    ] {
        if let Err(e) = run_end_to_end(path) {
            problems.push(format!("{path}: {e}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// RFC 8437 §3: UNAUTHENTICATE takes both sessions from selected back to not authenticated.
#[test]
fn unauthenticate_changes_both_states() {
    let (pair, _, _) = play("rfc8437/3-unauthenticate.trace", State::Selected);
    let states: Vec<String> = pair
        .client_events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::StateChanged { from, to } => Some(format!("{from:?} -> {to:?}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [
            "Selected -> NotAuthenticated",
            "NotAuthenticated -> Authenticated",
            "Authenticated -> NotAuthenticated",
            "NotAuthenticated -> Logout",
        ]
    );
    assert_eq!(pair.server.state(), State::Logout);
}

/// RFC 8437 §3: what ENABLE turned on ceases to be enabled after UNAUTHENTICATE.
#[test]
fn unauthenticate_forgets_what_enable_turned_on() {
    let mut client = ClientSession::resume(ClientConfig::default(), State::Authenticated);
    let body = Command::parse(b"a ENABLE CONDSTORE\r\n").unwrap().body;
    client.send(body).unwrap();
    client
        .handle_input(b"* ENABLED CONDSTORE\r\nA1 OK done\r\n")
        .unwrap();
    while client.poll_output().is_some() {}
    assert_eq!(client.enabled().len(), 1);
    let body = Command::parse(b"a UNAUTHENTICATE\r\n").unwrap().body;
    client.send(body).unwrap();
    client.handle_input(b"A2 OK done\r\n").unwrap();
    while client.poll_output().is_some() {}
    assert_eq!(client.state(), State::NotAuthenticated);
    assert!(client.enabled().is_empty());
}

// ---- the server's rules ----

fn server(state: State) -> ServerSession {
    ServerSession::resume(ServerConfig::default(), state)
}

fn drain_server(s: &mut ServerSession) -> (String, Vec<ServerEvent>) {
    let (mut bytes, mut events) = (Vec::new(), Vec::new());
    while let Some(o) = s.poll_output() {
        match o {
            ServerOutput::Transmit(b) => bytes.extend_from_slice(b),
            ServerOutput::Event(e) => events.push(e),
            ServerOutput::LiteralChunk { .. } => unreachable!("no literal is streamed here"),
        }
    }
    (String::from_utf8(bytes).unwrap(), events)
}

fn commands(events: &[ServerEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Command(c) => Some(format!("{} {}", c.tag.as_str(), c.name())),
            _ => None,
        })
        .collect()
}

#[test]
fn command_not_valid_in_state_gets_bad_without_reaching_the_application() {
    let mut s = server(State::NotAuthenticated);
    s.handle_input(b"a1 SELECT INBOX\r\na2 FETCH 1 FLAGS\r\na3 NOOP\r\n")
        .unwrap();
    let (bytes, events) = drain_server(&mut s);
    assert_eq!(
        bytes,
        "a1 BAD Command not valid in this state\r\na2 BAD Command not valid in this state\r\n"
    );
    assert_eq!(commands(&events), ["a3 NOOP"]);
}

#[test]
fn login_refused_under_logindisabled() {
    let mut s = ServerSession::new(ServerConfig::default());
    let greeting =
        imap_codec::Greeting::parse(b"* OK [CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED] hi\r\n")
            .unwrap();
    s.send_greeting(greeting).unwrap();
    s.handle_input(b"a1 LOGIN joe secret\r\n").unwrap();
    let (bytes, events) = drain_server(&mut s);
    assert!(bytes.ends_with("a1 NO LOGIN is disabled\r\n"), "{bytes}");
    assert!(commands(&events).is_empty());
}

#[test]
fn pipelined_commands_wait_for_the_state_changing_one() {
    let mut s = server(State::NotAuthenticated);
    s.handle_input(b"a1 LOGIN joe secret\r\na2 SELECT INBOX\r\n")
        .unwrap();
    let (_, events) = drain_server(&mut s);
    assert_eq!(commands(&events), ["a1 LOGIN"]);
    s.complete(Tag::new("a1").unwrap(), StatusKind::Ok, "welcome")
        .unwrap();
    let (bytes, events) = drain_server(&mut s);
    assert_eq!(bytes, "a1 OK welcome\r\n");
    assert_eq!(commands(&events), ["a2 SELECT"]);
    assert_eq!(s.state(), State::Authenticated);
    s.complete(Tag::new("a2").unwrap(), StatusKind::Ok, "selected")
        .unwrap();
    assert_eq!(s.state(), State::Selected);
    let _ = drain_server(&mut s);
    s.handle_input(b"a3 CLOSE\r\n").unwrap();
    s.complete(Tag::new("a3").unwrap(), StatusKind::Ok, "closed")
        .unwrap();
    assert_eq!(s.state(), State::Authenticated);
}

#[test]
fn sync_literal_within_limit_gets_continuation() {
    let mut s = server(State::NotAuthenticated);
    s.handle_input(b"a1 LOGIN {5}\r\n").unwrap();
    assert_eq!(drain_server(&mut s).0, "+ Ready for literal data\r\n");
    s.handle_input(b"alice pw\r\n").unwrap();
    assert_eq!(commands(&drain_server(&mut s).1), ["a1 LOGIN"]);
}

#[test]
fn sync_literal_over_limit_is_refused_by_tag_before_continuation() {
    let config = ServerConfig::default()
        .with_framer(imap_codec::framer::FramerConfig::server().with_max_literal(100));
    let mut s = ServerSession::resume(config, State::Authenticated);
    s.handle_input(b"a1 APPEND INBOX {1000}\r\na2 NOOP\r\n")
        .unwrap();
    let (bytes, events) = drain_server(&mut s);
    assert_eq!(bytes, "a1 BAD [TOOBIG] Literal too large\r\n");
    assert_eq!(commands(&events), ["a2 NOOP"]);
}

#[test]
fn non_sync_literal_over_literal_minus_is_rejected_and_skipped() {
    let mut s = server(State::Authenticated);
    let mut input = b"a1 APPEND INBOX {5000+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend(b"\r\na2 NOOP\r\n");
    for chunk in input.chunks(777) {
        s.handle_input(chunk).unwrap();
    }
    let (bytes, events) = drain_server(&mut s);
    assert_eq!(bytes, "a1 BAD [TOOBIG] Literal too large\r\n");
    assert_eq!(commands(&events), ["a2 NOOP"]);
}

#[test]
fn repeated_violations_end_with_bye() {
    let config = ServerConfig::default().with_max_violations(Some(3));
    let mut s = ServerSession::resume(config, State::NotAuthenticated);
    s.handle_input(b"x\r\ny\r\nz\r\nw\r\n").unwrap();
    let (bytes, events) = drain_server(&mut s);
    assert_eq!(
        bytes,
        "* BAD Syntax error\r\n* BAD Syntax error\r\n* BAD Syntax error\r\n* BYE Too many errors\r\n"
    );
    assert!(events.contains(&ServerEvent::Closed));
    assert_eq!(s.handle_input(b"a NOOP\r\n"), Err(LocalError::Closed));
}

#[test]
fn authenticate_with_initial_response_and_challenge() {
    let mut pair = Pair::new(ClientConfig::default(), ServerConfig::default());
    pair.server
        .send_greeting(
            imap_codec::Greeting::parse(b"* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN SASL-IR] hi\r\n")
                .unwrap(),
        )
        .unwrap();
    pair.drive();
    let cmd = Command::parse(b"A1 AUTHENTICATE PLAIN\r\n").unwrap();
    pair.client.send_command(cmd).unwrap();
    pair.drive();
    pair.server.challenge(b"").unwrap();
    pair.drive();
    assert!(
        pair.client_events.iter().any(
            |e| matches!(e, ClientEvent::AuthenticateChallenge { data, .. } if data.is_empty())
        )
    );
    pair.client
        .authenticate_continue(imap_codec::AuthenticateData::Response(
            b"\0joe\0pw"[..].into(),
        ))
        .unwrap();
    pair.drive();
    assert!(
        pair.server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::AuthenticateData { .. }))
    );
    pair.server
        .complete(Tag::new("A1").unwrap(), StatusKind::Ok, "ok")
        .unwrap();
    pair.drive();
    assert_eq!(pair.client.state(), State::Authenticated);
    assert_eq!(pair.server.state(), State::Authenticated);
    // Capabilities are forgotten after authentication (RFC 9051 §6.2.2).
    assert_eq!(pair.client.capabilities(), None);
    assert_eq!(
        String::from_utf8_lossy(&pair.client_wire),
        "A1 AUTHENTICATE PLAIN\r\nAGpvZQBwdw==\r\n"
    );
}

#[test]
fn client_refuses_local_misuse() {
    let mut c = ClientSession::new(ClientConfig::default());
    assert_eq!(
        c.send(CommandBody::Noop).unwrap_err(),
        LocalError::InvalidState {
            command: "NOOP",
            state: State::Greeting
        }
    );
    assert_eq!(c.idle_done(), Err(LocalError::NotIdling));
    assert_eq!(
        c.authenticate_continue(imap_codec::AuthenticateData::Cancel),
        Err(LocalError::NotAuthenticating)
    );
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n")
        .unwrap();
    let login = Command::parse(b"a LOGIN joe pw\r\n").unwrap();
    assert_eq!(c.send_command(login), Err(LocalError::LoginDisabled));
}

// ---- STARTTLS injection (CVE-2011-0411 class) ----

#[test]
fn server_never_executes_commands_pipelined_after_starttls() {
    let mut s = server(State::NotAuthenticated);
    // One packet: STARTTLS and a command injected behind it (in plaintext, by a man in the
    // middle, to be executed as if it came over TLS).
    s.handle_input(b"a STARTTLS\r\nb NOOP\r\n").unwrap();
    let (_, events) = drain_server(&mut s);
    assert_eq!(commands(&events), ["a STARTTLS"]);
    // More plaintext before the answer is dropped too.
    s.handle_input(b"c NOOP\r\n").unwrap();
    let (_, events) = drain_server(&mut s);
    assert!(commands(&events).is_empty());
    s.complete(Tag::new("a").unwrap(), StatusKind::Ok, "Begin TLS")
        .unwrap();
    let (bytes, events) = drain_server(&mut s);
    assert_eq!(bytes, "a OK Begin TLS\r\n");
    // "b NOOP\r\n" and "c NOOP\r\n": 16 bytes dropped unread, reported with the answer.
    assert_eq!(
        events,
        [
            ServerEvent::ProtocolError(PeerError::StartTlsInjection { len: 16 }),
            ServerEvent::TlsRequired
        ]
    );
    // The bytes are TLS's now.
    assert_eq!(s.handle_input(b"d NOOP\r\n"), Err(LocalError::TlsPending));
    s.handle_tls_established().unwrap();
    s.handle_input(b"e NOOP\r\n").unwrap();
    let (_, events) = drain_server(&mut s);
    // Only the command sent after TLS is up is executed; b, c and d never were.
    assert_eq!(commands(&events), ["e NOOP"]);
}

#[test]
fn client_never_interprets_a_response_pipelined_after_starttls_ok() {
    let mut c = ClientSession::resume(ClientConfig::default(), State::NotAuthenticated);
    c.handle_input(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n")
        .unwrap();
    while c.poll_output().is_some() {}
    let tls = c.send(CommandBody::StartTls).unwrap();
    // The server's OK and, in the same packet, an injected response that would announce
    // capabilities without LOGINDISABLED (a downgrade) and claim a completion.
    let packet = b"A1 OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK fake\r\n";
    c.handle_input(packet).unwrap();
    let mut events = Vec::new();
    let mut bytes = Vec::new();
    while let Some(o) = c.poll_output() {
        match o {
            ClientOutput::Transmit(b) => bytes.extend_from_slice(b),
            ClientOutput::Event(e) => events.push(e),
            ClientOutput::LiteralChunk { .. } => unreachable!("no literal is streamed here"),
        }
    }
    assert_eq!(bytes, b"A1 STARTTLS\r\n");
    let injected = b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK fake\r\n".len();
    assert!(matches!(&events[0], ClientEvent::Completed { handle, .. } if *handle == tls));
    assert_eq!(
        events[1..],
        [
            // What was learned in clear is dropped, and said so (issue 18 item 7).
            ClientEvent::PlaintextStateDropped {
                capabilities: vec![
                    Capability::Imap4rev1,
                    Capability::StartTls,
                    Capability::LoginDisabled
                ],
                enabled: vec![],
            },
            ClientEvent::ProtocolError(PeerError::StartTlsInjection { len: injected }),
            ClientEvent::TlsRequired {
                discarded: injected
            },
        ]
    );
    // Nothing of it was believed: capabilities are unknown until asked again over TLS.
    assert_eq!(c.capabilities(), None);
    assert_eq!(
        c.handle_input(b"* OK more\r\n"),
        Err(LocalError::TlsPending)
    );
    assert_eq!(c.send(CommandBody::Noop), Err(LocalError::TlsPending));
    c.handle_tls_established().unwrap();
    c.send(CommandBody::Capability).unwrap();
}

#[test]
fn client_does_not_pipeline_behind_starttls() {
    let mut c = ClientSession::resume(ClientConfig::default(), State::NotAuthenticated);
    c.send(CommandBody::StartTls).unwrap();
    assert_eq!(c.send(CommandBody::Noop), Err(LocalError::StartTlsInFlight));
}

#[test]
fn server_response_after_refused_starttls_goes_on() {
    let mut pair = Pair::new(ClientConfig::default(), ServerConfig::default());
    pair.server
        .send_greeting(imap_codec::Greeting::parse(b"* OK hi\r\n").unwrap())
        .unwrap();
    pair.drive();
    pair.client.send(CommandBody::StartTls).unwrap();
    pair.drive();
    pair.server
        .send_response(Response::parse(b"A1 NO not now\r\n").unwrap())
        .unwrap();
    pair.drive();
    pair.client.send(CommandBody::Noop).unwrap();
    pair.drive();
    assert!(pair.server.in_flight().any(|(t, _)| t == "A2"));
}

/// RFC 7888 §3, §5: a client sends `{n+}` only to a server that advertised LITERAL+, or
/// LITERAL- (which IMAP4rev2 includes) for at most 4096 octets; otherwise the literal goes
/// synchronizing and the client waits for `+`.
#[test]
fn client_sends_non_sync_literals_only_where_the_server_allows_them() {
    let login = |n: usize| {
        let line = format!("x LOGIN {{{n}+}}\r\n{} pw\r\n", "u".repeat(n));
        imap_codec::IntoStatic::into_static(Command::parse(line.as_bytes()).unwrap())
    };
    for (capabilities, n, expect_non_sync) in [
        ("IMAP4rev1", 5, false),
        ("IMAP4rev1 LITERAL-", 4096, true),
        ("IMAP4rev1 LITERAL-", 4097, false),
        ("IMAP4rev2", 4096, true),
        ("IMAP4rev2", 4097, false),
        ("IMAP4rev1 LITERAL+", 4097, true),
    ] {
        let mut c = ClientSession::resume(ClientConfig::default(), State::NotAuthenticated);
        c.handle_input(format!("* CAPABILITY {capabilities}\r\n").as_bytes())
            .unwrap();
        while c.poll_output().is_some() {}
        c.send_command(login(n)).unwrap();
        let mut bytes = Vec::new();
        while let Some(o) = c.poll_output() {
            if let ClientOutput::Transmit(b) = o {
                bytes.extend_from_slice(b);
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if expect_non_sync {
            // The whole command at once.
            assert!(
                text.starts_with(&format!("x LOGIN {{{n}+}}\r\n")),
                "{capabilities} {n}"
            );
            assert!(text.ends_with(" pw\r\n"), "{capabilities} {n}");
        } else {
            // Only the line up to the literal, until the server's `+`.
            assert_eq!(text, format!("x LOGIN {{{n}}}\r\n"), "{capabilities} {n}");
            c.handle_input(b"+ go ahead\r\n").unwrap();
            let mut rest = Vec::new();
            while let Some(o) = c.poll_output() {
                if let ClientOutput::Transmit(b) = o {
                    rest.extend_from_slice(b);
                }
            }
            assert_eq!(rest, format!("{} pw\r\n", "u".repeat(n)).into_bytes());
        }
    }
}

/// Two commands in flight through the pair: the server's application answers a FETCH and a
/// UID FETCH with interleaved untagged data, and the client attributes each FETCH response
/// to the command whose set holds it (issue 11 item 5).
#[test]
fn two_fetches_in_flight_are_told_apart_end_to_end() {
    let mut pair = Pair::resume(
        ClientConfig::default(),
        ServerConfig::default(),
        State::Selected,
    );
    let fetch = pair
        .client
        .send_command(Command::parse(b"a1 FETCH 1:2 FLAGS\r\n").unwrap())
        .unwrap();
    let uid_fetch = pair
        .client
        .send_command(Command::parse(b"a2 UID FETCH 40:50 FLAGS\r\n").unwrap())
        .unwrap();
    pair.drive();
    assert_eq!(
        commands(&pair.server_events),
        ["a1 FETCH", "a2 UID FETCH"],
        "both commands reached the server's application"
    );
    for line in [
        &b"* 9 FETCH (UID 45 FLAGS ())\r\n"[..],
        b"* 1 FETCH (FLAGS (\\Seen))\r\n",
        b"* 2 FETCH (FLAGS ())\r\n",
        b"a1 OK done\r\n",
        b"a2 OK done\r\n",
    ] {
        pair.server
            .send_response(Response::parse(line).unwrap())
            .unwrap();
    }
    pair.drive();
    let attributed: Vec<_> = pair
        .client_events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Data { handle, .. } => Some(*handle),
            _ => None,
        })
        .collect();
    assert_eq!(attributed, [Some(uid_fetch), Some(fetch), Some(fetch)]);
}
