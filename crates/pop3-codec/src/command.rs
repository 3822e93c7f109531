//! Commands, client → server (RFC 1939 §4–7, RFC 2449 §5 CAPA, RFC 2595 §4 STLS,
//! RFC 5034 §4 / RFC 1734 §2 AUTH, RFC 6856 §2–3 UTF8 and LANG), and the client's lines
//! inside a SASL exchange (RFC 5034 §4).
//!
//! `command = keyword *(SP param) CRLF` (RFC 2449 §3); keywords are matched ignoring case
//! and encoded in upper case. An unknown keyword is an [`ErrorKind::UnknownCommand`] error,
//! to be answered with `-ERR`.

use crate::prelude::*;

use ::core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::context::{ParseOptions, Parsed, Pop3Deviation, Profile, Side};
use crate::core::{
    Cursor, Encode, IntoStatic, Language, Mechanism, MsgNumber, Param, Secret, Timestamp,
    is_param_byte, is_secret_byte, is_vchar, put_number,
};
use crate::error::{ErrorKind, ParseError, ValidationError};

mod kind;

pub use kind::{Offer, Phase, Phases};

use kind::{commands, debug_variant, parse_row};

commands! {
    /// `USER name` (RFC 1939 §7).
    User(Param<'a>) = "USER", "RFC 1939 §7",
        phases: AUTHORIZATION, offer: User, parse: parse_user, profile: Strict;
    /// `PASS string` (RFC 1939 §7); the rest of the line, spaces included.
    Pass(Secret<'a>) = "PASS", "RFC 1939 §7",
        phases: AUTHORIZATION, offer: User, parse: parse_pass, profile: Strict;
    /// `APOP name digest` (RFC 1939 §7).
    Apop {
        /// The mailbox name.
        name: Param<'a>,
        /// MD5 of the greeting's timestamp followed by the shared secret.
        digest: ApopDigest,
    } = "APOP", "RFC 1939 §7",
        phases: AUTHORIZATION, offer: GreetingTimestamp, parse: parse_apop, profile: Strict;
    /// `QUIT` (RFC 1939 §4 in AUTHORIZATION, §6 from TRANSACTION).
    Quit = "QUIT", "RFC 1939 §4, §6",
        phases: BOTH, offer: Always, parse: unit, profile: Strict;
    /// `STAT` (RFC 1939 §5).
    Stat = "STAT", "RFC 1939 §5",
        phases: TRANSACTION, offer: Always, parse: unit, profile: Strict;
    /// `LIST [msg]` (RFC 1939 §5): without a message number the answer is multi-line.
    List(Option<MsgNumber>) = "LIST", "RFC 1939 §5",
        phases: TRANSACTION, offer: Always, parse: parse_list, profile: Strict;
    /// `RETR msg` (RFC 1939 §5): the answer is a message body.
    Retr(MsgNumber) = "RETR", "RFC 1939 §5",
        phases: TRANSACTION, offer: Always, parse: parse_retr, profile: Strict;
    /// `DELE msg` (RFC 1939 §5).
    Dele(MsgNumber) = "DELE", "RFC 1939 §5",
        phases: TRANSACTION, offer: Always, parse: parse_dele, profile: Strict;
    /// `NOOP` (RFC 1939 §5).
    Noop = "NOOP", "RFC 1939 §5",
        phases: TRANSACTION, offer: Always, parse: unit, profile: Strict;
    /// `RSET` (RFC 1939 §5).
    Rset = "RSET", "RFC 1939 §5",
        phases: TRANSACTION, offer: Always, parse: unit, profile: Strict;
    /// `TOP msg n` (RFC 1939 §7): the headers and `n` lines of the body.
    Top {
        /// The message.
        msg: MsgNumber,
        /// How many body lines.
        lines: u32,
    } = "TOP", "RFC 1939 §7",
        phases: TRANSACTION, offer: Top, parse: parse_top, profile: Strict;
    /// `UIDL [msg]` (RFC 1939 §7): without a message number the answer is multi-line.
    Uidl(Option<MsgNumber>) = "UIDL", "RFC 1939 §7",
        phases: TRANSACTION, offer: Uidl, parse: parse_uidl, profile: Strict;
    /// `CAPA` (RFC 2449 §5).
    Capa = "CAPA", "RFC 2449 §5",
        phases: BOTH, offer: Capa, parse: unit, profile: Strict;
    /// `STLS` (RFC 2595 §4).
    Stls = "STLS", "RFC 2595 §4",
        phases: AUTHORIZATION, offer: Stls, parse: unit, profile: Strict;
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4, RFC 1734 §2).
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The decoded initial response; `Some(empty)` is sent as `=`.
        initial_response: Option<Vec<u8>>,
    } = "AUTH", "RFC 5034 §4",
        phases: AUTHORIZATION, offer: Sasl, parse: parse_auth, profile: Strict;
    /// `UTF8` (RFC 6856 §2.1).
    Utf8 = "UTF8", "RFC 6856 §2.1",
        phases: AUTHORIZATION, offer: Utf8, parse: unit, profile: Strict;
    /// `LANG [lang-range]` (RFC 6856 §3): without an argument, asks for the language
    /// listing (multi-line).
    Lang(Option<LangArg<'a>>) = "LANG", "RFC 6856 §3",
        phases: BOTH, offer: Lang, parse: parse_lang, profile: Strict;
    /// `LAST` (RFC 1460; dropped by RFC 1725, not in RFC 1939): the highest message number
    /// the client accessed; answered `+OK nn` (a [`Response::Status`](crate::Response)).
    /// Real-world profile only (`non-standard-commands`).
    Last = "LAST", "RFC 1460",
        phases: TRANSACTION, offer: Legacy, parse: unit, profile: RealWorld;
    /// `XTND XLST header [msg]` (Qpopper, Eudora): the `header` lines of every message, or of
    /// `msg`; answered with lines of text. Real-world profile only (`non-standard-commands`).
    XtndXlst {
        /// The header field name.
        header: Param<'a>,
        /// The message, or every message.
        msg: Option<MsgNumber>,
    } = "XTND", "Qpopper XTND",
        phases: TRANSACTION, offer: Legacy, parse: parse_xtnd, profile: RealWorld;
    /// `AUTH` without a mechanism (RFC 1734's servers, Cyrus, Dovecot): asks for the list of
    /// SASL mechanisms, answered as a multi-line list
    /// ([`Response::Mechanisms`](crate::Response::Mechanisms)). RFC 5034 §4 requires a
    /// mechanism (CAPA's `SASL` lists them, RFC 2449 §6.3). Real-world profile only
    /// (`non-standard-commands`); shares AUTH's keyword and parser.
    AuthList = "AUTH", "RFC 5034 §4 (without sasl-mech)",
        phases: AUTHORIZATION, offer: Sasl, parse: parse_auth, profile: RealWorld;
}

/// The argument of LANG (RFC 6856 §3.2).
#[derive(Debug, Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum LangArg<'a> {
    /// `*`: the server's preferred language.
    Default,
    /// A basic language range such as `es` or `en-US`.
    Range(Language<'a>),
}

/// The 16-octet APOP digest (RFC 1939 §7), sent as 32 lower-case hex digits.
///
/// ```
/// use mailproto_pop3_codec::{ApopDigest, Timestamp};
/// // The example of RFC 1939 §7.
/// let ts = Timestamp::new("<1896.697170952@dbc.mtview.ca.us>").unwrap();
/// let digest = ApopDigest::compute(&ts, b"tanstaaf");
/// assert_eq!(digest.to_string(), "c4c9334bac560ecc979e58001b3e22fb");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ApopDigest([u8; 16]);

impl ApopDigest {
    /// A digest from its 16 octets.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        ApopDigest(bytes)
    }

    /// MD5 of the timestamp (brackets included) followed by the shared secret
    /// (RFC 1939 §7).
    pub fn compute(timestamp: &Timestamp<'_>, secret: &[u8]) -> Self {
        use md5::Digest as _;
        let mut h = md5::Md5::new();
        h.update(timestamp.as_str().as_bytes());
        h.update(secret);
        ApopDigest(h.finalize().into())
    }

    /// Parses 32 hex digits. Upper-case digits are accepted although RFC 1939 §7 says
    /// lower case: the value, not its spelling, is what a server checks.
    pub fn from_hex(hex: &[u8]) -> Result<Self, ValidationError> {
        if hex.len() != 32 {
            return Err(ValidationError::new("digest", None));
        }
        let mut out = [0u8; 16];
        for (i, byte) in out.iter_mut().enumerate() {
            // RFC 1939 §7: "sent in hexadecimal format, using lower-case ASCII characters".
            let nibble = |at: usize| match hex[at] {
                c @ b'0'..=b'9' => Ok(c - b'0'),
                c @ b'a'..=b'f' => Ok(c - b'a' + 10),
                _ => Err(ValidationError::new("digest", Some(at))),
            };
            *byte = (nibble(2 * i)? << 4) | nibble(2 * i + 1)?;
        }
        Ok(ApopDigest(out))
    }

    /// The 16 octets.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Constant-time comparison, for a server checking a client's digest.
    pub fn verify(&self, other: &ApopDigest) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl fmt::Display for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApopDigest({self})")
    }
}

