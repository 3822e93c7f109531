//! `mailconform`: the project's conformance tool, the one crate that does I/O.
//!
//! `mailconform validate [--profile strict|real-world] [--deny ID,...] [--json] PATH...` reads
//! trace files (directories recursively, `*.trace`), parses every message of both sides under
//! the profile (strict by default), prints one line per message with the deviations the
//! real-world profile accepted in it, honours each trace's `expect:`, `profile:` and
//! `deviations:` headers (`docs/corpus-format.md`), prints a summary per deviation id and ends
//! with `N passed, M failed` (counting files). `--deny` makes the listed deviations failures.
//! Each file is read and replayed as it is read (`mailtrace::stream`), within
//! `--max-file-size`.
//! It exits with 1 when a file fails, 2 when it cannot run; when its output is closed (`| head`)
//! it stops quietly with status 141 (as if killed by SIGPIPE).
//!
//! `mailconform serve [--imap ADDR] [--pop3 ADDR] [--imaps ADDR] [--pop3s ADDR] ...` runs the
//! reference server (see [`serve`]).
//!
//! `mailconform probe URL... [--user U --password P] [--starttls] [--json FILE] [--html FILE]`
//! or `mailconform probe --embedded` runs the client-side checks (see [`probe`], [`mod@report`]).
//!
//! `mailconform proxy --listen ADDR --upstream ADDR [--protocol imap|pop3] [--record DIR]`
//! forwards connections unchanged, records each as a trace and validates it at its end
//! (see [`proxy`]).

#![forbid(unsafe_code)]

mod attack;
mod files;
mod probe;
mod proxy;
mod report;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use std::collections::BTreeMap;
use std::io::Write;

use mailtrace::format::{self, Expect, Profile, Protocol, Reader};
use mailtrace::stream::{self, Entry};

#[derive(Parser)]
#[command(name = "mailconform", version, about = "IMAP/POP3 conformance checks")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate trace files against the strict grammar (or the real-world profile).
    Validate {
        /// The profile messages are parsed under: `strict` (the RFC grammar) or `real-world`
        /// (also what deployed software sends, each deviation named).
        #[arg(long, default_value = "strict", value_parser = parse_profile)]
        profile: Profile,
        /// Deviation ids that count as failures under the real-world profile (comma-separated,
        /// e.g. `bare-lf,expunged-keyword`).
        #[arg(long, value_delimiter = ',', value_name = "ID,...")]
        deny: Vec<String>,
        /// Print one JSON object per message and per file instead of text.
        #[arg(long)]
        json: bool,
        /// Print only the failing files (with their messages) and the closing count.
        #[arg(long, short)]
        quiet: bool,
        /// Refuse (fail) trace files larger than this many octets.
        #[arg(long, value_name = "OCTETS", default_value_t = files::DEFAULT_MAX_FILE_SIZE)]
        max_file_size: u64,
        /// Trace files or directories (searched recursively for `*.trace`; symbolic links
        /// to directories inside them are not followed).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Forward connections to a server unchanged, record each as a trace, validate it at its end.
    Proxy {
        /// Address to listen on (e.g. 127.0.0.1:20143).
        #[arg(long)]
        listen: String,
        /// The server to forward to (e.g. 127.0.0.1:10143).
        #[arg(long)]
        upstream: String,
        /// The protocol spoken.
        #[arg(long, value_enum, default_value = "imap")]
        protocol: ProtocolArg,
        /// Write each connection's trace to DIR/NAME.trace (NAME-2.trace, ... for later ones).
        #[arg(long, value_name = "DIR")]
        record: Option<PathBuf>,
        /// The file name stem of recorded traces.
        #[arg(long, default_value = "session")]
        name: String,
        /// The `# source:` header of recorded traces (say which server and version).
        #[arg(long, default_value = "recorded with mailconform proxy")]
        source: String,
        /// Stop after this many connections (and print their reports).
        #[arg(long)]
        connections: Option<usize>,
        /// Print only the summary line per connection, not the failing messages.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the reference IMAP and POP3 server (in-memory store, users alice/bob, password
    /// secret). Without a listener option it serves all four on 127.0.0.1:1143/1110/1993/1995.
    Serve(serve::Args),
    /// Connect to an IMAP or POP3 server as a client and run conformance checks (exit 0: no
    /// violation, 1: violations, 2: could not run); `--embedded` probes the reference server.
    Probe(report::Args),
}

/// `--protocol`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ProtocolArg {
    /// IMAP.
    Imap,
    /// POP3.
    Pop3,
}

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| "strict or real-world".to_owned())
}

