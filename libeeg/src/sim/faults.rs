//! What the fault injector is asked for and what it reports: which faults to inject
//! ([`FaultConfig`]), and the damaged bytes with the truth about every packet in them
//! ([`Damaged`]), so a decoder's output can be scored against the truth. [`inject`](super::inject)
//! and [`FaultInjector`](super::FaultInjector) do the damage.

use std::fmt;

use crate::CHANNELS;

/// Per-packet fault probabilities, each drawn independently for every packet. The default
/// injects nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultConfig {
    /// Delete one random byte of the packet.
    pub drop_byte: f64,
    /// Insert junk before or inside the packet: 1-40 random bytes, a fake header with a
    /// truncated body, `A5 5A A5 5A`, `A5 A5 5A`, a lone `A5`, or an ASCII text line.
    pub insert_junk: f64,
    /// Delete 1..=64 contiguous bytes starting inside the packet; the run may continue into
    /// the following packets, as when a USB host falls behind.
    pub drop_burst: f64,
    /// The packet is never sent (its counter is still used up).
    pub remove_packet: f64,
    /// From this packet on, the counter is offset by a random non-zero amount, as after a
    /// firmware reset.
    pub counter_jump: f64,
    /// The packet loses its version and counter bytes (P2 only; ignored for P3).
    pub drop_header_bytes: f64,
    /// Pass every byte through a default-mode tty: 0x03, 0x11, 0x13, 0x1A and 0x1C are eaten,
    /// 0x0D becomes 0x0A.
    pub tty_mangle: bool,
    /// The device restarts while sending the packet, as a board does when the host opens the
    /// port or its supply browns out. Each restart, drawn when it happens:
    ///
    /// 1. cuts the packet short: 1..len-1 of its bytes reach the wire, and it takes no other
    ///    fault (a running burst and the tty still act on what comes out);
    /// 2. then 0-40 random bytes of boot noise;
    /// 3. then the board boots for 64-384 frames (0.25-1.5 s at 256 Hz): those frames pass
    ///    and no packet is sent;
    /// 4. then, P2 only, in 3 restarts out of 4, the reset signal of the Olimex shield's
    ///    sketch: packets with counter 0, all six channels at [`MID_SCALE`](crate::MID_SCALE)
    ///    and switches 0x02 (in 1 signal out of 4, the frames' own switches), for 1-3 packets
    ///    (1 signal in 4), 125-256 packets (one second at 125-256 Hz, 1 in 2) or 257-768
    ///    packets (several resets in a row, 1 in 4); the transport faults act on them as on
    ///    any packet;
    /// 5. then normal packets counting from 0 after a reset signal (the sketch's first normal
    ///    packet repeats counter 0); without one, from 0 or 1 (P2, as other firmware does) or
    ///    from 0 (P3, with the id string from its start).
    ///
    /// A restart may cut a reset-signal packet short too. [`Damaged::restarts`] says where
    /// each one happened.
    pub restart: f64,
}

impl FaultConfig {
    /// A mix for demos and soak tests: 1 % removed packets, 2 % single-byte drops, 2 % junk
    /// insertions, 0.5 % bursts, and a restart every 10,000 packets (39 s at 256 Hz).
    pub fn demo() -> Self {
        Self {
            drop_byte: 0.02,
            insert_junk: 0.02,
            drop_burst: 0.005,
            remove_packet: 0.01,
            restart: 1e-4,
            ..Self::default()
        }
    }
}

/// How many faults of each kind were injected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Packets never sent.
    pub removed_packets: usize,
    /// Single bytes deleted ([`FaultConfig::drop_byte`]).
    pub dropped_bytes: usize,
    /// Junk insertions.
    pub junk_insertions: usize,
    /// Junk bytes inserted (before any tty mangling).
    pub junk_bytes: usize,
    /// Bursts begun.
    pub bursts: usize,
    /// Bytes the bursts deleted.
    pub burst_bytes: usize,
    /// Counter jumps.
    pub counter_jumps: usize,
    /// Packets that lost their version and counter bytes.
    pub header_drops: usize,
    /// Bytes the tty ate.
    pub tty_eaten: usize,
    /// Carriage returns the tty turned into line feeds.
    pub tty_rewritten: usize,
    /// Device restarts ([`FaultConfig::restart`]).
    pub restarts: usize,
    /// Bytes of the packets cut short by restarts that never reached the wire.
    pub cut_bytes: usize,
    /// Boot noise bytes after them (before any tty mangling).
    pub boot_noise_bytes: usize,
    /// Frames that passed while the device booted: no packet was sent for them.
    pub boot_frames: usize,
    /// Reset-signal packets sent (each one is in [`Damaged::sent`]).
    pub reset_packets: usize,
}

impl fmt::Display for FaultCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} removed, {} byte drops, {} junk ({} bytes), {} bursts ({} bytes), \
             {} counter jumps, {} header drops, tty: {} eaten, {} CR->LF, \
             {} restarts ({} bytes cut, {} noise bytes, {} frames booting, {} reset packets)",
            self.removed_packets,
            self.dropped_bytes,
            self.junk_insertions,
            self.junk_bytes,
            self.bursts,
            self.burst_bytes,
            self.counter_jumps,
            self.header_drops,
            self.tty_eaten,
            self.tty_rewritten,
            self.restarts,
            self.cut_bytes,
            self.boot_noise_bytes,
            self.boot_frames,
            self.reset_packets
        )
    }
}

/// The truth about one packet the device meant to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentPacket {
    /// The counter it carried (after any counter jump).
    pub counter: u8,
    /// The P3 aux byte it carried; `None` for P2.
    pub aux: Option<u8>,
    /// Channels it carried (6 for P2).
    pub channel_count: u8,
    /// Samples as encoded (masked to 10 bits); slots beyond `channel_count` hold
    /// [`MID_SCALE`](crate::MID_SCALE), as a decoder reports them.
    pub samples: [u16; CHANNELS],
    /// The switches a decoder should report. P2: the packet's own. P3: the aux value for a
    /// packet with `counter & 7 == 4`; otherwise the value of the last such packet that arrived
    /// intact (0x0F before any), since a decoder can only repeat what it received.
    pub switches: u8,
    /// Never sent.
    pub removed: bool,
    /// Every byte reached the output unmodified and contiguous, with nothing inserted between
    /// its first and last byte (junk before or after does not count). False when removed.
    pub intact: bool,
}

/// A damaged byte stream and the truth about every packet in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Damaged {
    /// The bytes a reader would receive.
    pub bytes: Vec<u8>,
    /// One entry per packet the device meant to send, in order: one per frame, except for
    /// the frames that passed while it booted after a restart ([`FaultCounts::boot_frames`]).
    /// Reset-signal packets are packets; the packet a restart cut short is sent, not intact.
    pub sent: Vec<SentPacket>,
    /// For each restart, in order, the index in `sent` of the first packet after it (`sent.len()`
    /// when the stream ends before that packet); the packet before it is the one cut short.
    pub restarts: Vec<usize>,
    /// When the bytes were written, for decoding with arrival times as a live reader would:
    /// (stream offset just past the bytes of one frame, that frame's number counting from 0,
    /// boot frames included). At `rate` Hz the bytes up to the offset were on the wire at
    /// `number / rate` seconds, plus the transport's delay.
    pub written_at: Vec<(usize, u64)>,
    /// What was injected.
    pub counts: FaultCounts,
}

impl Damaged {
    /// How many packets arrived intact.
    pub fn intact_count(&self) -> usize {
        self.sent.iter().filter(|p| p.intact).count()
    }
}
