//! The corpus test: every trace under `corpus/` is replayed through the codec; its expectation
//! (`expect:`) must hold, and the parsed result of every message is compared with the
//! language-neutral JSON snapshot stored in `corpus/expected/` (insta).

use std::path::{Path, PathBuf};

use mailtrace::format::{self, Expect, Profile, Protocol};
use mailtrace::report::{Message, Summary};
use mailtrace::{imap, pop3};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

fn traces(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            traces(&e, out);
        } else if e.extension().is_some_and(|x| x == "trace") {
            out.push(e);
        }
    }
}

/// The snapshot value of a replay and its failed messages, one line each.
fn outcome<K, V: Summary>(
    rel: &Path,
    replay: &impl serde::Serialize,
    messages: &[Message<K, V>],
) -> (serde_json::Value, Vec<String>) {
    let failed = messages
        .iter()
        .filter(|m| !m.is_ok())
        .map(|m| format!("{}:{}: {}", rel.display(), m.line, m.summary()))
        .collect();
    (serde_json::to_value(replay).unwrap(), failed)
}

/// The distinct deviation ids of a replay, sorted.
fn found_ids<K, V>(messages: &[Message<K, V>]) -> Vec<String> {
    let mut ids: Vec<String> = messages
        .iter()
        .flat_map(|m| m.deviations.iter().map(|d| d.id.to_owned()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[test]
fn every_trace_meets_its_expectation_and_snapshot() {
    let root = corpus_root();
    let mut files = Vec::new();
    traces(&root, &mut files);
    assert!(
        files.len() > 100,
        "the corpus is missing: {}",
        root.display()
    );
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
        // A trace written for the real-world profile: strict must reject it, and the
        // real-world profile must accept it with exactly the deviations it names; the
        // snapshot is the real-world replay.
        let profile = trace.headers.profile;
        if profile == Profile::RealWorld {
            let strict_failures = match trace.headers.protocol {
                Protocol::Imap => imap::replay(&trace).failures(),
                Protocol::Pop3 => pop3::replay(&trace).failures(),
            };
            if strict_failures == 0 {
                failures.push(format!("{}: the strict profile accepted it", rel.display()));
            }
        }
        let (snapshot, failed, ids) = match trace.headers.protocol {
            Protocol::Imap => {
                let replay = imap::replay_with(&trace, profile);
                let (s, f) = outcome(rel, &replay, &replay.messages);
                (s, f, found_ids(&replay.messages))
            }
            Protocol::Pop3 => {
                let replay = pop3::replay_with(&trace, profile);
                let (s, f) = outcome(rel, &replay, &replay.messages);
                (s, f, found_ids(&replay.messages))
            }
        };
        let mut named = trace.headers.deviations.clone();
        named.sort_unstable();
        named.dedup();
        if ids != named {
            failures.push(format!(
                "{}: deviations found {ids:?}, named {named:?}",
                rel.display()
            ));
        }
        match trace.headers.expect {
            Expect::Ok if !failed.is_empty() => failures.extend(failed),
            Expect::Reject if failed.is_empty() => {
                failures.push(format!("{}: expected a rejection", rel.display()));
            }
            _ => {}
        }
        let snapshot_dir = root.join("expected").join(rel.parent().unwrap());
        let name = rel.file_stem().unwrap().to_string_lossy().into_owned();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(snapshot_dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_input_file(path);
        settings.set_description(trace.headers.source.clone());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_json_snapshot!(name, snapshot));
        }));
        if outcome.is_err() {
            failures.push(format!("{}: snapshot differs", rel.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
