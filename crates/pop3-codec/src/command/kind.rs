//! The vocabulary of the command table ([`super::CommandKind`] and the `commands!` macro that
//! [`super`] invokes once): the states a command is valid in (RFC 1939 §3–§7), and how a
//! server tells a client that it offers a command (RFC 2449 §6, RFC 1939 §7).
//!
//! The table has one row per command. From it come [`super::Command`] (the enum),
//! [`super::CommandKind`] (the fieldless kind, with
//! [`CommandKind::ALL`](super::CommandKind::ALL), its keyword, RFC section, phases and offer),
//! [`super::Command::kind`], and the parser dispatch on the keyword. A command without a row
//! cannot be parsed or built, and the encoder's `match` does not compile without it.

use crate::capability::Capability;

/// A state of RFC 1939 §3 in which a client may give commands. (The greeting, the TLS
/// handshake and UPDATE accept no command.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Phase {
    /// Before the client has identified itself (RFC 1939 §4, §7).
    Authorization,
    /// The maildrop is open (RFC 1939 §5).
    Transaction,
}

impl Phase {
    /// Every phase, in protocol order.
    pub const ALL: &'static [Phase] = &[Phase::Authorization, Phase::Transaction];

    /// The name, as the docs spell it (`AUTHORIZATION`, `TRANSACTION`: RFC 1939 §3).
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Authorization => "AUTHORIZATION",
            Phase::Transaction => "TRANSACTION",
        }
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Phase`]s (a bit set): where a command is valid.
///
/// ```
/// use mailproto_pop3_codec::command::{CommandKind, Phase, Phases};
/// assert_eq!(CommandKind::Retr.phases(), Phases::TRANSACTION);
/// assert!(CommandKind::Quit.phases().contains(Phase::Authorization));
/// assert!(!CommandKind::User.phases().contains(Phase::Transaction));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Phases(u8);

impl Phases {
    /// AUTHORIZATION only (RFC 1939 §4, §7).
    pub const AUTHORIZATION: Phases = Phases(Phase::Authorization.bit());
    /// TRANSACTION only (RFC 1939 §5).
    pub const TRANSACTION: Phases = Phases(Phase::Transaction.bit());
    /// Both (QUIT, RFC 1939 §5–§6; CAPA, RFC 2449 §5; LANG, RFC 6856 §3).
    pub const BOTH: Phases = Phases(Phase::Authorization.bit() | Phase::Transaction.bit());

    /// Whether `phase` is in the set.
    #[inline]
    pub const fn contains(self, phase: Phase) -> bool {
        self.0 & phase.bit() != 0
    }

    /// The phases in the set, in protocol order.
    pub fn iter(self) -> impl Iterator<Item = Phase> {
        Phase::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }
}

/// How a server tells a client that it implements a command: the capability it lists in
/// its CAPA answer (RFC 2449 §6), or, for APOP, a timestamp in its greeting (RFC 1939 §7).
///
/// ```
/// use mailproto_pop3_codec::command::{CommandKind, Offer};
/// use mailproto_pop3_codec::Capability;
/// assert_eq!(CommandKind::Stls.offer(), Offer::Stls);
/// assert!(CommandKind::Pass.offer().advertised_by(&Capability::User));
/// assert_eq!(CommandKind::Apop.offer().capability_tag(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Offer {
    /// Every server: the minimal commands of RFC 1939 §9 (QUIT, STAT, LIST, RETR, DELE,
    /// NOOP, RSET).
    Always,
    /// Servers of RFC 2449 (§5); an older server answers CAPA with `-ERR`.
    Capa,
    /// The `USER` capability: USER and PASS (RFC 2449 §6.2).
    User,
    /// The `SASL` capability, listing the mechanisms AUTH accepts (RFC 2449 §6.3,
    /// RFC 5034 §3).
    Sasl,
    /// The `STLS` capability (RFC 2595 §4).
    Stls,
    /// The `TOP` capability (RFC 2449 §6.1).
    Top,
    /// The `UIDL` capability (RFC 2449 §6.8).
    Uidl,
    /// The `UTF8` capability (RFC 6856 §2).
    Utf8,
    /// The `LANG` capability (RFC 6856 §3).
    Lang,
    /// A timestamp in the greeting (RFC 1939 §7: "a POP3 server which implements the APOP
    /// command will include a timestamp in its banner greeting").
    GreetingTimestamp,
    /// Nothing advertises it: a command of no current RFC (`LAST`, `XTND`), which a client
    /// tries and a server that lacks it answers with `-ERR` (RFC 1939 §3).
    Legacy,
}

