//! Helpers shared by the fuzz targets: feeding a stream in fuzzer-chosen chunks and
//! collecting what the stream decoders return, in a form that can be compared.

use imap_codec::framer::{Frame, FrameError, FramedBuffer, FramerConfig, LiteralAnnouncement};
use imap_codec::{Extension, ParseOptions};
use pop3_codec::dot::{BodyDecoder, BodyEvent};
use pop3_codec::{
    Command, CommandDecoder, Expected, IntoStatic, Limits, ParseError, Response, ResponseDecoder,
    ResponseEvent, SaslResponse, StatusLine,
};

/// Strict parse options with every extension of the IMAP parse context in force
/// ([`Extension::ALL`]): the RFC 4466 slots are open, so that the command targets reach the
/// CONDSTORE/QRESYNC (RFC 7162), PARTIAL (RFC 9394) and CREATE-SPECIAL-USE (RFC 6154)
/// parameters. An extension only adds to the grammar: what parses without it parses to the
/// same value with it.
pub fn imap_all_extensions() -> ParseOptions {
    Extension::ALL
        .iter()
        .fold(ParseOptions::default(), |o, &e| o.with_extension(e))
}

/// Splits `data` into chunks whose sizes cycle through `sizes` (each taken modulo 64, plus
/// one); one piece when `sizes` is empty.
pub fn chunks<'d>(data: &'d [u8], sizes: &[u8]) -> Vec<&'d [u8]> {
    if sizes.is_empty() {
        return vec![data];
    }
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = (usize::from(sizes[i % sizes.len()]) % 64 + 1).min(rest.len());
        out.push(&rest[..n]);
        rest = &rest[n..];
        i += 1;
    }
    out
}

/// What a [`FramedBuffer`] returned, owned, so that two runs can be compared value by value
/// (a message's octets, not a formatted rendering of them: formatting every octet cost the
/// chunking targets more than the framing they check).
#[derive(Debug, PartialEq, Eq)]
pub enum Framed {
    /// A complete message's octets.
    Message(Vec<u8>),
    /// A literal announcement.
    Literal(LiteralAnnouncement),
    /// Octets of rejected messages dropped in a row (consecutive discards merged).
    Discard(usize),
    /// An error.
    Error(FrameError),
}

/// Pushes the pieces into a [`FramedBuffer`]; returns what it found, consecutive discards
/// merged (how a rejected message is dropped may depend on the chunking, how much is not),
/// and what was left buffered.
pub fn imap_frames(config: FramerConfig, pieces: &[&[u8]]) -> (Vec<Framed>, Vec<u8>) {
    imap_frames_with(config, pieces, false)
}

/// [`imap_frames`], each piece given with [`FramedBuffer::push_messages`] (messages framed in
/// place) when `in_place`, else with [`FramedBuffer::push`].
pub fn imap_frames_with(
    config: FramerConfig,
    pieces: &[&[u8]],
    in_place: bool,
) -> (Vec<Framed>, Vec<u8>) {
    let mut fb = FramedBuffer::new(config);
    let mut out: Vec<Framed> = Vec::new();
    let mut discarded = 0usize;
    // Ends a run of discards before anything else is recorded.
    let flush = |out: &mut Vec<Framed>, discarded: &mut usize| {
        if *discarded > 0 {
            out.push(Framed::Discard(::core::mem::take(discarded)));
        }
    };
    for piece in pieces {
        if in_place {
            fb.push_messages(piece, |m| {
                flush(&mut out, &mut discarded);
                out.push(Framed::Message(m.to_vec()));
            });
        } else {
            fb.push(piece);
        }
        loop {
            let got = match fb.next_frame() {
                Ok(None) => break,
                Ok(Some(Frame::Discard(n))) => {
                    discarded += n;
                    continue;
                }
                Ok(Some(Frame::LiteralData { .. })) => unreachable!("nothing is streamed"),
                Ok(Some(Frame::Message(m))) => Framed::Message(m.to_vec()),
                Ok(Some(Frame::Literal(l))) => Framed::Literal(l),
                Err(e) => Framed::Error(e),
            };
            flush(&mut out, &mut discarded);
            out.push(got);
        }
    }
    flush(&mut out, &mut discarded);
    (out, fb.buffered().to_vec())
}

/// Small limits chosen by the fuzzer, so that the limit paths are reached too.
pub fn pop3_limits(small: Option<(u8, u8, u16)>) -> Limits {
    match small {
        None => Limits::default(),
        Some((line, sasl, body)) => Limits::default()
            .with_max_command_line(usize::from(line).max(6))
            .with_max_response_line(usize::from(line).max(6))
            .with_max_sasl_line(usize::from(sasl).max(3))
            .with_max_listing(usize::from(body).max(6))
            .with_max_body(u64::from(body)),
    }
}

