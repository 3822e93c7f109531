//! Client commands (RFC 3501 §6, RFC 9051 §6; grammar: RFC 9051 §9 `command`, `command-any`,
//! `command-auth`, `command-nonauth`, `command-select`, `uid`; RFC 3501 §9 likewise).
//!
//! A command message is `tag SP command-name [arguments] CRLF`, literals inline. The parser
//! reads the tag and the command name once and dispatches on the name through the **command
//! table** below (one row per command: variant and fields, wire name, ABNF rule, states,
//! capability, UID form, parser, encoder; see [`kind`]). [`CommandBody`], [`CommandKind`],
//! the name dispatch, the encoder and `IntoStatic` are generated from it. Each grammar area
//! lives in its own module:
//!
//! - [`auth`] has AUTHENTICATE (with SASL-IR and the continuation lines), LOGIN, STARTTLS;
//! - [`mailbox`] has SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST,
//!   LSUB, NAMESPACE, STATUS, ENABLE;
//! - [`append`] has APPEND;
//! - [`search`] has SEARCH and UID SEARCH;
//! - [`fetch`] has FETCH and UID FETCH;
//! - [`store`] has STORE and UID STORE;
//! - [`crate::ext::idle`] has IDLE and its `DONE` line (RFC 2177), as an extension module;
//! - extension modules with rows here: [`crate::ext::multiappend`] and
//!   [`crate::ext::catenate`] (APPEND's further messages and parts), [`crate::ext::replace`]
//!   (REPLACE), [`crate::ext::unauthenticate`], [`crate::ext::language`] (LANGUAGE,
//!   COMPARATOR), [`crate::ext::referrals`] (RLIST, RLSUB), [`crate::ext::urlauth`]
//!   (GENURLAUTH, RESETKEY, URLFETCH);
//! - this module: CAPABILITY, NOOP, LOGOUT, CHECK, CLOSE, UNSELECT, EXPUNGE, COPY, MOVE and
//!   the UID forms.
//!
//! Where RFC 4466 §2 lets extensions add to a command (select parameters, fetch and store
//! modifiers), the variant has a typed slot ([`crate::ext::slots`]) that stays empty and is
//! rejected by the parser unless the [`ParseOptions`] put an extension using it in force.

use crate::prelude::*;

use alloc::borrow::Cow;

use crate::capability::{AuthMechanism, Capability};
use crate::context::{Ctx, ParseOptions, Parsed, STRICT, Side, UnknownItems};
use crate::core::{AString, IntoStatic, Quoted, Tag};
use crate::datetime::DateTime;
use crate::encode::{Encode, EncodeOptions, Encoded, Encoder};
use crate::error::{PErr, PResult, ParseError, fail};
use crate::ext::NonEmpty;
pub use crate::ext::multiappend::AppendMessage;
use crate::ext::search_context::{encode_cancel_update, parse_cancel_update};
use crate::ext::slots::{self, FetchModifier, SelectParam, Slot, StoreModifier};
use crate::ext::sort::{
    SortCriterion, ThreadAlgorithm, encode_sort, encode_thread, parse_sort, parse_thread,
};
use crate::ext::urlauth::{UrlauthMechanism, UrlauthRequest};
use crate::flag::Flag;
use crate::mailbox::{ListMailbox, Mailbox};
use crate::parse::{
    is_atom_char, is_tag_char, message_error, name_rule, parse_after_first_pass,
    parse_message_with, sp, take_while, trailing_bytes,
};
use crate::sequence::{SeqNumber, SequenceSet};

pub mod append;
pub mod auth;
pub mod fetch;
pub mod kind;
pub mod mailbox;
pub mod search;
pub mod split;
pub mod store;

pub use crate::ext::compress::CompressionAlgorithm;
pub use crate::ext::idle::IdleDone;
use crate::ext::notify::{NotifySet, encode_notify, parse_notify};
pub use append::AppendData;
pub use auth::AuthenticateData;
pub use fetch::{FetchAtt, FetchAttKind, FetchAtts, FetchItems, FetchList};
pub use kind::{ConnectionState, States, UidForm};
pub use mailbox::{
    ListReturnOpt, ListSelectOpt, ListSelectOpts, MboxOrPat, OptionExtension, StatusAttribute,
};
pub use search::{
    SearchKey, SearchKeyKind, SearchKeys, SearchProgram, SearchRetOptExt, SearchReturnOpt,
};
pub use store::{StoreAction, StoreFlags, StoreFlagsIter};

use kind::{commands, encode_row, is_uid, kind_name, parse_row};

