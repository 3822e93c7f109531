//! [`Arbitrary`] for commands and responses (feature `arbitrary`), for the structured
//! round-trip fuzz targets: every value produced is valid, so that encoding it and parsing
//! the bytes again must give the same value.
//!
//! Validated types are built through their constructors only. Strings are drawn from the
//! character set of their rule (each set found by asking the type's own constructor about
//! every character, so the sets cannot drift from the grammar); a value a constructor still
//! rejects (a reserved name, say) makes the generator fail with
//! [`arbitrary::Error::IncorrectFormat`], and the fuzzer moves on to another input.
//! Recursive types (search keys, body structures, extension values) are depth-limited.

use crate::prelude::*;

use ::core::num::NonZeroU32;
use alloc::borrow::Cow;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Error, Result, Unstructured};

use crate::capability::OtherCapability;
use crate::command::{
    AppendData, CommandKind, FetchAtt, FetchAttKind, FetchItems, FetchList, ListReturnOpt,
    ListSelectOpt, ListSelectOpts, MboxOrPat, OptionExtension, SearchKey, SearchKeyKind,
    SearchRetOptExt, SearchReturnOpt, StatusAttribute, StoreAction, StoreFlags,
};
use crate::ext::catenate::{CatPart, UrlRespText};
use crate::ext::condstore::{EntryType, ModSeq, QResyncParams, SearchModSeq};
use crate::ext::gmail::GmailLabel;
use crate::ext::language::ComparatorData;
use crate::ext::multiappend::AppendMessage;
use crate::ext::notify::NotifySet;
use crate::ext::objectid::ObjectId;
use crate::ext::partial::PartialRange;
use crate::ext::preview::PreviewMod;
use crate::ext::referrals::ReferralUrl;
use crate::ext::search_context::ContextUpdate;
use crate::ext::slots::{ExtParam, FetchModifier, SelectParam, StoreModifier};
use crate::ext::sort::{SortCriterion, SortKey, Thread, ThreadAlgorithm};
use crate::ext::special_use::{CreateParam, OtherCreateParam};
use crate::ext::urlauth::{UrlFetchItem, UrlMech, UrlMechEntry, UrlauthMechanism, UrlauthRequest};
use crate::ext::{
    NonEmpty, Number64, TaggedExtComp, TaggedExtLabel, TaggedExtSimple, TaggedExtVal,
};
use crate::flag::FlagExtension;
use crate::response::envelope::{Address, AddressList, Envelope};
use crate::response::status::GreetingKind;
use crate::response::{
    BasicMedia, BinaryValue, BodyExtension, BodyExtensionList, BodyFields, BodyParam, BodyParams,
    BodyStructure, CapabilityData, Delimiter, Disposition, EsearchData, ExtDisposition,
    ExtLanguage, ExtLocation, Language, ListAttributes, ListData, ListExtendedItem,
    ListExtendedValue, MailboxList, MessagePart, MessageSubtype, MultiPart, MultiPartExtension,
    NamespaceData, NamespaceDescr, NamespaceExtension, OtherCode, SearchData, SearchReturnData,
    SearchReturnExt, SinglePart, SinglePartExtension, SinglePartKind, StatusAttributeValue,
    StatusData, StringList, Vanished,
};
use crate::section::HeaderList;
use crate::sequence::SeqItems;
use crate::{
    AString, Atom, AuthenticateData, Capability, Code, Command, CommandBody, ContinuationRequest,
    Data, Date, DateTime, EncodeOptions, Flag, FlagPerm, Greeting, IString, IdleDone, ListMailbox,
    Literal, Literal8, LiteralCapability, LiteralMode, Mailbox, MailboxAttribute, MessageAttribute,
    NString, Part, Partial, Quoted, Response, Section, SeqItem, SeqNumber, SequenceSet, Status,
    StatusKind, Tag, Text, UidSet,
};

/// How deep recursive values nest.
const MAX_DEPTH: u32 = 3;
/// The longest list generated.
const MAX_LIST: usize = 4;
/// `number64` (RFC 9051 §9): 0..=2^63-1.
const NUMBER64_MAX: u64 = i64::MAX as u64;

type U<'u, 'd> = &'u mut Unstructured<'d>;

fn reject<T, E>(r: ::core::result::Result<T, E>) -> Result<T> {
    r.map_err(|_| Error::IncorrectFormat)
}

/// The printable ASCII characters (and a few non-ASCII ones) that `ok` accepts alone.
fn charset(cell: &'static OnceLock<Vec<char>>, ok: fn(&str) -> bool) -> &'static [char] {
    cell.get_or_init(|| {
        (' '..='~')
            .chain(['ä', 'ß', '€', '\u{1f600}', '\t', '\u{7f}', '\u{80}'])
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
    atom_chars => |s| Atom::new(s.to_owned()).is_ok();
    tag_chars => |s| Tag::new(s.to_owned()).is_ok();
    text_chars => |s| Text::new(s.to_owned()).is_ok();
    quoted_chars => |s| Quoted::new(s.to_owned()).is_ok();
    label_chars => |s| TaggedExtLabel::new(format!("X{s}")).is_ok();
    code_text_chars => |s| OtherCode::new("X-A", Some(Cow::Owned(s.to_owned()))).is_ok();
    url_resp_chars => |s| UrlRespText::new(s.to_owned()).is_ok();
    referral_url_chars => |s| ReferralUrl::new(s.to_owned()).is_ok();
    mechanism_chars => |s| UrlauthMechanism::new(s.to_owned()).is_ok();
    base64_chars => |s| s.len() == 1 && (s.as_bytes()[0].is_ascii_alphanumeric() || s == "+" || s == "/");
}

fn len(u: U<'_, '_>, min: usize, max: usize) -> Result<usize> {
    u.int_in_range(min..=max)
}

fn string(u: U<'_, '_>, chars: &[char], min: usize, max: usize) -> Result<String> {
    let n = len(u, min, max)?;
    (0..n).map(|_| u.choose(chars).copied()).collect()
}

fn list<T>(
    u: U<'_, '_>,
    min: usize,
    max: usize,
    mut f: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = len(u, min, max)?;
    (0..n).map(|_| f(u)).collect()
}

fn non_empty<T>(
    u: U<'_, '_>,
    f: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<NonEmpty<T>> {
    reject(NonEmpty::new(list(u, 1, MAX_LIST, f)?))
}

fn option<T>(
    u: U<'_, '_>,
    f: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Option<T>> {
    Ok(if u.arbitrary()? { Some(f(u)?) } else { None })
}

fn nz(u: U<'_, '_>) -> Result<NonZeroU32> {
    Ok(NonZeroU32::new(u.arbitrary::<u32>()?).unwrap_or(NonZeroU32::MIN))
}

fn number64(u: U<'_, '_>) -> Result<u64> {
    Ok(u.arbitrary::<u64>()? & NUMBER64_MAX)
}

fn bytes(u: U<'_, '_>, max: usize) -> Result<Vec<u8>> {
    let n = len(u, 0, max)?;
    Ok(u.bytes(n)?.to_vec())
}

fn atom(u: U<'_, '_>) -> Result<Atom<'static>> {
    reject(Atom::new(string(u, atom_chars(), 1, 12)?))
}

fn tag(u: U<'_, '_>) -> Result<Tag<'static>> {
    reject(Tag::new(string(u, tag_chars(), 1, 8)?))
}

fn text(u: U<'_, '_>) -> Result<Text<'static>> {
    reject(Text::new(string(u, text_chars(), 0, 24)?))
}

fn quoted(u: U<'_, '_>) -> Result<Quoted<'static>> {
    reject(Quoted::new(string(u, quoted_chars(), 0, 16)?))
}

fn literal_mode(u: U<'_, '_>) -> Result<LiteralMode> {
    Ok(if u.arbitrary()? {
        LiteralMode::Sync
    } else {
        LiteralMode::NonSync
    })
}

/// Octets for a literal: CHAR8 (any octet but NUL).
fn char8(u: U<'_, '_>, max: usize) -> Result<Vec<u8>> {
    Ok(bytes(u, max)?.into_iter().map(|b| b.max(1)).collect())
}

fn literal(u: U<'_, '_>, client: bool) -> Result<Literal<'static>> {
    let l = reject(Literal::new(char8(u, 24)?))?;
    Ok(if client {
        l.with_mode(literal_mode(u)?)
    } else {
        l
    })
}

fn istring(u: U<'_, '_>, client: bool) -> Result<IString<'static>> {
    Ok(match u.int_in_range(0..=2)? {
        0 => IString::Quoted(quoted(u)?),
        1 => IString::Literal(literal(u, client)?),
        _ => reject(IString::new(char8(u, 16)?))?,
    })
}

fn nstring(u: U<'_, '_>) -> Result<NString<'static>> {
    Ok(NString(option(u, |u| istring(u, false))?))
}

fn astring(u: U<'_, '_>, client: bool) -> Result<AString<'static>> {
    Ok(match u.int_in_range(0..=2)? {
        0 => reject(AString::new(string(u, atom_chars(), 1, 12)?.into_bytes()))?,
        1 => AString::String(istring(u, client)?),
        _ => reject(AString::new(char8(u, 16)?))?,
    })
}

fn mailbox(u: U<'_, '_>, client: bool) -> Result<Mailbox<'static>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Mailbox::Inbox,
        1 => reject(Mailbox::from_utf8_as_utf7(&String::arbitrary(u)?))?,
        _ => Mailbox::from_astring(astring(u, client)?),
    })
}

