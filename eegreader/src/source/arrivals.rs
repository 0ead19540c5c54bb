//! The arrivals file that `--record-raw` keeps beside a capture (`s.bin.arrivals`): every read
//! with its byte count and arrival time, the read timeouts and the device going and coming
//! back. With it, `--replay s.bin` and `eegreader convert s.bin ...` feed the decoder and the
//! clock model the same chunks at the same times as live, so packets, timestamps, events and
//! losses come out the same.
//!
//! The format, its writer and its reader are [`libeeg::arrivals`], shared with every program
//! that replays a capture. Here is eegreader's side: its [`Input`]s as lines, opening the file,
//! what to say when it cannot be used (`--ignore-arrivals` is the way out), and the survey of a
//! file against its capture before a replay starts.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

use libeeg::arrivals::{self as format, VERSION_LINE, Writer};
pub use libeeg::arrivals::{Entry, Header, path_of};

use super::Input;
use crate::error::Error;

/// Writes inputs as lines.
#[derive(Debug)]
pub struct LineWriter {
    lines: Writer,
    /// Bytes without a time came: the rest of the capture has none, and the log stops here.
    stopped: bool,
}

impl LineWriter {
    /// Appends the version line and the lines of `header` to `out`, and returns the writer of
    /// the inputs that follow.
    pub fn start(header: &Header, out: &mut Vec<u8>) -> Self {
        Self {
            lines: Writer::start(header, out),
            stopped: false,
        }
    }

    /// Appends the line of `input` to `out`. Nothing for the end of input; bytes without an
    /// arrival time stop the log, as the capture's bytes from there on have none.
    pub fn push(&mut self, input: &Input<'_>, out: &mut Vec<u8>) {
        if self.stopped {
            return;
        }
        let entry = match input {
            Input::End => return,
            Input::Bytes(_, None) => {
                self.stopped = true;
                return;
            }
            Input::Bytes(bytes, Some(at)) => Entry::Read {
                len: bytes.len(),
                at: *at,
            },
            Input::Quiet(at) => Entry::Quiet { at: *at },
            Input::Gone { reason, when } => Entry::Gone {
                at: when.at,
                wall_us: when.wall_us,
                reason: reason.clone(),
            },
            Input::Back { device, when } => Entry::Back {
                at: when.at,
                wall_us: when.wall_us,
                device: device.clone(),
            },
        };
        // Times come from a monotonic clock in whole microseconds (`source::since`), which the
        // file keeps exactly.
        debug_assert!(entry.time().subsec_nanos() % 1000 == 0, "{entry:?}");
        self.lines.push(&entry, out);
    }
}

/// Reads an arrivals file entry by entry.
#[derive(Debug)]
pub struct Reader {
    entries: format::Reader<BufReader<File>>,
    path: PathBuf,
}

impl Reader {
    /// Opens the arrivals file at `path` and reads its header; `None` when there is no file.
    pub fn open(path: &Path) -> Result<Option<Self>, Error> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::io(
                    format!("cannot read the arrivals file {}", path.display()),
                    &e,
                )
                .fix(IGNORE));
            }
        };
        let entries = format::Reader::new(BufReader::with_capacity(64 * 1024, file))
            .map_err(|e| error(path, e))?;
        Ok(Some(Self {
            entries,
            path: path.to_owned(),
        }))
    }

    /// Its header.
    pub fn header(&self) -> &Header {
        self.entries.header()
    }

    /// The next entry; `None` at the end (or at a torn last line).
    pub fn next(&mut self) -> Result<Option<Entry>, Error> {
        self.entries
            .next()
            .transpose()
            .map_err(|e| error(&self.path, e))
    }
}

/// What an arrivals file holds, checked whole against its capture before a replay starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    /// Its header.
    pub header: Header,
    /// Reads it records.
    pub reads: u64,
    /// The bytes they add up to.
    pub bytes: u64,
    /// The time of its last entry, since the session's time 0.
    pub span: Duration,
}

/// Reads the whole arrivals file at `path` and checks it against its capture, `capture_len`
/// bytes long: every line must be an entry, and the reads must fit in the capture. `None` when
/// there is no file.
pub fn survey(path: &Path, capture_len: u64) -> Result<Option<Survey>, Error> {
    let Some(mut reader) = Reader::open(path)? else {
        return Ok(None);
    };
    let (mut reads, mut bytes, mut span) = (0, 0u64, Duration::ZERO);
    while let Some(entry) = reader.next()? {
        if let Entry::Read { len, .. } = entry {
            reads += 1;
            bytes += len as u64;
        }
        span = entry.time();
    }
    if bytes > capture_len {
        return Err(Error::new(format!(
            "the arrivals file {} records reads of {bytes} bytes, but its capture holds only {capture_len}: they are not a pair",
            path.display()
        ))
        .fix(format!(
            "was the capture cut or replaced? {IGNORE}"
        )));
    }
    Ok(Some(Survey {
        header: reader.header().clone(),
        reads,
        bytes,
        span,
    }))
}

/// What to do about an arrivals file that cannot be used.
const IGNORE: &str = "--ignore-arrivals decodes the capture without it (as if it had none)";

/// What is wrong with the arrivals file at `path`, in eegreader's words, and what to do.
fn error(path: &Path, e: format::Error) -> Error {
    let file = format!("the arrivals file {}", path.display());
    match e {
        format::Error::Io { error, .. } => {
            Error::io(format!("reading {}", path.display()), &error).fix(IGNORE)
        }
        format::Error::UnknownVersion { version } => Error::new(format!(
            "{file} is in a format this eegreader does not know ('{version}'; it reads '{VERSION_LINE}')"
        ))
        .fix(format!("a newer eegreader wrote it: use that one, or {IGNORE}")),
        e => Error::new(format!("{file} {e}")).fix(format!(
            "it is damaged, or not the arrivals file of this capture: {IGNORE}"
        )),
    }
}

#[cfg(test)]
mod tests;
