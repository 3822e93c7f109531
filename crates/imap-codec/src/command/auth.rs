//! Authentication commands: AUTHENTICATE with the SASL initial response and the client's
//! continuation lines (RFC 9051 §6.2.2, §9 `authenticate`, `initial-resp`, `base64`;
//! RFC 3501 §6.2.2; RFC 4959 SASL-IR), LOGIN (RFC 9051 §6.2.3) and STARTTLS (§6.2.1, no
//! arguments, handled by the dispatcher).

use crate::prelude::*;

use alloc::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};

use crate::capability::AuthMechanism;
use crate::context::{ParseOptions, Parsed, Side};
use crate::core::{AString, Atom, IntoStatic};
use crate::encode::{EncodeOptions, Encoded, Encoder};
use crate::error::{PResult, ParseError, fail};
use crate::parse::{crlf, parse_all, parse_line_with, sp};

use super::CommandBody;

/// Decodes what [`parse_base64`] has checked: padding required, any trailing bits accepted
/// (the ABNF does not restrict them).
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// `base64-char = ALPHA / DIGIT / "+" / "/"` (RFC 9051 §9), one entry per byte: one load
/// per byte instead of a chain of range comparisons (each of them counted in a fuzz build).
static BASE64_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
        b += 1;
    }
    t
};

fn is_base64_char(b: u8) -> bool {
    BASE64_CHAR[usize::from(b)]
}

/// `base64 = *(4base64-char) [base64-terminal]`, checked, then decoded. May be empty.
pub(crate) fn parse_base64(i: &[u8]) -> PResult<'_, Cow<'_, [u8]>> {
    let n = i
        .iter()
        .position(|&b| !is_base64_char(b))
        .unwrap_or(i.len());
    let pad = i[n..].iter().take(2).take_while(|&&b| b == b'=').count();
    let total = n + pad;
    let valid = match pad {
        0 => n % 4 == 0,
        1 => n % 4 == 3,
        _ => n % 4 == 2,
    };
    if !valid {
        return fail(&i[n..], "base64");
    }
    if total == 0 {
        return Ok((i, Cow::Borrowed(&[][..])));
    }
    match DECODER.decode(&i[..total]) {
        Ok(data) => Ok((&i[total..], Cow::Owned(data))),
        Err(_) => fail(i, "base64"),
    }
}

/// Writes `data` as base64 (standard alphabet, padded).
pub(crate) fn encode_base64(data: &[u8], e: &mut Encoder<'_>) {
    let text = general_purpose::STANDARD.encode(data);
    e.raw(text.as_bytes());
}

/// `"AUTHENTICATE" SP auth-type [SP initial-resp]` after the name.
pub(super) fn parse_authenticate(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, mechanism) = Atom::parse(i).map_err(|e| {
        e.map(|mut e| {
            e.expected = "auth-type";
            e
        })
    })?;
    let (i, initial_response) = if i.first() == Some(&b' ') {
        let (i, ir) = parse_initial_resp(&i[1..])?;
        (i, Some(ir))
    } else {
        (i, None)
    };
    Ok((
        i,
        CommandBody::Authenticate {
            mechanism,
            initial_response,
        },
    ))
}

/// `initial-resp = (base64 / "=")`; an empty base64 must be sent as `=` (RFC 4959 §3).
fn parse_initial_resp(i: &[u8]) -> PResult<'_, Cow<'_, [u8]>> {
    if i.first() == Some(&b'=') {
        return Ok((&i[1..], Cow::Borrowed(&[][..])));
    }
    let (rest, data) = parse_base64(i)?;
    if rest.len() == i.len() {
        return fail(i, "initial-resp");
    }
    Ok((rest, data))
}

/// Writes ` SP auth-type [SP initial-resp]` after the name.
pub(super) fn encode_authenticate(
    mechanism: &AuthMechanism<'_>,
    initial_response: Option<&[u8]>,
    e: &mut Encoder<'_>,
) {
    e.sp().raw(mechanism.as_str().as_bytes());
    match initial_response {
        None => {}
        Some([]) => {
            e.raw(b" =");
        }
        Some(data) => {
            e.sp();
            encode_base64(data, e);
        }
    }
}

