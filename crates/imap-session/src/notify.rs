//! NOTIFY (RFC 5465) on the client side: what the server sends unsolicited once `NOTIFY SET`
//! is in force, as [`Notification`]s ([`crate::ClientEvent::Notification`]).
//!
//! The client session follows the NOTIFY state ([`crate::ClientSession::notify_active`]): on
//! after a `NOTIFY SET` completed with OK, off after `NOTIFY NONE` completed with OK or an
//! untagged `OK [NOTIFICATIONOVERFLOW]` (§5.8: "behave as if a NOTIFY NONE command had just
//! been received"). While it is on, unsolicited STATUS, LIST and METADATA data (which no
//! command in flight asked for) are the events of other mailboxes (§5.1–§5.7) and are
//! reported as notifications instead of [`crate::ClientEvent::Data`]; FETCH, EXISTS,
//! EXPUNGE and VANISHED of the selected mailbox update the [`crate::MailboxView`] and stay
//! `Data`, as without NOTIFY.

use imap_codec::Data;
use imap_codec::ext::metadata::MetadataData;
use imap_codec::response::{ListData, StatusData};

/// What NOTIFY made the server send (RFC 5465 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// `* STATUS` of a mailbox that is not selected: flag changes (§5.1, with HIGHESTMODSEQ
    /// and UIDVALIDITY under CONDSTORE), new messages (§5.2, UIDNEXT MESSAGES) or expunges
    /// (§5.3).
    MailboxStatus(StatusData<'static>),
    /// `* LIST` of a mailbox created, deleted (`\NonExistent`) or renamed (`OLDNAME`,
    /// §5.4), or whose subscription changed (`\Subscribed`, §5.5).
    MailboxName(ListData<'static>),
    /// `* METADATA` of a mailbox (§5.6) or of the server (empty mailbox name, §5.7).
    Metadata(MetadataData<'static>),
    /// `* OK [NOTIFICATIONOVERFLOW]` (§5.8): the server stopped sending notifications; the
    /// session is as after `NOTIFY NONE`.
    Overflow,
}

impl Notification {
    /// The notification unsolicited `data` are while NOTIFY is on, or the data back when
    /// they are not one (FETCH, EXISTS, ... of the selected mailbox).
    pub(crate) fn from_data(data: Data<'static>) -> Result<Notification, Data<'static>> {
        match data {
            Data::Status(s) => Ok(Notification::MailboxStatus(s)),
            Data::List(l) => Ok(Notification::MailboxName(l)),
            Data::Metadata(m) => Ok(Notification::Metadata(m)),
            other => Err(other),
        }
    }
}
