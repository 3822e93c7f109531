//! Fast paths for the lines of LIST and UIDL answers (RFC 1939 §5 scan listings, §7
//! unique-id listings).
//!
//! A listing of 10,000 lines is parsed line by line; the grammar's cursor costs a few hundred
//! instructions per line. These parsers look at eight octets at a time (digits and VCHARs
//! are recognised with word-wide arithmetic, the number is assembled from its digits without
//! a per-digit loop) and accept only lines that are certainly valid, with the value the
//! grammar would give. Anything else (a line with an error, a number too large for its type,
//! a line too close to the end of the input to be read a word at a time) returns `None`, and
//! the caller parses that line with the grammar, which finds the value or the exact error.
//! So errors are the grammar's, octet for octet (a differential test in `response.rs` checks
//! it).

use crate::core::{HIGH, LOW7, MsgNumber, Text, UniqueId, splat};
use crate::response::{ScanListing, UidListing};

/// The eight octets at `at` as a little-endian word (the first octet is the lowest).
#[inline(always)]
fn word(b: &[u8], at: usize) -> Option<u64> {
    let w = b.get(at..)?.first_chunk::<8>()?;
    Some(u64::from_le_bytes(*w))
}

/// The high bit of every octet of `w` that is *not* in `lo..=hi` (`1 <= lo <= hi <= 0x7f`).
///
/// The octets' low seven bits are offset so that the high bit tells the comparison; no
/// addition carries into the next octet because both terms are below 0x80.
#[inline(always)]
fn outside(w: u64, lo: u8, hi: u8) -> u64 {
    let low = w & LOW7;
    let at_least_lo = low.wrapping_add(splat(0x80 - lo));
    let above_hi = low.wrapping_add(splat(0x7f - hi));
    (!at_least_lo | above_hi | w) & HIGH
}

/// How many of the leading octets of a word are in `lo..=hi` (8 when all are).
#[inline(always)]
fn run_in(w: u64, lo: u8, hi: u8) -> usize {
    (outside(w, lo, hi).trailing_zeros() / 8) as usize
}

/// A decimal number at `at` of at most `max`: its value and the offset after it. `None`
/// when there is no digit or the value exceeds `max` (the grammar reports which).
#[inline(always)]
fn number(b: &[u8], at: usize, max: u64) -> Option<(u64, usize)> {
    let (mut n, mut end) = match word(b, at) {
        Some(w) => {
            let len = run_in(w, b'0', b'9');
            if len == 0 {
                return None;
            }
            (decimal(w ^ splat(b'0'), len), at + len)
        }
        None => (0, at),
    };
    // More than eight digits, or too close to the end for a word: one at a time.
    if end == at || end - at == 8 {
        while let Some(&d) = b.get(end) {
            if !d.is_ascii_digit() {
                break;
            }
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            end += 1;
        }
        if end == at {
            return None;
        }
    }
    (n <= max).then_some((n, end))
}

/// `msg SP` at `at`: the message number and the offset after the SP.
#[inline(always)]
fn msg_sp(b: &[u8], at: usize) -> Option<(MsgNumber, usize)> {
    let (n, end) = number(b, at, u64::from(u32::MAX))?;
    let msg = MsgNumber::new(u32::try_from(n).ok()?)?;
    (b.get(end) == Some(&b' ')).then_some((msg, end + 1))
}

/// CRLF at `at`: the offset after it.
#[inline(always)]
fn crlf(b: &[u8], at: usize) -> Option<usize> {
    (b.get(at..at + 2)? == b"\r\n").then_some(at + 2)
}

/// The high bit of the octets of `x` (octets XORed with `0`, so digits are 0 to 9) that are
/// not digits, exact up to and including the first octet that is not a digit, and beyond it
/// as long as no octet from 0x8A up (after the XOR) comes before: only such an octet carries
/// into the next. Cheaper than [`outside`], for [`short_scan_line`], which takes a line only
/// when its first two non-digits are SP and CR (0x10 and 0x3D after the XOR, no carry) and
/// everything between them is a digit.
#[inline(always)]
fn non_digits(x: u64) -> u64 {
    (x.wrapping_add(splat(0x76)) | x) & HIGH
}

