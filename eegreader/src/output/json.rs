//! `--json`: one JSON object per line (JSON Lines), packets and events alike.
//!
//! A packet:
//!
//! ```text
//! {"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":17,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}
//! ```
//!
//! `channels` are the raw 10-bit codes, `microvolts` the same through the device profile
//! (`(code - 512) * scale`, rounded to 1e-6 uV), `frame` the packet counter as sent,
//! `switches` the switch byte (15 = none pressed). The original reader's key `"timestamp:"` is
//! now `"timestamp_us"`.
//!
//! Events are objects with an `"event"` key (left out with `events: false`, `--no-events`):
//!
//! ```text
//! {"event":"protocol","protocol":"P2","version":2}
//! {"event":"device_id","id":"mEEGv1.0"}
//! {"event":"lost","count":3,"first_sample_index":1200,"timestamp_us":1700000004687500}
//! {"event":"sync_lost","at_byte":4096}
//! {"event":"resync","skipped_bytes":37}
//! {"event":"device_gone","reason":"read failed","timestamp_us":1700000010000000}
//! {"event":"device_back","device":"/dev/ttyUSB0","timestamp_us":1700000012000000}
//! {"event":"switches","sample_index":400,"previous":15,"current":11}
//! {"event":"restart","sample_index":5120,"timestamp_us":1700000020000000,"previous_counter":57,"counter":0,"evidence":"reset-signal"}
//! {"event":"counter_stalled","counter":7}
//! {"event":"trailing_bytes","count":5}
//! {"event":"end","estimated_rate_hz":257.142857}
//! ```
//!
//! A `restart` is no loss: the next packet (`sample_index`, at `timestamp_us`) follows the last
//! one, its counter jumped from `previous_counter` to `counter`, and `evidence` says what showed
//! it (`reset-signal` or `elapsed-time`).
//!
//! The objects are flat and their keys fixed, so they are written by hand rather than through
//! a serialisation crate; strings are escaped per RFC 8259 (quote, backslash, and every control
//! character). A value that is not a finite number is written `null`.

use std::io::{self, Write};

use super::Sink;
use super::lines::LineBuffer;
use super::number::{push_decimal, push_i64, push_u64};
use crate::record::{Note, Record};

/// Writes one JSON object per line to any writer.
///
/// Buffered like [`TextSink`](super::text::TextSink): blocks of 64 KiB, or on
/// [`Sink::flush`]; write errors are returned as they come (a closed pipe stays
/// `io::ErrorKind::BrokenPipe`).
#[derive(Debug)]
pub struct JsonSink<W: Write> {
    lines: LineBuffer<W>,
    events: bool,
}

impl<W: Write> JsonSink<W> {
    /// Writes to `out` (standard output in practice); `events: false` (`--no-events`) leaves
    /// out the event objects.
    pub fn new(out: W, events: bool) -> Self {
        Self {
            lines: LineBuffer::new(out),
            events,
        }
    }

