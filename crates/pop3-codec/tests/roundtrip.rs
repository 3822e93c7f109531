//! Properties: parse(encode(v)) == v for generated commands and responses; chunking does
//! not change what the stream decoders return; no panic on arbitrary bytes; dot-stuffing
//! round-trips.

use pop3_codec::dot::{BodyDecoder, BodyEvent, encode_body, stuff, unstuff};
use pop3_codec::*;
use proptest::prelude::*;

fn msg() -> impl Strategy<Value = MsgNumber> {
    (1u32..=u32::MAX).prop_map(|n| MsgNumber::new(n).unwrap())
}
fn param() -> impl Strategy<Value = Param<'static>> {
    "[!-~]{1,30}|[a-z]{1,5}é[a-z]{0,3}".prop_map(|s| Param::new(s).unwrap())
}
fn secret() -> impl Strategy<Value = Secret<'static>> {
    "[ -~]{1,40}".prop_map(|s| Secret::new(s).unwrap())
}
fn mechanism() -> impl Strategy<Value = Mechanism<'static>> {
    "[A-Za-z0-9_-]{1,20}".prop_map(|s| Mechanism::new(s).unwrap())
}
fn language() -> impl Strategy<Value = Language<'static>> {
    "[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}".prop_map(|s| Language::new(s).unwrap())
}
fn text() -> impl Strategy<Value = Text<'static>> {
    prop::collection::vec(
        any::<u8>().prop_filter("text", |b| !matches!(b, 0 | b'\r' | b'\n')),
        0..40,
    )
    .prop_map(|v| Text::new(v).unwrap())
}
fn code() -> impl Strategy<Value = ResponseCode<'static>> {
    "[!-.0-\\\\^-~]{1,8}(/[!-.0-\\\\^-~]{1,8}){0,2}".prop_map(|s| ResponseCode::new(s).unwrap())
}
fn status(ok: impl Strategy<Value = bool>) -> impl Strategy<Value = StatusLine<'static>> {
    (ok, prop::option::of(code()), text()).prop_map(|(ok, code, text)| {
        let text = if code.is_none() && text.as_bytes().first() == Some(&b'[') {
            Text::empty()
        } else {
            text
        };
        StatusLine::new(ok, code, text).unwrap()
    })
}

fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        param().prop_map(Command::User),
        secret().prop_map(Command::Pass),
        (param(), any::<[u8; 16]>()).prop_map(|(name, d)| Command::Apop {
            name,
            digest: ApopDigest::from_bytes(d)
        }),
        Just(Command::Quit),
        Just(Command::Stat),
        prop::option::of(msg()).prop_map(Command::List),
        msg().prop_map(Command::Retr),
        msg().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        (msg(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        prop::option::of(msg()).prop_map(Command::Uidl),
        Just(Command::Capa),
        Just(Command::Stls),
        (
            mechanism(),
            prop::option::of(prop::collection::vec(any::<u8>(), 0..60))
        )
            .prop_map(|(mechanism, initial_response)| Command::Auth {
                mechanism,
                initial_response
            }),
        Just(Command::Utf8),
        prop::option::of(prop_oneof![
            Just(LangArg::Default),
            language().prop_map(LangArg::Range)
        ])
        .prop_map(Command::Lang),
    ]
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        prop::collection::vec(mechanism(), 0..4).prop_map(Capability::Sasl),
        Just(Capability::RespCodes),
        (any::<u32>(), any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        Just(Capability::Pipelining),
        (prop::option::of(any::<u32>()), any::<bool>()).prop_map(|(d, per_user)| {
            Capability::Expire {
                policy: d.map_or(Expire::Never, Expire::Days),
                per_user,
            }
        }),
        Just(Capability::Uidl),
        text().prop_map(Capability::Implementation),
        Just(Capability::Stls),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        Just(Capability::Lang),
        Just(Capability::AuthRespCode),
        ("X-[A-Z]{1,8}", prop::collection::vec(param(), 0..3)).prop_map(
            |(t, p)| Capability::Other(OtherCapability::new(CapaTag::new(t).unwrap(), p).unwrap())
        ),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"\r\n".to_vec()),
            Just(b".".to_vec()),
            Just(b"..\r\n".to_vec()),
            Just(b".\r\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\n".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..20,
    )
    .prop_map(|parts| parts.concat())
}

