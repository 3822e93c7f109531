//! Client commands (RFC 3501 §6, RFC 9051 §6; grammar: RFC 9051 §9 `command`, `command-any`,
//! `command-auth`, `command-nonauth`, `command-select`, `uid`; RFC 3501 §9 likewise).
//!
//! A command message is `tag SP command-name [arguments] CRLF`, literals inline. The parser
//! reads the tag and the command name once and dispatches on the name; each grammar area
//! lives in its own module:
//!
//! - [`auth`] has AUTHENTICATE (with SASL-IR and the continuation lines), LOGIN, STARTTLS;
//! - [`mailbox`] has SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST,
//!   LSUB, NAMESPACE, STATUS, ENABLE;
//! - [`append`] has APPEND;
//! - [`search`] has SEARCH and UID SEARCH;
//! - [`fetch`] has FETCH and UID FETCH;
//! - [`store`] has STORE and UID STORE;
//! - [`idle`] has IDLE and its `DONE` line;
//! - this module: CAPABILITY, NOOP, LOGOUT, CHECK, CLOSE, UNSELECT, EXPUNGE, COPY, MOVE and
//!   the UID forms.

use std::borrow::Cow;

use crate::capability::{AuthMechanism, Capability};
use crate::core::{AString, IntoStatic, Tag};
use crate::datetime::DateTime;
use crate::encode::{Encode, EncodeOptions, Encoded, Encoder};
use crate::error::{PResult, ParseError, fail};
use crate::ext::NonEmpty;
use crate::flag::Flag;
use crate::mailbox::{ListMailbox, Mailbox};
use crate::parse::{
    crlf, is_atom_char, is_tag_char, message_rule, parse_all, rule, sp, take_while, token,
};
use crate::sequence::SequenceSet;

pub mod append;
pub mod auth;
pub mod fetch;
pub mod idle;
pub mod mailbox;
pub mod search;
pub mod store;

pub use append::AppendData;
pub use auth::AuthenticateData;
pub use fetch::{FetchAtt, FetchItems};
pub use idle::IdleDone;
pub use mailbox::{
    ListReturnOpt, ListSelectOpt, ListSelectOpts, MboxOrPat, OptionExtension, StatusAttribute,
};
pub use search::{SearchKey, SearchRetOptExt, SearchReturnOpt};
pub use store::{StoreAction, StoreFlags};

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
/// (RFC 9051 §9, RFC 3501 §9).
///
/// ```
/// use imap_codec::{Command, CommandBody, EncodeOptions};
/// let cmd = Command::parse(b"A142 SELECT INBOX\r\n").unwrap();
/// assert_eq!(cmd.tag.as_str(), "A142");
/// assert!(matches!(cmd.body, CommandBody::Select { .. }));
/// assert_eq!(cmd.name(), "SELECT");
/// let mut out = Vec::new();
/// let _ = cmd.encode(&mut out, &EncodeOptions::default());
/// assert_eq!(out, b"A142 SELECT INBOX\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Command<'a> {
    /// The tag the server's completion response repeats.
    pub tag: Tag<'a>,
    /// The command and its arguments.
    pub body: CommandBody<'a>,
}

