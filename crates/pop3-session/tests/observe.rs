//! Observer mode (`mailproto_pop3_session::observe`): the two observers follow a recorded exchange,
//! transmit nothing, and never lose the pairing after a line that does not parse.

use mailproto_pop3_session::ops::{ClientRecord, drain_client, drain_server};
use mailproto_pop3_session::{
    ClientEvent, ClientSession, ClientState, Inbound, LocalError, MessageKind, PeerError,
    ReceivedResponse, ServerEvent, ServerSession,
};
use pop3_codec::{Command, Expected, Limits, Response};

fn received_commands(ev: &[ServerEvent]) -> Vec<Result<Inbound, ()>> {
    ev.iter()
        .filter_map(|e| match e {
            ServerEvent::Received(r) => Some(r.result.clone().map_err(|_| ())),
            _ => None,
        })
        .collect()
}

fn responses(ev: &[ClientRecord]) -> Vec<&ReceivedResponse> {
    ev.iter()
        .filter_map(|e| match e {
            ClientRecord::Event(ClientEvent::Received(r)) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn a_rejected_line_gets_exactly_one_answer() {
    let mut server = ServerSession::observer(Limits::default());
    let mut client = ClientSession::observer(Limits::default(), ClientState::Transaction);
    assert!(server.is_observer() && client.is_observer());

    // The client pipelines a bad line and three commands.
    server
        .handle_input(b"STAT x\r\nLIST\r\nSTAT\r\nQUIT\r\n")
        .unwrap();
    let mut wire = Vec::new();
    let ev = drain_server(&mut server, &mut wire);
    assert!(wire.is_empty(), "an observer transmits nothing");
    let got = received_commands(&ev);
    assert_eq!(got.len(), 4);
    assert!(got[0].is_err());
    for r in &got {
        match r {
            Ok(Inbound::Command(c)) => {
                client.send(c.clone()).unwrap();
            }
            Err(()) => client.observe_rejected_line().unwrap(),
            Ok(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(client.in_flight(), 4);

    client
        .handle_input(b"-ERR syntax error\r\n+OK\r\n1 120\r\n.\r\n+OK 1 120\r\n+OK bye\r\n")
        .unwrap();
    let mut wire = Vec::new();
    let ev = drain_client(&mut client, &mut wire);
    assert!(wire.is_empty(), "an observer transmits nothing");
    let answers: Vec<(Expected, bool)> = responses(&ev)
        .iter()
        .map(|r| (r.answers, r.result.is_ok()))
        .collect();
    assert_eq!(
        answers,
        [
            (Expected::Status, true),
            (Expected::ScanList, true),
            (Expected::Stat, true),
            (Expected::Status, true),
        ]
    );
    assert!(matches!(
        responses(&ev)[2].result,
        Ok(Response::Stat(ref d)) if d.count == 1
    ));
    assert_eq!(client.in_flight(), 0);
    // A recording may chain sessions: the observer goes on after QUIT.
    assert_ne!(client.state(), ClientState::Closed);
}

#[test]
fn a_response_that_does_not_parse_is_reported_and_the_next_pairs() {
    let mut client = ClientSession::observer(Limits::default(), ClientState::Transaction);
    client.send(Command::Stat).unwrap();
    client.send(Command::Noop).unwrap();
    client.handle_input(b"+OK two\r\n+OK\r\n").unwrap();
    let ev = drain_client(&mut client, &mut Vec::new());
    let r = responses(&ev);
    assert_eq!(r.len(), 2);
    assert!(matches!(r[0].result, Err(PeerError::Syntax(_))));
    assert_eq!(
        (r[1].answers, r[1].result.is_ok()),
        (Expected::Status, true)
    );
    assert_ne!(client.state(), ClientState::Closed);
}

#[test]
fn sasl_lines_follow_a_challenge_and_tls_resets_the_reader() {
    let mut server = ServerSession::observer(Limits::default());
    server.handle_input(b"AUTH PLAIN\r\n").unwrap();
    let ev = drain_server(&mut server, &mut Vec::new());
    assert!(matches!(
        &ev[..],
        [ServerEvent::Received(r)] if r.kind == MessageKind::Command
    ));
    // The server's challenge was seen: the next line is a SASL line, then commands again.
    server.sasl_challenge(b"").unwrap();
    server
        .handle_input(b"dGVzdAB0ZXN0AHRlc3Q=\r\nSTAT\r\n")
        .unwrap();
    let ev = drain_server(&mut server, &mut Vec::new());
    let kinds: Vec<MessageKind> = ev
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Received(r) => Some(r.kind),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, [MessageKind::SaslResponse, MessageKind::Command]);

    // Bytes still buffered when TLS comes up were sent in the clear: reported, dropped.
    server.handle_input(b"STLS\r\nUSER x").unwrap();
    let _ = drain_server(&mut server, &mut Vec::new());
    server.handle_tls_established().unwrap();
    let ev = drain_server(&mut server, &mut Vec::new());
    assert_eq!(
        ev,
        [ServerEvent::PeerError(PeerError::StartTlsInjection {
            len: 6
        })]
    );
    assert!(server.is_tls());

    // A normal session does not take observer calls.
    let mut c = ClientSession::new(Limits::default());
    assert!(matches!(
        c.observe_rejected_line(),
        Err(LocalError::WrongState { .. })
    ));
}
