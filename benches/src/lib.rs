//! Deterministic benchmark inputs, generated in code (no files, no randomness between runs),
//! and the work of the peer comparison ([`work`]).

pub mod counting;
pub mod work;

/// A small deterministic pseudo-random generator (64-bit LCG, Knuth's constants).
pub struct Rng(u64);

impl Rng {
    /// A generator with a fixed seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next value below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "\"Terry Gray\"",
    "\"=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?=\"",
    "NIL",
    "\"Mary \\\"Mae\\\" O'Neil\"",
    "\"=?ISO-8859-1?Q?Andr=E9_Pirard?=\"",
    "\"Postmaster\"",
];
const MAILBOXES: &[&str] = &[
    "\"gray\"",
    "\"alice\"",
    "\"bob.smith\"",
    "\"info\"",
    "\"noreply\"",
];
const HOSTS: &[&str] = &[
    "\"cac.washington.edu\"",
    "\"example.com\"",
    "\"mail.example.org\"",
];
const SUBJECTS: &[&str] = &[
    "\"IMAP4rev2 WG mtg summary and minutes\"",
    "\"Re: \\\"quoted\\\" words and a \\\\ backslash\"",
    "\"=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_Z=C3=BCrich?=\"",
    "NIL",
    "\"[list] weekly report #42 (draft)\"",
];
const FLAGS: &[&str] = &[
    "\\Seen",
    "\\Seen \\Answered",
    "",
    "\\Flagged $Forwarded",
    "\\Seen \\Deleted",
];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn address(r: &mut Rng) -> String {
    format!(
        "({} NIL {} {})",
        r.pick(NAMES),
        r.pick(MAILBOXES),
        r.pick(HOSTS)
    )
}

fn address_list(r: &mut Rng, min: u64, max: u64) -> String {
    let n = min + r.below(max - min + 1);
    if n == 0 {
        return "NIL".to_owned();
    }
    let mut s = String::from("(");
    for _ in 0..n {
        s.push_str(&address(r));
    }
    s.push(')');
    s
}

/// One FETCH response with UID, FLAGS, RFC822.SIZE, INTERNALDATE, ENVELOPE and a multipart
/// BODYSTRUCTURE with extension data (RFC 9051 §7.5.2).
pub fn fetch_response(r: &mut Rng, seq: u32) -> String {
    let day = 1 + r.below(28);
    let month = MONTHS[r.below(12) as usize];
    let year = 2000 + r.below(26);
    let (h, m, s) = (r.below(24), r.below(60), r.below(60));
    let from = address_list(r, 1, 1);
    let to = address_list(r, 1, 3);
    let cc = address_list(r, 0, 2);
    let text_size = 200 + r.below(20_000);
    let html_size = 500 + r.below(60_000);
    let att_size = 1_000 + r.below(500_000);
    format!(
        "* {seq} FETCH (UID {uid} FLAGS ({flags}) RFC822.SIZE {size} \
         INTERNALDATE \"{day:02}-{month}-{year} {h:02}:{m:02}:{s:02} +0100\" \
         ENVELOPE (\"Wed, {day} {month} {year} {h:02}:{m:02}:{s:02} +0100\" {subject} {from} {from} {from} {to} {cc} NIL \
         {irt} \"<{uid}.{seq}@{host}>\") \
         BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\") NIL NIL \"quoted-printable\" {text_size} {text_lines} NIL NIL NIL NIL)\
         (\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"base64\" {html_size} {html_lines} NIL NIL NIL NIL) \
         \"alternative\" (\"boundary\" \"=_alt_{uid}\") NIL NIL NIL)\
         (\"application\" \"pdf\" (\"name\" \"report {seq}.pdf\") NIL \"Quarterly report\" \"base64\" {att_size} NIL \
         (\"attachment\" (\"filename\" \"report {seq}.pdf\")) NIL NIL) \
         \"mixed\" (\"boundary\" \"=_mixed_{uid}\") NIL (\"en\" \"de\") NIL))\r\n",
        uid = 100_000 + u64::from(seq) * 3,
        flags = r.pick(FLAGS),
        size = text_size + html_size + att_size + 1200,
        subject = r.pick(SUBJECTS),
        irt = if r.below(2) == 0 {
            "NIL".to_owned()
        } else {
            format!("\"<{}@example.com>\"", r.below(1 << 30))
        },
        host = "example.com",
        text_lines = text_size / 60,
        html_lines = html_size / 70,
    )
}

