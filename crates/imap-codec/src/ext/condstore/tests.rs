//! RFC 7162's examples (commands with CONDSTORE/QRESYNC in force, responses as a client
//! reads them), round trips, and bad input.

use crate::prelude::*;

use ::core::num::NonZeroU32;

use super::*;
use crate::command::{Command, CommandBody, FetchAtt, FetchItems, SearchKey, StatusAttribute};
use crate::context::{Extension, ParseOptions};
use crate::encode::EncodeOptions;
use crate::ext::slots::{FetchModifier, SelectParam, StoreModifier};
use crate::response::{
    Code, Data, MessageAttribute, Response, SearchReturnData, StatusAttributeValue,
};

fn with(exts: &[Extension]) -> ParseOptions {
    exts.iter()
        .fold(ParseOptions::default(), |o, e| o.with_extension(*e))
}

const BOTH: &[Extension] = &[Extension::CondStore, Extension::QResync];

/// Parses `line` with `exts` in force and checks that it encodes back to itself.
fn command(line: &str, exts: &[Extension]) -> Command<'static> {
    let parsed = Command::parse_with(line.as_bytes(), &with(exts))
        .unwrap_or_else(|e| panic!("{line:?}: {e}"));
    assert!(parsed.deviations.is_empty());
    let mut out = Vec::new();
    let _ = parsed.value.encode(&mut out, &EncodeOptions::default());
    assert_eq!(String::from_utf8_lossy(&out), line);
    parsed.value.into_static()
}

/// Parses `line` with `exts` in force and checks that its encoding parses to the same value.
fn command_value(line: &str, exts: &[Extension]) -> Command<'static> {
    let parsed = Command::parse_with(line.as_bytes(), &with(exts))
        .unwrap_or_else(|e| panic!("{line:?}: {e}"))
        .value;
    let mut out = Vec::new();
    let _ = parsed.encode(&mut out, &EncodeOptions::default());
    assert_eq!(
        Command::parse_with(&out, &with(exts)).unwrap().value,
        parsed
    );
    parsed.into_static()
}

fn response(line: &str) -> Response<'static> {
    let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let mut out = Vec::new();
    let _ = r.encode(&mut out);
    assert_eq!(String::from_utf8_lossy(&out), line);
    r.into_static()
}

fn rejects_command(line: &str, exts: &[Extension], at: usize, rule: &str) {
    let e = Command::parse_with(line.as_bytes(), &with(exts)).unwrap_err();
    assert_eq!((e.offset, e.expected), (at, rule), "{line:?}");
}

fn rejects_response(line: &str, at: usize, rule: &str) {
    let e = Response::parse(line.as_bytes()).unwrap_err();
    assert_eq!((e.offset, e.expected), (at, rule), "{line:?}");
}

/// The headline case: the answer to a STORE once CONDSTORE is enabled reaches the
/// application as a FETCH with its MODSEQ, whatever is in force.
#[test]
fn fetch_with_modseq() {
    let r = response("* 1 FETCH (MODSEQ (9) FLAGS (\\Seen))\r\n");
    let Response::Data(Data::Fetch(f)) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(
        f.attributes.to_vec()[0],
        MessageAttribute::Modseq(ModSeq::new(9).unwrap())
    );
    assert_eq!(
        f.attributes.to_vec()[1],
        MessageAttribute::Flags(vec![Flag::Seen])
    );
    for line in [
        // §3.1.3
        "* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n",
        "* 50 FETCH (MODSEQ (12111230047))\r\n",
        "* 7 FETCH (MODSEQ (320162342) FLAGS (\\Seen \\Deleted))\r\n",
        "* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed))\r\n",
        // §3.1.4.2
        "* 7 FETCH (FLAGS (\\Deleted \\Answered) MODSEQ (12121231000))\r\n",
        // §3.2.5.1
        "* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n",
    ] {
        response(line);
    }
    rejects_response("* 1 FETCH (MODSEQ 9)\r\n", 18, "\"(\"");
    rejects_response("* 1 FETCH (MODSEQ (0))\r\n", 19, "mod-sequence-value");
    rejects_response("* 1 FETCH (MODSEQ ())\r\n", 19, "mod-sequence-value");
    rejects_response(
        "* 1 FETCH (MODSEQ (9223372036854775808))\r\n",
        19,
        "mod-sequence-value",
    );
    rejects_response("* 1 FETCH (MODSEQ (1 2))\r\n", 20, "\")\"");
}

