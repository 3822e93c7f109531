//! IMAP codec throughput (criterion). Inputs come from `mailproto_benches` (generated in code).
//!
//! - `fetch_20k`: 20,000 FETCH responses (UID, FLAGS, RFC822.SIZE, INTERNALDATE, ENVELOPE,
//!   multipart BODYSTRUCTURE with extension data): framing only, framing + parsing in one
//!   piece, the same streamed in 16 KiB reads, and encoding (of the parsed, borrowing values
//!   and of owned copies made with `into_static`).
//! - `literal_10mib`: a FETCH response with a 10 MiB literal, fed in one piece and in 1 KiB
//!   chunks (framing + parsing).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::framer::{Frame, FramedBuffer, Framer, FramerConfig, Status};
use imap_codec::{IntoStatic, Response};
use mailproto_benches::{fetch_responses, literal_response};
use std::hint::black_box;

/// Frames and parses a whole buffer with the caller-owned-buffer framer.
fn parse_one_piece(input: &[u8]) -> usize {
    let mut framer = Framer::new(FramerConfig::client());
    let mut at = 0;
    let mut n = 0;
    while at < input.len() {
        match framer.next(&input[at..]).unwrap() {
            Status::Message(len) => {
                let r = Response::parse(&input[at..at + len]).unwrap();
                black_box(&r);
                at += len;
                n += 1;
            }
            Status::Literal(_) => {}
            other => panic!("{other:?}"),
        }
    }
    n
}

/// Feeds `input` in `chunk`-sized reads through a `FramedBuffer` and parses every message.
/// The buffer is reused across calls, as one connection reuses its buffer.
fn parse_streamed(fb: &mut FramedBuffer, input: &[u8], chunk: usize) -> usize {
    let mut n = 0;
    for c in input.chunks(chunk) {
        fb.push(c);
        while let Some(frame) = fb.next_frame().unwrap() {
            if let Frame::Message(m) = frame {
                black_box(Response::parse(m).unwrap());
                n += 1;
            }
        }
    }
    n
}

fn frame_only(input: &[u8]) -> usize {
    let mut framer = Framer::new(FramerConfig::client());
    let mut at = 0;
    let mut n = 0;
    while at < input.len() {
        if let Status::Message(len) = framer.next(&input[at..]).unwrap() {
            at += len;
            n += 1;
        }
    }
    n
}

fn fetch(c: &mut Criterion) {
    let input = fetch_responses(20_000);
    assert_eq!(parse_one_piece(&input), 20_000);
    let borrowed: Vec<Response<'_>> = {
        let mut framer = Framer::new(FramerConfig::client());
        let mut at = 0;
        let mut v = Vec::new();
        while at < input.len() {
            if let Status::Message(len) = framer.next(&input[at..]).unwrap() {
                v.push(Response::parse(&input[at..at + len]).unwrap());
                at += len;
            }
        }
        v
    };
    let owned: Vec<Response<'static>> = {
        let mut framer = Framer::new(FramerConfig::client());
        let mut at = 0;
        let mut v = Vec::new();
        while at < input.len() {
            if let Status::Message(len) = framer.next(&input[at..]).unwrap() {
                v.push(Response::parse(&input[at..at + len]).unwrap().into_static());
                at += len;
            }
        }
        v
    };
    let mut g = c.benchmark_group("fetch_20k");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(20);
    g.bench_function("frame_only", |b| b.iter(|| frame_only(black_box(&input))));
    g.bench_function("parse_one_piece", |b| {
        b.iter(|| parse_one_piece(black_box(&input)))
    });
    g.bench_function("parse_streamed_16k", |b| {
        let mut fb = FramedBuffer::new(FramerConfig::client());
        b.iter(|| parse_streamed(&mut fb, black_box(&input), 16 * 1024))
    });
    for (name, values) in [("encode_borrowed", &borrowed), ("encode_owned", &owned)] {
        g.bench_function(name, |b| {
            let mut out = Vec::with_capacity(input.len());
            b.iter(|| {
                out.clear();
                for r in values {
                    let _ = r.encode(&mut out);
                }
                black_box(out.len())
            })
        });
    }
    g.finish();
}

fn literal(c: &mut Criterion) {
    let input = literal_response(10 * 1024 * 1024);
    let mut g = c.benchmark_group("literal_10mib");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(30);
    g.bench_function("one_piece", |b| {
        let mut fb = FramedBuffer::new(FramerConfig::client());
        b.iter(|| parse_streamed(&mut fb, black_box(&input), input.len()))
    });
    g.bench_function("chunks_1k", |b| {
        let mut fb = FramedBuffer::new(FramerConfig::client());
        b.iter(|| parse_streamed(&mut fb, black_box(&input), 1024))
    });
    g.finish();
}

criterion_group!(benches, fetch, literal);
criterion_main!(benches);
