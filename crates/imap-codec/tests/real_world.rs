//! The real-world profile: every catalogued IMAP deviation (`docs/real-world.md`) is rejected by
//! the strict profile and accepted by the real-world profile with exactly its id and offset,
//! and the value is the one the closest well-formed message gives.

use mailproto_imap_codec::context::{DeviationId, ImapDeviation};
use mailproto_imap_codec::{Command, Greeting, ParseOptions, Profile, Response};

fn rw() -> ParseOptions {
    ParseOptions::default().with_profile(Profile::RealWorld)
}

/// Strict, with UTF8=ACCEPT in force: what a repaired or real-world value re-encodes to may
/// hold UTF-8 quoted strings, which the strict profile reads only then (RFC 6855 §3).
fn strict_utf8() -> ParseOptions {
    ParseOptions::default().with_extension(mailproto_imap_codec::Extension::Utf8Accept)
}

/// (deviating response, its id, offset, the well-formed response it is read as)
const RESPONSES: &[(&[u8], &str, usize, &[u8])] = &[
    (b"A001 OK done\n", "bare-lf", 12, b"A001 OK done\r\n"),
    (b"* 1 EXISTS\n", "bare-lf", 10, b"* 1 EXISTS\r\n"),
    (
        b"* STATUS INBOX (MESSAGES 100 UNSEEN 0) \r\n",
        "trailing-space",
        38,
        b"* STATUS INBOX (MESSAGES 100 UNSEEN 0)\r\n",
    ),
    (
        b"* 1 FETCH (UID 19436 )\r\n",
        "trailing-space",
        20,
        b"* 1 FETCH (UID 19436)\r\n",
    ),
    (b"*  1843 EXISTS\r\n", "double-space", 2, b"* 1843 EXISTS\r\n"),
    (
        b"* 1 FETCH (UID 5  FLAGS (\\Seen))\r\n",
        "double-space",
        17,
        b"* 1 FETCH (UID 5 FLAGS (\\Seen))\r\n",
    ),
    (b"+\r\n", "empty-continuation", 1, b"+ \r\n"),
    (
        b"* [COPYUID 55 31 6] done\r\n",
        "untagged-code-without-status",
        2,
        b"* OK [COPYUID 55 31 6] done\r\n",
    ),
    (b"* 5 EXPUNGED\r\n", "expunged-keyword", 11, b"* 5 EXPUNGE\r\n"),
    (
        b") BAD  Missing command\r\n",
        "invalid-tag-echoed",
        0,
        b"* BAD  Missing command\r\n",
    ),
    (
        b"* 2 FETCH FLAGS (\\Seen \\Recent)\r\n",
        "unparenthesized-fetch",
        10,
        b"* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 415 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL)(\"text\" \"plain\" NIL NIL NIL \"7BIT\" 10 1) 19))\r\n",
        "missing-sp-in-message-body",
        109,
        b"* 1 FETCH (BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 415 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7BIT\" 10 1) 19))\r\n",
    ),
    (
        b"* 1 FETCH (ENVELOPE (NIL \"=?UTF-8?Q?\"Dummy=C3=AD?=\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
        "unescaped-quote",
        36,
        b"* 1 FETCH (ENVELOPE (NIL \"=?UTF-8?Q?\\\"Dummy=C3=AD?=\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
    ),
    (
        b"* LIST () \"/\" \"Caf\xe9\"\r\n",
        "eight-bit-in-quoted",
        18,
        "* LIST () \"/\" \"Café\"\r\n".as_bytes(),
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (NIL NIL NIL NIL NIL \"7BIT\" 0))\r\n",
        "nil-media-type",
        26,
        b"* 1 FETCH (BODYSTRUCTURE (\"\" \"\" NIL NIL NIL \"7BIT\" 0))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"APPLICATION\" NIL NIL NIL NIL \"base64\" 356))\r\n",
        "nil-subtype",
        40,
        b"* 1 FETCH (BODYSTRUCTURE (\"APPLICATION\" \"\" NIL NIL NIL \"base64\" 356))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"CHARSET\" \"UTF-8\") NIL NIL NIL 1694 51))\r\n",
        "nil-encoding",
        69,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"CHARSET\" \"UTF-8\") NIL NIL \"\" 1694 51))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1234 NIL))\r\n",
        "nil-lines",
        65,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1234 0))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7BIT\" -1 3))\r\n",
        "negative-number",
        60,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7BIT\" 0 3))\r\n",
    ),
    (
        b"* 1 FETCH (UID 3 X-GM-MSGID 1278455344230334865)\r\n",
        "unknown-fetch-item",
        17,
        b"* 1 FETCH (UID 3)\r\n",
    ),
    (
        b"* 1 FETCH (XSEQNUM (12) UID 3)\r\n",
        "unknown-fetch-item",
        11,
        b"* 1 FETCH (UID 3)\r\n",
    ),
    (
        b"* 1 FETCH (UID 3 XAOL-X (1 \"a\") FLAGS ())\r\n",
        "unknown-fetch-item",
        17,
        b"* 1 FETCH (UID 3 FLAGS ())\r\n",
    ),
    (
        b"* FLAGS (\\Answered \\*)\r\n",
        "backslash-star-in-flags",
        19,
        b"* FLAGS (\\Answered)\r\n",
    ),
    (
        "* LIST () \"/\" 日本\r\n".as_bytes(),
        "utf8-unquoted-mailbox",
        14,
        "* LIST () \"/\" \"日本\"\r\n".as_bytes(),
    ),
    (
        b"* LIST (\\HasNoChildren) \"/\" INBOX/Da\tOggetto\tRicevuto\r\n",
        "control-chars-in-mailbox",
        36,
        b"* LIST (\\HasNoChildren) \"/\" \"INBOX/Da\tOggetto\tRicevuto\"\r\n",
    ),
    (
        b"* 1 FETCH (BODY[2.MIME] {3}\r\nabc BODY[2] )\r\n",
        "missing-body-value",
        41,
        b"* 1 FETCH (BODY[2.MIME] {3}\r\nabc BODY[2] NIL)\r\n",
    ),
    (
        b"* 1 FETCH (ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL))\r\n",
        "short-envelope",
        52,
        b"* 1 FETCH (ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
    ),
    (
        b"* 1 FETCH (ENVELOPE (NIL \"s\" (NIL (\"a\" NIL \"b\" \"c\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
        "nil-in-address-list",
        30,
        b"* 1 FETCH (ENVELOPE (NIL \"s\" ((\"a\" NIL \"b\" \"c\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
    ),
    (
        b"* 1 FETCH (UID 14935 (ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL)) FLAGS ())\r\n",
        "extra-parens-envelope",
        21,
        b"* 1 FETCH (UID 14935 ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) FLAGS ())\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" () NIL NIL \"7bit\" 2 1))\r\n",
        "empty-parameter-list",
        41,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 1))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"boundary\" NIL) NIL NIL \"7bit\" 2 1))\r\n",
        "nil-parameter-value",
        53,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"boundary\" \"\") NIL NIL \"7bit\" 2 1))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 1 NIL \"inline\" NIL NIL))\r\n",
        "disposition-junk",
        68,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 1 NIL (\"inline\" NIL) NIL NIL))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 1 NIL (NIL NIL) NIL NIL))\r\n",
        "disposition-junk",
        68,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 1 NIL NIL NIL NIL))\r\n",
    ),
    (
        b"* 1 FETCH (RFC822.SIZE 9.3736e+06)\r\n",
        "float-number",
        23,
        b"* 1 FETCH (RFC822.SIZE 9373600)\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"ALTERNATIVE\" (\"BOUNDARY\" \"x\") NIL NIL))\r\n",
        "childless-multipart",
        26,
        b"* 1 FETCH (BODYSTRUCTURE (\"MULTIPART\" \"ALTERNATIVE\" (\"BOUNDARY\" \"x\") NIL NIL \"7BIT\" 0 NIL NIL NIL))\r\n",
    ),
    (
        b"* 1 FETCH (BODY (\"ALTERNATIVE\"))\r\n",
        "childless-multipart",
        17,
        b"* 1 FETCH (BODY (\"MULTIPART\" \"ALTERNATIVE\" NIL NIL NIL \"7BIT\" 0))\r\n",
    ),
    (
        b"* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"ALTERNATIVE\" (\"BOUNDARY\" \"x\")) \"MIXED\"))\r\n",
        "childless-multipart",
        57,
        b"* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"MULTIPART\" \"ALTERNATIVE\" (\"BOUNDARY\" \"x\") NIL NIL \"7BIT\" 0) \"MIXED\"))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (NIL \"alternative\" (\"boundary\" \"x\") NIL NIL NIL))\r\n",
        "childless-multipart",
        26,
        b"* 1 FETCH (BODYSTRUCTURE (\"MULTIPART\" \"alternative\" (\"boundary\" \"x\") NIL NIL \"7BIT\" 0 NIL NIL NIL NIL))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1)(nil \"alternative\") \"mixed\"))\r\n",
        "childless-multipart",
        66,
        b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1)(\"MULTIPART\" \"alternative\" NIL NIL NIL \"7BIT\" 0) \"mixed\"))\r\n",
    ),
    (
        b"* 1 FETCH (BODY (NIL \"alternative\" NIL))\r\n",
        "childless-multipart",
        17,
        b"* 1 FETCH (BODY (\"MULTIPART\" \"alternative\" NIL NIL NIL \"7BIT\" 0))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 23925))\r\n",
        "basic-message-rfc822",
        69,
        b"* 1 FETCH (BODYSTRUCTURE ({7}\r\nmessage \"rfc822\" NIL NIL NIL \"7bit\" 23925))\r\n",
    ),
    (
        b"* 1 FETCH (BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 23925 NIL NIL))\r\n",
        "basic-message-rfc822",
        69,
        b"* 1 FETCH (BODYSTRUCTURE ({7}\r\nmessage \"rfc822\" NIL NIL NIL \"7bit\" 23925 NIL NIL))\r\n",
    ),
];

