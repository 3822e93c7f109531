//! A tokio IMAP server over an in-memory store: `tokio::server::Server` runs one
//! imap-session `ServerSession` per connection, and the `Handler` of `tests/support` answers
//! from mailproto-imap-mailbox's `Store` (user `user`, password `pencil`).
//! `cargo run --features tokio --example imap_server -- PORT` serves plain IMAP on
//! 127.0.0.1:PORT until stopped; without arguments it serves on an ephemeral port, runs one
//! tokio client session against itself and exits.
#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex};

use imap_session::ServerConfig;
use mailproto_client::tokio::{imap, server::Server};
use mailproto_client::{Tls, TlsConfig};
use mailproto_imap_mailbox::Store;
use support::{ImapConn, Mode};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut store = Store::default();
    store.create("INBOX")?;
    let store = Arc::new(Mutex::new(store));
    let port: u16 = std::env::args()
        .nth(1)
        .map(|p| p.parse())
        .transpose()?
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    println!("serving IMAP on {addr}");
    let server = Server::new(ServerConfig::default());
    let shared = store.clone();
    let serving = server.serve(listener, move || ImapConn::new(Mode::Plain, shared.clone()));
    if port != 0 {
        return Ok(serving.await?);
    }
    let session = async {
        let config = imap::Config::default().with_tls(TlsConfig::new().without_platform_roots());
        let mut client = imap::Client::connect("127.0.0.1", addr.port(), Tls::None, config).await?;
        client.login(support::USER, support::PASSWORD).await?;
        client
            .append("INBOX", &[], None, b"Subject: hi\r\n\r\nhello\r\n")
            .await?;
        println!("INBOX: {} message(s)", client.select("INBOX").await?.exists);
        client.logout().await?;
        Ok::<_, mailproto_client::Error>(())
    };
    tokio::select! {
        done = session => done?,
        failed = serving => failed?,
    }
    Ok(())
}
