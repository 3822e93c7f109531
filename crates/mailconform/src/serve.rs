//! `mailconform serve`: the reference IMAP and POP3 server.
//!
//! It is built on the project's own pieces only: imap-session's and pop3-session's server
//! sessions speak the protocols (framing, state checks, tagged completions, dot-stuffing,
//! STARTTLS/STLS input discarding); mailproto-imap-mailbox's [`Store`] computes everything
//! the answers contain (FETCH items incl. ENVELOPE and BODYSTRUCTURE, SEARCH, flags, UIDs,
//! COPYUID/APPENDUID, EXPUNGE renumbering, updates for other connections); mailproto-sasl
//! checks AUTHENTICATE. This module is the I/O shell and the mapping from commands to store
//! calls: one thread per connection, std sockets, rustls for STARTTLS / STLS (RFC 9051
//! §6.2.1, RFC 2595 §4) and implicit TLS (RFC 8314 §3).
//!
//! Every user has a store of their own (INBOX with sample messages, `Sent`, `Archive`),
//! shared by all of that user's IMAP and POP3 connections, so that changes made by one
//! connection are seen by the others (IDLE, NOOP; RFC 9051 §7, RFC 2177). POP3 sees the
//! user's INBOX; messages deleted in a POP3 session are expunged from it at QUIT (RFC 1939
//! §6), and a maildrop is locked for one POP3 session at a time (RFC 1939 §8).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use imap_codec::command::{FetchAtt, SearchKey, StoreAction};
use imap_codec::ext::condstore::ModSeq;
use imap_codec::ext::slots::{FetchModifier, StoreModifier};
use imap_codec::ext::{NonEmpty, Number64};
use imap_codec::response::{
    AppendUid, CapabilityData, CopyUid as CodecCopyUid, Delimiter, EsearchData, FetchData,
    GreetingKind, ListAttributes, ListData, MailboxList, MessageAttribute, RespText, SearchData,
    StatusAttributeValue, StatusData,
};
use imap_codec::{
    AuthMechanism, AuthenticateData, Capability, Code, CommandBody, ContinuationRequest, Data,
    Date, DateTime, Flag, FlagPerm, Greeting, Mailbox, MailboxAttribute, Response, SeqItem,
    SequenceSet, Status, StatusKind, Tag, Text,
};
use imap_session::{ServerConfig, ServerEvent, ServerOutput, ServerSession, State};
use mailproto_imap_mailbox::{Flags, Store, StoreError, SystemFlag, Update, View, compile};
use mailproto_sasl::{
    Authenticator, Mechanism, OsNonce, ScramCredentials, ScramHash, Secret, ServerMechanism,
    ServerStep, TlsInfo,
};

/// The hierarchy delimiter of the reference server's mailbox names (RFC 9051 §5.1.1).
const DELIMITER: char = '/';

/// How often an idle connection looks for changes made by other connections.
const POLL: Duration = Duration::from_millis(50);

/// The sample messages of a fresh INBOX: a plain text message (with a line that starts with
/// a dot, for POP3 dot-stuffing, RFC 1939 §3), a multipart message with an attachment
/// (RFC 2046 §5.1) and one with an encoded-word subject (RFC 2047 §2).
pub const SAMPLES: [&str; 3] = [
    "From: Alice Example <alice@example.org>\r\n\
     To: Bob Example <bob@example.org>\r\n\
     Subject: Welcome to mailconform\r\n\
     Date: Fri, 1 Mar 2024 11:00:00 +0000\r\n\
     Message-ID: <welcome-1@example.org>\r\n\
     \r\n\
     Hello Bob,\r\n\
     \r\n\
     this is the reference server of mailconform.\r\n\
     .a line that starts with a dot (POP3 stuffs it)\r\n\
     \r\n\
     Alice\r\n",
    "From: Bob Example <bob@example.org>\r\n\
     To: Alice Example <alice@example.org>, carol@example.net\r\n\
     Cc: Dave <dave@example.com>\r\n\
     Subject: Report attached\r\n\
     Date: Sat, 2 Mar 2024 09:30:00 +0100\r\n\
     Message-ID: <report-2@example.org>\r\n\
     MIME-Version: 1.0\r\n\
     Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
     \r\n\
     This is a MIME message.\r\n\
     --b1\r\n\
     Content-Type: text/plain; charset=utf-8\r\n\
     \r\n\
     The report is attached.\r\n\
     --b1\r\n\
     Content-Type: application/octet-stream; name=\"report.bin\"\r\n\
     Content-Transfer-Encoding: base64\r\n\
     Content-Disposition: attachment; filename=\"report.bin\"\r\n\
     \r\n\
     AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n\
     --b1--\r\n",
    "From: =?UTF-8?Q?Ren=C3=A9e?= <renee@example.org>\r\n\
     To: alice@example.org\r\n\
     Subject: =?UTF-8?Q?Caf=C3=A9_tomorrow=3F?=\r\n\
     Date: Sun, 3 Mar 2024 18:45:00 -0500\r\n\
     Message-ID: <cafe-3@example.org>\r\n\
     In-Reply-To: <welcome-1@example.org>\r\n\
     \r\n\
     Shall we meet at the cafe?\r\n",
];

/// The mailboxes of a fresh store.
const MAILBOXES: [&str; 3] = ["INBOX", "Sent", "Archive"];

/// What `serve` listens on and serves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Plain IMAP with STARTTLS.
    pub imap: Option<String>,
    /// Plain POP3 with STLS.
    pub pop3: Option<String>,
    /// IMAP over implicit TLS.
    pub imaps: Option<String>,
    /// POP3 over implicit TLS.
    pub pop3s: Option<String>,
    /// A Maildir whose messages fill every user's store instead of the samples.
    pub maildir: Option<PathBuf>,
    /// A file of `user:password` lines.
    pub users: Option<PathBuf>,
    /// A PEM certificate chain (with `key`), instead of a self-signed one.
    pub cert: Option<PathBuf>,
    /// The PEM private key of `cert`.
    pub key: Option<PathBuf>,
}

/// The command line of `mailconform serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Plain IMAP (STARTTLS offered), e.g. 127.0.0.1:1143.
    #[arg(long, value_name = "ADDR")]
    pub imap: Option<String>,
    /// Plain POP3 (STLS offered), e.g. 127.0.0.1:1110.
    #[arg(long, value_name = "ADDR")]
    pub pop3: Option<String>,
    /// IMAP over implicit TLS, e.g. 127.0.0.1:1993.
    #[arg(long, value_name = "ADDR")]
    pub imaps: Option<String>,
    /// POP3 over implicit TLS, e.g. 127.0.0.1:1995.
    #[arg(long, value_name = "ADDR")]
    pub pop3s: Option<String>,
    /// Fill every user's store from this Maildir (read at start; changes stay in memory).
    #[arg(long, value_name = "DIR")]
    pub maildir: Option<PathBuf>,
    /// A file of `user:password` lines (default: alice and bob, password secret).
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// A PEM certificate chain (default: a self-signed one made at start).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Be a hostile server instead that attacks the client's STARTTLS / STLS, and report what
    /// each client did: IMAP on --imap (default 127.0.0.1:1143), or POP3 on --pop3.
    #[arg(long, value_enum, value_name = "CLASS")]
    pub attack: Option<crate::attack::Class>,
    /// With --attack: stop after this many connections.
    #[arg(long, requires = "attack")]
    pub connections: Option<usize>,
}

