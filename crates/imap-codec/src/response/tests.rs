//! Tests of whole responses: every response example of RFC 3501 §7 / §8 and RFC 9051 §7 /
//! §8, round trips, and rejections with rule and offset.

use crate::prelude::*;

use super::*;
use crate::core::IntoStatic;

/// Parses, checks that encoding re-parses to the same value, and returns the encoding.
fn roundtrip(input: &[u8]) -> Vec<u8> {
    let r = Response::parse(input)
        .unwrap_or_else(|e| panic!("{:?}: {e:?}", String::from_utf8_lossy(input)));
    let mut out = Vec::new();
    let enc = r.encode(&mut out);
    assert_eq!((enc.start, enc.end), (0, out.len()));
    assert!(enc.sync_points.is_empty());
    let again = Response::parse(&out)
        .unwrap_or_else(|e| panic!("re-parse {:?}: {e:?}", String::from_utf8_lossy(&out)));
    assert_eq!(again, r);
    assert_eq!(r.clone().into_static(), r);
    out
}

/// Canonical input: encode(parse(x)) == x.
fn canonical(input: &str) {
    let line = format!("{input}\r\n");
    let out = roundtrip(line.as_bytes());
    assert_eq!(String::from_utf8_lossy(&out), line);
}

fn rejected(input: &[u8], offset: usize, expected: &str) {
    let err = Response::parse(input).expect_err(&String::from_utf8_lossy(input));
    assert_eq!(
        (err.offset, err.expected),
        (offset, expected),
        "{:?}: {err:?}",
        String::from_utf8_lossy(input)
    );
}

const RFC3501_SECTION7: &[&str] = &[
    "* OK IMAP4rev1 server ready",
    "* OK [ALERT] System shutdown in 10 minutes",
    "A001 OK LOGIN Completed",
    "* NO Disk is 98% full, please delete unnecessary data",
    "A222 OK COPY completed",
    "* NO Disk is 99% full, please delete unnecessary data",
    "A223 NO COPY failed: disk is full",
    "* BAD Command line too long",
    "* BAD Empty command line",
    "* BAD Disk crash, attempting salvage to a new disk!",
    "* OK Salvage successful, no data lost",
    "A443 OK Expunge completed",
    "* BYE Autologout; idle for too long",
    "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN",
    "* LIST (\\Noselect) \"/\" ~/Mail/foo",
    "* LSUB () \".\" #news.comp.mail.misc",
    "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
    "* SEARCH 2 3 6",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* 23 EXISTS",
    "* 5 RECENT",
    "* 44 EXPUNGE",
    "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)",
    "+ Ready for additional command text",
    "A001 OK LOGIN completed",
    "A044 BAD No such command as \"BLURDYBLOOP\"",
    // §7.4.2 body structure examples, inside a FETCH response.
    "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 2279 48))",
    "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))",
];

const RFC3501_SECTION8: &[&str] = &[
    "a001 OK LOGIN completed",
    "* 18 EXISTS",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* 2 RECENT",
    "* OK [UNSEEN 17] Message 17 is the first unseen message",
    "* OK [UIDVALIDITY 3857529045] UIDs valid",
    "a002 OK [READ-WRITE] SELECT completed",
    // The RFC breaks this line for editorial clarity; joined, with no SP between the two
    // addresses of the cc list (env-cc = "(" 1*address ")").
    "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))",
    "a003 OK FETCH completed",
    "* 12 FETCH (BODY[HEADER] {342}\r\nDate: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\nSubject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\nMessage-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n)",
    "a004 OK FETCH completed",
    "* 12 FETCH (FLAGS (\\Seen \\Deleted))",
    "a005 OK +FLAGS completed",
    "* BYE IMAP4rev1 server terminating connection",
    "a006 OK LOGOUT completed",
];

