//! Signal quality of one channel from its raw codes: railed, flat, mains hum.

use super::periodogram::Periodogram;
use super::window::SlidingWindow;
use crate::MAX_CODE;
use crate::spectrum::Band;

/// Half-width of the band around each mains line: covers the grid's frequency wander and the
/// window's leakage.
const MAINS_HALF_WIDTH_HZ: f64 = 1.0;

/// Settings for a [`QualityMonitor`]. Amplitudes are in raw ADC codes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityConfig {
    /// Sample rate, hertz.
    pub rate_hz: f64,
    /// Seconds of signal each report covers. Default [`QualityConfig::DEFAULT_WINDOW`].
    pub window: f64,
    /// Seconds between reports. Default [`QualityConfig::DEFAULT_HOP`].
    pub hop: f64,
    /// Frequency of the local power grid, hertz: [`Mains::hz`](crate::spectrum::Mains::hz),
    /// whose documentation says which regions use which. When unsure, record a few seconds
    /// with the electrodes loose and pick the one whose report shows the larger `mains_ratio`.
    pub mains_hz: f64,
    /// Share of railed samples (code 0 or 1023) from which the channel counts as railed.
    /// Default [`QualityConfig::DEFAULT_RAILED_SHARE`].
    pub railed_share: f64,
    /// Peak-to-peak (codes) at or below which the channel counts as flat.
    /// Default [`QualityConfig::DEFAULT_FLAT_PEAK_TO_PEAK`].
    pub flat_peak_to_peak: f64,
    /// Mains ratio from which the channel counts as hum-dominated.
    /// Default [`QualityConfig::DEFAULT_MAINS_RATIO`].
    pub mains_ratio: f64,
}

impl QualityConfig {
    /// Default window: 2 s, which resolves 0.5 Hz.
    pub const DEFAULT_WINDOW: f64 = 2.0;
    /// Default hop: a report every 0.5 s, so a loose electrode shows quickly.
    pub const DEFAULT_HOP: f64 = 0.5;
    /// Default railed share: 10 % of the window at code 0 or 1023.
    pub const DEFAULT_RAILED_SHARE: f64 = 0.1;
    /// Default flat peak-to-peak: 2 codes, about what quantisation alone produces.
    pub const DEFAULT_FLAT_PEAK_TO_PEAK: f64 = 2.0;
    /// Default mains ratio: hum carries half the signal power.
    pub const DEFAULT_MAINS_RATIO: f64 = 0.5;

    /// Monitoring at `rate_hz` on a `mains_hz` grid, other settings at their defaults.
    pub fn new(rate_hz: f64, mains_hz: f64) -> Self {
        Self {
            rate_hz,
            window: Self::DEFAULT_WINDOW,
            hop: Self::DEFAULT_HOP,
            mains_hz,
            railed_share: Self::DEFAULT_RAILED_SHARE,
            flat_peak_to_peak: Self::DEFAULT_FLAT_PEAK_TO_PEAK,
            mains_ratio: Self::DEFAULT_MAINS_RATIO,
        }
    }
}

/// What is wrong with a channel; all false means good.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Issues {
    /// Too many samples at the ADC's limits: saturated amplifier or loose electrode.
    pub railed: bool,
    /// Almost no variation: input shorted, unconnected or amplifier off. A channel stuck at a
    /// rail is both railed and flat.
    pub flat: bool,
    /// Mains hum dominates: poor electrode contact or a nearby mains cable.
    pub mains: bool,
}

impl Issues {
    /// Whether nothing is wrong.
    pub fn is_good(&self) -> bool {
        *self == Self::default()
    }
}

/// Quality measures of one window of raw codes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct QualityReport {
    /// Share of samples at code 0 or 1023, 0 to 1.
    pub railed_share: f64,
    /// Largest minus smallest code.
    pub peak_to_peak: f64,
    /// Power within 1 Hz of the mains frequency and of its second harmonic (when below half the
    /// sample rate; higher harmonics alias and are not counted), divided by all power above
    /// 0.5 Hz; 0 to 1, and 0 for a window with no power.
    pub mains_ratio: f64,
    /// The measures held against the configured limits.
    pub issues: Issues,
}

/// The set of issues changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityEvent {
    /// Time of the last sample of the window that showed the change, seconds.
    pub t: f64,
    /// That window's report.
    pub report: QualityReport,
}

/// Watches one channel's raw codes for railing, flatness and mains hum. Sans-IO: time comes in
/// with each sample.
///
/// Once the window is full and then every hop, [`push`](Self::push) measures the window
/// ([`QualityReport`]) and returns a [`QualityEvent`] when its [`Issues`] differ from the last
/// reported ones, including the change back to good. The monitor starts assuming good, so a
/// channel that is fine from the start reports nothing.
///
/// [`gap`](Self::gap) empties the window, so no report covers both sides of a gap; the last
/// reported issues are kept and only a change from them is reported. A non-finite time counts
/// as a gap. Memory is one window of samples.
#[derive(Debug, Clone)]
pub struct QualityMonitor {
    config: QualityConfig,
    window: SlidingWindow<u16>,
    periodogram: Periodogram,
    report: Option<QualityReport>,
    issues: Issues,
}

