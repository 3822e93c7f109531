//! SAVEDATE (RFC 8514): the date a message was saved in its mailbox.
//!
//! RFC 8514 §5 (formal syntax):
//!
//! ```text
//! capability     =/ "SAVEDATE"
//! fetch-att      =/ "SAVEDATE"
//! msg-att-static =/ "SAVEDATE" SP (date-time / nil)
//! search-key     =/ "SAVEDBEFORE" SP date /
//!                   "SAVEDON" SP date /
//!                   "SAVEDSINCE" SP date /
//!                   "SAVEDATESUPPORTED"
//! ```
//!
//! Rows: [`crate::command::FetchAtt::SaveDate`], [`crate::response::MessageAttribute::SaveDate`]
//! (`None` is NIL: the mailbox does not keep save dates, §3), and the search keys
//! [`crate::command::SearchKey::SavedBefore`], `SavedOn`, `SavedSince` and
//! `SaveDateSupported`. The names are new, so the grammar does not depend on advertising.

use crate::context::Ctx;
use crate::core::nil;
use crate::datetime::DateTime;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::parse::sp;

/// `SP (date-time / nil)` after `SAVEDATE` in a FETCH response (RFC 8514 §5).
pub(crate) fn sp_date_time_or_nil<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Option<DateTime>> {
    let (i, ()) = sp(i)?;
    if let Ok((r, ())) = nil(i) {
        return Ok((r, None));
    }
    DateTime::parse(i).map(|(r, d)| (r, Some(d)))
}

/// Writes `SP (date-time / nil)`.
pub(crate) fn encode_sp_date_time_or_nil(d: &Option<DateTime>, e: &mut Encoder<'_>) {
    e.sp();
    match d {
        Some(d) => d.encode(e),
        None => {
            e.raw(b"NIL");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{CommandBody, FetchAtt, SearchKeyKind};
    use crate::prelude::*;
    use crate::response::{Data, MessageAttribute};
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

    /// RFC 8514 §4.1, §4.2 examples.
    #[test]
    fn rfc_examples() {
        let c = cmd(b"a FETCH 1:2 SAVEDATE\r\n");
        let CommandBody::Fetch { items, .. } = &c.body else {
            panic!()
        };
        assert_eq!(items.expand(), [FetchAtt::SaveDate]);
        let r = resp(b"* 1 FETCH (SAVEDATE \"10-Nov-2015 09:00:00 +0100\")\r\n");
        let Response::Data(Data::Fetch(f)) = &r else {
            panic!("{r:?}")
        };
        assert!(matches!(
            f.attributes.first().as_deref(),
            Some(MessageAttribute::SaveDate(Some(_)))
        ));
        resp(b"* 2 FETCH (SAVEDATE \"12-Nov-2015 19:30:00 +0100\")\r\n");
        let r = resp(b"* 3 FETCH (SAVEDATE NIL)\r\n");
        assert!(format!("{r:?}").contains("SaveDate(None)"));
        resp(b"a OK Fetch completed\r\n");
        for (line, kinds) in [
            (
                &b"a SEARCH SAVEDON 9-Nov-2015\r\n"[..],
                &[SearchKeyKind::SavedOn][..],
            ),
            (
                b"b SEARCH SAVEDSINCE 11-Nov-2015 SAVEDBEFORE 20-Nov-2015\r\n",
                &[SearchKeyKind::SavedSince, SearchKeyKind::SavedBefore],
            ),
            (
                b"c SEARCH SAVEDATESUPPORTED\r\n",
                &[SearchKeyKind::SaveDateSupported],
            ),
        ] {
            let CommandBody::Search { criteria, .. } = cmd(line).body else {
                panic!()
            };
            let got: Vec<_> = criteria.iter().map(|k| k.kind()).collect();
            assert_eq!(got, kinds);
        }
    }

    #[test]
    fn bad_input() {
        for (line, offset, expected) in [
            (&b"* 1 FETCH (SAVEDATE)\r\n"[..], 19, "SP"),
            (b"* 1 FETCH (SAVEDATE 10-Nov-2015)\r\n", 20, "date-time"),
            (b"* 1 FETCH (SAVEDATE \"10-Nov-2015\")\r\n", 32, "SP"),
        ] {
            let e = Response::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{e}");
        }
        let e = Command::parse(b"a SEARCH SAVEDON 31-Nov-2015\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (17, "date"));
        let e = Command::parse(b"a SEARCH SAVEDATESUPPORTED1\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (9, "search-key"));
        let e = Command::parse(b"a FETCH 1 SAVEDATE[]\r\n").unwrap_err();
        assert_eq!(e.offset, 18);
    }
}
