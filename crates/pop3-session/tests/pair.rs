//! Client ↔ server over in-memory queues, and the attack and UPDATE tests.

mod common;

use common::{MailApp, Pair};
use mailproto_pop3_session::ops::{ClientRecord, drain_client, drain_server};
use mailproto_pop3_session::{
    Attempt, ClientClose, ClientEvent, ClientSession, ClientState, LocalError, PeerError, Refusal,
    ServerClose, ServerEvent, ServerSession, ServerState,
};
use mailtrace::format::{self, Side};
use pop3_codec::{Capability, Command, CommandKind, Limits, Mechanism, MsgNumber, Param, Secret};

fn n(x: u32) -> MsgNumber {
    MsgNumber::new(x).unwrap()
}

fn user(name: &str) -> Command<'static> {
    Command::User(Param::new(name.to_owned()).unwrap())
}

fn pass(p: &str) -> Command<'static> {
    Command::Pass(Secret::new(p.to_owned()).unwrap())
}

fn events(p: &Pair) -> Vec<&ClientEvent<'static>> {
    p.client_events
        .iter()
        .filter_map(|e| match e {
            ClientRecord::Event(e) => Some(e),
            ClientRecord::Chunk { .. } => None,
        })
        .collect()
}

fn last_event(p: &Pair) -> &ClientEvent<'static> {
    events(p).into_iter().last().expect("an event")
}

fn server_closes(p: &Pair) -> Vec<ServerClose> {
    p.app
        .events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Closed(c) => Some(*c),
            _ => None,
        })
        .collect()
}

fn logged_in_pair(messages: Vec<Vec<u8>>) -> Pair {
    let mut p = Pair::new(common::config(), MailApp::new(messages));
    p.run();
    p.send(user("mrose"));
    p.send(pass("tanstaaf"));
    assert!(matches!(last_event(&p), ClientEvent::LoggedIn { .. }));
    assert_eq!(p.server.state(), ServerState::Transaction);
    p
}

/// The RFC 1939 §10 example session, end to end; the client's bytes are the trace's.
#[test]
fn rfc1939_section10_example_session() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/pop3/rfc1939/10-example-session.trace"
    );
    let trace = format::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The two bodies, from the trace's RETR answers (as the codec's replay reads them).
    let bodies: Vec<Vec<u8>> = mailtrace::pop3::replay(&trace)
        .messages
        .into_iter()
        .filter_map(|m| match m.result {
            mailtrace::report::Outcome::Ok {
                value: mailtrace::pop3::Parsed::Message { body, .. },
            } => Some(body),
            _ => None,
        })
        .collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!((bodies[0].len(), bodies[1].len()), (120, 200));

    let mut p = Pair::new(common::config(), MailApp::new(bodies.clone()));
    p.run();
    let ClientEvent::Greeting(g) = last_event(&p) else {
        panic!()
    };
    assert_eq!(
        g.timestamp().unwrap().as_str(),
        "<1896.697170952@dbc.mtview.ca.us>"
    );
    p.client
        .apop(Param::new("mrose").unwrap(), b"tanstaaf")
        .unwrap();
    p.run();
    assert!(matches!(last_event(&p), ClientEvent::LoggedIn { .. }));
    p.send(Command::Stat);
    assert!(matches!(
        last_event(&p),
        ClientEvent::Stat {
            count: 2,
            size: 320,
            ..
        }
    ));
    p.send(Command::List(None));
    let ClientEvent::ScanList { listings, .. } = last_event(&p) else {
        panic!()
    };
    assert_eq!(
        listings.iter().map(|l| l.size).collect::<Vec<_>>(),
        [120, 200]
    );
    let r1 = p.send(Command::Retr(n(1)));
    p.send(Command::Dele(n(1)));
    let r2 = p.send(Command::Retr(n(2)));
    p.send(Command::Dele(n(2)));
    assert_eq!(p.body(r1), bodies[0]);
    assert_eq!(p.body(r2), bodies[1]);
    p.send(Command::Quit);
    let evs = events(&p);
    assert!(matches!(
        evs[evs.len() - 2],
        ClientEvent::Quit { updated: true, .. }
    ));
    assert_eq!(evs[evs.len() - 1], &ClientEvent::Closed(ClientClose::Quit));
    assert_eq!(p.app.updates, vec![vec![n(1), n(2)]]);
    assert_eq!(p.client.state(), ClientState::Closed);
    assert_eq!(p.server.state(), ServerState::Closed);
    assert_eq!(
        server_closes(&p),
        [ServerClose::Updated { committed: true }]
    );
    // The client sent exactly the RFC's bytes.
    assert_eq!(
        String::from_utf8_lossy(&p.client_wire),
        String::from_utf8_lossy(&trace.stream(Side::Client))
    );
}

