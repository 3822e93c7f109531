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

        const KNOWN: &[(&str, Capability<'static>)] = &[$(($text, Capability::$variant),)*];

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
        for (text, cap) in KNOWN {
            if name.eq_ignore_ascii_case(text.as_bytes()) {
                return Ok((rest, cap.clone()));
            }
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
            known => KNOWN
                .iter()
                .find(|(_, c)| c == known)
                .map(|(t, _)| (*t).into())
                .unwrap_or_default(),
        }
    }
}

impl Encode for Capability<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Capability::Auth(m) => {
                e.raw(b"AUTH=").raw(m.as_str().as_bytes());
            }
            other => {
                e.raw(other.as_str().as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
