//! Untagged data attributed to the command in flight they answer (RFC 9051 §7), with
//! several commands in flight, and one event per fact.

use imap_codec::{Command, Data};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, CommandHandle, MailboxChange, State,
};

fn session(state: State) -> ClientSession {
    ClientSession::resume(ClientConfig::default(), state)
}

fn send(c: &mut ClientSession, line: &str) -> CommandHandle {
    let bytes = format!("{line}\r\n");
    let command = Command::parse(bytes.as_bytes()).unwrap();
    c.send_command(command).unwrap()
}

fn events(c: &mut ClientSession) -> Vec<ClientEvent> {
    let mut events = Vec::new();
    while let Some(o) = c.poll_output() {
        if let ClientOutput::Event(e) = o {
            events.push(e);
        }
    }
    events
}

/// The handle each `Data` event of `input` was attributed to, in order.
fn handles(c: &mut ClientSession, input: &str) -> Vec<Option<CommandHandle>> {
    let _ = events(c);
    c.handle_input(input.as_bytes()).unwrap();
    events(c)
        .into_iter()
        .filter_map(|e| match e {
            ClientEvent::Data { handle, .. } => Some(handle),
            _ => None,
        })
        .collect()
}

#[test]
fn fetch_data_by_sequence_number_and_by_uid() {
    let mut c = session(State::Selected);
    let fetch = send(&mut c, "a1 FETCH 1:5 FLAGS");
    let uid_fetch = send(&mut c, "a2 UID FETCH 100:200 FLAGS");
    let got = handles(
        &mut c,
        concat!(
            "* 3 FETCH (FLAGS (\\Seen))\r\n",
            // Not in 1:5; UID 150 in 100:200.
            "* 7 FETCH (UID 150 FLAGS ())\r\n",
            // In 1:5, with a UID the UID FETCH did not ask for.
            "* 4 FETCH (UID 300 FLAGS ())\r\n",
            // Both could have caused it: ambiguous.
            "* 4 FETCH (UID 150 FLAGS ())\r\n",
            // Neither: unsolicited (a flag change made by another client).
            "* 9 FETCH (FLAGS ())\r\n",
        ),
    );
    assert_eq!(got, [Some(fetch), Some(uid_fetch), Some(fetch), None, None]);
}

#[test]
fn a_single_fetch_in_flight_does_not_take_unsolicited_fetch_data() {
    let mut c = session(State::Selected);
    let uid_fetch = send(&mut c, "a1 UID FETCH 10:* FLAGS");
    let got = handles(
        &mut c,
        "* 1 FETCH (UID 12 FLAGS ())\r\n* 2 FETCH (FLAGS (\\Deleted))\r\n",
    );
    // RFC 9051 §6.4.9: data answering UID FETCH carry the UID.
    assert_eq!(got, [Some(uid_fetch), None]);
}

#[test]
fn store_and_fetch_in_flight() {
    let mut c = session(State::Selected);
    let store = send(&mut c, "a1 STORE 2 +FLAGS (\\Seen)");
    let fetch = send(&mut c, "a2 FETCH 5 FLAGS");
    let got = handles(
        &mut c,
        "* 2 FETCH (FLAGS (\\Seen))\r\n* 5 FETCH (FLAGS ())\r\n",
    );
    assert_eq!(got, [Some(store), Some(fetch)]);
}

#[test]
fn esearch_by_its_tag_correlator() {
    let mut c = session(State::Selected);
    let first = send(&mut c, "a1 SEARCH RETURN (ALL) SEEN");
    let second = send(&mut c, "a2 UID SEARCH RETURN (ALL) UNSEEN");
    let got = handles(
        &mut c,
        concat!(
            "* ESEARCH (TAG \"a2\") UID ALL 4:6\r\n",
            "* ESEARCH (TAG \"a1\") ALL 1:3\r\n",
            // Without a correlator: only the UID SEARCH answers UID results.
            "* ESEARCH UID ALL 7\r\n",
            // Old-style SEARCH data carry nothing to tell them apart: ambiguous.
            "* SEARCH 1 2\r\n",
        ),
    );
    assert_eq!(got, [Some(second), Some(first), Some(second), None]);
}

