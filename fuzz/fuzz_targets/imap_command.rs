//! IMAP command parser: whatever parses encodes to bytes that parse to the same value.
#![no_main]

use imap_codec::{Command, EncodeOptions, IntoStatic, LiteralCapability};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(cmd) = Command::parse(data) else {
        return;
    };
    let _ = cmd.name();
    let mut out = Vec::new();
    let enc = cmd.encode(&mut out, &EncodeOptions::default());
    let again = Command::parse(enc.bytes(&out))
        .unwrap_or_else(|e| panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(&out)));
    assert_eq!(again, cmd, "{:?}", String::from_utf8_lossy(&out));
    // Encoding is a fixed point.
    let mut twice = Vec::new();
    let _ = again.encode(&mut twice, &EncodeOptions::default());
    assert_eq!(twice, out);
    // With LITERAL+ / LITERAL- the literal modes may change, the rest may not.
    for lit in [LiteralCapability::Plus, LiteralCapability::Minus] {
        let opts = EncodeOptions::with_literal(lit);
        let mut out = Vec::new();
        let enc = cmd.encode(&mut out, &opts);
        let joined: Vec<u8> = enc.chunks(&out).flatten().copied().collect();
        assert_eq!(joined, out);
        let parsed = Command::parse(&out).expect("re-parse with literal extension");
        let mut again = Vec::new();
        let _ = parsed.encode(&mut again, &opts);
        assert_eq!(again, out);
    }
    assert_eq!(cmd.clone().into_static(), cmd);
});