impl QualityMonitor {
    /// A monitor with `config`.
    ///
    /// # Panics
    ///
    /// If `rate_hz` is not positive and finite, the window holds fewer than 2 samples, `hop`
    /// is not positive and finite, `mains_hz` is not finite and above 2 Hz, `railed_share` or
    /// `mains_ratio` is outside 0..=1, or `flat_peak_to_peak` is negative or not finite.
    pub fn new(config: QualityConfig) -> Self {
        let QualityConfig {
            rate_hz,
            window,
            hop,
            mains_hz,
            railed_share,
            flat_peak_to_peak,
            mains_ratio,
        } = config;
        assert!(
            rate_hz.is_finite() && rate_hz > 0.0,
            "rate_hz must be positive and finite"
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
        // Above 2 Hz the mains band and its harmonic's band do not overlap.
        assert!(
            mains_hz.is_finite() && mains_hz > 2.0,
            "mains_hz must be the grid frequency (50 or 60)"
        );
        assert!(
            (0.0..=1.0).contains(&railed_share),
            "railed_share must be within 0..=1"
        );
        assert!(
            flat_peak_to_peak.is_finite() && flat_peak_to_peak >= 0.0,
            "flat_peak_to_peak must be finite and >= 0"
        );
        assert!(
            (0.0..=1.0).contains(&mains_ratio),
            "mains_ratio must be within 0..=1"
        );
        let hop_len = (hop * rate_hz).round().max(1.0);
        Self {
            config,
            window: SlidingWindow::new(window_len as usize, hop_len as usize),
            periodogram: Periodogram::default(),
            report: None,
            issues: Issues::default(),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &QualityConfig {
        &self.config
    }

    /// Report of the latest full window; `None` before the first full window and after a gap or
    /// reset until the window is full again.
    pub fn report(&self) -> Option<QualityReport> {
        self.report
    }

    /// The issues last reported (all false until an event says otherwise).
    pub fn issues(&self) -> Issues {
        self.issues
    }

    /// Feeds one raw code (0..=1023; higher counts as railed) taken at `t` seconds; returns an
    /// event when the set of issues changes.
    #[must_use]
    pub fn push(&mut self, code: u16, t: f64) -> Option<QualityEvent> {
        if !t.is_finite() {
            self.gap();
            return None;
        }
        if !self.window.push(code) {
            return None;
        }
        let report = self.measure();
        self.report = Some(report);
        if report.issues == self.issues {
            return None;
        }
        self.issues = report.issues;
        Some(QualityEvent { t, report })
    }

    /// Samples were lost: empties the window (the last reported issues are kept).
    pub fn gap(&mut self) {
        self.window.clear();
        self.report = None;
    }

    /// Forgets everything, as if just created.
    pub fn reset(&mut self) {
        self.gap();
        self.issues = Issues::default();
    }

    /// Measures the full window.
    fn measure(&mut self) -> QualityReport {
        let (mut len, mut railed, mut lo, mut hi) = (0usize, 0usize, u16::MAX, 0u16);
        for code in self.window.iter() {
            len += 1;
            railed += usize::from(code == 0 || code >= MAX_CODE);
            lo = lo.min(code);
            hi = hi.max(code);
        }
        let railed_share = railed as f64 / len as f64;
        let peak_to_peak = f64::from(hi.saturating_sub(lo));

        let QualityConfig {
            rate_hz, mains_hz, ..
        } = self.config;
        self.periodogram
            .load(self.window.iter().map(f64::from), rate_hz);
        let around = |f: f64| Band::new(f - MAINS_HALF_WIDTH_HZ, f + MAINS_HALF_WIDTH_HZ);
        // Bins past half the sample rate do not exist, so an unseen harmonic adds nothing.
        let mains = self.periodogram.band_power(around(mains_hz))
            + self.periodogram.band_power(around(2.0 * mains_hz));
        let total = self.periodogram.power_above_dc();
        let mains_ratio = if total > 0.0 {
            (mains / total).min(1.0)
        } else {
            0.0
        };

        let c = &self.config;
        QualityReport {
            railed_share,
            peak_to_peak,
            mains_ratio,
            issues: Issues {
                railed: railed_share >= c.railed_share,
                flat: peak_to_peak <= c.flat_peak_to_peak,
                mains: mains_ratio >= c.mains_ratio,
            },
        }
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

    /// Rounds to a code around mid-scale, clipped to the ADC's range as the hardware does.
    fn code(offset: f64) -> u16 {
        (512.0 + offset).round().clamp(0.0, 1023.0) as u16
    }

    /// Feeds `signal(i)` for samples `range`; returns the events.
    fn feed(
        m: &mut QualityMonitor,
        range: std::ops::Range<usize>,
        mut signal: impl FnMut(usize) -> u16,
    ) -> Vec<QualityEvent> {
        range.filter_map(|i| m.push(signal(i), time(i))).collect()
    }

    fn monitor() -> QualityMonitor {
        QualityMonitor::new(QualityConfig::new(RATE, 50.0))
    }

    fn issues(railed: bool, flat: bool, mains: bool) -> Issues {
        Issues {
            railed,
            flat,
            mains,
        }
    }

    #[test]
    fn clean_pink_noise_has_no_issues() {
        let mut noise = Noise::new(11);
        let mut m = monitor();
        assert!(feed(&mut m, 0..20 * 256, |_| code(15.0 * noise.pink())).is_empty());
        let report = m.report().expect("window is full");
        assert!(report.issues.is_good(), "{report:?}");
        assert_eq!(report.railed_share, 0.0);
        assert!(
            report.peak_to_peak > 20.0 && report.mains_ratio < 0.1,
            "{report:?}"
        );
    }

    #[test]
    fn stuck_at_the_rail_is_railed_and_flat() {
        let mut m = monitor();
        let events = feed(&mut m, 0..10 * 256, |_| MAX_CODE);
        assert_eq!(events.len(), 1, "reported once, not every hop");
        assert_eq!(events[0].t, time(511));
        let report = events[0].report;
        assert_eq!(report.issues, issues(true, true, false));
        assert_eq!((report.railed_share, report.peak_to_peak), (1.0, 0.0));
    }

    #[test]
    fn railed_stretch_is_reported_then_cleared() {
        let mut noise = Noise::new(5);
        let mut m = monitor();
        // One second at the rail from t = 4 s in clean noise.
        let railed = |i: usize| (4 * 256..5 * 256).contains(&i);
        let events = feed(&mut m, 0..12 * 256, |i| {
            if railed(i) {
                MAX_CODE
            } else {
                code(15.0 * noise.pink())
            }
        });
        let got: Vec<Issues> = events.iter().map(|e| e.report.issues).collect();
        assert_eq!(got, [issues(true, false, false), Issues::default()]);
        assert!(
            (4.0..4.75).contains(&events[0].t),
            "railed at {}",
            events[0].t
        );
        assert!(
            (6.0..7.0).contains(&events[1].t),
            "cleared at {}",
            events[1].t
        );
    }

    #[test]
    fn constant_mid_scale_is_flat_only() {
        let mut m = monitor();
        let events = feed(&mut m, 0..10 * 256, |_| 512);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].report.issues, issues(false, true, false));
        assert_eq!(events[0].report.mains_ratio, 0.0);
    }

    #[test]
    fn mains_hum_on_noise_is_detected_at_the_configured_frequency() {
        let hum = |freq: f64, seed: u64| {
            let mut noise = Noise::new(seed);
            move |i: usize| code(10.0 * noise.pink() + sine(40.0, freq, time(i)))
        };
        let mut m = monitor();
        let events = feed(&mut m, 0..6 * 256, hum(50.0, 1));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].report.issues, issues(false, false, true));
        assert!(events[0].report.mains_ratio > 0.8, "{:?}", events[0].report);

        // 60 Hz hum is not mains on a 50 Hz grid, and is on a 60 Hz one.
        assert!(feed(&mut monitor(), 0..6 * 256, hum(60.0, 2)).is_empty());
        let mut m60 = QualityMonitor::new(QualityConfig::new(RATE, 60.0));
        assert_eq!(feed(&mut m60, 0..6 * 256, hum(60.0, 2)).len(), 1);
    }

