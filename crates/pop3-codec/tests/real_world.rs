//! The real-world profile: every catalogued POP3 deviation (`docs/real-world.md`) is rejected
//! by the strict profile and accepted by the real-world profile with exactly its id and
//! offset; the value is the one the closest well-formed response gives.

use mailproto_pop3_codec::context::{DeviationId, ParseOptions, Pop3Deviation, Profile};
use mailproto_pop3_codec::{Expected, Response};

fn rw() -> ParseOptions {
    ParseOptions::default().with_profile(Profile::RealWorld)
}

/// (deviating response, what it answers, its id, offset, the well-formed response it is read as)
type Row = (&'static [u8], Expected, &'static str, usize, &'static [u8]);

const ROWS: &[Row] = &[
    (b"+\r\n", Expected::Auth, "empty-status", 1, b"+ \r\n"),
    (
        b"+OK\n1 120\n2 200\n.\n",
        Expected::ScanList,
        "bare-lf",
        3,
        b"+OK\r\n1 120\r\n2 200\r\n.\r\n",
    ),
    (
        b"+OK 2 messages\r\n1 whqtswO00WBw418f9t5JxYwZ\n.\r\n",
        Expected::UidList,
        "bare-lf",
        42,
        b"+OK 2 messages\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n",
    ),
    (
        b"+OK POP3 ready <1.2@x> <3.4@y>\r\n",
        Expected::Greeting,
        "greeting-timestamp-variants",
        23,
        b"+OK POP3 ready <1.2@x> 3.4@y>\r\n",
    ),
    (
        b"+OK message follows\r\nSubject: x\r\n\r\n.hidden\r\n..dot\r\n.\r\n",
        Expected::Message,
        "missing-dot-stuffing",
        35,
        b"+OK message follows\r\nSubject: x\r\n\r\n..hidden\r\n..dot\r\n.\r\n",
    ),
    // GNU Mailutils 3.15 answering command lines over its 512-octet buffer (the echoes are
    // shortened here; the recorded bytes are in corpus/pop3/deviations/err-in-multiline-slot).
    (
        b"NOOP zzzzzzzz-ERR Invalid arguments\r\n",
        Expected::Status,
        "err-in-multiline-slot",
        13,
        b"-ERR Invalid arguments\r\n",
    ),
    (
        b"USER bbbbbbbb\r\r\n",
        Expected::Status,
        "err-in-multiline-slot",
        13,
        b"-ERR\r\n",
    ),
];

#[test]
fn every_row_strict_rejects_real_world_accepts_with_its_id() {
    for &(bytes, expected, id, offset, fixed) in ROWS {
        let name = String::from_utf8_lossy(bytes);
        assert!(
            Response::parse(bytes, expected).is_err(),
            "strict accepted {name}"
        );
        let parsed =
            Response::parse_with(bytes, expected, &rw()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ids: Vec<_> = parsed
            .deviations
            .iter()
            .map(|d| (d.id.id(), d.offset))
            .collect();
        assert_eq!(ids, [(id, offset)], "{name}");
        assert_eq!(Pop3Deviation::from_id(id), Some(parsed.deviations[0].id));
        let reference = Response::parse(fixed, expected).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.value, reference, "{name}");
    }
}

#[test]
fn a_body_line_with_one_dot_is_kept_verbatim() {
    let bytes = b"+OK\r\n.hidden\r\n..x\r\n.\r\n";
    let parsed = Response::parse_with(bytes, Expected::Message, &rw()).unwrap();
    match parsed.value {
        Response::Message(m) => assert_eq!(m.body(), b".hidden\r\n.x\r\n"),
        other => panic!("{other:?}"),
    }
    let err = Response::parse(bytes, Expected::Message).unwrap_err();
    assert_eq!((err.offset, err.expected), (5, "byte-stuffed line"));
    // Stuffed correctly: no deviation, the same body under both profiles.
    let good = b"+OK\r\n..hidden\r\n.\r\n";
    assert!(
        Response::parse_with(good, Expected::Message, &rw())
            .unwrap()
            .deviations
            .is_empty()
    );
}

#[test]
fn ids_are_distinct_and_rules_named() {
    let mut ids: Vec<_> = Pop3Deviation::ALL.iter().map(|d| d.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), Pop3Deviation::ALL.len());
    assert!(Pop3Deviation::ALL.iter().all(|d| !d.rule().is_empty()));
}

/// The fuzz target's properties (`fuzz/fuzz_targets/pop3_real_world.rs`) on every row with one
/// octet deleted or replaced, at every position, as the answer to every kind of command.
#[test]
fn mutated_rows_keep_the_properties() {
    use mailproto_pop3_codec::Encode;
    for &(bytes, ..) in ROWS {
        for k in 0..bytes.len() {
            let mut variants = Vec::new();
            let mut v = bytes.to_vec();
            v.remove(k);
            variants.push(v);
            for b in [b'.', b'\n', b'\r', b'<', b'>', b' ', b'+'] {
                let mut v = bytes.to_vec();
                v[k] = b;
                variants.push(v);
            }
            for data in &variants {
                for expected in Expected::ALL {
                    let Ok(p) = Response::parse_with(data, expected, &rw()) else {
                        continue;
                    };
                    assert!(p.deviations.iter().all(|d| d.offset <= data.len()));
                    let out = p.value.to_bytes();
                    assert_eq!(
                        Response::parse(&out, expected).as_ref().ok(),
                        Some(&p.value),
                        "{:?} as {expected:?} -> {:?}",
                        String::from_utf8_lossy(data),
                        String::from_utf8_lossy(&out)
                    );
                    if let Ok(strict) = Response::parse(data, expected) {
                        assert_eq!(strict, p.value);
                        assert!(p.deviations.is_empty());
                    }
                }
            }
        }
    }
}
