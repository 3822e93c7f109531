//! The trace file format (`docs/corpus-format.md`): headers, comments, and data lines that
//! say which side sends which bytes.

use std::borrow::Cow;
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
    /// `# limits:` (POP3): the decoders' line limits when the trace's peer goes past those of
    /// RFC 2449 §4 (255-octet commands, 512-octet response lines), as
    /// `command-line=N response-line=N` (either or both). Default: the RFC's.
    pub limits: LineLimits,
}

/// The line limits a trace sets (`# limits:`); `None` keeps the decoders' default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LineLimits {
    /// Longest command line, CRLF included.
    pub command_line: Option<usize>,
    /// Longest response line, CRLF included.
    pub response_line: Option<usize>,
}

impl LineLimits {
    /// `limits` with the lengths this trace sets.
    pub fn apply(&self, mut limits: pop3_codec::Limits) -> pop3_codec::Limits {
        if let Some(n) = self.command_line {
            limits = limits.with_max_command_line(n);
        }
        if let Some(n) = self.response_line {
            limits = limits.with_max_response_line(n);
        }
        limits
    }
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

/// A data line to follow ([`crate::imap::Follower`], [`crate::pop3::Follower`]): its bytes
/// owned (a line as read) or borrowed (from a parsed [`Trace`], which keeps them).
pub(crate) struct LineBytes<'a> {
    pub(crate) line: usize,
    pub(crate) side: Side,
    pub(crate) bytes: Cow<'a, [u8]>,
}

impl From<DataLine> for LineBytes<'_> {
    fn from(d: DataLine) -> Self {
        LineBytes {
            line: d.line,
            side: d.side,
            bytes: Cow::Owned(d.bytes),
        }
    }
}

impl<'a> From<&'a DataLine> for LineBytes<'a> {
    fn from(d: &'a DataLine) -> Self {
        LineBytes {
            line: d.line,
            side: d.side,
            bytes: Cow::Borrowed(&d.bytes),
        }
    }
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

/// Decodes the escapes of a `C~`/`S~` line in place: the bytes from `start` on are decoded
/// to the front of `b` (an escape is never shorter than what it stands for); returns the
/// decoded length.
fn unescape(b: &mut [u8], start: usize, line: usize) -> Result<usize, FormatError> {
    unescape_part(b, start, line, true).map(|(w, _)| w)
}

/// [`unescape`] for a part of a line: unless it is the `last` part, an escape cut by its end
/// is left undecoded. Returns the decoded length and where the undecoded rest starts.
fn unescape_part(
    b: &mut [u8],
    start: usize,
    line: usize,
    last: bool,
) -> Result<(usize, usize), FormatError> {
    let (mut i, mut w) = (start, 0);
    while i < b.len() {
        let c = b[i];
        if c != b'\\' {
            b[w] = c;
            w += 1;
            i += 1;
            continue;
        }
        let cut = match b.get(i + 1) {
            None => true,
            Some(b'x') => b.len() < i + 4,
            Some(_) => false,
        };
        if cut && !last {
            return Ok((w, i));
        }
        let decoded = match b.get(i + 1) {
            Some(b'r') => b'\r',
            Some(b'n') => b'\n',
            Some(b't') => b'\t',
            Some(b'\\') => b'\\',
            Some(b'x') => {
                let hex = b
                    .get(i + 2..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| err(line, "\\x must be followed by two hex digits"))?;
                b[w] = hex;
                w += 1;
                i += 4;
                continue;
            }
            _ => return Err(err(line, "unknown escape (use \\r \\n \\t \\\\ \\xHH)")),
        };
        b[w] = decoded;
        w += 1;
        i += 2;
    }
    Ok((w, i))
}

