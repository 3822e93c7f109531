//! Streaming literals in constant memory (issue 16): a literal over the threshold reaches the
//! application in chunks lent from the receive buffer (client: FETCH, RFC 9051 §7.5.2; server:
//! APPEND, §6.3.12), and an application streams a literal out (client: APPEND; server: FETCH)
//! in pushes. The sessions' peak `buffered_len()` is asserted against the documented bound
//! (the message without its literal, plus one read), whatever the literal's size.
//!
//! The 1 GiB tests run in every build (the three take about 0.5 s in a debug build: the
//! per-read work is a few `memcpy`s, the chunks are lent, not copied).
//! The literal's octets are never held by the test either: they are slices of one pattern
//! buffer (a 4099-octet period, prime, so a chunk out of place or order does not compare
//! equal), checked with slice comparisons (no per-octet work in the test).

use imap_codec::framer::FramerConfig;
use imap_codec::{CommandBody, Data, Flag, IntoStatic, Mailbox, Response, StatusKind, Tag};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, LocalError, ServerConfig, ServerEvent,
    ServerOutput, ServerSession, State,
};

/// One read of the I/O loop.
const READ: usize = 16 * 1024;
/// The pattern's period.
const PERIOD: usize = 4099;
const GIB: u64 = 1 << 30;
/// What a session may hold besides one read: the message without its literal (a line here),
/// rounded up. This is the documented bound (docs/imap-session.md, "Streaming literals").
const SLACK: usize = 1024;

/// The literal's octets: `pattern()[k % PERIOD..]` starts at octet `k`.
fn pattern() -> Vec<u8> {
    (0..PERIOD + READ + 1)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789\r\n"[(i % PERIOD) % 38])
        .collect()
}

/// A part of the wire: text, or `n` octets of the pattern.
enum Part<'a> {
    Text(&'a [u8]),
    Literal(u64),
}

/// Cuts `parts` into reads and hands each to `feed`: text byte by byte when `bytewise`, else
/// everything in reads of `READ` octets regardless of part boundaries.
fn reads(parts: &[Part<'_>], bytewise: bool, pat: &[u8], mut feed: impl FnMut(&[u8])) {
    let mut buf: Vec<u8> = Vec::with_capacity(READ);
    for part in parts {
        match part {
            Part::Text(t) if bytewise => t.chunks(1).for_each(&mut feed),
            Part::Text(t) => {
                for piece in t.chunks(READ) {
                    let room = READ - buf.len();
                    let (now, later) = piece.split_at(piece.len().min(room));
                    buf.extend_from_slice(now);
                    if buf.len() == READ {
                        feed(&buf);
                        buf.clear();
                    }
                    buf.extend_from_slice(later);
                }
            }
            Part::Literal(n) => {
                let mut at = 0u64;
                while at < *n {
                    let room = READ - buf.len();
                    let len = room.min((*n - at) as usize);
                    let k = (at % PERIOD as u64) as usize;
                    buf.extend_from_slice(&pat[k..k + len]);
                    at += len as u64;
                    if buf.len() == READ || bytewise {
                        feed(&buf);
                        buf.clear();
                    }
                }
            }
        }
    }
    if !buf.is_empty() {
        feed(&buf);
    }
}

/// Checks chunks of the literal as they arrive: in order, complete.
struct Checker<'p> {
    pat: &'p [u8],
    at: u64,
}

impl Checker<'_> {
    fn chunk(&mut self, data: &[u8], remaining: u64, length: u64) {
        let k = (self.at % PERIOD as u64) as usize;
        assert!(data.len() <= READ, "a chunk is at most one read");
        assert!(
            data == &self.pat[k..k + data.len()],
            "octets at {}",
            self.at
        );
        self.at += data.len() as u64;
        assert_eq!(self.at + remaining, length);
    }
}

fn selected_client(config: ClientConfig) -> ClientSession {
    ClientSession::resume(config, State::Selected)
}

fn fetch_body(client: &mut ClientSession) {
    let cmd = imap_codec::Command::parse(b"A1 FETCH 1 (UID BODY[] FLAGS)\r\n").unwrap();
    client.send_command(cmd).unwrap();
    while let Some(o) = client.poll_output() {
        drop(o);
    }
}

