//! Constant memory for bodies, and chunking equivalence (whole, byte at a time, random).

mod common;

use mailproto_pop3_session::ops::{ClientRecord, drain_client, drain_server};
use mailproto_pop3_session::{
    ClientEvent, ClientOutput, ClientSession, Maildrop, ServerEvent, ServerSession,
};
use pop3_codec::{Command, Limits, MsgNumber, Param, Secret};
use proptest::prelude::*;

/// A block of lines that exercise stuffing: dot lines, a lone `.` line, CRs and LFs alone.
fn block() -> Vec<u8> {
    let mut b = Vec::new();
    let mut i = 0u32;
    while b.len() < 8191 {
        match i % 6 {
            0 => b.extend_from_slice(b".starts with a dot\r\n"),
            1 => b.extend_from_slice(b".\r\n"),
            2 => b.extend_from_slice(b"plain text line with some words in it\r\n"),
            3 => b.extend_from_slice(b"bare\rcr and bare\nlf\r\n"),
            4 => b.extend_from_slice(b"..two dots\r\n"),
            _ => b.extend_from_slice(b"\r\n"),
        }
        i += 1;
    }
    b.truncate(8191);
    b
}

/// 64 MiB streamed server → client in chunks of varying size: both sessions' buffers stay
/// a few KiB, and the client gets back exactly the octets the application sent.
#[test]
fn sixty_four_mib_body_in_constant_memory() {
    const TOTAL: usize = 64 << 20;
    let block = block();
    let mut server = ServerSession::new(common::config());
    let mut client = ClientSession::new(Limits::default());
    let mut wire = Vec::new();
    let _ = drain_server(&mut server, &mut wire);
    client.handle_input(&wire).unwrap();
    let _ = drain_client(&mut client, &mut Vec::new());
    client
        .send(Command::User(Param::new("mrose").unwrap()))
        .unwrap();
    client
        .send(Command::Pass(Secret::new("tanstaaf").unwrap()))
        .unwrap();
    let msg = MsgNumber::new(1).unwrap();
    let mut to_server = Vec::new();
    let mut done = false;
    let mut started = false;
    let mut received = 0usize;
    let mut max_client = 0;
    let mut max_server = 0;
    let sizes = [4093usize, 8191, 1, 2, 7000, 16384];
    let mut turn = 0;
    while !done {
        let mut out = Vec::new();
        for e in drain_client(&mut client, &mut out) {
            if let ClientRecord::Event(ClientEvent::LoggedIn { .. }) = e {
                client.send(Command::Retr(msg)).unwrap();
                let _ = drain_client(&mut client, &mut out);
            }
        }
        to_server.extend_from_slice(&out);
        if !to_server.is_empty() {
            server
                .handle_input(&std::mem::take(&mut to_server))
                .unwrap();
        }
        let mut out = Vec::new();
        for e in drain_server(&mut server, &mut out) {
            match e {
                ServerEvent::Authenticate(_) => server
                    .accept_login(Maildrop::from_sizes([TOTAL as u64]))
                    .unwrap(),
                ServerEvent::Retrieve { .. } => started = true,
                _ => {}
            }
        }
        // The application streams the body, one chunk per turn, draining after each.
        if started && received < TOTAL {
            let sent_so_far = turn_sent(&sizes, turn).min(TOTAL);
            let size = sizes[turn % sizes.len()].min(TOTAL - sent_so_far);
            let chunk: Vec<u8> = (sent_so_far..sent_so_far + size)
                .map(|i| block[i % block.len()])
                .collect();
            turn += 1;
            if size > 0 {
                server.send_body(&chunk).unwrap();
            }
            if sent_so_far + size >= TOTAL {
                server.end_body().unwrap();
            }
            max_server = max_server.max(server.buffered_len());
            let _ = drain_server(&mut server, &mut out);
        }
        // The client reads what arrived, in one push, and drains chunk by chunk.
        if !out.is_empty() {
            client.handle_input(&out).unwrap();
        }
        while let Some(o) = client.poll_output() {
            match o {
                ClientOutput::Transmit(b) => to_server.extend_from_slice(b),
                ClientOutput::Event(ClientEvent::BodyChunk { data, .. }) => {
                    for (k, &b) in data.iter().enumerate() {
                        let at = received + k;
                        // Past the end: the CRLF the session adds to a body lacking one.
                        let want = if at < TOTAL {
                            block[at % block.len()]
                        } else {
                            b"\r\n"[at - TOTAL]
                        };
                        assert_eq!(b, want, "octet {at}");
                    }
                    received += data.len();
                }
                ClientOutput::Event(ClientEvent::MessageEnd { .. }) => done = true,
                ClientOutput::Event(ClientEvent::LoggedIn { .. }) => {
                    client.send(Command::Retr(msg)).unwrap();
                }
                ClientOutput::Event(_) => {}
            }
            max_client = max_client.max(client.buffered_len());
        }
    }
    // The block does not end in CRLF, so a final CRLF was added.
    let expected = if block[(TOTAL - 2) % block.len()..].starts_with(b"\r\n") {
        TOTAL
    } else {
        TOTAL + 2
    };
    assert!(received == TOTAL || received == expected, "{received}");
    eprintln!("max buffered: server {max_server}, client {max_client}");
    // Stuffing at most doubles a chunk; reading holds one stuffed chunk plus a line.
    assert!(max_server <= 2 * 16384 + 64, "server buffered {max_server}");
    assert!(
        max_client <= 2 * (2 * 16384 + 64),
        "client buffered {max_client}"
    );
}

