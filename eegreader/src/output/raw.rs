//! `--record-raw FILE`: the bytes exactly as received in FILE, nothing added, for any tool; and
//! beside it, in FILE.arrivals, when each read arrived, with the read timeouts and the device
//! going and coming back (format: [`arrivals`]), so that `--replay FILE` is the session again:
//! the same packets, timestamps, events and losses.
//!
//! Two handles share one recording: the [`RawSink`] among the outputs takes the bytes, the
//! flushes and the end; the acquisition loop gives the [`ArrivalLog`] every input once its bytes
//! went to the sink. Arrival lines reach their file only right after the capture was flushed,
//! so they never run ahead of it on disk, whenever the process is killed. A capture that is not
//! a regular file (a pipe, `/dev/null`) gets no arrivals file.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use super::file::{self, FileTarget};
use super::{SessionInfo, Sink};
use crate::error::Error;
use crate::record::{Note, Record};
use crate::source::Input;
use crate::source::arrivals::{self, Header, LineWriter};

/// The raw recording among the outputs: the capture's bytes, flushes and end.
#[derive(Debug)]
pub struct RawSink {
    recording: Rc<RefCell<Recording>>,
}

/// The raw recording's arrivals file, told every input by the acquisition loop.
#[derive(Debug)]
pub struct ArrivalLog {
    recording: Rc<RefCell<Recording>>,
}

#[derive(Debug)]
struct Recording {
    out: BufWriter<FileTarget>,
    file: Arc<File>,
    name: String,
    written: u64,
    arrivals: Option<Arrivals>,
}

#[derive(Debug)]
struct Arrivals {
    out: FileTarget,
    file: Arc<File>,
    name: String,
    lines: LineWriter,
    /// Lines not yet written: their bytes may still be in the capture's buffer.
    pending: Vec<u8>,
}

impl RawSink {
    /// Creates (or truncates) the capture file at `path` for `session`. With `timed` (a source
    /// with arrival times) the arrivals file beside it too, header written at once; without, a
    /// stale arrivals file of that name is removed, so that no replay pairs it with this capture.
    pub fn create(
        path: &Path,
        session: &SessionInfo,
        timed: bool,
    ) -> Result<(Self, Option<ArrivalLog>), Error> {
        Self::on(path, session, timed, |target| target)
    }

    /// Tests only: the disk fills up when the capture reaches `len` bytes.
    #[cfg(test)]
    fn create_on_small_disk(
        path: &Path,
        session: &SessionInfo,
        len: u64,
    ) -> Result<(Self, Option<ArrivalLog>), Error> {
        Self::on(path, session, true, |target| target.fill_disk_at(len))
    }

    fn on(
        path: &Path,
        session: &SessionInfo,
        timed: bool,
        target: impl FnOnce(FileTarget) -> FileTarget,
    ) -> Result<(Self, Option<ArrivalLog>), Error> {
        let name = format!("raw capture {}", path.display());
        let target = target(FileTarget::create(path, &name)?);
        let file = target.handle();
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        let arrivals = match (regular, timed) {
            (true, true) => Some(Arrivals::create(path, session)?),
            (true, false) => {
                remove_stale(&arrivals::path_of(path))?;
                None
            }
            (false, _) => None,
        };
        let timed = arrivals.is_some();
        let recording = Rc::new(RefCell::new(Recording {
            out: BufWriter::with_capacity(file::BUFFER, target),
            file,
            name,
            written: 0,
            arrivals,
        }));
        let log = timed.then(|| ArrivalLog {
            recording: Rc::clone(&recording),
        });
        Ok((Self { recording }, log))
    }
}

impl ArrivalLog {
    /// Logs `input`, whose bytes (if any) the [`RawSink`] already has.
    pub fn log(&self, input: &Input<'_>) -> Result<(), Error> {
        self.recording.borrow_mut().log(input).map_err(|e| {
            let error = Error::new(e.to_string());
            if e.kind() == io::ErrorKind::StorageFull {
                error.fix("the disk is full: free some space; what was recorded so far is intact")
            } else {
                error
            }
        })
    }
}

