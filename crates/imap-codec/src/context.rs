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

use crate::prelude::*;

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
    /// UTF8=ACCEPT (RFC 6855 §3): UTF-8 in quoted strings and mailbox names; also put in force
    /// by UTF8=ONLY (§6) and IMAP4rev2 (RFC 9051 §9). Without it the strict profile reads
    /// `quoted` as RFC 3501 §9 does (7-bit).
    Utf8Accept,
    /// PARTIAL (RFC 9394 §3.2): the `PARTIAL` FETCH modifier (advertised; no ENABLE).
    Partial,
    /// CREATE-SPECIAL-USE (RFC 6154 §3), advertised by the server: the `create-params` slot
    /// of CREATE with the `USE` parameter ([`crate::ext::special_use`]).
    CreateSpecialUse,
    /// UIDONLY (RFC 9586 §3), enabled with `ENABLE UIDONLY`: no codec rule changes (see
    /// [`crate::ext::uidonly`]); the sessions refuse or avoid message numbers.
    UidOnly,
    /// X-GM-EXT-1 (Google's "IMAP Extensions" page), advertised by the server: the
    /// `X-GM-MSGID`, `X-GM-THRID` and `X-GM-LABELS` FETCH items and data, `X-GM-LABELS` in
    /// STORE and the `X-GM-*` search keys ([`crate::ext::gmail`]).
    GmailExt1,
}

impl Extension {
    /// Every extension the context knows, in declaration order.
    pub const ALL: &'static [Extension] = &[
        Extension::CondStore,
        Extension::QResync,
        Extension::Utf8Accept,
        Extension::Partial,
        Extension::CreateSpecialUse,
        Extension::UidOnly,
        Extension::GmailExt1,
    ];

    /// The extension a capability name puts in force when it is advertised or enabled, if
    /// it changes the grammar or the sessions: `CONDSTORE`, `QRESYNC` (RFC 7162),
    /// `UTF8=ACCEPT` (RFC 6855; also UTF8=ONLY and IMAP4rev2), `PARTIAL` (RFC 9394),
    /// `CREATE-SPECIAL-USE` (RFC 6154 §3), `UIDONLY` (RFC 9586), `X-GM-EXT-1` (Gmail).
    ///
    /// ```
    /// use mailproto_imap_codec::{Capability, Extension};
    /// assert_eq!(Extension::from_capability(&Capability::QResync), Some(Extension::QResync));
    /// assert_eq!(Extension::from_capability(&Capability::Idle), None);
    /// ```
    pub fn from_capability(cap: &crate::Capability<'_>) -> Option<Extension> {
        use crate::Capability as C;
        match cap {
            C::CondStore => Some(Extension::CondStore),
            C::QResync => Some(Extension::QResync),
            // UTF8=ONLY implies UTF8=ACCEPT (RFC 6855 §6); IMAP4rev2 has UTF-8 quoted
            // strings in its base syntax (RFC 9051 §9 `QUOTED-CHAR`).
            C::Utf8Accept | C::Utf8Only | C::Imap4rev2 => Some(Extension::Utf8Accept),
            C::Partial => Some(Extension::Partial),
            // CREATE-SPECIAL-USE opens the create-params slot for `USE (...)` (RFC 6154 §3).
            C::CreateSpecialUse => Some(Extension::CreateSpecialUse),
            C::UidOnly => Some(Extension::UidOnly),
            C::XGmExt1 => Some(Extension::GmailExt1),
            _ => None,
        }
    }

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

