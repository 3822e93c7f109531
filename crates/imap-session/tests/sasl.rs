//! SASL run by the sessions (RFC 9051 §6.2.2, RFC 4959, RFC 4422): the RFCs' example exchanges
//! end to end through a client session and a server session (RFC 5802 §5, RFC 7677 §3,
//! RFC 4616 §4, RFC 2195 §2), bad input on both sides, SASL lines outside an exchange, no
//! secret in `Debug`, and where COMPRESS starts (RFC 4978 §3).

mod common;

#[path = "../../sasl/tests/support/rfc_exchanges.rs"]
mod rfc_exchanges;
use rfc_exchanges::{Users, client_mech};

use std::sync::Arc;

use base64::Engine as _;
use common::Pair;
use imap_codec::{Capability, CommandBody, CompressionAlgorithm, Response, StatusKind};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientSession, LocalError, PeerError, ServerConfig, ServerEvent,
    ServerSession, State,
};
use mailproto_sasl::{
    ClientConfig as SaslClient, CramMd5Server, Credentials, FixedNonces, Mechanism, SaslError,
    ServerConfig as SaslServer, TlsInfo,
};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn server_sasl() -> SaslServer {
    SaslServer {
        mechanisms: vec![
            Mechanism::SCRAM_SHA_256,
            Mechanism::SCRAM_SHA_1,
            Mechanism::CRAM_MD5,
            Mechanism::PLAIN,
        ],
        ..SaslServer::default()
    }
}

/// A pair in Not Authenticated state whose client knows `caps`.
fn pair(caps: &str) -> Pair {
    let mut p = Pair::new(ClientConfig::default(), ServerConfig::default());
    let greeting = format!("* OK [CAPABILITY IMAP4rev1 {caps}] ready\r\n");
    let g = imap_codec::Greeting::parse(greeting.as_bytes()).unwrap();
    p.server.send_greeting(g).unwrap();
    p.drive();
    assert_eq!(p.client.state(), State::NotAuthenticated);
    p
}

/// Drives the pair; when the server application sees an AUTHENTICATE it starts the mechanism
/// made by `start` (the server's nonce comes from `server_nonce`).
fn run(p: &mut Pair, start: impl Fn(&Mechanism) -> Box<dyn mailproto_sasl::ServerMechanism>) {
    let mut seen = 0;
    loop {
        p.drive();
        let mut started = false;
        while seen < p.server_events.len() {
            if let ServerEvent::Command(cmd) = &p.server_events[seen]
                && let CommandBody::Authenticate { mechanism, .. } = &cmd.body
            {
                let m = Mechanism::new(mechanism.as_str()).unwrap();
                p.server
                    .authenticate_start(&cmd.tag, start(&m), Arc::new(Users))
                    .unwrap();
                started = true;
            }
            seen += 1;
        }
        if !started {
            return;
        }
    }
}

fn scram_server(
    nonce: &'static str,
) -> impl Fn(&Mechanism) -> Box<dyn mailproto_sasl::ServerMechanism> {
    move |m| {
        server_sasl()
            .start(m, None, &mut FixedNonces::new([nonce]))
            .unwrap()
    }
}

