//! What the IMAP clients return: typed FETCH data and a command's collected responses.

use std::num::NonZeroU32;

use imap_codec::response::MessageAttribute;
use imap_codec::{Data, FlagFetch, Status, StatusKind};

use std::time::Duration;

use imap_session::ClientConfig;

use crate::Error;
use crate::tls::TlsConfig;

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
