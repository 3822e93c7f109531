//! temp
use mailtrace::format::{Profile, Reader};
fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let lines = 55_000;
    let line = "x".repeat(74);
    let size = lines * 76;
    let mut t = String::new();
    if arg == "fetch" {
        t.push_str("# source: generated\n# start: selected\n");
        t.push_str(&format!("C: f FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {{{size}}}\n"));
        for _ in 0..lines { t.push_str("S: "); t.push_str(&line); t.push('\n'); }
        t.push_str("S: )\nS: f OK done\n");
    } else {
        t.push_str("# source: generated\n# start: authenticated\n");
        t.push_str(&format!("C: a APPEND INBOX {{{size}}}\nS: + go\n"));
        if arg == "one" {
            t.push_str("C~ ");
            for _ in 0..lines { t.push_str(&line); t.push_str("\\r\\n"); }
            t.push_str("\\r\\n\n");
        } else {
            for _ in 0..lines { t.push_str("C: "); t.push_str(&line); t.push('\n'); }
            t.push_str("C:\n");
        }
        t.push_str("S: a OK done\n");
    }
    let t = t.into_bytes();
    let mut n = 0;
    mailtrace::stream::follow(Reader::new(&t[..]).unwrap(), Profile::Strict, |m| { n += 1; assert!(m.is_ok()); }).unwrap();
    eprintln!("{n}");
}
