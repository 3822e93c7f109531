//! POP3 response parser in a fuzzer-chosen command context (the first octet picks what the
//! response answers): whatever parses encodes to bytes that parse to the same value, and
//! `decode` agrees with `parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pop3_codec::{Decoded, Encode, Expected, IntoStatic, Response};

const EXPECTED: &[Expected] = &Expected::ALL;

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    let expected = EXPECTED[usize::from(first) % EXPECTED.len()];
    let parsed = Response::parse(input, expected);
    match Response::decode(input, expected) {
        Ok(Decoded::Complete(r, used)) => {
            if used == input.len() {
                assert_eq!(parsed.as_ref(), Ok(&r));
            } else {
                assert!(parsed.is_err(), "parse accepts trailing bytes");
            }
        }
        Ok(Decoded::Incomplete) => assert!(parsed.is_err()),
        Err(_) => assert!(parsed.is_err()),
    }
    let Ok(r) = parsed else { return };
    let out = r.to_bytes();
    let again = Response::parse(&out, expected)
        .unwrap_or_else(|e| panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(&out)));
    assert_eq!(again, r, "{:?}", String::from_utf8_lossy(&out));
    assert_eq!(again.to_bytes(), out);
    assert_eq!(r.clone().into_static(), r);
});
