//! The examples of RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 1734 and RFC 6856, byte for
//! byte, and bad input rejected with an offset and what was expected.

use mailproto_pop3_codec::dot::{BodyDecoder, BodyEvent, encode_body, stuff, unstuff};
use mailproto_pop3_codec::*;

fn n(v: u32) -> MsgNumber {
    MsgNumber::new(v).unwrap()
}

/// Every command line the RFCs show, with the value it must parse to; each is also
/// re-encoded (in upper case) and parsed again.
#[test]
fn rfc_command_examples() {
    let apop_digest = ApopDigest::from_hex(b"c4c9334bac560ecc979e58001b3e22fb").unwrap();
    let table: Vec<(&[u8], Command<'_>)> = vec![
        // RFC 1939 §4–7.
        (b"QUIT\r\n", Command::Quit),
        (b"STAT\r\n", Command::Stat),
        (b"LIST\r\n", Command::List(None)),
        (b"LIST 2\r\n", Command::List(Some(n(2)))),
        (b"LIST 3\r\n", Command::List(Some(n(3)))),
        (b"RETR 1\r\n", Command::Retr(n(1))),
        (b"DELE 1\r\n", Command::Dele(n(1))),
        (b"NOOP\r\n", Command::Noop),
        (b"RSET\r\n", Command::Rset),
        (
            b"TOP 1 10\r\n",
            Command::Top {
                msg: n(1),
                lines: 10,
            },
        ),
        (
            b"TOP 100 3\r\n",
            Command::Top {
                msg: n(100),
                lines: 3,
            },
        ),
        (b"UIDL\r\n", Command::Uidl(None)),
        (b"UIDL 2\r\n", Command::Uidl(Some(n(2)))),
        (
            b"USER frated\r\n",
            Command::User(Param::new("frated").unwrap()),
        ),
        (
            b"USER mrose\r\n",
            Command::User(Param::new("mrose").unwrap()),
        ),
        (
            b"PASS secret\r\n",
            Command::Pass(Secret::new("secret").unwrap()),
        ),
        (
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            Command::Apop {
                name: Param::new("mrose").unwrap(),
                digest: apop_digest,
            },
        ),
        // RFC 2449 §5, RFC 2595 §4.
        (b"CAPA\r\n", Command::Capa),
        (b"STLS\r\n", Command::Stls),
        // RFC 5034 §6, RFC 1734 §2.
        (
            b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
            Command::Auth {
                mechanism: Mechanism::new("PLAIN").unwrap(),
                initial_response: Some(b"test\0test\0test".to_vec()),
            },
        ),
        (
            b"AUTH PLAIN\r\n",
            Command::Auth {
                mechanism: Mechanism::new("PLAIN").unwrap(),
                initial_response: None,
            },
        ),
        (
            b"AUTH DIGEST-MD5\r\n",
            Command::Auth {
                mechanism: Mechanism::new("DIGEST-MD5").unwrap(),
                initial_response: None,
            },
        ),
        (
            b"AUTH KERBEROS_V4\r\n",
            Command::Auth {
                mechanism: Mechanism::new("KERBEROS_V4").unwrap(),
                initial_response: None,
            },
        ),
        (
            b"AUTH FOOBAR\r\n",
            Command::Auth {
                mechanism: Mechanism::new("FOOBAR").unwrap(),
                initial_response: None,
            },
        ),
        (
            b"AUTH EXTERNAL =\r\n",
            Command::Auth {
                mechanism: Mechanism::new("EXTERNAL").unwrap(),
                initial_response: Some(vec![]),
            },
        ),
        // RFC 6856 §2.1, §3.3.
        (b"UTF8\r\n", Command::Utf8),
        (
            b"USER karen\r\n",
            Command::User(Param::new("karen").unwrap()),
        ),
        (
            b"PASS password\r\n",
            Command::Pass(Secret::new("password").unwrap()),
        ),
        (
            b"LANG MUL\r\n",
            Command::Lang(Some(LangArg::Range(Language::new("MUL").unwrap()))),
        ),
        (b"LANG\r\n", Command::Lang(None)),
        (
            b"LANG es\r\n",
            Command::Lang(Some(LangArg::Range(Language::new("es").unwrap()))),
        ),
        (
            b"LANG uga\r\n",
            Command::Lang(Some(LangArg::Range(Language::new("uga").unwrap()))),
        ),
        (
            b"LANG sv\r\n",
            Command::Lang(Some(LangArg::Range(Language::new("sv").unwrap()))),
        ),
        (b"LANG *\r\n", Command::Lang(Some(LangArg::Default))),
    ];
    for (bytes, expected) in table {
        let parsed = Command::parse(bytes)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(bytes)));
        assert_eq!(parsed, expected, "{:?}", String::from_utf8_lossy(bytes));
        assert_eq!(
            parsed.to_bytes(),
            bytes,
            "re-encoding {:?}",
            String::from_utf8_lossy(bytes)
        );
        // Keyword case is ignored.
        let lower: Vec<u8> = {
            let sp = bytes.iter().position(|&b| b == b' ' || b == b'\r').unwrap();
            bytes[..sp]
                .to_ascii_lowercase()
                .into_iter()
                .chain(bytes[sp..].iter().copied())
                .collect()
        };
        assert_eq!(Command::parse(&lower).unwrap(), expected);
        assert_eq!(Command::parse(bytes).unwrap().into_static(), expected);
    }
}

