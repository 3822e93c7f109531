//! POP3 stream decoders under chunking: `CommandDecoder` (commands and SASL lines) and
//! `ResponseDecoder` (in a fuzzer-chosen sequence of command contexts) return the same
//! values, errors and body octets for the same bytes in fuzzer-chosen chunks as in one piece.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::{chunks, pop3_commands, pop3_limits, pop3_responses};
use pop3_codec::Expected;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    limits: Option<(u8, u8, u16)>,
    /// Which client lines are read as SASL lines.
    sasl: Vec<bool>,
    /// What each response answers.
    expected: Vec<Expected>,
    sizes: Vec<u8>,
    data: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let limits = pop3_limits(input.limits);
    let pieces = chunks(input.data, &input.sizes);
    assert_eq!(
        pop3_commands(limits, &[input.data], &input.sasl),
        pop3_commands(limits, &pieces, &input.sasl)
    );
    assert_eq!(
        pop3_responses(limits, &input.expected, &[input.data]),
        pop3_responses(limits, &input.expected, &pieces)
    );
});
