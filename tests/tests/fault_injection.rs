//! The decoder against the fault injector: no false packets, recall, and exact loss accounting.
//!
//! "False" excludes what no decoder can catch without a checksum (see `Score::exact_splices`).
//! One more class escapes framing in both protocols: when one packet loses a byte and gains a
//! junk byte, its length and layout are restored (header, counter and switches intact, one
//! sample wrong). It takes two faults in one packet; the tests with both faults bound its rate
//! (at most 0.1 % of the packets) instead of asserting zero. Random P2 mixes also meet, about
//! once in 256 fakes, a fake header whose random counter is exactly the expected one.

use std::time::Duration;

use libeeg::sim::{Damaged, FaultConfig, SimConfig, Simulator};
use libeeg::{DecoderConfig, Protocol, ProtocolChoice};
use proptest::prelude::*;
use workspace_tests::mix::{self, Mix};
use workspace_tests::{Score, decode, decode_live, packets, score};

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
    run_chunked(protocol, faults, n, seed, 4096)
}

/// [`run`], pushing the stream `chunk` bytes at a time.
fn run_chunked(
    protocol: Protocol,
    faults: &FaultConfig,
    n: usize,
    seed: u64,
    chunk: usize,
) -> Score {
    let stream = damaged(protocol, n, faults, seed);
    let (events, stats) = decode(&DecoderConfig::default(), &stream.bytes, chunk);
    let s = score(&stream, &packets(&events), stats.lost);
    assert_eq!(
        s.misplaced, 0,
        "{protocol}: misplaced sample indices: {s:?}"
    );
    assert_eq!(s.reported_lost, s.missing, "{protocol}: lost count: {s:?}");
    s
}

/// The demo's transport damage without its device restarts: replayed without arrival times, a
/// restart with no reset signal reads as a loss (see `restarts_amid_damage...`).
fn transport() -> FaultConfig {
    FaultConfig {
        restart: 0.0,
        ..FaultConfig::demo()
    }
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
    let s = run(Protocol::P2, &transport(), 200_000, 1);
    assert_eq!(s.false_packets, 0, "{s:?}");
    assert!(s.recall() >= 0.999, "recall {:.5}: {s:?}", s.recall());
}

/// The P2 mix the team measured against, from the independent generator in `mix.rs`, with the
/// simulator's switches (0x0F) and with the Olimex shield's (0x01), which a misaligned splice
/// imitates far more easily (a high byte of 1 passes as a switches byte).
#[test]
fn p2_independent_mix_recall_above_99_95_percent_with_no_false_packet() {
    for switches in [None, Some(0x01)] {
        let mix = Mix {
            switches,
            ..Mix::TEAM
        };
        let stream = mix::p2_stream(200_000, mix, 11);
        let (events, stats) = decode(&DecoderConfig::default(), &stream.bytes, 4096);
        let s = score(&stream, &packets(&events), stats.lost);
        assert_eq!(s.false_packets, 0, "switches {switches:?}: {s:?}");
        assert_eq!((s.misplaced, s.reported_lost), (0, s.missing), "{s:?}");
        assert!(
            s.recall() >= 0.9995,
            "switches {switches:?}: recall {:.5}",
            s.recall()
        );
    }
}

/// The team's check on restarts, with streams from the independent generator: a board that
/// restarts 7 times with a reset signal, replayed without arrival times, with the protocol
/// given and detected. Every restart is found and nothing is counted lost.
#[test]
fn p2_restarting_boards_lose_nothing_and_every_packet_is_delivered() {
    for seed in 0..6 {
        let stream = mix::p2_restart_stream(8, 0.0, seed);
        for choice in [ProtocolChoice::P2, ProtocolChoice::Auto] {
            let (events, stats) =
                decode(&DecoderConfig::with_protocol(choice), &stream.bytes, 4096);
            let s = score(&stream, &packets(&events), stats.lost);
            assert_eq!(s.false_packets, 0, "seed {seed} {choice:?}: {s:?}");
            assert_eq!(
                (s.misplaced, s.reported_lost, s.missing),
                (0, 0, 0),
                "seed {seed} {choice:?}"
            );
            // A restart right after counter 255 continues the count: nothing shows it.
            let visible = stream
                .restarts
                .iter()
                .filter(|&&r| stream.sent[r - 2].counter != 255);
            assert_eq!(
                stats.restarts,
                visible.count() as u64,
                "seed {seed} {choice:?}"
            );
            assert!(s.recall() >= 0.999, "seed {seed} {choice:?}: {s:?}");
        }
    }
}

