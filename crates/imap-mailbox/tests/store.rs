//! The in-memory store: APPEND, sequence ↔ UID mapping, STORE, EXPUNGE renumbering
//! (RFC 9051 §7.5.1), COPY / MOVE with COPYUID (RFC 4315, RFC 6851), \Recent and the
//! updates another session polls.

use imap_codec::command::{FetchAtt, StoreAction};
use imap_codec::response::MessageAttribute;
use imap_codec::{Date, DateTime, Section, SequenceSet};
use mailproto_imap_mailbox::store::{Limits, Store, StoreError, Update};
use mailproto_imap_mailbox::{Flags, SystemFlag};

fn date() -> DateTime {
    DateTime::new(Date::new(2024, 1, 2).unwrap(), 3, 4, 5, 0).unwrap()
}

fn flags(list: &[SystemFlag]) -> Flags {
    let mut f = Flags::new();
    for &x in list {
        f.set(x, true);
    }
    f
}

fn filled(n: u32) -> Store {
    let mut s = Store::default();
    s.create("INBOX").unwrap();
    for i in 1..=n {
        let raw = format!("Subject: m{i}\r\n\r\nbody {i}\r\n");
        let (_, uid) = s
            .append("INBOX", raw.into_bytes(), Flags::new(), date())
            .unwrap();
        assert_eq!(uid.get(), i);
    }
    s
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::parse_str(s).unwrap()
}

#[test]
fn expunge_renumbering_rfc9051_7_5_1() {
    // RFC 9051 §7.5.1: deleting messages 3, 4, 7 and 11 is reported as 3, 3, 5, 8.
    let mut s = filled(12);
    let mut v = s.select("INBOX", false).unwrap();
    let t = v.resolve(&set("3:4,7,11"), false, &[]);
    s.store(&v, &t, StoreAction::Add, &flags(&[SystemFlag::Deleted]))
        .unwrap();
    assert_eq!(s.expunge(&mut v, None).unwrap(), vec![3, 3, 5, 8]);
    assert_eq!(v.exists(), 8);
    assert_eq!(v.uid(3), Some(5));
    assert_eq!(v.seq(12), Some(8));
    assert_eq!(v.seq(4), None);
}

#[test]
fn other_sessions_poll_expunge_exists_and_flags() {
    let mut s = filled(5);
    let mut a = s.select("INBOX", false).unwrap();
    let mut b = s.select("INBOX", false).unwrap();
    // A saw every message first: they are \Recent in A only (RFC 3501 §2.3.2).
    assert_eq!((a.recent_count(), b.recent_count()), (5, 0));
    let t = a.resolve(&set("2,4"), false, &[]);
    s.store(&a, &t, StoreAction::Add, &flags(&[SystemFlag::Deleted]))
        .unwrap();
    let t = a.resolve(&set("5"), true, &[]);
    s.store(&a, &t, StoreAction::Add, &flags(&[SystemFlag::Flagged]))
        .unwrap();
    assert_eq!(s.expunge(&mut a, None).unwrap(), vec![2, 3]);
    s.append(
        "INBOX",
        b"Subject: new\r\n\r\n".to_vec(),
        Flags::new(),
        date(),
    )
    .unwrap();
    // A's own changes are not reported back to A; the new message is.
    assert_eq!(s.poll(&mut a, true).unwrap(), vec![Update::Exists(4)]);
    // During FETCH / STORE / SEARCH no EXPUNGE may be sent: B keeps its numbers.
    let during = s.poll(&mut b, false).unwrap();
    assert_eq!(during[0], Update::Exists(6));
    assert!(matches!(during[1], Update::Flags { seq: 5, uid: 5, .. }));
    assert_eq!(b.exists(), 6);
    let after = s.poll(&mut b, true).unwrap();
    assert_eq!(after, vec![Update::Expunge(2), Update::Expunge(3)]);
    assert_eq!(b.exists(), 4);
    assert_eq!(s.poll(&mut b, true).unwrap(), vec![]);
    // The new message was seen first by A's poll.
    assert_eq!(a.recent_count(), 4);
}

