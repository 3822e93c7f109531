//! Untagged data responses: RFC 3501 §7.2–7.4 and RFC 9051 §7.2–7.5 — CAPABILITY, ENABLED,
//! LIST and LSUB (`mailbox-list`, `mbx-list-flags`, RFC 9051 `mbox-list-extended` with
//! CHILDINFO / OLDNAME), NAMESPACE (`namespace-response`), STATUS (`status-att-list`), SEARCH
//! (`obsolete-search-response`), ESEARCH (`esearch-response`), FLAGS, EXISTS, RECENT
//! (`obsolete-recent-response`), EXPUNGE and FETCH (`message-data`).

use crate::prelude::*;

use ::core::num::NonZeroU32;
use alloc::borrow::Cow;

use crate::capability::Capability;
use crate::context::{Ctx, ImapDeviation};
use crate::core::{AString, Atom, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::ext::condstore::{ModSeq, Vanished};
use crate::ext::language::{self, ComparatorData};
use crate::ext::namespace::NamespaceData;
use crate::ext::objectid::ObjectId;
use crate::ext::partial::PartialRange;
use crate::ext::search_context::{self, ContextUpdate};
use crate::ext::sort::Thread;
use crate::ext::uidonly::UidFetchData;
use crate::ext::urlauth::{self, UrlFetchItem};
use crate::ext::{
    NonEmpty, Number64, TaggedExtVal, is_label_char, is_tagged_ext_label, sp_tagged_ext_val,
};
use crate::flag::{Flag, MailboxAttribute};
use crate::mailbox::Mailbox;
use crate::parse::{
    ascii_str, byte, is_atom_char, lparen, number, nz_number, rparen, sp, starts_with_ci,
    take_while,
};
use crate::response::Delimiter;
use crate::response::fetch::MessageAttributes;
use crate::sequence::{SeqItems, SequenceSet};

/// `capability-data = "CAPABILITY" *(SP capability) SP ("IMAP4rev1" / "IMAP4rev2")
/// *(SP capability)` (RFC 3501 §7.2.1, RFC 9051 §7.2.2): at least one of `IMAP4rev1` and
/// `IMAP4rev2` is listed.
///
/// ```
/// use mailproto_imap_codec::{Capability, response::CapabilityData};
/// assert!(CapabilityData::new(vec![Capability::Imap4rev2, Capability::Idle]).is_ok());
/// assert!(CapabilityData::new(vec![Capability::Idle]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct CapabilityData<'a>(Vec<Capability<'a>>);

fn has_revision(caps: &[Capability<'_>]) -> bool {
    caps.iter()
        .any(|c| matches!(c, Capability::Imap4rev1 | Capability::Imap4rev2))
}

impl<'a> CapabilityData<'a> {
    /// A capability list; it must include `IMAP4rev1` or `IMAP4rev2`.
    pub fn new(caps: Vec<Capability<'a>>) -> Result<Self, ValidationError> {
        if !has_revision(&caps) {
            return Err(ValidationError::new("capability-data", None));
        }
        Ok(CapabilityData(caps))
    }

    /// The capabilities, in the server's order.
    pub fn capabilities(&self) -> &[Capability<'a>] {
        &self.0
    }

    /// Parses `*(SP capability)` after the name `CAPABILITY` (`rest` follows the name).
    pub(crate) fn parse_after_name(_start: &'a [u8], rest: &'a [u8]) -> PResult<'a, Self> {
        let (i, caps) = capabilities(rest)?;
        if !has_revision(&caps) {
            return fail_kind(i, "capability-data", ErrorKind::InvalidValue);
        }
        Ok((i, CapabilityData(caps)))
    }
}

impl CapabilityData<'_> {
    /// Writes `*(SP capability)`.
    pub(crate) fn encode_list(&self, e: &mut Encoder<'_>) {
        for c in &self.0 {
            e.sp();
            c.encode(e);
        }
    }
}

impl Encode for CapabilityData<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(b"CAPABILITY");
        self.encode_list(e);
    }
}

/// `*(SP capability)`
fn capabilities(mut i: &[u8]) -> PResult<'_, Vec<Capability<'_>>> {
    let mut caps = Vec::new();
    while i.first() == Some(&b' ') {
        let (r, c) = Capability::parse(&i[1..])?;
        caps.push(c);
        i = r;
    }
    Ok((i, caps))
}

/// The attributes of a LIST / LSUB response: `mbx-list-flags` (RFC 9051 §7.3.1, §9), with at
/// most one selectability flag (`\Noselect`, `\Marked`, `\Unmarked`; RFC 3501 `mbx-list-sflag`).
///
/// ```
/// use mailproto_imap_codec::{MailboxAttribute, response::ListAttributes};
/// assert!(ListAttributes::new(vec![MailboxAttribute::NoSelect, MailboxAttribute::HasChildren]).is_ok());
/// assert!(ListAttributes::new(vec![MailboxAttribute::NoSelect, MailboxAttribute::Marked]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ListAttributes<'a>(Vec<MailboxAttribute<'a>>);

fn is_sflag(a: &MailboxAttribute<'_>) -> bool {
    matches!(
        a,
        MailboxAttribute::NoSelect | MailboxAttribute::Marked | MailboxAttribute::Unmarked
    )
}

impl<'a> ListAttributes<'a> {
    /// Attributes with at most one of `\Noselect`, `\Marked` and `\Unmarked`.
    pub fn new(attributes: Vec<MailboxAttribute<'a>>) -> Result<Self, ValidationError> {
        if attributes.iter().filter(|a| is_sflag(a)).count() > 1 {
            return Err(ValidationError::new("mbx-list-flags", None));
        }
        Ok(ListAttributes(attributes))
    }

    /// The attributes.
    pub fn as_slice(&self) -> &[MailboxAttribute<'a>] {
        &self.0
    }

    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (mut i, ()) = lparen(i)?;
        let mut out = Vec::new();
        if i.first() == Some(&b')') {
            return Ok((&i[1..], ListAttributes(out)));
        }
        let mut sflag = false;
        loop {
            let (r, a) = MailboxAttribute::parse(i)?;
            if is_sflag(&a) {
                if sflag {
                    return fail_kind(i, "mbx-list-flags", ErrorKind::InvalidValue);
                }
                sflag = true;
            }
            out.push(a);
            match r.first() {
                Some(b' ') => i = &r[1..],
                Some(b')') => return Ok((&r[1..], ListAttributes(out))),
                _ => return fail(r, "\")\""),
            }
        }
    }
}

/// `SP mailbox-list`: the data of LSUB and XLIST.
fn sp_mailbox_list<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, MailboxList<'a>> {
    let (i, ()) = sp(i)?;
    MailboxList::parse(i)
}

fn encode_sp_mailbox_list(l: &MailboxList<'_>, e: &mut Encoder<'_>) {
    e.sp();
    l.encode(e);
}

/// `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox`
/// (RFC 3501 §7.2.2–7.2.3): the body of a LIST or LSUB response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MailboxList<'a> {
    /// The mailbox attributes.
    pub attributes: ListAttributes<'a>,
    /// The hierarchy delimiter, `None` for NIL (flat namespace).
    pub delimiter: Option<Delimiter>,
    /// The mailbox name.
    pub mailbox: Mailbox<'a>,
}

