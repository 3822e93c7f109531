//! Downloads a maildrop over plain TCP with the client session: USER/PASS, UIDL, RETR every
//! message into `<dir>/<uid>.eml`, optionally DELE, QUIT.
//!
//! ```text
//! cargo run -p mailproto-pop3-session --example download -- HOST:PORT USER PASSWORD DIR [--delete]
//! ```
//!
//! The I/O shell is this file only: it reads the socket into the session, writes what the
//! session transmits, and acts on events. (Plain TCP only: STLS needs a TLS library.)

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use mailproto_pop3_session::{ClientEvent, ClientOutput, ClientSession, RequestId};
use pop3_codec::{Command, Limits, Param, Secret};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: download HOST:PORT USER PASSWORD DIR [--delete]");
        std::process::exit(2);
    }
    let delete = args.get(5).is_some_and(|a| a == "--delete");
    let dir = PathBuf::from(&args[4]);
    std::fs::create_dir_all(&dir)?;

    let mut stream = TcpStream::connect(&args[1])?;
    let mut session = ClientSession::new(Limits::default());
    let mut buf = vec![0u8; 16 * 1024];
    // The file each RETR writes to.
    let mut files: Vec<(RequestId, File)> = Vec::new();
    let mut uids: Vec<(u32, String)> = Vec::new();

    loop {
        // Drain: transmit first, then events.
        while let Some(out) = session.poll_output() {
            let event = match out {
                ClientOutput::Transmit(bytes) => {
                    stream.write_all(bytes)?;
                    continue;
                }
                ClientOutput::Event(e) => e,
            };
            match event {
                ClientEvent::Greeting(_) => {
                    session.send(Command::User(Param::new(args[2].clone())?))?;
                    session.send(Command::Pass(Secret::new(args[3].clone())?))?;
                }
                ClientEvent::LoggedIn { .. } => {
                    session.send(Command::Uidl(None))?;
                }
                ClientEvent::UidList { listings, .. } => {
                    for l in listings {
                        uids.push((l.msg.get(), l.uid.as_str().to_owned()));
                        let id = session.send(Command::Retr(l.msg))?;
                        let name: String = l
                            .uid
                            .as_str()
                            .chars()
                            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                            .collect();
                        files.push((id, File::create(dir.join(format!("{name}.eml")))?));
                        if delete {
                            session.send(Command::Dele(l.msg))?;
                        }
                    }
                    session.send(Command::Quit)?;
                }
                ClientEvent::BodyChunk { id, data } => {
                    if let Some((_, f)) = files.iter_mut().find(|(i, _)| *i == id) {
                        f.write_all(data)?;
                    }
                }
                ClientEvent::MessageEnd { id } => {
                    files.retain(|(i, _)| *i != id);
                }
                ClientEvent::Refused {
                    command, status, ..
                } => {
                    let command = command.map_or("a rejected line", |k| k.keyword());
                    eprintln!("{command}: {}", status.text());
                }
                ClientEvent::AuthFailed { status, .. } => {
                    eprintln!("login failed: {}", status.text());
                }
                ClientEvent::Quit { updated, .. } => {
                    println!("{} messages; deletions committed: {updated}", uids.len());
                }
                ClientEvent::Closed(reason) => {
                    println!("closed: {reason:?}");
                    return Ok(());
                }
                _ => {}
            }
        }
        // Read what the server sent.
        let n = stream.read(&mut buf)?;
        if n == 0 {
            session.handle_eof();
        } else {
            session.handle_input(&buf[..n])?;
        }
    }
}
