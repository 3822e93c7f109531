//! NOTIFY (RFC 5465): the NOTIFY command and the NOTIFICATIONOVERFLOW code.
//!
//! RFC 5465 §8 (formal syntax), the rules this module has:
//!
//! ```text
//! capability      =/ "NOTIFY"
//! command-auth    =/ notify
//! notify          = "NOTIFY" SP (notify-set / notify-none)
//! notify-set      = "SET" [status-indicator] SP event-groups
//! notify-none     = "NONE"
//! status-indicator = SP "STATUS"
//! one-or-more-mailbox = mailbox / many-mailboxes
//! many-mailboxes  = "(" mailbox *(SP mailbox) ")"
//! event-groups    = event-group *(SP event-group)
//! event-group     = "(" filter-mailboxes SP events ")"
//!                 ;; Only <message-event>s are allowed in <events>
//!                 ;; when <filter-mailboxes-selected> is used.
//! filter-mailboxes = filter-mailboxes-selected / filter-mailboxes-other
//! filter-mailboxes-other = "inboxes" / "personal" / "subscribed" /
//!                 ( "subtree" SP one-or-more-mailbox ) /
//!                 ( "mailboxes" SP one-or-more-mailbox )
//! filter-mailboxes-selected = "selected" / "selected-delayed"
//! events          = ( "(" event *(SP event) ")" ) / "NONE"
//! event           = message-event / mailbox-event / user-event / event-ext
//! message-event   = ( "MessageNew" [SP "(" fetch-att *(SP fetch-att) ")" ] )
//!                 / "MessageExpunge" / "FlagChange" / "AnnotationChange"
//!                 ;; The fetch-att list may only be present for the
//!                 ;; SELECTED/SELECTED-DELAYED mailbox filter
//! mailbox-event   = "MailboxName" / "SubscriptionChange" / "MailboxMetadataChange"
//! user-event      = "ServerMetadataChange"
//! event-ext       = atom
//! resp-text-code  =/ "NOTIFICATIONOVERFLOW" / unsupported-events-code
//! ```
//!
//! - The command is the `Notify` row of the command table ([`crate::command::CommandBody::Notify`],
//!   valid when authenticated or selected, capability `NOTIFY`), with [`NotifySet`].
//! - The two constraints the grammar states in its comments are enforced, so that a value
//!   the grammar forbids cannot be built: with `selected` / `selected-delayed` only
//!   message events (or unknown `event-ext` atoms) are allowed, and only there may
//!   `MessageNew` carry a fetch-att list (an error `event` otherwise). The other rules of
//!   §5 (MessageNew and MessageExpunge together, FlagChange only with both) are server
//!   checks, answered with `BAD`; they are not grammar.
//! - `NOTIFICATIONOVERFLOW` (§5.8) is [`crate::response::Code::NotificationOverflow`].
//! - The data NOTIFY makes the server send are the base responses (`STATUS`, `LIST` with the
//!   `OLDNAME` extended item of §5.4, `FETCH`, `EXPUNGE`), all in the response tables.
//! - `unsupported-events-code = "BADEVENT" SP "(" event-name *(SP event-name) ")"` with
//!   `event-name = message-event-name / mailbox-event / user-event` (§3.1, §8):
//!   [`crate::response::Code::BadEvent`] with [`EventName`]s (no `event-ext` there).
//! - Not here: the `\NoAccess` LIST attribute is an ordinary `mbx-list-oflag` extension
//!   flag; `modifier-update` belongs to RFC 5267 (branch `sync`).
//!
//! The command and code names are new, so the grammar does not depend on advertising.

use crate::command::{CommandBody, FetchAtt};
use crate::context::Ctx;
use crate::core::{Atom, IntoStatic};
use crate::encode::{Encode, Encoder};
use crate::error::{ErrorKind, PResult, ValidationError, fail, fail_kind};
use crate::ext::NonEmpty;
use crate::mailbox::Mailbox;
use crate::parse::{is_atom_char, paren_list, rparen, sp, starts_with_ci, take_while1};

