//! POP3 client session (issue 7): a fuzzer-chosen sequence of received bytes, end of stream,
//! TLS up and application calls (commands, APOP, SASL answers) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pop3_codec::Limits;
use pop3_session::ClientSession;
use pop3_session::ops::{ClientOp, apply_client_into};

fuzz_target!(|ops: Vec<ClientOp>| {
    let mut session = ClientSession::new(Limits::default());
    let (mut wire, mut records) = (Vec::new(), Vec::new());
    for op in &ops {
        apply_client_into(&mut session, op, &mut wire, &mut records);
        wire.clear();
        records.clear();
    }
});
