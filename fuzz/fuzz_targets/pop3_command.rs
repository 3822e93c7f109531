//! POP3 command and SASL-line parsers: whatever parses encodes to bytes that parse to the
//! same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pop3_codec::{Command, Encode, Expected, IntoStatic, SaslResponse};

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = Command::parse(data) {
        let _ = (cmd.keyword(), Expected::from(&cmd));
        let out = cmd.to_bytes();
        let again = Command::parse(&out).unwrap_or_else(|e| {
            panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(&out))
        });
        assert_eq!(again, cmd, "{:?}", String::from_utf8_lossy(&out));
        // The kind comes from the keyword the command table matched.
        assert_eq!(again.kind(), cmd.kind());
        assert!(out.starts_with(cmd.kind().keyword().as_bytes()));
        assert_eq!(again.to_bytes(), out);
        assert_eq!(cmd.clone().into_static(), cmd);
    }
    if let Ok(r) = SaslResponse::parse(data) {
        let out = r.to_bytes();
        assert_eq!(SaslResponse::parse(&out).as_ref(), Ok(&r));
    }
});