impl<'a> MailboxList<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        crate::parse::rule("mailbox-list", Self::parse_list)(i)
    }

    fn parse_list(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, attributes) = ListAttributes::parse(i)?;
        let (i, ()) = sp(i)?;
        let (i, delimiter) = Delimiter::parse_or_nil(i)?;
        let (i, ()) = sp(i)?;
        let (i, mailbox) = Mailbox::parse::<false>(i)?;
        Ok((
            i,
            MailboxList {
                attributes,
                delimiter,
                mailbox,
            },
        ))
    }
}

impl Encode for MailboxList<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.paren_list(&self.attributes.0, |e, a| a.encode(e)).sp();
        Delimiter::encode_or_nil(self.delimiter, e);
        e.sp();
        self.mailbox.encode(e);
    }
}

/// The value of a LIST extended data item (RFC 9051 §7.3.1, §9 `mbox-list-extended-item`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ListExtendedValue<'a> {
    /// `childinfo-extended-item`: `"(" list-select-base-opt-quoted *(SP ...) ")"`, the
    /// selection options (e.g. `SUBSCRIBED`) that matched children (RFC 5258 §4).
    ChildInfo(Vec<Atom<'a>>),
    /// `oldname-extended-item`: `"(" mailbox ")"`, the mailbox's former name.
    OldName(Mailbox<'a>),
    /// Any other item's `tagged-ext-val`.
    Other(TaggedExtVal<'a>),
}

/// `mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val` (RFC 9051 §9).
///
/// The tag keeps its wire form (it is an `astring`); `CHILDINFO` and `OLDNAME` (in any case)
/// always carry their own value types.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListExtendedItem<'a> {
    tag: AString<'a>,
    value: ListExtendedValue<'a>,
}

/// `eitem-standard-tag = atom` / `eitem-vendor-tag = vendor-token "-" atom`.
fn is_eitem_tag(tag: &[u8]) -> bool {
    if !tag.is_empty() && tag.iter().all(|&b| is_atom_char(b)) {
        return true;
    }
    // "vendor." name-component "-" atom, name-component = 1*UTF8-CHAR without . / % *
    if !starts_with_ci(tag, b"vendor.") {
        return false;
    }
    let rest = &tag[7..];
    let Some(dash) = rest.iter().position(|&b| b == b'-') else {
        return false;
    };
    let (component, atom) = (&rest[..dash], &rest[dash + 1..]);
    !component.is_empty()
        && ::core::str::from_utf8(component).is_ok()
        && !component.iter().any(|&b| {
            matches!(
                b,
                b'.' | b'/' | b'%' | b'*' | 0 | b'\r' | b'\n' | b'"' | b'\\'
            )
        })
        && !atom.is_empty()
        && atom.iter().all(|&b| is_atom_char(b))
}

impl<'a> ListExtendedItem<'a> {
    /// An item; the value's kind must agree with the tag (`CHILDINFO` ⇔ `ChildInfo` with at
    /// least one option, `OLDNAME` ⇔ `OldName`), and the tag must be an atom or a vendor tag.
    pub fn new(tag: AString<'a>, value: ListExtendedValue<'a>) -> Result<Self, ValidationError> {
        let t = tag.as_bytes();
        let child = t.eq_ignore_ascii_case(b"CHILDINFO");
        let old = t.eq_ignore_ascii_case(b"OLDNAME");
        let ok = is_eitem_tag(t)
            && match &value {
                ListExtendedValue::ChildInfo(v) => child && !v.is_empty(),
                ListExtendedValue::OldName(_) => old,
                ListExtendedValue::Other(_) => !child && !old,
            };
        if !ok {
            return Err(ValidationError::new("mbox-list-extended-item", None));
        }
        Ok(ListExtendedItem { tag, value })
    }

    /// The tag, e.g. `CHILDINFO`.
    pub fn tag(&self) -> &AString<'a> {
        &self.tag
    }

    /// The value.
    pub fn value(&self) -> &ListExtendedValue<'a> {
        &self.value
    }

    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, tag) = AString::parse::<false>(i).map_err(|e| {
            e.map(|mut e| {
                if e.input.len() == i.len() {
                    e.expected = "mbox-list-extended-item-tag";
                }
                e
            })
        })?;
        if !is_eitem_tag(tag.as_bytes()) {
            return fail_kind(i, "mbox-list-extended-item-tag", ErrorKind::InvalidValue);
        }
        let (r, ()) = sp(r)?;
        let t = tag.as_bytes();
        let (r, value) = if t.eq_ignore_ascii_case(b"CHILDINFO") {
            let (mut r, ()) = lparen(r)?;
            let mut opts = Vec::new();
            loop {
                let (q, ()) = byte(r, b'"', "list-select-base-opt-quoted")?;
                let (q, atom) = Atom::parse(q)?;
                let (q, ()) = byte(q, b'"', "DQUOTE")?;
                opts.push(atom);
                match q.first() {
                    Some(b' ') => r = &q[1..],
                    Some(b')') => break (&q[1..], ListExtendedValue::ChildInfo(opts)),
                    _ => return fail(q, "\")\""),
                }
            }
        } else if t.eq_ignore_ascii_case(b"OLDNAME") {
            let (r, ()) = lparen(r)?;
            let (r, m) = Mailbox::parse::<false>(r)?;
            let (r, ()) = rparen(r)?;
            (r, ListExtendedValue::OldName(m))
        } else {
            let (r, v) = TaggedExtVal::parse::<false>(r)?;
            (r, ListExtendedValue::Other(v))
        };
        Ok((r, ListExtendedItem { tag, value }))
    }
}

impl Encode for ListExtendedItem<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.tag.encode(e);
        e.sp();
        match &self.value {
            ListExtendedValue::ChildInfo(opts) => {
                e.paren_list(opts, |e, o| {
                    e.byte(b'"').raw(o.as_str().as_bytes()).byte(b'"');
                });
            }
            ListExtendedValue::OldName(m) => {
                e.byte(b'(');
                m.encode(e);
                e.byte(b')');
            }
            ListExtendedValue::Other(v) => v.encode(e),
        }
    }
}

/// A LIST response: `mailbox-list [SP mbox-list-extended]` (RFC 9051 §7.3.1, §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListData<'a> {
    /// Attributes, delimiter and name.
    pub list: MailboxList<'a>,
    /// `mbox-list-extended = "(" [item *(SP item)] ")"`; `None` when absent,
    /// `Some(vec![])` for `()`.
    pub extended: Option<Vec<ListExtendedItem<'a>>>,
}

impl<'a> ListData<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, list) = MailboxList::parse(i)?;
        if i.first() != Some(&b' ') {
            return Ok((
                i,
                ListData {
                    list,
                    extended: None,
                },
            ));
        }
        let (i, items) = crate::parse::paren_list(&i[1..], true, ListExtendedItem::parse)?;
        Ok((
            i,
            ListData {
                list,
                extended: Some(items),
            },
        ))
    }
}

impl Encode for ListData<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.list.encode(e);
        if let Some(items) = &self.extended {
            e.sp().paren_list(items, |e, x| x.encode(e));
        }
    }
}

