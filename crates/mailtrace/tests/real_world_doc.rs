//! `docs/real-world.md` is the table of the real-world profile's ids: it stays true to the code.
//!
//! - every id of `ImapDeviation::ALL` / `Pop3Deviation::ALL` has a row in its protocol's table,
//!   and every row of those tables names an id of the catalogue (`deviation_traces.rs` checks
//!   that each id has its trace);
//! - every row of "Catalogue rows that are not deviations" has a trace under
//!   `corpus/imap/valid/` that the strict profile accepts (the claim that strict allows it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mailtrace::format;
use mailtrace::imap;
use mailtrace::imap_codec::context::{DeviationId, ImapDeviation};
use mailtrace::pop3_codec::context::Pop3Deviation;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The text of `docs/real-world.md` between the heading `from` and the next heading of the
/// same or a higher level.
fn section<'t>(doc: &'t str, from: &str) -> &'t str {
    let start = doc
        .find(&format!("\n{from}\n"))
        .unwrap_or_else(|| panic!("no section {from}"))
        + from.len()
        + 2;
    let level = from.split(' ').next().unwrap_or("##");
    let rest = &doc[start..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            let line = &rest[i..];
            line.starts_with('#')
                && line
                    .split(' ')
                    .next()
                    .is_some_and(|h| h.chars().all(|c| c == '#') && h.len() <= level.len())
        })
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The backquoted words of the first cell of each table row of `text` (header and separator
/// rows left out), per row.
fn first_cells(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cell = l[1..].split(" | ").next().unwrap_or_default();
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// The ids of a deviation table: the first backquoted word of each row, up to `stop`.
fn table_ids(section: &str, stop: Option<&str>) -> BTreeSet<String> {
    let text = stop
        .and_then(|s| section.find(s))
        .map_or(section, |at| &section[..at]);
    first_cells(text)
        .into_iter()
        .filter_map(|words| words.into_iter().next())
        .collect()
}

#[test]
fn the_tables_list_exactly_the_catalogue() {
    let doc = std::fs::read_to_string(repo().join("docs/real-world.md")).unwrap();
    let not_deviations = "### Catalogue rows that are not deviations";
    let imap = table_ids(section(&doc, "## IMAP"), Some(not_deviations));
    let want: BTreeSet<String> = ImapDeviation::ALL
        .iter()
        .map(|d| d.id().to_owned())
        .collect();
    assert_eq!(imap, want, "IMAP table vs ImapDeviation::ALL");
    let pop3 = table_ids(section(&doc, "## POP3"), None);
    let want: BTreeSet<String> = Pop3Deviation::ALL
        .iter()
        .map(|d| d.id().to_owned())
        .collect();
    assert_eq!(pop3, want, "POP3 table vs Pop3Deviation::ALL");
}

#[test]
fn rows_strict_accepts_have_strict_traces() {
    let doc = std::fs::read_to_string(repo().join("docs/real-world.md")).unwrap();
    let rows = first_cells(section(&doc, "### Catalogue rows that are not deviations"));
    assert!(rows.len() >= 7, "{rows:?}");
    for words in rows {
        // The row's trace is named after one of its backquoted words.
        let path = words
            .iter()
            .map(|w| repo().join("corpus/imap/valid").join(format!("{w}.trace")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{words:?}: no trace under corpus/imap/valid/"));
        let trace = format::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let replay = imap::replay(&trace);
        assert!(replay.messages.len() >= 2, "{}", path.display());
        assert_eq!(
            replay.failures(),
            0,
            "{}: strict rejects it",
            path.display()
        );
        assert!(
            replay.messages.iter().all(|m| m.deviations.is_empty()),
            "{}",
            path.display()
        );
        // A row that is a deviation's id too (zero-sequence-number) is a deviation only in
        // another form; the others are no id of the catalogue.
        let first = &words[0];
        if ImapDeviation::from_id(first).is_some() {
            assert_ne!(path.file_stem().unwrap().to_str(), Some(first.as_str()));
        }
    }
}
