//! The decoder against the fault injector: no false packets, recall, and exact loss accounting.
//!
//! "False" excludes what no decoder can catch without a checksum (see `Score::exact_splices`).
//! P3 has one more such class: when one packet loses a byte and gains a junk byte, its length
//! and bit layout are restored, so framing passes it. That takes two faults in one packet; the
//! P3 tests with combined faults bound its rate instead of asserting zero.

use libeeg::sim::{Damaged, FaultConfig, SimConfig, Simulator};
use libeeg::{DecoderConfig, Protocol, ProtocolChoice};
use proptest::prelude::*;
use workspace_tests::{Score, decode, packets, score};

fn damaged(protocol: Protocol, packets: usize, faults: &FaultConfig, seed: u64) -> Damaged {
    let mut sim = Simulator::new(SimConfig {
        seed,
        protocol,
        ..SimConfig::default()
    });
    Damaged::from_simulator(&mut sim, packets, faults, seed ^ 0x5eed)
}

/// Decodes a damaged stream and checks what must hold whatever the damage: every delivered
/// packet sits at its true sample index, and the lost count equals the packets not delivered.
fn run(protocol: Protocol, faults: &FaultConfig, n: usize, seed: u64) -> Score {
    let stream = damaged(protocol, n, faults, seed);
    let (events, stats) = decode(&DecoderConfig::default(), &stream.bytes, 4096);
    let s = score(&stream, &packets(&events), stats.lost);
    assert_eq!(
        s.misplaced, 0,
        "{protocol}: misplaced sample indices: {s:?}"
    );
    assert_eq!(s.reported_lost, s.missing, "{protocol}: lost count: {s:?}");
    s
}

fn heavy() -> FaultConfig {
    FaultConfig {
        drop_byte: 0.05,
        insert_junk: 0.05,
        drop_burst: 0.03,
        remove_packet: 0.03,
        ..FaultConfig::default()
    }
}

#[test]
fn p2_demo_faults_no_false_packets_and_recall_above_99_9_percent() {
    let s = run(Protocol::P2, &FaultConfig::demo(), 200_000, 1);
    assert_eq!(s.false_packets, 0, "{s:?}");
    assert!(s.recall() >= 0.999, "recall {:.5}: {s:?}", s.recall());
}

#[test]
fn p2_heavy_faults_never_produce_a_false_packet() {
    let s = run(
        Protocol::P2,
        &FaultConfig {
            drop_header_bytes: 0.01,
            ..heavy()
        },
        100_000,
        3,
    );
    assert_eq!(s.false_packets, 0, "{s:?}");
}

#[test]
fn p3_each_kind_of_fault_alone_never_produces_a_false_packet() {
    let demo = FaultConfig::demo();
    for (kind, faults) in [
        (
            "dropped bytes",
            FaultConfig {
                drop_byte: demo.drop_byte,
                ..FaultConfig::default()
            },
        ),
        (
            "junk",
            FaultConfig {
                insert_junk: demo.insert_junk,
                ..FaultConfig::default()
            },
        ),
        (
            "bursts",
            FaultConfig {
                drop_burst: demo.drop_burst,
                ..FaultConfig::default()
            },
        ),
        (
            "removed packets",
            FaultConfig {
                remove_packet: demo.remove_packet,
                ..FaultConfig::default()
            },
        ),
    ] {
        let s = run(Protocol::P3, &faults, 100_000, 5);
        assert_eq!(s.false_packets, 0, "{kind}: {s:?}");
        assert!(
            s.recall() >= 0.999,
            "{kind}: recall {:.5}: {s:?}",
            s.recall()
        );
    }
}

#[test]
fn p3_demo_faults_recall_above_99_8_percent_and_false_packets_rarer_than_1_in_50000() {
    let s = run(Protocol::P3, &FaultConfig::demo(), 200_000, 2);
    assert!(s.false_packets <= 4, "{s:?}");
    assert!(s.recall() >= 0.998, "recall {:.5}: {s:?}", s.recall());
}

#[test]
fn p3_heavy_faults_false_packets_rarer_than_1_in_10000() {
    let s = run(Protocol::P3, &heavy(), 100_000, 3);
    assert!(s.false_packets <= 10, "{s:?}");
}

