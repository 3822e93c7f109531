//! Grammar building blocks shared by every module: character classes (RFC 9051 §9,
//! RFC 3501 §9), `SP`, `CRLF`, keywords, numbers and the named-rule combinator.
//!
//! Parsers in this crate work on one complete, framed message (see [`crate::framer`]): they
//! never return `Incomplete`; a message that ends early is a syntax error at its end.

use crate::prelude::*;

use crate::context::{Ctx, ImapDeviation, ParseOptions, Parsed, Side};
use crate::error::{ErrorKind, PErr, PResult, ParseError, fail, fail_kind};

/// Byte-class bits, one table lookup per byte.
const ATOM: u8 = 1; // ATOM-CHAR
const ASTRING: u8 = 2; // ASTRING-CHAR = ATOM-CHAR / resp-specials
const TAG: u8 = 4; // any ASTRING-CHAR except "+"
const LIST: u8 = 8; // list-char = ATOM-CHAR / list-wildcards / resp-specials
const TEXT: u8 = 16; // TEXT-CHAR: CHAR except CR and LF (7-bit)
const QUOTED: u8 = 32; // TEXT-CHAR except quoted-specials

const fn build_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 1usize; // CHAR = %x01-7F
    while b < 0x80 {
        let c = b as u8;
        let ctl = c < 0x20 || c == 0x7f;
        let list_wildcard = c == b'%' || c == b'*';
        let quoted_special = c == b'"' || c == b'\\';
        let resp_special = c == b']';
        let atom_special = c == b'('
            || c == b')'
            || c == b'{'
            || c == b' '
            || ctl
            || list_wildcard
            || quoted_special
            || resp_special;
        let mut v = 0u8;
        if !atom_special {
            v |= ATOM | ASTRING | LIST;
            if c != b'+' {
                v |= TAG;
            }
        }
        if resp_special {
            v |= ASTRING | TAG | LIST;
        }
        if list_wildcard {
            v |= LIST;
        }
        if c != b'\r' && c != b'\n' {
            v |= TEXT;
            if !quoted_special {
                v |= QUOTED;
            }
        }
        t[b] = v;
        b += 1;
    }
    t
}

static CLASSES: [u8; 256] = build_classes();

/// `ATOM-CHAR`: any CHAR except atom-specials.
#[inline]
pub fn is_atom_char(b: u8) -> bool {
    CLASSES[b as usize] & ATOM != 0
}

/// `ASTRING-CHAR`: ATOM-CHAR or `]`.
#[inline]
pub fn is_astring_char(b: u8) -> bool {
    CLASSES[b as usize] & ASTRING != 0
}

/// A byte allowed in a `tag`: ASTRING-CHAR except `+`.
#[inline]
pub fn is_tag_char(b: u8) -> bool {
    CLASSES[b as usize] & TAG != 0
}

/// `list-char`: ATOM-CHAR, `%`, `*` or `]`.
#[inline]
pub fn is_list_char(b: u8) -> bool {
    CLASSES[b as usize] & LIST != 0
}

/// 7-bit `TEXT-CHAR`: any CHAR except CR and LF.
#[inline]
pub fn is_text_char(b: u8) -> bool {
    CLASSES[b as usize] & TEXT != 0
}

/// 7-bit `QUOTED-CHAR` without escape: TEXT-CHAR except `"` and `\`.
#[inline]
pub fn is_quoted_char(b: u8) -> bool {
    CLASSES[b as usize] & QUOTED != 0
}

/// Runs a parser on one complete message and requires it to consume every byte.
#[inline]
pub(crate) fn parse_all<'a, T>(
    input: &'a [u8],
    parser: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    match parser(input) {
        Ok(([], value)) => Ok(value),
        Ok((rest, _)) => Err(trailing_bytes(input, rest)),
        Err(e) => Err(public_error(input, e)),
    }
}

/// The error of [`parse_all`] when a message's parser stopped at `rest`, before its end.
#[cold]
pub(crate) fn trailing_bytes(input: &[u8], rest: &[u8]) -> ParseError {
    PErr::new(rest, "end of message")
        .with_kind(ErrorKind::TrailingBytes)
        .into_public(input)
}

/// The error of [`parse_all`] when a message's parser failed.
#[cold]
pub(crate) fn public_error<'a>(input: &'a [u8], e: nom::Err<PErr<'a>>) -> ParseError {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e.into_public(input),
        nom::Err::Incomplete(_) => {
            ParseError::new(input.len(), "more input", ErrorKind::Incomplete)
        }
    }
}

