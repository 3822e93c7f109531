//! Deterministic benchmark inputs, generated in code (no files, no randomness between runs).

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
    let line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n";
    let start = out.len();
    while out.len() - start < size {
        let n = line.len().min(size - (out.len() - start));
        out.extend_from_slice(&line[..n]);
    }
    out.extend_from_slice(b")\r\n");
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
    }
}
