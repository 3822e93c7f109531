//! Gmail's X-GM-EXT-1 (Google's developer documentation "IMAP Extensions",
//! developers.google.com/gmail/imap/imap-extensions; not an RFC, so there is no ABNF: the forms
//! below are written from that page's prose and examples).
//!
//! ```text
//! ; FETCH data items (in msg-att), when X-GM-EXT-1 is in force:
//! gm-msgid  = "X-GM-MSGID" SP gm-id        ; the message's unique id
//! gm-thrid  = "X-GM-THRID" SP gm-id        ; its thread's id
//! gm-labels = "X-GM-LABELS" SP gm-label-list
//! gm-id     = 1*DIGIT                      ; an unsigned 64-bit number
//! gm-label-list = "(" [gm-label *(SP gm-label)] ")"
//! gm-label  = flag / astring               ; `\Inbox`, `\Important`, `\Sent`, ...; user labels
//! ; FETCH items asked for: "X-GM-MSGID" / "X-GM-THRID" / "X-GM-LABELS"
//! ; STORE: ["+" / "-"] "X-GM-LABELS" [".SILENT"] SP gm-label-list (or one gm-label)
//! ; SEARCH keys: "X-GM-RAW" SP astring / "X-GM-MSGID" SP gm-id / "X-GM-THRID" SP gm-id /
//! ;              "X-GM-LABELS" SP gm-label
//! ```
//!
//! A system label is a `"\" atom` and is kept as a [`Flag`] (`\Draft` is [`Flag::Draft`],
//! `\Inbox` a flag extension); any other label is an `astring` (a quoted string when it has
//! spaces or non-ASCII octets in modified UTF-7). The documentation gives `NIL` no meaning of
//! its own, so a bare `NIL` label reads as the atom `NIL`.
//!
//! **Seam, not yet rows.** X-GM-EXT-1 is a server capability, so the strict grammar may
//! accept these forms only when it is in force (an `Extension` of the parse context). The
//! parsers and encoders are here, tested: [`GmailAttribute`] (FETCH data), [`GmailFetchAtt`]
//! (FETCH items), [`GmailStore`] (STORE), [`GmailSearchKey`] (SEARCH). They are not rows of
//! the FETCH, STORE and SEARCH tables yet because (1) the command-side parsers of those tables
//! get no parse context (`FetchAtt::parse`, the store and search key parsers), and (2) the
//! round-trip property tests and fuzz targets parse strictly and require every table row to
//! be generated, so an extension-gated row needs them to parse with the row's extension in
//! force. CONDSTORE's MODSEQ rows need the same two changes; once they exist, each type here
//! becomes one row.

use crate::prelude::*;

use mailproto_core::IntoStatic;

use crate::core::AString;
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, fail, fail_kind};
use crate::flag::Flag;
use crate::parse::{paren_list, sp, starts_with_ci, take_while};

/// A Gmail label: a system label (`"\" atom`, e.g. `\Inbox`, `\Important`) or a user label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GmailLabel<'a> {
    /// `\Inbox`, `\Sent`, `\Important`, `\Starred`, `\Draft`, ...
    System(Flag<'a>),
    /// A user label, as sent (`astring`).
    Name(AString<'a>),
}

impl<'a> GmailLabel<'a> {
    /// `gm-label = flag / astring`; string literals may be `{n+}` only where `CMD`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() == Some(&b'\\') {
            return Flag::parse(i).map(|(r, f)| (r, GmailLabel::System(f)));
        }
        AString::parse::<CMD>(i)
            .map(|(r, a)| (r, GmailLabel::Name(a)))
            .map_err(|e| {
                e.map(|mut e| {
                    if e.input.len() == i.len() {
                        e.expected = "gm-label";
                    }
                    e
                })
            })
    }
}

impl Encode for GmailLabel<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            GmailLabel::System(f) => f.encode(e),
            GmailLabel::Name(a) => a.encode(e),
        }
    }
}

/// `gm-label-list = "(" [gm-label *(SP gm-label)] ")"`
pub(crate) fn parse_label_list<const CMD: bool>(i: &[u8]) -> PResult<'_, Vec<GmailLabel<'_>>> {
    paren_list(i, true, GmailLabel::parse::<CMD>)
}

