//! The RFC 4466 §2 extension slots of the command grammar: where an extension adds
//! parameters to a base command without changing its ABNF rule.
//!
//! - `select-params` of SELECT and EXAMINE (RFC 4466 §2.1), e.g. `(CONDSTORE)`,
//!   `(QRESYNC (...))` of RFC 7162 §3.1.8, §3.2.5;
//! - `fetch-modifiers` of FETCH and UID FETCH (RFC 4466 §2.4), e.g. `(CHANGEDSINCE 12345)`
//!   of RFC 7162 §3.1.4;
//! - `store-modifiers` of STORE and UID STORE (RFC 4466 §2.5), e.g. `(UNCHANGEDSINCE 5)` of
//!   RFC 7162 §3.1.3.
//!
//! (The SEARCH return options and the LIST options of RFC 4466 §2.6 and RFC 5258 have their
//! own types: [`crate::command::SearchRetOptExt`], [`crate::command::OptionExtension`].)
//!
//! Each slot has a typed parameter enum — [`SelectParam`] (`CONDSTORE`, `QRESYNC (...)`),
//! [`FetchModifier`] (`CHANGEDSINCE n`, `VANISHED`, `PARTIAL r`), [`StoreModifier`]
//! (`UNCHANGEDSINCE n`) — with an `Other` variant holding the generic form, [`ExtParam`]
//! (`tagged-ext-label [SP tagged-ext-val]`), for parameters nobody typed. A parameter name
//! may not repeat within a slot. A slot is **closed** unless the
//! [`crate::context::ParseOptions`] put in force an extension that uses it ([`Slot::users`]):
//! in the strict profile with nothing in force the grammar is exactly RFC 3501 §9 ∪ RFC 9051
//! §9, and `SELECT INBOX (CONDSTORE)` is rejected at the `SP` before `(`. Within an open slot,
//! `QRESYNC` and `VANISHED` need QRESYNC itself in force (RFC 7162 §3.2.3: it must be
//! enabled). An extension module (`ext/<name>.rs`) that adds a parameter lists its
//! [`crate::Extension`] in [`Slot::users`] and adds a typed variant.

use crate::prelude::*;

use crate::context::{Ctx, Extension};
use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::ext::Number64;
use crate::ext::condstore::{ModSeq, QResyncParams};
use crate::ext::partial::PartialRange;
use crate::parse::{paren_list, sp};

use super::{TaggedExtLabel, TaggedExtVal};

/// An RFC 4466 extension slot of the command grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Slot {
    /// `select-params` (RFC 4466 §2.1).
    SelectParams,
    /// `fetch-modifiers` (RFC 4466 §2.4).
    FetchModifiers,
    /// `store-modifiers` (RFC 4466 §2.5).
    StoreModifiers,
    /// `create-params` (RFC 4466 §2.2; [`crate::ext::special_use`]).
    CreateParams,
}

impl Slot {
    /// The extensions that put parameters in the slot; the slot is open when one of them is
    /// in force.
    pub const fn users(self) -> &'static [Extension] {
        match self {
            // RFC 7162 §3.1.8 (CONDSTORE), §3.2.5 (QRESYNC).
            Slot::SelectParams => &[Extension::CondStore, Extension::QResync],
            // RFC 7162 §3.1.4 (CHANGEDSINCE), §3.2.6 (VANISHED); RFC 9394 §3.2 (PARTIAL).
            Slot::FetchModifiers => &[Extension::CondStore, Extension::QResync, Extension::Partial],
            // RFC 7162 §3.1.3 (UNCHANGEDSINCE).
            Slot::StoreModifiers => &[Extension::CondStore, Extension::QResync],
            // RFC 6154 §3 (USE).
            Slot::CreateParams => &[Extension::CreateSpecialUse],
        }
    }

    /// Whether the slot is open in `cx`.
    #[inline]
    pub fn is_open(self, cx: &Ctx<'_>) -> bool {
        self.users().iter().any(|e| cx.has(*e))
    }

    /// The ABNF rule of one parameter.
    pub const fn rule(self) -> &'static str {
        match self {
            Slot::SelectParams => "select-param",
            Slot::FetchModifiers => "fetch-modifier",
            Slot::StoreModifiers => "store-modifier",
            Slot::CreateParams => "create-param",
        }
    }
}

