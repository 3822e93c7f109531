//! The tokio IMAP client against the async server driver (`tokio::server`) running the
//! in-process imap-mailbox backend, with and without TLS.

mod support;

use std::num::NonZeroU32;
use std::time::Duration;

use imap_codec::command::{FetchAtt, FetchItems, SearchKey, StoreAction};
use imap_codec::{Data, Flag, SequenceSet};
use mailproto_client::tokio::imap::{Client, Config};
use mailproto_client::{Credentials, Error, Tls, TlsConfig};
use support::{Mode, PASSWORD, TestServer, USER, spawn_imap_async};

const HELLO: &[u8] = b"From: Alice <alice@example.org>\r\nSubject: Hello\r\n\r\nHi Bob!\r\n";

fn config(server: &TestServer) -> Config {
    Config::default().with_tls(
        TlsConfig::new()
            .without_platform_roots()
            .trust_certificate(server.cert.clone()),
    )
}

async fn connect(server: &TestServer, tls: Tls) -> Client {
    Client::connect("127.0.0.1", server.addr.port(), tls, config(server))
        .await
        .unwrap()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

#[tokio::test]
async fn tokio_client_full_session_over_implicit_tls_with_scram() {
    let server = spawn_imap_async(Mode::Implicit, &[HELLO]);
    let mut client = connect(&server, Tls::Implicit).await;
    assert!(client.is_tls());
    let m = client
        .authenticate(&Credentials::password(USER, PASSWORD))
        .await
        .unwrap();
    assert_eq!(m.as_str(), "SCRAM-SHA-256");
    assert_eq!(client.select("INBOX").await.unwrap().exists, 1);
    let all = SequenceSet::parse_str("1:*").unwrap();
    let f = client
        .uid_fetch(&all, FetchItems::Single(FetchAtt::Flags))
        .await
        .unwrap();
    assert_eq!(f[0].uid(), Some(nz(1)));
    let s = client
        .store(&all, StoreAction::Add, &[Flag::Answered], false)
        .await
        .unwrap();
    assert!(s[0].flags().unwrap().contains(&Flag::Answered));
    assert_eq!(
        client.search(vec![SearchKey::Answered]).await.unwrap(),
        vec![nz(1)]
    );
    client
        .append("INBOX", &[], None, b"Subject: 2\r\n\r\n2\r\n")
        .await
        .unwrap();
    assert!(client.noop().await.unwrap().contains(&Data::Exists(2)));
    client.logout().await.unwrap();
}

#[tokio::test]
async fn tokio_client_starttls_and_idle_with_a_change_from_a_second_connection() {
    let server = spawn_imap_async(Mode::StartTls, &[HELLO]);
    let mut idler = connect(&server, Tls::StartTls).await;
    assert!(idler.is_tls());
    idler.login(USER, PASSWORD).await.unwrap();
    idler.select("INBOX").await.unwrap();
    let mut other = connect(&server, Tls::StartTls).await;
    other.login(USER, PASSWORD).await.unwrap();
    let append = async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        other.append("INBOX", &[], None, HELLO).await.unwrap();
        other.logout().await.unwrap();
    };
    let (changes, ()) = tokio::join!(idler.idle(Duration::from_secs(20)), append);
    let changes = changes.unwrap();
    assert!(changes.contains(&Data::Exists(2)), "{changes:?}");
    assert_eq!(idler.mailbox().unwrap().exists, 2);
    // IDLE without changes ends at the timeout with DONE.
    assert!(
        idler
            .idle(Duration::from_millis(200))
            .await
            .unwrap()
            .is_empty()
    );
    idler.logout().await.unwrap();
}

#[tokio::test]
async fn tokio_client_refusals() {
    let server = spawn_imap_async(Mode::Plain, &[]);
    let mut client = connect(&server, Tls::None).await;
    assert!(matches!(
        client.login(USER, "x").await,
        Err(Error::No { .. })
    ));
    client.login(USER, PASSWORD).await.unwrap();
    assert!(matches!(client.select("Nope").await, Err(Error::No { .. })));
    client.logout().await.unwrap();
}

