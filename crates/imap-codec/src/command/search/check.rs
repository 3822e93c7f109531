//! The fast path of the SEARCH check (issue 17): `search-key *(SP search-key)` (RFC 9051 §9
//! `search-program`, RFC 3501 §9 `search`) walked by a cursor over the bytes that builds no
//! [`SearchKey`](super::SearchKey) and no error value, and says where the program ends, how
//! many keys it holds and whether it is canonical (what the encoder writes for its keys, so
//! that encoding may copy it), or that it cannot tell.
//!
//! [`SearchProgram::parse`](super::SearchProgram) tries this walk first; a `None` anywhere
//! sends the whole program to the exact parser, which decides acceptance, reports errors and
//! decides the canonical form. So the walk reads a subset of the grammar, and for everything it
//! accepts, the exact parser accepts the same bytes with the same end, the same number of keys
//! and the same canonical answer (the property tests at the end check that on mutated
//! programs):
//! - the keys of RFC 9051 / RFC 3501 without an argument, and SAVEDATESUPPORTED (RFC 8514);
//! - the date keys with an unquoted `date-text` (a quoted date gives up);
//! - the string keys and HEADER with an atom or a quoted ASCII string without escapes (a
//!   literal, an escape or raw UTF-8, whose acceptance depends on the mode, gives up);
//! - KEYWORD / UNKEYWORD, LARGER / SMALLER (`number64` of at most 18 digits, in range without
//!   computing it), UID and the bare `sequence-set` (`nz-number`s of at most 9 digits, `*`,
//!   `$`), OLDER / YOUNGER (RFC 5032);
//! - NOT, FUZZY (RFC 6203), OR and parenthesised lists, within the same depth bound.
//!
//! Everything else (MODSEQ, the object ids, Gmail's keys whose acceptance depends on the
//! extensions in force, an unknown name) gives up.

use crate::datetime::check_date_text;
use crate::ext::MAX_DEPTH;
use crate::parse::{is_astring_char, is_atom_char};
use crate::response::check::{Rest, byte, digits};

/// What follows a key's name (RFC 9051 §9 `search-key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Nothing: `ALL`, `SEEN`, ...
    Unit,
    /// `SP date`
    Date,
    /// `SP astring`
    AString,
    /// `SP header-fld-name SP astring`
    Header,
    /// `SP flag-keyword`
    Keyword,
    /// `SP number64`
    Number64,
    /// `SP sequence-set`
    Set,
    /// `SP nz-number`
    NzNumber,
    /// `SP search-key` (NOT, FUZZY)
    One,
    /// `SP search-key SP search-key` (OR)
    Two,
}

/// The names the walk reads of at most 16 octets, with their class (the longer one,
/// SAVEDATESUPPORTED, is compared on its own).
const NAMES: [(&[u8], Class); 41] = [
    (b"CC", Class::AString),
    (b"ON", Class::Date),
    (b"OR", Class::Two),
    (b"TO", Class::AString),
    (b"ALL", Class::Unit),
    (b"BCC", Class::AString),
    (b"NEW", Class::Unit),
    (b"NOT", Class::One),
    (b"OLD", Class::Unit),
    (b"UID", Class::Set),
    (b"BODY", Class::AString),
    (b"FROM", Class::AString),
    (b"SEEN", Class::Unit),
    (b"TEXT", Class::AString),
    (b"DRAFT", Class::Unit),
    (b"FUZZY", Class::One),
    (b"OLDER", Class::NzNumber),
    (b"SINCE", Class::Date),
    (b"BEFORE", Class::Date),
    (b"HEADER", Class::Header),
    (b"LARGER", Class::Number64),
    (b"RECENT", Class::Unit),
    (b"SENTON", Class::Date),
    (b"UNSEEN", Class::Unit),
    (b"DELETED", Class::Unit),
    (b"FLAGGED", Class::Unit),
    (b"KEYWORD", Class::Keyword),
    (b"SMALLER", Class::Number64),
    (b"SUBJECT", Class::AString),
    (b"SAVEDON", Class::Date),
    (b"UNDRAFT", Class::Unit),
    (b"YOUNGER", Class::NzNumber),
    (b"ANSWERED", Class::Unit),
    (b"SENTSINCE", Class::Date),
    (b"UNDELETED", Class::Unit),
    (b"UNFLAGGED", Class::Unit),
    (b"UNKEYWORD", Class::Keyword),
    (b"SENTBEFORE", Class::Date),
    (b"SAVEDSINCE", Class::Date),
    (b"UNANSWERED", Class::Unit),
    (b"SAVEDBEFORE", Class::Date),
];

