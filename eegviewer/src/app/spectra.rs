//! The spectra behind the spectrum panel, free of drawing: which samples they are taken from,
//! when they are recomputed, and what came out, per channel.
//!
//! - Samples: the newest unbroken ~2 s up to the view's right edge (the newest sample while
//!   following live), of each shown channel's *filtered* column, the trace as displayed, so
//!   the spectrum and the band powers describe what the user is looking at and a filter
//!   toggle shows its effect. The stretch never runs across a gap: an FFT over a hole would
//!   mix two unrelated pieces of signal and smear a step into every bin.
//! - Length: the power of two nearest to 2 s at the measured rate (512 at 256 Hz), so the
//!   bins stay about 0.5 Hz wide, delta's lower edge, whatever the device's rate.
//! - Timing: a new stretch of data is taken at most every [`RECOMPUTE_INTERVAL_S`] (8 times
//!   a second, not every frame); a change of filters, shown channels or length is taken at
//!   once.

use libeeg::CHANNELS;

use super::session::{NOMINAL_RATE_HZ, Session};
use super::view::View;
use crate::signal::filter::FilterSettings;
use crate::signal::spectrum::{BandPowers, Spectrum};

/// Seconds of signal per spectrum (rounded to a power-of-two number of samples).
pub const SPECTRUM_SECONDS: f64 = 2.0;
/// Shortest time between two spectra of new data, seconds: at most 8 a second.
pub const RECOMPUTE_INTERVAL_S: f64 = 0.125;
/// Spectrum lengths allowed, samples: 0.25 s at 256 Hz up to 8 s at 1 kHz.
const LENGTHS: std::ops::RangeInclusive<usize> = 64..=8192;

/// What the spectra cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coverage {
    /// Fewer unbroken samples before the right edge than a spectrum needs: `have_s` of
    /// `need_s` seconds. `after_gap`: the stretch began at a gap, not at the stream's start.
    Collecting {
        /// Seconds of unbroken signal up to the right edge.
        have_s: f64,
        /// Seconds a spectrum needs.
        need_s: f64,
        /// The stretch was cut short by a gap.
        after_gap: bool,
    },
    /// The samples from `start` to `end`, seconds since the session's first sample.
    Ready {
        /// Time of the oldest sample used.
        start: f64,
        /// Time of the newest sample used.
        end: f64,
    },
}

/// What a computation was made from: any change asks for a new one.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Inputs {
    /// Time of the newest sample at or before the right edge.
    data_end: Option<f64>,
    filters: FilterSettings,
    shown: [bool; CHANNELS],
    len: usize,
}

impl Inputs {
    /// Whether going from `self` to `next` is only newer (or other) data, which waits for
    /// the recompute interval, rather than a change the user made, which does not.
    fn only_data_differs(&self, next: &Inputs) -> bool {
        Inputs {
            data_end: next.data_end,
            ..*self
        } == *next
    }
}

/// The spectra of the shown channels. See the module documentation.
#[derive(Debug)]
pub struct Spectra {
    spectra: Vec<Spectrum>,
    bands: [BandPowers; CHANNELS],
    computed: [bool; CHANNELS],
    coverage: Coverage,
    last: Option<Inputs>,
    /// Clock time of the last computation, seconds.
    computed_at: f64,
    recomputations: u64,
}

impl Default for Spectra {
    fn default() -> Self {
        let len = length_for(NOMINAL_RATE_HZ);
        Self {
            spectra: vec![Spectrum::new(len, NOMINAL_RATE_HZ); CHANNELS],
            bands: [BandPowers::default(); CHANNELS],
            computed: [false; CHANNELS],
            coverage: Coverage::Collecting {
                have_s: 0.0,
                need_s: SPECTRUM_SECONDS,
                after_gap: false,
            },
            last: None,
            computed_at: f64::NEG_INFINITY,
            recomputations: 0,
        }
    }
}

