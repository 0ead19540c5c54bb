//! Second-order IIR sections designed by the bilinear transform (the RBJ audio-EQ cookbook).

use std::f64::consts::PI;

/// Q of a second-order Butterworth section: the maximally flat response.
pub const BUTTERWORTH_Q: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// Q of section `k` (0-based) of an `order`-th order Butterworth filter built as `order / 2`
/// cascaded biquads: each conjugate pole pair lies `(2k + 1) π / (2 order)` off the negative
/// real axis, and Q is `1 / (2 cos θ)` of that angle.
///
/// # Panics
///
/// If `order` is odd or zero, or `k >= order / 2`.
pub fn butterworth_q(order: usize, k: usize) -> f64 {
    assert!(order > 0 && order.is_multiple_of(2), "order must be even");
    assert!(
        k < order / 2,
        "a filter of order {order} has {} sections",
        order / 2
    );
    let angle = (2 * k + 1) as f64 * PI / (2 * order) as f64;
    1.0 / (2.0 * angle.cos())
}

/// Coefficients of `H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)`, normalised so
/// that `a0 = 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    /// Feed-forward coefficients.
    pub b: [f64; 3],
    /// Feedback coefficients `a1`, `a2`.
    pub a: [f64; 2],
}

impl Coefficients {
    /// Pass-through: `H(z) = 1`.
    pub const IDENTITY: Self = Self {
        b: [1.0, 0.0, 0.0],
        a: [0.0, 0.0],
    };

    /// Low-pass with its -3 dB point (for Q = 1/√2) at `cutoff_hz`.
    ///
    /// # Panics
    ///
    /// As [`Coefficients::notch`].
    pub fn low_pass(cutoff_hz: f64, q: f64, rate_hz: f64) -> Self {
        let (cos, alpha) = prototype(cutoff_hz, q, rate_hz);
        let b1 = 1.0 - cos;
        Self::normalise(
            [b1 / 2.0, b1, b1 / 2.0],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        )
    }

    /// High-pass with its -3 dB point (for Q = 1/√2) at `cutoff_hz`; zero gain at DC.
    ///
    /// # Panics
    ///
    /// As [`Coefficients::notch`].
    pub fn high_pass(cutoff_hz: f64, q: f64, rate_hz: f64) -> Self {
        let (cos, alpha) = prototype(cutoff_hz, q, rate_hz);
        let b0 = (1.0 + cos) / 2.0;
        Self::normalise([b0, -2.0 * b0, b0], [1.0 + alpha, -2.0 * cos, 1.0 - alpha])
    }

    /// Band-stop with zero gain at `center_hz` and a -3 dB width of `center_hz / q`.
    ///
    /// # Panics
    ///
    /// If `rate_hz` is not positive and finite, the frequency is not strictly between 0 and
    /// half the sample rate, or `q` is not positive and finite.
    pub fn notch(center_hz: f64, q: f64, rate_hz: f64) -> Self {
        let (cos, alpha) = prototype(center_hz, q, rate_hz);
        Self::normalise(
            [1.0, -2.0 * cos, 1.0],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        )
    }

    fn normalise(b: [f64; 3], a: [f64; 3]) -> Self {
        Self {
            b: b.map(|b| b / a[0]),
            a: [a[1] / a[0], a[2] / a[0]],
        }
    }

    /// Gain at DC, `H(1)`.
    pub fn dc_gain(&self) -> f64 {
        self.b.iter().sum::<f64>() / (1.0 + self.a[0] + self.a[1])
    }

    /// Magnitude of the frequency response `|H(e^{jω})|` at `freq_hz`.
    pub fn gain_at(&self, freq_hz: f64, rate_hz: f64) -> f64 {
        let w = 2.0 * PI * freq_hz / rate_hz;
        // |c0 + c1 e^{-jw} + c2 e^{-2jw}|
        let magnitude = |c: [f64; 3]| {
            let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
            let im = c[1] * w.sin() + c[2] * (2.0 * w).sin();
            re.hypot(im)
        };
        magnitude(self.b) / magnitude([1.0, self.a[0], self.a[1]])
    }
}

/// `cos ω0` and `α = sin ω0 / 2Q` of the cookbook, with the arguments checked.
fn prototype(freq_hz: f64, q: f64, rate_hz: f64) -> (f64, f64) {
    assert!(
        rate_hz.is_finite() && rate_hz > 0.0,
        "rate_hz must be positive and finite"
    );
    assert!(
        freq_hz > 0.0 && freq_hz < rate_hz / 2.0,
        "{freq_hz} Hz is not between 0 and half the sample rate ({rate_hz} Hz)"
    );
    assert!(q.is_finite() && q > 0.0, "q must be positive and finite");
    let w0 = 2.0 * PI * freq_hz / rate_hz;
    (w0.cos(), w0.sin() / (2.0 * q))
}

/// One second-order section in transposed direct form II, computed in `f64` (at 0.5 Hz and
/// 256 Hz the poles sit within 1 % of the unit circle, where `f32` state loses the signal).
///
/// The section starts unprimed: the first sample after creation or [`reset`](Self::reset)
/// sets the state as if that value had been the input forever, so a signal riding on an
/// offset (mid-scale 512) starts without a transient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Biquad {
    c: Coefficients,
    s1: f64,
    s2: f64,
    primed: bool,
}

