//! The transition tables: properties read from the data, and the diagrams in the docs.

use mailproto_pop3_session::states::{
    CLIENT_TRANSITIONS, ClientInput, ClientState, Offer, Phase, SERVER_TRANSITIONS, ServerInput,
    ServerState, command_allowed, command_phases, command_table_markdown, mermaid,
};
use pop3_codec::CommandKind;

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
    use CommandKind as K;
    // Every command of the codec's table has a row, once, and is valid somewhere.
    let rows: Vec<_> = command_phases().collect();
    assert_eq!(rows.len(), CommandKind::ALL.len());
    for kind in CommandKind::ALL {
        let n = rows.iter().filter(|(k, _)| k == kind).count();
        assert_eq!(n, 1, "{kind:?}");
        assert!(
            Phase::ALL.iter().any(|p| command_allowed(*kind, *p)),
            "{kind:?}"
        );
    }
    // RFC 1939 §4, §7; RFC 2595 §4 (STLS); RFC 5034 §4 (AUTH); RFC 6856 §2.1 (UTF8 "only
    // valid in the AUTHORIZATION state").
    for k in [K::User, K::Pass, K::Apop, K::Auth, K::Stls, K::Utf8] {
        assert!(
            command_allowed(k, Phase::Authorization) && !command_allowed(k, Phase::Transaction),
            "{k}"
        );
    }
    // RFC 1939 §5, §7.
    for k in [
        K::Stat,
        K::List,
        K::Retr,
        K::Dele,
        K::Noop,
        K::Rset,
        K::Top,
        K::Uidl,
    ] {
        assert!(
            !command_allowed(k, Phase::Authorization) && command_allowed(k, Phase::Transaction),
            "{k}"
        );
    }
    // RFC 1939 §5-§6 (QUIT), RFC 2449 §5 (CAPA), RFC 6856 §3 (LANG).
    for k in [K::Quit, K::Capa, K::Lang] {
        assert!(
            command_allowed(k, Phase::Authorization) && command_allowed(k, Phase::Transaction),
            "{k}"
        );
    }
    // What advertises each optional command (RFC 2449 §6, RFC 1939 §7).
    assert_eq!(K::Apop.offer(), Offer::GreetingTimestamp);
    assert_eq!(K::Auth.offer(), Offer::Sasl);
    assert_eq!(K::Pass.offer(), Offer::User);
    assert_eq!(K::Retr.offer(), Offer::Always);
}

/// docs/pop3-session.md holds exactly the command table drawn from the codec's table.
#[test]
fn docs_command_table_is_drawn_from_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/pop3-session.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let table = command_table_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        println!("{table}");
    }
    assert!(
        doc.contains(&format!("\n{table}\n")),
        "docs/pop3-session.md must contain the command table:\n{table}"
    );
    // One row per command kind, and no other row.
    let header = table.lines().next().unwrap();
    let start = doc.find(header).unwrap();
    let rows = doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .count();
    assert_eq!(rows, CommandKind::ALL.len());
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
