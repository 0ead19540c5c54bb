//! The viewer's real-time display filters: high-pass, mains notch and low-pass, each
//! toggleable, causal, one chain per channel.

use super::biquad::{BUTTERWORTH_Q, Biquad, Coefficients, butterworth_q};
use super::mains::Mains;

/// Cut-off of the high-pass (DC and drift removal), hertz.
pub const HIGH_PASS_HZ: f64 = 0.5;
/// Cut-off (-3 dB) of the low-pass, hertz: at 256 Hz, 30 Hz (top of beta) loses 0.3 dB,
/// 45 Hz (top of gamma) 6 dB, 50 Hz mains 10 dB and 80 Hz 36 dB.
pub const LOW_PASS_HZ: f64 = 40.0;
/// Quality factor of the notch, as the cookbook defines it: the analog prototype is f0 / Q =
/// 1.7 Hz wide at 50 Hz, and the bilinear transform narrows that to a -3 dB width of 1.3 Hz
/// at 256 Hz. The grid wanders by less than ±0.2 Hz, and 45 and 55 Hz lose under 0.5 dB.
pub const NOTCH_Q: f64 = 30.0;
/// Order of the Butterworth low-pass: two biquads, 24 dB per octave.
const LOW_PASS_ORDER: usize = 4;
/// Relative change of the sample rate below which the design is kept: the rate estimate
/// wanders in the last digits and a redesign per packet would be wasted work.
const RATE_TOLERANCE: f64 = 1e-4;

/// Which filters are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilterSettings {
    /// Second-order Butterworth high-pass at [`HIGH_PASS_HZ`]: removes the offset (mid-scale)
    /// and slow drift.
    pub high_pass: bool,
    /// Notch at the mains frequency, Q [`NOTCH_Q`]; `None` is off.
    pub notch: Option<Mains>,
    /// Fourth-order Butterworth low-pass at [`LOW_PASS_HZ`].
    pub low_pass: bool,
}

impl FilterSettings {
    /// Every filter off: the raw signal.
    pub const OFF: Self = Self {
        high_pass: false,
        notch: None,
        low_pass: false,
    };
}

impl Default for FilterSettings {
    /// The high-pass only, so traces sit on their baseline and nothing else is hidden.
    fn default() -> Self {
        Self {
            high_pass: true,
            ..Self::OFF
        }
    }
}

/// The filter chain of one channel: high-pass, then notch, then low-pass, the stages that are
/// on. Causal and O(1) per sample; state in `f64`.
///
/// Call [`gap`](Self::gap) when samples were lost: the chain restarts and primes itself from
/// the next sample, so neither the gap nor the offset causes a transient. A change of
/// settings restarts it the same way. A non-finite input restarts it and passes through.
#[derive(Debug, Clone)]
pub struct ChannelFilter {
    rate_hz: f64,
    settings: FilterSettings,
    high_pass: Biquad,
    notch: Biquad,
    low_pass: [Biquad; LOW_PASS_ORDER / 2],
}

impl ChannelFilter {
    /// A chain for a stream at `rate_hz` (preferably the measured rate: libeeg's clock gives
    /// it; a ModularEEG runs 0.45 % fast, enough to move a Q 30 notch off the mains line).
    /// A stage whose frequency is at or above half the sample rate passes the signal through.
    ///
    /// # Panics
    ///
    /// If `rate_hz` is not positive and finite.
    pub fn new(rate_hz: f64, settings: FilterSettings) -> Self {
        assert!(
            rate_hz.is_finite() && rate_hz > 0.0,
            "rate_hz must be positive and finite"
        );
        let identity = Biquad::new(Coefficients::IDENTITY);
        let mut filter = Self {
            rate_hz,
            settings,
            high_pass: identity,
            notch: identity,
            low_pass: [identity; LOW_PASS_ORDER / 2],
        };
        filter.design();
        filter
    }