/// One `status-att-val` (RFC 9051 §9) or RFC 3501 `status-att SP number`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StatusAttributeValue<'a> {
    /// `MESSAGES SP number`
    Messages(u32),
    /// `UIDNEXT SP number` (RFC 9051: nz-number)
    UidNext(u32),
    /// `UIDVALIDITY SP number` (RFC 9051: nz-number)
    UidValidity(u32),
    /// `UNSEEN SP number`
    Unseen(u32),
    /// `DELETED SP number` (RFC 9051)
    Deleted(u32),
    /// `SIZE SP number64` (RFC 9051, RFC 8438)
    Size(Number64),
    /// `RECENT SP number` (RFC 3501)
    Recent(u32),
    /// `HIGHESTMODSEQ SP mod-sequence-valzer` (RFC 7162 §3.1.6; 0: the mailbox has no
    /// persistent mod-sequences, §3.1.2.2)
    HighestModSeq(Number64),
    /// `MAILBOXID SP "(" objectid ")"` (RFC 8474 §4.2, [`crate::ext::objectid`])
    MailboxId(ObjectId<'a>),
    /// `APPENDLIMIT SP (number / nil)` (RFC 7889 §5, [`crate::ext::status_ext`]): `None` is
    /// NIL (no limit).
    AppendLimit(Option<u32>),
    /// `status-att-deleted-storage = "DELETED-STORAGE" SP number64` (RFC 9208 §4.1.4, §7)
    DeletedStorage(Number64),
}

impl<'a> StatusAttributeValue<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, name) = take_while(i, |b| b.is_ascii_alphabetic() || b == b'-');
        let is = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
        let make: fn(u32) -> Self = if is("MESSAGES") {
            StatusAttributeValue::Messages
        } else if is("UIDNEXT") {
            StatusAttributeValue::UidNext
        } else if is("UIDVALIDITY") {
            StatusAttributeValue::UidValidity
        } else if is("UNSEEN") {
            StatusAttributeValue::Unseen
        } else if is("DELETED") {
            StatusAttributeValue::Deleted
        } else if is("RECENT") {
            StatusAttributeValue::Recent
        } else if is("SIZE") || is("DELETED-STORAGE") {
            let (r, ()) = sp(r)?;
            let (r, n) = Number64::parse(r)?;
            return Ok((
                r,
                if is("SIZE") {
                    StatusAttributeValue::Size(n)
                } else {
                    StatusAttributeValue::DeletedStorage(n)
                },
            ));
        } else if is("HIGHESTMODSEQ") {
            let (r, ()) = sp(r)?;
            let (r, n) = crate::ext::condstore::parse_valzer(r)?;
            return Ok((r, StatusAttributeValue::HighestModSeq(n)));
        } else if is("MAILBOXID") {
            let (r, ()) = sp(r)?;
            let (r, id) = ObjectId::parse_paren(r)?;
            return Ok((r, StatusAttributeValue::MailboxId(id)));
        } else if is("APPENDLIMIT") {
            let (r, n) = crate::ext::status_ext::sp_number_or_nil(r)?;
            return Ok((r, StatusAttributeValue::AppendLimit(n)));
        } else {
            return fail(i, "status-att");
        };
        let (r, ()) = sp(r)?;
        let (r, n) = number(r)?;
        Ok((r, make(n)))
    }
}

impl Encode for StatusAttributeValue<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        let (name, n): (&[u8], u32) = match *self {
            StatusAttributeValue::Messages(n) => (b"MESSAGES ", n),
            StatusAttributeValue::UidNext(n) => (b"UIDNEXT ", n),
            StatusAttributeValue::UidValidity(n) => (b"UIDVALIDITY ", n),
            StatusAttributeValue::Unseen(n) => (b"UNSEEN ", n),
            StatusAttributeValue::Deleted(n) => (b"DELETED ", n),
            StatusAttributeValue::Recent(n) => (b"RECENT ", n),
            StatusAttributeValue::Size(n) => {
                e.raw(b"SIZE ");
                n.encode(e);
                return;
            }
            StatusAttributeValue::HighestModSeq(n) => {
                e.raw(b"HIGHESTMODSEQ ");
                n.encode(e);
                return;
            }
            StatusAttributeValue::MailboxId(ref id) => {
                e.raw(b"MAILBOXID");
                crate::ext::objectid::encode_sp_paren_objectid(id, e);
                return;
            }
            StatusAttributeValue::AppendLimit(n) => {
                e.raw(b"APPENDLIMIT");
                crate::ext::status_ext::encode_sp_number_or_nil(n, e);
                return;
            }
            StatusAttributeValue::DeletedStorage(n) => {
                e.raw(b"DELETED-STORAGE ");
                n.encode(e);
                return;
            }
        };
        e.raw(name).number(u64::from(n));
    }
}

/// `"STATUS" SP mailbox SP "(" [status-att-list] ")"` (RFC 3501 §7.2.4, RFC 9051 §7.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StatusData<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The requested status items.
    pub attributes: Vec<StatusAttributeValue<'a>>,
}

impl<'a> StatusData<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, mailbox) = Mailbox::parse::<false>(i)?;
        let (i, ()) = sp(i)?;
        let (i, attributes) = crate::parse::rule("status-att-list", |i| {
            crate::parse::paren_list(i, true, StatusAttributeValue::parse)
        })(i)?;
        Ok((
            i,
            StatusData {
                mailbox,
                attributes,
            },
        ))
    }
}

impl Encode for StatusData<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.mailbox.encode(e);
        e.sp().paren_list(&self.attributes, |e, a| a.encode(e));
    }
}

/// `search-ret-data-ext = search-modifier-name SP search-return-value` (RFC 9051 §9): return
/// data of a SEARCH extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SearchReturnExt<'a> {
    name: Cow<'a, str>,
    value: TaggedExtVal<'a>,
}

const SEARCH_RETURN_NAMES: &[&str] = &[
    "MIN",
    "MAX",
    "ALL",
    "COUNT",
    "UID",
    "MODSEQ",
    "ADDTO",
    "REMOVEFROM",
    "PARTIAL",
];

impl<'a> SearchReturnExt<'a> {
    /// Return data named `name` (a `tagged-ext-label` other than MIN, MAX, ALL, COUNT and
    /// UID, which have their own forms).
    pub fn new(
        name: impl Into<Cow<'a, str>>,
        value: TaggedExtVal<'a>,
    ) -> Result<Self, ValidationError> {
        let name = name.into();
        if !is_tagged_ext_label(name.as_bytes())
            || SEARCH_RETURN_NAMES
                .iter()
                .any(|n| name.eq_ignore_ascii_case(n))
        {
            return Err(ValidationError::new("search-modifier-name", None));
        }
        Ok(SearchReturnExt { name, value })
    }

    /// The name, e.g. `MODSEQ`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value.
    pub fn value(&self) -> &TaggedExtVal<'a> {
        &self.value
    }
}

