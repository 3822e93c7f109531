//! The examples of the RFCs (and of Google's XOAUTH2 page), exchanged byte for byte.

mod common;

use common::*;
use mailproto_sasl::wire::{Line, decode_challenge, decode_line};
use mailproto_sasl::*;

/// Runs a server against a scripted client: each (client message, expected server reply).
fn scripted_server(
    server: &mut dyn ServerMechanism,
    auth: &dyn Authenticator,
    ir: Option<&[u8]>,
    script: &[(&[u8], &[u8])],
) -> ServerStep {
    let mut step = server.start(ir, auth);
    for (client, expected) in script {
        match &step {
            ServerStep::Challenge(c) => assert_eq!(
                String::from_utf8_lossy(c),
                String::from_utf8_lossy(expected)
            ),
            other => panic!(
                "expected challenge {:?}, got {other:?}",
                String::from_utf8_lossy(expected)
            ),
        }
        step = server.step(client, auth);
    }
    step
}

fn scram_client_rfc(
    hash: ScramHash,
    nonce: &str,
    server_first: &[u8],
    client_final: &[u8],
    server_final: &[u8],
) {
    let mut c = ScramClient::new(
        hash,
        ClientChannelBinding::Unsupported,
        "user",
        &"pencil".into(),
        None,
        nonce,
        Limits::default(),
    )
    .unwrap();
    assert_eq!(c.mechanism(), hash.mechanism(false));
    let first = c.initial_response().unwrap().unwrap();
    assert_eq!(first.as_bytes(), format!("n,,n=user,r={nonce}").as_bytes());
    let fin = c.step(server_first).unwrap();
    assert_eq!(
        String::from_utf8_lossy(fin.response().as_bytes()),
        String::from_utf8_lossy(client_final)
    );
    // Before the server's signature, success must not be accepted.
    let ack = c.step(server_final).unwrap();
    assert!(ack.response().is_empty());
    c.finish(None).unwrap();
}

fn scram_server_rfc(
    mech: Mechanism,
    server_nonce: &str,
    client_first: &[u8],
    server_first: &[u8],
    client_final: &[u8],
    server_final: &[u8],
) {
    let cfg = all_server();
    let mut s = cfg
        .start(&mech, None, &mut FixedNonces::new([server_nonce]))
        .unwrap();
    let end = scripted_server(
        &mut *s,
        &Store::default(),
        Some(client_first),
        &[(client_final, server_first), (b"", server_final)],
    );
    let ServerStep::Success(who) = end else {
        panic!("{end:?}")
    };
    assert_eq!(
        (who.authcid.as_str(), who.authzid.as_deref()),
        ("user", None)
    );
    assert_eq!(who.mechanism, mech);
}

const R5802_SF: &[u8] = b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
const R5802_CF: &[u8] =
    b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
const R5802_SV: &[u8] = b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";

#[test]
fn rfc5802_5_scram_sha1_client() {
    scram_client_rfc(
        ScramHash::Sha1,
        "fyko+d2lbbFgONRv9qkxdawL",
        R5802_SF,
        R5802_CF,
        R5802_SV,
    );
}

#[test]
fn rfc5802_5_scram_sha1_server() {
    scram_server_rfc(
        Mechanism::SCRAM_SHA_1,
        "3rfcNHYJY1ZVvWVs7j",
        b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        R5802_SF,
        R5802_CF,
        R5802_SV,
    );
}

const R7677_SF: &[u8] =
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const R7677_CF: &[u8] = b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const R7677_SV: &[u8] = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

#[test]
fn rfc7677_3_scram_sha256_client() {
    scram_client_rfc(
        ScramHash::Sha256,
        "rOprNGfwEbeRWgbNEkqO",
        R7677_SF,
        R7677_CF,
        R7677_SV,
    );
}

