//! What reading and replaying a trace costs in memory, counted by a global allocator that
//! keeps the peak of the bytes allocated (not timed; issue 18 items 1, 2, 11: `mailconform
//! validate` on a 35 MB trace took 900 MB, 26 x, and on 4.6 MB of `{0+}` literals, 37 s). The
//! figures are in docs/security.md. The counter is process-wide: the tests take a lock.
#![allow(unsafe_code)] // `GlobalAlloc` is an unsafe trait

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use mailtrace::format::{self, Profile, Reader};
use mailtrace::{imap, stream};

/// The system allocator, keeping the bytes in use and their peak.
struct Peak;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = IN_USE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's guarantees are passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the block's growth (a large block grows in place or is remapped).
        match new_size.checked_sub(layout.size()) {
            Some(more) => grew(more),
            None => {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Peak = Peak;

static LOCK: Mutex<()> = Mutex::new(());

/// Taken for a whole test: the counter counts every thread's allocations, so no other test
/// may run meanwhile.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The result of `f` and the peak of the bytes it had allocated at once (above what was in
/// use when it started). The caller holds [`serial`].
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let r = f();
    (r, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

/// `C: a APPEND INBOX {size}`, `S: + go`, then a message of `lines` lines of 76 octets (a
/// 4 MiB literal for 55,000 lines), the server accepting it; with `one_line` the literal is a
/// single `C~` line. Returns the trace and the size of the APPEND command.
fn big_append(lines: usize, one_line: bool) -> (String, usize) {
    let line = "x".repeat(74);
    let size = lines * 76;
    let mut t = String::from("# source: generated\n# start: authenticated\n");
    let head = format!("a APPEND INBOX {{{size}}}\r\n");
    t.push_str(&format!("C: a APPEND INBOX {{{size}}}\nS: + go\n"));
    if one_line {
        t.push_str("C~ ");
        for _ in 0..lines {
            t.push_str(&line);
            t.push_str("\\r\\n");
        }
        t.push_str("\\r\\n\n");
    } else {
        for _ in 0..lines {
            t.push_str("C: ");
            t.push_str(&line);
            t.push('\n');
        }
        t.push_str("C:\n");
    }
    t.push_str("S: a OK done\n");
    (t, head.len() + size + 2)
}

/// `C: f FETCH 1 BODY[]`, then the server's answer with a literal of `lines` lines of 76
/// octets, the tagged OK. Returns the trace and the size of the FETCH response.
fn big_fetch(lines: usize) -> (String, usize) {
    let line = "x".repeat(74);
    let size = lines * 76;
    let mut t = String::from("# source: generated\n# start: selected\n");
    let head = format!("* 1 FETCH (BODY[] {{{size}}}\r\n");
    t.push_str(&format!(
        "C: f FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {{{size}}}\n"
    ));
    for _ in 0..lines {
        t.push_str("S: ");
        t.push_str(&line);
        t.push('\n');
    }
    t.push_str("S: )\nS: f OK done\n");
    (t, head.len() + size + 3)
}

/// `a SEARCH` with `n` `{0+}` literals (issue 18 item 1, as a trace). Returns the trace and
/// the size of the SEARCH command.
fn empty_literals(n: usize) -> (String, usize) {
    let mut t = String::from("# source: generated\n# start: authenticated\n");
    t.push_str("C~ a SEARCH");
    for _ in 0..n {
        t.push_str(" SUBJECT {0+}\\r\\n");
    }
    t.push_str(" ALL\\r\\n\nS: a OK done\n");
    (t, "a SEARCH ALL\r\n".len() + n * " SUBJECT {0+}\r\n".len())
}

/// A session of `rounds` FETCH exchanges: a command, an untagged FETCH with a 200-octet
/// literal, the tagged OK (about 330 octets a round: 35 MB for 125,000 rounds).
fn many_messages(rounds: usize) -> String {
    let body = "y".repeat(198);
    let mut t = String::from("# source: generated\n# start: selected\n");
    for i in 1..=rounds {
        t.push_str(&format!(
            "C: f{i} FETCH {i} BODY[TEXT]\nS: * {i} FETCH (BODY[TEXT] {{200}}\nS: {body}\nS: )\nS: f{i} OK done\n"
        ));
    }
    t
}

/// What validate keeps of a streamed trace: the message and failure counts, the deviation
/// ids, and (dropped at once) each message's one-line summary.
#[derive(Debug, Default)]
struct Tally {
    messages: usize,
    failures: usize,
    ids: Vec<&'static str>,
    summary_octets: usize,
}

/// Peak bytes of following `text` as `mailconform validate` does (a reader over the text, one
/// line at a time, a tally of the messages).
fn streamed(text: &str) -> (Tally, usize) {
    streamed_as(text, Profile::Strict)
}

/// [`streamed`] under `profile`.
fn streamed_as(text: &str, profile: Profile) -> (Tally, usize) {
    measure(|| {
        let mut tally = Tally::default();
        let reader = Reader::new(text.as_bytes()).expect("a valid trace");
        stream::follow(reader, profile, |m| {
            tally.messages += 1;
            tally.failures += usize::from(!m.is_ok());
            tally.ids.extend(m.deviations().iter().map(|d| d.id));
            tally.summary_octets += m.summary().len();
        })
        .expect("readable");
        tally
    })
}

/// Peak bytes of parsing `text` whole and replaying it (`format::parse`, `imap::replay`: the
/// whole trace and every message's value held, as validate did before it streamed).
fn whole(text: &str) -> ((usize, usize), usize) {
    measure(|| {
        let trace = format::parse(text).expect("a valid trace");
        let replay = imap::replay(&trace);
        (replay.messages.len(), replay.failures())
    })
}

fn factor(peak: usize, size: usize) -> f64 {
    peak as f64 / size as f64
}

/// One big message (a 4 MiB APPEND literal), written as 55,000 trace lines or as one: the
/// streamed peak is twice the message, whatever the trace around it (issue 18's goal, <= 2 x):
/// the message's bytes as framed and reported, and one more copy at a time: the replay's
/// round-trip encoding, then the client observer session's encoding of the command (given
/// back at once), then the owned value reported. Measured 2.00 x (2.01 x written as one line;
/// 3.6 x / 4.0 x read whole). Before session 7: 4.0 x (5.0 x as one line), when the server
/// session held its framer's buffer, a copy of the bytes, the value and a copy of the value
/// at once, the encoder doubled its buffer for the `)` CRLF after the literal, and the
/// reader held the line being read. A guard at 2.05 x.
#[test]
fn one_big_message_costs_a_small_multiple_of_it() {
    let _serial = serial();
    for one_line in [false, true] {
        let (text, size) = big_append(55_000, one_line);
        let (tally, peak) = streamed(&text);
        assert_eq!((tally.messages, tally.failures), (3, 0), "{tally:?}");
        let (_, before) = whole(&text);
        eprintln!(
            "4 MiB APPEND ({size} octets, trace {} octets, one line: {one_line}): streamed peak \
             {:.2} x the message; read whole: {:.2} x",
            text.len(),
            factor(peak, size),
            factor(before, size),
        );
        assert!(factor(peak, size) < 2.05, "{:.2} x", factor(peak, size));
        assert!(peak < before, "{peak} streamed, {before} whole");
    }
}

/// One big server message (a FETCH response with a 4 MiB literal): measured 2.00 x (3.6 x read
/// whole; 4.0 x before session 7): the bytes reported and one copy at a time (the round-trip
/// encoding, the server observer session's encoding of the response, the value reported).
/// A guard at 2.05 x.
#[test]
fn one_big_response_costs_a_small_multiple_of_it() {
    let _serial = serial();
    let (text, size) = big_fetch(55_000);
    let (tally, peak) = streamed(&text);
    assert_eq!((tally.messages, tally.failures), (3, 0), "{tally:?}");
    let (_, before) = whole(&text);
    eprintln!(
        "4 MiB FETCH response ({size} octets): streamed peak {:.2} x the message; read whole: \
         {:.2} x",
        factor(peak, size),
        factor(before, size),
    );
    assert!(factor(peak, size) < 2.05, "{:.2} x", factor(peak, size));
    assert!(peak < before, "{peak} streamed, {before} whole");
}

/// A trace of many messages (a 35 MB one among them, generated here): the streamed peak does
/// not grow with the number of messages (it is the largest message's, plus the sessions'
/// state): 16 KB for 1,000 rounds and for 125,000.
#[test]
fn many_messages_cost_what_one_costs() {
    let _serial = serial();
    let small = many_messages(1_000);
    let large = many_messages(125_000);
    assert!(large.len() > 35_000_000, "{}", large.len());
    let (t_small, p_small) = streamed(&small);
    let (t_large, p_large) = streamed(&large);
    assert_eq!((t_small.messages, t_small.failures), (3_000, 0));
    assert_eq!((t_large.messages, t_large.failures), (375_000, 0));
    eprintln!(
        "FETCH x 1,000 ({} octets): streamed peak {p_small} octets; x 125,000 ({} octets): \
         streamed peak {p_large} octets ({:.5} x the file)",
        small.len(),
        large.len(),
        factor(p_large, large.len()),
    );
    assert!(
        p_large < p_small * 2 + 64 * 1024,
        "{p_small} for 1,000 rounds, {p_large} for 125,000"
    );
    assert!(p_large < 1024 * 1024, "{p_large}");
}

/// The same 35 MB trace read whole and replayed (`format::parse`, `imap::replay`, as validate
/// did before it streamed): a multiple of the file (measured 7.4 x). Slow in a debug build
/// (about a minute), so run on demand: `cargo test -p mailtrace --test memory -- --ignored`.
#[test]
#[ignore = "slow in debug builds: the figure before streaming, for docs/security.md"]
fn many_messages_read_whole_cost_a_multiple_of_the_file() {
    let _serial = serial();
    let large = many_messages(125_000);
    let ((messages, failures), whole_peak) = whole(&large);
    assert_eq!((messages, failures), (375_000, 0));
    let (_, streamed_peak) = streamed(&large);
    eprintln!(
        "FETCH x 125,000 ({} octets) read whole: peak {whole_peak} octets ({:.2} x the file); \
         streamed: {streamed_peak} octets",
        large.len(),
        factor(whole_peak, large.len()),
    );
    assert!(whole_peak > large.len(), "{whole_peak}");
    assert!(
        streamed_peak * 100 < whole_peak,
        "{streamed_peak} streamed, {whole_peak} whole"
    );
}

/// Many `{0+}` literals in one command: one message as large as the trace. The peak grows
/// linearly with it (measured 4.0 x the literals for 20,000, 2.04 x for 80,000; 4.75 x read
/// whole; 21.3 x before session 6's SEARCH value model, 5.1 x before session 7, 2.75 x before
/// the SEARCH encoder made room for its wire form's length at once): the bytes and one
/// encoding of them at a time (the round trip's, then the observer session's; the SEARCH
/// value borrows its checked wire form). A guard at 2.2 x.
#[test]
fn many_empty_literals_cost_linear_memory() {
    let _serial = serial();
    let (small, small_size) = empty_literals(20_000);
    let (large, large_size) = empty_literals(80_000);
    let (t, p_small) = streamed(&small);
    assert_eq!((t.messages, t.failures), (2, 0));
    let (_, p_large) = streamed(&large);
    let (_, before) = whole(&large);
    let (f_small, f_large) = (factor(p_small, small_size), factor(p_large, large_size));
    eprintln!(
        "{{0+}} x 20,000: streamed peak {f_small:.2} x the message; x 80,000: {f_large:.2} x; \
         read whole: {:.2} x",
        factor(before, large_size)
    );
    assert!(
        f_large < f_small * 1.5 + 1.0,
        "{f_small:.2} x then {f_large:.2} x"
    );
    assert!(f_large < 2.2, "peak {f_large:.2} x the message");
}

/// A POP3 session of `rounds` RETR exchanges (a 200-octet message each, dot-stuffed lines
/// included) after the greeting, read with `profile`.
fn pop3_rounds(rounds: usize) -> String {
    let mut t = String::from("# source: generated\n# protocol: pop3\n# start: authenticated\n");
    for i in 1..=rounds {
        t.push_str(&format!(
            "C: RETR {i}\nS: +OK 200 octets\nS: Subject: {i:08}\nS: ..{}\nS: {}\nS: .\n",
            "y".repeat(96),
            "z".repeat(74)
        ));
    }
    t
}

/// `C: RETR 1`, then a 4 MiB message of `lines` lines of 76 octets. Returns the trace and the
/// size of the answer (status line, body, the final `.` line).
fn pop3_big_retr(lines: usize) -> (String, usize) {
    let line = "x".repeat(74);
    let mut t = String::from("# source: generated\n# protocol: pop3\n# start: authenticated\n");
    t.push_str("C: RETR 1\nS: +OK message follows\n");
    for _ in 0..lines {
        t.push_str("S: ");
        t.push_str(&line);
        t.push('\n');
    }
    t.push_str("S: .\nC: QUIT\nS: +OK bye\n");
    (t, "+OK message follows\r\n".len() + lines * 76 + 3)
}

/// POP3 traces are followed as they are read too (before session 7 they were read whole,
/// up to `--max-file-size`): the peak does not grow with the number of messages (measured
/// the same for 1,000 rounds and 40,000, strict and real-world).
#[test]
fn pop3_many_messages_cost_what_one_costs() {
    let _serial = serial();
    let small = pop3_rounds(1_000);
    let large = pop3_rounds(40_000);
    assert!(large.len() > 9_000_000, "{}", large.len());
    for profile in [Profile::Strict, Profile::RealWorld] {
        let (t_small, p_small) = streamed_as(&small, profile);
        let (t_large, p_large) = streamed_as(&large, profile);
        assert_eq!((t_small.messages, t_small.failures), (2_000, 0));
        assert_eq!((t_large.messages, t_large.failures), (80_000, 0));
        eprintln!(
            "POP3 RETR x 1,000 ({} octets, {profile:?}): streamed peak {p_small} octets; \
             x 40,000 ({} octets): {p_large} octets",
            small.len(),
            large.len(),
        );
        assert!(
            p_large < p_small * 2 + 64 * 1024,
            "{p_small} for 1,000 rounds, {p_large} for 40,000"
        );
        assert!(p_large < 1024 * 1024, "{p_large}");
    }
}

/// One big POP3 message (a 4 MiB RETR answer): the strict replay holds the body the client
/// session hands over in pieces, then reports it (1 x); the real-world replay holds the
/// answer's bytes and one copy at a time (the round-trip encoding, then the unstuffed body
/// reported). Measured 1.19 x strict, 2.02 x real-world (3.0 x before the encoding was
/// given its room at once, and the real-world replay's search for the `.` line was
/// quadratic: this test took 20 minutes). A guard at 2.05 x.
#[test]
fn pop3_one_big_message_costs_a_small_multiple_of_it() {
    let _serial = serial();
    let (text, size) = pop3_big_retr(55_000);
    for profile in [Profile::Strict, Profile::RealWorld] {
        let (tally, peak) = streamed_as(&text, profile);
        assert_eq!((tally.messages, tally.failures), (4, 0), "{tally:?}");
        eprintln!(
            "POP3 4 MiB RETR ({size} octets, {profile:?}): streamed peak {:.2} x the message",
            factor(peak, size),
        );
        assert!(factor(peak, size) < 2.05, "{:.2} x", factor(peak, size));
    }
}
