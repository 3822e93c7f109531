//! STORE and UID STORE (RFC 9051 §6.4.6, RFC 3501 §6.4.6; §9 `store`, `store-att-flags`):
//! `["+" / "-"] "FLAGS" [".SILENT"]` followed by a `flag-list` or space-separated flags; with
//! Gmail's X-GM-EXT-1 in force, `["+" / "-"] "X-GM-LABELS" [".SILENT"]` followed by labels the
//! same two ways ([`crate::ext::gmail`]).

use crate::prelude::*;

use crate::context::{Ctx, Extension};
use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::ext::NonEmpty;
use crate::ext::gmail::{GmailLabel, parse_label_list};
use crate::ext::slots::{self, Slot};
use crate::flag::{Flag, FlagList, FlagListIter};
use crate::parse::{keyword, sp, starts_with_ci};
use crate::sequence::SequenceSet;

use super::CommandBody;

/// How STORE changes the flags: the optional `+` / `-` of `store-att-flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StoreAction {
    /// `FLAGS`: replace the flags.
    Replace,
    /// `+FLAGS`: add the flags.
    Add,
    /// `-FLAGS`: remove the flags.
    Remove,
}

impl IntoStatic for StoreAction {
    type Static = StoreAction;
    fn into_static(self) -> StoreAction {
        self
    }
}

/// What a STORE changes, in the form sent: `FLAGS` with a `flag-list / (flag *(SP flag))`,
/// or Gmail's `X-GM-LABELS` with labels the same two ways ([`crate::ext::gmail`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StoreFlags<'a> {
    /// `FLAGS` `"(" [flag *(SP flag)] ")"` (may be empty), held as its checked wire form.
    List(FlagList<'a>),
    /// `FLAGS` `flag *(SP flag)`, unparenthesised.
    Bare(NonEmpty<Flag<'a>>),
    /// `X-GM-LABELS` `gm-label-list` (may be empty; X-GM-EXT-1).
    LabelList(Vec<GmailLabel<'a>>),
    /// `X-GM-LABELS` `gm-label *(SP gm-label)`, unparenthesised (X-GM-EXT-1).
    Labels(NonEmpty<GmailLabel<'a>>),
}

impl<'a> StoreFlags<'a> {
    /// The flags, in order (none for the Gmail label forms); a [`StoreFlags::List`]'s are
    /// decoded from its wire form as the iterator advances.
    pub fn flags(&self) -> StoreFlagsIter<'_> {
        match self {
            StoreFlags::List(f) => StoreFlagsIter::List(f.iter()),
            StoreFlags::Bare(f) => StoreFlagsIter::Bare(f.iter()),
            StoreFlags::LabelList(_) | StoreFlags::Labels(_) => StoreFlagsIter::Bare([].iter()),
        }
    }

    /// The Gmail labels (none for the `FLAGS` forms).
    pub fn labels(&self) -> &[GmailLabel<'a>] {
        match self {
            StoreFlags::LabelList(l) => l,
            StoreFlags::Labels(l) => l,
            StoreFlags::List(_) | StoreFlags::Bare(_) => &[],
        }
    }

    /// The attribute's name: `FLAGS` or `X-GM-LABELS`.
    pub fn name(&self) -> &'static str {
        match self {
            StoreFlags::List(_) | StoreFlags::Bare(_) => "FLAGS",
            StoreFlags::LabelList(_) | StoreFlags::Labels(_) => "X-GM-LABELS",
        }
    }
}

/// The flags of a [`StoreFlags`] ([`StoreFlags::flags`]).
#[derive(Debug, Clone)]
pub enum StoreFlagsIter<'s> {
    /// A [`FlagList`]'s flags, decoded as the iterator advances.
    List(FlagListIter<'s>),
    /// Flags already built.
    Bare(::core::slice::Iter<'s, Flag<'s>>),
}

impl<'s> Iterator for StoreFlagsIter<'s> {
    type Item = Flag<'s>;

    fn next(&mut self) -> Option<Flag<'s>> {
        match self {
            StoreFlagsIter::List(i) => i.next(),
            StoreFlagsIter::Bare(i) => i.next().cloned(),
        }
    }
}

impl Encode for StoreFlags<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            StoreFlags::List(f) => f.encode(e),
            StoreFlags::Bare(f) => {
                e.sp_list(f, |e, f| f.encode(e));
            }
            StoreFlags::LabelList(l) => {
                e.paren_list(l, |e, l| l.encode(e));
            }
            StoreFlags::Labels(l) => {
                e.sp_list(l, |e, l| l.encode(e));
            }
        }
    }
}

