//! Mailbox commands (RFC 9051 §6.3, RFC 3501 §6.3): SELECT, EXAMINE, CREATE, DELETE,
//! RENAME, SUBSCRIBE and UNSUBSCRIBE (parsed by the dispatcher), and here LIST with the
//! RFC 5258 / RFC 9051 §6.3.9 extended syntax (`list-select-opts`, `mbox-or-pat`,
//! `list-return-opts` incl. `status-option` of RFC 5819), LSUB (RFC 3501 §6.3.9), STATUS
//! (`status-att`, RFC 9051 §6.3.11 plus RFC 3501 `RECENT`) and ENABLE (RFC 9051 §6.3.1).

use crate::prelude::*;

use crate::capability::Capability;
use crate::core::{Atom, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::ext::{NonEmpty, TaggedExtComp};
use crate::mailbox::{ListMailbox, Mailbox};
use crate::parse::{keyword, paren_list, rparen, sp, take_while};

use super::{CommandBody, sp_mailbox};

/// The `status-att` table: `Variant = "NAME";`, one row per item. From it come the enum,
/// [`StatusAttribute::ALL`], the name and the parser's dispatch (a `match` on the upper-cased
/// name).
macro_rules! status_atts {
    ($($(#[$vm:meta])* $variant:ident = $name:literal;)*) => {
        /// `status-att` (RFC 9051 §9 plus RFC 3501's `RECENT`): a STATUS data item.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum StatusAttribute {
            $($(#[$vm])* $variant,)*
        }

        impl StatusAttribute {
            /// Every item, in table order.
            pub const ALL: &'static [StatusAttribute] = &[$(StatusAttribute::$variant),*];

            /// The name as sent.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(StatusAttribute::$variant => $name,)*
                }
            }

            /// The item named `name` (upper case).
            fn by_name(name: &[u8]) -> Option<Self> {
                /// Each name as bytes, named after its variant (`&[u8]` constants are slice
                /// patterns: the match is a comparison tree on length and bytes).
                #[allow(non_upper_case_globals)]
                mod name {
                    $(pub const $variant: &[u8] = $name.as_bytes();)*
                }
                match name {
                    $(name::$variant => Some(StatusAttribute::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

status_atts! {
    /// `MESSAGES`
    Messages = "MESSAGES";
    /// `RECENT` (RFC 3501 only)
    Recent = "RECENT";
    /// `UIDNEXT`
    UidNext = "UIDNEXT";
    /// `UIDVALIDITY`
    UidValidity = "UIDVALIDITY";
    /// `UNSEEN`
    Unseen = "UNSEEN";
    /// `DELETED` (RFC 9051)
    Deleted = "DELETED";
    /// `SIZE` (RFC 9051, RFC 8438)
    Size = "SIZE";
    /// `HIGHESTMODSEQ` (RFC 7162 §3.1.6)
    HighestModSeq = "HIGHESTMODSEQ";
    /// `MAILBOXID` (RFC 8474 §4.2, [`crate::ext::objectid`])
    MailboxId = "MAILBOXID";
    /// `APPENDLIMIT` (RFC 7889 §5, [`crate::ext::status_ext`])
    AppendLimit = "APPENDLIMIT";
    /// `DELETED-STORAGE` (RFC 9208 §4.1.4, [`crate::ext::quota`])
    DeletedStorage = "DELETED-STORAGE";
}

impl StatusAttribute {
    /// Parses `status-att`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (rest, name) = take_while(i, |b| b.is_ascii_alphabetic() || b == b'-');
        let mut buf = [0u8; 16];
        let Some(upper) = buf.get_mut(..name.len()) else {
            return fail(i, "status-att");
        };
        for (d, s) in upper.iter_mut().zip(name) {
            *d = s.to_ascii_uppercase();
        }
        match StatusAttribute::by_name(upper) {
            Some(a) => Ok((rest, a)),
            None => fail(i, "status-att"),
        }
    }
}

impl Encode for StatusAttribute {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.as_str().as_bytes());
    }
}

/// Option names with a meaning of their own in LIST (RFC 9051 §9); an
/// [`OptionExtension`] cannot use them.
const RESERVED_OPTIONS: [&str; 5] = [
    "SUBSCRIBED",
    "REMOTE",
    "RECURSIVEMATCH",
    "CHILDREN",
    "STATUS",
];

/// `option-extension = (option-standard-tag / option-vendor-tag) [SP option-value]`
/// (RFC 9051 §9, RFC 5258 §6): a LIST selection or return option this crate does not know,
/// e.g. `SPECIAL-USE` (RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OptionExtension<'a> {
    name: Atom<'a>,
    value: Option<NonEmpty<TaggedExtComp<'a>>>,
}

impl<'a> OptionExtension<'a> {
    /// An option named `name` with `option-value = "(" option-val-comp ")"`. Fails for the
    /// names of the options LIST defines itself (SUBSCRIBED, REMOTE, RECURSIVEMATCH,
    /// CHILDREN, STATUS).
    pub fn new(
        name: Atom<'a>,
        value: Option<NonEmpty<TaggedExtComp<'a>>>,
    ) -> Result<Self, ValidationError> {
        if RESERVED_OPTIONS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name.as_str()))
        {
            return Err(ValidationError::new("option-extension", Some(0)));
        }
        Ok(OptionExtension { name, value })
    }

    /// The option name.
    pub fn name(&self) -> &Atom<'a> {
        &self.name
    }

    /// The option value, the content of its parentheses.
    pub fn value(&self) -> Option<&NonEmpty<TaggedExtComp<'a>>> {
        self.value.as_ref()
    }

    /// Parses `option-extension`, reporting `rule` when the name is not an atom or reserved.
    fn parse(i: &'a [u8], rule: &'static str) -> PResult<'a, Self> {
        let (rest, name) = Atom::parse(i).map_err(|e| {
            e.map(|mut e| {
                e.expected = rule;
                e
            })
        })?;
        let (rest, value) = if rest.starts_with(b" (") {
            let (rest, comp) = TaggedExtComp::parse_list::<true>(&rest[2..], 1)?;
            let (rest, ()) = rparen(rest)?;
            (rest, Some(comp))
        } else {
            (rest, None)
        };
        match OptionExtension::new(name, value) {
            Ok(ext) => Ok((rest, ext)),
            Err(_) => fail(i, rule),
        }
    }
}

