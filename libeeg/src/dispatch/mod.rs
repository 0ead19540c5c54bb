//! Event hooks for programs: decode a stream and have a [`Handler`] told of packets, loss,
//! resyncs, restarts, switch presses and releases, threshold crossings, band-power changes and
//! signal-quality changes, each with its time.

mod closures;
mod handler;
mod watch;

use std::ops::ControlFlow;
use std::time::Duration;

pub use self::closures::{OnEvent, OnPacket};
pub use self::handler::Handler;
use self::watch::{Detector, Watch};
use crate::clock::Clock;
use crate::detect::{
    BandPowerConfig, BandPowerDetector, QualityConfig, QualityMonitor, ThresholdConfig,
    ThresholdDetector,
};
use crate::units::DeviceProfile;
use crate::{Decoder, DecoderConfig, Event, Timed, TimedDecoder};

/// Decodes a byte stream and calls a [`Handler`]'s hooks for what happens in it.
///
/// Attach detectors with the `watch_*` methods, then feed bytes with [`push`](Self::push) (or
/// [`push_at`](Self::push_at) with arrival times, which puts times on the real clock) and
/// call [`finish`](Self::finish) at the end, each with the handler to call. Events are timed
/// by a [`TimedDecoder`], whose guarantees hold here. When a hook breaks, dispatching stops
/// after the current event, the rest stays queued, and [`resume`](Self::resume) goes on.
///
/// Threshold and band-power detectors see microvolts through the [`DeviceProfile`]; the
/// quality monitor sees raw codes. Detectors start their windows again after lost packets and
/// restarts instead of computing across them. Watches of one kind on one channel all report
/// to the same hook, in the order they were added.
///
/// ```
/// use std::ops::ControlFlow;
/// use libeeg::detect::{Band, BandPowerConfig, BandPowerEvent};
/// use libeeg::dispatch::{Dispatcher, Handler};
/// use libeeg::sim::{SimConfig, Simulator};
/// use libeeg::DecoderConfig;
///
/// struct Alpha {
///     changes: usize,
/// }
///
/// impl Handler for Alpha {
///     fn band_power(&mut self, _channel: usize, change: &BandPowerEvent) -> ControlFlow<()> {
///         println!("alpha {:?} at {:.2} s", change.kind, change.t);
///         self.changes += 1;
///         ControlFlow::Continue(())
///     }
/// }
///
/// let mut eeg = Dispatcher::new(DecoderConfig::default());
/// eeg.watch_band_power(0, BandPowerConfig::new(Band::ALPHA, 256.0, 200.0));
/// let mut alpha = Alpha { changes: 0 };
/// let bytes = Simulator::new(SimConfig::default()).packets(256 * 20);
/// let _ = eeg.push(&bytes, &mut alpha);
/// let _ = eeg.finish(&mut alpha);
/// assert!(alpha.changes > 0);
/// ```
pub struct Dispatcher {
    timed: TimedDecoder,
    profile: DeviceProfile,
    watches: Vec<Watch>,
    /// Sync was acquired once: any later acquisition is a resync.
    synced: bool,
}

impl Dispatcher {
    /// A dispatcher decoding with `config`, with the ModularEEG device profile at the
    /// decoder's nominal rate.
    ///
    /// # Panics
    /// If `config.sample_rate_hz` is not finite and positive.
    pub fn new(config: DecoderConfig) -> Self {
        let rate = config.sample_rate_hz;
        Self::with_profile(
            config,
            DeviceProfile {
                nominal_rate_hz: rate,
                ..DeviceProfile::modular_eeg()
            },
        )
    }

    /// A dispatcher with a device profile (microvolt scale and nominal rate, which replaces
    /// the decoder's).
    ///
    /// # Panics
    /// If the profile's nominal rate is not finite and positive.
    pub fn with_profile(mut config: DecoderConfig, profile: DeviceProfile) -> Self {
        config.sample_rate_hz = profile.nominal_rate_hz;
        Self {
            timed: TimedDecoder::new(config),
            profile,
            watches: Vec::new(),
            synced: false,
        }
    }

    /// Watches `channel` (0-based) for threshold crossings in microvolts, with hysteresis and
    /// a minimum duration: [`Handler::threshold`].
    pub fn watch_threshold(&mut self, channel: usize, config: ThresholdConfig) -> &mut Self {
        self.watch(channel, Detector::Threshold(ThresholdDetector::new(config)))
    }

    /// Watches the power of `channel` in a band (microvolts squared, sliding window) rising
    /// above or falling below the configured level: [`Handler::band_power`].
    pub fn watch_band_power(&mut self, channel: usize, config: BandPowerConfig) -> &mut Self {
        self.watch(channel, Detector::BandPower(BandPowerDetector::new(config)))
    }

