//! The simulator: sums the signal sources into six channels of 10-bit codes.

use std::f64::consts::TAU;

use super::rng::Rng;
use super::signal::{AlphaBursts, Blinks, IDLE_SWITCHES, PinkNoise, SwitchPresses};
use crate::encode::Encoder;
use crate::{CHANNELS, MAX_CODE, MID_SCALE, Protocol};

/// Scale of a ModularEEG trimmed to about 0.5 uV per code (PROTOCOL.md, "Units").
const CODES_PER_UV: f64 = 2.0;

/// Per-channel weights. Channels 1-2 are the occipital/frontal pair that carries alpha and
/// blinks; 3-4 are weaker scalp leads; 5-6 behave like the EEG-SMT's floating inputs: little
/// EEG, more white noise and more hum.
const BACKGROUND_UV_RMS: [f64; CHANNELS] = [25.0, 25.0, 18.0, 18.0, 8.0, 8.0];
const WHITE_UV_RMS: [f64; CHANNELS] = [2.0, 2.0, 2.0, 2.0, 10.0, 10.0];
const ALPHA_GAIN: [f64; CHANNELS] = [1.0, 0.85, 0.3, 0.3, 0.05, 0.05];
/// Alpha phase lag per channel (radians): neighbouring leads are not in lockstep.
const ALPHA_LAG: [f64; CHANNELS] = [0.0, 0.3, 0.8, 1.1, 0.0, 0.0];
const BLINK_GAIN: [f64; CHANNELS] = [1.0, 0.8, 0.2, 0.2, 0.05, 0.05];
const MAINS_UV: [f64; CHANNELS] = [5.0, 5.0, 8.0, 8.0, 30.0, 30.0];

/// Random sub-streams, one per source, so options do not shift each other's events.
const STREAM_NOISE: u64 = 1;
const STREAM_ALPHA: u64 = 2;
const STREAM_BLINKS: u64 = 3;
const STREAM_SWITCHES: u64 = 4;

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Seed: the same seed and settings give the same frames and bytes.
    pub seed: u64,
    /// Sample rate in Hz (256.0 by default; 257.14 as on 7.3728 MHz boards). Only converts
    /// sample indices to seconds; a value that is not finite and positive means 256.
    pub rate_hz: f64,
    /// Framing of [`Simulator::packets`] (P2 by default).
    pub protocol: Protocol,
    /// Mains hum frequency (50 or 60 Hz), or `None` (default) for no hum.
    pub mains_hz: Option<f64>,
    /// Whether switches are pressed now and then (default); otherwise they stay idle at `0x0F`.
    pub switch_presses: bool,
    /// Counter of the first packet.
    pub first_counter: u8,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 0x0EE6,
            rate_hz: 256.0,
            protocol: Protocol::P2,
            mains_hz: None,
            switch_presses: true,
            first_counter: 0,
        }
    }
}

/// One sample frame: what a device measured before encoding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame {
    /// 10-bit ADC codes (0..=1023) for the six channel slots.
    pub samples: [u16; CHANNELS],
    /// Switch inputs, bits 3..0, a pressed switch reads 0 (idle `0x0F`).
    pub switches: u8,
}

/// A deterministic EEG-like source for six channels.
///
/// Each frame sums 1/f background noise, alpha bursts near 10 Hz (mostly on channels 1-2),
/// eye blinks (large ~300 ms deflections on channels 1-2, never during an alpha burst, as the
/// eyes are closed then), optional mains hum, and reports switch presses. Values are centred
/// on [`MID_SCALE`] at about 0.5 uV per code and clamped to `0..=1023`.
///
/// Pull frames with [`Simulator::next_frame`] (or iterate: the simulator is an endless
/// iterator of frames), or encoded bytes with [`Simulator::packets`]. The truth about the
/// signal is kept for checking detectors: [`Simulator::alpha_bursts`] and
/// [`Simulator::blink_onsets`] (these grow by one entry every few seconds of signal).
#[derive(Debug, Clone)]
pub struct Simulator {
    config: SimConfig,
    rate_hz: f64,
    encoder: Encoder,
    /// Frames produced so far; frame `n` is at `n / rate_hz` seconds.
    index: u64,
    noise: Rng,
    pink: [PinkNoise; CHANNELS],
    alpha: AlphaBursts,
    blinks: Blinks,
    switches: SwitchPresses,
    alpha_active: bool,
}

