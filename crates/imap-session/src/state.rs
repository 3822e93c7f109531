//! The connection states of RFC 9051 §3 (RFC 3501 §3) and their transitions, as data.
//!
//! Both sessions move between [`State`]s only through [`next`], which looks the move up in
//! [`TRANSITIONS`]; which commands are valid in which state is [`COMMAND_STATES`]. The
//! diagrams in `docs/imap-session.md` are drawn from these tables ([`mermaid`]), and a test
//! checks that the page and the tables agree.

use imap_codec::CommandBody;

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
            Trigger::Logout => "LOGOUT",
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
];

/// The state after `trigger` in `from`, if the table has that move.
pub fn next(from: State, trigger: Trigger) -> Option<State> {
    TRANSITIONS
        .iter()
        .find(|tr| tr.from == from && tr.trigger == trigger)
        .map(|tr| tr.to)
}

/// A set of states, as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct States(u8);

impl States {
    const fn bit(s: State) -> u8 {
        1 << (s as u8)
    }
    /// Any state after the greeting but before LOGOUT (RFC 9051 §6.1: "any state").
    pub const ANY: States = States(
        Self::bit(S::NotAuthenticated) | Self::bit(S::Authenticated) | Self::bit(S::Selected),
    );
    /// Not authenticated only (RFC 9051 §6.2).
    pub const NOT_AUTH: States = States(Self::bit(S::NotAuthenticated));
    /// Authenticated or selected (RFC 9051 §6.3).
    pub const AUTH: States = States(Self::bit(S::Authenticated) | Self::bit(S::Selected));
    /// Selected only (RFC 9051 §6.4).
    pub const SELECTED: States = States(Self::bit(S::Selected));

    /// True when `s` is in the set.
    pub fn contains(self, s: State) -> bool {
        self.0 & Self::bit(s) != 0
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
}

/// In which states each command is valid (RFC 9051 §6.1–§6.4, RFC 3501 §6.1–§6.4), by the
/// name [`CommandBody::name`] gives. ENABLE is valid only when authenticated (RFC 5161 §3.1),
/// IDLE in either authenticated state (RFC 2177).
pub const COMMAND_STATES: &[(&str, States)] = &[
    ("CAPABILITY", States::ANY),
    ("NOOP", States::ANY),
    ("LOGOUT", States::ANY),
    ("STARTTLS", States::NOT_AUTH),
    ("AUTHENTICATE", States::NOT_AUTH),
    ("LOGIN", States::NOT_AUTH),
    ("ENABLE", States::AUTH),
    ("SELECT", States::AUTH),
    ("EXAMINE", States::AUTH),
    ("CREATE", States::AUTH),
    ("DELETE", States::AUTH),
    ("RENAME", States::AUTH),
    ("SUBSCRIBE", States::AUTH),
    ("UNSUBSCRIBE", States::AUTH),
    ("LIST", States::AUTH),
    ("LSUB", States::AUTH),
    ("NAMESPACE", States::AUTH),
    ("STATUS", States::AUTH),
    ("APPEND", States::AUTH),
    ("IDLE", States::AUTH),
    ("CHECK", States::SELECTED),
    ("CLOSE", States::SELECTED),
    ("UNSELECT", States::SELECTED),
    ("EXPUNGE", States::SELECTED),
    ("UID EXPUNGE", States::SELECTED),
    ("SEARCH", States::SELECTED),
    ("UID SEARCH", States::SELECTED),
    ("FETCH", States::SELECTED),
    ("UID FETCH", States::SELECTED),
    ("STORE", States::SELECTED),
    ("UID STORE", States::SELECTED),
    ("COPY", States::SELECTED),
    ("UID COPY", States::SELECTED),
    ("MOVE", States::SELECTED),
    ("UID MOVE", States::SELECTED),
];

/// The states in which `body` is valid.
pub fn valid_states(body: &CommandBody<'_>) -> States {
    let name = body.name();
    COMMAND_STATES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(States::ANY, |(_, s)| *s)
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
    fn every_command_name_has_a_row() {
        // The names CommandBody::name can return.
        for name in [
            "CAPABILITY",
            "NOOP",
            "LOGOUT",
            "STARTTLS",
            "AUTHENTICATE",
            "LOGIN",
            "ENABLE",
            "SELECT",
            "EXAMINE",
            "CREATE",
            "DELETE",
            "RENAME",
            "SUBSCRIBE",
            "UNSUBSCRIBE",
            "LIST",
            "LSUB",
            "NAMESPACE",
            "STATUS",
            "APPEND",
            "IDLE",
            "CHECK",
            "CLOSE",
            "UNSELECT",
            "EXPUNGE",
            "UID EXPUNGE",
            "SEARCH",
            "UID SEARCH",
            "FETCH",
            "UID FETCH",
            "STORE",
            "UID STORE",
            "COPY",
            "UID COPY",
            "MOVE",
            "UID MOVE",
        ] {
            assert!(COMMAND_STATES.iter().any(|(n, _)| *n == name), "{name}");
        }
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
    }
}

#[cfg(test)]
mod doc_tests {
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