impl Biquad {
    /// A section with coefficients `c`.
    pub fn new(c: Coefficients) -> Self {
        Self {
            c,
            s1: 0.0,
            s2: 0.0,
            primed: false,
        }
    }

    /// The coefficients in use.
    pub fn coefficients(&self) -> &Coefficients {
        &self.c
    }

    /// Replaces the coefficients, keeping the state: for a small redesign (the measured
    /// sample rate moved) that should not restart the filter.
    pub fn set_coefficients(&mut self, c: Coefficients) {
        self.c = c;
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f64) -> f64 {
        let Coefficients { b, a } = self.c;
        if !self.primed {
            self.prime(x);
        }
        let y = b[0] * x + self.s1;
        self.s1 = b[1] * x - a[0] * y + self.s2;
        self.s2 = b[2] * x - a[1] * y;
        y
    }

    /// Forgets the past: the next sample primes the state.
    pub fn reset(&mut self) {
        self.primed = false;
    }

    /// Sets the steady state for a constant input `x`: output `H(1) x`.
    fn prime(&mut self, x: f64) {
        let Coefficients { b, a } = self.c;
        let y = self.c.dc_gain() * x;
        self.s2 = b[2] * x - a[1] * y;
        self.s1 = b[1] * x - a[0] * y + self.s2;
        self.primed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 256.0;

    fn db(gain: f64) -> f64 {
        20.0 * gain.log10()
    }

    /// Gain of `c` at `hz` (sampled at 256 Hz), dB.
    fn gain_db(c: &Coefficients, hz: f64) -> f64 {
        db(c.gain_at(hz, RATE))
    }

    #[test]
    fn butterworth_sections() {
        assert!((butterworth_q(2, 0) - BUTTERWORTH_Q).abs() < 1e-12);
        assert!((butterworth_q(4, 0) - 0.541_196_1).abs() < 1e-6);
        assert!((butterworth_q(4, 1) - 1.306_563).abs() < 1e-6);
    }

    #[test]
    fn cookbook_shapes() {
        let lp = Coefficients::low_pass(40.0, BUTTERWORTH_Q, RATE);
        assert!((lp.dc_gain() - 1.0).abs() < 1e-12);
        assert!((gain_db(&lp, 40.0) + 3.0103).abs() < 1e-3);
        assert!(lp.gain_at(RATE / 2.0, RATE) < 1e-9, "zero at Nyquist");

        let hp = Coefficients::high_pass(0.5, BUTTERWORTH_Q, RATE);
        assert!(hp.dc_gain().abs() < 1e-12);
        assert!((gain_db(&hp, 0.5) + 3.0103).abs() < 1e-3);
        assert!((hp.gain_at(RATE / 2.0, RATE) - 1.0).abs() < 1e-9);

        let notch = Coefficients::notch(50.0, 30.0, RATE);
        assert!(notch.gain_at(50.0, RATE) < 1e-9);
        assert!((notch.dc_gain() - 1.0).abs() < 1e-12);
        // The -3 dB width is the prototype's f0 / Q narrowed by the bilinear transform's
        // warping, sin ω0 / ω0: 1.28 Hz rather than 1.67 Hz at 50 Hz and 256 Hz.
        let edge = |mut lo: f64, mut hi: f64| {
            let rising = notch.gain_at(hi, RATE) > notch.gain_at(lo, RATE);
            for _ in 0..60 {
                let mid = (lo + hi) / 2.0;
                if (gain_db(&notch, mid) > -3.0103) == rising {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            lo
        };
        let width = edge(50.0, 60.0) - edge(40.0, 50.0);
        let w0 = 2.0 * PI * 50.0 / RATE;
        let expected = 50.0 / 30.0 * w0.sin() / w0;
        assert!((width / expected - 1.0).abs() < 0.01, "{width} Hz wide");
    }

    #[test]
    fn primed_section_starts_in_steady_state() {
        for c in [
            Coefficients::low_pass(40.0, BUTTERWORTH_Q, RATE),
            Coefficients::high_pass(0.5, BUTTERWORTH_Q, RATE),
            Coefficients::notch(50.0, 30.0, RATE),
        ] {
            let mut f = Biquad::new(c);
            for _ in 0..1000 {
                let y = f.process(512.0);
                assert!((y - 512.0 * c.dc_gain()).abs() < 1e-9, "{c:?}: {y}");
            }
            f.reset();
            assert!((f.process(-7.0) - -7.0 * c.dc_gain()).abs() < 1e-9);
        }
    }

    #[test]
    fn identity_passes_through() {
        let mut f = Biquad::new(Coefficients::IDENTITY);
        for x in [1.0, -3.0, 0.25, 1e6] {
            assert_eq!(f.process(x), x);
        }
    }

    #[test]
    #[should_panic(expected = "not between 0 and half the sample rate")]
    fn design_above_nyquist_is_refused() {
        Coefficients::notch(130.0, 30.0, RATE);
    }
}
