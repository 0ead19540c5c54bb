//! Deterministic EEG-like signal simulator and byte-level fault injector.
//!
//! [`Simulator`] makes realistic frames and packets for a seed; [`inject`] (or
//! [`Damaged::from_simulator`], or [`FaultInjector`] for streaming) damages the encoded bytes
//! the way real captures are damaged, restarts the device as real boards restart, and records
//! which packets survived, so a decoder can be scored against the truth.
//!
//! ```
//! use libeeg::sim::{Damaged, FaultConfig, SimConfig, Simulator};
//!
//! let mut sim = Simulator::new(SimConfig { seed: 1, ..SimConfig::default() });
//! let clean = sim.packets(256);
//! assert_eq!(clean.len(), 256 * 17);
//! let damaged = Damaged::from_simulator(&mut sim, 1000, &FaultConfig::demo(), 7);
//! assert!(damaged.intact_count() > 900);
//! ```

mod faults;
mod injector;
mod restart;
mod rng;
mod signal;
mod simulator;

pub use faults::{Damaged, FaultConfig, FaultCounts, SentPacket};
pub use injector::{FaultInjector, inject};
pub use rng::Rng;
pub use simulator::{Frame, SimConfig, Simulator};