    /// Writes one event object: `{"event":"<kind>"` then what `fields` appends (each field
    /// starting with a comma), then `}`.
    fn event(&mut self, kind: &str, fields: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        if !self.events {
            return Ok(());
        }
        let line = self.lines.line();
        line.extend_from_slice(b"{\"event\":");
        push_string(line, kind);
        fields(line);
        line.push(b'}');
        self.lines.end_line()
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn name(&self) -> String {
        "standard output".to_owned()
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        let line = self.lines.line();
        line.extend_from_slice(b"{\"timestamp_us\":");
        push_i64(line, record.timestamp_us);
        line.extend_from_slice(b",\"sample_index\":");
        push_u64(line, record.sample_index);
        line.extend_from_slice(b",\"version\":");
        push_u64(line, u64::from(record.protocol.version()));
        line.extend_from_slice(b",\"frame\":");
        push_u64(line, u64::from(record.counter));
        line.extend_from_slice(b",\"channels\":");
        push_array(line, &record.samples, |line, &code| {
            push_u64(line, u64::from(code))
        });
        line.extend_from_slice(b",\"microvolts\":");
        push_array(line, &record.microvolts, |line, &uv| push_number(line, uv));
        line.extend_from_slice(b",\"switches\":");
        push_u64(line, u64::from(record.switches));
        line.push(b'}');
        self.lines.end_line()
    }

    fn note(&mut self, note: &Note) -> io::Result<()> {
        match note {
            Note::Lost {
                count,
                first_sample_index,
                timestamp_us,
            } => self.event("lost", |line| {
                field_u64(line, "count", *count);
                field_u64(line, "first_sample_index", *first_sample_index);
                field_i64(line, "timestamp_us", *timestamp_us);
            }),
            Note::SyncLost { at_byte } => {
                self.event("sync_lost", |line| field_u64(line, "at_byte", *at_byte))
            }
            Note::Resync { skipped_bytes } => self.event("resync", |line| {
                field_u64(line, "skipped_bytes", *skipped_bytes)
            }),
            Note::Protocol(protocol) => self.event("protocol", |line| {
                field_string(line, "protocol", &protocol.to_string());
                field_u64(line, "version", u64::from(protocol.version()));
            }),
            Note::DeviceId(id) => self.event("device_id", |line| field_string(line, "id", id)),
            Note::DeviceGone {
                reason,
                timestamp_us,
            } => self.event("device_gone", |line| {
                field_string(line, "reason", reason);
                field_i64(line, "timestamp_us", *timestamp_us);
            }),
            Note::DeviceBack {
                device,
                timestamp_us,
            } => self.event("device_back", |line| {
                field_string(line, "device", device);
                field_i64(line, "timestamp_us", *timestamp_us);
            }),
            Note::Switches {
                sample_index,
                previous,
                current,
            } => self.event("switches", |line| {
                field_u64(line, "sample_index", *sample_index);
                field_u64(line, "previous", u64::from(*previous));
                field_u64(line, "current", u64::from(*current));
            }),
            Note::Restart {
                sample_index,
                timestamp_us,
                previous_counter,
                counter,
                evidence,
            } => self.event("restart", |line| {
                field_u64(line, "sample_index", *sample_index);
                field_i64(line, "timestamp_us", *timestamp_us);
                field_u64(line, "previous_counter", u64::from(*previous_counter));
                field_u64(line, "counter", u64::from(*counter));
                field_string(line, "evidence", evidence.name());
            }),
            Note::CounterStalled { counter } => self.event("counter_stalled", |line| {
                field_u64(line, "counter", u64::from(*counter))
            }),
            Note::TrailingBytes { count } => {
                self.event("trailing_bytes", |line| field_u64(line, "count", *count))
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.lines.flush()
    }

    /// Writes the `end` event with the estimated rate (`null` when unknown) and flushes.
    fn finish(&mut self, estimated_rate_hz: f64) -> io::Result<()> {
        self.event("end", |line| {
            line.extend_from_slice(b",\"estimated_rate_hz\":");
            push_number(
                line,
                if estimated_rate_hz > 0.0 {
                    estimated_rate_hz
                } else {
                    f64::NAN
                },
            );
        })?;
        self.lines.flush()
    }

    fn size(&self) -> u64 {
        self.lines.size()
    }
}

/// `[a,b,...]`.
fn push_array<T>(line: &mut Vec<u8>, items: &[T], mut push: impl FnMut(&mut Vec<u8>, &T)) {
    line.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        push(line, item);
    }
    line.push(b']');
}

/// A number rounded to six decimals, or `null` when not finite (JSON has no NaN).
fn push_number(line: &mut Vec<u8>, v: f64) {
    if !push_decimal(line, v) {
        line.extend_from_slice(b"null");
    }
}

fn push_key(line: &mut Vec<u8>, key: &str) {
    line.push(b',');
    push_string(line, key);
    line.push(b':');
}

fn field_u64(line: &mut Vec<u8>, key: &str, v: u64) {
    push_key(line, key);
    push_u64(line, v);
}

fn field_i64(line: &mut Vec<u8>, key: &str, v: i64) {
    push_key(line, key);
    push_i64(line, v);
}

fn field_string(line: &mut Vec<u8>, key: &str, v: &str) {
    push_key(line, key);
    push_string(line, v);
}

/// A JSON string (RFC 8259 section 7): `"` and `\` escaped, control characters U+0000..U+001F
/// as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`; everything else, non-ASCII included, as UTF-8.
fn push_string(line: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    line.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => line.extend_from_slice(b"\\\""),
            b'\\' => line.extend_from_slice(b"\\\\"),
            b'\n' => line.extend_from_slice(b"\\n"),
            b'\r' => line.extend_from_slice(b"\\r"),
            b'\t' => line.extend_from_slice(b"\\t"),
            0x08 => line.extend_from_slice(b"\\b"),
            0x0c => line.extend_from_slice(b"\\f"),
            0x00..=0x1f => {
                line.extend_from_slice(b"\\u00");
                line.push(HEX[usize::from(b >> 4)]);
                line.push(HEX[usize::from(b & 0xf)]);
            }
            // Bytes of multi-byte UTF-8 sequences are >= 0x80 and pass through whole.
            _ => line.push(b),
        }
    }
    line.push(b'"');
}

