//! Keeping command lines under a server's line-length limit (issue 14, the encoder rows of
//! `docs/real-world.md`).
//!
//! The grammar sets no limit on a line, but servers do (Dovecot 64 KiB, Gmail 16 KiB,
//! Yahoo and UW 1000 octets), and answer a longer line with `BAD` or close the connection.
//! RFC 7162 §4 (updating RFC 2683 §3.2.1.5): "a client should limit the length of the command
//! lines it generates to approximately 8192 octets (including all quoted strings but not
//! including literals). If the client is unable to group things into ranges so that the
//! command line is within that length, it should split the request into multiple commands."
//!
//! [`Command::split_to_fit`] does that: a command whose lines fit is returned as it is; a
//! FETCH, STORE, UID COPY, UID MOVE or UID EXPUNGE whose sequence set makes it too long is sent as
//! several commands over parts of the [normalized](SequenceSet::normalized) set (ascending,
//! merged ranges: the compact form RFC 2683 §3.2.1.5 advises), each with its own tag (RFC 9051
//! §2.2.1: a different tag for each command); any other command that does not fit is refused
//! with [`LineTooLong`].

use crate::prelude::*;

use ::core::fmt;

use crate::core::Tag;
use crate::encode::EncodeOptions;
use crate::framer::{FrameError, Framer, FramerConfig, Status};
use crate::sequence::{SeqItem, SequenceSet};

use super::{Command, CommandBody};

/// [`RFC 7162 §4`](Command::split_to_fit)'s recommended limit: approximately 8192 octets per
/// command line, literals not counted.
pub const RECOMMENDED_MAX_LINE: usize = 8192;

/// A command that cannot be sent within the line-length limit: a line of it is longer than
/// `limit` and it cannot be split (only commands over a sequence set can), or even one item
/// of its sequence set per command is too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineTooLong {
    /// The command's longest line (CRLF included, literal data not counted).
    pub line: usize,
    /// The limit asked for.
    pub limit: usize,
}

impl fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "command line of {} octets exceeds the limit of {} (RFC 7162 §4) and the command cannot be split",
            self.line, self.limit
        )
    }
}

impl ::core::error::Error for LineTooLong {}

/// The longest line of an encoded command (CRLF included, literal data not counted), as
/// the server's framer measures it; `None` when every line is at most `limit`.
fn over_limit(bytes: &[u8], limit: usize) -> Option<usize> {
    let mut framer = Framer::new(FramerConfig::server().with_max_line(limit));
    loop {
        match framer.next(bytes) {
            Ok(Status::Message(_)) => return None,
            Ok(Status::Literal(_)) => {}
            Err(FrameError::LineTooLong { .. }) => return Some(longest_line(bytes)),
            // Anything else (a literal over the framer's limits): not a line-length matter.
            _ => return None,
        }
    }
}

