//! The vocabulary of the command table ([`super::CommandKind`] and the `commands!` macro that
//! [`super`] invokes once): the connection states a command is valid in (RFC 9051 §3,
//! §6.1–§6.4), and whether a command has a `UID` form (RFC 9051 §6.4.9, §9 `uid`).
//!
//! The table has one row per command. From it come [`super::CommandBody`] (the enum),
//! [`super::CommandKind`] (the fieldless kind, with [`CommandKind::ALL`](super::CommandKind::ALL),
//! its name, states, capability and UID form), the parser dispatch on the command name, the
//! encoder dispatch, `IntoStatic` (derived) and the variant choice of `Arbitrary` (which picks
//! from `CommandKind::ALL`). A command without a row cannot be parsed, encoded or built.

/// A connection state in which client commands are sent (RFC 9051 §3.1–§3.3). The states
/// before the greeting and after LOGOUT accept no command and are not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ConnectionState {
    /// RFC 9051 §3.1: before authentication.
    NotAuthenticated,
    /// RFC 9051 §3.2: authenticated, no mailbox selected.
    Authenticated,
    /// RFC 9051 §3.3: a mailbox is selected.
    Selected,
}

impl ConnectionState {
    /// Every state, in protocol order.
    pub const ALL: &'static [ConnectionState] = &[
        ConnectionState::NotAuthenticated,
        ConnectionState::Authenticated,
        ConnectionState::Selected,
    ];

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`ConnectionState`]s (a bit set): where a command is valid.
///
/// ```
/// use mailproto_imap_codec::command::{CommandKind, ConnectionState, States};
/// assert_eq!(CommandKind::Fetch.states(), States::SELECTED);
/// assert!(CommandKind::Select.states().contains(ConnectionState::Selected));
/// assert!(!CommandKind::Login.states().contains(ConnectionState::Authenticated));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct States(u8);

impl States {
    /// No state.
    pub const NONE: States = States(0);
    /// Any state (RFC 9051 §6.1, "Client Commands - Any State").
    pub const ANY: States = States(
        ConnectionState::NotAuthenticated.bit()
            | ConnectionState::Authenticated.bit()
            | ConnectionState::Selected.bit(),
    );
    /// Not authenticated only (RFC 9051 §6.2).
    pub const NOT_AUTH: States = States(ConnectionState::NotAuthenticated.bit());
    /// Authenticated or selected (RFC 9051 §6.3: "Authenticated State" commands are valid in
    /// the selected state too).
    pub const AUTH: States =
        States(ConnectionState::Authenticated.bit() | ConnectionState::Selected.bit());
    /// Selected only (RFC 9051 §6.4).
    pub const SELECTED: States = States(ConnectionState::Selected.bit());

    /// Whether `state` is in the set.
    #[inline]
    pub const fn contains(self, state: ConnectionState) -> bool {
        self.0 & state.bit() != 0
    }

    /// The states in the set, in protocol order.
    pub fn iter(self) -> impl Iterator<Item = ConnectionState> {
        ConnectionState::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }
}

/// Whether a command has a `UID` form (RFC 9051 §6.4.9, §9 `uid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UidForm {
    /// Only the plain form (`NOOP`).
    No,
    /// Both forms; the variant has a `uid: bool` field (`FETCH`, `UID FETCH`).
    Optional,
    /// Only after `UID` (`UID EXPUNGE`, RFC 4315 / RFC 9051 §6.4.9).
    Only,
}

impl UidForm {
    /// Whether the form is allowed with (`uid`) or without the `UID` prefix.
    #[inline]
    pub const fn allows(self, uid: bool) -> bool {
        match self {
            UidForm::No => !uid,
            UidForm::Optional => true,
            UidForm::Only => uid,
        }
    }
}

/// The name of a kind: the wire name, with `UID ` in front for the UID-only commands.
macro_rules! kind_name {
    (Only, $wire:literal) => {
        concat!("UID ", $wire)
    };
    ($uid:ident, $wire:literal) => {
        $wire
    };
}

/// Whether a value of a row is the UID form.
macro_rules! is_uid {
    (No, $v:ident, $s:expr) => {
        false
    };
    (Only, $v:ident, $s:expr) => {
        true
    };
    (Optional, $v:ident, $s:expr) => {
        matches!($s, CommandBody::$v { uid: true, .. })
    };
}

/// A row's parser: `unit` for commands without arguments.
macro_rules! parse_row {
    (unit, $v:ident, $i:ident, $cx:ident, $uid:ident) => {
        Ok(($i, CommandBody::$v))
    };
    ($f:ident, $v:ident, $i:ident, $cx:ident, $uid:ident) => {
        $f($i, $cx, $uid)
    };
}

/// A row's encoder (arguments after the name): `unit` writes nothing.
macro_rules! encode_row {
    (unit, $e:ident $(, $f:ident)*) => {{}};
    ($enc:ident, $e:ident $(, $f:ident)*) => {
        $enc($($f,)* $e)
    };
}

