//! Writing JSON lines.

use std::io::{self, Write};

use super::super::field::FieldValue;
use super::super::json_string::push_json_string;
use super::super::line_buffer::LineBuffer;
use super::super::number::{push_decimal, push_i64, push_u64};
use super::super::{Record, SessionEvent};

/// Writes one JSON object per line to any writer.
///
/// Buffered like [`TextWriter`](super::super::TextWriter): blocks of 64 KiB, or on
/// [`flush`](Self::flush); write errors are returned as they come (a closed pipe stays
/// `io::ErrorKind::BrokenPipe`).
#[derive(Debug)]
pub struct JsonWriter<W: Write> {
    lines: LineBuffer<W>,
    microvolts_per_lsb: f64,
}

impl<W: Write> JsonWriter<W> {
    /// Writes to `out`, packets' microvolts through `microvolts_per_lsb`.
    pub fn new(out: W, microvolts_per_lsb: f64) -> Self {
        Self {
            lines: LineBuffer::new(out),
            microvolts_per_lsb,
        }
    }

    /// Writes a packet object.
    pub fn record(&mut self, record: &Record) -> io::Result<()> {
        push_record(self.lines.line(), record, self.microvolts_per_lsb);
        self.lines.end_line()
    }

    /// Writes an event object.
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

/// Appends a packet object and a newline.
pub(crate) fn push_record(out: &mut Vec<u8>, record: &Record, microvolts_per_lsb: f64) {
    out.extend_from_slice(b"{\"timestamp_us\":");
    push_i64(out, record.timestamp_us);
    out.extend_from_slice(b",\"sample_index\":");
    push_u64(out, record.sample_index);
    out.extend_from_slice(b",\"version\":");
    push_u64(out, u64::from(record.protocol.version()));
    out.extend_from_slice(b",\"frame\":");
    push_u64(out, u64::from(record.counter));
    out.extend_from_slice(b",\"channels\":");
    push_array(out, &record.samples, |out, &code| {
        push_u64(out, u64::from(code))
    });
    out.extend_from_slice(b",\"microvolts\":");
    push_array(out, &record.microvolts(microvolts_per_lsb), |out, &uv| {
        push_number(out, Some(uv));
    });
    out.extend_from_slice(b",\"switches\":");
    push_u64(out, u64::from(record.switches));
    out.extend_from_slice(b"}\n");
}

/// Appends an event object, `{"event":"<name>"` then its fields, and a newline.
pub(crate) fn push_event(out: &mut Vec<u8>, event: &SessionEvent) {
    out.extend_from_slice(b"{\"event\":");
    push_json_string(out, event.name());
    event.for_each_field(|key, value| {
        out.push(b',');
        push_json_string(out, key);
        out.push(b':');
        match value {
            FieldValue::Unsigned(v) => push_u64(out, v),
            FieldValue::Signed(v) => push_i64(out, v),
            FieldValue::Text(text) => push_json_string(out, text),
            FieldValue::Decimal(v) => push_number(out, v),
        }
    });
    out.extend_from_slice(b"}\n");
}

/// `[a,b,...]`.
fn push_array<T>(out: &mut Vec<u8>, items: &[T], mut push: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push(out, item);
    }
    out.push(b']');
}

/// A number rounded to six decimals, or `null` when absent or not finite (JSON has no NaN).
fn push_number(out: &mut Vec<u8>, v: Option<f64>) {
    if !v.is_some_and(|v| push_decimal(out, v)) {
        out.extend_from_slice(b"null");
    }
}
