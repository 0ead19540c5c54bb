//! Writing the text format.

use std::io::{self, Write};

use super::super::line_buffer::LineBuffer;
use super::super::number::{push_i64, push_u64};
use super::super::words::push_words;
use super::super::{Record, SessionEvent};

/// Writes text format lines to any writer.
///
/// Lines are collected and written in 64 KiB blocks or on [`flush`](Self::flush): flush after
/// every batch for a live source. Write errors are returned as they come from the writer, so a
/// closed pipe is still `io::ErrorKind::BrokenPipe`; the lines of a block that failed are
/// dropped, not retried.
#[derive(Debug)]
pub struct TextWriter<W: Write> {
    lines: LineBuffer<W>,
}

impl<W: Write> TextWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self {
            lines: LineBuffer::new(out),
        }
    }

    /// Writes a packet's data line.
    pub fn record(&mut self, record: &Record) -> io::Result<()> {
        push_record(self.lines.line(), record);
        self.lines.end_line()
    }

    /// Writes an event's `#` line.
    pub fn event(&mut self, event: &SessionEvent) -> io::Result<()> {
        push_event(self.lines.line(), event);
        self.lines.end_line()
    }

    /// Hands every line to the writer and flushes it.
    pub fn flush(&mut self) -> io::Result<()> {
        self.lines.flush()
    }

    /// Bytes accepted so far, whether or not they have reached the writer.
    pub fn size(&self) -> u64 {
        self.lines.size()
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        self.lines.get_ref()
    }

    /// Hands every line to the writer (without flushing it) and returns it.
    pub fn into_inner(self) -> io::Result<W> {
        self.lines.into_inner()
    }
}

/// Appends `timestamp_us|version|frame|ch1..ch6|switches` and a newline.
pub(crate) fn push_record(out: &mut Vec<u8>, record: &Record) {
    push_i64(out, record.timestamp_us);
    out.push(b'|');
    push_u64(out, u64::from(record.protocol.version()));
    out.push(b'|');
    push_u64(out, u64::from(record.counter));
    for &code in &record.samples {
        out.push(b'|');
        push_u64(out, u64::from(code));
    }
    out.push(b'|');
    push_u64(out, u64::from(record.switches));
    out.push(b'\n');
}

/// Appends `# ` and the event's words and a newline.
pub(crate) fn push_event(out: &mut Vec<u8>, event: &SessionEvent) {
    out.extend_from_slice(b"# ");
    push_words(out, event);
    out.push(b'\n');
}