    /// Watches the signal quality of `channel` (railed, flat, mains hum):
    /// [`Handler::quality`].
    pub fn watch_quality(&mut self, channel: usize, config: QualityConfig) -> &mut Self {
        self.watch(channel, Detector::Quality(QualityMonitor::new(config)))
    }

    /// Feeds bytes without an arrival time and dispatches what they complete.
    pub fn push<H: Handler + ?Sized>(&mut self, bytes: &[u8], handler: &mut H) -> ControlFlow<()> {
        self.timed.push(bytes);
        self.resume(handler)
    }

    /// Feeds bytes that arrived at `arrival` (any monotonic clock) and dispatches what they
    /// complete. Times then follow that clock, at the rate the clock model measures.
    pub fn push_at<H: Handler + ?Sized>(
        &mut self,
        bytes: &[u8],
        arrival: Duration,
        handler: &mut H,
    ) -> ControlFlow<()> {
        self.timed.push_at(bytes, arrival);
        self.resume(handler)
    }

    /// The source went quiet: a packet held for proof is released and dispatched.
    pub fn quiet<H: Handler + ?Sized>(&mut self, handler: &mut H) -> ControlFlow<()> {
        self.timed.quiet();
        self.resume(handler)
    }

    /// The device went away: a packet held for proof is released and dispatched.
    pub fn device_gone<H: Handler + ?Sized>(&mut self, handler: &mut H) -> ControlFlow<()> {
        self.timed.device_gone();
        self.resume(handler)
    }

    /// The device came back: times find its phase again at the next packet. Call it with
    /// nothing left to [`resume`](Self::resume).
    pub fn device_back(&mut self) {
        self.timed.device_back();
    }

    /// The input ended: dispatches everything left.
    pub fn finish<H: Handler + ?Sized>(&mut self, handler: &mut H) -> ControlFlow<()> {
        self.timed.finish();
        self.resume(handler)
    }

    /// Dispatches the events already decoded (after a hook stopped dispatching).
    pub fn resume<H: Handler + ?Sized>(&mut self, handler: &mut H) -> ControlFlow<()> {
        while let Some(timed) = self.timed.poll() {
            self.dispatch(timed, handler)?;
        }
        ControlFlow::Continue(())
    }

    /// The decoder, for its statistics and protocol.
    pub fn decoder(&self) -> &Decoder {
        self.timed.decoder()
    }

    /// The clock model, for the measured sample rate and drift.
    pub fn clock(&self) -> &Clock {
        self.timed.clock()
    }

    fn watch(&mut self, channel: usize, detector: Detector) -> &mut Self {
        self.watches.push(Watch { channel, detector });
        self
    }

    /// Hands one event to every hook concerned. All of them run even if one breaks, so
    /// detectors never miss a sample; the break takes effect before the next event.
    fn dispatch<H: Handler + ?Sized>(&mut self, timed: Timed, handler: &mut H) -> ControlFlow<()> {
        let Timed { event, t } = timed;
        let mut flow = ControlFlow::Continue(());
        let mut merge = |f: ControlFlow<()>| {
            if f.is_break() {
                flow = f;
            }
        };
        match event {
            Event::Packet(ref packet) => {
                merge(handler.packet(packet, t));
                for watch in &mut self.watches {
                    merge(watch.feed(packet, t, &self.profile, handler));
                }
            }
            Event::PacketsLost {
                count,
                first_sample_index,
            } => {
                self.gap();
                merge(handler.loss(count, first_sample_index, t));
            }
            // The device's signal starts afresh: no window may span the restart.
            Event::Restart {
                sample_index,
                previous_counter,
                counter,
                evidence,
            } => {
                self.gap();
                merge(handler.restart(sample_index, previous_counter, counter, evidence, t));
            }
            Event::SyncAcquired { skipped_bytes, .. } => {
                // The first sync is no resync.
                if self.synced {
                    merge(handler.resync(skipped_bytes, t));
                }
                self.synced = true;
            }
            Event::SwitchChanged {
                previous, current, ..
            } => {
                for bit in 0..4u8 {
                    let mask = 1 << bit;
                    if (previous ^ current) & mask == 0 {
                        continue;
                    }
                    // Switches pull up: a pressed switch clears its bit.
                    merge(if current & mask == 0 {
                        handler.switch_pressed(bit + 1, t)
                    } else {
                        handler.switch_released(bit + 1, t)
                    });
                }
            }
            _ => {}
        }
        merge(handler.event(&event, t));
        flow
    }

    /// Samples do not continue the previous ones: every detector starts its window again.
    fn gap(&mut self) {
        for watch in &mut self.watches {
            watch.gap();
        }
    }
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("timed", &self.timed)
            .field("profile", &self.profile)
            .field("watches", &self.watches.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
