//! URLAUTH (RFC 4467): URLs that carry their own authorization (GENURLAUTH, §6.1), the
//! revocation of their keys (RESETKEY, §6.2) and the fetch of their data (URLFETCH, §6.3).
//!
//! ```text
//! capability      =/ "URLAUTH"                                        ; RFC 4467 §9
//! command-auth    =/ resetkey / genurlauth / urlfetch
//! resetkey        = "RESETKEY" [SP mailbox *(SP mechanism)]
//! genurlauth      = "GENURLAUTH" 1*(SP url-rump SP mechanism)
//! urlfetch        = "URLFETCH" 1*(SP url-full)
//! genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full)
//! urlfetch-data   = "*" SP "URLFETCH" 1*(SP url-full SP nstring)
//! resp-text-code  =/ "URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])
//! url-full        = astring   ; contains authimapurlfull
//! url-rump        = astring   ; contains authimapurlrump
//! mechanism       = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")
//! ```
//!
//! **Where the grammar came from.** RFC 4467 is not in the repository's RFC set. The IMAP
//! rules above are RFC 4467 §9 as published (the RFC Editor's rfc4467.txt, read through a
//! mirror, www.eeworm.com/read/449141/1679706/3, with the URLFETCH example of §7.4); the
//! `mechanism` rule belongs to the IMAPURL part of §9, which that excerpt cut off, and is
//! written here as the RFC has it (the IANA "URLAUTH Authorization Mechanism Registry",
//! created by RFC 4467, lists `INTERNAL`, case-insensitive). The URLs are kept as the
//! `astring`s the grammar says they are; their RFC 5092 syntax is the server's business.
//!
//! The commands are rows of the command table (`GenUrlauth`, `ResetKey`, `UrlFetch`: valid
//! when authenticated or selected, capability `URLAUTH`), the responses rows of the data
//! table, `URLMECH` a row of the code table.

use crate::prelude::*;

use alloc::borrow::Cow;

use mailproto_core::IntoStatic;

use crate::command::CommandBody;
use crate::context::Ctx;
use crate::core::{AString, NString};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::ext::NonEmpty;
use crate::mailbox::Mailbox;
use crate::parse::{ascii_str, sp, take_while};

fn is_mechanism_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// `mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")` (RFC 4467 §9): a URLAUTH
/// authorization mechanism, case-insensitive.
///
/// ```
/// use mailproto_imap_codec::ext::urlauth::UrlauthMechanism;
/// assert!(UrlauthMechanism::new("INTERNAL").unwrap().is_internal());
/// assert!(UrlauthMechanism::new("XSAMPLE").is_ok());
/// assert!(UrlauthMechanism::new("X SAMPLE").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct UrlauthMechanism<'a>(Cow<'a, str>);

impl<'a> UrlauthMechanism<'a> {
    /// Checks `name` against the rule.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let name = name.into();
        if name.is_empty() {
            return Err(ValidationError::new("mechanism", None));
        }
        if let Some(p) = name.bytes().position(|b| !is_mechanism_char(b)) {
            return Err(ValidationError::new("mechanism", Some(p)));
        }
        Ok(UrlauthMechanism(name))
    }

    /// The name, as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `INTERNAL` (any case).
    pub fn is_internal(&self) -> bool {
        self.0.eq_ignore_ascii_case("INTERNAL")
    }

    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = take_while(i, is_mechanism_char);
        if name.is_empty() {
            return fail(i, "mechanism");
        }
        Ok((rest, UrlauthMechanism(Cow::Borrowed(ascii_str(name)))))
    }
}

impl Encode for UrlauthMechanism<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(self.0.as_bytes());
    }
}

/// One `SP url-rump SP mechanism` pair of GENURLAUTH (RFC 4467 §6.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UrlauthRequest<'a> {
    /// `url-rump`: the URL up to and including `;URLAUTH=access`.
    pub rump: AString<'a>,
    /// The mechanism to authorize it with.
    pub mechanism: UrlauthMechanism<'a>,
}

