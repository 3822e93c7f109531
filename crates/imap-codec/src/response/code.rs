//! Response codes: RFC 3501 §7.1 and RFC 9051 §7.1 `resp-text-code`, including the codes of
//! RFC 5530 adopted by RFC 9051 (§7.1) and UIDPLUS's `resp-code-apnd` / `resp-code-copy`
//! (RFC 4315, RFC 9051 §7.1).
//!
//! Code names are case-insensitive. A code whose name is known must have the syntax of that
//! code; any other `atom [SP 1*<any TEXT-CHAR except "]">]` is kept as [`OtherCode`].

use crate::prelude::*;

use ::core::num::NonZeroU32;
use alloc::borrow::Cow;

use crate::context::Ctx;
use crate::core::{AString, Atom, IntoStatic, Quoted};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::NonEmpty;
use crate::ext::catenate::UrlRespText;
use crate::ext::condstore::ModSeq;
use crate::ext::notify::EventName;
use crate::ext::objectid::ObjectId;
use crate::ext::referrals::{self, ReferralUrl};
use crate::ext::urlauth::UrlMech;
use crate::flag::FlagPerm;
use crate::parse::{ascii_str, is_atom_char, nz_number, paren_list, sp, take_while};
use crate::response::data::CapabilityData;
use crate::sequence::{SequenceSet, UidSet};

