//! Message flags and mailbox attributes (RFC 9051 §2.3.2, §7.3.1, §9 `flag`, `flag-list`,
//! `flag-fetch`, `flag-perm`, `mbx-list-flags`; RFC 6154 special-use attributes).

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::core::{Atom, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::parse::{is_atom_char, paren_list, take_while1};

/// `flag` (RFC 9051 §9): a system flag, a keyword or a `\`-extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Flag<'a> {
    /// `\Answered`
    Answered,
    /// `\Flagged`
    Flagged,
    /// `\Deleted`
    Deleted,
    /// `\Seen`
    Seen,
    /// `\Draft`
    Draft,
    /// `flag-keyword = "$MDNSent" / "$Forwarded" / ... / atom`
    Keyword(Atom<'a>),
    /// `flag-extension = "\" atom`, other than the system flags (the atom without `\`),
    /// e.g. `\Recent` (RFC 3501 §2.3.2; obsolete in RFC 9051).
    Extension(FlagExtension<'a>),
}

/// The name of a `flag-extension` (without `\`): an atom that is not one of the system flags
/// `Answered`, `Flagged`, `Deleted`, `Seen`, `Draft` (in any case), so that every flag has
/// exactly one representation.
///
/// ```
/// use mailproto_imap_codec::flag::FlagExtension;
/// assert!(FlagExtension::new("Recent").is_ok());
/// assert!(FlagExtension::new("SEEN").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct FlagExtension<'a>(Atom<'a>);

impl<'a> FlagExtension<'a> {
    /// Checks that `name` is an atom and not a system flag.
    pub fn new(
        name: impl Into<alloc::borrow::Cow<'a, str>>,
    ) -> Result<Self, crate::ValidationError> {
        let atom = Atom::new(name)?;
        if Flag::system(atom.as_str().as_bytes()).is_some() {
            return Err(crate::ValidationError::new("flag-extension", Some(0)));
        }
        Ok(FlagExtension(atom))
    }

    /// The name, without `\`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<'a> Flag<'a> {
    /// Parses `flag`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        match i.first() {
            Some(b'\\') => {
                let (rest, name) = take_while1(&i[1..], is_atom_char, "flag")?;
                Ok((
                    rest,
                    Self::system(name).unwrap_or_else(|| {
                        Flag::Extension(FlagExtension(Atom::from_checked(name)))
                    }),
                ))
            }
            _ => {
                let (rest, a) = Atom::parse(i).map_err(|e| {
                    e.map(|e| crate::error::PErr {
                        expected: "flag",
                        ..e
                    })
                })?;
                Ok((rest, Flag::Keyword(a)))
            }
        }
    }

    /// True for `\Recent` (RFC 3501 §2.3.2), which only servers set.
    pub fn is_recent(&self) -> bool {
        matches!(self, Flag::Extension(e) if e.as_str().eq_ignore_ascii_case("Recent"))
    }

    /// The system flag named `name` (any case), without allocating.
    fn system(name: &[u8]) -> Option<Flag<'static>> {
        Self::system_name(name).map(|(_, flag)| flag)
    }

    /// The system flag named `name` (any case) and whether `name` is written as the encoder
    /// writes it (`Seen`, not `SEEN`): told apart by the length, then one comparison of the
    /// name's first and last four octets, folded with `| 0x20` (exact for letters: no other
    /// octet folds onto a lower-case letter).
    #[inline]
    fn system_name(name: &[u8]) -> Option<(bool, Flag<'static>)> {
        let (text, flag) = match name.len() {
            4 => (SEEN, Flag::Seen),
            5 => (DRAFT, Flag::Draft),
            7 if name[0] | 0x20 == b'f' => (FLAGGED, Flag::Flagged),
            7 => (DELETED, Flag::Deleted),
            8 => (ANSWERED, Flag::Answered),
            _ => return None,
        };
        let key = ends(name);
        (key | FOLD == text | FOLD).then_some((key == text, flag))
    }

    /// A keyword flag (`$Forwarded`, `Junk`, ...).
    pub fn keyword(name: &'a str) -> Result<Self, crate::ValidationError> {
        Atom::new(name).map(Flag::Keyword)
    }

    /// Parses `flag-list = "(" [flag *(SP flag)] ")"`.
    pub(crate) fn parse_list(i: &'a [u8]) -> PResult<'a, Vec<Self>> {
        paren_list(i, true, Flag::parse)
    }
}

