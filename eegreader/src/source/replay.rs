//! A raw capture (file or standard input): decoded as fast as possible or paced in real time,
//! and read as it arrived live when it has an arrivals file ([`arrivals`]).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use super::arrivals::{self, Entry, Survey};
use super::{Input, Moment, Source};
use crate::error::Error;
use crate::output::utc::iso8601;

/// How to replay a capture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayOptions {
    /// Pace the replay in real time: by the recorded arrival times, or, for a capture without
    /// them, at this many bytes per second (the packet length times the sample rate).
    pub pace: Option<f64>,
    /// Read the capture's arrivals file, when it has one.
    pub use_arrivals: bool,
}

/// Bytes from a capture.
pub struct ReplaySource {
    capture: Box<dyn Read>,
    name: String,
    buf: Vec<u8>,
    session_start: Instant,
    timing: Timing,
    /// Whether the bytes carry arrival times: fixed at opening, as the session's clock model
    /// depends on it.
    timed: bool,
    real_time: bool,
    recorded_start_us: Option<i64>,
    notes: Vec<String>,
}

/// Where the bytes' times come from.
enum Timing {
    /// Nowhere: as fast as it decodes, without times.
    Fast,
    /// The pace, as a device would send: `bytes_per_second`, `sent` so far.
    Paced { bytes_per_second: f64, sent: u64 },
    /// The arrivals file: its reads, at their times (and waiting for them when `realtime`).
    Recorded {
        /// Boxed: the reader is many times the size of the other timings.
        entries: Box<arrivals::Reader>,
        realtime: bool,
    },
}

/// Chunk for unpaced replay: large, so decoding dominates.
const FAST_CHUNK: usize = 256 * 1024;

impl ReplaySource {
    /// Opens `path` (or standard input when `None`), and its arrivals file unless told not to.
    /// Reads the whole arrivals file first to check it against the capture, so a mismatch is
    /// an error before anything is written.
    pub fn open(
        path: Option<&Path>,
        options: ReplayOptions,
        session_start: Instant,
    ) -> Result<Self, Error> {
        let (capture, name, len): (Box<dyn Read>, String, Option<u64>) = match path {
            None => (Box::new(io::stdin().lock()), "standard input".into(), None),
            Some(path) => {
                let file = open_capture(path)?;
                let len = file.metadata().ok().map(|m| m.len());
                // Buffered for the many small recorded reads; larger reads bypass the buffer.
                let file = BufReader::with_capacity(64 * 1024, file);
                (Box::new(file), path.display().to_string(), len)
            }
        };
        let recorded = match (path, len) {
            (Some(path), Some(len)) if options.use_arrivals => {
                let arrivals = arrivals::path_of(path);
                arrivals::survey(&arrivals, len)?.map(|survey| (arrivals, survey, len))
            }
            _ => None,
        };
        let mut source = Self {
            capture,
            name,
            buf: vec![0; FAST_CHUNK],
            session_start,
            timing: Timing::Fast,
            timed: false,
            real_time: options.pace.is_some(),
            recorded_start_us: None,
            notes: Vec::new(),
        };
        match (recorded, options.pace) {
            (Some((arrivals, survey, len)), pace) => {
                source.notes = notes(&source.name, &arrivals, &survey, len);
                // Surveyed a moment ago: read again from the start, entry by entry.
                let entries = arrivals::Reader::open(&arrivals)?.ok_or_else(|| {
                    Error::new(format!("the arrivals file {} vanished", arrivals.display()))
                })?;
                source.recorded_start_us = Some(survey.header.wall_start_us);
                source.timed = true;
                source.timing = Timing::Recorded {
                    entries: Box::new(entries),
                    realtime: pace.is_some(),
                };
            }
            (None, Some(bytes_per_second)) => {
                source.timed = true;
                // About 8 ms of data per read, like a USB-serial adapter delivers it.
                source.buf = vec![0; ((bytes_per_second / 125.0).ceil() as usize).max(1)];
                source.timing = Timing::Paced {
                    bytes_per_second,
                    sent: 0,
                };
            }
            (None, None) => {}
        }
        Ok(source)
    }

