//! `mailconform validate` as a program: the profiles, `--deny`, the wording of expected
//! rejections, the deviation summary, and a closed output pipe.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(rel)
}

fn run(args: &[&str], path: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mailconform"))
        .arg("validate")
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_deviation_trace_under_both_profiles() {
    let trace = corpus("imap/deviations/expunged-keyword.trace");
    // Strict: rejected as the trace expects, said so, no FAIL, exit 0.
    let (code, out) = run(&[], &trace);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("REJECTED (as expected)") && out.contains("rejected as expected"));
    assert!(!out.contains("FAIL"), "{out}");
    // Real-world: parsed, the deviation per message and in the summary.
    let (code, out) = run(&["--profile", "real-world"], &trace);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("[deviations: expunged-keyword@11]"), "{out}");
    assert!(out.contains("  expunged-keyword: 1 in 1 files"), "{out}");
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");
    // Denied: a failure, exit 1.
    let (code, out) = run(
        &[
            "--profile",
            "real-world",
            "--deny",
            "bare-lf,expunged-keyword",
        ],
        &trace,
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL (denied deviations: expunged-keyword)"),
        "{out}"
    );
    // JSON carries them.
    let (_, out) = run(&["--profile", "real-world", "--json"], &trace);
    assert!(
        out.contains(r#""deviations":[{"id":"expunged-keyword","offset":11"#),
        "{out}"
    );
    assert!(out.contains(r#""profile":"real-world""#), "{out}");
}

#[test]
fn a_closed_pipe_ends_the_tool_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailconform"))
        .arg("validate")
        .arg(corpus(""))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    stdout.read_exact(&mut byte).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(status.code(), Some(141));
}
