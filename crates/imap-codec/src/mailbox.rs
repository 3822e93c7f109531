//! Mailbox names: `mailbox` and `list-mailbox` (RFC 9051 §5.1, §9), and the modified UTF-7
//! encoding of international names (RFC 3501 §5.1.3, RFC 9051 §5.1 / Appendix A).

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::core::{AString, IString, IntoBytes, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::parse::{ascii_str, is_list_char, take_while1};

/// `mailbox = "INBOX" / astring` (RFC 9051 §9). `INBOX` is case-insensitive and always
/// becomes [`Mailbox::Inbox`], so two names that mean the same mailbox compare equal.
///
/// ```
/// use mailproto_imap_codec::Mailbox;
/// assert_eq!(Mailbox::new("inbox").unwrap(), Mailbox::Inbox);
/// let m = Mailbox::new("Entwürfe").unwrap();
/// assert_eq!(m.as_bytes(), "Entwürfe".as_bytes());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Mailbox<'a> {
    /// The special name INBOX, in any case.
    Inbox,
    /// Any other name, as sent (modified UTF-7 under IMAP4rev1, UTF-8 under IMAP4rev2).
    Other(MailboxOther<'a>),
}

/// Whether `name` is `INBOX` in any case (RFC 9051 §5.1): five octets, compared folded with
/// `| 0x20` (exact here: only `I`/`i`, `N`/`n`, ... fold onto the lower-case letters), as one
/// four-octet word and one octet.
#[inline]
fn is_inbox(name: &[u8]) -> bool {
    match name {
        [a, b, c, d, e] => {
            u32::from_le_bytes([*a, *b, *c, *d]) | 0x2020_2020 == u32::from_le_bytes(*b"inbo")
                && *e | 0x20 == b'x'
        }
        _ => false,
    }
}

/// A mailbox name other than INBOX.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct MailboxOther<'a>(AString<'a>);

impl MailboxOther<'_> {
    /// The name as sent.
    pub fn as_astring(&self) -> &AString<'_> {
        &self.0
    }
}

impl<'a> Mailbox<'a> {
    /// A mailbox named by the octets of `name` (shortest wire form).
    pub fn new(name: impl IntoBytes<'a>) -> Result<Self, ValidationError> {
        Ok(Self::from_astring(AString::new(name)?))
    }

    /// A mailbox for the name given as Unicode text, encoded with modified UTF-7
    /// (for IMAP4rev1 servers without UTF8=ACCEPT).
    pub fn from_utf8_as_utf7(name: &str) -> Result<Mailbox<'static>, ValidationError> {
        Mailbox::new(utf7::encode(name))
    }

    /// Builds from an already parsed `astring`.
    pub fn from_astring(name: AString<'a>) -> Self {
        if is_inbox(name.as_bytes()) {
            Mailbox::Inbox
        } else {
            Mailbox::Other(MailboxOther(name))
        }
    }

    /// The name's octets (`INBOX` for the inbox).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Mailbox::Inbox => b"INBOX",
            Mailbox::Other(o) => o.0.as_bytes(),
        }
    }

    /// The name decoded from modified UTF-7 (RFC 3501 §5.1.3), or `None` when it is not
    /// valid modified UTF-7 (for example a UTF-8 name under IMAP4rev2).
    pub fn decode_utf7(&self) -> Option<String> {
        utf7::decode(self.as_bytes())
    }

    /// Parses `mailbox`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        let (rest, name) = AString::parse::<CMD>(i).map_err(|e| {
            e.map(|mut e| {
                if e.input.len() == i.len() {
                    e.expected = "mailbox";
                }
                e
            })
        })?;
        Ok((rest, Mailbox::from_astring(name)))
    }
}

impl Encode for Mailbox<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Mailbox::Inbox => {
                e.raw(b"INBOX");
            }
            Mailbox::Other(o) => o.0.encode(e),
        }
    }
}

impl IntoStatic for Mailbox<'_> {
    type Static = Mailbox<'static>;
    fn into_static(self) -> Mailbox<'static> {
        match self {
            Mailbox::Inbox => Mailbox::Inbox,
            Mailbox::Other(o) => Mailbox::Other(MailboxOther(o.0.into_static())),
        }
    }
}

