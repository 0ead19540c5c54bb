//! Level crossings with hysteresis and a minimum duration.

/// Settings for a [`ThresholdDetector`], in the unit of the values fed to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdConfig {
    /// A value at or above this starts a rising crossing.
    pub level: f64,
    /// How far below `level` a value must go to count as below (0 or more). Values in the band
    /// `[level - hysteresis, level)` neither start nor cancel anything on their own.
    pub hysteresis: f64,
    /// Seconds a new side must hold before the crossing is reported (0 or more).
    pub min_duration: f64,
}

/// Which way a crossing went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crossing {
    /// From below to above `level`.
    Rising,
    /// From above to below `level - hysteresis`.
    Falling,
}

/// The side of the level a [`ThresholdDetector`] has settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThresholdState {
    /// Below the level (below `level - hysteresis` once it has been above).
    Below,
    /// At or above the level.
    Above,
}

/// A confirmed crossing, dated at its onset rather than at its confirmation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdEvent {
    /// Which way it went.
    pub direction: Crossing,
    /// Time of the first sample on the new side, seconds.
    pub t: f64,
    /// That sample's value.
    pub value: f64,
}

/// Slack on the duration test, so timestamps built as `n / rate` that land a rounding error
/// short of `min_duration` still count.
const DURATION_SLACK: f64 = 1e-9;

/// A crossing seen but not yet held for `min_duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Onset {
    to: ThresholdState,
    t: f64,
    value: f64,
}

/// Detects sustained crossings of a level in one channel's samples. Sans-IO: time comes in with
/// each sample.
///
/// - Rising: a value reaches `level`, and every value from then on stays at or above
///   `level - hysteresis` for `min_duration` seconds.
/// - Falling: a value goes below `level - hysteresis`, and every value from then on stays below
///   it for `min_duration` seconds.
///
/// The event is returned by the [`push`](Self::push) that completes `min_duration`, carrying
/// the onset's time and value. Spikes shorter than `min_duration` and chatter inside the
/// hysteresis band report nothing.
///
/// Start-up: the first side to hold for `min_duration` becomes the state silently (no event),
/// so [`state`](Self::state) is `None` until then.
///
/// Call [`gap`](Self::gap) when samples were lost: a crossing in progress is dropped (nobody
/// knows what happened in the gap) while the settled state is kept, so a change across the gap
/// is reported from the first sample after it. A non-finite value or time counts as a gap.
#[derive(Debug, Clone)]
pub struct ThresholdDetector {
    config: ThresholdConfig,
    state: Option<ThresholdState>,
    onset: Option<Onset>,
}

