//! The message model: an RFC 5322 message split into MIME entities (RFC 2045 §2.4,
//! RFC 2046 §5) with the exact byte range of each entity's header and body, which the
//! section specifiers of RFC 9051 §6.4.5 address.

use std::ops::Range;

use crate::header::{self, Field, Header};
use crate::mime::{self, MediaValue};

/// Bounds applied while parsing one message, so that hostile input costs bounded memory
/// and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Multipart / message nesting below the top level beyond which entities are not
    /// split further (they become leaves of type `application/octet-stream`).
    pub max_depth: usize,
    /// Total number of MIME entities in one message; parts beyond it are not split further.
    pub max_entities: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_depth: 32,
            max_entities: 4096,
        }
    }
}

/// What kind of content an entity holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A leaf part (text, image, application, ...).
    Leaf,
    /// `multipart/*` (RFC 2046 §5.1): the body parts, in order (never empty: a multipart
    /// without any boundary line gets one empty text/plain part, see docs/mailbox.md).
    Multipart(Vec<Entity>),
    /// `message/rfc822` or `message/global` (RFC 2046 §5.2.1, RFC 6532 §3.5): the
    /// encapsulated message.
    Message(Box<Entity>),
}

/// One MIME entity: a header and a body (RFC 2045 §2.4). The top-level message is one too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// The header, including the blank line that ends it when there is one.
    pub header: Range<usize>,
    /// The body.
    pub body: Range<usize>,
    /// The header fields.
    pub fields: Vec<Field>,
    /// The effective content type: the Content-Type field, or the RFC 2045 §5.2 /
    /// RFC 2046 §5.1.5 default when it is absent or invalid.
    pub content_type: MediaValue,
    /// True when `content_type` is a default rather than the field's value.
    pub defaulted_type: bool,
    /// The Content-Transfer-Encoding mechanism, lower-cased (`7bit` when absent,
    /// RFC 2045 §6.1).
    pub encoding: String,
    /// The parts or the encapsulated message.
    pub content: Content,
}

impl Entity {
    /// The header as a lookup table over `raw` (the message's octets).
    pub fn header<'m>(&'m self, raw: &'m [u8]) -> Header<'m> {
        Header {
            raw,
            fields: &self.fields,
        }
    }

    /// True for `text/*`.
    pub fn is_text(&self) -> bool {
        self.content_type.kind == "text"
    }

    /// The entity's whole extent (header and body).
    pub fn whole(&self) -> Range<usize> {
        self.header.start..self.body.end
    }
}

/// A parsed message: its octets and its MIME entity tree. Parsing never fails: whatever
/// the octets are, they are some message (RFC 2045 §5.2 defaults fill the gaps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    raw: Vec<u8>,
    root: Entity,
}

impl Message {
    /// Parses `raw` with the default [`ParseLimits`].
    pub fn parse(raw: impl Into<Vec<u8>>) -> Message {
        Self::parse_with(raw, ParseLimits::default())
    }

    /// Parses `raw` with explicit limits.
    pub fn parse_with(raw: impl Into<Vec<u8>>, limits: ParseLimits) -> Message {
        let raw = raw.into();
        let mut budget = limits.max_entities.max(1);
        let root = parse_entity(&raw, 0..raw.len(), false, 0, &limits, &mut budget);
        Message { raw, root }
    }

    /// The octets (RFC822.SIZE is their count).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The top-level entity.
    pub fn root(&self) -> &Entity {
        &self.root
    }

