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
/// little-endian into one 128-bit number, zero after the name. Every wire name of the table is
/// upper-case letters, and an octet folds to an upper-case letter only when it is that letter in
/// either case, so two keys are equal exactly when the names are equal ignoring ASCII case.
///
/// The dispatch looks keys up in a [`NameTable`].
pub(crate) type NameKey = u128;

/// Slots of a [`NameTable`]: a power of two, about twelve times the table's names (so that
/// a multiplier without collisions is found after a few dozen tries).
const SLOTS: usize = 1024;

/// The command table's names, each with the forms its row allows (with or without the
/// `UID` prefix), hashed into [`SLOTS`] slots without a collision: a lookup is one multiply,
/// one load and one comparison of the key.
///
/// It replaces a `match` on the keys, which in a fuzz build was a `switch` on 64-bit words
/// with some 80 large case values whose coverage hook walks the sorted cases one by one (about
/// 115 instructions per command), and as a 128-bit `match` a comparison tree of that depth.
pub(crate) struct NameTable {
    /// The multiplier of [`NameTable::slot`]: the first one tried that has no collision.
    mul: u64,
    /// The row in each slot, plus one; 0 for an empty slot.
    slots: [u8; SLOTS],
}

impl NameTable {
    /// The slot of `key` looked up with (`uid`) or without the `UID` prefix.
    #[inline(always)]
    const fn slot(key: NameKey, uid: bool, mul: u64) -> usize {
        let x = (key as u64) ^ ((key >> 64) as u64).rotate_left(29) ^ uid as u64;
        (x.wrapping_mul(mul) >> (64 - SLOTS.trailing_zeros())) as usize
    }

    /// The table of `rows` (name key and UID form, in table order); evaluated at compile
    /// time. Panics when two rows have the same name and an allowed form in common (the
    /// command table would be ambiguous).
    pub(crate) const fn new(rows: &[(NameKey, UidForm)]) -> Self {
        assert!(rows.len() < u8::MAX as usize);
        let mut mul: u64 = 0x9E37_79B9_7F4A_7C15;
        loop {
            let mut slots = [0u8; SLOTS];
            let mut ok = true;
            let mut r = 0;
            while ok && r < rows.len() {
                let (key, form) = rows[r];
                let mut u = 0;
                while u < 2 {
                    let uid = u == 1;
                    let at = Self::slot(key, uid, mul);
                    if !form.allows(uid) {
                        // The slot of a form the row does not allow must not be its own
                        // (`find` compares the key only).
                        ok &= at != Self::slot(key, !uid, mul);
                    } else if slots[at] == 0 {
                        slots[at] = r as u8 + 1;
                    } else {
                        let (other, other_form) = rows[slots[at] as usize - 1];
                        assert!(
                            slots[at] as usize - 1 == r
                                || !(other == key && other_form.allows(uid)),
                            "two rows with the same name and form"
                        );
                        ok = false;
                    }
                    u += 1;
                }
                r += 1;
            }
            if ok {
                return NameTable { mul, slots };
            }
            mul = mul
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407)
                | 1;
        }
    }

    /// The index in `rows` (the rows the table was made of) of the row named `key` that
    /// allows the form `uid`: `None` when there is none. The key alone is compared: a row
    /// sits only in the slots of its allowed forms, and the slot of a form it does not allow
    /// is never one of those (`new` makes sure).
    #[inline(always)]
    pub(crate) fn find(
        &self,
        rows: &[(NameKey, UidForm)],
        key: NameKey,
        uid: bool,
    ) -> Option<usize> {
        // An empty slot (0) wraps to `usize::MAX`: no row.
        let r = usize::from(self.slots[Self::slot(key, uid, self.mul)]).wrapping_sub(1);
        (rows.get(r)?.0 == key).then_some(r)
    }
}

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
    w[0] as u128 | (w[1] as u128) << 64
}

/// The key of the name of `len` octets at the start of `at` (a run of ATOM-CHARs); `None`
/// when it is longer than 16 octets (longer than any command name).
#[inline]
pub(crate) fn fold_name(at: &[u8], len: usize) -> Option<NameKey> {
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
    Some(fold_words(lo, hi, len))
}

/// The key of the first `len` (at most 16) octets of the two little-endian words `lo`, `hi`.
#[inline(always)]
fn fold_words(lo: u64, hi: u64, len: usize) -> NameKey {
    const FOLD: u64 = 0xDFDF_DFDF_DFDF_DFDF;
    // `len <= 16`: the shifts are at most 64, which `checked_shr` makes 0.
    let bits = |n: usize| u64::MAX.checked_shr(u32::try_from(64 - 8 * n).unwrap_or(64));
    let lo_mask = bits(len.min(8)).unwrap_or(0);
    let hi_mask = bits(len.saturating_sub(8)).unwrap_or(0);
    (lo & lo_mask & FOLD) as u128 | ((hi & hi_mask & FOLD) as u128) << 64
}

