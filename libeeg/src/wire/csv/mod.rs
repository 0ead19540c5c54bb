//! The CSV recording (`eegreader --record-csv`): `#` lines that describe the session, a column
//! row, one row per packet and one per session event, and `#` lines with the totals at the end.
//!
//! ```text
//! # OpenEEG recording by eegreader 0.1.0
//! # source=/dev/ttyUSB0
//! # profile=modular-eeg
//! # start_time=2023-11-14T22:13:20.000000Z
//! # start_us=1700000000000000
//! # nominal_rate_hz=256
//! # scale_uv_per_lsb=0.5
//! # labels=Fp1,Fp2,C3,C4,P3,P4
//! # estimated_rate_hz: on the last line, written when the session ends
//! # column kind: packet, or the stream event the row records: gap, device_gone, ...
//! # ... (one line per column)
//! kind,sample_index,timestamp_us,counter,ch1,ch2,ch3,ch4,ch5,ch6,ch1_uv,ch2_uv,ch3_uv,ch4_uv,ch5_uv,ch6_uv,switches,lost,detail
//! protocol,,,,,,,,,,,,,,,,,,P2
//! packet,0,1700000000000000,17,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
//! gap,1,1700000000003906,,,,,,,,,,,,,,,3,
//! packet,4,1700000000015624,21,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
//! device_gone,,1700000010000000,,,,,,,,,,,,,,,,read failed
//! # packets=2
//! # lost=3
//! # estimated_rate_hz=257.142857
//! ```
//!
//! The header's values are one line each: control characters in them are written as Rust
//! escapes (`\n`), and read back as written. `start_time` is `start_us` in ISO 8601.
//!
//! Rows by `kind` (columns not listed are empty):
//!
//! | kind | filled | meaning |
//! |---|---|---|
//! | `packet` | all but `lost`, `detail` | one packet |
//! | `gap` | `sample_index`, `timestamp_us`, `lost` | `lost` packets are missing from `sample_index` on |
//! | `device_gone` | `timestamp_us`, `detail` (reason) | the device went away (outage starts) |
//! | `device_back` | `timestamp_us`, `detail` (device) | the device is back (outage ends) |
//! | `protocol` | `detail` (`P2`/`P3`) | the decoder recognised the protocol |
//! | `device_id` | `detail` | a P3 device spelt out its id |
//! | `sync_lost` | `detail` (`at_byte=N`) | the stream stopped matching the framing |
//! | `resync` | `detail` (`skipped_bytes=N`) | packets are framed again |
//! | `restart` | `sample_index`, `timestamp_us`, `counter`, `detail` | the device restarted |
//! | `counter_stalled` | `counter` | the counter repeated (firmware start-up) |
//! | `trailing_bytes` | `detail` (`bytes=N`) | bytes at the end of the input made no packet |
//!
//! A `restart` row is no loss: the `packet` row after it has its `sample_index`, `timestamp_us`
//! and `counter` (the one the counter jumped to), and follows the last packet in sample index.
//! Its `detail` is `previous_counter=N evidence=NAME`, the evidence `reset-signal` (the counter
//! jumped to 0 and repeated: a firmware's start-up run) or `elapsed-time` (too little time
//! passed for the packets the jump would skip).
//!
//! Switch changes have no row: the `switches` column shows them. Packet rows carry no protocol:
//! it is the last `protocol` row's. Sample indices count lost packets, so a `gap` row is also
//! visible as a jump in `sample_index`. A field holding `,`, `"`, a line end or `#` is quoted
//! (RFC 4180, quotes doubled), so no reader takes it for a comment; a quoted `detail` may span
//! lines.
//!
//! Reading it elsewhere: pandas `read_csv(path, comment='#')` and the `csv` crate with
//! `comment(Some(b'#'))` skip the comment lines; keep the `packet` rows with
//! `df[df.kind == 'packet']` (the event rows' empty cells make pandas read the numeric columns
//! as floats, which hold every 10-bit code exactly).
//!
//! The estimated rate is only known at the end: the session's
//! [`End`](super::SessionEvent::End) appends the `# packets=`, `# lost=` and, last,
//! `# estimated_rate_hz=` lines (`unknown` when there is no estimate). A recording that was
//! never finished (killed) has no such lines; [`CsvWriter`] hands rows to its target whole, so
//! it ends with a complete row.
//!
//! # Reading
//!
//! [`CsvParser`] reads one line at a time. The `#` lines before the column row make the
//! [`SessionInfo`](super::SessionInfo) ([`CsvParser::session`]); the column descriptions the
//! writer puts there are skipped, and any other `#` line is
//! [`Item::Unknown`](super::Item::Unknown). Columns are found by name. A `packet` row is a
//! [`Record`](super::Record) (the `_uv` columns are not read: the codes are the data) and, when
//! its switches differ from the previous packet's (from 15, none pressed, as the decoder
//! starts), it is preceded by the [`Switches`](super::SessionEvent::Switches) event the writer
//! left out. Event rows are their events; a row of an unknown kind is
//! [`Item::Unknown`](super::Item::Unknown). The final `# packets=` and `# lost=` are checked
//! against the rows ([`ParseError::Mismatch`](super::ParseError::Mismatch)), and
//! `# estimated_rate_hz=` is the [`End`](super::SessionEvent::End).
//!
//! ```
//! use libeeg::Protocol;
//! use libeeg::wire::{CsvParser, CsvWriter, Item, Record, SessionEvent, SessionInfo};
//!
//! let session = SessionInfo {
//!     software: "eegreader 0.1.0".to_owned(),
//!     source: "/dev/ttyUSB0".to_owned(),
//!     profile: "modular-eeg".to_owned(),
//!     microvolts_per_lsb: 0.5,
//!     nominal_rate_hz: 256.0,
//!     start_us: 1_700_000_000_000_000,
//!     labels: ["Fp1", "Fp2", "C3", "C4", "P3", "P4"].map(String::from).to_vec(),
//! };
//! let record = Record {
//!     timestamp_us: 1_700_000_000_000_000,
//!     sample_index: 0,
//!     protocol: Protocol::P2,
//!     counter: 17,
//!     samples: [512, 498, 530, 1023, 0, 512],
//!     switches: 15,
//! };
//! let mut writer = CsvWriter::new(Vec::new(), &session);
//! writer.record(&record)?;
//! writer.event(&SessionEvent::DeviceGone { reason: "read failed, #5".to_owned(), timestamp_us: 1_700_000_010_000_000 })?;
//! writer.event(&SessionEvent::end(257.142857))?;
//! let file = writer.into_inner()?;
//! let text = String::from_utf8_lossy(&file);
//! assert!(text.contains("\npacket,0,1700000000000000,17,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,\n"));
//! assert!(text.contains("\ndevice_gone,,1700000010000000,,,,,,,,,,,,,,,,\"read failed, #5\"\n"));
//! assert!(text.ends_with("\n# packets=1\n# lost=0\n# estimated_rate_hz=257.142857\n"));
//!
//! let mut parser = CsvParser::new();
//! let mut items = Vec::new();
//! for line in file.split_inclusive(|&b| b == b'\n') {
//!     items.extend(parser.parse_line(line)?);
//! }
//! parser.finish()?;
//! assert_eq!(parser.session(), Some(&session));
//! assert_eq!(items[0], Item::Record(record));
//! assert_eq!(items[2], Item::Event(SessionEvent::end(257.142857)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod comments;
mod event_row;
mod field;
mod parse;
mod row;
mod write;

pub use self::parse::CsvParser;
pub use self::write::CsvWriter;

#[cfg(test)]
pub(crate) mod tests;

/// The column row.
const COLUMNS: [&str; 19] = [
    "kind",
    "sample_index",
    "timestamp_us",
    "counter",
    "ch1",
    "ch2",
    "ch3",
    "ch4",
    "ch5",
    "ch6",
    "ch1_uv",
    "ch2_uv",
    "ch3_uv",
    "ch4_uv",
    "ch5_uv",
    "ch6_uv",
    "switches",
    "lost",
    "detail",
];

/// Column positions.
const KIND: usize = 0;
const SAMPLE_INDEX: usize = 1;
const TIMESTAMP: usize = 2;
const COUNTER: usize = 3;
const CH1: usize = 4;
const CH1_UV: usize = CH1 + crate::CHANNELS;
const SWITCHES: usize = CH1_UV + crate::CHANNELS;
const LOST: usize = SWITCHES + 1;
const DETAIL: usize = LOST + 1;

/// What a recording's final lines count, and what its rows hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// `packet` rows.
    pub packets: u64,
    /// Packets missing, the sum of the `gap` rows' `lost`.
    pub lost: u64,
}
