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

/// The deviation budget: each deviation is an event; the one that uses up the budget (the
/// `max`-th, or one whose id is listed) is followed by `PeerError::DeviationBudget` and the
/// session closes; what came after it is not followed.
#[test]
fn client_deviation_budget_stops_the_session() {
    use imap_codec::context::ImapDeviation;
    use mailproto_imap_session::{DeviationBudget, PeerError};
    let input = "* 1 EXPUNGED\r\n* 2 EXPUNGED\r\n* 3 EXPUNGED\r\n";
    let count = |events: &[ClientEvent]| {
        events
            .iter()
            .filter(|e| matches!(e, ClientEvent::Deviation(_)))
            .count()
    };
    // No budget: all three are reported, the session goes on.
    let config = ClientConfig::default().with_parse_options(real_world());
    let events = client_events(config.clone(), input);
    assert_eq!(count(&events), 3);
    assert!(!events.iter().any(|e| matches!(e, ClientEvent::Closed)));
    // At most two.
    let mut limited = config.clone();
    limited.deviation_budget = DeviationBudget::default().with_max(2);
    let events = client_events(limited, input);
    assert_eq!(count(&events), 2, "{events:?}");
    let stop = events
        .iter()
        .position(|e| {
            matches!(
                e,
                ClientEvent::ProtocolError(PeerError::DeviationBudget { count: 2, .. })
            )
        })
        .unwrap_or_else(|| panic!("{events:?}"));
    assert!(matches!(events.last(), Some(ClientEvent::Closed)));
    assert!(stop > 0);
    // Stop on a listed id at once.
    let mut listed = config;
    listed.deviation_budget =
        DeviationBudget::default().with_stop_on([ImapDeviation::ExpungedKeyword]);
    let events = client_events(listed, input);
    assert_eq!(count(&events), 1, "{events:?}");
    assert!(events.iter().any(|e| matches!(
        e,
        ClientEvent::ProtocolError(PeerError::DeviationBudget { count: 1, .. })
    )));
}

/// An untagged response the grammar does not know: strict reports a protocol error; real-world
/// reports `unknown-response` and hands the response over generically, with the raw message.
#[test]
fn client_real_world_keeps_unknown_responses() {
    let input = "* XAOL-NEWS (1 \"two\") NIL\r\n";
    let events = client_events(ClientConfig::default(), input);
    assert!(matches!(events.as_slice(), [ClientEvent::ProtocolError(_)]));
    let config = ClientConfig::default().with_parse_options(real_world());
    let events = client_events(config, input);
    match events.as_slice() {
        [
            ClientEvent::Deviation(d),
            ClientEvent::Unknown { response, raw },
        ] => {
            assert_eq!((d.id.id(), d.offset), ("unknown-response", 2));
            assert_eq!(response.name, "XAOL-NEWS");
            assert_eq!(response.values.len(), 2);
            assert_eq!(raw, input.as_bytes());
        }
        other => panic!("{other:?}"),
    }
}

/// The server's budget: the deviation that uses it up is reported, then
/// `PeerError::DeviationBudget`, `* BYE` and the session closes; later commands are not read.
#[test]
fn server_deviation_budget_stops_the_session() {
    use mailproto_imap_session::{DeviationBudget, PeerError};
    let mut config = ServerConfig::default().with_parse_options(real_world());
    config.deviation_budget = DeviationBudget::default().with_max(1);
    let mut s = ServerSession::resume(config, State::Authenticated);
    s.handle_input(b"a1 NOOP \r\na2 NOOP\r\n").unwrap();
    let mut events = Vec::new();
    let mut sent = Vec::new();
    while let Some(o) = s.poll_output() {
        match o {
            ServerOutput::Event(e) => events.push(e),
            ServerOutput::Transmit(bytes) => sent.extend_from_slice(bytes),
            _ => {}
        }
    }
    assert!(
        matches!(events.first(), Some(ServerEvent::Deviation(_))),
        "{events:?}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::DeviationBudget { count: 1, .. })
    )));
    assert!(
        !events.iter().any(|e| matches!(e, ServerEvent::Command(_))),
        "{events:?}"
    );
    assert!(
        String::from_utf8_lossy(&sent).starts_with("* BYE"),
        "{sent:?}"
    );
}

