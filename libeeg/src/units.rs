//! Units: raw ADC codes to microvolts through device profiles.
//!
//! Raw codes (0..=1023, mid-scale 512) are always the primary data; microvolts are a
//! convenience computed as `uv = (code - 512) * k`, with `k` in microvolts per LSB taken from a
//! [`DeviceProfile`].
//!
//! There is no fixed microvolt scale for OpenEEG hardware: the gain is set by trimmers on each
//! unit. Conventions in use by existing software:
//!
//! | source | k (uV/LSB) | note |
//! |---|---|---|
//! | FieldTrip | 0.5 | used by [`DeviceProfile::modular_eeg`] |
//! | BCI2000 | 0.488 | |
//! | BrainBay | 0.977 | full scale +-500 uV |
//! | NeuroServer | ~1.0 | |
//! | Olimex EEG-SMT datasheet | 0.52 | used by [`DeviceProfile::olimex_eeg_smt`] |
//!
//! For real measurements, calibrate each unit against the board's built-in 14 Hz, 250 uV
//! calibration signal and set the result with [`DeviceProfile::with_scale`].

use crate::{MAX_CODE, MID_SCALE};

/// What the toolkit needs to know about one kind of amplifier: its name, gain and timing.
///
/// The presets carry conventional values, not measured ones: see the [module
/// documentation](self) for the conventions and how to calibrate a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceProfile {
    /// Short human-readable name, e.g. `"modular-eeg"`.
    pub name: String,
    /// Gain `k` in microvolts per ADC step: `uv = (code - 512) * k`.
    pub microvolts_per_lsb: f64,
    /// The sample rate the firmware is meant to run at; the real rate is estimated by
    /// [`crate::clock::Clock`].
    pub nominal_rate_hz: f64,
    /// How many of the six decoded channels are connected to real inputs; the rest float.
    pub real_channels: u8,
}

impl DeviceProfile {
    /// The OpenEEG ModularEEG: 0.5 uV/LSB (FieldTrip's convention), nominal 256 Hz, 6 channels.
    ///
    /// On 7.3728 MHz boards the real rate is about 257.14 Hz; let the clock model estimate it.
    #[must_use]
    pub fn modular_eeg() -> Self {
        Self {
            name: "modular-eeg".to_owned(),
            microvolts_per_lsb: 0.5,
            nominal_rate_hz: 256.0,
            real_channels: 6,
        }
    }

    /// The Olimex EEG-SMT: 0.52 uV/LSB (datasheet gain), nominal 256 Hz, 2 real channels.
    ///
    /// Slots 3..6 of its packets carry floating inputs; they are still decoded.
    #[must_use]
    pub fn olimex_eeg_smt() -> Self {
        Self {
            name: "eeg-smt".to_owned(),
            microvolts_per_lsb: 0.52,
            nominal_rate_hz: 256.0,
            real_channels: 2,
        }
    }

    /// Looks a preset up by name, ignoring case, `-`, `_` and spaces.
    ///
    /// Accepted: `modular-eeg`, `modulareeg`, `modular`, `openeeg` for
    /// [`modular_eeg`](Self::modular_eeg); `eeg-smt`, `olimex`, `olimex-eeg-smt`, `smt` for
    /// [`olimex_eeg_smt`](Self::olimex_eeg_smt).
    #[must_use]
    pub fn by_name(name: &str) -> Option<Self> {
        let key: String = name
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        match key.as_str() {
            "modulareeg" | "modular" | "openeeg" => Some(Self::modular_eeg()),
            "eegsmt" | "olimex" | "olimexeegsmt" | "smt" => Some(Self::olimex_eeg_smt()),
            _ => None,
        }
    }

    /// Returns this profile with the gain replaced by `microvolts_per_lsb`, e.g. a value
    /// calibrated against the 250 uV calibration signal.
    ///
    /// # Panics
    /// If `microvolts_per_lsb` is not finite or not positive: such a gain makes every
    /// conversion meaningless, so it is a caller bug.
    #[must_use]
    pub fn with_scale(mut self, microvolts_per_lsb: f64) -> Self {
        assert!(
            microvolts_per_lsb.is_finite() && microvolts_per_lsb > 0.0,
            "microvolts_per_lsb must be finite and positive, got {microvolts_per_lsb}"
        );
        self.microvolts_per_lsb = microvolts_per_lsb;
        self
    }

