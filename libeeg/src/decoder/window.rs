//! The bytes the decoder has been given but not yet consumed, with their arrival times.

use std::collections::VecDeque;
use std::time::Duration;

/// Unconsumed bytes plus the one byte before them (a P3 packet not preceded by an end byte
/// needs more proof), addressed by their offset in the whole stream.
#[derive(Debug, Default)]
pub(super) struct Window {
    buf: Vec<u8>,
    /// Index in `buf` of the first unconsumed byte.
    start: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// (stream offset just past a chunk, when that chunk arrived), oldest first.
    arrivals: VecDeque<(u64, Duration)>,
}

impl Window {
    /// Appends a chunk, first dropping consumed bytes so memory stays at one chunk plus what the
    /// decoder is holding.
    pub fn push(&mut self, bytes: &[u8], arrival: Option<Duration>) {
        let keep_from = self.start.saturating_sub(1);
        if keep_from > 0 {
            self.buf.drain(..keep_from);
            self.base += keep_from as u64;
            self.start -= keep_from;
        }
        self.buf.extend_from_slice(bytes);
        if let Some(t) = arrival {
            self.arrivals.push_back((self.end_offset(), t));
        }
    }

    /// The unconsumed bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Unconsumed bytes from `skip` bytes past the start.
    #[inline]
    pub fn from(&self, skip: usize) -> &[u8] {
        &self.buf[(self.start + skip).min(self.buf.len())..]
    }

    /// Marks `n` bytes consumed.
    #[inline]
    pub fn consume(&mut self, n: usize) {
        self.start += n;
        debug_assert!(self.start <= self.buf.len());
    }

    /// The byte just before the unconsumed ones, if the stream has one.
    #[inline]
    pub fn previous_byte(&self) -> Option<u8> {
        self.start.checked_sub(1).map(|i| self.buf[i])
    }

    /// Stream offset of the first unconsumed byte.
    #[inline]
    pub fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Stream offset just past the last byte pushed.
    #[inline]
    pub fn end_offset(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Number of unconsumed bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// When the byte at stream `offset` arrived. Offsets must be asked in increasing order:
    /// older chunks are forgotten.
    pub fn arrival_of(&mut self, offset: u64) -> Option<Duration> {
        while self.arrivals.front().is_some_and(|&(end, _)| end <= offset) {
            self.arrivals.pop_front();
        }
        self.arrivals.front().map(|&(_, t)| t)
    }
}
