//! tokio-util [`Decoder`]/[`Encoder`] adapters over the codecs, for applications that run
//! their own loop over `Framed`: framing with imap-codec's literal-aware framer (or the POP3
//! command line) and parsing into owned values. They are codecs, not sessions: literal
//! continuation, AUTHENTICATE and IDLE sub-states, STARTTLS and state rules are the
//! application's job here (the sessions and the clients above do them).

use bytes::{Buf, BytesMut};
use imap_codec::framer::{Framer, FramerConfig, LiteralAnnouncement, Status as FrameStatus};
use imap_codec::{
    AuthenticateData, Command, EncodeOptions, Greeting, IdleDone, IntoStatic, ParseError, Response,
};
use imap_session::{Inbound, MessageKind, PeerError};
use tokio_util::codec::{Decoder, Encoder};

use crate::Error;

/// What a decoder yields: a parsed message, or (server side) a synchronizing literal's
/// announcement that waits for the application's `+` (RFC 9051 §4.3, §7.5) or refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame<T> {
    /// A complete message, parsed and owned.
    Message(T),
    /// A synchronizing literal was announced; its data follows once the application sent
    /// `+` (the decoder goes on framing the same message).
    LiteralAnnounced(LiteralAnnouncement),
}

/// Frames `src` with `framer`; returns the length of the next complete message.
fn frame(
    framer: &mut Framer,
    src: &mut BytesMut,
    report_literals: bool,
) -> Result<Option<Result<usize, LiteralAnnouncement>>, Error> {
    loop {
        match framer.next(&src[..]) {
            Ok(FrameStatus::Incomplete(more)) => {
                if let Some(more) = more {
                    src.reserve(usize::try_from(more.min(64 * 1024)).unwrap_or(0));
                }
                return Ok(None);
            }
            Ok(FrameStatus::Literal(a)) if report_literals => return Ok(Some(Err(a))),
            Ok(FrameStatus::Literal(_)) => continue,
            Ok(FrameStatus::Message(len)) => return Ok(Some(Ok(len))),
            Ok(FrameStatus::Discard { len, .. }) => src.advance(len),
            // Only after `Framer::stream_literal`, which these adapters never call.
            Ok(FrameStatus::LiteralData { .. }) => {
                return Err(Error::Io(std::io::Error::other(
                    "a streamed literal in a codec adapter",
                )));
            }
            Err(e) => return Err(Error::ImapProtocol(PeerError::Frame(e))),
        }
    }
}

fn syntax(bytes: &[u8], error: ParseError) -> Error {
    Error::ImapProtocol(PeerError::Syntax {
        bytes: bytes.to_vec(),
        error,
    })
}

