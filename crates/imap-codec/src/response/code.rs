//! Response codes: RFC 3501 §7.1 and RFC 9051 §7.1 `resp-text-code`, including the codes of
//! RFC 5530 adopted by RFC 9051 (§7.1) and UIDPLUS's `resp-code-apnd` / `resp-code-copy`
//! (RFC 4315, RFC 9051 §7.1).
//!
//! Code names are case-insensitive. A code whose name is known must have the syntax of that
//! code; any other `atom [SP 1*<any TEXT-CHAR except "]">]` is kept as [`OtherCode`].

use std::borrow::Cow;
use std::num::NonZeroU32;

use crate::core::{AString, Atom, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::flag::FlagPerm;
use crate::parse::{ascii_str, is_atom_char, nz_number, paren_list, sp, take_while};
use crate::response::data::CapabilityData;
use crate::sequence::UidSet;

macro_rules! unit_codes {
    ($($variant:ident = $text:literal, $doc:literal;)*) => {
        /// `resp-text-code` (RFC 9051 §7.1, §9; RFC 3501 §7.1, §9): machine-readable
        /// information in square brackets at the start of a response text.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum Code<'a> {
            $(#[doc = $doc] $variant,)*
            /// `BADCHARSET [SP "(" charset *(SP charset) ")"]`: the charsets the server
            /// supports (RFC 3501 lists `astring`s, RFC 9051 `charset`s); empty when absent.
            BadCharset(Vec<AString<'a>>),
            /// `capability-data`: the server's capabilities.
            Capability(CapabilityData<'a>),
            /// `PERMANENTFLAGS SP "(" [flag-perm *(SP flag-perm)] ")"`
            PermanentFlags(Vec<FlagPerm<'a>>),
            /// `UIDNEXT SP nz-number`
            UidNext(NonZeroU32),
            /// `UIDVALIDITY SP nz-number`
            UidValidity(NonZeroU32),
            /// `UNSEEN SP nz-number` (RFC 3501 only): the first unseen message.
            Unseen(NonZeroU32),
            /// `resp-code-apnd = "APPENDUID" SP nz-number SP append-uid` (RFC 4315, RFC 9051).
            AppendUid {
                /// The UIDVALIDITY of the destination mailbox.
                uid_validity: NonZeroU32,
                /// The UID assigned to the appended message.
                uid: NonZeroU32,
            },
            /// `resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set` (RFC 4315,
            /// RFC 9051).
            CopyUid {
                /// The UIDVALIDITY of the destination mailbox.
                uid_validity: NonZeroU32,
                /// The UIDs of the source messages.
                source: UidSet,
                /// The UIDs assigned in the destination mailbox.
                destination: UidSet,
            },
            /// Any other code: `atom [SP 1*<any TEXT-CHAR except "]">]`.
            Other(OtherCode<'a>),
        }

        const UNIT_CODES: &[(&str, Code<'static>)] = &[$(($text, Code::$variant),)*];

        impl IntoStatic for Code<'_> {
            type Static = Code<'static>;
            fn into_static(self) -> Code<'static> {
                match self {
                    $(Code::$variant => Code::$variant,)*
                    Code::BadCharset(c) => Code::BadCharset(c.into_static()),
                    Code::Capability(c) => Code::Capability(c.into_static()),
                    Code::PermanentFlags(f) => Code::PermanentFlags(f.into_static()),
                    Code::UidNext(n) => Code::UidNext(n),
                    Code::UidValidity(n) => Code::UidValidity(n),
                    Code::Unseen(n) => Code::Unseen(n),
                    Code::AppendUid { uid_validity, uid } => Code::AppendUid { uid_validity, uid },
                    Code::CopyUid { uid_validity, source, destination } => {
                        Code::CopyUid { uid_validity, source, destination }
                    }
                    Code::Other(o) => Code::Other(o.into_static()),
                }
            }
        }
    };
}

unit_codes! {
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
}

/// Names of the codes with arguments.
const ARG_CODES: &[&str] = &[
    "BADCHARSET",
    "CAPABILITY",
    "PERMANENTFLAGS",
    "UIDNEXT",
    "UIDVALIDITY",
    "UNSEEN",
    "APPENDUID",
    "COPYUID",
];

fn is_known_name(name: &[u8]) -> bool {
    UNIT_CODES
        .iter()
        .any(|(t, _)| name.eq_ignore_ascii_case(t.as_bytes()))
        || ARG_CODES
            .iter()
            .any(|t| name.eq_ignore_ascii_case(t.as_bytes()))
}

/// `TEXT-CHAR` except `"]"`: the argument of an unknown code.
fn is_code_text_char(b: u8) -> bool {
    crate::parse::is_text_char(b) && b != b']'
}

/// A response code not defined by RFC 3501 or RFC 9051: `atom [SP 1*<any TEXT-CHAR except
/// "]">]`, e.g. `[HIGHESTMODSEQ 715194045007]`.
///
/// ```
/// use imap_codec::response::OtherCode;
/// assert!(OtherCode::new("HIGHESTMODSEQ", Some("715194045007".into())).is_ok());
/// assert!(OtherCode::new("ALERT", None).is_err(), "a known code");
/// assert!(OtherCode::new("X", Some("a]b".into())).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

impl IntoStatic for OtherCode<'_> {
    type Static = OtherCode<'static>;
    fn into_static(self) -> OtherCode<'static> {
        OtherCode {
            name: self.name.into_static(),
            text: self.text.into_static(),
        }
    }
}

impl<'a> Code<'a> {
    /// Parses `resp-text-code` (without the brackets).
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = take_while(i, is_atom_char);
        if name.is_empty() {
            return fail(i, "resp-text-code");
        }
        let upper = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
        for (text, code) in UNIT_CODES {
            if upper(text) {
                return Ok((rest, code.clone()));
            }
        }
        if upper("BADCHARSET") {
            if rest.first() == Some(&b' ') {
                let (r, list) = paren_list(&rest[1..], false, AString::parse::<false>)?;
                return Ok((r, Code::BadCharset(list)));
            }
            return Ok((rest, Code::BadCharset(Vec::new())));
        }
        if upper("CAPABILITY") {
            let (r, caps) = CapabilityData::parse_after_name(i, rest)?;
            return Ok((r, Code::Capability(caps)));
        }
        if upper("PERMANENTFLAGS") {
            let (r, ()) = sp(rest)?;
            let (r, flags) = paren_list(r, true, FlagPerm::parse)?;
            return Ok((r, Code::PermanentFlags(flags)));
        }
        if upper("UIDNEXT") || upper("UIDVALIDITY") || upper("UNSEEN") {
            let (r, ()) = sp(rest)?;
            let (r, n) = nz_number(r)?;
            let code = match name.len() {
                7 => Code::UidNext(n),
                11 => Code::UidValidity(n),
                _ => Code::Unseen(n),
            };
            return Ok((r, code));
        }
        if upper("APPENDUID") {
            let (r, ()) = sp(rest)?;
            let (r, uid_validity) = nz_number(r)?;
            let (r, ()) = sp(r)?;
            let (r, uid) = nz_number(r)?;
            return Ok((r, Code::AppendUid { uid_validity, uid }));
        }
        if upper("COPYUID") {
            let (r, ()) = sp(rest)?;
            let (r, uid_validity) = nz_number(r)?;
            let (r, ()) = sp(r)?;
            let (r, source) = UidSet::parse(r)?;
            let (r, ()) = sp(r)?;
            let (r, destination) = UidSet::parse(r)?;
            return Ok((
                r,
                Code::CopyUid {
                    uid_validity,
                    source,
                    destination,
                },
            ));
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
            Code::BadCharset(_) => "BADCHARSET",
            Code::Capability(_) => "CAPABILITY",
            Code::PermanentFlags(_) => "PERMANENTFLAGS",
            Code::UidNext(_) => "UIDNEXT",
            Code::UidValidity(_) => "UIDVALIDITY",
            Code::Unseen(_) => "UNSEEN",
            Code::AppendUid { .. } => "APPENDUID",
            Code::CopyUid { .. } => "COPYUID",
            Code::Other(o) => o.name.as_str(),
            unit => UNIT_CODES
                .iter()
                .find(|(_, c)| c == unit)
                .map(|(t, _)| *t)
                .unwrap_or_default(),
        }
    }
}

impl Encode for Code<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Code::BadCharset(list) => {
                e.raw(b"BADCHARSET");
                if !list.is_empty() {
                    e.sp().paren_list(list, |e, c| c.encode(e));
                }
            }
            Code::Capability(c) => c.encode(e),
            Code::PermanentFlags(f) => {
                e.raw(b"PERMANENTFLAGS ").paren_list(f, |e, f| f.encode(e));
            }
            Code::UidNext(n) => {
                e.raw(b"UIDNEXT ").number(u64::from(n.get()));
            }
            Code::UidValidity(n) => {
                e.raw(b"UIDVALIDITY ").number(u64::from(n.get()));
            }
            Code::Unseen(n) => {
                e.raw(b"UNSEEN ").number(u64::from(n.get()));
            }
            Code::AppendUid { uid_validity, uid } => {
                e.raw(b"APPENDUID ")
                    .number(u64::from(uid_validity.get()))
                    .sp()
                    .number(u64::from(uid.get()));
            }
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => {
                e.raw(b"COPYUID ")
                    .number(u64::from(uid_validity.get()))
                    .sp();
                source.encode(e);
                e.sp();
                destination.encode(e);
            }
            Code::Other(o) => {
                o.name.encode(e);
                if let Some(t) = &o.text {
                    e.sp().raw(t.as_bytes());
                }
            }
            unit => {
                e.raw(unit.name().as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_all;

    fn code(s: &str) -> Code<'_> {
        parse_all(s.as_bytes(), Code::parse).unwrap_or_else(|e| panic!("{s}: {e:?}"))
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
            "COPYUID 38505 304,319:320 3956:3958",
            "UIDNOTSTICKY",
            "HIGHESTMODSEQ 715194045007",
            "X-FOO",
            "REFERRAL imap://x/y",
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
            let e = parse_all(s.as_bytes(), Code::parse).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{s}");
        }
        // `ALERT x` is no code (the text would follow the code's "]").
        assert!(parse_all(b"ALERT x", Code::parse).is_err());
    }
}
