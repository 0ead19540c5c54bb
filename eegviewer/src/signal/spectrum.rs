//! Power spectrum of a channel's newest samples by FFT, and its classic EEG band powers.
//!
//! The conventions (window, one-sided scaling, bins, DC cutoff, bands) are libeeg's
//! [`libeeg::spectrum`]; this is the FFT around them.

use std::fmt;
use std::sync::Arc;

pub use libeeg::spectrum::{BandPowers, EegBand};
use libeeg::spectrum::{Bins, Hann};
use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Density floor for the dB scale (unit²/Hz): -200 dB, far below any ADC's noise, so an empty
/// bin gives a finite number.
const DENSITY_FLOOR: f64 = 1e-20;

/// The power spectrum of the newest `len` samples of one channel, by libeeg's conventions
/// ([`Hann`]: mean removed, periodic Hann window, one-sided power in the sample unit squared)
/// with a real FFT (realfft).
///
/// Bins run from 0 to half the sample rate in steps of `rate / len` (0.5 Hz for 512 samples
/// at 256 Hz). [`density_db`](Self::density_db) is the power spectral density in dB (10 log10
/// of unit² per hertz), the usual EEG plot.
///
/// Buffers are allocated once; [`compute`](Self::compute) does not allocate.
#[derive(Clone)]
pub struct Spectrum {
    bins: Bins,
    hann: Hann,
    fft: Arc<dyn RealToComplex<f32>>,
    /// The newest samples, windowed in `f64` as libeeg does it, before the `f32` FFT.
    windowed: Vec<f64>,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    power: Vec<f64>,
    density_db: Vec<f32>,
    valid: bool,
}

impl fmt::Debug for Spectrum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spectrum")
            .field("len", &self.len())
            .field("rate_hz", &self.rate_hz())
            .field("valid", &self.valid)
            .finish_non_exhaustive()
    }
}

impl Spectrum {
    /// Default length: 512 samples, 2 s at 256 Hz, 0.5 Hz bins (delta's lower edge).
    pub const DEFAULT_LEN: usize = 512;

    /// A spectrum of `len` samples taken at `rate_hz`. Any length works; powers of two are the
    /// fastest.
    ///
    /// # Panics
    ///
    /// If `len` is below 2 or `rate_hz` is not positive and finite.
    pub fn new(len: usize, rate_hz: f64) -> Self {
        let bins = Bins::new(len, rate_hz);
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(len);
        Self {
            bins,
            hann: Hann::new(len),
            windowed: Vec::with_capacity(len),
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            power: vec![0.0; bins.count()],
            density_db: vec![floor_db(); bins.count()],
            valid: false,
        }
    }

    /// Samples per spectrum.
    pub fn len(&self) -> usize {
        self.input.len()
    }

    /// Always false: a spectrum holds at least 2 samples.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Number of frequency bins, `len / 2 + 1`.
    pub fn bins(&self) -> usize {
        self.bins.count()
    }

    /// The sample rate the frequencies are computed for, hertz.
    pub fn rate_hz(&self) -> f64 {
        self.bins.rate_hz()
    }

    /// Sets the sample rate (the measured one is best); takes effect on the frequency axis
    /// and band powers at once.
    ///
    /// # Panics
    ///
    /// If `rate_hz` is not positive and finite.
    pub fn set_rate_hz(&mut self, rate_hz: f64) {
        self.bins = Bins::new(self.len(), rate_hz);
    }

    /// Width of a bin, hertz.
    pub fn bin_hz(&self) -> f64 {
        self.bins.width_hz()
    }

    /// Frequency of bin `k`, hertz.
    pub fn frequency(&self, k: usize) -> f64 {
        self.bins.frequency(k)
    }

    /// Whether the last [`compute`](Self::compute) had enough samples; until then every bin
    /// reads as no power.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Computes the spectrum of the last [`len`](Self::len) samples of `parts` (read as one
    /// sequence, as [`Span::values`](super::span::Span::values) gives them). Returns false, and
    /// marks the spectrum invalid, when there are fewer; take the samples from
    /// [`Span::newest_segment`](super::span::Span::newest_segment) so they never span a gap.
    pub fn compute(&mut self, parts: &[&[f32]]) -> bool {
        let n = self.len();
        let available: usize = parts.iter().map(|p| p.len()).sum();
        self.valid = available >= n;
        if !self.valid {
            self.power.fill(0.0);
            self.density_db.fill(floor_db());
            return false;
        }
        let newest = parts.iter().flat_map(|p| p.iter()).skip(available - n);
        self.windowed.clear();
        self.windowed.extend(newest.map(|&x| f64::from(x)));
        self.hann.apply(&mut self.windowed);
        for (x, &y) in self.input.iter_mut().zip(&self.windowed) {
            *x = y as f32;
        }
        self.fft
            .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
            .expect("buffers come from the plan and have its lengths");
        for (k, (x, (power, db))) in self
            .output
            .iter()
            .zip(self.power.iter_mut().zip(&mut self.density_db))
            .enumerate()
        {
            *power = self.hann.bin_power(k, f64::from(x.norm_sqr()));
            *db = decibels(self.bins.density(*power));
        }
        true
    }

    /// Power per bin, in the sample unit squared.
    pub fn power(&self) -> &[f64] {
        &self.power
    }

    /// Power spectral density per bin in dB (10 log10 of unit² per hertz; dB re 1 µV²/Hz for
    /// microvolts), floored at -200 dB.
    pub fn density_db(&self) -> &[f32] {
        &self.density_db
    }

