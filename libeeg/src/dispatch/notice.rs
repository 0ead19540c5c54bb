//! What the callbacks receive: each notice carries its sample-time timestamp.

use crate::detect::{BandPowerEvent, QualityEvent, ThresholdEvent};
use crate::{Event, Packet};

/// A packet with its timestamp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacketNotice {
    /// The packet.
    pub packet: Packet,
    /// Its sample time in seconds, from the clock model (on the arrival clock when the caller
    /// gives arrival times, else `sample_index / rate` from the stream's start).
    pub t: f64,
}

/// Packets are missing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossNotice {
    /// How many.
    pub count: u64,
    /// Sample index of the first missing packet.
    pub first_sample_index: u64,
    /// Sample time of the first missing packet.
    pub t: f64,
}

/// The decoder framed packets again after losing sync.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResyncNotice {
    /// Bytes discarded while out of sync.
    pub skipped_bytes: u64,
    /// Sample time of the first packet after the resync.
    pub t: f64,
}

/// A switch was pressed or released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchAction {
    /// The switch closed (its bit went to 0).
    Pressed,
    /// The switch opened (its bit went back to 1).
    Released,
}

/// One switch changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwitchNotice {
    /// Which switch, 1..=4 (bit 0 is switch 1, wired to PD2).
    pub switch: u8,
    /// Pressed or released.
    pub action: SwitchAction,
    /// Sample index of the first packet with the new state.
    pub sample_index: u64,
    /// Its sample time.
    pub t: f64,
}

/// A detector on one channel reported something.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelNotice<E> {
    /// The channel, 0-based.
    pub channel: usize,
    /// What the detector reported (with its own timestamp).
    pub event: E,
}

/// A threshold crossing on a channel (values in microvolts).
pub type ThresholdNotice = ChannelNotice<ThresholdEvent>;
/// A band-power change on a channel (power in microvolts squared).
pub type BandPowerNotice = ChannelNotice<BandPowerEvent>;
/// A signal-quality change on a channel.
pub type QualityNotice = ChannelNotice<QualityEvent>;

/// Any decoder event with the sample time it refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct EventNotice {
    /// The event.
    pub event: Event,
    /// Sample time of the latest packet delivered when the event happened (0 before any).
    pub t: f64,
}
