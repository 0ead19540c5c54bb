//! Synthetic-arrival tests of the clock model.
//!
//! Truth is the lower envelope: sample `i` is taken at `t0 + i / rate` and can arrive no
//! earlier than `base_delay` later. Delivered times add the wait for the adapter's next
//! 16 ms chunk and per-chunk jitter, so they are always at or after the truth.

use std::time::Duration;

use super::Clock;
use crate::sim::Rng;

mod board;
mod rates;

const TRUE_RATE: f64 = 257.14;

/// A simulated device behind a USB-serial adapter.
#[derive(Clone)]
struct Stream {
    rate: f64,
    /// Caller time at which sample `first_index` is taken.
    t0: f64,
    first_index: u64,
    /// Seconds of samples.
    duration: f64,
    base_delay: f64,
    chunk: f64,
    /// Per-chunk jitter, uniform in [0, jitter).
    jitter: f64,
    /// Probability that a chunk is held back by up to `spike` more seconds.
    spike_prob: f64,
    spike: f64,
    /// Probability that a packet is lost.
    loss: f64,
    seed: u64,
}

struct Sample {
    index: u64,
    truth: f64,
    arrival: Duration,
}

impl Stream {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            t0: 3.7,
            first_index: 0,
            duration: 120.0,
            base_delay: 0.002,
            chunk: 0.016,
            jitter: 0.004,
            spike_prob: 0.0,
            spike: 0.0,
            loss: 0.0,
            seed: 1,
        }
    }

    fn samples(&self) -> Vec<Sample> {
        let mut rng = Rng::new(self.seed);
        let phase = rng.unit() * self.chunk;
        let mut current_chunk = f64::NAN;
        let mut chunk_arrival = 0.0_f64;
        let mut out = Vec::new();
        for n in 0u64.. {
            let taken = self.t0 + n as f64 / self.rate;
            if taken - self.t0 >= self.duration {
                break;
            }
            let k = ((taken - phase) / self.chunk).ceil();
            if k != current_chunk {
                current_chunk = k;
                let mut delay = self.base_delay + rng.unit() * self.jitter;
                if rng.unit() < self.spike_prob {
                    delay += rng.unit() * self.spike;
                }
                // The OS delivers chunks in order: a held-back chunk holds back the next.
                chunk_arrival = chunk_arrival.max(phase + k * self.chunk + delay);
            }
            if rng.unit() < self.loss {
                continue;
            }
            out.push(Sample {
                index: self.first_index + n,
                truth: taken + self.base_delay,
                arrival: Duration::from_secs_f64(chunk_arrival),
            });
        }
        out
    }
}

/// Feeds `samples`, checks timestamps never decrease, and returns the worst error among
/// samples taken at least `settle` seconds after the first one.
fn run(clock: &mut Clock, samples: &[Sample], settle: f64) -> f64 {
    let start = samples[0].truth;
    let mut last = f64::NEG_INFINITY;
    let mut worst = 0.0_f64;
    for s in samples {
        let t = clock.observe(s.index, s.arrival);
        assert!(
            t >= last,
            "timestamp went back at index {}: {t} < {last}",
            s.index
        );
        last = t;
        if s.truth - start >= settle {
            worst = worst.max((t - s.truth).abs());
        }
    }
    worst
}

fn relative_rate_error(clock: &Clock, rate: f64) -> f64 {
    (clock.rate_hz() - rate).abs() / rate
}

#[test]
fn timestamps_follow_the_envelope_within_1ms() {
    let stream = Stream {
        first_index: 1 << 40,
        ..Stream::new(TRUE_RATE)
    };
    let mut clock = Clock::new(256.0);
    let worst = run(&mut clock, &stream.samples(), 20.0);
    eprintln!(
        "257.14 Hz, 16 ms chunks: worst error after 20 s = {:.3} ms",
        worst * 1e3
    );
    assert!(worst < 1e-3, "worst error {worst}");
    assert!(clock.is_converged());
    assert_eq!(clock.reanchors(), 0);
}

#[test]
fn rate_within_0_05_percent_after_60s() {
    let stream = Stream {
        duration: 60.0,
        ..Stream::new(TRUE_RATE)
    };
    let mut clock = Clock::new(256.0);
    run(&mut clock, &stream.samples(), 0.0);
    let err = relative_rate_error(&clock, TRUE_RATE);
    eprintln!(
        "rate after 60 s = {:.4} Hz, error {:.1} ppm",
        clock.rate_hz(),
        err * 1e6
    );
    assert!(err < 5e-4, "rate {}", clock.rate_hz());
}

#[test]
fn lost_packets_do_not_disturb_the_estimate() {
    let stream = Stream {
        loss: 0.01,
        seed: 2,
        ..Stream::new(TRUE_RATE)
    };
    let samples = stream.samples();
    assert!(samples.len() < (120.0 * TRUE_RATE * 0.995) as usize);
    let mut clock = Clock::new(256.0);
    let worst = run(&mut clock, &samples, 20.0);
    eprintln!("1 % lost: worst error after 20 s = {:.3} ms", worst * 1e3);
    assert!(worst < 1e-3, "worst error {worst}");
    assert!(relative_rate_error(&clock, TRUE_RATE) < 5e-4);
}