#[test]
fn update_only_on_quit_in_transaction() {
    // Dropped connection after DELE: no UPDATE.
    let mut p = logged_in_pair(vec![b"a\r\n".to_vec(), b"b\r\n".to_vec()]);
    p.send(Command::Dele(n(1)));
    assert!(p.server.is_deleted(n(1)));
    p.drop_connection();
    assert!(p.app.updates.is_empty());
    assert!(
        !p.app
            .events
            .iter()
            .any(|e| matches!(e, ServerEvent::Update { .. }))
    );
    assert_eq!(server_closes(&p), [ServerClose::ConnectionLost]);
    assert_eq!(p.server.state(), ServerState::Closed);
    assert_eq!(
        last_event(&p),
        &ClientEvent::Closed(ClientClose::ConnectionLost)
    );

    // QUIT in AUTHORIZATION: no UPDATE.
    let mut p = Pair::new(common::config(), MailApp::new(vec![]));
    p.run();
    p.send(Command::Quit);
    assert!(matches!(
        events(&p)[1],
        ClientEvent::Quit { updated: false, .. }
    ));
    assert!(p.app.updates.is_empty());
    assert_eq!(server_closes(&p), [ServerClose::Quit]);

    // DELE, RSET, DELE, QUIT: only the last mark is applied.
    let mut p = logged_in_pair(vec![b"a\r\n".to_vec(), b"b\r\n".to_vec()]);
    p.send(Command::Dele(n(1)));
    p.send(Command::Rset);
    p.send(Command::Dele(n(2)));
    p.send(Command::Quit);
    assert_eq!(p.app.updates, vec![vec![n(2)]]);

    // The application fails the UPDATE: the client learns it.
    let mut server = ServerSession::new(common::config());
    let _ = drain_server(&mut server, &mut Vec::new());
    server
        .handle_input(b"USER mrose\r\nPASS tanstaaf\r\nDELE 1\r\nQUIT\r\n")
        .unwrap();
    let mut wire = Vec::new();
    let _ = drain_server(&mut server, &mut wire);
    server
        .accept_login(mailproto_pop3_session::Maildrop::from_sizes([3]))
        .unwrap();
    let ev = drain_server(&mut server, &mut wire);
    assert_eq!(
        ev,
        [ServerEvent::Update {
            deleted: vec![n(1)]
        }]
    );
    server.commit_update(Err(Refusal::sys_temp())).unwrap();
    wire.clear();
    let ev = drain_server(&mut server, &mut wire);
    assert_eq!(wire, b"-ERR [SYS/TEMP] temporary failure\r\n");
    assert_eq!(
        ev,
        [ServerEvent::Closed(ServerClose::Updated {
            committed: false
        })]
    );

    // QUIT received, then the connection drops before the application commits: the
    // UPDATE still happens (the client did QUIT, RFC 1939 §6).
    let mut server = ServerSession::new(common::config());
    let _ = drain_server(&mut server, &mut Vec::new());
    server
        .handle_input(b"USER mrose\r\nPASS tanstaaf\r\n")
        .unwrap();
    let _ = drain_server(&mut server, &mut Vec::new());
    server
        .accept_login(mailproto_pop3_session::Maildrop::from_sizes([3]))
        .unwrap();
    server.handle_input(b"DELE 1\r\nQUIT\r\n").unwrap();
    server.handle_eof();
    let ev = drain_server(&mut server, &mut Vec::new());
    assert_eq!(
        ev,
        [ServerEvent::Update {
            deleted: vec![n(1)]
        }]
    );
}

