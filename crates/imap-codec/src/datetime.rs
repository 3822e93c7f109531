//! Dates and date-times (RFC 9051 §9 `date`, `date-time`, `zone`; used by SEARCH, APPEND and
//! INTERNALDATE).

use crate::core::IntoStatic;
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::parse::byte;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The index in [`MONTHS`] of the month named `a b c` in any case (`date-month`, RFC 9051 §9,
/// case-insensitive as every IMAP keyword): the three octets folded to lower case (`| 0x20`
/// folds a letter's two cases together and maps no other octet onto a lower-case letter),
/// hashed to one of 16 slots by a multiplier under which the twelve month names collide
/// nowhere, and compared with the one name of that slot.
#[inline]
fn month_index(a: u8, b: u8, c: u8) -> Option<usize> {
    let key = fold(&[a, b, c]);
    let m = usize::from(SLOTS[slot(key)]);
    (m < 12 && FOLDED[m] == key).then_some(m)
}

/// The three octets of a month name as one number, folded to lower case.
const fn fold(m: &[u8; 3]) -> u32 {
    packed(m) | 0x0020_2020
}

/// The three octets of a month name as one number, as they are.
const fn packed(m: &[u8; 3]) -> u32 {
    (m[0] as u32) << 16 | (m[1] as u32) << 8 | m[2] as u32
}

/// The slot of a folded name: its top four bits after the multiplication.
const fn slot(key: u32) -> usize {
    (key.wrapping_mul(1_909_207) >> 28) as usize
}

/// Each month's name, folded.
const FOLDED: [u32; 12] = {
    let mut t = [0u32; 12];
    let mut k = 0;
    while k < 12 {
        t[k] = fold(MONTHS[k]);
        k += 1;
    }
    t
};

/// The month of each slot (12: none); building it fails to compile on a collision.
const SLOTS: [u8; 16] = {
    let mut t = [12u8; 16];
    let mut k = 0;
    while k < 12 {
        assert!(t[slot(FOLDED[k])] == 12, "two months share a slot");
        t[slot(FOLDED[k])] = k as u8;
        k += 1;
    }
    t
};

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A calendar date, `date-day "-" date-month "-" date-year` (RFC 9051 §9 `date-text`).
///
/// ```
/// use mailproto_imap_codec::Date;
/// let d = Date::new(1994, 2, 1).unwrap();
/// assert_eq!(d.to_string(), "1-Feb-1994");
/// assert!(Date::new(2023, 2, 29).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A valid date (year 0–9999, month 1–12, a day that exists in that month).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, ValidationError> {
        if year > 9999 || !(1..=12).contains(&month) {
            return Err(ValidationError::new("date", None));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(ValidationError::new("date-day", None));
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Parses `date = date-text / DQUOTE date-text DQUOTE`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        crate::parse::rule("date", Self::parse_date)(i)
    }

    fn parse_date(i: &[u8]) -> PResult<'_, Self> {
        if i.first() == Some(&b'"') {
            let (rest, d) = Self::parse_text(&i[1..], false)?;
            let (rest, ()) = byte(rest, b'"', "DQUOTE")?;
            return Ok((rest, d));
        }
        Self::parse_text(i, false)
    }

    /// `date-text` or, when `fixed`, `date-day-fixed "-" date-month "-" date-year`.
    fn parse_text(i: &[u8], fixed: bool) -> PResult<'_, Self> {
        let start = i;
        let (i, day) = if fixed {
            match i {
                [b' ', d, ..] if d.is_ascii_digit() => (&i[2..], d - b'0'),
                [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
                    (&i[2..], (a - b'0') * 10 + (b - b'0'))
                }
                _ => return fail(i, "date-day-fixed"),
            }
        } else {
            match i {
                [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
                    (&i[2..], (a - b'0') * 10 + (b - b'0'))
                }
                [a, ..] if a.is_ascii_digit() => (&i[1..], a - b'0'),
                _ => return fail(i, "date-day"),
            }
        };
        let (i, ()) = byte(i, b'-', "\"-\"")?;
        let month = match i.get(..3) {
            Some(&[a, b, c]) => month_index(a, b, c),
            _ => None,
        };
        let Some(month) = month else {
            return fail(i, "date-month");
        };
        let i = &i[3..];
        let (i, ()) = byte(i, b'-', "\"-\"")?;
        let year = match i.get(..4) {
            Some(y) if y.iter().all(u8::is_ascii_digit) => {
                y.iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'))
            }
            _ => return fail(i, "date-year"),
        };
        match Date::new(year, month as u8 + 1, day) {
            Ok(d) => Ok((&i[4..], d)),
            Err(_) => fail_kind(start, "date", ErrorKind::InvalidValue),
        }
    }

    fn write(&self, e: &mut Encoder<'_>, fixed: bool) {
        if fixed && self.day < 10 {
            e.byte(b' ');
        }
        e.number(u64::from(self.day)).byte(b'-');
        e.raw(MONTHS[usize::from(self.month - 1)]).byte(b'-');
        let y = self.year;
        e.raw(&[
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
        ]);
    }
}

