//! APPEND (RFC 9051 §6.3.12, RFC 3501 §6.3.11; §9 `append = "APPEND" SP mailbox
//! [SP flag-list] [SP date-time] SP literal`), with the message as a `literal` (`{n}` or
//! `{n+}`, RFC 7888) or a `literal8` (`~{n}`, RFC 3516 §4.4 / RFC 9051 §4.3.1).

use crate::core::{IntoStatic, Literal, Literal8};
use crate::datetime::DateTime;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::flag::Flag;
use crate::mailbox::Mailbox;
use crate::parse::sp;

use super::{CommandBody, sp_mailbox};

/// The message of an APPEND: `literal` or `literal8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AppendData<'a> {
    /// `{n}` / `{n+}` CRLF octets (no NUL).
    Literal(Literal<'a>),
    /// `~{n}` CRLF octets (any), RFC 3516.
    Literal8(Literal8<'a>),
}

impl AppendData<'_> {
    /// The message's octets.
    pub fn data(&self) -> &[u8] {
        match self {
            AppendData::Literal(l) => l.data(),
            AppendData::Literal8(l) => l.data(),
        }
    }
}

impl Encode for AppendData<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            AppendData::Literal(l) => l.encode(e),
            AppendData::Literal8(l) => l.encode(e),
        }
    }
}

impl IntoStatic for AppendData<'_> {
    type Static = AppendData<'static>;
    fn into_static(self) -> AppendData<'static> {
        match self {
            AppendData::Literal(l) => AppendData::Literal(l.into_static()),
            AppendData::Literal8(l) => AppendData::Literal8(l.into_static()),
        }
    }
}

/// The APPEND arguments after the name.
pub(super) fn parse_append(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, mailbox) = sp_mailbox(i)?;
    let (mut i, ()) = sp(i)?;
    let mut flags = None;
    let mut date = None;
    if i.first() == Some(&b'(') {
        let (rest, f) = Flag::parse_list(i)?;
        flags = Some(f);
        i = sp(rest)?.0;
    }
    if i.first() == Some(&b'"') {
        let (rest, d) = DateTime::parse(i)?;
        date = Some(d);
        i = sp(rest)?.0;
    }
    let (i, message) = match i.first() {
        Some(b'{') => Literal::parse::<true>(i).map(|(r, l)| (r, AppendData::Literal(l)))?,
        Some(b'~') => Literal8::parse::<true>(i).map(|(r, l)| (r, AppendData::Literal8(l)))?,
        _ => return fail(i, "literal"),
    };
    Ok((
        i,
        CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
        },
    ))
}

/// Writes the APPEND arguments after the name.
pub(super) fn encode_append(
    mailbox: &Mailbox<'_>,
    flags: Option<&[Flag<'_>]>,
    date: Option<&DateTime>,
    message: &AppendData<'_>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    mailbox.encode(e);
    if let Some(flags) = flags {
        e.sp().paren_list(flags, |e, f| f.encode(e));
    }
    if let Some(d) = date {
        e.sp();
        d.encode(e);
    }
    e.sp();
    message.encode(e);
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip};
    use super::*;
    use crate::encode::EncodeOptions;

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
        } = &c.body
        else {
            panic!()
        };
        assert_eq!(mailbox.as_bytes(), b"saved-messages");
        assert_eq!(flags.as_deref(), Some(&[Flag::Seen][..]));
        assert_eq!(*date, None);
        assert_eq!(message.data(), MSG.as_bytes());
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
