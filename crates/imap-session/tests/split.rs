//! Long commands split to fit the server's line-length cap (issue 14, the encoder rows of
//! docs/real-world.md; RFC 7162 §4, RFC 2683 §3.2.1.5): the parts go out as separate tagged
//! commands, and the application sees one command, one handle and one merged completion.

use imap_codec::response::CopyUid;
use imap_codec::{Code, Command, SequenceSet, StatusKind, UidSet};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, CommandHandle, DEFAULT_MAX_LINE, State,
};

fn session(config: ClientConfig) -> ClientSession {
    ClientSession::resume(config, State::Selected)
}

fn send(c: &mut ClientSession, line: &str) -> CommandHandle {
    let bytes = format!("{line}\r\n");
    c.send_command(Command::parse(bytes.as_bytes()).unwrap())
        .unwrap()
}

/// Bytes transmitted and events, until the session has nothing more.
fn drain(c: &mut ClientSession) -> (Vec<u8>, Vec<ClientEvent>) {
    let (mut wire, mut events) = (Vec::new(), Vec::new());
    while let Some(o) = c.poll_output() {
        match o {
            ClientOutput::Transmit(b) => wire.extend_from_slice(b),
            ClientOutput::Event(e) => events.push(e),
            ClientOutput::LiteralChunk { .. } => {}
        }
    }
    (wire, events)
}

/// The commands on the wire, each parsed back strictly.
fn lines(wire: &[u8]) -> Vec<Command<'static>> {
    wire.split_inclusive(|&b| b == b'\n')
        .map(|l| {
            use imap_codec::IntoStatic;
            Command::parse(l).unwrap().into_static()
        })
        .collect()
}

fn uid_set(c: &Command<'_>) -> Vec<u32> {
    let mut body = c.body.clone();
    let set = match &mut body {
        imap_codec::CommandBody::Fetch { sequence_set, .. }
        | imap_codec::CommandBody::Copy { sequence_set, .. } => sequence_set.clone(),
        other => panic!("{other:?}"),
    };
    let SequenceSet::Items(items) = set else {
        panic!("$")
    };
    items
        .as_slice()
        .iter()
        .flat_map(|i| {
            let s = SequenceSet::new(vec![*i]).unwrap().to_string();
            let (a, b) = s.split_once(':').unwrap_or((&s, &s));
            let (a, b): (u32, u32) = (a.parse().unwrap(), b.parse().unwrap());
            a.min(b)..=a.max(b)
        })
        .collect()
}

/// A realistic long UID set: the 6,000 messages of a 120,000-message mailbox that a search
/// matched (scattered, a few short runs), sent in the order the application had them
/// (newest first).
fn scattered_uids() -> Vec<u32> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut uids: Vec<u32> = (0..6_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            u32::try_from(x % 120_000).unwrap() + 1
        })
        .collect();
    uids.sort_unstable();
    uids.dedup();
    uids.reverse();
    uids
}

#[test]
fn a_long_uid_fetch_goes_out_in_parts_that_fit_and_completes_once() {
    let uids = scattered_uids();
    let set: Vec<String> = uids.iter().map(u32::to_string).collect();
    let mut c = session(ClientConfig::default());
    let h = send(&mut c, &format!("x1 UID FETCH {} (FLAGS)", set.join(",")));
    let (wire, _) = drain(&mut c);
    let parts = lines(&wire);
    assert!(parts.len() >= 4, "{} parts", parts.len());
    for line in wire.split_inclusive(|&b| b == b'\n') {
        assert!(line.len() <= DEFAULT_MAX_LINE, "{}", line.len());
    }
    // The first part keeps the command's tag; the others take the session's.
    let tags: Vec<&str> = parts.iter().map(|p| p.tag.as_str()).collect();
    assert_eq!(tags[0], "x1");
    assert_eq!(tags[1], "A1");
    // Ascending, every UID exactly once.
    let covered: Vec<u32> = parts.iter().flat_map(uid_set).collect();
    let mut asked = uids.clone();
    asked.sort_unstable();
    assert_eq!(covered, asked);
    // Every part is listed in flight under the one handle.
    assert_eq!(
        c.in_flight().filter(|(hh, ..)| *hh == h).count(),
        parts.len()
    );

    // Data of the last part's messages are the command's; one completion, at the end.
    let last_uid = *uid_set(parts.last().unwrap()).last().unwrap();
    c.handle_input(format!("* 1 FETCH (UID {last_uid} FLAGS (\\Seen))\r\n").as_bytes())
        .unwrap();
    let (_, events) = drain(&mut c);
    assert!(matches!(
        events.as_slice(),
        [ClientEvent::Data { handle: Some(x), .. }] if *x == h
    ));
    for (k, tag) in tags.iter().enumerate() {
        c.handle_input(format!("{tag} OK done {k}\r\n").as_bytes())
            .unwrap();
        let (_, events) = drain(&mut c);
        let completed: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Completed { handle, status } => Some((*handle, status.clone())),
                _ => None,
            })
            .collect();
        if k + 1 < tags.len() {
            assert!(completed.is_empty(), "part {k}: {events:?}");
        } else {
            // The first part's OK stands for the command.
            assert_eq!(completed.len(), 1);
            assert_eq!(completed[0].0, h);
            assert_eq!(completed[0].1.kind(), StatusKind::Ok);
            assert_eq!(completed[0].1.tag().unwrap().as_str(), "x1");
        }
    }
    assert_eq!(c.in_flight().count(), 0);
}

