//! SASL run by the POP3 sessions (RFC 5034 §4, RFC 4422): the RFCs' examples end to end
//! through a client session and a server session (RFC 7677 §3, RFC 5802 §5, RFC 4616 §4,
//! RFC 2195 §2), the 255-octet rule for the initial response, a tampered server, a wrong
//! password, and no secret in the `Debug` of the mechanism state.

#[path = "../../sasl/tests/support/rfc_exchanges.rs"]
mod rfc_exchanges;
use rfc_exchanges::{Users, client_mech};

use std::sync::Arc;

use base64::Engine as _;
use mailproto_pop3_session::ops::{ClientRecord, drain_client, drain_server};
use mailproto_pop3_session::{
    ClientEvent, ClientSession, LocalError, Maildrop, ServerConfig, ServerEvent, ServerSession,
};
use mailproto_sasl::{
    ClientConfig as SaslClient, CramMd5Server, Credentials, FixedNonces, Mechanism, SaslError,
    ServerConfig as SaslServer, ServerMechanism, TlsInfo,
};
use pop3_codec::{Capability, Command, Greeting, IntoStatic, Limits};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Client and server sessions; the server application starts `start(mechanism)` on AUTH
/// and opens an empty maildrop on success.
struct Pair {
    client: ClientSession,
    server: ServerSession,
    client_wire: String,
    server_wire: String,
    client_events: Vec<ClientRecord>,
    server_events: Vec<ServerEvent>,
}

fn pair(mechanisms: &str) -> Pair {
    let greeting = Greeting::parse(b"+OK POP3 server ready\r\n")
        .unwrap()
        .into_static();
    let names: Vec<_> = mechanisms
        .split(' ')
        .map(|m| pop3_codec::Mechanism::new(m.to_owned()).unwrap())
        .collect();
    let config = ServerConfig::new(greeting).with_capabilities(vec![Capability::Sasl(names)]);
    let mut p = Pair {
        client: ClientSession::new(Limits::default()),
        server: ServerSession::new(config),
        client_wire: String::new(),
        server_wire: String::new(),
        client_events: Vec::new(),
        server_events: Vec::new(),
    };
    p.run(&|_| unreachable!("no AUTH yet"));
    p.client.send(Command::Capa).unwrap();
    p
}

impl Pair {
    fn run(&mut self, start: &dyn Fn(&Mechanism) -> Box<dyn ServerMechanism>) {
        for _ in 0..50 {
            let mut wire = Vec::new();
            self.client_events
                .extend(drain_client(&mut self.client, &mut wire));
            self.client_wire.push_str(&String::from_utf8_lossy(&wire));
            let moved = !wire.is_empty();
            if moved {
                self.server.handle_input(&wire).unwrap();
            }
            let mut out = Vec::new();
            loop {
                let mut w = Vec::new();
                let events = drain_server(&mut self.server, &mut w);
                out.extend_from_slice(&w);
                if events.is_empty() {
                    break;
                }
                for e in events {
                    match &e {
                        ServerEvent::SaslStart { mechanism, .. } => {
                            let m = Mechanism::new(mechanism.as_str()).unwrap();
                            self.server.sasl_start(start(&m), Arc::new(Users)).unwrap();
                        }
                        ServerEvent::SaslAuthenticated { .. } => {
                            self.server.accept_login(Maildrop::default()).unwrap();
                        }
                        _ => {}
                    }
                    self.server_events.push(e);
                }
            }
            self.server_wire.push_str(&String::from_utf8_lossy(&out));
            if !out.is_empty() {
                self.client.handle_input(&out).unwrap();
            } else if !moved {
                return;
            }
        }
        panic!("the exchange does not end");
    }

    fn client_events(&self) -> Vec<&ClientEvent<'static>> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                ClientRecord::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    fn authenticated(&self) -> Option<Mechanism> {
        self.client_events().into_iter().find_map(|e| match e {
            ClientEvent::Authenticated { mechanism, .. } => Some(mechanism.clone()),
            _ => None,
        })
    }
}

