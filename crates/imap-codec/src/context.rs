//! The parse context: what a parser needs to know besides the bytes.
//!
//! - the [`Profile`]: `Strict` (the default, exactly RFC 3501 §9 ∪ RFC 9051 §9) or `RealWorld`
//!   (what deployed software sends; each departure is reported as a [`Deviation`]);
//! - the [`Extensions`] in force on the connection (advertised, or enabled with ENABLE,
//!   RFC 5161), which change the grammar: e.g. `VANISHED (EARLIER)` once QRESYNC is enabled
//!   (RFC 7162 §3.2.10), UTF-8 quoted strings once UTF8=ACCEPT is enabled (RFC 6855 §3);
//! - limits.
//!
//! [`ParseOptions`] is what callers build; parsers receive a [`Ctx`] made from it for one
//! message, which also collects the deviations found on the way. Entry points come in two
//! forms: `parse(bytes)` (strict, nothing in force) and `parse_with(bytes, &options)`, which
//! returns a [`Parsed`] value with its deviations.
//!
//! ```
//! use mailproto_imap_codec::context::{Extension, ParseOptions, Profile};
//! let options = ParseOptions::default()
//!     .with_profile(Profile::RealWorld)
//!     .with_extension(Extension::QResync);
//! assert!(options.extensions.contains(Extension::QResync));
//! assert!(!options.extensions.contains(Extension::Utf8Accept));
//! ```

use std::cell::RefCell;

pub use mailproto_core::{DeviationId, Profile, Side};

/// An extension whose being in force changes what the grammar accepts. The extension modules
/// (`ext/`) consult the parse context for these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Extension {
    /// CONDSTORE (RFC 7162 §3.1): MODSEQ items and modifiers.
    CondStore,
    /// QRESYNC (RFC 7162 §3.2): `VANISHED`, `SELECT (QRESYNC ...)`; implies CONDSTORE.
    QResync,
    /// UTF8=ACCEPT (RFC 6855 §3): UTF-8 in quoted strings and mailbox names.
    Utf8Accept,
    /// CREATE-SPECIAL-USE (RFC 6154 §3), advertised by the server: the `create-params` slot
    /// of CREATE with the `USE` parameter ([`crate::ext::special_use`]).
    CreateSpecialUse,
}

impl Extension {
    /// Every extension the context knows, in declaration order.
    pub const ALL: &'static [Extension] = &[
        Extension::CondStore,
        Extension::QResync,
        Extension::Utf8Accept,
        Extension::CreateSpecialUse,
    ];

    fn bit(self) -> u64 {
        1 << (self as u64)
    }
}

/// A set of [`Extension`]s (a bit set: cheap to copy and test).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Extensions(u64);

impl Extensions {
    /// No extension in force.
    pub const NONE: Extensions = Extensions(0);

    /// Whether `ext` is in force.
    #[inline]
    pub fn contains(self, ext: Extension) -> bool {
        self.0 & ext.bit() != 0
    }

    /// Puts `ext` in force.
    pub fn insert(&mut self, ext: Extension) {
        self.0 |= ext.bit();
    }

    /// Takes `ext` out of force.
    pub fn remove(&mut self, ext: Extension) {
        self.0 &= !ext.bit();
    }

    /// The extensions in force, in [`Extension::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Extension> {
        Extension::ALL
            .iter()
            .copied()
            .filter(move |e| self.contains(*e))
    }
}

impl FromIterator<Extension> for Extensions {
    fn from_iter<I: IntoIterator<Item = Extension>>(iter: I) -> Self {
        let mut set = Extensions::NONE;
        for ext in iter {
            set.insert(ext);
        }
        set
    }
}

/// How to parse: the profile, the extensions in force and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Strict (default) or real-world.
    pub profile: Profile,
    /// The extensions in force on the connection.
    pub extensions: Extensions,
    /// How deep parenthesised lists may nest (BODYSTRUCTURE, search keys, ...).
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            profile: Profile::Strict,
            extensions: Extensions::NONE,
            max_depth: crate::ext::MAX_DEPTH,
        }
    }
}

/// The options `parse(bytes)` entry points use: strict, nothing in force, default limits.
pub(crate) const STRICT: ParseOptions = ParseOptions {
    profile: Profile::Strict,
    extensions: Extensions::NONE,
    max_depth: crate::ext::MAX_DEPTH,
};

impl ParseOptions {
    /// The same options with `profile`.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The same options with nesting limited to `max_depth` (parsers never go above their
    /// own bound, [`crate::ext`]'s 250, whatever is asked).
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// The same options with `ext` in force too.
    pub fn with_extension(mut self, ext: Extension) -> Self {
        self.extensions.insert(ext);
        self
    }
}