/// RFC 5161 §3.1: a successful ENABLE comes with `* ENABLED`. Without it: strict reports a
/// protocol error; real-world reports `enable-without-enabled` and takes what was asked as
/// enabled.
#[test]
fn client_enable_without_enabled() {
    use imap_codec::{Command, CommandBody};
    use mailproto_imap_session::PeerError;
    let run = |config: ClientConfig, answer: &str| {
        let mut c = ClientSession::resume(config, State::Authenticated);
        let cmd = Command::parse(b"A1 ENABLE CONDSTORE\r\n").unwrap();
        assert!(matches!(cmd.body, CommandBody::Enable { .. }));
        c.send_command(cmd.into_static()).unwrap();
        c.handle_input(answer.as_bytes()).unwrap();
        let mut events = Vec::new();
        while let Some(o) = c.poll_output() {
            if let ClientOutput::Event(e) = o {
                events.push(e);
            }
        }
        (events, c.enabled().len())
    };
    use imap_codec::IntoStatic;
    let (events, enabled) = run(ClientConfig::default(), "A1 OK done\r\n");
    assert!(events.iter().any(|e| matches!(
        e,
        ClientEvent::ProtocolError(PeerError::EnableWithoutEnabled)
    )));
    assert_eq!(enabled, 0);
    let (events, enabled) = run(
        ClientConfig::default(),
        "* ENABLED CONDSTORE\r\nA1 OK done\r\n",
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(_))),
        "{events:?}"
    );
    assert_eq!(enabled, 1);
    let real = ClientConfig::default().with_parse_options(real_world());
    let (events, enabled) = run(real, "A1 OK done\r\n");
    assert!(
        events.iter().any(
            |e| matches!(e, ClientEvent::Deviation(d) if d.id.id() == "enable-without-enabled")
        )
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(_)))
    );
    assert_eq!(enabled, 1);
}

/// RFC 4731 §3.1: an extended SEARCH is answered with ESEARCH. `* SEARCH` instead: strict
/// reports a protocol error, real-world `search-for-esearch`; the data are passed on either way.
#[test]
fn client_search_answering_an_extended_search() {
    use imap_codec::{Command, IntoStatic};
    use mailproto_imap_session::PeerError;
    let run = |config: ClientConfig, command: &[u8]| {
        let mut c = ClientSession::resume(config, State::Selected);
        c.send_command(Command::parse(command).unwrap().into_static())
            .unwrap();
        c.handle_input(b"* SEARCH 2 10\r\nA1 OK done\r\n").unwrap();
        let mut events = Vec::new();
        while let Some(o) = c.poll_output() {
            if let ClientOutput::Event(e) = o {
                events.push(e);
            }
        }
        events
    };
    let extended = b"A1 SEARCH RETURN (MIN) FLAGGED\r\n";
    let events = run(ClientConfig::default(), extended);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(PeerError::SearchForEsearch)))
    );
    assert!(events.iter().any(|e| matches!(e, ClientEvent::Data { .. })));
    let events = run(ClientConfig::default(), b"A1 SEARCH FLAGGED\r\n");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(_))),
        "{events:?}"
    );
    let real = ClientConfig::default().with_parse_options(real_world());
    let events = run(real, extended);
    assert!(events.iter().any(
        |e| matches!(e, ClientEvent::Deviation(d) if (d.id.id(), d.offset) == ("search-for-esearch", 2))
    ));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::ProtocolError(_)))
    );
}

/// Sends `commands` from `state`, feeds `answer`, returns the events and the session.
fn exchange(
    config: ClientConfig,
    state: State,
    commands: &[&str],
    answer: &str,
) -> (Vec<ClientEvent>, ClientSession) {
    use imap_codec::{Command, IntoStatic};
    let mut c = ClientSession::resume(config, state);
    for command in commands {
        c.send_command(Command::parse(command.as_bytes()).unwrap().into_static())
            .unwrap();
    }
    c.handle_input(answer.as_bytes()).unwrap();
    (drain(&mut c), c)
}

