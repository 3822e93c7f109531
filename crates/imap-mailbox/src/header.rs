//! Header sections (RFC 5322 §2.2, §3.6; RFC 2045 §3 for MIME entities): where the header
//! ends, where each field starts and ends, unfolding and lookup by name.
//!
//! Every position is an offset into the message's octets, so that FETCH can return
//! `BODY[HEADER]`, `BODY[n.MIME]` and `BODY[HEADER.FIELDS (..)]` byte-exactly
//! (RFC 9051 §6.4.5).

use std::ops::Range;

/// One header field: `field-name ":" unstructured CRLF` with its folded continuation lines
/// (RFC 5322 §2.2, §2.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The whole field, from the first octet of its name to the end of its last line
    /// ending (CRLF, or a bare LF in real-world data) included.
    pub whole: Range<usize>,
    /// The field name (empty for a line that is not a field: no colon, or a name with
    /// characters outside `ftext`, RFC 5322 §3.6.8).
    pub name: Range<usize>,
    /// The raw value: after the colon, up to (not including) the final line ending.
    pub value: Range<usize>,
}

/// Splits `raw[range]` into header and body.
///
/// Returns `(header, body, has_blank_line, fields)`: `header` includes the blank line that
/// ends it (RFC 9051 §6.4.5: "the blank line is always included as part of the header
/// data, except in the case of a message that has no body and no blank line"); without a
/// blank line the header runs to the end and the body is empty. Line endings are CRLF per
/// RFC 5322 §2.1; a bare LF is accepted as a line ending too (stored mail in the wild).
pub(crate) fn split(raw: &[u8], range: Range<usize>) -> (Range<usize>, Range<usize>, Vec<Field>) {
    let end = range.end;
    let mut pos = range.start;
    let mut fields: Vec<Field> = Vec::new();
    loop {
        if pos >= end {
            return (range.start..end, end..end, fields);
        }
        let (line_end, next) = match memchr::memchr(b'\n', &raw[pos..end]) {
            Some(k) => {
                let lf = pos + k;
                let content_end = if lf > pos && raw[lf - 1] == b'\r' {
                    lf - 1
                } else {
                    lf
                };
                (content_end, lf + 1)
            }
            None => (end, end),
        };
        let line = &raw[pos..line_end];
        if line.is_empty() && next > pos {
            // The blank line: the header ends after it.
            return (range.start..next, next..end, fields);
        }
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        match fields.last_mut() {
            Some(f) if continuation => {
                f.whole.end = next;
                f.value.end = line_end;
            }
            _ => {
                let (name, value_start) = field_name(raw, pos, line_end);
                fields.push(Field {
                    whole: pos..next,
                    name,
                    value: value_start..line_end,
                });
            }
        }
        pos = next;
    }
}

/// `field-name = 1*ftext` (printable US-ASCII except ":"), optionally followed by WSP
/// before the colon (`obs-optional`, RFC 5322 §4.5.8). Returns the name range and where
/// the value starts; an empty name when the line is not a field.
fn field_name(raw: &[u8], start: usize, end: usize) -> (Range<usize>, usize) {
    let mut i = start;
    while i < end && (33..=126).contains(&raw[i]) && raw[i] != b':' {
        i += 1;
    }
    let name_end = i;
    while i < end && matches!(raw[i], b' ' | b'\t') {
        i += 1;
    }
    if name_end > start && i < end && raw[i] == b':' {
        (start..name_end, i + 1)
    } else {
        (start..start, start)
    }
}

/// The unfolded value (RFC 5322 §2.2.3: each CRLF that is followed by WSP is removed),
/// without leading and trailing white space. Bare CR and LF are removed too.
pub fn unfold(value: &[u8]) -> Vec<u8> {
    let v: Vec<u8> = value
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    trim(&v).to_vec()
}

/// `s` without leading and trailing SP / HTAB.
pub(crate) fn trim(s: &[u8]) -> &[u8] {
    let a = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(s.len());
    let b = s
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(a, |p| p + 1);
    &s[a..b.max(a)]
}

/// A parsed header: the fields of one entity, looked up by case-insensitive name
/// (RFC 5322 §1.2.2: field names are case-insensitive).
#[derive(Debug, Clone, Copy)]
pub struct Header<'m> {
    pub(crate) raw: &'m [u8],
    pub(crate) fields: &'m [Field],
}

impl<'m> Header<'m> {
    /// The fields, in order.
    pub fn fields(&self) -> &'m [Field] {
        self.fields
    }

    /// The name of a field.
    pub fn name(&self, f: &Field) -> &'m [u8] {
        &self.raw[f.name.clone()]
    }

    /// The raw (folded) value of a field.
    pub fn raw_value(&self, f: &Field) -> &'m [u8] {
        &self.raw[f.value.clone()]
    }

    /// The first field called `name`.
    pub fn first(&self, name: &str) -> Option<&'m Field> {
        let raw = self.raw;
        self.fields
            .iter()
            .find(move |f| raw[f.name.clone()].eq_ignore_ascii_case(name.as_bytes()))
    }

    /// The unfolded, trimmed value of the first field called `name`.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        self.first(name).map(|f| unfold(self.raw_value(f)))
    }

    /// Every field called `name`, in order.
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'m Field> + 's {
        let raw = self.raw;
        self.fields
            .iter()
            .filter(move |f| raw[f.name.clone()].eq_ignore_ascii_case(name.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_fields_and_blank_line() {
        let m = b"Subject: a\r\n b\r\nFrom: x@y\r\n\r\nbody";
        let (h, b, f) = split(m, 0..m.len());
        assert_eq!(&m[h], b"Subject: a\r\n b\r\nFrom: x@y\r\n\r\n");
        assert_eq!(&m[b], b"body");
        assert_eq!(f.len(), 2);
        assert_eq!(unfold(&m[f[0].value.clone()]), b"a b");
        assert_eq!(&m[f[1].whole.clone()], b"From: x@y\r\n");
    }

    #[test]
    fn no_blank_line_means_no_body() {
        let m = b"Subject: a\r\nFrom: x";
        let (h, b, f) = split(m, 0..m.len());
        assert_eq!(h, 0..m.len());
        assert!(b.is_empty());
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn bare_lf_and_junk_lines() {
        let m = b"junk line\nA : b\n\nx";
        let (h, b, f) = split(m, 0..m.len());
        assert_eq!(&m[h], b"junk line\nA : b\n\n");
        assert_eq!(&m[b], b"x");
        assert!(f[0].name.is_empty());
        assert_eq!(&m[f[1].name.clone()], b"A");
        assert_eq!(unfold(&m[f[1].value.clone()]), b"b");
    }
}