/// The longer name.
const LONG_NAME: &[u8] = b"SAVEDATESUPPORTED";

/// `0x01` in every octet.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every octet.
const HIGHS: u64 = 0x8080_8080_8080_8080;
/// The case bit of every octet.
const CASE: u64 = 0x2020_2020_2020_2020;

/// A name of the table, as the walk compares it: its first eight octets and the next eight
/// (little-endian words, zero past its end) in upper case, its length and class.
#[derive(Clone, Copy)]
struct Entry {
    words: [u64; 2],
    len: u8,
    class: Class,
}

/// Eight octets of `s` from `k` as a little-endian word, zero past the end of `s`.
const fn word_of(s: &[u8], k: usize) -> u64 {
    let mut w = 0u64;
    let mut j = 0;
    while j < 8 && k + j < s.len() {
        w |= (s[k + j] as u64) << (8 * j);
        j += 1;
    }
    w
}

/// The slot of a name: its first word folded (`| 0x20` in each of its octets) with its
/// length in the top octet, multiplied and shifted to 7 bits (a multiplier under which the
/// 41 names collide nowhere: building [`SLOTS`] fails to compile otherwise).
const fn slot(folded: u64, len: usize) -> usize {
    ((folded ^ ((len as u64) << 56)).wrapping_mul(0x005e_b195_d59a_5785) >> 57) as usize
}

/// The mask of the first `n` octets of a word (`n` at most 8).
const fn mask(n: usize) -> u64 {
    if n >= 8 { !0 } else { (1u64 << (8 * n)) - 1 }
}

/// The names by slot (`len` 0: none).
static SLOTS: [Entry; 128] = {
    let mut t = [Entry {
        words: [0, 0],
        len: 0,
        class: Class::Unit,
    }; 128];
    let mut k = 0;
    while k < NAMES.len() {
        let (name, class) = NAMES[k];
        let words = [word_of(name, 0), word_of(name, 8)];
        let at = slot(words[0] | (CASE & mask(name.len())), name.len());
        assert!(t[at].len == 0, "two names share a slot");
        t[at] = Entry {
            words,
            len: name.len() as u8,
            class,
        };
        k += 1;
    }
    t
};

/// Eight octets of `i` from `k`, zero past its end (a copy only near the end of the input).
#[inline(always)]
fn load(i: &[u8], k: usize) -> u64 {
    match i.get(k..).and_then(|s| s.first_chunk::<8>()) {
        Some(c) => u64::from_le_bytes(*c),
        None => word_of(i, k),
    }
}

/// The high bit of each octet of `w` that is not `ALPHA / "-"` (exact for every octet: no
/// carry crosses an octet).
#[inline(always)]
fn not_name_octets(w: u64) -> u64 {
    let low = (w | CASE) & !HIGHS;
    // High bit set where the folded octet is at least `a`, and where it is above `z`.
    let from_a = low + (0x80 - u64::from(b'a')) * ONES;
    let past_z = low + (0x80 - u64::from(b'z') - 1) * ONES;
    let letter = from_a & !past_z & !w & HIGHS;
    let other = w ^ (u64::from(b'-') * ONES);
    let hyphen = !(((other & !HIGHS) + !HIGHS) | other) & HIGHS;
    !(letter | hyphen) & HIGHS
}

/// The name `1*(ALPHA / "-")` at the start of `i` when it is one the walk reads: its length,
/// whether it is written in upper case, and its class. The name's end is found a word at a
/// time, its slot by one multiplication, and it is compared with the name of that slot in
/// two words (two octets of `ALPHA / "-"` differ in nothing but the case bit, `0x20`,
/// exactly when they are the same letter, or both `-`).
#[inline(always)]
fn name_at(i: &[u8]) -> Option<(usize, bool, Class)> {
    let w0 = load(i, 0);
    let m0 = not_name_octets(w0);
    let (n, w1) = if m0 != 0 {
        ((m0.trailing_zeros() / 8) as usize, 0)
    } else {
        let w1 = load(i, 8);
        match not_name_octets(w1) {
            0 => return long_name(i),
            m1 => {
                let n = 8 + (m1.trailing_zeros() / 8) as usize;
                (n, w1 & mask(n - 8))
            }
        }
    };
    let w0 = w0 & mask(n);
    let e = SLOTS[slot(w0 | (CASE & mask(n)), n)];
    let d0 = w0 ^ e.words[0];
    let d1 = w1 ^ e.words[1];
    let same = usize::from(e.len) == n && (d0 | d1) & !CASE == 0;
    same.then_some((n, d0 | d1 == 0, e.class))
}

