//! A raw capture (file or standard input), decoded as fast as possible or paced in real time.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{Input, Source};
use crate::error::Error;

/// Bytes from a capture.
pub struct ReplaySource {
    reader: Box<dyn Read>,
    name: String,
    buf: Vec<u8>,
    /// Bytes per second when paced.
    pace: Option<f64>,
    sent: u64,
    session_start: Instant,
}

/// Chunk for unpaced replay: large, so decoding dominates.
const FAST_CHUNK: usize = 256 * 1024;

impl ReplaySource {
    /// Opens `path` (or standard input when `None`). With `pace`, bytes are released at that
    /// many per second (the packet length times the sample rate), as a device would send them.
    pub fn open(
        path: Option<&Path>,
        pace: Option<f64>,
        session_start: Instant,
    ) -> Result<Self, Error> {
        let (reader, name): (Box<dyn Read>, String) = match path {
            None => (Box::new(io::stdin().lock()), "standard input".into()),
            Some(path) if path.is_dir() => {
                return Err(Error::new(format!(
                    "{} is a directory, not a capture",
                    path.display()
                ))
                .fix(
                    "give the capture file recorded with --record-raw (or '-' for standard input)",
                ));
            }
            Some(path) => {
                let file = File::open(path).map_err(|e| {
                    let error = Error::io(format!("cannot open capture {}", path.display()), &e);
                    if e.kind() == io::ErrorKind::NotFound {
                        error.fix("check the path; '-' reads standard input")
                    } else {
                        error
                    }
                })?;
                (Box::new(file), path.display().to_string())
            }
        };
        // Paced: about 8 ms of data per read, like a USB-serial adapter delivers it.
        let chunk = pace.map_or(FAST_CHUNK, |bps| ((bps / 125.0).ceil() as usize).max(1));
        Ok(Self {
            reader,
            name,
            buf: vec![0; chunk],
            pace,
            sent: 0,
            session_start,
        })
    }
}

impl Source for ReplaySource {
    fn next(&mut self) -> Result<Input<'_>, Error> {
        let n = loop {
            match self.reader.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("reading {}", self.name), &e)),
            }
        };
        if n == 0 {
            return Ok(Input::End);
        }
        if let Some(bytes_per_second) = self.pace {
            let due = self.session_start
                + Duration::from_secs_f64((self.sent + n as u64) as f64 / bytes_per_second);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        self.sent += n as u64;
        Ok(Input::Bytes(&self.buf[..n], self.session_start.elapsed()))
    }

    fn is_live(&self) -> bool {
        self.pace.is_some()
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}
