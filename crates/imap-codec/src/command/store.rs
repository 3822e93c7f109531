//! STORE and UID STORE (RFC 9051 §6.4.6, RFC 3501 §6.4.6; §9 `store`, `store-att-flags`):
//! `["+" / "-"] "FLAGS" [".SILENT"]` followed by a `flag-list` or space-separated flags.

use crate::prelude::*;

use crate::context::Ctx;
use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::ext::NonEmpty;
use crate::ext::slots::{self, Slot};
use crate::flag::Flag;
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

/// The flags of a STORE, in the form sent: `flag-list / (flag *(SP flag))`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StoreFlags<'a> {
    /// `"(" [flag *(SP flag)] ")"` (may be empty).
    List(Vec<Flag<'a>>),
    /// `flag *(SP flag)`, unparenthesised.
    Bare(NonEmpty<Flag<'a>>),
}

impl<'a> StoreFlags<'a> {
    /// The flags.
    pub fn flags(&self) -> &[Flag<'a>] {
        match self {
            StoreFlags::List(f) => f,
            StoreFlags::Bare(f) => f,
        }
    }
}

impl Encode for StoreFlags<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            StoreFlags::List(f) => {
                e.paren_list(f, |e, f| f.encode(e));
            }
            StoreFlags::Bare(f) => {
                e.sp_list(f, |e, f| f.encode(e));
            }
        }
    }
}

impl IntoStatic for StoreFlags<'_> {
    type Static = StoreFlags<'static>;
    fn into_static(self) -> StoreFlags<'static> {
        match self {
            StoreFlags::List(f) => StoreFlags::List(f.into_static()),
            StoreFlags::Bare(f) => StoreFlags::Bare(f.into_static()),
        }
    }
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
    let (i, ()) = keyword(i, "FLAGS").map_err(|e| {
        e.map(|mut e| {
            e.expected = "store-att-flags";
            e
        })
    })?;
    let (i, silent) = if starts_with_ci(i, b".SILENT") {
        (&i[7..], true)
    } else {
        (i, false)
    };
    let (i, ()) = sp(i)?;
    let (i, flags) = if i.first() == Some(&b'(') {
        let (r, f) = Flag::parse_list(i)?;
        (r, StoreFlags::List(f))
    } else {
        let (mut i, first) = Flag::parse(i)?;
        let mut flags = vec![first];
        while i.first() == Some(&b' ') {
            let (r, f) = Flag::parse(&i[1..])?;
            flags.push(f);
            i = r;
        }
        (i, StoreFlags::Bare(NonEmpty::from_parsed(flags)))
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
    e.raw(b"FLAGS");
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
            (*action, *silent, *uid, flags.flags()),
            (StoreAction::Add, false, false, &[Flag::Deleted][..])
        );
        roundtrip(b"F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n", false);
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
