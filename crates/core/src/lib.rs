//! Shared foundations of the mailproto crates (`mailproto-imap-codec`, `mailproto-pop3-codec`
//! and the sessions built on them):
//!
//! - [`IntoStatic`], with its derive: values parsed from a buffer borrow from it; `into_static`
//!   makes them owned, copying only what is borrowed.
//! - [`ValidationError`]: a value could not be built because its grammar rule forbids it.
//! - [`Profile`]: how strictly input is parsed (RFC grammar only, or what deployed software
//!   sends, with every deviation named), and [`Deviation`], the report of one such departure.
//!
//! ```
//! use std::borrow::Cow;
//! use mailproto_core::IntoStatic;
//!
//! #[derive(Debug, PartialEq, IntoStatic)]
//! struct Name<'a> {
//!     text: Cow<'a, str>,
//!     length: u32,
//! }
//!
//! let input = String::from("INBOX");
//! let borrowed = Name { text: Cow::Borrowed(&input), length: 5 };
//! let owned: Name<'static> = borrowed.into_static();
//! drop(input);
//! assert_eq!(owned.text, "INBOX");
//! ```

#![forbid(unsafe_code)]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
// The derive names the trait by its crate path; this lets the crate's own tests use it.
#[cfg(test)]
extern crate self as mailproto_core;

use alloc::borrow::{Cow, ToOwned};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

/// `#[derive(IntoStatic)]`: see the `mailproto-derive` crate.
pub use mailproto_derive::IntoStatic;

/// Converts a borrowed value into one that owns its data (`'static`).
pub trait IntoStatic {
    /// The owned form.
    type Static: 'static;
    /// Copies whatever is borrowed.
    fn into_static(self) -> Self::Static;
}

impl<T: ?Sized + ToOwned + 'static> IntoStatic for Cow<'_, T> {
    type Static = Cow<'static, T>;
    fn into_static(self) -> Cow<'static, T> {
        Cow::Owned(self.into_owned())
    }
}

impl<T: IntoStatic> IntoStatic for Vec<T> {
    type Static = Vec<T::Static>;
    fn into_static(self) -> Self::Static {
        self.into_iter().map(IntoStatic::into_static).collect()
    }
}

impl<T: IntoStatic> IntoStatic for Option<T> {
    type Static = Option<T::Static>;
    fn into_static(self) -> Self::Static {
        self.map(IntoStatic::into_static)
    }
}

impl<T: IntoStatic> IntoStatic for Box<T> {
    type Static = Box<T::Static>;
    fn into_static(self) -> Self::Static {
        Box::new((*self).into_static())
    }
}

impl<A: IntoStatic, B: IntoStatic> IntoStatic for (A, B) {
    type Static = (A::Static, B::Static);
    fn into_static(self) -> Self::Static {
        (self.0.into_static(), self.1.into_static())
    }
}

macro_rules! static_copy {
    ($($t:ty),*) => {$(
        impl IntoStatic for $t {
            type Static = $t;
            #[inline]
            fn into_static(self) -> $t { self }
        }
    )*};
}
static_copy!(
    u8,
    u16,
    u32,
    u64,
    usize,
    i64,
    bool,
    char,
    core::num::NonZeroU32,
    core::num::NonZeroU64,
    &'static str
);

/// What std's prelude provides beyond core's, from `alloc`, for the workspace's `no_std`
/// crates: each of their modules starts with `use crate::prelude::*;`, `crate::prelude` being
/// this module (docs/architecture.md, "no_std").
pub mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}

/// Re-exports for the exported macros (not part of the API).
#[doc(hidden)]
pub mod __private {
    pub use alloc::borrow::Cow;
    pub use alloc::string::String;
    pub use core::fmt;
}