/// The command table: see the module documentation. Each row:
///
/// ```text
/// /// docs
/// Variant { fields } = "WIRE-NAME" / "abnf-rule",
///     states: ANY | NOT_AUTH | AUTH | SELECTED,
///     capability: None | Some(Capability::X),
///     uid: No | Optional | Only,
///     parse: unit | fn(&[u8], &Ctx, uid: bool) -> PResult<CommandBody>  (after the name),
///     encode: unit | fn(&field.., &mut Encoder)                         (after the name);
/// ```
macro_rules! commands {
    ($(
        $(#[$vm:meta])*
        $variant:ident $({ $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? })?
            = $wire:literal / $rule:literal,
            states: $states:ident,
            capability: $cap:expr,
            uid: $uid:ident,
            parse: $parse:ident,
            encode: $encode:ident;
    )*) => {
        /// The command and its arguments: one variant per row of the command table
        /// (RFC 3501 §6, RFC 9051 §6, and the extensions in [`crate::ext`]).
        ///
        /// `Debug` prints every field but the secrets: a LOGIN `password` and an
        /// AUTHENTICATE `initial_response` read `<redacted>` (issue 18 item 10: whatever is
        /// printed with `{:?}` ends up in logs).
        #[derive(Clone, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum CommandBody<'a> {
            $(
                $(#[$vm])*
                $variant $({ $($(#[$fm])* $field: $ty),* })?,
            )*
        }

        /// What command a [`CommandBody`] is, without its arguments: one variant per row of
        /// the command table. The UID forms of FETCH, SEARCH, STORE, COPY and MOVE are the
        /// same kind as the plain forms ([`CommandBody::is_uid`] tells them apart);
        /// `UID EXPUNGE` is a command of its own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum CommandKind {
            $(
                #[doc = concat!("`", kind_name!($uid, $wire), "`: [`CommandBody::", stringify!($variant), "`].")]
                $variant,
            )*
        }

        impl ::core::fmt::Debug for CommandBody<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $(CommandBody::$variant $({ $($field),* })? => {
                        #[allow(unused_mut)]
                        let mut d = f.debug_struct(stringify!($variant));
                        $($(d.field(
                            stringify!($field),
                            &crate::redact::Field::new(stringify!($field), $field),
                        );)*)?
                        d.finish()
                    })*
                }
            }
        }

        impl CommandKind {
            /// Every command kind, in table order.
            pub const ALL: &'static [CommandKind] = &[$(CommandKind::$variant),*];

            /// The command name (`"FETCH"`, `"UID EXPUNGE"`): the plain form's name for
            /// commands with an optional UID form.
            pub const fn name(self) -> &'static str {
                match self {
                    $(CommandKind::$variant => kind_name!($uid, $wire),)*
                }
            }

            /// The connection states in which the command is valid (RFC 9051 §6.1–§6.4; for
            /// extensions, their RFC).
            pub const fn states(self) -> States {
                match self {
                    $(CommandKind::$variant => States::$states,)*
                }
            }

            /// The capability a server advertises when it implements the command: `None` for
            /// the commands of both IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051); for the
            /// extensions IMAP4rev2 folded in (IDLE, ENABLE, NAMESPACE, UNSELECT, MOVE,
            /// UID EXPUNGE) the capability an IMAP4rev1 server advertises; for the other
            /// extensions (NOTIFY) the capability that announces them to either.
            pub fn capability(self) -> Option<Capability<'static>> {
                match self {
                    $(CommandKind::$variant => $cap,)*
                }
            }

            /// Whether the command has a `UID` form.
            pub const fn uid_form(self) -> UidForm {
                match self {
                    $(CommandKind::$variant => UidForm::$uid,)*
                }
            }

            /// The ABNF rule of the command (RFC 9051 §9), as parse errors name it.
            pub const fn rule(self) -> &'static str {
                match self {
                    $(CommandKind::$variant => $rule,)*
                }
            }
        }

        impl CommandBody<'_> {
            /// The kind of command.
            #[inline]
            pub fn kind(&self) -> CommandKind {
                match self {
                    $(CommandBody::$variant { .. } => CommandKind::$variant,)*
                }
            }

            /// Whether this is the `UID` form (`UID FETCH`, `UID EXPUNGE`, ...).
            #[inline]
            pub fn is_uid(&self) -> bool {
                match self {
                    $(CommandBody::$variant { .. } => is_uid!($uid, $variant, self),)*
                }
            }

            /// The command name as sent: `"SELECT"`, `"UID FETCH"`, ...
            pub fn name(&self) -> &'static str {
                match self {
                    $(CommandBody::$variant { .. } => {
                        if is_uid!($uid, $variant, self) {
                            concat!("UID ", $wire)
                        } else {
                            $wire
                        }
                    })*
                }
            }
        }

        /// Parses a command's arguments after its (upper-cased) name `name`, with (`uid`)
        /// or without the `UID` prefix; when no row has that name and form, the error is
        /// `expected` at `start` (where the name starts). Inlined into its two callers, where
        /// `uid` is a constant: each keeps only the rows of its form.
        #[inline(always)]
        fn dispatch<'a>(
            name: &[u8],
            i: &'a [u8],
            cx: &Ctx<'_>,
            uid: bool,
            start: &'a [u8],
            expected: &'static str,
        ) -> PResult<'a, CommandBody<'a>> {
            /// Each row's wire name as bytes, named after its variant: constants of type
            /// `&[u8]` are slice patterns, so the match below compiles to a comparison tree
            /// on length and bytes (no UTF-8 check of the name, no string comparison calls).
            #[allow(non_upper_case_globals)]
            mod wire {
                $(pub const $variant: &[u8] = $wire.as_bytes();)*
            }
            match name {
                $(wire::$variant if UidForm::$uid.allows(uid) => {
                    rule($rule, |i| parse_row!($parse, $variant, i, cx, uid))(i)
                })*
                _ => fail(start, expected),
            }
        }

        impl Encode for CommandBody<'_> {
            /// Writes the command name and arguments (no tag, no CRLF).
            fn encode(&self, e: &mut Encoder<'_>) {
                e.raw(self.name().as_bytes());
                match self {
                    $(CommandBody::$variant { $($($field),*)? } => {
                        encode_row!($encode, e $($(, $field)*)?)
                    })*
                }
            }
        }
    };
}

pub(crate) use {commands, encode_row, is_uid, kind_name, parse_row};
