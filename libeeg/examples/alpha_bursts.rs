//! Detects alpha bursts (8-12 Hz) in a capture and prints them.
//!
//! ```text
//! cargo run -p libeeg --example alpha_bursts -- capture.bin [channel] [level-uV2]
//! cargo run -p libeeg --example alpha_bursts          # a simulated minute, with the truth
//! ```

use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;

use libeeg::detect::{Band, BandPowerConfig, PowerChange};
use libeeg::sim::{SimConfig, Simulator};
use libeeg::{DecoderConfig, Dispatcher};

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

    let bursts = Rc::new(RefCell::new(Vec::new()));
    let onset = Rc::new(RefCell::new(None));
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let found = Rc::clone(&bursts);
    eeg.on_band_power(
        channel,
        BandPowerConfig::new(Band::ALPHA, 256.0, level),
        move |change| match change.event.kind {
            PowerChange::Rose => *onset.borrow_mut() = Some(change.event.t),
            PowerChange::Fell => {
                if let Some(start) = onset.borrow_mut().take() {
                    found.borrow_mut().push((start, change.event.t));
                }
            }
        },
    );
    eeg.on_loss(|loss| println!("  ({} packets lost at {:.2} s)", loss.count, loss.t));
    let _ = eeg.push(&bytes);
    let _ = eeg.finish();

    println!(
        "alpha bursts on channel {} (8-12 Hz power above {level} uV^2 over 1 s):",
        channel + 1
    );
    for (start, end) in bursts.borrow().iter() {
        println!("  {start:7.2} s .. {end:7.2} s  ({:.2} s)", end - start);
    }
    let stats = eeg.decoder().stats();
    println!(
        "{} packets, {} lost, {} resyncs",
        stats.packets, stats.lost, stats.resyncs
    );
    if let Some(truth) = truth {
        println!("the simulator's bursts (a 1 s window reports each up to 1 s late):");
        for (start, end) in truth {
            println!("  {start:7.2} s .. {end:7.2} s  ({:.2} s)", end - start);
        }
    }
    ExitCode::SUCCESS
}
