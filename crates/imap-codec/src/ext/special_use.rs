//! CREATE-SPECIAL-USE: RFC 6154 §3 (the `USE` parameter of CREATE, the `USEATTR` code) and
//! RFC 8457 §3 (`\Important`); with RFC 4466 §2.2, the `create-params` slot.
//!
//! ```text
//! create         = "CREATE" SP mailbox [create-params]          ; RFC 4466 §2.2
//! create-params  = SP "(" create-param *( SP create-param) ")"
//! create-param   = create-param-name [SP create-param-value]
//! create-param   =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"  ; RFC 6154 §6
//! use-attr       = "\All" / "\Archive" / "\Drafts" / "\Flagged" /
//!                  "\Junk" / "\Sent" / "\Trash" / use-attr-ext
//! use-attr       =/ "\Important"                                ; RFC 8457 §3.1
//! use-attr-ext   = "\" atom
//! resp-text-code =/ "USEATTR"
//! ```
//!
//! RFC 9051 §9 keeps no `create-params`: the slot ([`Slot::CreateParams`]) is closed unless
//! [`Extension::CreateSpecialUse`] is in force (the server advertised CREATE-SPECIAL-USE,
//! RFC 6154 §3: "Clients MUST NOT use the USE parameter unless the server advertises the
//! capability"). The special-use attributes of LIST responses (RFC 6154 §2) and the
//! `SPECIAL-USE` LIST options are in the base grammar ([`crate::flag`],
//! [`crate::command::OptionExtension`]).
//!
//! [`Slot::CreateParams`]: crate::ext::slots::Slot::CreateParams
//! [`Extension::CreateSpecialUse`]: crate::Extension::CreateSpecialUse

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::context::Ctx;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::ext::slots::{ExtParam, Slot};
use crate::flag::MailboxAttribute;
use crate::parse::{paren_list, sp, starts_with_ci};

/// One `create-param` (RFC 4466 §2.2, RFC 6154 §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum CreateParam<'a> {
    /// `"USE" SP "(" [use-attr *(SP use-attr)] ")"`: the special uses of the new mailbox
    /// (`\Drafts`, `\Sent`, ..., `\Important`; any `"\" atom`).
    Use(Vec<MailboxAttribute<'a>>),
    /// Any other `create-param-name [SP create-param-value]`.
    Other(OtherCreateParam<'a>),
}

/// A `create-param` other than `USE`: `create-param-name [SP create-param-value]` (RFC 4466
/// §2.2), the generic form of [`ExtParam`].
///
/// ```
/// use mailproto_imap_codec::ext::TaggedExtLabel;
/// use mailproto_imap_codec::ext::slots::ExtParam;
/// use mailproto_imap_codec::ext::special_use::OtherCreateParam;
/// let p = |name| ExtParam::new(TaggedExtLabel::new(name).unwrap(), None);
/// assert!(OtherCreateParam::new(p("X-PARAM")).is_ok());
/// assert!(OtherCreateParam::new(p("use")).is_err(), "USE has its own form");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct OtherCreateParam<'a>(ExtParam<'a>);

impl<'a> OtherCreateParam<'a> {
    /// The parameter `param`; fails when it is named `USE` (any case), which is
    /// [`CreateParam::Use`].
    pub fn new(param: ExtParam<'a>) -> Result<Self, crate::ValidationError> {
        if param.name().as_str().eq_ignore_ascii_case("USE") {
            return Err(crate::ValidationError::new("create-param", Some(0)));
        }
        Ok(OtherCreateParam(param))
    }

    /// The parameter.
    pub fn param(&self) -> &ExtParam<'a> {
        &self.0
    }
}

impl<'a> CreateParam<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        if starts_with_ci(i, b"USE ") {
            let (r, ()) = sp(&i[3..])?;
            let (r, attrs) =
                crate::parse::rule("use-attr", |r| paren_list(r, true, MailboxAttribute::parse))(
                    r,
                )?;
            return Ok((r, CreateParam::Use(attrs)));
        }
        let (r, p) = ExtParam::parse(i)?;
        if p.name().as_str().eq_ignore_ascii_case("USE") {
            // `USE` without its list: the RFC 6154 form needs SP "(".
            return fail(r, "SP");
        }
        Ok((r, CreateParam::Other(OtherCreateParam(p))))
    }
}

