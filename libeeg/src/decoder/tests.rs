//! Decoder behaviour on hand-built streams. Fault-injection properties live in the workspace
//! `tests/` crate, where the simulator is available.

use super::*;
use crate::RestartEvidence;

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
fn a_fake_header_borrowing_the_tail_of_the_packet_it_broke_is_refused() {
    // Packet 6 never came; junk holding a fake header and a 12-byte body went into packet 7 just
    // before its switches byte. The fake and that byte are 17 well-formed bytes and 8's header
    // follows them; its random counter may repeat 5, continue it, or name 7 or 8.
    for fake in [5, 6, 7, 8] {
        let mut stream = p2_stream(0..6);
        let seven = p2_packet(7, 407, 0x0F);
        stream.extend(&seven[..16]);
        stream.extend([0xA5, 0x5A, 0x02, fake]);
        stream.extend([1, 0x23].repeat(6));
        stream.push(seven[16]);
        stream.extend(p2_stream(8..12));
        let (events, stats) = decode_all(auto(), &stream, 1);
        assert_eq!(
            counters(&events),
            [0, 1, 2, 3, 4, 5, 8, 9, 10, 11],
            "fake counter {fake}"
        );
        assert_eq!(stats.lost, 2, "fake counter {fake}");
    }
}

#[test]
fn a_junk_header_after_a_real_packet_does_not_cost_it() {
    // Packet 6 lost its switches byte; 7 is intact but a truncated fake header follows it. Its
    // random counter says nothing about where 7 stands, even when it comes before.
    for junk in [3, 6, 7, 200] {
        let mut stream = p2_stream(0..6);
        stream.extend(&p2_packet(6, 406, 0x0F)[..16]);
        stream.extend(p2_stream(7..8));
        stream.extend([0xA5, 0x5A, 0x02, junk, 0x00, 0xDF]);
        stream.extend(p2_stream(8..12));
        let (events, stats) = decode_all(auto(), &stream, 1);
        if junk == 7 {
            // Repeating 7's counter, it is what a fake 7 that took the real one's counter would
            // be followed by: 7 is refused, and reported lost.
            assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]);
            assert_eq!(stats.lost, 2);
            continue;
        }
        assert_eq!(
            counters(&events),
            [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11],
            "junk counter {junk}"
        );
        assert_eq!(stats.lost, 1, "junk counter {junk}");
    }
}

#[test]
fn a_fake_header_inside_a_broken_packet_is_not_placed_by_a_junk_header_after_it() {
    // Junk holding a fake header and one body byte went into packet 6 after its first high
    // byte; the fake with 6's tail is well-formed, and more junk with a header follows it. That
    // header's counter, 200, would let the fake's jump to 48 pass; packet 7's does not.
    let six = p2_packet(6, 406, 0x0F);
    let mut stream = p2_stream(0..6);
    stream.extend(&six[..5]);
    stream.extend([0xA5, 0x5A, 0x02, 48, 0x02]);
    stream.extend(&six[5..]);
    stream.extend([0xA5, 0x5A, 0x02, 200, 0x03, 0x37, 0x01, 0xC1, 0x02, 0x96]);
    stream.extend(p2_stream(7..12));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 1);
}

#[test]
fn a_fake_header_on_a_real_tail_in_sync_is_refused_when_its_counter_runs_past_the_next() {
    // A burst ate packets 6 to 9 and the head of 10, and junk with a header (counter 60) stood
    // where it stopped: with 10's tail, 17 well-formed bytes right where 6 was expected. 11
    // lost its first byte, so no header follows; 12 comes long before counter 60.
    let mut stream = p2_stream(0..6);
    stream.extend([0xA5, 0x5A, 0x02, 60]);
    stream.extend(&p2_packet(10, 410, 0x0F)[4..]);
    stream.extend(&p2_packet(11, 411, 0x0F)[1..]);
    stream.extend(p2_stream(12..16));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 12, 13, 14, 15]);
    assert_eq!(stats.lost, 6);
}