commands! {
    /// `CAPABILITY` (RFC 9051 §6.1.1).
    Capability = "CAPABILITY" / "capability",
        states: ANY, capability: None, uid: No, parse: unit, encode: unit;
    /// `NOOP` (RFC 9051 §6.1.2).
    Noop = "NOOP" / "noop",
        states: ANY, capability: None, uid: No, parse: unit, encode: unit;
    /// `LOGOUT` (RFC 9051 §6.1.3).
    Logout = "LOGOUT" / "logout",
        states: ANY, capability: None, uid: No, parse: unit, encode: unit;
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls = "STARTTLS" / "starttls",
        states: NOT_AUTH, capability: None, uid: No, parse: unit, encode: unit;
    /// `authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp]` (RFC 9051 §6.2.2,
    /// RFC 4959). The SASL exchange that follows is made of [`AuthenticateData`] lines.
    Authenticate {
        /// The SASL mechanism.
        mechanism: AuthMechanism<'a>,
        /// The decoded initial response (SASL-IR); `Some` of an empty slice is sent as `=`.
        initial_response: Option<Cow<'a, [u8]>>,
    } = "AUTHENTICATE" / "authenticate",
        states: NOT_AUTH, capability: None, uid: No,
        parse: parse_authenticate, encode: encode_authenticate;
    /// `login = "LOGIN" SP userid SP password` (RFC 9051 §6.2.3).
    Login {
        /// `userid = astring`
        username: AString<'a>,
        /// `password = astring`
        password: AString<'a>,
    } = "LOGIN" / "login",
        states: NOT_AUTH, capability: None, uid: No, parse: parse_login, encode: encode_login;
    /// `enable = "ENABLE" 1*(SP capability)` (RFC 9051 §6.3.1, RFC 5161; valid only when
    /// authenticated, RFC 5161 §3.1).
    Enable {
        /// The capabilities to enable.
        capabilities: NonEmpty<Capability<'a>>,
    } = "ENABLE" / "enable",
        states: AUTH, capability: Some(Capability::Enable), uid: No,
        parse: parse_enable, encode: encode_enable;
    /// `select = "SELECT" SP mailbox [select-params]` (RFC 9051 §6.3.2; `select-params`:
    /// RFC 4466 §2.1).
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `select-params`: empty unless an extension using the slot is in force
        /// ([`Slot::SelectParams`]).
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        params: Vec<SelectParam<'a>>,
    } = "SELECT" / "select",
        states: AUTH, capability: None, uid: No, parse: parse_select, encode: encode_select;
    /// `examine = "EXAMINE" SP mailbox [select-params]` (RFC 9051 §6.3.3; RFC 4466 §2.1).
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `select-params`, as for SELECT.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        params: Vec<SelectParam<'a>>,
    } = "EXAMINE" / "examine",
        states: AUTH, capability: None, uid: No, parse: parse_examine, encode: encode_select;
    /// `create = "CREATE" SP mailbox [create-params]` (RFC 9051 §6.3.4; `create-params`:
    /// RFC 4466 §2.2, RFC 6154 §3).
    Create {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `create-params`: empty unless an extension using the slot is in force
        /// ([`Slot::CreateParams`], [`crate::ext::special_use`]).
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        params: Vec<CreateParam<'a>>,
    } = "CREATE" / "create",
        states: AUTH, capability: None, uid: No, parse: parse_create, encode: encode_create;
    /// `delete = "DELETE" SP mailbox` (RFC 9051 §6.3.5).
    Delete {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    } = "DELETE" / "delete",
        states: AUTH, capability: None, uid: No, parse: parse_delete, encode: encode_mailbox;
    /// `rename = "RENAME" SP mailbox SP mailbox` (RFC 9051 §6.3.6).
    Rename {
        /// The existing name.
        from: Mailbox<'a>,
        /// The new name.
        to: Mailbox<'a>,
    } = "RENAME" / "rename",
        states: AUTH, capability: None, uid: No, parse: parse_rename, encode: encode_rename;
    /// `subscribe = "SUBSCRIBE" SP mailbox` (RFC 9051 §6.3.7).
    Subscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    } = "SUBSCRIBE" / "subscribe",
        states: AUTH, capability: None, uid: No, parse: parse_subscribe, encode: encode_mailbox;
    /// `unsubscribe = "UNSUBSCRIBE" SP mailbox` (RFC 9051 §6.3.8).
    Unsubscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    } = "UNSUBSCRIBE" / "unsubscribe",
        states: AUTH, capability: None, uid: No,
        parse: parse_unsubscribe, encode: encode_mailbox;
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
    } = "LIST" / "list",
        states: AUTH, capability: None, uid: No, parse: parse_list, encode: encode_list;
    /// `lsub = "LSUB" SP mailbox SP list-mailbox` (RFC 3501 §6.3.9).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    } = "LSUB" / "lsub",
        states: AUTH, capability: None, uid: No, parse: parse_lsub, encode: encode_lsub;
    /// `namespace-command = "NAMESPACE"` (RFC 9051 §6.3.10, RFC 2342).
    Namespace = "NAMESPACE" / "namespace",
        states: AUTH, capability: Some(Capability::Namespace), uid: No,
        parse: unit, encode: unit;
    /// `status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"`
    /// (RFC 9051 §6.3.11).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The requested items.
        items: NonEmpty<StatusAttribute>,
    } = "STATUS" / "status",
        states: AUTH, capability: None, uid: No, parse: parse_status, encode: encode_status;
    /// `append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal`
    /// (RFC 9051 §6.3.12; `literal8` from RFC 3516 / RFC 9051 §6.4.5), and
    /// `append = "APPEND" SP mailbox 1*append-message` (MULTIAPPEND, RFC 3502 §6; the
    /// `append-data` of RFC 4466 §2.3: CATENATE, RFC 4469; UTF8, RFC 6855): the first
    /// message's fields, then `more`.
    Append {
        /// The destination mailbox.
        mailbox: Mailbox<'a>,
        /// `flag-list`; `Some` of an empty list is `()`.
        flags: Option<Vec<Flag<'a>>>,
        /// The internal date to set.
        date: Option<DateTime>,
        /// The message.
        message: AppendData<'a>,
        /// MULTIAPPEND (RFC 3502, [`crate::ext::multiappend`]): the messages after the
        /// first; empty for a plain APPEND.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        more: Vec<AppendMessage<'a>>,
    } = "APPEND" / "append",
        states: AUTH, capability: None, uid: No, parse: parse_append, encode: encode_append;
    /// `idle = "IDLE" CRLF "DONE"` (RFC 9051 §6.3.13, RFC 2177; [`crate::ext::idle`]): the
    /// command line; the client ends it with [`IdleDone`].
    Idle = "IDLE" / "idle",
        states: AUTH, capability: Some(Capability::Idle), uid: No, parse: unit, encode: unit;
    /// `compress = "COMPRESS" SP algorithm` (RFC 4978 §3, §5; [`crate::ext::compress`]):
    /// after the tagged OK both directions are compressed.
    Compress {
        /// The algorithm (`DEFLATE`).
        algorithm: CompressionAlgorithm,
    } = "COMPRESS" / "compress",
        states: AUTH, capability: Some(Capability::CompressDeflate), uid: No,
        parse: parse_compress, encode: encode_compress;
    /// `notify = "NOTIFY" SP (notify-set / notify-none)` (RFC 5465 §3.1, §8;
    /// [`crate::ext::notify`]).
    Notify {
        /// `notify-set`; `None` is `NOTIFY NONE`.
        set: Option<NotifySet<'a>>,
    } = "NOTIFY" / "notify",
        states: AUTH, capability: Some(Capability::Notify), uid: No,
        parse: parse_notify, encode: encode_notify;
    /// `CHECK` (RFC 3501 §6.4.1).
    Check = "CHECK" / "check",
        states: SELECTED, capability: None, uid: No, parse: unit, encode: unit;
    /// `CLOSE` (RFC 9051 §6.4.1).
    Close = "CLOSE" / "close",
        states: SELECTED, capability: None, uid: No, parse: unit, encode: unit;
    /// `UNSELECT` (RFC 9051 §6.4.2, RFC 3691).
    Unselect = "UNSELECT" / "unselect",
        states: SELECTED, capability: Some(Capability::Unselect), uid: No,
        parse: unit, encode: unit;
    /// `EXPUNGE` (RFC 9051 §6.4.3).
    Expunge = "EXPUNGE" / "expunge",
        states: SELECTED, capability: None, uid: No, parse: unit, encode: unit;
    /// `uid-expunge = "EXPUNGE" SP sequence-set` after `UID` (RFC 9051 §6.4.9, RFC 4315).
    UidExpunge {
        /// The UIDs.
        sequence_set: SequenceSet,
    } = "EXPUNGE" / "uid-expunge",
        states: SELECTED, capability: Some(Capability::UidPlus), uid: Only,
        parse: parse_uid_expunge, encode: encode_sequence_set;
    /// `search = "SEARCH" [search-return-opts] SP search-program` (RFC 9051 §6.4.4,
    /// RFC 3501 §6.4.4), or `UID SEARCH`.
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `RETURN (...)`; `Some` of an empty list is `RETURN ()`.
        return_opts: Option<Vec<SearchReturnOpt<'a>>>,
        /// `CHARSET` (RFC 9051 `charset`, RFC 3501 `astring`).
        charset: Option<AString<'a>>,
        /// The search keys, all of which must match (held as their checked wire form).
        criteria: SearchProgram<'a>,
    } = "SEARCH" / "search",
        states: SELECTED, capability: None, uid: Optional, parse: parse_search, encode: encode_search;
    /// `fetch = "FETCH" SP sequence-set SP (...) [fetch-modifiers]` (RFC 9051 §6.4.5;
    /// `fetch-modifiers`: RFC 4466 §2.4), or `UID FETCH`.
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// What to fetch.
        items: FetchItems<'a>,
        /// `fetch-modifiers`: empty unless an extension using the slot is in force
        /// ([`Slot::FetchModifiers`]).
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        modifiers: Vec<FetchModifier<'a>>,
    } = "FETCH" / "fetch",
        states: SELECTED, capability: None, uid: Optional, parse: parse_fetch, encode: encode_fetch;
    /// `store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags`
    /// (RFC 9051 §6.4.6; `store-modifiers`: RFC 4466 §2.5), or `UID STORE`.
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// `store-modifiers`: empty unless an extension using the slot is in force
        /// ([`Slot::StoreModifiers`]).
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        modifiers: Vec<StoreModifier<'a>>,
        /// `FLAGS`, `+FLAGS` or `-FLAGS`.
        action: StoreAction,
        /// `.SILENT`
        silent: bool,
        /// The flags, in the form sent.
        flags: StoreFlags<'a>,
    } = "STORE" / "store",
        states: SELECTED, capability: None, uid: Optional, parse: parse_store, encode: encode_store;
    /// `copy = "COPY" SP sequence-set SP mailbox` (RFC 9051 §6.4.7), or `UID COPY`.
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// The destination.
        mailbox: Mailbox<'a>,
    } = "COPY" / "copy",
        states: SELECTED, capability: None, uid: Optional, parse: parse_copy, encode: encode_copy;
    /// `move = "MOVE" SP sequence-set SP mailbox` (RFC 9051 §6.4.8, RFC 6851), or `UID MOVE`.
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// The destination.
        mailbox: Mailbox<'a>,
    } = "MOVE" / "move",
        states: SELECTED, capability: Some(Capability::Move), uid: Optional,
        parse: parse_move, encode: encode_copy;
    /// `sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria` (RFC 5256 §5) and
    /// `extended-sort` with `search-return-opts` (ESORT, RFC 5267 §5);
    /// [`crate::ext::sort`].
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// `RETURN (...)` (ESORT); `Some` of an empty list is `RETURN ()`.
        return_opts: Option<Vec<SearchReturnOpt<'a>>>,
        /// `sort-criteria`.
        criteria: NonEmpty<SortCriterion>,
        /// `charset = atom / quoted`.
        charset: AString<'a>,
        /// The search keys, all of which must match.
        keys: NonEmpty<SearchKey<'a>>,
    } = "SORT" / "sort",
        states: SELECTED, capability: Some(Capability::Sort), uid: Optional,
        parse: parse_sort, encode: encode_sort;
    /// `thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria` (RFC 5256 §5);
    /// [`crate::ext::sort`]. Its capability is `THREAD=<algorithm>`, per algorithm.
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// `thread-alg`.
        algorithm: ThreadAlgorithm<'a>,
        /// `charset = atom / quoted`.
        charset: AString<'a>,
        /// The search keys, all of which must match.
        keys: NonEmpty<SearchKey<'a>>,
    } = "THREAD" / "thread",
        states: SELECTED, capability: None, uid: Optional,
        parse: parse_thread, encode: encode_thread;
    /// `"CANCELUPDATE" 1*(SP quoted)` (RFC 5267 §4.3): stop updating the results of the
    /// SEARCH/SORT commands with these tags; [`crate::ext::search_context`].
    CancelUpdate {
        /// The tags.
        tags: NonEmpty<Quoted<'a>>,
    } = "CANCELUPDATE" / "cancelupdate",
        states: SELECTED, capability: Some(Capability::ContextSearch), uid: No,
        parse: parse_cancel_update, encode: encode_cancel_update;
    /// `id ::= "ID" SPACE id_params_list` (RFC 2971 §3.1, §4; [`crate::ext::id`]): valid in
    /// any state. An empty list is sent as `NIL`.
    Id {
        /// The field/value pairs; empty for `NIL` (or `()`).
        params: Vec<IdParam<'a>>,
    } = "ID" / "id",
        states: ANY, capability: Some(Capability::Id), uid: No,
        parse: parse_id, encode: encode_id;
    /// `getquota = "GETQUOTA" SP quota-root-name` (RFC 9208 §4.2, [`crate::ext::quota`]).
    GetQuota {
        /// `quota-root-name = astring`
        root: AString<'a>,
    } = "GETQUOTA" / "getquota",
        states: AUTH, capability: Some(Capability::Quota), uid: No,
        parse: parse_getquota, encode: encode_getquota;
    /// `getquotaroot = "GETQUOTAROOT" SP mailbox` (RFC 9208 §4.3).
    GetQuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    } = "GETQUOTAROOT" / "getquotaroot",
        states: AUTH, capability: Some(Capability::Quota), uid: No,
        parse: parse_getquotaroot, encode: encode_getquotaroot;
    /// `setquota = "SETQUOTA" SP quota-root-name SP setquota-list` (RFC 9208 §4.1).
    SetQuota {
        /// `quota-root-name = astring`
        root: AString<'a>,
        /// `setquota-list`: the new limits (empty: remove them all).
        limits: Vec<QuotaLimit<'a>>,
    } = "SETQUOTA" / "setquota",
        states: AUTH, capability: Some(Capability::Quota), uid: No,
        parse: parse_setquota, encode: encode_setquota;
    /// `setacl = "SETACL" SP mailbox SP identifier SP mod-rights` (RFC 4314 §3.1,
    /// [`crate::ext::acl`]).
    SetAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `identifier = astring`
        identifier: AString<'a>,
        /// `mod-rights = astring`: `+rights`, `-rights` or the rights to set.
        rights: AString<'a>,
    } = "SETACL" / "setacl",
        states: AUTH, capability: Some(Capability::Acl), uid: No,
        parse: parse_setacl, encode: encode_setacl;
    /// `deleteacl = "DELETEACL" SP mailbox SP identifier` (RFC 4314 §3.2).
    DeleteAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `identifier = astring`
        identifier: AString<'a>,
    } = "DELETEACL" / "deleteacl",
        states: AUTH, capability: Some(Capability::Acl), uid: No,
        parse: parse_deleteacl, encode: encode_mailbox_identifier;
    /// `getacl = "GETACL" SP mailbox` (RFC 4314 §3.3).
    GetAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    } = "GETACL" / "getacl",
        states: AUTH, capability: Some(Capability::Acl), uid: No,
        parse: parse_getacl, encode: encode_mailbox;
    /// `listrights = "LISTRIGHTS" SP mailbox SP identifier` (RFC 4314 §3.4).
    ListRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `identifier = astring`
        identifier: AString<'a>,
    } = "LISTRIGHTS" / "listrights",
        states: AUTH, capability: Some(Capability::Acl), uid: No,
        parse: parse_listrights, encode: encode_mailbox_identifier;
    /// `myrights = "MYRIGHTS" SP mailbox` (RFC 4314 §3.5).
    MyRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    } = "MYRIGHTS" / "myrights",
        states: AUTH, capability: Some(Capability::Acl), uid: No,
        parse: parse_myrights, encode: encode_mailbox;
    /// `getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries`
    /// (RFC 5464 §4.2, [`crate::ext::metadata`]); the empty mailbox name is the server.
    GetMetadata {
        /// `getmetadata-options`; empty when absent.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        options: Vec<GetMetadataOption<'a>>,
        /// The mailbox, or `""` for server entries.
        mailbox: Mailbox<'a>,
        /// The entries asked for.
        entries: MetadataEntries<'a>,
    } = "GETMETADATA" / "getmetadata",
        states: AUTH, capability: Some(Capability::Metadata), uid: No,
        parse: parse_getmetadata, encode: encode_getmetadata;
    /// `setmetadata = "SETMETADATA" SP mailbox SP entry-values` (RFC 5464 §4.3).
    SetMetadata {
        /// The mailbox, or `""` for server entries.
        mailbox: Mailbox<'a>,
        /// The entries and their new values (NIL removes one).
        values: NonEmpty<EntryValue<'a>>,
    } = "SETMETADATA" / "setmetadata",
        states: AUTH, capability: Some(Capability::Metadata), uid: No,
        parse: parse_setmetadata, encode: encode_setmetadata;
    /// `replace = "REPLACE" SP seq-number SP mailbox append-message` (RFC 8508 §5), or
    /// `UID REPLACE` ([`crate::ext::replace`]).
    Replace {
        /// `UID REPLACE`.
        uid: bool,
        /// The message to replace.
        number: SeqNumber,
        /// Where the new message goes.
        mailbox: Mailbox<'a>,
        /// The new message.
        message: AppendMessage<'a>,
    } = "REPLACE" / "replace",
        states: SELECTED, capability: Some(Capability::Replace), uid: Optional,
        parse: parse_replace, encode: encode_replace;
    /// `command-auth =/ "UNAUTHENTICATE"`, also in `command-select` (RFC 8437 §6;
    /// [`crate::ext::unauthenticate`]): back to the not-authenticated state.
    Unauthenticate = "UNAUTHENTICATE" / "unauthenticate",
        states: AUTH, capability: Some(Capability::Unauthenticate), uid: No,
        parse: unit, encode: unit;
    /// `language-cmd = "LANGUAGE" *(SP lang-range-quoted)` (RFC 5255 §3.5, valid in all
    /// states; [`crate::ext::language`]).
    Language {
        /// The language ranges asked for, in preference order; empty asks for the list.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        ranges: Vec<AString<'a>>,
    } = "LANGUAGE" / "language-cmd",
        states: ANY, capability: Some(Capability::Language), uid: No,
        parse: parse_language, encode: encode_language;
    /// `comparator-cmd = "COMPARATOR" *(SP comp-order-quoted)` (RFC 5255 §4.10;
    /// [`crate::ext::language`]).
    Comparator {
        /// The comparators, in preference order; empty asks for the active one.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        order: Vec<AString<'a>>,
    } = "COMPARATOR" / "comparator-cmd",
        states: AUTH, capability: Some(Capability::I18nLevel2), uid: No,
        parse: parse_comparator, encode: encode_comparator;
    /// `rlist = "RLIST" SP mailbox SP list_mailbox` (RFC 2193 §6;
    /// [`crate::ext::referrals`]): LIST including remote mailboxes.
    Rlist {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    } = "RLIST" / "rlist",
        states: AUTH, capability: Some(Capability::MailboxReferrals), uid: No,
        parse: parse_rlist, encode: encode_lsub;
    /// `rlsub = "RLSUB" SP mailbox SP list_mailbox` (RFC 2193 §6;
    /// [`crate::ext::referrals`]): LSUB including remote mailboxes.
    Rlsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    } = "RLSUB" / "rlsub",
        states: AUTH, capability: Some(Capability::MailboxReferrals), uid: No,
        parse: parse_rlsub, encode: encode_lsub;
    /// `"XLIST" SP mailbox SP list-mailbox`: Gmail's predecessor of SPECIAL-USE, a named
    /// legacy form ([`crate::ext::gmail`]); answered with `* XLIST` data.
    Xlist {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    } = "XLIST" / "xlist",
        states: AUTH, capability: Some(Capability::Xlist), uid: No,
        parse: parse_xlist, encode: encode_lsub;
    /// `genurlauth = "GENURLAUTH" 1*(SP url-rump SP mechanism)` (RFC 4467 §6.1, §9;
    /// [`crate::ext::urlauth`]).
    GenUrlauth {
        /// The URLs to authorize, with their mechanisms.
        requests: NonEmpty<UrlauthRequest<'a>>,
    } = "GENURLAUTH" / "genurlauth",
        states: AUTH, capability: Some(Capability::Urlauth), uid: No,
        parse: parse_genurlauth, encode: encode_genurlauth;
    /// `resetkey = "RESETKEY" [SP mailbox *(SP mechanism)]` (RFC 4467 §6.2, §9).
    ResetKey {
        /// The mailbox whose keys are reset; `None` resets every mailbox's.
        mailbox: Option<Mailbox<'a>>,
        /// The mechanisms to reset (only with a mailbox); empty for all.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
        mechanisms: Vec<UrlauthMechanism<'a>>,
    } = "RESETKEY" / "resetkey",
        states: AUTH, capability: Some(Capability::Urlauth), uid: No,
        parse: parse_resetkey, encode: encode_resetkey;
    /// `urlfetch = "URLFETCH" 1*(SP url-full)` (RFC 4467 §6.3, §9).
    UrlFetch {
        /// The URLs to fetch.
        urls: NonEmpty<AString<'a>>,
    } = "URLFETCH" / "urlfetch",
        states: AUTH, capability: Some(Capability::Urlauth), uid: No,
        parse: parse_urlfetch, encode: encode_urlfetch;
}

