//! eegreader's `--record-csv` files, read back for review (see
//! `eegreader/src/output/csv.rs` for the writer):
//!
//! ```text
//! # OpenEEG recording by eegreader 0.1.0
//! # source=/dev/ttyUSB0
//! # nominal_rate_hz=256
//! # ... (session and column descriptions)
//! kind,sample_index,timestamp_us,counter,ch1,...,ch6,ch1_uv,...,ch6_uv,switches,lost,detail
//! protocol,,,,,,,,,,,,,,,,,,P2
//! packet,0,1700000000000000,17,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
//! gap,1,1700000000003906,,,,,,,,,,,,,,,3,
//! device_gone,,1700000010000000,,,,,,,,,,,,,,,,read failed
//! # packets=2
//! # lost=3
//! # estimated_rate_hz=257.142857
//! ```
//!
//! Columns are found by name in the column row. `packet` rows are samples (raw codes; the
//! `_uv` columns are ignored); `gap` rows are [`Marker::Lost`], `device_gone` and `device_back`
//! rows outages, `restart` rows [`Marker::Restart`], and the other event rows their markers.
//! Switch changes have no row in the file: they are found from the `switches` column, as the
//! decoder finds them (starting from 15, none pressed). A row that does not parse is a garbage line; an unknown `kind` is
//! ignored. The `#` lines at the top fill [`RecordingInfo`]; those at the end (written when the
//! session finished) add the estimated rate and a [`Marker::ReaderFinished`].

use std::io::{self, Read};

use csv::{ByteRecord, ReaderBuilder};
use libeeg::{CHANNELS, Protocol};

use super::batch::BatchBuilder;
use super::field;
use super::item::{Batch, Marker, Sample, one_line};

/// What the `#` lines of a recording say about its session; `None` for what is missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordingInfo {
    /// Where the data came from (device path, capture, simulator).
    pub source: Option<String>,
    /// The device profile (scale, rate).
    pub profile: Option<String>,
    /// Session start, microseconds since the Unix epoch.
    pub start_us: Option<i64>,
    /// Nominal sample rate (Hz).
    pub nominal_rate_hz: Option<f64>,
    /// Microvolts per ADC code: `uV = (code - 512) * scale`.
    pub scale_uv_per_lsb: Option<f64>,
    /// Channel labels (six, from the profile or the command line).
    pub labels: Vec<String>,
    /// The rate measured over the session (only in a finished recording).
    pub estimated_rate_hz: Option<f64>,
    /// Packets recorded (only in a finished recording).
    pub packets: Option<u64>,
    /// Packets lost (only in a finished recording).
    pub lost: Option<u64>,
}

/// Whether `prefix` (the start of a file) is a CSV recording: `#` lines, then a column row
/// starting with `kind,`.
pub fn is_recording(prefix: &[u8]) -> bool {
    prefix
        .split(|&b| b == b'\n')
        .find(|line| !line.starts_with(b"#"))
        .is_some_and(|row| row.starts_with(b"kind,"))
}

/// Reads a whole recording into batches, with what its `#` lines say.
pub fn read(reader: impl Read) -> Result<(RecordingInfo, Vec<Batch>), csv::Error> {
    let mut reader = TailKeeper {
        inner: reader,
        head: Vec::new(),
        tail: Vec::new(),
        total: 0,
    };
    let mut csv = ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(&mut reader);
    let columns = Columns::find(csv.byte_headers()?);
    let mut rows = Rows {
        columns,
        builder: BatchBuilder::new(),
        protocol: None,
        switches: 0x0F,
    };
    let mut batches = Vec::new();
    let mut record = ByteRecord::new();
    while csv.read_byte_record(&mut record)? {
        rows.row(&record);
        if rows.builder.is_full() {
            batches.push(rows.builder.take());
        }
    }
    drop(csv);
    let mut info = RecordingInfo::default();
    // The `#` lines before the column row, and those after the last row: a quoted cell that
    // spans lines cannot pass for one.
    let header: Vec<&[u8]> = reader
        .head
        .split(|&b| b == b'\n')
        .take_while(|l| l.starts_with(b"#"))
        .collect();
    let mut tail = &reader.tail[..];
    if reader.total > tail.len() as u64 {
        // The first line kept may be cut.
        tail = tail
            .iter()
            .position(|&b| b == b'\n')
            .map_or(&[], |end| &tail[end + 1..]);
    }
    let footer: Vec<&[u8]> = tail
        .split(|&b| b == b'\n')
        .rev()
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with(b"#"))
        .collect();
    comments(&header, &mut info);
    comments(&footer, &mut info);
    if footer
        .iter()
        .any(|line| line.starts_with(b"# estimated_rate_hz="))
    {
        rows.builder.marker(Marker::ReaderFinished {
            estimated_rate_hz: info.estimated_rate_hz,
        });
    }
    rows.builder.marker(Marker::StreamEnded { error: None });
    batches.push(rows.builder.take());
    Ok((info, batches))
}