/// `"LOGIN" SP userid SP password` after the name.
pub(super) fn parse_login(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, username) = AString::parse::<true>(i).map_err(|e| rename(e, i, "userid"))?;
    let (i, ()) = sp(i)?;
    let (i, password) = AString::parse::<true>(i).map_err(|e| rename(e, i, "password"))?;
    Ok((i, CommandBody::Login { username, password }))
}

/// Renames an `astring` error at the start of `at` to the rule using it.
fn rename<'a>(
    e: nom::Err<crate::error::PErr<'a>>,
    at: &'a [u8],
    rule: &'static str,
) -> nom::Err<crate::error::PErr<'a>> {
    e.map(|mut e| {
        if e.input.len() == at.len() {
            e.expected = rule;
        }
        e
    })
}

/// One line the client sends during AUTHENTICATE (RFC 9051 §6.2.2, `authenticate`'s
/// `*(CRLF base64)`): the decoded response to a server challenge, or `*` to cancel.
///
/// ```
/// use mailproto_imap_codec::AuthenticateData;
/// let line = AuthenticateData::parse(b"dGVzdAB0ZXN0AHRlc3Q=\r\n").unwrap();
/// assert_eq!(line, AuthenticateData::Response(b"test\0test\0test".to_vec().into()));
/// assert_eq!(AuthenticateData::parse(b"*\r\n").unwrap(), AuthenticateData::Cancel);
/// ```
///
/// `Debug` shows a response's length, never its octets (they carry credentials).
#[derive(Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AuthenticateData<'a> {
    /// The decoded response (possibly empty: an empty line).
    Response(Cow<'a, [u8]>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

impl ::core::fmt::Debug for AuthenticateData<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        match self {
            AuthenticateData::Response(data) => f
                .debug_tuple("Response")
                .field(&crate::redact::Octets(data.len()))
                .finish(),
            AuthenticateData::Cancel => f.write_str("Cancel"),
        }
    }
}

impl<'a> AuthenticateData<'a> {
    /// Parses one line, `base64 CRLF` or `"*" CRLF`.
    pub fn parse(input: &'a [u8]) -> Result<Self, ParseError> {
        parse_all(input, |i| {
            if i.first() == Some(&b'*') {
                let (i, ()) = crlf(&i[1..])?;
                return Ok((i, AuthenticateData::Cancel));
            }
            let (i, data) = parse_base64(i)?;
            let (i, ()) = crlf(i)?;
            Ok((i, AuthenticateData::Response(data)))
        })
    }

    /// Parses one line under `options` (the real-world profile accepts and reports
    /// `trailing-space`, a SP before the CRLF).
    ///
    /// ```
    /// use mailproto_imap_codec::{AuthenticateData, ParseOptions, Profile};
    /// let rw = ParseOptions::default().with_profile(Profile::RealWorld);
    /// let parsed = AuthenticateData::parse_with(b"dGVzdA== \r\n", &rw).unwrap();
    /// assert_eq!(parsed.value, AuthenticateData::Response(b"test".to_vec().into()));
    /// assert_eq!(parsed.deviations[0].offset, 8);
    /// ```
    pub fn parse_with(input: &'a [u8], options: &ParseOptions) -> Result<Parsed<Self>, ParseError> {
        parse_line_with(input, options, Side::Client, "", |i, _| {
            if i.first() == Some(&b'*') {
                return Ok((&i[1..], AuthenticateData::Cancel));
            }
            let (i, data) = parse_base64(i)?;
            Ok((i, AuthenticateData::Response(data)))
        })
    }

    /// Appends the line (with CRLF).
    pub fn encode(&self, out: &mut Vec<u8>) -> Encoded {
        let mut e = Encoder::client(out, &EncodeOptions::default());
        match self {
            AuthenticateData::Response(data) => encode_base64(data, &mut e),
            AuthenticateData::Cancel => {
                e.byte(b'*');
            }
        }
        e.crlf();
        e.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{rejects, roundtrip};
    use super::*;

    #[test]
    fn base64_char_table_is_the_alphabet() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for b in 0..=255u8 {
            assert_eq!(is_base64_char(b), alphabet.contains(&b), "{b:#04x}");
        }
    }

