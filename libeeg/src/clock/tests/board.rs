//! A simulated board behind a USB-serial adapter that delivers its packets in bursts.
//!
//! Every burst carries all the packets sampled since the previous one. Bursts are cut when the
//! adapter's latency timer (or an irregular host) says so, a little late by scheduling, and
//! reach the reader after a fixed delay plus more scheduling jitter.

use std::time::Duration;

use crate::sim::Rng;

/// How the adapter cuts the stream into bursts.
#[derive(Debug, Clone, Copy)]
pub(super) enum Bursts {
    /// Every this many seconds: the FTDI latency timer (16 ms by default, 1 ms when tuned).
    Every(f64),
    /// Intervals uniform between the two bounds, in seconds.
    Irregular(f64, f64),
}

impl Bursts {
    pub fn label(self) -> String {
        match self {
            Self::Every(s) => format!("{:.0} ms", s * 1e3),
            Self::Irregular(lo, hi) => format!("{:.0}-{:.0} ms", lo * 1e3, hi * 1e3),
        }
    }
}

/// A board sampling at `rate` for `duration` seconds, delivered in `bursts`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Board {
    pub rate: f64,
    pub duration: f64,
    pub bursts: Bursts,
    pub seed: u64,
}

/// One packet as the reader sees it, with the time its sample was really taken.
#[derive(Debug, Clone, Copy)]
pub(super) struct Packet {
    pub index: u64,
    pub taken: f64,
    pub arrival: Duration,
}

/// Caller time at which the board takes sample 0.
const START: f64 = 1.234;
/// Fixed transport delay, seconds.
const BASE_DELAY: f64 = 0.0015;
/// A burst is cut up to this late (timer wake-up), uniformly.
const CUT_JITTER: f64 = 0.3e-3;
/// Scale of the half-normal delivery jitter (reader wake-up), seconds.
const DELIVERY_JITTER: f64 = 0.3e-3;

impl Board {
    pub fn new(rate: f64, bursts: Bursts, seed: u64) -> Self {
        Self {
            rate,
            duration: 60.0,
            bursts,
            seed,
        }
    }

    pub fn packets(&self) -> Vec<Packet> {
        let mut rng = Rng::new(self.seed);
        let mut out = Vec::new();
        let mut index = 0u64;
        // Nominal cut times; the first falls anywhere within one interval of the start.
        let mut nominal_cut = START + rng.unit() * self.interval(&mut rng);
        let mut last_arrival = 0.0_f64;
        while nominal_cut - START < self.duration + 0.1 {
            let cut = nominal_cut + rng.unit() * CUT_JITTER;
            let delay = BASE_DELAY + (rng.normal() * DELIVERY_JITTER).abs();
            // The OS delivers bursts in order.
            let arrival = (cut + delay).max(last_arrival);
            last_arrival = arrival;
            loop {
                let taken = START + index as f64 / self.rate;
                if taken > cut || taken - START >= self.duration {
                    break;
                }
                out.push(Packet {
                    index,
                    taken,
                    arrival: Duration::from_secs_f64(arrival),
                });
                index += 1;
            }
            nominal_cut += self.interval(&mut rng);
        }
        out
    }

    fn interval(&self, rng: &mut Rng) -> f64 {
        match self.bursts {
            Bursts::Every(s) => s,
            Bursts::Irregular(lo, hi) => rng.range(lo, hi),
        }
    }
}

/// What a session through a clock looked like.
#[derive(Debug, Clone, Copy)]
pub(super) struct Figures {
    /// RMS of timestamp minus (sampling time + the smallest delay any packet had), seconds.
    pub rms: f64,
    /// Largest such error after the first 10 s.
    pub worst_settled: f64,
    /// Seconds of arrivals until `rate_is_measured()`, if it ever was, and the relative error
    /// of `rate_hz()` then.
    pub measured_after: Option<f64>,
    pub rate_measured: f64,
    /// Relative error of `rate_hz()` after 2 s of arrivals, and at the end.
    pub rate_2s: f64,
    pub rate_end: f64,
}

/// Feeds `packets` to `clock`, checks timestamps never decrease, and measures the session.
///
/// The reference is each sample's true time plus the smallest delay any packet of the session
/// had: a clock that sees only arrivals cannot know a delay every packet shares, and the
/// lower envelope is what it can find. Removing the mean offset instead would hide a constant
/// error; this does not.
pub(super) fn measure(clock: &mut super::Clock, rate: f64, packets: &[Packet]) -> Figures {
    let min_delay = packets
        .iter()
        .map(|p| p.arrival.as_secs_f64() - p.taken)
        .fold(f64::INFINITY, f64::min);
    let first_arrival = packets[0].arrival.as_secs_f64();
    let rel = |clock: &super::Clock| (clock.rate_hz() / rate - 1.0).abs();
    let (mut sum_sq, mut worst_settled, mut last) = (0.0, 0.0_f64, f64::NEG_INFINITY);
    let (mut rate_2s, mut measured) = (None, None);
    for p in packets {
        let elapsed = p.arrival.as_secs_f64() - first_arrival;
        if elapsed >= 2.0 && rate_2s.is_none() {
            rate_2s = Some(rel(clock));
        }
        let t = clock.observe(p.index, p.arrival);
        assert!(t >= last, "timestamp went back at index {}", p.index);
        last = t;
        if measured.is_none() && clock.rate_is_measured() {
            measured = Some((elapsed, rel(clock)));
        }
        let error = t - (p.taken + min_delay);
        sum_sq += error * error;
        if p.taken - START >= 10.0 {
            worst_settled = worst_settled.max(error.abs());
        }
    }
    Figures {
        rms: (sum_sq / packets.len() as f64).sqrt(),
        worst_settled,
        measured_after: measured.map(|m| m.0),
        rate_measured: measured.map_or(f64::NAN, |m| m.1),
        rate_2s: rate_2s.unwrap_or(f64::NAN),
        rate_end: rel(clock),
    }
}
