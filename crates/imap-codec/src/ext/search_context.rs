//! Contexts for IMAP4: ESORT, CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267; grammar: §5).
//!
//! - `RETURN (... CONTEXT UPDATE PARTIAL r)` on SEARCH and SORT:
//!   [`crate::command::SearchReturnOpt::Context`], `Update`, `Partial` (the range is RFC 9394's,
//!   [`crate::ext::partial`]); `SORT RETURN (...)` is the `Sort` row ([`crate::ext::sort`]);
//! - the return data `ADDTO (pos set ...)`, `REMOVEFROM (pos set ...)`
//!   ([`ContextUpdate`], [`crate::response::SearchReturnData::AddTo`], `RemoveFrom`) and
//!   `PARTIAL (range results)` ([`crate::response::SearchReturnData::Partial`]);
//! - the response code `NOUPDATE "tag"` ([`crate::response::Code::NoUpdate`]);
//! - the command `CANCELUPDATE "tag" ...` (the `CancelUpdate` row of the command table).

use crate::prelude::*;

use crate::core::{IntoStatic, Quoted};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError};
use crate::ext::NonEmpty;
use crate::parse::{lparen, number, rparen, sp};
use crate::sequence::{SeqItems, SequenceSet};

use crate::command::CommandBody;
use crate::context::Ctx;

/// The argument of `ADDTO` / `REMOVEFROM`: `"(" context-position SP sequence-set *(SP
/// context-position SP sequence-set) ")"` (RFC 5267 §4.3, §5). A position is where the
/// messages go in (or leave) the result list; 0 for a SEARCH result (`context-position =
/// number`). The sets never hold `$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ContextUpdate(Vec<(u32, SeqItems)>);

impl ContextUpdate {
    /// The pairs of position and messages; fails when empty.
    pub fn new(pairs: Vec<(u32, SeqItems)>) -> Result<Self, ValidationError> {
        if pairs.is_empty() {
            return Err(ValidationError::new("ret-data-addto", None));
        }
        Ok(ContextUpdate(pairs))
    }

    /// The pairs.
    pub fn pairs(&self) -> &[(u32, SeqItems)] {
        &self.0
    }

    /// Parses `SP "(" ... ")"` after the name.
    pub(crate) fn parse_after_name(i: &[u8]) -> PResult<'_, Self> {
        let (i, ()) = sp(i)?;
        let (mut i, ()) = lparen(i)?;
        let mut out = Vec::new();
        loop {
            let (r, pos) = crate::parse::rule("context-position", number)(i)?;
            let (r, ()) = sp(r)?;
            let (r, set) = items(r)?;
            out.push((pos, set));
            i = r;
            if i.first() != Some(&b' ') {
                break;
            }
            i = &i[1..];
        }
        let (i, ()) = rparen(i)?;
        Ok((i, ContextUpdate(out)))
    }
}

/// A `sequence-set` that is not `$`.
pub(crate) fn items(i: &[u8]) -> PResult<'_, SeqItems> {
    if i.first() == Some(&b'$') {
        return crate::error::fail(i, "sequence-set");
    }
    let (r, set) = SequenceSet::parse(i)?;
    match set {
        SequenceSet::Items(items) => Ok((r, items)),
        SequenceSet::SearchResult => crate::error::fail(i, "sequence-set"),
    }
}

pub(crate) fn encode_items(items: &SeqItems, e: &mut Encoder<'_>) {
    for (n, item) in items.as_slice().iter().enumerate() {
        if n > 0 {
            e.byte(b',');
        }
        item.encode(e);
    }
}

impl Encode for ContextUpdate {
    /// Writes `SP "(" ... ")"`.
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(b" (");
        for (n, (pos, set)) in self.0.iter().enumerate() {
            if n > 0 {
                e.sp();
            }
            e.number(u64::from(*pos)).sp();
            encode_items(set, e);
        }
        e.byte(b')');
    }
}

impl IntoStatic for ContextUpdate {
    type Static = ContextUpdate;
    fn into_static(self) -> ContextUpdate {
        self
    }
}

/// `"CANCELUPDATE" 1*(SP quoted)` (RFC 5267 §4.3, §5): what follows the name.
pub(crate) fn parse_cancel_update<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let mut tags = Vec::new();
    let mut i = i;
    loop {
        let (r, ()) = sp(i)?;
        let (r, q) = Quoted::parse(r)?;
        tags.push(q);
        i = r;
        if i.first() != Some(&b' ') {
            break;
        }
    }
    Ok((
        i,
        CommandBody::CancelUpdate {
            tags: NonEmpty::from_parsed(tags),
        },
    ))
}

pub(crate) fn encode_cancel_update(tags: &NonEmpty<Quoted<'_>>, e: &mut Encoder<'_>) {
    for t in tags {
        e.sp();
        t.encode(e);
    }
}

#[cfg(test)]
mod tests;
