//! Closures as handlers, for programs that need one hook and no type of their own.

use std::ops::ControlFlow;

use super::Handler;
use crate::{Event, Packet};

/// A [`Handler`] that calls its closure with every packet and its time.
///
/// ```
/// use std::ops::ControlFlow;
/// use libeeg::dispatch::{Dispatcher, OnPacket};
/// use libeeg::DecoderConfig;
///
/// let bytes = libeeg::sim::Simulator::new(Default::default()).packets(512);
/// let mut eeg = Dispatcher::new(DecoderConfig::default());
/// let mut last = 0.0;
/// let _ = eeg.push(&bytes, &mut OnPacket(|_packet, t| {
///     last = t;
///     ControlFlow::Continue(())
/// }));
/// assert_eq!(last, 510.0 / 256.0); // the last packet waits for the next one, or `finish`
/// ```
pub struct OnPacket<F>(pub F)
where
    F: FnMut(&Packet, f64) -> ControlFlow<()>;

impl<F> Handler for OnPacket<F>
where
    F: FnMut(&Packet, f64) -> ControlFlow<()>,
{
    fn packet(&mut self, packet: &Packet, t: f64) -> ControlFlow<()> {
        (self.0)(packet, t)
    }
}

/// A [`Handler`] that calls its closure with every decoder event and its time.
pub struct OnEvent<F>(pub F)
where
    F: FnMut(&Event, f64) -> ControlFlow<()>;

impl<F> Handler for OnEvent<F>
where
    F: FnMut(&Event, f64) -> ControlFlow<()>,
{
    fn event(&mut self, event: &Event, t: f64) -> ControlFlow<()> {
        (self.0)(event, t)
    }
}
