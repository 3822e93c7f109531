//! NOTIFY (RFC 5465) in the client session: once `NOTIFY SET` completed, unsolicited STATUS,
//! LIST and METADATA data (the section 5 examples) are notifications, the selected mailbox's
//! data update the view as before, and `[NOTIFICATIONOVERFLOW]` or `NOTIFY NONE` turn it off.

use imap_codec::Command;
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, Notification, State,
};

fn events(client: &mut ClientSession) -> Vec<ClientEvent> {
    let mut out = Vec::new();
    while let Some(o) = client.poll_output() {
        if let ClientOutput::Event(e) = o {
            out.push(e);
        }
    }
    out
}

fn feed(client: &mut ClientSession, bytes: &[u8]) -> Vec<ClientEvent> {
    client.handle_input(bytes).unwrap();
    events(client)
}

fn send(client: &mut ClientSession, line: &[u8]) {
    client.send_command(Command::parse(line).unwrap()).unwrap();
    events(client);
}

fn notifications(events: &[ClientEvent]) -> Vec<&Notification> {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Notification(n) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn notify_set_none_and_overflow() {
    let mut client = ClientSession::resume(ClientConfig::default(), State::Selected);
    // Before NOTIFY: an unsolicited STATUS is plain data.
    let e = feed(&mut client, b"* STATUS misc (UIDNEXT 999 MESSAGES 554)\r\n");
    assert!(notifications(&e).is_empty());
    assert!(matches!(
        e.as_slice(),
        [ClientEvent::Data { handle: None, .. }]
    ));

    send(
        &mut client,
        b"a NOTIFY SET (selected (MessageNew (uid) MessageExpunge)) (personal (MessageNew MessageExpunge MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange))\r\n",
    );
    // Not yet completed: still off.
    assert!(!client.notify_active());
    feed(&mut client, b"a OK done\r\n");
    assert!(client.notify_active());

    // RFC 5465 §5.1 to §5.7, other mailboxes.
    let e = feed(
        &mut client,
        b"* STATUS Lists/Lemonade (UIDNEXT 10002 MESSAGES 503)\r\n\
          * LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))\r\n\
          * LIST (\\Subscribed) \"/\" \"SubscribedMailbox\"\r\n\
          * METADATA \"INBOX\" /shared/comment\r\n\
          * METADATA \"\" /shared/comment\r\n",
    );
    let n = notifications(&e);
    assert_eq!(n.len(), 5, "{e:?}");
    assert!(
        matches!(n[0], Notification::MailboxStatus(s) if s.mailbox.as_bytes() == b"Lists/Lemonade")
    );
    assert!(
        matches!(n[1], Notification::MailboxName(l) if l.list.mailbox.as_bytes() == b"NewMailbox")
    );
    assert!(matches!(n[2], Notification::MailboxName(_)));
    assert!(matches!(n[3], Notification::Metadata(_)));
    assert!(matches!(n[4], Notification::Metadata(_)));

    // The selected mailbox (§5.2, §5.3): data, and the view follows.
    let before = client.mailbox().map(|m| m.exists).unwrap_or(0);
    let e = feed(&mut client, b"* 444 EXISTS\r\n* 444 FETCH (UID 9999)\r\n");
    assert!(notifications(&e).is_empty());
    assert_eq!(client.mailbox().map(|m| m.exists), Some(444), "{before}");

    // A STATUS in flight gets its own mailbox's data, not another's.
    send(&mut client, b"s STATUS INBOX (MESSAGES)\r\n");
    let e = feed(
        &mut client,
        b"* STATUS misc (UIDNEXT 999 MESSAGES 554)\r\n* STATUS INBOX (MESSAGES 3)\r\ns OK done\r\n",
    );
    assert_eq!(notifications(&e).len(), 1, "{e:?}");
    assert!(e.iter().any(|e| matches!(
        e,
        ClientEvent::Data {
            handle: Some(_),
            ..
        }
    )));

    // §5.8: the overflow turns it off (and the untagged OK is reported as well).
    let e = feed(
        &mut client,
        b"* OK [NOTIFICATIONOVERFLOW] ...A comment can go here...\r\n",
    );
    assert_eq!(notifications(&e), vec![&Notification::Overflow]);
    assert!(e.iter().any(|e| matches!(e, ClientEvent::Status { .. })));
    assert!(!client.notify_active());
    let e = feed(&mut client, b"* STATUS misc (UIDNEXT 999 MESSAGES 554)\r\n");
    assert!(notifications(&e).is_empty());

    // NOTIFY SET again, then NOTIFY NONE.
    send(&mut client, b"b NOTIFY SET (selected (MessageExpunge))\r\n");
    feed(&mut client, b"b OK done\r\n");
    assert!(client.notify_active());
    send(&mut client, b"c NOTIFY NONE\r\n");
    feed(&mut client, b"c OK done\r\n");
    assert!(!client.notify_active());

    // A refused NOTIFY SET changes nothing.
    send(&mut client, b"d NOTIFY SET (selected (MessageExpunge))\r\n");
    feed(&mut client, b"d NO [BADEVENT (MessageNew)] no\r\n");
    assert!(!client.notify_active());
}
