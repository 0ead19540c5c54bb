//! Entries into lines.

use std::io::Write as _;

use super::{Entry, Header, MAX_READ, VERSION_LINE, escape};

/// Writes an arrivals file: the header, then one line per entry.
///
/// It appends to a caller's `Vec<u8>`, which cannot fail; the caller decides when the lines
/// reach a file (a recorder writes them only once the capture bytes they describe are there).
/// Whatever it writes, [`Reader`](super::Reader) reads back as the same entries, except that:
/// - times are kept in whole microseconds (cut), and a time earlier than the previous entry's
///   is written as the previous one (the format counts forward);
/// - a read longer than [`MAX_READ`] is written as several reads at the same time;
/// - a text longer than 4 KiB (the source, a reason, a device) is cut.
#[derive(Debug)]
pub struct Writer {
    /// Time of the previous entry, in microseconds since the session's time 0.
    previous_us: u64,
}

impl Writer {
    /// Appends the version line and the lines of `header` to `out`, and returns the writer of
    /// the entries that follow them.
    pub fn start(header: &Header, out: &mut Vec<u8>) -> Self {
        // Writing to a Vec cannot fail.
        let _ = write!(
            out,
            "{VERSION_LINE}\nwall_start_us {}\nsource {}\n",
            header.wall_start_us,
            escape(&header.source)
        );
        Self { previous_us: 0 }
    }

    /// Appends the line of `entry` to `out`.
    pub fn push(&mut self, entry: &Entry, out: &mut Vec<u8>) {
        let at_us = u64::try_from(entry.time().as_micros()).unwrap_or(u64::MAX);
        let at_us = at_us.max(self.previous_us);
        let delta = at_us - self.previous_us;
        self.previous_us = at_us;
        // Writing to a Vec cannot fail.
        let _ = match entry {
            Entry::Read { len, .. } => {
                let mut left = *len;
                let mut delta = delta;
                while left > MAX_READ {
                    let _ = writeln!(out, "{delta} {MAX_READ}");
                    left -= MAX_READ;
                    delta = 0;
                }
                writeln!(out, "{delta} {left}")
            }
            Entry::Quiet { .. } => writeln!(out, "{delta} quiet"),
            Entry::Gone {
                wall_us, reason, ..
            } => writeln!(out, "{delta} gone {wall_us} {}", escape(reason)),
            Entry::Back {
                wall_us, device, ..
            } => writeln!(out, "{delta} back {wall_us} {}", escape(device)),
        };
    }
}