/// The client reads `* 1 FETCH (UID 5 BODY[] {n} ... FLAGS (\Seen))`, then `* 2 EXISTS` and
/// the completion; returns the events in order (chunks as "chunk") and the peak held.
fn client_fetches(length: u64, bytewise: bool) -> (Vec<String>, usize) {
    let pat = pattern();
    let mut client = selected_client(ClientConfig::default());
    fetch_body(&mut client);
    let head = format!("* 1 FETCH (UID 5 BODY[] {{{length}}}\r\n");
    let parts = [
        Part::Text(head.as_bytes()),
        Part::Literal(length),
        Part::Text(b" FLAGS (\\Seen))\r\n* 2 EXISTS\r\nA1 OK done\r\n"),
    ];
    let mut checker = Checker { pat: &pat, at: 0 };
    let mut events = Vec::new();
    let mut peak = 0;
    reads(&parts, bytewise, &pat, |read| {
        client.handle_input(read).unwrap();
        peak = peak.max(client.buffered_len());
        while let Some(o) = client.poll_output() {
            match o {
                ClientOutput::LiteralChunk { data, remaining } => {
                    checker.chunk(data, remaining, length);
                    if events.last().map(String::as_str) != Some("chunk") {
                        events.push("chunk".to_owned());
                    }
                }
                ClientOutput::Event(e) => events.push(describe_client(&e)),
                ClientOutput::Transmit(t) => panic!("{t:?}"),
            }
        }
        peak = peak.max(client.buffered_len());
    });
    assert_eq!(checker.at, length);
    assert_eq!(client.buffered_len(), 0);
    (events, peak)
}

fn describe_client(e: &ClientEvent) -> String {
    match e {
        ClientEvent::FetchStreamStart {
            handle,
            head,
            length,
        } => {
            format!("start {:?} {} {length}", handle.is_some(), encode(head))
        }
        ClientEvent::Data { handle, data } => {
            format!("data {:?} {}", handle.is_some(), encode(data))
        }
        ClientEvent::Completed { status, .. } => format!("completed {:?}", status.kind()),
        other => format!("{other:?}"),
    }
}

