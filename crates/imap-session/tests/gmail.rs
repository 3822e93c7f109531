//! Gmail's X-GM-EXT-1 (`imap_codec::ext::gmail`): the client puts the grammar in force once the
//! server advertised the capability (no ENABLE), so `X-GM-*` FETCH data reach the application;
//! before, they are a protocol error under the strict profile.

use imap_codec::response::{Data, MessageAttribute};
use imap_codec::{Extension, ParseOptions};
use mailproto_imap_session::{ClientConfig, ClientEvent, ClientSession, State};

mod common;

use common::client_events as events;

const FETCH: &str = "* 1 FETCH (X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\Inbox foo))\r\n";

#[test]
fn advertised_x_gm_ext_1_puts_the_items_in_force() {
    let mut c = ClientSession::resume(ClientConfig::default(), State::Authenticated);
    assert!(!c.parse_options().extensions.contains(Extension::GmailExt1));
    let before = events(&mut c, FETCH);
    assert!(
        matches!(before.as_slice(), [ClientEvent::ProtocolError(_)]),
        "{before:?}"
    );
    events(&mut c, "* CAPABILITY IMAP4rev1 X-GM-EXT-1\r\n");
    assert!(c.parse_options().extensions.contains(Extension::GmailExt1));
    let after = events(&mut c, FETCH);
    let data = after.iter().find_map(|e| match e {
        ClientEvent::Data {
            data: Data::Fetch(f),
            ..
        } => Some(f),
        _ => None,
    });
    let f = data.unwrap_or_else(|| panic!("{after:?}"));
    assert_eq!(
        f.attributes.first().as_deref(),
        Some(&MessageAttribute::GmMsgId(1278455344230334865))
    );
    assert!(
        !after
            .iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(_)))
    );
}

#[test]
fn configured_in_force_from_the_start() {
    let config = ClientConfig::default()
        .with_parse_options(ParseOptions::default().with_extension(Extension::GmailExt1));
    let mut c = ClientSession::resume(config, State::Authenticated);
    let ev = events(&mut c, FETCH);
    assert!(
        !ev.iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(_))),
        "{ev:?}"
    );
}
