//! Where each packet sits in the stream: sample indices and lost packets from counter gaps.

use std::time::Duration;

use crate::{Protocol, RestartEvidence};

/// The last delivered packet, which the next one is measured against.
#[derive(Debug, Clone, Copy)]
pub(super) struct Last {
    pub counter: u8,
    pub samples: [u16; crate::CHANNELS],
    pub sample_index: u64,
    pub arrival: Option<Duration>,
    /// It repeated the counter before it: a stall run, whose lost packets no counter shows.
    pub repeated: bool,
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
    /// The counter jump is a restart, not a loss, and this is what showed it.
    pub restart: Option<RestartEvidence>,
}

/// Packets a counter jump may exceed the elapsed time by before time contradicts it: the
/// arrival line sits a little above the true sampling line, and the rate is an estimate.
const SLACK_PACKETS: f64 = 2.0;
/// The same slack in seconds (scheduling jitter under the arrival line).
const SLACK_SECONDS: f64 = 0.03;
/// How much later than its sampling time (packets) the first packet after a gap may arrive
/// and still match the counter: an adapter's latency timer and a busy host delay it.
const LATE_PACKETS: f64 = 4.0;
/// The same in seconds.
const LATE_SECONDS: f64 = 0.1;
/// How long (seconds of samples) a packet may serve as the arrival line's reference before a
/// newer one replaces it: long enough to span a host stall, short enough that a rate estimate
/// off by 0.5 % moves the extrapolated line by less than the slack.
const LINE_WINDOW_SECONDS: f64 = 4.0;

impl Step {
    /// The packet right after `last`, nothing lost: what [`place`] gives for a counter that
    /// steps by one when there are no arrival times.
    #[inline(always)]
    pub fn after(last: &Last) -> Self {
        Self {
            sample_index: last.sample_index + 1,
            lost: 0,
            repeated: false,
            restart: None,
        }
    }
}

/// The earliest time each packet could have been sampled, from arrival times: a packet can
/// arrive late (a USB adapter's latency timer, a busy host), never before it was sampled, so
/// the earliest-looking recent arrival, extrapolated at the sample rate, bounds when the last
/// packet was sampled even if it arrived in a backlog.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ArrivalLine {
    /// The earliest-looking packet of the current and the previous window: (index, seconds).
    current: Option<(u64, f64)>,
    previous: Option<(u64, f64)>,
    /// Sample index where the current window began.
    window_start: u64,
}

impl ArrivalLine {
    /// Adds a delivered packet that arrived at `arrival`.
    pub fn observe(&mut self, index: u64, arrival: Duration, rate_hz: f64) {
        let period = 1.0 / rate_hz;
        let window = (LINE_WINDOW_SECONDS * rate_hz).max(64.0) as u64;
        if index.saturating_sub(self.window_start) >= window {
            self.previous = self.current.take();
            self.window_start = index;
        }
        let point = (index, arrival.as_secs_f64());
        let earlier =
            |(i, t): (u64, f64)| point.1 - point.0 as f64 * period < t - i as f64 * period;
        if self.current.is_none_or(earlier) {
            self.current = Some(point);
        }
    }

    /// The earliest arrival time sample `index` is consistent with, in seconds.
    pub fn at(&self, index: u64, rate_hz: f64) -> Option<f64> {
        let extrapolate = |(i, t): (u64, f64)| t + (index as f64 - i as f64) / rate_hz;
        [self.current, self.previous]
            .into_iter()
            .flatten()
            .map(extrapolate)
            .reduce(f64::min)
    }

