//! Clock model: sample timestamps from packet order and chunk arrival times.
//!
//! OpenEEG firmware does not run at its nominal rate (7.3728 MHz boards give about 257.14 Hz
//! for a nominal 256 Hz), and USB-serial adapters deliver packets in bursts, so neither
//! "index / 256" nor "arrival time" is a usable timestamp. [`Clock`] estimates the device's
//! real sampling line from both.

mod envelope;
mod reanchor;
mod served;
#[cfg(test)]
mod tests;

use std::time::Duration;

use envelope::{Envelope, Point};
use reanchor::Run;
use served::Served;

/// Block minima kept for the rate fit: with blocks of about a second, about a minute.
const WINDOW_BLOCKS: usize = 64;
/// A connection starts with blocks this long (samples), so the first chunks already give a
/// rate and a phase; whenever the window fills, neighbouring blocks merge and the length
/// doubles, so the window always reaches back to the anchor until blocks last [`BLOCK_SECS`].
const FIRST_BLOCK_LEN: u64 = 1;
/// Longest block, in seconds of samples at the estimated rate.
const BLOCK_SECS: f64 = 1.0;
/// Seconds of newest samples whose block minima set the phase: more points find a lower
/// envelope, but a residual rate error is extrapolated across them.
const PHASE_WINDOW_SECS: f64 = 16.0;
/// Block minima needed before their slope replaces the nominal rate; they must also arrive at
/// different times, since the points of one chunk say nothing about the rate.
const MIN_FIT_BLOCKS: usize = 2;
/// Seconds of arrivals a fit must span before the rate counts as measured: its error is at
/// most the envelope's scatter (a chunk interval at worst, far less in practice) over its span,
/// which half a second brings within 2 %, close enough for the decoder's gap arithmetic.
const MEASURED_SECS: f64 = 0.5;
/// Seconds of arrivals a fit must span before the rate counts as converged.
const CONVERGE_SECS: f64 = 10.0;
/// Seconds of samples after an anchor before the phase counts as refined.
const REFINED_SECS: f64 = 2.0;
/// Physical bounds of the rate (Hz), widened to include the nominal rate: a fit outside them
/// is nonsense from degenerate arrivals, not a board.
const MIN_RATE_HZ: f64 = 10.0;
const MAX_RATE_HZ: f64 = 5000.0;
/// Once converged, the rate moves per block at most this fraction, or what [`FIT_NOISE`] across
/// the fit's span allows if more: crystals drift far slower, so anything faster is a
/// disturbance (such as a small phase jump) that the window has not yet shed.
const MAX_RATE_STEP: f64 = 20e-6;
/// How far (seconds) the envelope's low points may scatter above the true line; over a short
/// fit this allows a young rate estimate to keep improving quickly.
const FIT_NOISE: f64 = 2e-3;

