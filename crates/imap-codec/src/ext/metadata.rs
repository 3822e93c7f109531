//! METADATA and METADATA-SERVER: RFC 5464 (§4.2 GETMETADATA, §4.3 SETMETADATA, §4.4 the
//! METADATA response, §4.2.1–§4.3 the response codes, §5 the grammar).
//!
//! ```text
//! getmetadata   = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
//! getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
//! getmetadata-option  = tagged-ext-label [SP tagged-ext-val]
//! maxsize-opt   = "MAXSIZE" SP number
//! scope-opt     = "DEPTH" SP ("0" / "1" / "infinity")
//! setmetadata   = "SETMETADATA" SP mailbox SP entry-values
//! entries       = entry / "(" entry *(SP entry) ")"
//! entry         = astring      ; MUST NOT contain "*" or "%"
//! entry-value   = entry SP value
//! entry-values  = "(" entry-value *(SP entry-value) ")"
//! entry-list    = entry *(SP entry)
//! value         = nstring / literal8
//! metadata-resp = "METADATA" SP mailbox SP (entry-values / entry-list)
//! resp-text-code =/ "METADATA" SP "LONGENTRIES" SP number
//! resp-text-code =/ "METADATA" SP ("MAXSIZE" SP number / "TOOMANY" / "NOPRIVATE")
//! ```
//!
//! `DEPTH infinity` is not a `tagged-ext-val`: `MAXSIZE` and `DEPTH` have their own forms
//! ([`GetMetadataOption`]), any other label the generic one. The empty mailbox name stands for
//! the server (METADATA-SERVER). The commands are rows of the command table (authenticated
//! state), the response a row of the data table, the codes a row of the code table.

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::command::CommandBody;
use crate::context::Ctx;
use crate::core::{AString, Literal8, NString};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::ext::{NonEmpty, TaggedExtLabel, TaggedExtVal};
use crate::mailbox::Mailbox;
use crate::parse::{is_atom_char, number, paren_list, sp, take_while};

/// `entry = astring` without `*` or `%` (RFC 5464 §5): a slash-separated path such as
/// `/shared/comment`.
///
/// ```
/// use mailproto_imap_codec::ext::metadata::MetadataEntry;
/// assert!(MetadataEntry::new("/private/comment").is_ok());
/// assert!(MetadataEntry::new("/shared/*").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct MetadataEntry<'a>(AString<'a>);

impl<'a> MetadataEntry<'a> {
    /// The entry `name` (its shortest astring form).
    pub fn new(name: impl crate::core::IntoBytes<'a>) -> Result<Self, ValidationError> {
        Self::from_astring(AString::new(name)?)
    }

    /// The entry sent as `name`; fails when it contains `*` or `%`.
    pub fn from_astring(name: AString<'a>) -> Result<Self, ValidationError> {
        if let Some(p) = name.as_bytes().iter().position(|&b| b == b'*' || b == b'%') {
            return Err(ValidationError::new("entry", Some(p)));
        }
        Ok(MetadataEntry(name))
    }

    /// The entry's name.
    pub fn as_astring(&self) -> &AString<'a> {
        &self.0
    }

    fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, name) = AString::parse::<CMD>(i).map_err(|e| {
            e.map(|mut e| {
                if e.input.len() == i.len() {
                    e.expected = "entry";
                }
                e
            })
        })?;
        if name.as_bytes().iter().any(|&b| b == b'*' || b == b'%') {
            return fail_kind(i, "entry", ErrorKind::InvalidValue);
        }
        Ok((r, MetadataEntry(name)))
    }
}

impl Encode for MetadataEntry<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.0.encode(e);
    }
}

/// `value = nstring / literal8` (RFC 5464 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataValue<'a> {
    /// A string, or NIL (in SETMETADATA: remove the entry).
    NString(NString<'a>),
    /// `literal8`: binary data.
    Literal8(Literal8<'a>),
}

impl<'a> MetadataValue<'a> {
    fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() == Some(&b'~') {
            return Literal8::parse::<CMD>(i).map(|(r, l)| (r, MetadataValue::Literal8(l)));
        }
        NString::parse_as::<CMD>(i, "value").map(|(r, s)| (r, MetadataValue::NString(s)))
    }
}