/// The options under which a value's own checked wire form is decoded again (e.g.
/// [`crate::command::SearchProgram`]): every extension in force, so that what was accepted
/// under the message's options reads the same; the nesting bound of [`crate::ext`].
pub(crate) const DECODE: ParseOptions = ParseOptions {
    profile: Profile::Strict,
    extensions: Extensions(u64::MAX),
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

mailproto_core::deviations! {
    /// One kind of departure from the IMAP grammar that the real-world profile accepts; the ids
    /// are stable (`docs/real-world.md` lists them with examples and sources).
    pub enum ImapDeviation {
        /// one SP before CRLF or `)` where the grammar has none
        /// (`* SEARCH 1 2 ` CRLF).
        TrailingSpace = "trailing-space",
            rule: "CRLF (RFC 9051 §9: no SP before the line end)";
        /// a status response or greeting without its text: no SP after the
        /// condition (`* BYE` CRLF), or a response code directly before CRLF (`* OK [UNSEEN 8]`
        /// CRLF, where strict reads `[UNSEEN 8]` as text). Read as empty text.
        MissingText = "missing-text",
            rule: "resp-text = [\"[\" resp-text-code \"]\" SP] text (RFC 9051 §9, RFC 3501 §9)";
        /// a line ended by LF alone (`A001 OK done` LF): read as CRLF (GNU Mailutils after AUTHENTICATE).
        BareLf = "bare-lf",
            rule: "CRLF (RFC 9051 §9, RFC 3501 §9: lines end with CR LF)";
        /// two SPs where the grammar has one (`*  1843 EXISTS`, DavMail, Archiveopteryx).
        DoubleSpace = "double-space",
            rule: "SP (RFC 9051 §9: exactly one SP between elements)";
        /// `+` CRLF with no SP (Yandex, public-inbox-imapd): read as `+ ` CRLF.
        EmptyContinuation = "empty-continuation",
            rule: r#"continue-req = "+" SP (resp-text / base64) CRLF (RFC 9051 §9)"#;
        /// `* [COPYUID 55 31 6] done` without `OK` (Exchange 2013/Office 365): read as `* OK [...]`.
        UntaggedCodeWithoutStatus = "untagged-code-without-status",
            rule: r#"resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text (RFC 9051 §9)"#;
        /// `* 5 EXPUNGED` for `* 5 EXPUNGE` (GNU Mailutils).
        ExpungedKeyword = "expunged-keyword",
            rule: r#"message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att)) (RFC 9051 §9)"#;
        /// `* 2 FETCH FLAGS (\Seen)` without the parentheses around the items (GNU Mailutils).
        UnparenthesizedFetch = "unparenthesized-fetch",
            rule: r#"msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP ...) ")" (RFC 9051 §9)"#;
        /// no SP between the envelope and the body of a message/rfc822 part (`...)(...)`, GNU Mailutils).
        MissingSpInMessageBody = "missing-sp-in-message-body",
            rule: "body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines (RFC 9051 §9)";
        /// a `"` inside a quoted string that does not end it (`"=?UTF-8?Q?"Dummy?="`, Gmail ENVELOPE): read as `\"`.
        UnescapedQuote = "unescaped-quote",
            rule: r#"quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = ... / "\\" quoted-specials (RFC 9051 §9)"#;
        /// octets that are not UTF-8 in a quoted string (`"Caf\xe9"`, Dovecot and Cyrus with 8-bit headers): read as Latin-1.
        EightBitInQuoted = "eight-bit-in-quoted",
            rule: "QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / UTF8-2 / UTF8-3 / UTF8-4 (RFC 9051 §9, RFC 6855 §3)";
        /// `NIL` as a body part's media type (Office 365): read as `""`.
        NilMediaType = "nil-media-type",
            rule: "media-basic = ((DQUOTE (...) DQUOTE) / string) SP media-subtype (RFC 9051 §9: a string, not NIL)";
        /// `NIL` as a body part's media subtype (`("APPLICATION" NIL ...)`): read as `""`.
        NilSubtype = "nil-subtype",
            rule: "media-subtype = string (RFC 9051 §9)";
        /// `NIL` as a body part's content transfer encoding (iCloud, maddy): read as `""`.
        NilEncoding = "nil-encoding",
            rule: "body-fld-enc = (DQUOTE (...) DQUOTE) / string (RFC 9051 §9)";
        /// `NIL` where a number (size, line count) is expected (`"7bit" 1234 NIL`, migadu): read as 0.
        NilLines = "nil-lines",
            rule: "body-fld-lines = number64, body-fld-octets = number (RFC 9051 §9)";
        /// a negative number (`"7BIT" -1 NIL`, Dovecot): read as 0.
        NegativeNumber = "negative-number",
            rule: "number = 1*DIGIT (RFC 9051 §9)";
        /// a number written as a float (`9.3736e+06`, mail.ru): read as the nearest integer.
        FloatNumber = "float-number",
            rule: "number = 1*DIGIT (RFC 9051 §9)";
        /// a FETCH item the grammar does not know (`X-GM-MSGID 123`,
        /// `XAOL-...`, or an extension not in force): the item is left out of the typed value and
        /// kept, with its generic value, in [`Parsed::unknown`]; the other items are read.
        UnknownFetchItem = "unknown-fetch-item",
            rule: "msg-att-dynamic / msg-att-static (RFC 9051 §9: the FETCH items the grammar and the extensions in force define)";
        /// an untagged response whose name the grammar does not know
        /// (`* XAOL-NEWS ...`): no typed value; callers keep it as a
        /// [`UnknownResponse`](crate::response::generic::UnknownResponse) (name and generic values).
        UnknownResponse = "unknown-response",
            rule: "response-data (RFC 9051 §9: the untagged responses the grammar and the extensions in force define)";
        /// `\\*` in a FLAGS list (`* FLAGS (\\Answered \\*)`, Zoho): `\\*` belongs to PERMANENTFLAGS only; left out.
        BackslashStarInFlags = "backslash-star-in-flags",
            rule: r#"flag-list = "(" [flag *(SP flag)] ")"; "\*" only in flag-perm (RFC 9051 §9)"#;
        /// a mailbox name of raw UTF-8 not quoted (`* LIST () "/" 日本`, GNU Mailutils): read as the quoted name.
        Utf8UnquotedMailbox = "utf8-unquoted-mailbox",
            rule: r#"mailbox = "INBOX" / astring; atoms are ASCII (RFC 9051 §9)"#;
        /// an unquoted mailbox name with control characters up to the line end (`INBOX/Da<TAB>Oggetto`, Office 365): read as the quoted name.
        ControlCharsInMailbox = "control-chars-in-mailbox",
            rule: r#"mailbox = "INBOX" / astring; ATOM-CHAR excludes CTL (RFC 9051 §9)"#;
        /// a `BODY[section]` item with no value (`BODY[2] )`, Yandex): read as NIL.
        MissingBodyValue = "missing-body-value",
            rule: r#"msg-att-static =/ "BODY" section ["<" number ">"] SP nstring (RFC 9051 §9)"#;
        /// an ENVELOPE with fields missing at its end (SmarterMail, Courier): the missing fields read as NIL.
        ShortEnvelope = "short-envelope",
            rule: r#"envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")" (RFC 9051 §9)"#;
        /// `NIL` as an element of an address list (`(NIL ("a" NIL "b" "c"))`, Courier): left out.
        NilInAddressList = "nil-in-address-list",
            rule: r#"env-from = "(" 1*address ")" / nil (RFC 9051 §9)"#;
        /// a FETCH item wrapped in parentheses (`(UID 1 (ENVELOPE (...)))`, Domino 9): read without them.
        ExtraParensEnvelope = "extra-parens-envelope",
            rule: r#"msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")" (RFC 9051 §9)"#;
        /// (a session rule): a successful ENABLE answered without the
        /// untagged ENABLED (iCloud; Dovecot for UTF8=ACCEPT). The client session takes what was
        /// asked as enabled; the offset is 0 in the tagged OK.
        EnableWithoutEnabled = "enable-without-enabled",
            rule: "RFC 5161 §3.1: if the ENABLE command is successful, the server MUST send an untagged ENABLED response";
        /// (a session rule): an extended SEARCH (`RETURN (...)`) answered
        /// with `* SEARCH` instead of `* ESEARCH`. The client session passes the SEARCH data on;
        /// the offset is that of `SEARCH`.
        SearchForEsearch = "search-for-esearch",
            rule: "RFC 4731 §3.1: an extended SEARCH command MUST return a single ESEARCH response";
        /// (a session rule): `* BYE` again after a `* BYE`, with no tagged reply
        /// and no close (Yandex). The client session stops at the second one and closes, as
        /// if the connection had ended; the offset is 0 in that second `* BYE`.
        EndlessBye = "endless-bye",
            rule: "RFC 9051 §7.1.5: BYE indicates that the server is about to close the connection (it closes immediately, or after the tagged OK to LOGOUT)";
        /// (a session rule): an untagged `* CAPABILITY` while LOGIN or AUTHENTICATE is in
        /// progress, before its tagged OK (instead of the `[CAPABILITY ...]` code in that OK).
        /// The client session keeps it as the capabilities after authentication (strict drops
        /// it with the others at the OK, RFC 9051 §6.2.2, §6.2.3); the offset is 0.
        CapabilityDuringLogin = "capability-during-login",
            rule: "RFC 9051 §7.2.2: the CAPABILITY response occurs as a result of a CAPABILITY command (after authentication: the CAPABILITY code of the tagged OK, §6.2.2, §6.2.3)";
        /// (a session rule): `[UIDVALIDITY n]` with another value while the mailbox is
        /// selected (Courier). The client session resets its view of the mailbox (every cached
        /// UID is void) and reports `MailboxChange::UidValidityChanged`; the offset is that of
        /// the code's value.
        UidvalidityChange = "uidvalidity-change",
            rule: "RFC 9051 §2.3.1.1: the unique identifier of a message MUST NOT change during the session";
        /// (a session rule): a command the grammar rejects answered with a tagged NO
        /// instead of BAD (Courier: `NO Error in IMAP command received by server.`). Found when
        /// following an exchange (the client session's `observe_rejected_command`); the offset
        /// is 0 in the NO.
        NoForBad = "no-for-bad",
            rule: "RFC 9051 §7.1.3: a tagged BAD reports a protocol-level error in the client's command (NO is an operational error, §7.1.2)";
        /// `()` as a body part's parameter list (`("message" "rfc822" () ...)`, mail.ru): read as NIL.
        EmptyParameterList = "empty-parameter-list",
            rule: r#"body-fld-param = "(" string SP string *(SP string SP string) ")" / nil (RFC 9051 §9)"#;
        /// `NIL` as a parameter value (`("boundary" NIL)`, Gmail): read as `""`.
        NilParameterValue = "nil-parameter-value",
            rule: r#"body-fld-param = "(" string SP string ... ")" (RFC 9051 §9: values are strings)"#;
        /// a bare string in the disposition slot (`NIL "inline" NIL NIL`, Exchange): read as `("inline" NIL)`.
        DispositionJunk = "disposition-junk",
            rule: r#"body-fld-dsp = "(" string SP body-fld-param ")" / nil (RFC 9051 §9)"#;
        /// the pre-RFC 8970 form of PREVIEW, `SNIPPET (FUZZY)` in a FETCH command
        /// and `SNIPPET (FUZZY nstring)` in a FETCH response ([`crate::ext::preview`]).
        SnippetFuzzy = "snippet-fuzzy",
            rule: "fetch-att =/ \"PREVIEW\" [SP \"(\" preview-mod *(SP preview-mod) \")\"]; msg-att-dynamic =/ \"PREVIEW\" SP nstring (RFC 8970 §6)";
        /// a QUOTA response with a quota root and no resource list
        /// (`* QUOTA "ROOT"` CRLF, Courier-IMAP); read as the empty list (RFC 9208 §7,
        /// [`crate::ext::quota`]).
        QuotaWithoutList = "quota-without-list",
            rule: "quota-response = \"QUOTA\" SP quota-root-name SP quota-list (RFC 9208 §7)";
        /// GETMETADATA with its options after the mailbox
        /// (`GETMETADATA "INBOX" (MAXSIZE 1024) (/a /b)`), as RFC 5464's examples (§4.2.1,
        /// §4.2.2) write it; read as the options before the mailbox ([`crate::ext::metadata`]).
        MetadataOptionsAfterMailbox = "metadata-options-after-mailbox",
            rule: "getmetadata = \"GETMETADATA\" [SP getmetadata-options] SP mailbox SP entries (RFC 5464 §5)";

        /// a message/rfc822 part with body fields only, no envelope, body or line
        /// count (`("message" "rfc822" NIL NIL NIL "7bit" 23925)`, mail.ru, Gmail for base64
        /// message/rfc822 parts): read as a basic part of that type; the offset is where the
        /// envelope should start.
        BasicMessageRfc822 = "basic-message-rfc822",
            rule: r#"body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines; body-type-basic: MESSAGE subtype MUST NOT be "RFC822" (RFC 9051 §9, RFC 3501 §9)"#;
        /// a multipart with no parts (`("ALTERNATIVE" ("BOUNDARY" "x") NIL NIL)`,
        /// `("ALTERNATIVE")`; Gmail, Yandex, QQ Mail, Dovecot): read as a part of type
        /// `MULTIPART`/subtype with no content (its parameters, `NIL` id and description,
        /// `"7BIT"`, 0 octets; the disposition and what follows kept as extension data); the
        /// offset is the subtype's.
        ChildlessMultipart = "childless-multipart",
            rule: "body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart] (RFC 9051 §9: at least one part)";
        /// a message sequence number 0 (`* 0 FETCH (...)`, `* 0 EXPUNGE`; Courier 2004,
        /// mail.xwtec.cn): no typed value can hold it; kept as an
        /// [`UnknownResponse`](crate::response::generic::UnknownResponse) (number 0, name,
        /// generic values); the offset is the 0's.
        ZeroSequenceNumber = "zero-sequence-number",
            rule: r#"message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att)); nz-number = digit-nz *DIGIT (RFC 9051 §9)"#;
        /// a FETCH `MODSEQ` item whose value is not a mod-sequence (`MODSEQ (0)`,
        /// `MODSEQ (-1)`; Zoho): the item is left out of the typed value and kept, with its
        /// generic value, in [`Parsed::unknown`]; the offset is the value's.
        BadModseq = "bad-modseq",
            rule: r#"fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"; mod-sequence-value = 1*DIGIT, 1 <= n < 2^63 (RFC 7162 §7)"#;
        /// a line end right after a literal's data while a parenthesis is still open
        /// (`BODY[] {5}` CRLF `hello` CRLF `)` CRLF; reported by Python imaplib users): the
        /// message goes on; the CRLF is read as nothing (the offset is the CR's). The framer
        /// keeps such a message whole under the real-world profile
        /// ([`FramerConfig::blank_line_after_literal`](crate::framer::FramerConfig)).
        BlankLineAfterLiteral = "blank-line-after-literal",
            rule: "literal = \"{\" number64 [\"+\"] \"}\" CRLF *CHAR8, then the rest of the message on the same line (RFC 9051 §9, §4.3)";
        /// a command using the syntax of an extension that is not in force: the server did not
        /// advertise it, or it needs ENABLE and was not enabled (`SELECT INBOX (CONDSTORE)`,
        /// `FETCH 1:* (FLAGS) (CHANGEDSINCE 5)`, `CREATE x (USE (\\Important))` to a server
        /// without CONDSTORE or CREATE-SPECIAL-USE; recorded from imaplib against Courier,
        /// Cyrus, Dovecot and GNU Mailutils): read as if the extension were in force; the
        /// offset is where its syntax starts (the slot's `(`, the item's or key's name).
        ExtensionNotInForce = "extension-not-in-force",
            rule: "an extension's syntax only where its capability is advertised (RFC 9051 §6.1.1, §7.2.2; RFC 7162 §3.1.1; RFC 6154 §3: \"Clients MUST NOT use the USE parameter unless the server advertises the capability\") and, for QRESYNC, enabled (RFC 7162 §3.2.3)";
        /// a tagged status whose tag the grammar forbids, the first word of a line the
        /// server could not read as a command echoed back (`) BAD Missing command`, GNU
        /// Mailutils after an APPEND it did not read, `recordings/mailutils/imap-append`):
        /// read as the untagged status (`* BAD Missing command`); the offset is 0.
        InvalidTagEchoed = "invalid-tag-echoed",
            rule: "tag = 1*<any ASTRING-CHAR except \"+\"> (RFC 9051 §9); a protocol-level error whose command cannot be determined is an untagged BAD (RFC 9051 §7.1.3)";
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
    /// What the real-world profile kept aside from the typed value: the FETCH items the
    /// grammar does not know (`unknown-fetch-item`), each at its offset in the message.
    pub unknown: UnknownItems,
}

/// The [`UnknownItem`]s of a [`Parsed`] value, read as a slice (`len`, indexing, `iter`,
/// `sort_by_key`, ...). Its empty form, the one of every strict parse, is one null pointer:
/// nothing to allocate, and a drop that is a single test (a `Vec` of items with their own
/// drop glue is dropped out of line even when empty).
// One pointer, not a `Vec`: the empty form is a null test to drop, and the list is rare (the
// real-world profile only), so its second allocation does not matter.
#[allow(clippy::box_collection)]
#[derive(Debug, Clone, Default)]
pub struct UnknownItems(Option<Box<Vec<UnknownItem>>>);

impl UnknownItems {
    /// No item.
    pub const fn new() -> Self {
        UnknownItems(None)
    }

    /// Appends `item`.
    pub fn push(&mut self, item: UnknownItem) {
        self.0.get_or_insert_with(Default::default).push(item);
    }

    /// The items, in a `Vec`.
    pub fn into_vec(mut self) -> Vec<UnknownItem> {
        self.0.take().map(|v| *v).unwrap_or_default()
    }
}

impl Drop for UnknownItems {
    /// The empty list's drop is the test, inlined; the items are dropped out of line.
    #[inline(always)]
    fn drop(&mut self) {
        if self.0.is_some() {
            drop_items(self.0.take());
        }
    }
}

/// Drops a non-empty [`UnknownItems`]' list (out of line: the strict path never comes here).
#[cold]
#[inline(never)]
#[allow(clippy::box_collection)]
fn drop_items(items: Option<Box<Vec<UnknownItem>>>) {
    drop(items);
}

impl ::core::ops::Deref for UnknownItems {
    type Target = [UnknownItem];

    #[inline]
    fn deref(&self) -> &[UnknownItem] {
        match &self.0 {
            Some(v) => v,
            None => &[],
        }
    }
}

impl ::core::ops::DerefMut for UnknownItems {
    #[inline]
    fn deref_mut(&mut self) -> &mut [UnknownItem] {
        match &mut self.0 {
            Some(v) => v,
            None => &mut [],
        }
    }
}

impl PartialEq for UnknownItems {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for UnknownItems {}

impl Extend<UnknownItem> for UnknownItems {
    fn extend<I: IntoIterator<Item = UnknownItem>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl FromIterator<UnknownItem> for UnknownItems {
    fn from_iter<I: IntoIterator<Item = UnknownItem>>(iter: I) -> Self {
        let mut items = UnknownItems::new();
        items.extend(iter);
        items
    }
}

impl<'s> IntoIterator for &'s UnknownItems {
    type Item = &'s UnknownItem;
    type IntoIter = ::core::slice::Iter<'s, UnknownItem>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for UnknownItems {
    type Item = UnknownItem;
    type IntoIter = alloc::vec::IntoIter<UnknownItem>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

/// A FETCH item left out of a typed value (`unknown-fetch-item`): its name, its generic value
/// and its offset in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownItem {
    /// Offset of the name in the message.
    pub offset: usize,
    /// The name (`X-GM-MSGID`).
    pub name: String,
    /// Its value.
    pub value: crate::response::generic::Generic<'static>,
}

impl<T> Parsed<T> {
    /// `value` with no deviation and nothing kept aside: what every strict parse gives.
    #[inline(always)]
    pub(crate) fn strict(value: T) -> Parsed<T> {
        Parsed {
            value,
            deviations: Vec::new(),
            unknown: UnknownItems::new(),
        }
    }

    /// The same deviations with the value mapped by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Parsed<U> {
        Parsed {
            value: f(self.value),
            deviations: self.deviations,
            unknown: self.unknown,
        }
    }
}

/// The context one message is parsed in: the options, which side sent it, and the deviations
/// found so far. Parsers that depend on the profile or on an extension take `&Ctx`.
pub struct Ctx<'o> {
    options: &'o ParseOptions,
    side: Side,
    /// The address of the message's first byte: offsets are computed from it.
    start: usize,
    /// The deviations recorded so far (a `Cell`: taken out and put back to push, so that
    /// taking them at the end is three loads and three stores, with no borrow flag).
    deviations: ::core::cell::Cell<Vec<Deviation>>,
    /// Extensions the real-world profile reads as in force for the rest of this message
    /// ([`Ctx::assume_in_force`]).
    assumed: ::core::cell::Cell<Extensions>,
    /// Raw UTF-8 in `quoted` while this message is parsed ([`Extension::Utf8Accept`]).
    _utf8: crate::core::Utf8Scope,
}

impl ::core::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        // The deviations are in a `Cell` (no `&` to them): taken out to be shown.
        let deviations = self.deviations.take();
        let result = f
            .debug_struct("Ctx")
            .field("options", &self.options)
            .field("side", &self.side)
            .field("start", &self.start)
            .field("deviations", &deviations)
            .field("assumed", &self.assumed)
            .field("_utf8", &self._utf8)
            .finish();
        self.deviations.set(deviations);
        result
    }
}