/// `mailconform serve --attack CLASS`: IMAP on --imap (the default), or POP3 on --pop3.
fn attack_main(args: &Args, class: crate::attack::Class) -> std::process::ExitCode {
    let pop3 = args.pop3.is_some() && args.imap.is_none();
    let addr = if pop3 {
        args.pop3.clone().unwrap_or_default()
    } else {
        args.imap.clone().unwrap_or_else(|| "127.0.0.1:1143".into())
    };
    let report = |o: &crate::attack::Outcome| {
        println!("{}", o.summary);
        for c in &o.commands {
            let how = if c.tls { "TLS  " } else { "plain" };
            println!("  {how} C: {}", c.line);
        }
        println!("json: {}", serde_json::to_string(o).unwrap_or_default());
        let _ = io::stdout().flush();
    };
    let run = tls_config(args.cert.as_deref(), args.key.as_deref()).and_then(|(tls, _)| {
        let listener = TcpListener::bind(&addr)?;
        println!(
            "hostile {} server ({}) on {}",
            if pop3 { "POP3" } else { "IMAP" },
            class.name(),
            listener.local_addr()?
        );
        let _ = io::stdout().flush();
        let protocol = if pop3 {
            mailtrace::format::Protocol::Pop3
        } else {
            mailtrace::format::Protocol::Imap
        };
        crate::attack::serve(listener, protocol, class, tls, args.connections, report)
    });
    match run {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailconform serve --attack: {addr}: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// `mailconform serve`: starts the listeners, prints where and for whom, serves until killed.
pub fn main(args: Args) -> std::process::ExitCode {
    if let Some(class) = args.attack {
        return attack_main(&args, class);
    }
    let mut options = Options {
        imap: args.imap,
        pop3: args.pop3,
        imaps: args.imaps,
        pop3s: args.pop3s,
        maildir: args.maildir,
        users: args.users,
        cert: args.cert,
        key: args.key,
    };
    if options.imap.is_none()
        && options.pop3.is_none()
        && options.imaps.is_none()
        && options.pop3s.is_none()
    {
        options.imap = Some("127.0.0.1:1143".into());
        options.pop3 = Some("127.0.0.1:1110".into());
        options.imaps = Some("127.0.0.1:1993".into());
        options.pop3s = Some("127.0.0.1:1995".into());
    }
    let started = Backend::new(options.users.as_deref(), options.maildir.as_deref())
        .map(Arc::new)
        .and_then(|b| start(&options, b.clone()).map(|r| (b, r)));
    let (backend, running) = match started {
        Ok(x) => x,
        Err(e) => {
            eprintln!("mailconform serve: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    for (name, addr) in [
        ("IMAP (STARTTLS)", running.imap),
        ("POP3 (STLS)", running.pop3),
        ("IMAPS", running.imaps),
        ("POP3S", running.pop3s),
    ] {
        if let Some(a) = addr {
            println!("{name:<16} {a}");
        }
    }
    let source = if options.cert.is_some() {
        "from --cert"
    } else {
        "self-signed, made at start"
    };
    println!("certificate      {source}");
    for (user, password) in backend.user_names() {
        println!("user             {user} / password {password}");
    }
    let _ = io::stdout().flush();
    loop {
        thread::park();
    }
}

/// The accounts and their stores, shared by every connection.
pub struct Backend {
    users: BTreeMap<String, String>,
    stores: BTreeMap<String, Arc<Mutex<Store>>>,
    subscribed: Mutex<BTreeMap<String, BTreeSet<String>>>,
    pop3_locked: Mutex<BTreeSet<String>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The internal date given to sample and Maildir messages (a fixed one: the server has no
/// clock in its results, so that reports are reproducible).
fn sample_date() -> DateTime {
    Date::new(2024, 3, 4)
        .and_then(|d| DateTime::new(d, 12, 0, 0, 0))
        .expect("a valid date")
}

impl Backend {
    /// Accounts from `users` (`alice`/`bob` with password `secret` when `None`), each store
    /// filled from `maildir` or with [`SAMPLES`].
    pub fn new(users: Option<&Path>, maildir: Option<&Path>) -> io::Result<Backend> {
        let users = match users {
            None => ["alice", "bob"]
                .iter()
                .map(|u| ((*u).to_owned(), "secret".to_owned()))
                .collect(),
            Some(path) => parse_users(&std::fs::read_to_string(path)?)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
        };
        let messages = match maildir {
            Some(dir) => read_maildir(dir)?,
            None => SAMPLES
                .iter()
                .map(|m| ("INBOX".to_owned(), m.as_bytes().to_vec(), Flags::new()))
                .collect(),
        };
        let mut stores = BTreeMap::new();
        for user in users.keys() {
            let mut store = Store::default();
            for name in MAILBOXES {
                store.create(name).map_err(io::Error::other)?;
            }
            for (mailbox, raw, flags) in &messages {
                if store.mailbox(mailbox).is_none() {
                    store.create(mailbox).map_err(io::Error::other)?;
                }
                store
                    .append(mailbox, raw.clone(), flags.clone(), sample_date())
                    .map_err(io::Error::other)?;
            }
            stores.insert(user.clone(), Arc::new(Mutex::new(store)));
        }
        Ok(Backend {
            users,
            stores,
            subscribed: Mutex::new(BTreeMap::new()),
            pop3_locked: Mutex::new(BTreeSet::new()),
        })
    }

    /// The account names, sorted.
    pub fn user_names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.users.iter().map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// The store of `user`.
    pub fn store(&self, user: &str) -> Option<Arc<Mutex<Store>>> {
        self.stores.get(user).cloned()
    }

    fn check(&self, user: &[u8], password: &[u8]) -> Option<String> {
        let user = std::str::from_utf8(user).ok()?;
        let known = self.users.get(user)?;
        Secret::new(password.to_vec())
            .ct_eq(known.as_bytes())
            .then(|| user.to_owned())
    }
}

impl Backend {
    /// APOP (RFC 1939 §7): `user` when `digest` is MD5(`timestamp` + the user's password).
    fn apop(
        &self,
        user: &str,
        timestamp: &pop3_codec::Timestamp<'_>,
        digest: &pop3_codec::ApopDigest,
    ) -> Option<String> {
        let password = self.users.get(user)?;
        pop3_codec::ApopDigest::compute(timestamp, password.as_bytes())
            .verify(digest)
            .then(|| user.to_owned())
    }
}

/// A fresh `msg-id` for the POP3 greeting (RFC 1939 §7: "the timestamp MUST be different
/// each time the POP3 server issues a banner greeting"): process id, a counter and the time.
fn apop_timestamp() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("<{}.{n}.{nanos}@mailconform>", std::process::id())
}

impl Authenticator for Backend {
    fn check_password(&self, authcid: &str, password: &Secret) -> bool {
        self.users
            .get(authcid)
            .is_some_and(|p| password.ct_eq(p.as_bytes()))
    }
    fn scram_credentials(&self, hash: ScramHash, user: &str) -> Option<ScramCredentials> {
        let password = self.users.get(user)?;
        ScramCredentials::derive(hash, password, b"mailconform-salt", 4096).ok()
    }
}

/// `user:password` lines; empty lines and `#` comments are skipped.
fn parse_users(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((u, p)) = line.split_once(':') else {
            return Err(format!("line {}: expected user:password", n + 1));
        };
        if u.is_empty() || u.contains(char::is_whitespace) {
            return Err(format!("line {}: bad user name", n + 1));
        }
        out.insert(u.to_owned(), p.to_owned());
    }
    if out.is_empty() {
        return Err("no users".into());
    }
    Ok(out)
}

/// The messages of a Maildir (`cur/` and `new/` of the top directory for INBOX, of each
/// `.Name` sub-directory for mailbox `Name`, dots becoming the delimiter), with the flags of
/// the `:2,` info suffix (D, F, R, S, T).
fn read_maildir(dir: &Path) -> io::Result<Vec<(String, Vec<u8>, Flags)>> {
    let mut folders = vec![("INBOX".to_owned(), dir.to_path_buf())];
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subs.sort();
    for p in subs {
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(rest) = name.strip_prefix('.').filter(|r| !r.is_empty()) {
            folders.push((rest.replace('.', &DELIMITER.to_string()), p.clone()));
        }
    }
    let mut out = Vec::new();
    for (mailbox, path) in folders {
        for sub in ["cur", "new"] {
            let Ok(entries) = std::fs::read_dir(path.join(sub)) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for f in files {
                let mut flags = Flags::new();
                let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if let Some((_, info)) = name.rsplit_once(":2,") {
                    for c in info.chars() {
                        let flag = match c {
                            'D' => SystemFlag::Draft,
                            'F' => SystemFlag::Flagged,
                            'R' => SystemFlag::Answered,
                            'S' => SystemFlag::Seen,
                            'T' => SystemFlag::Deleted,
                            _ => continue,
                        };
                        flags.set(flag, true);
                    }
                }
                out.push((mailbox.clone(), std::fs::read(&f)?, flags));
            }
        }
    }
    Ok(out)
}

/// The TLS server configuration: from `cert`/`key` (PEM) or a self-signed certificate for
/// `localhost` and `127.0.0.1` made at start (rcgen). Returns the certificate (DER) too.
pub fn tls_config(
    cert: Option<&Path>,
    key: Option<&Path>,
) -> io::Result<(Arc<rustls::ServerConfig>, Vec<u8>)> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let (chain, pkey): (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) = match (cert, key) {
        (Some(c), Some(k)) => {
            let chain = CertificateDer::pem_file_iter(c)
                .and_then(|i| i.collect::<Result<Vec<_>, _>>())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            let key = PrivateKeyDer::from_pem_file(k)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            (chain, key)
        }
        (None, None) => {
            let made =
                rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
                    .map_err(io::Error::other)?;
            let key =
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
            (vec![made.cert.der().clone()], key)
        }
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "--cert and --key go together",
            ));
        }
    };
    let first = chain.first().map(|c| c.to_vec()).unwrap_or_default();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, pkey)
        .map_err(io::Error::other)?;
    Ok((Arc::new(config), first))
}

/// The addresses a running server listens on.
#[derive(Debug, Clone, Default)]
pub struct Running {
    /// Plain IMAP (STARTTLS offered).
    pub imap: Option<SocketAddr>,
    /// Plain POP3 (STLS offered).
    pub pop3: Option<SocketAddr>,
    /// IMAP over TLS.
    pub imaps: Option<SocketAddr>,
    /// POP3 over TLS.
    pub pop3s: Option<SocketAddr>,
}

/// Binds the listeners of `options` and serves each on a thread of its own (connections
/// get a thread each). Returns when all are listening.
pub fn start(options: &Options, backend: Arc<Backend>) -> io::Result<Running> {
    let (tls, _) = tls_config(options.cert.as_deref(), options.key.as_deref())?;
    start_with(options, backend, tls)
}

/// [`start`] with a TLS configuration of the caller's (the options' `cert`/`key` are not
/// read).
pub fn start_with(
    options: &Options,
    backend: Arc<Backend>,
    tls: Arc<rustls::ServerConfig>,
) -> io::Result<Running> {
    let mut running = Running::default();
    let bind = |addr: &Option<String>| -> io::Result<Option<TcpListener>> {
        addr.as_ref()
            .map(|a| {
                TcpListener::bind(a)
                    .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {a}: {e}")))
            })
            .transpose()
    };
    let listeners = [
        (bind(&options.imap)?, false, false),
        (bind(&options.imaps)?, false, true),
        (bind(&options.pop3)?, true, false),
        (bind(&options.pop3s)?, true, true),
    ];
    for (listener, pop3, implicit) in listeners {
        let Some(listener) = listener else { continue };
        let addr = listener.local_addr()?;
        match (pop3, implicit) {
            (false, false) => running.imap = Some(addr),
            (false, true) => running.imaps = Some(addr),
            (true, false) => running.pop3 = Some(addr),
            (true, true) => running.pop3s = Some(addr),
        }
        let backend = backend.clone();
        let tls = tls.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let backend = backend.clone();
                let tls = tls.clone();
                thread::spawn(move || {
                    let _ = if pop3 {
                        serve_pop3(stream, implicit, &tls, &backend)
                    } else {
                        serve_imap(stream, implicit, &tls, &backend)
                    };
                });
            }
        });
    }
    Ok(running)
}

/// A connection, plain or TLS (mailproto-client's helper).
use mailproto_client::stream::ServerStream as Conn;

/// How long a TLS handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(30);

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn text(s: &str) -> Text<'static> {
    // Every text given here is ASCII without CR/LF; fall back to a fixed one regardless.
    Text::new(s.to_owned()).unwrap_or_else(|_| Text::new("done").expect("valid text"))
}

fn plain_text(s: &str) -> RespText<'static> {
    RespText::new(None, text(s)).expect("a text without a code is valid")
}

