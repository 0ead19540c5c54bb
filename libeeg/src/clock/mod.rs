//! Clock model: sample timestamps from packet order and chunk arrival times.
//!
//! OpenEEG firmware does not run at its nominal rate (7.3728 MHz boards give about 257.14 Hz
//! for a nominal 256 Hz), and USB-serial adapters deliver packets in bursts, so neither
//! "index / 256" nor "arrival time" is a usable timestamp. [`Clock`] estimates the device's
//! real sampling line from both.

mod envelope;
#[cfg(test)]
mod tests;

use std::time::Duration;

use envelope::{Envelope, Point};

/// Block minima kept for the rate fit: about a minute of samples.
const WINDOW_BLOCKS: usize = 64;
/// Newest block minima that set the phase: more points find a lower envelope, but a residual
/// rate error is extrapolated across them.
const PHASE_BLOCKS: usize = 16;
/// Block minima needed before their slope replaces the nominal rate.
const MIN_FIT_BLOCKS: usize = 3;
/// Span of the fit, in blocks, after which the rate estimate counts as converged.
const CONVERGE_BLOCKS: f64 = 10.0;
/// Once converged, the rate moves per block at most this fraction, or what [`FIT_NOISE`] across
/// the fit's span allows if more: crystals drift far slower, so anything faster is a
/// disturbance (such as a small phase jump) that the window has not yet shed.
const MAX_RATE_STEP: f64 = 20e-6;
/// How far (seconds) the envelope's low points may scatter above the true line; over a short
/// fit this allows a young rate estimate to keep improving quickly.
const FIT_NOISE: f64 = 2e-3;
/// Time constant (seconds) with which timestamps slew toward a corrected line.
const SLEW_TAU: f64 = 0.5;
/// Slewing backwards may slow timestamps to this fraction of real time, never below it, so
/// they keep increasing.
const MAX_BACKWARD_SLEW: f64 = 0.5;
/// A forward correction larger than this (seconds) is a step: a gap after an outage is the
/// truth, and slewing across it would stretch the samples that follow.
const STEP_FORWARD: f64 = 0.05;
/// Once converged, an arrival this far (seconds) before the line is suspect: delays are never
/// negative, so it means the index or the host clock jumped.
const EARLY_TOLERANCE: f64 = 0.02;
/// Once converged, an arrival this far (seconds) after the line is suspect if it persists.
/// Single late arrivals are normal (scheduling); a reader that keeps up never stays this late.
const LATE_TOLERANCE: f64 = 0.1;
/// Extra tolerance per second extrapolated since the last accepted arrival, for the residual
/// rate error across a long run of lost packets.
const DRIFT_TOLERANCE: f64 = 100e-6;
/// Before convergence (and in the first block after anchoring) the line may be far off, so
/// only gross nonsense is suspect: this many seconds plus the whole time since anchoring.
const EARLY_DAYS_TOLERANCE: f64 = 1.0;
/// Off-line arrivals must cover this many seconds of samples ...
const REANCHOR_SPAN: f64 = 1.0;
/// ... over at least this many distinct arrival times before the clock re-anchors; one
/// backlog burst is not a new phase.
const REANCHOR_ARRIVALS: u32 = 3;

