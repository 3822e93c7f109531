//! IMAP command parser: whatever parses encodes to bytes that parse to the same value.
//! Commands are parsed with every extension in force (so the RFC 4466 slot parameters of
//! CONDSTORE/QRESYNC, PARTIAL and CREATE-SPECIAL-USE are reached); what parses without them
//! must parse to the same value with them.
#![no_main]

use imap_codec::{Command, EncodeOptions, IntoStatic, LiteralCapability, ParseError};
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::imap_all_extensions;

fn parse(bytes: &[u8]) -> Result<Command<'_>, ParseError> {
    Command::parse_with(bytes, &imap_all_extensions()).map(|p| p.value)
}

fuzz_target!(|data: &[u8]| {
    let Ok(cmd) = parse(data) else {
        assert!(
            Command::parse(data).is_err(),
            "accepted without extensions only"
        );
        return;
    };
    if let Ok(plain) = Command::parse(data) {
        assert_eq!(plain, cmd, "an extension changed the value");
    }
    let _ = cmd.name();
    let mut out = Vec::new();
    let enc = cmd.encode(&mut out, &EncodeOptions::default());
    let again = parse(enc.bytes(&out))
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
        let parsed = parse(&out).expect("re-parse with literal extension");
        let mut again = Vec::new();
        let _ = parsed.encode(&mut again, &opts);
        assert_eq!(again, out);
    }
    assert_eq!(cmd.clone().into_static(), cmd);
});