/// One parameter in an RFC 4466 slot: `select-param = select-param-name [SP
/// select-param-value]`, `fetch-modifier = fetch-modifier-name [SP fetch-modif-params]`,
/// `store-modifier = store-modifier-name [SP store-modif-params]`; each name is a
/// `tagged-ext-label`, each value a `tagged-ext-val` (RFC 4466 §3).
///
/// ```
/// use mailproto_imap_codec::ext::slots::ExtParam;
/// use mailproto_imap_codec::ext::TaggedExtLabel;
/// let p = ExtParam::new(TaggedExtLabel::new("CONDSTORE").unwrap(), None);
/// assert_eq!(p.name().as_str(), "CONDSTORE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExtParam<'a> {
    name: TaggedExtLabel<'a>,
    value: Option<TaggedExtVal<'a>>,
}

/// `select-param` (RFC 4466 §2.1), typed where an extension defines it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SelectParam<'a> {
    /// `condstore-param = "CONDSTORE"` (RFC 7162 §3.1.8).
    CondStore,
    /// `"QRESYNC" SP "(" ... ")"` (RFC 7162 §3.2.5).
    QResync(QResyncParams),
    /// Any other parameter, in the generic form (a name no variant above has).
    Other(ExtParam<'a>),
}

/// `fetch-modifier` (RFC 4466 §2.4), typed where an extension defines it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FetchModifier<'a> {
    /// `chgsince-fetch-mod = "CHANGEDSINCE" SP mod-sequence-value` (RFC 7162 §3.1.4.1).
    ChangedSince(ModSeq),
    /// `rexpunges-fetch-mod = "VANISHED"` (RFC 7162 §3.2.6): UID FETCH only, with
    /// CHANGEDSINCE, and only while QRESYNC is in force.
    Vanished,
    /// `modifier-partial = "PARTIAL" SP partial-range` (RFC 9394 §3.2, §4): only that range
    /// of the messages the sequence set names.
    Partial(PartialRange),
    /// Any other modifier, in the generic form.
    Other(ExtParam<'a>),
}

/// `store-modifier` (RFC 4466 §2.5), typed where an extension defines it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StoreModifier<'a> {
    /// `"UNCHANGEDSINCE" SP mod-sequence-valzer` (RFC 7162 §3.1.3).
    UnchangedSince(Number64),
    /// Any other modifier, in the generic form.
    Other(ExtParam<'a>),
}

