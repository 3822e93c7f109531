//! What reading and replaying a trace costs in memory relative to the trace's size, counted by
//! a heap profiler (dhat, testing mode), not timed (issue 18 items 1, 2, 11: `mailconform
//! validate` on a 35 MB trace took 900 MB, 26 x; on 4.6 MB of `{0+}` literals, 37 s). The
//! figures are in docs/security.md. The profiler is process-wide: the tests take a lock.

use std::sync::Mutex;

use mailtrace::format;
use mailtrace::imap;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

static LOCK: Mutex<()> = Mutex::new(());

fn measure<R>(f: impl FnOnce() -> R) -> (R, dhat::HeapStats) {
    let _profiler = dhat::Profiler::builder().testing().build();
    let r = f();
    (r, dhat::HeapStats::get())
}

/// A trace whose client APPENDs a message of `lines` lines of 76 octets (a 4 MiB literal
/// for 55,000 lines), the server accepting it.
fn big_append(lines: usize) -> String {
    let line = "x".repeat(74);
    let size = lines * 76;
    let mut t = String::from("# source: generated\n# start: authenticated\n");
    t.push_str(&format!("C: a APPEND INBOX {{{size}}}\nS: + go\n"));
    for _ in 0..lines {
        t.push_str("C: ");
        t.push_str(&line);
        t.push('\n');
    }
    t.push_str("C:\nS: a OK done\n");
    t
}

/// `a SEARCH` with `n` `{0+}` literals (issue 18 item 1, as a trace).
fn empty_literals(n: usize) -> String {
    let mut t = String::from("# source: generated\n# start: authenticated\n");
    t.push_str("C~ a SEARCH");
    for _ in 0..n {
        t.push_str(" SUBJECT {0+}\\r\\n");
    }
    t.push_str(" ALL\\r\\n\nS: a OK done\n");
    t
}

/// Peak heap of parsing and replaying `text`, over its size.
fn peak_factor(text: &str) -> f64 {
    let (messages, stats) = measure(|| {
        let trace = format::parse(text).expect("a valid trace");
        imap::replay(&trace).messages.len()
    });
    assert!(messages >= 2);
    stats.max_bytes as f64 / text.len() as f64
}

/// A trace holding a 4 MiB literal: parsing it and replaying both sides peaks at about 10 x
/// the trace's size (measured 10.3 x): the trace's text and lines, the session's framed
/// message and its owned value, the reported bytes, the re-parse and re-encoding that checks
/// the round trip, the copy the other session is given. A regression guard at 12 x; the
/// issue's goal (2 x) needs the replay to reuse the session's value (not done).
#[test]
fn replaying_a_big_literal_costs_a_small_multiple_of_the_trace() {
    let _serial = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let text = big_append(55_000);
    let factor = peak_factor(&text);
    eprintln!(
        "4 MiB literal trace ({} octets): peak {factor:.2} x",
        text.len()
    );
    assert!(factor < 12.0, "peak {factor:.2} x the trace");
}

/// Many `{0+}` literals in one command: the peak grows linearly with the trace (4 x the
/// literals, the same factor: measured 26.6 x then 25.7 x). The factor is the parsed SEARCH
/// value (one key per 17-octet ` SUBJECT {0+}` CRLF) and the replay's copies of it; a
/// regression guard at 32 x.
#[test]
fn many_empty_literals_cost_linear_memory() {
    let _serial = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let small = peak_factor(&empty_literals(20_000));
    let large = peak_factor(&empty_literals(80_000));
    eprintln!("{{0+}} x 20,000: peak {small:.2} x; x 80,000: peak {large:.2} x");
    assert!(large < small * 1.5 + 1.0, "{small:.2} x then {large:.2} x");
    assert!(large < 32.0, "peak {large:.2} x the trace");
}
