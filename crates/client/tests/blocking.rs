//! The blocking clients against in-process servers (imap-session + imap-mailbox,
//! pop3-session), with and without TLS.

mod support;

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use imap_codec::command::{FetchAtt, FetchItems, SearchKey, StoreAction};
use imap_codec::{AString, Flag, Section, SequenceSet};
use imap_session::TlsPolicy;
use mailproto_client::blocking::imap::{Client, Config};
use mailproto_client::{Credentials, Error, Tls, TlsConfig};
use support::{Mode, PASSWORD, TestServer, USER, spawn_imap};

const HELLO: &[u8] = b"From: Alice <alice@example.org>\r\nSubject: Hello\r\n\r\nHi Bob!\r\n";
const AGAIN: &[u8] = b"From: Carol <carol@example.org>\r\nSubject: Again\r\n\r\nHi again.\r\n";

fn config(server: &TestServer) -> Config {
    Config::default().with_tls(
        TlsConfig::new()
            .without_platform_roots()
            .trust_certificate(server.cert.clone()),
    )
}

fn connect(server: &TestServer, tls: Tls) -> Client {
    Client::connect("127.0.0.1", server.addr.port(), tls, config(server)).unwrap()
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::parse_str(s).unwrap()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

#[test]
fn imap_plain_login_select_fetch_store_search_append_logout() {
    let server = spawn_imap(Mode::Plain, &[HELLO, AGAIN]);
    let mut client = connect(&server, Tls::None);
    assert!(!client.is_tls());
    assert_eq!(client.session().tls_policy(), TlsPolicy::Opportunistic);
    client.login(USER, PASSWORD).unwrap();
    let view = client.select("INBOX").unwrap();
    assert_eq!(view.exists, 2);
    assert!(view.uid_validity.is_some());
    assert_eq!(view.read_only, Some(false));

    let items = FetchItems::list([FetchAtt::Uid, FetchAtt::Envelope]).unwrap();
    let fetched = client.fetch(&set("1:*"), items).unwrap();
    assert_eq!(fetched.len(), 2);
    assert_eq!(fetched[0].uid(), Some(nz(1)));
    assert_eq!(fetched[1].seq, nz(2));

    let body = client
        .uid_fetch(
            &set("2"),
            FetchItems::Single(FetchAtt::BodySection {
                peek: true,
                section: Section::Part(None),
                partial: None,
            }),
        )
        .unwrap();
    assert_eq!(body[0].body(), Some(AGAIN));

    let stored = client
        .store(&set("1"), StoreAction::Add, &[Flag::Flagged], false)
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].flags().unwrap().contains(&Flag::Flagged));

    assert_eq!(
        client.search(vec![SearchKey::Flagged]).unwrap(),
        vec![nz(1)]
    );
    let found = client
        .uid_search(vec![SearchKey::Subject(AString::new("again").unwrap())])
        .unwrap();
    assert_eq!(found, vec![nz(2)]);

    let ok = client
        .append("INBOX", &[Flag::Seen], None, b"Subject: third\r\n\r\nx\r\n")
        .unwrap();
    assert!(matches!(ok.code(), Some(imap_codec::Code::AppendUid(a)) if a.uid == nz(3)));
    let changes = client.noop().unwrap();
    assert!(
        changes.contains(&imap_codec::Data::Exists(3)),
        "{changes:?}"
    );
    assert_eq!(client.mailbox().unwrap().exists, 3);

    // APPEND from a reader, streamed: the server stores the same octets.
    let ok = client
        .append_reader("INBOX", &[], None, HELLO.len() as u64, HELLO)
        .unwrap();
    assert!(matches!(ok.code(), Some(imap_codec::Code::AppendUid(a)) if a.uid == nz(4)));
    client.noop().unwrap();
    let body = client
        .uid_fetch(
            &set("4"),
            FetchItems::Single(FetchAtt::BodySection {
                peek: true,
                section: Section::Part(None),
                partial: None,
            }),
        )
        .unwrap();
    assert_eq!(body[0].body(), Some(HELLO));
    client.logout().unwrap();
}

#[test]
fn imap_refusals_carry_text_and_code() {
    let server = spawn_imap(Mode::Plain, &[]);
    let mut client = connect(&server, Tls::None);
    match client.login(USER, "wrong") {
        Err(Error::No { code, text }) => {
            assert_eq!(code, Some(imap_codec::Code::AuthenticationFailed));
            assert_eq!(text, "wrong");
        }
        other => panic!("{other:?}"),
    }
    // The session refuses SELECT before authentication: nothing is sent.
    assert!(matches!(client.select("INBOX"), Err(Error::ImapLocal(_))));
    client.login(USER, PASSWORD).unwrap();
    assert!(matches!(client.select("Nope"), Err(Error::No { .. })));
}