#[test]
fn a_misaligned_splice_that_a_junk_header_follows_is_refused() {
    // A burst joined packet 6's first 11 bytes to bytes 3..9 of packet 7: 17 well-formed bytes
    // whose switches slot holds 7's byte 8. Junk with a header went into 7 right after, so a
    // header stands 17 bytes on, but its packet is broken and 8 repeats the old switches.
    let seven = p2_packet(7, 407, 0x0F);
    let mut stream = p2_stream(0..6);
    stream.extend(&p2_packet(6, 406, 0x0F)[..11]);
    stream.extend(&seven[3..9]);
    stream.extend([0xA5, 0x5A, 0x02, 0x49]);
    stream.extend(&seven[9..]);
    stream.extend(p2_stream(8..12));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 2);
}

#[test]
fn a_switch_change_is_delivered_though_the_next_packet_is_damaged() {
    let mut stream = p2_stream(0..6);
    stream.extend(p2_packet(6, 406, 0x0D));
    let mut seven = p2_packet(7, 407, 0x0D);
    seven.remove(9);
    stream.extend(seven);
    (8..12).for_each(|c| stream.extend(p2_packet(c, 400 + u16::from(c), 0x0D)));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 1);
}

#[test]
fn a_bare_fake_header_right_after_a_packets_counter_is_refused() {
    // Junk holding a bare header (counter 5, the last delivered) went into packet 6 right after
    // its counter; with 6's samples it is a well-formed packet repeating counter 5.
    let six = p2_packet(6, 406, 0x0F);
    let mut stream = p2_stream(0..6);
    stream.extend(&six[..4]);
    stream.extend([0xA5, 0x5A, 0x02, 5]);
    stream.extend(&six[4..]);
    stream.extend(p2_stream(7..11));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 7, 8, 9, 10]);
    assert_eq!(stats.lost, 1);
}

#[test]
fn a_fake_header_inside_a_packet_the_hunt_passed_is_refused() {
    // Packet 6 lost a byte, so the hunt starts there; junk holding a bare header (counter 8)
    // went into packet 7 right after its counter, and with 7's samples claims 8's slot.
    let mut stream = p2_stream(0..6);
    let mut six = p2_packet(6, 406, 0x0F);
    six.remove(9);
    stream.extend(six);
    let seven = p2_packet(7, 407, 0x0F);
    stream.extend(&seven[..4]);
    stream.extend([0xA5, 0x5A, 0x02, 8]);
    stream.extend(&seven[4..]);
    stream.extend(p2_stream(8..12));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 2);
}

#[test]
fn a_bare_junk_header_carrying_the_next_counter_does_not_cost_that_packet() {
    // A bare header with counter 7 stands where 6 was expected; 6 lost its version byte.
    let mut stream = p2_stream(0..6);
    stream.extend([0xA5, 0x5A, 0x02, 7]);
    let mut six = p2_packet(6, 406, 0x0F);
    six.remove(2);
    stream.extend(six);
    stream.extend(p2_stream(7..11));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 7, 8, 9, 10]);
    assert_eq!(stats.lost, 1);
}

#[test]
fn a_found_packet_whose_counter_the_next_packet_repeats_is_refused() {
    // Packet 6 lost its version byte, and junk holding a bare header (counter 7) went in after
    // its counter: with 6's samples a well-formed packet claiming 7, which the real 7 follows.
    let six = p2_packet(6, 406, 0x0F);
    let mut stream = p2_stream(0..6);
    stream.extend([0xA5, 0x5A, 6, 0xA5, 0x5A, 0x02, 7]);
    stream.extend(&six[4..]);
    stream.extend(p2_stream(7..11));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 7, 8, 9, 10]);
    assert_eq!(stats.lost, 1);
}

#[test]
fn a_packet_whose_counter_the_header_after_it_repeats_is_refused_in_sync() {
    // Packet 6 never came, and 7 lost its counter byte and gained 8 in its place: where 6 was
    // expected stands a well-formed packet claiming 8, and the real 8 follows it.
    let mut stream = p2_stream(0..6);
    stream.extend([0xA5, 0x5A, 0x02, 8]);
    stream.extend(&p2_packet(7, 407, 0x0F)[4..]);
    stream.extend(p2_stream(8..12));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 2);
}