/// A client's line during a SASL exchange (RFC 5034 §4, RFC 1734 §2): base64 data (an empty
/// line is an empty response) or `*` to cancel.
///
/// ```
/// use mailproto_pop3_codec::{Encode, SaslResponse};
/// assert_eq!(SaslResponse::parse(b"*\r\n").unwrap(), SaslResponse::Cancel);
/// let r = SaslResponse::parse(b"dGVzdAB0ZXN0AHRlc3Q=\r\n").unwrap();
/// assert_eq!(r, SaslResponse::Data(b"test\0test\0test".to_vec()));
/// assert_eq!(SaslResponse::Data(Vec::new()).to_bytes(), b"\r\n");
/// ```
///
/// `Debug` shows the length of the data, never the data (it carries credentials).
#[derive(Clone, PartialEq, Eq, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SaslResponse {
    /// Decoded response data.
    Data(Vec<u8>),
    /// `*`: the client cancels the exchange; the server answers `-ERR`.
    Cancel,
}

impl fmt::Debug for SaslResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaslResponse::Data(d) => f
                .debug_tuple("Data")
                .field(&crate::core::Octets(d.len()))
                .finish(),
            SaslResponse::Cancel => f.write_str("Cancel"),
        }
    }
}

impl SaslResponse {
    /// Parses one complete line, CRLF included.
    pub fn parse(line: &[u8]) -> Result<SaslResponse, ParseError> {
        let mut c = Cursor::new(line);
        let r = if c.peek() == Some(b'*') {
            c.pos += 1;
            SaslResponse::Cancel
        } else {
            let (at, data) = c.take0(|b| b != b'\r' && b != b'\n');
            SaslResponse::Data(decode_base64(data, at)?)
        };
        c.crlf()?;
        c.end()?;
        Ok(r)
    }
}