fn list_mailbox(u: U<'_, '_>) -> Result<ListMailbox<'static>> {
    let b = if u.arbitrary()? {
        string(u, &['%', '*', '/', '.', ']', 'a', 'B', '0', ' ', '"'], 1, 8)?.into_bytes()
    } else {
        char8(u, 12)?
    };
    reject(ListMailbox::new(b))
}

fn flag(u: U<'_, '_>) -> Result<Flag<'static>> {
    Ok(match u.int_in_range(0..=6)? {
        0 => Flag::Answered,
        1 => Flag::Flagged,
        2 => Flag::Deleted,
        3 => Flag::Seen,
        4 => Flag::Draft,
        5 => Flag::Keyword(atom(u)?),
        _ => Flag::Extension(reject(FlagExtension::new(atom(u)?.as_str().to_owned()))?),
    })
}

fn date(u: U<'_, '_>) -> Result<Date> {
    let (y, m, d) = (
        u.int_in_range(0..=9999)?,
        u.int_in_range(1..=12)?,
        u.int_in_range(1..=31)?,
    );
    Date::new(y, m, d).or_else(|_| reject(Date::new(y, m, 28)))
}

fn date_time(u: U<'_, '_>) -> Result<DateTime> {
    let d = date(u)?;
    let (h, m, s) = (
        u.int_in_range(0..=23)?,
        u.int_in_range(0..=59)?,
        u.int_in_range(0..=60)?,
    );
    let zh: i16 = u.int_in_range(-99..=99)?;
    let zm: i16 = u.int_in_range(0..=59)?;
    let zone = if zh < 0 { zh * 60 - zm } else { zh * 60 + zm };
    reject(DateTime::new(d, h, m, s, zone))
}

fn seq_number(u: U<'_, '_>) -> Result<SeqNumber> {
    Ok(if u.ratio(1, 5)? {
        SeqNumber::Largest
    } else {
        SeqNumber::Value(nz(u)?)
    })
}

fn sequence_set(u: U<'_, '_>) -> Result<SequenceSet> {
    if u.ratio(1, 8)? {
        return Ok(SequenceSet::SearchResult);
    }
    let items = list(u, 1, MAX_LIST, |u| {
        Ok(if u.arbitrary()? {
            SeqItem::Single(seq_number(u)?)
        } else {
            SeqItem::Range(seq_number(u)?, seq_number(u)?)
        })
    })?;
    reject(SequenceSet::new(items))
}

fn uid_set(u: U<'_, '_>) -> Result<UidSet> {
    let ranges = list(u, 1, MAX_LIST, |u| Ok((nz(u)?.get(), nz(u)?.get())))?;
    reject(UidSet::new(ranges))
}

fn comp(u: U<'_, '_>, depth: u32) -> Result<TaggedExtComp<'static>> {
    if depth >= MAX_DEPTH || u.arbitrary()? {
        Ok(TaggedExtComp::AString(astring(u, true)?))
    } else {
        Ok(TaggedExtComp::Paren(non_empty(u, |u| comp(u, depth + 1))?))
    }
}

fn tagged_ext_val(u: U<'_, '_>, client: bool) -> Result<TaggedExtVal<'static>> {
    Ok(match u.int_in_range(0..=2)? {
        0 => TaggedExtVal::Simple(reject(TaggedExtSimple::number(number64(u)?))?),
        1 => TaggedExtVal::Simple(TaggedExtSimple::sequence_set(sequence_set(u)?)),
        _ => TaggedExtVal::Comp(list(u, 0, 3, |u| {
            let c = comp(u, 0)?;
            // Responses carry no continuation: their literals are synchronizing.
            Ok(if client { c } else { sync_comp(c) })
        })?),
    })
}

fn sync_comp(c: TaggedExtComp<'static>) -> TaggedExtComp<'static> {
    match c {
        TaggedExtComp::AString(AString::String(IString::Literal(l))) => TaggedExtComp::AString(
            AString::String(IString::Literal(l.with_mode(LiteralMode::Sync))),
        ),
        TaggedExtComp::Paren(v) => TaggedExtComp::Paren(
            NonEmpty::new(Vec::from(v).into_iter().map(sync_comp).collect()).expect("non-empty"),
        ),
        other => other,
    }
}

fn label(u: U<'_, '_>) -> Result<TaggedExtLabel<'static>> {
    reject(TaggedExtLabel::new(format!(
        "X{}",
        string(u, label_chars(), 0, 6)?
    )))
}

fn capability(u: U<'_, '_>) -> Result<Capability<'static>> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Capability::Auth(atom(u)?),
        4 => Capability::QuotaRes(quota_resource(u)?),
        5 => Capability::Rights(reject(Atom::new(string(
            u,
            &['a', 'b', 'x', 'y', 'z'],
            1,
            6,
        )?))?),
        1 => Capability::Other(reject(OtherCapability::new(atom(u)?.as_str().to_owned()))?),
        _ => {
            let name = u.choose(&[
                "IMAP4rev1",
                "IMAP4rev2",
                "STARTTLS",
                "LOGINDISABLED",
                "SASL-IR",
                "LITERAL+",
                "LITERAL-",
                "IDLE",
                "ENABLE",
                "UNSELECT",
                "NAMESPACE",
                "UIDPLUS",
                "ESEARCH",
                "SEARCHRES",
                "MOVE",
                "BINARY",
                "CHILDREN",
                "LIST-EXTENDED",
                "LIST-STATUS",
                "SPECIAL-USE",
                "STATUS=SIZE",
                "UTF8=ACCEPT",
                "UTF8=ONLY",
                "CONDSTORE",
                "QRESYNC",
                "QUOTA",
                "ID",
                "QUOTASET",
                "ACL",
                "METADATA",
                "METADATA-SERVER",
                "LIST-MYRIGHTS",
                "AUTH=PLAIN",
                "AUTH=",
                "X-UNKNOWN",
            ])?;
            reject(Capability::parse_str(name))?
        }
    })
}

// ----------------------------------------------------------------------------------------
// Commands

fn notify_set(u: U<'_, '_>) -> Result<NotifySet<'static>> {
    use crate::ext::notify::{
        Event, EventExt, EventGroup, Events, FilterMailboxes as F, OneOrMoreMailbox as O,
    };
    let group = |u: U<'_, '_>| -> Result<EventGroup<'static>> {
        let many = |u: U<'_, '_>| -> Result<O<'static>> {
            Ok(if u.arbitrary()? {
                O::One(mailbox(u, true)?)
            } else {
                O::Many(non_empty(u, |u| mailbox(u, true))?)
            })
        };
        let filter = match u.int_in_range(0..=6)? {
            0 => F::Selected,
            1 => F::SelectedDelayed,
            2 => F::Inboxes,
            3 => F::Personal,
            4 => F::Subscribed,
            5 => F::Subtree(many(u)?),
            _ => F::Mailboxes(many(u)?),
        };
        let selected = filter.is_selected();
        let events = if u.ratio(1, 4)? {
            Events::None
        } else {
            Events::List(non_empty(u, |u| {
                Ok(match u.int_in_range(0..=8)? {
                    0 if selected => Event::MessageNew(option(u, |u| non_empty(u, fetch_att))?),
                    0 => Event::MessageNew(None),
                    1 => Event::MessageExpunge,
                    2 => Event::FlagChange,
                    3 => Event::AnnotationChange,
                    4 if !selected => Event::MailboxName,
                    5 if !selected => Event::SubscriptionChange,
                    6 if !selected => Event::MailboxMetadataChange,
                    7 if !selected => Event::ServerMetadataChange,
                    _ => Event::Other(reject(EventExt::new(atom(u)?.as_str().to_owned()))?),
                })
            })?)
        };
        reject(EventGroup::new(filter, events))
    };
    Ok(NotifySet {
        status: u.arbitrary()?,
        groups: non_empty(u, group)?,
    })
}

fn status_att(u: U<'_, '_>) -> Result<StatusAttribute> {
    Ok(*u.choose(StatusAttribute::ALL)?)
}

fn option_ext(u: U<'_, '_>) -> Result<OptionExtension<'static>> {
    let name = atom(u)?;
    let value = option(u, |u| non_empty(u, |u| comp(u, 1)))?;
    reject(OptionExtension::new(name, value))
}