#[test]
fn a_fake_packet_after_a_found_one_does_not_bound_its_counter() {
    // Junk with a fake header (counter 20) went into packet 6 and junk with another (counter 2)
    // into packet 7, each borrowing its packet's tail. The second fake, counter 2, would let
    // the first one's jump to 20 pass; its own counter does not run on into 8's.
    let (six, seven) = (p2_packet(6, 406, 0x0F), p2_packet(7, 407, 0x0F));
    let mut stream = p2_stream(0..6);
    stream.extend(&six[..13]);
    stream.extend([0xA5, 0x5A, 0x02, 20, 1, 0x11, 0, 0x1A, 3, 0x98, 3, 0x71, 1]);
    stream.extend(&six[13..]);
    stream.extend(&seven[..8]);
    stream.extend([0xA5, 0x5A, 0x02, 2, 0, 0x73, 3, 0xF8]);
    stream.extend(&seven[8..]);
    stream.extend(p2_stream(8..12));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 2);
}

#[test]
fn a_well_formed_packet_right_after_a_found_one_bounds_its_counter() {
    // Junk with a fake header (counter 8) and a 12-byte body went into packet 6 just before its
    // switches byte; 7 follows intact, but 8 never came, so 7's counter does not run on into
    // 9's. 7 still bounds the fake: it stands right where the fake ends.
    let six = p2_packet(6, 406, 0x0F);
    let mut stream = p2_stream(0..6);
    stream.extend(&six[..16]);
    stream.extend([
        0xA5, 0x5A, 0x02, 8, 3, 0x3F, 1, 0xA4, 0, 0xF8, 3, 0x5C, 1, 0xCC, 0, 0xC7,
    ]);
    stream.push(six[16]);
    stream.extend(p2_stream([7, 9, 10, 11]));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 7, 9, 10, 11]);
    assert_eq!(stats.lost, 2);
}

/// Packet 7 lost its version byte, and junk holding a fake header with counter `fake` and a
/// 4-byte body went into it after its first high byte: with 7's tail, a well-formed packet.
fn seven_without_version_holding_a_fake(fake: u8) -> Vec<u8> {
    let seven = p2_packet(7, 407, 0x0F);
    let mut bytes = [&seven[..2], &seven[3..8]].concat();
    bytes.extend([0xA5, 0x5A, 0x02, fake, 0, 0x5B, 1, 0x1D]);
    bytes.extend(&seven[8..]);
    bytes
}

#[test]
fn a_packet_before_a_fake_with_an_earlier_counter_is_delivered() {
    // No header follows 6, and the next well-formed packet is the fake, claiming counter 5.
    let mut stream = p2_stream(0..7);
    stream.extend(seven_without_version_holding_a_fake(5));
    stream.extend(p2_stream(8..12));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 1);
}