/// What a [`CommandDecoder`] returned, owned, compared value by value (`Debug` would show
/// secrets and SASL data by their length only, and rendering it cost more than the decoding).
#[derive(Debug, PartialEq, Eq)]
pub enum Pop3Line {
    /// A command.
    Command(Command<'static>),
    /// A SASL line.
    Sasl(SaslResponse),
    /// An error.
    Error(ParseError),
}

/// Commands (or SASL lines, for the pieces where `sasl` says so) a [`CommandDecoder`]
/// returns, and what it leaves buffered.
pub fn pop3_commands(limits: Limits, pieces: &[&[u8]], sasl: &[bool]) -> (Vec<Pop3Line>, Vec<u8>) {
    let mut dec = CommandDecoder::new(limits);
    let mut out = Vec::new();
    let mut n = 0usize;
    for piece in pieces {
        dec.push(piece);
        loop {
            let as_sasl = sasl.get(n).copied().unwrap_or(false);
            let got = if as_sasl {
                match dec.next_sasl_response() {
                    Ok(None) => break,
                    Ok(Some(r)) => Pop3Line::Sasl(r),
                    Err(e) => Pop3Line::Error(e),
                }
            } else {
                match dec.next_command() {
                    Ok(None) => break,
                    Ok(Some(c)) => Pop3Line::Command(c.into_static()),
                    Err(e) => Pop3Line::Error(e),
                }
            };
            out.push(got);
            n += 1;
        }
    }
    (out, dec.buffered().to_vec())
}

/// What a [`ResponseDecoder`] returned, owned, compared value by value.
#[derive(Debug, PartialEq, Eq)]
pub enum Pop3Event {
    /// [`ResponseEvent::Response`].
    Response(Response<'static>),
    /// [`ResponseEvent::MessageStart`].
    MessageStart(StatusLine<'static>),
    /// Consecutive [`ResponseEvent::BodyChunk`]s, joined.
    Body(Vec<u8>),
    /// [`ResponseEvent::MessageEnd`].
    MessageEnd,
    /// An error.
    Error(ParseError),
    /// [`ResponseDecoder::pending`] at the end.
    Pending(usize),
}

/// The events of a [`ResponseDecoder`] expecting `expected` in turn; body chunks are
/// joined, so that only their concatenation is compared.
pub fn pop3_responses(limits: Limits, expected: &[Expected], pieces: &[&[u8]]) -> Vec<Pop3Event> {
    let mut dec = ResponseDecoder::without_greeting(limits);
    for &e in expected {
        dec.expect(e);
    }
    let mut out: Vec<Pop3Event> = Vec::new();
    let mut body = Vec::new();
    // Ends a run of body chunks before anything else is recorded.
    let flush = |out: &mut Vec<Pop3Event>, body: &mut Vec<u8>| {
        if !body.is_empty() {
            out.push(Pop3Event::Body(::core::mem::take(body)));
        }
    };
    for piece in pieces {
        dec.push(piece);
        loop {
            let got = match dec.next_event() {
                Ok(None) => break,
                Ok(Some(ResponseEvent::BodyChunk(c))) => {
                    body.extend_from_slice(c);
                    continue;
                }
                Ok(Some(ResponseEvent::Response(r))) => Pop3Event::Response(r.into_static()),
                Ok(Some(ResponseEvent::MessageStart(s))) => {
                    Pop3Event::MessageStart(s.into_static())
                }
                Ok(Some(ResponseEvent::MessageEnd)) => Pop3Event::MessageEnd,
                Err(e) => Pop3Event::Error(e),
            };
            flush(&mut out, &mut body);
            out.push(got);
        }
    }
    flush(&mut out, &mut body);
    out.push(Pop3Event::Pending(dec.pending()));
    out
}

/// What a [`BodyDecoder`] returns for the pieces: the unstuffed body, how many octets it
/// consumed up to the end (if it ended) and the first error.
#[derive(Debug, PartialEq, Eq)]
pub struct BodyResult {
    /// Unstuffed octets returned.
    pub body: Vec<u8>,
    /// Wire octets consumed when the terminating line was found.
    pub end: Option<u64>,
    /// The first error.
    pub error: Option<String>,
}

/// Runs a [`BodyDecoder`] with `limit` over the pieces.
pub fn pop3_body(limit: u64, pieces: &[&[u8]]) -> BodyResult {
    let mut dec = BodyDecoder::with_limit(limit);
    let mut r = BodyResult {
        body: Vec::new(),
        end: None,
        error: None,
    };
    'feed: for piece in pieces {
        let mut rest: &[u8] = piece;
        loop {
            match dec.next(rest) {
                Ok((used, ev)) => {
                    rest = &rest[used..];
                    match ev {
                        BodyEvent::Data(d) => r.body.extend_from_slice(d),
                        BodyEvent::NeedMore => break,
                        BodyEvent::End => {
                            r.end = Some(dec.consumed());
                            break 'feed;
                        }
                    }
                }
                Err(e) => {
                    if r.error.is_none() {
                        r.error = Some(format!("{e:?}"));
                    }
                }
            }
        }
    }
    r
}

pub mod differential {
    //! The known, triaged differences between this project and the crates.io `imap-codec`
    //! 2.0.0-alpha.10 (docs/differential.md, where each has its entry and an input): where
    //! the peer's value model does not keep a detail of the wire form that this project's
    //! does, so that the peer's re-encoding is another (equally valid) spelling of the same
    //! message. Each is applied to both values before they are compared again.

