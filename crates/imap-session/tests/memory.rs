//! What the sessions allocate per received message, counted by a heap profiler (dhat, in
//! testing mode) instead of timed: copies of a big literal, work per literal (issue 18 item
//! 1), and the peak memory of a big message relative to its size (issue 18 item 2).
//!
//! The figures are documented in docs/imap-session.md ("Memory"). The profiler is
//! process-wide, so the measurements in this binary take a lock and run one at a time.

use std::sync::Mutex;

use imap_codec::framer::FramerConfig;
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, ServerConfig, ServerEvent,
    ServerOutput, ServerSession, State,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

static LOCK: Mutex<()> = Mutex::new(());

/// Taken for a whole test: the profiler counts every thread's allocations, so no other test
/// may run meanwhile.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` under the heap profiler; returns its result and what was allocated meanwhile.
fn measure<R>(f: impl FnOnce() -> R) -> (R, dhat::HeapStats) {
    let _profiler = dhat::Profiler::builder().testing().build();
    let r = f();
    (r, dhat::HeapStats::get())
}

/// The pieces a socket read loop would hand in.
const READ: usize = 64 * 1024;

/// `* 1 FETCH (BODY[] {n}` CRLF, n octets, `)` CRLF.
fn fetch_response(n: usize) -> Vec<u8> {
    let mut m = format!("* 1 FETCH (BODY[] {{{n}}}\r\n").into_bytes();
    m.resize(m.len() + n, b'x');
    m.extend_from_slice(b")\r\n");
    m
}

/// Feeds `input` to a selected client in reads of [`READ`] octets, draining after each; keeps
/// the events (an application that keeps the data).
fn client_receives(input: &[u8]) -> Vec<ClientEvent> {
    // The held path (streaming measured in tests/streaming.rs).
    let config = ClientConfig::default()
        .with_framer(FramerConfig::client())
        .without_literal_streaming();
    let mut client = ClientSession::resume(config, State::Selected);
    let mut events = Vec::new();
    for read in input.chunks(READ) {
        client.handle_input(read).unwrap();
        while let Some(o) = client.poll_output() {
            if let ClientOutput::Event(e) = o {
                events.push(e);
            }
        }
    }
    events
}

/// Issue 11 item 5: a FETCH BODY[] of 1 MiB costs the session's receive buffer and one owned
/// copy of the value, nothing else of the literal's size (before: the framed message was
/// copied with `to_vec`, then the parsed value with `into_static`: three buffers of 1 MiB).
#[test]
fn a_one_mib_fetch_body_is_copied_once() {
    let _serial = serial();
    const SIZE: usize = 1 << 20;
    let input = fetch_response(SIZE);
    let (events, stats) = measure(|| client_receives(&input));
    assert!(
        events.iter().any(|e| matches!(e, ClientEvent::Data { .. })),
        "{events:?}"
    );
    let per_message = stats.total_bytes as f64 / SIZE as f64;
    eprintln!(
        "1 MiB FETCH BODY[]: {} allocations, {} bytes allocated ({per_message:.2} x the literal), peak {} bytes",
        stats.total_blocks, stats.total_bytes, stats.max_bytes
    );
    // The receive buffer (reserved once for the literal) and the owned value: 2 x, plus
    // the small change of the parse.
    assert!(
        stats.total_bytes < 2 * SIZE as u64 + 128 * 1024,
        "{} bytes allocated for a {SIZE}-octet literal",
        stats.total_bytes
    );
}

/// `a SEARCH` + ` SUBJECT {0+}` CRLF × n + ` ALL` CRLF (issue 18 item 1).
fn search_with_empty_literals(n: usize) -> Vec<u8> {
    let mut m = b"a SEARCH".to_vec();
    for _ in 0..n {
        m.extend_from_slice(b" SUBJECT {0+}\r\n");
    }
    m.extend_from_slice(b" ALL\r\n");
    m
}

/// Bytes allocated by a selected server reading `input` in reads of [`READ`] octets.
fn server_allocates(input: &[u8]) -> (u64, u64) {
    let (commands, stats) = measure(|| {
        let config = ServerConfig::default()
            .without_literal_streaming()
            .with_framer(FramerConfig::server().with_max_message(64 * 1024 * 1024));
        let mut server = ServerSession::resume(config, State::Selected);
        let mut commands = 0;
        for read in input.chunks(READ) {
            server.handle_input(read).unwrap();
            while let Some(o) = server.poll_output() {
                if let ServerOutput::Event(ServerEvent::Command(_)) = o {
                    commands += 1;
                }
            }
        }
        commands
    });
    assert_eq!(commands, 1);
    (stats.total_bytes, stats.total_blocks)
}

