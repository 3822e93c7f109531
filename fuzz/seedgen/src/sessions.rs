//! Seeds of the session targets (`imap_session_client`, `imap_session_server`,
//! `pop3_session_client`, `pop3_session_server`): each trace of the corpus as the sequence of
//! operations the target applies (received bytes, commands and responses the application
//! sends, a login accepted, a body sent), written in the `arbitrary` 1.x encoding the targets
//! decode (`Vec<Op>` taken from the rest of the input: a `true` octet before each operation;
//! an enum as a little-endian `u32` picking the variant by multiply-and-shift; a `Vec<u8>` as
//! a `true` octet before each element and a `false` one at its end). Every seed is decoded
//! back with the targets' own types and compared, so that a change of the op enums or of
//! `arbitrary` fails here instead of giving seeds that mean something else.

use arbitrary::{Arbitrary, Unstructured};
use imap_session::ops::{ClientOp as ImapClientOp, ServerOp as ImapServerOp};
use mailtrace::format::{Side, Trace};
use mailtrace::imap::{self, Kind};
use pop3_codec::Command;
use pop3_session::ops::{ClientOp as Pop3ClientOp, CommandOp, ServerOp as Pop3ServerOp};

/// Encodes values in the `arbitrary` 1.x format.
#[derive(Default)]
struct Enc(Vec<u8>);

impl Enc {
    /// Variant `index` of an enum with `count` variants: the smallest `u32` whose
    /// `(u64::from(v) * count) >> 32` is `index`.
    fn variant(&mut self, index: u64, count: u64) -> &mut Self {
        let v = ((index << 32) + count - 1) / count;
        self.0.extend_from_slice(&(v as u32).to_le_bytes());
        self
    }

    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        for &x in b {
            self.0.extend_from_slice(&[1, x]);
        }
        self.0.push(0);
        self
    }

    fn u8(&mut self, x: u8) -> &mut Self {
        self.0.push(x);
        self
    }

    fn u16(&mut self, x: u16) -> &mut Self {
        self.0.extend_from_slice(&x.to_le_bytes());
        self
    }

    fn bool(&mut self, b: bool) -> &mut Self {
        self.0.push(u8::from(b));
        self
    }

    /// The next element of the top-level (take-rest) sequence follows.
    fn next(&mut self) -> &mut Self {
        self.0.push(1);
        self
    }
}

fn imap_server_op(e: &mut Enc, op: &ImapServerOp) {
    const N: u64 = 8;
    e.next();
    match op {
        ImapServerOp::Input(b) => e.variant(0, N).bytes(b),
        ImapServerOp::Eof => e.variant(1, N),
        ImapServerOp::Greeting(b) => e.variant(2, N).bytes(b),
        ImapServerOp::Respond(b) => e.variant(3, N).bytes(b),
        ImapServerOp::Challenge(b) => e.variant(4, N).bytes(b),
        ImapServerOp::TlsEstablished => e.variant(5, N),
        ImapServerOp::FetchStream { response, length } => {
            e.variant(6, N).bytes(response).u16(*length)
        }
        ImapServerOp::PushLiteral(b) => e.variant(7, N).bytes(b),
    };
}

fn imap_client_op(e: &mut Enc, op: &ImapClientOp) {
    const N: u64 = 9;
    e.next();
    match op {
        ImapClientOp::Input(b) => e.variant(0, N).bytes(b),
        ImapClientOp::Eof => e.variant(1, N),
        ImapClientOp::Send(b) => e.variant(2, N).bytes(b),
        ImapClientOp::AuthenticateResponse(b) => e.variant(3, N).bytes(b),
        ImapClientOp::AuthenticateCancel => e.variant(4, N),
        ImapClientOp::IdleDone => e.variant(5, N),
        ImapClientOp::TlsEstablished => e.variant(6, N),
        ImapClientOp::AppendStream { length, binary } => e.variant(7, N).u16(*length).bool(*binary),
        ImapClientOp::PushLiteral(b) => e.variant(8, N).bytes(b),
    };
}

