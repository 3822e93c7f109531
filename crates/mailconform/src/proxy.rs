//! `mailconform proxy`: a tap between a client and an IMAP or POP3 server.
//!
//! Every connection accepted on `--listen` is forwarded to `--upstream`, both directions
//! byte for byte (nothing is parsed on the forwarding path, nothing is changed). On the side,
//! each direction is cut into lines and written as a trace in the corpus format
//! (`docs/corpus-format.md`): `S: `/`C: ` for a line that ends in CR LF and is plain UTF-8 text,
//! `S~ `/`C~ ` with escapes for anything else (bare LF, 8-bit octets that are not UTF-8, control
//! characters, a whitespace-only line, a tail without a line end). Lines are written in the order
//! the proxy received them, which is the order of events the format asks for.
//!
//! When the connection ends, the trace is replayed through `mailtrace`, the code path of
//! `mailconform validate`, and the proxy prints one summary line per connection (messages per
//! side, how many failed) and the failing messages. With `--record DIR` the trace is also
//! written to `DIR/NAME.trace` (`NAME-2.trace`, ... for later connections).
//!
//! After the server accepts `COMPRESS DEFLATE` (RFC 4978 §3: both sides compress from the octet
//! after the CRLF of the tagged OK), the proxy keeps forwarding the deflate stream unchanged and
//! records what it inflates to (one raw inflater per direction, RFC 1951), after a
//! comment that says so: the trace holds the protocol text the two ends exchanged inside the
//! compression layer, which is what the sessions see after the shells' deflate adapter.
//!
//! What cannot be a trace is left out and said so in a comment: after the server accepts
//! `STARTTLS` (RFC 9051 §6.2.1) or `STLS` (RFC 2595 §4) the bytes are a TLS stream; the trace
//! ends with the server's OK and the proxy keeps forwarding without recording. A deflate stream
//! that does not inflate ends the recording in the same way.
//!
//! This is the I/O shell: std sockets and one thread per direction.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use mailproto_client::compress::Deflate;
use mailtrace::format::{self, Protocol, Side};
use mailtrace::report::{Message, Summary};
use mailtrace::{imap, pop3};

/// What the proxy does with each connection.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where connections are forwarded.
    pub upstream: String,
    /// The protocol spoken (how the recording is framed and validated).
    pub protocol: Protocol,
    /// Where traces are written, if anywhere.
    pub record: Option<PathBuf>,
    /// The file name stem of the traces (`NAME.trace`, `NAME-2.trace`, ...).
    pub name: String,
    /// The value of the traces' `# source:` header (the server, e.g. `Dovecot 2.3.19.1`).
    pub source: String,
    /// Print every failing message after the summary line.
    pub show_failures: bool,
}

/// What one connection came to.
#[derive(Debug, Clone)]
pub struct ConnectionReport {
    /// 1-based connection number.
    pub number: usize,
    /// Where it was written.
    pub file: Option<PathBuf>,
    /// Octets the client sent, the server sent.
    pub octets: [u64; 2],
    /// Messages per side (client, server) and how many of them failed.
    pub messages: [usize; 2],
    /// Failed messages per side (client, server).
    pub failed: [usize; 2],
    /// One line per failing message (`line N: S FAIL ...`).
    pub failures: Vec<String>,
    /// Why recording stopped before the end, if it did.
    pub stopped: Option<String>,
}

impl ConnectionReport {
    /// The one-line summary printed per connection.
    pub fn summary(&self) -> String {
        let file = self
            .file
            .as_ref()
            .map_or_else(|| "not recorded".to_owned(), |f| f.display().to_string());
        let stopped = self
            .stopped
            .as_ref()
            .map_or_else(String::new, |s| format!(", recording stopped after {s}"));
        format!(
            "connection {}: C {} octets {} messages {} failed, S {} octets {} messages {} failed{stopped}: {file}",
            self.number,
            self.octets[0],
            self.messages[0],
            self.failed[0],
            self.octets[1],
            self.messages[1],
            self.failed[1],
        )
    }
}

