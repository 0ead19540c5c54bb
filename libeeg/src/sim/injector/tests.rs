//! The fault injector against clean encodings: what each fault does to the bytes and to the
//! truth, and that a seed always gives the same damage.

use super::*;
use crate::sim::SimConfig;

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
