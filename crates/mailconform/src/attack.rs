//! `mailconform serve --attack CLASS`: a hostile IMAP (or POP3) server for
//! testing clients, with the STARTTLS attack classes of the "NO STARTTLS" study (Poddebniak et
//! al., USENIX Security 2021) and RFC 9051 §6.2.1 / §11.1, RFC 2595 §4.
//!
//! The server deliberately breaks the protocol, so it writes its responses as crafted bytes
//! (that is the attack); what the client sends is parsed with imap-codec (strict) to know
//! which command it is. For every connection it reports what the client did: whether it sent
//! credentials (LOGIN, AUTHENTICATE) before TLS, whether it went on without TLS, whether the
//! TLS handshake happened, and every command it sent, marked plaintext or TLS. The verdict:
//! `vulnerable` when the client sent credentials in plaintext or used the session without TLS
//! after an attack that denied it TLS; `resisted` when it did neither.

use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use imap_codec::{Command, CommandKind};
use mailproto_client::stream::ServerStream;
use mailtrace::format::Protocol;
use serde::Serialize;

/// The attack classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// STARTTLS stripping: STARTTLS is missing from every capability list.
    NoStarttls,
    /// STARTTLS stripping: the greeting is PREAUTH (no STARTTLS possible, RFC 9051 §6.2.1).
    Preauth,
    /// STARTTLS stripping: STARTTLS is offered but answered NO.
    StarttlsNo,
    /// Response injection: an untagged CAPABILITY follows the STARTTLS OK in the same
    /// packet, before the TLS handshake (the client must not take it as TLS-protected).
    Inject,
    /// Untagged responses before STARTTLS's OK (a CAPABILITY with a marker mechanism): the
    /// client must discard pre-TLS capabilities (RFC 9051 §6.2.1).
    UntaggedBeforeStarttls,
    /// ALERT and BYE spoofing: STARTTLS is answered `* OK [ALERT] ...` and `* BYE ...`,
    /// then the connection is closed (the client must not fall back to plaintext).
    AlertBye,
}

impl Class {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Class::NoStarttls => "no-starttls",
            Class::Preauth => "preauth",
            Class::StarttlsNo => "starttls-no",
            Class::Inject => "inject",
            Class::UntaggedBeforeStarttls => "untagged-before-starttls",
            Class::AlertBye => "alert-bye",
        }
    }
}

/// The marker the injected capability lists carry.
pub const MARKER: &str = "X-MAILCONFORM-INJECTED";

/// One command the client sent.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    /// Over TLS?
    pub tls: bool,
    /// The command name (`LOGIN`, `UID FETCH`), or `?` when it does not parse.
    pub command: String,
    /// The line, with LOGIN's password and AUTHENTICATE's data masked.
    pub line: String,
}

/// What one client connection came to.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The attack.
    pub class: Class,
    /// Credentials (LOGIN, AUTHENTICATE) were sent before TLS.
    pub plaintext_credentials: bool,
    /// Commands other than CAPABILITY, NOOP, STARTTLS, LOGOUT, ID were sent without TLS.
    pub used_without_tls: bool,
    /// A TLS handshake completed.
    pub tls: bool,
    /// The client mentioned the injected marker (e.g. `AUTHENTICATE X-MAILCONFORM-INJECTED`).
    pub used_injected: bool,
    /// Every command, in order.
    pub commands: Vec<Sent>,
    /// `vulnerable` or `resisted`.
    pub verdict: String,
    /// One line saying why.
    pub summary: String,
}

impl Outcome {
    fn judge(&mut self) {
        let (vulnerable, why) = if self.plaintext_credentials {
            (true, "sent credentials in plaintext".to_owned())
        } else if self.used_injected {
            (true, format!("acted on injected data ({MARKER})"))
        } else if self.used_without_tls {
            (true, "went on without TLS".to_owned())
        } else if self.tls {
            (
                false,
                "no credentials in plaintext; TLS was set up and the injected data not used"
                    .to_owned(),
            )
        } else {
            (
                false,
                "gave up without sending credentials or using the session".to_owned(),
            )
        };
        self.verdict = if vulnerable { "vulnerable" } else { "resisted" }.to_owned();
        self.summary = format!("{}: {} {why}", self.class.name(), self.verdict);
    }
}

/// Writes `b` and flushes it (a TLS record goes out at once).
fn send(s: &mut ServerStream, b: &[u8]) -> io::Result<()> {
    s.write_all(b)?;
    s.flush()
}