#[test]
fn marked_messages_are_refused() {
    let mut p = logged_in_pair(vec![b"one\r\n".to_vec(), b"two\r\n".to_vec()]);
    p.send(Command::Dele(n(1)));
    for cmd in [
        Command::Retr(n(1)),
        Command::Top {
            msg: n(1),
            lines: 0,
        },
        Command::List(Some(n(1))),
        Command::Uidl(Some(n(1))),
        Command::Dele(n(1)),
        Command::Retr(n(3)),
    ] {
        let kind = cmd.kind();
        p.send(cmd);
        assert!(
            matches!(last_event(&p), ClientEvent::Refused { command, .. } if *command == Some(kind)),
            "{kind}: {:?}",
            last_event(&p)
        );
    }
    p.send(Command::Stat);
    assert!(matches!(
        last_event(&p),
        ClientEvent::Stat {
            count: 1,
            size: 5,
            ..
        }
    ));
    p.send(Command::Uidl(None));
    let ClientEvent::UidList { listings, .. } = last_event(&p) else {
        panic!()
    };
    assert_eq!(listings.len(), 1);
    assert_eq!(listings[0].msg, n(2));
    // No RETR of a marked message reached the application.
    assert!(
        !p.app
            .events
            .iter()
            .any(|e| matches!(e, ServerEvent::Retrieve { .. }))
    );
}

#[test]
fn wrong_state_commands_never_reach_the_application() {
    let mut s = ServerSession::new(common::config());
    let _ = drain_server(&mut s, &mut Vec::new());
    let mut wire = Vec::new();
    s.handle_input(b"STAT\r\nRETR 1\r\nPASS x\r\nUSER a\r\nNOOP\r\nPASS x\r\nFOO\r\n")
        .unwrap();
    let ev = drain_server(&mut s, &mut wire);
    // STAT, RETR: wrong state; PASS without USER; USER +OK; NOOP wrong state; PASS after
    // NOOP: not right after USER; FOO unknown.
    assert_eq!(
        String::from_utf8_lossy(&wire)
            .lines()
            .map(|l| &l[..3])
            .collect::<Vec<_>>(),
        ["-ER", "-ER", "-ER", "+OK", "-ER", "-ER", "-ER"]
    );
    assert!(
        ev.iter().all(|e| matches!(e, ServerEvent::PeerError(_))),
        "{ev:?}"
    );
    assert!(matches!(
        ev[0],
        ServerEvent::PeerError(PeerError::WrongState {
            command: CommandKind::Stat,
            ..
        })
    ));
    assert_eq!(ev[2], ServerEvent::PeerError(PeerError::PassWithoutUser));

    // AUTH and USER after success.
    let mut p = logged_in_pair(vec![]);
    let before = p.app.events.len();
    p.server
        .handle_input(b"AUTH PLAIN\r\nUSER x\r\nAPOP a 0123456789abcdef0123456789abcdef\r\n")
        .unwrap();
    let mut wire = Vec::new();
    let ev = drain_server(&mut p.server, &mut wire);
    assert_eq!(wire.iter().filter(|&&b| b == b'\n').count(), 3);
    assert!(wire.starts_with(b"-ERR"));
    assert!(
        ev.iter()
            .all(|e| matches!(e, ServerEvent::PeerError(PeerError::WrongState { .. })))
    );
    assert_eq!(p.app.events.len(), before);

    // The client refuses locally.
    let mut c = ClientSession::new(Limits::default());
    assert!(matches!(
        c.send(Command::Stat),
        Err(LocalError::WrongState { .. })
    ));
    c.handle_input(b"+OK hi\r\n").unwrap();
    let _ = drain_client(&mut c, &mut Vec::new());
    assert!(matches!(
        c.send(Command::Stat),
        Err(LocalError::WrongState { .. })
    ));
    assert!(matches!(
        c.send(pass("x")),
        Err(LocalError::WrongState {
            attempt: Attempt::Command(CommandKind::Pass),
            ..
        })
    ));
    assert_eq!(
        c.apop(Param::new("a").unwrap(), b"s"),
        Err(LocalError::NoTimestamp)
    );
}