/// One `url-full SP nstring` of a URLFETCH response (RFC 4467 §7.4): NIL when the URL is
/// not valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UrlFetchItem<'a> {
    /// `url-full`
    pub url: AString<'a>,
    /// The data, NIL for an invalid URL.
    pub data: NString<'a>,
}

/// One `mechanism ["=" base64]` after `INTERNAL` in a `[URLMECH ...]` code (RFC 4467 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UrlMechEntry<'a> {
    /// The mechanism.
    pub mechanism: UrlauthMechanism<'a>,
    /// Its parameter, base64 as sent (`None` without `=`).
    pub base64: Option<Cow<'a, str>>,
}

/// The argument of `[URLMECH INTERNAL *(SP mechanism ["=" base64])]` (RFC 4467 §9): the
/// mechanisms other than `INTERNAL`, which is always first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct UrlMech<'a>(Vec<UrlMechEntry<'a>>);

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// `base64 = *(4base64-char) [base64-terminal]` (RFC 9051 §9): whole quads, the last one
/// possibly padded with `=`.
fn is_base64(s: &[u8]) -> bool {
    if s.is_empty() || !s.len().is_multiple_of(4) {
        return false;
    }
    let body = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    body.iter().all(|&b| is_base64_char(b))
}

impl<'a> UrlMech<'a> {
    /// The mechanisms after `INTERNAL`; fails when one is `INTERNAL` again or a parameter is
    /// not base64.
    pub fn new(entries: Vec<UrlMechEntry<'a>>) -> Result<Self, ValidationError> {
        for (n, e) in entries.iter().enumerate() {
            if e.mechanism.is_internal() {
                return Err(ValidationError::new("mechanism", Some(n)));
            }
            if let Some(b) = &e.base64
                && !is_base64(b.as_bytes())
            {
                return Err(ValidationError::new("base64", Some(n)));
            }
        }
        Ok(UrlMech(entries))
    }

    /// The mechanisms after `INTERNAL`.
    pub fn others(&self) -> &[UrlMechEntry<'a>] {
        &self.0
    }

