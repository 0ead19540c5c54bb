//! Errors that say what went wrong and how to fix it.

use std::fmt;
use std::io;

/// A failure the reader reports and exits on.
#[derive(Debug)]
pub struct Error {
    /// What went wrong, in one line.
    pub what: String,
    /// What to do about it, if we know.
    pub fix: Option<String>,
}

impl Error {
    /// An error without a known fix.
    pub fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            fix: None,
        }
    }

    /// Adds how to fix it.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// An I/O error while doing `context`.
    pub fn io(context: impl fmt::Display, e: &io::Error) -> Self {
        Self::new(format!("{context}: {e}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.what)?;
        if let Some(fix) = &self.fix {
            for line in fix.lines() {
                write!(f, "\n  {line}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
