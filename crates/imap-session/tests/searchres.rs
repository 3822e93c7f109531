//! SEARCHRES (RFC 5182 §2.1): the client session follows the state of `$`.

mod common;

use common::Pair;
use imap_codec::{Command, StatusKind, Tag};
use mailproto_imap_session::{ClientConfig, ServerConfig, ServerEvent, State};

fn complete(pair: &mut Pair, tag: &str, kind: StatusKind) {
    pair.server
        .complete(Tag::new(tag.to_owned()).unwrap(), kind, "done")
        .unwrap();
    pair.drive();
}

fn send(pair: &mut Pair, line: &str) {
    pair.client
        .send_command(Command::parse(line.as_bytes()).unwrap())
        .unwrap();
    pair.drive();
    assert!(matches!(
        pair.server_events.last(),
        Some(ServerEvent::Command(_))
    ));
}

#[test]
fn saved_search_result_is_followed() {
    let mut pair = Pair::resume(
        ClientConfig::default(),
        ServerConfig::default(),
        State::Selected,
    );
    assert_eq!(pair.client.saved_search(), None);
    send(
        &mut pair,
        "A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994\r\n",
    );
    complete(&mut pair, "A282", StatusKind::Ok);
    assert_eq!(pair.client.saved_search(), Some(true));
    // A search without SAVE leaves `$` alone.
    send(&mut pair, "A283 SEARCH ALL\r\n");
    complete(&mut pair, "A283", StatusKind::Ok);
    assert_eq!(pair.client.saved_search(), Some(true));
    // A failed SEARCH with SAVE empties it (RFC 5182 §2.1, Example 5).
    send(
        &mut pair,
        "B283 SEARCH RETURN (SAVE) CHARSET KOI8-R TEXT x\r\n",
    );
    complete(&mut pair, "B283", StatusKind::No);
    assert_eq!(pair.client.saved_search(), Some(false));
    send(&mut pair, "C001 UID SEARCH RETURN (SAVE) ALL\r\n");
    complete(&mut pair, "C001", StatusKind::Ok);
    assert_eq!(pair.client.saved_search(), Some(true));
    // Selecting a mailbox resets it.
    send(&mut pair, "C002 SELECT INBOX\r\n");
    complete(&mut pair, "C002", StatusKind::Ok);
    assert_eq!(pair.client.saved_search(), None);
}