/// `STLS\r\nUSER evil\r\n` in one packet: USER is never executed (RFC 2595 §4), and the
/// injection is reported.
#[test]
fn stls_injection_server() {
    let mut s = ServerSession::new(common::config());
    let _ = drain_server(&mut s, &mut Vec::new());
    let mut wire = Vec::new();
    s.handle_input(b"STLS\r\nUSER evil\r\n").unwrap();
    let ev = drain_server(&mut s, &mut wire);
    assert_eq!(wire, b"+OK Begin TLS negotiation\r\n");
    // The injected bytes are dropped and reported, as imap-session does.
    assert_eq!(
        ev,
        [
            ServerEvent::PeerError(PeerError::StartTlsInjection { len: 11 }),
            ServerEvent::StartTls
        ]
    );
    assert_eq!(s.state(), ServerState::TlsHandshake);
    assert_eq!(s.buffered_len(), 0);
    // Plaintext arriving before the handshake completes is refused.
    assert_eq!(
        s.handle_input(b"PASS evil\r\n"),
        Err(LocalError::TlsPending)
    );
    s.handle_tls_established().unwrap();
    wire.clear();
    // Had USER evil been executed, this PASS would reach the application.
    s.handle_input(b"PASS evil\r\n").unwrap();
    let ev = drain_server(&mut s, &mut wire);
    assert_eq!(ev, [ServerEvent::PeerError(PeerError::PassWithoutUser)]);
    assert!(wire.starts_with(b"-ERR"));
    // STLS is not offered again under TLS, nor announced.
    wire.clear();
    s.handle_input(b"STLS\r\nCAPA\r\n").unwrap();
    let _ = drain_server(&mut s, &mut wire);
    let text = String::from_utf8_lossy(&wire);
    assert!(text.starts_with("-ERR"));
    assert!(!text.contains("\r\nSTLS\r\n"), "{text}");
}

/// Bytes after the server's `+OK` to STLS are not interpreted by the client; they are
/// reported.
#[test]
fn stls_injection_client() {
    let mut c = ClientSession::new(Limits::default());
    c.handle_input(b"+OK ready\r\n").unwrap();
    let _ = drain_client(&mut c, &mut Vec::new());
    c.send(Command::Capa).unwrap();
    c.handle_input(b"+OK\r\nSTLS\r\nPIPELINING\r\n.\r\n")
        .unwrap();
    let _ = drain_client(&mut c, &mut Vec::new());
    assert!(c.pipelining());
    let id = c.send(Command::Stls).unwrap();
    let mut wire = Vec::new();
    let _ = drain_client(&mut c, &mut wire);
    assert_eq!(wire, b"STLS\r\n");
    // A man in the middle appends a fake CAPA answer to the +OK.
    c.handle_input(b"+OK Begin TLS\r\n+OK\r\nSASL PLAIN\r\n.\r\n")
        .unwrap();
    let ev = drain_client(&mut c, &mut Vec::new());
    // The injected bytes are dropped and reported, not read as POP3 (RFC 2595 §4).
    assert_eq!(
        ev,
        [
            ClientRecord::Event(ClientEvent::PeerError(PeerError::StartTlsInjection {
                len: 20
            })),
            // What was learned in clear is dropped, and said so (issue 18 item 7).
            ClientRecord::Event(ClientEvent::PlaintextStateDropped {
                capabilities: vec![Capability::Stls, Capability::Pipelining],
            }),
            ClientRecord::Event(ClientEvent::StartTls { id })
        ]
    );
    assert_eq!(c.state(), ClientState::TlsHandshake);
    assert_eq!(c.buffered_len(), 0);
    assert_eq!(c.capabilities(), None, "capabilities are forgotten");
    assert!(!c.pipelining());
    assert_eq!(c.handle_input(b"-ERR x\r\n"), Err(LocalError::TlsPending));
    assert!(matches!(
        c.send(Command::Capa),
        Err(LocalError::Busy { .. })
    ));
    c.handle_tls_established().unwrap();
    let capa = c.send(Command::Capa).unwrap();
    c.handle_input(b"+OK\r\nUSER\r\n.\r\n").unwrap();
    let ev = drain_client(&mut c, &mut Vec::new());
    assert!(
        matches!(&ev[..], [ClientRecord::Event(ClientEvent::Capabilities { id, capabilities })]
        if *id == capa && capabilities.len() == 1)
    );
    assert!(matches!(
        c.send(Command::Stls),
        Err(LocalError::WrongState { .. })
    ));
}

