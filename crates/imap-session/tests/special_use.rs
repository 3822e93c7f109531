//! CREATE-SPECIAL-USE (RFC 6154 §3): once the server advertised it, the server session reads
//! the `USE` parameter of CREATE; before, it is a syntax error under the strict profile.

use imap_codec::response::CapabilityData;
use imap_codec::{Capability, Data, Extension, Response};
use mailproto_imap_session::{ServerConfig, ServerEvent, ServerOutput, ServerSession, State};

/// The events the server session makes of `input`.
fn events(s: &mut ServerSession, input: &[u8]) -> Vec<String> {
    s.handle_input(input).unwrap();
    let mut out = Vec::new();
    while let Some(o) = s.poll_output() {
        if let ServerOutput::Event(e) = o {
            out.push(match e {
                ServerEvent::Command { .. } => "command".to_string(),
                other => format!("{other:?}"),
            });
        }
    }
    out
}

#[test]
fn advertised_create_special_use_puts_the_use_parameter_in_force() {
    let create = b"t1 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n";
    let mut s = ServerSession::resume(ServerConfig::default(), State::Authenticated);
    assert!(
        !s.parse_options()
            .extensions
            .contains(Extension::CreateSpecialUse)
    );
    let before = events(&mut s, create);
    assert!(!before.iter().any(|e| e == "command"), "{before:?}");

    let mut s = ServerSession::resume(ServerConfig::default(), State::Authenticated);
    let caps = CapabilityData::new(vec![Capability::Imap4rev1, Capability::CreateSpecialUse]);
    s.send_response(Response::Data(Data::Capability(caps.unwrap())))
        .unwrap();
    assert!(
        s.parse_options()
            .extensions
            .contains(Extension::CreateSpecialUse)
    );
    assert_eq!(events(&mut s, create), ["command"]);
}