/// Bytes kept from each end of the file for the `#` lines (the header is about 1.5 KiB, the
/// footer three short lines).
const HEAD: usize = 16 * 1024;
const TAIL: usize = 4 * 1024;

/// Passes bytes through, keeping the first [`HEAD`] and the last [`TAIL`] of them, so the
/// comment lines are found in one pass that also works on a pipe.
struct TailKeeper<R> {
    inner: R,
    head: Vec<u8>,
    tail: Vec<u8>,
    /// Bytes passed through.
    total: u64,
}

impl<R: Read> Read for TailKeeper<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        self.total += n as u64;
        let room = HEAD - self.head.len();
        self.head.extend_from_slice(&bytes[..n.min(room)]);
        self.tail
            .extend_from_slice(&bytes[n.saturating_sub(TAIL)..]);
        if self.tail.len() > 2 * TAIL {
            self.tail.drain(..self.tail.len() - TAIL);
        }
        Ok(n)
    }
}

/// Reads `# key=value` lines.
fn comments(lines: &[&[u8]], info: &mut RecordingInfo) {
    for line in lines {
        let Some(line) = line.strip_prefix(b"# ") else {
            continue;
        };
        let Ok(line) = std::str::from_utf8(line.strip_suffix(b"\r").unwrap_or(line)) else {
            continue;
        };
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let number = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
        };
        match key {
            "source" => info.source = Some(value.to_owned()),
            "profile" => info.profile = Some(value.to_owned()),
            "start_us" => info.start_us = field::signed(value.as_bytes()),
            "nominal_rate_hz" => info.nominal_rate_hz = number(),
            "scale_uv_per_lsb" => info.scale_uv_per_lsb = number(),
            "labels" => info.labels = value.split(',').map(str::to_owned).collect(),
            "estimated_rate_hz" => info.estimated_rate_hz = number(),
            "packets" => info.packets = field::unsigned(value.as_bytes()),
            "lost" => info.lost = field::unsigned(value.as_bytes()),
            _ => {}
        }
    }
}

/// Column positions, by name.
#[derive(Debug, Default)]
struct Columns {
    kind: Option<usize>,
    sample_index: Option<usize>,
    timestamp_us: Option<usize>,
    counter: Option<usize>,
    channels: [Option<usize>; CHANNELS],
    switches: Option<usize>,
    lost: Option<usize>,
    detail: Option<usize>,
}

impl Columns {
    fn find(header: &ByteRecord) -> Self {
        let at = |name: &str| header.iter().position(|h| h == name.as_bytes());
        Self {
            kind: at("kind"),
            sample_index: at("sample_index"),
            timestamp_us: at("timestamp_us"),
            counter: at("counter"),
            channels: std::array::from_fn(|i| at(&format!("ch{}", i + 1))),
            switches: at("switches"),
            lost: at("lost"),
            detail: at("detail"),
        }
    }
}

/// Turns rows into samples and markers.
struct Rows {
    columns: Columns,
    builder: BatchBuilder,
    /// From the last `protocol` row: the counter's range.
    protocol: Option<Protocol>,
    /// Switches of the last packet.
    switches: u8,
}