/// Writes one line to standard output; a closed output (`| head`) ends the tool quietly.
macro_rules! out {
    ($($arg:tt)*) => {{
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, $($arg)*).is_err() {
            std::process::exit(141);
        }
    }};
}

/// What a run checks, and the deviations it found per id: (occurrences, files).
struct Run {
    profile: Profile,
    deny: Vec<String>,
    json: bool,
    quiet: bool,
    max_file_size: u64,
    found: BTreeMap<&'static str, (usize, usize)>,
}

impl Run {
    /// The verdict for one file: Ok(message) or Err(message). The file is read and replayed
    /// one line at a time; each message's line is printed as it completes (kept, up to
    /// [`QUIET_KEEP`] octets, under `--quiet`, and printed if the file fails), and only its
    /// counts and deviation ids stay.
    fn check_file(&mut self, path: &Path) -> Result<String, String> {
        let input = files::open_limited(path, self.max_file_size)?;
        let reader = Reader::new(input).map_err(|e| e.to_string())?;
        let headers = reader.headers().clone();
        let shown = path.display();
        let real_world_trace = headers.profile == Profile::RealWorld;
        // A trace written for the real-world profile is an invalid trace for the strict one.
        let expect_reject = headers.expect == Expect::Reject
            || (real_world_trace && self.profile == Profile::Strict);
        let mut report = Report::new(self.quiet);
        let followed = stream::follow(reader, self.profile, |m| {
            report.add(&m, &shown, self.json, expect_reject);
        });
        let Report {
            lines,
            omitted,
            total,
            failures,
            ids,
            ..
        } = report;
        let verdict = match followed {
            Err(e) => Err(e.to_string()),
            Ok(()) => self.verdict(&headers, &ids, total, failures, expect_reject),
        };
        // Quiet mode shows the messages of failing files only.
        if verdict.is_err() {
            for l in lines.into_iter().flatten() {
                out!("{l}");
            }
        }
        match verdict {
            Err(m) if omitted > 0 => Err(format!(
                "{m}; {omitted} message lines not shown (--quiet keeps {QUIET_KEEP} octets of \
                 them per file, as much again of failed ones)"
            )),
            v => v,
        }
    }

    /// The verdict for a file replayed whole: `per_file` holds the occurrences of each
    /// deviation id found, added to the run's summary.
    fn verdict(
        &mut self,
        headers: &format::Headers,
        per_file: &BTreeMap<&'static str, usize>,
        total: usize,
        failures: usize,
        expect_reject: bool,
    ) -> Result<String, String> {
        let real_world_trace = headers.profile == Profile::RealWorld;
        for (id, n) in per_file {
            let e = self.found.entry(*id).or_default();
            e.0 += n;
            e.1 += 1;
        }
        let denied: Vec<&str> = per_file
            .keys()
            .copied()
            .filter(|id| self.deny.iter().any(|d| d == id))
            .collect();
        let found: Vec<&str> = per_file.keys().copied().collect();
        if !denied.is_empty() {
            Err(format!("denied deviations: {}", denied.join(", ")))
        } else if real_world_trace && self.profile == Profile::RealWorld {
            let mut wanted: Vec<&str> = headers.deviations.iter().map(String::as_str).collect();
            wanted.sort_unstable();
            wanted.dedup();
            if failures > 0 {
                Err(format!("{failures} of {total} messages failed"))
            } else if found != wanted {
                Err(format!(
                    "deviations found: [{}], the trace names: [{}]",
                    found.join(", "),
                    wanted.join(", ")
                ))
            } else {
                Ok(format!(
                    "{total} messages parsed, deviations as named: {}",
                    found.join(", ")
                ))
            }
        } else if expect_reject {
            if failures > 0 {
                Ok(format!("rejected as expected ({failures} messages)"))
            } else if !found.is_empty() {
                Ok(format!(
                    "accepted with deviations as expected: {}",
                    found.join(", ")
                ))
            } else {
                Err("expected a rejection, but every message parsed".to_owned())
            }
        } else if failures == 0 {
            if found.is_empty() {
                Ok(format!("{total} messages parsed"))
            } else {
                Ok(format!(
                    "{total} messages parsed, with deviations: {}",
                    found.join(", ")
                ))
            }
        } else {
            Err(format!("{failures} of {total} messages failed"))
        }
    }