/// Defines a string newtype over `Cow<'a, str>` whose values satisfy a grammar rule: the
/// struct (`Clone`, `Eq`, `Hash`, `IntoStatic`, serde as a plain string under the caller's
/// `serde` feature), `new` (validating), `as_str`, `TryFrom<&str>`, `TryFrom<String>`,
/// `AsRef<str>` and `Display`. The codec adds what is its own (parsing, encoding, `Debug`) in a
/// further `impl` block. `$check` is a function or closure `Fn(&[u8]) -> Result<(), ValidationError>`.
///
/// ```
/// use mailproto_core::{ValidationError, validated_str};
///
/// fn check_word(b: &[u8]) -> Result<(), ValidationError> {
///     match b.iter().position(|c| !c.is_ascii_alphabetic()) {
///         Some(p) => Err(ValidationError::new("word", Some(p))),
///         None if b.is_empty() => Err(ValidationError::new("word", None)),
///         None => Ok(()),
///     }
/// }
///
/// validated_str!(
///     /// A word of letters.
///     #[derive(Debug)]
///     Word,
///     check_word
/// );
///
/// assert_eq!(Word::new("hello").unwrap().as_str(), "hello");
/// assert_eq!(Word::try_from("a b").unwrap_err().position, Some(1));
/// ```
#[macro_export]
macro_rules! validated_str {
    ($(#[$attr:meta])* $name:ident, $check:expr) => {
        $(#[$attr])*
        #[derive(Clone, PartialEq, Eq, Hash, $crate::IntoStatic)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
        pub struct $name<'a>($crate::__private::Cow<'a, str>);

        impl<'a> $name<'a> {
            /// Checks `value` against the rule.
            pub fn new(
                value: impl Into<$crate::__private::Cow<'a, str>>,
            ) -> Result<Self, $crate::ValidationError> {
                let value = value.into();
                ($check)(value.as_bytes())?;
                Ok($name(value))
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = $crate::ValidationError;
            fn try_from(value: &'a str) -> Result<Self, $crate::ValidationError> {
                Self::new(value)
            }
        }

        impl TryFrom<$crate::__private::String> for $name<'static> {
            type Error = $crate::ValidationError;
            fn try_from(
                value: $crate::__private::String,
            ) -> Result<Self, $crate::ValidationError> {
                Self::new(value)
            }
        }

        impl AsRef<str> for $name<'_> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl $crate::__private::fmt::Display for $name<'_> {
            fn fmt(
                &self,
                f: &mut $crate::__private::fmt::Formatter<'_>,
            ) -> $crate::__private::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A value could not be built because it would not satisfy its grammar rule (for example an
/// IMAP atom containing a space, or a POP3 message number of zero).
///
/// ```
/// let err = mailproto_core::ValidationError::new("atom", Some(3));
/// assert_eq!(err.to_string(), "not a valid atom: offending byte at index 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ValidationError {
    /// The rule the value had to satisfy.
    pub rule: &'static str,
    /// Index of the first offending byte, when there is one.
    pub position: Option<usize>,
}

impl ValidationError {
    /// The value breaks `rule`, at `position` when one octet is to blame.
    pub fn new(rule: &'static str, position: Option<usize>) -> Self {
        ValidationError { rule, position }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "not a valid {}: offending byte at index {p}", self.rule),
            None => write!(f, "not a valid {}", self.rule),
        }
    }
}

impl core::error::Error for ValidationError {}

/// How strictly input is parsed; chosen at run time, per parser call or per session.
///
/// ```
/// use mailproto_core::Profile;
/// assert_eq!(Profile::default(), Profile::Strict);
/// assert_eq!(Profile::RealWorld.name(), "real-world");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Profile {
    /// Exactly the RFC grammar: anything else is an error (the default everywhere).
    #[default]
    Strict,
    /// What deployed servers and clients send: each departure from the grammar that the
    /// catalogue of deviations knows is accepted, the closest typed value is built and the
    /// departure is reported as a [`Deviation`].
    RealWorld,
}

impl Profile {
    /// The name used on command lines and in the corpus (`strict`, `real-world`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::RealWorld => "real-world",
        }
    }

    /// The profile called `name` (see [`Profile::name`]).
    pub fn from_name(name: &str) -> Option<Profile> {
        match name {
            "strict" => Some(Profile::Strict),
            "real-world" => Some(Profile::RealWorld),
            _ => None,
        }
    }
}

