//! `--record-edf FILE`: EDF+ for EEG tools (MNE-Python, EDFbrowser, pyedflib, EEGLAB).
//!
//! - Signals: the six channels as codes 0..1023 (digital minimum and maximum), in microvolts
//!   through the device profile (physical minimum and maximum are codes 0 and 1023 in uV), so
//!   every value reads back exactly to one quantisation step; then the "EDF Annotations" signal.
//! - Rate: a data record holds the nominal rate rounded to whole samples (256), which is one
//!   second at the nominal rate. EDF needs a whole number of samples per record, and the real
//!   rate (about 257.14 Hz on most boards) is only known once the clock model has seen the
//!   stream, so the record duration carries it: it is written as samples / nominal rate (1 s
//!   at 256 Hz) and, when the session ends, rewritten as samples / estimated rate (0.995556 s
//!   for 257.14 Hz) together with every onset in the annotation signal. Readers then report the
//!   estimated rate and place samples at their real times. A file cut short (`kill -9`) keeps
//!   the nominal duration, and its onsets agree with it; so does a file whose annotation blocks
//!   are too full to take the longer onsets.
//! - Gaps: the file is always EDF+C. Lost packets become mid-scale samples (0 uV) under an
//!   annotation `BAD_ACQ_SKIP lost N packets` that covers exactly the lost samples, so time
//!   stays aligned and nothing invented passes as data. EDF+D could skip the gap instead, but
//!   MNE-Python (1.13) ignores the record onsets of EDF+D and joins the records, which would
//!   silently shift everything after a gap. An outage is filled the same way (about 11 MB per
//!   hour); its extent is the `Note::Lost` reported after the device comes back.
//! - Annotations: lost packets (with the count and duration), resyncs (skipped bytes), device
//!   gone and back, device restarts (`device restart (reset signal): counter 57 -> 0`, at the
//!   first packet after it), and switch presses and releases (which switch). A restart is no
//!   gap: no packet is missing, so nothing is filled, and the time a live device spent booting
//!   is not in the file (its samples follow one another at the record rate). Each data record
//!   carries 2048 bytes of annotations, about 45 events; more in one second wait for the next
//!   records, and what still does not fit at the end is counted in one last annotation. (A
//!   replay of a badly damaged capture can have more; the CSV and JSON outputs list every
//!   event.)
//! - Crash safety: every [`Sink::flush`] (at least once a second) writes the complete records
//!   and the record in progress, padded with mid-scale samples under a `BAD_ACQ_SKIP`
//!   annotation, then the header's record count: after `kill -9` the file opens in every
//!   reader and lacks at most the samples since the last flush. The record in progress is
//!   rewritten in place as it fills.
//! - End: the last, partial record is padded the same way (annotated, not dropped: dropping
//!   would lose up to a second of real samples).
//! - Header: patient `X X X X`; recording `Startdate DD-MMM-YYYY X X OpenEEG_<profile>`; start
//!   date and time are the session start in UTC, to the second (EDF's resolution).

mod header;
mod tal;
mod texts;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use libeeg::{CHANNELS, MAX_CODE, MID_SCALE};

use self::tal::{Annotation, Block};
use super::file::{self, FileTarget};
use super::{SessionInfo, Sink};
use crate::error::Error;
use crate::record::{Note, Record};

/// Samples of the annotation signal per data record (2 bytes each).
const ANNOTATION_SAMPLES: usize = 1024;

/// Bytes of annotations per data record.
const BLOCK_LEN: usize = 2 * ANNOTATION_SAMPLES;

/// Room kept in the last block for saying how many events did not fit.
const SUMMARY_ROOM: usize = 96;

/// Records packets and events as EDF+.
#[derive(Debug)]
pub struct EdfSink {
    target: FileTarget,
    file: Arc<File>,
    name: String,
    /// Samples per data record of each channel.
    samples_per_record: usize,
    /// Bytes per data record.
    record_len: u64,
    /// The header's record duration as written, and its value over `samples_per_record`.
    duration: String,
    seconds_per_sample: f64,
    /// The record being filled.
    current: Vec<[u16; CHANNELS]>,
    /// Complete records so far, written or in `unwritten`.
    records: u64,
    /// Complete records encoded but not yet written.
    unwritten: Vec<u8>,
    /// Records in the file and in the header's count, a padded record in progress included.
    file_records: u64,
    /// Events not yet stored in a record's annotation block.
    pending: VecDeque<Annotation>,
    /// The events stored in the records' blocks, in order, to write their onsets again when
    /// the duration changes.
    placed: Vec<Annotation>,
    /// A device that came back: annotated at the next packet, after the outage's fill.
    device_back: Option<String>,
    finished: bool,
}

