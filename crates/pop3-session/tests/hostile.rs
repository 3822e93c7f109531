//! Hostile peers (issue 18): STLS stripping and what survives the upgrade on the POP3 client,
//! command and response injection around STLS. The "NO STARTTLS" classes (USENIX Security
//! 2021) and the EAST cases each have a test here; `docs/security.md` maps classes to tests.

use mailproto_pop3_session::{
    ClientEvent, ClientOutput, ClientSession, LocalError, PeerError, ServerConfig, ServerEvent,
    ServerOutput, ServerSession, Stripping, TlsPolicy,
};
use pop3_codec::{Command, IntoStatic, Limits, Param, Secret};

fn drain(c: &mut ClientSession) -> (String, Vec<String>, Vec<ClientEvent<'static>>) {
    let (mut wire, mut dbg, mut events) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(o) = c.poll_output() {
        match o {
            ClientOutput::Transmit(b) => wire.extend_from_slice(b),
            ClientOutput::Event(e) => {
                dbg.push(format!("{e:?}"));
                if let Some(e) = owned(e) {
                    events.push(e);
                }
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
    (String::from_utf8_lossy(&wire).into_owned(), dbg, events)
}

/// The events these tests look at, owned.
fn owned(e: ClientEvent<'_>) -> Option<ClientEvent<'static>> {
    Some(match e {
        ClientEvent::PeerError(p) => ClientEvent::PeerError(p),
        ClientEvent::PlaintextStateDropped { capabilities } => {
            ClientEvent::PlaintextStateDropped { capabilities }
        }
        ClientEvent::StartTls { id } => ClientEvent::StartTls { id },
        ClientEvent::Closed(c) => ClientEvent::Closed(c),
        _ => return None,
    })
}

fn user() -> Command<'static> {
    Command::User(Param::new("joe".to_owned()).unwrap())
}

fn pass() -> Command<'static> {
    Command::Pass(Secret::new("hunter2".to_owned()).unwrap())
}

/// A client past a greeting and a CAPA answer offering STLS, with STLS sent.
fn after_stls(policy: TlsPolicy) -> (ClientSession, String) {
    let mut c = ClientSession::new(Limits::default()).with_tls_policy(policy);
    c.handle_input(b"+OK ready\r\n").unwrap();
    drain(&mut c);
    c.send(Command::Capa).unwrap();
    c.handle_input(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n").unwrap();
    let (mut wire, _, _) = drain(&mut c);
    c.send(Command::Stls).unwrap();
    wire.push_str(&drain(&mut c).0);
    (c, wire)
}

fn stripped(events: &[ClientEvent<'static>], how: Stripping) -> bool {
    events
        .iter()
        .any(|e| matches!(e, ClientEvent::PeerError(PeerError::TlsStripped(h)) if *h == how))
}

/// Issue 18 item 5: POP3 sent USER/PASS after `-ERR` to STLS. Under `Required` the refusal
/// is stripping: reported, the session closes, and no credential goes out.
#[test]
fn stripping_err_reply_required_closes() {
    let (mut c, mut wire) = after_stls(TlsPolicy::Required);
    c.handle_input(b"-ERR not now\r\n").unwrap();
    let (w, _, events) = drain(&mut c);
    wire.push_str(&w);
    assert!(stripped(&events, Stripping::Refused), "{events:?}");
    assert!(c.send(user()).is_err());
    assert!(c.send(pass()).is_err());
    wire.push_str(&drain(&mut c).0);
    assert!(
        !wire.contains("USER") && !wire.contains("hunter2"),
        "{wire}"
    );
}

/// Under `Required`, credentials are refused locally on a plaintext connection, whatever
/// the server says; a CAPA answer without STLS is stripping.
#[test]
fn stripping_no_capability_required_closes() {
    let mut c = ClientSession::new(Limits::default()).with_tls_policy(TlsPolicy::Required);
    c.handle_input(b"+OK ready\r\n").unwrap();
    drain(&mut c);
    assert_eq!(c.send(user()), Err(LocalError::TlsRequired));
    assert_eq!(
        c.apop(Param::new("joe").unwrap(), b"x"),
        Err(LocalError::NoTimestamp)
    );
    c.send(Command::Capa).unwrap();
    c.handle_input(b"+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n")
        .unwrap();
    let (_, _, events) = drain(&mut c);
    assert!(stripped(&events, Stripping::NotOffered), "{events:?}");
}

/// APOP is a credential too (its digest can be attacked offline).
#[test]
fn required_refuses_apop_in_clear() {
    let mut c = ClientSession::new(Limits::default()).with_tls_policy(TlsPolicy::Required);
    c.handle_input(b"+OK <1896.697170952@dbc.mtview.ca.us>\r\n")
        .unwrap();
    drain(&mut c);
    assert_eq!(
        c.apop(Param::new("mrose").unwrap(), b"tanstaaf"),
        Err(LocalError::TlsRequired)
    );
}

/// The upgrade under `Required`: credentials go out once TLS is up; POP3S from the start.
#[test]
fn required_sends_credentials_after_tls() {
    let (mut c, _) = after_stls(TlsPolicy::Required);
    c.handle_input(b"+OK go\r\n").unwrap();
    let (_, _, events) = drain(&mut c);
    // Item 7: the capabilities learned in clear are dropped, and the drop reported.
    assert!(events.iter().any(|e| matches!(
        e,
        ClientEvent::PlaintextStateDropped { capabilities } if capabilities.len() == 2
    )));
    assert!(c.capabilities().is_none());
    c.handle_tls_established().unwrap();
    assert!(c.is_tls());
    c.send(user()).unwrap();
    assert_eq!(drain(&mut c).0, "USER joe\r\n");
    let mut t = ClientSession::new_tls(Limits::default()).with_tls_policy(TlsPolicy::Required);
    t.handle_input(b"+OK ready\r\n").unwrap();
    drain(&mut t);
    assert!(t.send(user()).is_ok());
}

/// The opportunistic policy leaves the choice to the application (the pre-policy
/// behaviour); `Never` refuses STLS.
#[test]
fn opportunistic_and_never() {
    let (mut c, _) = after_stls(TlsPolicy::Opportunistic);
    c.handle_input(b"-ERR not now\r\n").unwrap();
    drain(&mut c);
    assert!(c.send(user()).is_ok());
    let mut n = ClientSession::new(Limits::default()).with_tls_policy(TlsPolicy::Never);
    n.handle_input(b"+OK ready\r\n").unwrap();
    drain(&mut n);
    assert_eq!(n.send(Command::Stls), Err(LocalError::TlsPolicy));
}

/// Response injection after `+OK` to STLS in the same read (a spoofed `-ERR` closing
/// answer and a CAPA answer): dropped and reported; in a later read: refused.
#[test]
fn injection_same_read_and_later_read() {
    let (mut c, _) = after_stls(TlsPolicy::Required);
    let injected = b"+OK\r\nSASL PLAIN\r\n.\r\n";
    let mut read = b"+OK go\r\n".to_vec();
    read.extend_from_slice(injected);
    c.handle_input(&read).unwrap();
    let (_, _, events) = drain(&mut c);
    assert!(events.iter().any(|e| matches!(
        e,
        ClientEvent::PeerError(PeerError::StartTlsInjection { len }) if *len == injected.len()
    )));
    assert_eq!(c.handle_input(b"-ERR bye\r\n"), Err(LocalError::TlsPending));
    c.handle_tls_established().unwrap();
    assert_eq!(c.buffered_len(), 0);
}

/// Command injection on the server: `STLS` and `USER`/`PASS` in one read, the second spanning
/// a later read before the handshake: never read, reported.
#[test]
fn server_command_injection_same_and_later_read() {
    let greeting = pop3_codec::Greeting::parse(b"+OK ready\r\n")
        .unwrap()
        .into_static();
    let config = ServerConfig::new(greeting).with_capabilities(vec![
        pop3_codec::Capability::Stls,
        pop3_codec::Capability::User,
    ]);
    let mut s = ServerSession::new(config);
    let sink = |s: &mut ServerSession| {
        let mut ev = Vec::new();
        while let Some(o) = s.poll_output() {
            if let ServerOutput::Event(e) = o {
                ev.push(e);
            }
        }
        ev
    };
    sink(&mut s);
    s.handle_input(b"STLS\r\nUSER joe\r\nPA").unwrap();
    let ev = sink(&mut s);
    assert!(ev.iter().any(|e| matches!(
        e,
        ServerEvent::PeerError(PeerError::StartTlsInjection { len: 12 })
    )));
    assert!(s.handle_input(b"SS hunter2\r\n").is_err());
    s.handle_tls_established().unwrap();
    s.handle_input(b"PASS hunter2\r\n").unwrap();
    let ev = sink(&mut s);
    assert!(
        ev.iter()
            .any(|e| matches!(e, ServerEvent::PeerError(PeerError::PassWithoutUser)))
    );
}

/// Issue 18 item 10: a password, AUTH initial responses and SASL lines never show in `{:?}`
/// or `{:#?}` of commands, events, or the sessions holding them in their buffers.
#[test]
fn item10_debug_output_never_holds_a_secret() {
    const SECRET: &str = "hunter2-Secret";
    const B64: &str = "aHVudGVyMi1TZWNyZXQ="; // base64 of SECRET
    let mut shown: Vec<String> = Vec::new();
    let mut show = |v: &dyn std::fmt::Debug| {
        shown.push(format!("{v:?}"));
        shown.push(format!("{v:#?}"));
    };
    // Codec values.
    show(&Command::parse(format!("PASS {SECRET}\r\n").as_bytes()).unwrap());
    show(&Command::parse(format!("AUTH PLAIN {B64}\r\n").as_bytes()).unwrap());
    show(&pop3_codec::SaslResponse::parse(format!("{B64}\r\n").as_bytes()).unwrap());

    // Client: PASS waiting in the output buffer.
    let mut c = ClientSession::new(Limits::default());
    c.handle_input(b"+OK ready\r\n").unwrap();
    drain(&mut c);
    c.send(user()).unwrap();
    c.send(Command::Pass(Secret::new(SECRET.to_owned()).unwrap()))
        .unwrap();
    show(&c);
    let (_, dbg, _) = drain(&mut c);
    shown.extend(dbg);

    // Server: a PASS line buffered behind a USER the application has not answered, AUTH
    // with an initial response and a SASL line.
    let greeting = pop3_codec::Greeting::parse(b"+OK ready\r\n")
        .unwrap()
        .into_static();
    let config = ServerConfig::new(greeting).with_capabilities(vec![
        pop3_codec::Capability::User,
        pop3_codec::Capability::Sasl(vec![pop3_codec::Mechanism::new("PLAIN").unwrap()]),
    ]);
    let mut s = ServerSession::new(config);
    let events = |s: &mut ServerSession, shown: &mut Vec<String>| {
        while let Some(o) = s.poll_output() {
            if let ServerOutput::Event(e) = o {
                shown.push(format!("{e:?}"));
                shown.push(format!("{e:#?}"));
            }
        }
    };
    events(&mut s, &mut shown);
    s.handle_input(format!("USER joe\r\nPASS {SECRET}\r\n").as_bytes())
        .unwrap();
    shown.push(format!("{s:?}"));
    events(&mut s, &mut shown);
    shown.push(format!("{s:#?}"));
    events(&mut s, &mut shown);
    s.reject_login(mailproto_pop3_session::Refusal::new("no"))
        .unwrap();
    events(&mut s, &mut shown);
    s.handle_input(format!("AUTH PLAIN {B64}\r\n").as_bytes())
        .unwrap();
    events(&mut s, &mut shown);
    s.sasl_challenge(b"more").unwrap();
    events(&mut s, &mut shown);
    s.handle_input(format!("{B64}\r\n").as_bytes()).unwrap();
    events(&mut s, &mut shown);
    shown.push(format!("{s:?}"));

    assert!(shown.len() > 12, "{}", shown.len());
    for text in &shown {
        for needle in [SECRET, "hunter2", B64, "104, 117, 110"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }
    assert!(shown.iter().any(|t| t.contains("SaslStart")), "{shown:?}");
    assert!(
        shown.iter().any(|t| t.contains("SaslResponse")),
        "{shown:?}"
    );
    assert!(shown.iter().any(|t| t.contains("octets>")));
}
