//! Sequence sets (RFC 9051 §4.1.1, §9 `sequence-set`, `seq-range`, `seq-number`, `$`
//! from RFC 5182 / RFC 9051 §6.4.4.1) and the `uid-set` of UIDPLUS response codes.

use crate::prelude::*;

use ::core::num::NonZeroU32;

use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::{PResult, ValidationError, fail};
use crate::parse::nz_number;

/// `seq-number = nz-number / "*"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SeqNumber {
    /// A message sequence number or UID.
    Value(NonZeroU32),
    /// `*`: the largest number in use.
    Largest,
}

impl SeqNumber {
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        match i.first() {
            Some(b'*') => Ok((&i[1..], SeqNumber::Largest)),
            Some(b'1'..=b'9') => nz_number(i).map(|(r, n)| (r, SeqNumber::Value(n))),
            _ => fail(i, "seq-number"),
        }
    }
}

impl Encode for SeqNumber {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            SeqNumber::Value(n) => e.number(u64::from(n.get())),
            SeqNumber::Largest => e.byte(b'*'),
        };
    }
}

/// One element of a sequence set: a number or `seq-range = seq-number ":" seq-number`
/// (the two ends may come in either order, RFC 9051 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SeqItem {
    /// `n` or `*`
    Single(SeqNumber),
    /// `a:b`
    Range(SeqNumber, SeqNumber),
}

impl SeqItem {
    /// A single number; `None` for 0.
    pub fn single(n: u32) -> Option<Self> {
        NonZeroU32::new(n).map(|n| SeqItem::Single(SeqNumber::Value(n)))
    }

    /// The range `a:b`; `None` if either end is 0.
    pub fn range(a: u32, b: u32) -> Option<Self> {
        Some(SeqItem::Range(
            SeqNumber::Value(NonZeroU32::new(a)?),
            SeqNumber::Value(NonZeroU32::new(b)?),
        ))
    }

    /// True when `n` is in this item, given the largest number in use (`*`).
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let value = |s: &SeqNumber| match s {
            SeqNumber::Value(v) => v.get(),
            SeqNumber::Largest => largest,
        };
        match self {
            SeqItem::Single(s) => value(s) == n,
            SeqItem::Range(a, b) => {
                let (lo, hi) = (value(a).min(value(b)), value(a).max(value(b)));
                (lo..=hi).contains(&n)
            }
        }
    }
}

impl Encode for SeqItem {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            SeqItem::Single(s) => s.encode(e),
            SeqItem::Range(a, b) => {
                a.encode(e);
                e.byte(b':');
                b.encode(e);
            }
        }
    }
}

/// `sequence-set` (RFC 9051 §9): one or more numbers and ranges, or `$`, the result saved by
/// `SEARCH RETURN (SAVE)` (RFC 9051 §6.4.4.1).
///
/// ```
/// use mailproto_imap_codec::SequenceSet;
/// let set = SequenceSet::parse_str("2,4:7,9,12:*").unwrap();
/// assert!(set.contains(5, 20) && !set.contains(8, 20) && set.contains(20, 20));
/// assert_eq!(set.to_string(), "2,4:7,9,12:*");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SequenceSet {
    /// Numbers and ranges (never empty).
    Items(SeqItems),
    /// `$`
    SearchResult,
}

/// A non-empty list of sequence-set items.
///
/// Up to [`SeqItems::INLINE`] items (the sets commands mostly carry: `4:7`, `1:5,9`) are held
/// in the value itself, more on the heap: parsing a small set allocates nothing (issue 17).
/// Equality, hashing and serde see the items only (a sequence, as a `Vec` would be).
#[derive(Clone)]
pub struct SeqItems(Items);

/// Where a [`SeqItems`] keeps its items.
#[derive(Clone)]
enum Items {
    /// `len` items at the front of `items` (1..=INLINE); the rest is filler.
    Inline {
        len: u8,
        items: [SeqItem; SeqItems::INLINE],
    },
    /// More than INLINE items.
    Heap(Vec<SeqItem>),
}

/// What fills the unused inline slots.
const FILLER: SeqItem = SeqItem::Single(SeqNumber::Largest);

