//! The items of a value held as its checked wire form, `item *(SP item)` (or `1*item`),
//! decoded one by one as an iterator advances (the header names of a
//! [`crate::section::HeaderList`], the keys of a [`crate::command::SearchProgram`], the items
//! of the `wire_list!` lists: address lists, body parameters).

use crate::error::PResult;

/// The items of a checked wire form `item *(SP item)` (or `1*item`), decoded one by one.
#[derive(Debug, Clone)]
pub struct SpItems<'s, T> {
    rest: &'s [u8],
    left: usize,
    /// Items are separated by SP (else they follow one another: `1*address`).
    sep: bool,
    decode: fn(&'s [u8]) -> PResult<'s, T>,
}

impl<'s, T> SpItems<'s, T> {
    /// The `len` items of `wire`, each read by `decode`.
    pub(crate) fn new(wire: &'s [u8], len: usize, decode: fn(&'s [u8]) -> PResult<'s, T>) -> Self {
        Self::with_sep(wire, len, true, decode)
    }

    /// The `len` items of `wire`, separated by SP when `sep`, each read by `decode`.
    pub(crate) fn with_sep(
        wire: &'s [u8],
        len: usize,
        sep: bool,
        decode: fn(&'s [u8]) -> PResult<'s, T>,
    ) -> Self {
        SpItems {
            rest: wire,
            left: len,
            sep,
            decode,
        }
    }
}

impl<T> Iterator for SpItems<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.left == 0 {
            return None;
        }
        // The bytes were checked by the value's parser (or written by its encoder and
        // checked), under a grammar no wider than `decode`'s, so this parse succeeds; should
        // it not, the iteration ends.
        match (self.decode)(self.rest) {
            Ok((r, item)) => {
                self.left -= 1;
                self.rest = match r.split_first() {
                    Some((b' ', after)) if self.sep => after,
                    _ => r,
                };
                Some(item)
            }
            Err(_) => {
                self.left = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}
