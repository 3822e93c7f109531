//! The POP3 sessions parse under the profile they are given, like the IMAP ones: strict by
//! default (a response or command that departs from RFC 1939 §3 is a protocol error), real-world
//! on request (accepted; each departure is a `Deviation` event before the events it causes),
//! with a deviation budget, and the session rule `eof-after-err` (RFC 1939 §4, §7).

use mailproto_pop3_session::codec::{
    Command, DeviationId, Greeting, IntoStatic, Limits, ParseOptions, Pop3Deviation, Profile,
    Secret,
};
use mailproto_pop3_session::ops::{ClientRecord, record};
use mailproto_pop3_session::{
    ClientClose, ClientEvent, ClientOutput, ClientSession, DeviationBudget, PeerError,
    ServerConfig, ServerEvent, ServerOutput, ServerSession,
};

fn real_world() -> ParseOptions {
    ParseOptions::default().with_profile(Profile::RealWorld)
}

/// Feeds `input` and returns every event (transmitted bytes are dropped).
fn client_events(s: &mut ClientSession, input: &[u8]) -> Vec<ClientEvent<'static>> {
    if !input.is_empty() {
        s.handle_input(input).unwrap();
    }
    drain_client(s)
}

fn drain_client(s: &mut ClientSession) -> Vec<ClientEvent<'static>> {
    let mut events = Vec::new();
    while let Some(o) = s.poll_output() {
        if let ClientOutput::Event(e) = o
            && let ClientRecord::Event(e) = record(e)
        {
            events.push(e);
        }
    }
    events
}

fn server_events(config: ServerConfig, input: &[u8]) -> (Vec<ServerEvent>, Vec<u8>) {
    let mut s = ServerSession::new(config);
    s.handle_input(input).unwrap();
    let mut events = Vec::new();
    let mut out = Vec::new();
    while let Some(o) = s.poll_output() {
        match o {
            ServerOutput::Event(e) => events.push(e),
            ServerOutput::Transmit(b) => out.extend_from_slice(b),
        }
    }
    (events, out)
}

fn greeting() -> Greeting<'static> {
    Greeting::parse(b"+OK POP3 ready\r\n")
        .unwrap()
        .into_static()
}

