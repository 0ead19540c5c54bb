//! `--record-csv FILE`: one row per packet and one per stream event, after `#` comment lines
//! that describe the session.
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
//! Switch changes have no row: the `switches` column shows them. Sample indices count lost
//! packets, so a `gap` row is also visible as a jump in `sample_index`.
//!
//! Reading it: pandas `read_csv(path, comment='#')` and the `csv` crate with
//! `comment(Some(b'#'))` skip the comment lines; keep the `packet` rows with
//! `df[df.kind == 'packet']` (the event rows' empty cells make pandas read the numeric columns
//! as floats, which hold every 10-bit code exactly). Fields containing `#` are quoted, so no
//! reader mistakes them for a comment.
//!
//! The estimated rate is only known at the end: `finish` appends the `# packets=`, `# lost=`
//! and, last, `# estimated_rate_hz=` lines (`unknown` when there is no estimate). A recording
//! that was never finished (killed) has no such lines; every row flushed before is there, and
//! the file ends with a complete row (rows reach the file whole, see [`WholeRows`]).

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use ::csv::{ByteRecord, Writer, WriterBuilder};
use libeeg::CHANNELS;

use super::file::{self, FileTarget};
use super::lines::one_line;
use super::number::{push_decimal, push_i64, push_u64};
use super::utc::iso8601;
use super::whole_rows::WholeRows;
use super::{SessionInfo, Sink};
use crate::error::Error;
use crate::record::{Note, Record};

/// The header row.
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
const SAMPLE_INDEX: usize = 1;
const TIMESTAMP: usize = 2;
const COUNTER: usize = 3;
const CH1: usize = 4;
const CH1_UV: usize = CH1 + CHANNELS;
const SWITCHES: usize = CH1_UV + CHANNELS;
const LOST: usize = SWITCHES + 1;
const DETAIL: usize = LOST + 1;

/// Records packets and events as CSV rows.
#[derive(Debug)]
pub struct CsvSink {
    /// `None` once finished.
    csv: Option<Writer<WholeRows>>,
    file: Arc<File>,
    name: String,
    /// The file's length when it was finished.
    finished_len: u64,
    /// Reused for every row.
    row: ByteRecord,
    field: Vec<u8>,
    packets: u64,
    lost: u64,
}

impl CsvSink {
    /// Creates (or truncates) the file at `path` and writes the header describing `session`.
    pub fn create(path: &Path, session: &SessionInfo) -> Result<Self, Error> {
        Self::on(path, session, |target| target)
    }

    /// Tests only: the disk fills up when the file reaches `len` bytes.
    #[cfg(test)]
    fn create_on_small_disk(path: &Path, session: &SessionInfo, len: u64) -> Result<Self, Error> {
        Self::on(path, session, |target| target.fill_disk_at(len))
    }

    fn on(
        path: &Path,
        session: &SessionInfo,
        target: impl FnOnce(FileTarget) -> FileTarget,
    ) -> Result<Self, Error> {
        let name = format!("CSV file {}", path.display());
        let target = target(FileTarget::create(path, &name)?);
        Self::start(target, name, path, session)
    }

    /// CSV on standard output (`eegreader convert CAPTURE - --to csv`).
    pub fn to_standard_output(session: &SessionInfo) -> Result<Self, Error> {
        let name = "CSV on standard output".to_owned();
        Self::start(
            FileTarget::standard_output()?,
            name,
            Path::new("-"),
            session,
        )
    }

    /// Writes the header to `target` (at `path`, for messages).
    fn start(
        mut target: FileTarget,
        name: String,
        path: &Path,
        session: &SessionInfo,
    ) -> Result<Self, Error> {
        let file = target.handle();
        let cannot_write = |e: io::Error| file::cannot("write", &name, path, &e);
        target
            .write_all(header(session).as_bytes())
            .map_err(cannot_write)?;
        let mut csv = WriterBuilder::new()
            // Quote any field containing '#', so that readers skipping comments keep it.
            .comment(Some(b'#'))
            .from_writer(WholeRows::new(target));
        csv.write_record(COLUMNS)
            .map_err(|e| cannot_write(io_error(e)))?;
        csv.flush().map_err(cannot_write)?;
        Ok(Self {
            csv: Some(csv),
            file,
            name,
            finished_len: 0,
            row: ByteRecord::new(),
            field: Vec::new(),
            packets: 0,
            lost: 0,
        })
    }

