//! The frequency bins of a one-sided spectrum: which frequency each stands for, which a band
//! takes.

use std::ops::Range;

use super::Band;

/// Frequencies below this are offset and slow drift, not signal: totals, relative powers and
/// peaks leave them out.
pub const DC_CUTOFF_HZ: f64 = 0.5;

/// Slack when mapping a frequency to a bin, so an edge computed as 7.999999 Hz still takes
/// the 8 Hz bin.
const BIN_EDGE_SLACK: f64 = 1e-9;

/// The bins of the one-sided spectrum of `len` samples taken at `rate_hz`: bin `k` stands
/// for `k · rate_hz / len` hertz, from 0 up to half the sample rate, so there are
/// `len / 2 + 1` of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bins {
    len: usize,
    rate_hz: f64,
}

impl Bins {
    /// The bins of `len` samples taken at `rate_hz`.
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
        Self { len, rate_hz }
    }

    /// Number of bins, `len / 2 + 1`.
    pub fn count(&self) -> usize {
        self.len / 2 + 1
    }

    /// The sample rate, hertz.
    pub fn rate_hz(&self) -> f64 {
        self.rate_hz
    }

    /// Width of a bin, hertz: the frequency resolution.
    pub fn width_hz(&self) -> f64 {
        self.rate_hz / self.len as f64
    }

    /// Frequency of bin `k`, hertz.
    pub fn frequency(&self, k: usize) -> f64 {
        k as f64 * self.width_hz()
    }

    /// The bins whose frequency lies in `band`, edges inclusive, up to the last bin (empty
    /// when the band holds none).
    pub fn band(&self, band: Band) -> Range<usize> {
        let start = self.first_at_or_above(band.lo_hz);
        let end = (band.hi_hz / self.width_hz() + BIN_EDGE_SLACK).floor() + 1.0;
        let end = end.clamp(0.0, self.count() as f64) as usize;
        start.min(end)..end
    }

    /// The bins at or above [`DC_CUTOFF_HZ`]: the signal, without offset and drift.
    pub fn above_dc(&self) -> Range<usize> {
        self.first_at_or_above(DC_CUTOFF_HZ)..self.count()
    }

    /// Power spectral density (sample unit squared per hertz) of a bin holding `power`.
    pub fn density(&self, power: f64) -> f64 {
        power / self.width_hz()
    }

    /// The first bin at or above `hz`, or [`count`](Self::count) if none is.
    fn first_at_or_above(&self, hz: f64) -> usize {
        let k = (hz / self.width_hz() - BIN_EDGE_SLACK).ceil();
        k.clamp(0.0, self.count() as f64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2 s at 256 Hz: 0.5 Hz bins.
    fn two_seconds() -> Bins {
        Bins::new(512, 256.0)
    }

    #[test]
    fn bins_run_from_zero_to_half_the_rate() {
        let bins = two_seconds();
        assert_eq!((bins.count(), bins.width_hz()), (257, 0.5));
        assert_eq!((bins.frequency(20), bins.frequency(256)), (10.0, 128.0));
        // An odd length has no bin at half the rate.
        let odd = Bins::new(101, 100.0);
        assert_eq!(odd.count(), 51);
        assert!(odd.frequency(50) < 50.0);
    }

    #[test]
    fn band_edges_are_inclusive_and_shared() {
        let bins = two_seconds();
        assert_eq!(bins.band(Band::THETA), 8..17);
        assert_eq!(bins.band(Band::ALPHA), 16..25);
        assert_eq!(bins.band(Band::DELTA), 1..9);
        // An edge a rounding error off a bin still takes it.
        assert_eq!(bins.band(Band::new(8.0 - 1e-12, 12.0 + 1e-12)), 16..25);
        assert_eq!(bins.band(Band::new(8.0 + 1e-6, 12.0 - 1e-6)), 17..24);
    }

    #[test]
    fn bands_are_clipped_to_the_bins_that_exist() {
        let bins = Bins::new(64, 64.0);
        assert_eq!(bins.band(Band::new(20.0, 100.0)), 20..33);
        assert!(bins.band(Band::new(40.0, 45.0)).is_empty());
        assert!(
            bins.band(Band::new(10.2, 10.8)).is_empty(),
            "between two bins"
        );
    }

    #[test]
    fn dc_is_below_half_a_hertz() {
        assert_eq!(two_seconds().above_dc(), 1..257);
        assert_eq!(Bins::new(256, 256.0).above_dc(), 1..129);
        assert_eq!(Bins::new(1024, 256.0).above_dc(), 2..513);
    }

    #[test]
    fn density_is_power_per_hertz() {
        assert_eq!(two_seconds().density(3.0), 6.0);
        assert_eq!(Bins::new(256, 512.0).density(3.0), 1.5);
    }

    #[test]
    #[should_panic(expected = "rate_hz must be positive and finite")]
    fn the_rate_must_be_positive() {
        Bins::new(512, 0.0);
    }
}