#[test]
fn status_by_mailbox() {
    let mut c = session(State::Authenticated);
    let inbox = send(&mut c, "a1 STATUS INBOX (MESSAGES)");
    let archive = send(&mut c, "a2 STATUS Archive (MESSAGES)");
    let got = handles(
        &mut c,
        concat!(
            "* STATUS Archive (MESSAGES 3)\r\n",
            "* STATUS inbox (MESSAGES 1)\r\n",
            "* STATUS Other (MESSAGES 1)\r\n",
        ),
    );
    assert_eq!(got, [Some(archive), Some(inbox), None]);
}

#[test]
fn list_by_pattern() {
    let mut c = session(State::Authenticated);
    let work = send(&mut c, "a1 LIST \"\" Work/%");
    let home = send(&mut c, "a2 LIST Home/ *");
    let got = handles(
        &mut c,
        concat!(
            "* LIST () \"/\" Work/a\r\n",
            "* LIST () \"/\" Home/x/y\r\n",
            // `%` does not match the hierarchy delimiter; `Home/*` does not match either.
            "* LIST () \"/\" Work/a/b\r\n",
        ),
    );
    assert_eq!(got, [Some(work), Some(home), None]);
}

#[test]
fn data_only_one_kind_of_command_in_flight_causes() {
    let mut c = session(State::Authenticated);
    let _noop = send(&mut c, "a1 NOOP");
    let capability = send(&mut c, "a2 CAPABILITY");
    let _list = send(&mut c, "a3 LIST \"\" *");
    let got = handles(
        &mut c,
        "* CAPABILITY IMAP4rev1 IDLE\r\n* LIST () \"/\" INBOX\r\n",
    );
    assert_eq!(got[0], Some(capability));
    assert!(got[1].is_some());
}

/// Issue 11 item 5: EXISTS during IDLE was reported twice (as `Data` and as `Mailbox`).
#[test]
fn exists_during_idle_is_one_event() {
    let mut c = session(State::Selected);
    let _idle = send(&mut c, "a1 IDLE");
    c.handle_input(b"+ idling\r\n").unwrap();
    let _ = events(&mut c);
    c.handle_input(b"* 5 EXISTS\r\n* 4 EXPUNGE\r\n").unwrap();
    let got = events(&mut c);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(
        got[0],
        ClientEvent::Data {
            data: Data::Exists(5),
            ..
        }
    ));
    assert!(matches!(
        got[1],
        ClientEvent::Data {
            data: Data::Expunge(_),
            ..
        }
    ));
    assert!(
        !got.iter()
            .any(|e| matches!(e, ClientEvent::Mailbox(MailboxChange::Exists(_))))
    );
    // The view was updated before the events were reported.
    assert_eq!(c.mailbox().unwrap().exists, 4);
}

/// A BYE greeting is one event (the greeting), then the state change.
#[test]
fn bye_greeting_is_one_event() {
    let mut c = ClientSession::new(ClientConfig::default());
    c.handle_input(b"* BYE going away\r\n").unwrap();
    let got = events(&mut c);
    assert!(matches!(got[0], ClientEvent::Greeting(_)), "{got:?}");
    assert!(
        !got.iter().any(|e| matches!(e, ClientEvent::Bye(_))),
        "{got:?}"
    );
    assert_eq!(c.state(), State::Logout);
}

/// The lent bytes stay valid until the next call, and everything written is handed out
/// once, in order, whatever the calls between.
#[test]
fn transmit_is_lent_once_in_order() {
    let mut c = session(State::Authenticated);
    send(&mut c, "a1 NOOP");
    let first = match c.poll_output() {
        Some(ClientOutput::Transmit(b)) => b.to_vec(),
        other => panic!("{other:?}"),
    };
    send(&mut c, "a2 NOOP");
    let second = match c.poll_output() {
        Some(ClientOutput::Transmit(b)) => b.to_vec(),
        other => panic!("{other:?}"),
    };
    assert_eq!(first, b"a1 NOOP\r\n");
    assert_eq!(second, b"a2 NOOP\r\n");
    assert!(c.poll_output().is_none());
}
