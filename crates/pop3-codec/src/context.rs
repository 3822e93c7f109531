//! The parse context: what a parser needs to know besides the bytes (the shape of
//! `imap-codec`'s `context` module, for POP3).
//!
//! - the [`Profile`]: `Strict` (the default: exactly the grammar of RFC 1939 §3 and RFC 2449
//!   §3) or `RealWorld` (what deployed software sends; each departure is reported as a
//!   [`Deviation`] with a stable id, its offset and the rule it breaks);
//! - the [`Limits`] the stream decoders apply.
//!
//! Entry points come in two forms: `parse(bytes)` (strict) and `parse_with(bytes, &options)`,
//! which returns a [`Parsed`] value with its deviations: [`Command::parse_with`](crate::Command::parse_with),
//! [`Response::parse_with`](crate::Response::parse_with).
//!
//! The catalogue of deviations is [`Pop3Deviation`]; `docs/real-world.md` lists each id with
//! examples, sources and the RFC rule broken.
//!
//! ```
//! use mailproto_pop3_codec::context::{ParseOptions, Pop3Deviation, Profile};
//! use mailproto_pop3_codec::{Command, DeviationId};
//!
//! // A bare LF ends the line: strict rejects it...
//! assert!(Command::parse(b"STAT\n").is_err());
//! // ...real-world accepts it, builds the same command, and names the deviation.
//! let options = ParseOptions::default().with_profile(Profile::RealWorld);
//! let parsed = Command::parse_with(b"STAT\n", &options).unwrap();
//! assert_eq!(parsed.value, Command::Stat);
//! assert_eq!(parsed.deviations[0].id, Pop3Deviation::BareLf);
//! assert_eq!((parsed.deviations[0].id.id(), parsed.deviations[0].offset), ("bare-lf", 4));
//! ```

use crate::prelude::*;

pub use mailproto_core::{DeviationId, Profile, Side};

use crate::framer::Limits;

/// How to parse: the profile and the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Strict (default) or real-world.
    pub profile: Profile,
    /// The line and size limits of the stream decoders.
    pub limits: Limits,
}

impl ParseOptions {
    /// The same options with `profile`.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The same options with `limits`.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether the real-world profile is in force.
    #[inline]
    pub fn real_world(&self) -> bool {
        self.profile == Profile::RealWorld
    }
}

mailproto_core::deviations! {
    /// One kind of departure from the POP3 grammar that the real-world profile accepts; the ids
    /// are stable (`docs/real-world.md` lists them with examples and sources).
    pub enum Pop3Deviation {
        /// a line ended by LF alone instead of CRLF (`STAT` LF, `+OK 2 320` LF, `.` LF
        /// ending a listing), as "broken UNIX servers" and hand-typed sessions send. Single-line
        /// messages report each LF; a multi-line response reports its first bare LF once.
        BareLf = "bare-lf",
            rule: "CRLF (RFC 1939 §3: commands and responses are terminated by a CRLF pair)";
        /// a SASL continuation `+` with nothing after it, not even the SP (RFC 5034
        /// §4 `continue-req = "+" SP [base64] CRLF`; Exchange): read as an empty challenge.
        EmptyStatus = "empty-status",
            rule: r#"continue-req = "+" SP [base64] CRLF (RFC 5034 §4)"#;
        /// a greeting whose `<` does not open the one timestamp
        /// (two timestamps, an unclosed `<`; Zimbra, curl's tests): read as the greeting without
        /// the `<` that opens no timestamp (the closest valid greeting).
        GreetingTimestampVariants = "greeting-timestamp-variants",
            rule: r#"greeting = "+OK" [resp-codes] *gchar [timestamp] *gchar CRLF; timestamp = "<" *VCHAR ">" (RFC 2449 §9, RFC 1939 §7)"#;
        /// a body line of RETR/TOP that starts with `.` and was not
        /// byte-stuffed (`.hidden`; greenmail, mailpit, hMailServer TOP < 5.7): kept verbatim;
        /// only `.` CRLF ends the body.
        MissingDotStuffing = "missing-dot-stuffing",
            rule: "a line beginning with the termination octet is byte-stuffed (RFC 1939 §3)";

        /// the answer to `UIDL msg` with the unique-id alone, no message number
        /// (`+OK 00001a1457b5a851`; Twisted): read as the listing of the message asked for
        /// ([`Response::parse_uid_with`](crate::Response::parse_uid_with)); the offset is the
        /// unique-id's.
        UidlOneToken = "uidl-one-token",
            rule: "a unique-id listing consists of the message-number of the message, followed by a single space and the unique-id of the message (RFC 1939 §7, UIDL)";
        /// a command of no RFC in force, or a form its grammar does not allow: `LAST`
        /// (RFC 1460, dropped by RFC 1725), `XTND XLST` (Qpopper, Eudora), `AUTH` without a
        /// mechanism (answered with the list of mechanisms; Cyrus, Dovecot). Rows of the
        /// command table that only the real-world profile accepts
        /// ([`CommandKind::profile`](crate::command::CommandKind::profile)); the offset is
        /// where strict's error is (the keyword, or for `AUTH` the missing SP).
        NonStandardCommands = "non-standard-commands",
            rule: r#"command = keyword *(SP param) CRLF with a keyword of RFC 1939 §4-7 or an extension in force (RFC 2449 §3); auth-command = "AUTH" SP sasl-mech [SP initial-response] (RFC 5034 §4)"#;
        /// a status line that does not start with the status: GNU Mailutils 3.15 answers a
        /// command line longer than its 512-octet buffer by echoing the line's start with
        /// `-ERR Invalid arguments` spliced after it (`NOOP zzz...z-ERR Invalid arguments`), or
        /// by echoing the whole line ended by CR CR LF and no status at all (recorded: the
        /// `corpus/pop3/deviations/err-in-multiline-slot.trace` bytes). Read as the `-ERR`
        /// that was spliced in (its offset), or as a `-ERR` without text for the bare echo
        /// (the offset of the extra CR): the command was not carried out.
        ErrInMultilineSlot = "err-in-multiline-slot",
            rule: r#"status = ("+OK" / "-ERR") [SP text] CRLF: a response starts with its status indicator (RFC 1939 §3)"#;
        /// (a session rule): the body of a RETR answer is not as long as the size the scan
        /// listing gave for that message (GNU Mailutils inserts headers such as `X-UIDL:`;
        /// Courier sends a surrogate notice for a UTF-8 message, RFC 6856 §2.1, with the
        /// original's size). The client session compares the unstuffed body with the size of
        /// the last LIST answer ([`ListedSizes`](crate::ListedSizes)); the offset is in the
        /// body: the listed size when the body is longer, its end when shorter.
        HeaderInserted = "header-inserted",
            rule: "a scan listing gives the exact size of the message in octets (RFC 1939 §5 LIST, §11); the size LIST reports SHOULD match the octets of the RETR response, byte-stuffing not counted (RFC 6856 §2.1)";
        /// (a session rule): the server closed the connection right after `-ERR` to PASS,
        /// APOP or AUTH (MailKit's reports). The client session ends as an authentication
        /// failure (`ClientClose::AuthenticationFailed`); the offset is 0 (no octet is at fault).
        EofAfterErr = "eof-after-err",
            rule: "after -ERR to PASS, APOP or AUTH the session stays in the AUTHORIZATION state (RFC 1939 §4, §7; RFC 5034 §4)";
    }
}