/// `X-GM-LABELS [".SILENT"]` where `store-att-flags` is expected, while X-GM-EXT-1 is in force.
fn gmail_labels(i: &[u8], cx: &Ctx<'_>) -> bool {
    cx.has(Extension::GmailExt1)
        && starts_with_ci(i, b"X-GM-LABELS")
        && !i
            .get(11)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `(flag-list / (flag *(SP flag)))` or, for labels, the same with `gm-label`.
fn parse_list_or_bare<'a, L, T>(
    i: &'a [u8],
    list: impl FnOnce(&'a [u8]) -> PResult<'a, L>,
    mut item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, Result<L, NonEmpty<T>>> {
    if i.first() == Some(&b'(') {
        let (r, l) = list(i)?;
        return Ok((r, Ok(l)));
    }
    let (mut i, first) = item(i)?;
    let mut items = vec![first];
    while i.first() == Some(&b' ') {
        let (r, f) = item(&i[1..])?;
        items.push(f);
        i = r;
    }
    Ok((i, Err(NonEmpty::from_parsed(items))))
}

/// `SP sequence-set SP store-att-flags` after the STORE name.
pub(super) fn parse_store<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
    uid: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = SequenceSet::parse(i)?;
    let (i, modifiers) = slots::parse_sp_params(i, cx, Slot::StoreModifiers)?;
    let (i, ()) = sp(i)?;
    let (i, action) = match i.first() {
        Some(b'+') => (&i[1..], StoreAction::Add),
        Some(b'-') => (&i[1..], StoreAction::Remove),
        _ => (i, StoreAction::Replace),
    };
    let (i, silent, labels) = match flags_name(i) {
        Some((rest, silent)) => (rest, silent, false),
        None => {
            let (rest, (silent, labels)) = store_att_name(i, cx)?;
            (rest, silent, labels)
        }
    };
    let (i, ()) = sp(i)?;
    let (i, flags) = if !labels && i.first() == Some(&b'(') {
        let (r, l) = FlagList::parse(i)?;
        (r, StoreFlags::List(l))
    } else if labels {
        let (r, l) = parse_list_or_bare(i, parse_label_list::<true>, GmailLabel::parse::<true>)?;
        (r, l.map_or_else(StoreFlags::Labels, StoreFlags::LabelList))
    } else {
        let (r, f) = parse_list_or_bare(i, FlagList::parse, Flag::parse)?;
        (r, f.map_or_else(StoreFlags::Bare, StoreFlags::List))
    };
    Ok((
        i,
        CommandBody::Store {
            uid,
            sequence_set,
            modifiers,
            action,
            silent,
            flags,
        },
    ))
}

/// Eight octets from `i` (little-endian), if there are eight.
#[inline(always)]
fn word(i: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(i.get(..8)?.try_into().ok()?))
}

/// `| 0x20` on the octets of `text` that are letters: folds those to lower case and leaves
/// the others as they are (no octet but a letter folds onto a lower-case letter).
const fn fold_mask(text: &[u8; 8]) -> u64 {
    let mut mask = 0u64;
    let mut k = 0;
    while k < 8 {
        if text[k].is_ascii_alphabetic() {
            mask |= 0x20 << (8 * k);
        }
        k += 1;
    }
    mask
}

/// `text` in lower case, as a folded [`word`] compares with it.
const fn lower(text: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*text) | fold_mask(text)
}

/// The common `store-att-flags` names in one comparison of eight octets each: `FLAGS` or
/// `FLAGS.SILENT` (any case) followed by SP, after the optional `+` / `-`. The end and
/// whether `.SILENT` was there (the SP left for the caller); `None` for anything else,
/// which [`store_att_name`] reads.
#[inline(always)]
fn flags_name(i: &[u8]) -> Option<(&[u8], bool)> {
    const FLAGS_SI: &[u8; 8] = b"FLAGS.SI";
    const SILENT_SP: &[u8; 8] = b".SILENT ";
    const FLAGS_SP: &[u8; 8] = b"FLAGS \0\0";
    const SIX: u64 = 0xFFFF_FFFF_FFFF;
    const MASKS: [u64; 3] = [
        fold_mask(FLAGS_SI),
        fold_mask(SILENT_SP),
        fold_mask(FLAGS_SP),
    ];
    const LOWER: [u64; 3] = [lower(FLAGS_SI), lower(SILENT_SP), lower(FLAGS_SP)];
    let w = word(i)?;
    if w | MASKS[0] == LOWER[0] {
        let w = word(&i[5..])?;
        return (w | MASKS[1] == LOWER[1]).then(|| (&i[12..], true));
    }
    ((w & SIX) | MASKS[2] == LOWER[2]).then(|| (&i[5..], false))
}