fn search_key(u: U<'_, '_>, depth: u32) -> Result<SearchKey<'static>> {
    use SearchKey as K;
    use SearchKeyKind as S;
    // The variant comes from the search-key table (exhaustive: a new row must be added
    // here); at the depth limit the nesting keys become sequence sets.
    let nested = depth < MAX_DEPTH;
    Ok(match *u.choose(SearchKeyKind::ALL)? {
        S::All => K::All,
        S::Answered => K::Answered,
        S::Deleted => K::Deleted,
        S::Draft => K::Draft,
        S::Flagged => K::Flagged,
        S::New => K::New,
        S::Old => K::Old,
        S::Recent => K::Recent,
        S::Seen => K::Seen,
        S::Unanswered => K::Unanswered,
        S::Undeleted => K::Undeleted,
        S::Undraft => K::Undraft,
        S::Unflagged => K::Unflagged,
        S::Unseen => K::Unseen,
        S::Bcc => K::Bcc(astring(u, true)?),
        S::Body => K::Body(astring(u, true)?),
        S::Cc => K::Cc(astring(u, true)?),
        S::From => K::From(astring(u, true)?),
        S::Subject => K::Subject(astring(u, true)?),
        S::Text => K::Text(astring(u, true)?),
        S::To => K::To(astring(u, true)?),
        S::Header => K::Header(astring(u, true)?, astring(u, true)?),
        S::Before => K::Before(date(u)?),
        S::On => K::On(date(u)?),
        S::Since => K::Since(date(u)?),
        S::SentBefore => K::SentBefore(date(u)?),
        S::SentOn => K::SentOn(date(u)?),
        S::SentSince => K::SentSince(date(u)?),
        S::Larger => K::Larger(reject(Number64::new(number64(u)?))?),
        S::Smaller => K::Smaller(reject(Number64::new(number64(u)?))?),
        S::Keyword => K::Keyword(atom(u)?),
        S::Unkeyword => K::Unkeyword(atom(u)?),
        S::Uid => K::Uid(sequence_set(u)?),
        S::Modseq => K::Modseq(search_modseq(u)?),
        S::Not if nested => K::Not(Box::new(search_key(u, depth + 1)?)),
        S::Or if nested => K::Or(
            Box::new(search_key(u, depth + 1)?),
            Box::new(search_key(u, depth + 1)?),
        ),
        S::And if nested => K::And(non_empty(u, |u| search_key(u, depth + 1))?),
        S::Fuzzy if nested => K::Fuzzy(Box::new(search_key(u, depth + 1)?)),
        S::Older => K::Older(nz(u)?.into()),
        S::Younger => K::Younger(nz(u)?.into()),
        S::EmailId => K::EmailId(crate::ext::objectid::arbitrary_objectid(u)?),
        S::ThreadId => K::ThreadId(crate::ext::objectid::arbitrary_objectid(u)?),
        S::SavedBefore => K::SavedBefore(date(u)?),
        S::SavedOn => K::SavedOn(date(u)?),
        S::SavedSince => K::SavedSince(date(u)?),
        S::SaveDateSupported => K::SaveDateSupported,
        S::GmRaw => K::GmRaw(astring(u, true)?),
        S::GmMsgId => K::GmMsgId(u.arbitrary()?),
        S::GmThrId => K::GmThrId(u.arbitrary()?),
        S::GmLabels => K::GmLabels(gmail_label(u, true)?),
        S::SequenceSet | S::Not | S::Or | S::And | S::Fuzzy => K::SequenceSet(sequence_set(u)?),
    })
}

fn partial_range(u: U<'_, '_>) -> Result<PartialRange> {
    Ok(if u.arbitrary()? {
        PartialRange::First(nz(u)?, nz(u)?)
    } else {
        PartialRange::Last(nz(u)?, nz(u)?)
    })
}

fn search_return_opt(u: U<'_, '_>) -> Result<SearchReturnOpt<'static>> {
    Ok(match u.int_in_range(0..=9)? {
        0 => SearchReturnOpt::Min,
        1 => SearchReturnOpt::Max,
        2 => SearchReturnOpt::All,
        3 => SearchReturnOpt::Count,
        4 => SearchReturnOpt::Save,
        5 => SearchReturnOpt::Context,
        6 => SearchReturnOpt::Update,
        7 => SearchReturnOpt::Partial(partial_range(u)?),
        8 => SearchReturnOpt::UpdateFetch(non_empty(u, fetch_att)?),
        _ => {
            let name = label(u)?;
            let params = option(u, |u| tagged_ext_val(u, true))?;
            SearchReturnOpt::Extension(reject(SearchRetOptExt::new(name, params))?)
        }
    })
}

fn part(u: U<'_, '_>) -> Result<Part> {
    reject(Part::new(list(u, 1, MAX_LIST, nz)?))
}

fn partial(u: U<'_, '_>) -> Result<Partial> {
    let offset = number64(u)?;
    let length = number64(u)?.max(1);
    reject(Partial::new(offset, length))
}

fn section(u: U<'_, '_>, client: bool) -> Result<Section<'static>> {
    Ok(match u.int_in_range(0..=4)? {
        0 => Section::Part(option(u, part)?),
        1 => Section::Header(option(u, part)?),
        2 => Section::Text(option(u, part)?),
        3 => Section::Mime(part(u)?),
        _ => Section::HeaderFields {
            part: option(u, part)?,
            not: u.arbitrary()?,
            fields: reject(HeaderList::new(list(u, 1, 3, |u| astring(u, client))?))?,
        },
    })
}

fn fetch_att(u: U<'_, '_>) -> Result<FetchAtt<'static>> {
    use FetchAtt as A;
    use FetchAttKind as K;
    // The variant comes from the fetch-att table (exhaustive: a new row must be added here).
    Ok(match *u.choose(FetchAttKind::ALL)? {
        K::Envelope => A::Envelope,
        K::Modseq => A::Modseq,
        K::Flags => A::Flags,
        K::InternalDate => A::InternalDate,
        K::Rfc822 => A::Rfc822,
        K::Rfc822Header => A::Rfc822Header,
        K::Rfc822Size => A::Rfc822Size,
        K::Rfc822Text => A::Rfc822Text,
        K::Body => A::Body,
        K::BodyStructure => A::BodyStructure,
        K::Uid => A::Uid,
        K::BodySection => A::BodySection {
            peek: u.arbitrary()?,
            section: section(u, true)?,
            partial: option(u, partial)?,
        },
        K::Binary => A::Binary {
            peek: u.arbitrary()?,
            part: option(u, part)?,
            partial: option(u, partial)?,
        },
        K::BinarySize => A::BinarySize {
            part: option(u, part)?,
        },
        K::EmailId => A::EmailId,
        K::ThreadId => A::ThreadId,
        K::SaveDate => A::SaveDate,
        K::Preview => A::Preview {
            modifiers: option(u, |u| non_empty(u, |_| Ok(PreviewMod::Lazy)))?,
        },
        // Only the real-world profile reads it; the strict round trip would reject it.
        K::Snippet => return Err(Error::IncorrectFormat),
        K::GmMsgId => A::GmMsgId,
        K::GmThrId => A::GmThrId,
        K::GmLabels => A::GmLabels,
    })
}

/// `gm-label = flag / astring` (X-GM-EXT-1): a system label is a `"\" atom` flag (a keyword
/// flag would read back as a user label).
fn gmail_label(u: U<'_, '_>, client: bool) -> Result<GmailLabel<'static>> {
    Ok(match flag(u)? {
        Flag::Keyword(_) => GmailLabel::Name(astring(u, client)?),
        f => GmailLabel::System(f),
    })
}

