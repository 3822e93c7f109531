//! UIDONLY (RFC 9586): the part of its grammar this crate has so far.
//!
//! RFC 9586 is not in `../shared/rfcs`. The search tool found its abstract and the text of
//! §3 (quoted in the IETF last-call review of draft-ietf-extra-imap-uidonly-06, and the
//! rfc-editor.org page of RFC 9586): once UIDONLY is enabled "the server MUST return tagged
//! BAD response if the client uses message sequence numbers. The server SHOULD include the
//! UIDREQUIRED response code in such BAD responses". From that:
//!
//! ```text
//! capability     =/ "UIDONLY"
//! resp-text-code =/ "UIDREQUIRED"
//! ```
//!
//! - `UIDREQUIRED` is [`crate::response::Code::UidRequired`], a code without arguments.
//! - Not done: the `UIDFETCH` response (a FETCH response keyed by UID, valid only once
//!   UIDONLY is enabled): its ABNF (RFC 9586 §7) was not found with the search tool, so it
//!   is not guessed at; `docs/coverage.md` says so.

#[cfg(test)]
mod tests {
    use crate::Response;
    use crate::prelude::*;

    /// RFC 9586 §3.
    #[test]
    fn uidrequired() {
        let line =
            b"A103 BAD [UIDREQUIRED] Message numbers are not allowed once UIDONLY is enabled\r\n";
        let r = Response::parse(line).unwrap();
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        assert!(format!("{r:?}").contains("UidRequired"));
    }
}
