//! Every `corpus/pop3` trace (but `invalid/` and other `expect: reject` traces) through the sessions: the `C:` side into a
//! server session whose application answers as the trace's `S:` lines do, and the `S:`
//! side into a client session whose commands are issued from the trace's `C:` lines.
//!
//! A trace is cut into segments at its `# ...` comments (the RFC elides exchanges there,
//! so the state after them is unknown); each segment is its own session. A segment that
//! does not start at `connect` gets a synthetic prefix: a greeting (with the RFC 1939
//! timestamp), plus a USER/PASS login when its first command belongs to TRANSACTION.

mod common;

use std::path::{Path, PathBuf};

use mailproto_pop3_session::ops::{ClientRecord, drain_client, drain_server};
use mailproto_pop3_session::{
    ClientEvent, ClientSession, Maildrop, MessageInfo, PeerError, Refusal, ServerEvent,
    ServerSession,
};
use mailtrace::format::{self, DataLine, Side, Start};
use pop3_codec::{
    Command, Expected, Greeting, IntoStatic, Limits, Response, ResponseDecoder, ResponseEvent,
    SaslResponse, StatusLine, UniqueId,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    None,
    Authorization,
    Transaction,
}

/// One client message and the server's answer to it.
struct Exchange {
    line: usize,
    client: Vec<u8>,
    server: Vec<u8>,
}

fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().unwrap() != "invalid" {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "trace") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/pop3");
    let mut out = Vec::new();
    walk(&root, &mut out);
    out.sort();
    out
}

/// Splits data lines at `# ...` comments.
fn segments(text: &str, lines: &[DataLine]) -> Vec<Vec<DataLine>> {
    let cuts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("# ..."))
        .map(|(i, _)| i + 1)
        .collect();
    let mut out: Vec<Vec<DataLine>> = vec![Vec::new()];
    let mut prev = 0;
    for l in lines {
        if cuts.iter().any(|&c| c > prev && c < l.line) && !out.last().unwrap().is_empty() {
            out.push(Vec::new());
        }
        prev = l.line;
        out.last_mut().unwrap().push(l.clone());
    }
    out
}

/// The greeting (S lines before the first C line) and the exchanges.
fn exchanges(lines: &[DataLine]) -> (Vec<u8>, Vec<Exchange>) {
    let mut greeting = Vec::new();
    let mut out: Vec<Exchange> = Vec::new();
    for l in lines {
        match l.side {
            Side::Client => out.push(Exchange {
                line: l.line,
                client: l.bytes.clone(),
                server: Vec::new(),
            }),
            Side::Server => match out.last_mut() {
                Some(x) => x.server.extend_from_slice(&l.bytes),
                None => greeting.extend_from_slice(&l.bytes),
            },
        }
    }
    (greeting, out)
}

const TRANSACTION_COMMANDS: &[&str] = &[
    "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL",
];

fn prefix_for(name: &str, first: &[u8], segment: usize, connect: bool) -> Prefix {
    if segment == 0 && connect {
        return Prefix::None;
    }
    // RFC 1939 §6's QUIT is the one from TRANSACTION (UPDATE).
    if name.ends_with("rfc1939/6-quit.trace") {
        return Prefix::Transaction;
    }
    let keyword = String::from_utf8_lossy(first)
        .split([' ', '\r'])
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if TRANSACTION_COMMANDS.contains(&keyword.as_str()) {
        Prefix::Transaction
    } else {
        Prefix::Authorization
    }
}

fn default_maildrop() -> Maildrop {
    Maildrop::new(vec![
        MessageInfo {
            size: 120,
            uid: Some(UniqueId::new("whqtswO00WBw418f9t5JxYwZ").unwrap()),
        },
        MessageInfo {
            size: 200,
            uid: Some(UniqueId::new("QhdPYR:00WBw1Ph7x7").unwrap()),
        },
    ])
}