/// One parameter of a slot: parsed by name (the typed forms first), encoded back.
pub(crate) trait SlotParam<'a>: Sized {
    /// Parses one parameter.
    fn parse(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self>;
    /// Writes it.
    fn encode_param(&self, e: &mut Encoder<'_>);
}

/// The name at `i` (a `tagged-ext-label`'s characters), upper-cased comparison helper.
fn name_is(i: &[u8], name: &str) -> bool {
    let n = name.len();
    i.len() >= n
        && i[..n].eq_ignore_ascii_case(name.as_bytes())
        && !i.get(n).is_some_and(|&b| super::is_label_char(b))
}

impl<'a> SlotParam<'a> for SelectParam<'a> {
    fn parse(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self> {
        let typed = cx.has(Extension::CondStore) || cx.has(Extension::QResync);
        if typed && name_is(i, "CONDSTORE") {
            return Ok((&i[9..], SelectParam::CondStore));
        }
        // QRESYNC needs ENABLE QRESYNC (RFC 7162 §3.2.3); real-world reads it without.
        if name_is(i, "QRESYNC")
            && (cx.has(Extension::QResync) || cx.assume_in_force(&[Extension::QResync], i))
        {
            let (r, ()) = sp(&i[7..])?;
            let (r, p) = QResyncParams::parse(r)?;
            return Ok((r, SelectParam::QResync(p)));
        }
        if name_is(i, "CONDSTORE") || name_is(i, "QRESYNC") {
            return fail(i, "select-param");
        }
        ExtParam::parse(i).map(|(r, p)| (r, SelectParam::Other(p)))
    }

    fn encode_param(&self, e: &mut Encoder<'_>) {
        match self {
            SelectParam::CondStore => {
                e.raw(b"CONDSTORE");
            }
            SelectParam::QResync(p) => {
                e.raw(b"QRESYNC ");
                p.encode(e);
            }
            SelectParam::Other(p) => p.encode(e),
        }
    }
}

impl<'a> SlotParam<'a> for FetchModifier<'a> {
    fn parse(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self> {
        if name_is(i, "CHANGEDSINCE") {
            let (r, ()) = sp(&i[12..])?;
            let (r, m) = ModSeq::parse(r)?;
            return Ok((r, FetchModifier::ChangedSince(m)));
        }
        if name_is(i, "PARTIAL") {
            let (r, ()) = sp(&i[7..])?;
            let (r, range) = PartialRange::parse(r)?;
            return Ok((r, FetchModifier::Partial(range)));
        }
        if name_is(i, "VANISHED") {
            if !cx.has(Extension::QResync) && !cx.assume_in_force(&[Extension::QResync], i) {
                return fail(i, "fetch-modifier");
            }
            return Ok((&i[8..], FetchModifier::Vanished));
        }
        ExtParam::parse(i).map(|(r, p)| (r, FetchModifier::Other(p)))
    }

    fn encode_param(&self, e: &mut Encoder<'_>) {
        match self {
            FetchModifier::ChangedSince(m) => {
                e.raw(b"CHANGEDSINCE ");
                m.encode(e);
            }
            FetchModifier::Vanished => {
                e.raw(b"VANISHED");
            }
            FetchModifier::Partial(r) => {
                e.raw(b"PARTIAL ");
                r.encode(e);
            }
            FetchModifier::Other(p) => p.encode(e),
        }
    }
}

impl<'a> SlotParam<'a> for StoreModifier<'a> {
    fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        if name_is(i, "UNCHANGEDSINCE") {
            let (r, ()) = sp(&i[14..])?;
            let (r, m) = crate::ext::condstore::parse_valzer(r)?;
            return Ok((r, StoreModifier::UnchangedSince(m)));
        }
        ExtParam::parse(i).map(|(r, p)| (r, StoreModifier::Other(p)))
    }

    fn encode_param(&self, e: &mut Encoder<'_>) {
        match self {
            StoreModifier::UnchangedSince(m) => {
                e.raw(b"UNCHANGEDSINCE ");
                m.encode(e);
            }
            StoreModifier::Other(p) => p.encode(e),
        }
    }
}

impl<'a> ExtParam<'a> {
    /// A parameter `name`, with its value if any.
    pub fn new(name: TaggedExtLabel<'a>, value: Option<TaggedExtVal<'a>>) -> Self {
        ExtParam { name, value }
    }

    /// The name.
    pub fn name(&self) -> &TaggedExtLabel<'a> {
        &self.name
    }

    /// The value.
    pub fn value(&self) -> Option<&TaggedExtVal<'a>> {
        self.value.as_ref()
    }

    /// Parses `tagged-ext-label [SP tagged-ext-val]` (command side).
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, name) = TaggedExtLabel::parse(i)?;
        // A value follows only when the next SP does not start the next parameter: a
        // `tagged-ext-val` begins with a digit, `*`, `$` or `(`, a label with a letter.
        match (i.first(), i.get(1)) {
            (Some(b' '), Some(c)) if c.is_ascii_digit() || matches!(c, b'*' | b'$' | b'(') => {
                let (i, value) = super::sp_tagged_ext_val::<true>(i)?;
                Ok((i, ExtParam::new(name, Some(value))))
            }
            _ => Ok((i, ExtParam::new(name, None))),
        }
    }
}

impl Encode for ExtParam<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.name.encode(e);
        if let Some(v) = &self.value {
            e.sp();
            v.encode(e);
        }
    }
}

