//! The corpus test: every trace under `corpus/` is replayed through the codec; its expectation
//! (`expect:`) must hold, and the result of every message is compared with the language-neutral
//! expected file `corpus/expected/<path>.json` (docs/corpus-format.md, "Expected values").
//!
//! After a change that is meant to change results, rewrite the files with
//! `MAILPROTO_BLESS=1 cargo test -p mailtrace --test corpus` and read the diff.

use std::path::{Path, PathBuf};

use mailtrace::format::{self, Expect, Protocol};
use mailtrace::report::{Message, Summary};
use mailtrace::{imap, neutral, pop3};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

/// The failed messages of a replay, one line each.
fn failed<K, V: Summary>(rel: &Path, messages: &[Message<K, V>]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| !m.is_ok())
        .map(|m| format!("{}:{}: {}", rel.display(), m.line, m.summary()))
        .collect()
}

/// Every file under `dir` with extension `ext`, sorted.
fn files_with(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            files_with(&e, ext, out);
        } else if e.extension().is_some_and(|x| x == ext) {
            out.push(e);
        }
    }
}

#[test]
fn every_trace_meets_its_expectation_and_snapshot() {
    let root = corpus_root();
    let mut files = Vec::new();
    files_with(&root, "trace", &mut files);
    assert!(
        files.len() > 100,
        "the corpus is missing: {}",
        root.display()
    );
    let bless = std::env::var_os("MAILPROTO_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let trace = match format::parse(&text) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{}: {e}", rel.display()));
                continue;
            }
        };
        let failed = match trace.headers.protocol {
            Protocol::Imap => failed(rel, &imap::replay(&trace).messages),
            Protocol::Pop3 => failed(rel, &pop3::replay(&trace).messages),
        };
        match trace.headers.expect {
            Expect::Ok if !failed.is_empty() => failures.extend(failed),
            Expect::Reject if failed.is_empty() => {
                failures.push(format!("{}: expected a rejection", rel.display()));
            }
            _ => {}
        }
        let expected_path = root.join("expected").join(rel).with_extension("json");
        let mut got = serde_json::to_string_pretty(&neutral::expected(&trace)).unwrap();
        got.push('\n');
        if bless {
            std::fs::create_dir_all(expected_path.parent().unwrap()).unwrap();
            if std::fs::read_to_string(&expected_path).ok().as_deref() != Some(got.as_str()) {
                std::fs::write(&expected_path, &got).unwrap();
            }
        } else {
            match std::fs::read_to_string(&expected_path) {
                Ok(want) if want == got => {}
                Ok(_) => failures.push(format!(
                    "{}: differs from {} (MAILPROTO_BLESS=1 rewrites it; read the diff)",
                    rel.display(),
                    expected_path.strip_prefix(&root).unwrap().display()
                )),
                Err(_) => failures.push(format!(
                    "{}: no expected file {} (MAILPROTO_BLESS=1 writes it)",
                    rel.display(),
                    expected_path.strip_prefix(&root).unwrap().display()
                )),
            }
        }
    }
    // Expected files whose trace is gone.
    let mut expected = Vec::new();
    files_with(&root.join("expected"), "json", &mut expected);
    for path in expected {
        let rel = path.strip_prefix(root.join("expected")).unwrap();
        if !root.join(rel).with_extension("trace").is_file() {
            failures.push(format!(
                "{}: no trace for this expected file",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
