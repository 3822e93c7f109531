//! Property tests: every `Command` built with the public constructors encodes to bytes that
//! parse back to the same value, and parsing arbitrary (or mangled) bytes never panics.

use std::num::NonZeroU32;

use imap_codec::capability::OtherCapability;
use imap_codec::command::{
    AppendData, FetchAtt, FetchItems, ListReturnOpt, ListSelectOpt, ListSelectOpts, MboxOrPat,
    OptionExtension, SearchKey, SearchRetOptExt, SearchReturnOpt, StatusAttribute, StoreAction,
    StoreFlags,
};
use imap_codec::ext::{
    NonEmpty, Number64, TaggedExtComp, TaggedExtLabel, TaggedExtSimple, TaggedExtVal,
};
use imap_codec::flag::FlagExtension;
use imap_codec::section::HeaderList;
use imap_codec::{
    AString, Atom, AuthenticateData, Capability, Command, CommandBody, Date, DateTime,
    EncodeOptions, Flag, IString, IdleDone, ListMailbox, Literal, Literal8, LiteralCapability,
    LiteralMode, Mailbox, Part, Partial, Quoted, Section, SeqItem, SeqNumber, SequenceSet, Tag,
};
use proptest::prelude::*;

fn tag() -> impl Strategy<Value = Tag<'static>> {
    "[A-Za-z0-9.\\]_-]{1,8}".prop_map(|s| Tag::try_from(s).unwrap())
}

fn atom() -> impl Strategy<Value = Atom<'static>> {
    "[A-Za-z0-9$._-]{1,10}".prop_map(|s| Atom::try_from(s).unwrap())
}

/// An atom that is no known capability, system flag or LIST option name.
fn x_atom() -> impl Strategy<Value = Atom<'static>> {
    "X-[A-Za-z0-9._-]{0,8}".prop_map(|s| Atom::try_from(s).unwrap())
}

fn mode() -> impl Strategy<Value = LiteralMode> {
    prop_oneof![Just(LiteralMode::Sync), Just(LiteralMode::NonSync)]
}

fn text_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[ -~]{0,12}".prop_map(String::into_bytes),
        "[a-zäöü€ \\\\\"]{0,8}".prop_map(String::into_bytes),
        proptest::collection::vec(1u8..=255, 0..16),
    ]
}

fn astring() -> impl Strategy<Value = AString<'static>> {
    prop_oneof![
        text_bytes().prop_map(|b| AString::new(b).unwrap()),
        "[ -~]{0,10}".prop_map(|s| AString::String(IString::Quoted(Quoted::new(s).unwrap()))),
        (text_bytes(), mode()).prop_map(|(b, m)| AString::String(IString::Literal(
            Literal::new(b).unwrap().with_mode(m)
        ))),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![
        Just(Mailbox::Inbox),
        astring().prop_map(Mailbox::from_astring),
        "[A-Za-zäöü /&]{1,10}".prop_map(|s| Mailbox::from_utf8_as_utf7(&s).unwrap()),
    ]
}

fn list_mailbox() -> impl Strategy<Value = ListMailbox<'static>> {
    prop_oneof![
        "[A-Za-z0-9%*/.\\]]{1,8}".prop_map(|s| ListMailbox::new(s.into_bytes()).unwrap()),
        text_bytes().prop_map(|b| ListMailbox::new(b).unwrap()),
    ]
}

fn flag() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Seen),
        Just(Flag::Draft),
        atom().prop_map(Flag::Keyword),
        x_atom().prop_map(|a| Flag::Extension(FlagExtension::new(a.as_str().to_owned()).unwrap())),
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..=60, -5999i16..=5999)
        .prop_filter("minutes below 60", |z| z.4.unsigned_abs() % 100 < 60)
        .prop_map(|(d, h, m, s, z)| {
            let zone = (z / 100) * 60 + z % 100;
            DateTime::new(d, h, m, s, zone).unwrap()
        })
}

