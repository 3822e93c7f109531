//! ID: RFC 2971 (§3.1 the command, §3.2 the response, §3.3 the fields, §4 the grammar).
//!
//! ```text
//! id ::= "ID" SPACE id_params_list
//! id_response ::= "ID" SPACE id_params_list
//! id_params_list ::= "(" #(string SPACE nstring) ")" / nil
//! ```
//!
//! RFC 2971 writes its grammar in the RFC 2060 notation, where `#` is a list; its own examples
//! (§3.1, §3.2) separate the pairs with SP, as every implementation does, and so do we. An
//! empty list `()` is allowed by `#` and parses; the encoder writes an empty list as `NIL`
//! (Exchange rejects `ID ()`; both forms mean "no information", §3.1). The §3.3 limits (30
//! octets per field, 1024 per value, 30 pairs) bind senders and are not checked by the parser.
//!
//! The command is a row of the command table (any state, capability `ID`); the response a row
//! of the data table.

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::command::CommandBody;
use crate::context::Ctx;
use crate::core::{IString, NString};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::parse::sp;

/// One field/value pair of `id_params_list`: `string SPACE nstring` (RFC 2971 §4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IdParam<'a> {
    /// The field, e.g. `"name"` (RFC 2971 §3.3; case-insensitive).
    pub field: IString<'a>,
    /// The value; NIL when the sender cannot or will not say.
    pub value: NString<'a>,
}

impl<'a> IdParam<'a> {
    /// The pair `field value`.
    pub fn new(field: IString<'a>, value: NString<'a>) -> Self {
        IdParam { field, value }
    }
}

/// `id_params_list ::= "(" #(string SPACE nstring) ")" / nil` (RFC 2971 §4); `NIL` and `()`
/// are both the empty list.
pub(crate) fn parse_params<const CMD: bool>(i: &[u8]) -> PResult<'_, Vec<IdParam<'_>>> {
    match i.first() {
        Some(b'N' | b'n') => match crate::core::nil(i) {
            Ok((r, ())) => Ok((r, Vec::new())),
            Err(_) => fail(i, "id_params_list"),
        },
        Some(b'(') => crate::parse::paren_list(i, true, |i| {
            let (i, field) = match i.first() {
                Some(b'"' | b'{') => IString::parse::<CMD>(i)?,
                _ => return fail(i, "string"),
            };
            let (i, ()) = sp(i)?;
            let (i, value) = NString::parse_as::<CMD>(i, "nstring")?;
            Ok((i, IdParam { field, value }))
        }),
        _ => fail(i, "id_params_list"),
    }
}

/// Writes `id_params_list`: `NIL` for the empty list.
pub(crate) fn encode_params(params: &[IdParam<'_>], e: &mut Encoder<'_>) {
    if params.is_empty() {
        e.raw(b"NIL");
        return;
    }
    e.paren_list(params, |e, p| {
        p.field.encode(e);
        e.sp();
        p.value.encode(e);
    });
}

/// The command row's parser: `SP id_params_list` after `ID`.
pub(crate) fn parse_id<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, params) = parse_params::<true>(i)?;
    Ok((i, CommandBody::Id { params }))
}

/// The command row's encoder.
pub(crate) fn encode_id(params: &[IdParam<'_>], e: &mut Encoder<'_>) {
    e.sp();
    encode_params(params, e);
}

/// The data row's parser: `SP id_params_list` after `ID`.
pub(crate) fn parse_id_response<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Vec<IdParam<'a>>> {
    let (i, ()) = sp(i)?;
    parse_params::<false>(i)
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, CommandBody, CommandKind, States};
    use crate::prelude::*;
    use crate::response::{Data, Response};
    use crate::{Capability, EncodeOptions};

    fn round_trip_command(line: &str, expect: &str) -> Command<'static> {
        let cmd = Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(String::from_utf8_lossy(&out), expect);
        crate::IntoStatic::into_static(cmd)
    }

    #[test]
    fn command_rfc_2971_examples() {
        // RFC 2971 §3.1 (one line: the RFC folds it for the page).
        let cmd = round_trip_command(
            "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n",
            "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n",
        );
        let CommandBody::Id { params } = &cmd.body else {
            panic!()
        };
        assert_eq!(params.len(), 3);
        assert_eq!(
            params[2].value.as_bytes(),
            Some(&b"Pink Floyd Music Limited"[..])
        );
        // RFC 2971 §3.2.
        round_trip_command("a042 ID NIL\r\n", "a042 ID NIL\r\n");
        // `()` parses; our encoder writes NIL (Exchange rejects `ID ()`).
        round_trip_command("a1 id ()\r\n", "a1 ID NIL\r\n");
        round_trip_command("a1 ID (\"os\" NIL)\r\n", "a1 ID (\"os\" NIL)\r\n");
        assert_eq!(CommandKind::Id.states(), States::ANY);
        assert_eq!(CommandKind::Id.capability(), Some(Capability::Id));
    }

    #[test]
    fn response_rfc_2971_examples() {
        for line in [
            "* ID NIL\r\n",
            "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n",
            "* ID (\"name\" {4}\r\nDove)\r\n",
        ] {
            let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
            assert!(matches!(r, Response::Data(Data::Id(_))));
            let mut out = Vec::new();
            let _ = r.encode(&mut out);
            assert_eq!(String::from_utf8_lossy(&out), line);
        }
    }

    #[test]
    fn bad_input() {
        for (bad, offset, expected) in [
            (&b"a ID\r\n"[..], 4, "SP"),
            (b"a ID ()x\r\n", 7, "CRLF"),
            (b"a ID (name \"x\")\r\n", 6, "string"),
            (b"a ID (\"name\")\r\n", 12, "SP"),
            (b"a ID (\"name\" x)\r\n", 13, "nstring"),
            (b"a ID NILS\r\n", 8, "CRLF"),
            (b"a ID foo\r\n", 5, "id_params_list"),
            (b"a ID (\"a\" \"b\"  \"c\" \"d\")\r\n", 14, "string"),
        ] {
            let e = Command::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
        let e = Response::parse(b"* ID\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (4, "SP"));
        // A server's literal is never non-synchronizing.
        assert!(Response::parse(b"* ID (\"a\" {1+}\r\nb)\r\n").is_err());
    }
}
