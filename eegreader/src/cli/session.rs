//! The flags acquisition and `eegreader convert` share, defined once so that their names,
//! defaults and help cannot drift apart.

use clap::{Args, ValueEnum};

/// How the session's bytes decode and what its outputs say: the same live and offline.
/// `settings::SessionSettings` checks them.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// Packet protocol.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Auto)]
    pub protocol: ProtocolArg,

    /// Nominal sample rate in Hz (257.14 is what most boards really do): assumed until the rate
    /// is measured from arrival times, and for samples without them (a capture without its
    /// arrivals file); the simulator runs at it.
    #[arg(long, value_name = "HZ")]
    pub rate: Option<f64>,

    /// Device profile for microvolts: modular-eeg (0.5 uV/LSB) or eeg-smt (0.52 uV/LSB).
    #[arg(long, default_value = "modular-eeg", value_name = "NAME")]
    pub profile: String,

    /// Microvolts per ADC step, overriding the profile's (calibrate with the board's 250 uV
    /// 14 Hz signal).
    #[arg(long, value_name = "UV")]
    pub scale: Option<f64>,

    /// Channel labels for CSV and EDF+ files: up to six comma-separated names (at most 16 ASCII
    /// characters each); unnamed channels keep ch1..ch6.
    #[arg(long, value_name = "NAMES")]
    pub labels: Option<String>,

    /// Leave out the event lines of text and JSON output (lost packets, resyncs, device
    /// gone/back, restarts).
    #[arg(long)]
    pub no_events: bool,
}

/// `--protocol` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtocolArg {
    /// Detect P2 or P3 from the stream.
    Auto,
    /// ModularEEG / EEG-SMT 17-byte packets.
    P2,
    /// ModularEEG ATmega48 7-bit packets.
    P3,
}
