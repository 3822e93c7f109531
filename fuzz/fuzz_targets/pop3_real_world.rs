//! POP3 responses under the real-world profile, as the answer to each kind of command: no
//! panic; whatever parses encodes to bytes that parse strictly to the same value; a response
//! the strict grammar accepts gets the same value and no deviation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pop3_codec::context::{ParseOptions, Profile};
use pop3_codec::{Encode, Expected, Response};

fuzz_target!(|data: &[u8]| {
    let rw = ParseOptions::default().with_profile(Profile::RealWorld);
    for expected in Expected::ALL {
        let Ok(p) = Response::parse_with(data, expected, &rw) else {
            continue;
        };
        assert!(p.deviations.iter().all(|d| d.offset <= data.len()));
        let out = p.value.to_bytes();
        let again = Response::parse(&out, expected).unwrap_or_else(|e| {
            panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(&out))
        });
        assert_eq!(again, p.value);
        if let Ok(strict) = Response::parse(data, expected) {
            assert_eq!(strict, p.value);
            assert!(p.deviations.is_empty());
        }
    }
});
