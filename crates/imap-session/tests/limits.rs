//! What a client can make the server session hold: pipelined commands while the session waits
//! (`ServerConfig::max_buffered`, answered with `* BYE [LIMIT]`), and non-synchronizing
//! literals over the limit (RFC 7888 §4, §5: refused at the announcement, their octets read
//! and dropped without being held).

use imap_codec::framer::{FrameError, FramerConfig};
use imap_codec::{Response, StatusKind, Tag};
use mailproto_imap_session::{
    LocalError, PeerError, ServerConfig, ServerEvent, ServerOutput, ServerSession, State,
};
use proptest::prelude::*;

fn drain(s: &mut ServerSession) -> (String, Vec<ServerEvent>) {
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
            ServerEvent::Command(c) => Some(c.tag.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

/// `count` pipelined NOOPs, tagged `a1`, `a2`, ...
fn noops(count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 1..=count {
        out.extend_from_slice(format!("a{i} NOOP\r\n").as_bytes());
    }
    out
}

fn complete(s: &mut ServerSession, tag: &str) {
    s.complete(Tag::new(tag.to_owned()).unwrap(), StatusKind::Ok, "done")
        .unwrap();
}

const BYE_LIMIT: &str = "* BYE [LIMIT] Too many commands in flight\r\n";

/// Feeds `input` in `chunk`-sized reads while the application completes nothing; checks
/// after every read that the session holds at most `bound` octets. Returns what it wrote,
/// the commands it handed on, and how many octets it was given before it closed.
fn pipeline_without_completions(
    s: &mut ServerSession,
    input: &[u8],
    chunk: usize,
    bound: usize,
) -> (String, Vec<ServerEvent>, usize) {
    let mut bytes = String::new();
    let mut events = Vec::new();
    let mut fed = 0;
    for piece in input.chunks(chunk) {
        if s.is_closed() {
            break;
        }
        s.handle_input(piece).unwrap();
        fed += piece.len();
        assert!(s.buffered_len() <= bound, "{} held", s.buffered_len());
        let (b, e) = drain(s);
        bytes.push_str(&b);
        events.extend(e);
    }
    (bytes, events, fed)
}

#[test]
fn pipelining_past_max_buffered_while_nothing_completes_ends_with_bye_limit() {
    let config = ServerConfig::default().with_max_buffered(4096);
    let mut s = ServerSession::resume(config, State::Authenticated);
    let input = noops(5000);
    let (bytes, events, fed) = pipeline_without_completions(&mut s, &input, 97, 4096);
    // max_in_flight (32) commands reached the application; the rest was held, up to the
    // bound, then the session gave up.
    let expected: Vec<String> = (1..=32).map(|i| format!("a{i}")).collect();
    assert_eq!(commands(&events), expected);
    assert_eq!(bytes, BYE_LIMIT);
    let thirty_two = noops(32).len();
    assert!(
        fed > thirty_two + 4096 && fed <= thirty_two + 4096 + 97,
        "{fed}"
    );
    assert!(events.contains(&ServerEvent::ProtocolError(PeerError::TooManyCommands)));
    assert_eq!(events.last(), Some(&ServerEvent::Closed));
    assert_eq!(s.buffered_len(), 0);
    assert!(s.is_closed() && !s.wants_input());
    assert_eq!(s.handle_input(b"x NOOP\r\n"), Err(LocalError::Closed));
    // The commands in flight can no longer be answered.
    assert_eq!(
        s.complete(Tag::new("a1").unwrap(), StatusKind::Ok, "late"),
        Err(LocalError::Closed)
    );
}

/// With the default configuration (1 MiB): 4 MiB of pipelined commands in 16 KiB reads,
/// none completed, never make the session hold more than 1 MiB.
#[test]
fn default_bound_holds_against_a_client_that_pipelines_forever() {
    let max = ServerConfig::default().max_buffered;
    assert_eq!(max, 1024 * 1024);
    let mut s = ServerSession::resume(ServerConfig::default(), State::Selected);
    let mut input = Vec::new();
    let mut i = 0;
    while input.len() < 4 * max {
        input.extend_from_slice(format!("t{i} FETCH 1:* (FLAGS)\r\n").as_bytes());
        i += 1;
    }
    let (bytes, events, fed) = pipeline_without_completions(&mut s, &input, 16 * 1024, max);
    assert_eq!(commands(&events).len(), 32);
    assert_eq!(bytes, BYE_LIMIT);
    assert!(fed <= max + 16 * 1024 + 32 * 30, "{fed}");
    assert!(s.is_closed());
}

#[test]
fn one_large_read_during_a_wait_is_refused_without_being_held() {
    let config = ServerConfig::default().with_max_buffered(4096);
    let mut s = ServerSession::resume(config, State::NotAuthenticated);
    s.handle_input(b"a1 LOGIN joe secret\r\n").unwrap();
    assert!(!s.wants_input(), "LOGIN is in flight");
    let (_, events) = drain(&mut s);
    assert_eq!(commands(&events), ["a1"]);
    s.handle_input(&noops(1000)).unwrap();
    let (bytes, events) = drain(&mut s);
    assert_eq!(bytes, BYE_LIMIT);
    assert!(events.contains(&ServerEvent::Closed));
    assert_eq!(s.buffered_len(), 0);
}

#[test]
fn bytes_before_the_greeting_are_bounded_too() {
    let config = ServerConfig::default().with_max_buffered(100);
    let mut s = ServerSession::new(config);
    assert!(!s.wants_input());
    s.handle_input(&noops(5)).unwrap();
    assert_eq!(drain(&mut s).0, "");
    assert!(s.buffered_len() <= 100);
    s.handle_input(&noops(20)).unwrap();
    assert_eq!(drain(&mut s).0, BYE_LIMIT);
    assert!(s.is_closed());
}

/// Within the bound, the wait is back-pressure only: what was held is read as soon as the
/// application completes commands, in order.
#[test]
fn held_commands_are_read_when_the_application_completes() {
    let mut s = ServerSession::resume(ServerConfig::default(), State::Authenticated);
    assert!(s.wants_input());
    s.handle_input(&noops(40)).unwrap();
    let (bytes, events) = drain(&mut s);
    assert_eq!(bytes, "");
    assert_eq!(commands(&events).len(), 32);
    assert!(!s.wants_input());
    assert_eq!(s.buffered_len(), noops(40).len() - noops(32).len());
    complete(&mut s, "a1");
    let (bytes, events) = drain(&mut s);
    assert_eq!(bytes, "a1 OK done\r\n");
    assert_eq!(commands(&events), ["a33"]);
    assert!(!s.wants_input());
    for i in 2..=33 {
        complete(&mut s, &format!("a{i}"));
    }
    let (_, events) = drain(&mut s);
    let expected: Vec<String> = (34..=40).map(|i| format!("a{i}")).collect();
    assert_eq!(commands(&events), expected);
    assert!(s.wants_input());
    assert_eq!(s.buffered_len(), 0);
}

/// The bound applies to waits only: a command larger than `max_buffered` is read as usual
/// (the framer's limits bound it), even when handed in as one slice.
#[test]
fn a_command_larger_than_max_buffered_is_read_when_no_wait_is_on() {
    let config = ServerConfig::default().with_max_buffered(4096);
    let mut s = ServerSession::resume(config, State::Authenticated);
    s.handle_input(b"a1 APPEND INBOX {100000}\r\n").unwrap();
    assert_eq!(drain(&mut s).0, "+ Ready for literal data\r\n");
    let mut rest = vec![b'x'; 100_000];
    rest.extend_from_slice(b"\r\na2 NOOP\r\n");
    s.handle_input(&rest).unwrap();
    let (bytes, events) = drain(&mut s);
    assert_eq!(bytes, "");
    assert_eq!(commands(&events), ["a1", "a2"]);
}

/// A LOGIN pipelined with more than `max_buffered` behind it, in one read: the LOGIN is
/// handed on, what follows is held up to the bound, then refused.
#[test]
fn a_wait_that_begins_inside_a_read_is_bounded() {
    let config = ServerConfig::default().with_max_buffered(4096);
    let mut s = ServerSession::resume(config, State::NotAuthenticated);
    let mut input = b"a0 LOGIN joe secret\r\n".to_vec();
    input.extend(noops(1000));
    s.handle_input(&input).unwrap();
    let (bytes, events) = drain(&mut s);
    assert_eq!(commands(&events), ["a0"]);
    assert_eq!(bytes, BYE_LIMIT);
    assert!(s.is_closed());
}

// ---- non-synchronizing literals over the limit ----

/// A server that advertised LITERAL- (RFC 7888 §5), in the authenticated state.
fn literal_minus_server(config: ServerConfig) -> ServerSession {
    let mut s = ServerSession::resume(config, State::Authenticated);
    s.send_response(Response::parse(b"* CAPABILITY IMAP4rev2 LITERAL-\r\n").unwrap())
        .unwrap();
    let _ = drain(&mut s);
    s
}

const TOOBIG: &str = "a1 BAD [TOOBIG] Literal too large\r\n";

/// RFC 7888 §5: after LITERAL- only, a 10 MiB `{n+}` literal is refused at its announcement
/// (tagged BAD with TOOBIG, before the data, as §4 allows); its octets, fed in 64 KiB reads,
/// are dropped as they come, and the next command works.
#[test]
fn ten_mib_non_sync_literal_after_literal_minus_is_refused_and_never_held() {
    const READ: usize = 64 * 1024;
    let length = 10 * 1024 * 1024;
    let mut s = literal_minus_server(ServerConfig::default());
    s.handle_input(format!("a1 APPEND INBOX {{{length}+}}\r\n").as_bytes())
        .unwrap();
    let (bytes, events) = drain(&mut s);
    assert_eq!(bytes, TOOBIG);
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::Frame(FrameError::LiteralTooLarge {
            literal,
            limit: 4096
        })) if literal.length == length as u64 && !literal.synchronizing
    )));
    let data = vec![b'x'; READ];
    let mut fed = 0;
    while fed < length {
        let n = READ.min(length - fed);
        s.handle_input(&data[..n]).unwrap();
        fed += n;
        assert_eq!(s.buffered_len(), 0);
        let (bytes, events) = drain(&mut s);
        assert_eq!(bytes, "");
        assert!(commands(&events).is_empty());
    }
    s.handle_input(b"\r\na2 NOOP\r\n").unwrap();
    let (bytes, events) = drain(&mut s);
    assert_eq!(bytes, "");
    assert_eq!(commands(&events), ["a2"]);
    assert_eq!(s.buffered_len(), 0);
    complete(&mut s, "a2");
    assert_eq!(drain(&mut s).0, "a2 OK done\r\n");
}

