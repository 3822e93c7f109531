//! The work of the peer comparison, one function per (workload, implementation): each takes
//! the workload's input and returns the number of messages it handled, so that the caller can
//! check that every implementation did the same work.
//!
//! The peers are used through their public APIs as their documentation shows. Where a peer
//! has no incremental decoder of its own, it is given the usual one a user would write: a
//! buffer that grows by each read and a `decode` from the start of the buffer until the
//! decoder asks for more ([`peer_stream`]).

use imap_codec::framer::{Frame, FramedBuffer, Framer, FramerConfig, Status};
use imap_codec::{Command, EncodeOptions, ParseOptions, Response};
use std::hint::black_box;

use imap_codec_peer::decode::{CommandDecodeError, Decoder, ResponseDecodeError};
use imap_codec_peer::encode::Encoder;
use imap_codec_peer::{CommandCodec, ResponseCodec};

/// Frames `input` with the caller-buffer framer (no copy) and hands every message to `parse`.
fn ours_one_piece(input: &[u8], config: FramerConfig, mut parse: impl FnMut(&[u8])) -> usize {
    let mut framer = Framer::new(config);
    let (mut at, mut n) = (0, 0);
    while at < input.len() {
        match framer.next(&input[at..]) {
            Ok(Status::Message(len)) => {
                parse(&input[at..at + len]);
                at += len;
                n += 1;
            }
            Ok(Status::Literal(_)) => {}
            other => panic!("framing failed at {at}: {other:?}"),
        }
    }
    n
}

/// Feeds `input` in `chunk`-sized reads through a `FramedBuffer` and parses every message:
/// each read is given with [`FramedBuffer::push_messages`], which frames the messages that lie
/// wholly within the read in place (only the message cut by a read's end is copied).
fn ours_streamed(
    fb: &mut FramedBuffer,
    input: &[u8],
    chunk: usize,
    mut parse: impl FnMut(&[u8]),
) -> usize {
    let mut n = 0;
    for c in input.chunks(chunk) {
        fb.push_messages(c, |m| {
            parse(m);
            n += 1;
        });
        while let Some(frame) = fb.next_frame().expect("framing failed") {
            if let Frame::Message(m) = frame {
                parse(m);
                n += 1;
            }
        }
    }
    assert_eq!(fb.buffered(), &[] as &[u8], "input left over");
    n
}

/// What a peer's decoder said of the start of a buffer.
pub enum Step {
    /// A message of this many bytes.
    Message(usize),
    /// More bytes are needed.
    More,
}

/// The incremental loop a user of a peer writes: append each read to a buffer, decode from
/// the start until the decoder needs more, drop what was decoded.
pub fn peer_stream(input: &[u8], chunk: usize, mut decode: impl FnMut(&[u8]) -> Step) -> usize {
    let mut buf: Vec<u8> = Vec::new();
    let mut n = 0;
    for c in input.chunks(chunk) {
        buf.extend_from_slice(c);
        let mut at = 0;
        while at < buf.len() {
            match decode(&buf[at..]) {
                Step::Message(len) => {
                    at += len;
                    n += 1;
                }
                Step::More => break,
            }
        }
        buf.drain(..at);
    }
    assert!(buf.is_empty(), "input left over");
    n
}

/// Decodes `input` message after message with a peer decoder, in one piece.
pub fn peer_one_piece(input: &[u8], mut decode: impl FnMut(&[u8]) -> Step) -> usize {
    let (mut at, mut n) = (0, 0);
    while at < input.len() {
        match decode(&input[at..]) {
            Step::Message(len) => {
                at += len;
                n += 1;
            }
            Step::More => panic!("peer wants more at {at}"),
        }
    }
    n
}

/// This project: responses (workloads a, b), one piece.
pub fn ours_responses(input: &[u8]) -> usize {
    ours_one_piece(input, FramerConfig::client(), |m| {
        black_box(Response::parse(m).expect("parse"));
    })
}

