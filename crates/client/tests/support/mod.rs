//! In-process IMAP and POP3 servers for the tests and examples: imap-session's server session
//! over mailproto-imap-mailbox's in-memory store, pop3-session's server session over a
//! vector of messages; one thread per connection on 127.0.0.1:0, optionally with TLS
//! (a self-signed certificate made by rcgen). User `user`, password `pencil`.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use imap_codec::command::{FetchAtt, SearchKey};
use imap_codec::ext::NonEmpty;
use imap_codec::response::{
    AppendUid, CapabilityData, FetchData, GreetingKind, MessageAttribute, RespText,
};
use imap_codec::{
    AuthMechanism, Capability, Code, CommandBody, ContinuationRequest, Data, Date, DateTime,
    Greeting, Response, Status, StatusKind, Tag, Text,
};
use imap_session::{ServerConfig, ServerEvent, ServerOutput, ServerSession};
use mailproto_imap_mailbox::{Flags, Store, Update, View, compile};
use mailproto_sasl::{
    Authenticator, Mechanism, OsNonce, ScramCredentials, ScramHash, Secret, ServerMechanism,
    ServerStep, TlsInfo,
};

pub const USER: &str = "user";
pub const PASSWORD: &str = "pencil";

/// How the test server offers TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Implicit,
    StartTls,
}

/// A running server.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The self-signed certificate (DER), for `TlsConfig::trust_certificate`.
    pub cert: Vec<u8>,
    pub store: Arc<Mutex<Store>>,
}

struct Tls {
    config: Arc<rustls::ServerConfig>,
    cert: Vec<u8>,
}

fn make_tls() -> Tls {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("rcgen");
    let cert = key.cert.der().to_vec();
    let pkey = rustls::pki_types::PrivateKeyDer::Pkcs8(
        rustls::pki_types::PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()),
    );
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone().into()], pkey)
        .unwrap();
    Tls {
        config: Arc::new(config),
        cert,
    }
}

/// A server connection, plain or TLS (mailproto-client's helper).
use mailproto_client::stream::ServerStream as Conn;

/// How long a TLS handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// How often an idle server connection polls the store.
const POLL: Duration = Duration::from_millis(30);

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn accept_loop<F>(listener: TcpListener, serve: F)
where
    F: Fn(TcpStream) + Send + Sync + 'static,
{
    let serve = Arc::new(serve);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let serve = serve.clone();
            thread::spawn(move || serve(stream));
        }
    });
}

fn date() -> DateTime {
    DateTime::new(Date::new(2024, 3, 1).unwrap(), 12, 0, 0, 0).unwrap()
}

/// An IMAP server with an INBOX holding `messages`.
pub fn spawn_imap(mode: Mode, messages: &[&[u8]]) -> TestServer {
    let mut store = Store::default();
    store.create("INBOX").unwrap();
    for m in messages {
        store
            .append("INBOX", m.to_vec(), Flags::new(), date())
            .unwrap();
    }
    let store = Arc::new(Mutex::new(store));
    let tls = Arc::new(make_tls());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let cert = tls.cert.clone();
    let shared = store.clone();
    accept_loop(listener, move |stream| {
        let _ = serve_imap(stream, mode, &tls, &shared);
    });
    TestServer { addr, cert, store }
}

/// The same IMAP server, run by the async driver (`mailproto_client::tokio::server`) on a
/// runtime of its own thread.
#[cfg(feature = "tokio")]
pub fn spawn_imap_async(mode: Mode, messages: &[&[u8]]) -> TestServer {
    spawn_imap_async_with(mode, messages, false)
}

/// The async server offering COMPRESS=DEFLATE (RFC 4978): the driver wraps the stream.
#[cfg(all(feature = "tokio", feature = "compress"))]
pub fn spawn_imap_async_compress(messages: &[&[u8]]) -> TestServer {
    spawn_imap_async_with(Mode::Plain, messages, true)
}