fn pop3_server_op(e: &mut Enc, op: &Pop3ServerOp) {
    const N: u64 = 10;
    e.next();
    match op {
        Pop3ServerOp::Input(b) => e.variant(0, N).bytes(b),
        Pop3ServerOp::Eof => e.variant(1, N),
        Pop3ServerOp::TlsEstablished => e.variant(2, N),
        Pop3ServerOp::AcceptLogin { sizes, uids } => {
            e.variant(3, N);
            for s in sizes {
                e.u8(1).u16(*s);
            }
            e.u8(0).bool(*uids)
        }
        Pop3ServerOp::RejectLogin => e.variant(4, N),
        Pop3ServerOp::SaslChallenge(b) => e.variant(5, N).bytes(b),
        Pop3ServerOp::SendBody(b) => e.variant(6, N).bytes(b),
        Pop3ServerOp::EndBody => e.variant(7, N),
        Pop3ServerOp::RefuseRetrieve => e.variant(8, N),
        Pop3ServerOp::CommitUpdate(b) => e.variant(9, N).bool(*b),
    };
}

fn command_op(e: &mut Enc, c: &CommandOp) {
    const N: u64 = 14;
    fn opt<'e>(e: &'e mut Enc, m: &Option<u8>) -> &'e mut Enc {
        match m {
            Some(x) => e.bool(true).u8(*x),
            None => e.bool(false),
        }
    }
    match c {
        CommandOp::User => e.variant(0, N),
        CommandOp::Pass => e.variant(1, N),
        CommandOp::Quit => e.variant(2, N),
        CommandOp::Stat => e.variant(3, N),
        CommandOp::List(m) => opt(e.variant(4, N), m),
        CommandOp::Retr(m) => e.variant(5, N).u8(*m),
        CommandOp::Dele(m) => e.variant(6, N).u8(*m),
        CommandOp::Noop => e.variant(7, N),
        CommandOp::Rset => e.variant(8, N),
        CommandOp::Top(m, l) => e.variant(9, N).u8(*m).u8(*l),
        CommandOp::Uidl(m) => opt(e.variant(10, N), m),
        CommandOp::Capa => e.variant(11, N),
        CommandOp::Stls => e.variant(12, N),
        CommandOp::Auth(ir) => match ir {
            Some(b) => e.variant(13, N).bool(true).bytes(b),
            None => e.variant(13, N).bool(false),
        },
    };
}

fn pop3_client_op(e: &mut Enc, op: &Pop3ClientOp) {
    const N: u64 = 7;
    e.next();
    match op {
        Pop3ClientOp::Input(b) => e.variant(0, N).bytes(b),
        Pop3ClientOp::Eof => e.variant(1, N),
        Pop3ClientOp::TlsEstablished => e.variant(2, N),
        Pop3ClientOp::Send(c) => {
            e.variant(3, N);
            command_op(e, c);
            e
        }
        Pop3ClientOp::Apop(b) => e.variant(4, N).bytes(b),
        Pop3ClientOp::SaslRespond(b) => e.variant(5, N).bytes(b),
        Pop3ClientOp::SaslCancel => e.variant(6, N),
    };
}

/// Encodes `ops` and checks that the target's decoder reads them back.
fn encode<'a, T: Arbitrary<'a> + PartialEq + std::fmt::Debug>(
    ops: &[T],
    one: fn(&mut Enc, &T),
    keep: &'a mut Vec<u8>,
) -> &'a [u8] {
    let mut e = Enc::default();
    for op in ops {
        one(&mut e, op);
    }
    *keep = e.0;
    let decoded = Vec::<T>::arbitrary_take_rest(Unstructured::new(keep)).expect("decodes");
    assert_eq!(decoded, ops, "seed encoding and arbitrary disagree");
    keep
}