/// `flag-list = "(" [flag *(SP flag)] ")"` (RFC 9051 §9), as STORE sends it (RFC 9051 §6.4.6):
/// held as its checked wire form (between the parentheses) and decoded on access, as
/// [`crate::section::HeaderList`] and the response side's lists are (docs/performance.md,
/// "Value model"): parsing `(\Seen $Forwarded)` builds no [`Flag`] and allocates nothing.
/// Encoding copies the wire form when every system flag in it is written as the encoder
/// writes it (`\Seen`, not `\SEEN`); otherwise each flag is written again.
///
/// Equality, hashing, `Debug` and serde see the decoded flags only (a sequence of [`Flag`]s,
/// the shape a `Vec<Flag>` has).
///
/// ```
/// use mailproto_imap_codec::Flag;
/// use mailproto_imap_codec::flag::FlagList;
/// let list = FlagList::new([Flag::Seen, Flag::keyword("$Forwarded").unwrap()]);
/// assert_eq!(list.wire(), b"\\Seen $Forwarded");
/// assert_eq!(list.len(), 2);
/// assert_eq!(list.to_vec()[0], Flag::Seen);
/// assert!(FlagList::new([]).is_empty());
/// ```
#[derive(Clone, Default)]
pub struct FlagList<'a> {
    /// `[flag *(SP flag)]`, checked.
    wire: Cow<'a, [u8]>,
    /// The number of flags.
    len: usize,
    /// Every system flag is written as [`Flag`]'s encoder writes it: encoding may copy.
    canonical: bool,
}

/// The flags of a [`FlagList`], decoded one by one from its checked wire form.
pub type FlagListIter<'s> = crate::items::SpItems<'s, Flag<'s>>;

impl<'a> FlagList<'a> {
    /// A list of `flags` (possibly none), encoded once into the list's wire form.
    pub fn new(flags: impl IntoIterator<Item = Flag<'a>>) -> Self {
        let mut out = Vec::new();
        let mut len = 0;
        {
            let mut e = Encoder::server(&mut out);
            for flag in flags {
                if len > 0 {
                    e.sp();
                }
                flag.encode(&mut e);
                len += 1;
            }
            let _ = e.finish();
        }
        FlagList {
            wire: Cow::Owned(out),
            len,
            canonical: true,
        }
    }

    /// The number of flags.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for `()`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The flags, decoded from the checked wire form as the iterator advances.
    pub fn iter(&self) -> FlagListIter<'_> {
        crate::items::SpItems::new(&self.wire, self.len, Flag::parse)
    }

    /// The flags, fully decoded, borrowing from the list.
    pub fn to_vec(&self) -> Vec<Flag<'_>> {
        self.iter().collect()
    }

    /// The flags, fully decoded, with the list's lifetime (owned flags when the list owns
    /// its wire form).
    pub fn into_vec(self) -> Vec<Flag<'a>> {
        match self.wire {
            Cow::Borrowed(wire) => {
                crate::items::SpItems::new(wire, self.len, Flag::parse).collect()
            }
            Cow::Owned(v) => crate::items::SpItems::new(&v, self.len, Flag::parse)
                .map(IntoStatic::into_static)
                .collect(),
        }
    }

    /// The checked wire form: `[flag *(SP flag)]`, between the parentheses, as received (or
    /// as encoded by [`new`](Self::new)).
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// Parses `flag-list` with the acceptance, values and errors of [`Flag::parse_list`]:
    /// one walk over the octets ([`walk_flag_list`]); when it does not take the input, the
    /// exact parser reports the error.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        match walk_flag_list(i) {
            Some((end, len, canonical)) => Ok((
                &i[end..],
                FlagList {
                    wire: Cow::Borrowed(&i[1..end - 1]),
                    len,
                    canonical,
                },
            )),
            None => match Flag::parse_list(i) {
                Err(e) => Err(e),
                // The walk takes every flag-list (property test), so this is not reached.
                Ok(_) => fail(i, "flag-list"),
            },
        }
    }
}

