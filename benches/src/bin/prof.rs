//! One workload of the comparison, this project's side only, repeated: a target for profilers.
//!
//! ```text
//! cd benches && cargo build --release --bin prof
//! valgrind --tool=callgrind target/release/prof a-encode 3
//! perf record -g target/release/prof a-parse 50
//! ```
//!
//! Workloads: `a-parse`, `a-parse-decode` (a-parse, every FETCH item decoded too), `a-parse-with`
//! and `a-parse-rw` (a-parse through `parse_with`, strict or real-world), `a-streamed` (in 16 KiB
//! reads), `imap-proto-a-parse` and `imap-codec-c-parse` (the peers on the same inputs), `b-parse` (compare's b: 2,000 FETCH BODY[] responses of 50 KiB),
//! `a-encode`, `a-encode-hot` (1,000 responses, in cache), `c-parse`, `c-fetch`, `c-select`, `c-store`, `c-search`, `c-login` (one kind of c's
//! commands, 20,000 of them), `c-streamed` (in 16 KiB reads),
//! `c-encode`, `literal-one`, `literal-chunks` (10 MiB
//! in one piece or in 1 KiB pieces), `literal-both` (both, alternately, with the distribution
//! of the run times: they vary more in pieces), `pop3-retr`, `pop3-list`, `pop3-list-decode` (every
//! listing decoded too, as a consumer does), `pop3-uidl` (and
//! `rfc1939-retr`, `rfc1939-list`, `rfc1939-uidl`: the crates.io peer on the same inputs).

use imap_codec::framer::{FramedBuffer, FramerConfig};
use mailproto_benches::counting::{ALLOC_BYTES, ALLOCS, Counting};
use std::sync::atomic::Ordering;

#[global_allocator]
static GLOBAL: Counting = Counting;
use mailproto_benches::work;
use mailproto_benches::{body_responses, commands, fetch_responses, literal_response};

/// The parse options of the `*-parse-with` (strict) and `*-parse-rw` (real-world) workloads.
fn options(real_world: bool) -> imap_codec::ParseOptions {
    let profile = if real_world {
        imap_codec::Profile::RealWorld
    } else {
        imap_codec::Profile::Strict
    };
    imap_codec::ParseOptions::default().with_profile(profile)
}

