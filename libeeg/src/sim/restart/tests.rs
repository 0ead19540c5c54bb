//! The restart fault through the injector: the bytes around a restart, the truth, and the rule
//! that restarts move no other fault.

use super::*;
use crate::encode::{Encoder, encode_p2, encode_p3};
use crate::sim::{Damaged, FaultConfig, FaultCounts, FaultInjector, Frame, SentPacket, inject};
use crate::{CHANNELS, MID_SCALE};

/// Frames over the full code range with switches that never read 0x02, so a reset-signal
/// packet cannot be mistaken for a normal one.
fn random_frames(n: usize, seed: u64) -> Vec<Frame> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| Frame {
            samples: std::array::from_fn(|_| rng.below(1024) as u16),
            switches: [0x0F, 0x0E, 0x0B, 0x07][rng.below(4)],
        })
        .collect()
}

fn restarts(rate: f64) -> FaultConfig {
    FaultConfig {
        restart: rate,
        ..FaultConfig::default()
    }
}

/// The packet the truth says was sent, as its bytes.
fn wire(protocol: Protocol, channels: usize, p: &SentPacket) -> Vec<u8> {
    let mut out = Vec::new();
    match protocol {
        Protocol::P2 => encode_p2(p.counter, &p.samples, p.switches, &mut out),
        Protocol::P3 => encode_p3(
            p.counter,
            p.aux.unwrap_or(0),
            &p.samples[..channels],
            &mut out,
        ),
    }
    out
}

/// Pushes `frames` one at a time; also tells, for each frame, the index in `sent` of the
/// packet it sent, if it sent one.
fn push_all(
    frames: &[Frame],
    encoder: Encoder,
    config: &FaultConfig,
    seed: u64,
) -> (Damaged, Vec<Option<usize>>) {
    let mut injector = FaultInjector::new(encoder, config.clone(), seed);
    let mut out = Damaged::default();
    let packets = frames
        .iter()
        .map(|frame| {
            let before = out.sent.len();
            injector.push(frame, &mut out);
            (out.sent.len() > before).then_some(before)
        })
        .collect();
    (out, packets)
}

/// The frames during which the device restarted.
fn restart_frames(damaged: &Damaged, packets: &[Option<usize>]) -> Vec<usize> {
    let cut = |r: usize| packets.iter().position(|&k| k == Some(r - 1)).unwrap();
    damaged.restarts.iter().map(|&r| cut(r)).collect()
}