fn encode(data: &Data<'_>) -> String {
    let mut out = Vec::new();
    let _ = Response::Data(data.clone()).encode(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn expected_client(length: u64) -> Vec<String> {
    vec![
        // The head: what precedes the literal, and the attribute it is the value of.
        format!("start true * 1 FETCH (UID 5 BODY[] {{0}}\r\n)\r\n {length}"),
        "chunk".to_owned(),
        // The whole response, the streamed literal empty.
        "data true * 1 FETCH (UID 5 BODY[] {0}\r\n FLAGS (\\Seen))\r\n".to_owned(),
        "data false * 2 EXISTS\r\n".to_owned(),
        "completed Ok".to_owned(),
    ]
}

fn check_client(length: u64, bytewise: bool) {
    let (events, peak) = client_fetches(length, bytewise);
    assert_eq!(events, expected_client(length));
    assert!(peak <= SLACK + READ, "peak {peak}");
}

#[test]
fn client_streams_a_fetch_literal_over_the_threshold() {
    check_client(3 << 20, false);
    check_client(3 << 20, true);
}

#[test]
fn client_streams_1_gib_fetch_literal_in_constant_memory() {
    check_client(GIB, false);
    check_client(GIB, true);
}

/// Below the threshold, and with streaming off, the literal is held and reported whole.
#[test]
fn client_holds_literals_at_or_below_the_threshold() {
    for (config, length) in [
        (ClientConfig::default().with_stream_literals_over(10), 10),
        (ClientConfig::default().without_literal_streaming(), 100),
    ] {
        let mut client = selected_client(config);
        fetch_body(&mut client);
        let input = format!(
            "* 1 FETCH (BODY[] {{{length}}}\r\n{})\r\nA1 OK done\r\n",
            "x".repeat(length)
        );
        client.handle_input(input.as_bytes()).unwrap();
        let mut data = None;
        while let Some(o) = client.poll_output() {
            match o {
                ClientOutput::Event(ClientEvent::Data { data: d, .. }) => data = Some(d),
                ClientOutput::Event(ClientEvent::FetchStreamStart { .. })
                | ClientOutput::LiteralChunk { .. } => panic!("streamed"),
                _ => {}
            }
        }
        let data = encode(&data.unwrap());
        assert!(data.contains(&"x".repeat(length)), "{data}");
    }
}

/// A literal over the threshold that is not a FETCH attribute's value (here inside an
/// ENVELOPE) is held as usual: the codec decides, the session does not guess.
#[test]
fn client_holds_literals_inside_structures() {
    let mut client = selected_client(ClientConfig::default().with_stream_literals_over(4));
    fetch_body(&mut client);
    let input = b"* 1 FETCH (ENVELOPE ({8}\r\n01234567 NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n";
    client.handle_input(input).unwrap();
    let mut got = Vec::new();
    while let Some(o) = client.poll_output() {
        match o {
            ClientOutput::Event(e) => got.push(describe_client(&e)),
            _ => panic!("streamed"),
        }
    }
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("data true"), "{got:?}");
}

/// The application may stop draining after a chunk and feed more input: the chunk is not
/// lost, and the next ones follow in order.
#[test]
fn client_keeps_an_unlent_chunk_when_fed_again() {
    let pat = pattern();
    let length = 5000u64;
    let mut client = selected_client(ClientConfig::default().with_stream_literals_over(100));
    fetch_body(&mut client);
    client
        .handle_input(format!("* 1 FETCH (BODY[] {{{length}}}\r\n").as_bytes())
        .unwrap();
    client.handle_input(&pat[..1000]).unwrap();
    // Not drained: more arrives.
    client.handle_input(&pat[1000..5000]).unwrap();
    client.handle_input(b")\r\nA1 OK done\r\n").unwrap();
    let mut checker = Checker { pat: &pat, at: 0 };
    let mut completed = false;
    while let Some(o) = client.poll_output() {
        match o {
            ClientOutput::LiteralChunk { data, remaining } => {
                checker.chunk(data, remaining, length)
            }
            ClientOutput::Event(ClientEvent::Completed { .. }) => completed = true,
            _ => {}
        }
    }
    assert_eq!(checker.at, length);
    assert!(completed);
}

// ---- server: APPEND in ----

fn server_config() -> ServerConfig {
    ServerConfig::default().with_framer(
        FramerConfig::server()
            .with_max_literal(2 * GIB)
            .with_max_message(2 * GIB),
    )
}

fn describe_server(e: &ServerEvent) -> String {
    match e {
        ServerEvent::AppendStreamStart { command, length } => {
            format!("start {} {length}", encode_command(command))
        }
        ServerEvent::Command(c) => format!("command {}", encode_command(c)),
        other => format!("{other:?}"),
    }
}

fn encode_command(c: &imap_codec::Command<'_>) -> String {
    let mut out = Vec::new();
    let _ = c.encode(&mut out, &imap_codec::EncodeOptions::default());
    String::from_utf8_lossy(&out).into_owned()
}

fn server_appends(length: u64, bytewise: bool) -> (Vec<String>, String, usize) {
    let pat = pattern();
    let mut server = ServerSession::resume(server_config(), State::Authenticated);
    let head = format!("a1 APPEND INBOX (\\Seen) {{{length}}}\r\n");
    let parts = [
        Part::Text(head.as_bytes()),
        Part::Literal(length),
        Part::Text(b"\r\na2 NOOP\r\n"),
    ];
    let mut checker = Checker { pat: &pat, at: 0 };
    let mut events = Vec::new();
    let mut wire = Vec::new();
    let mut peak = 0;
    reads(&parts, bytewise, &pat, |read| {
        server.handle_input(read).unwrap();
        peak = peak.max(server.buffered_len());
        let mut complete = Vec::new();
        while let Some(o) = server.poll_output() {
            match o {
                ServerOutput::LiteralChunk { data, remaining } => {
                    checker.chunk(data, remaining, length);
                    if events.last().map(String::as_str) != Some("chunk") {
                        events.push("chunk".to_owned());
                    }
                }
                ServerOutput::Event(e) => {
                    if let ServerEvent::Command(c) = &e {
                        complete.push(c.tag.clone().into_static());
                    }
                    events.push(describe_server(&e));
                }
                ServerOutput::Transmit(t) => wire.extend_from_slice(t),
            }
        }
        for tag in complete {
            server.complete(tag, StatusKind::Ok, "done").unwrap();
            while let Some(o) = server.poll_output() {
                if let ServerOutput::Transmit(t) = o {
                    wire.extend_from_slice(t);
                }
            }
        }
        peak = peak.max(server.buffered_len());
    });
    assert_eq!(checker.at, length);
    assert_eq!(server.buffered_len(), 0);
    (events, String::from_utf8(wire).unwrap(), peak)
}

fn check_server(length: u64, bytewise: bool) {
    let (events, wire, peak) = server_appends(length, bytewise);
    assert_eq!(
        events,
        [
            format!("start a1 APPEND INBOX (\\Seen) {{0}}\r\n\r\n {length}"),
            "chunk".to_owned(),
            "command a1 APPEND INBOX (\\Seen) {0}\r\n\r\n".to_owned(),
            "command a2 NOOP\r\n".to_owned(),
        ]
    );
    assert_eq!(
        wire,
        "+ Ready for literal data\r\na1 OK done\r\na2 OK done\r\n"
    );
    assert!(peak <= SLACK + READ, "peak {peak}");
}

#[test]
fn server_streams_an_append_literal_over_the_threshold() {
    check_server(3 << 20, false);
    check_server(3 << 20, true);
}

#[test]
fn server_streams_1_gib_append_in_constant_memory() {
    check_server(GIB, false);
    check_server(GIB, true);
}

// ---- client: APPEND out ----

/// The client streams `length` octets out through APPEND in pushes of `READ`, the server's
/// `+` and completion fed back; returns the peak the client held and what it wrote, without
/// the literal (checked as it goes).
fn client_appends(length: u64, literal_plus: bool) -> (String, usize) {
    let pat = pattern();
    let config = if literal_plus {
        ClientConfig::default().with_literal_override(Some(imap_codec::LiteralCapability::Plus))
    } else {
        ClientConfig::default()
    };
    let mut client = ClientSession::resume(config, State::Authenticated);
    let flags = Some(vec![Flag::Seen]);
    let handle = client
        .send_append_stream(Mailbox::new("INBOX").unwrap(), flags, None, length, false)
        .unwrap();
    // A command sent meanwhile waits behind the literal.
    let noop = client.send(CommandBody::Noop).unwrap();
    let mut wire = Vec::new();
    let mut sent = 0u64;
    let mut wanted = None;
    let mut peak = 0;
    let drain = |client: &mut ClientSession, wire: &mut Vec<u8>, sent: &mut u64| {
        let mut wanted = None;
        while let Some(o) = client.poll_output() {
            match o {
                ClientOutput::Transmit(t) if *sent > 0 && *sent < length => {
                    // Literal octets: checked, not kept.
                    let k = ((*sent - t.len() as u64) % PERIOD as u64) as usize;
                    assert!(t == &pat[k..k + t.len()]);
                }
                ClientOutput::Transmit(t) => wire.extend_from_slice(t),
                ClientOutput::Event(ClientEvent::LiteralWanted {
                    handle: h,
                    length: l,
                }) => wanted = Some((h, l)),
                ClientOutput::Event(_) => {}
                ClientOutput::LiteralChunk { .. } => unreachable!(),
            }
        }
        wanted
    };
    if let Some(w) = drain(&mut client, &mut wire, &mut sent) {
        wanted = Some(w);
    }
    if !literal_plus {
        // Nothing is wanted before the server's "+".
        assert!(wanted.is_none());
        assert_eq!(
            client.push_literal_chunk(b"x"),
            Err(LocalError::NoLiteralWanted)
        );
        client.handle_input(b"+ go ahead\r\n").unwrap();
        wanted = drain(&mut client, &mut wire, &mut sent);
    }
    assert_eq!(wanted, Some((handle, length)));
    assert_eq!(client.literal_wanted(), Some((handle, length)));
    while sent < length {
        let n = READ.min((length - sent) as usize);
        let k = (sent % PERIOD as u64) as usize;
        client.push_literal_chunk(&pat[k..k + n]).unwrap();
        sent += n as u64;
        peak = peak.max(client.buffered_len());
        if sent < length {
            // The last push also writes the tail and the NOOP: kept on the wire.
            let _ = drain(&mut client, &mut wire, &mut sent);
        }
    }
    // The tail, then the queued NOOP, go out after the last octet.
    let mut rest = Vec::new();
    while let Some(o) = client.poll_output() {
        if let ClientOutput::Transmit(t) = o {
            rest.extend_from_slice(t);
        }
    }
    let last = (length as usize).min(READ);
    assert_eq!(&rest[last..], b"\r\nA2 NOOP\r\n");
    assert_eq!(
        client.push_literal_chunk(b"x"),
        Err(LocalError::NoLiteralWanted)
    );
    client
        .handle_input(b"A1 OK appended\r\nA2 OK done\r\n")
        .unwrap();
    let mut completed = Vec::new();
    while let Some(o) = client.poll_output() {
        if let ClientOutput::Event(ClientEvent::Completed { handle, .. }) = o {
            completed.push(handle);
        }
    }
    assert_eq!(completed, [handle, noop]);
    (String::from_utf8(wire).unwrap(), peak)
}

#[test]
fn client_streams_an_append_out() {
    let (wire, peak) = client_appends(3 << 20, false);
    assert_eq!(wire, "A1 APPEND INBOX (\\Seen) {3145728}\r\n");
    assert!(peak <= SLACK + READ, "peak {peak}");
    // LITERAL+: `{n+}`, and the data is wanted at once.
    let (wire, _) = client_appends(3 << 20, true);
    assert_eq!(wire, "A1 APPEND INBOX (\\Seen) {3145728+}\r\n");
}

#[test]
fn client_streams_1_gib_append_out_in_constant_memory() {
    let (wire, peak) = client_appends(GIB, false);
    assert_eq!(wire, format!("A1 APPEND INBOX (\\Seen) {{{GIB}}}\r\n"));
    assert!(peak <= SLACK + READ, "peak {peak}");
}

/// A tagged NO instead of `+`: the literal is never wanted, and the queue goes on.
#[test]
fn client_streamed_append_refused_before_the_data() {
    let mut client = ClientSession::resume(ClientConfig::default(), State::Authenticated);
    let handle = client
        .send_append_stream(Mailbox::new("INBOX").unwrap(), None, None, 10, false)
        .unwrap();
    let noop = client.send(CommandBody::Noop).unwrap();
    let mut wire = Vec::new();
    let drain = |client: &mut ClientSession, wire: &mut Vec<u8>| {
        let mut events = Vec::new();
        while let Some(o) = client.poll_output() {
            match o {
                ClientOutput::Transmit(t) => wire.extend_from_slice(t),
                ClientOutput::Event(e) => events.push(e),
                ClientOutput::LiteralChunk { .. } => unreachable!(),
            }
        }
        events
    };
    drain(&mut client, &mut wire);
    assert_eq!(wire, b"A1 APPEND INBOX {10}\r\n");
    client.handle_input(b"A1 NO [TOOBIG] too big\r\n").unwrap();
    let events = drain(&mut client, &mut wire);
    assert!(events.contains(&ClientEvent::LiteralRejected { handle }));
    assert_eq!(wire, b"A1 APPEND INBOX {10}\r\nA2 NOOP\r\n");
    assert_eq!(
        client.push_literal_chunk(b"x"),
        Err(LocalError::NoLiteralWanted)
    );
    client.handle_input(b"A2 OK done\r\n").unwrap();
    let events = drain(&mut client, &mut wire);
    assert!(matches!(events[0], ClientEvent::Completed { handle: h, .. } if h == noop));
}

// ---- both sides, end to end ----

/// The client streams an APPEND to the server, which streams it to its application; then
/// the server streams a FETCH BODY[] back, which the client streams to its application. All
/// octets are checked in order; both sessions stay within the bound.
#[test]
fn client_and_server_stream_both_ways() {
    let pat = pattern();
    let length: u64 = 5 << 20;
    let mut client = ClientSession::resume(
        ClientConfig::default().with_literal_override(Some(imap_codec::LiteralCapability::Plus)),
        State::Selected,
    );
    let mut server = ServerSession::resume(ServerConfig::default(), State::Selected);
    // The server advertises LITERAL+ (RFC 7888), or it refuses `{n+}` over 4096 octets.
    let caps = Response::parse(b"* CAPABILITY IMAP4rev1 LITERAL+\r\n").unwrap();
    server.send_response(caps).unwrap();
    while server.poll_output().is_some() {}
    let append = client
        .send_append_stream(Mailbox::new("INBOX").unwrap(), None, None, length, false)
        .unwrap();
    let mut to_server = Vec::new();
    let mut wanted = false;
    while let Some(o) = client.poll_output() {
        match o {
            ClientOutput::Transmit(t) => to_server.extend_from_slice(t),
            ClientOutput::Event(ClientEvent::LiteralWanted { .. }) => wanted = true,
            _ => {}
        }
    }
    assert!(wanted, "LITERAL+: no wait for +");
    let mut got = Checker { pat: &pat, at: 0 };
    let mut server_events = Vec::new();
    let mut pump_server = |server: &mut ServerSession, bytes: &[u8], got: &mut Checker<'_>| {
        server.handle_input(bytes).unwrap();
        assert!(server.buffered_len() <= SLACK + READ);
        while let Some(o) = server.poll_output() {
            match o {
                ServerOutput::LiteralChunk { data, remaining } => {
                    got.chunk(data, remaining, length)
                }
                ServerOutput::Event(e) => server_events.push(describe_server(&e)),
                ServerOutput::Transmit(t) => panic!("{t:?}"),
            }
        }
    };
    pump_server(&mut server, &to_server, &mut got);
    let mut sent = 0u64;
    while sent < length {
        let n = READ.min((length - sent) as usize);
        let k = (sent % PERIOD as u64) as usize;
        client.push_literal_chunk(&pat[k..k + n]).unwrap();
        sent += n as u64;
        let mut bytes = Vec::new();
        while let Some(o) = client.poll_output() {
            if let ClientOutput::Transmit(t) = o {
                bytes.extend_from_slice(t);
            }
        }
        pump_server(&mut server, &bytes, &mut got);
    }
    assert_eq!(got.at, length);
    assert_eq!(
        server_events,
        [
            format!("start A1 APPEND INBOX {{0+}}\r\n\r\n {length}"),
            "command A1 APPEND INBOX {0+}\r\n\r\n".to_owned(),
        ]
    );

    // The server answers, then streams a FETCH BODY[] of the same size back.
    server
        .complete(Tag::new("A1").unwrap(), StatusKind::Ok, "appended")
        .unwrap();
    let fetch = Response::parse(b"* 1 FETCH (UID 9 BODY[] {0}\r\n FLAGS ())\r\n")
        .unwrap()
        .into_static();
    server.send_fetch_stream(fetch.clone(), length).unwrap();
    assert_eq!(
        server.send_response(fetch.clone()),
        Err(LocalError::LiteralInProgress { remaining: length })
    );
    let mut client_events = Vec::new();
    let mut back = Checker { pat: &pat, at: 0 };
    let mut peak = 0;
    let mut pump_client = |client: &mut ClientSession, server: &mut ServerSession| {
        let mut bytes = Vec::new();
        while let Some(o) = server.poll_output() {
            if let ServerOutput::Transmit(t) = o {
                bytes.extend_from_slice(t);
            }
        }
        client.handle_input(&bytes).unwrap();
        peak = peak.max(client.buffered_len());
        while let Some(o) = client.poll_output() {
            match o {
                ClientOutput::LiteralChunk { data, remaining } => {
                    back.chunk(data, remaining, length)
                }
                ClientOutput::Event(e) => client_events.push(describe_client(&e)),
                ClientOutput::Transmit(t) => panic!("{t:?}"),
            }
        }
    };
    pump_client(&mut client, &mut server);
    let mut sent = 0u64;
    while sent < length {
        let n = READ.min((length - sent) as usize);
        let k = (sent % PERIOD as u64) as usize;
        server.push_literal_chunk(&pat[k..k + n]).unwrap();
        sent += n as u64;
        pump_client(&mut client, &mut server);
    }
    assert_eq!(back.at, length);
    assert!(peak <= SLACK + READ, "peak {peak}");
    assert_eq!(server.literal_wanted(), None);
    assert_eq!(
        client_events,
        [
            "completed Ok",
            // No FETCH in flight: unsolicited (`handle: None`).
            "start false * 1 FETCH (UID 9 BODY[] {0}\r\n)\r\n 5242880",
            "data false * 1 FETCH (UID 9 BODY[] {0}\r\n FLAGS ())\r\n",
        ]
    );
    let _ = append;
}

