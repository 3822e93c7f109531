//! Properties of the command codec, driven by the `Arbitrary` impls (see `common/mod.rs`):
//! every `Command` (and AUTHENTICATE line, IDLE `DONE`) that can be built encodes to bytes that
//! parse back to the same value, under every literal mode, and parsing arbitrary or mangled
//! bytes never panics.

mod common;

use common::{for_values, for_values_n, same};
use mailproto_imap_codec::{
    AString, AuthenticateData, Command, CommandBody, EncodeOptions, Extension, IString, IdleDone,
    ParseError, ParseOptions, Quoted, Tag,
};

/// The generated commands include the RFC 4466 slot parameters of CONDSTORE and QRESYNC
/// (RFC 7162), PARTIAL (RFC 9394), CREATE-SPECIAL-USE (RFC 6154), the Gmail X-GM-EXT-1 rows
/// and UTF-8 quoted strings (RFC 6855), which parse only with those extensions in force: every
/// extension is.
fn parse(bytes: &[u8]) -> Result<Command<'_>, ParseError> {
    let options = Extension::ALL
        .iter()
        .fold(ParseOptions::default(), |o, &e| o.with_extension(e));
    Command::parse_with(bytes, &options).map(|p| p.value)
}

fn encode(cmd: &Command<'_>, options: &EncodeOptions) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = cmd.encode(&mut out, options);
    out
}

fn has_slot_params(cmd: &Command<'_>) -> bool {
    match &cmd.body {
        CommandBody::Select { params, .. } | CommandBody::Examine { params, .. } => {
            !params.is_empty()
        }
        CommandBody::Fetch { modifiers, .. } => !modifiers.is_empty(),
        CommandBody::Store { modifiers, .. } => !modifiers.is_empty(),
        CommandBody::Create { params, .. } => !params.is_empty(),
        _ => false,
    }
}

#[test]
fn parse_encode_round_trip() {
    for_values("Command", |cmd: &Command<'static>| {
        let mut out = Vec::new();
        let enc = cmd.encode(&mut out, &EncodeOptions::default());
        if (enc.start, enc.end) != (0, out.len()) {
            return Err(format!("encoded range {:?}", (enc.start, enc.end)));
        }
        let parsed =
            parse(&out).map_err(|e| format!("{e} in {:?}", String::from_utf8_lossy(&out)))?;
        same(&parsed, cmd, &out)?;
        // Strictly, with nothing in force, the same command parses as long as its slots are
        // empty and it has no Gmail item nor UTF-8 quoted string, and is refused otherwise (a
        // Gmail item at its `X-GM-` name, a quoted string at its first 8-bit octet).
        match Command::parse(&out) {
            Ok(strict) if !has_slot_params(cmd) => same(&strict, &parsed, &out)?,
            Ok(_) => return Err("slot parameters parsed with nothing in force".to_owned()),
            Err(e) if !has_slot_params(cmd) => {
                if !common::needs_an_extension(&out, &e) {
                    return Err(format!("strictly: {e}"));
                }
            }
            Err(_) => {}
        }
        same(&parsed.name(), &cmd.name(), &out)?;
        // Canonical: encoding the parsed value gives the same bytes.
        same(&encode(&parsed, &EncodeOptions::default()), &out, &out)
    });
}

#[test]
fn every_literal_mode_parses() {
    for_values_n(
        "Command with EncodeOptions",
        common::cases() / 4,
        |(cmd, opts): &(Command<'static>, EncodeOptions)| {
            let mut out = Vec::new();
            let enc = cmd.encode(&mut out, opts);
            let parsed =
                parse(&out).map_err(|e| format!("{e} in {:?}", String::from_utf8_lossy(&out)))?;
            // Same command apart from literal modes: same bytes once re-encoded.
            same(&encode(&parsed, opts), &out, &out)?;
            // Sync points sit right after a `{n}` CRLF.
            if let Some(p) = enc
                .sync_points
                .iter()
                .find(|&&p| !out[..p].ends_with(b"}\r\n"))
            {
                return Err(format!("sync point {p}"));
            }
            // Split into chunks and joined again, nothing is lost.
            let joined: Vec<u8> = enc.chunks(&out).flatten().copied().collect();
            same(&joined, &out, &out)
        },
    );
}

#[test]
fn authenticate_and_done_round_trip() {
    for_values("AuthenticateData", |line: &AuthenticateData<'static>| {
        let mut out = Vec::new();
        let _ = line.encode(&mut out);
        let parsed = AuthenticateData::parse(&out).map_err(|e| e.to_string())?;
        same(&parsed, line, &out)
    });
    for_values_n("IdleDone", 100, |done: &IdleDone| {
        let mut out = Vec::new();
        let _ = done.encode(&mut out);
        same(
            &IdleDone::parse(&out).map_err(|e| e.to_string())?,
            done,
            &out,
        )
    });
}

#[test]
fn arbitrary_and_mangled_bytes_never_panic() {
    for_values_n("bytes", common::cases() / 4, |bytes: &Vec<u8>| {
        let _ = Command::parse(bytes);
        let _ = AuthenticateData::parse(bytes);
        let _ = IdleDone::parse(bytes);
        Ok(())
    });
    for_values_n(
        "mangled Command",
        common::cases() / 4,
        |(cmd, cut, at, byte): &(Command<'static>, usize, usize, u8)| {
            let out = encode(cmd, &EncodeOptions::default());
            let _ = Command::parse(&out[..cut % (out.len() + 1)]);
            let _ = parse(&out[..cut % (out.len() + 1)]);
            let mut changed = out.clone();
            let i = at % changed.len();
            changed[i] = *byte;
            if let Ok(c) = Command::parse(&changed) {
                // Whatever parses re-encodes to something that parses to the same value.
                let again = encode(&c, &EncodeOptions::default());
                same(&Command::parse(&again).ok(), &Some(c), &again)?;
            }
            if let Ok(c) = parse(&changed) {
                let again = encode(&c, &EncodeOptions::default());
                same(&parse(&again).ok(), &Some(c), &again)?;
            }
            Ok(())
        },
    );
}

#[test]
fn quoted_strings_survive() {
    let cmd = Command::new(
        Tag::try_from("t").unwrap(),
        CommandBody::Login {
            username: AString::String(IString::Quoted(Quoted::new("a \"b\" \\c").unwrap())),
            password: AString::new("").unwrap(),
        },
    );
    let out = encode(&cmd, &EncodeOptions::default());
    assert_eq!(out, b"t LOGIN \"a \\\"b\\\" \\\\c\" \"\"\r\n");
    assert_eq!(Command::parse(&out).unwrap(), cmd);
}
