//! Chunking equivalence over the corpus: each side's byte stream framed in one piece, split in
//! two at every offset, and in random small chunks gives the same messages and literal
//! announcements (RFC 9051 §2.2; the framer must not depend on how bytes arrive).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use imap_codec::framer::{Frame, FramedBuffer, FramerConfig};
use mailtrace::format::{self, Protocol, Side};
use proptest::prelude::*;

fn streams() -> &'static Vec<(String, Side, Vec<u8>)> {
    static STREAMS: OnceLock<Vec<(String, Side, Vec<u8>)>> = OnceLock::new();
    STREAMS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/imap");
        let mut files: Vec<PathBuf> = Vec::new();
        for dir in std::fs::read_dir(&root).unwrap() {
            let dir = dir.unwrap().path();
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|x| x == "trace") {
                    files.push(f);
                }
            }
        }
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let trace = format::parse(&std::fs::read_to_string(&f).unwrap()).unwrap();
            assert_eq!(trace.headers.protocol, Protocol::Imap);
            for side in [Side::Client, Side::Server] {
                out.push((f.display().to_string(), side, trace.stream(side)));
            }
        }
        out
    })
}

fn config(side: Side) -> FramerConfig {
    match side {
        Side::Client => FramerConfig::server(),
        Side::Server => FramerConfig::client(),
    }
}

/// Frames `bytes` fed as the given chunks; returns the events in order.
fn frame(side: Side, chunks: &[&[u8]]) -> Vec<String> {
    let mut fb = FramedBuffer::new(config(side));
    let mut events = Vec::new();
    for c in chunks {
        fb.push(c);
        loop {
            match fb.next_frame() {
                Ok(Some(Frame::Message(m))) => events.push(format!("{m:?}")),
                Ok(Some(Frame::Literal(l))) => events.push(format!("{l:?}")),
                Ok(Some(Frame::Discard(n))) => events.push(format!("discard {n}")),
                Ok(Some(Frame::LiteralData { .. })) => unreachable!("nothing is streamed"),
                Ok(None) => break,
                Err(e) => events.push(format!("error {e}")),
            }
        }
    }
    events.push(format!("left {:?}", fb.buffered()));
    events
}

#[test]
fn two_chunks_at_every_offset() {
    for (name, side, bytes) in streams() {
        let whole = frame(*side, &[bytes]);
        for at in 0..=bytes.len() {
            let (a, b) = bytes.split_at(at);
            assert_eq!(
                frame(*side, &[a, b]),
                whole,
                "{name} {side:?} split at {at}"
            );
        }
    }
}

#[test]
fn one_byte_at_a_time() {
    for (name, side, bytes) in streams() {
        let whole = frame(*side, &[bytes]);
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(frame(*side, &bytewise), whole, "{name} {side:?}");
    }
}

proptest! {
    #[test]
    fn random_chunks(index in any::<prop::sample::Index>(), sizes in prop::collection::vec(1usize..64, 1..32)) {
        let (name, side, bytes) = &streams()[index.index(streams().len())];
        let whole = frame(*side, &[bytes]);
        let mut chunks = Vec::new();
        let mut at = 0;
        let mut k = 0;
        while at < bytes.len() {
            let n = sizes[k % sizes.len()].min(bytes.len() - at);
            chunks.push(&bytes[at..at + n]);
            at += n;
            k += 1;
        }
        prop_assert_eq!(frame(*side, &chunks), whole, "{} {:?}", name, side);
    }
}