#[test]
fn every_response_row_strict_rejects_real_world_accepts_with_its_id() {
    for &(bytes, id, offset, fixed) in RESPONSES {
        let name = String::from_utf8_lossy(bytes);
        assert!(Response::parse(bytes).is_err(), "strict accepted {name}");
        let parsed = Response::parse_with(bytes, &rw()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ids: Vec<_> = parsed
            .deviations
            .iter()
            .map(|d| (d.id.id(), d.offset))
            .collect();
        assert_eq!(ids, [(id, offset)], "{name}");
        let expected = Response::parse_with(fixed, &strict_utf8())
            .map(|p| p.value)
            .unwrap_or_else(|e| panic!("{name} fixed: {e}"));
        assert_eq!(parsed.value, expected, "{name}");
        // The rule is named, and the id is found again by its name.
        assert_eq!(ImapDeviation::from_id(id), Some(parsed.deviations[0].id));
        assert!(!parsed.deviations[0].id.rule().is_empty());
    }
}

#[test]
fn every_deviation_has_a_distinct_id() {
    let mut ids: Vec<_> = ImapDeviation::ALL.iter().map(|d| d.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), ImapDeviation::ALL.len());
}

#[test]
fn several_deviations_in_one_message_each_at_its_offset() {
    let bytes = b"*  1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL NIL -1 NIL))\n";
    let parsed = Response::parse_with(bytes, &rw()).unwrap();
    let ids = ids_of(&parsed.deviations);
    assert_eq!(
        ids,
        [
            ("double-space", 2),
            ("nil-encoding", 54),
            ("negative-number", 58),
            ("nil-lines", 61),
            ("bare-lf", 66)
        ]
    );
}