impl EdfSink {
    /// Creates (or truncates) the file at `path` and writes the header of an empty recording
    /// of `session`.
    pub fn create(path: &Path, session: &SessionInfo) -> Result<Self, Error> {
        let name = format!("EDF file {}", path.display());
        let physical_range =
            header::physical_range(session.microvolts_per_lsb).ok_or_else(|| {
                Error::new(format!(
                    "cannot record {name}: {} uV per step is too large for an EDF header",
                    session.microvolts_per_lsb
                ))
                .fix("EDF writes the physical range in 8 characters: use a --scale below 100000")
            })?;
        // `as` saturates: NaN gives 0, hence the floor of 1.
        let samples_per_record = (session.nominal_rate_hz.round() as usize).max(1);
        let duration = header::number(samples_per_record as f64 / session.nominal_rate_hz)
            .unwrap_or_else(|| "1".to_owned());
        let fields = header::Fields {
            start_us: session.start_us,
            profile: session.profile.clone(),
            labels: session.labels.clone(),
            physical_range,
            samples_per_record,
            annotation_samples: ANNOTATION_SAMPLES,
        };
        let mut target = FileTarget::create(path, &name)?;
        let file = target.handle();
        target
            .write_all(&header::bytes(&fields, 0, &duration))
            .map_err(|e| file::cannot("write", &name, path, &e))?;
        let mut sink = Self {
            target,
            file,
            name,
            samples_per_record,
            record_len: (CHANNELS * samples_per_record * 2 + BLOCK_LEN) as u64,
            seconds_per_sample: 0.0,
            duration,
            current: Vec::with_capacity(samples_per_record),
            records: 0,
            unwritten: Vec::new(),
            file_records: 0,
            pending: VecDeque::new(),
            placed: Vec::new(),
            device_back: None,
            finished: false,
        };
        sink.seconds_per_sample = sink.duration_s() / samples_per_record as f64;
        // The count is rewritten in place from now on: an unseekable target fails here.
        sink.write_count()
            .map_err(|e| file::cannot("write", &sink.name, path, &e))?;
        Ok(sink)
    }

    fn duration_s(&self) -> f64 {
        self.duration.parse().unwrap_or(1.0)
    }

    /// Sample index of the next slot.
    fn next_index(&self) -> u64 {
        self.records * self.samples_per_record as u64 + self.current.len() as u64
    }

    fn check_open(&self) -> io::Result<()> {
        if self.finished {
            return Err(io::Error::other(format!("{}: already finished", self.name)));
        }
        Ok(())
    }

    fn annotate(&mut self, onset: u64, samples: Option<u64>, text: String) {
        self.pending.push_back(Annotation {
            onset,
            samples,
            text,
        });
    }

    fn device_back_now(&mut self) {
        if let Some(device) = self.device_back.take() {
            let text = texts::device_back(&device);
            self.annotate(self.next_index(), None, text);
        }
    }

    /// `count` mid-scale samples from the next slot, under an annotation that covers them.
    fn fill_gap(&mut self, count: u64) -> io::Result<()> {
        self.annotate(self.next_index(), Some(count), texts::lost(count));
        for _ in 0..count {
            self.push([MID_SCALE; CHANNELS])?;
        }
        Ok(())
    }

    fn push(&mut self, samples: [u16; CHANNELS]) -> io::Result<()> {
        self.current.push(samples);
        if self.current.len() == self.samples_per_record {
            self.complete_record(None)?;
        }
        Ok(())
    }

