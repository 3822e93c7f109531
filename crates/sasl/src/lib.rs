//! Sans-IO SASL (RFC 4422) for IMAP `AUTHENTICATE` (RFC 9051 §6.2.2, RFC 4959) and POP3
//! `AUTH` (RFC 5034).
//!
//! Every mechanism is a small state machine, client and server side: bytes in, bytes out.
//! No I/O, no clock, no threads; nonces come from a [`NonceSource`] (the OS through
//! [`OsNonce`] with the default feature `rand`, or fixed ones in tests). The base64 wire form
//! lives in [`wire`], so the protocol codecs carry decoded bytes.
//!
//! | mechanism | specification | client | server |
//! |---|---|---|---|
//! | `PLAIN` | RFC 4616 | [`PlainClient`] | [`PlainServer`] |
//! | `LOGIN` | draft-murchison-sasl-login-00 | [`LoginClient`] | [`LoginServer`] |
//! | `CRAM-MD5` | RFC 2195 | [`CramMd5Client`] | [`CramMd5Server`] |
//! | `SCRAM-SHA-1(-PLUS)` | RFC 5802 | [`ScramClient`] | [`ScramServer`] |
//! | `SCRAM-SHA-256(-PLUS)` | RFC 7677 | [`ScramClient`] | [`ScramServer`] |
//! | `OAUTHBEARER` | RFC 7628 | [`OAuthBearerClient`] | [`OAuthBearerServer`] |
//! | `XOAUTH2` | Google's XOAUTH2 protocol page | [`XOAuth2Client`] | [`XOAuth2Server`] |
//! | `ANONYMOUS` | RFC 4505 | [`AnonymousClient`] | [`AnonymousServer`] |
//! | `EXTERNAL` | RFC 4422 Appendix A | [`ExternalClient`] | [`ExternalServer`] |
//!
//! Also: RFC 4013 (SASLprep, through `stringprep`), RFC 5056 / RFC 9266 (channel binding
//! types), RFC 6750 §2.1 (bearer token syntax), RFC 2449 §4 (the 255-octet POP3 line).
//!
//! Use [`OsNonce`] (feature `rand`) outside tests.
//!
//! Secrets (passwords, tokens, derived keys, responses holding them) are [`Secret`]s: zeroized
//! on drop and never printed by `Debug`. Peer input never panics; every message is bounded by
//! [`Limits`].
//!
//! # A client and a server
//!
//! ```
//! use mailproto_sasl::*;
//! struct Store; // the server's credential store
//! impl Authenticator for Store {
//!     fn scram_credentials(&self, hash: ScramHash, user: &str) -> Option<ScramCredentials> {
//!         (user == "user").then(|| ScramCredentials::derive(hash, "pencil", b"salt-16-octets!!", 4096).unwrap())
//!     }
//! }
//! let (client_cfg, server_cfg) = (ClientConfig::tls(), ServerConfig::default());
//! let tls = TlsInfo::default();
//! let advertised = server_cfg.advertised(Some(&tls));
//! let creds = Credentials::password("user", "pencil");
//! let mech = client_cfg.choose(&advertised, &creds).unwrap(); // SCRAM-SHA-256
//! let mut client = client_cfg.start(&mech, &creds, &mut FixedNonces::new(["c-nonce"])).unwrap();
//! let mut server = server_cfg.start(&mech, Some(&tls), &mut FixedNonces::new(["s-nonce"])).unwrap();
//! let ir = client.initial_response().unwrap(); // sent with AUTHENTICATE / AUTH
//! let mut step = server.start(ir.as_ref().map(|r| r.as_bytes()), &Store);
//! while let ServerStep::Challenge(challenge) = step {
//!     let response = client.step(&challenge).unwrap();
//!     step = server.step(response.response().as_bytes(), &Store);
//! }
//! let ServerStep::Success(who) = step else { panic!("{step:?}") };
//! assert_eq!(who.identity(), "user");
//! client.finish(None).unwrap(); // the server proved it knows the password
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![no_std]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;
// no_std + alloc: every module starts with `use crate::prelude::*;` (docs/architecture.md).
use mailproto_core::prelude;

mod anonymous;
mod client;
mod cram_md5;
mod error;
mod external;
mod login;
mod mechanism;
mod nonce;
mod oauth;
mod plain;
mod scram;
mod secret;
mod server;
pub mod wire;

pub use anonymous::{AnonymousClient, AnonymousServer};
pub use client::{ClientConfig, ClientMechanism, ClientStep, Credentials};
pub use cram_md5::{CramMd5Client, CramMd5Server};
pub use error::{ErrorKind, SaslError};
pub use external::{ExternalClient, ExternalServer};
pub use login::{LoginClient, LoginServer};
pub use mechanism::{CredentialKind, KNOWN, Mechanism, MechanismInfo, choose};
#[cfg(feature = "rand")]
pub use nonce::OsNonce;
pub use nonce::{FixedNonces, NonceSource};
pub use oauth::{OAuthBearerClient, OAuthBearerServer, OAuthError, XOAuth2Client, XOAuth2Server};
pub use plain::{PlainClient, PlainServer};
pub use scram::{
    ChannelBinding, ClientChannelBinding, ScramClient, ScramCredentials, ScramHash, ScramServer,
};
pub use secret::{Response, Secret};
pub use server::{
    Authenticated, Authenticator, ServerConfig, ServerMechanism, ServerStep, TlsInfo, TokenRequest,
};

/// Bounds on what a peer can make a mechanism hold or compute.
///
/// ```
/// use mailproto_sasl::Limits;
/// let strict = Limits { min_iterations: 10_000, ..Limits::default() };
/// assert_eq!(strict.max_message_len, 16 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest decoded message accepted from the peer (16 KiB: room for large JWTs).
    pub max_message_len: usize,
    /// The largest PLAIN / LOGIN field (RFC 4616 §2: at least 255 must be accepted; 1024).
    pub max_field_len: usize,
    /// The smallest SCRAM iteration count a client accepts (RFC 7677 §4, RFC 5802 §5.1: 4096).
    pub min_iterations: u32,
    /// The largest SCRAM iteration count a client accepts, bounding its work (2,000,000).
    pub max_iterations: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_len: 16 * 1024,
            max_field_len: 1024,
            min_iterations: 4096,
            max_iterations: 2_000_000,
        }
    }
}

/// SASLprep (RFC 4013) of a query string; the intermediate copies of the `stringprep` crate
/// are not zeroized.
#[cfg(feature = "std")]
pub(crate) fn saslprep_query(s: &str) -> Result<prelude::String, SaslError> {
    stringprep::saslprep(s)
        .map(alloc::borrow::Cow::into_owned)
        .map_err(|_| SaslError::Saslprep("string"))
}

/// SASLprep (RFC 4013) without std: printable US-ASCII only, where SASLprep is the identity
/// (its mappings, NFKC and bidi rules touch only non-ASCII; ASCII controls are prohibited,
/// RFC 4013 §2.3, RFC 3454 C.2.1). Any other string is refused, never passed through.
#[cfg(not(feature = "std"))]
pub(crate) fn saslprep_query(s: &str) -> Result<prelude::String, SaslError> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Ok(prelude::String::from(s))
    } else {
        Err(SaslError::Saslprep("string"))
    }
}

// The README example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
