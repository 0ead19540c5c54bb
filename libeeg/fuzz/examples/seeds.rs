//! Writes a seed corpus for the `decoder` fuzz target to `corpus/decoder/`: short slices of the
//! workspace fixtures and of simulated streams (clean and damaged P2, P3 with 2, 4 and 6
//! channels), each behind the target's two settings bytes.
//!
//! Run from `libeeg/fuzz`: `cargo run --example seeds`.

use std::fs;
use std::path::Path;

use libeeg::Protocol;
use libeeg::sim::{Damaged, FaultConfig, SimConfig, Simulator};

/// Longest seed stream: small inputs keep the fuzzer fast.
const MAX_SEED: usize = 2048;

/// Heavier damage than the demo mix, every fault kind on.
fn heavy() -> FaultConfig {
    FaultConfig {
        drop_byte: 0.08,
        insert_junk: 0.08,
        drop_burst: 0.03,
        remove_packet: 0.03,
        counter_jump: 0.02,
        drop_header_bytes: 0.03,
        tty_mangle: true,
    }
}

fn sim(protocol: Protocol, channels: usize, seed: u64) -> Simulator {
    let mut sim = Simulator::new(SimConfig {
        seed,
        protocol,
        first_counter: 250,
        ..SimConfig::default()
    });
    *sim.encoder_mut() = sim.encoder().clone().with_channels(channels);
    sim
}

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("corpus/decoder");
    fs::create_dir_all(&out)?;
    let mut streams: Vec<(String, Protocol, Vec<u8>)> = Vec::new();
    for (protocol, channels) in [
        (Protocol::P2, 6),
        (Protocol::P3, 6),
        (Protocol::P3, 4),
        (Protocol::P3, 2),
    ] {
        let tag = format!("{protocol}_{channels}ch");
        let len = sim(protocol, channels, 1).encoder().packet_len();
        streams.push((
            format!("{tag}_clean"),
            protocol,
            sim(protocol, channels, 1).packets(MAX_SEED / len),
        ));
        for (name, faults) in [("demo", FaultConfig::demo()), ("heavy", heavy())] {
            let damaged = Damaged::from_simulator(
                &mut sim(protocol, channels, 2),
                MAX_SEED / len,
                &faults,
                3,
            );
            streams.push((format!("{tag}_{name}"), protocol, damaged.bytes));
        }
    }
    // The golden fixtures, when present: their first bytes and a slice from the middle.
    if let Ok(dir) = fs::read_dir(root.join("../../fixtures")) {
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "bin") {
                continue;
            }
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let protocol = if name.starts_with("p3") {
                Protocol::P3
            } else {
                Protocol::P2
            };
            let bytes = fs::read(&path)?;
            let mid = bytes.len() / 2;
            streams.push((
                format!("fixture_{name}_head"),
                protocol,
                bytes[..bytes.len().min(MAX_SEED)].to_vec(),
            ));
            streams.push((
                format!("fixture_{name}_mid"),
                protocol,
                bytes[mid..bytes.len().min(mid + MAX_SEED)].to_vec(),
            ));
        }
    }
    let mut written = 0;
    for (name, protocol, mut bytes) in streams {
        bytes.truncate(MAX_SEED);
        let own = if protocol == Protocol::P2 { 1 } else { 2 };
        // Auto, the stream's own protocol, low latency, and a short max_gap; chunk sizes vary.
        for (selector, chunk) in [(0u8, 0u8), (own, 16), (own | 4, 3), (own | 1 << 3, 10)] {
            let mut seed = vec![selector, chunk];
            seed.extend(&bytes);
            fs::write(out.join(format!("{name}_{selector:02x}")), seed)?;
            written += 1;
        }
    }
    println!("wrote {written} seeds to {}", out.display());
    Ok(())
}