/// The TLS handshake after the hostile STARTTLS / STLS answer: the bytes the client
/// pipelined before it are not commands (`buf` is cleared).
fn start_tls(
    s: &mut ServerStream,
    tls: &Arc<rustls::ServerConfig>,
    buf: &mut Vec<u8>,
    outcome: &mut Outcome,
) -> io::Result<()> {
    *s = std::mem::take(s).upgrade(tls, Duration::from_secs(20))?;
    outcome.tls = true;
    buf.clear();
    Ok(())
}

/// One line (LF-terminated) from the client; `None` at the end of the stream.
fn read_line(s: &mut ServerStream, buf: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    loop {
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            return Ok(Some(buf.drain(..=i).collect()));
        }
        if buf.len() > 1 << 16 {
            return Err(io::Error::other("line too long"));
        }
        let mut chunk = [0u8; 4096];
        let n = match s.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Serves `connections` connections (forever when `None`) with `class` over `protocol`,
/// calling `report` with each connection's outcome. Each connection is attacked, judged and
/// reported in turn. POP3 (STLS, RFC 2595 §4): `no-starttls` (STLS missing from CAPA,
/// refused), `starttls-no` (STLS answered -ERR), `inject` (a second `+OK` line after the STLS
/// `+OK`, in the same packet), `untagged-before-starttls` (the pre-TLS CAPA offers a marker SASL
/// mechanism that the CAPA under TLS does not), `alert-bye` (STLS answered
/// `-ERR [SYS/PERM]`, then the connection closes); `preauth` has no POP3 form (an error).
pub fn serve(
    listener: TcpListener,
    protocol: Protocol,
    class: Class,
    tls: Arc<rustls::ServerConfig>,
    connections: Option<usize>,
    report: impl Fn(&Outcome),
) -> io::Result<()> {
    if protocol == Protocol::Pop3 && class == Class::Preauth {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "preauth has no POP3 form (POP3 has no pre-authenticated greeting)",
        ));
    }
    for (n, stream) in listener.incoming().enumerate() {
        let stream = stream?;
        let mut outcome = Outcome {
            class,
            plaintext_credentials: false,
            used_without_tls: false,
            tls: false,
            used_injected: false,
            commands: Vec::new(),
            verdict: String::new(),
            summary: String::new(),
        };
        // A connection that breaks off is judged on what it did until then.
        let _ = stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .and_then(|()| {
                let s = ServerStream::Plain(stream);
                match protocol {
                    Protocol::Pop3 => run_pop3(s, class, &tls, &mut outcome),
                    _ => run(s, class, &tls, &mut outcome),
                }
            });
        outcome.judge();
        report(&outcome);
        if connections.is_some_and(|c| n + 1 >= c) {
            break;
        }
    }
    Ok(())
}

/// The IMAP capabilities the hostile server lists: STARTTLS unless stripped or under TLS.
fn caps(class: Class, tls: bool) -> String {
    let starttls = if tls || class == Class::NoStarttls {
        ""
    } else {
        " STARTTLS"
    };
    format!("IMAP4rev1{starttls} AUTH=PLAIN")
}

/// Reads one command (its line, and literals announced at its end: `{n}` gets a
/// continuation request). `None` at the end of the stream.
fn command(s: &mut ServerStream, buf: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    loop {
        let Some(line) = read_line(s, buf)? else {
            return Ok(None);
        };
        out.extend_from_slice(&line);
        match crate::probe::literal_at_end_of(&line) {
            Some((n, sync)) if n <= 1 << 20 => {
                if sync {
                    send(s, b"+ go ahead\r\n")?;
                }
                while buf.len() < n as usize {
                    let mut chunk = [0u8; 4096];
                    let k = s.read(&mut chunk)?;
                    if k == 0 {
                        return Ok(None);
                    }
                    buf.extend_from_slice(&chunk[..k]);
                }
                out.extend(buf.drain(..n as usize));
            }
            _ => return Ok(Some(out)),
        }
    }
}

