//! All the sinks of a session and the policies over them: when to flush, and what a write
//! error means (a closed pipe on stdout is not a failure; a failing recording is).

use std::io;
use std::time::{Duration, Instant};

use super::Sink;
use crate::error::Error;
use crate::record::{Note, Record};

/// Why writing stopped.
#[derive(Debug)]
pub enum Stop {
    /// Standard output was closed and nothing is being recorded: exit quietly.
    PipeClosed,
    /// A recording (or stdout) failed.
    Failed(Error),
}

/// Standard output (unless closed) and the recordings.
pub struct Outputs {
    stdout: Option<Box<dyn Sink>>,
    files: Vec<Box<dyn Sink>>,
    /// Flush stdout after every batch (live sources), rather than when its buffer fills.
    live: bool,
    last_file_flush: Instant,
}

/// Recordings are flushed at least this often, so a crash loses at most this much.
const FILE_FLUSH: Duration = Duration::from_secs(1);

impl Outputs {
    /// Outputs writing to `stdout` and `files`; `live` flushes stdout after every batch.
    pub fn new(stdout: Box<dyn Sink>, files: Vec<Box<dyn Sink>>, live: bool) -> Self {
        Self {
            stdout: Some(stdout),
            files,
            live,
            last_file_flush: Instant::now(),
        }
    }

    /// Recordings only, nothing on standard output (a conversion into a file).
    pub fn recordings(files: Vec<Box<dyn Sink>>) -> Self {
        Self {
            stdout: None,
            files,
            live: false,
            last_file_flush: Instant::now(),
        }
    }

    /// The bytes as received (for the raw recording).
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        self.each(|sink| sink.bytes(bytes))
    }

    /// One packet to every sink.
    pub fn record(&mut self, record: &Record) -> Result<(), Stop> {
        self.each(|sink| sink.record(record))
    }

    /// One event to every sink.
    pub fn note(&mut self, note: &Note) -> Result<(), Stop> {
        self.each(|sink| sink.note(note))
    }

    /// The clock model's rate estimate to every sink, after every batch: `settled` once it is
    /// measured from arrival times, and from the start for a source without them (see
    /// [`Sink::rate`]).
    pub fn rate(&mut self, rate_hz: f64, settled: bool) -> Result<(), Stop> {
        self.each(|sink| sink.rate(rate_hz, settled))
    }

    /// The end of what one read produced: live stdout goes out now; recordings at least once a
    /// second.
    pub fn end_of_batch(&mut self) -> Result<(), Stop> {
        if self.live {
            self.flush_stdout()?;
        }
        if self.last_file_flush.elapsed() >= FILE_FLUSH {
            self.last_file_flush = Instant::now();
            for sink in &mut self.files {
                sink.flush().map_err(|e| failed(sink.as_ref(), &e))?;
            }
        }
        Ok(())
    }

    /// Finalises every sink, even when one fails, so what was written stays readable; reports
    /// the first failure.
    pub fn finish(&mut self, estimated_rate_hz: f64) -> Result<(), Stop> {
        let mut first = None;
        if let Some(stdout) = &mut self.stdout
            && let Err(e) = stdout.finish(estimated_rate_hz)
            && e.kind() != io::ErrorKind::BrokenPipe
        {
            first = Some(failed(stdout.as_ref(), &e));
        }
        for sink in &mut self.files {
            if let Err(e) = sink.finish(estimated_rate_hz) {
                first.get_or_insert_with(|| failed(sink.as_ref(), &e));
            }
        }
        first.map_or(Ok(()), Err)
    }

    /// (name, bytes written) of each recording, for the status line.
    pub fn sizes(&self) -> Vec<(String, u64)> {
        self.files
            .iter()
            .map(|sink| (sink.name(), sink.size()))
            .collect()
    }

    fn flush_stdout(&mut self) -> Result<(), Stop> {
        let result = self.stdout.as_mut().map_or(Ok(()), |s| s.flush());
        self.stdout_result(result)
    }

    fn each(&mut self, mut write: impl FnMut(&mut dyn Sink) -> io::Result<()>) -> Result<(), Stop> {
        let result = match &mut self.stdout {
            Some(stdout) => write(stdout.as_mut()),
            None => Ok(()),
        };
        self.stdout_result(result)?;
        for sink in &mut self.files {
            write(sink.as_mut()).map_err(|e| failed(sink.as_ref(), &e))?;
        }
        Ok(())
    }

    /// A closed pipe on stdout (the viewer was closed) ends the session only when nothing is
    /// being recorded; otherwise recording goes on without stdout.
    fn stdout_result(&mut self, result: io::Result<()>) -> Result<(), Stop> {
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.stdout = None;
                if self.files.is_empty() {
                    return Err(Stop::PipeClosed);
                }
                eprintln!(
                    "eegreader: standard output was closed; recording goes on (Ctrl-C to stop)"
                );
                Ok(())
            }
            Err(e) => Err(Stop::Failed(Error::io("writing standard output", &e))),
        }
    }
}

/// A recording failed; its error already names the file.
fn failed(_sink: &dyn Sink, e: &io::Error) -> Stop {
    let error = Error::new(e.to_string());
    Stop::Failed(if e.kind() == io::ErrorKind::StorageFull {
        error.fix("the disk is full: free some space; what was recorded so far is intact")
    } else {
        error
    })
}
