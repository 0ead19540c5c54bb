//! `--record-wav FILE`: the six channels as a 16-bit PCM WAV file (written with hound), for
//! audio and signal tools.
//!
//! - Sample rate: the nominal rate rounded to whole hertz (WAV has no fractional rates), at
//!   least 1 Hz; the estimated rate is in the summary and the CSV recording.
//! - Samples: `(code - 512) * 64`. The 10-bit range fills the 16 bits (code 0 is -32768, 512
//!   is 0, 1023 is 32704) and the mapping is exact both ways: `code = sample / 64 + 512`.
//!   Microvolts are `sample / 64 * scale`; the scale is not stored in the file.
//! - Lost packets become silence (mid-scale, 0) so that time stays aligned, at most 10 s of it
//!   per gap: a longer gap (an outage, a clock jump) is shortened to 10 s rather than writing
//!   megabytes of nothing. The exact counts are in the JSON, text and CSV outputs. Outages are
//!   aligned through the `Note::Lost` reported after them; `DeviceGone`/`DeviceBack` write
//!   nothing themselves.
//! - The header is kept valid as the file grows: every [`Sink::flush`] (at least once a second)
//!   goes through hound's `WavWriter::flush`, which rewrites the RIFF and data lengths before
//!   flushing. After `kill -9` the file reads up to the last flush.
//! - WAV lengths are 32-bit: a file holds at most 4 GiB, about 16 days of six channels at
//!   256 Hz. Past that, writing fails with `FileTooLarge` and the file stays valid.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;
use std::sync::Arc;

use hound::{SampleFormat, WavSpec, WavWriter};
use libeeg::{CHANNELS, MAX_CODE, MID_SCALE};

use super::file::{self, FileTarget};
use super::{SessionInfo, Sink};
use crate::error::Error;
use crate::record::{Note, Record};

/// Header bytes: hound writes WAVE_FORMAT_EXTENSIBLE (68 bytes up to the data) for more than
/// two channels.
const HEADER_LEN: u64 = 68;

/// Most data bytes a WAV file can describe (its RIFF length, data plus 60 header bytes, is a
/// `u32`), in whole frames.
const MAX_DATA: u64 = (u32::MAX as u64 - (HEADER_LEN - 8)) / FRAME * FRAME;

/// Bytes per frame: one 16-bit sample per channel.
const FRAME: u64 = 2 * CHANNELS as u64;

/// Longest silence written for one gap, in seconds.
const MAX_SILENCE_S: u64 = 10;

/// Records the channels as 16-bit PCM.
pub struct WavSink {
    /// `None` once finished.
    wav: Option<WavWriter<BufWriter<FileTarget>>>,
    file: Arc<File>,
    name: String,
    rate_hz: u32,
    /// Data bytes when finished.
    finished_data: u64,
}

impl std::fmt::Debug for WavSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavSink")
            .field("name", &self.name)
            .field("rate_hz", &self.rate_hz)
            .finish_non_exhaustive()
    }
}

impl WavSink {
    /// Creates (or truncates) the file at `path`, at `session`'s nominal rate, and writes a
    /// valid header for an empty recording.
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
        let name = format!("WAV file {}", path.display());
        let target = target(FileTarget::create(path, &name)?);
        let file = target.handle();
        // `as` saturates: NaN gives 0, hence the floor of 1 Hz.
        let rate_hz = (session.nominal_rate_hz.round() as u32).max(1);
        let spec = WavSpec {
            channels: CHANNELS as u16,
            sample_rate: rate_hz,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        let cannot_write = |e: hound::Error| file::cannot("write", &name, path, &io_error(e));
        let mut wav = WavWriter::new(BufWriter::with_capacity(file::BUFFER, target), spec)
            .map_err(cannot_write)?;
        // The header on disk now: a valid, empty recording (and a full disk or an unseekable
        // target is reported here rather than later).
        wav.flush().map_err(cannot_write)?;
        Ok(Self {
            wav: Some(wav),
            file,
            name,
            rate_hz,
            finished_data: 0,
        })
    }

    /// Writes `frames` frames, each from `frame()`, or fails (writing nothing) when the file
    /// would pass the WAV size limit.
    fn write_frames(&mut self, frames: u64, frame: impl Fn() -> [i16; CHANNELS]) -> io::Result<()> {
        let wav = self.wav.as_mut().ok_or_else(|| finished(&self.name))?;
        let data = u64::from(wav.len()) * 2;
        if data.saturating_add(frames.saturating_mul(FRAME)) > MAX_DATA {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "{}: a WAV file holds at most 4 GiB (16 days at 256 Hz); record longer sessions as CSV or raw",
                    self.name
                ),
            ));
        }
        for _ in 0..frames {
            for sample in frame() {
                wav.write_sample(sample)
                    .map_err(|e| file::context(&self.name, io_error(e)))?;
            }
        }
        Ok(())
    }
}