#[test]
fn a_failed_part_is_the_outcome_and_copyuid_codes_are_joined() {
    let config = ClientConfig::default().with_max_line(Some(25));
    // NO in the middle: the command failed (the first failure is reported).
    let mut c = session(config.clone());
    let h = send(&mut c, "a UID COPY 9,7,5,3,1 Archive");
    let parts = lines(&drain(&mut c).0);
    assert!(parts.len() >= 2);
    let mut last = None;
    for (k, p) in parts.iter().enumerate() {
        let kind = if k == 1 {
            "NO [OVERQUOTA] full"
        } else {
            "OK copied"
        };
        c.handle_input(format!("{} {kind}\r\n", p.tag.as_str()).as_bytes())
            .unwrap();
        for e in drain(&mut c).1 {
            if let ClientEvent::Completed { handle, status } = e {
                assert!(last.is_none());
                last = Some((handle, status));
            }
        }
    }
    let (handle, status) = last.unwrap();
    assert_eq!(handle, h);
    assert_eq!(status.kind(), StatusKind::No);
    assert_eq!(status.tag().unwrap().as_str(), parts[1].tag.as_str());

    // All OK with UIDPLUS: one COPYUID for the whole set (RFC 4315 §3).
    let mut c = session(config);
    let h = send(&mut c, "a UID COPY 9,7,5,3,1 Archive");
    let parts = lines(&drain(&mut c).0);
    let mut next_dest = 100;
    let mut last = None;
    for p in &parts {
        let src = uid_set(p);
        let dst: Vec<String> = src
            .iter()
            .map(|_| {
                next_dest += 1;
                next_dest.to_string()
            })
            .collect();
        let src: Vec<String> = src.iter().map(u32::to_string).collect();
        c.handle_input(
            format!(
                "{} OK [COPYUID 77 {} {}] copied\r\n",
                p.tag.as_str(),
                src.join(","),
                dst.join(",")
            )
            .as_bytes(),
        )
        .unwrap();
        for e in drain(&mut c).1 {
            if let ClientEvent::Completed { handle, status } = e {
                last = Some((handle, status));
            }
        }
    }
    let (handle, status) = last.unwrap();
    assert_eq!(handle, h);
    assert_eq!(status.tag().unwrap().as_str(), "a");
    let Some(Code::CopyUid(CopyUid {
        uid_validity,
        source,
        destination,
    })) = status.code()
    else {
        panic!("{status:?}")
    };
    assert_eq!(uid_validity.get(), 77);
    let flat = |s: &UidSet| -> Vec<u32> { s.ranges().iter().flat_map(|&(a, b)| a..=b).collect() };
    assert_eq!(flat(source), [1, 3, 5, 7, 9]);
    assert_eq!(flat(destination), [101, 102, 103, 104, 105]);
}

#[test]
fn what_is_not_split() {
    let uids: Vec<String> = (1..=3000u32).map(|n| (n * 2).to_string()).collect();
    let long = format!("a UID FETCH {} (FLAGS)", uids.join(","));
    // No limit: one line, as asked.
    let mut c = session(ClientConfig::default().with_max_line(None));
    send(&mut c, &long);
    assert_eq!(lines(&drain(&mut c).0).len(), 1);
    // The observer sends what it is given.
    let mut c = session(ClientConfig::observer());
    send(&mut c, &long);
    assert_eq!(lines(&drain(&mut c).0).len(), 1);
    // MOVE and COPY by message number: the numbers of a later part would shift under the
    // EXPUNGEs of an earlier one (RFC 9051 §7.5.1); sent as they are.
    let mut c = session(ClientConfig::default().with_max_line(Some(25)));
    send(&mut c, "b MOVE 9,7,5,3,1 Archive");
    send(&mut c, "c COPY 9,7,5,3,1 Archive");
    assert_eq!(lines(&drain(&mut c).0).len(), 2);
    // FETCH by message number is split (no EXPUNGE during FETCH, RFC 9051 §7.5.1).
    send(&mut c, "d FETCH 9,7,5,3,1 (FLAGS)");
    assert!(lines(&drain(&mut c).0).len() > 1);
}

