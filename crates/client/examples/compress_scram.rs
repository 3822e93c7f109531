//! Issue 13's "Done when": log into a real IMAP server with SCRAM-SHA-256, turn
//! COMPRESS=DEFLATE on (RFC 4978), append the messages of a directory to a fresh mailbox and
//! fetch them back byte-identical to the source files, all over the compressed stream.
//!
//! `cargo run -p mailproto-client --features compress --example compress_scram -- HOST PORT
//! USER PASSWORD [DIR]` over plain TCP to a loopback test server (e.g. `scripts/peers/dovecot.sh
//! start`: 127.0.0.1 20143 bob secret). `DIR` defaults to `scripts/peers/messages`. It exits
//! non-zero when the server does not offer SCRAM-SHA-256 or COMPRESS=DEFLATE, or a message
//! differs. CI runs it in its Dovecot step (`.ci/run`); it passes against Cyrus too
//! (`scripts/peers/cyrus.sh start`: 127.0.0.1 22143 bob secret).
//!
//! A message whose header holds raw UTF-8 (`09-utf8-headers.eml`) is valid only for a server
//! that accepted UTF-8 (RFC 6532; RFC 5322 §2.2 header fields are US-ASCII): Cyrus, which does
//! not offer UTF8=ACCEPT, rewrites such octets on APPEND (its `munge8bit`). So the example
//! makes each message valid for the server before appending it, and compares what comes back
//! with what it appended: when the server offers UTF8=ACCEPT it enables it and appends such a
//! message as UTF8 data, unchanged (RFC 6855 §3, §4: `APPEND ... UTF8 (~{n}...)`); otherwise it
//! writes the non-ASCII header fields as RFC 2047 encoded-words (`Q` encoding) first.

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

    // RFC 6855 §3: UTF-8 header fields only once UTF8=ACCEPT is enabled.
    let utf8 = client.capabilities()?.contains(&Capability::Utf8Accept);
    if utf8 {
        client.command(imap_codec::CommandBody::Enable {
            capabilities: imap_codec::ext::NonEmpty::new(vec![Capability::Utf8Accept])?,
        })?;
        println!("UTF8=ACCEPT enabled");
    }

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
    // What is appended: each source, valid for this server (see the module doc).
    let sources: Vec<Vec<u8>> = sources
        .into_iter()
        .map(|s| if utf8 { s } else { ascii_header(&s) })
        .collect();
    for source in &sources {
        if utf8 && !header(source).is_ascii() {
            // RFC 6855 §4: a message with UTF-8 header fields is appended as UTF8 data.
            client.command(imap_codec::CommandBody::Append {
                mailbox: imap_codec::Mailbox::new(mailbox.as_str())?,
                flags: None,
                date: None,
                message: imap_codec::command::AppendData::Utf8(imap_codec::Literal8::new(
                    source.as_slice(),
                )),
                more: Vec::new(),
            })?;
        } else {
            client.append(&mailbox, &[], None, source)?;
        }
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
/// The header section of a message: up to the first empty line (RFC 5322 §2.1).
fn header(message: &[u8]) -> &[u8] {
    let end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(message.len());
    &message[..end]
}

/// The message with each header field that holds non-ASCII octets rewritten with RFC 2047
/// encoded-words (`=?UTF-8?Q?...?=`, §4.2, at most 75 characters each, §2): the display name
/// before `<` of an address field, the whole value of any other field. The body is unchanged.
fn ascii_header(message: &[u8]) -> Vec<u8> {
    let head = header(message);
    let mut out = Vec::with_capacity(message.len() + 64);
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match line.iter().position(|&b| b == b':') {
            Some(colon) if !line.is_ascii() => {
                let (name, value) = (&line[..=colon], line[colon + 1..].trim_ascii_start());
                let (text, addr) = match value.iter().position(|&b| b == b'<') {
                    Some(lt) => (value[..lt].trim_ascii_end(), &value[lt..]),
                    None => (value, &b""[..]),
                };
                out.extend_from_slice(name);
                for (n, word) in encoded_words(text).iter().enumerate() {
                    out.extend_from_slice(if n == 0 { b" " } else { b"\r\n " });
                    out.extend_from_slice(format!("=?UTF-8?Q?{word}?=").as_bytes());
                }
                if !addr.is_empty() {
                    out.push(b' ');
                    out.extend_from_slice(addr);
                }
            }
            _ => out.extend_from_slice(line),
        }
        out.extend_from_slice(b"\r\n");
    }
    // `header` stops before the empty line's CRLF CRLF: one CRLF is written above.
    out.extend_from_slice(&message[head.len() + 2..]);
    out
}

/// The `Q`-encoded texts (RFC 2047 §4.2, with only letters and digits left as they are, which
/// is safe in a phrase too, §5) of the encoded-words for `text`, split between characters so
/// that each encoded-word has at most 75 characters (§2).
fn encoded_words(text: &[u8]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in String::from_utf8_lossy(text).chars() {
        let mut q = String::new();
        let mut utf8 = [0u8; 4];
        for &b in c.encode_utf8(&mut utf8).as_bytes() {
            match b {
                b' ' => q.push('_'),
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => q.push(char::from(b)),
                _ => q.push_str(&format!("={b:02X}")),
            }
        }
        match words.last_mut() {
            // "=?UTF-8?Q?" and "?=" take 12 of the 75.
            Some(w) if w.len() + q.len() <= 75 - 12 => w.push_str(&q),
            _ => words.push(q),
        }
    }
    words
}

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