#[test]
fn rfc7677_3_scram_sha256_server() {
    // The RFC 7677 user has its own salt.
    struct S;
    impl Authenticator for S {
        fn scram_credentials(&self, hash: ScramHash, user: &str) -> Option<ScramCredentials> {
            (user == "user").then(|| {
                ScramCredentials::derive(hash, "pencil", &b64d("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096)
                    .unwrap()
            })
        }
    }
    let mut s = all_server()
        .start(
            &Mechanism::SCRAM_SHA_256,
            None,
            &mut FixedNonces::new(["%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"]),
        )
        .unwrap();
    let end = scripted_server(
        &mut *s,
        &S,
        Some(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
        &[(R7677_CF, R7677_SF), (b"", R7677_SV)],
    );
    assert!(
        matches!(end, ServerStep::Success(ref w) if w.authcid == "user"),
        "{end:?}"
    );
}

#[test]
fn rfc5802_client_rejects_tampered_server_signature() {
    let mut c = ScramClient::new(
        ScramHash::Sha1,
        ClientChannelBinding::Unsupported,
        "user",
        &"pencil".into(),
        None,
        "fyko+d2lbbFgONRv9qkxdawL",
        Limits::default(),
    )
    .unwrap();
    let _ = c.initial_response().unwrap();
    let _ = c.step(R5802_SF).unwrap();
    assert_eq!(
        c.step(b"v=smF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap_err(),
        SaslError::ServerSignature
    );
    assert_eq!(c.finish(None).unwrap_err(), SaslError::ServerNotVerified);
}

#[test]
fn rfc5802_client_refuses_success_without_server_final() {
    let mut c = ScramClient::new(
        ScramHash::Sha1,
        ClientChannelBinding::Unsupported,
        "user",
        &"pencil".into(),
        None,
        "fyko+d2lbbFgONRv9qkxdawL",
        Limits::default(),
    )
    .unwrap();
    let _ = c.initial_response().unwrap();
    let _ = c.step(R5802_SF).unwrap();
    assert_eq!(c.finish(None).unwrap_err(), SaslError::ServerNotVerified);
}

#[test]
fn rfc5802_server_final_as_additional_data() {
    let mut c = ScramClient::new(
        ScramHash::Sha1,
        ClientChannelBinding::Unsupported,
        "user",
        &"pencil".into(),
        None,
        "fyko+d2lbbFgONRv9qkxdawL",
        Limits::default(),
    )
    .unwrap();
    let _ = c.initial_response().unwrap();
    let _ = c.step(R5802_SF).unwrap();
    c.finish(Some(R5802_SV)).unwrap();
}

#[test]
fn rfc4616_4_plain_examples() {
    // Example 1: no authzid. Example 2: authzid "Ursel" for authcid "Kurt".
    for (authzid, authcid, pw, msg) in [
        (
            None,
            "tim",
            "tanstaaftanstaaf",
            &b"\0tim\0tanstaaftanstaaf"[..],
        ),
        (
            Some("Ursel"),
            "Kurt",
            "xipj3plmq",
            &b"Ursel\0Kurt\0xipj3plmq"[..],
        ),
    ] {
        let mut c = PlainClient::new(authzid, authcid, pw.into()).unwrap();
        assert_eq!(c.initial_response().unwrap().unwrap().as_bytes(), msg);
        let mut s = PlainServer::new(Limits::default());
        // Without initial response: the empty challenge first (RFC 4422 §3.3).
        let step = scripted_server(&mut s, &Store::default(), None, &[(msg, b"")]);
        let ServerStep::Success(who) = step else {
            panic!("{step:?}")
        };
        assert_eq!(who.authcid, authcid);
        assert_eq!(who.authzid.as_deref(), authzid);
        assert_eq!(who.identity(), authzid.unwrap_or(authcid));
    }
}

#[test]
fn rfc4616_plain_bad_messages() {
    let long = format!("\0tim\0{}", "x".repeat(1025));
    let cases: &[(&[u8], ErrorKind)] = &[
        (b"tim", ErrorKind::Malformed),                       // no NUL
        (b"\0tim", ErrorKind::Malformed),                     // one NUL
        (b"\0\0tanstaaftanstaaf", ErrorKind::Malformed),      // empty authcid
        (b"\0tim\0", ErrorKind::Malformed),                   // empty password
        (b"\0tim\0tanstaaf\0tanstaaf", ErrorKind::Malformed), // third NUL
        (b"\0tim\0\xff\xfe", ErrorKind::Malformed),           // not UTF-8
        (long.as_bytes(), ErrorKind::Malformed),              // overlong field
        (b"\0tim\0wrong", ErrorKind::Failed),
        (b"admin\0tim\0tanstaaftanstaaf", ErrorKind::Failed), // may not act as admin
    ];
    for (msg, kind) in cases {
        let mut s = PlainServer::new(Limits::default());
        match s.start(Some(msg), &Store::default()) {
            ServerStep::Failure(e) => assert_eq!(e.kind(), *kind, "{msg:?}: {e}"),
            other => panic!("{msg:?}: {other:?}"),
        }
    }
    // The RFC's minimum: 255-octet fields are accepted.
    let pw = "p".repeat(255);
    struct Long(String);
    impl Authenticator for Long {
        fn check_password(&self, _: &str, password: &Secret) -> bool {
            password.ct_eq(self.0.as_bytes())
        }
    }
    let mut s = PlainServer::new(Limits::default());
    let msg = format!("{}\0{}\0{pw}", "z".repeat(255), "a".repeat(255));
    let step = s.start(Some(msg.as_bytes()), &Long(pw.clone()));
    assert!(
        matches!(step, ServerStep::Failure(SaslError::AuthorizationFailed)),
        "{step:?}"
    );
}

#[test]
fn rfc2195_2_cram_md5_example() {
    let challenge = "<1896.697170952@postoffice.reston.mci.net>";
    let wire = b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
    assert_eq!(decode_challenge(wire).unwrap(), challenge.as_bytes());
    let mut c = CramMd5Client::new("tim", "tanstaaftanstaaf".into()).unwrap();
    assert!(c.initial_response().unwrap().is_none());
    let r = c.step(challenge.as_bytes()).unwrap();
    let mut line = Vec::new();
    wire::encode_line(r.response().as_bytes(), &mut line);
    assert_eq!(line, b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    // Server side with the RFC's challenge.
    let mut s = CramMd5Server::with_challenge(challenge.into(), Limits::default()).unwrap();
    let step = scripted_server(
        &mut s,
        &Store::default(),
        None,
        &[(
            b"tim b913a602c7eda7a495b4e6e7334d3890",
            challenge.as_bytes(),
        )],
    );
    assert!(
        matches!(step, ServerStep::Success(ref w) if w.authcid == "tim"),
        "{step:?}"
    );
    // One flipped digit fails.
    let mut s = CramMd5Server::with_challenge(challenge.into(), Limits::default()).unwrap();
    let step = scripted_server(
        &mut s,
        &Store::default(),
        None,
        &[(
            b"tim b913a602c7eda7a495b4e6e7334d3891",
            challenge.as_bytes(),
        )],
    );
    assert!(
        matches!(step, ServerStep::Failure(SaslError::AuthenticationFailed)),
        "{step:?}"
    );
}

#[test]
fn rfc4505_4_anonymous_trace() {
    // S: +   C: c2lyaGM=
    let mut c = AnonymousClient::new("sirhc").unwrap();
    let step = c.step(b"").unwrap();
    let mut line = Vec::new();
    wire::encode_line(step.response().as_bytes(), &mut line);
    assert_eq!(line, b"c2lyaGM=");
    let Ok(Line::Data(data)) = decode_line(b"c2lyaGM=") else {
        panic!()
    };
    let auth = Store {
        anonymous: true,
        ..Store::default()
    };
    let mut s = AnonymousServer::new(Limits::default());
    let end = scripted_server(&mut s, &auth, None, &[(data.expose(), b"")]);
    let ServerStep::Success(who) = end else {
        panic!("{end:?}")
    };
    assert_eq!(who.trace.as_deref(), Some("sirhc"));
    assert_eq!(who.authcid, "anonymous");
    // Disabled by default (RFC 4505 §5).
    let mut s = AnonymousServer::new(Limits::default());
    assert!(matches!(
        s.start(Some(b"sirhc"), &Store::default()),
        ServerStep::Failure(SaslError::Refused)
    ));
}

const R7628_41: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
const R7628_43_IR: &str =
    "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9AQE=";
const R7628_43_ERR: &str = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

#[test]
fn rfc7628_4_1_oauthbearer_success() {
    let cfg = ClientConfig {
        oauth_host: Some("server.example.com".into()),
        oauth_port: Some(143),
        ..ClientConfig::tls()
    };
    let creds = Credentials::bearer("user@example.com", TOKEN);
    let mut c = cfg
        .start(&Mechanism::OAUTHBEARER, &creds, &mut FixedNonces::default())
        .unwrap();
    let ir = c.initial_response().unwrap().unwrap();
    let inline = wire::imap_initial_response(ir, true);
    assert_eq!(inline.inline().unwrap(), R7628_41.as_bytes());
    // Server side, from the RFC's bytes.
    let server_cfg = ServerConfig {
        oauth_host: Some("server.example.com".into()),
        oauth_port: Some(143),
        ..all_server()
    };
    let mut s = server_cfg
        .start(
            &Mechanism::OAUTHBEARER,
            Some(&TlsInfo::default()),
            &mut FixedNonces::default(),
        )
        .unwrap();
    let ir = wire::decode_initial_response(R7628_41.as_bytes()).unwrap();
    let step = s.start(Some(ir.expose()), &Store::default());
    let ServerStep::Success(who) = step else {
        panic!("{step:?}")
    };
    assert_eq!(who.authcid, "user@example.com");
    c.finish(None).unwrap();
    // A server configured for another port refuses the same message (RFC 7628 §3.2).
    let other_port = ServerConfig {
        oauth_port: Some(993),
        ..server_cfg
    };
    let mut s = other_port
        .start(
            &Mechanism::OAUTHBEARER,
            Some(&TlsInfo::default()),
            &mut FixedNonces::default(),
        )
        .unwrap();
    assert!(matches!(
        s.start(Some(ir.expose()), &Store::default()),
        ServerStep::Challenge(_)
    ));
}

#[test]
fn rfc7628_4_3_oauthbearer_failure() {
    let ir = wire::decode_initial_response(R7628_43_IR.as_bytes()).unwrap();
    assert_eq!(
        ir.expose(),
        b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=\x01\x01"
    );
    let auth = Store {
        scope: Some("example_scope".into()),
        ..Store::default()
    };
    let mut s = OAuthBearerServer::new(None, None, Limits::default());
    let ServerStep::Challenge(err) = s.start(Some(ir.expose()), &auth) else {
        panic!()
    };
    let parsed = OAuthError::from_json(&err).unwrap();
    assert_eq!(parsed.status, "invalid_token");
    assert_eq!(parsed.scope.as_deref(), Some("example_scope"));
    // The dummy response "AQ==" ends it with a failure.
    let Ok(Line::Data(dummy)) = decode_line(b"AQ==") else {
        panic!()
    };
    assert!(matches!(
        s.step(dummy.expose(), &auth),
        ServerStep::Failure(SaslError::TokenRejected)
    ));

    // Client side: the RFC's error challenge gets the dummy %x01.
    let mut c = OAuthBearerClient::new(Some("user@example.com"), TOKEN.into(), None, None).unwrap();
    let _ = c.initial_response().unwrap();
    let challenge = decode_challenge(R7628_43_ERR.as_bytes()).unwrap();
    match c.step(&challenge).unwrap() {
        ClientStep::TokenRejected { response, error } => {
            assert_eq!(response.as_bytes(), b"\x01");
            assert_eq!(error.status, "invalid_token");
            assert_eq!(error.scope.as_deref(), Some("example_scope"));
            assert_eq!(
                error.openid_configuration.as_deref(),
                Some("https://example.com/.well-known/openid-configuration")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(c.finish(None).is_err());
}

#[test]
fn google_xoauth2_initial_response() {
    // From Google's "OAuth 2.0 Mechanism" page (developers.google.com, xoauth2-protocol).
    let mut c = XOAuth2Client::new(
        "someuser@example.com",
        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg".into(),
    )
    .unwrap();
    let ir = c.initial_response().unwrap().unwrap();
    let mut line = Vec::new();
    wire::encode_line(ir.as_bytes(), &mut line);
    assert_eq!(
        String::from_utf8(line).unwrap(),
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    );
    // The page's error challenge: {"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"}
    let err = decode_challenge(
        b"eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K",
    )
    .unwrap();
    match c.step(&err).unwrap() {
        ClientStep::TokenRejected { response, error } => {
            assert!(response.is_empty());
            assert_eq!(error.status, "401");
            assert_eq!(error.schemes.as_deref(), Some("bearer mac"));
            assert_eq!(error.scope.as_deref(), Some("https://mail.google.com/"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rfc4422_a_external() {
    let tls = TlsInfo {
        peer_identity: Some("cn=alice".into()),
        ..TlsInfo::default()
    };
    let cfg = all_server();
    assert!(cfg.advertised(Some(&tls)).contains(&Mechanism::EXTERNAL));
    assert!(
        !cfg.advertised(Some(&TlsInfo::default()))
            .contains(&Mechanism::EXTERNAL)
    );
    // Empty authorization identity: act as the certificate's identity (A.2, first example).
    let mut s = cfg
        .start(
            &Mechanism::EXTERNAL,
            Some(&tls),
            &mut FixedNonces::default(),
        )
        .unwrap();
    let step = scripted_server(&mut *s, &Store::default(), None, &[(b"", b"")]);
    assert!(
        matches!(step, ServerStep::Success(ref w) if w.identity() == "cn=alice"),
        "{step:?}"
    );
    // A non-empty one must be authorized.
    let mut s = cfg
        .start(
            &Mechanism::EXTERNAL,
            Some(&tls),
            &mut FixedNonces::default(),
        )
        .unwrap();
    assert!(matches!(
        s.start(Some(b"fred"), &Store::default()),
        ServerStep::Failure(SaslError::AuthorizationFailed)
    ));
}