/// RFC 9051 §6.3.9: does mailbox `name` match the LIST pattern `pattern` (`*` matches any
/// run of characters, `%` any run without the hierarchy delimiter)? INBOX is matched case-
/// insensitively (§5.1). Dynamic programming over the pattern: O(len(pattern)·len(name)).
pub fn list_matches(pattern: &[u8], name: &[u8]) -> bool {
    let (pattern, name) = if name.eq_ignore_ascii_case(b"INBOX") {
        (pattern.to_ascii_uppercase(), b"INBOX".to_vec())
    } else {
        (pattern.to_vec(), name.to_vec())
    };
    // ok[j]: the pattern so far matches name[..j].
    let mut ok = vec![false; name.len() + 1];
    ok[0] = true;
    for &p in &pattern {
        let mut next = vec![false; name.len() + 1];
        match p {
            b'*' | b'%' => {
                let mut reach = false;
                for j in 0..=name.len() {
                    if ok[j] {
                        reach = true;
                    }
                    next[j] = reach;
                    if p == b'%' && j < name.len() && name[j] == DELIMITER as u8 {
                        reach = false;
                    }
                }
            }
            c => {
                for j in 0..name.len() {
                    if ok[j] && name[j] == c {
                        next[j + 1] = true;
                    }
                }
            }
        }
        ok = next;
    }
    ok[name.len()]
}

/// The SASL mechanisms of both protocols. The reference server is for tests on loopback:
/// PLAIN is offered without TLS too (RFC 9051 §6.2.2 and RFC 5034 §4 leave it to the
/// server's policy); the -PLUS and EXTERNAL mechanisms need what this server does not have
/// (channel binding data, client certificates).
fn sasl_config() -> mailproto_sasl::ServerConfig {
    mailproto_sasl::ServerConfig {
        allow_plaintext_without_tls: true,
        mechanisms: vec![
            Mechanism::SCRAM_SHA_256,
            Mechanism::SCRAM_SHA_1,
            Mechanism::PLAIN,
        ],
        ..mailproto_sasl::ServerConfig::default()
    }
}

/// What a POP3 session holds after login: the maildrop lock, the user's store, and the UIDs
/// and bytes of the maildrop's messages (numbered from 1 in this order).
type Held = (Pop3Lock, Arc<Mutex<Store>>, Vec<(u32, Vec<u8>)>);

/// The IMAP backend of one connection.
struct ImapConn {
    session: ServerSession,
    backend: Arc<Backend>,
    /// STARTTLS is possible (plain port) and TLS is not yet on.
    starttls: bool,
    tls_on: bool,
    user: Option<String>,
    store: Option<Arc<Mutex<Store>>>,
    view: Option<View>,
    sasl: Option<Box<dyn ServerMechanism>>,
    sasl_config: mailproto_sasl::ServerConfig,
    idling: bool,
    /// CONDSTORE is in force on this connection (RFC 7162 §3.1: after ENABLE CONDSTORE or
    /// a CONDSTORE-enabling command): FETCH responses to flag changes carry MODSEQ.
    condstore: bool,
}

impl ImapConn {
    fn new(backend: Arc<Backend>, implicit: bool) -> Self {
        let sasl_config = sasl_config();
        ImapConn {
            session: ServerSession::new(ServerConfig::default().without_literal_streaming()),
            backend,
            starttls: !implicit,
            tls_on: implicit,
            user: None,
            store: None,
            view: None,
            sasl: None,
            sasl_config,
            idling: false,
            condstore: false,
        }
    }

    fn tls_info(&self) -> Option<TlsInfo> {
        self.tls_on.then(TlsInfo::default)
    }