    /// Forgets the line: the device's sampling clock started afresh.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Places a packet with `counter`, arriving at `arrival`, after `last`.
///
/// The counter gives the gap modulo its cycle (256 for P2, 64 for P3). The rules for reading a
/// jump (libeeg's README, "Loss is a claim"):
/// - `reset_signal` (a packet with counter 0 that the next one repeats, or a reset signal's):
///   a restart.
/// - With arrival times: `line` says how many packet periods passed since `last` was sampled.
///   A jump that matches it modulo the cycle is a loss, with the whole cycles added (a
///   259-packet outage reads as 258 lost, not 2); a jump that matches no number of cycles is a
///   restart.
/// - Otherwise the gap is loss.
pub(super) fn place(
    protocol: Protocol,
    last: Option<&Last>,
    counter: u8,
    arrival: Option<Duration>,
    line: &ArrivalLine,
    rate_hz: f64,
    reset_signal: impl FnOnce() -> bool,
) -> Step {
    let Some(last) = last else {
        return Step {
            sample_index: 0,
            lost: 0,
            repeated: false,
            restart: None,
        };
    };
    let cycle = u64::from(protocol.counter_cycle());
    let delta = u64::from(counter.wrapping_sub(last.counter)) & (cycle - 1); // cycles are powers of two
    let next = Step {
        sample_index: last.sample_index + 1,
        lost: 0,
        repeated: false,
        restart: None,
    };
    let restart = |evidence| Step {
        restart: Some(evidence),
        ..next
    };
    // A counter that repeats or steps by one is never a restart.
    let jumped = delta > 1;
    if jumped && counter == 0 && reset_signal() {
        return restart(RestartEvidence::ResetSignal);
    }
    let elapsed = match (last.arrival, arrival) {
        (Some(_), Some(now)) => line
            .at(last.sample_index, rate_hz)
            .map(|sampled| (now.as_secs_f64() - sampled) * rate_hz),
        _ => None,
    };
    let extra_cycles = match elapsed {
        // After a stall run the time since the last packet may hold lost repeats as well, so
        // time cannot contradict the jump.
        Some(elapsed) if last.repeated => {
            let latest = elapsed + SLACK_PACKETS + SLACK_SECONDS * rate_hz;
            ((latest - delta as f64) / cycle as f64).floor().max(0.0) as u64
        }
        Some(elapsed) => {
            // The packet was sampled between `earliest` and `latest` packet periods after the
            // last one, if the counter kept running.
            let latest = elapsed + SLACK_PACKETS + SLACK_SECONDS * rate_hz;
            let earliest = latest - LATE_PACKETS - LATE_SECONDS * rate_hz;
            // The most whole cycles time allows, and whether the counter then matches it.
            let cycles = ((latest - delta as f64) / cycle as f64).floor().max(0.0);
            let advance = delta as f64 + cycles * cycle as f64;
            if jumped && (advance > latest || advance < earliest) {
                return restart(RestartEvidence::ElapsedTime);
            }
            // A repeat or a step of one claims no loss from time it does not match: the packet
            // may have waited in a backlog.
            if advance < earliest { 0 } else { cycles as u64 }
        }
        None => 0,
    };
    match delta + extra_cycles * cycle {
        0 => Step {
            repeated: true,
            ..next
        },
        advance => Step {
            sample_index: last.sample_index + advance,
            lost: advance - 1,
            ..next
        },
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
            repeated: false,
        }
    }

    /// Places `counter` after `last`, the arrival line knowing only `last`.
    fn after(protocol: Protocol, last: &Last, counter: u8, at_ms: Option<u64>) -> Step {
        let mut line = ArrivalLine::default();
        if let Some(arrival) = last.arrival {
            line.observe(last.sample_index, arrival, 256.0);
        }
        let arrival = at_ms.map(Duration::from_millis);
        place(protocol, Some(last), counter, arrival, &line, 256.0, || {
            false
        })
    }

    #[test]
    fn consecutive_counters_lose_nothing_across_the_wrap() {
        let s = after(Protocol::P2, &last(255, None), 0, None);
        assert_eq!(
            s,
            Step {
                sample_index: 101,
                lost: 0,
                repeated: false,
                restart: None,
            }
        );
        assert_eq!(after(Protocol::P3, &last(63, None), 0, None).lost, 0);
    }