fn command_body(u: U<'_, '_>) -> Result<CommandBody<'static>> {
    use CommandBody as B;
    use CommandKind as K;
    // The variant comes from the command table; the match is exhaustive, so a new row
    // does not compile until it can be generated. The RFC 4466 slots (select params, fetch
    // and store modifiers, create params) parse only with an extension in force: the
    // round-trip property parses with every `Extension` in force.
    Ok(match *u.choose(CommandKind::ALL)? {
        K::Capability => B::Capability,
        K::Noop => B::Noop,
        K::Logout => B::Logout,
        K::StartTls => B::StartTls,
        K::Namespace => B::Namespace,
        K::Idle => B::Idle,
        K::Compress => B::Compress {
            algorithm: crate::ext::compress::CompressionAlgorithm::Deflate,
        },
        K::Check => B::Check,
        K::Close => B::Close,
        K::Unselect => B::Unselect,
        K::Expunge => B::Expunge,
        K::Authenticate => B::Authenticate {
            mechanism: atom(u)?,
            initial_response: option(u, |u| bytes(u, 32))?.map(Cow::Owned),
        },
        K::Login => B::Login {
            username: astring(u, true)?,
            password: astring(u, true)?,
        },
        K::Enable => B::Enable {
            capabilities: non_empty(u, capability)?,
        },
        K::Select => B::Select {
            mailbox: mailbox(u, true)?,
            params: select_params(u)?,
        },
        K::Examine => B::Examine {
            mailbox: mailbox(u, true)?,
            params: select_params(u)?,
        },
        K::Create => B::Create {
            mailbox: mailbox(u, true)?,
            params: create_params(u)?,
        },
        K::Delete => B::Delete {
            mailbox: mailbox(u, true)?,
        },
        K::Rename => B::Rename {
            from: mailbox(u, true)?,
            to: mailbox(u, true)?,
        },
        K::Subscribe => B::Subscribe {
            mailbox: mailbox(u, true)?,
        },
        K::Unsubscribe => B::Unsubscribe {
            mailbox: mailbox(u, true)?,
        },
        K::List => {
            let selection = option(u, |u| {
                let opts = list(u, 0, MAX_LIST, |u| {
                    Ok(match u.int_in_range(0..=3)? {
                        0 => ListSelectOpt::Subscribed,
                        1 => ListSelectOpt::Remote,
                        2 => ListSelectOpt::RecursiveMatch,
                        _ => ListSelectOpt::Extension(option_ext(u)?),
                    })
                })?;
                reject(ListSelectOpts::new(opts))
            })?;
            let reference = mailbox(u, true)?;
            let patterns = if u.arbitrary()? {
                MboxOrPat::Single(list_mailbox(u)?)
            } else {
                MboxOrPat::Patterns(non_empty(u, list_mailbox)?)
            };
            let return_opts = option(u, |u| {
                list(u, 0, 3, |u| {
                    Ok(match u.int_in_range(0..=3)? {
                        0 => ListReturnOpt::Subscribed,
                        1 => ListReturnOpt::Children,
                        2 => ListReturnOpt::Status(non_empty(u, status_att)?),
                        _ => ListReturnOpt::Extension(option_ext(u)?),
                    })
                })
            })?;
            B::List {
                selection,
                reference,
                patterns,
                return_opts,
            }
        }
        K::Lsub => B::Lsub {
            reference: mailbox(u, true)?,
            pattern: list_mailbox(u)?,
        },
        K::Notify => B::Notify {
            set: option(u, notify_set)?,
        },
        K::Status => B::Status {
            mailbox: mailbox(u, true)?,
            items: non_empty(u, status_att)?,
        },
        K::Append => B::Append {
            mailbox: mailbox(u, true)?,
            flags: option(u, |u| list(u, 0, MAX_LIST, flag))?,
            date: option(u, date_time)?,
            message: append_data(u)?,
            more: list(u, 0, 2, append_message)?,
        },
        K::UidExpunge => B::UidExpunge {
            sequence_set: sequence_set(u)?,
        },
        K::Search => B::Search {
            uid: u.arbitrary()?,
            return_opts: option(u, |u| list(u, 0, 3, search_return_opt))?,
            charset: option(u, |u| astring(u, true))?,
            criteria: reject(crate::command::SearchProgram::try_from(non_empty(
                u,
                |u| search_key(u, 0),
            )?))?,
        },
        K::Fetch => {
            let uid = u.arbitrary()?;
            let sequence_set = sequence_set(u)?;
            let items = match u.int_in_range(0..=4)? {
                0 => FetchItems::All,
                1 => FetchItems::Fast,
                2 => FetchItems::Full,
                3 => FetchItems::Single(fetch_att(u)?),
                _ => FetchItems::List(reject(FetchList::new(non_empty(u, fetch_att)?.into_vec()))?),
            };
            let modifiers = fetch_modifiers(u, uid)?;
            // `FETCH 1 PREVIEW (LAZY)`: one PREVIEW item and a modifier list of bare `LAZY`
            // names spell PREVIEW with its preview-mods (RFC 8970 §6), which the parser
            // reads first; the other value cannot be written (RFC 4466 §2.4 and RFC 8970 make
            // the form ambiguous).
            let lazy = |m: &FetchModifier<'_>| {
                matches!(m, FetchModifier::Other(p)
                    if p.value().is_none() && p.name().as_str().eq_ignore_ascii_case("LAZY"))
            };
            if matches!(
                items,
                FetchItems::Single(FetchAtt::Preview { modifiers: None })
            ) && !modifiers.is_empty()
                && modifiers.iter().all(lazy)
            {
                return Err(Error::IncorrectFormat);
            }
            B::Fetch {
                uid,
                sequence_set,
                items,
                modifiers,
            }
        }
        K::Store => B::Store {
            uid: u.arbitrary()?,
            sequence_set: sequence_set(u)?,
            modifiers: store_modifiers(u)?,
            action: *u.choose(&[StoreAction::Replace, StoreAction::Add, StoreAction::Remove])?,
            silent: u.arbitrary()?,
            flags: match u.int_in_range(0..=3)? {
                0 => StoreFlags::List(list(u, 0, MAX_LIST, flag)?.into()),
                1 => StoreFlags::Bare(non_empty(u, flag)?),
                2 => StoreFlags::LabelList(list(u, 0, MAX_LIST, |u| gmail_label(u, true))?),
                _ => StoreFlags::Labels(non_empty(u, |u| gmail_label(u, true))?),
            },
        },
        K::Sort => B::Sort {
            uid: u.arbitrary()?,
            return_opts: option(u, |u| list(u, 0, 3, search_return_opt))?,
            criteria: non_empty(u, |u| {
                Ok(SortCriterion {
                    reverse: u.arbitrary()?,
                    key: *u.choose(SortKey::ALL)?,
                })
            })?,
            charset: sort_charset(u)?,
            keys: non_empty(u, |u| search_key(u, 0))?,
        },
        K::Thread => B::Thread {
            uid: u.arbitrary()?,
            algorithm: match u.int_in_range(0..=3)? {
                0 => ThreadAlgorithm::OrderedSubject,
                1 => ThreadAlgorithm::References,
                2 => ThreadAlgorithm::Refs,
                _ => {
                    let a = atom(u)?;
                    match reject(ThreadAlgorithm::new(a.as_str()))? {
                        ThreadAlgorithm::Other(_) => ThreadAlgorithm::Other(a),
                        _ => return Err(Error::IncorrectFormat),
                    }
                }
            },
            charset: sort_charset(u)?,
            keys: non_empty(u, |u| search_key(u, 0))?,
        },
        K::CancelUpdate => B::CancelUpdate {
            tags: non_empty(u, quoted)?,
        },
        K::Copy => B::Copy {
            uid: u.arbitrary()?,
            sequence_set: sequence_set(u)?,
            mailbox: mailbox(u, true)?,
        },
        K::Move => B::Move {
            uid: u.arbitrary()?,
            sequence_set: sequence_set(u)?,
            mailbox: mailbox(u, true)?,
        },
        K::Id => B::Id {
            params: id_params(u, true)?,
        },
        K::GetQuota => B::GetQuota {
            root: astring(u, true)?,
        },
        K::GetQuotaRoot => B::GetQuotaRoot {
            mailbox: mailbox(u, true)?,
        },
        K::SetQuota => B::SetQuota {
            root: astring(u, true)?,
            limits: list(u, 0, MAX_LIST, |u| {
                Ok(QuotaLimit {
                    resource: quota_resource(u)?,
                    limit: n64(u)?,
                })
            })?,
        },
        K::SetAcl => B::SetAcl {
            mailbox: mailbox(u, true)?,
            identifier: astring(u, true)?,
            rights: astring(u, true)?,
        },
        K::DeleteAcl => B::DeleteAcl {
            mailbox: mailbox(u, true)?,
            identifier: astring(u, true)?,
        },
        K::GetAcl => B::GetAcl {
            mailbox: mailbox(u, true)?,
        },
        K::ListRights => B::ListRights {
            mailbox: mailbox(u, true)?,
            identifier: astring(u, true)?,
        },
        K::MyRights => B::MyRights {
            mailbox: mailbox(u, true)?,
        },
        K::GetMetadata => B::GetMetadata {
            options: list(u, 0, 3, metadata_option)?,
            mailbox: mailbox(u, true)?,
            entries: if u.arbitrary()? {
                MetadataEntries::Single(metadata_entry(u, true)?)
            } else {
                MetadataEntries::List(non_empty(u, |u| metadata_entry(u, true))?)
            },
        },
        K::SetMetadata => B::SetMetadata {
            mailbox: mailbox(u, true)?,
            values: non_empty(u, |u| entry_value(u, true))?,
        },
        K::Replace => B::Replace {
            uid: u.arbitrary()?,
            number: seq_number(u)?,
            mailbox: mailbox(u, true)?,
            message: append_message(u)?,
        },
        K::Unauthenticate => B::Unauthenticate,
        K::Language => B::Language {
            ranges: list(u, 0, 3, |u| astring(u, true))?,
        },
        K::Comparator => B::Comparator {
            order: list(u, 0, 3, |u| astring(u, true))?,
        },
        K::Rlist => B::Rlist {
            reference: mailbox(u, true)?,
            pattern: list_mailbox(u)?,
        },
        K::Rlsub => B::Rlsub {
            reference: mailbox(u, true)?,
            pattern: list_mailbox(u)?,
        },
        K::Xlist => B::Xlist {
            reference: mailbox(u, true)?,
            pattern: list_mailbox(u)?,
        },
        K::GenUrlauth => B::GenUrlauth {
            requests: non_empty(u, |u| {
                Ok(UrlauthRequest {
                    rump: astring(u, true)?,
                    mechanism: urlauth_mechanism(u)?,
                })
            })?,
        },
        K::ResetKey => {
            let mailbox = option(u, |u| mailbox(u, true))?;
            let mechanisms = if mailbox.is_some() {
                list(u, 0, 3, urlauth_mechanism)?
            } else {
                Vec::new()
            };
            B::ResetKey {
                mailbox,
                mechanisms,
            }
        }
        K::UrlFetch => B::UrlFetch {
            urls: non_empty(u, |u| astring(u, true))?,
        },
    })
}

fn literal8(u: U<'_, '_>) -> Result<Literal8<'static>> {
    Ok(Literal8::new(bytes(u, 24)?).with_mode(literal_mode(u)?))
}

/// `append-data`: literal, literal8, CATENATE (RFC 4469) or UTF8 (RFC 6855).
fn append_data(u: U<'_, '_>) -> Result<AppendData<'static>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => AppendData::Literal(literal(u, true)?),
        1 => AppendData::Literal8(literal8(u)?),
        2 => AppendData::Catenate(non_empty(u, |u| {
            Ok(match u.int_in_range(0..=2)? {
                0 => CatPart::Text(literal(u, true)?),
                1 => CatPart::Url(astring(u, true)?),
                _ => CatPart::Utf8(literal8(u)?),
            })
        })?),
        _ => AppendData::Utf8(literal8(u)?),
    })
}

/// `append-message` (RFC 3502, RFC 4466).
fn append_message(u: U<'_, '_>) -> Result<AppendMessage<'static>> {
    Ok(AppendMessage {
        flags: option(u, |u| list(u, 0, MAX_LIST, flag))?,
        date: option(u, date_time)?,
        message: append_data(u)?,
    })
}

impl<'a> Arbitrary<'a> for Command<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Command::new(tag(u)?, command_body(u)?))
    }
}

impl<'a> Arbitrary<'a> for EncodeOptions {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(EncodeOptions::with_literal(*u.choose(&[
            LiteralCapability::None,
            LiteralCapability::Minus,
            LiteralCapability::Plus,
        ])?))
    }
}

