//! `mailconform probe`: connects to an IMAP or POP3 server as a client and runs scenario
//! checks, in the spirit of Dovecot's imaptest (state seen from two connections) and of the
//! "NO STARTTLS" study (command injection around STARTTLS / STLS).
//!
//! Every check names the RFC section it tests and keeps the bytes that show its result.
//! Everything both sides sent is recorded per connection (the plaintext of TLS too) and
//! replayed through mailtrace, the code path of `mailconform validate`: every server message
//! must parse under the strict profile; those that do not are parsed again under the
//! real-world profile, which names each deviation (id, offset, broken rule).
//!
//! The probe writes to the account it logs into: IMAP appends two messages to INBOX and
//! removes them again (UID EXPUNGE with UIDPLUS; a plain EXPUNGE otherwise, which also
//! removes other messages flagged `\Deleted`); POP3 marks message 1 deleted and drops the
//! connection without QUIT (a conforming server keeps it, RFC 1939 §6). Use a test account.
//!
//! The probe does not verify the server's certificate: it tests the protocol, not the PKI.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_codec::response::{Code as ImapCode, MessageAttribute};
use imap_codec::{Capability, Data, Extension, ParseOptions, Profile, Response, StatusKind};
use mailtrace::format::{self, Protocol, Side};
use serde::Serialize;

use crate::proxy::data_line;

/// How long the probe waits for an answer before calling the server unresponsive.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The server did what the RFC requires.
    Pass,
    /// A MUST-level requirement is broken: a violation.
    Fail,
    /// A SHOULD-level recommendation is not followed (not a violation).
    Warn,
    /// The check could not run (capability missing, no credentials, an earlier step failed).
    Skip,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Warn => "WARN",
            Outcome::Skip => "SKIP",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable id (`imap.select.required`), for scripts and for the documented findings.
    pub id: String,
    /// What is checked.
    pub title: String,
    /// The RFC section(s).
    pub rfc: String,
    /// The result.
    pub result: Outcome,
    /// What was seen.
    pub detail: String,
    /// The bytes that show it (client lines `C: `, server lines `S: `).
    pub evidence: String,
}

/// One connection's recording, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    /// What the connection was for.
    pub name: String,
    /// The recording in the trace format (docs/corpus-format.md); one trace per TLS
    /// segment (before STARTTLS, after it), separated by a blank line.
    pub trace: String,
    /// Messages per side: client, server.
    pub messages: [usize; 2],
    /// Messages per side that failed the strict grammar.
    pub failed: [usize; 2],
    /// One line per failing server message, with the deviations real-world names.
    pub failures: Vec<String>,
}

/// The probe of one server.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// The URL probed.
    pub url: String,
    /// `imap` or `pop3`.
    pub protocol: String,
    /// `none`, `starttls` or `implicit`.
    pub tls: String,
    /// The checks, in the order run.
    pub checks: Vec<Check>,
    /// The connections made.
    pub connections: Vec<Connection>,
    /// Why the probe stopped early, if it did.
    pub error: Option<String>,
}

impl Target {
    /// Checks with this outcome.
    pub fn count(&self, o: Outcome) -> usize {
        self.checks.iter().filter(|c| c.result == o).count()
    }
}

/// Where and how to probe.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The URL as given.
    pub url: String,
    /// IMAP or POP3.
    pub protocol: Protocol,
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Implicit TLS (imaps://, pop3s://).
    pub implicit: bool,
    /// STARTTLS / STLS before logging in.
    pub starttls: bool,
    /// Credentials.
    pub user: Option<String>,
    /// Credentials.
    pub password: Option<String>,
}

/// Parses `imap://HOST:PORT`, `imaps://`, `pop3://`, `pop3s://` (default ports 143, 993,
/// 110, 995).
pub fn parse_url(url: &str) -> Result<(Protocol, bool, String, u16), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("{url}: expected imap://, imaps://, pop3:// or pop3s://"))?;
    let (protocol, implicit, default) = match scheme.to_ascii_lowercase().as_str() {
        "imap" => (Protocol::Imap, false, 143),
        "imaps" => (Protocol::Imap, true, 993),
        "pop3" => (Protocol::Pop3, false, 110),
        "pop3s" => (Protocol::Pop3, true, 995),
        other => return Err(format!("{url}: unknown scheme {other}")),
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
            h.trim_start_matches('[').trim_end_matches(']').to_owned(),
            p.parse().map_err(|_| format!("{url}: bad port {p}"))?,
        ),
        _ => (rest.to_owned(), default),
    };
    if host.is_empty() {
        return Err(format!("{url}: no host"));
    }
    Ok((protocol, implicit, host, port))
}

/// Accepts any certificate: the probe tests the protocol, not the PKI (signatures are still
/// checked, so the handshake is a real one).
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn client_tls() -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    Arc::new(config)
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
    Gone,
}

impl Stream {
    fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Stream::Plain(t) => Some(t),
            Stream::Tls(t) => Some(&t.sock),
            Stream::Gone => None,
        }
    }
}

/// The recording of one connection: per TLS segment, what each side sent, in order.
#[derive(Debug)]
struct Log {
    name: String,
    protocol: Protocol,
    segments: Vec<Vec<(Side, Vec<u8>)>>,
}

/// One client connection: the stream, what was read but not consumed, and the recording
/// (shared with the [`Run`], which validates it at the end even when a check stops early).
struct Wire {
    host: String,
    stream: Stream,
    inbuf: Vec<u8>,
    log: Rc<RefCell<Log>>,
}

impl Wire {
    fn connect(spec: &Spec, name: &str, run: &mut Run) -> io::Result<Wire> {
        let addr = (spec.host.as_str(), spec.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::other("no address"))?;
        let tcp = TcpStream::connect_timeout(&addr, TIMEOUT)?;
        tcp.set_read_timeout(Some(TIMEOUT))?;
        tcp.set_nodelay(true)?;
        let log = Rc::new(RefCell::new(Log {
            name: name.to_owned(),
            protocol: spec.protocol,
            segments: vec![Vec::new()],
        }));
        run.logs.push(log.clone());
        let mut w = Wire {
            host: spec.host.clone(),
            stream: Stream::Plain(tcp),
            inbuf: Vec::new(),
            log,
        };
        if spec.implicit {
            w.handshake()?;
            w.log.borrow_mut().segments = vec![Vec::new()];
        }
        Ok(w)
    }

    fn log(&mut self, side: Side, bytes: &[u8]) {
        let mut log = self.log.borrow_mut();
        let seg = log.segments.last_mut().expect("one segment at least");
        match seg.last_mut() {
            Some((s, b)) if *s == side => b.extend_from_slice(bytes),
            _ => seg.push((side, bytes.to_vec())),
        }
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.log(Side::Client, bytes);
        match &mut self.stream {
            Stream::Plain(t) => t.write_all(bytes),
            Stream::Tls(t) => t.write_all(bytes).and_then(|()| t.flush()),
            Stream::Gone => Err(io::Error::other("closed")),
        }
    }

    /// Reads more; `Ok(0)` at the end of the stream.
    fn fill(&mut self) -> io::Result<usize> {
        let mut buf = [0u8; 16 * 1024];
        let n = match &mut self.stream {
            Stream::Plain(t) => t.read(&mut buf)?,
            Stream::Tls(t) => match t.read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
                r => r?,
            },
            Stream::Gone => 0,
        };
        self.log(Side::Server, &buf[..n]);
        self.inbuf.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    /// The next line, CR LF included.
    fn line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(i) = self.inbuf.iter().position(|&b| b == b'\n') {
                return Ok(self.inbuf.drain(..=i).collect());
            }
            if self.inbuf.len() > 1 << 20 {
                return Err(io::Error::other("a line of more than 1 MiB"));
            }
            if self.fill()? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
        }
    }

    fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.inbuf.len() < n {
            if self.fill()? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection inside a literal",
                ));
            }
        }
        Ok(self.inbuf.drain(..n).collect())
    }

    /// What arrives within `wait` (nothing is an empty vector).
    fn quiet(&mut self, wait: Duration) -> io::Result<Vec<u8>> {
        if let Some(t) = self.stream.tcp() {
            t.set_read_timeout(Some(wait))?;
        }
        let got = match self.fill() {
            Ok(_) => Ok(std::mem::take(&mut self.inbuf)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(std::mem::take(&mut self.inbuf))
            }
            Err(e) => Err(e),
        };
        if let Some(t) = self.stream.tcp() {
            t.set_read_timeout(Some(TIMEOUT))?;
        }
        got
    }

    /// The TLS handshake; later bytes go to a new segment of the recording.
    fn handshake(&mut self) -> io::Result<()> {
        let Stream::Plain(mut tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            return Err(io::Error::other("TLS is already on"));
        };
        let name = rustls::pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| io::Error::other(e.to_string()))?;
        let mut conn =
            rustls::ClientConnection::new(client_tls(), name).map_err(io::Error::other)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        self.stream = Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp)));
        self.log.borrow_mut().segments.push(Vec::new());
        Ok(())
    }

    fn close(&mut self) {
        if let Some(t) = self.stream.tcp() {
            let _ = t.shutdown(std::net::Shutdown::Both);
        }
        self.stream = Stream::Gone;
    }
}

impl Log {
    /// The recording, validated: one trace per segment.
    fn finish(&self) -> Connection {
        let mut out = Connection {
            name: self.name.clone(),
            trace: String::new(),
            messages: [0; 2],
            failed: [0; 2],
            failures: Vec::new(),
        };
        for (i, seg) in self.segments.iter().enumerate() {
            if seg.is_empty() {
                continue;
            }
            let text = trace_text(self.protocol, &self.name, i, seg);
            validate_into(&text, self.protocol, &mut out);
            if !out.trace.is_empty() {
                out.trace.push('\n');
            }
            out.trace.push_str(&text);
        }
        out
    }
}

/// A segment as a trace (docs/corpus-format.md).
fn trace_text(protocol: Protocol, name: &str, segment: usize, seg: &[(Side, Vec<u8>)]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# source: mailconform probe, connection {name:?}\n"
    ));
    out.push_str(match protocol {
        Protocol::Imap => "# protocol: imap\n",
        Protocol::Pop3 => "# protocol: pop3\n",
    });
    if segment == 0 {
        out.push_str("# start: connect\n");
    } else {
        out.push_str("# start: not-authenticated\n");
        out.push_str("# After STARTTLS / STLS: the plaintext inside TLS.\n");
    }
    let mut pending: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    for (side, bytes) in seg {
        let i = usize::from(*side == Side::Server);
        for &b in bytes {
            pending[i].push(b);
            if b == b'\n' {
                out.push_str(&data_line(*side, &pending[i]));
                out.push('\n');
                pending[i].clear();
            }
        }
    }
    for (i, side) in [Side::Client, Side::Server].into_iter().enumerate() {
        if !pending[i].is_empty() {
            out.push_str(&data_line(side, &pending[i]));
            out.push('\n');
        }
    }
    out
}

/// The options the real-world re-parse uses: every extension in force.
fn real_world() -> ParseOptions {
    let mut o = ParseOptions::default().with_profile(Profile::RealWorld);
    for &e in Extension::ALL {
        o = o.with_extension(e);
    }
    o
}

fn validate_into(text: &str, protocol: Protocol, out: &mut Connection) {
    let trace = match format::parse(text) {
        Ok(t) => t,
        Err(e) => {
            out.failures
                .push(format!("the recording is not a trace: {e}"));
            return;
        }
    };
    let mut tally = |side: Side, ok: bool, line: usize, summary: String, bytes: &[u8]| {
        let i = usize::from(side == Side::Server);
        out.messages[i] += 1;
        if ok {
            return;
        }
        out.failed[i] += 1;
        if side != Side::Server {
            return;
        }
        let mut named = String::new();
        if protocol == Protocol::Imap {
            match Response::parse_with(bytes, &real_world()) {
                Ok(p) if !p.deviations.is_empty() => {
                    let d: Vec<String> = p.deviations.iter().map(|d| d.to_string()).collect();
                    named = format!("; real-world: {}", d.join(", "));
                }
                Ok(_) => named = "; real-world: accepted".into(),
                Err(e) => named = format!("; real-world: rejected too ({e})"),
            }
        }
        out.failures.push(format!(
            "{}: line {line}: {summary}{named}: {}",
            out.name,
            shown(bytes, 200)
        ));
    };
    match protocol {
        Protocol::Imap => {
            for m in &mailtrace::imap::replay(&trace).messages {
                tally(m.side, m.is_ok(), m.line, m.summary(), &m.bytes);
            }
        }
        Protocol::Pop3 => {
            for m in &mailtrace::pop3::replay(&trace).messages {
                tally(m.side, m.is_ok(), m.line, m.summary(), &m.bytes);
            }
        }
    }
}