/// The stream ends inside a streamed literal: the chunks that arrived were lent, the rest is
/// reported as truncated, and no stale chunk is lent afterwards.
#[test]
fn end_of_stream_inside_a_streamed_literal() {
    let pat = pattern();
    let mut client = selected_client(ClientConfig::default().with_stream_literals_over(10));
    fetch_body(&mut client);
    client.handle_input(b"* 1 FETCH (BODY[] {100}\r\n").unwrap();
    client.handle_input(&pat[..40]).unwrap();
    // Not drained before the end of stream.
    client.handle_eof();
    let mut lent = 0;
    let mut events = Vec::new();
    while let Some(o) = client.poll_output() {
        match o {
            ClientOutput::LiteralChunk { data, .. } => lent += data.len(),
            ClientOutput::Event(e) => events.push(e),
            ClientOutput::Transmit(t) => panic!("{t:?}"),
        }
    }
    assert_eq!(lent, 0, "the buffer was dropped with the stream");
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClientEvent::ProtocolError(mailproto_imap_session::PeerError::Truncated { .. })
        )),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&ClientEvent::Closed));
}

/// Events and octets of a client reading `wire` in the given pieces (streaming over 16
/// octets), chunks merged: what the application sees must not depend on the split.
fn client_sees(wire: &[u8], cuts: &[usize]) -> (Vec<String>, Vec<u8>) {
    let mut client = selected_client(ClientConfig::default().with_stream_literals_over(16));
    fetch_body(&mut client);
    let mut events = Vec::new();
    let mut data = Vec::new();
    let mut at = 0;
    for &cut in cuts.iter().chain([&wire.len()]) {
        let cut = cut.clamp(at, wire.len());
        client.handle_input(&wire[at..cut]).unwrap();
        at = cut;
        while let Some(o) = client.poll_output() {
            match o {
                ClientOutput::LiteralChunk { data: d, remaining } => {
                    data.extend_from_slice(d);
                    if remaining == 0 {
                        events.push("end".to_owned());
                    }
                }
                ClientOutput::Event(e) => events.push(describe_client(&e)),
                ClientOutput::Transmit(t) => panic!("{t:?}"),
            }
        }
    }
    (events, data)
}