/// The command and its arguments: one variant per command of RFC 3501 §6 / RFC 9051 §6.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum CommandBody<'a> {
    /// `CAPABILITY` (RFC 9051 §6.1.1).
    Capability,
    /// `NOOP` (RFC 9051 §6.1.2).
    Noop,
    /// `LOGOUT` (RFC 9051 §6.1.3).
    Logout,
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls,
    /// `authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp]` (RFC 9051 §6.2.2,
    /// RFC 4959). The SASL exchange that follows is made of [`AuthenticateData`] lines.
    Authenticate {
        /// The SASL mechanism.
        mechanism: AuthMechanism<'a>,
        /// The decoded initial response (SASL-IR); `Some` of an empty slice is sent as `=`.
        initial_response: Option<Cow<'a, [u8]>>,
    },
    /// `login = "LOGIN" SP userid SP password` (RFC 9051 §6.2.3).
    Login {
        /// `userid = astring`
        username: AString<'a>,
        /// `password = astring`
        password: AString<'a>,
    },
    /// `enable = "ENABLE" 1*(SP capability)` (RFC 9051 §6.3.1, RFC 5161).
    Enable {
        /// The capabilities to enable.
        capabilities: NonEmpty<Capability<'a>>,
    },
    /// `select = "SELECT" SP mailbox` (RFC 9051 §6.3.2).
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `examine = "EXAMINE" SP mailbox` (RFC 9051 §6.3.3).
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `create = "CREATE" SP mailbox` (RFC 9051 §6.3.4).
    Create {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `delete = "DELETE" SP mailbox` (RFC 9051 §6.3.5).
    Delete {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `rename = "RENAME" SP mailbox SP mailbox` (RFC 9051 §6.3.6).
    Rename {
        /// The existing name.
        from: Mailbox<'a>,
        /// The new name.
        to: Mailbox<'a>,
    },
    /// `subscribe = "SUBSCRIBE" SP mailbox` (RFC 9051 §6.3.7).
    Subscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `unsubscribe = "UNSUBSCRIBE" SP mailbox` (RFC 9051 §6.3.8).
    Unsubscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`
    /// (RFC 9051 §6.3.9, RFC 5258).
    List {
        /// `list-select-opts`; `Some` of an empty list is `()`.
        selection: Option<ListSelectOpts<'a>>,
        /// The reference name.
        reference: Mailbox<'a>,
        /// One pattern, or a parenthesised list of patterns.
        patterns: MboxOrPat<'a>,
        /// `list-return-opts`; `Some` of an empty list is `RETURN ()`.
        return_opts: Option<Vec<ListReturnOpt<'a>>>,
    },
    /// `lsub = "LSUB" SP mailbox SP list-mailbox` (RFC 3501 §6.3.9).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    },
    /// `namespace-command = "NAMESPACE"` (RFC 9051 §6.3.10, RFC 2342).
    Namespace,
    /// `status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"`
    /// (RFC 9051 §6.3.11).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The requested items.
        items: NonEmpty<StatusAttribute>,
    },
    /// `append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal`
    /// (RFC 9051 §6.3.12; `literal8` from RFC 3516 / RFC 9051 §6.4.5).
    Append {
        /// The destination mailbox.
        mailbox: Mailbox<'a>,
        /// `flag-list`; `Some` of an empty list is `()`.
        flags: Option<Vec<Flag<'a>>>,
        /// The internal date to set.
        date: Option<DateTime>,
        /// The message.
        message: AppendData<'a>,
    },
    /// `idle = "IDLE" CRLF "DONE"` (RFC 9051 §6.3.13, RFC 2177): the command line; the
    /// client ends it with [`IdleDone`].
    Idle,
    /// `CHECK` (RFC 3501 §6.4.1).
    Check,
    /// `CLOSE` (RFC 9051 §6.4.1).
    Close,
    /// `UNSELECT` (RFC 9051 §6.4.2, RFC 3691).
    Unselect,
    /// `EXPUNGE` (RFC 9051 §6.4.3).
    Expunge,
    /// `uid-expunge = "EXPUNGE" SP sequence-set` after `UID` (RFC 9051 §6.4.9, RFC 4315).
    UidExpunge {
        /// The UIDs.
        sequence_set: SequenceSet,
    },
    /// `search = "SEARCH" [search-return-opts] SP search-program` (RFC 9051 §6.4.4,
    /// RFC 3501 §6.4.4), or `UID SEARCH`.
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `RETURN (...)`; `Some` of an empty list is `RETURN ()`.
        return_opts: Option<Vec<SearchReturnOpt<'a>>>,
        /// `CHARSET` (RFC 9051 `charset`, RFC 3501 `astring`).
        charset: Option<AString<'a>>,
        /// The search keys, all of which must match.
        criteria: NonEmpty<SearchKey<'a>>,
    },
    /// `fetch = "FETCH" SP sequence-set SP (...)` (RFC 9051 §6.4.5), or `UID FETCH`.
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// What to fetch.
        items: FetchItems<'a>,
    },
    /// `store = "STORE" SP sequence-set SP store-att-flags` (RFC 9051 §6.4.6), or
    /// `UID STORE`.
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// `FLAGS`, `+FLAGS` or `-FLAGS`.
        action: StoreAction,
        /// `.SILENT`
        silent: bool,
        /// The flags, in the form sent.
        flags: StoreFlags<'a>,
    },
    /// `copy = "COPY" SP sequence-set SP mailbox` (RFC 9051 §6.4.7), or `UID COPY`.
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
    /// `move = "MOVE" SP sequence-set SP mailbox` (RFC 9051 §6.4.8, RFC 6851), or `UID MOVE`.
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
}

impl<'a> Command<'a> {
    /// A command with the given tag.
    pub fn new(tag: Tag<'a>, body: CommandBody<'a>) -> Self {
        Command { tag, body }
    }

    /// Parses exactly one complete command message including its final CRLF (literals
    /// inline).
    ///
    /// ```
    /// use imap_codec::Command;
    /// let err = Command::parse(b"a1 NOOP  \r\n").unwrap_err();
    /// assert_eq!((err.offset, err.expected), (7, "CRLF"));
    /// ```
    pub fn parse(input: &'a [u8]) -> Result<Command<'a>, ParseError> {
        parse_all(input, message_rule("command", parse_command))
    }

    /// Appends the wire form; returns where it was written and the sync points.
    pub fn encode(&self, out: &mut Vec<u8>, options: &EncodeOptions) -> Encoded {
        let mut e = Encoder::client(out, options);
        Encode::encode(self, &mut e);
        e.finish()
    }

    /// The command name as sent: `"SELECT"`, `"UID FETCH"`, ...
    pub fn name(&self) -> &'static str {
        self.body.name()
    }
}