impl Spectra {
    /// Recomputes the spectra of `view`'s shown channels from `session` if anything changed,
    /// no more often than [`RECOMPUTE_INTERVAL_S`] for new data. `now` is a clock in seconds
    /// (egui's input time). Returns the seconds until a recomputation held back by the
    /// interval is due, for a repaint then; `None` if the spectra are up to date.
    pub fn update(&mut self, session: &Session, view: &View, now: f64) -> Option<f64> {
        let rate = session.rate_hz().unwrap_or(NOMINAL_RATE_HZ);
        let len = length_for(rate);
        // Everything up to the right edge: the stretch is then the newest unbroken data there,
        // even with the edge in the middle of an outage.
        let right = view.time_range(session.newest_time()).1;
        let span = session.history().span(f64::NEG_INFINITY, right);
        let inputs = Inputs {
            data_end: span.times().iter().rev().find_map(|t| t.last()).copied(),
            filters: session.filters(),
            shown: view.channels.map(|c| c.visible),
            len,
        };
        if let Some(last) = &self.last {
            if *last == inputs {
                return None;
            }
            let wait = self.computed_at + RECOMPUTE_INTERVAL_S - now;
            if last.only_data_differs(&inputs) && wait > 0.0 {
                return Some(wait);
            }
        }
        self.last = Some(inputs);
        self.computed_at = now;
        self.recomputations += 1;

        if self.spectra[0].len() != len {
            // The measured rate moved the length to another power of two: rare, so new plans.
            self.spectra = vec![Spectrum::new(len, rate); CHANNELS];
        }
        let stretch = span.newest_segment(len);
        self.computed = [false; CHANNELS];
        if stretch.len() < len {
            let first = stretch.times().iter().find_map(|t| t.first()).copied();
            let have_s = first
                .zip(inputs.data_end)
                .map_or(0.0, |(first, last)| last - first);
            // Older samples before the stretch: a gap cut it short.
            let after_gap = span.len() > stretch.len();
            self.coverage = Coverage::Collecting {
                have_s,
                need_s: len as f64 / rate,
                after_gap,
            };
            return None;
        }
        for ch in (0..CHANNELS).filter(|&ch| inputs.shown[ch]) {
            let spectrum = &mut self.spectra[ch];
            spectrum.set_rate_hz(rate);
            self.computed[ch] = spectrum.compute(&stretch.values(Session::filtered_column(ch)));
            self.bands[ch] = spectrum.band_powers();
        }
        let times = stretch.times();
        let start = times
            .iter()
            .find_map(|t| t.first())
            .copied()
            .unwrap_or_default();
        self.coverage = Coverage::Ready {
            start,
            end: inputs.data_end.unwrap_or(start),
        };
        None
    }

    /// What the spectra cover.
    pub fn coverage(&self) -> Coverage {
        self.coverage
    }

    /// Channel `ch`'s spectrum, if it is shown and was computed.
    pub fn spectrum(&self, ch: usize) -> Option<&Spectrum> {
        self.computed
            .get(ch)
            .copied()
            .unwrap_or(false)
            .then(|| &self.spectra[ch])
    }

    /// Channel `ch`'s band powers, if it is shown and was computed.
    pub fn bands(&self, ch: usize) -> Option<&BandPowers> {
        self.spectrum(ch).map(|_| &self.bands[ch])
    }

    /// Samples per spectrum.
    pub fn len(&self) -> usize {
        self.spectra[0].len()
    }

    /// Always false: a spectrum holds samples.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Width of a frequency bin, hertz.
    pub fn bin_hz(&self) -> f64 {
        self.spectra[0].bin_hz()
    }

    /// The sample rate of the last spectra, hertz.
    pub fn rate_hz(&self) -> f64 {
        self.spectra[0].rate_hz()
    }

    /// Computations so far (each covers every shown channel).
    pub fn recomputations(&self) -> u64 {
        self.recomputations
    }
}