/// The error of `parse_all(input, |i| message_line(i, name, line))` when `line` failed with
/// `e`, or (`e` is `None`) stopped at `rest` with no CRLF there: for entry points that run the
/// line's parts themselves and build the value only on success.
#[cold]
pub(crate) fn message_error<'a>(
    input: &'a [u8],
    name: &'static str,
    rest: &'a [u8],
    e: Option<nom::Err<PErr<'a>>>,
) -> ParseError {
    let mut res: PResult<'a, ()> = match e {
        Some(e) => Err(e),
        None => crlf(rest),
    };
    name_message(&mut res, input, name);
    public_error(
        input,
        res.err()
            .unwrap_or(nom::Err::Incomplete(nom::Needed::Unknown)),
    )
}

/// Runs `line` (a message's parser without its final CRLF) on one complete message under
/// `options`, then expects CRLF and the end of the message; errors are named as
/// [`message_rule`]`(name, ..)` names them.
///
/// Under the real-world profile, a message that the grammar rejects and that ends in
/// `SP CRLF` is parsed again without that SP; when that succeeds, the value is the one the
/// message has without the SP and the SP is reported as `trailing-space`
/// ([`ImapDeviation::TrailingSpace`]) at its offset. Otherwise the error is the strict one.
/// The second pass happens only on the error path, so well-formed input pays nothing, and
/// it reads the message once more at most (linear).
///
/// This is the hook for the other deviations of the real-world profile that sit at the end
/// of a line; deviations inside a rule are recorded by the rule itself through the [`Ctx`].
pub(crate) fn parse_line_with<'a, T>(
    input: &'a [u8],
    options: &ParseOptions,
    side: Side,
    name: &'static str,
    line: impl Fn(&'a [u8], &Ctx<'_>) -> PResult<'a, T>,
) -> Result<Parsed<T>, ParseError> {
    parse_message_with(
        input,
        options,
        side,
        name,
        |i, cx| parse_all(i, |i| message_line(i, name, |i| line(i, cx))),
        &line,
    )
}

/// [`parse_line_with`] with the first pass given as `message` (the whole message, CRLF
/// included, with the errors `parse_all(input, |i| message_line(i, name, |i| line(i, cx)))`
/// gives): the same path as the strict-only `parse(bytes)` entry point, so that `parse_with`
/// costs what `parse` does.
pub(crate) fn parse_message_with<'a, T>(
    input: &'a [u8],
    options: &ParseOptions,
    side: Side,
    name: &'static str,
    message: impl FnOnce(&'a [u8], &Ctx<'_>) -> Result<T, ParseError>,
    line: impl Fn(&'a [u8], &Ctx<'_>) -> PResult<'a, T>,
) -> Result<Parsed<T>, ParseError> {
    let cx = Ctx::new(options, side, input);
    if !cx.real_world() {
        // Strict: no rule records a deviation (`Ctx::deviate` is for the real-world profile,
        // `Ctx::assume_in_force` answers `false`, raw UTF-8 in `quoted` is refused, not
        // noted), so the value is wrapped with empty lists and nothing else is done.
        return message(input, &cx).map(Parsed::strict);
    }
    let err = match message(input, &cx) {
        Ok(v) => return Ok(cx.finish(v)),
        Err(e) => e,
    };
    drop(cx);
    parse_after_first_pass(input, options, side, name, err, line)
}

/// The rest of [`parse_message_with`] under the real-world profile once its first pass (the
/// whole message) failed with `err`: the message again without a trailing SP before its CRLF
/// (`trailing-space`), else `err`.
#[cold]
#[inline(never)]
pub(crate) fn parse_after_first_pass<'a, T>(
    input: &'a [u8],
    options: &ParseOptions,
    side: Side,
    name: &'static str,
    err: ParseError,
    line: impl Fn(&'a [u8], &Ctx<'_>) -> PResult<'a, T>,
) -> Result<Parsed<T>, ParseError> {
    let Some(body) = input.strip_suffix(b" \r\n") else {
        return Err(err);
    };
    // A fresh context: the failed pass may have recorded deviations of its own.
    let cx = Ctx::new(options, side, input);
    match parse_all(body, message_rule(name, |i| line(i, &cx))) {
        Ok(v) => {
            cx.deviate(ImapDeviation::TrailingSpace, &input[body.len()..]);
            Ok(cx.finish(v))
        }
        Err(_) => Err(err),
    }
}