/// `search-return-data` (RFC 9051 §7.3.4, §9; RFC 4731).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SearchReturnData<'a> {
    /// `MIN SP nz-number`
    Min(NonZeroU32),
    /// `MAX SP nz-number`
    Max(NonZeroU32),
    /// `ALL SP sequence-set` (never `$`)
    All(SeqItems),
    /// `COUNT SP number`
    Count(u32),
    /// `"MODSEQ" SP mod-sequence-value` (RFC 7162 §3.1.5, RFC 4731 §3.2): the highest
    /// mod-sequence of the messages found.
    ModSeq(ModSeq),
    /// `ret-data-addto = "ADDTO" SP "(" context-position SP sequence-set ... ")"` (RFC 5267
    /// §4.3): messages that entered an updated result.
    AddTo(ContextUpdate),
    /// `ret-data-removefrom = "REMOVEFROM" SP "(" ... ")"` (RFC 5267 §4.3).
    RemoveFrom(ContextUpdate),
    /// `ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results ")"`,
    /// `partial-results = sequence-set / "NIL"` (RFC 9394 §4, RFC 5267 §4.4); `None` for NIL.
    Partial(PartialRange, Option<SeqItems>),
    /// `search-ret-data-ext`
    Other(SearchReturnExt<'a>),
}

// By hand: `SeqItems` (sequence.rs) owns its data but has no `IntoStatic`.
impl IntoStatic for SearchReturnData<'_> {
    type Static = SearchReturnData<'static>;
    fn into_static(self) -> SearchReturnData<'static> {
        match self {
            SearchReturnData::Min(n) => SearchReturnData::Min(n),
            SearchReturnData::Max(n) => SearchReturnData::Max(n),
            SearchReturnData::All(s) => SearchReturnData::All(s),
            SearchReturnData::Count(n) => SearchReturnData::Count(n),
            SearchReturnData::ModSeq(n) => SearchReturnData::ModSeq(n),
            SearchReturnData::AddTo(u) => SearchReturnData::AddTo(u),
            SearchReturnData::RemoveFrom(u) => SearchReturnData::RemoveFrom(u),
            SearchReturnData::Partial(r, s) => SearchReturnData::Partial(r, s),
            SearchReturnData::Other(x) => SearchReturnData::Other(x.into_static()),
        }
    }
}

impl<'a> SearchReturnData<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, name) = take_while(i, is_label_char);
        let is = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
        if is("MIN") || is("MAX") {
            let (r, ()) = sp(r)?;
            let (r, n) = nz_number(r)?;
            let v = if is("MIN") {
                SearchReturnData::Min(n)
            } else {
                SearchReturnData::Max(n)
            };
            return Ok((r, v));
        }
        if is("ALL") {
            let (r, ()) = sp(r)?;
            if r.first() == Some(&b'$') {
                return fail(r, "sequence-set");
            }
            let (q, set) = SequenceSet::parse(r)?;
            return match set {
                SequenceSet::Items(items) => Ok((q, SearchReturnData::All(items))),
                SequenceSet::SearchResult => fail(r, "sequence-set"),
            };
        }
        if is("COUNT") {
            let (r, ()) = sp(r)?;
            let (r, n) = number(r)?;
            return Ok((r, SearchReturnData::Count(n)));
        }
        if is("MODSEQ") {
            let (r, ()) = sp(r)?;
            let (r, m) = ModSeq::parse(r)?;
            return Ok((r, SearchReturnData::ModSeq(m)));
        }
        if is("ADDTO") {
            let (r, u) = ContextUpdate::parse_after_name(r)?;
            return Ok((r, SearchReturnData::AddTo(u)));
        }
        if is("REMOVEFROM") {
            let (r, u) = ContextUpdate::parse_after_name(r)?;
            return Ok((r, SearchReturnData::RemoveFrom(u)));
        }
        if is("PARTIAL") {
            let (r, ()) = sp(r)?;
            let (r, ()) = lparen(r)?;
            let (r, range) = PartialRange::parse(r)?;
            let (r, ()) = sp(r)?;
            let (r, results) = if starts_with_ci(r, b"NIL") {
                (&r[3..], None)
            } else {
                let (r, s) = crate::parse::rule("partial-results", search_context::items)(r)?;
                (r, Some(s))
            };
            let (r, ()) = rparen(r)?;
            return Ok((r, SearchReturnData::Partial(range, results)));
        }
        if !is_tagged_ext_label(name) || is("UID") {
            return fail(i, "search-return-data");
        }
        let (r, value) = sp_tagged_ext_val::<false>(r)?;
        Ok((
            r,
            SearchReturnData::Other(SearchReturnExt {
                name: Cow::Borrowed(ascii_str(name)),
                value,
            }),
        ))
    }
}

impl Encode for SearchReturnData<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            SearchReturnData::Min(n) => {
                e.raw(b"MIN ").number(u64::from(n.get()));
            }
            SearchReturnData::Max(n) => {
                e.raw(b"MAX ").number(u64::from(n.get()));
            }
            SearchReturnData::All(items) => {
                e.raw(b"ALL ");
                for (n, item) in items.as_slice().iter().enumerate() {
                    if n > 0 {
                        e.byte(b',');
                    }
                    item.encode(e);
                }
            }
            SearchReturnData::Count(n) => {
                e.raw(b"COUNT ").number(u64::from(*n));
            }
            SearchReturnData::ModSeq(m) => {
                e.raw(b"MODSEQ ");
                m.encode(e);
            }
            SearchReturnData::AddTo(u) => {
                e.raw(b"ADDTO");
                u.encode(e);
            }
            SearchReturnData::RemoveFrom(u) => {
                e.raw(b"REMOVEFROM");
                u.encode(e);
            }
            SearchReturnData::Partial(range, results) => {
                e.raw(b"PARTIAL (");
                range.encode(e);
                e.sp();
                match results {
                    Some(s) => search_context::encode_items(s, e),
                    None => {
                        e.raw(b"NIL");
                    }
                }
                e.byte(b')');
            }
            SearchReturnData::Other(x) => {
                e.raw(x.name.as_bytes()).sp();
                x.value.encode(e);
            }
        }
    }
}

/// `esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)`
/// (RFC 9051 §7.3.4, RFC 4731).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EsearchData<'a> {
    /// `search-correlator = SP "(" "TAG" SP tag-string ")"`: the tag of the command.
    pub correlator: Option<AString<'a>>,
    /// The results are UIDs.
    pub uid: bool,
    /// The return data.
    pub data: Vec<SearchReturnData<'a>>,
}

impl<'a> EsearchData<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let mut out = EsearchData::default();
        let mut i = i;
        if i.starts_with(b" (") {
            let (r, ()) = crate::parse::keyword(&i[2..], "TAG")?;
            let (r, ()) = sp(r)?;
            let (r, tag) = AString::parse::<false>(r).map_err(|e| {
                e.map(|mut e| {
                    if e.input.len() == r.len() {
                        e.expected = "tag-string";
                    }
                    e
                })
            })?;
            let (r, ()) = rparen(r)?;
            out.correlator = Some(tag);
            i = r;
        }
        if starts_with_ci(i, b" UID") && !i.get(4).is_some_and(|&b| is_label_char(b)) {
            out.uid = true;
            i = &i[4..];
        }
        while i.first() == Some(&b' ') {
            let (r, d) = SearchReturnData::parse(&i[1..])?;
            out.data.push(d);
            i = r;
        }
        Ok((i, out))
    }
}