impl SeqItems {
    /// How many items are held without an allocation.
    pub const INLINE: usize = 2;

    /// The items, in order.
    #[inline]
    pub fn as_slice(&self) -> &[SeqItem] {
        match &self.0 {
            Items::Inline { len, items } => &items[..usize::from(*len)],
            Items::Heap(v) => v,
        }
    }

    /// Items already known to be at least one.
    fn from_vec(items: Vec<SeqItem>) -> Self {
        let mut built = Builder::new();
        if items.len() > SeqItems::INLINE {
            return SeqItems(Items::Heap(items));
        }
        for item in items {
            built.push(item);
        }
        built.finish()
    }
}

/// Collects items inline, moving to the heap past [`SeqItems::INLINE`].
struct Builder(Items);

impl Builder {
    fn new() -> Self {
        Builder(Items::Inline {
            len: 0,
            items: [FILLER; SeqItems::INLINE],
        })
    }

    #[inline]
    fn push(&mut self, item: SeqItem) {
        match &mut self.0 {
            Items::Inline { len, items } if usize::from(*len) < SeqItems::INLINE => {
                items[usize::from(*len)] = item;
                *len += 1;
            }
            Items::Inline { items, .. } => {
                let mut v = Vec::with_capacity(2 * SeqItems::INLINE);
                v.extend_from_slice(items);
                v.push(item);
                self.0 = Items::Heap(v);
            }
            Items::Heap(v) => v.push(item),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self.0, Items::Inline { len: 0, .. })
    }

    fn finish(self) -> SeqItems {
        SeqItems(self.0)
    }
}

impl PartialEq for SeqItems {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SeqItems {}

impl ::core::hash::Hash for SeqItems {
    fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl ::core::fmt::Debug for SeqItems {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_tuple("SeqItems").field(&self.as_slice()).finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SeqItems {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl SequenceSet {
    /// A set of the given items; fails when `items` is empty.
    pub fn new(items: Vec<SeqItem>) -> Result<Self, ValidationError> {
        if items.is_empty() {
            return Err(ValidationError::new("sequence-set", None));
        }
        Ok(SequenceSet::Items(SeqItems::from_vec(items)))
    }

    /// A set with one number; fails for 0.
    pub fn single(n: u32) -> Result<Self, ValidationError> {
        let item = SeqItem::single(n).ok_or(ValidationError::new("nz-number", Some(0)))?;
        Ok(SequenceSet::Items(SeqItems::from_vec(vec![item])))
    }

    /// Parses the text form, e.g. `1:4,7,9:*` or `$`.
    pub fn parse_str(s: &str) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(s.as_bytes(), Self::parse)
    }

    /// The same set in the form every server reads: ranges ascending (`3:5`, never `5:3`),
    /// items sorted and overlapping or adjacent ones merged, `*` items last. The grammar allows
    /// both orders (RFC 9051 §9 `seq-range`), but deployed servers (hMailServer, QQ Mail) fail on
    /// descending ranges (`docs/real-world.md`, encoder rows); a client sends this form.
    ///
    /// ```
    /// use mailproto_imap_codec::SequenceSet;
    /// let set = SequenceSet::parse_str("9:7,1,3:2,4,20:*,*:12,5").unwrap();
    /// assert_eq!(set.normalized().to_string(), "1:5,7:9,12:*,20:*");
    /// assert_eq!(SequenceSet::parse_str("$").unwrap().normalized().to_string(), "$");
    /// ```
    pub fn normalized(&self) -> SequenceSet {
        let SequenceSet::Items(items) = self else {
            return self.clone();
        };
        let mut ranges: Vec<(u32, u32)> = Vec::with_capacity(items.as_slice().len());
        let mut starred: Vec<SeqItem> = Vec::new();
        for item in items.as_slice() {
            match *item {
                SeqItem::Single(SeqNumber::Value(n)) => ranges.push((n.get(), n.get())),
                SeqItem::Range(SeqNumber::Value(a), SeqNumber::Value(b)) => {
                    ranges.push((a.get().min(b.get()), a.get().max(b.get())));
                }
                SeqItem::Range(SeqNumber::Largest, SeqNumber::Value(n))
                | SeqItem::Range(SeqNumber::Value(n), SeqNumber::Largest) => {
                    starred.push(SeqItem::Range(SeqNumber::Value(n), SeqNumber::Largest));
                }
                SeqItem::Single(SeqNumber::Largest)
                | SeqItem::Range(SeqNumber::Largest, SeqNumber::Largest) => {
                    starred.push(SeqItem::Single(SeqNumber::Largest));
                }
            }
        }
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        starred.sort_unstable_by_key(|i| match i {
            SeqItem::Range(SeqNumber::Value(n), _) => n.get(),
            _ => u32::MAX,
        });
        starred.dedup();
        let mut out: Vec<SeqItem> = merged
            .into_iter()
            .filter_map(|(lo, hi)| {
                if lo == hi {
                    SeqItem::single(lo)
                } else {
                    SeqItem::range(lo, hi)
                }
            })
            .collect();
        out.extend(starred);
        SequenceSet::Items(SeqItems::from_vec(out))
    }

    /// True when `n` is in the set, given the largest number in use. `$` contains nothing
    /// (its value lives in the session).
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        match self {
            SequenceSet::Items(items) => items.as_slice().iter().any(|i| i.contains(n, largest)),
            SequenceSet::SearchResult => false,
        }
    }

    /// Parses `sequence-set`.
    ///
    /// A fast walk ([`SequenceSet::scan`]) reads the common forms; on anything it does not
    /// take, the exact parser decides (and reports the error, with its offset and rule).
    #[inline(always)]
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        if let Some((end, set)) = Self::scan(i) {
            return Ok((&i[end..], set));
        }
        Self::parse_exact(i)
    }

