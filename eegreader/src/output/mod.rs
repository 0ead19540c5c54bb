//! Where records go: standard output in the original or JSON format, and recordings. Each format
//! is one `Sink`; `Outputs` holds them all and applies the flush policy.

use std::io;

use crate::record::{Note, Record};

/// Facts about the session that file headers record.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    /// Where the bytes come from (device path, file, "simulator").
    pub source: String,
    /// Device profile name.
    pub profile: String,
    /// Microvolts per ADC step.
    pub microvolts_per_lsb: f64,
    /// Configured (nominal) sample rate.
    pub nominal_rate_hz: f64,
    /// Session start, microseconds since the Unix epoch.
    pub start_us: i64,
    /// Channel labels (six).
    pub labels: Vec<String>,
}

/// One output format writing to one target.
pub trait Sink {
    /// A short name for messages ("stdout", "CSV file session.csv").
    fn name(&self) -> String;
    /// The bytes exactly as received (only the raw recorder uses them).
    fn bytes(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }
    /// One packet.
    fn record(&mut self, record: &Record) -> io::Result<()>;
    /// One stream event.
    fn note(&mut self, note: &Note) -> io::Result<()>;
    /// The clock model's rate estimate, after every batch; `settled` once it is measured from
    /// arrival times, or from the start for a source without them (its samples are timed at
    /// the nominal rate). Only a sink that declares the rate before its first sample (LSL)
    /// uses it.
    fn rate(&mut self, _rate_hz: f64, _settled: bool) -> io::Result<()> {
        Ok(())
    }
    /// Pushes buffered data to the target (and keeps file headers valid).
    fn flush(&mut self) -> io::Result<()>;
    /// The session ended, with the clock model's estimated rate: finalise and close.
    fn finish(&mut self, estimated_rate_hz: f64) -> io::Result<()>;
    /// Bytes written so far (for the status line).
    fn size(&self) -> u64;
}

mod file;
mod lines;
mod number;
pub mod utc;
mod whole_rows;

pub mod csv;
pub mod edf;
pub mod json;
pub mod line_file;
pub mod lsl;
pub mod raw;
pub mod set;
pub mod text;
pub mod wav;

pub use self::csv::CsvSink;
pub use self::edf::EdfSink;
pub use self::json::JsonSink;
pub use self::line_file::LineFile;
pub use self::lsl::LslSink;
pub use self::raw::RawSink;
pub use self::text::TextSink;
pub use self::wav::WavSink;
