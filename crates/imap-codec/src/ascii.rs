//! The crate's only `unsafe` code, audited: a quoted string whose scan proved it ASCII is
//! turned into text without a second validation pass (issue 17; before, `str::from_utf8`
//! checked again every quoted string the scan had already checked byte by byte).
//!
//! Everything else in the crate is under `deny(unsafe_code)` (the workspace lint); this
//! module alone allows it, for the `from_utf8_unchecked` in [`scan_quoted`] and in
//! [`ascii_text`]. The property tests at the end check both against `str::from_utf8` on
//! arbitrary bytes.
#![allow(unsafe_code)]

use crate::error::{PResult, fail};
use crate::parse::{byte, is_quoted_char};

/// Scans `quoted = DQUOTE *QUOTED-CHAR DQUOTE` (RFC 9051 §4.3, §9): the raw content (still
/// escaped) as text, whether it holds a `quoted-specials` escape, and the input after the
/// closing DQUOTE. Non-ASCII content must be UTF-8 (`QUOTED-CHAR =/ UTF8-2 / UTF8-3 /
/// UTF8-4`) and is checked by `str::from_utf8`; ASCII content is not checked twice. With
/// `utf8` false, the first octet >= 0x80 is an error: RFC 3501 §9 `QUOTED-CHAR` is 7-bit
/// until UTF8=ACCEPT is enabled (RFC 6855 §3).
#[inline]
pub(crate) fn scan_quoted(i: &[u8], utf8: bool) -> PResult<'_, (&str, bool)> {
    let (body, ()) = byte(i, b'"', "DQUOTE")?;
    let mut escaped = false;
    // Set for every byte >= 0x80 the loop below passes; the proof the unchecked conversion
    // relies on (see SAFETY there) is that no other path lets such a byte into `raw`.
    let mut non_ascii = false;
    // The plain ASCII QUOTED-CHARs are skipped eight bytes at a time up to the next byte of
    // any other kind (or the end); the match decides what that byte is.
    let mut n = 0;
    loop {
        n += plain_quoted_run(&body[n..]);
        match body.get(n) {
            None => return fail(&body[n..], "DQUOTE"),
            Some(b'"') => break,
            Some(b'\\') => match body.get(n + 1) {
                Some(b'"' | b'\\') => {
                    escaped = true;
                    n += 2;
                }
                _ => return fail(&body[n + 1..], "quoted-specials"),
            },
            // Checked before the character class, so that the flag does not depend on what
            // the class table holds for non-ASCII bytes.
            Some(&b) if b >= 0x80 => {
                if !utf8 {
                    return fail(&body[n..], "QUOTED-CHAR");
                }
                non_ascii = true;
                n += 1;
            }
            // The controls the run stops on that are QUOTED-CHARs (%x01-0D but CR and LF).
            Some(&b) if is_quoted_char(b) => n += 1,
            Some(_) => return fail(&body[n..], "QUOTED-CHAR"),
        }
    }
    let raw = &body[..n];
    let rest = &body[n + 1..];
    let text = if non_ascii {
        match ::core::str::from_utf8(raw) {
            Ok(t) => t,
            Err(e) => return fail(&body[e.valid_up_to()..], "QUOTED-CHAR"),
        }
    } else {
        debug_assert!(raw.is_ascii());
        // SAFETY: `raw` is `body[..n]`, and every byte of it below `n` was passed by one of
        // three paths: `plain_quoted_run`, which only skips the bytes below the first one
        // whose high bit is set (`quoted_stops` ORs in `x`'s own high bits, and the lowest
        // set bit of the mask is exact), so bytes < 0x80; the escape arm, which passes `\`
        // followed by `"` or `\`, all ASCII; and the match, which sets `non_ascii` for every
        // byte >= 0x80 before any other arm can pass it. `non_ascii` is false here, so every
        // byte of `raw` is ASCII, and ASCII bytes are valid UTF-8.
        unsafe { ::core::str::from_utf8_unchecked(raw) }
    };
    Ok((rest, (text, escaped)))
}

/// The length of `quoted` (RFC 9051 §9: `DQUOTE *QUOTED-CHAR DQUOTE`, both DQUOTEs included)
/// at the start of `i` when its content is ASCII, escapes included; `None` when `i` does not
/// start with one or its content holds a byte >= 0x80. The fast path of the FETCH check
/// (`response::check`): whatever this accepts, [`scan_quoted`] accepts with the same end in
/// every mode (raw UTF-8, whose acceptance depends on the mode, is left to it).
#[inline(always)]
pub(crate) fn quoted_ascii_len(i: &[u8]) -> Option<usize> {
    quoted_ascii_body(i).map(|(n, _)| n + 2)
}