    /// The exact parser: what the fast walk leaves, and every error.
    #[cold]
    #[inline(never)]
    fn parse_exact(i: &[u8]) -> PResult<'_, Self> {
        crate::parse::rule("sequence-set", Self::parse_set)(i)
    }

    /// The fast walk of `sequence-set = (seq-number / seq-range) ["," sequence-set]`
    /// (RFC 9051 §9): digits, `:`, `,` and `*` in one loop into the inline items, no error
    /// values. It gives up (`None`) on whatever is not plainly a set of `nz-number`s and `*`
    /// (`$`, a `0` first digit, more than ten digits, a value past 2^32 - 1, a missing number);
    /// whatever it takes, the exact parser takes with the same end and value (property test
    /// `scan_agrees_with_the_exact_parser`).
    #[inline(always)]
    fn scan(i: &[u8]) -> Option<(usize, Self)> {
        let mut at = 0;
        let mut items = Builder::new();
        loop {
            let a = scan_number(i, &mut at)?;
            let item = if i.get(at) == Some(&b':') {
                at += 1;
                SeqItem::Range(a, scan_number(i, &mut at)?)
            } else {
                SeqItem::Single(a)
            };
            items.push(item);
            if i.get(at) != Some(&b',') {
                return Some((at, SequenceSet::Items(items.finish())));
            }
            at += 1;
        }
    }

    fn parse_set(i: &[u8]) -> PResult<'_, Self> {
        if i.first() == Some(&b'$') {
            return Ok((&i[1..], SequenceSet::SearchResult));
        }
        let mut items = Builder::new();
        let mut i = i;
        loop {
            let (rest, a) = SeqNumber::parse(i).map_err(|e| {
                e.map(|mut e| {
                    if e.expected == "seq-number" && items.is_empty() {
                        e.expected = "sequence-set";
                    }
                    e
                })
            })?;
            let (rest, item) = if rest.first() == Some(&b':') {
                let (rest, b) = SeqNumber::parse(&rest[1..])?;
                (rest, SeqItem::Range(a, b))
            } else {
                (rest, SeqItem::Single(a))
            };
            items.push(item);
            if rest.first() == Some(&b',') {
                i = &rest[1..];
            } else {
                return Ok((rest, SequenceSet::Items(items.finish())));
            }
        }
    }
}

