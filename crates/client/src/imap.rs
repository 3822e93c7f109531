//! What the IMAP clients return: typed FETCH data and a command's collected responses.

use std::num::NonZeroU32;

use imap_codec::response::MessageAttribute;
use imap_codec::{Data, DateTime, Flag, FlagFetch, Mailbox, Status, StatusKind};

use std::time::Duration;

use imap_session::{ClientConfig, ClientEvent, ClientSession, CommandHandle, TlsPolicy};

use crate::Error;
use crate::tls::{Tls, TlsConfig};

/// Settings of an IMAP client (blocking or tokio).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Certificate verification.
    pub tls: TlsConfig,
    /// The session's settings (framing limits, tag prefix, ...).
    pub session: ClientConfig,
    /// The socket's read timeout outside IDLE (`None`: wait forever).
    pub read_timeout: Option<Duration>,
    /// SASL settings (`authenticate`); `tls` is set from the
    /// connection.
    pub sasl: mailproto_sasl::ClientConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tls: TlsConfig::new(),
            // The shells hand out whole messages: literals are not streamed.
            session: ClientConfig::default().without_literal_streaming(),
            read_timeout: Some(Duration::from_secs(120)),
            sasl: mailproto_sasl::ClientConfig::default(),
        }
    }
}

impl Config {
    /// With these TLS settings.
    pub fn with_tls(mut self, tls: TlsConfig) -> Self {
        self.tls = tls;
        self
    }

    /// With this session configuration.
    pub fn with_session(mut self, session: ClientConfig) -> Self {
        self.session = session.without_literal_streaming();
        self
    }

    /// With this read timeout outside IDLE.
    pub fn with_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// With these SASL settings.
    pub fn with_sasl(mut self, sasl: mailproto_sasl::ClientConfig) -> Self {
        self.sasl = sasl;
        self
    }
}

/// One message's FETCH data (RFC 9051 §7.5.2), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    /// The message sequence number.
    pub seq: NonZeroU32,
    /// The data items, in the server's order.
    pub attributes: Vec<MessageAttribute<'static>>,
}

impl Fetch {
    /// The FETCH data among `data`, merged by message: a server may answer one message's
    /// items in several FETCH responses (RFC 9051 §7.5.2).
    pub fn collect(data: Vec<Data<'static>>) -> Vec<Fetch> {
        let mut out: Vec<Fetch> = Vec::new();
        for d in data {
            if let Data::Fetch(imap_codec::response::FetchData { seq, attributes }) = d {
                let attributes = attributes.into_vec();
                match out.iter_mut().find(|f| f.seq == seq) {
                    Some(f) => f.attributes.extend(attributes),
                    None => out.push(Fetch { seq, attributes }),
                }
            }
        }
        out
    }

    /// `UID`, when fetched (always for UID FETCH, RFC 9051 §6.4.9).
    pub fn uid(&self) -> Option<NonZeroU32> {
        self.attributes.iter().find_map(|a| match a {
            MessageAttribute::Uid(u) => Some(*u),
            _ => None,
        })
    }

    /// `FLAGS`, when fetched.
    pub fn flags(&self) -> Option<&[FlagFetch<'static>]> {
        self.attributes.iter().find_map(|a| match a {
            MessageAttribute::Flags(f) => Some(f.as_slice()),
            _ => None,
        })
    }

    /// The octets of the first `BODY[...]` section (or `RFC822`), when fetched and not NIL.
    pub fn body(&self) -> Option<&[u8]> {
        self.attributes.iter().find_map(|a| match a {
            MessageAttribute::BodySection(s) => s.data.as_bytes(),
            MessageAttribute::Rfc822(data) => data.as_bytes(),
            _ => None,
        })
    }
}

/// What a command received: the untagged data and status responses the session attributed
/// to it, and its tagged completion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Collected {
    /// Untagged data attributed to the command (RFC 9051 §7.2–§7.5).
    pub data: Vec<Data<'static>>,
    /// Untagged OK/NO/BAD while it was the only command in flight.
    pub untagged: Vec<Status<'static>>,
    /// The tagged completion.
    pub status: Status<'static>,
}

/// The error for a tagged NO/BAD, `None` for OK.
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
pub(crate) fn status_error(status: &Status<'static>) -> Option<Error> {
    let text = status.text().as_str().to_owned();
    let code = status.code().cloned();
    match status.kind() {
        StatusKind::Ok => None,
        StatusKind::No => Some(Error::No { text, code }),
        StatusKind::Bye => Some(Error::Bye { text }),
        _ => Some(Error::Bad { text, code }),
    }
}

