//! Band power from a Hann-windowed periodogram, computing only the bins asked for.

use std::f64::consts::PI;

use super::Band;

/// Frequencies below this count as DC (offset and slow drift), not signal.
pub(crate) const DC_CUTOFF_HZ: f64 = 0.5;

/// Slack when mapping band edges to bins, so an edge computed as 7.999999 Hz still takes the
/// 8 Hz bin.
const BIN_EDGE_SLACK: f64 = 1e-9;

/// One window of samples, mean removed and Hann weighted, ready for power queries.
///
/// Powers are one-sided periodogram bins scaled by the window's power (Parseval), so a sine of
/// amplitude `A` gives `A² / 2` summed over its bins, and white noise of variance `σ²` gives
/// `σ²` summed over all bins: the unit is the sample unit squared. Each bin costs one Goertzel
/// pass over the window, so a query costs O(window × bins in the band).
#[derive(Debug, Clone, Default)]
pub(crate) struct Periodogram {
    /// Windowed, mean-removed samples.
    y: Vec<f64>,
    /// Hann weights for `y.len()`, kept while the length does not change.
    hann: Vec<f64>,
    /// Sum of squared weights: the window's power, which the bins are divided by.
    hann_power: f64,
    rate_hz: f64,
}

impl Periodogram {
    /// Loads a window of samples taken at `rate_hz`, replacing the previous one.
    pub(crate) fn load(&mut self, samples: impl IntoIterator<Item = f64>, rate_hz: f64) {
        self.rate_hz = rate_hz;
        self.y.clear();
        self.y.extend(samples);
        let n = self.y.len();
        if self.hann.len() != n {
            // Periodic Hann: a sine on a bin leaks into exactly its two neighbours.
            self.hann = (0..n)
                .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / n as f64).cos())
                .collect();
            self.hann_power = self.hann.iter().map(|w| w * w).sum();
        }
        // Removing the mean keeps the offset (mid-scale 512 in raw codes) out of the low bins.
        let mean = self.y.iter().sum::<f64>() / n.max(1) as f64;
        for (y, w) in self.y.iter_mut().zip(&self.hann) {
            *y = (*y - mean) * w;
        }
    }

    /// Power summed over the bins whose frequency lies in `band` (edges inclusive).
    pub(crate) fn band_power(&self, band: Band) -> f64 {
        let n = self.y.len() as f64;
        let lo = (band.lo_hz * n / self.rate_hz - BIN_EDGE_SLACK)
            .ceil()
            .max(0.0) as usize;
        let hi = (band.hi_hz * n / self.rate_hz + BIN_EDGE_SLACK).floor() as usize;
        self.bins_power(lo, hi)
    }

    /// Power in every bin at or above [`DC_CUTOFF_HZ`].
    pub(crate) fn power_above_dc(&self) -> f64 {
        if self.y.len() < 2 {
            return 0.0;
        }
        let n = self.y.len() as f64;
        let first_signal_bin = (DC_CUTOFF_HZ * n / self.rate_hz - BIN_EDGE_SLACK).ceil() as usize;
        // Parseval gives the total in one pass; only the few DC bins need a DFT.
        let total = self.y.iter().map(|y| y * y).sum::<f64>() / self.hann_power;
        let dc = match first_signal_bin {
            0 => 0.0,
            k => self.bins_power(0, k - 1),
        };
        // Rounding can leave a tiny negative remainder for a DC-only window.
        (total - dc).max(0.0)
    }

    /// Sum of one-sided bins `lo..=hi`, clipped to the bins that exist (0 to n/2).
    fn bins_power(&self, lo: usize, hi: usize) -> f64 {
        let n = self.y.len();
        if n < 2 {
            return 0.0;
        }
        let nyquist = n / 2;
        (lo..=hi.min(nyquist))
            .map(|k| {
                // Bins other than DC and Nyquist stand for a positive and a negative frequency.
                let sides = if k == 0 || (n.is_multiple_of(2) && k == nyquist) {
                    1.0
                } else {
                    2.0
                };
                sides * self.bin_magnitude_squared(k) / self.scale()
            })
            .sum()
    }

    /// |X[k]|² of the windowed samples, by the Goertzel recurrence.
    fn bin_magnitude_squared(&self, k: usize) -> f64 {
        let coeff = 2.0 * (2.0 * PI * k as f64 / self.y.len() as f64).cos();
        let (mut s1, mut s2) = (0.0, 0.0);
        for &y in &self.y {
            let s0 = y + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        s1 * s1 + s2 * s2 - coeff * s1 * s2
    }

    /// Divisor turning |X[k]|² into power: window length times window power.
    fn scale(&self) -> f64 {
        self.y.len() as f64 * self.hann_power
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::test_signal::{Noise, sine};

    const RATE: f64 = 256.0;

    fn loaded(samples: impl IntoIterator<Item = f64>) -> Periodogram {
        let mut p = Periodogram::default();
        p.load(samples, RATE);
        p
    }

    #[test]
    fn sine_power_is_half_amplitude_squared_on_and_off_bin() {
        for freq in [10.0, 10.3, 10.5] {
            let p = loaded((0..256).map(|i| 512.0 + sine(40.0, freq, i as f64 / RATE)));
            let alpha = p.band_power(Band::ALPHA);
            assert!((alpha / 800.0 - 1.0).abs() < 0.05, "{freq} Hz: {alpha}");
        }
    }

    #[test]
    fn white_noise_total_is_its_variance() {
        let mut noise = Noise::new(1);
        let p = loaded((0..4096).map(|_| noise.normal() * 10.0));
        let total = p.power_above_dc();
        assert!((total / 100.0 - 1.0).abs() < 0.1, "{total}");
        // Alpha holds its share of a flat spectrum: 4 Hz of 128 Hz.
        let share = p.band_power(Band::ALPHA) / total;
        assert!((0.02..0.045).contains(&share), "{share}");
    }

    #[test]
    fn offset_and_empty_windows_have_no_power() {
        assert_eq!(
            loaded(std::iter::repeat_n(512.0, 256)).power_above_dc(),
            0.0
        );
        assert_eq!(loaded([]).band_power(Band::ALPHA), 0.0);
        assert_eq!(loaded([3.0]).power_above_dc(), 0.0);
    }
}