impl Rows {
    fn row(&mut self, row: &ByteRecord) {
        self.builder.count_lines(1);
        let cell = |column: Option<usize>| column.and_then(|c| row.get(c));
        let Some(kind) = cell(self.columns.kind) else {
            return self.builder.garbage(&joined(row));
        };
        let marker = match kind {
            b"packet" => return self.packet(row),
            b"gap" => (|| {
                Some(Marker::Lost {
                    count: field::unsigned(cell(self.columns.lost)?)?,
                    first_sample_index: field::unsigned(cell(self.columns.sample_index)?)?,
                    at_us: field::signed(cell(self.columns.timestamp_us)?)?,
                })
            })(),
            b"device_gone" => (|| {
                Some(Marker::DeviceGone {
                    at_us: field::signed(cell(self.columns.timestamp_us)?)?,
                    reason: detail(cell(self.columns.detail)?)?,
                })
            })(),
            b"device_back" => (|| {
                Some(Marker::DeviceBack {
                    at_us: field::signed(cell(self.columns.timestamp_us)?)?,
                    device: detail(cell(self.columns.detail)?)?,
                })
            })(),
            b"protocol" => match cell(self.columns.detail) {
                Some(b"P2") => Some(Marker::Protocol(Protocol::P2)),
                Some(b"P3") => Some(Marker::Protocol(Protocol::P3)),
                _ => None,
            },
            b"device_id" => cell(self.columns.detail)
                .and_then(detail)
                .map(Marker::DeviceId),
            b"sync_lost" => setting(cell(self.columns.detail), b"at_byte=")
                .map(|at_byte| Marker::SyncLost { at_byte }),
            b"resync" => setting(cell(self.columns.detail), b"skipped_bytes=")
                .map(|skipped_bytes| Marker::Resync { skipped_bytes }),
            b"trailing_bytes" => setting(cell(self.columns.detail), b"bytes=")
                .map(|count| Marker::TrailingBytes { count }),
            b"restart" => (|| {
                // detail: previous_counter=57 evidence=reset-signal
                let detail = std::str::from_utf8(cell(self.columns.detail)?).ok()?;
                let (previous, evidence) = detail
                    .strip_prefix("previous_counter=")?
                    .split_once(" evidence=")?;
                Some(Marker::Restart {
                    sample_index: field::unsigned(cell(self.columns.sample_index)?)?,
                    at_us: field::signed(cell(self.columns.timestamp_us)?)?,
                    previous_counter: field::small(previous.as_bytes(), u8::MAX)?,
                    counter: field::small(cell(self.columns.counter)?, u8::MAX)?,
                    evidence: field::evidence(evidence)?,
                })
            })(),
            b"counter_stalled" => cell(self.columns.counter)
                .and_then(|c| field::small(c, u8::MAX))
                .map(|counter| Marker::CounterStalled { counter }),
            _ => return,
        };
        match marker {
            Some(marker) => {
                if let Marker::Protocol(protocol) = marker {
                    self.protocol = Some(protocol);
                }
                self.builder.marker(marker);
            }
            None => self.builder.garbage(&joined(row)),
        }
    }

    fn packet(&mut self, row: &ByteRecord) {
        let cell = |column: Option<usize>| column.and_then(|c| row.get(c));
        let sample = (|| {
            let mut values = [0u16; CHANNELS];
            for (value, column) in values.iter_mut().zip(self.columns.channels) {
                *value = field::code(cell(column)?)?;
            }
            Some(Sample {
                timestamp_us: field::signed(cell(self.columns.timestamp_us)?)?,
                sample_index: Some(field::unsigned(cell(self.columns.sample_index)?)?),
                frame: field::frame(
                    cell(self.columns.counter)?,
                    self.protocol.unwrap_or(Protocol::P2),
                )?,
                values,
                switches: field::switches(cell(self.columns.switches)?)?,
            })
        })();
        let Some(sample) = sample else {
            return self.builder.garbage(&joined(row));
        };
        if sample.switches != self.switches {
            let previous = std::mem::replace(&mut self.switches, sample.switches);
            self.builder.marker(Marker::SwitchChange {
                sample_index: sample.sample_index.unwrap_or_default(),
                previous,
                current: sample.switches,
            });
        }
        self.builder.sample(sample, None);
    }
}

/// A row's cells with commas between them, to show a garbage row.
fn joined(row: &ByteRecord) -> Vec<u8> {
    row.iter().collect::<Vec<_>>().join(&b","[..])
}

/// Free text from a `detail` cell, on one line.
fn detail(cell: &[u8]) -> Option<String> {
    std::str::from_utf8(cell).ok().map(one_line)
}

/// `N` from a `detail` cell `name=N`.
fn setting(cell: Option<&[u8]>, name: &[u8]) -> Option<u64> {
    field::unsigned(cell?.strip_prefix(name)?)
}

#[cfg(test)]
mod tests {
    use super::super::item::MarkerAt;
    use super::*;