    /// The deviations found, per id: one line each (or one JSON object).
    fn summary(&self) {
        if self.json {
            let ids: serde_json::Map<String, serde_json::Value> = self
                .found
                .iter()
                .map(|(id, (n, files))| {
                    (
                        id.to_string(),
                        serde_json::json!({"occurrences": n, "files": files}),
                    )
                })
                .collect();
            out!(
                "{}",
                serde_json::json!({"profile": self.profile.name(), "deviations": ids})
            );
            return;
        }
        if self.found.is_empty() {
            return;
        }
        out!("deviations ({} profile):", self.profile.name());
        for (id, (n, files)) in &self.found {
            let denied = if self.deny.iter().any(|d| d == id) {
                " (denied)"
            } else {
                ""
            };
            out!("  {id}: {n} in {files} files{denied}");
        }
    }
}

/// How many octets of message lines `--quiet` keeps per file, to print them if the file
/// fails: as much again for the failed messages' lines (the lines after them are counted,
/// not kept: a file's report stays bounded).
const QUIET_KEEP: usize = 1024 * 1024;

/// A file's report as its messages come: the lines kept (quiet mode: printed only if the file
/// fails), message count, failures, and every deviation id found.
struct Report {
    /// `None`: print each line at once.
    lines: Option<Vec<String>>,
    /// Octets kept of the lines of messages that parsed, and of those that failed.
    kept: [usize; 2],
    omitted: usize,
    total: usize,
    failures: usize,
    /// The occurrences of each deviation id.
    ids: BTreeMap<&'static str, usize>,
}

impl Report {
    fn new(quiet: bool) -> Report {
        Report {
            lines: quiet.then(Vec::new),
            kept: [0; 2],
            omitted: 0,
            total: 0,
            failures: 0,
            ids: BTreeMap::new(),
        }
    }

    /// One line (or JSON object) for a message, printed or kept; its counts.
    fn add(&mut self, m: &Entry, shown: &std::path::Display<'_>, json: bool, expect_reject: bool) {
        self.total += 1;
        self.failures += usize::from(!m.is_ok());
        for d in m.deviations() {
            *self.ids.entry(d.id).or_default() += 1;
        }
        let line = message_line(m, shown, json, expect_reject);
        // The lines of failed messages and of the others count apart, so that a failure
        // late in a long file is still shown.
        let budget = &mut self.kept[usize::from(!m.is_ok())];
        match &mut self.lines {
            None => out!("{line}"),
            Some(kept) if *budget + line.len() <= QUIET_KEEP => {
                *budget += line.len();
                kept.push(line);
            }
            Some(_) => self.omitted += 1,
        }
    }
}