/// Bytes for a report: printable ASCII kept, others escaped, CR LF shown as `\r\n`, cut
/// after `max` octets.
pub fn shown(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for &b in bytes.iter().take(max) {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > max {
        s.push_str(&format!("... ({} octets)", bytes.len()));
    }
    s
}

/// Evidence text: `C: ` / `S: ` lines.
#[derive(Debug, Default, Clone)]
struct Evidence(String);

impl Evidence {
    fn c(&mut self, bytes: &[u8]) {
        self.side("C: ", bytes);
    }
    fn s(&mut self, bytes: &[u8]) {
        self.side("S: ", bytes);
    }
    fn side(&mut self, marker: &str, bytes: &[u8]) {
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            if self.0.len() > 4000 {
                if !self.0.ends_with("...\n") {
                    self.0.push_str("...\n");
                }
                return;
            }
            self.0.push_str(marker);
            self.0.push_str(&shown(line, 300));
            self.0.push('\n');
        }
    }
    fn note(&mut self, text: &str) {
        self.0.push_str("# ");
        self.0.push_str(text);
        self.0.push('\n');
    }
}

/// Collects the checks and prints progress.
struct Run {
    target: Target,
    progress: bool,
    number: usize,
    logs: Vec<Rc<RefCell<Log>>>,
}

impl Run {
    fn check(
        &mut self,
        id: &str,
        title: &str,
        rfc: &str,
        result: Outcome,
        detail: impl Into<String>,
        evidence: &Evidence,
    ) {
        self.number += 1;
        let detail = detail.into();
        if self.progress {
            println!(
                "  [{:>2}] {} {id} ({rfc}): {detail}",
                self.number,
                result.label()
            );
        }
        self.target.checks.push(Check {
            id: id.to_owned(),
            title: title.to_owned(),
            rfc: rfc.to_owned(),
            result,
            detail,
            evidence: evidence.0.clone(),
        });
    }

    fn skip(&mut self, id: &str, title: &str, rfc: &str, why: &str) {
        self.check(id, title, rfc, Outcome::Skip, why, &Evidence::default());
    }
}

/// Runs the probe of `spec`; `progress` prints each check as it completes.
pub fn probe(spec: &Spec, progress: bool) -> Target {
    let tls = if spec.implicit {
        "implicit"
    } else if spec.starttls {
        "starttls"
    } else {
        "none"
    };
    let mut run = Run {
        target: Target {
            url: spec.url.clone(),
            protocol: match spec.protocol {
                Protocol::Imap => "imap".into(),
                Protocol::Pop3 => "pop3".into(),
            },
            tls: tls.into(),
            checks: Vec::new(),
            connections: Vec::new(),
            error: None,
        },
        progress,
        number: 0,
        logs: Vec::new(),
    };
    if progress {
        println!("probing {} (TLS: {tls})", spec.url);
    }
    let result = match spec.protocol {
        Protocol::Imap => imap::run(spec, &mut run),
        Protocol::Pop3 => pop3::run(spec, &mut run),
    };
    if let Err(e) = result {
        if progress {
            println!("  stopped: {e}");
        }
        run.target.error = Some(e.to_string());
    }
    // The grammar of everything the server sent, on every connection.
    run.target.connections = run.logs.iter().map(|l| l.borrow().finish()).collect();
    let (id, rfc) = match spec.protocol {
        Protocol::Imap => ("imap.grammar.strict", "RFC 9051 §9, RFC 3501 §9"),
        Protocol::Pop3 => ("pop3.grammar.strict", "RFC 1939 §3, RFC 2449 §5"),
    };
    let failures: Vec<String> = run
        .target
        .connections
        .iter()
        .flat_map(|c| c.failures.iter().cloned())
        .collect();
    let total: usize = run.target.connections.iter().map(|c| c.messages[1]).sum();
    let mut ev = Evidence::default();
    for f in failures.iter().take(30) {
        ev.note(f);
    }
    let (result, detail) = if failures.is_empty() {
        (
            Outcome::Pass,
            format!("all {total} server messages parse under the strict profile"),
        )
    } else {
        (
            Outcome::Fail,
            format!(
                "{} of {total} server messages fail the strict grammar",
                failures.len()
            ),
        )
    };
    run.check(
        id,
        "every server message parses under the strict grammar",
        rfc,
        result,
        detail,
        &ev,
    );
    run.target
}

/// The exit code of a probe: 0 no violation, 1 violations, 2 could not run.
pub fn exit_code(targets: &[Target]) -> u8 {
    // A violation counts even when the probe stopped early; stopping early without one
    // (no connection, login refused, the connection lost) is "could not run".
    if targets.iter().any(|t| t.count(Outcome::Fail) > 0) {
        1
    } else if targets.iter().any(|t| t.error.is_some()) {
        2
    } else {
        0
    }
}

/// A literal announcement at the end of a line: its octet count, and whether it is
/// synchronizing (`{n}`; `{n+}` and `{n-}` are not, RFC 7888).
pub(crate) fn literal_at_end_of(line: &[u8]) -> Option<(u64, bool)> {
    let n = imap::literal_at_end(line)?;
    let body = line
        .strip_suffix(b"\r\n")
        .or_else(|| line.strip_suffix(b"\n"))?;
    Some((n, !(body.ends_with(b"+}") || body.ends_with(b"-}"))))
}

/// Parses a server message under real-world with every extension (for the data the checks
/// read; the grammar verdict comes from the strict replay).
fn parse_response(bytes: &[u8]) -> Option<Response<'_>> {
    Response::parse_with(bytes, &real_world())
        .ok()
        .map(|p| p.value)
}

/// The two STARTTLS checks of one protocol, by name: the injection check (commands sent in the
/// same packet as STARTTLS / STLS must not run inside TLS) and the capability list after TLS
/// (RFC 9051 §6.2.1; RFC 2595 §4). Both protocols run the same steps ([`injection_check`]).
struct TlsChecks {
    /// `STARTTLS` or `STLS`.
    command: &'static str,
    /// The command injected after it, as the report names it.
    injected: &'static str,
    injection: &'static str,
    injection_title: &'static str,
    injection_rfc: &'static str,
    listed: &'static str,
    listed_title: &'static str,
    listed_rfc: &'static str,
}

const IMAP_TLS: TlsChecks = TlsChecks {
    command: "STARTTLS",
    injected: "`s2 NOOP`",
    injection: "imap.starttls.injection",
    injection_title: "commands sent with STARTTLS in one packet are not executed after TLS",
    injection_rfc: "RFC 9051 §6.2.1",
    listed: "imap.starttls.capabilities",
    listed_title: "after STARTTLS, CAPABILITY no longer lists STARTTLS",
    listed_rfc: "RFC 9051 §6.2.1",
};

const POP3_TLS: TlsChecks = TlsChecks {
    command: "STLS",
    injected: "STAT",
    injection: "pop3.stls.injection",
    injection_title: "commands sent with STLS in one packet are not executed after TLS",
    injection_rfc: "RFC 2595 §4",
    listed: "pop3.stls.capa",
    listed_title: "after STLS, CAPA no longer lists STLS",
    listed_rfc: "RFC 2595 §4, RFC 2449 §6.0",
};

impl TlsChecks {
    /// Why a check of TLS started in-band cannot run: implicit TLS, or `missing`.
    fn why_not(spec: &Spec, missing: &str) -> String {
        if spec.implicit {
            "implicit TLS".to_owned()
        } else {
            missing.to_owned()
        }
    }

    /// The injection check is skipped (implicit TLS, or the command is not offered).
    fn skip_injection(&self, spec: &Spec, run: &mut Run) {
        let why = Self::why_not(spec, &format!("{} not offered", self.command));
        run.skip(
            self.injection,
            self.injection_title,
            self.injection_rfc,
            &why,
        );
    }

    /// The capability check is skipped (implicit TLS, or `--starttls` not given).
    fn skip_listed(&self, spec: &Spec, run: &mut Run) {
        let why = Self::why_not(spec, "--starttls not given");
        run.skip(self.listed, self.listed_title, self.listed_rfc, &why);
    }

    /// The capability check's verdict: listing the command again under TLS is a SHOULD NOT.
    fn listed(&self, again: bool, ev: &Evidence, run: &mut Run) {
        run.check(
            self.listed,
            self.listed_title,
            self.listed_rfc,
            if again { Outcome::Warn } else { Outcome::Pass },
            if again {
                format!("{} still listed under TLS (SHOULD NOT)", self.command)
            } else {
                format!("{} not listed under TLS", self.command)
            },
            ev,
        );
    }
}

/// The injection check once the command and the injected one went out in one packet and
/// the command's answer is in `ev`: skip when it was refused; else note what came before the
/// handshake, then pass when the handshake fails (the injected bytes were taken as TLS data:
/// option 1 of RFC 9051 §6.2.1) or `executed` finds no answer to the injected command inside
/// TLS (option 2: discarded), fail when it finds one.
fn injection_check<C>(
    names: &TlsChecks,
    c: &mut C,
    wire: fn(&mut C) -> &mut Wire,
    accepted: bool,
    mut ev: Evidence,
    run: &mut Run,
    executed: impl FnOnce(&mut C, &mut Evidence) -> io::Result<bool>,
) -> io::Result<()> {
    let (title, rfc) = (names.injection_title, names.injection_rfc);
    if !accepted {
        let why = format!("{} refused when followed by another command", names.command);
        run.check(names.injection, title, rfc, Outcome::Skip, why, &ev);
        wire(c).close();
        return Ok(());
    }
    let early = std::mem::take(&mut wire(c).inbuf);
    if !early.is_empty() {
        ev.note(&format!(
            "bytes after the {} answer, before the TLS handshake:",
            names.command
        ));
        ev.s(&early);
    }
    let (result, detail) = match wire(c).handshake() {
        Err(e) => {
            ev.note(&format!("TLS handshake failed: {e}"));
            (
                Outcome::Pass,
                "the TLS handshake failed: the injected bytes were taken as TLS data (option 1)"
                    .to_owned(),
            )
        }
        Ok(()) => {
            ev.note("TLS handshake");
            let got = wire(c).quiet(Duration::from_millis(700))?;
            ev.s(&got);
            wire(c).inbuf = got;
            if executed(c, &mut ev)? {
                (
                    Outcome::Fail,
                    format!("the injected {} was answered inside TLS", names.injected),
                )
            } else {
                (
                    Outcome::Pass,
                    "the injected command was discarded (option 2)".to_owned(),
                )
            }
        }
    };
    run.check(names.injection, title, rfc, result, detail, &ev);
    wire(c).close();
    Ok(())
}

mod imap {
    //! The IMAP scenario.
    use super::*;

    /// An IMAP client on a [`Wire`].
    pub(super) struct Client {
        pub(super) wire: Wire,
        prefix: char,
        next: u32,
        /// Commands sent, completions received for them, completions with an unknown tag.
        pub(super) sent: usize,
        pub(super) completed: usize,
        pub(super) stray: Vec<Vec<u8>>,
    }

    /// The answer to one command.
    #[derive(Debug, Default)]
    pub(super) struct Reply {
        pub(super) untagged: Vec<Vec<u8>>,
        pub(super) done: Vec<u8>,
        pub(super) kind: Option<StatusKind>,
    }

