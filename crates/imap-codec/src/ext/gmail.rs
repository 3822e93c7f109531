//! Gmail's X-GM-EXT-1 (Google's developer documentation "IMAP Extensions",
//! developers.google.com/gmail/imap/imap-extensions, found with the `search` tool; not an RFC,
//! so there is no ABNF: the forms below are written from that page's prose and examples,
//! which are the traces of `corpus/imap/gmail/`).
//!
//! ```text
//! ; FETCH data items (msg-att), FETCH items (fetch-att):
//! msg-att-dynamic =/ "X-GM-LABELS" SP gm-label-list
//! msg-att-static  =/ "X-GM-MSGID" SP gm-id / "X-GM-THRID" SP gm-id
//! fetch-att       =/ "X-GM-MSGID" / "X-GM-THRID" / "X-GM-LABELS"
//! ; STORE:
//! store-att-flags =/ ["+" / "-"] "X-GM-LABELS" [".SILENT"] SP
//!                    (gm-label-list / (gm-label *(SP gm-label)))
//! ; SEARCH:
//! search-key      =/ "X-GM-RAW" SP astring / "X-GM-MSGID" SP gm-id /
//!                    "X-GM-THRID" SP gm-id / "X-GM-LABELS" SP gm-label
//! gm-id           = 1*DIGIT                ; an unsigned 64-bit number
//! gm-label-list   = "(" [gm-label *(SP gm-label)] ")"
//! gm-label        = flag / astring         ; `\Inbox`, `\Important`, `\Sent`, ...; user labels
//! ```
//!
//! A system label is a `"\" atom` and is kept as a [`Flag`] (`\Draft` is [`Flag::Draft`],
//! `\Inbox` a flag extension); any other label is an `astring` (a quoted string when it has
//! spaces or non-ASCII octets in modified UTF-7). The documentation gives `NIL` no meaning of
//! its own, so a bare `NIL` label reads as the atom `NIL`.
//!
//! **Rows, gated on the capability.** Each form is a row of its table:
//! [`FetchAtt::GmMsgId`](crate::command::FetchAtt::GmMsgId) / `GmThrId` / `GmLabels`,
//! [`MessageAttribute::GmMsgId`](crate::response::MessageAttribute::GmMsgId) / `GmThrId` /
//! `GmLabels`, [`StoreFlags::LabelList`](crate::command::StoreFlags::LabelList) / `Labels`, and
//! [`SearchKey::GmRaw`](crate::command::SearchKey::GmRaw) / `GmMsgId` / `GmThrId` /
//! `GmLabels`. X-GM-EXT-1 is not an RFC, so the strict grammar accepts these forms only while
//! [`Extension::GmailExt1`](crate::Extension::GmailExt1) is in force (the server advertised
//! `X-GM-EXT-1`: the sessions put it in force from the CAPABILITY they see); otherwise they
//! are errors at the item's name (`fetch-att`, `msg-att`, `store-att-flags`, `search-key`),
//! and under the real-world profile an unknown FETCH data item is kept generically
//! (`unknown-fetch-item`).
//!
//! **XLIST**, the same page's deprecated predecessor of SPECIAL-USE (RFC 6154), is a named
//! legacy form: the command `"XLIST" SP mailbox SP list-mailbox` is the
//! [`CommandBody::Xlist`](crate::command::CommandBody::Xlist) row of the command table
//! (capability `XLIST`), its answer `"XLIST" SP mailbox-list` the
//! [`Data::Xlist`](crate::response::Data::Xlist) row of the data table. Its attributes are
//! `mbx-list-flags`; Gmail's own names (`\Inbox`, `\AllMail`, `\Spam`, `\Starred`, beside
//! `\Drafts`, `\Sent`, `\Trash`, `\Important`) map to RFC 6154 / RFC 8457 with
//! [`xlist_special_use`].

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::core::AString;
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, fail, fail_kind};
use crate::flag::{Flag, MailboxAttribute};
use crate::parse::{paren_list, take_while};

/// A Gmail label: a system label (`"\" atom`, e.g. `\Inbox`, `\Important`) or a user label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GmailLabel<'a> {
    /// `\Inbox`, `\Sent`, `\Important`, `\Starred`, `\Draft`, ...
    System(Flag<'a>),
    /// A user label, as sent (`astring`).
    Name(AString<'a>),
}

impl<'a> GmailLabel<'a> {
    /// `gm-label = flag / astring`; string literals may be `{n+}` only where `CMD`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() == Some(&b'\\') {
            return Flag::parse(i).map(|(r, f)| (r, GmailLabel::System(f)));
        }
        AString::parse::<CMD>(i)
            .map(|(r, a)| (r, GmailLabel::Name(a)))
            .map_err(|e| {
                e.map(|mut e| {
                    if e.input.len() == i.len() {
                        e.expected = "gm-label";
                    }
                    e
                })
            })
    }
}