fn drain(c: &mut ClientSession) -> Vec<ClientEvent> {
    let mut events = Vec::new();
    while let Some(o) = c.poll_output() {
        if let ClientOutput::Event(e) = o {
            events.push(e);
        }
    }
    events
}

fn no_protocol_error(events: &[ClientEvent]) -> bool {
    !events
        .iter()
        .any(|e| matches!(e, ClientEvent::ProtocolError(_)))
}

fn deviation_ids(events: &[ClientEvent]) -> Vec<&'static str> {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Deviation(d) => Some(d.id.id()),
            _ => None,
        })
        .collect()
}

/// RFC 9051 §7.1.5: after `* BYE` the server closes. A second `* BYE` without a tagged reply
/// (Yandex's endless stream): strict reports `RepeatedBye`, real-world `endless-bye`; both
/// close instead of waiting for ever. The normal LOGOUT sequence is neither.
#[test]
fn client_endless_bye_closes_the_session() {
    use mailproto_imap_session::PeerError;
    let endless = "* BYE going\r\n* BYE going\r\n* BYE going\r\n";
    let (events, c) = exchange(
        ClientConfig::default(),
        State::Authenticated,
        &["a1 NOOP\r\n"],
        endless,
    );
    let errors: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, ClientEvent::ProtocolError(PeerError::RepeatedBye)))
        .collect();
    assert_eq!(errors.len(), 1, "{events:?}");
    assert!(matches!(events.last(), Some(ClientEvent::Closed)));
    assert!(c.is_closed());

    let real = ClientConfig::default().with_parse_options(real_world());
    let (events, c) = exchange(
        real.clone(),
        State::Authenticated,
        &["a1 NOOP\r\n"],
        endless,
    );
    assert_eq!(deviation_ids(&events), ["endless-bye"], "{events:?}");
    assert!(no_protocol_error(&events), "{events:?}");
    assert!(matches!(events.last(), Some(ClientEvent::Closed)));
    assert!(c.is_closed());

    // LOGOUT: BYE, then the tagged OK; no deviation, and a later session's BYE in an
    // observed exchange is not "again".
    let (events, _) = exchange(
        real,
        State::Authenticated,
        &["a1 LOGOUT\r\n"],
        "* BYE logging out\r\na1 OK LOGOUT completed\r\n",
    );
    assert!(deviation_ids(&events).is_empty(), "{events:?}");
}

/// An untagged CAPABILITY while LOGIN is in flight (Dovecot sends the post-login list so):
/// strict relies only on the CAPABILITY code of the tagged OK (RFC 9051 §7.2.2) and forgets it;
/// real-world keeps it as the capabilities after login and names `capability-during-login`.
#[test]
fn client_capability_during_login() {
    let answer = "* CAPABILITY IMAP4rev1 IDLE MOVE\r\na1 OK Logged in\r\n";
    let (events, c) = exchange(
        ClientConfig::default(),
        State::NotAuthenticated,
        &["a1 LOGIN alice secret\r\n"],
        answer,
    );
    assert!(deviation_ids(&events).is_empty());
    assert!(no_protocol_error(&events), "{events:?}");
    assert_eq!(c.state(), State::Authenticated);
    assert_eq!(c.capabilities(), None);

    let real = ClientConfig::default().with_parse_options(real_world());
    let (events, c) = exchange(
        real.clone(),
        State::NotAuthenticated,
        &["a1 LOGIN alice secret\r\n"],
        answer,
    );
    assert_eq!(deviation_ids(&events), ["capability-during-login"]);
    assert_eq!(c.state(), State::Authenticated);
    assert_eq!(c.capabilities().map(<[_]>::len), Some(3));

    // The CAPABILITY code of the OK wins, and is no deviation; a failed LOGIN keeps nothing.
    let (events, c) = exchange(
        real.clone(),
        State::NotAuthenticated,
        &["a1 LOGIN alice secret\r\n"],
        "* CAPABILITY IMAP4rev1 IDLE MOVE\r\na1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n",
    );
    assert!(deviation_ids(&events).is_empty());
    assert_eq!(c.capabilities().map(<[_]>::len), Some(2));
    let mut pipelined = real;
    pipelined.enforce_states = false;
    let (events, _) = exchange(
        pipelined,
        State::NotAuthenticated,
        &["a1 LOGIN alice wrong\r\n", "a2 LOGIN alice secret\r\n"],
        "* CAPABILITY IMAP4rev1 IDLE MOVE\r\na1 NO bad\r\na2 OK Logged in\r\n",
    );
    assert!(deviation_ids(&events).is_empty(), "{events:?}");
}