impl Encode for SaslResponse {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            SaslResponse::Data(d) => put_base64(out, d),
            SaslResponse::Cancel => out.push(b'*'),
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends `data` in base64 (RFC 4648 §4, padded).
pub(crate) fn put_base64(out: &mut Vec<u8>, data: &[u8]) {
    let start = out.len();
    let len = data.len().div_ceil(3) * 4;
    out.resize(start + len, 0);
    let written = BASE64
        .encode_slice(data, &mut out[start..])
        .expect("the buffer has the encoded length");
    out.truncate(start + written);
}

/// Strict base64 (RFC 5034 §4: every non-alphabet octet and misplaced `=` is an error).
pub(crate) fn decode_base64(data: &[u8], at: usize) -> Result<Vec<u8>, ParseError> {
    use base64::DecodeError as E;
    BASE64.decode(data).map_err(|e| {
        let off = match e {
            E::InvalidByte(o, _) | E::InvalidLastSymbol(o, _) => o,
            E::InvalidLength(_) | E::InvalidPadding => data.len(),
        };
        ParseError::new(at + off, "base64", ErrorKind::InvalidValue)
    })
}

impl<'a> Command<'a> {
    /// Parses one complete command line, CRLF included (RFC 2449 §3). Line-length limits
    /// are the stream decoder's business ([`crate::CommandDecoder`]).
    ///
    /// ```
    /// use mailproto_pop3_codec::{Command, ErrorKind};
    /// assert_eq!(Command::parse(b"LIST\r\n").unwrap(), Command::List(None));
    /// let err = Command::parse(b"XTND XMIT\r\n").unwrap_err();
    /// assert_eq!((err.offset, err.kind), (0, ErrorKind::UnknownCommand));
    /// ```
    pub fn parse(line: &'a [u8]) -> Result<Command<'a>, ParseError> {
        Self::parse_at(&mut Cursor::new(line))
    }

    /// Parses one complete command line under `options`: the strict grammar, or the
    /// real-world profile, which also accepts the deviations of
    /// [`Pop3Deviation`] and reports them.
    ///
    /// ```
    /// use mailproto_pop3_codec::context::{ParseOptions, Profile};
    /// use mailproto_pop3_codec::{Command, DeviationId};
    /// let strict = ParseOptions::default();
    /// assert_eq!(Command::parse_with(b"NOOP\n", &strict).unwrap_err().expected, "CRLF");
    /// let real = strict.with_profile(Profile::RealWorld);
    /// let parsed = Command::parse_with(b"NOOP\n", &real).unwrap();
    /// assert_eq!(parsed.value, Command::Noop);
    /// assert_eq!(parsed.deviations[0].to_string(),
    ///     "bare-lf at offset 4 (breaks CRLF (RFC 1939 §3: commands and responses are terminated by a CRLF pair))");
    /// ```
    pub fn parse_with(
        line: &'a [u8],
        options: &ParseOptions,
    ) -> Result<Parsed<Command<'a>>, ParseError> {
        let mut c = Cursor::with_options(line, options, Side::Client);
        let value = Self::parse_at(&mut c)?;
        if value.kind().profile() == Profile::RealWorld {
            // A row of no RFC in force (only the real-world profile gets here): reported
            // where the strict grammar fails on the line (the keyword; AUTH's missing SP).
            let at = Self::parse(line).err().map_or(0, |e| e.offset);
            c.deviate(Pop3Deviation::NonStandardCommands, at);
            c.deviations.sort_by_key(|d| d.offset);
        }
        Ok(Parsed::new(value, c.deviations))
    }