/// Parses the text of a trace file (all of it: [`Reader`] reads one line at a time).
///
/// ```
/// use mailtrace::format::{parse, Side};
/// let t = parse("# source: RFC 9051 §6.1.2\nC: a NOOP\nS~ a OK done\\r\\n\n").unwrap();
/// assert_eq!(t.headers.source, "RFC 9051 §6.1.2");
/// assert_eq!(t.stream(Side::Client), b"a NOOP\r\n");
/// assert_eq!(t.stream(Side::Server), b"a OK done\r\n");
/// ```
pub fn parse(text: &str) -> Result<Trace, FormatError> {
    // The text is in memory: its lines are read where they lie (a data line's bytes are the
    // one copy made), as [`Reader`] reads them. A line of [`PIECE`] octets or more is read
    // in pieces by the reader (its errors are found in the order the pieces come): such a
    // text is read by the reader itself.
    let mut lines = Vec::new();
    let mut builder = Some(HeaderBuilder::default());
    let mut headers = None;
    let mut rest = text;
    let mut number = 0;
    while !rest.is_empty() {
        // Split at an LF: both sides are text (no UTF-8 check again).
        let (line, after) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        if line.len() >= PIECE {
            return parse_with_reader(text);
        }
        rest = after;
        number += 1;
        let raw = line.as_bytes();
        if raw.ends_with(b"\r") {
            return Err(cr_before_lf(number));
        }
        // A data line starts with its marker: no blank or comment test for it.
        let data = matches!(raw.first(), Some(b'C' | b'S')) || !is_blank_or_comment(line);
        match builder.as_mut() {
            Some(b) if !data => {
                if let Some(comment) = line.strip_prefix('#') {
                    b.header(comment, number)?;
                }
            }
            _ if !data => {}
            Some(_) => {
                // The first data line is read before the headers are checked as a whole.
                lines.push(data_line_from(raw, number)?);
                headers = builder.take().map(HeaderBuilder::finish).transpose()?;
            }
            None => lines.push(data_line_from(raw, number)?),
        }
    }
    let headers = match headers {
        Some(h) => h,
        None => builder.unwrap_or_default().finish()?,
    };
    Ok(Trace { headers, lines })
}

/// [`parse`] through a [`Reader`].
fn parse_with_reader(text: &str) -> Result<Trace, FormatError> {
    let mut reader = Reader::new(text.as_bytes()).map_err(ReadError::into_format)?;
    let mut lines = Vec::new();
    while let Some(line) = reader.next_line() {
        lines.push(line.map_err(ReadError::into_format)?);
    }
    Ok(Trace {
        headers: reader.headers,
        lines,
    })
}

/// A blank line (white space only) or a comment: not a data line.
fn is_blank_or_comment(text: &str) -> bool {
    text.starts_with('#') || text.trim().is_empty()
}

/// Why a [`Reader`] stopped: the input could not be read, or it does not follow the format.
#[derive(Debug)]
pub enum ReadError {
    /// Reading failed (the reader's own error: a size limit, a closed pipe, ...).
    Io {
        /// 1-based number of the line being read.
        line: usize,
        /// The error.
        error: std::io::Error,
    },
    /// The text does not follow the format.
    Format(FormatError),
}