#[test]
fn response_codes() {
    let r = response("* OK [HIGHESTMODSEQ 715194045007] Highest\r\n");
    let Response::Status(s) = &r else { panic!() };
    assert_eq!(
        s.code(),
        Some(&Code::HighestModSeq(ModSeq::new(715194045007).unwrap()))
    );
    let r = response("* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n");
    let Response::Status(s) = &r else { panic!() };
    assert_eq!(s.code(), Some(&Code::NoModSeq));
    for line in [
        "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
        "a102 OK [MODIFIED 12] Conditional STORE failed\r\n",
        "B001 NO [MODIFIED 2] Some of the messages no longer exist.\r\n",
        "A202 OK [HIGHESTMODSEQ 20010715194045319] expunged\r\n",
        "* OK [CLOSED] Previous mailbox closed\r\n",
    ] {
        response(line);
    }
    // A bracketed text that is not a valid code is text (RFC 9051 §9 `text`), as for every
    // code of the table: it does not become the code.
    for line in [
        "* OK [HIGHESTMODSEQ 0] x\r\n",
        "* OK [HIGHESTMODSEQ] x\r\n",
        "* OK [MODIFIED] x\r\n",
        "* OK [MODIFIED 0] x\r\n",
    ] {
        let Response::Status(s) = response(line) else {
            panic!()
        };
        assert!(s.code().is_none(), "{line}");
    }
}

#[test]
fn vanished() {
    let r = response("* VANISHED 405,407,410,425\r\n");
    let Response::Data(Data::Vanished(v)) = &r else {
        panic!()
    };
    assert!(!v.earlier);
    assert_eq!(
        v.uids.ranges(),
        &[(405, 405), (407, 407), (410, 410), (425, 425)]
    );
    response("* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n");
    response("* VANISHED (EARLIER) 300:310,405,411\r\n");
    rejects_response("* VANISHED\r\n", 10, "SP");
    rejects_response("* VANISHED *\r\n", 11, "nz-number");
    rejects_response("* VANISHED 1:*\r\n", 13, "nz-number");
    rejects_response("* VANISHED (LATER) 1\r\n", 12, "EARLIER");
    rejects_response("* VANISHED (EARLIER)\r\n", 20, "SP");
    rejects_response("* VANISHED 0\r\n", 11, "nz-number");
}

#[test]
fn search_results() {
    let r = response("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n");
    let Response::Data(Data::Search(d)) = &r else {
        panic!()
    };
    assert_eq!(d.modseq(), Some(ModSeq::new(917162500).unwrap()));
    assert_eq!(d.numbers().len(), 10);
    response("* SEARCH\r\n");
    let r = response("* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236\r\n");
    let Response::Data(Data::Esearch(e)) = &r else {
        panic!()
    };
    assert_eq!(
        e.data[1],
        SearchReturnData::ModSeq(ModSeq::new(1236).unwrap())
    );
    // The mod-sequence follows at least one number (RFC 7162 §7).
    rejects_response("* SEARCH (MODSEQ 5)\r\n", 9, "nz-number");
    rejects_response("* SEARCH 1 (MODSEQ 0)\r\n", 19, "mod-sequence-value");
    rejects_response("* SEARCH 1 (MODSEQ 5) 2\r\n", 21, "CRLF");
    rejects_response("* ESEARCH MODSEQ 0\r\n", 17, "mod-sequence-value");
}

