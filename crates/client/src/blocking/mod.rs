//! The blocking shells: `std::net::TcpStream` (and rustls) around the sans-IO sessions.

pub mod imap;
pub mod pop3;
mod stream;