#[test]
fn imap_scram_over_implicit_tls() {
    let server = spawn_imap(Mode::Implicit, &[HELLO]);
    let mut client = connect(&server, Tls::Implicit);
    assert!(client.is_tls());
    // A shell that connects with TLS never lets a credential out in clear (issue 18).
    assert_eq!(client.session().tls_policy(), TlsPolicy::Required);
    assert!(client.session().is_tls());
    let caps = client.capabilities().unwrap();
    assert!(caps.iter().any(|c| c.as_str() == "AUTH=PLAIN"), "{caps:?}");
    let mechanism = client
        .authenticate(&Credentials::password(USER, PASSWORD))
        .unwrap();
    assert_eq!(mechanism.as_str(), "SCRAM-SHA-256");
    assert_eq!(client.select("INBOX").unwrap().exists, 1);
    client.logout().unwrap();
}

#[test]
fn imap_scram_with_a_wrong_password_is_refused() {
    let server = spawn_imap(Mode::Implicit, &[]);
    let mut client = connect(&server, Tls::Implicit);
    let err = client
        .authenticate(&Credentials::password(USER, "nope"))
        .unwrap_err();
    assert!(matches!(err, Error::No { .. }), "{err:?}");
}

#[test]
fn imap_starttls_then_authenticate() {
    let server = spawn_imap(Mode::StartTls, &[HELLO]);
    let mut client = connect(&server, Tls::StartTls);
    assert!(client.is_tls());
    assert_eq!(client.session().tls_policy(), TlsPolicy::Required);
    // Under TLS the server no longer says STARTTLS / LOGINDISABLED.
    let caps = client.capabilities().unwrap();
    assert!(!caps.iter().any(|c| c.as_str() == "STARTTLS"), "{caps:?}");
    client
        .authenticate(&Credentials::password(USER, PASSWORD))
        .unwrap();
    assert_eq!(client.examine("INBOX").unwrap().read_only, Some(true));
    client.logout().unwrap();
}

#[test]
fn imap_untrusted_certificate_is_refused() {
    let server = spawn_imap(Mode::Implicit, &[]);
    let config = Config::default().with_tls(TlsConfig::new().without_platform_roots());
    let err = Client::connect("127.0.0.1", server.addr.port(), Tls::Implicit, config).unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
}

#[test]
fn imap_idle_reports_a_change_made_by_a_second_connection() {
    let server = spawn_imap(Mode::Plain, &[HELLO]);
    let mut idler = connect(&server, Tls::None);
    idler.login(USER, PASSWORD).unwrap();
    idler.select("INBOX").unwrap();
    let port = server.addr.port();
    let cert = server.cert.clone();
    let other = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        let config = Config::default().with_tls(TlsConfig::new().trust_certificate(cert));
        let mut c = Client::connect("127.0.0.1", port, Tls::None, config).unwrap();
        c.login(USER, PASSWORD).unwrap();
        c.append("INBOX", &[], None, AGAIN).unwrap();
        c.logout().unwrap();
    });
    let start = Instant::now();
    let changes = idler.idle(Duration::from_secs(20)).unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        changes.contains(&imap_codec::Data::Exists(2)),
        "{changes:?}"
    );
    assert_eq!(idler.mailbox().unwrap().exists, 2);
    other.join().unwrap();
    // After DONE the connection is usable again.
    assert_eq!(
        idler
            .fetch(&set("2"), FetchItems::Single(FetchAtt::Uid))
            .unwrap()
            .len(),
        1
    );
    idler.logout().unwrap();
}

#[test]
fn imap_idle_without_changes_ends_with_done_at_the_timeout() {
    let server = spawn_imap(Mode::Implicit, &[HELLO]);
    let mut client = connect(&server, Tls::Implicit);
    client.login(USER, PASSWORD).unwrap();
    client.select("INBOX").unwrap();
    let start = Instant::now();
    let changes = client.idle(Duration::from_millis(300)).unwrap();
    assert!(changes.is_empty(), "{changes:?}");
    assert!(start.elapsed() >= Duration::from_millis(300));
    client.noop().unwrap();
    client.logout().unwrap();
}

/// A server that pipelines a response behind its STARTTLS OK (CVE-2011-0411 class): the
/// session drops those bytes and reports them, and the client refuses the connection
/// before any TLS handshake.
#[test]
fn imap_starttls_injection_is_refused() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n")
            .unwrap();
        let mut buf = [0u8; 256];
        let n = s.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"A1 STARTTLS\r\n");
        s.write_all(b"A1 OK begin TLS\r\n* 1 EXISTS\r\n").unwrap();
        // Whatever the client does next, it is not a TLS ClientHello.
        let n = s.read(&mut buf).unwrap_or(0);
        n == 0 || buf[0] != 0x16
    });
    let config = Config::default().with_tls(TlsConfig::new().without_platform_roots());
    let err = Client::connect("127.0.0.1", port, Tls::StartTls, config).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ImapProtocol(imap_session::PeerError::StartTlsInjection { .. })
        ),
        "{err:?}"
    );
    assert!(server.join().unwrap());
}

#[test]
fn imap_server_closing_before_the_greeting_is_an_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || drop(listener.accept().unwrap()));
    let config = Config::default().with_tls(TlsConfig::new().without_platform_roots());
    let err = Client::connect("127.0.0.1", port, Tls::None, config).unwrap_err();
    assert!(matches!(err, Error::Closed), "{err:?}");
    server.join().unwrap();
}
