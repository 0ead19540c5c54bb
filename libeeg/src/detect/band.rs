//! Frequency bands, with the classic EEG bands as constants.

/// A frequency band in hertz. Both edges are inclusive: a periodogram bin exactly on an edge
/// counts in the band, so neighbouring classic bands share their edge bin (8 Hz is in both
/// [`Band::THETA`] and [`Band::ALPHA`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Lower edge, hertz.
    pub lo_hz: f64,
    /// Upper edge, hertz.
    pub hi_hz: f64,
}

impl Band {
    /// Delta, 0.5 to 4 Hz (deep sleep).
    pub const DELTA: Band = Band::new(0.5, 4.0);
    /// Theta, 4 to 8 Hz (drowsiness).
    pub const THETA: Band = Band::new(4.0, 8.0);
    /// Alpha, 8 to 12 Hz (relaxed, eyes closed).
    pub const ALPHA: Band = Band::new(8.0, 12.0);
    /// Beta, 12 to 30 Hz (alert, active).
    pub const BETA: Band = Band::new(12.0, 30.0);
    /// Gamma, 30 to 45 Hz (kept below 50 Hz mains).
    pub const GAMMA: Band = Band::new(30.0, 45.0);

    /// The band from `lo_hz` to `hi_hz`.
    pub const fn new(lo_hz: f64, hi_hz: f64) -> Self {
        Self { lo_hz, hi_hz }
    }

    /// Whether the edges are finite, non-negative and in order.
    pub fn is_valid(&self) -> bool {
        self.lo_hz.is_finite()
            && self.hi_hz.is_finite()
            && 0.0 <= self.lo_hz
            && self.lo_hz <= self.hi_hz
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_bands_are_valid_and_ordered() {
        let bands = [
            Band::DELTA,
            Band::THETA,
            Band::ALPHA,
            Band::BETA,
            Band::GAMMA,
        ];
        assert!(bands.iter().all(Band::is_valid));
        assert!(bands.windows(2).all(|w| w[0].hi_hz == w[1].lo_hz));
        assert!(!Band::new(5.0, 4.0).is_valid());
        assert!(!Band::new(-1.0, 4.0).is_valid());
        assert!(!Band::new(1.0, f64::NAN).is_valid());
    }
}