/// Timestamps for a stream of samples, estimated from their indices and arrival times.
///
/// Sans-IO: the clock reads no time itself. Arrival times are [`Duration`]s since any
/// monotonic epoch the caller chooses, and timestamps come back as seconds since that epoch.
///
/// # Use
/// 1. [`Clock::new`] with the device's nominal rate: a hint for the first chunk, no more.
/// 2. [`Clock::observe`] every packet in stream order, with its sample index (counting lost
///    packets) and the arrival time of the chunk that carried it. It returns the timestamp.
/// 3. [`Clock::timestamp`], [`Clock::rate_hz`], [`Clock::rate_is_measured`],
///    [`Clock::drift_ppm`] and [`Clock::is_converged`] at any time. Once the rate is measured,
///    hand it to the decoder ([`Decoder::set_sample_rate`](crate::Decoder::set_sample_rate)),
///    which tells lost packets from restarts by the time that passed.
/// 4. [`Clock::reset`] when the device reconnects: the phase is forgotten, the rate is kept.
///
/// # Model
/// Sample `i` is taken at `t0 + i / rate` on the caller's clock and arrives after a delay that
/// is never below some minimum: the adapter holds packets for up to its latency timer (16 ms
/// on FTDI), several packets share one arrival time, and the OS adds jitter. The clock tracks
/// the lower envelope of the (index, arrival) points, which is the sampling line shifted by
/// the minimum delay: it keeps the lowest point of each block of samples, fits the rate to the
/// lower hull of the block minima, and sets the phase from the lowest points of the last 16 s.
/// Blocks start one sample long and double whenever the window of 64 fills, up to about a
/// second, so the fit spans everything since the anchor, up to about a minute. Work per packet
/// is O(1) amortised and memory is bounded.
///
/// # Accuracy
/// The rate is measured from arrivals alone, whatever the nominal rate, within the physical
/// bounds 10 Hz..5 kHz (widened to include the nominal rate). Its error is about the scatter of
/// the envelope's lowest points over the fit's span. Simulated boards from 50 to 1047 Hz
/// (every rate P2 and P3 can send at 57,600 and 115,200 baud), nominal rate 256 Hz, worst of
/// ten seeds: when [`Clock::rate_is_measured`] turns true (half a second of arrivals) the rate
/// is within 0.4 % with regular 16 ms or 1 ms bursts and 1.4 % with irregular 1-31 ms ones,
/// within 0.11 % after 2 s, within 10 ppm after a minute. Timestamps follow the arrivals from
/// the second chunk on: over a minute, first seconds included, they are within 0.5 ms RMS of
/// the envelope with regular bursts; with irregular ones under 1 ms from 100 Hz up and 1.1 ms
/// at 50 Hz, where tens of packets pass before one arrives promptly. The first two chunks
/// can be off by up to a chunk's length: nothing but the nominal rate tells how their packets
/// were spread.
///
/// # Guarantees
/// - Timestamps returned by `observe` never decrease while indices increase: corrections
///   are slewed (a step backwards becomes a temporary slow-down), and only forward jumps
///   larger than 50 ms, such as after an outage, are applied at once.
/// - The nominal rate is used until a second chunk arrives; from then on the rate is fitted.
///   It converges after 10 s of arrivals, and from then on moves only slowly.
/// - Gaps in the index (lost packets) need no special handling.
/// - Once converged, arrivals persistently far off the line (the host was suspended, or the
///   index jumped) make the clock re-anchor its phase instead of bending the rate. An index
///   lower than the previous one is treated as a new stream, as if [`Clock::reset`] was called.
///
/// ```
/// use std::time::Duration;
/// use libeeg::clock::Clock;
///
/// let mut clock = Clock::new(256.0);
/// let t = clock.observe(0, Duration::from_millis(1500));
/// assert_eq!(t, 1.5);
/// assert_eq!(clock.timestamp(256), 2.5); // the nominal rate until arrivals measure one
/// assert!(!clock.rate_is_measured());
/// ```
#[derive(Debug, Clone)]
pub struct Clock {
    nominal_rate_hz: f64,
    /// Estimated seconds per sample.
    period: f64,
    /// Bounds of `period`.
    period_range: (f64, f64),
    /// Where `period` comes from.
    source: Source,
    /// Phase state; `None` before the first arrival and after a reset.
    track: Option<Track>,
    /// Times the phase was re-anchored (automatically or by a decreasing index).
    reanchors: u64,
    envelope: Envelope,
}

/// Where the rate estimate comes from, in increasing order of trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// The nominal rate.
    Nominal,
    /// A fit over less than [`MEASURED_SECS`] of arrivals.
    Young,
    /// A fit over at least [`MEASURED_SECS`].
    Measured,
    /// A fit over at least [`CONVERGE_SECS`]; only longer fits may revise it.
    Converged,
}

/// What the clock knows about the current connection's phase.
#[derive(Debug, Clone)]
struct Track {
    /// Index that `x` coordinates count from.
    origin: u64,
    last_index: u64,
    /// `x` where the phase was last anchored.
    anchor_x: f64,
    /// `x` of the last arrival accepted as on the line.
    last_good_x: f64,
    /// Samples per envelope block.
    block_len: u64,
    /// First `x` (as an integer offset from the origin) past the envelope's newest block,
    /// which is still being filled.
    block_end: u64,
    /// Target line: `intercept + x * period`.
    intercept: f64,
    /// Output line, slewed toward the target.
    served: Served,
    /// Consecutive off-line arrivals, if the latest one was off-line.
    run: Option<Run>,
}

impl Track {
    /// Seconds of samples from the anchor to `x`, at `period` seconds per sample.
    fn age(&self, x: f64, period: f64) -> f64 {
        (x - self.anchor_x).max(0.0) * period
    }
}