/// The value of the first `len` (1 to 8) octets of `x`, digits XORed with `0` (so 0 to 9),
/// the first the most significant.
#[inline(always)]
fn decimal(x: u64, len: usize) -> u64 {
    debug_assert!((1..=8).contains(&len));
    // To the top, so that the empty low octets are leading zeros; what was beyond `len` is
    // shifted out.
    let v = x << (8 * (8 - len));
    // Pairs (no octet exceeds 9 * 10 + 9, so nothing carries), quadruples, then all eight.
    let v = (v.wrapping_mul(10 * 256 + 1) >> 8) & 0x00ff_00ff_00ff_00ff;
    let v = (v.wrapping_mul(100 * 65536 + 1) >> 16) & 0x0000_ffff_0000_ffff;
    v.wrapping_mul(10000 * (1 << 32) + 1) >> 32
}

/// Where the first two non-digits of `w` are, when the first is among its first 8 octets
/// after 1 to 7 digits and the second follows 1 to 8 digits later at most at offset 14: the
/// shape of the commonest scan listing line, `msg SP size CRLF` (it is one when the two are
/// the SP and the CR, followed by LF). The offsets of both, and the first 8 octets XORed
/// with `0` (the message number's digits are 0 to 9).
///
/// Both come from one classification of the 16 octets (the second non-digit is found as
/// the first of the rest), so that where the next line starts does not wait for the numbers.
#[inline(always)]
fn short_shape(w: &[u8; 16]) -> Option<(usize, usize, u64)> {
    let (lo, hi) = w.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().ok()?) ^ splat(b'0');
    let hi = u64::from_le_bytes(hi.try_into().ok()?) ^ splat(b'0');
    let first = non_digits(lo);
    let sp = (first.trailing_zeros() / 8) as usize;
    // The second non-digit, in either word (as one 128-bit mask: no branch).
    let second = u128::from(first & first.wrapping_sub(1)) | u128::from(non_digits(hi)) << 64;
    let cr = (second.trailing_zeros() / 8) as usize;
    let size_len = cr.wrapping_sub(sp + 1);
    if !(1..=7).contains(&sp) || !(1..=8).contains(&size_len) || cr > 14 {
        return None;
    }
    Some((sp, cr, lo))
}

/// The commonest scan listing line, `msg SP size CRLF` in its canonical form (no leading
/// zero) with a message number of at most 7 digits, a size of at most 8 and the CR among the
/// first 16 octets, at `at`: the offset after the CRLF, or `None`. Nothing is converted.
#[inline(always)]
fn short_scan_line(b: &[u8], at: usize) -> Option<usize> {
    let w = b.get(at..)?.first_chunk::<16>()?;
    let (sp, cr, lo) = short_shape(w)?;
    if w[sp] != b' ' || w[cr] != b'\r' || w[cr + 1] != b'\n' {
        return None;
    }
    // Canonical: the message number's first digit is not 0 (so the number is not 0 either),
    // nor the size's unless it is the only one.
    if lo & 0xff == 0 || (w[sp + 1] == b'0' && w[sp + 2] != b'\r') {
        return None;
    }
    Some(at + cr + 2)
}

/// A number at `at` in its canonical form (no leading zero) of at most `max`: the offset
/// after it.
#[inline(always)]
fn canonical_number(b: &[u8], at: usize, max: u64) -> Option<usize> {
    let (_, end) = number(b, at, max)?;
    (b[at] != b'0' || end == at + 1).then_some(end)
}

/// A scan listing line `msg SP size [SP text] CRLF` (RFC 1939 §5) in its canonical form (no
/// leading zero, no SP before an empty text; what the encoder writes) at `at`: the offset
/// after the CRLF, or `None` to let the grammar decide.
#[inline(always)]
fn scan_line(b: &[u8], at: usize) -> Option<usize> {
    short_scan_line(b, at).or_else(|| any_scan_line(b, at))
}