impl CommandBody<'_> {
    /// The command name as sent: `"SELECT"`, `"UID FETCH"`, ...
    pub fn name(&self) -> &'static str {
        use CommandBody as B;
        let pick = |uid: bool, plain: &'static str, with: &'static str| {
            if uid { with } else { plain }
        };
        match self {
            B::Capability => "CAPABILITY",
            B::Noop => "NOOP",
            B::Logout => "LOGOUT",
            B::StartTls => "STARTTLS",
            B::Authenticate { .. } => "AUTHENTICATE",
            B::Login { .. } => "LOGIN",
            B::Enable { .. } => "ENABLE",
            B::Select { .. } => "SELECT",
            B::Examine { .. } => "EXAMINE",
            B::Create { .. } => "CREATE",
            B::Delete { .. } => "DELETE",
            B::Rename { .. } => "RENAME",
            B::Subscribe { .. } => "SUBSCRIBE",
            B::Unsubscribe { .. } => "UNSUBSCRIBE",
            B::List { .. } => "LIST",
            B::Lsub { .. } => "LSUB",
            B::Namespace => "NAMESPACE",
            B::Status { .. } => "STATUS",
            B::Append { .. } => "APPEND",
            B::Idle => "IDLE",
            B::Check => "CHECK",
            B::Close => "CLOSE",
            B::Unselect => "UNSELECT",
            B::Expunge => "EXPUNGE",
            B::UidExpunge { .. } => "UID EXPUNGE",
            B::Search { uid, .. } => pick(*uid, "SEARCH", "UID SEARCH"),
            B::Fetch { uid, .. } => pick(*uid, "FETCH", "UID FETCH"),
            B::Store { uid, .. } => pick(*uid, "STORE", "UID STORE"),
            B::Copy { uid, .. } => pick(*uid, "COPY", "UID COPY"),
            B::Move { uid, .. } => pick(*uid, "MOVE", "UID MOVE"),
        }
    }
}

/// The longest command name (`AUTHENTICATE`, `UNSUBSCRIBE`) fits in this many bytes.
const NAME_MAX: usize = 12;

/// Upper-cases a command name into `buf`; `None` when it is too long to be one.
fn upper<'b>(name: &[u8], buf: &'b mut [u8; NAME_MAX]) -> Option<&'b [u8]> {
    let dst = buf.get_mut(..name.len())?;
    for (d, s) in dst.iter_mut().zip(name) {
        *d = s.to_ascii_uppercase();
    }
    Some(dst)
}

/// `command`: tag, name, arguments, CRLF.
fn parse_command(i: &[u8]) -> PResult<'_, Command<'_>> {
    let (rest, tag) = take_while(i, is_tag_char);
    if tag.is_empty() {
        return fail(i, "tag");
    }
    let tag = Tag::from_checked(tag);
    // A byte that is neither a tag character nor the SP after the tag is a bad tag character
    // (e.g. `+`, `(`, `*`): say so rather than "expected SP".
    match rest.first() {
        Some(b' ') => {}
        Some(b'\r' | b'\n') | None => return fail(rest, "SP"),
        Some(_) => return fail(rest, "tag"),
    }
    let (i, ()) = sp(rest)?;
    let (i, body) = parse_body(i)?;
    let (i, ()) = crlf(i)?;
    Ok((i, Command { tag, body }))
}

/// Parses a command name and its arguments (everything between the tag's SP and CRLF).
fn parse_body(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let start = i;
    let (i, name) = token(i, "command")?;
    let mut buf = [0u8; NAME_MAX];
    let Some(upper) = upper(name, &mut buf) else {
        return fail(start, "command");
    };
    use CommandBody as B;
    Ok(match upper {
        b"CAPABILITY" => (i, B::Capability),
        b"NOOP" => (i, B::Noop),
        b"LOGOUT" => (i, B::Logout),
        b"STARTTLS" => (i, B::StartTls),
        b"NAMESPACE" => (i, B::Namespace),
        b"IDLE" => (i, B::Idle),
        b"CHECK" => (i, B::Check),
        b"CLOSE" => (i, B::Close),
        b"UNSELECT" => (i, B::Unselect),
        b"EXPUNGE" => (i, B::Expunge),
        b"AUTHENTICATE" => return rule("authenticate", auth::parse_authenticate)(i),
        b"LOGIN" => return rule("login", auth::parse_login)(i),
        b"ENABLE" => return rule("enable", mailbox::parse_enable)(i),
        b"SELECT" => {
            let (i, mailbox) = rule("select", sp_mailbox)(i)?;
            (i, B::Select { mailbox })
        }
        b"EXAMINE" => {
            let (i, mailbox) = rule("examine", sp_mailbox)(i)?;
            (i, B::Examine { mailbox })
        }
        b"CREATE" => {
            let (i, mailbox) = rule("create", sp_mailbox)(i)?;
            (i, B::Create { mailbox })
        }
        b"DELETE" => {
            let (i, mailbox) = rule("delete", sp_mailbox)(i)?;
            (i, B::Delete { mailbox })
        }
        b"RENAME" => {
            let (i, from) = rule("rename", sp_mailbox)(i)?;
            let (i, to) = rule("rename", sp_mailbox)(i)?;
            (i, B::Rename { from, to })
        }
        b"SUBSCRIBE" => {
            let (i, mailbox) = rule("subscribe", sp_mailbox)(i)?;
            (i, B::Subscribe { mailbox })
        }
        b"UNSUBSCRIBE" => {
            let (i, mailbox) = rule("unsubscribe", sp_mailbox)(i)?;
            (i, B::Unsubscribe { mailbox })
        }
        b"LIST" => return rule("list", mailbox::parse_list)(i),
        b"LSUB" => return rule("lsub", mailbox::parse_lsub)(i),
        b"STATUS" => return rule("status", mailbox::parse_status)(i),
        b"APPEND" => return rule("append", append::parse_append)(i),
        b"SEARCH" => return rule("search", |i| search::parse_search(i, false))(i),
        b"FETCH" => return rule("fetch", |i| fetch::parse_fetch(i, false))(i),
        b"STORE" => return rule("store", |i| store::parse_store(i, false))(i),
        b"COPY" => return rule("copy", |i| parse_copy_move(i, false, false))(i),
        b"MOVE" => return rule("move", |i| parse_copy_move(i, false, true))(i),
        b"UID" => return rule("uid", parse_uid)(i),
        _ => return fail(start, "command"),
    })
}