impl Clock {
    /// A clock for a device whose firmware is meant to sample at `nominal_rate_hz`. The
    /// nominal rate is a hint: the rate is measured from arrivals within 10 Hz..5 kHz, a range
    /// widened to include the nominal rate.
    ///
    /// # Panics
    /// If `nominal_rate_hz` is not finite and positive.
    #[must_use]
    pub fn new(nominal_rate_hz: f64) -> Self {
        assert!(
            nominal_rate_hz.is_finite() && nominal_rate_hz > 0.0,
            "nominal_rate_hz must be finite and positive, got {nominal_rate_hz}"
        );
        Self {
            nominal_rate_hz,
            period: 1.0 / nominal_rate_hz,
            period_range: (
                1.0 / MAX_RATE_HZ.max(nominal_rate_hz),
                1.0 / MIN_RATE_HZ.min(nominal_rate_hz),
            ),
            source: Source::Nominal,
            track: None,
            reanchors: 0,
            envelope: Envelope::new(WINDOW_BLOCKS),
        }
    }

    /// Records that sample `sample_index` arrived at `arrival` and returns its timestamp, in
    /// seconds since the caller's epoch.
    ///
    /// Call once per packet in stream order; packets of one chunk share its arrival time.
    pub fn observe(&mut self, sample_index: u64, arrival: Duration) -> f64 {
        let y = arrival.as_secs_f64();
        let Some(track) = self.track.as_mut() else {
            return self.anchor(sample_index, y);
        };
        if sample_index < track.last_index {
            // Indices only grow within one connection: this is a new stream.
            self.reanchors += 1;
            return self.anchor(sample_index, y);
        }
        track.last_index = sample_index;
        let x = (sample_index - track.origin) as f64;
        let point = Point { x, y };

        let residual = y - (track.intercept + x * self.period);
        let (early, late) = self.tolerances(x);
        if residual < -early || residual > late {
            self.off_line(point, residual > 0.0, sample_index);
        } else {
            self.on_line(point, sample_index);
        }
        self.serve(x)
    }

    /// The timestamp of sample `sample_index` under the current estimate, in seconds since the
    /// caller's epoch.
    ///
    /// Before the first arrival (and after [`reset`](Self::reset)) this is
    /// `sample_index / rate_hz()`. For indices before the latest observed one it is the
    /// current estimate, which may differ slightly from what `observe` returned back then.
    #[must_use]
    pub fn timestamp(&self, sample_index: u64) -> f64 {
        match &self.track {
            None => sample_index as f64 * self.period,
            Some(t) => {
                // Signed, so indices before the origin extrapolate backwards.
                let x = (i128::from(sample_index) - i128::from(t.origin)) as f64;
                t.served.at(x)
            }
        }
    }

    /// The best current estimate of the device's real sample rate, in Hz: the nominal rate
    /// until a second chunk arrives, fitted to the arrivals from then on (see
    /// [`rate_is_measured`](Self::rate_is_measured) for when to trust it).
    #[must_use]
    pub fn rate_hz(&self) -> f64 {
        1.0 / self.period
    }

    /// Whether [`rate_hz`](Self::rate_hz) has been fitted to at least half a second of
    /// arrivals, rather than being the nominal rate or a fit of a few chunks. It is then
    /// within about 2 % of the real rate (0.4 % with regular bursts), close enough to hand to
    /// the decoder, and within 0.1 % after two seconds. Stays true across
    /// [`reset`](Self::reset), which keeps the rate.
    #[must_use]
    pub fn rate_is_measured(&self) -> bool {
        self.source >= Source::Measured
    }

    /// The nominal sample rate the clock was created with, in Hz.
    #[must_use]
    pub fn nominal_rate_hz(&self) -> f64 {
        self.nominal_rate_hz
    }

    /// How far the estimated rate is from nominal, in parts per million: positive when the
    /// device samples faster than nominal (about +4453 ppm for 257.14 Hz against 256 Hz).
    #[must_use]
    pub fn drift_ppm(&self) -> f64 {
        (self.rate_hz() / self.nominal_rate_hz - 1.0) * 1e6
    }

