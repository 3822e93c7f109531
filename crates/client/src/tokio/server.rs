//! An async IMAP server driver: one [`ServerSession`] per accepted connection, driven by
//! tokio, with the application's [`Handler`] answering commands.
//!
//! The driver has no protocol logic: it writes what the session transmits, hands the
//! session's events to the handler, reads when the session wants input, runs the TLS
//! handshake when the session says STARTTLS succeeded (`TlsRequired`), and calls
//! [`Handler::poll`] on a timer while IDLE is in progress or while the session waits for
//! the handler to complete a command.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use imap_codec::{AuthenticateData, Command, CommandBody, Greeting, StatusKind, Tag};
use imap_session::{ServerConfig, ServerEvent, ServerOutput, ServerSession};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::{Error, Result};

/// What a server application does on one connection. Answer through the session's
/// intentions (`send_response`, `complete`, `challenge`), now or from a later call: the
/// driver drains the session after every call.
pub trait Handler: Send {
    /// The greeting (RFC 9051 §7.1): OK, PREAUTH or BYE; usually with a CAPABILITY code.
    fn greeting(&mut self, session: &ServerSession) -> Greeting<'static>;

    /// A command the session accepted for the application (RFC 9051 §6). Send its untagged
    /// data, then its tagged completion; for IDLE, a continuation request (`+ idling`);
    /// for STARTTLS, a tagged OK (the driver then runs the handshake).
    fn command(&mut self, session: &mut ServerSession, command: Command<'static>);

    /// A SASL line of the AUTHENTICATE in progress (RFC 9051 §6.2.2): answer with
    /// `challenge` or complete the command. The default refuses.
    fn authenticate_data(
        &mut self,
        session: &mut ServerSession,
        tag: Tag<'static>,
        data: AuthenticateData<'static>,
    ) {
        let _ = data;
        let _ = session.complete(tag, StatusKind::No, "AUTHENTICATE not supported");
    }

    /// The client sent `DONE` (RFC 2177): complete the IDLE. The default answers OK.
    fn idle_done(&mut self, session: &mut ServerSession, tag: Tag<'static>) {
        let _ = session.complete(tag, StatusKind::Ok, "IDLE terminated");
    }

    /// Called every [`Server::poll_interval`] while IDLE is in progress (send the changes
    /// other connections made) and while the session waits for a completion.
    fn poll(&mut self, session: &mut ServerSession) {
        let _ = session;
    }

    /// TLS is up on this connection (implicit TLS, or after STARTTLS).
    fn tls_established(&mut self) {}

    /// Any other event (state changes, commands the session answered itself, protocol
    /// errors, the close).
    fn event(&mut self, event: &ServerEvent) {
        let _ = event;
    }
}

/// The driver's settings.
#[derive(Clone)]
pub struct Server {
    config: ServerConfig,
    tls: Option<(tokio_rustls::TlsAcceptor, bool)>,
    poll_interval: Duration,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.tls.as_ref().map(|(_, implicit)| implicit))
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}

impl Server {
    /// A driver running sessions with `config`, without TLS, polling every 100 ms.
    pub fn new(config: ServerConfig) -> Self {
        Server {
            // The handler receives whole commands: APPEND literals are not streamed.
            config: config.without_literal_streaming(),
            tls: None,
            poll_interval: Duration::from_millis(100),
        }
    }

    /// With TLS: from the first byte when `implicit` (port 993), else after STARTTLS.
    pub fn with_tls(mut self, config: Arc<rustls::ServerConfig>, implicit: bool) -> Self {
        self.tls = Some((tokio_rustls::TlsAcceptor::from(config), implicit));
        self
    }

    /// With another interval for [`Handler::poll`].
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The interval of [`Handler::poll`].
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    /// Accepts connections forever, each served on its own task with a handler from
    /// `make_handler`. Returns only when accepting fails.
    pub async fn serve<H, F>(&self, listener: TcpListener, mut make_handler: F) -> io::Result<()>
    where
        H: Handler + 'static,
        F: FnMut() -> H,
    {
        loop {
            let (tcp, _) = listener.accept().await?;
            let server = self.clone();
            let handler = make_handler();
            tokio::spawn(async move {
                let _ = server.serve_connection(tcp, handler).await;
            });
        }
    }

