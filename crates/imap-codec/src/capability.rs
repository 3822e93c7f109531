//! Capabilities (RFC 9051 §7.2.2, §9 `capability`, `auth-type`) as named in the CAPABILITY
//! response, the CAPABILITY response code, ENABLE and ENABLED.

use crate::prelude::*;

use crate::core::{Atom, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::parse::{is_atom_char, starts_with_ci, take_while1};

/// A SASL mechanism name, `auth-type = atom` (RFC 9051 §9), e.g. `PLAIN`, `SCRAM-SHA-256`.
pub type AuthMechanism<'a> = Atom<'a>;

macro_rules! capabilities {
    ($($variant:ident = $text:literal, $doc:literal;)*) => {
        /// A capability name (RFC 9051 §7.2.2). The ones this crate knows are variants;
        /// every other `atom` is kept as [`Capability::Other`].
        ///
        /// ```
        /// use mailproto_imap_codec::Capability;
        /// assert_eq!(Capability::parse_str("literal+").unwrap(), Capability::LiteralPlus);
        /// assert!(matches!(Capability::parse_str("AUTH=PLAIN").unwrap(), Capability::Auth(m) if m.as_str() == "PLAIN"));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum Capability<'a> {
            $(#[doc = $doc] $variant,)*
            /// `AUTH=mechanism`
            Auth(AuthMechanism<'a>),
            /// `capa-quota-res = "QUOTA=RES-" resource-name` (RFC 9208 §3.1, §7)
            QuotaRes(crate::ext::quota::QuotaResource<'a>),
            /// `rights-capa = "RIGHTS=" new-rights` (RFC 4314 §2.1, §7): the rights beyond
            /// RFC 4314's, `new-rights = 1*LOWER-ALPHA` (other `RIGHTS=...` atoms are
            /// [`Capability::Other`])
            Rights(Atom<'a>),
            /// Any other capability, as sent.
            Other(OtherCapability<'a>),
        }

        /// Every row, name and variant (the tests check the dispatch against it).
        #[cfg(test)]
        const KNOWN: &[(&str, Capability<'static>)] = &[$(($text, Capability::$variant),)*];

        /// The longest name of a row.
        const NAME_MAX: usize = crate::parse::max_len(&[$($text),*]);

        /// The row named `name` (any case, RFC 9051 §9 note 1).
        #[inline]
        fn known(name: &[u8]) -> Option<Capability<'static>> {
            /// Each row's name in upper case, named after its variant (`&[u8]` constants
            /// are slice patterns: the match is a comparison tree on length and bytes,
            /// not a walk of the table).
            #[allow(non_upper_case_globals)]
            mod name {
                $(pub const $variant: &[u8] = &super::upper::<{ $text.len() }>($text);)*
            }
            let mut buf = [0u8; NAME_MAX];
            let upper = buf.get_mut(..name.len())?;
            for (d, s) in upper.iter_mut().zip(name) {
                *d = s.to_ascii_uppercase();
            }
            match &*upper {
                $(name::$variant => Some(Capability::$variant),)*
                _ => None,
            }
        }

        impl Capability<'_> {
            /// The name of a variant without data, as written on the wire.
            fn known_name(&self) -> Option<&'static str> {
                match self {
                    $(Capability::$variant => Some($text),)*
                    _ => None,
                }
            }
        }

        impl IntoStatic for Capability<'_> {
            type Static = Capability<'static>;
            fn into_static(self) -> Capability<'static> {
                match self {
                    $(Capability::$variant => Capability::$variant,)*
                    Capability::Auth(m) => Capability::Auth(m.into_static()),
                    Capability::QuotaRes(r) => Capability::QuotaRes(r.into_static()),
                    Capability::Rights(r) => Capability::Rights(r.into_static()),
                    Capability::Other(a) => Capability::Other(OtherCapability(a.0.into_static())),
                }
            }
        }
    };
}

/// `s` in upper case, as an array of its length (the rows' names as match patterns).
const fn upper<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    let mut out = [0u8; N];
    let mut k = 0;
    while k < N {
        out[k] = b[k].to_ascii_uppercase();
        k += 1;
    }
    out
}

capabilities! {
    Imap4rev1 = "IMAP4rev1", "`IMAP4rev1` (RFC 3501)";
    Imap4rev2 = "IMAP4rev2", "`IMAP4rev2` (RFC 9051)";
    StartTls = "STARTTLS", "`STARTTLS` (RFC 9051 §6.2.1)";
    LoginDisabled = "LOGINDISABLED", "`LOGINDISABLED` (RFC 9051 §6.2.3)";
    SaslIr = "SASL-IR", "`SASL-IR` (RFC 4959)";
    LiteralPlus = "LITERAL+", "`LITERAL+` (RFC 7888)";
    LiteralMinus = "LITERAL-", "`LITERAL-` (RFC 7888)";
    Idle = "IDLE", "`IDLE` (RFC 2177)";
    Enable = "ENABLE", "`ENABLE` (RFC 5161)";
    Unselect = "UNSELECT", "`UNSELECT` (RFC 3691)";
    Namespace = "NAMESPACE", "`NAMESPACE` (RFC 2342)";
    UidPlus = "UIDPLUS", "`UIDPLUS` (RFC 4315)";
    Esearch = "ESEARCH", "`ESEARCH` (RFC 4731)";
    SearchRes = "SEARCHRES", "`SEARCHRES` (RFC 5182)";
    Move = "MOVE", "`MOVE` (RFC 6851)";
    Binary = "BINARY", "`BINARY` (RFC 3516)";
    Children = "CHILDREN", "`CHILDREN` (RFC 3348)";
    ListExtended = "LIST-EXTENDED", "`LIST-EXTENDED` (RFC 5258)";
    ListStatus = "LIST-STATUS", "`LIST-STATUS` (RFC 5819)";
    SpecialUse = "SPECIAL-USE", "`SPECIAL-USE` (RFC 6154)";
    StatusSize = "STATUS=SIZE", "`STATUS=SIZE` (RFC 8438)";
    Utf8Accept = "UTF8=ACCEPT", "`UTF8=ACCEPT` (RFC 6855)";
    Utf8Only = "UTF8=ONLY", "`UTF8=ONLY` (RFC 6855)";
    CondStore = "CONDSTORE", "`CONDSTORE` (RFC 7162)";
    QResync = "QRESYNC", "`QRESYNC` (RFC 7162)";
    Sort = "SORT", "`SORT` (RFC 5256)";
    Esort = "ESORT", "`ESORT` (RFC 5267)";
    ContextSearch = "CONTEXT=SEARCH", "`CONTEXT=SEARCH` (RFC 5267)";
    ContextSort = "CONTEXT=SORT", "`CONTEXT=SORT` (RFC 5267)";
    Partial = "PARTIAL", "`PARTIAL` (RFC 9394)";
    Quota = "QUOTA", "`QUOTA` (RFC 9208)";
    Id = "ID", "`ID` (RFC 2971)";
    CompressDeflate = "COMPRESS=DEFLATE", "`COMPRESS=DEFLATE` (RFC 4978)";
    Within = "WITHIN", "`WITHIN` (RFC 5032)";
    SearchFuzzy = "SEARCH=FUZZY", "`SEARCH=FUZZY` (RFC 6203)";
    ObjectId = "OBJECTID", "`OBJECTID` (RFC 8474)";
    SaveDate = "SAVEDATE", "`SAVEDATE` (RFC 8514)";
    Preview = "PREVIEW", "`PREVIEW` (RFC 8970)";
    Notify = "NOTIFY", "`NOTIFY` (RFC 5465)";
    UidOnly = "UIDONLY", "`UIDONLY` (RFC 9586)";
    QuotaSet = "QUOTASET", "`QUOTASET` (RFC 9208 §3.2)";
    Acl = "ACL", "`ACL` (RFC 4314)";
    Metadata = "METADATA", "`METADATA` (RFC 5464)";
    MetadataServer = "METADATA-SERVER", "`METADATA-SERVER` (RFC 5464)";
    ListMyRights = "LIST-MYRIGHTS", "`LIST-MYRIGHTS` (RFC 8440)";
    CreateSpecialUse = "CREATE-SPECIAL-USE", "`CREATE-SPECIAL-USE` (RFC 6154 §3)";
    XGmExt1 = "X-GM-EXT-1", "`X-GM-EXT-1` (Gmail's IMAP extensions)";
    Xlist = "XLIST", "`XLIST` (Gmail's predecessor of SPECIAL-USE, a legacy form)";
    Multiappend = "MULTIAPPEND", "`MULTIAPPEND` (RFC 3502)";
    Catenate = "CATENATE", "`CATENATE` (RFC 4469)";
    Replace = "REPLACE", "`REPLACE` (RFC 8508)";
    Unauthenticate = "UNAUTHENTICATE", "`UNAUTHENTICATE` (RFC 8437)";
    Language = "LANGUAGE", "`LANGUAGE` (RFC 5255 §3)";
    I18nLevel1 = "I18NLEVEL=1", "`I18NLEVEL=1` (RFC 5255 §4)";
    I18nLevel2 = "I18NLEVEL=2", "`I18NLEVEL=2` (RFC 5255 §4)";
    LoginReferrals = "LOGIN-REFERRALS", "`LOGIN-REFERRALS` (RFC 2221)";
    MailboxReferrals = "MAILBOX-REFERRALS", "`MAILBOX-REFERRALS` (RFC 2193)";
    Urlauth = "URLAUTH", "`URLAUTH` (RFC 4467)";
}

/// A capability this crate has no variant for: an atom that is neither a known name nor
/// `AUTH=...`, so that every capability has exactly one representation.
///
/// ```
/// use mailproto_imap_codec::capability::OtherCapability;
/// assert!(OtherCapability::new("X-GOOD-IDEA").is_ok());
/// assert!(OtherCapability::new("idle").is_err());
/// assert!(OtherCapability::new("AUTH=PLAIN").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct OtherCapability<'a>(Atom<'a>);

impl<'a> OtherCapability<'a> {
    /// Checks that `name` is an atom and not a capability with its own variant.
    pub fn new(
        name: impl Into<alloc::borrow::Cow<'a, str>>,
    ) -> Result<Self, crate::ValidationError> {
        let atom = Atom::new(name)?;
        match Capability::parse(atom.as_str().as_bytes()) {
            Ok((_, Capability::Other(_))) => Ok(OtherCapability(atom)),
            _ => Err(crate::ValidationError::new("capability", Some(0))),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<'a> Capability<'a> {
    /// Parses one capability name.
    pub fn parse_str(s: &'a str) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(s.as_bytes(), Self::parse)
    }

    /// Parses `capability = ("AUTH=" auth-type) / atom`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = take_while1(i, is_atom_char, "capability")?;
        // No row's name starts with one of the prefixes below.
        if let Some(cap) = known(name) {
            return Ok((rest, cap));
        }
        if starts_with_ci(name, b"AUTH=") && name.len() > 5 {
            return Ok((rest, Capability::Auth(Atom::from_checked(&name[5..]))));
        }
        if starts_with_ci(name, b"QUOTA=RES-") && name.len() > 10 {
            let resource =
                crate::ext::quota::QuotaResource::from_atom(Atom::from_checked(&name[10..]));
            return Ok((rest, Capability::QuotaRes(resource)));
        }
        if starts_with_ci(name, b"RIGHTS=")
            && name.len() > 7
            && name[7..].iter().all(u8::is_ascii_lowercase)
        {
            return Ok((rest, Capability::Rights(Atom::from_checked(&name[7..]))));
        }
        Ok((
            rest,
            Capability::Other(OtherCapability(Atom::from_checked(name))),
        ))
    }

    /// The name as it is written on the wire.
    pub fn as_str(&self) -> alloc::borrow::Cow<'_, str> {
        match self {
            Capability::Auth(m) => format!("AUTH={}", m.as_str()).into(),
            Capability::QuotaRes(r) => format!("QUOTA=RES-{}", r.as_str()).into(),
            Capability::Rights(r) => format!("RIGHTS={}", r.as_str()).into(),
            Capability::Other(a) => a.as_str().into(),
            known => known.known_name().unwrap_or_default().into(),
        }
    }
}

impl Encode for Capability<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Capability::Auth(m) => {
                e.raw(b"AUTH=").raw(m.as_str().as_bytes());
            }
            Capability::QuotaRes(r) => {
                e.raw(b"QUOTA=RES-").raw(r.as_str().as_bytes());
            }
            Capability::Rights(r) => {
                e.raw(b"RIGHTS=").raw(r.as_str().as_bytes());
            }
            Capability::Other(a) => {
                e.raw(a.as_str().as_bytes());
            }
            known => {
                e.raw(known.known_name().unwrap_or_default().as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `cap` as encoded.
    fn wire(cap: &Capability<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        cap.encode(&mut e);
        drop(e);
        out
    }

    /// The table walk the dispatch replaces: the row whose name equals `name` in any case.
    fn walk(name: &[u8]) -> Option<Capability<'static>> {
        KNOWN
            .iter()
            .find(|(t, _)| name.eq_ignore_ascii_case(t.as_bytes()))
            .map(|(_, c)| c.clone())
    }

    #[test]
    fn dispatch_finds_every_row_in_any_case() {
        for (text, cap) in KNOWN {
            for name in [
                text.to_string(),
                text.to_ascii_lowercase(),
                text.to_ascii_uppercase(),
            ] {
                assert_eq!(known(name.as_bytes()).as_ref(), Some(cap), "{name}");
                assert_eq!(Capability::parse_str(&name).unwrap(), *cap);
                assert_eq!(cap.as_str(), *text);
                assert_eq!(wire(cap), text.as_bytes());
            }
            // One byte more, one byte less, or one byte changed: no longer that row.
            let mut longer = text.to_string();
            longer.push('X');
            assert_eq!(known(longer.as_bytes()), walk(longer.as_bytes()));
            assert_eq!(known(&text.as_bytes()[1..]), walk(&text.as_bytes()[1..]));
        }
        assert_eq!(known(b""), None);
        assert_eq!(known(&[b'A'; NAME_MAX + 1]), None);
    }

    proptest! {
        /// On names made of the rows' bytes, mutated (case flipped, bytes changed, cut,
        /// extended), the dispatch finds what the table walk finds.
        #[test]
        fn dispatch_is_the_table_walk(
            row in 0..KNOWN.len(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..5, any::<u8>()), 0..4),
        ) {
            let mut name = KNOWN[row].0.as_bytes().to_vec();
            for (at, op, b) in edits {
                let k = if name.is_empty() { 0 } else { at.index(name.len()) };
                match op {
                    0 if !name.is_empty() => name[k] ^= 0x20,
                    1 if !name.is_empty() => name[k] = b,
                    2 if !name.is_empty() => name.truncate(k),
                    3 => name.insert(k, b),
                    _ => name.push(b'-'),
                }
            }
            prop_assert_eq!(known(&name), walk(&name));
            if let Ok((rest, cap)) = Capability::parse(&name) {
                let end = name.len() - rest.len();
                let taken = &name[..end];
                let expected = walk(taken);
                if let Some(expected) = expected {
                    prop_assert_eq!(cap, expected);
                } else {
                    prop_assert!(known(taken).is_none());
                    prop_assert_eq!(wire(&cap), taken.to_vec());
                }
            }
        }
    }

    #[test]
    fn known_and_unknown() {
        assert_eq!(
            Capability::parse_str("imap4REV1").unwrap(),
            Capability::Imap4rev1
        );
        assert_eq!(Capability::parse_str("IDLE").unwrap().as_str(), "IDLE");
        let other = Capability::parse_str("X-GOOD-IDEA").unwrap();
        assert_eq!(other.as_str(), "X-GOOD-IDEA");
        assert!(Capability::parse_str("").is_err());
        assert!(matches!(
            Capability::parse_str("AUTH=").unwrap(),
            Capability::Other(_)
        ));
        // RFC 9208 §3.1, RFC 4314 §2.1.
        let q = Capability::parse_str("QUOTA=RES-storage").unwrap();
        assert_eq!(
            q,
            Capability::QuotaRes(crate::ext::quota::QuotaResource::Storage)
        );
        assert_eq!(q.as_str(), "QUOTA=RES-STORAGE");
        assert_eq!(
            Capability::parse_str("QUOTA=RES-X-Y").unwrap().as_str(),
            "QUOTA=RES-X-Y"
        );
        assert_eq!(
            Capability::parse_str("QUOTASET").unwrap(),
            Capability::QuotaSet
        );
        assert!(matches!(
            Capability::parse_str("RIGHTS=texk").unwrap(),
            Capability::Rights(r) if r.as_str() == "texk"
        ));
        assert!(matches!(
            Capability::parse_str("RIGHTS=TEXK").unwrap(),
            Capability::Other(_)
        ));
        assert!(matches!(
            Capability::parse_str("QUOTA=RES-").unwrap(),
            Capability::Other(_)
        ));
    }
}
