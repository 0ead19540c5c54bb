//! Prints how the decoder does against each kind of injected fault: recall of intact packets,
//! false packets, undetectable splices, whether the lost count matches the truth, and device
//! restarts found; then the false packets of many random fault mixes, by class.
//!
//! `cargo run --release -p workspace-tests --bin decoder_quality [packets] [random streams]`

use std::collections::BTreeMap;
use std::time::Duration;

use libeeg::sim::{Damaged, FaultConfig, Rng, SimConfig, Simulator};
use libeeg::{DecoderConfig, Protocol, Stats};
use workspace_tests::false_class::{FalseClass, classify};
use workspace_tests::mix::{self, Mix};
use workspace_tests::{decode, decode_live, packets, score};

/// Arrival delay of every frame when decoding as live (a USB adapter's latency, in effect).
const LATENCY: Duration = Duration::from_millis(2);

fn main() {
    let arg = |k: usize, default: usize| {
        std::env::args()
            .nth(k)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let n = arg(1, 200_000);
    let random_streams = arg(2, 2_000);
    let demo = FaultConfig::demo();
    let only = |f: fn(&mut FaultConfig, &FaultConfig)| {
        let mut config = FaultConfig::default();
        f(&mut config, &demo);
        config
    };
    let transport = FaultConfig {
        restart: 0.0,
        ..demo.clone()
    };
    let kinds = [
        ("dropped bytes 2%", only(|c, d| c.drop_byte = d.drop_byte)),
        ("junk 2%", only(|c, d| c.insert_junk = d.insert_junk)),
        ("bursts 0.5%", only(|c, d| c.drop_burst = d.drop_burst)),
        (
            "removed packets 1%",
            only(|c, d| c.remove_packet = d.remove_packet),
        ),
        ("all of the above", transport.clone()),
    ];
    let restarts = FaultConfig {
        restart: 2e-4,
        ..FaultConfig::default()
    };
    println!("{n} packets per row, seed 9; `live` rows decode with arrival times");
    println!(
        "{:<4} {:<26} {:>9} {:>7} {:>6} {:>8} {:>14} {:>10}",
        "", "faults", "recall", "missed", "false", "splices", "lost (truth)", "restarts"
    );
    for protocol in [Protocol::P2, Protocol::P3] {
        let stream = |faults: &FaultConfig| {
            let mut sim = Simulator::new(SimConfig {
                seed: 9,
                protocol,
                ..SimConfig::default()
            });
            Damaged::from_simulator(&mut sim, n, faults, 77)
        };
        for (name, faults) in &kinds {
            row(protocol, name, &stream(faults), false);
        }
        row(
            protocol,
            "all of the above, live",
            &stream(&transport),
            true,
        );
        let restarting = stream(&restarts);
        row(protocol, "restarts 0.02%", &restarting, false);
        row(protocol, "restarts 0.02%, live", &restarting, true);
        let everything = stream(&FaultConfig {
            restart: restarts.restart,
            ..transport.clone()
        });
        row(protocol, "all, restarts too, live", &everything, true);
    }
    // The mix the team measured, from the independent generator, with the simulator's switches
    // and with the Olimex shield's (0x01), which splices imitate more easily.
    for (name, switches) in [
        ("independent mix", None),
        ("independent mix, sw 0x01", Some(0x01)),
    ] {
        let stream = mix::p2_stream(
            n,
            Mix {
                switches,
                ..Mix::TEAM
            },
            9,
        );
        row(Protocol::P2, name, &stream, false);
    }
    // A board restarting with a reset signal, from the independent generator, replayed.
    let restarting = mix::p2_restart_stream(200, 0.0, 9);
    row(Protocol::P2, "restarting board x199", &restarting, false);
    random_mixes(random_streams);
}

/// Decodes one stream (as a replay, or `live` with arrival times) and prints its row.
fn row(protocol: Protocol, name: &str, stream: &Damaged, live: bool) {
    let config = DecoderConfig::default();
    let (events, stats): (_, Stats) = if live {
        decode_live(&config, stream, 256.0, LATENCY)
    } else {
        decode(&config, &stream.bytes, 4096)
    };
    let s = score(stream, &packets(&events), stats.lost);
    println!(
        "{:<4} {:<26} {:>8.3}% {:>7} {:>6} {:>8} {:>6} ({:>5}) {:>4} ({:>3})",
        protocol.to_string(),
        name,
        100.0 * s.recall(),
        s.intact - s.intact_delivered,
        s.false_packets,
        s.exact_splices,
        s.reported_lost,
        s.missing,
        stats.restarts,
        stream.restarts.len()
    );
}

/// False packets by class over `streams` random fault mixes of 3,000 packets, as the random
/// property test draws them (P2 and P3 alternately).
fn random_mixes(streams: usize) {
    let mut rng = Rng::new(0x0EE6);
    let mut classes: BTreeMap<(u8, FalseClass), usize> = BTreeMap::new();
    let mut packets_sent = [0usize; 2];
    for k in 0..streams {
        let protocol = if k % 2 == 0 {
            Protocol::P2
        } else {
            Protocol::P3
        };
        let faults = FaultConfig {
            drop_byte: rng.range(0.0, 0.05),
            insert_junk: rng.range(0.0, 0.05),
            drop_burst: rng.range(0.0, 0.02),
            remove_packet: rng.range(0.0, 0.03),
            ..FaultConfig::default()
        };
        let mut sim = Simulator::new(SimConfig {
            seed: rng.next_u64(),
            protocol,
            ..SimConfig::default()
        });
        let stream = Damaged::from_simulator(&mut sim, 3_000, &faults, rng.next_u64());
        let (events, stats) = decode(&DecoderConfig::default(), &stream.bytes, 4096);
        let s = score(&stream, &packets(&events), stats.lost);
        packets_sent[k % 2] += stream.sent.len();
        for (next, p) in &s.false_list {
            *classes
                .entry((protocol.version(), classify(&stream, *next, p)))
                .or_default() += 1;
        }
    }
    println!();
    println!(
        "false packets in {streams} random mixes (0-5 % byte drops and junk, 0-2 % bursts, \
         0-3 % removed packets), by class"
    );
    for (i, protocol) in [Protocol::P2, Protocol::P3].into_iter().enumerate() {
        let counts: Vec<String> = FalseClass::ALL
            .iter()
            .map(|&class| {
                let count = classes
                    .get(&(protocol.version(), class))
                    .copied()
                    .unwrap_or(0);
                format!("{} {count}", class.name())
            })
            .collect();
        println!(
            "{protocol}: {} packets: {}",
            packets_sent[i],
            counts.join(", ")
        );
    }
}