impl<'a> Arbitrary<'a> for AuthenticateData<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(1, 8)? {
            AuthenticateData::Cancel
        } else {
            AuthenticateData::Response(Cow::Owned(bytes(u, 64)?))
        })
    }
}

impl<'a> Arbitrary<'a> for IdleDone {
    fn arbitrary(_: &mut Unstructured<'a>) -> Result<Self> {
        Ok(IdleDone)
    }
}

// ----------------------------------------------------------------------------------------
// Responses

// The response side's own imports (kept here so that the command side's list is untouched).
use crate::flag::FlagFetch;
use crate::response::{
    AppendUid, BinaryData, BinarySizeData, CopyUid, FetchData, RespText, SectionData,
};

fn code(u: U<'_, '_>) -> Result<Code<'static>> {
    crate::response::code::arbitrary_code(u)
}

fn n64(u: U<'_, '_>) -> Result<Number64> {
    reject(Number64::new(number64(u)?))
}

// The generators of the code table's rows with arguments (`response/code.rs`, `code_table!`).

pub(crate) fn code_bad_charset(u: U<'_, '_>) -> Result<Vec<AString<'static>>> {
    list(u, 0, 3, |u| astring(u, false))
}

pub(crate) fn code_permanent_flags(u: U<'_, '_>) -> Result<Vec<FlagPerm<'static>>> {
    list(u, 0, MAX_LIST, |u| {
        Ok(if u.ratio(1, 5)? {
            FlagPerm::Any
        } else {
            FlagPerm::Flag(flag(u)?)
        })
    })
}

pub(crate) fn code_append_uid(u: U<'_, '_>) -> Result<AppendUid> {
    let uid_validity = nz(u)?;
    Ok(if u.ratio(1, 4)? {
        AppendUid::multiple(uid_validity, uid_set(u)?)
    } else {
        AppendUid::new(uid_validity, nz(u)?)
    })
}

pub(crate) fn code_copy_uid(u: U<'_, '_>) -> Result<CopyUid> {
    Ok(CopyUid {
        uid_validity: nz(u)?,
        source: uid_set(u)?,
        destination: uid_set(u)?,
    })
}

pub(crate) fn code_bad_url(u: U<'_, '_>) -> Result<UrlRespText<'static>> {
    reject(UrlRespText::new(string(u, url_resp_chars(), 1, 24)?))
}

pub(crate) fn code_referral(u: U<'_, '_>) -> Result<NonEmpty<ReferralUrl<'static>>> {
    non_empty(u, |u| {
        reject(ReferralUrl::new(string(u, referral_url_chars(), 1, 24)?))
    })
}

pub(crate) fn language_data(u: U<'_, '_>) -> Result<NonEmpty<AString<'static>>> {
    non_empty(u, |u| astring(u, false))
}

pub(crate) fn comparator_data(u: U<'_, '_>) -> Result<ComparatorData<'static>> {
    Ok(ComparatorData {
        active: astring(u, false)?,
        matching: option(u, |u| non_empty(u, |u| astring(u, false)))?,
    })
}

fn urlauth_mechanism(u: U<'_, '_>) -> Result<UrlauthMechanism<'static>> {
    reject(UrlauthMechanism::new(string(u, mechanism_chars(), 1, 12)?))
}

pub(crate) fn code_url_mech(u: U<'_, '_>) -> Result<UrlMech<'static>> {
    let entries = list(u, 0, 3, |u| {
        let base64 = option(u, |u| {
            let quads = string(u, base64_chars(), 1, 3)?.repeat(4);
            Ok(Cow::Owned(quads))
        })?;
        Ok(UrlMechEntry {
            mechanism: urlauth_mechanism(u)?,
            base64,
        })
    })?;
    reject(UrlMech::new(entries))
}

pub(crate) fn genurlauth_data(u: U<'_, '_>) -> Result<NonEmpty<AString<'static>>> {
    non_empty(u, |u| astring(u, false))
}

pub(crate) fn urlfetch_data(u: U<'_, '_>) -> Result<NonEmpty<UrlFetchItem<'static>>> {
    non_empty(u, |u| {
        Ok(UrlFetchItem {
            url: astring(u, false)?,
            data: nstring(u)?,
        })
    })
}

pub(crate) fn other_code(u: U<'_, '_>) -> Result<OtherCode<'static>> {
    let name = atom(u)?.as_str().to_owned();
    let text = option(u, |u| string(u, code_text_chars(), 1, 12))?;
    reject(OtherCode::new(name, text.map(Cow::Owned)))
}

pub(crate) fn capability_data(u: U<'_, '_>) -> Result<CapabilityData<'static>> {
    let mut caps = list(u, 0, 3, capability)?;
    let at = u.int_in_range(0..=caps.len())?;
    let rev = if u.arbitrary()? {
        Capability::Imap4rev2
    } else {
        Capability::Imap4rev1
    };
    caps.insert(at, rev);
    reject(CapabilityData::new(caps))
}

fn address(u: U<'_, '_>) -> Result<Address<'static>> {
    Ok(Address {
        name: nstring(u)?,
        adl: nstring(u)?,
        mailbox: nstring(u)?,
        host: nstring(u)?,
    })
}

fn envelope(u: U<'_, '_>) -> Result<Envelope<'static>> {
    let addrs = |u: U<'_, '_>| list(u, 0, 2, address).map(AddressList::new);
    Ok(Envelope {
        date: nstring(u)?,
        subject: nstring(u)?,
        from: addrs(u)?,
        sender: addrs(u)?,
        reply_to: addrs(u)?,
        to: addrs(u)?,
        cc: addrs(u)?,
        bcc: addrs(u)?,
        in_reply_to: nstring(u)?,
        message_id: nstring(u)?,
    })
}

fn params(u: U<'_, '_>) -> Result<BodyParams<'static>> {
    list(u, 0, 3, |u| {
        Ok(BodyParam {
            name: istring(u, false)?,
            value: istring(u, false)?,
        })
    })
    .map(BodyParams::new)
}

fn body_extension(u: U<'_, '_>, depth: u32) -> Result<BodyExtension<'static>> {
    Ok(
        match u.int_in_range(0..=if depth >= MAX_DEPTH { 1 } else { 2 })? {
            0 => BodyExtension::NString(nstring(u)?),
            1 => BodyExtension::Number(n64(u)?),
            _ => BodyExtension::List(reject(BodyExtensionList::new(list(u, 1, 3, |u| {
                body_extension(u, depth + 1)
            })?))?),
        },
    )
}

fn ext_disposition(u: U<'_, '_>) -> Result<ExtDisposition<'static>> {
    let disposition = option(u, |u| {
        Ok(Disposition {
            kind: istring(u, false)?,
            params: params(u)?,
        })
    })?;
    let language = option(u, |u| {
        let language = if u.arbitrary()? {
            Language::Single(nstring(u)?)
        } else {
            Language::List(reject(StringList::new(list(u, 1, 3, |u| {
                istring(u, false)
            })?))?)
        };
        let location = option(u, |u| {
            Ok(ExtLocation {
                location: nstring(u)?,
                extensions: list(u, 0, 3, |u| body_extension(u, 0))?,
            })
        })?;
        Ok(ExtLanguage { language, location })
    })?;
    Ok(ExtDisposition {
        disposition,
        language,
    })
}

fn body_fields(u: U<'_, '_>) -> Result<BodyFields<'static>> {
    Ok(BodyFields {
        params: params(u)?,
        id: nstring(u)?,
        description: nstring(u)?,
        encoding: istring(u, false)?,
        octets: u.arbitrary()?,
    })
}

fn single_extension(u: U<'_, '_>) -> Result<Option<SinglePartExtension<'static>>> {
    option(u, |u| {
        Ok(SinglePartExtension {
            md5: nstring(u)?,
            disposition: option(u, ext_disposition)?,
        })
    })
}

fn body_structure(u: U<'_, '_>, depth: u32) -> Result<BodyStructure<'static>> {
    let choice = u.int_in_range(0..=if depth >= MAX_DEPTH { 1 } else { 3 })?;
    Ok(match choice {
        0 | 1 => {
            let kind = if choice == 0 {
                SinglePartKind::Basic(reject(BasicMedia::new(
                    istring(u, false)?,
                    istring(u, false)?,
                ))?)
            } else {
                SinglePartKind::Text {
                    subtype: istring(u, false)?,
                    lines: n64(u)?,
                }
            };
            BodyStructure::Single(SinglePart {
                kind,
                fields: body_fields(u)?,
                extension: single_extension(u)?,
            })
        }
        2 => {
            let bodies = list(u, 1, 3, |u| body_structure(u, depth + 1))?;
            let subtype = istring(u, false)?;
            let extension = option(u, |u| {
                Ok(MultiPartExtension {
                    params: params(u)?,
                    disposition: option(u, ext_disposition)?,
                })
            })?;
            BodyStructure::Multi(reject(MultiPart::new(bodies, subtype, extension))?)
        }
        _ => BodyStructure::Single(SinglePart {
            kind: SinglePartKind::Message(Box::new(MessagePart {
                subtype: if u.arbitrary()? {
                    MessageSubtype::Global
                } else {
                    MessageSubtype::Rfc822
                },
                envelope: envelope(u)?,
                body: body_structure(u, depth + 1)?,
                lines: n64(u)?,
            })),
            fields: body_fields(u)?,
            extension: single_extension(u)?,
        }),
    })
}

fn message_attribute(u: U<'_, '_>) -> Result<MessageAttribute<'static>> {
    crate::response::fetch::arbitrary_message_attribute(u)
}

// The generators of the FETCH item table's rows (`response/fetch.rs`, `msg_att_table!`).

