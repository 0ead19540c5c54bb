//! Decoder behaviour on hand-built streams. Fault-injection properties live in the workspace
//! `tests/` crate, where the simulator is available.

use super::*;

fn p2_packet(counter: u8, value: u16, switches: u8) -> Vec<u8> {
    let mut p = vec![0xA5, 0x5A, 0x02, counter];
    for ch in 0..6u16 {
        let v = (value + 37 * ch) & 0x3FF;
        p.extend([(v >> 8) as u8, v as u8]);
    }
    p.push(switches);
    p
}

fn p2_stream(counters: impl IntoIterator<Item = u8>) -> Vec<u8> {
    counters
        .into_iter()
        .flat_map(|c| p2_packet(c, 400 + u16::from(c), 0x0F))
        .collect()
}

fn p3_packet(counter: u8, aux: u8, value: u16) -> Vec<u8> {
    let mut p = vec![(counter & 63) << 1 | aux >> 7, aux & 0x7F];
    for pair in 0..3u16 {
        let (a, b) = ((value + pair * 2) & 0x3FF, (value + pair * 2 + 1) & 0x3FF);
        p.extend([
            (a & 0x7F) as u8,
            (b & 0x7F) as u8,
            ((a >> 7) as u8) << 4 | (b >> 7) as u8,
        ]);
    }
    *p.last_mut().unwrap() |= 0x80;
    p
}

fn decode_all(config: DecoderConfig, bytes: &[u8], chunk: usize) -> (Vec<Event>, Stats) {
    let mut decoder = Decoder::new(config);
    let mut events = Vec::new();
    for part in bytes.chunks(chunk.max(1)) {
        decoder.decode(part, |e| events.push(e));
    }
    decoder.finish();
    events.extend(std::iter::from_fn(|| decoder.poll()));
    assert_eq!(decoder.buffered(), 0);
    (events, *decoder.stats())
}

fn packets(events: &[Event]) -> Vec<Packet> {
    events
        .iter()
        .filter_map(|e| {
            if let Event::Packet(p) = e {
                Some(*p)
            } else {
                None
            }
        })
        .collect()
}

fn counters(events: &[Event]) -> Vec<u8> {
    packets(events).iter().map(|p| p.counter).collect()
}

fn auto() -> DecoderConfig {
    DecoderConfig::default()
}

#[test]
fn clean_p2_decodes_every_packet_at_every_chunk_size() {
    let stream = p2_stream(250..=255u8)
        .into_iter()
        .chain(p2_stream(0..10))
        .collect::<Vec<_>>();
    let (reference, stats) = decode_all(auto(), &stream, stream.len());
    assert_eq!(
        counters(&reference),
        (250..=255).chain(0..10).collect::<Vec<_>>()
    );
    assert_eq!(stats.lost, 0);
    assert_eq!(stats.skipped_bytes, 0);
    assert_eq!(packets(&reference)[3].samples[1], (400 + 253 + 37) & 0x3FF);
    assert_eq!(packets(&reference).last().unwrap().sample_index, 15);
    for chunk in 1..stream.len() {
        assert_eq!(
            decode_all(auto(), &stream, chunk).0,
            reference,
            "chunk {chunk}"
        );
    }
}

#[test]
fn a_stream_cut_mid_packet_and_a_text_header_are_skipped() {
    let mut stream = b"BrainBay archive header\r\n".to_vec();
    stream.extend(&p2_packet(9, 0, 0x0F)[5..]);
    stream.extend(p2_stream(10..20));
    let (events, stats) = decode_all(auto(), &stream, 7);
    assert_eq!(counters(&events), (10..20).collect::<Vec<_>>());
    assert!(matches!(
        events[0],
        Event::SyncAcquired {
            protocol: Protocol::P2,
            skipped_bytes: 37
        }
    ));
    assert_eq!(stats.skipped_bytes, 37);
}

#[test]
fn the_byte_that_broke_sync_is_re_examined() {
    // A5 A5 5A ...: the second A5 starts the real packet.
    let mut stream = p2_stream(0..3);
    stream.push(0xA5);
    stream.extend(p2_stream(3..8));
    let (events, stats) = decode_all(DecoderConfig::with_protocol(ProtocolChoice::P2), &stream, 1);
    assert_eq!(counters(&events), (0..8).collect::<Vec<_>>());
    assert_eq!((stats.lost, stats.skipped_bytes, stats.resyncs), (0, 1, 1));
}

