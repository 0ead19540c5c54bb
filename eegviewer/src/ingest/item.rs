//! What ingest produces: samples, stream events (markers) and the batches that carry them to
//! the UI.

use std::fmt;

use libeeg::{CHANNELS, Protocol};

/// One packet: six raw channel codes at one sample time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Sample time, microseconds since the Unix epoch (raw captures: since the start of the
    /// capture, or the start time given).
    pub timestamp_us: i64,
    /// Position in the session, counting lost packets. JSON lines, CSV recordings and raw
    /// captures carry it; the text format does not (`None`).
    pub sample_index: Option<u64>,
    /// The packet counter as sent (0..=255 for P2, 0..=63 for P3).
    pub frame: u8,
    /// Raw 10-bit ADC codes, 0..=1023, mid-scale 512.
    pub values: [u16; CHANNELS],
    /// Switch inputs, bits 3..0, pressed = 0 (15: none pressed).
    pub switches: u8,
}

/// Something that happened in the stream, besides samples.
///
/// Free text (reasons, device names, ids) is kept on one line with control characters escaped
/// the way eegreader's text format writes them (`\n`, `\u{1b}`), whatever the input format, so
/// it is safe to draw and compares equal across formats.
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    /// The input format was recognised (first line of a stream).
    InputFormat(Format),
    /// The protocol became known or changed: from a `protocol` event, or from the version field
    /// of a data line when the events are left out. Repeats of the current protocol are dropped.
    Protocol(Protocol),
    /// A P3 device spelt out its id.
    DeviceId(String),
    /// `count` packets are missing from `first_sample_index` on.
    Lost {
        /// How many packets.
        count: u64,
        /// Sample index of the first missing packet.
        first_sample_index: u64,
        /// Its sample time, microseconds since the Unix epoch.
        at_us: i64,
    },
    /// The byte stream stopped matching the packet framing (a resync follows).
    SyncLost {
        /// Offset in the device's byte stream.
        at_byte: u64,
    },
    /// Packets are framed again after `skipped_bytes` were discarded.
    Resync {
        /// Bytes discarded meanwhile.
        skipped_bytes: u64,
    },
    /// The device went away; an outage starts.
    DeviceGone {
        /// Wall-clock time, microseconds since the Unix epoch.
        at_us: i64,
        /// What happened, for people.
        reason: String,
    },
    /// The device is back; the outage ends.
    DeviceBack {
        /// Wall-clock time, microseconds since the Unix epoch.
        at_us: i64,
        /// Which device.
        device: String,
    },
    /// The switch inputs changed.
    SwitchChange {
        /// Sample index of the first packet with the new value.
        sample_index: u64,
        /// Before (bits 3..0, pressed = 0).
        previous: u8,
        /// Now.
        current: u8,
    },
    /// The device restarted, or its counter jumped where no packet can be missing: no loss, the
    /// next sample follows the last.
    Restart {
        /// Sample index of the first packet after it.
        sample_index: u64,
        /// Its sample time, microseconds since the Unix epoch.
        at_us: i64,
        /// The counter before the jump.
        previous_counter: u8,
        /// The counter after it.
        counter: u8,
        /// What showed it, as eegreader and libeeg name it (`reset-signal`, `elapsed-time`);
        /// kept as text so a newer reader's evidence still shows.
        evidence: String,
    },
    /// The counter repeated instead of advancing (firmware start-up).
    CounterStalled {
        /// The repeated value.
        counter: u8,
    },
    /// Bytes at the end of the device's stream made no packet.
    TrailingBytes {
        /// How many.
        count: u64,
    },
    /// The reader finished its session (its last event line).
    ReaderFinished {
        /// Its estimate of the real sample rate, when it had one.
        estimated_rate_hz: Option<f64>,
    },
    /// Our input ended: nothing follows this marker. Always the last marker of the last batch.
    StreamEnded {
        /// `None` at end of input; the read error otherwise.
        error: Option<String>,
    },
}

/// The line format of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `timestamp_us|version|frame|ch1|..|ch6|switches`, events as `#` lines.
    Text,
    /// One JSON object per line, events with an `"event"` key.
    Json,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Text => "text lines",
            Format::Json => "JSON lines",
        })
    }
}

/// A marker and where it falls among the samples of its batch.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkerAt {
    /// Index in [`Batch::samples`] of the first sample after the marker (`samples.len()` when
    /// no sample of this batch follows it).
    pub before_sample: usize,
    /// The event.
    pub marker: Marker,
}

/// What the ingest thread sends to the UI: samples and markers in stream order, and the line
/// counts since the previous batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Samples in stream order.
    pub samples: Vec<Sample>,
    /// Markers in stream order, each placed among the samples.
    pub markers: Vec<MarkerAt>,
    /// Lines read (of every kind) for this batch.
    pub lines: u64,
    /// Lines that were neither data nor events, skipped.
    pub garbage_lines: u64,
    /// The first garbage line of this batch, shortened and made printable, for a status bar
    /// tooltip ("skipped: ...").
    pub first_garbage: Option<String>,
}

impl Batch {
    /// Whether the batch has nothing to say (no samples, markers or lines).
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty() && self.markers.is_empty() && self.lines == 0
    }

    /// Whether this is the stream's last batch (it holds [`Marker::StreamEnded`]).
    pub fn ends_stream(&self) -> bool {
        self.markers
            .last()
            .is_some_and(|m| matches!(m.marker, Marker::StreamEnded { .. }))
    }
}

/// `text` on one line: control characters written as Rust escapes (`\n`, `\t`, `\u{1b}`), as
/// eegreader writes free text in its `#` lines.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A garbage line made printable and cut to at most `max_chars` characters (with `...`).
pub fn garbage_preview(line: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == max_chars {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_escapes_control_characters_only() {
        assert_eq!(
            one_line("read failed:\tgone\u{1b}[2J"),
            "read failed:\\tgone\\u{1b}[2J"
        );
        assert_eq!(one_line("mEEG\"v1\\0\n"), "mEEG\"v1\\0\\n");
        assert_eq!(one_line("/dev/ttyUSB0 ü"), "/dev/ttyUSB0 ü");
    }

    #[test]
    fn garbage_preview_is_short_and_printable() {
        assert_eq!(garbage_preview(b"abc", 10), "abc");
        assert_eq!(garbage_preview(b"abcdef", 3), "abc...");
        assert_eq!(garbage_preview(b"\xff\x1b[2J", 10), "\u{fffd}\\u{1b}[2J");
    }

    #[test]
    fn the_last_batch_is_recognisable() {
        let mut batch = Batch::default();
        assert!(batch.is_empty());
        assert!(!batch.ends_stream());
        batch.markers.push(MarkerAt {
            before_sample: 0,
            marker: Marker::StreamEnded { error: None },
        });
        assert!(!batch.is_empty());
        assert!(batch.ends_stream());
    }

    #[test]
    fn a_sample_stays_small() {
        // The history ring holds minutes of these.
        assert!(std::mem::size_of::<Sample>() <= 40);
    }
}
