//! Property tests of the response codec: every generated valid `Response` (including nested
//! body structures and envelopes) survives encode → parse unchanged, and no input makes the
//! parser panic.

use std::num::NonZeroU32;

use imap_codec::capability::OtherCapability;
use imap_codec::ext::{NonEmpty, TaggedExtComp, TaggedExtSimple, TaggedExtVal};
use imap_codec::flag::FlagExtension;
use imap_codec::response::envelope::Envelope;
use imap_codec::response::{
    Address, BasicMedia, BinaryValue, BodyExtension, BodyExtensionList, BodyFields, BodyParam,
    BodyStructure, CapabilityData, Delimiter, Disposition, EsearchData, ExtDisposition,
    ExtLanguage, ExtLocation, Language, ListAttributes, ListData, ListExtendedItem,
    ListExtendedValue, MailboxList, MessagePart, MessageSubtype, MultiPart, MultiPartExtension,
    NamespaceData, NamespaceDescr, NamespaceExtension, OtherCode, SearchReturnData,
    SearchReturnExt, SinglePart, SinglePartExtension, SinglePartKind, StatusAttributeValue,
    StatusData, StringList,
};
use imap_codec::sequence::{SeqItem, SequenceSet};
use imap_codec::{
    AString, Atom, Capability, Code, ContinuationRequest, Data, Date, DateTime, Flag, FlagPerm,
    Greeting, IString, IntoStatic, Literal, Literal8, Mailbox, MailboxAttribute, MessageAttribute,
    NString, Part, Quoted, Response, Section, Status, StatusKind, Tag, Text, UidSet,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

type S<T> = BoxedStrategy<T>;

const NUMBER64_MAX: u64 = i64::MAX as u64;

fn nz() -> S<NonZeroU32> {
    (1..=u32::MAX)
        .prop_map(|n| NonZeroU32::new(n).unwrap())
        .boxed()
}

fn atom_str() -> S<String> {
    "[A-Za-z0-9$_.+-]{1,10}".boxed()
}

/// An atom that is no keyword any parser treats specially.
fn x_atom() -> S<Atom<'static>> {
    "X-[A-Za-z0-9_.-]{0,8}"
        .prop_map(|s| Atom::try_from(s).unwrap())
        .boxed()
}

fn text() -> S<Text<'static>> {
    "([a-zA-Z0-9,.!?äß€ -][a-zA-Z0-9,.!?äß€ \\]\\[()\"*%{}~-]{0,30})?"
        .prop_map(|s| Text::new(s).unwrap())
        .boxed()
}

fn istring() -> S<IString<'static>> {
    prop_oneof![
        4 => "[ -~äö]{0,16}".prop_map(|s| IString::Quoted(Quoted::new(s).unwrap())),
        1 => vec(1u8..=255, 0..24).prop_map(|b| IString::Literal(Literal::new(b).unwrap())),
    ]
    .boxed()
}

fn nstring() -> S<NString<'static>> {
    prop_oneof![1 => Just(NString(None)), 4 => istring().prop_map(|s| NString(Some(s)))].boxed()
}

fn astring() -> S<AString<'static>> {
    prop_oneof![
        "[A-Za-z0-9\\]$_.-]{1,10}".prop_map(|s| AString::new(s.into_bytes()).unwrap()),
        istring().prop_map(AString::String),
    ]
    .boxed()
}

fn mailbox() -> S<Mailbox<'static>> {
    prop_oneof![
        Just(Mailbox::Inbox),
        astring().prop_map(Mailbox::from_astring),
    ]
    .boxed()
}

fn flag() -> S<Flag<'static>> {
    prop_oneof![
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Seen),
        Just(Flag::Draft),
        atom_str().prop_map(|s| Flag::Keyword(Atom::try_from(s).unwrap())),
        x_atom().prop_map(|a| Flag::Extension(FlagExtension::new(a.as_str().to_owned()).unwrap())),
    ]
    .boxed()
}