fn nz() -> impl Strategy<Value = NonZeroU32> {
    prop_oneof![1u32..20, Just(u32::MAX)].prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn seq_number() -> impl Strategy<Value = SeqNumber> {
    prop_oneof![nz().prop_map(SeqNumber::Value), Just(SeqNumber::Largest)]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    let item = prop_oneof![
        seq_number().prop_map(SeqItem::Single),
        (seq_number(), seq_number()).prop_map(|(a, b)| SeqItem::Range(a, b)),
    ];
    prop_oneof![
        4 => proptest::collection::vec(item, 1..4).prop_map(|v| SequenceSet::new(v).unwrap()),
        1 => Just(SequenceSet::SearchResult),
    ]
}

fn non_empty<T: std::fmt::Debug>(
    s: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = NonEmpty<T>> {
    proptest::collection::vec(s, 1..=max).prop_map(|v| NonEmpty::new(v).unwrap())
}

fn comp() -> impl Strategy<Value = TaggedExtComp<'static>> {
    let leaf = astring().prop_map(TaggedExtComp::AString);
    leaf.prop_recursive(3, 12, 3, |inner| {
        proptest::collection::vec(inner, 1..3)
            .prop_map(|v| TaggedExtComp::Paren(NonEmpty::new(v).unwrap()))
    })
}

fn tagged_ext_val() -> impl Strategy<Value = TaggedExtVal<'static>> {
    prop_oneof![
        (0u64..=i64::MAX as u64)
            .prop_map(|n| TaggedExtVal::Simple(TaggedExtSimple::number(n).unwrap())),
        sequence_set().prop_map(|s| TaggedExtVal::Simple(TaggedExtSimple::sequence_set(s))),
        proptest::collection::vec(comp(), 0..3).prop_map(TaggedExtVal::Comp),
    ]
}

fn status_att() -> impl Strategy<Value = StatusAttribute> {
    prop_oneof![
        Just(StatusAttribute::Messages),
        Just(StatusAttribute::Recent),
        Just(StatusAttribute::UidNext),
        Just(StatusAttribute::UidValidity),
        Just(StatusAttribute::Unseen),
        Just(StatusAttribute::Deleted),
        Just(StatusAttribute::Size),
    ]
}

fn option_ext() -> impl Strategy<Value = OptionExtension<'static>> {
    (x_atom(), proptest::option::of(non_empty(comp(), 2)))
        .prop_map(|(n, v)| OptionExtension::new(n, v).unwrap())
}

fn search_key() -> impl Strategy<Value = SearchKey<'static>> {
    use SearchKey as K;
    let leaf = prop_oneof![
        prop_oneof![
            Just(K::All),
            Just(K::Answered),
            Just(K::Deleted),
            Just(K::Draft),
            Just(K::Flagged),
            Just(K::New),
            Just(K::Old),
            Just(K::Recent),
            Just(K::Seen),
            Just(K::Unanswered),
            Just(K::Undeleted),
            Just(K::Undraft),
            Just(K::Unflagged),
            Just(K::Unseen),
        ],
        astring().prop_map(K::Bcc),
        astring().prop_map(K::Body),
        astring().prop_map(K::Cc),
        astring().prop_map(K::From),
        astring().prop_map(K::Subject),
        astring().prop_map(K::Text),
        astring().prop_map(K::To),
        (astring(), astring()).prop_map(|(f, v)| K::Header(f, v)),
        date().prop_map(K::Before),
        date().prop_map(K::On),
        date().prop_map(K::Since),
        date().prop_map(K::SentBefore),
        date().prop_map(K::SentOn),
        date().prop_map(K::SentSince),
        (0u64..=i64::MAX as u64).prop_map(|n| K::Larger(Number64::new(n).unwrap())),
        (0u64..=i64::MAX as u64).prop_map(|n| K::Smaller(Number64::new(n).unwrap())),
        atom().prop_map(K::Keyword),
        atom().prop_map(K::Unkeyword),
        sequence_set().prop_map(K::Uid),
        sequence_set().prop_map(K::SequenceSet),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| K::Not(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| K::Or(Box::new(a), Box::new(b))),
            non_empty(inner, 3).prop_map(K::And),
        ]
    })
}

