//! Login (SCRAM when offered), append (streamed), select, fetch, store, IDLE, logout with the tokio client.
//! `cargo run --features tokio --example imap_tokio -- HOST PORT USER PASSWORD` (implicit
//! TLS; with MAILPROTO_TLS=none plain); without arguments it runs against an in-process server.
#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use imap_codec::command::{FetchAtt, FetchItems, StoreAction};
use imap_codec::{Flag, SequenceSet};
use mailproto_client::Credentials;
use mailproto_client::tokio::imap::{Client, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = support::target(true, support::Mode::Implicit);
    let config = Config::default().with_tls(t.tls);
    let mut client = Client::connect(&t.host, t.port, t.mode, config).await?;
    let credentials = Credentials::password(&t.user, t.password.as_str());
    let mechanism = client.authenticate(&credentials).await?;
    let note = b"Subject: hello\r\n\r\nStreamed from a reader.\r\n";
    client
        .append_reader("INBOX", &[], None, note.len() as u64, &note[..])
        .await?;
    let inbox = client.select("INBOX").await?;
    println!("{mechanism}: INBOX has {} messages", inbox.exists);
    let all = SequenceSet::parse_str("1:*")?;
    for msg in client
        .fetch(&all, FetchItems::Single(FetchAtt::Envelope))
        .await?
    {
        println!("{}: {:?}", msg.seq, msg.attributes);
    }
    client
        .store(&all, StoreAction::Add, &[Flag::Seen], false)
        .await?;
    for change in client.idle(Duration::from_secs(2)).await? {
        println!("change: {change:?}");
    }
    client.logout().await?;
    Ok(())
}
