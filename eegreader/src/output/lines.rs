//! Line-oriented output to a pipe: whole lines are collected in memory and handed to the target
//! in large blocks, or whenever the caller flushes; and free text is kept on its line.

use std::borrow::Cow;
use std::io::{self, Write};

/// Lines go to the target once this much is collected (or on `flush`).
const BLOCK: usize = 64 * 1024;

/// Collects whole lines and writes them to `out` in blocks.
///
/// Nothing reaches `out` until a block is full or [`flush`](Self::flush) is called, so the
/// caller sets the latency: a live source flushes after every batch of packets (each packet
/// reaches the pipe at once), a replay lets the blocks fill (one `write` per 64 KiB). Because
/// only whole lines are handed over, a line-buffered target such as `io::Stdout` passes each
/// block through in one call, and a reader never sees half a line.
#[derive(Debug)]
pub struct LineBuffer<W: Write> {
    out: W,
    buf: Vec<u8>,
    /// Bytes handed to `out` so far.
    delivered: u64,
}

impl<W: Write> LineBuffer<W> {
    /// A buffer in front of `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(BLOCK + 256),
            delivered: 0,
        }
    }

    /// Where the next line is appended; finish it with [`end_line`](Self::end_line).
    pub fn line(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Ends the line being appended and writes the block if it is full.
    pub fn end_line(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        if self.buf.len() >= BLOCK {
            self.write_block()
        } else {
            Ok(())
        }
    }

    /// Hands every complete line to `out` and flushes it.
    pub fn flush(&mut self) -> io::Result<()> {
        self.write_block()?;
        self.out.flush()
    }

    /// Bytes accepted so far, whether or not they have reached `out` yet.
    pub fn size(&self) -> u64 {
        self.delivered + self.buf.len() as u64
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

/// `text` with control characters (newlines, escapes) written as Rust escapes (`\n`,
/// `\u{1b}`), so a device id or a reason can never end its line early or drive a terminal.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wait_for_flush_or_a_full_block() {
        let mut target = Vec::new();
        let mut lines = LineBuffer::new(&mut target);
        lines.line().extend_from_slice(b"one");
        lines.end_line().unwrap();
        assert_eq!(lines.size(), 4);
        lines.flush().unwrap();
        for _ in 0..BLOCK / 8 + 1 {
            lines.line().extend_from_slice(b"1234567");
            lines.end_line().unwrap();
        }
        let size = lines.size();
        drop(lines);
        // The full block went out on its own; the last line waits for a flush.
        assert_eq!(target.len() as u64, size - 8);
        assert!(target.starts_with(b"one\n1234567\n"));
    }

    #[test]
    fn control_characters_stay_on_the_line() {
        assert!(matches!(one_line("mEEGv1.0"), Cow::Borrowed("mEEGv1.0")));
        assert_eq!(
            one_line("a\nb\r\t\u{1b}[2J\u{7f}"),
            "a\\nb\\r\\t\\u{1b}[2J\\u{7f}"
        );
        assert_eq!(one_line("quote \" and ü stay"), "quote \" and ü stay");
    }
}
