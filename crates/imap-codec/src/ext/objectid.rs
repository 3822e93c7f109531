//! OBJECTID (RFC 8474): stable identifiers for mailboxes, messages and threads.
//!
//! RFC 8474 §7 (formal syntax) adds, and this crate has them in its tables:
//!
//! - `objectid = 1*255(ALPHA / DIGIT / "_" / "-")`: [`ObjectId`] (case-sensitive, §7);
//! - `resp-text-code =/ "MAILBOXID" SP "(" objectid ")"` (§4.1: CREATE's tagged OK):
//!   [`crate::response::Code::MailboxId`];
//! - `status-att =/ "MAILBOXID"` and `status-att-val =/ "MAILBOXID" SP "(" objectid ")"`
//!   (§4.2): [`crate::command::StatusAttribute::MailboxId`],
//!   [`crate::response::StatusAttributeValue::MailboxId`];
//! - `fetch-att =/ "EMAILID" / "THREADID"` (§5.1, §5.2): [`crate::command::FetchAtt::EmailId`],
//!   [`crate::command::FetchAtt::ThreadId`];
//! - `msg-att-static =/ fetch-emailid-resp / fetch-threadid-resp`, with
//!   `fetch-emailid-resp = "EMAILID" SP "(" objectid ")"` and
//!   `fetch-threadid-resp = "THREADID" SP ( "(" objectid ")" / nil )`:
//!   [`crate::response::MessageAttribute::EmailId`],
//!   [`crate::response::MessageAttribute::ThreadId`];
//! - `search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid` (§6):
//!   [`crate::command::SearchKey::EmailId`], [`crate::command::SearchKey::ThreadId`].
//!
//! None of these depends on ENABLE: the names are new, so the grammar is the same whether or
//! not the server advertised `OBJECTID` (a server that did not is expected to answer BAD).

use alloc::borrow::Cow;

use crate::core::{IntoStatic, nil};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::parse::{ascii_str, byte, lparen, take_while};

/// The longest object identifier (RFC 8474 §7: `1*255`).
pub const OBJECTID_MAX: usize = 255;

fn is_objectid_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §7): a server-assigned
/// identifier of a mailbox, message or thread; case-sensitive.
///
/// ```
/// use mailproto_imap_codec::ext::objectid::ObjectId;
/// assert_eq!(ObjectId::new("F2212ea87-6097-4256-9d51-71338625").unwrap().as_str().len(), 33);
/// assert!(ObjectId::new("").is_err());
/// assert!(ObjectId::new("a.b").is_err());
/// assert!(ObjectId::new("x".repeat(256)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ObjectId<'a>(Cow<'a, str>);

impl<'a> ObjectId<'a> {
    /// Checks `id` against the rule.
    pub fn new(id: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let id = id.into();
        let b = id.as_bytes();
        if b.is_empty() {
            return Err(ValidationError::new("objectid", None));
        }
        if let Some(p) = b.iter().position(|&c| !is_objectid_char(c)) {
            return Err(ValidationError::new("objectid", Some(p)));
        }
        if b.len() > OBJECTID_MAX {
            return Err(ValidationError::new("objectid", Some(OBJECTID_MAX)));
        }
        Ok(ObjectId(id))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses `objectid`: 1 to 255 characters, and no further `objectid` character after
    /// them (a 256th one is an error, not the start of something else).
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, run) = take_while(i, is_objectid_char);
        if run.is_empty() {
            return fail(i, "objectid");
        }
        if run.len() > OBJECTID_MAX {
            return fail_kind(i, "objectid", ErrorKind::InvalidValue);
        }
        Ok((rest, ObjectId(Cow::Borrowed(ascii_str(run)))))
    }

    /// Parses `"(" objectid ")"` (the value of EMAILID, THREADID, MAILBOXID responses).
    pub(crate) fn parse_paren(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, ()) = lparen(i)?;
        let (r, id) = ObjectId::parse(r)?;
        let (r, ()) = byte(r, b')', "\")\"")?;
        Ok((r, id))
    }

    /// Parses `"(" objectid ")" / nil` (the value of a THREADID response).
    pub(crate) fn parse_paren_or_nil(i: &'a [u8]) -> PResult<'a, Option<Self>> {
        if let Ok((r, ())) = nil(i) {
            return Ok((r, None));
        }
        ObjectId::parse_paren(i).map(|(r, id)| (r, Some(id)))
    }

    /// Writes `"(" objectid ")"`.
    pub(crate) fn encode_paren(&self, e: &mut Encoder<'_>) {
        e.byte(b'(').raw(self.0.as_bytes()).byte(b')');
    }

    /// Writes `"(" objectid ")" / nil`.
    pub(crate) fn encode_paren_or_nil(id: Option<&Self>, e: &mut Encoder<'_>) {
        match id {
            Some(id) => id.encode_paren(e),
            None => {
                e.raw(b"NIL");
            }
        }
    }
}

impl Encode for ObjectId<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.0.as_bytes());
    }
}

/// `"(" objectid ")"` after `SP` (the response forms), a row parser for the response tables.
pub(crate) fn sp_paren_objectid<'a>(
    i: &'a [u8],
    _: &crate::context::Ctx<'_>,
) -> PResult<'a, ObjectId<'a>> {
    let (i, ()) = crate::parse::sp(i)?;
    ObjectId::parse_paren(i)
}

/// Writes `SP "(" objectid ")"`.
pub(crate) fn encode_sp_paren_objectid(id: &ObjectId<'_>, e: &mut Encoder<'_>) {
    e.sp();
    id.encode_paren(e);
}

