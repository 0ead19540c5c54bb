//! Prints how the decoder does against each kind of injected fault: recall of intact packets,
//! false packets, undetectable splices, and whether the lost count matches the truth.
//!
//! `cargo run --release -p workspace-tests --bin decoder_quality [packets]`

use libeeg::sim::{Damaged, FaultConfig, SimConfig, Simulator};
use libeeg::{DecoderConfig, Protocol};
use workspace_tests::{decode, packets, score};

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let demo = FaultConfig::demo();
    let kinds = [
        (
            "dropped bytes 2%",
            FaultConfig {
                drop_byte: demo.drop_byte,
                ..FaultConfig::default()
            },
        ),
        (
            "junk 2%",
            FaultConfig {
                insert_junk: demo.insert_junk,
                ..FaultConfig::default()
            },
        ),
        (
            "bursts 0.5%",
            FaultConfig {
                drop_burst: demo.drop_burst,
                ..FaultConfig::default()
            },
        ),
        (
            "removed packets 1%",
            FaultConfig {
                remove_packet: demo.remove_packet,
                ..FaultConfig::default()
            },
        ),
        ("all of the above", demo),
    ];
    println!("{n} packets per row, seed 9");
    println!(
        "{:<4} {:<20} {:>9} {:>7} {:>6} {:>8} {:>13}",
        "", "faults", "recall", "missed", "false", "splices", "lost (truth)"
    );
    for protocol in [Protocol::P2, Protocol::P3] {
        for (name, faults) in &kinds {
            let mut sim = Simulator::new(SimConfig {
                seed: 9,
                protocol,
                ..SimConfig::default()
            });
            let stream = Damaged::from_simulator(&mut sim, n, faults, 77);
            let (events, stats) = decode(&DecoderConfig::default(), &stream.bytes, 4096);
            let s = score(&stream, &packets(&events), stats.lost);
            println!(
                "{:<4} {:<20} {:>8.3}% {:>7} {:>6} {:>8} {:>6} ({})",
                protocol.to_string(),
                name,
                100.0 * s.recall(),
                s.intact - s.intact_delivered,
                s.false_packets,
                s.exact_splices,
                s.reported_lost,
                s.missing
            );
        }
    }
}
