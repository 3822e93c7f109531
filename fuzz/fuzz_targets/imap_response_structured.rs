//! Structured round-trip: an arbitrary valid response, greeting or AUTHENTICATE line,
//! encoded, parses back to the same value, and encoding is a fixed point. Generated values
//! include extension rows (Gmail X-GM-EXT-1) and UTF-8 quoted strings (RFC 6855), so the
//! response is parsed with every extension in force.
#![no_main]

use arbitrary::Arbitrary;
use imap_codec::{AuthenticateData, Greeting, Response};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Input {
    Response(Response<'static>),
    Greeting(Greeting<'static>),
    Authenticate(AuthenticateData<'static>),
}

fuzz_target!(|input: Input| {
    let mut out = Vec::new();
    match input {
        Input::Response(r) => {
            let enc = r.encode(&mut out);
            assert!(enc.sync_points.is_empty());
            let parsed = Response::parse_with(&out, &mailproto_fuzz::imap_all_extensions())
                .map(|p| p.value)
                .unwrap_or_else(|e| panic!("{e}: {:?}\n{r:?}", String::from_utf8_lossy(&out)));
            assert_eq!(parsed, r, "{:?}", String::from_utf8_lossy(&out));
            let mut again = Vec::new();
            let _ = parsed.encode(&mut again);
            assert_eq!(again, out);
        }
        Input::Greeting(g) => {
            let _ = g.encode(&mut out);
            let parsed = Greeting::parse_with(&out, &mailproto_fuzz::imap_all_extensions())
                .map(|p| p.value)
                .unwrap_or_else(|e| panic!("{e}: {:?}\n{g:?}", String::from_utf8_lossy(&out)));
            assert_eq!(parsed, g, "{:?}", String::from_utf8_lossy(&out));
        }
        Input::Authenticate(a) => {
            let _ = a.encode(&mut out);
            assert_eq!(AuthenticateData::parse(&out).as_ref(), Ok(&a));
        }
    }
});
