//! A server's side of one `std::net` connection that starts in plaintext and may turn to TLS:
//! at once (implicit TLS, RFC 8314 §3) or when the session says so (IMAP STARTTLS, RFC 9051
//! §6.2.1; POP3 STLS, RFC 2595 §4). For blocking servers built on the sans-IO server sessions:
//! test servers, `mailconform serve`, examples.
//!
//! ```no_run
//! use std::io::Write;
//! use mailproto_client::stream::ServerStream;
//! # fn run(tcp: std::net::TcpStream, config: std::sync::Arc<rustls::ServerConfig>) -> std::io::Result<()> {
//! let mut conn = ServerStream::Plain(tcp);
//! conn.write_all(b"* OK ready\r\n")?;
//! // ... the session reported that TLS starts now:
//! conn = std::mem::take(&mut conn).upgrade(&config, std::time::Duration::from_secs(30))?;
//! assert!(conn.is_tls());
//! # Ok(()) }
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// A server connection: plain, TLS, or closed (the default: what `std::mem::take` leaves while
/// the stream is upgraded; it reads end of stream and swallows writes).
#[derive(Default)]
pub enum ServerStream {
    /// Plaintext.
    Plain(TcpStream),
    /// TLS on top of the same socket.
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
    /// Nothing (taken, or never opened).
    #[default]
    Closed,
}

impl fmt::Debug for ServerStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, sock) = match self {
            ServerStream::Plain(t) => ("Plain", Some(t)),
            ServerStream::Tls(t) => ("Tls", Some(&t.sock)),
            ServerStream::Closed => ("Closed", None),
        };
        f.debug_struct("ServerStream")
            .field("kind", &kind)
            .field("peer", &sock.and_then(|s| s.peer_addr().ok()))
            .finish()
    }
}

impl ServerStream {
    /// The TLS handshake (RFC 8446) as the server, on a plain stream. The socket's read
    /// timeout is `handshake_timeout` during the handshake and what it was before afterwards.
    /// Fails on a stream that is not plain.
    pub fn upgrade(
        self,
        config: &Arc<rustls::ServerConfig>,
        handshake_timeout: Duration,
    ) -> io::Result<ServerStream> {
        let ServerStream::Plain(mut tcp) = self else {
            return Err(io::Error::other(
                "TLS is already on, or the stream is closed",
            ));
        };
        let mut conn = rustls::ServerConnection::new(config.clone()).map_err(io::Error::other)?;
        let before = tcp.read_timeout()?;
        tcp.set_read_timeout(Some(handshake_timeout))?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        tcp.set_read_timeout(before)?;
        Ok(ServerStream::Tls(Box::new(rustls::StreamOwned::new(
            conn, tcp,
        ))))
    }

    /// Is TLS on?
    pub fn is_tls(&self) -> bool {
        matches!(self, ServerStream::Tls(_))
    }

    /// The socket underneath, if any.
    pub fn tcp(&self) -> Option<&TcpStream> {
        match self {
            ServerStream::Plain(t) => Some(t),
            ServerStream::Tls(t) => Some(&t.sock),
            ServerStream::Closed => None,
        }
    }

    /// Sends TLS close_notify when TLS is on, then shuts the socket down both ways. Errors
    /// are ignored: the connection is over either way.
    pub fn shutdown(&mut self) {
        if let ServerStream::Tls(t) = self {
            t.conn.send_close_notify();
            let _ = t.flush();
        }
        if let Some(tcp) = self.tcp() {
            let _ = tcp.shutdown(Shutdown::Both);
        }
    }
}

impl Read for ServerStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ServerStream::Plain(t) => t.read(buf),
            ServerStream::Tls(t) => t.read(buf),
            ServerStream::Closed => Ok(0),
        }
    }
}

impl Write for ServerStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            ServerStream::Plain(t) => t.write(buf),
            ServerStream::Tls(t) => t.write(buf),
            ServerStream::Closed => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            ServerStream::Plain(t) => t.flush(),
            ServerStream::Tls(t) => t.flush(),
            ServerStream::Closed => Ok(()),
        }
    }
}