    /// The settings in use.
    pub fn settings(&self) -> FilterSettings {
        self.settings
    }

    /// The sample rate the stages are designed for, hertz.
    pub fn rate_hz(&self) -> f64 {
        self.rate_hz
    }

    /// Switches filters on or off; restarts the chain if anything changed.
    pub fn set_settings(&mut self, settings: FilterSettings) {
        if settings != self.settings {
            self.settings = settings;
            self.design();
            self.gap();
        }
    }

    /// Follows the measured sample rate: redesigns the stages, keeping their state, when the
    /// rate moved by more than 0.01 %. Non-positive or non-finite rates are ignored.
    pub fn set_rate_hz(&mut self, rate_hz: f64) {
        if rate_hz.is_finite()
            && rate_hz > 0.0
            && ((rate_hz - self.rate_hz) / self.rate_hz).abs() > RATE_TOLERANCE
        {
            self.rate_hz = rate_hz;
            self.design();
        }
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        if !x.is_finite() {
            self.gap();
            return x;
        }
        let mut y = f64::from(x);
        if self.settings.high_pass {
            y = self.high_pass.process(y);
        }
        if self.settings.notch.is_some() {
            y = self.notch.process(y);
        }
        if self.settings.low_pass {
            for section in &mut self.low_pass {
                y = section.process(y);
            }
        }
        y as f32
    }

    /// Filters `samples` in place, oldest first.
    pub fn process_slice(&mut self, samples: &mut [f32]) {
        for x in samples {
            *x = self.process(*x);
        }
    }

    /// Samples were lost: restart, priming from the next sample.
    pub fn gap(&mut self) {
        self.high_pass.reset();
        self.notch.reset();
        self.low_pass.iter_mut().for_each(Biquad::reset);
    }

    /// Sets every stage's coefficients for the current rate and settings, keeping state.
    fn design(&mut self) {
        let rate = self.rate_hz;
        let below_nyquist = |hz: f64| hz < rate / 2.0;
        let design = |hz: f64, make: &dyn Fn() -> Coefficients| {
            if below_nyquist(hz) {
                make()
            } else {
                Coefficients::IDENTITY
            }
        };
        self.high_pass.set_coefficients(design(HIGH_PASS_HZ, &|| {
            Coefficients::high_pass(HIGH_PASS_HZ, BUTTERWORTH_Q, rate)
        }));
        let mains_hz = self.settings.notch.unwrap_or_default().hz();
        self.notch.set_coefficients(design(mains_hz, &|| {
            Coefficients::notch(mains_hz, NOTCH_Q, rate)
        }));
        for (k, section) in self.low_pass.iter_mut().enumerate() {
            section.set_coefficients(design(LOW_PASS_HZ, &|| {
                Coefficients::low_pass(LOW_PASS_HZ, butterworth_q(LOW_PASS_ORDER, k), rate)
            }));
        }
    }

    /// Magnitude of the whole chain's frequency response at `freq_hz`, from the stages'
    /// transfer functions.
    pub fn gain_at(&self, freq_hz: f64) -> f64 {
        let gain = |section: &Biquad| section.coefficients().gain_at(freq_hz, self.rate_hz);
        let mut product = 1.0;
        if self.settings.high_pass {
            product *= gain(&self.high_pass);
        }
        if self.settings.notch.is_some() {
            product *= gain(&self.notch);
        }
        if self.settings.low_pass {
            product *= self.low_pass.iter().map(gain).product::<f64>();
        }
        product
    }
}

/// One [`ChannelFilter`] per channel, sharing a sample rate.
#[derive(Debug, Clone)]
pub struct FilterBank {
    channels: Vec<ChannelFilter>,
}

impl FilterBank {
    /// `channels` chains at `rate_hz`, all with `settings`.
    ///
    /// # Panics
    ///
    /// As [`ChannelFilter::new`].
    pub fn new(channels: usize, rate_hz: f64, settings: FilterSettings) -> Self {
        Self {
            channels: vec![ChannelFilter::new(rate_hz, settings); channels],
        }
    }

