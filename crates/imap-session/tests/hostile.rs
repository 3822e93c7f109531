//! Hostile peers (issue 18): what an unauthenticated client can make the server session do,
//! what a man in the middle can make the client session send, and what survives STARTTLS.
//! Every bound is asserted with counters and held-byte figures, never with wall-clock time.
//!
//! The "NO STARTTLS" classes (Poddebniak et al., USENIX Security 2021) and the EAST cases each
//! have a test here, named after the class; `docs/security.md` maps classes to tests.

use imap_codec::framer::FrameError;
use imap_codec::{CommandBody, IntoStatic, Response, StatusKind, Tag};
use mailproto_imap_session::server::{DEFAULT_PRE_AUTH_BUFFERED, DEFAULT_PRE_AUTH_LITERAL};
use mailproto_imap_session::{
    PeerError, ServerConfig, ServerEvent, ServerOutput, ServerSession, State,
};

fn drain(s: &mut ServerSession) -> (String, Vec<ServerEvent>) {
    let (mut bytes, mut events) = (Vec::new(), Vec::new());
    while let Some(o) = s.poll_output() {
        match o {
            ServerOutput::Transmit(b) => bytes.extend_from_slice(b),
            ServerOutput::Event(e) => events.push(e),
            ServerOutput::LiteralChunk { .. } => panic!("nothing is streamed before login"),
        }
    }
    (String::from_utf8_lossy(&bytes).into_owned(), events)
}

fn commands(events: &[ServerEvent]) -> Vec<CommandBody<'static>> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Command(c) => Some(c.body.clone()),
            _ => None,
        })
        .collect()
}

/// A server that greeted and waits for login.
fn not_authenticated(config: ServerConfig) -> ServerSession {
    ServerSession::resume(config, State::NotAuthenticated)
}

/// Feeds `input` in `read`-sized pieces, draining after each, until the session closes;
/// asserts after every read that it holds at most `bound` octets. Returns what it wrote, its
/// events and the most it held.
fn feed(
    s: &mut ServerSession,
    input: &[u8],
    read: usize,
    bound: usize,
) -> (String, Vec<ServerEvent>, usize) {
    let (mut out, mut events, mut peak) = (String::new(), Vec::new(), 0);
    for piece in input.chunks(read) {
        if s.is_closed() {
            break;
        }
        s.handle_input(piece).unwrap();
        peak = peak.max(s.buffered_len());
        assert!(
            s.buffered_len() <= bound,
            "{} octets held",
            s.buffered_len()
        );
        let (b, e) = drain(s);
        out.push_str(&b);
        events.extend(e);
    }
    (out, events, peak)
}

// ---- issue 18 item 3: `+` to a 64 MiB literal before login ----

/// `a APPEND INBOX {67108864}` before login: APPEND is not valid in the not-authenticated
/// state, so the literal is refused at its announcement (no `+`, tagged BAD) and nothing of
/// its size is ever held (before: `+ Ready for literal data`, 195 MB per connection).
#[test]
fn item3_append_with_64_mib_literal_before_login_gets_no_continuation() {
    let mut s = not_authenticated(ServerConfig::default());
    s.handle_input(b"a APPEND INBOX {67108864}\r\n").unwrap();
    let (out, events) = drain(&mut s);
    assert!(!out.contains("+ "), "{out}");
    assert!(out.starts_with("a BAD "), "{out}");
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::InvalidState {
            command: "APPEND",
            state: State::NotAuthenticated
        })
    )));
    assert!(s.buffered_len() < 64, "{}", s.buffered_len());
    // The client did not send the data (no `+`); the next command is read as usual.
    s.handle_input(b"b CAPABILITY\r\n").unwrap();
    let (_, events) = drain(&mut s);
    assert_eq!(commands(&events), vec![CommandBody::Capability]);
}