    use imap_codec::command::StoreFlags;
    use imap_codec::command::fetch::FetchItems;
    use imap_codec::response::{CapabilityData, RespText};
    use imap_codec::{
        Capability, Code, Command, CommandBody, Data, Greeting, IntoStatic, Response, Text,
    };

    /// D1: STORE's flags without parentheses (`+FLAGS \Seen`, RFC 9051 `store-att-flags`)
    /// are re-encoded in parentheses by the peer.
    fn store_flags_as_list(c: &mut Command<'static>) -> bool {
        if let CommandBody::Store { flags, .. } = &mut c.body
            && let StoreFlags::Bare(list) = flags
        {
            *flags = StoreFlags::List(list.to_vec().into());
            return true;
        }
        false
    }

    /// D6: a FETCH of one attribute in parentheses (`FETCH 2:4 (BODY[HEADER])`, RFC 9051
    /// `fetch` allows one `fetch-att` with or without them) is re-encoded without them by the
    /// peer when it is one `BODY[...]` (its value model keeps no difference).
    fn fetch_single_as_list(c: &mut Command<'static>) -> bool {
        if let CommandBody::Fetch { items, .. } = &mut c.body
            && let FetchItems::Single(att) = items
            && let Ok(list) = FetchItems::list([att.clone()])
        {
            *items = list;
            return true;
        }
        false
    }

    /// D3: the AUTHENTICATE mechanism is an atom compared ignoring case (RFC 9051
    /// `auth-type`); this project keeps it as sent, the peer writes known names in upper case.
    fn mechanism_case(c: &mut Command<'static>) -> bool {
        if let CommandBody::Authenticate { mechanism, .. } = &mut c.body {
            let upper = mechanism.as_str().to_ascii_uppercase();
            if upper != mechanism.as_str() {
                *mechanism = imap_codec::Atom::new(upper).expect("same characters");
                return true;
            }
        }
        false
    }

    /// D2 / D4: a bracketed code the strict grammar rejects is text here, but the peer
    /// accepts it (D2: `[CAPABILITY ...]` without IMAP4rev1 / IMAP4rev2, RFC 9051
    /// `capability-data`; D4: numbers with leading zeros, `[UIDVALIDITY 0123]`, where RFC 9051
    /// has `nz-number = digit-nz *DIGIT`) and re-encodes it as a code of its own reading.
    /// Such a pair agrees when tag and condition do and the text after the peer's code is
    /// what follows a `] ` at the end of this project's text. The peer's code ends at its
    /// first `]` (no code holds one), so when `y` is text again (D2) its rest starts after
    /// the first `] `; `x`'s text may hold more `] ` after the bracket (found by the fuzzer:
    /// `[COPYUID 4143 23469 029] '229] `).
    fn lenient_code(
        x: (Option<&Code<'static>>, &Text<'static>),
        y: (Option<&Code<'static>>, &Text<'static>),
    ) -> bool {
        let (x_code, x_text) = x;
        let (y_code, y_text) = y;
        let (x_text, y_text) = (x_text.as_str(), y_text.as_str());
        if x_code.is_some() || !x_text.starts_with('[') {
            return false;
        }
        let y_rest = if y_code.is_some() {
            y_text
        } else if y_text.starts_with('[') {
            match y_text.split_once("] ") {
                Some((_, rest)) => rest,
                None => return false,
            }
        } else {
            return false;
        };
        x_text
            .strip_suffix(y_rest)
            .is_some_and(|head| head.ends_with("] "))
    }

