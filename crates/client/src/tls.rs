//! TLS settings: which roots verify the server's certificate (RFC 8446; RFC 9051 §11.1,
//! RFC 2595 §2.4 for the server identity check), and how a connection starts TLS.

/// How a connection gets TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// TLS from the first byte (IMAP port 993, POP3 port 995; RFC 8314 §3.3).
    Implicit,
    /// Plain text, then `STARTTLS` (IMAP, RFC 9051 §6.2.1) or `STLS` (POP3, RFC 2595 §4)
    /// before anything else. The session says when the handshake starts; bytes the server
    /// sent after its OK and before the handshake are refused (CVE-2011-0411 class).
    StartTls,
    /// No TLS at all (tests, localhost). Credentials then go in the clear: SASL mechanisms
    /// that send a reusable secret are refused unless the SASL configuration allows them.
    None,
}

/// Certificate verification settings. Verification is always on; the roots are the
/// platform's (through `rustls-native-certs`) plus any certificate added with
/// [`trust_certificate`](Self::trust_certificate).
#[derive(Debug, Clone, Default)]
pub struct TlsConfig {
    extra: Vec<Vec<u8>>,
    platform_roots: PlatformRoots,
    server_name: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum PlatformRoots {
    #[default]
    Load,
    Skip,
}

impl TlsConfig {
    /// Verify against the platform's root certificates.
    pub fn new() -> Self {
        TlsConfig::default()
    }

    /// Trust this certificate (DER) as a root too: for a test server's self-signed
    /// certificate, or a private CA.
    pub fn trust_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra.push(der.into());
        self
    }

    /// Trust only the certificates given with [`trust_certificate`](Self::trust_certificate),
    /// not the platform's roots.
    pub fn without_platform_roots(mut self) -> Self {
        self.platform_roots = PlatformRoots::Skip;
        self
    }

    /// Check the certificate against this name instead of the host connected to.
    pub fn with_server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// The name the certificate must carry for a connection to `host` (RFC 9051 §11.1,
    /// RFC 2595 §2.4): `host`, or the name given to [`with_server_name`](Self::with_server_name).
    pub fn name_for<'h>(&'h self, host: &'h str) -> &'h str {
        self.server_name.as_deref().unwrap_or(host)
    }

    /// The rustls client configuration (ring provider, TLS 1.2 and 1.3, these roots).
    #[cfg(feature = "rustls")]
    pub fn rustls_config(&self) -> crate::Result<std::sync::Arc<rustls::ClientConfig>> {
        use rustls::pki_types::CertificateDer;
        let mut roots = rustls::RootCertStore::empty();
        if self.platform_roots == PlatformRoots::Load {
            // Unreadable platform stores leave the roots empty: verification then fails
            // with an unknown issuer, never succeeds by accident.
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
        }
        for der in &self.extra {
            roots.add(CertificateDer::from(der.clone()))?;
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(std::sync::Arc::new(config))
    }

    /// The rustls server name for a connection to `host` (see [`name_for`](Self::name_for)).
    #[cfg(feature = "rustls")]
    pub fn rustls_name(&self, host: &str) -> crate::Result<rustls::pki_types::ServerName<'static>> {
        let name = self.name_for(host).to_owned();
        rustls::pki_types::ServerName::try_from(name)
            .map_err(|e| crate::Error::TlsUnavailable(format!("{host}: {e}")))
    }
}
