//! Signal quality of every channel, for the viewer's per-channel badge: a thin layer over
//! libeeg's [`QualityMonitor`], which already measures railing, flatness and mains hum.

use libeeg::detect::{Issues, QualityConfig, QualityMonitor, QualityReport};

use super::mains::Mains;

/// What the viewer shows about one channel's quality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityState {
    /// Measures of the latest full window (2 s, every 0.5 s); `None` until the window first
    /// fills and again for 2 s after a gap.
    pub report: Option<QualityReport>,
    /// The issues last reported; kept across gaps so a badge does not flicker to "good".
    pub issues: Issues,
    /// Time (seconds) of the window that first showed the current issues; `None` while the
    /// channel has been good from the start.
    pub since: Option<f64>,
}

impl QualityState {
    /// A short label: "measuring", "good", or the issues ("railed 35 %, flat, mains hum 80 %").
    pub fn label(&self) -> String {
        let Some(report) = self.report else {
            return if self.issues.is_good() {
                "measuring".to_owned()
            } else {
                issue_names(self.issues).join(", ")
            };
        };
        if report.issues.is_good() {
            return "good".to_owned();
        }
        let mut parts = Vec::with_capacity(3);
        if report.issues.railed {
            parts.push(format!("railed {:.0} %", report.railed_share * 100.0));
        }
        if report.issues.flat {
            parts.push("flat".to_owned());
        }
        if report.issues.mains {
            parts.push(format!("mains hum {:.0} %", report.mains_ratio * 100.0));
        }
        parts.join(", ")
    }
}

