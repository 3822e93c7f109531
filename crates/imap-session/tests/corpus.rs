//! Every `corpus/imap` trace through the sessions: the `C:` side into a server session, the
//! `S:` side into a client session, each one's messages handed to the other as its side's
//! intentions (observer configurations, since traces start anywhere). The interesting state
//! changes are snapshotted (insta), one line per trace that has any; the chunking of the input
//! must not change any event (proptest).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, Inbound, MailboxChange, ServerConfig,
    ServerEvent, ServerOutput, ServerSession, State,
};
use mailtrace::format::{self, Side, Start, Trace};
use proptest::prelude::*;

fn traces() -> &'static Vec<(String, Trace)> {
    static TRACES: OnceLock<Vec<(String, Trace)>> = OnceLock::new();
    TRACES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/imap");
        let mut files: Vec<PathBuf> = Vec::new();
        for dir in std::fs::read_dir(&root).unwrap() {
            for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|x| x == "trace") {
                    files.push(f);
                }
            }
        }
        files.sort();
        files
            .into_iter()
            .map(|f| {
                let name = f.strip_prefix(&root).unwrap().display().to_string();
                let trace = format::parse(&std::fs::read_to_string(&f).unwrap()).unwrap();
                (name, trace)
            })
            .collect()
    })
}

fn start(trace: &Trace) -> State {
    match trace.headers.start {
        Start::Connect => State::Greeting,
        Start::Authenticated => State::Authenticated,
        Start::Selected => State::Selected,
        _ => State::NotAuthenticated,
    }
}

/// Follows a trace; returns the interesting changes, in order.
fn follow(trace: &Trace) -> Vec<String> {
    let s0 = start(trace);
    let mut server = ServerSession::resume(ServerConfig::observer(), s0);
    let mut client = ClientSession::resume(ClientConfig::observer(), s0);
    let mut log = Vec::new();
    for data in &trace.lines {
        let _ = match data.side {
            Side::Client => server.handle_input(&data.bytes),
            Side::Server => client.handle_input(&data.bytes),
        };
        loop {
            let mut progress = false;
            while let Some(o) = server.poll_output() {
                progress = true;
                let ServerOutput::Event(e) = o else { continue };
                match e {
                    ServerEvent::Received(r) => {
                        let _ = match r.result {
                            Ok(Inbound::Command(c)) => client.send_command(c).map(|_| ()),
                            Ok(Inbound::AuthenticateData(d)) => client.authenticate_continue(d),
                            Ok(Inbound::IdleDone(_)) => client.idle_done(),
                            _ => Ok(()),
                        };
                    }
                    ServerEvent::StateChanged { from, to } => {
                        log.push(format!("{}: server {from:?}->{to:?}", data.line))
                    }
                    ServerEvent::IdleDone { tag } => {
                        log.push(format!("{}: server IDLE {} done", data.line, tag.as_str()))
                    }
                    ServerEvent::AuthenticateData { tag, .. } => log.push(format!(
                        "{}: server SASL line for {}",
                        data.line,
                        tag.as_str()
                    )),
                    ServerEvent::TlsRequired => log.push(format!("{}: server TLS", data.line)),
                    _ => {}
                }
            }
            while let Some(o) = client.poll_output() {
                progress = true;
                let ClientOutput::Event(e) = o else { continue };
                match e {
                    ClientEvent::Received(r) => {
                        let _ = match r.result {
                            Ok(Inbound::Greeting(g)) => server.send_greeting(g),
                            Ok(Inbound::Response(r)) => server.send_response(r),
                            _ => Ok(()),
                        };
                    }
                    ClientEvent::StateChanged { from, to } => {
                        log.push(format!("{}: client {from:?}->{to:?}", data.line))
                    }
                    ClientEvent::TlsRequired { discarded } => {
                        log.push(format!("{}: client TLS (discarded {discarded})", data.line));
                        let _ = client.handle_tls_established();
                        let _ = server.handle_tls_established();
                    }
                    ClientEvent::IdleAccepted { .. } => {
                        log.push(format!("{}: client IDLE accepted", data.line))
                    }
                    ClientEvent::AuthenticateChallenge { data: d, .. } => log.push(format!(
                        "{}: client challenge of {} octets",
                        data.line,
                        d.len()
                    )),
                    ClientEvent::LiteralRejected { .. } => {
                        log.push(format!("{}: client literal refused", data.line))
                    }
                    ClientEvent::Mailbox(MailboxChange::UidValidityChanged { old, new }) => {
                        log.push(format!("{}: client UIDVALIDITY {old}->{new}", data.line))
                    }
                    ClientEvent::Data {
                        data: imap_codec::Data::Expunge(n),
                        ..
                    } if client.mailbox().is_some() => {
                        log.push(format!("{}: client expunged {n}", data.line))
                    }
                    _ => {}
                }
            }
            if !progress {
                break;
            }
        }
    }
    // Where each session ended, with what the client knows of the mailbox.
    let mut end = format!(
        "end: client {:?}, server {:?}",
        client.state(),
        server.state()
    );
    if let Some(v) = client.mailbox() {
        end.push_str(&format!(
            ", mailbox exists={} uidvalidity={:?} read_only={:?}",
            v.exists,
            v.uid_validity.map(|n| n.get()),
            v.read_only
        ));
    }
    if !log.is_empty() {
        log.push(end);
    }
    log
}

#[test]
fn every_trace_follows_through_the_sessions() {
    let mut out = String::new();
    for (name, trace) in traces() {
        let log = follow(trace);
        if !log.is_empty() {
            out.push_str(&format!("{name}\n"));
            for l in log {
                out.push_str(&format!("  {l}\n"));
            }
        }
    }
    insta::assert_snapshot!("corpus_state_changes", out);
}

/// All events of one side's stream fed in the given chunks (no cross-feeding).
fn events(side: Side, stream: &[u8], cuts: &[usize]) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut at = 0;
    for &c in cuts {
        let c = c.min(stream.len());
        if c > at {
            chunks.push(&stream[at..c]);
            at = c;
        }
    }
    chunks.push(&stream[at..]);
    let mut out = Vec::new();
    match side {
        Side::Client => {
            let mut s = ServerSession::resume(ServerConfig::observer(), State::NotAuthenticated);
            for c in chunks {
                let _ = s.handle_input(c);
                while let Some(o) = s.poll_output() {
                    if let ServerOutput::Event(e) = o {
                        out.push(format!("{e:?}"));
                    }
                }
            }
        }
        Side::Server => {
            let mut s = ClientSession::resume(ClientConfig::observer(), State::NotAuthenticated);
            for c in chunks {
                let _ = s.handle_input(c);
                while let Some(o) = s.poll_output() {
                    if let ClientOutput::Event(e) = o {
                        out.push(format!("{e:?}"));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn byte_at_a_time_gives_the_same_events() {
    for (name, trace) in traces() {
        for side in [Side::Client, Side::Server] {
            let stream = trace.stream(side);
            let whole = events(side, &stream, &[]);
            let cuts: Vec<usize> = (1..stream.len()).collect();
            assert_eq!(events(side, &stream, &cuts), whole, "{name} {side:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_chunking_gives_the_same_events(
        index in 0usize..1000,
        client_side in any::<bool>(),
        mut cuts in proptest::collection::vec(0usize..20_000, 0..40),
    ) {
        let all = traces();
        let (name, trace) = &all[index % all.len()];
        let side = if client_side { Side::Client } else { Side::Server };
        let stream = trace.stream(side);
        cuts.sort_unstable();
        prop_assert_eq!(events(side, &stream, &cuts), events(side, &stream, &[]), "{}", name);
    }
}