/// Names the rule being parsed. An error inside `f` gets `name` as its context when it has
/// none yet and the offending byte is past the rule's first byte (a failure at the first byte
/// means the rule was not there at all, which the enclosing rule describes better); `name`
/// also becomes the error's outermost rule.
#[inline]
pub(crate) fn rule<'a, T>(
    name: &'static str,
    mut f: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> impl FnMut(&'a [u8]) -> PResult<'a, T> {
    move |i| {
        let mut res = f(i);
        if let Err(e) = &mut res {
            name_rule(e, name, i);
        }
        res
    }
}

/// Names a whole message's rule (`command`): like [`rule`], but it never becomes the error's
/// outermost rule, which stays the command or response inside it (e.g. `login`).
#[inline]
pub(crate) fn message_rule<'a, T>(
    name: &'static str,
    mut f: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> impl FnMut(&'a [u8]) -> PResult<'a, T> {
    move |i| {
        f(i).map_err(|e| {
            e.map(|mut e: PErr<'a>| {
                if e.context.is_empty() && e.input.len() < i.len() {
                    e.context = name;
                }
                e
            })
        })
    }
}

/// One whole message (`command`): `line` (the message without its final CRLF), then CRLF;
/// errors are named as [`message_rule`]`(name, ..)` names them. The CRLF and the error name
/// are applied to `line`'s result in place, so the parsed value (a `Command` is large) is not
/// moved once more on the way out.
#[inline]
pub(crate) fn message_line<'a, T>(
    i: &'a [u8],
    name: &'static str,
    line: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, T> {
    let mut res = line(i);
    let crlf_error = match &mut res {
        Ok((rest, _)) => match crlf(rest) {
            Ok((r, ())) => {
                *rest = r;
                None
            }
            Err(e) => Some(e),
        },
        Err(_) => None,
    };
    if let Some(e) = crlf_error {
        res = Err(e);
    }
    name_message(&mut res, i, name);
    res
}

/// Names a failed message's rule in place, as [`message_rule`] does.
#[inline]
fn name_message<'a, T>(res: &mut PResult<'a, T>, i: &'a [u8], name: &'static str) {
    if let Err(nom::Err::Error(e) | nom::Err::Failure(e)) = res
        && e.context.is_empty()
        && e.input.len() < i.len()
    {
        e.context = name;
    }
}

/// Names the rule of a parser's error in place: naming the error of `f(i)` so is
/// `rule(name, f)(i)`, without moving the value through a closure's result.
#[inline]
pub(crate) fn name_rule<'a>(res: &mut nom::Err<PErr<'a>>, name: &'static str, i: &'a [u8]) {
    if let nom::Err::Error(e) | nom::Err::Failure(e) = res {
        if e.context.is_empty() && e.input.len() < i.len() {
            e.context = name;
        }
        e.outer = name;
    }
}

/// Expects one byte `c`, reported as `name` when missing.
#[inline]
pub(crate) fn byte<'a>(i: &'a [u8], c: u8, name: &'static str) -> PResult<'a, ()> {
    match i.first() {
        Some(&b) if b == c => Ok((&i[1..], ())),
        _ => fail(i, name),
    }
}

/// `SP`
#[inline]
pub(crate) fn sp(i: &[u8]) -> PResult<'_, ()> {
    byte(i, b' ', "SP")
}

/// `CRLF`
#[inline]
pub(crate) fn crlf(i: &[u8]) -> PResult<'_, ()> {
    if i.starts_with(b"\r\n") {
        Ok((&i[2..], ()))
    } else {
        fail(i, "CRLF")
    }
}

/// `"("`
#[inline]
pub(crate) fn lparen(i: &[u8]) -> PResult<'_, ()> {
    byte(i, b'(', "\"(\"")
}

/// `")"`
#[inline]
pub(crate) fn rparen(i: &[u8]) -> PResult<'_, ()> {
    byte(i, b')', "\")\"")
}

/// True when `i` starts with `kw`, compared ASCII case-insensitively.
#[inline]
pub(crate) fn starts_with_ci(i: &[u8], kw: &[u8]) -> bool {
    i.len() >= kw.len() && i[..kw.len()].eq_ignore_ascii_case(kw)
}

/// Expects the keyword `kw` (case-insensitive, RFC 9051 §9 note 1), reported as `kw`.
#[inline]
pub(crate) fn keyword<'a>(i: &'a [u8], kw: &'static str) -> PResult<'a, ()> {
    if starts_with_ci(i, kw.as_bytes()) {
        Ok((&i[kw.len()..], ()))
    } else {
        fail(i, kw)
    }
}

/// Takes the longest run of bytes satisfying `pred` (possibly empty).
#[inline]
pub(crate) fn take_while(i: &[u8], pred: impl Fn(u8) -> bool) -> (&[u8], &[u8]) {
    let n = i.iter().position(|&b| !pred(b)).unwrap_or(i.len());
    (&i[n..], &i[..n])
}

/// Takes a non-empty run of bytes satisfying `pred`, reporting `name` when empty.
#[inline]
pub(crate) fn take_while1<'a>(
    i: &'a [u8],
    pred: impl Fn(u8) -> bool,
    name: &'static str,
) -> PResult<'a, &'a [u8]> {
    let (rest, run) = take_while(i, pred);
    if run.is_empty() {
        fail(i, name)
    } else {
        Ok((rest, run))
    }
}