#[test]
fn a_repeated_counter_found_while_hunting_needs_the_next_packet_to_go_on_with_it() {
    // 6 lost a byte; the fake repeats 5, the last delivered counter, and 8 follows it.
    let mut stream = p2_stream(0..6);
    let mut six = p2_packet(6, 406, 0x0F);
    six.remove(9);
    stream.extend(six);
    stream.extend(seven_without_version_holding_a_fake(5));
    stream.extend(p2_stream(8..12));
    let (events, stats) = decode_all(auto(), &stream, 1);
    assert_eq!(counters(&events), [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]);
    assert_eq!(stats.lost, 2);
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

/// A board restarting as the Olimex shield's sketch does: packets `before`, the next one cut
/// short after `cut` bytes, `noise`, a reset signal of `run` packets (counter 0, mid-scale,
/// switches 0x02), then counters 0 (normal switches), 1, 2, ... for `after` packets.
fn restart_stream(
    before: std::ops::Range<u8>,
    cut: usize,
    noise: &[u8],
    run: usize,
    after: u8,
) -> Vec<u8> {
    let shield = |c: u8| p2_packet(c, 400 + u16::from(c), 0x01);
    let mut stream: Vec<u8> = before.clone().flat_map(shield).collect();
    stream.extend(&shield(before.end)[..cut]);
    stream.extend(noise);
    for _ in 0..run {
        stream.extend([0xA5, 0x5A, 0x02, 0]);
        stream.extend([0x02, 0x00].repeat(6));
        stream.push(0x02);
    }
    stream.extend((0..after).flat_map(shield));
    stream
}

#[test]
fn a_reset_signal_after_a_resync_is_delivered_as_a_restart_not_a_loss() {
    // Cut after 11 bytes, 26 bytes of boot noise: the decoder loses sync, then meets the run.
    let noise: Vec<u8> = (0..26u8)
        .map(|i| i.wrapping_mul(97).wrapping_add(0x31))
        .collect();
    let stream = restart_stream(40..60, 11, &noise, 30, 20);
    let (reference, stats) = decode_all(auto(), &stream, stream.len());
    let got = counters(&reference);
    let expected: Vec<u8> = (40..60).chain([0; 30]).chain(0..20).collect();
    assert_eq!(got, expected);
    assert_eq!(
        (stats.lost, stats.restarts, stats.refused_packets),
        (0, 1, 0)
    );
    assert!(reference.contains(&Event::Restart {
        sample_index: 20,
        previous_counter: 59,
        counter: 0,
        evidence: RestartEvidence::ResetSignal,
    }));
    // Sample indices run on: the restart loses nothing.
    let indices: Vec<u64> = packets(&reference).iter().map(|p| p.sample_index).collect();
    assert_eq!(indices, (0..70).collect::<Vec<_>>());
    for chunk in [1, 2, 5, 16, 17, 18, 64] {
        assert_eq!(
            decode_all(auto(), &stream, chunk).0,
            reference,
            "chunk {chunk}"
        );
    }
}

#[test]
fn a_reset_signal_with_no_noise_or_in_sync_is_a_restart_too() {
    for cut in [3, 4, 9, 16] {
        let stream = restart_stream(7..30, cut, &[], 5, 9);
        let (events, stats) =
            decode_all(DecoderConfig::with_protocol(ProtocolChoice::P2), &stream, 7);
        let expected: Vec<u8> = (7..30).chain([0; 5]).chain(0..9).collect();
        assert_eq!(counters(&events), expected, "cut {cut}");
        assert_eq!((stats.lost, stats.restarts), (0, 1), "cut {cut}");
    }
}

#[test]
fn a_reset_signal_at_the_start_of_the_stream_is_delivered() {
    let stream = restart_stream(0..0, 0, b"\0\xF0boot", 40, 10);
    let (events, stats) = decode_all(auto(), &stream, 13);
    let expected: Vec<u8> = [0; 40].into_iter().chain(0..10).collect();
    assert_eq!(counters(&events), expected);
    assert_eq!((stats.lost, stats.restarts), (0, 0));
}

#[test]
fn a_lone_fake_header_repeating_a_counter_is_still_refused() {
    // Junk inside packet 12 holds a fake header whose counter repeats the next packet's (13):
    // with packet 12's tail it forms a well-formed packet, and packet 13's header follows it.
    // Packet 14 goes on counting, so no run of one counter begins there.
    let clean = p2_stream(0..30);
    let inside = 12 * 17 + 8;
    let mut stream = clean[..inside].to_vec();
    stream.extend([0xA5, 0x5A, 0x02, 13, 1, 0x44, 2, 0x55]);
    stream.extend(&clean[inside..]);
    for chunk in [1, 5, 17, 64] {
        let (events, stats) = decode_all(auto(), &stream, chunk);
        let expected: Vec<u8> = (0..12).chain(13..30).collect();
        assert_eq!(counters(&events), expected, "chunk {chunk}");
        for p in packets(&events) {
            let sent: [u16; 6] =
                std::array::from_fn(|ch| (400 + u16::from(p.counter) + 37 * ch as u16) & 0x3FF);
            assert_eq!(p.samples, sent, "chunk {chunk}");
        }
        assert_eq!((stats.lost, stats.restarts), (1, 0), "chunk {chunk}");
    }
}

#[test]
fn a_restart_that_arrival_times_show_is_not_a_loss() {
    // A board restarting from counter 0 with no reset signal: the counter jumps from 57 to 0
    // while only 20 ms pass.
    let mut decoder = Decoder::new(DecoderConfig::with_protocol(ProtocolChoice::P2));
    let mut events = Vec::new();
    let mut t = Duration::ZERO;
    for (k, chunk) in p2_stream(40..58).chunks(17 * 4).enumerate() {
        t = Duration::from_millis(16 * k as u64);
        decoder.push_at(chunk, t);
        events.extend(std::iter::from_fn(|| decoder.poll()));
    }
    let mut restarted = p2_packet(58, 0, 0x0F)[..6].to_vec();
    restarted.extend(p2_stream(0..12));
    decoder.push_at(&restarted, t + Duration::from_millis(20));
    decoder.finish();
    events.extend(std::iter::from_fn(|| decoder.poll()));
    let expected: Vec<u8> = (40..58).chain(0..12).collect();
    assert_eq!(counters(&events), expected);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Restart {
            evidence: RestartEvidence::ElapsedTime,
            previous_counter: 57,
            counter: 0,
            ..
        }
    )));
    assert_eq!((decoder.stats().lost, decoder.stats().restarts), (0, 1));
    // Without arrival times the same bytes can only read as lost packets.
    let mut bytes = p2_stream(40..58);
    bytes.extend(&restarted);
    let (_, stats) = decode_all(DecoderConfig::with_protocol(ProtocolChoice::P2), &bytes, 64);
    assert_eq!((stats.lost, stats.restarts), (256 - 58, 0));
}

