//! The original eegreader line format, unchanged so existing scripts keep working.
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
//! Stream events are lines starting with `#`, which parsers of the data lines skip, and which
//! the `events` flag of [`TextSink::new`] (`--no-events`) removes:
//!
//! ```text
//! # protocol P2
//! # lost 3 packets at sample 1200 (timestamp_us=1700000004687500)
//! # switches 15 -> 11 at sample 400
//! # restart at sample 5120: counter 57 -> 0, reset-signal (timestamp_us=1700000020000000)
//! # device gone: read failed: No such device (timestamp_us=1700000010000000)
//! # end: estimated rate 257.142857 Hz
//! ```
//!
//! A restart (the device restarted, or its counter jumped where no packets can be missing) is
//! no loss: the next data line is the first packet after it, and its counter is the one after
//! the arrow. The last word before the time says what showed it: `reset-signal` or
//! `elapsed-time` ([`libeeg::RestartEvidence::name`]).
//!
//! Free text in events (device ids, reasons, device names) has its control characters escaped
//! (`\n`, `\u{1b}`), so an event is always exactly one line.

use std::io::{self, Write};

use super::Sink;
use super::lines::{LineBuffer, one_line};
use super::number::{push_decimal, push_i64, push_u64};
use crate::record::{Note, Record};

/// Writes the original `timestamp_us|version|frame|ch1..ch6|switches` lines to any writer.
///
/// Lines are collected and written in 64 KiB blocks or on [`Sink::flush`]: the caller flushes
/// after every batch for a live source. Write errors are returned as they come from the writer,
/// so a closed pipe is still `io::ErrorKind::BrokenPipe`.
#[derive(Debug)]
pub struct TextSink<W: Write> {
    lines: LineBuffer<W>,
    events: bool,
}

impl<W: Write> TextSink<W> {
    /// Writes to `out` (standard output in practice); `events: false` (`--no-events`) leaves
    /// out the `#` lines.
    pub fn new(out: W, events: bool) -> Self {
        Self {
            lines: LineBuffer::new(out),
            events,
        }
    }

    /// Appends one `#` line.
    fn event(&mut self, write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<()> {
        if !self.events {
            return Ok(());
        }
        let line = self.lines.line();
        line.extend_from_slice(b"# ");
        write(line)?;
        self.lines.end_line()
    }
}

impl<W: Write> Sink for TextSink<W> {
    fn name(&self) -> String {
        "standard output".to_owned()
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        let line = self.lines.line();
        push_i64(line, record.timestamp_us);
        line.push(b'|');
        push_u64(line, u64::from(record.protocol.version()));
        line.push(b'|');
        push_u64(line, u64::from(record.counter));
        for &code in &record.samples {
            line.push(b'|');
            push_u64(line, u64::from(code));
        }
        line.push(b'|');
        push_u64(line, u64::from(record.switches));
        self.lines.end_line()
    }