/// [`scan_line`] for any shape of line (kept out of line, so that the common shape's loop
/// stays small).
#[inline(never)]
fn any_scan_line(b: &[u8], at: usize) -> Option<usize> {
    // The message number is not 0, so in its canonical form it starts with 1 to 9.
    if !matches!(b.get(at), Some(b'1'..=b'9')) {
        return None;
    }
    let at = canonical_number(b, at, u64::from(u32::MAX))?;
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let at = canonical_number(b, at + 1, u64::MAX)?;
    let at = match b.get(at) {
        Some(b'\r') => at,
        Some(b' ') => {
            // Text is every octet but NUL, CR and LF; it must end at CRLF and not be empty.
            let len = memchr::memchr3(b'\r', b'\n', 0, &b[at + 1..])?;
            if len == 0 {
                return None;
            }
            at + 1 + len
        }
        _ => return None,
    };
    crlf(b, at)
}

/// Scan listing lines from `at` in their canonical form (see [`scan_line`]), for as long as
/// there are: the offset after the last and how many there were.
pub(crate) fn scan_lines(b: &[u8], mut at: usize) -> (usize, usize) {
    let mut n = 0;
    while let Some(next) = scan_line(b, at) {
        at = next;
        n += 1;
    }
    (at, n)
}

/// Decodes the canonical scan listing line at the start of `b` (one that [`scan_lines`]
/// took, or that the encoder wrote): the listing and the length of the line, CRLF included.
/// `None` only for a line that is not one (never, for a checked listing).
pub(crate) fn decode_scan_line(b: &[u8]) -> Option<(ScanListing<'_>, usize)> {
    // The commonest shape, converted from its words (the line is checked: the second
    // non-digit is the CR unless there is text).
    if let Some(w) = b.first_chunk::<16>()
        && let Some((sp, cr, lo)) = short_shape(w)
        && w[cr] == b'\r'
    {
        let msg = MsgNumber::new(decimal(lo, sp) as u32)?;
        let size = u64::from_le_bytes(*w[sp + 1..].first_chunk::<8>()?) ^ splat(b'0');
        let size = decimal(size, cr - sp - 1);
        let extra = Text::empty();
        return Some((ScanListing { msg, size, extra }, cr + 2));
    }
    fn digits(b: &[u8], mut at: usize) -> (u64, usize) {
        let mut n: u64 = 0;
        while let Some(&d) = b.get(at).filter(|d| d.is_ascii_digit()) {
            n = n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            at += 1;
        }
        (n, at)
    }
    let (msg, at) = digits(b, 0);
    let msg = MsgNumber::new(u32::try_from(msg).ok()?)?;
    let (size, at) = digits(b, at.checked_add(1)?);
    let (extra, at) = if b.get(at) == Some(&b' ') {
        let len = memchr::memchr(b'\r', b.get(at + 1..)?)?;
        (Text::from_checked(&b[at + 1..at + 1 + len]), at + 1 + len)
    } else {
        (Text::empty(), at)
    };
    Some((ScanListing { msg, size, extra }, crlf(b, at)?))
}

/// The longest unique-id (RFC 1939 §7: "up to 70 characters").
const MAX_UID: usize = 70;

/// One bit per octet of the 64 at `at` (fewer at the end of `b`): set where the octet is
/// not a VCHAR (%x21-7E), so SP, CR and LF in a unique-id listing.
fn specials_block(b: &[u8], at: usize) -> u64 {
    let mut padded = [b'!'; 64];
    let block = match b.get(at..at + 64) {
        Some(block) => block,
        None => {
            let rest = &b[at.min(b.len())..];
            padded[..rest.len()].copy_from_slice(rest);
            &padded
        }
    };
    let mut mask = 0;
    for (i, w) in block.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([b'!'; 8]));
        // The high bits of the octets, gathered into the low eight bits of the product's
        // top octet.
        let bits = (outside(w, 0x21, 0x7e) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= bits << (8 * i);
    }
    mask
}

/// One bit per octet of `block`: set where the octet is LF.
pub(crate) fn newlines(block: &[u8; 64]) -> u64 {
    let mut mask = 0;
    for (i, w) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8])) ^ splat(b'\n');
        // The high bit of every octet that is not zero (not LF), then of every one that is.
        let nonzero = ((x & LOW7).wrapping_add(LOW7) | x) & HIGH;
        let bits = ((!nonzero & HIGH) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= bits << (8 * i);
    }
    mask
}