impl Encode for OptionExtension<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.name.encode(e);
        if let Some(v) = &self.value {
            e.raw(b" (");
            TaggedExtComp::encode_list(v, e);
            e.byte(b')');
        }
    }
}

impl IntoStatic for OptionExtension<'_> {
    type Static = OptionExtension<'static>;
    fn into_static(self) -> OptionExtension<'static> {
        OptionExtension {
            name: self.name.into_static(),
            value: self.value.into_static(),
        }
    }
}

/// `list-select-opt` (RFC 9051 §9, RFC 5258 §6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ListSelectOpt<'a> {
    /// `SUBSCRIBED` (a `list-select-base-opt`)
    Subscribed,
    /// `REMOTE` (a `list-select-independent-opt`)
    Remote,
    /// `RECURSIVEMATCH` (a `list-select-mod-opt`)
    RecursiveMatch,
    /// `option-extension`
    Extension(OptionExtension<'a>),
}

impl<'a> ListSelectOpt<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = take_while(i, |b| b.is_ascii_alphabetic());
        let known = if name.eq_ignore_ascii_case(b"SUBSCRIBED") {
            Some(ListSelectOpt::Subscribed)
        } else if name.eq_ignore_ascii_case(b"REMOTE") {
            Some(ListSelectOpt::Remote)
        } else if name.eq_ignore_ascii_case(b"RECURSIVEMATCH") {
            Some(ListSelectOpt::RecursiveMatch)
        } else {
            None
        };
        match known {
            Some(o) if !rest.first().is_some_and(|&b| crate::parse::is_atom_char(b)) => {
                Ok((rest, o))
            }
            _ => OptionExtension::parse(i, "list-select-opt")
                .map(|(r, x)| (r, ListSelectOpt::Extension(x))),
        }
    }
}

impl Encode for ListSelectOpt<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            ListSelectOpt::Subscribed => {
                e.raw(b"SUBSCRIBED");
            }
            ListSelectOpt::Remote => {
                e.raw(b"REMOTE");
            }
            ListSelectOpt::RecursiveMatch => {
                e.raw(b"RECURSIVEMATCH");
            }
            ListSelectOpt::Extension(x) => x.encode(e),
        }
    }
}

