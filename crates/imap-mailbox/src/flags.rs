//! Message flags (RFC 9051 §2.3.2): the system flags and keywords of one message, and the
//! conversion from and to imap-codec's [`Flag`] (the only place this crate builds or
//! matches flags).

use std::collections::BTreeMap;

use imap_codec::Flag;
use imap_codec::flag::FlagExtension;

/// A system flag (RFC 9051 §2.3.2). `\Recent` is not stored: it is a per-session property
/// (RFC 3501 §2.3.2), see [`crate::store::View`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SystemFlag {
    /// `\Seen`
    Seen,
    /// `\Answered`
    Answered,
    /// `\Flagged`
    Flagged,
    /// `\Deleted`
    Deleted,
    /// `\Draft`
    Draft,
}

impl SystemFlag {
    const ALL: [SystemFlag; 5] = [
        SystemFlag::Seen,
        SystemFlag::Answered,
        SystemFlag::Flagged,
        SystemFlag::Deleted,
        SystemFlag::Draft,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The flags of one message: system flags and keywords. Keywords compare
/// case-insensitively (as Dovecot and Cyrus do; RFC 9051 §2.3.2 leaves it open) and keep
/// the spelling they were first stored with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    system: u8,
    keywords: BTreeMap<String, String>,
}

/// Why a flag cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagError {
    /// A `\`-extension other than the system flags (e.g. `\Recent`, which only the server
    /// sets): RFC 9051 §6.4.6 lets the server refuse it.
    NotStorable(String),
}

impl Flags {
    /// No flags.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when `f` is set.
    pub fn has(&self, f: SystemFlag) -> bool {
        self.system & f.bit() != 0
    }

    /// Sets or clears `f`.
    pub fn set(&mut self, f: SystemFlag, on: bool) {
        if on {
            self.system |= f.bit();
        } else {
            self.system &= !f.bit();
        }
    }

    /// True when keyword `k` is set (case-insensitive).
    pub fn has_keyword(&self, k: &str) -> bool {
        self.keywords.contains_key(&k.to_ascii_lowercase())
    }

    /// Sets or clears keyword `k`.
    pub fn set_keyword(&mut self, k: &str, on: bool) {
        let key = k.to_ascii_lowercase();
        if on {
            self.keywords.entry(key).or_insert_with(|| k.to_string());
        } else {
            self.keywords.remove(&key);
        }
    }

    /// The system flags set, in a fixed order.
    pub fn system(&self) -> impl Iterator<Item = SystemFlag> + '_ {
        SystemFlag::ALL.into_iter().filter(|f| self.has(*f))
    }

    /// The keywords, ordered case-insensitively.
    pub fn keywords(&self) -> impl Iterator<Item = &str> {
        self.keywords.values().map(String::as_str)
    }

    /// Adds every flag of `other`.
    pub fn add_all(&mut self, other: &Flags) {
        self.system |= other.system;
        for k in other.keywords() {
            self.set_keyword(k, true);
        }
    }

    /// Removes every flag of `other`.
    pub fn remove_all(&mut self, other: &Flags) {
        self.system &= !other.system;
        for k in other.keywords() {
            self.set_keyword(k, false);
        }
    }

    /// Converts a codec flag list (STORE, APPEND). `\Recent` and other `\`-extensions are
    /// refused.
    pub fn from_codec(list: &[Flag<'_>]) -> Result<Flags, FlagError> {
        let mut f = Flags::new();
        for flag in list {
            match flag {
                Flag::Seen => f.set(SystemFlag::Seen, true),
                Flag::Answered => f.set(SystemFlag::Answered, true),
                Flag::Flagged => f.set(SystemFlag::Flagged, true),
                Flag::Deleted => f.set(SystemFlag::Deleted, true),
                Flag::Draft => f.set(SystemFlag::Draft, true),
                Flag::Keyword(k) => f.set_keyword(k.as_str(), true),
                Flag::Extension(e) => return Err(FlagError::NotStorable(e.as_str().to_string())),
                #[allow(unreachable_patterns)]
                _ => return Err(FlagError::NotStorable(String::new())),
            }
        }
        Ok(f)
    }

    /// The flags as FETCH reports them (`flag-fetch`), with `\Recent` when `recent`.
    pub fn to_codec(&self, recent: bool) -> Vec<Flag<'static>> {
        let mut out: Vec<Flag<'static>> = self
            .system()
            .map(|f| match f {
                SystemFlag::Seen => Flag::Seen,
                SystemFlag::Answered => Flag::Answered,
                SystemFlag::Flagged => Flag::Flagged,
                SystemFlag::Deleted => Flag::Deleted,
                SystemFlag::Draft => Flag::Draft,
            })
            .collect();
        out.extend(
            self.keywords()
                .filter_map(|k| imap_codec::Atom::new(k.to_string()).ok().map(Flag::Keyword)),
        );
        if recent && let Ok(r) = FlagExtension::new("Recent") {
            out.push(Flag::Extension(r));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_case_insensitive_and_codec_round_trip() {
        let mut f = Flags::new();
        f.set_keyword("$Forwarded", true);
        f.set_keyword("$FORWARDED", true);
        assert!(f.has_keyword("$forwarded"));
        assert_eq!(f.keywords().collect::<Vec<_>>(), ["$Forwarded"]);
        f.set(SystemFlag::Seen, true);
        let codec = f.to_codec(true);
        assert_eq!(codec.len(), 3);
        let back = Flags::from_codec(&codec[..2]).unwrap();
        assert_eq!(back, f);
        assert!(Flags::from_codec(&codec).is_err());
    }
}
