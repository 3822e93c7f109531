//! The trace-file reader of `mailconform` (it reads files from strangers): any text either
//! is rejected with an error or reads as a trace that the replayers handle without
//! panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailtrace::format::{self, Protocol};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(trace) = format::parse(text) else {
        return;
    };
    match trace.headers.protocol {
        Protocol::Imap => {
            let _ = mailtrace::imap::replay(&trace);
        }
        Protocol::Pop3 => {
            let _ = mailtrace::pop3::replay(&trace);
        }
    }
});
