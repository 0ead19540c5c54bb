//! Byte-level fault injector with ground truth.
//!
//! Frames are encoded here (so counters can jump), damaged the way real captures are damaged
//! (PROTOCOL.md, "Damage seen in real captures"), the device may restart (PROTOCOL.md, "Device
//! behaviour beyond transport damage"), and every packet is recorded with whether it reached
//! the output intact, so a decoder's output can be scored against the truth.

use std::fmt;

use super::injector::FaultInjector;
use super::simulator::{Frame, Simulator};
use crate::CHANNELS;
use crate::encode::Encoder;

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
    /// Takes frames from `sim` until the device has sent `n_packets` packets (more frames than
    /// that when it restarted and booted), encodes them with the simulator's encoder (which
    /// advances, so later [`Simulator::packets`] continue the counter sequence, restarts
    /// included) and damages them.
    pub fn from_simulator(
        sim: &mut Simulator,
        n_packets: usize,
        config: &FaultConfig,
        seed: u64,
    ) -> Self {
        let mut injector = FaultInjector::new(sim.encoder().clone(), config.clone(), seed);
        let mut out = Self::default();
        while out.sent.len() < n_packets {
            let frame = sim.next_frame();
            injector.push(&frame, &mut out);
        }
        *sim.encoder_mut() = injector.into_encoder();
        out
    }

    /// How many packets arrived intact.
    pub fn intact_count(&self) -> usize {
        self.sent.iter().filter(|p| p.intact).count()
    }
}

