//! Properties of the POP3 codec, driven by the `Arbitrary` impls (`src/arbitrary.rs`, the one
//! generator of valid values; see `common/mod.rs` for the seed and the number of cases):
//! parse(encode(v)) == v for commands, SASL lines and responses (each in the context of the
//! command it answers, RFC 1939 §3); chunking does not change what the stream decoders
//! return; no panic on arbitrary or mangled bytes; dot-stuffing round-trips (RFC 1939 §3).

mod common;

use std::collections::HashSet;

use arbitrary::{Arbitrary, Unstructured};
use common::{cases, for_values, for_values_n, same};
use mailproto_pop3_codec::dot::{BodyDecoder, BodyEvent, encode_body, stuff, unstuff};
use mailproto_pop3_codec::*;

/// A response together with the context it is parsed in: the one its kind answers, or any
/// context for `-ERR` (which answers every command) and for a `+OK` status answering AUTH
/// (RFC 5034 §4: the final status).
#[derive(Debug)]
struct Answer(Response<'static>, Expected);

impl<'a> Arbitrary<'a> for Answer {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let r = Response::arbitrary(u)?;
        let chosen = Expected::arbitrary(u)?;
        let expected = match &r {
            Response::Greeting(_) => Expected::Greeting,
            Response::Status(s) if !s.is_ok() => chosen,
            Response::Status(_) if chosen == Expected::Auth => Expected::Auth,
            Response::Status(_) => Expected::Status,
            Response::Challenge(_) => Expected::Auth,
            Response::Stat(_) => Expected::Stat,
            Response::Scan(_) => Expected::Scan,
            Response::ScanList(_) => Expected::ScanList,
            Response::Uid(_) => Expected::Uid,
            Response::UidList(_) => Expected::UidList,
            Response::Capabilities(_) => Expected::Capa,
            Response::Languages(_) => Expected::LangList,
            Response::Message(_) => Expected::Message,
            // A kind this test does not know yet: fail loudly rather than skip it.
            other => panic!("no context for {other:?}: extend `Answer`"),
        };
        Ok(Answer(r, expected))
    }
}

/// Octets for the dot-stuffing properties: a message body (many dots and line ends), with
/// 0 to 2 of its final octets cut so that bodies not ending in CRLF occur too.
#[derive(Debug)]
struct RawBody(Vec<u8>);

impl<'a> Arbitrary<'a> for RawBody {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let m = Message::arbitrary(u)?;
        let mut b = m.body().to_vec();
        let cut = usize::from(u.int_in_range(0..=2u8)?).min(b.len());
        b.truncate(b.len() - cut);
        Ok(RawBody(b))
    }
}

/// Decodes a response stream fed in chunks of `size`, as comparable strings.
fn stream(input: &[u8], expected: &[Expected], size: usize) -> Vec<String> {
    let mut dec = ResponseDecoder::expecting(
        Limits::default().with_max_response_line(usize::MAX / 2),
        expected[0],
    );
    for &e in &expected[1..] {
        dec.expect(e);
    }
    let mut out: Vec<String> = Vec::new();
    let mut body = Vec::new();
    for chunk in input.chunks(size.max(1)) {
        dec.push(chunk);
        loop {
            match dec.next_event() {
                Ok(Some(ResponseEvent::Response(r))) => out.push(format!("{r:?}")),
                Ok(Some(ResponseEvent::MessageStart(s))) => out.push(format!("start {s:?}")),
                Ok(Some(ResponseEvent::BodyChunk(c))) => body.extend_from_slice(c),
                Ok(Some(ResponseEvent::MessageEnd)) => {
                    out.push(format!("body {:?}", std::mem::take(&mut body)))
                }
                Ok(None) => break,
                Err(e) => out.push(format!("error {e}")),
            }
        }
    }
    out
}

fn wire(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

#[test]
fn command_roundtrip() {
    for_values("Command", |cmd: &Command<'static>| {
        let out = cmd.to_bytes();
        let parsed = Command::parse(&out).map_err(|e| format!("{e} in {}", wire(&out)))?;
        same(&parsed, cmd, &out)?;
        // Canonical: encoding the parsed value gives the same bytes.
        same(&parsed.to_bytes(), &out, &out)
    });
}

