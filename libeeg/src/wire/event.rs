//! The event vocabulary: what a session reports besides packets, with one name and one list of
//! keys for every format.

use super::ParseError;
use super::field::{FieldValue, Fields};
use crate::{Protocol, RestartEvidence};

/// Something that happened in a session, as the wire formats report it: a `#` line of the text
/// format, a JSON object with an `"event"` key, a CSV row (or the recording's last lines), an
/// EDF+ annotation, an LSL marker.
///
/// Not the decoder's [`Event`](crate::Event), which is what the decoder learned from the
/// bytes; a session event is what the session tells its consumers: the decoder's findings
/// placed in time (`timestamp_us`), plus what only the session knows (the device going away,
/// the end with the measured rate).
///
/// Each event has a [`name`](Self::name) (the JSON `"event"` value, the first word of a `#`
/// line) and fields whose keys are the variant's field names, in the order declared here,
/// which is the order every format writes them:
///
/// | name | keys |
/// |---|---|
/// | `lost` | `count`, `first_sample_index`, `timestamp_us` |
/// | `sync_lost` | `at_byte` |
/// | `resync` | `skipped_bytes` |
/// | `protocol` | `protocol` (`P2`, `P3`), `version` (2, 3) |
/// | `device_id` | `id` |
/// | `device_gone` | `reason`, `timestamp_us` |
/// | `device_back` | `device`, `timestamp_us` |
/// | `switches` | `sample_index`, `previous`, `current` |
/// | `restart` | `sample_index`, `timestamp_us`, `previous_counter`, `counter`, `evidence` |
/// | `counter_stalled` | `counter` |
/// | `trailing_bytes` | `count` |
/// | `end` | `estimated_rate_hz` (`null` when unknown) |
///
/// A new event is one variant here plus its entries in the tables that map variants to
/// formats: [`name`](Self::name), the field list and its reading back (this file), the CSV row
/// (`csv/event_row.rs`), the EDF+ annotation ([`annotation`](super::annotation)) and, if it
/// moves the next sample index, `sample_index.rs`. Every one of those is an exhaustive
/// `match`, so the compiler lists what is missing; the round-trip tests then cover it.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// Packets are missing before the next record.
    Lost {
        /// How many.
        count: u64,
        /// Sample index of the first missing packet.
        first_sample_index: u64,
        /// Its sample time, microseconds since the Unix epoch.
        timestamp_us: i64,
    },
    /// The byte stream stopped matching the packet framing.
    SyncLost {
        /// Offset in the device's byte stream of the first byte that did not fit.
        at_byte: u64,
    },
    /// Packets are framed again.
    Resync {
        /// Bytes discarded meanwhile.
        skipped_bytes: u64,
    },
    /// The decoder recognised the protocol (first framing of the session).
    Protocol {
        /// P2 or P3.
        protocol: Protocol,
    },
    /// A P3 device spelt out its id.
    DeviceId {
        /// The id, e.g. `mEEGv1.0`.
        id: String,
    },
    /// The device went away (unplugged, reset); an outage starts, recordings stay open.
    DeviceGone {
        /// What happened, for people.
        reason: String,
        /// Wall-clock time, microseconds since the Unix epoch.
        timestamp_us: i64,
    },
    /// The device is back; the outage since [`DeviceGone`](Self::DeviceGone) ends.
    DeviceBack {
        /// Which device (path or USB serial number).
        device: String,
        /// Wall-clock time, microseconds since the Unix epoch.
        timestamp_us: i64,
    },
    /// The switch inputs changed.
    Switches {
        /// Sample index of the first packet with the new value.
        sample_index: u64,
        /// Before (bits 3..0, pressed = 0).
        previous: u8,
        /// Now.
        current: u8,
    },
    /// The device restarted, or its counter jumped where no packets can have been lost: not a
    /// loss; the next record follows the last in sample index.
    Restart {
        /// Sample index of the first packet after it.
        sample_index: u64,
        /// Its sample time, microseconds since the Unix epoch.
        timestamp_us: i64,
        /// Counter before the jump.
        previous_counter: u8,
        /// Counter after it.
        counter: u8,
        /// What showed it was a restart (written as [`RestartEvidence::name`]).
        evidence: RestartEvidence,
    },
    /// The counter repeated (firmware start-up runs).
    CounterStalled {
        /// The repeated value.
        counter: u8,
    },
    /// Bytes at the end of the input that made no packet.
    TrailingBytes {
        /// How many.
        count: u64,
    },
    /// The session ended: its last event.
    End {
        /// The clock model's estimate of the real sample rate, written to six decimals; `None`
        /// when there is none (see [`SessionEvent::end`]).
        estimated_rate_hz: Option<f64>,
    },
}

