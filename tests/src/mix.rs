//! A second damage generator, written from a plain description of transport damage rather than
//! from the fault injector's code, so the decoder is also scored on streams its own injector
//! did not shape: whole packets gone, packets missing one byte, junk after a packet (half of it
//! holding a fake `A5 5A 02` header), and bursts of up to 512 vanished bytes.

use libeeg::MID_SCALE;
use libeeg::encode::encode_p2;
use libeeg::sim::{Damaged, Rng, SentPacket, SimConfig, Simulator};

/// Per-packet probabilities of each kind of damage.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    /// The packet never reaches the host.
    pub gone: f64,
    /// One random byte of the packet vanishes.
    pub missing_byte: f64,
    /// 1-40 junk bytes follow the packet; half the time they hold `A5 5A 02`.
    pub junk_after: f64,
    /// A burst of 1-512 bytes vanishes, starting inside the packet.
    pub burst: f64,
    /// Samples uniformly random over 0..=1023 (white noise) instead of simulated EEG.
    pub uniform_samples: bool,
    /// Every packet carries these switches (the Olimex shield's sketch sends 0x01), instead of
    /// the simulator's idle 0x0F with occasional presses.
    pub switches: Option<u8>,
}

impl Mix {
    /// The mix the team measured against: 1 % gone, 2 % missing a byte, 2 % followed by junk,
    /// 0.3 % bursts.
    pub const TEAM: Mix = Mix {
        gone: 0.01,
        missing_byte: 0.02,
        junk_after: 0.02,
        burst: 0.003,
        uniform_samples: false,
        switches: None,
    };
}

/// `n` simulated P2 packets damaged by `mix`, with the truth about each.
pub fn p2_stream(n: usize, mix: Mix, seed: u64) -> Damaged {
    p2_stream_with_damage(n, mix, seed).0
}

/// What happened to one packet (for diagnostics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Damage {
    /// Never sent.
    pub gone: bool,
    /// Lost the byte at this offset.
    pub missing: Option<usize>,
    /// Junk bytes after it.
    pub junk_after: usize,
    /// A burst began at this offset.
    pub burst_from: Option<usize>,
    /// An earlier burst ate this many bytes of its front.
    pub eaten: usize,
    /// Where what is left of it starts in the stream.
    pub at: usize,
}

/// [`p2_stream`], with what happened to each packet.
pub fn p2_stream_with_damage(n: usize, mix: Mix, seed: u64) -> (Damaged, Vec<Damage>) {
    let mut damage = Vec::with_capacity(n);
    let mut sim = Simulator::new(SimConfig {
        seed,
        ..SimConfig::default()
    });
    let mut rng = Rng::new(seed ^ 0x005E_ED0F_D1CE);
    let mut out = Damaged::default();
    let mut burst_left = 0usize;
    for k in 0..n {
        let mut frame = sim.next_frame();
        if mix.uniform_samples {
            frame.samples = std::array::from_fn(|_| rng.below(1024) as u16);
        }
        if let Some(switches) = mix.switches {
            frame.switches = switches;
        }
        let counter = k as u8;
        let mut packet = Vec::with_capacity(17);
        encode_p2(counter, &frame.samples, frame.switches, &mut packet);
        let mut sent = SentPacket {
            counter,
            aux: None,
            channel_count: 6,
            samples: frame.samples.map(|s| s & 0x3FF),
            switches: frame.switches & 0x0F,
            removed: false,
            intact: false,
        };
        let gone = rng.chance(mix.gone);
        let missing = rng.chance(mix.missing_byte);
        let junk = rng.chance(mix.junk_after);
        let burst = rng.chance(mix.burst);
        let mut d = Damage {
            gone,
            ..Damage::default()
        };
        if gone {
            sent.removed = true;
            out.sent.push(sent);
            damage.push(d);
            continue;
        }
        let mut intact = true;
        if missing {
            let at = rng.below(packet.len());
            packet.remove(at);
            d.missing = Some(at);
            intact = false;
        }
        // A burst still running from an earlier packet eats this one's front.
        let eaten = burst_left.min(packet.len());
        if eaten > 0 {
            d.eaten = eaten;
            packet.drain(..eaten);
            burst_left -= eaten;
            intact = false;
        }
        if burst && !packet.is_empty() {
            let start = rng.below(packet.len());
            d.burst_from = Some(start);
            let len = rng.inclusive(1, 512);
            let here = len.min(packet.len() - start);
            packet.drain(start..start + here);
            burst_left += len - here;
            intact = false;
        }
        d.at = out.bytes.len();
        out.bytes.extend_from_slice(&packet);
        if junk {
            let len = rng.inclusive(1, 40);
            d.junk_after = len;
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            if rng.chance(0.5) {
                let at = rng.below(len + 1);
                bytes.splice(at..at, [0xA5, 0x5A, 0x02]);
            }
            // Junk after a packet can fall into a running burst too.
            let eaten = burst_left.min(bytes.len());
            bytes.drain(..eaten);
            burst_left -= eaten;
            out.bytes.extend_from_slice(&bytes);
        }
        sent.intact = intact;
        out.sent.push(sent);
        damage.push(d);
    }
    (out, damage)
}

/// A capture of a board that restarts `segments - 1` times, written from the description of
/// the Olimex shield's behaviour (PROTOCOL.md, "Device behaviour beyond transport damage"):
/// each segment is 300-3000 packets counting from where the firmware starts; a restart cuts the
/// packet being sent short, 0-40 bytes of boot noise follow, then usually a reset signal
/// (counter 0, every channel 512, switches 0x02, or the normal switches for other firmware) of
/// 1-400 packets, and the next segment counts from 0 or 1. A share `no_signal` of the restarts
/// send no signal and count from 0 at once. No transport damage.
pub fn p2_restart_stream(segments: usize, no_signal: f64, seed: u64) -> Damaged {
    let mut sim = Simulator::new(SimConfig {
        seed,
        ..SimConfig::default()
    });
    let mut rng = Rng::new(seed ^ 0x02E5_7A27);
    let mut out = Damaged::default();
    let switches = 0x01;
    let mut counter = rng.below(256) as u8;
    let send = |out: &mut Damaged, counter: u8, samples: [u16; 6], switches: u8, len: usize| {
        let mut packet = Vec::with_capacity(17);
        encode_p2(counter, &samples, switches, &mut packet);
        out.bytes.extend_from_slice(&packet[..len]);
        out.sent.push(SentPacket {
            counter,
            aux: None,
            channel_count: 6,
            samples,
            switches,
            removed: false,
            intact: len == packet.len(),
        });
    };
    for segment in 0..segments {
        let length = rng.inclusive(300, 3000);
        let last = segment + 1 == segments;
        for k in 0..=length {
            if k == length && last {
                break;
            }
            // The restart: the last packet on the wire is cut short, the board boots.
            let len = if k == length {
                rng.inclusive(1, 16)
            } else {
                17
            };
            let samples = sim.next_frame().samples.map(|s| s & 0x3FF);
            send(&mut out, counter, samples, switches, len);
            counter = counter.wrapping_add(1);
        }
        if last {
            break;
        }
        out.bytes
            .extend((0..rng.inclusive(0, 40)).map(|_| rng.byte()));
        out.restarts.push(out.sent.len());
        counter = if !rng.chance(no_signal) {
            let signal_switches = if rng.chance(0.75) { 0x02 } else { switches };
            for _ in 0..rng.inclusive(1, 400) {
                send(&mut out, 0, [MID_SCALE; 6], signal_switches, 17);
            }
            rng.below(2) as u8
        } else {
            0
        };
    }
    out
}
