//! Structured round-trip: an arbitrary valid command, encoded (with any literal
//! capability), parses back to the same value (literal modes aside under LITERAL+/-). The
//! generated commands include the RFC 4466 slot parameters of CONDSTORE/QRESYNC (RFC 7162),
//! so they are parsed with those extensions in force.
#![no_main]

use imap_codec::{Command, EncodeOptions, Extension, ParseError, ParseOptions};
use libfuzzer_sys::fuzz_target;

fn parse(bytes: &[u8]) -> Result<Command<'_>, ParseError> {
    let options = ParseOptions::default()
        .with_extension(Extension::CondStore)
        .with_extension(Extension::QResync)
        .with_extension(Extension::Partial);
    Command::parse_with(bytes, &options).map(|p| p.value)
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