/// A 10-bit code as a 16-bit sample: `(code - 512) * 64`.
fn sample(code: u16) -> i16 {
    // Codes are at most 1023; anything above is clamped rather than wrapped.
    let centred = i32::from(code.min(MAX_CODE)) - i32::from(MID_SCALE);
    (centred * 64) as i16
}

impl Sink for WavSink {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        let samples = record.samples.map(sample);
        self.write_frames(1, || samples)
    }

    fn note(&mut self, note: &Note) -> io::Result<()> {
        match note {
            Note::Lost { count, .. } => {
                let frames = (*count).min(MAX_SILENCE_S * u64::from(self.rate_hz));
                self.write_frames(frames, || [0; CHANNELS])
            }
            // A restart loses nothing: the next frame follows the last, as the packets do.
            _ => Ok(()),
        }
    }

    /// Rewrites the header's lengths and pushes everything to the OS (hound's `flush`).
    fn flush(&mut self) -> io::Result<()> {
        let wav = self.wav.as_mut().ok_or_else(|| finished(&self.name))?;
        wav.flush()
            .map_err(|e| file::context(&self.name, io_error(e)))
    }

    /// Finalises the header, flushes and syncs.
    fn finish(&mut self, _estimated_rate_hz: f64) -> io::Result<()> {
        let wav = self.wav.take().ok_or_else(|| finished(&self.name))?;
        self.finished_data = u64::from(wav.len()) * 2;
        wav.finalize()
            .map_err(io_error)
            .and_then(|()| file::sync(&self.file))
            .map_err(|e| file::context(&self.name, e))
    }

    /// The file's length once flushed: header and samples.
    fn size(&self) -> u64 {
        HEADER_LEN
            + self
                .wav
                .as_ref()
                .map_or(self.finished_data, |wav| u64::from(wav.len()) * 2)
    }
}

