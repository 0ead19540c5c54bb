//! Detects alpha bursts (8-12 Hz) in a capture and prints them.
//!
//! ```text
//! cargo run -p libeeg --example alpha_bursts -- capture.bin [channel] [level-uV2]
//! cargo run -p libeeg --example alpha_bursts          # a simulated minute, with the truth
//! ```

use std::ops::ControlFlow;
use std::process::ExitCode;

use libeeg::DecoderConfig;
use libeeg::detect::{Band, BandPowerConfig, BandPowerEvent, PowerChange};
use libeeg::dispatch::{Dispatcher, Handler};
use libeeg::sim::{SimConfig, Simulator};

/// Alpha bursts: each rise of the band power paired with the fall after it.
#[derive(Default)]
struct Bursts {
    onset: Option<f64>,
    found: Vec<(f64, f64)>,
}

impl Handler for Bursts {
    fn band_power(&mut self, _channel: usize, change: &BandPowerEvent) -> ControlFlow<()> {
        match change.kind {
            PowerChange::Rose => self.onset = Some(change.t),
            PowerChange::Fell => {
                if let Some(start) = self.onset.take() {
                    self.found.push((start, change.t));
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn loss(&mut self, count: u64, _first_sample_index: u64, t: f64) -> ControlFlow<()> {
        println!("  ({count} packets lost at {t:.2} s)");
        ControlFlow::Continue(())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let channel = args
        .get(1)
        .and_then(|a| a.parse::<usize>().ok())
        .map_or(0, |c| c.saturating_sub(1));
    let level = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(150.0);
    let (bytes, truth) = match args.first() {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => (bytes, None),
            Err(e) => {
                eprintln!("alpha_bursts: cannot read {path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => {
            let mut sim = Simulator::new(SimConfig {
                seed: 7,
                ..SimConfig::default()
            });
            let bytes = sim.packets(256 * 60);
            (bytes, Some(sim.alpha_bursts().to_vec()))
        }
    };

    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.watch_band_power(channel, BandPowerConfig::new(Band::ALPHA, 256.0, level));
    let mut bursts = Bursts::default();
    let _ = eeg.push(&bytes, &mut bursts);
    let _ = eeg.finish(&mut bursts);

    println!(
        "alpha bursts on channel {} (8-12 Hz power above {level} uV^2 over 1 s):",
        channel + 1
    );
    for (start, end) in &bursts.found {
        println!("  {start:7.2} s .. {end:7.2} s  ({:.2} s)", end - start);
    }
    let stats = eeg.decoder().stats();
    println!(
        "{} packets, {} lost, {} resyncs",
        stats.packets, stats.lost, stats.resyncs
    );
    if let Some(truth) = truth {
        println!("the simulator's bursts (a 1 s window reports each up to 1 s late):");
        for (start, end) in &truth {
            println!("  {start:7.2} s .. {end:7.2} s  ({:.2} s)", end - start);
        }
        // Found: reported within a window (plus a hop) of its start.
        let found = truth
            .iter()
            .filter(|&&(start, _)| {
                let reported = start..start + 1.2;
                bursts.found.iter().any(|(t, _)| reported.contains(t))
            })
            .count();
        println!("found {found} of the {} simulated bursts", truth.len());
    }
    ExitCode::SUCCESS
}