/// `uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)`.
fn parse_uid(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let start = i;
    let (i, name) = take_while(i, |b| b.is_ascii_alphabetic());
    let mut buf = [0u8; NAME_MAX];
    let unknown = || fail(start, "uid");
    let Some(upper) = upper(name, &mut buf) else {
        return unknown();
    };
    if i.first().is_some_and(|&b| is_atom_char(b)) {
        return unknown();
    }
    match upper {
        b"COPY" => rule("copy", |i| parse_copy_move(i, true, false))(i),
        b"MOVE" => rule("move", |i| parse_copy_move(i, true, true))(i),
        b"FETCH" => rule("fetch", |i| fetch::parse_fetch(i, true))(i),
        b"SEARCH" => rule("search", |i| search::parse_search(i, true))(i),
        b"STORE" => rule("store", |i| store::parse_store(i, true))(i),
        b"EXPUNGE" => {
            let (i, ()) = rule("uid-expunge", sp)(i)?;
            let (i, sequence_set) = rule("uid-expunge", SequenceSet::parse)(i)?;
            Ok((i, CommandBody::UidExpunge { sequence_set }))
        }
        _ => unknown(),
    }
}

/// `SP mailbox`
pub(crate) fn sp_mailbox(i: &[u8]) -> PResult<'_, Mailbox<'_>> {
    let (i, ()) = sp(i)?;
    Mailbox::parse::<true>(i)
}

/// `SP sequence-set SP mailbox` of COPY and MOVE.
fn parse_copy_move(i: &[u8], uid: bool, is_move: bool) -> PResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = SequenceSet::parse(i)?;
    let (i, mailbox) = sp_mailbox(i)?;
    Ok((
        i,
        if is_move {
            CommandBody::Move {
                uid,
                sequence_set,
                mailbox,
            }
        } else {
            CommandBody::Copy {
                uid,
                sequence_set,
                mailbox,
            }
        },
    ))
}

impl Encode for Command<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.tag.encode(e);
        e.sp();
        self.body.encode(e);
        e.crlf();
    }
}

impl Encode for CommandBody<'_> {
    /// Writes the command name and arguments (no tag, no CRLF).
    fn encode(&self, e: &mut Encoder<'_>) {
        use CommandBody as B;
        e.raw(self.name().as_bytes());
        match self {
            B::Capability
            | B::Noop
            | B::Logout
            | B::StartTls
            | B::Namespace
            | B::Idle
            | B::Check
            | B::Close
            | B::Unselect
            | B::Expunge => {}
            B::Authenticate {
                mechanism,
                initial_response,
            } => auth::encode_authenticate(mechanism, initial_response.as_deref(), e),
            B::Login { username, password } => {
                e.sp();
                username.encode(e);
                e.sp();
                password.encode(e);
            }
            B::Enable { capabilities } => {
                for c in capabilities {
                    e.sp();
                    c.encode(e);
                }
            }
            B::Select { mailbox }
            | B::Examine { mailbox }
            | B::Create { mailbox }
            | B::Delete { mailbox }
            | B::Subscribe { mailbox }
            | B::Unsubscribe { mailbox } => {
                e.sp();
                mailbox.encode(e);
            }
            B::Rename { from, to } => {
                e.sp();
                from.encode(e);
                e.sp();
                to.encode(e);
            }
            B::List {
                selection,
                reference,
                patterns,
                return_opts,
            } => mailbox::encode_list(selection, reference, patterns, return_opts, e),
            B::Lsub { reference, pattern } => {
                e.sp();
                reference.encode(e);
                e.sp();
                pattern.encode(e);
            }
            B::Status { mailbox, items } => {
                e.sp();
                mailbox.encode(e);
                e.sp().paren_list(items, |e, a| a.encode(e));
            }
            B::Append {
                mailbox,
                flags,
                date,
                message,
            } => append::encode_append(mailbox, flags.as_deref(), date.as_ref(), message, e),
            B::UidExpunge { sequence_set } => {
                e.sp();
                sequence_set.encode(e);
            }
            B::Search {
                return_opts,
                charset,
                criteria,
                ..
            } => search::encode_search(return_opts.as_deref(), charset.as_ref(), criteria, e),
            B::Fetch {
                sequence_set,
                items,
                ..
            } => {
                e.sp();
                sequence_set.encode(e);
                e.sp();
                items.encode(e);
            }
            B::Store {
                sequence_set,
                action,
                silent,
                flags,
                ..
            } => {
                e.sp();
                sequence_set.encode(e);
                e.sp();
                store::encode_store_att(*action, *silent, flags, e);
            }
            B::Copy {
                sequence_set,
                mailbox,
                ..
            }
            | B::Move {
                sequence_set,
                mailbox,
                ..
            } => {
                e.sp();
                sequence_set.encode(e);
                e.sp();
                mailbox.encode(e);
            }
        }
    }
}