const RFC9051_SECTION7: &[&str] = &[
    // §7.1 response codes
    "o356 NO [ALREADYEXISTS] Mailbox \"that\" already exists",
    "b NO [AUTHENTICATIONFAILED] Authentication failed",
    "c1 NO [AUTHORIZATIONFAILED] No such authorization-ID",
    "c2 NO [AUTHORIZATIONFAILED] Authenticator is not an admin",
    "l NO [CANNOT] Adjacent slashes are not supported",
    "k1 OK [READ-ONLY] Done",
    "k2 OK [CLIENTBUG] Done",
    "i NO [CORRUPTION] Cannot open mailbox",
    "d NO [EXPIRED] That password isn't valid any more",
    "* ESEARCH (TAG \"h\") ALL 1:3,5,8,13,21,42",
    "h OK [EXPUNGEISSUED] Search completed",
    "o356 NO [HASCHILDREN] Mailbox \"Notes\" has children",
    "g NO [INUSE] Mailbox in use",
    "m NO [LIMIT] At most 32 flags in one mailbox supported",
    "p NO [NONEXISTENT] No such mailbox",
    "f NO [NOPERM] Access denied",
    "n1 NO [OVERQUOTA] Sorry",
    "n2 OK [OVERQUOTA] You are now over your soft quota",
    "d NO [PRIVACYREQUIRED] Connection offers no privacy",
    "j NO [SERVERBUG] This should not happen",
    "a NO [UNAVAILABLE] User's backend down for maintenance",
    // §7.1.1–7.1.5
    "* OK IMAP4rev2 server ready",
    "* OK [ALERT] System shutdown in 10 minutes",
    "A001 OK LOGIN Completed",
    "* NO Disk is 98% full, please delete unnecessary data",
    "A222 OK COPY completed",
    "* NO Disk is 99% full, please delete unnecessary data",
    "A223 NO COPY failed: disk is full",
    "* BAD Command line too long",
    "* BAD Empty command line",
    "* BAD Disk crash, attempting salvage to a new disk!",
    "* OK Salvage successful, no data lost",
    "A443 OK Expunge completed",
    "* BYE Autologout; idle for too long",
    // §7.2
    "* ENABLED CONDSTORE QRESYNC",
    "* CAPABILITY STARTTLS AUTH=GSSAPI IMAP4rev2 LOGINDISABLED",
    // §7.3
    "* LIST (\\Noselect) \"/\" ~/Mail/foo",
    // The second of the two extended LIST examples; see `rfc9051_list_example_fixed` for
    // the first, which the grammar does not allow.
    "* LIST () \":\" Tables:new (tablecloth (\"edge\" \"lacy\") Sample (\"text\" \"more text\"))",
    "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL",
    "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
    "* ESEARCH UID COUNT 17 ALL 4:18,21,28",
    "* ESEARCH (TAG \"a567\") UID COUNT 17 ALL 4:18,21,28",
    "* ESEARCH COUNT 18 ALL 1:17,21",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    // §7.4, §7.5
    "* 23 EXISTS",
    "* 44 EXPUNGE",
    "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 UID 447)",
    // §7.6
    "+ Ready for additional command text",
    "A001 OK LOGIN completed",
    "A044 BAD No such command as \"BLURDYBLOOP\"",
];

const RFC9051_SECTION8: &[&str] = &[
    "a000 OK Proceed with TLS negotiation",
    // Base64 challenges joined from the RFC's editorial line breaks.
    "+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=",
    "+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==",
    "A001 OK SCRAM-SHA-256 authentication successful",
    "* ENABLED IMAP4rev2",
    "babc OK Some capabilities enabled",
    "* 18 EXISTS",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* OK [UIDVALIDITY 3857529045] UIDs valid",
    "a002 OK [READ-WRITE] SELECT completed",
    "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.ed>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))",
    "a003 OK FETCH completed",
    "* 12 FETCH (BODY[HEADER] {342}\r\nDate: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\nSubject: IMAP4rev2 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\nMessage-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n)",
    "a004 OK FETCH completed",
    "* 12 FETCH (FLAGS (\\Seen \\Deleted))",
    "a005 OK +FLAGS completed",
    "* BYE IMAP4rev2 server terminating connection",
    "a006 OK LOGOUT completed",
];