/// `seq-number` at `i[*at..]` for [`SequenceSet::scan`]: `*`, or `digit-nz *DIGIT` of at most
/// ten digits and at most 2^32 - 1; `None` for anything else (the exact parser decides).
/// A number of up to seven digits with eight octets to read is converted eight octets at a
/// time ([`leading_digits`], [`digits_value`]); others a digit at a time.
#[inline(always)]
fn scan_number(i: &[u8], at: &mut usize) -> Option<SeqNumber> {
    let start = *at;
    if let Some(eight) = i.get(start..start + 8) {
        let w = u64::from_le_bytes(eight.try_into().ok()?);
        let first = w as u8;
        if first == b'*' {
            *at = start + 1;
            return Some(SeqNumber::Largest);
        }
        let n = leading_digits(w);
        if (1..8).contains(&n) && first != b'0' {
            // The shift is 8 to 56.
            *at = start + n;
            return NonZeroU32::new(digits_value(w << (64 - 8 * n))).map(SeqNumber::Value);
        }
    }
    let first = *i.get(start)?;
    if first == b'*' {
        *at = start + 1;
        return Some(SeqNumber::Largest);
    }
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v = u64::from(first - b'0');
    let mut p = start + 1;
    while let Some(&d) = i.get(p) {
        if !d.is_ascii_digit() {
            break;
        }
        if p - start == 10 {
            return None;
        }
        v = v * 10 + u64::from(d - b'0');
        p += 1;
    }
    let v = u32::try_from(v).ok()?;
    *at = p;
    NonZeroU32::new(v).map(SeqNumber::Value)
}

/// How many of the eight octets of `w` (the first in the low octet) are digits before the
/// first one that is not (8 when all are). An octet is a digit when its high nibble is 3 both
/// as it is and plus 6; a carry out of an octet of 0xFA or more reaches only later octets,
/// after that non-digit.
#[inline(always)]
fn leading_digits(w: u64) -> usize {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    let not_digit =
        ((w & HIGH) ^ THREES) | ((w.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ THREES);
    // The high bit of every octet that is not zero.
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let marks = (((not_digit & LOW7) + LOW7) | not_digit) & 0x8080_8080_8080_8080;
    (marks.trailing_zeros() / 8) as usize
}

/// The value of eight ASCII digits (the first in the low octet; zero octets count as `0`):
/// pairs, then fours, then all eight, each step one multiplication.
#[inline(always)]
fn digits_value(w: u64) -> u32 {
    let v = (w & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    ((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32) as u32
}

impl Encode for SequenceSet {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            SequenceSet::Items(items) => {
                for (n, item) in items.as_slice().iter().enumerate() {
                    if n > 0 {
                        e.byte(b',');
                    }
                    item.encode(e);
                }
            }
            SequenceSet::SearchResult => {
                e.byte(b'$');
            }
        }
    }
}

impl ::core::fmt::Display for SequenceSet {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        crate::encode::display_wire_form(self, f)
    }
}

impl IntoStatic for SequenceSet {
    type Static = SequenceSet;
    fn into_static(self) -> SequenceSet {
        self
    }
}

/// `uid-set = (uniqueid / uid-range) *("," uid-set)` (RFC 9051 §9, RFC 4315): like a sequence
/// set but without `*` and `$`; used by APPENDUID and COPYUID.
///
/// ```
/// use mailproto_imap_codec::UidSet;
/// let set = UidSet::parse_str("304,319:320").unwrap();
/// assert_eq!(set.ranges(), &[(304, 304), (319, 320)]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct UidSet(Vec<(u32, u32)>);

impl UidSet {
    /// A set of inclusive ranges (a single UID is `(n, n)`); fails when empty or with a 0.
    pub fn new(ranges: Vec<(u32, u32)>) -> Result<Self, ValidationError> {
        if ranges.is_empty() || ranges.iter().any(|&(a, b)| a == 0 || b == 0) {
            return Err(ValidationError::new("uid-set", None));
        }
        Ok(UidSet(ranges))
    }