/// Timestamps for a stream of samples, estimated from their indices and arrival times.
///
/// Sans-IO: the clock reads no time itself. Arrival times are [`Duration`]s since any
/// monotonic epoch the caller chooses, and timestamps come back as seconds since that epoch.
///
/// # Use
/// 1. [`Clock::new`] with the device's nominal rate.
/// 2. [`Clock::observe`] every packet in stream order, with its sample index (counting lost
///    packets) and the arrival time of the chunk that carried it. It returns the timestamp.
/// 3. [`Clock::timestamp`], [`Clock::rate_hz`], [`Clock::drift_ppm`] and
///    [`Clock::is_converged`] at any time.
/// 4. [`Clock::reset`] when the device reconnects: the phase is forgotten, the rate is kept.
///
/// # Model
/// Sample `i` is taken at `t0 + i / rate` on the caller's clock and arrives after a delay that
/// is never below some minimum: the adapter holds packets for up to its latency timer (16 ms
/// on FTDI), several packets share one arrival time, and the OS adds jitter. The clock tracks
/// the lower envelope of the (index, arrival) points, which is the sampling line shifted by
/// the minimum delay: it keeps the lowest point of each block of about a second of samples,
/// fits the rate to the lower hull of the last minute of block minima, and sets the phase
/// from the lowest recent points. Work per packet is O(1) amortised and memory is bounded.
///
/// # Guarantees
/// - Timestamps returned by `observe` never decrease while indices increase: corrections
///   are slewed (a step backwards becomes a temporary slow-down), and only forward jumps
///   larger than 50 ms, such as after an outage, are applied at once.
/// - Until the rate converges (about 11 s of data) it starts from the nominal rate, anchored
///   to the earliest-looking arrival, and the estimate is clamped to 0.5x..2x nominal.
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
/// assert_eq!(clock.timestamp(256), 2.5); // nominal rate until the estimate converges
/// ```
#[derive(Debug, Clone)]
pub struct Clock {
    nominal_rate_hz: f64,
    /// Samples per envelope block: about one second.
    block_len: u64,
    /// Estimated seconds per sample.
    period: f64,
    rate_converged: bool,
    /// Phase state; `None` before the first arrival and after a reset.
    track: Option<Track>,
    /// Times the phase was re-anchored (automatically or by a decreasing index).
    reanchors: u64,
    envelope: Envelope,
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
    /// Envelope block being filled: its number and its lowest point so far.
    block: Option<(u64, Point)>,
    blocks_since_anchor: u64,
    /// Target line: `intercept + x * period`.
    intercept: f64,
    /// Output line, slewed toward the target: `served_t + (x - served_x) * served_period`.
    served_x: f64,
    served_t: f64,
    served_period: f64,
    /// Last timestamp returned, so rounding can never make one go backwards.
    floor: f64,
    /// Consecutive off-line arrivals, if the latest one was off-line.
    run: Option<Run>,
}

/// A run of consecutive arrivals on the same side far off the line.
#[derive(Debug, Clone, Copy)]
struct Run {
    late: bool,
    start_x: f64,
    lowest: Point,
    arrivals: u32,
    last_arrival: f64,
}

