//! [`Arbitrary`] for commands, SASL lines, responses and [`Expected`] (feature
//! `arbitrary`), for the structured round-trip fuzz target: every value produced is valid,
//! so that encoding it and parsing the bytes again (as the answer to what it answers) must
//! give the same value.
//!
//! Validated types are built through their constructors only. Strings are drawn from the
//! characters their constructor accepts (found by asking it about every character, so the
//! sets cannot drift from the grammar); a value a constructor still rejects makes the
//! generator fail with [`arbitrary::Error::IncorrectFormat`].

use crate::prelude::*;

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Error, Result, Unstructured};

use crate::{
    ApopDigest, CapaTag, Capability, Command, DropListing, Expected, Expire, Greeting, LangArg,
    LangListing, Language, Mechanism, Message, MsgNumber, MultiLine, OtherCapability, Param,
    Response, ResponseCode, SaslResponse, ScanListing, ScanListings, Secret, StatusLine, Text,
    UidListing, UniqueId,
};

type U<'u, 'd> = &'u mut Unstructured<'d>;

fn reject<T, E>(r: ::core::result::Result<T, E>) -> Result<T> {
    r.map_err(|_| Error::IncorrectFormat)
}

fn charset(cell: &'static OnceLock<Vec<char>>, ok: fn(&str) -> bool) -> &'static [char] {
    cell.get_or_init(|| {
        (' '..='~')
            .chain(['é', 'ß', '€', '\u{1f600}', '\t', '\u{7f}'])
            .filter(|c| ok(c.encode_utf8(&mut [0; 4])))
            .collect()
    })
}

macro_rules! charsets {
    ($($name:ident => $ok:expr;)*) => {
        $(fn $name() -> &'static [char] {
            static CELL: OnceLock<Vec<char>> = OnceLock::new();
            charset(&CELL, $ok)
        })*
    };
}

charsets! {
    param_chars => |s| Param::new(s.to_owned()).is_ok();
    secret_chars => |s| Secret::new(format!("a{s}b")).is_ok();
    mechanism_chars => |s| Mechanism::new(s.to_owned()).is_ok();
    uid_chars => |s| UniqueId::new(s.to_owned()).is_ok();
    capa_chars => |s| CapaTag::new(s.to_owned()).is_ok();
    code_chars => |s| ResponseCode::new(s.to_owned()).is_ok();
    alnum_chars => |s| s.bytes().all(|b| b.is_ascii_alphanumeric());
    timestamp_chars => |s| s.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'<' && b != b'>');
}

fn string(u: U<'_, '_>, chars: &[char], min: usize, max: usize) -> Result<String> {
    let n = u.int_in_range(min..=max)?;
    (0..n).map(|_| u.choose(chars).copied()).collect()
}

fn list<T>(
    u: U<'_, '_>,
    max: usize,
    mut f: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| f(u)).collect()
}

fn bytes(u: U<'_, '_>, max: usize) -> Result<Vec<u8>> {
    let n = u.int_in_range(0..=max)?;
    Ok(u.bytes(n)?.to_vec())
}

fn msg(u: U<'_, '_>) -> Result<MsgNumber> {
    Ok(MsgNumber::new(u.arbitrary()?).unwrap_or(MsgNumber::MIN))
}

fn param(u: U<'_, '_>) -> Result<Param<'static>> {
    reject(Param::new(string(u, param_chars(), 1, 24)?))
}

fn mechanism(u: U<'_, '_>) -> Result<Mechanism<'static>> {
    reject(Mechanism::new(string(u, mechanism_chars(), 1, 20)?))
}

fn language(u: U<'_, '_>) -> Result<Language<'static>> {
    let mut s = string(u, alnum_chars(), 1, 8)?;
    for _ in 0..u.int_in_range(0..=2)? {
        s.push('-');
        s.push_str(&string(u, alnum_chars(), 1, 8)?);
    }
    reject(Language::new(s))
}

/// Text: any octet but NUL, CR and LF.
fn text(u: U<'_, '_>) -> Result<Text<'static>> {
    let b: Vec<u8> = bytes(u, 40)?
        .into_iter()
        .map(|b| {
            if matches!(b, 0 | b'\r' | b'\n') {
                b' '
            } else {
                b
            }
        })
        .collect();
    reject(Text::new(b))
}

