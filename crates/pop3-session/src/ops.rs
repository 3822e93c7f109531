//! Operation sequences for fuzz targets and property tests: every input and every
//! application call of the sessions as data. With the `arbitrary` feature the enums derive
//! `arbitrary::Arbitrary`, so a fuzz target can run `Vec<ServerOp>` / `Vec<ClientOp>`
//! against a session: [`apply_server`] and [`apply_client`] never panic, whatever the
//! order (misuse is a [`crate::LocalError`], which they ignore).
//!
//! ```
//! use mailproto_pop3_session::ops::{apply_server, ServerOp};
//! use mailproto_pop3_session::{ServerConfig, ServerSession};
//! use pop3_codec::Greeting;
//! let greeting = Greeting::parse(b"+OK ready\r\n").unwrap();
//! let mut s = ServerSession::new(ServerConfig::new(greeting));
//! let mut wire = Vec::new();
//! for op in [ServerOp::Input(b"NOOP\r\nQUIT\r\n".to_vec()), ServerOp::Eof] {
//!     apply_server(&mut s, &op, &mut wire);
//! }
//! assert!(wire.ends_with(b"+OK POP3 server signing off\r\n"));
//! ```

use crate::prelude::*;

use pop3_codec::{Command, Mechanism, MsgNumber, Param, Secret};

use crate::client::{ClientEvent, ClientOutput, ClientSession, RequestId};
use crate::server::{Maildrop, MessageInfo, Refusal, ServerEvent, ServerOutput, ServerSession};

/// One input or application call of a [`ServerSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ServerOp {
    /// [`ServerSession::handle_input`].
    Input(Vec<u8>),
    /// [`ServerSession::handle_eof`].
    Eof,
    /// [`ServerSession::handle_tls_established`].
    TlsEstablished,
    /// [`ServerSession::accept_login`] with messages of these sizes (with unique-ids when
    /// `uids`).
    AcceptLogin {
        /// Message sizes.
        sizes: Vec<u16>,
        /// Whether the messages have unique-ids.
        uids: bool,
    },
    /// [`ServerSession::reject_login`].
    RejectLogin,
    /// [`ServerSession::sasl_challenge`].
    SaslChallenge(Vec<u8>),
    /// [`ServerSession::send_body`].
    SendBody(Vec<u8>),
    /// [`ServerSession::end_body`].
    EndBody,
    /// [`ServerSession::refuse_retrieve`].
    RefuseRetrieve,
    /// [`ServerSession::commit_update`]: `true` commits, `false` refuses.
    CommitUpdate(bool),
}

/// A command to give a [`ClientSession`], with arguments that are always valid values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum CommandOp {
    /// `USER fuzz`.
    User,
    /// `PASS secret`.
    Pass,
    /// QUIT.
    Quit,
    /// STAT.
    Stat,
    /// LIST.
    List(Option<u8>),
    /// RETR (message numbers are taken as `n + 1`).
    Retr(u8),
    /// DELE.
    Dele(u8),
    /// NOOP.
    Noop,
    /// RSET.
    Rset,
    /// TOP.
    Top(u8, u8),
    /// UIDL.
    Uidl(Option<u8>),
    /// CAPA.
    Capa,
    /// STLS.
    Stls,
    /// `AUTH PLAIN` with an optional initial response (long ones are deferred).
    Auth(Option<Vec<u8>>),
}