    /// Parses `SP "INTERNAL" *(SP mechanism ["=" base64])` after the code's name.
    pub(crate) fn parse(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, Self> {
        let (i, ()) = sp(i)?;
        let (mut i, first) = UrlauthMechanism::parse(i)?;
        if !first.is_internal() {
            return fail(i, "\"INTERNAL\"");
        }
        let mut out = Vec::new();
        while i.first() == Some(&b' ') {
            let at = &i[1..];
            let (r, mechanism) = UrlauthMechanism::parse(at)?;
            let (r, base64) = if r.first() == Some(&b'=') {
                let (rest, b) = take_while(&r[1..], |b| is_base64_char(b) || b == b'=');
                if !is_base64(b) {
                    return fail(&r[1..], "base64");
                }
                (rest, Some(Cow::Borrowed(ascii_str(b))))
            } else {
                (r, None)
            };
            out.push(UrlMechEntry { mechanism, base64 });
            i = r;
        }
        Ok((i, UrlMech(out)))
    }

    /// Writes `SP "INTERNAL" *(SP mechanism ["=" base64])`.
    pub(crate) fn encode(&self, e: &mut Encoder<'_>) {
        e.raw(b" INTERNAL");
        for m in &self.0 {
            e.sp();
            m.mechanism.encode(e);
            if let Some(b) = &m.base64 {
                e.byte(b'=').raw(b.as_bytes());
            }
        }
    }
}

// ---- commands ----

/// The GENURLAUTH arguments after the name: `1*(SP url-rump SP mechanism)`.
pub(crate) fn parse_genurlauth(mut i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let mut out = Vec::new();
    loop {
        let (r, ()) = sp(i)?;
        let (r, rump) = AString::parse::<true>(r)?;
        let (r, ()) = sp(r)?;
        let (r, mechanism) = UrlauthMechanism::parse(r)?;
        out.push(UrlauthRequest { rump, mechanism });
        i = r;
        if i.first() != Some(&b' ') {
            return Ok((
                i,
                CommandBody::GenUrlauth {
                    requests: NonEmpty::from_parsed(out),
                },
            ));
        }
    }
}

/// Writes the GENURLAUTH arguments.
pub(crate) fn encode_genurlauth(requests: &[UrlauthRequest<'_>], e: &mut Encoder<'_>) {
    for r in requests {
        e.sp();
        r.rump.encode(e);
        e.sp();
        r.mechanism.encode(e);
    }
}

/// The RESETKEY arguments after the name: `[SP mailbox *(SP mechanism)]`.
pub(crate) fn parse_resetkey(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    if i.first() != Some(&b' ') {
        return Ok((
            i,
            CommandBody::ResetKey {
                mailbox: None,
                mechanisms: Vec::new(),
            },
        ));
    }
    let (mut i, mailbox) = crate::command::sp_mailbox(i)?;
    let mut mechanisms = Vec::new();
    while i.first() == Some(&b' ') {
        let (r, m) = UrlauthMechanism::parse(&i[1..])?;
        mechanisms.push(m);
        i = r;
    }
    Ok((
        i,
        CommandBody::ResetKey {
            mailbox: Some(mailbox),
            mechanisms,
        },
    ))
}

/// Writes the RESETKEY arguments.
pub(crate) fn encode_resetkey(
    mailbox: Option<&Mailbox<'_>>,
    mechanisms: &[UrlauthMechanism<'_>],
    e: &mut Encoder<'_>,
) {
    if let Some(m) = mailbox {
        e.sp();
        m.encode(e);
        for mech in mechanisms {
            e.sp();
            mech.encode(e);
        }
    }
}

/// `1*(SP astring)`: the URLFETCH arguments, and the GENURLAUTH response.
pub(crate) fn sp_astrings1<const CMD: bool>(mut i: &[u8]) -> PResult<'_, NonEmpty<AString<'_>>> {
    let mut out = Vec::new();
    loop {
        let (r, ()) = sp(i)?;
        let (r, a) = AString::parse::<CMD>(r)?;
        out.push(a);
        i = r;
        if i.first() != Some(&b' ') {
            return Ok((i, NonEmpty::from_parsed(out)));
        }
    }
}

/// Writes `1*(SP astring)`.
pub(crate) fn encode_sp_astrings1(items: &[AString<'_>], e: &mut Encoder<'_>) {
    for a in items {
        e.sp();
        a.encode(e);
    }
}

// ---- responses ----

/// `genurlauth-data` after the name: `1*(SP url-full)`.
pub(crate) fn parse_genurlauth_data<'a>(
    i: &'a [u8],
    _: &Ctx<'_>,
) -> PResult<'a, NonEmpty<AString<'a>>> {
    sp_astrings1::<false>(i)
}

/// `urlfetch-data` after the name: `1*(SP url-full SP nstring)`.
pub(crate) fn parse_urlfetch_data<'a>(
    mut i: &'a [u8],
    _: &Ctx<'_>,
) -> PResult<'a, NonEmpty<UrlFetchItem<'a>>> {
    let mut out = Vec::new();
    loop {
        let (r, ()) = sp(i)?;
        let (r, url) = AString::parse::<false>(r)?;
        let (r, ()) = sp(r)?;
        let (r, data) = NString::parse_as::<false>(r, "nstring")?;
        out.push(UrlFetchItem { url, data });
        i = r;
        if i.first() != Some(&b' ') {
            return Ok((i, NonEmpty::from_parsed(out)));
        }
    }
}

/// Writes `urlfetch-data` after the name.
pub(crate) fn encode_urlfetch_data(items: &NonEmpty<UrlFetchItem<'_>>, e: &mut Encoder<'_>) {
    for it in items {
        e.sp();
        it.url.encode(e);
        e.sp();
        it.data.encode(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Capability;
    use crate::Code;
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{CommandKind, States};
    use crate::response::{Data, Response};

    const URL: &str = "\"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038\"";

    fn response(line: &str) -> Response<'_> {
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), line);
        r
    }

    /// RFC 4467 §7.4's URLFETCH example, and the grammar of §9.
    #[test]
    fn urlfetch() {
        let c = roundtrip(format!("a002 URLFETCH {URL}\r\n").as_bytes(), true).into_static();
        let CommandBody::UrlFetch { urls } = &c.body else {
            panic!()
        };
        assert_eq!(urls.len(), 1);
        let line = format!("* URLFETCH {URL} {{28}}\r\nSi vis pacem, para bellum.\r\n\r\n");
        let r = response(&line);
        let Response::Data(Data::UrlFetch(items)) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(
            items.first().data.as_bytes(),
            Some(&b"Si vis pacem, para bellum.\r\n"[..])
        );
        response("* URLFETCH a NIL b \"x\"\r\n");
        roundtrip(b"a URLFETCH a b\r\n", true);
        rejects(b"a URLFETCH\r\n", 10, "SP");
        assert!(Response::parse(b"* URLFETCH a\r\n").is_err());
        assert!(Response::parse(b"* URLFETCH\r\n").is_err());
    }

    #[test]
    fn genurlauth() {
        let rump = "\"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred\"";
        let line = format!("a001 GENURLAUTH {rump} INTERNAL\r\n");
        let c = roundtrip(line.as_bytes(), true);
        let CommandBody::GenUrlauth { requests } = &c.body else {
            panic!()
        };
        assert!(requests.first().mechanism.is_internal());
        roundtrip(b"a GENURLAUTH x INTERNAL y XSAMPLE\r\n", true);
        rejects(b"a GENURLAUTH x\r\n", 14, "SP");
        rejects(b"a GENURLAUTH x INTERNAL y\r\n", 25, "SP");
        rejects(b"a GENURLAUTH x (y)\r\n", 15, "mechanism");
        let line = format!("* GENURLAUTH {URL}\r\n");
        let r = response(&line);
        assert!(matches!(r, Response::Data(Data::GenUrlauth(_))));
        assert!(Response::parse(b"* GENURLAUTH\r\n").is_err());
        assert_eq!(CommandKind::GenUrlauth.states(), States::AUTH);
        assert_eq!(
            CommandKind::UrlFetch.capability(),
            Some(Capability::Urlauth)
        );
    }

    #[test]
    fn resetkey_and_urlmech() {
        for line in [
            "a041 RESETKEY\r\n",
            "a042 RESETKEY INBOX\r\n",
            "a043 RESETKEY INBOX XSAMPLE INTERNAL\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        rejects(b"a RESETKEY INBOX (x)\r\n", 17, "mechanism");
        rejects(b"a RESETKEY \r\n", 11, "mailbox");
        let r =
            response("a042 OK [URLMECH INTERNAL XSAMPLE=P34OKhO7VEkCbsiYY8rGEg== Y.2] done\r\n");
        let Response::Status(s) = &r else { panic!() };
        let Some(Code::UrlMech(m)) = s.code() else {
            panic!("{s:?}")
        };
        assert_eq!(m.others().len(), 2);
        assert_eq!(
            m.others()[0].base64.as_deref(),
            Some("P34OKhO7VEkCbsiYY8rGEg==")
        );
        response("* OK [URLMECH INTERNAL] ready\r\n");
        for bad in [
            &b"* OK [URLMECH] x\r\n"[..],
            b"* OK [URLMECH XSAMPLE] x\r\n",
            b"* OK [URLMECH INTERNAL X=abc] x\r\n",
        ] {
            let Response::Status(s) = Response::parse(bad).unwrap() else {
                panic!()
            };
            assert_eq!(s.code(), None, "{bad:?}");
        }
        assert!(
            UrlMech::new(vec![UrlMechEntry {
                mechanism: UrlauthMechanism::new("INTERNAL").unwrap(),
                base64: None
            }])
            .is_err()
        );
    }
}
