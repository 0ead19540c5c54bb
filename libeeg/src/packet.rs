//! One decoded sample frame.

use std::time::Duration;

use crate::Protocol;

/// Number of channel slots in every packet (the EEG-SMT fills only the first two with signal).
pub const CHANNELS: usize = 6;

/// Mid-scale of the 10-bit ADC: the code that means 0 V.
pub const MID_SCALE: u16 = 512;

/// Largest 10-bit ADC code.
pub const MAX_CODE: u16 = 1023;

/// A packet whose bytes the decoder has proven well framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// Which framing carried it.
    pub protocol: Protocol,
    /// The packet counter as sent (8-bit for P2, 6-bit for P3).
    pub counter: u8,
    /// Channels the packet carried: 6 for P2, 0, 2, 4 or 6 for P3.
    pub channel_count: u8,
    /// Raw 10-bit ADC codes (0..=1023). Slots beyond `channel_count` hold [`MID_SCALE`].
    pub samples: [u16; CHANNELS],
    /// Switch inputs, bits 3..0; a pressed switch clears its bit (idle is `0x0F`).
    /// P3 sends them every 8th packet; the other packets repeat the last value received.
    pub switches: u8,
    /// P3 auxiliary byte (id character, switches or 0, by `counter & 7`); `None` for P2.
    pub aux: Option<u8>,
    /// Position of this sample in the stream, counting lost packets, starting at 0.
    pub sample_index: u64,
    /// When the chunk holding the packet's last byte arrived, if the caller supplied times.
    pub arrival: Option<Duration>,
}

impl Packet {
    /// The samples the packet actually carried.
    pub fn channels(&self) -> &[u16] {
        &self.samples[..usize::from(self.channel_count)]
    }
}