    #[test]
    fn gap_restarts_the_window_and_keeps_the_reported_issues() {
        let mut m = monitor();
        assert_eq!(feed(&mut m, 0..3 * 256, |_| 512).len(), 1);
        m.gap();
        assert_eq!(m.report(), None);
        // Still flat after the gap: no new event, but a fresh report once the window refills.
        assert!(feed(&mut m, 1000..1000 + 511, |_| 512).is_empty());
        assert_eq!(m.report(), None);
        assert!(m.push(512, time(1511)).is_none());
        assert!(m.report().unwrap().issues.flat);
        // A NaN time is a gap too; good signal after it clears the issue.
        assert!(m.push(512, f64::NAN).is_none());
        let mut noise = Noise::new(9);
        let events = feed(&mut m, 2000..2000 + 512, |_| code(15.0 * noise.pink()));
        assert_eq!(events.len(), 1);
        assert!(events[0].report.issues.is_good());
        assert_eq!(events[0].t, time(2511));
    }

    #[test]
    fn reset_forgets_reported_issues() {
        let mut m = monitor();
        assert_eq!(feed(&mut m, 0..512, |_| 512).len(), 1);
        m.reset();
        assert!(m.issues().is_good());
        assert_eq!(feed(&mut m, 0..512, |_| 512).len(), 1);
    }
}