impl Encode for GmailLabel<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            GmailLabel::System(f) => f.encode(e),
            GmailLabel::Name(a) => a.encode(e),
        }
    }
}

/// `gm-label-list = "(" [gm-label *(SP gm-label)] ")"`
pub(crate) fn parse_label_list<const CMD: bool>(i: &[u8]) -> PResult<'_, Vec<GmailLabel<'_>>> {
    paren_list(i, true, GmailLabel::parse::<CMD>)
}

fn encode_label_list(labels: &[GmailLabel<'_>], e: &mut Encoder<'_>) {
    e.paren_list(labels, |e, l| l.encode(e));
}

/// `gm-id = 1*DIGIT`: an unsigned 64-bit number (up to 18446744073709551615).
pub(crate) fn parse_id(i: &[u8]) -> PResult<'_, u64> {
    let (rest, run) = take_while(i, |b| b.is_ascii_digit());
    if run.is_empty() {
        return fail(i, "gm-id");
    }
    let mut v: u64 = 0;
    for &d in run {
        v = match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) => v,
            None => return fail_kind(i, "gm-id", ErrorKind::NumberTooLarge),
        };
    }
    Ok((rest, v))
}

/// The SPECIAL-USE attribute (RFC 6154 §2, RFC 8457 `\Important`) an XLIST attribute stands
/// for: `\AllMail` is `\All`, `\Spam` `\Junk`, `\Starred` `\Flagged`; `\Drafts`, `\Sent`,
/// `\Trash` and `\Important` have the same names. `None` for `\Inbox` (XLIST's name for the
/// INBOX, which has no special-use attribute) and for the attributes that are no special use.
///
/// ```
/// use mailproto_imap_codec::MailboxAttribute;
/// use mailproto_imap_codec::ext::gmail::xlist_special_use;
/// use mailproto_imap_codec::response::{Data, Response};
/// let r = Response::parse(b"* XLIST (\\HasNoChildren \\AllMail) \"/\" \"[Gmail]/All Mail\"\r\n").unwrap();
/// let Response::Data(Data::Xlist(l)) = r else { panic!() };
/// let uses: Vec<_> = l.attributes.as_slice().iter().filter_map(xlist_special_use).collect();
/// assert_eq!(uses, [MailboxAttribute::All]);
/// ```
pub fn xlist_special_use(attribute: &MailboxAttribute<'_>) -> Option<MailboxAttribute<'static>> {
    use MailboxAttribute as A;
    match attribute {
        A::All | A::Drafts | A::Sent | A::Trash | A::Junk | A::Flagged | A::Archive => {
            Some(attribute.clone().into_static())
        }
        A::Extension(name) => {
            let n = name.as_str();
            if n.eq_ignore_ascii_case("AllMail") {
                Some(A::All)
            } else if n.eq_ignore_ascii_case("Spam") {
                Some(A::Junk)
            } else if n.eq_ignore_ascii_case("Starred") {
                Some(A::Flagged)
            } else if n.eq_ignore_ascii_case("Important") {
                Some(attribute.clone().into_static())
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Writes `SP gm-id`.
pub(crate) fn encode_sp_id(id: &u64, e: &mut Encoder<'_>) {
    e.sp().number(*id);
}

/// Writes `SP gm-label-list`.
pub(crate) fn encode_sp_label_list(labels: &Vec<GmailLabel<'_>>, e: &mut Encoder<'_>) {
    e.sp();
    encode_label_list(labels, e);
}

/// Writes the `X-GM-MSGID` search key.
pub(crate) fn encode_key_msgid(id: &u64, e: &mut Encoder<'_>) {
    e.raw(b"X-GM-MSGID");
    encode_sp_id(id, e);
}

/// Writes the `X-GM-THRID` search key.
pub(crate) fn encode_key_thrid(id: &u64, e: &mut Encoder<'_>) {
    e.raw(b"X-GM-THRID");
    encode_sp_id(id, e);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::test_util::{rejects, roundtrip_with};
    use crate::command::{CommandBody, FetchAtt, SearchKey, StoreFlags};
    use crate::context::{Extension, ParseOptions, Profile};
    use crate::response::{Data, MessageAttribute, Response};
    use crate::{Command, ParseError};

    fn gmail() -> ParseOptions {
        ParseOptions::default().with_extension(Extension::GmailExt1)
    }

    /// Each line is refused at its offset, expecting its rule.
    fn errors_at(cases: &[(&str, usize, &str)], parse: impl Fn(&[u8]) -> Option<ParseError>) {
        for &(line, offset, expected) in cases {
            let e = parse(line.as_bytes()).unwrap_or_else(|| panic!("{line:?} was accepted"));
            assert_eq!((e.offset, e.expected), (offset, expected), "{line:?}");
        }
    }

    fn fetch_data(line: &str) -> Vec<MessageAttribute<'_>> {
        let r = Response::parse_with(line.as_bytes(), &gmail())
            .unwrap_or_else(|e| panic!("{line}: {e:?}"))
            .value;
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), line);
        let Response::Data(Data::Fetch(f)) = r else {
            panic!("{line}")
        };
        f.attributes.into_vec()
    }

    /// The FETCH data of Google's examples, and what they are made of.
    #[test]
    fn fetch_data_items() {
        for line in [
            "* 1 FETCH (X-GM-MSGID 1278455344230334865)\r\n",
            "* 1 FETCH (X-GM-THRID 1266894439832287888)\r\n",
            "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n",
            "* 3 FETCH (X-GM-LABELS ())\r\n",
            "* 1 FETCH (X-GM-MSGID 18446744073709551615 UID 4 X-GM-LABELS (\\Important foo {3}\r\nb r))\r\n",
        ] {
            fetch_data(line);
        }
        assert_eq!(
            fetch_data("* 4 FETCH (X-GM-LABELS (\\Inbox \\Draft work))\r\n"),
            [MessageAttribute::GmLabels(vec![
                GmailLabel::System(Flag::Extension(
                    crate::flag::FlagExtension::new("Inbox").unwrap()
                )),
                GmailLabel::System(Flag::Draft),
                GmailLabel::Name(AString::new("work").unwrap()),
            ])]
        );
        let bad: &[(&str, usize, &str)] = &[
            (
                "* 1 FETCH (X-GM-MSGID 18446744073709551616)\r\n",
                22,
                "gm-id",
            ),
            ("* 1 FETCH (X-GM-MSGID x)\r\n", 22, "gm-id"),
            ("* 1 FETCH (X-GM-LABELS \\Inbox)\r\n", 23, "\"(\""),
            ("* 1 FETCH (X-GM-LABELS (a  b))\r\n", 26, "gm-label"),
            ("* 1 FETCH (X-GM-LABELS (a {1+}\r\nb))\r\n", 28, "\"}\""),
            ("* 1 FETCH (X-GM-FOO 1)\r\n", 11, "msg-att"),
        ];
        errors_at(bad, |b| Response::parse_with(b, &gmail()).err());
    }

    /// Without X-GM-EXT-1 in force the data are an error at the item's name; the real-world
    /// profile keeps them as unknown items.
    #[test]
    fn fetch_data_needs_the_capability() {
        let line = b"* 1 FETCH (UID 4 X-GM-MSGID 1278455344230334865)\r\n";
        let e = Response::parse(line).unwrap_err();
        assert_eq!((e.offset, e.expected), (17, "msg-att"));
        let lenient = ParseOptions::default().with_profile(Profile::RealWorld);
        let p = Response::parse_with(line, &lenient).unwrap();
        assert_eq!(p.unknown.len(), 1);
        assert_eq!(p.unknown[0].name, "X-GM-MSGID");
    }

    /// The commands of Google's examples: FETCH items, STORE, SEARCH.
    #[test]
    fn commands() {
        for line in [
            "a006 FETCH 1 (X-GM-MSGID)\r\n",
            "a008 FETCH 1:4 (X-GM-THRID)\r\n",
            "a010 FETCH 1:4 (X-GM-LABELS)\r\n",
            "a FETCH 1 X-GM-LABELS\r\n",
            "a UID FETCH 1:* (UID FLAGS X-GM-MSGID X-GM-THRID X-GM-LABELS)\r\n",
            "a011 STORE 1 +X-GM-LABELS (foo)\r\n",
            "a012 STORE 1 -X-GM-LABELS (foo)\r\n",
            "a STORE 1 X-GM-LABELS ()\r\n",
            "a STORE 1:3 +X-GM-LABELS.SILENT \\Important \"Muy Importante\"\r\n",
            "a005 SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n",
            "a007 UID SEARCH X-GM-MSGID 1278455344230334865\r\n",
            "a009 UID SEARCH X-GM-THRID 1266894439832287888\r\n",
            "a011 SEARCH X-GM-LABELS foo\r\n",
            "a SEARCH UNSEEN NOT X-GM-LABELS \\Starred OR X-GM-RAW x ALL\r\n",
        ] {
            roundtrip_with(line.as_bytes(), true, &gmail());
        }
        let cmd = roundtrip_with(b"a FETCH 1 (x-gm-msgid)\r\n", false, &gmail());
        let CommandBody::Fetch { items, .. } = cmd.body else {
            panic!()
        };
        assert_eq!(items.expand(), [FetchAtt::GmMsgId]);
        let cmd = roundtrip_with(b"a STORE 1 +X-GM-LABELS (\\Sent x)\r\n", true, &gmail());
        let CommandBody::Store { flags, .. } = cmd.body else {
            panic!()
        };
        assert!(matches!(flags, StoreFlags::LabelList(ref l) if l.len() == 2));
        assert!(flags.flags().next().is_none());
        assert_eq!(flags.name(), "X-GM-LABELS");
        let cmd = roundtrip_with(b"a SEARCH X-GM-THRID 1\r\n", true, &gmail());
        let CommandBody::Search { criteria, .. } = cmd.body else {
            panic!()
        };
        assert_eq!(criteria.first(), SearchKey::GmThrId(1));
    }

    /// Strictly, without X-GM-EXT-1, every form is an error at its name; with it, bad
    /// arguments are errors at the argument.
    #[test]
    fn invalid_commands() {
        for (line, offset, expected) in [
            (&b"a FETCH 1 (UID X-GM-MSGID)\r\n"[..], 15, "fetch-att"),
            (b"a FETCH 1 X-GM-LABELS\r\n", 10, "fetch-att"),
            (b"a STORE 1 +X-GM-LABELS (foo)\r\n", 11, "store-att-flags"),
            (b"a SEARCH X-GM-RAW foo\r\n", 9, "search-key"),
            (b"a SEARCH NOT X-GM-MSGID 1\r\n", 13, "search-key"),
        ] {
            rejects(line, offset, expected);
        }
        let bad: &[(&str, usize, &str)] = &[
            ("a FETCH 1 (X-GM-LABELSX)\r\n", 11, "fetch-att"),
            ("a STORE 1 +X-GM-LABELS\r\n", 22, "SP"),
            ("a STORE 1 +X-GM-LABELS (a\r\n", 25, "\")\""),
            ("a SEARCH X-GM-RAW\r\n", 17, "SP"),
            ("a SEARCH X-GM-MSGID -1\r\n", 20, "gm-id"),
            ("a SEARCH X-GM-THRID 18446744073709551616\r\n", 20, "gm-id"),
            ("a SEARCH X-GM-LABELS (a)\r\n", 21, "gm-label"),
        ];
        errors_at(bad, |b| Command::parse_with(b, &gmail()).err());
    }

    /// XLIST, the named legacy form: Google's example exchange, and the mapping of its
    /// attributes.
    #[test]
    fn xlist() {
        use crate::command::{CommandKind, test_util::roundtrip};
        use crate::{Capability, MailboxAttribute};
        let cmd = roundtrip(b"a004 XLIST \"\" \"*\"\r\n", true);
        assert!(matches!(cmd.body, CommandBody::Xlist { .. }));
        assert_eq!(CommandKind::Xlist.capability(), Some(Capability::Xlist));
        rejects(b"a XLIST \"\"\r\n", 10, "SP");
        let mut uses = Vec::new();
        for line in [
            "* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"\r\n",
            "* XLIST (\\Noselect \\HasChildren) \"/\" \"[Gmail]\"\r\n",
            "* XLIST (\\HasNoChildren \\AllMail) \"/\" \"[Gmail]/All Mail\"\r\n",
            "* XLIST (\\HasNoChildren \\Drafts) \"/\" \"[Gmail]/Drafts\"\r\n",
            "* XLIST (\\HasNoChildren \\Important) \"/\" \"[Gmail]/Important\"\r\n",
            "* XLIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n",
            "* XLIST (\\HasNoChildren \\Spam) \"/\" \"[Gmail]/Spam\"\r\n",
            "* XLIST (\\HasNoChildren \\Starred) \"/\" \"[Gmail]/Starred\"\r\n",
            "* XLIST (\\HasNoChildren \\Trash) \"/\" \"[Gmail]/Trash\"\r\n",
        ] {
            let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
            let mut out = Vec::new();
            let _ = r.encode(&mut out);
            // `"Inbox"` is the INBOX, written canonically as `INBOX`.
            assert_eq!(
                String::from_utf8_lossy(&out),
                line.replace("\"Inbox\"", "INBOX")
            );
            let Response::Data(Data::Xlist(l)) = r else {
                panic!("{line}")
            };
            uses.extend(l.attributes.as_slice().iter().filter_map(xlist_special_use));
        }
        let important = MailboxAttribute::Extension(crate::Atom::new("Important").unwrap());
        assert_eq!(
            uses,
            [
                MailboxAttribute::All,
                MailboxAttribute::Drafts,
                important,
                MailboxAttribute::Sent,
                MailboxAttribute::Junk,
                MailboxAttribute::Flagged,
                MailboxAttribute::Trash,
            ]
        );
        let e = Response::parse(b"* XLIST (\\Noselect \\Marked) \"/\" x\r\n").unwrap_err();
        assert_eq!(e.expected, "mbx-list-flags");
    }
}
