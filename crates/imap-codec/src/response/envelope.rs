//! The envelope of a message: RFC 3501 §7.4.2 / RFC 9051 §7.5.2 `ENVELOPE`, and §9 rules
//! `envelope`, `env-*` and `address`.

use crate::prelude::*;

use crate::core::{IntoStatic, NString};
use crate::encode::{Encode, Encoder};
use crate::error::PResult;
use crate::parse::{lparen, rparen, rule, sp};
use crate::response::wire::wire_list;
use crate::response::{nstring, skip_nstring};

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
        let (i, [name, adl, mailbox, host]) = address_fields(i, nstring)?;
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

    /// Checks `address` without building it (an item of an [`AddressList`]); an error at its
    /// start is reported as `address`.
    fn skip(i: &'a [u8]) -> PResult<'a, ()> {
        address_fields(i, skip_nstring)
            .map(|(r, _)| (r, ()))
            .map_err(|e| {
                e.map(|mut e| {
                    if e.input.len() == i.len() {
                        e.expected = "address";
                    }
                    e
                })
            })
    }

    fn encode_item(&self, e: &mut Encoder<'_>) {
        self.encode(e);
    }
}

/// The four fields of an `address`, each read by `field` (parsed or only checked).
#[inline]
fn address_fields<'a, F>(
    i: &'a [u8],
    field: impl Fn(&'a [u8], &'static str) -> PResult<'a, F>,
) -> PResult<'a, [F; 4]> {
    let (i, ()) = lparen(i)?;
    let (i, name) = field(i, "addr-name")?;
    let (i, ()) = sp(i)?;
    let (i, adl) = field(i, "addr-adl")?;
    let (i, ()) = sp(i)?;
    let (i, mailbox) = field(i, "addr-mailbox")?;
    let (i, ()) = sp(i)?;
    let (i, host) = field(i, "addr-host")?;
    let (i, ()) = rparen(i)?;
    Ok((i, [name, adl, mailbox, host]))
}

wire_list!(
    /// An address list of an `envelope`: `"(" 1*address ")" / nil` (RFC 9051 §9 `env-from`,
    /// `env-sender`, ...), held as its validated wire form and decoded on access
    /// (docs/performance.md, "Value model"). An empty list is NIL.
    ///
    /// ```
    /// use mailproto_imap_codec::IString;
    /// use mailproto_imap_codec::core::NString;
    /// use mailproto_imap_codec::response::{Address, AddressList};
    /// let s = |v: &'static str| NString(Some(IString::new(v).unwrap()));
    /// let list = AddressList::new(vec![Address {
    ///     name: s("Terry Gray"),
    ///     adl: NString::NIL,
    ///     mailbox: s("gray"),
    ///     host: s("cac.washington.edu"),
    /// }]);
    /// assert_eq!(list.len(), 1);
    /// assert_eq!(list.first().unwrap().mailbox.as_bytes(), Some(&b"gray"[..]));
    /// assert_eq!(list.wire(), br#"("Terry Gray" NIL "gray" "cac.washington.edu")"#);
    /// ```
    AddressList of Address, iter AddressListIter,
    sep: false,
    parse: Address::parse,
    skip: Address::skip,
    encode: Address::encode_item,
);

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
    pub from: AddressList<'a>,
    /// `env-sender`
    pub sender: AddressList<'a>,
    /// `env-reply-to`
    pub reply_to: AddressList<'a>,
    /// `env-to`
    pub to: AddressList<'a>,
    /// `env-cc`
    pub cc: AddressList<'a>,
    /// `env-bcc`
    pub bcc: AddressList<'a>,
    /// `env-in-reply-to`: the In-Reply-To header field.
    pub in_reply_to: NString<'a>,
    /// `env-message-id`: the Message-ID header field.
    pub message_id: NString<'a>,
}

impl<'a> Envelope<'a> {
    /// Parses `envelope`.
    pub(crate) fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (i, ([date, subject, in_reply_to, message_id], [from, sender, reply_to, to, cc, bcc])) =
            envelope_fields(i, nstring)?;
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
    }

    /// Checks `envelope` without building its strings (the address lists are wire slices:
    /// nothing is allocated).
    pub(crate) fn skip(i: &'a [u8]) -> PResult<'a, ()> {
        envelope_fields(i, skip_nstring).map(|(r, _)| (r, ()))
    }
}