/// Issue 18 item 1: the work per literal is constant. The server copied the whole message so
/// far at every literal announcement (quadratic: 4 MiB of `{0+}` took 37 s); now what it
/// allocates for the command grows linearly with its size, measured at two sizes.
#[test]
fn many_literals_in_one_command_cost_linear_memory_traffic() {
    let _serial = serial();
    // Both above the framer's 256 KiB threshold for giving back a big message's spare
    // capacity (one shrinking reallocation each), so that both sizes are handled alike.
    let small = search_with_empty_literals(20_000);
    let large = search_with_empty_literals(80_000);
    let (bytes_small, blocks_small) = server_allocates(&small);
    let (bytes_large, blocks_large) = server_allocates(&large);
    eprintln!(
        "SEARCH with {{0+}} literals: {} octets -> {bytes_small} bytes in {blocks_small} allocations; {} octets -> {bytes_large} bytes in {blocks_large} allocations",
        small.len(),
        large.len()
    );
    // Four times the literals: at most about four times the bytes (quadratic would be 16).
    assert!(
        bytes_large < 5 * bytes_small,
        "{bytes_small} -> {bytes_large}"
    );
    // And a constant factor of the message: the receive buffer, the parsed keys and
    // their owned copy (a parsed search key is larger than its 14 octets of text).
    let factor = bytes_large / large.len() as u64;
    assert!(factor <= 32, "{factor} bytes allocated per octet received");
}

/// Issue 18 item 2: the peak memory while a client receives a big literal, relative to its
/// size. The receive buffer holds the message while its owned copy is made: 2 x, and no more
/// (before: 3 x from the intermediate `to_vec`, more from the buffer regrowing).
#[test]
fn client_peak_memory_for_a_big_literal_is_twice_its_size() {
    let _serial = serial();
    const SIZE: usize = 16 << 20;
    let input = fetch_response(SIZE);
    let (events, stats) = measure(|| client_receives(&input));
    assert_eq!(events.len(), 1);
    let factor = stats.max_bytes as f64 / SIZE as f64;
    eprintln!(
        "16 MiB FETCH BODY[]: peak {} bytes = {factor:.3} x",
        stats.max_bytes
    );
    assert!(factor < 2.05, "peak {factor:.3} x the literal");
}

/// The same on the server side: a 16 MiB APPEND literal.
#[test]
fn server_peak_memory_for_a_big_literal_is_twice_its_size() {
    let _serial = serial();
    const SIZE: usize = 16 << 20;
    let mut input = format!("a APPEND INBOX {{{SIZE}+}}\r\n").into_bytes();
    input.resize(input.len() + SIZE, b'x');
    input.extend_from_slice(b"\r\n");
    let (commands, stats) = measure(|| {
        let mut server = ServerSession::resume(ServerConfig::default(), State::Authenticated);
        server
            .send_response(
                imap_codec::Response::parse(b"* CAPABILITY IMAP4rev1 LITERAL+\r\n").unwrap(),
            )
            .unwrap();
        let mut commands = Vec::new();
        for read in input.chunks(READ) {
            server.handle_input(read).unwrap();
            while let Some(o) = server.poll_output() {
                if let ServerOutput::Event(ServerEvent::Command(c)) = o {
                    commands.push(c);
                }
            }
        }
        commands
    });
    assert_eq!(commands.len(), 1);
    let factor = stats.max_bytes as f64 / SIZE as f64;
    eprintln!(
        "16 MiB APPEND: {} bytes allocated, peak {} bytes = {factor:.3} x",
        stats.total_bytes, stats.max_bytes
    );
    assert!(factor < 2.05, "peak {factor:.3} x the literal");
}