#[test]
fn apop_digest_of_rfc_1939() {
    let greeting =
        Greeting::parse(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n").unwrap();
    let ts = greeting.timestamp().unwrap();
    let cmd = Command::apop(Param::new("mrose").unwrap(), &ts, b"tanstaaf");
    assert_eq!(
        cmd.to_bytes(),
        b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
    );
    // RFC 1939 §7: the digest is sent "using lower-case ASCII characters".
    let upper = Command::parse(b"APOP mrose C4C9334BAC560ECC979E58001B3E22FB\r\n").unwrap_err();
    assert_eq!((upper.offset, upper.expected), (11, "digest"));
    let Command::Apop { digest, .. } =
        Command::parse(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n").unwrap()
    else {
        panic!()
    };
    assert!(digest.verify(&ApopDigest::compute(&ts, b"tanstaaf")));
    assert!(!digest.verify(&ApopDigest::compute(&ts, b"tanstaag")));
}

#[test]
fn sasl_lines_of_rfc_5034_and_1734() {
    assert_eq!(
        SaslResponse::parse(b"dGVzdAB0ZXN0AHRlc3Q=\r\n").unwrap(),
        SaslResponse::Data(b"test\0test\0test".to_vec())
    );
    assert_eq!(
        SaslResponse::parse(b"\r\n").unwrap(),
        SaslResponse::Data(vec![])
    );
    assert_eq!(SaslResponse::parse(b"*\r\n").unwrap(), SaslResponse::Cancel);
    assert_eq!(
        SaslResponse::parse(b"DiAF5A4gA+oOIALuBkAAmw==\r\n")
            .unwrap()
            .to_bytes(),
        b"DiAF5A4gA+oOIALuBkAAmw==\r\n"
    );
    // Bad base64 (RFC 5034 §4: "=AAA" and "AAA=BBB" are not allowed).
    for bad in [
        &b"=AAA\r\n"[..],
        b"AAA=BBB\r\n",
        b"AAA\r\n",
        b"A A=\r\n",
        b"**\r\n",
    ] {
        let e = SaslResponse::parse(bad).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::InvalidValue | ErrorKind::Syntax),
            "{bad:?}: {e}"
        );
    }
    // Challenges, including the empty one "+ ".
    let r = Response::parse(b"+ AmFYig==\r\n", Expected::Auth).unwrap();
    assert_eq!(r, Response::Challenge(vec![0x02, 0x61, 0x58, 0x8a]));
    assert_eq!(r.to_bytes(), b"+ AmFYig==\r\n");
    assert_eq!(
        Response::parse(b"+ \r\n", Expected::Auth).unwrap(),
        Response::Challenge(vec![])
    );
    let ok = Response::parse(
        b"+OK Kerberos V4 authentication successful\r\n",
        Expected::Auth,
    )
    .unwrap();
    assert!(ok.status().unwrap().is_ok());
    let err =
        Response::parse(b"-ERR Unrecognized authentication type\r\n", Expected::Auth).unwrap();
    assert!(!err.status().unwrap().is_ok());
    // "+" without SP is not a challenge.
    assert_eq!(
        Response::parse(b"+\r\n", Expected::Auth)
            .unwrap_err()
            .expected,
        "+OK"
    );
}

