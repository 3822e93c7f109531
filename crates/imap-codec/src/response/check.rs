//! The fast path of the FETCH check (issue 17): `body` (BODY / BODYSTRUCTURE) and
//! `envelope` (RFC 9051 §9) walked by a cursor over the bytes that only says where the item
//! ends, or that it cannot tell.
//!
//! A FETCH response's items are checked once and kept as their wire form
//! ([`MessageAttributes`](crate::response::MessageAttributes)); the check's errors are never
//! shown (when it fails, the builders parse again and report the error or, under the
//! real-world profile, the repairs). So this walk carries no error values: each step returns
//! the input after what it read, or `None`, and a `None` anywhere sends the whole item to the
//! exact walkers ([`skip_body`](crate::response::body::skip_body),
//! [`Envelope::skip`](crate::response::Envelope::skip)), which decide.
//!
//! It reads a subset of the grammar: strings are quoted and ASCII (a literal or raw UTF-8,
//! whose acceptance depends on the message's mode, gives up), numbers have at most 9 digits
//! (`number`) or 18 (`number64`), so that they are in range without computing them. For
//! everything it accepts, the exact walker accepts the same bytes with the same end; the
//! property tests at the end check that on mutated inputs.

use crate::ascii::quoted_ascii_len;
use crate::parse::starts_with_ci;
use crate::response::body::{MAX_BODY_DEPTH, raw_is_quoted_ci};

/// The input after what a step read, or `None` when it cannot tell.
pub(crate) type Rest<'a> = Option<&'a [u8]>;

/// The byte `c`.
#[inline(always)]
pub(crate) fn byte(i: &[u8], c: u8) -> Rest<'_> {
    match i.split_first() {
        Some((&b, r)) if b == c => Some(r),
        _ => None,
    }
}

/// `SP`.
#[inline(always)]
fn sp(i: &[u8]) -> Rest<'_> {
    byte(i, b' ')
}

/// `string`: quoted and ASCII only (see the module's doc).
#[inline(always)]
fn string(i: &[u8]) -> Rest<'_> {
    quoted_ascii_len(i).map(|n| &i[n..])
}

/// `nil` (case-insensitive, RFC 9051 §9 note 1).
#[inline(always)]
fn nil(i: &[u8]) -> Rest<'_> {
    starts_with_ci(i, b"NIL").then(|| &i[3..])
}

/// `nstring = string / nil`.
#[inline(always)]
fn nstring(i: &[u8]) -> Rest<'_> {
    match i.first()? {
        b'"' => string(i),
        b'N' | b'n' => nil(i),
        _ => None,
    }
}

/// `1*DIGIT` of at most `max` digits (so that `number` and `number64` are in range).
#[inline(always)]
pub(crate) fn digits(i: &[u8], max: usize) -> Rest<'_> {
    let n = i
        .iter()
        .take(max + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    (1..=max).contains(&n).then(|| &i[n..])
}

/// `number` (< 2^32): at most 9 digits.
#[inline(always)]
fn number(i: &[u8]) -> Rest<'_> {
    digits(i, 9)
}

/// `number64` (< 2^63): at most 18 digits.
#[inline(always)]
fn number64(i: &[u8]) -> Rest<'_> {
    digits(i, 18)
}

/// `"(" item *(SP item) ")"`.
#[inline]
fn paren_list<'a>(i: &'a [u8], mut item: impl FnMut(&'a [u8]) -> Rest<'a>) -> Rest<'a> {
    let mut i = byte(i, b'(')?;
    loop {
        let r = item(i)?;
        match r.first()? {
            b' ' => i = &r[1..],
            b')' => return Some(&r[1..]),
            _ => return None,
        }
    }
}

/// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`.
#[inline]
fn params(i: &[u8]) -> Rest<'_> {
    match i.first()? {
        b'(' => paren_list(i, |i| string(sp(string(i)?)?)),
        _ => nil(i),
    }
}

/// `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
/// body-fld-octets`.
#[inline]
fn body_fields(i: &[u8]) -> Rest<'_> {
    let i = sp(params(i)?)?;
    let i = sp(nstring(i)?)?;
    let i = sp(nstring(i)?)?;
    let i = sp(string(i)?)?;
    number(i)
}

