//! The periodic Hann window, and the scaling that turns DFT bins of windowed samples into
//! one-sided power.

use std::f64::consts::PI;

/// The periodic Hann window of `len` samples, and the scaling from its DFT bins to power.
///
/// [`apply`](Self::apply) removes the samples' mean and weights them; any DFT of the result
/// gives `X[k]`, and [`bin_power`](Self::bin_power) turns `|X[k]|²` into one-sided power:
/// divided by the length and the window's power (its sum of squared weights), doubled for
/// every bin but DC and half the rate, which stand for one frequency instead of a positive and
/// a negative one. So a sine of amplitude `A` gives `A² / 2` summed over its bins and white
/// noise of variance `σ²` gives `σ²` summed over all bins: the unit is the sample unit
/// squared, whatever the window length.
///
/// Periodic (the symmetric window of `len + 1` points without its last), so a sine exactly on
/// a bin leaks into its two neighbours only: `A² / 3` in its bin, `A² / 12` in each neighbour.
#[derive(Debug, Clone, PartialEq)]
pub struct Hann {
    weights: Vec<f64>,
    /// Sum of squared weights.
    power: f64,
}

impl Hann {
    /// The window for `len` samples.
    ///
    /// # Panics
    ///
    /// If `len` is below 2.
    pub fn new(len: usize) -> Self {
        assert!(len >= 2, "a spectrum needs at least 2 samples");
        let weights: Vec<f64> = (0..len)
            .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / len as f64).cos())
            .collect();
        let power = weights.iter().map(|w| w * w).sum();
        Self { weights, power }
    }

    /// The weights, one per sample.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Removes the mean of `samples` and weights them by the window, in place. Without the
    /// mean, an offset (mid-scale 512 in raw codes) cannot leak into the low bins.
    ///
    /// # Panics
    ///
    /// If `samples` does not hold one sample per weight.
    pub fn apply(&self, samples: &mut [f64]) {
        assert_eq!(samples.len(), self.weights.len(), "one sample per weight");
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        for (y, w) in samples.iter_mut().zip(&self.weights) {
            *y = (*y - mean) * w;
        }
    }

    /// One-sided power of bin `k` (0 to `len / 2`) whose DFT of the windowed samples has the
    /// squared magnitude `magnitude_squared`, in the sample unit squared.
    pub fn bin_power(&self, k: usize, magnitude_squared: f64) -> f64 {
        let len = self.weights.len();
        let one_frequency = k == 0 || (len.is_multiple_of(2) && k == len / 2);
        let sides = if one_frequency { 1.0 } else { 2.0 };
        sides * magnitude_squared / (len as f64 * self.power)
    }

    /// Power summed over every bin of `windowed` (samples [`apply`](Self::apply) weighted),
    /// without a DFT: by Parseval, their energy divided by the window's power.
    pub fn total_power(&self, windowed: &[f64]) -> f64 {
        windowed.iter().map(|y| y * y).sum::<f64>() / self.power
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::test_signal::{Noise, dft_magnitude_squared, sine};

    /// The window for `samples`, and the samples it weighted.
    fn windowed(samples: &[f64]) -> (Hann, Vec<f64>) {
        let hann = Hann::new(samples.len());
        let mut y = samples.to_vec();
        hann.apply(&mut y);
        (hann, y)
    }

    /// One-sided power of every bin of `samples`, by the textbook DFT.
    fn power(samples: &[f64]) -> Vec<f64> {
        let (hann, y) = windowed(samples);
        (0..=y.len() / 2)
            .map(|k| hann.bin_power(k, dft_magnitude_squared(&y, k)))
            .collect()
    }

    #[test]
    fn weights_are_periodic() {
        let w = Hann::new(8);
        assert_eq!(w.weights()[0], 0.0);
        assert!((w.weights()[4] - 1.0).abs() < 1e-15);
        assert!((w.weights()[1] - w.weights()[7]).abs() < 1e-15);
        // A periodic Hann's power is 3/8 of its length.
        assert!((w.power - 3.0).abs() < 1e-12);
    }

    #[test]
    fn apply_removes_the_mean_before_weighting() {
        assert_eq!(windowed(&[512.0; 8]).1, [0.0; 8]);
    }

    #[test]
    fn a_sine_on_a_bin_gives_half_its_amplitude_squared_over_three_bins() {
        // 10 Hz at 64 Hz over 64 samples: bin 10, amplitude 4, on an offset.
        let x: Vec<f64> = (0..64)
            .map(|i| 100.0 + sine(4.0, 10.0, i as f64 / 64.0))
            .collect();
        let p = power(&x);
        assert!((p[10] - 16.0 / 3.0).abs() < 1e-9, "{}", p[10]);
        assert!((p[9] - 16.0 / 12.0).abs() < 1e-9 && (p[11] - 16.0 / 12.0).abs() < 1e-9);
        assert!((p.iter().sum::<f64>() - 8.0).abs() < 1e-9, "A² / 2");
    }

    #[test]
    fn bins_add_up_to_the_total_for_even_and_odd_lengths() {
        for len in [64, 65] {
            let mut noise = Noise::new(len as u64);
            let x: Vec<f64> = (0..len).map(|_| 3.0 * noise.normal()).collect();
            let (hann, y) = windowed(&x);
            let sum: f64 = power(&x).iter().sum();
            let total = hann.total_power(&y);
            assert!((sum / total - 1.0).abs() < 1e-9, "{len}: {sum} vs {total}");
        }
    }

    #[test]
    fn white_noise_totals_its_variance() {
        let mut noise = Noise::new(1);
        let x: Vec<f64> = (0..4096).map(|_| 10.0 * noise.normal()).collect();
        let (hann, y) = windowed(&x);
        let total = hann.total_power(&y);
        assert!((total / 100.0 - 1.0).abs() < 0.1, "{total}");
    }
}