fn capability() -> S<Capability<'static>> {
    prop_oneof![
        Just(Capability::Imap4rev1),
        Just(Capability::Imap4rev2),
        Just(Capability::Idle),
        Just(Capability::LiteralPlus),
        atom_str().prop_map(|s| Capability::Auth(Atom::try_from(s).unwrap())),
        x_atom()
            .prop_map(|a| Capability::Other(OtherCapability::new(a.as_str().to_owned()).unwrap())),
    ]
    .boxed()
}

fn capability_data() -> S<CapabilityData<'static>> {
    (
        vec(capability(), 0..4),
        any::<bool>(),
        vec(capability(), 0..4),
    )
        .prop_map(|(mut a, rev2, b)| {
            a.push(if rev2 {
                Capability::Imap4rev2
            } else {
                Capability::Imap4rev1
            });
            a.extend(b);
            CapabilityData::new(a).unwrap()
        })
        .boxed()
}

fn uid_set() -> S<UidSet> {
    vec((1..=u32::MAX, 1..=u32::MAX), 1..4)
        .prop_map(|r| UidSet::new(r).unwrap())
        .boxed()
}

fn code() -> S<Code<'static>> {
    let unit = prop::sample::select(vec![
        Code::Alert,
        Code::Parse,
        Code::ReadOnly,
        Code::ReadWrite,
        Code::TryCreate,
        Code::UidNotSticky,
        Code::Unavailable,
        Code::AuthenticationFailed,
        Code::AuthorizationFailed,
        Code::Expired,
        Code::PrivacyRequired,
        Code::ContactAdmin,
        Code::NoPerm,
        Code::InUse,
        Code::ExpungeIssued,
        Code::Corruption,
        Code::ServerBug,
        Code::ClientBug,
        Code::Cannot,
        Code::Limit,
        Code::OverQuota,
        Code::AlreadyExists,
        Code::NonExistent,
        Code::NotSaved,
        Code::HasChildren,
        Code::Closed,
        Code::UnknownCte,
    ]);
    prop_oneof![
        unit,
        vec(astring(), 0..3).prop_map(Code::BadCharset),
        capability_data().prop_map(Code::Capability),
        vec(
            prop_oneof![Just(FlagPerm::Any), flag().prop_map(FlagPerm::Flag)],
            0..4
        )
        .prop_map(Code::PermanentFlags),
        nz().prop_map(Code::UidNext),
        nz().prop_map(Code::UidValidity),
        nz().prop_map(Code::Unseen),
        (nz(), nz()).prop_map(|(uid_validity, uid)| Code::AppendUid { uid_validity, uid }),
        (nz(), uid_set(), uid_set()).prop_map(|(uid_validity, source, destination)| {
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            }
        }),
        (x_atom(), option::of("[ -\\\\^-~]{1,12}")).prop_map(|(a, t)| {
            Code::Other(OtherCode::new(a.as_str().to_owned(), t.map(Into::into)).unwrap())
        }),
    ]
    .boxed()
}

fn status() -> S<Status<'static>> {
    let tagged = (
        "[A-Za-z0-9.]{1,6}",
        prop::sample::select(vec![StatusKind::Ok, StatusKind::No, StatusKind::Bad]),
    )
        .prop_map(|(t, k)| (Some(Tag::try_from(t).unwrap()), k));
    let untagged = prop::sample::select(vec![
        StatusKind::Ok,
        StatusKind::No,
        StatusKind::Bad,
        StatusKind::Bye,
    ])
    .prop_map(|k| (None, k));
    (prop_oneof![tagged, untagged], option::of(code()), text())
        .prop_map(|((tag, kind), code, text)| Status {
            tag,
            kind,
            code,
            text,
        })
        .boxed()
}

fn address() -> S<Address<'static>> {
    (nstring(), nstring(), nstring(), nstring())
        .prop_map(|(name, adl, mailbox, host)| Address {
            name,
            adl,
            mailbox,
            host,
        })
        .boxed()
}

fn envelope() -> S<Envelope<'static>> {
    let list = || vec(address(), 0..3);
    (
        (nstring(), nstring(), list(), list(), list()),
        (list(), list(), list(), nstring(), nstring()),
    )
        .prop_map(
            |((date, subject, from, sender, reply_to), (to, cc, bcc, in_reply_to, message_id))| {
                Envelope {
                    date,
                    subject,
                    from,
                    sender,
                    reply_to,
                    to,
                    cc,
                    bcc,
                    in_reply_to,
                    message_id,
                }
            },
        )
        .boxed()
}