fn turn_sent(sizes: &[usize], turn: usize) -> usize {
    let full: usize = sizes.iter().sum();
    full * (turn / sizes.len()) + sizes[..turn % sizes.len()].iter().sum::<usize>()
}

// ------------------------------------------------------------------- chunking

/// The server's bytes of a whole session (RFC 1939 §10 style, with a body that stuffs).
fn server_stream() -> Vec<u8> {
    let mut s = b"+OK POP3 server ready <1.2@x>\r\n+OK\r\nPIPELINING\r\n.\r\n".to_vec();
    s.extend_from_slice(b"+OK hi\r\n+OK maildrop has 2 messages (320 octets)\r\n");
    s.extend_from_slice(b"+OK 2 320\r\n+OK 2 messages\r\n1 35\r\n2 200\r\n.\r\n");
    s.extend_from_slice(
        b"+OK 120 octets\r\nSubject: x\r\n\r\n..dot\r\n...\r\nbare\rcr\r\n\r\n.\r\n",
    );
    s.extend_from_slice(b"-ERR no such message\r\n+OK\r\n1 a\r\n2 b\r\n.\r\n+OK bye\r\n");
    s
}

fn client_commands(c: &mut ClientSession) {
    let n = |x| MsgNumber::new(x).unwrap();
    // The other commands wait for CAPA's answer, then go out pipelined.
    c.send(Command::Capa).unwrap();
    c.send(Command::User(Param::new("a").unwrap())).unwrap();
    c.send(Command::Pass(Secret::new("b").unwrap())).unwrap();
    c.send(Command::Stat).unwrap();
    c.send(Command::List(None)).unwrap();
    c.send(Command::Retr(n(1))).unwrap();
    c.send(Command::Retr(n(9))).unwrap();
    c.send(Command::Uidl(None)).unwrap();
    c.send(Command::Quit).unwrap();
}

/// Feeds the server stream in the given pieces; returns the events (adjacent body chunks
/// merged) and the client's bytes.
fn run_client(pieces: &[&[u8]]) -> (Vec<ClientRecord>, Vec<u8>) {
    let mut c = ClientSession::new(Limits::default());
    let mut wire = Vec::new();
    let mut events: Vec<ClientRecord> = Vec::new();
    let mut sent = false;
    let mut drain = |c: &mut ClientSession, wire: &mut Vec<u8>, events: &mut Vec<ClientRecord>| {
        while let Some(o) = c.poll_output() {
            let e = match o {
                ClientOutput::Transmit(b) => {
                    wire.extend_from_slice(b);
                    continue;
                }
                ClientOutput::Event(e) => mailproto_pop3_session::ops::record(e),
            };
            if let ClientRecord::Event(ClientEvent::Greeting(_)) = e {
                // Commands go out as soon as the greeting is read, before what follows.
                client_commands(c);
                sent = true;
            }
            push_merged(events, e);
        }
    };
    for p in pieces {
        if c.state() == mailproto_pop3_session::ClientState::Closed {
            break;
        }
        c.handle_input(p)
            .unwrap_or_else(|e| panic!("{e}: {events:#?}"));
        drain(&mut c, &mut wire, &mut events);
    }
    c.handle_eof();
    drain(&mut c, &mut wire, &mut events);
    assert!(sent);
    (events, wire)
}

fn push_merged(events: &mut Vec<ClientRecord>, e: ClientRecord) {
    if let (Some(ClientRecord::Chunk { id: a, data }), ClientRecord::Chunk { id: b, data: more }) =
        (events.last_mut(), &e)
        && a == b
    {
        data.extend_from_slice(more);
        return;
    }
    events.push(e);
}

fn client_stream() -> Vec<u8> {
    b"USER mrose\r\nPASS tanstaaf\r\nSTAT\r\nLIST\r\nRETR 1\r\nTOP 1 1\r\nUIDL\r\nDELE 1\r\nRSET\r\nNOOP\r\nQUIT\r\n"
        .to_vec()
}

/// Feeds the client stream in pieces to a server; returns its events and bytes.
fn run_server(pieces: &[&[u8]]) -> (Vec<ServerEvent>, Vec<u8>) {
    let mut app = common::MailApp::new(vec![
        b"Subject: x\r\n\r\n.a\r\nb\r\n".to_vec(),
        b"x\r\n".to_vec(),
    ]);
    let mut s = ServerSession::new(common::config());
    let mut wire = Vec::new();
    for p in pieces {
        if s.state() == mailproto_pop3_session::ServerState::Closed {
            break;
        }
        s.handle_input(p).unwrap();
        loop {
            let ev = drain_server(&mut s, &mut wire);
            if ev.is_empty() {
                break;
            }
            for e in &ev {
                app.answer(&mut s, e);
            }
        }
    }
    (app.events, wire)
}