/// Which side of a connection sent what a deviation was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "kebab-case")
)]
pub enum Side {
    /// The client (commands).
    Client,
    /// The server (greetings, responses).
    Server,
}

/// A stable identifier of one kind of deviation; each protocol has its own catalogue (an enum
/// implementing this trait).
pub trait DeviationId: Copy + fmt::Debug + Eq + 'static {
    /// The stable id (`bare-lf`, `trailing-space`, ...), as in `docs/real-world.md`.
    fn id(self) -> &'static str;
    /// The RFC rule the deviation breaks (`CRLF (RFC 9051 §9)`, ...).
    fn rule(self) -> &'static str;
}

/// Declares a catalogue of deviations from one table: one row per deviation generates the enum
/// variant (with its documentation, which names the id and the rule), [`DeviationId::id`],
/// [`DeviationId::rule`], the `ALL` list (in row order) and `from_id`. The ids are checked at
/// compile time: kebab-case (`a-z`, `0-9`, `-`) and unique.
///
/// Each row: the variant's documentation (what arrives, who sends it, how it is read), then
/// `Variant = "stable-id", rule: "the rule broken (RFC section)";`.
///
/// ```
/// mailproto_core::deviations! {
///     /// The deviations of a toy protocol.
///     pub enum ToyDeviation {
///         /// A line ended by LF alone: read as CRLF.
///         BareLf = "bare-lf", rule: "CRLF (RFC 1939 §3)";
///         /// `+` with no SP after it: read as `+ `.
///         EmptyStatus = "empty-status", rule: "continue-req = \"+\" SP [base64] CRLF (RFC 5034 §4)";
///     }
/// }
/// use mailproto_core::DeviationId;
/// assert_eq!(ToyDeviation::ALL, [ToyDeviation::BareLf, ToyDeviation::EmptyStatus]);
/// assert_eq!(ToyDeviation::from_id("empty-status"), Some(ToyDeviation::EmptyStatus));
/// assert_eq!(ToyDeviation::from_id("bare-cr"), None);
/// assert_eq!(ToyDeviation::BareLf.id(), "bare-lf");
/// assert_eq!(ToyDeviation::BareLf.rule(), "CRLF (RFC 1939 §3)");
/// ```
///
/// A duplicated id does not compile:
///
/// ```compile_fail
/// mailproto_core::deviations! {
///     /// Two rows, one id.
///     pub enum Twice {
///         /// One.
///         A = "bare-lf", rule: "CRLF";
///         /// Two.
///         B = "bare-lf", rule: "CRLF";
///     }
/// }
/// ```
///
/// Nor does an id that is not kebab-case:
///
/// ```compile_fail
/// mailproto_core::deviations! {
///     /// One row.
///     pub enum Upper {
///         /// One.
///         A = "Bare_LF", rule: "CRLF";
///     }
/// }
/// ```
#[macro_export]
macro_rules! deviations {
    (
        $(#[$em:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vm:meta])*
                $variant:ident = $id:literal, rule: $rule:literal;
            )*
        }
    ) => {
        $(#[$em])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                #[doc = concat!("`", $id, "`: ")]
                $(#[$vm])*
                #[doc = ""]
                #[doc = concat!("Rule broken: `", $rule, "`.")]
                $variant,
            )*
        }

        impl $name {
            /// Every deviation of the catalogue, in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The deviation whose stable id is `id` (`"bare-lf"`, ...).
            pub fn from_id(id: &str) -> ::core::option::Option<$name> {
                match id {
                    $($id => ::core::option::Option::Some($name::$variant),)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl $crate::DeviationId for $name {
            fn id(self) -> &'static str {
                match self {
                    $($name::$variant => $id,)*
                }
            }

            fn rule(self) -> &'static str {
                match self {
                    $($name::$variant => $rule,)*
                }
            }
        }

        const _: () = ::core::assert!(
            $crate::__ids_well_formed(&[$($id),*]),
            concat!("deviations!: ", stringify!($name), " has an id that is not kebab-case or not unique")
        );
    };
}