/// `body` (RFC 9051 §9), at nesting `depth` (the bound of
/// [`skip_body`](crate::response::body::skip_body)).
pub(crate) fn body(i: &[u8], depth: usize) -> Rest<'_> {
    let i = byte(i, b'(')?;
    if depth >= MAX_BODY_DEPTH {
        return None;
    }
    let i = if i.first() == Some(&b'(') {
        // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
        let mut i = i;
        loop {
            i = body(i, depth + 1)?;
            if i.first() != Some(&b'(') {
                break;
            }
        }
        let i = string(sp(i)?)?;
        match i.split_first() {
            Some((b' ', r)) => ext_tail(params(r)?, depth)?,
            _ => i,
        }
    } else {
        // body-type-1part
        let r = string(i)?;
        let media_type = &i[..i.len() - r.len()];
        let r = sp(r)?;
        let s = string(r)?;
        let subtype = &r[..r.len() - s.len()];
        let mut i = body_fields(sp(s)?)?;
        if raw_is_quoted_ci(media_type, "TEXT") {
            i = number64(sp(i)?)?;
        } else if raw_is_quoted_ci(media_type, "MESSAGE")
            && (raw_is_quoted_ci(subtype, "RFC822") || raw_is_quoted_ci(subtype, "GLOBAL"))
        {
            let r = envelope(sp(i)?)?;
            let r = body(sp(r)?, depth + 1)?;
            i = number64(sp(r)?)?;
        }
        match i.split_first() {
            Some((b' ', r)) => ext_tail(nstring(r)?, depth)?,
            _ => i,
        }
    };
    byte(i, b')')
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
fn ext_tail(i: &[u8], depth: usize) -> Rest<'_> {
    let Some((b' ', i)) = i.split_first() else {
        return Some(i);
    };
    let depth = depth + 1;
    let i = match i.first()? {
        b'(' => byte(params(sp(string(&i[1..])?)?)?, b')')?,
        _ => nil(i)?,
    };
    let Some((b' ', j)) = i.split_first() else {
        return Some(i);
    };
    let i = if j.first() == Some(&b'(') {
        paren_list(j, string)?
    } else {
        nstring(j)?
    };
    let Some((b' ', j)) = i.split_first() else {
        return Some(i);
    };
    let mut i = nstring(j)?;
    while let Some((b' ', j)) = i.split_first() {
        i = body_extension(j, depth)?;
    }
    Some(i)
}