    /// RFC 9051 §7.2.2: what the server supports in the current state.
    fn capabilities(&self) -> Vec<Capability<'static>> {
        let mut caps = vec![
            Capability::Imap4rev1,
            Capability::LiteralPlus,
            Capability::SaslIr,
            Capability::Idle,
            Capability::UidPlus,
            Capability::Move,
            Capability::Unselect,
            Capability::Namespace,
            Capability::Enable,
            Capability::Esearch,
            Capability::CondStore,
        ];
        if matches!(
            self.session.state(),
            State::Greeting | State::NotAuthenticated
        ) {
            if self.starttls && !self.tls_on {
                caps.push(Capability::StartTls);
            }
            for m in self.sasl_config.advertised(self.tls_info().as_ref()) {
                if let Ok(m) = AuthMechanism::new(m.as_str().to_owned()) {
                    caps.push(Capability::Auth(m));
                }
            }
        }
        caps
    }

    fn greeting(&self) -> Greeting<'static> {
        let caps = CapabilityData::new(self.capabilities()).expect("IMAP4rev1 is listed");
        Greeting::new(
            GreetingKind::Ok,
            RespText::with_code(
                Code::Capability(caps),
                text("mailconform reference server ready"),
            ),
        )
    }

    fn send(&mut self, r: Response<'_>) {
        // The session refuses only what would break the protocol (a bug here); the
        // connection then carries on without that response.
        let _ = self.session.send_response(r);
    }

    fn data(&mut self, d: Data<'_>) {
        self.send(Response::Data(d));
    }

    fn complete(&mut self, tag: Tag<'static>, kind: StatusKind, msg: &str, code: Option<Code<'_>>) {
        let resp = match code {
            Some(c) => RespText::with_code(c, text(msg)),
            None => plain_text(msg),
        };
        if let Ok(s) = Status::tagged(tag, kind, resp) {
            self.send(Response::Status(s));
        }
    }

    fn untagged_ok(&mut self, code: Code<'_>, msg: &str) {
        self.send(Response::Status(Status::untagged(
            StatusKind::Ok,
            RespText::with_code(code, text(msg)),
        )));
    }

    fn store(&self) -> Option<std::sync::MutexGuard<'_, Store>> {
        self.store.as_deref().map(lock)
    }

    /// Sends what other connections changed (RFC 9051 §7.4.1, §7.5.1, §5.2): EXPUNGE only
    /// when `expunge` (not during FETCH, STORE, SEARCH: RFC 9051 §7.5.1).
    fn updates(&mut self, expunge: bool) {
        let (Some(mut view), Some(store)) = (self.view.take(), self.store.clone()) else {
            return;
        };
        let updates = lock(&store).poll(&mut view, expunge).unwrap_or_default();
        self.view = Some(view);
        for u in updates {
            match u {
                Update::Exists(n) => self.data(Data::Exists(n)),
                Update::Expunge(n) => {
                    if let Some(n) = NonZeroU32::new(n) {
                        self.data(Data::Expunge(n));
                    }
                }
                Update::Flags {
                    seq,
                    uid,
                    flags,
                    recent,
                } => {
                    let (Some(seq), Some(uid)) = (NonZeroU32::new(seq), NonZeroU32::new(uid))
                    else {
                        continue;
                    };
                    let mut attrs = vec![
                        MessageAttribute::Flags(flags.to_codec(recent)),
                        MessageAttribute::Uid(uid),
                    ];
                    attrs.extend(self.modseq_of(uid.get()));
                    if let Ok(attrs) = NonEmpty::new(attrs) {
                        self.data(Data::Fetch(FetchData::new(seq, attrs)));
                    }
                }
            }
        }
    }

    /// `MODSEQ (n)` of the selected mailbox's message `uid` when CONDSTORE is in force
    /// (RFC 7162 §3.1.4: "the server MUST include the MODSEQ fetch response data items in
    /// all subsequent unsolicited FETCH responses").
    fn modseq_of(&self, uid: u32) -> Option<MessageAttribute<'static>> {
        if !self.condstore {
            return None;
        }
        let view = self.view.as_ref()?;
        let store = self.store()?;
        let m = store.mailbox(view.mailbox())?.by_uid(uid)?.modseq();
        ModSeq::new(m).ok().map(MessageAttribute::Modseq)
    }

    /// A CONDSTORE enabling command (RFC 7162 §3.1): the first one with a mailbox selected
    /// announces its HIGHESTMODSEQ ("MUST cause the server to return HIGHESTMODSEQ").
    fn enable_condstore(&mut self) {
        if self.condstore {
            return;
        }
        self.condstore = true;
        let name = self.view.as_ref().map(|v| v.mailbox().to_owned());
        if let Some(m) = name.and_then(|n| self.highest_modseq(&n)) {
            self.untagged_ok(Code::HighestModSeq(m), "highest");
        }
    }

    /// HIGHESTMODSEQ of mailbox `name` (RFC 7162 §3.1.2.1).
    fn highest_modseq(&self, name: &str) -> Option<ModSeq> {
        let m = self.store()?.mailbox(name)?.highest_modseq();
        ModSeq::new(m).ok()
    }

    fn logged_in(&mut self, user: String) {
        self.store = self.backend.store(&user);
        self.user = Some(user);
    }

    fn mailbox_name(mailbox: &Mailbox<'_>) -> String {
        String::from_utf8_lossy(mailbox.as_bytes()).into_owned()
    }

    /// A refused store operation as a tagged NO with the response code of RFC 9051 §7.1.
    fn refuse(&mut self, tag: Tag<'static>, e: &StoreError) {
        let code = match e {
            StoreError::NoSuchMailbox => Some(Code::NonExistent),
            StoreError::AlreadyExists => Some(Code::AlreadyExists),
            StoreError::TooBig | StoreError::Limit => Some(Code::Limit),
            StoreError::ReadOnly => Some(Code::Cannot),
            _ => None,
        };
        self.complete(tag, StatusKind::No, &e.to_string(), code);
    }

    #[allow(clippy::too_many_lines)]
    fn command(&mut self, tag: Tag<'static>, body: CommandBody<'static>) {
        use StatusKind::{Bad, No, Ok};
        match body {
            CommandBody::Capability => {
                let caps = CapabilityData::new(self.capabilities()).expect("IMAP4rev1");
                self.data(Data::Capability(caps));
                self.complete(tag, Ok, "CAPABILITY completed", None);
            }
            CommandBody::Noop | CommandBody::Check => {
                self.updates(true);
                self.complete(tag, Ok, "completed", None);
            }
            CommandBody::Logout => {
                self.send(Response::Status(Status::bye(plain_text("logging out"))));
                self.complete(tag, Ok, "LOGOUT completed", None);
            }
            CommandBody::StartTls => {
                if self.starttls && !self.tls_on {
                    self.complete(tag, Ok, "begin TLS negotiation now", None);
                } else {
                    self.complete(tag, Bad, "TLS is not available here", None);
                }
            }
            CommandBody::Login { username, password } => {
                match self.backend.check(username.as_bytes(), password.as_bytes()) {
                    Some(user) => {
                        self.logged_in(user);
                        let caps = CapabilityData::new(self.capabilities()).expect("IMAP4rev1");
                        self.complete(tag, Ok, "LOGIN completed", Some(Code::Capability(caps)));
                    }
                    None => self.complete(
                        tag,
                        No,
                        "wrong user name or password",
                        Some(Code::AuthenticationFailed),
                    ),
                }
            }
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            } => {
                let tls = self.tls_info();
                let started = Mechanism::new(mechanism.as_str())
                    .and_then(|m| self.sasl_config.start(&m, tls.as_ref(), &mut OsNonce));
                match started {
                    Err(_) => self.complete(tag, No, "mechanism not offered", None),
                    Result::Ok(mut m) => {
                        let step = m.start(initial_response.as_deref(), &*self.backend);
                        self.sasl = Some(m);
                        self.sasl_step(tag, step);
                    }
                }
            }
            CommandBody::Enable { ref capabilities } => {
                // CONDSTORE is the one ENABLE-able extension offered (RFC 5161 §3.2: the
                // others are left out of the ENABLED response).
                let enabled: Vec<Capability<'static>> = capabilities
                    .iter()
                    .filter(|c| **c == Capability::CondStore)
                    .take(1)
                    .map(|_| Capability::CondStore)
                    .collect();
                if !enabled.is_empty() {
                    self.enable_condstore();
                }
                self.data(Data::Enabled(enabled));
                self.complete(tag, Ok, "ENABLE completed", None);
            }
            CommandBody::Namespace => {
                // RFC 2342 §5, RFC 9051 §6.3.10: one personal namespace, "" with "/".
                let personal = imap_codec::ext::namespace::NamespaceDescr {
                    prefix: imap_codec::core::IString::Quoted(
                        imap_codec::core::Quoted::new(String::new()).expect("empty quoted"),
                    ),
                    delimiter: Delimiter::new(DELIMITER).ok(),
                    extensions: Vec::new(),
                };
                self.data(Data::Namespace(imap_codec::ext::namespace::NamespaceData {
                    personal: vec![personal],
                    other: Vec::new(),
                    shared: Vec::new(),
                }));
                self.complete(tag, Ok, "NAMESPACE completed", None);
            }
            CommandBody::Select {
                ref mailbox,
                ref params,
            }
            | CommandBody::Examine {
                ref mailbox,
                ref params,
            } => {
                let read_only = matches!(body, CommandBody::Examine { .. });
                // RFC 7162 §3.1.8: SELECT (CONDSTORE) enables CONDSTORE.
                if params
                    .iter()
                    .any(|p| matches!(p, imap_codec::ext::slots::SelectParam::CondStore))
                {
                    self.condstore = true;
                }
                self.view = None;
                let name = Self::mailbox_name(mailbox);
                let selected = self.store().map(|mut s| {
                    s.select(&name, read_only).map(|v| {
                        let m = s.mailbox(&name).map(|m| {
                            // The first unseen message's sequence number (RFC 3501 §7.1).
                            let unseen = m
                                .messages()
                                .iter()
                                .position(|x| !x.flags.has(SystemFlag::Seen))
                                .and_then(|i| NonZeroU32::new(i as u32 + 1));
                            (m.uid_validity(), m.uid_next(), unseen)
                        });
                        (v, m)
                    })
                });
                match selected {
                    None => self.complete(tag, Bad, "not authenticated", None),
                    Some(Err(e)) => self.refuse(tag, &e),
                    Some(Result::Ok((view, info))) => {
                        let (exists, recent) = (view.exists(), view.recent_count());
                        self.view = Some(view);
                        let all = vec![
                            Flag::Answered,
                            Flag::Flagged,
                            Flag::Deleted,
                            Flag::Seen,
                            Flag::Draft,
                        ];
                        self.data(Data::Flags(all));
                        self.data(Data::Exists(exists));
                        self.data(Data::Recent(recent));
                        // RFC 3501 §6.3.1: FLAGS, EXISTS, RECENT and OK [UNSEEN],
                        // [PERMANENTFLAGS], [UIDNEXT], [UIDVALIDITY].
                        let permanent = if read_only {
                            Vec::new()
                        } else {
                            let mut p: Vec<FlagPerm<'_>> = [
                                Flag::Answered,
                                Flag::Flagged,
                                Flag::Deleted,
                                Flag::Seen,
                                Flag::Draft,
                            ]
                            .into_iter()
                            .map(FlagPerm::Flag)
                            .collect();
                            p.push(FlagPerm::Any);
                            p
                        };
                        self.untagged_ok(Code::PermanentFlags(permanent), "flags");
                        if let Some((validity, next, unseen)) = info {
                            if let Some(first) = unseen {
                                self.untagged_ok(Code::Unseen(first), "first unseen");
                            }
                            self.untagged_ok(Code::UidValidity(validity), "UIDs valid");
                            if let Some(next) = NonZeroU32::new(next) {
                                self.untagged_ok(Code::UidNext(next), "predicted next UID");
                            }
                        }
                        // RFC 7162 §3.1.2.1: HIGHESTMODSEQ in every SELECT / EXAMINE answer
                        // of a server that offers CONDSTORE.
                        if let Some(m) = self.highest_modseq(&name) {
                            self.untagged_ok(Code::HighestModSeq(m), "highest");
                        }
                        let code = if read_only {
                            Code::ReadOnly
                        } else {
                            Code::ReadWrite
                        };
                        self.complete(tag, Ok, "selected", Some(code));
                    }
                }
            }
            CommandBody::Create { mailbox, .. } => {
                let name = Self::mailbox_name(&mailbox);
                let name = name.trim_end_matches(DELIMITER).to_owned();
                // RFC 9051 §6.3.4: superior hierarchical names are created as needed.
                let made = self.store().map(|mut s| {
                    for (i, _) in name.match_indices(DELIMITER) {
                        if s.mailbox(&name[..i]).is_none() {
                            s.create(&name[..i])?;
                        }
                    }
                    s.create(&name)
                });
                match made {
                    Some(Result::Ok(_)) => self.complete(tag, Ok, "CREATE completed", None),
                    Some(Err(e)) => self.refuse(tag, &e),
                    None => self.complete(tag, Bad, "not authenticated", None),
                }
            }
            CommandBody::Delete { mailbox } => {
                let name = Self::mailbox_name(&mailbox);
                if name.eq_ignore_ascii_case("INBOX") {
                    self.complete(tag, No, "INBOX cannot be deleted", Some(Code::Cannot));
                    return;
                }
                let gone = self.store().map(|mut s| s.delete(&name));
                match gone {
                    Some(Result::Ok(())) => self.complete(tag, Ok, "DELETE completed", None),
                    Some(Err(e)) => self.refuse(tag, &e),
                    None => self.complete(tag, Bad, "not authenticated", None),
                }
            }
            CommandBody::Rename { from, to } => {
                let (from, to) = (Self::mailbox_name(&from), Self::mailbox_name(&to));
                let to = to.trim_end_matches(DELIMITER).to_owned();
                let renamed = self.store().map(|mut s| s.rename(&from, &to, DELIMITER));
                match renamed {
                    Some(Result::Ok(())) => self.complete(tag, Ok, "RENAME completed", None),
                    Some(Err(e)) => self.refuse(tag, &e),
                    None => self.complete(tag, Bad, "not authenticated", None),
                }
            }
            CommandBody::Subscribe { ref mailbox } | CommandBody::Unsubscribe { ref mailbox } => {
                let on = matches!(body, CommandBody::Subscribe { .. });
                let name = Self::mailbox_name(mailbox);
                let user = self.user.clone().unwrap_or_default();
                let mut subs = lock(&self.backend.subscribed);
                let set = subs.entry(user).or_default();
                if on {
                    set.insert(name);
                } else {
                    set.remove(&name);
                }
                drop(subs);
                self.complete(tag, Ok, "completed", None);
            }
            CommandBody::List {
                reference,
                patterns,
                ..
            } => {
                let reference = Self::mailbox_name(&reference);
                let patterns: Vec<Vec<u8>> = match patterns {
                    imap_codec::command::MboxOrPat::Single(p) => vec![p.as_bytes().to_vec()],
                    imap_codec::command::MboxOrPat::Patterns(ps) => {
                        ps.iter().map(|p| p.as_bytes().to_vec()).collect()
                    }
                };
                self.list(tag, &reference, &patterns, false);
            }
            CommandBody::Lsub { reference, pattern } => {
                let reference = Self::mailbox_name(&reference);
                self.list(tag, &reference, &[pattern.as_bytes().to_vec()], true);
            }
            CommandBody::Status { mailbox, items } => {
                let name = Self::mailbox_name(&mailbox);
                let values = self.store().map(|mut s| status(&mut s, &name, &items));
                match values {
                    Some(Some(attributes)) => {
                        self.data(Data::Status(StatusData {
                            mailbox,
                            attributes,
                        }));
                        self.complete(tag, Ok, "STATUS completed", None);
                    }
                    Some(None) => self.refuse(tag, &StoreError::NoSuchMailbox),
                    None => self.complete(tag, Bad, "not authenticated", None),
                }
            }
            CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
                more,
            } => {
                // The reference server offers neither MULTIAPPEND (RFC 3502) nor CATENATE
                // (RFC 4469): one message, a literal.
                let Some(data) = message.data().filter(|_| more.is_empty()) else {
                    self.complete(tag, Bad, "MULTIAPPEND and CATENATE are not offered", None);
                    return;
                };
                let name = Self::mailbox_name(&mailbox);
                let Result::Ok(flags) = Flags::from_codec(flags.as_deref().unwrap_or(&[])) else {
                    self.complete(tag, Bad, "flags not allowed in APPEND", None);
                    return;
                };
                let appended = self.store().map(|mut s| {
                    s.append(
                        &name,
                        data.to_vec(),
                        flags,
                        date.unwrap_or_else(sample_date),
                    )
                });
                match appended {
                    Some(Result::Ok((uid_validity, uid))) => {
                        // A selected view sees the new message at the next update.
                        self.updates(false);
                        self.complete(
                            tag,
                            Ok,
                            "APPEND completed",
                            Some(Code::AppendUid(AppendUid::new(uid_validity, uid))),
                        );
                    }
                    Some(Err(StoreError::NoSuchMailbox)) => {
                        self.complete(tag, No, "no such mailbox", Some(Code::TryCreate));
                    }
                    Some(Err(e)) => self.refuse(tag, &e),
                    None => self.complete(tag, Bad, "not authenticated", None),
                }
            }
            CommandBody::Idle => {
                self.idling = true;
                if let Result::Ok(c) = ContinuationRequest::new(None, text("idling")) {
                    self.send(Response::Continuation(c));
                }
                self.updates(true);
            }
            CommandBody::Close | CommandBody::Unselect => {
                let close = matches!(body, CommandBody::Close);
                if let (Some(mut view), Some(store)) = (self.view.take(), self.store.clone()) {
                    // CLOSE expunges silently (RFC 9051 §6.4.1); not in a read-only view.
                    if close {
                        let _ = lock(&store).expunge(&mut view, None);
                    }
                }
                self.complete(tag, Ok, "completed", None);
            }
            CommandBody::Expunge | CommandBody::UidExpunge { .. } => {
                let (Some(mut view), Some(store)) = (self.view.take(), self.store.clone()) else {
                    self.complete(tag, Bad, "no mailbox selected", None);
                    return;
                };
                let only: Option<Vec<u32>> = match &body {
                    CommandBody::UidExpunge { sequence_set } => Some(
                        view.resolve(sequence_set, true, &[])
                            .into_iter()
                            .map(|(_, u)| u)
                            .collect(),
                    ),
                    _ => None,
                };
                let gone = lock(&store).expunge(&mut view, only.as_deref());
                self.view = Some(view);
                match gone {
                    Result::Ok(numbers) => {
                        for n in numbers.into_iter().filter_map(NonZeroU32::new) {
                            self.data(Data::Expunge(n));
                        }
                        self.complete(tag, Ok, "EXPUNGE completed", None);
                    }
                    Err(e) => self.refuse(tag, &e),
                }
            }
            // SEARCH (RFC 9051 §6.4.4); with RETURN (...) the answer is ESEARCH (RFC 4731
            // §3.1, RFC 9051 §7.3.4); with a MODSEQ key it carries the highest
            // mod-sequence found (RFC 7162 §3.1.5).
            CommandBody::Search {
                uid,
                charset,
                criteria,
                return_opts,
            } => {
                let (Some(view), Some(store)) = (self.view.clone(), self.store.clone()) else {
                    self.complete(tag, Bad, "no mailbox selected", None);
                    return;
                };
                let keys: &[SearchKey<'_>] = &criteria.to_vec();
                let program = match compile(charset.as_ref(), keys) {
                    Result::Ok(p) => p,
                    Err(e) => {
                        self.complete(tag, No, &format!("cannot search: {e}"), None);
                        return;
                    }
                };
                if program.uses_modseq() {
                    self.enable_condstore();
                }
                let found = lock(&store).search(&view, &program, uid, None);
                match found {
                    Result::Ok(r) => {
                        let n: Vec<NonZeroU32> = r
                            .numbers()
                            .iter()
                            .filter_map(|&n| NonZeroU32::new(n))
                            .collect();
                        let modseq = r.modseq().and_then(|m| ModSeq::new(m).ok());
                        match return_opts {
                            Some(opts) => {
                                let correlator =
                                    imap_codec::AString::new(tag.as_str().to_owned()).ok();
                                self.data(Data::Esearch(EsearchData {
                                    correlator,
                                    uid,
                                    data: r.return_data(&opts),
                                }));
                            }
                            None => {
                                let data = match modseq {
                                    Some(m) if !n.is_empty() => SearchData::with_modseq(n, m)
                                        .unwrap_or_else(|_| SearchData::new(Vec::new())),
                                    _ => SearchData::new(n),
                                };
                                self.data(Data::Search(data));
                            }
                        }
                        self.complete(tag, Ok, "SEARCH completed", None);
                    }
                    Err(e) => self.refuse(tag, &e),
                }
            }
            CommandBody::Fetch {
                uid,
                sequence_set,
                items,
                modifiers,
            } => {
                let (Some(view), Some(store)) = (self.view.clone(), self.store.clone()) else {
                    self.complete(tag, Bad, "no mailbox selected", None);
                    return;
                };
                let mut targets = view.resolve(&sequence_set, uid, &[]);
                let mut atts: Vec<FetchAtt<'_>> = items.expand();
                if uid && !atts.contains(&FetchAtt::Uid) {
                    atts.push(FetchAtt::Uid);
                }
                // RFC 7162 §3.1.4.1: CHANGEDSINCE keeps the messages changed after the
                // value and implies the MODSEQ item; FETCH MODSEQ enables CONDSTORE.
                for m in &modifiers {
                    if let FetchModifier::ChangedSince(since) = m {
                        targets = lock(&store).changed_since(&view, &targets, since.get());
                        if !atts.contains(&FetchAtt::Modseq) {
                            atts.push(FetchAtt::Modseq);
                        }
                    }
                }
                if atts.contains(&FetchAtt::Modseq) {
                    self.enable_condstore();
                } else if self.condstore
                    && atts.iter().any(|a| {
                        matches!(a, FetchAtt::Flags)
                            || matches!(a, FetchAtt::BodySection { peek: false, .. })
                    })
                {
                    atts.push(FetchAtt::Modseq);
                }
                let fetched = lock(&store).fetch(&view, &targets, &atts);
                match fetched {
                    Result::Ok(list) => {
                        for (seq, attributes) in list {
                            let (Some(seq), Result::Ok(attrs)) =
                                (NonZeroU32::new(seq), NonEmpty::new(attributes))
                            else {
                                continue;
                            };
                            self.data(Data::Fetch(FetchData::new(seq, attrs)));
                        }
                        self.updates(false);
                        self.complete(tag, Ok, "FETCH completed", None);
                    }
                    Err(e) => self.refuse(tag, &e),
                }
            }
            CommandBody::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags,
                modifiers,
            } => {
                let (Some(view), Some(store)) = (self.view.clone(), self.store.clone()) else {
                    self.complete(tag, Bad, "no mailbox selected", None);
                    return;
                };
                let targets = view.resolve(&sequence_set, uid, &[]);
                let Result::Ok(flags) = Flags::from_codec(&flags.flags().collect::<Vec<_>>())
                else {
                    self.complete(tag, Bad, "\\Recent cannot be stored", None);
                    return;
                };
                // RFC 7162 §3.1.3: UNCHANGEDSINCE (which enables CONDSTORE).
                let unchanged_since = modifiers.iter().find_map(|m| match m {
                    StoreModifier::UnchangedSince(n) => Some(n.get()),
                    _ => None,
                });
                if unchanged_since.is_some() {
                    self.enable_condstore();
                }
                let stored = lock(&store).store_unchanged_since(
                    &view,
                    &targets,
                    action,
                    &flags,
                    unchanged_since,
                );
                match stored {
                    Result::Ok((list, modified)) => {
                        for (seq, u, f) in list {
                            // RFC 7162 §3.1.3: with CONDSTORE in force the new MODSEQ is
                            // sent even for .SILENT.
                            let modseq = self.modseq_of(u);
                            if silent && modseq.is_none() {
                                continue;
                            }
                            let mut attrs = Vec::new();
                            if !silent {
                                // The flags as FETCH FLAGS shows them: \Recent included
                                // (RFC 3501 §6.4.6, §2.3.2).
                                let recent = view.is_recent(u);
                                attrs.push(MessageAttribute::Flags(f.to_codec(recent)));
                            }
                            if let (true, Some(u)) = (uid, NonZeroU32::new(u)) {
                                attrs.push(MessageAttribute::Uid(u));
                            }
                            attrs.extend(modseq);
                            let (Some(seq), Result::Ok(attrs)) =
                                (NonZeroU32::new(seq), NonEmpty::new(attrs))
                            else {
                                continue;
                            };
                            self.data(Data::Fetch(FetchData::new(seq, attrs)));
                        }
                        // This connection's own flag changes are answered above; the view
                        // takes them in without repeating them.
                        self.updates(false);
                        // RFC 7162 §3.1.3: the messages that failed UNCHANGEDSINCE.
                        let failed: Vec<SeqItem> = modified
                            .iter()
                            .filter_map(|&(s, u)| SeqItem::single(if uid { u } else { s }))
                            .collect();
                        let code = SequenceSet::new(failed).ok().map(Code::Modified);
                        self.complete(tag, Ok, "STORE completed", code);
                    }
                    Err(e) => self.refuse(tag, &e),
                }
            }
            CommandBody::Copy {
                uid,
                ref sequence_set,
                ref mailbox,
            }
            | CommandBody::Move {
                uid,
                ref sequence_set,
                ref mailbox,
            } => {
                let moving = matches!(body, CommandBody::Move { .. });
                let (Some(mut view), Some(store)) = (self.view.take(), self.store.clone()) else {
                    self.complete(tag, Bad, "no mailbox selected", None);
                    return;
                };
                let dest = Self::mailbox_name(mailbox);
                let targets = view.resolve(sequence_set, uid, &[]);
                let done = if moving {
                    lock(&store).move_messages(&mut view, &targets, &dest)
                } else {
                    lock(&store)
                        .copy(&view, &targets, &dest)
                        .map(|c| (c, Vec::new()))
                };
                self.view = Some(view);
                match done {
                    Result::Ok((copied, expunged)) => {
                        let code = copied.uid_sets().map(|(source, destination)| {
                            Code::CopyUid(CodecCopyUid {
                                uid_validity: copied.uid_validity,
                                source,
                                destination,
                            })
                        });
                        if moving {
                            // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs.
                            if let Some(code) = code {
                                self.untagged_ok(code, "moved");
                            }
                            for n in expunged.into_iter().filter_map(NonZeroU32::new) {
                                self.data(Data::Expunge(n));
                            }
                            self.complete(tag, Ok, "MOVE completed", None);
                        } else {
                            self.complete(tag, Ok, "COPY completed", code);
                        }
                    }
                    Err(StoreError::NoSuchMailbox) => {
                        self.complete(tag, No, "no such mailbox", Some(Code::TryCreate));
                    }
                    Err(e) => self.refuse(tag, &e),
                }
            }
            _ => self.complete(tag, Bad, "command not supported here", None),
        }
    }

    /// LIST / LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9).
    fn list(&mut self, tag: Tag<'static>, reference: &str, patterns: &[Vec<u8>], lsub: bool) {
        let Some(store) = self.store.clone() else {
            self.complete(tag, StatusKind::Bad, "not authenticated", None);
            return;
        };
        let names: Vec<String> = lock(&store).names().map(str::to_owned).collect();
        let subscribed = lock(&self.backend.subscribed)
            .get(self.user.as_deref().unwrap_or(""))
            .cloned()
            .unwrap_or_default();
        for pattern in patterns {
            if pattern.is_empty() && !lsub {
                // The hierarchy delimiter and root (RFC 9051 §6.3.9).
                let root = Mailbox::new(reference.to_owned()).ok();
                if let (Some(root), Result::Ok(attrs)) = (
                    root.or_else(|| Mailbox::new(String::new()).ok()),
                    ListAttributes::new(vec![MailboxAttribute::NoSelect]),
                ) {
                    self.data(Data::List(ListData {
                        list: MailboxList {
                            attributes: attrs,
                            delimiter: Delimiter::new(DELIMITER).ok(),
                            mailbox: root,
                        },
                        extended: None,
                    }));
                }
                continue;
            }
            let mut full = reference.as_bytes().to_vec();
            full.extend_from_slice(pattern);
            for name in &names {
                if !list_matches(&full, name.as_bytes()) || (lsub && !subscribed.contains(name)) {
                    continue;
                }
                let children = names
                    .iter()
                    .any(|n| n.len() > name.len() + 1 && n.starts_with(&format!("{name}/")));
                let mut attributes = vec![if children {
                    MailboxAttribute::HasChildren
                } else {
                    MailboxAttribute::HasNoChildren
                }];
                match name.as_str() {
                    "Sent" => attributes.push(MailboxAttribute::Sent),
                    "Archive" => attributes.push(MailboxAttribute::Archive),
                    _ => {}
                }
                let (Result::Ok(attrs), Result::Ok(mailbox)) =
                    (ListAttributes::new(attributes), Mailbox::new(name.clone()))
                else {
                    continue;
                };
                let list = MailboxList {
                    attributes: attrs,
                    delimiter: Delimiter::new(DELIMITER).ok(),
                    mailbox,
                };
                if lsub {
                    self.data(Data::Lsub(list));
                } else {
                    self.data(Data::List(ListData {
                        list,
                        extended: None,
                    }));
                }
            }
        }
        let done = if lsub {
            "LSUB completed"
        } else {
            "LIST completed"
        };
        self.complete(tag, StatusKind::Ok, done, None);
    }

    fn sasl_step(&mut self, tag: Tag<'static>, step: ServerStep) {
        match step {
            ServerStep::Challenge(c) => {
                let _ = self.session.challenge(&c);
            }
            ServerStep::Success(who) => {
                self.sasl = None;
                self.logged_in(who.identity().to_owned());
                self.complete(tag, StatusKind::Ok, "AUTHENTICATE completed", None);
            }
            _ => {
                self.sasl = None;
                self.complete(
                    tag,
                    StatusKind::No,
                    "authentication failed",
                    Some(Code::AuthenticationFailed),
                );
            }
        }
    }

    fn event(&mut self, e: ServerEvent) {
        match e {
            ServerEvent::Command(c) => self.command(c.tag, c.body),
            ServerEvent::AuthenticateData { tag, data } => match (data, self.sasl.as_mut()) {
                (AuthenticateData::Response(bytes), Some(m)) => {
                    let step = m.step(&bytes, &*self.backend);
                    self.sasl_step(tag, step);
                }
                _ => {
                    self.sasl = None;
                    self.complete(tag, StatusKind::Bad, "AUTHENTICATE cancelled", None);
                }
            },
            ServerEvent::IdleDone { tag } => {
                self.idling = false;
                self.complete(tag, StatusKind::Ok, "IDLE terminated", None);
            }
            _ => {}
        }
    }
}

