//! The sessions parse under the profile of their configuration: strict by default (a message
//! that departs from RFC 9051 §9 is a protocol error), real-world on request (the message is
//! accepted and each departure is reported as a `Deviation` event before the events it causes).

use imap_codec::{DeviationId, ParseOptions, Profile};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, ClientOutput, ClientSession, ServerConfig, ServerEvent,
    ServerOutput, ServerSession, State,
};

fn client_events(config: ClientConfig, input: &str) -> Vec<ClientEvent> {
    let mut c = ClientSession::resume(config, State::Authenticated);
    c.handle_input(input.as_bytes()).unwrap();
    let mut events = Vec::new();
    while let Some(o) = c.poll_output() {
        if let ClientOutput::Event(e) = o {
            events.push(e);
        }
    }
    events
}

fn server_events(config: ServerConfig, input: &str) -> Vec<ServerEvent> {
    let mut s = ServerSession::resume(config, State::Authenticated);
    s.handle_input(input.as_bytes()).unwrap();
    let mut events = Vec::new();
    while let Some(o) = s.poll_output() {
        if let ServerOutput::Event(e) = o {
            events.push(e);
        }
    }
    events
}

fn real_world() -> ParseOptions {
    ParseOptions::default().with_profile(Profile::RealWorld)
}

#[test]
fn client_strict_by_default_reports_a_protocol_error() {
    let events = client_events(ClientConfig::default(), "* SEARCH 1 2 \r\n");
    assert!(
        matches!(events.as_slice(), [ClientEvent::ProtocolError(_)]),
        "{events:?}"
    );
}

#[test]
fn client_real_world_reports_the_deviation_then_the_data() {
    let config = ClientConfig::default().with_parse_options(real_world());
    let events = client_events(config, "* SEARCH 1 2 \r\n");
    match events.as_slice() {
        [ClientEvent::Deviation(d), ClientEvent::Data { .. }] => {
            assert_eq!(d.id.id(), "trailing-space");
            assert_eq!(d.offset, 12);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn server_strict_by_default_refuses_and_real_world_accepts_with_the_deviation() {
    let strict = server_events(ServerConfig::default(), "a1 NOOP \r\n");
    assert!(
        strict
            .iter()
            .any(|e| matches!(e, ServerEvent::ProtocolError(_))),
        "{strict:?}"
    );
    assert!(!strict.iter().any(|e| matches!(e, ServerEvent::Command(_))));

    let config = ServerConfig::default().with_parse_options(real_world());
    let events = server_events(config, "a1 NOOP \r\n");
    match events.as_slice() {
        [ServerEvent::Deviation(d), ServerEvent::Command(_), ..] => {
            assert_eq!(d.id.id(), "trailing-space");
            assert_eq!(d.offset, 7);
        }
        other => panic!("{other:?}"),
    }
}
