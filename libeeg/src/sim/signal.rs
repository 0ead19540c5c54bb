//! The sources the simulator sums: pink background noise, alpha bursts, eye blinks and switch
//! presses. Each scheduled source owns its own random stream, so enabling one option does not
//! move the events of another. Times are in seconds, amplitudes in microvolts.

use std::f64::consts::{PI, TAU};

use super::rng::Rng;

/// Voss-McCartney rows: the slowest is redrawn every 2^10 samples (~4 s at 256 Hz), which puts
/// the bottom of the 1/f range near 0.1 Hz.
const PINK_ROWS: usize = 10;

/// 1/f noise by the Voss-McCartney method: row `k` is redrawn every 2^(k+1) samples, so every
/// octave holds about the same power.
#[derive(Debug, Clone)]
pub(crate) struct PinkNoise {
    rows: [f64; PINK_ROWS],
    n: u64,
}

impl PinkNoise {
    pub(crate) fn new(rng: &mut Rng) -> Self {
        Self {
            rows: std::array::from_fn(|_| rng.normal()),
            n: 0,
        }
    }

    /// The next sample, with unit variance.
    pub(crate) fn sample(&mut self, rng: &mut Rng) -> f64 {
        self.n = self.n.wrapping_add(1);
        if let Some(row) = self.rows.get_mut(self.n.trailing_zeros() as usize) {
            *row = rng.normal();
        }
        // Summed afresh each time so no rounding error accumulates over long runs.
        let sum: f64 = self.rows.iter().sum::<f64>() + rng.normal();
        sum / ((PINK_ROWS + 1) as f64).sqrt()
    }
}

/// Alpha amplitude and phase at one sample.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AlphaSample {
    /// Envelope times burst amplitude (uV); 0 between bursts.
    pub(crate) amplitude: f64,
    /// Oscillator phase (radians).
    pub(crate) phase: f64,
    /// Whether a burst is under way.
    pub(crate) active: bool,
}

#[derive(Debug, Clone, Copy)]
struct Burst {
    start: f64,
    end: f64,
    hz: f64,
    amplitude: f64,
}

/// Rise and fall of a burst envelope: long enough to look like waxing alpha, short enough
/// that most of a 1 s burst is at full amplitude.
const ALPHA_RAMP_S: f64 = 0.2;

/// Alpha bursts: 1-3 s of a 9-11.5 Hz oscillation, starting 1.5-5 s after the previous one ends.
#[derive(Debug, Clone)]
pub(crate) struct AlphaBursts {
    rng: Rng,
    next_onset: f64,
    burst: Option<Burst>,
    phase: f64,
    history: Vec<(f64, f64)>,
}

impl AlphaBursts {
    pub(crate) fn new(mut rng: Rng) -> Self {
        let next_onset = rng.range(0.5, 3.0);
        Self {
            rng,
            next_onset,
            burst: None,
            phase: 0.0,
            history: Vec::new(),
        }
    }

    /// Every burst begun so far as (start, end) seconds; the last may still be under way.
    pub(crate) fn history(&self) -> &[(f64, f64)] {
        &self.history
    }

    /// Advances to the sample at `t`, `dt` seconds after the previous one.
    pub(crate) fn step(&mut self, t: f64, dt: f64) -> AlphaSample {
        if let Some(burst) = self.burst
            && t >= burst.end
        {
            self.burst = None;
            self.next_onset = burst.end + self.rng.range(1.5, 5.0);
        }
        if self.burst.is_none() && t >= self.next_onset {
            let burst = Burst {
                start: t,
                end: t + self.rng.range(1.0, 3.0),
                hz: self.rng.range(9.0, 11.5),
                amplitude: self.rng.range(40.0, 60.0),
            };
            self.history.push((burst.start, burst.end));
            self.burst = Some(burst);
        }
        let Some(burst) = self.burst else {
            return AlphaSample {
                amplitude: 0.0,
                phase: self.phase,
                active: false,
            };
        };
        self.phase = (self.phase + TAU * burst.hz * dt) % TAU;
        let envelope =
            ramp((t - burst.start) / ALPHA_RAMP_S) * ramp((burst.end - t) / ALPHA_RAMP_S);
        AlphaSample {
            amplitude: burst.amplitude * envelope,
            phase: self.phase,
            active: true,
        }
    }
}

/// Raised-cosine ramp from 0 at `x <= 0` to 1 at `x >= 1`.
fn ramp(x: f64) -> f64 {
    0.5 * (1.0 - (PI * x.clamp(0.0, 1.0)).cos())
}

#[derive(Debug, Clone, Copy)]
struct Blink {
    start: f64,
    duration: f64,
    amplitude: f64,
}

/// Where in a blink the lid is fully closed: the deflection rises faster than it falls.
const BLINK_PEAK: f64 = 0.4;

/// Eye blinks: 250-400 ms positive deflections of 120-180 uV, 2-7 s apart.
#[derive(Debug, Clone)]
pub(crate) struct Blinks {
    rng: Rng,
    next_onset: f64,
    blink: Option<Blink>,
    onsets: Vec<f64>,
}