/// `list-mailbox = 1*list-char / string` (RFC 9051 §9): a LIST pattern, where `*` and `%`
/// are wildcards.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ListMailbox<'a> {
    /// The unquoted form, `1*list-char`.
    Token(ListToken<'a>),
    /// A quoted string or literal.
    String(IString<'a>),
}

/// `1*list-char`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ListToken<'a>(Cow<'a, str>);

impl ListToken<'_> {
    /// The pattern.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'a> ListMailbox<'a> {
    /// The shortest valid form of `pattern`.
    ///
    /// ```
    /// use mailproto_imap_codec::ListMailbox;
    /// assert!(matches!(ListMailbox::new("%").unwrap(), ListMailbox::Token(_)));
    /// assert!(matches!(ListMailbox::new("").unwrap(), ListMailbox::String(_)));
    /// ```
    pub fn new(pattern: impl IntoBytes<'a>) -> Result<Self, ValidationError> {
        let pattern = pattern.into_bytes();
        if !pattern.is_empty() && pattern.iter().all(|&b| is_list_char(b)) {
            let token = match pattern {
                Cow::Borrowed(b) => Cow::Borrowed(ascii_str(b)),
                Cow::Owned(v) => Cow::Owned(String::from_utf8(v).unwrap_or_default()),
            };
            return Ok(ListMailbox::Token(ListToken(token)));
        }
        IString::new(pattern).map(ListMailbox::String)
    }

    /// The pattern's octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            ListMailbox::Token(t) => t.0.as_bytes(),
            ListMailbox::String(s) => s.as_bytes(),
        }
    }

    /// Parses `list-mailbox`.
    pub(crate) fn parse<const CMD: bool>(i: &'a [u8]) -> PResult<'a, Self> {
        match i.first() {
            Some(b'"' | b'{') => IString::parse::<CMD>(i).map(|(r, s)| (r, ListMailbox::String(s))),
            Some(_) => {
                let (rest, run) = take_while1(i, is_list_char, "list-mailbox")?;
                Ok((
                    rest,
                    ListMailbox::Token(ListToken(Cow::Borrowed(ascii_str(run)))),
                ))
            }
            None => fail(i, "list-mailbox"),
        }
    }
}

impl Encode for ListMailbox<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            ListMailbox::Token(t) => {
                e.raw(t.0.as_bytes());
            }
            ListMailbox::String(s) => s.encode(e),
        }
    }
}

impl IntoStatic for ListMailbox<'_> {
    type Static = ListMailbox<'static>;
    fn into_static(self) -> ListMailbox<'static> {
        match self {
            ListMailbox::Token(t) => ListMailbox::Token(ListToken(t.0.into_static())),
            ListMailbox::String(s) => ListMailbox::String(s.into_static()),
        }
    }
}

/// Modified UTF-7 (RFC 3501 §5.1.3): printable US-ASCII except `&` stands for itself, `&` is
/// `&-`, and other Unicode text is UTF-16 in modified base64 (`,` for `/`, no padding)
/// between `&` and `-`.
pub mod utf7 {
    use crate::prelude::*;

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    fn value(b: u8) -> Option<u32> {
        ALPHABET.iter().position(|&a| a == b).map(|p| p as u32)
    }

    /// Encodes Unicode text as modified UTF-7.
    ///
    /// ```
    /// use mailproto_imap_codec::mailbox::utf7;
    /// assert_eq!(utf7::encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    /// assert_eq!(utf7::encode("Tom & Jerry"), "Tom &- Jerry");
    /// ```
    pub fn encode(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut pending: Vec<u16> = Vec::new();
        let flush = |pending: &mut Vec<u16>, out: &mut String| {
            if pending.is_empty() {
                return;
            }
            out.push('&');
            let mut bits: u32 = 0;
            let mut nbits = 0;
            for unit in pending.drain(..) {
                bits = (bits << 16) | u32::from(unit);
                nbits += 16;
                while nbits >= 6 {
                    nbits -= 6;
                    out.push(ALPHABET[((bits >> nbits) & 63) as usize] as char);
                }
            }
            if nbits > 0 {
                out.push(ALPHABET[((bits << (6 - nbits)) & 63) as usize] as char);
            }
            out.push('-');
        };
        for c in text.chars() {
            if (' '..='~').contains(&c) {
                flush(&mut pending, &mut out);
                if c == '&' {
                    out.push_str("&-");
                } else {
                    out.push(c);
                }
            } else {
                let mut buf = [0u16; 2];
                pending.extend_from_slice(c.encode_utf16(&mut buf));
            }
        }
        flush(&mut pending, &mut out);
        out
    }