/// A LOGIN whose password literal is larger than the pre-auth limit is refused with
/// `BAD [TOOBIG]`, no `+`; one within the limit is accepted.
#[test]
fn item3_login_literal_over_the_pre_auth_limit_is_refused_at_its_announcement() {
    let mut s = not_authenticated(ServerConfig::default());
    let over = DEFAULT_PRE_AUTH_LITERAL + 1;
    s.handle_input(format!("a LOGIN joe {{{over}}}\r\n").as_bytes())
        .unwrap();
    let (out, events) = drain(&mut s);
    assert_eq!(out, "a BAD [TOOBIG] Literal too large\r\n");
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::Frame(FrameError::LiteralTooLarge { limit, .. }))
            if *limit == DEFAULT_PRE_AUTH_LITERAL
    )));
    // Within the limit: `+`, then the command.
    s.handle_input(b"b LOGIN joe {7}\r\n").unwrap();
    let (out, _) = drain(&mut s);
    assert_eq!(out, "+ Ready for literal data\r\n");
    s.handle_input(b"hunter2\r\n").unwrap();
    let (_, events) = drain(&mut s);
    assert!(matches!(
        commands(&events).as_slice(),
        [CommandBody::Login { .. }]
    ));
}

/// The limit is configurable, and applies only before login.
#[test]
fn item3_pre_auth_literal_limit_is_configurable_and_ends_at_login() {
    let config = ServerConfig::default().with_pre_auth_max_literal(16);
    let mut s = not_authenticated(config);
    s.handle_input(b"a LOGIN joe {17}\r\n").unwrap();
    assert!(drain(&mut s).0.starts_with("a BAD [TOOBIG]"));
    s.handle_input(b"b LOGIN joe {16}\r\n").unwrap();
    assert_eq!(drain(&mut s).0, "+ Ready for literal data\r\n");
    s.handle_input(b"0123456789abcdef\r\n").unwrap();
    drain(&mut s);
    s.complete(Tag::new("b").unwrap(), StatusKind::Ok, "in")
        .unwrap();
    drain(&mut s);
    assert_eq!(s.state(), State::Authenticated);
    assert!(!s.is_pre_auth());
    s.handle_input(b"c APPEND INBOX {1000}\r\n").unwrap();
    assert_eq!(drain(&mut s).0, "+ Ready for literal data\r\n");
}

/// A `{n+}` literal over the pre-auth limit is refused at its announcement; its octets are
/// read and dropped as they come, never held.
#[test]
fn item3_non_sync_literal_before_login_is_dropped_as_it_comes() {
    let config = ServerConfig::default().with_pre_auth_max_buffered(usize::MAX);
    let mut s = not_authenticated(config);
    let mut input = b"a LOGIN joe {1048576+}\r\n".to_vec();
    input.resize(input.len() + (1 << 20), b'x');
    input.extend_from_slice(b"\r\nb NOOP\r\n");
    let (out, events, peak) = feed(&mut s, &input, 16 * 1024, 16 * 1024 + 64);
    assert!(out.starts_with("a BAD [TOOBIG]"), "{out}");
    assert!(peak <= 16 * 1024 + 64, "{peak}");
    assert_eq!(commands(&events), vec![CommandBody::Noop]);
}

// ---- issue 18 item 2: memory amplification before login ----

/// `a SEARCH 1 1 1 ...` with a `{0+}` literal every 60,000 octets, 63 MiB in all, before
/// login: refused from the command name at the first literal (SEARCH is not valid in the
/// not-authenticated state), never parsed; the session holds at most one read plus the
/// message head (before: parsed in full, 4.3 GB).
#[test]
fn item2_63_mib_search_before_login_is_refused_unparsed_and_bounded() {
    let mut input = b"a SEARCH".to_vec();
    let target = 63 * 1024 * 1024;
    while input.len() < target {
        for _ in 0..30_000 {
            input.extend_from_slice(b" 1");
        }
        input.extend_from_slice(b" {0+}\r\n");
    }
    input.extend_from_slice(b" 1\r\n");
    let mut s = not_authenticated(ServerConfig::default());
    let read = 64 * 1024;
    let (out, events, peak) = feed(&mut s, &input, read, DEFAULT_PRE_AUTH_BUFFERED);
    assert!(out.starts_with("a BAD "), "{}", &out[..out.len().min(200)]);
    assert!(commands(&events).is_empty());
    assert!(peak <= DEFAULT_PRE_AUTH_BUFFERED, "{peak}");
}

