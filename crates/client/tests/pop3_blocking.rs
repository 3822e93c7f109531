//! The blocking POP3 client against pop3-session's server session, with and without TLS.

mod support;

use mailproto_client::blocking::pop3::{Client, Config};
use mailproto_client::{Credentials, Error, Tls, TlsConfig};
use support::{Mode, PASSWORD, TestServer, USER, spawn_pop3};

const ONE: &[u8] = b"Subject: one\r\n\r\n.a dotted line\r\nbody\r\n";
const TWO: &[u8] = b"Subject: two\r\nX: y\r\n\r\nline 1\r\nline 2\r\nline 3\r\n";

fn connect(server: &TestServer, tls: Tls) -> Client {
    let config = Config::default().with_tls(
        TlsConfig::new()
            .without_platform_roots()
            .trust_certificate(server.cert.clone()),
    );
    Client::connect("127.0.0.1", server.addr.port(), tls, config).unwrap()
}

fn n(i: u32) -> pop3_codec::MsgNumber {
    i.try_into().unwrap()
}

#[test]
fn pop3_user_pass_stat_list_uidl_retr_top_dele_quit() {
    let (server, deleted) = spawn_pop3(Mode::Plain, &[ONE, TWO]);
    let mut client = connect(&server, Tls::None);
    client.user_pass(USER, PASSWORD).unwrap();
    assert_eq!(client.stat().unwrap(), (2, (ONE.len() + TWO.len()) as u64));
    let list = client.list(None).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].size, TWO.len() as u64);
    let uids = client.uidl(None).unwrap();
    assert_eq!(uids[0].uid.as_str(), "uid-1");
    assert_eq!(client.uidl(Some(n(2))).unwrap()[0].uid.as_str(), "uid-2");

    let mut body = Vec::new();
    assert_eq!(client.retr(n(1), &mut body).unwrap(), ONE.len() as u64);
    assert_eq!(body, ONE, "dot-stuffing undone by the session");
    let mut top = Vec::new();
    client.top(n(2), 1, &mut top).unwrap();
    assert_eq!(top, b"Subject: two\r\nX: y\r\n\r\nline 1\r\n");

    client.dele(n(1)).unwrap();
    client.noop().unwrap();
    assert_eq!(client.stat().unwrap().0, 1);
    client.rset().unwrap();
    client.dele(n(2)).unwrap();
    assert!(matches!(
        client.retr(n(2), &mut Vec::new()),
        Err(Error::Pop3Err { .. })
    ));
    assert!(client.quit().unwrap());
    assert_eq!(*deleted.lock().unwrap(), vec![2]);
}

#[test]
fn pop3_wrong_password_is_err() {
    let (server, _) = spawn_pop3(Mode::Plain, &[]);
    let mut client = connect(&server, Tls::None);
    assert!(matches!(
        client.user_pass(USER, "nope"),
        Err(Error::Pop3Err { .. })
    ));
}

#[test]
fn pop3_apop() {
    let (server, _) = spawn_pop3(Mode::Plain, &[ONE]);
    let mut client = connect(&server, Tls::None);
    client.apop(USER, PASSWORD).unwrap();
    assert_eq!(client.stat().unwrap().0, 1);
    client.quit().unwrap();
}

#[test]
fn pop3_scram_over_implicit_tls() {
    let (server, _) = spawn_pop3(Mode::Implicit, &[ONE]);
    let mut client = connect(&server, Tls::Implicit);
    assert!(client.is_tls());
    let m = client
        .authenticate(&Credentials::password(USER, PASSWORD))
        .unwrap();
    assert_eq!(m.as_str(), "SCRAM-SHA-256");
    let mut body = Vec::new();
    client.retr(n(1), &mut body).unwrap();
    assert_eq!(body, ONE);
    client.quit().unwrap();
}

#[test]
fn pop3_stls_then_sasl() {
    let (server, _) = spawn_pop3(Mode::StartTls, &[ONE, TWO]);
    let mut client = connect(&server, Tls::StartTls);
    assert!(client.is_tls());
    client
        .authenticate(&Credentials::password(USER, PASSWORD))
        .unwrap();
    assert_eq!(client.stat().unwrap().0, 2);
    client.quit().unwrap();
}

#[test]
fn pop3_scram_with_a_wrong_password_is_refused() {
    let (server, _) = spawn_pop3(Mode::Implicit, &[]);
    let mut client = connect(&server, Tls::Implicit);
    let err = client
        .authenticate(&Credentials::password(USER, "nope"))
        .unwrap_err();
    assert!(matches!(err, Error::Pop3Err { .. }), "{err:?}");
}

/// RETR hands the body to the writer chunk by chunk as it arrives: a 4 MiB message reaches
/// the writer in pieces no larger than a socket read, never as one buffer.
#[test]
fn pop3_retr_streams_a_large_message() {
    struct Chunks {
        total: usize,
        largest: usize,
        writes: usize,
        hash: u64,
    }
    impl std::io::Write for Chunks {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.total += b.len();
            self.largest = self.largest.max(b.len());
            self.writes += 1;
            for &x in b {
                self.hash = self.hash.wrapping_mul(31).wrapping_add(u64::from(x));
            }
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    while big.len() < 4 << 20 {
        big.extend_from_slice(b".a line that starts with a dot, stuffed on the wire\r\n");
    }
    let expected = big
        .iter()
        .fold(0u64, |h, &x| h.wrapping_mul(31).wrapping_add(u64::from(x)));
    let (server, _) = spawn_pop3(Mode::Plain, &[&big]);
    let mut client = connect(&server, Tls::None);
    client.user_pass(USER, PASSWORD).unwrap();
    let mut sink = Chunks {
        total: 0,
        largest: 0,
        writes: 0,
        hash: 0,
    };
    assert_eq!(client.retr(n(1), &mut sink).unwrap(), big.len() as u64);
    assert_eq!((sink.total, sink.hash), (big.len(), expected));
    assert!(sink.largest <= 64 * 1024, "largest chunk {}", sink.largest);
    assert!(sink.writes > 64, "{} writes", sink.writes);
    client.quit().unwrap();
}
