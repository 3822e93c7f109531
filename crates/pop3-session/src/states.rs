//! The states of RFC 1939 §3 and the transitions between them, kept as data.
//!
//! The sessions change state only through these tables ([`SERVER_TRANSITIONS`],
//! [`CLIENT_TRANSITIONS`]), decide which command is valid where from the codec's command
//! table ([`command_phases`], keyed by [`CommandKind`]), and the diagrams and the command
//! table of `docs/pop3-session.md` are drawn from the tables by [`mermaid`] and
//! [`command_table_markdown`] (a test checks that the page holds exactly what they draw).

use crate::prelude::*;

use ::core::fmt::Write as _;

use pop3_codec::CommandKind;
pub use pop3_codec::command::{Offer, Phase, Phases};

/// Which commands are valid in which [`Phase`] (RFC 1939 §4–7, RFC 2449 §5 CAPA, RFC 2595
/// §4 STLS, RFC 5034 §4 AUTH, RFC 6856 §2–3 UTF8 and LANG): one entry per row of the
/// codec's command table ([`CommandKind::ALL`], [`CommandKind::phases`]), so a command
/// cannot lack a row. The table in `docs/pop3-session.md` is drawn from it
/// ([`command_table_markdown`]).
///
/// A server answers a command given in another phase with `-ERR` without involving the
/// application; a client refuses to send it ([`crate::LocalError::WrongState`]).
pub fn command_phases() -> impl Iterator<Item = (CommandKind, Phases)> {
    CommandKind::ALL.iter().map(|k| (*k, k.phases()))
}

/// True when a command of `kind` is valid in `phase` ([`command_phases`]).
#[inline]
pub fn command_allowed(kind: CommandKind, phase: Phase) -> bool {
    kind.phases().contains(phase)
}

/// How a server says it offers a command, as the docs' table spells it.
fn offer_label(offer: Offer) -> &'static str {
    match offer {
        Offer::Always => "always (RFC 1939 §9)",
        Offer::Capa => "RFC 2449 servers",
        Offer::GreetingTimestamp => "greeting timestamp",
        Offer::Legacy => "none (legacy)",
        other => other.capability_tag().unwrap_or("-"),
    }
}

/// The "which commands are valid where" table of `docs/pop3-session.md`, as Markdown,
/// drawn from the codec's command table: one row per [`CommandKind`], in table order, with
/// the phases it is valid in ([`command_phases`]), how a server offers it
/// ([`CommandKind::offer`]: the CAPA capability of RFC 2449 §6, or the greeting timestamp
/// for APOP) and the RFC section ([`CommandKind::rfc`]).
///
/// ```
/// let table = mailproto_pop3_session::states::command_table_markdown();
/// assert!(table.contains("| STLS | AUTHORIZATION | STLS | RFC 2595 §4 |"));
/// ```
pub fn command_table_markdown() -> String {
    let mut out = String::from(
        "| command | valid in | offered by (capability) | defined in |\n|---|---|---|---|\n",
    );
    for (kind, phases) in command_phases() {
        let valid = phases
            .iter()
            .map(Phase::name)
            .collect::<Vec<_>>()
            .join(", ");
        // Rows only the real-world profile reads (`non-standard-commands`) say so.
        let profile = match kind.profile() {
            pop3_codec::Profile::Strict => "",
            _ => " (real-world only)",
        };
        let _ = writeln!(
            out,
            "| {}{profile} | {valid} | {} | {} |",
            kind.keyword(),
            offer_label(kind.offer()),
            kind.rfc()
        );
    }
    out
}

/// One edge of a state machine: in state `from`, `input` leads to state `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S, I> {
    /// The state before.
    pub from: S,
    /// What happened.
    pub input: I,
    /// The state after.
    pub to: S,
}

/// A state or input that has a name in the diagrams.
pub trait Label: Copy + PartialEq {
    /// The name drawn in the diagram.
    fn label(self) -> &'static str;
}

