//! UTF8=ACCEPT (RFC 6855 §3): a UTF-8 quoted mailbox name is refused by the strict server
//! session until it has answered `ENABLE UTF8=ACCEPT` with `* ENABLED UTF8=ACCEPT`, and
//! accepted after; the client session reads the server's UTF-8 quoted strings once the server
//! reported the extension ENABLED.

use imap_codec::response::Response;
use imap_codec::{Extension, IntoStatic};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientSession, ServerConfig, ServerEvent, ServerSession, State,
};

mod common;

use common::{client_events, server_events};

const SELECT: &str = "a2 SELECT \"Entw\u{fc}rfe\"\r\n";

fn respond(s: &mut ServerSession, line: &str) {
    let r = Response::parse(line.as_bytes()).unwrap().into_static();
    s.send_response(r).unwrap();
    while s.poll_output().is_some() {}
}

#[test]
fn server_reads_utf8_quoted_only_after_enable() {
    let mut s = ServerSession::resume(ServerConfig::default(), State::Authenticated);
    let before = server_events(&mut s, SELECT);
    assert!(
        before
            .iter()
            .any(|e| matches!(e, ServerEvent::ProtocolError(_))),
        "{before:?}"
    );
    assert!(!before.iter().any(|e| matches!(e, ServerEvent::Command(_))));
    server_events(&mut s, "a3 ENABLE UTF8=ACCEPT\r\n");
    respond(&mut s, "* ENABLED UTF8=ACCEPT\r\n");
    respond(&mut s, "a3 OK Enabled\r\n");
    assert!(s.parse_options().extensions.contains(Extension::Utf8Accept));
    let after = server_events(&mut s, SELECT);
    assert!(
        after.iter().any(|e| matches!(e, ServerEvent::Command(_))),
        "{after:?}"
    );
}

#[test]
fn client_reads_utf8_quoted_only_after_enabled() {
    let mut c = ClientSession::resume(ClientConfig::default(), State::Authenticated);
    let list = "* LIST () \"/\" \"Entw\u{fc}rfe\"\r\n";
    let before = client_events(&mut c, list);
    assert!(
        matches!(before.as_slice(), [ClientEvent::ProtocolError(_)]),
        "{before:?}"
    );
    let _ = c.send(imap_codec::CommandBody::Enable {
        capabilities: imap_codec::ext::NonEmpty::new(vec![imap_codec::Capability::Utf8Accept])
            .unwrap(),
    });
    client_events(&mut c, "");
    client_events(&mut c, "* ENABLED UTF8=ACCEPT\r\n");
    assert!(c.parse_options().extensions.contains(Extension::Utf8Accept));
    let after = client_events(&mut c, list);
    assert!(
        !after
            .iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(_))),
        "{after:?}"
    );
}
