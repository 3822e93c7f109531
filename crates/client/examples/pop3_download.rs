//! Downloads every message of a POP3 maildrop into files `msg-N.eml`, streamed to disk in
//! constant memory, then deletes them (with `--delete`). `cargo run --example pop3_download
//! -- HOST PORT USER PASSWORD` (implicit TLS, port 995); without arguments (or MAILPROTO_*
//! variables) it runs against an in-process server and writes to the temporary directory.
#[path = "../tests/support/mod.rs"]
mod support;

use std::fs::File;
use std::io::BufWriter;

use mailproto_client::blocking::pop3::{Client, Config};
use mailproto_client::{Credentials, Error, Tls};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = support::target(false, support::Mode::Implicit);
    let delete = std::env::var_os("MAILPROTO_DELETE").is_some();
    let mut client = Client::connect(
        &t.host,
        t.port,
        Tls::Implicit,
        Config::default().with_tls(t.tls),
    )?;
    // SASL when the server lists mechanisms in CAPA, USER/PASS otherwise.
    match client.authenticate(&Credentials::password(&t.user, t.password.as_str())) {
        Err(Error::NoMechanism) => client.user_pass(&t.user, &t.password)?,
        other => drop(other?),
    }
    let dir = std::env::temp_dir();
    for listing in client.list(None)? {
        let path = dir.join(format!("msg-{}.eml", listing.msg));
        let mut file = BufWriter::new(File::create(&path)?);
        let octets = client.retr(listing.msg, &mut file)?;
        println!("{}: {octets} octets -> {}", listing.msg, path.display());
        if delete {
            client.dele(listing.msg)?;
        }
    }
    println!("deletions committed: {}", client.quit()?);
    Ok(())
}