impl IntoStatic for Command<'_> {
    type Static = Command<'static>;
    fn into_static(self) -> Command<'static> {
        Command {
            tag: self.tag.into_static(),
            body: self.body.into_static(),
        }
    }
}

impl IntoStatic for CommandBody<'_> {
    type Static = CommandBody<'static>;
    fn into_static(self) -> CommandBody<'static> {
        use CommandBody as B;
        match self {
            B::Capability => B::Capability,
            B::Noop => B::Noop,
            B::Logout => B::Logout,
            B::StartTls => B::StartTls,
            B::Authenticate {
                mechanism,
                initial_response,
            } => B::Authenticate {
                mechanism: mechanism.into_static(),
                initial_response: initial_response.into_static(),
            },
            B::Login { username, password } => B::Login {
                username: username.into_static(),
                password: password.into_static(),
            },
            B::Enable { capabilities } => B::Enable {
                capabilities: capabilities.into_static(),
            },
            B::Select { mailbox } => B::Select {
                mailbox: mailbox.into_static(),
            },
            B::Examine { mailbox } => B::Examine {
                mailbox: mailbox.into_static(),
            },
            B::Create { mailbox } => B::Create {
                mailbox: mailbox.into_static(),
            },
            B::Delete { mailbox } => B::Delete {
                mailbox: mailbox.into_static(),
            },
            B::Rename { from, to } => B::Rename {
                from: from.into_static(),
                to: to.into_static(),
            },
            B::Subscribe { mailbox } => B::Subscribe {
                mailbox: mailbox.into_static(),
            },
            B::Unsubscribe { mailbox } => B::Unsubscribe {
                mailbox: mailbox.into_static(),
            },
            B::List {
                selection,
                reference,
                patterns,
                return_opts,
            } => B::List {
                selection: selection.into_static(),
                reference: reference.into_static(),
                patterns: patterns.into_static(),
                return_opts: return_opts.into_static(),
            },
            B::Lsub { reference, pattern } => B::Lsub {
                reference: reference.into_static(),
                pattern: pattern.into_static(),
            },
            B::Namespace => B::Namespace,
            B::Status { mailbox, items } => B::Status {
                mailbox: mailbox.into_static(),
                items,
            },
            B::Append {
                mailbox,
                flags,
                date,
                message,
            } => B::Append {
                mailbox: mailbox.into_static(),
                flags: flags.into_static(),
                date,
                message: message.into_static(),
            },
            B::Idle => B::Idle,
            B::Check => B::Check,
            B::Close => B::Close,
            B::Unselect => B::Unselect,
            B::Expunge => B::Expunge,
            B::UidExpunge { sequence_set } => B::UidExpunge { sequence_set },
            B::Search {
                uid,
                return_opts,
                charset,
                criteria,
            } => B::Search {
                uid,
                return_opts: return_opts.into_static(),
                charset: charset.into_static(),
                criteria: criteria.into_static(),
            },
            B::Fetch {
                uid,
                sequence_set,
                items,
            } => B::Fetch {
                uid,
                sequence_set,
                items: items.into_static(),
            },
            B::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags,
            } => B::Store {
                uid,
                sequence_set,
                action,
                silent,
                flags: flags.into_static(),
            },
            B::Copy {
                uid,
                sequence_set,
                mailbox,
            } => B::Copy {
                uid,
                sequence_set,
                mailbox: mailbox.into_static(),
            },
            B::Move {
                uid,
                sequence_set,
                mailbox,
            } => B::Move {
                uid,
                sequence_set,
                mailbox: mailbox.into_static(),
            },
        }
    }
}

