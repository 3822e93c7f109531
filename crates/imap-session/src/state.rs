//! The connection states of RFC 9051 §3 (RFC 3501 §3) and their transitions, as data.
//!
//! Both sessions move between [`State`]s only through [`next`], which looks the move up in
//! [`TRANSITIONS`]; which commands are valid in which state is the codec's command table
//! ([`command_states`], from [`CommandKind::states`]), and which command outcome fires which
//! move is [`trigger_on_ok`] / [`trigger_on_failure`]. The diagram and the command table in
//! `docs/imap-session.md` are drawn from these tables ([`mermaid`],
//! [`command_states_markdown`]), and tests check that the page and the tables agree.

use crate::prelude::*;

use imap_codec::command::{ConnectionState, States as CodecStates, UidForm};
use imap_codec::{CommandBody, CommandKind};

/// A connection state (RFC 9051 §3, figure in §3.5), plus the wait for the greeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum State {
    /// Connected; the server's greeting has not been received (client) or sent (server).
    Greeting,
    /// RFC 9051 §3.1: the client must authenticate.
    NotAuthenticated,
    /// RFC 9051 §3.2: authenticated; a mailbox must be selected for message commands.
    Authenticated,
    /// RFC 9051 §3.3: a mailbox is selected.
    Selected,
    /// RFC 9051 §3.4: the connection is being closed.
    Logout,
}

impl State {
    /// The name used in the diagrams.
    pub fn name(self) -> &'static str {
        match self {
            State::Greeting => "Greeting",
            State::NotAuthenticated => "NotAuthenticated",
            State::Authenticated => "Authenticated",
            State::Selected => "Selected",
            State::Logout => "Logout",
        }
    }
}

/// What moves a session from one state to another (RFC 9051 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// Greeting `* OK`.
    GreetingOk,
    /// Greeting `* PREAUTH`.
    GreetingPreAuth,
    /// Greeting `* BYE`, or any untagged BYE later on.
    Bye,
    /// Tagged OK to LOGIN or AUTHENTICATE.
    AuthOk,
    /// Tagged OK to SELECT or EXAMINE.
    SelectOk,
    /// Tagged NO/BAD to SELECT or EXAMINE (RFC 9051 §6.3.2: a failed SELECT leaves no mailbox
    /// selected).
    SelectFailed,
    /// Tagged OK to CLOSE or UNSELECT.
    CloseOk,
    /// The LOGOUT command was sent / received.
    Logout,
    /// Tagged OK to UNAUTHENTICATE (RFC 8437 §3): back to not authenticated.
    UnauthenticateOk,
}

impl Trigger {
    /// The label used in the diagrams.
    pub fn label(self) -> &'static str {
        match self {
            Trigger::GreetingOk => "greeting OK",
            Trigger::GreetingPreAuth => "greeting PREAUTH",
            Trigger::Bye => "BYE",
            Trigger::AuthOk => "LOGIN/AUTHENTICATE OK",
            Trigger::SelectOk => "SELECT/EXAMINE OK",
            Trigger::SelectFailed => "SELECT/EXAMINE NO/BAD",
            Trigger::CloseOk => "CLOSE/UNSELECT OK",
            Trigger::Logout => "LOGOUT command",
            Trigger::UnauthenticateOk => "UNAUTHENTICATE OK",
        }
    }
}

/// One row of the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state before.
    pub from: State,
    /// What happened.
    pub trigger: Trigger,
    /// The state after.
    pub to: State,
}

const fn t(from: State, trigger: Trigger, to: State) -> Transition {
    Transition { from, trigger, to }
}

use State as S;
use Trigger as T;

/// Every state change of RFC 9051 §3.5 (RFC 3501 §3.5). A `(state, trigger)` pair missing here
/// changes nothing.
pub const TRANSITIONS: &[Transition] = &[
    t(S::Greeting, T::GreetingOk, S::NotAuthenticated),
    t(S::Greeting, T::GreetingPreAuth, S::Authenticated),
    t(S::Greeting, T::Bye, S::Logout),
    t(S::NotAuthenticated, T::AuthOk, S::Authenticated),
    t(S::NotAuthenticated, T::Logout, S::Logout),
    t(S::NotAuthenticated, T::Bye, S::Logout),
    t(S::Authenticated, T::SelectOk, S::Selected),
    t(S::Authenticated, T::Logout, S::Logout),
    t(S::Authenticated, T::Bye, S::Logout),
    t(S::Selected, T::SelectOk, S::Selected),
    t(S::Selected, T::SelectFailed, S::Authenticated),
    t(S::Selected, T::CloseOk, S::Authenticated),
    t(S::Selected, T::Logout, S::Logout),
    t(S::Selected, T::Bye, S::Logout),
    t(S::Authenticated, T::UnauthenticateOk, S::NotAuthenticated),
    t(S::Selected, T::UnauthenticateOk, S::NotAuthenticated),
];

