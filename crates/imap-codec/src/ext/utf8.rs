//! UTF8=ACCEPT and UTF8=ONLY (RFC 6855): UTF-8 mailbox names, quoted strings and message
//! headers.
//!
//! ```text
//! utf8-literal = "UTF8" SP "(" literal8 ")"     ; RFC 6855 §4
//! append-data  =/ utf8-literal
//! cat-part     =/ utf8-literal                  ; with CATENATE, RFC 4469
//! capability   =/ "UTF8=ACCEPT" / "UTF8=ONLY"   ; RFC 6855 §3, §6
//! ```
//!
//! What the extension changes, and where it lives:
//!
//! - `APPEND ... UTF8 (~{n}...)` (§4): [`AppendData::Utf8`] and [`CatPart::Utf8`], parsed
//!   here. Like the other append data, the form is recognised whatever is in force (it
//!   cannot be confused with base syntax); a server that has not seen `ENABLE UTF8=ACCEPT`
//!   answers NO (§4), which is the session's decision, not the grammar's.
//! - UTF-8 in quoted strings and mailbox names once `ENABLE UTF8=ACCEPT` succeeded (§3,
//!   [`crate::context::Extension::Utf8Accept`]): the strict grammar of this crate is RFC 3501
//!   ∪ RFC 9051, and RFC 9051 §9 already allows UTF-8 in `quoted` (`QUOTED-CHAR =/
//!   UTF8-2 / UTF8-3 / UTF8-4`) and mailbox names (§5.1), so valid UTF-8 is accepted with or
//!   without the extension and anything that is not valid UTF-8 is rejected in both cases
//!   (tests below). The context flag is for the sessions and encoders (whether to send a
//!   mailbox name as UTF-8 or as modified UTF-7, RFC 6855 §3).
//! - `UTF8=ONLY` (§6) adds nothing to the grammar: a server that advertises it has UTF-8
//!   mailbox names only, and the client must enable UTF8=ACCEPT.
//!
//! [`AppendData::Utf8`]: crate::command::AppendData::Utf8
//! [`CatPart::Utf8`]: crate::ext::catenate::CatPart::Utf8

use crate::core::Literal8;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::parse::{byte, keyword, rparen, sp};

/// `utf8-literal = "UTF8" SP "(" literal8 ")"` (RFC 6855 §4).
pub(crate) fn parse_utf8_literal(i: &[u8]) -> PResult<'_, Literal8<'_>> {
    crate::parse::rule("utf8-literal", |i| {
        let (i, ()) = keyword(i, "UTF8")?;
        let (i, ()) = sp(i)?;
        let (i, ()) = byte(i, b'(', "\"(\"")?;
        let (i, l) = Literal8::parse::<true>(i)?;
        let (i, ()) = rparen(i)?;
        Ok((i, l))
    })(i)
}

/// Writes `"UTF8" SP "(" literal8 ")"`.
pub(crate) fn encode_utf8_literal(l: &Literal8<'_>, e: &mut Encoder<'_>) {
    e.raw(b"UTF8 (");
    l.encode(e);
    e.byte(b')');
}

#[cfg(test)]
mod tests {
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{AppendData, CommandBody};
    use crate::context::{Extension, ParseOptions};
    use crate::encode::EncodeOptions;
    use crate::prelude::*;
    use crate::{Capability, Command};

    /// RFC 6855 §4: the UTF8 data extension, alone and in a MULTIAPPEND.
    #[test]
    fn utf8_append() {
        let msg = "Subject: Caf\u{e9}\r\n\r\nbonjour\r\n";
        let line = format!("a APPEND INBOX UTF8 (~{{{}}}\r\n{msg})\r\n", msg.len());
        let c = roundtrip(line.as_bytes(), true);
        let CommandBody::Append { message, .. } = &c.body else {
            panic!()
        };
        assert!(matches!(message, AppendData::Utf8(_)));
        assert_eq!(message.data(), Some(msg.as_bytes()));
        let mut out = Vec::new();
        assert_eq!(
            c.encode(&mut out, &EncodeOptions::default())
                .sync_points
                .len(),
            1
        );
        for line in [
            "a APPEND INBOX (\\Seen) UTF8 (~{3+}\r\n\0\u{e9})\r\n",
            "a APPEND INBOX {1}\r\nx UTF8 (~{1}\r\ny)\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        roundtrip(b"a APPEND INBOX utf8 (~{1}\r\ny)\r\n", false);
        rejects(b"a APPEND INBOX UTF8 ({1}\r\ny)\r\n", 21, "literal8");
        rejects(b"a APPEND INBOX UTF8 (~{1}\r\ny\r\n", 28, "\")\"");
        rejects(b"a APPEND INBOX UTF8(~{1}\r\ny)\r\n", 19, "SP");
        rejects(b"a APPEND INBOX UTF8 ~{1}\r\ny\r\n", 20, "\"(\"");
        rejects(b"a APPEND INBOX UTF9 (~{1}\r\ny)\r\n", 15, "literal");
    }

    /// RFC 6855 §3: UTF-8 mailbox names and quoted strings parse alike with and without
    /// UTF8=ACCEPT in force (RFC 9051 already allows them); 8-bit octets that are not UTF-8
    /// are rejected either way.
    #[test]
    fn utf8_strings_by_context() {
        let accept = ParseOptions::default().with_extension(Extension::Utf8Accept);
        for line in [
            "a SELECT \"Entw\u{fc}rfe\"\r\n",
            "a CREATE \"\u{65e5}\u{672c}\"\r\n",
            "a LOGIN \"r\u{e9}mi\" \"x\"\r\n",
        ] {
            let strict = Command::parse(line.as_bytes()).unwrap();
            let enabled = Command::parse_with(line.as_bytes(), &accept).unwrap();
            assert_eq!(strict, enabled.value);
            roundtrip(line.as_bytes(), true);
        }
        for bad in [
            &b"a SELECT \"a\xffb\"\r\n"[..],
            b"a SELECT \"\xc3\"\r\n",
            b"a SELECT a\xc3\xa9\r\n",
        ] {
            assert!(Command::parse(bad).is_err(), "{bad:?}");
            assert!(Command::parse_with(bad, &accept).is_err(), "{bad:?}");
        }
        // ENABLE UTF8=ACCEPT and the capabilities.
        let c = roundtrip(b"a ENABLE UTF8=ACCEPT\r\n", true);
        let CommandBody::Enable { capabilities } = &c.body else {
            panic!()
        };
        assert_eq!(capabilities.first(), &Capability::Utf8Accept);
    }
}