#[test]
fn p3_a_run_of_one_counter_after_a_resync_is_delivered() {
    let mut stream: Vec<u8> = (10..30u8).flat_map(|c| p3_packet(c, 0, 300)).collect();
    stream.extend(&p3_packet(30, 0, 300)[..4]);
    stream.extend([0x13, 0x27]);
    stream.extend((0..6).flat_map(|_| p3_packet(0, 0, 512)));
    stream.extend((1..9u8).flat_map(|c| p3_packet(c, 0, 300)));
    let (events, stats) = decode_all(DecoderConfig::with_protocol(ProtocolChoice::P3), &stream, 4);
    let expected: Vec<u8> = (10..30).chain([0; 6]).chain(1..9).collect();
    assert_eq!(counters(&events), expected);
    assert_eq!((stats.lost, stats.restarts), (0, 1));
}

#[test]
fn damage_inside_a_reset_signal_costs_only_the_damaged_packets() {
    let reset = |_| {
        let mut p = vec![0xA5, 0x5A, 0x02, 0];
        p.extend([0x02, 0x00].repeat(6));
        p.push(0x02);
        p
    };
    for (damage, at) in [("drop", 5usize), ("drop", 12), ("junk", 9), ("burst", 3)] {
        let mut stream = p2_stream(20..40);
        let run: Vec<Vec<u8>> = (0..60).map(reset).collect();
        for (k, p) in run.iter().enumerate() {
            let mut p = p.clone();
            if k == 30 {
                match damage {
                    "drop" => {
                        p.remove(at);
                    }
                    "junk" => p.splice(at..at, [0x13, 0x37, 0xA5]).for_each(drop),
                    _ => p.truncate(at),
                }
            }
            if damage == "burst" && k == 31 {
                continue;
            }
            stream.extend(p);
        }
        stream.extend(p2_stream(0..20));
        let (events, stats) = decode_all(
            DecoderConfig::with_protocol(ProtocolChoice::P2),
            &stream,
            64,
        );
        let zeros = counters(&events).iter().filter(|&&c| c == 0).count();
        let lost_in_run = if damage == "burst" { 2 } else { 1 };
        assert_eq!(zeros, 60 - lost_in_run + 1, "{damage} at {at}: {:?}", stats);
        assert_eq!(stats.restarts, 1, "{damage} at {at}");
    }
}
