//! Our client against our server, for every mechanism, with and without initial response,
//! and the failure cases.

mod common;

use common::*;
use mailproto_sasl::*;

fn tls_cb(data: &[u8]) -> TlsInfo {
    TlsInfo::with_channel_binding(ChannelBinding::tls_exporter(data.to_vec()))
}

fn client_cb(data: &[u8]) -> ClientConfig {
    ClientConfig {
        channel_binding: Some(ChannelBinding::tls_exporter(data.to_vec())),
        ..ClientConfig::tls()
    }
}

fn creds_for(m: &Mechanism) -> Credentials {
    match m.info().unwrap().credential {
        CredentialKind::Password => Credentials::password("user", "pencil"),
        CredentialKind::Token => Credentials::bearer("user@example.com", TOKEN),
        CredentialKind::External => Credentials::external(),
        _ => Credentials::anonymous("sirhc"),
    }
}

#[test]
fn every_mechanism_succeeds_both_ways() {
    let auth = Store {
        anonymous: true,
        ..Store::default()
    };
    let tls = TlsInfo {
        peer_identity: Some("user".into()),
        ..tls_cb(b"exporter")
    };
    let server_cfg = all_server();
    let advertised = server_cfg.advertised(Some(&tls));
    assert_eq!(advertised.len(), KNOWN.len());
    for info in KNOWN {
        for use_ir in [true, false] {
            let m = &info.mechanism;
            // With binding data a client uses -PLUS when offered (RFC 5802 §6); without it, "n".
            let client = if info.channel_binding {
                client_cb(b"exporter")
            } else {
                ClientConfig::tls()
            };
            let end = pair(
                m,
                &creds_for(m),
                &client,
                &server_cfg,
                Some(&tls),
                &auth,
                use_ir,
            );
            match end {
                End::Success(who, finish) => {
                    finish.unwrap_or_else(|e| panic!("{m}: client finish: {e}"));
                    assert_eq!(who.mechanism, *m);
                    let expected = match info.credential {
                        CredentialKind::Token => "user@example.com",
                        CredentialKind::Anonymous => "anonymous",
                        _ => "user",
                    };
                    assert_eq!(who.identity(), expected, "{m}");
                }
                other => panic!("{m} (ir {use_ir}): {other:?}"),
            }
        }
    }
}

#[test]
fn wrong_password_fails_for_every_password_mechanism() {
    let tls = tls_cb(b"exporter");
    for info in KNOWN
        .iter()
        .filter(|i| i.credential == CredentialKind::Password)
    {
        let m = &info.mechanism;
        let client = if info.channel_binding {
            client_cb(b"exporter")
        } else {
            ClientConfig::tls()
        };
        let creds = Credentials::password("user", "pencil2");
        let end = pair(
            m,
            &creds,
            &client,
            &all_server(),
            Some(&tls),
            &Store::default(),
            true,
        );
        assert!(
            matches!(end, End::ServerFailure(SaslError::AuthenticationFailed)),
            "{m}: {end:?}"
        );
        // Unknown users fail the same way (SCRAM goes on with mock credentials).
        let creds = Credentials::password("nobody", "pencil");
        let end = pair(
            m,
            &creds,
            &client,
            &all_server(),
            Some(&tls),
            &Store::default(),
            true,
        );
        assert!(
            matches!(end, End::ServerFailure(SaslError::AuthenticationFailed)),
            "{m}: {end:?}"
        );
    }
}