/// The walk of `flag-list = "(" [flag *(SP flag)] ")"` with `flag = "\" atom / atom` (the
/// system flags and `flag-extension` are `"\" atom`, `flag-keyword` is `atom`): the end (after
/// `)`), the number of flags and whether every system flag is written canonically; `None` when
/// the input is not a flag list (no error values: the exact parser finds the error).
#[inline]
fn walk_flag_list(i: &[u8]) -> Option<(usize, usize, bool)> {
    if i.first() != Some(&b'(') {
        return None;
    }
    if i.get(1) == Some(&b')') {
        return Some((2, 0, true));
    }
    let mut at = 1;
    let mut len = 0;
    let mut canonical = true;
    loop {
        let backslash = i.get(at) == Some(&b'\\');
        if backslash {
            at += 1;
        }
        let start = at;
        if let Some(n) = backslash.then(|| canonical_system(&i[start..])).flatten() {
            at += n;
        } else {
            at += i.get(start..)?.iter().position(|&b| !is_atom_char(b))?;
            if at == start {
                return None;
            }
            if backslash && let Some((written, _)) = Flag::system_name(&i[start..at]) {
                canonical &= written;
            }
        }
        len += 1;
        match i.get(at) {
            Some(b' ') => at += 1,
            Some(b')') => return Some((at + 1, len, canonical)),
            _ => return None,
        }
    }
}

/// The length of a system flag's name at the start of `i` when it is written as the encoder
/// writes it (`Seen`, `Draft`, `Flagged`, `Deleted`, `Answered`) and followed by SP or `)`
/// (the atom ends there): one comparison of eight octets.
#[inline(always)]
fn canonical_system(i: &[u8]) -> Option<usize> {
    const fn word(text: &[u8; 8]) -> u64 {
        u64::from_le_bytes(*text)
    }
    let w = u64::from_le_bytes(i.get(..8)?.try_into().ok()?);
    let (n, text) = match w as u8 {
        b'S' => (4, word(b"Seen\0\0\0\0")),
        b'F' => (7, word(b"Flagged\0")),
        b'A' => (8, word(b"Answered")),
        b'D' if (w >> 8) as u8 == b'r' => (5, word(b"Draft\0\0\0")),
        b'D' => (7, word(b"Deleted\0")),
        _ => return None,
    };
    let mask = u64::MAX >> (64 - 8 * n);
    (w & mask == text && matches!(i.get(n), Some(b' ' | b')'))).then_some(n)
}

impl<'s> IntoIterator for &'s FlagList<'_> {
    type Item = Flag<'s>;
    type IntoIter = FlagListIter<'s>;
    fn into_iter(self) -> FlagListIter<'s> {
        self.iter()
    }
}

impl<'a> From<Vec<Flag<'a>>> for FlagList<'a> {
    fn from(flags: Vec<Flag<'a>>) -> Self {
        FlagList::new(flags)
    }
}

impl<'a> FromIterator<Flag<'a>> for FlagList<'a> {
    fn from_iter<I: IntoIterator<Item = Flag<'a>>>(flags: I) -> Self {
        FlagList::new(flags)
    }
}

crate::response::wire::by_items!(FlagList, wire_eq);

impl IntoStatic for FlagList<'_> {
    type Static = FlagList<'static>;
    fn into_static(self) -> FlagList<'static> {
        FlagList {
            wire: Cow::Owned(self.wire.into_owned()),
            len: self.len,
            canonical: self.canonical,
        }
    }
}

impl Encode for FlagList<'_> {
    /// `"(" [flag *(SP flag)] ")"`: the wire form copied when canonical, else each flag
    /// written again.
    fn encode(&self, e: &mut Encoder<'_>) {
        if self.canonical {
            e.byte(b'(').raw(&self.wire).byte(b')');
        } else {
            e.paren_list(&self.to_vec(), |e, f| f.encode(e));
        }
    }
}

impl Encode for Flag<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Flag::Answered => e.raw(b"\\Answered"),
            Flag::Flagged => e.raw(b"\\Flagged"),
            Flag::Deleted => e.raw(b"\\Deleted"),
            Flag::Seen => e.raw(b"\\Seen"),
            Flag::Draft => e.raw(b"\\Draft"),
            Flag::Keyword(a) => e.raw(a.as_str().as_bytes()),
            Flag::Extension(a) => e.byte(b'\\').raw(a.as_str().as_bytes()),
        };
    }
}

