//! Event callbacks for programs: decode a stream and have code called on packets, loss,
//! resyncs, switch presses and releases, threshold crossings, band-power changes and
//! signal-quality changes, each with its sample-time timestamp.

mod flow;
mod notice;
mod watch;

use std::ops::ControlFlow;
use std::time::Duration;

pub use self::flow::CallbackResult;
use self::flow::{Callback, boxed, call_all};
pub use self::notice::{
    BandPowerNotice, ChannelNotice, EventNotice, LossNotice, PacketNotice, QualityNotice,
    ResyncNotice, SwitchAction, SwitchNotice, ThresholdNotice,
};
use self::watch::{Detector, Watch};
use crate::clock::Clock;
use crate::detect::{
    BandPowerConfig, BandPowerDetector, QualityConfig, QualityMonitor, ThresholdConfig,
    ThresholdDetector,
};
use crate::units::DeviceProfile;
use crate::{Decoder, DecoderConfig, Event};

/// Decodes a byte stream and calls the callbacks registered for what happens in it.
///
/// Register callbacks with the `on_*` methods, then feed bytes with [`push`](Self::push) (or
/// [`push_at`](Self::push_at) with arrival times, which makes timestamps follow the real clock)
/// and call [`finish`](Self::finish) at the end. Callbacks return `()` or a
/// [`ControlFlow`]; `ControlFlow::Break(())` stops dispatching after the current event, the
/// rest stays queued, and [`resume`](Self::resume) goes on. Threshold and band-power detectors
/// see microvolts through the [`DeviceProfile`]; the quality monitor sees raw codes. Detectors
/// restart their windows after lost packets instead of computing across the gap.
///
/// ```
/// use libeeg::detect::{Band, BandPowerConfig};
/// use libeeg::sim::{SimConfig, Simulator};
/// use libeeg::{DecoderConfig, Dispatcher};
///
/// let mut eeg = Dispatcher::new(DecoderConfig::default());
/// eeg.on_band_power(0, BandPowerConfig::new(Band::ALPHA, 256.0, 200.0), |alpha| {
///     println!("alpha {:?} at {:.2} s", alpha.event.kind, alpha.event.t);
/// });
/// eeg.on_loss(|loss| println!("{} packets lost at {:.2} s", loss.count, loss.t));
/// let bytes = Simulator::new(SimConfig::default()).packets(256 * 20);
/// eeg.push(&bytes);
/// eeg.finish();
/// ```
pub struct Dispatcher {
    decoder: Decoder,
    clock: Clock,
    profile: DeviceProfile,
    /// Sample time of the latest packet delivered.
    now: f64,
    packet: Vec<Callback<PacketNotice>>,
    loss: Vec<Callback<LossNotice>>,
    resync: Vec<Callback<ResyncNotice>>,
    switch: Vec<Callback<SwitchNotice>>,
    event: Vec<Callback<EventNotice>>,
    watches: Vec<Watch>,
}

/// How often (in packets) the decoder's gap-resolving rate follows the clock's estimate.
const RATE_UPDATE_PACKETS: u64 = 64;

impl Dispatcher {
    /// A dispatcher decoding with `config`, with the ModularEEG device profile and the
    /// decoder's nominal rate for the clock.
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

    /// A dispatcher with a device profile (microvolt scale and nominal rate).
    pub fn with_profile(mut config: DecoderConfig, profile: DeviceProfile) -> Self {
        config.sample_rate_hz = profile.nominal_rate_hz;
        Self {
            decoder: Decoder::new(config),
            clock: Clock::new(profile.nominal_rate_hz),
            profile,
            now: 0.0,
            packet: Vec::new(),
            loss: Vec::new(),
            resync: Vec::new(),
            switch: Vec::new(),
            event: Vec::new(),
            watches: Vec::new(),
        }
    }

    /// Calls `f` for every packet.
    pub fn on_packet<R: CallbackResult>(
        &mut self,
        f: impl FnMut(&PacketNotice) -> R + 'static,
    ) -> &mut Self {
        self.packet.push(boxed(f));
        self
    }

    /// Calls `f` when packets are lost.
    pub fn on_loss<R: CallbackResult>(
        &mut self,
        f: impl FnMut(&LossNotice) -> R + 'static,
    ) -> &mut Self {
        self.loss.push(boxed(f));
        self
    }

    /// Calls `f` when the decoder regains sync after losing it.
    pub fn on_resync<R: CallbackResult>(
        &mut self,
        f: impl FnMut(&ResyncNotice) -> R + 'static,
    ) -> &mut Self {
        self.resync.push(boxed(f));
        self
    }

    /// Calls `f` for each switch pressed or released.
    pub fn on_switch<R: CallbackResult>(
        &mut self,
        f: impl FnMut(&SwitchNotice) -> R + 'static,
    ) -> &mut Self {
        self.switch.push(boxed(f));
        self
    }

    /// Calls `f` for every decoder event (packets included), for what the other hooks leave
    /// out: device id, stalled counters, sync lost, trailing bytes.
    pub fn on_event<R: CallbackResult>(
        &mut self,
        f: impl FnMut(&EventNotice) -> R + 'static,
    ) -> &mut Self {
        self.event.push(boxed(f));
        self
    }