impl ReadError {
    /// As a [`FormatError`] (reading text in memory cannot fail).
    fn into_format(self) -> FormatError {
        match self {
            ReadError::Format(e) => e,
            ReadError::Io { line, error } => err(line, error.to_string()),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io { error, .. } => write!(f, "{error}"),
            ReadError::Format(e) => write!(f, "bad trace: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<FormatError> for ReadError {
    fn from(e: FormatError) -> Self {
        ReadError::Format(e)
    }
}

/// Reads a trace file incrementally: the headers first ([`Reader::new`]), then one data line
/// at a time ([`Reader::next_line`], or as an iterator). What it holds is the line being read
/// (and the first data line until it is asked for), never the file: a replay that follows the
/// lines as they come ([`crate::imap::Follower`]) needs memory for the largest message, not for
/// the trace (issue 18 item 11).
///
/// The format is the one [`parse`] reads (`docs/corpus-format.md`); a line that breaks it
/// ends the reading with a [`ReadError::Format`] naming the line.
///
/// ```
/// use mailtrace::format::{Reader, Side};
/// let text = "# source: RFC 9051 §6.1.2\nC: a NOOP\nS~ a OK done\\r\\n\n";
/// let mut reader = Reader::new(text.as_bytes()).unwrap();
/// assert_eq!(reader.headers().source, "RFC 9051 §6.1.2");
/// let first = reader.next_line().unwrap().unwrap();
/// assert_eq!((first.line, first.side, &first.bytes[..]), (2, Side::Client, &b"a NOOP\r\n"[..]));
/// assert_eq!(reader.next_line().unwrap().unwrap().bytes, b"a OK done\r\n");
/// assert!(reader.next_line().is_none());
/// ```
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    headers: Headers,
    /// The first data line (or its first piece), read while looking for the end of the
    /// headers.
    first: Option<DataLine>,
    /// Lines read so far.
    line: usize,
    /// The input ended or failed.
    done: bool,
    /// The data line being read in pieces ([`Reader::next_piece`]).
    partial: Option<Partial>,
}

/// The most octets of a data line [`Reader::next_piece`] reads at once: a longer line (a big
/// literal written as one `C~` line) is handed over in pieces of about this size.
pub const PIECE: usize = 64 * 1024;

/// A data line longer than [`PIECE`], being read.
#[derive(Debug)]
struct Partial {
    line: usize,
    side: Side,
    /// A `C~`/`S~` line.
    escaped: bool,
    /// Bytes read and not handed over yet: a UTF-8 sequence or an escape cut by a piece's
    /// end.
    carry: Vec<u8>,
    /// The line's last octet read so far (a CR before the LF is an error).
    last: Option<u8>,
}

/// How reading a part of a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// At its LF (consumed).
    Lf,
    /// At the end of the input.
    Eof,
    /// The part is full; the line goes on.
    Full,
}

/// A line, as [`Reader::line_start`] reads it.
enum Raw {
    /// All of it (without its LF).
    Whole(Vec<u8>),
    /// The first [`PIECE`] octets of a data line that goes on.
    LongData(Vec<u8>),
}

impl<R: std::io::BufRead> Reader<R> {
    /// Reads the headers: the `#` lines before the first data line (which is read too, and
    /// kept for [`Reader::next_line`]).
    pub fn new(input: R) -> Result<Self, ReadError> {
        let mut reader = Reader {
            input,
            headers: Headers {
                source: String::new(),
                protocol: Protocol::Imap,
                expect: Expect::Ok,
                start: Start::Any,
                rule: None,
                profile: Profile::Strict,
                deviations: Vec::new(),
                extensions: Vec::new(),
                limits: LineLimits::default(),
            },
            first: None,
            line: 0,
            done: false,
            partial: None,
        };
        let mut builder = HeaderBuilder::default();
        while let Some((line, raw)) = reader.line_start()? {
            let raw = match raw {
                Raw::Whole(raw) => raw,
                Raw::LongData(raw) => {
                    reader.first = reader.begin_long(line, raw)?;
                    break;
                }
            };
            let text = as_text(&raw, line)?;
            if text.trim().is_empty() {
                continue;
            }
            if let Some(comment) = text.strip_prefix('#') {
                builder.header(comment, line)?;
                continue;
            }
            reader.first = Some(data_line(raw, line)?);
            break;
        }
        reader.headers = builder.finish()?;
        Ok(reader)
    }