    /// D5: capability names, `AUTH=` mechanisms and `QUOTA=RES-` resources among them,
    /// compared ignoring case (as D3; RFC 9051 §9 note 1): the peer writes known ones in upper
    /// case.
    fn capability_case(caps: &[Capability<'static>]) -> Vec<Capability<'static>> {
        // Every name, typed or not (`idle`, `sort`, `AUTH=plain`, `QUOTA=RES-st`): the peer
        // writes the ones it knows in upper case and others in its own case (found by the
        // 10-minute campaign and by CI's run after QUOTA=RES-* got its own variant).
        // D7: the peer rewrites an unknown `QUOTA=...` name (`QUOTA=BINARYRES-MESSAGE`) as
        // `QUOTA=RES-...` (a peer bug, docs/differential.md): every `QUOTA=` name compares equal.
        caps.iter()
            .map(|c| {
                let upper = c.as_str().to_ascii_uppercase();
                let name = if upper.starts_with("QUOTA=") {
                    "QUOTA=X-ANY".to_owned()
                } else {
                    upper
                };
                Capability::parse_str(&name)
                    .expect("same characters")
                    .into_static()
            })
            .collect()
    }

    fn capability_data_case(c: &mut CapabilityData<'static>) -> bool {
        let upper = capability_case(c.capabilities());
        if upper != c.capabilities() {
            *c = CapabilityData::new(upper).expect("still has IMAP4rev1/2");
            return true;
        }
        false
    }

    /// D5 in CAPABILITY data and in a `[CAPABILITY ...]` code.
    fn normalise_data(r: &mut Response<'static>) -> bool {
        match r {
            Response::Data(Data::Capability(c)) => capability_data_case(c),
            Response::Status(s) => match s.code() {
                Some(Code::Capability(c)) => {
                    let mut c = c.clone();
                    let changed = capability_data_case(&mut c);
                    *s = s.clone().with_code(Code::Capability(c));
                    changed
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// The names of the triaged differences that explain why `ours_y` (this project's parse
    /// of the peer's re-encoding) differs from `ours_x`, if they do.
    pub fn command(
        ours_x: &Command<'static>,
        ours_y: &Command<'static>,
    ) -> Option<Vec<&'static str>> {
        let (mut x, mut y) = (ours_x.clone(), ours_y.clone());
        let mut applied = Vec::new();
        if store_flags_as_list(&mut x) | store_flags_as_list(&mut y) {
            applied.push("D1");
        }
        if fetch_single_as_list(&mut x) | fetch_single_as_list(&mut y) {
            applied.push("D6");
        }
        if mechanism_case(&mut x) | mechanism_case(&mut y) {
            applied.push("D3");
        }
        (x == y).then_some(applied)
    }

    /// As [`command`], for responses.
    pub fn response(
        ours_x: &Response<'static>,
        ours_y: &Response<'static>,
    ) -> Option<Vec<&'static str>> {
        if let (Response::Status(a), Response::Status(b)) = (ours_x, ours_y)
            && a.tag() == b.tag()
            && a.kind() == b.kind()
            && lenient_code((a.code(), a.text()), (b.code(), b.text()))
        {
            return Some(vec!["D2/D4"]);
        }
        let (mut x, mut y) = (ours_x.clone(), ours_y.clone());
        let mut applied = Vec::new();
        if normalise_data(&mut x) | normalise_data(&mut y) {
            applied.push("D5");
        }
        (x == y).then_some(applied)
    }

    /// As [`command`], for greetings.
    pub fn greeting(
        ours_x: &Greeting<'static>,
        ours_y: &Greeting<'static>,
    ) -> Option<Vec<&'static str>> {
        if ours_x.kind() == ours_y.kind()
            && lenient_code(
                (ours_x.code(), ours_x.text()),
                (ours_y.code(), ours_y.text()),
            )
        {
            return Some(vec!["D2/D4"]);
        }
        let (mut x, mut y) = (ours_x.clone(), ours_y.clone());
        let mut applied = Vec::new();
        let code_case = |g: &mut Greeting<'static>| match g.code() {
            Some(Code::Capability(c)) => {
                let mut c = c.clone();
                let changed = capability_data_case(&mut c);
                let text = g.text().clone();
                *g = Greeting::new(g.kind(), RespText::with_code(Code::Capability(c), text));
                changed
            }
            _ => false,
        };
        if code_case(&mut x) | code_case(&mut y) {
            applied.push("D5");
        }
        (x == y).then_some(applied)
    }
}