impl Simulator {
    /// A simulator for `config`, positioned at time 0.
    pub fn new(config: SimConfig) -> Self {
        let seed = config.seed;
        let rate_hz = if config.rate_hz.is_finite() && config.rate_hz > 0.0 {
            config.rate_hz
        } else {
            256.0
        };
        let mut noise = Rng::stream(seed, STREAM_NOISE);
        let pink = std::array::from_fn(|_| PinkNoise::new(&mut noise));
        Self {
            encoder: Encoder::new(config.protocol, config.first_counter),
            rate_hz,
            index: 0,
            noise,
            pink,
            alpha: AlphaBursts::new(Rng::stream(seed, STREAM_ALPHA)),
            blinks: Blinks::new(Rng::stream(seed, STREAM_BLINKS)),
            switches: SwitchPresses::new(Rng::stream(seed, STREAM_SWITCHES)),
            alpha_active: false,
            config,
        }
    }

    /// The configuration this simulator was made with.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The sample rate in use (Hz).
    pub fn rate_hz(&self) -> f64 {
        self.rate_hz
    }

    /// How many frames have been produced.
    pub fn frames_produced(&self) -> u64 {
        self.index
    }

    /// Time of the next frame in seconds.
    pub fn time(&self) -> f64 {
        self.index as f64 / self.rate_hz
    }

    /// The encoder used by [`Simulator::packets`] and [`Simulator::encode_frame`].
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The encoder, to change its channel count or counter (or to encode elsewhere while
    /// keeping the counter sequence).
    pub fn encoder_mut(&mut self) -> &mut Encoder {
        &mut self.encoder
    }

    /// Whether the last frame produced was inside an alpha burst.
    pub fn alpha_active(&self) -> bool {
        self.alpha_active
    }

    /// Every alpha burst begun so far as (start, end) in seconds; the last one may end after
    /// [`Simulator::time`].
    pub fn alpha_bursts(&self) -> &[(f64, f64)] {
        self.alpha.history()
    }

    /// Start time (seconds) of every blink so far.
    pub fn blink_onsets(&self) -> &[f64] {
        self.blinks.onsets()
    }

    /// Produces the next frame.
    pub fn next_frame(&mut self) -> Frame {
        let t = self.time();
        let alpha = self.alpha.step(t, 1.0 / self.rate_hz);
        let blink = self.blinks.step(t, alpha.active);
        let hum = self
            .config
            .mains_hz
            .filter(|hz| hz.is_finite())
            .map_or(0.0, |hz| (TAU * hz * t).sin());
        let switches = if self.config.switch_presses {
            self.switches.step(t)
        } else {
            IDLE_SWITCHES
        };
        let samples = std::array::from_fn(|ch| {
            let uv = BACKGROUND_UV_RMS[ch] * self.pink[ch].sample(&mut self.noise)
                + WHITE_UV_RMS[ch] * self.noise.normal()
                + ALPHA_GAIN[ch] * alpha.amplitude * (alpha.phase + ALPHA_LAG[ch]).sin()
                + BLINK_GAIN[ch] * blink
                + MAINS_UV[ch] * hum;
            to_code(uv)
        });
        self.index += 1;
        self.alpha_active = alpha.active;
        Frame { samples, switches }
    }

    /// The next `n` frames.
    pub fn frames(&mut self, n: usize) -> Vec<Frame> {
        (0..n).map(|_| self.next_frame()).collect()
    }

    /// Encodes `frame` as the next packet of the configured protocol, appending to `out`.
    pub fn encode_frame(&mut self, frame: &Frame, out: &mut Vec<u8>) {
        self.encoder.encode(&frame.samples, frame.switches, out);
    }

    /// The next `n` frames as encoded packets.
    pub fn packets(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n * self.encoder.packet_len());
        for _ in 0..n {
            let frame = self.next_frame();
            self.encode_frame(&frame, &mut out);
        }
        out
    }
}

impl Iterator for Simulator {
    type Item = Frame;

    /// Never ends.
    fn next(&mut self) -> Option<Frame> {
        Some(self.next_frame())
    }
}