#[test]
fn client_strict_by_default_refuses_a_bare_lf_and_real_world_names_it() {
    let mut strict = ClientSession::new(Limits::default());
    let events = client_events(&mut strict, b"+OK ready\n");
    assert!(
        matches!(
            events.as_slice(),
            [
                ClientEvent::PeerError(PeerError::Syntax(_)),
                ClientEvent::Closed(ClientClose::ProtocolError)
            ]
        ),
        "{events:?}"
    );

    let mut real = ClientSession::new(Limits::default()).with_parse_options(real_world());
    let events = client_events(&mut real, b"+OK ready\n");
    match events.as_slice() {
        [ClientEvent::Deviation(d), ClientEvent::Greeting(_)] => {
            assert_eq!((d.id.id(), d.offset), ("bare-lf", 9));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn client_real_world_follows_single_line_answers_and_listings_ended_by_lf() {
    let mut s = ClientSession::new(Limits::default()).with_parse_options(real_world());
    assert!(matches!(
        client_events(&mut s, b"+OK ready\r\n").as_slice(),
        [ClientEvent::Greeting(_)]
    ));
    s.send(Command::User("u".try_into().unwrap())).unwrap();
    s.send(Command::Pass(Secret::new("p").unwrap()))
        .unwrap_or_else(|e| panic!("{e}"));
    let events = client_events(&mut s, b"+OK\r\n+OK in\r\n");
    assert!(
        matches!(events.last(), Some(ClientEvent::LoggedIn { .. })),
        "{events:?}"
    );
    s.send(Command::Stat).unwrap();
    s.send(Command::List(None)).unwrap();
    // A STAT answer and a listing whose lines and terminator end with LF alone.
    let events = client_events(&mut s, b"+OK 2 320\n");
    match events.as_slice() {
        [
            ClientEvent::Deviation(d),
            ClientEvent::Stat {
                count: 2,
                size: 320,
                ..
            },
        ] => assert_eq!((d.id, d.offset), (Pop3Deviation::BareLf, 9)),
        other => panic!("{other:?}"),
    }
    let events = client_events(&mut s, b"+OK 2 messages\n1 120\n2 200\n.\n");
    match events.as_slice() {
        [
            ClientEvent::Deviation(d),
            ClientEvent::ScanList { listings, .. },
        ] => {
            assert_eq!(d.id, Pop3Deviation::BareLf);
            assert_eq!(listings.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.in_flight(), 0);
}

#[test]
fn client_budget_stops_at_the_deviation_that_uses_it_up() {
    let mut s = ClientSession::new(Limits::default())
        .with_parse_options(real_world())
        .with_deviation_budget(DeviationBudget::default().with_stop_on([Pop3Deviation::BareLf]));
    let events = client_events(&mut s, b"+OK ready\n");
    match events.as_slice() {
        [
            ClientEvent::Deviation(d),
            ClientEvent::PeerError(PeerError::DeviationBudget {
                deviation,
                count: 1,
            }),
            ClientEvent::Closed(ClientClose::ProtocolError),
        ] => assert_eq!((d, deviation.id), (deviation, Pop3Deviation::BareLf)),
        other => panic!("{other:?}"),
    }
    // A budget of two: the first deviation passes.
    let mut s = ClientSession::new(Limits::default())
        .with_parse_options(real_world())
        .with_deviation_budget(DeviationBudget::default().with_max(2));
    let events = client_events(&mut s, b"+OK ready\n");
    assert!(
        matches!(
            events.as_slice(),
            [ClientEvent::Deviation(_), ClientEvent::Greeting(_)]
        ),
        "{events:?}"
    );
    s.send(Command::Capa).unwrap();
    let events = client_events(&mut s, b"+OK\nUSER\n.\r\n");
    assert!(
        matches!(
            events.as_slice(),
            [
                ClientEvent::Deviation(_),
                ClientEvent::PeerError(PeerError::DeviationBudget { count: 2, .. }),
                ClientEvent::Closed(ClientClose::ProtocolError)
            ]
        ),
        "{events:?}"
    );
}

/// MailKit's reports: the server closes right after `-ERR` to PASS. RFC 1939 §4 and §7 keep the
/// session in AUTHORIZATION after a refused login; both profiles end the session as an
/// authentication failure (the catalogue: "not a protocol error"), real-world also names
/// `eof-after-err`.
#[test]
fn eof_after_err_to_a_login_is_an_authentication_failure_named_under_real_world() {
    for profile in [Profile::Strict, Profile::RealWorld] {
        let mut s = ClientSession::new(Limits::default())
            .with_parse_options(ParseOptions::default().with_profile(profile));
        client_events(&mut s, b"+OK ready\r\n");
        s.send(Command::User("alice".try_into().unwrap())).unwrap();
        s.send(Command::Pass(Secret::new("wrong").unwrap()))
            .unwrap();
        let events = client_events(&mut s, b"+OK\r\n-ERR [AUTH] bad login\r\n");
        assert!(
            matches!(events.last(), Some(ClientEvent::AuthFailed { .. })),
            "{events:?}"
        );
        s.handle_eof();
        let events = drain_client(&mut s);
        let (named, close) = match (profile, events.as_slice()) {
            (Profile::Strict, [close]) => (true, close),
            (_, [ClientEvent::Deviation(d), close]) => (d.id.id() == "eof-after-err", close),
            _ => (false, &events[0]),
        };
        assert!(named, "{profile:?}: {events:?}");
        assert!(
            matches!(close, ClientEvent::Closed(ClientClose::AuthenticationFailed(s))
                if s.text().as_str() == Some("bad login")),
            "{events:?}"
        );
    }
    // After a successful login an end of stream is a lost connection, not this deviation.
    let mut s = ClientSession::new(Limits::default()).with_parse_options(real_world());
    client_events(&mut s, b"+OK ready\r\n");
    s.send(Command::User("alice".try_into().unwrap())).unwrap();
    s.send(Command::Pass(Secret::new("right").unwrap()))
        .unwrap();
    client_events(&mut s, b"+OK\r\n+OK in\r\n");
    s.handle_eof();
    assert_eq!(
        drain_client(&mut s),
        vec![ClientEvent::Closed(ClientClose::ConnectionLost)]
    );
}

#[test]
fn server_strict_refuses_a_bare_lf_command_and_real_world_accepts_it_named() {
    let (events, out) = server_events(ServerConfig::new(greeting()), b"NOOP\n");
    assert!(
        matches!(
            events.as_slice(),
            [ServerEvent::PeerError(PeerError::Syntax(_))]
        ),
        "{events:?}"
    );
    assert!(out.ends_with(b"\r\n") && out.windows(5).any(|w| w == b"-ERR "));

    let config = ServerConfig::new(greeting()).with_parse_options(real_world());
    let (events, out) = server_events(config, b"CAPA\n");
    match events.as_slice() {
        [ServerEvent::Deviation(d)] => assert_eq!((d.id.id(), d.offset), ("bare-lf", 4)),
        other => panic!("{other:?}"),
    }
    // CAPA was answered (a listing ended by `.` CRLF).
    assert!(out.ends_with(b".\r\n"), "{}", String::from_utf8_lossy(&out));
}

#[test]
fn server_budget_answers_err_and_closes() {
    let config = ServerConfig::new(greeting())
        .with_parse_options(real_world())
        .with_deviation_budget(DeviationBudget::default().with_max(1));
    let (events, out) = server_events(config, b"NOOP\nNOOP\r\n");
    assert!(
        matches!(
            events.as_slice(),
            [
                ServerEvent::Deviation(_),
                ServerEvent::PeerError(PeerError::DeviationBudget { count: 1, .. }),
                ServerEvent::Closed(_)
            ]
        ),
        "{events:?}"
    );
    assert!(out.ends_with(b"-ERR too many deviations from the protocol\r\n"));
}

/// RFC 1939 §3: a body line that starts with `.` is byte-stuffed. A RETR body with `.hidden`
/// (greenmail, mailpit): strict fails on it, real-world streams the line verbatim and names
/// `missing-dot-stuffing` at the dot (offset from the start of the response); only `.` CRLF
/// ends the body. The body is the same whatever the chunking.
#[test]
fn client_real_world_streams_a_body_line_that_was_not_stuffed() {
    use mailproto_pop3_session::codec::MsgNumber;
    let answer: &[u8] = b"+OK 30 octets\r\nSubject: x\r\n\r\n.hidden\r\n..dot\r\n.\r\n";
    let run = |options: ParseOptions, chunk: usize| {
        let mut s = ClientSession::new(Limits::default()).with_parse_options(options);
        client_events(&mut s, b"+OK ready\r\n");
        s.send(Command::User("u".try_into().unwrap())).unwrap();
        s.send(Command::Pass(Secret::new("p").unwrap())).unwrap();
        client_events(&mut s, b"+OK\r\n+OK in\r\n");
        s.send(Command::Retr(MsgNumber::new(1).unwrap())).unwrap();
        let mut body = Vec::new();
        let mut others = Vec::new();
        for piece in answer.chunks(chunk) {
            s.handle_input(piece).unwrap();
            while let Some(o) = s.poll_output() {
                match o {
                    ClientOutput::Event(ClientEvent::BodyChunk { data, .. }) => {
                        body.extend_from_slice(data)
                    }
                    ClientOutput::Event(e) => {
                        if let ClientRecord::Event(e) = record(e) {
                            others.push(e);
                        }
                    }
                    ClientOutput::Transmit(_) => {}
                }
            }
        }
        (body, others)
    };
    let (_, events) = run(ParseOptions::default(), answer.len());
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClientEvent::PeerError(PeerError::Syntax(_)))),
        "{events:?}"
    );
    for chunk in [1, 2, 3, 7, answer.len()] {
        let (body, events) = run(real_world(), chunk);
        assert_eq!(
            body, b"Subject: x\r\n\r\n.hidden\r\n.dot\r\n",
            "chunk {chunk}"
        );
        let found: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Deviation(d) => Some((d.id, d.offset)),
                _ => None,
            })
            .collect();
        assert_eq!(
            found,
            [(Pop3Deviation::MissingDotStuffing, 29)],
            "chunk {chunk}"
        );
        assert!(
            matches!(events.last(), Some(ClientEvent::MessageEnd { .. })),
            "{events:?}"
        );
    }
}