impl Date {
    /// Whether `wire` is exactly what [`Encode`] writes for this date (`date-text`, unquoted,
    /// the day without a leading zero, the month as in RFC 9051 §9 `date-month`): a check
    /// without writing, for the canonical test of a checked SEARCH program.
    pub(crate) fn is_written_as(&self, wire: &[u8]) -> bool {
        let day_len = if self.day < 10 { 1 } else { 2 };
        let Some((day, rest)) = wire.split_at_checked(day_len) else {
            return false;
        };
        let day_ok = match *day {
            [d] => d == b'0' + self.day,
            [t, u] => t == b'0' + self.day / 10 && u == b'0' + self.day % 10,
            _ => false,
        };
        let y = self.year;
        let mut tail = [0u8; 9];
        tail[0] = b'-';
        tail[1..4].copy_from_slice(MONTHS[usize::from(self.month - 1)]);
        tail[4] = b'-';
        tail[5] = b'0' + (y / 1000) as u8;
        tail[6] = b'0' + (y / 100 % 10) as u8;
        tail[7] = b'0' + (y / 10 % 10) as u8;
        tail[8] = b'0' + (y % 10) as u8;
        day_ok && rest == tail
    }
}

/// Checks `date-text = date-day "-" date-month "-" date-year` (RFC 9051 §9) at the start of
/// `i` in place, without building a [`Date`] or an error value: `Some((length, canonical))`
/// when [`Date::parse`] would accept the same octets (a valid calendar date) and end at the
/// same place, `canonical` telling whether they are what [`Encode`] writes (the day without a
/// leading zero, the month as spelled in [`MONTHS`]); `None` otherwise, where the exact
/// parser decides. The fast path of SEARCH's date keys (issue 17).
#[inline]
pub(crate) fn check_date_text(i: &[u8]) -> Option<(usize, bool)> {
    let digit = |k: usize| i.get(k).map(|b| b.wrapping_sub(b'0')).filter(|d| *d < 10);
    let (day, at) = match (digit(0)?, digit(1)) {
        (t, Some(u)) => (t * 10 + u, 2),
        (u, None) => (u, 1),
    };
    let [b'-', a, b, c, b'-', y0, y1, y2, y3] = *i.get(at..at + 9)? else {
        return None;
    };
    let month = month_index(a, b, c)?;
    // Four digits: every octet's high half is 3 and stays 3 when 6 is added.
    let year = u32::from_le_bytes([y0, y1, y2, y3]);
    let high = 0xF0F0_F0F0;
    if year & high != 0x3030_3030 || year.wrapping_add(0x0606_0606) & high != 0x3030_3030 {
        return None;
    }
    if day == 0 {
        return None;
    }
    // Every month has 28 days; the year matters for the 29th of February only.
    if day > 28 {
        let year = [y0, y1, y2, y3]
            .iter()
            .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
        if day > days_in_month(year, month as u8 + 1) {
            return None;
        }
    }
    let canonical = i[0] != b'0' && packed(&[a, b, c]) == packed(MONTHS[month]);
    Some((at + 9, canonical))
}

impl Encode for Date {
    /// Writes `date-text` (unquoted).
    fn encode(&self, e: &mut Encoder<'_>) {
        self.write(e, false);
    }
}

impl ::core::fmt::Display for Date {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        crate::encode::display_wire_form(self, f)
    }
}

impl IntoStatic for Date {
    type Static = Date;
    fn into_static(self) -> Date {
        self
    }
}

/// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`
/// (RFC 9051 §9), as in INTERNALDATE and APPEND.
///
/// ```
/// use mailproto_imap_codec::DateTime;
/// let dt = DateTime::parse_str("\"17-Jul-1996 02:44:25 -0700\"").unwrap();
/// assert_eq!((dt.date().day(), dt.hour(), dt.zone_minutes()), (17, 2, -420));
/// assert_eq!(dt.to_string(), "\"17-Jul-1996 02:44:25 -0700\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    /// Zone offset east of UTC in minutes; `-0000` is kept apart from `+0000`.
    zone: i16,
    zone_negative: bool,
}