fn search_return_opt() -> impl Strategy<Value = SearchReturnOpt<'static>> {
    prop_oneof![
        Just(SearchReturnOpt::Min),
        Just(SearchReturnOpt::Max),
        Just(SearchReturnOpt::All),
        Just(SearchReturnOpt::Count),
        Just(SearchReturnOpt::Save),
        (
            "X[A-Za-z0-9_.:-]{0,6}",
            proptest::option::of(tagged_ext_val())
        )
            .prop_map(|(n, p)| {
                SearchReturnOpt::Extension(
                    SearchRetOptExt::new(TaggedExtLabel::new(n).unwrap(), p).unwrap(),
                )
            }),
    ]
}

fn part() -> impl Strategy<Value = Part> {
    proptest::collection::vec(nz(), 1..4).prop_map(|p| Part::new(p).unwrap())
}

fn partial() -> impl Strategy<Value = Partial> {
    (0u64..=i64::MAX as u64, 1u64..=i64::MAX as u64)
        .prop_map(|(offset, length)| Partial::new(offset, length).unwrap())
}

fn section() -> impl Strategy<Value = Section<'static>> {
    prop_oneof![
        proptest::option::of(part()).prop_map(Section::Part),
        proptest::option::of(part()).prop_map(Section::Header),
        proptest::option::of(part()).prop_map(Section::Text),
        part().prop_map(Section::Mime),
        (
            proptest::option::of(part()),
            any::<bool>(),
            proptest::collection::vec(astring(), 1..3)
        )
            .prop_map(|(part, not, f)| Section::HeaderFields {
                part,
                not,
                fields: HeaderList::new(f).unwrap(),
            }),
    ]
}

fn fetch_att() -> impl Strategy<Value = FetchAtt<'static>> {
    use FetchAtt as A;
    prop_oneof![
        prop_oneof![
            Just(A::Envelope),
            Just(A::Flags),
            Just(A::InternalDate),
            Just(A::Rfc822),
            Just(A::Rfc822Header),
            Just(A::Rfc822Size),
            Just(A::Rfc822Text),
            Just(A::Body),
            Just(A::BodyStructure),
            Just(A::Uid),
        ],
        (any::<bool>(), section(), proptest::option::of(partial())).prop_map(
            |(peek, section, partial)| A::BodySection {
                peek,
                section,
                partial
            }
        ),
        (
            any::<bool>(),
            proptest::option::of(part()),
            proptest::option::of(partial())
        )
            .prop_map(|(peek, part, partial)| A::Binary {
                peek,
                part,
                partial
            }),
        proptest::option::of(part()).prop_map(|part| A::BinarySize { part }),
    ]
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        prop::sample::select(vec![
            "IMAP4rev1",
            "IMAP4rev2",
            "CONDSTORE",
            "QRESYNC",
            "UTF8=ACCEPT",
            "LITERAL+"
        ])
        .prop_map(|s| Capability::parse_str(s).unwrap()),
        x_atom()
            .prop_map(|a| Capability::Other(OtherCapability::new(a.as_str().to_owned()).unwrap())),
        atom().prop_map(Capability::Auth),
    ]
}

