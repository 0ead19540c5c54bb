//! eegreader's text format, one line at a time: data lines
//! `timestamp_us|version|frame|ch1|..|ch6|switches` and the `#` event lines (see
//! `eegreader/src/output/text.rs` for the writer).
//!
//! A data line must have exactly ten fields, each a decimal integer in the range the reader
//! writes (version 2 or 3, frame below the protocol's counter cycle, codes 0..=1023, switches
//! 0..=15); anything else is garbage. A `#` line is an event when it is one of the texts the
//! reader writes, and is ignored otherwise: `#` lines are comments to every other parser of
//! this format, so an unknown one is not an error.

use libeeg::{CHANNELS, Protocol};

use super::field;
use super::item::{Marker, Sample};
use super::line::Line;

/// Parses one line (without its line ending).
pub fn parse(line: &[u8]) -> Line {
    match line.first() {
        None => Line::Ignored,
        Some(b'#') => match std::str::from_utf8(&line[1..]) {
            Ok(text) => event(text.trim_start_matches(' ')).map_or(Line::Ignored, Line::Marker),
            Err(_) => Line::Garbage,
        },
        Some(_) => data(line).map_or(Line::Garbage, |(sample, protocol)| {
            Line::Sample(sample, protocol)
        }),
    }
}

/// `timestamp_us|version|frame|ch1|ch2|ch3|ch4|ch5|ch6|switches`.
#[inline]
fn data(line: &[u8]) -> Option<(Sample, Protocol)> {
    const FIELDS: usize = 4 + CHANNELS;
    let mut fields: [&[u8]; FIELDS] = [&[]; FIELDS];
    let mut n = 0;
    for f in line.split(|&b| b == b'|') {
        *fields.get_mut(n)? = f;
        n += 1;
    }
    if n != FIELDS {
        return None;
    }
    let protocol = field::version(fields[1])?;
    let mut values = [0u16; CHANNELS];
    for (value, f) in values.iter_mut().zip(&fields[3..3 + CHANNELS]) {
        *value = field::code(f)?;
    }
    let sample = Sample {
        timestamp_us: field::signed(fields[0])?,
        sample_index: None,
        frame: field::frame(fields[2], protocol)?,
        values,
        switches: field::switches(fields[FIELDS - 1])?,
    };
    Some((sample, protocol))
}

/// The event a `#` line reports, without its `# `; `None` when it is not one the reader writes.
fn event(text: &str) -> Option<Marker> {
    if let Some(rest) = text.strip_prefix("lost ") {
        // lost 3 packets at sample 1200 (timestamp_us=1700000004687500)
        let (count, rest) = rest.split_once(' ')?;
        let rest = rest
            .strip_prefix("packets at sample ")
            .or_else(|| rest.strip_prefix("packet at sample "))?;
        let (sample, at_us) = timestamp_suffix(rest)?;
        return Some(Marker::Lost {
            count: number(count)?,
            first_sample_index: number(sample)?,
            at_us,
        });
    }
    if let Some(rest) = text.strip_prefix("sync lost at byte ") {
        return Some(Marker::SyncLost {
            at_byte: number(rest)?,
        });
    }
    if let Some(rest) = text.strip_prefix("resync after ") {
        // resync after 37 skipped bytes
        let count = rest
            .strip_suffix(" skipped bytes")
            .or_else(|| rest.strip_suffix(" skipped byte"))?;
        return Some(Marker::Resync {
            skipped_bytes: number(count)?,
        });
    }
    if let Some(rest) = text.strip_prefix("protocol ") {
        return match rest {
            "P2" => Some(Marker::Protocol(Protocol::P2)),
            "P3" => Some(Marker::Protocol(Protocol::P3)),
            _ => None,
        };
    }
    if let Some(id) = text.strip_prefix("device id ") {
        // Already escaped onto one line by the reader.
        return Some(Marker::DeviceId(id.to_owned()));
    }
    if let Some(rest) = text.strip_prefix("device gone: ") {
        let (reason, at_us) = timestamp_suffix(rest)?;
        return Some(Marker::DeviceGone {
            at_us,
            reason: reason.to_owned(),
        });
    }
    if let Some(rest) = text.strip_prefix("device back: ") {
        let (device, at_us) = timestamp_suffix(rest)?;
        return Some(Marker::DeviceBack {
            at_us,
            device: device.to_owned(),
        });
    }
    if let Some(rest) = text.strip_prefix("switches ") {
        // switches 15 -> 11 at sample 400
        let (previous, rest) = rest.split_once(" -> ")?;
        let (current, sample) = rest.split_once(" at sample ")?;
        return Some(Marker::SwitchChange {
            sample_index: number(sample)?,
            previous: field::switches(previous.as_bytes())?,
            current: field::switches(current.as_bytes())?,
        });
    }
    if let Some(rest) = text.strip_prefix("restart at sample ") {
        // restart at sample 5120: counter 57 -> 0, reset-signal (timestamp_us=1700000020000000)
        let (rest, at_us) = timestamp_suffix(rest)?;
        let (sample, rest) = rest.split_once(": counter ")?;
        let (previous, rest) = rest.split_once(" -> ")?;
        let (counter, evidence) = rest.split_once(", ")?;
        return Some(Marker::Restart {
            sample_index: number(sample)?,
            at_us,
            previous_counter: field::small(previous.as_bytes(), u8::MAX)?,
            counter: field::small(counter.as_bytes(), u8::MAX)?,
            evidence: field::evidence(evidence)?,
        });
    }
    if let Some(rest) = text.strip_prefix("counter stalled at ") {
        return Some(Marker::CounterStalled {
            counter: field::small(rest.as_bytes(), u8::MAX)?,
        });
    }
    if let Some(rest) = text.strip_prefix("end: estimated rate ") {
        // end: estimated rate 257.142857 Hz | end: estimated rate unknown
        if rest == "unknown" {
            return Some(Marker::ReaderFinished {
                estimated_rate_hz: None,
            });
        }
        let rate: f64 = rest.strip_suffix(" Hz")?.parse().ok()?;
        return (rate.is_finite() && rate > 0.0).then_some(Marker::ReaderFinished {
            estimated_rate_hz: Some(rate),
        });
    }
    if let Some(rest) = text.strip_suffix(" at the end made no packet") {
        // 5 bytes at the end made no packet
        let count = rest
            .strip_suffix(" bytes")
            .or_else(|| rest.strip_suffix(" byte"))?;
        return Some(Marker::TrailingBytes {
            count: number(count)?,
        });
    }
    None
}

