//! `mailconform probe` on the command line, and its reports: text on stdout (with progress
//! while the checks run), JSON (schema in docs/conformance.md) and one self-contained HTML
//! page.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use mailtrace::format::Protocol;
use serde::Serialize;

use crate::probe::{self, Outcome, Spec, Target};
use crate::serve;

/// The command line of `mailconform probe`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// imap://HOST:PORT, imaps://..., pop3://..., pop3s://... (several may be given).
    #[arg(required_unless_present = "embedded")]
    pub urls: Vec<String>,
    /// The user to log in as.
    #[arg(long)]
    pub user: Option<String>,
    /// The password (the probe never prints it).
    #[arg(long)]
    pub password: Option<String>,
    /// STARTTLS / STLS before logging in (imap://, pop3://).
    #[arg(long)]
    pub starttls: bool,
    /// Start the reference server in-process on loopback and probe its IMAP and POP3.
    #[arg(long, conflicts_with = "urls")]
    pub embedded: bool,
    /// Write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the report as one self-contained HTML page to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print the summary only (no progress, no list of checks).
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the findings (one `CHECK-ID RESULT` line per check) to FILE.
    #[arg(long, value_name = "FILE")]
    pub findings: Option<PathBuf>,
    /// Compare the findings with FILE (as written by --findings; `#` comments allowed): any
    /// difference is reported and makes the exit code 1; when they agree the exit code is 0
    /// (documented violations are expected), or 2 if the probe could not run.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
}

/// The whole report (the JSON document).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `mailconform probe`.
    pub tool: String,
    /// The crate version.
    pub version: String,
    /// 0 no violation, 1 violations, 2 could not run.
    pub exit_code: u8,
    /// One entry per server probed.
    pub targets: Vec<Target>,
}

/// `mailconform probe`.
pub fn main(args: Args) -> ExitCode {
    let specs = match specs(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mailconform probe: {e}");
            return ExitCode::from(2);
        }
    };
    let targets: Vec<Target> = specs.iter().map(|s| probe::probe(s, !args.quiet)).collect();
    let report = Report {
        tool: "mailconform probe".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        exit_code: probe::exit_code(&targets),
        targets,
    };
    print!("{}", text(&report, false));
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        if let Err(e) = std::fs::write(path, json + "\n") {
            eprintln!("mailconform probe: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if let Some(path) = &args.html
        && let Err(e) = std::fs::write(path, html(&report))
    {
        eprintln!("mailconform probe: {}: {e}", path.display());
        return ExitCode::from(2);
    }
    if let Some(path) = &args.findings
        && let Err(e) = std::fs::write(path, findings(&report))
    {
        eprintln!("mailconform probe: {}: {e}", path.display());
        return ExitCode::from(2);
    }
    if let Some(path) = &args.expect {
        let expected = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("mailconform probe: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let changed = compare(&expected, &findings(&report));
        if changed.is_empty() {
            println!("findings: as documented in {}", path.display());
            // The documented violations are expected: only "could not run" remains an error.
            return ExitCode::from(if report.exit_code == 2 { 2 } else { 0 });
        } else {
            for c in &changed {
                println!("finding changed: {c}");
            }
            println!(
                "findings: {} differ from {} (update it and docs/conformance.md if the change is right)",
                changed.len(),
                path.display()
            );
            return ExitCode::from(report.exit_code.max(1));
        }
    }
    ExitCode::from(report.exit_code)
}

/// One `CHECK-ID RESULT` line per check, in the order run.
pub fn findings(report: &Report) -> String {
    let mut out = String::new();
    for t in &report.targets {
        for c in &t.checks {
            out.push_str(&format!(
                "{} {}\n",
                c.id,
                label(c.result).to_ascii_lowercase()
            ));
        }
    }
    out
}

/// The differences between two findings texts (`#` comments and blank lines ignored).
pub fn compare(expected: &str, actual: &str) -> Vec<String> {
    let parse = |t: &str| -> std::collections::BTreeMap<String, String> {
        t.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (id, result) = l.split_once(char::is_whitespace)?;
                Some((id.to_owned(), result.trim().to_ascii_lowercase()))
            })
            .collect()
    };
    let (e, a) = (parse(expected), parse(actual));
    let mut out = Vec::new();
    for (id, want) in &e {
        match a.get(id) {
            Some(got) if got == want => {}
            Some(got) => out.push(format!("{id}: documented {want}, now {got}")),
            None => out.push(format!("{id}: documented {want}, not run now")),
        }
    }
    for (id, got) in &a {
        if !e.contains_key(id) {
            out.push(format!("{id}: not documented, now {got}"));
        }
    }
    out
}

fn specs(args: &Args) -> Result<Vec<Spec>, String> {
    if args.embedded {
        // The reference server on ephemeral loopback ports, with its default accounts.
        let backend = Arc::new(serve::Backend::new(None, None).map_err(|e| e.to_string())?);
        let options = serve::Options {
            imap: Some("127.0.0.1:0".into()),
            pop3: Some("127.0.0.1:0".into()),
            ..serve::Options::default()
        };
        let running = serve::start(&options, backend).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for (scheme, protocol, addr) in [
            ("imap", Protocol::Imap, running.imap),
            ("pop3", Protocol::Pop3, running.pop3),
        ] {
            let addr = addr.ok_or("the embedded server did not start")?;
            out.push(Spec {
                url: format!("{scheme}://{addr}"),
                protocol,
                host: addr.ip().to_string(),
                port: addr.port(),
                implicit: false,
                starttls: true,
                user: Some("alice".into()),
                password: Some("secret".into()),
            });
        }
        println!("embedded reference server: IMAP and POP3 on 127.0.0.1, user alice");
        return Ok(out);
    }
    args.urls
        .iter()
        .map(|u| {
            let (protocol, implicit, host, port) = probe::parse_url(u)?;
            Ok(Spec {
                url: u.clone(),
                protocol,
                host,
                port,
                implicit,
                starttls: args.starttls && !implicit,
                user: args.user.clone(),
                password: args.password.clone(),
            })
        })
        .collect()
}