impl CommandOp {
    /// The command.
    pub fn to_command(&self) -> Command<'static> {
        let n = |x: u8| MsgNumber::new(u32::from(x) + 1).expect("non-zero");
        match self {
            CommandOp::User => Command::User(Param::new("fuzz").expect("valid")),
            CommandOp::Pass => Command::Pass(Secret::new("secret").expect("valid")),
            CommandOp::Quit => Command::Quit,
            CommandOp::Stat => Command::Stat,
            CommandOp::List(m) => Command::List(m.map(n)),
            CommandOp::Retr(m) => Command::Retr(n(*m)),
            CommandOp::Dele(m) => Command::Dele(n(*m)),
            CommandOp::Noop => Command::Noop,
            CommandOp::Rset => Command::Rset,
            CommandOp::Top(m, l) => Command::Top {
                msg: n(*m),
                lines: u32::from(*l),
            },
            CommandOp::Uidl(m) => Command::Uidl(m.map(n)),
            CommandOp::Capa => Command::Capa,
            CommandOp::Stls => Command::Stls,
            CommandOp::Auth(ir) => Command::Auth {
                mechanism: Mechanism::new("PLAIN").expect("valid"),
                initial_response: ir.clone(),
            },
        }
    }
}

/// One input or intention of a [`ClientSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ClientOp {
    /// [`ClientSession::handle_input`].
    Input(Vec<u8>),
    /// [`ClientSession::handle_eof`].
    Eof,
    /// [`ClientSession::handle_tls_established`].
    TlsEstablished,
    /// [`ClientSession::send`].
    Send(CommandOp),
    /// [`ClientSession::apop`] with this secret.
    Apop(Vec<u8>),
    /// [`ClientSession::sasl_respond`].
    SaslRespond(Vec<u8>),
    /// [`ClientSession::sasl_cancel`].
    SaslCancel,
}

/// Applies `op`, then drains the output: transmitted bytes are appended to `wire`, events
/// are returned. Local errors are ignored.
pub fn apply_server(s: &mut ServerSession, op: &ServerOp, wire: &mut Vec<u8>) -> Vec<ServerEvent> {
    let _ = match op {
        ServerOp::Input(d) => s.handle_input(d),
        ServerOp::Eof => {
            s.handle_eof();
            Ok(())
        }
        ServerOp::TlsEstablished => s.handle_tls_established(),
        ServerOp::AcceptLogin { sizes, uids } => {
            let messages = sizes
                .iter()
                .enumerate()
                .map(|(i, &size)| MessageInfo {
                    size: u64::from(size),
                    uid: uids.then(|| {
                        pop3_codec::UniqueId::new(format!("uid{i}")).expect("valid unique-id")
                    }),
                })
                .collect();
            s.accept_login(Maildrop::new(messages))
        }
        ServerOp::RejectLogin => s.reject_login(Refusal::auth()),
        ServerOp::SaslChallenge(d) => s.sasl_challenge(d),
        ServerOp::SendBody(d) => s.send_body(d),
        ServerOp::EndBody => s.end_body(),
        ServerOp::RefuseRetrieve => s.refuse_retrieve(Refusal::sys_temp()),
        ServerOp::CommitUpdate(ok) => s.commit_update(if *ok {
            Ok(())
        } else {
            Err(Refusal::sys_temp())
        }),
    };
    drain_server(s, wire)
}

/// Drains a server session's output into `wire` and a list of events.
pub fn drain_server(s: &mut ServerSession, wire: &mut Vec<u8>) -> Vec<ServerEvent> {
    let mut events = Vec::new();
    while let Some(o) = s.poll_output() {
        match o {
            ServerOutput::Transmit(b) => wire.extend_from_slice(b),
            ServerOutput::Event(e) => events.push(e),
        }
    }
    events
}

/// Applies `op`, then drains the output: transmitted bytes are appended to `wire`, events
/// are returned as [`ClientRecord`]s (body chunks copied). Local errors are ignored.
pub fn apply_client(c: &mut ClientSession, op: &ClientOp, wire: &mut Vec<u8>) -> Vec<ClientRecord> {
    let mut events = Vec::new();
    apply_client_into(c, op, wire, &mut events);
    events
}

