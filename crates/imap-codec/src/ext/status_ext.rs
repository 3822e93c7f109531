//! STATUS extensions: SIZE (RFC 8438), DELETED (RFC 9051 §6.3.11) and APPENDLIMIT
//! (RFC 7889), with the TOOBIG response code APPENDLIMIT refers to (RFC 4469 §4.2).
//!
//! - `status-att =/ "SIZE"`, `status-att-val =/ "SIZE" SP number64` (RFC 8438 §5; RFC 9051
//!   §9 has both, and `DELETED SP number`): rows of the status tables
//!   ([`crate::command::StatusAttribute::Size`], `Deleted`).
//! - RFC 7889 §5:
//!
//!   ```text
//!   capability     =/ "APPENDLIMIT" ["=" number]
//!   status-att     =/ "APPENDLIMIT"
//!   status-att-val =/ "APPENDLIMIT" SP (number / nil)
//!   ```
//!
//!   [`crate::command::StatusAttribute::AppendLimit`],
//!   [`crate::response::StatusAttributeValue::AppendLimit`] (`None`: NIL, no limit for this
//!   mailbox), and [`append_limit`], which reads the capability (an `atom`, kept as
//!   [`crate::Capability::Other`]).
//! - RFC 7889 §4 says a server rejects a too-large APPEND "with a tagged TOOBIG response
//!   code", and refers to RFC 4469 §4.2 for it: `toobig-response-code = "TOOBIG"` (RFC 4469
//!   §5). It is [`crate::response::Code::TooBig`]. (RFC 9051 does not define TOOBIG; its
//!   `LIMIT` code, from RFC 5530, is the general one.)
//!
//! None of these depends on ENABLE; the names are new.

use crate::capability::Capability;
use crate::core::nil;
use crate::encode::Encoder;
use crate::error::PResult;
use crate::parse::{number, sp};

/// `SP (number / nil)` after `APPENDLIMIT` in a STATUS response (RFC 7889 §5).
pub(crate) fn sp_number_or_nil(i: &[u8]) -> PResult<'_, Option<u32>> {
    let (i, ()) = sp(i)?;
    if let Ok((r, ())) = nil(i) {
        return Ok((r, None));
    }
    number(i).map(|(r, n)| (r, Some(n)))
}

/// Writes `SP (number / nil)`.
pub(crate) fn encode_sp_number_or_nil(n: Option<u32>, e: &mut Encoder<'_>) {
    e.sp();
    match n {
        Some(n) => e.number(u64::from(n)),
        None => e.raw(b"NIL"),
    };
}