    fn note(&mut self, note: &Note) -> io::Result<()> {
        self.event(|line| match note {
            Note::Lost {
                count,
                first_sample_index,
                timestamp_us,
            } => write!(
                line,
                "lost {count} {} at sample {first_sample_index} (timestamp_us={timestamp_us})",
                if *count == 1 { "packet" } else { "packets" }
            ),
            Note::SyncLost { at_byte } => write!(line, "sync lost at byte {at_byte}"),
            Note::Resync { skipped_bytes } => write!(
                line,
                "resync after {skipped_bytes} skipped {}",
                if *skipped_bytes == 1 { "byte" } else { "bytes" }
            ),
            Note::Protocol(protocol) => write!(line, "protocol {protocol}"),
            Note::DeviceId(id) => write!(line, "device id {}", one_line(id)),
            Note::DeviceGone {
                reason,
                timestamp_us,
            } => {
                write!(
                    line,
                    "device gone: {} (timestamp_us={timestamp_us})",
                    one_line(reason)
                )
            }
            Note::DeviceBack {
                device,
                timestamp_us,
            } => {
                write!(
                    line,
                    "device back: {} (timestamp_us={timestamp_us})",
                    one_line(device)
                )
            }
            Note::Switches {
                sample_index,
                previous,
                current,
            } => {
                write!(
                    line,
                    "switches {previous} -> {current} at sample {sample_index}"
                )
            }
            Note::Restart {
                sample_index,
                timestamp_us,
                previous_counter,
                counter,
                evidence,
            } => write!(
                line,
                "restart at sample {sample_index}: counter {previous_counter} -> {counter}, {} (timestamp_us={timestamp_us})",
                evidence.name()
            ),
            Note::CounterStalled { counter } => write!(line, "counter stalled at {counter}"),
            Note::TrailingBytes { count } => {
                write!(
                    line,
                    "{count} {} at the end made no packet",
                    if *count == 1 { "byte" } else { "bytes" }
                )
            }
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.lines.flush()
    }

    /// Writes `# end: estimated rate ... Hz` (an event line) and flushes.
    fn finish(&mut self, estimated_rate_hz: f64) -> io::Result<()> {
        self.event(|line| {
            line.extend_from_slice(b"end: estimated rate ");
            // `push_decimal` appends nothing for a value that is not finite.
            if estimated_rate_hz > 0.0 && push_decimal(line, estimated_rate_hz) {
                line.extend_from_slice(b" Hz");
            } else {
                line.extend_from_slice(b"unknown");
            }
            Ok(())
        })?;
        self.lines.flush()
    }

    fn size(&self) -> u64 {
        self.lines.size()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use libeeg::Protocol;

    use super::*;

    /// A P2 packet with recognisable values.
    pub fn record(sample_index: u64, counter: u8) -> Record {
        let samples = [512, 498, 530, 1023, 0, 512];
        Record {
            timestamp_us: 1_700_000_000_000_000 + sample_index as i64 * 3906,
            sample_index,
            protocol: Protocol::P2,
            counter,
            samples,
            microvolts: samples.map(|c| (f64::from(c) - 512.0) * 0.5),
            switches: 15,
        }
    }

    /// One of every event.
    pub fn every_note() -> Vec<Note> {
        vec![
            Note::Protocol(Protocol::P3),
            Note::DeviceId("mEEG\"v1\\0\n".to_owned()),
            Note::Lost {
                count: 3,
                first_sample_index: 1200,
                timestamp_us: 1_700_000_004_687_500,
            },
            Note::Lost {
                count: 1,
                first_sample_index: 7,
                timestamp_us: 1_700_000_000_027_344,
            },
            Note::SyncLost { at_byte: 4096 },
            Note::Resync { skipped_bytes: 37 },
            Note::DeviceGone {
                reason: "read failed:\tgone\u{1b}[2J".to_owned(),
                timestamp_us: 1_700_000_010_000_000,
            },
            Note::DeviceBack {
                device: "/dev/ttyUSB0".to_owned(),
                timestamp_us: 1_700_000_012_000_000,
            },
            Note::Switches {
                sample_index: 400,
                previous: 15,
                current: 11,
            },
            Note::Restart {
                sample_index: 5120,
                timestamp_us: 1_700_000_020_000_000,
                previous_counter: 57,
                counter: 0,
                evidence: libeeg::RestartEvidence::ResetSignal,
            },
            Note::Restart {
                sample_index: 6000,
                timestamp_us: 1_700_000_023_437_500,
                previous_counter: 12,
                counter: 200,
                evidence: libeeg::RestartEvidence::ElapsedTime,
            },
            Note::CounterStalled { counter: 7 },
            Note::TrailingBytes { count: 5 },
        ]
    }

    fn run(events: bool, rate: f64) -> String {
        let mut out = Vec::new();
        let mut sink = TextSink::new(&mut out, events);
        sink.record(&record(0, 255)).unwrap();
        let mut p3 = record(1, 63);
        p3.protocol = Protocol::P3;
        p3.switches = 11;
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
    fn golden_lines_and_events() {
        let expected = "\
1700000000000000|2|255|512|498|530|1023|0|512|15
1700000000003906|3|63|512|498|530|1023|0|512|11
# protocol P3
# device id mEEG\"v1\\0\\n
# lost 3 packets at sample 1200 (timestamp_us=1700000004687500)
# lost 1 packet at sample 7 (timestamp_us=1700000000027344)
# sync lost at byte 4096
# resync after 37 skipped bytes
# device gone: read failed:\\tgone\\u{1b}[2J (timestamp_us=1700000010000000)
# device back: /dev/ttyUSB0 (timestamp_us=1700000012000000)
# switches 15 -> 11 at sample 400
# restart at sample 5120: counter 57 -> 0, reset-signal (timestamp_us=1700000020000000)
# restart at sample 6000: counter 12 -> 200, elapsed-time (timestamp_us=1700000023437500)
# counter stalled at 7
# 5 bytes at the end made no packet
# end: estimated rate 257.142857 Hz
";
        assert_eq!(run(true, 257.142_857_142), expected);
    }

    #[test]
    fn no_events_leaves_only_data_lines() {
        let text = run(false, 256.0);
        assert_eq!(
            text,
            "1700000000000000|2|255|512|498|530|1023|0|512|15\n1700000000003906|3|63|512|498|530|1023|0|512|11\n"
        );
        for line in text.lines() {
            assert_eq!(line.split('|').count(), 10);
        }
    }

    #[test]
    fn unknown_rate() {
        assert!(run(true, f64::NAN).ends_with("# end: estimated rate unknown\n"));
        assert!(run(true, 0.0).ends_with("# end: estimated rate unknown\n"));
    }

    #[test]
    fn negative_timestamps_and_single_bytes() {
        let mut out = Vec::new();
        let mut sink = TextSink::new(&mut out, true);
        let mut r = record(0, 0);
        r.timestamp_us = -5;
        sink.record(&r).unwrap();
        sink.note(&Note::Resync { skipped_bytes: 1 }).unwrap();
        sink.note(&Note::TrailingBytes { count: 1 }).unwrap();
        sink.flush().unwrap();
        drop(sink);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "-5|2|0|512|498|530|1023|0|512|15\n# resync after 1 skipped byte\n# 1 byte at the end made no packet\n"
        );
    }

    #[test]
    fn nothing_reaches_the_writer_before_flush() {
        let mut out = Vec::new();
        let mut sink = TextSink::new(&mut out, true);
        sink.record(&record(0, 0)).unwrap();
        assert_eq!(sink.size(), 47);
        drop(sink);
        assert!(out.is_empty());
    }

    #[test]
    fn a_closed_pipe_stays_a_broken_pipe() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut sink = TextSink::new(Closed, true);
        sink.record(&record(0, 0)).unwrap();
        assert_eq!(sink.flush().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}
