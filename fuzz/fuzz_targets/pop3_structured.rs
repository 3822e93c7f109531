//! Structured round-trip: an arbitrary valid command, SASL line or response, encoded,
//! parses back to the same value (a response as the answer to what it answers).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pop3_codec::{Command, Encode, Expected, Response, SaslResponse};

#[derive(Debug, Arbitrary)]
enum Input {
    Command(Command<'static>),
    Sasl(SaslResponse),
    /// The context is used for `-ERR`, which answers anything.
    Response(Response<'static>, Expected),
}

fn context(r: &Response<'_>, chosen: Expected) -> Expected {
    match r {
        Response::Greeting(_) => Expected::Greeting,
        Response::Status(s) if !s.is_ok() => chosen,
        Response::Status(_) => Expected::Status,
        Response::Challenge(_) => Expected::Auth,
        Response::Stat(_) => Expected::Stat,
        Response::Scan(_) => Expected::Scan,
        Response::ScanList(_) => Expected::ScanList,
        Response::Uid(_) => Expected::Uid,
        Response::UidList(_) => Expected::UidList,
        Response::Capabilities(_) => Expected::Capa,
        Response::Languages(_) => Expected::LangList,
        Response::Message(_) => Expected::Message,
        _ => chosen,
    }
}

fuzz_target!(|input: Input| {
    match input {
        Input::Command(c) => {
            let out = c.to_bytes();
            let parsed = Command::parse(&out)
                .unwrap_or_else(|e| panic!("{e}: {:?}\n{c:?}", String::from_utf8_lossy(&out)));
            assert_eq!(parsed, c, "{:?}", String::from_utf8_lossy(&out));
        }
        Input::Sasl(s) => {
            assert_eq!(SaslResponse::parse(&s.to_bytes()).as_ref(), Ok(&s));
        }
        Input::Response(r, chosen) => {
            let expected = context(&r, chosen);
            let out = r.to_bytes();
            let parsed = Response::parse(&out, expected).unwrap_or_else(|e| {
                panic!(
                    "{e}: {:?} as {expected:?}\n{r:?}",
                    String::from_utf8_lossy(&out)
                )
            });
            assert_eq!(parsed, r, "{:?}", String::from_utf8_lossy(&out));
            assert_eq!(parsed.to_bytes(), out);
        }
    }
});
