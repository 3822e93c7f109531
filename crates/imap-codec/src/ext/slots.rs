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
//! Every slot holds the generic form, [`ExtParam`] (`tagged-ext-label [SP tagged-ext-val]`).
//! A slot is **closed** unless the [`crate::context::ParseOptions`] put in force an extension
//! that uses it ([`Slot::users`]): in the strict profile with nothing in force the grammar is
//! exactly RFC 3501 §9 ∪ RFC 9051 §9, and `SELECT INBOX (CONDSTORE)` is rejected at the `SP`
//! before `(`. An extension module (`ext/<name>.rs`) that adds a parameter lists its
//! [`crate::Extension`] in [`Slot::users`] and may give the parameter a typed form; the
//! generic one stays for parameters nobody typed.

use crate::context::{Ctx, Extension};
use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
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
            // RFC 7162 §3.1.4 (CHANGEDSINCE), §3.2.6 (VANISHED).
            Slot::FetchModifiers => &[Extension::CondStore, Extension::QResync],
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

/// `select-param` (RFC 4466 §2.1).
pub type SelectParam<'a> = ExtParam<'a>;
/// `fetch-modifier` (RFC 4466 §2.4).
pub type FetchModifier<'a> = ExtParam<'a>;
/// `store-modifier` (RFC 4466 §2.5).
pub type StoreModifier<'a> = ExtParam<'a>;

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
/// base grammar does).
pub(crate) fn parse_sp_params<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
    slot: Slot,
) -> PResult<'a, Vec<ExtParam<'a>>> {
    if i.starts_with(b" (") && slot.is_open(cx) {
        let (i, ()) = sp(i)?;
        let (i, params) =
            crate::parse::rule(slot.rule(), |i| paren_list(i, false, ExtParam::parse))(i)?;
        return Ok((i, params));
    }
    Ok((i, Vec::new()))
}

/// Writes `SP "(" param *(SP param) ")"`, or nothing for no parameters.
pub(crate) fn encode_sp_params(params: &[ExtParam<'_>], e: &mut Encoder<'_>) {
    if !params.is_empty() {
        e.sp().paren_list(params, |e, p| p.encode(e));
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, CommandBody};
    use crate::context::{Extension, ParseOptions, Profile};
    use crate::encode::EncodeOptions;

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
            for options in [
                ParseOptions::default(),
                ParseOptions::default().with_profile(Profile::RealWorld),
                with(Extension::Utf8Accept),
            ] {
                let e = Command::parse_with(line, &options).unwrap_err();
                assert_eq!((e.offset, e.expected), (at, rule), "{line:?}");
            }
            let e = Command::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (at, rule));
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
        assert_eq!(params[0].name().as_str(), "CONDSTORE");
        assert!(params[0].value().is_none());
        let e =
            Command::parse_with(b"a SELECT INBOX ()\r\n", &with(Extension::CondStore)).unwrap_err();
        assert_eq!((e.offset, e.expected), (16, "tagged-ext-label"));
    }
}