/// A generator for [`ObjectId`]s (fuzzing).
#[cfg(feature = "arbitrary")]
pub(crate) fn arbitrary_objectid(
    u: &mut arbitrary::Unstructured<'_>,
) -> arbitrary::Result<ObjectId<'static>> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    let n = u.int_in_range(1..=OBJECTID_MAX)?.min(u.len().max(1));
    let mut s = alloc::string::String::with_capacity(n);
    for _ in 0..n {
        s.push(char::from(*u.choose(CHARS)?));
    }
    Ok(ObjectId(Cow::Owned(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{CommandBody, FetchAtt, SearchKey, StatusAttribute};
    use crate::prelude::*;
    use crate::response::{Code, MessageAttribute, StatusAttributeValue};
    use crate::{Command, Response};

    fn cmd_roundtrip(line: &[u8]) -> Command<'_> {
        let c = Command::parse(line).unwrap_or_else(|e| panic!("{e}: {:?}", line));
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        assert_eq!(
            Command::parse(&out).unwrap().into_static(),
            c.clone().into_static()
        );
        c
    }

    fn resp_roundtrip(line: &[u8]) -> Response<'_> {
        let r = Response::parse(line).unwrap_or_else(|e| panic!("{e}: {:?}", line));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line, "{}", String::from_utf8_lossy(&out));
        r
    }

    /// RFC 8474 §4.1, §4.2, §5.1, §5.2, §6 examples.
    #[test]
    fn rfc_examples() {
        cmd_roundtrip(b"3 create foo\r\n");
        resp_roundtrip(b"3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed\r\n");
        let c = cmd_roundtrip(b"5 status foo (mailboxid)\r\n");
        let CommandBody::Status { items, .. } = &c.body else {
            panic!()
        };
        assert_eq!(items.first(), &StatusAttribute::MailboxId);
        let r = resp_roundtrip(b"* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n");
        assert!(format!("{r:?}").contains("MailboxId"));
        cmd_roundtrip(b"27 uid fetch 1:* (emailid)\r\n");
        resp_roundtrip(b"* 1 FETCH (EMAILID (M6d99ac3275bb4e) UID 1)\r\n");
        cmd_roundtrip(b"28 uid fetch 1:* (threadid)\r\n");
        resp_roundtrip(b"* 1 FETCH (THREADID (T64b478a75b7ea9) UID 1)\r\n");
        resp_roundtrip(b"* 4 FETCH (THREADID NIL UID 6)\r\n");
        let c = cmd_roundtrip(b"27 search emailid M6d99ac3275bb4e\r\n");
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        assert_eq!(
            criteria.first(),
            SearchKey::EmailId(ObjectId::new("M6d99ac3275bb4e").unwrap())
        );
        cmd_roundtrip(b"28 search threadid T64b478a75b7ea9\r\n");
        let c = cmd_roundtrip(b"a FETCH 1 (EMAILID THREADID)\r\n");
        let CommandBody::Fetch { items, .. } = &c.body else {
            panic!()
        };
        assert_eq!(items.expand(), [FetchAtt::EmailId, FetchAtt::ThreadId]);
    }

    #[test]
    fn values() {
        let r = Response::parse(b"* 4 FETCH (THREADID NIL EMAILID (a-_Z9))\r\n").unwrap();
        let Response::Data(d) = r else { panic!() };
        let s = format!("{d:?}");
        assert!(s.contains("ThreadId(None)") && s.contains("a-_Z9"), "{s}");
        let _ = MessageAttribute::EmailId(ObjectId::new("x").unwrap());
        let _ = StatusAttributeValue::MailboxId(ObjectId::new("x").unwrap());
        let _ = Code::MailboxId(ObjectId::new("x").unwrap());
        let long = "a".repeat(255);
        assert!(ObjectId::new(long.clone()).is_ok());
        let line = format!("* 1 FETCH (EMAILID ({long}))\r\n");
        resp_roundtrip(line.as_bytes());
    }

    #[test]
    fn bad_input() {
        for (line, offset, expected) in [
            (&b"* 1 FETCH (EMAILID M1)\r\n"[..], 19, "\"(\""),
            (b"* 1 FETCH (EMAILID ())\r\n", 20, "objectid"),
            (b"* 1 FETCH (EMAILID (a.b))\r\n", 21, "\")\""),
            (b"* 1 FETCH (EMAILID NIL)\r\n", 19, "\"(\""),
            (b"* 1 FETCH (THREADID (a b))\r\n", 22, "\")\""),
            (b"* STATUS foo (MAILBOXID abc)\r\n", 24, "\"(\""),
        ] {
            let e = Response::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{e}");
        }
        // A malformed known code is not the code: strict reads the bracket as text.
        let r = Response::parse(b"a OK [MAILBOXID ()] x\r\n").unwrap();
        assert!(!format!("{r:?}").contains("MailboxId"), "{r:?}");
        let long = format!("* 1 FETCH (EMAILID ({}))\r\n", "a".repeat(256));
        let e = Response::parse(long.as_bytes()).unwrap_err();
        assert_eq!((e.offset, e.kind), (20, ErrorKind::InvalidValue));
        let e = Command::parse(b"a SEARCH EMAILID (M1)\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (17, "objectid"));
        let e = Command::parse(b"a SEARCH THREADID\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (17, "SP"));
        let e = Command::parse(b"a FETCH 1 EMAILID.PEEK\r\n").unwrap_err();
        assert_eq!(e.expected, "fetch-att");
    }
}