impl Encode for MetadataValue<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            MetadataValue::NString(s) => s.encode(e),
            MetadataValue::Literal8(l) => l.encode(e),
        }
    }
}

/// `entry-value = entry SP value` (RFC 5464 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EntryValue<'a> {
    /// The entry.
    pub entry: MetadataEntry<'a>,
    /// Its value.
    pub value: MetadataValue<'a>,
}

/// `entries = entry / "(" entry *(SP entry) ")"` (RFC 5464 §5), in the form sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataEntries<'a> {
    /// One entry, without parentheses.
    Single(MetadataEntry<'a>),
    /// A parenthesised list.
    List(NonEmpty<MetadataEntry<'a>>),
}

/// `scope-opt = "DEPTH" SP ("0" / "1" / "infinity")` (RFC 5464 §4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataDepth {
    /// `0`: the entry only.
    Zero,
    /// `1`: the entry and its immediate children.
    One,
    /// `infinity`: all descendants.
    Infinity,
}

/// `getmetadata-option` (RFC 5464 §4.2, §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum GetMetadataOption<'a> {
    /// `maxsize-opt = "MAXSIZE" SP number` (§4.2.1).
    MaxSize(u32),
    /// `scope-opt` (§4.2.2).
    Depth(MetadataDepth),
    /// Any other `tagged-ext-label [SP tagged-ext-val]`.
    Other(OtherMetadataOption<'a>),
}

/// A `getmetadata-option` other than MAXSIZE and DEPTH.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OtherMetadataOption<'a> {
    label: TaggedExtLabel<'a>,
    value: Option<TaggedExtVal<'a>>,
}

impl<'a> OtherMetadataOption<'a> {
    /// The option `label [SP value]`; `label` must not be MAXSIZE or DEPTH.
    pub fn new(
        label: TaggedExtLabel<'a>,
        value: Option<TaggedExtVal<'a>>,
    ) -> Result<Self, ValidationError> {
        if is_reserved_option(label.as_str().as_bytes()) {
            return Err(ValidationError::new("getmetadata-option", None));
        }
        Ok(OtherMetadataOption { label, value })
    }

    /// The label.
    pub fn label(&self) -> &TaggedExtLabel<'a> {
        &self.label
    }

    /// The value, if any.
    pub fn value(&self) -> Option<&TaggedExtVal<'a>> {
        self.value.as_ref()
    }
}

fn is_reserved_option(label: &[u8]) -> bool {
    label.eq_ignore_ascii_case(b"MAXSIZE") || label.eq_ignore_ascii_case(b"DEPTH")
}

impl<'a> GetMetadataOption<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, label) = TaggedExtLabel::parse(i)?;
        let name = label.as_str().as_bytes();
        if name.eq_ignore_ascii_case(b"MAXSIZE") {
            let (r, ()) = sp(r)?;
            let (r, n) = number(r)?;
            return Ok((r, GetMetadataOption::MaxSize(n)));
        }
        if name.eq_ignore_ascii_case(b"DEPTH") {
            let (r, ()) = sp(r)?;
            let (rest, word) = take_while(r, is_atom_char);
            let depth = if word == b"0" {
                MetadataDepth::Zero
            } else if word == b"1" {
                MetadataDepth::One
            } else if word.eq_ignore_ascii_case(b"infinity") {
                MetadataDepth::Infinity
            } else {
                return fail(r, "scope-opt");
            };
            return Ok((rest, GetMetadataOption::Depth(depth)));
        }
        if r.first() == Some(&b' ') && !matches!(r.get(1), Some(b'(' | b'0'..=b'9' | b'*' | b'$')) {
            // The next option: no value.
            return Ok((
                r,
                GetMetadataOption::Other(OtherMetadataOption { label, value: None }),
            ));
        }
        if r.first() == Some(&b' ') {
            let (r, v) = TaggedExtVal::parse::<true>(&r[1..])?;
            return Ok((
                r,
                GetMetadataOption::Other(OtherMetadataOption {
                    label,
                    value: Some(v),
                }),
            ));
        }
        Ok((
            r,
            GetMetadataOption::Other(OtherMetadataOption { label, value: None }),
        ))
    }
}