#[test]
fn rfc3501_examples() {
    for s in RFC3501_SECTION7.iter().chain(RFC3501_SECTION8) {
        canonical(s);
    }
    // Not canonical: the attribute's case is normalised.
    roundtrip(b"* LSUB (\\NoSelect) \".\" #news.comp.mail\r\n");
}

#[test]
fn rfc9051_examples() {
    for s in RFC9051_SECTION7.iter().chain(RFC9051_SECTION8) {
        canonical(s);
    }
    // "e NO [CONTACTADMIN]": without SP after "]", resp-text is only text.
    let r = Response::parse(b"e NO [CONTACTADMIN]\r\n").unwrap();
    let Response::Status(s) = &r else { panic!() };
    assert_eq!((s.code(), s.text().as_str()), (None, "[CONTACTADMIN]"));
    canonical("e NO [CONTACTADMIN]");
    canonical("e NO [CONTACTADMIN] ");
    // RFC 9051 §8; not canonical: `Mailbox` normalises any INBOX to `INBOX`.
    roundtrip(b"* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n");
}

#[test]
fn rfc9051_list_example_fixed() {
    // RFC 9051 §7.3.1 prints `Sample "text"`, but `tagged-ext-val` has no quoted form
    // (RFC 4466, RFC 9051 §9); RFC 5258 §3 writes the value in parentheses.
    let bad = b"* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\")) Sample \"text\")\r\n";
    rejected(bad, 81, "tagged-ext-val");
    canonical(
        "* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\")) Sample (\"text\"))",
    );
}

#[test]
fn greetings() {
    for (s, kind) in [
        ("* OK IMAP4rev1 Service Ready\r\n", GreetingKind::Ok),
        (
            "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n",
            GreetingKind::Ok,
        ),
        (
            "* PREAUTH IMAP4rev1 server logged in as Smith\r\n",
            GreetingKind::PreAuth,
        ),
        (
            "* PREAUTH IMAP4rev2 server logged in as Smith\r\n",
            GreetingKind::PreAuth,
        ),
        ("* BYE Autologout; idle for too long\r\n", GreetingKind::Bye),
        ("* ok \r\n", GreetingKind::Ok),
    ] {
        let g = Greeting::parse(s.as_bytes()).unwrap();
        assert_eq!(g.kind(), kind);
        let mut out = Vec::new();
        let _ = g.encode(&mut out);
        assert_eq!(Greeting::parse(&out).unwrap(), g);
        if !s.starts_with("* ok") {
            assert_eq!(out, s.as_bytes());
        }
        assert_eq!(g.clone().into_static(), g);
    }
    let g = Greeting::parse(b"* OK [CAPABILITY IMAP4rev2 IDLE] hi\r\n").unwrap();
    assert!(matches!(g.code(), Some(Code::Capability(_))));
    for (s, offset, expected) in [
        (&b"* NO go away\r\n"[..], 2, "resp-cond-auth"),
        (b"a1 OK hi\r\n", 0, "greeting"),
        (b"* OK hi", 7, "CRLF"),
        (b"*OK hi\r\n", 1, "SP"),
    ] {
        let e = Greeting::parse(s).unwrap_err();
        assert_eq!((e.offset, e.expected), (offset, expected));
    }
}

#[test]
fn continuation_requests() {
    let r = Response::parse(b"+ \r\n").unwrap();
    let Response::Continuation(c) = &r else {
        panic!()
    };
    assert_eq!(c.base64_data(), Some(vec![]));
    let r = Response::parse(b"+ YGgGCSqGSIb3EgECAgIAb1kw\r\n").unwrap();
    let Response::Continuation(c) = &r else {
        panic!()
    };
    assert!(c.base64_data().is_some());
    let r = Response::parse(b"+ Ready for literal data\r\n").unwrap();
    let Response::Continuation(c) = &r else {
        panic!()
    };
    assert_eq!(c.base64_data(), None);
    assert_eq!(c.text().as_str(), "Ready for literal data");
    canonical("+ [ALERT] careful");
    let c = ContinuationRequest::base64([0u8, 1, 2, 255]);
    let mut out = Vec::new();
    let _ = Response::Continuation(c.clone()).encode(&mut out);
    assert_eq!(Response::parse(&out).unwrap(), Response::Continuation(c));
    assert!(ContinuationRequest::new(None, Text::new("[ALERT] x").unwrap()).is_err());
    assert!(ContinuationRequest::new(None, Text::new("[ALERT]x").unwrap()).is_ok());
    assert!(ContinuationRequest::new(Some(Code::Alert), Text::new("[ALERT] x").unwrap()).is_ok());
    rejected(b"+\r\n", 1, "SP");
    rejected(b"+ a\nb\r\n", 3, "CRLF");
}

