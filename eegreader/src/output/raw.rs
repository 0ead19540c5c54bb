//! `--record-raw FILE`: the bytes exactly as received, nothing added, so the file replays with
//! `--replay FILE` into the same packets and events (arrival times aside).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use super::Sink;
use super::file::{self, FileTarget};
use crate::error::Error;
use crate::record::{Note, Record};

/// Records the received bytes to a file.
#[derive(Debug)]
pub struct RawSink {
    out: BufWriter<FileTarget>,
    file: Arc<File>,
    name: String,
    written: u64,
}

impl RawSink {
    /// Creates (or truncates) the capture file at `path`.
    pub fn create(path: &Path) -> Result<Self, Error> {
        Self::on(path, |target| target)
    }

    /// Tests only: the disk fills up when the file reaches `len` bytes.
    #[cfg(test)]
    fn create_on_small_disk(path: &Path, len: u64) -> Result<Self, Error> {
        Self::on(path, |target| target.fill_disk_at(len))
    }

    fn on(path: &Path, target: impl FnOnce(FileTarget) -> FileTarget) -> Result<Self, Error> {
        let name = format!("raw capture {}", path.display());
        let target = target(FileTarget::create(path, &name)?);
        let file = target.handle();
        Ok(Self {
            out: BufWriter::with_capacity(file::BUFFER, target),
            file,
            name,
            written: 0,
        })
    }
}

impl Sink for RawSink {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| file::context(&self.name, e))?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn record(&mut self, _record: &Record) -> io::Result<()> {
        Ok(())
    }

    fn note(&mut self, _note: &Note) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| file::context(&self.name, e))
    }

    /// Flushes and syncs the file to the disk.
    fn finish(&mut self, _estimated_rate_hz: f64) -> io::Result<()> {
        self.flush()?;
        file::sync(&self.file).map_err(|e| file::context(&self.name, e))
    }

    /// Bytes received so far (the file's length once flushed).
    fn size(&self) -> u64 {
        self.written
    }
}

#[cfg(test)]
mod tests {
    use libeeg::{Decoder, DecoderConfig, Event};

    use super::*;

    fn stream() -> Vec<u8> {
        // Bytes a non-raw tty would have eaten, and every other value.
        let mut bytes: Vec<u8> = (0..=255).collect();
        bytes.extend_from_slice(&[0x03, 0x11, 0x13, 0x1a, 0x1c, 0x0d, 0x0a]);
        bytes
    }

    #[test]
    fn the_file_holds_exactly_the_bytes_received() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.bin");
        let mut sink = RawSink::create(&path).unwrap();
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
    }

    #[test]
    fn a_recorded_stream_decodes_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.bin");
        let mut bytes = Vec::new();
        for i in 0..100u16 {
            libeeg::encode::encode_p2(i as u8, &[i, 512, 3, 1023, 0x0d, 0x311], 15, &mut bytes);
        }
        let mut sink = RawSink::create(&path).unwrap();
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
    fn a_full_disk_names_the_file_and_keeps_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.bin");
        let mut sink = RawSink::create_on_small_disk(&path, 300).unwrap();
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
    fn dev_full_names_the_file() {
        let path = Path::new("/dev/full");
        let Ok(mut sink) = RawSink::create(path) else {
            return;
        };
        sink.bytes(b"abc").unwrap();
        let e = sink.flush().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert!(e.to_string().starts_with("raw capture /dev/full: "), "{e}");
    }
}
