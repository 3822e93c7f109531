//! NAMESPACE response data: RFC 2342 and RFC 9051 §7.3.5 (`namespace-response`, §9).
//!
//! The extension's shape (see docs/architecture.md, "How to add an extension"): the command is a
//! row of the command table (`NAMESPACE`, no arguments), the response is this module plus one row
//! of the data table (`response/data.rs`).

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::core::IString;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::parse::{byte, rparen, sp};
use crate::response::{Delimiter, StringList};

/// `namespace-response-extension = SP string SP "(" string *(SP string) ")"` (RFC 9051 §9,
/// RFC 2342).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NamespaceExtension<'a> {
    /// The extension's name.
    pub name: IString<'a>,
    /// Its values.
    pub values: StringList<'a>,
}

/// `namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
/// [namespace-response-extensions] ")"` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NamespaceDescr<'a> {
    /// The prefix, e.g. `"#shared/"`.
    pub prefix: IString<'a>,
    /// The hierarchy delimiter, `None` for NIL.
    pub delimiter: Option<Delimiter>,
    /// `namespace-response-extensions`
    pub extensions: Vec<NamespaceExtension<'a>>,
}

/// `namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace` (RFC 9051
/// §7.3.5, RFC 2342). Each namespace is `nil / "(" 1*namespace-descr ")"`; an empty list
/// stands for NIL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NamespaceData<'a> {
    /// Personal namespaces.
    pub personal: Vec<NamespaceDescr<'a>>,
    /// Other users' namespaces.
    pub other: Vec<NamespaceDescr<'a>>,
    /// Shared namespaces.
    pub shared: Vec<NamespaceDescr<'a>>,
}

fn namespace(i: &[u8]) -> PResult<'_, Vec<NamespaceDescr<'_>>> {
    match i.first() {
        Some(b'(') => {
            let mut i = &i[1..];
            let mut out = Vec::new();
            loop {
                let (r, ()) = byte(i, b'(', "namespace-descr")?;
                let (r, prefix) = crate::response::string(r, "string")?;
                let (r, ()) = sp(r)?;
                let (mut r, delimiter) = Delimiter::parse_or_nil(r)?;
                let mut extensions = Vec::new();
                while r.first() == Some(&b' ') {
                    let (q, name) = crate::response::string(&r[1..], "string")?;
                    let (q, ()) = sp(q)?;
                    let (q, values) = StringList::parse_paren(q)?;
                    extensions.push(NamespaceExtension { name, values });
                    r = q;
                }
                let (r, ()) = rparen(r)?;
                out.push(NamespaceDescr {
                    prefix,
                    delimiter,
                    extensions,
                });
                match r.first() {
                    Some(b')') => return Ok((&r[1..], out)),
                    Some(b'(') => i = r,
                    _ => return fail(r, "\")\""),
                }
            }
        }
        Some(b'N' | b'n') => match crate::core::nil(i) {
            Ok((r, ())) => Ok((r, Vec::new())),
            Err(_) => fail(i, "namespace"),
        },
        _ => fail(i, "namespace"),
    }
}

fn encode_namespace(list: &[NamespaceDescr<'_>], e: &mut Encoder<'_>) {
    if list.is_empty() {
        e.raw(b"NIL");
        return;
    }
    e.byte(b'(');
    for d in list {
        e.byte(b'(');
        d.prefix.encode(e);
        e.sp();
        Delimiter::encode_or_nil(d.delimiter, e);
        for x in &d.extensions {
            e.sp();
            x.name.encode(e);
            e.sp();
            x.values.encode(e);
        }
        e.byte(b')');
    }
    e.byte(b')');
}

impl<'a> NamespaceData<'a> {
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        crate::parse::rule("namespace-response", Self::parse_namespaces)(i)
    }

    fn parse_namespaces(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, personal) = namespace(i)?;
        let (i, ()) = sp(i)?;
        let (i, other) = namespace(i)?;
        let (i, ()) = sp(i)?;
        let (i, shared) = namespace(i)?;
        Ok((
            i,
            NamespaceData {
                personal,
                other,
                shared,
            },
        ))
    }
}

impl Encode for NamespaceData<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        encode_namespace(&self.personal, e);
        e.sp();
        encode_namespace(&self.other, e);
        e.sp();
        encode_namespace(&self.shared, e);
    }
}