fn wire(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn authenticated(p: &Pair) -> Option<Mechanism> {
    p.client_events.iter().find_map(|e| match e {
        ClientEvent::Authenticated { mechanism, .. } => Some(mechanism.clone()),
        _ => None,
    })
}

/// RFC 7677 §3, with and without SASL-IR: the messages of the example, byte for byte in
/// base64 on the wire, and both sessions authenticated.
#[test]
fn rfc7677_3_scram_sha256_through_both_sessions() {
    const CF: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const SF: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CFIN: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SV: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    for sasl_ir in [true, false] {
        let mut p = pair(if sasl_ir {
            "SASL-IR AUTH=SCRAM-SHA-256"
        } else {
            "AUTH=SCRAM-SHA-256"
        });
        let m = client_mech(
            &Mechanism::SCRAM_SHA_256,
            "user",
            "pencil",
            "rOprNGfwEbeRWgbNEkqO",
        );
        p.client.authenticate(m).unwrap();
        run(&mut p, scram_server("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
        let expected_client = if sasl_ir {
            format!(
                "A1 AUTHENTICATE SCRAM-SHA-256 {}\r\n{}\r\n\r\n",
                b64(CF.as_bytes()),
                b64(CFIN.as_bytes())
            )
        } else {
            format!(
                "A1 AUTHENTICATE SCRAM-SHA-256\r\n{}\r\n{}\r\n\r\n",
                b64(CF.as_bytes()),
                b64(CFIN.as_bytes())
            )
        };
        assert_eq!(wire(&p.client_wire), expected_client);
        let server = wire(&p.server_wire);
        let challenges = format!(
            "+ {}\r\n+ {}\r\nA1 OK AUTHENTICATE completed\r\n",
            b64(SF.as_bytes()),
            b64(SV.as_bytes())
        );
        assert!(server.ends_with(&challenges), "{server}");
        assert_eq!(server.contains("+ \r\n"), !sasl_ir);
        assert_eq!(authenticated(&p), Some(Mechanism::SCRAM_SHA_256));
        assert_eq!(p.client.state(), State::Authenticated);
        assert_eq!(p.server.state(), State::Authenticated);
        assert!(p.server_events.iter().any(|e| matches!(e,
            ServerEvent::Authenticated { outcome, .. } if outcome.authcid == "user")));
    }
}

/// RFC 5802 §5 (SCRAM-SHA-1).
#[test]
fn rfc5802_5_scram_sha1_through_both_sessions() {
    let mut p = pair("SASL-IR AUTH=SCRAM-SHA-1");
    let m = client_mech(
        &Mechanism::SCRAM_SHA_1,
        "user",
        "pencil",
        "fyko+d2lbbFgONRv9qkxdawL",
    );
    p.client.authenticate(m).unwrap();
    run(&mut p, scram_server("3rfcNHYJY1ZVvWVs7j"));
    let client = wire(&p.client_wire);
    let cfin = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    assert!(client.contains(&b64(cfin.as_bytes())), "{client}");
    let server = wire(&p.server_wire);
    assert!(
        server.contains(&b64(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")),
        "{server}"
    );
    assert_eq!(authenticated(&p), Some(Mechanism::SCRAM_SHA_1));
    assert_eq!(p.server.state(), State::Authenticated);
}

/// RFC 4616 §4: PLAIN with SASL-IR is one line; the empty-challenge form without it.
#[test]
fn rfc4616_4_plain_through_both_sessions() {
    let plain = |m: &Mechanism| {
        SaslServer {
            allow_plaintext_without_tls: true,
            ..server_sasl()
        }
        .start(m, Some(&TlsInfo::default()), &mut FixedNonces::default())
        .unwrap()
    };
    let mut p = pair("SASL-IR AUTH=PLAIN");
    p.client
        .authenticate(client_mech(
            &Mechanism::PLAIN,
            "tim",
            "tanstaaftanstaaf",
            "",
        ))
        .unwrap();
    run(&mut p, plain);
    assert_eq!(
        wire(&p.client_wire),
        "A1 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"
    );
    assert_eq!(authenticated(&p), Some(Mechanism::PLAIN));

    let mut p = pair("AUTH=PLAIN");
    p.client
        .authenticate(client_mech(
            &Mechanism::PLAIN,
            "tim",
            "tanstaaftanstaaf",
            "",
        ))
        .unwrap();
    run(&mut p, plain);
    assert_eq!(
        wire(&p.client_wire),
        "A1 AUTHENTICATE PLAIN\r\nAHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"
    );
    assert!(wire(&p.server_wire).ends_with("+ \r\nA1 OK AUTHENTICATE completed\r\n"));
    assert_eq!(p.client.state(), State::Authenticated);

    // A wrong password: NO [AUTHENTICATIONFAILED], both stay Not Authenticated.
    let mut p = pair("SASL-IR AUTH=PLAIN");
    p.client
        .authenticate(client_mech(
            &Mechanism::PLAIN,
            "tim",
            "tanstaaftanstaafX",
            "",
        ))
        .unwrap();
    run(&mut p, plain);
    assert!(
        wire(&p.server_wire).ends_with("A1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
    );
    assert_eq!(authenticated(&p), None);
    assert_eq!(p.client.state(), State::NotAuthenticated);
    assert_eq!(p.server.state(), State::NotAuthenticated);
    assert!(p.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::AuthenticationFailed {
            error: SaslError::AuthenticationFailed,
            ..
        }
    )));
}

/// RFC 2195 §2: CRAM-MD5 with the RFC's challenge, byte for byte.
#[test]
fn rfc2195_2_cram_md5_through_both_sessions() {
    let mut p = pair("AUTH=CRAM-MD5");
    p.client
        .authenticate(client_mech(
            &Mechanism::CRAM_MD5,
            "tim",
            "tanstaaftanstaaf",
            "",
        ))
        .unwrap();
    run(&mut p, |_| {
        Box::new(
            CramMd5Server::with_challenge(
                "<1896.697170952@postoffice.reston.mci.net>".into(),
                Default::default(),
            )
            .unwrap(),
        )
    });
    assert_eq!(
        wire(&p.server_wire)
            .lines()
            .find(|l| l.starts_with('+'))
            .unwrap(),
        "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
    );
    assert!(wire(&p.client_wire).ends_with("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"));
    assert_eq!(authenticated(&p), Some(Mechanism::CRAM_MD5));
}

/// `authenticate_with` picks SCRAM-SHA-256 over PLAIN from the AUTH= capabilities.
#[test]
fn authenticate_with_chooses_the_strongest() {
    let mut p = pair("SASL-IR AUTH=PLAIN AUTH=SCRAM-SHA-256");
    let (_, chosen) = p
        .client
        .authenticate_with(
            &SaslClient::default(),
            &Credentials::password("user", "pencil"),
            &mut FixedNonces::new(["rOprNGfwEbeRWgbNEkqO"]),
        )
        .unwrap();
    assert_eq!(chosen, Mechanism::SCRAM_SHA_256);
    run(&mut p, scram_server("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
    assert_eq!(p.client.state(), State::Authenticated);
    // Without TLS PLAIN alone does not fit (RFC 9051 §6.2.2 note).
    let mut p = pair("SASL-IR AUTH=PLAIN");
    let err = p
        .client
        .authenticate_with(
            &SaslClient::default(),
            &Credentials::password("user", "pencil"),
            &mut FixedNonces::default(),
        )
        .unwrap_err();
    assert_eq!(err, LocalError::NoMechanism);
}

/// A client session fed by a scripted server.
fn scripted_client(caps: &str) -> ClientSession {
    let mut c = ClientSession::new(ClientConfig::default());
    c.handle_input(format!("* OK [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes())
        .unwrap();
    c
}

fn drain(c: &mut ClientSession) -> (String, Vec<ClientEvent>) {
    let mut out = Vec::new();
    let mut events = Vec::new();
    while let Some(o) = c.poll_output() {
        match o {
            mailproto_imap_session::ClientOutput::Transmit(b) => out.extend_from_slice(b),
            mailproto_imap_session::ClientOutput::Event(e) => events.push(e),
            _ => {}
        }
    }
    (wire(&out), events)
}

/// A tampered server signature: the client cancels with `*`; a server that says OK without
/// proving itself: the client reports it and closes, never Authenticated.
#[test]
fn client_refuses_an_unauthentic_server() {
    let sf =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    // Tampered v=.
    let mut c = scripted_client("SASL-IR AUTH=SCRAM-SHA-256");
    c.authenticate(client_mech(
        &Mechanism::SCRAM_SHA_256,
        "user",
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
    ))
    .unwrap();
    drain(&mut c);
    c.handle_input(format!("+ {}\r\n", b64(sf.as_bytes())).as_bytes())
        .unwrap();
    drain(&mut c);
    c.handle_input(
        format!(
            "+ {}\r\n",
            b64(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        )
        .as_bytes(),
    )
    .unwrap();
    let (out, events) = drain(&mut c);
    assert_eq!(out, "*\r\n");
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClientEvent::AuthenticationFailed {
                error: SaslError::ServerSignature,
                ..
            }
        )),
        "{events:?}"
    );
    c.handle_input(b"A1 BAD cancelled\r\n").unwrap();
    drain(&mut c);
    assert_eq!(c.state(), State::NotAuthenticated);

    // OK without v=.
    let mut c = scripted_client("SASL-IR AUTH=SCRAM-SHA-256");
    c.authenticate(client_mech(
        &Mechanism::SCRAM_SHA_256,
        "user",
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
    ))
    .unwrap();
    drain(&mut c);
    c.handle_input(format!("+ {}\r\n", b64(sf.as_bytes())).as_bytes())
        .unwrap();
    drain(&mut c);
    c.handle_input(b"A1 OK welcome\r\n").unwrap();
    let (_, events) = drain(&mut c);
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClientEvent::AuthenticationFailed {
                error: SaslError::ServerNotVerified,
                ..
            }
        )),
        "{events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::Authenticated { .. }))
    );
    assert!(c.is_closed());
    assert_ne!(c.state(), State::Authenticated);

    // A challenge that is not base64: protocol error and `*`.
    let mut c = scripted_client("AUTH=CRAM-MD5");
    c.authenticate(client_mech(&Mechanism::CRAM_MD5, "tim", "x", ""))
        .unwrap();
    drain(&mut c);
    c.handle_input(b"+ not base64!\r\n").unwrap();
    let (out, events) = drain(&mut c);
    assert_eq!(out, "*\r\n");
    assert!(events.contains(&ClientEvent::ProtocolError(PeerError::ChallengeNotBase64)));

    // Without SASL-IR a non-empty first challenge for a client-first mechanism: `*`.
    let mut c = scripted_client("AUTH=SCRAM-SHA-256");
    c.authenticate(client_mech(
        &Mechanism::SCRAM_SHA_256,
        "user",
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
    ))
    .unwrap();
    drain(&mut c);
    c.handle_input(b"+ AAAA\r\n").unwrap();
    assert_eq!(drain(&mut c).0, "*\r\n");
}

fn server_after(lines: &[&[u8]]) -> (ServerSession, String, Vec<ServerEvent>) {
    let mut s = ServerSession::resume(ServerConfig::default(), State::NotAuthenticated);
    let mut out = Vec::new();
    let mut events = Vec::new();
    for l in lines {
        s.handle_input(l).unwrap();
        while let Some(o) = s.poll_output() {
            match o {
                mailproto_imap_session::ServerOutput::Transmit(b) => out.extend_from_slice(b),
                mailproto_imap_session::ServerOutput::Event(e) => {
                    if let ServerEvent::Command(cmd) = &e
                        && let CommandBody::Authenticate { mechanism, .. } = &cmd.body
                    {
                        let m = Mechanism::new(mechanism.as_str()).unwrap();
                        let mech = SaslServer {
                            allow_plaintext_without_tls: true,
                            ..server_sasl()
                        }
                        .start(
                            &m,
                            None,
                            &mut FixedNonces::new(["%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"]),
                        )
                        .unwrap();
                        // Err when the exchange already ended (a line read with the command).
                        let r = s.authenticate_start(&cmd.tag.clone(), mech, Arc::new(Users));
                        assert!(
                            matches!(r, Ok(()) | Err(LocalError::NotAuthenticating)),
                            "{r:?}"
                        );
                    }
                    events.push(e);
                }
                _ => {}
            }
        }
    }
    (s, wire(&out), events)
}

/// Issue 18 item 8: a SASL line while no challenge is outstanding is a protocol error and
/// ends the exchange with BAD; `*` ends it with BAD; bad base64 with BAD.
#[test]
fn server_refuses_sasl_lines_outside_a_challenge() {
    // PLAIN without SASL-IR: the client must wait for the empty challenge. Here the
    // response comes in the same read as the command.
    let (s, out, events) =
        server_after(&[b"a AUTHENTICATE PLAIN\r\nAHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"]);
    // The line was read in the same input as the command, before any challenge.
    assert!(
        events.contains(&ServerEvent::ProtocolError(PeerError::UnexpectedSaslLine)),
        "{events:?} {out}"
    );
    assert!(out.contains("a BAD"), "{out}");
    assert_eq!(s.state(), State::NotAuthenticated);

    // SCRAM: two lines for one challenge.
    let cf = b64(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    let (s, out, events) = server_after(&[
        format!("a AUTHENTICATE SCRAM-SHA-256 {cf}\r\n").as_bytes(),
        b"AAAA\r\nAAAA\r\n",
    ]);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ServerEvent::AuthenticationFailed { .. }))
    );
    assert!(
        events.contains(&ServerEvent::ProtocolError(PeerError::UnexpectedSaslLine))
            || out.contains("a BAD"),
        "{events:?}"
    );
    assert!(out.contains("a BAD") || out.contains("a NO"), "{out}");
    assert_eq!(s.state(), State::NotAuthenticated);

    // Cancel.
    let (_, out, events) = server_after(&[
        format!("a AUTHENTICATE SCRAM-SHA-256 {cf}\r\n").as_bytes(),
        b"*\r\n",
    ]);
    assert!(out.ends_with("a BAD Authentication cancelled\r\n"), "{out}");
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::AuthenticationFailed {
            error: SaslError::Cancelled,
            ..
        }
    )));

    // Malformed client-first (not SCRAM): BAD.
    let (_, out, _) =
        server_after(&[format!("a AUTHENTICATE SCRAM-SHA-256 {}\r\n", b64(b"hello")).as_bytes()]);
    assert!(out.ends_with("a BAD Invalid SASL exchange\r\n"), "{out}");

    // After the exchange, commands are read as commands again.
    let (s, out, _) = server_after(&[
        b"a AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n",
        b"b NOOP\r\n",
    ]);
    assert!(out.starts_with("a OK AUTHENTICATE completed\r\n"), "{out}");
    assert_eq!(s.state(), State::Authenticated);
}

