//! The pair harness: a client and a server session joined by in-memory queues.

#![allow(dead_code)]

use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, MailboxView, ServerConfig, ServerEvent,
    ServerOutput, ServerSession, State,
};

/// A client and a server session, their queues, and everything each one wrote and reported.
pub struct Pair {
    pub client: ClientSession,
    pub server: ServerSession,
    /// Bytes in flight from the client to the server.
    pub to_server: Vec<u8>,
    /// Bytes in flight from the server to the client.
    pub to_client: Vec<u8>,
    /// Every byte the client wrote.
    pub client_wire: Vec<u8>,
    /// Every byte the server wrote.
    pub server_wire: Vec<u8>,
    pub client_events: Vec<ClientEvent>,
    pub server_events: Vec<ServerEvent>,
    /// The client's view of the selected mailbox, last seen.
    pub selected_view: Option<MailboxView>,
}

impl Pair {
    pub fn new(client: ClientConfig, server: ServerConfig) -> Self {
        Self::resume(client, server, State::Greeting)
    }

    /// Both sessions start in `state`.
    pub fn resume(client: ClientConfig, server: ServerConfig, state: State) -> Self {
        Pair {
            client: ClientSession::resume(client, state),
            server: ServerSession::resume(server, state),
            to_server: Vec::new(),
            to_client: Vec::new(),
            client_wire: Vec::new(),
            server_wire: Vec::new(),
            client_events: Vec::new(),
            server_events: Vec::new(),
            selected_view: None,
        }
    }

    /// Both sessions in `state` with default configurations, after the server's
    /// `* CAPABILITY` with `capabilities` (what it advertised; the client learns them).
    pub fn advertising(state: State, capabilities: Vec<imap_codec::Capability<'static>>) -> Self {
        let mut pair = Self::resume(ClientConfig::default(), ServerConfig::default(), state);
        let data = imap_codec::response::CapabilityData::new(capabilities).unwrap();
        pair.server
            .send_response(imap_codec::Response::Data(imap_codec::Data::Capability(
                data,
            )))
            .unwrap();
        pair.drive();
        pair
    }

    /// Moves bytes and drains outputs until nothing moves. A TLS handshake is simulated when
    /// both sides wait for it.
    pub fn drive(&mut self) {
        loop {
            let mut progress = false;
            while let Some(o) = self.client.poll_output() {
                progress = true;
                match o {
                    ClientOutput::Transmit(b) => {
                        self.client_wire.extend_from_slice(b);
                        self.to_server.extend_from_slice(b);
                    }
                    ClientOutput::Event(e) => self.client_events.push(e),
                    ClientOutput::LiteralChunk { .. } => {
                        unreachable!("no literal is streamed here")
                    }
                }
                if let Some(v) = self.client.mailbox() {
                    self.selected_view = Some(v.clone());
                }
            }
            while let Some(o) = self.server.poll_output() {
                progress = true;
                match o {
                    ServerOutput::Transmit(b) => {
                        self.server_wire.extend_from_slice(b);
                        self.to_client.extend_from_slice(b);
                    }
                    ServerOutput::Event(e) => self.server_events.push(e),
                    ServerOutput::LiteralChunk { .. } => {
                        unreachable!("no literal is streamed here")
                    }
                }
            }
            if !self.to_client.is_empty()
                && !self.client.is_awaiting_tls()
                && !self.client.is_closed()
            {
                let bytes = std::mem::take(&mut self.to_client);
                self.client.handle_input(&bytes).unwrap();
                progress = true;
            }
            if !self.to_server.is_empty()
                && !self.server.is_awaiting_tls()
                && !self.server.is_closed()
            {
                let bytes = std::mem::take(&mut self.to_server);
                self.server.handle_input(&bytes).unwrap();
                progress = true;
            }
            if self.client.is_awaiting_tls() && self.server.is_awaiting_tls() {
                self.client.handle_tls_established().unwrap();
                self.server.handle_tls_established().unwrap();
                progress = true;
            }
            if !progress {
                return;
            }
        }
    }
}
