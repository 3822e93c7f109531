//! The calendar date of an RFC 5322 `Date:` field (§3.3 `date-time`, §4.3 obsolete forms),
//! for SENTBEFORE / SENTON / SENTSINCE (RFC 9051 §6.4.4: "disregarding time and timezone",
//! so the date as written, in the message's own zone).

/// A calendar date `(year, month 1-12, day 1-31)`, ordered chronologically.
pub type Ymd = (u16, u8, u8);

const MONTHS: [&[u8]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Parses `[day-of-week ","] day month year ...` and returns the date; the time and zone
/// are not needed. Two-digit years follow RFC 5322 §4.3 (00-49 → 2000-2049, 50-99 →
/// 1950-1999), three-digit years add 1900. `None` when the field is not a date.
pub fn parse_date(value: &[u8]) -> Option<Ymd> {
    let mut lx = crate::mime::Lexer::new(value);
    let mut words: Vec<Vec<u8>> = Vec::new();
    // Collect up to four alphanumeric runs, skipping CFWS and the day-of-week comma.
    while words.len() < 4 {
        lx.skip_cfws();
        let rest = &value[lx.pos.min(value.len())..];
        let Some(&b) = rest.first() else { break };
        if b == b',' {
            lx.pos += 1;
            continue;
        }
        let n = rest
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if n == 0 {
            return None;
        }
        words.push(rest[..n].to_vec());
        lx.pos += n;
    }
    let mut w = words.as_slice();
    if w.first()
        .is_some_and(|x| x.iter().all(u8::is_ascii_alphabetic))
    {
        w = &w[1..];
    }
    let [day, month, year, ..] = w else {
        return None;
    };
    if day.is_empty() || day.len() > 2 || !day.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let day: u8 = std::str::from_utf8(day).ok()?.parse().ok()?;
    let month = MONTHS.iter().position(|m| month.eq_ignore_ascii_case(m))?;
    if year.len() < 2 || year.len() > 4 || !year.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let y: u16 = std::str::from_utf8(year).ok()?.parse().ok()?;
    let y = match year.len() {
        2 if y < 50 => y + 2000,
        2 => y + 1900,
        3 => y + 1900,
        _ => y,
    };
    if !(1..=31).contains(&day) {
        return None;
    }
    Some((y, month as u8 + 1, day))
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn forms() {
        assert_eq!(
            parse_date(b"Fri, 21 Nov 1997 09:55:06 -0600"),
            Some((1997, 11, 21))
        );
        assert_eq!(parse_date(b"1 Jan 2024 00:00 +0000"), Some((2024, 1, 1)));
        assert_eq!(
            parse_date(b"Thu,\r\n 13\r\n Feb\r\n 69\r\n 23:32"),
            Some((1969, 2, 13))
        );
        assert_eq!(parse_date(b"21 Nov 97 09:55:06 GMT"), Some((1997, 11, 21)));
        assert_eq!(
            parse_date(b"(c) Mon, 2 Dec 2024 10:00 -0800"),
            Some((2024, 12, 2))
        );
        assert_eq!(parse_date(b"yesterday"), None);
        assert_eq!(parse_date(b"32 Jan 2024"), None);
        assert_eq!(parse_date(b""), None);
    }
}
