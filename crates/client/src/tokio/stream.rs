//! An async TCP stream with or without TLS (tokio-rustls), and the STARTTLS/STLS swap.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::tls::TlsConfig;
use crate::{Error, Result};

/// The connection: plain TCP or TLS over it.
#[derive(Debug)]
pub(crate) enum AsyncStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    /// Only while being swapped.
    Gone,
}

impl AsyncStream {
    /// Connects, with TLS from the first byte when `tls` is true.
    pub(crate) async fn connect(
        host: &str,
        port: u16,
        tls: bool,
        config: &TlsConfig,
        timeout: Option<Duration>,
    ) -> Result<AsyncStream> {
        let connect = TcpStream::connect((host, port));
        let tcp = match timeout {
            Some(t) => tokio::time::timeout(t, connect)
                .await
                .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??,
            None => connect.await?,
        };
        tcp.set_nodelay(true)?;
        let stream = AsyncStream::Plain(tcp);
        if tls {
            stream.start_tls(host, config).await
        } else {
            Ok(stream)
        }
    }

    /// Runs the TLS handshake on the plain stream. Nothing the shell holds is dropped:
    /// every byte read was handed to the session already.
    pub(crate) async fn start_tls(self, host: &str, config: &TlsConfig) -> Result<AsyncStream> {
        let AsyncStream::Plain(tcp) = self else {
            return Err(Error::TlsUnavailable("TLS is already on".into()));
        };
        let connector = tokio_rustls::TlsConnector::from(config.rustls_config()?);
        let tls = connector
            .connect(config.rustls_name(host)?, tcp)
            .await
            .map_err(tls_io)?;
        Ok(AsyncStream::Tls(Box::new(tls)))
    }

    /// True when TLS is on.
    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, AsyncStream::Tls(_))
    }

    /// One read (cancel-safe: nothing is lost when the future is dropped before it is
    /// ready).
    pub(crate) async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            AsyncStream::Plain(t) => t.read(buf).await,
            AsyncStream::Tls(t) => t.read(buf).await,
            AsyncStream::Gone => Err(gone()),
        }
    }

    /// Writes all of `buf`.
    pub(crate) async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            AsyncStream::Plain(t) => t.write_all(buf).await,
            AsyncStream::Tls(t) => t.write_all(buf).await,
            AsyncStream::Gone => Err(gone()),
        }
    }

    /// Flushes.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        match self {
            AsyncStream::Plain(t) => t.flush().await,
            AsyncStream::Tls(t) => t.flush().await,
            AsyncStream::Gone => Err(gone()),
        }
    }

    /// close_notify (TLS) and the socket's write side closed.
    pub(crate) async fn shutdown(&mut self) {
        let _ = match self {
            AsyncStream::Plain(t) => t.shutdown().await,
            AsyncStream::Tls(t) => t.shutdown().await,
            AsyncStream::Gone => Ok(()),
        };
    }
}

/// tokio-rustls reports a failed handshake as an `io::Error` wrapping a `rustls::Error`.
pub(crate) fn tls_io(e: io::Error) -> Error {
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