/// Single-line responses of the RFCs.
#[test]
fn rfc_status_lines() {
    let table: &[(&[u8], Expected, bool)] = &[
        (
            b"+OK dewey POP3 server signing off\r\n",
            Expected::Status,
            true,
        ),
        (
            b"-ERR no such message, only 2 messages in maildrop\r\n",
            Expected::Scan,
            false,
        ),
        (b"+OK message 1 deleted\r\n", Expected::Status, true),
        (
            b"-ERR message 2 already deleted\r\n",
            Expected::Status,
            false,
        ),
        (b"+OK\r\n", Expected::Status, true),
        (
            b"+OK maildrop has 2 messages (320 octets)\r\n",
            Expected::Status,
            true,
        ),
        (
            b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
            Expected::Status,
            true,
        ),
        (
            b"+OK dewey POP3 server signing off (2 messages left)\r\n",
            Expected::Status,
            true,
        ),
        (b"-ERR no such message\r\n", Expected::Message, false),
        (
            b"-ERR no such message, only 2 messages in maildrop\r\n",
            Expected::Uid,
            false,
        ),
        (
            b"-ERR sorry, no mailbox for frated here\r\n",
            Expected::Status,
            false,
        ),
        (
            b"+OK mrose is a real hoopy frood\r\n",
            Expected::Status,
            true,
        ),
        (b"-ERR maildrop already locked\r\n", Expected::Status, false),
        (
            b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
            Expected::Status,
            true,
        ),
        (
            b"+OK maildrop has 1 message (369 octets)\r\n",
            Expected::Status,
            true,
        ),
        (b"+OK Begin TLS negotiation\r\n", Expected::Status, true),
        (
            b"-ERR Command not permitted when TLS active\r\n",
            Expected::Status,
            false,
        ),
        (b"+OK Maildrop locked and ready\r\n", Expected::Auth, true),
        (b"-ERR invalid language MUL\r\n", Expected::Status, false),
        (
            b"-ERR Server is unable to list languages\r\n",
            Expected::LangList,
            false,
        ),
        (b"+OK es Idioma cambiado\r\n", Expected::Status, true),
        (
            b"-ERR es Idioma <<UGA>> no es conocido\r\n",
            Expected::Status,
            false,
        ),
        (
            b"+OK sv Kommandot \"LANG\" lyckades\r\n",
            Expected::Status,
            true,
        ),
        (
            b"-ERR [IN-USE] Do you have another POP session running?\r\n",
            Expected::Status,
            false,
        ),
        (
            b"-ERR [SYS/TEMP] Unable to lock maildrop\r\n",
            Expected::Status,
            false,
        ),
        (b"-ERR [AUTH] Invalid password\r\n", Expected::Status, false),
    ];
    for &(bytes, expected, ok) in table {
        let r = Response::parse(bytes, expected)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(bytes)));
        assert!(matches!(r, Response::Status(_)), "{r:?}");
        assert_eq!(r.status().unwrap().is_ok(), ok);
        assert_eq!(r.to_bytes(), bytes);
    }
}