proptest::proptest! {
    /// Two streamed literals in one FETCH response (BODY[1] and BINARY[2], whose literal8
    /// holds NUL and CRLF), a held small one between them, and a response after: any split.
    #[test]
    fn streaming_does_not_depend_on_the_split(
        mut cuts in proptest::collection::vec(0usize..400, 0..12)
    ) {
        let mut wire = b"* 1 FETCH (UID 5 BODY[1] {40}\r\n".to_vec();
        wire.extend_from_slice(&[b'a'; 38]);
        wire.extend_from_slice(b"\r\n BODY[HEADER] {3}\r\nh\r\n BINARY[2] ~{50}\r\n");
        wire.extend_from_slice(&[0u8; 24]);
        wire.extend_from_slice(b"\r\n{3}\r\n");
        wire.extend_from_slice(&[b'z'; 19]);
        wire.extend_from_slice(b")\r\nA1 OK done\r\n");
        cuts.sort_unstable();
        let whole = client_sees(&wire, &[]);
        proptest::prop_assert_eq!(whole.1.len(), 90);
        proptest::prop_assert_eq!(whole.0.len(), 6, "{:?}", whole.0);
        proptest::prop_assert_eq!(client_sees(&wire, &cuts), whole);
    }
}

// ---- server: the APPEND family (RFC 3502 MULTIAPPEND, RFC 4469 CATENATE) ----