/// This project, one piece, every FETCH item decoded too: the items of a FETCH are held as
/// their checked wire form and decoded on access (docs/performance.md, "Value model"), so
/// [`ours_responses`] measures the check; this adds the decoding of every item into its
/// value tree (what an application that reads every item pays).
pub fn ours_responses_decoded(input: &[u8]) -> usize {
    ours_one_piece(input, FramerConfig::client(), |m| {
        let r = Response::parse(m).expect("parse");
        if let imap_codec::Response::Data(imap_codec::response::Data::Fetch(f)) = &r {
            for a in &f.attributes {
                black_box(&*a);
            }
        }
        black_box(r);
    })
}

/// This project under `options` (issue 14's cost of the real-world profile: workload a
/// under [`Profile::RealWorld`](imap_codec::Profile) against [`ours_responses`]), one piece,
/// with the framer configured for the profile.
pub fn ours_responses_with(input: &[u8], options: &ParseOptions) -> usize {
    let config = FramerConfig::client().for_profile(options.profile);
    ours_one_piece(input, config, |m| {
        black_box(Response::parse_with(m, options).expect("parse"));
    })
}

/// This project under `options`: commands (workload c), one piece (see
/// [`ours_responses_with`]).
pub fn ours_commands_with(input: &[u8], options: &ParseOptions) -> usize {
    let config = FramerConfig::server().for_profile(options.profile);
    ours_one_piece(input, config, |m| {
        black_box(Command::parse_with(m, options).expect("parse"));
    })
}

/// This project: responses streamed in `chunk`-sized reads.
pub fn ours_responses_streamed(fb: &mut FramedBuffer, input: &[u8], chunk: usize) -> usize {
    ours_streamed(fb, input, chunk, |m| {
        black_box(Response::parse(m).expect("parse"));
    })
}

/// This project: commands (workload c), one piece.
pub fn ours_commands(input: &[u8]) -> usize {
    ours_one_piece(input, FramerConfig::server(), |m| {
        black_box(Command::parse(m).expect("parse"));
    })
}

/// This project: commands streamed in `chunk`-sized reads.
pub fn ours_commands_streamed(fb: &mut FramedBuffer, input: &[u8], chunk: usize) -> usize {
    ours_streamed(fb, input, chunk, |m| {
        black_box(Command::parse(m).expect("parse"));
    })
}

/// This project: encoding parsed responses.
pub fn ours_encode_responses(values: &[Response<'_>], out: &mut Vec<u8>) -> usize {
    out.clear();
    for r in values {
        let _ = black_box(r.encode(out));
    }
    values.len()
}

/// This project: encoding parsed commands.
pub fn ours_encode_commands(values: &[Command<'_>], out: &mut Vec<u8>) -> usize {
    out.clear();
    let options = EncodeOptions::default();
    for c in values {
        let _ = black_box(c.encode(out, &options));
    }
    values.len()
}

/// This project's parse of every message of `input`, kept (the values that are encoded).
pub fn ours_parse_all_responses(input: &[u8]) -> Vec<Response<'_>> {
    let mut v = Vec::new();
    let mut framer = Framer::new(FramerConfig::client());
    let mut at = 0;
    while at < input.len() {
        if let Status::Message(len) = framer.next(&input[at..]).expect("framing") {
            v.push(Response::parse(&input[at..at + len]).expect("parse"));
            at += len;
        }
    }
    v
}

/// This project's parse of every command of `input`, kept.
pub fn ours_parse_all_commands(input: &[u8]) -> Vec<Command<'_>> {
    let mut v = Vec::new();
    let mut framer = Framer::new(FramerConfig::server());
    let mut at = 0;
    while at < input.len() {
        if let Status::Message(len) = framer.next(&input[at..]).expect("framing") {
            v.push(Command::parse(&input[at..at + len]).expect("parse"));
            at += len;
        }
    }
    v
}

