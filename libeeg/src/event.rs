//! What the decoder reports.

use crate::{Packet, Protocol};

/// One thing the decoder learned from the byte stream, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A packet whose framing is proven.
    Packet(Packet),
    /// Packets are missing before the next packet, counted from the counter gap (and, when
    /// arrival times are given, the elapsed time).
    PacketsLost {
        /// How many packets are missing.
        count: u64,
        /// Sample index of the first missing packet.
        first_sample_index: u64,
    },
    /// The stream stopped matching the packet framing at this byte offset.
    SyncLost {
        /// Offset in the stream of the first byte that could not be framed.
        at_byte: u64,
    },
    /// The decoder framed packets again (or for the first time).
    SyncAcquired {
        /// The protocol framed.
        protocol: Protocol,
        /// Bytes discarded since sync was lost (or since the start of the stream).
        skipped_bytes: u64,
    },
    /// The switch inputs changed.
    SwitchChanged {
        /// Sample index of the first packet with the new value.
        sample_index: u64,
        /// Switches before (bits 3..0, pressed = 0).
        previous: u8,
        /// Switches now.
        current: u8,
    },
    /// The device restarted, or its counter jumped where the evidence shows that no packets
    /// were lost (see [`RestartEvidence`]). Not a loss: the next packet follows the last one
    /// in sample index, and nothing is counted in [`Stats::lost`](crate::Stats::lost). A
    /// consumer timing packets by their arrival should find the phase again (the device's
    /// sampling clock started afresh).
    Restart {
        /// Sample index of the first packet after the restart.
        sample_index: u64,
        /// Counter of the last packet before it.
        previous_counter: u8,
        /// Counter of the first packet after it.
        counter: u8,
        /// What showed that this is not a loss.
        evidence: RestartEvidence,
    },
    /// The counter repeated instead of advancing (firmware start-up runs do this). Reported once
    /// per run; the packets are real and are delivered.
    CounterStalled {
        /// The repeated counter value.
        counter: u8,
        /// Sample index of the first repeated packet.
        sample_index: u64,
    },
    /// A P3 device spelled out its id string (e.g. "mEEGv1.0"); reported once it is complete.
    DeviceId(String),
    /// At end of input these bytes could not be made into a packet.
    TrailingBytes {
        /// How many bytes were left.
        count: u64,
    },
}

/// Why the decoder read a counter jump as a restart rather than as lost packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RestartEvidence {
    /// The counter jumped to 0 and the next packet repeats it, or the packet is a reset
    /// signal's (counter 0, every channel at mid-scale): a firmware's start-up run (the Olimex
    /// shield's sketch sends a second of such packets, switches 0x02, to signal a reset).
    ResetSignal,
    /// Arrival times show that less time passed than the packets the jump would have lost take
    /// to sample.
    ElapsedTime,
}

impl RestartEvidence {
    /// A short name for outputs: `reset-signal` or `elapsed-time`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ResetSignal => "reset-signal",
            Self::ElapsedTime => "elapsed-time",
        }
    }
}
