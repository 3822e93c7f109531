//! Observer mode: following a recorded exchange instead of taking part in it.
//!
//! A trace reader (`mailtrace`, `mailconform`) feeds the client's bytes to a
//! [`ServerSession::observer`](crate::ServerSession::observer) and the server's bytes to a
//! [`ClientSession::observer`](crate::ClientSession::observer), and hands what each one
//! parsed to the other as what its own side sent:
//!
//! | the server observer reports | the driver calls on the client observer |
//! |---|---|
//! | a command | [`send`](crate::ClientSession::send) |
//! | a SASL line | [`sasl_respond`](crate::ClientSession::sasl_respond) / [`sasl_cancel`](crate::ClientSession::sasl_cancel) |
//! | a line the grammar rejects | [`observe_rejected_line_as`](crate::ClientSession::observe_rejected_line_as)`(received.answered_as)`: the answer its keyword asks for from a server that reads it leniently, else one status line |
//!
//! | the client observer reports | the driver calls on the server observer |
//! |---|---|
//! | a SASL challenge ([`ClientEvent::SaslChallenge`](crate::ClientEvent::SaslChallenge)) | [`sasl_challenge`](crate::ServerSession::sasl_challenge) |
//! | `+OK` to STLS ([`ClientEvent::StartTls`](crate::ClientEvent::StartTls)) | `handle_tls_established` on both |
//!
//! So the sessions decide which parser applies to each message: a command or a SASL line
//! (RFC 5034 §4), and what each response answers, pipelined or not (RFC 2449 §6.6).
//!
//! A line that cannot be parsed never desynchronizes the rest: RFC 1939 §3 requires a
//! server to answer an unrecognized or syntactically invalid command with one negative
//! status line, so the client observer expects exactly one single-line answer for it
//! (`-ERR`, or `+OK` from a lenient server) and the answers after it pair with their own
//! commands.
//!
//! Observers never transmit, never refuse a command for its state (they report what was
//! sent, not what should have been), and never close on a syntax error: each message is
//! reported, parsed or not, as a [`Received`] event, and the session goes on.

use pop3_codec::{Command, Expected, Response, SaslResponse};

use crate::client::RequestId;
use crate::error::PeerError;

/// What kind of client message an observer read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// A command line (RFC 1939 §3).
    Command,
    /// A SASL response line, after a challenge to AUTH (RFC 5034 §4).
    SaslResponse,
}

/// A client message as a server observer parsed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inbound {
    /// A command.
    Command(Command<'static>),
    /// A SASL response line (or `*`).
    SaslResponse(SaslResponse),
}

/// One client message read by a server observer
/// ([`ServerEvent::Received`](crate::ServerEvent::Received)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Received {
    /// How it was read.
    pub kind: MessageKind,
    /// The message, or why the grammar rejected it.
    pub result: Result<Inbound, PeerError>,
    /// What the server's answer to it is read as: `Expected::from` the command, the
    /// challenge-or-status of a SASL line, and for a line the grammar rejects the guess of
    /// [`Expected::for_rejected_line`] (pass it to
    /// [`observe_rejected_line_as`](crate::ClientSession::observe_rejected_line_as)).
    pub answered_as: Expected,
}

/// One server response read by a client observer
/// ([`ClientEvent::Received`](crate::ClientEvent::Received)), before the session acts on
/// it. Positive RETR and TOP answers are not reported here but as
/// [`MessageStart`](crate::ClientEvent::MessageStart), body chunks and
/// [`MessageEnd`](crate::ClientEvent::MessageEnd), as in a normal session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedResponse {
    /// The command it answers (`None` for the greeting and unsolicited bytes).
    pub id: Option<RequestId>,
    /// What it was parsed as.
    pub answers: Expected,
    /// The response, or why the grammar rejected it.
    pub result: Result<Response<'static>, PeerError>,
}
