//! Reading JSON lines.

use serde_json::{Map, Value};

use super::super::field::Fields;
use super::super::line::bounded;
use super::super::record::{CHANNEL_NAMES, code, counter, protocol_of_version, switches};
use super::super::sample_index::NextSampleIndex;
use super::super::{Item, LineItems, ParseError, Record, SessionEvent};
use super::exact::exact_packet;
use crate::CHANNELS;

/// Reads JSON lines, one at a time (see the [module documentation](super)).
#[derive(Debug, Clone, Default)]
pub struct JsonParser {
    /// For packets without `sample_index`.
    next: NextSampleIndex,
}

impl JsonParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one line, with or without its line end: a record, an event, an unknown event, or
    /// nothing for an empty line.
    pub fn parse_line(&mut self, line: &[u8]) -> Result<LineItems, ParseError> {
        let line = bounded(line)?;
        if line.is_empty() {
            return Ok(LineItems::none());
        }
        if let Some(record) = exact_packet(line) {
            self.next.saw_index(record.sample_index);
            return Ok(LineItems::one(Item::Record(record)));
        }
        self.general(line)
    }

    /// Reads a line that is not exactly a writer's packet line (or, in tests, any line).
    pub(super) fn general(&mut self, line: &[u8]) -> Result<LineItems, ParseError> {
        // The line is bounded, and serde_json limits nesting, so this holds little memory.
        let value: Value = serde_json::from_slice(line)
            .map_err(|e| ParseError::Malformed(format!("not JSON: {e}").into()))?;
        let Value::Object(object) = value else {
            return Err(ParseError::malformed("not a JSON object"));
        };
        let item = match object.get("event") {
            Some(Value::String(name)) => match SessionEvent::from_fields(name, &object)? {
                Some(event) => {
                    self.next.saw_event(&event);
                    Item::Event(event)
                }
                // serde_json read it, so it is UTF-8.
                None => Item::Unknown(String::from_utf8_lossy(line).into_owned()),
            },
            Some(_) => return Err(ParseError::invalid("event", "a string")),
            None => {
                let record = packet(&object, &mut self.next)?;
                Item::Record(record)
            }
        };
        Ok(LineItems::one(item))
    }
}

/// A packet object, keys in any order; `microvolts` and unknown keys are not read.
fn packet(object: &Map<String, Value>, next: &mut NextSampleIndex) -> Result<Record, ParseError> {
    let timestamp_us = object.signed("timestamp_us")?;
    let protocol = protocol_of_version(integer(object, "version")?)?;
    let counter = counter("frame", integer(object, "frame")?, protocol)?;
    let channels = object
        .get("channels")
        .ok_or(ParseError::Missing("channels"))?
        .as_array()
        .filter(|a| a.len() == CHANNELS)
        .ok_or(ParseError::invalid("channels", "an array of six codes"))?;
    let mut samples = [0; CHANNELS];
    for ((sample, value), name) in samples.iter_mut().zip(channels).zip(CHANNEL_NAMES) {
        *sample = code(name, value.as_u64())?;
    }
    let switches = switches("switches", integer(object, "switches")?)?;
    let sample_index = match object.get("sample_index") {
        Some(_) => {
            let index = object.unsigned("sample_index")?;
            next.saw_index(index);
            index
        }
        None => next.take(),
    };
    Ok(Record {
        timestamp_us,
        sample_index,
        protocol,
        counter,
        samples,
        switches,
    })
}

/// The unsigned integer at `key` (`None` when it is not one), which must be there.
fn integer(object: &Map<String, Value>, key: &'static str) -> Result<Option<u64>, ParseError> {
    Ok(object.get(key).ok_or(ParseError::Missing(key))?.as_u64())
}