impl DateTime {
    /// A date-time; `zone_minutes` is the offset from UTC (−5999..=5999 as `±HHMM`, minutes
    /// below 60). Seconds may be 60 (a leap second).
    pub fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        zone_minutes: i16,
    ) -> Result<Self, ValidationError> {
        if hour > 23 || minute > 59 || second > 60 {
            return Err(ValidationError::new("time", None));
        }
        if zone_minutes.unsigned_abs() > 99 * 60 + 59 {
            return Err(ValidationError::new("zone", None));
        }
        Ok(DateTime {
            date,
            hour,
            minute,
            second,
            zone: zone_minutes,
            zone_negative: zone_minutes < 0,
        })
    }

    /// The date.
    pub fn date(&self) -> Date {
        self.date
    }
    /// The hour, 0–23.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// The second (60 for a leap second).
    pub fn second(&self) -> u8 {
        self.second
    }
    /// The zone's offset from UTC in minutes.
    pub fn zone_minutes(&self) -> i16 {
        self.zone
    }

    /// Parses the text form (with its quotes).
    pub fn parse_str(s: &str) -> Result<Self, crate::ParseError> {
        crate::parse::parse_all(s.as_bytes(), Self::parse)
    }

    /// Parses `date-time`.
    pub(crate) fn parse(i: &[u8]) -> PResult<'_, Self> {
        crate::parse::rule("date-time", Self::parse_date_time)(i)
    }

    fn parse_date_time(i: &[u8]) -> PResult<'_, Self> {
        let (i, ()) = byte(i, b'"', "date-time")?;
        let (i, date) = Date::parse_text(i, true)?;
        let (i, ()) = byte(i, b' ', "SP")?;
        fn two<'i>(i: &'i [u8], rule: &'static str) -> PResult<'i, u8> {
            match i {
                [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
                    Ok((&i[2..], (a - b'0') * 10 + (b - b'0')))
                }
                _ => fail(i, rule),
            }
        }
        let time_start = i;
        let (i, hour) = two(i, "time")?;
        let (i, ()) = byte(i, b':', "\":\"")?;
        let (i, minute) = two(i, "time")?;
        let (i, ()) = byte(i, b':', "\":\"")?;
        let (i, second) = two(i, "time")?;
        let (i, ()) = byte(i, b' ', "SP")?;
        let zone_start = i;
        let negative = match i.first() {
            Some(b'+') => false,
            Some(b'-') => true,
            _ => return fail(i, "zone"),
        };
        let (i, hh) = two(&i[1..], "zone")?;
        let (i, mm) = two(i, "zone")?;
        let (i, ()) = byte(i, b'"', "DQUOTE")?;
        if mm > 59 {
            return fail_kind(zone_start, "zone", ErrorKind::InvalidValue);
        }
        let magnitude = i16::from(hh) * 60 + i16::from(mm);
        let zone = if negative { -magnitude } else { magnitude };
        match DateTime::new(date, hour, minute, second, zone) {
            Ok(mut dt) => {
                dt.zone_negative = negative;
                Ok((i, dt))
            }
            Err(_) => fail_kind(time_start, "time", ErrorKind::InvalidValue),
        }
    }
}

impl Encode for DateTime {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'"');
        self.date.write(e, true);
        let two = |e: &mut Encoder<'_>, v: u8| {
            e.raw(&[b'0' + v / 10, b'0' + v % 10]);
        };
        e.sp();
        two(e, self.hour);
        e.byte(b':');
        two(e, self.minute);
        e.byte(b':');
        two(e, self.second);
        e.sp().byte(if self.zone_negative { b'-' } else { b'+' });
        let m = self.zone.unsigned_abs();
        two(e, (m / 60) as u8);
        two(e, (m % 60) as u8);
        e.byte(b'"');
    }
}

impl ::core::fmt::Display for DateTime {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        crate::encode::display_wire_form(self, f)
    }
}

