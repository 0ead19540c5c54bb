//! The arrivals file: when each chunk of a raw capture arrived, so that replaying the capture is
//! the live session again.
//!
//! A raw capture (`s.bin`, as `eegreader --record-raw` writes it) holds the bytes exactly as
//! received, for any tool. Its arrivals file (`s.bin.arrivals`, [`path_of`]) holds, in order,
//! every read with its byte count and arrival time, the read timeouts between them and the
//! device going and coming back. A replay that feeds the capture's bytes to the decoder and the
//! clock model in the recorded chunks at the recorded times (`Decoder::push_at`) gets the same
//! packets, timestamps, events and losses as live.
//!
//! This module is the format: its [`Header`] and [`Entry`], a [`Writer`] that turns them into
//! lines and a [`Reader`] that parses them back, with its own [`Error`]. Opening files and what
//! to do about a damaged one is the caller's business.
//!
//! # Format
//!
//! Text, one `\n`-terminated line per entry:
//!
//! ```text
//! eegreader arrivals 1
//! wall_start_us 1714557600000000
//! source /dev/ttyUSB0 at 57600 baud
//! 52114 17
//! 3906 34
//! 100104 quiet
//! 12 gone 1714557600256392 /dev/ttyUSB0 disconnected (hang-up)
//! 412005 back 1714557600668420 /dev/ttyUSB0
//! ```
//!
//! - The first line names the format and its version ([`VERSION_LINE`]).
//! - Then header lines, `KEY VALUE`: `wall_start_us` (required), the wall-clock time of the
//!   session's time 0 in microseconds since the Unix epoch; `source`, where the bytes came from.
//!   Readers ignore keys they do not know.
//! - Every other line starts with its time: microseconds since the previous entry's (the first
//!   entry's: since time 0). Then:
//!   - `BYTES`: a read of the capture's next BYTES bytes, which arrived then. The reads add up
//!     to the capture, in order.
//!   - `quiet`: a read timeout: nothing arrived until then.
//!   - `gone WALL_US REASON` or `back WALL_US DEVICE`: the device went away or came back, with
//!     the wall clock then (microseconds since the Unix epoch) and the reader's words for it, in
//!     which a backslash is written `\\`, a line feed `\n` and a carriage return `\r`.
//!
//! A line is about 8 bytes per read: at 256 reads a second (an FTDI adapter at 1 ms latency),
//! 7 MB an hour beside the capture's 16 MB.
//!
//! A recorder writes lines only after the capture bytes they describe reached their file, so
//! after a crash the arrivals file may end early, in a torn line that readers leave out (and
//! say so: [`Reader::is_torn`]), but never runs ahead of its capture; the capture's bytes beyond
//! the last recorded read have no times.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//!
//! use libeeg::arrivals::{Entry, Header, Reader, Writer};
//!
//! let us = Duration::from_micros;
//! let entries = [
//!     Entry::Read { len: 17, at: us(52_114) },
//!     Entry::Quiet { at: us(152_218) },
//!     Entry::Gone {
//!         at: us(152_230),
//!         wall_us: 1_714_557_600_152_230,
//!         reason: "/dev/ttyUSB0 disconnected (hang-up)".into(),
//!     },
//! ];
//! let mut file = Vec::new();
//! let header = Header::new(1_714_557_600_000_000, "/dev/ttyUSB0 at 57600 baud");
//! let mut writer = Writer::start(&header, &mut file);
//! for entry in &entries {
//!     writer.push(entry, &mut file);
//! }
//! assert_eq!(
//!     String::from_utf8_lossy(&file),
//!     "eegreader arrivals 1\nwall_start_us 1714557600000000\nsource /dev/ttyUSB0 at 57600 baud\n\
//!      52114 17\n100104 quiet\n12 gone 1714557600152230 /dev/ttyUSB0 disconnected (hang-up)\n",
//! );
//!
//! // Any `BufRead`: a slice here, a `BufReader<File>` for a file.
//! let mut reader = Reader::new(&file[..])?;
//! assert_eq!(reader.header(), &header);
//! let read = reader.by_ref().collect::<Result<Vec<Entry>, _>>()?;
//! assert_eq!(read, entries);
//! assert!(!reader.is_torn());
//! # Ok::<(), libeeg::arrivals::Error>(())
//! ```