#[test]
fn scram_mock_salt_is_stable_with_a_key() {
    let cfg = ServerConfig {
        scram_mock_key: Some("server secret".into()),
        ..all_server()
    };
    let first = |nonce: &str| {
        let mut s = cfg
            .start(
                &Mechanism::SCRAM_SHA_256,
                None,
                &mut FixedNonces::new([nonce]),
            )
            .unwrap();
        match s.start(Some(b"n,,n=nobody,r=abc"), &Store::default()) {
            ServerStep::Challenge(c) => String::from_utf8(c)
                .unwrap()
                .split_once(",s=")
                .unwrap()
                .1
                .to_owned(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(first("n1"), first("n2"));
}

#[test]
fn authorization_identity() {
    let tls = TlsInfo::default();
    let server = all_server();
    // Kurt may act as Ursel, user may not.
    for (user, pw, ok) in [("Kurt", "xipj3plmq", true), ("user", "pencil", false)] {
        for m in [
            Mechanism::PLAIN,
            Mechanism::SCRAM_SHA_256,
            Mechanism::SCRAM_SHA_1,
        ] {
            let creds = Credentials::password(user, pw).with_authzid("Ursel");
            let end = pair(
                &m,
                &creds,
                &ClientConfig::tls(),
                &server,
                Some(&tls),
                &Store::default(),
                true,
            );
            match (end, ok) {
                (End::Success(who, Ok(())), true) => {
                    assert_eq!((who.authcid.as_str(), who.identity()), (user, "Ursel"))
                }
                (End::ServerFailure(SaslError::AuthorizationFailed), false) => {}
                (other, _) => panic!("{m} {user}: {other:?}"),
            }
        }
    }
}

fn scram_pair(
    tamper: Tamper<'_>,
    client_cfg: &ClientConfig,
    tls: Option<&TlsInfo>,
    m: &Mechanism,
) -> End {
    let creds = Credentials::password("user", "pencil");
    let mut c = client_cfg
        .start(m, &creds, &mut FixedNonces::new(["cnonce"]))
        .unwrap();
    let mut s = all_server()
        .start(m, tls, &mut FixedNonces::new(["snonce"]))
        .unwrap();
    run(&mut *c, &mut *s, &Store::default(), true, tamper)
}

#[test]
fn scram_tampered_server_signature() {
    let mut t = |i: usize, c: Vec<u8>| {
        if i == 1 {
            let mut c = c;
            c[2] ^= 1; // inside the base64 of v=
            c
        } else {
            c
        }
    };
    let end = scram_pair(
        &mut t,
        &ClientConfig::default(),
        None,
        &Mechanism::SCRAM_SHA_256,
    );
    assert!(
        matches!(
            end,
            End::ClientError(SaslError::ServerSignature | SaslError::Malformed(_))
        ),
        "{end:?}"
    );
}

#[test]
fn scram_wrong_server_nonce() {
    // A server nonce that does not extend the client's.
    let mut t = |i: usize, c: Vec<u8>| {
        if i == 0 {
            String::from_utf8(c)
                .unwrap()
                .replacen("r=cnonce", "r=xnonce", 1)
                .into_bytes()
        } else {
            c
        }
    };
    let end = scram_pair(
        &mut t,
        &ClientConfig::default(),
        None,
        &Mechanism::SCRAM_SHA_1,
    );
    assert!(
        matches!(end, End::ClientError(SaslError::NonceMismatch)),
        "{end:?}"
    );
    // A client-final with another nonce than the combined one.
    let mut s = all_server()
        .start(
            &Mechanism::SCRAM_SHA_1,
            None,
            &mut FixedNonces::new(["snonce"]),
        )
        .unwrap();
    let _ = s.start(Some(b"n,,n=user,r=cnonce"), &Store::default());
    let step = s.step(
        b"c=biws,r=cnoncesnonceX,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        &Store::default(),
    );
    assert!(
        matches!(step, ServerStep::Failure(SaslError::NonceMismatch)),
        "{step:?}"
    );
}

#[test]
fn scram_iteration_count_below_minimum() {
    let mut t = |i: usize, c: Vec<u8>| {
        if i == 0 {
            String::from_utf8(c)
                .unwrap()
                .replace(",i=4096", ",i=1000")
                .into_bytes()
        } else {
            c
        }
    };
    let end = scram_pair(
        &mut t,
        &ClientConfig::default(),
        None,
        &Mechanism::SCRAM_SHA_256,
    );
    assert!(
        matches!(
            end,
            End::ClientError(SaslError::IterationCount { count: 1000, .. })
        ),
        "{end:?}"
    );
}

#[test]
fn scram_plus_channel_binding() {
    let m = Mechanism::SCRAM_SHA_256_PLUS;
    // Same data: success.
    let end = scram_pair(
        &mut no_tamper(),
        &client_cb(b"abc"),
        Some(&tls_cb(b"abc")),
        &m,
    );
    assert!(matches!(end, End::Success(_, Ok(()))), "{end:?}");
    // Different data (a man in the middle terminating TLS): failure.
    let end = scram_pair(
        &mut no_tamper(),
        &client_cb(b"abc"),
        Some(&tls_cb(b"xyz")),
        &m,
    );
    assert!(
        matches!(
            end,
            End::ServerFailure(SaslError::ChannelBinding("channel-bindings-dont-match"))
        ),
        "{end:?}"
    );
    // Different type.
    let client = ClientConfig {
        channel_binding: Some(ChannelBinding::tls_server_end_point(b"abc".to_vec())),
        ..ClientConfig::tls()
    };
    let end = scram_pair(&mut no_tamper(), &client, Some(&tls_cb(b"abc")), &m);
    assert!(
        matches!(
            end,
            End::ServerFailure(SaslError::ChannelBinding(
                "unsupported-channel-binding-type"
            ))
        ),
        "{end:?}"
    );
    // Downgrade: the client can bind ("y") but a server that offers -PLUS sees SCRAM-SHA-256.
    let end = scram_pair(
        &mut no_tamper(),
        &client_cb(b"abc"),
        Some(&tls_cb(b"abc")),
        &Mechanism::SCRAM_SHA_256,
    );
    assert!(
        matches!(
            end,
            End::ServerFailure(SaslError::ChannelBinding(
                "server-does-support-channel-binding"
            ))
        ),
        "{end:?}"
    );
    // ...while "y" to a server without channel binding is fine.
    let end = scram_pair(
        &mut no_tamper(),
        &client_cb(b"abc"),
        Some(&TlsInfo::default()),
        &Mechanism::SCRAM_SHA_256,
    );
    assert!(matches!(end, End::Success(_, Ok(()))), "{end:?}");
    // -PLUS is not offered without channel binding data.
    assert!(
        all_server()
            .start(&m, Some(&TlsInfo::default()), &mut FixedNonces::new(["n"]))
            .is_err()
    );
    assert!(
        ClientConfig::tls()
            .start(
                &m,
                &Credentials::password("user", "pencil"),
                &mut FixedNonces::new(["n"])
            )
            .is_err()
    );
}

#[test]
fn scram_saslprep_and_escaping() {
    // "=" and "," in a user name travel as =3D and =2C (RFC 5802 §5.1); U+00AD is mapped to
    // nothing and U+2168 (ROMAN NUMERAL NINE) to "IX" by SASLprep (RFC 4013 §3).
    struct S;
    impl Authenticator for S {
        fn scram_credentials(&self, hash: ScramHash, user: &str) -> Option<ScramCredentials> {
            (user == "a=b,c").then(|| ScramCredentials::derive(hash, "IX", b"salt", 4096).unwrap())
        }
    }
    let creds = Credentials::password("a=b,\u{AD}c", "\u{2168}");
    let mut c = ClientConfig::default()
        .start(
            &Mechanism::SCRAM_SHA_1,
            &creds,
            &mut FixedNonces::new(["n1"]),
        )
        .unwrap();
    let ir = c.initial_response().unwrap().unwrap();
    assert_eq!(ir.as_bytes(), b"n,,n=a=3Db=2Cc,r=n1");
    let mut s = all_server()
        .start(&Mechanism::SCRAM_SHA_1, None, &mut FixedNonces::new(["n2"]))
        .unwrap();
    let mut step = s.start(Some(ir.as_bytes()), &S);
    while let ServerStep::Challenge(ch) = step {
        step = s.step(c.step(&ch).unwrap().response().as_bytes(), &S);
    }
    assert!(
        matches!(step, ServerStep::Success(ref w) if w.authcid == "a=b,c"),
        "{step:?}"
    );
    // A prohibited character (U+0007) fails SASLprep on the client.
    let creds = Credentials::password("user", "pen\u{7}cil");
    assert!(
        ClientConfig::default()
            .start(
                &Mechanism::SCRAM_SHA_1,
                &creds,
                &mut FixedNonces::new(["n"])
            )
            .is_err()
    );
}

#[test]
fn scram_server_error_attribute() {
    let mut t = |i: usize, c: Vec<u8>| {
        if i == 1 {
            b"e=invalid-proof".to_vec()
        } else {
            c
        }
    };
    let end = scram_pair(
        &mut t,
        &ClientConfig::default(),
        None,
        &Mechanism::SCRAM_SHA_1,
    );
    assert!(
        matches!(end, End::ClientError(SaslError::ServerError(ref e)) if e == "invalid-proof"),
        "{end:?}"
    );
}

#[test]
fn oauth_bad_token_both_mechanisms() {
    let tls = TlsInfo::default();
    for m in [Mechanism::OAUTHBEARER, Mechanism::XOAUTH2] {
        let creds = Credentials::bearer("user@example.com", "wrong-token");
        let auth = Store {
            scope: Some("mail".into()),
            ..Store::default()
        };
        let end = pair(
            &m,
            &creds,
            &ClientConfig::tls(),
            &all_server(),
            Some(&tls),
            &auth,
            true,
        );
        assert!(
            matches!(end, End::ServerFailure(SaslError::TokenRejected)),
            "{m}: {end:?}"
        );
    }
}

#[test]
fn plaintext_needs_tls() {
    let creds = Credentials::password("user", "pencil");
    for m in [Mechanism::PLAIN, Mechanism::LOGIN] {
        assert!(matches!(
            ClientConfig::default().start(&m, &creds, &mut FixedNonces::default()),
            Err(SaslError::TlsRequired(_))
        ));
        assert!(matches!(
            all_server().start(&m, None, &mut FixedNonces::default()),
            Err(SaslError::TlsRequired(_))
        ));
    }
    let allowed = ClientConfig {
        allow_plaintext_without_tls: true,
        ..ClientConfig::default()
    };
    assert!(
        allowed
            .start(&Mechanism::PLAIN, &creds, &mut FixedNonces::default())
            .is_ok()
    );
}

#[test]
fn client_preference() {
    let creds = Credentials::password("user", "pencil");
    let all: Vec<Mechanism> = KNOWN.iter().map(|i| i.mechanism.clone()).collect();
    let plain_login = [Mechanism::LOGIN, Mechanism::PLAIN];
    assert_eq!(
        client_cb(b"x").choose(&all, &creds),
        Some(Mechanism::SCRAM_SHA_256_PLUS)
    );
    assert_eq!(
        ClientConfig::tls().choose(&all, &creds),
        Some(Mechanism::SCRAM_SHA_256)
    );
    assert_eq!(
        ClientConfig::tls().choose(&plain_login, &creds),
        Some(Mechanism::PLAIN)
    );
    assert_eq!(ClientConfig::default().choose(&plain_login, &creds), None);
    assert_eq!(
        ClientConfig::default().choose(&[Mechanism::PLAIN, Mechanism::CRAM_MD5], &creds),
        Some(Mechanism::CRAM_MD5)
    );
    let token = Credentials::bearer("u", TOKEN);
    assert_eq!(
        ClientConfig::tls().choose(&all, &token),
        Some(Mechanism::OAUTHBEARER)
    );
    assert_eq!(
        ClientConfig::tls().choose(&all, &Credentials::external()),
        Some(Mechanism::EXTERNAL)
    );
}

#[test]
fn mechanism_names() {
    assert_eq!(Mechanism::new("x-oauth_2").unwrap().as_str(), "X-OAUTH_2");
    assert_eq!(Mechanism::new("plain").unwrap(), Mechanism::PLAIN);
    for bad in ["", "A B", "ABCDEFGHIJKLMNOPQRSTU", "PLAIN\r\n", "É"] {
        assert_eq!(
            Mechanism::new(bad),
            Err(SaslError::InvalidMechanismName),
            "{bad:?}"
        );
    }
    assert!(Mechanism::new("GSSAPI").unwrap().info().is_none());
    assert!(matches!(
        all_server().start(
            &Mechanism::new("GSSAPI").unwrap(),
            None,
            &mut FixedNonces::default()
        ),
        Err(SaslError::UnsupportedMechanism(_))
    ));
}

#[test]
fn initial_response_refused_by_server_first_mechanisms() {
    let tls = TlsInfo::default();
    for m in [Mechanism::CRAM_MD5, Mechanism::LOGIN] {
        let mut s = all_server()
            .start(&m, Some(&tls), &mut FixedNonces::new(["n"]))
            .unwrap();
        let step = s.start(Some(b"user"), &Store::default());
        assert!(
            matches!(
                step,
                ServerStep::Failure(SaslError::InitialResponseNotAllowed(_))
            ),
            "{m}"
        );
    }
}

#[test]
fn steps_after_the_end_are_refused() {
    let mut s = PlainServer::new(Limits::default());
    let _ = s.start(Some(b"\0tim\0tanstaaftanstaaf"), &Store::default());
    assert!(matches!(
        s.step(b"again", &Store::default()),
        ServerStep::Failure(SaslError::InvalidState(_))
    ));
    let mut c = PlainClient::new(None, "tim", "x".into()).unwrap();
    let _ = c.initial_response().unwrap();
    assert!(c.step(b"").is_err());
}