/// Every restart evidence, for reading names back.
const EVIDENCE: [RestartEvidence; 2] = [RestartEvidence::ResetSignal, RestartEvidence::ElapsedTime];

/// Every protocol, for reading names back.
const PROTOCOLS: [Protocol; 2] = [Protocol::P2, Protocol::P3];

/// Largest switch byte (bits 3..0).
const MAX_SWITCHES: u8 = crate::p2::MAX_SWITCHES;

impl SessionEvent {
    /// The end of a session with the clock model's estimate: `None` unless it is a positive,
    /// finite rate.
    pub fn end(estimated_rate_hz: f64) -> Self {
        Self::End {
            estimated_rate_hz: (estimated_rate_hz.is_finite() && estimated_rate_hz > 0.0)
                .then_some(estimated_rate_hz),
        }
    }

    /// The name every format uses: `lost`, `sync_lost`, `resync`, `protocol`, `device_id`,
    /// `device_gone`, `device_back`, `switches`, `restart`, `counter_stalled`,
    /// `trailing_bytes`, `end`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Lost { .. } => "lost",
            Self::SyncLost { .. } => "sync_lost",
            Self::Resync { .. } => "resync",
            Self::Protocol { .. } => "protocol",
            Self::DeviceId { .. } => "device_id",
            Self::DeviceGone { .. } => "device_gone",
            Self::DeviceBack { .. } => "device_back",
            Self::Switches { .. } => "switches",
            Self::Restart { .. } => "restart",
            Self::CounterStalled { .. } => "counter_stalled",
            Self::TrailingBytes { .. } => "trailing_bytes",
            Self::End { .. } => "end",
        }
    }

    /// When it happened, microseconds since the Unix epoch, for the events that carry a time.
    pub fn timestamp_us(&self) -> Option<i64> {
        match self {
            Self::Lost { timestamp_us, .. }
            | Self::DeviceGone { timestamp_us, .. }
            | Self::DeviceBack { timestamp_us, .. }
            | Self::Restart { timestamp_us, .. } => Some(*timestamp_us),
            _ => None,
        }
    }

    /// Calls `field` with each key and value, in the order every format writes them.
    pub(crate) fn for_each_field(&self, mut field: impl FnMut(&'static str, FieldValue<'_>)) {
        use FieldValue::{Decimal, Signed, Text, Unsigned};
        match self {
            Self::Lost {
                count,
                first_sample_index,
                timestamp_us,
            } => {
                field("count", Unsigned(*count));
                field("first_sample_index", Unsigned(*first_sample_index));
                field("timestamp_us", Signed(*timestamp_us));
            }
            Self::SyncLost { at_byte } => field("at_byte", Unsigned(*at_byte)),
            Self::Resync { skipped_bytes } => field("skipped_bytes", Unsigned(*skipped_bytes)),
            Self::Protocol { protocol } => {
                field("protocol", Text(protocol_name(*protocol)));
                field("version", Unsigned(u64::from(protocol.version())));
            }
            Self::DeviceId { id } => field("id", Text(id)),
            Self::DeviceGone {
                reason,
                timestamp_us,
            } => {
                field("reason", Text(reason));
                field("timestamp_us", Signed(*timestamp_us));
            }
            Self::DeviceBack {
                device,
                timestamp_us,
            } => {
                field("device", Text(device));
                field("timestamp_us", Signed(*timestamp_us));
            }
            Self::Switches {
                sample_index,
                previous,
                current,
            } => {
                field("sample_index", Unsigned(*sample_index));
                field("previous", Unsigned(u64::from(*previous)));
                field("current", Unsigned(u64::from(*current)));
            }
            Self::Restart {
                sample_index,
                timestamp_us,
                previous_counter,
                counter,
                evidence,
            } => {
                field("sample_index", Unsigned(*sample_index));
                field("timestamp_us", Signed(*timestamp_us));
                field("previous_counter", Unsigned(u64::from(*previous_counter)));
                field("counter", Unsigned(u64::from(*counter)));
                field("evidence", Text(evidence.name()));
            }
            Self::CounterStalled { counter } => field("counter", Unsigned(u64::from(*counter))),
            Self::TrailingBytes { count } => field("count", Unsigned(*count)),
            Self::End { estimated_rate_hz } => {
                field("estimated_rate_hz", Decimal(*estimated_rate_hz));
            }
        }
    }

    /// The event called `name` from its fields, the inverse of
    /// [`for_each_field`](Self::for_each_field); `Ok(None)` when this version does not know
    /// the name, or a word in a closed list (a protocol, a restart's evidence) that a newer
    /// writer may add.
    pub(crate) fn from_fields(
        name: &str,
        f: &(impl Fields + ?Sized),
    ) -> Result<Option<Self>, ParseError> {
        let event = match name {
            "lost" => Self::Lost {
                count: f.unsigned("count")?,
                first_sample_index: f.unsigned("first_sample_index")?,
                timestamp_us: f.signed("timestamp_us")?,
            },
            "sync_lost" => Self::SyncLost {
                at_byte: f.unsigned("at_byte")?,
            },
            "resync" => Self::Resync {
                skipped_bytes: f.unsigned("skipped_bytes")?,
            },
            "protocol" => {
                let Some(protocol) = protocol_named(&f.text("protocol")?) else {
                    return Ok(None);
                };
                // Derived from the protocol: checked when present, as other producers may
                // leave it out.
                if f.get("version").is_some()
                    && f.unsigned("version")? != u64::from(protocol.version())
                {
                    return Err(ParseError::invalid("version", "the protocol's version"));
                }
                Self::Protocol { protocol }
            }
            "device_id" => Self::DeviceId {
                id: f.text("id")?.into_owned(),
            },
            "device_gone" => Self::DeviceGone {
                reason: f.text("reason")?.into_owned(),
                timestamp_us: f.signed("timestamp_us")?,
            },
            "device_back" => Self::DeviceBack {
                device: f.text("device")?.into_owned(),
                timestamp_us: f.signed("timestamp_us")?,
            },
            "switches" => Self::Switches {
                sample_index: f.unsigned("sample_index")?,
                previous: f.at_most("previous", MAX_SWITCHES, "a switch byte 0..=15")?,
                current: f.at_most("current", MAX_SWITCHES, "a switch byte 0..=15")?,
            },
            "restart" => {
                let sample_index = f.unsigned("sample_index")?;
                let timestamp_us = f.signed("timestamp_us")?;
                let previous_counter =
                    f.at_most("previous_counter", u8::MAX, "a counter 0..=255")?;
                let counter = f.at_most("counter", u8::MAX, "a counter 0..=255")?;
                let Some(evidence) = evidence_named(&f.text("evidence")?) else {
                    return Ok(None);
                };
                Self::Restart {
                    sample_index,
                    timestamp_us,
                    previous_counter,
                    counter,
                    evidence,
                }
            }
            "counter_stalled" => Self::CounterStalled {
                counter: f.at_most("counter", u8::MAX, "a counter 0..=255")?,
            },
            "trailing_bytes" => Self::TrailingBytes {
                count: f.unsigned("count")?,
            },
            "end" => Self::End {
                estimated_rate_hz: f.rate("estimated_rate_hz")?,
            },
            _ => return Ok(None),
        };
        Ok(Some(event))
    }
}