/// `[SP "(" param *(SP param) ")"]` for `slot`: parsed only when the slot is open in `cx`;
/// otherwise nothing is consumed and the enclosing rule meets the `SP` (and fails as the
/// base grammar does). A parameter name may not repeat (RFC 4466 §2.1, §2.4, §2.5: "a
/// parameter/modifier MUST NOT be specified more than once"; RFC 7162 §7: "Only a single
/// UNCHANGEDSINCE").
pub(crate) fn parse_sp_params<'a, P: SlotParam<'a> + PartialEq>(
    i: &'a [u8],
    cx: &Ctx<'_>,
    slot: Slot,
) -> PResult<'a, Vec<P>> {
    // Real-world: a slot whose extensions are not in force is read as if they were
    // (`extension-not-in-force` at the `(`).
    if i.starts_with(b" (") && (slot.is_open(cx) || cx.assume_in_force(slot.users(), &i[1..])) {
        let (i, ()) = sp(i)?;
        let (i, params) =
            crate::parse::rule(slot.rule(), |i| paren_list(i, false, |i| P::parse(i, cx)))(i)?;
        let mut names: Vec<Vec<u8>> = Vec::with_capacity(params.len());
        for p in &params {
            let mut text = Vec::new();
            p.encode_param(&mut Encoder::server(&mut text));
            let end = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
            let name = text[..end].to_ascii_uppercase();
            if names.contains(&name) {
                return crate::error::fail_kind(
                    i,
                    slot.rule(),
                    crate::error::ErrorKind::InvalidValue,
                );
            }
            names.push(name);
        }
        return Ok((i, params));
    }
    Ok((i, Vec::new()))
}

/// One parameter's bytes (its name first).
#[cfg(feature = "arbitrary")]
pub(crate) fn encode_one<'a, P: SlotParam<'a>>(p: &P) -> Vec<u8> {
    let mut text = Vec::new();
    p.encode_param(&mut Encoder::server(&mut text));
    text
}

/// Writes `SP "(" param *(SP param) ")"`, or nothing for no parameters.
pub(crate) fn encode_sp_params<'a, P: SlotParam<'a>>(params: &[P], e: &mut Encoder<'_>) {
    if !params.is_empty() {
        e.sp().paren_list(params, |e, p| p.encode_param(e));
    }
}

#[cfg(test)]
mod tests {
    use super::SelectParam;
    use crate::command::{Command, CommandBody};
    use crate::context::{Extension, ParseOptions, Profile};
    use crate::encode::EncodeOptions;
    use crate::prelude::*;

    fn with(ext: Extension) -> ParseOptions {
        ParseOptions::default().with_extension(ext)
    }

