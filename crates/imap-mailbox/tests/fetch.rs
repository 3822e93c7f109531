//! FETCH data from messages: the RFC 9051 examples where they give concrete values, and
//! hand-made messages for every section form.

use std::num::NonZeroU32;

use imap_codec::command::FetchAtt;
use imap_codec::encode::{Encode, Encoder};
use imap_codec::response::{BinaryData, BinaryValue, MessageAttribute};
use imap_codec::{Date, DateTime, Part, Partial, Section};
use mailproto_imap_mailbox::{FetchError, Flags, Message, MessageMeta, fetch};

fn wire(v: &impl Encode) -> String {
    let mut out = Vec::new();
    let mut e = Encoder::server(&mut out);
    v.encode(&mut e);
    let _ = e.finish();
    String::from_utf8_lossy(&out).into_owned()
}

fn date() -> DateTime {
    DateTime::new(Date::new(1996, 7, 17).unwrap(), 2, 44, 25, -420).unwrap()
}

fn get(msg: &Message, item: FetchAtt<'_>) -> Result<(String, bool), FetchError> {
    let flags = Flags::new();
    let meta = MessageMeta {
        uid: NonZeroU32::new(7).unwrap(),
        flags: &flags,
        internal_date: date(),
        recent: false,
    };
    let f = fetch(msg, &meta, &[item])?;
    Ok((wire(&f.attributes[0]), f.sets_seen))
}

fn section(s: &str) -> FetchAtt<'_> {
    FetchAtt::BodySection {
        peek: true,
        section: Section::parse_str(s).unwrap(),
        partial: None,
    }
}

fn body_of(msg: &Message, s: &str) -> String {
    let (w, _) = get(msg, section(s)).unwrap();
    // Strip `BODY[...] ` and decode the string form for comparison.
    let v = w.split_once("] ").map_or(w.as_str(), |(_, v)| v);
    if let Some(rest) = v.strip_prefix('{') {
        let (_, data) = rest.split_once("}\r\n").unwrap();
        data.to_string()
    } else if v == "NIL" {
        "NIL".into()
    } else {
        v.trim_matches('"').to_string()
    }
}

/// RFC 9051 §8: the header of message 12 is 342 octets, and its ENVELOPE and BODY are as
/// shown (the body being 3028 octets in 92 lines). The RFC's RFC822.SIZE 4286 and its
/// message-id ending "washington.ed>" do not match its own header and are not checked.
#[test]
fn rfc9051_section8_example() {
    let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";
    assert_eq!(header.len(), 342);
    let mut raw = header.as_bytes().to_vec();
    for n in 0..92 {
        let len = if n == 91 { 3028 - 91 * 33 - 2 } else { 31 };
        raw.extend(std::iter::repeat_n(b'x', len));
        raw.extend_from_slice(b"\r\n");
    }
    let msg = Message::parse(raw);
    assert_eq!(
        get(&msg, FetchAtt::Envelope).unwrap().0,
        "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev2 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\")"
    );
    assert_eq!(
        get(&msg, FetchAtt::Body).unwrap().0,
        "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)"
    );
    let (h, seen) = get(&msg, section("[HEADER]")).unwrap();
    assert!(h.starts_with("BODY[HEADER] {342}\r\nDate:"));
    assert!(!seen);
    assert_eq!(
        get(&msg, FetchAtt::Rfc822Size).unwrap().0,
        format!("RFC822.SIZE {}", 342 + 3028)
    );
    assert_eq!(
        get(&msg, FetchAtt::InternalDate).unwrap().0,
        "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\""
    );
}

/// RFC 9051 §7.5.2 BODYSTRUCTURE example: a text part and a base64 text attachment.
#[test]
fn rfc9051_two_part_example() {
    let mut raw =
        b"MIME-Version: 1.0\r\nContent-Type: MULTIPART/MIXED; BOUNDARY=\"b1\"\r\n\r\n--b1\r\n\r\n"
            .to_vec();
    for n in 0..23 {
        raw.extend(std::iter::repeat_n(b'a', if n == 22 { 50 } else { 48 }));
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"\r\n--b1\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII; NAME=cc.diff\r\nContent-ID: <960723163407.20117h@cac.washington.edu>\r\nContent-Description: Compiler diff\r\nContent-Transfer-Encoding: BASE64\r\n\r\n");
    for n in 0..73 {
        raw.extend(std::iter::repeat_n(b'Q', if n == 72 { 88 } else { 60 }));
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"\r\n--b1--\r\n");
    let msg = Message::parse(raw);
    assert_eq!(
        get(&msg, FetchAtt::Body).unwrap().0,
        "BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)\
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \
\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")"
    );
}

