//! Generators of what the writers write: any event, any packet, and sessions as a reader
//! reports them.

use proptest::prelude::*;

use super::super::{Item, Record, SessionEvent, SessionInfo};
use crate::{CHANNELS, Protocol, RestartEvidence};

fn evidence() -> impl Strategy<Value = RestartEvidence> {
    prop_oneof![
        Just(RestartEvidence::ResetSignal),
        Just(RestartEvidence::ElapsedTime)
    ]
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![Just(Protocol::P2), Just(Protocol::P3)]
}

/// Free text of any kind: control characters, quotes, backslashes, `#`, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,12}",
        proptest::string::string_regex("(?s)[a-z\"\\\\#,\r\n =\t]{0,12}").unwrap(),
    ]
}

/// A rate as written: to six decimals.
fn rate() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        (1u64..1_000_000_000_000).prop_map(|millionths| Some(millionths as f64 / 1e6)),
    ]
}

/// Any event, any values in range.
pub(super) fn any_event() -> impl Strategy<Value = SessionEvent> {
    prop_oneof![
        (any::<u64>(), any::<u64>(), any::<i64>()).prop_map(
            |(count, first_sample_index, timestamp_us)| SessionEvent::Lost {
                count,
                first_sample_index,
                timestamp_us
            }
        ),
        any::<u64>().prop_map(|at_byte| SessionEvent::SyncLost { at_byte }),
        any::<u64>().prop_map(|skipped_bytes| SessionEvent::Resync { skipped_bytes }),
        protocol().prop_map(|protocol| SessionEvent::Protocol { protocol }),
        text().prop_map(|id| SessionEvent::DeviceId { id }),
        (text(), any::<i64>()).prop_map(|(reason, timestamp_us)| SessionEvent::DeviceGone {
            reason,
            timestamp_us
        }),
        (text(), any::<i64>()).prop_map(|(device, timestamp_us)| SessionEvent::DeviceBack {
            device,
            timestamp_us
        }),
        (any::<u64>(), 0u8..=15, 0u8..=15).prop_map(|(sample_index, previous, current)| {
            SessionEvent::Switches {
                sample_index,
                previous,
                current,
            }
        }),
        (
            any::<u64>(),
            any::<i64>(),
            any::<u8>(),
            any::<u8>(),
            evidence()
        )
            .prop_map(
                |(sample_index, timestamp_us, previous_counter, counter, evidence)| {
                    SessionEvent::Restart {
                        sample_index,
                        timestamp_us,
                        previous_counter,
                        counter,
                        evidence,
                    }
                }
            ),
        any::<u8>().prop_map(|counter| SessionEvent::CounterStalled { counter }),
        any::<u64>().prop_map(|count| SessionEvent::TrailingBytes { count }),
        rate().prop_map(|estimated_rate_hz| SessionEvent::End { estimated_rate_hz }),
    ]
}

/// Six 10-bit codes.
fn codes() -> impl Strategy<Value = [u16; CHANNELS]> {
    proptest::array::uniform6(0u16..=1023)
}

/// Any packet, any values in range.
pub(super) fn any_record() -> impl Strategy<Value = Record> {
    (
        any::<i64>(),
        any::<u64>(),
        protocol(),
        any::<u8>(),
        codes(),
        0u8..=15,
    )
        .prop_map(
            |(timestamp_us, sample_index, protocol, counter, samples, switches)| Record {
                timestamp_us,
                sample_index,
                counter: (u16::from(counter) % protocol.counter_cycle()) as u8,
                protocol,
                samples,
                switches,
            },
        )
}

/// One step of a session.
#[derive(Debug, Clone)]
enum Step {
    /// A packet, with new switches or not.
    Packet([u16; CHANNELS], Option<u8>),
    Lost(u64),
    Restart(u8, RestartEvidence),
    Protocol(Protocol),
    /// An event that does not say where the next packet is.
    Other(SessionEvent),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        12 => (codes(), prop_oneof![4 => Just(None), 1 => (0u8..=15).prop_map(Some)])
            .prop_map(|(samples, switches)| Step::Packet(samples, switches)),
        1 => (1u64..100_000).prop_map(Step::Lost),
        1 => (any::<u8>(), evidence()).prop_map(|(counter, evidence)| Step::Restart(counter, evidence)),
        1 => protocol().prop_map(Step::Protocol),
        2 => any_event()
            .prop_filter("says where the next packet is, or ends", |e| !matches!(
                e,
                SessionEvent::Lost { .. }
                    | SessionEvent::Restart { .. }
                    | SessionEvent::Switches { .. }
                    | SessionEvent::Protocol { .. }
                    | SessionEvent::End { .. }
            ))
            .prop_map(Step::Other),
    ]
}

/// What a session writes: indices from 0 that count lost packets, a switch change before the
/// packet that shows it, packets in the protocol last announced, the end last.
pub(super) fn session() -> impl Strategy<Value = Vec<Item>> {
    (
        proptest::collection::vec(step(), 0..60),
        prop::option::of(rate()),
    )
        .prop_map(|(steps, end)| {
            let time = |index: u64| 1_700_000_000_000_000 + (index as i64).wrapping_mul(3906);
            let (mut index, mut counter, mut switches, mut protocol) =
                (0u64, 0u64, 15u8, Protocol::P2);
            let mut items = Vec::new();
            for step in steps {
                let cycle = u64::from(protocol.counter_cycle());
                match step {
                    Step::Packet(samples, new_switches) => {
                        let new_switches = new_switches.unwrap_or(switches);
                        if new_switches != switches {
                            items.push(Item::Event(SessionEvent::Switches {
                                sample_index: index,
                                previous: switches,
                                current: new_switches,
                            }));
                            switches = new_switches;
                        }
                        items.push(Item::Record(Record {
                            timestamp_us: time(index),
                            sample_index: index,
                            protocol,
                            counter: (counter % cycle) as u8,
                            samples,
                            switches,
                        }));
                        index += 1;
                        counter += 1;
                    }
                    Step::Lost(count) => {
                        items.push(Item::Event(SessionEvent::Lost {
                            count,
                            first_sample_index: index,
                            timestamp_us: time(index),
                        }));
                        index += count;
                        counter += count;
                    }
                    Step::Restart(to, evidence) => {
                        let to = u64::from(to) % cycle;
                        items.push(Item::Event(SessionEvent::Restart {
                            sample_index: index,
                            timestamp_us: time(index),
                            previous_counter: ((counter + cycle - 1) % cycle) as u8,
                            counter: to as u8,
                            evidence,
                        }));
                        counter = to;
                    }
                    Step::Protocol(p) => {
                        protocol = p;
                        items.push(Item::Event(SessionEvent::Protocol { protocol }));
                    }
                    Step::Other(event) => items.push(Item::Event(event)),
                }
            }
            if let Some(estimated_rate_hz) = end {
                items.push(Item::Event(SessionEvent::End { estimated_rate_hz }));
            }
            items
        })
}

/// A header's values as they read back: one line each, labels without commas.
pub(super) fn session_info() -> impl Strategy<Value = SessionInfo> {
    let value = "[ -~]{0,20}";
    (
        value,
        value,
        value,
        1u64..10_000_000_000,
        1u64..10_000_000_000,
        any::<i64>(),
        ["[ -+--~]{1,16}"; CHANNELS],
    )
        .prop_map(
            |(software, source, profile, scale, rate, start_us, labels)| SessionInfo {
                software,
                source,
                profile,
                microvolts_per_lsb: scale as f64 / 1e6,
                nominal_rate_hz: rate as f64 / 1e6,
                start_us,
                labels: labels.to_vec(),
            },
        )
}