/// crates.io `imap-codec` 2.0.0-alpha.10: one response.
pub fn imap_codec_response(buf: &[u8]) -> Step {
    match ResponseCodec::default().decode(buf) {
        Ok((rest, r)) => {
            black_box(r);
            Step::Message(buf.len() - rest.len())
        }
        Err(ResponseDecodeError::Incomplete | ResponseDecodeError::LiteralFound { .. }) => {
            Step::More
        }
        Err(e) => panic!("imap-codec peer: {e:?}"),
    }
}

/// crates.io `imap-codec` 2.0.0-alpha.10: one command.
pub fn imap_codec_command(buf: &[u8]) -> Step {
    match CommandCodec::default().decode(buf) {
        Ok((rest, c)) => {
            black_box(c);
            Step::Message(buf.len() - rest.len())
        }
        Err(CommandDecodeError::Incomplete | CommandDecodeError::LiteralFound { .. }) => Step::More,
        Err(e) => panic!("imap-codec peer: {e:?}"),
    }
}

/// crates.io `imap-codec`: its parse of every response of `input`, kept.
pub fn imap_codec_parse_all_responses(
    input: &[u8],
) -> Vec<imap_codec_peer::imap_types::response::Response<'_>> {
    let mut v = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let (r, value) = ResponseCodec::default().decode(rest).expect("peer parse");
        v.push(value);
        rest = r;
    }
    v
}

/// crates.io `imap-codec`: its parse of every command of `input`, kept.
pub fn imap_codec_parse_all_commands(
    input: &[u8],
) -> Vec<imap_codec_peer::imap_types::command::Command<'_>> {
    let mut v = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let (r, value) = CommandCodec::default().decode(rest).expect("peer parse");
        v.push(value);
        rest = r;
    }
    v
}