    /// The trace's headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The next data line (comments and blank lines are skipped), `None` at the end.
    pub fn next_line(&mut self) -> Option<Result<DataLine, ReadError>> {
        let mut data = match self.next_piece()? {
            Ok(d) => d,
            Err(e) => return Some(Err(e)),
        };
        // A long line's pieces, joined.
        while self.partial.is_some() {
            match self.continue_long() {
                Ok(Some(piece)) => data.bytes.extend_from_slice(&piece.bytes),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(data))
    }

    /// The next data line, or the next piece of it when it is longer than [`PIECE`] octets:
    /// pieces of one line carry its number, in order, the last one with the CRLF a `C:`/`S:`
    /// line implies. Following the pieces as they come ([`crate::stream::follow`] does), a
    /// big message written as one line is never held whole as a line (issue 18).
    ///
    /// A line that breaks the format is found out as it is read: its pieces before the
    /// offending octets have been handed over (a line is checked whole before it is handed
    /// over only up to [`PIECE`] octets).
    ///
    /// ```
    /// use mailtrace::format::{PIECE, Reader};
    /// let text = format!("# source: x\nC~ {}\\r\\n\n", "y".repeat(PIECE * 2));
    /// let mut reader = Reader::new(text.as_bytes()).unwrap();
    /// let mut pieces = Vec::new();
    /// while let Some(piece) = reader.next_piece() {
    ///     let piece = piece.unwrap();
    ///     assert_eq!(piece.line, 2);
    ///     pieces.push(piece.bytes);
    /// }
    /// assert!(pieces.len() > 2 && pieces.iter().all(|p| p.len() <= PIECE));
    /// assert_eq!(pieces.concat(), format!("{}\r\n", "y".repeat(PIECE * 2)).into_bytes());
    /// ```
    pub fn next_piece(&mut self) -> Option<Result<DataLine, ReadError>> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        loop {
            let piece = if self.partial.is_some() {
                self.continue_long()
            } else {
                let (line, raw) = match self.line_start() {
                    Ok(Some(l)) => l,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                };
                match raw {
                    Raw::Whole(raw) => match as_text(&raw, line) {
                        Err(e) => Err(e),
                        Ok(text) if is_blank_or_comment(text) => Ok(None),
                        Ok(_) => data_line(raw, line).map(Some),
                    },
                    Raw::LongData(raw) => self.begin_long(line, raw),
                }
                .map_err(|e| self.stop(e))
            };
            match piece {
                Ok(Some(d)) => return Some(Ok(d)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Stops reading after a format error.
    fn stop(&mut self, e: FormatError) -> ReadError {
        self.done = true;
        self.partial = None;
        ReadError::Format(e)
    }

    /// The next line of the file without its LF, with its number, or the start of a data
    /// line longer than [`PIECE`]; `None` at the end.
    fn line_start(&mut self) -> Result<Option<(usize, Raw)>, ReadError> {
        if self.done {
            return Ok(None);
        }
        self.line += 1;
        let mut raw = Vec::new();
        Ok(Some(match self.read_part(&mut raw, PIECE)? {
            End::Eof if raw.is_empty() => return Ok(None),
            End::Lf | End::Eof => (self.line, Raw::Whole(raw)),
            End::Full if data_marker(&raw).is_some() => (self.line, Raw::LongData(raw)),
            End::Full => {
                // A long comment (or a line that is not valid): read whole, as before.
                self.read_part(&mut raw, usize::MAX)?;
                (self.line, Raw::Whole(raw))
            }
        }))
    }

    /// Reads the line being read on into `out`, up to `max` octets in all.
    fn read_part(&mut self, out: &mut Vec<u8>, max: usize) -> Result<End, ReadError> {
        loop {
            let avail = match self.input.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    self.done = true;
                    self.partial = None;
                    return Err(ReadError::Io {
                        line: self.line,
                        error,
                    });
                }
            };
            if avail.is_empty() {
                self.done = true;
                return Ok(End::Eof);
            }
            let take = avail.len().min(max.saturating_sub(out.len()));
            if let Some(i) = memchr::memchr(b'\n', &avail[..take]) {
                out.extend_from_slice(&avail[..i]);
                self.input.consume(i + 1);
                return Ok(End::Lf);
            }
            out.extend_from_slice(&avail[..take]);
            self.input.consume(take);
            if out.len() >= max {
                return Ok(End::Full);
            }
        }
    }

    /// The first piece of a long data line (`raw`: its first [`PIECE`] octets).
    fn begin_long(
        &mut self,
        line: usize,
        mut raw: Vec<u8>,
    ) -> Result<Option<DataLine>, FormatError> {
        let (side, escaped) = data_marker(&raw).ok_or_else(|| err(line, "not a data line"))?;
        raw.drain(..3);
        self.partial = Some(Partial {
            line,
            side,
            escaped,
            carry: Vec::new(),
            last: None,
        });
        self.piece(raw, false)
    }

    /// The next piece of the long data line being read.
    fn continue_long(&mut self) -> Result<Option<DataLine>, ReadError> {
        // Room for what was carried over and the CRLF a `C:`/`S:` line ends with.
        let carried = self.partial.as_ref().map_or(0, |p| p.carry.len());
        let mut part = Vec::new();
        let end = self.read_part(&mut part, PIECE - 2 - carried)?;
        self.piece(part, end != End::Full).map_err(|e| self.stop(e))
    }

    /// Decodes a part of the long data line being read (`ended`: its last part): its UTF-8
    /// checked, its escapes decoded, what a cut leaves incomplete kept for the next part.
    /// `None` when nothing is complete yet.
    fn piece(&mut self, part: Vec<u8>, ended: bool) -> Result<Option<DataLine>, FormatError> {
        let Some(p) = self.partial.as_mut() else {
            return Ok(None);
        };
        if let Some(&b) = part.last() {
            p.last = Some(b);
        }
        if ended && p.last == Some(b'\r') {
            return Err(cr_before_lf(p.line));
        }
        let mut bytes = if p.carry.is_empty() {
            part
        } else {
            let mut b = std::mem::take(&mut p.carry);
            b.extend_from_slice(&part);
            b
        };
        let valid = match std::str::from_utf8(&bytes) {
            Ok(_) => bytes.len(),
            Err(e) if e.error_len().is_none() && !ended => e.valid_up_to(),
            Err(_) => return Err(err(p.line, "not UTF-8 text")),
        };
        let mut carry = bytes.split_off(valid);
        if p.escaped {
            let (w, rest) = unescape_part(&mut bytes, 0, p.line, ended)?;
            if rest < bytes.len() {
                let mut cut = bytes[rest..].to_vec();
                cut.extend_from_slice(&carry);
                carry = cut;
            }
            bytes.truncate(w);
        }
        let (line, side, escaped) = (p.line, p.side, p.escaped);
        if ended {
            self.partial = None;
            if !escaped {
                bytes.extend_from_slice(b"\r\n");
            }
        } else {
            p.carry = carry;
        }
        Ok((!bytes.is_empty()).then_some(DataLine { line, side, bytes }))
    }
}

/// The side and the escaping of a data line's marker followed by its space (`C: `, `S~ `).
fn data_marker(raw: &[u8]) -> Option<(Side, bool)> {
    let side = match raw.get(..2)? {
        b"C:" | b"C~" => Side::Client,
        b"S:" | b"S~" => Side::Server,
        _ => return None,
    };
    (raw.get(2) == Some(&b' ')).then_some((side, raw[1] == b'~'))
}

impl<R: std::io::BufRead> Iterator for Reader<R> {
    type Item = Result<DataLine, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line()
    }
}

/// A line as text: UTF-8, LF line ends.
fn as_text(raw: &[u8], line: usize) -> Result<&str, FormatError> {
    if raw.ends_with(b"\r") {
        return Err(cr_before_lf(line));
    }
    std::str::from_utf8(raw).map_err(|_| err(line, "not UTF-8 text"))
}

/// A line that ends in CR (its LF's): the error.
fn cr_before_lf(line: usize) -> FormatError {
    err(line, "CR before LF: trace files use LF line ends")
}

/// The marker of a data line (`raw`: UTF-8, not blank, not a comment): its side, whether it
/// is escaped (`C~`, `S~`), and where its bytes start.
fn marker(raw: &[u8], line: usize) -> Result<(Side, bool, usize), FormatError> {
    let side = match raw.get(..2) {
        Some(b"C:") | Some(b"C~") => Side::Client,
        Some(b"S:") | Some(b"S~") => Side::Server,
        _ => return Err(err(line, "a data line starts with C:, S:, C~ or S~")),
    };
    let start = match raw.get(2) {
        Some(b' ') => 3,
        None => 2,
        Some(_) => return Err(err(line, "the marker must be followed by one space")),
    };
    Ok((side, raw[1] == b'~', start))
}

/// A data line (`raw`: UTF-8, not blank, not a comment), its bytes decoded in place.
fn data_line(mut raw: Vec<u8>, line: usize) -> Result<DataLine, FormatError> {
    let (side, escaped, start) = marker(&raw, line)?;
    if escaped {
        let n = unescape(&mut raw, start, line)?;
        raw.truncate(n);
    } else {
        raw.drain(..start);
        raw.extend_from_slice(b"\r\n");
    }
    Ok(DataLine {
        line,
        side,
        bytes: raw,
    })
}

/// [`data_line`] for a line borrowed from the text: its bytes are copied once, into a
/// vector of their size (with the CRLF a `C:`/`S:` line implies).
fn data_line_from(raw: &[u8], line: usize) -> Result<DataLine, FormatError> {
    let (side, escaped, start) = marker(raw, line)?;
    let body = &raw[start..];
    let mut bytes = Vec::with_capacity(body.len() + 2);
    bytes.extend_from_slice(body);
    if escaped {
        let n = unescape(&mut bytes, 0, line)?;
        bytes.truncate(n);
    } else {
        bytes.extend_from_slice(b"\r\n");
    }
    Ok(DataLine { line, side, bytes })
}

/// The headers as they are read.
#[derive(Default)]
struct HeaderBuilder {
    source: Option<String>,
    protocol: Option<Protocol>,
    expect: Option<Expect>,
    start: Option<Start>,
    rule: Option<String>,
    profile: Option<Profile>,
    deviations: Option<Vec<String>>,
    extensions: Option<Vec<String>>,
    limits: Option<LineLimits>,
}

impl HeaderBuilder {
    /// A comment before the first data line: a header when it reads `key: value`.
    fn header(&mut self, comment: &str, line: usize) -> Result<(), FormatError> {
        let Some((key, value)) = comment.trim_start().split_once(':') else {
            return Ok(());
        };
        let key = key.trim_end();
        let value = value.trim();
        let dup = match key {
            "source" => self.source.replace(value.to_owned()).is_some(),
            "protocol" => self
                .protocol
                .replace(match value {
                    "imap" => Protocol::Imap,
                    "pop3" => Protocol::Pop3,
                    _ => return Err(err(line, "protocol must be imap or pop3")),
                })
                .is_some(),
            "expect" => self
                .expect
                .replace(match value {
                    "ok" => Expect::Ok,
                    "reject" => Expect::Reject,
                    _ => return Err(err(line, "expect must be ok or reject")),
                })
                .is_some(),
            "start" => self
                .start
                .replace(match value {
                    "connect" => Start::Connect,
                    "not-authenticated" => Start::NotAuthenticated,
                    "authenticated" => Start::Authenticated,
                    "selected" => Start::Selected,
                    "any" => Start::Any,
                    _ => return Err(err(line, "unknown start state")),
                })
                .is_some(),
            "rule" => self.rule.replace(value.to_owned()).is_some(),
            "profile" => self
                .profile
                .replace(
                    Profile::from_name(value)
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
                self.deviations.replace(ids).is_some()
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
                self.extensions.replace(names).is_some()
            }
            "limits" => {
                let mut limits = LineLimits::default();
                for item in value.split_whitespace() {
                    let parsed = item.split_once('=').and_then(|(name, n)| {
                        let n: usize = n.parse().ok().filter(|&n| n > 0)?;
                        Some((name, n))
                    });
                    match parsed {
                        Some(("command-line", n)) => limits.command_line = Some(n),
                        Some(("response-line", n)) => limits.response_line = Some(n),
                        _ => {
                            return Err(err(
                                line,
                                format!("{item:?}: limits are command-line=N or response-line=N"),
                            ));
                        }
                    }
                }
                self.limits.replace(limits).is_some()
            }
            // A comment whose first word is not a header name is no header (the known
            // names above are header names: they are matched first).
            other
                if other.is_empty()
                    || !other
                        .bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') =>
            {
                return Ok(());
            }
            other => return Err(err(line, format!("unknown header {other:?}"))),
        };
        if dup {
            return Err(err(line, format!("header {key:?} given twice")));
        }
        Ok(())
    }