fn first_line(bytes: &[u8]) -> &[u8] {
    let end = memchr_lf(bytes).map_or(bytes.len(), |i| i + 1);
    &bytes[..end]
}

fn memchr_lf(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    Ok,
    Err,
    Challenge,
}

fn sign(answer: &[u8]) -> Sign {
    if answer.starts_with(b"+OK") {
        Sign::Ok
    } else if answer.starts_with(b"-ERR") {
        Sign::Err
    } else {
        Sign::Challenge
    }
}

fn refusal_from(line: &[u8]) -> Refusal {
    let status = StatusLine::parse(line).unwrap();
    let r = Refusal::new(status.text().as_str().unwrap());
    match status.code() {
        Some(c) => r.with_response_code(c.clone().into_static()),
        None => r,
    }
}

// ------------------------------------------------------------------------- server side

fn server_segment(name: &str, greeting: &[u8], xs: &[Exchange], prefix: Prefix) -> usize {
    let greeting_line = if prefix == Prefix::None {
        greeting.to_vec()
    } else {
        format!("{}\r\n", common::RFC_GREETING).into_bytes()
    };
    let config = common::config_with(Greeting::parse(&greeting_line).unwrap().into_static());
    let mut s = ServerSession::new(config);
    let mut wire = Vec::new();
    assert!(drain_server(&mut s, &mut wire).is_empty());
    assert_eq!(wire, greeting_line, "{name}: greeting");
    if prefix == Prefix::Transaction {
        s.handle_input(b"USER mrose\r\nPASS secret\r\n").unwrap();
        let events = drain_server(&mut s, &mut wire);
        assert!(
            matches!(events[..], [ServerEvent::Authenticate(_)]),
            "{name}: {events:?}"
        );
        s.accept_login(default_maildrop()).unwrap();
        let _ = drain_server(&mut s, &mut wire);
    }
    let mut expected = Expected::Status;
    let mut in_sasl = false;
    let mut checked = 0;
    for x in xs {
        let ctx = format!("{name}:{}", x.line);
        wire.clear();
        s.handle_input(&x.client).unwrap();
        if in_sasl {
            expected = Expected::Auth;
        } else if let Ok(c) = Command::parse(&x.client) {
            expected = Expected::from(&c);
            in_sasl = matches!(c, Command::Auth { .. });
        }
        let mut decided = false;
        let mut tls = false;
        loop {
            let events = drain_server(&mut s, &mut wire);
            if events.is_empty() {
                break;
            }
            for e in events {
                let answer = &x.server;
                match e {
                    ServerEvent::Authenticate(_)
                    | ServerEvent::SaslStart { .. }
                    | ServerEvent::SaslResponse(_) => {
                        decided = true;
                        match sign(answer) {
                            Sign::Ok => s.accept_login(default_maildrop()).unwrap(),
                            Sign::Err => s.reject_login(refusal_from(first_line(answer))).unwrap(),
                            Sign::Challenge => {
                                let Response::Challenge(d) =
                                    Response::parse(answer, Expected::Auth).unwrap()
                                else {
                                    panic!("{ctx}: challenge")
                                };
                                s.sasl_challenge(&d).unwrap();
                            }
                        }
                    }
                    ServerEvent::Retrieve { .. } => {
                        decided = true;
                        match Response::parse(answer, Expected::Message).unwrap() {
                            Response::Message(m) => {
                                for c in m.body().chunks(5) {
                                    s.send_body(c).unwrap();
                                }
                                s.end_body().unwrap();
                            }
                            _ => s.refuse_retrieve(refusal_from(first_line(answer))).unwrap(),
                        }
                    }
                    ServerEvent::Update { .. } => {
                        decided = true;
                        let outcome = match sign(answer) {
                            Sign::Ok => Ok(()),
                            _ => Err(refusal_from(first_line(answer))),
                        };
                        s.commit_update(outcome).unwrap();
                    }
                    ServerEvent::StartTls => tls = true,
                    ServerEvent::PeerError(PeerError::Syntax(e)) => {
                        panic!("{ctx}: the server rejected the client's bytes: {e}")
                    }
                    ServerEvent::PeerError(e @ PeerError::WrongState { .. })
                    | ServerEvent::PeerError(e @ PeerError::PassWithoutUser) => {
                        panic!("{ctx}: not accepted in this state: {e}")
                    }
                    _ => {}
                }
            }
        }
        // The server answered with exactly one well-formed response.
        let mut dec = ResponseDecoder::without_greeting(Limits::default());
        dec.expect(expected);
        dec.push(&wire);
        let mut got_sign = None;
        let mut complete = 0;
        while let Some(ev) = dec
            .next_event()
            .unwrap_or_else(|e| panic!("{ctx}: server sent bad bytes: {e}"))
        {
            match ev {
                ResponseEvent::Response(r) => {
                    complete += 1;
                    got_sign = Some(match r {
                        Response::Challenge(_) => Sign::Challenge,
                        r => match r.status() {
                            Some(st) if !st.is_ok() => Sign::Err,
                            _ => Sign::Ok,
                        },
                    });
                }
                ResponseEvent::MessageStart(_) => got_sign = Some(Sign::Ok),
                ResponseEvent::MessageEnd => complete += 1,
                ResponseEvent::BodyChunk(_) => {}
            }
        }
        assert_eq!(
            complete,
            1,
            "{ctx}: one response, got {:?}",
            String::from_utf8_lossy(&wire)
        );
        assert_eq!(dec.buffered_len(), 0, "{ctx}: trailing bytes");
        if decided {
            assert_eq!(got_sign, Some(sign(&x.server)), "{ctx}: answer");
            if sign(&x.server) == Sign::Err {
                assert_eq!(wire, first_line(&x.server), "{ctx}: refusal with its code");
            }
        }
        if got_sign != Some(Sign::Challenge) {
            in_sasl = false;
        }
        if tls {
            s.handle_tls_established().unwrap();
        }
        checked += 1;
    }
    checked
}