fn params() -> S<Vec<BodyParam<'static>>> {
    vec(
        (istring(), istring()).prop_map(|(name, value)| BodyParam { name, value }),
        0..3,
    )
    .boxed()
}

fn body_extension() -> S<BodyExtension<'static>> {
    let leaf = prop_oneof![
        nstring().prop_map(BodyExtension::NString),
        (0..=NUMBER64_MAX).prop_map(BodyExtension::Number),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        vec(inner, 1..3).prop_map(|v| BodyExtension::List(BodyExtensionList::new(v).unwrap()))
    })
    .boxed()
}

fn ext_disposition() -> S<ExtDisposition<'static>> {
    let disposition =
        option::of((istring(), params()).prop_map(|(kind, params)| Disposition { kind, params }));
    let language = prop_oneof![
        nstring().prop_map(Language::Single),
        vec(istring(), 1..3).prop_map(|v| Language::List(StringList::new(v).unwrap())),
    ];
    let location = option::of((nstring(), vec(body_extension(), 0..3)).prop_map(
        |(location, extensions)| ExtLocation {
            location,
            extensions,
        },
    ));
    (
        disposition,
        option::of(
            (language, location)
                .prop_map(|(language, location)| ExtLanguage { language, location }),
        ),
    )
        .prop_map(|(disposition, language)| ExtDisposition {
            disposition,
            language,
        })
        .boxed()
}

fn body_fields() -> S<BodyFields<'static>> {
    (params(), nstring(), nstring(), istring(), any::<u32>())
        .prop_map(|(params, id, description, encoding, octets)| BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        })
        .boxed()
}

fn single_extension() -> S<Option<SinglePartExtension<'static>>> {
    option::of(
        (nstring(), option::of(ext_disposition()))
            .prop_map(|(md5, disposition)| SinglePartExtension { md5, disposition }),
    )
    .boxed()
}

fn leaf_body() -> S<BodyStructure<'static>> {
    let basic = (istring(), istring())
        .prop_filter_map("media-basic", |(t, s)| BasicMedia::new(t, s).ok())
        .prop_map(SinglePartKind::Basic);
    let text = (istring(), 0..=NUMBER64_MAX)
        .prop_map(|(subtype, lines)| SinglePartKind::Text { subtype, lines });
    (prop_oneof![basic, text], body_fields(), single_extension())
        .prop_map(|(kind, fields, extension)| {
            BodyStructure::Single(SinglePart {
                kind,
                fields,
                extension,
            })
        })
        .boxed()
}

fn body() -> S<BodyStructure<'static>> {
    leaf_body()
        .prop_recursive(4, 16, 3, |inner| {
            let multi = (
                vec(inner.clone(), 1..4),
                istring(),
                option::of((params(), option::of(ext_disposition())).prop_map(
                    |(params, disposition)| MultiPartExtension {
                        params,
                        disposition,
                    },
                )),
            )
                .prop_map(|(bodies, subtype, extension)| {
                    BodyStructure::Multi(MultiPart::new(bodies, subtype, extension).unwrap())
                });
            let message = (
                any::<bool>(),
                envelope(),
                inner,
                0..=NUMBER64_MAX,
                body_fields(),
                single_extension(),
            )
                .prop_map(|(global, envelope, body, lines, fields, extension)| {
                    let subtype = if global {
                        MessageSubtype::Global
                    } else {
                        MessageSubtype::Rfc822
                    };
                    BodyStructure::Single(SinglePart {
                        kind: SinglePartKind::Message(Box::new(MessagePart {
                            subtype,
                            envelope,
                            body,
                            lines,
                        })),
                        fields,
                        extension,
                    })
                });
            prop_oneof![multi, message]
        })
        .boxed()
}

