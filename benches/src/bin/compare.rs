//! The peer comparison: every workload of the performance issue, run by this project and by
//! the crates people would otherwise pick, on the same machine in one run, printed as one
//! Markdown table.
//!
//! ```text
//! cd benches && cargo run --release --bin compare            # median of 55 runs
//! cd benches && cargo run --release --bin compare -- --quick # median of 5 runs, < 1 min
//! ```
//!
//! MB/s is 10^6 bytes of the workload's wire form per second (the same byte count for every
//! implementation, also for encoding), the median of the runs. Allocations are counted by
//! this binary's global allocator in one extra run (after a warm-up run, so that buffers a
//! connection reuses have their working size) and divided by the messages handled, with
//! the bytes those allocations asked for (heap bytes/msg: the size of the values built, plus
//! buffer growth).

use std::sync::atomic::Ordering;
use std::time::Instant;

use imap_codec::framer::{FramedBuffer, FramerConfig};
use imap_codec::{ParseOptions, Profile};
use mailproto_benches::counting::{ALLOC_BYTES, ALLOCS, Counting};
use mailproto_benches::work::{self, pop3 as p3};
use mailproto_benches::{body_responses, commands, fetch_responses, literal_response, pop3};
use pop3_codec::Expected;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Who did the work.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Ours,
    Peer,
    Proxy,
}

/// One measured line of the table.
struct Row {
    workload: &'static str,
    name: &'static str,
    who: Who,
    mbps: f64,
    secs: f64,
    allocs_per_msg: f64,
    heap_bytes_per_msg: f64,
    note: &'static str,
}