// ------------------------------------------------------------------------- client side

fn client_segment(name: &str, greeting: &[u8], xs: &[Exchange], prefix: Prefix) -> usize {
    let mut c = ClientSession::new(Limits::default());
    let mut wire = Vec::new();
    let greeting_line = if prefix == Prefix::None {
        greeting.to_vec()
    } else {
        format!("{}\r\n", common::RFC_GREETING).into_bytes()
    };
    c.handle_input(&greeting_line).unwrap();
    let ev = drain_client(&mut c, &mut wire);
    assert!(
        matches!(ev[..], [ClientRecord::Event(ClientEvent::Greeting(_))]),
        "{name}: {ev:?}"
    );
    if prefix == Prefix::Transaction {
        c.send(Command::parse(b"USER mrose\r\n").unwrap()).unwrap();
        c.handle_input(b"+OK\r\n").unwrap();
        let _ = drain_client(&mut c, &mut wire);
        c.send(Command::parse(b"PASS secret\r\n").unwrap()).unwrap();
        c.handle_input(b"+OK\r\n").unwrap();
        let ev = drain_client(&mut c, &mut wire);
        assert!(
            ev.iter()
                .any(|e| matches!(e, ClientRecord::Event(ClientEvent::LoggedIn { .. }))),
            "{name}: {ev:?}"
        );
    }
    let mut sasl = false;
    let mut checked = 0;
    for x in xs {
        let ctx = format!("{name}:{}", x.line);
        wire.clear();
        let mut retrieve = false;
        if sasl {
            match SaslResponse::parse(&x.client).unwrap() {
                SaslResponse::Data(d) => c.sasl_respond(&d).unwrap(),
                SaslResponse::Cancel => c.sasl_cancel().unwrap(),
            }
        } else {
            let cmd = Command::parse(&x.client).unwrap();
            retrieve = matches!(cmd, Command::Retr(_) | Command::Top { .. });
            c.send(cmd)
                .unwrap_or_else(|e| panic!("{ctx}: the client refused to send: {e}"));
        }
        let _ = drain_client(&mut c, &mut wire);
        assert_eq!(
            String::from_utf8_lossy(&wire),
            String::from_utf8_lossy(&x.client),
            "{ctx}: the client's bytes"
        );
        c.handle_input(&x.server).unwrap();
        let events = drain_client(&mut c, &mut wire);
        let mut got = None;
        let mut body = Vec::new();
        for e in &events {
            use ClientEvent as E;
            let s = match e {
                ClientRecord::Chunk { data, .. } => {
                    body.extend_from_slice(data);
                    continue;
                }
                ClientRecord::Event(e) => match e {
                    E::SaslChallenge { .. } => Sign::Challenge,
                    E::AuthFailed { .. } | E::Refused { .. } => Sign::Err,
                    E::Quit { status, .. } if !status.is_ok() => Sign::Err,
                    E::PeerError(p) => panic!("{ctx}: the client rejected the server: {p}"),
                    E::Closed(_) | E::MessageEnd { .. } | E::PlaintextStateDropped { .. } => {
                        continue;
                    }
                    _ => Sign::Ok,
                },
            };
            assert!(got.is_none(), "{ctx}: two answers: {events:?}");
            got = Some(s);
            if let ClientRecord::Event(E::StartTls { .. }) = e {
                c.handle_tls_established().unwrap();
            }
        }
        assert_eq!(got, Some(sign(&x.server)), "{ctx}: {events:?}");
        sasl = got == Some(Sign::Challenge);
        if retrieve && got == Some(Sign::Ok) {
            let Response::Message(m) = Response::parse(&x.server, Expected::Message).unwrap()
            else {
                panic!("{ctx}: a message")
            };
            assert_eq!(body, m.body(), "{ctx}: body");
            assert!(
                events
                    .iter()
                    .any(|e| matches!(e, ClientRecord::Event(ClientEvent::MessageEnd { .. }))),
                "{ctx}: message end"
            );
        }
        assert_eq!(c.in_flight(), usize::from(sasl), "{ctx}: answered");
        checked += 1;
    }
    checked
}

