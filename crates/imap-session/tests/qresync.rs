//! QRESYNC end to end (RFC 7162 §3.2.5, §6): a client session that caches a mailbox
//! resynchronizes through a pair after a second session changed flags and expunged messages,
//! and ends with the same view as a fresh full fetch. The server application below is a small
//! CONDSTORE/QRESYNC mailbox over the server session's events: per-message mod-sequences,
//! VANISHED instead of EXPUNGE once QRESYNC is enabled (`ServerSession::send_expunged`).

mod common;

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use common::Pair;
use imap_codec::command::{FetchAtt, FetchItems, StoreAction, StoreFlags};
use imap_codec::ext::NonEmpty;
use imap_codec::ext::condstore::ModSeq;
use imap_codec::ext::slots::SelectParam;
use imap_codec::response::{FetchData, MessageAttribute, RespText};
use imap_codec::{
    Capability, Code, CommandBody, Data, Flag, Mailbox, Response, SequenceSet, Status, StatusKind,
    Tag,
};
use mailproto_imap_session::{
    ClientConfig, ClientEvent, MailboxCache, PeerError, ServerEvent, State,
};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

struct Message {
    uid: u32,
    flags: Vec<Flag<'static>>,
    modseq: u64,
}

/// The shared mailbox: what every session sees.
struct Store {
    uid_validity: u32,
    highest: u64,
    messages: Vec<Message>,
}

impl Store {
    fn new(n: u32) -> Self {
        let messages = (1..=n)
            .map(|uid| Message {
                uid,
                flags: Vec::new(),
                modseq: u64::from(uid),
            })
            .collect();
        Store {
            uid_validity: 777,
            highest: u64::from(n),
            messages,
        }
    }

    fn bump(&mut self) -> u64 {
        self.highest += 1;
        self.highest
    }
}

fn fetch_data(seq: usize, m: &Message) -> Response<'static> {
    let attrs = vec![
        MessageAttribute::Uid(nz(m.uid)),
        MessageAttribute::Flags(m.flags.clone()),
        MessageAttribute::Modseq(ModSeq::new(m.modseq).unwrap()),
    ];
    Response::Data(Data::Fetch(FetchData::new(
        nz(u32::try_from(seq + 1).unwrap()),
        NonEmpty::new(attrs).unwrap(),
    )))
}

