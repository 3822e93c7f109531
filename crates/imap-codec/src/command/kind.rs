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

/// A command name as the dispatch compares it: its octets with bit 5 cleared (`& 0xDF`, which
/// upper-cases ASCII letters: command names are case-insensitive, RFC 9051 §9 note 1), packed
/// little-endian into two words, zero after the name. Every wire name of the table is upper-case
/// letters, and an octet folds to an upper-case letter only when it is that letter in either
/// case, so two keys are equal exactly when the names are equal ignoring ASCII case.
pub(crate) type NameKey = (u64, u64);

/// The key of a wire name of the table; the name must be 1 to 16 upper-case letters (checked
/// at compile time, where the table's constants are made).
pub(crate) const fn name_key(wire: &str) -> NameKey {
    let b = wire.as_bytes();
    assert!(!b.is_empty() && b.len() <= 16);
    let mut w = [0u64; 2];
    let mut k = 0;
    while k < b.len() {
        assert!(b[k].is_ascii_uppercase());
        w[k / 8] |= (b[k] as u64) << (8 * (k % 8));
        k += 1;
    }
    (w[0], w[1])
}

/// The key of the name of `len` octets at the start of `at` (a run of ATOM-CHARs); `None`
/// when it is longer than 16 octets (longer than any command name).
#[inline]
pub(crate) fn fold_name(at: &[u8], len: usize) -> Option<NameKey> {
    const FOLD: u64 = 0xDFDF_DFDF_DFDF_DFDF;
    let mut buf = [0u8; 16];
    let words: &[u8] = match at.get(..16) {
        // Two unaligned loads; the octets after the name are masked off below.
        Some(w) if len <= 16 => w,
        _ => {
            buf.get_mut(..len)?.copy_from_slice(at.get(..len)?);
            &buf
        }
    };
    let (lo, hi) = words.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().ok()?);
    let hi = u64::from_le_bytes(hi.try_into().ok()?);
    // `len <= 16`: the shifts are at most 64, which `checked_shr` makes 0.
    let bits = |n: usize| u64::MAX.checked_shr(u32::try_from(64 - 8 * n).unwrap_or(64));
    let lo_mask = bits(len.min(8)).unwrap_or(0);
    let hi_mask = bits(len.saturating_sub(8)).unwrap_or(0);
    Some((lo & lo_mask & FOLD, hi & hi_mask & FOLD))
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

        /// Parses a command's arguments after its name (folded: `name`), with (`uid`)
        /// or without the `UID` prefix; when no row has that name and form, the error is
        /// `expected` at `start` (where the name starts). Inlined into its two callers, where
        /// `uid` is a constant: each keeps only the rows of its form.
        #[inline(always)]
        fn dispatch<'a>(
            name: kind::NameKey,
            i: &'a [u8],
            cx: &Ctx<'_>,
            uid: bool,
            start: &'a [u8],
            expected: &'static str,
        ) -> PResult<'a, CommandBody<'a>> {
            /// Each row's name key ([`kind::NameKey`]), named after its variant: integer
            /// constants are patterns, so the match below compiles to a comparison tree on
            /// the two words (no octet loop, no comparison calls).
            #[allow(non_upper_case_globals)]
            mod key {
                $(pub const $variant: super::kind::NameKey = super::kind::name_key($wire);)*
            }
            match name {
                $(key::$variant if UidForm::$uid.allows(uid) => {
                    let mut res = parse_row!($parse, $variant, i, cx, uid);
                    crate::parse::name_rule(&mut res, $rule, i);
                    res
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