/// `list-select-opts = "(" [...] ")"` (RFC 9051 §9): the options in any order, possibly
/// none; `RECURSIVEMATCH` needs a base option (`SUBSCRIBED` or an extension) beside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ListSelectOpts<'a>(Vec<ListSelectOpt<'a>>);

impl<'a> ListSelectOpts<'a> {
    /// The options; fails when RECURSIVEMATCH has no base option beside it.
    pub fn new(opts: Vec<ListSelectOpt<'a>>) -> Result<Self, ValidationError> {
        let has_mod = opts.contains(&ListSelectOpt::RecursiveMatch);
        let has_base = opts
            .iter()
            .any(|o| matches!(o, ListSelectOpt::Subscribed | ListSelectOpt::Extension(_)));
        if has_mod && !has_base {
            return Err(ValidationError::new("list-select-opts", None));
        }
        Ok(ListSelectOpts(opts))
    }

    /// The options, in order.
    pub fn as_slice(&self) -> &[ListSelectOpt<'a>] {
        &self.0
    }
}

impl IntoStatic for ListSelectOpts<'_> {
    type Static = ListSelectOpts<'static>;
    fn into_static(self) -> ListSelectOpts<'static> {
        ListSelectOpts(self.0.into_static())
    }
}

/// `list-return-opt = return-option` (RFC 9051 §9, RFC 5258 §6, RFC 5819).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ListReturnOpt<'a> {
    /// `SUBSCRIBED`
    Subscribed,
    /// `CHILDREN`
    Children,
    /// `status-option = "STATUS" SP "(" status-att *(SP status-att) ")"`
    Status(NonEmpty<StatusAttribute>),
    /// `option-extension`
    Extension(OptionExtension<'a>),
}

impl<'a> ListReturnOpt<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = take_while(i, |b| b.is_ascii_alphabetic());
        let ends = !rest.first().is_some_and(|&b| crate::parse::is_atom_char(b));
        if ends && name.eq_ignore_ascii_case(b"SUBSCRIBED") {
            return Ok((rest, ListReturnOpt::Subscribed));
        }
        if ends && name.eq_ignore_ascii_case(b"CHILDREN") {
            return Ok((rest, ListReturnOpt::Children));
        }
        if ends && name.eq_ignore_ascii_case(b"STATUS") {
            let (rest, ()) = sp(rest)?;
            let (rest, atts) = paren_list(rest, false, StatusAttribute::parse)?;
            return Ok((rest, ListReturnOpt::Status(NonEmpty::from_parsed(atts))));
        }
        OptionExtension::parse(i, "list-return-opt").map(|(r, x)| (r, ListReturnOpt::Extension(x)))
    }
}

impl Encode for ListReturnOpt<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            ListReturnOpt::Subscribed => {
                e.raw(b"SUBSCRIBED");
            }
            ListReturnOpt::Children => {
                e.raw(b"CHILDREN");
            }
            ListReturnOpt::Status(atts) => {
                e.raw(b"STATUS ").paren_list(atts, |e, a| a.encode(e));
            }
            ListReturnOpt::Extension(x) => x.encode(e),
        }
    }
}

/// `mbox-or-pat = list-mailbox / patterns` (RFC 9051 §9), with RFC 5258's
/// `patterns = "(" list-mailbox *(SP list-mailbox) ")"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MboxOrPat<'a> {
    /// One pattern, unparenthesised.
    Single(ListMailbox<'a>),
    /// `"(" list-mailbox *(SP list-mailbox) ")"`
    Patterns(NonEmpty<ListMailbox<'a>>),
}

impl<'a> MboxOrPat<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() == Some(&b'(') {
            let (rest, pats) = paren_list(i, false, ListMailbox::parse::<true>)?;
            return Ok((rest, MboxOrPat::Patterns(NonEmpty::from_parsed(pats))));
        }
        ListMailbox::parse::<true>(i)
            .map(|(r, m)| (r, MboxOrPat::Single(m)))
            .map_err(|e| {
                e.map(|mut e| {
                    if e.input.len() == i.len() {
                        e.expected = "mbox-or-pat";
                    }
                    e
                })
            })
    }
}