/// A name of 16 octets or more: SAVEDATESUPPORTED (RFC 8514), or one the walk does not read.
#[cold]
fn long_name(i: &[u8]) -> Option<(usize, bool, Class)> {
    let n = i
        .iter()
        .take_while(|b| b.is_ascii_alphabetic() || **b == b'-')
        .count();
    let name = &i[..n];
    name.eq_ignore_ascii_case(LONG_NAME)
        .then_some((n, name == LONG_NAME, Class::Unit))
}

/// A quoted string's octet that the walk reads on: printable ASCII but `"` and `\` (a
/// QUOTED-CHAR of RFC 9051 §9 written as itself), and not `{`.
const PLAIN: u8 = 0;
/// `{`: a QUOTED-CHAR, which the exact path takes for a literal's mark (not canonical).
const BRACE: u8 = 1;
/// Anything else: the closing `"`, or an octet the walk gives up on (an escape, a control,
/// 8-bit).
const STOP: u8 = 2;

/// The class of each octet inside a quoted string: [`PLAIN`], [`BRACE`] or [`STOP`].
const QUOTED: [u8; 256] = {
    let mut t = [STOP; 256];
    let mut b = 0x20;
    while b < 0x7F {
        t[b] = match b as u8 {
            b'"' | b'\\' => STOP,
            b'{' => BRACE,
            _ => PLAIN,
        };
        b += 1;
    }
    t
};

/// A mask whose lowest set bit is the high bit of the first octet of `x` that is not
/// [`PLAIN`] in [`QUOTED`] (below 0x20, 0x7F or above, `"`, `\\`, `{`), or 0 when all eight
/// are plain. Only the lowest bit is exact (a borrow or carry starts only at an octet that is
/// itself a stop).
#[inline(always)]
fn quoted_stops(x: u64) -> u64 {
    let eq = |c: u8| {
        let v = x ^ (ONES * u64::from(c));
        v.wrapping_sub(ONES) & !v
    };
    // An octet below 0x80 plus 0x60 reaches 0x80 exactly when it is 0x20 or more; only an
    // octet >= 0xA0 (a stop by its own high bit) carries into the next one.
    let below_20 = !x.wrapping_add(ONES * 0x60);
    (x | below_20 | eq(0x7F) | eq(b'"') | eq(b'\\') | eq(b'{')) & HIGHS
}

/// The walk's state: the depth bound and whether every key so far is canonical.
struct Walk {
    /// The deepest nesting allowed (the options' `max_depth`, never above [`MAX_DEPTH`]).
    max: usize,
    /// Whether the keys read so far are what the encoder writes for them.
    canonical: bool,
}

/// `nz-number` (< 2^32): a non-zero first digit, at most 9 digits (written as the encoder
/// writes it).
#[inline(always)]
fn nz_number(i: &[u8]) -> Rest<'_> {
    match i.first()? {
        b'1'..=b'9' => digits(i, 9),
        _ => None,
    }
}

/// `sequence-set`: `$`, or `seq-number [":" seq-number]` separated by `,` (the encoder writes
/// the items as received: numbers have no leading zero).
#[inline]
fn sequence_set(i: &[u8]) -> Rest<'_> {
    if let Some(r) = byte(i, b'$') {
        return Some(r);
    }
    fn seq_number(i: &[u8]) -> Rest<'_> {
        byte(i, b'*').or_else(|| nz_number(i))
    }
    let mut i = i;
    loop {
        i = seq_number(i)?;
        if let Some(r) = byte(i, b':') {
            i = seq_number(r)?;
        }
        match byte(i, b',') {
            Some(r) => i = r,
            None => return Some(i),
        }
    }
}