/// Accepts connections on `listener` and serves each in its own thread; with `max` set, returns
/// after that many connections have been served (their reports printed).
pub fn serve(listener: TcpListener, config: Config, max: Option<usize>) -> io::Result<()> {
    let config = Arc::new(config);
    let mut workers = Vec::new();
    for (index, conn) in listener.incoming().enumerate() {
        let client = conn?;
        let number = index + 1;
        let config = Arc::clone(&config);
        workers.push(thread::spawn(move || {
            match handle(client, &config, number) {
                Ok(report) => {
                    let mut out = io::stdout().lock();
                    let _ = writeln!(out, "{}", report.summary());
                    if config.show_failures {
                        for f in &report.failures {
                            let _ = writeln!(out, "  {f}");
                        }
                    }
                }
                Err(e) => eprintln!("mailconform proxy: connection {number}: {e}"),
            }
        }));
        if max.is_some_and(|m| number >= m) {
            break;
        }
    }
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

/// Forwards one connection until both directions are closed, then validates and writes its trace.
pub fn handle(client: TcpStream, config: &Config, number: usize) -> io::Result<ConnectionReport> {
    let peer = client.peer_addr().ok();
    let server = TcpStream::connect(&config.upstream)?;
    let recorder = Arc::new(Mutex::new(Recorder::new(config.protocol)));
    let up = pump(
        client.try_clone()?,
        server.try_clone()?,
        Side::Client,
        Arc::clone(&recorder),
    );
    let down = pump(server, client, Side::Server, Arc::clone(&recorder));
    let _ = up.join();
    let _ = down.join();
    let recorder = Arc::try_unwrap(recorder)
        .map_err(|_| io::Error::other("recorder still shared"))?
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let header = Header {
        source: config.source.clone(),
        upstream: config.upstream.clone(),
        peer,
        number,
    };
    let octets = recorder.octets;
    let stopped = recorder.stopped.clone();
    let trace = recorder.finish(&header);
    let file = match &config.record {
        Some(dir) => {
            let stem = if number == 1 {
                config.name.clone()
            } else {
                format!("{}-{number}", config.name)
            };
            let path = dir.join(format!("{stem}.trace"));
            write_file(&path, &trace)?;
            Some(path)
        }
        None => None,
    };
    let (messages, failed, failures) = validate(&trace);
    Ok(ConnectionReport {
        number,
        file,
        octets,
        messages,
        failed,
        failures,
        stopped,
    })
}

fn write_file(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// Copies `from` to `to`, recording each chunk before it is forwarded (so that the recorded
/// order across the two directions is the order of arrival), until `from` ends.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    side: Side,
    recorder: Arc<Mutex<Recorder>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            recorder
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .feed(side, &buf[..n]);
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        // The client ending its side is a half-close passed on to the server (which answers
        // by closing); the server closing ends the session, so the client's side is closed
        // too, which also ends the other pump's read.
        match side {
            Side::Client => {
                let _ = to.shutdown(Shutdown::Write);
                let _ = from.shutdown(Shutdown::Read);
            }
            Side::Server => {
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
            }
        }
    })
}

/// Replays a recorded trace with the validator's code path: (messages, failed) per side
/// (client, server) and one line per failing message.
pub fn validate(trace: &str) -> ([usize; 2], [usize; 2], Vec<String>) {
    let parsed = match format::parse(trace) {
        Ok(t) => t,
        Err(e) => return ([0; 2], [0; 2], vec![format!("bad trace: {e}")]),
    };
    match parsed.headers.protocol {
        Protocol::Imap => count(&imap::replay(&parsed).messages),
        Protocol::Pop3 => count(&pop3::replay(&parsed).messages),
    }
}

fn count<K, V: Summary>(messages: &[Message<K, V>]) -> ([usize; 2], [usize; 2], Vec<String>) {
    let (mut total, mut failed, mut lines) = ([0; 2], [0; 2], Vec::new());
    for m in messages {
        let i = usize::from(m.side == Side::Server);
        total[i] += 1;
        if !m.is_ok() {
            failed[i] += 1;
            lines.push(format!(
                "line {}: {} FAIL {}",
                m.line,
                m.side.letter(),
                m.summary()
            ));
        }
    }
    (total, failed, lines)
}