/// The length of the longest of `names` (for the name buffers of the table dispatchers).
pub(crate) const fn max_len(names: &[&str]) -> usize {
    let mut max = 0;
    let mut k = 0;
    while k < names.len() {
        if names[k].len() > max {
            max = names[k].len();
        }
        k += 1;
    }
    max
}

/// Converts bytes already checked to be ASCII into a `&str`.
#[inline]
pub(crate) fn ascii_str(b: &[u8]) -> &str {
    // Callers only pass byte runs taken by ASCII-only classes; the fallback cannot happen.
    crate::ascii::ascii_text(b)
}

/// `1*DIGIT` as a u64 with at most `max`, reported as `name`.
#[inline]
fn digits<'a>(i: &'a [u8], max: u64, name: &'static str) -> PResult<'a, u64> {
    let (rest, run) = take_while(i, |b| b.is_ascii_digit());
    if run.is_empty() {
        return fail(i, name);
    }
    if run.len() > 19 {
        return fail_kind(i, name, ErrorKind::NumberTooLarge);
    }
    let mut v: u64 = 0;
    for &d in run {
        v = v * 10 + u64::from(d - b'0');
    }
    if v > max {
        return fail_kind(i, name, ErrorKind::NumberTooLarge);
    }
    Ok((rest, v))
}

/// `number = 1*DIGIT` (unsigned 32-bit integer, RFC 9051 §4.2).
#[inline]
pub(crate) fn number(i: &[u8]) -> PResult<'_, u32> {
    digits(i, u64::from(u32::MAX), "number").map(|(r, v)| (r, v as u32))
}

/// `nz-number = digit-nz *DIGIT` (non-zero unsigned 32-bit integer).
#[inline]
pub(crate) fn nz_number(i: &[u8]) -> PResult<'_, ::core::num::NonZeroU32> {
    if i.first() == Some(&b'0') {
        return fail_kind(i, "nz-number", ErrorKind::InvalidValue);
    }
    let (rest, v) = digits(i, u64::from(u32::MAX), "nz-number")?;
    match ::core::num::NonZeroU32::new(v as u32) {
        Some(v) => Ok((rest, v)),
        None => fail_kind(i, "nz-number", ErrorKind::InvalidValue),
    }
}

/// `number64 = 1*DIGIT` (unsigned 63-bit integer, RFC 9051 §4.2).
#[inline]
pub(crate) fn number64(i: &[u8]) -> PResult<'_, u64> {
    digits(i, i64::MAX as u64, "number64")
}

/// Parses `"(" item *(SP item) ")"`, or with `allow_empty` also `"()"`.
pub(crate) fn paren_list<'a, T>(
    i: &'a [u8],
    allow_empty: bool,
    mut item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut i, ()) = lparen(i)?;
    let mut out = Vec::new();
    if allow_empty && i.first() == Some(&b')') {
        return Ok((&i[1..], out));
    }
    loop {
        let (rest, v) = item(i)?;
        out.push(v);
        match rest.first() {
            Some(b' ') => i = &rest[1..],
            Some(b')') => return Ok((&rest[1..], out)),
            _ => return fail(rest, "\")\""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_abnf() {
        for b in [
            b'(', b')', b'{', b' ', b'%', b'*', b'"', b'\\', b']', 0x7f, 0, 0x80,
        ] {
            assert!(!is_atom_char(b), "{b:#x} is an atom-special");
        }
        assert!(is_astring_char(b']') && !is_atom_char(b']'));
        assert!(is_atom_char(b'+') && !is_tag_char(b'+'));
        assert!(is_list_char(b'%') && is_list_char(b'*'));
        assert!(!is_text_char(b'\r') && !is_text_char(b'\n') && !is_text_char(0));
        assert!(is_text_char(b'"') && !is_quoted_char(b'"'));
    }

    #[test]
    fn numbers_respect_their_ranges() {
        assert_eq!(number(b"4294967295 ").unwrap().1, u32::MAX);
        let e = number(b"4294967296").unwrap_err();
        assert!(matches!(
            e,
            nom::Err::Error(PErr {
                kind: ErrorKind::NumberTooLarge,
                ..
            })
        ));
        assert!(nz_number(b"0").is_err());
        assert!(nz_number(b"01").is_err());
        assert_eq!(number(b"007").unwrap().1, 7);
        assert_eq!(number64(b"9223372036854775807").unwrap().1, i64::MAX as u64);
        assert!(number64(b"9223372036854775808").is_err());
        assert!(number64(b"99999999999999999999").is_err());
    }
}