/// The length of an ASCII `quoted`'s content (between the DQUOTEs, escapes still in it) and
/// whether it holds an escape; `None` as for [`quoted_ascii_len`].
#[inline(always)]
fn quoted_ascii_body(i: &[u8]) -> Option<(usize, bool)> {
    let body = i.strip_prefix(b"\"")?;
    let mut n = 0;
    let mut escaped = false;
    loop {
        n += plain_quoted_run(&body[n..]);
        match body.get(n)? {
            b'"' => return Some((n, escaped)),
            b'\\' if matches!(body.get(n + 1), Some(b'"' | b'\\')) => {
                escaped = true;
                n += 2;
            }
            &b if b < 0x80 && is_quoted_char(b) => n += 1,
            _ => return None,
        }
    }
}

/// `quoted` with ASCII content (RFC 9051 §9), the fast path of `Quoted::parse`: the input after
/// the closing DQUOTE, the raw (still escaped) content as text, and whether it holds an
/// escape; `None` when [`quoted_ascii_len`] gives `None`. Whatever this accepts,
/// [`scan_quoted`] accepts in every mode with the same end, content and escape flag (ASCII
/// content does not depend on the UTF-8 mode); the property tests below check it.
#[inline(always)]
pub(crate) fn quoted_ascii(i: &[u8]) -> Option<(&[u8], &str, bool)> {
    let (n, escaped) = quoted_ascii_body(i)?;
    let raw = &i[1..1 + n];
    debug_assert!(raw.is_ascii());
    // SAFETY: every byte of `raw` was passed by `quoted_ascii_body`'s loop in one of three
    // ways: `plain_quoted_run`, which skips only bytes below 0x80 (see `scan_quoted`); the
    // escape arm, which passes `\` and `"` or `\`; and the arm guarded by `b < 0x80`. So
    // every byte is ASCII, and ASCII bytes are valid UTF-8.
    let text = unsafe { ::core::str::from_utf8_unchecked(raw) };
    Some((&i[n + 2..], text, escaped))
}

/// Bytes taken by an ASCII-only character class (atoms, tags, dates, header names) as text,
/// without `str::from_utf8`'s out-of-line validation (a call per token on small commands,
/// issue 17): `<[u8]>::is_ascii` is checked inline here, and only ASCII bytes are converted;
/// anything else (which the callers never pass) is the empty string.
#[inline]
pub(crate) fn ascii_text(b: &[u8]) -> &str {
    if b.is_ascii() {
        // SAFETY: every byte of `b` is below 0x80 (checked on the line above), and a sequence
        // of ASCII bytes is valid UTF-8.
        unsafe { ::core::str::from_utf8_unchecked(b) }
    } else {
        ""
    }
}