/// One line (or JSON object) for a message.
fn message_line(
    m: &Entry,
    shown: &std::path::Display<'_>,
    json: bool,
    expect_reject: bool,
) -> String {
    if json {
        let mut v = serde_json::to_value(m).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("file".into(), shown.to_string().into());
            obj.insert("ok".into(), m.is_ok().into());
        }
        return v.to_string();
    }
    let status = match (m.is_ok(), expect_reject) {
        (true, _) => "OK  ",
        (false, true) => "REJECTED (as expected)",
        (false, false) => "FAIL",
    };
    let mut line = format!(
        "{shown}:{}: {} {status} {}",
        m.line(),
        m.side().letter(),
        m.summary()
    );
    if !m.deviations().is_empty() {
        let d: Vec<String> = m
            .deviations()
            .iter()
            .map(|d| format!("{}@{}", d.id, d.offset))
            .collect();
        line.push_str(&format!(" [deviations: {}]", d.join(", ")));
    }
    line
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (mut run, paths) = match cli.command {
        Cmd::Validate {
            profile,
            deny,
            json,
            quiet,
            max_file_size,
            paths,
        } => (
            Run {
                profile,
                deny,
                json,
                quiet,
                max_file_size,
                found: BTreeMap::new(),
            },
            paths,
        ),
        Cmd::Serve(args) => return serve::main(args),
        Cmd::Probe(args) => return report::main(args),
        Cmd::Proxy {
            listen,
            upstream,
            protocol,
            record,
            name,
            source,
            connections,
            quiet,
        } => {
            let config = proxy::Config {
                upstream,
                protocol: match protocol {
                    ProtocolArg::Imap => Protocol::Imap,
                    ProtocolArg::Pop3 => Protocol::Pop3,
                },
                record,
                name,
                source,
                show_failures: !quiet,
            };
            let run = std::net::TcpListener::bind(&listen).and_then(|l| {
                println!("listening on {}", l.local_addr()?);
                proxy::serve(l, config, connections)
            });
            return match run {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("mailconform proxy: {listen}: {e}");
                    ExitCode::from(2)
                }
            };
        }
    };
    let mut found = files::Found::default();
    for p in &paths {
        if let Err(e) = files::collect(p, &mut found) {
            eprintln!("mailconform: {}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    for link in &found.skipped_links {
        eprintln!(
            "mailconform: {}: a symbolic link to a directory, not followed",
            link.display()
        );
    }
    let files = found.files;
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in &files {
        let verdict = run.check_file(f);
        let ok = verdict.is_ok();
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        if run.json {
            let (v, msg) = match &verdict {
                Ok(m) => ("pass", m),
                Err(m) => ("fail", m),
            };
            out!(
                "{}",
                serde_json::json!({"file": f.display().to_string(), "verdict": v, "detail": msg})
            );
        } else {
            match verdict {
                Ok(m) if !run.quiet => out!("{}: PASS ({m})", f.display()),
                Ok(_) => {}
                Err(m) => out!("{}: FAIL ({m})", f.display()),
            }
        }
    }
    run.summary();
    out!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--quiet` keeps a bounded part of a long file's message lines, and a failure at its
    /// end is among them.
    #[test]
    fn quiet_keeps_a_bounded_report_with_the_failure() {
        let mut text = String::from("# source: generated\n");
        for i in 0..30_000 {
            text.push_str(&format!("C: a{i} NOOP\nS: a{i} OK done\n"));
        }
        text.push_str("C: a BOGUS\n");
        let path = Path::new("long.trace");
        let shown = path.display();
        let mut report = Report::new(true);
        let reader = Reader::new(text.as_bytes()).unwrap();
        stream::follow(reader, Profile::Strict, |m| {
            report.add(&m, &shown, false, false)
        })
        .unwrap();
        assert_eq!((report.total, report.failures), (60_001, 1));
        let lines = report.lines.unwrap();
        let octets: usize = lines.iter().map(String::len).sum();
        assert!(octets <= 2 * QUIET_KEEP, "{octets}");
        assert!(report.omitted > 0 && lines.len() + report.omitted == 60_001);
        assert!(lines.last().unwrap().contains("FAIL"), "{:?}", lines.last());
    }
}