/// The same SEARCH as one long line within the framer's line limit, no literal: refused from
/// its name when complete, without parsing the keys.
#[test]
fn item2_search_line_before_login_is_refused_from_its_name() {
    let mut input = b"a SEARCH".to_vec();
    for _ in 0..20_000 {
        input.extend_from_slice(b" 1");
    }
    input.extend_from_slice(b"\r\n");
    let mut s = not_authenticated(ServerConfig::default());
    s.handle_input(&input).unwrap();
    let (out, events) = drain(&mut s);
    assert_eq!(out, "a BAD Command not valid in this state\r\n");
    // Refused unparsed: the rejection carries no parsed command.
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ServerEvent::Rejected { command: None, .. }))
    );
    // Commands valid before login still work.
    s.handle_input(b"b NOOP\r\nc UID FETCH 1 FLAGS\r\n")
        .unwrap();
    let (out, events) = drain(&mut s);
    assert_eq!(commands(&events), vec![CommandBody::Noop]);
    assert!(
        out.contains("c BAD Command not valid in this state"),
        "{out}"
    );
}

/// Whatever the command, the octets held before login are capped: an unknown command name
/// with many small literals grows past `pre_auth_max_buffered` and gets `* BYE [LIMIT]`.
#[test]
fn item2_bytes_held_before_login_are_capped() {
    let config = ServerConfig::default().with_pre_auth_max_buffered(8 * 1024);
    let mut s = not_authenticated(config);
    let mut input = b"a XUNKNOWN".to_vec();
    for _ in 0..2_000 {
        input.extend_from_slice(b" {3+}\r\nabc");
    }
    let (out, events, peak) = feed(&mut s, &input, 1024, 8 * 1024);
    assert!(
        out.contains("* BYE [LIMIT] Too much data before login"),
        "{out}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::TooMuchBeforeLogin { limit: 8192 })
    )));
    assert!(peak <= 8 * 1024);
    assert!(s.is_closed());
}

/// One read larger than the pre-auth cap is framed piece by piece: pipelined small commands
/// valid before login are all read.
#[test]
fn item2_a_large_read_of_valid_commands_before_login_is_read() {
    let config = ServerConfig::default()
        .with_pre_auth_max_buffered(1024)
        .with_max_in_flight(1000);
    let mut s = not_authenticated(config);
    let mut input = Vec::new();
    for i in 0..500 {
        input.extend_from_slice(format!("n{i} NOOP\r\n").as_bytes());
    }
    s.handle_input(&input).unwrap();
    assert!(s.buffered_len() <= 1024);
    let (_, events) = drain(&mut s);
    assert_eq!(commands(&events).len(), 500);
}

// ---- issue 18 item 8: STARTTLS under TLS ----

/// A second STARTTLS after a successful one is refused with BAD, not handed to the
/// application (POP3 refuses STLS the same way).
#[test]
fn item8_starttls_under_tls_is_refused() {
    let mut s = not_authenticated(ServerConfig::default());
    assert!(!s.is_tls());
    s.handle_input(b"a STARTTLS\r\n").unwrap();
    let (_, events) = drain(&mut s);
    assert_eq!(commands(&events), vec![CommandBody::StartTls]);
    s.complete(Tag::new("a").unwrap(), StatusKind::Ok, "go")
        .unwrap();
    drain(&mut s);
    s.handle_tls_established().unwrap();
    assert!(s.is_tls());
    s.handle_input(b"b STARTTLS\r\n").unwrap();
    let (out, events) = drain(&mut s);
    assert_eq!(out, "b BAD TLS is active already\r\n");
    assert!(commands(&events).is_empty());
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ServerEvent::ProtocolError(PeerError::TlsActive)))
    );
}

/// Implicit TLS (port 993): STARTTLS is refused from the start.
#[test]
fn item8_starttls_on_implicit_tls_is_refused() {
    let mut s = not_authenticated(ServerConfig::default().with_tls_active(true));
    assert!(s.is_tls());
    s.handle_input(b"a STARTTLS\r\n").unwrap();
    let (out, events) = drain(&mut s);
    assert_eq!(out, "a BAD TLS is active already\r\n");
    assert!(commands(&events).is_empty());
}

