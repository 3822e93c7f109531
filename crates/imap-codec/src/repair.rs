//! The real-world profile's second pass: error-guided repairs.
//!
//! Under [`Profile::RealWorld`](crate::Profile), a message that the strict grammar rejects is
//! looked at where the grammar stopped. When the bytes there are one of the catalogued
//! deviations (`docs/real-world.md`), the message is edited in a copy into the closest form
//! the grammar allows (an SP removed or added, `EXPUNGED` read as `EXPUNGE`, a `NIL` media
//! type read as `""`, ...), the deviation is recorded with its offset in the **original**
//! message, and the copy is parsed again. This repeats until the message parses, no repair
//! applies (the strict error is returned, unchanged), or [`MAX_REPAIRS`] repairs were made.
//!
//! Cost: none for well-formed input and none under the strict profile (this module runs only
//! after a strict failure under the real-world profile). A repaired message is parsed at most
//! `MAX_REPAIRS + 1` times, each linear in its length: linear time, bounded memory (the copy
//! grows by at most a few octets per repair). The value is made owned (`IntoStatic`), since it
//! borrows from the repaired copy.

use crate::prelude::*;

use crate::context::{Deviation, ImapDeviation, Parsed, Side, UnknownItem};
use crate::core::IntoStatic;
use crate::error::ParseError;
use crate::response::generic::{self, Generic};

/// How many repairs one message may need at most (a BODYSTRUCTURE with many `NIL`
/// encodings needs one per part).
pub(crate) const MAX_REPAIRS: usize = 64;

/// One edit of the copy: `old` octets at `at` replaced by `new` octets.
#[derive(Debug, Clone, Copy)]
struct Edit {
    at: usize,
    old: usize,
    new: usize,
}

/// The edits made so far, in order, to map offsets in the copy back to the message.
#[derive(Debug, Default)]
struct History(Vec<Edit>);

impl History {
    /// The offset in the original message of offset `x` in the current copy.
    fn original(&self, mut x: usize) -> usize {
        for e in self.0.iter().rev() {
            let end = e.at.saturating_add(e.new);
            if x >= end {
                x = x - e.new + e.old;
            } else if x > e.at {
                x = e.at;
            }
        }
        x
    }
}

/// What a repair does to the copy: replace `len` octets at `at` with `with`.
struct Fix {
    id: ImapDeviation,
    /// Where the deviation is reported (an offset in the copy).
    report: usize,
    /// Edits, applied from the last to the first (so that the earlier offsets stay valid):
    /// (at, len, replacement). Sorted by `at`, not overlapping.
    edits: Vec<(usize, usize, Vec<u8>)>,
    /// An unknown FETCH item removed by the edits: its name and value (offset = `report`).
    kept: Option<(String, Generic<'static>)>,
}

impl Fix {
    fn one(id: ImapDeviation, at: usize, len: usize, with: &[u8]) -> Option<Fix> {
        Some(Fix {
            id,
            report: at,
            edits: vec![(at, len, with.to_vec())],
            kept: None,
        })
    }
}

/// Runs `parse` (the real-world parse without repairs, giving an owned value) on `input`,
/// which it already rejected with `first`, repairing the copy at each error as long as a
/// catalogued deviation explains it. Returns the strict error `first` when the message is not
/// one of them.
pub(crate) fn repair<S>(
    input: &[u8],
    first: ParseError,
    side: Side,
    parse: impl Fn(&[u8]) -> Result<Parsed<S>, ParseError>,
) -> Result<Parsed<S>, ParseError> {
    // Most messages that reach here are no catalogued deviation: they are looked at in
    // place; the copy is made for the first repair.
    let Some(mut fix) = find_fix(input, &first, side) else {
        return Err(first);
    };
    let mut buf = input.to_vec();
    let mut history = History::default();
    let mut found: Vec<Deviation> = Vec::new();
    let mut kept: Vec<UnknownItem> = Vec::new();
    for _ in 0..MAX_REPAIRS {
        found.push(Deviation::new(fix.id, history.original(fix.report), side));
        if let Some((name, value)) = fix.kept {
            kept.push(UnknownItem {
                offset: history.original(fix.report),
                name,
                value,
            });
        }
        for (at, len, with) in fix.edits.iter().rev() {
            let end = at.saturating_add(*len).min(buf.len());
            buf.splice(*at..end, with.iter().copied());
            history.0.push(Edit {
                at: *at,
                old: end - at,
                new: with.len(),
            });
        }
        match parse(&buf) {
            Ok(mut parsed) => {
                for d in &mut parsed.deviations {
                    d.offset = history.original(d.offset);
                }
                // Raw UTF-8 the repair put in a quoted string (a Latin-1 octet as UTF-8, an
                // unquoted UTF-8 name quoted) is the repair's deviation, not another one.
                parsed.deviations.retain(|d| {
                    d.id != ImapDeviation::EightBitInQuoted
                        || !found.iter().any(|f| f.offset == d.offset)
                });
                parsed.deviations.extend(found);
                parsed.deviations.sort_by_key(|d| d.offset);
                parsed.unknown.extend(kept);
                parsed.unknown.sort_by_key(|u| u.offset);
                return Ok(parsed);
            }
            Err(e) => match find_fix(&buf, &e, side) {
                Some(next) => fix = next,
                None => return Err(first),
            },
        }
    }
    Err(first)
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b' ' | b')' | b']' | b'\r' | b'\n')
}