fn body() -> impl Strategy<Value = CommandBody<'static>> {
    use CommandBody as B;
    let simple = prop::sample::select(vec![
        B::Capability,
        B::Noop,
        B::Logout,
        B::StartTls,
        B::Namespace,
        B::Idle,
        B::Check,
        B::Close,
        B::Unselect,
        B::Expunge,
    ]);
    prop_oneof![
        simple,
        (
            atom(),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20))
        )
            .prop_map(|(mechanism, ir)| B::Authenticate {
                mechanism,
                initial_response: ir.map(Into::into),
            }),
        (astring(), astring()).prop_map(|(username, password)| B::Login { username, password }),
        non_empty(capability(), 3).prop_map(|capabilities| B::Enable { capabilities }),
        mailbox().prop_map(|mailbox| B::Select {
            mailbox,
            params: Vec::new()
        }),
        mailbox().prop_map(|mailbox| B::Examine {
            mailbox,
            params: Vec::new()
        }),
        mailbox().prop_map(|mailbox| B::Create { mailbox }),
        mailbox().prop_map(|mailbox| B::Delete { mailbox }),
        (mailbox(), mailbox()).prop_map(|(from, to)| B::Rename { from, to }),
        mailbox().prop_map(|mailbox| B::Subscribe { mailbox }),
        mailbox().prop_map(|mailbox| B::Unsubscribe { mailbox }),
        (
            proptest::option::of(proptest::collection::vec(
                prop_oneof![
                    Just(ListSelectOpt::Subscribed),
                    Just(ListSelectOpt::Remote),
                    Just(ListSelectOpt::RecursiveMatch),
                    option_ext().prop_map(ListSelectOpt::Extension),
                ],
                0..4
            )),
            mailbox(),
            prop_oneof![
                list_mailbox().prop_map(MboxOrPat::Single),
                non_empty(list_mailbox(), 3).prop_map(MboxOrPat::Patterns),
            ],
            proptest::option::of(proptest::collection::vec(
                prop_oneof![
                    Just(ListReturnOpt::Subscribed),
                    Just(ListReturnOpt::Children),
                    non_empty(status_att(), 3).prop_map(ListReturnOpt::Status),
                    option_ext().prop_map(ListReturnOpt::Extension),
                ],
                0..3
            )),
        )
            .prop_map(|(sel, reference, patterns, return_opts)| B::List {
                selection: sel.and_then(|s| ListSelectOpts::new(s).ok()),
                reference,
                patterns,
                return_opts,
            }),
        (mailbox(), list_mailbox()).prop_map(|(reference, pattern)| B::Lsub { reference, pattern }),
        (mailbox(), non_empty(status_att(), 4))
            .prop_map(|(mailbox, items)| B::Status { mailbox, items }),
        (
            mailbox(),
            proptest::option::of(proptest::collection::vec(flag(), 0..3)),
            proptest::option::of(date_time()),
            prop_oneof![
                (text_bytes(), mode())
                    .prop_map(|(b, m)| AppendData::Literal(Literal::new(b).unwrap().with_mode(m))),
                (proptest::collection::vec(any::<u8>(), 0..16), mode())
                    .prop_map(|(b, m)| AppendData::Literal8(Literal8::new(b).with_mode(m))),
            ]
        )
            .prop_map(|(mailbox, flags, date, message)| B::Append {
                mailbox,
                flags,
                date,
                message
            }),
        sequence_set().prop_map(|sequence_set| B::UidExpunge { sequence_set }),
        (
            any::<bool>(),
            proptest::option::of(proptest::collection::vec(search_return_opt(), 0..3)),
            proptest::option::of(astring()),
            non_empty(search_key(), 3)
        )
            .prop_map(|(uid, return_opts, charset, criteria)| B::Search {
                uid,
                return_opts,
                charset,
                criteria
            }),
        (
            any::<bool>(),
            sequence_set(),
            prop_oneof![
                Just(FetchItems::All),
                Just(FetchItems::Fast),
                Just(FetchItems::Full),
                fetch_att().prop_map(FetchItems::Single),
                non_empty(fetch_att(), 4).prop_map(FetchItems::List),
            ]
        )
            .prop_map(|(uid, sequence_set, items)| B::Fetch {
                uid,
                sequence_set,
                items,
                modifiers: Vec::new()
            }),
        (
            any::<bool>(),
            sequence_set(),
            prop_oneof![
                Just(StoreAction::Replace),
                Just(StoreAction::Add),
                Just(StoreAction::Remove)
            ],
            any::<bool>(),
            prop_oneof![
                proptest::collection::vec(flag(), 0..3).prop_map(StoreFlags::List),
                non_empty(flag(), 3).prop_map(StoreFlags::Bare),
            ]
        )
            .prop_map(|(uid, sequence_set, action, silent, flags)| B::Store {
                uid,
                sequence_set,
                modifiers: Vec::new(),
                action,
                silent,
                flags
            }),
        (any::<bool>(), sequence_set(), mailbox()).prop_map(|(uid, sequence_set, mailbox)| {
            B::Copy {
                uid,
                sequence_set,
                mailbox,
            }
        }),
        (any::<bool>(), sequence_set(), mailbox()).prop_map(|(uid, sequence_set, mailbox)| {
            B::Move {
                uid,
                sequence_set,
                mailbox,
            }
        }),
    ]
}