impl Encode for GetMetadataOption<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            GetMetadataOption::MaxSize(n) => {
                e.raw(b"MAXSIZE ").number(u64::from(*n));
            }
            GetMetadataOption::Depth(d) => {
                e.raw(match d {
                    MetadataDepth::Zero => b"DEPTH 0",
                    MetadataDepth::One => b"DEPTH 1",
                    MetadataDepth::Infinity => b"DEPTH infinity",
                });
            }
            GetMetadataOption::Other(o) => {
                o.label.encode(e);
                if let Some(v) = &o.value {
                    e.sp();
                    v.encode(e);
                }
            }
        }
    }
}

/// The data of a METADATA response (RFC 5464 §4.4): `entry-values` (§4.4.1, values asked
/// for) or `entry-list` (§4.4.2, unsolicited: entries that changed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataItems<'a> {
    /// `entry-values`
    Values(NonEmpty<EntryValue<'a>>),
    /// `entry-list`
    Entries(NonEmpty<MetadataEntry<'a>>),
}

/// `metadata-resp = "METADATA" SP mailbox SP (entry-values / entry-list)` (RFC 5464 §4.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MetadataData<'a> {
    /// The mailbox; empty for the server's entries.
    pub mailbox: Mailbox<'a>,
    /// The entries.
    pub items: MetadataItems<'a>,
}

/// The `METADATA` response code (RFC 5464 §4.2.1, §4.3, §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataCode {
    /// `LONGENTRIES number`: the size of the largest value MAXSIZE left out.
    LongEntries(u32),
    /// `MAXSIZE number`: the largest value the server accepts.
    MaxSize(u32),
    /// `TOOMANY`: too many entries on the mailbox.
    TooMany,
    /// `NOPRIVATE`: private entries are not supported.
    NoPrivate,
}

impl MetadataCode {
    /// The code's parser: `SP (...)` after `METADATA`.
    pub(crate) fn parse<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let (r, word) = take_while(i, |b| b.is_ascii_alphabetic());
        let with_number = |make: fn(u32) -> MetadataCode| {
            let (r, ()) = sp(r)?;
            let (r, n) = number(r)?;
            Ok((r, make(n)))
        };
        if word.eq_ignore_ascii_case(b"LONGENTRIES") {
            with_number(MetadataCode::LongEntries)
        } else if word.eq_ignore_ascii_case(b"MAXSIZE") {
            with_number(MetadataCode::MaxSize)
        } else if word.eq_ignore_ascii_case(b"TOOMANY") {
            Ok((r, MetadataCode::TooMany))
        } else if word.eq_ignore_ascii_case(b"NOPRIVATE") {
            Ok((r, MetadataCode::NoPrivate))
        } else {
            fail(i, "resp-text-code")
        }
    }

    /// The code's encoder: what follows `METADATA`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        match *self {
            MetadataCode::LongEntries(n) => {
                e.raw(b" LONGENTRIES ").number(u64::from(n));
            }
            MetadataCode::MaxSize(n) => {
                e.raw(b" MAXSIZE ").number(u64::from(n));
            }
            MetadataCode::TooMany => {
                e.raw(b" TOOMANY");
            }
            MetadataCode::NoPrivate => {
                e.raw(b" NOPRIVATE");
            }
        }
    }
}

