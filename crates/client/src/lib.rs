//! # mailproto-client
//!
//! Thin I/O shells over the sans-IO sessions of mailproto.

#![forbid(unsafe_code)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod error;
pub mod imap;
pub mod pop3;
pub mod tls;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use crate::error::{Error, Result};
pub use crate::tls::{Tls, TlsConfig};
pub use mailproto_sasl::Credentials;
