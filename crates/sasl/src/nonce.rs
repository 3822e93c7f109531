//! Where nonces come from: the caller, a fixed list (tests), or the OS (feature `rand`).

use crate::prelude::*;

use alloc::collections::VecDeque;

use crate::SaslError;

/// A source of nonces: printable ASCII without `,` (RFC 5802 §7 `printable`), long enough to
/// be unpredictable (the OS source gives 24 characters from 18 random octets).
///
/// Mechanisms validate what they get, so a bad source yields an error, not a bad message.
pub trait NonceSource {
    /// The next nonce.
    fn nonce(&mut self) -> Result<String, SaslError>;
}

impl<F: FnMut() -> Result<String, SaslError>> NonceSource for F {
    fn nonce(&mut self) -> Result<String, SaslError> {
        self()
    }
}

/// Nonces from a fixed list, in order; an error once it is exhausted. For tests and for
/// reproducing a recorded exchange.
///
/// ```
/// use mailproto_sasl::{FixedNonces, NonceSource};
/// let mut n = FixedNonces::new(["fyko+d2lbbFgONRv9qkxdawL"]);
/// assert_eq!(n.nonce().unwrap(), "fyko+d2lbbFgONRv9qkxdawL");
/// assert!(n.nonce().is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct FixedNonces(VecDeque<String>);

impl FixedNonces {
    /// The nonces to hand out.
    pub fn new<S: Into<String>>(nonces: impl IntoIterator<Item = S>) -> Self {
        FixedNonces(nonces.into_iter().map(Into::into).collect())
    }
}

impl NonceSource for FixedNonces {
    fn nonce(&mut self) -> Result<String, SaslError> {
        self.0.pop_front().ok_or(SaslError::Randomness)
    }
}

/// Nonces from the operating system's random source (`getrandom`): 18 octets, base64.
#[cfg(feature = "rand")]
#[derive(Debug, Clone, Copy, Default)]
pub struct OsNonce;

#[cfg(feature = "rand")]
impl NonceSource for OsNonce {
    fn nonce(&mut self) -> Result<String, SaslError> {
        use base64::Engine as _;
        let mut bytes = [0u8; 18];
        getrandom::fill(&mut bytes).map_err(|_| SaslError::Randomness)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

/// RFC 5802 §7 `printable`: `%x21-2B / %x2D-7E` (no comma).
pub(crate) fn is_printable_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

/// Takes a nonce from `source` and checks it.
pub(crate) fn checked_nonce(source: &mut dyn NonceSource) -> Result<String, SaslError> {
    let nonce = source.nonce()?;
    if is_printable_nonce(&nonce) && nonce.len() <= 256 {
        Ok(nonce)
    } else {
        Err(SaslError::InvalidInput(
            "nonce (RFC 5802 §7: printable ASCII without ',')",
        ))
    }
}