pub(crate) fn att_flags(u: U<'_, '_>) -> Result<Vec<FlagFetch<'static>>> {
    list(u, 0, MAX_LIST, |u| {
        Ok(if u.ratio(1, 6)? {
            Flag::Extension(reject(FlagExtension::new("Recent"))?)
        } else {
            flag(u)?
        })
    })
}

pub(crate) fn att_uid(u: U<'_, '_>) -> Result<NonZeroU32> {
    nz(u)
}

pub(crate) fn att_envelope(u: U<'_, '_>) -> Result<Box<Envelope<'static>>> {
    Ok(Box::new(envelope(u)?))
}

pub(crate) fn att_internal_date(u: U<'_, '_>) -> Result<DateTime> {
    date_time(u)
}

pub(crate) fn att_number64(u: U<'_, '_>) -> Result<Number64> {
    n64(u)
}

pub(crate) fn att_nstring(u: U<'_, '_>) -> Result<NString<'static>> {
    nstring(u)
}

pub(crate) fn att_body(u: U<'_, '_>) -> Result<Box<BodyStructure<'static>>> {
    Ok(Box::new(body_structure(u, 0)?))
}

pub(crate) fn att_section_data(u: U<'_, '_>) -> Result<SectionData<'static>> {
    Ok(SectionData {
        section: section(u, false)?,
        origin: option(u, |u| u.arbitrary::<u32>())?,
        data: nstring(u)?,
    })
}

pub(crate) fn att_binary(u: U<'_, '_>) -> Result<BinaryData<'static>> {
    Ok(BinaryData {
        section: option(u, part)?,
        value: if u.arbitrary()? {
            BinaryValue::NString(nstring(u)?)
        } else {
            BinaryValue::Literal8(Literal8::new(bytes(u, 24)?))
        },
    })
}

pub(crate) fn code_badevent(u: U<'_, '_>) -> Result<NonEmpty<crate::ext::notify::EventName>> {
    non_empty(u, |u| Ok(*u.choose(&crate::ext::notify::EventName::ALL)?))
}

pub(crate) fn att_objectid(u: U<'_, '_>) -> Result<ObjectId<'static>> {
    crate::ext::objectid::arbitrary_objectid(u)
}

pub(crate) fn att_threadid(u: U<'_, '_>) -> Result<Option<ObjectId<'static>>> {
    option(u, crate::ext::objectid::arbitrary_objectid)
}

pub(crate) fn att_savedate(u: U<'_, '_>) -> Result<Option<DateTime>> {
    option(u, date_time)
}

/// `SNIPPET` data is read only under the real-world profile; the strict round trip would
/// reject it.
pub(crate) fn att_snippet(_: U<'_, '_>) -> Result<NString<'static>> {
    Err(Error::IncorrectFormat)
}

pub(crate) fn att_gm_id(u: U<'_, '_>) -> Result<u64> {
    u.arbitrary()
}

pub(crate) fn att_gm_labels(u: U<'_, '_>) -> Result<Vec<GmailLabel<'static>>> {
    list(u, 0, MAX_LIST, |u| gmail_label(u, false))
}

pub(crate) fn att_binary_size(u: U<'_, '_>) -> Result<BinarySizeData> {
    Ok(BinarySizeData {
        section: option(u, part)?,
        size: u.arbitrary()?,
    })
}

fn delimiter(u: U<'_, '_>) -> Result<Option<Delimiter>> {
    option(u, |u| {
        let c = if u.arbitrary()? {
            *u.choose(&['/', '.', '"', '\\', ':', '\u{e4}', '\u{1f600}'])?
        } else {
            u.arbitrary()?
        };
        reject(Delimiter::new(c))
    })
}

fn mailbox_attribute(u: U<'_, '_>) -> Result<MailboxAttribute<'static>> {
    use MailboxAttribute as M;
    Ok(match u.int_in_range(0..=16)? {
        0 => M::NoInferiors,
        1 => M::NoSelect,
        2 => M::Marked,
        3 => M::Unmarked,
        4 => M::NonExistent,
        5 => M::Subscribed,
        6 => M::Remote,
        7 => M::HasChildren,
        8 => M::HasNoChildren,
        9 => M::All,
        10 => M::Archive,
        11 => M::Drafts,
        12 => M::Flagged,
        13 => M::Junk,
        14 => M::Sent,
        15 => M::Trash,
        _ => {
            // `"\" atom`, read by the parser: a known name becomes its variant.
            let wire = format!("\\{}", atom(u)?.as_str());
            let (_, attr) = reject(M::parse(wire.as_bytes()))?;
            crate::IntoStatic::into_static(attr)
        }
    })
}

pub(crate) fn mailbox_list(u: U<'_, '_>) -> Result<MailboxList<'static>> {
    Ok(MailboxList {
        attributes: reject(ListAttributes::new(list(
            u,
            0,
            MAX_LIST,
            mailbox_attribute,
        )?))?,
        delimiter: delimiter(u)?,
        mailbox: mailbox(u, false)?,
    })
}

fn list_extended_item(u: U<'_, '_>) -> Result<ListExtendedItem<'static>> {
    let (tag, value) = match u.int_in_range(0..=2)? {
        0 => (
            reject(AString::new("CHILDINFO"))?,
            ListExtendedValue::ChildInfo(list(u, 1, 3, atom)?),
        ),
        1 => (
            reject(AString::new("OLDNAME"))?,
            ListExtendedValue::OldName(mailbox(u, false)?),
        ),
        _ => (
            reject(AString::new(atom(u)?.as_str().to_owned()))?,
            ListExtendedValue::Other(tagged_ext_val(u, false)?),
        ),
    };
    reject(ListExtendedItem::new(tag, value))
}

fn namespace(u: U<'_, '_>) -> Result<Vec<NamespaceDescr<'static>>> {
    list(u, 0, 3, |u| {
        Ok(NamespaceDescr {
            prefix: istring(u, false)?,
            delimiter: delimiter(u)?,
            extensions: list(u, 0, 2, |u| {
                Ok(NamespaceExtension {
                    name: istring(u, false)?,
                    values: reject(StringList::new(list(u, 1, 3, |u| istring(u, false))?))?,
                })
            })?,
        })
    })
}

fn seq_items(u: U<'_, '_>) -> Result<SeqItems> {
    match sequence_set(u)? {
        SequenceSet::Items(items) => Ok(items),
        SequenceSet::SearchResult => Err(Error::IncorrectFormat),
    }
}

fn search_return_data(u: U<'_, '_>) -> Result<SearchReturnData<'static>> {
    if u.ratio(1, 6)? {
        return Ok(SearchReturnData::ModSeq(modseq(u)?));
    }
    if u.ratio(1, 4)? {
        let update = |u: U<'_, '_>| {
            reject(ContextUpdate::new(list(u, 1, 3, |u| {
                Ok((u.arbitrary()?, seq_items(u)?))
            })?))
        };
        return Ok(match u.int_in_range(0..=2)? {
            0 => SearchReturnData::AddTo(update(u)?),
            1 => SearchReturnData::RemoveFrom(update(u)?),
            _ => SearchReturnData::Partial(partial_range(u)?, option(u, seq_items)?),
        });
    }
    Ok(match u.int_in_range(0..=4)? {
        0 => SearchReturnData::Min(nz(u)?),
        1 => SearchReturnData::Max(nz(u)?),
        2 => SearchReturnData::Count(u.arbitrary()?),
        3 => {
            let items = list(u, 1, MAX_LIST, |u| {
                let a = nz(u)?.get();
                let b = nz(u)?.get();
                Ok(if u.arbitrary()? {
                    SeqItem::Single(SeqNumber::Value(NonZeroU32::new(a).expect("non-zero")))
                } else {
                    SeqItem::range(a, b).ok_or(Error::IncorrectFormat)?
                })
            })?;
            match reject(SequenceSet::new(items))? {
                SequenceSet::Items(items) => SearchReturnData::All(items),
                SequenceSet::SearchResult => return Err(Error::IncorrectFormat),
            }
        }
        _ => {
            let name = label(u)?.as_str().to_owned();
            SearchReturnData::Other(reject(SearchReturnExt::new(
                name,
                tagged_ext_val(u, false)?,
            ))?)
        }
    })
}

fn status_attribute(u: U<'_, '_>) -> Result<StatusAttributeValue<'static>> {
    Ok(match u.int_in_range(0..=10)? {
        7 => StatusAttributeValue::MailboxId(crate::ext::objectid::arbitrary_objectid(u)?),
        8 => StatusAttributeValue::AppendLimit(option(u, |u| u.arbitrary())?),
        9 => StatusAttributeValue::DeletedStorage(n64(u)?),
        0 => StatusAttributeValue::Messages(u.arbitrary()?),
        1 => StatusAttributeValue::UidNext(u.arbitrary()?),
        2 => StatusAttributeValue::UidValidity(u.arbitrary()?),
        3 => StatusAttributeValue::Unseen(u.arbitrary()?),
        4 => StatusAttributeValue::Deleted(u.arbitrary()?),
        5 => StatusAttributeValue::Recent(u.arbitrary()?),
        6 => StatusAttributeValue::Size(n64(u)?),
        _ => StatusAttributeValue::HighestModSeq(n64(u)?),
    })
}

// The generators of the data table's rows (`response/data.rs`, `data_table!`): the table
// picks the kind from `DataKind::ALL` and calls the row's generator.

pub(crate) fn enabled_data(u: U<'_, '_>) -> Result<Vec<Capability<'static>>> {
    list(u, 0, MAX_LIST, capability)
}