#[cfg(test)]
mod tests {
    use libeeg::Protocol;

    use super::super::text::tests::{every_note, record};
    use super::*;

    fn run(events: bool, rate: f64) -> String {
        let mut out = Vec::new();
        let mut sink = JsonSink::new(&mut out, events);
        sink.record(&record(0, 255)).unwrap();
        let mut p3 = record(1, 63);
        p3.protocol = Protocol::P3;
        p3.microvolts = [1.56, -0.26, 0.1 + 0.2, f64::NAN, -1e-9, 1e6];
        sink.record(&p3).unwrap();
        for note in every_note() {
            sink.note(&note).unwrap();
        }
        sink.finish(rate).unwrap();
        let size = sink.size();
        drop(sink);
        assert_eq!(size, out.len() as u64);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn golden_objects() {
        let expected = r#"{"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":255,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}
{"timestamp_us":1700000000003906,"sample_index":1,"version":3,"frame":63,"channels":[512,498,530,1023,0,512],"microvolts":[1.56,-0.26,0.3,null,0,1000000],"switches":15}
{"event":"protocol","protocol":"P3","version":3}
{"event":"device_id","id":"mEEG\"v1\\0\n"}
{"event":"lost","count":3,"first_sample_index":1200,"timestamp_us":1700000004687500}
{"event":"lost","count":1,"first_sample_index":7,"timestamp_us":1700000000027344}
{"event":"sync_lost","at_byte":4096}
{"event":"resync","skipped_bytes":37}
{"event":"device_gone","reason":"read failed:\tgone\u001b[2J","timestamp_us":1700000010000000}
{"event":"device_back","device":"/dev/ttyUSB0","timestamp_us":1700000012000000}
{"event":"switches","sample_index":400,"previous":15,"current":11}
{"event":"restart","sample_index":5120,"timestamp_us":1700000020000000,"previous_counter":57,"counter":0,"evidence":"reset-signal"}
{"event":"restart","sample_index":6000,"timestamp_us":1700000023437500,"previous_counter":12,"counter":200,"evidence":"elapsed-time"}
{"event":"counter_stalled","counter":7}
{"event":"trailing_bytes","count":5}
{"event":"end","estimated_rate_hz":257.142857}
"#;
        assert_eq!(run(true, 257.142_857_142), expected);
    }

    #[test]
    fn no_events_and_unknown_rate() {
        let text = run(false, 256.0);
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains("event"));
        assert!(run(true, f64::NAN).ends_with("{\"event\":\"end\",\"estimated_rate_hz\":null}\n"));
        assert!(run(true, 0.0).ends_with("{\"event\":\"end\",\"estimated_rate_hz\":null}\n"));
    }

    #[test]
    fn string_escapes() {
        let mut line = Vec::new();
        push_string(&mut line, "a\"b\\c/\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f} ü €");
        assert_eq!(
            String::from_utf8(line).unwrap(),
            r#""a\"b\\c/\u0000\u0001\b\f\u001f"#.to_owned() + "\u{7f} ü €\""
        );
    }
}
