//! A message that cannot be parsed never desynchronizes the rest (issue 11, item 6): in the
//! invalid-then-valid traces of `corpus/*/flow/`, exactly the invalid client messages fail,
//! and every response after them pairs with its own command.

use mailtrace::format::{self, Side};
use mailtrace::{imap, pop3};

fn pop3_failures(text: &str) -> (Vec<usize>, Vec<String>) {
    let replay = pop3::replay(&format::parse(text).unwrap());
    let failed = replay
        .messages
        .iter()
        .filter(|m| !m.is_ok())
        .map(|m| m.line)
        .collect();
    let answers = replay
        .messages
        .iter()
        .filter(|m| m.side == Side::Server)
        .map(|m| m.summary())
        .collect();
    (failed, answers)
}

fn imap_failures(text: &str) -> Vec<usize> {
    let replay = imap::replay(&format::parse(text).unwrap());
    assert!(replay.messages.len() > 4, "{replay:#?}");
    replay
        .messages
        .iter()
        .filter(|m| !m.is_ok())
        .map(|m| m.line)
        .collect()
}

#[test]
fn pop3_invalid_command_then_pipelined_answers() {
    let (failed, answers) = pop3_failures(include_str!(
        "../../../corpus/pop3/flow/3-invalid-command-then-pipelined.trace"
    ));
    assert_eq!(failed, [13], "only STAT x fails");
    assert_eq!(
        answers,
        [
            "-ERR",
            "LIST answer",
            "UIDL n answer",
            "message (48 octets)",
            "STAT answer"
        ]
    );
}

#[test]
fn pop3_unknown_command_then_valid() {
    let (failed, answers) = pop3_failures(include_str!(
        "../../../corpus/pop3/flow/3-unknown-command-then-valid.trace"
    ));
    assert_eq!(failed, [11], "only XTND XLST fails");
    assert_eq!(
        answers,
        ["-ERR", "LIST answer", "UIDL answer", "STAT answer", "+OK"]
    );
}

#[test]
fn pop3_bad_sasl_line_then_commands() {
    let (failed, answers) = pop3_failures(include_str!(
        "../../../corpus/pop3/flow/4-bad-sasl-line-then-valid.trace"
    ));
    assert_eq!(failed, [13], "only the SASL line fails");
    assert_eq!(
        answers,
        ["SASL challenge", "-ERR", "+OK", "+OK", "STAT answer"]
    );
}

#[test]
fn imap_bad_command_ends_at_its_crlf() {
    let failed = imap_failures(include_str!(
        "../../../corpus/imap/flow/7.1.5-bad-command-then-valid.trace"
    ));
    assert_eq!(failed, [11]);
}

#[test]
fn imap_bad_command_ends_after_its_literal() {
    let failed = imap_failures(include_str!(
        "../../../corpus/imap/flow/7.1.5-bad-command-with-literal-then-valid.trace"
    ));
    assert_eq!(failed, [15, 25]);
}

/// Lines a POP3 exchange is made of, valid and not, in any order: the replay never panics,
/// and every trace line that completes a message is reported at most once per message.
const POP3_LINES: &[&str] = &[
    "C: STAT",
    "C: STAT x",
    "C: LIST",
    "C: UIDL 1",
    "C: RETR 1",
    "C: AUTH PLAIN",
    "C: dGVzdA==",
    "C: *",
    "C: STLS",
    "C: QUIT",
    "C: FOO",
    "S: +OK",
    "S: -ERR no",
    "S: +OK 2 320",
    "S: +OK 1 abc",
    "S: 1 120",
    "S: .",
    "S: ..x",
    "S: + ",
    "S: + !!",
    "S: +ok",
    "S: garbage",
];

proptest::proptest! {
    #[test]
    fn pop3_replay_never_panics(picks in proptest::collection::vec(0..POP3_LINES.len(), 0..40),
                                connect: bool) {
        let mut text = String::from("# source: proptest\n# protocol: pop3\n");
        if connect {
            text.push_str("# start: connect\n");
        }
        for i in picks {
            text.push_str(POP3_LINES[i]);
            text.push('\n');
        }
        let replay = pop3::replay(&format::parse(&text).unwrap());
        let lines = text.lines().filter(|l| l.starts_with("C:") || l.starts_with("S:")).count();
        // Each message ends on a line; a line ends at most one message per side, plus one
        // incomplete report per side at the end.
        proptest::prop_assert!(replay.messages.len() <= lines + 2);
    }
}