#[test]
fn status_responses() {
    canonical("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited");
    canonical("* OK [UIDNEXT 4392] Predicted next UID");
    canonical("A003 OK [APPENDUID 38505 3955] APPEND completed");
    canonical("A004 OK [COPYUID 38505 304,319:320 3956:3958] Done");
    canonical("A005 NO [BADCHARSET (UTF-8 \"X-Y\")] unsupported");
    canonical("A006 OK [HIGHESTMODSEQ 715194045007] Ok");
    canonical("A007 OK [NOTSAVED] x");
    canonical("* OK [CLOSED] Previous mailbox closed");
    canonical("a NO [UNKNOWN-CTE] Can't decode");
    canonical("a OK [UIDNOTSTICKY] Non-persistent UIDs");
    canonical("* OK ");
    canonical("a OK [ALERT] ");
    canonical("a OK [ALERT]");
    canonical("a OK [UIDNEXT 0] text, since the code is malformed");
    canonical("a OK Grüße, UTF-8 text");
    let r = Response::parse(b"a1 ok [alert] Hi\r\n").unwrap();
    assert_eq!(
        r,
        Response::Status(Status::ok(
            Tag::new("a1").unwrap(),
            RespText::with_code(Code::Alert, Text::new("Hi").unwrap())
        ))
    );
    let mut out = Vec::new();
    let _ = r.encode(&mut out);
    assert_eq!(out, b"a1 OK [ALERT] Hi\r\n");
}