    /// Serves one connection until the session closes.
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(level = "debug", skip_all, fields(peer = ?tcp.peer_addr().ok()))
    )]
    pub async fn serve_connection<H: Handler>(&self, tcp: TcpStream, mut handler: H) -> Result<()> {
        tcp.set_nodelay(true)?;
        let mut stream = ServerStream::Plain(tcp);
        if let Some((acceptor, true)) = &self.tls {
            stream = stream.accept(acceptor).await?;
            handler.tls_established();
        }
        let mut session = ServerSession::new(self.config.clone());
        let greeting = handler.greeting(&session);
        session.send_greeting(greeting)?;
        let mut idling = false;
        let mut buf = vec![0u8; 16 * 1024];
        // COMPRESS=DEFLATE (RFC 4978), on after the session's `CompressionStarted`.
        #[cfg(feature = "compress")]
        let mut deflate: Option<crate::compress::Deflate> = None;
        loop {
            let mut events = Vec::new();
            let mut wrote = false;
            while let Some(out) = session.poll_output() {
                match out {
                    ServerOutput::Transmit(bytes) => {
                        #[cfg(feature = "compress")]
                        if let Some(z) = &mut deflate {
                            let mut packed = Vec::new();
                            z.compress(bytes, &mut packed)?;
                            stream.write_all(&packed).await?;
                            wrote = true;
                            continue;
                        }
                        stream.write_all(bytes).await?;
                        wrote = true;
                    }
                    ServerOutput::Event(e) => events.push(e),
                    // Streaming is off in the driver's session configuration.
                    ServerOutput::LiteralChunk { .. } => {}
                }
            }
            if wrote {
                stream.flush().await?;
            }
            let had_events = !events.is_empty();
            for event in events {
                match event {
                    ServerEvent::Command(c) => {
                        if matches!(c.body, CommandBody::Idle) {
                            idling = true;
                        }
                        handler.command(&mut session, c);
                    }
                    ServerEvent::AuthenticateData { tag, data } => {
                        handler.authenticate_data(&mut session, tag, data)
                    }
                    ServerEvent::IdleDone { tag } => {
                        idling = false;
                        handler.idle_done(&mut session, tag);
                    }
                    ServerEvent::TlsRequired => {
                        let Some((acceptor, _)) = &self.tls else {
                            return Err(Error::TlsUnavailable("no TLS configured".into()));
                        };
                        let plain = std::mem::replace(&mut stream, ServerStream::Gone);
                        stream = plain.accept(acceptor).await?;
                        session.handle_tls_established()?;
                        handler.tls_established();
                    }
                    #[cfg(feature = "compress")]
                    ServerEvent::CompressionStarted { ref compressed, .. } => {
                        // The OK went out uncompressed above; what the client sent after
                        // COMPRESS is inflated first.
                        let mut z = crate::compress::Deflate::new();
                        let mut plain = Vec::new();
                        z.decompress(compressed, &mut plain)?;
                        deflate = Some(z);
                        if !plain.is_empty() {
                            session.handle_input(&plain)?;
                        }
                        handler.event(&event);
                    }
                    other => handler.event(&other),
                }
            }
            if had_events {
                continue;
            }
            if session.is_closed() {
                stream.shutdown().await;
                return Ok(());
            }
            let wants = session.wants_input() || idling;
            let ticking = idling || !session.wants_input();
            tokio::select! {
                read = stream.read(&mut buf), if wants => {
                    let n = read?;
                    if n == 0 {
                        session.handle_eof();
                    } else {
                        #[cfg(feature = "compress")]
                        if let Some(z) = &mut deflate {
                            let mut plain = Vec::new();
                            z.decompress(&buf[..n], &mut plain)?;
                            session.handle_input(&plain)?;
                            continue;
                        }
                        session.handle_input(&buf[..n])?;
                    }
                }
                _ = tokio::time::sleep(self.poll_interval), if ticking => {
                    handler.poll(&mut session);
                }
            }
        }
    }
}

/// The server side of a connection, plain or TLS.
enum ServerStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    Gone,
}

impl ServerStream {
    async fn accept(self, acceptor: &tokio_rustls::TlsAcceptor) -> Result<ServerStream> {
        let ServerStream::Plain(tcp) = self else {
            return Err(Error::TlsUnavailable("TLS is already on".into()));
        };
        let tls = acceptor
            .accept(tcp)
            .await
            .map_err(crate::tokio::stream::tls_io)?;
        Ok(ServerStream::Tls(Box::new(tls)))
    }

    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ServerStream::Plain(t) => t.read(buf).await,
            ServerStream::Tls(t) => t.read(buf).await,
            ServerStream::Gone => Ok(0),
        }
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            ServerStream::Plain(t) => t.write_all(buf).await,
            ServerStream::Tls(t) => t.write_all(buf).await,
            ServerStream::Gone => Ok(()),
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        match self {
            ServerStream::Plain(t) => t.flush().await,
            ServerStream::Tls(t) => t.flush().await,
            ServerStream::Gone => Ok(()),
        }
    }

    async fn shutdown(&mut self) {
        let _ = match self {
            ServerStream::Plain(t) => t.shutdown().await,
            ServerStream::Tls(t) => t.shutdown().await,
            ServerStream::Gone => Ok(()),
        };
    }
}