    /// The headers, checked as a whole.
    fn finish(self) -> Result<Headers, FormatError> {
        let source = self
            .source
            .ok_or_else(|| err(1, "the header \"source\" is required"))?;
        let profile = self.profile.unwrap_or(Profile::Strict);
        let deviations = self.deviations.unwrap_or_default();
        if profile == Profile::RealWorld
            && (deviations.is_empty() || self.expect == Some(Expect::Reject))
        {
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
        Ok(Headers {
            source,
            protocol: self.protocol.unwrap_or(Protocol::Imap),
            expect: self.expect.unwrap_or(Expect::Ok),
            start: self.start.unwrap_or(Start::Any),
            rule: self.rule,
            profile,
            deviations,
            extensions: self.extensions.unwrap_or_default(),
            limits: self.limits.unwrap_or_default(),
        })
    }
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

    /// The reader gives the lines [`parse`] gives, one at a time, and stops at the first
    /// line that breaks the format or the first read that fails.
    #[test]
    fn the_reader_reads_line_by_line() {
        let text = "# source: x\n# expect: reject\nC:  two\n# note\n\nC:\nS~ a\\x00\\n\\\\\n";
        let whole = parse(text).unwrap();
        let mut reader = Reader::new(text.as_bytes()).unwrap();
        assert_eq!(reader.headers(), &whole.headers);
        let lines: Vec<DataLine> = (&mut reader).map(Result::unwrap).collect();
        assert_eq!(lines, whole.lines);
        assert!(reader.next_line().is_none());

        let mut reader = Reader::new(&b"# source: x\nC: a\nC: \xff\nC: b\n"[..]).unwrap();
        assert_eq!(reader.next_line().unwrap().unwrap().bytes, b"a\r\n");
        match reader.next_line() {
            Some(Err(ReadError::Format(e))) => {
                assert_eq!((e.line, &e.message[..]), (3, "not UTF-8 text"))
            }
            other => panic!("{other:?}"),
        }
        assert!(reader.next_line().is_none());

        /// Fails after its first line.
        struct Broken(usize);
        impl std::io::Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let first = b"# source: x\nC: a\n";
                if self.0 >= first.len() {
                    return Err(std::io::Error::other("gone"));
                }
                let n = buf.len().min(first.len() - self.0);
                buf[..n].copy_from_slice(&first[self.0..self.0 + n]);
                self.0 += n;
                Ok(n)
            }
        }
        let mut reader = Reader::new(std::io::BufReader::new(Broken(0))).unwrap();
        assert_eq!(reader.next_line().unwrap().unwrap().line, 2);
        match reader.next_line() {
            Some(Err(e @ ReadError::Io { line: 3, .. })) => assert_eq!(e.to_string(), "gone"),
            other => panic!("{other:?}"),
        }
        assert!(reader.next_line().is_none());
    }

