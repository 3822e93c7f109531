//! MULTIAPPEND (RFC 3502): several messages in one APPEND, appended atomically (§3, §6).
//!
//! ```text
//! append         = "APPEND" SP mailbox 1*append-message      ; RFC 3502 §6
//! append-message = [SP flag-list] [SP date-time] SP literal  ; RFC 3502 §6
//! ```
//!
//! RFC 4466 §2.3 widened `literal` to `append-data` (and RFC 3516, RFC 4469, RFC 6855 add
//! to it), so each message here is an [`AppendData`]. The command stays the `Append` row of
//! the command table ([`CommandBody::Append`]): its `flags`, `date` and `message` are the
//! first message, `more` holds the others (empty for a plain APPEND, so a single-message
//! APPEND has exactly the RFC 9051 shape). The parser accepts more messages whether or not
//! the server advertised `MULTIAPPEND`: the syntax cannot be confused with anything else,
//! and it is the session's business to refuse it (RFC 3502 §3: "BAD" without the
//! capability).
//!
//! Each message is a separate literal: over a connection without LITERAL+ the client waits
//! for a `+` before each (RFC 3502 §6 example), and the encoder records one sync point per
//! literal ([`crate::Encoded::sync_points`]). The framer needs nothing new: a literal
//! announcement at the end of a line continues the message wherever it sits (RFC 9051 §4.3).
//!
//! [`CommandBody::Append`]: crate::command::CommandBody::Append

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::command::AppendData;
use crate::datetime::DateTime;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::flag::Flag;
use crate::parse::sp;

/// One `append-message` after the first (RFC 3502 §6): its flags, internal date and data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AppendMessage<'a> {
    /// `flag-list`; `Some` of an empty list is `()`.
    pub flags: Option<Vec<Flag<'a>>>,
    /// The internal date to set.
    pub date: Option<DateTime>,
    /// The message.
    pub message: AppendData<'a>,
}

impl<'a> AppendMessage<'a> {
    /// A message without flags or date.
    pub fn new(message: AppendData<'a>) -> Self {
        AppendMessage {
            flags: None,
            date: None,
            message,
        }
    }
}

/// `append-message = [SP flag-list] [SP date-time] SP append-data`.
pub(crate) fn sp_append_message(i: &[u8]) -> PResult<'_, AppendMessage<'_>> {
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
    let (i, message) = AppendData::parse(i)?;
    Ok((
        i,
        AppendMessage {
            flags,
            date,
            message,
        },
    ))
}

/// Whether `i` starts another `append-message`: SP and the first byte of a flag list, a
/// date-time, a literal, a literal8, `CATENATE` or `UTF8`. Anything else after the SP is
/// left for the caller (so `... {3}` CRLF `abc` SP CRLF fails at the SP, expecting CRLF).
fn starts_message(i: &[u8]) -> bool {
    i.first() == Some(&b' ')
        && matches!(
            i.get(1),
            Some(b'(' | b'"' | b'{' | b'~' | b'C' | b'c' | b'U' | b'u')
        )
}

/// `*append-message`: the messages after the first.
pub(crate) fn more_messages(mut i: &[u8]) -> PResult<'_, Vec<AppendMessage<'_>>> {
    let mut more = Vec::new();
    while starts_message(i) {
        let (rest, m) = sp_append_message(i)?;
        more.push(m);
        i = rest;
    }
    Ok((i, more))
}