fn server(nonce: &'static str) -> impl Fn(&Mechanism) -> Box<dyn ServerMechanism> {
    move |m| {
        SaslServer {
            mechanisms: vec![
                Mechanism::SCRAM_SHA_256,
                Mechanism::SCRAM_SHA_1,
                Mechanism::PLAIN,
            ],
            allow_plaintext_without_tls: true,
            ..SaslServer::default()
        }
        .start(m, Some(&TlsInfo::default()), &mut FixedNonces::new([nonce]))
        .unwrap()
    }
}

/// RFC 7677 §3 through both POP3 sessions: `AUTH SCRAM-SHA-256 <ir>` fits in 255 octets.
#[test]
fn rfc7677_3_scram_sha256() {
    const SF: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CFIN: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SV: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    let mut p = pair("SCRAM-SHA-256 PLAIN");
    p.run(&server("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
    let (_, chosen) = p
        .client
        .authenticate_with(
            &SaslClient::default(),
            &Credentials::password("user", "pencil"),
            &mut FixedNonces::new(["rOprNGfwEbeRWgbNEkqO"]),
        )
        .unwrap();
    assert_eq!(chosen, Mechanism::SCRAM_SHA_256);
    p.run(&server("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
    assert!(
        p.client_wire.ends_with(&format!(
            "AUTH SCRAM-SHA-256 {}\r\n{}\r\n\r\n",
            b64(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
            b64(CFIN.as_bytes())
        )),
        "{}",
        p.client_wire
    );
    assert!(
        p.server_wire.contains(&format!(
            "+ {}\r\n+ {}\r\n+OK",
            b64(SF.as_bytes()),
            b64(SV.as_bytes())
        )),
        "{}",
        p.server_wire
    );
    assert_eq!(p.authenticated(), Some(Mechanism::SCRAM_SHA_256));
    assert!(p.server_events.iter().any(|e| matches!(e,
        ServerEvent::SaslAuthenticated { outcome } if outcome.authcid == "user")));
    assert!(p.client.send(Command::Stat).is_ok(), "in TRANSACTION");
}

/// RFC 5802 §5 (SCRAM-SHA-1).
#[test]
fn rfc5802_5_scram_sha1() {
    let mut p = pair("SCRAM-SHA-1");
    p.run(&server("3rfcNHYJY1ZVvWVs7j"));
    p.client
        .authenticate(client_mech(
            &Mechanism::SCRAM_SHA_1,
            "user",
            "pencil",
            "fyko+d2lbbFgONRv9qkxdawL",
        ))
        .unwrap();
    p.run(&server("3rfcNHYJY1ZVvWVs7j"));
    let cfin = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    assert!(p.client_wire.contains(&b64(cfin.as_bytes())));
    assert!(
        p.server_wire
            .contains(&b64(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))
    );
    assert_eq!(p.authenticated(), Some(Mechanism::SCRAM_SHA_1));
}

/// RFC 4616 §4 PLAIN; a wrong password gets `-ERR [AUTH]`; a 300-octet initial response
/// goes after the empty challenge (RFC 5034 §4, 255-octet rule).
#[test]
fn rfc4616_4_plain_and_the_255_octet_rule() {
    let mut p = pair("PLAIN");
    p.run(&server(""));
    p.client
        .authenticate(client_mech(
            &Mechanism::PLAIN,
            "tim",
            "tanstaaftanstaaf",
            "",
        ))
        .unwrap();
    p.run(&server(""));
    assert!(
        p.client_wire
            .ends_with("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"),
        "{}",
        p.client_wire
    );
    assert_eq!(p.authenticated(), Some(Mechanism::PLAIN));

    let mut p = pair("PLAIN");
    p.run(&server(""));
    p.client
        .authenticate(client_mech(&Mechanism::PLAIN, "tim", "wrong", ""))
        .unwrap();
    p.run(&server(""));
    assert!(
        p.server_wire
            .ends_with("-ERR [AUTH] authentication failed\r\n"),
        "{}",
        p.server_wire
    );
    assert!(p.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::SaslFailed {
            error: SaslError::AuthenticationFailed
        }
    )));
    assert!(
        p.client_events()
            .iter()
            .any(|e| matches!(e, ClientEvent::AuthFailed { .. }))
    );
    assert_eq!(p.authenticated(), None);

    let long = "x".repeat(300);
    let mut p = pair("PLAIN");
    p.run(&server(""));
    p.client
        .authenticate(client_mech(&Mechanism::PLAIN, "tim", &long, ""))
        .unwrap();
    p.run(&server(""));
    let lines: Vec<&str> = p.client_wire.split("\r\n").collect();
    assert!(lines.contains(&"AUTH PLAIN"), "{}", p.client_wire);
    assert!(p.server_wire.contains("+ \r\n"));
    assert!(
        p.server_wire
            .ends_with("-ERR [AUTH] authentication failed\r\n")
    );
}

/// RFC 2195 §2 CRAM-MD5 with the RFC's challenge.
#[test]
fn rfc2195_2_cram_md5() {
    let mut p = pair("CRAM-MD5");
    let cram = |_: &Mechanism| -> Box<dyn ServerMechanism> {
        Box::new(
            CramMd5Server::with_challenge(
                "<1896.697170952@postoffice.reston.mci.net>".into(),
                Default::default(),
            )
            .unwrap(),
        )
    };
    p.run(&cram);
    p.client
        .authenticate(client_mech(
            &Mechanism::CRAM_MD5,
            "tim",
            "tanstaaftanstaaf",
            "",
        ))
        .unwrap();
    p.run(&cram);
    assert!(
        p.server_wire
            .contains("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n")
    );
    assert!(
        p.client_wire
            .ends_with("AUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"),
        "{}",
        p.client_wire
    );
    assert_eq!(p.authenticated(), Some(Mechanism::CRAM_MD5));
}

fn scripted(mech: Box<dyn mailproto_sasl::ClientMechanism>) -> (ClientSession, Vec<String>) {
    let mut c = ClientSession::new(Limits::default());
    c.handle_input(b"+OK hi\r\n").unwrap();
    let _ = drain_client(&mut c, &mut Vec::new());
    c.authenticate(mech).unwrap();
    let mut wire = Vec::new();
    let _ = drain_client(&mut c, &mut wire);
    (c, vec![String::from_utf8_lossy(&wire).into_owned()])
}

/// A tampered `v=` gets `*`; `+OK` without `v=` closes the session.
#[test]
fn client_refuses_an_unauthentic_server() {
    let sf =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    let (mut c, _) = scripted(client_mech(
        &Mechanism::SCRAM_SHA_256,
        "user",
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
    ));
    c.handle_input(format!("+ {}\r\n", b64(sf.as_bytes())).as_bytes())
        .unwrap();
    let mut w = Vec::new();
    let _ = drain_client(&mut c, &mut w);
    c.handle_input(
        format!(
            "+ {}\r\n",
            b64(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        )
        .as_bytes(),
    )
    .unwrap();
    let mut w = Vec::new();
    let events = drain_client(&mut c, &mut w);
    assert_eq!(w, b"*\r\n");
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClientRecord::Event(ClientEvent::AuthenticationFailed {
                error: SaslError::ServerSignature,
                ..
            })
        )),
        "{events:?}"
    );

    let (mut c, _) = scripted(client_mech(
        &Mechanism::SCRAM_SHA_256,
        "user",
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
    ));
    c.handle_input(format!("+ {}\r\n", b64(sf.as_bytes())).as_bytes())
        .unwrap();
    let mut w = Vec::new();
    let _ = drain_client(&mut c, &mut w);
    c.handle_input(b"+OK welcome\r\n").unwrap();
    let mut w = Vec::new();
    let events = drain_client(&mut c, &mut w);
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClientRecord::Event(ClientEvent::AuthenticationFailed {
                error: SaslError::ServerNotVerified,
                ..
            })
        )),
        "{events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientRecord::Event(ClientEvent::Authenticated { .. })))
    );
    assert_eq!(c.send(Command::Stat), Err(LocalError::Closed));
}

/// The session's mechanism state holds the password's derivatives: none in `Debug`.
#[test]
fn no_secret_in_debug_of_the_mechanism_state() {
    let (c, _) = scripted(client_mech(
        &Mechanism::SCRAM_SHA_256,
        "user",
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
    ));
    let text = format!("{c:?}");
    assert!(!text.contains("pencil"), "{text}");
}