impl Offer {
    /// The capability tag that advertises the command (RFC 2449 §6), if one does.
    pub const fn capability_tag(self) -> Option<&'static str> {
        match self {
            Offer::User => Some("USER"),
            Offer::Sasl => Some("SASL"),
            Offer::Stls => Some("STLS"),
            Offer::Top => Some("TOP"),
            Offer::Uidl => Some("UIDL"),
            Offer::Utf8 => Some("UTF8"),
            Offer::Lang => Some("LANG"),
            Offer::Always | Offer::Capa | Offer::GreetingTimestamp | Offer::Legacy => None,
        }
    }

    /// Whether the capability `cap` advertises the command.
    pub fn advertised_by(self, cap: &Capability<'_>) -> bool {
        matches!(
            (self, cap),
            (Offer::User, Capability::User)
                | (Offer::Sasl, Capability::Sasl(_))
                | (Offer::Stls, Capability::Stls)
                | (Offer::Top, Capability::Top)
                | (Offer::Uidl, Capability::Uidl)
                | (Offer::Utf8, Capability::Utf8 { .. })
                | (Offer::Lang, Capability::Lang)
        )
    }
}

/// A row's parser (after the keyword): `unit` for commands without arguments.
macro_rules! parse_row {
    (unit, $v:ident, $c:ident) => {
        Ok(Command::$v)
    };
    ($f:ident, $v:ident, $c:ident) => {
        $f($c)
    };
}

/// The command table: see the module documentation. Each row:
///
/// ```text
/// /// docs
/// Variant | Variant(types) | Variant { fields } = "KEYWORD", "RFC section",
///     phases: AUTHORIZATION | TRANSACTION | BOTH,
///     offer: <Offer variant>,
///     parse: unit | fn(&mut Cursor) -> Result<Command, ParseError>   (after the keyword),
///     profile: Strict | RealWorld;
/// ```
/// `profile: RealWorld` marks a row of no RFC in force (`LAST`, `XTND XLST`, `AUTH` without a
/// mechanism): the strict profile refuses it as an unknown command (or where the grammar
/// fails), the real-world profile accepts it and reports `non-standard-commands`. Rows that
/// share a keyword (`AUTH`) share the first row's parser, which builds either.
///
/// One variant's arm of the generated `Debug` for `Command`: unit, one-field tuple, or
/// struct with its fields (a field named in [`crate::core::SECRET_FIELDS`] is redacted).
macro_rules! debug_variant {
    ($this:ident, $f:ident, $v:ident) => {
        if let Command::$v = $this {
            return $f.write_str(stringify!($v));
        }
    };
    ($this:ident, $f:ident, $v:ident ( $t:ty )) => {
        if let Command::$v(x) = $this {
            return $f.debug_tuple(stringify!($v)).field(x).finish();
        }
    };
    ($this:ident, $f:ident, $v:ident { $($field:ident),* }) => {
        if let Command::$v { $($field),* } = $this {
            let mut d = $f.debug_struct(stringify!($v));
            $(d.field(
                stringify!($field),
                &crate::core::RedactField::new(stringify!($field), $field),
            );)*
            return d.finish();
        }
    };
}