fn date_time() -> S<DateTime> {
    (
        (0u16..=9999, 1u8..=12, 1u8..=28),
        (0u8..=23, 0u8..=59, 0u8..=60),
        -5999i16..=5999,
    )
        .prop_filter_map("zone", |((y, mo, d), (h, mi, s), z)| {
            if (z % 100).abs() >= 60 {
                return None;
            }
            let zone = z / 100 * 60 + z % 100;
            DateTime::new(Date::new(y, mo, d).ok()?, h, mi, s, zone).ok()
        })
        .boxed()
}

fn part() -> S<Part> {
    vec(nz(), 1..4).prop_map(|p| Part::new(p).unwrap()).boxed()
}

fn section() -> S<Section<'static>> {
    prop::sample::select(vec![
        "[]",
        "[1]",
        "[1.2.3]",
        "[HEADER]",
        "[TEXT]",
        "[2.HEADER]",
        "[4.2.TEXT]",
        "[3.MIME]",
        "[HEADER.FIELDS (DATE FROM)]",
        "[1.HEADER.FIELDS.NOT (\"X-A\" {3}\r\nabc)]",
    ])
    .prop_map(|s| Section::parse_str(s).unwrap())
    .boxed()
}

fn message_attribute() -> S<MessageAttribute<'static>> {
    prop_oneof![
        vec(
            prop_oneof![
                Just(Flag::Extension(FlagExtension::new("Recent").unwrap())),
                flag()
            ],
            0..4
        )
        .prop_map(MessageAttribute::Flags),
        envelope().prop_map(|e| MessageAttribute::Envelope(Box::new(e))),
        date_time().prop_map(MessageAttribute::InternalDate),
        nstring().prop_map(MessageAttribute::Rfc822),
        nstring().prop_map(MessageAttribute::Rfc822Header),
        nstring().prop_map(MessageAttribute::Rfc822Text),
        (0..=NUMBER64_MAX).prop_map(MessageAttribute::Rfc822Size),
        body().prop_map(|b| MessageAttribute::Body(Box::new(b))),
        body().prop_map(|b| MessageAttribute::BodyStructure(Box::new(b))),
        (section(), option::of(0..=u64::from(u32::MAX)), nstring()).prop_map(
            |(section, origin, data)| MessageAttribute::BodySection {
                section,
                origin,
                data
            }
        ),
        (
            option::of(part()),
            prop_oneof![
                nstring().prop_map(BinaryValue::NString),
                vec(any::<u8>(), 0..16).prop_map(|b| BinaryValue::Literal8(Literal8::new(b))),
            ]
        )
            .prop_map(|(section, value)| MessageAttribute::Binary { section, value }),
        (option::of(part()), any::<u32>())
            .prop_map(|(section, size)| MessageAttribute::BinarySize { section, size }),
        nz().prop_map(MessageAttribute::Uid),
    ]
    .boxed()
}

fn delimiter() -> S<Option<Delimiter>> {
    option::of(
        prop_oneof![
            prop::sample::select(vec!['/', '.', '"', '\\', ':', '\u{e4}', '\u{1f600}']),
            any::<char>(),
        ]
        .prop_filter_map("delimiter", |c| Delimiter::new(c).ok()),
    )
    .boxed()
}

fn mailbox_attribute() -> S<MailboxAttribute<'static>> {
    prop_oneof![
        prop::sample::select(vec![
            MailboxAttribute::NoInferiors,
            MailboxAttribute::NoSelect,
            MailboxAttribute::Marked,
            MailboxAttribute::Unmarked,
            MailboxAttribute::NonExistent,
            MailboxAttribute::Subscribed,
            MailboxAttribute::Remote,
            MailboxAttribute::HasChildren,
            MailboxAttribute::HasNoChildren,
            MailboxAttribute::All,
            MailboxAttribute::Archive,
            MailboxAttribute::Drafts,
            MailboxAttribute::Flagged,
            MailboxAttribute::Junk,
            MailboxAttribute::Sent,
            MailboxAttribute::Trash,
        ]),
        x_atom().prop_map(MailboxAttribute::Extension),
    ]
    .boxed()
}

