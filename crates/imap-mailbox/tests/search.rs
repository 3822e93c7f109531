//! SEARCH: every key of RFC 9051 §6.4.4 and RFC 3501 with a positive and a negative case,
//! charsets, and ESEARCH return data (RFC 4731).

use std::num::NonZeroU32;

use imap_codec::command::{SearchKey, SearchReturnOpt};
use imap_codec::encode::{Encode, Encoder};
use imap_codec::{AString, Command, CommandBody, Date, DateTime};
use mailproto_imap_mailbox::search::{SearchContext, SearchResult, compile};
use mailproto_imap_mailbox::{Flags, Message, MessageMeta, SearchError, SystemFlag};

const RAW: &str = "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@vm1.ulg.ac.be>\r\n\
To: Bob <bob@example.org>\r\n\
Cc: carol@example.net\r\n\
Bcc: dave@example.com\r\n\
Subject: Quarterly =?UTF-8?B?UsOpc3Vtw6k=?=\r\n\
Date: Sun, 3 Mar 2024 23:30:00 -0800\r\n\
X-Empty:\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n\
Le caf=E9 est pr=EAt.\r\n\
--b\r\n\
Content-Type: application/octet-stream\r\n\r\n\
SECRETWORD\r\n\
--b\r\n\
Content-Type: message/rfc822\r\n\r\n\
Subject: forwarded note\r\n\r\n\
Nested text\r\n\
--b--\r\n";

struct Case {
    msg: Message,
    flags: Flags,
    recent: bool,
}

fn case() -> Case {
    let mut flags = Flags::new();
    flags.set(SystemFlag::Seen, true);
    flags.set(SystemFlag::Flagged, true);
    flags.set_keyword("$Forwarded", true);
    Case {
        msg: Message::parse(RAW.as_bytes().to_vec()),
        flags,
        recent: true,
    }
}

/// Evaluates a search program written as IMAP text, for message 3 (UID 30) of 5
/// (largest UID 50), with `$` = UIDs 10 and 30.
fn eval(c: &Case, program: &str) -> Result<bool, SearchError> {
    let line = format!("a SEARCH {program}\r\n");
    // UTF-8 quoted strings (`FROM "andré"`) are read once UTF8=ACCEPT is enabled (RFC 6855 §3).
    let options =
        imap_codec::ParseOptions::default().with_extension(imap_codec::Extension::Utf8Accept);
    let cmd = Command::parse_with(line.as_bytes(), &options)
        .map(|p| p.value)
        .unwrap_or_else(|e| panic!("{program}: {e:?}"));
    let CommandBody::Search {
        charset, criteria, ..
    } = cmd.body
    else {
        panic!("not SEARCH")
    };
    let crit = compile(charset.as_ref(), &criteria.to_vec())?;
    let meta = MessageMeta {
        uid: NonZeroU32::new(30).unwrap(),
        flags: &c.flags,
        // 2 Mar 2024 in its own zone (−08:00); 3 Mar in UTC.
        internal_date: DateTime::new(Date::new(2024, 3, 2).unwrap(), 20, 0, 0, -480).unwrap(),
        recent: c.recent,
    };
    let saved = [10, 30];
    let ctx = SearchContext {
        seq: 3,
        largest_seq: 5,
        largest_uid: 50,
        saved: Some(&saved),
        modseq: 7,
    };
    Ok(crit.matches(&c.msg, &meta, &ctx))
}

#[test]
fn every_key_positive_and_negative() {
    let c = case();
    let table: &[(&str, &str)] = &[
        ("ALL", "NOT ALL"),
        ("SEEN", "UNSEEN"),
        ("FLAGGED", "UNFLAGGED"),
        ("UNANSWERED", "ANSWERED"),
        ("UNDELETED", "DELETED"),
        ("UNDRAFT", "DRAFT"),
        ("KEYWORD $forwarded", "KEYWORD Junk"),
        ("UNKEYWORD Junk", "UNKEYWORD $Forwarded"),
        ("RECENT", "OLD"),
        ("NOT NEW", "NEW"),
        // Internal date 2 Mar 2024 (its own zone, time disregarded).
        ("ON 2-Mar-2024", "ON 3-Mar-2024"),
        ("BEFORE 3-Mar-2024", "BEFORE 2-Mar-2024"),
        ("SINCE 2-Mar-2024", "SINCE 3-Mar-2024"),
        // Date header: 3 Mar 2024 as written (4 Mar in UTC).
        ("SENTON 3-Mar-2024", "SENTON 4-Mar-2024"),
        ("SENTBEFORE 4-Mar-2024", "SENTBEFORE 3-Mar-2024"),
        ("SENTSINCE 3-Mar-2024", "SENTSINCE 4-Mar-2024"),
        // Encoded words decoded, case-insensitive.
        ("FROM \"andré\"", "FROM zoe"),
        ("FROM PIRARD@VM1", "FROM bob"),
        ("TO bob@example", "TO carol"),
        ("CC carol", "CC bob"),
        ("BCC dave", "BCC carol"),
        ("SUBJECT \"résumé\"", "SUBJECT invoice"),
        ("SUBJECT \"\"", "HEADER X-Missing \"\""),
        ("HEADER X-Empty \"\"", "HEADER X-Empty x"),
        (
            "HEADER content-type MIXED",
            "HEADER content-type alternative",
        ),
        // QP and ISO-8859-1 decoded; message/rfc822 header and text searched; the
        // octet-stream part is not.
        ("BODY \"café est\"", "BODY secretword"),
        ("BODY \"forwarded note\"", "BODY quarterly"),
        ("BODY \"nested TEXT\"", "BODY missing"),
        ("TEXT quarterly", "TEXT secretword"),
        ("TEXT \"prêt\"", "TEXT absent"),
        (
            &format!("LARGER {}", RAW.len() - 1),
            &format!("LARGER {}", RAW.len()),
        ),
        (
            &format!("SMALLER {}", RAW.len() + 1),
            &format!("SMALLER {}", RAW.len()),
        ),
        ("3", "4"),
        ("2:4", "4:*"),
        ("*:3", "1,2,5"),
        ("$", "NOT $"),
        ("UID 30", "UID 31"),
        ("UID 20:40", "UID 40:*"),
        ("UID $", "NOT UID $"),
        ("OR DELETED SEEN", "OR DELETED DRAFT"),
        ("NOT DELETED", "NOT SEEN"),
        ("(SEEN FLAGGED)", "(SEEN DRAFT)"),
        ("SEEN FROM pirard", "SEEN FROM bob"),
        (
            "CHARSET UTF-8 SUBJECT \"RÉSUMÉ\"",
            "CHARSET US-ASCII SUBJECT zzz",
        ),
    ];
    for (pos, neg) in table {
        assert_eq!(eval(&c, pos), Ok(true), "{pos}");
        assert_eq!(eval(&c, neg), Ok(false), "{neg}");
    }
}

