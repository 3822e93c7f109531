//! MIME header field values: `Content-Type` (RFC 2045 §5.1), `Content-Disposition`
//! (RFC 2183 syntax), `Content-Transfer-Encoding` (RFC 2045 §6.1), `Content-Language`
//! (RFC 3282) and parameter continuations / charsets (RFC 2231 §3, §4).

/// One `parameter = attribute "=" value` (RFC 2045 §5.1) after RFC 2231 reassembly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The attribute, lower-cased (RFC 2045 §5.1: attributes are case-insensitive). An
    /// RFC 2231 extended value keeps its trailing `*` (`filename*`).
    pub name: String,
    /// The value, unquoted. An RFC 2231 extended value is kept in its wire form
    /// `charset'language'percent-encoded` (continuations joined), the way RFC 2047 encoded
    /// words are kept as-is in ENVELOPE.
    pub value: Vec<u8>,
}

/// A `type "/" subtype *(";" parameter)` value (Content-Type) or a
/// `disposition-type *(";" parameter)` value (Content-Disposition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaValue {
    /// The type (lower-cased).
    pub kind: String,
    /// The subtype (lower-cased); empty for Content-Disposition.
    pub subtype: String,
    /// The parameters in header order.
    pub params: Vec<Param>,
}

impl MediaValue {
    /// The value of parameter `name` (case-insensitive), unextended.
    pub fn param(&self, name: &str) -> Option<&[u8]> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_slice())
    }
}

/// RFC 2045 §5.1 `tspecials`.
fn is_tspecial(b: u8) -> bool {
    b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// RFC 2045 §5.1 `token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>`.
fn is_token(b: u8) -> bool {
    (33..127).contains(&b) && !is_tspecial(b)
}

/// A cursor over a structured field value that skips CFWS (RFC 5322 §3.2.2: white space
/// and nested comments) between lexical tokens.
pub(crate) struct Lexer<'a> {
    s: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(s: &'a [u8]) -> Self {
        Lexer { s, pos: 0 }
    }

    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_cfws();
        self.pos >= self.s.len()
    }

    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_cfws();
        self.s.get(self.pos).copied()
    }

    /// Skips white space, line breaks and comments (nesting bounded by the input length;
    /// an unclosed comment runs to the end).
    pub(crate) fn skip_cfws(&mut self) {
        while let Some(&b) = self.s.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'(' => {
                    let mut depth = 0usize;
                    while let Some(&c) = self.s.get(self.pos) {
                        self.pos += 1;
                        match c {
                            b'\\' => self.pos += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    self.pos = self.pos.min(self.s.len());
                }
                _ => break,
            }
        }
    }

    /// Consumes `c` if it is next.
    pub(crate) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `token` (RFC 2045).
    pub(crate) fn token(&mut self) -> Option<&'a [u8]> {
        self.skip_cfws();
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(|&b| is_token(b)) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.s[start..self.pos])
    }

    /// `quoted-string` (RFC 5322 §3.2.4), unquoted: quoted-pairs become their character,
    /// CRLF folding is removed. An unclosed string runs to the end.
    pub(crate) fn quoted(&mut self) -> Option<Vec<u8>> {
        self.skip_cfws();
        if self.s.get(self.pos) != Some(&b'"') {
            return None;
        }
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(&b) = self.s.get(self.pos) {
            self.pos += 1;
            match b {
                b'"' => return Some(out),
                b'\\' => {
                    if let Some(&c) = self.s.get(self.pos) {
                        out.push(c);
                        self.pos += 1;
                    }
                }
                b'\r' | b'\n' => {}
                _ => out.push(b),
            }
        }
        Some(out)
    }

    /// `value := token / quoted-string`.
    fn value(&mut self) -> Option<Vec<u8>> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            _ => self.token().map(<[u8]>::to_vec),
        }
    }
}

fn lower(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_ascii_lowercase()
}

/// Parses `Content-Type := type "/" subtype *(";" parameter)` (RFC 2045 §5.1). `None` when
/// the value is syntactically invalid (the caller then applies the RFC 2045 §5.2 default).
pub fn content_type(value: &[u8]) -> Option<MediaValue> {
    let mut lx = Lexer::new(value);
    let kind = lower(lx.token()?);
    if !lx.eat(b'/') {
        return None;
    }
    let subtype = lower(lx.token()?);
    Some(MediaValue {
        kind,
        subtype,
        params: params(&mut lx),
    })
}

/// Parses `disposition := disposition-type *(";" parameter)` (RFC 2183 §2).
pub fn disposition(value: &[u8]) -> Option<MediaValue> {
    let mut lx = Lexer::new(value);
    let kind = lower(lx.token()?);
    Some(MediaValue {
        kind,
        subtype: String::new(),
        params: params(&mut lx),
    })
}

