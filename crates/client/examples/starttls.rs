//! STARTTLS (IMAP, RFC 9051 §6.2.1) and STLS (POP3, RFC 2595 §4): plain text first, then
//! TLS when the session says so; the server's certificate is verified.
//! `cargo run --example starttls -- HOST PORT USER PASSWORD` (IMAP on port 143); without
//! arguments (or MAILPROTO_* variables) it runs against in-process IMAP and POP3 servers.
#[path = "../tests/support/mod.rs"]
mod support;

use mailproto_client::blocking::{imap, pop3};
use mailproto_client::{Credentials, Tls};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = support::target(true, support::Mode::StartTls);
    let config = imap::Config::default().with_tls(t.tls);
    let mut client = imap::Client::connect(&t.host, t.port, Tls::StartTls, config)?;
    println!("IMAP over TLS after STARTTLS: {}", client.is_tls());
    client.authenticate(&Credentials::password(&t.user, t.password.as_str()))?;
    println!("IMAP INBOX: {} messages", client.select("INBOX")?.exists);
    client.logout()?;

    if std::env::args().len() == 1 && std::env::var_os("MAILPROTO_HOST").is_none() {
        let t = support::target(false, support::Mode::StartTls);
        let config = pop3::Config::default().with_tls(t.tls);
        let mut client = pop3::Client::connect(&t.host, t.port, Tls::StartTls, config)?;
        println!("POP3 over TLS after STLS: {}", client.is_tls());
        client.authenticate(&Credentials::password(&t.user, t.password.as_str()))?;
        println!("POP3 maildrop: {:?}", client.stat()?);
        client.quit()?;
    }
    Ok(())
}
