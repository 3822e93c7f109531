//! APPEND (RFC 9051 §6.3.12, RFC 3501 §6.3.11; §9 `append = "APPEND" SP mailbox
//! [SP flag-list] [SP date-time] SP literal`), with the message as a `literal` (`{n}` or
//! `{n+}`, RFC 7888) or a `literal8` (`~{n}`, RFC 3516 §4.4 / RFC 9051 §4.3.1), and the
//! extensions of the command: several messages in one APPEND (MULTIAPPEND, RFC 3502,
//! [`crate::ext::multiappend`]), a message made of parts (CATENATE, RFC 4469,
//! [`crate::ext::catenate`]) and UTF-8 messages (`UTF8 (~{n}...)`, RFC 6855 §4,
//! [`crate::ext::utf8`]). Their common rules, RFC 4466 §2.3:
//!
//! ```text
//! append         = "APPEND" SP mailbox 1*append-message      ; RFC 3502
//! append-message = [SP flag-list] [SP date-time] SP append-data
//! append-data    = literal / literal8                        ; RFC 9051, RFC 3516
//!                / "CATENATE" SP "(" cat-part *(SP cat-part) ")"  ; RFC 4469
//!                / utf8-literal                              ; RFC 6855
//! ```

use mailproto_core::IntoStatic;

use crate::core::{Literal, Literal8};
use crate::datetime::DateTime;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::ext::NonEmpty;
use crate::ext::catenate::{self, CatPart};
use crate::ext::multiappend::{self, AppendMessage};
use crate::ext::utf8;
use crate::flag::Flag;
use crate::mailbox::Mailbox;
use crate::parse::starts_with_ci;

use super::{CommandBody, sp_mailbox};

/// The message of an APPEND: `append-data` (RFC 4466 §2.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum AppendData<'a> {
    /// `{n}` / `{n+}` CRLF octets (no NUL).
    Literal(Literal<'a>),
    /// `~{n}` CRLF octets (any), RFC 3516.
    Literal8(Literal8<'a>),
    /// `"CATENATE" SP "(" cat-part *(SP cat-part) ")"` (RFC 4469 §5): the message is the
    /// concatenation of the parts.
    Catenate(NonEmpty<CatPart<'a>>),
    /// `utf8-literal = "UTF8" SP "(" literal8 ")"` (RFC 6855 §4): a message with UTF-8
    /// header fields.
    Utf8(Literal8<'a>),
}

impl AppendData<'_> {
    /// The message's octets when they are sent whole (`None` for CATENATE, whose parts
    /// are in [`AppendData::Catenate`]).
    pub fn data(&self) -> Option<&[u8]> {
        match self {
            AppendData::Literal(l) => Some(l.data()),
            AppendData::Literal8(l) | AppendData::Utf8(l) => Some(l.data()),
            AppendData::Catenate(_) => None,
        }
    }

    /// Parses `append-data`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, AppendData<'_>> {
        match i.first() {
            Some(b'{') => Literal::parse::<true>(i).map(|(r, l)| (r, AppendData::Literal(l))),
            Some(b'~') => Literal8::parse::<true>(i).map(|(r, l)| (r, AppendData::Literal8(l))),
            Some(b'C' | b'c') if starts_with_ci(i, b"CATENATE") => {
                catenate::parse_catenate(i).map(|(r, p)| (r, AppendData::Catenate(p)))
            }
            Some(b'U' | b'u') if starts_with_ci(i, b"UTF8") => {
                utf8::parse_utf8_literal(i).map(|(r, l)| (r, AppendData::Utf8(l)))
            }
            _ => fail(i, "literal"),
        }
    }
}

impl Encode for AppendData<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            AppendData::Literal(l) => l.encode(e),
            AppendData::Literal8(l) => l.encode(e),
            AppendData::Catenate(parts) => catenate::encode_catenate(parts, e),
            AppendData::Utf8(l) => utf8::encode_utf8_literal(l, e),
        }
    }
}