#[test]
fn exact_nominal_device() {
    let stream = Stream {
        seed: 3,
        ..Stream::new(256.0)
    };
    let mut clock = Clock::new(256.0);
    let worst = run(&mut clock, &stream.samples(), 20.0);
    eprintln!(
        "256 Hz device: worst error {:.3} ms, drift {:.1} ppm",
        worst * 1e3,
        clock.drift_ppm()
    );
    assert!(worst < 1e-3, "worst error {worst}");
    assert!(
        clock.drift_ppm().abs() < 50.0,
        "drift {}",
        clock.drift_ppm()
    );
}

#[test]
fn scheduling_spikes_are_ignored() {
    let stream = Stream {
        spike_prob: 0.02,
        spike: 0.05,
        seed: 4,
        ..Stream::new(TRUE_RATE)
    };
    let mut clock = Clock::new(256.0);
    let worst = run(&mut clock, &stream.samples(), 20.0);
    eprintln!(
        "2 % of chunks up to 50 ms late: worst error {:.3} ms",
        worst * 1e3
    );
    assert!(worst < 1e-3, "worst error {worst}");
    assert_eq!(clock.reanchors(), 0);
}

#[test]
fn drift_sign_follows_the_device() {
    for (rate, faster) in [(TRUE_RATE, true), (255.0, false)] {
        let stream = Stream {
            rate,
            duration: 30.0,
            ..Stream::new(rate)
        };
        let mut clock = Clock::new(256.0);
        run(&mut clock, &stream.samples(), 0.0);
        let expected = (rate / 256.0 - 1.0) * 1e6;
        assert_eq!(
            clock.drift_ppm() > 0.0,
            faster,
            "rate {rate}: {}",
            clock.drift_ppm()
        );
        assert!(
            (clock.drift_ppm() - expected).abs() < 100.0,
            "{} vs {expected}",
            clock.drift_ppm()
        );
    }
}

#[test]
fn nominal_timestamps_before_any_arrival() {
    let clock = Clock::new(256.0);
    assert_eq!(clock.timestamp(0), 0.0);
    assert_eq!(clock.timestamp(512), 2.0);
    assert_eq!(clock.rate_hz(), 256.0);
    assert_eq!(clock.nominal_rate_hz(), 256.0);
    assert_eq!(clock.drift_ppm(), 0.0);
    assert!(!clock.is_converged());
}

#[test]
fn first_chunk_anchors_to_its_earliest_looking_packet() {
    let mut clock = Clock::new(256.0);
    let arrival = Duration::from_secs(10);
    // Four packets in one chunk: the last one was taken latest, so it bounds the line.
    let stamps: Vec<f64> = (0..4).map(|i| clock.observe(i, arrival)).collect();
    let track = clock.track.as_ref().unwrap();
    assert_eq!(track.intercept + 3.0 * clock.period, 10.0);
    // The output slews down to that line rather than stepping back.
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    assert_eq!(stamps[0], 10.0);
}

#[test]
fn reset_after_outage_reanchors_within_seconds() {
    let first = Stream {
        duration: 30.0,
        ..Stream::new(TRUE_RATE)
    };
    let mut clock = Clock::new(256.0);
    run(&mut clock, &first.samples(), 20.0);
    let rate = clock.rate_hz();
    // Reconnected 5 s later with a fresh phase; the device counts from 0 again.
    let second = Stream {
        t0: first.t0 + 35.0 + 0.0123,
        duration: 30.0,
        seed: 5,
        ..first
    };
    clock.reset();
    assert_eq!(clock.rate_hz(), rate);
    let samples = second.samples();
    let worst = run(&mut clock, &samples, 3.0);
    eprintln!(
        "after reset: worst error from 3 s on = {:.3} ms",
        worst * 1e3
    );
    assert!(worst < 1e-3, "worst error {worst}");
    assert!(clock.is_converged());
}

#[test]
fn unnoticed_outage_reanchors_without_bending_the_rate() {
    let first = Stream {
        duration: 30.0,
        ..Stream::new(TRUE_RATE)
    };
    let mut clock = Clock::new(256.0);
    run(&mut clock, &first.samples(), 20.0);
    // The decoder missed a 5 s outage, so indices continue as if nothing was lost.
    let next_index = (30.0 * TRUE_RATE).ceil() as u64;
    let second = Stream {
        t0: first.t0 + 35.0,
        first_index: next_index,
        seed: 6,
        duration: 60.0,
        ..first
    };
    let worst = run(&mut clock, &second.samples(), 3.0);
    eprintln!(
        "unnoticed outage: worst error from 3 s on = {:.3} ms",
        worst * 1e3
    );
    assert!(worst < 1e-3, "worst error {worst}");
    assert_eq!(clock.reanchors(), 1);
    assert!(
        relative_rate_error(&clock, TRUE_RATE) < 5e-4,
        "rate {}",
        clock.rate_hz()
    );
}

