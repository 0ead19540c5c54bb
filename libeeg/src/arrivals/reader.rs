//! Lines into entries, and what is wrong with those that are not.

use std::fmt;
use std::io::{self, BufRead, Read as _};
use std::iter::FusedIterator;
use std::time::Duration;

use super::{Entry, Header, MAX_LINE, MAX_READ, VERSION_LINE, unescape};

/// Reads an arrivals file from any [`BufRead`]: the header at once ([`Reader::new`]), then the
/// entries as an iterator.
///
/// The iterator ends at the end of the input, or at a last line without its line feed, which
/// it leaves out: the recorder was stopped while writing it ([`Reader::is_torn`] then says so).
/// It ends after the first error too: the times of the entries after a damaged line are not
/// known. Memory stays bounded whatever the input (a line longer than any the writer writes is
/// an error).
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    header: Header,
    /// The line last read, without its line feed, and its number (from 1).
    line: Vec<u8>,
    line_no: u64,
    /// Time of the last entry.
    time: Duration,
    /// The entry that ended the header, for the iterator's first item.
    first: Option<Entry>,
    /// The input ended in a line without its line feed.
    torn: bool,
    /// At the end, or after an error.
    done: bool,
}

/// What reading one line found.
enum Line {
    /// A line, in `Reader::line`.
    Whole,
    /// The end of the input, or a torn last line.
    End,
    /// A line longer than any the writer writes.
    TooLong,
}