/// The `APPENDLIMIT ["=" number]` capability (RFC 7889 §3, §5): `None` when `cap` is
/// something else, `Some(None)` for `APPENDLIMIT` (the limit differs per mailbox: ask STATUS),
/// `Some(Some(n))` for `APPENDLIMIT=n`. A malformed number (`APPENDLIMIT=x`) is `None`.
///
/// ```
/// use mailproto_imap_codec::Capability;
/// use mailproto_imap_codec::ext::status_ext::append_limit;
/// assert_eq!(append_limit(&Capability::parse_str("APPENDLIMIT=257890").unwrap()), Some(Some(257890)));
/// assert_eq!(append_limit(&Capability::parse_str("appendlimit").unwrap()), Some(None));
/// assert_eq!(append_limit(&Capability::parse_str("APPENDLIMIT=").unwrap()), None);
/// assert_eq!(append_limit(&Capability::Idle), None);
/// ```
pub fn append_limit(cap: &Capability<'_>) -> Option<Option<u32>> {
    let Capability::Other(other) = cap else {
        return None;
    };
    let name = other.as_str().as_bytes();
    const NAME: &[u8] = b"APPENDLIMIT";
    if name.len() < NAME.len() || !name[..NAME.len()].eq_ignore_ascii_case(NAME) {
        return None;
    }
    match &name[NAME.len()..] {
        [] => Some(None),
        [b'=', digits @ ..] => match number(digits) {
            Ok(([], n)) => Some(Some(n)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{CommandBody, StatusAttribute};
    use crate::prelude::*;
    use crate::response::{Code, Data, StatusAttributeValue};
    use crate::{Command, Response};

    fn cmd(line: &[u8]) -> Command<'_> {
        let c = Command::parse(line).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        assert_eq!(out, line);
        c
    }

    fn resp(line: &[u8]) -> Response<'_> {
        let r = Response::parse(line).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        r
    }

    fn status_values<'a>(r: &'a Response<'_>) -> &'a [StatusAttributeValue<'a>] {
        let Response::Data(Data::Status(s)) = r else {
            panic!("{r:?}")
        };
        &s.attributes
    }

    /// RFC 8438 §4 examples.
    #[test]
    fn status_size_examples() {
        let c = cmd(b"A01 STATUS frop (MESSAGES SIZE UIDNEXT)\r\n");
        let CommandBody::Status { items, .. } = &c.body else {
            panic!()
        };
        assert_eq!(items[1], StatusAttribute::Size);
        let r = resp(b"* STATUS frop (MESSAGES 8 SIZE 44421 UIDNEXT 242344)\r\n");
        assert!(matches!(status_values(&r)[1], StatusAttributeValue::Size(n) if n.get() == 44421));
        cmd(b"A04 LIST \"\" % RETURN (STATUS (MESSAGES SIZE))\r\n");
        assert!(Response::parse(b"* STATUS \"INBOX\" (MESSAGES 17 SIZE 16234)\r\n").is_ok());
        resp(b"* STATUS frop (MESSAGES 8 SIZE 44421)\r\n");
        let r = resp(b"* STATUS x (DELETED 3 SIZE 9223372036854775807)\r\n");
        assert_eq!(status_values(&r)[0], StatusAttributeValue::Deleted(3));
    }

    /// RFC 7889 §3, §4 examples.
    #[test]
    fn appendlimit_examples() {
        let r = resp(b"* CAPABILITY IMAP4rev1 ID APPENDLIMIT=257890\r\n");
        let Response::Data(Data::Capability(caps)) = &r else {
            panic!()
        };
        assert_eq!(
            caps.capabilities().iter().find_map(append_limit),
            Some(Some(257890))
        );
        resp(b"* CAPABILITY IMAP4rev1 ID APPENDLIMIT\r\n");
        let c = cmd(b"t1 STATUS INBOX (APPENDLIMIT)\r\n");
        let CommandBody::Status { items, .. } = &c.body else {
            panic!()
        };
        assert_eq!(items[0], StatusAttribute::AppendLimit);
        let r = resp(b"* STATUS INBOX (APPENDLIMIT 257890)\r\n");
        assert_eq!(
            status_values(&r)[0],
            StatusAttributeValue::AppendLimit(Some(257890))
        );
        let r = resp(b"* STATUS INBOX (APPENDLIMIT NIL)\r\n");
        assert_eq!(
            status_values(&r)[0],
            StatusAttributeValue::AppendLimit(None)
        );
        cmd(b"t1 LIST \"\" % RETURN (STATUS (APPENDLIMIT))\r\n");
        let r = resp(b"a NO [TOOBIG] Message too large\r\n");
        assert!(format!("{r:?}").contains("TooBig"));
        assert_eq!(Code::TooBig.kind().unwrap().name(), "TOOBIG");
    }

    #[test]
    fn bad_input() {
        for (line, offset, expected) in [
            (&b"* STATUS x (APPENDLIMIT)\r\n"[..], 23, "SP"),
            (b"* STATUS x (APPENDLIMIT -1)\r\n", 24, "number"),
            (b"* STATUS x (APPENDLIMIT 4294967296)\r\n", 24, "number"),
            (b"* STATUS x (SIZE NIL)\r\n", 17, "number64"),
        ] {
            let e = Response::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{e}");
        }
        let e = Command::parse(b"a STATUS x (APPENDLIMITS)\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (12, "status-att"));
        // With an argument it is not the code: strict reads the bracket as text.
        let r = Response::parse(b"a NO [TOOBIG 5] x\r\n").unwrap();
        assert!(!format!("{r:?}").contains("TooBig"), "{r:?}");
    }
}
