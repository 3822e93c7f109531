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

/// The input after what a step read, or `None` when the walk cannot tell.
type Rest<'a> = Option<&'a [u8]>;

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

/// The class of the key named `name` (`1*(ALPHA / "-")`, any case) and whether `name` is
/// written in upper case, in one step: a match on the length and three folded octets
/// (`| 0x20` folds a letter's two cases and leaves `-`), which tells every name below apart,
/// then one comparison with that name ([`is_name`], of a length known at compile time).
#[inline]
fn lookup(name: &[u8]) -> Option<(bool, Class)> {
    use Class::*;
    let n = name.len();
    let at = |k: usize| name.get(k).map_or(0, |b| b | 0x20);
    match (
        n,
        at(0),
        at(2.min(n.wrapping_sub(1))),
        at(n.wrapping_sub(1)),
    ) {
        (2, b'c', b'c', b'c') => is_name(name, b"CC", AString),
        (2, b'o', b'n', b'n') => is_name(name, b"ON", Date),
        (2, b'o', b'r', b'r') => is_name(name, b"OR", Two),
        (2, b't', b'o', b'o') => is_name(name, b"TO", AString),
        (3, b'a', b'l', b'l') => is_name(name, b"ALL", Unit),
        (3, b'b', b'c', b'c') => is_name(name, b"BCC", AString),
        (3, b'n', b'w', b'w') => is_name(name, b"NEW", Unit),
        (3, b'n', b't', b't') => is_name(name, b"NOT", One),
        (3, b'o', b'd', b'd') => is_name(name, b"OLD", Unit),
        (3, b'u', b'd', b'd') => is_name(name, b"UID", Set),
        (4, b'b', b'd', b'y') => is_name(name, b"BODY", AString),
        (4, b'f', b'o', b'm') => is_name(name, b"FROM", AString),
        (4, b's', b'e', b'n') => is_name(name, b"SEEN", Unit),
        (4, b't', b'x', b't') => is_name(name, b"TEXT", AString),
        (5, b'd', b'a', b't') => is_name(name, b"DRAFT", Unit),
        (5, b'f', b'z', b'y') => is_name(name, b"FUZZY", One),
        (5, b'o', b'd', b'r') => is_name(name, b"OLDER", NzNumber),
        (5, b's', b'n', b'e') => is_name(name, b"SINCE", Date),
        (6, b'b', b'f', b'e') => is_name(name, b"BEFORE", Date),
        (6, b'h', b'a', b'r') => is_name(name, b"HEADER", Header),
        (6, b'l', b'r', b'r') => is_name(name, b"LARGER", Number64),
        (6, b'r', b'c', b't') => is_name(name, b"RECENT", Unit),
        (6, b's', b'n', b'n') => is_name(name, b"SENTON", Date),
        (6, b'u', b's', b'n') => is_name(name, b"UNSEEN", Unit),
        (7, b'd', b'l', b'd') => is_name(name, b"DELETED", Unit),
        (7, b'f', b'a', b'd') => is_name(name, b"FLAGGED", Unit),
        (7, b'k', b'y', b'd') => is_name(name, b"KEYWORD", Keyword),
        (7, b's', b'a', b'r') => is_name(name, b"SMALLER", Number64),
        (7, b's', b'b', b't') => is_name(name, b"SUBJECT", AString),
        (7, b's', b'v', b'n') => is_name(name, b"SAVEDON", Date),
        (7, b'u', b'd', b't') => is_name(name, b"UNDRAFT", Unit),
        (7, b'y', b'u', b'r') => is_name(name, b"YOUNGER", NzNumber),
        (8, b'a', b's', b'd') => is_name(name, b"ANSWERED", Unit),
        (9, b's', b'n', b'e') => is_name(name, b"SENTSINCE", Date),
        (9, b'u', b'd', b'd') => is_name(name, b"UNDELETED", Unit),
        (9, b'u', b'f', b'd') => is_name(name, b"UNFLAGGED", Unit),
        (9, b'u', b'k', b'd') => is_name(name, b"UNKEYWORD", Keyword),
        (10, b's', b'n', b'e') => is_name(name, b"SENTBEFORE", Date),
        (10, b's', b'v', b'e') => is_name(name, b"SAVEDSINCE", Date),
        (10, b'u', b'a', b'd') => is_name(name, b"UNANSWERED", Unit),
        (11, b's', b'v', b'e') => is_name(name, b"SAVEDBEFORE", Date),
        (17, b's', b'v', b'd') => is_name(name, b"SAVEDATESUPPORTED", Unit),
        _ => None,
    }
}