#[test]
fn sasl_response_roundtrip() {
    for_values("SaslResponse", |r: &SaslResponse| {
        let out = r.to_bytes();
        let parsed = SaslResponse::parse(&out).map_err(|e| format!("{e} in {}", wire(&out)))?;
        same(&parsed, r, &out)
    });
}

#[test]
fn response_roundtrip() {
    let mut kinds = HashSet::new();
    let mut errs = HashSet::new();
    let mut timestamps = 0;
    for_values("Response", |Answer(resp, expected): &Answer| {
        kinds.insert(std::mem::discriminant(resp));
        match resp {
            Response::Status(s) if !s.is_ok() => {
                errs.insert(*expected);
            }
            Response::Greeting(g) if g.timestamp().is_some() => timestamps += 1,
            _ => {}
        }
        let out = resp.to_bytes();
        let parsed = Response::parse(&out, *expected)
            .map_err(|e| format!("{e} in {} as {expected:?}", wire(&out)))?;
        same(&parsed, resp, &out)?;
        same(&parsed.to_bytes(), &out, &out)
    });
    // The generator reaches every kind, `-ERR` in every context, and APOP timestamps.
    if cases() >= 1000 {
        assert_eq!(kinds.len(), 11, "response kinds generated");
        assert_eq!(errs.len(), Expected::ALL.len(), "-ERR contexts: {errs:?}");
        assert!(timestamps > 0, "no greeting with a timestamp");
    }
}

#[test]
fn response_stream_any_chunking() {
    for_values_n(
        "Vec<Response> in chunks",
        cases() / 4,
        |(items, size): &(Vec<Answer>, u8)| {
            if items.is_empty() {
                return Ok(());
            }
            let size = 1 + usize::from(*size) % 40;
            let mut input = Vec::new();
            let mut expected = Vec::new();
            for Answer(r, e) in items.iter().take(5) {
                r.encode(&mut input);
                expected.push(*e);
            }
            let whole = stream(&input, &expected, input.len());
            if let Some(e) = whole.iter().find(|s| s.starts_with("error")) {
                return Err(format!("{e} in {}", wire(&input)));
            }
            same(&stream(&input, &expected, size), &whole, &input)
        },
    );
}

#[test]
fn response_stream_split_at_every_byte() {
    for_values(
        "Response split in two",
        |Answer(resp, expected): &Answer| {
            let input = resp.to_bytes();
            let whole = stream(&input, &[*expected], input.len());
            for split in 1..input.len() {
                let mut dec = ResponseDecoder::expecting(
                    Limits::default().with_max_response_line(usize::MAX / 2),
                    *expected,
                );
                let mut out = Vec::new();
                let mut body = Vec::new();
                for part in [&input[..split], &input[split..]] {
                    dec.push(part);
                    while let Some(ev) = dec
                        .next_event()
                        .map_err(|e| format!("{e} split at {split}"))?
                    {
                        match ev {
                            ResponseEvent::Response(r) => out.push(format!("{r:?}")),
                            ResponseEvent::MessageStart(s) => out.push(format!("start {s:?}")),
                            ResponseEvent::BodyChunk(c) => body.extend_from_slice(c),
                            ResponseEvent::MessageEnd => {
                                out.push(format!("body {:?}", std::mem::take(&mut body)))
                            }
                        }
                    }
                }
                same(&out, &whole, &input).map_err(|e| format!("split at {split}: {e}"))?;
            }
            Ok(())
        },
    );
}

#[test]
fn command_stream_any_chunking() {
    for_values_n(
        "Vec<Command> in chunks",
        cases() / 4,
        |(cmds, size): &(Vec<Command<'static>>, u8)| {
            let size = 1 + usize::from(*size) % 30;
            let mut input = Vec::new();
            for c in cmds {
                c.encode(&mut input);
            }
            let mut dec =
                CommandDecoder::new(Limits::default().with_max_command_line(usize::MAX / 2));
            let mut got = Vec::new();
            for chunk in input.chunks(size) {
                dec.push(chunk);
                while let Some(c) = dec.next_command().map_err(|e| e.to_string())? {
                    got.push(c.into_static());
                }
            }
            same(&got, cmds, &input)
        },
    );
}

