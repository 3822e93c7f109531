//! No public type that holds a secret shows it in `Debug` output.

mod common;

use common::*;
use mailproto_sasl::wire::{Line, decode_line, imap_initial_response, pop3_initial_response};
use mailproto_sasl::*;

const PASSWORD: &str = "pencil-SECRET-pw";
const BEARER: &str = "tokenSECRETvalue123";

/// Forbidden substrings: the secrets, and their base64 forms in the messages that carry them.
fn assert_hidden(what: &str, debug: String) {
    for needle in [
        PASSWORD,
        BEARER,
        "cGVuY2lsLVNFQ1JFVC1wdw",     // base64("pencil-SECRET-pw")
        "dG9rZW5TRUNSRVR2YWx1ZTEyMw", // base64(BEARER)
        "SECRET",
    ] {
        assert!(!debug.contains(needle), "{what} shows {needle:?}: {debug}");
    }
}

struct S;
impl Authenticator for S {
    fn scram_credentials(&self, hash: ScramHash, _: &str) -> Option<ScramCredentials> {
        Some(ScramCredentials::derive(hash, PASSWORD, b"salt", 4096).unwrap())
    }
}

#[test]
fn debug_output_never_contains_secrets() {
    let secret = Secret::from(PASSWORD);
    assert_hidden("Secret", format!("{secret:?} {secret:#?}"));
    assert_hidden(
        "Response",
        format!("{:?}", Response::new(PASSWORD.as_bytes())),
    );
    let creds = [
        Credentials::password("user", PASSWORD),
        Credentials::bearer("user", BEARER),
        Credentials::password("user", PASSWORD).with_authzid("admin"),
    ];
    for c in &creds {
        assert_hidden("Credentials", format!("{c:?}"));
    }
    let cfg = ClientConfig {
        channel_binding: Some(ChannelBinding::tls_exporter(b"cbdata".to_vec())),
        ..ClientConfig::tls()
    };
    for info in KNOWN {
        let creds = match info.credential {
            CredentialKind::Password => &creds[0],
            CredentialKind::Token => &creds[1],
            _ => continue,
        };
        let mut client = cfg
            .start(&info.mechanism, creds, &mut FixedNonces::new(["nonce"]))
            .unwrap();
        assert_hidden(info.mechanism.as_str(), format!("{client:?}"));
        let first = if info.client_first {
            client.initial_response().unwrap().unwrap()
        } else {
            client.step(b"<1.2@host>").unwrap().into_response()
        };
        assert_hidden("first response", format!("{first:?}"));
        assert_hidden(info.mechanism.as_str(), format!("{client:?}"));
        assert_hidden(
            "InitialResponse",
            format!("{:?}", imap_initial_response(first.clone(), true)),
        );
        assert_hidden(
            "InitialResponse",
            format!(
                "{:?}",
                pop3_initial_response(&info.mechanism, first.clone())
            ),
        );
        assert_hidden(
            "InitialResponse",
            format!("{:?}", imap_initial_response(first, false)),
        );
    }
    // LOGIN's password response and CRAM-MD5's ClientStep.
    let mut login = LoginClient::new("user", PASSWORD.into()).unwrap();
    let _ = login.step(b"User Name").unwrap();
    let step = login.step(b"Password").unwrap();
    assert_hidden("ClientStep", format!("{step:?}"));
    // SCRAM after the server-first message holds derived keys.
    let mut scram = ScramClient::new(
        ScramHash::Sha256,
        ClientChannelBinding::Unsupported,
        "user",
        &PASSWORD.into(),
        None,
        "abc",
        Limits::default(),
    )
    .unwrap();
    let _ = scram.initial_response().unwrap();
    let _ = scram.step(b"r=abcdef,s=c2FsdA==,i=4096").unwrap();
    assert_hidden("ScramClient", format!("{scram:?}"));
    // Server side: stored keys, the mid-exchange state, a decoded response line.
    let stored = ScramCredentials::derive(ScramHash::Sha1, PASSWORD, b"salt", 4096).unwrap();
    let stored_b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(stored.stored_key.expose())
    };
    let d = format!("{stored:?}");
    assert_hidden("ScramCredentials", d.clone());
    assert!(!d.contains(&stored_b64));
    let mut server = all_server()
        .start(
            &Mechanism::SCRAM_SHA_1,
            None,
            &mut FixedNonces::new(["srv"]),
        )
        .unwrap();
    let _ = server.start(Some(b"n,,n=user,r=abc"), &S);
    assert_hidden("ScramServer", format!("{server:?}"));
    let cfg = ServerConfig {
        scram_mock_key: Some(PASSWORD.into()),
        ..all_server()
    };
    assert_hidden("ServerConfig", format!("{cfg:?}"));
    let line = decode_line(b"cGVuY2lsLVNFQ1JFVC1wdw==").unwrap();
    assert!(matches!(line, Line::Data(_)));
    assert_hidden("Line", format!("{line:?}"));
    let mut plain = PlainServer::new(Limits::default());
    let step = plain.start(Some(format!("\0user\0{PASSWORD}").as_bytes()), &S);
    assert_hidden("ServerStep", format!("{step:?} {plain:?}"));
    let mut login = LoginServer::new(Limits::default());
    let _ = login.start(None, &S);
    let _ = login.step(b"user", &S);
    let step = login.step(PASSWORD.as_bytes(), &S);
    assert_hidden("LoginServer", format!("{step:?} {login:?}"));
    let mut oauth = OAuthBearerServer::new(None, None, Limits::default());
    let step = oauth.start(
        Some(format!("n,,\x01auth=Bearer {BEARER}\x01\x01").as_bytes()),
        &S,
    );
    assert_hidden("OAuthBearerServer", format!("{step:?} {oauth:?}"));
    let err = SaslError::ServerError("x".into());
    assert_hidden("SaslError", format!("{err:?}"));
}