#[test]
fn pipelining_only_when_announced() {
    let bodies = vec![b"m1\r\n".to_vec(), b".m2\r\n".to_vec()];
    // Without PIPELINING: one command at a time.
    let mut c = ClientSession::new(Limits::default());
    c.handle_input(b"+OK\r\n").unwrap();
    let _ = drain_client(&mut c, &mut Vec::new());
    c.send(user("a")).unwrap();
    c.send(pass("b")).unwrap();
    let mut wire = Vec::new();
    let _ = drain_client(&mut c, &mut wire);
    assert_eq!(wire, b"USER a\r\n");
    assert_eq!((c.in_flight(), c.queued()), (1, 1));
    c.handle_input(b"+OK\r\n").unwrap();
    wire.clear();
    let _ = drain_client(&mut c, &mut wire);
    assert_eq!(wire, b"PASS b\r\n");

    // With PIPELINING: everything goes at once, and answers pair up in order.
    let mut p = logged_in_pair(bodies.clone());
    p.send(Command::Capa);
    assert!(p.client.pipelining());
    let ids = [
        p.client.send(Command::Stat).unwrap(),
        p.client.send(Command::Retr(n(2))).unwrap(),
        p.client.send(Command::List(Some(n(1)))).unwrap(),
        p.client
            .send(Command::Top {
                msg: n(1),
                lines: 0,
            })
            .unwrap(),
        p.client.send(Command::Uidl(None)).unwrap(),
    ];
    assert_eq!(p.client.in_flight(), 5);
    let before = p.client_events.len();
    p.run();
    let evs: Vec<_> = p.client_events[before..]
        .iter()
        .filter_map(|e| match e {
            ClientRecord::Event(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    assert!(matches!(evs[0], ClientEvent::Stat { id, count: 2, .. } if id == ids[0]));
    assert!(matches!(evs[1], ClientEvent::MessageStart { id, .. } if id == ids[1]));
    assert!(matches!(evs[2], ClientEvent::MessageEnd { id } if id == ids[1]));
    assert!(
        matches!(&evs[3], ClientEvent::Scan { id, listing } if *id == ids[2] && listing.size == 4)
    );
    assert!(matches!(evs[4], ClientEvent::MessageStart { id, .. } if id == ids[3]));
    assert!(
        matches!(&evs[6], ClientEvent::UidList { id, listings } if *id == ids[4] && listings.len() == 2)
    );
    assert_eq!(p.body(ids[1]), b".m2\r\n");
    // TOP 1 0 of a message without a blank line: all header.
    assert_eq!(p.body(ids[3]), b"m1\r\n");
}

#[test]
fn auth_initial_response_fits_or_waits_for_the_empty_challenge() {
    let mech = || Mechanism::new("PLAIN").unwrap();
    let mut p = Pair::new(common::config(), MailApp::new(vec![]));
    p.run();
    p.send(Command::Auth {
        mechanism: mech(),
        initial_response: Some(b"\0mrose\0tanstaaf".to_vec()),
    });
    assert!(matches!(last_event(&p), ClientEvent::LoggedIn { .. }));
    assert!(
        p.client_wire
            .ends_with(b"AUTH PLAIN AG1yb3NlAHRhbnN0YWFm\r\n")
    );

    // 300 octets of initial response do not fit in 255: AUTH alone, then the response
    // after the server's empty challenge (RFC 5034 §4).
    let mut p = Pair::new(common::config(), MailApp::new(vec![]));
    p.app.user = "u".repeat(290);
    p.run();
    let ir = [b"\0".as_slice(), p.app.user.as_bytes(), b"\0tanstaaf"].concat();
    p.send(Command::Auth {
        mechanism: mech(),
        initial_response: Some(ir.clone()),
    });
    let wire = String::from_utf8_lossy(&p.client_wire).into_owned();
    let lines: Vec<&str> = wire.split("\r\n").collect();
    assert_eq!(lines[0], "AUTH PLAIN");
    assert!(lines[1].len() > 255);
    assert!(p.server_wire.windows(4).any(|w| w == b"+ \r\n"));
    assert!(p.app.events.contains(&ServerEvent::SaslResponse(ir)));
    assert!(matches!(last_event(&p), ClientEvent::LoggedIn { .. }));
    assert!(
        !events(&p)
            .iter()
            .any(|e| matches!(e, ClientEvent::SaslChallenge { .. }))
    );

    // Cancel.
    let mut p = Pair::new(common::config(), MailApp::new(vec![]));
    p.run();
    p.send(Command::Auth {
        mechanism: mech(),
        initial_response: None,
    });
    assert!(matches!(last_event(&p), ClientEvent::SaslChallenge { .. }));
    assert!(matches!(
        p.client.send(Command::Noop),
        Err(LocalError::Busy { .. })
    ));
    p.client.sasl_cancel().unwrap();
    p.run();
    assert!(matches!(last_event(&p), ClientEvent::AuthFailed { .. }));
    assert!(p.app.events.contains(&ServerEvent::SaslCancelled));
}

/// End of stream after `-ERR` during authentication is an authentication failure; the
/// response code (IN-USE, LOGIN-DELAY, ...) is kept.
#[test]
fn eof_after_auth_failure_is_an_authentication_failure() {
    for refusal in [
        Refusal::in_use(),
        Refusal::login_delay(),
        Refusal::auth(),
        Refusal::sys_perm(),
    ] {
        let kind = refusal.to_status().code().unwrap().kind();
        let mut p = Pair::new(common::config(), MailApp::new(vec![]));
        p.app.refusal = refusal;
        p.run();
        p.send(user("mrose"));
        p.send(pass("wrong"));
        let ClientEvent::AuthFailed { status, .. } = last_event(&p) else {
            panic!()
        };
        assert_eq!(status.code().unwrap().kind(), kind);
        p.drop_connection();
        let ClientEvent::Closed(ClientClose::AuthenticationFailed(s)) = last_event(&p) else {
            panic!("{:?}", last_event(&p))
        };
        assert_eq!(s.code().unwrap().kind(), kind);
    }
    assert_eq!(
        pop3_codec::Encode::to_bytes(&Refusal::login_delay().to_status()),
        b"-ERR [LOGIN-DELAY] login delay not expired\r\n"
    );

    // Without a failed login, an end of stream is a lost connection.
    let mut p = Pair::new(common::config(), MailApp::new(vec![]));
    p.run();
    p.drop_connection();
    assert_eq!(
        last_event(&p),
        &ClientEvent::Closed(ClientClose::ConnectionLost)
    );
}

#[test]
fn limits_on_lines_and_commands_in_flight() {
    // A line over 255 octets: -ERR, and the session goes on.
    let mut s = ServerSession::new(common::config());
    let _ = drain_server(&mut s, &mut Vec::new());
    let mut long = b"USER ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 300));
    long.extend_from_slice(b"\r\nCAPA\r\n");
    s.handle_input(&long).unwrap();
    let mut wire = Vec::new();
    let ev = drain_server(&mut s, &mut wire);
    assert!(matches!(
        ev[0],
        ServerEvent::PeerError(PeerError::Syntax(_))
    ));
    assert!(wire.starts_with(b"-ERR"));
    assert!(String::from_utf8_lossy(&wire).contains("+OK Capability list follows"));

    // While the application owes an answer, pipelined input is bounded.
    let config = common::config().with_max_pipelined(1024);
    let mut s = ServerSession::new(config);
    let _ = drain_server(&mut s, &mut Vec::new());
    s.handle_input(b"USER mrose\r\nPASS x\r\n").unwrap();
    let _ = drain_server(&mut s, &mut Vec::new());
    assert!(!s.wants_input());
    s.handle_input(&b"NOOP\r\n".repeat(100)).unwrap();
    let _ = drain_server(&mut s, &mut Vec::new());
    s.handle_input(&b"NOOP\r\n".repeat(100)).unwrap();
    let ev = drain_server(&mut s, &mut Vec::new());
    assert!(
        ev.contains(&ServerEvent::PeerError(PeerError::TooMuchPipelined {
            limit: 1024
        }))
    );
    assert!(ev.contains(&ServerEvent::Closed(ServerClose::ProtocolError)));
    assert_eq!(s.state(), ServerState::Closed);
    assert!(
        s.accept_login(mailproto_pop3_session::Maildrop::default())
            .is_err()
    );
}

#[test]
fn client_rejects_unsolicited_and_malformed_responses() {
    let mut c = ClientSession::new(Limits::default());
    c.handle_input(b"+OK hi\r\n+OK surprise\r\n").unwrap();
    let ev = drain_client(&mut c, &mut Vec::new());
    assert!(ev.contains(&ClientRecord::Event(ClientEvent::PeerError(
        PeerError::Unsolicited
    ))));
    assert_eq!(c.state(), ClientState::Closed);

    let mut c = ClientSession::new(Limits::default());
    c.handle_input(b"+OK hi\r\n").unwrap();
    let _ = drain_client(&mut c, &mut Vec::new());
    c.send(user("a")).unwrap();
    c.handle_input(b"+ok lower case\r\n").unwrap();
    let ev = drain_client(&mut c, &mut Vec::new());
    assert!(matches!(
        ev[0],
        ClientRecord::Event(ClientEvent::PeerError(PeerError::Syntax(_)))
    ));
    assert_eq!(c.send(Command::Noop), Err(LocalError::Closed));

    let mut c = ClientSession::new(Limits::default());
    c.handle_input(b"-ERR go away\r\n").unwrap();
    let ev = drain_client(&mut c, &mut Vec::new());
    assert!(matches!(
        ev[0],
        ClientRecord::Event(ClientEvent::Closed(ClientClose::GreetingRefused(_)))
    ));
}

/// RFC 1939 §3: a syntactically invalid command gets one negative status line, `-ERR` once.
/// Every path that builds a `-ERR` alone (syntax, unknown command, long line, wrong state,
/// PASS without USER, not offered, no such message, SASL cancel) is checked for a doubled
/// status indicator.
#[test]
fn error_replies_have_one_status_indicator() {
    let mut s = ServerSession::new(common::config());
    let _ = drain_server(&mut s, &mut Vec::new());
    s.handle_input(b"USER\r\n").unwrap();
    let mut wire = Vec::new();
    let _ = drain_server(&mut s, &mut wire);
    assert_eq!(wire, b"-ERR syntax error\r\n");

    let mut wire = Vec::new();
    let mut long = b"FOO\r\nSTAT\r\nPASS x\r\nUSER ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 300));
    long.extend_from_slice(b"\r\nAUTH NOPE\r\n");
    s.handle_input(&long).unwrap();
    let _ = drain_server(&mut s, &mut wire);
    let mut p = logged_in_pair(vec![b"x\r\n".to_vec()]);
    p.server
        .handle_input(b"RETR 9\r\nLIST 0\r\nUTF8\r\n")
        .unwrap();
    let _ = drain_server(&mut p.server, &mut wire);
    let text = String::from_utf8(wire).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8, "{text}");
    for line in &lines {
        assert!(
            line.starts_with("-ERR ") || line.starts_with("+ "),
            "{line}"
        );
        assert!(!line[1..].contains("-ERR"), "doubled status: {line}");
    }
    assert!(lines.contains(&"-ERR unknown command"), "{text}");
    assert!(lines.contains(&"-ERR line too long"), "{text}");
}

/// Issue 18 item 4, output amplification: 1,000 messages with 64-character unique-ids and
/// one 64 KiB read of `UIDL` lines (10,922 commands, each answered by a ~72 KB listing,
/// 786 MB in all). No `poll_output` lends more than the output cap, the session never holds
/// more than the cap plus one answer, and the whole exchange still completes.
#[test]
fn output_is_capped_and_input_waits_for_the_drain() {
    use mailproto_pop3_session::{Maildrop, MessageInfo, ServerOutput};
    use pop3_codec::UniqueId;

    const CAP: usize = 256 * 1024;
    let mut s = ServerSession::new(common::config());
    let _ = drain_server(&mut s, &mut Vec::new());
    s.handle_input(b"USER mrose\r\nPASS tanstaaf\r\n").unwrap();
    let ev = drain_server(&mut s, &mut Vec::new());
    assert!(matches!(ev[..], [ServerEvent::Authenticate(_)]), "{ev:?}");
    let messages = (0..1000)
        .map(|i| MessageInfo {
            size: 100,
            uid: Some(UniqueId::new(format!("{i:064}")).unwrap()),
        })
        .collect();
    s.accept_login(Maildrop::new(messages)).unwrap();
    let _ = drain_server(&mut s, &mut Vec::new());

    let read = b"UIDL\r\n".repeat(64 * 1024 / 6);
    let commands = read.len() / 6;
    s.handle_input(&read).unwrap();
    let (mut total, mut transmits, mut largest, mut held) = (0usize, 0usize, 0usize, 0usize);
    let mut answers = 0usize;
    let mut at_line_start = true;
    let mut tail = Vec::new();
    while let Some(out) = s.poll_output() {
        match out {
            ServerOutput::Transmit(bytes) => {
                transmits += 1;
                largest = largest.max(bytes.len());
                total += bytes.len();
                // Count the status lines that start each answer.
                tail.extend_from_slice(bytes);
                let mut start = 0;
                while let Some(i) = tail[start..].iter().position(|&b| b == b'\n') {
                    let line = &tail[start..start + i + 1];
                    if at_line_start && line.starts_with(b"+OK") {
                        answers += 1;
                    }
                    at_line_start = true;
                    start += i + 1;
                }
                tail.drain(..start);
            }
            ServerOutput::Event(e) => panic!("no event expected: {e:?}"),
        }
        held = held.max(s.buffered_len());
    }
    let one_answer = 5 + 1000 * (4 + 1 + 64 + 2) + 3;
    assert!(largest <= CAP, "a Transmit of {largest} octets");
    assert!(transmits > 1);
    assert_eq!(answers, commands, "every UIDL answered");
    assert!(total > commands * 60_000, "{total}");
    assert!(held <= read.len() + CAP + one_answer, "held {held}");
    assert!(s.wants_input());
    assert_eq!(s.buffered_len(), 0);
}