fn untagged_ok(code: Code<'static>) -> Response<'static> {
    Response::Status(Status::untagged_ok(RespText::with_code(
        code,
        imap_codec::Text::new("ok").unwrap(),
    )))
}

/// Runs the server application over the events the server session reported since `from`.
fn serve(pair: &mut Pair, store: &mut Store, from: &mut usize) {
    loop {
        pair.drive();
        let events: Vec<ServerEvent> = pair.server_events.drain(*from..).collect();
        if events.is_empty() {
            return;
        }
        for e in events {
            let ServerEvent::Command(cmd) = e else {
                continue;
            };
            let tag = cmd.tag.clone();
            let s = &mut pair.server;
            match cmd.body {
                CommandBody::Enable { .. } => {
                    s.send_response(Response::Data(Data::Enabled(vec![Capability::QResync])))
                        .unwrap();
                }
                CommandBody::Select { params, .. } => {
                    s.send_response(Response::Data(Data::Exists(
                        u32::try_from(store.messages.len()).unwrap(),
                    )))
                    .unwrap();
                    s.send_response(untagged_ok(Code::UidValidity(nz(store.uid_validity))))
                        .unwrap();
                    s.send_response(untagged_ok(Code::HighestModSeq(
                        ModSeq::new(store.highest).unwrap(),
                    )))
                    .unwrap();
                    if let Some(SelectParam::QResync(q)) = params.first()
                        && q.uid_validity().get() == store.uid_validity
                    {
                        // §3.2.5.1: the known UIDs that are gone, then what changed since.
                        if let Some(known) = q.known_uids() {
                            let gone: Vec<(u32, u32)> = known
                                .ranges()
                                .iter()
                                .flat_map(|&(a, b)| a.min(b)..=a.max(b))
                                .filter(|u| !store.messages.iter().any(|m| m.uid == *u))
                                .map(|u| (u, u))
                                .collect();
                            if let Ok(uids) = imap_codec::UidSet::new(gone) {
                                s.send_response(Response::Data(Data::Vanished(
                                    imap_codec::response::Vanished {
                                        earlier: true,
                                        uids,
                                    },
                                )))
                                .unwrap();
                            }
                        }
                        for (i, m) in store.messages.iter().enumerate() {
                            if m.modseq > q.modseq().get() {
                                s.send_response(fetch_data(i, m)).unwrap();
                            }
                        }
                    }
                }
                CommandBody::Fetch { .. } => {
                    for (i, m) in store.messages.iter().enumerate() {
                        s.send_response(fetch_data(i, m)).unwrap();
                    }
                }
                CommandBody::Store {
                    sequence_set,
                    flags,
                    action,
                    ..
                } => {
                    let flags: Vec<Flag<'static>> = flags
                        .flags()
                        .map(imap_codec::IntoStatic::into_static)
                        .collect();
                    let largest = u32::try_from(store.messages.len()).unwrap();
                    for i in 0..store.messages.len() {
                        if !sequence_set.contains(u32::try_from(i + 1).unwrap(), largest) {
                            continue;
                        }
                        let modseq = store.bump();
                        let m = &mut store.messages[i];
                        match action {
                            StoreAction::Add => {
                                for f in &flags {
                                    if !m.flags.contains(f) {
                                        m.flags.push(f.clone());
                                    }
                                }
                            }
                            StoreAction::Remove => m.flags.retain(|f| !flags.contains(f)),
                            StoreAction::Replace => m.flags = flags.clone(),
                        }
                        m.modseq = modseq;
                        s.send_response(fetch_data(i, m)).unwrap();
                    }
                }
                CommandBody::Expunge => {
                    let mut gone = Vec::new();
                    let mut seq = 1u32;
                    store.messages.retain(|m| {
                        if m.flags.contains(&Flag::Deleted) {
                            // Each EXPUNGE's number already accounts for the earlier ones.
                            gone.push((nz(seq), nz(m.uid)));
                            false
                        } else {
                            seq += 1;
                            true
                        }
                    });
                    if !gone.is_empty() {
                        store.bump();
                    }
                    s.send_expunged(&gone).unwrap();
                }
                other => panic!("not served here: {other:?}"),
            }
            pair.server.complete(tag, StatusKind::Ok, "done").unwrap();
        }
        *from = pair.server_events.len();
    }
}

/// A client and a server session in the authenticated state, the server having advertised
/// CONDSTORE and QRESYNC.
fn connect() -> Pair {
    Pair::advertising(
        State::Authenticated,
        vec![
            Capability::Imap4rev1,
            Capability::Enable,
            Capability::CondStore,
            Capability::QResync,
        ],
    )
}

fn send(pair: &mut Pair, store: &mut Store, from: &mut usize, body: CommandBody<'static>) {
    pair.client.send(body).unwrap();
    serve(pair, store, from);
}

fn inbox_select() -> CommandBody<'static> {
    CommandBody::Select {
        mailbox: Mailbox::Inbox,
        params: Vec::new(),
    }
}

fn fetch_all() -> CommandBody<'static> {
    CommandBody::Fetch {
        uid: true,
        sequence_set: SequenceSet::parse_str("1:*").unwrap(),
        items: FetchItems::list([FetchAtt::Flags, FetchAtt::Modseq]).unwrap(),
        modifiers: Vec::new(),
    }
}

/// Feeds every response the client received since `from` to the cache (completions settle
/// its mod-sequence).
fn feed(cache: &mut MailboxCache, events: &[ClientEvent]) {
    for e in events {
        match e {
            ClientEvent::Data { data, .. } => cache.apply(&Response::Data(data.clone())),
            ClientEvent::Status { status, .. } => cache.apply(&Response::Status(status.clone())),
            ClientEvent::Completed { status, .. } => {
                cache.apply(&Response::Status(status.clone()));
                cache.completed();
            }
            _ => {}
        }
    }
}

/// The view a fresh client gets with a full fetch.
fn full_view(store: &mut Store) -> BTreeMap<NonZeroU32, Vec<Flag<'static>>> {
    let mut pair = connect();
    let mut from = 0;
    send(&mut pair, store, &mut from, inbox_select());
    send(&mut pair, store, &mut from, fetch_all());
    let mut cache = MailboxCache::new(nz(store.uid_validity), ModSeq::new(1).unwrap());
    feed(&mut cache, &pair.client_events);
    cache.messages
}