    /// The ranges as written (`a:b` keeps its order; a single UID is `(n, n)`).
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.0
    }

    /// Parses the text form.
    pub fn parse_str(s: &str) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(s.as_bytes(), Self::parse)
    }

    /// Parses `uid-set`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        let mut out = Vec::new();
        let mut i = i;
        loop {
            let (rest, a) = nz_number(i)?;
            let (rest, b) = if rest.first() == Some(&b':') {
                nz_number(&rest[1..])?
            } else {
                (rest, a)
            };
            out.push((a.get(), b.get()));
            if rest.first() == Some(&b',') {
                i = &rest[1..];
            } else {
                return Ok((rest, UidSet(out)));
            }
        }
    }
}

impl Encode for UidSet {
    fn encode(&self, e: &mut Encoder<'_>) {
        for (n, &(a, b)) in self.0.iter().enumerate() {
            if n > 0 {
                e.byte(b',');
            }
            e.number(u64::from(a));
            if a != b {
                e.byte(b':').number(u64::from(b));
            }
        }
    }
}

impl IntoStatic for UidSet {
    type Static = UidSet;
    fn into_static(self) -> UidSet {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_sets() {
        for good in ["1", "*", "1:*", "*:4", "5:2", "1,2,3:5,7:*", "$"] {
            assert_eq!(SequenceSet::parse_str(good).unwrap().to_string(), good);
        }
        for bad in [
            "",
            "0",
            "1:",
            ":3",
            "1,,2",
            "1,",
            "$,1",
            "4294967296",
            "1:0",
        ] {
            assert!(SequenceSet::parse_str(bad).is_err(), "{bad}");
        }
        let reversed = SequenceSet::parse_str("5:2").unwrap();
        assert!(reversed.contains(3, 10));
    }

    #[test]
    fn the_common_forms_take_the_fast_walk() {
        for (input, end) in [
            (&b"123:140,230 +FLAGS"[..], 11),
            (b"1:*)", 3),
            (b"4294967295,*:7", 14),
            (b"1,2,3,4,5", 9),
            (b"1234567,12345678,123456789,1234567890 x", 37),
            (b"7654321:*", 9),
        ] {
            let (at, set) = SequenceSet::scan(input).unwrap();
            assert_eq!(at, end);
            assert_eq!(set.to_string().len(), end);
        }
        // Left to the exact parser: `$`, 0, more than ten digits, past 2^32 - 1, no number.
        for input in [
            &b"$"[..],
            b"0",
            b"1:0",
            b"01",
            b"12345678901",
            b"4294967296",
            b"1,",
            b"1:",
            b"",
        ] {
            assert!(SequenceSet::scan(input).is_none(), "{input:?}");
        }
    }

    #[test]
    fn eight_digits_at_a_time() {
        for n in 0..=8 {
            for tail in [
                &b"        "[..],
                b"99999999",
                b":\xff\xff\xff\xff\xff\xff\xff",
                b"/:;\x00/:;\x00",
            ] {
                let mut v = b"12345678"[..n].to_vec();
                v.extend_from_slice(tail);
                v.truncate(8);
                let w = u64::from_le_bytes(v.clone().try_into().unwrap());
                let digits = v.iter().take_while(|b| b.is_ascii_digit()).count();
                assert_eq!(leading_digits(w), digits, "{v:?}");
                if (1..8).contains(&digits) {
                    let text = core::str::from_utf8(&v[..digits]).unwrap();
                    assert_eq!(digits_value(w << (64 - 8 * digits)), text.parse().unwrap());
                }
            }
        }
    }

    /// The exact parser alone (what [`SequenceSet::parse`] was before its fast walk).
    fn exact(i: &[u8]) -> PResult<'_, SequenceSet> {
        crate::parse::rule("sequence-set", SequenceSet::parse_set)(i)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

        /// `SequenceSet::parse` (fast walk, then the exact parser) and the exact parser
        /// alone give the same result on any input: the same value and end, or the same
        /// error (offset, rule).
        #[test]
        fn scan_agrees_with_the_exact_parser(
            input in proptest::collection::vec(
                proptest::sample::select(&b"0123456789:,*$ x\xff/"[..]), 0..40)
        ) {
            let fast = SequenceSet::parse(&input);
            let slow = exact(&input);
            proptest::prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
            if let Some((end, set)) = SequenceSet::scan(&input) {
                proptest::prop_assert_eq!(slow.ok(), Some((&input[end..], set)));
            }
        }
    }
}