#[test]
fn sequence_sets_go_out_ascending_and_merged() {
    // hMailServer and QQ fail on descending ranges (docs/real-world.md, "What our encoder
    // sends"): the session sends the normalized set, which names the same messages.
    let mut c = session(ClientConfig::default());
    send(&mut c, "a UID FETCH 5:3,1,2,9 (FLAGS)");
    send(&mut c, "b STORE 7:6,1 +FLAGS (\\Seen)");
    send(&mut c, "c UID MOVE 20:18 Archive");
    let (wire, _) = drain(&mut c);
    assert_eq!(
        String::from_utf8(wire).unwrap(),
        concat!(
            "a UID FETCH 1:5,9 (FLAGS)\r\n",
            "b STORE 1,6:7 +FLAGS (\\Seen)\r\n",
            "c UID MOVE 18:20 Archive\r\n",
        )
    );
    // Off: as given.
    let mut c = session(ClientConfig::default().with_normalize_sets(false));
    send(&mut c, "a UID FETCH 5:3,1 (FLAGS)");
    assert_eq!(drain(&mut c).0, b"a UID FETCH 5:3,1 (FLAGS)\r\n");
}

#[test]
fn an_empty_id_list_goes_out_as_nil() {
    // Exchange rejects `ID ()`; RFC 2971 §4 allows NIL for the empty list.
    let mut c = session(ClientConfig::default());
    send(&mut c, "a ID ()");
    assert_eq!(drain(&mut c).0, b"a ID NIL\r\n");
}

#[test]
fn strings_go_out_as_atoms_then_quoted_then_literals() {
    // The shortest form each value allows (servers choke on needless literals and quotes,
    // e.g. mailo.com on quoted header-field names).
    use imap_codec::{CommandBody, Mailbox};
    let mut c = ClientSession::resume(ClientConfig::default(), State::Authenticated);
    for name in ["Archive", "Sent Items", "Caf\u{e9}"] {
        c.send(CommandBody::Select {
            mailbox: Mailbox::new(name).unwrap(),
            params: Vec::new(),
        })
        .unwrap();
    }
    let (wire, _) = drain(&mut c);
    let wire = String::from_utf8(wire).unwrap();
    assert!(wire.starts_with("A1 SELECT Archive\r\nA2 SELECT \"Sent Items\"\r\nA3 SELECT {"));
}

#[test]
fn parts_with_a_synchronizing_literal_each_wait_for_their_continuation() {
    // The destination mailbox as a literal (RFC 9051 §4.3): every part sends it after its own
    // `+`, in order, and the parts still complete as one command.
    let mut c = session(ClientConfig::default().with_max_line(Some(21)));
    let cmd = Command::parse(b"a UID COPY 9,7,5,3,1 {5}\r\nhello\r\n").unwrap();
    let h = c.send_command(cmd).unwrap();
    let (wire, _) = drain(&mut c);
    assert_eq!(wire, b"a UID COPY 1,3 {5}\r\n");
    c.handle_input(b"+ go\r\n").unwrap();
    assert_eq!(drain(&mut c).0, b"hello\r\nA1 UID COPY 5,7 {5}\r\n");
    c.handle_input(b"+ go\r\n").unwrap();
    assert_eq!(drain(&mut c).0, b"hello\r\nA2 UID COPY 9 {5}\r\n");
    c.handle_input(b"+ go\r\n").unwrap();
    assert_eq!(drain(&mut c).0, b"hello\r\n");
    c.handle_input(b"a OK done\r\nA1 OK done\r\nA2 OK done\r\n")
        .unwrap();
    let completed: Vec<_> = drain(&mut c)
        .1
        .into_iter()
        .filter_map(|e| match e {
            ClientEvent::Completed { handle, .. } => Some(handle),
            _ => None,
        })
        .collect();
    assert_eq!(completed, [h]);
}