/// The fault injector's restarts (a quarter of them with no reset signal) amid the demo's
/// transport damage, decoded live: restarts the evidence shows cost no loss, and the loss
/// reported beyond the truth is at most the boot time of the restarts that time could not tell
/// from an outage (P3's counter cycle is a quarter second, so time tells fewer of them).
#[test]
fn restarts_amid_damage_decoded_live_report_what_the_evidence_shows() {
    for protocol in [Protocol::P2, Protocol::P3] {
        let faults = FaultConfig {
            restart: 2e-4,
            ..FaultConfig::demo()
        };
        let stream = damaged(protocol, 100_000, &faults, 21);
        let (events, stats) = decode_live(
            &DecoderConfig::default(),
            &stream,
            256.0,
            Duration::from_millis(2),
        );
        let s = score(&stream, &packets(&events), stats.lost);
        let truth = stream.restarts.len() as u64;
        assert!(truth >= 10, "{protocol}: {truth} restarts");
        assert!(
            stats.restarts <= truth,
            "{protocol}: {} found of {truth}",
            stats.restarts
        );
        let missed = truth - stats.restarts;
        let cycle = u64::from(protocol.counter_cycle());
        assert_eq!(s.misplaced, 0, "{protocol}: {s:?}");
        // A restart read as an outage claims the time the board spent booting as lost.
        let most = stream.counts.boot_frames as u64 + missed * cycle;
        assert!(
            s.reported_lost >= s.missing && s.reported_lost - s.missing <= most,
            "{protocol}: {s:?}, {missed} restarts missed, {}",
            stream.counts
        );
        if protocol == Protocol::P2 {
            assert_eq!(s.false_packets, 0, "{s:?}");
            assert!(
                stats.restarts * 10 >= truth * 9,
                "{} found of {truth}",
                stats.restarts
            );
        }
    }
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
    let s = run(Protocol::P3, &transport(), 200_000, 2);
    assert!(s.false_packets <= 4, "{s:?}");
    assert!(s.recall() >= 0.998, "recall {:.5}: {s:?}", s.recall());
}

#[test]
fn p3_heavy_faults_false_packets_rarer_than_1_in_10000() {
    let s = run(Protocol::P3, &heavy(), 100_000, 3);
    assert!(s.false_packets <= 10, "{s:?}");
}