/// `Content-Transfer-Encoding := mechanism` (RFC 2045 §6.1), lower-cased.
pub fn transfer_encoding(value: &[u8]) -> Option<String> {
    let mut lx = Lexer::new(value);
    lx.token().map(lower)
}

/// `Content-Language := Language-List` (RFC 3282 §2): comma-separated language tags.
pub fn languages(value: &[u8]) -> Vec<Vec<u8>> {
    let mut lx = Lexer::new(value);
    let mut out = Vec::new();
    loop {
        if let Some(t) = lx.token() {
            out.push(t.to_vec());
        }
        if !lx.eat(b',') {
            break;
        }
    }
    out
}

/// One raw parameter before RFC 2231 reassembly.
struct RawParam {
    base: String,
    section: Option<u32>,
    extended: bool,
    value: Vec<u8>,
}

/// `*(";" parameter)`; stops at the first syntax error (keeping what came before, the
/// real-world reading of a damaged header). Then joins RFC 2231 §3 continuations
/// (`name*0`, `name*1*`, ...) in section order into one parameter at the position of the
/// first section; when any section is extended (RFC 2231 §4) the result is named `name*`
/// and its non-extended sections are percent-encoded so the whole stays one
/// `charset'language'value` string.
fn params(lx: &mut Lexer<'_>) -> Vec<Param> {
    let mut raw: Vec<RawParam> = Vec::new();
    const MAX_PARAMS: usize = 256;
    while lx.eat(b';') && raw.len() < MAX_PARAMS {
        if lx.at_end() {
            break;
        }
        let Some(attr) = lx.token() else { break };
        if !lx.eat(b'=') {
            break;
        }
        let Some(value) = lx.value() else { break };
        let attr = lower(attr);
        let (name, extended) = match attr.strip_suffix('*') {
            Some(n) => (n.to_string(), true),
            None => (attr, false),
        };
        let (base, section) = match name.rsplit_once('*') {
            Some((b, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
                (b.to_string(), n.parse::<u32>().ok())
            }
            _ => (name, None),
        };
        raw.push(RawParam {
            base,
            section,
            extended,
            value,
        });
    }
    let mut out: Vec<Param> = Vec::new();
    let mut done = vec![false; raw.len()];
    for i in 0..raw.len() {
        if done[i] {
            continue;
        }
        if raw[i].section.is_none() {
            done[i] = true;
            let name = if raw[i].extended {
                format!("{}*", raw[i].base)
            } else {
                raw[i].base.clone()
            };
            out.push(Param {
                name,
                value: raw[i].value.clone(),
            });
            continue;
        }
        let mut parts: Vec<usize> = (i..raw.len())
            .filter(|&j| raw[j].section.is_some() && raw[j].base == raw[i].base)
            .collect();
        parts.sort_by_key(|&j| raw[j].section);
        let any_ext = parts.iter().any(|&j| raw[j].extended);
        let mut value = Vec::new();
        for &j in &parts {
            done[j] = true;
            if any_ext && !raw[j].extended {
                for &b in &raw[j].value {
                    if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                        value.push(b);
                    } else {
                        value.extend_from_slice(format!("%{b:02X}").as_bytes());
                    }
                }
            } else {
                value.extend_from_slice(&raw[j].value);
            }
        }
        let name = if any_ext {
            format!("{}*", raw[i].base)
        } else {
            raw[i].base.clone()
        };
        out.push(Param { name, value });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_with_comments_and_quotes() {
        let ct =
            content_type(b"Text/Plain (comment); charset=\"ISO-8859-1\" ; format=flowed").unwrap();
        assert_eq!((ct.kind.as_str(), ct.subtype.as_str()), ("text", "plain"));
        assert_eq!(ct.param("CHARSET"), Some(&b"ISO-8859-1"[..]));
        assert_eq!(ct.param("format"), Some(&b"flowed"[..]));
        assert!(content_type(b"text").is_none());
        assert!(content_type(b"/plain").is_none());
    }

    #[test]
    fn rfc2231_continuations() {
        // RFC 2231 §3 example.
        let ct = content_type(
            b"message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
        )
        .unwrap();
        assert_eq!(
            ct.param("url"),
            Some(&b"ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"[..])
        );
        // RFC 2231 §4.1 example: mixed extended and plain sections.
        let ct = content_type(
            b"application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
        )
        .unwrap();
        assert_eq!(
            ct.param("title*"),
            Some(
                &b"us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!"[..]
            )
        );
    }

    #[test]
    fn disposition_and_languages() {
        let d = disposition(b"attachment; filename=\"a b.txt\"").unwrap();
        assert_eq!(d.kind, "attachment");
        assert_eq!(d.param("filename"), Some(&b"a b.txt"[..]));
        assert_eq!(
            languages(b"en, de (German)"),
            vec![b"en".to_vec(), b"de".to_vec()]
        );
        assert_eq!(transfer_encoding(b" Base64 ").as_deref(), Some("base64"));
    }
}
