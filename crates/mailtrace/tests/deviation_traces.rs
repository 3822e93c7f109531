//! Every deviation the codecs' real-world profile knows has its trace in the corpus,
//! `corpus/imap/deviations/<id>.trace` and `corpus/pop3/deviations/<id>.trace`, which names
//! exactly that id; the strict profile rejects it and the real-world profile accepts it with
//! exactly that id (checked for every trace by `corpus.rs`).

use std::path::Path;

use mailtrace::format::{self, Profile};
use mailtrace::imap_codec::context::{DeviationId, ImapDeviation};
use mailtrace::pop3_codec::context::Pop3Deviation;
use mailtrace::{imap, pop3};

/// Session rules a trace cannot show, each tested by its session's tests instead:
/// - `eof-after-err`: the trace format has no mark for the server closing the connection
///   (`crates/pop3-session/tests/profile.rs`);
/// - `capability-during-login`: strict does not reject it (an untagged CAPABILITY is
///   unilateral data, RFC 9051 §2.2.2; strict only does not rely on it), so no trace can be
///   rejected by strict (`crates/imap-session/tests/profile.rs`);
/// - `no-for-bad`: the client's line is rejected under both profiles, which a deviation trace
///   may not be (`corpus/imap/invalid/session-no-for-bad.trace` shows it, and
///   `crates/imap-session/tests/profile.rs`).
const NO_TRACE: &[&str] = &["eof-after-err", "capability-during-login", "no-for-bad"];

fn trace_path(dir: &str, id: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(dir)
        .join(format!("{id}.trace"))
}

fn check(dir: &str, id: &str, imap_protocol: bool) {
    let path = trace_path(dir, id);
    if NO_TRACE.contains(&id) {
        assert!(!path.exists(), "{id}: listed as having no trace");
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let trace = format::parse(&text).unwrap();
    assert_eq!(trace.headers.profile, Profile::RealWorld, "{id}");
    assert_eq!(trace.headers.deviations, [id]);
    let (strict, real): (usize, Vec<(usize, Vec<&str>)>) = if imap_protocol {
        let real = imap::replay_with(&trace, Profile::RealWorld);
        (
            imap::replay(&trace).failures(),
            real.messages
                .iter()
                .map(|m| {
                    (
                        usize::from(!m.is_ok()),
                        m.deviations.iter().map(|d| d.id).collect(),
                    )
                })
                .collect(),
        )
    } else {
        let real = pop3::replay_with(&trace, Profile::RealWorld);
        (
            pop3::replay(&trace).failures(),
            real.messages
                .iter()
                .map(|m| {
                    (
                        usize::from(!m.is_ok()),
                        m.deviations.iter().map(|d| d.id).collect(),
                    )
                })
                .collect(),
        )
    };
    assert!(strict > 0, "{id}: strict accepted it");
    assert_eq!(
        real.iter().map(|(f, _)| f).sum::<usize>(),
        0,
        "{id}: {real:?}"
    );
    let ids: Vec<&str> = real.iter().flat_map(|(_, d)| d.iter().copied()).collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|d| *d == id),
        "{id}: {ids:?}"
    );
}

#[test]
fn every_imap_deviation_has_its_trace() {
    for d in ImapDeviation::ALL {
        check("imap/deviations", d.id(), true);
    }
}

#[test]
fn every_pop3_deviation_has_its_trace() {
    for d in Pop3Deviation::ALL {
        check("pop3/deviations", d.id(), false);
    }
}
