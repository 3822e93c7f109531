//! Address lists (RFC 5322 §3.4 `address-list`, `mailbox`, `name-addr`, `angle-addr`,
//! `group`, `addr-spec`; §4.4 obsolete forms: `obs-route`, `obs-phrase`, missing commas
//! tolerated), as the ENVELOPE address structures of RFC 9051 §7.5.2 need them.

/// One element of an address list, in the order of the ENVELOPE's address structures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressItem {
    /// A mailbox.
    Mailbox(Mailbox),
    /// The start of a group: its display name (`display-name ":"`).
    GroupStart(Vec<u8>),
    /// The end of a group (`";"`).
    GroupEnd,
}

/// A mailbox: `[display-name] "<" [obs-route] addr-spec ">"` or a bare `addr-spec`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    /// The display name (phrase): words joined by single spaces, quoted strings unquoted,
    /// RFC 2047 encoded words kept as-is (RFC 9051 §7.5.2 passes them through). `None`
    /// when absent.
    pub name: Option<Vec<u8>>,
    /// The obsolete source route (`obs-route`, RFC 5322 §4.4) without its final colon,
    /// e.g. `@a,@b`.
    pub adl: Option<Vec<u8>>,
    /// The local part, a quoted one without its quotes.
    pub local: Vec<u8>,
    /// The domain; empty when the address has no `@` (not NIL: NIL marks groups).
    pub domain: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Vec<u8>),
    Quoted(Vec<u8>),
    Literal(Vec<u8>),
    Special(u8),
}

#[derive(Debug, Clone)]
struct Lexed {
    tok: Tok,
    space_before: bool,
}

const SPECIALS: &[u8] = b"<>@,;:.";

fn lex(s: &[u8]) -> Vec<Lexed> {
    let mut lx = crate::mime::Lexer::new(s);
    let mut out = Vec::new();
    loop {
        let before = lx.pos;
        lx.skip_cfws();
        let space_before = lx.pos > before;
        let Some(&b) = s.get(lx.pos) else { break };
        let tok = match b {
            b'"' => Tok::Quoted(lx.quoted().unwrap_or_default()),
            b'[' => {
                let start = lx.pos;
                let end = s[start..]
                    .iter()
                    .position(|&c| c == b']')
                    .map_or(s.len(), |p| start + p + 1);
                lx.pos = end;
                Tok::Literal(s[start..end].to_vec())
            }
            b if SPECIALS.contains(&b) => {
                lx.pos += 1;
                Tok::Special(b)
            }
            _ => {
                let start = lx.pos;
                while s
                    .get(lx.pos)
                    .is_some_and(|&c| !SPECIALS.contains(&c) && !b" \t\r\n\"()[]".contains(&c))
                {
                    lx.pos += 1;
                }
                if lx.pos == start {
                    // A stray ")" or "]": skip it.
                    lx.pos += 1;
                    continue;
                }
                Tok::Word(s[start..lx.pos].to_vec())
            }
        };
        out.push(Lexed { tok, space_before });
    }
    out
}

/// Joins tokens as a phrase: single spaces where the input had CFWS.
fn phrase(toks: &[Lexed]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for t in toks {
        if t.space_before && !out.is_empty() {
            out.push(b' ');
        }
        match &t.tok {
            Tok::Word(w) | Tok::Quoted(w) | Tok::Literal(w) => out.extend_from_slice(w),
            Tok::Special(c) => out.push(*c),
        }
    }
    (!toks.is_empty()).then_some(out)
}

/// Joins tokens without spaces (local parts and domains); a quoted string contributes its
/// content without the quotes (as Dovecot and UW-IMAP report a quoted local part).
fn compact(toks: &[Lexed]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in toks {
        match &t.tok {
            Tok::Word(w) | Tok::Literal(w) | Tok::Quoted(w) => out.extend_from_slice(w),
            Tok::Special(c) => out.push(*c),
        }
    }
    out
}

fn is(t: &Lexed, c: u8) -> bool {
    t.tok == Tok::Special(c)
}

/// Parses an address list (From, To, Cc, ...). Never fails: damaged input yields what
/// can be recognised, each element consuming at least one token.
pub fn parse_address_list(value: &[u8]) -> Vec<AddressItem> {
    let toks = lex(value);
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_group = false;
    while i < toks.len() {
        if is(&toks[i], b',') {
            i += 1;
            continue;
        }
        if is(&toks[i], b';') {
            if in_group {
                out.push(AddressItem::GroupEnd);
                in_group = false;
            }
            i += 1;
            continue;
        }
        // A group starts with `display-name ":"`: a colon before any of `<@,;`.
        let stop = toks[i..]
            .iter()
            .position(|t| matches!(t.tok, Tok::Special(b':' | b'<' | b'@' | b',' | b';')))
            .map(|p| i + p);
        if !in_group && stop.is_some_and(|j| is(&toks[j], b':')) {
            let j = stop.unwrap_or(i);
            out.push(AddressItem::GroupStart(
                phrase(&toks[i..j]).unwrap_or_default(),
            ));
            in_group = true;
            i = j + 1;
            continue;
        }
        let (mb, next) = mailbox(&toks, i);
        out.push(AddressItem::Mailbox(mb));
        i = next.max(i + 1);
    }
    if in_group {
        out.push(AddressItem::GroupEnd);
    }
    out
}