#[test]
fn new_and_old_follow_recent() {
    let mut c = case();
    c.flags.set(SystemFlag::Seen, false);
    assert_eq!(eval(&c, "NEW"), Ok(true));
    c.recent = false;
    assert_eq!(eval(&c, "NEW"), Ok(false));
    assert_eq!(eval(&c, "OLD"), Ok(true));
    assert_eq!(eval(&c, "RECENT"), Ok(false));
}

#[test]
fn unknown_charset_is_badcharset() {
    let c = case();
    assert_eq!(
        eval(&c, "CHARSET KOI8-R SUBJECT x"),
        Err(SearchError::BadCharset("KOI8-R".into()))
    );
    let key = SearchKey::Subject(AString::new(vec![0xffu8, 0xfe]).unwrap());
    assert_eq!(compile(None, &[key]), Err(SearchError::InvalidString));
}

#[test]
fn unparseable_sent_date_never_matches() {
    let c = Case {
        msg: Message::parse(&b"Date: someday\r\n\r\n"[..]),
        flags: Flags::new(),
        recent: false,
    };
    for k in [
        "SENTON 1-Jan-2024",
        "SENTBEFORE 1-Jan-3000",
        "SENTSINCE 1-Jan-1900",
    ] {
        assert_eq!(eval(&c, k), Ok(false), "{k}");
    }
}

fn wire(v: &impl Encode) -> String {
    let mut out = Vec::new();
    let mut e = Encoder::server(&mut out);
    v.encode(&mut e);
    let _ = e.finish();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn esearch_return_data() {
    // RFC 4731 §3.1 example: "* ESEARCH (TAG "A282") MIN 2 COUNT 3" for 2, 10, 11.
    let r = SearchResult::new(vec![11, 2, 10, 2]);
    assert_eq!(r.numbers(), &[2, 10, 11]);
    let data = r.return_data(&[SearchReturnOpt::Min, SearchReturnOpt::Count]);
    let text: Vec<String> = data.iter().map(wire).collect();
    assert_eq!(text, ["MIN 2", "COUNT 3"]);
    let text: Vec<String> = r.return_data(&[]).iter().map(wire).collect();
    assert_eq!(text, ["ALL 2,10:11"]);
    let data = r.return_data(&[SearchReturnOpt::Max, SearchReturnOpt::All]);
    let text: Vec<String> = data.iter().map(wire).collect();
    assert_eq!(text, ["MAX 11", "ALL 2,10:11"]);
    // Nothing matched: only COUNT.
    let none = SearchResult::new(vec![]);
    let all = [
        SearchReturnOpt::Min,
        SearchReturnOpt::Max,
        SearchReturnOpt::All,
        SearchReturnOpt::Count,
    ];
    let text: Vec<String> = none.return_data(&all).iter().map(wire).collect();
    assert_eq!(text, ["COUNT 0"]);
}

/// RFC 7162 §3.1.5: `MODSEQ n` matches messages whose mod-sequence is at least `n` (the
/// message here has 7), with or without a metadata entry, and the program reports that it
/// asks for the highest mod-sequence found.
#[test]
fn modseq_key() {
    let c = case();
    let options =
        imap_codec::ParseOptions::default().with_extension(imap_codec::Extension::CondStore);
    for (program, want) in [
        ("MODSEQ 7", true),
        ("MODSEQ 1", true),
        ("MODSEQ 8", false),
        ("MODSEQ \"/flags/\\\\draft\" all 7", true),
        ("NOT MODSEQ 8", true),
    ] {
        let line = format!("a SEARCH {program}\r\n");
        let cmd = Command::parse_with(line.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("{program}: {e:?}"))
            .value;
        let CommandBody::Search {
            charset, criteria, ..
        } = cmd.body
        else {
            panic!("not SEARCH")
        };
        let crit = compile(charset.as_ref(), &criteria.to_vec()).unwrap();
        assert!(crit.uses_modseq(), "{program}");
        let meta = MessageMeta {
            uid: NonZeroU32::new(30).unwrap(),
            flags: &c.flags,
            internal_date: DateTime::new(Date::new(2024, 3, 2).unwrap(), 20, 0, 0, 0).unwrap(),
            recent: false,
        };
        let ctx = SearchContext {
            seq: 3,
            largest_seq: 5,
            largest_uid: 50,
            saved: None,
            modseq: 7,
        };
        assert_eq!(crit.matches(&c.msg, &meta, &ctx), want, "{program}");
    }
    assert!(!compile(None, &[SearchKey::All]).unwrap().uses_modseq());
}