    /// The chain of `channel`.
    ///
    /// # Panics
    ///
    /// If there is no such channel.
    pub fn channel(&self, channel: usize) -> &ChannelFilter {
        &self.channels[channel]
    }

    /// The chain of `channel`, to change its settings alone.
    ///
    /// # Panics
    ///
    /// If there is no such channel.
    pub fn channel_mut(&mut self, channel: usize) -> &mut ChannelFilter {
        &mut self.channels[channel]
    }

    /// Applies `settings` to every channel.
    pub fn set_settings(&mut self, settings: FilterSettings) {
        self.channels
            .iter_mut()
            .for_each(|c| c.set_settings(settings));
    }

    /// Follows the measured sample rate (see [`ChannelFilter::set_rate_hz`]).
    pub fn set_rate_hz(&mut self, rate_hz: f64) {
        self.channels
            .iter_mut()
            .for_each(|c| c.set_rate_hz(rate_hz));
    }

    /// Filters one sample of every channel in place.
    ///
    /// # Panics
    ///
    /// If `frame` does not hold one value per channel.
    pub fn process_frame(&mut self, frame: &mut [f32]) {
        assert_eq!(frame.len(), self.channels.len(), "one value per channel");
        for (filter, x) in self.channels.iter_mut().zip(frame) {
            *x = filter.process(*x);
        }
    }

    /// Samples were lost on every channel.
    pub fn gap(&mut self) {
        self.channels.iter_mut().for_each(ChannelFilter::gap);
    }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;

    const RATE: f64 = 256.0;

    fn db(ratio: f64) -> f64 {
        20.0 * ratio.log10()
    }

    /// Gain (dB) measured by running a unit sine at `freq` Hz (sampled at `true_rate`)
    /// through `filter`: 10 s to settle, then the amplitude of the `freq` component over 4 s
    /// (a whole number of cycles for the frequencies used), by projection on sine and cosine.
    fn measured_db(filter: &mut ChannelFilter, freq: f64, true_rate: f64) -> f64 {
        let settle = (10.0 * true_rate) as usize;
        let measure = (4.0 * true_rate) as usize;
        let (mut s, mut c) = (0.0, 0.0);
        for i in 0..settle + measure {
            let phase = 2.0 * PI * freq * i as f64 / true_rate;
            let y = f64::from(filter.process(phase.sin() as f32));
            if i >= settle {
                s += y * phase.sin();
                c += y * phase.cos();
            }
        }
        db(2.0 * s.hypot(c) / measure as f64)
    }

    fn only(settings: FilterSettings) -> ChannelFilter {
        ChannelFilter::new(RATE, settings)
    }

    fn notch(mains: Mains) -> ChannelFilter {
        only(FilterSettings {
            notch: Some(mains),
            ..FilterSettings::OFF
        })
    }

    fn high_pass() -> ChannelFilter {
        only(FilterSettings::default())
    }

    fn low_pass() -> ChannelFilter {
        only(FilterSettings {
            low_pass: true,
            ..FilterSettings::OFF
        })
    }

    #[test]
    fn notch_50_takes_out_50_hz_and_passes_10_hz() {
        let mut f = notch(Mains::Hz50);
        let at_50 = measured_db(&mut f, 50.0, RATE);
        assert!(at_50 <= -30.0, "50 Hz measured at {at_50:.1} dB");
        assert!(db(f.gain_at(50.0)) <= -30.0);
        let at_10 = measured_db(&mut notch(Mains::Hz50), 10.0, RATE);
        assert!(at_10.abs() <= 0.5, "10 Hz measured at {at_10:.3} dB");
        assert!(db(f.gain_at(10.0)).abs() <= 0.5);
        // Narrow: 45 and 55 Hz (gamma's top, the next band up) lose under 0.5 dB.
        for freq in [45.0, 55.0] {
            assert!(db(f.gain_at(freq)).abs() < 0.5, "{freq} Hz");
        }
    }