/// RFC 1939 §7: `UIDL msg` is answered `+OK msg uid`. Twisted answers `+OK uid`: strict fails,
/// real-world reads it as the listing of the message asked for and names `uidl-one-token`
/// (pipelined answers pair with their own commands).
#[test]
fn client_real_world_reads_a_one_token_uidl_answer_as_the_message_asked() {
    use mailproto_pop3_session::codec::MsgNumber;
    let run = |options: ParseOptions| {
        let mut s = ClientSession::new(Limits::default()).with_parse_options(options);
        client_events(&mut s, b"+OK ready\r\n");
        s.send(Command::Capa).unwrap();
        client_events(&mut s, b"+OK\r\nPIPELINING\r\nUIDL\r\nUSER\r\n.\r\n");
        s.send(Command::User("u".try_into().unwrap())).unwrap();
        s.send(Command::Pass(Secret::new("p").unwrap())).unwrap();
        client_events(&mut s, b"+OK\r\n+OK in\r\n");
        s.send(Command::Uidl(Some(MsgNumber::new(3).unwrap())))
            .unwrap();
        s.send(Command::Uidl(Some(MsgNumber::new(7).unwrap())))
            .unwrap();
        client_events(
            &mut s,
            b"+OK 00001a1457b5a851\r\n+OK 7 QhdPYR:00WBw1Ph7x7\r\n",
        )
    };
    let events = run(ParseOptions::default());
    assert!(
        matches!(
            events.as_slice(),
            [ClientEvent::PeerError(PeerError::Syntax(_)), ..]
        ),
        "{events:?}"
    );
    let events = run(real_world());
    match events.as_slice() {
        [
            ClientEvent::Deviation(d),
            ClientEvent::Uid { listing: a, .. },
            ClientEvent::Uid { listing: b, .. },
        ] => {
            assert_eq!((d.id, d.offset), (Pop3Deviation::UidlOneToken, 4));
            assert_eq!((a.msg.get(), a.uid.as_str()), (3, "00001a1457b5a851"));
            assert_eq!((b.msg.get(), b.uid.as_str()), (7, "QhdPYR:00WBw1Ph7x7"));
        }
        other => panic!("{other:?}"),
    }
}

