//! Which row each session event is in a recording, both ways: the CSV entries of the event
//! vocabulary.

use std::borrow::Cow;

use super::super::event::{evidence_named, protocol_name, protocol_named};
use super::super::field::Fields;
use super::super::number::{parse_i64, parse_u64};
use super::super::words::parse_fields;
use super::super::{ParseError, SessionEvent};

/// An event's row: its kind and the cells it fills (the others are empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EventRow<'a> {
    /// The `kind` column.
    pub kind: &'a str,
    pub sample_index: Option<u64>,
    pub timestamp_us: Option<i64>,
    pub counter: Option<u8>,
    pub lost: Option<u64>,
    /// Free text, or `key=value` words.
    pub detail: Cow<'a, str>,
}

impl<'a> EventRow<'a> {
    fn new(kind: &'a str) -> Self {
        Self {
            kind,
            sample_index: None,
            timestamp_us: None,
            counter: None,
            lost: None,
            detail: Cow::Borrowed(""),
        }
    }

    fn detail(kind: &'a str, detail: impl Into<Cow<'a, str>>) -> Self {
        Self {
            detail: detail.into(),
            ..Self::new(kind)
        }
    }
}

/// The row `event` is written as; `None` for the events that have none: switch changes (the
/// `switches` column shows them) and the end (the recording's last lines).
pub(super) fn event_row(event: &SessionEvent) -> Option<EventRow<'_>> {
    Some(match event {
        SessionEvent::Lost {
            count,
            first_sample_index,
            timestamp_us,
        } => EventRow {
            sample_index: Some(*first_sample_index),
            timestamp_us: Some(*timestamp_us),
            lost: Some(*count),
            ..EventRow::new("gap")
        },
        SessionEvent::DeviceGone {
            reason,
            timestamp_us,
        } => EventRow {
            timestamp_us: Some(*timestamp_us),
            ..EventRow::detail("device_gone", reason.as_str())
        },
        SessionEvent::DeviceBack {
            device,
            timestamp_us,
        } => EventRow {
            timestamp_us: Some(*timestamp_us),
            ..EventRow::detail("device_back", device.as_str())
        },
        SessionEvent::Protocol { protocol } => {
            EventRow::detail("protocol", protocol_name(*protocol))
        }
        SessionEvent::DeviceId { id } => EventRow::detail("device_id", id.as_str()),
        SessionEvent::SyncLost { at_byte } => {
            EventRow::detail("sync_lost", format!("at_byte={at_byte}"))
        }
        SessionEvent::Resync { skipped_bytes } => {
            EventRow::detail("resync", format!("skipped_bytes={skipped_bytes}"))
        }
        SessionEvent::Restart {
            sample_index,
            timestamp_us,
            previous_counter,
            counter,
            evidence,
        } => EventRow {
            sample_index: Some(*sample_index),
            timestamp_us: Some(*timestamp_us),
            counter: Some(*counter),
            ..EventRow::detail(
                "restart",
                format!(
                    "previous_counter={previous_counter} evidence={}",
                    evidence.name()
                ),
            )
        },
        SessionEvent::CounterStalled { counter } => EventRow {
            counter: Some(*counter),
            ..EventRow::new("counter_stalled")
        },
        SessionEvent::TrailingBytes { count } => {
            EventRow::detail("trailing_bytes", format!("bytes={count}"))
        }
        SessionEvent::Switches { .. } | SessionEvent::End { .. } => return None,
    })
}

/// The cells of a row as read, by column (`None` when the row is too short to have it).
#[derive(Debug, Clone, Copy)]
pub(super) struct RowCells<'a> {
    pub sample_index: Option<&'a [u8]>,
    pub timestamp_us: Option<&'a [u8]>,
    pub counter: Option<&'a [u8]>,
    pub lost: Option<&'a [u8]>,
    pub detail: Option<&'a [u8]>,
}

impl RowCells<'_> {
    fn unsigned(cell: Option<&[u8]>, column: &'static str) -> Result<u64, ParseError> {
        parse_u64(cell.ok_or(ParseError::Missing(column))?)
            .ok_or(ParseError::invalid(column, "an unsigned integer"))
    }

    fn sample_index(&self) -> Result<u64, ParseError> {
        Self::unsigned(self.sample_index, "sample_index")
    }

    fn timestamp_us(&self) -> Result<i64, ParseError> {
        parse_i64(
            self.timestamp_us
                .ok_or(ParseError::Missing("timestamp_us"))?,
        )
        .ok_or(ParseError::invalid("timestamp_us", "an integer"))
    }

    fn counter(&self) -> Result<u8, ParseError> {
        u8::try_from(Self::unsigned(self.counter, "counter")?)
            .map_err(|_| ParseError::invalid("counter", "a counter 0..=255"))
    }

    fn detail(&self) -> Result<&str, ParseError> {
        std::str::from_utf8(self.detail.ok_or(ParseError::Missing("detail"))?)
            .map_err(|_| ParseError::NotUtf8)
    }
}

/// The event a row of `kind` (other than `packet`) records, the inverse of [`event_row`];
/// `Ok(None)` for a kind this version does not know, or a protocol or restart evidence it does
/// not know.
pub(super) fn event_from_row(
    kind: &[u8],
    cells: &RowCells<'_>,
) -> Result<Option<SessionEvent>, ParseError> {
    let event = match kind {
        b"gap" => SessionEvent::Lost {
            count: RowCells::unsigned(cells.lost, "lost")?,
            first_sample_index: cells.sample_index()?,
            timestamp_us: cells.timestamp_us()?,
        },
        b"device_gone" => SessionEvent::DeviceGone {
            reason: cells.detail()?.to_owned(),
            timestamp_us: cells.timestamp_us()?,
        },
        b"device_back" => SessionEvent::DeviceBack {
            device: cells.detail()?.to_owned(),
            timestamp_us: cells.timestamp_us()?,
        },
        b"protocol" => match protocol_named(cells.detail()?) {
            Some(protocol) => SessionEvent::Protocol { protocol },
            None => return Ok(None),
        },
        b"device_id" => SessionEvent::DeviceId {
            id: cells.detail()?.to_owned(),
        },
        b"sync_lost" => SessionEvent::SyncLost {
            at_byte: parse_fields(cells.detail()?)?[..].unsigned("at_byte")?,
        },
        b"resync" => SessionEvent::Resync {
            skipped_bytes: parse_fields(cells.detail()?)?[..].unsigned("skipped_bytes")?,
        },
        b"restart" => {
            let detail = parse_fields(cells.detail()?)?;
            let previous_counter =
                detail[..].at_most("previous_counter", u8::MAX, "a counter 0..=255")?;
            let Some(evidence) = evidence_named(&detail[..].text("evidence")?) else {
                return Ok(None);
            };
            SessionEvent::Restart {
                sample_index: cells.sample_index()?,
                timestamp_us: cells.timestamp_us()?,
                previous_counter,
                counter: cells.counter()?,
                evidence,
            }
        }
        b"counter_stalled" => SessionEvent::CounterStalled {
            counter: cells.counter()?,
        },
        b"trailing_bytes" => SessionEvent::TrailingBytes {
            count: parse_fields(cells.detail()?)?[..].unsigned("bytes")?,
        },
        _ => return Ok(None),
    };
    Ok(Some(event))
}
