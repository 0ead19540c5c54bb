//! Whole lines collected in memory and handed to the target in large blocks, or whenever the
//! caller flushes: the writers' buffering.

use std::io::{self, Write};

/// Lines go to the target once this much is collected (or on `flush`).
const BLOCK: usize = 64 * 1024;

/// Collects whole lines (CSV: whole rows) and writes them to `out` in blocks.
///
/// Nothing reaches `out` until a block is full or [`flush`](Self::flush) is called, so the
/// caller sets the latency: a live source flushes after every batch of packets (each packet
/// reaches the pipe at once), a replay lets the blocks fill (one `write` per 64 KiB). Because
/// only whole lines are handed over, a line-buffered target such as `io::Stdout` passes each
/// block through in one call, a reader never sees half a line, and a recording killed between
/// two writes ends with a whole row.
#[derive(Debug)]
pub(crate) struct LineBuffer<W: Write> {
    out: W,
    buf: Vec<u8>,
    /// Bytes handed to `out` so far.
    delivered: u64,
}

impl<W: Write> LineBuffer<W> {
    /// A buffer in front of `out`.
    pub(crate) fn new(out: W) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(BLOCK + 256),
            delivered: 0,
        }
    }

    /// Where the next line is appended, newline included; finish it with
    /// [`end_line`](Self::end_line).
    pub(crate) fn line(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Writes the block if it is full: call after each whole line.
    pub(crate) fn end_line(&mut self) -> io::Result<()> {
        if self.buf.len() >= BLOCK {
            self.write_block()
        } else {
            Ok(())
        }
    }

    /// Hands every complete line to `out` and flushes it.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.write_block()?;
        self.out.flush()
    }

    /// Bytes accepted so far, whether or not they have reached `out` yet.
    pub(crate) fn size(&self) -> u64 {
        self.delivered + self.buf.len() as u64
    }

    /// The target.
    pub(crate) fn get_ref(&self) -> &W {
        &self.out
    }

    /// Hands every complete line to `out` (without flushing it) and returns it.
    pub(crate) fn into_inner(mut self) -> io::Result<W> {
        self.write_block()?;
        Ok(self.out)
    }

    fn write_block(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let result = self.out.write_all(&self.buf);
        // After a failure the target is gone (a closed pipe) or broken: retrying would repeat
        // the lines that did get through, so the block is dropped either way.
        self.delivered += self.buf.len() as u64;
        self.buf.clear();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wait_for_flush_or_a_full_block() {
        let mut target = Vec::new();
        let mut lines = LineBuffer::new(&mut target);
        lines.line().extend_from_slice(b"one\n");
        lines.end_line().unwrap();
        assert_eq!(lines.size(), 4);
        lines.flush().unwrap();
        for _ in 0..BLOCK / 8 + 1 {
            lines.line().extend_from_slice(b"1234567\n");
            lines.end_line().unwrap();
        }
        let size = lines.size();
        drop(lines);
        // The full block went out on its own; the last line waits for a flush.
        assert_eq!(target.len() as u64, size - 8);
        assert!(target.starts_with(b"one\n1234567\n"));
    }

    #[test]
    fn a_closed_pipe_stays_a_broken_pipe_and_the_block_is_dropped() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut lines = LineBuffer::new(Closed);
        lines.line().extend_from_slice(b"x\n");
        assert_eq!(lines.flush().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        assert!(lines.buf.is_empty());
        assert_eq!(lines.size(), 2);
    }
}