/// STATUS values (RFC 9051 §6.3.11) of mailbox `name`.
fn status(
    store: &mut Store,
    name: &str,
    items: &[imap_codec::command::StatusAttribute],
) -> Option<Vec<StatusAttributeValue<'static>>> {
    use imap_codec::command::StatusAttribute as A;
    let m = store.mailbox(name)?;
    let msgs = m.messages();
    let count = |f: &dyn Fn(&Flags) -> bool| msgs.iter().filter(|x| f(&x.flags)).count() as u32;
    let mut out = Vec::new();
    for item in items {
        out.push(match item {
            A::Messages => StatusAttributeValue::Messages(msgs.len() as u32),
            A::UidNext => StatusAttributeValue::UidNext(m.uid_next()),
            A::UidValidity => StatusAttributeValue::UidValidity(m.uid_validity().get()),
            A::Unseen => StatusAttributeValue::Unseen(count(&|f| !f.has(SystemFlag::Seen))),
            A::Deleted => StatusAttributeValue::Deleted(count(&|f| f.has(SystemFlag::Deleted))),
            A::Recent => StatusAttributeValue::Recent(m.recent_count()),
            A::HighestModSeq => {
                StatusAttributeValue::HighestModSeq(Number64::new(m.highest_modseq()).ok()?)
            }
            A::Size => {
                let total: u64 = msgs.iter().map(|x| x.message.raw().len() as u64).sum();
                StatusAttributeValue::Size(imap_codec::ext::Number64::new(total).ok()?)
            }
            _ => continue,
        });
    }
    Some(out)
}

