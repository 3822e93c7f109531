//! Capabilities announced in answer to CAPA (RFC 2449 §5–6, RFC 2595 §4 STLS, RFC 3206 §6
//! AUTH-RESP-CODE, RFC 5034 §3 SASL, RFC 6856 §2–3 UTF8 and LANG).
//!
//! `capability = capa-tag *(SP param) CRLF` (RFC 2449 §3, at most 512 octets). Tags are
//! matched ignoring case and encoded in upper case; a known tag with malformed arguments is
//! an error; unknown tags are kept as [`Capability::Other`].

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::core::{
    CapaTag, Cursor, IntoStatic, Mechanism, Param, Text, is_cchar, is_param_byte, put_number,
};
use crate::error::{ParseError, ValidationError};

/// One capability line (RFC 2449 §6 and later RFCs).
///
/// ```
/// use mailproto_pop3_codec::{Capability, Encode, Expire};
/// let cap = Capability::parse(b"expire 5 USER").unwrap();
/// assert_eq!(cap, Capability::Expire { policy: Expire::Days(5), per_user: true });
/// let mut out = Vec::new();
/// cap.encode_line(&mut out);
/// assert_eq!(out, b"EXPIRE 5 USER\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `TOP` (RFC 2449 §6.1).
    Top,
    /// `USER` (RFC 2449 §6.2).
    User,
    /// `SASL mechs...` (RFC 2449 §6.3, RFC 5034 §3).
    Sasl(Vec<Mechanism<'a>>),
    /// `RESP-CODES` (RFC 2449 §6.4).
    RespCodes,
    /// `LOGIN-DELAY n [USER]` (RFC 2449 §6.5).
    LoginDelay {
        /// Minimum seconds between logins.
        seconds: u32,
        /// `USER`: the value may differ per user (ask again after login).
        per_user: bool,
    },
    /// `PIPELINING` (RFC 2449 §6.6).
    Pipelining,
    /// `EXPIRE n|NEVER [USER]` (RFC 2449 §6.7).
    Expire {
        /// The retention policy.
        policy: Expire,
        /// `USER`: the value may differ per user.
        per_user: bool,
    },
    /// `UIDL` (RFC 2449 §6.8).
    Uidl,
    /// `IMPLEMENTATION text` (RFC 2449 §6.9): the rest of the line.
    Implementation(Text<'a>),
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `UTF8 [USER]` (RFC 6856 §2; `USER`: UTF-8 user names and passwords, §2.2).
    Utf8 {
        /// `USER` was given.
        user: bool,
    },
    /// `LANG` (RFC 6856 §3).
    Lang,
    /// `AUTH-RESP-CODE` (RFC 3206 §6).
    AuthRespCode,
    /// Any other tag, with its parameters.
    Other(OtherCapability<'a>),
}

/// The argument of EXPIRE (RFC 2449 §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Expire {
    /// Messages are kept at least this many days (0: do not leave mail on the server).
    Days(u32),
    /// `NEVER`: messages are never deleted by the server.
    Never,
}

/// A capability this crate does not know (RFC 2449 §9 registry, or private ones): tag and
/// parameters, as received.
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OtherCapability<'a> {
    tag: CapaTag<'a>,
    params: Vec<Param<'a>>,
}

impl<'a> OtherCapability<'a> {
    /// An unknown capability; a tag this crate knows is rejected (use its variant).
    pub fn new(tag: CapaTag<'a>, params: Vec<Param<'a>>) -> Result<Self, ValidationError> {
        if KNOWN.iter().any(|k| k.eq_ignore_ascii_case(tag.as_str())) {
            return Err(ValidationError::new("unknown capa-tag", None));
        }
        Ok(OtherCapability { tag, params })
    }

    /// The tag.
    pub fn tag(&self) -> &CapaTag<'a> {
        &self.tag
    }

    /// The parameters.
    pub fn params(&self) -> &[Param<'a>] {
        &self.params
    }
}

const KNOWN: &[&str] = &[
    "TOP",
    "USER",
    "SASL",
    "RESP-CODES",
    "LOGIN-DELAY",
    "PIPELINING",
    "EXPIRE",
    "UIDL",
    "IMPLEMENTATION",
    "STLS",
    "UTF8",
    "LANG",
    "AUTH-RESP-CODE",
];

