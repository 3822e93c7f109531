//! Arbitrary peer messages never panic a mechanism, client or server side, and the wire
//! decoders.

mod common;

use common::*;
use mailproto_sasl::wire::{decode_challenge, decode_initial_response, decode_line};
use mailproto_sasl::*;
use proptest::prelude::*;

/// Messages close to valid ones (mutated seeds) as well as random bytes.
fn message() -> impl Strategy<Value = Vec<u8>> {
    let seeds: Vec<&'static [u8]> = vec![
        b"",
        b"\x01",
        b"n,,n=user,r=clientnonce0123456789",
        b"p=tls-exporter,,n=user,r=clientnonce0123456789",
        b"y,a=user,n=user,r=clientnonce0123456789",
        b"r=clientnonce0123456789servernonceABCDEF,s=QSXCR+Q6sek8bf92,i=4096",
        b"c=biws,r=clientnonce0123456789servernonceABCDEF,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
        b"e=invalid-proof",
        b"\0user\0pencil",
        b"user 0123456789abcdef0123456789abcdef",
        b"n,a=user@example.com,\x01host=h\x01port=143\x01auth=Bearer abc\x01\x01",
        b"user=u\x01auth=Bearer abc\x01\x01",
        br#"{"status":"invalid_token","scope":"a\u0041\"b"}"#,
        b"m=ext,r=x",
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        (
            proptest::sample::select(seeds),
            proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4)
        )
            .prop_map(|(seed, edits)| {
                let mut m = seed.to_vec();
                for (at, byte) in edits {
                    if m.is_empty() {
                        m.push(byte);
                    } else {
                        let i = at % m.len();
                        m[i] = byte;
                    }
                }
                m
            }),
    ]
}

fn fast() -> Limits {
    Limits {
        min_iterations: 1,
        max_iterations: 4096,
        ..Limits::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn servers_never_panic(
        which in 0..KNOWN.len(),
        ir in proptest::option::of(message()),
        responses in proptest::collection::vec(message(), 0..4),
    ) {
        let info = &KNOWN[which];
        let tls = TlsInfo {
            peer_identity: Some("user".into()),
            ..TlsInfo::with_channel_binding(ChannelBinding::tls_exporter(b"cb".to_vec()))
        };
        let cfg = ServerConfig { limits: fast(), ..all_server() };
        let auth = Store { anonymous: true, ..Store::default() };
        let mut server = cfg.start(&info.mechanism, Some(&tls), &mut FixedNonces::new(["servernonceABCDEF"])).unwrap();
        let _ = server.start(ir.as_deref(), &auth);
        for r in &responses {
            let _ = server.step(r, &auth);
        }
    }

    #[test]
    fn clients_never_panic(
        which in 0..KNOWN.len(),
        use_ir in any::<bool>(),
        challenges in proptest::collection::vec(message(), 0..4),
    ) {
        let info = &KNOWN[which];
        let creds = match info.credential {
            CredentialKind::Password => Credentials::password("user", "pencil"),
            CredentialKind::Token => Credentials::bearer("user", "abc"),
            CredentialKind::External => Credentials::external(),
            _ => Credentials::anonymous("trace"),
        };
        let cfg = ClientConfig {
            channel_binding: Some(ChannelBinding::tls_exporter(b"cb".to_vec())),
            limits: fast(),
            ..ClientConfig::tls()
        };
        let mut client = cfg.start(&info.mechanism, &creds, &mut FixedNonces::new(["clientnonce0123456789"])).unwrap();
        if use_ir {
            let _ = client.initial_response();
        }
        for c in &challenges {
            let _ = client.step(c);
        }
        let _ = client.finish(challenges.first().map(Vec::as_slice));
    }

    #[test]
    fn wire_decoders_never_panic(line in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode_line(&line);
        let _ = decode_initial_response(&line);
        let _ = decode_challenge(&line);
        let _ = OAuthError::from_json(&line);
        let _ = Mechanism::new(&String::from_utf8_lossy(&line));
    }

    #[test]
    fn wire_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut line = Vec::new();
        wire::encode_line(&data, &mut line);
        let wire::Line::Data(back) = decode_line(&line).unwrap() else { panic!() };
        prop_assert_eq!(back.expose(), &data[..]);
        let mut arg = Vec::new();
        wire::encode_initial_response(&data, &mut arg);
        let back = decode_initial_response(&arg).unwrap();
        prop_assert_eq!(back.expose(), &data[..]);
    }
}