/// What the header of a recorded trace says.
#[derive(Debug, Clone)]
pub struct Header {
    /// `# source:`.
    pub source: String,
    /// The server the connection went to.
    pub upstream: String,
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// The connection number.
    pub number: usize,
}

/// Cuts the two directions of one connection into trace data lines, in order of arrival.
///
/// It follows IMAP literals (`{n}`, `{n+}`, `~{n}`, RFC 9051 §4.3) only to know where a command
/// or response starts, so that it can inflate both directions once a COMPRESS DEFLATE is
/// accepted and stop recording when the stream stops being IMAP or POP3 text (an accepted
/// STARTTLS or STLS).
#[derive(Debug)]
pub struct Recorder {
    /// Per side (client, server): the inflater of an accepted COMPRESS DEFLATE (RFC 4978 §3).
    inflate: Option<Box<[Deflate; 2]>>,
    protocol: Protocol,
    lines: Vec<String>,
    /// Per side (client, server): bytes of a line not yet ended.
    pending: [Vec<u8>; 2],
    /// Per side: octets of literal data still to come.
    literal: [u64; 2],
    /// Per side: the current message continues after a literal.
    continuing: [bool; 2],
    /// The tag of a client COMPRESS/STARTTLS command (IMAP), or `STLS` (POP3), waiting for its answer.
    switch: Option<(String, &'static str)>,
    /// Set once the stream is no longer text.
    stopped: Option<String>,
    /// Octets seen per side (client, server), recorded or not.
    octets: [u64; 2],
}

impl Recorder {
    /// An empty recording of one connection.
    pub fn new(protocol: Protocol) -> Self {
        Recorder {
            inflate: None,
            protocol,
            lines: Vec::new(),
            pending: [Vec::new(), Vec::new()],
            literal: [0; 2],
            continuing: [false; 2],
            switch: None,
            stopped: None,
            octets: [0; 2],
        }
    }

    /// Takes the bytes one side sent (as they were on the wire).
    pub fn feed(&mut self, side: Side, bytes: &[u8]) {
        self.octets[index(side)] += bytes.len() as u64;
        self.take(side, bytes);
    }

    /// Records wire bytes: inflated first once COMPRESS DEFLATE is in force.
    fn take(&mut self, side: Side, bytes: &[u8]) {
        if self.stopped.is_some() {
            return;
        }
        let Some(layers) = self.inflate.as_mut() else {
            let rest = self.text(side, bytes);
            // Compression started after a line of this chunk: the rest is deflate data.
            if !rest.is_empty() && self.inflate.is_some() {
                self.take(side, rest);
            }
            return;
        };
        let mut text = Vec::new();
        match layers[index(side)].decompress(bytes, &mut text) {
            Ok(()) => {
                self.text(side, &text);
            }
            Err(e) => self.broken(format!("The deflate stream does not inflate ({e})")),
        }
    }

