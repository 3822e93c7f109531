//! RFC 5256's, RFC 5957's and RFC 5267's SORT/THREAD examples, round trips and bad input.

use crate::prelude::*;

use super::*;
use crate::command::{Command, CommandKind};
use crate::context::ParseOptions;
use crate::encode::EncodeOptions;
use crate::response::{Data, Response};

fn command(line: &str) -> Command<'static> {
    let cmd = Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let mut out = Vec::new();
    let _ = cmd.encode(&mut out, &EncodeOptions::default());
    assert_eq!(String::from_utf8_lossy(&out), line);
    cmd.into_static()
}

fn response(line: &str) -> Response<'static> {
    let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let mut out = Vec::new();
    let _ = r.encode(&mut out);
    assert_eq!(String::from_utf8_lossy(&out), line);
    r.into_static()
}

fn rejects_command(line: &str, at: usize, rule: &str) {
    let e = Command::parse(line.as_bytes()).unwrap_err();
    assert_eq!((e.offset, e.expected), (at, rule), "{line:?}");
}

fn rejects_response(line: &str, at: usize, rule: &str) {
    let e = Response::parse(line.as_bytes()).unwrap_err();
    assert_eq!((e.offset, e.expected), (at, rule), "{line:?}");
}

#[test]
fn sort_commands() {
    // RFC 5256 §3
    let cmd = command("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n");
    assert_eq!(cmd.kind(), CommandKind::Sort);
    assert_eq!(
        CommandKind::Sort.capability(),
        Some(crate::Capability::Sort)
    );
    let CommandBody::Sort {
        criteria,
        charset,
        keys,
        uid,
        return_opts,
    } = &cmd.body
    else {
        panic!()
    };
    assert!(!uid && return_opts.is_none());
    assert_eq!(
        criteria[0],
        SortCriterion {
            reverse: false,
            key: SortKey::Subject
        }
    );
    assert_eq!(charset.as_bytes(), b"UTF-8");
    assert_eq!(keys.len(), 1);
    let cmd = command("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n");
    let CommandBody::Sort { criteria, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(
        criteria[1],
        SortCriterion {
            reverse: true,
            key: SortKey::Date
        }
    );
    command("A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n");
    // RFC 5957 §4
    command("a UID SORT (DISPLAYFROM REVERSE DISPLAYTO) UTF-8 ALL\r\n");
    // RFC 5267 §3 (ESORT)
    let cmd = command("E01 UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED\r\n");
    assert!(cmd.body.is_uid());
    command("B01 SORT RETURN (MIN MAX COUNT) (ARRIVAL) \"UTF-8\" 1:* NOT DELETED\r\n");
    // RFC 7162 §3.1.10
    command("a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234\r\n");

    for (line, at, rule) in [
        ("a SORT SUBJECT UTF-8 ALL\r\n", 7, "\"(\""),
        ("a SORT () UTF-8 ALL\r\n", 8, "sort-key"),
        ("a SORT (SUBJECT) ALL\r\n", 20, "SP"),
        ("a SORT (SUBJECT) UTF-8\r\n", 22, "SP"),
        ("a SORT (SUBJECTS) UTF-8 ALL\r\n", 8, "sort-key"),
        ("a SORT (REVERSE) UTF-8 ALL\r\n", 8, "sort-key"),
        (
            "a SORT (REVERSE REVERSE DATE) UTF-8 ALL\r\n",
            16,
            "sort-key",
        ),
        ("a SORT (DATE) {5}\r\nUTF-8 ALL\r\n", 14, "charset"),
        ("a SORT (DATE) UTF] ALL\r\n", 14, "charset"),
        ("a SORT (DATE)  UTF-8 ALL\r\n", 14, "charset"),
        ("a SORT RETURN (DATE) UTF-8 ALL\r\n", 21, "\"(\""),
    ] {
        rejects_command(line, at, rule);
    }
}

#[test]
fn thread_commands() {
    let cmd = command("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-Mar-2000\r\n");
    let CommandBody::Thread { algorithm, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(algorithm, &ThreadAlgorithm::OrderedSubject);
    command("A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"\r\n");
    let cmd = command("A285 THREAD REFERENCES UTF-8 SINCE 5-Mar-2000\r\n");
    assert_eq!(cmd.kind(), CommandKind::Thread);
    let cmd = command("a UID THREAD REFS UTF-8 ALL\r\n");
    let CommandBody::Thread { algorithm, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(algorithm, &ThreadAlgorithm::Refs);
    let cmd = command("a THREAD X-SMART UTF-8 ALL\r\n");
    let CommandBody::Thread { algorithm, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(algorithm.as_str(), "X-SMART");
    assert!(matches!(
        ThreadAlgorithm::new("references").unwrap(),
        ThreadAlgorithm::References
    ));
    rejects_command("a THREAD UTF-8 ALL\r\n", 18, "SP");
    rejects_command("a THREAD (REFS) UTF-8 ALL\r\n", 9, "atom");
    rejects_command("a THREAD REFS UTF-8\r\n", 19, "SP");
}

#[test]
fn sort_responses() {
    let Response::Data(Data::Sort(d)) = response("* SORT 2 84 882\r\n") else {
        panic!()
    };
    assert_eq!(d.numbers().len(), 3);
    response("* SORT 5 3 4 1 2\r\n");
    response("* SORT\r\n");
    let Response::Data(Data::Sort(d)) = response("* SORT 5 3 4 (MODSEQ 1236)\r\n") else {
        panic!()
    };
    assert_eq!(d.modseq().unwrap().get(), 1236);
    rejects_response("* SORT 0\r\n", 7, "nz-number");
    rejects_response("* SORT (MODSEQ 5)\r\n", 7, "nz-number");
}

#[test]
fn thread_responses() {
    let Response::Data(Data::Thread(t)) = response("* THREAD (2)(3 6 (4 23)(44 7 96))\r\n") else {
        panic!()
    };
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].members().len(), 2);
    assert_eq!(t[1].branches()[1].members().len(), 3);
    assert_eq!(t[1].depth(), 2);
    let Response::Data(Data::Thread(t)) = response("* THREAD ((3)(5))\r\n") else {
        panic!()
    };
    assert!(t[0].members().is_empty() && t[0].branches().len() == 2);
    response("* THREAD\r\n");
    // RFC 5256 §3's two long examples, one line each.
    response(
        "* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)(200 202)(201)(203)(204)(205)(206 207)(208)\r\n",
    );
    response(
        "* THREAD (166)(167)(168)(169)(172)((170)(179))(171)(173)((174)(175)(176)(178)(181)(180))((177)(183)(182)(188 (184)(189))(185 186)(187))(190)(191)(192)(193)((194)(195 196))(197 198)(199)(200 202)(201)(203)(204)(205 206 207)(208)\r\n",
    );
    for (line, at, rule) in [
        ("* THREAD ()\r\n", 10, "nz-number"),
        ("* THREAD (1 )\r\n", 12, "nz-number"),
        ("* THREAD (1(2)(3))\r\n", 11, "\")\""),
        ("* THREAD (1 (2))\r\n", 15, "thread-list"),
        ("* THREAD ((2))\r\n", 13, "thread-list"),
        ("* THREAD (1) (2)\r\n", 12, "CRLF"),
        ("* THREAD (0)\r\n", 10, "nz-number"),
        ("* THREAD (1\r\n", 11, "\")\""),
        ("* THREAD 1\r\n", 9, "\"(\""),
    ] {
        rejects_response(line, at, rule);
    }
}

/// Nesting is bounded: by the options' limit, and never beyond the parser's own.
#[test]
fn thread_nesting_is_bounded() {
    let deep = |n: usize| {
        let mut s = String::from("* THREAD ");
        for _ in 0..n {
            s.push_str("(1 ");
        }
        s.push_str("(2)(3)");
        for _ in 0..n {
            s.push(')');
        }
        s.push_str("\r\n");
        s
    };
    // `(1 (1 ... (2)(3)))`: each level has one branch list of... make two per level.
    let two = |n: usize| {
        let mut s = String::from("(9)");
        for _ in 0..n {
            s = format!("(1 {s}(8))");
        }
        format!("* THREAD {s}\r\n")
    };
    assert!(Response::parse(two(10).as_bytes()).is_ok());
    let options = ParseOptions::default().with_max_depth(5);
    let e = Response::parse_with(two(10).as_bytes(), &options).unwrap_err();
    assert_eq!(e.expected, "thread-list");
    assert!(Response::parse(two(300).as_bytes()).is_err());
    // A single branch is never valid, however deep.
    assert!(Response::parse(deep(3).as_bytes()).is_err());
}