    /// Decodes modified UTF-7; `None` when `name` is not valid modified UTF-7 (8-bit octets,
    /// a bad base64 run, leftover bits, an encoded printable ASCII character, or two
    /// adjacent encoded runs, all forbidden by RFC 3501 §5.1.3).
    ///
    /// ```
    /// use mailproto_imap_codec::mailbox::utf7;
    /// assert_eq!(utf7::decode(b"&U,BTFw-").as_deref(), Some("台北"));
    /// assert_eq!(utf7::decode(b"a&-b").as_deref(), Some("a&b"));
    /// assert_eq!(utf7::decode(b"&Jjo"), None);
    /// ```
    pub fn decode(name: &[u8]) -> Option<String> {
        let mut out = String::with_capacity(name.len());
        let mut i = 0;
        let mut last_was_run = false;
        while i < name.len() {
            let b = name[i];
            if !(0x20..=0x7e).contains(&b) {
                return None;
            }
            if b != b'&' {
                out.push(b as char);
                i += 1;
                last_was_run = false;
                continue;
            }
            let end = i + 1 + name[i + 1..].iter().position(|&c| c == b'-')?;
            let run = &name[i + 1..end];
            if run.is_empty() {
                out.push('&');
                last_was_run = false;
            } else {
                if last_was_run {
                    return None;
                }
                let mut units = Vec::with_capacity(run.len() * 6 / 16);
                let mut bits: u32 = 0;
                let mut nbits = 0;
                for &c in run {
                    bits = (bits << 6) | value(c)?;
                    nbits += 6;
                    if nbits >= 16 {
                        nbits -= 16;
                        units.push(((bits >> nbits) & 0xffff) as u16);
                    }
                }
                if nbits >= 6 || bits & ((1 << nbits) - 1) != 0 {
                    return None;
                }
                for c in char::decode_utf16(units) {
                    let c = c.ok()?;
                    if (' '..='~').contains(&c) {
                        return None;
                    }
                    out.push(c);
                }
                last_was_run = true;
            }
            i = end + 1;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folded INBOX test agrees with `eq_ignore_ascii_case` for every octet at every
    /// position of every case variant of INBOX, and for every length around five.
    #[test]
    fn inbox_test_agrees_with_eq_ignore_ascii_case() {
        for variant in 0..32u8 {
            let mut name: Vec<u8> = b"inbox"
                .iter()
                .enumerate()
                .map(|(k, &c)| {
                    if variant >> k & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            assert!(is_inbox(&name));
            for at in 0..5 {
                let keep = name[at];
                for b in 0..=255u8 {
                    name[at] = b;
                    assert_eq!(
                        is_inbox(&name),
                        name.eq_ignore_ascii_case(b"INBOX"),
                        "{name:?}"
                    );
                }
                name[at] = keep;
            }
        }
        for name in [&b""[..], b"INBO", b"INBOXX", b"INBOX/", b"xINBOX"] {
            assert!(!is_inbox(name));
        }
    }

    #[test]
    fn utf7_round_trips() {
        for s in [
            "",
            "INBOX",
            "a&b",
            "日本語",
            "Ünïcödé mail",
            "😀 emoji",
            "&&",
            "x&Y-",
        ] {
            let enc = utf7::encode(s);
            assert!(enc.bytes().all(|b| (0x20..0x7f).contains(&b)));
            assert_eq!(utf7::decode(enc.as_bytes()).as_deref(), Some(s), "{enc}");
        }
        assert_eq!(utf7::decode(b"&AGE-"), None, "encoded ASCII is forbidden");
        assert_eq!(
            utf7::decode(b"&ZeVnLA-&Iqe-"),
            None,
            "adjacent runs are forbidden"
        );
    }

    #[test]
    fn inbox_is_case_insensitive() {
        let (_, m) = Mailbox::parse::<true>(b"\"InBoX\"").unwrap();
        assert_eq!(m, Mailbox::Inbox);
        let (_, m) = Mailbox::parse::<true>(b"INBOX.sub").unwrap();
        assert_eq!(m.as_bytes(), b"INBOX.sub");
    }
}