    /// What stderr should say before the replay: which arrivals file gives the times, and how
    /// much of the capture it does not cover.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The input of a recorded entry, read from the capture.
    fn entry(&mut self, entry: Entry) -> Result<Input<'_>, Error> {
        Ok(match entry {
            Entry::Read { len, at } => {
                if self.buf.len() < len {
                    self.buf.resize(len, 0);
                }
                let bytes = &mut self.buf[..len];
                self.capture.read_exact(bytes).map_err(|e| {
                    Error::io(format!("reading {}", self.name), &e).fix(
                        "the capture is shorter than its arrivals file says: was it changed during the replay?",
                    )
                })?;
                Input::Bytes(bytes, Some(at))
            }
            Entry::Quiet { at } => Input::Quiet(at),
            Entry::Gone {
                at,
                wall_us,
                reason,
            } => Input::Gone {
                reason,
                when: Moment { at, wall_us },
            },
            Entry::Back {
                at,
                wall_us,
                device,
            } => Input::Back {
                device,
                when: Moment { at, wall_us },
            },
        })
    }
}

impl Source for ReplaySource {
    fn next(&mut self) -> Result<Input<'_>, Error> {
        match &mut self.timing {
            Timing::Fast => {}
            Timing::Paced {
                bytes_per_second,
                sent,
            } => {
                let n = read(self.capture.as_mut(), &mut self.buf, &self.name)?;
                if n == 0 {
                    return Ok(Input::End);
                }
                // Released when due, as a device would send them.
                *sent += n as u64;
                let due = Duration::from_secs_f64(*sent as f64 / *bytes_per_second);
                sleep_until(self.session_start + due);
                let at = super::since(self.session_start);
                return Ok(Input::Bytes(&self.buf[..n], Some(at)));
            }
            Timing::Recorded { entries, realtime } => match entries.next()? {
                Some(entry) => {
                    if *realtime {
                        sleep_until(self.session_start + entry.time());
                    }
                    return self.entry(entry);
                }
                // The rest of the capture has no recorded times.
                None => self.timing = Timing::Fast,
            },
        }
        let n = read(self.capture.as_mut(), &mut self.buf, &self.name)?;
        Ok(if n == 0 {
            Input::End
        } else {
            Input::Bytes(&self.buf[..n], None)
        })
    }

    fn has_arrival_times(&self) -> bool {
        self.timed
    }

    fn is_real_time(&self) -> bool {
        self.real_time
    }

    fn describe(&self) -> String {
        self.name.clone()
    }

    fn recorded_start_us(&self) -> Option<i64> {
        self.recorded_start_us
    }
}

/// Reads the next chunk of `capture` (called `name`) into `buf`; 0 at its end.
fn read(capture: &mut dyn Read, buf: &mut [u8], name: &str) -> Result<usize, Error> {
    loop {
        match capture.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(format!("reading {name}"), &e)),
        }
    }
}

fn open_capture(path: &Path) -> Result<File, Error> {
    if path.is_dir() {
        return Err(
            Error::new(format!("{} is a directory, not a capture", path.display())).fix(
                "give the capture file recorded with --record-raw (or '-' for standard input)",
            ),
        );
    }
    File::open(path).map_err(|e| {
        let error = Error::io(format!("cannot open capture {}", path.display()), &e);
        if e.kind() == io::ErrorKind::NotFound {
            error.fix("check the path; '-' reads standard input")
        } else {
            error
        }
    })
}

/// The line that says a replay uses recorded times, and the warning when they stop short of
/// the capture's end.
fn notes(capture: &str, path: &Path, survey: &Survey, capture_len: u64) -> Vec<String> {
    let from = match survey.header.source.as_str() {
        "" => String::new(),
        source => format!(" from {source}"),
    };
    let mut notes = vec![format!(
        "timing as recorded live{from}, from the arrivals file {}: {} reads over {:.1} s, started {} (--ignore-arrivals decodes without it)",
        path.display(),
        survey.reads,
        survey.span.as_secs_f64(),
        iso8601(survey.header.wall_start_us),
    )];
    let untimed = capture_len.saturating_sub(survey.bytes);
    if untimed > 0 {
        notes.push(format!(
            "the last {untimed} bytes of {capture} have no arrival times (the recording was cut short): they are decoded without them"
        ));
    }
    notes
}

fn sleep_until(due: Instant) {
    if let Some(wait) = due.checked_duration_since(Instant::now()) {
        std::thread::sleep(wait);
    }
}