/// A message shaped like the RFC 9051 §6.4.5 section example:
/// 1 TEXT/PLAIN, 2 APPLICATION/OCTET-STREAM, 3 MESSAGE/RFC822 (3.1 TEXT/PLAIN,
/// 3.2 APPLICATION/OCTET-STREAM), 4 MULTIPART/MIXED (4.1 IMAGE/GIF, 4.2 MESSAGE/RFC822
/// (4.2.1 TEXT/PLAIN, 4.2.2 MULTIPART/ALTERNATIVE (4.2.2.1 TEXT/PLAIN, 4.2.2.2
/// TEXT/RICHTEXT))).
fn section_example() -> Message {
    let raw = "Subject: top\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n\
--o\r\n\r\npart one\r\n\
--o\r\nContent-Type: application/octet-stream\r\n\r\nTWO\r\n\
--o\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: three\r\nContent-Type: multipart/mixed; boundary=t\r\n\r\n\
--t\r\n\r\npart 3.1\r\n--t\r\nContent-Type: application/octet-stream\r\n\r\n3.2\r\n--t--\r\n\
--o\r\nContent-Type: multipart/mixed; boundary=f\r\n\r\n\
--f\r\nContent-Type: image/gif\r\n\r\nGIF\r\n\
--f\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: four-two\r\nContent-Type: multipart/mixed; boundary=g\r\n\r\n\
--g\r\n\r\npart 4.2.1\r\n\
--g\r\nContent-Type: multipart/alternative; boundary=h\r\n\r\n\
--h\r\n\r\nplain 4.2.2.1\r\n--h\r\nContent-Type: text/richtext\r\n\r\nrich 4.2.2.2\r\n--h--\r\n\
--g--\r\n\
--f--\r\n\
--o--\r\n";
    Message::parse(raw.as_bytes().to_vec())
}

#[test]
fn rfc9051_section_numbers() {
    let m = section_example();
    assert_eq!(body_of(&m, "[1]"), "part one");
    assert_eq!(body_of(&m, "[2]"), "TWO");
    assert_eq!(
        body_of(&m, "[3.HEADER]"),
        "Subject: three\r\nContent-Type: multipart/mixed; boundary=t\r\n\r\n"
    );
    assert!(body_of(&m, "[3.TEXT]").starts_with("--t\r\n"));
    assert!(body_of(&m, "[3]").starts_with("Subject: three"));
    assert_eq!(body_of(&m, "[3.1]"), "part 3.1");
    assert_eq!(body_of(&m, "[3.2]"), "3.2");
    assert_eq!(body_of(&m, "[4.1]"), "GIF");
    assert_eq!(body_of(&m, "[4.1.MIME]"), "Content-Type: image/gif\r\n\r\n");
    assert_eq!(
        body_of(&m, "[4.2.HEADER]"),
        "Subject: four-two\r\nContent-Type: multipart/mixed; boundary=g\r\n\r\n"
    );
    assert_eq!(body_of(&m, "[4.2.1]"), "part 4.2.1");
    assert_eq!(body_of(&m, "[4.2.2.1]"), "plain 4.2.2.1");
    assert_eq!(body_of(&m, "[4.2.2.2]"), "rich 4.2.2.2");
    assert_eq!(
        body_of(&m, "[4.2.2.2.MIME]"),
        "Content-Type: text/richtext\r\n\r\n"
    );
    // Parts that do not exist, and HEADER of a part that is not message/rfc822: an empty
    // string (as Dovecot 2.3 answers).
    assert_eq!(body_of(&m, "[5]"), "");
    assert_eq!(body_of(&m, "[1.1]"), "");
    assert_eq!(body_of(&m, "[4.2.2.3]"), "");
    assert_eq!(body_of(&m, "[2.HEADER]"), "");
    assert_eq!(get(&m, section("[5]")).unwrap().0, "BODY[5] \"\"");
    assert_eq!(
        body_of(&m, "[HEADER.FIELDS (SUBJECT)]"),
        "Subject: top\r\n\r\n"
    );
    assert_eq!(
        body_of(&m, "[3.HEADER.FIELDS (Subject)]"),
        "Subject: three\r\n\r\n"
    );
}

#[test]
fn single_part_message_has_part_one() {
    let m = Message::parse(&b"Subject: x\r\nContent-Type: text/plain\r\n\r\nhello"[..]);
    assert_eq!(body_of(&m, "[1]"), "hello");
    assert_eq!(body_of(&m, "[TEXT]"), "hello");
    assert_eq!(
        body_of(&m, "[1.MIME]"),
        "Subject: x\r\nContent-Type: text/plain\r\n\r\n"
    );
    assert_eq!(body_of(&m, "[2]"), "");
}