/// Workload c's commands of one kind (`kind` = the generator's `i % 5`), 20,000 of them.
fn commands_of_kind(kind: usize) -> Vec<u8> {
    let all = commands(100_000);
    let mut out = Vec::new();
    for (i, line) in all.split_inclusive(|&b| b == b'\n').enumerate() {
        if i % 5 == kind {
            out.extend_from_slice(line);
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("a-parse");
    let times: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10);
    let mut out = Vec::new();
    let mut n = 0;
    match which {
        "a-parse" => {
            let a = fetch_responses(20_000);
            (0..times).for_each(|_| n += work::ours_responses(&a));
        }
        "a-parse-decode" => {
            // a-parse, and every FETCH item decoded into its value (on access).
            let a = fetch_responses(20_000);
            (0..times).for_each(|_| n += work::ours_responses_decoded(&a));
        }
        "a-parse-with" | "a-parse-rw" => {
            // compare's "a parse, real-world" (issue 14's cost of the profile), and the same
            // entry point (`parse_with`) under the strict profile.
            let a = fetch_responses(20_000);
            let options = options(which == "a-parse-rw");
            (0..times).for_each(|_| n += work::ours_responses_with(&a, &options));
        }
        "a-streamed" => {
            // compare's "a streamed 16 KiB": the responses through a FramedBuffer in 16 KiB reads.
            let a = fetch_responses(20_000);
            let mut fb = FramedBuffer::new(FramerConfig::client());
            (0..times).for_each(|_| n += work::ours_responses_streamed(&mut fb, &a, 16 * 1024));
        }
        "imap-proto-a-parse" => {
            // The peer of the a-parse goal on the same input, driven as compare drives it.
            let a = fetch_responses(20_000);
            (0..times).for_each(|_| n += work::peer_one_piece(&a, work::imap_proto_response));
        }
        "imap-codec-c-parse" => {
            // The peer of the c-parse goal on the same input, driven as compare drives it.
            let c = commands(100_000);
            (0..times).for_each(|_| n += work::peer_one_piece(&c, work::imap_codec_command));
        }
        "b-parse" => {
            // compare's workload b: 2,000 FETCH BODY[] responses with a 50 KiB literal each.
            let b = body_responses(2_000, 50 * 1024);
            (0..times).for_each(|_| n += work::ours_responses(&b));
        }
        "a-encode" => {
            let a = fetch_responses(20_000);
            let values = work::ours_parse_all_responses(&a);
            (0..times).for_each(|_| n += work::ours_encode_responses(&values, &mut out));
        }
        "a-encode-hot" => {
            // The first 1,000 responses only, encoded 20 times as often: they stay in cache.
            let a = fetch_responses(1_000);
            let values = work::ours_parse_all_responses(&a);
            (0..times * 20).for_each(|_| n += work::ours_encode_responses(&values, &mut out));
        }
        "c-parse" => {
            let c = commands(100_000);
            (0..times).for_each(|_| n += work::ours_commands(&c));
        }
        "c-fetch" | "c-select" | "c-store" | "c-search" | "c-login" => {
            // One kind of workload c's commands only (20,000 of them): the per-kind cost.
            let kind = ["c-fetch", "c-select", "c-store", "c-search", "c-login"]
                .iter()
                .position(|k| *k == which)
                .unwrap_or(0);
            let c = commands_of_kind(kind);
            (0..times).for_each(|_| n += work::ours_commands(&c));
        }
        "c-parse-with" | "c-parse-rw" => {
            // compare's "c parse, real-world" (issue 14's cost of the profile), and the same
            // entry point (`parse_with`) under the strict profile.
            let c = commands(100_000);
            let options = options(which == "c-parse-rw");
            (0..times).for_each(|_| n += work::ours_commands_with(&c, &options));
        }
        "c-streamed" => {
            // compare's "c streamed 16 KiB": the commands through a FramedBuffer in 16 KiB reads.
            let c = commands(100_000);
            let mut fb = FramedBuffer::new(FramerConfig::server());
            (0..times).for_each(|_| n += work::ours_commands_streamed(&mut fb, &c, 16 * 1024));
        }
        "c-encode" => {
            let c = commands(100_000);
            let values = work::ours_parse_all_commands(&c);
            (0..times).for_each(|_| n += work::ours_encode_commands(&values, &mut out));
        }
        "literal-one" => {
            let lit = literal_response(10 * 1024 * 1024);
            let mut fb = FramedBuffer::new(FramerConfig::client());
            (0..times).for_each(|_| n += work::ours_responses_streamed(&mut fb, &lit, lit.len()));
        }
        "literal-both" => {
            let lit = literal_response(10 * 1024 * 1024);
            let mut fb = FramedBuffer::new(FramerConfig::client());
            for chunk in [lit.len(), 1024, lit.len(), 1024] {
                let mut v: Vec<f64> = (0..times)
                    .map(|_| {
                        let t = std::time::Instant::now();
                        n += work::ours_responses_streamed(&mut fb, &lit, chunk);
                        t.elapsed().as_secs_f64() * 1e6
                    })
                    .collect();
                v.sort_by(f64::total_cmp);
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                println!(
                    "chunk {chunk}: min {:.0} p25 {:.0} median {:.0} p75 {:.0} max {:.0} mean {mean:.0} µs",
                    v[0],
                    v[v.len() / 4],
                    v[v.len() / 2],
                    v[3 * v.len() / 4],
                    v[v.len() - 1]
                );
            }
        }
        "literal-chunks" => {
            let lit = literal_response(10 * 1024 * 1024);
            let mut fb = FramedBuffer::new(FramerConfig::client());
            (0..times).for_each(|_| n += work::ours_responses_streamed(&mut fb, &lit, 1024));
        }
        // POP3 (compare's inputs): a 1 MiB RETR answer with 700 stuffed lines parsed whole,
        // LIST and UIDL answers of 10,000 lines; `rfc1939-*` the crates.io peer on the same.
        "pop3-retr" | "rfc1939-retr" => {
            let (retr, _) = mailproto_benches::pop3::retr(1024 * 1024, 700);
            let f = if which == "pop3-retr" {
                work::pop3::ours_retr
            } else {
                work::pop3::rfc1939_retr
            };
            (0..times).for_each(|_| n += f(&retr));
        }
        "pop3-list-decode" => {
            let wire = mailproto_benches::pop3::list(10_000);
            (0..times).for_each(|_| n += work::pop3::ours_list_decoded(&wire));
        }
        "pop3-list" | "pop3-uidl" | "rfc1939-list" | "rfc1939-uidl" => {
            use pop3_codec::Expected;
            let (wire, expected) = if which.ends_with("list") {
                (mailproto_benches::pop3::list(10_000), Expected::ScanList)
            } else {
                (mailproto_benches::pop3::uidl(10_000), Expected::UidList)
            };
            (0..times).for_each(|_| {
                n += match which {
                    "rfc1939-list" => work::pop3::rfc1939_list(&wire),
                    "rfc1939-uidl" => work::pop3::rfc1939_uidl(&wire),
                    _ => work::pop3::ours_listing(&wire, expected),
                }
            });
        }
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2);
        }
    }
    println!(
        "{which}: {n} messages, {} allocations of {} bytes in all (inputs included)",
        ALLOCS.load(Ordering::Relaxed),
        ALLOC_BYTES.load(Ordering::Relaxed)
    );
}