/// The IMAP session seeds of one trace.
pub fn imap(trace: &Trace, add: &mut dyn FnMut(&str, &[u8])) {
    let messages = imap::replay(trace).messages;
    let mut server = Vec::new();
    let mut client = Vec::new();
    for m in &messages {
        match (m.side, m.kind) {
            (Side::Server, Kind::Greeting) => {
                server.push(ImapServerOp::Greeting(m.bytes.clone()));
                client.push(ImapClientOp::Input(m.bytes.clone()));
            }
            (Side::Server, _) => {
                server.push(ImapServerOp::Respond(m.bytes.clone()));
                client.push(ImapClientOp::Input(m.bytes.clone()));
            }
            (Side::Client, kind) => {
                server.push(ImapServerOp::Input(m.bytes.clone()));
                client.push(match kind {
                    Kind::IdleDone => ImapClientOp::IdleDone,
                    Kind::AuthenticateData => ImapClientOp::AuthenticateResponse(m.bytes.clone()),
                    _ => ImapClientOp::Send(m.bytes.clone()),
                });
            }
        }
    }
    if messages.is_empty() {
        return;
    }
    server.push(ImapServerOp::Eof);
    client.push(ImapClientOp::Eof);
    let mut keep = Vec::new();
    add(
        "imap_session_server",
        encode(&server, imap_server_op, &mut keep),
    );
    add(
        "imap_session_client",
        encode(&client, imap_client_op, &mut keep),
    );
}

/// The POP3 command op for a client line, when the ops can say it.
fn command_op_for(c: &Command<'_>) -> Option<CommandOp> {
    let n = |m: u32| u8::try_from(m.saturating_sub(1)).ok();
    Some(match c {
        Command::User(_) => CommandOp::User,
        Command::Pass(_) => CommandOp::Pass,
        Command::Quit => CommandOp::Quit,
        Command::Stat => CommandOp::Stat,
        Command::List(m) => CommandOp::List(match m {
            Some(m) => Some(n(m.get())?),
            None => None,
        }),
        Command::Retr(m) => CommandOp::Retr(n(m.get())?),
        Command::Dele(m) => CommandOp::Dele(n(m.get())?),
        Command::Noop => CommandOp::Noop,
        Command::Rset => CommandOp::Rset,
        Command::Top { msg, lines } => CommandOp::Top(n(msg.get())?, u8::try_from(*lines).ok()?),
        Command::Uidl(m) => CommandOp::Uidl(match m {
            Some(m) => Some(n(m.get())?),
            None => None,
        }),
        Command::Capa => CommandOp::Capa,
        Command::Stls => CommandOp::Stls,
        Command::Auth {
            initial_response, ..
        } => CommandOp::Auth(initial_response.clone()),
        _ => return None,
    })
}

/// The POP3 session seeds of one trace: received bytes in file order, and the application's
/// part guessed from the commands (a login accepted, a body sent, the update committed).
pub fn pop3(trace: &Trace, add: &mut dyn FnMut(&str, &[u8])) {
    if trace.lines.is_empty() {
        return;
    }
    let mut server = Vec::new();
    let mut client = Vec::new();
    for l in &trace.lines {
        match l.side {
            Side::Server => client.push(Pop3ClientOp::Input(l.bytes.clone())),
            Side::Client => {
                server.push(Pop3ServerOp::Input(l.bytes.clone()));
                let parsed = Command::parse(&l.bytes).ok();
                match &parsed {
                    Some(Command::Pass(_) | Command::Apop { .. }) => {
                        server.push(Pop3ServerOp::AcceptLogin {
                            sizes: vec![120, 2048, 40],
                            uids: true,
                        });
                    }
                    Some(Command::Retr(_) | Command::Top { .. }) => {
                        server.push(Pop3ServerOp::SendBody(
                            b"Subject: seed\r\n\r\n.dot-stuffed line\r\nbody\r\n".to_vec(),
                        ));
                        server.push(Pop3ServerOp::EndBody);
                    }
                    Some(Command::Quit) => server.push(Pop3ServerOp::CommitUpdate(true)),
                    Some(Command::Stls) => server.push(Pop3ServerOp::TlsEstablished),
                    _ => {}
                }
                match parsed.as_ref().and_then(command_op_for) {
                    Some(op) => client.push(Pop3ClientOp::Send(op)),
                    None => client.push(Pop3ClientOp::SaslRespond(l.bytes.clone())),
                }
            }
        }
    }
    server.push(Pop3ServerOp::Eof);
    client.push(Pop3ClientOp::Eof);
    let mut keep = Vec::new();
    add(
        "pop3_session_server",
        encode(&server, pop3_server_op, &mut keep),
    );
    add(
        "pop3_session_client",
        encode(&client, pop3_client_op, &mut keep),
    );
}