/// `notify-set = "SET" [status-indicator] SP event-groups` (RFC 5465 §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NotifySet<'a> {
    /// `status-indicator = SP "STATUS"`: send STATUS for the mailboxes now (§3.1).
    pub status: bool,
    /// `event-groups`
    pub groups: NonEmpty<EventGroup<'a>>,
}

/// `event-group = "(" filter-mailboxes SP events ")"` (RFC 5465 §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EventGroup<'a> {
    filter: FilterMailboxes<'a>,
    events: Events<'a>,
}

impl<'a> EventGroup<'a> {
    /// A group; fails (rule `event`) when `filter` is not `selected` / `selected-delayed`
    /// and `events` has a mailbox or user event or a `MessageNew` with fetch items.
    pub fn new(filter: FilterMailboxes<'a>, events: Events<'a>) -> Result<Self, ValidationError> {
        if let Some(p) = first_misplaced(&filter, &events) {
            return Err(ValidationError::new("event", Some(p)));
        }
        Ok(EventGroup { filter, events })
    }

    /// The mailboxes.
    pub fn filter(&self) -> &FilterMailboxes<'a> {
        &self.filter
    }

    /// The events.
    pub fn events(&self) -> &Events<'a> {
        &self.events
    }
}

/// The index of the first event `events` may not have under `filter`.
fn first_misplaced(filter: &FilterMailboxes<'_>, events: &Events<'_>) -> Option<usize> {
    let Events::List(list) = events else {
        return None;
    };
    let selected = filter.is_selected();
    list.iter().position(|e| {
        if selected {
            matches!(
                e,
                Event::MailboxName
                    | Event::SubscriptionChange
                    | Event::MailboxMetadataChange
                    | Event::ServerMetadataChange
            )
        } else {
            matches!(e, Event::MessageNew(Some(_)))
        }
    })
}

/// `filter-mailboxes` (RFC 5465 §6, §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FilterMailboxes<'a> {
    /// `selected` (§6.1.1)
    Selected,
    /// `selected-delayed` (§6.1.2)
    SelectedDelayed,
    /// `inboxes` (§6.3)
    Inboxes,
    /// `personal` (§6.2)
    Personal,
    /// `subscribed` (§6.4)
    Subscribed,
    /// `subtree SP one-or-more-mailbox` (§6.5)
    Subtree(OneOrMoreMailbox<'a>),
    /// `mailboxes SP one-or-more-mailbox` (§6.6)
    Mailboxes(OneOrMoreMailbox<'a>),
}

impl FilterMailboxes<'_> {
    /// `filter-mailboxes-selected`: the currently selected mailbox.
    pub fn is_selected(&self) -> bool {
        matches!(
            self,
            FilterMailboxes::Selected | FilterMailboxes::SelectedDelayed
        )
    }
}

