//! What a program implements to be told what happens in a stream.

use std::ops::ControlFlow;

use crate::detect::{BandPowerEvent, QualityEvent, ThresholdEvent};
use crate::{Event, Packet, RestartEvidence};

/// The hooks a [`Dispatcher`](super::Dispatcher) calls; each does nothing unless implemented.
///
/// Times `t` are seconds, as [`Timed::t`](crate::Timed::t): on the caller's arrival clock with
/// `push_at`, else from the stream's start. Detector events carry their own time. For each
/// event the hook for its kind runs first, then (for a packet) the detectors' hooks, then
/// [`event`](Self::event). A hook that returns `ControlFlow::Break(())` stops dispatching after
/// the current event (the other hooks still see it); the rest stays queued for
/// [`resume`](super::Dispatcher::resume).
///
/// State lives in the implementing type's own fields, and the dispatcher borrows the handler
/// only for the call that is given it. For one hook, [`OnPacket`](super::OnPacket) and
/// [`OnEvent`](super::OnEvent) take a closure.
///
/// ```
/// use std::ops::ControlFlow;
/// use libeeg::dispatch::{Dispatcher, Handler};
/// use libeeg::{DecoderConfig, Packet};
///
/// #[derive(Default)]
/// struct Peak {
///     highest: u16,
/// }
///
/// impl Handler for Peak {
///     fn packet(&mut self, packet: &Packet, _t: f64) -> ControlFlow<()> {
///         self.highest = self.highest.max(packet.samples[0]);
///         ControlFlow::Continue(())
///     }
/// }
///
/// let bytes = libeeg::sim::Simulator::new(Default::default()).packets(256);
/// let mut eeg = Dispatcher::new(DecoderConfig::default());
/// let mut peak = Peak::default();
/// let _ = eeg.push(&bytes, &mut peak);
/// let _ = eeg.finish(&mut peak);
/// assert!(peak.highest > 512);
/// ```
#[allow(unused_variables)] // the defaults ignore their arguments
pub trait Handler {
    /// A packet, sampled at `t`.
    fn packet(&mut self, packet: &Packet, t: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// `count` packets are missing from `first_sample_index` on, the first at `t`.
    fn loss(&mut self, count: u64, first_sample_index: u64, t: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// The decoder framed packets again after `skipped_bytes` it could not frame; `t` is the
    /// time of the packet it found.
    fn resync(&mut self, skipped_bytes: u64, t: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// The device restarted (see [`Event::Restart`]); `t` is the time of its first packet,
    /// `sample_index`.
    fn restart(
        &mut self,
        sample_index: u64,
        previous_counter: u8,
        counter: u8,
        evidence: RestartEvidence,
        t: f64,
    ) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// Switch `switch` (1..=4; switch 1 is bit 0, wired to PD2) closed at `t`.
    fn switch_pressed(&mut self, switch: u8, t: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// Switch `switch` opened again at `t`.
    fn switch_released(&mut self, switch: u8, t: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// A watched `channel` (0-based) crossed its threshold (microvolts).
    fn threshold(&mut self, channel: usize, crossing: &ThresholdEvent) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// The band power of a watched `channel` rose above or fell below its level (microvolts
    /// squared).
    fn band_power(&mut self, channel: usize, change: &BandPowerEvent) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// The signal quality of a watched `channel` changed (railed, flat, mains hum).
    fn quality(&mut self, channel: usize, change: &QualityEvent) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// Any decoder event, packets included, after the hooks above: for what they leave out
    /// (device id, stalled counters, sync lost, trailing bytes).
    fn event(&mut self, event: &Event, t: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}