impl ThresholdDetector {
    /// A detector with `config`.
    ///
    /// # Panics
    ///
    /// If `level` is not finite, or `hysteresis` or `min_duration` is negative or not finite.
    pub fn new(config: ThresholdConfig) -> Self {
        assert!(config.level.is_finite(), "threshold level must be finite");
        assert!(
            config.hysteresis.is_finite() && config.hysteresis >= 0.0,
            "threshold hysteresis must be finite and >= 0"
        );
        assert!(
            config.min_duration.is_finite() && config.min_duration >= 0.0,
            "threshold min_duration must be finite and >= 0"
        );
        Self {
            config,
            state: None,
            onset: None,
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &ThresholdConfig {
        &self.config
    }

    /// The settled side, `None` until the first side has held for `min_duration`.
    pub fn state(&self) -> Option<ThresholdState> {
        self.state
    }

    /// Feeds one sample taken at `t` seconds (non-decreasing); returns a crossing it confirms.
    #[must_use]
    pub fn push(&mut self, value: f64, t: f64) -> Option<ThresholdEvent> {
        if !value.is_finite() || !t.is_finite() {
            self.gap();
            return None;
        }
        if let Some(onset) = self.onset
            && !self.holds(onset.to, value)
        {
            self.onset = None;
        }
        if self.onset.is_none() {
            self.onset = self.starts(value).map(|to| Onset { to, t, value });
        }
        let onset = self.onset?;
        if t - onset.t + DURATION_SLACK < self.config.min_duration {
            return None;
        }
        self.onset = None;
        // The first settled state is where the signal started, not a crossing.
        self.state.replace(onset.to).map(|_| ThresholdEvent {
            direction: match onset.to {
                ThresholdState::Above => Crossing::Rising,
                ThresholdState::Below => Crossing::Falling,
            },
            t: onset.t,
            value: onset.value,
        })
    }

    /// Samples were lost: drops a crossing in progress, keeps the settled state.
    pub fn gap(&mut self) {
        self.onset = None;
    }

    /// Forgets everything, as if just created.
    pub fn reset(&mut self) {
        self.state = None;
        self.onset = None;
    }

    /// The side `value` would start a crossing to, from the current state.
    fn starts(&self, value: f64) -> Option<ThresholdState> {
        let ThresholdConfig {
            level, hysteresis, ..
        } = self.config;
        let above = value >= level;
        let below = value < level - hysteresis;
        match self.state {
            Some(ThresholdState::Below) => above.then_some(ThresholdState::Above),
            Some(ThresholdState::Above) => below.then_some(ThresholdState::Below),
            // At start-up either side may settle; the band between says nothing yet.
            None if above => Some(ThresholdState::Above),
            None if below => Some(ThresholdState::Below),
            None => None,
        }
    }

    /// Whether `value` keeps a crossing towards `to` alive.
    fn holds(&self, to: ThresholdState, value: f64) -> bool {
        let floor = self.config.level - self.config.hysteresis;
        match to {
            ThresholdState::Above => value >= floor,
            ThresholdState::Below => value < floor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 256.0;

    /// level 100, band down to 80, 0.1 s minimum.
    fn detector() -> ThresholdDetector {
        ThresholdDetector::new(ThresholdConfig {
            level: 100.0,
            hysteresis: 20.0,
            min_duration: 0.1,
        })
    }

    /// Feeds `values` as consecutive samples from sample index `start`; returns the events.
    fn feed(d: &mut ThresholdDetector, start: usize, values: &[f64]) -> Vec<ThresholdEvent> {
        values
            .iter()
            .enumerate()
            .filter_map(|(i, &v)| d.push(v, (start + i) as f64 / RATE))
            .collect()
    }

    /// A detector settled below after half a second at 0.
    fn settled_below() -> ThresholdDetector {
        let mut d = detector();
        assert!(feed(&mut d, 0, &[0.0; 128]).is_empty());
        assert_eq!(d.state(), Some(ThresholdState::Below));
        d
    }

    #[test]
    fn initial_state_is_adopted_without_an_event() {
        let mut d = detector();
        assert!(feed(&mut d, 0, &[150.0; 20]).is_empty());
        assert_eq!(d.state(), None, "not yet held for 0.1 s");
        assert!(feed(&mut d, 20, &[150.0; 20]).is_empty());
        assert_eq!(d.state(), Some(ThresholdState::Above));
    }

    #[test]
    fn spike_shorter_than_min_duration_is_ignored() {
        let mut d = settled_below();
        // 20 samples is 78 ms.
        let mut values = vec![200.0; 20];
        values.extend([0.0; 256]);
        assert!(feed(&mut d, 128, &values).is_empty());
        assert_eq!(d.state(), Some(ThresholdState::Below));
    }

    #[test]
    fn sustained_crossings_are_dated_at_onset() {
        let mut d = settled_below();
        // Rises at sample 256 (t = 1 s exactly), dipping into the band but not below it.
        let mut values = vec![0.0; 128];
        values.extend([101.0, 85.0, 120.0].iter().cycle().take(256));
        // Falls at sample 512 (t = 2 s).
        values.extend([10.0; 128]);
        let events = feed(&mut d, 128, &values);
        assert_eq!(
            events,
            [
                ThresholdEvent {
                    direction: Crossing::Rising,
                    t: 1.0,
                    value: 101.0
                },
                ThresholdEvent {
                    direction: Crossing::Falling,
                    t: 2.0,
                    value: 10.0
                },
            ]
        );
    }

    #[test]
    fn event_comes_on_the_sample_that_completes_min_duration() {
        let mut d = settled_below();
        // 0.1 s at 256 Hz is 25.6 samples: onset at index 0, confirmed at index 26.
        let at: Vec<usize> = (0..40)
            .filter(|&i| d.push(150.0, 1.0 + i as f64 / RATE).is_some())
            .collect();
        assert_eq!(at, [26]);
    }

    #[test]
    fn chatter_inside_the_band_is_ignored() {
        let mut d = settled_below();
        // Below: values up to just under the level never start a rise.
        assert!(feed(&mut d, 128, &[85.0, 99.9].repeat(128)).is_empty());
        // Repeated brief touches of the level never hold.
        let touches: Vec<f64> = (0..512)
            .map(|i| if i % 16 == 0 { 100.0 } else { 70.0 })
            .collect();
        assert!(feed(&mut d, 384, &touches).is_empty());
        assert_eq!(d.state(), Some(ThresholdState::Below));
        // Above: dips below the band shorter than 0.1 s never complete a fall.
        assert_eq!(feed(&mut d, 896, &[150.0; 64]).len(), 1);
        let dips: Vec<f64> = (0..512)
            .map(|i| if i % 16 < 8 { 79.0 } else { 90.0 })
            .collect();
        assert!(feed(&mut d, 960, &dips).is_empty());
        assert_eq!(d.state(), Some(ThresholdState::Above));
    }

    #[test]
    fn zero_min_duration_reports_on_the_crossing_sample() {
        let mut d = ThresholdDetector::new(ThresholdConfig {
            level: 1.0,
            hysteresis: 0.5,
            min_duration: 0.0,
        });
        let events = feed(&mut d, 0, &[0.0, 1.0, 0.7, 0.4, 2.0]);
        let got: Vec<(Crossing, f64)> = events.iter().map(|e| (e.direction, e.value)).collect();
        assert_eq!(
            got,
            [
                (Crossing::Rising, 1.0),
                (Crossing::Falling, 0.4),
                (Crossing::Rising, 2.0)
            ]
        );
    }

    #[test]
    fn gap_drops_a_crossing_in_progress() {
        let mut d = settled_below();
        // Rise starts at t = 1 s, 10 samples in, then samples are lost.
        assert!(feed(&mut d, 256, &[150.0; 10]).is_empty());
        d.gap();
        // Still above after the gap: the onset is the first sample after it, not t = 1 s.
        let events = feed(&mut d, 300, &[150.0; 40]);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].t, 300.0 / RATE);
        // A NaN is a gap too.
        assert!(feed(&mut d, 340, &[0.0; 10]).is_empty());
        assert!(d.push(f64::NAN, 350.0 / RATE).is_none());
        let events = feed(&mut d, 351, &[0.0; 40]);
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].direction, events[0].t),
            (Crossing::Falling, 351.0 / RATE)
        );
    }

    #[test]
    fn reset_forgets_the_state() {
        let mut d = settled_below();
        d.reset();
        assert_eq!(d.state(), None);
        assert!(feed(&mut d, 0, &[150.0; 64]).is_empty());
        assert_eq!(d.state(), Some(ThresholdState::Above));
    }
}