/// The server session's states (RFC 1939 §3), as [`crate::ServerSession::state`] reports
/// them. Sub-states owned by a command (a USER waiting for PASS, a SASL exchange, a body
/// being sent, a decision the application owes) live inside the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerState {
    /// Greeting sent; USER/PASS, APOP, AUTH, STLS, CAPA, QUIT accepted (RFC 1939 §4).
    Authorization,
    /// `+OK` to STLS sent; waiting for [`crate::ServerSession::handle_tls_established`]
    /// (RFC 2595 §4).
    TlsHandshake,
    /// The maildrop is open (RFC 1939 §5).
    Transaction,
    /// QUIT received in TRANSACTION: the application removes the marked messages
    /// (RFC 1939 §6).
    Update,
    /// The session is over; close the connection once the last bytes are sent.
    Closed,
}

/// What moves a [`ServerState`] ([`SERVER_TRANSITIONS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerInput {
    /// STLS accepted: `+OK` sent, bytes after the command discarded.
    StlsAccepted,
    /// The application says TLS is up.
    TlsEstablished,
    /// The application accepted the credentials and opened the maildrop.
    LoginAccepted,
    /// QUIT received.
    Quit,
    /// The application finished UPDATE (committed or not).
    UpdateDone,
    /// The connection ended (end of stream).
    EndOfStream,
    /// A fatal protocol violation (e.g. too many commands in flight).
    Fatal,
}

/// The server's transition table (RFC 1939 §3, §6; RFC 2595 §4).
///
/// UPDATE is entered only by QUIT from TRANSACTION; an end of stream in TRANSACTION goes
/// straight to Closed, so marks are never applied on a dropped connection (RFC 1939 §6).
/// An end of stream in UPDATE (the QUIT was received) lets the update finish.
pub const SERVER_TRANSITIONS: &[Transition<ServerState, ServerInput>] = {
    use ServerInput as I;
    use ServerState as S;
    const fn t(from: S, input: I, to: S) -> Transition<S, I> {
        Transition { from, input, to }
    }
    &[
        t(S::Authorization, I::StlsAccepted, S::TlsHandshake),
        t(S::TlsHandshake, I::TlsEstablished, S::Authorization),
        t(S::Authorization, I::LoginAccepted, S::Transaction),
        t(S::Authorization, I::Quit, S::Closed),
        t(S::Transaction, I::Quit, S::Update),
        t(S::Update, I::UpdateDone, S::Closed),
        t(S::Update, I::EndOfStream, S::Update),
        t(S::Authorization, I::EndOfStream, S::Closed),
        t(S::TlsHandshake, I::EndOfStream, S::Closed),
        t(S::Transaction, I::EndOfStream, S::Closed),
        t(S::Authorization, I::Fatal, S::Closed),
        t(S::Transaction, I::Fatal, S::Closed),
    ]
};

/// The client session's states, as [`crate::ClientSession::state`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientState {
    /// Waiting for the server's greeting (RFC 1939 §4).
    Greeting,
    /// Greeting received; not logged in.
    Authorization,
    /// `+OK` to STLS received; waiting for
    /// [`crate::ClientSession::handle_tls_established`] (RFC 2595 §4).
    TlsHandshake,
    /// Logged in; the maildrop is open (RFC 1939 §5).
    Transaction,
    /// QUIT sent from TRANSACTION; waiting for the server to say whether it removed the
    /// marked messages (RFC 1939 §6).
    Update,
    /// The session is over.
    Closed,
}

/// What moves a [`ClientState`] ([`CLIENT_TRANSITIONS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientInput {
    /// A `+OK` greeting.
    GreetingOk,
    /// A `-ERR` greeting.
    GreetingErr,
    /// `+OK` to STLS.
    StlsAccepted,
    /// The application says TLS is up.
    TlsEstablished,
    /// `+OK` to PASS, APOP or AUTH.
    LoginAccepted,
    /// QUIT sent.
    QuitSent,
    /// The answer to QUIT.
    QuitAnswered,
    /// The connection ended.
    EndOfStream,
    /// The server violated the protocol.
    PeerError,
}

