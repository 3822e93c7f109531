//! Writes the seed corpus of every fuzz target from the trace corpus.
//!
//! `seedgen CORPUS_DIR OUT_DIR` reads every `*.trace` under `CORPUS_DIR` and writes
//! `OUT_DIR/<target>/<hash>`: the IMAP messages of each kind (as the IMAP replayer splits
//! and classifies them), the POP3 commands, responses (with the context octet the
//! `pop3_response` target reads first) and bodies, whole streams for the chunking targets
//! (behind the octets that select default limits and no chunking), the IMAP messages and POP3
//! responses again for the real-world targets, and the trace files
//! themselves for the trace reader, and for the session targets each trace as a sequence of
//! operations ([`sessions`]). Invalid traces give rejected inputs, which are seeds too.

mod sessions;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::{env, fs};

use mailtrace::format::{self, Protocol, Side, Start, Trace};
use mailtrace::imap::{self, Kind};
use pop3_codec::{Command, Decoded, Expected, Response, SaslResponse};

const EXPECTED: &[Expected] = &Expected::ALL;

fn context_octet(e: Expected) -> u8 {
    EXPECTED.iter().position(|&x| x == e).expect("listed") as u8
}

struct Seeds {
    out: PathBuf,
    written: usize,
}

impl Seeds {
    fn add(&mut self, target: &str, bytes: &[u8]) {
        // FNV-1a: names stable across runs, duplicates written once.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let dir = self.out.join(target);
        fs::create_dir_all(&dir).expect("create seed directory");
        let path = dir.join(format!("{h:016x}"));
        if !path.exists() {
            fs::write(path, bytes).expect("write seed");
            self.written += 1;
        }
    }

    fn add_prefixed(&mut self, target: &str, prefix: &[u8], bytes: &[u8]) {
        let mut v = prefix.to_vec();
        v.extend_from_slice(bytes);
        self.add(target, &v);
    }
}

fn lines(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let n = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(rest.len(), |i| i + 2);
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    out
}

fn imap_seeds(s: &mut Seeds, trace: &Trace) {
    for m in imap::replay(trace).messages {
        let target = match m.kind {
            Kind::Command => "imap_command",
            Kind::AuthenticateData | Kind::IdleDone => "imap_continuation",
            Kind::Greeting => "imap_greeting",
            Kind::Response => "imap_response",
        };
        s.add(target, &m.bytes);
        // The structured targets read their input as `arbitrary` data: any octets do.
        // imap_real_world tries each message as response, greeting and command.
        match m.kind {
            Kind::Command => {
                s.add("imap_real_world", &m.bytes);
                s.add("imap_command_structured", &m.bytes);
                s.add_prefixed("imap_differential", &[0], &m.bytes);
            }
            Kind::Response | Kind::Greeting => {
                s.add("imap_real_world", &m.bytes);
                s.add("imap_response_structured", &m.bytes);
                s.add_prefixed("imap_differential", &[1], &m.bytes);
            }
            _ => {}
        }
    }
    // imap_framer_chunks: `server`, no small limits, no chunk sizes, then the stream.
    s.add_prefixed(
        "imap_framer_chunks",
        &[1, 0, 0],
        &trace.stream(Side::Client),
    );
    s.add_prefixed(
        "imap_framer_chunks",
        &[0, 0, 0],
        &trace.stream(Side::Server),
    );
}

fn pop3_seeds(s: &mut Seeds, trace: &Trace) {
    let client = trace.stream(Side::Client);
    let server = trace.stream(Side::Server);
    // What each server response answers, from the client's lines.
    let mut expected = VecDeque::new();
    if trace.headers.start == Start::Connect {
        expected.push_back(Expected::Greeting);
    }
    let mut in_auth = false;
    let mut sasl = Vec::new();
    for line in lines(&client) {
        s.add("pop3_command", line);
        s.add("pop3_structured", line);
        if in_auth && SaslResponse::parse(line).is_ok() {
            expected.push_back(Expected::Auth);
            sasl.push(true);
            continue;
        }
        sasl.push(false);
        if let Ok(c) = Command::parse(line) {
            in_auth = matches!(c, Command::Auth { .. });
            expected.push_back(Expected::from(&c));
        }
    }
    // Split the server stream into responses in their contexts.
    let mut rest: &[u8] = &server;
    let all: Vec<Expected> = expected.iter().copied().collect();
    while let Some(e) = expected.pop_front() {
        if rest.is_empty() {
            break;
        }
        let used = match Response::decode(rest, e) {
            Ok(Decoded::Complete(r, used)) => {
                if let Response::Message(m) = &r {
                    let status_len = rest.windows(2).position(|w| w == b"\r\n").unwrap_or(0) + 2;
                    // pop3_body: no limit, no chunk sizes, then the stuffed body.
                    s.add_prefixed("pop3_body", &[0, 0], &rest[status_len..used]);
                    s.add_prefixed("pop3_dot_stuffing", &[0], m.body());
                }
                used
            }
            // A rejected response: up to its line end, as an invalid seed.
            _ => lines(rest)[0].len(),
        };
        s.add_prefixed("pop3_response", &[context_octet(e)], &rest[..used]);
        // pop3_real_world tries every context itself.
        s.add("pop3_real_world", &rest[..used]);
        rest = &rest[used..];
    }
    // pop3_chunks: no small limits, the SASL flags, the contexts, no chunk sizes, stream.
    let mut prefix = vec![0];
    for &b in &sasl {
        prefix.extend_from_slice(&[1, u8::from(b)]);
    }
    prefix.push(0);
    for &e in &all {
        prefix.extend_from_slice(&[1, context_octet(e)]);
    }
    prefix.extend_from_slice(&[0, 0]);
    s.add_prefixed("pop3_chunks", &prefix, &server);
    s.add_prefixed("pop3_chunks", &prefix, &client);
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, files);
        } else if p.extension().is_some_and(|x| x == "trace") {
            files.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: seedgen CORPUS_DIR OUT_DIR");
        std::process::exit(2);
    }
    let mut files = Vec::new();
    walk(Path::new(&args[1]), &mut files);
    let mut seeds = Seeds {
        out: PathBuf::from(&args[2]),
        written: 0,
    };
    for path in &files {
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        seeds.add("mailtrace_format", text.as_bytes());
        let Ok(trace) = format::parse(&text) else {
            continue;
        };
        match trace.headers.protocol {
            Protocol::Imap => imap_seeds(&mut seeds, &trace),
            Protocol::Pop3 => pop3_seeds(&mut seeds, &trace),
        }
        let mut add = |target: &str, bytes: &[u8]| seeds.add(target, bytes);
        match trace.headers.protocol {
            Protocol::Imap => sessions::imap(&trace, &mut add),
            Protocol::Pop3 => sessions::pop3(&trace, &mut add),
        }
    }
    eprintln!(
        "seedgen: {} traces, {} new seed files in {}",
        files.len(),
        seeds.written,
        seeds.out.display()
    );
}
