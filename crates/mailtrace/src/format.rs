//! The trace file format (`docs/corpus-format.md`): headers, comments, and data lines that
//! say which side sends which bytes.

use std::fmt;

/// Which peer sends a data line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Side {
    /// `C:` / `C~`
    #[serde(rename = "C")]
    Client,
    /// `S:` / `S~`
    #[serde(rename = "S")]
    Server,
}

impl Side {
    /// `C` or `S`.
    pub fn letter(self) -> char {
        match self {
            Side::Client => 'C',
            Side::Server => 'S',
        }
    }
}

/// The protocol of a trace (`# protocol:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// IMAP4rev1 / IMAP4rev2
    Imap,
    /// POP3
    Pop3,
}

/// What the trace expects (`# expect:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Every message parses.
    Ok,
    /// At least one message is rejected.
    Reject,
}

/// Where the trace starts (`# start:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Start {
    /// At connection: the first server message is the greeting.
    Connect,
    /// In the not-authenticated state, after the greeting.
    NotAuthenticated,
    /// In the authenticated state.
    Authenticated,
    /// In the selected state.
    Selected,
    /// Unknown.
    Any,
}

/// The headers of a trace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Headers {
    /// `# source:` (required).
    pub source: String,
    /// `# protocol:` (default `imap`).
    pub protocol: Protocol,
    /// `# expect:` (default `ok`).
    pub expect: Expect,
    /// `# start:` (default `any`).
    pub start: Start,
    /// `# rule:` for reject traces.
    pub rule: Option<String>,
    /// `# profile:` (default `strict`): the profile the trace is written for. A
    /// `real-world` trace holds deviations from the grammar that the real-world profile
    /// accepts: the strict profile must reject it, the real-world profile must accept every
    /// message and find exactly the deviation ids of [`Headers::deviations`].
    pub profile: Profile,
    /// `# deviations:` (comma-separated ids, default none): the deviation ids a `real-world`
    /// trace must produce, each at least once, and no others.
    pub deviations: Vec<String>,
    /// `# extensions:` (IMAP): capability names, separated by spaces, whose grammar is in
    /// force from the start (advertised or enabled before the trace begins), e.g.
    /// `CONDSTORE QRESYNC` (RFC 7162). Default: none.
    pub extensions: Vec<String>,
}

pub use imap_codec::Profile;

/// One data line: a side and the bytes it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// Who sends.
    pub side: Side,
    /// The bytes, CRLF included where the marker implies it.
    pub bytes: Vec<u8>,
}

/// A parsed trace file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// Its headers.
    pub headers: Headers,
    /// Its data lines, in file order.
    pub lines: Vec<DataLine>,
}

impl Trace {
    /// All bytes one side sends, in order.
    pub fn stream(&self, side: Side) -> Vec<u8> {
        let mut out = Vec::new();
        for l in self.lines.iter().filter(|l| l.side == side) {
            out.extend_from_slice(&l.bytes);
        }
        out
    }
}

/// A trace file that does not follow the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for FormatError {}

fn err(line: usize, message: impl Into<String>) -> FormatError {
    FormatError {
        line,
        message: message.into(),
    }
}

/// Decodes the escapes of a `C~`/`S~` line.
fn unescape(text: &str, line: usize) -> Result<Vec<u8>, FormatError> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex = b
                    .get(i + 2..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| err(line, "\\x must be followed by two hex digits"))?;
                out.push(hex);
                i += 4;
                continue;
            }
            _ => return Err(err(line, "unknown escape (use \\r \\n \\t \\\\ \\xHH)")),
        }
        i += 2;
    }
    Ok(out)
}

