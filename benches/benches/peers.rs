//! The peer comparison under criterion: the workloads of `src/bin/compare.rs` (which prints
//! them all as one table) for this project and its peers, one criterion group per workload.
//! Run one group with `cargo bench --bench peers -- a_parse`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailproto_benches::work::{self, pop3 as p3};
use mailproto_benches::{body_responses, commands, fetch_responses, pop3};
use pop3_codec::Expected;

fn imap(c: &mut Criterion) {
    let a = fetch_responses(20_000);
    let b = body_responses(2_000, 50 * 1024);
    let cmds = commands(100_000);
    for (group, input, ours, peers) in [
        (
            "a_parse",
            &a,
            work::ours_responses as fn(&[u8]) -> usize,
            vec![
                (
                    "imap-proto",
                    work::imap_proto_response as fn(&[u8]) -> work::Step,
                ),
                ("imap-codec", work::imap_codec_response),
            ],
        ),
        (
            "b_parse",
            &b,
            work::ours_responses,
            vec![
                ("imap-proto", work::imap_proto_response),
                ("imap-codec", work::imap_codec_response),
            ],
        ),
        (
            "c_parse",
            &cmds,
            work::ours_commands,
            vec![("imap-codec", work::imap_codec_command)],
        ),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.sample_size(10);
        g.bench_function("mailproto", |bn| bn.iter(|| ours(input)));
        for (name, decode) in peers {
            g.bench_function(name, |bn| bn.iter(|| work::peer_one_piece(input, decode)));
        }
        g.finish();
    }

    let mut out = Vec::with_capacity(a.len() * 2);
    let mut g = c.benchmark_group("a_encode");
    g.throughput(Throughput::Bytes(a.len() as u64));
    g.sample_size(10);
    let ours = work::ours_parse_all_responses(&a);
    let peer = work::imap_codec_parse_all_responses(&a);
    g.bench_function("mailproto", |bn| {
        bn.iter(|| work::ours_encode_responses(&ours, &mut out))
    });
    g.bench_function("imap-codec", |bn| {
        bn.iter(|| work::imap_codec_encode_responses(&peer, &mut out))
    });
    g.finish();
}

fn pop3_listings(c: &mut Criterion) {
    let (retr, _) = pop3::retr(1024 * 1024, 700);
    let list = pop3::list(10_000);
    let uidl = pop3::uidl(10_000);
    let mut g = c.benchmark_group("pop3_retr");
    g.throughput(Throughput::Bytes(retr.len() as u64));
    g.bench_function("mailproto", |bn| bn.iter(|| p3::ours_retr(&retr)));
    g.bench_function("rfc1939", |bn| bn.iter(|| p3::rfc1939_retr(&retr)));
    g.bench_function("pop3-codec", |bn| bn.iter(|| p3::pop3_codec_retr(&retr)));
    g.finish();
    for (group, wire, expected, rfc1939, codec) in [
        (
            "pop3_list",
            &list,
            Expected::ScanList,
            p3::rfc1939_list as fn(&[u8]) -> usize,
            p3::pop3_codec_list as fn(&[u8]) -> usize,
        ),
        (
            "pop3_uidl",
            &uidl,
            Expected::UidList,
            p3::rfc1939_uidl,
            p3::pop3_codec_uidl,
        ),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(wire.len() as u64));
        g.bench_function("mailproto", |bn| {
            bn.iter(|| p3::ours_listing(wire, expected))
        });
        g.bench_function("rfc1939", |bn| bn.iter(|| rfc1939(wire)));
        g.bench_function("pop3-codec", |bn| bn.iter(|| codec(wire)));
        g.finish();
    }
}

criterion_group!(benches, imap, pop3_listings);
criterion_main!(benches);
