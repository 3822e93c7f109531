//! POP3 multi-line bodies: the streaming `BodyDecoder` fed in fuzzer-chosen chunks returns
//! the same body, end and error as in one piece, and agrees with `unstuff` up to the
//! terminating line; without a limit it fails only on a line with a single leading `.`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::{chunks, pop3_body};
use pop3_codec::dot::unstuff;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    limit: Option<u16>,
    sizes: Vec<u8>,
    data: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let limit = input.limit.map_or(u64::MAX, u64::from);
    let whole = pop3_body(limit, &[input.data]);
    let pieces = chunks(input.data, &input.sizes);
    let chunked = pop3_body(limit, &pieces);
    assert_eq!(whole, chunked);
    if input.limit.is_none() {
        // The only error without a limit: a line that starts with a single `.` and is not the
        // terminating `.` CRLF (RFC 1939 §3: such a line is byte-stuffed, `..`).
        if whole.error.is_some() {
            let data = input.data;
            let unstuffed_dot = (0..data.len()).any(|i| {
                (i == 0 || data[..i].ends_with(b"\r\n"))
                    && data[i] == b'.'
                    && !data[i + 1..].starts_with(b".")
                    && !data[i + 1..].starts_with(b"\r\n")
            });
            assert!(unstuffed_dot, "{:?}", whole.error);
            return;
        }
        // Where the terminating line is, `unstuff` of what precedes it is the body.
        let data = input.data;
        let term = if data.starts_with(b".\r\n") {
            Some(0)
        } else {
            data.windows(5)
                .position(|w| w == b"\r\n.\r\n")
                .map(|i| i + 2)
        };
        match term {
            Some(t) => {
                assert_eq!(whole.end, Some(t as u64 + 3));
                assert_eq!(whole.body, unstuff(&data[..t]).as_ref());
            }
            None => assert_eq!(whole.end, None),
        }
    }
});
