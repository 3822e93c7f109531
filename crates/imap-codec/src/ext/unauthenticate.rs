//! UNAUTHENTICATE (RFC 8437): leave the authenticated (or selected) state without closing
//! the connection, back to not authenticated (§3).
//!
//! ```text
//! capability     =/ "UNAUTHENTICATE"     ; RFC 8437 §6
//! command-auth   =/ "UNAUTHENTICATE"
//! command-select =/ "UNAUTHENTICATE"
//! ```
//!
//! The command is the `Unauthenticate` row of the command table (no arguments, valid when
//! authenticated or selected). On the tagged OK the connection is in the not-authenticated
//! state again, with every effect of authentication undone (§3): nothing is selected (no
//! expunge happens), what ENABLE turned on is off, and an active SASL security layer or
//! COMPRESS layer ends after the CRLF of the OK (server) / of the command (client). The state
//! transition is the sessions' (`imap-session`, trigger `UnauthenticateOk`); ending a
//! COMPRESS layer there is the COMPRESS adapter's.

#[cfg(test)]
mod tests {
    use crate::Capability;
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{CommandBody, CommandKind, ConnectionState, States};

    /// RFC 8437 §3's command, and the row.
    #[test]
    fn unauthenticate_row() {
        let c = roundtrip(b"A004 UNAUTHENTICATE\r\n", true);
        assert_eq!(c.body, CommandBody::Unauthenticate);
        let c = roundtrip(b"a unauthenticate\r\n", false);
        assert_eq!(c.kind(), CommandKind::Unauthenticate);
        assert_eq!(CommandKind::Unauthenticate.states(), States::AUTH);
        assert!(
            !CommandKind::Unauthenticate
                .states()
                .contains(ConnectionState::NotAuthenticated)
        );
        assert_eq!(
            CommandKind::Unauthenticate.capability(),
            Some(Capability::Unauthenticate)
        );
        rejects(b"a UNAUTHENTICATE x\r\n", 16, "CRLF");
        rejects(b"a UID UNAUTHENTICATE\r\n", 6, "uid");
        rejects(b"a UNAUTHENTICATED\r\n", 2, "command");
    }
}
