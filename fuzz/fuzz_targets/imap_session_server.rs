//! IMAP server session (issue 6): a fuzzer-chosen sequence of received bytes, end of stream,
//! TLS up, greetings, responses and SASL challenges never panics.
#![no_main]

use imap_session::ops::{ServerOp, run_server};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|ops: Vec<ServerOp>| {
    run_server(&ops);
});