    /// Whether the rate has converged (10 s of arrivals) and the current phase has been
    /// refined over at least two seconds of samples, with no re-anchor pending.
    #[must_use]
    pub fn is_converged(&self) -> bool {
        self.source == Source::Converged
            && self.track.as_ref().is_some_and(|t| {
                let x = (t.last_index - t.origin) as f64;
                t.run.is_none() && t.age(x, self.period) >= REFINED_SECS
            })
    }

    /// How many times the clock re-anchored its phase on its own: after arrivals persistently
    /// off the line, or an index lower than the previous one. Calls to `reset` do not count.
    #[must_use]
    pub fn reanchors(&self) -> u64 {
        self.reanchors
    }

    /// Forgets the phase, keeping the rate estimate: call when the device reconnects. The next
    /// arrival anchors the timestamps afresh, and indices may start again from any value.
    pub fn reset(&mut self) {
        self.track = None;
        self.envelope.clear();
    }

    /// Starts a new phase at one arrival, keeping the rate.
    fn anchor(&mut self, sample_index: u64, y: f64) -> f64 {
        self.envelope.clear();
        self.envelope.push(Point { x: 0.0, y });
        self.track = Some(Track {
            origin: sample_index,
            last_index: sample_index,
            anchor_x: 0.0,
            last_good_x: 0.0,
            block_len: FIRST_BLOCK_LEN,
            block_end: FIRST_BLOCK_LEN,
            intercept: y,
            served: Served::new(y, self.period),
            run: None,
        });
        y
    }

    /// Feeds an arrival that fits the line into the envelope.
    fn on_line(&mut self, point: Point, sample_index: u64) {
        let period = self.period;
        let Some(t) = self.track.as_mut() else { return };
        t.run = None;
        t.last_good_x = point.x;
        let offset = sample_index - t.origin;
        if offset < t.block_end {
            self.envelope.lower_newest(point, period);
        } else {
            // Merge pairs rather than drop the oldest block while blocks may still grow, so
            // the fit keeps reaching back to the anchor.
            if self.envelope.is_full() && (2 * t.block_len) as f64 * period <= BLOCK_SECS {
                self.envelope.merge_pairs(period);
                t.block_len *= 2;
            }
            self.envelope.push(point);
            t.block_end = (offset / t.block_len + 1) * t.block_len;
            // The new block's first point takes part: at low rates a block is one packet,
            // and waiting for the next one would keep the nominal rate a packet longer.
            self.refit();
        }
        // Lower the line at once when a point shows it is too high.
        if let Some(t) = self.track.as_mut() {
            t.intercept = t.intercept.min(point.intercept(self.period));
        }
    }

    /// Re-estimates the rate and phase when a block starts.
    fn refit(&mut self) {
        let span = self.envelope.duration();
        let standing = match span {
            s if s >= CONVERGE_SECS => Source::Converged,
            s if s >= MEASURED_SECS => Source::Measured,
            _ => Source::Young,
        };
        // A rate is only revised by a fit of at least the standing of the one it came from,
        // so the first chunks after a reset do not undo a measured rate.
        let enough = self.envelope.len() >= MIN_FIT_BLOCKS && span > 0.0;
        if enough && standing >= self.source {
            // A slope of zero or less comes from degenerate points, not a device.
            if let Some(fit) = self.envelope.hull_slope(self.period).filter(|&p| p > 0.0) {
                let mut period = fit;
                if self.source == Source::Converged {
                    let step = self.period * MAX_RATE_STEP.max(FIT_NOISE / span);
                    period = period.clamp(self.period - step, self.period + step);
                }
                self.period = period.clamp(self.period_range.0, self.period_range.1);
                self.source = standing;
            }
        }
        let Some(t) = self.track.as_mut() else { return };
        let since = (t.last_index - t.origin) as f64 - PHASE_WINDOW_SECS / self.period;
        if let Some(intercept) = self.envelope.recent_intercept(self.period, since) {
            t.intercept = intercept;
        }
    }

    /// Moves the output line toward the target and returns the timestamp at `x`.
    fn serve(&mut self, x: f64) -> f64 {
        let (period, measured) = (self.period, self.rate_is_measured());
        let Some(t) = self.track.as_mut() else {
            return x * period;
        };
        let age = t.age(x, period);
        t.served
            .advance(x, t.intercept + x * period, period, age, measured)
    }
}