/// `body-extension = nstring / number64 / "(" body-extension *(SP body-extension) ")"`.
fn body_extension(i: &[u8], depth: usize) -> Rest<'_> {
    match i.first()? {
        b'(' => {
            if depth >= MAX_BODY_DEPTH {
                return None;
            }
            paren_list(i, |i| body_extension(i, depth + 1))
        }
        b if b.is_ascii_digit() => number64(i),
        _ => nstring(i),
    }
}

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`.
#[inline]
fn address(i: &[u8]) -> Rest<'_> {
    let i = byte(i, b'(')?;
    let i = sp(nstring(i)?)?;
    let i = sp(nstring(i)?)?;
    let i = sp(nstring(i)?)?;
    byte(nstring(i)?, b')')
}

/// `"(" 1*address ")" / nil`.
#[inline]
fn address_list(i: &[u8]) -> Rest<'_> {
    match i.first()? {
        b'(' => {
            let mut i = &i[1..];
            loop {
                i = address(i)?;
                match i.first()? {
                    b')' => return Some(&i[1..]),
                    b'(' => {}
                    _ => return None,
                }
            }
        }
        _ => nil(i),
    }
}

/// `envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
/// env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"`.
pub(crate) fn envelope(i: &[u8]) -> Rest<'_> {
    let i = byte(i, b'(')?;
    let mut i = sp(nstring(i)?)?;
    i = nstring(i)?;
    for _ in 0..6 {
        i = address_list(sp(i)?)?;
    }
    let i = sp(nstring(sp(i)?)?)?;
    byte(nstring(i)?, b')')
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::response::Envelope;
    use crate::response::body::skip_body;
    use proptest::prelude::*;

    const BODY: &str = concat!(
        r#"((("text" "plain" ("charset" "utf-8" "format" "flowed") NIL NIL "quoted-printable" 1234 40 NIL NIL NIL NIL)"#,
        r#"("TEXT" "html" ("charset" "utf-8") "<id@x>" "d\"esc" "base64" 0 0 "md5" ("inline" NIL) "en" "loc" 7 "x" (1 ("y" NIL))) "#,
        r#""alternative" ("boundary" "=_alt_1") NIL NIL NIL)"#,
        r#"("application" "pdf" ("name" "report 1.pdf") NIL "Quarterly report" "base64" 4096 NIL "#,
        r#"("attachment" ("filename" "report 1.pdf")) NIL NIL)"#,
        r#"("message" "rfc822" NIL NIL NIL "7BIT" 342 (NIL "s" ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" NIL NIL NIL "7bit" 3 1) 12)"#,
        r#" "mixed" ("boundary" "=_mixed_1") NIL ("en" "de") NIL)"#,
    );
    const ENVELOPE: &str = concat!(
        r#"("Wed, 1 Jan 2025 10:00:00 +0100" "Re: \"quoted\" \\ x" (("Alice" NIL "alice" "example.com")) "#,
        r#"NIL ((NIL NIL "a" "b")) (("B" NIL "b" "c")("C" NIL "c" "d")) nil NIL "<1@x>" "<2.3@example.com>")"#,
    );

    #[test]
    fn the_common_forms_take_the_fast_path() {
        let body_input = format!("{BODY} tail");
        assert_eq!(body(body_input.as_bytes(), 0), Some(&b" tail"[..]));
        let envelope_input = format!("{ENVELOPE} tail");
        assert_eq!(envelope(envelope_input.as_bytes()), Some(&b" tail"[..]));
    }

    /// Mutations of a valid input: one byte replaced, inserted or removed.
    fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
        mutated_with(base, b"() \"\\NIL0129xX{}\r\n")
    }

    /// Mutations of a valid input: one byte (mostly from `likely`) replaced, inserted or
    /// removed; ` x` follows (also for the FETCH item list's walk).
    pub(crate) fn mutated_with(
        base: &'static str,
        likely: &'static [u8],
    ) -> impl Strategy<Value = Vec<u8>> {
        let bytes = prop_oneof![
            4 => prop::sample::select(likely),
            1 => any::<u8>(),
        ];
        (0..base.len(), 0..3u8, bytes).prop_map(move |(at, how, b)| {
            crate::command::search::mutated_once(base.as_bytes(), at, how, b, b" x")
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Whatever the fast `body` accepts, the exact walker accepts with the same end.
        #[test]
        fn body_agrees_with_skip_body(input in mutated(BODY)) {
            if let Some(rest) = body(&input, 0) {
                let exact = skip_body(&input, 0).map(|(r, ())| r.len());
                prop_assert_eq!(exact.ok(), Some(rest.len()), "{:?}", String::from_utf8_lossy(&input));
            }
        }

        /// Whatever the fast `envelope` accepts, the exact walker accepts with the same end.
        #[test]
        fn envelope_agrees_with_its_skip(input in mutated(ENVELOPE)) {
            if let Some(rest) = envelope(&input) {
                let exact = Envelope::skip(&input).map(|(r, ())| r.len());
                prop_assert_eq!(exact.ok(), Some(rest.len()), "{:?}", String::from_utf8_lossy(&input));
            }
        }
    }

    #[test]
    fn unusual_forms_are_left_to_the_exact_walker() {
        // A literal, raw UTF-8, a number of ten digits, too deep a nesting.
        assert_eq!(nstring(b"{3}\r\nabc"), None);
        assert_eq!(nstring("\"\u{e9}\"".as_bytes()), None);
        assert_eq!(number(b"1234567890 "), None);
        assert_eq!(number(b"123456789 "), Some(&b" "[..]));
        let deep = format!(
            "{}\"x\" \"y\" NIL NIL NIL \"7bit\" 1{}",
            "(".repeat(70),
            ")".repeat(70)
        );
        assert_eq!(body(deep.as_bytes(), 0), None);
    }
}
