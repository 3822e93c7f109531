//! The base64 line helpers and the initial-response decisions (RFC 9051 §6.2.2, RFC 4959,
//! RFC 5034 §4).

use mailproto_sasl::wire::*;
use mailproto_sasl::{Mechanism, Response, SaslError};

#[test]
fn strict_base64() {
    // RFC 9051 §6.2.2 / RFC 5034 §4: characters outside the alphabet and non-terminal "="
    // are errors; so is missing padding.
    for bad in [
        &b"=AAA"[..],
        b"AAA=BBB",
        b"AA AA",
        b"AAA",
        b"A",
        b"AB!=",
        b"AA==AA==",
        b"AB==",
    ] {
        assert_eq!(decode_line(bad).unwrap_err(), SaslError::Base64, "{bad:?}");
    }
    assert!(matches!(decode_line(b"*"), Ok(Line::Cancel)));
    assert!(matches!(decode_line(b""), Ok(Line::Data(d)) if d.is_empty()));
    assert!(matches!(decode_line(b"AQ=="), Ok(Line::Data(d)) if d.expose() == [1]));
    // "=" is the empty initial response; an empty argument is not one.
    assert!(decode_initial_response(b"=").unwrap().is_empty());
    assert!(decode_initial_response(b"").is_err());
    assert!(decode_initial_response(b"*").is_err());
    assert_eq!(decode_challenge(b"").unwrap(), b"");
    assert!(decode_challenge(b"+").is_err());
}

#[test]
fn initial_response_encoding() {
    let mut out = Vec::new();
    encode_initial_response(b"", &mut out);
    assert_eq!(out, b"=");
    out.clear();
    encode_line(b"", &mut out);
    assert_eq!(out, b"");
    // Appends to what is there.
    let mut out = b"A1 AUTHENTICATE PLAIN ".to_vec();
    encode_initial_response(b"\0u\0p", &mut out);
    assert_eq!(out, b"A1 AUTHENTICATE PLAIN AHUAcA==");
}

#[test]
fn pop3_255_octet_rule() {
    // "AUTH PLAIN " (11) + base64 + CRLF (2) <= 255: base64 up to 242 octets, i.e. 240
    // (a multiple of 4) = 180 decoded octets.
    let m = Mechanism::PLAIN;
    assert!(pop3_initial_response_fits(&m, 180));
    assert!(!pop3_initial_response_fits(&m, 181));
    assert!(pop3_initial_response_fits(&m, 0)); // "AUTH PLAIN =\r\n"
    let inline = pop3_initial_response(&m, Response::new(vec![7u8; 180]));
    let text = inline.inline().unwrap();
    assert_eq!(4 + 1 + 5 + 1 + text.len() + 2, 253);
    assert!(
        matches!(pop3_initial_response(&m, Response::new(vec![7u8; 181])), InitialResponse::Deferred(r) if r.as_bytes().len() == 181)
    );
    // A longer name leaves less room.
    let long = Mechanism::SCRAM_SHA_256_PLUS; // 18 octets
    assert!(pop3_initial_response_fits(&long, 171));
    assert!(!pop3_initial_response_fits(&long, 172));
    assert_eq!(
        pop3_initial_response(&m, Response::empty()).inline(),
        Some(&b"="[..])
    );
    assert!(!pop3_initial_response_fits(&m, usize::MAX));
}

#[test]
fn sasl_ir() {
    let r = Response::new(b"\0tim\0tanstaaftanstaaf".to_vec());
    assert_eq!(
        imap_initial_response(r.clone(), true).inline(),
        Some(&b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm"[..])
    );
    assert!(matches!(
        imap_initial_response(r, false),
        InitialResponse::Deferred(_)
    ));
    assert_eq!(
        imap_initial_response(Response::empty(), true).inline(),
        Some(&b"="[..])
    );
}