#[test]
fn store_modes_and_silent_results() {
    let mut s = filled(2);
    let v = s.select("INBOX", false).unwrap();
    let t = v.resolve(&set("1:*"), false, &[]);
    let r = s
        .store(
            &v,
            &t,
            StoreAction::Replace,
            &flags(&[SystemFlag::Seen, SystemFlag::Draft]),
        )
        .unwrap();
    assert_eq!(r.len(), 2);
    let mut kw = Flags::new();
    kw.set_keyword("Work", true);
    kw.set(SystemFlag::Draft, true);
    let r = s.store(&v, &t[..1], StoreAction::Add, &kw).unwrap();
    assert!(r[0].2.has_keyword("work") && r[0].2.has(SystemFlag::Seen));
    let r = s.store(&v, &t[..1], StoreAction::Remove, &kw).unwrap();
    assert!(!r[0].2.has_keyword("work") && !r[0].2.has(SystemFlag::Draft));
    assert!(r[0].2.has(SystemFlag::Seen));
    let ro = s.select("INBOX", true).unwrap();
    assert_eq!(
        s.store(&ro, &t, StoreAction::Add, &kw),
        Err(StoreError::ReadOnly)
    );
}

#[test]
fn fetch_sets_seen_unless_peek_or_read_only() {
    let mut s = filled(1);
    let v = s.select("INBOX", false).unwrap();
    let t = v.resolve(&set("1"), false, &[]);
    let peek = [FetchAtt::BodySection {
        peek: true,
        section: Section::parse_str("[]").unwrap(),
        partial: None,
    }];
    let out = s.fetch(&v, &t, &peek).unwrap();
    assert_eq!(out[0].1.len(), 1);
    let ro = s.select("INBOX", true).unwrap();
    let body = [FetchAtt::BodySection {
        peek: false,
        section: Section::parse_str("[TEXT]").unwrap(),
        partial: None,
    }];
    let out = s.fetch(&ro, &t, &body).unwrap();
    assert_eq!(out[0].1.len(), 1);
    let out = s.fetch(&v, &t, &body).unwrap();
    // FLAGS added because \Seen changed (RFC 9051 §6.4.5).
    assert!(matches!(&out[0].1[1], MessageAttribute::Flags(f) if f.len() == 2));
    assert!(
        s.mailbox("INBOX").unwrap().messages()[0]
            .flags
            .has(SystemFlag::Seen)
    );
    // Already \Seen: no FLAGS added.
    let out = s.fetch(&v, &t, &body).unwrap();
    assert_eq!(out[0].1.len(), 1);
}

#[test]
fn copy_and_move_report_copyuid() {
    let mut s = filled(4);
    s.create("Archive").unwrap();
    s.append("Archive", b"x".to_vec(), Flags::new(), date())
        .unwrap();
    let mut v = s.select("INBOX", false).unwrap();
    let t = v.resolve(&set("2,4"), false, &[]);
    s.store(
        &v,
        &t[..1],
        StoreAction::Add,
        &flags(&[SystemFlag::Answered]),
    )
    .unwrap();
    let c = s.copy(&v, &t, "Archive").unwrap();
    assert_eq!(c.uid_validity.get(), 2);
    let (src, dst) = c.uid_sets().unwrap();
    assert_eq!(src.ranges(), &[(2, 2), (4, 4)]);
    assert_eq!(dst.ranges(), &[(2, 3)]);
    assert_eq!((c.source, c.destination), (vec![2, 4], vec![2, 3]));
    let arch = s.mailbox("Archive").unwrap();
    assert!(arch.by_uid(2).unwrap().flags.has(SystemFlag::Answered));
    assert_eq!(arch.uid_next(), 4);
    let t = v.resolve(&set("1,3"), true, &[]);
    let (c, expunged) = s.move_messages(&mut v, &t, "Archive").unwrap();
    assert_eq!((c.source, c.destination), (vec![1, 3], vec![4, 5]));
    assert_eq!(expunged, vec![1, 2]);
    assert_eq!(v.exists(), 2);
    assert_eq!(s.copy(&v, &t, "Nope"), Err(StoreError::NoSuchMailbox));
}