/// The APPEND arguments after the name: `SP mailbox 1*append-message` (RFC 3502 §6).
pub(super) fn parse_append(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, mailbox) = sp_mailbox(i)?;
    let (i, first) = multiappend::sp_append_message(i)?;
    let (i, more) = multiappend::more_messages(i)?;
    let AppendMessage {
        flags,
        date,
        message,
    } = first;
    Ok((
        i,
        CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
            more,
        },
    ))
}

/// Writes the APPEND arguments after the name.
pub(super) fn encode_append(
    mailbox: &Mailbox<'_>,
    flags: Option<&[Flag<'_>]>,
    date: Option<&DateTime>,
    message: &AppendData<'_>,
    more: &[AppendMessage<'_>],
    e: &mut Encoder<'_>,
) {
    e.sp();
    mailbox.encode(e);
    multiappend::encode_sp_append_message(flags, date, message, e);
    for m in more {
        m.encode(e);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip};
    use super::*;
    use crate::encode::EncodeOptions;
    use crate::prelude::*;

    const MSG: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu\r\n\
Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

    #[test]
    fn rfc_examples() {
        let line = format!(
            "A003 APPEND saved-messages (\\Seen) {{{}}}\r\n{MSG}\r\n",
            MSG.len()
        );
        let c = roundtrip(line.as_bytes(), true);
        let CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
            more,
        } = &c.body
        else {
            panic!()
        };
        assert!(more.is_empty());
        assert_eq!(mailbox.as_bytes(), b"saved-messages");
        assert_eq!(flags.as_deref(), Some(&[Flag::Seen][..]));
        assert_eq!(*date, None);
        assert_eq!(message.data(), Some(MSG.as_bytes()));
        let mut out = Vec::new();
        let enc = c.encode(&mut out, &EncodeOptions::default());
        assert_eq!(enc.sync_points.len(), 1);

        let line = format!(
            "A003 APPEND saved-messages (\\Seen) {{{}+}}\r\n{MSG}\r\n",
            MSG.len()
        );
        let c = roundtrip(line.as_bytes(), true);
        let mut out = Vec::new();
        assert!(
            c.encode(&mut out, &EncodeOptions::default())
                .sync_points
                .is_empty()
        );
    }

    #[test]
    fn forms() {
        for line in [
            "a APPEND INBOX {3}\r\nabc\r\n",
            "a APPEND INBOX () {3}\r\nabc\r\n",
            "a APPEND INBOX (\\Seen $Junk \\Draft) \" 7-Feb-1994 21:52:25 -0800\" {3}\r\nabc\r\n",
            "a APPEND INBOX \"17-Jul-1996 02:44:25 +0000\" {0}\r\n\r\n",
            "a APPEND \"Sent Mail\" ~{3}\r\na\0c\r\n",
            "a APPEND \"Sent Mail\" ~{3+}\r\na\0c\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        roundtrip(b"a append inbox (\\seen) {3}\r\nabc\r\n", false);
    }

    #[test]
    fn rejects_bad_appends() {
        rejects(b"a APPEND INBOX\r\n", 14, "SP");
        rejects(b"a APPEND INBOX abc\r\n", 15, "literal");
        rejects(b"a APPEND INBOX (\\Seen)  {3}\r\nabc\r\n", 23, "literal");
        rejects(b"a APPEND INBOX (\\Seen){3}\r\nabc\r\n", 22, "SP");
        rejects(b"a APPEND INBOX {3}\r\na\0c\r\n", 21, "CHAR8");
        rejects(b"a APPEND INBOX {4}\r\nabc\r\n", 24, "CRLF");
        rejects(b"a APPEND INBOX {9}\r\nabc\r\n", 25, "literal data");
        rejects(
            b"a APPEND INBOX \"7-Feb-1994 21:52:25 -0800\" {3}\r\nabc\r\n",
            16,
            "date-day-fixed",
        );
        rejects(b"a APPEND INBOX {3}\r\nabc \r\n", 23, "CRLF");
        rejects(b"a APPEND INBOX (\\*) {3}\r\nabc\r\n", 17, "flag");
        rejects(b"a APPEND INBOX {99999999999999999999}\r\n", 16, "number64");
    }
}