fn issue_names(issues: Issues) -> Vec<&'static str> {
    [
        (issues.railed, "railed"),
        (issues.flat, "flat"),
        (issues.mains, "mains hum"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect()
}

/// One [`QualityMonitor`] per channel, fed raw codes (railing is a property of the ADC, so
/// the codes go in before any filter or scaling).
#[derive(Debug, Clone)]
pub struct ChannelQuality {
    rate_hz: f64,
    mains: Mains,
    monitors: Vec<QualityMonitor>,
    since: Vec<Option<f64>>,
}

impl ChannelQuality {
    /// Monitors for `channels` channels at `rate_hz` on a `mains` grid, with libeeg's default
    /// window (2 s), hop (0.5 s) and limits.
    ///
    /// # Panics
    ///
    /// If `rate_hz` is not positive and finite or too low for a 2 s window of 2 samples.
    pub fn new(channels: usize, rate_hz: f64, mains: Mains) -> Self {
        let monitor = QualityMonitor::new(QualityConfig::new(rate_hz, mains.hz()));
        Self {
            rate_hz,
            mains,
            monitors: vec![monitor; channels],
            since: vec![None; channels],
        }
    }

    /// The grid frequency watched for hum.
    pub fn mains(&self) -> Mains {
        self.mains
    }

    /// Watches another grid frequency; every channel starts over.
    pub fn set_mains(&mut self, mains: Mains) {
        if mains != self.mains {
            *self = Self::new(self.monitors.len(), self.rate_hz, mains);
        }
    }

    /// Measures at `rate_hz` from now on, when it differs from the rate in use by more than 1 %
    /// (every channel starts over then): a board's real rate can be far from the nominal one
    /// (125 Hz where 256 is nominal), and hum is found at the wrong frequency without it.
    pub fn set_rate_hz(&mut self, rate_hz: f64) {
        if rate_hz.is_finite() && rate_hz > 0.0 && (rate_hz / self.rate_hz - 1.0).abs() > 0.01 {
            *self = Self::new(self.monitors.len(), rate_hz, self.mains);
        }
    }

    /// Feeds one packet's raw codes (0..=1023), taken at `t` seconds. Returns true when the
    /// issues of any channel changed.
    ///
    /// # Panics
    ///
    /// If `codes` does not hold one code per channel.
    pub fn push(&mut self, t: f64, codes: &[u16]) -> bool {
        assert_eq!(codes.len(), self.monitors.len(), "one code per channel");
        let mut changed = false;
        for ((monitor, since), &code) in self.monitors.iter_mut().zip(&mut self.since).zip(codes) {
            if let Some(event) = monitor.push(code, t) {
                *since = (!event.report.issues.is_good()).then_some(event.t);
                changed = true;
            }
        }
        changed
    }

    /// Samples were lost: every window starts again (issues are kept until measured anew).
    pub fn gap(&mut self) {
        self.monitors.iter_mut().for_each(QualityMonitor::gap);
    }

    /// The state of `channel`.
    ///
    /// # Panics
    ///
    /// If there is no such channel.
    pub fn state(&self, channel: usize) -> QualityState {
        let monitor = &self.monitors[channel];
        QualityState {
            report: monitor.report(),
            issues: monitor.issues(),
            since: self.since[channel],
        }
    }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;

    const RATE: f64 = 256.0;

    /// Small deterministic noise in -1..1 (xorshift).
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % 20001) as f64 / 10000.0 - 1.0
        }
    }

    fn code(x: f64) -> u16 {
        (512.0 + x).round().clamp(0.0, 1023.0) as u16
    }

    /// Feeds 4 s of 3 channels: clean noise, stuck at the top rail, and noise under `hum_hz`
    /// hum; returns whether anything changed.
    fn feed(q: &mut ChannelQuality, from: usize, hum_hz: f64) -> bool {
        let mut noise = Noise(from as u64 + 1);
        let mut changed = false;
        for i in from..from + 4 * 256 {
            let t = i as f64 / RATE;
            let hum = 60.0 * (2.0 * PI * hum_hz * t).sin();
            let clean = code(20.0 * noise.next());
            changed |= q.push(t, &[clean, 1023, code(5.0 * noise.next() + hum)]);
        }
        changed
    }

    #[test]
    fn railed_flat_and_hum_are_told_apart_per_channel() {
        let mut q = ChannelQuality::new(3, RATE, Mains::Hz50);
        assert_eq!(q.state(0).label(), "measuring");
        assert!(feed(&mut q, 0, 50.0));
        let clean = q.state(0);
        assert!(clean.issues.is_good() && clean.since.is_none());
        assert_eq!(clean.label(), "good");

        let railed = q.state(1);
        assert!(railed.issues.railed && railed.issues.flat && !railed.issues.mains);
        assert_eq!(railed.since, Some(511.0 / RATE), "the first full window");
        assert_eq!(railed.label(), "railed 100 %, flat");

        let hum = q.state(2);
        assert!(hum.issues.mains && !hum.issues.railed);
        assert!(hum.report.unwrap().mains_ratio > 0.9);
        assert!(hum.label().starts_with("mains hum ") && hum.label().ends_with(" %"));
    }

    #[test]
    fn the_grid_frequency_can_be_switched() {
        let mut q = ChannelQuality::new(3, RATE, Mains::Hz50);
        feed(&mut q, 0, 60.0);
        assert!(!q.state(2).issues.mains, "60 Hz is not hum on a 50 Hz grid");
        q.set_mains(Mains::Hz60);
        assert_eq!(q.mains(), Mains::Hz60);
        assert!(q.state(2).report.is_none(), "started over");
        feed(&mut q, 4 * 256, 60.0);
        assert!(q.state(2).issues.mains);
    }

    #[test]
    fn a_gap_restarts_the_windows_and_keeps_the_issues() {
        let mut q = ChannelQuality::new(3, RATE, Mains::Hz50);
        feed(&mut q, 0, 50.0);
        q.gap();
        let railed = q.state(1);
        assert!(railed.report.is_none());
        assert!(railed.issues.railed);
        assert_eq!(railed.label(), "railed, flat");
        // Still railed after the gap: no change reported.
        assert!(!feed(&mut q, 10 * 256, 50.0));
        assert!(q.state(1).report.is_some());
    }

    #[test]
    fn hum_is_found_at_the_measured_rate() {
        // A 125 Hz board under 50 Hz hum, first taken for a 256 Hz one.
        let hummed = |q: &mut ChannelQuality, rate: f64| {
            let mut noise = Noise(3);
            for i in 0..(4.0 * rate) as usize {
                let t = i as f64 / rate;
                let hum = 60.0 * (2.0 * PI * 50.0 * t).sin();
                q.push(t, &[code(5.0 * noise.next() + hum)]);
            }
            q.state(0).issues.mains
        };
        let mut q = ChannelQuality::new(1, RATE, Mains::Hz50);
        assert!(!hummed(&mut q, 125.0), "looked for at the wrong frequency");
        q.set_rate_hz(125.0);
        assert!(q.state(0).report.is_none(), "started over");
        assert!(hummed(&mut q, 125.0));
        // A rate within 1 % keeps the windows.
        q.set_rate_hz(125.5);
        assert!(q.state(0).report.is_some());
    }

    #[test]
    #[should_panic(expected = "one code per channel")]
    fn push_needs_one_code_per_channel() {
        ChannelQuality::new(6, RATE, Mains::Hz50).push(0.0, &[512; 2]);
    }
}