#[tokio::test]
async fn tokio_pop3_client_stls_scram_retr_into_an_async_writer() {
    use mailproto_client::tokio::pop3;
    const ONE: &[u8] = b"Subject: one\r\n\r\n.dotted\r\nbody\r\n";
    let (server, deleted) = support::spawn_pop3(Mode::StartTls, &[ONE, HELLO]);
    let config = pop3::Config::default().with_tls(
        TlsConfig::new()
            .without_platform_roots()
            .trust_certificate(server.cert.clone()),
    );
    let mut client = pop3::Client::connect("127.0.0.1", server.addr.port(), Tls::StartTls, config)
        .await
        .unwrap();
    assert!(client.is_tls());
    client
        .authenticate(&Credentials::password(USER, PASSWORD))
        .await
        .unwrap();
    assert_eq!(client.stat().await.unwrap().0, 2);
    assert_eq!(client.uidl(None).await.unwrap().len(), 2);
    let mut body = Vec::new();
    let one = 1.try_into().unwrap();
    client.retr(one, &mut body).await.unwrap();
    assert_eq!(body, ONE);
    client.dele(one).await.unwrap();
    assert!(client.quit().await.unwrap());
    assert_eq!(*deleted.lock().unwrap(), vec![1]);
}

/// COMPRESS=DEFLATE (RFC 4978) end to end: the tokio client and the async server driver both
/// wrap their streams where their sessions say; a large message (compressible and not) goes
/// up with APPEND and comes back byte-identical; a second COMPRESS is refused.
#[cfg(feature = "compress")]
#[tokio::test]
async fn tokio_client_and_async_server_over_compress_deflate() {
    use imap_codec::Section;
    let server = support::spawn_imap_async_compress(&[HELLO]);
    let mut client = connect(&server, Tls::None).await;
    // Plain TCP to the test server: SCRAM sends no reusable secret.
    client
        .authenticate(&Credentials::password(USER, PASSWORD))
        .await
        .unwrap();
    client.compress().await.unwrap();
    assert!(client.is_compressed());
    let mut big = b"From: a@example.org\r\nSubject: big\r\n\r\n".to_vec();
    for i in 0u32..20_000 {
        big.extend_from_slice(
            format!("line {i} {:08x}\r\n", i.wrapping_mul(2_654_435_761)).as_bytes(),
        );
    }
    client.append("INBOX", &[], None, &big).await.unwrap();
    client.select("INBOX").await.unwrap();
    let body = |m: &[mailproto_client::imap::Fetch]| m[0].body().map(<[u8]>::to_vec);
    let items = || {
        FetchItems::Single(FetchAtt::BodySection {
            peek: true,
            section: Section::Part(None),
            partial: None,
        })
    };
    let one = client
        .fetch(&SequenceSet::parse_str("1").unwrap(), items())
        .await
        .unwrap();
    assert_eq!(body(&one).as_deref(), Some(HELLO));
    let two = client
        .fetch(&SequenceSet::parse_str("2").unwrap(), items())
        .await
        .unwrap();
    assert_eq!(body(&two).as_deref(), Some(&big[..]));
    // The same message streamed from an AsyncRead (16 KiB chunks over COMPRESS).
    let len = big.len() as u64;
    let ok = client
        .append_reader("INBOX", &[], None, len, &big[..])
        .await
        .unwrap();
    assert!(
        matches!(ok.code(), Some(imap_codec::Code::AppendUid(_))),
        "{ok:?}"
    );
    client.noop().await.unwrap();
    let three = client
        .fetch(&SequenceSet::parse_str("3").unwrap(), items())
        .await
        .unwrap();
    assert_eq!(body(&three), Some(big));
    assert!(matches!(client.compress().await, Err(Error::Bad { .. })));
    client.logout().await.unwrap();
}
