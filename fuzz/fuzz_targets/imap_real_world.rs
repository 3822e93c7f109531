//! IMAP parsers under the real-world profile: no panic; whatever parses has a value whose
//! encoding parses strictly to the same value (the closest value the grammar allows; the one
//! exception is `snippet-fuzzy`, which is written back in the form it was read, so its encoding
//! parses under the real-world profile with that deviation alone); without deviations the value
//! is the strict one; every deviation's offset is inside the message. Time stays linear (the
//! repairs are bounded per message; libFuzzer's timeout catches the rest). Commands are parsed
//! with every extension in force, strictly and under the real-world profile alike.
#![no_main]

use imap_codec::{
    Command, Deviation, Greeting, ImapDeviation, ParseError, ParseOptions, Parsed, Profile,
    Response,
};
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::imap_all_extensions;

fuzz_target!(|data: &[u8]| {
    let strict = imap_all_extensions();
    let rw = strict.clone().with_profile(Profile::RealWorld);
    if let Ok(p) = Response::parse_with(data, &rw) {
        assert!(p.deviations.iter().all(|d| d.offset <= data.len()));
        let mut out = Vec::new();
        let _ = p.value.encode(&mut out);
        let again = reparse(&out, &strict, &rw, Response::parse_with);
        assert_eq!(again, p.value, "{:?}", String::from_utf8_lossy(&out));
        // (`* OK [UNSEEN 8]` CRLF is valid strictly, as text; the real-world profile reads the
        // code and reports `missing-text`: equal values only when nothing was reported,
        // so the strict parse runs only then.)
        if p.deviations.is_empty()
            && let Ok(s) = Response::parse_with(data, &strict)
        {
            assert_eq!(s.value, p.value);
        }
    }
    if let Ok(p) = Greeting::parse_with(data, &rw) {
        let mut out = Vec::new();
        let _ = p.value.encode(&mut out);
        assert_eq!(
            Greeting::parse_with(&out, &strict)
                .ok()
                .map(|g| g.value)
                .as_ref(),
            Some(&p.value)
        );
    }
    if let Ok(p) = Command::parse_with(data, &rw) {
        assert!(p.deviations.iter().all(|d| d.offset <= data.len()));
        let mut out = Vec::new();
        let enc = p.value.encode(&mut out, &Default::default());
        let again = reparse(enc.bytes(&out), &strict, &rw, Command::parse_with);
        assert_eq!(again, p.value);
    }
});

/// Parses an encoding back strictly; failing that, under the real-world profile with
/// `snippet-fuzzy` as its only deviation (the one value written back in the form it was read).
fn reparse<'a, T>(
    out: &'a [u8],
    strict: &ParseOptions,
    rw: &ParseOptions,
    parse: impl Fn(&'a [u8], &ParseOptions) -> Result<Parsed<T>, ParseError>,
) -> T {
    parse(out, strict).map(|p| p.value).unwrap_or_else(|e| {
        let kept = parse(out, rw)
            .unwrap_or_else(|_| panic!("re-parse failed: {e}\n{:?}", String::from_utf8_lossy(out)));
        assert!(
            only_snippet(&kept.deviations),
            "{:?}",
            String::from_utf8_lossy(out)
        );
        kept.value
    })
}

/// Whether `deviations` are `snippet-fuzzy` only (and at least one).
fn only_snippet(deviations: &[Deviation]) -> bool {
    !deviations.is_empty()
        && deviations
            .iter()
            .all(|d| d.id == ImapDeviation::SnippetFuzzy)
}