    /// A data line longer than [`PIECE`] comes in pieces of at most [`PIECE`] octets that
    /// join to the line [`Reader::next_line`] gives, whatever sits at a piece's edge: an
    /// escape, a UTF-8 sequence, the line's end; read through buffers of any size.
    #[test]
    fn long_lines_come_in_pieces_that_join_to_the_line() {
        let cases: [(&str, &[u8]); 5] = [
            ("\\x41", b"A"),
            ("\\r", b"\r"),
            ("\\\\", b"\\"),
            ("\u{e9}", "\u{e9}".as_bytes()),
            ("\u{20ac}", "\u{20ac}".as_bytes()),
        ];
        for (written, decoded) in cases {
            for escaped in [true, false] {
                if !escaped && written.starts_with('\\') {
                    continue;
                }
                for at in PIECE - 6..PIECE + 2 {
                    // The special sequence starts `at` octets into the line (marker included).
                    let fill = "y".repeat(at - 3);
                    let tail = "z".repeat(PIECE + 10);
                    let marker = if escaped { "C~" } else { "C:" };
                    let text = format!("# source: x\n{marker} {fill}{written}{tail}\nS: ok\n");
                    let mut want = [fill.as_bytes(), decoded, tail.as_bytes()].concat();
                    if !escaped {
                        want.extend_from_slice(b"\r\n");
                    }
                    for capacity in [7, 8 * 1024, 1 << 20] {
                        let input = std::io::BufReader::with_capacity(capacity, text.as_bytes());
                        let mut reader = Reader::new(input).unwrap();
                        let mut joined = Vec::new();
                        let mut count = 0;
                        let last = loop {
                            let piece = reader.next_piece().unwrap().unwrap();
                            if piece.line == 3 {
                                break piece;
                            }
                            assert_eq!((piece.line, piece.side), (2, Side::Client));
                            assert!(piece.bytes.len() <= PIECE, "{}", piece.bytes.len());
                            joined.extend_from_slice(&piece.bytes);
                            count += 1;
                        };
                        assert!(count >= 2, "{count} pieces");
                        assert!(joined == want, "{written:?} at {at}, escaped {escaped}");
                        assert_eq!(last.bytes, b"ok\r\n");
                        assert!(reader.next_piece().is_none());
                        let whole = parse(&text).unwrap();
                        assert!(whole.lines[0].bytes == want && whole.lines[1].line == 3);
                    }
                }
            }
        }
    }

