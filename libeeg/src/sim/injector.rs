//! Byte-level fault injector with ground truth.
//!
//! Frames are encoded here (so counters can jump), damaged the way real captures are damaged
//! (PROTOCOL.md, "Damage seen in real captures"), the device may restart (PROTOCOL.md, "Device
//! behaviour beyond transport damage"), and every packet is recorded with whether it reached
//! the output intact, worked out from per-byte provenance.

use super::faults::{Damaged, FaultConfig, FaultCounts, SentPacket};
use super::restart::{Restart, Restarts, Slot};
use super::rng::Rng;
use super::simulator::{Frame, Simulator};
use crate::encode::Encoder;
use crate::{CHANNELS, MAX_CODE, MID_SCALE, Protocol, p2};

/// Bytes a tty in its default mode eats (ISIG and IXON control characters).
const TTY_EATEN: [u8; 5] = [0x03, 0x11, 0x13, 0x1A, 0x1C];
/// ICRNL rewrites carriage return to line feed.
const TTY_CR: u8 = 0x0D;
const TTY_LF: u8 = 0x0A;
/// Longest burst of lost bytes (a USB transfer's worth).
const MAX_BURST: usize = 64;
/// Text a firmware or a terminal program may inject into the binary stream.
const TEXT_LINES: [&str; 4] = ["Reset signal logged.\r\n", "Ready.\r\n", "\r\n", "OK\r\n"];

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

// Here, beside the injector it drives, so that faults.rs, where `Damaged` is defined, does not
// depend on the injector.
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
}

/// One byte on its way out, tagged with where it came from.
#[derive(Debug, Clone, Copy)]
struct Byte {
    value: u8,
    from_packet: bool,
    modified: bool,
}

/// The streaming form of [`inject`]: push frames one at a time into a [`Damaged`].
///
/// A burst of lost bytes that outruns its packet carries over into the next push, and so does
/// a restart: the frames that pass while the device boots send nothing.
#[derive(Debug, Clone)]
pub struct FaultInjector {
    config: FaultConfig,
    encoder: Encoder,
    /// Which faults hit (see [`Hits::draw`]).
    decide: Rng,
    /// Positions, lengths and junk content.
    shape: Rng,
    /// When the device restarts, and what it sends since.
    restarts: Restarts,
    /// Bytes a burst still has to delete.
    pending_burst: usize,
    /// Frames pushed so far (the sampling clock, booting included).
    frames: u64,
    /// P3: switches from the last slot-4 packet that arrived intact.
    delivered_switches: u8,
    packet: Vec<u8>,
    segment: Vec<Byte>,
}

impl FaultInjector {
    /// An injector encoding with `encoder`, reproducible for `seed`.
    pub fn new(encoder: Encoder, config: FaultConfig, seed: u64) -> Self {
        Self {
            config,
            encoder,
            decide: Rng::stream(seed, 1),
            shape: Rng::stream(seed, 2),
            restarts: Restarts::new(seed),
            pending_burst: 0,
            frames: 0,
            delivered_switches: 0x0F,
            packet: Vec::new(),
            segment: Vec::new(),
        }
    }

    /// The encoder's state (the counter of the next packet).
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// Gives back the encoder, to continue the counter sequence elsewhere.
    pub fn into_encoder(self) -> Encoder {
        self.encoder
    }