/// One `mailbox` starting at token `i`; returns it and the index after it.
fn mailbox(toks: &[Lexed], i: usize) -> (Mailbox, usize) {
    let end = toks[i..]
        .iter()
        .position(|t| is(t, b',') || is(t, b';'))
        .map_or(toks.len(), |p| i + p);
    let lt = toks[i..end].iter().position(|t| is(t, b'<')).map(|p| i + p);
    match lt {
        Some(lt) => {
            // name-addr: [display-name] "<" [obs-route] addr-spec ">". The angle address may
            // contain commas in its route, so it ends at ">" rather than at `end`.
            let close = toks[lt..]
                .iter()
                .position(|t| is(t, b'>'))
                .map_or(toks.len(), |p| lt + p);
            let inner = &toks[lt + 1..close];
            let (adl, spec) = match inner.iter().position(|t| is(t, b':')) {
                Some(c) if inner.first().is_some_and(|t| is(t, b'@')) => {
                    (Some(compact(&inner[..c])), &inner[c + 1..])
                }
                _ => (None, inner),
            };
            let (local, domain) = addr_spec(spec);
            let next = toks[close.min(toks.len())..]
                .iter()
                .position(|t| is(t, b',') || is(t, b';'))
                .map_or(toks.len(), |p| close + p);
            (
                Mailbox {
                    name: phrase(&toks[i..lt]),
                    adl,
                    local,
                    domain,
                },
                next,
            )
        }
        None => {
            let (local, domain) = addr_spec(&toks[i..end]);
            (
                Mailbox {
                    name: None,
                    adl: None,
                    local,
                    domain,
                },
                end,
            )
        }
    }
}

/// `addr-spec = local-part "@" domain` (the last `@` separates them).
fn addr_spec(toks: &[Lexed]) -> (Vec<u8>, Vec<u8>) {
    match toks.iter().rposition(|t| is(t, b'@')) {
        Some(at) => (compact(&toks[..at]), compact(&toks[at + 1..])),
        None => (compact(toks), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(name: Option<&str>, local: &str, domain: &str) -> AddressItem {
        AddressItem::Mailbox(Mailbox {
            name: name.map(|n| n.as_bytes().to_vec()),
            adl: None,
            local: local.as_bytes().to_vec(),
            domain: domain.as_bytes().to_vec(),
        })
    }

    #[test]
    fn rfc5322_appendix_a1_2() {
        // RFC 5322 Appendix A.1.2.
        let l = parse_address_list(
            b"\"Joe Q. Public\" <john.q.public@example.com>, Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
        );
        assert_eq!(
            l,
            vec![
                mb(Some("Joe Q. Public"), "john.q.public", "example.com"),
                mb(Some("Mary Smith"), "mary", "x.test"),
                mb(None, "jdoe", "example.org"),
                mb(Some("Who?"), "one", "y.test"),
            ]
        );
    }

    #[test]
    fn groups_rfc5322_a1_3() {
        let l = parse_address_list(
            b"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Undisclosed recipients:;",
        );
        assert_eq!(
            l,
            vec![
                AddressItem::GroupStart(b"A Group".to_vec()),
                mb(Some("Ed Jones"), "c", "a.test"),
                mb(None, "joe", "where.test"),
                mb(Some("John"), "jdoe", "one.test"),
                AddressItem::GroupEnd,
                AddressItem::GroupStart(b"Undisclosed recipients".to_vec()),
                AddressItem::GroupEnd,
            ]
        );
    }

    #[test]
    fn route_comments_and_quoted_local() {
        let l = parse_address_list(
            b"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>, <@a,@b:x@c>, \"a b\"@d, =?utf-8?Q?J=C3=B6rg?= <j@e>",
        );
        assert_eq!(l[0], mb(Some("Pete"), "pete", "silly.test"));
        assert_eq!(
            l[1],
            AddressItem::Mailbox(Mailbox {
                name: None,
                adl: Some(b"@a,@b".to_vec()),
                local: b"x".to_vec(),
                domain: b"c".to_vec(),
            })
        );
        assert_eq!(l[2], mb(None, "a b", "d"));
        assert_eq!(l[3], mb(Some("=?utf-8?Q?J=C3=B6rg?="), "j", "e"));
        assert_eq!(parse_address_list(b"user"), vec![mb(None, "user", "")]);
        assert!(parse_address_list(b"  ").is_empty());
    }
}