/// The longest CRLF-ended line of `bytes`, literal data included (only for the error).
fn longest_line(bytes: &[u8]) -> usize {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

/// The sequence set of the commands that may be split over it: those whose parts, sent one
/// after the other, still name the same messages. FETCH and STORE by message number qualify
/// (RFC 9051 §7.5.1: no EXPUNGE response while responding to a FETCH or STORE, so the numbers
/// do not shift between the parts); COPY and MOVE only in their UID forms (a MOVE expunges
/// what it moved, and EXPUNGE responses may come during a COPY: the next part's message
/// numbers would name other messages).
fn sequence_set_mut<'b>(body: &'b mut CommandBody<'_>) -> Option<&'b mut SequenceSet> {
    match body {
        CommandBody::Fetch { sequence_set, .. }
        | CommandBody::Store { sequence_set, .. }
        | CommandBody::Copy {
            uid: true,
            sequence_set,
            ..
        }
        | CommandBody::Move {
            uid: true,
            sequence_set,
            ..
        }
        | CommandBody::UidExpunge { sequence_set } => Some(sequence_set),
        _ => None,
    }
}

impl<'a> Command<'a> {
    /// Whether [`split_to_fit`](Self::split_to_fit) can split this command (FETCH, STORE,
    /// UID COPY, UID MOVE, UID EXPUNGE: the commands whose sequence set it divides). Lets a
    /// caller skip the measuring encode for every other command.
    ///
    /// ```
    /// use mailproto_imap_codec::Command;
    /// assert!(Command::parse(b"a UID FETCH 1:3 (FLAGS)\r\n").unwrap().is_splittable());
    /// assert!(!Command::parse(b"a COPY 1:3 Archive\r\n").unwrap().is_splittable());
    /// ```
    pub fn is_splittable(&self) -> bool {
        // The same commands as `sequence_set_mut`, which needs the body mutably.
        matches!(
            self.body,
            CommandBody::Fetch { .. }
                | CommandBody::Store { .. }
                | CommandBody::Copy { uid: true, .. }
                | CommandBody::Move { uid: true, .. }
                | CommandBody::UidExpunge { .. }
        )
    }

    /// The command as one or more commands whose every line is at most `max_line` octets
    /// (CRLF included, literal data not counted; [`RECOMMENDED_MAX_LINE`] is RFC 7162 §4's
    /// advice) when encoded with `options`: itself when it fits; for FETCH, STORE, UID COPY,
    /// UID MOVE and UID EXPUNGE, the same command over consecutive parts of its normalized sequence
    /// set, the first with this command's tag and the others with tags from `next_tag`;
    /// otherwise [`LineTooLong`] (COPY and MOVE by message number too: a MOVE expunges, and
    /// EXPUNGE responses may come during a COPY, so a later part's numbers would name other
    /// messages, RFC 9051 §7.4.1, §7.5.1).
    ///
    /// ```
    /// use mailproto_imap_codec::{Command, EncodeOptions, Tag};
    /// use mailproto_imap_codec::command::split::LineTooLong;
    /// let set: Vec<String> = (1..=400).map(|n| (n * 3).to_string()).collect();
    /// let line = format!("a1 UID FETCH {} (FLAGS)\r\n", set.join(","));
    /// let cmd = Command::parse(line.as_bytes()).unwrap();
    /// let mut n = 1;
    /// let parts = cmd
    ///     .split_to_fit(1000, &EncodeOptions::default(), || {
    ///         n += 1;
    ///         Tag::new(format!("a{n}")).unwrap()
    ///     })
    ///     .unwrap();
    /// assert_eq!(parts.len(), 2);
    /// assert_eq!(parts[1].tag.as_str(), "a2");
    /// // A command with no sequence set to split is refused.
    /// let long = format!("a1 SELECT \"{}\"\r\n", "x".repeat(2000));
    /// let err = Command::parse(long.as_bytes()).unwrap()
    ///     .split_to_fit(1000, &EncodeOptions::default(), || unreachable!())
    ///     .unwrap_err();
    /// assert_eq!((err.line, err.limit), (2014, 1000));
    /// ```
    pub fn split_to_fit(
        &self,
        max_line: usize,
        options: &EncodeOptions,
        mut next_tag: impl FnMut() -> Tag<'a>,
    ) -> Result<Vec<Command<'a>>, LineTooLong> {
        let mut out = Vec::new();
        let _ = self.encode(&mut out, options);
        let Some(line) = over_limit(&out, max_line) else {
            return Ok(vec![self.clone()]);
        };
        let refused = LineTooLong {
            line,
            limit: max_line,
        };
        let mut body = self.body.clone();
        let Some(SequenceSet::Items(items)) = sequence_set_mut(&mut body).map(|s| s.normalized())
        else {
            return Err(refused);
        };
        // The set is on the command's first line (before any literal): what that line
        // holds besides the set, measured with the first item alone.
        let items = items.as_slice();
        let text_len =
            |item: &SeqItem| SequenceSet::new(vec![*item]).map_or(0, |s| s.to_string().len());
        out.clear();
        let _ = self.with_set(&body, &items[..1]).encode(&mut out, options);
        let first_line = out
            .iter()
            .position(|&b| b == b'\n')
            .map_or(out.len(), |p| p + 1);
        let budget = (max_line + text_len(&items[0]))
            .checked_sub(first_line)
            .ok_or(refused)?;
        // Items in order, as many per command as the budget holds (one pass).
        let mut groups: Vec<&[SeqItem]> = Vec::new();
        let (mut from, mut used) = (0, 0);
        for (k, item) in items.iter().enumerate() {
            let len = text_len(item);
            let add = if k == from { len } else { len + 1 };
            if used + add > budget {
                if k == from {
                    return Err(refused);
                }
                groups.push(&items[from..k]);
                (from, used) = (k, len);
            } else {
                used += add;
            }
        }
        groups.push(&items[from..]);
        let mut parts = Vec::with_capacity(groups.len());
        for (k, group) in groups.into_iter().enumerate() {
            let mut part = self.with_set(&body, group);
            if k > 0 {
                part.tag = next_tag();
            }
            out.clear();
            let _ = part.encode(&mut out, options);
            if over_limit(&out, max_line).is_some() {
                return Err(refused);
            }
            parts.push(part);
        }
        Ok(parts)
    }

    /// This command with `body`'s sequence set replaced by `items`.
    fn with_set(&self, body: &CommandBody<'a>, items: &[SeqItem]) -> Command<'a> {
        let mut body = body.clone();
        if let (Some(set), Ok(new)) = (
            sequence_set_mut(&mut body),
            SequenceSet::new(items.to_vec()),
        ) {
            *set = new;
        }
        Command::new(self.tag.clone(), body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_splittable` names exactly the commands whose set `sequence_set_mut` divides.
    #[test]
    fn is_splittable_agrees_with_the_set_it_divides() {
        for line in [
            "a FETCH 1:3 (FLAGS)\r\n",
            "a UID FETCH 1:3 (FLAGS)\r\n",
            "a STORE 1 +FLAGS (\\Seen)\r\n",
            "a COPY 1:3 Archive\r\n",
            "a UID COPY 1:3 Archive\r\n",
            "a MOVE 1:3 Archive\r\n",
            "a UID MOVE 1:3 Archive\r\n",
            "a UID EXPUNGE 1:3\r\n",
            "a SEARCH 1:3\r\n",
            "a SELECT INBOX\r\n",
            "a APPEND INBOX {1+}\r\nx\r\n",
        ] {
            let cmd = Command::parse(line.as_bytes()).unwrap();
            let mut body = cmd.body.clone();
            assert_eq!(
                cmd.is_splittable(),
                sequence_set_mut(&mut body).is_some(),
                "{line}"
            );
        }
    }

    fn tags<'t>() -> impl FnMut() -> Tag<'t> {
        let mut n = 1;
        move || {
            n += 1;
            Tag::new(format!("t{n}")).unwrap()
        }
    }

    fn encoded(c: &Command<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &EncodeOptions::default());
        out
    }

    #[test]
    fn a_huge_uid_set_is_split_into_commands_that_fit_and_cover_it() {
        // 20,000 UIDs that form no range: about 120 KiB on one line.
        let set: Vec<String> = (1..=20_000u32).rev().map(|n| (n * 2).to_string()).collect();
        for verb in [
            "UID FETCH",
            "UID STORE",
            "UID COPY",
            "UID MOVE",
            "UID EXPUNGE",
        ] {
            let args = match verb {
                "UID FETCH" => " (FLAGS)",
                "UID STORE" => " +FLAGS (\\Seen)",
                "UID COPY" | "UID MOVE" => " Archive",
                _ => "",
            };
            let line = format!("t1 {verb} {}{args}\r\n", set.join(","));
            let cmd = Command::parse(line.as_bytes()).unwrap();
            let parts = cmd
                .split_to_fit(RECOMMENDED_MAX_LINE, &EncodeOptions::default(), tags())
                .unwrap();
            assert!(parts.len() > 10, "{verb}");
            let mut covered = Vec::new();
            for (k, part) in parts.iter().enumerate() {
                let bytes = encoded(part);
                assert!(bytes.len() <= RECOMMENDED_MAX_LINE, "{verb}");
                assert_eq!(part.tag.as_str(), format!("t{}", k + 1));
                assert_eq!(part.kind(), cmd.kind());
                let again = Command::parse(&bytes).unwrap();
                let mut body = again.body;
                let SequenceSet::Items(items) = sequence_set_mut(&mut body).unwrap().clone() else {
                    panic!("$")
                };
                covered.extend_from_slice(items.as_slice());
            }
            // Ascending, and exactly the numbers asked for.
            let mut body = cmd.body.clone();
            let SequenceSet::Items(all) = sequence_set_mut(&mut body).unwrap().normalized() else {
                panic!("$")
            };
            assert_eq!(covered, all.as_slice(), "{verb}");
        }
    }

    #[test]
    fn what_fits_is_left_alone_and_literals_do_not_count() {
        let cmd = Command::parse(b"a1 UID FETCH 5:3,1 (FLAGS)\r\n").unwrap();
        let parts = cmd
            .split_to_fit(100, &EncodeOptions::default(), tags())
            .unwrap();
        assert_eq!(parts, [cmd]);
        let data = "x".repeat(20_000);
        let line = format!("a2 APPEND INBOX {{{}}}\r\n{data}\r\n", data.len());
        let append = Command::parse(line.as_bytes()).unwrap();
        let parts = append.split_to_fit(100, &EncodeOptions::default(), tags());
        assert_eq!(parts.unwrap().len(), 1);
    }

    #[test]
    fn what_cannot_fit_is_refused_with_the_sizes() {
        // No sequence set to split.
        let long = format!("a1 SELECT \"{}\"\r\n", "y".repeat(300));
        let err = Command::parse(long.as_bytes())
            .unwrap()
            .split_to_fit(100, &EncodeOptions::default(), tags())
            .unwrap_err();
        assert_eq!((err.line, err.limit), (long.len(), 100));
        assert!(err.to_string().contains("RFC 7162 §4"));
        // A limit below the command without its set, or below one item.
        let cmd = Command::parse(b"a1 UID COPY 1,3,5,7 Archive\r\n").unwrap();
        for limit in [0, 5, 20, 22] {
            assert!(
                cmd.split_to_fit(limit, &EncodeOptions::default(), tags())
                    .is_err(),
                "{limit}"
            );
        }
        // Just enough for one item per command.
        let parts = cmd
            .split_to_fit(23, &EncodeOptions::default(), tags())
            .unwrap();
        assert_eq!(parts.len(), 4);
        // By message number, COPY and MOVE are not split: the numbers of a later part would
        // shift under the EXPUNGEs of an earlier one (RFC 9051 §7.5.1).
        for verb in ["COPY", "MOVE"] {
            let line = format!("a1 {verb} 1,3,5,7 Archive\r\n");
            let cmd = Command::parse(line.as_bytes()).unwrap();
            assert!(
                cmd.split_to_fit(23, &EncodeOptions::default(), tags())
                    .is_err()
            );
        }
        // A set too long with a long item list that cannot shrink: refused, not looping.
        let items: Vec<String> = (1..=200).map(|k| format!("BODY[{k}]")).collect();
        let fetch = format!("a1 FETCH 1,3 ({})\r\n", items.join(" "));
        let err = Command::parse(fetch.as_bytes()).unwrap().split_to_fit(
            200,
            &EncodeOptions::default(),
            tags(),
        );
        assert!(err.is_err());
    }
}