fn code(u: U<'_, '_>) -> Result<ResponseCode<'static>> {
    let known = [
        "IN-USE",
        "LOGIN-DELAY",
        "SYS/TEMP",
        "SYS/PERM",
        "AUTH",
        "UTF8",
    ];
    if u.ratio(1, 3)? {
        return reject(ResponseCode::new(*u.choose(&known)?));
    }
    let mut s = string(u, code_chars(), 1, 8)?;
    for _ in 0..u.int_in_range(0..=2)? {
        s.push('/');
        s.push_str(&string(u, code_chars(), 1, 8)?);
    }
    reject(ResponseCode::new(s))
}

fn status(u: U<'_, '_>, ok: bool) -> Result<StatusLine<'static>> {
    let code = if u.arbitrary()? { Some(code(u)?) } else { None };
    let text = text(u)?;
    reject(StatusLine::new(ok, code, text))
}

fn capability(u: U<'_, '_>) -> Result<Capability<'static>> {
    Ok(match u.int_in_range(0..=13)? {
        0 => Capability::Top,
        1 => Capability::User,
        2 => Capability::Sasl(list(u, 4, mechanism)?),
        3 => Capability::RespCodes,
        4 => Capability::LoginDelay {
            seconds: u.arbitrary()?,
            per_user: u.arbitrary()?,
        },
        5 => Capability::Pipelining,
        6 => Capability::Expire {
            policy: if u.arbitrary()? {
                Expire::Never
            } else {
                Expire::Days(u.arbitrary()?)
            },
            per_user: u.arbitrary()?,
        },
        7 => Capability::Uidl,
        8 => Capability::Implementation(text(u)?),
        9 => Capability::Stls,
        10 => Capability::Utf8 {
            user: u.arbitrary()?,
        },
        11 => Capability::Lang,
        12 => Capability::AuthRespCode,
        _ => {
            let tag = reject(CapaTag::new(string(u, capa_chars(), 1, 12)?))?;
            Capability::Other(reject(OtherCapability::new(tag, list(u, 3, param)?))?)
        }
    })
}

impl<'a> Arbitrary<'a> for Command<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        // The variant is chosen from the command table's strict rows (what `Command::parse`
        // reads back); the match is exhaustive, so a new row does not compile without its
        // generator.
        use crate::command::CommandKind as K;
        static STRICT: OnceLock<Vec<K>> = OnceLock::new();
        let strict = STRICT.get_or_init(|| {
            K::ALL
                .iter()
                .copied()
                .filter(|k| k.profile() == crate::context::Profile::Strict)
                .collect()
        });
        Ok(match *u.choose(strict)? {
            K::User => Command::User(param(u)?),
            K::Pass => {
                let s = string(u, secret_chars(), 1, 32)?;
                Command::Pass(reject(Secret::new(s))?)
            }
            K::Apop => Command::Apop {
                name: param(u)?,
                digest: ApopDigest::from_bytes(u.arbitrary()?),
            },
            K::Quit => Command::Quit,
            K::Stat => Command::Stat,
            K::List => Command::List(if u.arbitrary()? { Some(msg(u)?) } else { None }),
            K::Retr => Command::Retr(msg(u)?),
            K::Dele => Command::Dele(msg(u)?),
            K::Noop => Command::Noop,
            K::Rset => Command::Rset,
            K::Top => Command::Top {
                msg: msg(u)?,
                lines: u.arbitrary()?,
            },
            K::Uidl => Command::Uidl(if u.arbitrary()? { Some(msg(u)?) } else { None }),
            K::Capa => Command::Capa,
            K::Stls => Command::Stls,
            K::Auth => Command::Auth {
                mechanism: mechanism(u)?,
                initial_response: if u.arbitrary()? {
                    Some(bytes(u, 60)?)
                } else {
                    None
                },
            },
            K::Utf8 => Command::Utf8,
            K::Last => Command::Last,
            K::XtndXlst => Command::XtndXlst {
                header: param(u)?,
                msg: if u.arbitrary()? { Some(msg(u)?) } else { None },
            },
            K::AuthList => Command::AuthList,
            K::Lang => Command::Lang(match u.int_in_range(0..=2)? {
                0 => None,
                1 => Some(LangArg::Default),
                _ => Some(LangArg::Range(language(u)?)),
            }),
        })
    }
}

impl<'a> Arbitrary<'a> for SaslResponse {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(1, 8)? {
            SaslResponse::Cancel
        } else {
            SaslResponse::Data(bytes(u, 100)?)
        })
    }
}

impl<'a> Arbitrary<'a> for Expected {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(*u.choose(&Expected::ALL)?)
    }
}