fn command() -> impl Strategy<Value = Command<'static>> {
    (tag(), body()).prop_map(|(t, b)| Command::new(t, b))
}

fn options() -> impl Strategy<Value = EncodeOptions> {
    prop_oneof![
        Just(LiteralCapability::None),
        Just(LiteralCapability::Minus),
        Just(LiteralCapability::Plus)
    ]
    .prop_map(EncodeOptions::with_literal)
}

/// A value whose literals are all synchronizing: encoding with LITERAL+ turns them into
/// `{n+}`, which parses as non-synchronizing, so compare with the wire form instead.
fn reencode(cmd: &Command<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = cmd.encode(&mut out, &EncodeOptions::default());
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_encode_roundtrip(cmd in command()) {
        let mut out = Vec::new();
        let enc = cmd.encode(&mut out, &EncodeOptions::default());
        prop_assert_eq!((enc.start, enc.end), (0, out.len()));
        let parsed = Command::parse(&out)
            .map_err(|e| TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(&out))))?;
        prop_assert_eq!(&parsed, &cmd);
        prop_assert_eq!(parsed.name(), cmd.name());
        // Canonical: encoding the parsed value gives the same bytes.
        prop_assert_eq!(reencode(&parsed), out);
    }

    #[test]
    fn every_literal_mode_parses(cmd in command(), opts in options()) {
        let mut out = Vec::new();
        let enc = cmd.encode(&mut out, &opts);
        let parsed = Command::parse(&out)
            .map_err(|e| TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(&out))))?;
        // Same command apart from literal modes: same bytes once re-encoded with the options.
        let mut again = Vec::new();
        let _ = parsed.encode(&mut again, &opts);
        prop_assert_eq!(&again, &out);
        // Sync points sit right after a `{n}` CRLF.
        for &p in &enc.sync_points {
            prop_assert!(out[..p].ends_with(b"}\r\n"), "sync point {}", p);
        }
        // Split into chunks and joined again, nothing is lost.
        let joined: Vec<u8> = enc.chunks(&out).flatten().copied().collect();
        prop_assert_eq!(joined, out.clone());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Command::parse(&bytes);
        let _ = AuthenticateData::parse(&bytes);
        let _ = IdleDone::parse(&bytes);
    }

    #[test]
    fn mangled_commands_never_panic(
        cmd in command(),
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let out = reencode(&cmd);
        let _ = Command::parse(&out[..cut.index(out.len() + 1)]);
        let mut changed = out.clone();
        let i = at.index(changed.len());
        changed[i] = byte;
        if let Ok(c) = Command::parse(&changed) {
            // Whatever parses re-encodes to something that parses to the same value.
            let again = reencode(&c);
            prop_assert_eq!(Command::parse(&again).ok(), Some(c));
        }
    }

    #[test]
    fn authenticate_data_roundtrip(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let line = AuthenticateData::Response(data.into());
        let mut out = Vec::new();
        let _ = line.encode(&mut out);
        prop_assert_eq!(AuthenticateData::parse(&out).unwrap(), line);
    }
}

#[test]
fn quoted_strings_survive() {
    let cmd = Command::new(
        Tag::try_from("t").unwrap(),
        CommandBody::Login {
            username: AString::String(IString::Quoted(Quoted::new("a \"b\" \\c").unwrap())),
            password: AString::new("").unwrap(),
        },
    );
    let out = reencode(&cmd);
    assert_eq!(out, b"t LOGIN \"a \\\"b\\\" \\\\c\" \"\"\r\n");
    assert_eq!(Command::parse(&out).unwrap(), cmd);
}