/// hound's error as an I/O error, keeping the I/O error's kind.
fn io_error(e: hound::Error) -> io::Error {
    match e {
        hound::Error::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

fn finished(name: &str) -> io::Error {
    io::Error::other(format!("{name}: already finished"))
}

#[cfg(test)]
mod tests {
    use hound::WavReader;

    use super::super::text::tests::record;
    use super::*;

    fn session(rate: f64) -> SessionInfo {
        SessionInfo {
            source: "simulator".to_owned(),
            profile: "modular-eeg".to_owned(),
            microvolts_per_lsb: 0.5,
            nominal_rate_hz: rate,
            start_us: 0,
            labels: (1..=6).map(|i| format!("ch{i}")).collect(),
        }
    }

    fn frames(path: &Path) -> (hound::WavSpec, Vec<[i16; CHANNELS]>) {
        let mut reader = WavReader::open(path).unwrap();
        let spec = reader.spec();
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples.len() % CHANNELS, 0);
        (
            spec,
            samples
                .chunks(CHANNELS)
                .map(|f| f.try_into().unwrap())
                .collect(),
        )
    }

    #[test]
    fn the_mapping_fills_16_bits_and_inverts() {
        assert_eq!(sample(0), i16::MIN);
        assert_eq!(sample(512), 0);
        assert_eq!(sample(1023), 32704);
        assert_eq!(sample(5000), 32704);
        for code in 0..=MAX_CODE {
            assert_eq!((i32::from(sample(code)) / 64 + 512) as u16, code);
        }
    }

    #[test]
    fn samples_and_silence_read_back_with_hound() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wav");
        let mut sink = WavSink::create(&path, &session(257.14)).unwrap();
        sink.note(&Note::Protocol(libeeg::Protocol::P2)).unwrap();
        sink.record(&record(0, 0)).unwrap();
        sink.note(&Note::Lost {
            count: 3,
            first_sample_index: 1,
            timestamp_us: 0,
        })
        .unwrap();
        sink.record(&record(4, 4)).unwrap();
        // A clock jump's worth of loss is cut to 10 s.
        sink.note(&Note::Lost {
            count: 1_000_000,
            first_sample_index: 5,
            timestamp_us: 0,
        })
        .unwrap();
        sink.record(&record(1_000_005, 9)).unwrap();
        sink.note(&Note::Restart {
            sample_index: 1_000_006,
            timestamp_us: 0,
            previous_counter: 9,
            counter: 0,
            evidence: libeeg::RestartEvidence::ResetSignal,
        })
        .unwrap();
        sink.record(&record(1_000_006, 0)).unwrap();
        sink.finish(257.142).unwrap();
        assert_eq!(sink.size(), std::fs::metadata(&path).unwrap().len());

        let (spec, frames) = frames(&path);
        assert_eq!(spec.channels, 6);
        assert_eq!(spec.sample_rate, 257);
        assert_eq!(spec.bits_per_sample, 16);
        assert_eq!(spec.sample_format, SampleFormat::Int);
        assert_eq!(frames.len(), 1 + 3 + 1 + 2570 + 1 + 1);
        let packet = [0, -14 * 64, 18 * 64, 32704, -32768, 0];
        assert_eq!(frames[0], packet);
        assert!(frames[1..4].iter().all(|f| *f == [0; 6]));
        assert_eq!(frames[4], packet);
        assert!(frames[5..2575].iter().all(|f| *f == [0; 6]));
        assert_eq!(frames[2575], packet);
        // No silence for the restart.
        assert_eq!(frames[2576], packet);
    }

    #[test]
    fn a_killed_recording_reads_up_to_the_last_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("killed.wav");
        let mut sink = WavSink::create(&path, &session(256.0)).unwrap();
        // Readable, and empty, before anything is written.
        assert_eq!(frames(&path).1.len(), 0);
        for i in 0..300 {
            let mut r = record(i, i as u8);
            r.samples[0] = (i % 1024) as u16;
            sink.record(&r).unwrap();
        }
        sink.flush().unwrap();
        assert_eq!(sink.size(), std::fs::metadata(&path).unwrap().len());
        for i in 300..400 {
            sink.record(&record(i, i as u8)).unwrap();
        }
        // kill -9: neither finish nor any Drop (hound's would fix the header) runs.
        std::mem::forget(sink);
        let (spec, frames) = frames(&path);
        assert_eq!(spec.sample_rate, 256);
        assert_eq!(frames.len(), 300);
        for (i, frame) in frames.iter().enumerate() {
            assert_eq!(frame[0], sample(i as u16), "frame {i}");
            assert_eq!(frame[1..], [-14 * 64, 18 * 64, 32704, -32768, 0]);
        }
    }

    #[test]
    fn a_full_disk_names_the_file_and_keeps_the_flushed_recording() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full.wav");
        // Room for the header and 1000 frames (and a half).
        let mut sink =
            WavSink::create_on_small_disk(&path, &session(256.0), HEADER_LEN + 1000 * FRAME + 6)
                .unwrap();
        for i in 0..500 {
            sink.record(&record(i, i as u8)).unwrap();
        }
        sink.flush().unwrap();
        // Without a flush, the samples collect in the 64 KiB buffer; the write that spills it
        // meets the full disk.
        let error = (500..100_000)
            .map(|i| sink.record(&record(i, i as u8)))
            .find_map(Result::err)
            .expect("the disk fills up");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert!(
            error
                .to_string()
                .starts_with(&format!("WAV file {}: ", path.display())),
            "{error}"
        );
        assert!(sink.flush().is_err());
        assert!(sink.finish(256.0).is_err());
        // The header still describes the last successful flush: 500 frames, though the data
        // after them filled the disk.
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            HEADER_LEN + 1000 * FRAME + 6
        );
        let (_, frames) = frames(&path);
        assert_eq!(frames.len(), 500);
        assert!(
            frames
                .iter()
                .all(|f| *f == [0, -14 * 64, 18 * 64, 32704, -32768, 0])
        );
    }

    #[test]
    fn the_size_limit_is_an_error_not_a_wrap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("limit.wav");
        let mut sink = WavSink::create(&path, &session(256.0)).unwrap();
        sink.record(&record(0, 0)).unwrap();
        // One frame more than the format can describe is refused before anything is written.
        let room = MAX_DATA / FRAME - 1;
        let e = sink.write_frames(room + 1, || [0; CHANNELS]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(
            e.to_string().starts_with(&format!(
                "WAV file {}: a WAV file holds at most 4 GiB",
                path.display()
            )),
            "{e}"
        );
        sink.finish(256.0).unwrap();
        assert_eq!(frames(&path).1.len(), 1);
    }

    #[test]
    fn dev_full_fails_at_creation_naming_the_file() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let e = WavSink::create(Path::new("/dev/full"), &session(256.0))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cannot write WAV file /dev/full: "), "{e}");
    }
}