impl Clock {
    /// A clock for a device whose firmware is meant to sample at `nominal_rate_hz`.
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
            // Float-to-int casts saturate; max(1) covers rates below 0.5 Hz.
            block_len: (nominal_rate_hz.round() as u64).max(1),
            period: 1.0 / nominal_rate_hz,
            rate_converged: false,
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
                t.served_t + (x - t.served_x) * t.served_period
            }
        }
    }

    /// The estimated real sample rate of the device, in Hz.
    #[must_use]
    pub fn rate_hz(&self) -> f64 {
        1.0 / self.period
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

    /// Whether the rate has converged and the current phase has been refined over at least
    /// two blocks (about two seconds) of samples, with no re-anchor pending.
    #[must_use]
    pub fn is_converged(&self) -> bool {
        self.rate_converged
            && self
                .track
                .as_ref()
                .is_some_and(|t| t.blocks_since_anchor >= 2 && t.run.is_none())
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
        self.track = Some(Track {
            origin: sample_index,
            last_index: sample_index,
            anchor_x: 0.0,
            last_good_x: 0.0,
            block: Some((0, Point { x: 0.0, y })),
            blocks_since_anchor: 0,
            intercept: y,
            served_x: 0.0,
            served_t: y,
            served_period: self.period,
            floor: y,
            run: None,
        });
        y
    }

    /// How far before and after the line an arrival may be and still count, at `x`.
    fn tolerances(&self, x: f64) -> (f64, f64) {
        let Some(t) = &self.track else {
            return (f64::INFINITY, f64::INFINITY);
        };
        // Until a block has passed, points below the line are the phase being found, not
        // a jump: the first arrival of a connection often waited a whole chunk or more.
        if self.rate_converged && t.blocks_since_anchor > 0 {
            let drift = DRIFT_TOLERANCE * (x - t.last_good_x).max(0.0) * self.period;
            (EARLY_TOLERANCE + drift, LATE_TOLERANCE + drift)
        } else {
            let tol = EARLY_DAYS_TOLERANCE + (x - t.anchor_x).max(0.0) * self.period;
            (tol, tol)
        }
    }

    /// Feeds an arrival that fits the line into the envelope.
    fn on_line(&mut self, point: Point, sample_index: u64) {
        let Some(t) = self.track.as_mut() else { return };
        t.run = None;
        t.last_good_x = point.x;
        let block = (sample_index - t.origin) / self.block_len;
        match t.block {
            Some((current, lowest)) if current == block => {
                if point.intercept(self.period) < lowest.intercept(self.period) {
                    t.block = Some((current, point));
                }
            }
            Some((_, lowest)) => {
                self.envelope.push(lowest);
                t.blocks_since_anchor += 1;
                t.block = Some((block, point));
                self.refit();
            }
            None => t.block = Some((block, point)),
        }
        // Lower the line at once when a point shows it is too high.
        if let Some(t) = self.track.as_mut() {
            t.intercept = t.intercept.min(point.intercept(self.period));
        }
    }

    /// Re-estimates the rate and phase after a block completes.
    fn refit(&mut self) {
        let enough = self.envelope.len() >= MIN_FIT_BLOCKS;
        let span_blocks = self.envelope.span() / self.block_len as f64;
        // A converged rate is only revised by a fit at least as long as the one it came from.
        if enough && (!self.rate_converged || span_blocks >= CONVERGE_BLOCKS) {
            if let Some(fit) = self.envelope.hull_slope(self.period) {
                let mut period = fit;
                if self.rate_converged {
                    let span_secs = self.envelope.span() * self.period;
                    let step = self.period * MAX_RATE_STEP.max(FIT_NOISE / span_secs);
                    period = period.clamp(self.period - step, self.period + step);
                }
                let nominal = 1.0 / self.nominal_rate_hz;
                self.period = period.clamp(0.5 * nominal, 2.0 * nominal);
            }
            if span_blocks >= CONVERGE_BLOCKS {
                self.rate_converged = true;
            }
        }
        let Some(t) = self.track.as_mut() else { return };
        let blocks = self.envelope.recent_intercept(self.period, PHASE_BLOCKS);
        let current = t.block.map(|(_, p)| p.intercept(self.period));
        if let Some(intercept) = [blocks, current].into_iter().flatten().reduce(f64::min) {
            t.intercept = intercept;
        }
    }

    /// Tracks an arrival far off the line; re-anchors once such arrivals persist.
    fn off_line(&mut self, point: Point, late: bool, sample_index: u64) {
        let Some(t) = self.track.as_mut() else { return };
        let period = self.period;
        let run = match &mut t.run {
            Some(run) if run.late == late => {
                if point.y != run.last_arrival {
                    run.arrivals += 1;
                    run.last_arrival = point.y;
                }
                if point.intercept(period) < run.lowest.intercept(period) {
                    run.lowest = point;
                }
                *run
            }
            slot => *slot.insert(Run {
                late,
                start_x: point.x,
                lowest: point,
                arrivals: 1,
                last_arrival: point.y,
            }),
        };
        if (point.x - run.start_x) * period >= REANCHOR_SPAN && run.arrivals >= REANCHOR_ARRIVALS {
            // Keep the rate and the output line; only the phase target moves.
            self.reanchors += 1;
            self.envelope.clear();
            t.run = None;
            t.anchor_x = run.lowest.x;
            t.last_good_x = point.x;
            t.block = Some(((sample_index - t.origin) / self.block_len, run.lowest));
            t.blocks_since_anchor = 0;
            t.intercept = run.lowest.intercept(period);
        }
    }

    /// Moves the output line toward the target and returns the timestamp at `x`.
    fn serve(&mut self, x: f64) -> f64 {
        let period = self.period;
        let Some(t) = self.track.as_mut() else {
            return x * period;
        };
        let elapsed = ((x - t.served_x) * t.served_period).max(0.0);
        let current = t.served_t + (x - t.served_x) * t.served_period;
        let error = t.intercept + x * period - current;
        let correction = if error > STEP_FORWARD {
            error
        } else {
            (error * (elapsed / SLEW_TAU).min(1.0)).max(-MAX_BACKWARD_SLEW * elapsed)
        };
        // Re-centre at x so a new rate turns the line about the present, not the origin.
        t.served_x = x;
        t.served_t = current + correction;
        t.served_period = period;
        t.floor = t.floor.max(t.served_t);
        t.floor
    }
}
