//! ACL: RFC 4314 (§3.1–§3.5 the commands, §3.6–§3.8 the responses, §7 the grammar).
//!
//! ```text
//! setacl          = "SETACL" SP mailbox SP identifier SP mod-rights
//! deleteacl       = "DELETEACL" SP mailbox SP identifier
//! getacl          = "GETACL" SP mailbox
//! listrights      = "LISTRIGHTS" SP mailbox SP identifier
//! myrights        = "MYRIGHTS" SP mailbox
//! acl-data        = "ACL" SP mailbox *(SP identifier SP rights)
//! listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights *(SP rights)
//! myrights-data   = "MYRIGHTS" SP mailbox SP rights
//! identifier      = astring
//! rights          = astring   ;; only lowercase ASCII letters and digits are allowed.
//! mod-rights      = astring   ;; +rights to add, -rights to remove, rights to replace
//! rights-capa     = "RIGHTS=" new-rights
//! ```
//!
//! `rights` and `mod-rights` are kept as the `astring`s sent (RFC 4314's restriction is a
//! comment, and RFC 2086 servers send upper-case and `""` rights); [`Rights`] reads them.
//! The commands are rows of the command table (authenticated state, capability `ACL`); the
//! responses are rows of the data table. LIST-MYRIGHTS (RFC 8440) needs no grammar of its own:
//! its `MYRIGHTS` LIST return option and extended data item use the RFC 5258 extension forms
//! (`option-extension`, `mbox-list-extended-item`).

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::command::CommandBody;
use crate::context::Ctx;
use crate::core::AString;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::ext::{encode_sp_mailbox_items, sp_astring, sp_mailbox_items};
use crate::mailbox::Mailbox;
use crate::parse::sp;

/// The rights an `astring` names: each letter one right (RFC 4314 §2.1, §2.2).
///
/// ```
/// use mailproto_imap_codec::ext::acl::Rights;
/// let r = Rights::new("lrswipkxtea");
/// assert!(r.has('l') && r.has('a') && !r.has('c'));
/// assert_eq!(Rights::new("+w").modification(), Some('+'));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights<'s>(&'s str);

impl<'s> Rights<'s> {
    /// Reads `rights` (or `mod-rights`: an optional leading `+` or `-`).
    pub fn new(rights: &'s str) -> Self {
        Rights(rights)
    }

    /// `+` (add) or `-` (remove) for `mod-rights`; `None` for a replacement.
    pub fn modification(self) -> Option<char> {
        self.0.chars().next().filter(|c| matches!(c, '+' | '-'))
    }

    /// Whether the right `c` is named.
    pub fn has(self, c: char) -> bool {
        self.letters().any(|x| x == c)
    }

    /// The rights named, without a leading `+` / `-`.
    pub fn letters(self) -> impl Iterator<Item = char> + 's {
        let s = self.0.strip_prefix(['+', '-']).unwrap_or(self.0);
        s.chars()
    }
}

/// One `identifier SP rights` pair of `acl-data`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AclEntry<'a> {
    /// `identifier = astring`: a user or group (`anyone`, `-fred`).
    pub identifier: AString<'a>,
    /// `rights = astring`
    pub rights: AString<'a>,
}

/// `acl-data = "ACL" SP mailbox *(SP identifier SP rights)` (RFC 4314 §3.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AclData<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// Its access control list.
    pub entries: Vec<AclEntry<'a>>,
}

/// `listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights *(SP rights)`
/// (RFC 4314 §3.7): the rights always granted, then the groups of optional rights.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListRightsData<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The identifier asked about.
    pub identifier: AString<'a>,
    /// The rights always granted (may be `""`).
    pub required: AString<'a>,
    /// The rights that may be granted, one group per element.
    pub optional: Vec<AString<'a>>,
}

/// `myrights-data = "MYRIGHTS" SP mailbox SP rights` (RFC 4314 §3.8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MyRightsData<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The rights of the logged-in user.
    pub rights: AString<'a>,
}

fn sp_mailbox<const CMD: bool>(i: &[u8]) -> PResult<'_, Mailbox<'_>> {
    let (i, ()) = sp(i)?;
    Mailbox::parse::<CMD>(i)
}

// ---- commands ----

/// `setacl = "SETACL" SP mailbox SP identifier SP mod-rights`: the row's parser.
pub(crate) fn parse_setacl<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox::<true>(i)?;
    let (i, identifier) = sp_astring::<true>(i, "identifier")?;
    let (i, rights) = sp_astring::<true>(i, "mod-rights")?;
    Ok((
        i,
        CommandBody::SetAcl {
            mailbox,
            identifier,
            rights,
        },
    ))
}

/// The SETACL row's encoder.
pub(crate) fn encode_setacl(
    mailbox: &Mailbox<'_>,
    identifier: &AString<'_>,
    rights: &AString<'_>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    mailbox.encode(e);
    e.sp();
    identifier.encode(e);
    e.sp();
    rights.encode(e);
}

/// `deleteacl = "DELETEACL" SP mailbox SP identifier`: the row's parser.
pub(crate) fn parse_deleteacl<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox::<true>(i)?;
    let (i, identifier) = sp_astring::<true>(i, "identifier")?;
    Ok((
        i,
        CommandBody::DeleteAcl {
            mailbox,
            identifier,
        },
    ))
}

/// `listrights = "LISTRIGHTS" SP mailbox SP identifier`: the row's parser.
pub(crate) fn parse_listrights<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox::<true>(i)?;
    let (i, identifier) = sp_astring::<true>(i, "identifier")?;
    Ok((
        i,
        CommandBody::ListRights {
            mailbox,
            identifier,
        },
    ))
}

