//! Power spectrum of a channel's newest samples and its classic EEG band powers.

use std::f64::consts::PI;
use std::fmt;
use std::sync::Arc;

use libeeg::detect::Band;
use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Frequencies below this are offset and drift: left out of the total that relative band
/// powers are shares of (libeeg's band-power detectors draw the same line).
const DC_CUTOFF_HZ: f64 = 0.5;
/// Slack when mapping band edges to bins, so an edge computed as 7.999999 Hz still takes the
/// 8 Hz bin.
const BIN_EDGE_SLACK: f64 = 1e-9;
/// Density floor for the dB scale (unit²/Hz): -200 dB, far below any ADC's noise, so an empty
/// bin gives a finite number.
const DENSITY_FLOOR: f64 = 1e-20;

/// The classic EEG bands, in frequency order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EegBand {
    /// 0.5-4 Hz.
    Delta,
    /// 4-8 Hz.
    Theta,
    /// 8-12 Hz.
    Alpha,
    /// 12-30 Hz.
    Beta,
    /// 30-45 Hz.
    Gamma,
}

impl EegBand {
    /// Every band, in frequency order.
    pub const ALL: [Self; 5] = [
        Self::Delta,
        Self::Theta,
        Self::Alpha,
        Self::Beta,
        Self::Gamma,
    ];

    /// The band's edges (libeeg's constants).
    pub fn band(self) -> Band {
        match self {
            Self::Delta => Band::DELTA,
            Self::Theta => Band::THETA,
            Self::Alpha => Band::ALPHA,
            Self::Beta => Band::BETA,
            Self::Gamma => Band::GAMMA,
        }
    }

    /// Lower-case name, for labels.
    pub fn name(self) -> &'static str {
        match self {
            Self::Delta => "delta",
            Self::Theta => "theta",
            Self::Alpha => "alpha",
            Self::Beta => "beta",
            Self::Gamma => "gamma",
        }
    }
}

impl fmt::Display for EegBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Power in each [`EegBand`], from one spectrum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BandPowers {
    /// Power per band, in the sample unit squared (µV² for microvolts), indexed as
    /// [`EegBand::ALL`].
    pub absolute: [f64; 5],
    /// Share of the power above 0.5 Hz in each band, 0 to 1, indexed as [`EegBand::ALL`]. The
    /// bands share their edge bins (libeeg's [`Band`] counts edges in both), so the shares
    /// can add up to a little more than their part of the total.
    pub relative: [f64; 5],
    /// Power above 0.5 Hz up to half the sample rate.
    pub total: f64,
}

impl BandPowers {
    /// Absolute power in `band`.
    pub fn absolute(&self, band: EegBand) -> f64 {
        self.absolute[band as usize]
    }

    /// Relative power in `band`.
    pub fn relative(&self, band: EegBand) -> f64 {
        self.relative[band as usize]
    }

    /// The band with the most power.
    pub fn strongest(&self) -> EegBand {
        EegBand::ALL
            .into_iter()
            .max_by(|a, b| self.absolute(*a).total_cmp(&self.absolute(*b)))
            .unwrap_or(EegBand::Delta)
    }
}