// The rows of the extension modules (ID, QUOTA, ACL, METADATA): their parsers, encoders and
// argument types.
use crate::ext::acl::{
    encode_mailbox_identifier, encode_setacl, parse_deleteacl, parse_getacl, parse_listrights,
    parse_myrights, parse_setacl,
};
use crate::ext::id::{IdParam, encode_id, parse_id};
use crate::ext::metadata::{
    EntryValue, GetMetadataOption, MetadataEntries, encode_getmetadata, encode_setmetadata,
    parse_getmetadata, parse_setmetadata,
};
use crate::ext::quota::{
    QuotaLimit, encode_getquota, encode_getquotaroot, encode_setquota, parse_getquota,
    parse_getquotaroot, parse_setquota,
};
use crate::ext::special_use::CreateParam;

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
/// (RFC 9051 §9, RFC 3501 §9).
///
/// ```
/// use mailproto_imap_codec::{Command, CommandBody, CommandKind, EncodeOptions};
/// let cmd = Command::parse(b"A142 SELECT INBOX\r\n").unwrap();
/// assert_eq!(cmd.tag.as_str(), "A142");
/// assert_eq!(cmd.body.kind(), CommandKind::Select);
/// assert_eq!(cmd.name(), "SELECT");
/// let mut out = Vec::new();
/// let _ = cmd.encode(&mut out, &EncodeOptions::default());
/// assert_eq!(out, b"A142 SELECT INBOX\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Command<'a> {
    /// The tag the server's completion response repeats.
    pub tag: Tag<'a>,
    /// The command and its arguments.
    pub body: CommandBody<'a>,
}

