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
//!   [`crate::context::Extension::Utf8Accept`]): before, the strict profile reads `quoted` as
//!   RFC 3501 §9 does (`QUOTED-CHAR` is 7-bit) and the first 8-bit octet of a quoted string
//!   is an error; once in force, valid UTF-8 is accepted (RFC 9051 §9 `QUOTED-CHAR =/ UTF8-2 /
//!   UTF8-3 / UTF8-4`) and anything that is not valid UTF-8 is still rejected. Literals carry
//!   any octets either way. The sessions put it in force on `* ENABLED UTF8=ACCEPT` (the
//!   client when it reads it, the server when it sends it); `ENABLE IMAP4rev2` does too
//!   (RFC 9051 has UTF-8 quoted strings in its base syntax). The real-world profile reads
//!   UTF-8 quoted strings whatever is in force (servers send them unasked).
//! - `UTF8=ONLY` (§6) implies UTF8=ACCEPT: [`crate::Extension::from_capability`] maps it to
//!   `Utf8Accept` (for a trace's `# extensions:` header or an ENABLED list); the client must
//!   still enable UTF8=ACCEPT, never UTF8=ONLY (§6).
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
    use crate::command::test_util::{rejects, roundtrip, roundtrip_with};
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

    /// RFC 6855 §3: UTF-8 mailbox names and quoted strings parse only once UTF8=ACCEPT is in
    /// force (or UTF8=ONLY, IMAP4rev2; the real-world profile reads them as
    /// `eight-bit-in-quoted`); before, the first 8-bit octet of the quoted string is an error
    /// (RFC 3501 §9 `QUOTED-CHAR`). 8-bit octets that are
    /// not UTF-8 are rejected either way.
    #[test]
    fn utf8_strings_by_context() {
        let accept = ParseOptions::default().with_extension(Extension::Utf8Accept);
        for (line, at) in [
            ("a SELECT \"Entw\u{fc}rfe\"\r\n", 14),
            ("a CREATE \"\u{65e5}\u{672c}\"\r\n", 10),
            ("a LOGIN \"r\u{e9}mi\" \"x\"\r\n", 10),
        ] {
            rejects(line.as_bytes(), at, "QUOTED-CHAR");
            let enabled = Command::parse_with(line.as_bytes(), &accept).unwrap();
            roundtrip_with(line.as_bytes(), true, &accept);
            for cap in [Capability::Utf8Only, Capability::Imap4rev2] {
                let ext = Extension::from_capability(&cap).unwrap();
                let options = ParseOptions::default().with_extension(ext);
                assert_eq!(
                    Command::parse_with(line.as_bytes(), &options),
                    Ok(enabled.clone())
                );
            }
            // Real-world reads it and names it, at the first 8-bit octet.
            let lenient = ParseOptions::default().with_profile(crate::Profile::RealWorld);
            let p = Command::parse_with(line.as_bytes(), &lenient).unwrap();
            let found: Vec<_> = p.deviations.iter().map(|d| (d.id, d.offset)).collect();
            assert_eq!(p.value, enabled.value);
            assert_eq!(
                found,
                [(crate::context::ImapDeviation::EightBitInQuoted, at)]
            );
        }
        // Literals carry any octets, with or without the extension.
        roundtrip("a SELECT {7}\r\nEntw\u{fc}r\r\n".as_bytes(), true);
        // A response's quoted strings too: the client parses them under what it enabled.
        let list = "* LIST () \"/\" \"Entw\u{fc}rfe\"\r\n";
        assert!(crate::Response::parse(list.as_bytes()).is_err());
        assert!(crate::Response::parse_with(list.as_bytes(), &accept).is_ok());
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