#[cfg(feature = "tokio")]
fn spawn_imap_async_with(mode: Mode, messages: &[&[u8]], compress: bool) -> TestServer {
    use mailproto_client::tokio::server::Server;
    let mut store = Store::default();
    store.create("INBOX").unwrap();
    for m in messages {
        store
            .append("INBOX", m.to_vec(), Flags::new(), date())
            .unwrap();
    }
    let store = Arc::new(Mutex::new(store));
    let tls = make_tls();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let shared = store.clone();
    let config = tls.config.clone();
    thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let mut server = Server::new(ServerConfig::default()).with_poll_interval(POLL);
            if mode != Mode::Plain {
                server = server.with_tls(config, mode == Mode::Implicit);
            }
            let _ = server
                .serve(listener, move || {
                    let mut conn = ImapConn::new(mode, shared.clone());
                    conn.compress = compress;
                    conn
                })
                .await;
        });
    });
    TestServer {
        addr,
        cert: tls.cert,
        store,
    }
}

#[cfg(feature = "tokio")]
impl mailproto_client::tokio::server::Handler for ImapConn {
    fn greeting(&mut self, _session: &ServerSession) -> Greeting<'static> {
        // Both sessions are before their greeting: the capabilities are the same.
        ImapConn::greeting(self)
    }
    fn command(&mut self, session: &mut ServerSession, command: imap_codec::Command<'static>) {
        self.with(session, |c| {
            let _ = c.command(command.tag, command.body);
        });
    }
    fn authenticate_data(
        &mut self,
        session: &mut ServerSession,
        tag: Tag<'static>,
        data: imap_codec::AuthenticateData<'static>,
    ) {
        self.with(session, |c| {
            let _ = c.event(ServerEvent::AuthenticateData { tag, data });
        });
    }
    fn idle_done(&mut self, session: &mut ServerSession, tag: Tag<'static>) {
        self.with(session, |c| {
            let _ = c.event(ServerEvent::IdleDone { tag });
        });
    }
    fn poll(&mut self, session: &mut ServerSession) {
        self.with(session, |c| {
            if c.idling {
                c.updates();
            }
        });
    }
    fn tls_established(&mut self) {
        self.tls_on = true;
    }
}

#[cfg(feature = "tokio")]
impl ImapConn {
    /// Runs `f` on the driver's session (swapped in and out: the backend's code works on
    /// `self.session`).
    fn with(&mut self, session: &mut ServerSession, f: impl FnOnce(&mut ImapConn)) {
        std::mem::swap(&mut self.session, session);
        f(self);
        std::mem::swap(&mut self.session, session);
    }
}

struct Users;

impl Authenticator for Users {
    fn check_password(&self, authcid: &str, password: &Secret) -> bool {
        authcid == USER && password.ct_eq(PASSWORD.as_bytes())
    }
    fn scram_credentials(&self, hash: ScramHash, user: &str) -> Option<ScramCredentials> {
        (user == USER)
            .then(|| ScramCredentials::derive(hash, PASSWORD, b"salt-16-octets!!", 4096).unwrap())
    }
}

/// The in-memory IMAP backend of one connection (shared by the thread-per-connection
/// server and, with the `tokio` feature, the async driver's `Handler`).
pub struct ImapConn {
    session: ServerSession,
    tls_on: bool,
    mode: Mode,
    store: Arc<Mutex<Store>>,
    view: Option<View>,
    sasl_config: mailproto_sasl::ServerConfig,
    idling: bool,
    /// COMPRESS=DEFLATE is offered (only where the driver wraps the stream).
    compress: bool,
}

fn text(s: &str) -> Text<'static> {
    Text::new(s.to_owned()).unwrap()
}

impl ImapConn {
    pub fn new(mode: Mode, store: Arc<Mutex<Store>>) -> Self {
        ImapConn {
            session: ServerSession::new(ServerConfig::default().without_literal_streaming()),
            tls_on: false,
            mode,
            store,
            view: None,
            sasl_config: mailproto_sasl::ServerConfig::default(),
            idling: false,
            compress: false,
        }
    }