/// Writes `[SP flag-list] [SP date-time] SP append-data`.
pub(crate) fn encode_sp_append_message(
    flags: Option<&[Flag<'_>]>,
    date: Option<&DateTime>,
    message: &AppendData<'_>,
    e: &mut Encoder<'_>,
) {
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

impl Encode for AppendMessage<'_> {
    /// Writes `SP`-led `append-message`.
    fn encode(&self, e: &mut Encoder<'_>) {
        encode_sp_append_message(self.flags.as_deref(), self.date.as_ref(), &self.message, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{Command, CommandBody};
    use crate::encode::{EncodeOptions, LiteralCapability};
    use crate::framer::{Frame, FramedBuffer, FramerConfig};
    use crate::{Literal, Literal8};

    /// RFC 3502 §6's example: two messages, each literal waiting for `+`.
    const RFC3502: &str = "A003 APPEND saved-messages (\\Seen) {329}\r\n\
Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.example.net\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n \
(\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}\r\n\
Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n\
From: Joe Mooch <mooch@OWaTaGu.example.net>\r\n\
Subject: Re: afternoon meeting\r\n\
To: foobar@blurdybloop.example.com\r\n\
Message-Id: <a0434793874930@OWaTaGu.example.net>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
3:30 is fine with me.\r\n\
\r\n";

    #[test]
    fn rfc3502_example() {
        let c = roundtrip(RFC3502.as_bytes(), true);
        let CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
            more,
        } = &c.body
        else {
            panic!("{c:?}")
        };
        assert_eq!(mailbox.as_bytes(), b"saved-messages");
        assert_eq!(flags.as_deref(), Some(&[Flag::Seen][..]));
        assert_eq!(*date, None);
        assert_eq!(message.data().map(<[u8]>::len), Some(329));
        assert_eq!(more.len(), 1);
        assert_eq!(more[0].flags.as_deref(), Some(&[Flag::Seen][..]));
        assert!(more[0].date.is_some());
        assert_eq!(more[0].message.data().map(<[u8]>::len), Some(295));
        // Without LITERAL+ the client waits for "+" before each literal.
        let mut out = Vec::new();
        let enc = c.encode(&mut out, &EncodeOptions::default());
        assert_eq!(enc.sync_points.len(), 2);
        let chunks: Vec<&[u8]> = enc.chunks(&out).collect();
        assert!(chunks[1].ends_with(b"{295}\r\n"), "{:?}", chunks[1]);
        let mut out = Vec::new();
        let enc = c.encode(
            &mut out,
            &EncodeOptions::with_literal(LiteralCapability::Plus),
        );
        assert!(enc.sync_points.is_empty());
    }

    /// A MULTIAPPEND command is one message for the framer, whether it arrives whole or
    /// one byte at a time.
    #[test]
    fn frames_as_one_message() {
        for step in [RFC3502.len(), 1, 7] {
            let mut fb = FramedBuffer::new(FramerConfig::server());
            let mut frames = Vec::new();
            let mut literals = 0;
            for chunk in RFC3502.as_bytes().chunks(step) {
                fb.push(chunk);
                while let Some(f) = fb.next_frame().unwrap() {
                    match f {
                        Frame::Message(m) => frames.push(m.to_vec()),
                        Frame::Literal(_) => literals += 1,
                        other => panic!("{other:?}"),
                    }
                }
            }
            assert_eq!(literals, 2);
            assert_eq!(frames, [RFC3502.as_bytes().to_vec()], "step {step}");
        }
    }

    #[test]
    fn forms() {
        for line in [
            "a APPEND INBOX {3}\r\nabc {3}\r\ndef\r\n",
            "a APPEND INBOX {3+}\r\nabc ~{2}\r\n\0\0 (\\Seen) {1}\r\nx\r\n",
            "a APPEND INBOX () {3}\r\nabc () \"17-Jul-1996 02:44:25 +0000\" {0}\r\n\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"a append inbox {1}\r\nx {1}\r\ny\r\n", false);
        let CommandBody::Append { more, .. } = c.body else {
            panic!()
        };
        assert_eq!(
            more,
            [AppendMessage::new(AppendData::Literal(
                Literal::new(&b"y"[..]).unwrap()
            ))]
        );
        let built = Command::new(
            crate::Tag::new("t").unwrap(),
            CommandBody::Append {
                mailbox: crate::Mailbox::Inbox,
                flags: None,
                date: None,
                message: AppendData::Literal8(Literal8::new(&b"a"[..])),
                more: vec![AppendMessage::new(AppendData::Literal8(Literal8::new(
                    &b"b"[..],
                )))],
            },
        );
        let mut out = Vec::new();
        let _ = built.encode(
            &mut out,
            &EncodeOptions::with_literal(LiteralCapability::Plus),
        );
        assert_eq!(out, b"t APPEND INBOX ~{1+}\r\na ~{1+}\r\nb\r\n");
    }

    #[test]
    fn rejects_bad_multiappends() {
        rejects(b"a APPEND INBOX {1}\r\nx  {1}\r\ny\r\n", 21, "CRLF");
        rejects(b"a APPEND INBOX {1}\r\nx (\\Seen)\r\n", 29, "SP");
        rejects(b"a APPEND INBOX {1}\r\nx (\\Seen) y\r\n", 30, "literal");
        rejects(b"a APPEND INBOX {1}\r\nx {1}\r\n", 27, "literal data");
        rejects(b"a APPEND INBOX {1}\r\nx{1}\r\ny\r\n", 21, "CRLF");
        rejects(
            b"a APPEND INBOX {1}\r\nx \"x\" {1}\r\ny\r\n",
            23,
            "date-day-fixed",
        );
    }
}

#[cfg(test)]
mod appenduid {
    use crate::prelude::*;
    use crate::response::{AppendUid, Code, Response};
    use crate::sequence::UidSet;

    /// RFC 3502 §6 with UIDPLUS: `resp-code-apnd = "APPENDUID" SP nz-number SP set`, one
    /// UID per message, in append order (RFC 4315 §4 `append-uid =/ uid-set`).
    #[test]
    fn appenduid_of_a_multiappend() {
        for (line, uid, multiple) in [
            (
                &b"A003 OK [APPENDUID 38505 3955:3957] done\r\n"[..],
                3955,
                true,
            ),
            (b"A003 OK [APPENDUID 38505 3955,3960] done\r\n", 3955, true),
            (b"A003 OK [APPENDUID 38505 3955] done\r\n", 3955, false),
            (b"A003 OK [APPENDUID 38505 7:7] done\r\n", 7, false),
        ] {
            let r = Response::parse(line).unwrap();
            let Response::Status(s) = &r else { panic!() };
            let Some(Code::AppendUid(a)) = s.code() else {
                panic!("{s:?}")
            };
            assert_eq!((a.uid.get(), a.multiple.is_some()), (uid, multiple));
            let mut out = Vec::new();
            let _ = r.encode(&mut out);
            assert_eq!(Response::parse(&out).unwrap(), r);
        }
        // RFC 3502: "The message set may not contain ... the symbol "*"".
        let r = Response::parse(b"A003 OK [APPENDUID 38505 3955:*] done\r\n").unwrap();
        let Response::Status(s) = &r else { panic!() };
        assert_eq!(s.code(), None, "not a code: text");
        let a = AppendUid::multiple(
            1.try_into().unwrap(),
            UidSet::new(vec![(9, 10), (12, 12)]).unwrap(),
        );
        assert_eq!(a.uid.get(), 9);
    }
}