/// Whether `name` is `upper` in any case (both `1*(ALPHA / "-")`; `upper` in upper case):
/// `Some(written in upper case)`, with `class`. Two such octets differ in nothing but the
/// case bit (`0x20`) exactly when they are the same letter, or both `-` (the length is a
/// constant: the loop is unrolled).
#[inline(always)]
fn is_name<const N: usize>(name: &[u8], upper: &[u8; N], class: Class) -> Option<(bool, Class)> {
    let name: &[u8; N] = name.try_into().ok()?;
    let (mut diff, mut exact) = (0u8, 0u8);
    let mut k = 0;
    while k < N {
        let d = name[k] ^ upper[k];
        exact |= d;
        diff |= d & !0x20;
        k += 1;
    }
    (diff == 0).then_some((exact == 0, class))
}

/// The octets of a key's name, `ALPHA / "-"`.
const NAME_CHARS: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphabetic() || b == b'-' as usize;
        b += 1;
    }
    t
};

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

/// The walk's state: the depth bound and whether every key so far is canonical.
struct Walk {
    /// The deepest nesting allowed (the options' `max_depth`, never above [`MAX_DEPTH`]).
    max: usize,
    /// Whether the keys read so far are what the encoder writes for them.
    canonical: bool,
}

/// The byte `c`.
#[inline(always)]
fn byte(i: &[u8], c: u8) -> Rest<'_> {
    match i.split_first() {
        Some((&b, r)) if b == c => Some(r),
        _ => None,
    }
}

/// `1*DIGIT`, at most `max` digits (so that the value is in range without computing it); the
/// digits read.
#[inline(always)]
fn digits(i: &[u8], max: usize) -> Option<usize> {
    let n = i
        .iter()
        .take(max + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    (1..=max).contains(&n).then_some(n)
}

/// `nz-number` (< 2^32): a non-zero first digit, at most 9 digits (written as the encoder
/// writes it).
#[inline(always)]
fn nz_number(i: &[u8]) -> Rest<'_> {
    match i.first()? {
        b'1'..=b'9' => digits(i, 9).map(|n| &i[n..]),
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

    /// One `search-key` at nesting `depth`.
    fn key<'a>(&mut self, i: &'a [u8], depth: usize) -> Rest<'a> {
        if depth > self.max {
            return None;
        }
        match i.first()? {
            b'(' => {
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
            b'1'..=b'9' | b'*' | b'$' => sequence_set(i),
            _ => self.named(i, depth),
        }
    }

    /// A key that starts with its name.
    #[inline]
    fn named<'a>(&mut self, i: &'a [u8], depth: usize) -> Rest<'a> {
        let n = i
            .iter()
            .position(|&b| !NAME_CHARS[usize::from(b)])
            .unwrap_or(i.len());
        let (name, rest) = i.split_at(n);
        if n == 0 || rest.first().is_some_and(|&b| is_atom_char(b)) {
            return None;
        }
        let (upper, class) = lookup(name)?;
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
                let n = digits(arg, 18)?;
                self.canonical &= n == 1 || arg[0] != b'0';
                Some(&arg[n..])
            }
            Class::Set => sequence_set(arg?),
            Class::NzNumber => nz_number(arg?),
            Class::One => self.key(arg?, depth + 1),
            Class::Two => {
                let r = byte(self.key(arg?, depth + 1)?, b' ')?;
                self.key(r, depth + 1)
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
                let mut v = base.as_bytes().to_vec();
                let at = at.index(v.len());
                match how {
                    0 => v[at] = b,
                    1 => v.insert(at, b),
                    _ => {
                        v.remove(at);
                    }
                }
                v.extend_from_slice(b"\r\n");
                v
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
