//! IMAP response parser: whatever parses encodes to bytes that parse to
//! the same value.
#![no_main]

use imap_codec::{IntoStatic, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(r) = Response::parse(data) else { return };
    let mut out = Vec::new();
    let enc = r.encode(&mut out);
    assert!(enc.sync_points.is_empty());
    let again = Response::parse(&out)
        .unwrap_or_else(|e| panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(&out)));
    assert_eq!(again, r, "{:?}", String::from_utf8_lossy(&out));
    let mut twice = Vec::new();
    let _ = again.encode(&mut twice);
    assert_eq!(twice, out);
    assert_eq!(r.clone().into_static(), r);
});