/// `entry-values = "(" entry-value *(SP entry-value) ")"`
fn entry_values<const CMD: bool>(i: &[u8]) -> PResult<'_, NonEmpty<EntryValue<'_>>> {
    let (i, list) = crate::parse::rule("entry-values", |i| {
        paren_list(i, false, |i| {
            let (i, entry) = MetadataEntry::parse::<CMD>(i)?;
            let (i, ()) = sp(i)?;
            let (i, value) = MetadataValue::parse::<CMD>(i)?;
            Ok((i, EntryValue { entry, value }))
        })
    })(i)?;
    Ok((i, NonEmpty::from_parsed(list)))
}

fn encode_entry_values(values: &[EntryValue<'_>], e: &mut Encoder<'_>) {
    e.paren_list(values, |e, v| {
        v.entry.encode(e);
        e.sp();
        v.value.encode(e);
    });
}

// ---- commands ----

/// `getmetadata`: the row's parser (after `GETMETADATA`).
///
/// Under the real-world profile the options may also follow the mailbox, as RFC 5464's own
/// examples (§4.2.1, §4.2.2) write them: `GETMETADATA "INBOX" (MAXSIZE 1024) (/a /b)`. Strictly,
/// `(MAXSIZE 1024)` there is the entries list and the second list is an error; the real-world
/// reading takes the first list as the options when a parenthesised entries list follows it,
/// and reports [`ImapDeviation::MetadataOptionsAfterMailbox`].
///
/// [`ImapDeviation::MetadataOptionsAfterMailbox`]: crate::ImapDeviation::MetadataOptionsAfterMailbox
pub(crate) fn parse_getmetadata<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, options) = if i.first() == Some(&b'(') {
        let (i, opts) = crate::parse::rule("getmetadata-options", |i| {
            paren_list(i, false, GetMetadataOption::parse)
        })(i)?;
        let (i, ()) = sp(i)?;
        (i, opts)
    } else {
        (i, Vec::new())
    };
    let (i, mailbox) = Mailbox::parse::<true>(i)?;
    let (i, ()) = sp(i)?;
    if options.is_empty()
        && cx.real_world()
        && i.first() == Some(&b'(')
        && let Ok((r, late)) = paren_list(i, false, GetMetadataOption::parse)
        && r.starts_with(b" (")
        && let Ok((r, list)) = paren_list(&r[1..], false, MetadataEntry::parse::<true>)
    {
        cx.deviate(
            crate::context::ImapDeviation::MetadataOptionsAfterMailbox,
            i,
        );
        return Ok((
            r,
            CommandBody::GetMetadata {
                options: late,
                mailbox,
                entries: MetadataEntries::List(NonEmpty::from_parsed(list)),
            },
        ));
    }
    let (i, entries) = if i.first() == Some(&b'(') {
        let (i, list) = paren_list(i, false, MetadataEntry::parse::<true>)?;
        (i, MetadataEntries::List(NonEmpty::from_parsed(list)))
    } else {
        let (i, e) = MetadataEntry::parse::<true>(i)?;
        (i, MetadataEntries::Single(e))
    };
    Ok((
        i,
        CommandBody::GetMetadata {
            options,
            mailbox,
            entries,
        },
    ))
}

/// The GETMETADATA row's encoder; no options are written when the list is empty.
pub(crate) fn encode_getmetadata(
    options: &[GetMetadataOption<'_>],
    mailbox: &Mailbox<'_>,
    entries: &MetadataEntries<'_>,
    e: &mut Encoder<'_>,
) {
    if !options.is_empty() {
        e.sp().paren_list(options, |e, o| o.encode(e));
    }
    e.sp();
    mailbox.encode(e);
    e.sp();
    match entries {
        MetadataEntries::Single(x) => x.encode(e),
        MetadataEntries::List(l) => {
            e.paren_list(l, |e, x| x.encode(e));
        }
    }
}

/// `setmetadata = "SETMETADATA" SP mailbox SP entry-values`: the row's parser.
pub(crate) fn parse_setmetadata<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
    _: bool,
) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = crate::command::sp_mailbox(i)?;
    let (i, ()) = sp(i)?;
    let (i, values) = entry_values::<true>(i)?;
    Ok((i, CommandBody::SetMetadata { mailbox, values }))
}

