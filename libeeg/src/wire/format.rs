//! Which format a stream is in, and a parser for it.

use super::{CsvParser, JsonParser, LineItems, ParseError, TextParser};

/// A wire format that is read line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The text format ([`text`](super::text)).
    Text,
    /// JSON lines ([`json`](super::json)).
    Json,
    /// A CSV recording ([`csv`](super::csv)).
    Csv,
}

impl Format {
    /// The format the first line of a stream shows, if any (a UTF-8 byte-order mark before it
    /// is ignored): `{` starts JSON lines; a CSV recording starts with its
    /// `# OpenEEG recording by` line (or, without its header, the `kind,` column row); any
    /// other `#` line, or a line starting with a digit or `-` and holding a `|`, is the text
    /// format. `None` for anything else (an empty line, a shell message before the data): the
    /// next line may tell.
    pub fn detect(first_line: &[u8]) -> Option<Self> {
        let line = first_line
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(first_line);
        match line.first()? {
            b'{' => Some(Self::Json),
            b'#' if line.starts_with(b"# OpenEEG recording by ") => Some(Self::Csv),
            b'#' => Some(Self::Text),
            b'k' if line.starts_with(b"kind,") => Some(Self::Csv),
            b'0'..=b'9' | b'-' if line.contains(&b'|') => Some(Self::Text),
            _ => None,
        }
    }

    /// A parser for this format, at the start of a stream.
    pub fn parser(self) -> Parser {
        match self {
            Self::Text => Parser::Text(TextParser::new()),
            Self::Json => Parser::Json(JsonParser::new()),
            Self::Csv => Parser::Csv(Box::default()),
        }
    }
}

/// A parser of any of the line formats, for consumers that learn the format at run time.
#[derive(Debug, Clone)]
pub enum Parser {
    /// The text format.
    Text(TextParser),
    /// JSON lines.
    Json(JsonParser),
    /// A CSV recording (boxed: its header makes it the largest by far).
    Csv(Box<CsvParser>),
}

impl Parser {
    /// The format it reads.
    pub fn format(&self) -> Format {
        match self {
            Self::Text(_) => Format::Text,
            Self::Json(_) => Format::Json,
            Self::Csv(_) => Format::Csv,
        }
    }

    /// Reads one line, with or without its line end.
    pub fn parse_line(&mut self, line: &[u8]) -> Result<LineItems, ParseError> {
        match self {
            Self::Text(parser) => parser.parse_line(line),
            Self::Json(parser) => parser.parse_line(line),
            Self::Csv(parser) => parser.parse_line(line),
        }
    }

    /// Ends the input (only a CSV row left inside quotes is an error).
    pub fn finish(&mut self) -> Result<(), ParseError> {
        match self {
            Self::Csv(parser) => parser.finish(),
            Self::Text(_) | Self::Json(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_tells() {
        for (line, format) in [
            (&b"{\"event\":\"protocol\"}"[..], Some(Format::Json)),
            (b"# protocol protocol=P2 version=2", Some(Format::Text)),
            (
                b"1700000000000000|2|17|512|498|530|1023|0|512|15",
                Some(Format::Text),
            ),
            (b"-5|2|17|512|498|530|1023|0|512|15", Some(Format::Text)),
            (b"# OpenEEG recording by eegreader 0.1.0", Some(Format::Csv)),
            (b"kind,sample_index,timestamp_us", Some(Format::Csv)),
            (b"\xef\xbb\xbf{}", Some(Format::Json)),
            (b"", None),
            (b"12345", None),
            (b"warning: something on stdout", None),
            (b"\xa5\x5a\x02\x00\xff", None),
        ] {
            assert_eq!(
                Format::detect(line),
                format,
                "{}",
                String::from_utf8_lossy(line)
            );
            if let Some(format) = format {
                assert_eq!(format.parser().format(), format);
            }
        }
    }
}
