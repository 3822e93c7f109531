//! The envelope of a message: RFC 3501 §7.4.2 / RFC 9051 §7.5.2 `ENVELOPE`, and §9 rules
//! `envelope`, `env-*` and `address`.

use crate::prelude::*;

use crate::core::{IntoStatic, NString};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, fail};
use crate::parse::{lparen, rparen, rule, sp};
use crate::response::nstring;

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Address<'a> {
    /// `addr-name`: the display name (phrase), or NIL.
    pub name: NString<'a>,
    /// `addr-adl`: the obsolete source route, or NIL.
    pub adl: NString<'a>,
    /// `addr-mailbox`: the local part; a group name when `host` is NIL, NIL at a group's end.
    pub mailbox: NString<'a>,
    /// `addr-host`: the domain, or NIL for group syntax.
    pub host: NString<'a>,
}

impl<'a> Address<'a> {
    /// Parses `address`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, ()) = lparen(i)?;
        let (i, name) = nstring(i, "addr-name")?;
        let (i, ()) = sp(i)?;
        let (i, adl) = nstring(i, "addr-adl")?;
        let (i, ()) = sp(i)?;
        let (i, mailbox) = nstring(i, "addr-mailbox")?;
        let (i, ()) = sp(i)?;
        let (i, host) = nstring(i, "addr-host")?;
        let (i, ()) = rparen(i)?;
        Ok((
            i,
            Address {
                name,
                adl,
                mailbox,
                host,
            },
        ))
    }
}

impl Encode for Address<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'(');
        self.name.encode(e);
        e.sp();
        self.adl.encode(e);
        e.sp();
        self.mailbox.encode(e);
        e.sp();
        self.host.encode(e);
        e.byte(b')');
    }
}

/// `envelope` (RFC 9051 §9): the parsed header fields of a message. An empty address list
/// stands for NIL (`"(" 1*address ")" / nil`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Envelope<'a> {
    /// `env-date`: the Date header field.
    pub date: NString<'a>,
    /// `env-subject`: the Subject header field.
    pub subject: NString<'a>,
    /// `env-from`
    pub from: Vec<Address<'a>>,
    /// `env-sender`
    pub sender: Vec<Address<'a>>,
    /// `env-reply-to`
    pub reply_to: Vec<Address<'a>>,
    /// `env-to`
    pub to: Vec<Address<'a>>,
    /// `env-cc`
    pub cc: Vec<Address<'a>>,
    /// `env-bcc`
    pub bcc: Vec<Address<'a>>,
    /// `env-in-reply-to`: the In-Reply-To header field.
    pub in_reply_to: NString<'a>,
    /// `env-message-id`: the Message-ID header field.
    pub message_id: NString<'a>,
}

/// `"(" 1*address ")" / nil`; reported as `name` when neither.
fn address_list<'a>(i: &'a [u8], name: &'static str) -> PResult<'a, Vec<Address<'a>>> {
    match i.first() {
        Some(b'(') => {
            let mut i = &i[1..];
            let mut out = Vec::new();
            loop {
                let (rest, a) = Address::parse(i).map_err(|e| {
                    e.map(|mut e| {
                        if e.input.len() == i.len() {
                            e.expected = "address";
                        }
                        e
                    })
                })?;
                out.push(a);
                match rest.first() {
                    Some(b')') => return Ok((&rest[1..], out)),
                    Some(b'(') => i = rest,
                    _ => return fail(rest, "\")\""),
                }
            }
        }
        Some(b'N' | b'n') => match crate::core::nil(i) {
            Ok((r, ())) => Ok((r, Vec::new())),
            Err(_) => fail(i, name),
        },
        _ => fail(i, name),
    }
}

fn encode_address_list(list: &[Address<'_>], e: &mut Encoder<'_>) {
    if list.is_empty() {
        e.raw(b"NIL");
        return;
    }
    e.byte(b'(');
    for a in list {
        a.encode(e);
    }
    e.byte(b')');
}

impl<'a> Envelope<'a> {
    /// Parses `envelope`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        rule("envelope", |i| {
            let (i, ()) = crate::parse::byte(i, b'(', "envelope")?;
            let (i, date) = nstring(i, "env-date")?;
            let (i, ()) = sp(i)?;
            let (i, subject) = nstring(i, "env-subject")?;
            let (i, ()) = sp(i)?;
            let (i, from) = address_list(i, "env-from")?;
            let (i, ()) = sp(i)?;
            let (i, sender) = address_list(i, "env-sender")?;
            let (i, ()) = sp(i)?;
            let (i, reply_to) = address_list(i, "env-reply-to")?;
            let (i, ()) = sp(i)?;
            let (i, to) = address_list(i, "env-to")?;
            let (i, ()) = sp(i)?;
            let (i, cc) = address_list(i, "env-cc")?;
            let (i, ()) = sp(i)?;
            let (i, bcc) = address_list(i, "env-bcc")?;
            let (i, ()) = sp(i)?;
            let (i, in_reply_to) = nstring(i, "env-in-reply-to")?;
            let (i, ()) = sp(i)?;
            let (i, message_id) = nstring(i, "env-message-id")?;
            let (i, ()) = rparen(i)?;
            Ok((
                i,
                Envelope {
                    date,
                    subject,
                    from,
                    sender,
                    reply_to,
                    to,
                    cc,
                    bcc,
                    in_reply_to,
                    message_id,
                },
            ))
        })(i)
    }
}

impl Encode for Envelope<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'(');
        self.date.encode(e);
        e.sp();
        self.subject.encode(e);
        for list in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            e.sp();
            encode_address_list(list, e);
        }
        e.sp();
        self.in_reply_to.encode(e);
        e.sp();
        self.message_id.encode(e);
        e.byte(b')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_all;

    const RFC3501_8: &str = r#"("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>")"#;

    fn encode(env: &Envelope<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = Encoder::server(&mut out);
        env.encode(&mut e);
        let _ = e.finish();
        out
    }

    #[test]
    fn rfc3501_sample_envelope() {
        let env = parse_all(RFC3501_8.as_bytes(), Envelope::parse).unwrap();
        assert_eq!(env.cc.len(), 2);
        assert!(env.bcc.is_empty());
        assert_eq!(env.from[0].mailbox.as_bytes(), Some(&b"gray"[..]));
        assert_eq!(encode(&env), RFC3501_8.as_bytes());
    }

    #[test]
    fn bad_envelopes() {
        // A space between two addresses of a list.
        let bad = RFC3501_8.replace(r#""CNRI.Reston.VA.US")("#, r#""CNRI.Reston.VA.US") ("#);
        let err = parse_all(bad.as_bytes(), Envelope::parse).unwrap_err();
        assert_eq!((err.expected, err.context), ("\")\"", "envelope"));
        // An empty address list is not NIL.
        let bad = RFC3501_8.replace(" NIL NIL \"<B", " () NIL \"<B");
        let err = parse_all(bad.as_bytes(), Envelope::parse).unwrap_err();
        assert_eq!(err.expected, "address");
        assert_eq!(err.offset, bad.find(" () ").unwrap() + 2);
        let err = parse_all(b"(NIL NIL NIL NIL NIL NIL NIL NIL NIL)", Envelope::parse);
        assert_eq!(err.unwrap_err().expected, "SP");
        let err = parse_all(b"(x", Envelope::parse).unwrap_err();
        assert_eq!((err.offset, err.expected), (1, "env-date"));
    }
}