fn split<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0;
    for c in cuts {
        out.push(&data[at..c]);
        at = c;
    }
    out.push(&data[at..]);
    out
}

#[test]
fn client_whole_and_byte_at_a_time_agree() {
    let stream = server_stream();
    let whole = run_client(&[&stream]);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(run_client(&bytes), whole);
    // The body arrived unstuffed.
    assert!(
        whole
            .0
            .iter()
            .any(|e| matches!(e, ClientRecord::Chunk { data, .. }
        if data == b"Subject: x\r\n\r\n.dot\r\n..\r\nbare\rcr\r\n\r\n"))
    );
    assert_eq!(whole.0.len(), 13, "{:#?}", whole.0);
}

#[test]
fn server_whole_and_byte_at_a_time_agree() {
    let stream = client_stream();
    let whole = run_server(&[&stream]);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(run_server(&bytes), whole);
    assert!(
        whole
            .0
            .iter()
            .any(|e| matches!(e, ServerEvent::Update { .. }))
    );
}

proptest! {
    #[test]
    fn client_random_chunking_agrees(cuts in proptest::collection::vec(0usize..1000, 0..20)) {
        let stream = server_stream();
        let whole = run_client(&[&stream]);
        prop_assert_eq!(run_client(&split(&stream, &cuts)), whole);
    }

    #[test]
    fn server_random_chunking_agrees(cuts in proptest::collection::vec(0usize..1000, 0..20)) {
        let stream = client_stream();
        let whole = run_server(&[&stream]);
        prop_assert_eq!(run_server(&split(&stream, &cuts)), whole);
    }

    /// Random operation sequences never panic, and buffers stay bounded.
    #[test]
    fn random_server_operations_never_panic(ops in proptest::collection::vec(server_op(), 0..40)) {
        let mut s = ServerSession::new(common::config());
        let mut wire = Vec::new();
        for op in &ops {
            let _ = mailproto_pop3_session::ops::apply_server(&mut s, op, &mut wire);
            prop_assert!(s.buffered_len() <= 64 * 1024 + 4096);
        }
    }

    #[test]
    fn random_client_operations_never_panic(ops in proptest::collection::vec(client_op(), 0..40)) {
        let mut c = ClientSession::new(Limits::default());
        let mut wire = Vec::new();
        for op in &ops {
            let _ = mailproto_pop3_session::ops::apply_client(&mut c, op, &mut wire);
        }
    }
}

fn wire_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"USER mrose\r\n".to_vec()),
        Just(b"PASS x\r\n".to_vec()),
        Just(b"STAT\r\nLIST\r\nUIDL\r\n".to_vec()),
        Just(b"RETR 1\r\nTOP 1 2\r\n".to_vec()),
        Just(b"DELE 1\r\nRSET\r\nQUIT\r\n".to_vec()),
        Just(b"STLS\r\nAUTH PLAIN\r\n*\r\n".to_vec()),
        Just(b"+OK\r\n".to_vec()),
        Just(b"+ \r\n".to_vec()),
        Just(b"-ERR [IN-USE] x\r\n".to_vec()),
        Just(b"+OK 1 2\r\n.\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..32),
    ]
}

fn server_op() -> impl Strategy<Value = mailproto_pop3_session::ops::ServerOp> {
    use mailproto_pop3_session::ops::ServerOp as O;
    prop_oneof![
        wire_bytes().prop_map(O::Input),
        Just(O::Eof),
        Just(O::TlsEstablished),
        proptest::collection::vec(any::<u16>(), 0..4)
            .prop_map(|sizes| O::AcceptLogin { sizes, uids: true }),
        Just(O::RejectLogin),
        Just(O::SaslChallenge(b"c".to_vec())),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(O::SendBody),
        Just(O::EndBody),
        Just(O::RefuseRetrieve),
        any::<bool>().prop_map(O::CommitUpdate),
    ]
}

fn client_op() -> impl Strategy<Value = mailproto_pop3_session::ops::ClientOp> {
    use mailproto_pop3_session::ops::{ClientOp as O, CommandOp as C};
    prop_oneof![
        wire_bytes().prop_map(O::Input),
        Just(O::Eof),
        Just(O::TlsEstablished),
        prop_oneof![
            Just(C::User),
            Just(C::Pass),
            Just(C::Quit),
            Just(C::Stat),
            any::<u8>().prop_map(C::Retr),
            Just(C::Capa),
            Just(C::Stls),
            Just(C::Auth(Some(vec![0; 300]))),
            (any::<u8>(), any::<u8>()).prop_map(|(a, b)| C::Top(a, b)),
        ]
        .prop_map(O::Send),
        Just(O::Apop(b"s".to_vec())),
        Just(O::SaslRespond(b"r".to_vec())),
        Just(O::SaslCancel),
    ]
}
