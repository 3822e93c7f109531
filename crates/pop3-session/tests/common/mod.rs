//! The pair harness: a client session and a server session over in-memory queues, with a
//! small maildrop application on the server side.
#![allow(dead_code)]

use mailproto_pop3_session::ops::{ClientRecord, drain_client, drain_server};
use mailproto_pop3_session::{
    ClientSession, Credentials, Maildrop, MessageInfo, Refusal, ServerConfig, ServerEvent,
    ServerSession,
};
use pop3_codec::{
    ApopDigest, Capability, Command, Greeting, IntoStatic, Limits, Mechanism, MsgNumber, UniqueId,
};

pub const RFC_GREETING: &str = "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>";

/// The application behind the server: one maildrop, one user.
pub struct MailApp {
    pub messages: Vec<Vec<u8>>,
    pub uids: bool,
    pub user: String,
    pub secret: Vec<u8>,
    /// What `reject_login` sends when credentials are wrong.
    pub refusal: Refusal,
    /// Chunk size for bodies.
    pub chunk: usize,
    pub updates: Vec<Vec<MsgNumber>>,
    pub events: Vec<ServerEvent>,
    /// When true, Retrieve events are left for the test to answer.
    pub manual_bodies: bool,
}

impl MailApp {
    pub fn new(messages: Vec<Vec<u8>>) -> Self {
        MailApp {
            messages,
            uids: true,
            user: "mrose".into(),
            secret: b"tanstaaf".to_vec(),
            refusal: Refusal::auth(),
            chunk: 7,
            updates: Vec::new(),
            events: Vec::new(),
            manual_bodies: false,
        }
    }

    pub fn maildrop(&self) -> Maildrop {
        Maildrop::new(
            self.messages
                .iter()
                .enumerate()
                .map(|(i, m)| MessageInfo {
                    size: m.len() as u64,
                    uid: self
                        .uids
                        .then(|| UniqueId::new(format!("uid-{i}-x")).unwrap()),
                })
                .collect(),
        )
    }

    pub fn answer(&mut self, s: &mut ServerSession, e: &ServerEvent) {
        self.events.push(e.clone());
        match e {
            ServerEvent::Authenticate(Credentials::UserPass { name, password }) => {
                if name.as_str() == self.user && password.as_str().as_bytes() == self.secret {
                    s.accept_login(self.maildrop()).unwrap();
                } else {
                    s.reject_login(self.refusal.clone()).unwrap();
                }
            }
            ServerEvent::Authenticate(Credentials::Apop {
                name,
                digest,
                timestamp,
            }) => {
                if name.as_str() == self.user
                    && ApopDigest::compute(timestamp, &self.secret).verify(digest)
                {
                    s.accept_login(self.maildrop()).unwrap();
                } else {
                    s.reject_login(self.refusal.clone()).unwrap();
                }
            }
            ServerEvent::SaslStart {
                initial_response: Some(ir),
                ..
            }
            | ServerEvent::SaslResponse(ir) => {
                // PLAIN: authzid NUL authcid NUL password.
                let want = [b"\0".as_slice(), self.user.as_bytes(), b"\0", &self.secret].concat();
                if *ir == want {
                    s.accept_login(self.maildrop()).unwrap();
                } else {
                    s.reject_login(self.refusal.clone()).unwrap();
                }
            }
            ServerEvent::SaslStart {
                initial_response: None,
                ..
            } => s.sasl_challenge(b"").unwrap(),
            ServerEvent::Retrieve { .. } if self.manual_bodies => {}
            ServerEvent::Retrieve { msg, .. } => {
                let body = &self.messages[msg.get() as usize - 1];
                for c in body.chunks(self.chunk.max(1)) {
                    s.send_body(c).unwrap();
                }
                s.end_body().unwrap();
            }
            ServerEvent::Update { deleted } => {
                self.updates.push(deleted.clone());
                s.commit_update(Ok(())).unwrap();
            }
            _ => {}
        }
    }
}