/// `one-or-more-mailbox = mailbox / many-mailboxes` (RFC 5465 §8); the form is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum OneOrMoreMailbox<'a> {
    /// `mailbox`
    One(Mailbox<'a>),
    /// `many-mailboxes = "(" mailbox *(SP mailbox) ")"`
    Many(NonEmpty<Mailbox<'a>>),
}

/// `events = ( "(" event *(SP event) ")" ) / "NONE"` (RFC 5465 §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Events<'a> {
    /// The events to report.
    List(NonEmpty<Event<'a>>),
    /// `NONE`: no events for these mailboxes.
    None,
}

/// `event` (RFC 5465 §5, §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Event<'a> {
    /// `"MessageNew" [SP "(" fetch-att *(SP fetch-att) ")"]` (§5.2)
    MessageNew(Option<NonEmpty<FetchAtt<'a>>>),
    /// `MessageExpunge` (§5.3)
    MessageExpunge,
    /// `FlagChange` (§5.1)
    FlagChange,
    /// `AnnotationChange` (§5.1)
    AnnotationChange,
    /// `MailboxName` (§5.4)
    MailboxName,
    /// `SubscriptionChange` (§5.5)
    SubscriptionChange,
    /// `MailboxMetadataChange` (§5.6)
    MailboxMetadataChange,
    /// `ServerMetadataChange` (§5.7)
    ServerMetadataChange,
    /// `event-ext = atom`: an event this crate does not know (never one of the names above).
    Other(EventExt<'a>),
}

/// The event names of RFC 5465, in the case the RFC writes them.
const EVENT_NAMES: [&str; 8] = [
    "MessageNew",
    "MessageExpunge",
    "FlagChange",
    "AnnotationChange",
    "MailboxName",
    "SubscriptionChange",
    "MailboxMetadataChange",
    "ServerMetadataChange",
];

/// `event-ext = atom` (RFC 5465 §8), other than the event names the RFC defines.
///
/// ```
/// use mailproto_imap_codec::ext::notify::EventExt;
/// assert!(EventExt::new("X-Custom").is_ok());
/// assert!(EventExt::new("messagenew").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct EventExt<'a>(Atom<'a>);

impl<'a> EventExt<'a> {
    /// Checks that `name` is an atom and no RFC 5465 event name.
    pub fn new(name: impl Into<std::borrow::Cow<'a, str>>) -> Result<Self, ValidationError> {
        let atom = Atom::new(name)?;
        if EVENT_NAMES
            .iter()
            .any(|n| n.eq_ignore_ascii_case(atom.as_str()))
        {
            return Err(ValidationError::new("event-ext", Some(0)));
        }
        Ok(EventExt(atom))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// `event-name = message-event-name / mailbox-event / user-event` (RFC 5465 §8): an event
/// named in a `BADEVENT` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum EventName {
    /// `MessageNew`
    MessageNew,
    /// `MessageExpunge`
    MessageExpunge,
    /// `FlagChange`
    FlagChange,
    /// `AnnotationChange`
    AnnotationChange,
    /// `MailboxName`
    MailboxName,
    /// `SubscriptionChange`
    SubscriptionChange,
    /// `MailboxMetadataChange`
    MailboxMetadataChange,
    /// `ServerMetadataChange`
    ServerMetadataChange,
}

impl EventName {
    /// Every name, in the RFC's order.
    pub const ALL: [EventName; 8] = [
        EventName::MessageNew,
        EventName::MessageExpunge,
        EventName::FlagChange,
        EventName::AnnotationChange,
        EventName::MailboxName,
        EventName::SubscriptionChange,
        EventName::MailboxMetadataChange,
        EventName::ServerMetadataChange,
    ];

    /// The name as the RFC writes it.
    pub fn as_str(self) -> &'static str {
        EVENT_NAMES[self as usize]
    }

    fn parse(i: &[u8]) -> PResult<'_, Self> {
        let (rest, name) = take_while1(i, is_atom_char, "event-name")?;
        for n in EventName::ALL {
            if name.eq_ignore_ascii_case(n.as_str().as_bytes()) {
                return Ok((rest, n));
            }
        }
        fail(i, "event-name")
    }
}

impl IntoStatic for EventName {
    type Static = EventName;
    fn into_static(self) -> EventName {
        self
    }
}

/// The row parser of the `BADEVENT` code: `SP "(" event-name *(SP event-name) ")"`.
pub(crate) fn parse_badevent<'a>(i: &'a [u8], _: &Ctx<'_>) -> PResult<'a, NonEmpty<EventName>> {
    let (i, ()) = sp(i)?;
    let (i, names) = paren_list(i, false, EventName::parse)?;
    Ok((i, NonEmpty::from_parsed(names)))
}

/// The row encoder of the `BADEVENT` code.
pub(crate) fn encode_badevent(names: &NonEmpty<EventName>, e: &mut Encoder<'_>) {
    e.sp().paren_list(names, |e, n| {
        e.raw(n.as_str().as_bytes());
    });
}

/// A keyword followed by a delimiter (not by more atom characters).
fn word(i: &[u8], kw: &str) -> bool {
    starts_with_ci(i, kw.as_bytes()) && !i.get(kw.len()).is_some_and(|&b| is_atom_char(b))
}

impl<'a> OneOrMoreMailbox<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        if i.first() == Some(&b'(') {
            let (r, list) = paren_list(i, false, Mailbox::parse::<true>)?;
            return Ok((r, OneOrMoreMailbox::Many(NonEmpty::from_parsed(list))));
        }
        Mailbox::parse::<true>(i).map(|(r, m)| (r, OneOrMoreMailbox::One(m)))
    }
}