/// The number of plain ASCII QUOTED-CHARs (RFC 9051 §9: any CHAR but NUL, CR, LF and the
/// quoted-specials) `body` starts with, or fewer: the offset of its first byte below 0x0E,
/// `"`, `\`, or >= 0x80, or its length. The stop set is wider than the class (it holds the
/// controls %x01-0D other than CR and LF, which are QUOTED-CHARs and rare), so callers decide
/// what the byte at the stop is; every byte before it is a QUOTED-CHAR. Eight bytes at a time
/// (SWAR): short strings, the common case, take one word; the last partial word is padded
/// with NUL, which stops the run at the end.
#[inline]
fn plain_quoted_run(body: &[u8]) -> usize {
    let mut n = 0;
    while let Some(c) = body[n..].first_chunk::<8>() {
        let m = quoted_stops(u64::from_le_bytes(*c));
        if m != 0 {
            return n + (m.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    // Fewer than eight octets left: when `body` has eight, its last eight octets shifted right
    // past those already passed, so that NULs (stops) come in at the end; else a byte loop.
    let left = body.len() - n;
    if left == 0 {
        return n;
    }
    if let Some(c) = body.last_chunk::<8>() {
        let m = quoted_stops(u64::from_le_bytes(*c) >> (8 * (8 - left)));
        return n + (m.trailing_zeros() / 8) as usize;
    }
    n + plain_quoted_tail(&body[n..])
}

/// [`plain_quoted_run`] over the last partial word (fewer than eight bytes: a string that
/// ends within eight bytes of the input's end), a byte at a time: the same stops as
/// [`quoted_stops`], and no call (which would make the hot loop save registers around it).
#[inline(always)]
fn plain_quoted_tail(tail: &[u8]) -> usize {
    tail.iter()
        .position(|&b| b < 0x0e || b == b'"' || b == b'\\' || b >= 0x80)
        .unwrap_or(tail.len())
}

/// A mask whose lowest set bit is the high bit of the first (least significant) byte of `x`
/// that is below 0x0E, `"`, `\` or >= 0x80, or 0 when there is none. Bits above the lowest
/// may be false matches (the carries and borrows of the byte tests run upwards only, and start
/// at a byte that is itself a stop); only the lowest is used.
#[inline]
fn quoted_stops(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `x` equal to `c`, exact up to and including the first.
    let eq = |c: u8| {
        let v = x ^ (ONES * u64::from(c));
        v.wrapping_sub(ONES) & !v
    };
    // A byte below 0x80 plus 0x72 reaches 0x80 exactly when it is 0x0E or more; only a
    // byte >= 0x8E (a stop itself, by `x`'s high bit) carries into the next one.
    let below_0e = !x.wrapping_add(ONES * 0x72);
    (x | below_0e | eq(b'"') | eq(b'\\')) & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use proptest::prelude::*;

    /// What `scan_quoted` must return, written without the word loop and without `unsafe`.
    fn reference(i: &[u8]) -> Option<(usize, String, bool)> {
        let body = i.strip_prefix(b"\"")?;
        let mut n = 0;
        let mut escaped = false;
        loop {
            match *body.get(n)? {
                b'"' => break,
                b'\\' => match body.get(n + 1)? {
                    b'"' | b'\\' => {
                        escaped = true;
                        n += 2;
                    }
                    _ => return None,
                },
                0 | b'\r' | b'\n' => return None,
                _ => n += 1,
            }
        }
        let text = std::str::from_utf8(&body[..n]).ok()?;
        Some((i.len() - (n + 2), text.to_owned(), escaped))
    }

    /// The content of a quoted string: mostly plain, with any byte, escapes and DQUOTEs.
    fn quoted_content() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                4 => 0x20u8..0x7f,
                1 => any::<u8>(),
                1 => Just(b'\\'),
                1 => Just(b'"'),
            ],
            0..40,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Any bytes: ASCII ones are the text `str::from_utf8` makes of them, others are empty.
        #[test]
        fn ascii_text_agrees_with_from_utf8(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let expected = if bytes.is_ascii() { std::str::from_utf8(&bytes).unwrap() } else { "" };
            prop_assert_eq!(ascii_text(&bytes), expected);
        }

        /// Any bytes: the word-at-a-time run passes only QUOTED-CHARs, and stops where a
        /// byte loop over the class stops, or earlier on a control below 0x0E.
        #[test]
        fn plain_run_agrees_with_the_class(
            bytes in proptest::collection::vec(
                prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>(), 1 => 0u8..0x0e],
                0..40,
            ),
        ) {
            let stop = |&b: &u8| !is_quoted_char(b) || b < 0x0e;
            let expected = bytes.iter().position(stop).unwrap_or(bytes.len());
            prop_assert_eq!(plain_quoted_run(&bytes), expected);
        }

        /// Any bytes: the scan agrees with the safe reference, and its text is what
        /// `str::from_utf8` makes of the same bytes.
        #[test]
        fn scan_agrees_with_from_utf8(
            content in quoted_content(),
        ) {
            let mut input = vec![b'"'];
            input.extend_from_slice(&content);
            input.extend_from_slice(b"\" rest");
            let got = scan_quoted(&input, true).ok().map(|(rest, (text, escaped))| {
                assert_eq!(std::str::from_utf8(text.as_bytes()), Ok(text));
                (rest.len(), text.to_owned(), escaped)
            });
            prop_assert_eq!(got, reference(&input));
        }

        /// Any bytes: the fast length is the end `scan_quoted` finds, in both modes, whenever
        /// it gives one; and it gives one for every ASCII quoted string the scan accepts.
        #[test]
        fn fast_length_agrees_with_the_scan(
            content in quoted_content(),
        ) {
            let mut input = vec![b'"'];
            input.extend_from_slice(&content);
            let fast = quoted_ascii_len(&input);
            let value = quoted_ascii(&input);
            prop_assert_eq!(fast.is_some(), value.is_some());
            for utf8 in [false, true] {
                let scanned = scan_quoted(&input, utf8).ok();
                if let Some(n) = fast {
                    let (rest, (text, escaped)) = scanned.unwrap();
                    prop_assert_eq!(rest.len(), input.len() - n);
                    prop_assert!(text.is_ascii());
                    prop_assert_eq!(value, Some((rest, text, escaped)));
                } else if let Some((_, (text, _))) = scanned {
                    prop_assert!(!text.is_ascii());
                }
            }
        }
    }

    #[test]
    fn non_ascii_after_a_plain_word_is_checked() {
        // A word of plain ASCII, then an invalid UTF-8 sequence: rejected where it starts.
        let err = scan_quoted(b"\"abcdefgh\xff\"", true).unwrap_err();
        let nom::Err::Error(e) = err else { panic!() };
        assert_eq!((e.input.len(), e.expected), (2, "QUOTED-CHAR"));
        let (rest, (text, escaped)) = scan_quoted("\"abcdefgh\u{e9}\"x".as_bytes(), true).unwrap();
        assert_eq!((rest, text, escaped), (&b"x"[..], "abcdefgh\u{e9}", false));
        // Without UTF8=ACCEPT the first octet >= 0x80 is the error (RFC 3501 §9 QUOTED-CHAR).
        let err = scan_quoted("\"abcdefgh\u{e9}\"x".as_bytes(), false).unwrap_err();
        let nom::Err::Error(e) = err else { panic!() };
        assert_eq!((e.input.len(), e.expected), (4, "QUOTED-CHAR"));
    }
}