impl Encode for MboxOrPat<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            MboxOrPat::Single(m) => m.encode(e),
            MboxOrPat::Patterns(p) => {
                e.paren_list(p, |e, m| m.encode(e));
            }
        }
    }
}

impl IntoStatic for MboxOrPat<'_> {
    type Static = MboxOrPat<'static>;
    fn into_static(self) -> MboxOrPat<'static> {
        match self {
            MboxOrPat::Single(m) => MboxOrPat::Single(m.into_static()),
            MboxOrPat::Patterns(p) => MboxOrPat::Patterns(p.into_static()),
        }
    }
}

/// `"LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]` after the
/// name.
pub(super) fn parse_list(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, selection) = if i.first() == Some(&b'(') {
        let (rest, opts) = paren_list(i, true, ListSelectOpt::parse)?;
        let Ok(opts) = ListSelectOpts::new(opts) else {
            // RECURSIVEMATCH without a base option: one was needed before the ")".
            let close = &i[i.len() - rest.len() - 1..];
            return fail_kind(close, "list-select-base-opt", ErrorKind::InvalidValue);
        };
        let (rest, ()) = sp(rest)?;
        (rest, Some(opts))
    } else {
        (i, None)
    };
    let (i, reference) = crate::mailbox::Mailbox::parse::<true>(i)?;
    let (i, ()) = sp(i)?;
    let (i, patterns) = MboxOrPat::parse(i)?;
    let (i, return_opts) = if i.first() == Some(&b' ') {
        let (rest, ()) = keyword(&i[1..], "RETURN")?;
        let (rest, ()) = sp(rest)?;
        let (rest, opts) = paren_list(rest, true, ListReturnOpt::parse)?;
        (rest, Some(opts))
    } else {
        (i, None)
    };
    Ok((
        i,
        CommandBody::List {
            selection,
            reference,
            patterns,
            return_opts,
        },
    ))
}

/// Writes the LIST arguments after the name.
pub(super) fn encode_list(
    selection: &Option<ListSelectOpts<'_>>,
    reference: &Mailbox<'_>,
    patterns: &MboxOrPat<'_>,
    return_opts: &Option<Vec<ListReturnOpt<'_>>>,
    e: &mut Encoder<'_>,
) {
    if let Some(sel) = selection {
        e.sp().paren_list(&sel.0, |e, o| o.encode(e));
    }
    e.sp();
    reference.encode(e);
    e.sp();
    patterns.encode(e);
    if let Some(ret) = return_opts {
        e.raw(b" RETURN ").paren_list(ret, |e, o| o.encode(e));
    }
}

/// `"LSUB" SP mailbox SP list-mailbox` after the name.
pub(super) fn parse_lsub(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, reference) = sp_mailbox(i)?;
    let (i, ()) = sp(i)?;
    let (i, pattern) = ListMailbox::parse::<true>(i)?;
    Ok((i, CommandBody::Lsub { reference, pattern }))
}

/// `"STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"` after the name.
pub(super) fn parse_status(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, mailbox) = sp_mailbox(i)?;
    let (i, ()) = sp(i)?;
    let (i, items) = paren_list(i, false, StatusAttribute::parse)?;
    Ok((
        i,
        CommandBody::Status {
            mailbox,
            items: NonEmpty::from_parsed(items),
        },
    ))
}