/// Unique-id listing lines `msg SP unique-id CRLF` (RFC 1939 §7), found from their SP, CR
/// and LF: the positions of all non-VCHAR octets are taken 64 at a time from a bit mask, so
/// that a line costs the same whatever the length of its unique-id, and no octet between
/// the SP and the CR can be anything but a VCHAR.
pub(crate) struct UidLines<'a> {
    /// The listing's lines (or a prefix of them), checked as UTF-8 once for all lines.
    text: &'a str,
    /// The offset of the next block to classify.
    base: usize,
    /// Non-VCHAR octets of the block before `base` not yet taken.
    mask: u64,
    /// Where the line after the last one taken starts.
    next_line: usize,
}

impl<'a> UidLines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        UidLines {
            text,
            base: 0,
            mask: 0,
            next_line: 0,
        }
    }

    /// The next non-VCHAR octet.
    #[inline(always)]
    fn next_special(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.base >= self.text.len() {
                return None;
            }
            self.mask = specials_block(self.text.as_bytes(), self.base);
            self.base += 64;
        }
        let at = self.base - 64 + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }

    /// The line at `at`: the listing and the offset after its CRLF, or `None` to let the
    /// grammar decide.
    #[inline(always)]
    pub(crate) fn line(&mut self, at: usize) -> Option<(UidListing<'a>, usize)> {
        if at != self.next_line {
            // The grammar took a line: start over from here.
            self.base = at;
            self.mask = 0;
        }
        self.next_line = usize::MAX;
        let b = self.text.as_bytes();
        let sp = self.next_special()?;
        let cr = self.next_special()?;
        let lf = self.next_special()?;
        let uid_len = cr.wrapping_sub(sp + 1);
        if !(1..=MAX_UID).contains(&uid_len)
            || lf != cr + 1
            || b[sp] != b' '
            || b[cr] != b'\r'
            || b[lf] != b'\n'
        {
            return None;
        }
        let (msg, after) = msg_sp(b, at)?;
        if after != sp + 1 {
            return None;
        }
        // VCHARs are ASCII, so both ends are character boundaries.
        let uid = UniqueId::from_checked(self.text.get(sp + 1..cr)?);
        self.next_line = lf + 1;
        Some((UidListing { msg, uid }, lf + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// The line at the start of `b` if the fast path takes it, decoded.
    fn scan(b: &[u8]) -> Option<(ScanListing<'_>, usize)> {
        let next = scan_line(b, 0)?;
        let (listing, used) = decode_scan_line(b)?;
        assert_eq!(used, next);
        Some((listing, next))
    }

    #[test]
    fn digits_at_every_length() {
        for len in 1..=8 {
            let digits = "90817263"[..len].to_string();
            for tail in ["", " ", "\r\n", "x", "\u{80}", "/:"] {
                let s = format!("{digits}{tail}        ");
                let w = word(s.as_bytes(), 0).unwrap();
                assert_eq!(run_in(w, b'0', b'9'), len, "{s:?}");
                assert_eq!(
                    decimal(w ^ splat(b'0'), len),
                    digits.parse::<u64>().unwrap(),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn classes_match_the_scalar_rules() {
        // Every octet value at every position of the word.
        for pos in 0..8 {
            for v in 0..=255u8 {
                let mut bytes = [b'5'; 8];
                bytes[pos] = v;
                let w = u64::from_le_bytes(bytes);
                let want = if v.is_ascii_digit() { 8 } else { pos };
                assert_eq!(run_in(w, b'0', b'9'), want, "{v:#x} at {pos}");
                let mut bytes = [b'a'; 8];
                bytes[pos] = v;
                let w = u64::from_le_bytes(bytes);
                let want = if (0x21..=0x7e).contains(&v) { 8 } else { pos };
                assert_eq!(run_in(w, 0x21, 0x7e), want, "{v:#x} at {pos}");
            }
        }
    }

    #[test]
    fn newlines_in_a_block() {
        for v in 0..=255u8 {
            for pos in [0, 7, 8, 31, 63] {
                let mut block = [v ^ 0x55; 64];
                block[pos] = v;
                let want = if v == b'\n' { 1 << pos } else { 0 };
                let want = if v ^ 0x55 == b'\n' {
                    !(1u64 << pos)
                } else {
                    want
                };
                assert_eq!(newlines(&block), want, "{v:#x} at {pos}");
            }
        }
    }

    #[test]
    fn numbers() {
        let n = |s: &str, max| number(s.as_bytes(), 0, max);
        assert_eq!(n("0 ", 9), Some((0, 1)));
        assert_eq!(n("12345678", u64::MAX), Some((12_345_678, 8)));
        assert_eq!(n("123456789\r\n", u64::MAX), Some((123_456_789, 9)));
        assert_eq!(n("4294967295 ", u32::MAX.into()), Some((4_294_967_295, 10)));
        assert_eq!(n("4294967296 ", u32::MAX.into()), None);
        assert_eq!(
            n("18446744073709551615\r\n", u64::MAX),
            Some((u64::MAX, 20))
        );
        assert_eq!(n("18446744073709551616\r\n", u64::MAX), None);
        assert_eq!(n("99999999999999999999999", u64::MAX), None);
        assert_eq!(n("7", 9), Some((7, 1)));
        assert_eq!(n("", 9), None);
        assert_eq!(n("x1234567890", 9), None);
        assert_eq!(n(" 1", 9), None);
    }

    #[test]
    fn lines_the_fast_path_leaves_to_the_grammar() {
        for line in [
            "0 100\r\n",
            "1  100\r\n",
            "1 100 \0\r\n",
            "1 100\n",
            "1 100\r",
            "1 100\rx",
            // Valid, but not in the canonical form: the grammar reads them.
            "1 2 \r\n",
            "01 100\r\n",
            "1 0100\r\n",
            "1 00\r\n",
            "00000001 1 text\r\n",
            "1 000000000100\r\n",
            "1 x\r\n",
            "1\t100\r\n",
            "1 100 text\n",
            "1 100 text",
            "1 18446744073709551616\r\n",
            "4294967296 1\r\n",
            ".\r\n",
        ] {
            assert_eq!(scan(line.as_bytes()), None, "{line:?}");
        }
        for line in [
            "0 abc\r\n",
            "1  abc\r\n",
            "1 abc\n",
            "1 ab c\r\n",
            "1 \r\n",
            "1 abc\r",
            "1 abc",
            "1 \u{7f}\r\n",
            "1 é\r\n",
            &format!("1 {}\r\n", "x".repeat(71)),
            &format!("1 {}\r\n", "x".repeat(80)),
        ] {
            assert_eq!(UidLines::new(line).line(0), None, "{line:?}");
        }
    }

    #[test]
    fn lines_the_fast_path_takes() {
        let (s, end) = scan(b"12 3456 and more\r\nX").unwrap();
        assert_eq!(
            (s.msg.get(), s.size, s.extra.as_bytes(), end),
            (12, 3456, &b"and more"[..], 18)
        );
        let (s, end) = scan(b"1 2\r\n").unwrap();
        assert_eq!(
            (s.msg.get(), s.size, s.extra.is_empty(), end),
            (1, 2, true, 5)
        );
        let (s, end) = scan(b"1 0\r\n").unwrap();
        assert_eq!((s.msg.get(), s.size, end), (1, 0, 5));
        let (s, end) = scan(b"4294967295 18446744073709551615 x\r\n").unwrap();
        assert_eq!(
            (s.msg.get(), s.size, s.extra.as_bytes(), end),
            (4294967295, u64::MAX, &b"x"[..], 35)
        );
        let max = format!("1 {}\r\n.\r\n", "x".repeat(70));
        let (u, end) = UidLines::new(&max).line(0).unwrap();
        assert_eq!((u.uid.as_str().len(), end), (70, 74));
        let (u, end) = UidLines::new("7 ~!\r\n").line(0).unwrap();
        assert_eq!((u.msg.get(), u.uid.as_str(), end), (7, "~!", 6));
    }
}
