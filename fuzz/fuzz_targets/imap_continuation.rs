//! The client's continuation lines: AUTHENTICATE responses (base64 or `*`) and IDLE's
//! `DONE`. Whatever parses encodes to bytes that parse to the same value.
#![no_main]

use imap_codec::{AuthenticateData, IdleDone, IntoStatic};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = AuthenticateData::parse(data) {
        let mut out = Vec::new();
        let _ = a.encode(&mut out);
        let again = AuthenticateData::parse(&out).unwrap_or_else(|e| {
            panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(&out))
        });
        assert_eq!(again, a);
        assert_eq!(a.clone().into_static(), a);
    }
    if let Ok(d) = IdleDone::parse(data) {
        let mut out = Vec::new();
        let _ = d.encode(&mut out);
        assert_eq!(IdleDone::parse(&out), Ok(d));
    }
});
