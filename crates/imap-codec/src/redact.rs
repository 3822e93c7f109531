//! Secrets kept out of `Debug` output (issue 18 item 10): whatever is printed with `{:?}` ends
//! up in logs. A LOGIN password (RFC 9051 §6.2.3), an AUTHENTICATE initial response and SASL
//! response lines (RFC 9051 §6.2.2, RFC 4959) print as `<redacted>` or their length; the
//! values themselves are unchanged (encoding, comparison and serialization see them whole).

use ::core::fmt;

/// The names of the command fields whose values are secrets (the command table's field
/// names): `password` (LOGIN), `initial_response` (AUTHENTICATE, SASL-IR).
pub const SECRET_FIELDS: &[&str] = &["password", "initial_response"];

/// A field of a command as `Debug` shows it: its value, or `<redacted>` for a
/// [`SECRET_FIELDS`] name.
pub struct Field<'v> {
    name: &'static str,
    value: &'v dyn fmt::Debug,
}

impl<'v> Field<'v> {
    /// The field `name` with its value.
    pub fn new(name: &'static str, value: &'v dyn fmt::Debug) -> Self {
        Field { name, value }
    }
}

impl fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if SECRET_FIELDS.contains(&self.name) {
            f.write_str("<redacted>")
        } else {
            self.value.fmt(f)
        }
    }
}

/// Octets shown by their count only: `<N octets>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Octets(pub usize);

impl fmt::Debug for Octets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} octets>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::{AString, AuthenticateData, Command, CommandBody};

    /// Every secret of a command, in every `Debug` form, is absent from the output; the
    /// other fields are there.
    #[test]
    fn debug_never_shows_a_secret() {
        let secret = "hunter2-Secret";
        let wire = format!("a LOGIN joe {secret}\r\n");
        let login = Command::parse(wire.as_bytes()).unwrap();
        let literal = Command::parse(b"a LOGIN joe {14}\r\nhunter2-Secret\r\n").unwrap();
        let quoted = CommandBody::Login {
            username: AString::new("joe").unwrap(),
            password: AString::new("hunter2 Secret").unwrap(),
        };
        // base64("hunter2-Secret") and the SASL PLAIN form of it.
        let auth = Command::parse(b"a AUTHENTICATE PLAIN aHVudGVyMi1TZWNyZXQ=\r\n").unwrap();
        let line = AuthenticateData::parse(b"aHVudGVyMi1TZWNyZXQ=\r\n").unwrap();
        let shown = [
            format!("{login:?}"),
            format!("{login:#?}"),
            format!("{literal:?}"),
            format!("{quoted:?}"),
            format!("{auth:?}"),
            format!("{auth:#?}"),
            format!("{line:?}"),
        ];
        for s in &shown {
            for needle in ["hunter2", "Secret", "aHVudGVyMi1TZWNyZXQ", "104, 117, 110"] {
                assert!(!s.contains(needle), "{needle} in {s}");
            }
        }
        assert!(
            shown[0].contains("joe") && shown[0].contains("<redacted>"),
            "{}",
            shown[0]
        );
        assert!(shown[6].contains("14 octets"), "{}", shown[6]);
        // Commands without secrets print as before.
        let select = Command::parse(b"a SELECT INBOX\r\n").unwrap();
        assert!(
            format!("{select:?}").contains("Select { mailbox: "),
            "{select:?}"
        );
        assert_eq!(format!("{:?}", CommandBody::Noop), "Noop");
    }
}