#[test]
fn what_is_not_a_catalogued_deviation_keeps_the_strict_error() {
    for bytes in [
        &b"* 5 EXPUNGEX\r\n"[..],
        b"* FOO bar\r\n",
        b"A1 OK\r",
        b"* 1 FETCH (UID x)\r\n",
        b"* 1 FETCH (UID 1 (\r\n",
        // Not childless-multipart's NIL form: no subtype, an escape in it, junk after it.
        b"* 1 FETCH (BODY (NIL NIL))\r\n",
        b"* 1 FETCH (BODY (NIL \"a\\\"b\"))\r\n",
        b"* 1 FETCH (BODY (NIL \"alternative\" x))\r\n",
        b"* 1 FETCH (BODY (NIL \"alternative\" (\"a\" \"b\") x))\r\n",
    ] {
        let strict = Response::parse(bytes).unwrap_err();
        let real = Response::parse_with(bytes, &rw()).unwrap_err();
        assert_eq!(strict, real, "{}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn greetings_and_commands() {
    let g = Greeting::parse_with(b"* OK ready\n", &rw()).unwrap();
    assert_eq!(g.value, Greeting::parse(b"* OK ready\r\n").unwrap());
    assert_eq!(g.deviations[0].id, ImapDeviation::BareLf);
    assert!(Greeting::parse(b"* OK ready\n").is_err());

    let c = Command::parse_with(b"a1  NOOP\n", &rw()).unwrap();
    assert_eq!(c.value, Command::parse(b"a1 NOOP\r\n").unwrap());
    let ids: Vec<_> = c.deviations.iter().map(|d| (d.id.id(), d.offset)).collect();
    assert_eq!(ids, [("double-space", 3), ("bare-lf", 8)]);
    assert!(Command::parse(b"a1 NOOP\n").is_err());
}

#[test]
fn repairs_stay_linear_and_bounded() {
    // Many deviations: at most a bounded number of repairs, then the strict error.
    let mut bytes = b"* 1 FETCH (BODYSTRUCTURE (".to_vec();
    for _ in 0..200 {
        bytes.extend_from_slice(b"(\"text\" \"plain\" NIL NIL NIL NIL 1 1)");
    }
    bytes.extend_from_slice(b" \"mixed\"))\r\n");
    assert!(Response::parse_with(&bytes, &rw()).is_err());
    // A long message with one deviation at its end costs a second pass only.
    let mut long = b"* SEARCH".to_vec();
    for n in 1..20_000 {
        long.extend_from_slice(format!(" {n}").as_bytes());
    }
    long.extend_from_slice(b"\n");
    let parsed = Response::parse_with(&long, &rw()).unwrap();
    assert_eq!(parsed.deviations.len(), 1);
}

/// Each deviation's id and offset.
fn ids_of(deviations: &[mailproto_imap_codec::context::Deviation]) -> Vec<(&'static str, usize)> {
    deviations.iter().map(|d| (d.id.id(), d.offset)).collect()
}

/// The messages a framer with `config` finds in `stream`.
fn frames(stream: &[u8], config: mailproto_imap_codec::framer::FramerConfig) -> Vec<Vec<u8>> {
    use mailproto_imap_codec::framer::{Frame, FramedBuffer};
    let mut buf = FramedBuffer::new(config);
    buf.push(stream);
    let mut out = Vec::new();
    while let Ok(Some(frame)) = buf.next_frame() {
        if let Frame::Message(m) = frame {
            out.push(m.to_vec());
        }
    }
    out
}

#[test]
fn the_framer_ends_lines_at_bare_lf_only_when_asked() {
    use mailproto_imap_codec::framer::FramerConfig;
    let stream = b"* 1 FETCH (BODY[] {5}\nhello)\nA1 OK done\n";
    let frames = |config: FramerConfig| frames(stream, config);
    // Strict: the LFs are inside one unfinished line.
    assert!(frames(FramerConfig::client()).is_empty());
    let messages = frames(FramerConfig::client().with_bare_lf(true));
    assert_eq!(
        messages,
        [&b"* 1 FETCH (BODY[] {5}\nhello)\n"[..], b"A1 OK done\n"]
    );
    let parsed = Response::parse_with(&messages[0], &rw()).unwrap();
    let ids = ids_of(&parsed.deviations);
    assert_eq!(ids, [("bare-lf", 21), ("bare-lf", 28)]);
    assert_eq!(
        parsed.value,
        Response::parse(b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n").unwrap()
    );
}

/// The fuzz target's properties (`fuzz/fuzz_targets/imap_real_world.rs`) on every row with one
/// octet deleted, doubled or replaced, at every position: no panic; a value parsed under the
/// real-world profile encodes to bytes that parse strictly to the same value; deviations lie
/// inside the message.
#[test]
fn mutated_rows_keep_the_properties() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for &(bytes, ..) in RESPONSES {
        for k in 0..bytes.len() {
            let mut v = bytes.to_vec();
            v.remove(k);
            inputs.push(v);
            let mut v = bytes.to_vec();
            v.insert(k, bytes[k]);
            inputs.push(v);
            for b in [b' ', b'(', b')', b'"', b'\n', b'\\', 0xff, b'-', b'.', b'e'] {
                let mut v = bytes.to_vec();
                v[k] = b;
                inputs.push(v);
            }
        }
    }
    for data in &inputs {
        if let Ok(p) = Response::parse_with(data, &rw()) {
            assert!(p.deviations.iter().all(|d| d.offset <= data.len()));
            let mut out = Vec::new();
            let _ = p.value.encode(&mut out);
            let again = Response::parse_with(&out, &strict_utf8())
                .map(|p| p.value)
                .unwrap_or_else(|e| {
                    panic!(
                        "{:?} -> {:?}: {e}",
                        String::from_utf8_lossy(data),
                        String::from_utf8_lossy(&out)
                    )
                });
            assert_eq!(again, p.value, "{:?}", String::from_utf8_lossy(data));
            if let (Ok(strict), true) = (Response::parse(data), p.deviations.is_empty()) {
                assert_eq!(strict, p.value);
            }
        }
        if let Ok(p) = Command::parse_with(data, &rw()) {
            let mut out = Vec::new();
            let enc = p.value.encode(&mut out, &Default::default());
            let again = Command::parse_with(enc.bytes(&out), &strict_utf8()).map(|p| p.value);
            assert_eq!(again.ok(), Some(p.value));
        }
    }
}

#[test]
fn unknown_fetch_items_are_kept_generically() {
    use mailproto_imap_codec::response::generic::Generic;
    let parsed =
        Response::parse_with(b"* 1 FETCH (UID 3 XAOL-X (1 \"a\") FLAGS ())\r\n", &rw()).unwrap();
    assert_eq!(parsed.unknown.len(), 1);
    let item = &parsed.unknown[0];
    assert_eq!((item.offset, item.name.as_str()), (17, "XAOL-X"));
    assert_eq!(
        item.value,
        Generic::List(vec![
            Generic::Number(1),
            Generic::String(b"a".to_vec().into())
        ])
    );
    // Only unknown items: no typed FETCH can be built; the strict error stays.
    assert!(Response::parse_with(b"* 1 FETCH (XSEQNUM (12))\r\n", &rw()).is_err());
}

/// The encoder row "ascending normalized sequence sets": `SequenceSet::normalized` holds the
/// same numbers (whatever `*` is), has no descending range, and its items ascend.
#[test]
fn normalized_sequence_sets_hold_the_same_numbers() {
    use mailproto_imap_codec::SequenceSet;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    for _ in 0..2000 {
        let n = 1 + next(6);
        let items: Vec<String> = (0..n)
            .map(|_| {
                let a = 1 + next(40);
                let b = 1 + next(40);
                match next(5) {
                    0 => a.to_string(),
                    1 => format!("{a}:*"),
                    2 => format!("*:{a}"),
                    3 if next(4) == 0 => "*".to_owned(),
                    _ => format!("{a}:{b}"),
                }
            })
            .collect();
        let text = items.join(",");
        let set = SequenceSet::parse_str(&text).unwrap();
        let norm = set.normalized();
        for largest in [1, 17, 45] {
            for k in 1..=50 {
                assert_eq!(
                    set.contains(k, largest),
                    norm.contains(k, largest),
                    "{text} -> {norm}"
                );
            }
        }
        // Numbers and numeric ranges ascend, disjoint; the items with `*` (whose extent
        // depends on the largest number) come after them.
        let shown = norm.to_string();
        let mut last = 0u32;
        let mut starred = false;
        for item in shown.split(',') {
            let (lo, hi) = item.split_once(':').unwrap_or((item, item));
            if lo == "*" || hi == "*" {
                starred = true;
                continue;
            }
            assert!(!starred, "{text} -> {shown}");
            let (lo, hi): (u32, u32) = (lo.parse().unwrap(), hi.parse().unwrap());
            assert!(lo > last && hi >= lo, "{text} -> {shown}");
            last = hi;
        }
        assert_eq!(SequenceSet::parse_str(&shown).unwrap(), norm);
    }
}

#[test]
fn bad_modseq_is_left_out_and_kept() {
    use mailproto_imap_codec::Extension;
    let options = rw().with_extension(Extension::CondStore);
    let strict = ParseOptions::default().with_extension(Extension::CondStore);
    for (bytes, offset) in [
        (&b"* 1 FETCH (FLAGS (\\Seen) MODSEQ (0))\r\n"[..], 33),
        (b"* 1 FETCH (MODSEQ (-1) UID 4)\r\n", 19),
    ] {
        let name = String::from_utf8_lossy(bytes);
        assert!(Response::parse_with(bytes, &strict).is_err(), "{name}");
        let p = Response::parse_with(bytes, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ids = ids_of(&p.deviations);
        assert_eq!(ids, [("bad-modseq", offset)], "{name}");
        assert_eq!(p.unknown.len(), 1);
        assert_eq!(p.unknown[0].name, "MODSEQ");
    }
    // The only item: no typed FETCH; the strict error stays (the caller's generic fallback).
    assert!(Response::parse_with(b"* 1 FETCH (MODSEQ (0))\r\n", &options).is_err());
}

#[test]
fn zero_sequence_numbers_are_named_in_the_generic_fallback() {
    use mailproto_imap_codec::response::generic::UnknownResponse;
    for bytes in [&b"* 0 FETCH (FLAGS (\\Seen))\r\n"[..], b"* 0 EXPUNGE\r\n"] {
        let err = Response::parse_with(bytes, &rw()).unwrap_err();
        assert_eq!((err.offset, err.expected), (2, "nz-number"));
        let u = UnknownResponse::parse(bytes, 8).unwrap();
        assert_eq!(u.deviation(), (ImapDeviation::ZeroSequenceNumber, 2));
    }
    // `* 0 EXISTS` is valid; an unknown name with 0 is an unknown response.
    assert!(Response::parse(b"* 0 EXISTS\r\n").is_ok());
    let u = UnknownResponse::parse(b"* 0 XFOO\r\n", 8).unwrap();
    assert_eq!(u.deviation(), (ImapDeviation::UnknownResponse, 4));
}

#[test]
fn the_framer_continues_after_a_literal_only_inside_an_open_list_and_only_when_asked() {
    use mailproto_imap_codec::framer::FramerConfig;
    let stream = b"* 1 FETCH (BODY[] {5}\r\nhello\r\n UID 3)\r\n* LIST () \"/\" {3}\r\nabc\r\nA1 OK done\r\n";
    assert_eq!(frames(stream, FramerConfig::client()).len(), 4);
    let messages = frames(
        stream,
        FramerConfig::client().for_profile(Profile::RealWorld),
    );
    assert_eq!(
        messages,
        [
            &b"* 1 FETCH (BODY[] {5}\r\nhello\r\n UID 3)\r\n"[..],
            b"* LIST () \"/\" {3}\r\nabc\r\n",
            b"A1 OK done\r\n"
        ]
    );
    assert!(Response::parse(&messages[0]).is_err());
    let parsed = Response::parse_with(&messages[0], &rw()).unwrap();
    let ids = ids_of(&parsed.deviations);
    assert_eq!(ids, [("blank-line-after-literal", 28)]);
    assert_eq!(
        parsed.value,
        Response::parse(b"* 1 FETCH (BODY[] {5}\r\nhello UID 3)\r\n").unwrap()
    );
    // Literal data holding parentheses and quotes does not count.
    let tricky = b"* LIST () \"/\" {3}\r\n(\"(\r\nA1 OK done\r\n";
    let config = FramerConfig::client().for_profile(Profile::RealWorld);
    assert_eq!(frames(tricky, config).len(), 2);
}
