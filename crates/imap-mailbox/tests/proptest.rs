//! Arbitrary message octets never panic, every entity range stays inside the message, and
//! section / partial fetches stay in bounds.

use std::num::NonZeroU32;

use imap_codec::command::{FetchAtt, SearchKey};
use imap_codec::ext::NonEmpty;
use imap_codec::response::{Data, FetchData, MessageAttribute, Response};
use imap_codec::{AString, Date, DateTime, Part, Partial, Section};
use mailproto_imap_mailbox::fetch::{binary_data, section_data, slice_partial};
use mailproto_imap_mailbox::search::{SearchContext, compile};
use mailproto_imap_mailbox::{Content, Entity, Flags, Message, MessageMeta, fetch};
use proptest::prelude::*;

fn check_ranges(e: &Entity, len: usize) {
    assert!(e.header.start <= e.header.end && e.header.end <= e.body.start);
    assert!(e.body.start <= e.body.end && e.body.end <= len);
    match &e.content {
        Content::Multipart(parts) => {
            assert!(!parts.is_empty());
            for p in parts {
                assert!(p.header.start >= e.body.start && p.body.end <= e.body.end);
                check_ranges(p, len);
            }
        }
        Content::Message(inner) => {
            assert_eq!(inner.whole(), e.body.clone());
            check_ranges(inner, len);
        }
        Content::Leaf => {}
    }
}

/// Message-like input: header lines, MIME types and boundaries from small alphabets so
/// that multiparts and nesting actually occur.
fn mime_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(&b"Content-Type: multipart/mixed; boundary=a\r\n"[..]),
        Just(&b"Content-Type: multipart/digest; boundary=b\r\n"[..]),
        Just(&b"Content-Type: message/rfc822\r\n"[..]),
        Just(&b"Content-Transfer-Encoding: base64\r\n"[..]),
        Just(&b"Content-Transfer-Encoding: quoted-printable\r\n"[..]),
        Just(&b"From: a <b@c>, g: d@e;\r\n"[..]),
        Just(&b"Subject: =?utf-8?q?x?=\r\n"[..]),
        Just(&b"\r\n"[..]),
        Just(&b"\n"[..]),
        Just(&b"--a\r\n"[..]),
        Just(&b"--a--\r\n"[..]),
        Just(&b"--b\r\n"[..]),
        Just(&b" folded\r\n"[..]),
        Just(&b"=3D=\r\nQUJD\r\n"[..]),
        Just(&b"\0\xff("[..]),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..300), mime_like()]
}

fn encode_fetch(attributes: Vec<MessageAttribute<'_>>) -> Vec<u8> {
    let attributes = NonEmpty::new(attributes).expect("a FETCH answer has items");
    let r = Response::Data(Data::Fetch(FetchData::new(
        NonZeroU32::new(1).unwrap(),
        attributes,
    )));
    let mut out = Vec::new();
    let _ = r.encode(&mut out);
    out
}

fn part(path: &[u32]) -> Option<Part> {
    Part::new(path.iter().filter_map(|&n| NonZeroU32::new(n)).collect()).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics_and_stays_in_bounds(
        raw in input(),
        path in prop::collection::vec(1u32..4, 0..4),
        offset in 0u64..400,
        length in 1u64..400,
    ) {
        let msg = Message::parse(raw.clone());
        check_ranges(msg.root(), raw.len());
        let p = part(&path);
        let sections = [
            Section::Part(p.clone()),
            Section::Header(p.clone()),
            Section::Text(p.clone()),
            Section::parse_str("[HEADER.FIELDS (FROM SUBJECT)]").unwrap(),
            Section::parse_str("[HEADER.FIELDS.NOT (FROM)]").unwrap(),
        ];
        let partial = Partial::new(offset, length).unwrap();
        for s in sections.iter().chain(p.clone().map(Section::Mime).as_ref()) {
            if let Some(data) = section_data(&msg, s) {
                let full = data.len() as u64;
                let cut = slice_partial(data, partial);
                let want = full.saturating_sub(offset).min(length);
                prop_assert_eq!(cut.len() as u64, want);
            }
        }
        let _ = binary_data(&msg, p.as_ref());
        let flags = Flags::new();
        let meta = MessageMeta {
            uid: NonZeroU32::new(1).unwrap(),
            flags: &flags,
            internal_date: DateTime::new(Date::new(2024, 1, 1).unwrap(), 0, 0, 0, 0).unwrap(),
            recent: false,
        };
        let items = [FetchAtt::Envelope, FetchAtt::BodyStructure, FetchAtt::Body, FetchAtt::Rfc822Size];
        let f = fetch(&msg, &meta, &items).unwrap();
        prop_assert_eq!(f.attributes.len(), 4);
        let crit = compile(None, &[SearchKey::Text(AString::new("x").unwrap())]).unwrap();
        let ctx = SearchContext { seq: 1, largest_seq: 1, largest_uid: 1, saved: None, modseq: 0 };
        let _ = crit.matches(&msg, &meta, &ctx);
        // What the kit builds is valid wire data: imap-codec parses the FETCH response
        // back, and re-encoding gives the same octets.
        let mut items = items.to_vec();
        items.push(FetchAtt::BodySection { peek: true, section: Section::Header(None), partial: None });
        let f = fetch(&msg, &meta, &items).unwrap();
        let wire = encode_fetch(f.attributes);
        let parsed = Response::parse(&wire);
        prop_assert!(parsed.is_ok(), "{:?}", parsed);
        let again = match parsed.unwrap() {
            Response::Data(Data::Fetch(f)) => encode_fetch(f.attributes.into_vec()),
            other => panic!("not FETCH: {other:?}"),
        };
        prop_assert_eq!(again, wire);
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let mut raw = Vec::new();
    for _ in 0..10_000 {
        raw.extend_from_slice(b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n");
    }
    let msg = Message::parse(raw.clone());
    check_ranges(msg.root(), raw.len());
    let flags = Flags::new();
    let meta = MessageMeta {
        uid: NonZeroU32::new(1).unwrap(),
        flags: &flags,
        internal_date: DateTime::new(Date::new(2024, 1, 1).unwrap(), 0, 0, 0, 0).unwrap(),
        recent: false,
    };
    assert!(fetch(&msg, &meta, &[FetchAtt::BodyStructure]).is_ok());
}

#[test]
fn many_encoded_word_starts_stay_fast() {
    // Each "=?" starts a possible encoded word; the search for its end is bounded.
    let mut raw = b"Subject: ".to_vec();
    for _ in 0..200_000 {
        raw.extend_from_slice(b"=?a?Q?");
    }
    raw.extend_from_slice(b"\r\n\r\n");
    let msg = Message::parse(raw);
    let crit = compile(None, &[SearchKey::Subject(AString::new("zz").unwrap())]).unwrap();
    let flags = Flags::new();
    let meta = MessageMeta {
        uid: NonZeroU32::new(1).unwrap(),
        flags: &flags,
        internal_date: DateTime::new(Date::new(2024, 1, 1).unwrap(), 0, 0, 0, 0).unwrap(),
        recent: false,
    };
    let ctx = SearchContext {
        seq: 1,
        largest_seq: 1,
        largest_uid: 1,
        saved: None,
        modseq: 0,
    };
    let start = std::time::Instant::now();
    assert!(!crit.matches(&msg, &meta, &ctx));
    // Quadratic behaviour would take minutes here.
    assert!(start.elapsed().as_secs() < 20);
}