#[test]
fn a_clean_stream_decodes_completely_in_either_protocol() {
    for protocol in [Protocol::P2, Protocol::P3] {
        let stream = damaged(protocol, 5_000, &FaultConfig::default(), 4);
        let (events, stats) = decode(&DecoderConfig::default(), &stream.bytes, 333);
        let s = score(&stream, &packets(&events), stats.lost);
        assert_eq!(
            (
                s.false_packets,
                s.intact_delivered,
                stats.lost,
                stats.skipped_bytes
            ),
            (0, 5_000, 0, 0),
            "{protocol}"
        );
    }
}

proptest! {
    // A fixed seed: CI must not depend on which random streams a run happens to draw. Change
    // it (or set PROPTEST_RNG_SEED) to explore other cases.
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0EE6),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_faults_keep_every_invariant(
        seed in any::<u64>(),
        p3 in any::<bool>(),
        drop_byte in 0.0..0.05f64,
        insert_junk in 0.0..0.05f64,
        drop_burst in 0.0..0.02f64,
        remove_packet in 0.0..0.03f64,
        chunk in 1usize..200,
    ) {
        let protocol = if p3 { Protocol::P3 } else { Protocol::P2 };
        let faults = FaultConfig { drop_byte, insert_junk, drop_burst, remove_packet, ..FaultConfig::default() };
        let stream = damaged(protocol, 3_000, &faults, seed);
        let config = DecoderConfig::with_protocol(ProtocolChoice::Auto);
        let (events, stats) = decode(&config, &stream.bytes, chunk);
        // Chunking never changes the events.
        let (whole, _) = decode(&config, &stream.bytes, stream.bytes.len());
        let first_difference = events.iter().zip(&whole).position(|(a, b)| a != b);
        prop_assert!(events.len() == whole.len() && first_difference.is_none(),
            "chunked events differ from whole-input events at {:?}: {:?}", first_difference,
            first_difference.map(|i| (&events[i], &whole[i])));
        // Bytes are conserved.
        prop_assert_eq!(stats.bytes_in, stats.packet_bytes + stats.skipped_bytes);
        let s = score(&stream, &packets(&events), stats.lost);
        // P3 may pass a packet that lost one byte and gained another (see the module docs):
        // at these fault rates, at most 0.1 % of the packets.
        let allowed_false = if p3 { 3 } else { 0 };
        prop_assert!(s.false_packets <= allowed_false, "{:?} {:?}", s, stream.counts);
        prop_assert_eq!(s.misplaced, 0);
        prop_assert_eq!(s.reported_lost, s.missing);
    }

    #[test]
    fn encode_then_decode_is_identity(seed in any::<u64>(), p3 in any::<bool>(), n in 1usize..400) {
        let protocol = if p3 { Protocol::P3 } else { Protocol::P2 };
        let stream = damaged(protocol, n, &FaultConfig::default(), seed);
        let choice = if p3 { ProtocolChoice::P3 } else { ProtocolChoice::P2 };
        let (events, stats) = decode(&DecoderConfig::with_protocol(choice), &stream.bytes, 64);
        let got = packets(&events);
        prop_assert_eq!(got.len(), n);
        for (p, sent) in got.iter().zip(&stream.sent) {
            prop_assert_eq!((p.counter, p.samples, p.switches), (sent.counter, sent.samples, sent.switches));
        }
        prop_assert_eq!(stats.lost, 0);
    }

    #[test]
    fn k_removed_packets_report_k_lost(seed in any::<u64>(), p3 in any::<bool>(), removed in proptest::collection::btree_set(3usize..590, 0..20)) {
        let protocol = if p3 { Protocol::P3 } else { Protocol::P2 };
        let stream = damaged(protocol, 600, &FaultConfig::default(), seed);
        let len = if p3 { 11 } else { 17 };
        let bytes: Vec<u8> = stream.bytes.chunks(len).enumerate().filter(|(i, _)| !removed.contains(i)).flat_map(|(_, p)| p.to_vec()).collect();
        // Auto-detection needs a few clean packets at the start, hence removals from the 4th on.
        let (events, stats) = decode(&DecoderConfig::default(), &bytes, 100);
        prop_assert_eq!(packets(&events).len(), 600 - removed.len());
        prop_assert_eq!(stats.lost, removed.len() as u64);
    }
}