#[test]
fn header_fields_and_not() {
    let m = Message::parse(
        &b"From: a@b\r\nX-Long: one\r\n two\r\nSubject: s\r\nx-long: again\r\n\r\nbody"[..],
    );
    assert_eq!(
        body_of(&m, "[HEADER.FIELDS (X-LONG)]"),
        "X-Long: one\r\n two\r\nx-long: again\r\n\r\n"
    );
    assert_eq!(
        body_of(&m, "[HEADER.FIELDS.NOT (X-Long FROM)]"),
        "Subject: s\r\n\r\n"
    );
    assert_eq!(body_of(&m, "[HEADER.FIELDS (MISSING)]"), "\r\n");
    // No blank line, no body: none is added (RFC 9051 §6.4.5).
    let m = Message::parse(&b"Subject: s\r\n"[..]);
    assert_eq!(body_of(&m, "[HEADER.FIELDS (SUBJECT)]"), "Subject: s\r\n");
    assert_eq!(body_of(&m, "[TEXT]"), "");
}

#[test]
fn partial_ranges_and_seen() {
    let m = Message::parse(&b"Subject: s\r\n\r\n0123456789"[..]);
    let item = |o, l, peek| FetchAtt::BodySection {
        peek,
        section: Section::parse_str("[TEXT]").unwrap(),
        partial: Some(Partial::new(o, l).unwrap()),
    };
    assert_eq!(
        get(&m, item(2, 3, false)).unwrap(),
        ("BODY[TEXT]<2> \"234\"".into(), true)
    );
    assert_eq!(
        get(&m, item(8, 100, true)).unwrap(),
        ("BODY[TEXT]<8> \"89\"".into(), false)
    );
    assert_eq!(get(&m, item(50, 1, true)).unwrap().0, "BODY[TEXT]<50> \"\"");
    assert!(get(&m, FetchAtt::Rfc822).unwrap().1);
    assert!(get(&m, FetchAtt::Rfc822Text).unwrap().1);
    assert!(!get(&m, FetchAtt::Rfc822Header).unwrap().1);
    assert_eq!(
        get(&m, FetchAtt::Rfc822Text).unwrap().0,
        "RFC822.TEXT \"0123456789\""
    );
}

fn mixed() -> Message {
    let raw = "From: \"Joe Q. Public\" <joe@example.com>\r\n\
To: Team: a@x.test, B <b@y.test>;, c@z.test\r\n\
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\
Date: Mon, 4 Mar 2024 10:00:00 +0100\r\n\
Message-ID: <m1@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
preamble\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\r\n\
--inner\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n\
Caf=C3=A9 soft=\r\nbreak\r\n\
--inner\r\n\
Content-Type: text/html; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n\
<p>Caf\u{e9}</p>\r\n\
--inner--\r\n\
--outer\r\n\
Content-Type: application/pdf; name=\"r.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=\"r.pdf\"\r\n\
Content-Language: en, de\r\n\
Content-Location: http://x.test/r.pdf\r\n\r\n\
AAECAw==\r\n\
--outer\r\n\
Content-Type: message/rfc822\r\n\r\n\
From: inner@x.test\r\n\
Subject: inner\r\n\r\n\
inner body\r\n\
--outer\r\n\
Content-Type: text/plain\r\n\
Content-Transfer-Encoding: x-uuencode\r\n\r\n\
begin\r\n\
--outer--\r\n";
    Message::parse(raw.as_bytes().to_vec())
}

#[test]
fn hand_made_bodystructure() {
    let m = mixed();
    assert_eq!(
        get(&m, FetchAtt::BodyStructure).unwrap().0,
        "BODYSTRUCTURE (\
((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 22 1 NIL NIL NIL NIL)\
(\"TEXT\" \"HTML\" (\"CHARSET\" \"iso-8859-1\") NIL NIL \"8BIT\" 12 0 NIL NIL NIL NIL) \
\"ALTERNATIVE\" (\"BOUNDARY\" \"inner\") NIL NIL NIL)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 8 NIL \
(\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) (\"en\" \"de\") \"http://x.test/r.pdf\")\
(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 48 \
(NIL \"inner\" ((NIL NIL \"inner\" \"x.test\")) ((NIL NIL \"inner\" \"x.test\")) ((NIL NIL \"inner\" \"x.test\")) NIL NIL NIL NIL NIL) \
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)\
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"X-UUENCODE\" 5 0 NIL NIL NIL NIL) \
\"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)"
    );
}

