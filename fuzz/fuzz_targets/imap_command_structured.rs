//! Structured round-trip: an arbitrary valid command, encoded (with any literal
//! capability), parses back to the same value (literal modes aside under LITERAL+/-).
#![no_main]

use imap_codec::{Command, EncodeOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Command<'static>, EncodeOptions)| {
    let (cmd, opts) = input;
    let mut out = Vec::new();
    let enc = cmd.encode(&mut out, &EncodeOptions::default());
    assert_eq!((enc.start, enc.end), (0, out.len()));
    let parsed = Command::parse(&out)
        .unwrap_or_else(|e| panic!("{e}: {:?}\n{cmd:?}", String::from_utf8_lossy(&out)));
    assert_eq!(parsed, cmd, "{:?}", String::from_utf8_lossy(&out));
    assert_eq!(parsed.name(), cmd.name());
    // Every sync point follows a `{n}` CRLF.
    for &p in &enc.sync_points {
        assert!(out[..p].ends_with(b"}\r\n"), "sync point {p}");
    }

    let mut out = Vec::new();
    let enc = cmd.encode(&mut out, &opts);
    let joined: Vec<u8> = enc.chunks(&out).flatten().copied().collect();
    assert_eq!(joined, out);
    let parsed = Command::parse(&out)
        .unwrap_or_else(|e| panic!("{e}: {:?} with {opts:?}", String::from_utf8_lossy(&out)));
    let mut again = Vec::new();
    let _ = parsed.encode(&mut again, &opts);
    assert_eq!(again, out);
});