fn mailbox_list() -> S<MailboxList<'static>> {
    (
        vec(mailbox_attribute(), 0..4)
            .prop_filter_map("one sflag", |v| ListAttributes::new(v).ok()),
        delimiter(),
        mailbox(),
    )
        .prop_map(|(attributes, delimiter, mailbox)| MailboxList {
            attributes,
            delimiter,
            mailbox,
        })
        .boxed()
}

fn tagged_ext_val() -> S<TaggedExtVal<'static>> {
    let simple = prop_oneof![
        (0..=NUMBER64_MAX).prop_map(|n| TaggedExtSimple::number(n).unwrap()),
        prop::sample::select(vec!["1:*", "*", "1,2,3:4", "$", "7:2"])
            .prop_map(|s| TaggedExtSimple::sequence_set(SequenceSet::parse_str(s).unwrap())),
    ]
    .prop_map(TaggedExtVal::Simple);
    let item = astring()
        .prop_map(TaggedExtComp::AString)
        .prop_recursive(3, 10, 3, |inner| {
            vec(inner, 1..3).prop_map(|v| TaggedExtComp::Paren(NonEmpty::new(v).unwrap()))
        });
    let comp = vec(item, 0..3).prop_map(TaggedExtVal::Comp);
    prop_oneof![simple, comp].boxed()
}

fn list_extended_item() -> S<ListExtendedItem<'static>> {
    prop_oneof![
        vec(x_atom(), 1..3).prop_map(|v| ListExtendedItem::new(
            AString::new("CHILDINFO").unwrap(),
            ListExtendedValue::ChildInfo(v)
        )
        .unwrap()),
        mailbox().prop_map(|m| ListExtendedItem::new(
            AString::new(&b"\"OLDNAME\""[1..8]).unwrap(),
            ListExtendedValue::OldName(m)
        )
        .unwrap()),
        (x_atom(), tagged_ext_val()).prop_map(|(a, v)| ListExtendedItem::new(
            AString::new(a.as_str().to_owned()).unwrap(),
            ListExtendedValue::Other(v)
        )
        .unwrap()),
    ]
    .boxed()
}

fn namespace() -> S<Vec<NamespaceDescr<'static>>> {
    vec(
        (
            istring(),
            delimiter(),
            vec(
                (istring(), vec(istring(), 1..3)).prop_map(|(name, v)| NamespaceExtension {
                    name,
                    values: StringList::new(v).unwrap(),
                }),
                0..2,
            ),
        )
            .prop_map(|(prefix, delimiter, extensions)| NamespaceDescr {
                prefix,
                delimiter,
                extensions,
            }),
        0..3,
    )
    .boxed()
}

fn search_return_data() -> S<SearchReturnData<'static>> {
    prop_oneof![
        nz().prop_map(SearchReturnData::Min),
        nz().prop_map(SearchReturnData::Max),
        any::<u32>().prop_map(SearchReturnData::Count),
        vec((1..=u32::MAX, 0..=u32::MAX), 1..4).prop_map(|v| {
            let items = v
                .into_iter()
                .map(|(a, b)| SeqItem::range(a, b).or(SeqItem::single(a)).unwrap())
                .collect();
            match SequenceSet::new(items).unwrap() {
                SequenceSet::Items(items) => SearchReturnData::All(items),
                SequenceSet::SearchResult => unreachable!(),
            }
        }),
        ("X[A-Za-z0-9.:_-]{0,6}", tagged_ext_val())
            .prop_map(|(n, v)| { SearchReturnData::Other(SearchReturnExt::new(n, v).unwrap()) }),
    ]
    .boxed()
}

fn status_attribute() -> S<StatusAttributeValue> {
    prop_oneof![
        any::<u32>().prop_map(StatusAttributeValue::Messages),
        any::<u32>().prop_map(StatusAttributeValue::UidNext),
        any::<u32>().prop_map(StatusAttributeValue::UidValidity),
        any::<u32>().prop_map(StatusAttributeValue::Unseen),
        any::<u32>().prop_map(StatusAttributeValue::Deleted),
        any::<u32>().prop_map(StatusAttributeValue::Recent),
        (0..=NUMBER64_MAX).prop_map(StatusAttributeValue::Size),
    ]
    .boxed()
}