/// `n` FETCH responses, concatenated.
pub fn fetch_responses(n: u32) -> Vec<u8> {
    let mut r = Rng::new(0x1ee7);
    let mut out = Vec::new();
    for seq in 1..=n {
        out.extend_from_slice(fetch_response(&mut r, seq).as_bytes());
    }
    out
}

/// A FETCH response carrying a literal of `size` octets (message text with CRLF lines).
pub fn literal_response(size: usize) -> Vec<u8> {
    let mut out = format!("* 1 FETCH (UID 7 BODY[] {{{size}}}\r\n").into_bytes();
    push_message_text(&mut out, size);
    out.extend_from_slice(b")\r\n");
    out
}

/// `n` FETCH BODY[] responses, each carrying a message of about `size` octets as a literal
/// (workload b of the comparison).
pub fn body_responses(n: u32, size: usize) -> Vec<u8> {
    let mut r = Rng::new(0xb0d7);
    let mut out = Vec::with_capacity(n as usize * (size + 64));
    for seq in 1..=n {
        let len = size - size / 8 + r.below(size as u64 / 4) as usize;
        out.extend_from_slice(
            format!("* {seq} FETCH (UID {} BODY[] {{{len}}}\r\n", 5000 + seq).as_bytes(),
        );
        push_message_text(&mut out, len);
        out.extend_from_slice(b")\r\n");
    }
    out
}

/// Appends `size` octets of message text (CRLF lines) to `out`.
fn push_message_text(out: &mut Vec<u8>, size: usize) {
    let line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n";
    let start = out.len();
    while out.len() - start < size {
        let n = line.len().min(size - (out.len() - start));
        out.extend_from_slice(&line[..n]);
    }
}

