//! IMAP framer under chunking: the same bytes fed in fuzzer-chosen chunk sizes give the
//! same messages, literal announcements, errors and discarded octets as in one piece, given
//! with `FramedBuffer::push` or with `push_messages` (complete messages framed in place).
#![no_main]

use arbitrary::Arbitrary;
use imap_codec::framer::FramerConfig;
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::{chunks, imap_frames, imap_frames_with};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    /// Frame commands (server side) or responses (client side).
    server: bool,
    /// Small limits (line, literal, message), so that the limit paths run too.
    limits: Option<(u8, u8, u16)>,
    sizes: Vec<u8>,
    data: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let mut config = if input.server {
        FramerConfig::server()
    } else {
        FramerConfig::client()
    };
    if let Some((line, literal, message)) = input.limits {
        config = config
            .with_max_line(usize::from(line).max(3))
            .with_max_literal(u64::from(literal))
            .with_max_message(u64::from(message).max(3));
    }
    let whole = imap_frames(config, &[input.data]);
    let pieces = chunks(input.data, &input.sizes);
    let chunked = imap_frames(config, &pieces);
    assert_eq!(
        whole,
        chunked,
        "chunks {:?}",
        pieces.iter().map(|p| p.len()).collect::<Vec<_>>()
    );
    let in_place = imap_frames_with(config, &pieces, true);
    assert_eq!(
        whole,
        in_place,
        "push_messages, chunks {:?}",
        pieces.iter().map(|p| p.len()).collect::<Vec<_>>()
    );
});
