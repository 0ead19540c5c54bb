//! A file given on the command line, opened for review: read whole into batches, so the UI can
//! navigate the entire session.
//!
//! What the file is, decided from its first 64 KiB:
//!
//! - a **CSV recording** (`eegreader --record-csv`): `#` lines, then a column row starting
//!   with `kind,`;
//! - a **saved stream** (`eegreader ... > session.txt`, text or JSON lines): its first
//!   non-empty line is a data line or an event line of either format;
//! - otherwise a **raw capture** (`eegreader --record-raw`), decoded with libeeg. A file in
//!   which the decoder finds no packet at all is refused with a message naming the formats.

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use libeeg::Stats;

use super::csv_recording::{self, RecordingInfo};
use super::item::{Batch, Format};
use super::line::{Line, LineParser};
use super::raw_capture::{self, RawOptions};
use super::stream::StreamIngest;

/// Bytes read to decide what a file is.
const PREFIX: usize = 64 * 1024;

/// What kind of file was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// An eegreader CSV recording.
    CsvRecording,
    /// eegreader's standard output saved to a file.
    SavedStream(Format),
    /// Raw bytes from a device, decoded.
    RawCapture,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileKind::CsvRecording => f.write_str("CSV recording"),
            FileKind::SavedStream(format) => write!(f, "saved stream ({format})"),
            FileKind::RawCapture => f.write_str("raw capture"),
        }
    }
}

/// A file read for review.
#[derive(Debug)]
pub struct Review {
    /// What the file is.
    pub kind: FileKind,
    /// What a CSV recording's header says; for a raw capture, the rate and start used.
    pub info: RecordingInfo,
    /// The whole session, in order; the last batch ends with `StreamEnded`.
    pub batches: Vec<Batch>,
    /// The decoder's counters, for a raw capture.
    pub decoder_stats: Option<Stats>,
}

/// Why a file cannot be reviewed. Its `Display` is a complete message naming the file.
#[derive(Debug)]
pub struct OpenError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub problem: Problem,
}

/// What went wrong opening a file.
#[derive(Debug)]
pub enum Problem {
    /// It cannot be opened (missing, no permission).
    Open(io::Error),
    /// It is a directory.
    Directory,
    /// Reading it failed part way.
    Read(io::Error),
    /// It has no bytes.
    Empty,
    /// A CSV recording the `csv` reader could not read.
    Csv(String),
    /// Not a recording or a saved stream, and no packet was found decoding it as a capture.
    NotRecognised {
        /// Its size.
        bytes: u64,
    },
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.problem {
            Problem::Open(e) => match e.kind() {
                io::ErrorKind::NotFound => write!(f, "cannot open {path}: there is no such file"),
                io::ErrorKind::PermissionDenied => {
                    write!(
                        f,
                        "cannot open {path}: permission denied (check the file's owner and mode)"
                    )
                }
                _ => write!(f, "cannot open {path}: {e}"),
            },
            Problem::Directory => {
                write!(
                    f,
                    "cannot open {path}: it is a directory; give a CSV recording or a raw capture file"
                )
            }
            Problem::Read(e) => write!(f, "cannot read {path}: {e}"),
            Problem::Empty => write!(f, "cannot review {path}: the file is empty"),
            Problem::Csv(e) => write!(f, "cannot read the CSV recording {path}: {e}"),
            Problem::NotRecognised { bytes } => write!(
                f,
                "cannot review {path}: it is not an eegreader CSV recording or saved text/JSON output, \
                 and no OpenEEG P2/P3 packet was found in its {bytes} bytes read as a raw capture"
            ),
        }
    }
}

impl std::error::Error for OpenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            Problem::Open(e) | Problem::Read(e) => Some(e),
            _ => None,
        }
    }
}