#[test]
fn the_bytes_around_a_restart_have_the_documented_shape() {
    let frames = random_frames(60_000, 1);
    let (damaged, packets) = push_all(&frames, Encoder::new(Protocol::P2, 0), &restarts(0.002), 5);
    let sent_a_packet: Vec<bool> = packets.iter().map(Option::is_some).collect();
    let (sent, bytes, c) = (&damaged.sent, &damaged.bytes, damaged.counts);
    assert_eq!(damaged.restarts.len(), c.restarts);
    assert!(c.restarts > 50, "{c}");
    // Each restart is followed by one silent stretch of 64-384 frames (the last may be cut
    // off by the end of the stream).
    assert_eq!(sent.len() + c.boot_frames, frames.len());
    let silences: Vec<usize> = sent_a_packet
        .split(|&sent| sent)
        .map(<[bool]>::len)
        .filter(|&n| n > 0)
        .collect();
    assert_eq!(silences.len(), c.restarts);
    let whole = &silences[..silences.len() - usize::from(!sent_a_packet[frames.len() - 1])];
    assert!(whole.iter().all(|n| BOOT_FRAMES.contains(n)), "{whole:?}");
    // The bytes: every packet whole and in order, except the one each restart cuts short,
    // of which 1..16 bytes come out, then at most 40 bytes of noise.
    let mut at = 0;
    for (k, p) in sent.iter().enumerate() {
        let packet = wire(Protocol::P2, CHANNELS, p);
        if !damaged.restarts.contains(&(k + 1)) {
            assert!(p.intact);
            assert_eq!(bytes[at..at + 17], packet[..], "packet {k}");
            at += 17;
            continue;
        }
        assert!(!p.intact && !p.removed);
        let gap = match sent.get(k + 1) {
            // The cut head is at least a byte, so the next packet starts after it.
            Some(next) => {
                let next = wire(Protocol::P2, CHANNELS, next);
                1 + bytes[at + 1..].windows(17).position(|w| w == next).unwrap()
            }
            None => bytes.len() - at,
        };
        let head = (1..17)
            .rev()
            .find(|&h| bytes[at..].starts_with(&packet[..h]));
        let head = head.unwrap_or_else(|| panic!("packet {k}: no head"));
        let noise = gap - head;
        assert!(
            BOOT_NOISE_BYTES.contains(&noise),
            "packet {k}: {noise} noise bytes"
        );
        at += gap;
    }
    assert_eq!(at, bytes.len());
    // After each restart: a reset signal then counter 0, or no signal and counter 0 or 1;
    // then the counter runs on until the next restart.
    let mut signal = Vec::new();
    encode_p2(0, &[MID_SCALE; CHANNELS], SIGNAL_SWITCHES, &mut signal);
    let ends = damaged.restarts.iter().skip(1).copied().chain([sent.len()]);
    let (mut lengths, mut kept_switches, mut reset_packets) = (Vec::new(), 0, 0);
    for (start, end) in damaged.restarts.iter().copied().zip(ends) {
        let run = sent[start..end]
            .iter()
            .take_while(|p| p.counter == 0 && p.samples == [MID_SCALE; CHANNELS])
            .count();
        reset_packets += run;
        if run > 0 && start + run < end {
            lengths.push(run);
        }
        let run_switches: Vec<u8> = sent[start..start + run]
            .iter()
            .map(|p| p.switches)
            .collect();
        if run_switches.iter().all(|&s| s == SIGNAL_SWITCHES) {
            let mut packets = sent[start..start + run].iter();
            assert!(packets.all(|p| wire(Protocol::P2, CHANNELS, p) == signal));
        } else {
            // The frames' own switches, which never read 0x02 here.
            assert!(!run_switches.contains(&SIGNAL_SWITCHES));
            kept_switches += 1;
        }
        let normal = &sent[start + run..end];
        let first = normal.first().map_or(0, |p| p.counter);
        assert!(first == 0 || (first == 1 && run == 0), "restart at {start}");
        for (i, p) in normal.iter().enumerate() {
            assert_eq!(usize::from(p.counter), (usize::from(first) + i) % 256);
        }
    }
    assert_eq!(reset_packets, c.reset_packets);
    assert!(lengths.len() > 5 && lengths.len() < c.restarts, "{c}");
    assert!(lengths.iter().any(|&n| n <= 3), "{lengths:?}");
    assert!(lengths.iter().any(|&n| n > 256), "{lengths:?}");
    assert!(kept_switches > 0, "no reset signal kept the switches");
}

#[test]
fn p3_restarts_count_from_0_without_a_signal() {
    let frames = random_frames(30_000, 2);
    let encoder = Encoder::new(Protocol::P3, 9).with_channels(4);
    let damaged = inject(&frames, &mut encoder.clone(), &restarts(0.002), 3);
    let c = damaged.counts;
    assert!(c.restarts > 10, "{c}");
    assert_eq!(c.reset_packets, 0);
    for &r in damaged.restarts.iter().filter(|&&r| r < damaged.sent.len()) {
        assert_eq!(damaged.sent[r].counter, 0);
        // The id string starts again too.
        assert_eq!(damaged.sent[r].aux, Some(b'm'));
    }
    let mut at = 0;
    for (k, p) in damaged.sent.iter().enumerate() {
        let bytes = wire(Protocol::P3, 4, p);
        if p.intact {
            let found = damaged.bytes[at..]
                .windows(bytes.len())
                .position(|w| w == &bytes[..]);
            at += found.expect("intact packet in order") + bytes.len();
        } else {
            assert!(damaged.restarts.contains(&(k + 1)));
        }
    }
}

