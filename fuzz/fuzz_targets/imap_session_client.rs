//! IMAP client session (issue 6): a fuzzer-chosen sequence of inputs (received bytes, end of
//! stream, TLS up) and application calls (commands, SASL answers, DONE) never panics, and
//! every call is answered (a local error or outputs), whatever the order.
#![no_main]

use imap_session::ops::{ClientOp, run_client};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|ops: Vec<ClientOp>| {
    run_client(&ops);
});
