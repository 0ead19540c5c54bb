//! The wire formats: what eegreader writes and any consumer (eegviewer first) reads, defined
//! once, each with its writer and its parser, so the two sides of a pipe cannot drift apart.
//!
//! What crosses the wire:
//!
//! - [`Record`]: one packet with its sample time (the decoder's [`Packet`](crate::Packet)
//!   placed in the session);
//! - [`SessionEvent`]: what a session reports besides packets (lost packets, resyncs, the
//!   device going away, restarts, the end with the measured rate), one vocabulary with one
//!   name and one list of keys in every format. It is not the decoder's
//!   [`Event`](crate::Event): that is what the decoder learned from the bytes, this is what a
//!   session tells its consumers.
//! - [`SessionInfo`]: what a recording's header says about the session.
//!
//! The formats:
//!
//! | format | writer | parser | module |
//! |---|---|---|---|
//! | text: `timestamp_us\|version\|frame\|ch1..ch6\|switches`, events as `# name key=value ...` | [`TextWriter`] | [`TextParser`] | [`text`] |
//! | JSON lines: one object per packet or event | [`JsonWriter`] | [`JsonParser`] | [`json`] |
//! | CSV recording: `#` header, rows of packets and events, `#` totals | [`CsvWriter`] | [`CsvParser`] | [`csv`] |
//! | LSL markers: an event's words, `name key=value ...` | `event.to_string()` | [`parse_marker`] | [`marker`] |
//! | EDF+ annotations: texts for people | [`annotation::annotations`] | | [`annotation`] |
//!
//! Every parser takes one line at a time (with or without its line end) and returns
//! [`LineItems`]: [`Item::Record`], [`Item::Event`], or [`Item::Unknown`] for a line the format
//! allows but this version does not know (a `#` comment, an event name added later), which the
//! consumer counts and shows rather than losing it. A line that breaks its format is a
//! [`ParseError`] saying why. No input makes a parser panic or hold more than [`MAX_LINE`]
//! bytes. [`Format::detect`] tells the format from a stream's first line.
//!
//! ```
//! use libeeg::Protocol;
//! use libeeg::wire::{Format, Item, Record, SessionEvent, TextWriter};
//!
//! let mut out = Vec::new();
//! let mut writer = TextWriter::new(&mut out);
//! writer.event(&SessionEvent::DeviceGone {
//!     reason: "read failed: No such device".to_owned(),
//!     timestamp_us: 1_700_000_010_000_000,
//! })?;
//! writer.flush()?;
//! drop(writer);
//! assert_eq!(
//!     String::from_utf8_lossy(&out),
//!     "# device_gone reason=\"read failed: No such device\" timestamp_us=1700000010000000\n"
//! );
//!
//! let mut parser = Format::detect(&out).expect("a text line").parser();
//! let item = parser.parse_line(&out)?.next();
//! assert!(matches!(item, Some(Item::Event(SessionEvent::DeviceGone { .. }))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod annotation;
pub mod csv;
mod error;
mod event;
mod field;
mod format;
mod item;
pub mod json;
mod json_string;
mod line;
mod line_buffer;
pub mod marker;
pub mod number;
mod record;
mod sample_index;
mod session;
pub mod text;
pub mod utc;
mod words;

pub use self::csv::{CsvParser, CsvWriter, Totals};
pub use self::error::ParseError;
pub use self::event::SessionEvent;
pub use self::format::{Format, Parser};
pub use self::item::{Item, LineItems};
pub use self::json::{JsonParser, JsonWriter};
pub use self::line::MAX_LINE;
pub use self::marker::parse_marker;
pub use self::record::Record;
pub use self::session::SessionInfo;
pub use self::text::{TextParser, TextWriter};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod throughput;