/// With LITERAL+ the framer's literal limit applies; over it, the literal is not held either.
#[test]
fn non_sync_literal_over_the_framer_limit_after_literal_plus_is_not_held() {
    let config =
        ServerConfig::default().with_framer(FramerConfig::server().with_max_literal(1024 * 1024));
    let mut s = ServerSession::resume(config, State::Authenticated);
    s.send_response(Response::parse(b"* CAPABILITY IMAP4rev1 LITERAL+\r\n").unwrap())
        .unwrap();
    let _ = drain(&mut s);
    // Within the framer's limit, over LITERAL-'s: accepted.
    let mut ok = b"a0 APPEND INBOX {5000+}\r\n".to_vec();
    ok.extend(vec![b'x'; 5000]);
    ok.extend(b"\r\n");
    s.handle_input(&ok).unwrap();
    assert_eq!(commands(&drain(&mut s).1), ["a0"]);
    complete(&mut s, "a0");
    let _ = drain(&mut s);
    // Over it: refused, and stepped over.
    let length = 10 * 1024 * 1024;
    s.handle_input(format!("a1 APPEND INBOX {{{length}+}}\r\n").as_bytes())
        .unwrap();
    assert_eq!(drain(&mut s).0, TOOBIG);
    let data = vec![b'y'; 64 * 1024];
    for _ in 0..length / data.len() {
        s.handle_input(&data).unwrap();
        assert_eq!(s.buffered_len(), 0);
    }
    s.handle_input(b"\r\na2 NOOP\r\n").unwrap();
    let (bytes, events) = drain(&mut s);
    assert_eq!(bytes, "");
    assert_eq!(commands(&events), ["a2"]);
}