#[test]
fn qresync_client_catches_up_with_a_second_session() {
    let mut store = Store::new(12);

    // Session 1: full synchronization, cached.
    let mut a = connect();
    let mut from = 0;
    send(&mut a, &mut store, &mut from, inbox_select());
    send(&mut a, &mut store, &mut from, fetch_all());
    let mut cache = MailboxCache::new(nz(store.uid_validity), ModSeq::new(1).unwrap());
    feed(&mut cache, &a.client_events);
    assert_eq!(cache.messages.len(), 12);
    assert_eq!(cache.highest_modseq.get(), 12);
    drop(a);

    // Session 2, plain (no QRESYNC): flags changed, messages expunged with EXPUNGE.
    let mut b = connect();
    let mut from = 0;
    send(&mut b, &mut store, &mut from, inbox_select());
    for (set, action, flag) in [
        ("2,5,9", StoreAction::Add, Flag::Deleted),
        ("3:4", StoreAction::Add, Flag::Seen),
        ("7", StoreAction::Add, Flag::Flagged),
    ] {
        let body = CommandBody::Store {
            uid: false,
            sequence_set: SequenceSet::parse_str(set).unwrap(),
            modifiers: Vec::new(),
            action,
            silent: false,
            flags: StoreFlags::List(vec![flag].into()),
        };
        send(&mut b, &mut store, &mut from, body);
    }
    send(&mut b, &mut store, &mut from, CommandBody::Expunge);
    assert!(b.server_wire.windows(8).any(|w| w == b"EXPUNGE\r"));
    assert!(!b.server_wire.windows(8).any(|w| w == b"VANISHED"));
    assert_eq!(b.selected_view.as_ref().unwrap().exists, 9);
    drop(b);

    // Session 1 again: ENABLE QRESYNC, then the cache's SELECT.
    let mut a = connect();
    let mut from = 0;
    let enable = CommandBody::Enable {
        capabilities: NonEmpty::one(Capability::QResync),
    };
    send(&mut a, &mut store, &mut from, enable);
    assert!(a.server.qresync_enabled());
    assert!(a.client.enabled().contains(&Capability::QResync));
    send(&mut a, &mut store, &mut from, cache.select(Mailbox::Inbox));
    let wire = String::from_utf8_lossy(&a.client_wire).into_owned();
    assert!(
        wire.contains("SELECT INBOX (QRESYNC (777 12 1:12))"),
        "{wire}"
    );
    let server = String::from_utf8_lossy(&a.server_wire).into_owned();
    assert!(
        server.contains("* VANISHED (EARLIER) 2,5,9\r\n"),
        "{server}"
    );
    feed(&mut cache, &a.client_events);
    assert!(!cache.needs_full_sync());
    assert_eq!(cache.unplaced(), 0);
    assert_eq!(cache.highest_modseq.get(), store.highest);
    // The client's mailbox view has the same highest mod-sequence.
    assert_eq!(
        a.client.mailbox().unwrap().highest_modseq,
        Some(ModSeq::new(store.highest).unwrap())
    );

    // Now selected with QRESYNC: an expunge is reported with VANISHED, by UID.
    let body = CommandBody::Store {
        uid: false,
        sequence_set: SequenceSet::parse_str("1").unwrap(),
        modifiers: Vec::new(),
        action: StoreAction::Add,
        silent: false,
        flags: StoreFlags::List(vec![Flag::Deleted].into()),
    };
    send(&mut a, &mut store, &mut from, body);
    let before = a.client_events.len();
    send(&mut a, &mut store, &mut from, CommandBody::Expunge);
    let server = String::from_utf8_lossy(&a.server_wire).into_owned();
    assert!(server.contains("* VANISHED 1\r\n"), "{server}");
    assert_eq!(a.client.mailbox().unwrap().exists, 8);
    feed(&mut cache, &a.client_events[before..]);

    assert_eq!(cache.messages, full_view(&mut store));
    let uids: Vec<u32> = cache.messages.keys().map(|u| u.get()).collect();
    assert_eq!(uids, [3, 4, 6, 7, 8, 10, 11, 12]);
    assert_eq!(cache.messages[&nz(7)], vec![Flag::Flagged]);
}

