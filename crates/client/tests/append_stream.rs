//! `append_reader` streams the message in constant memory (issue 16): a 64 MiB APPEND to a
//! server that discards the literal as it reads it, with the process's peak heap measured by
//! dhat. The literal's announcement and the `+` continuation are RFC 9051 §4.3, §7.6.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use mailproto_client::Tls;
use mailproto_client::blocking::imap::{Client, Config};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Octets appended.
const SIZE: u64 = 64 * 1024 * 1024;
/// The bound on the peak heap of the whole process (client and this server): independent of
/// `SIZE`.
const PEAK: usize = 512 * 1024;

/// A server for one APPEND: greeting, `+` to the literal's announcement, the literal read
/// into a fixed buffer and counted, then the tagged OK. Returns the octets counted.
fn serve_one_append(listener: TcpListener) -> u64 {
    let (socket, _) = listener.accept().unwrap();
    let mut out = socket.try_clone().unwrap();
    let mut input = BufReader::with_capacity(16 * 1024, socket);
    out.write_all(b"* OK IMAP4rev1 ready\r\n").unwrap();
    let mut line = String::new();
    input.read_line(&mut line).unwrap();
    let tag = line.split(' ').next().unwrap().to_owned();
    assert!(line.ends_with("}\r\n"), "{line}");
    let open = line.rfind('{').unwrap();
    let length: u64 = line[open + 1..line.len() - 3].parse().unwrap();
    out.write_all(b"+ go on\r\n").unwrap();
    let mut buf = [0u8; 16 * 1024];
    let mut left = length;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap());
        let n = input.read(&mut buf[..want]).unwrap();
        assert!(n > 0, "the client stopped {left} octets early");
        assert!(buf[..n].iter().all(|&b| b == b'x'));
        left -= n as u64;
    }
    line.clear();
    input.read_line(&mut line).unwrap();
    assert_eq!(line, "\r\n");
    out.write_all(format!("{tag} OK [APPENDUID 1 1] APPEND completed\r\n").as_bytes())
        .unwrap();
    length
}

#[test]
fn append_reader_streams_64_mib_in_bounded_memory() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || serve_one_append(listener));

    let mut client = Client::connect("127.0.0.1", port, Tls::None, Config::default()).unwrap();
    let message = std::io::repeat(b'x').take(SIZE);
    let ok = client
        .append_reader("INBOX", &[], None, SIZE, message)
        .unwrap();
    assert!(
        matches!(ok.code(), Some(imap_codec::Code::AppendUid(_))),
        "{ok:?}"
    );
    assert_eq!(server.join().unwrap(), SIZE);

    let stats = dhat::HeapStats::get();
    eprintln!("64 MiB APPEND: peak heap {} octets", stats.max_bytes);
    dhat::assert!(
        stats.max_bytes < PEAK,
        "peak heap {} octets",
        stats.max_bytes
    );
}

#[test]
fn a_reader_shorter_than_announced_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let mut out = socket.try_clone().unwrap();
        let mut input = BufReader::new(socket);
        out.write_all(b"* OK IMAP4rev1 ready\r\n").unwrap();
        let mut line = String::new();
        input.read_line(&mut line).unwrap();
        out.write_all(b"+ go on\r\n").unwrap();
        // Whatever the client sends until it hangs up.
        let mut rest = Vec::new();
        let _ = input.read_to_end(&mut rest);
        rest.len()
    });
    let mut client = Client::connect("127.0.0.1", port, Tls::None, Config::default()).unwrap();
    let err = client
        .append_reader("INBOX", &[], None, 100, &b"only 20 octets here."[..])
        .unwrap_err();
    match err {
        mailproto_client::Error::Io(e) => {
            assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}")
        }
        other => panic!("{other:?}"),
    }
    drop(client);
    assert_eq!(server.join().unwrap(), 20);
}