/// The random-fault property with other RNG seeds found this P2 stream: packet 127 was removed
/// and junk holding a fake header with a 12-byte body (`A5 5A 02 7E ...`) was inserted into
/// packet 128 just before its switches byte. Packet 128 breaks at the fake header, and the fake
/// plus 128's switches byte make 17 well-formed bytes followed by 129's header. The fake's random
/// counter, 126, repeated the last delivered packet's, so it passed as a stalled counter: one
/// false packet, and every later sample index one too high.
#[test]
fn p2_fake_header_borrowing_the_tail_of_the_packet_it_broke_is_refused() {
    let faults = FaultConfig {
        drop_byte: 0.02612748137321038,
        insert_junk: 0.030261196594236,
        drop_burst: 0.008014056378097704,
        remove_packet: 0.02819378330317743,
        ..FaultConfig::default()
    };
    let s = run_chunked(Protocol::P2, &faults, 3_000, 4822565650263493020, 1);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// Junk holding a fake header and one body byte went into packet 92 after its first high byte,
/// and a truncated fake header (counter 0x23) followed. 92 broke; the fake (counter 134) with
/// 92's tail was well-formed, and the junk header's counter let its jump of 43 pass: one false
/// packet, 42 packets reported lost that were not.
#[test]
fn p2_a_junk_header_does_not_place_the_packet_before_it() {
    let faults = FaultConfig {
        drop_byte: 0.028821652126574924,
        insert_junk: 0.04011190028591654,
        drop_burst: 0.004766826531560365,
        ..FaultConfig::default()
    };
    let s = run_chunked(Protocol::P2, &faults, 3_000, 1731931160945469161, 1);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// A burst ate packets 215 to 219 and the head of 220, and junk with a header (counter 1) stood
/// where it stopped, right where 215 was expected: with 220's tail, 17 well-formed bytes. 221
/// lost its first byte, so no header followed and the bytes up to 222 looked like a real
/// packet's tail after damage: a false packet 43 counters on, and 42 packets reported lost that
/// were not. Counter 1 comes after 222's, so the fake cannot stand before it.
#[test]
fn p2_a_fake_header_in_sync_whose_counter_passes_the_next_packet_is_refused() {
    let faults = FaultConfig {
        drop_byte: 0.027379196727426443,
        insert_junk: 0.009294623998977262,
        drop_burst: 0.017009619370295062,
        ..FaultConfig::default()
    };
    let s = run_chunked(Protocol::P2, &faults, 3_000, 4903351409438510578, 1);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// A burst joined packet 100's first 15 bytes to bytes 3 and 4 of packet 103 (its counter and
/// first high byte, 0x01 in the switches slot), and junk with a header went into 103 right
/// after them: a header 17 bytes on, whose packet is broken. The splice passed as packet 100
/// with its switches changed.
#[test]
fn p2_a_misaligned_splice_that_a_junk_header_follows_is_refused() {
    let faults = FaultConfig {
        drop_byte: 0.03300840776535435,
        insert_junk: 0.04553328242634907,
        drop_burst: 0.008997827567155397,
        remove_packet: 0.02307698242574125,
        ..FaultConfig::default()
    };
    let s = run_chunked(Protocol::P2, &faults, 3_000, 13916698290036659409, 1);
    assert_eq!(s.false_packets, 0, "{s:?}");
    // The same with the splice joining 224's first 11 bytes to bytes 3..9 of 225.
    let faults = FaultConfig {
        drop_byte: 0.019866594438867378,
        insert_junk: 0.035241742575123185,
        drop_burst: 0.01071929027026428,
        remove_packet: 0.014631362562230544,
        ..FaultConfig::default()
    };
    let s = run_chunked(Protocol::P2, &faults, 3_000, 15002349268451546306, 1);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// Junk holding a bare header with counter 147, the last delivered one, went into packet 148
/// right after its counter: with 148's samples a well-formed packet that passed as a repeated
/// counter, shifting every later sample index. Found with the decoder's default chunking.
#[test]
fn p2_a_bare_fake_header_after_a_packets_counter_is_refused() {
    let faults = FaultConfig {
        drop_byte: 0.00048461447556983895,
        insert_junk: 0.010632582697751587,
        drop_burst: 5.740659791786618e-5,
        remove_packet: 0.000740526997508244,
        ..FaultConfig::default()
    };
    let s = run(Protocol::P2, &faults, 3_000, 17256799889913127242);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// Packet 153 lost a byte, so the hunt began there; junk holding a bare header with counter
/// 155 went into 154 right after its counter, and with 154's samples passed as 155, with the
/// real 155 after it as a repeated counter.
#[test]
fn p2_a_fake_header_inside_a_packet_the_hunt_passed_is_refused() {
    let faults = FaultConfig {
        drop_byte: 0.016116546243480256,
        insert_junk: 0.022505345048939054,
        drop_burst: 0.01688838121044994,
        remove_packet: 0.023979837586513314,
        ..FaultConfig::default()
    };
    let s = run(Protocol::P2, &faults, 3_000, 13269803797807995350);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// Fake packets that a counter check let through, each found by a wide search of random P2
/// fault mixes: a fake (junk with a header, borrowing a broken packet's tail) whose random
/// counter hit the real next packet's; a packet whose counter byte was lost and replaced by the
/// next packet's counter; and two fakes whose counter jump passed because the next well-formed
/// packet was itself a fake with a random counter (one of them shifted every later sample
/// index by a whole counter cycle).
#[test]
fn p2_counters_that_fakes_carry_do_not_place_them() {
    for (seed, drop_byte, insert_junk, drop_burst, remove_packet) in [
        (
            16168549016625775060,
            0.04044303772913734,
            0.023626846623380094,
            0.011775784133277995,
            0.014671100315162429,
        ),
        (
            8882404593991463975,
            0.04423871408850331,
            0.04026744414752402,
            0.011939113400612178,
            0.018344981526670672,
        ),
        (
            4669882030637688518,
            0.007584173430469011,
            0.04596474255414155,
            0.015950679713890123,
            0.019350109619713014,
        ),
        (
            5264435695908127113,
            0.026249210626269705,
            0.015106011060504116,
            0.014096213482073882,
            0.021860067048008816,
        ),
    ] {
        let faults = FaultConfig {
            drop_byte,
            insert_junk,
            drop_burst,
            remove_packet,
            ..FaultConfig::default()
        };
        let s = run(Protocol::P2, &faults, 3_000, seed);
        assert_eq!(s.false_packets, 0, "seed {seed}: {s:?}");
    }
}

/// Packet 117's switches changed, and junk went into it just before its last two bytes: the
/// packet closed on two junk bytes (the second equal to the old switches), and its real tail,
/// ending in the new switches, stood at the end of the junk. Only the old switches counted as
/// the sign of such a tail.
#[test]
fn p2_junk_inside_a_packet_whose_switches_changed_is_refused() {
    let faults = FaultConfig {
        drop_byte: 0.037015221716734374,
        insert_junk: 0.02568246914589983,
        drop_burst: 0.008993505910758724,
        remove_packet: 0.018256953228930863,
        ..FaultConfig::default()
    };
    let s = run(Protocol::P2, &faults, 3_000, 11795994349857875761);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// Junk with a fake header (counter 185) went into packet 183 before its switches byte; 184
/// followed intact, but 185 was removed, so 184's counter did not run on into the next one's
/// and the bound came from 186, which let the fake's 185 pass.
#[test]
fn p2_a_well_formed_packet_right_after_a_found_one_bounds_its_counter() {
    let faults = FaultConfig {
        drop_byte: 0.008972683345317551,
        insert_junk: 0.04798322992333925,
        drop_burst: 0.019333321369977705,
        remove_packet: 0.02243939917433461,
        ..FaultConfig::default()
    };
    let s = run(Protocol::P2, &faults, 3_000, 9019163176518551335);
    assert_eq!(s.false_packets, 0, "{s:?}");
}

/// Found by the random-fault property with RNG seed 2: packet 54 lost its version byte, and
/// junk holding a fake header with counter 52 went into it, borrowing its tail. The real 53
/// before it had no header after it, and the fake, the next well-formed packet, claimed an
/// earlier counter, so 53 was refused; the fake then passed as a stalled counter after 52.
#[test]
fn p2_a_fake_repeating_a_counter_neither_costs_the_packet_before_nor_stalls_the_count() {
    let faults = FaultConfig {
        drop_byte: 0.03193218238843433,
        insert_junk: 0.04476921329711476,
        drop_burst: 0.0030600139825799136,
        remove_packet: 0.02294322383452291,
        ..FaultConfig::default()
    };
    let s = run_chunked(Protocol::P2, &faults, 3_000, 3013036449699834456, 1);
    assert_eq!(
        (s.false_packets, s.intact_delivered),
        (0, s.intact),
        "{s:?}"
    );
}

/// The random-fault property with RNG seed 2 found chunked input giving other events than the
/// whole input once a packet in sync was checked against both the next well-formed packet and
/// the next credible one: the search for the second left a memo that made the first skip a
/// packet.
#[test]
fn p2_searching_past_a_fake_does_not_depend_on_chunking() {
    let faults = FaultConfig {
        drop_byte: 0.03641767848395008,
        insert_junk: 0.036160111215908654,
        remove_packet: 0.02831349583669721,
        ..FaultConfig::default()
    };
    let stream = damaged(Protocol::P2, 3_000, &faults, 17396197913663682908);
    let (whole, _) = decode(&DecoderConfig::default(), &stream.bytes, stream.bytes.len());
    let (chunked, _) = decode(&DecoderConfig::default(), &stream.bytes, 1);
    assert!(whole == chunked, "chunked events differ");
}

/// A P2 stream whose last delivered packet is an exact splice (the head of packet 178 joined to
/// a later packet's tail), after packet 177 was lost: the decoder counts 177 lost, and the
/// scorer must count it missing too, though no sent packet is delivered after it.
#[test]
fn p2_a_splice_delivered_last_keeps_the_loss_count_exact() {
    let faults = FaultConfig {
        drop_byte: 0.028821652126574924,
        insert_junk: 0.04011190028591654,
        drop_burst: 0.004766826531560365,
        remove_packet: 0.0048396513913627065,
        ..FaultConfig::default()
    };
    let s = run_chunked(Protocol::P2, &faults, 3_000, 1731931167397415536, 1);
    assert_eq!((s.false_packets, s.exact_splices), (0, 1), "{s:?}");
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
        // A packet that lost one byte and gained another passes framing (see the module
        // docs): at these fault rates, at most 0.1 % of the packets.
        prop_assert!(s.false_packets <= 3, "{:?} {:?}", s, stream.counts);
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