/// A greeting: half of them carry an APOP timestamp `"<" *VCHAR ">"` between free text
/// (RFC 1939 §7, RFC 2449 §9 `*gchar [timestamp] *gchar`).
fn greeting(u: U<'_, '_>) -> Result<Greeting<'static>> {
    let status = status(u, true)?;
    if u.arbitrary()? {
        return reject(Greeting::new(status));
    }
    let no_lt = |t: Text<'_>| -> Vec<u8> {
        t.as_bytes()
            .iter()
            .map(|&b| if b == b'<' { b' ' } else { b })
            .collect()
    };
    let mut t = no_lt(text(u)?);
    t.push(b'<');
    t.extend_from_slice(string(u, timestamp_chars(), 0, 40)?.as_bytes());
    t.push(b'>');
    t.extend(no_lt(text(u)?));
    let code = status.code().cloned();
    reject(Greeting::new(reject(StatusLine::new(
        true,
        code,
        reject(Text::new(t))?,
    ))?))
}

/// A body as stored in a [`Message`]: any octets, ending in CRLF when not empty; with many
/// dots and line ends, which is where stuffing goes wrong.
fn body(u: U<'_, '_>) -> Result<Vec<u8>> {
    let mut b = Vec::new();
    for _ in 0..u.int_in_range(0..=20)? {
        match u.int_in_range(0..=7)? {
            0 => b.extend_from_slice(b"\r\n"),
            1 => b.push(b'.'),
            2 => b.extend_from_slice(b".\r\n"),
            3 => b.extend_from_slice(b"..\r\n"),
            4 => b.push(b'\r'),
            5 => b.push(b'\n'),
            _ => b.extend_from_slice(&bytes(u, 8)?),
        }
    }
    if !b.is_empty() && !b.ends_with(b"\r\n") {
        b.extend_from_slice(b"\r\n");
    }
    Ok(b)
}

/// A positive answer to RETR or TOP with a `body` (also what the dot-stuffing properties
/// draw their bodies from).
impl<'a> Arbitrary<'a> for Message<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        reject(Message::new(status(u, true)?, body(u)?))
    }
}

impl<'a> Arbitrary<'a> for Response<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let scan = |u: U<'_, '_>| {
            Ok(ScanListing {
                msg: msg(u)?,
                size: u.arbitrary()?,
                extra: text(u)?,
            })
        };
        let uid = |u: U<'_, '_>| reject(UniqueId::new(string(u, uid_chars(), 1, 70)?));
        Ok(match u.int_in_range(0..=10)? {
            0 => Response::Greeting(greeting(u)?),
            1 => {
                let ok = u.arbitrary()?;
                Response::Status(status(u, ok)?)
            }
            2 => Response::Challenge(bytes(u, 80)?),
            3 => Response::Stat(DropListing {
                count: u.arbitrary()?,
                size: u.arbitrary()?,
                extra: text(u)?,
            }),
            4 => Response::Scan(scan(u)?),
            5 => Response::ScanList(reject(ScanListings::new(
                status(u, true)?,
                list(u, 5, scan)?,
            ))?),
            6 => Response::Uid(UidListing {
                msg: msg(u)?,
                uid: uid(u)?,
            }),
            7 => {
                let s = status(u, true)?;
                let items = list(u, 5, |u| {
                    Ok(UidListing {
                        msg: msg(u)?,
                        uid: uid(u)?,
                    })
                })?;
                Response::UidList(reject(MultiLine::new(s, items))?)
            }
            8 => Response::Capabilities(reject(MultiLine::new(
                status(u, true)?,
                list(u, 6, capability)?,
            ))?),
            9 => {
                let s = status(u, true)?;
                let items = list(u, 4, |u| {
                    Ok(LangListing {
                        tag: language(u)?,
                        description: text(u)?,
                    })
                })?;
                Response::Languages(reject(MultiLine::new(s, items))?)
            }
            _ => Response::Message(Message::arbitrary(u)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Encode;

    #[test]
    fn generated_commands_round_trip() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut made = 0;
        for _ in 0..3000 {
            let data: Vec<u8> = (0..256)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let mut u = Unstructured::new(&data);
            if let Ok(cmd) = Command::arbitrary(&mut u) {
                made += 1;
                assert_eq!(Command::parse(&cmd.to_bytes()), Ok(cmd));
            }
        }
        assert!(made > 2000, "only {made} commands");
    }
}
