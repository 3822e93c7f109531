//! Content decoding: Content-Transfer-Encodings (RFC 2045 §6.7 quoted-printable, §6.8
//! base64), RFC 2047 encoded words (for SEARCH only: ENVELOPE keeps them as-is), and the
//! few charsets the kit converts to UTF-8 for SEARCH.

/// Why a part's content could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The Content-Transfer-Encoding is not one of RFC 2045 §6.1's (`7bit`, `8bit`,
    /// `binary`, `quoted-printable`, `base64`): RFC 9051 §7.5.2 says the server answers NO
    /// with `[UNKNOWN-CTE]`.
    UnknownCte(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownCte(c) => write!(f, "unknown Content-Transfer-Encoding {c:?}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Removes the transfer encoding `cte` (lower-case mechanism name) from `data`.
pub fn transfer_decode(cte: &str, data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    match cte {
        "7bit" | "8bit" | "binary" => Ok(data.to_vec()),
        "base64" => Ok(base64(data)),
        "quoted-printable" => Ok(quoted_printable(data)),
        other => Err(DecodeError::UnknownCte(other.to_string())),
    }
}

fn b64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Base64 (RFC 2045 §6.8): characters outside the alphabet are ignored ("Any characters
/// outside of the base64 alphabet are to be ignored"), decoding stops at `=`; a trailing
/// group of 2 or 3 characters yields 1 or 2 octets, a lone one nothing.
pub fn base64(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3);
    let mut acc = 0u32;
    let mut n = 0;
    for &b in data {
        if b == b'=' {
            break;
        }
        let Some(v) = b64_value(b) else { continue };
        acc = (acc << 6) | u32::from(v);
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            n = 0;
        }
    }
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` is an octet, `=` at the end of a line is a soft
/// line break, white space at the end of a line is removed (rule 3); a malformed `=` is
/// kept as-is (the robustness advice of §6.7 note 2).
pub fn quoted_printable(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for line in data.split_inclusive(|&b| b == b'\n') {
        let (body, eol): (&[u8], &[u8]) = if let Some(b) = line.strip_suffix(b"\r\n") {
            (b, b"\r\n")
        } else if let Some(b) = line.strip_suffix(b"\n") {
            (b, b"\n")
        } else {
            (line, b"")
        };
        let end = body
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(0, |p| p + 1);
        let body = &body[..end];
        let (body, soft) = match body.strip_suffix(b"=") {
            Some(b) => (b, true),
            None => (body, false),
        };
        let mut i = 0;
        while i < body.len() {
            if body[i] == b'='
                && let (Some(h), Some(l)) = (
                    body.get(i + 1).copied().and_then(hex),
                    body.get(i + 2).copied().and_then(hex),
                )
            {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            out.push(body[i]);
            i += 1;
        }
        if !soft {
            out.extend_from_slice(eol);
        }
    }
    out
}

/// Converts `data` in `charset` to UTF-8 for matching. UTF-8 and US-ASCII are read as
/// UTF-8 (invalid sequences become U+FFFD); ISO-8859-1 maps each octet to the code point of
/// the same value; other charsets are read as UTF-8 too, which still finds ASCII text.
pub fn to_utf8(charset: &[u8], data: &[u8]) -> String {
    if charset.eq_ignore_ascii_case(b"iso-8859-1") || charset.eq_ignore_ascii_case(b"latin1") {
        data.iter().map(|&b| char::from(b)).collect()
    } else {
        String::from_utf8_lossy(data).into_owned()
    }
}

/// Decodes the RFC 2047 encoded words in an unstructured header value (§2, §4, §6.2):
/// `=?charset?B?...?=` and `=?charset?Q?...?=` (an RFC 2231 §5 `*language` suffix on the
/// charset is dropped); white space between two adjacent encoded words is removed
/// (§6.2); anything else, including malformed words, is kept as-is.
pub fn decode_words(value: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut pending_ws: Option<(usize, usize)> = None;
    let mut last_was_word = false;
    while i < value.len() {
        if value[i..].starts_with(b"=?")
            && let Some((text, len)) = encoded_word(&value[i..])
        {
            // RFC 2047 §6.2: white space between adjacent encoded words is dropped.
            if let Some((a, b)) = pending_ws.take()
                && !last_was_word
            {
                out.push_str(&String::from_utf8_lossy(&value[a..b]));
            }
            out.push_str(&text);
            i += len;
            last_was_word = true;
            continue;
        }
        if matches!(value[i], b' ' | b'\t' | b'\r' | b'\n') {
            let start = i;
            while i < value.len() && matches!(value[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
            if let Some((a, b)) = pending_ws.take() {
                out.push_str(&String::from_utf8_lossy(&value[a..b]));
            }
            pending_ws = Some((start, i));
            continue;
        }
        if let Some((a, b)) = pending_ws.take() {
            out.push_str(&String::from_utf8_lossy(&value[a..b]));
        }
        let start = i;
        while i < value.len()
            && !matches!(value[i], b' ' | b'\t' | b'\r' | b'\n')
            && !value[i..].starts_with(b"=?")
        {
            i += 1;
        }
        if i == start {
            i += 1;
        }
        out.push_str(&String::from_utf8_lossy(&value[start..i]));
        last_was_word = false;
    }
    if let Some((a, b)) = pending_ws {
        out.push_str(&String::from_utf8_lossy(&value[a..b]));
    }
    out
}

/// One `encoded-word = "=?" charset "?" encoding "?" encoded-text "?="` at the start of
/// `s`: its decoded text and its length.
fn encoded_word(s: &[u8]) -> Option<(String, usize)> {
    // RFC 2047 §2: "An 'encoded-word' may not be more than 75 characters long". A longer
    // window (for real-world overlong words) still bounds the work per "=?" so that a
    // header full of "=?" stays linear.
    const WINDOW: usize = 256;
    let rest = s.strip_prefix(b"=?")?;
    let rest = &rest[..rest.len().min(WINDOW)];
    let q1 = rest.iter().position(|&b| b == b'?')?;
    let charset = &rest[..q1];
    let enc = *rest.get(q1 + 1)?;
    if rest.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let end = rest[text_start..].windows(2).position(|w| w == b"?=")? + text_start;
    let text = &rest[text_start..end];
    if text
        .iter()
        .any(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        || charset.is_empty()
    {
        return None;
    }
    let charset = charset.split(|&b| b == b'*').next().unwrap_or(charset);
    let bytes = match enc {
        b'B' | b'b' => base64(text),
        b'Q' | b'q' => {
            let mut out = Vec::with_capacity(text.len());
            let mut i = 0;
            while i < text.len() {
                match text[i] {
                    b'_' => out.push(b' '),
                    b'=' => {
                        if let (Some(h), Some(l)) = (
                            text.get(i + 1).copied().and_then(hex),
                            text.get(i + 2).copied().and_then(hex),
                        ) {
                            out.push(h << 4 | l);
                            i += 3;
                            continue;
                        }
                        out.push(b'=');
                    }
                    b => out.push(b),
                }
                i += 1;
            }
            out
        }
        _ => return None,
    };
    Some((to_utf8(charset, &bytes), 2 + end + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_tolerant() {
        assert_eq!(base64(b"SGVs\r\nbG8="), b"Hello");
        assert_eq!(base64(b"SGVsbG8"), b"Hello");
        assert_eq!(base64(b"!!"), b"");
    }

    #[test]
    fn qp_rules() {
        assert_eq!(quoted_printable(b"a=3Db  \r\nc=\r\nd"), b"a=b\r\ncd");
        assert_eq!(quoted_printable(b"bad=ZZ="), b"bad=ZZ");
    }

    #[test]
    fn rfc2047_examples() {
        // RFC 2047 §8 examples.
        assert_eq!(decode_words(b"=?ISO-8859-1?Q?a?= b"), "a b");
        assert_eq!(decode_words(b"=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
        assert_eq!(decode_words(b"=?ISO-8859-1?Q?a_b?="), "a b");
        assert_eq!(
            decode_words(b"=?ISO-8859-1?Q?Andr=E9?= Pirard"),
            "Andr\u{e9} Pirard"
        );
        assert_eq!(decode_words(b"=?utf-8?B?w6k=?="), "\u{e9}");
        assert_eq!(decode_words(b"plain =?x?Q?bad"), "plain =?x?Q?bad");
        assert_eq!(
            transfer_decode("x-uuencode", b""),
            Err(DecodeError::UnknownCte("x-uuencode".into()))
        );
    }
}