/// Parses the text of a trace file.
///
/// ```
/// use mailtrace::format::{parse, Side};
/// let t = parse("# source: RFC 9051 §6.1.2\nC: a NOOP\nS~ a OK done\\r\\n\n").unwrap();
/// assert_eq!(t.headers.source, "RFC 9051 §6.1.2");
/// assert_eq!(t.stream(Side::Client), b"a NOOP\r\n");
/// assert_eq!(t.stream(Side::Server), b"a OK done\r\n");
/// ```
pub fn parse(text: &str) -> Result<Trace, FormatError> {
    let mut source = None;
    let mut protocol = None;
    let mut expect = None;
    let mut start = None;
    let mut rule = None;
    let mut profile = None;
    let mut deviations: Option<Vec<String>> = None;
    let mut extensions: Option<Vec<String>> = None;
    let mut lines = Vec::new();
    for (n, raw) in text.split('\n').enumerate() {
        let line = n + 1;
        if raw.ends_with('\r') {
            return Err(err(line, "CR before LF: trace files use LF line ends"));
        }
        if raw.trim().is_empty() {
            continue;
        }
        if let Some(comment) = raw.strip_prefix('#') {
            if !lines.is_empty() {
                continue;
            }
            let Some((key, value)) = comment.trim_start().split_once(':') else {
                continue;
            };
            let key = key.trim_end();
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            {
                continue;
            }
            let value = value.trim().to_owned();
            let dup = match key {
                "source" => source.replace(value).is_some(),
                "protocol" => protocol
                    .replace(match value.as_str() {
                        "imap" => Protocol::Imap,
                        "pop3" => Protocol::Pop3,
                        _ => return Err(err(line, "protocol must be imap or pop3")),
                    })
                    .is_some(),
                "expect" => expect
                    .replace(match value.as_str() {
                        "ok" => Expect::Ok,
                        "reject" => Expect::Reject,
                        _ => return Err(err(line, "expect must be ok or reject")),
                    })
                    .is_some(),
                "start" => start
                    .replace(match value.as_str() {
                        "connect" => Start::Connect,
                        "not-authenticated" => Start::NotAuthenticated,
                        "authenticated" => Start::Authenticated,
                        "selected" => Start::Selected,
                        "any" => Start::Any,
                        _ => return Err(err(line, "unknown start state")),
                    })
                    .is_some(),
                "rule" => rule.replace(value).is_some(),
                "profile" => profile
                    .replace(
                        Profile::from_name(&value)
                            .ok_or_else(|| err(line, "profile must be strict or real-world"))?,
                    )
                    .is_some(),
                "deviations" => {
                    let ids: Vec<String> = value
                        .split(',')
                        .map(|id| id.trim().to_owned())
                        .filter(|id| !id.is_empty())
                        .collect();
                    if ids.iter().any(|id| {
                        !id.bytes()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                    }) {
                        return Err(err(line, "deviation ids are lower-case words joined by -"));
                    }
                    deviations.replace(ids).is_some()
                }
                "extensions" => {
                    let names: Vec<String> = value.split_whitespace().map(str::to_owned).collect();
                    if let Some(bad) = names.iter().find(|n| {
                        imap_codec::Capability::parse_str(n)
                            .ok()
                            .and_then(|c| imap_codec::Extension::from_capability(&c))
                            .is_none()
                    }) {
                        return Err(err(
                            line,
                            format!("{bad:?} is no capability whose grammar can be put in force"),
                        ));
                    }
                    extensions.replace(names).is_some()
                }
                other => return Err(err(line, format!("unknown header {other:?}"))),
            };
            if dup {
                return Err(err(line, format!("header {key:?} given twice")));
            }
            continue;
        }
        let (side, rest) = match raw.get(..2) {
            Some("C:") | Some("C~") => (Side::Client, &raw[1..]),
            Some("S:") | Some("S~") => (Side::Server, &raw[1..]),
            _ => return Err(err(line, "a data line starts with C:, S:, C~ or S~")),
        };
        let escaped = rest.starts_with('~');
        let body = &rest[1..];
        let body = match body.strip_prefix(' ') {
            Some(b) => b,
            None if body.is_empty() => "",
            None => return Err(err(line, "the marker must be followed by one space")),
        };
        let bytes = if escaped {
            unescape(body, line)?
        } else {
            let mut b = body.as_bytes().to_vec();
            b.extend_from_slice(b"\r\n");
            b
        };
        lines.push(DataLine { line, side, bytes });
    }
    let source = source.ok_or_else(|| err(1, "the header \"source\" is required"))?;
    let profile = profile.unwrap_or(Profile::Strict);
    let deviations = deviations.unwrap_or_default();
    if profile == Profile::RealWorld && (deviations.is_empty() || expect == Some(Expect::Reject)) {
        return Err(err(
            1,
            "a real-world trace names its deviations and does not say expect: reject",
        ));
    }
    if profile == Profile::Strict && !deviations.is_empty() {
        return Err(err(
            1,
            "deviations are named only in a profile: real-world trace",
        ));
    }
    Ok(Trace {
        headers: Headers {
            source,
            protocol: protocol.unwrap_or(Protocol::Imap),
            expect: expect.unwrap_or(Expect::Ok),
            start: start.unwrap_or(Start::Any),
            rule,
            profile,
            deviations,
            extensions: extensions.unwrap_or_default(),
        },
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_escapes() {
        let t = parse("# source: x\n# expect: reject\nC:  two\nC:\nS~ a\\x00\\n\\\\\n").unwrap();
        assert_eq!(t.headers.expect, Expect::Reject);
        assert_eq!(t.stream(Side::Client), b" two\r\n\r\n");
        assert_eq!(t.stream(Side::Server), b"a\0\n\\");
        assert_eq!(t.lines[0].line, 3);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse("C: x\n").unwrap_err().message,
            "the header \"source\" is required"
        );
        assert_eq!(parse("# source: x\nX: y\n").unwrap_err().line, 2);
        assert_eq!(parse("# source: x\nC:x\n").unwrap_err().line, 2);
        assert_eq!(parse("# source: x\n# colour: red\n").unwrap_err().line, 2);
        assert!(parse("# source: x\nS~ \\q\n").is_err());
        assert!(parse("# source: x\nS~ \\x4\n").is_err());
        assert!(parse("# source: x\r\nC: a\n").is_err());
        assert!(parse("# source: x\n# source: y\n").is_err());
    }

    #[test]
    fn profile_and_deviations() {
        let t = parse(
            "# source: x\n# profile: real-world\n# deviations: bare-lf, double-space\nC: a\n",
        )
        .unwrap();
        assert_eq!(t.headers.profile, Profile::RealWorld);
        assert_eq!(t.headers.deviations, ["bare-lf", "double-space"]);
        assert_eq!(
            parse("# source: x\n").unwrap().headers.profile,
            Profile::Strict
        );
        assert!(parse("# source: x\n# profile: lenient\n").is_err());
        assert!(parse("# source: x\n# profile: real-world\n").is_err());
        assert!(parse("# source: x\n# deviations: bare-lf\n").is_err());
        assert!(parse("# source: x\n# profile: real-world\n# deviations: Bare LF\n").is_err());
    }

    #[test]
    fn comments_after_data_are_not_headers() {
        let t = parse("# source: x\nC: a\n# expect: reject\n").unwrap();
        assert_eq!(t.headers.expect, Expect::Ok);
    }
}