    /// The strongest bin above DC, as (frequency in hertz, power); `None` before a valid
    /// spectrum.
    pub fn peak(&self) -> Option<(f64, f64)> {
        if !self.valid {
            return None;
        }
        self.power
            .iter()
            .enumerate()
            .skip(self.bins.above_dc().start)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, &p)| (self.frequency(k), p))
    }

    /// Absolute and relative power in the classic EEG bands.
    pub fn band_powers(&self) -> BandPowers {
        BandPowers::from_spectrum(&self.power, &self.bins)
    }
}

/// `density` in dB, floored at [`DENSITY_FLOOR`].
fn decibels(density: f64) -> f32 {
    (10.0 * density.max(DENSITY_FLOOR).log10()) as f32
}

/// What an empty bin reads, dB.
fn floor_db() -> f32 {
    decibels(0.0)
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;

    const RATE: f64 = 256.0;

    fn sine(amplitude: f64, freq: f64, len: usize, offset: f64) -> Vec<f32> {
        (0..len)
            .map(|i| (offset + amplitude * (2.0 * PI * freq * i as f64 / RATE).sin()) as f32)
            .collect()
    }

    /// Deterministic white-ish noise in -1..1 (xorshift).
    fn noise(len: usize, seed: u64) -> Vec<f32> {
        let mut x = seed.max(1);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 20001) as f32 / 10000.0 - 1.0
            })
            .collect()
    }

    fn spectrum_of(samples: &[f32]) -> Spectrum {
        let mut s = Spectrum::new(Spectrum::DEFAULT_LEN, RATE);
        assert!(s.compute(&[samples]));
        s
    }

    #[test]
    fn a_10_hz_sine_peaks_at_10_hz_and_alpha_is_strongest() {
        // On a 512 offset, as raw codes are.
        let s = spectrum_of(&sine(40.0, 10.0, 512, 512.0));
        let (hz, power) = s.peak().unwrap();
        assert_eq!(hz, 10.0);
        assert!(
            (power - 40.0 * 40.0 / 3.0).abs() < 0.01,
            "centre bin holds A²/3"
        );
        let bands = s.band_powers();
        assert_eq!(bands.strongest(), EegBand::Alpha);
        assert!(bands.relative(EegBand::Alpha) > 0.99, "{bands:?}");
        assert!((bands.absolute(EegBand::Alpha) - 800.0).abs() < 0.1, "A²/2");
        assert!((bands.total - 800.0).abs() < 0.1);
        let db = s.density_db();
        assert_eq!(db.len(), 257);
        let peak_db = db.iter().copied().fold(f32::MIN, f32::max);
        assert_eq!(db[20], peak_db);
        assert!(peak_db - db[40] > 60.0, "20 Hz is far below the peak");
    }

    #[test]
    fn each_band_wins_with_a_sine_inside_it() {
        for (freq, band) in [
            (2.0, EegBand::Delta),
            (6.0, EegBand::Theta),
            (10.5, EegBand::Alpha),
            (21.0, EegBand::Beta),
            (40.0, EegBand::Gamma),
        ] {
            let s = spectrum_of(&sine(10.0, freq, 512, 0.0));
            assert_eq!(s.band_powers().strongest(), band, "{freq} Hz");
            assert!((s.peak().unwrap().0 - freq).abs() < 1e-9);
        }
    }

    #[test]
    fn white_noise_power_sums_to_its_variance() {
        let x = noise(512, 7);
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / 512.0;
        let variance = x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / 512.0;
        let total: f64 = spectrum_of(&x).power().iter().sum();
        // The window weights the middle, so only roughly; exactly for a stationary process.
        assert!(
            (total / variance - 1.0).abs() < 0.15,
            "{total} vs {variance}"
        );
    }

    #[test]
    fn the_newest_samples_are_used_across_parts() {
        let x = sine(10.0, 7.0, 700, 3.0);
        let whole = spectrum_of(&x[188..]);
        // Older samples (junk) first; the newest 512 straddle the two parts.
        let mut first = vec![1e4_f32; 100];
        first.extend_from_slice(&x[..400]);
        let mut split = Spectrum::new(512, RATE);
        assert!(split.compute(&[&first, &x[400..]]));
        for (a, b) in split.power().iter().zip(whole.power()) {
            assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }

    #[test]
    fn too_few_samples_give_no_spectrum() {
        let mut s = Spectrum::new(512, RATE);
        assert!(!s.compute(&[&[1.0; 300], &[2.0; 211]]));
        assert!(!s.is_valid());
        assert_eq!(s.peak(), None);
        assert!(s.power().iter().all(|&p| p == 0.0));
        assert_eq!(s.band_powers(), BandPowers::default());
        assert!(s.compute(&[&[1.0; 300], &[2.0; 212]]));
        assert!(s.is_valid());
    }

    #[test]
    fn frequency_axis_follows_the_rate() {
        let mut s = Spectrum::new(512, RATE);
        assert_eq!((s.bins(), s.bin_hz(), s.frequency(256)), (257, 0.5, 128.0));
        s.set_rate_hz(500.0);
        assert_eq!(s.frequency(256), 250.0);
        // An odd length has no Nyquist bin.
        assert_eq!(Spectrum::new(101, 100.0).bins(), 51);
    }

    #[test]
    fn flat_input_has_no_power() {
        let s = spectrum_of(&[512.0; 512]);
        assert!(s.power().iter().all(|&p| p < 1e-9));
        assert!(s.density_db().iter().all(|&d| d <= -100.0));
        assert_eq!(s.band_powers().relative, [0.0; 5]);
    }
}