macro_rules! commands {
    ($(
        $(#[$vm:meta])*
        $variant:ident
            $(( $($tty:ty),* $(,)? ))?
            $({ $($(#[$fm:meta])* $field:ident : $fty:ty),* $(,)? })?
            = $wire:literal, $rfc:literal,
            phases: $phases:ident,
            offer: $offer:ident,
            parse: $parse:ident,
            profile: $profile:ident;
    )*) => {
        /// A POP3 command (RFC 1939 §4–7 and the extensions named on each variant): one
        /// variant per row of the command table.
        ///
        /// ```
        /// use mailproto_pop3_codec::{Command, Encode};
        /// use mailproto_pop3_codec::command::CommandKind;
        /// let cmd = Command::parse(b"top 1 10\r\n").unwrap();
        /// assert_eq!(cmd, Command::Top { msg: 1.try_into().unwrap(), lines: 10 });
        /// assert_eq!(cmd.kind(), CommandKind::Top);
        /// assert_eq!(cmd.to_bytes(), b"TOP 1 10\r\n");
        /// ```
        ///
        /// `Debug` prints every field but the secrets: PASS's [`Secret`](crate::Secret) and
        /// AUTH's `initial_response` read `<redacted>` (issue 18 item 10: whatever is printed
        /// with `{:?}` ends up in logs).
        #[derive(Clone, PartialEq, Eq, IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum Command<'a> {
            $(
                $(#[$vm])*
                $variant
                    $(( $($tty),* ))?
                    $({ $($(#[$fm])* $field: $fty),* })?,
            )*
        }

        /// What command a [`Command`] is, without its arguments: one variant per row of the
        /// command table. Sessions decide by kind, never by keyword.
        ///
        /// ```
        /// use mailproto_pop3_codec::command::{CommandKind, Offer};
        /// assert_eq!(CommandKind::Uidl.keyword(), "UIDL");
        /// assert_eq!(CommandKind::Uidl.to_string(), "UIDL");
        /// assert_eq!(CommandKind::Uidl.offer(), Offer::Uidl);
        /// assert_eq!(CommandKind::Stls.rfc(), "RFC 2595 §4");
        /// assert_eq!(CommandKind::from_keyword(b"retr"), Some(CommandKind::Retr));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum CommandKind {
            $(
                #[doc = concat!("`", $wire, "` (", $rfc, "): [`Command::", stringify!($variant), "`].")]
                $variant,
            )*
        }

        impl ::core::fmt::Debug for Command<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                $(debug_variant!(self, f, $variant $(( $($tty),* ))? $({ $($field),* })?);)*
                Ok(())
            }
        }

        impl CommandKind {
            /// Every command kind, in table order.
            pub const ALL: &'static [CommandKind] = &[$(CommandKind::$variant),*];

            /// The keyword, in upper case (RFC 2449 §3: matched ignoring case).
            pub const fn keyword(self) -> &'static str {
                match self {
                    $(CommandKind::$variant => $wire,)*
                }
            }

            /// The RFC section that defines the command.
            pub const fn rfc(self) -> &'static str {
                match self {
                    $(CommandKind::$variant => $rfc,)*
                }
            }

            /// The phases in which the command is valid (RFC 1939 §3–§7; for extensions,
            /// their RFC).
            pub const fn phases(self) -> Phases {
                match self {
                    $(CommandKind::$variant => Phases::$phases,)*
                }
            }

            /// How a server says it offers the command (RFC 2449 §6, RFC 1939 §7).
            pub const fn offer(self) -> Offer {
                match self {
                    $(CommandKind::$variant => Offer::$offer,)*
                }
            }

            /// The least profile that accepts the command: `Strict` for the commands of the
            /// RFCs, `RealWorld` for those of no RFC in force (`non-standard-commands`).
            pub const fn profile(self) -> crate::context::Profile {
                match self {
                    $(CommandKind::$variant => crate::context::Profile::$profile,)*
                }
            }

            /// The kind whose keyword is `keyword`, ignoring case (the first row with it).
            pub fn from_keyword(keyword: &[u8]) -> Option<CommandKind> {
                CommandKind::ALL
                    .iter()
                    .copied()
                    .find(|k| k.keyword().as_bytes().eq_ignore_ascii_case(keyword))
            }
        }

        /// The longest keyword of the table.
        const MAX_KEYWORD: usize = {
            let mut max = 0;
            $(if $wire.len() > max { max = $wire.len(); })*
            max
        };

        impl Command<'_> {
            /// The kind of command.
            #[inline]
            pub fn kind(&self) -> CommandKind {
                match self {
                    $(Command::$variant { .. } => CommandKind::$variant,)*
                }
            }
        }

        /// Parses a command's arguments after its upper-cased keyword `name`; `None` when no
        /// row has that keyword.
        #[inline]
        // A keyword shared by two rows (`AUTH`) reaches the first row's parser, which
        // builds either; the later arm is unreachable by design.
        #[allow(unreachable_patterns)]
        fn dispatch<'a>(name: &str, c: &mut Cursor<'a>) -> Option<Result<Command<'a>, ParseError>> {
            // A `match` on string literals compiles to a comparison tree: no table scan.
            Some(match name {
                $($wire => parse_row!($parse, $variant, c),)*
                _ => return None,
            })
        }
    };
}

pub(crate) use {commands, debug_variant, parse_row};

impl ::core::fmt::Display for super::CommandKind {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.keyword())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, CommandKind, MAX_KEYWORD};
    use crate::context::{ParseOptions, Profile};
    use crate::error::ErrorKind;
    use crate::prelude::*;

    #[test]
    fn every_row_is_parsed_by_its_keyword_in_any_case() {
        for kind in CommandKind::ALL {
            let kw = kind.keyword();
            assert!(kw.len() <= MAX_KEYWORD);
            let first = CommandKind::from_keyword(kw.as_bytes()).unwrap();
            assert_eq!(first.keyword(), kw);
            assert!(first <= *kind, "{kind:?}");
            assert!(
                kind.phases().iter().next().is_some(),
                "{kind:?} valid nowhere"
            );
            // The keyword alone reaches the row's parser: either a command of that kind or
            // an argument error after the keyword, never "unknown command".
            let line = format!("{}\r\n", kw.to_ascii_lowercase());
            match (Command::parse(line.as_bytes()), kind.profile()) {
                (Ok(cmd), Profile::Strict) => assert_eq!(cmd.kind(), *kind),
                (Err(e), Profile::Strict) => {
                    assert!(e.kind != ErrorKind::UnknownCommand && e.offset >= kw.len())
                }
                // Strict refuses a non-standard row (unknown keyword, or where AUTH's
                // grammar fails); real-world reaches it.
                (Ok(cmd), _) => panic!("strict accepted {cmd:?}"),
                (Err(_), _) => {
                    let rw = ParseOptions::default().with_profile(Profile::RealWorld);
                    if let Err(e) = Command::parse_with(line.as_bytes(), &rw) {
                        assert!(e.kind != ErrorKind::UnknownCommand && e.offset >= kw.len());
                    }
                }
            }
        }
        let err = Command::parse(b"RETRX 1\r\n").unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnknownCommand);
        assert_eq!(CommandKind::from_keyword(b"XMIT"), None);
        // A non-standard row is an unknown command under strict, at the keyword.
        let err = Command::parse(b"XTND XLST Subject\r\n").unwrap_err();
        assert_eq!((err.kind, err.offset), (ErrorKind::UnknownCommand, 0));
    }
}