/// Whether every id is kebab-case (`a-z`, `0-9`, `-`, not starting or ending with `-`) and no
/// two are the same (the compile-time check of [`deviations!`]).
#[doc(hidden)]
pub const fn __ids_well_formed(ids: &[&str]) -> bool {
    let mut i = 0;
    while i < ids.len() {
        let id = ids[i].as_bytes();
        if id.is_empty() || id[0] == b'-' || id[id.len() - 1] == b'-' {
            return false;
        }
        let mut k = 0;
        while k < id.len() {
            if !matches!(id[k], b'a'..=b'z' | b'0'..=b'9' | b'-') {
                return false;
            }
            k += 1;
        }
        let mut j = i + 1;
        while j < ids.len() {
            if bytes_eq(id, ids[j].as_bytes()) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

/// `a == b`, in a `const fn`.
const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// One departure from the RFC grammar, accepted under [`Profile::RealWorld`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deviation<Id: DeviationId> {
    /// What kind of deviation it is.
    pub id: Id,
    /// The offset in the message where it was found.
    pub offset: usize,
    /// Who sent it.
    pub side: Side,
}

impl<Id: DeviationId> Deviation<Id> {
    /// A deviation of kind `id` at `offset` in a message sent by `side`.
    pub fn new(id: Id, offset: usize, side: Side) -> Self {
        Deviation { id, offset, side }
    }

    /// The RFC rule it breaks.
    pub fn rule(&self) -> &'static str {
        self.id.rule()
    }
}

impl<Id: DeviationId> fmt::Display for Deviation<Id> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at offset {} (breaks {})",
            self.id.id(),
            self.offset,
            self.id.rule()
        )
    }
}

/// When a session under the real-world profile stops following a peer that deviates from
/// the grammar: after `max` deviations, or at the first one whose id is in `stop_on`. Shared
/// by the IMAP and POP3 sessions (each with its own catalogue of ids). Each deviation is
/// reported as an event first; then the session reports that the budget is used up and
/// closes.
///
/// ```
/// use mailproto_core::{Deviation, DeviationBudget, DeviationId, Side};
/// #[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// enum Id { BareLf, Other }
/// impl DeviationId for Id {
///     fn id(self) -> &'static str { "bare-lf" }
///     fn rule(self) -> &'static str { "CRLF" }
/// }
/// let budget = DeviationBudget::default().with_max(3).with_stop_on([Id::Other]);
/// let lf = Deviation::new(Id::BareLf, 0, Side::Server);
/// assert!(!budget.exceeded(&lf, 2));
/// assert!(budget.exceeded(&lf, 3));
/// assert!(budget.exceeded(&Deviation::new(Id::Other, 0, Side::Server), 1));
/// assert!(!DeviationBudget::<Id>::default().exceeded(&lf, usize::MAX));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviationBudget<Id: DeviationId> {
    /// Stop at the deviation that makes this many (`None`: no limit).
    pub max: Option<usize>,
    /// Stop at the first deviation with one of these ids.
    pub stop_on: Vec<Id>,
}

impl<Id: DeviationId> Default for DeviationBudget<Id> {
    fn default() -> Self {
        DeviationBudget {
            max: None,
            stop_on: Vec::new(),
        }
    }
}

impl<Id: DeviationId> DeviationBudget<Id> {
    /// Stop at the `max`-th deviation.
    pub fn with_max(mut self, max: usize) -> Self {
        self.max = Some(max);
        self
    }

