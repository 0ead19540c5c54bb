//! Power in a frequency band over a sliding window, and a detector for when it rises and falls.

use super::periodogram::Periodogram;
use super::window::SlidingWindow;
use crate::spectrum::Band;

/// Power of `samples` (taken at `rate_hz`) in `band`, in the sample unit squared.
///
/// The samples are mean-removed and Hann-windowed, and the one-sided periodogram bins whose
/// frequency lies in `band` are summed, scaled by the window's power (Parseval): a sine of
/// amplitude `A` inside the band gives about `A² / 2`, white noise of variance `σ²` gives `σ²`
/// times the band's share of `0..rate_hz / 2`. Resolution is `rate_hz / samples.len()` hertz;
/// only the band's bins are computed (Goertzel), so the cost is O(len × bins in band).
/// Returns 0 for fewer than 2 samples.
///
/// # Panics
///
/// If `rate_hz` is not positive and finite.
pub fn band_power(samples: &[f64], rate_hz: f64, band: Band) -> f64 {
    periodogram(samples, rate_hz).band_power(band)
}

/// Share of the power of `samples` above 0.5 Hz that lies in `band`, from 0 to 1 (for a band
/// that starts at 0.5 Hz or above). Below 0.5 Hz is offset and drift, so it counts in neither.
/// Returns 0 when there is no power above 0.5 Hz.
///
/// # Panics
///
/// If `rate_hz` is not positive and finite.
pub fn relative_power(samples: &[f64], rate_hz: f64, band: Band) -> f64 {
    let p = periodogram(samples, rate_hz);
    let total = p.power_above_dc();
    if total > 0.0 {
        p.band_power(band) / total
    } else {
        0.0
    }
}

fn periodogram(samples: &[f64], rate_hz: f64) -> Periodogram {
    assert!(
        rate_hz.is_finite() && rate_hz > 0.0,
        "rate_hz must be positive and finite"
    );
    let mut p = Periodogram::default();
    p.load(samples.iter().copied(), rate_hz);
    p
}

/// Settings for a [`BandPowerDetector`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandPowerConfig {
    /// The band whose power is watched.
    pub band: Band,
    /// Window length, seconds: longer is smoother and finer in frequency (1 / window hertz)
    /// but reacts later. Default [`BandPowerConfig::DEFAULT_WINDOW`].
    pub window: f64,
    /// Seconds between evaluations. Default [`BandPowerConfig::DEFAULT_HOP`].
    pub hop: f64,
    /// Sample rate, hertz.
    pub rate_hz: f64,
    /// Power (value unit squared) at or above which the band counts as high.
    pub level: f64,
    /// The band counts as low again below `level * (1 - hysteresis)`; 0 to 1.
    /// Default [`BandPowerConfig::DEFAULT_HYSTERESIS`].
    pub hysteresis: f64,
}

impl BandPowerConfig {
    /// Default window: 1 s, which resolves 1 Hz.
    pub const DEFAULT_WINDOW: f64 = 1.0;
    /// Default hop: 0.125 s, eight evaluations a second.
    pub const DEFAULT_HOP: f64 = 0.125;
    /// Default hysteresis: fall at 80 % of the level.
    pub const DEFAULT_HYSTERESIS: f64 = 0.2;

    /// Watches `band` at `rate_hz` against `level`, with the default window, hop and hysteresis.
    pub fn new(band: Band, rate_hz: f64, level: f64) -> Self {
        Self {
            band,
            window: Self::DEFAULT_WINDOW,
            hop: Self::DEFAULT_HOP,
            rate_hz,
            level,
            hysteresis: Self::DEFAULT_HYSTERESIS,
        }
    }
}

/// Which way band power moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerChange {
    /// Rose to `level` or above.
    Rose,
    /// Fell below `level * (1 - hysteresis)`.
    Fell,
}

/// Band power crossed the level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandPowerEvent {
    /// Which way.
    pub kind: PowerChange,
    /// Time of the last sample in the window that showed it, seconds.
    pub t: f64,
    /// That window's band power, value unit squared.
    pub power: f64,
}

