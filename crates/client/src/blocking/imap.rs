//! The blocking IMAP client: [`imap_session::ClientSession`] over a `TcpStream`.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::num::NonZeroU32;
use std::time::Duration;

use imap_codec::command::{FetchItems, SearchKey, StoreAction, StoreFlags};
use imap_codec::response::GreetingKind;
use imap_codec::{
    AString, Capability, CommandBody, Data, DateTime, Flag, Greeting, Literal, Mailbox,
    SequenceSet, Status,
};
use imap_session::{ClientEvent, ClientOutput, ClientSession, CommandHandle};
use imap_session::{MailboxView, State};
use mailproto_sasl::{Credentials, Mechanism};

use crate::blocking::stream::Stream;
pub use crate::imap::Config;
use crate::imap::{Collected, Collector, Fetch, Step, literal_room, status_error};
use crate::tls::Tls;
use crate::{Error, Result};

/// A blocking IMAP client (RFC 9051, RFC 3501). Each method sends one command through the
/// session, writes what the session transmits, reads until the command's tagged
/// completion, and returns the untagged data the session attributed to it. Data the server
/// sent unasked (EXISTS, EXPUNGE, FETCH flags of other clients' changes) is kept for
/// [`take_unsolicited`](Client::take_unsolicited), [`noop`](Client::noop) and
/// [`idle`](Client::idle); the [`mailbox`](Client::mailbox) view is kept by the session.
#[derive(Debug)]
pub struct Client {
    stream: Stream,
    session: ClientSession,
    host: String,
    config: Config,
    buf: Box<[u8]>,
    pending: VecDeque<ClientEvent>,
    unsolicited: Vec<Data<'static>>,
    greeting: Option<Greeting<'static>>,
    /// COMPRESS=DEFLATE is on (RFC 4978).
    #[cfg(feature = "compress")]
    deflate: Option<crate::compress::Deflate>,
}

/// Size of one socket read.
const READ_SIZE: usize = 16 * 1024;