/// Feeds `input` to a streaming server (threshold 100 octets) in `step`-octet reads and
/// describes what came out: `+`, stream starts, chunks, commands (answered at once).
fn server_family(input: &[u8], step: usize) -> Vec<String> {
    let mut server = ServerSession::resume(
        ServerConfig::default().with_stream_literals_over(100),
        State::Authenticated,
    );
    let mut out: Vec<String> = Vec::new();
    let mut streamed = 0u64;
    for read in input.chunks(step) {
        server.handle_input(read).unwrap();
        let mut complete = Vec::new();
        while let Some(o) = server.poll_output() {
            match o {
                ServerOutput::Transmit(t) => {
                    let t = String::from_utf8_lossy(t).into_owned();
                    if t.starts_with('+') {
                        out.push("+".to_owned());
                    }
                }
                ServerOutput::LiteralChunk { data, remaining } => {
                    streamed += data.len() as u64;
                    if remaining == 0 {
                        out.push(format!("streamed {streamed}"));
                        streamed = 0;
                    }
                }
                ServerOutput::Event(e) => {
                    if let ServerEvent::Command(c) = &e {
                        complete.push(c.tag.clone().into_static());
                    }
                    match &e {
                        ServerEvent::AppendStreamStart { command, length } => {
                            out.push(format!("start {length} {}", encode_command(command)))
                        }
                        ServerEvent::Command(c) => out.push(format!("command {}", c.name())),
                        _ => {}
                    }
                }
            }
        }
        for tag in complete {
            server.complete(tag, StatusKind::Ok, "done").unwrap();
            while server.poll_output().is_some() {}
        }
    }
    assert_eq!(server.buffered_len(), 0);
    out
}