    /// A finished recording, as eegreader's `CsvSink` writes it (header shortened).
    pub const RECORDING: &str = "\
# OpenEEG recording by eegreader 0.1.0
# source=/dev/ttyUSB0
# profile=modular-eeg
# start_time=2023-11-14T22:13:20.000000Z
# start_us=1700000000000000
# nominal_rate_hz=256
# scale_uv_per_lsb=0.5
# labels=Fp1,Fp2,C3,C4,P3,P4
# estimated_rate_hz: on the last line, written when the session ends
# column detail: gone reason, device, protocol, id, at_byte=N, skipped_bytes=N, bytes=N
kind,sample_index,timestamp_us,counter,ch1,ch2,ch3,ch4,ch5,ch6,ch1_uv,ch2_uv,ch3_uv,ch4_uv,ch5_uv,ch6_uv,switches,lost,detail
protocol,,,,,,,,,,,,,,,,,,P2
packet,0,1700000000000000,17,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
gap,1,1700000000003906,,,,,,,,,,,,,,,3,
packet,4,1700000000015624,21,512,498,530,1023,0,512,1.56,-7,9,255.5,-256,0,11,,
device_gone,,1700000010000000,,,,,,,,,,,,,,,,\"read failed: \"\"gone\"\", #5
really\"
device_back,,1700000012000000,,,,,,,,,,,,,,,,/dev/ttyUSB0
sync_lost,,,,,,,,,,,,,,,,,,at_byte=4096
resync,,,,,,,,,,,,,,,,,,skipped_bytes=37
device_id,,,,,,,,,,,,,,,,,,mEEGv1.0
counter_stalled,,,7,,,,,,,,,,,,,,,
trailing_bytes,,,,,,,,,,,,,,,,,,bytes=5
restart,5,1700000000019530,0,,,,,,,,,,,,,,,previous_counter=21 evidence=reset-signal
packet,5,1700000000019530,0,1,2,3,4,5,6,0,0,0,0,0,0,11,,
# packets=3
# lost=3
# estimated_rate_hz=257.142857
";

    fn markers(batches: &[Batch]) -> Vec<MarkerAt> {
        batches.iter().flat_map(|b| b.markers.clone()).collect()
    }

    #[test]
    fn a_finished_recording_reads_back() {
        assert!(is_recording(RECORDING.as_bytes()));
        let (info, batches) = read(RECORDING.as_bytes()).unwrap();
        assert_eq!(
            info,
            RecordingInfo {
                source: Some("/dev/ttyUSB0".into()),
                profile: Some("modular-eeg".into()),
                start_us: Some(1_700_000_000_000_000),
                nominal_rate_hz: Some(256.0),
                scale_uv_per_lsb: Some(0.5),
                labels: ["Fp1", "Fp2", "C3", "C4", "P3", "P4"]
                    .map(String::from)
                    .to_vec(),
                estimated_rate_hz: Some(257.142857),
                packets: Some(3),
                lost: Some(3),
            }
        );
        assert_eq!(batches.len(), 1);
        let batch = &batches[0];
        assert_eq!((batch.lines, batch.garbage_lines), (13, 0));
        assert_eq!(
            batch.samples,
            [
                Sample {
                    timestamp_us: 1_700_000_000_000_000,
                    sample_index: Some(0),
                    frame: 17,
                    values: [512, 498, 530, 1023, 0, 512],
                    switches: 15,
                },
                Sample {
                    timestamp_us: 1_700_000_000_015_624,
                    sample_index: Some(4),
                    frame: 21,
                    values: [512, 498, 530, 1023, 0, 512],
                    switches: 11,
                },
                Sample {
                    timestamp_us: 1_700_000_000_019_530,
                    sample_index: Some(5),
                    frame: 0,
                    values: [1, 2, 3, 4, 5, 6],
                    switches: 11,
                },
            ]
        );
        let at = |before_sample, marker| MarkerAt {
            before_sample,
            marker,
        };
        assert_eq!(
            markers(&batches),
            [
                at(0, Marker::Protocol(Protocol::P2)),
                at(
                    1,
                    Marker::Lost {
                        count: 3,
                        first_sample_index: 1,
                        at_us: 1_700_000_000_003_906
                    }
                ),
                at(
                    1,
                    Marker::SwitchChange {
                        sample_index: 4,
                        previous: 15,
                        current: 11
                    }
                ),
                at(
                    2,
                    Marker::DeviceGone {
                        at_us: 1_700_000_010_000_000,
                        reason: "read failed: \"gone\", #5\\nreally".into()
                    }
                ),
                at(
                    2,
                    Marker::DeviceBack {
                        at_us: 1_700_000_012_000_000,
                        device: "/dev/ttyUSB0".into()
                    }
                ),
                at(2, Marker::SyncLost { at_byte: 4096 }),
                at(2, Marker::Resync { skipped_bytes: 37 }),
                at(2, Marker::DeviceId("mEEGv1.0".into())),
                at(2, Marker::CounterStalled { counter: 7 }),
                at(2, Marker::TrailingBytes { count: 5 }),
                at(
                    2,
                    Marker::Restart {
                        sample_index: 5,
                        at_us: 1_700_000_000_019_530,
                        previous_counter: 21,
                        counter: 0,
                        evidence: "reset-signal".into()
                    }
                ),
                at(
                    3,
                    Marker::ReaderFinished {
                        estimated_rate_hz: Some(257.142857)
                    }
                ),
                at(3, Marker::StreamEnded { error: None }),
            ]
        );
    }