    /// Records protocol text line by line; returns what follows the line after which
    /// compression started (empty otherwise).
    fn text<'b>(&mut self, side: Side, bytes: &'b [u8]) -> &'b [u8] {
        let i = index(side);
        let deflating = self.inflate.is_some();
        let mut rest = bytes;
        while self.stopped.is_none() && !rest.is_empty() {
            if !deflating && self.inflate.is_some() {
                return rest;
            }
            match rest.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    self.pending[i].extend_from_slice(&rest[..=end]);
                    rest = &rest[end + 1..];
                    let line = std::mem::take(&mut self.pending[i]);
                    self.line(side, line);
                }
                None => {
                    self.pending[i].extend_from_slice(rest);
                    rest = &[];
                }
            }
        }
        &[]
    }

    /// One complete line (ending in LF) of one side.
    fn line(&mut self, side: Side, line: Vec<u8>) {
        let i = index(side);
        let mut starts_message = !self.continuing[i] && self.literal[i] == 0;
        let mut tail: &[u8] = &line;
        if self.literal[i] > 0 {
            let take = self.literal[i].min(tail.len() as u64);
            self.literal[i] -= take;
            tail = &tail[take as usize..];
            starts_message = false;
        }
        if self.literal[i] == 0 && !tail.is_empty() {
            match literal_announcement(tail) {
                Some(n) => {
                    self.literal[i] = n;
                    self.continuing[i] = true;
                }
                None => self.continuing[i] = false,
            }
        }
        self.lines.push(data_line(side, &line));
        if starts_message {
            self.watch(side, &line);
        }
    }

    /// Notices the start of compression or TLS.
    fn watch(&mut self, side: Side, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let words: Vec<&str> = text.split_ascii_whitespace().collect();
        match (self.protocol, side) {
            (Protocol::Imap, Side::Client) => {
                self.switch = match words.as_slice() {
                    [tag, cmd, ..] if cmd.eq_ignore_ascii_case("COMPRESS") => {
                        Some((tag.to_string(), "COMPRESS"))
                    }
                    [tag, cmd] if cmd.eq_ignore_ascii_case("STARTTLS") => {
                        Some((tag.to_string(), "STARTTLS"))
                    }
                    _ => self.switch.take(),
                }
            }
            (Protocol::Imap, Side::Server) => {
                if let (Some((tag, what)), [t, status, ..]) = (&self.switch, words.as_slice())
                    && t == tag
                {
                    if status.eq_ignore_ascii_case("OK") {
                        if *what == "COMPRESS" {
                            self.deflate();
                        } else {
                            self.stop(what);
                        }
                    }
                    self.switch = None;
                }
            }
            (Protocol::Pop3, Side::Client) => {
                if matches!(words.as_slice(), [cmd] if cmd.eq_ignore_ascii_case("STLS")) {
                    self.switch = Some((String::new(), "STLS"));
                }
            }
            (Protocol::Pop3, Side::Server) => {
                if let Some((_, what)) = self.switch.take()
                    && words.first().is_some_and(|w| *w == "+OK")
                {
                    self.stop(what);
                }
            }
        }
    }

    /// The server accepted COMPRESS DEFLATE: both directions inflate from here on.
    fn deflate(&mut self) {
        if self.inflate.is_some() {
            return; // RFC 4978 §3: a second COMPRESS is refused; never restart the layers.
        }
        self.inflate = Some(Box::new([Deflate::new(), Deflate::new()]));
        self.lines.push(
            "# The server accepted COMPRESS DEFLATE (RFC 4978 §3): what follows was sent deflated and is recorded inflated."
                .to_owned(),
        );
    }

    fn stop(&mut self, what: &str) {
        self.stopped = Some(what.to_owned());
        self.lines.push(format!(
            "# The server accepted {what}: the rest of the connection is not text and is not recorded."
        ));
    }

    /// An inflater refused its side's bytes: nothing after them can be recorded.
    fn broken(&mut self, why: String) {
        self.lines.push(format!(
            "# {why}: the rest of the connection is not recorded."
        ));
        self.stopped = Some(why);
    }

    /// The trace text: headers, comments, data lines, and any unterminated tails.
    pub fn finish(mut self, header: &Header) -> String {
        for side in [Side::Client, Side::Server] {
            let rest = std::mem::take(&mut self.pending[index(side)]);
            if !rest.is_empty() {
                self.lines.push(data_line(side, &rest));
            }
        }
        let protocol = match self.protocol {
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
        };
        let mut out = String::new();
        out.push_str(&format!("# source: {}\n", header.source.trim()));
        out.push_str(&format!("# protocol: {protocol}\n"));
        out.push_str("# start: connect\n");
        out.push_str(&format!(
            "# Recorded by mailconform proxy (connection {}, from {} to {}) on {}.\n",
            header.number,
            header
                .peer
                .map_or_else(|| "?".to_owned(), |p| p.ip().to_string()),
            header.upstream,
            today(),
        ));
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        out
    }
}

