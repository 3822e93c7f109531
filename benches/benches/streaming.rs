//! Streaming literals through the IMAP sessions (issue 16): time must be linear in the
//! literal's size (constant throughput across sizes) and memory constant (the sessions hold
//! the message without its literal plus one read; asserted by
//! `crates/imap-session/tests/streaming.rs`).
//!
//! - `client_fetch/N`: a selected `ClientSession` reads `* 1 FETCH (UID 5 BODY[] {N} ...)` in
//!   16 KiB reads and lends each chunk to the application ([`ClientOutput::LiteralChunk`]).
//! - `server_append/N`: a `ServerSession` reads `a1 APPEND INBOX {N}` in 16 KiB reads, lending
//!   each chunk ([`ServerOutput::LiteralChunk`]).
//!
//! N = 16, 64, 256 MiB. The input is one 16 KiB block read again and again: no input is held.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::Command;
use imap_codec::framer::FramerConfig;
use imap_session::{
    ClientConfig, ClientOutput, ClientSession, ServerConfig, ServerOutput, ServerSession, State,
};
use std::hint::black_box;
use std::time::Duration;

const READ: usize = 16 * 1024;
const MIB: u64 = 1 << 20;

/// Feeds `head`, `length` octets in `READ`-sized reads, then `tail`, to `feed`.
fn feed_stream(head: &[u8], length: u64, tail: &[u8], block: &[u8], mut feed: impl FnMut(&[u8])) {
    feed(head);
    let mut left = length;
    while left > 0 {
        let n = (READ as u64).min(left) as usize;
        feed(&block[..n]);
        left -= n as u64;
    }
    feed(tail);
}

fn client_fetch(length: u64, block: &[u8]) -> u64 {
    let mut client = ClientSession::resume(ClientConfig::default(), State::Selected);
    let _ = client.send_command(Command::parse(b"A1 FETCH 1 BODY[]\r\n").unwrap());
    while client.poll_output().is_some() {}
    let head = format!("* 1 FETCH (UID 5 BODY[] {{{length}}}\r\n");
    let mut got = 0u64;
    feed_stream(
        head.as_bytes(),
        length,
        b")\r\nA1 OK done\r\n",
        block,
        |read| {
            client.handle_input(read).unwrap();
            while let Some(o) = client.poll_output() {
                if let ClientOutput::LiteralChunk { data, .. } = o {
                    got += black_box(data).len() as u64;
                }
            }
        },
    );
    assert_eq!(got, length);
    got
}

fn server_append(length: u64, block: &[u8]) -> u64 {
    let config = ServerConfig::default().with_framer(
        FramerConfig::server()
            .with_max_literal(1 << 40)
            .with_max_message(1 << 40),
    );
    let mut server = ServerSession::resume(config, State::Authenticated);
    let head = format!("a1 APPEND INBOX {{{length}}}\r\n");
    let mut got = 0u64;
    feed_stream(head.as_bytes(), length, b"\r\n", block, |read| {
        server.handle_input(read).unwrap();
        while let Some(o) = server.poll_output() {
            if let ServerOutput::LiteralChunk { data, .. } = o {
                got += black_box(data).len() as u64;
            }
        }
    });
    assert_eq!(got, length);
    got
}

fn streaming(c: &mut Criterion) {
    let block: Vec<u8> = (0..READ).map(|i| b'a' + (i % 26) as u8).collect();
    let mut g = c.benchmark_group("stream");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for mib in [16u64, 64, 256] {
        let length = mib * MIB;
        g.throughput(Throughput::Bytes(length));
        g.bench_function(format!("client_fetch/{mib}MiB"), |b| {
            b.iter(|| client_fetch(length, &block))
        });
        g.bench_function(format!("server_append/{mib}MiB"), |b| {
            b.iter(|| server_append(length, &block))
        });
    }
    g.finish();
}

criterion_group!(benches, streaming);
criterion_main!(benches);
