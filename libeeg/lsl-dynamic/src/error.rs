//! The binding's error: what failed, liblsl's reason when it gave one, and how to fix it.

use std::fmt;

/// A failed LSL operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LslError {
    /// What went wrong, in one line.
    pub what: String,
    /// What to do about it, if known (several lines).
    pub help: Option<String>,
}

impl LslError {
    /// An error without advice.
    pub fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            help: None,
        }
    }

    /// Adds how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for LslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some(help) = &self.help {
            write!(f, "\n{help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LslError {}