/// The SETMETADATA row's encoder.
pub(crate) fn encode_setmetadata(
    mailbox: &Mailbox<'_>,
    values: &NonEmpty<EntryValue<'_>>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    mailbox.encode(e);
    e.sp();
    encode_entry_values(values, e);
}

// ---- the response ----

impl<'a> MetadataData<'a> {
    /// The data row's parser: `SP mailbox SP (entry-values / entry-list)` after `METADATA`.
    pub(crate) fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let (i, mailbox) = Mailbox::parse::<false>(i)?;
        let (i, ()) = sp(i)?;
        if i.first() == Some(&b'(') {
            let (i, values) = entry_values::<false>(i)?;
            return Ok((
                i,
                MetadataData {
                    mailbox,
                    items: MetadataItems::Values(values),
                },
            ));
        }
        let (mut i, first) = MetadataEntry::parse::<false>(i)?;
        let mut list = vec![first];
        while i.first() == Some(&b' ') {
            let (r, e) = MetadataEntry::parse::<false>(&i[1..])?;
            list.push(e);
            i = r;
        }
        Ok((
            i,
            MetadataData {
                mailbox,
                items: MetadataItems::Entries(NonEmpty::from_parsed(list)),
            },
        ))
    }

    /// The data row's encoder: what follows `METADATA`.
    pub(crate) fn encode_after_name(&self, e: &mut Encoder<'_>) {
        e.sp();
        self.mailbox.encode(e);
        e.sp();
        match &self.items {
            MetadataItems::Values(v) => encode_entry_values(v, e),
            MetadataItems::Entries(l) => {
                e.sp_list(l, |e, x| x.encode(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Code, Data, Response, Status};
    use crate::{Command, EncodeOptions};

    fn command(line: &str) -> CommandBody<'static> {
        let cmd = Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(String::from_utf8_lossy(&out), line);
        cmd.body.into_static()
    }

    fn response(line: &str) -> Response<'static> {
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), line);
        r.into_static()
    }

    #[test]
    fn rfc_5464_commands() {
        // §4.2.1–§4.2.3, §4.3.
        command("C: GETMETADATA \"\" /shared/comment\r\n");
        command("a GETMETADATA INBOX (/shared/comment /private/comment)\r\n");
        let CommandBody::GetMetadata { options, .. } =
            command("a GETMETADATA (MAXSIZE 1024) INBOX /private/comment\r\n")
        else {
            panic!()
        };
        assert_eq!(options, [GetMetadataOption::MaxSize(1024)]);
        command("a GETMETADATA (DEPTH 1) INBOX (/private/filters/values)\r\n");
        command("a GETMETADATA (DEPTH infinity MAXSIZE 1 X-OPT X-VAL (a b)) INBOX /shared\r\n");
        command(
            "a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)\r\n",
        );
        command("a SETMETADATA INBOX (/private/comment NIL)\r\n");
        command("a SETMETADATA \"\" (/shared/comment \"x\" /shared/admin ~{3}\r\nabc)\r\n");
    }

    #[test]
    fn rfc_5464_responses() {
        let Response::Data(Data::Metadata(m)) =
            response("* METADATA \"\" (/shared/comment \"Shared comment\")\r\n")
        else {
            panic!()
        };
        assert_eq!(m.mailbox.as_bytes(), b"");
        response("* METADATA INBOX (/shared/comment \"My comment\" /private/comment NIL)\r\n");
        let Response::Data(Data::Metadata(m)) =
            response("* METADATA INBOX /shared/comment /private/comment\r\n")
        else {
            panic!()
        };
        assert!(matches!(m.items, MetadataItems::Entries(ref l) if l.len() == 2));
        response("* METADATA INBOX (/private/x ~{2}\r\n\x00\x01)\r\n");
        let Response::Status(s) =
            response("a OK [METADATA LONGENTRIES 2199] GETMETADATA complete\r\n")
        else {
            panic!()
        };
        assert_eq!(
            s.code(),
            Some(&Code::Metadata(MetadataCode::LongEntries(2199)))
        );
        for code in ["MAXSIZE 1024", "TOOMANY", "NOPRIVATE"] {
            let line = format!("a NO [METADATA {code}] x\r\n");
            let r = response(&line);
            assert!(matches!(
                r,
                Response::Status(ref s) if matches!(Status::code(s), Some(Code::Metadata(_)))
            ));
        }
    }

    #[test]
    fn options_after_the_mailbox_real_world() {
        use crate::ParseOptions;
        use crate::context::{DeviationId, Profile};
        let rw = ParseOptions::default().with_profile(Profile::RealWorld);
        // RFC 5464 §4.2.1's example as written.
        let line = b"a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)\r\n";
        let e = Command::parse(line).unwrap_err();
        assert_eq!((e.offset, e.expected), (36, "CRLF"));
        let parsed = Command::parse_with(line, &rw).unwrap();
        let fixed = Command::parse(
            b"a GETMETADATA (MAXSIZE 1024) \"INBOX\" (/shared/comment /private/comment)\r\n",
        )
        .unwrap();
        assert_eq!(parsed.value, fixed);
        assert_eq!(parsed.deviations.len(), 1);
        assert_eq!(
            parsed.deviations[0].id.id(),
            "metadata-options-after-mailbox"
        );
        assert_eq!(parsed.deviations[0].offset, 22);
        // §4.2.2's.
        let parsed = Command::parse_with(
            b"a GETMETADATA \"INBOX\" (DEPTH 1) (/private/filters/values)\r\n",
            &rw,
        )
        .unwrap();
        assert_eq!(parsed.deviations.len(), 1);
        // A list of entries alone is the strict reading, with no deviation.
        let parsed = Command::parse_with(b"a GETMETADATA INBOX (MAXSIZE 1024)\r\n", &rw).unwrap();
        assert!(parsed.deviations.is_empty());
        let CommandBody::GetMetadata { options, .. } = parsed.value.body else {
            panic!()
        };
        assert!(options.is_empty());
    }

    #[test]
    fn bad_input() {
        for (bad, offset, expected) in [
            (&b"a GETMETADATA INBOX\r\n"[..], 19, "SP"),
            (b"a GETMETADATA INBOX \"/shared/*\"\r\n", 20, "entry"),
            (b"a GETMETADATA INBOX /shared/*\r\n", 28, "CRLF"),
            (b"a GETMETADATA INBOX ()\r\n", 21, "entry"),
            (b"a GETMETADATA (DEPTH 2) INBOX /a\r\n", 21, "scope-opt"),
            (b"a GETMETADATA (MAXSIZE) INBOX /a\r\n", 22, "SP"),
            (b"a SETMETADATA INBOX /a \"b\"\r\n", 20, "\"(\""),
            (b"a SETMETADATA INBOX ()\r\n", 21, "entry"),
            (b"a SETMETADATA INBOX (/a)\r\n", 23, "SP"),
            (b"a SETMETADATA INBOX (/a b)\r\n", 24, "value"),
        ] {
            let e = Command::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
        for (bad, offset, expected) in [
            (&b"* METADATA INBOX\r\n"[..], 16, "SP"),
            (b"* METADATA INBOX ()\r\n", 18, "entry"),
        ] {
            let e = Response::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
        // A malformed code is not a code: the bracket is then part of the text (RFC 9051 §9
        // `resp-text`).
        for bad in [
            &b"a OK [METADATA LONG 1] x\r\n"[..],
            b"a OK [METADATA MAXSIZE] x\r\n",
        ] {
            let Ok(Response::Status(s)) = Response::parse(bad) else {
                panic!("{bad:?}")
            };
            assert_eq!(s.code(), None, "{bad:?}");
        }
        assert!(OtherMetadataOption::new(TaggedExtLabel::new("depth").unwrap(), None).is_err());
    }
}