/// `<text> (timestamp_us=<T>)`, split at the last ` (timestamp_us=` so the text may hold one.
fn timestamp_suffix(rest: &str) -> Option<(&str, i64)> {
    let (text, t) = rest.strip_suffix(')')?.rsplit_once(" (timestamp_us=")?;
    Some((text, field::signed(t.as_bytes())?))
}

fn number(text: &str) -> Option<u64> {
    field::unsigned(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(line: &str) -> (Sample, Protocol) {
        match parse(line.as_bytes()) {
            Line::Sample(s, p) => (s, p),
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn marker(line: &str) -> Marker {
        match parse(line.as_bytes()) {
            Line::Marker(m) => m,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    #[test]
    fn data_lines() {
        let (s, p) = sample("1700000000000000|2|255|512|498|530|1023|0|512|15");
        assert_eq!(p, Protocol::P2);
        assert_eq!(
            s,
            Sample {
                timestamp_us: 1_700_000_000_000_000,
                sample_index: None,
                frame: 255,
                values: [512, 498, 530, 1023, 0, 512],
                switches: 15,
            }
        );
        let (s, p) = sample("1700000000003906|3|63|512|498|530|1023|0|512|11");
        assert_eq!((p, s.frame, s.switches), (Protocol::P3, 63, 11));
        assert_eq!(
            sample("-5|2|0|512|498|530|1023|0|512|15").0.timestamp_us,
            -5
        );
    }

    /// The golden lines of eegreader's `TextSink` test, one of every event.
    #[test]
    fn every_event_the_reader_writes() {
        let expected = [
            ("# protocol P3", Marker::Protocol(Protocol::P3)),
            (
                "# device id mEEG\"v1\\0\\n",
                Marker::DeviceId("mEEG\"v1\\0\\n".into()),
            ),
            (
                "# lost 3 packets at sample 1200 (timestamp_us=1700000004687500)",
                Marker::Lost {
                    count: 3,
                    first_sample_index: 1200,
                    at_us: 1_700_000_004_687_500,
                },
            ),
            (
                "# lost 1 packet at sample 7 (timestamp_us=1700000000027344)",
                Marker::Lost {
                    count: 1,
                    first_sample_index: 7,
                    at_us: 1_700_000_000_027_344,
                },
            ),
            (
                "# sync lost at byte 4096",
                Marker::SyncLost { at_byte: 4096 },
            ),
            (
                "# resync after 37 skipped bytes",
                Marker::Resync { skipped_bytes: 37 },
            ),
            (
                "# resync after 1 skipped byte",
                Marker::Resync { skipped_bytes: 1 },
            ),
            (
                "# device gone: read failed:\\tgone\\u{1b}[2J (timestamp_us=1700000010000000)",
                Marker::DeviceGone {
                    at_us: 1_700_000_010_000_000,
                    reason: "read failed:\\tgone\\u{1b}[2J".into(),
                },
            ),
            (
                "# device back: /dev/ttyUSB0 (timestamp_us=1700000012000000)",
                Marker::DeviceBack {
                    at_us: 1_700_000_012_000_000,
                    device: "/dev/ttyUSB0".into(),
                },
            ),
            (
                "# switches 15 -> 11 at sample 400",
                Marker::SwitchChange {
                    sample_index: 400,
                    previous: 15,
                    current: 11,
                },
            ),
            (
                "# restart at sample 5120: counter 57 -> 0, reset-signal (timestamp_us=1700000020000000)",
                Marker::Restart {
                    sample_index: 5120,
                    at_us: 1_700_000_020_000_000,
                    previous_counter: 57,
                    counter: 0,
                    evidence: "reset-signal".into(),
                },
            ),
            (
                "# restart at sample 6000: counter 12 -> 200, elapsed-time (timestamp_us=1700000023437500)",
                Marker::Restart {
                    sample_index: 6000,
                    at_us: 1_700_000_023_437_500,
                    previous_counter: 12,
                    counter: 200,
                    evidence: "elapsed-time".into(),
                },
            ),
            (
                "# counter stalled at 7",
                Marker::CounterStalled { counter: 7 },
            ),
            (
                "# 5 bytes at the end made no packet",
                Marker::TrailingBytes { count: 5 },
            ),
            (
                "# 1 byte at the end made no packet",
                Marker::TrailingBytes { count: 1 },
            ),
            (
                "# end: estimated rate 257.142857 Hz",
                Marker::ReaderFinished {
                    estimated_rate_hz: Some(257.142857),
                },
            ),
            (
                "# end: estimated rate unknown",
                Marker::ReaderFinished {
                    estimated_rate_hz: None,
                },
            ),
        ];
        for (line, expected) in expected {
            assert_eq!(marker(line), expected, "{line}");
        }
    }

    #[test]
    fn a_reason_may_hold_the_timestamp_text() {
        assert_eq!(
            marker("# device gone: odd (timestamp_us=1) reason (timestamp_us=42)"),
            Marker::DeviceGone {
                at_us: 42,
                reason: "odd (timestamp_us=1) reason".into()
            }
        );
    }

    #[test]
    fn unknown_or_damaged_comments_are_ignored() {
        for line in [
            "#",
            "# ",
            "# OpenEEG recording by eegreader 0.1.0",
            "# lost many packets at sample 3 (timestamp_us=5)",
            "# lost 3 packets at sample 3",
            "# protocol P4",
            "# switches 15 -> 99 at sample 1",
            "# counter stalled at 300",
            "# restart at sample 5: counter 57 -> 256, reset-signal (timestamp_us=1)",
            "# restart at sample 5: counter 57 -> 0, (timestamp_us=1)",
            "# restart at sample 5: counter 57 -> 0, reset signal (timestamp_us=1)",
            "# restart at sample 5: counter 57 -> 0 (timestamp_us=1)",
            "# end: estimated rate fast Hz",
            "# end: estimated rate NaN Hz",
            "#lost 3 packets",
        ] {
            assert_eq!(parse(line.as_bytes()), Line::Ignored, "{line}");
        }
        // Without the space the reader writes, still the event.
        assert_eq!(marker("#protocol P2"), Marker::Protocol(Protocol::P2));
    }

    #[test]
    fn garbage() {
        for line in [
            // Wrong field counts.
            &b"1700000000000000|2|255|512|498|530|1023|0|512"[..],
            b"1700000000000000|2|255|512|498|530|1023|0|512|15|15",
            b"1700000000000000|2|255|512|498|530|1023|0|512|15|",
            b"|",
            b"hello",
            // Not numbers.
            b"1700000000000000|2|255|512|498|abc|1023|0|512|15",
            b"1700000000000000|2|255|512|498| 530|1023|0|512|15",
            b"1700000000000000|2|255|512|498|5.3|1023|0|512|15",
            b"1700000000000000|2|255||498|530|1023|0|512|15",
            b"17000000000000x0|2|255|512|498|530|1023|0|512|15",
            // Out of range.
            b"1700000000000000|2|255|512|498|530|1024|0|512|15",
            b"1700000000000000|2|255|512|498|530|65536|0|512|15",
            b"1700000000000000|4|255|512|498|530|1023|0|512|15",
            b"1700000000000000|2|256|512|498|530|1023|0|512|15",
            b"1700000000000000|3|64|512|498|530|1023|0|512|15",
            b"1700000000000000|2|255|512|498|530|1023|0|512|16",
            b"99999999999999999999|2|255|512|498|530|1023|0|512|15",
            // Binary junk and invalid UTF-8.
            b"\xa5\x5a\x02\x11\x02\x00|\x01",
            b"1700000000000000|2|255|512|498|530|1023|0|512|1\xff",
            b"# device gone: \xff\xfe (timestamp_us=1)",
            b"\0\0\0",
            b" ",
        ] {
            assert_eq!(
                parse(line),
                Line::Garbage,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(parse(b""), Line::Ignored);
    }
}
