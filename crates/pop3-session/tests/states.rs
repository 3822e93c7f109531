//! The transition tables: properties read from the data, and the diagrams in the docs.

use pop3_session::states::{
    CLIENT_TRANSITIONS, COMMAND_PHASES, ClientInput, ClientState, Phase, SERVER_TRANSITIONS,
    ServerInput, ServerState, command_allowed, mermaid,
};

#[test]
fn update_is_entered_only_by_quit_from_transaction() {
    let into_update: Vec<_> = SERVER_TRANSITIONS
        .iter()
        .filter(|t| t.to == ServerState::Update && t.from != ServerState::Update)
        .collect();
    assert_eq!(into_update.len(), 1);
    assert_eq!(
        (into_update[0].from, into_update[0].input),
        (ServerState::Transaction, ServerInput::Quit)
    );
    // A dropped connection in TRANSACTION closes without UPDATE.
    assert!(
        SERVER_TRANSITIONS
            .iter()
            .any(|t| t.from == ServerState::Transaction
                && t.input == ServerInput::EndOfStream
                && t.to == ServerState::Closed)
    );
    let client_update: Vec<_> = CLIENT_TRANSITIONS
        .iter()
        .filter(|t| t.to == ClientState::Update)
        .collect();
    assert_eq!(client_update.len(), 1);
    assert_eq!(client_update[0].input, ClientInput::QuitSent);
}

#[test]
fn nothing_leaves_closed_and_every_state_is_reachable() {
    assert!(
        !SERVER_TRANSITIONS
            .iter()
            .any(|t| t.from == ServerState::Closed)
    );
    assert!(
        !CLIENT_TRANSITIONS
            .iter()
            .any(|t| t.from == ClientState::Closed)
    );
    for s in [
        ServerState::TlsHandshake,
        ServerState::Transaction,
        ServerState::Update,
        ServerState::Closed,
    ] {
        assert!(SERVER_TRANSITIONS.iter().any(|t| t.to == s), "{s:?}");
    }
    for s in [
        ClientState::Authorization,
        ClientState::TlsHandshake,
        ClientState::Transaction,
        ClientState::Update,
        ClientState::Closed,
    ] {
        assert!(CLIENT_TRANSITIONS.iter().any(|t| t.to == s), "{s:?}");
    }
    // Deterministic: one edge per (state, input).
    for (i, a) in SERVER_TRANSITIONS.iter().enumerate() {
        assert!(
            !SERVER_TRANSITIONS[i + 1..]
                .iter()
                .any(|b| a.from == b.from && a.input == b.input)
        );
    }
    for (i, a) in CLIENT_TRANSITIONS.iter().enumerate() {
        assert!(
            !CLIENT_TRANSITIONS[i + 1..]
                .iter()
                .any(|b| a.from == b.from && a.input == b.input)
        );
    }
    // STLS and login only from AUTHORIZATION (AUTH rejected after success).
    for t in SERVER_TRANSITIONS {
        if matches!(
            t.input,
            ServerInput::StlsAccepted | ServerInput::LoginAccepted
        ) {
            assert_eq!(t.from, ServerState::Authorization);
        }
    }
}

#[test]
fn command_phases_follow_rfc1939() {
    assert_eq!(COMMAND_PHASES.len(), 17);
    for k in ["USER", "PASS", "APOP", "AUTH", "STLS"] {
        assert!(
            command_allowed(k, Phase::Authorization) && !command_allowed(k, Phase::Transaction),
            "{k}"
        );
    }
    for k in [
        "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL",
    ] {
        assert!(
            !command_allowed(k, Phase::Authorization) && command_allowed(k, Phase::Transaction),
            "{k}"
        );
    }
    for k in ["QUIT", "CAPA"] {
        assert!(
            command_allowed(k, Phase::Authorization) && command_allowed(k, Phase::Transaction),
            "{k}"
        );
    }
}

/// docs/pop3-session.md holds exactly the diagrams drawn from the tables.
#[test]
fn docs_diagrams_are_drawn_from_the_tables() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/pop3-session.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let server = mermaid(SERVER_TRANSITIONS, ServerState::Authorization);
    let client = mermaid(CLIENT_TRANSITIONS, ClientState::Greeting);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        println!("{server}\n{client}");
    }
    assert!(
        doc.contains(&format!("```mermaid\n{server}```")),
        "server diagram out of date:\n{server}"
    );
    assert!(
        doc.contains(&format!("```mermaid\n{client}```")),
        "client diagram out of date:\n{client}"
    );
}