    fn parse_at(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
        let (_, kw) = c.take0(is_vchar);
        if kw.is_empty() {
            return Err(c.err("command keyword"));
        }
        let unknown = || ParseError::new(0, "command keyword", ErrorKind::UnknownCommand);
        // Keywords ignore case (RFC 2449 §3): upper-case at most MAX_KEYWORD octets on the
        // stack, then one `match` on the table's keywords (a comparison tree, no scan).
        if kw.len() > MAX_KEYWORD {
            return Err(unknown());
        }
        let mut buf = [0u8; MAX_KEYWORD];
        let upper = &mut buf[..kw.len()];
        upper.copy_from_slice(kw);
        upper.make_ascii_uppercase();
        // VCHAR octets are ASCII: never fails.
        let name = ::core::str::from_utf8(upper).map_err(|_| unknown())?;
        let cmd = dispatch(name, c).ok_or_else(unknown)??;
        if cmd.kind().profile() == Profile::RealWorld && !c.real_world {
            // RFC 2449 §3: a keyword of no RFC in force is an unknown command under strict.
            return Err(unknown());
        }
        c.crlf()?;
        c.end()?;
        Ok(cmd)
    }

    /// The command keyword, in upper case ([`CommandKind::keyword`]).
    #[inline]
    pub fn keyword(&self) -> &'static str {
        self.kind().keyword()
    }

    /// `APOP name digest`, the digest computed from the greeting's timestamp and the shared
    /// secret (RFC 1939 §7).
    ///
    /// ```
    /// use mailproto_pop3_codec::{Command, Encode, Greeting, Param};
    /// let greeting = Greeting::parse(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n").unwrap();
    /// let cmd = Command::apop(Param::new("mrose").unwrap(), &greeting.timestamp().unwrap(), b"tanstaaf");
    /// assert_eq!(cmd.to_bytes(), b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    /// ```
    pub fn apop(name: Param<'a>, timestamp: &Timestamp<'_>, secret: &[u8]) -> Command<'a> {
        Command::Apop {
            name,
            digest: ApopDigest::compute(timestamp, secret),
        }
    }
}

fn param<'a>(c: &mut Cursor<'a>, expected: &'static str) -> Result<Param<'a>, ParseError> {
    let (at, p) = c.take1(is_param_byte, expected)?;
    Param::from_wire(p, at, expected)
}

fn opt_msg(c: &mut Cursor<'_>) -> Result<Option<MsgNumber>, ParseError> {
    if c.peek() == Some(b' ') {
        c.pos += 1;
        Ok(Some(c.msg()?))
    } else {
        Ok(None)
    }
}

fn parse_user<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    c.sp()?;
    Ok(Command::User(param(c, "name")?))
}

fn parse_pass<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    c.sp()?;
    let (at, s) = c.take1(is_secret_byte, "password")?;
    Ok(Command::Pass(Secret::from_wire(s, at, "password")?))
}

fn parse_apop<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    c.sp()?;
    let name = param(c, "name")?;
    c.sp()?;
    let (at, hex) = c.take1(is_param_byte, "digest")?;
    let digest = ApopDigest::from_hex(hex)
        .map_err(|e| ParseError::new(at + e.position.unwrap_or(0), "digest", ErrorKind::Syntax))?;
    Ok(Command::Apop { name, digest })
}

fn parse_list<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    Ok(Command::List(opt_msg(c)?))
}

fn parse_retr<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    c.sp()?;
    Ok(Command::Retr(c.msg()?))
}