/// The response codes RFC 3501, RFC 9051 and the extensions they adopted define, one row each:
/// codes without arguments (`Variant = "NAME", "doc";`) and codes with arguments
/// (`Variant(payload) = "NAME", parser, encoder, generator;`, the parser gets the input after
/// the name, the encoder writes what follows it). From it come [`Code`] (plus
/// [`Code::Other`]), [`CodeKind`] (with `ALL` and `name()`), the parser's dispatch, the encoder
/// and the `Arbitrary` variant choice.
macro_rules! code_table {
    (
        units { $($unit:ident = $unit_name:literal, $unit_doc:literal;)* }
        args { $(
            $(#[doc = $doc:literal])*
            $variant:ident($payload:ty) = $name:literal, $parse:expr, $encode:expr, $arb:ident;
        )* }
    ) => {
        /// `resp-text-code` (RFC 9051 §7.1, §9; RFC 3501 §7.1, §9): machine-readable
        /// information in square brackets at the start of a response text, one variant per
        /// row of the code table, and [`Code::Other`] for the rest.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum Code<'a> {
            $(#[doc = $unit_doc] $unit,)*
            $($(#[doc = $doc])* $variant($payload),)*
            /// Any other code: `atom [SP 1*<any TEXT-CHAR except "]">]`.
            Other(OtherCode<'a>),
        }

        /// The kind of a [`Code`] the table defines (every code but [`Code::Other`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum CodeKind {
            $(#[doc = $unit_doc] $unit,)*
            $($(#[doc = $doc])* $variant,)*
        }

        impl CodeKind {
            /// Every kind, in table order.
            pub const ALL: &'static [CodeKind] = &[$(CodeKind::$unit,)* $(CodeKind::$variant,)*];

            /// The code's name, e.g. `"UIDNEXT"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(CodeKind::$unit => $unit_name,)*
                    $(CodeKind::$variant => $name,)*
                }
            }
        }

        impl<'a> Code<'a> {
            /// The kind of this code, `None` for [`Code::Other`].
            pub fn kind(&self) -> Option<CodeKind> {
                Some(match self {
                    $(Code::$unit => CodeKind::$unit,)*
                    $(Code::$variant(_) => CodeKind::$variant,)*
                    Code::Other(_) => return None,
                })
            }

            /// Parses the code of kind `kind` after its name.
            fn parse_kind(kind: CodeKind, rest: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
                match kind {
                    $(CodeKind::$unit => Ok((rest, Code::$unit)),)*
                    $(CodeKind::$variant => ($parse)(rest, ctx).map(|(r, v)| (r, Code::$variant(v))),)*
                }
            }
        }

        impl Encode for Code<'_> {
            fn encode(&self, e: &mut Encoder<'_>) {
                match self {
                    $(Code::$unit => {
                        e.raw($unit_name.as_bytes());
                    })*
                    $(Code::$variant(v) => {
                        e.raw($name.as_bytes());
                        ($encode)(v, e);
                    })*
                    Code::Other(o) => {
                        o.name.encode(e);
                        if let Some(t) = &o.text {
                            e.sp().raw(t.as_bytes());
                        }
                    }
                }
            }
        }

        /// Generates a [`Code`]: a code without arguments a third of the time, otherwise one
        /// with arguments or an [`OtherCode`], the kind chosen from the table.
        #[cfg(feature = "arbitrary")]
        pub(crate) fn arbitrary_code(
            u: &mut arbitrary::Unstructured<'_>,
        ) -> arbitrary::Result<Code<'static>> {
            if u.ratio(1, 3)? {
                return Ok(u.choose(&[$(Code::$unit,)*])?.clone());
            }
            const ARGS: &[Option<CodeKind>] = &[$(Some(CodeKind::$variant),)* None];
            Ok(match *u.choose(ARGS)? {
                $(Some(CodeKind::$variant) => Code::$variant(crate::arbitrary::$arb(u)?),)*
                _ => Code::Other(crate::arbitrary::other_code(u)?),
            })
        }
    };
}

code_table! {
    units {
        Alert = "ALERT", "`ALERT`: a message the user must see.";
        Parse = "PARSE", "`PARSE`: a message's header could not be parsed.";
        ReadOnly = "READ-ONLY", "`READ-ONLY`: the mailbox is selected read-only.";
        ReadWrite = "READ-WRITE", "`READ-WRITE`: the mailbox is selected read-write.";
        TryCreate = "TRYCREATE", "`TRYCREATE`: the target mailbox does not exist but can be created.";
        UidNotSticky = "UIDNOTSTICKY", "`UIDNOTSTICKY`: the mailbox does not keep UIDs (RFC 4315).";
        Unavailable = "UNAVAILABLE", "`UNAVAILABLE` (RFC 9051, RFC 5530)";
        AuthenticationFailed = "AUTHENTICATIONFAILED", "`AUTHENTICATIONFAILED` (RFC 9051, RFC 5530)";
        AuthorizationFailed = "AUTHORIZATIONFAILED", "`AUTHORIZATIONFAILED` (RFC 9051, RFC 5530)";
        Expired = "EXPIRED", "`EXPIRED` (RFC 9051, RFC 5530)";
        PrivacyRequired = "PRIVACYREQUIRED", "`PRIVACYREQUIRED` (RFC 9051, RFC 5530)";
        ContactAdmin = "CONTACTADMIN", "`CONTACTADMIN` (RFC 9051, RFC 5530)";
        NoPerm = "NOPERM", "`NOPERM` (RFC 9051, RFC 5530)";
        InUse = "INUSE", "`INUSE` (RFC 9051, RFC 5530)";
        ExpungeIssued = "EXPUNGEISSUED", "`EXPUNGEISSUED` (RFC 9051, RFC 5530)";
        Corruption = "CORRUPTION", "`CORRUPTION` (RFC 9051, RFC 5530)";
        ServerBug = "SERVERBUG", "`SERVERBUG` (RFC 9051, RFC 5530)";
        ClientBug = "CLIENTBUG", "`CLIENTBUG` (RFC 9051, RFC 5530)";
        Cannot = "CANNOT", "`CANNOT` (RFC 9051, RFC 5530)";
        Limit = "LIMIT", "`LIMIT` (RFC 9051, RFC 5530)";
        OverQuota = "OVERQUOTA", "`OVERQUOTA` (RFC 9051, RFC 5530)";
        AlreadyExists = "ALREADYEXISTS", "`ALREADYEXISTS` (RFC 9051, RFC 5530)";
        NonExistent = "NONEXISTENT", "`NONEXISTENT` (RFC 9051, RFC 5530)";
        NotSaved = "NOTSAVED", "`NOTSAVED` (RFC 9051)";
        HasChildren = "HASCHILDREN", "`HASCHILDREN` (RFC 9051)";
        Closed = "CLOSED", "`CLOSED` (RFC 9051, RFC 7162)";
        UnknownCte = "UNKNOWN-CTE", "`UNKNOWN-CTE` (RFC 9051, RFC 3516)";
        CompressionActive = "COMPRESSIONACTIVE", "`COMPRESSIONACTIVE`: compression is already active in another layer (RFC 4978 §3).";
        NoModSeq = "NOMODSEQ", "`NOMODSEQ`: the mailbox has no persistent mod-sequences (RFC 7162 §3.1.2.2).";
        TooBig = "TOOBIG", "`TOOBIG`: the message (for CATENATE: the catenated message) is too large (RFC 4469 §4.2, §5; RFC 7889 §4; [`crate::ext::status_ext`], [`crate::ext::catenate`]).";
        NotificationOverflow = "NOTIFICATIONOVERFLOW", "`NOTIFICATIONOVERFLOW`: the server stopped sending notifications (RFC 5465 §5.8; [`crate::ext::notify`]).";
        UidRequired = "UIDREQUIRED", "`UIDREQUIRED`: UIDONLY is enabled and the command used sequence numbers (RFC 9586 §3; [`crate::ext::uidonly`]).";
        UseAttr = "USEATTR", "`USEATTR`: the special use asked for cannot be given (RFC 6154 §3).";
        BadComparator = "BADCOMPARATOR", "`BADCOMPARATOR`: no such comparator (RFC 5255 §4.9).";
    }
    args {
        /// `BADCHARSET [SP "(" charset *(SP charset) ")"]`: the charsets the server
        /// supports (RFC 3501 lists `astring`s, RFC 9051 `charset`s); empty when absent.
        BadCharset(Vec<AString<'a>>) = "BADCHARSET",
            |rest: &'a [u8], _: &Ctx<'_>| {
                if rest.first() == Some(&b' ') {
                    paren_list(&rest[1..], false, AString::parse::<false>)
                } else {
                    Ok((rest, Vec::new()))
                }
            },
            |list: &Vec<AString<'_>>, e: &mut Encoder<'_>| {
                if !list.is_empty() {
                    e.sp().paren_list(list, |e, c| c.encode(e));
                }
            },
            code_bad_charset;
        /// `capability-data`: the server's capabilities.
        Capability(CapabilityData<'a>) = "CAPABILITY",
            |rest: &'a [u8], _: &Ctx<'_>| CapabilityData::parse_after_name(rest, rest),
            |c: &CapabilityData<'_>, e: &mut Encoder<'_>| c.encode_list(e),
            capability_data;
        /// `PERMANENTFLAGS SP "(" [flag-perm *(SP flag-perm)] ")"`
        PermanentFlags(Vec<FlagPerm<'a>>) = "PERMANENTFLAGS",
            |rest: &'a [u8], _: &Ctx<'_>| {
                let (r, ()) = sp(rest)?;
                paren_list(r, true, FlagPerm::parse)
            },
            |f: &Vec<FlagPerm<'_>>, e: &mut Encoder<'_>| {
                e.sp().paren_list(f, |e, f| f.encode(e));
            },
            code_permanent_flags;
        /// `UIDNEXT SP nz-number`
        UidNext(NonZeroU32) = "UIDNEXT", sp_nz_number, encode_sp_nz_number, nz_u32;
        /// `UIDVALIDITY SP nz-number`
        UidValidity(NonZeroU32) = "UIDVALIDITY", sp_nz_number, encode_sp_nz_number, nz_u32;
        /// `UNSEEN SP nz-number` (RFC 3501 only): the first unseen message.
        Unseen(NonZeroU32) = "UNSEEN", sp_nz_number, encode_sp_nz_number, nz_u32;
        /// `resp-code-apnd = "APPENDUID" SP nz-number SP append-uid` (RFC 4315, RFC 9051).
        AppendUid(AppendUid) = "APPENDUID", AppendUid::parse, AppendUid::encode, code_append_uid;
        /// `resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set` (RFC 4315,
        /// RFC 9051).
        CopyUid(CopyUid) = "COPYUID", CopyUid::parse, CopyUid::encode, code_copy_uid;
        /// `"HIGHESTMODSEQ" SP mod-sequence-value` (RFC 7162 §3.1.2.1)
        HighestModSeq(ModSeq) = "HIGHESTMODSEQ",
            |rest: &'a [u8], _: &Ctx<'_>| {
                let (r, ()) = sp(rest)?;
                ModSeq::parse(r)
            },
            |m: &ModSeq, e: &mut Encoder<'_>| {
                e.sp();
                m.encode(e);
            },
            code_modseq;
        /// `"MODIFIED" SP sequence-set` (RFC 7162 §3.1.3): the messages a conditional STORE
        /// did not change.
        Modified(SequenceSet) = "MODIFIED",
            |rest: &'a [u8], _: &Ctx<'_>| {
                let (r, ()) = sp(rest)?;
                SequenceSet::parse(r)
            },
            |s: &SequenceSet, e: &mut Encoder<'_>| {
                e.sp();
                s.encode(e);
            },
            code_modified;
        /// `"NOUPDATE" SP quoted` (RFC 5267 §4.3): the server will not update the result of
        /// the SEARCH or SORT with that tag.
        NoUpdate(Quoted<'a>) = "NOUPDATE",
            |rest: &'a [u8], _: &Ctx<'_>| {
                let (r, ()) = sp(rest)?;
                Quoted::parse(r)
            },
            |q: &Quoted<'_>, e: &mut Encoder<'_>| {
                e.sp();
                q.encode(e);
            },
            code_no_update;
        /// `unsupported-events-code = "BADEVENT" SP "(" event-name *(SP event-name) ")"`
        /// (RFC 5465 §3.1, §8, [`crate::ext::notify`]): the events the server supports.
        BadEvent(NonEmpty<EventName>) = "BADEVENT",
            crate::ext::notify::parse_badevent,
            crate::ext::notify::encode_badevent,
            code_badevent;
        /// `"MAILBOXID" SP "(" objectid ")"` (RFC 8474 §4.1, [`crate::ext::objectid`]): the
        /// mailbox's identifier, after CREATE and on SELECT/EXAMINE.
        MailboxId(ObjectId<'a>) = "MAILBOXID",
            crate::ext::objectid::sp_paren_objectid,
            crate::ext::objectid::encode_sp_paren_objectid,
            att_objectid;
        /// `"METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number / "TOOMANY" /
        /// "NOPRIVATE")` (RFC 5464 §4.2.1, §4.3, [`crate::ext::metadata`]).
        Metadata(crate::ext::metadata::MetadataCode) = "METADATA",
            crate::ext::metadata::MetadataCode::parse,
            crate::ext::metadata::MetadataCode::encode_after_name,
            code_metadata;
        /// `"ANNOTATIONS" SP ann-size` (RFC 5257 §4.1, §7, [`crate::ext::annotate`]).
        Annotations(crate::ext::annotate::AnnotationSupport) = "ANNOTATIONS",
            crate::ext::annotate::AnnotationSupport::parse,
            crate::ext::annotate::AnnotationSupport::encode_after_name,
            code_annotations;
        /// `"ANNOTATE" SP ("TOOBIG" / "TOOMANY")` (RFC 5257 §7).
        Annotate(crate::ext::annotate::AnnotateCode) = "ANNOTATE",
            crate::ext::annotate::AnnotateCode::parse,
            crate::ext::annotate::AnnotateCode::encode_after_name,
            code_annotate;
        /// `"BADURL" SP url-resp-text` (RFC 4469 §5, [`crate::ext::catenate`]): a CATENATE
        /// URL the server could not use.
        BadUrl(UrlRespText<'a>) = "BADURL", UrlRespText::parse_sp, UrlRespText::encode_sp,
            code_bad_url;
        /// `"REFERRAL" 1*(SP url)` (RFC 2193 §6, RFC 2221 §5, [`crate::ext::referrals`]):
        /// the server(s) to ask instead.
        Referral(NonEmpty<ReferralUrl<'a>>) = "REFERRAL", referrals::parse_referral,
            referrals::encode_referral, code_referral;
        /// `"URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])` (RFC 4467 §9,
        /// [`crate::ext::urlauth`]): the URLAUTH mechanisms of a mailbox.
        UrlMech(UrlMech<'a>) = "URLMECH", UrlMech::parse, UrlMech::encode, code_url_mech;
    }
}

fn sp_nz_number<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, NonZeroU32> {
    let (i, ()) = sp(i)?;
    nz_number(i)
}

fn encode_sp_nz_number(n: &NonZeroU32, e: &mut Encoder<'_>) {
    e.sp().number(u64::from(n.get()));
}

/// The argument of `APPENDUID` (RFC 4315 §3, RFC 9051 §7.1): where an appended message went.
///
/// After a MULTIAPPEND (RFC 3502 §6 "MULTIAPPEND Interaction with UIDPLUS Extension",
/// RFC 4315 §4: `append-uid =/ uid-set`), the server names one UID per message appended, as
/// a `uid-set` in append order: then `multiple` holds it and `uid` is its first UID. The
/// encoder writes `multiple` when it is `Some`, else `uid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AppendUid {
    /// The UIDVALIDITY of the destination mailbox.
    pub uid_validity: NonZeroU32,
    /// The UID assigned to the appended message (the first one, after a MULTIAPPEND).
    pub uid: NonZeroU32,
    /// The UIDs of all the messages of a MULTIAPPEND, when the server sent a set of them
    /// (`3955:3957`, `3955,3960`); `None` for a single UID.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub multiple: Option<UidSet>,
}

impl AppendUid {
    /// One appended message.
    pub fn new(uid_validity: NonZeroU32, uid: NonZeroU32) -> Self {
        AppendUid {
            uid_validity,
            uid,
            multiple: None,
        }
    }

    /// The messages of a MULTIAPPEND (RFC 3502 §6): `uid` becomes the set's first UID. A
    /// set of one UID (`5`, `5:5`) is that UID: `multiple` stays `None`.
    pub fn multiple(uid_validity: NonZeroU32, uids: UidSet) -> Self {
        let (first, last) = uids.ranges().first().copied().unwrap_or((1, 1));
        let uid = NonZeroU32::new(first).unwrap_or(NonZeroU32::MIN);
        let single = uids.ranges().len() == 1 && first == last;
        AppendUid {
            uid_validity,
            uid,
            multiple: (!single).then_some(uids),
        }
    }

    fn parse<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (r, uid_validity) = sp_nz_number(i, ctx)?;
        let (r, ()) = sp(r)?;
        let (after, _) = take_while(r, |b| b.is_ascii_digit());
        if matches!(after.first(), Some(b':' | b',')) {
            let (r, set) = UidSet::parse(r)?;
            return Ok((r, AppendUid::multiple(uid_validity, set)));
        }
        let (r, uid) = nz_number(r)?;
        Ok((r, AppendUid::new(uid_validity, uid)))
    }

    fn encode(&self, e: &mut Encoder<'_>) {
        encode_sp_nz_number(&self.uid_validity, e);
        match &self.multiple {
            Some(set) => {
                e.sp();
                set.encode(e);
            }
            None => encode_sp_nz_number(&self.uid, e),
        }
    }
}

/// The argument of `COPYUID` (RFC 4315 §3, RFC 9051 §7.1): where copied messages went.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CopyUid {
    /// The UIDVALIDITY of the destination mailbox.
    pub uid_validity: NonZeroU32,
    /// The UIDs of the source messages.
    pub source: UidSet,
    /// The UIDs assigned in the destination mailbox.
    pub destination: UidSet,
}

// By hand: `UidSet` (sequence.rs) owns its data but has no `IntoStatic`.
impl IntoStatic for CopyUid {
    type Static = CopyUid;
    fn into_static(self) -> CopyUid {
        self
    }
}

impl CopyUid {
    fn parse<'a>(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (r, uid_validity) = sp_nz_number(i, ctx)?;
        let (r, ()) = sp(r)?;
        let (r, source) = UidSet::parse(r)?;
        let (r, ()) = sp(r)?;
        let (r, destination) = UidSet::parse(r)?;
        Ok((
            r,
            CopyUid {
                uid_validity,
                source,
                destination,
            },
        ))
    }

    fn encode(&self, e: &mut Encoder<'_>) {
        encode_sp_nz_number(&self.uid_validity, e);
        e.sp();
        self.source.encode(e);
        e.sp();
        self.destination.encode(e);
    }
}

fn is_known_name(name: &[u8]) -> bool {
    CodeKind::ALL
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k.name().as_bytes()))
}

/// `TEXT-CHAR` except `"]"`: the argument of an unknown code.
fn is_code_text_char(b: u8) -> bool {
    crate::parse::is_text_char(b) && b != b']'
}

/// A response code the code table does not define: `atom [SP 1*<any TEXT-CHAR except
/// "]">]`, e.g. `[X-COUNTER 715194045007]`.
///
/// ```
/// use mailproto_imap_codec::response::OtherCode;
/// assert!(OtherCode::new("X-COUNTER", Some("715194045007".into())).is_ok());
/// assert!(OtherCode::new("HIGHESTMODSEQ", Some("715194045007".into())).is_err(), "RFC 7162");
/// assert!(OtherCode::new("ALERT", None).is_err(), "a known code");
/// assert!(OtherCode::new("X", Some("a]b".into())).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OtherCode<'a> {
    name: Atom<'a>,
    text: Option<Cow<'a, str>>,
}

impl<'a> OtherCode<'a> {
    /// A code named `name` (an atom that is not the name of a code RFC 3501 or RFC 9051
    /// defines) with optional argument text (non-empty, 7-bit, no CR, LF or `]`).
    pub fn new(
        name: impl Into<Cow<'a, str>>,
        text: Option<Cow<'a, str>>,
    ) -> Result<Self, ValidationError> {
        let name = Atom::new(name)?;
        if is_known_name(name.as_str().as_bytes()) {
            return Err(ValidationError::new("resp-text-code", None));
        }
        if let Some(t) = &text {
            if t.is_empty() {
                return Err(ValidationError::new("resp-text-code", None));
            }
            if let Some(p) = t.bytes().position(|b| !is_code_text_char(b)) {
                return Err(ValidationError::new("resp-text-code", Some(p)));
            }
        }
        Ok(OtherCode { name, text })
    }

    /// The code's name.
    pub fn name(&self) -> &Atom<'a> {
        &self.name
    }

    /// The argument text, if any.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

impl<'a> Code<'a> {
    /// Parses `resp-text-code` (without the brackets): a code the table defines, with the
    /// syntax of its row, or [`Code::Other`].
    pub(crate) fn parse(i: &'a [u8], ctx: &Ctx<'_>) -> PResult<'a, Self> {
        let (rest, name) = take_while(i, is_atom_char);
        if name.is_empty() {
            return fail(i, "resp-text-code");
        }
        if let Some(&kind) = CodeKind::ALL
            .iter()
            .find(|k| name.eq_ignore_ascii_case(k.name().as_bytes()))
        {
            return Self::parse_kind(kind, rest, ctx);
        }
        let name = Atom::from_checked(name);
        if rest.first() == Some(&b' ') {
            let (r, text) = take_while(&rest[1..], is_code_text_char);
            if text.is_empty() {
                return fail(r, "TEXT-CHAR");
            }
            return Ok((
                r,
                Code::Other(OtherCode {
                    name,
                    text: Some(Cow::Borrowed(ascii_str(text))),
                }),
            ));
        }
        Ok((rest, Code::Other(OtherCode { name, text: None })))
    }

    /// The code's name, e.g. `"UIDNEXT"`.
    pub fn name(&self) -> &str {
        match self {
            Code::Other(o) => o.name.as_str(),
            known => known.kind().map_or("", CodeKind::name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_all;

    fn parse_code(i: &[u8]) -> Result<Code<'_>, crate::error::ParseError> {
        let options = crate::context::ParseOptions::default();
        let ctx = Ctx::new(&options, mailproto_core::Side::Server, i);
        parse_all(i, |i| Code::parse(i, &ctx))
    }

    fn code(s: &str) -> Code<'_> {
        parse_code(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn enc(c: &Code<'_>) -> String {
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        c.encode(&mut e);
        let _ = e.finish();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_code_round_trips() {
        for s in [
            "ALERT",
            "BADCHARSET",
            "BADCHARSET (UTF-8 \"ISO-8859-1\")",
            "CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN",
            "CAPABILITY IMAP4rev2",
            "PARSE",
            "PERMANENTFLAGS ()",
            "PERMANENTFLAGS (\\Deleted \\Seen \\*)",
            "READ-ONLY",
            "READ-WRITE",
            "TRYCREATE",
            "UIDNEXT 4392",
            "UIDVALIDITY 3857529045",
            "UNSEEN 17",
            "UNAVAILABLE",
            "AUTHENTICATIONFAILED",
            "AUTHORIZATIONFAILED",
            "EXPIRED",
            "PRIVACYREQUIRED",
            "CONTACTADMIN",
            "NOPERM",
            "INUSE",
            "EXPUNGEISSUED",
            "CORRUPTION",
            "SERVERBUG",
            "CLIENTBUG",
            "CANNOT",
            "LIMIT",
            "OVERQUOTA",
            "ALREADYEXISTS",
            "NONEXISTENT",
            "NOTSAVED",
            "HASCHILDREN",
            "CLOSED",
            "UNKNOWN-CTE",
            "APPENDUID 38505 3955",
            "APPENDUID 38505 3955:3957",
            "APPENDUID 38505 3955,3960:3961",
            "COPYUID 38505 304,319:320 3956:3958",
            "UIDNOTSTICKY",
            "HIGHESTMODSEQ 715194045007",
            "X-FOO",
            "REFERRAL imap://x/y",
            "REFERRAL imap://x/y imap://z/",
            "TOOBIG",
            "BADURL /INBOX;UIDVALIDITY=1/;UID=2",
            "BADCOMPARATOR",
        ] {
            let c = code(s);
            assert_eq!(enc(&c), s);
            assert!(!matches!(c, Code::Other(_)) || !is_known_name(c.name().as_bytes()));
        }
        assert_eq!(code("alert"), Code::Alert);
        assert_eq!(
            code("uidnext 5"),
            Code::UidNext(NonZeroU32::new(5).unwrap())
        );
        assert_eq!(code("UIDNEXT 5").name(), "UIDNEXT");
        assert_eq!(code("CLOSED").name(), "CLOSED");
    }

    #[test]
    fn known_codes_are_strict() {
        for (s, offset, expected) in [
            ("UIDNEXT 0", 8, "nz-number"),
            ("UIDNEXT", 7, "SP"),
            ("PERMANENTFLAGS (\\Seen", 21, "\")\""),
            ("BADCHARSET ()", 12, "astring"),
            ("CAPABILITY AUTH=PLAIN", 21, "capability-data"),
            ("COPYUID 1 2:0 3", 12, "nz-number"),
            ("X ", 2, "TEXT-CHAR"),
            ("", 0, "resp-text-code"),
        ] {
            let e = parse_code(s.as_bytes()).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{s}");
        }
        // `ALERT x` is no code (the text would follow the code's "]").
        assert!(parse_code(b"ALERT x").is_err());
    }
}