/// `store-att-flags`'s name after the optional `+` / `-`: `FLAGS [".SILENT"]`, or while
/// X-GM-EXT-1 is in force `X-GM-LABELS [".SILENT"]`. The end, `.SILENT`, and whether it names
/// labels.
fn store_att_name<'a>(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, (bool, bool)> {
    let labels = gmail_labels(i, cx);
    let i = if labels {
        &i[11..]
    } else {
        keyword(i, "FLAGS")
            .map_err(|e| {
                e.map(|mut e| {
                    e.expected = "store-att-flags";
                    e
                })
            })?
            .0
    };
    let (i, silent) = if starts_with_ci(i, b".SILENT") {
        (&i[7..], true)
    } else {
        (i, false)
    };
    Ok((i, (silent, labels)))
}

/// Writes `store-att-flags`.
pub(super) fn encode_store_att(
    action: StoreAction,
    silent: bool,
    flags: &StoreFlags<'_>,
    e: &mut Encoder<'_>,
) {
    match action {
        StoreAction::Replace => {}
        StoreAction::Add => {
            e.byte(b'+');
        }
        StoreAction::Remove => {
            e.byte(b'-');
        }
    }
    e.raw(flags.name().as_bytes());
    if silent {
        e.raw(b".SILENT");
    }
    e.sp();
    flags.encode(e);
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip};
    use super::*;

    #[test]
    fn rfc_examples() {
        for line in [
            "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n",
            "F284 STORE $ +FLAGS.SILENT (\\Deleted)\r\n",
            "m STORE 42 FLAGS f1 f2 f3 f4 f5\r\n",
            "a STORE 1 -FLAGS.SILENT ()\r\n",
            "a UID STORE 1:* FLAGS (\\Seen \\Answered $Forwarded \\X-Ext)\r\n",
            "a STORE 1 -FLAGS \\Seen\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"a005 store 12 +flags \\deleted\r\n", false);
        let CommandBody::Store {
            action,
            silent,
            flags,
            uid,
            ..
        } = &c.body
        else {
            panic!()
        };
        assert_eq!(
            (*action, *silent, *uid, flags.flags().collect::<Vec<_>>()),
            (StoreAction::Add, false, false, vec![Flag::Deleted])
        );
        roundtrip(b"F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n", false);
    }

    /// Whatever the one-comparison name check takes, the exact name parser takes with the
    /// same end and `.SILENT`, for every one-octet change (and cut) of the two common names.
    #[test]
    fn flags_name_agrees_with_store_att_name() {
        let cx = Ctx::new(&crate::context::STRICT, mailproto_core::Side::Client, b"");
        let mut taken = 0;
        for base in [&b"FLAGS.SILENT (a)"[..], b"FLAGS (a)", b"flags.silent x"] {
            for at in 0..base.len() {
                for b in 0..=255u8 {
                    let mut v = base.to_vec();
                    v[at] = b;
                    for input in [&v[..], &v[..at]] {
                        if let Some((rest, silent)) = flags_name(input) {
                            taken += 1;
                            let exact = store_att_name(input, &cx).map(|(r, s)| (r.len(), s));
                            assert_eq!(
                                exact.ok(),
                                Some((rest.len(), (silent, false))),
                                "{input:?}"
                            );
                            assert_eq!(rest.first(), Some(&b' '));
                        }
                    }
                }
            }
        }
        assert!(taken > 3 * 256);
    }

    #[test]
    fn rejects_bad_stores() {
        rejects(b"a STORE 1 FLAGS\r\n", 15, "SP");
        rejects(b"a STORE 1 FLAGS \r\n", 16, "flag");
        rejects(b"a STORE 1 FLAGS a \r\n", 18, "flag");
        rejects(b"a STORE 1 *FLAGS (a)\r\n", 10, "store-att-flags");
        rejects(b"a STORE 1 +FLAG (a)\r\n", 11, "store-att-flags");
        rejects(b"a STORE 1 +FLAGS.LOUD (a)\r\n", 16, "SP");
        rejects(b"a STORE 1 FLAGS (a) b\r\n", 19, "CRLF");
        rejects(b"a STORE 1 FLAGS (\\*)\r\n", 18, "flag");
        rejects(b"a STORE 1 FLAGS \\Recent)\r\n", 23, "CRLF");
        rejects(b"a STORE  1 FLAGS (a)\r\n", 8, "sequence-set");
    }
}