fn run(
    mut s: ServerStream,
    class: Class,
    tls: &Arc<rustls::ServerConfig>,
    outcome: &mut Outcome,
) -> io::Result<()> {
    let greeting = match class {
        Class::Preauth => format!(
            "* PREAUTH [CAPABILITY {}] mailconform hostile server: logged in\r\n",
            caps(class, false)
        ),
        _ => format!(
            "* OK [CAPABILITY {}] mailconform hostile server ready\r\n",
            caps(class, false)
        ),
    };
    send(&mut s, greeting.as_bytes())?;
    let mut buf = Vec::new();
    while let Some(cmd) = command(&mut s, &mut buf)? {
        let on_tls = s.is_tls();
        let parsed = Command::parse(&cmd).ok();
        let tag = parsed
            .as_ref()
            .map(|c| c.tag.as_str().to_owned())
            .unwrap_or_else(|| {
                String::from_utf8_lossy(cmd.split(|&b| b == b' ').next().unwrap_or(b"*"))
                    .into_owned()
            });
        let kind = parsed.as_ref().map(|c| c.body.kind());
        let name = parsed.as_ref().map_or("?", |c| c.body.name());
        let mut line = String::from_utf8_lossy(&cmd).trim_end().to_owned();
        if matches!(kind, Some(CommandKind::Login | CommandKind::Authenticate)) {
            line = format!("{tag} {name} <credentials masked>");
        }
        if String::from_utf8_lossy(&cmd).contains(MARKER) {
            outcome.used_injected = true;
        }
        outcome.commands.push(Sent {
            tls: on_tls,
            command: name.to_owned(),
            line,
        });
        let harmless = matches!(
            kind,
            Some(
                CommandKind::Capability
                    | CommandKind::Noop
                    | CommandKind::StartTls
                    | CommandKind::Logout
            )
        ) || name == "ID";
        if !on_tls {
            if matches!(kind, Some(CommandKind::Login | CommandKind::Authenticate)) {
                outcome.plaintext_credentials = true;
            } else if !harmless {
                outcome.used_without_tls = true;
            }
        }
        match kind {
            Some(CommandKind::Capability) => {
                let mut c = caps(class, on_tls);
                if on_tls && class == Class::UntaggedBeforeStarttls {
                    // The honest list under TLS: the marker must not survive from before.
                    c = caps(class, true);
                }
                send(
                    &mut s,
                    format!("* CAPABILITY {c}\r\n{tag} OK CAPABILITY completed\r\n").as_bytes(),
                )?;
            }
            Some(CommandKind::StartTls) if !on_tls => match class {
                Class::Preauth => send(
                    &mut s,
                    format!("{tag} BAD STARTTLS is not valid after PREAUTH\r\n").as_bytes(),
                )?,
                Class::NoStarttls => send(
                    &mut s,
                    format!("{tag} BAD STARTTLS not supported\r\n").as_bytes(),
                )?,
                Class::StarttlsNo => {
                    send(&mut s, format!("{tag} NO STARTTLS refused\r\n").as_bytes())?
                }
                Class::AlertBye => {
                    send(
                        &mut s,
                        b"* OK [ALERT] mailconform: spoofed alert, sent before TLS\r\n\
                          * BYE mailconform: spoofed shutdown before TLS\r\n",
                    )?;
                    return Ok(());
                }
                Class::Inject | Class::UntaggedBeforeStarttls => {
                    let packet = if class == Class::Inject {
                        format!(
                            "{tag} OK begin TLS now\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH={MARKER}\r\n"
                        )
                    } else {
                        format!(
                            "* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH={MARKER}\r\n{tag} OK begin TLS now\r\n"
                        )
                    };
                    send(&mut s, packet.as_bytes())?;
                    start_tls(&mut s, tls, &mut buf, outcome)?;
                }
            },
            Some(CommandKind::Login | CommandKind::Authenticate) => send(
                &mut s,
                format!("{tag} NO [AUTHENTICATIONFAILED] mailconform hostile server\r\n")
                    .as_bytes(),
            )?,
            Some(CommandKind::Logout) => {
                send(
                    &mut s,
                    format!("* BYE bye\r\n{tag} OK LOGOUT completed\r\n").as_bytes(),
                )?;
                return Ok(());
            }
            Some(_) => send(&mut s, format!("{tag} OK done\r\n").as_bytes())?,
            None => send(&mut s, format!("{tag} BAD not understood\r\n").as_bytes())?,
        }
    }
    Ok(())
}