/// Watches one channel's power in a band over a sliding window. Sans-IO: time comes in with
/// each sample.
///
/// Once the window is full and then every hop, [`push`](Self::push) computes the band power
/// (as [`band_power`] does) of the last `window` seconds, and reports [`PowerChange::Rose`]
/// when it reaches `level` and [`PowerChange::Fell`] when it then drops below
/// `level * (1 - hysteresis)`. The detector starts low, so a band already high in the first
/// window reports `Rose` there. An event lags the change by up to about a window.
///
/// [`gap`](Self::gap) empties the window, so no power is computed over samples on both sides
/// of a gap; the high/low state is kept, and a change across the gap is reported from the first
/// full window after it. A non-finite value or time counts as a gap. Memory is one window of
/// samples.
#[derive(Debug, Clone)]
pub struct BandPowerDetector {
    config: BandPowerConfig,
    window: SlidingWindow<f64>,
    periodogram: Periodogram,
    power: Option<f64>,
    high: bool,
}

impl BandPowerDetector {
    /// A detector with `config`.
    ///
    /// # Panics
    ///
    /// If `rate_hz` is not positive and finite, the band is not valid ([`Band::is_valid`]),
    /// the window holds fewer than 2 samples, `hop` is not positive and finite, `level` is
    /// negative or not finite, or `hysteresis` is outside 0..=1.
    pub fn new(config: BandPowerConfig) -> Self {
        let BandPowerConfig {
            band,
            window,
            hop,
            rate_hz,
            level,
            hysteresis,
        } = config;
        assert!(
            rate_hz.is_finite() && rate_hz > 0.0,
            "rate_hz must be positive and finite"
        );
        assert!(
            band.is_valid(),
            "band edges must be finite, >= 0 and in order"
        );
        let window_len = (window * rate_hz).round();
        assert!(
            window_len >= 2.0 && window_len.is_finite(),
            "window must hold at least 2 samples"
        );
        assert!(
            hop.is_finite() && hop > 0.0,
            "hop must be positive and finite"
        );
        assert!(
            level.is_finite() && level >= 0.0,
            "level must be finite and >= 0"
        );
        assert!(
            (0.0..=1.0).contains(&hysteresis),
            "hysteresis must be within 0..=1"
        );
        let hop_len = (hop * rate_hz).round().max(1.0);
        Self {
            config,
            window: SlidingWindow::new(window_len as usize, hop_len as usize),
            periodogram: Periodogram::default(),
            power: None,
            high: false,
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &BandPowerConfig {
        &self.config
    }

    /// Band power of the latest full window (value unit squared); `None` before the first
    /// full window and after a gap or reset until the window is full again.
    pub fn power(&self) -> Option<f64> {
        self.power
    }

    /// Whether the band is high: it rose and has not fallen since.
    pub fn is_high(&self) -> bool {
        self.high
    }

    /// Feeds one sample taken at `t` seconds; returns a rise or fall it reveals.
    #[must_use]
    pub fn push(&mut self, value: f64, t: f64) -> Option<BandPowerEvent> {
        if !value.is_finite() || !t.is_finite() {
            self.gap();
            return None;
        }
        if !self.window.push(value) {
            return None;
        }
        self.periodogram
            .load(self.window.iter(), self.config.rate_hz);
        let power = self.periodogram.band_power(self.config.band);
        self.power = Some(power);
        let kind = if !self.high && power >= self.config.level {
            PowerChange::Rose
        } else if self.high && power < self.config.level * (1.0 - self.config.hysteresis) {
            PowerChange::Fell
        } else {
            return None;
        };
        self.high = kind == PowerChange::Rose;
        Some(BandPowerEvent { kind, t, power })
    }

    /// Samples were lost: empties the window (the high/low state is kept).
    pub fn gap(&mut self) {
        self.window.clear();
        self.power = None;
    }

    /// Forgets everything, as if just created.
    pub fn reset(&mut self) {
        self.gap();
        self.high = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::test_signal::{Noise, sine};

    const RATE: f64 = 256.0;

    fn time(i: usize) -> f64 {
        i as f64 / RATE
    }

    fn alpha_detector(level: f64) -> BandPowerDetector {
        BandPowerDetector::new(BandPowerConfig::new(Band::ALPHA, RATE, level))
    }

    /// Feeds `signal(i)` for samples `range`; returns the events.
    fn feed(
        d: &mut BandPowerDetector,
        range: std::ops::Range<usize>,
        mut signal: impl FnMut(usize) -> f64,
    ) -> Vec<BandPowerEvent> {
        range.filter_map(|i| d.push(signal(i), time(i))).collect()
    }

    #[test]
    fn sine_in_band_has_half_amplitude_squared() {
        // Raw codes around mid-scale: the offset must not matter.
        let x: Vec<f64> = (0..256)
            .map(|i| 512.0 + sine(40.0, 10.0, time(i)))
            .collect();
        let alpha = band_power(&x, RATE, Band::ALPHA);
        assert!((alpha / 800.0 - 1.0).abs() < 0.05, "{alpha}");
        assert!(band_power(&x, RATE, Band::BETA) < 0.01, "beta must be tiny");
        let share = relative_power(&x, RATE, Band::ALPHA);
        assert!((share - 1.0).abs() < 1e-6, "{share}");
        assert_eq!(relative_power(&[512.0; 256], RATE, Band::ALPHA), 0.0);
    }

    #[test]
    fn detector_reports_steady_alpha_on_first_full_window() {
        let mut d = alpha_detector(400.0);
        let events = feed(&mut d, 0..512, |i| sine(40.0, 10.0, time(i)));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, PowerChange::Rose);
        assert_eq!(events[0].t, time(255));
        let power = d.power().expect("window is full");
        assert!((power / 800.0 - 1.0).abs() < 0.05, "{power}");
        assert!(d.is_high());
    }

    #[test]
    fn noise_alone_stays_below_level() {
        let mut noise = Noise::new(7);
        let mut d = alpha_detector(400.0);
        // White noise of variance 100 puts about 100 * 4/128 in alpha.
        assert!(feed(&mut d, 0..2560, |_| 10.0 * noise.normal()).is_empty());
        assert!(d.power().unwrap() < 40.0);
    }

    #[test]
    fn alpha_burst_rises_and_falls_within_a_window_and_hop() {
        let mut noise = Noise::new(3);
        let mut d = alpha_detector(400.0);
        let burst = |t: f64| {
            if (2.0..4.0).contains(&t) {
                sine(40.0, 10.0, t)
            } else {
                0.0
            }
        };
        let events = feed(&mut d, 0..6 * 256, |i| {
            10.0 * noise.normal() + burst(time(i))
        });
        let kinds: Vec<PowerChange> = events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [PowerChange::Rose, PowerChange::Fell]);
        let late = BandPowerConfig::DEFAULT_WINDOW + BandPowerConfig::DEFAULT_HOP;
        assert!(
            (2.0..2.0 + late).contains(&events[0].t),
            "rose at {}",
            events[0].t
        );
        assert!(
            (4.0..4.0 + late).contains(&events[1].t),
            "fell at {}",
            events[1].t
        );
    }

    #[test]
    fn gap_restarts_the_window() {
        let mut d = alpha_detector(400.0);
        let alpha = |i: usize| sine(40.0, 10.0, time(i));
        // 0.9 s, a gap, 0.9 s: never a full window, so nothing however strong the band.
        assert!(feed(&mut d, 0..230, alpha).is_empty());
        d.gap();
        assert!(feed(&mut d, 300..530, alpha).is_empty());
        assert_eq!(d.power(), None);
        // The first event comes from a window entirely after the gap.
        let events = feed(&mut d, 530..600, alpha);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].t, time(300 + 255));
        // Gap then silence: the fall is reported from the first full window after it.
        assert!(d.push(f64::NAN, time(600)).is_none());
        assert_eq!(d.power(), None);
        let events = feed(&mut d, 601..1000, |_| 0.0);
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].kind, events[0].t),
            (PowerChange::Fell, time(601 + 255))
        );
    }

    #[test]
    fn reset_starts_low_again() {
        let mut d = alpha_detector(400.0);
        let alpha = |i: usize| sine(40.0, 10.0, time(i));
        assert_eq!(feed(&mut d, 0..256, alpha).len(), 1);
        d.reset();
        assert!(!d.is_high());
        assert_eq!(feed(&mut d, 256..512, alpha).len(), 1);
    }
}