impl Encode for OneOrMoreMailbox<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            OneOrMoreMailbox::One(m) => m.encode(e),
            OneOrMoreMailbox::Many(list) => {
                e.paren_list(list, |e, m| m.encode(e));
            }
        }
    }
}

impl<'a> FilterMailboxes<'a> {
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        // "selected-delayed" before "selected": the longer name first.
        for (kw, f) in [
            ("selected-delayed", FilterMailboxes::SelectedDelayed),
            ("selected", FilterMailboxes::Selected),
            ("inboxes", FilterMailboxes::Inboxes),
            ("personal", FilterMailboxes::Personal),
            ("subscribed", FilterMailboxes::Subscribed),
        ] {
            if word(i, kw) {
                return Ok((&i[kw.len()..], f));
            }
        }
        if word(i, "subtree") {
            let (r, ()) = sp(&i[7..])?;
            return OneOrMoreMailbox::parse(r).map(|(r, m)| (r, FilterMailboxes::Subtree(m)));
        }
        if word(i, "mailboxes") {
            let (r, ()) = sp(&i[9..])?;
            return OneOrMoreMailbox::parse(r).map(|(r, m)| (r, FilterMailboxes::Mailboxes(m)));
        }
        fail(i, "filter-mailboxes")
    }
}

impl Encode for FilterMailboxes<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            FilterMailboxes::Selected => e.raw(b"SELECTED"),
            FilterMailboxes::SelectedDelayed => e.raw(b"SELECTED-DELAYED"),
            FilterMailboxes::Inboxes => e.raw(b"INBOXES"),
            FilterMailboxes::Personal => e.raw(b"PERSONAL"),
            FilterMailboxes::Subscribed => e.raw(b"SUBSCRIBED"),
            FilterMailboxes::Subtree(m) => {
                e.raw(b"SUBTREE ");
                m.encode(e);
                e
            }
            FilterMailboxes::Mailboxes(m) => {
                e.raw(b"MAILBOXES ");
                m.encode(e);
                e
            }
        };
    }
}

impl<'a> Event<'a> {
    fn parse(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self> {
        let (rest, name) = take_while1(i, is_atom_char, "event")?;
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let event = if is("MessageNew") {
            if rest.starts_with(b" (") {
                let (r, atts) = paren_list(&rest[1..], false, |j| {
                    crate::ext::preview::fetch_att(j, cx, true)
                })?;
                return Ok((r, Event::MessageNew(Some(NonEmpty::from_parsed(atts)))));
            }
            Event::MessageNew(None)
        } else if is("MessageExpunge") {
            Event::MessageExpunge
        } else if is("FlagChange") {
            Event::FlagChange
        } else if is("AnnotationChange") {
            Event::AnnotationChange
        } else if is("MailboxName") {
            Event::MailboxName
        } else if is("SubscriptionChange") {
            Event::SubscriptionChange
        } else if is("MailboxMetadataChange") {
            Event::MailboxMetadataChange
        } else if is("ServerMetadataChange") {
            Event::ServerMetadataChange
        } else {
            Event::Other(EventExt(Atom::from_checked(name)))
        };
        Ok((rest, event))
    }
}

impl Encode for Event<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        let name = match self {
            Event::MessageNew(atts) => {
                e.raw(b"MessageNew");
                if let Some(atts) = atts {
                    e.sp().paren_list(atts, |e, a| a.encode(e));
                }
                return;
            }
            Event::MessageExpunge => EVENT_NAMES[1],
            Event::FlagChange => EVENT_NAMES[2],
            Event::AnnotationChange => EVENT_NAMES[3],
            Event::MailboxName => EVENT_NAMES[4],
            Event::SubscriptionChange => EVENT_NAMES[5],
            Event::MailboxMetadataChange => EVENT_NAMES[6],
            Event::ServerMetadataChange => EVENT_NAMES[7],
            Event::Other(x) => x.as_str(),
        };
        e.raw(name.as_bytes());
    }
}