impl<'a> Command<'a> {
    /// A command with the given tag.
    pub fn new(tag: Tag<'a>, body: CommandBody<'a>) -> Self {
        Command { tag, body }
    }

    /// Parses exactly one complete command message including its final CRLF (literals
    /// inline), strictly (RFC 3501 §9 ∪ RFC 9051 §9, no extension in force).
    ///
    /// ```
    /// use mailproto_imap_codec::Command;
    /// let err = Command::parse(b"a1 NOOP  \r\n").unwrap_err();
    /// assert_eq!((err.offset, err.expected), (7, "CRLF"));
    /// ```
    pub fn parse(input: &'a [u8]) -> Result<Command<'a>, ParseError> {
        let cx = Ctx::new(&STRICT, Side::Client, input);
        command_message(input, &cx)
    }

    /// Parses one complete command message under `options`: the profile (strict, or
    /// real-world with each deviation reported) and the extensions in force (which open the
    /// RFC 4466 slots, [`crate::ext::slots`]).
    ///
    /// ```
    /// use mailproto_imap_codec::context::DeviationId;
    /// use mailproto_imap_codec::{Command, ParseOptions, Profile};
    /// let rw = ParseOptions::default().with_profile(Profile::RealWorld);
    /// let parsed = Command::parse_with(b"A2 FETCH 1 FLAGS \r\n", &rw).unwrap();
    /// assert_eq!(parsed.value, Command::parse(b"A2 FETCH 1 FLAGS\r\n").unwrap());
    /// assert_eq!(parsed.deviations[0].id.id(), "trailing-space");
    /// assert_eq!(parsed.deviations[0].offset, 16);
    /// assert!(Command::parse_with(b"A2 FETCH 1 FLAGS \r\n", &ParseOptions::default()).is_err());
    /// ```
    pub fn parse_with(
        input: &'a [u8],
        options: &ParseOptions,
    ) -> Result<Parsed<Command<'a>>, ParseError> {
        let cx = Ctx::new(options, Side::Client, input);
        if !cx.real_world() {
            // Strict: the path of `parse` under these options, the value wrapped in place.
            return command_message(input, &cx).map(Parsed::strict);
        }
        // Real-world: the same first pass, the value built in place the same way with the
        // deviations taken just before it; a message with raw UTF-8 in a quoted string is
        // parsed again, and a failed one retried (both rare, out of line).
        command_message_into(
            input,
            &cx,
            |tag, body| {
                if cx.utf8_seen() {
                    // Raw UTF-8 in a quoted string (rare): the message again, the deviations
                    // merged with it (out of line).
                    drop((tag, body));
                    return Self::parse_with_utf8(input, options);
                }
                // Taken with no call on the way (a call between the arguments' parse and the
                // value would have the value copied): the value is built in place, as the
                // strict path builds it.
                let deviations = cx.take_recorded();
                Ok(Parsed {
                    value: Command { tag, body },
                    deviations,
                    unknown: UnknownItems::new(),
                })
            },
            |err| Self::parse_with_retries(input, options, err),
        )
    }

    /// [`Command::parse_with`] under the real-world profile for a message whose first pass
    /// read raw UTF-8 in a quoted string (`eight-bit-in-quoted`, merged by
    /// [`Ctx::finish`] with the other deviations in offset order): parsed again, out of line.
    #[cold]
    #[inline(never)]
    fn parse_with_utf8(
        input: &'a [u8],
        options: &ParseOptions,
    ) -> Result<Parsed<Command<'a>>, ParseError> {
        let cx = Ctx::new(options, Side::Client, input);
        command_message(input, &cx).map(|value| cx.finish(value))
    }

    /// The real-world profile's retries once the first pass of [`Command::parse_with`] failed
    /// with `err`: without a trailing SP (`parse_after_first_pass`), then the error-guided
    /// repairs of a copy (`repair.rs`).
    #[cold]
    #[inline(never)]
    fn parse_with_retries(
        input: &'a [u8],
        options: &ParseOptions,
        err: ParseError,
    ) -> Result<Parsed<Command<'a>>, ParseError> {
        match parse_after_first_pass(
            input,
            options,
            Side::Client,
            "command",
            err,
            parse_command_line,
        ) {
            Err(err) => {
                // The other deviations: error-guided repairs of a copy (`repair.rs`).
                crate::repair::repair(input, err, Side::Client, |bytes| {
                    parse_message_with(
                        bytes,
                        options,
                        Side::Client,
                        "command",
                        command_message,
                        parse_command_line,
                    )
                    .map(|p| p.map(crate::IntoStatic::into_static))
                })
            }
            ok => ok,
        }
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

    /// The kind of command.
    pub fn kind(&self) -> CommandKind {
        self.body.kind()
    }
}