/// Issue 16: a streamed literal (over `stream_literals_over`) costs no memory of its size:
/// the heap peak of a client reading a 256 MiB FETCH BODY[] literal, and of a server reading a
/// 256 MiB APPEND, in reads of [`READ`] octets, is a few reads' worth. The input is one
/// block read again and again (the test holds no input either).
#[test]
fn a_streamed_literal_costs_no_memory_of_its_size() {
    let _serial = serial();
    const SIZE: u64 = 256 << 20;
    let block = vec![b'x'; READ];
    let feed = |f: &mut dyn FnMut(&[u8]), head: &[u8], tail: &[u8]| {
        f(head);
        for _ in 0..SIZE / READ as u64 {
            f(&block);
        }
        f(tail);
    };
    let (got, stats) = measure(|| {
        let mut client = ClientSession::resume(ClientConfig::default(), State::Selected);
        let mut got = 0u64;
        feed(
            &mut |read| {
                client.handle_input(read).unwrap();
                while let Some(o) = client.poll_output() {
                    if let ClientOutput::LiteralChunk { data, .. } = o {
                        got += data.len() as u64;
                    }
                }
            },
            format!("* 1 FETCH (BODY[] {{{SIZE}}}\r\n").as_bytes(),
            b")\r\n",
        );
        got
    });
    assert_eq!(got, SIZE);
    eprintln!(
        "client, 256 MiB streamed: heap peak {} bytes",
        stats.max_bytes
    );
    assert!(stats.max_bytes < 2 * READ, "peak {}", stats.max_bytes);

    let (got, stats) = measure(|| {
        let config = ServerConfig::default().with_framer(
            FramerConfig::server()
                .with_max_literal(1 << 30)
                .with_max_message(1 << 30),
        );
        let mut server = ServerSession::resume(config, State::Authenticated);
        let mut got = 0u64;
        feed(
            &mut |read| {
                server.handle_input(read).unwrap();
                while let Some(o) = server.poll_output() {
                    if let ServerOutput::LiteralChunk { data, .. } = o {
                        got += data.len() as u64;
                    }
                }
            },
            format!("a1 APPEND INBOX {{{SIZE}}}\r\n").as_bytes(),
            b"\r\n",
        );
        got
    });
    assert_eq!(got, SIZE);
    eprintln!(
        "server, 256 MiB streamed: heap peak {} bytes",
        stats.max_bytes
    );
    assert!(stats.max_bytes < 2 * READ, "peak {}", stats.max_bytes);
}

/// Issue 18 item 2, before login: a 63 MiB `SEARCH 1 1 1 ...` with a `{0+}` literal every
/// 60,000 octets took 4.3 GB when it was parsed in full before the state check. Now it is
/// refused from its name at its first literal and its octets are dropped as they come: the
/// heap peak of the whole exchange is a few reads, whatever the command's size.
#[test]
fn a_63_mib_command_before_login_costs_a_few_reads() {
    let _serial = serial();
    let mut input = b"a SEARCH".to_vec();
    while input.len() < 63 << 20 {
        input.extend_from_slice(&b" 1".repeat(30_000));
        input.extend_from_slice(b" {0+}\r\n");
    }
    input.extend_from_slice(b" 1\r\n");
    let (out, stats) = measure(|| {
        let mut server = ServerSession::resume(ServerConfig::default(), State::NotAuthenticated);
        let mut out = Vec::new();
        for read in input.chunks(READ) {
            if server.is_closed() {
                break;
            }
            server.handle_input(read).unwrap();
            while let Some(o) = server.poll_output() {
                if let ServerOutput::Transmit(b) = o {
                    out.extend_from_slice(b);
                }
            }
        }
        out
    });
    assert!(
        out.starts_with(b"a BAD "),
        "{}",
        String::from_utf8_lossy(&out)
    );
    eprintln!(
        "63 MiB SEARCH before login: {} bytes allocated, peak {} bytes",
        stats.total_bytes, stats.max_bytes
    );
    assert!(stats.max_bytes < 4 * READ, "peak {} bytes", stats.max_bytes);
}