/// A deviation found in a POP3 message.
pub type Deviation = mailproto_core::Deviation<Pop3Deviation>;

/// A value parsed under [`ParseOptions`], with the deviations the real-world profile accepted
/// (always empty under the strict profile).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// What departed from the grammar, in message order.
    pub deviations: Vec<Deviation>,
}

impl<T> Parsed<T> {
    pub(crate) fn new(value: T, deviations: Vec<Deviation>) -> Self {
        Parsed { value, deviations }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, ErrorKind, Expected, Response};

    fn real() -> ParseOptions {
        ParseOptions::default().with_profile(Profile::RealWorld)
    }

    #[test]
    fn bare_lf_strict_rejects_real_world_accepts_and_reports() {
        let strict = ParseOptions::default();
        // (message, expected answer or None for a command, offset of the LF)
        let table: &[(&[u8], Option<Expected>, usize)] = &[
            (b"STAT\n", None, 4),
            (b"RETR 12\n", None, 7),
            (b"USER mrose\n", None, 10),
            (b"+OK 2 320\n", Some(Expected::Stat), 9),
            (b"-ERR no such message\n", Some(Expected::Scan), 20),
            (b"+OK 1 whqtswO00WBw418f9t5JxYwZ\n", Some(Expected::Uid), 30),
            (
                b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\n",
                Some(Expected::Greeting),
                48,
            ),
            (b"+ dGVzdA==\n", Some(Expected::Auth), 10),
            (b"-ERR [IN-USE] locked\n", Some(Expected::ScanList), 20),
        ];
        for &(bytes, expected, offset) in table {
            let name = String::from_utf8_lossy(bytes);
            let (strict_err, parsed, again) = match expected {
                None => (
                    Command::parse_with(bytes, &strict).unwrap_err(),
                    Command::parse_with(bytes, &real()).map(|p| (p.deviations, p.value.keyword())),
                    None,
                ),
                Some(e) => {
                    let p = Response::parse_with(bytes, e, &real());
                    let mut crlf = bytes[..bytes.len() - 1].to_vec();
                    crlf.extend_from_slice(b"\r\n");
                    // The closest value: the one the CRLF line gives.
                    let same = p
                        .as_ref()
                        .ok()
                        .map(|p| p.value == Response::parse(&crlf, e).unwrap());
                    (
                        Response::parse_with(bytes, e, &strict).unwrap_err(),
                        p.map(|p| (p.deviations, "response")),
                        same,
                    )
                }
            };
            assert_eq!(
                (strict_err.offset, strict_err.expected),
                (offset, "CRLF"),
                "{name}"
            );
            assert_eq!(strict_err.kind, ErrorKind::Syntax, "{name}");
            let (deviations, _) = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(deviations.len(), 1, "{name}");
            assert_eq!(deviations[0].id, Pop3Deviation::BareLf);
            assert_eq!(deviations[0].offset, offset, "{name}");
            assert_eq!(
                deviations[0].side,
                if expected.is_none() {
                    Side::Client
                } else {
                    Side::Server
                }
            );
            assert_ne!(again, Some(false), "{name}: not the CRLF value");
        }
    }

