//! Structured round-trip: an arbitrary valid command, encoded (with any literal
//! capability), parses back to the same value (literal modes aside under LITERAL+/-). The
//! generated commands include the RFC 4466 slot parameters of CONDSTORE/QRESYNC (RFC 7162),
//! PARTIAL (RFC 9394) and CREATE-SPECIAL-USE (RFC 6154), so they are parsed with every
//! extension in force.
#![no_main]

use imap_codec::{Command, EncodeOptions, ParseError};
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::imap_all_extensions;

fn parse(bytes: &[u8]) -> Result<Command<'_>, ParseError> {
    Command::parse_with(bytes, &imap_all_extensions()).map(|p| p.value)
}

fuzz_target!(|input: (Command<'static>, EncodeOptions)| {
    let (cmd, opts) = input;
    let mut out = Vec::new();
    let enc = cmd.encode(&mut out, &EncodeOptions::default());
    assert_eq!((enc.start, enc.end), (0, out.len()));
    let parsed =
        parse(&out).unwrap_or_else(|e| panic!("{e}: {:?}\n{cmd:?}", String::from_utf8_lossy(&out)));
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
    let parsed = parse(&out)
        .unwrap_or_else(|e| panic!("{e}: {:?} with {opts:?}", String::from_utf8_lossy(&out)));
    let mut again = Vec::new();
    let _ = parsed.encode(&mut again, &opts);
    assert_eq!(again, out);
});