/// The fields of an `envelope`: its four strings (date, subject, in-reply-to, message-id),
/// each read by `field` (parsed or only checked), and its six address lists.
#[allow(clippy::type_complexity)]
#[inline]
fn envelope_fields<'a, F>(
    i: &'a [u8],
    field: impl Fn(&'a [u8], &'static str) -> PResult<'a, F>,
) -> PResult<'a, ([F; 4], [AddressList<'a>; 6])> {
    rule("envelope", |i| {
        let (i, ()) = crate::parse::byte(i, b'(', "envelope")?;
        let (i, date) = field(i, "env-date")?;
        let (i, ()) = sp(i)?;
        let (i, subject) = field(i, "env-subject")?;
        let (i, ()) = sp(i)?;
        let (i, from) = AddressList::parse(i, "env-from")?;
        let (i, ()) = sp(i)?;
        let (i, sender) = AddressList::parse(i, "env-sender")?;
        let (i, ()) = sp(i)?;
        let (i, reply_to) = AddressList::parse(i, "env-reply-to")?;
        let (i, ()) = sp(i)?;
        let (i, to) = AddressList::parse(i, "env-to")?;
        let (i, ()) = sp(i)?;
        let (i, cc) = AddressList::parse(i, "env-cc")?;
        let (i, ()) = sp(i)?;
        let (i, bcc) = AddressList::parse(i, "env-bcc")?;
        let (i, ()) = sp(i)?;
        let (i, in_reply_to) = field(i, "env-in-reply-to")?;
        let (i, ()) = sp(i)?;
        let (i, message_id) = field(i, "env-message-id")?;
        let (i, ()) = rparen(i)?;
        Ok((
            i,
            (
                [date, subject, in_reply_to, message_id],
                [from, sender, reply_to, to, cc, bcc],
            ),
        ))
    })(i)
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
            list.encode(e);
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
    use alloc::borrow::Cow;

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
        assert_eq!(
            env.from.first().unwrap().mailbox.as_bytes(),
            Some(&b"gray"[..])
        );
        assert_eq!(encode(&env), RFC3501_8.as_bytes());
    }

    #[test]
    fn address_lists_are_wire_slices_decoded_on_access() {
        // An escaped quoted string and a literal inside a list (RFC 9051 §4.3): checked by
        // the parser, borrowed as wire bytes, decoded (and unescaped) only by the iterator.
        let text = "(NIL NIL ((\"Mary \\\"Mae\\\"\" NIL {5}\r\nm\r\nae \"x.org\")(NIL NIL \"b\" \"y.org\")) \
                    NIL NIL NIL NIL NIL NIL NIL)";
        let env = parse_all(text.as_bytes(), Envelope::parse).unwrap();
        assert!(matches!(env.from.wire, Cow::Borrowed(_)));
        assert_eq!(env.from.len(), 2);
        let first = env.from.first().unwrap();
        assert_eq!(first.name.as_bytes(), Some(&b"Mary \"Mae\""[..]));
        assert_eq!(first.mailbox.as_bytes(), Some(&b"m\r\nae"[..]));
        assert_eq!(
            env.from.get(1).unwrap().host.as_bytes(),
            Some(&b"y.org"[..])
        );
        assert_eq!(env.from.get(2), None);
        assert_eq!(encode(&env), text.as_bytes());
        // The decoded items build an equal list; the owned form is equal too.
        let rebuilt = AddressList::new(env.from.to_vec());
        assert_eq!(rebuilt, env.from);
        assert_eq!(env.from.clone().into_static(), env.from);
        let owned = env.from.clone().into_static().into_vec();
        assert_eq!(owned, env.from.to_vec());
        assert_eq!(
            format!("{:?}", env.from),
            format!("{:?}", env.from.to_vec())
        );
        assert!(env.sender.is_empty() && env.sender == AddressList::default());
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