fn encode_label_list(labels: &[GmailLabel<'_>], e: &mut Encoder<'_>) {
    e.paren_list(labels, |e, l| l.encode(e));
}

/// `gm-id = 1*DIGIT`: an unsigned 64-bit number (up to 18446744073709551615).
pub(crate) fn parse_id(i: &[u8]) -> PResult<'_, u64> {
    let (rest, run) = take_while(i, |b| b.is_ascii_digit());
    if run.is_empty() {
        return fail(i, "gm-id");
    }
    let mut v: u64 = 0;
    for &d in run {
        v = match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) => v,
            None => return fail_kind(i, "gm-id", ErrorKind::NumberTooLarge),
        };
    }
    Ok((rest, v))
}

// ---- the FETCH data items ----

/// A FETCH data item of X-GM-EXT-1 (in a server's `msg-att`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GmailAttribute<'a> {
    /// `X-GM-MSGID SP gm-id`
    MsgId(u64),
    /// `X-GM-THRID SP gm-id`
    ThrId(u64),
    /// `X-GM-LABELS SP gm-label-list`
    Labels(Vec<GmailLabel<'a>>),
}

impl<'a> GmailAttribute<'a> {
    /// Parses exactly one data item, e.g. `X-GM-LABELS (\Inbox "Muy Importante")`.
    ///
    /// ```
    /// use mailproto_imap_codec::ext::gmail::GmailAttribute;
    /// assert_eq!(
    ///     GmailAttribute::from_bytes(b"X-GM-MSGID 1278455344230334865").unwrap(),
    ///     GmailAttribute::MsgId(1278455344230334865)
    /// );
    /// ```
    pub fn from_bytes(input: &'a [u8]) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(input, Self::parse)
    }

    /// Parses one data item (a server's: literals are `{n}`).
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, att) = GmailFetchAtt::parse(i).map_err(|e| {
            e.map(|mut e| {
                e.expected = "msg-att";
                e
            })
        })?;
        let (r, ()) = sp(r)?;
        match att {
            GmailFetchAtt::MsgId => parse_id(r).map(|(r, n)| (r, GmailAttribute::MsgId(n))),
            GmailFetchAtt::ThrId => parse_id(r).map(|(r, n)| (r, GmailAttribute::ThrId(n))),
            GmailFetchAtt::Labels => {
                parse_label_list::<false>(r).map(|(r, l)| (r, GmailAttribute::Labels(l)))
            }
        }
    }
}

impl Encode for GmailAttribute<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            GmailAttribute::MsgId(n) => {
                e.raw(b"X-GM-MSGID ").number(*n);
            }
            GmailAttribute::ThrId(n) => {
                e.raw(b"X-GM-THRID ").number(*n);
            }
            GmailAttribute::Labels(l) => {
                e.raw(b"X-GM-LABELS ");
                encode_label_list(l, e);
            }
        }
    }
}

// ---- the command side ----

/// A FETCH item of X-GM-EXT-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GmailFetchAtt {
    /// `X-GM-MSGID`
    MsgId,
    /// `X-GM-THRID`
    ThrId,
    /// `X-GM-LABELS`
    Labels,
}

impl GmailFetchAtt {
    /// The item's name.
    pub fn name(self) -> &'static str {
        match self {
            GmailFetchAtt::MsgId => "X-GM-MSGID",
            GmailFetchAtt::ThrId => "X-GM-THRID",
            GmailFetchAtt::Labels => "X-GM-LABELS",
        }
    }

    /// Parses exactly the item's name (any case), e.g. `X-GM-LABELS`.
    ///
    /// ```
    /// use mailproto_imap_codec::ext::gmail::GmailFetchAtt;
    /// assert_eq!(GmailFetchAtt::from_bytes(b"x-gm-msgid").unwrap(), GmailFetchAtt::MsgId);
    /// assert!(GmailFetchAtt::from_bytes(b"X-GM-MSGIDS").is_err());
    /// ```
    pub fn from_bytes(input: &[u8]) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(input, Self::parse)
    }

    /// Parses the item's name (any case).
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        for att in [
            GmailFetchAtt::MsgId,
            GmailFetchAtt::ThrId,
            GmailFetchAtt::Labels,
        ] {
            let n = att.name().len();
            if starts_with_ci(i, att.name().as_bytes())
                && !i
                    .get(n)
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            {
                return Ok((&i[n..], att));
            }
        }
        fail(i, "fetch-att")
    }
}

impl Encode for GmailFetchAtt {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.name().as_bytes());
    }
}

