//! Differential target against the crates.io `imap-codec` 2.0.0-alpha.10 (a different
//! project of the same name, here `imap_codec_peer`).
//!
//! The first octet picks command, response or greeting; for the rest `x` that both parsers
//! accept as one complete message, let `y` be the peer's encoding of its parse of `x`: this
//! project must parse `y` to the same value as `x`. Known, triaged differences
//! (docs/differential.md) are filtered by `known_difference`.
#![no_main]

use imap_codec::IntoStatic;
use imap_codec::{Command, Greeting, Response};
use imap_codec_peer::decode::Decoder;
use imap_codec_peer::encode::Encoder;
use imap_codec_peer::{CommandCodec, GreetingCodec, ResponseCodec};
use libfuzzer_sys::fuzz_target;
use mailproto_fuzz::differential;

/// Our parse of `x` and of `y`, compared (up to the known differences); a panic names both.
fn same<T, E>(
    kind: &str,
    x: &[u8],
    y: &[u8],
    ours_x: T,
    ours_y: Result<T, E>,
    known: fn(&T, &T) -> Option<Vec<&'static str>>,
) where
    T: PartialEq + std::fmt::Debug,
    E: std::fmt::Display,
{
    if let Ok(v) = &ours_y
        && known(&ours_x, v).is_some()
    {
        return;
    }
    match ours_y {
        Ok(v) => panic!(
            "{kind}: the peer's encoding parses to another value\n x = {:?}\n y = {:?}\n ours(x) = {ours_x:?}\n ours(y) = {v:?}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        ),
        Err(e) => panic!(
            "{kind}: the peer's encoding is rejected: {e}\n x = {:?}\n y = {:?}\n ours(x) = {ours_x:?}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, x)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let Ok(ours) = Command::parse(x) else { return };
            let Ok((rest, peer)) = CommandCodec::default().decode(x) else {
                return;
            };
            if !rest.is_empty() {
                return;
            }
            let y = CommandCodec::default().encode(&peer).dump();
            same(
                "command",
                x,
                &y,
                ours.into_static(),
                Command::parse(&y).map(IntoStatic::into_static),
                differential::command,
            );
        }
        1 => {
            let Ok(ours) = Response::parse(x) else { return };
            let Ok((rest, peer)) = ResponseCodec::default().decode(x) else {
                return;
            };
            if !rest.is_empty() {
                return;
            }
            let y = ResponseCodec::default().encode(&peer).dump();
            same(
                "response",
                x,
                &y,
                ours.into_static(),
                Response::parse(&y).map(IntoStatic::into_static),
                differential::response,
            );
        }
        _ => {
            let Ok(ours) = Greeting::parse(x) else { return };
            let Ok((rest, peer)) = GreetingCodec::default().decode(x) else {
                return;
            };
            if !rest.is_empty() {
                return;
            }
            let y = GreetingCodec::default().encode(&peer).dump();
            same(
                "greeting",
                x,
                &y,
                ours.into_static(),
                Greeting::parse(&y).map(IntoStatic::into_static),
                differential::greeting,
            );
        }
    }
});