impl Walk {
    /// `astring` as an atom or a quoted string of printable ASCII without escapes (both
    /// written as received; a `{` anywhere in the program makes it non-canonical, as in the
    /// exact path).
    #[inline]
    fn astring<'a>(&mut self, i: &'a [u8]) -> Rest<'a> {
        if i.first()? == &b'"' {
            let mut k = 1;
            loop {
                // Eight plain octets at a time while eight remain; the table decides at the
                // first octet that is not plain (or within the last eight of the input).
                while let Some(c) = i[k..].first_chunk::<8>() {
                    let m = quoted_stops(u64::from_le_bytes(*c));
                    if m != 0 {
                        k += (m.trailing_zeros() / 8) as usize;
                        break;
                    }
                    k += 8;
                }
                match QUOTED[usize::from(*i.get(k)?)] {
                    PLAIN => k += 1,
                    BRACE => {
                        self.canonical = false;
                        k += 1;
                    }
                    _ => break,
                }
            }
            return (i[k] == b'"').then(|| &i[k + 1..]);
        }
        let n = i.iter().take_while(|&&b| is_astring_char(b)).count();
        (n > 0).then(|| &i[n..])
    }

    /// One `search-key` at nesting `depth` (inlined where the walk reads a key; the nested
    /// forms go through [`nested`](Self::nested) and [`list`](Self::list), out of line).
    #[inline(always)]
    fn key<'a>(&mut self, i: &'a [u8], depth: usize) -> Rest<'a> {
        if depth > self.max {
            return None;
        }
        match i.first()? {
            b'(' => self.list(i, depth),
            b'1'..=b'9' | b'*' | b'$' => sequence_set(i),
            _ => self.named(i, depth),
        }
    }

    /// A key nested in NOT, FUZZY or OR, at nesting `depth`.
    #[inline(never)]
    fn nested<'a>(&mut self, i: &'a [u8], depth: usize) -> Rest<'a> {
        self.key(i, depth)
    }

    /// `"(" search-key *(SP search-key) ")"` at nesting `depth`.
    #[inline(never)]
    fn list<'a>(&mut self, i: &'a [u8], depth: usize) -> Rest<'a> {
        let mut i = &i[1..];
        loop {
            i = self.key(i, depth + 1)?;
            match i.split_first()? {
                (b' ', r) => i = r,
                (b')', r) => return Some(r),
                _ => return None,
            }
        }
    }

    /// A key that starts with its name.
    #[inline(always)]
    fn named<'a>(&mut self, i: &'a [u8], depth: usize) -> Rest<'a> {
        let (n, upper, class) = name_at(i)?;
        let rest = &i[n..];
        if n == 0 || rest.first().is_some_and(|&b| is_atom_char(b)) {
            return None;
        }
        self.canonical &= upper;
        // `SP` and the argument, for every class but `Unit`.
        let arg = byte(rest, b' ');
        match class {
            Class::Unit => Some(rest),
            Class::Date => {
                let arg = arg?;
                let (n, canonical) = check_date_text(arg)?;
                self.canonical &= canonical;
                Some(&arg[n..])
            }
            Class::AString => self.astring(arg?),
            Class::Header => {
                let r = byte(self.astring(arg?)?, b' ')?;
                self.astring(r)
            }
            Class::Keyword => {
                let arg = arg?;
                let n = arg.iter().take_while(|&&b| is_atom_char(b)).count();
                (n > 0).then(|| &arg[n..])
            }
            Class::Number64 => {
                let arg = arg?;
                let rest = digits(arg, 18)?;
                self.canonical &= arg.len() - rest.len() == 1 || arg[0] != b'0';
                Some(rest)
            }
            Class::Set => sequence_set(arg?),
            Class::NzNumber => nz_number(arg?),
            Class::One => self.nested(arg?, depth + 1),
            Class::Two => {
                let r = byte(self.nested(arg?, depth + 1)?, b' ')?;
                self.nested(r, depth + 1)
            }
        }
    }
}

/// Walks `search-key *(SP search-key)` with nesting at most `max_depth` deep: the input after
/// the program, its number of keys, and whether it is canonical (free of `{`, every key as
/// the encoder writes it); `None` when the exact parser must decide.
pub(super) fn program(i: &[u8], max_depth: usize) -> Option<(&[u8], usize, bool)> {
    let mut walk = Walk {
        max: max_depth.min(MAX_DEPTH),
        canonical: true,
    };
    let mut i = i;
    let mut len = 0;
    loop {
        i = walk.key(i, 0)?;
        len += 1;
        match byte(i, b' ') {
            Some(r) => i = r,
            None => return Some((i, len, walk.canonical)),
        }
    }
}