    /// Converts a raw code to microvolts: `(code - 512) * k`.
    ///
    /// Codes above 1023 cannot come from the decoder; they are converted by the same formula.
    #[must_use]
    pub fn to_microvolts(&self, code: u16) -> f64 {
        (f64::from(code) - f64::from(MID_SCALE)) * self.microvolts_per_lsb
    }

    /// Converts microvolts to the nearest raw code, clamped to `0..=1023`; the inverse of
    /// [`to_microvolts`](Self::to_microvolts) for codes in range.
    ///
    /// NaN maps to mid-scale (512), since it carries no sign to clamp by.
    #[must_use]
    pub fn from_microvolts(&self, microvolts: f64) -> u16 {
        let code = (microvolts / self.microvolts_per_lsb + f64::from(MID_SCALE)).round();
        if code.is_nan() {
            return MID_SCALE;
        }
        // Clamped first, so the cast is exact.
        code.clamp(0.0, f64::from(MAX_CODE)) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_documented_values() {
        let m = DeviceProfile::modular_eeg();
        assert_eq!(m.microvolts_per_lsb, 0.5);
        assert_eq!(m.nominal_rate_hz, 256.0);
        assert_eq!(m.real_channels, 6);
        let s = DeviceProfile::olimex_eeg_smt();
        assert_eq!(s.microvolts_per_lsb, 0.52);
        assert_eq!(s.nominal_rate_hz, 256.0);
        assert_eq!(s.real_channels, 2);
    }

    #[test]
    fn conversion_is_centred_on_mid_scale() {
        let m = DeviceProfile::modular_eeg();
        assert_eq!(m.to_microvolts(512), 0.0);
        assert_eq!(m.to_microvolts(0), -256.0);
        assert_eq!(m.to_microvolts(1023), 255.5);
        let s = DeviceProfile::olimex_eeg_smt();
        assert!((s.to_microvolts(612) - 52.0).abs() < 1e-12);
    }

    #[test]
    fn from_microvolts_inverts_every_code() {
        for profile in [
            DeviceProfile::modular_eeg(),
            DeviceProfile::olimex_eeg_smt(),
            DeviceProfile::modular_eeg().with_scale(0.977),
            DeviceProfile::modular_eeg().with_scale(0.488),
        ] {
            for code in 0..=MAX_CODE {
                assert_eq!(profile.from_microvolts(profile.to_microvolts(code)), code);
            }
        }
    }

    #[test]
    fn from_microvolts_rounds_and_clamps() {
        let m = DeviceProfile::modular_eeg();
        assert_eq!(m.from_microvolts(0.24), 512);
        assert_eq!(m.from_microvolts(0.26), 513);
        assert_eq!(m.from_microvolts(1e6), MAX_CODE);
        assert_eq!(m.from_microvolts(-1e6), 0);
        assert_eq!(m.from_microvolts(f64::INFINITY), MAX_CODE);
        assert_eq!(m.from_microvolts(f64::NEG_INFINITY), 0);
        assert_eq!(m.from_microvolts(f64::NAN), MID_SCALE);
    }

    #[test]
    fn by_name_accepts_spellings() {
        for name in [
            "modular-eeg",
            "ModularEEG",
            "modular_eeg",
            "modular",
            "OpenEEG",
        ] {
            assert_eq!(
                DeviceProfile::by_name(name),
                Some(DeviceProfile::modular_eeg()),
                "{name}"
            );
        }
        for name in [
            "eeg-smt",
            "EEG-SMT",
            "olimex",
            "olimex-eeg-smt",
            "Olimex EEG SMT",
            "smt",
        ] {
            assert_eq!(
                DeviceProfile::by_name(name),
                Some(DeviceProfile::olimex_eeg_smt()),
                "{name}"
            );
        }
        assert_eq!(DeviceProfile::by_name("brainamp"), None);
        assert_eq!(DeviceProfile::by_name(""), None);
    }

    #[test]
    fn with_scale_changes_only_the_gain() {
        let p = DeviceProfile::olimex_eeg_smt().with_scale(0.488);
        assert_eq!(p.microvolts_per_lsb, 0.488);
        assert_eq!(p.name, "eeg-smt");
        assert_eq!(p.real_channels, 2);
        assert!((p.to_microvolts(1012) - 244.0).abs() < 1e-9);
    }

    #[test]
    #[should_panic(expected = "finite and positive")]
    fn with_scale_rejects_zero() {
        let _ = DeviceProfile::modular_eeg().with_scale(0.0);
    }
}