/// The power spectrum of the newest `len` samples of one channel: mean removed, periodic Hann
/// window, real FFT (realfft), one-sided.
///
/// Bins run from 0 to half the sample rate in steps of `rate / len` (0.5 Hz for 512 samples
/// at 256 Hz). Power per bin is scaled by the window's power, so a sine of amplitude `A` gives
/// `A² / 2` summed over its bins and white noise of variance `σ²` gives `σ²` summed over all
/// bins: the same convention as libeeg's band-power detectors. [`density_db`](Self::density_db)
/// is the power spectral density in dB (10 log10 of unit² per hertz), the usual EEG plot.
///
/// Buffers are allocated once; [`compute`](Self::compute) does not allocate.
#[derive(Clone)]
pub struct Spectrum {
    rate_hz: f64,
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    /// Sum of squared window weights.
    window_power: f64,
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
            .field("rate_hz", &self.rate_hz)
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
        assert!(len >= 2, "a spectrum needs at least 2 samples");
        assert!(
            rate_hz.is_finite() && rate_hz > 0.0,
            "rate_hz must be positive and finite"
        );
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(len);
        // Periodic Hann: a sine on a bin leaks into exactly its two neighbours.
        let window: Vec<f32> = (0..len)
            .map(|i| (0.5 - 0.5 * (2.0 * PI * i as f64 / len as f64).cos()) as f32)
            .collect();
        let window_power = window.iter().map(|&w| f64::from(w) * f64::from(w)).sum();
        let bins = len / 2 + 1;
        Self {
            rate_hz,
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            window,
            window_power,
            power: vec![0.0; bins],
            density_db: vec![(10.0 * DENSITY_FLOOR.log10()) as f32; bins],
            valid: false,
        }
    }

    /// Samples per spectrum.
    pub fn len(&self) -> usize {
        self.window.len()
    }

    /// Always false: a spectrum holds at least 2 samples.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Number of frequency bins, `len / 2 + 1`.
    pub fn bins(&self) -> usize {
        self.power.len()
    }

    /// The sample rate the frequencies are computed for, hertz.
    pub fn rate_hz(&self) -> f64 {
        self.rate_hz
    }

    /// Sets the sample rate (the measured one is best); takes effect on the frequency axis
    /// and band powers at once.
    ///
    /// # Panics
    ///
    /// If `rate_hz` is not positive and finite.
    pub fn set_rate_hz(&mut self, rate_hz: f64) {
        assert!(
            rate_hz.is_finite() && rate_hz > 0.0,
            "rate_hz must be positive and finite"
        );
        self.rate_hz = rate_hz;
    }

    /// Width of a bin, hertz.
    pub fn bin_hz(&self) -> f64 {
        self.rate_hz / self.len() as f64
    }

    /// Frequency of bin `k`, hertz.
    pub fn frequency(&self, k: usize) -> f64 {
        k as f64 * self.bin_hz()
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
            self.density_db.fill((10.0 * DENSITY_FLOOR.log10()) as f32);
            return false;
        }
        // Copy the newest n samples, summing in f64 for the mean.
        let mut skip = available - n;
        let mut filled = 0;
        let mut sum = 0.0;
        for part in parts {
            let take = &part[skip.min(part.len())..];
            skip = skip.saturating_sub(part.len());
            self.input[filled..filled + take.len()].copy_from_slice(take);
            sum += take.iter().map(|&x| f64::from(x)).sum::<f64>();
            filled += take.len();
        }
        // Removing the mean keeps the offset (mid-scale 512 in raw codes) out of the low bins.
        let mean = (sum / n as f64) as f32;
        for (x, w) in self.input.iter_mut().zip(&self.window) {
            *x = (*x - mean) * w;
        }
        self.fft
            .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
            .expect("buffers come from the plan and have its lengths");

        let scale = n as f64 * self.window_power;
        let bin_hz = self.bin_hz();
        let nyquist = n / 2;
        for (k, (x, (power, db))) in self
            .output
            .iter()
            .zip(self.power.iter_mut().zip(&mut self.density_db))
            .enumerate()
        {
            // Bins other than DC and Nyquist stand for a positive and a negative frequency.
            let sides = if k == 0 || (n.is_multiple_of(2) && k == nyquist) {
                1.0
            } else {
                2.0
            };
            *power = sides * f64::from(x.norm_sqr()) / scale;
            *db = (10.0 * (*power / bin_hz).max(DENSITY_FLOOR).log10()) as f32;
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

    /// The strongest bin at or above 0.5 Hz, as (frequency in hertz, power); `None` before a
    /// valid spectrum.
    pub fn peak(&self) -> Option<(f64, f64)> {
        if !self.valid {
            return None;
        }
        let first = self.first_bin(DC_CUTOFF_HZ);
        self.power
            .iter()
            .enumerate()
            .skip(first)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, &p)| (self.frequency(k), p))
    }

    /// Power summed over the bins whose frequency lies in `band`, edges inclusive.
    pub fn band_power(&self, band: Band) -> f64 {
        let lo = self.first_bin(band.lo_hz);
        let hi = (band.hi_hz / self.bin_hz() + BIN_EDGE_SLACK).floor();
        if hi < 0.0 {
            return 0.0;
        }
        let hi = (hi as usize).min(self.bins() - 1);
        self.power.get(lo..=hi).map_or(0.0, |p| p.iter().sum())
    }

    /// Absolute and relative power in the classic EEG bands.
    pub fn band_powers(&self) -> BandPowers {
        let total: f64 = self.power[self.first_bin(DC_CUTOFF_HZ).min(self.bins())..]
            .iter()
            .sum();
        let absolute = EegBand::ALL.map(|b| self.band_power(b.band()));
        let relative = absolute.map(|p| if total > 0.0 { p / total } else { 0.0 });
        BandPowers {
            absolute,
            relative,
            total,
        }
    }

    /// The first bin at or above `hz`.
    fn first_bin(&self, hz: f64) -> usize {
        (hz / self.bin_hz() - BIN_EDGE_SLACK).ceil().max(0.0) as usize
    }
}

#[cfg(test)]
mod tests {
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
    fn band_powers_match_libeegs_periodogram() {
        use libeeg::detect::band_power;

        let mut x = noise(512, 42);
        for (i, v) in x.iter_mut().enumerate() {
            *v = 20.0 * *v + 30.0 * (2.0 * PI * 9.3 * i as f64 / RATE).sin() as f32 + 500.0;
        }
        let s = spectrum_of(&x);
        let samples: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
        for band in EegBand::ALL {
            let ours = s.band_powers().absolute(band);
            let theirs = band_power(&samples, RATE, band.band());
            assert!(
                (ours - theirs).abs() <= 1e-4 * theirs,
                "{band}: {ours} vs libeeg {theirs}"
            );
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