/// Feeds `bytes` to every parser and decoder (with small limits, so that the limit paths run
/// too); panicking is the failure.
fn parse_everything(bytes: &[u8], size: usize) {
    let _ = Command::parse(bytes);
    let _ = SaslResponse::parse(bytes);
    let _ = Capability::parse(bytes);
    let _ = unstuff(bytes);
    for e in Expected::ALL {
        let _ = Response::parse(bytes, e);
        let _ = Response::decode(bytes, e);
        let mut dec = ResponseDecoder::expecting(
            Limits::default()
                .with_max_response_line(16)
                .with_max_listing(64)
                .with_max_body(32),
            e,
        );
        for _ in 0..4 {
            dec.expect(e);
        }
        for chunk in bytes.chunks(size) {
            dec.push(chunk);
            for _ in 0..1000 {
                if let Ok(None) = dec.next_event() {
                    break;
                }
            }
        }
    }
    let mut dec = CommandDecoder::new(Limits::default().with_max_command_line(10));
    for chunk in bytes.chunks(size) {
        dec.push(chunk);
        for _ in 0..1000 {
            if let Ok(None) = dec.next_command() {
                break;
            }
        }
    }
}

#[test]
fn no_panic_on_arbitrary_bytes() {
    for_values("arbitrary bytes", |(bytes, size): &(Vec<u8>, u8)| {
        parse_everything(bytes, 1 + usize::from(*size) % 20);
        Ok(())
    });
}

/// Valid encodings with one octet changed, inserted or removed: close to the grammar, where
/// arbitrary bytes rarely go.
#[test]
fn no_panic_on_mangled_encodings() {
    for_values(
        "mangled encoding",
        |(Answer(resp, _), cmd, at, byte, how): &(Answer, Command<'static>, u16, u8, u8)| {
            for mut input in [resp.to_bytes(), cmd.to_bytes()] {
                let at = usize::from(*at) % input.len().max(1);
                match how % 3 {
                    0 if at < input.len() => input[at] = *byte,
                    1 => input.insert(at, *byte),
                    _ if at < input.len() => {
                        input.remove(at);
                    }
                    _ => {}
                }
                parse_everything(&input, 1 + usize::from(*byte) % 20);
            }
            Ok(())
        },
    );
}

/// `stuff` and `unstuff` are exact inverses for any octets (RFC 1939 §3, byte-stuffing).
#[test]
fn unstuff_stuff_is_identity() {
    for_values("dot-stuffed body", |RawBody(b): &RawBody| {
        let mut wire = Vec::new();
        stuff(b, &mut wire);
        same(&unstuff(&wire).into_owned(), b, &wire)
    });
}

/// A whole body on the wire decodes, in any chunking, to the body (with a final CRLF added
/// when it had none, as documented in `dot`), and the decoder stops at its end.
#[test]
fn body_decoder_any_chunking() {
    for_values(
        "body in chunks",
        |(RawBody(b), size, trailing): &(RawBody, u8, [u8; 4])| {
            let size = 1 + usize::from(*size) % 16;
            let mut wire = Vec::new();
            encode_body(b, &mut wire);
            let body_len = wire.len();
            wire.extend_from_slice(&trailing[..usize::from(trailing[0]) % 5]);
            let mut normalized = b.clone();
            if !normalized.is_empty() && !normalized.ends_with(b"\r\n") {
                normalized.extend_from_slice(b"\r\n");
            }
            let mut dec = BodyDecoder::new();
            let mut got = Vec::new();
            let mut used_total = 0;
            'feed: for chunk in wire.chunks(size) {
                let mut rest = chunk;
                loop {
                    let (used, ev) = dec.next(rest).map_err(|e| e.to_string())?;
                    used_total += used;
                    rest = &rest[used..];
                    match ev {
                        BodyEvent::Data(d) => got.extend_from_slice(d),
                        BodyEvent::NeedMore => break,
                        BodyEvent::End => break 'feed,
                    }
                }
            }
            if !dec.is_done() {
                return Err(format!("not done after {}", self::wire(&wire)));
            }
            same(&used_total, &body_len, &wire)?;
            same(&got, &normalized, &wire)
        },
    );
}
