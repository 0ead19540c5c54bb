//! What the reader hands to its outputs: packets with wall-clock timestamps, and stream events.

use libeeg::{CHANNELS, Protocol};

/// One packet, ready to write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    /// Sample time in microseconds since the Unix epoch, from the clock model.
    pub timestamp_us: i64,
    /// Position in the session, counting lost packets.
    pub sample_index: u64,
    /// P2 or P3.
    pub protocol: Protocol,
    /// The packet counter as sent.
    pub counter: u8,
    /// Raw 10-bit codes.
    pub samples: [u16; CHANNELS],
    /// The same in microvolts, through the device profile.
    pub microvolts: [f64; CHANNELS],
    /// Switch inputs, bits 3..0 (pressed = 0).
    pub switches: u8,
}

/// Something that happened in the stream, written as a `#` line, a JSON object, a gap row or an
/// annotation depending on the output.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// Packets are missing before the next record.
    Lost {
        /// How many.
        count: u64,
        /// Sample index of the first missing packet.
        first_sample_index: u64,
        /// Its sample time, microseconds since the Unix epoch.
        timestamp_us: i64,
    },
    /// The byte stream stopped matching the packet framing.
    SyncLost {
        /// Offset of the first byte that did not fit.
        at_byte: u64,
    },
    /// Packets are framed again.
    Resync {
        /// Bytes discarded meanwhile.
        skipped_bytes: u64,
    },
    /// The decoder recognised the protocol.
    Protocol(Protocol),
    /// A P3 device spelt out its id.
    DeviceId(String),
    /// The device went away (unplugged, reset); outputs stay open.
    DeviceGone {
        /// What happened, for people.
        reason: String,
        /// Wall-clock time, microseconds since the Unix epoch.
        timestamp_us: i64,
    },
    /// The device is back; the gap since `DeviceGone` is an outage.
    DeviceBack {
        /// Which device (path or USB serial number).
        device: String,
        /// Wall-clock time, microseconds since the Unix epoch.
        timestamp_us: i64,
    },
    /// A switch changed.
    Switches {
        /// Sample index of the first packet with the new value.
        sample_index: u64,
        /// Before.
        previous: u8,
        /// Now.
        current: u8,
    },
    /// The device restarted, or its counter jumped where no packets can have been lost: not a
    /// loss; the next record follows the last in sample index.
    Restart {
        /// Sample index of the first packet after it.
        sample_index: u64,
        /// Its sample time, microseconds since the Unix epoch.
        timestamp_us: i64,
        /// Counter before the jump.
        previous_counter: u8,
        /// Counter after it.
        counter: u8,
        /// What showed it was a restart.
        evidence: libeeg::RestartEvidence,
    },
    /// The counter repeated (firmware start-up runs).
    CounterStalled {
        /// The repeated value.
        counter: u8,
    },
    /// Bytes at the end of the input that made no packet.
    TrailingBytes {
        /// How many.
        count: u64,
    },
}
