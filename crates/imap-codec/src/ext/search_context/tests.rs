//! RFC 5267's and RFC 9394's examples (elisions `...` replaced by sets), round trips, bad
//! input.

use crate::prelude::*;

use crate::command::{Command, CommandBody, CommandKind, SearchReturnOpt};
use crate::encode::EncodeOptions;
use crate::ext::partial::PartialRange;
use crate::response::{Code, Data, Response, SearchReturnData};

fn command(line: &str) -> Command<'static> {
    let cmd = Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let mut out = Vec::new();
    let _ = cmd.encode(&mut out, &EncodeOptions::default());
    assert_eq!(String::from_utf8_lossy(&out), line);
    crate::IntoStatic::into_static(cmd)
}

fn response(line: &str) -> Response<'static> {
    let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let mut out = Vec::new();
    let _ = r.encode(&mut out);
    assert_eq!(String::from_utf8_lossy(&out), line);
    crate::IntoStatic::into_static(r)
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
fn return_options() {
    let cmd = command("A01 SEARCH RETURN (CONTEXT COUNT) UNDELETED\r\n");
    let CommandBody::Search { return_opts, .. } = &cmd.body else {
        panic!()
    };
    assert_eq!(
        return_opts.as_deref(),
        Some(&[SearchReturnOpt::Context, SearchReturnOpt::Count][..])
    );
    command("B01 UID SEARCH RETURN (UPDATE COUNT) DELETED\r\n");
    // RFC 5267 §4.3's example has no sort-criteria, which `extended-sort` (§5) requires:
    // "B02 UID SORT RETURN (UPDATE COUNT) UTF-8 KEYWORD $Junk" is refused; with criteria it
    // parses.
    rejects_command(
        "B02 UID SORT RETURN (UPDATE COUNT) UTF-8 KEYWORD $Junk\r\n",
        35,
        "\"(\"",
    );
    command("B02 UID SORT RETURN (UPDATE COUNT) (DATE) UTF-8 KEYWORD $Junk\r\n");
    let cmd = command("A02 UID SEARCH RETURN (PARTIAL 23500:24000) UNDELETED UNKEYWORD $Junk\r\n");
    let CommandBody::Search { return_opts, .. } = &cmd.body else {
        panic!()
    };
    assert!(matches!(
        return_opts.as_deref(),
        Some([SearchReturnOpt::Partial(PartialRange::First(a, b))]) if a.get() == 23500 && b.get() == 24000
    ));
    // RFC 9394 §3.1
    command("A01 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED\r\n");
    for (line, at, rule) in [
        ("a SEARCH RETURN (PARTIAL) ALL\r\n", 24, "SP"),
        ("a SEARCH RETURN (PARTIAL 1) ALL\r\n", 26, "\":\""),
        ("a SEARCH RETURN (PARTIAL 1:*) ALL\r\n", 27, "nz-number"),
        ("a SEARCH RETURN (PARTIAL -1:5) ALL\r\n", 28, "MINUS"),
        ("a SEARCH RETURN (PARTIAL 0:5) ALL\r\n", 25, "nz-number"),
    ] {
        rejects_command(line, at, rule);
    }
}

#[test]
fn return_data() {
    let r = response("* ESEARCH (TAG \"B01\") UID ADDTO (0 32768:32769)\r\n");
    let Response::Data(Data::Esearch(e)) = &r else {
        panic!()
    };
    let SearchReturnData::AddTo(u) = &e.data[0] else {
        panic!()
    };
    assert_eq!(u.pairs()[0].0, 0);
    response("* ESEARCH (TAG \"C01\") UID ADDTO (1 2733 1 2732 1 2731)\r\n");
    response("* ESEARCH (TAG \"C01\") UID ADDTO (1 2733) ADDTO (1 2731:2732)\r\n");
    response("* ESEARCH (TAG \"B01\") UID REMOVEFROM (0 32768)\r\n");
    let r = response("* ESEARCH (TAG \"A04\") UID PARTIAL (24000:24500 NIL)\r\n");
    let Response::Data(Data::Esearch(e)) = &r else {
        panic!()
    };
    assert!(matches!(e.data[0], SearchReturnData::Partial(_, None)));
    response("* ESEARCH (TAG \"A01\") UID PARTIAL (-1:-100 25900:26600)\r\n");
    response("* ESEARCH (TAG \"A03\") UID PARTIAL (1:500 2:14,18,20:499)\r\n");
    for (line, at, rule) in [
        ("* ESEARCH ADDTO ()\r\n", 17, "number"),
        ("* ESEARCH ADDTO (1)\r\n", 18, "SP"),
        ("* ESEARCH ADDTO (1 $)\r\n", 19, "sequence-set"),
        ("* ESEARCH ADDTO (1 2 )\r\n", 21, "number"),
        ("* ESEARCH PARTIAL (1:5)\r\n", 22, "SP"),
        ("* ESEARCH PARTIAL 1:5 NIL\r\n", 18, "\"(\""),
        ("* ESEARCH PARTIAL (1:5 $)\r\n", 23, "sequence-set"),
    ] {
        rejects_response(line, at, rule);
    }
}

#[test]
fn noupdate_and_cancelupdate() {
    let r = response("* NO [NOUPDATE \"B02\"] Too many contexts\r\n");
    let Response::Status(s) = &r else { panic!() };
    assert!(matches!(s.code(), Some(Code::NoUpdate(q)) if q.as_str() == "B02"));
    let cmd = command("B04 CANCELUPDATE \"B01\"\r\n");
    assert_eq!(cmd.kind(), CommandKind::CancelUpdate);
    command("B05 CANCELUPDATE \"B01\" \"B02\"\r\n");
    rejects_command("B04 CANCELUPDATE\r\n", 16, "SP");
    rejects_command("B04 CANCELUPDATE B01\r\n", 17, "DQUOTE");
}

/// RFC 9394 §3.2: the FETCH modifier, once PARTIAL is advertised.
#[test]
fn fetch_partial_modifier() {
    use crate::context::{Extension, ParseOptions};
    use crate::ext::slots::FetchModifier;
    let options = ParseOptions::default().with_extension(Extension::Partial);
    for line in [
        "10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n",
        "11 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL 1:5)\r\n",
    ] {
        let cmd = Command::parse_with(line.as_bytes(), &options)
            .unwrap()
            .value;
        let CommandBody::Fetch { modifiers, .. } = &cmd.body else {
            panic!()
        };
        assert!(matches!(modifiers[..], [FetchModifier::Partial(_)]));
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(String::from_utf8_lossy(&out), line);
        // Not advertised: the slot is closed.
        assert!(Command::parse(line.as_bytes()).is_err());
    }
    let both = options.with_extension(Extension::CondStore);
    let line =
        "101 UID FETCH 25900:26600 (UID FLAGS MODSEQ) (PARTIAL -1:-100 CHANGEDSINCE 12345)\r\n";
    assert!(Command::parse_with(line.as_bytes(), &both).is_ok());
    let e = Command::parse_with(b"a FETCH 1 FLAGS (PARTIAL -1:5)\r\n", &both).unwrap_err();
    assert_eq!((e.offset, e.expected), (28, "MINUS"));
}
