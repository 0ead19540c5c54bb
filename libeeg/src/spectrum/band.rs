//! Frequency bands: any band, and the five classic EEG bands by name.

use std::fmt;

/// A frequency band in hertz. Both edges are inclusive: a bin exactly on an edge counts in the
/// band ([`Bins::band`](super::Bins::band)), so neighbouring classic bands share their edge
/// bin (8 Hz is in both [`Band::THETA`] and [`Band::ALPHA`]).
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

/// The classic EEG bands, in frequency order; their edges are the [`Band`] constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EegBand {
    /// [`Band::DELTA`].
    Delta,
    /// [`Band::THETA`].
    Theta,
    /// [`Band::ALPHA`].
    Alpha,
    /// [`Band::BETA`].
    Beta,
    /// [`Band::GAMMA`].
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

    /// The band's edges.
    pub fn band(self) -> Band {
        match self {
            Self::Delta => Band::DELTA,
            Self::Theta => Band::THETA,
            Self::Alpha => Band::ALPHA,
            Self::Beta => Band::BETA,
            Self::Gamma => Band::GAMMA,
        }
    }

    /// Lower-case name, for labels: "delta".
    pub fn name(self) -> &'static str {
        match self {
            Self::Delta => "delta",
            Self::Theta => "theta",
            Self::Alpha => "alpha",
            Self::Beta => "beta",
            Self::Gamma => "gamma",
        }
    }

    /// The Greek letter: "δ", narrow enough to label delta's 3.5 Hz on a whole spectrum.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Delta => "δ",
            Self::Theta => "θ",
            Self::Alpha => "α",
            Self::Beta => "β",
            Self::Gamma => "γ",
        }
    }
}

impl fmt::Display for EegBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_bands_are_valid_and_ordered() {
        let bands = EegBand::ALL.map(EegBand::band);
        assert_eq!(
            bands,
            [
                Band::DELTA,
                Band::THETA,
                Band::ALPHA,
                Band::BETA,
                Band::GAMMA
            ]
        );
        assert!(bands.iter().all(Band::is_valid));
        assert!(bands.windows(2).all(|w| w[0].hi_hz == w[1].lo_hz));
        assert!(!Band::new(5.0, 4.0).is_valid());
        assert!(!Band::new(-1.0, 4.0).is_valid());
        assert!(!Band::new(1.0, f64::NAN).is_valid());
    }

    #[test]
    fn classic_bands_have_edges_and_names() {
        let alpha = EegBand::Alpha;
        assert_eq!((alpha.band().lo_hz, alpha.band().hi_hz), (8.0, 12.0));
        assert_eq!((alpha.name(), alpha.symbol()), ("alpha", "α"));
        assert_eq!(EegBand::Delta.band().lo_hz, 0.5);
        assert_eq!(EegBand::Gamma.band().hi_hz, 45.0);
        let names: Vec<String> = EegBand::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["delta", "theta", "alpha", "beta", "gamma"]);
    }
}