impl IntoStatic for Flag<'_> {
    type Static = Flag<'static>;
    fn into_static(self) -> Flag<'static> {
        match self {
            Flag::Answered => Flag::Answered,
            Flag::Flagged => Flag::Flagged,
            Flag::Deleted => Flag::Deleted,
            Flag::Seen => Flag::Seen,
            Flag::Draft => Flag::Draft,
            Flag::Keyword(a) => Flag::Keyword(a.into_static()),
            Flag::Extension(a) => Flag::Extension(FlagExtension(a.0.into_static())),
        }
    }
}

/// The first and last four octets of a name of four to eight octets (as [`ends`] reads them).
const fn ends_of(name: &[u8; 8], len: usize) -> u64 {
    let lo = u32::from_le_bytes([name[0], name[1], name[2], name[3]]);
    let hi = u32::from_le_bytes([name[len - 4], name[len - 3], name[len - 2], name[len - 1]]);
    (lo as u64) | ((hi as u64) << 32)
}

const SEEN: u64 = ends_of(b"Seen\0\0\0\0", 4);
const DRAFT: u64 = ends_of(b"Draft\0\0\0", 5);
const FLAGGED: u64 = ends_of(b"Flagged\0", 7);
const DELETED: u64 = ends_of(b"Deleted\0", 7);
const ANSWERED: u64 = ends_of(b"Answered", 8);
/// `| 0x20` on every octet: lower case for letters.
const FOLD: u64 = 0x2020_2020_2020_2020;

/// The first and last four octets of `name` (four to eight octets long; the two may overlap).
#[inline(always)]
fn ends(name: &[u8]) -> u64 {
    let n = name.len();
    let lo = u32::from_le_bytes([name[0], name[1], name[2], name[3]]);
    let hi = u32::from_le_bytes([name[n - 4], name[n - 3], name[n - 2], name[n - 1]]);
    u64::from(lo) | (u64::from(hi) << 32)
}

/// `flag-fetch = flag / "\Recent"` (RFC 3501 §9): a flag as FETCH reports it. `\Recent` is a
/// [`Flag::Extension`] here as everywhere (see [`Flag::is_recent`]), so that each flag has one
/// representation.
pub type FlagFetch<'a> = Flag<'a>;

/// `flag-perm = flag / "\*"` (RFC 9051 §9), used in the PERMANENTFLAGS response code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FlagPerm<'a> {
    /// A flag that can be changed permanently.
    Flag(Flag<'a>),
    /// `\*`: new keywords can be created.
    Any,
}

impl<'a> FlagPerm<'a> {
    /// Parses `flag-perm`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        if i.starts_with(b"\\*") {
            return Ok((&i[2..], FlagPerm::Any));
        }
        Flag::parse(i).map(|(r, f)| (r, FlagPerm::Flag(f)))
    }
}

impl Encode for FlagPerm<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            FlagPerm::Flag(f) => f.encode(e),
            FlagPerm::Any => {
                e.raw(b"\\*");
            }
        }
    }
}

impl IntoStatic for FlagPerm<'_> {
    type Static = FlagPerm<'static>;
    fn into_static(self) -> FlagPerm<'static> {
        match self {
            FlagPerm::Flag(f) => FlagPerm::Flag(f.into_static()),
            FlagPerm::Any => FlagPerm::Any,
        }
    }
}

/// A mailbox attribute in a LIST response: `mbx-list-flags` (RFC 9051 §7.3.1, §9), the
/// special-use attributes of RFC 6154 / RFC 9051 §7.3.1, and other `\`-extensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MailboxAttribute<'a> {
    /// `\Noinferiors`
    NoInferiors,
    /// `\Noselect`
    NoSelect,
    /// `\Marked`
    Marked,
    /// `\Unmarked`
    Unmarked,
    /// `\NonExistent`
    NonExistent,
    /// `\Subscribed`
    Subscribed,
    /// `\Remote`
    Remote,
    /// `\HasChildren`
    HasChildren,
    /// `\HasNoChildren`
    HasNoChildren,
    /// `\All`
    All,
    /// `\Archive`
    Archive,
    /// `\Drafts`
    Drafts,
    /// `\Flagged`
    Flagged,
    /// `\Junk`
    Junk,
    /// `\Sent`
    Sent,
    /// `\Trash`
    Trash,
    /// Another `"\" atom` (the atom without `\`).
    Extension(Atom<'a>),
}

