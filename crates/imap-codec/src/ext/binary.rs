//! BINARY (RFC 3516), checked against what RFC 9051 kept of it.
//!
//! ```text
//! append         =/ "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal8
//! fetch-att      =/ "BINARY" [".PEEK"] section-binary [partial]
//!                 / "BINARY.SIZE" section-binary
//! literal8       = "~{" number "}" CRLF *OCTET
//! msg-att-static =/ "BINARY" section-binary SP (nstring / literal8)
//!                 / "BINARY.SIZE" section-binary SP number
//! partial        = "<" number "." nz-number ">"
//! resp-text-code =/ "UNKNOWN-CTE"
//! section-binary = "[" [section-part] "]"                 ; RFC 3516 §7
//! ```
//!
//! Every rule of RFC 3516 §7 is in RFC 9051 §9, so BINARY lives in the base grammar and this
//! module only holds the tests that walk RFC 3516 rule by rule:
//!
//! | RFC 3516 rule | RFC 9051 §9 | where |
//! |---|---|---|
//! | `append` with `literal8` | `append-data` has `literal8` (§6.3.12) | `command/append.rs` |
//! | `fetch-att` BINARY, BINARY.PEEK, BINARY.SIZE | same | `command/fetch.rs` |
//! | `literal8` `~{n}` | same, plus `~{n+}` from clients (RFC 7888 via RFC 9051 §4.3.1) | `core.rs`, `framer.rs` |
//! | `msg-att-static` BINARY, BINARY.SIZE | same | `response/fetch.rs` |
//! | `partial` | RFC 9051: `"<" number64 "." nz-number64 ">"` (wider) | `section.rs` |
//! | `resp-text-code` UNKNOWN-CTE | same (§7.1) | `response/code.rs` |
//! | `section-binary` | same | `section.rs` |
//!
//! One difference between RFC 3516's prose and its grammar: §4.3 names the response item
//! `BINARY<section-binary>[<<number>>]` (with the origin of a partial fetch), but §7's
//! `msg-att-static` (and RFC 9051's) has no origin. The strict grammar follows the ABNF:
//! `BINARY[1]<0> ...` in a response is rejected (test below).

#[cfg(test)]
mod tests {
    use crate::command::test_util::{rejects, roundtrip};
    use crate::prelude::*;
    use crate::response::Response;

    fn response(line: &[u8]) -> Response<'_> {
        let r = Response::parse(line)
            .unwrap_or_else(|e| panic!("{}: {e:?}", String::from_utf8_lossy(line)));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        r
    }

    /// RFC 3516 §4.1, §4.2: the FETCH items, and the APPEND of §4.4.
    #[test]
    fn commands() {
        for line in [
            "a FETCH 1 BINARY[]\r\n",
            "a FETCH 1 BINARY.PEEK[1.2]<0.100>\r\n",
            "a FETCH 1 (BINARY.SIZE[1] BINARY[1]<1024.4096>)\r\n",
            "a UID FETCH 1:* BINARY.SIZE[]\r\n",
            "a APPEND INBOX ~{3}\r\na\0c\r\n",
            "a APPEND INBOX (\\Seen) ~{0}\r\n\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        rejects(b"a FETCH 1 BINARY[HEADER]\r\n", 17, "nz-number");
        rejects(b"a FETCH 1 BINARY[1.MIME]\r\n", 18, "\"]\"");
        rejects(b"a FETCH 1 BINARY.SIZE[1]<0.1>\r\n", 24, "CRLF");
        rejects(b"a FETCH 1 BINARY\r\n", 16, "section-binary");
        rejects(b"a FETCH 1 BINARY[1]<0.0>\r\n", 22, "nz-number64");
    }

    /// RFC 3516 §4.3: the FETCH response items and `[UNKNOWN-CTE]`.
    #[test]
    fn responses() {
        for line in [
            &b"* 1 FETCH (BINARY[] ~{3}\r\na\0c)\r\n"[..],
            b"* 1 FETCH (BINARY[1] \"text\")\r\n",
            b"* 1 FETCH (BINARY[1.2] NIL)\r\n",
            b"* 1 FETCH (BINARY[2] {2}\r\n\xff\xfe)\r\n",
            b"* 1 FETCH (BINARY.SIZE[1] 2048 UID 7)\r\n",
            b"a NO [UNKNOWN-CTE] Can't decode x-uuencode\r\n",
        ] {
            response(line);
        }
        for bad in [
            &b"* 1 FETCH (BINARY[1]<0> \"x\")\r\n"[..],
            b"* 1 FETCH (BINARY[1] ~{1+}\r\nx)\r\n",
            b"* 1 FETCH (BINARY.SIZE[1] NIL)\r\n",
            b"* 1 FETCH (BINARY[1] {2}\r\na\0)\r\n",
        ] {
            assert!(
                Response::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