/// The server session refuses CONDSTORE's items when it did not offer CONDSTORE, and
/// QRESYNC's select parameter until QRESYNC is enabled.
#[test]
fn server_refuses_what_it_did_not_offer() {
    let mut pair = Pair::advertising(State::Selected, vec![Capability::Imap4rev1]);
    pair.server
        .handle_input(b"a1 FETCH 1 (FLAGS MODSEQ)\r\n")
        .unwrap();
    pair.server
        .handle_input(b"a2 STATUS INBOX (HIGHESTMODSEQ)\r\n")
        .unwrap();
    pair.server
        .handle_input(b"a3 SEARCH NOT MODSEQ 5\r\n")
        .unwrap();
    pair.server.handle_input(b"a4 MOVE 1 Trash\r\n").unwrap();
    pair.server
        .handle_input(b"a5 SELECT INBOX (CONDSTORE)\r\n")
        .unwrap();
    pair.drive();
    let wire = String::from_utf8_lossy(&pair.server_wire).into_owned();
    for tag in ["a1", "a2", "a3", "a4", "a5"] {
        assert!(wire.contains(&format!("{tag} BAD ")), "{tag}: {wire}");
    }
    assert!(pair.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::NotOffered { capability, .. }) if capability == "CONDSTORE"
    )));
    assert!(pair.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::ProtocolError(PeerError::NotOffered { capability, .. }) if capability == "MOVE"
    )));
    assert!(
        !pair
            .server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::Command(_)))
    );

    // Offered: CONDSTORE's items and parameters reach the application; QRESYNC's select
    // parameter only after `* ENABLED QRESYNC`.
    let mut pair = Pair::advertising(
        State::Authenticated,
        vec![
            Capability::Imap4rev1,
            Capability::CondStore,
            Capability::QResync,
        ],
    );
    pair.server
        .handle_input(b"b1 SELECT INBOX (QRESYNC (1 2))\r\n")
        .unwrap();
    pair.server
        .handle_input(b"b2 STATUS INBOX (HIGHESTMODSEQ)\r\n")
        .unwrap();
    pair.drive();
    let wire = String::from_utf8_lossy(&pair.server_wire).into_owned();
    assert!(wire.contains("b1 BAD "), "{wire}");
    assert!(!wire.contains("b2 BAD "), "{wire}");
    pair.server
        .complete(Tag::new("b2").unwrap(), StatusKind::Ok, "done")
        .unwrap();
    pair.server
        .send_response(Response::Data(Data::Enabled(vec![Capability::QResync])))
        .unwrap();
    pair.server
        .handle_input(b"b3 SELECT INBOX (QRESYNC (1 2))\r\n")
        .unwrap();
    pair.drive();
    assert!(pair.server_events.iter().any(|e| matches!(
        e,
        ServerEvent::Command(c) if c.tag.as_str() == "b3"
    )));
}

/// Issue 12's headline: after `ENABLE CONDSTORE`, Dovecot answers a STORE with
/// `* 1 FETCH (MODSEQ (9) FLAGS (\Seen))`; the client session hands it to the application as
/// the STORE's data (it was a protocol error at offset 11 before), and its view's highest
/// mod-sequence follows.
#[test]
fn store_answer_with_modseq_reaches_the_application() {
    let mut client =
        mailproto_imap_session::ClientSession::resume(ClientConfig::default(), State::Selected);
    let handle = client
        .send_command(imap_codec::Command::parse(b"A005 STORE 1 +FLAGS (\\Seen)\r\n").unwrap())
        .unwrap();
    client
        .handle_input(b"* 1 FETCH (MODSEQ (9) FLAGS (\\Seen))\r\nA005 OK Store completed\r\n")
        .unwrap();
    let mut data = None;
    while let Some(out) = client.poll_output() {
        if let mailproto_imap_session::ClientOutput::Event(e) = out {
            match e {
                ClientEvent::ProtocolError(e) => panic!("{e}"),
                ClientEvent::Data {
                    handle: h,
                    data: Data::Fetch(f),
                } => data = Some((h, f)),
                _ => {}
            }
        }
    }
    let (h, f) = data.expect("the FETCH data");
    assert_eq!(h, Some(handle));
    assert_eq!(
        f.attributes.to_vec()[0],
        MessageAttribute::Modseq(ModSeq::new(9).unwrap())
    );
    assert_eq!(
        f.attributes.to_vec()[1],
        MessageAttribute::Flags(vec![Flag::Seen])
    );
    assert_eq!(
        client.mailbox().unwrap().highest_modseq,
        Some(ModSeq::new(9).unwrap())
    );
}
