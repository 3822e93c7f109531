//! UIDONLY (RFC 9586 §3) through a client–server pair: `ENABLE UIDONLY` puts it in force on
//! both sides; then the server answers commands that use message numbers with
//! `BAD [UIDREQUIRED]`, sends message data as `UIDFETCH` and expunges as VANISHED, and the
//! client refuses such commands itself and attributes `UIDFETCH` data by UID.

mod common;

use std::num::NonZeroU32;

use common::Pair;
use imap_codec::ext::NonEmpty;
use imap_codec::ext::uidonly::UidFetchData;
use imap_codec::response::{FetchData, MessageAttribute};
use imap_codec::{Capability, Code, Command, Data, Flag, Response, StatusKind, Tag};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, LocalError, PeerError, ServerConfig, ServerEvent, State,
};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// A pair in the selected state whose server advertised UIDONLY, after `ENABLE UIDONLY`.
fn enabled_pair() -> Pair {
    let mut pair = Pair::advertising(
        State::Selected,
        vec![
            Capability::Imap4rev1,
            Capability::Enable,
            Capability::UidOnly,
            Capability::Sort,
        ],
    );
    pair.client
        .send_command(Command::parse(b"e1 ENABLE UIDONLY\r\n").unwrap())
        .unwrap();
    pair.drive();
    pair.server
        .send_response(Response::Data(Data::Enabled(vec![Capability::UidOnly])))
        .unwrap();
    pair.server
        .complete(Tag::new("e1").unwrap(), StatusKind::Ok, "enabled")
        .unwrap();
    pair.drive();
    assert!(pair.client.uidonly_enabled() && pair.server.uidonly_enabled());
    pair
}

fn seen() -> NonEmpty<MessageAttribute<'static>> {
    NonEmpty::new(vec![MessageAttribute::Flags(vec![Flag::Seen])]).unwrap()
}

#[test]
fn server_refuses_message_numbers_once_enabled() {
    let mut pair = enabled_pair();
    pair.server.handle_input(b"a1 FETCH 1 FLAGS\r\n").unwrap();
    pair.server
        .handle_input(b"a2 STORE 1 +FLAGS (\\Seen)\r\n")
        .unwrap();
    pair.server.handle_input(b"a3 SEARCH ALL\r\n").unwrap();
    pair.server
        .handle_input(b"a4 UID FETCH 1 FLAGS\r\n")
        .unwrap();
    pair.drive();
    let wire = String::from_utf8_lossy(&pair.server_wire).into_owned();
    for tag in ["a1", "a2", "a3"] {
        assert!(
            wire.contains(&format!("{tag} BAD [UIDREQUIRED] ")),
            "{tag}: {wire}"
        );
    }
    assert!(!wire.contains("a4 BAD"), "{wire}");
    assert!(pair.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::UidRequired { command: "FETCH" })
    )));
    assert!(pair.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::Command(c) if c.tag.as_str() == "a4"
    )));

    // Message data go out as UIDFETCH; FETCH data and EXPUNGE are refused locally, and
    // expunges become VANISHED.
    assert!(matches!(
        pair.server
            .send_response(Response::Data(Data::Fetch(FetchData::new(nz(1), seen())))),
        Err(LocalError::UnexpectedResponse(_))
    ));
    assert!(matches!(
        pair.server
            .send_response(Response::Data(Data::Expunge(nz(1)))),
        Err(LocalError::UnexpectedResponse(_))
    ));
    pair.server
        .send_response(Response::Data(Data::UidFetch(UidFetchData::new(
            nz(1),
            seen(),
        ))))
        .unwrap();
    pair.server.send_expunged(&[(nz(1), nz(7))]).unwrap();
    pair.drive();
    let wire = String::from_utf8_lossy(&pair.server_wire).into_owned();
    assert!(wire.contains("* 1 UIDFETCH (FLAGS (\\Seen))\r\n"), "{wire}");
    assert!(wire.contains("* VANISHED 7\r\n"), "{wire}");
}