/// `AUTH` without a mechanism, `LAST`, `XTND XLST` (`non-standard-commands`): the strict
/// client refuses to send them; the real-world client sends them and reads their answers
/// (the mechanism list typed, as Cyrus and Dovecot send it). The strict server answers the
/// bare `AUTH` with `-ERR` (RFC 5034 §4 needs a mechanism); the real-world server names the
/// deviation at offset 4 and answers with the mechanisms of its SASL capability.
#[test]
fn non_standard_commands_are_sent_and_answered_only_under_real_world() {
    use mailproto_pop3_session::LocalError;
    use mailproto_pop3_session::codec::{CommandKind, Expected, Param, Response};
    let mut strict = ClientSession::new(Limits::default());
    client_events(&mut strict, b"+OK ready\r\n");
    for (cmd, kind) in [
        (Command::AuthList, CommandKind::AuthList),
        (Command::Last, CommandKind::Last),
    ] {
        assert_eq!(
            strict.send(cmd),
            Err(LocalError::NonStandard { command: kind })
        );
    }

    let mut real = ClientSession::new(Limits::default()).with_parse_options(real_world());
    client_events(&mut real, b"+OK ready\r\n");
    real.send(Command::AuthList).unwrap();
    let mut sent = Vec::new();
    while let Some(o) = real.poll_output() {
        if let ClientOutput::Transmit(b) = o {
            sent.extend_from_slice(b);
        }
    }
    assert_eq!(sent, b"AUTH\r\n");
    let events = client_events(&mut real, b"+OK\r\nPLAIN\r\nSCRAM-SHA-256\r\n.\r\n");
    match events.as_slice() {
        [ClientEvent::Mechanisms { mechanisms, .. }] => {
            let names: Vec<&str> = mechanisms.iter().map(|m| m.as_str()).collect();
            assert_eq!(names, ["PLAIN", "SCRAM-SHA-256"]);
        }
        other => panic!("{other:?}"),
    }
    real.send(Command::User("u".try_into().unwrap())).unwrap();
    real.send(Command::Pass(Secret::new("p").unwrap())).unwrap();
    client_events(&mut real, b"+OK\r\n+OK in\r\n");
    real.send(Command::XtndXlst {
        header: Param::new("Subject").unwrap(),
        msg: None,
    })
    .unwrap();
    let events = client_events(
        &mut real,
        b"+OK xlst command accepted\r\n1 Subject: Lunch\r\n..2 stuffed\r\n.\r\n",
    );
    match events.as_slice() {
        [ClientEvent::XtndList { lines, .. }] => {
            assert_eq!(lines.len(), 2);
            assert_eq!(lines[1].as_bytes(), b".2 stuffed");
        }
        other => panic!("{other:?}"),
    }

    let capa = Response::parse(b"+OK\r\nSASL PLAIN LOGIN\r\n.\r\n", Expected::Capa).unwrap();
    let Response::Capabilities(capa) = capa.into_static() else {
        panic!()
    };
    let config = || ServerConfig::new(greeting()).with_capabilities(capa.items().to_vec());
    let (events, out) = server_events(config(), b"AUTH\r\n");
    assert!(
        matches!(
            events.as_slice(),
            [ServerEvent::PeerError(PeerError::Syntax(_))]
        ),
        "{events:?}"
    );
    assert!(out.windows(5).any(|w| w == b"-ERR "));
    let (events, out) = server_events(config().with_parse_options(real_world()), b"AUTH\r\n");
    match events.as_slice() {
        [ServerEvent::Deviation(d)] => {
            assert_eq!((d.id, d.offset), (Pop3Deviation::NonStandardCommands, 4))
        }
        other => panic!("{other:?}"),
    }
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.ends_with("+OK mechanisms follow\r\nPLAIN\r\nLOGIN\r\n.\r\n"),
        "{text}"
    );
}