impl Encode for EsearchData<'_> {
    /// Writes what follows `ESEARCH`.
    fn encode(&self, e: &mut Encoder<'_>) {
        if let Some(tag) = &self.correlator {
            e.raw(b" (TAG ");
            tag.encode(e);
            e.byte(b')');
        }
        if self.uid {
            e.raw(b" UID");
        }
        for d in &self.data {
            e.sp();
            d.encode(e);
        }
    }
}

/// The untagged data responses, one row each: `Variant(payload) = "NAME", form, parser,
/// encoder, generator;`. From it come [`Data`], [`DataKind`] (with [`DataKind::ALL`] and
/// [`DataKind::name`]), the parser's dispatch, the encoder and the `Arbitrary` variant choice.
///
/// The form is `keyword` (`"*" SP NAME ...`: the parser gets the input after the name, the
/// encoder writes what follows the name) or `numbered` (`"*" SP number SP NAME ...`: the
/// parser gets the number, where it starts and the input after the name; the payload
/// implements [`MessageNumbered`] and the encoder writes what follows the name).
///
/// Adding a response: one row, a payload type with its parser and encoder, and a generator in
/// `arbitrary.rs`.
macro_rules! data_table {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident($payload:ty) = $name:literal, $form:ident, $parse:expr, $encode:expr, $arb:ident;
    )*) => {
        /// An untagged data response: `mailbox-data`, `message-data`, `capability-data` and
        /// `enable-data` (RFC 9051 §7.2–7.5, §9; RFC 3501 §7.2–7.4), one variant per row of
        /// the data table.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum Data<'a> {
            $($(#[doc = $doc])* $variant($payload),)*
        }

        /// The kind of a [`Data`] response, without its payload.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum DataKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl DataKind {
            /// Every kind, in table order.
            pub const ALL: &'static [DataKind] = &[$(DataKind::$variant,)*];

            /// The response's name on the wire, e.g. `"FETCH"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(DataKind::$variant => $name,)*
                }
            }

            /// Whether the response starts with a message number (`* 3 EXPUNGE`).
            pub fn is_numbered(self) -> bool {
                match self {
                    $(DataKind::$variant => data_table!(@numbered $form),)*
                }
            }
        }

        impl Data<'_> {
            /// The kind of this response.
            pub fn kind(&self) -> DataKind {
                match self {
                    $(Data::$variant(_) => DataKind::$variant,)*
                }
            }
        }

        /// The longest name of a row.
        const DATA_NAME_MAX: usize = crate::parse::max_len(&[$($name),*]);

        impl<'a> Data<'a> {
            /// Parses the response named `name` (any case) of the given form (`numbered`:
            /// `* 3 EXPUNGE`) after its name; `None` when no row has that name and form.
            /// Inlined into its two callers, where `numbered` is a constant: each keeps
            /// only the rows of its form.
            #[inline(always)]
            fn dispatch(
                name: &[u8],
                numbered: bool,
                input: DataInput<'a>,
                ctx: &Ctx<'_>,
            ) -> Option<PResult<'a, Self>> {
                /// Each row's name as bytes, named after its variant (`&[u8]` constants are
                /// slice patterns: the match is a comparison tree on length and bytes).
                #[allow(non_upper_case_globals)]
                mod name {
                    $(pub const $variant: &[u8] = $name.as_bytes();)*
                }
                let mut buf = [0u8; DATA_NAME_MAX];
                let upper = buf.get_mut(..name.len())?;
                for (d, s) in upper.iter_mut().zip(name) {
                    *d = s.to_ascii_uppercase();
                }
                Some(match &*upper {
                    $(name::$variant if data_table!(@numbered $form) == numbered => {
                        data_table!(@parse $form, $parse, input, ctx)
                            .map(|(r, v)| (r, Data::$variant(v)))
                    })*
                    _ => return None,
                })
            }
        }

        impl Encode for Data<'_> {
            fn encode(&self, e: &mut Encoder<'_>) {
                e.raw(b"* ");
                match self {
                    $(Data::$variant(v) => data_table!(@encode $form, $name, $encode, v, e),)*
                }
                e.crlf();
            }
        }

        /// Generates a [`Data`] value of a kind chosen from [`DataKind::ALL`].
        #[cfg(feature = "arbitrary")]
        pub(crate) fn arbitrary_data(
            u: &mut arbitrary::Unstructured<'_>,
        ) -> arbitrary::Result<Data<'static>> {
            Ok(match *u.choose(DataKind::ALL)? {
                $(DataKind::$variant => Data::$variant(crate::arbitrary::$arb(u)?),)*
            })
        }
    };
    (@numbered keyword) => { false };
    (@numbered numbered) => { true };
    (@parse keyword, $parse:expr, $input:ident, $ctx:ident) => {
        ($parse)($input.rest, $ctx)
    };
    (@parse numbered, $parse:expr, $input:ident, $ctx:ident) => {
        ($parse)($input.number, $input.at, $input.rest, $ctx)
    };
    (@encode keyword, $name:literal, $encode:expr, $v:ident, $e:ident) => {{
        $e.raw($name.as_bytes());
        ($encode)($v, $e);
    }};
    (@encode numbered, $name:literal, $encode:expr, $v:ident, $e:ident) => {{
        $e.number(u64::from(MessageNumbered::message_number($v)))
            .sp()
            .raw($name.as_bytes());
        ($encode)($v, $e);
    }};
}