fn run_pop3(
    mut s: ServerStream,
    class: Class,
    tls: &Arc<rustls::ServerConfig>,
    outcome: &mut Outcome,
) -> io::Result<()> {
    use pop3_codec::{Command as PopCommand, CommandKind as K};
    send(&mut s, b"+OK mailconform hostile POP3 server ready\r\n")?;
    let mut buf = Vec::new();
    while let Some(line) = read_line(&mut s, &mut buf)? {
        let on_tls = s.is_tls();
        let kind = PopCommand::parse(&line).ok().map(|c| c.kind());
        let name = kind.map_or("?", |k| k.keyword());
        let shown = if matches!(kind, Some(K::Pass | K::Apop | K::Auth)) {
            format!("{name} <credentials masked>")
        } else {
            String::from_utf8_lossy(&line).trim_end().to_owned()
        };
        if String::from_utf8_lossy(&line).contains(MARKER) {
            outcome.used_injected = true;
        }
        outcome.commands.push(Sent {
            tls: on_tls,
            command: name.to_owned(),
            line: shown,
        });
        if !on_tls {
            if matches!(kind, Some(K::Pass | K::Apop | K::Auth)) {
                outcome.plaintext_credentials = true;
            } else if !matches!(kind, Some(K::Capa | K::Stls | K::Quit | K::Noop)) {
                outcome.used_without_tls = true;
            }
        }
        match kind {
            Some(K::Capa) => {
                let mut capa = String::from("+OK capabilities\r\nUSER\r\nUIDL\r\nTOP\r\n");
                if !on_tls && class == Class::UntaggedBeforeStarttls {
                    capa.push_str(&format!("SASL PLAIN {MARKER}\r\n"));
                } else {
                    capa.push_str("SASL PLAIN\r\n");
                }
                if !on_tls && class != Class::NoStarttls {
                    capa.push_str("STLS\r\n");
                }
                capa.push_str(".\r\n");
                send(&mut s, capa.as_bytes())?;
            }
            Some(K::Stls) if !on_tls => match class {
                Class::NoStarttls => send(&mut s, b"-ERR STLS not supported\r\n")?,
                Class::StarttlsNo => send(&mut s, b"-ERR STLS refused\r\n")?,
                Class::AlertBye => {
                    send(
                        &mut s,
                        b"-ERR [SYS/PERM] mailconform: spoofed shutdown before TLS\r\n",
                    )?;
                    return Ok(());
                }
                _ => {
                    if class == Class::Inject {
                        send(
                            &mut s,
                            format!("+OK begin TLS\r\n+OK {MARKER}\r\n").as_bytes(),
                        )?;
                    } else {
                        send(&mut s, b"+OK begin TLS\r\n")?;
                    }
                    start_tls(&mut s, tls, &mut buf, outcome)?;
                }
            },
            Some(K::User) => send(&mut s, b"+OK\r\n")?,
            Some(K::Pass | K::Apop | K::Auth) => {
                send(&mut s, b"-ERR [AUTH] mailconform hostile server\r\n")?
            }
            Some(K::Quit) => {
                send(&mut s, b"+OK bye\r\n")?;
                return Ok(());
            }
            _ => send(&mut s, b"-ERR not available\r\n")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! One test per attack class against the project's own client (mailproto-client's
    //! blocking IMAP client over imap-session's client session), which must resist each.
    use super::*;
    use mailproto_client::blocking::imap;
    use mailproto_client::{Tls, TlsConfig};
    use std::net::TcpStream;
    use std::sync::mpsc;

    /// The capabilities the client believed after connecting (TLS included), and the login's
    /// error if it failed.
    type Login = Result<Vec<String>, (Vec<String>, String)>;

    /// Runs `class` for one connection of the client: the login and the outcome.
    fn attack(class: Class) -> (Login, Outcome) {
        let (tls, cert) = crate::serve::tls_config(None, None).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = serve(listener, Protocol::Imap, class, tls, Some(1), |o| {
                let _ = tx.send(o.clone());
            });
        });
        let config = imap::Config::default()
            .with_tls(
                TlsConfig::new()
                    .without_platform_roots()
                    .trust_certificate(cert),
            )
            .with_read_timeout(Some(Duration::from_secs(10)));
        let mut caps = Vec::new();
        let result = (|| {
            let mut client = imap::Client::connect("127.0.0.1", port, Tls::StartTls, config)?;
            caps = client
                .capabilities()?
                .iter()
                .map(|c| format!("{c:?}"))
                .collect();
            client.login("alice", "secret")
        })();
        let result = match result {
            Ok(()) => Ok(caps),
            Err(e) => Err((caps, e.to_string())),
        };
        let outcome = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("an outcome");
        (result, outcome)
    }

    fn resisted(class: Class) -> ((Vec<String>, String), Outcome) {
        let (result, outcome) = attack(class);
        assert_eq!(outcome.class, class);
        assert_eq!(outcome.verdict, "resisted", "{outcome:#?}");
        assert!(!outcome.plaintext_credentials, "{outcome:#?}");
        assert!(!outcome.used_without_tls, "{outcome:#?}");
        assert!(!outcome.used_injected, "{outcome:#?}");
        let failed = result.expect_err("the client must not log in");
        (failed, outcome)
    }

    #[test]
    fn no_starttls() {
        let (_, o) = resisted(Class::NoStarttls);
        assert!(!o.tls);
    }

    #[test]
    fn preauth() {
        let (_, o) = resisted(Class::Preauth);
        assert!(!o.tls);
    }

    #[test]
    fn starttls_no() {
        let (_, o) = resisted(Class::StarttlsNo);
        assert!(!o.tls);
    }

    #[test]
    fn inject() {
        // The session refuses bytes after the STARTTLS OK (StartTlsInjection).
        let ((_, error), o) = resisted(Class::Inject);
        assert!(!o.tls, "{o:#?}");
        assert!(error.contains("STARTTLS"), "{error}");
    }

    #[test]
    fn untagged_before_starttls() {
        // TLS is set up; the pre-TLS capabilities are gone; credentials only under TLS (the
        // hostile server refuses them, so the login fails).
        let ((caps, _), o) = resisted(Class::UntaggedBeforeStarttls);
        assert!(o.tls);
        assert!(!caps.is_empty(), "{o:#?}");
        assert!(!caps.iter().any(|c| c.contains(MARKER)), "{caps:?}");
        let login = o
            .commands
            .iter()
            .find(|c| c.command == "LOGIN")
            .expect("LOGIN");
        assert!(login.tls);
    }

    #[test]
    fn alert_bye() {
        let (_, o) = resisted(Class::AlertBye);
        assert!(!o.tls);
    }

    /// POP3: the project's client (STLS required) against every class with a POP3 form.
    #[test]
    fn pop3_classes() {
        use mailproto_client::blocking::pop3;
        for &class in <Class as clap::ValueEnum>::value_variants() {
            let (tls, cert) = crate::serve::tls_config(None, None).unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            if class == Class::Preauth {
                assert!(serve(listener, Protocol::Pop3, class, tls, Some(1), |_| {}).is_err());
                continue;
            }
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let _ = serve(listener, Protocol::Pop3, class, tls, Some(1), |o| {
                    let _ = tx.send(o.clone());
                });
            });
            let config = pop3::Config::default().with_tls(
                TlsConfig::new()
                    .without_platform_roots()
                    .trust_certificate(cert),
            );
            let login = (|| {
                let mut c = pop3::Client::connect("127.0.0.1", port, Tls::StartTls, config)?;
                let caps: Vec<String> =
                    c.capabilities()?.iter().map(|c| format!("{c:?}")).collect();
                assert!(
                    !caps.iter().any(|c| c.contains(MARKER)),
                    "{class:?}: {caps:?}"
                );
                c.user_pass("alice", "secret")
            })();
            assert!(login.is_err(), "{class:?}");
            let o = rx.recv_timeout(Duration::from_secs(20)).unwrap();
            assert_eq!(o.verdict, "resisted", "{o:#?}");
            assert!(!o.plaintext_credentials && !o.used_injected, "{o:#?}");
            assert_eq!(o.tls, class == Class::UntaggedBeforeStarttls, "{o:#?}");
        }
    }

    #[test]
    fn a_naive_client_is_caught() {
        // A client that logs in whatever the server offers: every denial class reports it.
        for &class in <Class as clap::ValueEnum>::value_variants() {
            let (tls, _) = crate::serve::tls_config(None, None).unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let _ = serve(listener, Protocol::Imap, class, tls, Some(1), |o| {
                    let _ = tx.send(o.clone());
                });
            });
            let mut tcp = TcpStream::connect(addr).unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut greeting = [0u8; 512];
            let _ = tcp.read(&mut greeting);
            tcp.write_all(b"n1 LOGIN alice secret\r\nn2 SELECT INBOX\r\nn3 LOGOUT\r\n")
                .unwrap();
            let mut rest = Vec::new();
            let _ = tcp.read_to_end(&mut rest);
            let o = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(o.verdict, "vulnerable", "{o:#?}");
            assert!(o.plaintext_credentials, "{o:#?}");
            assert!(o.summary.contains("plaintext"));
        }
    }
}
