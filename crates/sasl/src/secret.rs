//! Secrets: zeroized on drop, never shown by `Debug`.

use crate::prelude::*;

use core::fmt;
use zeroize::Zeroizing;

/// A password, token, derived key or message that contains one.
///
/// The bytes are zeroized when the value is dropped (`zeroize`), and `Debug` prints
/// `Secret(..)` only. Comparison is not offered (use [`Secret::ct_eq`], constant time).
///
/// ```
/// use mailproto_sasl::Secret;
/// let password = Secret::from("pencil");
/// assert_eq!(password.expose(), b"pencil");
/// assert_eq!(format!("{password:?}"), "Secret(..)");
/// ```
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(Zeroizing::new(bytes.into()))
    }

    /// The bytes, for the one place that needs them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as UTF-8, if they are.
    pub fn expose_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.0).ok()
    }

    /// Length in octets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time equality (the time depends on the lengths only).
    pub fn ct_eq(&self, other: &[u8]) -> bool {
        ct_eq(&self.0, other)
    }

    pub(crate) fn push_bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s.as_bytes())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s.into_bytes())
    }
}

impl From<Vec<u8>> for Secret {
    fn from(v: Vec<u8>) -> Self {
        Secret::new(v)
    }
}

impl From<&[u8]> for Secret {
    fn from(v: &[u8]) -> Self {
        Secret::new(v)
    }
}

/// Constant-time comparison of two byte strings (early exit on length only).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

/// A client's response to a challenge (or its initial response): the decoded bytes, to be
/// base64-encoded on the wire ([`crate::wire`]). It may hold a password, so it is a
/// [`Secret`]: zeroized on drop and hidden from `Debug`.
///
/// ```
/// use mailproto_sasl::Response;
/// let r = Response::new(b"\0tim\0tanstaaftanstaaf".to_vec());
/// assert_eq!(r.as_bytes().len(), 21);
/// assert!(!format!("{r:?}").contains("tanstaaf"));
/// ```
#[derive(Clone, Default)]
pub struct Response(Secret);

impl Response {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Response(Secret::new(bytes))
    }

    /// The empty response.
    pub fn empty() -> Self {
        Response::default()
    }

    /// The decoded bytes to send.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.expose()
    }

    /// Whether the response is empty (sent as an empty line, or `=` as an initial response).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The response as a [`Secret`].
    pub fn into_secret(self) -> Secret {
        self.0
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response(..)")
    }
}

impl From<Secret> for Response {
    fn from(s: Secret) -> Self {
        Response(s)
    }
}