/// The client's transition table.
pub const CLIENT_TRANSITIONS: &[Transition<ClientState, ClientInput>] = {
    use ClientInput as I;
    use ClientState as S;
    const fn t(from: S, input: I, to: S) -> Transition<S, I> {
        Transition { from, input, to }
    }
    &[
        t(S::Greeting, I::GreetingOk, S::Authorization),
        t(S::Greeting, I::GreetingErr, S::Closed),
        t(S::Authorization, I::StlsAccepted, S::TlsHandshake),
        t(S::TlsHandshake, I::TlsEstablished, S::Authorization),
        t(S::Authorization, I::LoginAccepted, S::Transaction),
        t(S::Authorization, I::QuitAnswered, S::Closed),
        t(S::Transaction, I::QuitSent, S::Update),
        t(S::Update, I::QuitAnswered, S::Closed),
        t(S::Greeting, I::EndOfStream, S::Closed),
        t(S::Authorization, I::EndOfStream, S::Closed),
        t(S::TlsHandshake, I::EndOfStream, S::Closed),
        t(S::Transaction, I::EndOfStream, S::Closed),
        t(S::Update, I::EndOfStream, S::Closed),
        t(S::Greeting, I::PeerError, S::Closed),
        t(S::Authorization, I::PeerError, S::Closed),
        t(S::Transaction, I::PeerError, S::Closed),
        t(S::Update, I::PeerError, S::Closed),
    ]
};

/// The state `input` leads to from `from`, if the table has that edge.
pub fn next_state<S: Copy + PartialEq, I: Copy + PartialEq>(
    table: &[Transition<S, I>],
    from: S,
    input: I,
) -> Option<S> {
    table
        .iter()
        .find(|t| t.from == from && t.input == input)
        .map(|t| t.to)
}

impl Label for ServerState {
    fn label(self) -> &'static str {
        match self {
            ServerState::Authorization => "Authorization",
            ServerState::TlsHandshake => "TlsHandshake",
            ServerState::Transaction => "Transaction",
            ServerState::Update => "Update",
            ServerState::Closed => "Closed",
        }
    }
}

impl Label for ServerInput {
    fn label(self) -> &'static str {
        match self {
            ServerInput::StlsAccepted => "STLS (+OK, rest of input dropped)",
            ServerInput::TlsEstablished => "handle_tls_established",
            ServerInput::LoginAccepted => "accept_login (PASS, APOP, AUTH)",
            ServerInput::Quit => CommandKind::Quit.keyword(),
            ServerInput::UpdateDone => "commit_update",
            ServerInput::EndOfStream => "end of stream",
            ServerInput::Fatal => "fatal peer error",
        }
    }
}

impl Label for ClientState {
    fn label(self) -> &'static str {
        match self {
            ClientState::Greeting => "Greeting",
            ClientState::Authorization => "Authorization",
            ClientState::TlsHandshake => "TlsHandshake",
            ClientState::Transaction => "Transaction",
            ClientState::Update => "Update",
            ClientState::Closed => "Closed",
        }
    }
}

impl Label for ClientInput {
    fn label(self) -> &'static str {
        match self {
            ClientInput::GreetingOk => "+OK greeting",
            ClientInput::GreetingErr => "-ERR greeting",
            ClientInput::StlsAccepted => "+OK to STLS (rest of input dropped)",
            ClientInput::TlsEstablished => "handle_tls_established",
            ClientInput::LoginAccepted => "+OK to PASS, APOP, AUTH",
            ClientInput::QuitSent => "QUIT sent",
            ClientInput::QuitAnswered => "answer to QUIT",
            ClientInput::EndOfStream => "end of stream",
            ClientInput::PeerError => "peer error",
        }
    }
}

/// Draws a transition table as a Mermaid `stateDiagram-v2`, starting in `initial`.
///
/// ```
/// use mailproto_pop3_session::states::{mermaid, ServerState, SERVER_TRANSITIONS};
/// let d = mermaid(SERVER_TRANSITIONS, ServerState::Authorization);
/// assert!(d.contains("Transaction --> Update: QUIT"));
/// ```
pub fn mermaid<S: Label, I: Label>(table: &[Transition<S, I>], initial: S) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    let _ = writeln!(out, "    [*] --> {}", initial.label());
    for t in table {
        let _ = writeln!(
            out,
            "    {} --> {}: {}",
            t.from.label(),
            t.to.label(),
            t.input.label()
        );
    }
    out
}