/// Opens `path` for review; `raw` says how to place a raw capture in time.
pub fn open_review(path: &Path, raw: &RawOptions) -> Result<Review, OpenError> {
    let error = |problem| OpenError {
        path: path.to_owned(),
        problem,
    };
    let mut file = File::open(path).map_err(|e| error(Problem::Open(e)))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(error(Problem::Directory));
    }
    let mut prefix = Vec::with_capacity(PREFIX);
    file.by_ref()
        .take(PREFIX as u64)
        .read_to_end(&mut prefix)
        .map_err(|e| error(read_problem(e)))?;
    if prefix.is_empty() {
        return Err(error(Problem::Empty));
    }
    let kind = if csv_recording::is_recording(&prefix) {
        FileKind::CsvRecording
    } else if let Some(format) = saved_stream(&prefix) {
        FileKind::SavedStream(format)
    } else {
        FileKind::RawCapture
    };
    // The bytes already read, then the rest.
    let whole = Cursor::new(prefix).chain(file);
    if kind == FileKind::CsvRecording {
        let (info, batches) = csv_recording::read(whole).map_err(|e| error(csv_problem(e)))?;
        return Ok(Review {
            kind,
            info,
            batches,
            decoder_stats: None,
        });
    }
    if let FileKind::SavedStream(_) = kind {
        let batches = read_stream(whole).map_err(|e| error(read_problem(e)))?;
        return Ok(Review {
            kind,
            info: RecordingInfo::default(),
            batches,
            decoder_stats: None,
        });
    }
    let (batches, stats) = raw_capture::decode(whole, raw).map_err(|e| error(read_problem(e)))?;
    if stats.packets == 0 {
        return Err(error(Problem::NotRecognised {
            bytes: stats.bytes_in,
        }));
    }
    let info = RecordingInfo {
        start_us: Some(raw.start_us),
        nominal_rate_hz: Some(raw.rate_hz),
        ..RecordingInfo::default()
    };
    Ok(Review {
        kind: FileKind::RawCapture,
        info,
        batches,
        decoder_stats: Some(stats),
    })
}

/// A directory opens on Linux and fails on the first read.
fn read_problem(e: io::Error) -> Problem {
    if e.kind() == io::ErrorKind::IsADirectory {
        Problem::Directory
    } else {
        Problem::Read(e)
    }
}

fn csv_problem(e: csv::Error) -> Problem {
    let position = e
        .position()
        .map(|p| format!(" (line {})", p.line()))
        .unwrap_or_default();
    match e.into_kind() {
        csv::ErrorKind::Io(e) => read_problem(e),
        other => Problem::Csv(format!("{other:?}{position}")),
    }
}

/// The format of a saved stream, when the first non-empty line of `prefix` is a data line or
/// an event of either format.
fn saved_stream(prefix: &[u8]) -> Option<Format> {
    let first = prefix
        .split(|&b| b == b'\n')
        .find(|line| !line.iter().all(u8::is_ascii_whitespace))?;
    let mut parser = LineParser::new();
    match parser.parse(first) {
        Line::Sample(..) | Line::Marker(_) => parser.format(),
        Line::Ignored | Line::Garbage => None,
    }
}