    /// The top-level header.
    pub fn header(&self) -> Header<'_> {
        self.root.header(&self.raw)
    }

    /// The octets of `range`.
    pub fn slice(&self, range: Range<usize>) -> &[u8] {
        self.raw.get(range).unwrap_or_default()
    }

    /// Resolves a section part path (RFC 9051 §6.4.5): `[]` is the message itself as
    /// "part 1's parent"; each number picks a child. The children of a message are the
    /// parts of its body when that is multipart, else the body alone as part 1; the
    /// children of a multipart part are its parts; the children of a message/rfc822 part
    /// are those of the encapsulated message; other parts have none.
    pub fn part(&self, path: &[u32]) -> Option<&Entity> {
        let mut e = &self.root;
        let mut first = true;
        for &n in path {
            let idx = usize::try_from(n).ok()?.checked_sub(1)?;
            e = if first {
                message_children(e).get(idx).copied()?
            } else {
                match &e.content {
                    Content::Multipart(parts) => parts.get(idx)?,
                    Content::Message(inner) => message_children(inner).get(idx).copied()?,
                    Content::Leaf => return None,
                }
            };
            first = false;
        }
        Some(e)
    }
}

/// The numbered children of a message entity (RFC 9051 §6.4.5).
fn message_children(msg: &Entity) -> Vec<&Entity> {
    match &msg.content {
        Content::Multipart(parts) => parts.iter().collect(),
        _ => vec![msg],
    }
}

fn default_type(digest: bool) -> MediaValue {
    if digest {
        // RFC 2046 §5.1.5: in multipart/digest the default is message/rfc822.
        MediaValue {
            kind: "message".into(),
            subtype: "rfc822".into(),
            params: Vec::new(),
        }
    } else {
        // RFC 2045 §5.2: "Content-type: text/plain; charset=us-ascii".
        MediaValue {
            kind: "text".into(),
            subtype: "plain".into(),
            params: vec![mime::Param {
                name: "charset".into(),
                value: b"US-ASCII".to_vec(),
            }],
        }
    }
}

/// Parses the entity in `raw[range]`.
fn parse_entity(
    raw: &[u8],
    range: Range<usize>,
    in_digest: bool,
    depth: usize,
    limits: &ParseLimits,
    budget: &mut usize,
) -> Entity {
    *budget = budget.saturating_sub(1);
    let (hdr, body, fields) = header::split(raw, range);
    let h = Header {
        raw,
        fields: &fields,
    };
    let parsed = h.get("content-type").and_then(|v| mime::content_type(&v));
    let (mut content_type, mut defaulted_type) = match parsed {
        Some(ct) => (ct, false),
        None => (default_type(in_digest), true),
    };
    let encoding = h
        .get("content-transfer-encoding")
        .and_then(|v| mime::transfer_encoding(&v))
        .unwrap_or_else(|| "7bit".into());
    let identity = matches!(encoding.as_str(), "7bit" | "8bit" | "binary");
    let may_descend = depth < limits.max_depth && *budget > 0;
    let mut content = Content::Leaf;
    if content_type.kind == "multipart" {
        if may_descend {
            // RFC 2046 §5.1.1 requires the boundary parameter; without it no delimiter can
            // be found and the multipart gets one empty part (as Dovecot 2.3 reports it).
            let boundary = content_type.param("boundary").unwrap_or_default().to_vec();
            let digest = content_type.subtype == "digest";
            let ranges = if boundary.is_empty() {
                Vec::new()
            } else {
                split_multipart(raw, body.clone(), &boundary)
            };
            let mut parts = ranges
                .into_iter()
                .map(|r| parse_entity(raw, r, digest, depth + 1, limits, budget))
                .collect::<Vec<_>>();
            if parts.is_empty() {
                let at = body.end;
                parts.push(parse_entity(raw, at..at, false, depth + 1, limits, budget));
            }
            content = Content::Multipart(parts);
        } else {
            content_type = octet_stream();
            defaulted_type = true;
        }
    } else if content_type.kind == "message"
        && matches!(content_type.subtype.as_str(), "rfc822" | "global")
        && identity
    {
        if may_descend {
            content = Content::Message(Box::new(parse_entity(
                raw,
                body.clone(),
                false,
                depth + 1,
                limits,
                budget,
            )));
        } else {
            content_type = octet_stream();
            defaulted_type = true;
        }
    }
    Entity {
        header: hdr,
        body,
        fields,
        content_type,
        defaulted_type,
        encoding,
        content,
    }
}