/// One kind of departure from the IMAP grammar that the real-world profile accepts; the ids
/// are stable (`docs/real-world.md` lists them with examples and sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImapDeviation {
    /// `trailing-space`: one SP before CRLF or `)` where the grammar has none
    /// (`* SEARCH 1 2 ` CRLF).
    TrailingSpace,
    /// `missing-text`: a status response or greeting without its text: no SP after the
    /// condition (`* BYE` CRLF), or a response code directly before CRLF (`* OK [UNSEEN 8]`
    /// CRLF, where strict reads `[UNSEEN 8]` as text). Read as empty text.
    MissingText,
    /// `quota-without-list`: a QUOTA response with a quota root and no resource list
    /// (`* QUOTA "ROOT"` CRLF, Courier-IMAP); read as the empty list (RFC 9208 §7,
    /// [`crate::ext::quota`]).
    QuotaWithoutList,
    /// `metadata-options-after-mailbox`: GETMETADATA with its options after the mailbox
    /// (`GETMETADATA "INBOX" (MAXSIZE 1024) (/a /b)`), as RFC 5464's examples (§4.2.1,
    /// §4.2.2) write it; read as the options before the mailbox ([`crate::ext::metadata`]).
    MetadataOptionsAfterMailbox,
}

impl DeviationId for ImapDeviation {
    fn id(self) -> &'static str {
        match self {
            ImapDeviation::TrailingSpace => "trailing-space",
            ImapDeviation::MissingText => "missing-text",
            ImapDeviation::QuotaWithoutList => "quota-without-list",
            ImapDeviation::MetadataOptionsAfterMailbox => "metadata-options-after-mailbox",
        }
    }

    fn rule(self) -> &'static str {
        match self {
            ImapDeviation::TrailingSpace => "CRLF (RFC 9051 §9: no SP before the line end)",
            ImapDeviation::MissingText => {
                "resp-text = [\"[\" resp-text-code \"]\" SP] text (RFC 9051 §9, RFC 3501 §9)"
            }
            ImapDeviation::QuotaWithoutList => {
                "quota-response = \"QUOTA\" SP quota-root-name SP quota-list (RFC 9208 §7)"
            }
            ImapDeviation::MetadataOptionsAfterMailbox => {
                "getmetadata = \"GETMETADATA\" [SP getmetadata-options] SP mailbox SP entries (RFC 5464 §5)"
            }
        }
    }
}

/// A deviation found in an IMAP message.
pub type Deviation = mailproto_core::Deviation<ImapDeviation>;

/// A value parsed under [`ParseOptions`], with the deviations the real-world profile accepted
/// (always empty under the strict profile).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// What departed from the grammar, in message order.
    pub deviations: Vec<Deviation>,
}

/// The context one message is parsed in: the options, which side sent it, and the deviations
/// found so far. Parsers that depend on the profile or on an extension take `&Ctx`.
#[derive(Debug)]
pub struct Ctx<'o> {
    options: &'o ParseOptions,
    side: Side,
    /// The address of the message's first byte: offsets are computed from it.
    start: usize,
    deviations: RefCell<Vec<Deviation>>,
}

impl<'o> Ctx<'o> {
    /// A context for parsing `message`, sent by `side`, under `options`.
    pub fn new(options: &'o ParseOptions, side: Side, message: &[u8]) -> Self {
        Ctx {
            options,
            side,
            start: message.as_ptr() as usize,
            deviations: RefCell::new(Vec::new()),
        }
    }

    /// The options.
    #[inline]
    pub fn options(&self) -> &'o ParseOptions {
        self.options
    }

    /// Whether the real-world profile is in force.
    #[inline]
    pub fn real_world(&self) -> bool {
        self.options.profile == Profile::RealWorld
    }

    /// Whether `ext` is in force.
    #[inline]
    pub fn has(&self, ext: Extension) -> bool {
        self.options.extensions.contains(ext)
    }

    /// Records a deviation of kind `id` at `at`, a suffix of the message (its first byte is
    /// where the deviation is). Call it only under the real-world profile.
    pub fn deviate(&self, id: ImapDeviation, at: &[u8]) {
        debug_assert!(
            self.real_world(),
            "deviation recorded under the strict profile"
        );
        let offset = (at.as_ptr() as usize).saturating_sub(self.start);
        self.deviations
            .borrow_mut()
            .push(Deviation::new(id, offset, self.side));
    }

    /// Wraps `value` with the deviations found.
    pub fn finish<T>(self, value: T) -> Parsed<T> {
        Parsed {
            value,
            deviations: self.deviations.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviations_carry_their_offset_in_the_message() {
        let options = ParseOptions::default().with_profile(Profile::RealWorld);
        let message = b"* SEARCH 1 2 \r\n";
        let ctx = Ctx::new(&options, Side::Server, message);
        ctx.deviate(ImapDeviation::TrailingSpace, &message[12..]);
        let parsed = ctx.finish(());
        assert_eq!(parsed.deviations.len(), 1);
        assert_eq!(parsed.deviations[0].offset, 12);
        assert_eq!(parsed.deviations[0].id.id(), "trailing-space");
        assert_eq!(parsed.deviations[0].side, Side::Server);
    }

    #[test]
    fn extension_sets() {
        let set: Extensions = [Extension::QResync, Extension::Utf8Accept]
            .into_iter()
            .collect();
        assert!(set.contains(Extension::QResync) && !set.contains(Extension::CondStore));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Extension::QResync, Extension::Utf8Accept]
        );
        let mut set = set;
        set.remove(Extension::QResync);
        assert_eq!(set.iter().count(), 1);
    }
}