    /// Encodes the record in progress (padded, with `padding` annotated, when it ends the
    /// recording) with as many pending events as its block holds.
    fn complete_record(&mut self, padding: Option<Annotation>) -> io::Result<()> {
        let record = self.records;
        let last = padding.is_some();
        let mut block = Block::new(BLOCK_LEN, record as f64 * self.duration_s());
        let mut stored = Vec::new();
        if let Some(padding) = padding {
            block.push(&padding, self.seconds_per_sample, 0);
            stored.push(padding);
        }
        let keep_free = if last { SUMMARY_ROOM } else { 0 };
        while let Some(next) = self.pending.front() {
            if !block.push(next, self.seconds_per_sample, keep_free) {
                break;
            }
            stored.extend(self.pending.pop_front());
        }
        if last && !self.pending.is_empty() {
            let summary = Annotation {
                onset: self.next_index(),
                samples: None,
                text: format!(
                    "{} more events not stored: the annotation signal is full (see the CSV or JSON output)",
                    self.pending.len()
                ),
            };
            self.pending.clear();
            block.push(&summary, self.seconds_per_sample, 0);
            stored.push(summary);
        }
        encode_samples(&mut self.unwritten, &self.current, self.samples_per_record);
        self.unwritten.extend_from_slice(&block.into_bytes());
        self.placed.extend(stored);
        self.records += 1;
        self.current.clear();
        if self.unwritten.len() >= file::BUFFER {
            self.write_out(false)?;
        }
        Ok(())
    }

    /// Writes the encoded records, and with `in_progress` the record being filled (padded
    /// and annotated as such), then the header's count.
    fn write_out(&mut self, in_progress: bool) -> io::Result<()> {
        let in_progress = in_progress && !self.current.is_empty();
        if self.unwritten.is_empty() && !in_progress {
            return Ok(());
        }
        let first = self.records - self.unwritten.len() as u64 / self.record_len;
        self.target
            .seek(SeekFrom::Start(header::LEN + first * self.record_len))?;
        self.target.write_all(&self.unwritten)?;
        self.unwritten.clear();
        let mut end = self.records;
        if in_progress {
            let mut record = Vec::with_capacity(self.record_len as usize);
            encode_samples(&mut record, &self.current, self.samples_per_record);
            let mut block = Block::new(BLOCK_LEN, self.records as f64 * self.duration_s());
            block.push(&self.padding(), self.seconds_per_sample, 0);
            // Events so far, for a file cut here; they stay pending for the record they end
            // up in.
            for event in &self.pending {
                if !block.push(event, self.seconds_per_sample, 0) {
                    break;
                }
            }
            record.extend_from_slice(&block.into_bytes());
            self.target.write_all(&record)?;
            end += 1;
        }
        self.file_records = self.file_records.max(end);
        self.write_count()
    }

    /// The annotation over the padding of the record in progress.
    fn padding(&self) -> Annotation {
        Annotation {
            onset: self.next_index(),
            samples: Some((self.samples_per_record - self.current.len()) as u64),
            text: texts::PADDING.to_owned(),
        }
    }

    fn write_count(&mut self) -> io::Result<()> {
        let mut field = Vec::new();
        header::put(
            &mut field,
            &self.file_records.to_string(),
            header::NUMBER_WIDTH,
        );
        self.target.seek(SeekFrom::Start(header::RECORDS_AT))?;
        self.target.write_all(&field)
    }

    /// Rewrites the record duration for `rate_hz`, and every annotation block with onsets in
    /// it. The events are packed into the blocks again, in order, since onsets may take more
    /// digits now. Keeps the current duration when `rate_hz` is no estimate, changes nothing in
    /// the header's 8 characters, or when the events would no longer fit.
    fn rewrite_duration(&mut self, rate_hz: f64) -> io::Result<()> {
        if !(rate_hz.is_finite() && rate_hz > 0.0) {
            return Ok(());
        }
        let Some(duration) = header::number(self.samples_per_record as f64 / rate_hz) else {
            return Ok(());
        };
        let value: f64 = duration.parse().unwrap_or(0.0);
        if duration == self.duration || value <= 0.0 {
            return Ok(());
        }
        let seconds_per_sample = value / self.samples_per_record as f64;
        // Packs the events into the blocks; `write` gets each block, false if they overflow.
        let pack = |write: &mut dyn FnMut(u64, Vec<u8>) -> io::Result<()>| -> io::Result<bool> {
            let mut events = self.placed.iter().peekable();
            for record in 0..self.file_records {
                let mut block = Block::new(BLOCK_LEN, record as f64 * value);
                while let Some(event) = events.peek() {
                    if !block.push(event, seconds_per_sample, 0) {
                        break;
                    }
                    events.next();
                }
                write(record, block.into_bytes())?;
            }
            Ok(events.peek().is_none())
        };
        if !pack(&mut |_, _| Ok(()))? {
            return Ok(());
        }
        let (target, record_len) = (&mut self.target, self.record_len);
        let signal_bytes = record_len - BLOCK_LEN as u64;
        pack(&mut |record, bytes| {
            target.seek(SeekFrom::Start(
                header::LEN + record * record_len + signal_bytes,
            ))?;
            target.write_all(&bytes)
        })?;
        let mut field = Vec::new();
        header::put(&mut field, &duration, header::NUMBER_WIDTH);
        self.target.seek(SeekFrom::Start(header::DURATION_AT))?;
        self.target.write_all(&field)?;
        self.duration = duration;
        self.seconds_per_sample = seconds_per_sample;
        Ok(())
    }

