//! A TCP stream with or without TLS, and the STARTTLS/STLS swap.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::tls::TlsConfig;
use crate::{Error, Result};

/// The connection: plain TCP or TLS over it.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "rustls")]
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
    /// Only while being swapped.
    Gone,
}

impl Stream {
    /// Connects, with TLS from the first byte when `tls` is true.
    pub(crate) fn connect(
        host: &str,
        port: u16,
        tls: bool,
        config: &TlsConfig,
        timeout: Option<Duration>,
    ) -> Result<Stream> {
        let tcp = TcpStream::connect((host, port))?;
        tcp.set_nodelay(true)?;
        tcp.set_read_timeout(timeout)?;
        let stream = Stream::Plain(tcp);
        if tls {
            stream.start_tls(host, config)
        } else {
            Ok(stream)
        }
    }

    /// Runs the TLS handshake on the plain stream (implicit TLS, or after the session said
    /// STARTTLS/STLS succeeded). Nothing the shell holds is dropped: every byte read was
    /// handed to the session already, which discards (and reports) what the server sent
    /// after its OK.
    #[cfg(feature = "rustls")]
    pub(crate) fn start_tls(self, host: &str, config: &TlsConfig) -> Result<Stream> {
        let Stream::Plain(mut tcp) = self else {
            return Err(Error::TlsUnavailable("TLS is already on".into()));
        };
        let mut conn =
            rustls::ClientConnection::new(config.rustls_config()?, config.rustls_name(host)?)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(tls_io)?;
        }
        Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
    }

    /// Without the `rustls` feature there is no TLS.
    #[cfg(not(feature = "rustls"))]
    pub(crate) fn start_tls(self, _host: &str, _config: &TlsConfig) -> Result<Stream> {
        Err(Error::TlsUnavailable(
            "built without the rustls feature".into(),
        ))
    }

    /// True when TLS is on.
    pub(crate) fn is_tls(&self) -> bool {
        #[cfg(feature = "rustls")]
        if let Stream::Tls(_) = self {
            return true;
        }
        false
    }

    fn tcp(&self) -> io::Result<&TcpStream> {
        match self {
            Stream::Plain(t) => Ok(t),
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => Ok(&s.sock),
            Stream::Gone => Err(gone()),
        }
    }

    /// The socket's read timeout: the only clock of the blocking shell.
    pub(crate) fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp()?.set_read_timeout(timeout)
    }

    /// The socket's read timeout now.
    pub(crate) fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.tcp()?.read_timeout()
    }

    /// Closes the TLS layer (close_notify) and the socket's write side.
    pub(crate) fn shutdown(&mut self) {
        #[cfg(feature = "rustls")]
        if let Stream::Tls(s) = self {
            s.conn.send_close_notify();
            let _ = s.flush();
        }
        if let Ok(t) = self.tcp() {
            let _ = t.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// rustls reports a failed handshake as an `io::Error` wrapping a `rustls::Error`.
#[cfg(feature = "rustls")]
fn tls_io(e: io::Error) -> Error {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => Error::Tls(tls.clone()),
        None => Error::Io(e),
    }
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "stream is being swapped")
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(t) => t.read(buf),
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => s.read(buf),
            Stream::Gone => Err(gone()),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(t) => t.write(buf),
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => s.write(buf),
            Stream::Gone => Err(gone()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(t) => t.flush(),
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => s.flush(),
            Stream::Gone => Err(gone()),
        }
    }
}