/// The longest command name (`UNAUTHENTICATE`, RFC 8437) fits in this many bytes.
#[cfg(test)]
const NAME_MAX: usize = 14;

/// The key of `UID` (the prefix of the `uid` rule).
const UID: kind::NameKey = kind::name_key("UID");

/// `tag SP`: the tag, and the input after its SP.
#[inline(always)]
fn command_tag(i: &[u8]) -> PResult<'_, Tag<'_>> {
    let (rest, tag) = take_while(i, is_tag_char);
    if tag.is_empty() {
        return fail(i, "tag");
    }
    // A byte that is neither a tag character nor the SP after the tag is a bad tag character
    // (e.g. `+`, `(`, `*`): say so rather than "expected SP".
    match rest.first() {
        Some(b' ') => Ok((&rest[1..], Tag::from_checked(tag))),
        Some(b'\r' | b'\n') | None => fail(rest, "SP"),
        Some(_) => fail(rest, "tag"),
    }
}

/// What the command name says: the row, where its arguments start, and for the `uid` rule
/// where the input after `UID` starts.
struct Head<'a> {
    kind: CommandKind,
    args: &'a [u8],
    uid: Option<&'a [u8]>,
}

impl<'a> Head<'a> {
    /// Names an error of the arguments' parser as `rule(kind.rule(), ..)` (and for the UID
    /// form `rule("uid", ..)` around it) names it.
    #[cold]
    fn name_error(&self, e: &mut nom::Err<PErr<'a>>) {
        name_rule(e, self.kind.rule(), self.args);
        if let Some(at) = self.uid {
            name_rule(e, "uid", at);
        }
    }
}

/// The command name (after the tag's SP) and, after `UID`, the name of the UID form: the
/// row of that name (RFC 9051 §9 `command`, `uid`).
#[inline(always)]
fn command_head(i: &[u8]) -> Result<Head<'_>, nom::Err<PErr<'_>>> {
    let quick = kind::quick_name(i);
    if let Some((key, len)) = quick
        && let Some(kind) = lookup(key, false)
    {
        return Ok(Head {
            kind,
            args: &i[len..],
            uid: None,
        });
    }
    // `1*ATOM-CHAR`, then the row of that name (none has a name longer than 16 octets); a
    // quick `UID` is the exact one too (letters, then an octet that is no ATOM-CHAR).
    let (rest, key) = match quick {
        Some((UID, len)) => (&i[len..], Some(UID)),
        _ => {
            let (rest, name) = take_while(i, is_atom_char);
            (rest, kind::fold_name(i, name.len()))
        }
    };
    if key == Some(UID) {
        return match uid_head(rest) {
            Ok((args, kind)) => Ok(Head {
                kind,
                args,
                uid: Some(rest),
            }),
            Err(mut e) => {
                name_rule(&mut e, "uid", rest);
                Err(e)
            }
        };
    }
    match key.and_then(|k| lookup(k, false)) {
        Some(kind) => Ok(Head {
            kind,
            args: rest,
            uid: None,
        }),
        None => fail(i, "command").map(|(_, kind)| kind),
    }
}

/// `uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)`: the rows whose
/// [`UidForm`] allows the prefix.
#[inline]
fn uid_head(i: &[u8]) -> PResult<'_, CommandKind> {
    let (i, ()) = sp(i)?;
    if let Some((key, len)) = kind::quick_name(i)
        && let Some(kind) = lookup(key, true)
    {
        return Ok((&i[len..], kind));
    }
    // The names after `UID` are letters: a run of ATOM-CHARs with anything else in it names
    // no row.
    let (rest, name) = take_while(i, is_atom_char);
    match kind::fold_name(i, name.len()).and_then(|k| lookup(k, true)) {
        Some(kind) => Ok((rest, kind)),
        None => fail(i, "uid"),
    }
}

/// One whole command message, CRLF included: `parse_all(input, |i| message_line(i,
/// "command", |i| parse_command_line(i, cx)))` with the same values and errors, the value
/// built once at the end (a `Command` is large: it is not moved through nested results).
#[inline(always)]
fn command_message<'a>(input: &'a [u8], cx: &Ctx<'_>) -> Result<Command<'a>, ParseError> {
    command_message_into(input, cx, |tag, body| Ok(Command { tag, body }), Err)
}

/// [`command_message`] with the value built by `wrap` from the tag and the arguments once
/// they are all read, and the error handed to `fail`: the real-world `parse_with` checks for
/// deviations before the value is built and retries in `fail`, so that its value is built in
/// place as the strict path builds it (not moved through a second result).
#[inline(always)]
fn command_message_into<'a, W>(
    input: &'a [u8],
    cx: &Ctx<'_>,
    wrap: impl FnOnce(Tag<'a>, CommandBody<'a>) -> Result<W, ParseError>,
    fail: impl FnOnce(ParseError) -> Result<W, ParseError>,
) -> Result<W, ParseError> {
    let head = match command_tag(input) {
        Ok((i, tag)) => match command_head(i) {
            Ok(head) => (tag, head),
            Err(e) => return fail(message_error(input, "command", input, Some(e))),
        },
        Err(e) => return fail(message_error(input, "command", input, Some(e))),
    };
    let (tag, head) = head;
    match parse_args(head.kind, head.args, cx, head.uid.is_some()) {
        Ok(([b'\r', b'\n'], body)) => wrap(tag, body),
        Ok(([b'\r', b'\n', more @ ..], _)) => fail(trailing_bytes(input, more)),
        Ok((rest, _)) => fail(message_error(input, "command", rest, None)),
        Err(mut e) => {
            head.name_error(&mut e);
            fail(message_error(input, "command", input, Some(e)))
        }
    }
}

/// `command` without its final CRLF: tag, name, arguments.
#[inline]
fn parse_command_line<'a>(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Command<'a>> {
    let (i, tag) = command_tag(i)?;
    let head = command_head(i)?;
    match parse_args(head.kind, head.args, cx, head.uid.is_some()) {
        Ok((i, body)) => Ok((i, Command { tag, body })),
        Err(mut e) => {
            head.name_error(&mut e);
            Err(e)
        }
    }
}

// ---- the rows' parsers: `fn(input after the name, context, uid) -> CommandBody` ----

fn parse_authenticate<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    auth::parse_authenticate(i)
}

fn parse_login<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    auth::parse_login(i)
}

fn parse_enable<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    mailbox::parse_enable(i)
}

/// `SP mailbox [select-params]` of SELECT and EXAMINE.
#[inline(always)]
fn sp_mailbox_params<'a>(
    i: &'a [u8],
    cx: &Ctx<'_>,
) -> PResult<'a, (Mailbox<'a>, Vec<SelectParam<'a>>)> {
    let (i, mailbox) = sp_mailbox(i)?;
    let (i, params) = slots::parse_sp_params(i, cx, Slot::SelectParams)?;
    Ok((i, (mailbox, params)))
}

fn parse_select<'a>(i: &'a [u8], cx: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, (mailbox, params)) = sp_mailbox_params(i, cx)?;
    Ok((i, CommandBody::Select { mailbox, params }))
}

fn parse_examine<'a>(i: &'a [u8], cx: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, (mailbox, params)) = sp_mailbox_params(i, cx)?;
    Ok((i, CommandBody::Examine { mailbox, params }))
}

fn parse_create<'a>(i: &'a [u8], cx: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox(i)?;
    let (i, params) = crate::ext::special_use::parse_sp_create_params(i, cx)?;
    Ok((i, CommandBody::Create { mailbox, params }))
}

