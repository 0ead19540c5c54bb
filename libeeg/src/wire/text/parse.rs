//! Reading the text format.

use super::super::line::bounded;
use super::super::number::{parse_i64, parse_u64};
use super::super::record::{CHANNEL_NAMES, code, counter, protocol_of_version, switches};
use super::super::sample_index::NextSampleIndex;
use super::super::words::parse_words;
use super::super::{Item, LineItems, ParseError, Record};
use crate::CHANNELS;

/// Fields of a data line.
const FIELDS: usize = 4 + CHANNELS;

/// Reads text format lines, one at a time, giving data lines their sample index (see the
/// [module documentation](super)).
#[derive(Debug, Clone, Default)]
pub struct TextParser {
    next: NextSampleIndex,
}

impl TextParser {
    /// A parser at the start of a stream (the first data line is sample 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one line, with or without its line end: a record, an event, an unknown `#` line,
    /// or nothing for an empty line.
    pub fn parse_line(&mut self, line: &[u8]) -> Result<LineItems, ParseError> {
        let line = bounded(line)?;
        let item = match line.first() {
            None => return Ok(LineItems::none()),
            Some(b'#') => {
                let text = std::str::from_utf8(line).map_err(|_| ParseError::NotUtf8)?;
                let event = match text.strip_prefix("# ") {
                    Some(words) => parse_words(words)?,
                    None => None,
                };
                match event {
                    Some(event) => {
                        self.next.saw_event(&event);
                        Item::Event(event)
                    }
                    None => Item::Unknown(text.to_owned()),
                }
            }
            Some(_) => Item::Record(data_line(line, &mut self.next)?),
        };
        Ok(LineItems::one(item))
    }
}

/// `timestamp_us|version|frame|ch1|ch2|ch3|ch4|ch5|ch6|switches`.
fn data_line(line: &[u8], next: &mut NextSampleIndex) -> Result<Record, ParseError> {
    let mut fields: [&[u8]; FIELDS] = [&[]; FIELDS];
    let mut n = 0;
    for field in line.split(|&b| b == b'|') {
        *fields
            .get_mut(n)
            .ok_or(ParseError::malformed("more than 10 `|`-separated fields"))? = field;
        n += 1;
    }
    if n != FIELDS {
        return Err(ParseError::malformed("fewer than 10 `|`-separated fields"));
    }
    let timestamp_us =
        parse_i64(fields[0]).ok_or(ParseError::invalid("timestamp_us", "an integer"))?;
    let protocol = protocol_of_version(parse_u64(fields[1]))?;
    let counter = counter("frame", parse_u64(fields[2]), protocol)?;
    let mut samples = [0; CHANNELS];
    for ((sample, field), name) in samples.iter_mut().zip(&fields[3..]).zip(CHANNEL_NAMES) {
        *sample = code(name, parse_u64(field))?;
    }
    let switches = switches("switches", parse_u64(fields[FIELDS - 1]))?;
    Ok(Record {
        timestamp_us,
        sample_index: next.take(),
        protocol,
        counter,
        samples,
        switches,
    })
}