/// No password, no base64 of it, no SCRAM proof in the `Debug` output of the sessions, their
/// events and errors during and after the exchange.
#[test]
fn no_secret_in_debug() {
    let secret = "tanstaaftanstaaf";
    let mut p = pair("AUTH=PLAIN");
    p.client
        .authenticate(client_mech(&Mechanism::PLAIN, "tim", secret, ""))
        .unwrap();
    let client_debug = format!("{:?}", p.client);
    let plain = |m: &Mechanism| {
        SaslServer {
            allow_plaintext_without_tls: true,
            ..server_sasl()
        }
        .start(m, None, &mut FixedNonces::default())
        .unwrap()
    };
    run(&mut p, plain);
    let server_debug = format!("{:?}", p.server);
    let events = format!("{:?} {:?}", p.client_events, p.server_events);
    for text in [client_debug, server_debug, events] {
        assert!(!text.contains(secret), "{text}");
        assert!(!text.contains("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"), "{text}");
    }
    // Mid-exchange SCRAM: the deferred initial response and the mechanism are redacted.
    let mut p = pair("AUTH=SCRAM-SHA-256");
    p.client
        .authenticate(client_mech(
            &Mechanism::SCRAM_SHA_256,
            "user",
            "pencil",
            "rOprNGfwEbeRWgbNEkqO",
        ))
        .unwrap();
    let text = format!("{:?}", p.client);
    assert!(!text.contains("pencil"), "{text}");
}