#[test]
fn uid_sets_with_star_and_saved_results() {
    let s = filled(5);
    let mut s = s;
    let v = s.select("INBOX", false).unwrap();
    let uids = |t: Vec<(u32, u32)>| t.into_iter().map(|x| x.1).collect::<Vec<_>>();
    assert_eq!(uids(v.resolve(&set("4:*"), true, &[])), vec![4, 5]);
    // "n:*" with n above every UID still names the last message (RFC 9051 §6.4.8).
    assert_eq!(uids(v.resolve(&set("99:*"), true, &[])), vec![5]);
    assert_eq!(uids(v.resolve(&set("99"), true, &[])), Vec::<u32>::new());
    assert_eq!(uids(v.resolve(&set("$"), false, &[2, 5])), vec![2, 5]);
}

#[test]
fn limits_and_uidvalidity() {
    let mut s = Store::new(Limits {
        max_message_size: 10,
        max_messages: 2,
        max_mailboxes: 2,
        ..Limits::default()
    });
    assert_eq!(s.create("A").unwrap().get(), 1);
    assert_eq!(s.create("A"), Err(StoreError::AlreadyExists));
    assert_eq!(
        s.append("A", vec![b'x'; 11], Flags::new(), date()),
        Err(StoreError::TooBig)
    );
    s.append("A", b"1".to_vec(), Flags::new(), date()).unwrap();
    s.append("A", b"2".to_vec(), Flags::new(), date()).unwrap();
    assert_eq!(
        s.append("A", b"3".to_vec(), Flags::new(), date()),
        Err(StoreError::Limit)
    );
    let v = s.select("A", false).unwrap();
    s.delete("A").unwrap();
    // Recreated: a new UIDVALIDITY, and old views are stale.
    assert_eq!(s.create("A").unwrap().get(), 2);
    assert_eq!(s.create("B").unwrap().get(), 3);
    assert_eq!(s.create("C"), Err(StoreError::Limit));
    assert!(matches!(
        s.fetch(&v, &[(1, 1)], &[FetchAtt::Uid]),
        Err(StoreError::ViewStale)
    ));
}

#[test]
fn parsed_fetch_command_end_to_end() {
    use imap_codec::{Command, CommandBody};
    let mut s = Store::default();
    s.create("INBOX").unwrap();
    s.append(
        "INBOX",
        b"From: a@b\nSubject: hi\n\nline\n".to_vec(),
        Flags::new(),
        date(),
    )
    .unwrap();
    let v = s.select("INBOX", false).unwrap();
    let cmd = Command::parse(
        b"a UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[TEXT]<0.3>)\r\n",
    )
    .unwrap();
    let CommandBody::Fetch {
        uid,
        sequence_set,
        items,
        ..
    } = cmd.body
    else {
        panic!("not FETCH")
    };
    let targets = v.resolve(&sequence_set, uid, &[]);
    let out = s.fetch(&v, &targets, &items.expand()).unwrap();
    let mut wire = Vec::new();
    for a in &out[0].1 {
        let mut e = imap_codec::Encoder::server(&mut wire);
        imap_codec::Encode::encode(a, &mut e);
        let _ = e.finish();
        wire.push(b' ');
    }
    // Stored with CRLF: 11 + 13 + 2 + 6 = 32 octets (28 as sent); \Seen set by BODY[TEXT],
    // so FLAGS follows.
    assert_eq!(
        String::from_utf8(wire).unwrap(),
        "UID 1 RFC822.SIZE 32 BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: hi\r\n\r\n \
BODY[TEXT]<0> \"lin\" FLAGS (\\Seen \\Recent) "
    );
}

#[test]
fn recent_count_is_what_the_next_select_claims_rfc3501_2_3_2() {
    let mut s = filled(3);
    assert_eq!(s.mailbox("INBOX").unwrap().recent_count(), 3);
    // EXAMINE does not claim them.
    let _ = s.select("INBOX", true).unwrap();
    assert_eq!(s.mailbox("INBOX").unwrap().recent_count(), 3);
    let v = s.select("INBOX", false).unwrap();
    assert_eq!(v.recent_count(), 3);
    assert_eq!(s.mailbox("INBOX").unwrap().recent_count(), 0);
    s.append(
        "INBOX",
        b"Subject: new\r\n\r\nx\r\n".to_vec(),
        Flags::new(),
        date(),
    )
    .unwrap();
    assert_eq!(s.mailbox("INBOX").unwrap().recent_count(), 1);
}