/// Microvolts to a code around mid-scale, clamped as the ADC clips.
fn to_code(uv: f64) -> u16 {
    let code = f64::from(MID_SCALE) + (uv * CODES_PER_UV).round();
    // NaN fails both comparisons and lands on mid-scale rather than 0.
    if code >= f64::from(MAX_CODE) {
        MAX_CODE
    } else if code > 0.0 {
        code as u16
    } else if code <= 0.0 {
        0
    } else {
        MID_SCALE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(seed: u64) -> Simulator {
        Simulator::new(SimConfig {
            seed,
            ..SimConfig::default()
        })
    }

    /// Power of `x` at `hz` (Hann-windowed DFT at that exact frequency, mean removed).
    fn tone_power(x: &[u16], hz: f64, rate: f64) -> f64 {
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let (mut re, mut im) = (0.0, 0.0);
        for (i, &v) in x.iter().enumerate() {
            let i = i as f64;
            let w = 0.5 - 0.5 * (TAU * i / n).cos();
            let arg = TAU * hz * i / rate;
            re += w * (f64::from(v) - mean) * arg.cos();
            im -= w * (f64::from(v) - mean) * arg.sin();
        }
        (re * re + im * im) / (n * n)
    }

    fn band_power(x: &[u16], lo: f64, hi: f64, rate: f64) -> f64 {
        let mut hz = lo;
        let mut total = 0.0;
        while hz <= hi {
            total += tone_power(x, hz, rate);
            hz += 0.5;
        }
        total
    }

    #[test]
    fn deterministic_for_a_seed() {
        assert_eq!(sim(9).packets(2000), sim(9).packets(2000));
        assert_ne!(sim(9).packets(2000), sim(10).packets(2000));
        let p3 = |seed| {
            Simulator::new(SimConfig {
                seed,
                protocol: Protocol::P3,
                ..SimConfig::default()
            })
            .packets(500)
        };
        assert_eq!(p3(1), p3(1));
        assert_eq!(p3(1).len(), 500 * 11);
    }

    #[test]
    fn values_in_range_and_centred() {
        let frames = sim(4).frames(256 * 60);
        let mut sum = [0.0; CHANNELS];
        for frame in &frames {
            assert!(frame.samples.iter().all(|&v| v <= MAX_CODE));
            assert!(frame.switches <= 0x0F);
            for (s, &v) in sum.iter_mut().zip(&frame.samples) {
                *s += f64::from(v);
            }
        }
        for s in sum {
            let mean = s / frames.len() as f64;
            assert!((mean - 512.0).abs() < 40.0, "mean {mean}");
        }
        assert!(
            frames.iter().any(|f| f.switches != 0x0F),
            "no switch press in a minute"
        );
        let quiet = Simulator::new(SimConfig {
            switch_presses: false,
            ..SimConfig::default()
        });
        assert!(quiet.take(256 * 60).all(|f| f.switches == 0x0F));
    }

    #[test]
    fn alpha_bursts_show_near_10_hz() {
        let rate = 257.14;
        let mut sim = Simulator::new(SimConfig {
            seed: 21,
            rate_hz: rate,
            ..SimConfig::default()
        });
        let frames = sim.frames((rate * 120.0) as usize);
        let bursts = sim.alpha_bursts().to_vec();
        assert!(bursts.len() >= 10, "{} bursts in 2 minutes", bursts.len());
        let win = rate as usize;
        let (mut inside, mut outside) = (Vec::new(), Vec::new());
        for start in (0..frames.len() - win).step_by(win / 2) {
            let (t0, t1) = (start as f64 / rate, (start + win) as f64 / rate);
            let ch1: Vec<u16> = frames[start..start + win]
                .iter()
                .map(|f| f.samples[0])
                .collect();
            let power = band_power(&ch1, 8.0, 12.0, rate);
            if bursts.iter().any(|&(s, e)| t0 >= s + 0.2 && t1 <= e - 0.2) {
                inside.push(power);
            } else if bursts.iter().all(|&(s, e)| t1 < s - 0.1 || t0 > e + 0.1) {
                outside.push(power);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(!inside.is_empty() && !outside.is_empty());
        let (a, b) = (mean(&inside), mean(&outside));
        assert!(a > 5.0 * b, "alpha band power {a} in bursts vs {b} outside");
    }

    #[test]
    fn alpha_active_matches_history() {
        let mut sim = sim(8);
        for _ in 0..256 * 30 {
            let t = sim.time();
            sim.next_frame();
            let truth = sim.alpha_bursts().iter().any(|&(s, e)| t >= s && t < e);
            assert_eq!(sim.alpha_active(), truth, "at {t}");
        }
        assert!(!sim.blink_onsets().is_empty());
    }

    #[test]
    fn mains_adds_a_line() {
        for (hz, other) in [(50.0, 60.0), (60.0, 50.0)] {
            let config = SimConfig {
                seed: 5,
                mains_hz: Some(hz),
                ..SimConfig::default()
            };
            let hum: Vec<u16> = Simulator::new(config)
                .take(2560)
                .map(|f| f.samples[0])
                .collect();
            let clean: Vec<u16> = sim(5).take(2560).map(|f| f.samples[0]).collect();
            let (with, without) = (tone_power(&hum, hz, 256.0), tone_power(&clean, hz, 256.0));
            assert!(
                with > 20.0 * without,
                "{hz} Hz: {with} with hum vs {without} without"
            );
            assert!(tone_power(&hum, other, 256.0) < with / 20.0);
        }
    }

    #[test]
    fn odd_rates_and_clamping() {
        assert_eq!(
            Simulator::new(SimConfig {
                rate_hz: f64::NAN,
                ..SimConfig::default()
            })
            .rate_hz(),
            256.0
        );
        assert_eq!(to_code(1e9), MAX_CODE);
        assert_eq!(to_code(-1e9), 0);
        assert_eq!(to_code(f64::NAN), MID_SCALE);
        assert_eq!(to_code(0.5), 513);
    }
}