#[test]
fn every_corpus_trace_through_both_sessions() {
    let files = corpus_files();
    assert!(files.len() >= 27, "found {} traces", files.len());
    let mut exchanges_checked = 0;
    for path in &files {
        let name = path.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap();
        let trace = format::parse(&text).unwrap();
        // (A `profile: real-world` trace is one the strict grammar rejects: mailtrace's tests
        // check those.)
        if trace.headers.expect == format::Expect::Reject
            || trace.headers.profile == format::Profile::RealWorld
        {
            // Invalid-then-valid flows (`flow/`): mailtrace's tests check those.
            continue;
        }
        let connect = trace.headers.start == Start::Connect;
        for (i, seg) in segments(&text, &trace.lines).iter().enumerate() {
            let (greeting, xs) = exchanges(seg);
            if xs.is_empty() {
                // A greeting-only trace (RFC 1939 §4).
                let mut c = ClientSession::new(Limits::default());
                c.handle_input(&greeting).unwrap();
                let ev = drain_client(&mut c, &mut Vec::new());
                assert!(
                    matches!(ev[..], [ClientRecord::Event(ClientEvent::Greeting(_))]),
                    "{name}"
                );
                continue;
            }
            for x in &xs {
                assert!(
                    !x.server.is_empty(),
                    "{name}:{}: an unanswered client line",
                    x.line
                );
            }
            let prefix = prefix_for(&name, &xs[0].client, i, connect);
            let a = server_segment(&name, &greeting, &xs, prefix);
            let b = client_segment(&name, &greeting, &xs, prefix);
            assert_eq!(a, b);
            exchanges_checked += a;
        }
    }
    eprintln!("{} traces, {exchanges_checked} exchanges", files.len());
    assert!(exchanges_checked >= 60, "{exchanges_checked} exchanges");
}