/// The numbers of `* SEARCH` data (RFC 3501 §7.2.5, RFC 9051 `obsolete-search-response`).
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
pub(crate) fn search_numbers(data: &[Data<'static>]) -> Vec<NonZeroU32> {
    data.iter()
        .filter_map(|d| match d {
            Data::Search(n) => Some(n.iter().copied()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The sans-IO half of "send a command, collect its responses until its tagged completion"
/// that both shells run (blocking and tokio differ only in how they read and write): fed the
/// session's events one at a time, it keeps the data and untagged status responses the
/// session attributed to the command (RFC 9051 §2.2.2, §7) and ends at the tagged completion.
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
#[derive(Debug)]
pub(crate) struct Collector {
    handle: CommandHandle,
    data: Vec<Data<'static>>,
    untagged: Vec<Status<'static>>,
}

/// What one event did to a [`Collector`].
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
#[derive(Debug)]
pub(crate) enum Step {
    /// Kept; the command is still running.
    Kept,
    /// The tagged completion: the collected responses, or the NO/BAD as an error.
    Done(Result<Collected, Error>),
    /// Not this command's: for [`unsolicited`].
    Other(ClientEvent),
}

#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
impl Collector {
    /// Collects for the command `handle`.
    pub(crate) fn new(handle: CommandHandle) -> Self {
        Collector {
            handle,
            data: Vec::new(),
            untagged: Vec::new(),
        }
    }

    /// Takes one event.
    pub(crate) fn event(&mut self, event: ClientEvent) -> Step {
        match event {
            ClientEvent::Data {
                handle: Some(h),
                data,
            } if h == self.handle => {
                self.data.push(data);
                Step::Kept
            }
            ClientEvent::Status {
                handle: Some(h),
                status,
            } if h == self.handle => {
                self.untagged.push(status);
                Step::Kept
            }
            ClientEvent::Completed { handle: h, status } if h == self.handle => {
                Step::Done(match status_error(&status) {
                    Some(e) => Err(e),
                    None => Ok(Collected {
                        data: std::mem::take(&mut self.data),
                        untagged: std::mem::take(&mut self.untagged),
                        status,
                    }),
                })
            }
            other => Step::Other(other),
        }
    }
}

/// An event no command collects: untagged data is kept in `unsolicited` (for `noop`, `idle`,
/// `take_unsolicited`); a protocol error, and BYE or the end of the connection while a
/// command is `waiting`, end the call with an error.
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
pub(crate) fn unsolicited(
    unsolicited: &mut Vec<Data<'static>>,
    event: ClientEvent,
    waiting: bool,
) -> Result<(), Error> {
    match event {
        ClientEvent::Data { data, .. } => unsolicited.push(data),
        ClientEvent::ProtocolError(e) => return Err(Error::ImapProtocol(e)),
        ClientEvent::Bye(status) if waiting => {
            return Err(Error::Bye {
                text: status.text().as_str().to_owned(),
            });
        }
        ClientEvent::Closed if waiting => return Err(Error::Closed),
        _ => {}
    }
    Ok(())
}

/// The session configuration for a connection made with `tls`: a shell that connects with
/// TLS (implicit or STARTTLS) sets [`TlsPolicy::Required`], so that no credential goes out in
/// clear and a stripped STARTTLS is an error (RFC 8314 §4.1; issue 18); implicit TLS is
/// active from the first byte.
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
pub(crate) fn session_config(config: &ClientConfig, tls: Tls) -> ClientConfig {
    match tls {
        Tls::Implicit => config
            .clone()
            .with_tls_active(true)
            .with_tls_policy(TlsPolicy::Required),
        Tls::StartTls => config.clone().with_tls_policy(TlsPolicy::Required),
        Tls::None => config.clone(),
    }
}

/// Starts `APPEND` of a streamed message of `length` octets (RFC 9051 §6.3.12, §4.3):
/// the session announces the literal and asks for the data with `LiteralWanted`.
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
pub(crate) fn start_append(
    session: &mut ClientSession,
    mailbox: &str,
    flags: &[Flag<'_>],
    date: Option<DateTime>,
    length: u64,
) -> Result<CommandHandle, Error> {
    let flags = (!flags.is_empty()).then(|| flags.to_vec());
    Ok(session.send_append_stream(Mailbox::new(mailbox)?, flags, date, length, false)?)
}

/// While the session wants literal data: the octets still wanted and how many to read next
/// into a buffer of `buf` octets.
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
pub(crate) fn literal_room(session: &ClientSession, buf: usize) -> Option<(u64, usize)> {
    let (_, remaining) = session.literal_wanted()?;
    Some((
        remaining,
        usize::try_from(remaining).map_or(buf, |r| r.min(buf)),
    ))
}

/// Hands what one read gave to the session; an empty read before the end is
/// `UnexpectedEof` (the reader was shorter than announced).
#[cfg_attr(not(any(feature = "blocking", feature = "tokio")), allow(dead_code))]
pub(crate) fn push_read(
    session: &mut ClientSession,
    remaining: u64,
    data: &[u8],
) -> Result<(), Error> {
    if data.is_empty() && remaining > 0 {
        return Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the message ended {remaining} octets before the announced length"),
        )));
    }
    Ok(session.push_literal_chunk(data)?)
}