/// `["+" / "-"] "X-GM-LABELS" [".SILENT"] SP (gm-label-list / gm-label)`: a STORE of labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GmailStore<'a> {
    /// `+` (add), `-` (remove) or neither (replace).
    pub action: crate::command::StoreAction,
    /// `.SILENT`
    pub silent: bool,
    /// The labels; `parenthesized` says whether they were sent as a list.
    pub labels: Vec<GmailLabel<'a>>,
    /// `true` for `(...)`, `false` for a single label without parentheses.
    pub parenthesized: bool,
}

impl<'a> GmailStore<'a> {
    /// Parses exactly a store item (what follows the sequence set and its SP), e.g.
    /// `+X-GM-LABELS (\Starred)`.
    ///
    /// ```
    /// use mailproto_imap_codec::ext::gmail::GmailStore;
    /// let s = GmailStore::from_bytes(br"+X-GM-LABELS.SILENT (\Starred work)").unwrap();
    /// assert!(s.silent && s.labels.len() == 2);
    /// ```
    pub fn from_bytes(input: &'a [u8]) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(input, Self::parse)
    }

    /// Parses the store item (after the sequence set and its SP).
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        use crate::command::StoreAction;
        let (r, action) = match i.first() {
            Some(b'+') => (&i[1..], StoreAction::Add),
            Some(b'-') => (&i[1..], StoreAction::Remove),
            _ => (i, StoreAction::Replace),
        };
        if !starts_with_ci(r, b"X-GM-LABELS") {
            return fail(r, "store-att-flags");
        }
        let r = &r[11..];
        let (r, silent) = if starts_with_ci(r, b".SILENT") {
            (&r[7..], true)
        } else {
            (r, false)
        };
        let (r, ()) = sp(r)?;
        if r.first() == Some(&b'(') {
            let (r, labels) = parse_label_list::<true>(r)?;
            return Ok((
                r,
                GmailStore {
                    action,
                    silent,
                    labels,
                    parenthesized: true,
                },
            ));
        }
        let (r, label) = GmailLabel::parse::<true>(r)?;
        Ok((
            r,
            GmailStore {
                action,
                silent,
                labels: vec![label],
                parenthesized: false,
            },
        ))
    }
}

impl Encode for GmailStore<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        use crate::command::StoreAction;
        match self.action {
            StoreAction::Add => {
                e.byte(b'+');
            }
            StoreAction::Remove => {
                e.byte(b'-');
            }
            _ => {}
        }
        e.raw(b"X-GM-LABELS");
        if self.silent {
            e.raw(b".SILENT");
        }
        e.sp();
        match (self.parenthesized, self.labels.as_slice()) {
            (false, [one]) => one.encode(e),
            (_, labels) => encode_label_list(labels, e),
        }
    }
}

/// A SEARCH key of X-GM-EXT-1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GmailSearchKey<'a> {
    /// `X-GM-RAW SP astring`: a search in Gmail's own query syntax.
    Raw(AString<'a>),
    /// `X-GM-MSGID SP gm-id`
    MsgId(u64),
    /// `X-GM-THRID SP gm-id`
    ThrId(u64),
    /// `X-GM-LABELS SP gm-label`
    Labels(GmailLabel<'a>),
}

impl<'a> GmailSearchKey<'a> {
    /// Parses exactly one key, e.g. `X-GM-RAW "has:attachment"`.
    ///
    /// ```
    /// use mailproto_imap_codec::ext::gmail::GmailSearchKey;
    /// assert_eq!(
    ///     GmailSearchKey::from_bytes(b"X-GM-THRID 1266894439832287888").unwrap(),
    ///     GmailSearchKey::ThrId(1266894439832287888)
    /// );
    /// ```
    pub fn from_bytes(input: &'a [u8]) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(input, Self::parse)
    }

    /// Parses the key.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, name) = take_while(i, |b| b.is_ascii_alphanumeric() || b == b'-');
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if is("X-GM-RAW") {
            let (r, ()) = sp(r)?;
            let (r, q) = AString::parse::<true>(r)?;
            Ok((r, GmailSearchKey::Raw(q)))
        } else if is("X-GM-MSGID") {
            let (r, ()) = sp(r)?;
            parse_id(r).map(|(r, n)| (r, GmailSearchKey::MsgId(n)))
        } else if is("X-GM-THRID") {
            let (r, ()) = sp(r)?;
            parse_id(r).map(|(r, n)| (r, GmailSearchKey::ThrId(n)))
        } else if is("X-GM-LABELS") {
            let (r, ()) = sp(r)?;
            GmailLabel::parse::<true>(r).map(|(r, l)| (r, GmailSearchKey::Labels(l)))
        } else {
            fail(i, "search-key")
        }
    }
}