/// RFC 7162 §3.1: every addition, flag change and expunge raises HIGHESTMODSEQ; a message's
/// MODSEQ is that of its last change; FETCH MODSEQ, CHANGEDSINCE and UNCHANGEDSINCE
/// (§3.1.3, §3.1.4) follow them.
#[test]
fn condstore_modseq() {
    let mut s = filled(3);
    let highest = |s: &Store| s.mailbox("INBOX").unwrap().highest_modseq();
    assert_eq!(highest(&s), 4);
    let view = s.select("INBOX", false).unwrap();
    // The first SELECT claims every message as \Recent (RFC 3501 §2.3.2); the next does not.
    assert!((1..=3).all(|u| view.is_recent(u)));
    assert!(!s.select("INBOX", false).unwrap().is_recent(1));
    let all = view.resolve(&set("1:*"), false, &[]);
    let modseq = |s: &mut Store, seq: u32| {
        let got = s.fetch(
            &view,
            &all[seq as usize - 1..seq as usize],
            &[FetchAtt::Modseq],
        );
        match &got.unwrap()[0].1[..] {
            [MessageAttribute::Modseq(m)] => m.get(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!((modseq(&mut s, 1), modseq(&mut s, 3)), (2, 4));
    let seen = flags(&[SystemFlag::Seen]);
    s.store(&view, &all[1..2], StoreAction::Add, &seen).unwrap();
    assert_eq!((modseq(&mut s, 2), highest(&s)), (5, 5));
    // Storing what is already there changes nothing.
    s.store(&view, &all[1..2], StoreAction::Add, &seen).unwrap();
    assert_eq!(highest(&s), 5);
    assert_eq!(s.changed_since(&view, &all, 4), vec![(2, 2)]);
    assert!(s.changed_since(&view, &all, 5).is_empty());
    // UNCHANGEDSINCE 4: message 2 (MODSEQ 5) is MODIFIED, 1 and 3 are stored.
    let flagged = flags(&[SystemFlag::Flagged]);
    let (stored, modified) = s
        .store_unchanged_since(&view, &all, StoreAction::Add, &flagged, Some(4))
        .unwrap();
    assert_eq!(modified, vec![(2, 2)]);
    assert_eq!(stored.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(
        (modseq(&mut s, 1), modseq(&mut s, 3), highest(&s)),
        (6, 7, 7)
    );
    let mut view = view;
    let deleted = flags(&[SystemFlag::Deleted]);
    s.store(&view, &all[..1], StoreAction::Add, &deleted)
        .unwrap();
    s.expunge(&mut view, None).unwrap();
    assert_eq!(highest(&s), 9);
}

/// RFC 9051 §6.3.6: RENAME moves a mailbox and its children with their messages; renaming
/// INBOX moves its messages to a new mailbox and leaves INBOX empty.
#[test]
fn rename() {
    let mut s = filled(2);
    s.create("a").unwrap();
    s.create("a/b").unwrap();
    s.create("ab").unwrap();
    let validity = s.mailbox("a/b").unwrap().uid_validity();
    s.rename("a", "c", '/').unwrap();
    let names: Vec<&str> = s.names().collect();
    assert_eq!(names, ["INBOX", "ab", "c", "c/b"]);
    assert_eq!(s.mailbox("c/b").unwrap().uid_validity(), validity);
    assert_eq!(s.rename("nope", "x", '/'), Err(StoreError::NoSuchMailbox));
    assert_eq!(s.rename("c", "ab", '/'), Err(StoreError::AlreadyExists));
    s.rename("INBOX", "old", '/').unwrap();
    assert!(s.mailbox("INBOX").unwrap().messages().is_empty());
    let old = s.mailbox("old").unwrap();
    assert_eq!(old.messages().len(), 2);
    assert_eq!(old.uid_next(), 3);
    assert_ne!(
        old.uid_validity(),
        s.mailbox("INBOX").unwrap().uid_validity()
    );
}