/// Shared helpers for the command tests.
#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// Parses `line`, checks that encoding re-parses to the same value, and (for canonical
    /// input, `exact`) that the encoding is byte-identical. Returns the parsed command.
    pub(crate) fn roundtrip(line: &[u8], exact: bool) -> Command<'_> {
        let cmd = Command::parse(line)
            .unwrap_or_else(|e| panic!("{:?} failed: {e} ({e:?})", String::from_utf8_lossy(line)));
        let mut out = Vec::new();
        let enc = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!((enc.start, enc.end), (0, out.len()));
        let again = Command::parse(&out).unwrap_or_else(|e| {
            panic!(
                "re-parse of {:?} failed: {e}",
                String::from_utf8_lossy(&out)
            )
        });
        assert_eq!(again, cmd, "{}", String::from_utf8_lossy(&out));
        if exact {
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(line),
                "canonical input must encode byte for byte"
            );
        }
        assert_eq!(cmd.clone().into_static(), cmd);
        cmd
    }

    /// Asserts that `line` is rejected at `offset` expecting `expected`.
    #[track_caller]
    pub(crate) fn rejects(line: &[u8], offset: usize, expected: &str) {
        match Command::parse(line) {
            Ok(c) => panic!("{:?} was accepted as {c:?}", String::from_utf8_lossy(line)),
            Err(e) => assert_eq!(
                (e.offset, e.expected),
                (offset, expected),
                "{:?}: {e:?}",
                String::from_utf8_lossy(line)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::{rejects, roundtrip};
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn any_state_commands() {
        for line in [
            "a001 CAPABILITY\r\n",
            "a002 NOOP\r\n",
            "A023 LOGOUT\r\n",
            "A01 STARTTLS\r\n",
            "A001 NAMESPACE\r\n",
            "A002 IDLE\r\n",
            "FXXZ CHECK\r\n",
            "A341 CLOSE\r\n",
            "A342 UNSELECT\r\n",
            "A202 EXPUNGE\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"a047 noop\r\n", false);
        assert_eq!((c.tag.as_str(), c.name()), ("a047", "NOOP"));
        let c = roundtrip(b"a006 logout\r\n", false);
        assert_eq!(c.body, CommandBody::Logout);
    }

    #[test]
    fn copy_move_and_uid_forms() {
        for line in [
            "A003 COPY 2:4 MEETING\r\n",
            "A005 UID COPY 305:310 meeting\r\n",
            "a UID MOVE 42:69 foo\r\n",
            "a MOVE 1,3:* \"Other Messages\"\r\n",
            "E283 COPY $ \"Other Messages\"\r\n",
            "A003 UID EXPUNGE 3000:3002\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"n1 uid copy 1:* oldmail\r\n", false);
        assert_eq!(c.name(), "UID COPY");
        let c = roundtrip(b"a UID MOVE 42:69 foo\r\n", true);
        assert!(matches!(c.body, CommandBody::Move { uid: true, .. }));
    }

    #[test]
    fn strictness() {
        rejects(b"a+1 NOOP\r\n", 1, "tag");
        rejects(b"+ NOOP\r\n", 0, "tag");
        rejects(b" NOOP\r\n", 0, "tag");
        rejects(b"a NOOP \r\n", 6, "CRLF");
        rejects(b"a  NOOP\r\n", 2, "command");
        rejects(b"a NOOP\n", 6, "CRLF");
        rejects(b"a NOOP\r\nx", 8, "end of message");
        rejects(b"a FOO\r\n", 2, "command");
        rejects(b"a NOOPX\r\n", 2, "command");
        rejects(b"a VERYLONGCOMMANDNAME\r\n", 2, "command");
        rejects(b"a UID NOOP\r\n", 6, "uid");
        rejects(b"a UID EXPUNGE\r\n", 13, "SP");
        rejects(b"a COPY 0 x\r\n", 7, "sequence-set");
        rejects(b"a COPY 4294967296 x\r\n", 7, "nz-number");
        rejects(b"a COPY 1  x\r\n", 9, "mailbox");
        rejects(b"a SELECT\r\n", 8, "SP");
        rejects(b"a RENAME a\r\n", 10, "SP");
        let e = Command::parse(b"a NOOP").unwrap_err();
        assert_eq!((e.offset, e.kind), (6, ErrorKind::Incomplete));
        let e = Command::parse(b"a COPY 4294967296 x\r\n").unwrap_err();
        assert_eq!(e.kind, ErrorKind::NumberTooLarge);
        let e = Command::parse(b"a COPY 1 x\r\n\r\n").unwrap_err();
        assert_eq!(e.kind, ErrorKind::TrailingBytes);
    }

    #[test]
    fn simple_mailbox_commands() {
        for line in [
            "A142 SELECT INBOX\r\n",
            "A932 EXAMINE blurdybloop\r\n",
            "A003 CREATE owatagusiam/\r\n",
            "A004 CREATE \"Sent Mail\"\r\n",
            "A683 DELETE blurdybloop\r\n",
            "A683 RENAME blurdybloop sarasoop\r\n",
            "Z433 RENAME INBOX old-mail\r\n",
            "A002 SUBSCRIBE #news.comp.mail.mime\r\n",
            "A002 UNSUBSCRIBE #news.comp.mail.mime\r\n",
            "l create \"///////\"\r\n",
            "a SELECT {3}\r\nf o\r\n",
            "a SELECT {3+}\r\nf o\r\n",
            "a SELECT \"\"\r\n",
            "a SELECT a]b\r\n",
        ] {
            roundtrip(line.as_bytes(), !line.starts_with('l'));
        }
        let c = roundtrip(b"d select inbox\r\n", false);
        assert_eq!(
            c.body,
            CommandBody::Select {
                mailbox: Mailbox::Inbox
            }
        );
        rejects(b"a SELECT (x)\r\n", 9, "mailbox");
        rejects(b"a SELECT x y\r\n", 10, "CRLF");
        rejects(b"a SELECT INBOX (CONDSTORE)\r\n", 14, "CRLF");
    }

    #[test]
    fn literals_record_sync_points() {
        let cmd = Command::parse(b"a LOGIN {5}\r\nalice \"pw\"\r\n").unwrap();
        let mut out = Vec::new();
        let enc = cmd.encode(&mut out, &EncodeOptions::default());
        let chunks: Vec<&[u8]> = enc.chunks(&out).collect();
        assert_eq!(chunks, [&b"a LOGIN {5}\r\n"[..], &b"alice \"pw\"\r\n"[..]]);
        let mut out = Vec::new();
        let enc = cmd.encode(
            &mut out,
            &EncodeOptions::with_literal(crate::encode::LiteralCapability::Plus),
        );
        assert!(enc.sync_points.is_empty());
        assert_eq!(out, b"a LOGIN {5+}\r\nalice \"pw\"\r\n");
    }

    /// Every single-line client command in the examples of RFC 3501 and RFC 9051.
    #[test]
    fn rfc_example_lines() {
        for line in [
            "1001 RENAME X Y\r\n",
            "1002 SUBSCRIBE Y\r\n",
            "1003 UNSUBSCRIBE X\r\n",
            "A001 AUTHENTICATE GSSAPI\r\n",
            "A001 AUTHENTICATE SCRAM-SHA-256\r\n",
            "A001 LOGIN fred blurdybloop\r\n",
            "A001 NAMESPACE\r\n",
            "A001 SELECT INBOX\r\n",
            "A002 CREATE \"INBOX.Sent Mail\"\r\n",
            "A002 IDLE\r\n",
            "A002 LIST \"\" \"#Users/%\"\r\n",
            "A002 LIST \"\" \"Other Users/%\"\r\n",
            "A002 LIST \"\" \"~mark/%\"\r\n",
            "A002 LIST (SPECIAL-USE) \"\" \"*\"\r\n",
            "A002 SUBSCRIBE #news.comp.mail.mime\r\n",
            "A002 UNSUBSCRIBE #news.comp.mail.mime\r\n",
            "A003 COPY 2:4 MEETING\r\n",
            "A003 CREATE owatagusiam/\r\n",
            "A003 FETCH 4 ALL\r\n",
            "A003 LIST \"\" \"#Users/Mike/%\"\r\n",
            "A003 LIST (SPECIAL-USE) \"#mh/\" \"*\"\r\n",
            "A003 LSUB \"#news.\" \"comp.%\"\r\n",
            "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n",
            "A003 UID EXPUNGE 3000:3002\r\n",
            "A004 COPY 2:4 meeting\r\n",
            "A004 CREATE \"Sent Mail\"\r\n",
            "A004 CREATE owatagusiam/blurdybloop\r\n",
            "A004 IDLE\r\n",
            "A005 CREATE \"Delete Items\"\r\n",
            "A005 CREATE NonNormalized\r\n",
            "A005 FETCH 3 ALL\r\n",
            "A005 UID COPY 305:310 meeting\r\n",
            "A006 COPY 2 funny\r\n",
            "A006 CREATE \"#mh/Deleted Items\"\r\n",
            "A006 IDLE\r\n",
            "A007 SELECT funny\r\n",
            "A01 AUTHENTICATE EXTERNAL =\r\n",
            "A01 AUTHENTICATE PLAIN\r\n",
            "A01 LIST \"\" \"*\"\r\n",
            "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n",
            "A01 STARTTLS\r\n",
            "A02 CAPABILITY\r\n",
            "A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
            "A023 LOGOUT\r\n",
            "A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
            "A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
            "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n",
            "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
            "A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n",
            "A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n",
            "A101 LIST \"\" \"\"\r\n",
            "A102 LIST #news.comp.mail.misc \"\"\r\n",
            "A103 LIST /usr/staff/jones \"\"\r\n",
            "A142 SELECT INBOX\r\n",
            "A143 SELECT Drafts\r\n",
            "A202 EXPUNGE\r\n",
            "A202 LIST ~/Mail/ %\r\n",
            "A222 COPY 1:2 owatagusiam\r\n",
            "A223 COPY 3:200 blurdybloop\r\n",
            "A282 SEARCH RETURN (MIN COUNT) FLAGGED\r\n",
            "A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994\r\n",
            "A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n",
            "A283 SEARCH RETURN () FLAGGED\r\n",
            "A283 SEARCH TEXT \"string not in mailbox\"\r\n",
            "A284 SEARCH RETURN (MIN) UNSEEN\r\n",
            "A284 SEARCH TEXT \"string not in mailbox\"\r\n",
            "A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n",
            "A286 SEARCH RETURN (COUNT) DELETED\r\n",
            "A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004\r\n",
            "A301 UID SEARCH $ SMALLER 4096\r\n",
            "A301 UID SEARCH UID $ SMALLER 4096\r\n",
            "A341 CLOSE\r\n",
            "A342 UNSELECT\r\n",
            "A443 EXPUNGE\r\n",
            "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
            "A682 LIST \"\" *\r\n",
            "A683 DELETE blurdybloop\r\n",
            "A683 RENAME blurdybloop sarasoop\r\n",
            "A684 DELETE foo\r\n",
            "A684 RENAME foo zowie\r\n",
            "A685 DELETE foo/bar\r\n",
            "A685 LIST \"\" *\r\n",
            "A686 LIST \"\" *\r\n",
            "A687 DELETE foo\r\n",
            "A82 LIST \"\" *\r\n",
            "A83 DELETE blurdybloop\r\n",
            "A84 DELETE foo\r\n",
            "A85 LIST \"\" *\r\n",
            "A86 LIST \"\" %\r\n",
            "A932 EXAMINE blurdybloop\r\n",
            "A999 UID FETCH 4827313:4828442 FLAGS\r\n",
            "B282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994\r\n",
            "C01 CAPABILITY\r\n",
            "C01 LIST \"\" \"*\"\r\n",
            "C02 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
            "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n",
            "C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006\r\n",
            "C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006\r\n",
            "C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006\r\n",
            "CA3 LIST \"\" \"%\" RETURN (CHILDREN)\r\n",
            "D01 LIST \"\" \"*\"\r\n",
            "D02 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
            "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"\r\n",
            "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n",
            "E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006\r\n",
            "E283 COPY $ \"Other Messages\"\r\n",
            "F282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n",
            "F283 COPY $ \"Junk\"\r\n",
            "F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n",
            "G282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n",
            "G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006\r\n",
            "H282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n",
            "H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006\r\n",
            "P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994\r\n",
            "Z432 LIST \"\" *\r\n",
            "Z433 RENAME INBOX old-mail\r\n",
            "Z434 LIST \"\" *\r\n",
            "a LOGIN \"fred\" \"foo\"\r\n",
            "a UID MOVE 42:69 foo\r\n",
            "a000 starttls\r\n",
            "a001 CAPABILITY\r\n",
            "a001 LOGIN SMITH SESAME\r\n",
            "a001 login mrc secret\r\n",
            "a002 NOOP\r\n",
            "a002 STARTTLS\r\n",
            "a002 select inbox\r\n",
            "a003 CAPABILITY\r\n",
            "a003 fetch 12 full\r\n",
            "a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
            "a004 LOGIN joe password\r\n",
            "a004 fetch 12 body[header]\r\n",
            "a005 store 12 +flags \\deleted\r\n",
            "a006 logout\r\n",
            "a047 NOOP\r\n",
            "a1 ENABLE CONDSTORE\r\n",
            "a1 LIST \"\" (\"foo\")\r\n",
            "a1 LIST (REMOTE) \"\" *\r\n",
            "a2 LIST () \"\" %\r\n",
            "a2 LIST (SUBSCRIBED) \"\" \"foo/*\"\r\n",
            "a3 LIST (REMOTE) \"\" %\r\n",
            "a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)\r\n",
            "a3.1 LIST \"\" (% music/rock)\r\n",
            "a441 CAPABILITY\r\n",
            "abcd CAPABILITY\r\n",
            "b LOGIN \"fred\" \"foo\"\r\n",
            "babc ENABLE IMAP4rev2\r\n",
            "c1 AUTHENTICATE PLAIN\r\n",
            "c2 AUTHENTICATE PLAIN\r\n",
            "d login \"fred\" \"foo\"\r\n",
            "d select inbox\r\n",
            "e login \"fred\" \"foo\"\r\n",
            "efgh STARTTLS\r\n",
            "f select \"/archive/projects/experiment-iv\"\r\n",
            "g delete \"/archive/projects/experiment-iv\"\r\n",
            "h search from maria@example.com\r\n",
            "i select \"/archive/projects/experiment-iv\"\r\n",
            "ijkl CAPABILITY\r\n",
            "j select \"/archive/projects/experiment-iv\"\r\n",
            "k1 select \"/archive/projects/experiment-iv\"\r\n",
            "k2 status \"/archive/projects/experiment-iv\" (messages)\r\n",
            "l create \"///////\"\r\n",
            "m STORE 42 FLAGS f1 f2 f3 f4 f5 ... f250\r\n",
            "m356 DELETE Notes\r\n",
            "n1 uid copy 1:* oldmail\r\n",
            "n2 uid copy 1:* oldmail\r\n",
            "o356 RENAME this that\r\n",
            "p RENAME this that\r\n",
            "t1 CAPABILITY\r\n",
            "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n",
            "t3 CAPABILITY\r\n",
        ] {
            roundtrip(line.as_bytes(), false);
        }
    }
}
