//! The driver of the round-trip properties: values come from the `Arbitrary` impls (the one
//! generator of valid values, `src/arbitrary.rs`), fed with pseudo-random bytes from a seeded
//! generator, so a failure names the seed and the case that reproduce it.
//!
//! - `MAILPROTO_PROPTEST_CASES`: values per property (default 10,000);
//! - `MAILPROTO_PROPTEST_SEED`: the first seed (default fixed, so runs are reproducible).

#![allow(dead_code)]

use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};

/// Values per property: `MAILPROTO_PROPTEST_CASES`, or 10,000.
pub fn cases() -> usize {
    env_number("MAILPROTO_PROPTEST_CASES").map_or(10_000, |n| n as usize)
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v:?} is not a number"),
    }
}

/// xorshift64*: deterministic bytes for `Unstructured`.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn fill(&mut self, out: &mut Vec<u8>) {
        out.clear();
        // Sizes vary so that short inputs (generators running out of data: small values)
        // and long ones (deep bodies, long lists) both occur.
        let len = 8 + (self.next() % 1024) as usize;
        while out.len() < len {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(len);
    }
}

/// Runs `check` on `n` values of `T` built by `T::arbitrary`; panics with the seed, the case
/// number and the value when `check` fails, or when the generator builds too few values.
pub fn for_values_n<T>(name: &str, n: usize, mut check: impl FnMut(&T) -> Result<(), String>)
where
    T: for<'a> Arbitrary<'a> + Debug,
{
    let seed = env_number("MAILPROTO_PROPTEST_SEED").unwrap_or(0x9e37_79b9_7f4a_7c15);
    // Seed 0 would stay 0 forever.
    let mut bytes = Bytes(seed | 1);
    let mut buf = Vec::new();
    let mut made = 0;
    let mut attempts = 0;
    while made < n {
        attempts += 1;
        assert!(
            attempts <= 20 * n + 1000,
            "{name}: only {made} of {n} values built in {attempts} attempts"
        );
        bytes.fill(&mut buf);
        let mut u = Unstructured::new(&buf);
        let Ok(value) = T::arbitrary(&mut u) else {
            continue;
        };
        made += 1;
        if let Err(msg) = check(&value) {
            panic!(
                "{name}: case {made} (MAILPROTO_PROPTEST_SEED={seed}) fails: {msg}\nvalue: {value:?}"
            );
        }
    }
}

/// [`for_values_n`] with [`cases`] values.
pub fn for_values<T>(name: &str, check: impl FnMut(&T) -> Result<(), String>)
where
    T: for<'a> Arbitrary<'a> + Debug,
{
    for_values_n(name, cases(), check)
}

/// Fails with both sides and the wire form unless `a == b`.
pub fn same<T: PartialEq + Debug>(a: &T, b: &T, wire: &[u8]) -> Result<(), String> {
    if a == b {
        Ok(())
    } else {
        Err(format!(
            "{a:?}\n  != {b:?}\n  wire: {:?}",
            String::from_utf8_lossy(wire)
        ))
    }
}

/// Whether a strict parse error of `wire` is where a form of an extension starts: a Gmail
/// `X-GM-` item or key (X-GM-EXT-1) or an 8-bit octet in a quoted string (UTF8=ACCEPT,
/// RFC 6855 §3).
#[allow(dead_code)]
pub fn needs_an_extension(wire: &[u8], e: &mailproto_imap_codec::ParseError) -> bool {
    let at = &wire[e.offset.min(wire.len())..];
    at.get(..5)
        .is_some_and(|n| n.eq_ignore_ascii_case(b"X-GM-"))
        || (e.expected == "QUOTED-CHAR" && at.first().is_some_and(|&b| b >= 0x80))
}