const ATTRIBUTES: &[(&str, MailboxAttribute<'static>)] = &[
    ("Noinferiors", MailboxAttribute::NoInferiors),
    ("Noselect", MailboxAttribute::NoSelect),
    ("Marked", MailboxAttribute::Marked),
    ("Unmarked", MailboxAttribute::Unmarked),
    ("NonExistent", MailboxAttribute::NonExistent),
    ("Subscribed", MailboxAttribute::Subscribed),
    ("Remote", MailboxAttribute::Remote),
    ("HasChildren", MailboxAttribute::HasChildren),
    ("HasNoChildren", MailboxAttribute::HasNoChildren),
    ("All", MailboxAttribute::All),
    ("Archive", MailboxAttribute::Archive),
    ("Drafts", MailboxAttribute::Drafts),
    ("Flagged", MailboxAttribute::Flagged),
    ("Junk", MailboxAttribute::Junk),
    ("Sent", MailboxAttribute::Sent),
    ("Trash", MailboxAttribute::Trash),
];

impl<'a> MailboxAttribute<'a> {
    /// Parses one `"\" atom` mailbox attribute.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() != Some(&b'\\') {
            return fail(i, "mbx-list-flag");
        }
        let (rest, name) = take_while1(&i[1..], is_atom_char, "mbx-list-flag")?;
        for (text, attr) in ATTRIBUTES {
            if name.eq_ignore_ascii_case(text.as_bytes()) {
                return Ok((rest, attr.clone()));
            }
        }
        Ok((rest, MailboxAttribute::Extension(Atom::from_checked(name))))
    }
}

impl Encode for MailboxAttribute<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'\\');
        if let MailboxAttribute::Extension(a) = self {
            e.raw(a.as_str().as_bytes());
            return;
        }
        for (text, attr) in ATTRIBUTES {
            if attr == self {
                e.raw(text.as_bytes());
                return;
            }
        }
    }
}