/// `P2` or `P3`, as [`Protocol`]'s `Display` writes it, without allocating.
pub(crate) fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::P2 => "P2",
        Protocol::P3 => "P3",
    }
}

/// The protocol called `name` (`P2`, `P3`).
pub(crate) fn protocol_named(name: &str) -> Option<Protocol> {
    PROTOCOLS.into_iter().find(|&p| protocol_name(p) == name)
}

/// The evidence called `name` ([`RestartEvidence::name`]).
pub(crate) fn evidence_named(name: &str) -> Option<RestartEvidence> {
    EVIDENCE.into_iter().find(|e| e.name() == name)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::field::Found;

    /// One of every event, with awkward text.
    pub fn every_event() -> Vec<SessionEvent> {
        vec![
            SessionEvent::Protocol {
                protocol: Protocol::P3,
            },
            SessionEvent::DeviceId {
                id: "mEEG\"v1\\0\n".to_owned(),
            },
            SessionEvent::Lost {
                count: 3,
                first_sample_index: 1200,
                timestamp_us: 1_700_000_004_687_500,
            },
            SessionEvent::Lost {
                count: 1,
                first_sample_index: 7,
                timestamp_us: 1_700_000_000_027_344,
            },
            SessionEvent::SyncLost { at_byte: 4096 },
            SessionEvent::Resync { skipped_bytes: 37 },
            SessionEvent::DeviceGone {
                reason: "read failed:\tgone\u{1b}[2J".to_owned(),
                timestamp_us: 1_700_000_010_000_000,
            },
            SessionEvent::DeviceBack {
                device: "/dev/ttyUSB0".to_owned(),
                timestamp_us: 1_700_000_012_000_000,
            },
            SessionEvent::Switches {
                sample_index: 400,
                previous: 15,
                current: 11,
            },
            SessionEvent::Restart {
                sample_index: 5120,
                timestamp_us: 1_700_000_020_000_000,
                previous_counter: 57,
                counter: 0,
                evidence: RestartEvidence::ResetSignal,
            },
            SessionEvent::Restart {
                sample_index: 6000,
                timestamp_us: 1_700_000_023_437_500,
                previous_counter: 12,
                counter: 200,
                evidence: RestartEvidence::ElapsedTime,
            },
            SessionEvent::CounterStalled { counter: 7 },
            SessionEvent::TrailingBytes { count: 5 },
            SessionEvent::end(257.142857),
        ]
    }

    #[test]
    fn every_name_is_distinct_and_one_word() {
        let mut names: Vec<_> = every_event().iter().map(SessionEvent::name).collect();
        names.dedup();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
    }

    #[test]
    fn unknown_names_and_words_are_not_errors() {
        let none: [(&str, Found<'_>); 0] = [];
        assert_eq!(SessionEvent::from_fields("mark", &none[..]), Ok(None));
        let p4 = [("protocol", Found::Bare("P4"))];
        assert_eq!(SessionEvent::from_fields("protocol", &p4[..]), Ok(None));
        let restart = [
            ("sample_index", Found::Bare("5")),
            ("timestamp_us", Found::Bare("1")),
            ("previous_counter", Found::Bare("57")),
            ("counter", Found::Bare("0")),
            ("evidence", Found::Bare("watchdog")),
        ];
        assert_eq!(SessionEvent::from_fields("restart", &restart[..]), Ok(None));
    }

    #[test]
    fn damaged_fields_are_errors() {
        let lost = [("count", Found::Bare("3"))];
        assert_eq!(
            SessionEvent::from_fields("lost", &lost[..]),
            Err(ParseError::Missing("first_sample_index"))
        );
        let switches = [
            ("sample_index", Found::Bare("1")),
            ("previous", Found::Bare("15")),
            ("current", Found::Bare("99")),
        ];
        assert_eq!(
            SessionEvent::from_fields("switches", &switches[..]),
            Err(ParseError::invalid("current", "a switch byte 0..=15"))
        );
        let protocol = [
            ("protocol", Found::Bare("P2")),
            ("version", Found::Bare("3")),
        ];
        assert_eq!(
            SessionEvent::from_fields("protocol", &protocol[..]),
            Err(ParseError::invalid("version", "the protocol's version"))
        );
        let end = [("estimated_rate_hz", Found::Bare("-1"))];
        assert_eq!(
            SessionEvent::from_fields("end", &end[..]),
            Err(ParseError::invalid(
                "estimated_rate_hz",
                "a positive number or null"
            ))
        );
    }

    #[test]
    fn times_of_the_events_that_carry_one() {
        let times: Vec<Option<i64>> = every_event()
            .iter()
            .map(SessionEvent::timestamp_us)
            .collect();
        assert_eq!(
            times,
            [
                None,
                None,
                Some(1_700_000_004_687_500),
                Some(1_700_000_000_027_344),
                None,
                None,
                Some(1_700_000_010_000_000),
                Some(1_700_000_012_000_000),
                None,
                Some(1_700_000_020_000_000),
                Some(1_700_000_023_437_500),
                None,
                None,
                None,
            ]
        );
    }

    #[test]
    fn the_end_keeps_only_a_real_rate() {
        for bad in [f64::NAN, f64::INFINITY, 0.0, -1.0] {
            assert_eq!(
                SessionEvent::end(bad),
                SessionEvent::End {
                    estimated_rate_hz: None
                }
            );
        }
        assert_eq!(
            SessionEvent::end(256.0),
            SessionEvent::End {
                estimated_rate_hz: Some(256.0)
            }
        );
    }

    #[test]
    fn protocol_names_agree_with_display() {
        for p in PROTOCOLS {
            assert_eq!(protocol_name(p), p.to_string());
            assert_eq!(protocol_named(&p.to_string()), Some(p));
        }
        for e in EVIDENCE {
            assert_eq!(evidence_named(e.name()), Some(e));
            // A new evidence breaks this match: list it in EVIDENCE too.
            match e {
                RestartEvidence::ResetSignal | RestartEvidence::ElapsedTime => {}
            }
        }
    }
}
