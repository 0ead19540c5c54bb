//! JSON lines: one JSON object per line, packets and session events alike.
//!
//! A packet:
//!
//! ```text
//! {"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":17,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}
//! ```
//!
//! `channels` are the raw 10-bit codes, `microvolts` the same through the device's scale
//! (`(code - 512) * scale`, rounded to 1e-6 uV; `null` if not a number), `frame` the packet
//! counter as sent, `switches` the switch byte (15 = none pressed). The original C reader's key
//! `"timestamp:"` is `"timestamp_us"`.
//!
//! Session events are objects with an `"event"` key, then the event's fields in the order
//! [`SessionEvent`](super::SessionEvent) lists them:
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
//! it (`reset-signal` or `elapsed-time`). The end's rate is `null` when unknown.
//!
//! The objects are flat and their keys fixed, so they are written by hand; strings are escaped
//! per RFC 8259 (quote, backslash, and every control character).
//!
//! # Reading
//!
//! [`JsonParser`] reads one line at a time. A line exactly as [`JsonWriter`] writes a packet
//! takes a fast path that reads it in place; any other line is parsed by serde_json, so any
//! valid JSON object with the known keys in any order, with spaces or unknown keys (ignored),
//! reads the same. An object with an `"event"` is that event; an event name this version does
//! not know (or a protocol or restart evidence it does not know) is
//! [`Item::Unknown`](super::Item::Unknown) with the line. Any other object is a packet and
//! needs `timestamp_us`, `version`, `frame`, `channels` (six codes) and `switches` in range;
//! `microvolts` is not read (the codes are the data). A packet without `sample_index` (from
//! another producer) gets one as in the text format. Numbers that must be integers must be
//! written as integers (`512`, not `512.0`).
//!
//! ```
//! use libeeg::Protocol;
//! use libeeg::wire::{Item, JsonParser, JsonWriter, Record, SessionEvent};
//!
//! let record = Record {
//!     timestamp_us: 1_700_000_000_000_000,
//!     sample_index: 0,
//!     protocol: Protocol::P2,
//!     counter: 17,
//!     samples: [512, 498, 530, 1023, 0, 512],
//!     switches: 15,
//! };
//! let mut out = Vec::new();
//! let mut writer = JsonWriter::new(&mut out, 0.5);
//! writer.record(&record)?;
//! writer.event(&SessionEvent::Resync { skipped_bytes: 37 })?;
//! writer.flush()?;
//! drop(writer);
//! assert_eq!(
//!     String::from_utf8_lossy(&out),
//!     "{\"timestamp_us\":1700000000000000,\"sample_index\":0,\"version\":2,\"frame\":17,\
//!      \"channels\":[512,498,530,1023,0,512],\"microvolts\":[0,-7,9,255.5,-256,0],\"switches\":15}\n\
//!      {\"event\":\"resync\",\"skipped_bytes\":37}\n"
//! );
//!
//! let mut parser = JsonParser::new();
//! let other_order = br#"{"event": "resync", "note": "from elsewhere", "skipped_bytes": 37}"#;
//! assert_eq!(
//!     parser.parse_line(other_order)?.next(),
//!     Some(Item::Event(SessionEvent::Resync { skipped_bytes: 37 }))
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod exact;
mod parse;
mod write;

pub use self::parse::JsonParser;
pub use self::write::JsonWriter;

#[cfg(test)]
pub(crate) mod tests;
