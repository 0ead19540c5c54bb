//! Arrivals far off the line: which ones to ignore, and when they mean a new phase.

use super::envelope::Point;
use super::{Clock, FIRST_BLOCK_LEN, Source};

/// Seconds of samples after an anchor during which the phase is still being found: points
/// below the line then are the phase, not a jump.
const SETTLE_SECS: f64 = 1.0;
/// Once converged, an arrival this far (seconds) before the line is suspect: delays are never
/// negative, so it means the index or the host clock jumped.
const EARLY_TOLERANCE: f64 = 0.02;
/// Once converged, an arrival this far (seconds) after the line is suspect if it persists.
/// Single late arrivals are normal (scheduling); a reader that keeps up never stays this late.
const LATE_TOLERANCE: f64 = 0.1;
/// Extra tolerance per second extrapolated since the last accepted arrival, for the residual
/// rate error across a long run of lost packets.
const DRIFT_TOLERANCE: f64 = 100e-6;
/// Before convergence (and while the phase settles) the line may be far off, so only gross
/// nonsense is suspect: this many seconds plus the whole time since anchoring.
const EARLY_DAYS_TOLERANCE: f64 = 1.0;
/// Off-line arrivals must cover this many seconds of samples ...
const REANCHOR_SPAN: f64 = 1.0;
/// ... over at least this many distinct arrival times before the clock re-anchors; one
/// backlog burst is not a new phase.
const REANCHOR_ARRIVALS: u32 = 3;

/// A run of consecutive arrivals on the same side far off the line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    late: bool,
    start_x: f64,
    lowest: Point,
    arrivals: u32,
    last_arrival: f64,
}

impl Clock {
    /// How far before and after the line an arrival may be and still count, at `x`.
    pub(super) fn tolerances(&self, x: f64) -> (f64, f64) {
        let Some(t) = &self.track else {
            return (f64::INFINITY, f64::INFINITY);
        };
        let since_anchor = t.age(x, self.period);
        // While the phase settles, points below the line are the phase being found, not a
        // jump: the first arrival of a connection often waited a whole chunk or more.
        if self.source == Source::Converged && since_anchor >= SETTLE_SECS {
            let drift = DRIFT_TOLERANCE * (x - t.last_good_x).max(0.0) * self.period;
            (EARLY_TOLERANCE + drift, LATE_TOLERANCE + drift)
        } else {
            let tol = EARLY_DAYS_TOLERANCE + since_anchor;
            (tol, tol)
        }
    }

    /// Tracks an arrival far off the line; re-anchors once such arrivals persist.
    pub(super) fn off_line(&mut self, point: Point, late: bool, sample_index: u64) {
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
            self.envelope.push(run.lowest);
            t.run = None;
            t.anchor_x = run.lowest.x;
            t.last_good_x = point.x;
            t.block_len = FIRST_BLOCK_LEN;
            t.block_end = sample_index - t.origin + FIRST_BLOCK_LEN;
            t.intercept = run.lowest.intercept(period);
        }
    }
}