    #[test]
    fn uidl_one_token_only_for_a_single_unique_id() {
        let msg = crate::MsgNumber::new(7).unwrap();
        let p = Response::parse_uid_with(b"+OK abc\r\n", msg, &real()).unwrap();
        assert_eq!(p.deviations[0].id, Pop3Deviation::UidlOneToken);
        let mut out = Vec::new();
        crate::Encode::encode(&p.value, &mut out);
        assert_eq!(out, b"+OK 7 abc\r\n");
        // A valid answer: no deviation, whatever was asked; errors stay errors.
        let p = Response::parse_uid_with(b"+OK 2 abc\r\n", msg, &real()).unwrap();
        assert!(p.deviations.is_empty());
        for bad in [
            &b"+OK \r\n"[..],
            b"+OK\r\n",
            b"+OK a b\r\n",
            b"+OK \x01\r\n",
        ] {
            let strict = Response::parse(bad, Expected::Uid).unwrap_err();
            assert_eq!(
                Response::parse_uid_with(bad, msg, &real()).unwrap_err(),
                strict,
                "{bad:?}"
            );
        }
        assert!(Response::parse_uid_with(b"-ERR no\r\n", msg, &real()).is_ok());
    }

    /// `non-standard-commands`: strict rejects each line where its grammar fails (an unknown
    /// keyword at 0, AUTH's missing SP at 4); real-world reads it, names the deviation at that
    /// offset, and its encoding reads back (under real-world) as the same command.
    #[test]
    fn non_standard_commands_strict_rejects_real_world_names() {
        use crate::Encode;
        let table: &[(&[u8], usize, &str, Expected)] = &[
            (b"LAST\r\n", 0, "command keyword", Expected::Status),
            (b"last\n", 0, "command keyword", Expected::Status),
            (b"AUTH\r\n", 4, "SP", Expected::AuthList),
            (
                b"XTND XLST Subject\r\n",
                0,
                "command keyword",
                Expected::XtndList,
            ),
            (
                b"xtnd xlst From 3\r\n",
                0,
                "command keyword",
                Expected::XtndList,
            ),
        ];
        for &(line, offset, rule, answer) in table {
            let name = String::from_utf8_lossy(line);
            let e = Command::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, rule), "{name}");
            let p = Command::parse_with(line, &real()).unwrap();
            let ids: Vec<_> = p.deviations.iter().map(|d| (d.id, d.offset)).collect();
            assert!(
                ids.contains(&(Pop3Deviation::NonStandardCommands, offset)),
                "{name}: {ids:?}"
            );
            assert_eq!(Expected::from(&p.value), answer, "{name}");
            let out = p.value.to_bytes();
            let again = Command::parse_with(&out, &real()).unwrap();
            assert_eq!(again.value, p.value, "{name}");
        }
        // Other XTND subcommands, and AUTH with a bad mechanism, stay errors.
        assert!(Command::parse_with(b"XTND XMIT\r\n", &real()).is_err());
        assert!(Command::parse_with(b"AUTH \r\n", &real()).is_err());
        // The answers: the mechanism list is typed; strict reads it too (it is the answer
        // to a line, not a line of its own).
        let r = Response::parse(b"+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n", Expected::AuthList).unwrap();
        assert!(matches!(&r, Response::Mechanisms(m) if m.items().len() == 2));
        assert!(Response::parse(b"+OK\r\nPL AIN\r\n.\r\n", Expected::AuthList).is_err());
    }

    #[test]
    fn real_world_reports_nothing_on_valid_input_and_keeps_other_errors() {
        let parsed = Command::parse_with(b"STAT\r\n", &real()).unwrap();
        assert!(parsed.deviations.is_empty());
        // A lone CR, or text after the LF, is still an error.
        assert!(Command::parse_with(b"STAT\r", &real()).is_err());
        assert_eq!(
            Command::parse_with(b"STAT\nX", &real()).unwrap_err().kind,
            ErrorKind::TrailingBytes
        );
        // Multi-line responses: the first bare LF is reported, once.
        let p = Response::parse_with(b"+OK\n1 120\n.\r\n", Expected::ScanList, &real()).unwrap();
        assert_eq!((p.deviations.len(), p.deviations[0].offset), (1, 3));
        // A bare CR is still an error.
        assert!(Response::parse_with(b"+OK\r1 120\n.\r\n", Expected::ScanList, &real()).is_err());
        assert_eq!(Pop3Deviation::BareLf.id(), "bare-lf");
    }
}
