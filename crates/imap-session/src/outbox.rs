//! The output side shared by the client and server sessions: the bytes to transmit (lent by
//! `poll_output` until the next call), the events in the order they arose, and the streamed
//! literal chunk waiting to be lent. `poll_output` is the same drain rule on both sides
//! (transmit first, then events, then a chunk; `docs/architecture.md`, "Driving a session").

use crate::prelude::*;

use alloc::collections::VecDeque;

/// The output buffer's capacity kept between transmissions; more is given back.
const KEEP_CAPACITY: usize = 1024 * 1024;

/// What [`Outbox::next`] hands out.
pub(crate) enum Next<'a, E> {
    /// Bytes to transmit.
    Transmit(&'a [u8]),
    /// An event.
    Event(E),
    /// A streamed literal's chunk is lent now; `remaining` octets of the literal follow it.
    Chunk(u64),
}

/// The output of one session.
#[derive(Debug)]
pub(crate) struct Outbox<E> {
    /// Bytes to transmit, lent by `poll_output`.
    out: Vec<u8>,
    /// `out` was lent: clear it before writing more or lending again.
    out_taken: bool,
    events: VecDeque<E>,
    /// A streamed literal's data is framed and not yet lent (`Some(remaining)`).
    chunk: Option<u64>,
    /// A chunk was lent: framing goes on at the next `poll_output`.
    chunk_lent: bool,
}

impl<E> Default for Outbox<E> {
    fn default() -> Self {
        Outbox {
            out: Vec::new(),
            out_taken: false,
            events: VecDeque::new(),
            chunk: None,
            chunk_lent: false,
        }
    }
}

impl<E: ::core::fmt::Debug> Outbox<E> {
    /// The start of a `poll_output`: takes back what the previous call lent. Returns how
    /// many octets were lent (`None`: none), and whether a literal chunk was lent (framing
    /// then goes on).
    pub(crate) fn begin_poll(&mut self) -> (Option<usize>, bool) {
        let lent = self.out_taken.then(|| {
            let len = self.out.len();
            self.out.clear();
            if self.out.capacity() > KEEP_CAPACITY {
                // A big transmission (see `push_owned`) is not kept allocated.
                self.out = Vec::new();
            }
            self.out_taken = false;
            len
        });
        (lent, ::core::mem::take(&mut self.chunk_lent))
    }

    /// The next output: the bytes to transmit (all of them), else the oldest event, else the
    /// waiting chunk while its literal is still being read (`streaming`: the framer's buffer
    /// was not dropped meanwhile by an end of stream, STARTTLS or a limit).
    pub(crate) fn next(&mut self, streaming: bool) -> Option<Next<'_, E>> {
        if !self.out.is_empty() {
            self.out_taken = true;
            #[cfg(feature = "tracing")]
            tracing::trace!(octets = self.out.len(), "transmit");
            return Some(Next::Transmit(&self.out));
        }
        if let Some(e) = self.events.pop_front() {
            #[cfg(feature = "tracing")]
            tracing::debug!(event = ?e, "event");
            return Some(Next::Event(e));
        }
        let remaining = self.chunk.take().filter(|_| streaming)?;
        self.chunk_lent = true;
        Some(Next::Chunk(remaining))
    }

    /// Queues an event.
    pub(crate) fn event(&mut self, e: E) {
        self.events.push_back(e);
    }

    /// Appends `bytes` to transmit, taking the vector itself when nothing else waits: a big
    /// command's encoding (an APPEND's literal) is not copied once more.
    pub(crate) fn push_owned(&mut self, bytes: Vec<u8>) {
        let out = self.buf();
        if out.is_empty() {
            *out = bytes;
        } else {
            out.extend_from_slice(&bytes);
        }
    }

    /// The output buffer, emptied first if its bytes were lent already.
    pub(crate) fn buf(&mut self) -> &mut Vec<u8> {
        if self.out_taken {
            self.out.clear();
            self.out_taken = false;
        }
        &mut self.out
    }

    /// Octets to transmit not yet lent.
    pub(crate) fn pending_len(&self) -> usize {
        if self.out_taken { 0 } else { self.out.len() }
    }

    /// Octets in the output buffer, lent or not (for `Debug`).
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    /// Events not yet polled.
    pub(crate) fn events_len(&self) -> usize {
        self.events.len()
    }

    /// A chunk waits to be lent: framing stops until it is.
    pub(crate) fn chunk_waiting(&self) -> bool {
        self.chunk.is_some()
    }

    /// A streamed literal's chunk is framed; `remaining` octets of it follow.
    pub(crate) fn hold_chunk(&mut self, remaining: u64) {
        self.chunk = Some(remaining);
    }
}