impl<'a> EventGroup<'a> {
    fn parse(i: &'a [u8], cx: &Ctx<'_>) -> PResult<'a, Self> {
        let (r, ()) = crate::parse::lparen(i)?;
        let (r, filter) = FilterMailboxes::parse(r)?;
        let (r, ()) = sp(r)?;
        let events_at = r;
        let (r, events) = if word(r, "NONE") {
            (&r[4..], Events::None)
        } else {
            let (r, list) = paren_list(r, false, |j| Event::parse(j, cx)).map_err(|e| {
                e.map(|mut e| {
                    if e.input.len() == events_at.len() {
                        e.expected = "events";
                    }
                    e
                })
            })?;
            (r, Events::List(NonEmpty::from_parsed(list)))
        };
        if first_misplaced(&filter, &events).is_some() {
            return fail_kind(events_at, "event", ErrorKind::InvalidValue);
        }
        let (r, ()) = rparen(r)?;
        Ok((r, EventGroup { filter, events }))
    }
}

impl Encode for EventGroup<'_> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.byte(b'(');
        self.filter.encode(e);
        e.sp();
        match &self.events {
            Events::None => {
                e.raw(b"NONE");
            }
            Events::List(list) => {
                e.paren_list(list, |e, ev| ev.encode(e));
            }
        }
        e.byte(b')');
    }
}

/// The row parser of NOTIFY: `SP (notify-set / notify-none)` after the name.
pub(crate) fn parse_notify<'a>(i: &'a [u8], cx: &Ctx<'_>, _: bool) -> PResult<'a, CommandBody<'a>> {
    let (i, ()) = sp(i)?;
    if word(i, "NONE") {
        return Ok((&i[4..], CommandBody::Notify { set: None }));
    }
    if !word(i, "SET") {
        return fail(i, "notify");
    }
    let mut r = &i[3..];
    let status = r.len() > 7 && word(&r[1..], "STATUS") && r[0] == b' ';
    if status {
        r = &r[7..];
    }
    let (mut r, ()) = sp(r)?;
    let mut groups = Vec::new();
    loop {
        let (rest, g) = EventGroup::parse(r, cx)?;
        groups.push(g);
        if rest.first() == Some(&b' ') && rest.get(1) == Some(&b'(') {
            r = &rest[1..];
        } else {
            r = rest;
            break;
        }
    }
    Ok((
        r,
        CommandBody::Notify {
            set: Some(NotifySet {
                status,
                groups: NonEmpty::from_parsed(groups),
            }),
        },
    ))
}