/// The server's own unsolicited responses are unaffected by the pre-auth checks.
#[test]
fn pre_auth_checks_leave_responses_alone() {
    let mut s = not_authenticated(ServerConfig::default());
    s.send_response(Response::Status(imap_codec::Status::untagged_ok(
        imap_codec::response::RespText::plain("hello").unwrap(),
    )))
    .unwrap();
    assert!(drain(&mut s).0.starts_with("* OK"));
}

// ---- client side: STARTTLS stripping, injection, state across the upgrade ----

mod client {
    use imap_codec::{AString, Capability, CommandBody, Tag};
    use mailproto_imap_session::{
        ClientConfig, ClientEvent, ClientOutput, ClientSession, LocalError, PeerError, State,
        Stripping, TlsPolicy,
    };

    fn drain(s: &mut ClientSession) -> (String, Vec<ClientEvent>) {
        let (mut bytes, mut events) = (Vec::new(), Vec::new());
        while let Some(o) = s.poll_output() {
            match o {
                ClientOutput::Transmit(b) => bytes.extend_from_slice(b),
                ClientOutput::Event(e) => events.push(e),
                ClientOutput::LiteralChunk { .. } => {}
            }
        }
        (String::from_utf8_lossy(&bytes).into_owned(), events)
    }

    fn login() -> CommandBody<'static> {
        CommandBody::Login {
            username: AString::new("joe").unwrap(),
            password: AString::new("hunter2").unwrap(),
        }
    }

    const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n";

    fn session(policy: TlsPolicy) -> (ClientSession, String) {
        let mut c = ClientSession::new(ClientConfig::default().with_tls_policy(policy));
        c.handle_input(GREETING).unwrap();
        let (mut wire, _) = drain(&mut c);
        c.send(CommandBody::StartTls).unwrap();
        wire.push_str(&drain(&mut c).0);
        (c, wire)
    }

    fn stripped(events: &[ClientEvent], how: Stripping) -> bool {
        events.iter().any(
            |e| matches!(e, ClientEvent::ProtocolError(PeerError::TlsStripped(h)) if *h == how),
        )
    }

    /// Issue 18 item 5, as measured: the attacker answers STARTTLS with a CAPABILITY without
    /// LOGINDISABLED and a BAD. The LOGINDISABLED learned before stays in force: LOGIN is
    /// refused, the password never goes out (even under the opportunistic policy).
    #[test]
    fn stripping_bad_reply_keeps_logindisabled_opportunistic() {
        let (mut c, mut wire) = session(TlsPolicy::Opportunistic);
        c.handle_input(b"* CAPABILITY IMAP4rev1\r\nA1 BAD no\r\n")
            .unwrap();
        drain(&mut c);
        assert!(!c.has_capability(&Capability::LoginDisabled));
        assert!(c.login_disabled());
        assert_eq!(c.send(login()), Err(LocalError::LoginDisabled));
        wire.push_str(&drain(&mut c).0);
        assert!(!wire.contains("hunter2"), "{wire}");
    }

    /// The same under `Required`: the stripping is reported and the session closes.
    #[test]
    fn stripping_bad_reply_required_closes() {
        let (mut c, mut wire) = session(TlsPolicy::Required);
        c.handle_input(b"A1 BAD no\r\n").unwrap();
        let (_, events) = drain(&mut c);
        assert!(stripped(&events, Stripping::Refused), "{events:?}");
        assert!(c.is_closed());
        assert!(c.send(login()).is_err());
        wire.push_str(&drain(&mut c).0);
        assert!(!wire.contains("hunter2"));
    }

    /// STARTTLS answered NO under `Required`.
    #[test]
    fn stripping_no_reply_required_closes() {
        let (mut c, _) = session(TlsPolicy::Required);
        c.handle_input(b"A1 NO [UNAVAILABLE] later\r\n").unwrap();
        let (_, events) = drain(&mut c);
        assert!(stripped(&events, Stripping::Refused));
        assert!(c.is_closed());
    }

    /// The capability removed from the greeting (no STARTTLS offered) under `Required`.
    #[test]
    fn stripping_no_capability_required_closes() {
        let mut c =
            ClientSession::new(ClientConfig::default().with_tls_policy(TlsPolicy::Required));
        c.handle_input(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n")
            .unwrap();
        let (_, events) = drain(&mut c);
        assert!(stripped(&events, Stripping::NotOffered), "{events:?}");
        assert!(c.is_closed());
    }

    /// Capabilities removed by CAPABILITY data later on the plaintext connection.
    #[test]
    fn stripping_capability_data_required_closes() {
        let mut c =
            ClientSession::new(ClientConfig::default().with_tls_policy(TlsPolicy::Required));
        c.handle_input(b"* OK hi\r\n").unwrap();
        drain(&mut c);
        assert!(!c.is_closed());
        c.send(CommandBody::Capability).unwrap();
        drain(&mut c);
        c.handle_input(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA1 OK done\r\n")
            .unwrap();
        let (_, events) = drain(&mut c);
        assert!(stripped(&events, Stripping::NotOffered));
    }

    /// Without STARTTLS offered, the opportunistic policy sends credentials (the
    /// application's choice), and `Required` refuses them locally even before any capability.
    #[test]
    fn required_never_sends_credentials_in_clear() {
        let mut c =
            ClientSession::new(ClientConfig::default().with_tls_policy(TlsPolicy::Required));
        c.handle_input(b"* OK hi\r\n").unwrap();
        drain(&mut c);
        assert_eq!(c.send(login()), Err(LocalError::TlsRequired));
        let auth = CommandBody::Authenticate {
            mechanism: imap_codec::Atom::new("PLAIN").unwrap(),
            initial_response: None,
        };
        assert_eq!(c.send(auth), Err(LocalError::TlsRequired));
        assert!(!drain(&mut c).0.contains("LOGIN"));
        let mut o = ClientSession::new(ClientConfig::default());
        o.handle_input(b"* OK hi\r\n").unwrap();
        drain(&mut o);
        assert!(o.send(login()).is_ok());
    }

    /// A PREAUTH greeting on a plaintext connection skips STARTTLS: under `Required` that is
    /// stripping; under implicit TLS it is fine.
    #[test]
    fn stripping_preauth_on_plaintext() {
        let mut c =
            ClientSession::new(ClientConfig::default().with_tls_policy(TlsPolicy::Required));
        c.handle_input(b"* PREAUTH hi\r\n").unwrap();
        let (_, events) = drain(&mut c);
        assert!(stripped(&events, Stripping::PreAuth));
        assert!(c.is_closed());
        let config = ClientConfig::default()
            .with_tls_policy(TlsPolicy::Required)
            .with_tls_active(true);
        let mut t = ClientSession::new(config);
        assert!(t.is_tls());
        t.handle_input(b"* PREAUTH hi\r\n").unwrap();
        drain(&mut t);
        assert_eq!(t.state(), State::Authenticated);
        assert!(!t.is_closed());
    }

    /// The upgrade: `Required` sends LOGIN only after TLS; `is_tls`; LOGINDISABLED of the
    /// plaintext connection is dropped with the rest.
    #[test]
    fn required_logs_in_after_starttls() {
        let (mut c, _) = session(TlsPolicy::Required);
        c.handle_input(b"A1 OK begin\r\n").unwrap();
        drain(&mut c);
        assert!(!c.is_tls());
        c.handle_tls_established().unwrap();
        assert!(c.is_tls());
        assert!(!c.login_disabled());
        assert_eq!(c.send(CommandBody::StartTls), Err(LocalError::TlsPolicy));
        assert!(c.send(login()).is_ok());
        assert!(drain(&mut c).0.contains("LOGIN joe hunter2"));
    }

    /// `Never`: STARTTLS is refused locally.
    #[test]
    fn never_refuses_starttls() {
        let mut c = ClientSession::new(ClientConfig::default().with_tls_policy(TlsPolicy::Never));
        c.handle_input(GREETING).unwrap();
        drain(&mut c);
        assert_eq!(c.send(CommandBody::StartTls), Err(LocalError::TlsPolicy));
    }

    /// Issue 18 item 7 (tampering with untagged data before TLS, state surviving the
    /// upgrade): `* ENABLED` and capabilities received in clear are dropped at the upgrade,
    /// and the drop is reported.
    #[test]
    fn item7_state_learned_in_clear_does_not_survive_the_upgrade() {
        let (mut c, _) = session(TlsPolicy::Opportunistic);
        c.handle_input(b"* ENABLED UTF8=ACCEPT\r\n* OK [ALERT] pay here\r\nA1 OK begin\r\n")
            .unwrap();
        let (_, events) = drain(&mut c);
        let dropped = events.iter().find_map(|e| match e {
            ClientEvent::PlaintextStateDropped {
                capabilities,
                enabled,
            } => Some((capabilities.len(), enabled.len())),
            _ => None,
        });
        assert_eq!(dropped, Some((3, 1)), "{events:?}");
        // The drop comes before the call for TLS.
        let at = |f: fn(&ClientEvent) -> bool| events.iter().position(f).unwrap();
        assert!(
            at(|e| matches!(e, ClientEvent::PlaintextStateDropped { .. }))
                < at(|e| matches!(e, ClientEvent::TlsRequired { .. }))
        );
        assert!(c.enabled().is_empty());
        assert!(c.capabilities().is_none());
    }

    /// Response injection in the same read as the STARTTLS OK: a spoofed BYE, ALERT and
    /// CAPABILITY after the OK are dropped unread and reported (EAST: "injection after
    /// STARTTLS", ALERT/BYE spoofing).
    #[test]
    fn injection_same_read_bye_and_alert_spoofing_dropped() {
        let (mut c, _) = session(TlsPolicy::Required);
        let injected = b"* BYE [ALERT] spoofed\r\n* CAPABILITY IMAP4rev1\r\n";
        let mut read = b"A1 OK begin\r\n".to_vec();
        read.extend_from_slice(injected);
        c.handle_input(&read).unwrap();
        let (_, events) = drain(&mut c);
        assert!(events.iter().any(|e| matches!(
            e,
            ClientEvent::ProtocolError(PeerError::StartTlsInjection { len }) if *len == injected.len()
        )));
        assert!(!events.iter().any(|e| matches!(e, ClientEvent::Bye(_))));
        assert!(!c.is_closed());
        assert!(c.is_awaiting_tls());
    }

    /// Injection in a later read, before the handshake: refused (the bytes are TLS's).
    #[test]
    fn injection_later_read_refused() {
        let (mut c, _) = session(TlsPolicy::Required);
        c.handle_input(b"A1 OK begin\r\n").unwrap();
        drain(&mut c);
        assert_eq!(
            c.handle_input(b"* BYE spoofed\r\n"),
            Err(LocalError::TlsPending)
        );
        assert!(!c.is_closed());
    }

    /// Injection spanning a literal: a FETCH whose literal starts after the OK is dropped
    /// with everything else of the read; its end in a later read is refused.
    #[test]
    fn injection_spanning_a_literal() {
        let (mut c, _) = session(TlsPolicy::Opportunistic);
        c.handle_input(b"A1 OK begin\r\n* 1 FETCH (BODY[] {10}\r\nabc")
            .unwrap();
        let (_, events) = drain(&mut c);
        assert!(events.iter().any(|e| matches!(
            e,
            ClientEvent::ProtocolError(PeerError::StartTlsInjection { len: 27 })
        )));
        assert!(!events.iter().any(|e| matches!(e, ClientEvent::Data { .. })));
        assert_eq!(c.handle_input(b"defghij)\r\n"), Err(LocalError::TlsPending));
        c.handle_tls_established().unwrap();
        assert_eq!(c.buffered_len(), 0);
    }

    /// A tagged OK to STARTTLS with a wrong tag is not an OK to STARTTLS.
    #[test]
    fn starttls_ok_with_another_tag_is_not_the_upgrade() {
        let (mut c, _) = session(TlsPolicy::Required);
        c.handle_input(b"X9 OK begin\r\n").unwrap();
        let (_, events) = drain(&mut c);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, ClientEvent::ProtocolError(PeerError::UnknownTag(_))))
        );
        assert!(!c.is_awaiting_tls());
        let _ = Tag::new("A1").unwrap();
    }
}