    #[test]
    fn a_counter_gap_counts_the_missing_packets() {
        assert_eq!(after(Protocol::P2, &last(10, None), 14, None).lost, 3);
        assert_eq!(after(Protocol::P3, &last(60, None), 2, None).lost, 5);
    }

    #[test]
    fn a_repeated_counter_is_a_real_packet_not_a_full_cycle_lost() {
        let s = after(Protocol::P2, &last(0, Some(0)), 0, Some(4));
        assert_eq!(
            s,
            Step {
                sample_index: 101,
                lost: 0,
                repeated: true,
                restart: None,
            }
        );
    }

    #[test]
    fn arrival_times_resolve_gaps_longer_than_a_counter_cycle() {
        // 259 packets later at 256 Hz is about 1.012 s; the counter alone says 3.
        let s = after(Protocol::P2, &last(10, Some(0)), 13, Some(1012));
        assert_eq!((s.lost, s.sample_index), (258, 100 + 259));
        // Bursty delivery (16 ms chunks) must not add a cycle to a short gap.
        assert_eq!(
            after(Protocol::P2, &last(10, Some(0)), 13, Some(40)).lost,
            2
        );
        // A whole cycle more than the counter says, even when it only steps by one.
        assert_eq!(
            after(Protocol::P2, &last(10, Some(0)), 11, Some(1004)).lost,
            256
        );
    }

    #[test]
    fn a_jump_that_time_contradicts_is_a_restart_not_a_loss() {
        // 200 packets take 0.78 s to sample; 8 ms passed.
        let s = after(Protocol::P2, &last(57, Some(0)), 1, Some(8));
        assert_eq!(s.restart, Some(RestartEvidence::ElapsedTime));
        assert_eq!((s.lost, s.sample_index), (0, 101));
        // The same jump after 0.8 s is a loss.
        let s = after(Protocol::P2, &last(57, Some(0)), 1, Some(800));
        assert_eq!((s.restart, s.lost), (None, 199));
        // After 1.5 s (a board booting), neither 200 nor 456 periods passed: a restart.
        let s = after(Protocol::P2, &last(57, Some(0)), 1, Some(1500));
        assert_eq!(s.restart, Some(RestartEvidence::ElapsedTime));
        // A step of one after a long wait is a packet that waited in a backlog, not a restart.
        let s = after(Protocol::P2, &last(57, Some(0)), 58, Some(400));
        assert_eq!((s.restart, s.lost), (None, 0));
    }

    #[test]
    fn a_jump_to_zero_into_a_repeat_is_a_restart_whatever_the_time() {
        let line = ArrivalLine::default();
        let s = place(
            Protocol::P2,
            Some(&last(57, None)),
            0,
            None,
            &line,
            256.0,
            || true,
        );
        assert_eq!(s.restart, Some(RestartEvidence::ResetSignal));
        assert_eq!((s.lost, s.sample_index), (0, 101));
        // Not asked when the counter only wraps.
        let s = place(
            Protocol::P2,
            Some(&last(255, None)),
            0,
            None,
            &line,
            256.0,
            || unreachable!(),
        );
        assert_eq!(s.restart, None);
    }

    #[test]
    fn a_last_packet_that_arrived_in_a_backlog_does_not_hide_a_loss() {
        // Packet 50 arrived on time at 0 ms. Packet 100 (counter 10), sampled at 195 ms, came
        // 300 ms late in a backlog; the host's buffer overflowed meanwhile, and the next packet
        // to arrive, fresh at 500 ms, is packet 178 (counter 88): 77 were lost, although only
        // 5 ms passed between the two arrivals.
        let mut line = ArrivalLine::default();
        line.observe(50, Duration::from_millis(0), 256.0);
        line.observe(100, Duration::from_millis(495), 256.0);
        let last = last(10, Some(495));
        let arrival = Some(Duration::from_millis(500));
        let s = place(Protocol::P2, Some(&last), 88, arrival, &line, 256.0, || {
            false
        });
        assert_eq!((s.restart, s.lost), (None, 77));
    }
}