#[test]
fn response_codes() {
    let kinds = [
        ("IN-USE", CodeKind::InUse),
        ("login-delay", CodeKind::LoginDelay),
        ("SYS/TEMP", CodeKind::SysTemp),
        ("SYS/PERM", CodeKind::SysPerm),
        ("SYS/PERM/QUOTA", CodeKind::SysPerm),
        ("SYS", CodeKind::Unknown),
        ("AUTH", CodeKind::Auth),
        ("UTF8", CodeKind::Utf8),
        ("X-FOO/BAR", CodeKind::Unknown),
    ];
    for (code, kind) in kinds {
        let line = format!("-ERR [{code}] text\r\n");
        let s = StatusLine::parse(line.as_bytes()).unwrap();
        assert_eq!(s.code().unwrap().kind(), kind, "{code}");
        assert_eq!(s.code().unwrap().as_str(), code);
        assert_eq!(s.to_bytes(), line.as_bytes());
        assert_eq!(ResponseCode::of(kind).kind(), kind);
    }
    // A code without text, and text glued to the code.
    assert_eq!(
        StatusLine::parse(b"-ERR [UTF8]\r\n")
            .unwrap()
            .text()
            .as_bytes(),
        b""
    );
    assert_eq!(
        StatusLine::parse(b"+OK [X]y\r\n")
            .unwrap()
            .text()
            .as_bytes(),
        b"y"
    );
    // Malformed codes.
    for (bad, offset, expected) in [
        (&b"-ERR [\r\n"[..], 6, "resp-level"),
        (b"-ERR []\r\n", 6, "resp-level"),
        (b"-ERR [SYS//TEMP]\r\n", 10, "resp-level"),
        (b"-ERR [IN USE] x\r\n", 8, "]"),
        (b"-ERR [IN-USE\r\n", 12, "]"),
    ] {
        let e = StatusLine::parse(bad).unwrap_err();
        assert_eq!(
            (e.offset, e.expected),
            (offset, expected),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(StatusLine::new(false, None, Text::try_from("[not a code").unwrap()).is_err());
}

#[test]
fn greeting_and_timestamp() {
    let g = Response::parse(b"+OK POP3 server ready\r\n", Expected::Greeting).unwrap();
    let Response::Greeting(g) = g else { panic!() };
    assert!(g.timestamp().is_none());
    let line = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";
    let Response::Greeting(g) = Response::parse(line, Expected::Greeting).unwrap() else {
        panic!()
    };
    assert_eq!(
        g.timestamp().unwrap().as_str(),
        "<1896.697170952@dbc.mtview.ca.us>"
    );
    assert_eq!(Response::Greeting(g).to_bytes(), line);
    // RFC 2449 §9: `<` only opens the one timestamp, `"<" *VCHAR ">"`.
    for (bad, at) in [
        (&b"+OK [X] ready <a b> <c@d>\r\n"[..], 14),
        (b"+OK ready <1896.697170952@dbc.mtview.ca.us\r\n", 10),
        (b"+OK ready <a@b> <c@d>\r\n", 16),
    ] {
        let e = Greeting::parse(bad).unwrap_err();
        assert_eq!(
            (e.offset, e.expected),
            (at, "timestamp"),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(
        Greeting::parse(b"+OK ready > <a@b> >\r\n")
            .unwrap()
            .timestamp()
            .is_some()
    );
    assert_eq!(
        Greeting::parse(b"+OK pop.example.com BlurdyBlurp POP3 server ready\r\n")
            .unwrap()
            .status()
            .text()
            .as_str(),
        Some("pop.example.com BlurdyBlurp POP3 server ready")
    );
    // A -ERR greeting is a status.
    let r = Response::parse(b"-ERR [SYS/TEMP] too busy\r\n", Expected::Greeting).unwrap();
    assert!(matches!(r, Response::Status(_)));
    assert!(Greeting::parse(b"-ERR no\r\n").is_err());
}

#[test]
fn rfc_1939_listings() {
    // STAT.
    let r = Response::parse(b"+OK 2 320\r\n", Expected::Stat).unwrap();
    assert_eq!(
        r,
        Response::Stat(DropListing {
            count: 2,
            size: 320,
            extra: Text::empty()
        })
    );
    assert_eq!(r.to_bytes(), b"+OK 2 320\r\n");
    // LIST.
    let input = b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n";
    let r = Response::parse(input, Expected::ScanList).unwrap();
    let Response::ScanList(list) = &r else {
        panic!()
    };
    assert_eq!(
        list.status().text().as_str(),
        Some("2 messages (320 octets)")
    );
    assert_eq!(
        list.iter().collect::<Vec<_>>(),
        [
            ScanListing {
                msg: n(1),
                size: 120,
                extra: Text::empty()
            },
            ScanListing {
                msg: n(2),
                size: 200,
                extra: Text::empty()
            }
        ]
    );
    assert_eq!(r.to_bytes(), input);
    let r = Response::parse(b"+OK 2 200\r\n", Expected::Scan).unwrap();
    assert_eq!(
        r,
        Response::Scan(ScanListing {
            msg: n(2),
            size: 200,
            extra: Text::empty()
        })
    );
    // An empty listing.
    let Response::ScanList(l) = Response::parse(b"+OK\r\n.\r\n", Expected::ScanList).unwrap()
    else {
        panic!()
    };
    assert!(l.is_empty() && l.iter().next().is_none());
    // UIDL.
    let input = b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n";
    let r = Response::parse(input, Expected::UidList).unwrap();
    let Response::UidList(list) = &r else {
        panic!()
    };
    assert_eq!(list.items()[0].uid.as_str(), "whqtswO00WBw418f9t5JxYwZ");
    assert_eq!(r.to_bytes(), input);
    let r = Response::parse(b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n", Expected::Uid).unwrap();
    assert_eq!(
        r,
        Response::Uid(UidListing {
            msg: n(2),
            uid: UniqueId::new("QhdPYR:00WBw1Ph7x7").unwrap()
        })
    );
}

#[test]
fn rfc_1939_messages() {
    let input = b"+OK 120 octets\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\n";
    let r = Response::parse(input, Expected::Message).unwrap();
    let Response::Message(m) = &r else { panic!() };
    assert_eq!(m.body(), b"Subject: hi\r\n\r\n.leading dot\r\n");
    assert_eq!(r.to_bytes(), input);
    // TOP 1 10 with its "+OK" alone; a body that needs no unstuffing is borrowed.
    let input = b"+OK\r\nFrom: a\r\n\r\nline\r\n.\r\n";
    let Response::Message(m) = Response::parse(input, Expected::Message).unwrap() else {
        panic!()
    };
    assert!(matches!(m.into_body(), std::borrow::Cow::Borrowed(_)));
    // Empty body.
    let Response::Message(m) = Response::parse(b"+OK\r\n.\r\n", Expected::Message).unwrap() else {
        panic!()
    };
    assert!(m.body().is_empty());
    assert!(Message::new(StatusLine::ok(Text::empty()).unwrap(), &b"no crlf"[..]).is_err());
}

#[test]
fn rfc_capa_examples() {
    // RFC 2449 §5.
    let input = b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n";
    let r = Response::parse(input, Expected::Capa).unwrap();
    let Response::Capabilities(caps) = &r else {
        panic!()
    };
    assert_eq!(
        caps.items(),
        [
            Capability::Top,
            Capability::User,
            Capability::Sasl(vec![
                Mechanism::new("CRAM-MD5").unwrap(),
                Mechanism::new("KERBEROS_V4").unwrap()
            ]),
            Capability::RespCodes,
            Capability::LoginDelay {
                seconds: 900,
                per_user: false
            },
            Capability::Pipelining,
            Capability::Expire {
                policy: Expire::Days(60),
                per_user: false
            },
            Capability::Uidl,
            Capability::Implementation(Text::try_from("Shlemazle-Plotz-v302").unwrap()),
        ]
    );
    assert_eq!(r.to_bytes(), input);
    // RFC 5034 §3, §6.
    let input = b"+OK List of capabilities follows\r\nSASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS\r\nSTLS\r\nIMPLEMENTATION BlurdyBlurp POP3 server\r\n.\r\n";
    let r = Response::parse(input, Expected::Capa).unwrap();
    assert_eq!(r.to_bytes(), input);
    // RFC 2449 §6.7 EXPIRE examples and the later tags.
    for (line, cap) in [
        (
            &b"EXPIRE 5 USER"[..],
            Capability::Expire {
                policy: Expire::Days(5),
                per_user: true,
            },
        ),
        (
            b"EXPIRE 30",
            Capability::Expire {
                policy: Expire::Days(30),
                per_user: false,
            },
        ),
        (
            b"EXPIRE NEVER",
            Capability::Expire {
                policy: Expire::Never,
                per_user: false,
            },
        ),
        (
            b"EXPIRE 0",
            Capability::Expire {
                policy: Expire::Days(0),
                per_user: false,
            },
        ),
        (
            b"LOGIN-DELAY 900 USER",
            Capability::LoginDelay {
                seconds: 900,
                per_user: true,
            },
        ),
        (b"UTF8", Capability::Utf8 { user: false }),
        (b"UTF8 USER", Capability::Utf8 { user: true }),
        (b"LANG", Capability::Lang),
        (b"AUTH-RESP-CODE", Capability::AuthRespCode),
        (b"STLS", Capability::Stls),
        (
            b"X-PRIVATE a b",
            Capability::Other(
                OtherCapability::new(
                    CapaTag::new("X-PRIVATE").unwrap(),
                    vec![Param::new("a").unwrap(), Param::new("b").unwrap()],
                )
                .unwrap(),
            ),
        ),
    ] {
        assert_eq!(
            Capability::parse(line).unwrap(),
            cap,
            "{:?}",
            String::from_utf8_lossy(line)
        );
        let mut out = Vec::new();
        cap.encode_line(&mut out);
        assert_eq!(&out[..out.len() - 2], line);
    }
    assert_eq!(Capability::parse(b"top").unwrap(), Capability::Top);
    for (bad, offset, expected) in [
        (&b"EXPIRE soon"[..], 7, "days or NEVER"),
        (b"LOGIN-DELAY"[..].as_ref(), 11, "SP"),
        (b"LOGIN-DELAY 9 PER", 14, "USER"),
        (b"TOP x", 3, "CRLF"),
        (b"LOGIN-DELAY 99999999999", 12, "seconds"),
    ] {
        let e = Capability::parse(bad).unwrap_err();
        assert_eq!(
            (e.offset, e.expected),
            (offset, expected),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(OtherCapability::new(CapaTag::new("top").unwrap(), vec![]).is_err());
}

#[test]
fn rfc_6856_lang_listing() {
    let input = b"+OK Language listing follows:\r\nen English\r\nen-boont English Boontling dialect\r\nde Deutsch\r\nit Italiano\r\nes Espanol\r\nsv Svenska\r\n.\r\n";
    let r = Response::parse(input, Expected::LangList).unwrap();
    let Response::Languages(l) = &r else { panic!() };
    assert_eq!(l.items().len(), 6);
    assert_eq!(l.items()[1].tag.as_str(), "en-boont");
    assert_eq!(
        l.items()[1].description.as_str(),
        Some("English Boontling dialect")
    );
    assert_eq!(r.to_bytes(), input);
}

/// Bad input: (bytes, offset, expected, kind).
#[test]
fn bad_commands() {
    use ErrorKind::*;
    let table: &[(&[u8], usize, &str, ErrorKind)] = &[
        (b"XTND XMIT\r\n", 0, "command keyword", UnknownCommand),
        (b"STATS\r\n", 0, "command keyword", UnknownCommand),
        (b"\r\n", 0, "command keyword", Syntax),
        (b"STAT\n", 4, "CRLF", Syntax),
        (b"STAT\r", 5, "CRLF", Incomplete),
        (b"STAT", 4, "CRLF", Incomplete),
        (b"STAT \r\n", 4, "CRLF", Syntax),
        (b"STAT\r\nNOOP\r\n", 6, "end of message", TrailingBytes),
        (b"RETR\r\n", 4, "SP", Syntax),
        (b"RETR \r\n", 5, "msg", Syntax),
        (b"RETR x\r\n", 5, "msg", Syntax),
        (b"RETR 0\r\n", 5, "msg", InvalidValue),
        (b"RETR -1\r\n", 5, "msg", Syntax),
        (b"RETR 4294967296\r\n", 5, "msg", NumberTooLarge),
        (b"RETR 1 2\r\n", 6, "CRLF", Syntax),
        (b"TOP 1\r\n", 5, "SP", Syntax),
        (b"TOP 1 x\r\n", 6, "lines", Syntax),
        (b"LIST  1\r\n", 5, "msg", Syntax),
        (b"USER\r\n", 4, "SP", Syntax),
        (b"USER \r\n", 5, "name", Syntax),
        (b"USER a b\r\n", 6, "CRLF", Syntax),
        (b"USER \xff\r\n", 5, "UTF-8", InvalidValue),
        (b"PASS\r\n", 4, "SP", Syntax),
        (b"APOP mrose\r\n", 10, "SP", Syntax),
        (b"APOP mrose c4c9\r\n", 11, "digest", Syntax),
        (
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fg\r\n",
            42,
            "digest",
            Syntax,
        ),
        (b"AUTH\r\n", 4, "SP", Syntax),
        (b"AUTH PL@IN\r\n", 7, "sasl-mech", Syntax),
        (b"AUTH ABCDEFGHIJKLMNOPQRSTU\r\n", 5, "sasl-mech", Syntax),
        (b"AUTH PLAIN d=GV\r\n", 12, "base64", InvalidValue),
        (b"LANG e_s\r\n", 6, "lang-range", Syntax),
        (b"NOOP\x00\r\n", 4, "CRLF", Syntax),
    ];
    for &(bytes, offset, expected, kind) in table {
        let e = Command::parse(bytes).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (offset, expected, kind),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
        // The text of the -ERR line only: the encoder writes the status indicator.
        assert!(
            !e.suggested_reply().starts_with('-'),
            "{}",
            e.suggested_reply()
        );
    }
}

#[test]
fn bad_responses() {
    use ErrorKind::*;
    let table: &[(&[u8], Expected, usize, &str, ErrorKind)] = &[
        (b"+ok\r\n", Expected::Status, 1, "+OK", Syntax),
        (b"OK\r\n", Expected::Status, 0, "+OK or -ERR", Syntax),
        (b"+OK\n", Expected::Status, 3, "CRLF", Syntax),
        (b"+OKAY\r\n", Expected::Status, 3, "CRLF", Syntax),
        (b"+OK 2\r\n", Expected::Stat, 5, "SP", Syntax),
        (b"+OK two 320\r\n", Expected::Stat, 4, "count", Syntax),
        (
            b"+OK 2 99999999999999999999\r\n",
            Expected::Stat,
            6,
            "size",
            NumberTooLarge,
        ),
        (
            b"+OK\r\n1 120\r\n2\r\n.\r\n",
            Expected::ScanList,
            13,
            "SP",
            Syntax,
        ),
        (
            b"+OK\r\n0 120\r\n.\r\n",
            Expected::ScanList,
            5,
            "msg",
            InvalidValue,
        ),
        (
            b"+OK\r\n1 a b\r\n.\r\n",
            Expected::UidList,
            8,
            "CRLF",
            Syntax,
        ),
        (
            b"+OK\r\n1 \r\n.\r\n",
            Expected::UidList,
            7,
            "unique-id",
            Syntax,
        ),
        (
            b"+OK\r\n1 120\r\n",
            Expected::ScanList,
            12,
            ". CRLF",
            Incomplete,
        ),
        (
            b"+OK\r\nbody\r\n",
            Expected::Message,
            11,
            ". CRLF",
            Incomplete,
        ),
        (
            b"+OK\r\n.\r\nx",
            Expected::ScanList,
            8,
            "end of response",
            TrailingBytes,
        ),
        (b"+ !!\r\n", Expected::Auth, 2, "base64", InvalidValue),
        (
            b"+OK\r\n.TOP\r\n.\r\n",
            Expected::Capa,
            5,
            "capa-tag",
            Syntax,
        ),
    ];
    for &(bytes, expected, offset, rule, kind) in table {
        let e = Response::parse(bytes, expected).unwrap_err();
        assert_eq!(
            (e.offset, e.expected, e.kind),
            (offset, rule, kind),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    let mut long = b"+OK ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 71));
    long.extend_from_slice(b"\r\n");
    assert!(
        Response::parse(
            b"+OK 1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
            Expected::Uid
        )
        .is_err()
    );
    // decode: incomplete is not an error.
    assert_eq!(
        Response::decode(b"+OK\r\n1 120\r\n", Expected::ScanList),
        Ok(Decoded::Incomplete)
    );
    assert_eq!(
        Response::decode(b"+O", Expected::Status),
        Ok(Decoded::Incomplete)
    );
    assert!(matches!(
        Response::decode(b"+OK\r\n+OK\r\n", Expected::Status),
        Ok(Decoded::Complete(_, 5))
    ));
}

#[test]
fn command_stream_limits_and_recovery() {
    let mut dec = CommandDecoder::new(Limits::default());
    let mut long = b"USER ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 300));
    long.extend_from_slice(b"\r\nNOOP\r\n");
    dec.push(&long[..100]);
    assert_eq!(dec.next_command(), Ok(None));
    dec.push(&long[100..]);
    let e = dec.next_command().unwrap_err();
    assert_eq!(e.kind, ErrorKind::LineTooLong { limit: 255 });
    assert_eq!(dec.next_command(), Ok(Some(Command::Noop)));
    assert_eq!(dec.next_command(), Ok(None));
    // A bare LF ends the line for the framer, and the grammar rejects it.
    dec.push(b"STAT\nQUIT\r\n");
    assert_eq!(dec.next_command().unwrap_err().expected, "CRLF");
    assert_eq!(dec.next_command(), Ok(Some(Command::Quit)));
    // SASL lines may be longer than commands.
    let mut auth = b"AUTH GSSAPI\r\n".to_vec();
    auth.extend(std::iter::repeat_n(b'A', 400));
    auth.extend_from_slice(b"\r\n*\r\n");
    dec.push(&auth);
    assert!(matches!(dec.next_command(), Ok(Some(Command::Auth { .. }))));
    assert_eq!(
        dec.next_sasl_response().unwrap().unwrap(),
        SaslResponse::Data(vec![0; 300])
    );
    assert_eq!(dec.next_sasl_response(), Ok(Some(SaslResponse::Cancel)));
    // STLS: what follows is handed back.
    dec.push(b"STLS\r\n\x16\x03\x01");
    assert_eq!(dec.next_command(), Ok(Some(Command::Stls)));
    assert_eq!(dec.take_buffered(), b"\x16\x03\x01");
}

fn collect(dec: &mut ResponseDecoder, out: &mut Vec<String>) {
    loop {
        match dec.next_event() {
            Ok(Some(ResponseEvent::Response(r))) => out.push(format!("{:?}", r.into_static())),
            Ok(Some(ResponseEvent::MessageStart(s))) => out.push(format!("start {:?}", s.text())),
            Ok(Some(ResponseEvent::BodyChunk(c))) => {
                let c = String::from_utf8_lossy(c).into_owned();
                match out.last_mut() {
                    Some(last) if last.starts_with("body ") => last.push_str(&c),
                    _ => out.push(format!("body {c}")),
                }
            }
            Ok(Some(ResponseEvent::MessageEnd)) => out.push("end".into()),
            Ok(None) => break,
            Err(e) => out.push(format!("error {e}")),
        }
    }
}

#[test]
fn response_stream_limits_and_recovery() {
    let limits = Limits::default().with_max_body(10).with_max_listing(20);
    let mut dec = ResponseDecoder::new(limits);
    for e in [
        Expected::Message,
        Expected::ScanList,
        Expected::Message,
        Expected::Status,
    ] {
        dec.expect(e);
    }
    let input = b"+OK hi\r\n+OK\r\n0123456789ABC\r\n.\r\n+OK\r\n1 1\r\n2 2\r\n3 3\r\n4 4\r\n5 5\r\n6 6\r\n.\r\n+OK\r\nx\r\n.\r\n+OK bye\r\n";
    let mut whole = Vec::new();
    dec.push(input);
    collect(&mut dec, &mut whole);
    // A body over the limit: its octets up to the limit, the error, and still MessageEnd
    // (its start was reported).
    assert_eq!(whole.len(), 10, "{whole:#?}");
    assert_eq!(whole[2], "body 0123456789");
    assert!(
        whole[3].starts_with("error message larger than 10"),
        "{whole:#?}"
    );
    assert_eq!(whole[4], "end");
    assert!(
        whole[5].starts_with("error message larger than 20"),
        "{whole:#?}"
    );
    assert_eq!(whole[8], "end");
    assert!(whole[9].contains("bye"));
    assert_eq!(dec.pending(), 0);
    for size in 1..input.len() {
        let mut dec = ResponseDecoder::new(limits);
        for e in [
            Expected::Message,
            Expected::ScanList,
            Expected::Message,
            Expected::Status,
        ] {
            dec.expect(e);
        }
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            dec.push(chunk);
            collect(&mut dec, &mut out);
        }
        // The same, body octets before the limit error included (fuzz finding F4).
        assert_eq!(out, whole, "chunk size {size}");
    }
    // A too-long status line is skipped.
    let mut dec = ResponseDecoder::new(Limits::default());
    dec.expect(Expected::Status);
    let mut long = b"+OK ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 600));
    long.extend_from_slice(b"\r\n-ERR no\r\n");
    dec.push(&long);
    let mut out = Vec::new();
    collect(&mut dec, &mut out);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].starts_with("error line longer than 512"));
    assert!(out[1].contains("no"));
}

#[test]
fn streaming_body_of_64_mib_uses_constant_memory() {
    let mut dec = ResponseDecoder::new(Limits::default());
    dec.expect(Expected::Message);
    dec.push(b"+OK ready\r\n+OK big\r\n");
    assert!(matches!(
        dec.next_event(),
        Ok(Some(ResponseEvent::Response(_)))
    ));
    assert!(matches!(
        dec.next_event(),
        Ok(Some(ResponseEvent::MessageStart(_)))
    ));
    let mut line = vec![b'x'; 1022];
    line.extend_from_slice(b"\r\n");
    line[0] = b'.';
    let mut stuffed = Vec::new();
    stuff(&line, &mut stuffed);
    let chunk: Vec<u8> = stuffed
        .iter()
        .copied()
        .cycle()
        .take(stuffed.len() * 64)
        .collect();
    let mut total = 0u64;
    for _ in 0..1024 {
        dec.push(&chunk);
        while let Some(ev) = dec.next_event().unwrap() {
            match ev {
                ResponseEvent::BodyChunk(c) => total += c.len() as u64,
                other => panic!("{other:?}"),
            }
        }
    }
    dec.push(b".\r\n");
    assert_eq!(dec.next_event(), Ok(Some(ResponseEvent::MessageEnd)));
    assert_eq!(total, 1024 * 64 * 1024);
}

#[test]
fn dot_stuffing_edges() {
    for (body, wire) in [
        (&b""[..], &b".\r\n"[..]),
        (b".\r\n", b"..\r\n.\r\n"),
        (b"..\r\n", b"...\r\n.\r\n"),
        (b"a\r\n.\r\nb\r\n", b"a\r\n..\r\nb\r\n.\r\n"),
        (b"no final crlf", b"no final crlf\r\n.\r\n"),
        (b"a\n.b\r\n", b"a\n.b\r\n.\r\n"),
    ] {
        let mut out = Vec::new();
        encode_body(body, &mut out);
        assert_eq!(out, wire, "{:?}", String::from_utf8_lossy(body));
    }
    assert_eq!(unstuff(b"..a\r\n.b\r\n"), &b".a\r\nb\r\n"[..]);
    // "." CR followed by other octets is not the terminator; ". " is not either, and it
    // was not byte-stuffed (RFC 1939 §3: a line starting with "." gets another one): an
    // error at its offset, then the rest of the body is dropped up to the terminator.
    let mut dec = BodyDecoder::new();
    let mut got = Vec::new();
    let mut errors = Vec::new();
    let mut input: &[u8] = b".\rx\r\n. \r\n.\r\n";
    loop {
        let (used, ev) = match dec.next(input) {
            Ok(step) => step,
            Err(e) => {
                errors.push((e.offset, e.expected));
                continue;
            }
        };
        input = &input[used..];
        match ev {
            BodyEvent::Data(d) => got.extend_from_slice(d),
            BodyEvent::End => break,
            BodyEvent::NeedMore => panic!("incomplete"),
        }
    }
    assert_eq!(got, b"\rx\r\n");
    assert_eq!(errors, [(5, "byte-stuffed line")]);
    assert!(input.is_empty());
}

/// Fuzz finding F5 (pop3_chunks): a listing line over both the line and the listing limit
/// gave `LineTooLong` in one piece and `TooLarge` in small chunks, and a terminating `.`
/// CRLF over the listing limit ended the skipped listing only when it arrived in pieces.
#[test]
fn listing_limits_do_not_depend_on_chunking() {
    for (line, listing) in [(12, 10), (6, 6), (20, 8), (8, 20)] {
        let limits = Limits::default()
            .with_max_response_line(line)
            .with_max_listing(listing);
        for input in [
            &b"+OK\r\n1 1234567890123\r\n.\r\n+OK bye\r\n"[..],
            b"+OK\r\n1 1\r\n.\r\n+OK bye\r\n",
            b"+OK x\r\n1 12\r\n.\r\n+OK bye\r\n",
        ] {
            let run = |size: usize| {
                let mut dec = ResponseDecoder::without_greeting(limits);
                dec.expect(Expected::ScanList);
                dec.expect(Expected::Status);
                let mut out = Vec::new();
                for chunk in input.chunks(size) {
                    dec.push(chunk);
                    collect(&mut dec, &mut out);
                }
                out
            };
            let whole = run(input.len());
            for size in 1..input.len() {
                assert_eq!(
                    run(size),
                    whole,
                    "limits {line}/{listing}, chunk size {size}"
                );
            }
        }
    }
}
