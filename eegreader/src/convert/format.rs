//! The formats a capture converts to: one table row each, naming the `--to` value, the
//! extensions that choose it and how its sink (the one live recording uses) is opened.

use std::io;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::error::Error;
use crate::output::{CsvSink, EdfSink, JsonSink, LineFile, SessionInfo, Sink, TextSink, WavSink};

/// `--to` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// CSV rows, as --record-csv writes them.
    Csv,
    /// 16-bit PCM WAV at the nominal rate, as --record-wav writes it.
    Wav,
    /// JSON lines, as --json prints them.
    Json,
    /// The original `timestamp_us|version|frame|ch1..ch6|switches` lines.
    Text,
    /// EDF+.
    Edf,
}

/// Where the output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file.
    File(PathBuf),
    /// Standard output (`-`).
    StandardOutput,
}

impl Target {
    /// `-` is standard output, anything else a file.
    pub fn of(path: &Path) -> Self {
        if path.as_os_str() == "-" {
            Self::StandardOutput
        } else {
            Self::File(path.to_owned())
        }
    }
}

/// How a format's sink is opened: the target, the session, whether to write events.
type Open = fn(&Target, &SessionInfo, bool) -> Result<Box<dyn Sink>, Error>;

/// One format.
struct Entry {
    format: OutputFormat,
    /// Lower-case extensions, without the dot.
    extensions: &'static [&'static str],
    open: Open,
}

/// Every format; adding one is adding its row (and its `OutputFormat` value).
const FORMATS: &[Entry] = &[
    Entry {
        format: OutputFormat::Csv,
        extensions: &["csv"],
        open: |target, session, _| match target {
            Target::File(path) => Ok(Box::new(CsvSink::create(path, session)?)),
            Target::StandardOutput => Ok(Box::new(CsvSink::to_standard_output(session)?)),
        },
    },
    Entry {
        format: OutputFormat::Wav,
        extensions: &["wav"],
        open: |target, session, _| Ok(Box::new(WavSink::create(file("WAV", target)?, session)?)),
    },
    Entry {
        format: OutputFormat::Json,
        extensions: &["json", "jsonl"],
        open: |target, _, events| match target {
            Target::File(path) => Ok(Box::new(LineFile::create(path, "JSON lines", |f| {
                JsonSink::new(f, events)
            })?)),
            Target::StandardOutput => Ok(Box::new(JsonSink::new(io::stdout(), events))),
        },
    },
    Entry {
        format: OutputFormat::Text,
        extensions: &["txt"],
        open: |target, _, events| match target {
            Target::File(path) => Ok(Box::new(LineFile::create(path, "text", |f| {
                TextSink::new(f, events)
            })?)),
            Target::StandardOutput => Ok(Box::new(TextSink::new(io::stdout(), events))),
        },
    },
    Entry {
        format: OutputFormat::Edf,
        extensions: &["edf"],
        open: |target, session, _| Ok(Box::new(EdfSink::create(file("EDF+", target)?, session)?)),
    },
];

impl OutputFormat {
    /// `--to` if given, else the output's extension.
    pub fn choose(to: Option<Self>, target: &Target) -> Result<Self, Error> {
        if let Some(format) = to {
            return Ok(format);
        }
        let Target::File(path) = target else {
            return Err(
                Error::new("standard output has no extension to tell the format by")
                    .fix(format!("give --to {}", names())),
            );
        };
        let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
        FORMATS
            .iter()
            .find(|entry| {
                extension
                    .as_deref()
                    .is_some_and(|e| entry.extensions.contains(&e))
            })
            .map(|entry| entry.format)
            .ok_or_else(|| {
                Error::new(format!(
                    "cannot tell the output format of {}: known extensions are {}",
                    path.display(),
                    extensions()
                ))
                .fix(format!("give one of them, or --to {}", names()))
            })
    }

    /// Opens this format's sink on `target`, describing `session`; `events` keeps the event
    /// lines of the line formats.
    pub fn open(
        self,
        target: &Target,
        session: &SessionInfo,
        events: bool,
    ) -> Result<Box<dyn Sink>, Error> {
        let entry = FORMATS
            .iter()
            .find(|entry| entry.format == self)
            .expect("every format has a row");
        (entry.open)(target, session, events)
    }
}

/// The file a format that rewrites its header needs; standard output will not do.
fn file<'a>(kind: &str, target: &'a Target) -> Result<&'a Path, Error> {
    match target {
        Target::File(path) => Ok(path),
        Target::StandardOutput => Err(Error::new(format!(
            "{kind} output cannot go to standard output: its header is rewritten at the end, which needs a file"
        ))
        .fix("give a file name")),
    }
}

/// `.csv, .wav, ...`
fn extensions() -> String {
    FORMATS
        .iter()
        .flat_map(|entry| entry.extensions.iter().map(|e| format!(".{e}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `csv|wav|...`
fn names() -> String {
    OutputFormat::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| v.get_name().to_owned())
        .collect::<Vec<_>>()
        .join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_exactly_one_row() {
        for format in OutputFormat::value_variants() {
            let rows = FORMATS.iter().filter(|e| e.format == *format).count();
            assert_eq!(rows, 1, "{format:?}");
        }
    }

    #[test]
    fn extensions_choose_case_blind_and_unknown_ones_are_listed() {
        let choose = |p: &str| OutputFormat::choose(None, &Target::of(Path::new(p)));
        assert_eq!(choose("a.CSV").unwrap(), OutputFormat::Csv);
        assert_eq!(choose("a.jsonl").unwrap(), OutputFormat::Json);
        assert_eq!(choose("a.txt").unwrap(), OutputFormat::Text);
        let e = choose("a.xyz").unwrap_err().to_string();
        assert!(
            e.contains("known extensions are .csv, .wav, .json, .jsonl, .txt, .edf"),
            "{e}"
        );
        assert!(
            choose("-")
                .unwrap_err()
                .to_string()
                .contains("--to csv|wav|json|text|edf")
        );
    }
}