#[test]
fn truth_matches_the_bytes_whatever_else_is_injected() {
    for protocol in [Protocol::P2, Protocol::P3] {
        let frames = random_frames(40_000, 3);
        let config = FaultConfig {
            restart: 0.001,
            drop_burst: 0.01,
            counter_jump: 0.005,
            drop_header_bytes: 0.01,
            ..FaultConfig::demo()
        };
        let encoder = Encoder::new(protocol, 0);
        let damaged = inject(&frames, &mut encoder.clone(), &config, 11);
        let c = damaged.counts;
        assert!(c.restarts > 10 && c.bursts > 10, "{protocol}: {c}");
        let len = encoder.packet_len();
        let mut at = 0;
        for p in damaged.sent.iter().filter(|p| p.intact) {
            let bytes = wire(protocol, 6, p);
            let found = damaged.bytes[at..]
                .windows(len)
                .position(|w| w == &bytes[..]);
            at += found.unwrap_or_else(|| panic!("{protocol}: intact {p:?} not found")) + len;
        }
        // Every byte is accounted for: packets, junk and noise in, deletions and cuts out.
        let sent_bytes = (damaged.sent.len() - c.removed_packets) * len;
        let expected = sent_bytes + c.junk_bytes + c.boot_noise_bytes
            - c.cut_bytes
            - c.dropped_bytes
            - c.header_drops * 2
            - c.burst_bytes;
        assert_eq!(damaged.bytes.len(), expected, "{protocol}: {c}");
    }
}

#[test]
fn no_restarts_and_no_faults_give_the_clean_encoding() {
    let frames = random_frames(2000, 4);
    let mut clean = Vec::new();
    let mut encoder = Encoder::new(Protocol::P2, 3);
    for f in &frames {
        encoder.encode(&f.samples, f.switches, &mut clean);
    }
    let damaged = inject(
        &frames,
        &mut Encoder::new(Protocol::P2, 3),
        &restarts(0.0),
        1,
    );
    assert_eq!(damaged.bytes, clean);
    assert_eq!(damaged.counts, FaultCounts::default());
    assert!(damaged.restarts.is_empty());
}

#[test]
fn deterministic_for_a_seed() {
    let frames = random_frames(20_000, 5);
    let config = FaultConfig {
        restart: 0.001,
        ..FaultConfig::demo()
    };
    let run = |seed| inject(&frames, &mut Encoder::new(Protocol::P2, 0), &config, seed);
    assert_eq!(run(1), run(1));
    assert!(!run(1).restarts.is_empty());
    assert_ne!(run(1).restarts, run(2).restarts);
}

#[test]
fn restarts_and_other_faults_do_not_move_each_other() {
    let frames = random_frames(20_000, 6);
    let others = FaultConfig {
        counter_jump: 0.01,
        restart: 0.0,
        ..FaultConfig::demo()
    };
    let both = FaultConfig {
        restart: 0.001,
        ..others.clone()
    };
    let encoder = Encoder::new(Protocol::P2, 0);
    let (plain, _) = push_all(&frames, encoder.clone(), &others, 7);
    let (alone, alone_packets) = push_all(&frames, encoder.clone(), &restarts(0.001), 7);
    let (mixed, packets) = push_all(&frames, encoder, &both, 7);
    assert!(mixed.counts.restarts > 5);
    // The restarts happen during the same frames with or without the other faults.
    assert_eq!(
        restart_frames(&mixed, &packets),
        restart_frames(&alone, &alone_packets)
    );
    // A packet sent in both streams, and not cut short, was removed in both or in neither.
    let mut compared = 0;
    for (frame, k) in packets.iter().enumerate() {
        let Some(k) = *k else { continue };
        if !mixed.restarts.contains(&(k + 1)) {
            assert_eq!(mixed.sent[k].removed, plain.sent[frame].removed, "{frame}");
            compared += 1;
        }
    }
    assert!(compared > 10_000);
}

#[test]
fn every_packet_can_restart_the_device() {
    let frames = random_frames(3000, 7);
    let mut encoder = Encoder::new(Protocol::P2, 0);
    let damaged = inject(&frames, &mut encoder, &restarts(1.0), 1);
    let c = damaged.counts;
    assert!(damaged.sent.len() > 5, "{c}");
    assert_eq!(damaged.sent.len() + c.boot_frames, frames.len());
    assert!(damaged.restarts.iter().copied().eq(1..=damaged.sent.len()));
    assert!(damaged.sent.iter().all(|p| !p.intact));
    let expected = damaged.sent.len() * 17 - c.cut_bytes + c.boot_noise_bytes;
    assert_eq!(damaged.bytes.len(), expected, "{c}");
}