    /// Writes one row: `kind`, then `fill` sets the other columns (by position) in `cells`.
    fn row(&mut self, kind: &str, fill: impl FnOnce(&mut Cells)) -> io::Result<()> {
        let mut cells = Cells {
            text: std::mem::take(&mut self.field),
            ends: [0; COLUMNS.len()],
            next: 0,
        };
        cells.text.clear();
        cells.set(0, |t| t.extend_from_slice(kind.as_bytes()));
        fill(&mut cells);
        self.row.clear();
        let mut start = 0;
        for end in cells.ends {
            // Columns left alone end where the previous one did: empty.
            let end = end.max(start);
            self.row.push_field(&cells.text[start..end]);
            start = end;
        }
        self.field = cells.text;
        let csv = self.csv.as_mut().ok_or_else(|| finished(&self.name))?;
        csv.write_byte_record(&self.row)
            .map_err(|e| file::context(&self.name, io_error(e)))
    }

    fn detail(&mut self, kind: &str, detail: &str) -> io::Result<()> {
        self.row(kind, |cells| {
            cells.set(DETAIL, |t| t.extend_from_slice(detail.as_bytes()))
        })
    }
}

/// The text of one row's fields, filled in column order.
struct Cells {
    text: Vec<u8>,
    /// Where each column's text ends in `text` (0: not set, so empty).
    ends: [usize; COLUMNS.len()],
    /// The first column that may still be set.
    next: usize,
}

impl Cells {
    /// Sets column `column`, which must come after every column set before.
    fn set(&mut self, column: usize, write: impl FnOnce(&mut Vec<u8>)) {
        debug_assert!(column >= self.next, "column {column} set out of order");
        self.next = column + 1;
        write(&mut self.text);
        self.ends[column] = self.text.len();
    }
}