/// The row encoder of NOTIFY.
pub(crate) fn encode_notify(set: &Option<NotifySet<'_>>, e: &mut Encoder<'_>) {
    match set {
        None => {
            e.raw(b" NONE");
        }
        Some(set) => {
            e.raw(if set.status { b" SET STATUS" } else { b" SET" });
            for g in &set.groups {
                e.sp();
                g.encode(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Code, CodeKind};
    use crate::{Command, Response};

    fn cmd(line: &[u8]) -> Command<'_> {
        let c = Command::parse(line).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let _ = c.encode(&mut out, &Default::default());
        let again = Command::parse(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, c);
        c
    }

    fn set(c: &Command<'_>) -> Option<NotifySet<'static>> {
        let CommandBody::Notify { set } = &c.body else {
            panic!("{c:?}")
        };
        set.clone().into_static()
    }

    /// RFC 5465 §3.1 and §6 examples (the §3.1 ones wrap over two lines in the RFC).
    #[test]
    fn rfc_examples() {
        // The RFC's own text leaves out the parentheses `events` requires around the
        // event lists; as written it is rejected, fixed it parses.
        let e = Command::parse(b"b notify set status (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) (subtree Lists MessageNew)\r\n").unwrap_err();
        assert_eq!((e.offset, e.expected), (30, "events"));
        let c = cmd(b"b notify set status (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew))\r\n");
        let s = set(&c).unwrap();
        assert!(s.status);
        assert_eq!(s.groups.len(), 2);
        assert_eq!(s.groups[0].filter(), &FilterMailboxes::Selected);
        assert!(matches!(
            &s.groups[1].filter(),
            FilterMailboxes::Subtree(OneOrMoreMailbox::One(_))
        ));
        let c = cmd(b"e notify set (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew)) (mailboxes misc (MessageNew))\r\n");
        assert!(!set(&c).unwrap().status);
        cmd(b"a notify set (mailboxes INBOX (Messagenew messageExpunge)) (personal (SubscriptionChange))\r\n");
        cmd(b"a notify set (selected (Messagenew (uid flags) messageExpunge)) (personal (MessageNew FlagChange MessageExpunge))\r\n");
        assert_eq!(set(&cmd(b"a NOTIFY NONE\r\n")), None);
        let c = cmd(b"a NOTIFY SET (personal (MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)) (inboxes NONE) (selected-delayed (FlagChange AnnotationChange X-Custom)) (mailboxes (a b \"c d\") (MessageNew MessageExpunge)) (subscribed NONE)\r\n");
        let s = set(&c).unwrap();
        assert_eq!(s.groups.len(), 5);
        assert_eq!(s.groups[1].events(), &Events::None);
        assert_eq!(c.body.kind().capability(), Some(crate::Capability::Notify));
    }

    #[test]
    fn bad_input() {
        for (line, offset, expected) in [
            (&b"a NOTIFY\r\n"[..], 8, "SP"),
            (b"a NOTIFY ALL\r\n", 9, "notify"),
            (b"a NOTIFY SET\r\n", 12, "SP"),
            (b"a NOTIFY SET STATUS\r\n", 19, "SP"),
            (b"a NOTIFY SET ()\r\n", 14, "filter-mailboxes"),
            (b"a NOTIFY SET (selected)\r\n", 22, "SP"),
            (b"a NOTIFY SET (selected ())\r\n", 24, "event"),
            (b"a NOTIFY SET (selected all)\r\n", 23, "events"),
            (b"a NOTIFY SET (subtree)\r\n", 21, "SP"),
            (
                b"a NOTIFY SET (inboxes (MessageNew (UID)))\r\n",
                22,
                "event",
            ),
            (b"a NOTIFY SET (selected (MailboxName))\r\n", 23, "event"),
            (
                b"a NOTIFY SET (selected (MessageNew (FOO)))\r\n",
                36,
                "fetch-att",
            ),
            (b"a NOTIFY SET (selected NONE) x\r\n", 28, "CRLF"),
        ] {
            let e = Command::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{e}");
        }
        assert!(
            EventGroup::new(
                FilterMailboxes::Inboxes,
                Events::List(NonEmpty::one(Event::MessageNew(Some(NonEmpty::one(
                    FetchAtt::Uid
                )))))
            )
            .is_err()
        );
        assert!(EventGroup::new(FilterMailboxes::Selected, Events::None).is_ok());
    }

    /// RFC 5465 §3.1, §8: BADEVENT.
    #[test]
    fn badevent() {
        let line = b"a BAD [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)] x\r\n";
        let r = Response::parse(line).unwrap();
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        let Response::Status(s) = &r else { panic!() };
        let Some(Code::BadEvent(names)) = s.code() else {
            panic!("{r:?}")
        };
        assert_eq!(names.len(), 5);
        assert_eq!(names[3], EventName::MailboxName);
        // Not the code (an event-ext, or no list): strict reads the bracket as text.
        for bad in [
            &b"a BAD [BADEVENT (X-Foo)] x\r\n"[..],
            b"a BAD [BADEVENT] x\r\n",
            b"a BAD [BADEVENT ()] x\r\n",
        ] {
            let r = Response::parse(bad).unwrap();
            let Response::Status(s) = &r else { panic!() };
            assert!(s.code().is_none(), "{r:?}");
        }
    }

    /// RFC 5465 §5.8.
    #[test]
    fn notificationoverflow() {
        let line = b"* OK [NOTIFICATIONOVERFLOW] ...A looooooooooooong message that won't fit\r\n";
        let r = Response::parse(line).unwrap();
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(out, line);
        assert!(format!("{r:?}").contains("NotificationOverflow"));
        assert_eq!(
            Code::NotificationOverflow.kind(),
            Some(CodeKind::NotificationOverflow)
        );
        // With an argument it is not the code: strict reads the bracket as text.
        let r = Response::parse(b"* OK [NOTIFICATIONOVERFLOW 1] x\r\n").unwrap();
        assert!(!format!("{r:?}").contains("NotificationOverflow"), "{r:?}");
    }
}