/// The catalogued deviation that explains the error `e` in `buf`, with its repair.
fn find_fix(buf: &[u8], e: &ParseError, side: Side) -> Option<Fix> {
    let o = e.offset;
    let at = buf.get(o).copied();
    let prev = o.checked_sub(1).and_then(|p| buf.get(p)).copied();
    let rest = buf.get(o..).unwrap_or_default();

    // bare-lf: an LF without its CR ends the line (RFC 9051 §9 CRLF).
    if at == Some(b'\n') && prev != Some(b'\r') {
        return Fix::one(ImapDeviation::BareLf, o, 0, b"\r");
    }
    // missing-body-value: `BODY[2] )`: the section with no value; read as NIL.
    if side == Side::Server
        && e.expected == "nstring"
        && matches!(at, Some(b')' | b' ' | b'\r'))
        && prev == Some(b' ')
        && buf[..o - 1].ends_with(b"]")
    {
        return Fix::one(ImapDeviation::MissingBodyValue, o, 0, b"NIL");
    }
    // trailing-space: one SP before `)`, `]` or CRLF.
    if at == Some(b' ')
        && rest
            .get(1)
            .is_some_and(|&b| matches!(b, b')' | b']' | b'\r'))
    {
        return Fix::one(ImapDeviation::TrailingSpace, o, 1, b"");
    }
    if prev == Some(b' ') && matches!(at, Some(b')' | b']' | b'\r')) && o >= 2 {
        return Fix::one(ImapDeviation::TrailingSpace, o - 1, 1, b"");
    }
    // double-space: two SPs where the grammar has one.
    if at == Some(b' ') && prev == Some(b' ') {
        return Fix::one(ImapDeviation::DoubleSpace, o, 1, b"");
    }
    if side == Side::Client {
        return None;
    }
    // blank-line-after-literal: CRLF right after a literal's data while a list is open (the
    // framer kept the message whole under the real-world profile); read as nothing.
    if rest.starts_with(b"\r\n") && ends_literal(buf, o) {
        return Fix::one(ImapDeviation::BlankLineAfterLiteral, o, 2, b"");
    }
    // bad-modseq: `MODSEQ (0)`, `MODSEQ (-1)`: the item is left out, kept generically.
    if e.expected == "mod-sequence-value" && buf[..o].ends_with(b"MODSEQ (") {
        let start = o - b"MODSEQ (".len();
        let close = o + rest.iter().position(|&b| b == b')')?;
        let (value, _) = generic::value(&buf[start + 7..=close], 1).ok()?;
        let (from, to) = item_span(buf, start, close + 1)?;
        return Some(Fix {
            id: ImapDeviation::BadModseq,
            report: o,
            edits: vec![(from, to - from, Vec::new())],
            kept: Some(("MODSEQ".to_owned(), value.into_static())),
        });
    }
    // childless-multipart: `("ALTERNATIVE" ("BOUNDARY" "x") NIL NIL)`, `("ALTERNATIVE")`: a
    // quoted subtype alone where a part starts; read as a MULTIPART part with no content.
    if e.context == "body"
        && ((e.expected == "media-subtype" && at == Some(b'(') && prev == Some(b' '))
            || (e.expected == "SP" && at == Some(b')')))
    {
        let sub_end = if at == Some(b')') { o } else { o - 1 };
        let sub_start = buf[..sub_end.checked_sub(1)?]
            .iter()
            .rposition(|&b| b == b'"')?;
        if buf[..sub_end].ends_with(b"\"")
            && buf.get(sub_start.checked_sub(1)?) == Some(&b'(')
            && simple_quoted(&buf[sub_start..sub_end])
        {
            let mut edits = vec![(sub_start, 0, b"\"MULTIPART\" ".to_vec())];
            edits.push(childless_fields(buf, sub_end)?);
            return Some(Fix {
                id: ImapDeviation::ChildlessMultipart,
                report: sub_start,
                edits,
                kept: None,
            });
        }
    }
    // childless-multipart, NIL form: `(NIL "alternative" ("boundary" "x") NIL NIL NIL)`,
    // `(NIL "alternative")`: NIL where the parts should be; read the same way, NIL as the
    // MULTIPART type. The offset is the NIL's.
    if e.context == "body"
        && e.expected == "body"
        && prev == Some(b'(')
        && rest.len() > 5
        && rest[..5].eq_ignore_ascii_case(b"NIL \"")
    {
        let sub_start = o + 4;
        let sub_end = sub_start + 1 + memchr::memchr(b'"', &buf[sub_start + 1..])? + 1;
        if simple_quoted(&buf[sub_start..sub_end]) {
            let edits = vec![
                (o, 3, b"\"MULTIPART\"".to_vec()),
                childless_fields(buf, sub_end)?,
            ];
            return Some(Fix {
                id: ImapDeviation::ChildlessMultipart,
                report: o,
                edits,
                kept: None,
            });
        }
    }
    // invalid-tag-echoed: `) BAD Missing command` (GNU Mailutils): the first word of a line
    // the server could not read as a command, echoed as the tag although the grammar forbids
    // it; read as the untagged status (RFC 9051 §7.1.3: a protocol-level error whose command
    // cannot be determined is an untagged BAD).
    if o == 0
        && let Some(sp) = memchr::memchr(b' ', buf)
        && sp > 0
        && !matches!(buf[0], b'*' | b'+')
        && buf[..sp].iter().all(|b| (0x21..0x7f).contains(b))
        && [&b"OK "[..], b"NO ", b"BAD "].iter().any(|s| {
            buf[sp + 1..].len() >= s.len() && buf[sp + 1..][..s.len()].eq_ignore_ascii_case(s)
        })
        // (Printable ASCII: UTF-8, so borrowed as it is.)
        && ::core::str::from_utf8(&buf[..sp]).is_ok_and(|t| crate::Tag::new(t).is_err())
    {
        return Fix::one(ImapDeviation::InvalidTagEchoed, 0, sp, b"*");
    }
    // untagged-code-without-status: `* [CODE ...] text`, read as `* OK [CODE ...] text`.
    if o == 2 && buf.starts_with(b"* [") {
        return Fix::one(ImapDeviation::UntaggedCodeWithoutStatus, 2, 0, b"OK ");
    }
    // expunged-keyword: `* 5 EXPUNGED`, read as `* 5 EXPUNGE` (RFC 9051 §7.5.1).
    if buf.starts_with(b"* ") {
        let d = if rest.starts_with(b"EXPUNGED\r\n") {
            Some(o + 7)
        } else if rest.starts_with(b"D\r\n") && buf[..o].ends_with(b" EXPUNGE") {
            Some(o)
        } else {
            None
        };
        if let Some(d) = d {
            return Fix::one(ImapDeviation::ExpungedKeyword, d, 1, b"");
        }
    }
    // unparenthesized-fetch: `* 2 FETCH FLAGS (\Seen)`, read as `* 2 FETCH (FLAGS (\Seen))`.
    if at != Some(b'(') && buf[..o].ends_with(b" FETCH ") && buf.starts_with(b"* ") {
        let end = buf.len().checked_sub(2)?;
        if end > o && buf.ends_with(b"\r\n") {
            return Some(Fix {
                id: ImapDeviation::UnparenthesizedFetch,
                report: o,
                edits: vec![(o, 0, b"(".to_vec()), (end, 0, b")".to_vec())],
                kept: None,
            });
        }
    }
    // missing-sp-in-message-body: `(<envelope>)(<body>)` in a message/rfc822 part.
    if at == Some(b'(') && prev == Some(b')') && e.expected == "SP" {
        return Fix::one(ImapDeviation::MissingSpInMessageBody, o, 0, b" ");
    }
    // unescaped-quote: a `"` inside a quoted string that did not end it (`"a"b"`): the
    // string went on; read the quote as `\"`.
    if prev == Some(b'"') && at.is_some_and(|b| !is_delimiter(b) && b != b'(') && o >= 2 {
        // Only when a closing quote follows before the line ends.
        if rest.iter().take_while(|&&b| b != b'\r').any(|&b| b == b'"') {
            return Fix::one(ImapDeviation::UnescapedQuote, o - 1, 0, b"\\");
        }
    }
    // eight-bit-in-quoted: octets that are not UTF-8 in a quoted string; read as Latin-1.
    if at.is_some_and(|b| b >= 0x80) && e.context == "quoted" {
        let end = rest
            .iter()
            .position(|&b| b == b'"')
            .map_or(buf.len(), |k| o + k);
        let mut fixed = String::new();
        for chunk in buf[o..end].utf8_chunks() {
            fixed.push_str(chunk.valid());
            fixed.extend(chunk.invalid().iter().map(|&b| char::from(b)));
        }
        return Fix::one(
            ImapDeviation::EightBitInQuoted,
            o,
            end - o,
            fixed.as_bytes(),
        );
    }
    // unknown-fetch-item: `name SP value` where a FETCH item is expected; left out, kept.
    if e.expected == "msg-att" && at.is_some_and(|b| b.is_ascii_alphabetic()) {
        let name_len = rest
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
            .count();
        let after = rest.get(name_len..)?;
        if name_len > 0 && after.first() == Some(&b' ') {
            let (value, used) = generic::value(&after[1..], crate::ext::MAX_DEPTH).ok()?;
            let item_end = o + name_len + 1 + used;
            // Nothing left in the list: no typed FETCH can hold it (`unknown-response`).
            let (from, to) = item_span(buf, o, item_end)?;
            let name = String::from_utf8_lossy(&rest[..name_len]).into_owned();
            return Some(Fix {
                id: ImapDeviation::UnknownFetchItem,
                report: o,
                edits: vec![(from, to - from, Vec::new())],
                kept: Some((name, value.into_static())),
            });
        }
    }
    // backslash-star-in-flags: `\*` in a FLAGS list; left out with one SP.
    if e.expected == "flag" && rest.starts_with(b"\\*") {
        let (from, to) = if prev == Some(b' ') {
            (o - 1, o + 2)
        } else if rest.get(2) == Some(&b' ') {
            (o, o + 3)
        } else {
            (o, o + 2)
        };
        return Some(Fix {
            id: ImapDeviation::BackslashStarInFlags,
            report: o,
            edits: vec![(from, to - from, Vec::new())],
            kept: None,
        });
    }
    // utf8-unquoted-mailbox / control-chars-in-mailbox: an unquoted mailbox name running to
    // the line end; read as the quoted name.
    if (buf.starts_with(b"* LIST ") || buf.starts_with(b"* LSUB ")) && buf.ends_with(b"\r\n") {
        let end = buf.len() - 2;
        let quote_from = |from: usize, id: ImapDeviation, report: usize| -> Option<Fix> {
            let name = &buf[from..end];
            if name.is_empty() || name.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
                return None;
            }
            let mut quoted = Vec::with_capacity(name.len() + 2);
            quoted.push(b'"');
            for &b in name {
                if matches!(b, b'"' | b'\\') {
                    quoted.push(b'\\');
                }
                quoted.push(b);
            }
            quoted.push(b'"');
            Some(Fix {
                id,
                report,
                edits: vec![(from, end - from, quoted)],
                kept: None,
            })
        };
        if e.expected == "mailbox" && at.is_some_and(|b| b >= 0x80) {
            return quote_from(o, ImapDeviation::Utf8UnquotedMailbox, o);
        }
        if e.expected == "CRLF" && at.is_some_and(|b| b < 0x20 && b != b'\r' && b != b'\n') {
            let from = buf[..o].iter().rposition(|&b| b == b' ')? + 1;
            if buf[from] != b'"' {
                return quote_from(from, ImapDeviation::ControlCharsInMailbox, o);
            }
        }
    }
    // nil-in-address-list: `NIL` where an address is expected; left out with one SP.
    if e.expected == "address" && rest.starts_with(b"NIL") {
        let (from, to) = match (prev, rest.get(3)) {
            (_, Some(b' ')) => (o, o + 4),
            (Some(b' '), _) => (o - 1, o + 3),
            _ => return None,
        };
        return Some(Fix {
            id: ImapDeviation::NilInAddressList,
            report: o,
            edits: vec![(from, to - from, Vec::new())],
            kept: None,
        });
    }
    // short-envelope: `)` where the envelope has more fields; the missing ones read as NIL.
    if e.context == "envelope" && e.expected == "SP" && at == Some(b')') {
        let fields = nil_position(buf, o);
        if fields < 9 {
            let pad = b" NIL".repeat(9 - fields);
            return Fix::one(ImapDeviation::ShortEnvelope, o, 0, &pad);
        }
    }
    // extra-parens-envelope: a FETCH item in parentheses; read without them.
    if e.expected == "msg-att" && at == Some(b'(') {
        let close = matching_paren(buf, o)?;
        return Some(Fix {
            id: ImapDeviation::ExtraParensEnvelope,
            report: o,
            edits: vec![(o, 1, Vec::new()), (close, 1, Vec::new())],
            kept: None,
        });
    }
    // empty-parameter-list: `()` as body-fld-param; read as NIL.
    if e.expected == "body-fld-param" {
        if rest.starts_with(b"()") {
            return Fix::one(ImapDeviation::EmptyParameterList, o, 2, b"NIL");
        }
        if at == Some(b')') && prev == Some(b'(') {
            return Fix::one(ImapDeviation::EmptyParameterList, o - 1, 2, b"NIL");
        }
    }
    // disposition-junk: a bare string as body-fld-dsp; read as `(string NIL)`.
    if e.expected == "body-fld-dsp" && at == Some(b'"') {
        let close = rest[1..].iter().position(|&b| b == b'"' || b == b'\\')? + 1;
        if rest[close] != b'"' {
            return None;
        }
        let mut with = b"(".to_vec();
        with.extend_from_slice(&rest[..=close]);
        with.extend_from_slice(b" NIL)");
        return Fix::one(ImapDeviation::DispositionJunk, o, close + 1, &with);
    }
    // disposition-junk, its `(NIL NIL)` form: a disposition with no type and no parameters;
    // read as NIL (no disposition). Not in the parameter slot (a basic or multipart body's
    // third field, whose `(NIL NIL)` the catalogue does not list).
    if e.expected == "string"
        && e.context == "body"
        && prev == Some(b'(')
        && rest.starts_with(b"NIL NIL)")
        && nil_position(buf, o - 1) != 2
    {
        return Fix::one(ImapDeviation::DispositionJunk, o - 1, 9, b"NIL");
    }
    // nil-parameter-value: NIL as a parameter value, `("boundary" NIL)`; read as `""`.
    if e.expected == "string"
        && e.context == "body"
        && rest.starts_with(b"NIL")
        && prev == Some(b' ')
        && buf[..o - 1].ends_with(b"\"")
    {
        return Fix::one(ImapDeviation::NilParameterValue, o, 3, b"\"\"");
    }
    // NIL where a body field needs a string or a number.
    if rest.starts_with(b"NIL") && rest.get(3).is_some_and(|&b| is_delimiter(b)) {
        let id = match e.expected {
            "body" | "media-basic" | "media-type" if nil_position(buf, o) == 0 => {
                ImapDeviation::NilMediaType
            }
            "media-subtype" => ImapDeviation::NilSubtype,
            "body-fld-enc" => ImapDeviation::NilEncoding,
            "body-fld-lines" | "body-fld-octets" | "number" | "number64" => ImapDeviation::NilLines,
            _ => return None,
        };
        // A NIL type usually comes with a NIL subtype: one deviation, `"" ""`.
        if id == ImapDeviation::NilMediaType && rest.starts_with(b"NIL NIL ") {
            return Fix::one(id, o, 7, b"\"\" \"\"");
        }
        let with: &[u8] = if id == ImapDeviation::NilLines {
            b"0"
        } else {
            b"\"\""
        };
        return Fix::one(id, o, 3, with);
    }
    // negative-number: `-1` where a number is expected.
    if at == Some(b'-') && rest.get(1).is_some_and(u8::is_ascii_digit) {
        let len = 1 + rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        return Fix::one(ImapDeviation::NegativeNumber, o, len, b"0");
    }
    // float-number: `9.3736e+06` where a number is expected: the digits before the error
    // started it.
    if matches!(at, Some(b'.' | b'e' | b'E')) && is_float_with_exponent(rest) {
        let start = buf[..o]
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |p| p + 1);
        if start < o {
            let end = o + rest
                .iter()
                .take_while(|&&b| {
                    b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')
                })
                .count();
            let value = ::core::str::from_utf8(&buf[start..end])
                .ok()?
                .parse::<f64>()
                .ok()?;
            if (0.0..4_294_967_296.0).contains(&value) {
                // `f64::round` (half away from zero) without std: the fraction is exact.
                let whole = value as u64;
                let n = format!("{}", whole + u64::from(value - whole as f64 >= 0.5));
                return Fix::one(ImapDeviation::FloatNumber, start, end - start, n.as_bytes());
            }
        }
    }
    None
}