impl Sink for CsvSink {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        self.packets += 1;
        self.row("packet", |cells| {
            cells.set(SAMPLE_INDEX, |t| push_u64(t, record.sample_index));
            cells.set(TIMESTAMP, |t| push_i64(t, record.timestamp_us));
            cells.set(COUNTER, |t| push_u64(t, u64::from(record.counter)));
            for (i, &code) in record.samples.iter().enumerate() {
                cells.set(CH1 + i, |t| push_u64(t, u64::from(code)));
            }
            for (i, &uv) in record.microvolts.iter().enumerate() {
                // Left empty if not a number.
                cells.set(CH1_UV + i, |t| {
                    push_decimal(t, uv);
                });
            }
            cells.set(SWITCHES, |t| push_u64(t, u64::from(record.switches)));
        })
    }

    fn note(&mut self, note: &Note) -> io::Result<()> {
        match note {
            Note::Lost {
                count,
                first_sample_index,
                timestamp_us,
            } => {
                self.lost += count;
                self.row("gap", |cells| {
                    cells.set(SAMPLE_INDEX, |t| push_u64(t, *first_sample_index));
                    cells.set(TIMESTAMP, |t| push_i64(t, *timestamp_us));
                    cells.set(LOST, |t| push_u64(t, *count));
                })
            }
            Note::DeviceGone {
                reason,
                timestamp_us,
            } => self.row("device_gone", |cells| {
                cells.set(TIMESTAMP, |t| push_i64(t, *timestamp_us));
                cells.set(DETAIL, |t| t.extend_from_slice(reason.as_bytes()));
            }),
            Note::DeviceBack {
                device,
                timestamp_us,
            } => self.row("device_back", |cells| {
                cells.set(TIMESTAMP, |t| push_i64(t, *timestamp_us));
                cells.set(DETAIL, |t| t.extend_from_slice(device.as_bytes()));
            }),
            Note::Protocol(protocol) => self.detail("protocol", &protocol.to_string()),
            Note::DeviceId(id) => self.detail("device_id", id),
            Note::SyncLost { at_byte } => self.detail("sync_lost", &format!("at_byte={at_byte}")),
            Note::Resync { skipped_bytes } => {
                self.detail("resync", &format!("skipped_bytes={skipped_bytes}"))
            }
            Note::Restart {
                sample_index,
                timestamp_us,
                previous_counter,
                counter,
                evidence,
            } => self.row("restart", |cells| {
                cells.set(SAMPLE_INDEX, |t| push_u64(t, *sample_index));
                cells.set(TIMESTAMP, |t| push_i64(t, *timestamp_us));
                cells.set(COUNTER, |t| push_u64(t, u64::from(*counter)));
                cells.set(DETAIL, |t| {
                    t.extend_from_slice(b"previous_counter=");
                    push_u64(t, u64::from(*previous_counter));
                    t.extend_from_slice(b" evidence=");
                    t.extend_from_slice(evidence.name().as_bytes());
                });
            }),
            Note::CounterStalled { counter } => self.row("counter_stalled", |cells| {
                cells.set(COUNTER, |t| push_u64(t, u64::from(*counter)))
            }),
            Note::TrailingBytes { count } => {
                self.detail("trailing_bytes", &format!("bytes={count}"))
            }
            // The switches column shows the change.
            Note::Switches { .. } => Ok(()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let csv = self.csv.as_mut().ok_or_else(|| finished(&self.name))?;
        csv.flush().map_err(|e| file::context(&self.name, e))
    }

    /// Appends the `# packets=`, `# lost=` and `# estimated_rate_hz=` lines, flushes and syncs.
    fn finish(&mut self, estimated_rate_hz: f64) -> io::Result<()> {
        let csv = self.csv.take().ok_or_else(|| finished(&self.name))?;
        self.finished_len = csv.get_ref().target().len();
        let mut target = csv
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(WholeRows::into_target)
            .map_err(|e| file::context(&self.name, e))?;
        let mut footer = format!(
            "# packets={}\n# lost={}\n# estimated_rate_hz=",
            self.packets, self.lost
        )
        .into_bytes();
        if !(estimated_rate_hz > 0.0 && push_decimal(&mut footer, estimated_rate_hz)) {
            footer.extend_from_slice(b"unknown");
        }
        footer.push(b'\n');
        let result = target
            .write_all(&footer)
            .and_then(|()| file::sync(&self.file));
        self.finished_len = target.len();
        result.map_err(|e| file::context(&self.name, e))
    }

    /// Bytes handed to the OS so far (up to about 72 KiB wait for a flush).
    fn size(&self) -> u64 {
        self.csv
            .as_ref()
            .map_or(self.finished_len, |csv| csv.get_ref().target().len())
    }
}

/// The comment lines at the top.
fn header(session: &SessionInfo) -> String {
    let mut rate = Vec::new();
    push_decimal(&mut rate, session.nominal_rate_hz);
    let mut scale = Vec::new();
    push_decimal(&mut scale, session.microvolts_per_lsb);
    let labels: Vec<_> = session.labels.iter().map(|l| one_line(l)).collect();
    format!(
        "# OpenEEG recording by eegreader {version}\n\
         # source={source}\n\
         # profile={profile}\n\
         # start_time={start_time}\n\
         # start_us={start_us}\n\
         # nominal_rate_hz={rate}\n\
         # scale_uv_per_lsb={scale}\n\
         # labels={labels}\n\
         # estimated_rate_hz: on the last line, written when the session ends\n\
         # column kind: packet, or the stream event the row records: gap (packets lost), device_gone, device_back,\n\
         #   protocol, device_id, sync_lost, resync, restart (no loss), counter_stalled, trailing_bytes\n\
         # column sample_index: position in the session, counting lost packets (gap: the first lost one;\n\
         #   restart: the first packet after it)\n\
         # column timestamp_us: sample time (device_gone, device_back: wall-clock time), microseconds since the Unix epoch, UTC\n\
         # column counter: the packet counter as sent (restart: the counter it jumped to)\n\
         # column ch1..ch6: raw 10-bit ADC codes, 0..1023, mid-scale 512\n\
         # column ch1_uv..ch6_uv: microvolts, (code - 512) * scale_uv_per_lsb, rounded to 0.000001\n\
         # column switches: switch inputs, bits 3..0, pressed = 0 (15: none pressed)\n\
         # column lost: how many packets are missing (gap rows)\n\
         # column detail: gone reason, device, protocol, id, at_byte=N, skipped_bytes=N, bytes=N,\n\
         #   previous_counter=N evidence=reset-signal|elapsed-time (restart)\n",
        version = env!("CARGO_PKG_VERSION"),
        source = one_line(&session.source),
        profile = one_line(&session.profile),
        start_time = iso8601(session.start_us),
        start_us = session.start_us,
        rate = String::from_utf8_lossy(&rate),
        scale = String::from_utf8_lossy(&scale),
        labels = labels.join(","),
    )
}

/// Keeps the I/O error (and its kind) inside a CSV error.
fn io_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn finished(name: &str) -> io::Error {
    io::Error::other(format!("{name}: already finished"))
}

#[cfg(test)]
mod tests {
    use ::csv::{ReaderBuilder, StringRecord};
    use libeeg::Protocol;

    use super::super::text::tests::record;
    use super::*;

    fn session() -> SessionInfo {
        SessionInfo {
            source: "/dev/ttyUSB0".to_owned(),
            profile: "modular-eeg".to_owned(),
            microvolts_per_lsb: 0.5,
            nominal_rate_hz: 256.0,
            start_us: 1_700_000_000_000_000,
            labels: ["Fp1", "Fp2", "C3", "C4", "P3", "P4"]
                .map(String::from)
                .to_vec(),
        }
    }

    /// The fields of `record(i, i as u8)`'s row.
    fn packet_row(i: u64) -> Vec<String> {
        let t = 1_700_000_000_000_000 + i * 3906;
        format!(
            "packet,{i},{t},{},512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,",
            i as u8
        )
        .split(',')
        .map(String::from)
        .collect()
    }

    /// The rows, read the way a user would: comment lines skipped, header checked.
    fn rows(path: &Path) -> Vec<StringRecord> {
        let mut reader = ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_path(path)
            .unwrap();
        assert_eq!(
            reader.headers().unwrap(),
            &StringRecord::from(COLUMNS.to_vec())
        );
        reader.records().map(Result::unwrap).collect()
    }

    fn comments(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(String::from)
            .collect()
    }

    #[test]
    fn rows_read_back_with_the_csv_crate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.csv");
        let mut sink = CsvSink::create(&path, &session()).unwrap();
        sink.note(&Note::Protocol(Protocol::P2)).unwrap();
        sink.record(&record(0, 17)).unwrap();
        sink.note(&Note::Lost {
            count: 3,
            first_sample_index: 1,
            timestamp_us: 1_700_000_000_003_906,
        })
        .unwrap();
        sink.note(&Note::Switches {
            sample_index: 4,
            previous: 15,
            current: 11,
        })
        .unwrap();
        let mut later = record(4, 21);
        later.switches = 11;
        later.microvolts[0] = 3.0 * 0.52;
        sink.record(&later).unwrap();
        sink.note(&Note::DeviceGone {
            reason: "read failed: \"gone\", #5\nreally".to_owned(),
            timestamp_us: 1_700_000_010_000_000,
        })
        .unwrap();
        sink.note(&Note::DeviceBack {
            device: "/dev/ttyUSB0".to_owned(),
            timestamp_us: 1_700_000_012_000_000,
        })
        .unwrap();
        sink.note(&Note::SyncLost { at_byte: 4096 }).unwrap();
        sink.note(&Note::Resync { skipped_bytes: 37 }).unwrap();
        sink.note(&Note::DeviceId("mEEGv1.0".to_owned())).unwrap();
        sink.note(&Note::CounterStalled { counter: 7 }).unwrap();
        sink.note(&Note::TrailingBytes { count: 5 }).unwrap();
        sink.note(&Note::Restart {
            sample_index: 5,
            timestamp_us: 1_700_000_000_019_530,
            previous_counter: 21,
            counter: 0,
            evidence: libeeg::RestartEvidence::ResetSignal,
        })
        .unwrap();
        sink.record(&record(5, 0)).unwrap();
        sink.finish(257.142_857_142).unwrap();
        assert_eq!(sink.size(), std::fs::metadata(&path).unwrap().len());

        let rows = rows(&path);
        let row = |i: usize| rows[i].iter().collect::<Vec<_>>().join(",");
        assert_eq!(rows.len(), 13);
        assert_eq!(row(0), "protocol,,,,,,,,,,,,,,,,,,P2");
        assert_eq!(
            row(1),
            "packet,0,1700000000000000,17,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,"
        );
        assert_eq!(row(2), "gap,1,1700000000003906,,,,,,,,,,,,,,,3,");
        assert_eq!(
            row(3),
            "packet,4,1700000000015624,21,512,498,530,1023,0,512,1.56,-7,9,255.5,-256,0,11,,"
        );
        assert_eq!(&rows[4][0], "device_gone");
        assert_eq!(&rows[4][TIMESTAMP], "1700000010000000");
        assert_eq!(&rows[4][DETAIL], "read failed: \"gone\", #5\nreally");
        assert_eq!(
            row(5),
            "device_back,,1700000012000000,,,,,,,,,,,,,,,,/dev/ttyUSB0"
        );
        assert_eq!(row(6), "sync_lost,,,,,,,,,,,,,,,,,,at_byte=4096");
        assert_eq!(row(7), "resync,,,,,,,,,,,,,,,,,,skipped_bytes=37");
        assert_eq!(row(8), "device_id,,,,,,,,,,,,,,,,,,mEEGv1.0");
        assert_eq!(row(9), "counter_stalled,,,7,,,,,,,,,,,,,,,");
        assert_eq!(row(10), "trailing_bytes,,,,,,,,,,,,,,,,,,bytes=5");
        // A restart loses nothing: the next packet follows in sample index, with the new counter.
        assert_eq!(
            row(11),
            "restart,5,1700000000019530,0,,,,,,,,,,,,,,,previous_counter=21 evidence=reset-signal"
        );
        assert_eq!(
            row(12),
            "packet,5,1700000000019530,0,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,"
        );

        let comments = comments(&path);
        for expected in [
            "# source=/dev/ttyUSB0",
            "# profile=modular-eeg",
            "# start_time=2023-11-14T22:13:20.000000Z",
            "# start_us=1700000000000000",
            "# nominal_rate_hz=256",
            "# scale_uv_per_lsb=0.5",
            "# labels=Fp1,Fp2,C3,C4,P3,P4",
            "# packets=3",
            "# lost=3",
        ] {
            assert!(
                comments.iter().any(|c| c == expected),
                "{expected} missing from {comments:#?}"
            );
        }
        assert_eq!(comments.last().unwrap(), "# estimated_rate_hz=257.142857");
        // The field with '#' is quoted, so no reader takes it for the start of a comment.
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("\"read failed: \"\"gone\"\", #5\nreally\"")
        );
    }

    #[test]
    fn header_values_stay_on_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let mut info = session();
        info.source = "evil\nkind,sample_index".to_owned();
        info.nominal_rate_hz = 257.14;
        let mut sink = CsvSink::create(&path, &info).unwrap();
        sink.finish(f64::NAN).unwrap();
        assert!(rows(&path).is_empty());
        let comments = comments(&path);
        assert!(comments.contains(&"# source=evil\\nkind,sample_index".to_owned()));
        assert!(comments.contains(&"# nominal_rate_hz=257.14".to_owned()));
        assert_eq!(comments.last().unwrap(), "# estimated_rate_hz=unknown");
    }

    #[test]
    fn an_unfinished_file_has_every_flushed_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("killed.csv");
        let mut sink = CsvSink::create(&path, &session()).unwrap();
        for i in 0..1000 {
            sink.record(&record(i, i as u8)).unwrap();
        }
        sink.flush().unwrap();
        assert_eq!(sink.size(), std::fs::metadata(&path).unwrap().len());
        sink.record(&record(1000, 232)).unwrap();
        // kill -9: neither finish nor Drop runs.
        std::mem::forget(sink);
        let rows = rows(&path);
        assert_eq!(rows.len(), 1000);
        assert!(
            rows.iter()
                .enumerate()
                .all(|(i, r)| r[SAMPLE_INDEX] == i.to_string())
        );
        assert!(
            !comments(&path)
                .iter()
                .any(|c| c.starts_with("# estimated_rate_hz="))
        );
    }

    #[test]
    fn a_killed_file_ends_with_a_whole_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("killed.csv");
        let mut sink = CsvSink::create(&path, &session()).unwrap();
        // No flush: the rows reach the file only as the buffers fill, in whole rows.
        for i in 0..5000 {
            sink.note(&Note::DeviceGone {
                reason: "a\nb,\"c\"".to_owned(),
                timestamp_us: 0,
            })
            .unwrap();
            sink.record(&record(i, i as u8)).unwrap();
        }
        std::mem::forget(sink);
        assert_eq!(std::fs::read(&path).unwrap().last(), Some(&b'\n'));
        // The strict reader (not `flexible`) fails on a truncated row.
        let rows = rows(&path);
        let (packets, gone): (Vec<_>, Vec<_>) = rows.iter().partition(|r| &r[0] == "packet");
        assert!(packets.len() > 1000, "{}", packets.len());
        for (i, row) in packets.iter().enumerate() {
            assert_eq!(row, &&StringRecord::from(packet_row(i as u64)));
        }
        assert!(
            gone.iter()
                .all(|r| &r[0] == "device_gone" && &r[DETAIL] == "a\nb,\"c\"")
        );
    }

    #[test]
    fn a_full_disk_names_the_file_and_keeps_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full.csv");
        let mut sink = CsvSink::create_on_small_disk(&path, &session(), 4000).unwrap();
        for i in 0..10 {
            sink.record(&record(i, i as u8)).unwrap();
        }
        sink.flush().unwrap();
        let error = (10..100)
            .map(|i| sink.record(&record(i, i as u8)).and_then(|()| sink.flush()))
            .find_map(Result::err)
            .expect("the disk fills up");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert!(
            error
                .to_string()
                .starts_with(&format!("CSV file {}: ", path.display())),
            "{error}"
        );
        assert!(
            sink.record(&record(100, 100))
                .and_then(|()| sink.flush())
                .is_err()
        );
        assert!(sink.finish(256.0).is_err());
        // The rows before the failure are intact; at most the last one is cut short.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.len(), 4000);
        let complete: Vec<_> = text.lines().filter(|l| l.starts_with("packet,")).collect();
        assert!(complete.len() >= 10);
        for (i, line) in complete.iter().take(complete.len() - 1).enumerate() {
            assert!(line.starts_with(&format!("packet,{i},")), "{line}");
        }
    }

    #[test]
    fn dev_full_fails_at_creation_naming_the_file() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let e = CsvSink::create(Path::new("/dev/full"), &session())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cannot write CSV file /dev/full: "), "{e}");
        assert!(e.contains("the disk is full"), "{e}");
    }

    #[test]
    fn a_missing_directory_fails_at_creation() {
        let e = CsvSink::create(Path::new("/nonexistent-dir/s.csv"), &session())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("cannot create CSV file /nonexistent-dir/s.csv: "),
            "{e}"
        );
        assert!(
            e.contains("the directory /nonexistent-dir does not exist"),
            "{e}"
        );
    }
}