impl Blinks {
    pub(crate) fn new(mut rng: Rng) -> Self {
        let next_onset = rng.range(1.0, 4.0);
        Self {
            rng,
            next_onset,
            blink: None,
            onsets: Vec::new(),
        }
    }

    /// Onset times of every blink so far (seconds).
    pub(crate) fn onsets(&self) -> &[f64] {
        &self.onsets
    }

    /// The deflection (uV) at `t`. While `eyes_closed` no blink starts; a due one waits.
    pub(crate) fn step(&mut self, t: f64, eyes_closed: bool) -> f64 {
        if let Some(blink) = self.blink
            && t >= blink.start + blink.duration
        {
            self.blink = None;
        }
        if self.blink.is_none() && t >= self.next_onset && !eyes_closed {
            let blink = Blink {
                start: t,
                duration: self.rng.range(0.25, 0.4),
                amplitude: self.rng.range(120.0, 180.0),
            };
            self.onsets.push(t);
            self.next_onset = t + self.rng.range(2.0, 7.0);
            self.blink = Some(blink);
        }
        let Some(blink) = self.blink else { return 0.0 };
        let x = (t - blink.start) / blink.duration;
        let shape = if x < BLINK_PEAK {
            ramp(x / BLINK_PEAK)
        } else {
            ramp((1.0 - x) / (1.0 - BLINK_PEAK))
        };
        blink.amplitude * shape
    }
}

/// Switches byte with nothing pressed: the inputs have pull-ups.
pub(crate) const IDLE_SWITCHES: u8 = 0x0F;

/// Occasional presses of one of the four switches: its bit clears for 0.2-0.4 s, 4-15 s apart.
#[derive(Debug, Clone)]
pub(crate) struct SwitchPresses {
    rng: Rng,
    next_press: f64,
    /// Release time and the byte read while pressed.
    pressed: Option<(f64, u8)>,
}

impl SwitchPresses {
    pub(crate) fn new(mut rng: Rng) -> Self {
        let next_press = rng.range(2.0, 10.0);
        Self {
            rng,
            next_press,
            pressed: None,
        }
    }

    /// The switches byte at `t`.
    pub(crate) fn step(&mut self, t: f64) -> u8 {
        if let Some((release, _)) = self.pressed
            && t >= release
        {
            self.pressed = None;
            self.next_press = release + self.rng.range(4.0, 15.0);
        }
        if self.pressed.is_none() && t >= self.next_press {
            let bit = self.rng.below(4);
            self.pressed = Some((t + self.rng.range(0.2, 0.4), IDLE_SWITCHES & !(1 << bit)));
        }
        self.pressed.map_or(IDLE_SWITCHES, |(_, byte)| byte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pink_noise_has_unit_variance_and_more_low_frequency_power() {
        let mut rng = Rng::new(11);
        let mut pink = PinkNoise::new(&mut rng);
        let xs: Vec<f64> = (0..1 << 16).map(|_| pink.sample(&mut rng)).collect();
        let var = xs.iter().map(|x| x * x).sum::<f64>() / xs.len() as f64;
        assert!((0.7..1.3).contains(&var), "variance {var}");
        // First differences remove low frequencies: for white noise their variance would be 2.
        let diff = xs.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(diff < 1.0, "difference variance {diff}");
    }

    #[test]
    fn bursts_and_blinks_are_a_few_seconds_apart() {
        let dt = 1.0 / 256.0;
        let mut alpha = AlphaBursts::new(Rng::new(1));
        let mut blinks = Blinks::new(Rng::new(2));
        for n in 0..256 * 120 {
            let t = f64::from(n) * dt;
            let a = alpha.step(t, dt);
            blinks.step(t, a.active);
        }
        let bursts = alpha.history();
        assert!((15..=50).contains(&bursts.len()), "{} bursts", bursts.len());
        for &(start, end) in bursts {
            assert!((1.0..=3.0 + dt).contains(&(end - start)));
        }
        for pair in bursts.windows(2) {
            assert!(pair[1].0 - pair[0].1 >= 1.5 - dt);
        }
        let onsets = blinks.onsets();
        assert!((15..=60).contains(&onsets.len()), "{} blinks", onsets.len());
        // No blink starts with the eyes closed.
        for &t in onsets {
            assert!(
                !bursts.iter().any(|&(s, e)| t >= s && t < e),
                "blink at {t}"
            );
        }
    }

    #[test]
    fn switch_presses_clear_one_bit_briefly() {
        let mut switches = SwitchPresses::new(Rng::new(5));
        let reads: Vec<u8> = (0..256 * 60)
            .map(|n| switches.step(f64::from(n) / 256.0))
            .collect();
        assert!(
            reads.iter().all(|&b| b == IDLE_SWITCHES
                || (b | IDLE_SWITCHES == IDLE_SWITCHES && b.count_ones() == 3))
        );
        let pressed = reads.iter().filter(|&&b| b != IDLE_SWITCHES).count();
        assert!(
            pressed > 0 && pressed < reads.len() / 5,
            "{pressed} pressed samples"
        );
    }
}
