//! QUOTA: RFC 9208 (§4 commands, §5 responses, §7 grammar) and the RFC 2087 forms servers
//! still send.
//!
//! ```text
//! getquota          = "GETQUOTA" SP quota-root-name
//! getquotaroot      = "GETQUOTAROOT" SP mailbox
//! setquota          = "SETQUOTA" SP quota-root-name SP setquota-list
//! setquota-list     = "(" [setquota-resource *(SP setquota-resource)] ")"
//! setquota-resource = resource-name SP resource-limit
//! quota-response    = "QUOTA" SP quota-root-name SP quota-list
//! quota-list        = "(" quota-resource *(SP quota-resource) ")"
//! quota-resource    = resource-name SP resource-usage SP resource-limit
//! quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
//! quota-root-name   = astring
//! resource-name     = "STORAGE" / "MESSAGE" / "MAILBOX" / "ANNOTATION-STORAGE" / atom
//! resource-usage    = number64
//! resource-limit    = number64
//! ```
//!
//! RFC 2087 §5 writes `quota_list ::= "(" #quota_resource ")"`, where `#` allows an empty list
//! (`* QUOTA "" ()`, a root without limits): the strict grammar is the union of both RFCs, so
//! `()` is accepted. Courier-IMAP sends `* QUOTA "ROOT"` with no list at all; the real-world
//! profile reads it as the empty list and reports [`ImapDeviation::QuotaWithoutList`]. RFC 9208
//! §7's comment "usage must be less than the limit" is not a syntax rule (servers do go over)
//! and is not checked.
//!
//! The QUOTA=RES-* and QUOTASET capabilities are [`Capability::QuotaRes`] and
//! [`Capability::QuotaSet`]; `STATUS ... DELETED-STORAGE` (RFC 9208 §4.4) is a status item of
//! the base tables. The commands are rows of the command table, the responses rows of the
//! data table; `OVERQUOTA` is a code of RFC 9051.
//!
//! [`Capability::QuotaRes`]: crate::Capability::QuotaRes
//! [`Capability::QuotaSet`]: crate::Capability::QuotaSet

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::command::CommandBody;
use crate::context::{Ctx, ImapDeviation};
use crate::core::{AString, Atom};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::{Number64, encode_sp_mailbox_items, sp_astring, sp_mailbox_items};
use crate::mailbox::Mailbox;
use crate::parse::{is_atom_char, paren_list, sp, take_while};

/// `resource-name` (RFC 9208 §7, §5.1–§5.4; RFC 2087 `atom`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum QuotaResource<'a> {
    /// `STORAGE`: the physical space, in units of 1024 octets (§5.1).
    Storage,
    /// `MESSAGE`: the number of messages (§5.2).
    Message,
    /// `MAILBOX`: the number of mailboxes (§5.3).
    Mailbox,
    /// `ANNOTATION-STORAGE`: the size of annotations, in units of 1024 octets (§5.4).
    AnnotationStorage,
    /// `resource-name-ext = atom`: any other resource (e.g. RFC 2087 servers' `LEVEL`).
    Other(OtherQuotaResource<'a>),
}

/// A `resource-name-ext`: an atom that is not one of the names RFC 9208 defines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct OtherQuotaResource<'a>(Atom<'a>);

const RESOURCES: &[(&str, QuotaResource<'static>)] = &[
    ("STORAGE", QuotaResource::Storage),
    ("MESSAGE", QuotaResource::Message),
    ("MAILBOX", QuotaResource::Mailbox),
    ("ANNOTATION-STORAGE", QuotaResource::AnnotationStorage),
];

impl<'a> QuotaResource<'a> {
    /// The resource named `name` (case-insensitive): a known one, or [`QuotaResource::Other`]
    /// for any other atom.
    ///
    /// ```
    /// use mailproto_imap_codec::ext::quota::QuotaResource;
    /// assert_eq!(QuotaResource::new("storage").unwrap(), QuotaResource::Storage);
    /// assert_eq!(QuotaResource::new("X-LEVEL").unwrap().as_str(), "X-LEVEL");
    /// assert!(QuotaResource::new("two words").is_err());
    /// ```
    pub fn new(name: impl Into<alloc::borrow::Cow<'a, str>>) -> Result<Self, ValidationError> {
        let atom = Atom::new(name)?;
        Ok(Self::from_atom(atom))
    }

    pub(crate) fn from_atom(atom: Atom<'a>) -> Self {
        for (n, r) in RESOURCES {
            if atom.as_str().eq_ignore_ascii_case(n) {
                return r.clone();
            }
        }
        QuotaResource::Other(OtherQuotaResource(atom))
    }

    /// The name as sent (upper case for the known names).
    pub fn as_str(&self) -> &str {
        match self {
            QuotaResource::Other(o) => o.0.as_str(),
            known => RESOURCES
                .iter()
                .find(|(_, r)| r == known)
                .map(|(n, _)| *n)
                .unwrap_or_default(),
        }
    }

    /// `resource-name`
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, name) = take_while(i, is_atom_char);
        if name.is_empty() {
            return fail(i, "resource-name");
        }
        Ok((r, Self::from_atom(Atom::from_checked(name))))
    }
}

