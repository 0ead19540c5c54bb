//! One line of input, in either of eegreader's formats, with the format detected from the first
//! line that shows it.

use libeeg::Protocol;

use super::item::{Format, Marker, Sample};
use super::{json, text};

/// What one line held.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A packet, and the protocol its line names.
    Sample(Sample, Protocol),
    /// A stream event.
    Marker(Marker),
    /// Nothing to show and nothing wrong: an empty line, a `#` comment or JSON event the reader
    /// does not write.
    Ignored,
    /// Neither data nor an event (wrong field count, not numbers, out of range, invalid UTF-8,
    /// binary junk): counted and skipped.
    Garbage,
}

/// Parses lines, detecting the format on the way.
///
/// Detection: the first line that is not empty decides. A line starting with `{` means JSON
/// lines; a `#` line, or a line starting with a digit or `-` and holding a `|`, means the text
/// format. A line that shows neither (a shell message before the data, binary junk) is
/// garbage and the next line decides. Once decided, a line of the other format is garbage.
#[derive(Debug, Clone, Default)]
pub struct LineParser {
    format: Option<Format>,
}

impl LineParser {
    /// A parser that detects the format.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser for one format, without detection.
    pub fn with_format(format: Format) -> Self {
        Self {
            format: Some(format),
        }
    }

    /// The format, once detected.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// Parses one line. Its line ending (`\n`, `\r\n`) may be included or not.
    #[inline]
    pub fn parse(&mut self, line: &[u8]) -> Line {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let format = match self.format {
            Some(format) => format,
            None => {
                // A byte-order mark, as some editors write, before the first line.
                let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
                match detect(line) {
                    Some(format) => {
                        self.format = Some(format);
                        return self.parse(line);
                    }
                    None if line.is_empty() => return Line::Ignored,
                    None => return Line::Garbage,
                }
            }
        };
        match format {
            Format::Text => text::parse(line),
            Format::Json => json::parse(line),
        }
    }
}

/// The format a line shows, if any.
fn detect(line: &[u8]) -> Option<Format> {
    match line.first()? {
        b'{' => Some(Format::Json),
        b'#' => Some(Format::Text),
        b'0'..=b'9' | b'-' if line.contains(&b'|') => Some(Format::Text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &[u8] = b"1700000000000000|2|17|512|498|530|1023|0|512|15";
    const JSON: &[u8] = br#"{"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":17,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}"#;

    #[test]
    fn the_first_line_decides_text() {
        let mut p = LineParser::new();
        assert_eq!(p.format(), None);
        assert!(matches!(p.parse(TEXT), Line::Sample(..)));
        assert_eq!(p.format(), Some(Format::Text));
        assert_eq!(p.parse(JSON), Line::Garbage);
        assert!(matches!(p.parse(TEXT), Line::Sample(..)));
    }

    #[test]
    fn the_first_line_decides_json() {
        let mut p = LineParser::new();
        assert!(matches!(p.parse(JSON), Line::Sample(..)));
        assert_eq!(p.format(), Some(Format::Json));
        assert_eq!(p.parse(TEXT), Line::Garbage);
        assert_eq!(p.parse(b"# protocol P2"), Line::Garbage);
    }

    #[test]
    fn an_event_line_decides_text() {
        let mut p = LineParser::new();
        assert_eq!(
            p.parse(b"# protocol P2\n"),
            Line::Marker(Marker::Protocol(Protocol::P2))
        );
        assert_eq!(p.format(), Some(Format::Text));
        let mut p = LineParser::new();
        assert_eq!(p.parse(b"# a comment"), Line::Ignored);
        assert_eq!(p.format(), Some(Format::Text));
    }

    #[test]
    fn empty_and_undecided_lines_come_before_the_decision() {
        let mut p = LineParser::new();
        assert_eq!(p.parse(b""), Line::Ignored);
        assert_eq!(p.parse(b"\r\n"), Line::Ignored);
        assert_eq!(p.parse(b"warning: something on stdout"), Line::Garbage);
        assert_eq!(p.parse(b"\xa5\x5a\x02\x00\xff"), Line::Garbage);
        assert_eq!(p.parse(b"12345"), Line::Garbage);
        assert_eq!(p.format(), None);
        // A digit line with a `|` decides text even when it is damaged.
        assert_eq!(p.parse(b"1|2"), Line::Garbage);
        assert_eq!(p.format(), Some(Format::Text));
    }

    #[test]
    fn line_endings_and_byte_order_mark() {
        let mut p = LineParser::new();
        let mut first = b"\xef\xbb\xbf".to_vec();
        first.extend_from_slice(TEXT);
        first.extend_from_slice(b"\r\n");
        assert!(matches!(p.parse(&first), Line::Sample(..)));
        let mut crlf = TEXT.to_vec();
        crlf.extend_from_slice(b"\r\n");
        assert!(matches!(p.parse(&crlf), Line::Sample(..)));
        // A byte-order mark later on is junk.
        assert_eq!(p.parse(&first), Line::Garbage);
    }

    #[test]
    fn a_fixed_format_does_not_detect() {
        let mut p = LineParser::with_format(Format::Json);
        assert_eq!(p.parse(TEXT), Line::Garbage);
        assert!(matches!(p.parse(JSON), Line::Sample(..)));
    }
}