fn parse_delete<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox(i)?;
    Ok((i, CommandBody::Delete { mailbox }))
}

fn parse_rename<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, from) = sp_mailbox(i)?;
    let (i, to) = sp_mailbox(i)?;
    Ok((i, CommandBody::Rename { from, to }))
}

fn parse_subscribe<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox(i)?;
    Ok((i, CommandBody::Subscribe { mailbox }))
}

fn parse_unsubscribe<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, mailbox) = sp_mailbox(i)?;
    Ok((i, CommandBody::Unsubscribe { mailbox }))
}

fn parse_list<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    mailbox::parse_list(i)
}

fn parse_lsub<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    mailbox::parse_lsub(i)
}

fn parse_status<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    mailbox::parse_status(i)
}

fn parse_append<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    append::parse_append(i)
}

fn parse_replace<'a>(i: &'a [u8], _: &Ctx<'_>, uid: bool) -> PResult<'a, CommandBody<'a>> {
    crate::ext::replace::parse_replace(i, uid)
}

fn parse_language<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, ranges) = crate::ext::language::sp_astrings(i)?;
    Ok((i, CommandBody::Language { ranges }))
}

fn parse_comparator<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, order) = crate::ext::language::sp_astrings(i)?;
    Ok((i, CommandBody::Comparator { order }))
}

fn parse_genurlauth<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    crate::ext::urlauth::parse_genurlauth(i)
}

fn parse_resetkey<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    crate::ext::urlauth::parse_resetkey(i)
}

fn parse_urlfetch<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, urls) = crate::ext::urlauth::sp_astrings1::<true>(i)?;
    Ok((i, CommandBody::UrlFetch { urls }))
}

fn parse_rlist<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, (reference, pattern)) = crate::ext::referrals::sp_reference_pattern(i)?;
    Ok((i, CommandBody::Rlist { reference, pattern }))
}

fn parse_rlsub<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, (reference, pattern)) = crate::ext::referrals::sp_reference_pattern(i)?;
    Ok((i, CommandBody::Rlsub { reference, pattern }))
}

fn parse_xlist<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, (reference, pattern)) = crate::ext::referrals::sp_reference_pattern(i)?;
    Ok((i, CommandBody::Xlist { reference, pattern }))
}

/// `SP sequence-set` of `uid-expunge`.
fn parse_compress<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, algorithm) = crate::ext::compress::parse_sp_algorithm(i)?;
    Ok((i, CommandBody::Compress { algorithm }))
}

fn encode_compress(algorithm: &CompressionAlgorithm, e: &mut Encoder<'_>) {
    e.sp();
    algorithm.encode(e);
}

fn parse_uid_expunge<'a>(i: &'a [u8], _: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = SequenceSet::parse(i)?;
    Ok((i, CommandBody::UidExpunge { sequence_set }))
}

fn parse_search<'a>(i: &'a [u8], cx: &Ctx<'_>, uid: bool) -> PResult<'a, CommandBody<'a>> {
    search::parse_search(i, cx, uid)
}

fn parse_fetch<'a>(i: &'a [u8], cx: &Ctx<'_>, uid: bool) -> PResult<'a, CommandBody<'a>> {
    fetch::parse_fetch(i, cx, uid)
}

fn parse_store<'a>(i: &'a [u8], cx: &Ctx<'_>, uid: bool) -> PResult<'a, CommandBody<'a>> {
    store::parse_store(i, cx, uid)
}

fn parse_copy<'a>(i: &'a [u8], _: &Ctx<'_>, uid: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, (sequence_set, mailbox)) = sp_set_sp_mailbox(i)?;
    Ok((
        i,
        CommandBody::Copy {
            uid,
            sequence_set,
            mailbox,
        },
    ))
}

fn parse_move<'a>(i: &'a [u8], _: &Ctx<'_>, uid: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, (sequence_set, mailbox)) = sp_set_sp_mailbox(i)?;
    Ok((
        i,
        CommandBody::Move {
            uid,
            sequence_set,
            mailbox,
        },
    ))
}

/// `SP mailbox`
pub(crate) fn sp_mailbox(i: &[u8]) -> PResult<'_, Mailbox<'_>> {
    let (i, ()) = sp(i)?;
    Mailbox::parse::<true>(i)
}

/// `SP sequence-set SP mailbox` of COPY and MOVE.
fn sp_set_sp_mailbox(i: &[u8]) -> PResult<'_, (SequenceSet, Mailbox<'_>)> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = SequenceSet::parse(i)?;
    let (i, mailbox) = sp_mailbox(i)?;
    Ok((i, (sequence_set, mailbox)))
}

// ---- the rows' encoders: the fields, then the encoder; they write what follows the name ----

fn encode_authenticate(
    mechanism: &AuthMechanism<'_>,
    initial_response: &Option<Cow<'_, [u8]>>,
    e: &mut Encoder<'_>,
) {
    auth::encode_authenticate(mechanism, initial_response.as_deref(), e);
}

fn encode_login(username: &AString<'_>, password: &AString<'_>, e: &mut Encoder<'_>) {
    e.sp();
    username.encode(e);
    e.sp();
    password.encode(e);
}

fn encode_enable(capabilities: &NonEmpty<Capability<'_>>, e: &mut Encoder<'_>) {
    for c in capabilities {
        e.sp();
        c.encode(e);
    }
}

fn encode_select(mailbox: &Mailbox<'_>, params: &[SelectParam<'_>], e: &mut Encoder<'_>) {
    e.sp();
    mailbox.encode(e);
    slots::encode_sp_params(params, e);
}

fn encode_mailbox(mailbox: &Mailbox<'_>, e: &mut Encoder<'_>) {
    e.sp();
    mailbox.encode(e);
}

fn encode_create(mailbox: &Mailbox<'_>, params: &[CreateParam<'_>], e: &mut Encoder<'_>) {
    e.sp();
    mailbox.encode(e);
    crate::ext::special_use::encode_sp_create_params(params, e);
}

fn encode_rename(from: &Mailbox<'_>, to: &Mailbox<'_>, e: &mut Encoder<'_>) {
    e.sp();
    from.encode(e);
    e.sp();
    to.encode(e);
}

fn encode_list(
    selection: &Option<ListSelectOpts<'_>>,
    reference: &Mailbox<'_>,
    patterns: &MboxOrPat<'_>,
    return_opts: &Option<Vec<ListReturnOpt<'_>>>,
    e: &mut Encoder<'_>,
) {
    mailbox::encode_list(selection, reference, patterns, return_opts, e);
}

fn encode_lsub(reference: &Mailbox<'_>, pattern: &ListMailbox<'_>, e: &mut Encoder<'_>) {
    e.sp();
    reference.encode(e);
    e.sp();
    pattern.encode(e);
}

fn encode_status(mailbox: &Mailbox<'_>, items: &NonEmpty<StatusAttribute>, e: &mut Encoder<'_>) {
    e.sp();
    mailbox.encode(e);
    e.sp().paren_list(items, |e, a| a.encode(e));
}