impl Encode for QuotaResource<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.as_str().as_bytes());
    }
}

/// `quota-resource = resource-name SP resource-usage SP resource-limit` (RFC 9208 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaUsage<'a> {
    /// The resource.
    pub resource: QuotaResource<'a>,
    /// How much of it is used.
    pub usage: Number64,
    /// The limit.
    pub limit: Number64,
}

/// `setquota-resource = resource-name SP resource-limit` (RFC 9208 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaLimit<'a> {
    /// The resource.
    pub resource: QuotaResource<'a>,
    /// The new limit.
    pub limit: Number64,
}

/// `quota-response = "QUOTA" SP quota-root-name SP quota-list` (RFC 9208 §5.1 ff., §7;
/// RFC 2087 §5.1 with an empty list allowed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaData<'a> {
    /// The quota root.
    pub root: AString<'a>,
    /// The resources' usage and limits.
    pub resources: Vec<QuotaUsage<'a>>,
}

/// `quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)` (RFC 9208 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaRootData<'a> {
    /// The mailbox asked about.
    pub mailbox: Mailbox<'a>,
    /// Its quota roots (none: no quota applies).
    pub roots: Vec<AString<'a>>,
}

fn quota_root_name<const CMD: bool>(i: &[u8]) -> PResult<'_, AString<'_>> {
    AString::parse::<CMD>(i).map_err(|e| {
        e.map(|mut e| {
            if e.input.len() == i.len() {
                e.expected = "quota-root-name";
            }
            e
        })
    })
}

// ---- commands ----

/// `getquota = "GETQUOTA" SP quota-root-name`: the row's parser.
pub(crate) fn parse_getquota<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, root) = quota_root_name::<true>(i)?;
    Ok((i, CommandBody::GetQuota { root }))
}

/// The GETQUOTA row's encoder.
pub(crate) fn encode_getquota(root: &AString<'_>, e: &mut Encoder<'_>) {
    e.sp();
    root.encode(e);
}

/// `getquotaroot = "GETQUOTAROOT" SP mailbox`: the row's parser.
pub(crate) fn parse_getquotaroot<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = crate::command::sp_mailbox(i)?;
    Ok((i, CommandBody::GetQuotaRoot { mailbox }))
}

/// The GETQUOTAROOT row's encoder.
pub(crate) fn encode_getquotaroot(mailbox: &Mailbox<'_>, e: &mut Encoder<'_>) {
    e.sp();
    mailbox.encode(e);
}

/// `setquota = "SETQUOTA" SP quota-root-name SP setquota-list`: the row's parser.
pub(crate) fn parse_setquota<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, root) = quota_root_name::<true>(i)?;
    let (i, ()) = sp(i)?;
    let (i, limits) = crate::parse::rule("setquota-list", |i| {
        paren_list(i, true, |i| {
            let (i, resource) = QuotaResource::parse(i)?;
            let (i, ()) = sp(i)?;
            let (i, limit) = Number64::parse(i)?;
            Ok((i, QuotaLimit { resource, limit }))
        })
    })(i)?;
    Ok((i, CommandBody::SetQuota { root, limits }))
}

/// The SETQUOTA row's encoder.
pub(crate) fn encode_setquota(root: &AString<'_>, limits: &[QuotaLimit<'_>], e: &mut Encoder<'_>) {
    e.sp();
    root.encode(e);
    e.sp().paren_list(limits, |e, l| {
        l.resource.encode(e);
        e.sp();
        l.limit.encode(e);
    });
}

// ---- responses ----

impl<'a> QuotaData<'a> {
    /// The data row's parser: `SP quota-root-name SP quota-list` after `QUOTA`.
    pub(crate) fn parse(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let (i, root) = quota_root_name::<false>(i)?;
        if ctx.real_world() && i.starts_with(b"\r\n") {
            // Courier-IMAP: `* QUOTA "ROOT"` CRLF, no list.
            ctx.deviate(ImapDeviation::QuotaWithoutList, i);
            return Ok((
                i,
                QuotaData {
                    root,
                    resources: Vec::new(),
                },
            ));
        }
        let (i, ()) = sp(i)?;
        let (i, resources) = crate::parse::rule("quota-list", |i| {
            paren_list(i, true, |i| {
                let (i, resource) = QuotaResource::parse(i)?;
                let (i, ()) = sp(i)?;
                let (i, usage) = Number64::parse(i)?;
                let (i, ()) = sp(i)?;
                let (i, limit) = Number64::parse(i)?;
                Ok((
                    i,
                    QuotaUsage {
                        resource,
                        usage,
                        limit,
                    },
                ))
            })
        })(i)?;
        Ok((i, QuotaData { root, resources }))
    }

