//! The output line: timestamps slewed toward the clock's target line, never decreasing.

/// Time constant (seconds) with which timestamps slew toward a corrected line ...
const SLEW_TAU: f64 = 0.5;
/// ... or this fraction of the seconds of samples since the anchor, if less: a young line's
/// corrections are large and its errors recent, so slewing them as slowly as a settled line's
/// would keep the error longer than it took to find.
const YOUNG_SLEW: f64 = 0.25;
/// Slewing backwards may slow timestamps by this fraction of real time, never more, so they
/// keep increasing ...
const MAX_BACKWARD_SLEW: f64 = 0.5;
/// ... or by this fraction until the rate is measured: the period they advance by is then
/// only a guess, which may be several times too long.
const MAX_BACKWARD_SLEW_UNMEASURED: f64 = 0.9;
/// A forward correction larger than this (seconds) is a step: a gap after an outage is the
/// truth, and slewing across it would stretch the samples that follow.
const STEP_FORWARD: f64 = 0.05;

/// The line timestamps are served from: `t + (x - x0) * period`.
#[derive(Debug, Clone)]
pub(super) struct Served {
    x0: f64,
    t: f64,
    period: f64,
    /// Last timestamp returned, so rounding can never make one go backwards.
    floor: f64,
}

impl Served {
    /// A line through timestamp `t` at `x = 0`.
    pub fn new(t: f64, period: f64) -> Self {
        Self {
            x0: 0.0,
            t,
            period,
            floor: t,
        }
    }

    /// The timestamp at `x` on the line as it stands.
    pub fn at(&self, x: f64) -> f64 {
        self.t + (x - self.x0) * self.period
    }

    /// Moves the line toward `target` (the target line's value at `x`, whose slope is
    /// `period`) and returns the timestamp at `x`. `age` is the seconds of samples since the
    /// phase was anchored; `measured` whether `period` was measured from arrivals.
    pub fn advance(&mut self, x: f64, target: f64, period: f64, age: f64, measured: bool) -> f64 {
        let elapsed = ((x - self.x0) * self.period).max(0.0);
        let current = self.at(x);
        let error = target - current;
        let tau = SLEW_TAU.min(YOUNG_SLEW * age);
        let max_backward = if measured {
            MAX_BACKWARD_SLEW
        } else {
            MAX_BACKWARD_SLEW_UNMEASURED
        };
        let correction = if error > STEP_FORWARD {
            error
        } else {
            // `elapsed >= tau` also covers `tau == 0` at the anchor.
            let fraction = if elapsed >= tau { 1.0 } else { elapsed / tau };
            (error * fraction).max(-max_backward * elapsed)
        };
        // Re-centre at x so a new rate turns the line about the present, not the origin.
        self.x0 = x;
        self.t = current + correction;
        self.period = period;
        self.floor = self.floor.max(self.t);
        self.floor
    }
}