impl Encode for GmailSearchKey<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            GmailSearchKey::Raw(q) => {
                e.raw(b"X-GM-RAW ");
                q.encode(e);
            }
            GmailSearchKey::MsgId(n) => {
                e.raw(b"X-GM-MSGID ").number(*n);
            }
            GmailSearchKey::ThrId(n) => {
                e.raw(b"X-GM-THRID ").number(*n);
            }
            GmailSearchKey::Labels(l) => {
                e.raw(b"X-GM-LABELS ");
                l.encode(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(v: &impl Encode) -> String {
        let mut out = Vec::new();
        let mut e = Encoder::client(&mut out, &crate::EncodeOptions::default());
        v.encode(&mut e);
        let _ = e.finish();
        String::from_utf8(out).unwrap()
    }

    fn server_encoded(v: &impl Encode) -> String {
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        v.encode(&mut e);
        let _ = e.finish();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fetch_data_items() {
        // The forms of Google's examples.
        for line in [
            "X-GM-MSGID 1278455344230334865",
            "X-GM-THRID 1266894439832287888",
            "X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\")",
            "X-GM-LABELS ()",
            "X-GM-MSGID 18446744073709551615",
            "X-GM-LABELS (\\Important foo {3}\r\nb r)",
        ] {
            let a = GmailAttribute::from_bytes(line.as_bytes())
                .unwrap_or_else(|e| panic!("{line}: {e:?}"));
            assert_eq!(server_encoded(&a), line);
        }
        assert_eq!(
            GmailAttribute::from_bytes(b"X-GM-LABELS (\\Inbox \\Draft work)").unwrap(),
            GmailAttribute::Labels(vec![
                GmailLabel::System(Flag::Extension(
                    crate::flag::FlagExtension::new("Inbox").unwrap()
                )),
                GmailLabel::System(Flag::Draft),
                GmailLabel::Name(AString::new("work").unwrap()),
            ])
        );
        for (bad, offset, expected) in [
            (&b"X-GM-MSGID 18446744073709551616"[..], 11, "gm-id"),
            (b"X-GM-MSGID x", 11, "gm-id"),
            (b"X-GM-LABELS \\Inbox", 12, "\"(\""),
            (b"X-GM-LABELS (a  b)", 15, "gm-label"),
            (b"X-GM-LABELS (a {1+}\r\nb)", 17, "\"}\""),
            (b"X-GM-FOO 1", 0, "msg-att"),
        ] {
            let e = GmailAttribute::from_bytes(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{bad:?}");
        }
    }

    #[test]
    fn command_side_items() {
        for (line, att) in [
            ("X-GM-MSGID", GmailFetchAtt::MsgId),
            ("x-gm-thrid", GmailFetchAtt::ThrId),
            ("X-GM-LABELS", GmailFetchAtt::Labels),
        ] {
            assert_eq!(GmailFetchAtt::from_bytes(line.as_bytes()).unwrap(), att);
            assert_eq!(encoded(&att), att.name());
        }
        assert!(GmailFetchAtt::from_bytes(b"X-GM-LABELSX").is_err());
        for line in [
            "+X-GM-LABELS (foo)",
            "-X-GM-LABELS.SILENT (\\Starred \"a b\")",
            "X-GM-LABELS ()",
            "+X-GM-LABELS \\Important",
        ] {
            let s = GmailStore::from_bytes(line.as_bytes()).unwrap();
            assert_eq!(encoded(&s), line);
        }
        assert!(GmailStore::from_bytes(b"+X-GM-LABELS").is_err());
        assert!(GmailStore::from_bytes(b"+FLAGS (a)").is_err());
        for line in [
            "X-GM-RAW \"has:attachment in:unread\"",
            "X-GM-MSGID 1278455344230334865",
            "X-GM-THRID 1266894439832287888",
            "X-GM-LABELS \\Inbox",
            "X-GM-LABELS foo",
        ] {
            let k = GmailSearchKey::from_bytes(line.as_bytes()).unwrap();
            assert_eq!(encoded(&k), line);
        }
        assert!(GmailSearchKey::from_bytes(b"X-GM-RAW").is_err());
        assert!(GmailSearchKey::from_bytes(b"X-GM-MSGID -1").is_err());
    }
}