fn data() -> S<Data<'static>> {
    prop_oneof![
        capability_data().prop_map(Data::Capability),
        vec(capability(), 0..4).prop_map(Data::Enabled),
        (mailbox_list(), option::of(vec(list_extended_item(), 0..3)))
            .prop_map(|(list, extended)| Data::List(ListData { list, extended })),
        mailbox_list().prop_map(Data::Lsub),
        (namespace(), namespace(), namespace()).prop_map(|(personal, other, shared)| {
            Data::Namespace(NamespaceData {
                personal,
                other,
                shared,
            })
        }),
        (mailbox(), vec(status_attribute(), 0..5)).prop_map(|(mailbox, attributes)| {
            Data::Status(StatusData {
                mailbox,
                attributes,
            })
        }),
        vec(nz(), 0..5).prop_map(Data::Search),
        (
            option::of(astring()),
            any::<bool>(),
            vec(search_return_data(), 0..4)
        )
            .prop_map(|(correlator, uid, data)| Data::Esearch(EsearchData {
                correlator,
                uid,
                data
            })),
        vec(flag(), 0..5).prop_map(Data::Flags),
        any::<u32>().prop_map(Data::Exists),
        any::<u32>().prop_map(Data::Recent),
        nz().prop_map(Data::Expunge),
        (nz(), vec(message_attribute(), 1..5))
            .prop_map(|(seq, attributes)| Data::Fetch { seq, attributes }),
    ]
    .boxed()
}

fn continuation() -> S<ContinuationRequest<'static>> {
    prop_oneof![
        (option::of(code()), text())
            .prop_map(|(code, text)| ContinuationRequest::new(code, text).unwrap()),
        vec(any::<u8>(), 0..40).prop_map(ContinuationRequest::base64),
    ]
    .boxed()
}

fn response() -> S<Response<'static>> {
    prop_oneof![
        status().prop_map(Response::Status),
        data().prop_map(Response::Data),
        continuation().prop_map(Response::Continuation),
    ]
    .boxed()
}

proptest! {
    // 512 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_encode_round_trip(r in response()) {
        prop_assert_eq!(r.check(), Ok(()));
        let mut out = Vec::new();
        let enc = r.encode(&mut out);
        prop_assert!(enc.sync_points.is_empty());
        let parsed = Response::parse(&out);
        prop_assert!(parsed.is_ok(), "{:?}\n{:?}", String::from_utf8_lossy(&out), parsed);
        let parsed = parsed.unwrap();
        prop_assert_eq!(&parsed, &r);
        // Encoding is a fixed point.
        let mut again = Vec::new();
        let _ = parsed.encode(&mut again);
        prop_assert_eq!(&again, &out);
        prop_assert_eq!(parsed.into_static(), r);
    }

    #[test]
    fn greeting_round_trip(
        kind in prop::sample::select(vec![
            imap_codec::response::GreetingKind::Ok,
            imap_codec::response::GreetingKind::PreAuth,
            imap_codec::response::GreetingKind::Bye,
        ]),
        code in option::of(code()),
        text in text(),
    ) {
        let g = Greeting { kind, code, text };
        let mut out = Vec::new();
        let _ = g.encode(&mut out);
        prop_assert_eq!(Greeting::parse(&out).unwrap(), g);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..200)) {
        let _ = Response::parse(&bytes);
        let _ = Greeting::parse(&bytes);
    }

    #[test]
    fn mangled_responses_never_panic(
        r in response(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        for (at, b) in edits {
            let i = at.index(out.len());
            out[i] = b;
        }
        let _ = Response::parse(&out);
        let n = cut.index(out.len() + 1);
        let _ = Response::parse(&out[..n]);
    }

    #[test]
    fn prefixes_of_responses_are_rejected(r in response(), cut in any::<prop::sample::Index>()) {
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        // A prefix that ends in CRLF can be a complete response of its own (text that
        // begins with `[` but is no code, a literal's data ending in CRLF).
        let n = cut.index(out.len());
        if !out[..n].ends_with(b"\r\n") {
            prop_assert!(Response::parse(&out[..n]).is_err());
        }
    }
}