/// The state after `trigger` in `from`, if the table has that move.
pub fn next(from: State, trigger: Trigger) -> Option<State> {
    TRANSITIONS
        .iter()
        .find(|tr| tr.from == from && tr.trigger == trigger)
        .map(|tr| tr.to)
}

/// The states in which a command is valid: the codec's [`imap_codec::command::States`] (from
/// its command table), read with the session's [`State`]s (the greeting wait and
/// [`State::Logout`] accept no command).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct States(CodecStates);

impl States {
    /// Any state after the greeting but before LOGOUT (RFC 9051 §6.1: "any state").
    pub const ANY: States = States(CodecStates::ANY);
    /// Not authenticated only (RFC 9051 §6.2).
    pub const NOT_AUTH: States = States(CodecStates::NOT_AUTH);
    /// Authenticated or selected (RFC 9051 §6.3).
    pub const AUTH: States = States(CodecStates::AUTH);
    /// Selected only (RFC 9051 §6.4).
    pub const SELECTED: States = States(CodecStates::SELECTED);

    /// True when `s` is in the set.
    pub fn contains(self, s: State) -> bool {
        s.connection_state().is_some_and(|c| self.0.contains(c))
    }

    /// The states, in order.
    pub fn iter(self) -> impl Iterator<Item = State> {
        [
            S::Greeting,
            S::NotAuthenticated,
            S::Authenticated,
            S::Selected,
            S::Logout,
        ]
        .into_iter()
        .filter(move |s| self.contains(*s))
    }

    /// The codec's set.
    pub fn codec(self) -> CodecStates {
        self.0
    }
}

impl From<CodecStates> for States {
    fn from(states: CodecStates) -> Self {
        States(states)
    }
}

impl State {
    /// The codec's [`ConnectionState`] for this state; `None` before the greeting and after
    /// LOGOUT, where no command is valid.
    pub fn connection_state(self) -> Option<ConnectionState> {
        match self {
            State::Greeting | State::Logout => None,
            State::NotAuthenticated => Some(ConnectionState::NotAuthenticated),
            State::Authenticated => Some(ConnectionState::Authenticated),
            State::Selected => Some(ConnectionState::Selected),
        }
    }
}

/// In which states each command is valid (RFC 9051 §6.1–§6.4, RFC 3501 §6.1–§6.4; ENABLE only
/// when authenticated, RFC 5161 §3.1; IDLE in either authenticated state, RFC 2177): one
/// entry per row of the codec's command table ([`CommandKind::ALL`],
/// [`CommandKind::states`]). The table in `docs/imap-session.md` is drawn from it
/// ([`command_states_markdown`]).
pub fn command_states() -> impl Iterator<Item = (CommandKind, States)> {
    CommandKind::ALL.iter().map(|k| (*k, States(k.states())))
}

/// The states in which `body` is valid.
pub fn valid_states(body: &CommandBody<'_>) -> States {
    States(body.kind().states())
}

/// The state change a tagged OK to a command of `kind` fires (RFC 9051 §3.5), if any.
pub fn trigger_on_ok(kind: CommandKind) -> Option<Trigger> {
    use CommandKind as K;
    match kind {
        K::Login | K::Authenticate => Some(Trigger::AuthOk),
        K::Select | K::Examine => Some(Trigger::SelectOk),
        K::Close | K::Unselect => Some(Trigger::CloseOk),
        K::Logout => Some(Trigger::Logout),
        K::Unauthenticate => Some(Trigger::UnauthenticateOk),
        _ => None,
    }
}

/// The state change a tagged NO or BAD to a command of `kind` fires, if any (RFC 9051
/// §6.3.2: a failed SELECT or EXAMINE leaves no mailbox selected).
pub fn trigger_on_failure(kind: CommandKind) -> Option<Trigger> {
    use CommandKind as K;
    match kind {
        K::Select | K::Examine => Some(Trigger::SelectFailed),
        _ => None,
    }
}

