//! A spectrum's power in each classic EEG band.

use super::{Bins, EegBand};

/// Power in each [`EegBand`], from one spectrum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BandPowers {
    /// Power per band, in the sample unit squared (µV² for microvolts), indexed as
    /// [`EegBand::ALL`].
    pub absolute: [f64; 5],
    /// Share of the power above [`DC_CUTOFF_HZ`](super::DC_CUTOFF_HZ) in each band, 0 to 1,
    /// indexed as [`EegBand::ALL`]. The bands share their edge bins ([`Band`](super::Band)
    /// counts edges in both), so the shares can add up to a little more than their part of
    /// the total.
    pub relative: [f64; 5],
    /// Power above [`DC_CUTOFF_HZ`](super::DC_CUTOFF_HZ) up to half the sample rate.
    pub total: f64,
}

impl BandPowers {
    /// The band powers of a one-sided spectrum on `bins`: `power[k]` is bin `k`'s power, as
    /// [`Hann::bin_power`](super::Hann::bin_power) gives it.
    ///
    /// # Panics
    ///
    /// If `power` does not hold one value per bin.
    pub fn from_spectrum(power: &[f64], bins: &Bins) -> Self {
        assert_eq!(power.len(), bins.count(), "one power per bin");
        let total: f64 = power[bins.above_dc()].iter().sum();
        let absolute = EegBand::ALL.map(|b| power[bins.band(b.band())].iter().sum());
        let relative = absolute.map(|p| if total > 0.0 { p / total } else { 0.0 });
        Self {
            absolute,
            relative,
            total,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    /// 0.5 Hz bins up to 128 Hz, all empty.
    fn empty() -> (Vec<f64>, Bins) {
        let bins = Bins::new(512, 256.0);
        (vec![0.0; bins.count()], bins)
    }

    #[test]
    fn bands_sum_their_bins_and_share_the_power_above_dc() {
        let (mut power, bins) = empty();
        power[0] = 100.0; // DC: in no band, not in the total
        power[20] = 1.0; // 10 Hz: alpha
        power[42] = 3.0; // 21 Hz: beta
        power[200] = 4.0; // 100 Hz: in the total only
        let bands = BandPowers::from_spectrum(&power, &bins);
        assert_eq!(bands.absolute, [0.0, 0.0, 1.0, 3.0, 0.0]);
        assert_eq!(bands.total, 8.0);
        assert_eq!(bands.relative(EegBand::Beta), 3.0 / 8.0);
        assert_eq!(bands.strongest(), EegBand::Beta);
    }

    #[test]
    fn an_edge_bin_counts_in_both_bands() {
        let (mut power, bins) = empty();
        power[16] = 2.0; // 8 Hz
        let bands = BandPowers::from_spectrum(&power, &bins);
        assert_eq!(bands.absolute, [0.0, 2.0, 2.0, 0.0, 0.0]);
        assert_eq!(bands.relative.iter().sum::<f64>(), 2.0);
    }

    #[test]
    fn no_power_is_no_share() {
        let (power, bins) = empty();
        assert_eq!(
            BandPowers::from_spectrum(&power, &bins),
            BandPowers::default()
        );
    }

    #[test]
    #[should_panic(expected = "one power per bin")]
    fn a_power_per_bin_is_needed() {
        BandPowers::from_spectrum(&[0.0; 3], &Bins::new(512, 256.0));
    }
}