    /// The data row's encoder: what follows `QUOTA`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        e.sp();
        self.root.encode(e);
        e.sp().paren_list(&self.resources, |e, r| {
            r.resource.encode(e);
            e.sp();
            r.usage.encode(e);
            e.sp();
            r.limit.encode(e);
        });
    }
}

impl<'a> QuotaRootData<'a> {
    /// The data row's parser: `SP mailbox *(SP quota-root-name)` after `QUOTAROOT`.
    pub(crate) fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, (mailbox, roots)) =
            sp_mailbox_items(i, |i| sp_astring::<false>(i, "quota-root-name"))?;
        Ok((i, QuotaRootData { mailbox, roots }))
    }

    /// The data row's encoder: what follows `QUOTAROOT`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        encode_sp_mailbox_items(&self.mailbox, &self.roots, |r, e| r.encode(e), e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{DeviationId, Profile};
    use crate::response::{Data, Response};
    use crate::{Command, EncodeOptions, ParseOptions};

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
    fn rfc_9208_examples() {
        // §4.2, §4.3, §4.1 (RFC 9208's examples).
        assert!(matches!(
            command("G0001 GETQUOTA \"!partition/sda4\"\r\n"),
            CommandBody::GetQuota { .. }
        ));
        command("G0002 GETQUOTAROOT INBOX\r\n");
        let CommandBody::SetQuota { limits, .. } =
            command("S0000 SETQUOTA \"User quota\" (STORAGE 510)\r\n")
        else {
            panic!()
        };
        assert_eq!(limits[0].resource, QuotaResource::Storage);
        assert_eq!(limits[0].limit.get(), 510);
        command("S0001 SETQUOTA \"\" ()\r\n");
        let Data::Quota(q) = data("* QUOTA \"!partition/sda4\" (STORAGE 104 10923847)\r\n") else {
            panic!()
        };
        assert_eq!(
            (q.resources[0].usage.get(), q.resources[0].limit.get()),
            (104, 10923847)
        );
        let Data::QuotaRoot(r) = data("* QUOTAROOT INBOX \"#user/alice\" \"!partition/sda4\"\r\n")
        else {
            panic!()
        };
        assert_eq!(r.roots.len(), 2);
        data("* QUOTAROOT comp.mail.mime\r\n");
        data(
            "* QUOTA \"#user/alice\" (MESSAGE 42 1000 ANNOTATION-STORAGE 0 9223372036854775807 X-LEVEL 1 2)\r\n",
        );
        // RFC 2087: an empty list.
        data("* QUOTA \"\" ()\r\n");
    }

    #[test]
    fn bad_input() {
        for (bad, offset, expected) in [
            (&b"a GETQUOTA\r\n"[..], 10, "SP"),
            (b"a GETQUOTA (x)\r\n", 11, "quota-root-name"),
            (b"a SETQUOTA x (STORAGE)\r\n", 21, "SP"),
            (b"a SETQUOTA x (STORAGE -1)\r\n", 22, "number64"),
            (b"a SETQUOTA x STORAGE 1\r\n", 13, "\"(\""),
            (b"a SETQUOTA x ( STORAGE 1)\r\n", 14, "resource-name"),
            (b"a GETQUOTAROOT\r\n", 14, "SP"),
        ] {
            let e = Command::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
        for (bad, offset, expected) in [
            (&b"* QUOTA \"ROOT\"\r\n"[..], 14, "SP"),
            (b"* QUOTA x (STORAGE 1)\r\n", 20, "SP"),
            (
                b"* QUOTA x (STORAGE 1 9223372036854775808)\r\n",
                21,
                "number64",
            ),
            (b"* QUOTAROOT\r\n", 11, "SP"),
            (b"* QUOTAROOT INBOX \r\n", 18, "quota-root-name"),
        ] {
            let e = Response::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
    }

    #[test]
    fn courier_quota_without_list() {
        let line = b"* QUOTA \"ROOT\"\r\n";
        assert!(Response::parse(line).is_err());
        let rw = ParseOptions::default().with_profile(Profile::RealWorld);
        let parsed = Response::parse_with(line, &rw).unwrap();
        let Response::Data(Data::Quota(q)) = &parsed.value else {
            panic!()
        };
        assert!(q.resources.is_empty());
        assert_eq!(parsed.deviations.len(), 1);
        assert_eq!(parsed.deviations[0].id.id(), "quota-without-list");
        assert_eq!(parsed.deviations[0].offset, 14);
    }
}