pub(crate) fn list_data(u: U<'_, '_>) -> Result<ListData<'static>> {
    Ok(ListData {
        list: mailbox_list(u)?,
        extended: option(u, |u| list(u, 0, 3, list_extended_item))?,
    })
}

pub(crate) fn namespace_data(u: U<'_, '_>) -> Result<NamespaceData<'static>> {
    Ok(NamespaceData {
        personal: namespace(u)?,
        other: namespace(u)?,
        shared: namespace(u)?,
    })
}

pub(crate) fn status_data(u: U<'_, '_>) -> Result<StatusData<'static>> {
    Ok(StatusData {
        mailbox: mailbox(u, false)?,
        attributes: list(u, 0, 5, status_attribute)?,
    })
}

pub(crate) fn search_data(u: U<'_, '_>) -> Result<SearchData> {
    let numbers = list(u, 0, 5, nz)?;
    if !numbers.is_empty() && u.arbitrary()? {
        return reject(SearchData::with_modseq(numbers, modseq(u)?));
    }
    Ok(SearchData::new(numbers))
}

pub(crate) fn code_no_update(u: U<'_, '_>) -> Result<Quoted<'static>> {
    quoted(u)
}

// RFC 5256 (`ext/sort.rs`).

/// `charset = atom / quoted`: an astring generated until it is not a literal.
fn sort_charset(u: U<'_, '_>) -> Result<AString<'static>> {
    Ok(if u.arbitrary()? {
        reject(AString::new(atom(u)?.as_str().to_owned().into_bytes()))?
    } else {
        AString::String(crate::IString::Quoted(quoted(u)?))
    })
}

fn thread(u: U<'_, '_>, depth: u32) -> Result<Thread> {
    let members = list(u, 0, 3, nz)?;
    let branches = if depth < MAX_DEPTH && u.arbitrary()? {
        list(u, 2, 3, |u| thread(u, depth + 1))?
    } else {
        Vec::new()
    };
    reject(Thread::new(members, branches))
}

pub(crate) fn thread_data(u: U<'_, '_>) -> Result<Vec<Thread>> {
    list(u, 0, 3, |u| thread(u, 0))
}

// RFC 7162 (`ext/condstore.rs`).

fn modseq(u: U<'_, '_>) -> Result<ModSeq> {
    reject(ModSeq::new(number64(u)?.max(1)))
}

pub(crate) fn att_modseq(u: U<'_, '_>) -> Result<ModSeq> {
    modseq(u)
}

pub(crate) fn code_modseq(u: U<'_, '_>) -> Result<ModSeq> {
    modseq(u)
}

pub(crate) fn code_modified(u: U<'_, '_>) -> Result<SequenceSet> {
    sequence_set(u)
}

pub(crate) fn vanished_data(u: U<'_, '_>) -> Result<Vanished> {
    Ok(Vanished {
        earlier: u.arbitrary()?,
        uids: uid_set(u)?,
    })
}

fn search_modseq(u: U<'_, '_>) -> Result<SearchModSeq<'static>> {
    let entry = option(u, |u| {
        let ty = *u.choose(&[EntryType::Private, EntryType::Shared, EntryType::All])?;
        Ok((flag(u)?, ty))
    })?;
    reject(SearchModSeq::new(entry, n64(u)?))
}

/// The RFC 4466 slot parameters, typed and generic, with no name twice.
fn slot_params<P>(
    u: U<'_, '_>,
    one: impl Fn(U<'_, '_>) -> Result<P>,
    encode: impl Fn(&P) -> Vec<u8>,
) -> Result<Vec<P>> {
    let params = list(u, 0, 3, one)?;
    let mut names: Vec<Vec<u8>> = Vec::new();
    for p in &params {
        let text = encode(p);
        let end = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
        let name = text[..end].to_ascii_uppercase();
        if names.contains(&name) {
            return Err(Error::IncorrectFormat);
        }
        names.push(name);
    }
    Ok(params)
}

fn ext_param(u: U<'_, '_>) -> Result<ExtParam<'static>> {
    Ok(ExtParam::new(
        label(u)?,
        option(u, |u| tagged_ext_val(u, true))?,
    ))
}

fn select_params(u: U<'_, '_>) -> Result<Vec<SelectParam<'static>>> {
    slot_params(
        u,
        |u| {
            Ok(match u.int_in_range(0..=2)? {
                0 => SelectParam::CondStore,
                1 => {
                    let mut p = QResyncParams::new(nz(u)?, modseq(u)?);
                    if u.arbitrary()? {
                        p = p.with_known_uids(uid_set(u)?);
                    }
                    if u.arbitrary()? {
                        p = p.with_seq_match(uid_set(u)?, uid_set(u)?);
                    }
                    SelectParam::QResync(p)
                }
                _ => SelectParam::Other(ext_param(u)?),
            })
        },
        crate::ext::slots::encode_one,
    )
}

fn fetch_modifiers(u: U<'_, '_>, uid: bool) -> Result<Vec<FetchModifier<'static>>> {
    let mut m = slot_params(
        u,
        |u| {
            Ok(match u.int_in_range(0..=2)? {
                0 => FetchModifier::ChangedSince(modseq(u)?),
                1 => FetchModifier::Partial(partial_range(u)?),
                _ => FetchModifier::Other(ext_param(u)?),
            })
        },
        crate::ext::slots::encode_one,
    )?;
    // VANISHED: UID FETCH only, with CHANGEDSINCE (RFC 7162 §3.2.6).
    if uid
        && m.iter()
            .any(|m| matches!(m, FetchModifier::ChangedSince(_)))
        && u.arbitrary()?
    {
        m.push(FetchModifier::Vanished);
    }
    Ok(m)
}

/// `create-params` (RFC 4466 §2.2): `USE` (RFC 6154 §3) or a generic parameter; they parse
/// with CREATE-SPECIAL-USE in force.
fn create_params(u: U<'_, '_>) -> Result<Vec<CreateParam<'static>>> {
    slot_params(
        u,
        |u| {
            Ok(if u.arbitrary()? {
                CreateParam::Use(list(u, 0, MAX_LIST, mailbox_attribute)?)
            } else {
                CreateParam::Other(reject(OtherCreateParam::new(ext_param(u)?))?)
            })
        },
        |p| {
            let mut text = Vec::new();
            crate::encode::Encode::encode(p, &mut crate::encode::Encoder::server(&mut text));
            text
        },
    )
}

fn store_modifiers(u: U<'_, '_>) -> Result<Vec<StoreModifier<'static>>> {
    slot_params(
        u,
        |u| {
            Ok(match u.int_in_range(0..=1)? {
                0 => StoreModifier::UnchangedSince(n64(u)?),
                _ => StoreModifier::Other(ext_param(u)?),
            })
        },
        crate::ext::slots::encode_one,
    )
}

pub(crate) fn esearch_data(u: U<'_, '_>) -> Result<EsearchData<'static>> {
    Ok(EsearchData {
        correlator: option(u, |u| astring(u, false))?,
        uid: u.arbitrary()?,
        data: list(u, 0, MAX_LIST, search_return_data)?,
    })
}

pub(crate) fn flags_data(u: U<'_, '_>) -> Result<Vec<Flag<'static>>> {
    list(u, 0, 5, flag)
}

pub(crate) fn any_u32(u: U<'_, '_>) -> Result<u32> {
    u.arbitrary()
}

pub(crate) fn nz_u32(u: U<'_, '_>) -> Result<NonZeroU32> {
    nz(u)
}

pub(crate) fn fetch_data(u: U<'_, '_>) -> Result<FetchData<'static>> {
    Ok(FetchData::new(nz(u)?, non_empty(u, message_attribute)?))
}

/// `uidfetch-resp` (RFC 9586 §3.3).
pub(crate) fn uid_fetch_data(u: U<'_, '_>) -> Result<crate::ext::uidonly::UidFetchData<'static>> {
    Ok(crate::ext::uidonly::UidFetchData::new(
        nz(u)?,
        non_empty(u, message_attribute)?,
    ))
}

/// `resp-text`: a code or not, and text; the few texts that would read as a code are
/// refused by `RespText::new` (the generator then fails and the caller moves on).
fn resp_text(u: U<'_, '_>) -> Result<RespText<'static>> {
    let resp_code = option(u, code)?;
    let text = if resp_code.is_none() && u.ratio(1, 8)? {
        // Text that starts with "[": either not a code (text), or a whole code and SP, which
        // `RespText::new` refuses (it would read back as a code).
        if u.arbitrary()? {
            reject(Text::new(format!("[{}", text(u)?.as_str())))?
        } else {
            let mut wire = Vec::new();
            let mut e = crate::encode::Encoder::server(&mut wire);
            crate::encode::Encode::encode(&code(u)?, &mut e);
            let _ = e.finish();
            let wire = String::from_utf8_lossy(&wire).into_owned();
            reject(Text::new(format!("[{wire}] {}", text(u)?.as_str())))?
        }
    } else {
        text(u)?
    };
    reject(RespText::new(resp_code, text))
}

impl<'a> Arbitrary<'a> for Status<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let text = resp_text(u)?;
        Ok(if u.arbitrary()? {
            let kind = *u.choose(&[StatusKind::Ok, StatusKind::No, StatusKind::Bad])?;
            reject(Status::tagged(tag(u)?, kind, text))?
        } else {
            let kinds = [
                StatusKind::Ok,
                StatusKind::No,
                StatusKind::Bad,
                StatusKind::Bye,
            ];
            Status::untagged(*u.choose(&kinds)?, text)
        })
    }
}