    /// With no extension in force every slot is closed: the strict grammar is unchanged, in
    /// both profiles.
    #[test]
    fn closed_slots_reject_as_the_base_grammar() {
        for (line, at, rule) in [
            (&b"a SELECT INBOX (CONDSTORE)\r\n"[..], 14, "CRLF"),
            (b"a EXAMINE INBOX (CONDSTORE)\r\n", 15, "CRLF"),
            (b"a FETCH 1 FLAGS (CHANGEDSINCE 5)\r\n", 15, "CRLF"),
            (
                b"a STORE 1 (UNCHANGEDSINCE 5) FLAGS x\r\n",
                10,
                "store-att-flags",
            ),
        ] {
            for options in [ParseOptions::default(), with(Extension::Utf8Accept)] {
                let e = Command::parse_with(line, &options).unwrap_err();
                assert_eq!((e.offset, e.expected), (at, rule), "{line:?}");
            }
            let e = Command::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (at, rule));
        }
    }

    /// The real-world profile reads the syntax of an extension that is not in force (the
    /// server did not advertise it, or QRESYNC was not enabled) as if it were, and names it
    /// `extension-not-in-force` at the syntax's start; the value is the one the extension in
    /// force gives.
    #[test]
    fn real_world_reads_slots_of_extensions_not_in_force() {
        use crate::context::ImapDeviation;
        let rw = ParseOptions::default().with_profile(Profile::RealWorld);
        for (line, at, ext) in [
            ("a SELECT INBOX (CONDSTORE)\r\n", 15, Extension::CondStore),
            (
                "a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)\r\n",
                24,
                Extension::CondStore,
            ),
            (
                "a STORE 2 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)\r\n",
                10,
                Extension::CondStore,
            ),
            (
                "a EXAMINE INBOX (QRESYNC (796139322 1 1:20 (1,3,5 1,3,6)))\r\n",
                16,
                Extension::QResync,
            ),
            (
                "a CREATE \"INBOX.Important\" (USE (\\Important))\r\n",
                27,
                Extension::CreateSpecialUse,
            ),
        ] {
            let parsed = Command::parse_with(line.as_bytes(), &rw).unwrap();
            let ids: Vec<_> = parsed.deviations.iter().map(|d| (d.id, d.offset)).collect();
            assert_eq!(ids, [(ImapDeviation::ExtensionNotInForce, at)], "{line}");
            assert_eq!(line.as_bytes()[at], b'(', "{line}");
            let in_force = Command::parse_with(line.as_bytes(), &with(ext)).unwrap();
            assert_eq!(parsed.value, in_force.value, "{line}");
        }
        // QRESYNC's own syntax inside a slot CONDSTORE opened: named at its name.
        let line = b"a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n";
        let parsed = Command::parse_with(
            line,
            &with(Extension::CondStore).with_profile(Profile::RealWorld),
        )
        .unwrap();
        assert_eq!(parsed.deviations.len(), 1);
        assert_eq!(parsed.deviations[0].offset, 40);
        assert!(
            Command::parse_with(line, &with(Extension::CondStore)).is_err(),
            "strict without QRESYNC"
        );
        // An extension's FETCH item and search key (Gmail's X-GM-EXT-1, not advertised).
        for (line, at) in [
            (&b"a FETCH 1 (FLAGS X-GM-MSGID)\r\n"[..], 17),
            (b"a SEARCH X-GM-RAW \"has:attachment\"\r\n", 9),
        ] {
            assert!(Command::parse(line).is_err());
            let parsed = Command::parse_with(line, &rw).unwrap();
            assert_eq!(parsed.deviations.len(), 1, "{line:?}");
            assert_eq!(parsed.deviations[0].offset, at, "{line:?}");
            assert_eq!(parsed.deviations[0].id, ImapDeviation::ExtensionNotInForce);
        }
    }

    #[test]
    fn open_slots_take_generic_parameters() {
        for (line, ext) in [
            ("a SELECT INBOX (CONDSTORE)\r\n", Extension::CondStore),
            (
                "a EXAMINE INBOX (QRESYNC (67890007 20050715194045000 41,43:211))\r\n",
                Extension::QResync,
            ),
            (
                "a FETCH 1:* FLAGS (CHANGEDSINCE 12345)\r\n",
                Extension::CondStore,
            ),
            (
                "a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
                Extension::QResync,
            ),
            (
                "a STORE 7 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
                Extension::CondStore,
            ),
        ] {
            let options = with(ext);
            let parsed = Command::parse_with(line.as_bytes(), &options).unwrap();
            assert!(parsed.deviations.is_empty());
            let cmd = parsed.value;
            let mut out = Vec::new();
            let _ = cmd.encode(&mut out, &EncodeOptions::default());
            assert_eq!(String::from_utf8_lossy(&out), line);
            assert!(Command::parse(line.as_bytes()).is_err(), "{line}");
        }
        let cmd = Command::parse_with(
            b"a SELECT INBOX (CONDSTORE)\r\n",
            &with(Extension::CondStore),
        )
        .unwrap()
        .value;
        let CommandBody::Select { params, .. } = &cmd.body else {
            panic!("{cmd:?}")
        };
        assert_eq!(params[..], [SelectParam::CondStore]);
        let cmd = Command::parse_with(
            b"a SELECT INBOX (X-NEW 5 CONDSTORE)\r\n",
            &with(Extension::CondStore),
        )
        .unwrap()
        .value;
        let CommandBody::Select { params, .. } = &cmd.body else {
            panic!("{cmd:?}")
        };
        let SelectParam::Other(p) = &params[0] else {
            panic!("{params:?}")
        };
        assert_eq!(p.name().as_str(), "X-NEW");
        assert!(p.value().is_some());
        let e =
            Command::parse_with(b"a SELECT INBOX ()\r\n", &with(Extension::CondStore)).unwrap_err();
        assert_eq!((e.offset, e.expected), (16, "tagged-ext-label"));
    }
}