fn parse_dele<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    c.sp()?;
    Ok(Command::Dele(c.msg()?))
}

fn parse_top<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    c.sp()?;
    let msg = c.msg()?;
    c.sp()?;
    let lines = c.u32("lines")?;
    Ok(Command::Top { msg, lines })
}

fn parse_uidl<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    Ok(Command::Uidl(opt_msg(c)?))
}

fn parse_auth<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    // `AUTH` CRLF: the mechanism list (real-world only; strict fails at the SP).
    if c.real_world && matches!(c.peek(), Some(b'\r' | b'\n')) {
        return Ok(Command::AuthList);
    }
    c.sp()?;
    let (at, m) = c.take1(is_param_byte, "sasl-mech")?;
    let mechanism = Mechanism::from_wire(m, at, "sasl-mech")?;
    let initial_response = if c.peek() == Some(b' ') {
        c.pos += 1;
        let (at, ir) = c.take1(is_param_byte, "initial-response")?;
        Some(if ir == b"=" {
            Vec::new()
        } else {
            decode_base64(ir, at)?
        })
    } else {
        None
    };
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

/// `XTND XLST header [msg]` (Qpopper's extension; the subcommand ignores case like a
/// keyword). Another XTND subcommand is an unknown command.
fn parse_xtnd<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    if !c.real_world {
        // Whatever follows, XTND is no command of the RFCs (RFC 2449 §3).
        return Err(ParseError::new(
            0,
            "command keyword",
            ErrorKind::UnknownCommand,
        ));
    }
    c.sp()?;
    let (at, sub) = c.take1(is_param_byte, "XLST")?;
    if !sub.eq_ignore_ascii_case(b"XLST") {
        return Err(ParseError::new(at, "XLST", ErrorKind::UnknownCommand));
    }
    c.sp()?;
    let header = param(c, "header")?;
    let msg = opt_msg(c)?;
    Ok(Command::XtndXlst { header, msg })
}

fn parse_lang<'a>(c: &mut Cursor<'a>) -> Result<Command<'a>, ParseError> {
    if c.peek() != Some(b' ') {
        return Ok(Command::Lang(None));
    }
    c.pos += 1;
    let (at, arg) = c.take1(is_param_byte, "lang-range")?;
    Ok(Command::Lang(Some(if arg == b"*" {
        LangArg::Default
    } else {
        LangArg::Range(Language::from_wire(arg, at, "lang-range")?)
    })))
}

impl Encode for Command<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.keyword().as_bytes());
        let sp = |out: &mut Vec<u8>| out.push(b' ');
        match self {
            Command::User(name) => {
                sp(out);
                out.extend_from_slice(name.as_str().as_bytes());
            }
            Command::Pass(secret) => {
                sp(out);
                out.extend_from_slice(secret.as_str().as_bytes());
            }
            Command::Apop { name, digest } => {
                sp(out);
                out.extend_from_slice(name.as_str().as_bytes());
                sp(out);
                out.extend_from_slice(digest.to_string().as_bytes());
            }
            Command::List(Some(m))
            | Command::Uidl(Some(m))
            | Command::Retr(m)
            | Command::Dele(m) => {
                sp(out);
                put_number(out, u64::from(m.get()));
            }
            Command::Top { msg, lines } => {
                sp(out);
                put_number(out, u64::from(msg.get()));
                sp(out);
                put_number(out, u64::from(*lines));
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                sp(out);
                out.extend_from_slice(mechanism.as_str().as_bytes());
                match initial_response.as_deref() {
                    None => {}
                    Some([]) => out.extend_from_slice(b" ="),
                    Some(data) => {
                        sp(out);
                        put_base64(out, data);
                    }
                }
            }
            Command::XtndXlst { header, msg } => {
                out.extend_from_slice(b" XLST ");
                out.extend_from_slice(header.as_str().as_bytes());
                if let Some(m) = msg {
                    sp(out);
                    put_number(out, u64::from(m.get()));
                }
            }
            Command::Lang(Some(arg)) => {
                sp(out);
                match arg {
                    LangArg::Default => out.push(b'*'),
                    LangArg::Range(l) => out.extend_from_slice(l.as_str().as_bytes()),
                }
            }
            Command::Quit
            | Command::Stat
            | Command::List(None)
            | Command::Noop
            | Command::Rset
            | Command::Uidl(None)
            | Command::Capa
            | Command::Stls
            | Command::Utf8
            | Command::Lang(None)
            | Command::Last
            | Command::AuthList => {}
        }
        out.extend_from_slice(b"\r\n");
    }
}
