//! A line format (the text format, JSON lines) written to a file rather than standard output,
//! as `eegreader convert` does: the same sink, with errors that name the file and a sync at
//! the end.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use super::Sink;
use super::file::{self, FileTarget};
use crate::error::Error;
use crate::record::{Note, Record};

/// `sink` writing into a file.
#[derive(Debug)]
pub struct LineFile<S> {
    sink: S,
    name: String,
    file: Arc<File>,
}

impl<S: Sink> LineFile<S> {
    /// Creates (or truncates) the file at `path`, called "`kind` file PATH" in messages, and
    /// hands it to `make` for the sink.
    pub fn create(
        path: &Path,
        kind: &str,
        make: impl FnOnce(FileTarget) -> S,
    ) -> Result<Self, Error> {
        let name = format!("{kind} file {}", path.display());
        let target = FileTarget::create(path, &name)?;
        let file = target.handle();
        Ok(Self {
            sink: make(target),
            name,
            file,
        })
    }

    fn named<T>(&self, result: io::Result<T>) -> io::Result<T> {
        result.map_err(|e| file::context(&self.name, e))
    }
}

impl<S: Sink> Sink for LineFile<S> {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        let result = self.sink.record(record);
        self.named(result)
    }

    fn note(&mut self, note: &Note) -> io::Result<()> {
        let result = self.sink.note(note);
        self.named(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.sink.flush();
        self.named(result)
    }

    fn finish(&mut self, estimated_rate_hz: f64) -> io::Result<()> {
        let result = self
            .sink
            .finish(estimated_rate_hz)
            .and_then(|()| file::sync(&self.file));
        self.named(result)
    }

    fn size(&self) -> u64 {
        self.sink.size()
    }
}
