//! IMAP greeting parser: whatever parses encodes to bytes that parse to the same value.
#![no_main]

use imap_codec::{Greeting, IntoStatic};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(g) = Greeting::parse(data) else { return };
    let mut out = Vec::new();
    let _ = g.encode(&mut out);
    let again = Greeting::parse(&out)
        .unwrap_or_else(|e| panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(&out)));
    assert_eq!(again, g, "{:?}", String::from_utf8_lossy(&out));
    assert_eq!(g.clone().into_static(), g);
});
