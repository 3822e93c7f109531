//! Dot-stuffing round-trip: `unstuff(stuff(b)) == b` for any octets, and a body encoded
//! with `encode_body` decodes (in one piece and in chunks) to the body, CRLF-completed.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::{chunks, pop3_body};
use pop3_codec::dot::{encode_body, stuff, unstuff};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    sizes: Vec<u8>,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let body = input.body;
    let mut stuffed = Vec::new();
    stuff(body, &mut stuffed);
    assert_eq!(unstuff(&stuffed).as_ref(), body);

    let mut wire = Vec::new();
    encode_body(body, &mut wire);
    let mut expect = body.to_vec();
    if !expect.is_empty() && !expect.ends_with(b"\r\n") {
        expect.extend_from_slice(b"\r\n");
    }
    let pieces = chunks(&wire, &input.sizes);
    for r in [pop3_body(u64::MAX, &[&wire]), pop3_body(u64::MAX, &pieces)] {
        assert_eq!(r.body, expect);
        assert_eq!(r.end, Some(wire.len() as u64));
        assert_eq!(r.error, None);
    }
});
