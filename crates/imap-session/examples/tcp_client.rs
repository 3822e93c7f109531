//! The client session wired to a `std::net::TcpStream` (plain IMAP, port 143): greeting,
//! CAPABILITY, LOGIN, SELECT INBOX, LOGOUT. A real client would run STARTTLS first (see the
//! `TlsRequired` event) with a TLS library of its choice.
//!
//! ```sh
//! cargo run -p mailproto-imap-session --example tcp_client -- imap.example.org:143 user password
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;

use imap_codec::{AString, CommandBody, Mailbox};
use mailproto_imap_session::{ClientConfig, ClientEvent, ClientOutput, ClientSession, State};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:143".to_owned());
    let user = args.next().unwrap_or_else(|| "user".to_owned());
    let pass = args.next().unwrap_or_else(|| "password".to_owned());

    let mut stream = TcpStream::connect(&addr)?;
    let mut session = ClientSession::new(ClientConfig::default());
    let mut buf = [0u8; 16 * 1024];
    loop {
        // Drain: write what the session wants written, act on its events.
        while let Some(output) = session.poll_output() {
            match output {
                ClientOutput::Transmit(bytes) => stream.write_all(bytes)?,
                // Octets of a FETCH literal over the streaming threshold: this example
                // fetches none.
                ClientOutput::LiteralChunk { data, .. } => println!("{} octets", data.len()),
                ClientOutput::Event(event) => {
                    println!("{event:?}");
                    match event {
                        ClientEvent::Greeting(_) => {
                            session.send(CommandBody::Capability)?;
                            session.send(CommandBody::Login {
                                username: AString::new(user.clone())?,
                                password: AString::new(pass.clone())?,
                            })?;
                        }
                        ClientEvent::StateChanged {
                            to: State::Authenticated,
                            ..
                        } => {
                            session.send(CommandBody::Select {
                                mailbox: Mailbox::new("INBOX")?,
                                params: Vec::new(),
                            })?;
                        }
                        ClientEvent::StateChanged {
                            to: State::Selected,
                            ..
                        } => {
                            println!("INBOX: {:?}", session.mailbox());
                            session.send(CommandBody::Logout)?;
                        }
                        ClientEvent::Completed { status, .. }
                            if status.kind() != imap_codec::StatusKind::Ok =>
                        {
                            eprintln!("refused: {}", status.text().as_str());
                            session.send(CommandBody::Logout)?;
                        }
                        ClientEvent::TlsRequired { .. } => {
                            return Err("this example does not do TLS".into());
                        }
                        _ => {}
                    }
                }
            }
        }
        if session.is_closed() {
            return Ok(());
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            session.handle_eof();
        } else {
            session.handle_input(&buf[..n])?;
        }
    }
}
