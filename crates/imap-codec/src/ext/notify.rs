//! NOTIFY (RFC 5465): the parts of its grammar this crate has so far.
//!
//! - `resp-text-code =/ "NOTIFICATIONOVERFLOW"` (RFC 5465 §8): the server stopped sending
//!   notifications and the client must resynchronize (§5.8):
//!   [`crate::response::Code::NotificationOverflow`].
//! - The data NOTIFY makes the server send unsolicited are the base responses (`STATUS`,
//!   `LIST`, `FETCH`, `EXPUNGE`, with the LIST-EXTENDED `OLDNAME` item of RFC 5465 §5.4 /
//!   RFC 9051 §7.3.1), all in the response tables already.
//! - Not yet: the `NOTIFY` command (`notify = "NOTIFY" SP (notify-set / notify-none)`,
//!   filters and events, §8) and the `BADEVENT` code (`"BADEVENT" SP "(" event ... ")"`,
//!   which [`crate::response::Code::Other`] keeps as text). `docs/coverage.md` says so.
//!
//! The code's name is new, so its grammar does not depend on advertising.

#[cfg(test)]
mod tests {
    use crate::Response;
    use crate::response::{Code, CodeKind};

    /// RFC 5465 §5.8.
    #[test]
    fn notificationoverflow() {
        let line = b"* OK [NOTIFICATIONOVERFLOW] ...A looooooooooooong message that won't fit\r\n";
        let r = Response::parse(line).unwrap();
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        assert!(format!("{r:?}").contains("NotificationOverflow"));
        assert_eq!(
            Code::NotificationOverflow.kind(),
            Some(CodeKind::NotificationOverflow)
        );
        // With an argument it is not the code: strict reads the bracket as text.
        let r = Response::parse(b"* OK [NOTIFICATIONOVERFLOW 1] x\r\n").unwrap();
        assert!(!format!("{r:?}").contains("NotificationOverflow"), "{r:?}");
    }
}
