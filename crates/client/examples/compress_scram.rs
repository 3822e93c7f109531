//! Issue 13's "Done when": log into a real IMAP server with SCRAM-SHA-256, turn
//! COMPRESS=DEFLATE on (RFC 4978), append the messages of a directory to a fresh mailbox and
//! fetch them back byte-identical to the source files, all over the compressed stream.
//!
//! `cargo run -p mailproto-client --features compress --example compress_scram -- HOST PORT
//! USER PASSWORD [DIR]` over plain TCP to a loopback test server (e.g. `scripts/peers/dovecot.sh
//! start`: 127.0.0.1 20143 bob secret). `DIR` defaults to `scripts/peers/messages`. It exits
//! non-zero when the server does not offer SCRAM-SHA-256 or COMPRESS=DEFLATE, or a message
//! differs. CI runs it in its Dovecot step (`.ci/run`).

use std::path::PathBuf;

use imap_codec::command::{FetchAtt, FetchItems};

use imap_codec::{Capability, Section, SequenceSet};
use mailproto_client::blocking::imap::{Client, Config};
use mailproto_client::{Credentials, Tls};
use mailproto_sasl::Mechanism;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, port, user, password, rest @ ..] = args.as_slice() else {
        return Err("usage: compress_scram HOST PORT USER PASSWORD [DIR]".into());
    };
    let dir = rest.first().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/peers/messages")
    });
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    // The files are stored with LF line ends; a message on the wire has CRLF (RFC 5322 §2.1,
    // RFC 9051 §6.3.12): that form is appended and must come back unchanged.
    let sources: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).map(|b| crlf(&b)))
        .collect::<Result<_, _>>()?;

    // A loopback test server without TLS: SCRAM sends no reusable secret, so no exception
    // for plaintext mechanisms is needed.
    let mut client = Client::connect(host, port.parse()?, Tls::None, Config::default())?;
    let mechanism = client.authenticate(&Credentials::password(user, password.as_str()))?;
    if mechanism != Mechanism::SCRAM_SHA_256 {
        return Err(format!("authenticated with {mechanism}, not SCRAM-SHA-256").into());
    }
    println!("authenticated with {mechanism} (server signature verified)");
    if !client
        .capabilities()?
        .contains(&Capability::CompressDeflate)
    {
        return Err("the server does not offer COMPRESS=DEFLATE".into());
    }
    client.compress()?;
    println!("COMPRESS=DEFLATE on");

    // A fresh mailbox, so that the fetched messages are exactly the appended ones.
    let mailbox = format!(
        "mailproto-compress-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis()
    );
    client.command(imap_codec::CommandBody::Create {
        mailbox: imap_codec::Mailbox::new(mailbox.as_str())?,
        params: Vec::new(),
    })?;
    for source in &sources {
        client.append(&mailbox, &[], None, source)?;
    }
    let view = client.select(&mailbox)?;
    if view.exists as usize != sources.len() {
        return Err(format!(
            "{} messages appended, {} in the mailbox",
            sources.len(),
            view.exists
        )
        .into());
    }
    let fetched = client.fetch(
        &SequenceSet::parse_str("1:*")?,
        FetchItems::Single(FetchAtt::BodySection {
            peek: true,
            section: Section::Part(None),
            partial: None,
        }),
    )?;
    let mut identical = 0;
    for (file, source) in files.iter().zip(&sources) {
        let seq = identical + 1;
        let got = fetched
            .iter()
            .find(|f| f.seq.get() as usize == seq)
            .and_then(|f| f.body());
        if got != Some(source.as_slice()) {
            return Err(
                format!("message {seq} ({}) differs from its source", file.display()).into(),
            );
        }
        identical += 1;
    }
    client.command(imap_codec::CommandBody::Close)?;
    client.command(imap_codec::CommandBody::Delete {
        mailbox: imap_codec::Mailbox::new(mailbox.as_str())?,
    })?;
    client.logout()?;
    println!(
        "{identical} messages ({} octets) fetched byte-identical to their sources over COMPRESS=DEFLATE",
        sources.iter().map(Vec::len).sum::<usize>()
    );
    Ok(())
}

/// Bare LF line ends made CRLF.
fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32);
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' && (i == 0 || text[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}