/// A server's message as the client codec reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerMessage {
    /// The greeting (the first message, RFC 9051 §7.1).
    Greeting(Greeting<'static>),
    /// Any later response.
    Response(Response<'static>),
}

/// The IMAP client side: decodes the greeting and responses, encodes commands (RFC 9051 §2.2).
#[derive(Debug)]
pub struct ImapClientCodec {
    framer: Framer,
    greeted: bool,
    options: EncodeOptions,
}

impl ImapClientCodec {
    /// A codec with the client framing limits; commands are encoded with `options` (say
    /// `EncodeOptions::with_literal(LiteralCapability::Plus)` against a LITERAL+ server:
    /// a `{n}` literal needs the server's `+` before its data, which this codec does not
    /// wait for).
    pub fn new(options: EncodeOptions) -> Self {
        ImapClientCodec {
            framer: Framer::new(FramerConfig::client()),
            greeted: false,
            options,
        }
    }
}

impl Decoder for ImapClientCodec {
    type Item = ServerMessage;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ServerMessage>, Error> {
        let Some(Ok(len)) = frame(&mut self.framer, src, false)? else {
            return Ok(None);
        };
        let bytes = src.split_to(len);
        let message = if self.greeted {
            ServerMessage::Response(
                Response::parse(&bytes)
                    .map_err(|e| syntax(&bytes, e))?
                    .into_static(),
            )
        } else {
            self.greeted = true;
            ServerMessage::Greeting(
                Greeting::parse(&bytes)
                    .map_err(|e| syntax(&bytes, e))?
                    .into_static(),
            )
        };
        Ok(Some(message))
    }
}

impl Encoder<&Command<'_>> for ImapClientCodec {
    type Error = Error;

    fn encode(&mut self, item: &Command<'_>, dst: &mut BytesMut) -> Result<(), Error> {
        let mut out = Vec::new();
        let _ = item.encode(&mut out, &self.options);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

impl Encoder<&AuthenticateData<'_>> for ImapClientCodec {
    type Error = Error;

    fn encode(&mut self, item: &AuthenticateData<'_>, dst: &mut BytesMut) -> Result<(), Error> {
        let mut out = Vec::new();
        let _ = item.encode(&mut out);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

impl Encoder<IdleDone> for ImapClientCodec {
    type Error = Error;

    fn encode(&mut self, item: IdleDone, dst: &mut BytesMut) -> Result<(), Error> {
        let mut out = Vec::new();
        let _ = item.encode(&mut out);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

/// The IMAP server side: decodes commands (or, when told, AUTHENTICATE lines and `DONE`)
/// and encodes greetings and responses.
#[derive(Debug)]
pub struct ImapServerCodec {
    framer: Framer,
    expecting: MessageKind,
}

impl Default for ImapServerCodec {
    fn default() -> Self {
        ImapServerCodec {
            framer: Framer::new(FramerConfig::server()),
            expecting: MessageKind::Command,
        }
    }
}

impl ImapServerCodec {
    /// A codec with the server framing limits, reading commands.
    pub fn new() -> Self {
        ImapServerCodec::default()
    }

    /// Which parser the next message gets: `Command` (the default), `AuthenticateData`
    /// during AUTHENTICATE (RFC 9051 §6.2.2), `IdleDone` during IDLE (RFC 2177).
    pub fn expect(&mut self, kind: MessageKind) {
        self.expecting = kind;
    }
}

impl Decoder for ImapServerCodec {
    type Item = Frame<Inbound>;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame<Inbound>>, Error> {
        let len = match frame(&mut self.framer, src, true)? {
            None => return Ok(None),
            Some(Err(announcement)) => return Ok(Some(Frame::LiteralAnnounced(announcement))),
            Some(Ok(len)) => len,
        };
        let bytes = src.split_to(len);
        let parsed = match self.expecting {
            MessageKind::AuthenticateData => {
                AuthenticateData::parse(&bytes).map(|d| Inbound::AuthenticateData(d.into_static()))
            }
            MessageKind::IdleDone => IdleDone::parse(&bytes).map(Inbound::IdleDone),
            _ => Command::parse(&bytes).map(|c| Inbound::Command(c.into_static())),
        };
        parsed
            .map(|m| Some(Frame::Message(m)))
            .map_err(|e| syntax(&bytes, e))
    }
}

impl Encoder<&Response<'_>> for ImapServerCodec {
    type Error = Error;

    fn encode(&mut self, item: &Response<'_>, dst: &mut BytesMut) -> Result<(), Error> {
        let mut out = Vec::new();
        let _ = item.encode(&mut out);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

impl Encoder<&Greeting<'_>> for ImapServerCodec {
    type Error = Error;

    fn encode(&mut self, item: &Greeting<'_>, dst: &mut BytesMut) -> Result<(), Error> {
        let mut out = Vec::new();
        let _ = item.encode(&mut out);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

/// The POP3 command line codec (RFC 1939 §3, at most 255 octets with CRLF, RFC 2449 §4):
/// decodes commands (server side) and encodes them (client side). Responses are not
/// decoded here: whether one is multi-line depends on the command it answers, which is
/// pop3-session's knowledge (use it, or the clients of this crate).
#[derive(Debug, Default)]
pub struct Pop3CommandCodec;

/// The longest POP3 command line, CRLF included (RFC 2449 §4).
const POP3_MAX_LINE: usize = 255;

impl Decoder for Pop3CommandCodec {
    type Item = pop3_codec::Command<'static>;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, Error> {
        let Some(lf) = src.iter().position(|&b| b == b'\n') else {
            if src.len() > POP3_MAX_LINE {
                return Err(too_long());
            }
            return Ok(None);
        };
        if lf + 1 > POP3_MAX_LINE {
            return Err(too_long());
        }
        let line = src.split_to(lf + 1);
        let command = pop3_codec::Command::parse(&line)
            .map_err(|e| Error::Pop3Protocol(pop3_session::PeerError::Syntax(e)))?;
        Ok(Some(pop3_codec::IntoStatic::into_static(command)))
    }
}

fn too_long() -> Error {
    Error::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "POP3 command line over 255 octets (RFC 2449 §4)",
    ))
}

impl Encoder<&pop3_codec::Command<'_>> for Pop3CommandCodec {
    type Error = Error;

    fn encode(&mut self, item: &pop3_codec::Command<'_>, dst: &mut BytesMut) -> Result<(), Error> {
        let mut out = Vec::new();
        pop3_codec::Encode::encode(item, &mut out);
        dst.extend_from_slice(&out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_codec::{CommandBody, Data, LiteralCapability};

    /// Feeds `input` whole and one byte at a time; both give the same items.
    fn decode_all<D: Decoder>(mut make: impl FnMut() -> D, input: &[u8]) -> Vec<D::Item>
    where
        D::Item: PartialEq + std::fmt::Debug,
        D::Error: std::fmt::Debug,
    {
        let mut whole = Vec::new();
        let mut d = make();
        let mut buf = BytesMut::from(input);
        while let Some(item) = d.decode(&mut buf).unwrap() {
            whole.push(item);
        }
        let mut d = make();
        let mut bytewise = Vec::new();
        let mut buf = BytesMut::new();
        for &b in input {
            buf.extend_from_slice(&[b]);
            while let Some(item) = d.decode(&mut buf).unwrap() {
                bytewise.push(item);
            }
        }
        assert_eq!(whole, bytewise);
        whole
    }

    #[test]
    fn client_codec_reads_greeting_then_responses_with_literals() {
        let input = b"* OK [CAPABILITY IMAP4rev1] hi\r\n* 1 FETCH (BODY[] {5}\r\nHello)\r\nA1 OK done\r\n* 2 EX";
        let items = decode_all(|| ImapClientCodec::new(EncodeOptions::default()), input);
        assert_eq!(items.len(), 3, "the trailing partial response waits");
        assert!(matches!(items[0], ServerMessage::Greeting(_)));
        assert!(matches!(
            &items[1],
            ServerMessage::Response(Response::Data(Data::Fetch { .. }))
        ));
        assert!(matches!(
            &items[2],
            ServerMessage::Response(Response::Status(_))
        ));
    }

    #[test]
    fn client_codec_reports_syntax_errors() {
        let mut c = ImapClientCodec::new(EncodeOptions::default());
        let mut buf = BytesMut::from(&b"* OK hi\r\n* NONSENSE ((\r\n"[..]);
        assert!(c.decode(&mut buf).unwrap().is_some());
        assert!(matches!(
            c.decode(&mut buf),
            Err(Error::ImapProtocol(PeerError::Syntax { .. }))
        ));
    }

    #[test]
    fn server_codec_reports_synchronizing_literals_and_parses_commands() {
        let input = b"A1 LOGIN {4}\r\nuser pass\r\nA2 NOOP\r\n";
        let items = decode_all(ImapServerCodec::new, input);
        assert!(
            matches!(&items[0], Frame::LiteralAnnounced(a) if a.length == 4),
            "{items:?}"
        );
        let Frame::Message(Inbound::Command(c)) = &items[1] else {
            panic!("{items:?}")
        };
        assert!(matches!(c.body, CommandBody::Login { .. }));
        assert!(
            matches!(&items[2], Frame::Message(Inbound::Command(c)) if c.body == CommandBody::Noop)
        );
        let mut codec = ImapServerCodec::new();
        codec.expect(MessageKind::IdleDone);
        let mut buf = BytesMut::from(&b"DONE\r\n"[..]);
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(Frame::Message(Inbound::IdleDone(IdleDone)))
        );
    }

    #[test]
    fn encoders_write_the_wire_form() {
        let mut c = ImapClientCodec::new(EncodeOptions::with_literal(LiteralCapability::Plus));
        let mut out = BytesMut::new();
        let cmd = Command::new(imap_codec::Tag::new("A1").unwrap(), CommandBody::Noop);
        c.encode(&cmd, &mut out).unwrap();
        c.encode(IdleDone, &mut out).unwrap();
        assert_eq!(&out[..], b"A1 NOOP\r\nDONE\r\n");
        let mut p = Pop3CommandCodec;
        let mut out = BytesMut::new();
        p.encode(&pop3_codec::Command::Stat, &mut out).unwrap();
        assert_eq!(&out[..], b"STAT\r\n");
        let mut buf = BytesMut::from(&b"RETR 1\r\nQU"[..]);
        assert!(matches!(
            p.decode(&mut buf).unwrap(),
            Some(pop3_codec::Command::Retr(_))
        ));
        assert_eq!(p.decode(&mut buf).unwrap(), None);
        let mut long = BytesMut::from(&[b'A'; 300][..]);
        assert!(p.decode(&mut long).is_err());
    }
}