/// Encodes `frames` with `encoder` (which advances) and damages the bytes per `config`: one
/// packet per frame, but none for frames that pass while the device boots after a restart. The
/// same frames, encoder state, config and seed always give the same result.
pub fn inject(frames: &[Frame], encoder: &mut Encoder, config: &FaultConfig, seed: u64) -> Damaged {
    let mut injector = FaultInjector::new(encoder.clone(), config.clone(), seed);
    let mut out = Damaged::default();
    for frame in frames {
        injector.push(frame, &mut out);
    }
    *encoder = injector.into_encoder();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Protocol;
    use crate::sim::{Rng, SimConfig};

    /// Frames over the full code range, so every byte value occurs in the encoding.
    fn random_frames(n: usize, seed: u64) -> Vec<Frame> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| Frame {
                samples: std::array::from_fn(|_| rng.below(1024) as u16),
                switches: rng.below(16) as u8,
            })
            .collect()
    }

    /// Each frame's clean packet bytes.
    fn clean_packets(frames: &[Frame], mut encoder: Encoder) -> Vec<Vec<u8>> {
        let encode = |f: &Frame| {
            let mut out = Vec::new();
            encoder.encode(&f.samples, f.switches, &mut out);
            out
        };
        frames.iter().map(encode).collect()
    }

    #[test]
    fn no_faults_gives_the_clean_encoding() {
        let frames = random_frames(600, 1);
        for encoder in [
            Encoder::new(Protocol::P2, 7),
            Encoder::new(Protocol::P3, 7),
            Encoder::new(Protocol::P3, 0).with_channels(2),
        ] {
            let clean = clean_packets(&frames, encoder.clone());
            let mut enc = encoder.clone();
            let damaged = inject(&frames, &mut enc, &FaultConfig::default(), 3);
            assert_eq!(damaged.bytes, clean.concat());
            assert_eq!(damaged.counts, FaultCounts::default());
            assert_eq!(damaged.intact_count(), frames.len());
            assert!(damaged.sent.iter().all(|p| !p.removed));
            let channels = encoder.channels();
            let mut last_switches = 0x0F;
            for (p, f) in damaged.sent.iter().zip(&frames) {
                assert_eq!(p.samples[..channels], f.samples[..channels]);
                assert!(p.samples[channels..].iter().all(|&v| v == crate::MID_SCALE));
                if encoder.protocol() == Protocol::P2 || p.counter & 7 == 4 {
                    last_switches = f.switches;
                }
                assert_eq!(p.switches, last_switches);
            }
            let cycle = encoder.protocol().counter_cycle();
            let expected = (u16::from(encoder.next_counter()) + 600) % cycle;
            assert_eq!(u16::from(enc.next_counter()), expected);
        }
    }

    #[test]
    fn from_simulator_continues_the_counter() {
        let config = SimConfig {
            first_counter: 250,
            ..SimConfig::default()
        };
        let mut sim = Simulator::new(config.clone());
        let damaged = Damaged::from_simulator(&mut sim, 10, &FaultConfig::default(), 0);
        let rest = sim.packets(1);
        assert_eq!(rest[3], 4);
        let mut whole = Simulator::new(config);
        let mut expected = whole.packets(10);
        expected.extend(&rest);
        assert_eq!([damaged.bytes, rest].concat(), expected);
    }

    #[test]
    fn drop_byte_marks_exactly_the_hit_packet() {
        let frames = random_frames(2000, 2);
        let encoder = Encoder::new(Protocol::P2, 0);
        let clean = clean_packets(&frames, encoder.clone());
        let config = FaultConfig {
            drop_byte: 0.1,
            ..FaultConfig::default()
        };
        let damaged = inject(&frames, &mut encoder.clone(), &config, 9);
        let hit = damaged.sent.iter().filter(|p| !p.intact).count();
        assert_eq!(hit, damaged.counts.dropped_bytes);
        assert!((100..300).contains(&hit), "{hit} hits");
        let mut at = 0;
        for (p, bytes) in damaged.sent.iter().zip(&clean) {
            let len = if p.intact {
                bytes.len()
            } else {
                bytes.len() - 1
            };
            let got = &damaged.bytes[at..at + len];
            if p.intact {
                assert_eq!(got, &bytes[..]);
            } else {
                // The packet with one byte gone.
                let gone = (0..bytes.len())
                    .find(|&i| got.get(i) != bytes.get(i))
                    .unwrap();
                assert_eq!(got[gone..], bytes[gone + 1..]);
            }
            at += len;
        }
        assert_eq!(at, damaged.bytes.len());
    }

    #[test]
    fn tty_mangle_marks_packets_holding_tty_bytes() {
        for protocol in [Protocol::P2, Protocol::P3] {
            let frames = random_frames(3000, 4);
            let clean = clean_packets(&frames, Encoder::new(protocol, 0));
            let config = FaultConfig {
                tty_mangle: true,
                ..FaultConfig::default()
            };
            let damaged = inject(&frames, &mut Encoder::new(protocol, 0), &config, 1);
            let special = |b: &u8| matches!(b, 0x03 | 0x11 | 0x13 | 0x1A | 0x1C | 0x0D);
            for (p, bytes) in damaged.sent.iter().zip(&clean) {
                assert_eq!(p.intact, !bytes.iter().any(special), "{bytes:02X?}");
            }
            let eaten = clean
                .concat()
                .iter()
                .filter(|b| special(b) && **b != 0x0D)
                .count();
            assert_eq!(damaged.counts.tty_eaten, eaten);
            assert!(damaged.bytes.iter().all(|b| !special(b)));
            assert!(
                damaged.intact_count() < frames.len(),
                "{protocol}: nothing hit"
            );
        }
    }

    #[test]
    fn deterministic_for_a_seed() {
        let frames = random_frames(3000, 5);
        let run = |seed| {
            inject(
                &frames,
                &mut Encoder::new(Protocol::P2, 0),
                &FaultConfig::demo(),
                seed,
            )
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1).bytes, run(2).bytes);
    }

    #[test]
    fn bytes_are_conserved_and_intact_packets_appear_in_order() {
        let frames = random_frames(5000, 6);
        let clean = clean_packets(&frames, Encoder::new(Protocol::P2, 0));
        // One packet per frame: restarts, which change that, have their own tests (restart.rs).
        let config = FaultConfig {
            drop_header_bytes: 0.01,
            drop_burst: 0.02,
            restart: 0.0,
            ..FaultConfig::demo()
        };
        let damaged = inject(&frames, &mut Encoder::new(Protocol::P2, 0), &config, 8);
        let c = damaged.counts;
        assert!(
            c.removed_packets > 0 && c.junk_insertions > 0 && c.bursts > 0 && c.header_drops > 0,
            "{c}"
        );
        let expected = clean.len() * 17 + c.junk_bytes
            - c.removed_packets * 17
            - c.dropped_bytes
            - c.header_drops * 2
            - c.burst_bytes;
        assert_eq!(damaged.bytes.len(), expected, "{c}");
        assert_eq!(
            damaged.sent.iter().filter(|p| p.removed).count(),
            c.removed_packets
        );
        let mut at = 0;
        for (p, bytes) in damaged.sent.iter().zip(&clean).filter(|(p, _)| p.intact) {
            let found = damaged.bytes[at..]
                .windows(17)
                .position(|w| w == &bytes[..]);
            at += found.unwrap_or_else(|| panic!("intact packet {} not found", p.counter)) + 17;
        }
        let not_intact = frames.len() - damaged.intact_count();
        assert!(
            not_intact >= c.removed_packets + c.bursts,
            "{not_intact} hit, {c}"
        );
    }

    #[test]
    fn counter_jumps_break_the_sequence() {
        for protocol in [Protocol::P2, Protocol::P3] {
            let frames = random_frames(2000, 7);
            let config = FaultConfig {
                counter_jump: 0.02,
                ..FaultConfig::default()
            };
            let damaged = inject(&frames, &mut Encoder::new(protocol, 0), &config, 2);
            let cycle = protocol.counter_cycle();
            let breaks = damaged
                .sent
                .windows(2)
                .filter(|w| (u16::from(w[0].counter) + 1) % cycle != u16::from(w[1].counter))
                .count();
            assert_eq!(breaks, damaged.counts.counter_jumps);
            assert!(breaks > 10);
            assert_eq!(damaged.intact_count(), frames.len());
        }
    }

    #[test]
    fn p3_switches_repeat_the_last_delivered_value() {
        let frames = random_frames(2000, 8);
        let config = FaultConfig {
            remove_packet: 0.3,
            drop_header_bytes: 1.0,
            ..FaultConfig::default()
        };
        let damaged = inject(&frames, &mut Encoder::new(Protocol::P3, 0), &config, 4);
        assert_eq!(damaged.counts.header_drops, 0, "P2 only");
        let mut delivered = 0x0F;
        for (p, f) in damaged.sent.iter().zip(&frames) {
            if p.counter & 7 == 4 {
                assert_eq!(p.switches, f.switches);
                assert_eq!(p.aux, Some(f.switches));
                if p.intact {
                    delivered = f.switches;
                }
            } else {
                assert_eq!(p.switches, delivered);
            }
            assert_eq!(p.intact, !p.removed);
        }
    }
}
