//! Agreement with Dovecot 2.3.19.1: BODYSTRUCTURE and ENVELOPE of the messages in
//! tests/dovecot/, against what Dovecot computed for them (tests/dovecot/expected.txt).
//!
//! Compared ignoring ASCII case (this kit upper-cases types, subtypes, parameter names and
//! encodings as RFC 9051's examples do; Dovecot keeps them as written). Two deliberate
//! differences are mapped before comparing (docs/mailbox.md explains them):
//! - an address without a domain: Dovecot invents the host `MISSING_DOMAIN`, this kit
//!   reports the empty string;
//! - an RFC 2231 parameter joined from extended and plain sections: this kit
//!   percent-encodes the plain sections so the value stays one valid `ext-value`.

use std::num::NonZeroU32;

use imap_codec::command::FetchAtt;
use imap_codec::encode::{Encode, Encoder};
use imap_codec::{Date, DateTime};
use mailproto_imap_mailbox::store::normalize_line_endings;
use mailproto_imap_mailbox::{Flags, Message, MessageMeta, fetch};

const EXPECTED: &str = include_str!("dovecot/expected.txt");

const FILES: &[(&str, &[u8])] = &[
    ("01-mixed.eml", include_bytes!("dovecot/01-mixed.eml")),
    ("02-empty.eml", include_bytes!("dovecot/02-empty.eml")),
    ("03-nohdr.eml", include_bytes!("dovecot/03-nohdr.eml")),
    ("04-bare.eml", include_bytes!("dovecot/04-bare.eml")),
    ("05-nobody.eml", include_bytes!("dovecot/05-nobody.eml")),
    ("06-rfc2231.eml", include_bytes!("dovecot/06-rfc2231.eml")),
    ("07-digest.eml", include_bytes!("dovecot/07-digest.eml")),
    ("08-lf.eml", include_bytes!("dovecot/08-lf.eml")),
];

fn ours(raw: &[u8], item: FetchAtt<'static>) -> String {
    // Dovecot stores and measures messages with CRLF line ends, as the store does.
    let msg = Message::parse(normalize_line_endings(raw.to_vec()));
    let flags = Flags::new();
    let meta = MessageMeta {
        uid: NonZeroU32::new(1).unwrap(),
        flags: &flags,
        internal_date: DateTime::new(Date::new(2024, 1, 1).unwrap(), 0, 0, 0, 0).unwrap(),
        recent: false,
    };
    let f = fetch(&msg, &meta, &[item]).unwrap();
    let mut out = Vec::new();
    let mut e = Encoder::server(&mut out);
    f.attributes[0].encode(&mut e);
    let _ = e.finish();
    let s = String::from_utf8(out).unwrap();
    let (_, value) = s.split_once(' ').unwrap();
    // Dovecot prints the values without their outer parentheses.
    value[1..value.len() - 1].to_string()
}

#[test]
fn agrees_with_dovecot() {
    let mut checked = 0;
    for block in EXPECTED.split("\n\n").filter(|b| b.starts_with("file: ")) {
        let mut lines = block.lines();
        let file = lines.next().unwrap().strip_prefix("file: ").unwrap();
        let body = lines
            .next()
            .unwrap()
            .strip_prefix("bodystructure: ")
            .unwrap();
        let env = lines.next().unwrap().strip_prefix("envelope: ").unwrap();
        let raw = FILES.iter().find(|(n, _)| *n == file).unwrap().1;
        let body = body.replace("isn't it!", "isn%27t%20it!");
        let env = env.replace("\"MISSING_DOMAIN\"", "\"\"");
        let got = ours(raw, FetchAtt::BodyStructure);
        assert!(
            got.eq_ignore_ascii_case(&body),
            "{file}\n ours:    {got}\n dovecot: {body}"
        );
        let got = ours(raw, FetchAtt::Envelope);
        assert!(
            got.eq_ignore_ascii_case(&env),
            "{file}\n ours:    {got}\n dovecot: {env}"
        );
        checked += 1;
    }
    assert_eq!(checked, FILES.len());
}