#[test]
fn rejections() {
    let cases: &[(&[u8], usize, &str)] = &[
        (b"* 0 EXPUNGE\r\n", 2, "nz-number"),
        (b"* 01 FETCH (UID 1)\r\n", 2, "nz-number"),
        (b"* 0 FETCH (UID 1)\r\n", 2, "nz-number"),
        (b"* 1 FETCH (UID 0)\r\n", 15, "nz-number"),
        (b"* 1 FETCH ()\r\n", 11, "msg-att"),
        (b"* 1 FETCH (UID 1 )\r\n", 17, "msg-att"),
        (b"* 1 FETCH UID 1\r\n", 10, "msg-att"),
        (b"* 1 FETCH (BODY[] {3+}\r\nabc)\r\n", 20, "\"}\""),
        (b"* FLAGS (\\Seen \\*)\r\n", 15, "flag"),
        (b"* LIST () \"//\" foo\r\n", 12, "DQUOTE"),
        (b"* LIST () \"\" foo\r\n", 11, "QUOTED-CHAR"),
        (
            b"* LIST (\\Noselect \\Marked) \"/\" foo\r\n",
            18,
            "mbx-list-flags",
        ),
        (b"* LSUB () \"/\" foo (\"OLDNAME\" (\"x\"))\r\n", 17, "CRLF"),
        (b"* 3 EXISTS \r\n", 10, "CRLF"),
        (b"* SEARCH 1 \r\n", 11, "nz-number"),
        (b"* SEARCH 1 2  3\r\n", 13, "nz-number"),
        (b"* OK hi\n", 7, "CRLF"),
        (b"* OK hi", 7, "CRLF"),
        (b"* OK\r\n", 4, "SP"),
        (b"* MAYBE so\r\n", 2, "response-data"),
        (b"* PREAUTH hi\r\n", 2, "response-data"),
        (b"a1 PREAUTH hi\r\n", 3, "resp-cond-state"),
        (b"a1 BYE hi\r\n", 3, "resp-cond-state"),
        (b"a1 FETCH hi\r\n", 3, "resp-cond-state"),
        (b"+a1 OK hi\r\n", 1, "SP"),
        (b"\r\n", 0, "response"),
        (b"* CAPABILITY IDLE\r\n", 17, "capability-data"),
        (b"* CAPABILITY IMAP4rev1 \r\n", 23, "capability"),
        (b"* STATUS x (MESSAGES 1 FOO 2)\r\n", 23, "status-att"),
        (b"* STATUS x (UIDNEXT)\r\n", 19, "SP"),
        (b"* ESEARCH ALL $\r\n", 14, "sequence-set"),
        (b"* ESEARCH MIN 0\r\n", 14, "nz-number"),
        (b"* ESEARCH 5\r\n", 10, "search-return-data"),
        (b"* NAMESPACE ((\"\" \"/\")) NIL\r\n", 26, "SP"),
        (b"* NAMESPACE () NIL NIL\r\n", 13, "namespace-descr"),
        (
            b"* 1 FETCH (RFC822.SIZE 9223372036854775808)\r\n",
            23,
            "number64",
        ),
        (b"* 1 FETCH (FLAGS (\\Seen) FLAGS\r\n", 30, "SP"),
        (
            b"* 1 FETCH (INTERNALDATE \"31-Feb-2020 00:00:00 +0000\")\r\n",
            25,
            "date",
        ),
        (b"* 1 FETCH (BODY[1]<x> NIL)\r\n", 19, "number"),
        (b"* 1 FETCH (BINARY[1.0] NIL)\r\n", 20, "nz-number"),
        (b"* 1 FETCH (BODY[]\r\n", 17, "SP"),
        (b"* 1 FETCH (BODY[] {5}\r\nab)\r\n", 28, "\")\""),
        (b"* 1 FETCH (BODY[] {9}\r\nab)\r\n", 28, "literal data"),
        (b"* 1 FETCH (BODY[] \"a\0\")\r\n", 20, "QUOTED-CHAR"),
        (b"* 1 FETCH (BODY[] {2}\r\na\0)\r\n", 24, "CHAR8"),
    ];
    for &(input, offset, expected) in cases {
        rejected(input, offset, expected);
    }
}