/// Whether the outcome of a command of `kind` may change the connection state (so that the
/// validity of the next command depends on it).
pub fn changes_state(kind: CommandKind) -> bool {
    trigger_on_ok(kind).is_some() || trigger_on_failure(kind).is_some()
}

/// The "which commands are valid where" table of `docs/imap-session.md`, as Markdown, drawn
/// from the codec's command table: one row per [`CommandKind`], in table order, with the
/// states it is valid in ([`command_states`]), the capability an IMAP4rev1 server advertises
/// for it ([`CommandKind::capability`]) and its UID form.
pub fn command_states_markdown() -> String {
    let mut out = String::from(
        "| command | valid in | capability (IMAP4rev1) | UID form |\n|---|---|---|---|\n",
    );
    for (kind, states) in command_states() {
        let valid = if states == States::ANY {
            "any".to_owned()
        } else {
            states
                .iter()
                .map(State::name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cap = kind
            .capability()
            .map_or_else(|| "-".to_owned(), |c| c.as_str().into_owned());
        let uid = match kind.uid_form() {
            UidForm::No => "-",
            UidForm::Optional => "UID too",
            _ => "UID only",
        };
        out.push_str(&format!("| {} | {valid} | {cap} | {uid} |\n", kind.name()));
    }
    out
}

/// The connection-state diagram as a Mermaid `stateDiagram-v2`, drawn from [`TRANSITIONS`].
pub fn mermaid() -> String {
    let mut out = String::from("stateDiagram-v2\n    [*] --> Greeting\n");
    for tr in TRANSITIONS {
        out.push_str(&format!(
            "    {} --> {}: {}\n",
            tr.from.name(),
            tr.to.name(),
            tr.trigger.label()
        ));
    }
    out.push_str("    Logout --> [*]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_kind_is_valid_somewhere() {
        for (kind, states) in command_states() {
            assert!(states.iter().next().is_some(), "{kind:?}");
            assert!(!states.contains(S::Greeting) && !states.contains(S::Logout));
        }
        assert_eq!(command_states().count(), CommandKind::ALL.len());
        let login = imap_codec::Command::parse(b"a LOGIN u p\r\n").unwrap();
        assert!(valid_states(&login.body).contains(S::NotAuthenticated));
        assert!(!valid_states(&login.body).contains(S::Authenticated));
        assert_eq!(valid_states(&login.body), States::NOT_AUTH);
        // Every trigger a command fires is in the transition table somewhere.
        for kind in CommandKind::ALL {
            for t in [trigger_on_ok(*kind), trigger_on_failure(*kind)]
                .into_iter()
                .flatten()
            {
                assert!(TRANSITIONS.iter().any(|tr| tr.trigger == t), "{kind:?}");
            }
        }
        assert!(changes_state(CommandKind::Select) && !changes_state(CommandKind::Fetch));
    }

    #[test]
    fn table_is_a_function() {
        for (i, a) in TRANSITIONS.iter().enumerate() {
            for b in &TRANSITIONS[i + 1..] {
                assert!(
                    !(a.from == b.from && a.trigger == b.trigger),
                    "{a:?} / {b:?}"
                );
            }
        }
        assert_eq!(next(S::Selected, T::CloseOk), Some(S::Authenticated));
        assert_eq!(next(S::NotAuthenticated, T::SelectOk), None);
        // RFC 8437 §3: UNAUTHENTICATE goes back to not authenticated, from either state.
        for from in [S::Authenticated, S::Selected] {
            assert_eq!(next(from, T::UnauthenticateOk), Some(S::NotAuthenticated));
        }
        assert_eq!(next(S::NotAuthenticated, T::UnauthenticateOk), None);
        assert_eq!(
            trigger_on_ok(CommandKind::Unauthenticate),
            Some(T::UnauthenticateOk)
        );
    }
}

#[cfg(test)]
mod doc_tests {
    #[test]
    fn the_docs_command_table_is_the_table() {
        let page = include_str!("../../../docs/imap-session.md");
        let table = super::command_states_markdown();
        assert!(
            page.contains(&table),
            "docs/imap-session.md must contain:\n{table}"
        );
    }

    #[test]
    fn the_docs_diagram_is_the_table() {
        let page = include_str!("../../../docs/imap-session.md");
        assert!(
            page.contains(&super::mermaid()),
            "docs/imap-session.md must contain:\n{}",
            super::mermaid()
        );
    }
}
