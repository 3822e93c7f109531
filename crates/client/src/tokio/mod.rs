//! The tokio shells: async clients over tokio's `TcpStream` (and tokio-rustls), an async IMAP
//! server driver, and tokio-util codec adapters.

pub mod codec;
pub mod imap;
pub mod pop3;
pub mod server;
mod stream;