/// `"ENABLE" 1*(SP capability)` after the name.
pub(super) fn parse_enable(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (mut i, ()) = sp(i)?;
    let mut caps = Vec::new();
    loop {
        let (rest, cap) = Capability::parse(i)?;
        caps.push(cap);
        match rest.first() {
            Some(b' ') => i = &rest[1..],
            _ => {
                return Ok((
                    rest,
                    CommandBody::Enable {
                        capabilities: NonEmpty::from_parsed(caps),
                    },
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip};
    use super::*;

    #[test]
    fn list_rfc_examples() {
        for line in [
            "A101 LIST \"\" \"\"\r\n",
            "A102 LIST #news.comp.mail.misc \"\"\r\n",
            "A103 LIST /usr/staff/jones \"\"\r\n",
            "A202 LIST ~/Mail/ %\r\n",
            "A682 LIST \"\" *\r\n",
            "A002 LIST \"\" \"#Users/%\"\r\n",
            "A002 LIST (SPECIAL-USE) \"\" \"*\"\r\n",
            "A003 LIST (SPECIAL-USE) \"#mh/\" \"*\"\r\n",
            "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n",
            "A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n",
            "A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
            "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n",
            "A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n",
            "A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n",
            "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n",
            "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n",
            "a1 LIST \"\" (\"foo\")\r\n",
            "a3.1 LIST \"\" (% music/rock)\r\n",
            "a1 LIST (REMOTE) \"\" *\r\n",
            "a2 LIST () \"\" %\r\n",
            "a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)\r\n",
            "a LIST \"\" % RETURN ()\r\n",
            "a LIST (X-OPT (a (b c)) RECURSIVEMATCH) \"\" % RETURN (X-RET (1) SUBSCRIBED STATUS (DELETED SIZE RECENT UIDNEXT UIDVALIDITY))\r\n",
            "a LIST {1}\r\n~ {1+}\r\n%\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(
            b"a list \"\" % return (children status (messages))\r\n",
            false,
        );
        let CommandBody::List { return_opts, .. } = &c.body else {
            panic!()
        };
        assert_eq!(
            return_opts.as_deref(),
            Some(
                &[
                    ListReturnOpt::Children,
                    ListReturnOpt::Status(NonEmpty::one(StatusAttribute::Messages))
                ][..]
            )
        );
    }

    #[test]
    fn list_rejects() {
        rejects(b"a LIST \"\"\r\n", 9, "SP");
        rejects(b"a LIST \"\" \r\n", 10, "mbox-or-pat");
        rejects(b"a LIST \"\" ()\r\n", 11, "list-mailbox");
        rejects(
            b"a LIST (RECURSIVEMATCH) \"\" %\r\n",
            22,
            "list-select-base-opt",
        );
        rejects(
            b"a LIST (REMOTE RECURSIVEMATCH) \"\" %\r\n",
            29,
            "list-select-base-opt",
        );
        rejects(b"a LIST (CHILDREN) \"\" %\r\n", 8, "list-select-opt");
        rejects(b"a LIST ( REMOTE) \"\" %\r\n", 8, "list-select-opt");
        rejects(b"a LIST (REMOTE)\"\" %\r\n", 15, "SP");
        rejects(b"a LIST \"\" % RETURN\r\n", 18, "SP");
        rejects(b"a LIST \"\" % RETURN (STATUS)\r\n", 26, "SP");
        rejects(b"a LIST \"\" % RETURN (STATUS ())\r\n", 28, "status-att");
        rejects(b"a LIST \"\" % RETURN (STATUS (FOO))\r\n", 28, "status-att");
        rejects(b"a LIST \"\" % RETURN (X ())\r\n", 23, "tagged-ext-comp");
        rejects(b"a LIST \"\" % FOO (X)\r\n", 12, "RETURN");
        rejects(b"a LIST \"\" % \r\n", 12, "RETURN");
        assert!(ListSelectOpts::new(vec![ListSelectOpt::RecursiveMatch]).is_err());
        assert!(OptionExtension::new(Atom::new("status").unwrap(), None).is_err());
    }

    #[test]
    fn lsub_status_enable() {
        for line in [
            "A003 LSUB \"#news.\" \"comp.%\"\r\n",
            "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
            "a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE)\r\n",
            "babc ENABLE IMAP4rev2\r\n",
            "a1 ENABLE CONDSTORE\r\n",
            "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        roundtrip(
            b"k2 status \"/archive/projects/experiment-iv\" (messages)\r\n",
            false,
        );
        rejects(b"a LSUB \"\"\r\n", 9, "SP");
        rejects(b"a STATUS INBOX ()\r\n", 16, "status-att");
        rejects(b"a STATUS INBOX (MESSAGES )\r\n", 25, "status-att");
        rejects(b"a STATUS INBOX MESSAGES\r\n", 15, "\"(\"");
        rejects(b"a STATUS INBOX (NOSUCHITEM)\r\n", 16, "status-att");
        // RFC 7162 §3.1.6.
        roundtrip(
            b"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n",
            true,
        );
        rejects(b"a ENABLE\r\n", 8, "SP");
        rejects(b"a ENABLE \r\n", 9, "capability");
        rejects(b"a ENABLE A \r\n", 11, "capability");
    }
}
