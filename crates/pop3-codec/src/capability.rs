//! Capabilities announced in answer to CAPA (RFC 2449 §5–6, RFC 2595 §4 STLS, RFC 3206 §6
//! AUTH-RESP-CODE, RFC 5034 §3 SASL, RFC 6856 §2–3 UTF8 and LANG).
//!
//! `capability = capa-tag *(SP param) CRLF` (RFC 2449 §3, at most 512 octets). Tags are
//! matched ignoring case and encoded in upper case; a known tag with malformed arguments is
//! an error; unknown tags are kept as [`Capability::Other`].

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::core::{
    CapaTag, Cursor, IntoStatic, Mechanism, Param, Text, cchar_len, is_param_byte, param_len,
    put_number,
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

/// A capability name as one number: its octets, the first the lowest, ASCII letters in upper
/// case, zero-padded to 16 (a `capa-tag` has no NUL, so names of up to 16 octets that are
/// equal ignoring ASCII case, and only they, have the same key); 0 for a longer name. One
/// comparison of 128-bit numbers per known name: no per-octet loop, and nothing a fuzz
/// build's comparison hooks (8 to 64 bits) call into the fuzzer for.
fn name_key(name: &[u8]) -> u128 {
    const ONES: u128 = u128::MAX / 0xff;
    const LOW7: u128 = ONES * 0x7f;
    const HIGH: u128 = ONES * 0x80;
    let Some(octets) = name
        .get(..name.len().min(16))
        .filter(|o| o.len() == name.len())
    else {
        return 0;
    };
    let mut padded = [0u8; 16];
    padded[..octets.len()].copy_from_slice(octets);
    let k = u128::from_le_bytes(padded);
    // The high bit of every octet in `a..=z` (below 0x80, at least 0x61, at most 0x7A).
    let low = k & LOW7;
    let at_least_a = low.wrapping_add(ONES * (0x80 - 0x61));
    let above_z = low.wrapping_add(ONES * (0x80 - 0x7b));
    let lower = at_least_a & !above_z & !k & HIGH;
    k ^ (lower >> 2)
}

/// [`name_key`] of a name already in upper case.
const fn upper_key(name: &str) -> u128 {
    let b = name.as_bytes();
    let mut k = 0u128;
    let mut i = 0;
    while i < b.len() {
        k |= (b[i] as u128) << (8 * i);
        i += 1;
    }
    k
}

/// The capabilities this crate knows (`KNOWN`, their names) and the `upper_key` of each.
macro_rules! known {
    ($($key:ident $name:literal)*) => {
        const KNOWN: &[&str] = &[$($name),*];
        $(const $key: u128 = upper_key($name);)*
    };
}

known! {
    TOP "TOP" USER "USER" SASL "SASL" RESP_CODES "RESP-CODES" LOGIN_DELAY "LOGIN-DELAY"
    PIPELINING "PIPELINING" EXPIRE "EXPIRE" UIDL "UIDL" IMPLEMENTATION "IMPLEMENTATION"
    STLS "STLS" UTF8 "UTF8" LANG "LANG" AUTH_RESP_CODE "AUTH-RESP-CODE"
}

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
        let (tag_at, tag) = c.take1_len(cchar_len, "capa-tag")?;
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
        let cap = match name_key(tag) {
            TOP => Capability::Top,
            USER => Capability::User,
            SASL => {
                let mut mechs = Vec::new();
                while c.peek() == Some(b' ') {
                    c.pos += 1;
                    let (at, m) = c.take1_len(param_len, "sasl-mech")?;
                    mechs.push(Mechanism::from_wire(m, at, "sasl-mech")?);
                }
                Capability::Sasl(mechs)
            }
            RESP_CODES => Capability::RespCodes,
            LOGIN_DELAY => {
                c.sp()?;
                let seconds = c.u32("seconds")?;
                let per_user = user_flag(c)?;
                Capability::LoginDelay { seconds, per_user }
            }
            PIPELINING => Capability::Pipelining,
            EXPIRE => {
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
            UIDL => Capability::Uidl,
            IMPLEMENTATION => {
                c.sp()?;
                let (_, text) = c.take_text();
                Capability::Implementation(Text::from_checked(text))
            }
            STLS => Capability::Stls,
            UTF8 => Capability::Utf8 {
                user: user_flag(c)?,
            },
            LANG => Capability::Lang,
            AUTH_RESP_CODE => Capability::AuthRespCode,
            _ => {
                let tag = CapaTag::from_run(tag, tag_at)?;
                let mut params = Vec::new();
                while c.peek() == Some(b' ') {
                    c.pos += 1;
                    let (at, p) = c.take1_len(param_len, "param")?;
                    params.push(Param::from_run(p, at)?);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{is_cchar, is_param_byte, is_vchar, vchar_len};
    use proptest::prelude::*;

    /// Octets near the classes' edges, and letters of both cases (for the names).
    fn octet() -> impl Strategy<Value = u8> {
        prop_oneof![
            4 => prop::sample::select(b"TOPUSERASLIMNGDXtopuseraslimngdx-_8.".to_vec()),
            1 => prop::sample::select(vec![0u8, b' ', b'\r', b'\n', 0x20, 0x21, 0x40, 0x41, 0x5a, 0x5b, 0x60, 0x61, 0x7a, 0x7b, 0x7e, 0x7f, 0x80, 0xc3, 0xe1, 0xfa, 0xff]),
            1 => any::<u8>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Two names have the same key exactly when they are equal ignoring ASCII case (for
        /// names of `capa-tag` octets of up to 16), and a known name's key is its constant's.
        #[test]
        fn name_keys_compare_as_eq_ignore_ascii_case(
            name in prop::collection::vec(octet(), 1..20),
            known in prop::sample::select(KNOWN.to_vec()),
            flips in prop::collection::vec(any::<bool>(), 16),
        ) {
            let mut variant: Vec<u8> = known.bytes().collect();
            for (b, flip) in variant.iter_mut().zip(&flips) {
                if *flip {
                    b.make_ascii_lowercase();
                }
            }
            prop_assert_eq!(name_key(&variant), upper_key(known));
            if name.iter().all(|&b| is_cchar(b)) {
                let same = known.as_bytes().eq_ignore_ascii_case(&name);
                prop_assert_eq!(name_key(&name) == upper_key(known), same);
            }
        }

        /// The word-at-a-time runs are the per-octet rules' runs; `from_run` on a run is
        /// `from_wire` (value or error).
        #[test]
        fn runs_are_the_octet_classes(
            tail in prop::collection::vec(octet(), 0..40),
            long in 0..140usize,
            from in 0..8usize,
        ) {
            // A long run first (across the 64-octet blocks), then anything.
            let mut bytes = vec![b'a'; long];
            bytes.extend_from_slice(&tail);
            let bytes = &bytes[from.min(bytes.len())..];
            let run = |ok: fn(u8) -> bool| bytes.iter().take_while(|&&b| ok(b)).count();
            prop_assert_eq!(vchar_len(bytes), run(is_vchar));
            prop_assert_eq!(param_len(bytes), run(is_param_byte));
            prop_assert_eq!(cchar_len(bytes), run(is_cchar));
            let params = &bytes[..param_len(bytes)];
            if !params.is_empty() {
                prop_assert_eq!(Param::from_run(params, 3), Param::from_wire(params, 3, "param"));
            }
            let tag = &bytes[..cchar_len(bytes)];
            if !tag.is_empty() {
                prop_assert_eq!(CapaTag::from_run(tag, 3), CapaTag::from_wire(tag, 3, "capa-tag"));
            }
        }
    }
}