/// RFC 4978 §3: after the tagged OK both sessions signal compression, with what followed the
/// OK in the same read handed back still compressed; no command may follow COMPRESS before
/// its result.
#[test]
fn compress_starts_after_the_ok() {
    let mut p = Pair::resume(
        ClientConfig::default(),
        ServerConfig::default(),
        State::Authenticated,
    );
    p.client
        .send(CommandBody::Compress {
            algorithm: CompressionAlgorithm::Deflate,
        })
        .unwrap();
    assert_eq!(
        p.client.send(CommandBody::Noop),
        Err(LocalError::CompressInFlight)
    );
    p.drive();
    assert_eq!(wire(&p.client_wire), "A1 COMPRESS DEFLATE\r\n");
    // The client's compressed bytes arrive before the server answered.
    p.server.handle_input(b"\x01\x02compressed").unwrap();
    let tag = imap_codec::Tag::new("A1").unwrap();
    p.server
        .complete(tag, StatusKind::Ok, "DEFLATE active")
        .unwrap();
    // The server's OK and compressed bytes in the same read.
    let mut events = Vec::new();
    let mut out = Vec::new();
    while let Some(o) = p.server.poll_output() {
        match o {
            mailproto_imap_session::ServerOutput::Transmit(b) => out.extend_from_slice(b),
            mailproto_imap_session::ServerOutput::Event(e) => events.push(e),
            _ => {}
        }
    }
    assert_eq!(wire(&out), "A1 OK DEFLATE active\r\n");
    assert!(
        events.iter().any(|e| matches!(e,
        ServerEvent::CompressionStarted { compressed, .. } if compressed == b"\x01\x02compressed")),
        "{events:?}"
    );
    out.extend_from_slice(b"\xffdeflated");
    p.client.handle_input(&out).unwrap();
    let (_, events) = drain(&mut p.client);
    assert!(
        events.iter().any(|e| matches!(e,
        ClientEvent::CompressionStarted { compressed, algorithm: CompressionAlgorithm::Deflate, .. }
            if compressed == b"\xffdeflated")),
        "{events:?}"
    );
    // The session goes on with the inflated bytes.
    p.client.send(CommandBody::Noop).unwrap();
    let (sent, _) = drain(&mut p.client);
    let tag = sent.split(' ').next().unwrap();
    p.client
        .handle_input(format!("{tag} OK done\r\n").as_bytes())
        .unwrap();
    let (_, events) = drain(&mut p.client);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClientEvent::Completed { .. }))
    );

    // NO [COMPRESSIONACTIVE]: no signal.
    let mut c = ClientSession::resume(ClientConfig::default(), State::Authenticated);
    c.send(CommandBody::Compress {
        algorithm: CompressionAlgorithm::Deflate,
    })
    .unwrap();
    c.handle_input(b"A1 NO [COMPRESSIONACTIVE] DEFLATE active via TLS\r\nA2 x\r\n")
        .unwrap();
    let (_, events) = drain(&mut c);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::CompressionStarted { .. }))
    );
    let _ = Response::parse(b"* OK x\r\n").unwrap();
    let _ = Capability::CompressDeflate;
}

/// SASL-IR with an empty initial response is `=` (RFC 4959 §3); without SASL-IR the empty
/// response answers the empty challenge with an empty line.
#[test]
fn empty_initial_response() {
    let external = || -> Box<dyn mailproto_sasl::ClientMechanism> {
        SaslClient::tls()
            .start(
                &Mechanism::EXTERNAL,
                &Credentials::external(),
                &mut FixedNonces::default(),
            )
            .unwrap()
    };
    let mut c = scripted_client("SASL-IR AUTH=EXTERNAL");
    c.authenticate(external()).unwrap();
    assert_eq!(drain(&mut c).0, "A1 AUTHENTICATE EXTERNAL =\r\n");
    c.handle_input(b"A1 OK done\r\n").unwrap();
    let (_, events) = drain(&mut c);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClientEvent::Authenticated { .. })),
        "{events:?}"
    );
    assert_eq!(c.state(), State::Authenticated);

    let mut c = scripted_client("AUTH=EXTERNAL");
    c.authenticate(external()).unwrap();
    assert_eq!(drain(&mut c).0, "A1 AUTHENTICATE EXTERNAL\r\n");
    c.handle_input(b"+ \r\n").unwrap();
    assert_eq!(drain(&mut c).0, "\r\n");
}