    #[test]
    fn authenticate_examples() {
        let c = roundtrip(b"A01 AUTHENTICATE PLAIN\r\n", true);
        assert!(matches!(
            c.body,
            CommandBody::Authenticate {
                initial_response: None,
                ..
            }
        ));
        let c = roundtrip(b"A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n", true);
        let CommandBody::Authenticate {
            mechanism,
            initial_response: Some(ir),
        } = c.body
        else {
            panic!()
        };
        assert_eq!(
            (mechanism.as_str(), &ir[..]),
            ("PLAIN", &b"test\0test\0test"[..])
        );
        let c = roundtrip(b"A01 AUTHENTICATE EXTERNAL =\r\n", true);
        assert!(matches!(
            c.body,
            CommandBody::Authenticate { initial_response: Some(ref d), .. } if d.is_empty()
        ));
        roundtrip(b"A001 AUTHENTICATE SCRAM-SHA-256\r\n", true);
        roundtrip(b"A001 AUTHENTICATE GSSAPI\r\n", true);
        roundtrip(b"a AUTHENTICATE X QUJD\r\n", true);
        roundtrip(b"a AUTHENTICATE X QUI=\r\n", true);
        roundtrip(b"a authenticate plain QUJD\r\n", false);
    }

    #[test]
    fn authenticate_rejects() {
        rejects(b"a AUTHENTICATE PLAIN \r\n", 21, "initial-resp");
        rejects(b"a AUTHENTICATE\r\n", 14, "SP");
        rejects(b"a AUTHENTICATE (X)\r\n", 15, "auth-type");
        rejects(b"a AUTHENTICATE X QUJ\r\n", 20, "base64");
        rejects(b"a AUTHENTICATE X QU==x\r\n", 21, "CRLF");
        rejects(b"a AUTHENTICATE X Q===\r\n", 18, "base64");
        rejects(b"a AUTHENTICATE X ==\r\n", 18, "CRLF");
        rejects(b"a AUTHENTICATE X QUJD QUJD\r\n", 21, "CRLF");
    }

    #[test]
    fn continuation_lines() {
        for (line, data) in [
            (&b"\r\n"[..], &b""[..]),
            (b"dGVzdA==\r\n", b"test"),
            (b"YQ==\r\n", b"a"),
            (
                b"Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhG\r\n",
                b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxF",
            ),
        ] {
            let parsed = AuthenticateData::parse(line).unwrap();
            assert_eq!(parsed, AuthenticateData::Response(data.into()));
            let mut out = Vec::new();
            let enc = parsed.encode(&mut out);
            assert_eq!(out, line);
            assert!(enc.sync_points.is_empty());
        }
        let mut out = Vec::new();
        let _ = AuthenticateData::Cancel.encode(&mut out);
        assert_eq!(out, b"*\r\n");
        for (bad, at, rule) in [
            (&b"abc\r\n"[..], 3, "base64"),
            (b"* \r\n", 1, "CRLF"),
            (b"YQ==", 4, "CRLF"),
            (b"YQ== \r\n", 4, "CRLF"),
            (b"YQ\r\n", 2, "base64"),
            (b"\n", 0, "CRLF"),
        ] {
            let e = AuthenticateData::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (at, rule), "{bad:?}");
        }
    }

    #[test]
    fn login_examples() {
        for line in [
            "a001 LOGIN SMITH SESAME\r\n",
            "A001 LOGIN fred blurdybloop\r\n",
            "a LOGIN \"fred\" \"foo\"\r\n",
            "A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n",
            "a LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
            "a LOGIN \"\" \"\\\"q\\\\\"\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n", true);
        let CommandBody::Login { username, password } = &c.body else {
            panic!()
        };
        assert_eq!(
            (username.as_bytes(), password.as_bytes()),
            (&b"FRED FOOBAR"[..], &b"fat man"[..])
        );
        let mut out = Vec::new();
        let enc = c.encode(&mut out, &EncodeOptions::default());
        assert_eq!(enc.sync_points.len(), 2);
        rejects(b"a LOGIN fred\r\n", 12, "SP");
        rejects(b"a LOGIN (fred) x\r\n", 8, "userid");
        rejects(b"a LOGIN fred (x)\r\n", 13, "password");
        rejects(b"a LOGIN {3}\r\nab\0 x\r\n", 15, "CHAR8");
        rejects(b"a LOGIN \"a\rb\" x\r\n", 10, "QUOTED-CHAR");
    }
}