    fn finish_file(&mut self, estimated_rate_hz: f64) -> io::Result<()> {
        self.device_back_now();
        if self.current.is_empty() && !self.pending.is_empty() {
            // Events after the last sample still need a record to hold them: one of padding
            // only.
            self.complete_record(Some(self.padding()))?;
        } else if !self.current.is_empty() {
            self.complete_record(Some(self.padding()))?;
        }
        self.write_out(false)?;
        self.rewrite_duration(estimated_rate_hz)?;
        file::sync(&self.file)
    }
}

/// Appends one record's samples: channel after channel, 16-bit little-endian codes, mid-scale
/// after the last of `samples`.
fn encode_samples(out: &mut Vec<u8>, samples: &[[u16; CHANNELS]], per_record: usize) {
    for channel in 0..CHANNELS {
        for i in 0..per_record {
            let code = samples
                .get(i)
                .map_or(MID_SCALE, |s| s[channel].min(MAX_CODE));
            out.extend_from_slice(&(code as i16).to_le_bytes());
        }
    }
}

impl Sink for EdfSink {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        self.check_open()?;
        let next = self.next_index();
        // Indices only increase; anything else has no place in the file.
        if record.sample_index < next {
            return Ok(());
        }
        if record.sample_index > next {
            self.fill_gap(record.sample_index - next)
                .map_err(|e| file::context(&self.name, e))?;
        }
        self.device_back_now();
        self.push(record.samples)
            .map_err(|e| file::context(&self.name, e))
    }

    fn note(&mut self, note: &Note) -> io::Result<()> {
        self.check_open()?;
        let next = self.next_index();
        match note {
            Note::Lost {
                count,
                first_sample_index,
                ..
            } => {
                let end = (first_sample_index + count).max(next);
                if end > next {
                    self.fill_gap(end - next)
                        .map_err(|e| file::context(&self.name, e))?;
                }
            }
            Note::Resync { skipped_bytes } => {
                self.annotate(next, None, texts::resync(*skipped_bytes));
            }
            Note::DeviceGone { reason, .. } => {
                self.device_back_now();
                self.annotate(next, None, texts::device_gone(reason));
            }
            Note::DeviceBack { device, .. } => {
                self.device_back_now();
                self.device_back = Some(device.clone());
            }
            Note::Restart {
                sample_index,
                previous_counter,
                counter,
                evidence,
                ..
            } => {
                // A device that comes back restarted: "device back" first.
                self.device_back_now();
                let text = texts::restart(*evidence, *previous_counter, *counter);
                self.annotate(*sample_index, None, text);
            }
            Note::Switches {
                sample_index,
                previous,
                current,
            } => {
                for text in texts::switches(*previous, *current) {
                    self.annotate(*sample_index, None, text);
                }
            }
            // Decoder details that have no time in the recording, or no meaning for EEG tools.
            Note::SyncLost { .. }
            | Note::Protocol(_)
            | Note::DeviceId(_)
            | Note::CounterStalled { .. }
            | Note::TrailingBytes { .. } => {}
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.check_open()?;
        self.write_out(true)
            .map_err(|e| file::context(&self.name, e))
    }

    /// Pads and writes the last record, writes the final count, rewrites the duration from
    /// the estimated rate, and syncs.
    fn finish(&mut self, estimated_rate_hz: f64) -> io::Result<()> {
        self.check_open()?;
        self.finished = true;
        self.finish_file(estimated_rate_hz)
            .map_err(|e| file::context(&self.name, e))
    }

    /// The file's length once flushed: the header and the records the header counts.
    fn size(&self) -> u64 {
        header::LEN + self.file_records * self.record_len
    }
}

#[cfg(test)]
mod tests;