    /// Encodes `frame` as the next packet, damages it, and appends the bytes, the packet's
    /// truth and the fault counts to `out`. While the device boots after a restart, the frame
    /// passes and nothing is appended but [`FaultCounts::boot_frames`].
    pub fn push(&mut self, frame: &Frame, out: &mut Damaged) {
        let protocol = self.encoder.protocol();
        let frame_index = self.frames;
        self.frames += 1;
        let bytes_before = out.bytes.len();
        let hits = Hits::draw(&mut self.decide, &self.config, protocol);
        let restarting = self.restarts.draw(self.config.restart);
        let mut sent = match self.restarts.next_slot() {
            Slot::Booting => {
                out.counts.boot_frames += 1;
                return;
            }
            Slot::ResetSignal { switches } => {
                out.counts.reset_packets += 1;
                let switches = switches.unwrap_or(frame.switches);
                let mut signal = Encoder::new(protocol, 0).with_channels(self.encoder.channels());
                encode(
                    &mut signal,
                    &[MID_SCALE; CHANNELS],
                    switches,
                    &mut self.packet,
                )
            }
            Slot::Normal => {
                if hits.counter_jump {
                    let cycle = usize::from(protocol.counter_cycle());
                    let offset = self.shape.inclusive(1, cycle - 1);
                    let next = (usize::from(self.encoder.next_counter()) + offset) % cycle;
                    self.encoder.set_counter(next as u8);
                    out.counts.counter_jumps += 1;
                }
                encode(
                    &mut self.encoder,
                    &frame.samples,
                    frame.switches,
                    &mut self.packet,
                )
            }
        };
        if restarting {
            // The restart takes the packet's place: its other faults never happen.
            let restart = self.restarts.restart(protocol, self.packet.len());
            self.cut_short(&restart, &mut out.counts);
            out.bytes.extend(self.segment.iter().map(|b| b.value));
            let channels = self.encoder.channels();
            self.encoder = Encoder::new(protocol, restart.first_counter).with_channels(channels);
        } else if hits.remove_packet {
            sent.removed = true;
            out.counts.removed_packets += 1;
        } else {
            sent.intact = self.damage(&hits, &mut out.counts);
            out.bytes.extend(self.segment.iter().map(|b| b.value));
        }
        if protocol == Protocol::P3 {
            // A decoder repeats the switches of the last slot-4 packet it actually received.
            if sent.counter & 7 == 4 {
                if sent.intact {
                    self.delivered_switches = sent.switches;
                }
            } else {
                sent.switches = self.delivered_switches;
            }
        }
        out.sent.push(sent);
        if out.bytes.len() > bytes_before {
            out.written_at.push((out.bytes.len(), frame_index));
        }
        if restarting {
            out.counts.restarts += 1;
            out.restarts.push(out.sent.len());
        }
    }

    /// Builds the segment of output of a packet cut short by a restart: its head and the boot
    /// noise, through what the host side still does to them (a running burst, the tty).
    fn cut_short(&mut self, restart: &Restart, counts: &mut FaultCounts) {
        self.segment.clear();
        self.segment
            .extend(tagged(&self.packet[..restart.cut], true));
        self.segment.extend(tagged(&restart.noise, false));
        counts.cut_bytes += self.packet.len() - restart.cut;
        counts.boot_noise_bytes += restart.noise.len();
        eat_pending_burst(&mut self.segment, &mut self.pending_burst, counts);
        if self.config.tty_mangle {
            tty_mangle(&mut self.segment, counts);
        }
    }

    /// Builds the packet's segment of output in `self.segment` (packet bytes, junk, and what
    /// is left after deletions) and tells whether the packet survived intact.
    fn damage(&mut self, hits: &Hits, counts: &mut FaultCounts) -> bool {
        let segment = &mut self.segment;
        let rng = &mut self.shape;
        segment.clear();
        segment.extend(tagged(&self.packet, true));
        if hits.drop_header_bytes {
            // Version and counter: offsets 2 and 3.
            segment.drain(2..4);
            counts.header_drops += 1;
        }
        if hits.drop_byte {
            segment.remove(rng.below(segment.len()));
            counts.dropped_bytes += 1;
        }
        if hits.insert_junk {
            // Half the time between packets (as text lines usually are), else inside.
            let at = if rng.chance(0.5) {
                0
            } else {
                rng.inclusive(1, segment.len() - 1)
            };
            let mut junk = Vec::new();
            make_junk(rng, self.encoder.protocol(), &mut junk);
            counts.junk_insertions += 1;
            counts.junk_bytes += junk.len();
            segment.splice(at..at, tagged(&junk, false));
        }
        eat_pending_burst(segment, &mut self.pending_burst, counts);
        if hits.drop_burst {
            let starts: Vec<usize> = (0..segment.len())
                .filter(|&i| segment[i].from_packet)
                .collect();
            // Nothing to start from when an earlier burst already ate the whole packet.
            if !starts.is_empty() {
                let start = starts[rng.below(starts.len())];
                let len = rng.inclusive(1, MAX_BURST);
                let here = len.min(segment.len() - start);
                segment.drain(start..start + here);
                self.pending_burst += len - here;
                counts.bursts += 1;
                counts.burst_bytes += here;
            }
        }
        if self.config.tty_mangle {
            tty_mangle(segment, counts);
        }
        is_intact(segment, self.packet.len())
    }
}

/// An earlier burst eats the front of the segment, junk included: it was on the wire.
fn eat_pending_burst(segment: &mut Vec<Byte>, pending: &mut usize, counts: &mut FaultCounts) {
    let eaten = (*pending).min(segment.len());
    segment.drain(..eaten);
    *pending -= eaten;
    counts.burst_bytes += eaten;
}

