//! Streaming message bodies on the server side (RFC 1939 §3, §7): dot-stuffing chunks whose
//! line starts may fall anywhere, and the TOP cut (headers, blank line, `n` body lines).
//!
//! Both keep a few bits of state between chunks and never buffer data.

use crate::prelude::*;

use memchr::memmem;
use pop3_codec::dot;

/// Where the last octet left us in the current line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineState {
    /// At the start of a line (or of the body).
    Start,
    /// Inside a line; the last octet was not CR.
    Mid,
    /// Inside a line; the last octet was CR (a LF next ends the line).
    MidCr,
}

fn end_state(data: &[u8]) -> LineState {
    if data.ends_with(b"\r\n") {
        LineState::Start
    } else if data.ends_with(b"\r") {
        LineState::MidCr
    } else {
        LineState::Mid
    }
}

/// Dot-stuffs a body given in chunks of any size (RFC 1939 §3): a `.` is added before every
/// line that starts with `.`, even when the CRLF ending the previous line and the `.` are
/// in different chunks. [`BodyStuffer::finish`] adds a final CRLF if the body lacks one,
/// then the terminating `.` CRLF, like [`pop3_codec::dot::encode_body`].
///
/// ```
/// use mailproto_pop3_session::body::BodyStuffer;
/// let mut s = BodyStuffer::new();
/// let mut out = Vec::new();
/// for chunk in [&b"a\r"[..], b"\n", b".b\r\n.", b"c"] {
///     s.push(chunk, &mut out);
/// }
/// s.finish(&mut out);
/// assert_eq!(out, b"a\r\n..b\r\n..c\r\n.\r\n");
/// ```
#[derive(Debug, Clone)]
pub struct BodyStuffer {
    state: LineState,
}

impl Default for BodyStuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl BodyStuffer {
    /// A stuffer at the start of a body.
    pub fn new() -> Self {
        BodyStuffer {
            state: LineState::Start,
        }
    }

    /// Appends `chunk`, stuffed, to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let mut rest = chunk;
        if rest.is_empty() {
            return;
        }
        match self.state {
            LineState::Start => {}
            LineState::MidCr if rest[0] == b'\n' => {
                out.push(b'\n');
                rest = &rest[1..];
                self.state = LineState::Start;
            }
            LineState::Mid | LineState::MidCr => match memmem::find(rest, b"\r\n") {
                Some(i) => {
                    out.extend_from_slice(&rest[..i + 2]);
                    rest = &rest[i + 2..];
                    self.state = LineState::Start;
                }
                None => {
                    out.extend_from_slice(rest);
                    self.state = end_state(rest);
                    return;
                }
            },
        }
        if !rest.is_empty() {
            // `rest` starts at a line start: the codec's stuffing applies as is.
            dot::stuff(rest, out);
            self.state = end_state(rest);
        }
    }

    /// Ends the body: a CRLF if the last line lacks one, then `.` CRLF.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.state != LineState::Start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
        self.state = LineState::Start;
    }
}

/// Cuts a message for TOP (RFC 1939 §7): the header, the blank line that ends it, and
/// `lines` lines of the body; the rest is dropped. A message without a blank line is all
/// header and is sent whole.
///
/// ```
/// use mailproto_pop3_session::body::TopFilter;
/// let mut f = TopFilter::new(1);
/// let mut out = Vec::new();
/// for chunk in [&b"Subject: x\r"[..], b"\n\r\nline 1\r\nline", b" 2\r\n"] {
///     out.extend_from_slice(f.filter(chunk));
/// }
/// assert_eq!(out, b"Subject: x\r\n\r\nline 1\r\n");
/// assert!(f.is_done());
/// ```
#[derive(Debug, Clone)]
pub struct TopFilter {
    in_header: bool,
    lines_left: u32,
    /// Octets of the current line so far (a trailing CR included).
    line_len: usize,
    last_cr: bool,
    done: bool,
}

impl TopFilter {
    /// A filter that lets through the header and `lines` body lines.
    pub fn new(lines: u32) -> Self {
        TopFilter {
            in_header: true,
            lines_left: lines,
            line_len: 0,
            last_cr: false,
            done: false,
        }
    }

    /// True once everything TOP asked for has passed; later input is dropped.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The prefix of `chunk` to send.
    pub fn filter<'c>(&mut self, chunk: &'c [u8]) -> &'c [u8] {
        let mut i = 0;
        loop {
            if self.done {
                return &chunk[..i];
            }
            if !self.in_header && self.lines_left == 0 && self.line_len == 0 {
                self.done = true;
                return &chunk[..i];
            }
            match memchr::memchr(b'\n', &chunk[i..]) {
                None => {
                    self.line_len += chunk.len() - i;
                    if chunk.len() > i {
                        self.last_cr = chunk[chunk.len() - 1] == b'\r';
                    }
                    return chunk;
                }
                Some(off) => {
                    let lf = i + off;
                    let crlf = if lf == i {
                        self.last_cr
                    } else {
                        chunk[lf - 1] == b'\r'
                    };
                    let len = self.line_len + (lf - i);
                    i = lf + 1;
                    self.last_cr = false;
                    if crlf {
                        let content = len - 1;
                        self.line_len = 0;
                        if self.in_header {
                            if content == 0 {
                                self.in_header = false;
                            }
                        } else {
                            self.lines_left -= 1;
                        }
                    } else {
                        self.line_len = len + 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stuffed_in_chunks(body: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut s = BodyStuffer::new();
        let mut out = Vec::new();
        let mut at = 0;
        for &c in cuts {
            let c = c.min(body.len()).max(at);
            s.push(&body[at..c], &mut out);
            at = c;
        }
        s.push(&body[at..], &mut out);
        s.finish(&mut out);
        out
    }

    fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![Just(b'.'), Just(b'\r'), Just(b'\n'), Just(b'a')],
            0..64,
        )
    }

    proptest! {
        #[test]
        fn stuffing_in_chunks_equals_whole(body in body_strategy(), mut cuts in proptest::collection::vec(0usize..64, 0..8)) {
            cuts.sort_unstable();
            let mut whole = Vec::new();
            dot::encode_body(&body, &mut whole);
            prop_assert_eq!(stuffed_in_chunks(&body, &cuts), whole);
        }

        #[test]
        fn top_in_chunks_equals_whole(body in body_strategy(), lines in 0u32..4, mut cuts in proptest::collection::vec(0usize..64, 0..8)) {
            cuts.sort_unstable();
            let whole = TopFilter::new(lines).filter(&body).to_vec();
            let mut f = TopFilter::new(lines);
            let mut out = Vec::new();
            let mut at = 0;
            for c in cuts {
                let c = c.min(body.len()).max(at);
                out.extend_from_slice(f.filter(&body[at..c]));
                at = c;
            }
            out.extend_from_slice(f.filter(&body[at..]));
            prop_assert_eq!(out, whole);
        }
    }

    #[test]
    fn top_counts_body_lines_after_the_blank_line() {
        let msg = b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
        assert_eq!(TopFilter::new(0).filter(msg), b"A: 1\r\nB: 2\r\n\r\n");
        assert_eq!(
            TopFilter::new(2).filter(msg),
            b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n"
        );
        assert_eq!(TopFilter::new(9).filter(msg), msg);
        // A bare LF does not end a line.
        assert_eq!(
            TopFilter::new(0).filter(b"A\n\r\nB\r\n\r\nx\r\n"),
            b"A\n\r\nB\r\n\r\n"
        );
    }
}