fn encode_append(
    mailbox: &Mailbox<'_>,
    flags: &Option<Vec<Flag<'_>>>,
    date: &Option<DateTime>,
    message: &AppendData<'_>,
    more: &[AppendMessage<'_>],
    e: &mut Encoder<'_>,
) {
    append::encode_append(mailbox, flags.as_deref(), date.as_ref(), message, more, e);
}

fn encode_replace(
    _uid: &bool,
    number: &SeqNumber,
    mailbox: &Mailbox<'_>,
    message: &AppendMessage<'_>,
    e: &mut Encoder<'_>,
) {
    crate::ext::replace::encode_replace(number, mailbox, message, e);
}

fn encode_genurlauth(requests: &NonEmpty<UrlauthRequest<'_>>, e: &mut Encoder<'_>) {
    crate::ext::urlauth::encode_genurlauth(requests, e);
}

fn encode_resetkey(
    mailbox: &Option<Mailbox<'_>>,
    mechanisms: &[UrlauthMechanism<'_>],
    e: &mut Encoder<'_>,
) {
    crate::ext::urlauth::encode_resetkey(mailbox.as_ref(), mechanisms, e);
}

fn encode_urlfetch(urls: &NonEmpty<AString<'_>>, e: &mut Encoder<'_>) {
    crate::ext::urlauth::encode_sp_astrings1(urls, e);
}

fn encode_language(ranges: &[AString<'_>], e: &mut Encoder<'_>) {
    crate::ext::language::encode_sp_astrings(ranges, e);
}

fn encode_comparator(order: &[AString<'_>], e: &mut Encoder<'_>) {
    crate::ext::language::encode_sp_astrings(order, e);
}

fn encode_sequence_set(sequence_set: &SequenceSet, e: &mut Encoder<'_>) {
    e.sp();
    sequence_set.encode(e);
}

fn encode_search(
    _uid: &bool,
    return_opts: &Option<Vec<SearchReturnOpt<'_>>>,
    charset: &Option<AString<'_>>,
    criteria: &SearchProgram<'_>,
    e: &mut Encoder<'_>,
) {
    search::encode_search(return_opts.as_deref(), charset.as_ref(), criteria, e);
}

fn encode_fetch(
    _uid: &bool,
    sequence_set: &SequenceSet,
    items: &FetchItems<'_>,
    modifiers: &[FetchModifier<'_>],
    e: &mut Encoder<'_>,
) {
    e.sp();
    sequence_set.encode(e);
    e.sp();
    items.encode(e);
    slots::encode_sp_params(modifiers, e);
}

fn encode_store(
    _uid: &bool,
    sequence_set: &SequenceSet,
    modifiers: &[StoreModifier<'_>],
    action: &StoreAction,
    silent: &bool,
    flags: &StoreFlags<'_>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    sequence_set.encode(e);
    slots::encode_sp_params(modifiers, e);
    e.sp();
    store::encode_store_att(*action, *silent, flags, e);
}

fn encode_copy(
    _uid: &bool,
    sequence_set: &SequenceSet,
    mailbox: &Mailbox<'_>,
    e: &mut Encoder<'_>,
) {
    e.sp();
    sequence_set.encode(e);
    e.sp();
    mailbox.encode(e);
}

impl Encode for Command<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        self.tag.encode(e);
        e.sp();
        self.body.encode(e);
        e.crlf();
    }
}

/// Shared helpers for the command tests.
#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// Parses `line`, checks that encoding re-parses to the same value, and (for canonical
    /// input, `exact`) that the encoding is byte-identical. Returns the parsed command.
    pub(crate) fn roundtrip(line: &[u8], exact: bool) -> Command<'_> {
        roundtrip_with(line, exact, &crate::context::STRICT)
    }

    /// [`roundtrip`] with `options` in force (for the rows of an extension).
    pub(crate) fn roundtrip_with<'a>(
        line: &'a [u8],
        exact: bool,
        options: &crate::ParseOptions,
    ) -> Command<'a> {
        fn parse<'b>(b: &'b [u8], o: &crate::ParseOptions) -> Result<Command<'b>, ParseError> {
            Command::parse_with(b, o).map(|p| p.value)
        }
        let cmd = parse(line, options)
            .unwrap_or_else(|e| panic!("{:?} failed: {e} ({e:?})", String::from_utf8_lossy(line)));
        let mut out = Vec::new();
        let enc = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!((enc.start, enc.end), (0, out.len()));
        let again = parse(&out, options).unwrap_or_else(|e| {
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

    /// `Command::parse` (the head, the row and the value built once) against the general
    /// path it stands for (`parse_all` of `message_line` of `parse_command_line`): the same
    /// value or the same error (offset, expected rule, context, kind) for every one-octet
    /// change of a set of lines (tags, names, the UID form, arguments, CRLF, trailing bytes).
    #[test]
    fn the_whole_message_path_agrees_with_the_general_one() {
        let lines: [&[u8]; 8] = [
            b"A00001 SELECT \"Sent Items\"\r\n",
            b"a1 uid fetch 1:5 (UID FLAGS)\r\n",
            b"a2 LOGIN bob \"p\\\"q\"\r\n",
            b"a3 UID EXPUNGE 3000:3002\r\n",
            b"a4 NOOP\r\n",
            b"a5 UID STORE 1 +FLAGS.SILENT (\\Seen)\r\n",
            b"a6 SEARCH SINCE 1-Feb-2024 UNSEEN\r\n",
            b"a7 UNAUTHENTICATE\r\n",
        ];
        let mut checked = 0;
        for line in lines {
            let mut inputs = vec![line.to_vec(), line[..line.len() - 2].to_vec()];
            for at in 0..line.len() {
                for b in [b' ', b'\r', b'\n', b'x', b'+', b'(', b'"', b'1', b'U', 0x80] {
                    let mut m = line.to_vec();
                    m[at] = b;
                    inputs.push(m);
                }
                let mut m = line.to_vec();
                m.remove(at);
                inputs.push(m);
            }
            let mut more = line.to_vec();
            more.extend_from_slice(b"a NOOP\r\n");
            inputs.push(more);
            for input in &inputs {
                let fast = Command::parse(input);
                let cx = Ctx::new(&STRICT, Side::Client, input);
                let general = crate::parse::parse_all(input, |i| {
                    crate::parse::message_line(i, "command", |i| parse_command_line(i, &cx))
                });
                assert_eq!(fast, general, "{:?}", String::from_utf8_lossy(input));
                checked += 1;
            }
        }
        assert!(checked > 1_500, "{checked}");
    }

    /// The name table against a scan of the rows: for every name of the table (and the
    /// one-octet changes of each), with and without `UID`, `lookup` finds the first row with
    /// that name whose form allows the prefix, and nothing when there is none.
    #[test]
    fn the_name_table_finds_exactly_the_rows_of_each_name_and_form() {
        let wires: Vec<&str> = CommandKind::ALL
            .iter()
            .map(|k| k.name().trim_start_matches("UID "))
            .collect();
        let mut names: Vec<Vec<u8>> = wires.iter().map(|w| w.as_bytes().to_vec()).collect();
        for w in &wires {
            for at in 0..w.len() {
                for b in [b'A', b'Z', b'E', b'_'] {
                    let mut m = w.as_bytes().to_vec();
                    m[at] = b;
                    names.push(m);
                }
            }
        }
        let mut found = 0;
        for name in &names {
            let Some(key) = kind::fold_name(name, name.len()) else {
                continue;
            };
            for uid in [false, true] {
                let scan = CommandKind::ALL
                    .iter()
                    .zip(&wires)
                    .find(|(k, w)| w.as_bytes() == &name[..] && k.uid_form().allows(uid))
                    .map(|(k, _)| *k);
                assert_eq!(
                    lookup(key, uid),
                    scan,
                    "{:?} uid {uid}",
                    String::from_utf8_lossy(name)
                );
                found += usize::from(scan.is_some());
            }
        }
        // Every row once per allowed form, at least.
        assert!(found >= CommandKind::ALL.len(), "{found}");
    }

    /// The quick name scan against the exact one (`1*ATOM-CHAR`, then the folded key): where
    /// the quick one finds a row, the exact one finds the same row and the same end, for every
    /// name of the table in both cases and every one-octet change of it, followed by every
    /// octet and then more input (both forms: with and without `UID`).
    #[test]
    fn the_quick_name_scan_agrees_with_the_exact_one() {
        let mut hits = 0;
        let uid = ["UID"];
        let names = CommandKind::ALL.iter().map(|k| k.name()).chain(uid);
        for name in names {
            let wire = name.trim_start_matches("UID ");
            let mut names = vec![wire.as_bytes().to_vec(), wire.to_lowercase().into_bytes()];
            for at in 0..wire.len() {
                for b in [b'a', b'Z', b'1', b']', b'(', b' ', b'\r', 0x80, 0x41 | 0x80] {
                    let mut m = wire.as_bytes().to_vec();
                    m[at] = b;
                    names.push(m);
                }
            }
            for name in names {
                for end in 0..=255u8 {
                    let mut input = name.clone();
                    input.push(end);
                    input.extend_from_slice(b"1:5 (FLAGS) more\r\n");
                    for uid in [false, true] {
                        let Some((key, len)) = kind::quick_name(&input) else {
                            continue;
                        };
                        if key == UID {
                            let (_, exact) = take_while(&input, is_atom_char);
                            assert_eq!(exact.len(), len, "{:?}", String::from_utf8_lossy(&input));
                        }
                        let Some(found) = lookup(key, uid) else {
                            continue;
                        };
                        hits += 1;
                        let (_, exact) = take_while(&input, is_atom_char);
                        let key = kind::fold_name(&input, exact.len());
                        assert_eq!(
                            (key.and_then(|k| lookup(k, uid)), exact.len()),
                            (Some(found), len),
                            "{:?}",
                            String::from_utf8_lossy(&input)
                        );
                    }
                }
            }
        }
        assert!(hits > 5_000, "{hits}");
    }

    /// Commands for [`parse_with_agrees_with_the_generic_path`]: ones that record deviations
    /// in the first pass (`extension-not-in-force`), raw UTF-8 in quoted strings
    /// (`eight-bit-in-quoted`, RFC 6855 §3), both, and plain ones.
    const PARSE_WITH_SEEDS: &[&str] = &[
        "a SELECT \"Caf\u{e9}\" (CONDSTORE)\r\n",
        "a SELECT INBOX (CONDSTORE)\r\n",
        "a FETCH 1:4 (FLAGS MODSEQ)\r\n",
        "a UID FETCH 1 (UID) (CHANGEDSINCE 12 VANISHED)\r\n",
        "a LOGIN \"j\u{f6}rg\" \"p\u{e4}ss\"\r\n",
        "a SEARCH SUBJECT \"\u{65e5}\u{672c}\" MODSEQ 5\r\n",
        "a UID STORE 1:* (UNCHANGEDSINCE 3) +FLAGS.SILENT (\\Seen)\r\n",
        "a CREATE \"x\" (USE (\\Drafts))\r\n",
        "a NOOP\r\n",
    ];

    fn parse_with_input() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let bytes: &[u8] = b" \"()\\xA\r\n\xc3\xa9\xe9";
        (
            proptest::sample::select(PARSE_WITH_SEEDS),
            proptest::collection::vec(
                (
                    any::<proptest::sample::Index>(),
                    proptest::sample::select(bytes),
                    0..3u8,
                ),
                0..3,
            ),
        )
            .prop_map(|(seed, edits)| {
                let mut v = seed.as_bytes().to_vec();
                for (at, b, op) in edits {
                    let i = at.index(v.len());
                    match op {
                        0 => v.insert(i, b),
                        1 => v[i] = b,
                        _ => {
                            v.remove(i);
                        }
                    }
                }
                v
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// `Command::parse_with` (the value built in place, the deviations taken without
        /// `Ctx::finish`, raw UTF-8 parsed again) gives what the generic path gives (one
        /// pass, `Ctx::finish`): the same value, deviations (ids, offsets, order) and errors,
        /// under both profiles and with UTF8=ACCEPT in force. The real-world repairs of a
        /// failed message are `parse_with`'s own (the generic path has none): compared only
        /// where the generic path accepts or strict refuses.
        #[test]
        fn parse_with_agrees_with_the_generic_path(input in parse_with_input()) {
            let rw = ParseOptions::default().with_profile(crate::Profile::RealWorld);
            for options in [
                ParseOptions::default(),
                rw.clone(),
                rw.clone().with_extension(crate::Extension::Utf8Accept),
            ] {
                let generic = parse_message_with(
                    &input,
                    &options,
                    Side::Client,
                    "command",
                    command_message,
                    parse_command_line,
                );
                let ours = Command::parse_with(&input, &options);
                if generic.is_ok() || options.profile == crate::Profile::Strict {
                    proptest::prop_assert_eq!(ours, generic);
                }
            }
        }
    }

    #[test]
    fn parse_with_seeds_record_what_they_should() {
        let rw = ParseOptions::default().with_profile(crate::Profile::RealWorld);
        let ids = |line: &str| -> Vec<(&'static str, usize)> {
            Command::parse_with(line.as_bytes(), &rw)
                .unwrap()
                .deviations
                .iter()
                .map(|d| (crate::context::DeviationId::id(d.id), d.offset))
                .collect()
        };
        // Raw UTF-8 before a deviation of the first pass: merged in offset order.
        assert_eq!(
            ids(PARSE_WITH_SEEDS[0]),
            [("eight-bit-in-quoted", 13), ("extension-not-in-force", 17)]
        );
        assert_eq!(ids(PARSE_WITH_SEEDS[1]), [("extension-not-in-force", 15)]);
        assert_eq!(ids(PARSE_WITH_SEEDS[4]), [("eight-bit-in-quoted", 10)]);
        assert!(ids(PARSE_WITH_SEEDS[8]).is_empty());
    }

    /// The table: kinds are unique by name, and every kind's name parses back to that kind.
    #[test]
    fn the_command_table() {
        let mut names: Vec<&str> = CommandKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CommandKind::ALL.len());
        for kind in CommandKind::ALL {
            assert!(
                kind.name().trim_start_matches("UID ").len() <= NAME_MAX,
                "{kind:?}"
            );
            let line = format!("a {}\r\n", kind.name());
            match Command::parse(line.as_bytes()) {
                // Commands without arguments.
                Ok(c) => {
                    assert_eq!(c.kind(), *kind);
                    assert_eq!(kind.uid_form(), UidForm::No);
                }
                // The others are recognized by name and fail where their arguments start.
                Err(e) => {
                    assert_eq!(e.offset, line.len() - 2, "{line}: {e:?}")
                }
            }
        }
        let c = Command::parse(b"a uid fetch 1 FLAGS\r\n").unwrap();
        assert_eq!(
            (c.kind(), c.body.is_uid(), c.name()),
            (CommandKind::Fetch, true, "UID FETCH")
        );
        let c = Command::parse(b"a UID EXPUNGE 1\r\n").unwrap();
        assert_eq!((c.kind(), c.body.is_uid()), (CommandKind::UidExpunge, true));
        assert_eq!(CommandKind::Login.states(), States::NOT_AUTH);
        assert_eq!(CommandKind::Move.capability(), Some(Capability::Move));
        assert_eq!(CommandKind::Fetch.capability(), None);
    }

    /// `trailing-space` (real-world profile): one SP before the final CRLF.
    #[test]
    fn trailing_space_by_profile() {
        use crate::context::{DeviationId, Profile};
        let rw = ParseOptions::default().with_profile(Profile::RealWorld);
        for line in [
            &b"A1 NOOP \r\n"[..],
            b"A2 FETCH 1 FLAGS \r\n",
            b"A3 SEARCH ALL \r\n",
            b"A4 UID STORE 1 +FLAGS (\\Seen) \r\n",
            b"A5 LOGIN {5}\r\nalice pw \r\n",
        ] {
            // The SP before the final CRLF.
            let at = line.len() - 3;
            let e = Command::parse(line).unwrap_err();
            assert!(e.offset >= at, "{line:?}: {e:?}");
            let e2 = Command::parse_with(line, &ParseOptions::default()).unwrap_err();
            assert_eq!(e, e2);
            let parsed = Command::parse_with(line, &rw).unwrap();
            let mut clean = line[..line.len() - 3].to_vec();
            clean.extend_from_slice(b"\r\n");
            assert_eq!(parsed.value, Command::parse(&clean).unwrap());
            assert_eq!(parsed.deviations.len(), 1);
            let d = &parsed.deviations[0];
            assert_eq!((d.id.id(), d.offset), ("trailing-space", at));
            assert_eq!(line[d.offset], b' ');
        }
        // Well-formed input: no deviation; anything else keeps the strict error.
        let p = Command::parse_with(b"A1 NOOP\r\n", &rw).unwrap();
        assert!(p.deviations.is_empty());
        for (line, at, rule) in [
            (&b"A1 NOOP  \r\n"[..], 7, "CRLF"),
            (b"A1 NOOP \n", 7, "CRLF"),
            (b"A1 FOO \r\n", 3, "command"),
            (b"A1 LOGIN \r\n", 9, "userid"),
        ] {
            let e = Command::parse_with(line, &rw).unwrap_err();
            assert_eq!((e.offset, e.expected), (at, rule), "{line:?}");
        }
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
                mailbox: Mailbox::Inbox,
                params: Vec::new(),
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
