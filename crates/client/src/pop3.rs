//! What the POP3 clients share: their settings.

use std::time::Duration;

use pop3_codec::Limits;

use crate::tls::TlsConfig;

/// Settings of a POP3 client (blocking or tokio).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Certificate verification.
    pub tls: TlsConfig,
    /// The session's limits (line lengths, ...).
    pub limits: Limits,
    /// The socket's read timeout (`None`: wait forever).
    pub read_timeout: Option<Duration>,
    /// SASL settings (`authenticate`); `tls` is set from the
    /// connection.
    pub sasl: mailproto_sasl::ClientConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tls: TlsConfig::new(),
            limits: Limits::default(),
            read_timeout: Some(Duration::from_secs(120)),
            sasl: mailproto_sasl::ClientConfig::default(),
        }
    }
}

impl Config {
    /// With these TLS settings.
    pub fn with_tls(mut self, tls: TlsConfig) -> Self {
        self.tls = tls;
        self
    }

    /// With these SASL settings.
    pub fn with_sasl(mut self, sasl: mailproto_sasl::ClientConfig) -> Self {
        self.sasl = sasl;
        self
    }
}