/// The fast path of the name scan: when `at` has 16 octets, the name is taken to end at the
/// first octet that is SP or below (the usual ends: SP, CR), found a word at a time, and its
/// key is returned with its length. The caller uses it only when a row has that key: the
/// name is then letters only (keys equal only for names equal ignoring case), so every octet
/// before the end is an ATOM-CHAR and the end is not one, which is where the exact scan of
/// `1*ATOM-CHAR` stops too. Otherwise (no such octet in 16, or no row) the exact scan decides.
#[inline(always)]
pub(crate) fn quick_name(at: &[u8]) -> Option<(NameKey, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let words = at.first_chunk::<16>()?;
    let (lo, hi) = words.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().ok()?);
    let hi = u64::from_le_bytes(hi.try_into().ok()?);
    // The high bit of each octet below 0x21, exact up to the first one (the borrows run
    // upwards only); octets >= 0x80 are masked off by `!x`.
    let below = |x: u64| x.wrapping_sub(ONES * 0x21) & !x & HIGHS;
    let len = match (below(lo), below(hi)) {
        (0, 0) => return None,
        (0, m) => 8 + (m.trailing_zeros() / 8) as usize,
        (m, _) => (m.trailing_zeros() / 8) as usize,
    };
    Some((fold_words(lo, hi, len), len))
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
        ///
        /// `repr(u8)`: the variant is an octet of its own in front of the fields. Without it
        /// the compiler stores it in a spare value of the widest variant's first field (a
        /// `Vec`'s capacity), and every `match` on a command (its name, kind, encoding,
        /// comparison, drop) decodes that niche with two 64-bit comparisons first (in a fuzz
        /// build, two calls into the fuzzer's comparison hook each).
        #[derive(Clone, PartialEq, Eq, Hash, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        #[repr(u8)]
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

        /// The row of the command named `name` (folded) with (`uid`) or without the `UID`
        /// prefix: `None` when no row has that name and form.
        #[inline(always)]
        fn lookup(name: kind::NameKey, uid: bool) -> Option<CommandKind> {
            /// Each row's name key ([`kind::NameKey`]) and UID form, in table order (the
            /// order of [`CommandKind::ALL`]).
            const ROWS: &[(kind::NameKey, UidForm)] =
                &[$((kind::name_key($wire), UidForm::$uid)),*];
            /// The rows hashed by name and form, made at compile time.
            static TABLE: kind::NameTable = kind::NameTable::new(ROWS);
            TABLE
                .find(ROWS, name, uid)
                .and_then(|r| CommandKind::ALL.get(r).copied())
        }

        /// Parses the arguments of a command of kind `kind` (after its name; `uid`: the
        /// `UID` form). The error is not named yet: the caller names it with `kind.rule()`.
        #[inline(always)]
        fn parse_args<'a>(
            kind: CommandKind,
            i: &'a [u8],
            cx: &Ctx<'_>,
            uid: bool,
        ) -> PResult<'a, CommandBody<'a>> {
            match kind {
                $(CommandKind::$variant => parse_row!($parse, $variant, i, cx, uid),)*
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// The folded key against the case-insensitive comparison it replaces: for every name of
    /// the table, in upper and lower case, with every octet changed to every ATOM-CHAR, cut
    /// short and made longer, the key equals the name's key exactly when the octets equal the
    /// name ignoring ASCII case; both with the name followed by more input (the two word
    /// loads) and with the name at the end of the input (the copy).
    #[test]
    fn folded_keys_match_exactly_the_names_in_any_case() {
        let atom: Vec<u8> = (0u8..=255)
            .filter(|&b| crate::parse::is_atom_char(b))
            .collect();
        let mut checked = 0;
        for kind in super::super::CommandKind::ALL {
            let wire = kind.name().trim_start_matches("UID ");
            let key = name_key(wire);
            let mut candidates = vec![wire.as_bytes().to_vec(), wire.to_lowercase().into_bytes()];
            for at in 0..wire.len() {
                for &b in &atom {
                    let mut m = wire.as_bytes().to_vec();
                    m[at] = b;
                    candidates.push(m);
                }
                candidates.push(wire.as_bytes()[..at].to_vec());
            }
            for &b in &atom {
                let mut m = wire.as_bytes().to_vec();
                m.push(b);
                candidates.push(m);
            }
            for name in candidates {
                let same = name.eq_ignore_ascii_case(wire.as_bytes());
                let mut followed = name.clone();
                followed.extend_from_slice(b" (FLAGS UID) more input\r\n");
                for at in [&name[..], &followed[..]] {
                    let folded = fold_name(at, name.len());
                    assert_eq!(folded == Some(key), same, "{:?} vs {wire}", name);
                    checked += 1;
                }
            }
        }
        assert!(checked > 75_000, "{checked}");
        // Longer than any name: no key.
        assert_eq!(fold_name(b"AAAAAAAAAAAAAAAAA", 17), None);
        assert_eq!(fold_name(b"", 0), Some(0));
    }
}