/// RFC 1939 §5: a scan listing gives "the exact size of the message in octets" (§11:
/// byte-stuffing not counted). GNU Mailutils adds an `X-UIDL:` header to the RETR body: under
/// strict the client reports `PeerError::SizeMismatch` and goes on; under real-world it names
/// `header-inserted` (offset in the body: the listed size) before `MessageEnd`. TOP and a
/// message LIST did not give are not checked.
#[test]
fn a_retr_body_longer_than_its_listing_is_header_inserted() {
    use mailproto_pop3_session::codec::MsgNumber;
    let run = |options: ParseOptions, retr: Command<'static>| {
        let mut s = ClientSession::new(Limits::default()).with_parse_options(options);
        client_events(&mut s, b"+OK ready\r\n");
        s.send(Command::User("u".try_into().unwrap())).unwrap();
        s.send(Command::Pass(Secret::new("p").unwrap())).unwrap();
        client_events(&mut s, b"+OK\r\n+OK in\r\n");
        s.send(Command::List(None)).unwrap();
        client_events(&mut s, b"+OK\r\n1 33\r\n2 5\r\n.\r\n");
        s.send(retr).unwrap();
        let events = client_events(
            &mut s,
            b"+OK\r\nX-UIDL: 1796138814.1.x.y.z\r\nSubject: hello\r\n\r\nA short note.\r\n.\r\n",
        );
        s.send(Command::Noop).unwrap();
        let after = client_events(&mut s, b"+OK\r\n");
        (events, after)
    };
    let one = || Command::Retr(MsgNumber::new(1).unwrap());
    let (events, after) = run(ParseOptions::default(), one());
    match events.as_slice() {
        [
            ClientEvent::MessageStart { .. },
            ClientEvent::PeerError(PeerError::SizeMismatch {
                msg: 1,
                listed: 33,
                received: 61,
            }),
            ClientEvent::MessageEnd { .. },
        ] => {}
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(after.as_slice(), [ClientEvent::Ok { .. }]),
        "{after:?}"
    );
    let (events, _) = run(real_world(), one());
    match events.as_slice() {
        [
            ClientEvent::MessageStart { .. },
            ClientEvent::Deviation(d),
            ClientEvent::MessageEnd { .. },
        ] => assert_eq!((d.id, d.offset), (Pop3Deviation::HeaderInserted, 33)),
        other => panic!("{other:?}"),
    }
    // TOP is not checked; nor is a message LIST did not give.
    for cmd in [
        Command::Top {
            msg: MsgNumber::new(1).unwrap(),
            lines: 5,
        },
        Command::Retr(MsgNumber::new(3).unwrap()),
    ] {
        let (events, _) = run(ParseOptions::default(), cmd);
        assert!(
            matches!(
                events.as_slice(),
                [
                    ClientEvent::MessageStart { .. },
                    ClientEvent::MessageEnd { .. }
                ]
            ),
            "{events:?}"
        );
    }
}