/// RFC 9051 §2.3.1.1: UIDs do not change during the session. A new UIDVALIDITY while selected
/// (Courier): the view forgets UIDNEXT and says so (`MailboxChange::UidValidityChanged`) under
/// both profiles; strict adds the protocol error, real-world names `uidvalidity-change`.
#[test]
fn client_uidvalidity_change_resets_the_view() {
    use imap_codec::IntoStatic;
    use mailproto_imap_session::{MailboxChange, PeerError};
    let select = "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 40] ok\r\na1 OK [READ-WRITE] done\r\n";
    let changed = "* OK [UIDVALIDITY 8] changed\r\na2 OK done\r\n";
    for real in [false, true] {
        let mut config = ClientConfig::default();
        if real {
            config = config.with_parse_options(real_world());
        }
        let (_, mut c) = exchange(
            config,
            State::Authenticated,
            &["a1 SELECT INBOX\r\n"],
            select,
        );
        assert_eq!(
            c.mailbox().and_then(|m| m.uid_next).map(|n| n.get()),
            Some(40)
        );
        c.send_command(
            imap_codec::Command::parse(b"a2 NOOP\r\n")
                .unwrap()
                .into_static(),
        )
        .unwrap();
        c.handle_input(changed.as_bytes()).unwrap();
        let events = drain(&mut c);
        let named = if real {
            deviation_ids(&events) == ["uidvalidity-change"]
        } else {
            events.iter().any(|e| {
                matches!(e, ClientEvent::ProtocolError(PeerError::UidValidityChanged { old, new })
                    if (old.get(), new.get()) == (7, 8))
            })
        };
        assert!(named, "{events:?}");
        assert!(events.iter().any(|e| matches!(
            e,
            ClientEvent::Mailbox(MailboxChange::UidValidityChanged { .. })
        )));
        let view = c.mailbox().unwrap();
        assert_eq!(
            (
                view.uid_validity.map(|v| v.get()),
                view.uid_next,
                view.exists
            ),
            (Some(8), None, 3)
        );
    }
}

/// RFC 9051 §7.1.3: a line the grammar rejects is answered BAD. Following an exchange, the
/// client session is told of such a line (`observe_rejected_command`); NO to it (Courier) is
/// `PeerError::NoForBad` under strict and `no-for-bad` under real-world; BAD is neither, and
/// neither answer is an unknown tag.
#[test]
fn client_no_for_bad_when_following_an_exchange() {
    use imap_codec::Tag;
    use mailproto_imap_session::PeerError;
    let run = |config: ClientConfig, answer: &str| {
        let mut c = ClientSession::resume(config, State::Authenticated);
        c.observe_rejected_command(Tag::new("B6").unwrap());
        c.handle_input(answer.as_bytes()).unwrap();
        drain(&mut c)
    };
    let no = "B6 NO Error in IMAP command received by server.\r\n";
    let events = run(ClientConfig::observer(), no);
    assert!(
        matches!(
            events.as_slice(),
            [
                ClientEvent::Received(_),
                ClientEvent::ProtocolError(PeerError::NoForBad)
            ]
        ),
        "{events:?}"
    );
    let real = ClientConfig::observer().with_parse_options(real_world());
    let events = run(real.clone(), no);
    assert_eq!(deviation_ids(&events), ["no-for-bad"]);
    for config in [ClientConfig::observer(), real] {
        // A NO with a code read the command (RFC 6154 §3 `[USEATTR]`, Cyrus).
        let events = run(
            config.clone(),
            "B6 NO [USEATTR] Invalid annotation entry\r\n",
        );
        assert!(deviation_ids(&events).is_empty());
        assert!(no_protocol_error(&events), "{events:?}");
        let events = run(config, "B6 BAD Invalid command\r\n");
        assert!(deviation_ids(&events).is_empty());
        assert!(no_protocol_error(&events), "{events:?}");
    }
}
