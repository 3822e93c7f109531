//! The blocking client against a real Dovecot, when one runs: `MAILPROTO_DOVECOT=host:port`
//! (plain IMAP, e.g. 127.0.0.1:143, which Dovecot treats as secured),
//! `MAILPROTO_DOVECOT_USER`, `MAILPROTO_DOVECOT_PASSWORD`. Run with
//! `cargo test -p mailproto-client --test dovecot -- --ignored`.

use std::time::Duration;

use imap_codec::command::{FetchAtt, FetchItems, SearchKey, StoreAction};
use imap_codec::{Flag, SequenceSet};
use mailproto_client::blocking::imap::{Client, Config};
use mailproto_client::{Credentials, Tls};

#[test]
#[ignore = "needs a Dovecot: MAILPROTO_DOVECOT=host:port"]
fn dovecot_login_select_fetch_idle_logout() {
    let target = std::env::var("MAILPROTO_DOVECOT").expect("MAILPROTO_DOVECOT=host:port");
    let (host, port) = target.rsplit_once(':').expect("host:port");
    let user = std::env::var("MAILPROTO_DOVECOT_USER").unwrap_or_else(|_| "user".into());
    let password = std::env::var("MAILPROTO_DOVECOT_PASSWORD").unwrap_or_else(|_| "pencil".into());
    // Plain text to a local test server: let PLAIN go without TLS too.
    let sasl = mailproto_sasl::ClientConfig {
        allow_plaintext_without_tls: true,
        ..Default::default()
    };
    let config = Config::default().with_sasl(sasl);
    let mut client = Client::connect(host, port.parse().unwrap(), Tls::None, config).unwrap();
    let mechanism = client
        .authenticate(&Credentials::password(user, password.as_str()))
        .unwrap();
    println!("authenticated with {mechanism}");
    let message = b"From: Alice <alice@example.org>\r\nSubject: mailproto\r\n\r\nHi\r\n";
    client.append("INBOX", &[], None, message).unwrap();
    let inbox = client.select("INBOX").unwrap();
    assert!(inbox.exists > 0 && inbox.uid_validity.is_some());
    let all = SequenceSet::parse_str("1:*").unwrap();
    let fetched = client
        .fetch(&all, FetchItems::Single(FetchAtt::Envelope))
        .unwrap();
    assert_eq!(fetched.len() as u32, inbox.exists);
    let stored = client
        .store(&all, StoreAction::Add, &[Flag::Seen], false)
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|f| f.flags().unwrap().contains(&Flag::Seen))
    );
    let seen = client.search(vec![SearchKey::Seen]).unwrap();
    assert_eq!(seen.len() as u32, inbox.exists);
    client.idle(Duration::from_millis(500)).unwrap();
    client.logout().unwrap();
}

/// The tokio client: SCRAM-SHA-256 through the session, COMPRESS=DEFLATE, then SELECT and a
/// FETCH of every message over the compressed stream.
#[cfg(all(feature = "tokio", feature = "compress"))]
#[test]
#[ignore = "needs a Dovecot: MAILPROTO_DOVECOT=host:port"]
fn dovecot_tokio_scram_compress() {
    let target = std::env::var("MAILPROTO_DOVECOT").expect("MAILPROTO_DOVECOT=host:port");
    let (host, port) = target.rsplit_once(':').expect("host:port");
    let user = std::env::var("MAILPROTO_DOVECOT_USER").unwrap_or_else(|_| "user".into());
    let password = std::env::var("MAILPROTO_DOVECOT_PASSWORD").unwrap_or_else(|_| "pencil".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use mailproto_client::tokio::imap::Client;
        let mut client = Client::connect(host, port.parse().unwrap(), Tls::None, Config::default())
            .await
            .unwrap();
        let mechanism = client
            .authenticate(&Credentials::password(user, password.as_str()))
            .await
            .unwrap();
        assert_eq!(mechanism, mailproto_sasl::Mechanism::SCRAM_SHA_256);
        client.compress().await.unwrap();
        assert!(client.is_compressed());
        let message = b"From: Bob <bob@example.org>\r\nSubject: compressed\r\n\r\nHi\r\n";
        client.append("INBOX", &[], None, message).await.unwrap();
        let inbox = client.select("INBOX").await.unwrap();
        assert!(inbox.exists > 0);
        let all = SequenceSet::parse_str("1:*").unwrap();
        let fetched = client
            .fetch(&all, FetchItems::Single(FetchAtt::Envelope))
            .await
            .unwrap();
        assert_eq!(fetched.len() as u32, inbox.exists);
        client.logout().await.unwrap();
    });
}

/// POP3 (RFC 5034 AUTH) with SCRAM-SHA-256 run by the POP3 client session, against
/// `MAILPROTO_DOVECOT_POP3=host:port`.
#[test]
#[ignore = "needs a Dovecot: MAILPROTO_DOVECOT_POP3=host:port"]
fn dovecot_pop3_scram() {
    use mailproto_client::blocking::pop3::{Client as Pop3Client, Config as Pop3Config};
    let target = std::env::var("MAILPROTO_DOVECOT_POP3").expect("MAILPROTO_DOVECOT_POP3=host:port");
    let (host, port) = target.rsplit_once(':').expect("host:port");
    let user = std::env::var("MAILPROTO_DOVECOT_USER").unwrap_or_else(|_| "user".into());
    let password = std::env::var("MAILPROTO_DOVECOT_PASSWORD").unwrap_or_else(|_| "pencil".into());
    let mut client = Pop3Client::connect(
        host,
        port.parse().unwrap(),
        Tls::None,
        Pop3Config::default(),
    )
    .unwrap();
    let mechanism = client
        .authenticate(&Credentials::password(user, password.as_str()))
        .unwrap();
    assert_eq!(mechanism, mailproto_sasl::Mechanism::SCRAM_SHA_256);
    client.stat().unwrap();
    client.quit().unwrap();
}