#[test]
fn hand_made_envelope_groups_and_encoded_words() {
    let m = mixed();
    assert_eq!(
        get(&m, FetchAtt::Envelope).unwrap().0,
        "ENVELOPE (\"Mon, 4 Mar 2024 10:00:00 +0100\" \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\" \
((\"Joe Q. Public\" NIL \"joe\" \"example.com\")) \
((\"Joe Q. Public\" NIL \"joe\" \"example.com\")) \
((\"Joe Q. Public\" NIL \"joe\" \"example.com\")) \
((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"x.test\")(\"B\" NIL \"b\" \"y.test\")(NIL NIL NIL NIL)(NIL NIL \"c\" \"z.test\")) \
NIL NIL NIL \"<m1@example.com>\")"
    );
}

#[test]
fn missing_headers_are_nil_and_empty_is_empty() {
    let m = Message::parse(&b"Subject:\r\nReply-To: \r\n\r\nx"[..]);
    assert_eq!(
        get(&m, FetchAtt::Envelope).unwrap().0,
        "ENVELOPE (NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL)"
    );
    let m = Message::parse(Vec::new());
    assert_eq!(
        get(&m, FetchAtt::Body).unwrap().0,
        "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)"
    );
}

#[test]
fn binary_decodes_and_reports_unknown_cte() {
    let m = mixed();
    let bin = |p: &[u32]| FetchAtt::Binary {
        peek: true,
        part: Some(Part::new(p.iter().map(|&n| NonZeroU32::new(n).unwrap()).collect()).unwrap()),
        partial: None,
    };
    let size = |p: &[u32]| FetchAtt::BinarySize {
        part: Some(Part::new(p.iter().map(|&n| NonZeroU32::new(n).unwrap()).collect()).unwrap()),
    };
    // Decoded 8-bit text: a literal, valid whether or not UTF8=ACCEPT is enabled (RFC 6855 §3).
    assert_eq!(
        get(&m, bin(&[1, 1])).unwrap().0,
        "BINARY[1.1] {15}\r\nCaf\u{e9} softbreak"
    );
    assert_eq!(get(&m, size(&[1, 1])).unwrap().0, "BINARY.SIZE[1.1] 15");
    // base64 with NUL: a literal8.
    let flags = Flags::new();
    let meta = MessageMeta {
        uid: NonZeroU32::new(1).unwrap(),
        flags: &flags,
        internal_date: date(),
        recent: false,
    };
    let f = fetch(&m, &meta, &[bin(&[2])]).unwrap();
    let MessageAttribute::Binary(BinaryData { value, .. }) = &f.attributes[0] else {
        panic!("not BINARY")
    };
    assert!(matches!(value, BinaryValue::Literal8(_)));
    assert_eq!(value.as_bytes(), Some(&[0u8, 1, 2, 3][..]));
    assert_eq!(get(&m, size(&[2])).unwrap().0, "BINARY.SIZE[2] 4");
    assert_eq!(
        get(&m, bin(&[4])),
        Err(FetchError::UnknownCte("x-uuencode".into()))
    );
    assert_eq!(
        get(&m, size(&[4])),
        Err(FetchError::UnknownCte("x-uuencode".into()))
    );
    assert_eq!(get(&m, bin(&[9])).unwrap().0, "BINARY[9] \"\"");
    assert_eq!(get(&m, size(&[9])).unwrap().0, "BINARY.SIZE[9] 0");
    let partial = FetchAtt::Binary {
        peek: false,
        part: Some(Part::new(vec![NonZeroU32::new(2).unwrap()]).unwrap()),
        partial: Some(Partial::new(1, 2).unwrap()),
    };
    let f = fetch(&m, &meta, &[partial]).unwrap();
    assert!(f.sets_seen);
    let MessageAttribute::Binary(BinaryData { value, .. }) = &f.attributes[0] else {
        panic!("not BINARY")
    };
    assert_eq!(value.as_bytes(), Some(&[1u8, 2][..]));
}

#[test]
fn macros_expand_to_known_items() {
    use imap_codec::command::FetchItems;
    let m = mixed();
    let flags = Flags::new();
    let meta = MessageMeta {
        uid: NonZeroU32::new(1).unwrap(),
        flags: &flags,
        internal_date: date(),
        recent: true,
    };
    for (items, n) in [
        (FetchItems::All, 4),
        (FetchItems::Fast, 3),
        (FetchItems::Full, 5),
    ] {
        let f = fetch(&m, &meta, &items.expand()).unwrap();
        assert_eq!(f.attributes.len(), n);
        assert_eq!(wire(&f.attributes[0]), "FLAGS (\\Recent)");
        assert!(!f.sets_seen);
    }
}