    #[test]
    fn notch_60_takes_out_60_hz_and_passes_10_hz() {
        let mut f = notch(Mains::Hz60);
        let at_60 = measured_db(&mut f, 60.0, RATE);
        assert!(at_60 <= -30.0, "60 Hz measured at {at_60:.1} dB");
        let at_10 = measured_db(&mut notch(Mains::Hz60), 10.0, RATE);
        assert!(at_10.abs() <= 0.5, "10 Hz measured at {at_10:.3} dB");
        // It is not the 50 Hz notch.
        assert!(db(f.gain_at(50.0)).abs() < 0.5);
    }

    #[test]
    fn notch_follows_the_measured_rate() {
        let real_rate = 257.14;
        // Designed for the nominal rate, a 50 Hz line sampled at the real rate sits 0.2 Hz
        // off the notch and most of it survives.
        let nominal = measured_db(&mut notch(Mains::Hz50), 50.0, real_rate);
        assert!(nominal > -20.0, "{nominal:.1} dB");
        let mut f = notch(Mains::Hz50);
        f.set_rate_hz(real_rate);
        assert_eq!(f.rate_hz(), real_rate);
        let measured = measured_db(&mut f, 50.0, real_rate);
        assert!(measured <= -30.0, "{measured:.1} dB");
        // Jitter in the estimate does not redesign.
        f.set_rate_hz(real_rate * (1.0 + 1e-5));
        f.set_rate_hz(f64::NAN);
        assert_eq!(f.rate_hz(), real_rate);
    }

    #[test]
    fn high_pass_removes_dc_and_passes_10_hz() {
        // An offset from the first sample gives no output at all (the chain primes itself).
        let mut f = high_pass();
        assert!((0..256).all(|_| f.process(512.0).abs() < 1e-3));
        // A step decays to nothing.
        let mut f = high_pass();
        (0..256).for_each(|_| _ = f.process(0.0));
        let step: Vec<f32> = (0..10 * 256).map(|_| f.process(100.0)).collect();
        assert!(step[0] > 90.0, "the step goes through at first");
        let tail = step[5 * 256..].iter().fold(0f32, |m, y| m.max(y.abs()));
        assert!(tail < 0.1, "still {tail} after 5 s");
        assert!(step.last().unwrap().abs() < 1e-3);
        assert!(f.gain_at(0.0) < 1e-9);
        // 10 Hz goes through.
        let at_10 = measured_db(&mut high_pass(), 10.0, RATE);
        assert!(at_10.abs() <= 0.5, "10 Hz measured at {at_10:.3} dB");
        assert!(db(high_pass().gain_at(10.0)).abs() <= 0.5);
        assert!((db(high_pass().gain_at(HIGH_PASS_HZ)) + 3.01).abs() < 0.01);
    }

    #[test]
    fn low_pass_takes_out_80_hz_and_passes_10_hz() {
        let at_80 = measured_db(&mut low_pass(), 80.0, RATE);
        assert!(at_80 <= -30.0, "80 Hz measured at {at_80:.1} dB");
        let at_10 = measured_db(&mut low_pass(), 10.0, RATE);
        assert!(at_10.abs() <= 0.5, "10 Hz measured at {at_10:.3} dB");
        let f = low_pass();
        assert!(
            (db(f.gain_at(LOW_PASS_HZ)) + 3.01).abs() < 0.01,
            "-3 dB at the cut-off"
        );
        assert!(db(f.gain_at(80.0)) <= -30.0);
        // Fourth order: about 24 dB per octave well above the cut-off (steeper near Nyquist,
        // where the bilinear transform puts a zero).
        let slope = db(f.gain_at(100.0)) - db(f.gain_at(50.0));
        assert!(slope < -24.0, "{slope:.1} dB per octave");
        // Butterworth: no ripple, the gain only falls; beta keeps all but 0.3 dB.
        let gains: Vec<f64> = (0..=60).map(|hz| db(f.gain_at(f64::from(hz)))).collect();
        assert!(gains.windows(2).all(|w| w[1] <= w[0] + 1e-12));
        assert!(gains[30] > -0.35, "{:.2} dB at 30 Hz", gains[30]);
    }