impl Client {
    /// Connects to `host:port`, reads the greeting and, with [`Tls::StartTls`], runs
    /// STARTTLS (RFC 9051 §6.2.1) and the handshake before returning.
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(level = "debug", skip_all, fields(host, port, ?tls))
    )]
    pub fn connect(host: &str, port: u16, tls: Tls, config: Config) -> Result<Client> {
        let stream = Stream::connect(
            host,
            port,
            tls == Tls::Implicit,
            &config.tls,
            config.read_timeout,
        )?;
        let mut client = Client {
            stream,
            session: ClientSession::new(crate::imap::session_config(&config.session, tls)),
            host: host.to_owned(),
            config,
            buf: vec![0; READ_SIZE].into_boxed_slice(),
            pending: VecDeque::new(),
            unsolicited: Vec::new(),
            greeting: None,
            #[cfg(feature = "compress")]
            deflate: None,
        };
        while client.greeting.is_none() {
            client.step_io()?;
            while let Some(event) = client.pending.pop_front() {
                match event {
                    ClientEvent::Greeting(g) => {
                        if g.kind() == GreetingKind::Bye {
                            return Err(Error::Bye {
                                text: g.text().as_str().to_owned(),
                            });
                        }
                        client.greeting = Some(g);
                    }
                    other => client.other_event(other, None)?,
                }
            }
        }
        if tls == Tls::StartTls {
            client.starttls()?;
        }
        Ok(client)
    }

    /// The greeting (RFC 9051 §7.1).
    pub fn greeting(&self) -> Option<&Greeting<'static>> {
        self.greeting.as_ref()
    }

    /// The session, for its getters (state, capabilities, ...).
    pub fn session(&self) -> &ClientSession {
        &self.session
    }

    /// The connection state (RFC 9051 §3).
    pub fn state(&self) -> State {
        self.session.state()
    }

    /// True when the connection is protected by TLS.
    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// The selected mailbox as the session knows it (EXISTS, FLAGS, UIDVALIDITY, ...).
    pub fn mailbox(&self) -> Option<&MailboxView> {
        self.session.mailbox()
    }

    /// Untagged data no command asked for (EXISTS, EXPUNGE, FETCH of flag changes), received
    /// since the last call.
    pub fn take_unsolicited(&mut self) -> Vec<Data<'static>> {
        std::mem::take(&mut self.unsolicited)
    }

    // ---- the run loop ----

    /// Writes what the session transmits, then reads once from the socket and hands the
    /// bytes to the session (or the end of stream), and drains its events into `pending`.
    fn step_io(&mut self) -> Result<()> {
        self.drain()?;
        if !self.pending.is_empty() {
            return Ok(());
        }
        if self.session.is_closed() {
            return Err(Error::Closed);
        }
        let n = self.stream.read(&mut self.buf)?;
        if n == 0 {
            self.session.handle_eof();
        } else {
            self.input(n)?;
        }
        self.drain()
    }

    /// Hands the `n` octets read to the session, inflated when COMPRESS is on.
    fn input(&mut self, n: usize) -> Result<()> {
        #[cfg(feature = "compress")]
        if let Some(z) = &mut self.deflate {
            let mut plain = Vec::new();
            z.decompress(&self.buf[..n], &mut plain)?;
            self.session.handle_input(&plain)?;
            return Ok(());
        }
        self.session.handle_input(&self.buf[..n])?;
        Ok(())
    }

    /// The drain rule: `poll_output` until `None`, transmits written at once.
    fn drain(&mut self) -> Result<()> {
        let mut wrote = false;
        while let Some(out) = self.session.poll_output() {
            match out {
                ClientOutput::Transmit(bytes) => {
                    #[cfg(feature = "compress")]
                    if let Some(z) = &mut self.deflate {
                        let mut packed = Vec::new();
                        z.compress(bytes, &mut packed)?;
                        self.stream.write_all(&packed)?;
                        wrote = true;
                        continue;
                    }
                    self.stream.write_all(bytes)?;
                    wrote = true;
                }
                ClientOutput::Event(e) => self.pending.push_back(e),
                // Streaming is off in the shells' session configuration.
                ClientOutput::LiteralChunk { .. } => {}
            }
        }
        if wrote {
            self.stream.flush()?;
        }
        Ok(())
    }

    /// An event no command waits for ([`crate::imap::unsolicited`]).
    fn other_event(&mut self, event: ClientEvent, waiting: Option<CommandHandle>) -> Result<()> {
        crate::imap::unsolicited(&mut self.unsolicited, event, waiting.is_some())
    }

    /// Sends `body` and collects its data until the tagged completion; `hook` sees every
    /// event first (AUTHENTICATE challenges, IDLE acceptance, STARTTLS).
    fn run_with(
        &mut self,
        body: CommandBody<'_>,
        hook: impl FnMut(&mut ClientSession, &ClientEvent) -> Result<()>,
    ) -> Result<Collected> {
        let handle = self.session.send(body)?;
        self.wait(handle, hook)
    }

    /// Collects the data of the command `handle` until its tagged completion
    /// ([`crate::imap::Collector`]).
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(level = "debug", skip_all, fields(?handle))
    )]
    fn wait(
        &mut self,
        handle: CommandHandle,
        mut hook: impl FnMut(&mut ClientSession, &ClientEvent) -> Result<()>,
    ) -> Result<Collected> {
        let mut collector = Collector::new(handle);
        loop {
            while let Some(event) = self.pending.pop_front() {
                hook(&mut self.session, &event)?;
                match collector.event(event) {
                    Step::Kept => {}
                    Step::Done(done) => {
                        self.drain()?;
                        return done;
                    }
                    Step::Other(other) => self.other_event(other, Some(handle))?,
                }
            }
            self.step_io()?;
        }
    }

    fn run(&mut self, body: CommandBody<'_>) -> Result<Collected> {
        self.run_with(body, |_, _| Ok(()))
    }

    // ---- commands ----

    /// `STARTTLS` (RFC 9051 §6.2.1): the session says when TLS starts; the stream is then
    /// swapped for a TLS stream and the session told (`handle_tls_established`). Bytes the
    /// server sent after its OK are refused: the session reports them
    /// (`StartTlsInjection`) and this returns [`Error::ImapProtocol`].
    pub fn starttls(&mut self) -> Result<()> {
        let mut discarded = None;
        self.run_with(CommandBody::StartTls, |_, e| {
            if let ClientEvent::TlsRequired { discarded: d } = e {
                discarded = Some(*d);
            }
            Ok(())
        })?;
        // TlsRequired may follow the completion in the same drain.
        while discarded.is_none() {
            match self.pending.pop_front() {
                Some(ClientEvent::TlsRequired { discarded: d }) => discarded = Some(d),
                Some(other) => self.other_event(other, None)?,
                None if self.session.is_awaiting_tls() => discarded = Some(0),
                None => return Err(Error::Closed),
            }
        }
        let stream = std::mem::replace(&mut self.stream, Stream::Gone);
        self.stream = stream.start_tls(&self.host, &self.config.tls)?;
        self.session.handle_tls_established()?;
        Ok(())
    }

    /// `CAPABILITY` (RFC 9051 §6.1.1), or what the session already knows.
    pub fn capabilities(&mut self) -> Result<Vec<Capability<'static>>> {
        if let Some(caps) = self.session.capabilities() {
            return Ok(caps.to_vec());
        }
        self.run(CommandBody::Capability)?;
        Ok(self.session.capabilities().unwrap_or_default().to_vec())
    }

    /// `LOGIN` (RFC 9051 §6.2.3). The session refuses it under `LOGINDISABLED`.
    pub fn login(&mut self, user: &str, password: &str) -> Result<()> {
        self.run(CommandBody::Login {
            username: AString::new(user)?,
            password: AString::new(password)?,
        })?;
        Ok(())
    }

    /// `AUTHENTICATE` (RFC 9051 §6.2.2) with the strongest mechanism the server offers
    /// for these credentials (mailproto-sasl's `choose`: SCRAM-SHA-256 before PLAIN),
    /// the initial response inline when the server announced `SASL-IR` (RFC 4959). For
    /// SCRAM the server's signature is verified before this returns `Ok`.
    pub fn authenticate(&mut self, credentials: &Credentials) -> Result<Mechanism> {
        let caps = self.capabilities()?;
        let advertised: Vec<Mechanism> = caps
            .iter()
            .filter_map(|c| match c {
                Capability::Auth(m) => Mechanism::new(m.as_str()).ok(),
                _ => None,
            })
            .collect();
        let mut sasl = self.config.sasl.clone();
        sasl.tls = self.stream.is_tls();
        if sasl.choose(&advertised, credentials).is_none() {
            return Err(Error::NoMechanism);
        }
        // The session runs the exchange (base64, SASL-IR, `*`, the server's proof).
        let (handle, mechanism) =
            self.session
                .authenticate_with(&sasl, credentials, &mut mailproto_sasl::OsNonce)?;
        let mut failed = None;
        let done = self.wait(handle, |_, event| {
            if let ClientEvent::AuthenticationFailed { error, .. } = event {
                failed = Some(error.clone());
            }
            Ok(())
        });
        // The outcome follows the completion in the same drain.
        while let Some(event) = self.pending.pop_front() {
            match event {
                ClientEvent::AuthenticationFailed { error, .. } => failed = Some(error),
                ClientEvent::Authenticated { .. } => {}
                other => self.other_event(other, None)?,
            }
        }
        if let Some(error) = failed {
            return Err(error.into());
        }
        done?;
        Ok(mechanism)
    }

    /// `COMPRESS DEFLATE` (RFC 4978): after the OK every byte both ways is deflated. The
    /// session says where compression starts and hands back what the server sent after its
    /// OK, which is inflated first.
    #[cfg(feature = "compress")]
    pub fn compress(&mut self) -> Result<()> {
        let mut compressed = None;
        self.run_with(
            CommandBody::Compress {
                algorithm: imap_codec::CompressionAlgorithm::Deflate,
            },
            |_, e| {
                if let ClientEvent::CompressionStarted { compressed: c, .. } = e {
                    compressed = Some(c.clone());
                }
                Ok(())
            },
        )?;
        while compressed.is_none() {
            match self.pending.pop_front() {
                Some(ClientEvent::CompressionStarted { compressed: c, .. }) => compressed = Some(c),
                Some(other) => self.other_event(other, None)?,
                None => return Err(Error::Closed),
            }
        }
        let mut z = crate::compress::Deflate::new();
        let mut plain = Vec::new();
        z.decompress(&compressed.unwrap_or_default(), &mut plain)?;
        self.deflate = Some(z);
        if !plain.is_empty() {
            self.session.handle_input(&plain)?;
        }
        self.drain()
    }

    /// True once COMPRESS is on.
    pub fn is_compressed(&self) -> bool {
        #[cfg(feature = "compress")]
        return self.deflate.is_some();
        #[cfg(not(feature = "compress"))]
        false
    }

    /// `SELECT` (RFC 9051 §6.3.2): the mailbox view the session built from the answer.
    pub fn select(&mut self, mailbox: &str) -> Result<MailboxView> {
        self.run(CommandBody::Select {
            mailbox: Mailbox::new(mailbox)?,
            params: Vec::new(),
        })?;
        Ok(self.session.mailbox().cloned().unwrap_or_default())
    }

    /// `EXAMINE` (RFC 9051 §6.3.3): SELECT, read-only.
    pub fn examine(&mut self, mailbox: &str) -> Result<MailboxView> {
        self.run(CommandBody::Examine {
            mailbox: Mailbox::new(mailbox)?,
            params: Vec::new(),
        })?;
        Ok(self.session.mailbox().cloned().unwrap_or_default())
    }

    /// `FETCH` (RFC 9051 §6.4.5): the FETCH data the session attributed to this command.
    pub fn fetch(&mut self, set: &SequenceSet, items: FetchItems<'_>) -> Result<Vec<Fetch>> {
        self.fetch_impl(false, set, items)
    }

    /// `UID FETCH` (RFC 9051 §6.4.9): `set` holds UIDs.
    pub fn uid_fetch(&mut self, set: &SequenceSet, items: FetchItems<'_>) -> Result<Vec<Fetch>> {
        self.fetch_impl(true, set, items)
    }

    fn fetch_impl(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        items: FetchItems<'_>,
    ) -> Result<Vec<Fetch>> {
        let c = self.run(CommandBody::Fetch {
            uid,
            sequence_set: set.clone(),
            items,
            modifiers: Vec::new(),
        })?;
        Ok(Fetch::collect(c.data))
    }

    /// `STORE` (RFC 9051 §6.4.6): the new flags as FETCH data (none with `silent`).
    pub fn store(
        &mut self,
        set: &SequenceSet,
        action: StoreAction,
        flags: &[Flag<'_>],
        silent: bool,
    ) -> Result<Vec<Fetch>> {
        self.store_impl(false, set, action, flags, silent)
    }

    /// `UID STORE` (RFC 9051 §6.4.9).
    pub fn uid_store(
        &mut self,
        set: &SequenceSet,
        action: StoreAction,
        flags: &[Flag<'_>],
        silent: bool,
    ) -> Result<Vec<Fetch>> {
        self.store_impl(true, set, action, flags, silent)
    }

    fn store_impl(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        action: StoreAction,
        flags: &[Flag<'_>],
        silent: bool,
    ) -> Result<Vec<Fetch>> {
        let c = self.run(CommandBody::Store {
            uid,
            sequence_set: set.clone(),
            action,
            silent,
            flags: StoreFlags::List(flags.iter().cloned().collect()),
            modifiers: Vec::new(),
        })?;
        Ok(Fetch::collect(c.data))
    }

    /// `SEARCH` (RFC 9051 §6.4.4): the matching sequence numbers.
    pub fn search(&mut self, criteria: Vec<SearchKey<'_>>) -> Result<Vec<NonZeroU32>> {
        self.search_impl(false, criteria)
    }

    /// `UID SEARCH` (RFC 9051 §6.4.9): the matching UIDs.
    pub fn uid_search(&mut self, criteria: Vec<SearchKey<'_>>) -> Result<Vec<NonZeroU32>> {
        self.search_impl(true, criteria)
    }

    fn search_impl(&mut self, uid: bool, criteria: Vec<SearchKey<'_>>) -> Result<Vec<NonZeroU32>> {
        let c = self.run(CommandBody::Search {
            uid,
            return_opts: None,
            charset: None,
            criteria: imap_codec::command::SearchProgram::new(criteria)?,
        })?;
        Ok(crate::imap::search_numbers(&c.data))
    }

    /// `APPEND` (RFC 9051 §6.3.12) of `message` to `mailbox`. Returns the tagged OK (its
    /// code is `APPENDUID` when the server has UIDPLUS, RFC 4315).
    pub fn append(
        &mut self,
        mailbox: &str,
        flags: &[Flag<'_>],
        date: Option<DateTime>,
        message: &[u8],
    ) -> Result<Status<'static>> {
        let c = self.run(CommandBody::Append {
            mailbox: Mailbox::new(mailbox)?,
            flags: (!flags.is_empty()).then(|| flags.to_vec()),
            date,
            message: imap_codec::command::AppendData::Literal(Literal::new(message)?),
            more: Vec::new(),
        })?;
        Ok(c.status)
    }

    /// `APPEND` (RFC 9051 §6.3.12) of a message of `length` octets read from `reader`, in
    /// constant memory: the literal is announced with its length (RFC 9051 §4.3), and the
    /// session asks for its data ([`ClientEvent::LiteralWanted`]) after the server's `+` (or
    /// at once for a non-synchronizing literal, RFC 7888); it is then read and sent 16 KiB
    /// at a time. A reader that ends early is an I/O error (`UnexpectedEof`) and leaves the
    /// connection unusable (the server still waits for the literal): drop the client.
    pub fn append_reader(
        &mut self,
        mailbox: &str,
        flags: &[Flag<'_>],
        date: Option<DateTime>,
        length: u64,
        mut reader: impl Read,
    ) -> Result<Status<'static>> {
        let handle = crate::imap::start_append(&mut self.session, mailbox, flags, date, length)?;
        let mut collector = Collector::new(handle);
        let mut chunk = vec![0; READ_SIZE];
        loop {
            while let Some(event) = self.pending.pop_front() {
                match event {
                    ClientEvent::LiteralWanted { handle: h, .. } if h == handle => {
                        while let Some((left, want)) = literal_room(&self.session, chunk.len()) {
                            let n = reader.read(&mut chunk[..want])?;
                            crate::imap::push_read(&mut self.session, left, &chunk[..n])?;
                            self.drain()?;
                        }
                    }
                    event => match collector.event(event) {
                        Step::Kept => {}
                        Step::Done(done) => {
                            self.drain()?;
                            return done.map(|c| c.status);
                        }
                        Step::Other(other) => self.other_event(other, Some(handle))?,
                    },
                }
            }
            self.step_io()?;
        }
    }

    /// `NOOP` (RFC 9051 §6.1.2): the untagged data received meanwhile (EXISTS, EXPUNGE,
    /// FETCH flag changes), those held from earlier calls first.
    pub fn noop(&mut self) -> Result<Vec<Data<'static>>> {
        self.run(CommandBody::Noop)?;
        Ok(self.take_unsolicited())
    }

    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13): waits until the server reports a change or
    /// `timeout` passes without one (the socket's read timeout is the only clock), then
    /// sends `DONE` and returns the changes (with those held from earlier calls).
    /// Servers may drop clients idle for 30 minutes: keep `timeout` under 29 (§6.3.13).
    pub fn idle(&mut self, timeout: Duration) -> Result<Vec<Data<'static>>> {
        let mut accepted = false;
        let handle = self.session.send(CommandBody::Idle)?;
        // Until the server's "+": collect what arrives.
        while !accepted {
            self.step_io()?;
            while let Some(event) = self.pending.pop_front() {
                match event {
                    ClientEvent::IdleAccepted { handle: h } if h == handle => accepted = true,
                    ClientEvent::Completed { handle: h, status } if h == handle => {
                        return Err(status_error(&status).unwrap_or(Error::Closed));
                    }
                    other => self.other_event(other, Some(handle))?,
                }
            }
        }
        let before = self.stream.read_timeout()?;
        self.stream.set_read_timeout(Some(timeout))?;
        let waited = self.idle_wait();
        self.stream.set_read_timeout(before)?;
        waited?;
        self.session.idle_done()?;
        loop {
            self.step_io()?;
            while let Some(event) = self.pending.pop_front() {
                match event {
                    ClientEvent::Completed { handle: h, status } if h == handle => {
                        if let Some(e) = status_error(&status) {
                            return Err(e);
                        }
                        return Ok(self.take_unsolicited());
                    }
                    ClientEvent::Data { data, .. } => self.unsolicited.push(data),
                    other => self.other_event(other, Some(handle))?,
                }
            }
        }
    }

    /// Reads until a change arrives or a read times out.
    fn idle_wait(&mut self) -> Result<()> {
        while self.unsolicited.is_empty() {
            match self.step_io() {
                Ok(()) => {}
                Err(Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
            while let Some(event) = self.pending.pop_front() {
                match event {
                    ClientEvent::Data { data, .. } => self.unsolicited.push(data),
                    other => self.other_event(other, None)?,
                }
            }
        }
        Ok(())
    }

    /// `CLOSE` (RFC 9051 §6.4.1).
    pub fn close(&mut self) -> Result<()> {
        self.run(CommandBody::Close)?;
        Ok(())
    }

    /// `EXPUNGE` (RFC 9051 §6.4.3): the sequence numbers expunged, in the server's order.
    pub fn expunge(&mut self) -> Result<Vec<NonZeroU32>> {
        let c = self.run(CommandBody::Expunge)?;
        Ok(c.data
            .iter()
            .filter_map(|d| match d {
                Data::Expunge(n) => Some(*n),
                _ => None,
            })
            .collect())
    }

    /// Any command, for what this client has no method for: its attributed data, untagged
    /// status responses and tagged completion.
    pub fn command(&mut self, body: CommandBody<'_>) -> Result<Collected> {
        self.run(body)
    }

    /// `LOGOUT` (RFC 9051 §6.1.3): the server's BYE is expected; the connection is closed.
    pub fn logout(mut self) -> Result<()> {
        let handle = self.session.send(CommandBody::Logout)?;
        let mut done = false;
        while !done {
            self.step_io()?;
            while let Some(event) = self.pending.pop_front() {
                match event {
                    ClientEvent::Completed { handle: h, status } if h == handle => {
                        if let Some(e) = status_error(&status) {
                            return Err(e);
                        }
                        done = true;
                    }
                    ClientEvent::Bye(_) | ClientEvent::Closed => {}
                    other => self.other_event(other, Some(handle))?,
                }
            }
        }
        self.stream.shutdown();
        Ok(())
    }
}