data_table! {
    /// `capability-data`: `* CAPABILITY ...`
    Capability(CapabilityData<'a>) = "CAPABILITY", keyword,
        |r, _| CapabilityData::parse_after_name(r, r),
        |c: &CapabilityData<'_>, e: &mut Encoder<'_>| c.encode_list(e),
        capability_data;
    /// `enable-data = "ENABLED" *(SP capability)` (RFC 9051 §7.2.1, RFC 5161)
    Enabled(Vec<Capability<'a>>) = "ENABLED", keyword,
        |r, _| capabilities(r),
        |caps: &Vec<Capability<'_>>, e: &mut Encoder<'_>| for c in caps {
            e.sp();
            c.encode(e);
        },
        enabled_data;
    /// `"LIST" SP mailbox-list [SP mbox-list-extended]`
    List(ListData<'a>) = "LIST", keyword,
        |r, _| sp_then(r, ListData::parse),
        |l: &ListData<'_>, e: &mut Encoder<'_>| {
            e.sp();
            l.encode(e);
        },
        list_data;
    /// `"LSUB" SP mailbox-list` (RFC 3501 §7.2.3)
    Lsub(MailboxList<'a>) = "LSUB", keyword, sp_mailbox_list, encode_sp_mailbox_list, mailbox_list;
    /// `"XLIST" SP mailbox-list`: the answer to XLIST, Gmail's predecessor of SPECIAL-USE
    /// ([`crate::ext::gmail::xlist_special_use`] maps its attributes)
    Xlist(MailboxList<'a>) = "XLIST", keyword, sp_mailbox_list, encode_sp_mailbox_list, mailbox_list;
    /// `namespace-response` (RFC 9051 §7.3.5, RFC 2342)
    Namespace(NamespaceData<'a>) = "NAMESPACE", keyword,
        |r, _| sp_then(r, NamespaceData::parse),
        |n: &NamespaceData<'_>, e: &mut Encoder<'_>| {
            e.sp();
            n.encode(e);
        },
        namespace_data;
    /// `"STATUS" SP mailbox SP "(" [status-att-list] ")"`
    Status(StatusData<'a>) = "STATUS", keyword,
        |r, _| sp_then(r, StatusData::parse),
        |s: &StatusData<'_>, e: &mut Encoder<'_>| {
            e.sp();
            s.encode(e);
        },
        status_data;
    /// `"SEARCH" *(SP nz-number)` (RFC 3501 §7.2.5; RFC 9051 `obsolete-search-response`),
    /// with RFC 7162's `[1*(SP nz-number) SP search-sort-mod-seq]` (§3.1.5)
    Search(SearchData) = "SEARCH", keyword,
        SearchData::parse,
        |d: &SearchData, e: &mut Encoder<'_>| d.encode(e),
        search_data;
    /// `esearch-response` (RFC 9051 §7.3.4, RFC 4731)
    Esearch(EsearchData<'a>) = "ESEARCH", keyword,
        |r, _| EsearchData::parse(r),
        |d: &EsearchData<'_>, e: &mut Encoder<'_>| d.encode(e),
        esearch_data;
    /// `"FLAGS" SP flag-list`
    Flags(Vec<Flag<'a>>) = "FLAGS", keyword,
        |r, _| sp_then(r, flag_list),
        |flags: &Vec<Flag<'_>>, e: &mut Encoder<'_>| {
            e.sp().paren_list(flags, |e, f| f.encode(e));
        },
        flags_data;
    /// `number SP "EXISTS"`
    Exists(u32) = "EXISTS", numbered,
        |n, _, r, _| Ok((r, n)),
        |_: &u32, _: &mut Encoder<'_>| {},
        any_u32;
    /// `number SP "RECENT"` (RFC 3501 §7.3.2; RFC 9051 `obsolete-recent-response`)
    Recent(u32) = "RECENT", numbered,
        |n, _, r, _| Ok((r, n)),
        |_: &u32, _: &mut Encoder<'_>| {},
        any_u32;
    /// `nz-number SP "EXPUNGE"`
    Expunge(NonZeroU32) = "EXPUNGE", numbered,
        |_, at, r, _| nz_number(at).map(|(_, n)| (r, n)),
        |_: &NonZeroU32, _: &mut Encoder<'_>| {},
        nz_u32;
    /// `nz-number SP "FETCH" SP msg-att`
    Fetch(FetchData<'a>) = "FETCH", numbered,
        FetchData::parse,
        |f: &FetchData<'_>, e: &mut Encoder<'_>| f.attributes.encode_sp(e),
        fetch_data;
    /// `uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att` (RFC 9586 §3.3, once UIDONLY is
    /// enabled; [`crate::ext::uidonly`])
    UidFetch(UidFetchData<'a>) = "UIDFETCH", numbered,
        UidFetchData::parse,
        |f: &UidFetchData<'_>, e: &mut Encoder<'_>| f.encode_after_name(e),
        uid_fetch_data;
    /// `expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids` (RFC 7162 §3.2.10;
    /// [`crate::ext::condstore`])
    Vanished(Vanished) = "VANISHED", keyword,
        |r, _| Vanished::parse_after_name(r),
        |v: &Vanished, e: &mut Encoder<'_>| v.encode_after_name(e),
        vanished_data;
    /// `sort-data = "SORT" *(SP nz-number)` (RFC 5256 §5), with RFC 7162's
    /// `[1*(SP nz-number) SP search-sort-mod-seq]` (§7); [`crate::ext::sort`]
    Sort(SearchData) = "SORT", keyword,
        SearchData::parse,
        |d: &SearchData, e: &mut Encoder<'_>| d.encode(e),
        search_data;
    /// `thread-data = "THREAD" [SP 1*thread-list]` (RFC 5256 §5); [`crate::ext::sort`]
    Thread(Vec<Thread>) = "THREAD", keyword,
        crate::ext::sort::parse_thread_data,
        |t: &Vec<Thread>, e: &mut Encoder<'_>| crate::ext::sort::encode_thread_data(t, e),
        thread_data;
    /// `id_response ::= "ID" SPACE id_params_list` (RFC 2971 §3.2, [`crate::ext::id`]);
    /// empty for `NIL` (or `()`)
    Id(Vec<IdParam<'a>>) = "ID", keyword,
        crate::ext::id::parse_id_response,
        |p: &Vec<IdParam<'_>>, e: &mut Encoder<'_>| {
            e.sp();
            crate::ext::id::encode_params(p, e);
        },
        id_data;
    /// `quota-response` (RFC 9208 §5, [`crate::ext::quota`])
    Quota(QuotaData<'a>) = "QUOTA", keyword,
        QuotaData::parse,
        |q: &QuotaData<'_>, e: &mut Encoder<'_>| q.encode_after_name(e),
        quota_data;
    /// `quotaroot-response` (RFC 9208 §5)
    QuotaRoot(QuotaRootData<'a>) = "QUOTAROOT", keyword,
        QuotaRootData::parse,
        |q: &QuotaRootData<'_>, e: &mut Encoder<'_>| q.encode_after_name(e),
        quota_root_data;
    /// `acl-data` (RFC 4314 §3.6, [`crate::ext::acl`])
    Acl(AclData<'a>) = "ACL", keyword,
        AclData::parse,
        |a: &AclData<'_>, e: &mut Encoder<'_>| a.encode_after_name(e),
        acl_data;
    /// `listrights-data` (RFC 4314 §3.7)
    ListRights(ListRightsData<'a>) = "LISTRIGHTS", keyword,
        ListRightsData::parse,
        |a: &ListRightsData<'_>, e: &mut Encoder<'_>| a.encode_after_name(e),
        list_rights_data;
    /// `myrights-data` (RFC 4314 §3.8)
    MyRights(MyRightsData<'a>) = "MYRIGHTS", keyword,
        MyRightsData::parse,
        |a: &MyRightsData<'_>, e: &mut Encoder<'_>| a.encode_after_name(e),
        my_rights_data;
    /// `metadata-resp` (RFC 5464 §4.4, [`crate::ext::metadata`])
    Metadata(MetadataData<'a>) = "METADATA", keyword,
        MetadataData::parse,
        |m: &MetadataData<'_>, e: &mut Encoder<'_>| m.encode_after_name(e),
        metadata_data;
    /// `language-data = "LANGUAGE" SP "(" lang-tag-quoted *(SP lang-tag-quoted) ")"`
    /// (RFC 5255 §3.3, [`crate::ext::language`])
    Language(NonEmpty<AString<'a>>) = "LANGUAGE", keyword,
        language::parse_language_data,
        language::encode_language_data,
        language_data;
    /// `comparator-data` (RFC 5255 §4.8, [`crate::ext::language`])
    Comparator(ComparatorData<'a>) = "COMPARATOR", keyword,
        ComparatorData::parse,
        |c: &ComparatorData<'_>, e: &mut Encoder<'_>| c.encode_after_name(e),
        comparator_data;
    /// `genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full)` (RFC 4467 §7.3,
    /// [`crate::ext::urlauth`])
    GenUrlauth(NonEmpty<AString<'a>>) = "GENURLAUTH", keyword,
        urlauth::parse_genurlauth_data,
        |u: &NonEmpty<AString<'_>>, e: &mut Encoder<'_>| urlauth::encode_sp_astrings1(u, e),
        genurlauth_data;
    /// `urlfetch-data = "*" SP "URLFETCH" 1*(SP url-full SP nstring)` (RFC 4467 §7.4,
    /// [`crate::ext::urlauth`])
    UrlFetch(NonEmpty<UrlFetchItem<'a>>) = "URLFETCH", keyword,
        urlauth::parse_urlfetch_data,
        urlauth::encode_urlfetch_data,
        urlfetch_data;
}

// The payloads of the extension modules' rows (ID, QUOTA, ACL, METADATA).
use crate::ext::acl::{AclData, ListRightsData, MyRightsData};
use crate::ext::id::IdParam;
use crate::ext::metadata::MetadataData;
use crate::ext::quota::{QuotaData, QuotaRootData};

/// What a data row's parser gets: the message number (0 for keyword rows), where it starts,
/// and the input after the response's name.
#[derive(Clone, Copy)]
struct DataInput<'a> {
    number: u32,
    at: &'a [u8],
    rest: &'a [u8],
}

/// A payload of a `numbered` data response: its message number comes first on the wire.
pub trait MessageNumbered {
    /// The message sequence number (or count, for EXISTS and RECENT).
    fn message_number(&self) -> u32;
}

impl MessageNumbered for u32 {
    fn message_number(&self) -> u32 {
        *self
    }
}

impl MessageNumbered for NonZeroU32 {
    fn message_number(&self) -> u32 {
        self.get()
    }
}

/// `nz-number SP "FETCH" SP msg-att` (RFC 9051 §7.5.2, §9 `message-data`): the data items of
/// one message. The list of items is never empty (`msg-att` has at least one).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FetchData<'a> {
    /// The message sequence number.
    pub seq: NonZeroU32,
    /// The data items (decoded on access, see [`MessageAttributes`]).
    pub attributes: MessageAttributes<'a>,
}

impl<'a> FetchData<'a> {
    /// `n FETCH (attributes)`: the items as a [`NonEmpty`] list of values, or a
    /// [`MessageAttributes`].
    pub fn new(seq: NonZeroU32, attributes: impl Into<MessageAttributes<'a>>) -> Self {
        FetchData {
            seq,
            attributes: attributes.into(),
        }
    }

    #[inline]
    pub(crate) fn parse(_: u32, at: &'a [u8], rest: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        // nz-number: no zero, no leading zero.
        let (_, seq) = nz_number(at)?;
        let (rest, ()) = sp(rest)?;
        let (rest, attributes) = MessageAttributes::parse(rest, ctx)?;
        Ok((rest, FetchData { seq, attributes }))
    }
}

impl MessageNumbered for FetchData<'_> {
    fn message_number(&self) -> u32 {
        self.seq.get()
    }
}

fn sp_then<'a, T>(i: &'a [u8], f: impl FnOnce(&'a [u8]) -> PResult<'a, T>) -> PResult<'a, T> {
    let (i, ()) = sp(i)?;
    f(i)
}

/// The numbers of a `SEARCH` response (RFC 3501 §7.2.5, RFC 9051 `obsolete-search-response`)
/// and, after at least one number, the highest mod-sequence of the messages found
/// (`search-sort-mod-seq`, RFC 7162 §3.1.5). Serialized as the plain list of numbers when
/// there is no mod-sequence.
///
/// ```
/// use mailproto_imap_codec::{Response, response::Data};
/// let r = Response::parse(b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n").unwrap();
/// let Response::Data(Data::Search(d)) = r else { panic!() };
/// assert_eq!((d.len(), d.modseq().unwrap().get()), (10, 917162500));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
pub struct SearchData {
    numbers: Vec<NonZeroU32>,
    modseq: Option<ModSeq>,
}

impl SearchData {
    /// The numbers, without a mod-sequence.
    pub fn new(numbers: Vec<NonZeroU32>) -> Self {
        SearchData {
            numbers,
            modseq: None,
        }
    }

    /// The numbers and their highest mod-sequence; fails for no numbers (RFC 7162 §7: the
    /// mod-sequence follows `1*(SP nz-number)`).
    pub fn with_modseq(numbers: Vec<NonZeroU32>, modseq: ModSeq) -> Result<Self, ValidationError> {
        if numbers.is_empty() {
            return Err(ValidationError::new("search-sort-mod-seq", None));
        }
        Ok(SearchData {
            numbers,
            modseq: Some(modseq),
        })
    }

    /// The numbers.
    pub fn numbers(&self) -> &[NonZeroU32] {
        &self.numbers
    }

    /// The highest mod-sequence of the messages found (RFC 7162 §3.1.5).
    pub fn modseq(&self) -> Option<ModSeq> {
        self.modseq
    }

    fn parse<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, numbers) = search_numbers(i, ctx)?;
        if numbers.is_empty() {
            return Ok((i, SearchData::new(numbers)));
        }
        let (i, modseq) = crate::ext::condstore::parse_sp_search_sort_mod_seq(i)?;
        Ok((i, SearchData { numbers, modseq }))
    }

    fn encode(&self, e: &mut Encoder<'_>) {
        for n in &self.numbers {
            e.sp().number(u64::from(n.get()));
        }
        crate::ext::condstore::encode_sp_search_sort_mod_seq(self.modseq, e);
    }
}

impl ::core::ops::Deref for SearchData {
    type Target = [NonZeroU32];
    fn deref(&self) -> &[NonZeroU32] {
        &self.numbers
    }
}

impl FromIterator<NonZeroU32> for SearchData {
    fn from_iter<I: IntoIterator<Item = NonZeroU32>>(iter: I) -> Self {
        SearchData::new(iter.into_iter().collect())
    }
}

impl From<Vec<NonZeroU32>> for SearchData {
    fn from(numbers: Vec<NonZeroU32>) -> Self {
        SearchData::new(numbers)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SearchData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self.modseq {
            None => self.numbers.serialize(s),
            Some(m) => {
                let mut st = s.serialize_struct("SearchData", 2)?;
                st.serialize_field("numbers", &self.numbers)?;
                st.serialize_field("modseq", &m)?;
                st.end()
            }
        }
    }
}

/// `*(SP nz-number)` after `SEARCH`. Under the real-world profile one SP before CRLF
/// (`* SEARCH 1 2 ` CRLF) is accepted and reported as `trailing-space`.
fn search_numbers<'a>(mut i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Vec<NonZeroU32>> {
    let mut out = Vec::new();
    // ` (` after a number starts RFC 7162's `search-sort-mod-seq`.
    while i.first() == Some(&b' ') && (i.get(1) != Some(&b'(') || out.is_empty()) {
        if ctx.real_world() && i[1..].starts_with(b"\r\n") {
            ctx.deviate(ImapDeviation::TrailingSpace, i);
            return Ok((&i[1..], out));
        }
        let (r, n) = nz_number(&i[1..])?;
        out.push(n);
        i = r;
    }
    Ok((i, out))
}

impl<'a> Data<'a> {
    /// Parses the data after `"*" SP` whose first token is the keyword `name` (followed by
    /// `rest`). `None` when `name` starts no data response.
    pub(crate) fn parse_keyword(
        name: &[u8],
        rest: &'a [u8],
        ctx: &Ctx<'_>,
    ) -> Option<PResult<'a, Self>> {
        let input = DataInput {
            number: 0,
            at: rest,
            rest,
        };
        Self::dispatch(name, false, input, ctx)
    }

    /// Parses `number SP name ...` (EXISTS, RECENT, EXPUNGE, FETCH), starting at the number.
    pub(crate) fn parse_numbered(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (r, n) = number(i)?;
        let (r, ()) = sp(r)?;
        let (rest, name) = take_while(r, |b| b.is_ascii_alphabetic());
        let input = DataInput {
            number: n,
            at: i,
            rest,
        };
        match Self::dispatch(name, true, input, ctx) {
            Some(result) => result,
            None => fail(r, "message-data"),
        }
    }
}

/// `flag-list = "(" [flag *(SP flag)] ")"`, reporting `\*` at its backslash.
fn flag_list(i: &[u8]) -> PResult<'_, Vec<Flag<'_>>> {
    crate::parse::paren_list(i, true, |i| {
        if i.starts_with(b"\\*") {
            return fail(i, "flag");
        }
        Flag::parse(i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::Response;

    fn canonical(s: &str) -> Data<'_> {
        let line = format!("{s}\r\n");
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), line);
        let Response::Data(d) = r else { panic!("{s}") };
        d.into_static()
    }

    #[test]
    fn capability_and_enabled() {
        let Data::Capability(c) = canonical("* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN X-Y")
        else {
            panic!()
        };
        assert_eq!(c.capabilities().len(), 4);
        canonical("* ENABLED");
        canonical("* ENABLED UTF8=ACCEPT");
    }

    #[test]
    fn list_and_lsub() {
        canonical("* LIST () NIL foo");
        canonical("* LIST (\\HasNoChildren \\Subscribed) \"\\\\\" \"a b\"");
        canonical("* LIST () \"\\\"\" x");
        canonical("* LIST () \"ä\" x");
        canonical("* LIST (\\NonExistent \\Noselect) \"/\" x");
        canonical("* LIST (\\Marked \\X-Custom) \"/\" {3}\r\na\"b");
        canonical("* LIST () \"/\" x ()");
        canonical(
            "* LIST (\\Subscribed) \"/\" Fruit (CHILDINFO (\"SUBSCRIBED\") vendor.acme-x 17 X-Y ())",
        );
        canonical("* LIST () \"/\" x (\"childinfo\" (\"SUBSCRIBED\" \"REMOTE\") OLDNAME (y))");
        canonical("* LSUB (\\Noselect) \".\" #news.comp.mail");
        let Data::List(l) = canonical("* LIST (\\Noselect) \"/\" ~/Mail/foo") else {
            panic!()
        };
        assert_eq!(l.list.delimiter.map(Delimiter::as_char), Some('/'));
        assert_eq!(l.list.attributes.as_slice(), [MailboxAttribute::NoSelect]);
        for (bad, offset, expected) in [
            (
                &b"* LIST () \"/\" x (CHILDINFO ())\r\n"[..],
                28,
                "list-select-base-opt-quoted",
            ),
            (
                b"* LIST () \"/\" x (CHILDINFO (SUBSCRIBED))\r\n",
                28,
                "list-select-base-opt-quoted",
            ),
            (b"* LIST () \"/\" x (OLDNAME y)\r\n", 25, "\"(\""),
            (
                b"* LIST () \"/\" x (\"a b\" 1)\r\n",
                17,
                "mbox-list-extended-item-tag",
            ),
            (b"* LIST () \"/\" x (X)\r\n", 18, "SP"),
            (
                b"* LIST (\\Noselect \\Noselect) \"/\" x\r\n",
                18,
                "mbx-list-flags",
            ),
            (b"* LIST (Noselect) \"/\" x\r\n", 8, "mbx-list-flag"),
            (b"* LIST () \"/\"x\r\n", 13, "SP"),
            (b"* LIST () / x\r\n", 10, "DQUOTE"),
        ] {
            let e = Response::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
        let tag = AString::new("CHILDINFO").unwrap();
        let val = TaggedExtVal::Comp(Vec::new());
        assert!(ListExtendedItem::new(tag.clone(), ListExtendedValue::Other(val)).is_err());
        assert!(ListExtendedItem::new(tag, ListExtendedValue::ChildInfo(vec![])).is_err());
        assert!(Delimiter::new('\r').is_err());
    }

    #[test]
    fn namespace() {
        canonical("* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL");
        canonical("* NAMESPACE NIL NIL ((\"#shared/\" \"/\")(\"#public/\" NIL))");
        let Data::Namespace(n) = canonical(
            "* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL ((\"#news.\" \".\" \"A\" (\"b\") \"C\" (\"d\" \"e\")))",
        ) else {
            panic!()
        };
        assert_eq!(n.personal[0].extensions[0].values.as_slice().len(), 2);
        assert_eq!(n.shared[0].extensions.len(), 2);
    }

    #[test]
    fn status() {
        let Data::Status(s) = canonical(
            "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 4 UNSEEN 0 DELETED 1 SIZE 9223372036854775807 RECENT 1)",
        ) else {
            panic!()
        };
        assert_eq!(s.attributes.len(), 7);
        assert_eq!(s.mailbox, Mailbox::Inbox);
        canonical("* STATUS \"a b\" ()");
    }

    #[test]
    fn search_and_esearch() {
        canonical("* SEARCH");
        canonical("* SEARCH 2 84 882");
        canonical("* ESEARCH");
        canonical("* ESEARCH UID");
        canonical("* ESEARCH (TAG A285) UID MIN 7 MAX 3800");
        canonical("* ESEARCH (TAG \"a\") MIN 1 COUNT 0 ALL 1:*,5 MODSEQ 12345 X-EXT (a (b))");
        canonical("* ESEARCH UIDX 5");
        let Data::Esearch(e) = canonical("* ESEARCH UID ALL 4:18,21") else {
            panic!()
        };
        assert!(e.uid && e.correlator.is_none());
        assert!(SearchReturnExt::new("COUNT", TaggedExtVal::Comp(Vec::new())).is_err());
        assert!(SearchReturnExt::new("1X", TaggedExtVal::Comp(Vec::new())).is_err());
        // MODSEQ has its own form (RFC 7162 §3.1.5).
        assert!(SearchReturnExt::new("MODSEQ", TaggedExtVal::Comp(Vec::new())).is_err());
        assert!(SearchReturnExt::new("X-MODSEQ", TaggedExtVal::Comp(Vec::new())).is_ok());
    }

    #[test]
    fn message_numbers() {
        assert_eq!(canonical("* 0 EXISTS"), Data::Exists(0));
        assert_eq!(canonical("* 4294967295 RECENT"), Data::Recent(u32::MAX));
        assert_eq!(
            canonical("* 3 EXPUNGE"),
            Data::Expunge(NonZeroU32::new(3).unwrap())
        );
        assert!(Response::parse(b"* 4294967296 EXISTS\r\n").is_err());
        let e = Response::parse(b"* 3 FOO\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (4, "message-data"));
    }
}