/// A workload: its name, its size in bytes, and the messages in it.
struct Load(&'static str, usize, usize);

struct Bench {
    runs: usize,
    rows: Vec<Row>,
}

impl Bench {
    /// Runs `f` twice to warm up and count allocations, then `runs` times timed; `f` returns
    /// the number of messages it handled, which must be `messages` (proxies excepted: they
    /// count lines or copies).
    fn run(
        &mut self,
        Load(workload, bytes, messages): Load,
        name: &'static str,
        who: Who,
        note: &'static str,
        mut f: impl FnMut() -> usize,
    ) {
        // A first run warms up (and grows reused buffers to their working size); the second
        // is the one whose allocations are counted.
        f();
        let (before, bytes_before) = (
            ALLOCS.load(Ordering::Relaxed),
            ALLOC_BYTES.load(Ordering::Relaxed),
        );
        let n = f();
        let allocs = ALLOCS.load(Ordering::Relaxed) - before;
        let heap_bytes = ALLOC_BYTES.load(Ordering::Relaxed) - bytes_before;
        if who != Who::Proxy {
            assert_eq!(
                n, messages,
                "{workload} / {name}: handled {n} of {messages} messages"
            );
        }
        let mut times: Vec<f64> = (0..self.runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let secs = times[times.len() / 2];
        let row = Row {
            workload,
            name,
            who,
            mbps: bytes as f64 / secs / 1e6,
            secs,
            allocs_per_msg: allocs as f64 / messages as f64,
            heap_bytes_per_msg: heap_bytes as f64 / messages as f64,
            note,
        };
        eprintln!("  {workload:<28} {name:<26} {:>9.1} MB/s", row.mbps);
        self.rows.push(row);
    }
}

/// What this project aims at, per workload (the performance issue's goals).
fn goal(workload: &str) -> &'static str {
    match workload {
        "a parse" => "≥ 3× imap-proto, ≤ 3 allocs/resp",
        "a parse, real-world" | "c parse, real-world" => "≥ 95 % of strict parse_with (issue 14)",
        "a encode" => "≥ 5× imap-codec",
        "b parse" => "≥ memcpy",
        "c parse" => "≥ 5× imap-codec",
        "a streamed 16 KiB" => "≥ 90 % of a parse",
        "10 MiB literal, 1 KiB chunks" => "≤ 1.2× one-piece time",
        "POP3 RETR 1 MiB" => "≥ 5 GB/s unstuffed",
        "POP3 LIST 10k" | "POP3 UIDL 10k" => "≥ 2 GB/s",
        _ => "",
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 5 } else { 55 };
    let started = Instant::now();
    let mut b = Bench {
        runs,
        rows: Vec::new(),
    };

    eprintln!("generating inputs");
    let a = fetch_responses(20_000);
    let bb = body_responses(2_000, 50 * 1024);
    let c = commands(100_000);
    let lit = literal_response(10 * 1024 * 1024);
    let (retr, _) = pop3::retr(1024 * 1024, 700);
    let list = pop3::list(10_000);
    let uidl = pop3::uidl(10_000);
    let mut out = Vec::with_capacity(bb.len().max(a.len()) + 1024);

    eprintln!("measuring, median of {runs} runs");
    // a: 20,000 FETCH responses.
    let (al, an) = (a.len(), 20_000);
    b.run(Load("a parse", al, an), "mailproto", Who::Ours, "", || {
        work::ours_responses(&a)
    });
    b.run(
        Load("a parse", al, an),
        "imap-proto 0.17",
        Who::Peer,
        "",
        || work::peer_one_piece(&a, work::imap_proto_response),
    );
    b.run(
        Load("a parse", al, an),
        "imap-codec 2.0.0-alpha.10",
        Who::Peer,
        "",
        || work::peer_one_piece(&a, work::imap_codec_response),
    );
    b.run(
        Load("a parse", al, an),
        "memchr lines",
        Who::Proxy,
        "lines, not messages",
        || work::memchr_lines(&a),
    );
    b.run(Load("a parse", al, 1), "memcpy", Who::Proxy, "", || {
        work::memcpy(&a, &mut out)
    });

    // The real-world profile on the same (well-formed) input: its cost over strict, both
    // through `parse_with` (the entry point that returns deviations; `parse`, used by the
    // "a parse" row, is a strict-only shortcut that skips the `Parsed` wrapper).
    let strict = ParseOptions::default();
    let real_world = ParseOptions::default().with_profile(Profile::RealWorld);
    b.run(
        Load("a parse, strict parse_with", al, an),
        "mailproto",
        Who::Ours,
        "the reference of the real-world row",
        || work::ours_responses_with(&a, &strict),
    );
    b.run(
        Load("a parse, real-world", al, an),
        "mailproto",
        Who::Ours,
        "vs a parse, strict parse_with",
        || work::ours_responses_with(&a, &real_world),
    );

    let mut fb = FramedBuffer::new(FramerConfig::client());
    b.run(
        Load("a streamed 16 KiB", al, an),
        "mailproto",
        Who::Ours,
        "",
        || work::ours_responses_streamed(&mut fb, &a, 16 * 1024),
    );
    b.run(
        Load("a streamed 16 KiB", al, an),
        "imap-proto 0.17",
        Who::Peer,
        "",
        || work::peer_stream(&a, 16 * 1024, work::imap_proto_response),
    );
    b.run(
        Load("a streamed 16 KiB", al, an),
        "imap-codec 2.0.0-alpha.10",
        Who::Peer,
        "",
        || work::peer_stream(&a, 16 * 1024, work::imap_codec_response),
    );

    {
        let ours = work::ours_parse_all_responses(&a);
        let peer = work::imap_codec_parse_all_responses(&a);
        b.run(Load("a encode", al, an), "mailproto", Who::Ours, "", || {
            work::ours_encode_responses(&ours, &mut out)
        });
        b.run(
            Load("a encode", al, an),
            "imap-codec 2.0.0-alpha.10",
            Who::Peer,
            "",
            || work::imap_codec_encode_responses(&peer, &mut out),
        );
    }

    // b: 2,000 FETCH BODY[] responses with ~50 KiB literals.
    let (bl, bn) = (bb.len(), 2_000);
    b.run(Load("b parse", bl, bn), "mailproto", Who::Ours, "", || {
        work::ours_responses(&bb)
    });
    b.run(
        Load("b parse", bl, bn),
        "imap-proto 0.17",
        Who::Peer,
        "",
        || work::peer_one_piece(&bb, work::imap_proto_response),
    );
    b.run(
        Load("b parse", bl, bn),
        "imap-codec 2.0.0-alpha.10",
        Who::Peer,
        "",
        || work::peer_one_piece(&bb, work::imap_codec_response),
    );
    b.run(
        Load("b parse", bl, bn),
        "memchr lines",
        Who::Proxy,
        "lines, not messages",
        || work::memchr_lines(&bb),
    );
    b.run(Load("b parse", bl, 1), "memcpy", Who::Proxy, "", || {
        work::memcpy(&bb, &mut out)
    });
    b.run(
        Load("b parse", bl, 1),
        "memchr NUL scan",
        Who::Proxy,
        "the CHAR8 check of literals",
        || work::memchr_nul(&bb),
    );

    // c: 100,000 small commands.
    let (cl, cn) = (c.len(), 100_000);
    b.run(Load("c parse", cl, cn), "mailproto", Who::Ours, "", || {
        work::ours_commands(&c)
    });
    b.run(
        Load("c parse, strict parse_with", cl, cn),
        "mailproto",
        Who::Ours,
        "the reference of the real-world row",
        || work::ours_commands_with(&c, &strict),
    );
    b.run(
        Load("c parse, real-world", cl, cn),
        "mailproto",
        Who::Ours,
        "vs c parse, strict parse_with",
        || work::ours_commands_with(&c, &real_world),
    );
    b.run(
        Load("c parse", cl, cn),
        "imap-codec 2.0.0-alpha.10",
        Who::Peer,
        "",
        || work::peer_one_piece(&c, work::imap_codec_command),
    );
    b.run(
        Load("c parse", cl, cn),
        "memchr lines",
        Who::Proxy,
        "",
        || work::memchr_lines(&c),
    );
    let mut fbs = FramedBuffer::new(FramerConfig::server());
    b.run(
        Load("c streamed 16 KiB", cl, cn),
        "mailproto",
        Who::Ours,
        "",
        || work::ours_commands_streamed(&mut fbs, &c, 16 * 1024),
    );
    b.run(
        Load("c streamed 16 KiB", cl, cn),
        "imap-codec 2.0.0-alpha.10",
        Who::Peer,
        "",
        || work::peer_stream(&c, 16 * 1024, work::imap_codec_command),
    );
    {
        let ours = work::ours_parse_all_commands(&c);
        let peer = work::imap_codec_parse_all_commands(&c);
        b.run(Load("c encode", cl, cn), "mailproto", Who::Ours, "", || {
            work::ours_encode_commands(&ours, &mut out)
        });
        b.run(
            Load("c encode", cl, cn),
            "imap-codec 2.0.0-alpha.10",
            Who::Peer,
            "",
            || work::imap_codec_encode_commands(&peer, &mut out),
        );
    }

    // A 10 MiB literal, in one piece and in 1 KiB reads.
    let ll = lit.len();
    let mut fbl = FramedBuffer::new(FramerConfig::client());
    b.run(
        Load("10 MiB literal, one piece", ll, 1),
        "mailproto",
        Who::Ours,
        "",
        || work::ours_responses_streamed(&mut fbl, &lit, ll),
    );
    b.run(
        Load("10 MiB literal, 1 KiB chunks", ll, 1),
        "mailproto",
        Who::Ours,
        "",
        || work::ours_responses_streamed(&mut fbl, &lit, 1024),
    );
    // The floor: the same bytes copied in one piece and in 1 KiB pieces, nothing else.
    let mut copy = Vec::with_capacity(ll);
    b.run(
        Load("10 MiB literal, one piece", ll, 1),
        "memcpy",
        Who::Proxy,
        "",
        || work::memcpy(&lit, &mut copy),
    );
    b.run(
        Load("10 MiB literal, 1 KiB chunks", ll, 1),
        "memcpy",
        Who::Proxy,
        "1 KiB pieces",
        || work::memcpy_chunked(&lit, 1024, &mut copy),
    );
    for (name, decode) in [
        (
            "imap-proto 0.17",
            work::imap_proto_response as fn(&[u8]) -> work::Step,
        ),
        ("imap-codec 2.0.0-alpha.10", work::imap_codec_response),
    ] {
        b.run(
            Load("10 MiB literal, one piece", ll, 1),
            name,
            Who::Peer,
            "",
            || work::peer_stream(&lit, ll, decode),
        );
        b.run(
            Load("10 MiB literal, 1 KiB chunks", ll, 1),
            name,
            Who::Peer,
            "",
            || work::peer_stream(&lit, 1024, decode),
        );
    }

    // POP3.
    let rl = retr.len();
    b.run(
        Load("POP3 RETR 1 MiB", rl, 1),
        "mailproto",
        Who::Ours,
        "whole, unstuffed",
        || p3::ours_retr(&retr),
    );
    b.run(
        Load("POP3 RETR 1 MiB", rl, 1),
        "mailproto streamed 16 KiB",
        Who::Ours,
        "unstuffed",
        || p3::ours_retr_streamed(&retr, 16 * 1024),
    );
    b.run(
        Load("POP3 RETR 1 MiB", rl, 1),
        "rfc1939 1.0",
        Who::Peer,
        "not unstuffed",
        || p3::rfc1939_retr(&retr),
    );
    b.run(
        Load("POP3 RETR 1 MiB", rl, 1),
        "pop3-codec 0.3",
        Who::Peer,
        "not unstuffed",
        || p3::pop3_codec_retr(&retr),
    );
    b.run(
        Load("POP3 RETR 1 MiB", rl, 1),
        "memchr unstuff + copy",
        Who::Proxy,
        "",
        || p3::memchr_unstuff(&retr, &mut out),
    );
    b.run(
        Load("POP3 RETR 1 MiB", rl, 1),
        "memcpy",
        Who::Proxy,
        "",
        || work::memcpy(&retr, &mut out),
    );
    for (workload, wire, expected, rfc1939, codec) in [
        (
            "POP3 LIST 10k",
            &list,
            Expected::ScanList,
            p3::rfc1939_list as fn(&[u8]) -> usize,
            p3::pop3_codec_list as fn(&[u8]) -> usize,
        ),
        (
            "POP3 UIDL 10k",
            &uidl,
            Expected::UidList,
            p3::rfc1939_uidl,
            p3::pop3_codec_uidl,
        ),
    ] {
        let wl = wire.len();
        b.run(Load(workload, wl, 1), "mailproto", Who::Ours, "", || {
            p3::ours_listing(wire, expected)
        });
        b.run(Load(workload, wl, 1), "rfc1939 1.0", Who::Peer, "", || {
            rfc1939(wire)
        });
        b.run(
            Load(workload, wl, 1),
            "pop3-codec 0.3",
            Who::Peer,
            "",
            || codec(wire),
        );
        b.run(
            Load(workload, wl, 1),
            "memchr lines",
            Who::Proxy,
            "",
            || work::memchr_lines(wire),
        );
    }

    print_table(&b.rows, runs, started.elapsed().as_secs_f64());
}

/// The build profile of this binary and what it sets, as `benches/Cargo.toml` defines it.
fn profile() -> String {
    let name = env!("MAILPROTO_BENCH_PROFILE");
    let settings = match name {
        "release" => "opt-level 3, lto = \"thin\", codegen-units = 1 (the headline profile)",
        "default-release" => "opt-level 3, no LTO, codegen-units = 16 (Cargo's default release)",
        "debug" => "unoptimized: figures meaningless",
        _ => "see benches/Cargo.toml",
    };
    format!("{name}: {settings}")
}

fn print_table(rows: &[Row], runs: usize, elapsed: f64) {
    println!(
        "Build profile {}; every crate in the table (ours and the peers) is built with it.\n",
        profile()
    );
    println!(
        "| workload | implementation | MB/s | allocs/msg | heap bytes/msg | vs best peer | goal | note |\n|---|---|---:|---:|---:|---:|---|---|"
    );
    let one_piece = |name: &str| {
        rows.iter()
            .find(|r| r.workload == "10 MiB literal, one piece" && r.name == name)
            .map(|r| r.secs)
    };
    let a_parse = rows
        .iter()
        .find(|r| r.workload == "a parse" && r.who == Who::Ours)
        .map(|r| r.mbps);
    for r in rows {
        let best_peer = rows
            .iter()
            .filter(|p| p.workload == r.workload && p.who == Who::Peer)
            .map(|p| p.mbps)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        let mut vs = match (r.who, best_peer) {
            (Who::Peer, _) | (_, None) => String::new(),
            (_, Some(best)) => format!("{:.2}×", r.mbps / best),
        };
        if let Some(t) = one_piece(r.name).filter(|_| r.workload == "10 MiB literal, 1 KiB chunks")
        {
            vs = format!("{:.2}× one-piece time", r.secs / t);
        }
        if let Some(p) = a_parse.filter(|_| r.workload == "a streamed 16 KiB" && r.who == Who::Ours)
        {
            vs = format!("{vs}; {:.0} % of a parse", 100.0 * r.mbps / p);
        }
        let goal = if r.who == Who::Ours {
            goal(r.workload)
        } else {
            ""
        };
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.0} | {} | {} | {} |",
            r.workload, r.name, r.mbps, r.allocs_per_msg, r.heap_bytes_per_msg, vs, goal, r.note
        );
    }
    println!(
        "\nMedian of {runs} runs per line; {elapsed:.0} s in all. MB = 10^6 bytes of wire form."
    );
}