impl IntoStatic for DateTime {
    type Static = DateTime;
    fn into_static(self) -> DateTime {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// The folded month lookup finds exactly what a case-insensitive comparison with each
    /// name finds, for every month name with any one octet replaced by any octet.
    #[test]
    fn month_lookup_is_case_insensitive_comparison() {
        for name in MONTHS {
            for at in 0..3 {
                for b in 0..=255u8 {
                    let mut m = *name;
                    m[at] = b;
                    let expected = MONTHS.iter().position(|n| m.eq_ignore_ascii_case(&n[..]));
                    assert_eq!(month_index(m[0], m[1], m[2]), expected, "{m:?}");
                }
            }
        }
    }

    /// The in-place check of `date-text` accepts exactly what [`Date::parse`] accepts
    /// unquoted, with the same end, and calls canonical exactly what encodes as itself: every
    /// one-octet replacement, insertion and removal of a few dates (leap days among them).
    #[test]
    fn check_date_text_agrees_with_parse() {
        let octets = b"0123456789-aAbBeEfFnNrRyY \"\xff";
        let mut checked = 0;
        for base in [
            "1-Feb-1994",
            "29-Feb-2000",
            "29-Feb-1900",
            "31-Dec-9999",
            "05-mar-2024",
            "28-Feb-2023",
        ] {
            let base = base.as_bytes();
            let mut inputs = vec![base.to_vec()];
            for at in 0..=base.len() {
                for &b in octets {
                    let mut v = base.to_vec();
                    v.insert(at, b);
                    inputs.push(v);
                    if at < base.len() {
                        let mut v = base.to_vec();
                        v[at] = b;
                        inputs.push(v);
                    }
                }
                if at < base.len() {
                    let mut v = base.to_vec();
                    v.remove(at);
                    inputs.push(v);
                }
            }
            for mut input in inputs {
                input.extend_from_slice(b" x");
                let exact = Date::parse_text(&input, false).ok();
                let fast = check_date_text(&input);
                match (exact, fast) {
                    (None, None) => {}
                    (Some((rest, d)), Some((n, canonical))) => {
                        assert_eq!(rest.len(), input.len() - n, "{input:?}");
                        assert_eq!(
                            canonical,
                            d.to_string().as_bytes() == &input[..n],
                            "{input:?}"
                        );
                        checked += 1;
                    }
                    _ => panic!("{input:?}: {:?} {fast:?}", exact.map(|e| e.1)),
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }

    /// Each date's in-place canonical check agrees with its encoding.
    #[test]
    fn written_as_agrees_with_encoding() {
        for text in [
            "1-Feb-1994",
            "01-Feb-1994",
            "1-feb-1994",
            "28-Dec-0999",
            "9-Jan-2024",
        ] {
            let (_, d) = Date::parse(text.as_bytes()).unwrap();
            for wire in [
                text,
                "1-Feb-1994",
                "28-Dec-0999",
                "9-Jan-2024",
                "9-Jan-2024 ",
            ] {
                assert_eq!(
                    d.is_written_as(wire.as_bytes()),
                    d.to_string() == wire,
                    "{text} {wire}"
                );
            }
        }
    }

    #[test]
    fn dates() {
        let (_, d) = Date::parse(b"1-Feb-1994").unwrap();
        assert_eq!(d, Date::new(1994, 2, 1).unwrap());
        let (_, d) = Date::parse(b"\"01-feb-1994\"").unwrap();
        assert_eq!(d.to_string(), "1-Feb-1994");
        for bad in [
            &b"123-Jan-2020"[..],
            b"1-Foo-2020",
            b"1-Jan-20",
            b"31-Apr-2020",
            b"0-Jan-2020",
        ] {
            assert!(
                crate::parse::parse_all(bad, Date::parse).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn date_times() {
        let dt = DateTime::parse_str("\" 7-Feb-1994 21:52:25 -0800\"").unwrap();
        assert_eq!(dt.to_string(), "\" 7-Feb-1994 21:52:25 -0800\"");
        let z = DateTime::parse_str("\"07-Feb-1994 21:52:25 -0000\"").unwrap();
        assert_eq!(z.to_string(), "\" 7-Feb-1994 21:52:25 -0000\"");
        assert_ne!(
            z,
            DateTime::parse_str("\"07-Feb-1994 21:52:25 +0000\"").unwrap()
        );
        for bad in [
            "\"7-Feb-1994 21:52:25 -0800\"",
            "\"07-Feb-1994 24:00:00 +0000\"",
            "\"07-Feb-1994 21:52:25 0800\"",
            "\"07-Feb-1994 21:52:25 +08:00\"",
            "07-Feb-1994 21:52:25 +0000",
        ] {
            assert!(DateTime::parse_str(bad).is_err(), "{bad}");
        }
    }
}