/// RFC 3502: each literal of a MULTIAPPEND is its own literal for the framer; one over the
/// threshold in a later message is streamed (the stream's command shows the messages before
/// it whole and this one empty), the others are held; a CATENATE (RFC 4469) is held whole
/// (only an APPEND's message literal is streamed). Whole input or one octet at a time.
#[test]
fn server_frames_multiappend_and_catenate_literals() {
    let big = "x".repeat(200);
    let multi = format!("a1 APPEND INBOX {{3}}\r\nabc {{200}}\r\n{big}\r\na2 NOOP\r\n");
    let cat = format!("a1 APPEND INBOX CATENATE (TEXT {{200}}\r\n{big} URL x)\r\na2 NOOP\r\n");
    for step in [1, 7, 4096] {
        let events = server_family(multi.as_bytes(), step);
        let starts: Vec<&String> = events.iter().filter(|e| e.starts_with("start")).collect();
        assert_eq!(
            starts,
            ["start 200 a1 APPEND INBOX {3}\r\nabc {0}\r\n\r\n"],
            "step {step}: {events:?}"
        );
        assert!(events.contains(&"streamed 200".to_owned()), "{events:?}");
        let commands: Vec<&String> = events.iter().filter(|e| e.starts_with("command")).collect();
        assert_eq!(commands, ["command APPEND", "command NOOP"], "step {step}");
        if step == 1 {
            // A client that waits: a "+" for each synchronizing literal.
            assert_eq!(events.iter().filter(|e| *e == "+").count(), 2, "{events:?}");
        }
        let events = server_family(cat.as_bytes(), step);
        assert!(!events.iter().any(|e| e.starts_with("start")), "{events:?}");
        let commands: Vec<&String> = events.iter().filter(|e| e.starts_with("command")).collect();
        assert_eq!(commands, ["command APPEND", "command NOOP"], "step {step}");
    }
}