/// RFC 9586 §3: message numbers are refused in the search criteria of the UID forms too: a
/// `sequence-set` search key, at any depth, gets `BAD [UIDREQUIRED]`; `UID n:m` keys and `$`
/// (a saved result, RFC 5182) do not.
#[test]
fn server_refuses_message_numbers_in_uid_search_keys() {
    let mut pair = enabled_pair();
    for line in [
        &b"b1 UID SEARCH 1:10\r\n"[..],
        b"b2 UID SEARCH UNSEEN NOT (FLAGGED OR 2 DELETED)\r\n",
        b"b3 UID SEARCH FUZZY 4,6:*\r\n",
        b"b4 UID SORT (DATE) UTF-8 1:5\r\n",
        b"b5 UID THREAD REFERENCES UTF-8 OR 1 UNSEEN\r\n",
        b"c1 UID SEARCH UID 1:10 NOT DELETED\r\n",
        b"c2 UID SEARCH $\r\n",
        b"c3 UID SORT (DATE) UTF-8 OR UID 1 (UID 2:* SEEN)\r\n",
    ] {
        pair.server.handle_input(line).unwrap();
        pair.drive();
    }
    let wire = String::from_utf8_lossy(&pair.server_wire).into_owned();
    for tag in ["b1", "b2", "b3", "b4", "b5"] {
        assert!(
            wire.contains(&format!("{tag} BAD [UIDREQUIRED] ")),
            "{tag}: {wire}"
        );
    }
    for tag in ["c1", "c2", "c3"] {
        assert!(!wire.contains(&format!("{tag} BAD")), "{tag}: {wire}");
        assert!(
            pair.server_events.iter().any(|e| matches!(
                e,
                ServerEvent::Command(c) if c.tag.as_str() == tag
            )),
            "{tag} reaches the application"
        );
    }
    assert!(pair.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::UidRequired {
            command: "UID SORT"
        })
    )));

    // The client refuses the same commands before sending them.
    for line in [
        &b"d1 UID SEARCH 1:10\r\n"[..],
        b"d2 UID SEARCH OR 3 SEEN\r\n",
    ] {
        assert!(matches!(
            pair.client.send_command(Command::parse(line).unwrap()),
            Err(LocalError::UidRequired {
                command: "UID SEARCH"
            })
        ));
    }
    pair.client
        .send_command(Command::parse(b"d3 UID SEARCH UID 3 SEEN\r\n").unwrap())
        .unwrap();
}

#[test]
fn server_accepts_message_numbers_before_enable() {
    let mut pair = Pair::resume(
        ClientConfig::default(),
        ServerConfig::default(),
        State::Selected,
    );
    pair.server.handle_input(b"a1 FETCH 1 FLAGS\r\n").unwrap();
    pair.drive();
    assert!(pair.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::Command(c) if c.tag.as_str() == "a1"
    )));
}

#[test]
fn client_keys_uidfetch_by_uid() {
    let mut pair = enabled_pair();
    assert!(matches!(
        pair.client
            .send_command(Command::parse(b"c1 FETCH 1 FLAGS\r\n").unwrap()),
        Err(LocalError::UidRequired { command: "FETCH" })
    ));
    let handle = pair
        .client
        .send_command(Command::parse(b"c2 UID FETCH 25:30 FLAGS\r\n").unwrap())
        .unwrap();
    pair.drive();
    let from = pair.client_events.len();
    // One in the set, one outside it (a change made elsewhere: unsolicited).
    for uid in [26, 99] {
        pair.server
            .send_response(Response::Data(Data::UidFetch(UidFetchData::new(
                nz(uid),
                seen(),
            ))))
            .unwrap();
    }
    pair.server
        .complete(Tag::new("c2").unwrap(), StatusKind::Ok, "done")
        .unwrap();
    pair.drive();
    let data: Vec<_> = pair.client_events[from..]
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Data {
                handle,
                data: Data::UidFetch(f),
            } => Some((f.uid.get(), *handle)),
            _ => None,
        })
        .collect();
    assert_eq!(data, vec![(26, Some(handle)), (99, None)]);
}

/// A server answering a message-number command with `BAD [UIDREQUIRED]` reaches the client
/// as the command's completion with that code (a client that did not know UIDONLY was on).
#[test]
fn client_sees_uidrequired() {
    let mut client =
        mailproto_imap_session::ClientSession::resume(ClientConfig::default(), State::Selected);
    let handle = client
        .send_command(Command::parse(b"A103 FETCH 1 FLAGS\r\n").unwrap())
        .unwrap();
    client
        .handle_input(b"A103 BAD [UIDREQUIRED] Message numbers are not allowed\r\n")
        .unwrap();
    let mut done = false;
    while let Some(out) = client.poll_output() {
        if let mailproto_imap_session::ClientOutput::Event(ClientEvent::Completed {
            handle: h,
            status,
        }) = out
        {
            assert_eq!(h, handle);
            assert_eq!(status.code(), Some(&Code::UidRequired));
            done = true;
        }
    }
    assert!(done);
}