/// Issue 18 item 5, the parse side: the heap peak while a message made of many small items is
/// received and kept, over its size, on both sides. On the server the parsed value dominates
/// (one value per search key); on the client the FETCH items are held as their checked wire
/// form (issue 17's value model), so the client is near the 2 x of a big literal. Measured
/// and guarded; figures in docs/security.md.
#[test]
fn peak_memory_of_messages_of_many_small_items() {
    let _serial = serial();
    // Server, after login: one SEARCH of 40,000 `SUBJECT {0+}` keys (600 KB): measured
    // 2.004 x (8.7 x before the keys were held as their checked wire form, `SearchProgram`;
    // 2.8 x before the framer gave back the spare capacity of a big message that fills its
    // buffer): the message in the framer's buffer plus the event's owned copy of the keys.
    let search = search_with_empty_literals(40_000);
    let (_, server) = measure(|| {
        let config = ServerConfig::default()
            .without_literal_streaming()
            .with_framer(FramerConfig::server().with_max_message(64 * 1024 * 1024));
        let mut s = ServerSession::resume(config, State::Selected);
        let mut kept = Vec::new();
        for read in search.chunks(READ) {
            s.handle_input(read).unwrap();
            while let Some(o) = s.poll_output() {
                if let ServerOutput::Event(e) = o {
                    kept.push(e);
                }
            }
        }
        assert_eq!(kept.len(), 1);
        kept
    });
    // Client: one FETCH of 40,000 `BODY[n] {1}` CRLF `x` items (750 KB): measured 2.002 x
    // (10.1 x before the FETCH items were held as their checked wire form, decoded on access:
    // issue 17's value model; 2.4 x before the framer gave back its spare capacity). What
    // remains is the message in the receive buffer and the one owned copy the event holds.
    let mut fetch = b"* 1 FETCH (".to_vec();
    for i in 1..=40_000u32 {
        if i > 1 {
            fetch.push(b' ');
        }
        fetch.extend_from_slice(format!("BODY[{i}] {{1}}\r\nx").as_bytes());
    }
    fetch.extend_from_slice(b")\r\n");
    let (events, client) = measure(|| client_receives(&fetch));
    assert_eq!(events.len(), 1);
    let server_factor = server.max_bytes as f64 / search.len() as f64;
    let client_factor = client.max_bytes as f64 / fetch.len() as f64;
    eprintln!(
        "many small items: server SEARCH {} octets, peak {server_factor:.3} x; client FETCH {} octets, peak {client_factor:.3} x",
        search.len(),
        fetch.len()
    );
    assert!(server_factor < 2.05, "server peak {server_factor:.3} x");
    assert!(client_factor < 2.05, "client peak {client_factor:.3} x");
}

/// A trace follower's mode (`report_received`, the observer configuration): the message's
/// bytes are reported beside the value. With `report_received_values` off the report holds
/// `Inbound::Parsed` instead of a copy of the value, and the bytes are copied after the
/// framer gave its buffer back: a 16 MiB APPEND (server) and FETCH response (client) peak at
/// the bytes and the application's value, 2 x (measured 2.00 x); with the values on, one copy
/// more (3 x; 4 x before session 7, when the framer's buffer was still held).
#[test]
fn a_follower_without_values_holds_a_big_message_twice() {
    use mailproto_imap_session::{Inbound, Received};
    let _serial = serial();
    const SIZE: usize = 16 << 20;
    let mut append = format!("a APPEND INBOX {{{SIZE}+}}\r\n").into_bytes();
    append.resize(append.len() + SIZE, b'x');
    append.extend_from_slice(b"\r\n");
    let fetch = fetch_response(SIZE);
    // The `Received` events of feeding `input` in reads of [`READ`] octets to a session
    // (`read`: one read, its events drained), and the heap peak, as a factor of SIZE.
    let follow = |input: &[u8], read: &mut dyn FnMut(&[u8], &mut Vec<Received>)| {
        let (received, stats) = measure(|| {
            let mut received = Vec::new();
            for chunk in input.chunks(READ) {
                read(chunk, &mut received);
            }
            received
        });
        let [r] = <[Received; 1]>::try_from(received).expect("one message");
        assert_eq!(r.bytes, input);
        (r, stats.max_bytes as f64 / SIZE as f64)
    };
    for values in [false, true] {
        let config = ServerConfig::observer().with_report_received_values(values);
        let mut server = ServerSession::resume(config, State::Authenticated);
        let (r, server_factor) = follow(&append, &mut |read, out| {
            server.handle_input(read).unwrap();
            while let Some(o) = server.poll_output() {
                if let ServerOutput::Event(ServerEvent::Received(r)) = o {
                    out.push(r);
                }
            }
        });
        assert_eq!(matches!(r.result, Ok(Inbound::Parsed)), !values, "{r:?}");
        assert_eq!(matches!(r.result, Ok(Inbound::Command(_))), values, "{r:?}");
        let config = ClientConfig::observer().with_report_received_values(values);
        let mut client = ClientSession::resume(config, State::Selected);
        let (r, client_factor) = follow(&fetch, &mut |read, out| {
            client.handle_input(read).unwrap();
            while let Some(o) = client.poll_output() {
                if let ClientOutput::Event(ClientEvent::Received(r)) = o {
                    out.push(r);
                }
            }
        });
        assert_eq!(matches!(r.result, Ok(Inbound::Parsed)), !values, "{r:?}");
        eprintln!(
            "16 MiB, report_received_values {values}: server peak {server_factor:.3} x, \
             client {client_factor:.3} x"
        );
        let bound = if values { 3.05 } else { 2.05 };
        assert!(server_factor < bound, "server {server_factor:.3} x");
        assert!(client_factor < bound, "client {client_factor:.3} x");
    }
}