pub fn capabilities() -> Vec<Capability<'static>> {
    vec![
        Capability::Top,
        Capability::User,
        Capability::Uidl,
        Capability::Pipelining,
        Capability::Stls,
        Capability::Sasl(vec![
            Mechanism::new("PLAIN").unwrap(),
            Mechanism::new("KERBEROS_V4").unwrap(),
            Mechanism::new("DIGEST-MD5").unwrap(),
        ]),
    ]
}

pub fn config_with(greeting: Greeting<'static>) -> ServerConfig {
    ServerConfig::new(greeting).with_capabilities(capabilities())
}

pub fn config() -> ServerConfig {
    let line = format!("{RFC_GREETING}\r\n");
    config_with(Greeting::parse(line.as_bytes()).unwrap().into_static())
}

/// A client and a server connected by in-memory queues.
pub struct Pair {
    pub client: ClientSession,
    pub server: ServerSession,
    pub app: MailApp,
    pub client_events: Vec<ClientRecord>,
    /// Every byte each side sent.
    pub client_wire: Vec<u8>,
    pub server_wire: Vec<u8>,
    to_server: Vec<u8>,
    to_client: Vec<u8>,
    /// Largest `buffered_len` seen on each side after draining.
    pub max_client_buffered: usize,
    pub max_server_buffered: usize,
}

impl Pair {
    pub fn new(config: ServerConfig, app: MailApp) -> Self {
        Pair {
            client: ClientSession::new(Limits::default()),
            server: ServerSession::new(config),
            app,
            client_events: Vec::new(),
            client_wire: Vec::new(),
            server_wire: Vec::new(),
            to_server: Vec::new(),
            to_client: Vec::new(),
            max_client_buffered: 0,
            max_server_buffered: 0,
        }
    }

    /// Moves bytes both ways until nothing moves.
    pub fn run(&mut self) {
        loop {
            let mut moved = false;
            let mut wire = Vec::new();
            self.client_events
                .extend(drain_client(&mut self.client, &mut wire));
            self.client_wire.extend_from_slice(&wire);
            self.to_server.extend_from_slice(&wire);
            if !self.to_server.is_empty() {
                moved = true;
                let _ = self
                    .server
                    .handle_input(&std::mem::take(&mut self.to_server));
            }
            loop {
                let mut wire = Vec::new();
                let events = drain_server(&mut self.server, &mut wire);
                self.server_wire.extend_from_slice(&wire);
                self.to_client.extend_from_slice(&wire);
                if events.is_empty() {
                    break;
                }
                for e in &events {
                    self.app.answer(&mut self.server, e);
                }
            }
            self.max_server_buffered = self.max_server_buffered.max(self.server.buffered_len());
            if !self.to_client.is_empty() {
                moved = true;
                let _ = self
                    .client
                    .handle_input(&std::mem::take(&mut self.to_client));
            }
            let mut wire = Vec::new();
            self.client_events
                .extend(drain_client(&mut self.client, &mut wire));
            self.max_client_buffered = self.max_client_buffered.max(self.client.buffered_len());
            self.client_wire.extend_from_slice(&wire);
            self.to_server.extend_from_slice(&wire);
            if !moved && self.to_server.is_empty() {
                return;
            }
        }
    }

    pub fn send(&mut self, cmd: Command<'_>) -> mailproto_pop3_session::RequestId {
        let id = self.client.send(cmd).unwrap();
        self.run();
        id
    }

    /// Ends of stream both ways.
    pub fn drop_connection(&mut self) {
        self.server.handle_eof();
        self.client.handle_eof();
        self.run();
        let mut wire = Vec::new();
        for e in drain_server(&mut self.server, &mut wire) {
            self.app.answer(&mut self.server, &e);
        }
    }

    /// The body octets received for the command `id`.
    pub fn body(&self, id: mailproto_pop3_session::RequestId) -> Vec<u8> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                ClientRecord::Chunk { id: i, data } if *i == id => Some(data.as_slice()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect()
    }
}
