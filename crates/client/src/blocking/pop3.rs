//! The blocking POP3 client: [`pop3_session::ClientSession`] over a `TcpStream`.

use std::io::{Read, Write};

use mailproto_sasl::{Credentials, Mechanism};
use pop3_codec::{
    Capability, Command, MsgNumber, Param, ScanListing, Secret, StatusLine, UidListing,
};
use pop3_session::{ClientClose, ClientEvent, ClientOutput, ClientSession, ClientState};

use crate::blocking::stream::Stream;
pub use crate::pop3::Config;
use crate::tls::Tls;
use crate::{Error, Result};

/// What a command's answer was, as far as the waiting loop cares.
enum Answer {
    Ok(StatusLine<'static>),
    Stat(u32, u64),
    Scan(Vec<ScanListing<'static>>),
    Uids(Vec<UidListing<'static>>),
    Body(u64),
    Quit(bool),
    Capabilities,
    StartTls,
}

/// A blocking POP3 client (RFC 1939, RFC 2449, RFC 2595, RFC 5034). Each method sends one
/// command through the session and reads until its answer; message bodies go to an
/// `io::Write` chunk by chunk as they arrive (memory bounded by one read).
#[derive(Debug)]
pub struct Client {
    stream: Stream,
    session: ClientSession,
    host: String,
    config: Config,
    buf: Box<[u8]>,
}

impl Client {
    /// Connects to `host:port` and reads the greeting; with [`Tls::StartTls`] runs STLS
    /// (RFC 2595 §4) before returning.
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(level = "debug", skip_all, fields(host, port, ?tls))
    )]
    pub fn connect(host: &str, port: u16, tls: Tls, config: Config) -> Result<Client> {
        let implicit = tls == Tls::Implicit;
        let stream = Stream::connect(host, port, implicit, &config.tls, config.read_timeout)?;
        let session = if implicit {
            ClientSession::new_tls(config.limits)
        } else {
            ClientSession::new(config.limits)
        };
        let mut client = Client {
            stream,
            session,
            host: host.to_owned(),
            config,
            buf: vec![0; 16 * 1024].into_boxed_slice(),
        };
        while client.session.greeting().is_none() {
            client.wait(&mut std::io::sink(), true)?;
        }
        if tls == Tls::StartTls {
            client.stls()?;
        }
        Ok(client)
    }

    /// The session, for its getters (state, greeting, capabilities).
    pub fn session(&self) -> &ClientSession {
        &self.session
    }

    /// True when the connection is protected by TLS.
    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// Drains the session (transmits written, events acted on) and reads from the socket
    /// until one answer arrives; body chunks go to `body`. With `greeting`, returns after
    /// the greeting.
    fn wait(&mut self, body: &mut dyn Write, greeting: bool) -> Result<Answer> {
        let mut written = 0u64;
        // A SASL failure the session reported (its -ERR or close follows).
        let mut sasl_failed: Option<mailproto_sasl::SaslError> = None;
        loop {
            let mut answer = None;
            let mut wrote = false;
            while let Some(out) = self.session.poll_output() {
                let event = match out {
                    ClientOutput::Transmit(bytes) => {
                        self.stream.write_all(bytes)?;
                        wrote = true;
                        continue;
                    }
                    ClientOutput::Event(e) => e,
                };
                let a = match event {
                    ClientEvent::Greeting(_) if greeting => Answer::Capabilities,
                    ClientEvent::Capabilities { .. } => Answer::Capabilities,
                    ClientEvent::StartTls { .. } => Answer::StartTls,
                    ClientEvent::SaslChallenge { .. } => {
                        // Only exchanges the session runs are started by the shell.
                        return Err(Error::Sasl(mailproto_sasl::SaslError::Unexpected(
                            "a challenge for an exchange the shell does not run",
                        )));
                    }
                    ClientEvent::LoggedIn { status, .. } | ClientEvent::Ok { status, .. } => {
                        Answer::Ok(status)
                    }
                    ClientEvent::AuthenticationFailed { error, .. } => {
                        sasl_failed = Some(error);
                        continue;
                    }
                    ClientEvent::AuthFailed { .. } | ClientEvent::PeerError(_)
                        if sasl_failed.is_some() =>
                    {
                        return Err(Error::Sasl(
                            sasl_failed
                                .take()
                                .unwrap_or_else(|| unreachable!("checked by the guard")),
                        ));
                    }
                    ClientEvent::AuthFailed { status, .. }
                    | ClientEvent::Refused { status, .. } => return Err(err_of(&status)),
                    ClientEvent::Stat { count, size, .. } => Answer::Stat(count, size),
                    ClientEvent::Scan { listing, .. } => Answer::Scan(vec![listing]),
                    ClientEvent::ScanList { listings, .. } => Answer::Scan(listings),
                    ClientEvent::Uid { listing, .. } => Answer::Uids(vec![listing]),
                    ClientEvent::UidList { listings, .. } => Answer::Uids(listings),
                    ClientEvent::BodyChunk { data, .. } => {
                        body.write_all(data)?;
                        written += data.len() as u64;
                        continue;
                    }
                    ClientEvent::MessageEnd { .. } => Answer::Body(written),
                    ClientEvent::Quit {
                        updated, status, ..
                    } => {
                        if !status.is_ok() && !updated {
                            return Err(err_of(&status));
                        }
                        Answer::Quit(updated)
                    }
                    ClientEvent::PeerError(e) => return Err(Error::Pop3Protocol(e)),
                    ClientEvent::Closed(ClientClose::Quit) => continue,
                    ClientEvent::Closed(
                        ClientClose::AuthenticationFailed(s) | ClientClose::GreetingRefused(s),
                    ) => return Err(err_of(&s)),
                    ClientEvent::Closed(_) => return Err(Error::Closed),
                    _ => continue,
                };
                answer = Some(a);
                break;
            }
            if wrote {
                self.stream.flush()?;
            }
            if let Some(a) = answer {
                // Transmits the session wrote meanwhile go out with the next call.
                return Ok(a);
            }
            if self.session.state() == ClientState::Closed {
                return Err(Error::Closed);
            }
            let n = self.stream.read(&mut self.buf)?;
            if n == 0 {
                self.session.handle_eof();
            } else {
                self.session.handle_input(&self.buf[..n])?;
            }
        }
    }

    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(level = "debug", skip_all, fields(kind = ?cmd.kind()))
    )]
    fn run(&mut self, cmd: Command<'_>) -> Result<Answer> {
        self.session.send(cmd)?;
        self.wait(&mut std::io::sink(), false)
    }

    fn ok(&mut self, cmd: Command<'_>) -> Result<StatusLine<'static>> {
        match self.run(cmd)? {
            Answer::Ok(s) => Ok(s),
            _ => Err(Error::Closed),
        }
    }

    /// `CAPA` (RFC 2449 §5), or what the session already knows.
    pub fn capabilities(&mut self) -> Result<Vec<Capability<'static>>> {
        if self.session.capabilities().is_none() {
            self.run(Command::Capa)?;
        }
        Ok(self.session.capabilities().unwrap_or_default().to_vec())
    }

    /// `STLS` (RFC 2595 §4): the session says when TLS starts (input after the `+OK` is
    /// dropped by the session); the stream is swapped for a TLS stream.
    pub fn stls(&mut self) -> Result<()> {
        match self.run(Command::Stls)? {
            Answer::StartTls => {}
            _ => return Err(Error::Closed),
        }
        let stream = std::mem::replace(&mut self.stream, Stream::Gone);
        self.stream = stream.start_tls(&self.host, &self.config.tls)?;
        self.session.handle_tls_established()?;
        Ok(())
    }

    /// `USER` and `PASS` (RFC 1939 §7).
    pub fn user_pass(&mut self, user: &str, password: &str) -> Result<()> {
        let user = Param::new(user.to_owned()).map_err(Error::Invalid)?;
        let pass = Secret::new(password.to_owned()).map_err(Error::Invalid)?;
        self.ok(Command::User(user))?;
        self.ok(Command::Pass(pass))?;
        Ok(())
    }

    /// `APOP` (RFC 1939 §7) with the greeting's timestamp.
    pub fn apop(&mut self, user: &str, secret: &str) -> Result<()> {
        let user = Param::new(user.to_owned()).map_err(Error::Invalid)?;
        self.session.apop(user, secret.as_bytes())?;
        match self.wait(&mut std::io::sink(), false)? {
            Answer::Ok(_) => Ok(()),
            _ => Err(Error::Closed),
        }
    }

    /// `AUTH` (RFC 5034) with the strongest SASL mechanism the server lists in CAPA for
    /// these credentials (mailproto-sasl's `choose`). For SCRAM the server's signature is
    /// verified before this returns `Ok`.
    pub fn authenticate(&mut self, credentials: &Credentials) -> Result<Mechanism> {
        let advertised: Vec<Mechanism> = self
            .capabilities()?
            .iter()
            .filter_map(|c| match c {
                Capability::Sasl(ms) => {
                    Some(ms.iter().filter_map(|m| Mechanism::new(m.as_str()).ok()))
                }
                _ => None,
            })
            .flatten()
            .collect();
        let mut sasl = self.config.sasl.clone();
        sasl.tls = self.stream.is_tls();
        if sasl.choose(&advertised, credentials).is_none() {
            return Err(Error::NoMechanism);
        }
        // The session runs the exchange (base64, the 255-octet rule, `*`, the server's
        // proof); the shell only waits for the outcome.
        let (_, mechanism) =
            self.session
                .authenticate_with(&sasl, credentials, &mut mailproto_sasl::OsNonce)?;
        match self.wait(&mut std::io::sink(), false)? {
            Answer::Ok(_) => Ok(mechanism),
            _ => Err(Error::Closed),
        }
    }

    /// `STAT` (RFC 1939 §5): (messages, octets).
    pub fn stat(&mut self) -> Result<(u32, u64)> {
        match self.run(Command::Stat)? {
            Answer::Stat(n, size) => Ok((n, size)),
            _ => Err(Error::Closed),
        }
    }

    /// `LIST` (RFC 1939 §5), of one message or all.
    pub fn list(&mut self, msg: Option<MsgNumber>) -> Result<Vec<ScanListing<'static>>> {
        match self.run(Command::List(msg))? {
            Answer::Scan(l) => Ok(l),
            _ => Err(Error::Closed),
        }
    }

    /// `UIDL` (RFC 1939 §7), of one message or all.
    pub fn uidl(&mut self, msg: Option<MsgNumber>) -> Result<Vec<UidListing<'static>>> {
        match self.run(Command::Uidl(msg))? {
            Answer::Uids(l) => Ok(l),
            _ => Err(Error::Closed),
        }
    }

    /// `RETR` (RFC 1939 §5): the message, unstuffed, written to `out` chunk by chunk as it
    /// arrives; returns the octets written.
    pub fn retr(&mut self, msg: MsgNumber, out: &mut dyn Write) -> Result<u64> {
        self.session.send(Command::Retr(msg))?;
        self.body(out)
    }

    /// `TOP` (RFC 1939 §7): the header and `lines` body lines, written to `out`.
    pub fn top(&mut self, msg: MsgNumber, lines: u32, out: &mut dyn Write) -> Result<u64> {
        self.session.send(Command::Top { msg, lines })?;
        self.body(out)
    }

    fn body(&mut self, out: &mut dyn Write) -> Result<u64> {
        loop {
            match self.wait(out, false)? {
                Answer::Body(n) => return Ok(n),
                // `+OK` of RETR is MessageStart; anything else ends the wait with an error.
                Answer::Ok(_) => continue,
                _ => return Err(Error::Closed),
            }
        }
    }

    /// `DELE` (RFC 1939 §5).
    pub fn dele(&mut self, msg: MsgNumber) -> Result<()> {
        self.ok(Command::Dele(msg)).map(drop)
    }

    /// `RSET` (RFC 1939 §5).
    pub fn rset(&mut self) -> Result<()> {
        self.ok(Command::Rset).map(drop)
    }

    /// `NOOP` (RFC 1939 §5).
    pub fn noop(&mut self) -> Result<()> {
        self.ok(Command::Noop).map(drop)
    }

    /// `QUIT` (RFC 1939 §6): true when the server removed the messages marked as deleted.
    pub fn quit(mut self) -> Result<bool> {
        let updated = match self.run(Command::Quit)? {
            Answer::Quit(u) => u,
            _ => false,
        };
        self.stream.shutdown();
        Ok(updated)
    }
}

fn err_of(status: &StatusLine<'_>) -> Error {
    Error::Pop3Err {
        text: String::from_utf8_lossy(status.text().as_bytes()).into_owned(),
        code: status
            .code()
            .cloned()
            .map(pop3_codec::IntoStatic::into_static),
    }
}