/// A saved stream, whole.
fn read_stream(mut reader: impl Read) -> io::Result<Vec<Batch>> {
    let mut stream = StreamIngest::new(LineParser::new());
    let mut batches = Vec::new();
    let mut buf = vec![0; PREFIX];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let _ = stream.push(&buf[..n], |batch| {
            batches.push(batch);
            ControlFlow::Continue(())
        });
    }
    batches.push(stream.finish(None));
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use libeeg::Protocol;
    use libeeg::sim::{SimConfig, Simulator};

    use super::super::item::Marker;
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn samples(review: &Review) -> usize {
        review.batches.iter().map(|b| b.samples.len()).sum()
    }

    const CSV: &str = "\
# OpenEEG recording by eegreader 0.1.0
# nominal_rate_hz=256
kind,sample_index,timestamp_us,counter,ch1,ch2,ch3,ch4,ch5,ch6,ch1_uv,ch2_uv,ch3_uv,ch4_uv,ch5_uv,ch6_uv,switches,lost,detail
protocol,,,,,,,,,,,,,,,,,,P2
packet,0,1700000000000000,17,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
gap,1,1700000000003906,,,,,,,,,,,,,,,3,
packet,4,1700000000015624,21,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
# estimated_rate_hz=257.142857
";

    #[test]
    fn a_csv_recording() {
        let dir = tempfile::tempdir().unwrap();
        let review = open_review(
            &write(&dir, "s.csv", CSV.as_bytes()),
            &RawOptions::default(),
        )
        .unwrap();
        assert_eq!(review.kind, FileKind::CsvRecording);
        assert_eq!(review.info.estimated_rate_hz, Some(257.142857));
        assert_eq!(samples(&review), 2);
        assert!(review.batches.last().unwrap().ends_stream());
    }

    #[test]
    fn a_raw_capture() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = Simulator::new(SimConfig::default()).packets(1000);
        let review = open_review(&write(&dir, "s.bin", &bytes), &RawOptions::default()).unwrap();
        assert_eq!(review.kind, FileKind::RawCapture);
        assert_eq!(samples(&review), 1000);
        assert_eq!(review.decoder_stats.unwrap().packets, 1000);
        assert_eq!(review.info.nominal_rate_hz, Some(256.0));
    }

    /// Longer than the bytes read to detect the kind, so the prefix and the rest join up.
    #[test]
    fn a_raw_capture_longer_than_the_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let n = 3 * PREFIX / 17 + 5;
        let bytes = Simulator::new(SimConfig {
            protocol: Protocol::P2,
            ..SimConfig::default()
        })
        .packets(n);
        let review = open_review(&write(&dir, "big.bin", &bytes), &RawOptions::default()).unwrap();
        assert_eq!(samples(&review), n);
        assert_eq!(review.decoder_stats.unwrap().skipped_bytes, 0);
    }

    #[test]
    fn saved_text_and_json_streams() {
        let dir = tempfile::tempdir().unwrap();
        let line = "1700000000000000|2|17|512|498|530|1023|0|512|15\n";
        let text = format!("# protocol P2\n{}", line.repeat(PREFIX / line.len() + 10));
        let review = open_review(
            &write(&dir, "s.txt", text.as_bytes()),
            &RawOptions::default(),
        )
        .unwrap();
        assert_eq!(review.kind, FileKind::SavedStream(Format::Text));
        assert_eq!(samples(&review), PREFIX / line.len() + 10);
        assert_eq!(
            review.batches.iter().map(|b| b.garbage_lines).sum::<u64>(),
            0
        );

        let json = r#"{"timestamp_us":1,"sample_index":0,"version":2,"frame":0,"channels":[1,2,3,4,5,6],"microvolts":[0,0,0,0,0,0],"switches":15}"#;
        let review = open_review(
            &write(&dir, "s.jsonl", format!("\n{json}\n").as_bytes()),
            &RawOptions::default(),
        )
        .unwrap();
        assert_eq!(review.kind, FileKind::SavedStream(Format::Json));
        assert_eq!(samples(&review), 1);
        assert_eq!(
            review.batches[0].markers[0].marker,
            Marker::InputFormat(Format::Json)
        );
    }

    #[test]
    fn clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let raw = RawOptions::default();
        let message = |path: &Path| open_review(path, &raw).unwrap_err().to_string();

        let missing = dir.path().join("missing.csv");
        assert_eq!(
            message(&missing),
            format!("cannot open {}: there is no such file", missing.display())
        );

        assert_eq!(
            message(dir.path()),
            format!(
                "cannot open {}: it is a directory; give a CSV recording or a raw capture file",
                dir.path().display()
            )
        );

        let empty = write(&dir, "empty.bin", b"");
        assert_eq!(
            message(&empty),
            format!("cannot review {}: the file is empty", empty.display())
        );

        let notes = write(&dir, "notes.txt", b"shopping list\nmilk\n");
        let m = message(&notes);
        assert!(
            m.starts_with(&format!(
                "cannot review {}: it is not an eegreader CSV recording",
                notes.display()
            )),
            "{m}"
        );
        assert!(
            m.ends_with("no OpenEEG P2/P3 packet was found in its 19 bytes read as a raw capture"),
            "{m}"
        );
    }
}
