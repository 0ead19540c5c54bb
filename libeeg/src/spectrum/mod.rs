//! Spectral conventions: how samples become power by frequency, defined once for libeeg's
//! detectors and for any FFT outside it (the viewer's spectrum panel).
//!
//! - [`Hann`]: the samples' mean is removed and a periodic Hann window applied; a DFT bin's
//!   squared magnitude becomes one-sided power, scaled by the window's power so that a sine
//!   of amplitude `A` gives `A² / 2` over its bins and white noise of variance `σ²` gives `σ²`
//!   over all bins (Parseval). Power is in the sample unit squared.
//! - [`Bins`]: which frequency each bin stands for, which bins a [`Band`] takes (edges
//!   inclusive), which lie at or above [`DC_CUTOFF_HZ`] (below it is offset and drift, left
//!   out of totals), and the power spectral density of a bin.
//! - [`Band`], [`EegBand`]: frequency bands, and the five classic EEG bands by name;
//!   [`BandPowers`]: a spectrum's power in each of the five.
//! - [`Mains`]: the power grid's frequency, whose hum EEG electrodes pick up.
//!
//! Any DFT fits in between; here the textbook sum:
//!
//! ```
//! use std::f64::consts::PI;
//! use libeeg::spectrum::{BandPowers, Bins, EegBand, Hann};
//!
//! // 2 s at 256 Hz of a 10 Hz sine of amplitude 40, on a raw code's mid-scale offset.
//! let rate_hz = 256.0;
//! let mut y: Vec<f64> = (0..512)
//!     .map(|i| 512.0 + 40.0 * (2.0 * PI * 10.0 * i as f64 / rate_hz).sin())
//!     .collect();
//! let (hann, bins) = (Hann::new(y.len()), Bins::new(y.len(), rate_hz));
//! hann.apply(&mut y);
//! let power: Vec<f64> = (0..bins.count())
//!     .map(|k| {
//!         let turn = -2.0 * PI * k as f64 / y.len() as f64;
//!         let re: f64 = y.iter().enumerate().map(|(i, v)| v * (turn * i as f64).cos()).sum();
//!         let im: f64 = y.iter().enumerate().map(|(i, v)| v * (turn * i as f64).sin()).sum();
//!         hann.bin_power(k, re * re + im * im)
//!     })
//!     .collect();
//! let bands = BandPowers::from_spectrum(&power, &bins);
//! assert_eq!(bands.strongest(), EegBand::Alpha);
//! assert!((bands.absolute(EegBand::Alpha) - 800.0).abs() < 1e-6); // A² / 2
//! ```

mod band;
mod band_powers;
mod bins;
mod hann;
mod mains;
#[cfg(test)]
pub(crate) mod test_signal;

pub use band::{Band, EegBand};
pub use band_powers::BandPowers;
pub use bins::{Bins, DC_CUTOFF_HZ};
pub use hann::Hann;
pub use mains::Mains;

#[cfg(test)]
mod tests {
    use super::test_signal::{dft_magnitude_squared, sine};
    use super::*;

    #[test]
    fn a_sine_lands_in_its_bin_with_its_density() {
        // 2 s at 256 Hz, 10.5 Hz of amplitude 40: bin 21 of 0.5 Hz.
        let (rate, len) = (256.0, 512);
        let mut y: Vec<f64> = (0..len)
            .map(|i| sine(40.0, 10.5, i as f64 / rate))
            .collect();
        let (hann, bins) = (Hann::new(len), Bins::new(len, rate));
        hann.apply(&mut y);
        let power: Vec<f64> = (0..bins.count())
            .map(|k| hann.bin_power(k, dft_magnitude_squared(&y, k)))
            .collect();
        let peak = (0..bins.count())
            .max_by(|&a, &b| power[a].total_cmp(&power[b]))
            .unwrap();
        assert_eq!((peak, bins.frequency(peak)), (21, 10.5));
        // A² / 3 in a 0.5 Hz bin: 1066.7 per hertz.
        let density = bins.density(power[peak]);
        assert!((density - 1600.0 / 3.0 / 0.5).abs() < 1e-6, "{density}");
        let bands = BandPowers::from_spectrum(&power, &bins);
        assert!((bands.absolute(EegBand::Alpha) - 800.0).abs() < 1e-6);
        assert!((bands.total - 800.0).abs() < 1e-6);
    }
}