/// `n` small client commands, in turn UID FETCH, SELECT, UID STORE, SEARCH with dates and
/// LOGIN, with no literals (workload c of the comparison).
pub fn commands(n: u32) -> Vec<u8> {
    let mut r = Rng::new(0xc0de);
    let mut out = Vec::with_capacity(n as usize * 60);
    for i in 0..n {
        let tag = format!("A{i:05}");
        let line = match i % 5 {
            0 => {
                let lo = 1 + r.below(50_000);
                format!(
                    "{tag} UID FETCH {lo}:{} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Subject Date)])",
                    lo + r.below(500)
                )
            }
            1 => format!(
                "{tag} SELECT {}",
                r.pick(&["INBOX", "\"Sent Items\"", "Archive/2024", "\"Listen/imap\""])
            ),
            2 => {
                let lo = 1 + r.below(50_000);
                format!(
                    "{tag} UID STORE {lo}:{},{} +FLAGS.SILENT (\\Seen {})",
                    lo + r.below(20),
                    lo + 100 + r.below(100),
                    r.pick(&["\\Flagged", "$Forwarded", "\\Answered"])
                )
            }
            3 => format!(
                "{tag} SEARCH SINCE {}-{}-2024 BEFORE {}-{}-2025 FROM \"{}\" UNSEEN",
                1 + r.below(28),
                MONTHS[r.below(12) as usize],
                1 + r.below(28),
                MONTHS[r.below(12) as usize],
                r.pick(&["alice", "bob smith", "info@example.com"])
            ),
            _ => format!(
                "{tag} LOGIN {} \"{}\"",
                r.pick(&["alice", "bob", "carol.d"]),
                r.pick(&["secret", "correct horse battery", "p\\\"q"])
            ),
        };
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_codec::Response;

    #[test]
    fn generated_responses_parse() {
        let mut r = Rng::new(1);
        for seq in 1..200 {
            let s = fetch_response(&mut r, seq);
            if let Err(e) = Response::parse(s.as_bytes()) {
                panic!(
                    "{e}: {}",
                    &s[e.offset.saturating_sub(20)..(e.offset + 20).min(s.len())]
                );
            }
        }
        let lit = literal_response(1000);
        Response::parse(&lit).unwrap();
        let mut framer =
            imap_codec::framer::Framer::new(imap_codec::framer::FramerConfig::client());
        let bodies = body_responses(3, 2000);
        let mut at = 0;
        while at < bodies.len() {
            if let imap_codec::framer::Status::Message(len) = framer.next(&bodies[at..]).unwrap() {
                Response::parse(&bodies[at..at + len]).unwrap();
                at += len;
            }
        }
        let mut framer =
            imap_codec::framer::Framer::new(imap_codec::framer::FramerConfig::server());
        let cmds = commands(50);
        let (mut at, mut n) = (0, 0);
        while at < cmds.len() {
            if let imap_codec::framer::Status::Message(len) = framer.next(&cmds[at..]).unwrap() {
                let c = &cmds[at..at + len];
                if let Err(e) = imap_codec::Command::parse(c) {
                    panic!("{e}: {}", String::from_utf8_lossy(c));
                }
                at += len;
                n += 1;
            }
        }
        assert_eq!(n, 50);
    }
}

/// POP3 inputs (RFC 1939): a RETR answer and LIST / UIDL listings.
pub mod pop3 {
    use super::Rng;

    /// A `+OK` RETR answer carrying a message of about `size` octets whose body has
    /// `stuffed_lines` lines starting with `.` (dot-stuffed on the wire), then `.` CRLF.
    /// Returns the wire bytes and the unstuffed body.
    pub fn retr(size: usize, stuffed_lines: usize) -> (Vec<u8>, Vec<u8>) {
        let mut r = Rng::new(0x9093);
        let mut body = Vec::with_capacity(size + 1024);
        body.extend_from_slice(
            b"From: alice@example.com\r\nTo: bob@example.org\r\nSubject: quarterly figures\r\n\r\n",
        );
        let lines = size / 72;
        let every = (lines / stuffed_lines.max(1)).max(1);
        let mut n = 0;
        while body.len() < size {
            if n % every == 0 {
                body.extend_from_slice(
                    b"...and a line that starts with dots, as quoted text does\r\n",
                );
            } else {
                let width = 40 + r.below(30) as usize;
                body.extend(std::iter::repeat_n(b'a' + (n % 26) as u8, width));
                body.extend_from_slice(b"\r\n");
            }
            n += 1;
        }
        let mut wire = format!("+OK {} octets\r\n", body.len()).into_bytes();
        pop3_codec::dot::encode_body(&body, &mut wire);
        (wire, body)
    }

    /// A LIST answer with `n` scan listings.
    pub fn list(n: u32) -> Vec<u8> {
        let mut r = Rng::new(0x1157);
        let mut out = format!("+OK {n} messages\r\n").into_bytes();
        for i in 1..=n {
            out.extend_from_slice(format!("{i} {}\r\n", 500 + r.below(2_000_000)).as_bytes());
        }
        out.extend_from_slice(b".\r\n");
        out
    }

    /// A UIDL answer with `n` unique-id listings (ids of 20–40 printable characters).
    pub fn uidl(n: u32) -> Vec<u8> {
        let mut r = Rng::new(0x0171);
        let mut out = b"+OK\r\n".to_vec();
        for i in 1..=n {
            let len = 20 + r.below(21) as usize;
            let id: String = (0..len)
                .map(|_| (b'!' + r.below(94) as u8) as char)
                .collect();
            out.extend_from_slice(format!("{i} {id}\r\n").as_bytes());
        }
        out.extend_from_slice(b".\r\n");
        out
    }

    #[cfg(test)]
    mod tests {
        use pop3_codec::{Expected, Response};

        #[test]
        fn inputs_parse() {
            let (wire, body) = super::retr(64 * 1024, 40);
            let Response::Message(m) = Response::parse(&wire, Expected::Message).unwrap() else {
                panic!("not a message")
            };
            assert_eq!(m.body(), &body[..]);
            assert!(Response::parse(&super::list(100), Expected::ScanList).is_ok());
            assert!(Response::parse(&super::uidl(100), Expected::UidList).is_ok());
        }
    }
}
