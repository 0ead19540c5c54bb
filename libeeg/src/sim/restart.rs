//! Device restarts (PROTOCOL.md, "Device behaviour beyond transport damage"): when the board
//! resets, and what it sends while it boots and comes back. The shape is documented on
//! [`FaultConfig::restart`](super::FaultConfig::restart); its numbers live here.

use std::ops::RangeInclusive;

use super::rng::Rng;
use crate::Protocol;

/// Bytes of boot noise after the cut packet.
const BOOT_NOISE_BYTES: RangeInclusive<usize> = 0..=40;
/// Frames the board spends booting in silence: 0.25-1.5 s at 256 Hz.
const BOOT_FRAMES: RangeInclusive<usize> = 64..=384;
/// Share of P2 restarts that send a reset signal, as the Olimex shield's sketch does; other
/// firmware (and a ModularEEG after a brown-out) sends none.
const RESET_SIGNAL_SHARE: f64 = 0.75;
/// Share of reset signals whose packets carry the normal switches instead of 0x02.
const SIGNAL_KEEPS_SWITCHES_SHARE: f64 = 0.25;
/// Switches of the sketch's reset-signal packets (its normal packets carry 0x01).
const SIGNAL_SWITCHES: u8 = 0x02;

/// What the device does with one frame's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// It is booting: the frame passes and nothing is sent.
    Booting,
    /// It sends a reset-signal packet: counter 0, every channel at mid-scale.
    ResetSignal {
        /// The packet's switches, or `None` to keep the frame's.
        switches: Option<u8>,
    },
    /// It sends the frame as a normal packet.
    Normal,
}

/// How one restart ends the packet on the wire, and how the device counts when it is back.
#[derive(Debug, Clone)]
pub(super) struct Restart {
    /// How many of the packet's first bytes reach the wire (1..len-1).
    pub(super) cut: usize,
    /// Boot noise after them.
    pub(super) noise: Vec<u8>,
    /// The counter of the first normal packet after the boot and any reset signal.
    pub(super) first_counter: u8,
}

/// When the device restarts, and where it is in booting and signalling since.
///
/// It draws from two generators of its own, so restarts never move the transport faults'
/// numbers, and it draws the decision for every frame, booting or not, so a restart rate moves
/// no other restart either.
#[derive(Debug, Clone)]
pub(super) struct Restarts {
    decide: Rng,
    shape: Rng,
    /// Frames still to pass in silence.
    booting: usize,
    /// Reset-signal packets still to send.
    signal_left: usize,
    /// Their switches (`None`: the frames' own).
    signal_switches: Option<u8>,
}

impl Restarts {
    /// A device that is running, reproducible for `seed` (sub-streams 3 and 4; the injector
    /// uses 1 and 2).
    pub(super) fn new(seed: u64) -> Self {
        Self {
            decide: Rng::stream(seed, 3),
            shape: Rng::stream(seed, 4),
            booting: 0,
            signal_left: 0,
            signal_switches: None,
        }
    }

    /// Whether the device restarts during this frame's packet, with probability `rate`.
    /// Call once for every frame.
    pub(super) fn draw(&mut self, rate: f64) -> bool {
        self.decide.chance(rate)
    }

    /// What this frame is used for; moves on through the boot and the reset signal.
    pub(super) fn next_slot(&mut self) -> Slot {
        if self.booting > 0 {
            self.booting -= 1;
            Slot::Booting
        } else if self.signal_left > 0 {
            self.signal_left -= 1;
            Slot::ResetSignal {
                switches: self.signal_switches,
            }
        } else {
            Slot::Normal
        }
    }

    /// Restarts the device while a packet of `packet_len` bytes is on the wire: draws how it
    /// ends, and plans the boot and the reset signal for the frames that follow.
    pub(super) fn restart(&mut self, protocol: Protocol, packet_len: usize) -> Restart {
        let rng = &mut self.shape;
        let cut = rng.inclusive(1, packet_len - 1);
        let noise_len = rng.inclusive(*BOOT_NOISE_BYTES.start(), *BOOT_NOISE_BYTES.end());
        let noise = (0..noise_len).map(|_| rng.byte()).collect();
        self.booting = rng.inclusive(*BOOT_FRAMES.start(), *BOOT_FRAMES.end());
        let signals = protocol == Protocol::P2 && rng.chance(RESET_SIGNAL_SHARE);
        let first_counter = if signals {
            self.signal_left = signal_length(rng);
            let keeps_switches = rng.chance(SIGNAL_KEEPS_SWITCHES_SHARE);
            self.signal_switches = (!keeps_switches).then_some(SIGNAL_SWITCHES);
            // The sketch's first normal packet repeats counter 0.
            0
        } else {
            self.signal_left = 0;
            match protocol {
                Protocol::P2 => rng.inclusive(0, 1) as u8,
                Protocol::P3 => 0,
            }
        };
        Restart {
            cut,
            noise,
            first_counter,
        }
    }
}

/// Packets in one reset signal.
fn signal_length(rng: &mut Rng) -> usize {
    match rng.below(4) {
        // Cut short by the next reset, or the host opened the port late.
        0 => rng.inclusive(1, 3),
        // Several resets in a row: real captures show 376.
        1 => rng.inclusive(257, 768),
        // One second at 125-256 Hz.
        _ => rng.inclusive(125, 256),
    }
}

#[cfg(test)]
mod tests;