/// The text report: per target, the checks that did not pass (all of them with `all`),
/// then the counts.
pub fn text(report: &Report, all: bool) -> String {
    let mut out = String::new();
    for t in &report.targets {
        out.push_str(&format!("\n{} (TLS: {})\n", t.url, t.tls));
        for c in &t.checks {
            if all || c.result != Outcome::Pass {
                out.push_str(&format!(
                    "  {} {:<28} {:<34} {}\n",
                    label(c.result),
                    c.id,
                    c.rfc,
                    c.detail
                ));
            }
            if c.result == Outcome::Fail {
                for l in c.evidence.lines().take(12) {
                    out.push_str(&format!("         | {l}\n"));
                }
            }
        }
        if let Some(e) = &t.error {
            out.push_str(&format!("  stopped early: {e}\n"));
        }
        out.push_str(&format!(
            "  {} checks: {} passed, {} failed, {} warnings, {} skipped; {} connections\n",
            t.checks.len(),
            t.count(Outcome::Pass),
            t.count(Outcome::Fail),
            t.count(Outcome::Warn),
            t.count(Outcome::Skip),
            t.connections.len()
        ));
    }
    let verdict = match report.exit_code {
        0 => "no violation",
        1 => "violations found",
        _ => "could not run",
    };
    out.push_str(&format!(
        "\nresult: {verdict} (exit {})\n",
        report.exit_code
    ));
    out
}

fn label(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Warn => "WARN",
        Outcome::Skip => "SKIP",
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// One HTML page with inline CSS, no scripts and no external resources.
pub fn html(report: &Report) -> String {
    let mut out = String::new();
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>mailconform probe report</title><style>\n\
         body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2433}\n\
         h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d5dae3;padding-bottom:.3rem}\n\
         table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e6e9ef;vertical-align:top}\n\
         th{background:#f3f5f8}.r{font-weight:700;border-radius:3px;padding:.1rem .4rem;font-size:.8rem;color:#fff}\n\
         .pass{background:#2e7d32}.fail{background:#c62828}.warn{background:#ef8f00}.skip{background:#78828f}\n\
         code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem}pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:.3rem 0}\n\
         .sum>span{margin-right:1.2rem}.sum .r{margin-right:.3rem}.verdict{font-size:1.1rem;font-weight:700}details summary{cursor:pointer;color:#35557f}\n\
         </style></head><body>\n",
    );
    let verdict = match report.exit_code {
        0 => ("pass", "no violation"),
        1 => ("fail", "violations found"),
        _ => ("skip", "could not run"),
    };
    out.push_str(&format!(
        "<h1>mailconform probe report</h1>\n<p class=\"verdict\"><span class=\"r {}\">{}</span> exit code {} &middot; {} {}</p>\n",
        verdict.0,
        esc(verdict.1),
        report.exit_code,
        esc(&report.tool),
        esc(&report.version)
    ));
    for t in &report.targets {
        out.push_str(&format!(
            "<h2>{} <small>({}, TLS: {})</small></h2>\n",
            esc(&t.url),
            esc(&t.protocol),
            esc(&t.tls)
        ));
        out.push_str(&format!(
            "<p class=\"sum\"><span><span class=\"r pass\">{}</span> passed</span><span><span class=\"r fail\">{}</span> failed</span><span><span class=\"r warn\">{}</span> warnings</span><span><span class=\"r skip\">{}</span> skipped</span></p>\n",
            t.count(Outcome::Pass),
            t.count(Outcome::Fail),
            t.count(Outcome::Warn),
            t.count(Outcome::Skip)
        ));
        if let Some(e) = &t.error {
            out.push_str(&format!("<p><b>Stopped early:</b> {}</p>\n", esc(e)));
        }
        out.push_str("<table><tr><th>Result</th><th>Check</th><th>RFC</th><th>Detail and evidence</th></tr>\n");
        for c in &t.checks {
            let class = label(c.result).to_ascii_lowercase();
            out.push_str(&format!(
                "<tr><td><span class=\"r {class}\">{}</span></td><td><code>{}</code><br>{}</td><td>{}</td><td>{}",
                label(c.result),
                esc(&c.id),
                esc(&c.title),
                esc(&c.rfc),
                esc(&c.detail)
            ));
            if !c.evidence.is_empty() {
                let open = if c.result == Outcome::Fail {
                    " open"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "<details{open}><summary>bytes</summary><pre>{}</pre></details>",
                    esc(&c.evidence)
                ));
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</table>\n<h3>Connections</h3>\n");
        for c in &t.connections {
            out.push_str(&format!(
                "<details><summary>{}: {} client / {} server messages, {} server messages failed the strict grammar</summary><pre>{}</pre></details>\n",
                esc(&c.name),
                c.messages[0],
                c.messages[1],
                c.failed[1],
                esc(&c.trace)
            ));
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_compare() {
        let doc = "# Dovecot\nimap.greeting pass\nimap.idle fail\n\npop3.top skip\n";
        assert!(compare(doc, "imap.greeting pass\nimap.idle fail\npop3.top skip\n").is_empty());
        let changed = compare(doc, "imap.greeting pass\nimap.idle pass\nimap.new warn\n");
        assert_eq!(
            changed,
            [
                "imap.idle: documented fail, now pass",
                "pop3.top: documented skip, not run now",
                "imap.new: not documented, now warn",
            ]
        );
    }
}