/// [`apply_client`] with the [`ClientRecord`]s appended to `events`: a caller applying many
/// operations (a fuzz target) keeps one vector for all of them.
pub fn apply_client_into(
    c: &mut ClientSession,
    op: &ClientOp,
    wire: &mut Vec<u8>,
    events: &mut Vec<ClientRecord>,
) {
    let _ = match op {
        ClientOp::Input(d) => c.handle_input(d),
        ClientOp::Eof => {
            c.handle_eof();
            Ok(())
        }
        ClientOp::TlsEstablished => c.handle_tls_established(),
        ClientOp::Send(cmd) => c.send(cmd.to_command()).map(drop),
        ClientOp::Apop(secret) => c.apop(Param::new("fuzz").expect("valid"), secret).map(drop),
        ClientOp::SaslRespond(d) => c.sasl_respond(d),
        ClientOp::SaslCancel => c.sasl_cancel(),
    };
    drain_client_into(c, wire, events);
}

/// Drains a client session's output into `wire` and a list of owned events.
pub fn drain_client(c: &mut ClientSession, wire: &mut Vec<u8>) -> Vec<ClientRecord> {
    let mut events = Vec::new();
    drain_client_into(c, wire, &mut events);
    events
}

/// [`drain_client`] with the records appended to `events`.
pub fn drain_client_into(
    c: &mut ClientSession,
    wire: &mut Vec<u8>,
    events: &mut Vec<ClientRecord>,
) {
    while let Some(o) = c.poll_output() {
        match o {
            ClientOutput::Transmit(b) => wire.extend_from_slice(b),
            ClientOutput::Event(e) => events.push(record(e)),
        }
    }
}

/// A client event with its body chunk copied, as [`drain_client`] returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRecord {
    /// Any event but a body chunk.
    Event(ClientEvent<'static>),
    /// [`ClientEvent::BodyChunk`], copied.
    Chunk {
        /// The RETR or TOP command.
        id: RequestId,
        /// The octets.
        data: Vec<u8>,
    },
}

/// Copies what an event borrows.
pub fn record(e: ClientEvent<'_>) -> ClientRecord {
    use ClientEvent as E;
    ClientRecord::Event(match e {
        E::BodyChunk { id, data } => {
            return ClientRecord::Chunk {
                id,
                data: data.to_vec(),
            };
        }
        E::Greeting(g) => E::Greeting(g),
        E::Capabilities { id, capabilities } => E::Capabilities { id, capabilities },
        E::StartTls { id } => E::StartTls { id },
        E::PlaintextStateDropped { capabilities } => E::PlaintextStateDropped { capabilities },
        E::SaslChallenge { id, data } => E::SaslChallenge { id, data },
        E::LoggedIn { id, status } => E::LoggedIn { id, status },
        E::Authenticated { id, mechanism } => E::Authenticated { id, mechanism },
        E::AuthenticationFailed { id, error } => E::AuthenticationFailed { id, error },
        E::AuthFailed { id, status } => E::AuthFailed { id, status },
        E::Ok { id, status } => E::Ok { id, status },
        E::Refused {
            id,
            command,
            status,
        } => E::Refused {
            id,
            command,
            status,
        },
        E::Stat { id, count, size } => E::Stat { id, count, size },
        E::Scan { id, listing } => E::Scan { id, listing },
        E::ScanList { id, listings } => E::ScanList { id, listings },
        E::Uid { id, listing } => E::Uid { id, listing },
        E::UidList { id, listings } => E::UidList { id, listings },
        E::Languages { id, listings } => E::Languages { id, listings },
        E::Mechanisms { id, mechanisms } => E::Mechanisms { id, mechanisms },
        E::XtndList { id, lines } => E::XtndList { id, lines },
        E::MessageStart { id, status } => E::MessageStart { id, status },
        E::MessageEnd { id } => E::MessageEnd { id },
        E::Quit {
            id,
            updated,
            status,
        } => E::Quit {
            id,
            updated,
            status,
        },
        E::PeerError(e) => E::PeerError(e),
        E::Deviation(d) => E::Deviation(d),
        E::Received(r) => E::Received(r),
        E::Closed(c) => E::Closed(c),
    })
}