fn response() -> impl Strategy<Value = (Response<'static>, Expected)> {
    let uid = "[!-~]{1,70}".prop_map(|s| UniqueId::new(s).unwrap());
    let scan = || {
        (msg(), any::<u64>(), text()).prop_map(|(msg, size, extra)| ScanListing {
            msg,
            size,
            extra,
        })
    };
    prop_oneof![
        status(Just(true)).prop_filter_map("a `<` outside a timestamp", |s| Greeting::new(s)
            .ok()
            .map(|g| (Response::Greeting(g), Expected::Greeting))),
        status(any::<bool>()).prop_map(|s| (Response::Status(s), Expected::Status)),
        status(Just(false)).prop_map(|s| (Response::Status(s), Expected::Message)),
        prop::collection::vec(any::<u8>(), 0..80)
            .prop_map(|d| (Response::Challenge(d), Expected::Auth)),
        (any::<u32>(), any::<u64>(), text()).prop_map(|(count, size, extra)| (
            Response::Stat(DropListing { count, size, extra }),
            Expected::Stat
        )),
        scan().prop_map(|s| (Response::Scan(s), Expected::Scan)),
        (status(Just(true)), prop::collection::vec(scan(), 0..5)).prop_map(|(s, v)| (
            Response::ScanList(MultiLine::new(s, v).unwrap()),
            Expected::ScanList
        )),
        (msg(), uid.clone())
            .prop_map(|(msg, uid)| (Response::Uid(UidListing { msg, uid }), Expected::Uid)),
        (
            status(Just(true)),
            prop::collection::vec(
                (msg(), uid).prop_map(|(msg, uid)| UidListing { msg, uid }),
                0..5
            )
        )
            .prop_map(|(s, v)| (
                Response::UidList(MultiLine::new(s, v).unwrap()),
                Expected::UidList
            )),
        (
            status(Just(true)),
            prop::collection::vec(capability(), 0..6)
        )
            .prop_map(|(s, v)| (
                Response::Capabilities(MultiLine::new(s, v).unwrap()),
                Expected::Capa
            )),
        (
            status(Just(true)),
            prop::collection::vec(
                (language(), text())
                    .prop_map(|(tag, description)| LangListing { tag, description }),
                0..4
            )
        )
            .prop_map(|(s, v)| (
                Response::Languages(MultiLine::new(s, v).unwrap()),
                Expected::LangList
            )),
        (status(Just(true)), body()).prop_map(|(s, mut b)| {
            if !b.is_empty() && !b.ends_with(b"\r\n") {
                b.extend_from_slice(b"\r\n");
            }
            (
                Response::Message(Message::new(s, b).unwrap()),
                Expected::Message,
            )
        }),
    ]
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn command_roundtrip(cmd in command()) {
        let bytes = cmd.to_bytes();
        prop_assert_eq!(Command::parse(&bytes).unwrap(), cmd);
    }

    #[test]
    fn sasl_response_roundtrip(r in prop_oneof![Just(SaslResponse::Cancel), prop::collection::vec(any::<u8>(), 0..100).prop_map(SaslResponse::Data)]) {
        prop_assert_eq!(SaslResponse::parse(&r.to_bytes()).unwrap(), r);
    }

    #[test]
    fn response_roundtrip((resp, expected) in response()) {
        let bytes = resp.to_bytes();
        let parsed = Response::parse(&bytes, expected);
        prop_assert!(parsed.is_ok(), "{:?} -> {:?}: {:?}", resp, String::from_utf8_lossy(&bytes), parsed);
        prop_assert_eq!(parsed.unwrap(), resp);
    }

    #[test]
    fn response_stream_any_chunking(items in prop::collection::vec(response(), 1..5), size in 1usize..40) {
        let mut input = Vec::new();
        let mut expected = Vec::new();
        for (r, e) in &items {
            r.encode(&mut input);
            expected.push(*e);
        }
        let whole = stream(&input, &expected, input.len());
        prop_assert_eq!(whole.iter().filter(|s| s.starts_with("error")).count(), 0, "{:?}", whole);
        prop_assert_eq!(stream(&input, &expected, size), whole);
    }

    #[test]
    fn response_stream_split_at_every_byte((resp, expected) in response()) {
        let input = resp.to_bytes();
        let whole = stream(&input, &[expected], input.len());
        for split in 1..input.len() {
            let mut dec = ResponseDecoder::expecting(Limits::default().with_max_response_line(usize::MAX / 2), expected);
            let mut out = Vec::new();
            let mut body = Vec::new();
            for part in [&input[..split], &input[split..]] {
                dec.push(part);
                while let Some(ev) = dec.next_event().unwrap() {
                    match ev {
                        ResponseEvent::Response(r) => out.push(format!("{r:?}")),
                        ResponseEvent::MessageStart(s) => out.push(format!("start {s:?}")),
                        ResponseEvent::BodyChunk(c) => body.extend_from_slice(c),
                        ResponseEvent::MessageEnd => out.push(format!("body {:?}", std::mem::take(&mut body))),
                    }
                }
            }
            prop_assert_eq!(&out, &whole, "split at {}", split);
        }
    }

    #[test]
    fn command_stream_any_chunking(cmds in prop::collection::vec(command(), 1..6), size in 1usize..30) {
        let mut input = Vec::new();
        for c in &cmds {
            c.encode(&mut input);
        }
        let mut dec = CommandDecoder::new(Limits::default().with_max_command_line(usize::MAX / 2));
        let mut got = Vec::new();
        for chunk in input.chunks(size) {
            dec.push(chunk);
            while let Some(c) = dec.next_command().unwrap() {
                got.push(c.into_static());
            }
        }
        prop_assert_eq!(got, cmds);
    }

    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200), size in 1usize..20) {
        let _ = Command::parse(&bytes);
        let _ = SaslResponse::parse(&bytes);
        let _ = Capability::parse(&bytes);
        let _ = unstuff(&bytes);
        for e in [Expected::Greeting, Expected::Status, Expected::Stat, Expected::Scan, Expected::ScanList,
                  Expected::Uid, Expected::UidList, Expected::Capa, Expected::LangList, Expected::Message, Expected::Auth] {
            let _ = Response::parse(&bytes, e);
            let _ = Response::decode(&bytes, e);
            let mut dec = ResponseDecoder::expecting(Limits::default().with_max_response_line(16).with_max_listing(64).with_max_body(32), e);
            for _ in 0..4 { dec.expect(e); }
            for chunk in bytes.chunks(size) {
                dec.push(chunk);
                for _ in 0..1000 {
                    match dec.next_event() { Ok(None) => break, _ => continue }
                }
            }
        }
        let mut dec = CommandDecoder::new(Limits::default().with_max_command_line(10));
        for chunk in bytes.chunks(size) {
            dec.push(chunk);
            for _ in 0..1000 {
                match dec.next_command() { Ok(None) => break, _ => continue }
            }
        }
    }

    /// `stuff` and `unstuff` are exact inverses for any octets.
    #[test]
    fn unstuff_stuff_is_identity(b in body()) {
        let mut wire = Vec::new();
        stuff(&b, &mut wire);
        let back = unstuff(&wire).into_owned();
        prop_assert_eq!(back, b);
    }

    /// A whole body on the wire decodes, in any chunking, to the body (with a final CRLF
    /// added when it had none, as documented in `dot`).
    #[test]
    fn body_decoder_any_chunking(b in body(), size in 1usize..16, trailing in prop::collection::vec(any::<u8>(), 0..5)) {
        let mut wire = Vec::new();
        encode_body(&b, &mut wire);
        let body_len = wire.len();
        wire.extend_from_slice(&trailing);
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
                let (used, ev) = dec.next(rest).unwrap();
                used_total += used;
                rest = &rest[used..];
                match ev {
                    BodyEvent::Data(d) => got.extend_from_slice(d),
                    BodyEvent::NeedMore => break,
                    BodyEvent::End => break 'feed,
                }
            }
        }
        prop_assert!(dec.is_done());
        prop_assert_eq!(used_total, body_len);
        prop_assert_eq!(got, normalized);
    }
}