#[test]
fn invalid_values_cannot_be_built() {
    // A tagged BYE, an ambiguous text and an empty FETCH are refused by their constructors
    // (PREAUTH is no `StatusKind`: it exists only in a `Greeting`).
    let tag = Tag::new("a").unwrap();
    assert!(Status::tagged(tag.clone(), StatusKind::Bye, RespText::default()).is_err());
    assert!(RespText::new(None, Text::new("[ALERT] x").unwrap()).is_err());
    assert!(ContinuationRequest::new(None, Text::new("[ALERT] x").unwrap()).is_err());
    assert!(crate::ext::NonEmpty::<MessageAttribute<'_>>::new(vec![]).is_err());
    // What they accept round-trips.
    for r in [
        Response::Status(Status::bye(RespText::plain("x").unwrap())),
        Response::Status(Status::untagged_ok(RespText::plain("[ALERT]").unwrap())),
        Response::Status(Status::no(
            tag,
            RespText::coded(Code::Alert, "[ALERT] x").unwrap(),
        )),
    ] {
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(Response::parse(&out).unwrap(), r);
    }
}

#[test]
fn missing_text_under_both_profiles() {
    use crate::context::{ImapDeviation, ParseOptions, Profile};
    let real = ParseOptions::default().with_profile(Profile::RealWorld);
    for (input, offset, code) in [
        (
            &b"* OK [UNSEEN 8]\r\n"[..],
            15,
            Some(Code::Unseen(::core::num::NonZeroU32::new(8).unwrap())),
        ),
        (b"* BYE\r\n", 5, None),
        (b"a1 OK\r\n", 5, None),
        (b"a1 NO [ALERT]\r\n", 13, Some(Code::Alert)),
        (b"+\r\n", 1, None),
    ] {
        let parsed = Response::parse_with(input, &real).unwrap();
        assert_eq!(parsed.deviations.len(), 1, "{input:?}");
        // `+` CRLF has its own id (the catalogue's `empty-continuation`).
        let id = if input[0] == b'+' {
            ImapDeviation::EmptyContinuation
        } else {
            ImapDeviation::MissingText
        };
        assert_eq!(parsed.deviations[0].id, id);
        assert_eq!(parsed.deviations[0].offset, offset, "{input:?}");
        let (c, t) = match &parsed.value {
            Response::Status(s) => (s.code(), s.text()),
            Response::Continuation(c) => (c.code(), c.text()),
            Response::Data(_) => panic!(),
        };
        assert_eq!((c, t.as_str()), (code.as_ref(), ""));
        // The closest valid value: its encoding parses strictly to the same value.
        let mut out = Vec::new();
        let _ = parsed.value.encode(&mut out);
        assert_eq!(Response::parse(&out).unwrap(), parsed.value);
    }
    // Strict: no SP is an error; a code without SP is text, as the grammar reads it.
    rejected(b"* BYE\r\n", 5, "SP");
    rejected(b"a1 OK\r\n", 5, "SP");
    let Response::Status(s) = Response::parse(b"* OK [UNSEEN 8]\r\n").unwrap() else {
        panic!()
    };
    assert_eq!((s.code(), s.text().as_str()), (None, "[UNSEEN 8]"));
    assert!(
        Response::parse_with(b"* OK [UNSEEN 8]\r\n", &ParseOptions::default())
            .unwrap()
            .deviations
            .is_empty()
    );
    // Greetings too.
    let g = Greeting::parse_with(b"* PREAUTH\r\n", &real).unwrap();
    assert_eq!(
        (g.value.kind(), g.deviations[0].offset),
        (GreetingKind::PreAuth, 9)
    );
    assert!(Greeting::parse(b"* PREAUTH\r\n").is_err());
    // Well-formed input reports nothing under the real-world profile.
    assert!(
        Response::parse_with(b"* OK [UNSEEN 8] x\r\n", &real)
            .unwrap()
            .deviations
            .is_empty()
    );
}

#[test]
fn trailing_space_after_search_under_both_profiles() {
    use crate::context::{ImapDeviation, ParseOptions, Profile};
    let real = ParseOptions::default().with_profile(Profile::RealWorld);
    let parsed = Response::parse_with(b"* SEARCH 1 2 \r\n", &real).unwrap();
    assert_eq!(parsed.deviations[0].id, ImapDeviation::TrailingSpace);
    assert_eq!(parsed.deviations[0].offset, 12);
    let Response::Data(Data::Search(n)) = &parsed.value else {
        panic!()
    };
    assert_eq!(n.len(), 2);
    assert_eq!(
        Response::parse_with(b"* SEARCH \r\n", &real)
            .unwrap()
            .deviations
            .len(),
        1
    );
    rejected(b"* SEARCH 1 2 \r\n", 13, "nz-number");
}

#[test]
fn literals_are_borrowed() {
    let input = b"* 1 FETCH (BODY[TEXT] {5}\r\nhello RFC822.HEADER \"x\")\r\n";
    let r = Response::parse(input).unwrap();
    let Response::Data(Data::Fetch(f)) = &r else {
        panic!()
    };
    let items = f.attributes.to_vec();
    let MessageAttribute::BodySection(SectionData { data, .. }) = &items[0] else {
        panic!()
    };
    let bytes = data.as_bytes().unwrap();
    assert_eq!(bytes, b"hello");
    let range = input.as_ptr_range();
    assert!(range.contains(&bytes.as_ptr()), "borrowed from the input");
}

#[test]
fn offsets_inside_strings_and_text() {
    // Offsets of bad octets inside a quoted string, a literal and text.
    rejected(b"* 1 FETCH (BODY[] \"a\xff\")\r\n", 20, "QUOTED-CHAR");
    rejected(b"* 1 FETCH (BODY[] {2}\r\na\0)\r\n", 24, "CHAR8");
    rejected(b"* OK ab\xffcd\r\n", 7, "TEXT-CHAR");
    rejected(b"* OK [ALERT] ab\xc3\r\n", 15, "TEXT-CHAR");
}