    /// Stop at the first deviation with one of `ids`.
    pub fn with_stop_on(mut self, ids: impl IntoIterator<Item = Id>) -> Self {
        self.stop_on.extend(ids);
        self
    }

    /// Whether the `count`-th deviation, `deviation`, ends the session.
    pub fn exceeded(&self, deviation: &Deviation<Id>, count: usize) -> bool {
        self.max.is_some_and(|max| count >= max) || self.stop_on.contains(&deviation.id)
    }
}

/// Counts the deviations a session has seen against its [`DeviationBudget`].
///
/// ```
/// use mailproto_core::{Deviation, DeviationBudget, DeviationCounter, DeviationId, Side};
/// #[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// struct Lf;
/// impl DeviationId for Lf {
///     fn id(self) -> &'static str { "bare-lf" }
///     fn rule(self) -> &'static str { "CRLF" }
/// }
/// let mut seen = DeviationCounter::default();
/// let budget = DeviationBudget::default().with_max(2);
/// let d = Deviation::new(Lf, 4, Side::Client);
/// assert_eq!(seen.count(&budget, &d), None);
/// assert_eq!(seen.count(&budget, &d), Some(2));
/// assert_eq!(seen.seen(), 2);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviationCounter(usize);

impl DeviationCounter {
    /// Counts `deviation`; `Some(count)` when it uses up `budget`.
    pub fn count<Id: DeviationId>(
        &mut self,
        budget: &DeviationBudget<Id>,
        deviation: &Deviation<Id>,
    ) -> Option<usize> {
        self.0 = self.0.saturating_add(1);
        budget.exceeded(deviation, self.0).then_some(self.0)
    }

    /// How many deviations were counted.
    pub fn seen(self) -> usize {
        self.0
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::string::{String, ToString};

    #[derive(Debug, Clone, PartialEq, IntoStatic)]
    enum Item<'a> {
        Unit,
        Named { name: Cow<'a, str>, size: u32 },
        Tuple(Cow<'a, [u8]>, Option<Box<Item<'a>>>),
    }

    #[derive(Debug, Clone, Copy, PartialEq, IntoStatic)]
    struct Plain(u32);

    #[test]
    fn derived_into_static_copies_every_borrowed_field() {
        let text = String::from("abc");
        let value = Item::Tuple(
            Cow::Borrowed(text.as_bytes()),
            Some(Box::new(Item::Named {
                name: Cow::Borrowed(&text),
                size: 7,
            })),
        );
        let owned: Item<'static> = value.clone().into_static();
        drop(text);
        let Item::Tuple(bytes, Some(inner)) = &owned else {
            panic!("shape changed: {owned:?}");
        };
        assert!(matches!(bytes, Cow::Owned(b) if b == b"abc"));
        assert!(matches!(&**inner, Item::Named { name: Cow::Owned(n), size: 7 } if n == "abc"));
        assert_eq!(Item::Unit.into_static(), Item::Unit);
        assert_eq!(Plain(4).into_static(), Plain(4));
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Id {
        BareLf,
    }
    impl DeviationId for Id {
        fn id(self) -> &'static str {
            "bare-lf"
        }
        fn rule(self) -> &'static str {
            "CRLF"
        }
    }

    #[test]
    fn deviation_display_names_id_offset_and_rule() {
        let d = Deviation::new(Id::BareLf, 12, Side::Server);
        assert_eq!(d.to_string(), "bare-lf at offset 12 (breaks CRLF)");
        assert_eq!(Profile::from_name("real-world"), Some(Profile::RealWorld));
        assert_eq!(Profile::from_name("lenient"), None);
        assert_eq!(
            ValidationError::new("tag", None).to_string(),
            "not a valid tag"
        );
    }
}

/// The crate's README.md (the package's front page), compiled and run as a doctest so that its
/// example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