    fn tls_info(&self) -> Option<TlsInfo> {
        self.tls_on.then(TlsInfo::default)
    }

    fn capabilities(&self) -> Vec<Capability<'static>> {
        let mut caps = vec![
            Capability::Imap4rev1,
            Capability::SaslIr,
            Capability::Idle,
            Capability::LiteralPlus,
        ];
        if self.compress {
            caps.push(Capability::CompressDeflate);
        }
        if matches!(
            self.session.state(),
            imap_session::State::Greeting | imap_session::State::NotAuthenticated
        ) {
            for m in self.sasl_config.advertised(self.tls_info().as_ref()) {
                caps.push(Capability::Auth(
                    AuthMechanism::new(m.as_str().to_owned()).unwrap(),
                ));
            }
            if self.mode == Mode::StartTls && !self.tls_on {
                caps.push(Capability::StartTls);
                caps.push(Capability::LoginDisabled);
            }
        }
        caps
    }

    fn greeting(&self) -> Greeting<'static> {
        Greeting::new(
            GreetingKind::Ok,
            RespText::with_code(
                Code::Capability(CapabilityData::new(self.capabilities()).unwrap()),
                text("test server ready"),
            ),
        )
    }

    fn send(&mut self, r: Response<'_>) {
        self.session.send_response(r).unwrap();
    }

    fn complete(
        &mut self,
        tag: Tag<'static>,
        kind: StatusKind,
        msg: &str,
        code: Option<Code<'static>>,
    ) {
        let resp = match code {
            Some(c) => RespText::with_code(c, text(msg)),
            None => RespText::new(None, text(msg)).unwrap(),
        };
        let s = Status::tagged(tag, kind, resp).unwrap();
        self.send(Response::Status(s));
    }

    fn updates(&mut self) {
        let Some(view) = self.view.as_mut() else {
            return;
        };
        let updates = self
            .store
            .lock()
            .unwrap()
            .poll(view, true)
            .unwrap_or_default();
        for u in updates {
            let data = match u {
                Update::Exists(n) => Data::Exists(n),
                Update::Expunge(n) => Data::Expunge(NonZeroU32::new(n).unwrap()),
                Update::Flags {
                    seq,
                    uid,
                    flags,
                    recent,
                } => Data::Fetch(FetchData::new(
                    NonZeroU32::new(seq).unwrap(),
                    NonEmpty::new(vec![
                        MessageAttribute::Flags(flags.to_codec(recent)),
                        MessageAttribute::Uid(NonZeroU32::new(uid).unwrap()),
                    ])
                    .unwrap(),
                )),
            };
            self.send(Response::Data(data));
        }
    }

    fn command(&mut self, tag: Tag<'static>, body: CommandBody<'static>) -> io::Result<()> {
        use StatusKind::{Bad, No, Ok};
        match body {
            CommandBody::Capability => {
                let caps = CapabilityData::new(self.capabilities()).unwrap();
                self.send(Response::Data(Data::Capability(caps)));
                self.complete(tag, Ok, "done", None);
            }
            CommandBody::Noop => {
                self.updates();
                self.complete(tag, Ok, "done", None);
            }
            CommandBody::Logout => {
                self.send(Response::Status(Status::bye(
                    RespText::new(None, text("bye")).unwrap(),
                )));
                self.complete(tag, Ok, "done", None);
            }
            CommandBody::StartTls => self.complete(tag, Ok, "begin TLS", None),
            // RFC 4978 §3: the session signals where compression starts; the driver wraps.
            CommandBody::Compress { .. } if self.compress => {
                self.compress = false;
                self.complete(tag, Ok, "DEFLATE active", None)
            }
            // RFC 4978 §3: BAD when not offered or already active.
            CommandBody::Compress { .. } => {
                self.complete(tag, Bad, "COMPRESS not offered or already active", None)
            }
            CommandBody::Login { username, password } => {
                if username.as_bytes() == USER.as_bytes()
                    && password.as_bytes() == PASSWORD.as_bytes()
                {
                    self.complete(tag, Ok, "welcome", None);
                } else {
                    self.complete(tag, No, "wrong", Some(Code::AuthenticationFailed));
                }
            }
            CommandBody::Authenticate { mechanism, .. } => {
                // The application picks and starts the mechanism; the session runs it
                // (challenges, base64, `*`, the outcome).
                let tls = self.tls_info();
                let started = Mechanism::new(mechanism.as_str())
                    .and_then(|m| self.sasl_config.start(&m, tls.as_ref(), &mut OsNonce));
                match started {
                    Err(_) => self.complete(tag, No, "mechanism not offered", None),
                    Result::Ok(m) => self
                        .session
                        .authenticate_start(&tag, m, Arc::new(Users))
                        .unwrap(),
                }
            }
            CommandBody::Select { ref mailbox, .. } | CommandBody::Examine { ref mailbox, .. } => {
                let read_only = matches!(body, CommandBody::Examine { .. });
                let name = String::from_utf8_lossy(mailbox.as_bytes()).into_owned();
                let selected = self.store.lock().unwrap().select(&name, read_only);
                match selected {
                    Err(_) => self.complete(tag, No, "no such mailbox", Some(Code::NonExistent)),
                    Result::Ok(view) => {
                        let (exists, recent) = (view.exists(), view.recent_count());
                        let info = self
                            .store
                            .lock()
                            .unwrap()
                            .mailbox(&name)
                            .map(|m| (m.uid_validity(), m.uid_next()));
                        self.view = Some(view);
                        self.send(Response::Data(Data::Flags(Flags::new().to_codec(false))));
                        self.send(Response::Data(Data::Exists(exists)));
                        self.send(Response::Data(Data::Recent(recent)));
                        if let Some((validity, next)) = info {
                            let ok = |c| {
                                Response::Status(Status::untagged(
                                    Ok,
                                    RespText::with_code(c, text("info")),
                                ))
                            };
                            self.send(ok(Code::UidValidity(validity)));
                            self.send(ok(Code::UidNext(NonZeroU32::new(next).unwrap())));
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
            CommandBody::Fetch {
                uid,
                sequence_set,
                items,
                ..
            } => {
                let view = self.view.as_ref().unwrap();
                let targets = view.resolve(&sequence_set, uid, &[]);
                let mut atts: Vec<FetchAtt<'_>> = items.expand();
                if uid && !atts.contains(&FetchAtt::Uid) {
                    atts.push(FetchAtt::Uid);
                }
                let fetched = self.store.lock().unwrap().fetch(view, &targets, &atts);
                match fetched {
                    Result::Ok(list) => {
                        for (seq, attributes) in list {
                            let seq = NonZeroU32::new(seq).unwrap();
                            let Some(attributes) = NonEmpty::new(attributes).ok() else {
                                continue;
                            };
                            self.send(Response::Data(Data::Fetch(FetchData::new(seq, attributes))));
                        }
                        self.complete(tag, Ok, "fetched", None);
                    }
                    Err(e) => self.complete(tag, No, &format!("{e:?}"), None),
                }
            }
            CommandBody::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags,
                ..
            } => {
                let view = self.view.as_ref().unwrap();
                let targets = view.resolve(&sequence_set, uid, &[]);
                let flags = Flags::from_codec(&flags.flags().collect::<Vec<_>>()).unwrap();
                let stored = self
                    .store
                    .lock()
                    .unwrap()
                    .store(view, &targets, action, &flags);
                match stored {
                    Result::Ok(list) => {
                        for (seq, u, f) in list.into_iter().filter(|_| !silent) {
                            let mut attributes = vec![MessageAttribute::Flags(f.to_codec(false))];
                            if uid {
                                attributes.push(MessageAttribute::Uid(NonZeroU32::new(u).unwrap()));
                            }
                            let seq = NonZeroU32::new(seq).unwrap();
                            let Some(attributes) = NonEmpty::new(attributes).ok() else {
                                continue;
                            };
                            self.send(Response::Data(Data::Fetch(FetchData::new(seq, attributes))));
                        }
                        self.complete(tag, Ok, "stored", None);
                    }
                    Err(e) => self.complete(tag, No, &format!("{e:?}"), None),
                }
            }
            CommandBody::Search {
                uid,
                charset,
                criteria,
                ..
            } => {
                let view = self.view.as_ref().unwrap();
                let keys: &[SearchKey<'_>] = &criteria.to_vec();
                let found = compile(charset.as_ref(), keys)
                    .ok()
                    .and_then(|p| self.store.lock().unwrap().search(view, &p, uid, None).ok());
                match found {
                    Some(r) => {
                        let n = r
                            .numbers()
                            .iter()
                            .filter_map(|&n| NonZeroU32::new(n))
                            .collect();
                        self.send(Response::Data(Data::Search(n)));
                        self.complete(tag, Ok, "searched", None);
                    }
                    None => self.complete(tag, Bad, "cannot search", None),
                }
            }
            CommandBody::Append {
                mailbox,
                flags,
                date: d,
                message,
                more,
            } if more.is_empty() && message.data().is_some() => {
                let name = String::from_utf8_lossy(mailbox.as_bytes()).into_owned();
                let flags = Flags::from_codec(flags.as_deref().unwrap_or(&[])).unwrap();
                let appended = self.store.lock().unwrap().append(
                    &name,
                    message.data().unwrap_or_default().to_vec(),
                    flags,
                    d.unwrap_or_else(date),
                );
                match appended {
                    Result::Ok((uid_validity, uid)) => self.complete(
                        tag,
                        Ok,
                        "appended",
                        Some(Code::AppendUid(AppendUid::new(uid_validity, uid))),
                    ),
                    Err(_) => self.complete(tag, No, "cannot append", Some(Code::TryCreate)),
                }
            }
            CommandBody::Idle => {
                self.idling = true;
                self.send(Response::Continuation(
                    ContinuationRequest::new(None, text("idling")).unwrap(),
                ));
            }
            _ => self.complete(tag, Bad, "not in this test server", None),
        }
        Result::Ok(())
    }

    fn event(&mut self, e: ServerEvent) -> io::Result<()> {
        match e {
            ServerEvent::Command(c) => self.command(c.tag, c.body)?,
            ServerEvent::IdleDone { tag } => {
                self.idling = false;
                self.complete(tag, StatusKind::Ok, "idle done", None);
            }
            _ => {}
        }
        Result::Ok(())
    }
}

fn serve_imap(
    stream: TcpStream,
    mode: Mode,
    tls: &Tls,
    store: &Arc<Mutex<Store>>,
) -> io::Result<()> {
    stream.set_read_timeout(Some(POLL))?;
    let mut conn = Conn::Plain(stream);
    let mut c = ImapConn::new(mode, store.clone());
    if mode == Mode::Implicit {
        conn = conn.upgrade(&tls.config, HANDSHAKE)?;
        c.tls_on = true;
    }
    let greeting = c.greeting();
    c.session.send_greeting(greeting).unwrap();
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
                    conn = std::mem::take(&mut conn).upgrade(&tls.config, HANDSHAKE)?;
                    c.tls_on = true;
                    c.session.handle_tls_established().unwrap();
                } else {
                    c.event(e)?;
                }
            }
            continue;
        }
        if c.session.is_closed() {
            return Result::Ok(());
        }
        match conn.read(&mut buf) {
            Result::Ok(0) => c.session.handle_eof(),
            Result::Ok(n) => c
                .session
                .handle_input(&buf[..n])
                .map_err(io::Error::other)?,
            Err(e) if timed_out(&e) => {
                if c.idling {
                    c.updates();
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// A POP3 server whose maildrop holds `messages` (fresh for every connection; deletions
/// committed at QUIT are counted in the returned counter).
pub fn spawn_pop3(mode: Mode, messages: &[&[u8]]) -> (TestServer, Arc<Mutex<Vec<u32>>>) {
    let messages: Arc<Vec<Vec<u8>>> = Arc::new(messages.iter().map(|m| m.to_vec()).collect());
    let deleted = Arc::new(Mutex::new(Vec::new()));
    let tls = Arc::new(make_tls());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let cert = tls.cert.clone();
    let d = deleted.clone();
    accept_loop(listener, move |stream| {
        let _ = serve_pop3(stream, mode, &tls, &messages, &d);
    });
    let store = Arc::new(Mutex::new(Store::default()));
    (TestServer { addr, cert, store }, deleted)
}

fn serve_pop3(
    stream: TcpStream,
    mode: Mode,
    tls: &Tls,
    messages: &[Vec<u8>],
    deleted: &Mutex<Vec<u32>>,
) -> io::Result<()> {
    use pop3_codec::{
        ApopDigest, Capability as Cap, Greeting as PopGreeting, Mechanism as PopMech,
    };
    use pop3_session::{
        Credentials as PopCreds, Maildrop, MessageInfo, Refusal, ServerConfig as PopConfig,
        ServerEvent as Ev, ServerOutput as Out, ServerSession as PopSession,
    };
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut conn = Conn::Plain(stream);
    if mode == Mode::Implicit {
        conn = conn.upgrade(&tls.config, HANDSHAKE)?;
    }
    let sasl = mailproto_sasl::ServerConfig::default();
    let tls_info = conn.is_tls().then(TlsInfo::default);
    let mut caps = vec![Cap::User, Cap::Top, Cap::Uidl, Cap::Pipelining];
    // The mechanisms offered under TLS (the test client only authenticates there).
    let offered = sasl.advertised(Some(&TlsInfo::default()));
    caps.push(Cap::Sasl(
        offered
            .iter()
            .map(|m| PopMech::new(m.as_str().to_owned()).unwrap())
            .collect(),
    ));
    if mode == Mode::StartTls {
        caps.push(Cap::Stls);
    }
    let greeting = pop3_codec::IntoStatic::into_static(
        PopGreeting::parse(b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n").unwrap(),
    );
    let config = PopConfig::new(greeting)
        .with_capabilities(caps)
        .with_tls_active(conn.is_tls());
    let mut session = PopSession::new(config);
    let maildrop = || {
        Maildrop::new(
            messages
                .iter()
                .enumerate()
                .map(|(i, m)| MessageInfo {
                    size: m.len() as u64,
                    uid: Some(pop3_codec::UniqueId::new(format!("uid-{}", i + 1)).unwrap()),
                })
                .collect(),
        )
    };
    let mut mech: Option<Box<dyn ServerMechanism>> = None;
    let mut tls_info = tls_info;
    let mut buf = vec![0; 16 * 1024];
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
                Ev::Authenticate(PopCreds::UserPass { name, password }) => {
                    if name.as_str() == USER && password.as_str() == PASSWORD {
                        session.accept_login(maildrop()).unwrap();
                    } else {
                        session.reject_login(Refusal::auth()).unwrap();
                    }
                    None
                }
                Ev::Authenticate(PopCreds::Apop {
                    name,
                    digest,
                    timestamp,
                }) => {
                    if name.as_str() == USER
                        && ApopDigest::compute(&timestamp, PASSWORD.as_bytes()).verify(&digest)
                    {
                        session.accept_login(maildrop()).unwrap();
                    } else {
                        session.reject_login(Refusal::auth()).unwrap();
                    }
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
                            let step = m.start(initial_response.as_deref(), &Users);
                            mech = Some(m);
                            Some(step)
                        }
                        Err(_) => {
                            session.reject_login(Refusal::auth()).unwrap();
                            None
                        }
                    }
                }
                Ev::SaslResponse(data) => mech.as_mut().map(|m| m.step(&data, &Users)),
                Ev::StartTls => {
                    conn = std::mem::take(&mut conn).upgrade(&tls.config, HANDSHAKE)?;
                    tls_info = Some(TlsInfo::default());
                    session.handle_tls_established().unwrap();
                    None
                }
                Ev::Retrieve { msg, .. } => {
                    let m = &messages[msg.get() as usize - 1];
                    for chunk in m.chunks(7) {
                        session.send_body(chunk).unwrap();
                    }
                    session.end_body().unwrap();
                    None
                }
                Ev::Update { deleted: d } => {
                    deleted.lock().unwrap().extend(d.iter().map(|n| n.get()));
                    session.commit_update(Ok(())).unwrap();
                    None
                }
                Ev::Closed(_) => {
                    while let Some(out) = session.poll_output() {
                        if let Out::Transmit(b) = out {
                            conn.write_all(b)?;
                        }
                    }
                    conn.flush()?;
                    return Ok(());
                }
                _ => None,
            };
            match step {
                Some(ServerStep::Challenge(c)) => session.sasl_challenge(&c).unwrap(),
                Some(ServerStep::Success(_)) => session.accept_login(maildrop()).unwrap(),
                Some(_) => session.reject_login(Refusal::auth()).unwrap(),
                None => {}
            }
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

/// Where an example connects: `HOST PORT USER PASSWORD` from the arguments, else the
/// `MAILPROTO_HOST`, `MAILPROTO_PORT`, `MAILPROTO_USER`, `MAILPROTO_PASSWORD` variables, else
/// an in-process server (`imap: true` for IMAP, else POP3) started with `mode`, whose
/// certificate is trusted.
pub struct Target {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub tls: mailproto_client::TlsConfig,
    /// How to connect: the example's mode, or `MAILPROTO_TLS` (implicit, starttls, none) for a
    /// server given on the command line (the CI's Dovecot has no TLS).
    pub mode: mailproto_client::Tls,
}

pub fn target(imap: bool, mode: Mode) -> Target {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = |k: &str| std::env::var(format!("MAILPROTO_{k}")).ok();
    let given = if args.len() == 4 {
        Some((
            args[0].clone(),
            args[1].clone(),
            args[2].clone(),
            args[3].clone(),
        ))
    } else {
        (|| Some((env("HOST")?, env("PORT")?, env("USER")?, env("PASSWORD")?)))()
    };
    let mut connect = match mode {
        Mode::Implicit => mailproto_client::Tls::Implicit,
        Mode::StartTls => mailproto_client::Tls::StartTls,
        Mode::Plain => mailproto_client::Tls::None,
    };
    if let Some((host, port, user, password)) = given {
        let port = port.parse().expect("PORT is a number");
        let tls = mailproto_client::TlsConfig::new();
        match env("TLS").as_deref() {
            Some("none") => connect = mailproto_client::Tls::None,
            Some("starttls") => connect = mailproto_client::Tls::StartTls,
            Some("implicit") | None => {}
            Some(other) => panic!("MAILPROTO_TLS: implicit, starttls or none, not {other}"),
        }
        return Target {
            host,
            port,
            user,
            password,
            tls,
            mode: connect,
        };
    }
    let hello: &[u8] = b"From: Alice <alice@example.org>\r\nSubject: Hello\r\n\r\nHi Bob!\r\n";
    let server = if imap {
        spawn_imap(mode, &[hello])
    } else {
        spawn_pop3(mode, &[hello]).0
    };
    Target {
        host: "127.0.0.1".into(),
        port: server.addr.port(),
        user: USER.into(),
        password: PASSWORD.into(),
        tls: mailproto_client::TlsConfig::new().trust_certificate(server.cert),
        mode: connect,
    }
}