// ---- server side: command injection around STARTTLS ----

/// Command injection in the same read as STARTTLS (EAST, CVE-2011-0411): the LOGIN after it,
/// even spanning a literal, is never read, and is reported with the answer.
#[test]
fn server_command_injection_same_read_spanning_a_literal() {
    let mut s = not_authenticated(ServerConfig::default());
    let injected = b"b LOGIN joe {7}\r\nhunter2\r\n";
    let mut read = b"a STARTTLS\r\n".to_vec();
    read.extend_from_slice(injected);
    s.handle_input(&read).unwrap();
    let (_, events) = drain(&mut s);
    assert_eq!(commands(&events), vec![CommandBody::StartTls]);
    // A later read before the answer is dropped too.
    s.handle_input(b"c NOOP\r\n").unwrap();
    s.complete(Tag::new("a").unwrap(), StatusKind::Ok, "go")
        .unwrap();
    let (_, events) = drain(&mut s);
    let len = injected.len() + b"c NOOP\r\n".len();
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::StartTlsInjection { len: l }) if *l == len
    )));
    assert!(commands(&events).is_empty());
    s.handle_tls_established().unwrap();
    s.handle_input(b"d NOOP\r\n").unwrap();
    assert_eq!(commands(&drain(&mut s).1), vec![CommandBody::Noop]);
}