    /// What breaks the format in a long line is found as it is read, and names the line.
    #[test]
    fn long_lines_that_break_the_format() {
        let fill = "y".repeat(PIECE * 2);
        for (line, message) in [
            (format!("C: {fill}\r"), "CR before LF"),
            (format!("C~ {fill}\\x4"), "\\x must be followed"),
            (format!("C~ {fill}\\"), "unknown escape"),
            (format!("C~ {fill}\\q{fill}"), "unknown escape"),
        ] {
            let text = format!("# source: x\nC: a\n{line}\nC: b\n");
            let e = parse(&text).unwrap_err();
            assert_eq!(e.line, 3, "{e}");
            assert!(e.message.starts_with(message), "{e}");
        }
        for bytes in [&b"\xc3"[..], b"\xff", b"\xe2\x82"] {
            let text = [b"# source: x\nC: ", fill.as_bytes(), bytes, b"\nC: b\n"].concat();
            let mut reader = Reader::new(&text[..]).unwrap();
            let e = loop {
                match reader.next_piece() {
                    Some(Ok(_)) => {}
                    Some(Err(ReadError::Format(e))) => break e,
                    other => panic!("{other:?}"),
                }
            };
            assert_eq!((e.line, &e.message[..]), (2, "not UTF-8 text"));
            assert!(reader.next_piece().is_none());
        }
    }

    /// [`parse`] reads a text in memory as the [`Reader`] reads it: the same trace, or the
    /// same error (line and message), for every sequence of up to three of these lines.
    #[test]
    fn parse_reads_as_the_reader_reads() {
        let parts = [
            "# source: x",
            "# source: y",
            "# expect: reject",
            "#protocol: pop3",
            "# profile: real-world",
            "# deviations: bare-lf",
            "# colour: red",
            "# note",
            "# Note: prose",
            "",
            "  ",
            "\u{3000}",
            "C: a",
            "S~ b\\r\\n",
            "C:",
            "C:x",
            "X: y",
            "S~ \\q",
            "C: a\r",
            "\r",
        ];
        let mut checked = 0;
        for a in parts {
            for b in parts {
                for c in parts {
                    for end in ["", "\n"] {
                        let text = format!("{a}\n{b}\n{c}{end}");
                        assert_eq!(parse(&text), parse_with_reader(&text), "{text:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, parts.len().pow(3) * 2);
    }

    #[test]
    fn comments_after_data_are_not_headers() {
        let t = parse("# source: x\nC: a\n# expect: reject\n").unwrap();
        assert_eq!(t.headers.expect, Expect::Ok);
    }
}