/// The input of the chunking tests: a `{5000+}` literal (over 4096) between two commands.
fn oversized_stream() -> Vec<u8> {
    let mut input = b"a0 NOOP\r\na1 APPEND INBOX (\\Seen) {5000+}\r\n".to_vec();
    input.extend((0..5000).map(|i| b"0123456789\r\n"[i % 12]));
    input.extend(b"\r\na2 NOOP\r\n");
    input
}

/// Feeds `input` cut at `cuts`; returns what the session wrote and handed on, and the most it
/// held after a read.
fn feed_cut(input: &[u8], cuts: &[usize]) -> (String, Vec<String>, usize) {
    let mut s = literal_minus_server(ServerConfig::default());
    let mut bytes = String::new();
    let mut handed = Vec::new();
    let mut most = 0;
    let mut at = 0;
    for &cut in cuts.iter().chain([&input.len()]) {
        let cut = cut.clamp(at, input.len());
        s.handle_input(&input[at..cut]).unwrap();
        at = cut;
        most = most.max(s.buffered_len());
        let (b, e) = drain(&mut s);
        bytes.push_str(&b);
        handed.extend(commands(&e));
    }
    (bytes, handed, most)
}

/// The longest line of [`oversized_stream`], the announcement's (CRLF included): the most
/// the session may hold of it is one octet less, whatever the chunking, since the literal's
/// octets are dropped as they come.
const ANNOUNCEMENT_LINE: usize = 33;

/// Cut at every single place: the same answer, the same commands, and never more held than
/// an unfinished line.
#[test]
fn oversized_non_sync_literal_split_anywhere() {
    let input = oversized_stream();
    assert_eq!(
        input[9..].iter().position(|&b| b == b'\n'),
        Some(ANNOUNCEMENT_LINE - 1)
    );
    let (bytes, handed, _) = feed_cut(&input, &[]);
    assert_eq!(bytes, TOOBIG);
    assert_eq!(handed, ["a0", "a2"]);
    for cut in 0..=input.len() {
        let (b, h, most) = feed_cut(&input, &[cut]);
        assert_eq!((&b, &h), (&bytes, &handed), "cut at {cut}");
        assert!(most < ANNOUNCEMENT_LINE, "cut at {cut}: {most} held");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Any chunking: the same answer and commands, and never more held than an unfinished
    /// line.
    #[test]
    fn oversized_non_sync_literal_any_chunking(mut cuts in proptest::collection::vec(0usize..5100, 0..60)) {
        cuts.sort_unstable();
        let input = oversized_stream();
        let (bytes, handed, most) = feed_cut(&input, &cuts);
        prop_assert_eq!(bytes, TOOBIG);
        prop_assert_eq!(handed, ["a0", "a2"]);
        prop_assert!(most < ANNOUNCEMENT_LINE, "{} held", most);
    }
}