impl IntoStatic for MailboxAttribute<'_> {
    type Static = MailboxAttribute<'static>;
    fn into_static(self) -> MailboxAttribute<'static> {
        match self {
            MailboxAttribute::Extension(a) => MailboxAttribute::Extension(a.into_static()),
            MailboxAttribute::NoInferiors => MailboxAttribute::NoInferiors,
            MailboxAttribute::NoSelect => MailboxAttribute::NoSelect,
            MailboxAttribute::Marked => MailboxAttribute::Marked,
            MailboxAttribute::Unmarked => MailboxAttribute::Unmarked,
            MailboxAttribute::NonExistent => MailboxAttribute::NonExistent,
            MailboxAttribute::Subscribed => MailboxAttribute::Subscribed,
            MailboxAttribute::Remote => MailboxAttribute::Remote,
            MailboxAttribute::HasChildren => MailboxAttribute::HasChildren,
            MailboxAttribute::HasNoChildren => MailboxAttribute::HasNoChildren,
            MailboxAttribute::All => MailboxAttribute::All,
            MailboxAttribute::Archive => MailboxAttribute::Archive,
            MailboxAttribute::Drafts => MailboxAttribute::Drafts,
            MailboxAttribute::Flagged => MailboxAttribute::Flagged,
            MailboxAttribute::Junk => MailboxAttribute::Junk,
            MailboxAttribute::Sent => MailboxAttribute::Sent,
            MailboxAttribute::Trash => MailboxAttribute::Trash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_case_insensitively() {
        let (_, list) = Flag::parse_list(b"(\\seen \\Answered $Forwarded \\X-Ext)").unwrap();
        assert_eq!(list[0], Flag::Seen);
        assert_eq!(list[1], Flag::Answered);
        assert!(matches!(&list[2], Flag::Keyword(a) if a.as_str() == "$Forwarded"));
        assert!(matches!(&list[3], Flag::Extension(a) if a.as_str() == "X-Ext"));
        assert!(Flag::parse_list(b"(\\*)").is_err());
        assert_eq!(FlagPerm::parse(b"\\*").unwrap().1, FlagPerm::Any);
        assert!(Flag::parse(b"\\RECENT").unwrap().1.is_recent());
        assert!(!Flag::parse(b"\\RecentX").unwrap().1.is_recent());
        assert!(FlagExtension::new("draft").is_err());
    }

    #[test]
    fn flag_lists_as_their_wire_form() {
        let (rest, list) = FlagList::parse(b"(\\Seen $Forwarded) x").unwrap();
        assert_eq!(
            (rest, list.wire(), list.len()),
            (&b" x"[..], &b"\\Seen $Forwarded"[..], 2)
        );
        assert!(list.canonical);
        let (_, list) = FlagList::parse(b"(\\seen \\DRAFT \\Recent)").unwrap();
        assert!(!list.canonical);
        assert_eq!(
            list.to_vec(),
            [Flag::Seen, Flag::Draft, list.to_vec()[2].clone()]
        );
        assert!(list.to_vec()[2].is_recent());
        let (_, empty) = FlagList::parse(b"()").unwrap();
        assert!(empty.is_empty());
        assert_eq!(empty, FlagList::new([]));
        // Equal values, whatever the spelling; the owned list equals the borrowed one.
        assert_eq!(list, FlagList::new(list.to_vec()));
        assert_eq!(list.clone().into_static(), list);
        assert_eq!(list.clone().into_vec(), list.to_vec());
        // The errors of the list parser, with their offsets.
        for bad in [
            &b"(\\*)"[..],
            b"(a",
            b"(a )",
            b"( a)",
            b"a",
            b"(\\ a)",
            b"(a\"b)",
        ] {
            let fast = FlagList::parse(bad).map(|(r, l)| (r, l.into_vec()));
            assert_eq!(format!("{fast:?}"), format!("{:?}", Flag::parse_list(bad)));
        }
    }

    #[test]
    fn system_names_by_length() {
        for (name, flag) in [
            ("Seen", Flag::Seen),
            ("dRAFT", Flag::Draft),
            ("flagged", Flag::Flagged),
            ("DELETED", Flag::Deleted),
            ("Answered", Flag::Answered),
        ] {
            assert_eq!(Flag::system(name.as_bytes()), Some(flag));
        }
        for other in [
            "Seem", "Drafts", "Flagge", "Delated", "Answerer", "Recent", "",
        ] {
            assert_eq!(Flag::system(other.as_bytes()), None, "{other}");
        }
        // Every one-octet change of every name: the folded comparison says what the
        // case-insensitive comparison says, and "canonical" only for the encoder's spelling.
        for name in ["Seen", "Draft", "Flagged", "Deleted", "Answered"] {
            for at in 0..name.len() {
                for b in 0..=255u8 {
                    let mut v = name.as_bytes().to_vec();
                    v[at] = b;
                    let same = v.eq_ignore_ascii_case(name.as_bytes());
                    let found = Flag::system_name(&v);
                    assert_eq!(found.is_some(), same, "{v:?}");
                    assert_eq!(found.is_some_and(|(w, _)| w), v == name.as_bytes(), "{v:?}");
                }
            }
        }
    }

    /// One flag list's tokens, some of them not a flag list's.
    const TOKENS: &[&str] = &[
        "\\Answered",
        "\\Draft",
        "\\Deleted",
        "\\Seen2",
        "\\Drafts",
        "\\Answered-x",
        "\\Flagged)",
        "(",
        ")",
        " ",
        "\\",
        "\\Seen",
        "\\SEEN",
        "\\deleted",
        "\\Flagged",
        "\\Recent",
        "\\*",
        "$Forwarded",
        "Junk",
        "x",
        "*",
        "\"",
        "{1}",
        "]",
        "%",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

        /// `FlagList::parse` (one walk) and `Flag::parse_list` accept the same inputs with the
        /// same end and flags, and fail with the same error; the list encodes as its flags do.
        #[test]
        fn flag_list_agrees_with_the_list_parser(
            tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..8),
            open in proptest::bool::weighted(0.9),
        ) {
            let input = format!("{}{}", if open { "(" } else { "" }, tokens.concat());
            let input = input.as_bytes();
            let fast = FlagList::parse(input);
            let slow = Flag::parse_list(input);
            match (&fast, &slow) {
                (Ok((r1, list)), Ok((r2, flags))) => {
                    proptest::prop_assert_eq!(r1.len(), r2.len());
                    proptest::prop_assert_eq!(&list.to_vec(), flags);
                    proptest::prop_assert_eq!(list.len(), flags.len());
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    list.encode(&mut Encoder::server(&mut a));
                    Encoder::server(&mut b).paren_list(flags, |e, f| f.encode(e));
                    proptest::prop_assert_eq!(a, b);
                }
                _ => proptest::prop_assert_eq!(
                    format!("{:?}", fast.map(|(r, l)| (r, l.into_vec()))),
                    format!("{slow:?}")
                ),
            }
        }
    }
}