    #[test]
    fn all_together_and_all_off() {
        let all = FilterSettings {
            high_pass: true,
            notch: Some(Mains::Hz50),
            low_pass: true,
        };
        let mut f = only(all);
        let at_10 = measured_db(&mut f, 10.0, RATE);
        assert!(at_10.abs() <= 0.5, "{at_10:.3} dB");
        assert!(measured_db(&mut only(all), 50.0, RATE) < -40.0);

        let mut off = only(FilterSettings::OFF);
        for x in [512.0, -3.5, 1e6] {
            assert_eq!(off.process(x), x);
        }
        assert_eq!(off.gain_at(50.0), 1.0);
    }

    #[test]
    fn a_gap_restarts_the_chain_without_a_transient() {
        let mut f = only(FilterSettings {
            high_pass: true,
            notch: Some(Mains::Hz50),
            low_pass: true,
        });
        (0..2560).for_each(|_| _ = f.process(512.0));
        // The device comes back at another offset: after a gap, no step appears.
        f.gap();
        assert!((0..2560).all(|_| f.process(300.0).abs() < 1e-3));
        // Without the gap it would have rung.
        let mut g = high_pass();
        (0..2560).for_each(|_| _ = g.process(512.0));
        assert!(g.process(300.0) < -100.0);
    }

    #[test]
    fn settings_change_restarts_and_non_finite_input_passes_through() {
        let mut f = high_pass();
        (0..100).for_each(|_| _ = f.process(512.0));
        f.set_settings(FilterSettings {
            low_pass: true,
            ..FilterSettings::default()
        });
        assert!(f.process(400.0).abs() < 1e-3, "primed afresh");
        assert!(f.process(f32::NAN).is_nan());
        assert!(f.process(450.0).abs() < 1e-3, "restarted after the NaN");
    }

    #[test]
    fn stages_at_or_above_nyquist_pass_through() {
        // At 100 Hz the 60 Hz notch has nothing to act on; the rest still works.
        let mut f = ChannelFilter::new(
            100.0,
            FilterSettings {
                high_pass: true,
                notch: Some(Mains::Hz60),
                low_pass: true,
            },
        );
        assert!((f.gain_at(10.0) - 1.0).abs() < 0.01);
        assert!(f.process(512.0).abs() < 1e-3);
    }

    #[test]
    fn bank_filters_channels_independently() {
        let mut bank = FilterBank::new(3, RATE, FilterSettings::default());
        bank.channel_mut(2).set_settings(FilterSettings::OFF);
        let mut frame = [512.0, 100.0, 7.0];
        bank.process_frame(&mut frame);
        assert!(frame[0].abs() < 1e-3 && frame[1].abs() < 1e-3);
        assert_eq!(frame[2], 7.0);
        bank.set_settings(FilterSettings::OFF);
        bank.set_rate_hz(257.0);
        assert_eq!(bank.channel(1).rate_hz(), 257.0);
        bank.gap();
        let mut frame = [1.0, 2.0, 3.0];
        bank.process_frame(&mut frame);
        assert_eq!(frame, [1.0, 2.0, 3.0]);
        // process_slice is process per sample.
        let mut a = high_pass();
        let mut b = high_pass();
        let mut xs: Vec<f32> = (0..300).map(|i| (i as f32 * 0.3).sin() + 5.0).collect();
        let expected: Vec<f32> = xs.iter().map(|&x| b.process(x)).collect();
        a.process_slice(&mut xs);
        assert_eq!(xs, expected);
    }
}
