//! `mailconform`: the project's conformance tool, the one crate that does I/O.
//!
//! `mailconform validate [--json] PATH...` reads trace files (directories recursively,
//! `*.trace`), parses every message of both sides with the strict codec, prints one line per
//! message, honours each trace's `expect:` header, and ends with `N passed, M failed`
//! (counting files). It exits with 1 when a file fails, 2 when it cannot run.
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

mod attack;
mod probe;
mod proxy;
mod report;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mailtrace::format::{self, Expect, Protocol};
use mailtrace::report::{Message, Summary};
use mailtrace::{imap, pop3};

#[derive(Parser)]
#[command(name = "mailconform", version, about = "IMAP/POP3 conformance checks")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate trace files against the strict grammar.
    Validate {
        /// Print one JSON object per message and per file instead of text.
        #[arg(long)]
        json: bool,
        /// Print only the failing files (with their messages) and the closing count.
        #[arg(long, short)]
        quiet: bool,
        /// Trace files or directories (searched recursively for `*.trace`).
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

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "trace") {
                collect(&e, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// The verdict for one file: Ok(message) or Err(message).
fn check_file(path: &Path, json: bool, quiet: bool) -> Result<String, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let text = String::from_utf8(text).map_err(|_| "not UTF-8 text".to_owned())?;
    let trace = format::parse(&text).map_err(|e| format!("bad trace: {e}"))?;
    let shown = path.display();
    let (lines, total, failures) = match trace.headers.protocol {
        Protocol::Imap => report(&imap::replay(&trace).messages, &shown, json),
        Protocol::Pop3 => report(&pop3::replay(&trace).messages, &shown, json),
    };
    let verdict = match trace.headers.expect {
        Expect::Ok if failures == 0 => Ok(format!("{total} messages parsed")),
        Expect::Ok => Err(format!("{failures} of {total} messages failed")),
        Expect::Reject if failures > 0 => Ok(format!("rejected as expected ({failures} messages)")),
        Expect::Reject => Err("expected a rejection, but every message parsed".to_owned()),
    };
    // Quiet mode shows the messages of failing files only.
    if !quiet || verdict.is_err() {
        for l in lines {
            println!("{l}");
        }
    }
    verdict
}

/// One line (or JSON object) per message, the number of messages and of failed ones.
fn report<K: serde::Serialize, V: serde::Serialize + Summary>(
    messages: &[Message<K, V>],
    shown: &std::path::Display<'_>,
    json: bool,
) -> (Vec<String>, usize, usize) {
    let mut lines = Vec::with_capacity(messages.len());
    for m in messages {
        if json {
            let mut v = serde_json::to_value(m).unwrap_or_default();
            if let Some(obj) = v.as_object_mut() {
                obj.insert("file".into(), shown.to_string().into());
                obj.insert("ok".into(), m.is_ok().into());
            }
            lines.push(v.to_string());
        } else {
            let status = if m.is_ok() { "OK  " } else { "FAIL" };
            lines.push(format!(
                "{shown}:{}: {} {status} {}",
                m.line,
                m.side.letter(),
                m.summary()
            ));
        }
    }
    let failures = messages.iter().filter(|m| !m.is_ok()).count();
    (lines, messages.len(), failures)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (json, quiet, paths) = match cli.command {
        Cmd::Validate { json, quiet, paths } => (json, quiet, paths),
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
    let mut files = Vec::new();
    for p in &paths {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("mailconform: {}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in &files {
        let verdict = check_file(f, json, quiet);
        let ok = verdict.is_ok();
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        if json {
            let (v, msg) = match &verdict {
                Ok(m) => ("pass", m),
                Err(m) => ("fail", m),
            };
            println!(
                "{}",
                serde_json::json!({"file": f.display().to_string(), "verdict": v, "detail": msg})
            );
        } else {
            match verdict {
                Ok(m) if !quiet => println!("{}: PASS ({m})", f.display()),
                Ok(_) => {}
                Err(m) => println!("{}: FAIL ({m})", f.display()),
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