#[test]
fn host_stall_with_correct_indices_keeps_the_line() {
    let stream = Stream {
        seed: 7,
        ..Stream::new(TRUE_RATE)
    };
    let mut samples = stream.samples();
    // The reader sleeps for 3 s, then reads the backlog in one go.
    let (stall, wake) = (Duration::from_secs(40), Duration::from_secs(43));
    for s in &mut samples {
        if (stall..wake).contains(&s.arrival) {
            s.arrival = wake;
        }
    }
    let mut clock = Clock::new(256.0);
    let worst = run(&mut clock, &samples, 20.0);
    eprintln!("3 s host stall: worst error {:.3} ms", worst * 1e3);
    assert!(worst < 1e-3, "worst error {worst}");
    assert_eq!(clock.reanchors(), 0);
}

#[test]
fn decreasing_index_starts_a_new_stream() {
    let stream = Stream {
        duration: 30.0,
        ..Stream::new(TRUE_RATE)
    };
    let mut clock = Clock::new(256.0);
    run(&mut clock, &stream.samples(), 20.0);
    let t = clock.observe(0, Duration::from_secs(100));
    assert_eq!(t, 100.0);
    assert_eq!(clock.reanchors(), 1);
    assert!((clock.timestamp(257) - 101.0).abs() < 0.01);
}

#[test]
fn far_from_nominal_device_converges() {
    // A 200 Hz firmware build read with the 256 Hz default.
    let stream = Stream {
        duration: 60.0,
        seed: 8,
        ..Stream::new(200.0)
    };
    let mut clock = Clock::new(256.0);
    let worst = run(&mut clock, &stream.samples(), 20.0);
    eprintln!(
        "200 Hz device, 256 Hz nominal: worst error {:.3} ms",
        worst * 1e3
    );
    // 16 ms is exactly 3.2 samples at 200 Hz, so chunk boundaries fall at only five phases
    // of the sample clock and no packet ever arrives less than up to 1 ms above the truth.
    assert!(worst < 1e-3 + 1.0 / 200.0 / 5.0, "worst error {worst}");
    assert!(
        relative_rate_error(&clock, 200.0) < 5e-4,
        "rate {}",
        clock.rate_hz()
    );
}

#[test]
fn accuracy_holds_across_seeds() {
    let mut worst_error = 0.0_f64;
    let mut worst_rate = 0.0_f64;
    for seed in 10..30 {
        let stream = Stream {
            duration: 60.0,
            seed,
            t0: seed as f64 * 0.37,
            ..Stream::new(TRUE_RATE)
        };
        let mut clock = Clock::new(256.0);
        worst_error = worst_error.max(run(&mut clock, &stream.samples(), 20.0));
        worst_rate = worst_rate.max(relative_rate_error(&clock, TRUE_RATE));
    }
    eprintln!(
        "20 seeds x 60 s: worst error after 20 s = {:.3} ms, worst rate error at 60 s = {:.1} ppm",
        worst_error * 1e3,
        worst_rate * 1e6
    );
    assert!(worst_error < 1e-3, "worst error {worst_error}");
    assert!(worst_rate < 5e-4, "worst rate error {worst_rate}");
}

#[test]
fn memory_stays_bounded() {
    let stream = Stream {
        duration: 200.0,
        ..Stream::new(TRUE_RATE)
    };
    let mut clock = Clock::new(256.0);
    run(&mut clock, &stream.samples(), 0.0);
    assert_eq!(clock.envelope.len(), super::WINDOW_BLOCKS);
}

#[test]
fn heavy_jitter_degrades_gracefully() {
    // 2.5x the jitter, 5 % of chunks up to 100 ms late and 2 % loss: no re-anchors, and the
    // envelope is still found to about a millisecond.
    let mut worst_error = 0.0_f64;
    for seed in 50..60 {
        let stream = Stream {
            jitter: 0.010,
            spike_prob: 0.05,
            spike: 0.1,
            loss: 0.02,
            seed,
            ..Stream::new(TRUE_RATE)
        };
        let mut clock = Clock::new(256.0);
        worst_error = worst_error.max(run(&mut clock, &stream.samples(), 20.0));
        assert_eq!(clock.reanchors(), 0);
        assert!(
            relative_rate_error(&clock, TRUE_RATE) < 5e-5,
            "rate {}",
            clock.rate_hz()
        );
    }
    eprintln!(
        "heavy jitter, 10 seeds: worst error after 20 s = {:.3} ms",
        worst_error * 1e3
    );
    assert!(worst_error < 1.5e-3, "worst error {worst_error}");
}