    /// Calls `f` when `channel` (0-based) crosses a threshold in microvolts, with hysteresis
    /// and a minimum duration.
    pub fn on_threshold<R: CallbackResult>(
        &mut self,
        channel: usize,
        config: ThresholdConfig,
        f: impl FnMut(&ThresholdNotice) -> R + 'static,
    ) -> &mut Self {
        let detector = Detector::Threshold(ThresholdDetector::new(config), boxed(f));
        self.watches.push(Watch { channel, detector });
        self
    }

    /// Calls `f` when the power of `channel` in a band (microvolts squared, sliding window)
    /// rises above or falls below the configured level.
    pub fn on_band_power<R: CallbackResult>(
        &mut self,
        channel: usize,
        config: BandPowerConfig,
        f: impl FnMut(&BandPowerNotice) -> R + 'static,
    ) -> &mut Self {
        let detector = Detector::BandPower(BandPowerDetector::new(config), boxed(f));
        self.watches.push(Watch { channel, detector });
        self
    }

    /// Calls `f` when the signal quality of `channel` changes (railed, flat, mains hum).
    pub fn on_quality<R: CallbackResult>(
        &mut self,
        channel: usize,
        config: QualityConfig,
        f: impl FnMut(&QualityNotice) -> R + 'static,
    ) -> &mut Self {
        let detector = Detector::Quality(QualityMonitor::new(config), boxed(f));
        self.watches.push(Watch { channel, detector });
        self
    }

    /// Feeds bytes without an arrival time and dispatches what they complete.
    pub fn push(&mut self, bytes: &[u8]) -> ControlFlow<()> {
        self.decoder.push(bytes);
        self.resume()
    }

    /// Feeds bytes that arrived at `arrival` (any monotonic clock) and dispatches what they
    /// complete. Timestamps then follow that clock, at the rate the clock model estimates.
    pub fn push_at(&mut self, bytes: &[u8], arrival: Duration) -> ControlFlow<()> {
        self.decoder.push_at(bytes, arrival);
        self.resume()
    }

    /// The source went quiet: a packet held for proof is released and dispatched.
    pub fn quiet(&mut self) -> ControlFlow<()> {
        self.decoder.quiet();
        self.resume()
    }

    /// The input ended: dispatches everything left.
    pub fn finish(&mut self) -> ControlFlow<()> {
        self.decoder.finish();
        self.resume()
    }

    /// Dispatches events already decoded (after a callback stopped dispatching).
    pub fn resume(&mut self) -> ControlFlow<()> {
        while let Some(event) = self.decoder.poll() {
            self.dispatch(event)?;
        }
        ControlFlow::Continue(())
    }

    /// The decoder, for its statistics and protocol.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The clock model, for the estimated sample rate and drift.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Hands one event to every callback concerned. All of them run even if one breaks, so
    /// detectors never miss a sample; the break takes effect before the next event.
    fn dispatch(&mut self, event: Event) -> ControlFlow<()> {
        let mut flow = ControlFlow::Continue(());
        let mut merge = |f: ControlFlow<()>| {
            if f.is_break() {
                flow = f;
            }
        };
        match &event {
            Event::Packet(packet) => {
                self.now = match packet.arrival {
                    Some(arrival) => self.clock.observe(packet.sample_index, arrival),
                    None => self.clock.timestamp(packet.sample_index),
                };
                if packet.sample_index % RATE_UPDATE_PACKETS == 0 && self.clock.rate_is_measured() {
                    self.decoder.set_sample_rate(self.clock.rate_hz());
                }
                merge(call_all(
                    &mut self.packet,
                    &PacketNotice {
                        packet: *packet,
                        t: self.now,
                    },
                ));
                for watch in &mut self.watches {
                    merge(watch.feed(packet, self.now, &self.profile));
                }
            }
            &Event::PacketsLost {
                count,
                first_sample_index,
            } => {
                for watch in &mut self.watches {
                    watch.gap();
                }
                let t = self.clock.timestamp(first_sample_index);
                merge(call_all(
                    &mut self.loss,
                    &LossNotice {
                        count,
                        first_sample_index,
                        t,
                    },
                ));
            }
            // The device's sampling clock started afresh: find its phase again (arrival times
            // give the first packet's time), and let detectors start new windows.
            Event::Restart { .. } => {
                self.clock.reset();
                for watch in &mut self.watches {
                    watch.gap();
                }
            }
            // The time of a resync is that of the packet it found, which comes next.
            &Event::SyncAcquired { skipped_bytes, .. } if self.decoder.stats().resyncs > 0 => {
                let t = self.now + 1.0 / self.clock.rate_hz();
                merge(call_all(
                    &mut self.resync,
                    &ResyncNotice { skipped_bytes, t },
                ));
            }
            &Event::SwitchChanged {
                sample_index,
                previous,
                current,
            } => {
                let t = self.clock.timestamp(sample_index);
                for bit in 0..4u8 {
                    let mask = 1 << bit;
                    if (previous ^ current) & mask != 0 {
                        let action = if current & mask == 0 {
                            SwitchAction::Pressed
                        } else {
                            SwitchAction::Released
                        };
                        let notice = SwitchNotice {
                            switch: bit + 1,
                            action,
                            sample_index,
                            t,
                        };
                        merge(call_all(&mut self.switch, &notice));
                    }
                }
            }
            _ => {}
        }
        if !self.event.is_empty() {
            let t = self.now;
            merge(call_all(&mut self.event, &EventNotice { event, t }));
        }
        flow
    }
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("decoder", &self.decoder)
            .field("clock", &self.clock)
            .field("profile", &self.profile)
            .field("watches", &self.watches.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