impl<'a> Arbitrary<'a> for ContinuationRequest<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.arbitrary()? {
            ContinuationRequest::with_text(resp_text(u)?)
        } else {
            ContinuationRequest::base64(bytes(u, 48)?)
        })
    }
}

impl<'a> Arbitrary<'a> for Data<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        crate::response::data::arbitrary_data(u)
    }
}

impl<'a> Arbitrary<'a> for Response<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=4)? {
            0 | 1 => Response::Status(Status::arbitrary(u)?),
            2 | 3 => Response::Data(Data::arbitrary(u)?),
            _ => Response::Continuation(ContinuationRequest::arbitrary(u)?),
        })
    }
}

impl<'a> Arbitrary<'a> for Greeting<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let kind = *u.choose(&[GreetingKind::Ok, GreetingKind::PreAuth, GreetingKind::Bye])?;
        Ok(Greeting::new(kind, resp_text(u)?))
    }
}

// ----------------------------------------------------------------------------------------
// ID, QUOTA, ACL, METADATA (crate::ext::{id, quota, acl, metadata})

use crate::ext::acl::{AclData, AclEntry, ListRightsData, MyRightsData};
use crate::ext::id::IdParam;
use crate::ext::metadata::{
    EntryValue, GetMetadataOption, MetadataCode, MetadataData, MetadataDepth, MetadataEntries,
    MetadataEntry, MetadataItems, MetadataValue, OtherMetadataOption,
};
use crate::ext::quota::{QuotaData, QuotaLimit, QuotaResource, QuotaRootData, QuotaUsage};

fn id_params(u: U<'_, '_>, client: bool) -> Result<Vec<IdParam<'static>>> {
    list(u, 0, MAX_LIST, |u| {
        let value = if u.arbitrary()? {
            NString(Some(istring(u, client)?))
        } else {
            NString(None)
        };
        Ok(IdParam::new(istring(u, client)?, value))
    })
}

fn quota_resource(u: U<'_, '_>) -> Result<QuotaResource<'static>> {
    Ok(match u.int_in_range(0..=4)? {
        0 => QuotaResource::Storage,
        1 => QuotaResource::Message,
        2 => QuotaResource::Mailbox,
        3 => QuotaResource::AnnotationStorage,
        _ => reject(QuotaResource::new(atom(u)?.as_str().to_owned()))?,
    })
}

fn metadata_entry(u: U<'_, '_>, client: bool) -> Result<MetadataEntry<'static>> {
    reject(MetadataEntry::from_astring(astring(u, client)?))
}

fn entry_value(u: U<'_, '_>, client: bool) -> Result<EntryValue<'static>> {
    let entry = metadata_entry(u, client)?;
    let value = match u.int_in_range(0..=2)? {
        0 => MetadataValue::NString(NString(None)),
        1 => MetadataValue::NString(NString(Some(istring(u, client)?))),
        _ => {
            let l = Literal8::new(bytes(u, 16)?);
            MetadataValue::Literal8(if client {
                l.with_mode(literal_mode(u)?)
            } else {
                l
            })
        }
    };
    Ok(EntryValue { entry, value })
}

fn metadata_option(u: U<'_, '_>) -> Result<GetMetadataOption<'static>> {
    Ok(match u.int_in_range(0..=2)? {
        0 => GetMetadataOption::MaxSize(u.arbitrary()?),
        1 => GetMetadataOption::Depth(*u.choose(&[
            MetadataDepth::Zero,
            MetadataDepth::One,
            MetadataDepth::Infinity,
        ])?),
        _ => GetMetadataOption::Other(reject(OtherMetadataOption::new(
            label(u)?,
            option(u, |u| tagged_ext_val(u, true))?,
        ))?),
    })
}

pub(crate) fn id_data(u: U<'_, '_>) -> Result<Vec<IdParam<'static>>> {
    id_params(u, false)
}

pub(crate) fn quota_data(u: U<'_, '_>) -> Result<QuotaData<'static>> {
    Ok(QuotaData {
        root: astring(u, false)?,
        resources: list(u, 0, MAX_LIST, |u| {
            Ok(QuotaUsage {
                resource: quota_resource(u)?,
                usage: n64(u)?,
                limit: n64(u)?,
            })
        })?,
    })
}

pub(crate) fn quota_root_data(u: U<'_, '_>) -> Result<QuotaRootData<'static>> {
    Ok(QuotaRootData {
        mailbox: mailbox(u, false)?,
        roots: list(u, 0, MAX_LIST, |u| astring(u, false))?,
    })
}

pub(crate) fn acl_data(u: U<'_, '_>) -> Result<AclData<'static>> {
    Ok(AclData {
        mailbox: mailbox(u, false)?,
        entries: list(u, 0, MAX_LIST, |u| {
            Ok(AclEntry {
                identifier: astring(u, false)?,
                rights: astring(u, false)?,
            })
        })?,
    })
}

pub(crate) fn list_rights_data(u: U<'_, '_>) -> Result<ListRightsData<'static>> {
    Ok(ListRightsData {
        mailbox: mailbox(u, false)?,
        identifier: astring(u, false)?,
        required: astring(u, false)?,
        optional: list(u, 0, MAX_LIST, |u| astring(u, false))?,
    })
}

pub(crate) fn my_rights_data(u: U<'_, '_>) -> Result<MyRightsData<'static>> {
    Ok(MyRightsData {
        mailbox: mailbox(u, false)?,
        rights: astring(u, false)?,
    })
}

pub(crate) fn metadata_data(u: U<'_, '_>) -> Result<MetadataData<'static>> {
    Ok(MetadataData {
        mailbox: mailbox(u, false)?,
        items: if u.arbitrary()? {
            MetadataItems::Values(non_empty(u, |u| entry_value(u, false))?)
        } else {
            MetadataItems::Entries(non_empty(u, |u| metadata_entry(u, false))?)
        },
    })
}

pub(crate) fn code_annotations(u: U<'_, '_>) -> Result<crate::ext::annotate::AnnotationSupport> {
    use crate::ext::annotate::AnnotationSupport as A;
    Ok(match u.int_in_range(0..=2)? {
        0 => A::None,
        1 => A::ReadOnly {
            no_private: u.arbitrary()?,
        },
        _ => A::MaxSize {
            size: nz(u)?,
            no_private: u.arbitrary()?,
        },
    })
}

pub(crate) fn code_annotate(u: U<'_, '_>) -> Result<crate::ext::annotate::AnnotateCode> {
    Ok(*u.choose(&[
        crate::ext::annotate::AnnotateCode::TooBig,
        crate::ext::annotate::AnnotateCode::TooMany,
    ])?)
}

pub(crate) fn code_metadata(u: U<'_, '_>) -> Result<MetadataCode> {
    Ok(match u.int_in_range(0..=3)? {
        0 => MetadataCode::LongEntries(u.arbitrary()?),
        1 => MetadataCode::MaxSize(u.arbitrary()?),
        2 => MetadataCode::TooMany,
        _ => MetadataCode::NoPrivate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one FETCH value the generator skips: a single PREVIEW and a bare `LAZY` modifier
    /// encode as PREVIEW with its preview-mods, which is what the parser reads (RFC 8970 §6).
    #[test]
    fn preview_with_a_lazy_modifier_reads_as_preview_mods() {
        let label = crate::ext::TaggedExtLabel::new("LAZY").unwrap();
        let cmd = Command::new(
            Tag::new("a").unwrap(),
            CommandBody::Fetch {
                uid: false,
                sequence_set: SequenceSet::parse_str("1").unwrap(),
                items: FetchItems::Single(FetchAtt::Preview { modifiers: None }),
                modifiers: vec![FetchModifier::Other(ExtParam::new(label, None))],
            },
        );
        let mut out = Vec::new();
        let _ = cmd.encode(&mut out, &EncodeOptions::default());
        assert_eq!(out, b"a FETCH 1 PREVIEW (LAZY)\r\n");
        let options = crate::ParseOptions::default().with_extension(crate::Extension::Partial);
        let parsed = Command::parse_with(&out, &options).unwrap().value;
        assert_ne!(parsed, cmd);
    }

    /// Every generated value survives encode → parse, for a few thousand byte strings.
    #[test]
    fn generated_values_round_trip() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut made = 0;
        for _ in 0..3000 {
            let data: Vec<u8> = (0..512)
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
                let mut out = Vec::new();
                let _ = cmd.encode(&mut out, &EncodeOptions::default());
                // With every extension in force: the RFC 4466 slots are open (see
                // `command_body`), the Gmail rows and UTF-8 quoted strings parse, as in the
                // fuzz targets.
                let options = crate::Extension::ALL
                    .iter()
                    .fold(crate::ParseOptions::default(), |o, &e| o.with_extension(e));
                assert_eq!(
                    Command::parse_with(&out, &options)
                        .map(|p| p.value)
                        .as_ref(),
                    Ok(&cmd),
                    "{:?}",
                    String::from_utf8_lossy(&out)
                );
            }
            let mut u = Unstructured::new(&data);
            if let Ok(r) = Response::arbitrary(&mut u) {
                made += 1;
                let mut out = Vec::new();
                let _ = r.encode(&mut out);
                let options = crate::ParseOptions::default()
                    .with_extension(crate::Extension::GmailExt1)
                    .with_extension(crate::Extension::Utf8Accept);
                assert_eq!(
                    Response::parse_with(&out, &options)
                        .map(|p| p.value)
                        .as_ref(),
                    Ok(&r),
                    "{:?}",
                    String::from_utf8_lossy(&out)
                );
            }
        }
        assert!(made > 3000, "only {made} values generated");
    }
}