/// `base` with the octet at `at` replaced by `b` (`how` 0), `b` inserted there (1) or the
/// octet removed (2), then `tail` appended: the mutations of the fast walks' property tests
/// (here and in [`crate::response::check`]).
#[cfg(test)]
pub(crate) fn mutated_once(
    base: &[u8],
    at: usize,
    how: u8,
    b: u8,
    tail: &[u8],
) -> alloc::vec::Vec<u8> {
    let mut v = base.to_vec();
    match how {
        0 => v[at] = b,
        1 => v.insert(at, b),
        _ => {
            v.remove(at);
        }
    }
    v.extend_from_slice(tail);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::search::{SearchKeyKind, SearchProgram};
    use crate::context::{Ctx, DECODE, STRICT, Side};
    use crate::prelude::*;
    use proptest::prelude::*;

    /// The programs the property tests mutate: every key the walk reads, in canonical and
    /// other forms.
    const PROGRAMS: &[&str] = &[
        "SINCE 5-Mar-2024 BEFORE 17-Nov-2025 FROM \"bob smith\" UNSEEN",
        "OR (SEEN FLAGGED) NOT FROM alice UID 1:5,7,9:* 2,4:* $ SMALLER 4096",
        "since 05-mar-2024 from \"a{b\" HEADER X-Y \"\" KEYWORD $Junk UNKEYWORD k LARGER 007",
        "SENTON 1-Feb-1994 SAVEDSINCE 29-Feb-2000 OLDER 30 YOUNGER 7 FUZZY SUBJECT x TO y CC z",
        "ALL ANSWERED DELETED DRAFT NEW OLD RECENT UNANSWERED UNDELETED UNDRAFT UNFLAGGED",
        "(OR 1 2 (NOT (BODY b TEXT t BCC c))) SAVEDATESUPPORTED SAVEDON 31-Dec-1999",
    ];

    /// The exact parser's answer: the bytes left, the number of keys, the canonical flag.
    fn exact(i: &[u8], max_depth: usize) -> Option<(usize, usize, bool)> {
        let options = crate::ParseOptions::default().with_max_depth(max_depth);
        let cx = Ctx::new(&options, Side::Client, i);
        let (rest, p) = SearchProgram::parse_exact(i, &cx).ok()?;
        Some((rest.len(), p.len, p.canonical))
    }

    /// The walk's answer in the same shape.
    fn fast(i: &[u8], max_depth: usize) -> Option<(usize, usize, bool)> {
        program(i, max_depth).map(|(r, len, canonical)| (r.len(), len, canonical))
    }

    #[test]
    fn the_common_programs_take_the_fast_path() {
        for p in PROGRAMS {
            let input = format!("{p}\r\n");
            let walked = fast(input.as_bytes(), MAX_DEPTH);
            assert!(walked.is_some(), "{p}");
            assert_eq!(walked, exact(input.as_bytes(), MAX_DEPTH), "{p}");
        }
        let c = program(PROGRAMS[0].as_bytes(), MAX_DEPTH);
        assert_eq!(c, Some((&b""[..], 4, true)));
        assert_eq!(
            program(PROGRAMS[2].as_bytes(), MAX_DEPTH).map(|c| c.2),
            Some(false)
        );
    }

    /// Every name the walk knows is the name of the key the exact parser reads, in any case;
    /// nothing else is found.
    /// The name at the start of `name` followed by SP: its class and whether it is in upper
    /// case, when the walk reads it.
    fn lookup(name: &[u8]) -> Option<(bool, Class)> {
        let input = [name, b" "].concat();
        let (n, upper, class) = name_at(&input)?;
        (n == name.len()).then_some((upper, class))
    }

    /// The octets of a name, found a word at a time, are those a byte loop finds.
    #[test]
    fn name_octets_as_a_byte_loop() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut w = *b"ABCDEFGH";
                w[at] = b;
                let expected = w
                    .iter()
                    .position(|c| !(c.is_ascii_alphabetic() || *c == b'-'));
                let m = not_name_octets(u64::from_le_bytes(w));
                let found = (m != 0).then(|| (m.trailing_zeros() / 8) as usize);
                assert_eq!(found, expected, "{w:?}");
            }
        }
    }

    /// The first octet of a word that is not plain inside a quoted string, found a word at a
    /// time, is the one a loop over the class table finds: every octet at every position,
    /// after plain octets and after a second stop.
    #[test]
    fn quoted_stops_as_a_byte_loop() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for fill in [*b"abcdefgh", *b"a{c\\e\"g\x7f", *b" ~!#}[]0"] {
                    let mut w = fill;
                    w[at] = b;
                    let expected = w.iter().position(|&c| QUOTED[usize::from(c)] != PLAIN);
                    let m = quoted_stops(u64::from_le_bytes(w));
                    let found = (m != 0).then(|| (m.trailing_zeros() / 8) as usize);
                    assert_eq!(found, expected, "{w:?}");
                }
            }
        }
    }

    #[test]
    fn lookup_finds_exactly_the_table_names() {
        let cx = Ctx::new(&STRICT, Side::Client, b"");
        let mut found = 0;
        for kind in SearchKeyKind::ALL {
            let name = kind.name().as_bytes();
            let Some((upper, class)) = lookup(name) else {
                continue;
            };
            found += 1;
            assert!(upper, "{name:?}");
            let lower = name.to_ascii_lowercase();
            assert_eq!(lookup(&lower), Some((false, class)));
            let arg = match lookup(name).map(|l| l.1) {
                Some(Class::Unit) => "",
                Some(Class::Date) => " 1-Feb-1994",
                Some(Class::AString | Class::Keyword) => " x",
                Some(Class::Header) => " x y",
                Some(Class::Number64 | Class::Set | Class::NzNumber) => " 5",
                Some(Class::One) => " ALL",
                Some(Class::Two) => " ALL SEEN",
                None => unreachable!(),
            };
            let input = format!("{}{arg}", kind.name());
            let (_, key) =
                crate::command::SearchKey::parse(input.as_bytes(), 0, &cx).expect("parses");
            assert_eq!(key.kind(), *kind);
        }
        assert_eq!(found, 42);
        // Any one octet of a known name changed: found only when it is the same name.
        for kind in SearchKeyKind::ALL {
            let name = kind.name().as_bytes();
            for at in 0..name.len() {
                for b in (b'A'..=b'Z').chain(b'a'..=b'z').chain([b'-']) {
                    let mut m = name.to_vec();
                    m[at] = b;
                    if let Some((upper, _)) = lookup(&m) {
                        let same = SearchKeyKind::ALL
                            .iter()
                            .map(|k| k.name().as_bytes())
                            .find(|k| k.eq_ignore_ascii_case(&m));
                        assert_eq!(same.map(|k| k == &m[..]), Some(upper), "{m:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn unusual_forms_are_left_to_the_exact_parser() {
        for p in [
            "FROM {3}\r\nabc",
            "FROM \"a\\\"b\"",
            "FROM \"\u{e9}\"",
            "SINCE \"1-Feb-1994\"",
            "SINCE 30-Feb-2000",
            "LARGER 1234567890123456789",
            "UID 1234567890",
            "MODSEQ 5",
            "X-GM-RAW x",
            "EMAILID M1",
            "NOT",
            "()",
            "FOO",
            "ALL ",
        ] {
            assert_eq!(program(p.as_bytes(), MAX_DEPTH), None, "{p}");
        }
        let deep = format!("{}ALL", "NOT ".repeat(3));
        assert_eq!(program(deep.as_bytes(), 2), None);
        assert!(program(deep.as_bytes(), 3).is_some());
    }

    /// Mutations of a valid program: one byte replaced, inserted or removed.
    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        let bytes = prop_oneof![
            4 => prop::sample::select(&b"() \"\\-:,*$0129aAnNoOtTrRsSxX{}\r\n"[..]),
            1 => any::<u8>(),
        ];
        (
            prop::sample::select(PROGRAMS),
            any::<prop::sample::Index>(),
            0..3u8,
            bytes,
        )
            .prop_map(|(base, at, how, b)| {
                mutated_once(base.as_bytes(), at.index(base.len()), how, b, b"\r\n")
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8192))]

        /// Whatever the walk accepts, the exact parser accepts with the same end, the same
        /// number of keys and the same canonical answer; the keys decode again from the wire
        /// form, and a canonical program encodes as the copy of its keys' encodings.
        #[test]
        fn the_walk_agrees_with_the_exact_parser(input in mutated(), max_depth in 1..6usize) {
            if let Some(walked) = fast(&input, max_depth) {
                let text = String::from_utf8_lossy(&input);
                prop_assert_eq!(exact(&input, max_depth), Some(walked), "{}", text);
                let cx = Ctx::new(&DECODE, Side::Client, &input);
                let (_, p) = SearchProgram::parse(&input, &cx).unwrap();
                let keys = p.to_vec();
                prop_assert_eq!(keys.len(), walked.1);
                let built = SearchProgram::new(keys).unwrap();
                let copied = built.wire() == p.wire() && !p.wire().contains(&b'{');
                prop_assert_eq!(copied, walked.2, "{}", text);
            }
        }
    }
}