impl<'a> Capability<'a> {
    /// Parses one capability line without its CRLF.
    pub fn parse(line: &'a [u8]) -> Result<Capability<'a>, ParseError> {
        let mut c = Cursor::new(line);
        let cap = Self::parse_at(&mut c)?;
        c.end()?;
        Ok(cap)
    }

    /// Parses a capability from `c` up to (not including) the line end.
    pub(crate) fn parse_at(c: &mut Cursor<'a>) -> Result<Capability<'a>, ParseError> {
        let (tag_at, tag) = c.take1(is_cchar, "capa-tag")?;
        let known = KNOWN
            .iter()
            .find(|k| k.as_bytes().eq_ignore_ascii_case(tag))
            .copied();
        let user_flag = |c: &mut Cursor<'a>| -> Result<bool, ParseError> {
            if c.peek() == Some(b' ') {
                c.pos += 1;
                let (at, w) = c.take1(is_param_byte, "USER")?;
                if w.eq_ignore_ascii_case(b"USER") {
                    Ok(true)
                } else {
                    Err(ParseError::syntax(at, "USER"))
                }
            } else {
                Ok(false)
            }
        };
        let cap = match known {
            Some("TOP") => Capability::Top,
            Some("USER") => Capability::User,
            Some("SASL") => {
                let mut mechs = Vec::new();
                while c.peek() == Some(b' ') {
                    c.pos += 1;
                    let (at, m) = c.take1(is_param_byte, "sasl-mech")?;
                    mechs.push(Mechanism::from_wire(m, at, "sasl-mech")?);
                }
                Capability::Sasl(mechs)
            }
            Some("RESP-CODES") => Capability::RespCodes,
            Some("LOGIN-DELAY") => {
                c.sp()?;
                let seconds = c.u32("seconds")?;
                let per_user = user_flag(c)?;
                Capability::LoginDelay { seconds, per_user }
            }
            Some("PIPELINING") => Capability::Pipelining,
            Some("EXPIRE") => {
                c.sp()?;
                let policy = if c.peek().is_some_and(|b| b.is_ascii_digit()) {
                    Expire::Days(c.u32("days")?)
                } else {
                    let (at, w) = c.take1(is_param_byte, "days or NEVER")?;
                    if !w.eq_ignore_ascii_case(b"NEVER") {
                        return Err(ParseError::syntax(at, "days or NEVER"));
                    }
                    Expire::Never
                };
                let per_user = user_flag(c)?;
                Capability::Expire { policy, per_user }
            }
            Some("UIDL") => Capability::Uidl,
            Some("IMPLEMENTATION") => {
                c.sp()?;
                let (_, text) = c.take_text();
                Capability::Implementation(Text::from_checked(text))
            }
            Some("STLS") => Capability::Stls,
            Some("UTF8") => Capability::Utf8 {
                user: user_flag(c)?,
            },
            Some("LANG") => Capability::Lang,
            Some("AUTH-RESP-CODE") => Capability::AuthRespCode,
            _ => {
                let tag = CapaTag::from_wire(tag, tag_at, "capa-tag")?;
                let mut params = Vec::new();
                while c.peek() == Some(b' ') {
                    c.pos += 1;
                    let (at, p) = c.take1(is_param_byte, "param")?;
                    params.push(Param::from_wire(p, at, "param")?);
                }
                Capability::Other(OtherCapability { tag, params })
            }
        };
        if !c.at_eol() {
            return Err(ParseError::syntax(c.pos, "CRLF"));
        }
        Ok(cap)
    }

    /// Appends the capability line, CRLF included.
    pub fn encode_line(&self, out: &mut Vec<u8>) {
        let tag: Cow<'_, str> = match self {
            Capability::Top => "TOP".into(),
            Capability::User => "USER".into(),
            Capability::Sasl(_) => "SASL".into(),
            Capability::RespCodes => "RESP-CODES".into(),
            Capability::LoginDelay { .. } => "LOGIN-DELAY".into(),
            Capability::Pipelining => "PIPELINING".into(),
            Capability::Expire { .. } => "EXPIRE".into(),
            Capability::Uidl => "UIDL".into(),
            Capability::Implementation(_) => "IMPLEMENTATION".into(),
            Capability::Stls => "STLS".into(),
            Capability::Utf8 { .. } => "UTF8".into(),
            Capability::Lang => "LANG".into(),
            Capability::AuthRespCode => "AUTH-RESP-CODE".into(),
            Capability::Other(o) => o.tag.as_str().into(),
        };
        out.extend_from_slice(tag.as_bytes());
        match self {
            Capability::Sasl(mechs) => {
                for m in mechs {
                    out.push(b' ');
                    out.extend_from_slice(m.as_str().as_bytes());
                }
            }
            Capability::LoginDelay { seconds, per_user } => {
                out.push(b' ');
                put_number(out, u64::from(*seconds));
                if *per_user {
                    out.extend_from_slice(b" USER");
                }
            }
            Capability::Expire { policy, per_user } => {
                out.push(b' ');
                match policy {
                    Expire::Days(d) => put_number(out, u64::from(*d)),
                    Expire::Never => out.extend_from_slice(b"NEVER"),
                }
                if *per_user {
                    out.extend_from_slice(b" USER");
                }
            }
            Capability::Implementation(text) => {
                out.push(b' ');
                out.extend_from_slice(text.as_bytes());
            }
            Capability::Utf8 { user: true } => out.extend_from_slice(b" USER"),
            Capability::Other(o) => {
                for p in &o.params {
                    out.push(b' ');
                    out.extend_from_slice(p.as_str().as_bytes());
                }
            }
            _ => {}
        }
        out.extend_from_slice(b"\r\n");
    }
}
