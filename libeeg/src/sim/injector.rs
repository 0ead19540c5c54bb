//! The machine behind [`inject`](super::inject): encodes one frame at a time, damages its bytes,
//! and works out from per-byte provenance whether the packet survived intact.

use super::faults::{Damaged, FaultConfig, FaultCounts, SentPacket};
use super::rng::Rng;
use super::simulator::Frame;
use crate::encode::Encoder;
use crate::{MAX_CODE, MID_SCALE, Protocol, p2};

/// Bytes a tty in its default mode eats (ISIG and IXON control characters).
const TTY_EATEN: [u8; 5] = [0x03, 0x11, 0x13, 0x1A, 0x1C];
/// ICRNL rewrites carriage return to line feed.
const TTY_CR: u8 = 0x0D;
const TTY_LF: u8 = 0x0A;
/// Longest burst of lost bytes (a USB transfer's worth).
const MAX_BURST: usize = 64;
/// Text a firmware or a terminal program may inject into the binary stream.
const TEXT_LINES: [&str; 4] = ["Reset signal logged.\r\n", "Ready.\r\n", "\r\n", "OK\r\n"];

/// One byte on its way out, tagged with where it came from.
#[derive(Debug, Clone, Copy)]
struct Byte {
    value: u8,
    from_packet: bool,
    modified: bool,
}

/// The streaming form of [`inject`](super::inject): push frames one at a time into a [`Damaged`].
///
/// A burst of lost bytes that outruns its packet carries over into the next push.
#[derive(Debug, Clone)]
pub struct FaultInjector {
    config: FaultConfig,
    encoder: Encoder,
    /// Which faults hit (see [`Hits::draw`]).
    decide: Rng,
    /// Positions, lengths and junk content.
    shape: Rng,
    /// Bytes a burst still has to delete.
    pending_burst: usize,
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
            pending_burst: 0,
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
    /// truth and the fault counts to `out`.
    pub fn push(&mut self, frame: &Frame, out: &mut Damaged) {
        let protocol = self.encoder.protocol();
        let hits = Hits::draw(&mut self.decide, &self.config, protocol);
        if hits.counter_jump {
            let cycle = usize::from(protocol.counter_cycle());
            let offset = self.shape.inclusive(1, cycle - 1);
            let next = (usize::from(self.encoder.next_counter()) + offset) % cycle;
            self.encoder.set_counter(next as u8);
            out.counts.counter_jumps += 1;
        }
        let counter = self.encoder.next_counter();
        let aux = self.encoder.next_aux(frame.switches);
        self.packet.clear();
        self.encoder
            .encode(&frame.samples, frame.switches, &mut self.packet);
        let channels = self.encoder.channels();
        let mut sent = SentPacket {
            counter,
            aux,
            channel_count: channels as u8,
            samples: std::array::from_fn(|i| match frame.samples.get(i) {
                Some(&v) if i < channels => v & MAX_CODE,
                _ => MID_SCALE,
            }),
            switches: frame.switches & 0x0F,
            removed: hits.remove_packet,
            intact: false,
        };
        if hits.remove_packet {
            out.counts.removed_packets += 1;
        } else {
            sent.intact = self.damage(&hits, &mut out.counts);
            out.bytes.extend(self.segment.iter().map(|b| b.value));
        }
        if protocol == Protocol::P3 {
            // A decoder repeats the switches of the last slot-4 packet it actually received.
            if counter & 7 == 4 {
                if sent.intact {
                    self.delivered_switches = sent.switches;
                }
            } else {
                sent.switches = self.delivered_switches;
            }
        }
        out.sent.push(sent);
    }

    /// Builds the packet's segment of output in `self.segment` (packet bytes, junk, and what
    /// is left after deletions) and tells whether the packet survived intact.
    fn damage(&mut self, hits: &Hits, counts: &mut FaultCounts) -> bool {
        let segment = &mut self.segment;
        let rng = &mut self.shape;
        segment.clear();
        segment.extend(self.packet.iter().map(|&value| Byte {
            value,
            from_packet: true,
            modified: false,
        }));
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
            let tagged = junk.into_iter().map(|value| Byte {
                value,
                from_packet: false,
                modified: false,
            });
            segment.splice(at..at, tagged);
        }
        // An earlier burst eats the front of this segment, junk included: it was on the wire.
        let eaten = self.pending_burst.min(segment.len());
        segment.drain(..eaten);
        self.pending_burst -= eaten;
        counts.burst_bytes += eaten;
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