#[test]
fn junk_and_text_between_packets_lose_nothing() {
    let mut stream = p2_stream(0..5);
    stream.extend(b"Reset signal logged.\r\n");
    stream.extend(p2_stream(5..8));
    stream.extend([0xA5, 0x5A]);
    stream.extend(p2_stream(8..12));
    let (events, stats) = decode_all(auto(), &stream, 3);
    assert_eq!(counters(&events), (0..12).collect::<Vec<_>>());
    assert_eq!(stats.lost, 0);
    assert_eq!(stats.resyncs, 2);
}

#[test]
fn an_aligned_splice_is_refused_and_counted_lost() {
    // Lose 14 bytes from the middle of packet 3 into packet 4: 17 bytes pass every field check.
    let clean = p2_stream(0..10);
    let mut stream = clean[..3 * 17 + 8].to_vec();
    stream.extend(&clean[4 * 17 + 6..]);
    let (events, stats) = decode_all(auto(), &stream, 5);
    let delivered = packets(&events);
    let truth = packets(&decode_all(auto(), &clean, clean.len()).0);
    for p in &delivered {
        let real = truth.iter().find(|t| t.counter == p.counter).unwrap();
        assert_eq!(p.samples, real.samples, "false packet {}", p.counter);
    }
    assert_eq!(counters(&events), [0, 1, 2, 5, 6, 7, 8, 9]);
    assert_eq!(stats.lost, 2);
    assert_eq!(stats.refused_packets, 1);
    assert!(events.contains(&Event::PacketsLost {
        count: 2,
        first_sample_index: 3
    }));
}

#[test]
fn a_packet_missing_its_version_and_counter_costs_only_itself() {
    let mut stream = p2_stream(0..4);
    let damaged = p2_packet(4, 404, 0x0F);
    stream.extend(&damaged[..2]);
    stream.extend(&damaged[4..]);
    stream.extend(p2_stream(5..9));
    let (events, stats) = decode_all(auto(), &stream, 4);
    assert_eq!(counters(&events), [0, 1, 2, 3, 5, 6, 7, 8]);
    assert_eq!(stats.lost, 1);
}

#[test]
fn a_repeated_counter_is_delivered_and_reported_once() {
    let stream = p2_stream([7, 7, 7, 7, 8, 9, 10]);
    let (events, stats) = decode_all(auto(), &stream, 17);
    assert_eq!(counters(&events), [7, 7, 7, 7, 8, 9, 10]);
    assert_eq!(stats.lost, 0);
    assert_eq!(stats.repeated_counters, 3);
    let stalls = events
        .iter()
        .filter(|e| matches!(e, Event::CounterStalled { .. }))
        .count();
    assert_eq!(stalls, 1);
    assert_eq!(packets(&events).last().unwrap().sample_index, 6);
}

#[test]
fn switch_changes_are_events() {
    let mut stream = p2_stream(0..3);
    stream.extend(p2_packet(3, 0, 0x0E));
    stream.extend(p2_packet(4, 0, 0x0E));
    stream.extend(p2_stream(5..8));
    let (events, _) = decode_all(auto(), &stream, 17);
    let changes: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::SwitchChanged { .. }))
        .cloned()
        .collect();
    assert_eq!(
        changes,
        [
            Event::SwitchChanged {
                sample_index: 3,
                previous: 0x0F,
                current: 0x0E
            },
            Event::SwitchChanged {
                sample_index: 5,
                previous: 0x0E,
                current: 0x0F
            },
        ]
    );
}

#[test]
fn a_held_packet_waits_for_proof_and_quiet_releases_it() {
    let stream = p2_stream(0..4);
    let mut decoder = Decoder::default();
    decoder.push(&stream);
    let delivered: Vec<_> = std::iter::from_fn(|| decoder.poll()).collect();
    assert_eq!(counters(&delivered), [0, 1, 2]);
    decoder.quiet();
    assert_eq!(
        counters(&std::iter::from_fn(|| decoder.poll()).collect::<Vec<_>>()),
        [3]
    );
}