fn index(side: Side) -> usize {
    usize::from(side == Side::Server)
}

/// The octet count of a literal announcement at the end of a line (`{n}`, `{n+}`, `{n-}`,
/// `~{n}` then CR LF), RFC 9051 §4.3, RFC 7888, RFC 3516.
fn literal_announcement(line: &[u8]) -> Option<u64> {
    let body = line.strip_suffix(b"\r\n")?;
    let body = body.strip_suffix(b"}")?;
    let body = body
        .strip_suffix(b"+")
        .or_else(|| body.strip_suffix(b"-"))
        .unwrap_or(body);
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// One trace data line for the bytes of one line (terminator included).
pub fn data_line(side: Side, bytes: &[u8]) -> String {
    let letter = side.letter();
    if let Some(body) = bytes.strip_suffix(b"\r\n")
        && let Ok(text) = std::str::from_utf8(body)
    {
        let plain = !text.chars().any(|c| c.is_control() && c != '\t');
        if text.is_empty() {
            return format!("{letter}:");
        }
        // A line of only white space would read as a blank line.
        if plain && !text.trim().is_empty() {
            return format!("{letter}: {text}");
        }
    }
    format!("{letter}~ {}", escape(bytes))
}

/// The escapes of `C~`/`S~` lines: `\r \n \t \\ \xHH`; UTF-8 text is kept as it is.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, 0),
            Err(e) => {
                let (ok, _) = rest.split_at(e.valid_up_to());
                // The prefix was checked by from_utf8.
                let s = std::str::from_utf8(ok).unwrap_or_default();
                (s, e.error_len().unwrap_or(rest.len() - e.valid_up_to()))
            }
        };
        for c in valid.chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let mut b = [0u8; 4];
                    for byte in c.encode_utf8(&mut b).bytes() {
                        out.push_str(&format!("\\x{byte:02X}"));
                    }
                }
                c => out.push(c),
            }
        }
        let start = valid.len();
        for b in &rest[start..start + bad] {
            out.push_str(&format!("\\x{b:02X}"));
        }
        rest = &rest[start + bad..];
    }
    out
}