    impl Reply {
        pub(super) fn ok(&self) -> bool {
            self.kind == Some(StatusKind::Ok)
        }
        pub(super) fn responses(&self) -> impl Iterator<Item = Response<'_>> {
            self.untagged
                .iter()
                .chain(std::iter::once(&self.done))
                .filter_map(|m| parse_response(m))
        }
        pub(super) fn data(&self) -> Vec<Data<'_>> {
            self.responses()
                .filter_map(|r| match r {
                    Response::Data(d) => Some(d),
                    _ => None,
                })
                .collect()
        }
        pub(super) fn codes(&self) -> Vec<ImapCode<'_>> {
            self.responses()
                .filter_map(|r| match r {
                    Response::Status(s) => s.code().cloned(),
                    _ => None,
                })
                .collect()
        }
        pub(super) fn exists(&self) -> Option<u32> {
            self.data()
                .into_iter()
                .filter_map(|d| match d {
                    Data::Exists(n) => Some(n),
                    _ => None,
                })
                .next_back()
        }
        pub(super) fn expunges(&self) -> Vec<u32> {
            self.data()
                .into_iter()
                .filter_map(|d| match d {
                    Data::Expunge(n) => Some(n.get()),
                    _ => None,
                })
                .collect()
        }
        pub(super) fn evidence(&self, ev: &mut Evidence) {
            for u in &self.untagged {
                ev.s(u);
            }
            ev.s(&self.done);
        }
    }

    /// Capabilities in a response list.
    pub(super) fn capabilities(messages: &[Vec<u8>]) -> Vec<String> {
        let mut out = Vec::new();
        for m in messages {
            let Some(r) = parse_response(m) else { continue };
            let caps: Vec<Capability<'_>> = match r {
                Response::Data(Data::Capability(c)) => c.capabilities().to_vec(),
                Response::Status(s) => match s.code() {
                    Some(ImapCode::Capability(c)) => c.capabilities().to_vec(),
                    _ => continue,
                },
                _ => continue,
            };
            out.extend(caps.iter().map(|c| {
                let mut b = Vec::new();
                let mut e = imap_codec::Encoder::server(&mut b);
                imap_codec::Encode::encode(c, &mut e);
                let _ = e.finish();
                String::from_utf8_lossy(&b).to_ascii_uppercase()
            }));
        }
        out
    }

    impl Client {
        pub(super) fn connect(
            spec: &Spec,
            name: &str,
            prefix: char,
            run: &mut Run,
        ) -> io::Result<(Client, Vec<u8>)> {
            let wire = Wire::connect(spec, name, run)?;
            let mut c = Client {
                wire,
                prefix,
                next: 1,
                sent: 0,
                completed: 0,
                stray: Vec::new(),
            };
            let greeting = c.message()?;
            Ok((c, greeting))
        }

        pub(super) fn tag(&mut self) -> String {
            let t = format!("{}{}", self.prefix, self.next);
            self.next += 1;
            t
        }

        /// One server message: a line, and the literals it announces with the lines after
        /// them (RFC 9051 §4.3).
        pub(super) fn message(&mut self) -> io::Result<Vec<u8>> {
            let mut msg = self.wire.line()?;
            while let Some(n) = literal_at_end(&msg) {
                let n = usize::try_from(n).map_err(io::Error::other)?;
                if n > 64 << 20 {
                    return Err(io::Error::other("a literal of more than 64 MiB"));
                }
                let data = self.wire.take(n)?;
                msg.extend_from_slice(&data);
                let rest = self.wire.line()?;
                msg.extend_from_slice(&rest);
            }
            Ok(msg)
        }

        /// Sends `TAG body CRLF` and collects the answer.
        pub(super) fn run(&mut self, body: &str) -> io::Result<(String, Reply)> {
            let tag = self.tag();
            self.wire.send(format!("{tag} {body}\r\n").as_bytes())?;
            self.sent += 1;
            let r = self.finish(&tag)?;
            Ok((tag, r))
        }

        /// Collects untagged responses until the completion of `tag`.
        pub(super) fn finish(&mut self, tag: &str) -> io::Result<Reply> {
            let mut reply = Reply::default();
            loop {
                let m = self.message()?;
                let first = m.split(|&b| b == b' ').next().unwrap_or(&[]);
                if first == b"*" || first == b"+" {
                    reply.untagged.push(m);
                    continue;
                }
                if first == tag.as_bytes() {
                    self.completed += 1;
                    reply.kind = match parse_response(&m) {
                        Some(Response::Status(s)) => Some(s.kind()),
                        _ => {
                            let word = m.split(|&b| b == b' ').nth(1).unwrap_or(&[]);
                            [StatusKind::Ok, StatusKind::No, StatusKind::Bad]
                                .into_iter()
                                .find(|k| word.eq_ignore_ascii_case(k.as_str().as_bytes()))
                        }
                    };
                    reply.done = m;
                    return Ok(reply);
                }
                self.stray.push(m.clone());
                reply.untagged.push(m);
            }
        }
    }

    /// `{n}` / `{n+}` / `~{n}` at the end of a line (RFC 9051 §4.3, RFC 7888, RFC 3516).
    pub(super) fn literal_at_end(line: &[u8]) -> Option<u64> {
        let line = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))?;
        let inner = line.strip_suffix(b"}")?;
        let open = inner.iter().rposition(|&b| b == b'{')?;
        let digits = &inner[open + 1..];
        let digits = digits
            .strip_suffix(b"+")
            .or_else(|| digits.strip_suffix(b"-"))
            .unwrap_or(digits);
        if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    }

    fn quote(s: &str) -> String {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }

    fn is_loopback(host: &str) -> bool {
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| a.is_loopback())
    }

    /// The probe's messages (unique by `token`).
    fn probe_message(token: &str, n: u32) -> String {
        format!(
            "From: mailconform probe <probe@example.invalid>\r\n\
             To: probe@example.invalid\r\n\
             Subject: mailconform probe {token} message {n}\r\n\
             Date: Mon, 4 Mar 2024 12:00:00 +0000\r\n\
             Message-ID: <{token}.{n}@example.invalid>\r\n\
             \r\n\
             This message was appended by mailconform probe and is removed again.\r\n\
             .A line that starts with a dot.\r\n"
        )
    }

    /// Logs in with LOGIN, the user name as a synchronizing literal (RFC 9051 §4.3, §6.2.3):
    /// returns the reply and whether the continuation request came.
    fn login(
        c: &mut Client,
        user: &str,
        password: &str,
        ev: &mut Evidence,
    ) -> io::Result<(Reply, Option<bool>)> {
        let tag = c.tag();
        let first = format!("{tag} LOGIN {{{}}}\r\n", user.len());
        c.wire.send(first.as_bytes())?;
        ev.c(first.as_bytes());
        c.sent += 1;
        let m = c.message()?;
        if m.starts_with(b"+") {
            ev.s(&m);
            let rest = format!("{user} {}\r\n", quote(password));
            c.wire.send(rest.as_bytes())?;
            ev.c(format!("{user} \"<password>\"\r\n").as_bytes());
            let r = c.finish(&tag)?;
            r.evidence(ev);
            Ok((r, Some(true)))
        } else {
            // No continuation: the server answered the command line itself.
            ev.s(&m);
            let mut r = Reply::default();
            if m.starts_with(tag.as_bytes()) {
                c.completed += 1;
                r.kind = match parse_response(&m) {
                    Some(Response::Status(s)) => Some(s.kind()),
                    _ => None,
                };
                r.done = m;
            } else {
                r.untagged.push(m);
                r = Reply {
                    untagged: r.untagged,
                    ..c.finish(&tag)?
                };
            }
            Ok((r, Some(false)))
        }
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn run(spec: &Spec, run: &mut Run) -> io::Result<()> {
        // --- connection A: greeting, capabilities, STARTTLS, login -----------------------
        let (mut a, greeting) = Client::connect(spec, "A", 'a', run)?;
        let mut ev = Evidence::default();
        ev.s(&greeting);
        let g = parse_response_greeting(&greeting);
        match g {
            Some(kind) if kind != "BYE" => run.check(
                "imap.greeting",
                "the greeting is OK or PREAUTH",
                "RFC 9051 §7.1, §7.1.4",
                Outcome::Pass,
                format!("{kind} greeting"),
                &ev,
            ),
            _ => {
                run.check(
                    "imap.greeting",
                    "the greeting is OK or PREAUTH",
                    "RFC 9051 §7.1, §7.1.4",
                    Outcome::Fail,
                    "no usable greeting",
                    &ev,
                );
                a.wire.close();
                return Err(io::Error::other("no usable greeting"));
            }
        }
        let preauth = g == Some("PREAUTH");

        let (_, caps_reply) = a.run("CAPABILITY")?;
        let mut ev = Evidence::default();
        ev.c(b"a1 CAPABILITY\r\n");
        caps_reply.evidence(&mut ev);
        let caps = capabilities(&caps_reply.untagged);
        let n_cap = caps_reply
            .data()
            .iter()
            .filter(|d| matches!(d, Data::Capability(_)))
            .count();
        let rev = caps.iter().any(|c| c == "IMAP4REV1" || c == "IMAP4REV2");
        run.check(
            "imap.capability",
            "CAPABILITY answers one untagged CAPABILITY listing IMAP4rev1 or IMAP4rev2, then OK",
            "RFC 9051 §6.1.1, §7.2.2",
            if caps_reply.ok() && n_cap == 1 && rev {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            format!("{n_cap} CAPABILITY response(s): {}", caps.join(" ")),
            &ev,
        );
        let has = |caps: &[String], c: &str| caps.iter().any(|x| x == c);
        let offers_starttls = has(&caps, "STARTTLS");

        // STARTTLS injection, on a connection of its own (RFC 9051 §6.2.1 and CERT-555316).
        if !spec.implicit && offers_starttls && !preauth {
            starttls_injection(spec, run)?;
        } else {
            IMAP_TLS.skip_injection(spec, run);
        }

        let mut caps_now = caps.clone();
        if spec.starttls && !spec.implicit {
            if !offers_starttls {
                run.skip(
                    IMAP_TLS.listed,
                    IMAP_TLS.listed_title,
                    IMAP_TLS.listed_rfc,
                    "STARTTLS not offered",
                );
                a.wire.close();
                return Err(io::Error::other("--starttls given, STARTTLS not offered"));
            }
            let (tag, r) = a.run("STARTTLS")?;
            if !r.ok() {
                a.wire.close();
                return Err(io::Error::other(format!(
                    "STARTTLS refused: {}",
                    shown(&r.done, 200)
                )));
            }
            let mut ev = Evidence::default();
            ev.c(format!("{tag} STARTTLS\r\n").as_bytes());
            r.evidence(&mut ev);
            a.wire.handshake()?;
            ev.note("TLS handshake");
            let (tag, r) = a.run("CAPABILITY")?;
            ev.c(format!("{tag} CAPABILITY\r\n").as_bytes());
            r.evidence(&mut ev);
            caps_now = capabilities(&r.untagged);
            IMAP_TLS.listed(has(&caps_now, "STARTTLS"), &ev, run);
        } else {
            IMAP_TLS.skip_listed(spec, run);
        }

        // LOGINDISABLED (RFC 9051 §6.2.3, §7.2.2): LOGIN must be refused while it is listed.
        let tls_on = matches!(a.wire.stream, Stream::Tls(_));
        if has(&caps_now, "LOGINDISABLED") && !tls_on {
            if let (Some(u), Some(p), true) = (&spec.user, &spec.password, is_loopback(&spec.host))
            {
                let (tag, r) = a.run(&format!("LOGIN {} {}", quote(u), quote(p)))?;
                let mut ev = Evidence::default();
                ev.c(format!("{tag} LOGIN {} \"<password>\"\r\n", quote(u)).as_bytes());
                r.evidence(&mut ev);
                run.check(
                    "imap.logindisabled",
                    "with LOGINDISABLED listed, LOGIN is refused",
                    "RFC 9051 §6.2.3, §7.2.2",
                    if r.ok() { Outcome::Fail } else { Outcome::Pass },
                    if r.ok() {
                        "LOGIN succeeded although LOGINDISABLED is listed"
                    } else {
                        "LOGIN refused"
                    },
                    &ev,
                );
                if r.ok() {
                    a.wire.close();
                    return Err(io::Error::other("logged in over plaintext"));
                }
            } else {
                run.skip(
                    "imap.logindisabled",
                    "with LOGINDISABLED listed, LOGIN is refused",
                    "RFC 9051 §6.2.3",
                    "not tried: the password would cross a non-loopback network in plaintext",
                );
            }
        } else {
            run.skip(
                "imap.logindisabled",
                "with LOGINDISABLED listed, LOGIN is refused",
                "RFC 9051 §6.2.3",
                "LOGINDISABLED not listed",
            );
        }

        bad_input(spec, run)?;

        let (Some(user), Some(password)) = (spec.user.clone(), spec.password.clone()) else {
            for (id, title) in [
                (
                    "imap.literal.sync",
                    "a synchronizing literal gets a continuation request",
                ),
                ("imap.login", "LOGIN with valid credentials succeeds"),
            ] {
                run.skip(id, title, "RFC 9051 §4.3, §6.2.3", "no --user/--password");
            }
            tagged_every(&a, run);
            a.wire.close();
            return Ok(());
        };
        let mut ev = Evidence::default();
        let (r, cont) = if preauth {
            (
                Reply {
                    kind: Some(StatusKind::Ok),
                    ..Reply::default()
                },
                None,
            )
        } else {
            login(&mut a, &user, &password, &mut ev)?
        };
        match cont {
            Some(c) => run.check(
                "imap.literal.sync",
                "a synchronizing literal gets a continuation request",
                "RFC 9051 §4.3, §7.5",
                if c { Outcome::Pass } else { Outcome::Fail },
                if c {
                    "`+` after `{n}`, then the command completed"
                } else {
                    "no continuation request after `{n}`"
                },
                &ev,
            ),
            None => run.skip(
                "imap.literal.sync",
                "a synchronizing literal gets a continuation request",
                "RFC 9051 §4.3",
                "PREAUTH",
            ),
        }
        // A refusal is not a violation (the credentials may be wrong): the probe cannot run.
        run.check(
            "imap.login",
            "LOGIN with valid credentials succeeds",
            "RFC 9051 §6.2.3",
            if r.ok() { Outcome::Pass } else { Outcome::Skip },
            if r.ok() {
                "logged in"
            } else {
                "LOGIN refused with the given credentials"
            },
            &ev,
        );
        if !r.ok() {
            a.wire.close();
            return Err(io::Error::other("cannot log in with the given credentials"));
        }
        let (_, r) = a.run("CAPABILITY")?;
        let caps = capabilities(&r.untagged);
        let uidplus = has(&caps, "UIDPLUS") || has(&caps, "IMAP4REV2");
        let idle = has(&caps, "IDLE") || has(&caps, "IMAP4REV2");
        let rev1 = has(&caps, "IMAP4REV1");
        let condstore = has(&caps, "CONDSTORE") || has(&caps, "QRESYNC");

        // SELECT (RFC 3501 §6.3.1, RFC 9051 §6.3.2).
        let (tag, sel) = a.run("SELECT INBOX")?;
        let mut ev = Evidence::default();
        ev.c(format!("{tag} SELECT INBOX\r\n").as_bytes());
        sel.evidence(&mut ev);
        let data = sel.data();
        let codes = sel.codes();
        let mut missing = Vec::new();
        if !data.iter().any(|d| matches!(d, Data::Flags(_))) {
            missing.push("FLAGS");
        }
        if sel.exists().is_none() {
            missing.push("EXISTS");
        }
        let validity = codes.iter().find_map(|c| match c {
            ImapCode::UidValidity(v) => Some(v.get()),
            _ => None,
        });
        let uidnext = codes.iter().find_map(|c| match c {
            ImapCode::UidNext(v) => Some(v.get()),
            _ => None,
        });
        if validity.is_none() {
            missing.push("OK [UIDVALIDITY]");
        }
        if uidnext.is_none() {
            missing.push("OK [UIDNEXT]");
        }
        if rev1 {
            if !data.iter().any(|d| matches!(d, Data::Recent(_))) {
                missing.push("RECENT (IMAP4rev1)");
            }
            if !codes
                .iter()
                .any(|c| matches!(c, ImapCode::PermanentFlags(_)))
            {
                missing.push("OK [PERMANENTFLAGS] (IMAP4rev1)");
            }
        }
        let rw = codes.iter().any(|c| matches!(c, ImapCode::ReadWrite));
        run.check(
            "imap.select.required",
            "SELECT sends FLAGS, EXISTS, OK [UIDVALIDITY], OK [UIDNEXT] (and for IMAP4rev1 RECENT, OK [PERMANENTFLAGS]), then OK [READ-WRITE]",
            "RFC 3501 §6.3.1, RFC 9051 §6.3.2",
            if sel.ok() && missing.is_empty() && rw {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            if !sel.ok() {
                "SELECT INBOX failed".to_owned()
            } else if missing.is_empty() && rw {
                format!(
                    "EXISTS {}, UIDVALIDITY {}, UIDNEXT {}",
                    sel.exists().unwrap_or(0),
                    validity.unwrap_or(0),
                    uidnext.unwrap_or(0)
                )
            } else {
                let mut m = missing.join(", ");
                if !rw {
                    m.push_str(if m.is_empty() { "no [READ-WRITE]" } else { ", no [READ-WRITE]" });
                }
                format!("missing: {m}")
            },
            &ev,
        );
        if !sel.ok() {
            a.wire.close();
            return Err(io::Error::other("SELECT INBOX failed"));
        }
        let exists0 = sel.exists().unwrap_or(0);

        // Sequence numbers and UIDs (RFC 9051 §2.3.1.1, §2.3.1.2).
        if exists0 > 0 {
            let (tag, r) = a.run("FETCH 1:* (UID RFC822.SIZE)")?;
            let mut ev = Evidence::default();
            ev.c(format!("{tag} FETCH 1:* (UID RFC822.SIZE)\r\n").as_bytes());
            r.evidence(&mut ev);
            let mut rows: Vec<(u32, Option<u32>, Option<u64>)> = r
                .data()
                .into_iter()
                .filter_map(|d| match d {
                    Data::Fetch(f) => Some((
                        f.seq.get(),
                        f.attributes.iter().find_map(|a| match &*a {
                            MessageAttribute::Uid(u) => Some(u.get()),
                            _ => None,
                        }),
                        f.attributes.iter().find_map(|a| match &*a {
                            MessageAttribute::Rfc822Size(n) => Some(n.get()),
                            _ => None,
                        }),
                    )),
                    _ => None,
                })
                .collect();
            rows.sort_by_key(|r| r.0);
            let seqs: Vec<u32> = rows.iter().map(|r| r.0).collect();
            let uids: Vec<u32> = rows.iter().filter_map(|r| r.1).collect();
            let contiguous = seqs == (1..=exists0).collect::<Vec<_>>();
            let ascending = uids.len() == rows.len() && uids.windows(2).all(|w| w[0] < w[1]);
            let below_next = uidnext.is_none_or(|n| uids.iter().all(|&u| u < n));
            run.check(
                "imap.uid.order",
                "sequence numbers run 1..EXISTS and UIDs ascend with them, all below UIDNEXT",
                "RFC 9051 §2.3.1.1, §2.3.1.2",
                if r.ok() && contiguous && ascending && below_next {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                },
                format!(
                    "{} messages; sequence numbers contiguous: {contiguous}; UIDs ascending: {ascending}; below UIDNEXT: {below_next}",
                    rows.len()
                ),
                &ev,
            );
            // RFC822.SIZE equals the BODY[] octets (RFC 9051 §7.5.2).
            let mut ev = Evidence::default();
            let mut bad = Vec::new();
            for &(seq, _, size) in rows.iter().take(3) {
                let (tag, r) = a.run(&format!("FETCH {seq} (BODY.PEEK[])"))?;
                ev.c(format!("{tag} FETCH {seq} (BODY.PEEK[])\r\n").as_bytes());
                let body_len = r.data().into_iter().find_map(|d| match d {
                    Data::Fetch(f) => f.attributes.iter().find_map(|a| match &*a {
                        MessageAttribute::BodySection(s) => {
                            s.data.as_bytes().map(|b| b.len() as u64)
                        }
                        _ => None,
                    }),
                    _ => None,
                });
                ev.note(&format!(
                    "message {seq}: RFC822.SIZE {}, BODY[] {} octets",
                    size.map_or("?".into(), |s| s.to_string()),
                    body_len.map_or("?".into(), |s| s.to_string())
                ));
                if size.is_none() || size != body_len {
                    bad.push(seq);
                }
            }
            run.check(
                "imap.fetch.size",
                "RFC822.SIZE equals the number of octets of BODY[]",
                "RFC 9051 §7.5.2",
                if bad.is_empty() {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                },
                if bad.is_empty() {
                    "sizes agree".to_owned()
                } else {
                    format!("sizes differ for messages {bad:?}")
                },
                &ev,
            );
        } else {
            run.skip(
                "imap.uid.order",
                "sequence numbers run 1..EXISTS and UIDs ascend",
                "RFC 9051 §2.3.1.1",
                "INBOX is empty",
            );
            run.skip(
                "imap.fetch.size",
                "RFC822.SIZE equals the number of octets of BODY[]",
                "RFC 9051 §7.5.2",
                "INBOX is empty",
            );
        }

        // --- connection B: APPEND seen from A (RFC 9051 §5.2, §7.4.1) -------------------
        let (mut b, _) = Client::connect(spec, "B", 'b', run)?;
        if spec.starttls && !spec.implicit {
            let (_, r) = b.run("STARTTLS")?;
            if r.ok() {
                b.wire.handshake()?;
            }
        }
        let mut ev = Evidence::default();
        let (r, _) = login(&mut b, &user, &password, &mut ev)?;
        if !r.ok() {
            a.wire.close();
            b.wire.close();
            return Err(io::Error::other("the second connection cannot log in"));
        }
        let token = format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let msg = probe_message(&token, 1);
        let mut ev = Evidence::default();
        let tag = b.tag();
        let line = format!("{tag} APPEND INBOX (\\Seen) {{{}}}\r\n", msg.len());
        b.wire.send(line.as_bytes())?;
        b.sent += 1;
        ev.c(line.as_bytes());
        let m = b.message()?;
        ev.s(&m);
        let appended = if m.starts_with(b"+") {
            b.wire.send(msg.as_bytes())?;
            b.wire.send(b"\r\n")?;
            ev.c(msg.as_bytes());
            ev.c(b"\r\n");
            let r = b.finish(&tag)?;
            r.evidence(&mut ev);
            r
        } else {
            Reply {
                done: m,
                ..Reply::default()
            }
        };
        let append_uid = appended.codes().iter().find_map(|c| match c {
            ImapCode::AppendUid(a) => Some((a.uid_validity.get(), a.uid.get())),
            _ => None,
        });
        if !appended.ok() {
            run.check(
                "imap.append",
                "APPEND stores the message (with APPENDUID under UIDPLUS)",
                "RFC 9051 §6.3.12, RFC 4315 §3",
                Outcome::Fail,
                "APPEND failed",
                &ev,
            );
            tagged_every(&a, run);
            a.wire.close();
            b.wire.close();
            return Err(io::Error::other("APPEND failed"));
        }
        let uid_ok = append_uid.map(|(v, u)| validity == Some(v) && uidnext.is_none_or(|n| u >= n));
        run.check(
            "imap.append",
            "APPEND stores the message (with APPENDUID under UIDPLUS: the mailbox's UIDVALIDITY, a UID not below UIDNEXT)",
            "RFC 9051 §6.3.12, RFC 4315 §3",
            match (uidplus, uid_ok) {
                (true, Some(true)) | (false, _) => Outcome::Pass,
                _ => Outcome::Fail,
            },
            match append_uid {
                Some((v, u)) => format!("APPENDUID {v} {u}"),
                None if uidplus => "UIDPLUS listed, but no APPENDUID".into(),
                None => "appended (no UIDPLUS)".into(),
            },
            &ev,
        );
        let (tag, r) = a.run("NOOP")?;
        let mut ev = Evidence::default();
        ev.c(format!("{tag} NOOP\r\n").as_bytes());
        r.evidence(&mut ev);
        let exists1 = r.exists();
        run.check(
            "imap.exists.other",
            "a message appended by another connection is announced with EXISTS",
            "RFC 9051 §5.2, §7.4.1",
            if exists1 == Some(exists0 + 1) {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            format!(
                "EXISTS {exists0} before, {} after NOOP",
                exists1.map_or("none".into(), |n| n.to_string())
            ),
            &ev,
        );
        // The new message's UID as A sees it, and UIDNEXT from B (RFC 9051 §2.3.1.1).
        let seq_new = exists1.unwrap_or(exists0 + 1);
        let (tag, r) = a.run(&format!("FETCH {seq_new} (UID FLAGS)"))?;
        let mut ev = Evidence::default();
        ev.c(format!("{tag} FETCH {seq_new} (UID FLAGS)\r\n").as_bytes());
        r.evidence(&mut ev);
        let uid_new = r.data().into_iter().find_map(|d| match d {
            Data::Fetch(f) if f.seq.get() == seq_new => {
                f.attributes.iter().find_map(|a| match &*a {
                    MessageAttribute::Uid(u) => Some(u.get()),
                    _ => None,
                })
            }
            _ => None,
        });
        let (tag, st) = b.run("STATUS INBOX (UIDNEXT UIDVALIDITY MESSAGES)")?;
        ev.c(format!("{tag} STATUS INBOX (UIDNEXT UIDVALIDITY MESSAGES)\r\n").as_bytes());
        st.evidence(&mut ev);
        let mut st_next = None;
        let mut st_validity = None;
        for d in st.data() {
            if let Data::Status(s) = d {
                for v in &s.attributes {
                    match v {
                        imap_codec::response::StatusAttributeValue::UidNext(n) => {
                            st_next = Some(*n)
                        }
                        imap_codec::response::StatusAttributeValue::UidValidity(n) => {
                            st_validity = Some(*n)
                        }
                        _ => {}
                    }
                }
            }
        }
        let uid_consistent = uid_new.is_some()
            && append_uid.is_none_or(|(_, u)| Some(u) == uid_new)
            && uidnext.is_none_or(|n| uid_new.is_some_and(|u| u >= n))
            && st_next.is_some_and(|n| uid_new.is_some_and(|u| n > u))
            && st_validity == validity;
        run.check(
            "imap.uid.next",
            "the new message's UID is the APPENDUID, at least the old UIDNEXT, below the new UIDNEXT; UIDVALIDITY unchanged",
            "RFC 9051 §2.3.1.1, RFC 4315 §3",
            if uid_consistent { Outcome::Pass } else { Outcome::Fail },
            format!(
                "UID {}, APPENDUID {}, UIDNEXT {} then {}, UIDVALIDITY {} then {}",
                opt(uid_new),
                opt(append_uid.map(|x| x.1)),
                opt(uidnext),
                opt(st_next),
                opt(validity),
                opt(st_validity)
            ),
            &ev,
        );

        // Flags changed by B, seen by A (RFC 9051 §5.2, §7.5.2).
        let (tag, r) = b.run("SELECT INBOX")?;
        let mut ev = Evidence::default();
        ev.c(format!("{tag} SELECT INBOX\r\n").as_bytes());
        ev.s(&r.done);
        let flag_cmd = match uid_new {
            Some(u) => format!("UID STORE {u} +FLAGS.SILENT (\\Flagged)"),
            None => format!("STORE {seq_new} +FLAGS.SILENT (\\Flagged)"),
        };
        let (tag, r) = b.run(&flag_cmd)?;
        ev.c(format!("{tag} {flag_cmd}\r\n").as_bytes());
        r.evidence(&mut ev);
        let (tag, r) = a.run("NOOP")?;
        ev.c(format!("{tag} NOOP\r\n").as_bytes());
        r.evidence(&mut ev);
        let flagged_seen = r.data().into_iter().any(|d| match d {
            Data::Fetch(f) => {
                f.seq.get() == seq_new
                    && f.attributes.iter().any(|a| match &*a {
                        MessageAttribute::Flags(fl) => {
                            fl.iter().any(|x| matches!(x, imap_codec::Flag::Flagged))
                        }
                        _ => false,
                    })
            }
            _ => false,
        });
        run.check(
            "imap.flags.other",
            "a flag stored by another connection is announced with FETCH FLAGS",
            "RFC 9051 §5.2, §7.5.2",
            if flagged_seen {
                Outcome::Pass
            } else {
                Outcome::Warn
            },
            if flagged_seen {
                "FETCH (FLAGS (... \\Flagged ...)) seen after NOOP"
            } else {
                "no FETCH FLAGS after NOOP (servers SHOULD send it)"
            },
            &ev,
        );

        // \Recent in one session only (RFC 3501 §2.3.2; imaptest's state check).
        match uid_new {
            Some(uid) if rev1 => recent_unique(&mut a, &mut b, uid, run)?,
            _ => run.skip(
                RECENT_UNIQUE.0,
                RECENT_UNIQUE.1,
                "RFC 3501 §2.3.2",
                if rev1 {
                    "the probe's message has no UID"
                } else {
                    "not IMAP4rev1 (IMAP4rev2 has no \\Recent)"
                },
            ),
        }

        match uid_new {
            Some(uid) if condstore => modseq_checks(&mut a, &mut b, uid, run)?,
            _ => {
                for (id, title) in MODSEQ_CHECKS {
                    run.skip(
                        id,
                        title,
                        "RFC 7162 §3.1",
                        if condstore {
                            "the probe's message has no UID"
                        } else {
                            "CONDSTORE not listed"
                        },
                    );
                }
            }
        }

        // IDLE (RFC 2177 §3, RFC 9051 §6.3.13).
        let mut second_uid = None;
        if idle {
            let mut ev = Evidence::default();
            let tag = a.tag();
            a.wire.send(format!("{tag} IDLE\r\n").as_bytes())?;
            a.sent += 1;
            ev.c(format!("{tag} IDLE\r\n").as_bytes());
            let m = a.message()?;
            ev.s(&m);
            if m.starts_with(b"+") {
                let msg = probe_message(&token, 2);
                let (btag, r) = b.run_append(&msg)?;
                ev.c(format!(
                    "{btag} APPEND INBOX (\\Seen) {{{}}} ... (connection B)\r\n",
                    msg.len()
                )
                .as_bytes());
                ev.s(&r.done);
                second_uid = r.codes().iter().find_map(|c| match c {
                    ImapCode::AppendUid(a) => Some(a.uid.get()),
                    _ => None,
                });
                let start = Instant::now();
                let mut got = None;
                while start.elapsed() < Duration::from_secs(5) && got.is_none() {
                    let chunk = a.wire.quiet(Duration::from_millis(500))?;
                    if !chunk.is_empty() {
                        ev.s(&chunk);
                        a.wire.inbuf.extend_from_slice(&chunk);
                    }
                    // Whole lines only.
                    while let Some(i) = a.wire.inbuf.iter().position(|&b| b == b'\n') {
                        let line: Vec<u8> = a.wire.inbuf.drain(..=i).collect();
                        if let Some(Response::Data(Data::Exists(n))) = parse_response(&line) {
                            got = Some(n);
                        }
                    }
                }
                a.wire.send(b"DONE\r\n")?;
                ev.c(b"DONE\r\n");
                let r = a.finish(&tag)?;
                r.evidence(&mut ev);
                run.check(
                    "imap.idle",
                    "during IDLE, a message appended by another connection is announced (EXISTS) within 5 s; DONE completes the IDLE",
                    "RFC 2177 §3, RFC 9051 §6.3.13",
                    if got.is_some() && r.ok() { Outcome::Pass } else { Outcome::Fail },
                    match got {
                        Some(n) => format!("EXISTS {n} after {} ms", start.elapsed().as_millis()),
                        None => "no EXISTS within 5 s".into(),
                    },
                    &ev,
                );
            } else {
                run.check(
                    "imap.idle",
                    "IDLE gets a continuation request",
                    "RFC 2177 §3",
                    Outcome::Fail,
                    "no continuation request",
                    &ev,
                );
                let _ = a.finish(&tag);
            }
        } else {
            run.skip(
                "imap.idle",
                "IDLE announces changes from another connection",
                "RFC 2177 §3",
                "IDLE not listed",
            );
        }

        // EXPUNGE by B, seen by A (RFC 9051 §7.5.1): the probe's messages go again.
        let (tag, r) = a.run("NOOP")?;
        let before = r
            .exists()
            .unwrap_or(seq_new + u32::from(second_uid.is_some()));
        let _ = tag;
        let mut ev = Evidence::default();
        let uids: Vec<String> = [uid_new, second_uid]
            .iter()
            .flatten()
            .map(|u| u.to_string())
            .collect();
        let set = uids.join(",");
        let (tag, r) = b.run(&format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)"))?;
        ev.c(format!("{tag} UID STORE {set} +FLAGS.SILENT (\\Deleted)\r\n").as_bytes());
        r.evidence(&mut ev);
        let cmd = if uidplus {
            format!("UID EXPUNGE {set}")
        } else {
            "EXPUNGE".to_owned()
        };
        let (tag, r) = b.run(&cmd)?;
        ev.c(format!("{tag} {cmd}\r\n").as_bytes());
        r.evidence(&mut ev);
        let b_expunged = r.expunges().len();
        let (tag, r) = a.run("NOOP")?;
        ev.c(format!("{tag} NOOP\r\n").as_bytes());
        r.evidence(&mut ev);
        let a_expunged = r.expunges();
        let gone = uids.len();
        let after = r.exists();
        let accounting = a_expunged.len() == gone
            && a_expunged.iter().all(|&n| n >= 1 && n <= before)
            && after.is_none_or(|n| n + gone as u32 == before);
        run.check(
            "imap.expunge.other",
            "messages expunged by another connection are announced with EXPUNGE, renumbered and counted",
            "RFC 9051 §7.5.1, §5.2",
            if b_expunged == gone && accounting { Outcome::Pass } else { Outcome::Fail },
            format!(
                "B saw {b_expunged} EXPUNGE of {gone}; A saw {} EXPUNGE ({:?}) with {before} messages before{}",
                a_expunged.len(),
                a_expunged,
                after.map_or(String::new(), |n| format!(", EXISTS {n} after"))
            ),
            &ev,
        );

        // LOGOUT (RFC 9051 §6.1.3): BYE, then the tagged OK.
        let mut ev = Evidence::default();
        let (tag, r) = b.run("LOGOUT")?;
        ev.c(format!("{tag} LOGOUT\r\n").as_bytes());
        r.evidence(&mut ev);
        let bye = r
            .responses()
            .any(|x| matches!(x, Response::Status(s) if s.kind() == StatusKind::Bye));
        run.check(
            "imap.logout",
            "LOGOUT sends an untagged BYE, then the tagged OK",
            "RFC 9051 §6.1.3",
            if bye && r.ok() {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            if bye && r.ok() {
                "BYE, then OK"
            } else {
                "BYE or OK missing"
            },
            &ev,
        );
        let (_, _) = a.run("LOGOUT")?;
        tagged_every(&a, run);
        a.wire.close();
        b.wire.close();
        Ok(())
    }

    impl Client {
        /// APPEND of `msg` to INBOX with a synchronizing literal.
        fn run_append(&mut self, msg: &str) -> io::Result<(String, Reply)> {
            let tag = self.tag();
            self.wire
                .send(format!("{tag} APPEND INBOX (\\Seen) {{{}}}\r\n", msg.len()).as_bytes())?;
            self.sent += 1;
            let m = self.message()?;
            if !m.starts_with(b"+") {
                return Ok((
                    tag,
                    Reply {
                        done: m,
                        ..Reply::default()
                    },
                ));
            }
            self.wire.send(msg.as_bytes())?;
            self.wire.send(b"\r\n")?;
            let r = self.finish(&tag)?;
            Ok((tag, r))
        }
    }

    /// The `\Recent` check's id and title.
    const RECENT_UNIQUE: (&str, &str) = (
        "imap.recent.unique",
        "a new message is \\Recent in at most one of two sessions that have the mailbox selected",
    );

    /// Whether the FETCH answer for `uid` lists `\Recent`.
    pub(super) fn recent_in(r: &Reply, uid: u32) -> bool {
        r.data().into_iter().any(|d| match d {
            Data::Fetch(f) => {
                f.attributes
                    .iter()
                    .any(|a| matches!(&*a, MessageAttribute::Uid(u) if u.get() == uid))
                    && f.attributes.iter().any(|a| match &*a {
                        MessageAttribute::Flags(fl) => fl.iter().any(|x| x.is_recent()),
                        _ => false,
                    })
            }
            _ => false,
        })
    }

    /// RFC 3501 §2.3.2: "If it is not possible to determine whether or not this session is
    /// the first session to be notified about a message, then that message SHOULD be
    /// considered recent", but a message is recent in one session only ("no other session
    /// will see the message as recent"). A and B both have INBOX selected; B appended the
    /// probe's message: at most one of them may see it `\Recent`.
    fn recent_unique(a: &mut Client, b: &mut Client, uid: u32, run: &mut Run) -> io::Result<()> {
        let mut ev = Evidence::default();
        let cmd = format!("UID FETCH {uid} (FLAGS)");
        let mut seen = Vec::new();
        for (who, c) in [("A", a), ("B", b)] {
            let (tag, r) = c.run(&cmd)?;
            ev.note(&format!("connection {who}:"));
            ev.c(format!("{tag} {cmd}\r\n").as_bytes());
            r.evidence(&mut ev);
            if recent_in(&r, uid) {
                seen.push(who);
            }
        }
        run.check(
            RECENT_UNIQUE.0,
            RECENT_UNIQUE.1,
            "RFC 3501 §2.3.2",
            if seen.len() <= 1 {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            format!(
                "UID {uid} is \\Recent in: {}",
                if seen.is_empty() {
                    "neither".to_owned()
                } else {
                    seen.join(" and ")
                }
            ),
            &ev,
        );
        Ok(())
    }

    /// The CONDSTORE checks, for a skip.
    const MODSEQ_CHECKS: [(&str, &str); 2] = [
        (
            "imap.modseq.monotonic",
            "a message's MODSEQ grows with every flag change, from either connection, and both connections read the same value",
        ),
        (
            "imap.modseq.unchangedsince",
            "STORE (UNCHANGEDSINCE n) on a message changed after n is refused with [MODIFIED] and changes nothing",
        ),
    ];

    /// The MODSEQ of message `uid` in a FETCH answer.
    pub(super) fn modseq_in(r: &Reply, uid: u32) -> Option<u64> {
        r.data().into_iter().find_map(|d| match d {
            Data::Fetch(f)
                if f.attributes
                    .iter()
                    .any(|a| matches!(&*a, MessageAttribute::Uid(u) if u.get() == uid)) =>
            {
                f.attributes.iter().find_map(|a| match &*a {
                    MessageAttribute::Modseq(m) => Some(m.get()),
                    _ => None,
                })
            }
            _ => None,
        })
    }

    /// imaptest-style MODSEQ checks with two connections (RFC 7162 §3.1.1, §3.1.3,
    /// §3.1.4): A reads the probe message's MODSEQ, B changes a flag, A reads again, A
    /// changes a flag, both read; then A's STORE with UNCHANGEDSINCE the first value must
    /// fail with `[MODIFIED]`.
    fn modseq_checks(a: &mut Client, b: &mut Client, uid: u32, run: &mut Run) -> io::Result<()> {
        let mut ev = Evidence::default();
        let step = |c: &mut Client, who: &str, cmd: &str, ev: &mut Evidence| {
            let (tag, r) = c.run(cmd)?;
            ev.note(&format!("connection {who}:"));
            ev.c(format!("{tag} {cmd}\r\n").as_bytes());
            r.evidence(ev);
            io::Result::Ok(r)
        };
        let fetch = format!("UID FETCH {uid} (MODSEQ FLAGS)");
        let m0 = modseq_in(&step(a, "A", &fetch, &mut ev)?, uid);
        step(
            b,
            "B",
            &format!("UID STORE {uid} -FLAGS.SILENT (\\Flagged)"),
            &mut ev,
        )?;
        let m1 = modseq_in(&step(a, "A", &fetch, &mut ev)?, uid);
        step(
            a,
            "A",
            &format!("UID STORE {uid} +FLAGS.SILENT (\\Flagged)"),
            &mut ev,
        )?;
        let m2 = modseq_in(&step(a, "A", &fetch, &mut ev)?, uid);
        let m2b = modseq_in(&step(b, "B", &fetch, &mut ev)?, uid);
        let rising = matches!((m0, m1, m2), (Some(x), Some(y), Some(z)) if x < y && y < z);
        run.check(
            MODSEQ_CHECKS[0].0,
            MODSEQ_CHECKS[0].1,
            "RFC 7162 §3.1.1, §3.1.4",
            if rising && m2b == m2 {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            format!(
                "MODSEQ {} (A), {} after B's STORE, {} after A's STORE; B reads {}",
                opt(m0),
                opt(m1),
                opt(m2),
                opt(m2b)
            ),
            &ev,
        );
        let Some(m0) = m0 else {
            run.skip(
                MODSEQ_CHECKS[1].0,
                MODSEQ_CHECKS[1].1,
                "RFC 7162 §3.1.3",
                "no MODSEQ in the FETCH answer",
            );
            return Ok(());
        };
        let mut ev = Evidence::default();
        let cmd = format!("UID STORE {uid} (UNCHANGEDSINCE {m0}) +FLAGS.SILENT (\\Answered)");
        let r = step(a, "A", &cmd, &mut ev)?;
        let modified = r.codes().iter().any(|c| match c {
            ImapCode::Modified(set) => set.contains(uid, uid),
            _ => false,
        });
        let after = step(a, "A", &fetch, &mut ev)?;
        let answered = after.data().into_iter().any(|d| match d {
            Data::Fetch(f) => f.attributes.iter().any(|a| match &*a {
                MessageAttribute::Flags(fl) => {
                    fl.iter().any(|x| matches!(x, imap_codec::Flag::Answered))
                }
                _ => false,
            }),
            _ => false,
        });
        run.check(
            MODSEQ_CHECKS[1].0,
            MODSEQ_CHECKS[1].1,
            "RFC 7162 §3.1.3",
            if r.ok() && modified && !answered {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            format!(
                "{}; [MODIFIED] names UID {uid}: {modified}; \\Answered set anyway: {answered}",
                if r.ok() { "OK" } else { "not OK" }
            ),
            &ev,
        );
        Ok(())
    }

    fn opt(v: Option<impl std::fmt::Display>) -> String {
        v.map_or_else(|| "none".into(), |v| v.to_string())
    }

    /// RFC 9051 §2.2.2, §7.1: every command got one tagged completion, no completion had a
    /// tag the client did not send.
    fn tagged_every(a: &Client, run: &mut Run) {
        let mut ev = Evidence::default();
        for s in &a.stray {
            ev.s(s);
        }
        let ok = a.sent == a.completed && a.stray.is_empty();
        run.check(
            "imap.tagged",
            "every command gets exactly one tagged completion, with the command's tag",
            "RFC 9051 §2.2.2, §7.1",
            if ok { Outcome::Pass } else { Outcome::Fail },
            format!(
                "connection A: {} commands, {} completions, {} responses with an unknown tag",
                a.sent,
                a.completed,
                a.stray.len()
            ),
            &ev,
        );
    }

    /// Invalid input on purpose, on a connection of its own (RFC 9051 §7.1.5): BAD. A
    /// server may give up on a client that sends errors (BYE, RFC 9051 §7.1.5); the
    /// commands it answered must have been answered BAD.
    fn bad_input(spec: &Spec, run: &mut Run) -> io::Result<()> {
        let (mut c, greeting) = Client::connect(spec, "bad-input", 'x', run)?;
        let mut ev = Evidence::default();
        ev.s(&greeting);
        let (mut answered, mut bad, mut closed) = (0, 0, false);
        for body in ["MAILCONFORM-NO-SUCH-COMMAND", "FETCH"] {
            let tag = c.tag();
            ev.c(format!("{tag} {body}\r\n").as_bytes());
            c.wire.send(format!("{tag} {body}\r\n").as_bytes())?;
            match c.finish(&tag) {
                Ok(r) => {
                    r.evidence(&mut ev);
                    answered += 1;
                    bad += usize::from(r.kind == Some(StatusKind::Bad));
                }
                Err(_) => {
                    ev.s(&std::mem::take(&mut c.wire.inbuf));
                    ev.note("the server closed the connection");
                    closed = true;
                    break;
                }
            }
        }
        c.wire.close();
        run.check(
            "imap.bad",
            "an unknown command and a command without its arguments are answered BAD",
            "RFC 9051 §7.1.5, §2.2.2",
            if answered > 0 && bad == answered {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            format!(
                "{bad} of {answered} answered BAD{}",
                if closed {
                    "; then the server closed the connection"
                } else {
                    ""
                }
            ),
            &ev,
        );
        Ok(())
    }

    /// STARTTLS with a NOOP in the same packet: the NOOP must not be executed inside TLS
    /// (RFC 9051 §6.2.1; CERT-555316).
    fn starttls_injection(spec: &Spec, run: &mut Run) -> io::Result<()> {
        let plain = Spec {
            implicit: false,
            ..spec.clone()
        };
        let (mut c, greeting) = Client::connect(&plain, "starttls-injection", 's', run)?;
        let mut ev = Evidence::default();
        ev.s(&greeting);
        let packet = b"s1 STARTTLS\r\ns2 NOOP\r\n";
        c.wire.send(packet)?;
        ev.c(packet);
        let r = c.finish("s1")?;
        r.evidence(&mut ev);
        injection_check(
            &IMAP_TLS,
            &mut c,
            |c| &mut c.wire,
            r.ok(),
            ev,
            run,
            |c, ev| {
                c.wire.send(b"s3 NOOP\r\n")?;
                ev.c(b"s3 NOOP\r\n");
                let r = c.finish("s3")?;
                r.evidence(ev);
                Ok(r.untagged.iter().any(|m| m.starts_with(b"s2 "))
                    || c.stray.iter().any(|m| m.starts_with(b"s2 ")))
            },
        )
    }

    /// `OK`, `PREAUTH` or `BYE` when the greeting parses (real-world), else `None`.
    fn parse_response_greeting(bytes: &[u8]) -> Option<&'static str> {
        let g = imap_codec::Greeting::parse_with(bytes, &real_world()).ok()?;
        Some(match g.value.kind() {
            imap_codec::response::GreetingKind::Ok => "OK",
            imap_codec::response::GreetingKind::PreAuth => "PREAUTH",
            imap_codec::response::GreetingKind::Bye => "BYE",
        })
    }
}

mod pop3 {
    //! The POP3 scenario.
    use super::*;

    pub(super) struct Client {
        pub(super) wire: Wire,
    }

    impl Client {
        pub(super) fn connect(
            spec: &Spec,
            name: &str,
            run: &mut Run,
        ) -> io::Result<(Client, Vec<u8>)> {
            let mut wire = Wire::connect(spec, name, run)?;
            let g = wire.line()?;
            Ok((Client { wire }, g))
        }
        /// A command and its status line.
        pub(super) fn cmd(&mut self, line: &str, ev: &mut Evidence) -> io::Result<Vec<u8>> {
            let bytes = format!("{line}\r\n");
            self.wire.send(bytes.as_bytes())?;
            if line.starts_with("PASS ") {
                ev.c(b"PASS <password>\r\n");
            } else {
                ev.c(bytes.as_bytes());
            }
            let r = self.wire.line()?;
            ev.s(&r);
            Ok(r)
        }
        /// The lines of a multi-line response up to the `.` line (RFC 1939 §3), as sent.
        pub(super) fn multi(&mut self, ev: &mut Evidence) -> io::Result<Vec<Vec<u8>>> {
            let mut out = Vec::new();
            loop {
                let l = self.wire.line()?;
                if l == b".\r\n" {
                    ev.s(&l);
                    return Ok(out);
                }
                if out.len() < 12 {
                    ev.s(&l);
                }
                out.push(l);
            }
        }
    }

    fn ok(line: &[u8]) -> bool {
        line.starts_with(b"+OK")
    }

    /// The unstuffed message of a RETR/TOP response (RFC 1939 §3).
    fn unstuff(lines: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for l in lines {
            out.extend_from_slice(l.strip_prefix(b".").unwrap_or(l));
        }
        out
    }

    fn listing(lines: &[Vec<u8>]) -> Vec<(u32, String)> {
        lines
            .iter()
            .filter_map(|l| {
                let s = std::str::from_utf8(l).ok()?.trim_end();
                let (n, v) = s.split_once(' ')?;
                Some((n.parse().ok()?, v.split(' ').next()?.to_owned()))
            })
            .collect()
    }

    fn login(c: &mut Client, spec: &Spec, ev: &mut Evidence) -> io::Result<Result<(), String>> {
        let (Some(u), Some(p)) = (&spec.user, &spec.password) else {
            return Ok(Err("no --user/--password".into()));
        };
        if spec.starttls && !spec.implicit {
            let r = c.cmd("STLS", ev)?;
            if !ok(&r) {
                return Ok(Err("STLS refused".into()));
            }
            c.wire.handshake()?;
            ev.note("TLS handshake");
        }
        let r = c.cmd(&format!("USER {u}"), ev)?;
        if !ok(&r) {
            return Ok(Err("USER refused".into()));
        }
        let r = c.cmd(&format!("PASS {p}"), ev)?;
        if !ok(&r) {
            return Ok(Err(format!("PASS refused: {}", shown(&r, 200))));
        }
        Ok(Ok(()))
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn run(spec: &Spec, run: &mut Run) -> io::Result<()> {
        let (mut a, greeting) = Client::connect(spec, "A", run)?;
        let mut ev = Evidence::default();
        ev.s(&greeting);
        let good = ok(&greeting);
        run.check(
            "pop3.greeting",
            "the greeting is +OK",
            "RFC 1939 §4",
            if good { Outcome::Pass } else { Outcome::Fail },
            if good {
                "+OK greeting"
            } else {
                "no +OK greeting"
            },
            &ev,
        );
        if !good {
            a.wire.close();
            return Err(io::Error::other("no +OK greeting"));
        }
        let mut ev = Evidence::default();
        let r = a.cmd("CAPA", &mut ev)?;
        let caps: Vec<String> = if ok(&r) {
            a.multi(&mut ev)?
                .iter()
                .map(|l| String::from_utf8_lossy(l).trim_end().to_ascii_uppercase())
                .collect()
        } else {
            Vec::new()
        };
        let has = |caps: &[String], c: &str| caps.iter().any(|x| x.split(' ').next() == Some(c));
        run.check(
            "pop3.capa",
            "CAPA answers a multi-line capability list",
            "RFC 2449 §5",
            if ok(&r) { Outcome::Pass } else { Outcome::Warn },
            if ok(&r) {
                caps.join(", ")
            } else {
                "CAPA not supported".into()
            },
            &ev,
        );
        // Invalid input on purpose (RFC 1939 §3): -ERR.
        let mut ev = Evidence::default();
        let r1 = a.cmd("MAILCONFORM-NO-SUCH-COMMAND", &mut ev)?;
        let r2 = a.cmd("RETR 1", &mut ev)?;
        let bad = r1.starts_with(b"-ERR") && r2.starts_with(b"-ERR");
        run.check(
            "pop3.err",
            "an unknown command, and RETR before login, are answered -ERR",
            "RFC 1939 §3, §4",
            if bad { Outcome::Pass } else { Outcome::Fail },
            if bad {
                "two -ERR"
            } else {
                "a reply other than -ERR"
            },
            &ev,
        );
        if !spec.implicit && has(&caps, "STLS") {
            stls_injection(spec, run)?;
        } else {
            POP3_TLS.skip_injection(spec, run);
        }
        let mut ev = Evidence::default();
        match login(&mut a, spec, &mut ev)? {
            Ok(()) => run.check(
                "pop3.login",
                "USER/PASS with valid credentials succeeds",
                "RFC 1939 §7",
                Outcome::Pass,
                "logged in",
                &ev,
            ),
            Err(why) => {
                let no_creds = spec.user.is_none() || spec.password.is_none();
                if no_creds {
                    run.skip(
                        "pop3.login",
                        "USER/PASS with valid credentials succeeds",
                        "RFC 1939 §7",
                        &why,
                    );
                    let mut ev = Evidence::default();
                    let r = a.cmd("QUIT", &mut ev)?;
                    run.check(
                        "pop3.quit",
                        "QUIT is answered +OK",
                        "RFC 1939 §6",
                        if ok(&r) { Outcome::Pass } else { Outcome::Fail },
                        "QUIT in AUTHORIZATION",
                        &ev,
                    );
                    a.wire.close();
                    return Ok(());
                }
                // Not a violation (the credentials may be wrong): the probe cannot run.
                run.check(
                    "pop3.login",
                    "USER/PASS with valid credentials succeeds",
                    "RFC 1939 §7",
                    Outcome::Skip,
                    why.clone(),
                    &ev,
                );
                a.wire.close();
                return Err(io::Error::other(why));
            }
        }
        if spec.starttls && !spec.implicit {
            let mut ev = Evidence::default();
            let r = a.cmd("CAPA", &mut ev)?;
            let after: Vec<String> = if ok(&r) {
                a.multi(&mut ev)?
                    .iter()
                    .map(|l| String::from_utf8_lossy(l).trim_end().to_ascii_uppercase())
                    .collect()
            } else {
                Vec::new()
            };
            POP3_TLS.listed(has(&after, "STLS"), &ev, run);
        } else {
            POP3_TLS.skip_listed(spec, run);
        }
        // STAT, LIST, UIDL (RFC 1939 §5, §7).
        let mut ev = Evidence::default();
        let stat = a.cmd("STAT", &mut ev)?;
        let stat_words: Vec<u64> = String::from_utf8_lossy(&stat)
            .split(' ')
            .skip(1)
            .take(2)
            .filter_map(|w| w.trim().parse().ok())
            .collect();
        let r = a.cmd("LIST", &mut ev)?;
        let list = if ok(&r) {
            listing(&a.multi(&mut ev)?)
        } else {
            Vec::new()
        };
        let sizes: Vec<(u32, u64)> = list
            .iter()
            .filter_map(|(n, s)| Some((*n, s.parse().ok()?)))
            .collect();
        let total: u64 = sizes.iter().map(|s| s.1).sum();
        let agree =
            stat_words.len() == 2 && stat_words[0] == sizes.len() as u64 && stat_words[1] == total;
        run.check(
            "pop3.stat.list",
            "STAT's count and octets agree with the LIST scan listings",
            "RFC 1939 §5",
            if ok(&stat) && ok(&r) && agree {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            format!(
                "STAT {:?}; LIST {} messages, {total} octets",
                stat_words,
                sizes.len()
            ),
            &ev,
        );
        let mut ev = Evidence::default();
        let r = a.cmd("UIDL", &mut ev)?;
        let uidl1 = if ok(&r) {
            listing(&a.multi(&mut ev)?)
        } else {
            Vec::new()
        };
        let uidl_ok = ok(&r);
        if sizes.is_empty() {
            for (id, t, rfc) in [
                (
                    "pop3.retr.size",
                    "RETR sends exactly the octets LIST announced",
                    "RFC 1939 §5, §11",
                ),
                (
                    "pop3.dot-stuffing",
                    "lines that start with a dot are stuffed",
                    "RFC 1939 §3",
                ),
                (
                    "pop3.top",
                    "TOP n 0 sends the header and the blank line: a prefix of RETR",
                    "RFC 1939 §7",
                ),
                (
                    "pop3.update.quit-only",
                    "DELE takes effect only at QUIT",
                    "RFC 1939 §6",
                ),
            ] {
                run.skip(id, t, rfc, "the maildrop is empty");
            }
            let mut ev = Evidence::default();
            let r = a.cmd("QUIT", &mut ev)?;
            run.check(
                "pop3.quit",
                "QUIT is answered +OK",
                "RFC 1939 §6",
                if ok(&r) { Outcome::Pass } else { Outcome::Fail },
                "QUIT in TRANSACTION",
                &ev,
            );
            a.wire.close();
            return Ok(());
        }
        // RETR sizes and stuffing (RFC 1939 §3, §5, §11).
        let mut ev = Evidence::default();
        let mut wrong = Vec::new();
        let mut unstuffed_lines = Vec::new();
        let mut first = Vec::new();
        for &(n, size) in sizes.iter().take(3) {
            let r = a.cmd(&format!("RETR {n}"), &mut ev)?;
            if !ok(&r) {
                wrong.push(format!("RETR {n} refused"));
                continue;
            }
            let lines = a.multi(&mut ev)?;
            for l in &lines {
                if l.len() > 1 && l[0] == b'.' && l[1] != b'.' {
                    unstuffed_lines.push((n, l.clone()));
                }
            }
            let body = unstuff(&lines);
            if n == sizes[0].0 {
                first = body.clone();
            }
            ev.note(&format!(
                "message {n}: LIST {size}, RETR {} octets after unstuffing",
                body.len()
            ));
            if body.len() as u64 != size {
                wrong.push(format!("message {n}: LIST {size}, RETR {}", body.len()));
            }
        }
        run.check(
            "pop3.retr.size",
            "RETR sends exactly the octets LIST announced",
            "RFC 1939 §5, §11",
            if wrong.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            if wrong.is_empty() {
                "sizes agree".to_owned()
            } else {
                wrong.join("; ")
            },
            &ev,
        );
        let mut ev2 = Evidence::default();
        for (n, l) in &unstuffed_lines {
            ev2.note(&format!("message {n}:"));
            ev2.s(l);
        }
        run.check(
            "pop3.dot-stuffing",
            "no line of a multi-line response starts with a single dot (stuffed lines start with two)",
            "RFC 1939 §3",
            if unstuffed_lines.is_empty() { Outcome::Pass } else { Outcome::Fail },
            if unstuffed_lines.is_empty() { "no unstuffed dot line".to_owned() } else { format!("{} unstuffed line(s)", unstuffed_lines.len()) },
            &ev2,
        );
        // TOP (RFC 1939 §7).
        let n1 = sizes[0].0;
        let mut ev = Evidence::default();
        if has(&caps, "TOP") || caps.is_empty() {
            let r = a.cmd(&format!("TOP {n1} 0"), &mut ev)?;
            if ok(&r) {
                let top = unstuff(&a.multi(&mut ev)?);
                let header_end = first
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map(|i| i + 4);
                let prefix = first.starts_with(&top);
                let exact = header_end.is_none_or(|e| top.len() == e);
                run.check(
                    "pop3.top",
                    "TOP n 0 sends the header and the blank line: a prefix of RETR",
                    "RFC 1939 §7",
                    if prefix && exact { Outcome::Pass } else { Outcome::Fail },
                    format!("TOP {} octets, prefix of RETR: {prefix}, ends after the blank line: {exact}", top.len()),
                    &ev,
                );
            } else {
                run.check(
                    "pop3.top",
                    "TOP n 0 sends the header and the blank line",
                    "RFC 1939 §7",
                    if caps.is_empty() {
                        Outcome::Skip
                    } else {
                        Outcome::Fail
                    },
                    "TOP refused",
                    &ev,
                );
            }
        } else {
            run.skip(
                "pop3.top",
                "TOP n 0 sends the header and the blank line",
                "RFC 1939 §7",
                "TOP not listed",
            );
        }
        // DELE, RETR of a deleted message, RSET, DELE again, then a drop without QUIT.
        let mut ev = Evidence::default();
        let d = a.cmd(&format!("DELE {n1}"), &mut ev)?;
        let again = a.cmd(&format!("RETR {n1}"), &mut ev)?;
        let rset = a.cmd("RSET", &mut ev)?;
        let d2 = a.cmd(&format!("DELE {n1}"), &mut ev)?;
        ev.note("connection closed without QUIT");
        a.wire.close();
        let dele_ok = ok(&d) && again.starts_with(b"-ERR") && ok(&rset) && ok(&d2);
        // Connection B: the message must still be there, UIDL unchanged (RFC 1939 §6, §7).
        let mut b = None;
        for _ in 0..20 {
            let (mut c, _) = Client::connect(spec, "B", run)?;
            let mut evb = Evidence::default();
            match login(&mut c, spec, &mut evb)? {
                Ok(()) => {
                    ev.0.push_str(&evb.0);
                    b = Some(c);
                    break;
                }
                Err(_) => {
                    // The maildrop may still be locked by the dropped session (RFC 1939 §8).
                    c.wire.close();
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
        }
        let Some(mut b) = b else {
            run.check(
                "pop3.update.quit-only",
                "DELE takes effect only at QUIT",
                "RFC 1939 §6",
                Outcome::Fail,
                "cannot log in again after the dropped session",
                &ev,
            );
            return Err(io::Error::other("cannot log in again"));
        };
        let stat2 = b.cmd("STAT", &mut ev)?;
        let same = stat2.split(|&x| x == b' ').nth(1) == stat.split(|&x| x == b' ').nth(1);
        run.check(
            "pop3.update.quit-only",
            "a message marked with DELE is refused by RETR, restored by RSET, and kept when the session ends without QUIT",
            "RFC 1939 §5, §6",
            if dele_ok && same { Outcome::Pass } else { Outcome::Fail },
            format!("DELE/RETR/RSET/DELE as required: {dele_ok}; message count unchanged after the drop: {same}"),
            &ev,
        );
        let mut ev = Evidence::default();
        if uidl_ok {
            let r = b.cmd("UIDL", &mut ev)?;
            let uidl2 = if ok(&r) {
                listing(&b.multi(&mut ev)?)
            } else {
                Vec::new()
            };
            run.check(
                "pop3.uidl.stable",
                "UIDL gives every message the same unique-id in the next session",
                "RFC 1939 §7",
                if uidl1 == uidl2 {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                },
                format!(
                    "{} unique-ids, the same in both sessions: {}",
                    uidl1.len(),
                    uidl1 == uidl2
                ),
                &ev,
            );
        } else {
            run.skip(
                "pop3.uidl.stable",
                "UIDL gives every message the same unique-id in the next session",
                "RFC 1939 §7",
                "UIDL not supported",
            );
        }
        let mut ev = Evidence::default();
        let r = b.cmd("QUIT", &mut ev)?;
        let closed = b
            .wire
            .quiet(Duration::from_millis(500))
            .map(|x| x.is_empty())
            .unwrap_or(true);
        run.check(
            "pop3.quit",
            "QUIT is answered +OK and the server closes the connection",
            "RFC 1939 §6",
            if ok(&r) && closed {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            if ok(&r) { "+OK" } else { "QUIT refused" },
            &ev,
        );
        b.wire.close();
        Ok(())
    }

    /// STLS with a STAT in the same packet: the STAT must not be executed inside TLS.
    fn stls_injection(spec: &Spec, run: &mut Run) -> io::Result<()> {
        let (mut c, greeting) = Client::connect(spec, "stls-injection", run)?;
        let mut ev = Evidence::default();
        ev.s(&greeting);
        let packet = b"STLS\r\nSTAT\r\n";
        c.wire.send(packet)?;
        ev.c(packet);
        let r = c.wire.line()?;
        ev.s(&r);
        injection_check(
            &POP3_TLS,
            &mut c,
            |c| &mut c.wire,
            ok(&r),
            ev,
            run,
            |c, ev| {
                c.cmd("NOOP", ev)?;
                // STAT in AUTHORIZATION is -ERR, NOOP too: two replies mean the STAT ran.
                let extra = c.wire.quiet(Duration::from_millis(300))?;
                ev.s(&extra);
                Ok(extra.split(|&b| b == b'\n').any(|l| !l.is_empty()))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("imap://127.0.0.1:1143").unwrap(),
            (Protocol::Imap, false, "127.0.0.1".into(), 1143)
        );
        assert_eq!(
            parse_url("pop3s://mail.example.org").unwrap(),
            (Protocol::Pop3, true, "mail.example.org".into(), 995)
        );
        assert_eq!(
            parse_url("imaps://[::1]:993").unwrap(),
            (Protocol::Imap, true, "::1".into(), 993)
        );
        assert!(parse_url("http://x").is_err());
        assert!(parse_url("imap://:143").is_err());
    }

    #[test]
    fn literal_announcements() {
        assert_eq!(
            imap::literal_at_end(b"* 1 FETCH (BODY[] {12}\r\n"),
            Some(12)
        );
        assert_eq!(imap::literal_at_end(b"a LOGIN {5+}\r\n"), Some(5));
        assert_eq!(imap::literal_at_end(b"* OK {x}\r\n"), None);
        assert_eq!(imap::literal_at_end(b"* OK done\r\n"), None);
    }

    #[test]
    fn shown_escapes() {
        assert_eq!(shown(b"a\r\n\x01", 10), "a\\r\\n\\x01");
        assert!(shown(&[b'x'; 20], 5).ends_with("(20 octets)"));
    }
}

#[cfg(test)]
mod scenario_tests {
    //! The probe against the reference server (no violation) and against deliberately broken
    //! servers (the checks must catch what they are for).
    use super::*;
    use std::io::BufRead;
    use std::net::TcpListener;

    fn spec(protocol: Protocol, addr: std::net::SocketAddr, starttls: bool) -> Spec {
        Spec {
            url: format!("test://{addr}"),
            protocol,
            host: addr.ip().to_string(),
            port: addr.port(),
            implicit: false,
            starttls,
            user: Some("alice".into()),
            password: Some("secret".into()),
        }
    }

    fn result(t: &Target, id: &str) -> Outcome {
        t.checks
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no check {id} in {:#?}", t.checks))
            .result
    }

    #[test]
    fn reference_server_has_no_violation() {
        let backend = Arc::new(crate::serve::Backend::new(None, None).unwrap());
        let options = crate::serve::Options {
            imap: Some("127.0.0.1:0".into()),
            pop3: Some("127.0.0.1:0".into()),
            ..crate::serve::Options::default()
        };
        let running = crate::serve::start(&options, backend).unwrap();
        let imap = probe(&spec(Protocol::Imap, running.imap.unwrap(), true), false);
        let pop3 = probe(&spec(Protocol::Pop3, running.pop3.unwrap(), true), false);
        for t in [&imap, &pop3] {
            assert_eq!(t.error, None);
            assert_eq!(t.count(Outcome::Fail), 0, "{:#?}", t.checks);
            assert_eq!(t.count(Outcome::Warn), 0, "{:#?}", t.checks);
        }
        assert_eq!(result(&imap, "imap.starttls.injection"), Outcome::Pass);
        assert_eq!(result(&imap, "imap.idle"), Outcome::Pass);
        assert_eq!(result(&imap, "imap.modseq.monotonic"), Outcome::Pass);
        assert_eq!(result(&imap, "imap.recent.unique"), Outcome::Pass);
        assert_eq!(result(&imap, "imap.modseq.unchangedsince"), Outcome::Pass);
        assert_eq!(result(&imap, "imap.expunge.other"), Outcome::Pass);
        assert_eq!(result(&pop3, "pop3.stls.injection"), Outcome::Pass);
        assert_eq!(result(&pop3, "pop3.update.quit-only"), Outcome::Pass);
        assert!(imap.connections.len() >= 3 && pop3.connections.len() >= 3);
        assert_eq!(exit_code(&[imap, pop3]), 0);
    }

    /// Serves each connection with `answer(line, session number, earlier lines) -> bytes`.
    fn fake(
        greeting: &'static str,
        answer: fn(&str, usize, &[String]) -> String,
    ) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                std::thread::spawn(move || {
                    let _ = stream.write_all(greeting.as_bytes());
                    let mut reader = io::BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    let mut earlier = Vec::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                        let reply = answer(line.trim_end(), n, &earlier);
                        if stream.write_all(reply.as_bytes()).is_err() {
                            return;
                        }
                        earlier.push(line.trim_end().to_owned());
                        line.clear();
                    }
                });
            }
        });
        addr
    }

    #[test]
    fn broken_pop3_server_is_caught() {
        // RETR does not stuff and is shorter than LIST says; a deleted message can be
        // retrieved; the unique-ids change between sessions.
        let addr = fake("+OK hi\r\n", |line, session, earlier| {
            let word = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
            let logged_in = earlier.iter().any(|l| l.starts_with("PASS"));
            match word.as_str() {
                "RETR" | "TOP" | "STAT" | "LIST" | "UIDL" if !logged_in => {
                    "-ERR login first\r\n".into()
                }
                "CAPA" => "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n".into(),
                "USER" | "PASS" | "DELE" | "RSET" | "NOOP" => "+OK\r\n".into(),
                "STAT" => "+OK 1 40\r\n".into(),
                "LIST" => "+OK\r\n1 40\r\n.\r\n".into(),
                "UIDL" => format!("+OK\r\n1 uid-{session}\r\n.\r\n"),
                "RETR" => "+OK\r\nSubject: x\r\n\r\n.dot line\r\n.\r\n".into(),
                "TOP" => "+OK\r\nSubject: x\r\n\r\n.\r\n".into(),
                "QUIT" => "+OK bye\r\n".into(),
                _ => "-ERR what\r\n".into(),
            }
        });
        let t = probe(&spec(Protocol::Pop3, addr, false), false);
        assert_eq!(result(&t, "pop3.greeting"), Outcome::Pass);
        assert_eq!(result(&t, "pop3.retr.size"), Outcome::Fail);
        assert_eq!(result(&t, "pop3.dot-stuffing"), Outcome::Fail);
        assert_eq!(result(&t, "pop3.update.quit-only"), Outcome::Fail);
        assert_eq!(result(&t, "pop3.uidl.stable"), Outcome::Fail);
        let dot = t
            .checks
            .iter()
            .find(|c| c.id == "pop3.dot-stuffing")
            .unwrap();
        assert!(dot.evidence.contains("S: .dot line"), "{}", dot.evidence);
        assert_eq!(exit_code(&[t]), 1);
    }

    /// The readings behind imap.recent.unique and imap.modseq.*: only the FETCH that names
    /// the UID counts (Dovecot follows it with an unsolicited one without UID, which may be
    /// stale), and `\Recent` / MODSEQ are read from it.
    #[test]
    fn recent_and_modseq_readings() {
        let reply = |lines: &[&str]| imap::Reply {
            untagged: lines.iter().map(|l| l.as_bytes().to_vec()).collect(),
            done: b"a1 OK done\r\n".to_vec(),
            kind: Some(StatusKind::Ok),
        };
        let r = reply(&[
            "* 13 FETCH (UID 13 MODSEQ (7) FLAGS (\\Seen \\Recent))\r\n",
            "* 13 FETCH (MODSEQ (9) FLAGS (\\Seen))\r\n",
        ]);
        assert!(imap::recent_in(&r, 13));
        assert!(!imap::recent_in(&r, 12));
        assert_eq!(imap::modseq_in(&r, 13), Some(7));
        assert_eq!(imap::modseq_in(&r, 12), None);
        let r = reply(&["* 13 FETCH (FLAGS (\\Seen) UID 13)\r\n"]);
        assert!(!imap::recent_in(&r, 13));
        assert_eq!(imap::modseq_in(&r, 13), None);
    }

    #[test]
    fn broken_imap_server_is_caught() {
        // Every command is answered OK without data; `{n}` gets a continuation request.
        let addr = fake("* OK ready\r\n", |line, _, earlier| {
            if line.ends_with('}') {
                return "+ go\r\n".into();
            }
            // The rest of a command after a literal: the tag is the first line's.
            let first = match earlier.last() {
                Some(l) if l.ends_with('}') => l.as_str(),
                _ => line,
            };
            let tag = first.split(' ').next().unwrap_or("*");
            if tag.starts_with('a') || tag.starts_with('b') || tag.starts_with('x') {
                // A malformed response to LOGOUT (FLAGS without its parentheses, RFC 9051
                // §7.3.5): the strict grammar must catch it.
                if line.ends_with("LOGOUT") {
                    return format!("* FLAGS \\Seen\r\n{tag} OK done\r\n");
                }
                format!("{tag} OK done\r\n")
            } else {
                String::new()
            }
        });
        let t = probe(&spec(Protocol::Imap, addr, false), false);
        assert_eq!(result(&t, "imap.greeting"), Outcome::Pass);
        assert_eq!(result(&t, "imap.capability"), Outcome::Fail);
        assert_eq!(result(&t, "imap.bad"), Outcome::Fail);
        assert_eq!(result(&t, "imap.select.required"), Outcome::Fail);
        assert_eq!(result(&t, "imap.exists.other"), Outcome::Fail);
        assert_eq!(result(&t, "imap.logout"), Outcome::Fail);
        assert_eq!(result(&t, "imap.grammar.strict"), Outcome::Fail);
        assert_eq!(exit_code(&[t]), 1);
    }

    #[test]
    fn wrong_password_cannot_run() {
        let backend = Arc::new(crate::serve::Backend::new(None, None).unwrap());
        let options = crate::serve::Options {
            imap: Some("127.0.0.1:0".into()),
            pop3: Some("127.0.0.1:0".into()),
            ..crate::serve::Options::default()
        };
        let running = crate::serve::start(&options, backend).unwrap();
        let mut targets = Vec::new();
        for (protocol, addr) in [
            (Protocol::Imap, running.imap.unwrap()),
            (Protocol::Pop3, running.pop3.unwrap()),
        ] {
            let mut s = spec(protocol, addr, false);
            s.password = Some("wrong".into());
            let t = probe(&s, false);
            assert!(t.error.is_some());
            assert_eq!(t.count(Outcome::Fail), 0, "{:#?}", t.checks);
            targets.push(t);
        }
        assert_eq!(result(&targets[0], "imap.login"), Outcome::Skip);
        assert_eq!(result(&targets[1], "pop3.login"), Outcome::Skip);
        assert_eq!(exit_code(&targets), 2);
    }

    #[test]
    fn nothing_listening_cannot_run() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let t = probe(&spec(Protocol::Imap, addr, false), false);
        assert!(t.error.is_some());
        assert_eq!(exit_code(&[t]), 2);
    }
}