/// crates.io `imap-codec`: encoding responses (its `Encoded`, dumped into the output).
pub fn imap_codec_encode_responses(
    values: &[imap_codec_peer::imap_types::response::Response<'_>],
    out: &mut Vec<u8>,
) -> usize {
    out.clear();
    let codec = ResponseCodec::default();
    for r in values {
        out.extend_from_slice(&codec.encode(r).dump());
    }
    values.len()
}

/// crates.io `imap-codec`: encoding commands.
pub fn imap_codec_encode_commands(
    values: &[imap_codec_peer::imap_types::command::Command<'_>],
    out: &mut Vec<u8>,
) -> usize {
    out.clear();
    let codec = CommandCodec::default();
    for c in values {
        out.extend_from_slice(&codec.encode(c).dump());
    }
    values.len()
}

/// crates.io `imap-proto` 0.17: one response (it has no command parser and no encoder).
pub fn imap_proto_response(buf: &[u8]) -> Step {
    match imap_proto_peer::Response::parse(buf) {
        Ok((rest, r)) => {
            black_box(r);
            Step::Message(buf.len() - rest.len())
        }
        Err(nom::Err::Incomplete(_)) => Step::More,
        Err(e) => panic!("imap-proto peer: {e:?}"),
    }
}

/// Limit proxy: the lines of `input` found with `memchr` (no parsing at all).
pub fn memchr_lines(input: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', input).count()
}

/// Limit proxy: one memchr scan of `input` for NUL, the check this project's parser makes of
/// every literal's data (RFC 9051 §4.3: a `literal` holds CHAR8, any octet but NUL).
pub fn memchr_nul(input: &[u8]) -> usize {
    usize::from(memchr::memchr(0, black_box(input)).is_none())
}

/// Limit proxy: `input` copied into a reused buffer in `chunk`-sized pieces (what any
/// incremental reader must at least do with bytes that arrive in pieces).
pub fn memcpy_chunked(input: &[u8], chunk: usize, out: &mut Vec<u8>) -> usize {
    out.clear();
    for c in input.chunks(chunk) {
        out.extend_from_slice(c);
    }
    black_box(out.len());
    1
}

/// Limit proxy: one copy of `input` into a reused buffer.
pub fn memcpy(input: &[u8], out: &mut Vec<u8>) -> usize {
    out.clear();
    out.extend_from_slice(input);
    black_box(out.len());
    1
}

/// POP3 workloads.
pub mod pop3 {
    use pop3_codec::{Expected, Limits, Response, ResponseDecoder, ResponseEvent};
    use std::hint::black_box;

    /// This project: a RETR answer parsed whole, the body unstuffed into one buffer.
    pub fn ours_retr(wire: &[u8]) -> usize {
        let r = Response::parse(wire, Expected::Message).expect("parse");
        black_box(r);
        1
    }

    /// This project: a RETR answer streamed in `chunk`-sized reads, unstuffed chunks borrowed.
    pub fn ours_retr_streamed(wire: &[u8], chunk: usize) -> usize {
        let mut dec = ResponseDecoder::without_greeting(Limits::default());
        dec.expect(Expected::Message);
        let mut n = 0;
        for c in wire.chunks(chunk) {
            dec.push(c);
            while let Some(e) = dec.next_event().expect("decode") {
                if let ResponseEvent::BodyChunk(b) = e {
                    black_box(b);
                } else if matches!(e, ResponseEvent::MessageEnd) {
                    n += 1;
                }
            }
        }
        n
    }

    /// This project: a LIST or UIDL answer.
    pub fn ours_listing(wire: &[u8], expected: Expected) -> usize {
        black_box(Response::parse(wire, expected).expect("parse"));
        1
    }

    /// This project: a LIST answer, every listing decoded from the checked wire form (what a
    /// consumer of the listings pays on top of [`ours_listing`]).
    pub fn ours_list_decoded(wire: &[u8]) -> usize {
        let Response::ScanList(list) = Response::parse(wire, Expected::ScanList).expect("parse")
        else {
            unreachable!("a LIST answer")
        };
        for listing in &list {
            black_box(listing);
        }
        1
    }

    /// crates.io `rfc1939` 1.0: a RETR answer (the body is returned still dot-stuffed).
    pub fn rfc1939_retr(wire: &[u8]) -> usize {
        black_box(rfc1939_peer::transaction::response::retr(wire).expect("rfc1939 peer"));
        1
    }

    /// crates.io `rfc1939`: a LIST answer.
    pub fn rfc1939_list(wire: &[u8]) -> usize {
        black_box(rfc1939_peer::transaction::response::list(wire).expect("rfc1939 peer"));
        1
    }

    /// crates.io `rfc1939`: a UIDL answer.
    pub fn rfc1939_uidl(wire: &[u8]) -> usize {
        black_box(rfc1939_peer::transaction::response::uidl(wire).expect("rfc1939 peer"));
        1
    }

    /// crates.io `pop3-codec` 0.3: a RETR answer (one `String` per line, still dot-stuffed).
    pub fn pop3_codec_retr(wire: &[u8]) -> usize {
        black_box(pop3_codec_peer::parse::response_retr(wire).expect("pop3-codec peer"));
        1
    }

    /// crates.io `pop3-codec`: a LIST answer.
    pub fn pop3_codec_list(wire: &[u8]) -> usize {
        black_box(pop3_codec_peer::parse::response_list_all(wire).expect("pop3-codec peer"));
        1
    }

    /// crates.io `pop3-codec`: a UIDL answer.
    pub fn pop3_codec_uidl(wire: &[u8]) -> usize {
        black_box(pop3_codec_peer::parse::response_uidl_all(wire).expect("pop3-codec peer"));
        1
    }

    /// Limit proxy: unstuffing with `memchr::memmem` (find each CRLF "." and copy the runs
    /// between them) into a reused buffer, no validation.
    pub fn memchr_unstuff(wire: &[u8], out: &mut Vec<u8>) -> usize {
        out.clear();
        let start = memchr::memmem::find(wire, b"\r\n").expect("status line") + 2;
        let body = &wire[start..wire.len() - 3];
        let mut at = 0;
        for hit in memchr::memmem::find_iter(body, b"\r\n.") {
            out.extend_from_slice(&body[at..hit + 2]);
            at = hit + 3;
        }
        out.extend_from_slice(&body[at..]);
        black_box(out.len());
        1
    }
}
