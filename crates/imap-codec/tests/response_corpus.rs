//! Every server message of the trace corpus (`corpus/imap/**/*.trace`, format in
//! `docs/corpus-format.md`) parses as a greeting or response, and re-encodes to a value that
//! parses the same.

use std::path::{Path, PathBuf};

use imap_codec::{Greeting, Response};

fn traces(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            traces(&p, out);
        } else if p.extension().is_some_and(|x| x == "trace") {
            out.push(p);
        }
    }
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            match b[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' => {
                    out.push(u8::from_str_radix(&s[i + 2..i + 4], 16).unwrap());
                    i += 2;
                }
                c => panic!("bad escape \\{}", c as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Splits a server stream into messages: CRLF-terminated lines, continued by literals.
fn frame(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while let Some(p) = stream[at..].windows(2).position(|w| w == b"\r\n") {
        let line_end = at + p;
        let line = &stream[start..line_end];
        let literal = line.strip_suffix(b"}").and_then(|l| {
            let open = l.iter().rposition(|&b| b == b'{')?;
            std::str::from_utf8(&l[open + 1..])
                .ok()?
                .parse::<usize>()
                .ok()
        });
        match literal {
            Some(n) => at = line_end + 2 + n,
            None => {
                out.push(&stream[start..line_end + 2]);
                start = line_end + 2;
                at = start;
            }
        }
    }
    assert_eq!(start, stream.len(), "unterminated server message");
    out
}

#[test]
fn corpus_server_messages_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/imap");
    let mut files = Vec::new();
    traces(&root, &mut files);
    files.sort();
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut server = Vec::new();
        let mut connect = false;
        let mut reject = false;
        let mut data_seen = false;
        for line in text.lines() {
            if let Some(h) = line.strip_prefix("# ").filter(|_| !data_seen) {
                connect |= h.trim() == "start: connect";
                reject |= h.trim() == "expect: reject";
                continue;
            }
            if line.starts_with(['C', 'S']) {
                data_seen = true;
            }
            if line == "S:" {
                server.extend_from_slice(b"\r\n");
            } else if let Some(rest) = line.strip_prefix("S: ") {
                server.extend_from_slice(rest.as_bytes());
                server.extend_from_slice(b"\r\n");
            } else if let Some(rest) = line.strip_prefix("S~ ") {
                server.extend(unescape(rest));
            }
        }
        if reject {
            continue;
        }
        for (n, msg) in frame(&server).into_iter().enumerate() {
            let shown = String::from_utf8_lossy(msg);
            // RFC 3501 §6.5.1: an experimental command's untagged response has no rule in
            // the grammar (the trace keeps it as the RFC has it).
            if msg.starts_with(b"* XPIG-LATIN ") {
                assert!(Response::parse(msg).is_err());
                continue;
            }
            let mut out = Vec::new();
            if n == 0 && connect {
                let g = Greeting::parse(msg)
                    .unwrap_or_else(|e| panic!("{}: {shown:?}: {e}", file.display()));
                let _ = g.encode(&mut out);
                assert_eq!(Greeting::parse(&out).unwrap(), g);
            } else {
                let r = Response::parse(msg)
                    .unwrap_or_else(|e| panic!("{}: {shown:?}: {e}", file.display()));
                let _ = r.encode(&mut out);
                assert_eq!(Response::parse(&out).unwrap(), r, "{shown:?}");
            }
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "only {checked} messages found under {}",
        root.display()
    );
}