impl<'o> Ctx<'o> {
    /// A context for parsing `message`, sent by `side`, under `options`.
    pub fn new(options: &'o ParseOptions, side: Side, message: &[u8]) -> Self {
        Ctx {
            options,
            side,
            start: message.as_ptr() as usize,
            deviations: ::core::cell::Cell::new(Vec::new()),
            assumed: ::core::cell::Cell::new(Extensions::default()),
            _utf8: crate::core::Utf8Scope::enter(
                if options.extensions.contains(Extension::Utf8Accept) {
                    crate::core::Utf8Quoted::Allow
                } else if options.profile == Profile::RealWorld {
                    crate::core::Utf8Quoted::Report
                } else {
                    crate::core::Utf8Quoted::Refuse
                },
            ),
        }
    }

    /// The options.
    #[inline]
    pub fn options(&self) -> &'o ParseOptions {
        self.options
    }

    /// Which side sent the message.
    #[inline]
    pub fn side(&self) -> Side {
        self.side
    }

    /// Whether the real-world profile is in force.
    #[inline]
    pub fn real_world(&self) -> bool {
        self.options.profile == Profile::RealWorld
    }

    /// Whether `ext` is in force (or read as in force for this message under the real-world
    /// profile, [`Ctx::assume_in_force`]).
    #[inline]
    pub fn has(&self, ext: Extension) -> bool {
        self.options.extensions.contains(ext) || self.assumed.get().contains(ext)
    }

    /// The syntax of `exts` (the extensions that define it) starts at `at` while none of them is
    /// in force. Strict: `false` (the grammar without them). Real-world: records
    /// `extension-not-in-force` at `at`, reads the rest of the message as if `exts` were in
    /// force, and returns `true`. The gates of the extension syntax (`ext/slots.rs`, the FETCH
    /// items and search keys of an extension) call it where they would fail.
    pub fn assume_in_force(&self, exts: &[Extension], at: &[u8]) -> bool {
        if !self.real_world() || exts.is_empty() {
            return false;
        }
        let offset = (at.as_ptr() as usize).saturating_sub(self.start);
        let mut deviations = self.deviations.take();
        // A rule tried twice (backtracking) reports once.
        if !deviations
            .iter()
            .any(|d| d.id == ImapDeviation::ExtensionNotInForce && d.offset == offset)
        {
            deviations.push(Deviation::new(
                ImapDeviation::ExtensionNotInForce,
                offset,
                self.side,
            ));
        }
        self.deviations.set(deviations);
        let mut assumed = self.assumed.get();
        for &e in exts {
            assumed.insert(e);
        }
        self.assumed.set(assumed);
        true
    }

    /// Records a deviation of kind `id` at `at`, a suffix of the message (its first byte is
    /// where the deviation is). Call it only under the real-world profile.
    pub fn deviate(&self, id: ImapDeviation, at: &[u8]) {
        debug_assert!(
            self.real_world(),
            "deviation recorded under the strict profile"
        );
        let offset = (at.as_ptr() as usize).saturating_sub(self.start);
        let mut deviations = self.deviations.take();
        deviations.push(Deviation::new(id, offset, self.side));
        self.deviations.set(deviations);
    }

    /// Wraps `value` with the deviations found. Under the real-world profile without
    /// UTF8=ACCEPT in force, raw UTF-8 read in a quoted string is one `eight-bit-in-quoted`
    /// at its first octet (RFC 6855 §3; the `quoted` parser notes it, [`crate::core`]).
    #[inline]
    pub fn finish<T>(self, value: T) -> Parsed<T> {
        Parsed {
            value,
            deviations: self.take_deviations(),
            unknown: UnknownItems::new(),
        }
    }

    /// Whether raw UTF-8 was noted in a quoted string (under the real-world profile without
    /// UTF8=ACCEPT): then [`Ctx::take_deviations`] adds `eight-bit-in-quoted`.
    #[inline(always)]
    pub(crate) fn utf8_seen(&self) -> bool {
        self._utf8.seen()
    }

    /// The deviations the rules recorded ([`Ctx::take_deviations`] for a context where no raw
    /// UTF-8 was noted, [`Ctx::utf8_seen`]): three loads and three stores, no call.
    #[inline(always)]
    pub(crate) fn take_recorded(&self) -> Vec<Deviation> {
        self.deviations.take()
    }

    /// The deviations found, in the order of their offsets: [`Ctx::finish`] without the
    /// value (the context keeps none after this).
    #[inline(always)]
    pub(crate) fn take_deviations(&self) -> Vec<Deviation> {
        let mut deviations = self.deviations.take();
        if let Some(at) = self._utf8.first_seen() {
            self.add_utf8(&mut deviations, at);
        }
        deviations
    }

    /// Adds the `eight-bit-in-quoted` of raw UTF-8 read at address `at` to `deviations`, in
    /// offset order (out of line: the rare case).
    #[cold]
    #[inline(never)]
    fn add_utf8(&self, deviations: &mut Vec<Deviation>, at: usize) {
        let offset = at.saturating_sub(self.start);
        deviations.push(Deviation::new(
            ImapDeviation::EightBitInQuoted,
            offset,
            self.side,
        ));
        deviations.sort_by_key(|d| d.offset);
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
    fn the_catalogue_table_gives_each_row_its_id_and_rule() {
        for &d in ImapDeviation::ALL {
            assert_eq!(ImapDeviation::from_id(d.id()), Some(d));
            assert!(d.rule().contains("RFC"), "{d:?}: {}", d.rule());
        }
        assert_eq!(ImapDeviation::ALL[0], ImapDeviation::TrailingSpace);
        assert_eq!(ImapDeviation::BareLf.id(), "bare-lf");
        assert_eq!(ImapDeviation::from_id("no-such-id"), None);
    }

    /// Raw UTF-8 in a quoted string without UTF8=ACCEPT (RFC 6855 §3): strict refuses it,
    /// real-world reads it and names it `eight-bit-in-quoted` at its first octet, once per
    /// message; with UTF8=ACCEPT in force it is the grammar (no deviation).
    #[test]
    fn raw_utf8_in_quoted_is_named_under_real_world() {
        let line = "* LIST () \"/\" \"Caf\u{e9} cr\u{e8}me\"\r\n".as_bytes();
        let command = "a SELECT \"Caf\u{e9}\"\r\n".as_bytes();
        assert!(crate::Response::parse_with(line, &ParseOptions::default()).is_err());
        assert!(crate::Command::parse_with(command, &ParseOptions::default()).is_err());
        let rw = ParseOptions::default().with_profile(Profile::RealWorld);
        let parsed = crate::Response::parse_with(line, &rw).unwrap();
        let found: Vec<_> = parsed.deviations.iter().map(|d| (d.id, d.offset)).collect();
        assert_eq!(found, [(ImapDeviation::EightBitInQuoted, 18)]);
        let parsed = crate::Command::parse_with(command, &rw).unwrap();
        assert_eq!(parsed.deviations.len(), 1);
        assert_eq!(parsed.deviations[0].offset, 13);
        assert_eq!(parsed.deviations[0].side, Side::Client);
        for options in [
            ParseOptions::default().with_extension(Extension::Utf8Accept),
            rw.clone().with_extension(Extension::Utf8Accept),
        ] {
            let parsed = crate::Response::parse_with(line, &options).unwrap();
            assert!(parsed.deviations.is_empty());
        }
        // ASCII only: nothing to report.
        let ascii = crate::Response::parse_with(b"* LIST () \"/\" \"Cafe\"\r\n", &rw).unwrap();
        assert!(ascii.deviations.is_empty());
    }

    /// The kept-aside list reads as a slice whether it is empty (no allocation) or not, and
    /// two lists with the same items are equal however they were built.
    #[test]
    fn unknown_items_read_as_a_slice() {
        let item = |offset| UnknownItem {
            offset,
            name: "X-GM-MSGID".into(),
            value: crate::response::generic::Generic::Nil,
        };
        let mut items = UnknownItems::new();
        assert!(items.is_empty() && items.iter().next().is_none());
        assert_eq!(items, UnknownItems::default());
        items.push(item(9));
        items.extend([item(3)]);
        items.sort_by_key(|u| u.offset);
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].offset, items[1].offset), (3, 9));
        let again: UnknownItems = [item(3), item(9)].into_iter().collect();
        assert_eq!(items, again);
        assert_ne!(items, UnknownItems::new());
        assert_eq!(items.clone().into_vec().len(), 2);
        assert_eq!((&items).into_iter().count(), 2);
        assert_eq!(items.into_iter().map(|u| u.offset).sum::<usize>(), 12);
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