mod reader;
mod writer;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use reader::{Error, Reader};
pub use writer::Writer;

/// The format's first line: its name and version.
pub const VERSION_LINE: &str = "eegreader arrivals 1";

/// The most bytes one read holds. A serial read returns a few KiB and eegreader's replay reads
/// 256 KiB: a larger count is damage to the reader, and the writer splits a larger read.
pub const MAX_READ: usize = 16 << 20;

/// The arrivals file of the capture at `capture`: its name with `.arrivals` appended
/// (`s.bin` has `s.bin.arrivals`).
pub fn path_of(capture: &Path) -> PathBuf {
    let mut name = capture.as_os_str().to_owned();
    name.push(".arrivals");
    PathBuf::from(name)
}

/// The header: what every entry's time is relative to.
///
/// Future versions may add keys (readers ignore those they do not know), so it is built with
/// [`Header::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// Wall-clock time of the session's time 0, microseconds since the Unix epoch.
    pub wall_start_us: i64,
    /// Where the bytes came from, for people (empty when the file does not say).
    pub source: String,
}

impl Header {
    /// A header for a session whose time 0 was at `wall_start_us` (microseconds since the Unix
    /// epoch), with bytes from `source`.
    pub fn new(wall_start_us: i64, source: impl Into<String>) -> Self {
        Self {
            wall_start_us,
            source: source.into(),
        }
    }
}

/// One line after the header: something that happened at a time since the session's time 0.
///
/// A new kind of entry would be a new version of the format, so this enum is exhaustive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The capture's next `len` bytes arrived at `at`.
    Read {
        /// How many bytes: at most [`MAX_READ`].
        len: usize,
        /// When.
        at: Duration,
    },
    /// A read timeout: nothing arrived until `at`.
    Quiet {
        /// When.
        at: Duration,
    },
    /// The device went away.
    Gone {
        /// When.
        at: Duration,
        /// When on the wall clock, microseconds since the Unix epoch.
        wall_us: i64,
        /// What the recorder said about it, for people.
        reason: String,
    },
    /// The device came back.
    Back {
        /// When.
        at: Duration,
        /// When on the wall clock, microseconds since the Unix epoch.
        wall_us: i64,
        /// Which device (path or USB serial number), for people.
        device: String,
    },
}

impl Entry {
    /// When it happened, since the session's time 0.
    pub fn time(&self) -> Duration {
        match self {
            Self::Read { at, .. }
            | Self::Quiet { at }
            | Self::Gone { at, .. }
            | Self::Back { at, .. } => *at,
        }
    }
}

/// The longest text the writer keeps in a line (a reason, a device, the source), in bytes: it
/// cuts a longer one, so that every line it writes is shorter than the reader's limit.
const MAX_TEXT: usize = 4096;

/// The longest line the reader accepts, in bytes: a text of [`MAX_TEXT`] bytes, every one
/// escaped, and room for the rest of the line. Longer is damage, so memory stays bounded on any
/// input.
const MAX_LINE: usize = 2 * MAX_TEXT + 128;

/// `text` for one line: cut to [`MAX_TEXT`] bytes (at a character boundary), and `\` written
/// as `\\`, line feed as `\n`, carriage return as `\r`.
fn escape(text: &str) -> Cow<'_, str> {
    let cut = text.floor_char_boundary(MAX_TEXT);
    let text = &text[..cut];
    if !text.contains(['\\', '\n', '\r']) {
        return text.into();
    }
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .into()
}

/// The inverse of [`escape`]; `None` for an escape it never writes.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => match chars.next()? {
                '\\' => '\\',
                'n' => '\n',
                'r' => '\r',
                _ => return None,
            },
            c => c,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests;