/// The DELETEACL and LISTRIGHTS rows' encoder.
pub(crate) fn encode_mailbox_identifier(
    mailbox: &Mailbox<'_>,
    identifier: &AString<'_>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    mailbox.encode(e);
    e.sp();
    identifier.encode(e);
}

/// `getacl = "GETACL" SP mailbox`: the row's parser.
pub(crate) fn parse_getacl<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox::<true>(i)?;
    Ok((i, CommandBody::GetAcl { mailbox }))
}

/// `myrights = "MYRIGHTS" SP mailbox`: the row's parser.
pub(crate) fn parse_myrights<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox::<true>(i)?;
    Ok((i, CommandBody::MyRights { mailbox }))
}

// ---- responses ----

impl<'a> AclData<'a> {
    /// The data row's parser: `SP mailbox *(SP identifier SP rights)` after `ACL`.
    pub(crate) fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, (mailbox, entries)) = sp_mailbox_items(i, |i| {
            let (r, identifier) = sp_astring::<false>(i, "identifier")?;
            let (r, rights) = sp_astring::<false>(r, "rights")?;
            Ok((r, AclEntry { identifier, rights }))
        })?;
        Ok((i, AclData { mailbox, entries }))
    }

    /// The data row's encoder: what follows `ACL`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        encode_sp_mailbox_items(
            &self.mailbox,
            &self.entries,
            |x, e| {
                x.identifier.encode(e);
                e.sp();
                x.rights.encode(e);
            },
            e,
        );
    }
}

impl<'a> ListRightsData<'a> {
    /// The data row's parser: `SP mailbox SP identifier SP rights *(SP rights)`.
    pub(crate) fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, mailbox) = sp_mailbox::<false>(i)?;
        let (i, identifier) = sp_astring::<false>(i, "identifier")?;
        let (mut i, required) = sp_astring::<false>(i, "rights")?;
        let mut optional = Vec::new();
        while i.first() == Some(&b' ') {
            let (r, rights) = sp_astring::<false>(i, "rights")?;
            optional.push(rights);
            i = r;
        }
        Ok((
            i,
            ListRightsData {
                mailbox,
                identifier,
                required,
                optional,
            },
        ))
    }

    /// The data row's encoder: what follows `LISTRIGHTS`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        e.sp();
        self.mailbox.encode(e);
        e.sp();
        self.identifier.encode(e);
        e.sp();
        self.required.encode(e);
        for r in &self.optional {
            e.sp();
            r.encode(e);
        }
    }
}

impl<'a> MyRightsData<'a> {
    /// The data row's parser: `SP mailbox SP rights` after `MYRIGHTS`.
    pub(crate) fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, mailbox) = sp_mailbox::<false>(i)?;
        let (i, rights) = sp_astring::<false>(i, "rights")?;
        Ok((i, MyRightsData { mailbox, rights }))
    }

    /// The data row's encoder: what follows `MYRIGHTS`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        e.sp();
        self.mailbox.encode(e);
        e.sp();
        self.rights.encode(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Data, Response};
    use crate::{Command, CommandKind, EncodeOptions};

    fn command(line: &str) -> CommandBody<'static> {
        let cmd = Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(String::from_utf8_lossy(&out), line);
        cmd.body.into_static()
    }

    fn data(line: &str) -> Data<'static> {
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), line);
        let Response::Data(d) = r else {
            panic!("{line}")
        };
        d.into_static()
    }

    #[test]
    fn rfc_4314_examples() {
        // §3.1–§3.5, §4.
        let CommandBody::SetAcl { rights, .. } =
            command("A035 SETACL INBOX/Drafts John lrQswicda\r\n")
        else {
            panic!()
        };
        assert_eq!(
            Rights::new(::core::str::from_utf8(rights.as_bytes()).unwrap()).modification(),
            None
        );
        command("A001 SETACL INBOX/Drafts Byron +w\r\n");
        command("A002 DELETEACL INBOX/Drafts Chris\r\n");
        command("A003 GETACL INBOX/Drafts\r\n");
        command("a LISTRIGHTS ~/Mail/saved smith\r\n");
        command("A004 MYRIGHTS INBOX\r\n");
        assert_eq!(CommandKind::GetAcl.name(), "GETACL");
        // §3.6–§3.8.
        let Data::Acl(a) = data("* ACL INBOX/Drafts Fred rwipslxetad Chris lrswi\r\n") else {
            panic!()
        };
        assert_eq!(a.entries.len(), 2);
        data("* ACL INBOX\r\n");
        let Data::ListRights(l) = data("* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n") else {
            panic!()
        };
        assert_eq!(l.optional.len(), 2);
        data(
            "* LISTRIGHTS archive/imap anyone \"\" l r s w i p k x t e c d a 0 1 2 3 4 5 6 7 8 9\r\n",
        );
        data("* MYRIGHTS INBOX rwiptsldaex\r\n");
    }

    #[test]
    fn bad_input() {
        for (bad, offset, expected) in [
            (&b"a SETACL INBOX Fred\r\n"[..], 19, "SP"),
            (b"a SETACL INBOX Fred (x)\r\n", 20, "mod-rights"),
            (b"a DELETEACL INBOX\r\n", 17, "SP"),
            (b"a GETACL\r\n", 8, "SP"),
            (b"a MYRIGHTS INBOX x\r\n", 16, "CRLF"),
            (b"a LISTRIGHTS INBOX (\r\n", 19, "identifier"),
        ] {
            let e = Command::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
        for (bad, offset, expected) in [
            (&b"* ACL INBOX Fred\r\n"[..], 16, "SP"),
            (b"* MYRIGHTS INBOX\r\n", 16, "SP"),
            (b"* LISTRIGHTS INBOX smith\r\n", 24, "SP"),
            (b"* MYRIGHTS INBOX (r)\r\n", 17, "rights"),
        ] {
            let e = Response::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
    }
}