/// Encodes the next packet of `encoder` into `packet` and returns its truth, not yet sent.
fn encode(
    encoder: &mut Encoder,
    samples: &[u16; CHANNELS],
    switches: u8,
    packet: &mut Vec<u8>,
) -> SentPacket {
    let counter = encoder.next_counter();
    let aux = encoder.next_aux(switches);
    let channels = encoder.channels();
    packet.clear();
    encoder.encode(samples, switches, packet);
    SentPacket {
        counter,
        aux,
        channel_count: channels as u8,
        samples: std::array::from_fn(|i| match samples.get(i) {
            Some(&v) if i < channels => v & MAX_CODE,
            _ => MID_SCALE,
        }),
        switches: switches & 0x0F,
        removed: false,
        intact: false,
    }
}

/// `bytes` on their way out, from the packet or not, unmodified so far.
fn tagged(bytes: &[u8], from_packet: bool) -> impl Iterator<Item = Byte> + '_ {
    bytes.iter().map(move |&value| Byte {
        value,
        from_packet,
        modified: false,
    })
}

/// Which faults hit one packet.
#[derive(Debug, Clone, Copy)]
struct Hits {
    remove_packet: bool,
    counter_jump: bool,
    drop_header_bytes: bool,
    drop_byte: bool,
    insert_junk: bool,
    drop_burst: bool,
}

impl Hits {
    /// Draws every probability, always all of them and in this order, so that changing one
    /// rate does not move where the other faults land.
    fn draw(rng: &mut Rng, config: &FaultConfig, protocol: Protocol) -> Self {
        Self {
            remove_packet: rng.chance(config.remove_packet),
            counter_jump: rng.chance(config.counter_jump),
            drop_header_bytes: rng.chance(config.drop_header_bytes) && protocol == Protocol::P2,
            drop_byte: rng.chance(config.drop_byte),
            insert_junk: rng.chance(config.insert_junk),
            drop_burst: rng.chance(config.drop_burst),
        }
    }
}

/// What a default-mode tty does to each byte.
fn tty_mangle(segment: &mut Vec<Byte>, counts: &mut FaultCounts) {
    let before = segment.len();
    segment.retain(|b| !TTY_EATEN.contains(&b.value));
    counts.tty_eaten += before - segment.len();
    for b in segment.iter_mut().filter(|b| b.value == TTY_CR) {
        b.value = TTY_LF;
        b.modified = true;
        counts.tty_rewritten += 1;
    }
}

/// All `len` packet bytes present, unmodified, with no junk between the first and the last.
fn is_intact(segment: &[Byte], len: usize) -> bool {
    let Some(first) = segment.iter().position(|b| b.from_packet) else {
        return false;
    };
    let run = &segment[first..];
    let run_len = run.iter().take_while(|b| b.from_packet).count();
    let total = segment.iter().filter(|b| b.from_packet).count();
    run_len == len && total == len && run[..run_len].iter().all(|b| !b.modified)
}

/// Appends one piece of junk of a random kind.
fn make_junk(rng: &mut Rng, protocol: Protocol, out: &mut Vec<u8>) {
    match rng.below(6) {
        0 => out.extend((0..rng.inclusive(1, 40)).map(|_| rng.byte())),
        // A truncated packet: looks valid as far as it goes.
        1 => match protocol {
            Protocol::P2 => {
                out.extend_from_slice(&[p2::SYNC0, p2::SYNC1, p2::VERSION, rng.byte()]);
                for i in 0..rng.below(p2::PACKET_LEN - 4) {
                    out.push(if i % 2 == 0 {
                        rng.below(4) as u8
                    } else {
                        rng.byte()
                    });
                }
            }
            Protocol::P3 => out.extend((0..rng.inclusive(1, 10)).map(|_| rng.byte() & 0x7F)),
        },
        2 => out.extend_from_slice(&[p2::SYNC0, p2::SYNC1, p2::SYNC0, p2::SYNC1]),
        3 => out.extend_from_slice(&[p2::SYNC0, p2::SYNC0, p2::SYNC1]),
        4 => out.push(p2::SYNC0),
        _ => out.extend_from_slice(TEXT_LINES[rng.below(TEXT_LINES.len())].as_bytes()),
    }
}

#[cfg(test)]
mod tests;
