//! Base64 lines of IMAP `AUTHENTICATE` and POP3 `AUTH`.
//!
//! The codecs carry decoded bytes; these helpers are the one place that turns them into the
//! wire form and back:
//!
//! - a challenge is `+ ` followed by base64 (RFC 9051 §6.2.2, RFC 5034 §4); an empty challenge
//!   is `+ ` with nothing after it;
//! - a response is one line of base64; an empty response is an empty line; a line `*` cancels
//!   the exchange (the server answers tagged `BAD` / `-ERR`);
//! - an initial response (RFC 4959 §3 SASL-IR, RFC 5034 §4) is base64 and an empty one is `=`;
//!   POP3 sends it only when the whole `AUTH` command fits in 255 octets (RFC 2449 §4).
//!
//! Decoding is strict, as both RFCs require: characters outside the alphabet, missing padding
//! and `=` anywhere but at the end are errors.
//!
//! ```
//! use mailproto_sasl::wire::{decode_line, encode_line, Line};
//! let mut out = Vec::new();
//! encode_line(b"\0tim\0tanstaaftanstaaf", &mut out);
//! assert_eq!(out, b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
//! let Ok(Line::Data(bytes)) = decode_line(&out) else { panic!() };
//! assert_eq!(bytes.expose(), b"\0tim\0tanstaaftanstaaf");
//! assert!(matches!(decode_line(b"*"), Ok(Line::Cancel)));
//! assert!(decode_line(b"AAA=BBB").is_err());
//! ```

use crate::prelude::*;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::{Mechanism, Response, SaslError, Secret};

/// A decoded client line.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Line {
    /// Response data (empty for an empty line, or `=` as an initial response).
    Data(Secret),
    /// `*`: the client cancels the exchange (RFC 9051 §6.2.2, RFC 5034 §4, RFC 4422 §3.5).
    Cancel,
}

/// Appends the base64 form of `data` to `out` (nothing for empty data: an empty line or an
/// empty challenge `+ `).
pub fn encode_line(data: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(
        start + base64::encoded_len(data.len(), true).unwrap_or(0),
        0,
    );
    let written = STANDARD
        .encode_slice(data, &mut out[start..])
        .unwrap_or_default();
    out.truncate(start + written);
}

/// Appends an initial response argument to `out`: base64, or `=` for an empty response
/// (RFC 4959 §3, RFC 9051 §6.2.2, RFC 5034 §4).
pub fn encode_initial_response(data: &[u8], out: &mut Vec<u8>) {
    if data.is_empty() {
        out.push(b'=');
    } else {
        encode_line(data, out);
    }
}

/// Decodes a client response line (without its CRLF): `*` is [`Line::Cancel`], an empty line
/// is empty data, anything else must be strict base64.
pub fn decode_line(line: &[u8]) -> Result<Line, SaslError> {
    match line {
        b"*" => Ok(Line::Cancel),
        b"" => Ok(Line::Data(Secret::default())),
        _ => decode_base64(line).map(Line::Data),
    }
}

/// Decodes an initial response argument: `=` is the empty response, anything else must be
/// strict, non-empty base64 (RFC 4959 §3, RFC 5034 §4).
pub fn decode_initial_response(arg: &[u8]) -> Result<Secret, SaslError> {
    match arg {
        b"=" => Ok(Secret::default()),
        b"" => Err(SaslError::Base64),
        _ => decode_base64(arg),
    }
}

/// Decodes the text of a server challenge (after `+ `): empty text is the empty challenge.
pub fn decode_challenge(text: &[u8]) -> Result<Vec<u8>, SaslError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    STANDARD.decode(text).map_err(|_| SaslError::Base64)
}

fn decode_base64(text: &[u8]) -> Result<Secret, SaslError> {
    STANDARD
        .decode(text)
        .map(Secret::new)
        .map_err(|_| SaslError::Base64)
}

/// The longest POP3 command line, CRLF included (RFC 2449 §4).
pub const POP3_MAX_COMMAND: usize = 255;

/// How a client sends its initial response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum InitialResponse {
    /// As the command's argument: base64, or `=` when empty. The text may hold a secret.
    Inline(Secret),
    /// Without argument: wait for the server's empty challenge and send these bytes as the
    /// first response (RFC 4422 §3.3; RFC 5034 §4 when it does not fit the POP3 line).
    Deferred(Response),
}

impl InitialResponse {
    /// The argument text, if the response goes inline.
    pub fn inline(&self) -> Option<&[u8]> {
        match self {
            InitialResponse::Inline(s) => Some(s.expose()),
            InitialResponse::Deferred(_) => None,
        }
    }
}

/// Whether `AUTH <mechanism> <initial-response>` fits in the 255-octet POP3 command line
/// (RFC 5034 §4, RFC 2449 §4) for a decoded response of `response_len` octets.
pub fn pop3_initial_response_fits(mechanism: &Mechanism, response_len: usize) -> bool {
    let encoded = if response_len == 0 {
        1
    } else {
        base64::encoded_len(response_len, true).unwrap_or(usize::MAX)
    };
    // "AUTH" SP mechanism SP initial-response CRLF
    4usize
        .saturating_add(1)
        .saturating_add(mechanism.as_str().len())
        .saturating_add(1)
        .saturating_add(encoded)
        .saturating_add(2)
        <= POP3_MAX_COMMAND
}

/// Decides how a POP3 client sends an initial response (RFC 5034 §4): inline when the
/// command fits in 255 octets, otherwise deferred to the empty challenge.
///
/// ```
/// use mailproto_sasl::{Mechanism, Response};
/// use mailproto_sasl::wire::{pop3_initial_response, InitialResponse};
/// let short = pop3_initial_response(&Mechanism::PLAIN, Response::new(b"\0u\0p".to_vec()));
/// assert_eq!(short.inline(), Some(&b"AHUAcA=="[..]));
/// let long = pop3_initial_response(&Mechanism::PLAIN, Response::new(vec![b'a'; 200]));
/// assert!(matches!(long, InitialResponse::Deferred(_)));
/// ```
pub fn pop3_initial_response(mechanism: &Mechanism, response: Response) -> InitialResponse {
    if pop3_initial_response_fits(mechanism, response.as_bytes().len()) {
        inline(response)
    } else {
        InitialResponse::Deferred(response)
    }
}

/// Decides how an IMAP client sends an initial response: inline when the server announced
/// `SASL-IR` (RFC 4959 §3), otherwise after the empty challenge.
pub fn imap_initial_response(response: Response, sasl_ir: bool) -> InitialResponse {
    if sasl_ir {
        inline(response)
    } else {
        InitialResponse::Deferred(response)
    }
}

fn inline(response: Response) -> InitialResponse {
    let len = base64::encoded_len(response.as_bytes().len(), true).unwrap_or(0);
    let mut text = Vec::with_capacity(len + 1);
    encode_initial_response(response.as_bytes(), &mut text);
    InitialResponse::Inline(Secret::new(text))
}
