//! REPLACE (RFC 8508): an APPEND of a new message and the expunge of an old one, as one
//! command (§3.2), and its `UID REPLACE` form (§3.3).
//!
//! ```text
//! replace        = "REPLACE" SP seq-number SP mailbox append-message   ; RFC 8508 §5
//! uid            =/ "UID" SP replace
//! command-select =/ replace
//! capability     =/ "REPLACE"
//! ```
//!
//! `append-message` is RFC 4466's, as in APPEND ([`crate::ext::multiappend`]): it may be a
//! CATENATE (RFC 8508 §4.1) or UTF8 message. The command is the `Replace` row of the command
//! table ([`CommandBody::Replace`]: selected state, UID form optional). The responses are
//! ordinary ones: an untagged OK with `[APPENDUID ...]`, EXISTS, EXPUNGE (or VANISHED).
//!
//! [`CommandBody::Replace`]: crate::command::CommandBody::Replace

use crate::command::CommandBody;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::ext::multiappend::{AppendMessage, sp_append_message};
use crate::mailbox::Mailbox;
use crate::parse::sp;
use crate::sequence::SeqNumber;

/// The REPLACE arguments after the name: `SP seq-number SP mailbox append-message`.
pub(crate) fn parse_replace(i: &[u8], uid: bool) -> PResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, number) = SeqNumber::parse(i)?;
    let (i, mailbox) = crate::command::sp_mailbox(i)?;
    let (i, message) = sp_append_message(i)?;
    Ok((
        i,
        CommandBody::Replace {
            uid,
            number,
            mailbox,
            message,
        },
    ))
}

/// Writes the REPLACE arguments after the name.
pub(crate) fn encode_replace(
    number: &SeqNumber,
    mailbox: &Mailbox<'_>,
    message: &AppendMessage<'_>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    number.encode(e);
    e.sp();
    mailbox.encode(e);
    message.encode(e);
}

#[cfg(test)]
mod tests {
    use crate::Capability;
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{AppendData, CommandBody, CommandKind, States, UidForm};
    use crate::encode::EncodeOptions;
    use crate::prelude::*;
    use crate::sequence::SeqNumber;

    /// RFC 8508 §3.2's example, with the literal's count fixed: the RFC announces {312}
    /// for 310 octets (its last `C:` line is the CRLF that ends the command).
    const EXAMPLE: &str = "A003 REPLACE 4 Drafts (\\Seen \\Draft) {310}\r\n\
Date: Thu, 1 Jan 2015 00:05:00 -0500 (EST)\r\n\
From: Fritz Schmidt <fritz.ze@example.org>\r\n\
Subject: happy new year !!\r\n\
To: miss.mitzy@example.org\r\n\
Message-Id: <B238822388-0100000@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Just saw the best fireworks show. Wish you were here.\r\n\
\r\n";

    #[test]
    fn rfc8508_examples() {
        let c = roundtrip(EXAMPLE.as_bytes(), true);
        let CommandBody::Replace {
            uid,
            number,
            mailbox,
            message,
        } = &c.body
        else {
            panic!("{c:?}")
        };
        assert!(!uid);
        assert_eq!(*number, SeqNumber::Value(4.try_into().unwrap()));
        assert_eq!(mailbox.as_bytes(), b"Drafts");
        assert_eq!(message.flags.as_ref().map(Vec::len), Some(2));
        assert_eq!(message.message.data().map(<[u8]>::len), Some(310));
        assert_eq!(c.name(), "REPLACE");
        let mut out = Vec::new();
        assert_eq!(
            c.encode(&mut out, &EncodeOptions::default())
                .sync_points
                .len(),
            1
        );

        // §4.1: UID REPLACE with CATENATE.
        let line = "A011 UID REPLACE 3002 Drafts CATENATE (TEXT {71}\r\n\
To: Mitzy <miss.mitzy@example.org>\r\n\
Subject: My view of the fireworks\r\n \
URL \"/Drafts/;UID=3002\")\r\n";
        let c = roundtrip(line.as_bytes(), true);
        assert_eq!((c.name(), c.body.is_uid()), ("UID REPLACE", true));
        let CommandBody::Replace { message, .. } = &c.body else {
            panic!()
        };
        assert!(matches!(message.message, AppendData::Catenate(_)));
    }

    #[test]
    fn replace_row() {
        assert_eq!(CommandKind::Replace.states(), States::SELECTED);
        assert_eq!(CommandKind::Replace.uid_form(), UidForm::Optional);
        assert_eq!(CommandKind::Replace.capability(), Some(Capability::Replace));
        for line in [
            "a REPLACE * INBOX {1}\r\nx\r\n",
            "a UID REPLACE 7 \"Sent Mail\" \"17-Jul-1996 02:44:25 +0000\" ~{1+}\r\n\0\r\n",
            "a REPLACE 1 INBOX UTF8 (~{1}\r\nx)\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        roundtrip(b"a uid replace 1 inbox {1}\r\nx\r\n", false);
        rejects(b"a REPLACE 0 INBOX {1}\r\nx\r\n", 10, "seq-number");
        rejects(b"a REPLACE 1:2 INBOX {1}\r\nx\r\n", 11, "SP");
        rejects(b"a REPLACE 1 INBOX\r\n", 17, "SP");
        rejects(b"a REPLACE 1 INBOX {1}\r\nx {1}\r\ny\r\n", 24, "CRLF");
        rejects(b"a REPLACE INBOX {1}\r\nx\r\n", 10, "seq-number");
    }
}