impl<R: BufRead> Reader<R> {
    /// Reads the version line and the header from `input`, up to the first entry.
    pub fn new(input: R) -> Result<Self, Error> {
        let mut reader = Self {
            input,
            header: Header::new(0, ""),
            line: Vec::new(),
            line_no: 0,
            time: Duration::ZERO,
            first: None,
            torn: false,
            done: false,
        };
        reader.read_header()?;
        Ok(reader)
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Whether the input ended in a torn line (one without its line feed), which was left out.
    /// Known once the iterator has ended.
    pub fn is_torn(&self) -> bool {
        self.torn
    }

    fn read_header(&mut self) -> Result<(), Error> {
        match self.read_line()? {
            Line::Whole if self.line == VERSION_LINE.as_bytes() => {}
            Line::Whole if self.line.starts_with(b"eegreader arrivals ") => {
                return Err(Error::UnknownVersion {
                    version: String::from_utf8_lossy(&self.line).into_owned(),
                });
            }
            _ => return Err(Error::NotArrivals),
        }
        let mut wall_start_us = None;
        loop {
            match self.read_line()? {
                Line::Whole => {}
                Line::End => {
                    self.done = true;
                    break;
                }
                Line::TooLong => return Err(self.bad_line()),
            }
            if self.line.first().is_some_and(u8::is_ascii_digit) {
                self.first = Some(self.entry()?);
                break;
            }
            let line = String::from_utf8_lossy(&self.line);
            let (key, value) = line.split_once(' ').unwrap_or((&line, ""));
            match key {
                "wall_start_us" => {
                    wall_start_us = Some(value.parse::<i64>().map_err(|_| self.bad_line())?);
                }
                "source" => self.header.source = unescape(value).ok_or_else(|| self.bad_line())?,
                _ => {}
            }
        }
        self.header.wall_start_us = wall_start_us.ok_or(Error::NoWallStart)?;
        Ok(())
    }

    /// The entry on the line last read.
    fn entry(&mut self) -> Result<Entry, Error> {
        match parse(&self.line, self.time) {
            Some(entry) => {
                self.time = entry.time();
                Ok(entry)
            }
            None => Err(self.bad_line()),
        }
    }

    /// Reads the next line into `self.line`, without its line feed.
    fn read_line(&mut self) -> Result<Line, Error> {
        self.line.clear();
        let read = (&mut self.input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut self.line)
            .map_err(|error| Error::Io {
                line: self.line_no + 1,
                error,
            })?;
        if read == 0 {
            return Ok(Line::End);
        }
        self.line_no += 1;
        if self.line.pop_if(|b| *b == b'\n').is_some() {
            Ok(Line::Whole)
        } else if self.line.len() > MAX_LINE {
            Ok(Line::TooLong)
        } else {
            self.torn = true;
            Ok(Line::End)
        }
    }

    fn bad_line(&self) -> Error {
        Error::BadLine {
            line: self.line_no,
            text: String::from_utf8_lossy(&self.line)
                .chars()
                .take(SHOWN_CHARS)
                .collect(),
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Entry, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(entry) = self.first.take() {
            return Some(Ok(entry));
        }
        if self.done {
            return None;
        }
        let entry = match self.read_line() {
            Ok(Line::Whole) => self.entry(),
            Ok(Line::End) => {
                self.done = true;
                return None;
            }
            Ok(Line::TooLong) => Err(self.bad_line()),
            Err(e) => Err(e),
        };
        self.done = entry.is_err();
        Some(entry)
    }
}

impl<R: BufRead> FusedIterator for Reader<R> {}

/// How much of a bad line an error shows, in characters.
const SHOWN_CHARS: usize = 60;

/// The entry on `line`, whose time counts from `previous`; `None` if it is not one. Bytes, not
/// text, for the millions of read lines.
fn parse(line: &[u8], previous: Duration) -> Option<Entry> {
    let space = line.iter().position(|&b| b == b' ')?;
    let at = previous.checked_add(Duration::from_micros(number(&line[..space])?))?;
    let rest = &line[space + 1..];
    if let Some(len) = number(rest) {
        let len = usize::try_from(len).ok().filter(|&len| len <= MAX_READ)?;
        return Some(Entry::Read { len, at });
    }
    let rest = std::str::from_utf8(rest).ok()?;
    Some(match rest.split_once(' ').unwrap_or((rest, "")) {
        ("quiet", "") => Entry::Quiet { at },
        (kind @ ("gone" | "back"), rest) => {
            let (wall, text) = rest.split_once(' ').unwrap_or((rest, ""));
            let wall_us = wall.parse().ok()?;
            let text = unescape(text)?;
            if kind == "gone" {
                Entry::Gone {
                    at,
                    wall_us,
                    reason: text,
                }
            } else {
                Entry::Back {
                    at,
                    wall_us,
                    device: text,
                }
            }
        }
        _ => return None,
    })
}

/// A decimal number of digits only (no sign, no spaces), if it fits.
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|&d| d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// What is wrong with an arrivals file, and on which line.
///
/// It displays as what is wrong with the file, to follow its name:
/// `format!("the arrivals file {} {error}", path.display())` reads as a sentence.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading line `line` failed.
    Io {
        /// The line being read (from 1).
        line: u64,
        /// Why.
        error: io::Error,
    },
    /// The first line is not [`VERSION_LINE`], nor any version of it: not an arrivals file.
    NotArrivals,
    /// The first line names a version of the format this reader does not know (a newer writer
    /// wrote it).
    UnknownVersion {
        /// The first line.
        version: String,
    },
    /// No `wall_start_us` header line before the first entry (or the end).
    NoWallStart,
    /// Line `line` is neither a header line this reader can read nor an entry.
    BadLine {
        /// Its number (from 1).
        line: u64,
        /// Its first 60 characters.
        text: String,
    },
}

impl Error {
    /// The line the problem is on (from 1); `None` when it is about the header as a whole
    /// ([`Error::NoWallStart`]).
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::Io { line, .. } | Self::BadLine { line, .. } => Some(*line),
            Self::NotArrivals | Self::UnknownVersion { .. } => Some(1),
            Self::NoWallStart => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { line, error } => write!(f, "cannot be read at line {line}: {error}"),
            Self::NotArrivals => write!(f, "does not start with '{VERSION_LINE}'"),
            Self::UnknownVersion { version } => write!(
                f,
                "is in a version of the format this reader does not know ('{version}'; it reads '{VERSION_LINE}')"
            ),
            Self::NoWallStart => write!(f, "has no 'wall_start_us' line before its entries"),
            Self::BadLine { line, text } => write!(
                f,
                "line {line}, '{text}', is not an entry ('MICROSECONDS BYTES', or MICROSECONDS then quiet, gone or back)"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}