/// Today's date in UTC, `YYYY-MM-DD` (days-to-civil, proleptic Gregorian).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};

    fn header() -> Header {
        Header {
            source: "test server".into(),
            upstream: "127.0.0.1:1".into(),
            peer: None,
            number: 1,
        }
    }

    #[test]
    fn lines_are_plain_or_escaped() {
        assert_eq!(data_line(Side::Client, b"a NOOP\r\n"), "C: a NOOP");
        assert_eq!(data_line(Side::Server, b"\r\n"), "S:");
        assert_eq!(data_line(Side::Server, b"  \r\n"), "S~   \\r\\n");
        assert_eq!(data_line(Side::Server, b"x\n"), "S~ x\\n");
        assert_eq!(
            data_line(Side::Server, b"* 1 \xFCber\\\r\n"),
            "S~ * 1 \\xFCber\\\\\\r\\n"
        );
        assert_eq!(data_line(Side::Client, "Grüße\r\n".as_bytes()), "C: Grüße");
        assert_eq!(data_line(Side::Client, b"a\x00b\r\n"), "C~ a\\x00b\\r\\n");
        // What the escapes say is what was sent.
        for bytes in [&b"* 1 \xFCber\\\x01\r\n"[..], b"  \r\n", b"tail"] {
            let text = format!("# source: x\n{}\n", data_line(Side::Server, bytes));
            let t = format::parse(&text).unwrap();
            assert_eq!(t.stream(Side::Server), bytes);
        }
    }

    #[test]
    fn literals_are_not_commands() {
        assert_eq!(literal_announcement(b"a APPEND x {12}\r\n"), Some(12));
        assert_eq!(literal_announcement(b"a APPEND x {12+}\r\n"), Some(12));
        assert_eq!(
            literal_announcement(b"* 1 FETCH (BINARY[] ~{3}\r\n"),
            Some(3)
        );
        assert_eq!(literal_announcement(b"a NOOP {x}\r\n"), None);
        assert_eq!(literal_announcement(b"a NOOP\r\n"), None);
        // A literal whose text looks like "COMPRESS" does not stop the recording.
        let mut r = Recorder::new(Protocol::Imap);
        r.feed(
            Side::Client,
            b"a APPEND x {20+}\r\nb COMPRESS DEFLATE\r\n\r\n",
        );
        r.feed(Side::Server, b"b OK\r\na OK\r\n");
        assert!(r.stopped.is_none());
    }

    #[test]
    fn compress_is_recorded_inflated() {
        let mut client = Deflate::new();
        let mut server = Deflate::new();
        let mut r = Recorder::new(Protocol::Imap);
        let greeting = b"* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n";
        r.feed(Side::Server, greeting);
        r.feed(Side::Client, b"c1 COMPRESS DEFLATE\r\n");
        // The OK and the first deflated response arrive in one read.
        let mut down = b"c1 OK DEFLATE active\r\n".to_vec();
        server.compress(b"* 1 EXISTS\r\n", &mut down).unwrap();
        r.feed(Side::Server, &down);
        let mut up = Vec::new();
        client.compress(b"c2 NOOP\r\n", &mut up).unwrap();
        // Deflated bytes may arrive cut anywhere.
        for piece in up.chunks(3) {
            r.feed(Side::Client, piece);
        }
        let mut down2 = Vec::new();
        server.compress(b"c2 OK done\r\n", &mut down2).unwrap();
        r.feed(Side::Server, &down2);
        assert_eq!(r.stopped, None);
        assert_eq!(
            r.octets,
            [
                21 + up.len() as u64,
                (greeting.len() + down.len() + down2.len()) as u64
            ]
        );
        let text = r.finish(&header());
        assert!(
            text.ends_with(
                "C: c1 COMPRESS DEFLATE\nS: c1 OK DEFLATE active\n# The server accepted COMPRESS DEFLATE (RFC 4978 §3): what follows was sent deflated and is recorded inflated.\nS: * 1 EXISTS\nC: c2 NOOP\nS: c2 OK done\n"
            ),
            "{text}"
        );
        let (messages, failed, lines) = validate(&text);
        assert_eq!((messages, failed), ([2, 4], [0, 0]), "{lines:?}\n{text}");

        // Bytes that are not deflate data end the recording, with a comment.
        let mut r = Recorder::new(Protocol::Imap);
        r.feed(Side::Client, b"c1 COMPRESS DEFLATE\r\n");
        r.feed(Side::Server, b"c1 OK DEFLATE active\r\n");
        r.feed(Side::Client, &[0xff; 16]);
        r.feed(Side::Client, b"c2 NOOP\r\n");
        assert!(
            r.stopped
                .as_deref()
                .is_some_and(|s| s.contains("does not inflate"))
        );
        assert_eq!(r.octets, [21 + 16 + 9, 22]);
        let text = r.finish(&header());
        assert!(
            text.ends_with("the rest of the connection is not recorded.\n"),
            "{text}"
        );
    }

    #[test]
    fn starttls_ends_the_recording() {
        let mut r = Recorder::new(Protocol::Imap);
        r.feed(Side::Client, b"t1 STARTTLS\r\n");
        r.feed(Side::Server, b"t1 OK begin TLS\r\n\x16\x03\x01");
        r.feed(Side::Client, b"\x16\x03\x01\r\n");
        assert_eq!(r.stopped.as_deref(), Some("STARTTLS"));
        assert_eq!(r.octets, [18, 20]);
        let text = r.finish(&header());
        assert!(text.ends_with(
            "C: t1 STARTTLS\nS: t1 OK begin TLS\n# The server accepted STARTTLS: the rest of the connection is not text and is not recorded.\n"
        ));
        // A refused COMPRESS does not stop it.
        let mut r = Recorder::new(Protocol::Imap);
        r.feed(Side::Client, b"c1 COMPRESS DEFLATE\r\n");
        r.feed(Side::Server, b"c1 NO no\r\n");
        r.feed(Side::Client, b"c2 NOOP\r\n");
        assert!(r.stopped.is_none());
        let mut r = Recorder::new(Protocol::Pop3);
        r.feed(Side::Client, b"STLS\r\n");
        r.feed(Side::Server, b"+OK Begin TLS\r\n\x16\x03");
        assert_eq!(r.stopped.as_deref(), Some("STLS"));
    }

    /// A scripted upstream on 127.0.0.1:0: sends its greeting, then one answer per client line
    /// (a literal announcement gets `+`), and closes after LOGOUT.
    fn upstream() -> (SocketAddr, thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let mut got = Vec::new();
            out.write_all(b"* OK [CAPABILITY IMAP4rev2] ready\r\n")
                .unwrap();
            loop {
                // One whole command: a line, and after each literal the rest of the command.
                let mut line = Vec::new();
                if reader.read_until(b'\n', &mut line).unwrap() == 0 {
                    break;
                }
                let mut tail = line.clone();
                while let Some(n) = literal_announcement(&tail) {
                    out.write_all(b"+ go ahead\r\n").unwrap();
                    let mut data = vec![0u8; n as usize];
                    reader.read_exact(&mut data).unwrap();
                    line.extend_from_slice(&data);
                    tail.clear();
                    reader.read_until(b'\n', &mut tail).unwrap();
                    line.extend_from_slice(&tail);
                }
                got.extend_from_slice(&line);
                let text = String::from_utf8_lossy(&line).into_owned();
                let tag = text.split(' ').next().unwrap_or("*").to_owned();
                if text.contains("LOGOUT") {
                    out.write_all(format!("* BYE bye\r\n{tag} OK LOGOUT done\r\n").as_bytes())
                        .unwrap();
                    break;
                }
                let answer = if text.contains("APPEND") {
                    format!("{tag} OK APPEND done\r\n")
                } else {
                    format!("* 1 FETCH (FLAGS (\\Seen))\r\n{tag} OK done\r\n")
                };
                out.write_all(answer.as_bytes()).unwrap();
            }
            got
        });
        (addr, handle)
    }

    #[test]
    fn forwards_unchanged_and_records_a_valid_trace() {
        let (up, server) = upstream();
        let dir = std::env::temp_dir().join(format!("mailconform-proxy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = Config {
            upstream: up.to_string(),
            protocol: Protocol::Imap,
            record: Some(dir.clone()),
            name: "session".into(),
            source: "scripted test server".into(),
            show_failures: true,
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = thread::spawn(move || {
            let (client, _) = listener.accept().unwrap();
            handle(client, &config, 1).unwrap()
        });

        let sent: &[u8] = b"a1 FETCH 1 FLAGS\r\na2 APPEND INBOX {15}\r\nSubject: \xC3\xBC\r\n\r\n\r\na3 LOGOUT\r\n";
        let mut client = TcpStream::connect(addr).unwrap();
        let mut reader = BufReader::new(client.try_clone().unwrap());
        let mut received = Vec::new();
        let mut read_line = |received: &mut Vec<u8>| {
            let mut l = Vec::new();
            reader.read_until(b'\n', &mut l).unwrap();
            received.extend_from_slice(&l);
            l
        };
        read_line(&mut received);
        client.write_all(b"a1 FETCH 1 FLAGS\r\n").unwrap();
        read_line(&mut received);
        read_line(&mut received);
        client.write_all(b"a2 APPEND INBOX {15}\r\n").unwrap();
        assert_eq!(read_line(&mut received), b"+ go ahead\r\n");
        client.write_all(b"Subject: \xC3\xBC\r\n\r\n\r\n").unwrap();
        read_line(&mut received);
        client.write_all(b"a3 LOGOUT\r\n").unwrap();
        read_line(&mut received);
        read_line(&mut received);
        client.shutdown(Shutdown::Both).unwrap();

        let report = proxy.join().unwrap();
        let server_got = server.join().unwrap();
        assert_eq!(
            server_got, sent,
            "the server got the client's bytes unchanged"
        );
        let expected_down: &[u8] = b"* OK [CAPABILITY IMAP4rev2] ready\r\n* 1 FETCH (FLAGS (\\Seen))\r\na1 OK done\r\n+ go ahead\r\na2 OK APPEND done\r\n* BYE bye\r\na3 OK LOGOUT done\r\n";
        assert_eq!(
            received, expected_down,
            "the client got the server's bytes unchanged"
        );

        let file = dir.join("session.trace");
        assert_eq!(report.file.as_deref(), Some(file.as_path()));
        let text = std::fs::read_to_string(&file).unwrap();
        let trace = format::parse(&text).unwrap();
        assert_eq!(trace.stream(Side::Client), sent);
        assert_eq!(trace.stream(Side::Server), expected_down);
        assert!(
            text.contains("S: + go ahead\nC: Subject: ü\nC:\nC:\n"),
            "the continuation request is recorded between announcement and literal:\n{text}"
        );
        assert_eq!(report.failures, Vec::<String>::new());
        assert_eq!(report.messages, [3, 7]);
        assert_eq!(report.failed, [0, 0]);
        assert_eq!(
            report.octets,
            [sent.len() as u64, expected_down.len() as u64]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn serves_pop3_connections_and_stops_after_the_count() {
        // A POP3 upstream: greeting, then a dot-stuffed RETR answer, then QUIT.
        let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
        let up = upstream.local_addr().unwrap();
        let server = thread::spawn(move || {
            let (stream, _) = upstream.accept().unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            out.write_all(b"+OK ready\r\n").unwrap();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 0 {
                let answer: &[u8] = match line.as_str() {
                    "RETR 1\r\n" => b"+OK 12 octets\r\n..dot\r\nbody\r\n.\r\n",
                    "QUIT\r\n" => b"+OK bye\r\n",
                    _ => b"-ERR no\r\n",
                };
                out.write_all(answer).unwrap();
                if line == "QUIT\r\n" {
                    break;
                }
                line.clear();
            }
        });
        let dir =
            std::env::temp_dir().join(format!("mailconform-proxy-pop3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = Config {
            upstream: up.to_string(),
            protocol: Protocol::Pop3,
            record: Some(dir.clone()),
            name: "pop3".into(),
            source: "scripted POP3 server".into(),
            show_failures: false,
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = thread::spawn(move || serve(listener, config, Some(1)));
        let mut client = TcpStream::connect(addr).unwrap();
        client.write_all(b"RETR 1\r\nQUIT\r\n").unwrap();
        let mut got = Vec::new();
        client.read_to_end(&mut got).unwrap();
        assert_eq!(
            got,
            b"+OK ready\r\n+OK 12 octets\r\n..dot\r\nbody\r\n.\r\n+OK bye\r\n"
        );
        drop(client);
        proxy.join().unwrap().unwrap();
        server.join().unwrap();
        let text = std::fs::read_to_string(dir.join("pop3.trace")).unwrap();
        assert!(text.contains("# protocol: pop3\n"), "{text}");
        assert!(text.contains("S: ..dot\n"), "{text}");
        let (messages, failed, lines) = validate(&text);
        assert_eq!((messages, failed), ([2, 3], [0, 0]), "{lines:?}\n{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_broken_message_is_reported() {
        let mut r = Recorder::new(Protocol::Imap);
        r.feed(Side::Server, b"* OK hi\r\n");
        r.feed(Side::Client, b"a1 NOOP\r\n");
        r.feed(Side::Server, b"* 1 FETCH FLAGS (\\Seen)\r\na1 OK done\r\n");
        let (messages, failed, lines) = validate(&r.finish(&header()));
        assert_eq!(messages, [1, 3]);
        assert_eq!(failed, [0, 1]);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].contains("S FAIL"), "{lines:?}");
    }

    #[test]
    fn the_date_is_a_date() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"), "{d}");
    }
}