#[test]
fn low_latency_delivers_a_continuing_packet_at_once() {
    let config = DecoderConfig {
        low_latency: true,
        protocol: ProtocolChoice::P2,
        ..auto()
    };
    let mut decoder = Decoder::new(config);
    decoder.push(&p2_stream(0..2));
    // Packet 0 is proven by 1's header; 1 continues 0's counter and goes out without proof.
    assert_eq!(
        counters(&std::iter::from_fn(|| decoder.poll()).collect::<Vec<_>>()),
        [0, 1]
    );
    decoder.push(&p2_stream(2..3));
    assert_eq!(
        counters(&std::iter::from_fn(|| decoder.poll()).collect::<Vec<_>>()),
        [2]
    );
}

#[test]
fn endless_junk_keeps_memory_bounded_and_bytes_conserved() {
    let mut decoder = Decoder::default();
    let mut state = 1u32;
    for _ in 0..2000 {
        let chunk: Vec<u8> = (0..512)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect();
        decoder.push(&chunk);
        while decoder.poll().is_some() {}
        assert!(
            decoder.buffered() < 64,
            "holding {} bytes",
            decoder.buffered()
        );
        let s = decoder.stats();
        assert_eq!(
            s.bytes_in,
            s.packet_bytes + s.skipped_bytes + decoder.buffered() as u64
        );
    }
    assert_eq!(decoder.stats().packets, 0);
}

#[test]
fn p3_decodes_with_switches_and_device_id() {
    let id = b"mEEGv1.0\0";
    let mut stream = Vec::new();
    let mut slot = 0;
    for n in 0..200u16 {
        let counter = (n % 64) as u8;
        let aux = match counter & 7 {
            0 => {
                slot += 1;
                id[(slot - 1) % id.len()]
            }
            4 => 0x0D,
            _ => 0,
        };
        stream.extend(p3_packet(counter, aux, 100 + n));
    }
    let (reference, stats) = decode_all(auto(), &stream, stream.len());
    assert_eq!(packets(&reference).len(), 200);
    assert_eq!(stats.lost, 0);
    let first = packets(&reference)[0];
    assert_eq!(
        (first.protocol, first.channel_count, first.samples),
        (Protocol::P3, 6, [100, 101, 102, 103, 104, 105])
    );
    assert!(reference.contains(&Event::DeviceId("mEEGv1.0".into())));
    assert!(
        reference
            .iter()
            .any(|e| matches!(e, Event::SwitchChanged { current: 0x0D, .. }))
    );
    for chunk in [1, 2, 3, 10, 11, 12, 100] {
        assert_eq!(
            decode_all(auto(), &stream, chunk).0,
            reference,
            "chunk {chunk}"
        );
    }
}

#[test]
fn p3_junk_inside_a_packet_is_not_a_false_packet() {
    let clean: Vec<u8> = (0..20u8)
        .flat_map(|c| p3_packet(c, 0, 300 + u16::from(c)))
        .collect();
    let mut stream = clean[..5 * 11 + 9].to_vec();
    stream.extend([0x41, 0xC0]);
    stream.extend(&clean[5 * 11 + 9..]);
    let (events, stats) = decode_all(auto(), &stream, 3);
    assert_eq!(
        counters(&events),
        (0..20).filter(|&c| c != 5).collect::<Vec<_>>()
    );
    assert_eq!(stats.lost, 1);
}

#[test]
fn p2_data_never_locks_as_p3_and_p3_never_as_p2() {
    let p2 = p2_stream((0..=255).cycle().take(600));
    let (events, _) = decode_all(auto(), &p2[5..], 64);
    assert!(packets(&events).iter().all(|p| p.protocol == Protocol::P2));
    let p3: Vec<u8> = (0..600u16)
        .flat_map(|n| p3_packet((n % 64) as u8, 0, n))
        .collect();
    let (events, _) = decode_all(auto(), &p3[3..], 64);
    assert!(packets(&events).iter().all(|p| p.protocol == Protocol::P3));
    assert_eq!(packets(&events).len(), 599);
}

#[test]
fn arrival_times_count_an_outage_longer_than_a_counter_cycle() {
    let mut decoder = Decoder::new(DecoderConfig::with_protocol(ProtocolChoice::P2));
    decoder.push_at(&p2_stream(0..10), Duration::from_millis(40));
    // 300 packets (1.18 s at 256 Hz) vanish; the counter alone would say 44.
    decoder.push_at(&p2_stream(54..60), Duration::from_millis(40 + 1176));
    decoder.finish();
    let events: Vec<_> = std::iter::from_fn(|| decoder.poll()).collect();
    assert!(events.contains(&Event::PacketsLost {
        count: 300,
        first_sample_index: 10
    }));
}