/// Whether `o` is right after the data of a literal (`{n}` CRLF and `n` octets end at `o`).
fn ends_literal(buf: &[u8], o: usize) -> bool {
    // The announcement is the last `}` CRLF before `o` whose data reaches `o` exactly.
    let mut end = o;
    // A few candidates at most: literal data may hold `}` CRLF itself (bounded work).
    for _ in 0..8 {
        let Some(k) = memchr::memmem::rfind(&buf[..end], b"}\r\n") else {
            break;
        };
        let digits = buf[..k]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let data = k + 3;
        if digits > 0
            && buf[..k - digits].ends_with(b"{")
            && ::core::str::from_utf8(&buf[k - digits..k])
                .ok()
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| data.checked_add(n) == Some(o))
        {
            return true;
        }
        end = k;
    }
    false
}

/// The span to cut to remove the FETCH item at `start..end` with one SP: the one after it,
/// or else the one before it; `None` when it is the list's only item.
fn item_span(buf: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    match buf.get(end) {
        Some(b' ') => Some((start, end + 1)),
        Some(b')') if buf.get(start.checked_sub(1)?) == Some(&b' ') => {
            if buf[..start - 1].ends_with(b"(") {
                None
            } else {
                Some((start - 1, end))
            }
        }
        _ => None,
    }
}