#[test]
fn status() {
    let r =
        response("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n");
    let Response::Data(Data::Status(s)) = &r else {
        panic!()
    };
    assert_eq!(
        s.attributes[2],
        StatusAttributeValue::HighestModSeq(Number64::new(7011231777).unwrap())
    );
    // mod-sequence-valzer: 0 is a mailbox without persistent mod-sequences (§3.1.2.2).
    response("* STATUS INBOX (HIGHESTMODSEQ 0)\r\n");
    let cmd = command(
        "A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n",
        &[],
    );
    let CommandBody::Status { items, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(items[2], StatusAttribute::HighestModSeq);
}

#[test]
fn select_params() {
    let cmd = command("A142 SELECT INBOX (CONDSTORE)\r\n", &[Extension::CondStore]);
    let CommandBody::Select { params, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(params[..], [SelectParam::CondStore]);
    let cmd = command(
        "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
        BOTH,
    );
    let CommandBody::Select { params, .. } = &cmd.body else {
        panic!()
    };
    let SelectParam::QResync(q) = &params[0] else {
        panic!()
    };
    assert_eq!(q.uid_validity().get(), 67890007);
    assert_eq!(q.modseq().get(), 20050715194045000);
    assert_eq!(
        q.known_uids().unwrap().ranges(),
        &[(41, 41), (43, 211), (214, 541)]
    );
    assert!(q.seq_match().is_none());
    // §3.2.5.2
    let cmd = command(
        "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
        &[Extension::QResync],
    );
    let CommandBody::Select { params, .. } = &cmd.body else {
        panic!()
    };
    let SelectParam::QResync(q) = &params[0] else {
        panic!()
    };
    assert_eq!(q.seq_match().unwrap().0.ranges()[3], (9990, 9999));
    command(
        "A03 EXAMINE INBOX (QRESYNC (67890007 90060115194045000))\r\n",
        BOTH,
    );
    // seq-match-data without known-uids: allowed by the ABNF (§7).
    command("A05 SELECT INBOX (QRESYNC (1 2 (1:2 5,7)))\r\n", BOTH);

    // QRESYNC needs QRESYNC in force (ENABLE QRESYNC, §3.2.3): with only CONDSTORE it is
    // refused; with nothing in force the slot is closed.
    rejects_command(
        "a SELECT INBOX (QRESYNC (1 2))\r\n",
        &[Extension::CondStore],
        16,
        "select-param",
    );
    rejects_command("a SELECT INBOX (CONDSTORE)\r\n", &[], 14, "CRLF");
    // A parameter may be given once (RFC 4466 §2.1).
    rejects_command(
        "a SELECT INBOX (CONDSTORE CONDSTORE)\r\n",
        BOTH,
        36,
        "select-param",
    );
    for (line, at, rule) in [
        ("a SELECT INBOX (QRESYNC)\r\n", 23, "SP"),
        ("a SELECT INBOX (QRESYNC ())\r\n", 25, "nz-number"),
        ("a SELECT INBOX (QRESYNC (0 5))\r\n", 25, "nz-number"),
        (
            "a SELECT INBOX (QRESYNC (1 0))\r\n",
            27,
            "mod-sequence-value",
        ),
        ("a SELECT INBOX (QRESYNC (1))\r\n", 26, "SP"),
        ("a SELECT INBOX (QRESYNC (1 2 1:*))\r\n", 31, "nz-number"),
        ("a SELECT INBOX (QRESYNC (1 2 3 (1:2)))\r\n", 35, "SP"),
        ("a SELECT INBOX (QRESYNC (1 2 3 X))\r\n", 30, "\")\""),
        ("a SELECT INBOX (CONDSTORE 5)\r\n", 26, "tagged-ext-label"),
    ] {
        rejects_command(line, BOTH, at, rule);
    }
}

#[test]
fn fetch_items_and_modifiers() {
    let cmd = command("a FETCH 1:3 (MODSEQ)\r\n", &[]);
    let CommandBody::Fetch { items, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(items, &FetchItems::list([FetchAtt::Modseq]).unwrap());
    let cmd = command(
        "s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n",
        &[Extension::CondStore],
    );
    let CommandBody::Fetch { modifiers, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(
        modifiers[..],
        [FetchModifier::ChangedSince(ModSeq::new(12345).unwrap())]
    );
    let cmd = command(
        "s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
        &[Extension::QResync],
    );
    let CommandBody::Fetch { modifiers, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(modifiers[1], FetchModifier::Vanished);
    command(
        "a FETCH 1 FLAGS (CHANGEDSINCE 1 X-OTHER (a))\r\n",
        &[Extension::CondStore],
    );

    // VANISHED: QRESYNC in force, UID FETCH, with CHANGEDSINCE (§3.2.6).
    rejects_command(
        "s UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n",
        &[Extension::CondStore],
        40,
        "fetch-modifier",
    );
    rejects_command(
        "s FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n",
        BOTH,
        19,
        "rexpunges-fetch-mod",
    );
    rejects_command(
        "s UID FETCH 1:* (FLAGS) (VANISHED)\r\n",
        BOTH,
        23,
        "rexpunges-fetch-mod",
    );
    rejects_command(
        "s FETCH 1 (FLAGS) (CHANGEDSINCE 0)\r\n",
        BOTH,
        32,
        "mod-sequence-value",
    );
    rejects_command("s FETCH 1 (FLAGS) (CHANGEDSINCE)\r\n", BOTH, 31, "SP");
    rejects_command(
        "s FETCH 1 (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)\r\n",
        BOTH,
        49,
        "fetch-modifier",
    );
}

#[test]
fn store_modifiers() {
    let cmd = command(
        "a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\\Deleted)\r\n",
        &[Extension::CondStore],
    );
    let CommandBody::Store { modifiers, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(
        modifiers[..],
        [StoreModifier::UnchangedSince(
            Number64::new(12121230045).unwrap()
        )]
    );
    // mod-sequence-valzer: 0 is allowed (§3.1.3, the a102 example).
    command(
        "a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)\r\n",
        &[Extension::CondStore],
    );
    command_value(
        "B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\\SEEN)\r\n",
        BOTH,
    );
    rejects_command("a STORE 1 (UNCHANGEDSINCE) FLAGS x\r\n", BOTH, 25, "SP");
    rejects_command(
        "a STORE 1 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) FLAGS x\r\n",
        BOTH,
        45,
        "store-modifier",
    );
    rejects_command(
        "a STORE 1 (UNCHANGEDSINCE -1) FLAGS x\r\n",
        BOTH,
        26,
        "mod-sequence-valzer",
    );
}

#[test]
fn search_key() {
    // System flags are written in their RFC 9051 case (`\\draft` comes back `\\Draft`).
    let cmd = command_value(
        "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        &[],
    );
    let CommandBody::Search { criteria, .. } = &cmd.body else {
        panic!()
    };
    let SearchKey::Modseq(k) = criteria.first() else {
        panic!()
    };
    assert_eq!(k.entry(), Some(&(Flag::Draft, EntryType::All)));
    assert_eq!(k.modseq().get(), 620162338);
    command("t SEARCH OR NOT MODSEQ 720162338 LARGER 50000\r\n", &[]);
    command("a SEARCH RETURN (ALL) MODSEQ 1234\r\n", &[]);
    command("a SEARCH MODSEQ \"/flags/$mdnsent\" priv 0\r\n", &[]);
    command("a SEARCH MODSEQ \"/flags/\\\\X-Ext\" shared 5\r\n", &[]);
    for (line, at, rule) in [
        ("a SEARCH MODSEQ\r\n", 15, "SP"),
        ("a SEARCH MODSEQ x\r\n", 16, "mod-sequence-valzer"),
        (
            "a SEARCH MODSEQ \"/flags/\\\\seen\" 5\r\n",
            32,
            "entry-type-req",
        ),
        (
            "a SEARCH MODSEQ \"/flags/\\\\seen\" both 5\r\n",
            32,
            "entry-type-req",
        ),
        (
            "a SEARCH MODSEQ \"/flags/\\\\recent\" all 5\r\n",
            32,
            "attr-flag",
        ),
        (
            "a SEARCH MODSEQ \"/flags/\\seen\" all 5\r\n",
            24,
            "attr-flag",
        ),
        (
            "a SEARCH MODSEQ \"/keywords/a\" all 5\r\n",
            17,
            "entry-flag-name",
        ),
        ("a SEARCH MODSEQ \"/flags/a b\" all 5\r\n", 25, "DQUOTE"),
    ] {
        rejects_command(line, &[], at, rule);
    }
}

#[test]
fn values() {
    assert!(ModSeq::new(0).is_err());
    assert_eq!(ModSeq::MAX.get(), i64::MAX as u64);
    assert!(ModSeq::new(ModSeq::MAX.get() + 1).is_err());
    assert!(SearchData::with_modseq(Vec::new(), ModSeq::MAX).is_err());
    let q = QResyncParams::new(NonZeroU32::MIN, ModSeq::MAX).with_seq_match(
        UidSet::new(vec![(1, 2)]).unwrap(),
        UidSet::new(vec![(5, 6)]).unwrap(),
    );
    let mut out = Vec::new();
    q.encode(&mut Encoder::server(&mut out));
    assert_eq!(out, b"(1 9223372036854775807 (1:2 5:6))");
    assert_eq!(q.clone().into_static(), q);
}

use crate::response::SearchData;