fn serve_imap(
    stream: TcpStream,
    implicit: bool,
    tls: &Arc<rustls::ServerConfig>,
    backend: &Arc<Backend>,
) -> io::Result<()> {
    stream.set_read_timeout(Some(POLL))?;
    let mut conn = Conn::Plain(stream);
    let mut c = ImapConn::new(backend.clone(), implicit);
    if implicit {
        conn = conn.upgrade(tls, HANDSHAKE)?;
    }
    let greeting = c.greeting();
    c.session
        .send_greeting(greeting)
        .map_err(io::Error::other)?;
    let mut buf = vec![0; 16 * 1024];
    loop {
        let mut events = Vec::new();
        while let Some(out) = c.session.poll_output() {
            match out {
                ServerOutput::Transmit(b) => conn.write_all(b)?,
                ServerOutput::Event(e) => events.push(e),
                // Streaming is off in this server's session configuration.
                ServerOutput::LiteralChunk { .. } => {}
            }
        }
        conn.flush()?;
        if !events.is_empty() {
            for e in events {
                if let ServerEvent::TlsRequired = e {
                    conn = std::mem::take(&mut conn).upgrade(tls, HANDSHAKE)?;
                    c.tls_on = true;
                    c.session
                        .handle_tls_established()
                        .map_err(io::Error::other)?;
                } else {
                    c.event(e);
                }
            }
            continue;
        }
        if c.session.is_closed() {
            conn.shutdown();
            return Ok(());
        }
        match conn.read(&mut buf) {
            Ok(0) => c.session.handle_eof(),
            Ok(n) => c
                .session
                .handle_input(&buf[..n])
                .map_err(io::Error::other)?,
            Err(e) if timed_out(&e) => {
                if c.idling {
                    c.updates(true);
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// The POP3 maildrop lock of one user (RFC 1939 §8), released on drop.
struct Pop3Lock {
    backend: Arc<Backend>,
    user: String,
}

impl Drop for Pop3Lock {
    fn drop(&mut self) {
        lock(&self.backend.pop3_locked).remove(&self.user);
    }
}

fn serve_pop3(
    stream: TcpStream,
    implicit: bool,
    tls: &Arc<rustls::ServerConfig>,
    backend: &Arc<Backend>,
) -> io::Result<()> {
    use pop3_codec::{Capability as Cap, Greeting as PopGreeting, Mechanism as PopMech};
    use pop3_session::{
        Credentials as PopCreds, Maildrop, MessageInfo, Refusal, ServerConfig as PopConfig,
        ServerEvent as Ev, ServerOutput as Out, ServerSession as PopSession,
    };
    stream.set_read_timeout(Some(Duration::from_secs(600)))?;
    let mut conn = Conn::Plain(stream);
    if implicit {
        conn = conn.upgrade(tls, HANDSHAKE)?;
    }
    let sasl = sasl_config();
    let mut tls_info = conn.is_tls().then(TlsInfo::default);
    let mut caps = vec![
        Cap::User,
        Cap::Top,
        Cap::Uidl,
        Cap::Pipelining,
        Cap::RespCodes,
    ];
    let mechs: Vec<PopMech<'static>> = sasl
        .advertised(tls_info.as_ref())
        .iter()
        .filter_map(|m| PopMech::new(m.as_str().to_owned()).ok())
        .collect();
    if !mechs.is_empty() {
        caps.push(Cap::Sasl(mechs));
    }
    if !implicit {
        caps.push(Cap::Stls);
    }
    // RFC 1939 §7: the greeting's timestamp offers APOP; it is unique per connection.
    let banner = format!(
        "+OK mailconform reference server ready {}\r\n",
        apop_timestamp()
    );
    let greeting = PopGreeting::parse(banner.as_bytes())
        .map(pop3_codec::IntoStatic::into_static)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let config = PopConfig::new(greeting)
        .with_capabilities(caps)
        .with_tls_active(conn.is_tls());
    let mut session = PopSession::new(config);
    let mut mech: Option<Box<dyn ServerMechanism>> = None;
    // After login: the user's store, the UIDs of the maildrop's messages and their bytes.
    let mut held: Option<Held> = None;
    let mut buf = vec![0; 16 * 1024];
    let login = |user: &str, held: &mut Option<_>| -> Result<Maildrop, Refusal> {
        let store = backend.store(user).ok_or_else(Refusal::auth)?;
        {
            let mut locked = lock(&backend.pop3_locked);
            if !locked.insert(user.to_owned()) {
                return Err(Refusal::in_use());
            }
        }
        let guard = Pop3Lock {
            backend: backend.clone(),
            user: user.to_owned(),
        };
        let s = lock(&store);
        let inbox = s.mailbox("INBOX").ok_or_else(Refusal::sys_temp)?;
        let validity = inbox.uid_validity().get();
        let messages: Vec<(u32, Vec<u8>)> = inbox
            .messages()
            .iter()
            .filter(|m| !m.flags.has(SystemFlag::Deleted))
            .map(|m| (m.uid.get(), m.message.raw().to_vec()))
            .collect();
        let info = messages
            .iter()
            .map(|(uid, raw)| MessageInfo {
                size: raw.len() as u64,
                uid: pop3_codec::UniqueId::new(format!("{validity}.{uid}")).ok(),
            })
            .collect();
        drop(s);
        *held = Some((guard, store, messages));
        Ok(Maildrop::new(info))
    };
    loop {
        let mut events = Vec::new();
        while let Some(out) = session.poll_output() {
            match out {
                Out::Transmit(b) => conn.write_all(b)?,
                Out::Event(e) => events.push(e),
            }
        }
        conn.flush()?;
        let had_events = !events.is_empty();
        for e in events {
            let step = match e {
                Ev::Authenticate(creds) => {
                    // USER/PASS (RFC 1939 §7) or APOP (RFC 1939 §7, the greeting's timestamp).
                    let who = match &creds {
                        PopCreds::UserPass { name, password } => {
                            backend.check(name.as_str().as_bytes(), password.as_str().as_bytes())
                        }
                        PopCreds::Apop {
                            name,
                            digest,
                            timestamp,
                        } => backend.apop(name.as_str(), timestamp, digest),
                        _ => None,
                    };
                    let outcome = who
                        .ok_or_else(Refusal::auth)
                        .and_then(|u| login(&u, &mut held));
                    let _ = match outcome {
                        Ok(drop) => session.accept_login(drop),
                        Err(r) => session.reject_login(r),
                    };
                    None
                }
                Ev::SaslStart {
                    mechanism,
                    initial_response,
                } => {
                    match Mechanism::new(mechanism.as_str())
                        .and_then(|m| sasl.start(&m, tls_info.as_ref(), &mut OsNonce))
                    {
                        Ok(mut m) => {
                            let step = m.start(initial_response.as_deref(), &**backend);
                            mech = Some(m);
                            Some(step)
                        }
                        Err(_) => {
                            let _ = session.reject_login(Refusal::auth());
                            None
                        }
                    }
                }
                Ev::SaslResponse(data) => mech.as_mut().map(|m| m.step(&data, &**backend)),
                Ev::SaslCancelled => {
                    mech = None;
                    None
                }
                Ev::StartTls => {
                    conn = std::mem::take(&mut conn).upgrade(tls, HANDSHAKE)?;
                    tls_info = Some(TlsInfo::default());
                    session.handle_tls_established().map_err(io::Error::other)?;
                    None
                }
                Ev::Retrieve { msg, .. } => {
                    let body = held
                        .as_ref()
                        .and_then(|(_, _, m)| m.get(msg.get() as usize - 1))
                        .map(|(_, raw)| raw.clone());
                    let _ = match body {
                        Some(raw) => session.send_body(&raw).and_then(|()| session.end_body()),
                        None => session.refuse_retrieve(Refusal::new("no such message")),
                    };
                    None
                }
                Ev::Update { deleted } => {
                    let outcome = match &held {
                        Some((_, store, messages)) => {
                            let uids: Vec<u32> = deleted
                                .iter()
                                .filter_map(|n| messages.get(n.get() as usize - 1))
                                .map(|(u, _)| *u)
                                .collect();
                            pop3_expunge(store, &uids)
                        }
                        None => Ok(()),
                    };
                    let _ = session.commit_update(outcome.map_err(|_| Refusal::sys_temp()));
                    None
                }
                Ev::Closed(_) => {
                    while let Some(out) = session.poll_output() {
                        if let Out::Transmit(b) = out {
                            conn.write_all(b)?;
                        }
                    }
                    conn.flush()?;
                    conn.shutdown();
                    return Ok(());
                }
                _ => None,
            };
            let _ = match step {
                Some(ServerStep::Challenge(c)) => session.sasl_challenge(&c),
                Some(ServerStep::Success(who)) => {
                    mech = None;
                    match login(who.identity(), &mut held) {
                        Ok(drop) => session.accept_login(drop),
                        Err(r) => session.reject_login(r),
                    }
                }
                Some(_) => {
                    mech = None;
                    session.reject_login(Refusal::auth())
                }
                None => Ok(()),
            };
        }
        if had_events {
            continue;
        }
        match conn.read(&mut buf) {
            Ok(0) => session.handle_eof(),
            Ok(n) => session.handle_input(&buf[..n]).map_err(io::Error::other)?,
            Err(e) => return Err(e),
        }
    }
}

/// The POP3 UPDATE state (RFC 1939 §6): removes the messages with these UIDs from INBOX.
fn pop3_expunge(store: &Mutex<Store>, uids: &[u32]) -> Result<(), StoreError> {
    if uids.is_empty() {
        return Ok(());
    }
    let mut s = lock(store);
    // A view of our own (EXAMINE-like recency is irrelevant here: it is dropped at once).
    let mut view = s.select("INBOX", false)?;
    let targets: Vec<(u32, u32)> = uids
        .iter()
        .filter_map(|&u| view.seq(u).map(|n| (n, u)))
        .collect();
    let mut deleted = Flags::new();
    deleted.set(SystemFlag::Deleted, true);
    s.store(&view, &targets, StoreAction::Add, &deleted)?;
    s.expunge(&mut view, Some(uids))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_patterns() {
        assert!(list_matches(b"*", b"INBOX"));
        assert!(list_matches(b"inbox", b"INBOX"));
        assert!(list_matches(b"%", b"Sent"));
        assert!(!list_matches(b"%", b"Sent/2024"));
        assert!(list_matches(b"*", b"Sent/2024"));
        assert!(list_matches(b"Sent/%", b"Sent/2024"));
        assert!(!list_matches(b"Sent", b"Sent/2024"));
        assert!(!list_matches(b"S%x", b"Sent"));
        assert!(list_matches(b"S*t", b"Sent"));
    }

    /// The project's own blocking clients against the server: IMAP with STARTTLS and SCRAM,
    /// APPEND (APPENDUID), MOVE (COPYUID, EXPUNGE), a refused password over implicit TLS; POP3
    /// with STLS, RETR, DELE and UPDATE at QUIT, seen by the next session.
    #[test]
    fn project_clients() {
        use imap_codec::{Mailbox, SequenceSet};
        use mailproto_client::blocking::{imap, pop3};
        use mailproto_client::{Credentials, Tls, TlsConfig};

        let (running, cert) = sample_server(true);
        let trust = || {
            TlsConfig::new()
                .without_platform_roots()
                .trust_certificate(cert.clone())
        };
        let port = |a: Option<SocketAddr>| a.unwrap().port();

        let config = imap::Config::default().with_tls(trust());
        let mut c =
            imap::Client::connect("127.0.0.1", port(running.imap), Tls::StartTls, config).unwrap();
        assert!(c.is_tls());
        let mech = c
            .authenticate(&Credentials::password("bob", "secret"))
            .unwrap();
        assert!(mech.as_str().starts_with("SCRAM-SHA-"), "{mech:?}");
        assert_eq!(c.select("INBOX").unwrap().exists, 3);
        let ok = c
            .append("INBOX", &[], None, b"Subject: t\r\n\r\nx\r\n")
            .unwrap();
        assert!(matches!(ok.code(), Some(Code::AppendUid(a)) if a.uid.get() == 4));
        let moved = c
            .command(CommandBody::Move {
                uid: false,
                sequence_set: SequenceSet::single(1).unwrap(),
                mailbox: Mailbox::new("Archive").unwrap(),
            })
            .unwrap();
        assert!(
            moved
                .untagged
                .iter()
                .any(|s| matches!(s.code(), Some(Code::CopyUid(_))))
        );
        assert!(
            moved
                .data
                .iter()
                .any(|d| matches!(d, Data::Expunge(n) if n.get() == 1))
        );
        c.logout().unwrap();

        let config = imap::Config::default().with_tls(trust());
        let mut c =
            imap::Client::connect("127.0.0.1", port(running.imaps), Tls::Implicit, config).unwrap();
        assert!(c.login("bob", "wrong").is_err());
        c.logout().unwrap();

        let pop = || {
            let config = pop3::Config::default().with_tls(trust());
            let mut p =
                pop3::Client::connect("127.0.0.1", port(running.pop3), Tls::StartTls, config)
                    .unwrap();
            p.authenticate(&Credentials::password("bob", "secret"))
                .unwrap();
            p
        };
        let mut p = pop();
        assert_eq!(p.stat().unwrap().0, 3);
        let mut body = Vec::new();
        let one = pop3_codec::MsgNumber::new(1).unwrap();
        p.retr(one, &mut body).unwrap();
        assert!(body.starts_with(b"From: Bob Example"), "{body:?}");
        p.dele(one).unwrap();
        assert!(p.quit().unwrap());
        let mut p = pop();
        assert_eq!(p.stat().unwrap().0, 2);
        p.quit().unwrap();
    }

    /// The server with the sample accounts on ephemeral loopback ports: plain IMAP and POP3,
    /// and IMAPS when `imaps`; the self-signed certificate (DER) second.
    fn sample_server(imaps: bool) -> (Running, Vec<u8>) {
        let (tls, cert) = tls_config(None, None).unwrap();
        let backend = Arc::new(Backend::new(None, None).unwrap());
        let options = Options {
            imap: Some("127.0.0.1:0".into()),
            imaps: imaps.then(|| "127.0.0.1:0".into()),
            pop3: Some("127.0.0.1:0".into()),
            ..Options::default()
        };
        (start_with(&options, backend, tls).unwrap(), cert)
    }

    /// A scripted plain connection: each command's answer, up to its tagged line.
    struct Script {
        r: io::BufReader<TcpStream>,
        w: TcpStream,
        n: u32,
    }

    impl Script {
        fn connect(addr: SocketAddr) -> Script {
            let w = TcpStream::connect(addr).unwrap();
            w.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut s = Script {
                r: io::BufReader::new(w.try_clone().unwrap()),
                w,
                n: 0,
            };
            s.line();
            s
        }
        /// One response: a line, with the literals announced at its ends (RFC 9051 §4.3).
        fn line(&mut self) -> String {
            let mut out = Vec::new();
            loop {
                let start = out.len();
                io::BufRead::read_until(&mut self.r, b'\n', &mut out).unwrap();
                match crate::probe::literal_at_end_of(&out[start..]) {
                    Some((n, _)) => {
                        let mut lit = vec![0; n as usize];
                        io::Read::read_exact(&mut self.r, &mut lit).unwrap();
                        out.extend_from_slice(&lit);
                    }
                    None => return String::from_utf8_lossy(&out).into_owned(),
                }
            }
        }
        /// Sends `cmd` with a fresh tag; every response line is checked under the strict
        /// grammar with CONDSTORE in force; returns them all, the tagged one last.
        fn run(&mut self, cmd: &str) -> Vec<String> {
            self.n += 1;
            let tag = format!("t{}", self.n);
            write!(self.w, "{tag} {cmd}\r\n").unwrap();
            let options = imap_codec::ParseOptions::default()
                .with_extension(imap_codec::Extension::CondStore);
            let mut out = Vec::new();
            loop {
                let l = self.line();
                assert!(!l.is_empty(), "closed after {out:?}");
                if let Err(e) = Response::parse_with(l.as_bytes(), &options) {
                    panic!("{cmd}: {l:?} does not parse: {e:?}");
                }
                let done = l.starts_with(&format!("{tag} "));
                out.push(l);
                if done {
                    return out;
                }
            }
        }
    }

    fn has(lines: &[String], want: &str) -> bool {
        lines.iter().any(|l| l.contains(want))
    }

    /// NAMESPACE (RFC 2342), RENAME (RFC 9051 §6.3.6), CONDSTORE (RFC 7162 §3.1: ENABLE,
    /// HIGHESTMODSEQ, FETCH MODSEQ / CHANGEDSINCE, STORE UNCHANGEDSINCE / MODIFIED, SEARCH
    /// MODSEQ, STATUS HIGHESTMODSEQ, MODSEQ seen by another connection) and ESEARCH (RFC 4731
    /// §3.1) on the wire, every response strict.
    #[test]
    fn extensions_on_the_wire() {
        let (running, _) = sample_server(false);
        let addr = running.imap.unwrap();
        let mut a = Script::connect(addr);
        let caps = a.run("CAPABILITY");
        for c in ["NAMESPACE", "CONDSTORE", "ESEARCH", "ENABLE"] {
            assert!(has(&caps, c), "{caps:?}");
        }
        assert!(has(&a.run("LOGIN alice secret"), "OK"));
        assert!(has(
            &a.run("NAMESPACE"),
            r#"* NAMESPACE (("" "/")) NIL NIL"#
        ));
        assert!(has(&a.run("CREATE Projects/2024"), "OK"));
        assert!(has(&a.run("RENAME Projects Work"), "OK"));
        let list = a.run("LIST \"\" Work*");
        assert!(
            has(&list, "Work/2024") && !has(&list, "Projects"),
            "{list:?}"
        );
        assert!(has(&a.run("RENAME Nothing Else"), "[NONEXISTENT]"));
        // Each command with the responses its answer must contain, in this order of state.
        let script: [(&str, &[&str]); 10] = [
            ("ENABLE CONDSTORE", &["* ENABLED CONDSTORE"]),
            ("SELECT INBOX", &["[HIGHESTMODSEQ 4]"]),
            ("FETCH 1:* (MODSEQ)", &["* 3 FETCH (MODSEQ (4))"]),
            (
                "STORE 2 +FLAGS (\\Flagged)",
                &["* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (5))"],
            ),
            (
                "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4)",
                &["* 2 FETCH (FLAGS (\\Flagged \\Recent) UID 2 MODSEQ (5))"],
            ),
            (
                "STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS.SILENT (\\Answered)",
                &["OK [MODIFIED 2]", "* 1 FETCH (MODSEQ (6))"],
            ),
            ("SEARCH MODSEQ 6", &["* SEARCH 1 3 (MODSEQ 7)"]),
            (
                "UID SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED",
                &["* ESEARCH (TAG t15) UID MIN 2 MAX 2 ALL 2 COUNT 1"],
            ),
            ("SEARCH RETURN () ALL", &[" ALL 1:3"]),
            ("STATUS Archive (HIGHESTMODSEQ)", &["HIGHESTMODSEQ 1)"]),
        ];
        for (cmd, wants) in script {
            let r = a.run(cmd);
            for want in wants {
                assert!(has(&r, want), "{cmd}: {want:?} not in {r:?}");
            }
            if cmd.contains("(CHANGEDSINCE") {
                assert_eq!(r.len(), 2, "only message 2 changed since 4: {r:?}");
            }
        }
        assert!(has(
            &a.run("STATUS Archive (HIGHESTMODSEQ)"),
            "HIGHESTMODSEQ 1)"
        ));
        // Another connection's change arrives with its MODSEQ (RFC 7162 §3.1.4).
        let mut b = Script::connect(addr);
        b.run("LOGIN alice secret");
        b.run("SELECT INBOX");
        // RFC 7162 §3.1: the first enabling command with a mailbox selected announces it.
        let f = b.run("FETCH 1 (MODSEQ)");
        assert!(has(&f, "* OK [HIGHESTMODSEQ 7]"), "{f:?}");
        assert!(!has(&b.run("FETCH 1 (MODSEQ)"), "HIGHESTMODSEQ"));
        assert!(has(&b.run("STORE 3 +FLAGS (\\Seen)"), "OK"));
        let n = a.run("NOOP");
        assert!(
            has(
                &n,
                "* 3 FETCH (FLAGS (\\Seen \\Answered \\Recent) UID 3 MODSEQ (8))"
            ),
            "{n:?}"
        );
        // RFC 1939 §7: APOP with the greeting's timestamp.
        let mut p = TcpStream::connect(running.pop3.unwrap()).unwrap();
        p.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut r = io::BufReader::new(p.try_clone().unwrap());
        let mut line = String::new();
        io::BufRead::read_line(&mut r, &mut line).unwrap();
        let ts = line[line.find('<').unwrap()..=line.find('>').unwrap()].to_owned();
        let ts = pop3_codec::Timestamp::new(ts.as_str()).unwrap();
        for (password, want) in [("wrong", "-ERR"), ("secret", "+OK")] {
            let digest = pop3_codec::ApopDigest::compute(&ts, password.as_bytes());
            write!(p, "APOP bob {digest}\r\n").unwrap();
            line.clear();
            io::BufRead::read_line(&mut r, &mut line).unwrap();
            assert!(line.starts_with(want), "{password}: {line:?}");
        }
    }

    /// FETCH with every attribute of RFC 9051 §6.4.5 that the sample multipart message has,
    /// SEARCH keys of every kind, UIDPLUS codes (COPYUID, UID EXPUNGE; RFC 4315) and IDLE
    /// with another connection's APPEND, on the wire; every response strict.
    #[test]
    fn fetch_search_uidplus_idle_on_the_wire() {
        let (running, _) = sample_server(false);
        let addr = running.imap.unwrap();
        let mut a = Script::connect(addr);
        a.run("LOGIN bob secret");
        a.run("SELECT INBOX");
        let f = a.run(
            "FETCH 2 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE UID \
             BODY.PEEK[HEADER.FIELDS (Subject Cc)] BODY.PEEK[1]<4.6> BODY.PEEK[2.MIME] \
             BODY.PEEK[TEXT]<0.16> RFC822.HEADER BINARY.PEEK[2] BINARY.SIZE[2])",
        );
        let all = f.concat();
        for want in [
            "INTERNALDATE \" 4-Mar-2024 12:00:00 +0000\"",
            "ENVELOPE (\"Sat, 2 Mar 2024 09:30:00 +0100\" \"Report attached\"",
            "((\"Dave\" NIL \"dave\" \"example.com\"))",
            "BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\")",
            "(\"ATTACHMENT\" (\"FILENAME\" \"report.bin\"))",
            "\"MIXED\" (\"BOUNDARY\" \"b1\")",
            "BODY[HEADER.FIELDS (Subject Cc)] {57}\r\nCc: Dave <dave@example.com>\r\nSubject: Report attached\r\n\r\n",
            "BODY[1]<4> \"report\"",
            "BODY[TEXT]<0> \"This is a MIME m\"",
            "BINARY[2] ~{32}\r\n",
            "BINARY.SIZE[2] 32",
            "UID 2",
        ] {
            assert!(all.contains(want), "{want:?} not in {all}");
        }
        // BINARY[2] is the decoded attachment: octets 0..31.
        let bytes: Vec<u8> = (0u8..32).collect();
        let raw = all.as_bytes();
        assert!(raw.windows(bytes.len()).any(|w| w == bytes), "{all}");
        for (program, want) in [
            ("FROM bob SUBJECT report", "* SEARCH 2\r\n"),
            (
                "OR TO carol@example.net HEADER In-Reply-To welcome",
                "* SEARCH 2 3\r\n",
            ),
            (
                "NOT BODY cafe LARGER 100 SENTSINCE 2-Mar-2024",
                "* SEARCH 2\r\n",
            ),
            ("UID 1:2 UNSEEN NEW", "* SEARCH 1 2\r\n"),
            ("TEXT \"Caf\" CHARSET", ""),
            ("ON 4-Mar-2024 SENTBEFORE 2-Mar-2024 1:*", "* SEARCH 1\r\n"),
        ] {
            let r = a.run(&format!("SEARCH {program}"));
            if want.is_empty() {
                assert!(has(&r, "BAD"), "{program}: {r:?}");
            } else {
                assert!(r.first().is_some_and(|l| l == want), "{program}: {r:?}");
            }
        }
        let c = a.run("UID COPY 1:2 Archive");
        assert!(has(&c, "OK [COPYUID 3 1:2 1:2]"), "{c:?}");
        a.run("UID STORE 3 +FLAGS.SILENT (\\Deleted)");
        let e = a.run("UID EXPUNGE 3");
        assert!(has(&e, "* 3 EXPUNGE"), "{e:?}");
        // IDLE: bob's other connection appends; A hears EXISTS within the poll interval.
        write!(a.w, "i1 IDLE\r\n").unwrap();
        assert!(a.line().starts_with("+ "));
        let mut b = Script::connect(addr);
        b.run("LOGIN bob secret");
        let ap = b.run("APPEND INBOX {20+}\r\nSubject: x\r\n\r\nbody\r\n");
        assert!(has(&ap, "[APPENDUID "), "{ap:?}");
        assert_eq!(a.line(), "* 3 EXISTS\r\n");
        write!(a.w, "DONE\r\n").unwrap();
        assert!(a.line().starts_with("i1 OK"));
    }

    #[test]
    fn users_file() {
        let u = parse_users("# accounts\nann:pw one\n\nbo:x:y\n").unwrap();
        assert_eq!(u.get("ann").map(String::as_str), Some("pw one"));
        assert_eq!(u.get("bo").map(String::as_str), Some("x:y"));
        assert!(parse_users("nocolon\n").is_err());
        assert!(parse_users("# only a comment\n").is_err());
    }
}