impl Encode for CreateParam<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            CreateParam::Use(attrs) => {
                e.raw(b"USE ").paren_list(attrs, |e, a| a.encode(e));
            }
            CreateParam::Other(p) => p.0.encode(e),
        }
    }
}

/// `[create-params]` after CREATE's mailbox: parsed only when [`Slot::CreateParams`] is open
/// in `cx`; otherwise nothing is consumed and CREATE fails at the `SP` as RFC 9051 §9 does.
pub(crate) fn parse_sp_create_params<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
) -> PResult<'a, Vec<CreateParam<'a>>> {
    if i.starts_with(b" (")
        && (Slot::CreateParams.is_open(cx)
            || cx.assume_in_force(Slot::CreateParams.users(), &i[1..]))
    {
        let (i, ()) = sp(i)?;
        return crate::parse::rule("create-param", |i| paren_list(i, false, CreateParam::parse))(i);
    }
    Ok((i, Vec::new()))
}

/// Writes `SP "(" create-param *(SP create-param) ")"`, or nothing for no parameters.
pub(crate) fn encode_sp_create_params(params: &[CreateParam<'_>], e: &mut Encoder<'_>) {
    if !params.is_empty() {
        e.sp().paren_list(params, |e, p| p.encode(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, CommandBody};
    use crate::context::{Extension, ParseOptions};
    use crate::encode::EncodeOptions;
    use crate::response::{Code, Response};

    #[test]
    fn rfc_6154_and_8457_create() {
        let opts = ParseOptions::default().with_extension(Extension::CreateSpecialUse);
        for line in [
            "t2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n",
            "t3 CREATE Everything (USE (\\All))\r\n",
            "t1 CREATE \"Important Messages\" (USE (\\Important))\r\n",
            "t4 CREATE x (USE ())\r\n",
            "t5 CREATE x (X-PARAM 5 USE (\\Junk))\r\n",
        ] {
            let parsed = Command::parse_with(line.as_bytes(), &opts)
                .unwrap_or_else(|e| panic!("{line}: {e:?}"));
            let mut out = Vec::new();
            let _ = parsed.value.encode(&mut out, &EncodeOptions::default());
            assert_eq!(String::from_utf8_lossy(&out), line);
            let CommandBody::Create { params, .. } = &parsed.value.body else {
                panic!()
            };
            assert!(!params.is_empty());
        }
        let parsed = Command::parse_with(b"a CREATE x (USE (\\Drafts \\Sent))\r\n", &opts).unwrap();
        let CommandBody::Create { params, .. } = parsed.value.body else {
            panic!()
        };
        assert_eq!(
            params,
            [CreateParam::Use(vec![
                MailboxAttribute::Drafts,
                MailboxAttribute::Sent
            ])]
        );
        // Closed slot: the strict grammar of RFC 9051 §9.
        let e = Command::parse(b"a CREATE x (USE (\\Drafts))\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (10, "CRLF"));
        for (bad, offset, expected) in [
            (&b"a CREATE x (USE \\Drafts)\r\n"[..], 16, "\"(\""),
            (b"a CREATE x (USE (Drafts))\r\n", 17, "mbx-list-flag"),
            (b"a CREATE x ()\r\n", 12, "tagged-ext-label"),
            (b"a CREATE x (USE)\r\n", 15, "SP"),
            (b"a CREATE x (use 5)\r\n", 16, "\"(\""),
        ] {
            let e = Command::parse_with(bad, &opts).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
        // §5.3: the USEATTR code.
        let Response::Status(s) =
            Response::parse(b"t3 NO [USEATTR] \\All not supported\r\n").unwrap()
        else {
            panic!()
        };
        assert_eq!(s.code(), Some(&Code::UseAttr));
    }
}