    #[test]
    fn a_killed_recording_has_no_footer() {
        let killed = RECORDING.split("# packets=").next().unwrap();
        let (info, batches) = read(killed.as_bytes()).unwrap();
        assert_eq!((info.estimated_rate_hz, info.packets), (None, None));
        assert_eq!(batches[0].samples.len(), 3);
        let last: Vec<_> = markers(&batches)
            .into_iter()
            .rev()
            .take(2)
            .map(|m| m.marker)
            .collect();
        assert_eq!(last[0], Marker::StreamEnded { error: None });
        assert!(!matches!(last[1], Marker::ReaderFinished { .. }));
    }

    #[test]
    fn damaged_rows_are_garbage_and_unknown_kinds_ignored() {
        let text = "\
kind,sample_index,timestamp_us,counter,ch1,ch2,ch3,ch4,ch5,ch6,ch1_uv,ch2_uv,ch3_uv,ch4_uv,ch5_uv,ch6_uv,switches,lost,detail
packet,0,1700000000000000,17,512,498,530,1024,0,512,0,-7,9,255.5,-256,0,15,,
packet,1,1700000000000000,17,512,498,530
packet,2,1700000000000000,17,512,498,530,x,0,512,0,-7,9,255.5,-256,0,15,,
gap,3,1700000000000000,,,,,,,,,,,,,,,,
restart,3,1700000000000000,0,,,,,,,,,,,,,,,evidence=reset-signal
annotation,,,,,,,,,,,,,,,,,,hello
protocol,,,,,,,,,,,,,,,,,,P3
packet,4,1700000000000000,64,512,498,530,1,0,512,0,-7,9,255.5,-256,0,15,,
packet,5,1700000000000000,63,512,498,530,1,0,512,0,-7,9,255.5,-256,0,15,,
";
        assert!(is_recording(text.as_bytes()));
        let (info, batches) = read(text.as_bytes()).unwrap();
        assert_eq!(info, RecordingInfo::default());
        let batch = &batches[0];
        assert_eq!(
            (batch.lines, batch.garbage_lines, batch.samples.len()),
            (9, 6, 1)
        );
        assert_eq!(batch.samples[0].sample_index, Some(5));
        assert!(
            batch
                .first_garbage
                .as_deref()
                .unwrap()
                .starts_with("packet,0,1700000000000000,17,512,498,530,1024,")
        );
    }

    #[test]
    fn long_recordings_come_in_full_batches() {
        let mut text = RECORDING.split("\nprotocol,").next().unwrap().to_owned() + "\n";
        let n = super::super::batch::MAX_SAMPLES * 2 + 10;
        for i in 0..n {
            text.push_str(&format!(
                "packet,{i},{},{},1,2,3,4,5,6,0,0,0,0,0,0,15,,\n",
                1_700_000_000_000_000u64 + i as u64 * 3906,
                i % 256
            ));
        }
        text.push_str("# estimated_rate_hz=unknown\n");
        let (info, batches) = read(text.as_bytes()).unwrap();
        assert_eq!(batches.len(), 3);
        assert_eq!(batches.iter().map(|b| b.samples.len()).sum::<usize>(), n);
        assert_eq!(info.estimated_rate_hz, None);
        assert_eq!(info.nominal_rate_hz, Some(256.0));
        let last = &batches[2].markers;
        assert_eq!(
            last[0].marker,
            Marker::ReaderFinished {
                estimated_rate_hz: None
            }
        );
    }

    #[test]
    fn recognised_only_by_its_column_row() {
        assert!(is_recording(b"kind,sample_index\n"));
        assert!(!is_recording(b"# protocol P2\n1|2|3\n"));
        assert!(!is_recording(b"#\xa5\x5a\x02kind,"));
        assert!(!is_recording(b"\xa5\x5a\x02\x00"));
    }
}