/// The offset of the `)` that closes the `(` at `open`, stepping over quoted strings and
/// literals; `None` when the line ends first.
/// `childless-multipart`: a quoted string (`"` to `"`, both included) with no escape and no
/// inner quote, as the subtypes of the recorded forms are.
fn simple_quoted(s: &[u8]) -> bool {
    s.len() >= 2
        && s[0] == b'"'
        && s[s.len() - 1] == b'"'
        && !s[1..s.len() - 1]
            .iter()
            .any(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n'))
}

/// `childless-multipart`: the edit that completes a MULTIPART part with no content whose
/// subtype ends at `sub_end` (before `)`, or before SP and the parameters): the basic part's
/// id, description, encoding and size, and a `NIL` MD5 when extension data follows the
/// parameters (RFC 9051 §9 `body-fields`, `body-ext-1part`).
fn childless_fields(buf: &[u8], sub_end: usize) -> Option<(usize, usize, Vec<u8>)> {
    match buf.get(sub_end)? {
        b')' => Some((sub_end, 0, b" NIL NIL NIL \"7BIT\" 0".to_vec())),
        b' ' => {
            // The parameters (`body-ext-mpart`: `body-fld-param`, a list or NIL), then the
            // rest of the extension data.
            let params = sub_end + 1;
            let params_end = match buf.get(params)? {
                b'(' => matching_paren(buf, params)? + 1,
                _ if buf.len() >= params + 3
                    && buf[params..params + 3].eq_ignore_ascii_case(b"NIL") =>
                {
                    params + 3
                }
                _ => return None,
            };
            let fields: &[u8] = match buf.get(params_end)? {
                b' ' => b" NIL NIL \"7BIT\" 0 NIL",
                b')' => b" NIL NIL \"7BIT\" 0",
                _ => return None,
            };
            Some((params_end, 0, fields.to_vec()))
        }
        _ => None,
    }
}

fn matching_paren(buf: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < buf.len() {
        match buf[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'"' => {
                i += 1;
                while i < buf.len() && buf[i] != b'"' {
                    if buf[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => {
                let digits = buf[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let n: usize = ::core::str::from_utf8(&buf[i + 1..i + 1 + digits])
                    .ok()?
                    .parse()
                    .ok()?;
                if buf.get(i + 1 + digits..i + 4 + digits) == Some(b"}\r\n") {
                    i = i.checked_add(3 + digits)?.checked_add(n)?;
                }
            }
            b'\r' | b'\n' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether `rest` (from the `.` or `e` after the integer digits) is `[. 1*DIGIT] e [+/-] 1*DIGIT`:
/// only the exponent form reads as a float (`<0.5>` stays an error).
fn is_float_with_exponent(rest: &[u8]) -> bool {
    let mut i = 0;
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        i = 1 + digits;
    }
    if !matches!(rest.get(i), Some(b'e' | b'E')) {
        return false;
    }
    i += 1;
    if matches!(rest.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    rest.get(i).is_some_and(u8::is_ascii_digit)
}

/// Which field of a one-part body `o` is in (0: media type, 1: subtype, ..., 5: encoding),
/// counted in fields since the last `(`; `usize::MAX` when not inside one.
fn nil_position(buf: &[u8], o: usize) -> usize {
    // The enclosing `(`: walk back over balanced lists.
    let mut depth = 0usize;
    let mut open = None;
    for (k, &b) in buf[..o].iter().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' if depth == 0 => {
                open = Some(k);
                break;
            }
            b'(' => depth -= 1,
            _ => {}
        }
    }
    let Some(open) = open else {
        return usize::MAX;
    };
    let mut depth = 0usize;
    let mut fields = 0usize;
    let mut in_quote = false;
    let mut i = open + 1;
    while i < o {
        match buf[i] {
            b'\\' if in_quote => i += 1,
            b'"' => in_quote = !in_quote,
            b'(' if !in_quote => depth += 1,
            b')' if !in_quote => depth = depth.saturating_sub(1),
            b' ' if !in_quote && depth == 0 => fields += 1,
            _ => {}
        }
        i += 1;
    }
    fields
}