fn octet_stream() -> MediaValue {
    MediaValue {
        kind: "application".into(),
        subtype: "octet-stream".into(),
        params: Vec::new(),
    }
}

/// Splits a multipart body at its delimiter lines (RFC 2046 §5.1.1): a line that starts
/// with `--boundary` followed by optional transport padding (LWSP) or by `--` (the close
/// delimiter). The line break before a delimiter belongs to the delimiter. The preamble
/// and the epilogue are not parts. Without a close delimiter the last part runs to the end
/// of the body (real-world truncation). Linear in the body length.
fn split_multipart(raw: &[u8], body: Range<usize>, boundary: &[u8]) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut open: Option<usize> = None;
    let mut pos = body.start;
    while pos < body.end {
        let line_end = memchr::memchr(b'\n', &raw[pos..body.end]).map_or(body.end, |k| pos + k);
        let next = (line_end + 1).min(body.end);
        let line = &raw[pos..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line
            .strip_prefix(b"--")
            .and_then(|l| l.strip_prefix(boundary))
        {
            let close = rest.starts_with(b"--");
            let padding_only = rest.iter().all(|b| matches!(b, b' ' | b'\t'));
            if close || padding_only {
                if let Some(start) = open {
                    let mut end = pos;
                    if end > start && raw[end - 1] == b'\n' {
                        end -= 1;
                        if end > start && raw[end - 1] == b'\r' {
                            end -= 1;
                        }
                    }
                    parts.push(start..end.max(start));
                }
                if close {
                    return parts;
                }
                open = Some(if line_end < body.end {
                    line_end + 1
                } else {
                    body.end
                });
            }
        }
        if line_end >= body.end {
            break;
        }
        pos = next;
    }
    if let Some(start) = open {
        parts.push(start..body.end);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_ranges() {
        let m = b"Content-Type: multipart/mixed; boundary=XX\r\n\r\npre\r\n--XX\r\n\r\none\r\n--XX \r\nContent-Type: text/html\r\n\r\n<b>two</b>\r\n--XX--\r\nepilogue";
        let msg = Message::parse(&m[..]);
        let Content::Multipart(parts) = &msg.root().content else {
            panic!("not multipart")
        };
        assert_eq!(parts.len(), 2);
        assert_eq!(msg.slice(parts[0].body.clone()), b"one");
        assert_eq!(msg.slice(parts[0].header.clone()), b"\r\n");
        assert_eq!(msg.slice(parts[1].body.clone()), b"<b>two</b>");
        assert_eq!(parts[1].content_type.subtype, "html");
        assert!(parts[0].defaulted_type);
    }

    #[test]
    fn boundary_prefix_is_not_a_delimiter() {
        let m =
            b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\nx\r\n--ab\r\ny\r\n--a--";
        let msg = Message::parse(&m[..]);
        let Content::Multipart(parts) = &msg.root().content else {
            panic!("not multipart")
        };
        assert_eq!(parts.len(), 1);
        assert_eq!(msg.slice(parts[0].body.clone()), b"x\r\n--ab\r\ny");
    }

    #[test]
    fn depth_limit_makes_leaves() {
        let mut m = Vec::new();
        for _ in 0..10 {
            m.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        }
        m.extend_from_slice(b"Subject: deep\r\n\r\nhi");
        let msg = Message::parse_with(
            m,
            ParseLimits {
                max_depth: 3,
                max_entities: 100,
            },
        );
        let mut e = msg.root();
        let mut depth = 0;
        while let Content::Message(inner) = &e.content {
            e = inner;
            depth += 1;
        }
        assert_eq!(depth, 3);
        assert_eq!(e.content_type.kind, "application");
    }
}