// ---- issue 18 item 10: secrets in Debug output ----

/// Every value that can hold a password or SASL data, printed with `{:?}` and `{:#?}`, does
/// not contain the secret: commands and events on both sides, both sessions with the secret
/// in their buffers, syntax and truncation errors, received-message reports.
#[test]
fn item10_debug_output_never_holds_a_secret() {
    const SECRET: &str = "hunter2-Secret";
    const B64: &str = "aHVudGVyMi1TZWNyZXQ="; // base64 of SECRET
    let mut shown: Vec<String> = Vec::new();
    let mut show = |v: &dyn std::fmt::Debug| {
        shown.push(format!("{v:?}"));
        shown.push(format!("{v:#?}"));
    };

    // Server: LOGIN (atom, quoted, literal), AUTHENTICATE with SASL-IR and a SASL line, a
    // LOGIN that does not parse, a LOGIN cut by the end of the stream; every event and the
    // session itself while it holds the bytes.
    let config = ServerConfig::default().with_report_received(true);
    let mut s = not_authenticated(config);
    s.handle_input(format!("a LOGIN joe {SECRET}\r\n").as_bytes())
        .unwrap();
    for e in drain(&mut s).1 {
        show(&e);
    }
    s.complete(Tag::new("a").unwrap(), StatusKind::No, "no")
        .unwrap();
    s.handle_input(format!("b AUTHENTICATE PLAIN {B64}\r\n").as_bytes())
        .unwrap();
    for e in drain(&mut s).1 {
        show(&e);
    }
    // A SASL line with no challenge outstanding: a protocol error the session answers with
    // BAD itself (issue 18 item 8), so `b` may already be complete.
    s.handle_input(format!("{B64}\r\n").as_bytes()).unwrap();
    for e in drain(&mut s).1 {
        show(&e);
    }
    let _ = s.complete(Tag::new("b").unwrap(), StatusKind::No, "no");
    drain(&mut s);
    s.handle_input(format!("c LOGIN joe \"{SECRET}\r\n").as_bytes())
        .unwrap();
    for e in drain(&mut s).1 {
        show(&e);
    }
    s.handle_input(b"d LOGIN joe {14}\r\n").unwrap();
    drain(&mut s);
    s.handle_input(&SECRET.as_bytes()[..10]).unwrap();
    show(&s);
    s.handle_eof();
    for e in drain(&mut s).1 {
        show(&e);
    }

    // Client: the LOGIN in the output buffer, the session, the command handed back.
    use mailproto_imap_session::{ClientConfig, ClientSession};
    let mut c = ClientSession::resume(ClientConfig::default(), State::NotAuthenticated);
    c.send(CommandBody::Login {
        username: imap_codec::AString::new("joe").unwrap(),
        password: imap_codec::AString::new(SECRET).unwrap(),
    })
    .unwrap();
    show(&c);
    let auth = imap_codec::Command::parse(format!("x AUTHENTICATE PLAIN {B64}\r\n").as_bytes())
        .unwrap()
        .into_static();
    show(&auth);

    assert!(shown.len() > 20, "{}", shown.len());
    for text in &shown {
        for needle in [SECRET, "hunter2", B64, "104, 117, 110"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }
    // What is shown instead: lengths and `<redacted>`.
    assert!(shown.iter().any(|t| t.contains("<redacted>")));
    assert!(shown.iter().any(|t| t.contains("octets>")));
}

// ---- output back-pressure (the IMAP side of issue 18 item 4) ----

/// 1 MiB of bad lines in one read, with no violation limit: the session's own BADs never
/// pile up beyond `max_output` (plus one response) between two `poll_output`s; the session
/// reads on as the application takes them, and answers every line.
#[test]
fn item4_server_output_is_bounded_and_reading_resumes_as_it_drains() {
    let config = ServerConfig::default()
        .with_max_violations(None)
        .with_max_output(16 * 1024);
    let mut s = ServerSession::resume(config, State::Authenticated);
    let line = b"x FOO\r\n";
    let count = (1 << 20) / line.len();
    let input = line.repeat(count);
    s.handle_input(&input).unwrap();
    assert!(!s.wants_input());
    let (mut answered, mut biggest) = (0usize, 0usize);
    while let Some(o) = s.poll_output() {
        if let ServerOutput::Transmit(b) = o {
            biggest = biggest.max(b.len());
            answered += b.windows(4).filter(|w| w == b"BAD ").count();
        }
    }
    assert_eq!(answered, count);
    assert!(biggest <= 16 * 1024 + 128, "{biggest}");
    assert!(s.wants_input());
    assert_eq!(s.buffered_len(), 0);
}

// ---- held (issue 18, "keep them held, with tests") ----

/// Literal counts at and beyond 32 and 64 bits, after login: refused at the announcement
/// (`BAD [TOOBIG]`, no `+`), nothing held, the next command read.
#[test]
fn held_huge_literal_counts_are_refused_without_continuation() {
    for count in [
        "4294967295",
        "4294967296",
        "18446744073709551615",
        "99999999999999999999999999",
    ] {
        let mut s = ServerSession::resume(ServerConfig::default(), State::Authenticated);
        s.handle_input(format!("a APPEND INBOX {{{count}}}\r\n").as_bytes())
            .unwrap();
        let (out, _) = drain(&mut s);
        assert!(out.starts_with("a BAD [TOOBIG]"), "{count}: {out}");
        assert!(!out.contains("+ "), "{count}: {out}");
        assert!(s.buffered_len() < 64);
        s.handle_input(b"b NOOP\r\n").unwrap();
        assert_eq!(
            commands(&drain(&mut s).1),
            vec![CommandBody::Noop],
            "{count}"
        );
    }
}

/// A 100 MB line without CRLF, after login, in 64 KiB reads: never more than the line limit
/// and one read held, one BAD, and the next command is read.
#[test]
fn held_a_100_mb_line_is_bounded() {
    let mut s = ServerSession::resume(ServerConfig::default(), State::Authenticated);
    s.handle_input(b"a SEARCH SUBJECT ").unwrap();
    let read = vec![b'x'; 64 * 1024];
    let mut bads = 0;
    for _ in 0..(100_000_000 / read.len()) {
        s.handle_input(&read).unwrap();
        assert!(s.buffered_len() <= 2 * 64 * 1024, "{}", s.buffered_len());
        bads += drain(&mut s).0.matches(" BAD ").count();
    }
    s.handle_input(b"\r\nb NOOP\r\n").unwrap();
    let (out, events) = drain(&mut s);
    bads += out.matches(" BAD ").count();
    assert_eq!(bads, 1);
    assert_eq!(commands(&events), vec![CommandBody::Noop]);
}