/// Samples per spectrum at `rate_hz`: the power of two nearest to [`SPECTRUM_SECONDS`].
fn length_for(rate_hz: f64) -> usize {
    let exact = (SPECTRUM_SECONDS * rate_hz).max(1.0);
    (1usize << exact.log2().round() as u32).clamp(*LENGTHS.start(), *LENGTHS.end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::item::{Batch, Marker, MarkerAt, Sample};
    use crate::signal::spectrum::EegBand;

    const RATE: f64 = 256.0;

    /// Samples `from..to` at `rate`: a 10 Hz sine on channel 1, 21 Hz on channel 2, flat
    /// elsewhere.
    fn batch(from: u64, to: u64, rate: f64) -> Batch {
        let samples = (from..to)
            .map(|i| {
                let t = i as f64 / rate;
                let sine = |hz: f64| {
                    (512.0 + 100.0 * (2.0 * std::f64::consts::PI * hz * t).sin()).round() as u16
                };
                Sample {
                    timestamp_us: 1_000_000 + (t * 1e6) as i64,
                    sample_index: Some(i),
                    frame: (i % 256) as u8,
                    values: [sine(10.0), sine(21.0), 512, 512, 512, 512],
                    switches: 15,
                }
            })
            .collect();
        Batch {
            samples,
            ..Batch::default()
        }
    }

    fn session(seconds: f64) -> Session {
        let mut s = Session::new(60.0, FilterSettings::default());
        s.ingest(&batch(0, (seconds * RATE) as u64, RATE));
        s
    }

    #[test]
    fn collecting_until_two_seconds_then_the_peaks_and_bands() {
        let view = View::default();
        let mut spectra = Spectra::default();
        assert_eq!(spectra.update(&session(1.5), &view, 0.0), None);
        let Coverage::Collecting {
            have_s,
            need_s,
            after_gap,
        } = spectra.coverage()
        else {
            panic!()
        };
        assert!(
            (have_s - 1.5).abs() < 0.01 && need_s == 2.0 && !after_gap,
            "{:?}",
            spectra.coverage()
        );
        assert!(spectra.spectrum(0).is_none());

        spectra.update(&session(3.0), &view, 1.0);
        let Coverage::Ready { end, .. } = spectra.coverage() else {
            panic!("{:?}", spectra.coverage())
        };
        assert!((end - (3.0 * RATE - 1.0) / RATE).abs() < 1e-5, "{end}");
        let ch1 = spectra.spectrum(0).unwrap();
        assert_eq!(ch1.len(), 512);
        assert!((ch1.peak().unwrap().0 - 10.0).abs() <= ch1.bin_hz());
        assert_eq!(spectra.bands(0).unwrap().strongest(), EegBand::Alpha);
        assert!((spectra.spectrum(1).unwrap().peak().unwrap().0 - 21.0).abs() <= ch1.bin_hz());
        assert_eq!(spectra.bands(1).unwrap().strongest(), EegBand::Beta);
    }

    #[test]
    fn new_data_waits_for_the_interval_and_a_user_change_does_not() {
        let mut view = View::default();
        let mut s = session(3.0);
        let mut spectra = Spectra::default();
        spectra.update(&s, &view, 10.0);
        assert_eq!(spectra.recomputations(), 1);
        assert_eq!(spectra.update(&s, &view, 10.01), None, "nothing new");
        s.ingest(&batch(3 * 256, 3 * 256 + 8, RATE));
        let wait = spectra.update(&s, &view, 10.05).expect("held back");
        assert!((wait - 0.075).abs() < 1e-9, "{wait}");
        assert_eq!(spectra.recomputations(), 1);
        // Hiding a channel is taken at once.
        view.channels[3].visible = false;
        assert_eq!(spectra.update(&s, &view, 10.06), None);
        assert_eq!(spectra.recomputations(), 2);
        assert!(spectra.spectrum(3).is_none() && spectra.spectrum(2).is_some());
        s.ingest(&batch(3 * 256 + 8, 3 * 256 + 16, RATE));
        assert!(spectra.update(&s, &view, 10.1).is_some());
        assert_eq!(spectra.update(&s, &view, 10.2), None);
        assert_eq!(spectra.recomputations(), 3);
    }

    #[test]
    fn a_gap_restarts_the_collection_and_the_past_is_taken_from_the_view() {
        let mut s = session(5.0);
        let mut b = batch(5 * 256 + 20, 6 * 256, RATE);
        b.markers.push(MarkerAt {
            before_sample: 0,
            marker: Marker::Lost {
                count: 20,
                first_sample_index: 1280,
                at_us: 0,
            },
        });
        s.ingest(&b);
        let mut view = View::default();
        let mut spectra = Spectra::default();
        spectra.update(&s, &view, 0.0);
        let Coverage::Collecting {
            have_s, after_gap, ..
        } = spectra.coverage()
        else {
            panic!("{:?}", spectra.coverage())
        };
        assert!(
            after_gap && (have_s - (256.0 - 21.0) / RATE).abs() < 0.01,
            "{have_s}"
        );

        // Paused with the right edge before the gap: the 2 s up to it.
        view.toggle_pause(Some(4.0));
        view.range = (0.0, 4.0);
        spectra.update(&s, &view, 1.0);
        let Coverage::Ready { start, end } = spectra.coverage() else {
            panic!("{:?}", spectra.coverage())
        };
        assert!(
            (end - 4.0).abs() < 1.0 / RATE && (end - start - 511.0 / RATE).abs() < 1e-5,
            "{start}..{end}"
        );
    }

    #[test]
    fn the_length_follows_the_measured_rate() {
        assert_eq!(length_for(256.0), 512);
        assert_eq!(length_for(257.14), 512);
        assert_eq!(length_for(500.0), 1024);
        assert_eq!(length_for(128.0), 256);
        assert_eq!(length_for(1.0), 64);

        let rate = 512.0;
        let mut s = Session::new(60.0, FilterSettings::default());
        s.ingest(&batch(0, 4 * 512, rate));
        let mut spectra = Spectra::default();
        spectra.update(&s, &View::default(), 0.0);
        assert_eq!((spectra.len(), spectra.bin_hz()), (1024, 0.5));
        let peak = spectra.spectrum(0).unwrap().peak().unwrap().0;
        assert!((peak - 10.0).abs() <= 0.5, "{peak}");
    }
}
