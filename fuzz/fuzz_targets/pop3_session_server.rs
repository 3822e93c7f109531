//! POP3 server session (issue 7): a fuzzer-chosen sequence of received bytes, end of stream,
//! TLS up and application answers (logins, SASL challenges, body chunks, UPDATE) never panics,
//! with a server that offers USER, SASL, STLS and PIPELINING so that every state is reachable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pop3_codec::{Capability, Greeting, IntoStatic, Mechanism};
use pop3_session::ops::{ServerOp, apply_server};
use pop3_session::{ServerConfig, ServerSession};

fuzz_target!(|ops: Vec<ServerOp>| {
    let greeting = Greeting::parse(b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n")
        .expect("a valid greeting")
        .into_static();
    let config = ServerConfig::new(greeting).with_capabilities(vec![
        Capability::Top,
        Capability::User,
        Capability::Uidl,
        Capability::Pipelining,
        Capability::Stls,
        Capability::Sasl(vec![Mechanism::new("PLAIN").expect("a valid mechanism")]),
    ]);
    let mut session = ServerSession::new(config);
    let mut wire = Vec::new();
    for op in &ops {
        apply_server(&mut session, op, &mut wire);
        wire.clear();
    }
});
