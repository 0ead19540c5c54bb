//! Where each packet sits in the stream: sample indices and lost packets from counter gaps.

use std::time::Duration;

use crate::Protocol;

/// The last delivered packet, which the next one is measured against.
#[derive(Debug, Clone, Copy)]
pub(super) struct Last {
    pub counter: u8,
    pub samples: [u16; crate::CHANNELS],
    pub sample_index: u64,
    pub arrival: Option<Duration>,
}

/// How the next packet relates to the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step {
    /// Sample index of the new packet.
    pub sample_index: u64,
    /// Packets missing between the last one and the new one.
    pub lost: u64,
    /// The counter repeated (a firmware start-up run): a real packet, nothing lost.
    pub repeated: bool,
}

/// Places a packet with `counter`, arriving at `arrival`, after `last`.
///
/// The counter gives the gap modulo its cycle (256 for P2, 64 for P3). When both packets have
/// arrival times, the elapsed time at `rate_hz` picks how many whole cycles were lost too, so a
/// 259-packet outage reads as 258 lost, not 2.
#[inline]
pub(super) fn place(
    protocol: Protocol,
    last: Option<&Last>,
    counter: u8,
    arrival: Option<Duration>,
    rate_hz: f64,
) -> Step {
    let Some(last) = last else {
        return Step {
            sample_index: 0,
            lost: 0,
            repeated: false,
        };
    };
    let cycle = u64::from(protocol.counter_cycle());
    let delta = u64::from(counter.wrapping_sub(last.counter)) & (cycle - 1); // cycles are powers of two
    // Whole cycles that fit the elapsed time better than the bare counter delta does.
    let extra_cycles = match (last.arrival, arrival) {
        (Some(a), Some(b)) if b > a => {
            let elapsed_packets = (b - a).as_secs_f64() * rate_hz;
            ((elapsed_packets - delta as f64) / cycle as f64)
                .round()
                .max(0.0) as u64
        }
        _ => 0,
    };
    let advance = delta + extra_cycles * cycle;
    if advance == 0 {
        return Step {
            sample_index: last.sample_index + 1,
            lost: 0,
            repeated: true,
        };
    }
    Step {
        sample_index: last.sample_index + advance,
        lost: advance - 1,
        repeated: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last(counter: u8, at_ms: Option<u64>) -> Last {
        Last {
            counter,
            samples: [512; 6],
            sample_index: 100,
            arrival: at_ms.map(Duration::from_millis),
        }
    }

    #[test]
    fn consecutive_counters_lose_nothing_across_the_wrap() {
        let s = place(Protocol::P2, Some(&last(255, None)), 0, None, 256.0);
        assert_eq!(
            s,
            Step {
                sample_index: 101,
                lost: 0,
                repeated: false
            }
        );
        let s = place(Protocol::P3, Some(&last(63, None)), 0, None, 256.0);
        assert_eq!(s.lost, 0);
    }

    #[test]
    fn a_counter_gap_counts_the_missing_packets() {
        assert_eq!(
            place(Protocol::P2, Some(&last(10, None)), 14, None, 256.0).lost,
            3
        );
        assert_eq!(
            place(Protocol::P3, Some(&last(60, None)), 2, None, 256.0).lost,
            5
        );
    }

    #[test]
    fn a_repeated_counter_is_a_real_packet_not_a_full_cycle_lost() {
        let s = place(
            Protocol::P2,
            Some(&last(0, Some(0))),
            0,
            Some(Duration::from_millis(4)),
            256.0,
        );
        assert_eq!(
            s,
            Step {
                sample_index: 101,
                lost: 0,
                repeated: true
            }
        );
    }

    #[test]
    fn arrival_times_resolve_gaps_longer_than_a_counter_cycle() {
        // 259 packets later at 256 Hz is about 1.012 s; the counter alone says 3.
        let s = place(
            Protocol::P2,
            Some(&last(10, Some(0))),
            13,
            Some(Duration::from_millis(1012)),
            256.0,
        );
        assert_eq!(s.lost, 258);
        assert_eq!(s.sample_index, 100 + 259);
        // Bursty delivery (16 ms chunks) must not add a cycle to a short gap.
        let s = place(
            Protocol::P2,
            Some(&last(10, Some(0))),
            13,
            Some(Duration::from_millis(40)),
            256.0,
        );
        assert_eq!(s.lost, 2);
    }
}