impl Recording {
    fn log(&mut self, input: &Input<'_>) -> io::Result<()> {
        let Some(arrivals) = &mut self.arrivals else {
            return Ok(());
        };
        arrivals.lines.push(input, &mut arrivals.pending);
        if arrivals.pending.len() >= file::BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// The capture, then the arrival lines of the bytes now in it.
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| file::context(&self.name, e))?;
        match &mut self.arrivals {
            Some(arrivals) => arrivals.write_pending(),
            None => Ok(()),
        }
    }
}

impl Arrivals {
    fn create(capture: &Path, session: &SessionInfo) -> Result<Self, Error> {
        let path = arrivals::path_of(capture);
        let name = format!("arrivals file {}", path.display());
        let mut out = FileTarget::create(&path, &name)?;
        let header = Header::new(session.start_us, session.source.clone());
        let mut text = Vec::new();
        let lines = LineWriter::start(&header, &mut text);
        // On disk before the first captured byte.
        out.write_all(&text)
            .map_err(|e| file::cannot("write", &name, &path, &e))?;
        Ok(Self {
            file: out.handle(),
            out,
            name,
            lines,
            pending: Vec::new(),
        })
    }

    fn write_pending(&mut self) -> io::Result<()> {
        self.out
            .write_all(&self.pending)
            .map_err(|e| file::context(&self.name, e))?;
        self.pending.clear();
        Ok(())
    }
}

/// Removes the arrivals file at `path` left by an earlier recording, if there is one.
fn remove_stale(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io(
            format!(
                "cannot remove {}, left by an earlier recording",
                path.display()
            ),
            &e,
        )
        .fix("remove it yourself: a replay would take it for the times of this new capture")),
        _ => Ok(()),
    }
}

impl Sink for RawSink {
    fn name(&self) -> String {
        self.recording.borrow().name.clone()
    }

    fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut recording = self.recording.borrow_mut();
        let recording = &mut *recording;
        recording
            .out
            .write_all(bytes)
            .map_err(|e| file::context(&recording.name, e))?;
        recording.written += bytes.len() as u64;
        Ok(())
    }

    fn record(&mut self, _record: &Record) -> io::Result<()> {
        Ok(())
    }

    fn note(&mut self, _note: &Note) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.recording.borrow_mut().flush()
    }

    /// Flushes the capture and syncs it to the disk, then the arrivals: a capture that failed
    /// never has arrival lines beyond its end.
    fn finish(&mut self, _estimated_rate_hz: f64) -> io::Result<()> {
        let mut recording = self.recording.borrow_mut();
        let recording = &mut *recording;
        let capture = |e| file::context(&recording.name, e);
        recording.out.flush().map_err(capture)?;
        file::sync(&recording.file).map_err(capture)?;
        match &mut recording.arrivals {
            Some(arrivals) => {
                arrivals.write_pending()?;
                file::sync(&arrivals.file).map_err(|e| file::context(&arrivals.name, e))
            }
            None => Ok(()),
        }
    }

    /// Bytes received so far (the capture's length once flushed).
    fn size(&self) -> u64 {
        self.recording.borrow().written
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use libeeg::{Decoder, DecoderConfig, Event};

    use super::*;
    use crate::source::Moment;
    use crate::source::arrivals::{Entry, Reader, survey};

    fn stream() -> Vec<u8> {
        // Bytes a non-raw tty would have eaten, and every other value.
        let mut bytes: Vec<u8> = (0..=255).collect();
        bytes.extend_from_slice(&[0x03, 0x11, 0x13, 0x1a, 0x1c, 0x0d, 0x0a]);
        bytes
    }

    fn session() -> SessionInfo {
        SessionInfo {
            source: "/dev/ttyUSB0 at 57600 baud".into(),
            profile: "modular-eeg".into(),
            microvolts_per_lsb: 0.5,
            nominal_rate_hz: 256.0,
            start_us: 1_700_000_000_000_000,
            labels: Vec::new(),
        }
    }

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    /// Gives `input` to the sink and the log in the acquisition loop's order.
    fn receive(sink: &mut RawSink, log: &ArrivalLog, input: &Input<'_>) {
        if let Input::Bytes(bytes, _) = input {
            sink.bytes(bytes).unwrap();
        }
        log.log(input).unwrap();
    }

    /// A recording of `s.bin` in `dir` from a source with arrival times.
    fn timed(dir: &tempfile::TempDir) -> (std::path::PathBuf, RawSink, ArrivalLog) {
        let path = dir.path().join("s.bin");
        let (sink, log) = RawSink::create(&path, &session(), true).unwrap();
        (path, sink, log.expect("an arrivals file"))
    }

    fn entries(path: &Path) -> Vec<Entry> {
        let mut reader = Reader::open(&arrivals::path_of(path)).unwrap().unwrap();
        std::iter::from_fn(|| reader.next().unwrap()).collect()
    }

    #[test]
    fn the_file_holds_exactly_the_bytes_received() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.bin");
        let (mut sink, log) = RawSink::create(&path, &session(), false).unwrap();
        assert!(log.is_none(), "no times, no arrivals file");
        let bytes = stream();
        for chunk in bytes.chunks(7) {
            sink.bytes(chunk).unwrap();
            sink.record(&super::super::text::tests::record(0, 0))
                .unwrap();
            sink.note(&Note::Resync { skipped_bytes: 1 }).unwrap();
        }
        sink.flush().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        sink.bytes(b"tail").unwrap();
        sink.finish(256.0).unwrap();
        assert_eq!(sink.size(), bytes.len() as u64 + 4);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), sink.size());
        assert!(!arrivals::path_of(&path).exists());
    }

    #[test]
    fn a_recorded_stream_decodes_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.bin");
        let mut bytes = Vec::new();
        for i in 0..100u16 {
            libeeg::encode::encode_p2(i as u8, &[i, 512, 3, 1023, 0x0d, 0x311], 15, &mut bytes);
        }
        let (mut sink, _) = RawSink::create(&path, &session(), false).unwrap();
        for chunk in bytes.chunks(13) {
            sink.bytes(chunk).unwrap();
        }
        sink.finish(256.0).unwrap();
        let decode = |bytes: &[u8]| {
            let mut decoder = Decoder::new(DecoderConfig::default());
            let mut events = Vec::new();
            decoder.decode(bytes, |e| events.push(e));
            decoder.finish();
            events.extend(std::iter::from_fn(|| decoder.poll()));
            events
        };
        let replayed = decode(&std::fs::read(&path).unwrap());
        assert_eq!(replayed, decode(&bytes));
        assert_eq!(
            replayed
                .iter()
                .filter(|e| matches!(e, Event::Packet(_)))
                .count(),
            100
        );
    }

    #[test]
    fn every_input_is_logged_beside_the_capture_once_it_is_flushed() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut sink, log) = timed(&dir);
        let header = "eegreader arrivals 1\nwall_start_us 1700000000000000\nsource /dev/ttyUSB0 at 57600 baud\n";
        let arrivals = arrivals::path_of(&path);
        assert_eq!(std::fs::read_to_string(&arrivals).unwrap(), header);

        let gone = Moment {
            at: ms(30),
            wall_us: 1_700_000_000_031_000,
        };
        let back = Moment {
            at: ms(530),
            wall_us: 1_700_000_000_531_000,
        };
        let inputs = [
            Input::Bytes(b"abc", Some(ms(12))),
            Input::Bytes(b"defgh", Some(ms(16))),
            Input::Quiet(ms(30)),
            Input::Gone {
                reason: "s disconnected (hang-up)".into(),
                when: gone,
            },
            Input::Back {
                device: "s (USB serial A\\1)".into(),
                when: back,
            },
            Input::Bytes(b"ij", Some(ms(547))),
            Input::End,
        ];
        for input in &inputs {
            receive(&mut sink, &log, input);
        }
        // Nothing beyond the header until the capture is flushed.
        assert_eq!(std::fs::read_to_string(&arrivals).unwrap(), header);
        sink.flush().unwrap();
        assert_eq!(
            std::fs::read_to_string(&arrivals).unwrap(),
            format!(
                "{header}12000 3\n4000 5\n14000 quiet\n0 gone 1700000000031000 s disconnected (hang-up)\n\
                 500000 back 1700000000531000 s (USB serial A\\\\1)\n17000 2\n"
            )
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"abcdefghij");
        assert_eq!(
            entries(&path),
            [
                Entry::Read { len: 3, at: ms(12) },
                Entry::Read { len: 5, at: ms(16) },
                Entry::Quiet { at: ms(30) },
                Entry::Gone {
                    at: gone.at,
                    wall_us: gone.wall_us,
                    reason: "s disconnected (hang-up)".into(),
                },
                Entry::Back {
                    at: back.at,
                    wall_us: back.wall_us,
                    device: "s (USB serial A\\1)".into(),
                },
                Entry::Read {
                    len: 2,
                    at: ms(547)
                },
            ]
        );
        sink.finish(256.0).unwrap();
    }

    #[test]
    fn the_arrivals_never_run_ahead_of_the_capture_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut sink, log) = timed(&dir);
        let arrivals = arrivals::path_of(&path);
        let packet = [0xA5; 17];
        let mut lines_seen = 0;
        // Enough reads for the arrival lines to outgrow their buffer several times over.
        for i in 0..30_000u64 {
            receive(&mut sink, &log, &Input::Bytes(&packet, Some(ms(4 * i))));
            if i % 997 == 0 {
                let on_disk = std::fs::metadata(&path).unwrap().len();
                let recorded = survey(&arrivals, on_disk)
                    .unwrap_or_else(|e| panic!("after read {i}: {e}"))
                    .unwrap();
                lines_seen = lines_seen.max(recorded.reads);
            }
        }
        assert!(lines_seen > 10_000, "the lines never reached the file");
        sink.finish(256.0).unwrap();
        let recorded = survey(&arrivals, 30_000 * 17).unwrap().unwrap();
        assert_eq!((recorded.reads, recorded.bytes), (30_000, 30_000 * 17));
        assert_eq!(recorded.span, ms(4 * 29_999));
    }

    #[test]
    fn a_full_disk_keeps_the_arrivals_within_the_capture() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bin");
        let (mut sink, log) = RawSink::create_on_small_disk(&path, &session(), 250).unwrap();
        let log = log.unwrap();
        for i in 0..2 {
            receive(&mut sink, &log, &Input::Bytes(&[1; 100], Some(ms(i))));
        }
        sink.flush().unwrap();
        receive(&mut sink, &log, &Input::Bytes(&[2; 100], Some(ms(3))));
        assert!(sink.finish(256.0).is_err());
        // The capture holds 250 bytes: the third read is not in the arrivals file.
        let recorded = survey(&arrivals::path_of(&path), 250).unwrap().unwrap();
        assert_eq!((recorded.reads, recorded.bytes), (2, 200));
    }

    #[test]
    fn bytes_without_a_time_end_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut sink, log) = timed(&dir);
        receive(&mut sink, &log, &Input::Bytes(b"timed", Some(ms(5))));
        receive(&mut sink, &log, &Input::Bytes(b"untimed", None));
        receive(&mut sink, &log, &Input::Quiet(ms(100)));
        sink.finish(256.0).unwrap();
        assert_eq!(entries(&path), [Entry::Read { len: 5, at: ms(5) }]);
    }

    #[test]
    fn a_capture_without_times_removes_a_stale_arrivals_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bin");
        let arrivals = arrivals::path_of(&path);
        std::fs::write(&arrivals, "eegreader arrivals 1\nwall_start_us 0\n").unwrap();
        let (mut sink, log) = RawSink::create(&path, &session(), false).unwrap();
        assert!(log.is_none());
        assert!(
            !arrivals.exists(),
            "a replay would pair it with the new capture"
        );
        sink.finish(256.0).unwrap();
    }

    #[test]
    fn a_full_disk_names_the_file_and_keeps_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.bin");
        let (mut sink, _) = RawSink::create_on_small_disk(&path, &session(), 300).unwrap();
        sink.bytes(&[1; 200]).unwrap();
        sink.flush().unwrap();
        sink.bytes(&[2; 200]).unwrap();
        let e = sink.flush().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert!(
            e.to_string()
                .contains(&format!("raw capture {}: ", path.display())),
            "{e}"
        );
        assert!(sink.finish(256.0).is_err());
        let content = std::fs::read(&path).unwrap();
        assert_eq!(&content[..200], &[1; 200]);
        assert!(content[200..].iter().all(|&b| b == 2));
    }

    #[test]
    fn dev_full_names_the_file_and_gets_no_arrivals_file() {
        let path = Path::new("/dev/full");
        let Ok((mut sink, log)) = RawSink::create(path, &session(), true) else {
            return;
        };
        assert!(log.is_none(), "a device is not a regular file");
        sink.bytes(b"abc").unwrap();
        let e = sink.flush().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert!(e.to_string().starts_with("raw capture /dev/full: "), "{e}");
    }
}
