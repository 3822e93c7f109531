//! Message bodies split at every position: `BodyDecoder` and `ResponseDecoder` return the same
//! octets, end and errors as for the body in one piece, and the body is `unstuff` of what
//! precedes the terminating line (RFC 1939 §3). Dot-stuffed lines, a `.` CR that is not the
//! terminator, bare CR and LF, and CRLF pairs fall on every chunk boundary.

use mailproto_pop3_codec::dot::{BodyDecoder, BodyEvent, unstuff};
use mailproto_pop3_codec::{Expected, Limits, ResponseDecoder, ResponseEvent};

/// Bodies on the wire (stuffed, with their terminating line) and what may follow them.
const WIRES: &[&[u8]] = &[
    b".\r\n",
    b"..\r\n.\r\n",
    b"a\r\n..b\r\n...c\r\n.\r\n",
    b"..\r\n..\r\n.\r\nNEXT",
    b"x\r\n.\rnot the end\r\n.\r\n",
    b".\r.\r\n.\r\n",
    b"bare\rcr and bare\nlf\n.\r\n\r\n.\r\n",
    b"\r\n\r\n..\r\n.\r\n",
    b"line\r\n. \r\n.x\r\n.\r\r\n.\r\ntrailing",
    b"a\r\r\n..\r\n.\r\n",
    b"no terminator\r\n..yet\r\n.\r",
];

/// What a decoder returned: the body, the consumed length at the end, the errors.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    body: Vec<u8>,
    end: Option<u64>,
    errors: Vec<String>,
}

fn body_decoder(limit: u64, pieces: &[&[u8]]) -> Outcome {
    let mut dec = BodyDecoder::with_limit(limit);
    let mut out = Outcome {
        body: Vec::new(),
        end: None,
        errors: Vec::new(),
    };
    'feed: for piece in pieces {
        let mut rest = *piece;
        loop {
            match dec.next(rest) {
                Ok((used, event)) => {
                    rest = &rest[used..];
                    match event {
                        BodyEvent::Data(d) => out.body.extend_from_slice(d),
                        BodyEvent::NeedMore => {
                            assert!(rest.is_empty());
                            break;
                        }
                        BodyEvent::End => {
                            out.end = Some(dec.consumed());
                            break 'feed;
                        }
                    }
                }
                Err(e) => out.errors.push(format!("{e:?}")),
            }
        }
    }
    out
}

/// Where the body ends: `unstuff` of what precedes the terminating line, and its end. A line
/// that starts with `.` followed by neither `.` nor CR was not byte-stuffed (RFC 1939 §3): the
/// decoders report one error there and return the body up to that line only (the third value).
fn reference(wire: &[u8]) -> Option<(Vec<u8>, u64, bool)> {
    let t = if wire.starts_with(b".\r\n") {
        0
    } else {
        wire.windows(5).position(|w| w == b"\r\n.\r\n")? + 2
    };
    let unstuffed = |at: usize| at < t && !matches!(wire.get(at + 1), Some(b'.' | b'\r'));
    let bad = (wire.first() == Some(&b'.') && unstuffed(0))
        .then_some(0)
        .or_else(|| {
            wire.windows(3)
                .position(|w| w == b"\r\n.")
                .into_iter()
                .chain((0..wire.len()).filter(|&i| wire[i..].starts_with(b"\r\n.")))
                .map(|i| i + 2)
                .find(|&at| unstuffed(at))
        });
    let body_end = bad.unwrap_or(t);
    Some((
        unstuff(&wire[..body_end]).into_owned(),
        t as u64 + 3,
        bad.is_some(),
    ))
}

/// Every way to cut `wire` into two pieces, and into three for short inputs.
fn splits(wire: &[u8]) -> Vec<Vec<&[u8]>> {
    let mut all = vec![wire.chunks(1).collect::<Vec<_>>()];
    for i in 0..=wire.len() {
        all.push(vec![&wire[..i], &wire[i..]]);
        if wire.len() <= 24 {
            for j in i..=wire.len() {
                all.push(vec![&wire[..i], &wire[i..j], &wire[j..]]);
            }
        }
    }
    all
}

#[test]
fn body_decoder_at_every_split() {
    for wire in WIRES {
        let whole = body_decoder(u64::MAX, &[wire]);
        match reference(wire) {
            Some((body, end, bad)) => {
                assert_eq!((&whole.body, whole.end), (&body, Some(end)), "{wire:?}");
                assert_eq!(whole.errors.len(), usize::from(bad), "{wire:?}");
            }
            None => assert_eq!(whole.end, None, "{wire:?}"),
        }
        for limit in (0..wire.len() as u64).chain([u64::MAX]) {
            let whole = body_decoder(limit, &[wire]);
            for pieces in splits(wire) {
                assert_eq!(
                    body_decoder(limit, &pieces),
                    whole,
                    "limit {limit}, pieces {pieces:?}"
                );
            }
        }
    }
}

/// The events of a `ResponseDecoder` expecting a RETR answer and then a status line.
fn response_decoder(max_body: u64, pieces: &[&[u8]]) -> (Vec<u8>, Vec<String>) {
    let mut dec = ResponseDecoder::without_greeting(Limits::default().with_max_body(max_body));
    dec.expect(Expected::Message);
    dec.expect(Expected::Status);
    let mut body = Vec::new();
    let mut events = Vec::new();
    for piece in pieces {
        dec.push(piece);
        loop {
            match dec.next_event() {
                Ok(None) => break,
                Ok(Some(ResponseEvent::BodyChunk(c))) => body.extend_from_slice(c),
                Ok(Some(e)) => events.push(format!("{e:?} after {} body octets", body.len())),
                Err(e) => events.push(format!("{e:?} after {} body octets", body.len())),
            }
        }
    }
    (body, events)
}

#[test]
fn response_decoder_at_every_split() {
    for wire in WIRES {
        let mut stream = b"+OK message follows\r\n".to_vec();
        stream.extend_from_slice(wire);
        stream.extend_from_slice(b"\r\n+OK done\r\n");
        let whole = response_decoder(u64::MAX, &[&stream]);
        if let Some((body, _, bad)) = reference(wire) {
            assert_eq!(whole.0, body, "{wire:?}");
            if !bad {
                assert!(whole.1.iter().any(|e| e.starts_with("MessageEnd")));
            }
        }
        for max_body in [0, 1, 3, 7, u64::MAX] {
            let whole = response_decoder(max_body, &[&stream]);
            for pieces in splits(&stream) {
                assert_eq!(
                    response_decoder(max_body, &pieces),
                    whole,
                    "max_body {max_body}, pieces {pieces:?}"
                );
            }
        }
    }
}

#[test]
fn body_chunks_borrow_the_buffer_and_skip_stuffing() {
    let mut dec = ResponseDecoder::without_greeting(Limits::default());
    dec.expect(Expected::Message);
    dec.push(b"+OK\r\nfirst\r\n..second\r\nthird\r\n.\r\n");
    assert!(matches!(
        dec.next_event(),
        Ok(Some(ResponseEvent::MessageStart(_)))
    ));
    let mut chunks = Vec::new();
    while let Some(e) = dec.next_event().unwrap() {
        match e {
            ResponseEvent::BodyChunk(c) => chunks.push(c.to_vec()),
            e => chunks.push(format!("{e:?}").into_bytes()),
        }
    }
    // Data up to each line that starts with `.` comes in one piece; the stuffed dot is not
    // returned.
    assert_eq!(
        chunks,
        [&b"first\r\n"[..], b".second\r\nthird\r\n", b"MessageEnd"]
    );
}
