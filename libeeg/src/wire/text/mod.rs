//! The text format: the original C eegreader's line per packet, unchanged so existing scripts
//! keep working, and a machine-readable `#` line per session event.
//!
//! One line per packet, ten `|`-separated fields:
//!
//! ```text
//! timestamp_us|version|frame|ch1|ch2|ch3|ch4|ch5|ch6|switches
//! 1700000000000000|2|17|512|498|530|1023|0|512|15
//! ```
//!
//! - `timestamp_us`: sample time, microseconds since the Unix epoch (from the clock model);
//! - `version`: 2 or 3 (the P2 or P3 protocol);
//! - `frame`: the packet counter as sent (0..=255 for P2, 0..=63 for P3);
//! - `ch1`..`ch6`: raw 10-bit ADC codes, 0..=1023, mid-scale 512;
//! - `switches`: the switch byte in decimal, bits 3..0 = inputs PD5..PD2, pressed = 0, so `15`
//!   when no switch is pressed.
//!
//! Session events are lines starting with `#`, which parsers of the data lines skip: `# ` then
//! the event's name and its `key=value` fields, with the names, keys and order of the JSON
//! objects ([`SessionEvent`](super::SessionEvent) lists them all):
//!
//! ```text
//! # protocol protocol=P2 version=2
//! # device_id id=mEEGv1.0
//! # lost count=3 first_sample_index=1200 timestamp_us=1700000004687500
//! # sync_lost at_byte=4096
//! # resync skipped_bytes=37
//! # device_gone reason="read failed: No such device" timestamp_us=1700000010000000
//! # device_back device=/dev/ttyUSB0 timestamp_us=1700000012000000
//! # switches sample_index=400 previous=15 current=11
//! # restart sample_index=5120 timestamp_us=1700000020000000 previous_counter=57 counter=0 evidence=reset-signal
//! # counter_stalled counter=7
//! # trailing_bytes count=5
//! # end estimated_rate_hz=257.142857
//! ```
//!
//! Values: numbers in decimal (`null` for an unknown rate); text bare when it is printable
//! ASCII without spaces, `"` or `\`, otherwise a JSON string literal (`"read failed: No such
//! device"`, `"a\nb"`), so every event is exactly one line and reads back exactly. The grammar
//! is the LSL marker text's ([`marker`](super::marker)).
//!
//! A `restart` is no loss: the next data line is the first packet after it, at
//! `sample_index`, and its counter is `counter`; `evidence` says what showed it
//! (`reset-signal` or `elapsed-time`, [`RestartEvidence::name`](crate::RestartEvidence::name)).
//!
//! # Reading
//!
//! [`TextParser`] reads one line at a time. A data line must have exactly ten fields, each a
//! decimal integer in range (version 2 or 3, frame below the protocol's counter cycle, codes
//! 0..=1023, switches 0..=15); anything else is an error. Data lines carry no sample index: the
//! parser counts them from 0, and moves the count where an event says where the next packet is
//! (`lost`: `first_sample_index + count`; `restart`, `switches`: their `sample_index`), so with
//! the events the indices are the writer's; without them (`eegreader --no-events`) they are
//! the packets' order and gaps do not show.
//!
//! A `#` line is an event when it is `# ` then event words; other `#` lines are comments to
//! every other reader of the format, so they are [`Item::Unknown`](super::Item::Unknown), as
//! are events of a name this version does not know. A `#` line that starts as event words
//! (`# lost count=...`) and then breaks them is an error.
//!
//! ```
//! use libeeg::Protocol;
//! use libeeg::wire::{Item, Record, SessionEvent, TextParser, TextWriter};
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
//! let mut writer = TextWriter::new(&mut out);
//! writer.event(&SessionEvent::Protocol { protocol: Protocol::P2 })?;
//! writer.record(&record)?;
//! writer.event(&SessionEvent::end(257.142857))?;
//! writer.flush()?;
//! drop(writer);
//! let lines = [
//!     "# protocol protocol=P2 version=2",
//!     "1700000000000000|2|17|512|498|530|1023|0|512|15",
//!     "# end estimated_rate_hz=257.142857",
//! ];
//! assert_eq!(String::from_utf8_lossy(&out), lines.join("\n") + "\n");
//!
//! let mut parser = TextParser::new();
//! let mut items = Vec::new();
//! for line in out.split_inclusive(|&b| b == b'\n') {
//!     items.extend(parser.parse_line(line)?);
//! }
//! assert_eq!(items[1], Item::Record(record));
//! assert_eq!(items[2], Item::Event(SessionEvent::end(257.142857)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod parse;
mod write;

pub use self::parse::TextParser;
pub use self::write::TextWriter;

#[cfg(test)]
pub(crate) mod tests;
