//! Deterministic test signals for the spectrum and detector tests (sines, white and pink-ish
//! noise), and the textbook DFT to hold a spectrum against.

use std::f64::consts::PI;

/// `amplitude · sin(2π · freq_hz · t)`.
pub(crate) fn sine(amplitude: f64, freq_hz: f64, t: f64) -> f64 {
    amplitude * (2.0 * PI * freq_hz * t).sin()
}

/// `|X[k]|²` of `y` by the DFT's defining sum: slow, plainly right.
pub(crate) fn dft_magnitude_squared(y: &[f64], k: usize) -> f64 {
    let (mut re, mut im) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        // The product taken modulo the length keeps the angle small and exact.
        let turns = (k * i % y.len()) as f64 / y.len() as f64;
        let (sin, cos) = (-2.0 * PI * turns).sin_cos();
        re += v * cos;
        im += v * sin;
    }
    re * re + im * im
}

/// A small seeded generator (xorshift64*), so every run sees the same noise.
pub(crate) struct Noise {
    state: u64,
    /// One-pole low-pass states for [`Noise::pink`].
    poles: [f64; 3],
}

impl Noise {
    /// A generator for `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            poles: [0.0; 3],
        }
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let bits = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        (bits as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller, one of the pair).
    pub(crate) fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
    }

    /// Noise whose power falls with frequency like EEG background: white noise plus three
    /// low-passed copies with corner frequencies a decade apart (at 256 Hz). Standard
    /// deviation is roughly 1.
    pub(crate) fn pink(&mut self) -> f64 {
        const POLES: [f64; 3] = [0.998, 0.98, 0.8];
        let mut sum = 0.3 * self.normal();
        for (k, a) in POLES.into_iter().enumerate() {
            let drive = self.normal();
            self.poles[k] = a * self.poles[k] + (1.0 - a) * drive;
            // Rescale each stage to unit variance so the decades weigh alike.
            sum += self.poles[k] * ((1.0 + a) / (1.0 - a)).sqrt() * 0.5;
        }
        sum
    }
}
