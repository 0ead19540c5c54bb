//! Band power from a Hann-windowed periodogram, computing only the bins asked for.

use std::f64::consts::PI;
use std::ops::Range;

use crate::spectrum::{Band, Bins, Hann};

/// One window of samples, mean removed and Hann weighted, ready for power queries in the
/// sample unit squared, by [`crate::spectrum`]'s conventions. Each bin costs one Goertzel pass
/// over the window, so a query costs O(window × bins in the band).
#[derive(Debug, Clone, Default)]
pub(crate) struct Periodogram {
    /// Windowed, mean-removed samples.
    y: Vec<f64>,
    /// The window for `y.len()` samples, kept while the length does not change; `None` for
    /// fewer than 2 samples, which have no power.
    hann: Option<Hann>,
    rate_hz: f64,
}

impl Periodogram {
    /// Loads a window of samples taken at `rate_hz`, replacing the previous one.
    pub(crate) fn load(&mut self, samples: impl IntoIterator<Item = f64>, rate_hz: f64) {
        self.rate_hz = rate_hz;
        self.y.clear();
        self.y.extend(samples);
        let n = self.y.len();
        if n < 2 {
            self.hann = None;
            return;
        }
        let hann = match self.hann.take() {
            Some(hann) if hann.weights().len() == n => hann,
            _ => Hann::new(n),
        };
        hann.apply(&mut self.y);
        self.hann = Some(hann);
    }

    /// Power summed over the bins whose frequency lies in `band` (edges inclusive).
    pub(crate) fn band_power(&self, band: Band) -> f64 {
        self.spectrum()
            .map_or(0.0, |(hann, bins)| self.bins_power(hann, bins.band(band)))
    }

    /// Power in every bin at or above [`DC_CUTOFF_HZ`](crate::spectrum::DC_CUTOFF_HZ).
    pub(crate) fn power_above_dc(&self) -> f64 {
        let Some((hann, bins)) = self.spectrum() else {
            return 0.0;
        };
        // Parseval gives the total in one pass; only the few DC bins need a DFT.
        let dc = self.bins_power(hann, 0..bins.above_dc().start);
        // Rounding can leave a tiny negative remainder for a DC-only window.
        (hann.total_power(&self.y) - dc).max(0.0)
    }

    /// The window and bins of the loaded samples; `None` when they have no power.
    fn spectrum(&self) -> Option<(&Hann, Bins)> {
        let hann = self.hann.as_ref()?;
        Some((hann, Bins::new(self.y.len(), self.rate_hz)))
    }

    /// Sum of the one-sided power of `bins`.
    fn bins_power(&self, hann: &Hann, bins: Range<usize>) -> f64 {
        bins.map(|k| hann.bin_power(k, self.bin_magnitude_squared(k)))
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::test_signal::{Noise, dft_magnitude_squared, sine};

    const RATE: f64 = 256.0;

    fn loaded(samples: impl IntoIterator<Item = f64>) -> Periodogram {
        let mut p = Periodogram::default();
        p.load(samples, RATE);
        p
    }

    #[test]
    fn goertzel_matches_the_dft() {
        let p = loaded((0..100).map(|i| sine(3.0, 17.0, i as f64 / RATE) + i as f64));
        for k in [0, 1, 7, 50] {
            let (goertzel, dft) = (p.bin_magnitude_squared(k), dft_magnitude_squared(&p.y, k));
            assert!(
                (goertzel - dft).abs() <= 1e-9 * (1.0 + dft),
                "{k}: {goertzel} vs {dft}"
            );
        }
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
