//! Validated settings, built from the command line.

use std::path::PathBuf;
use std::time::Duration;

use libeeg::units::DeviceProfile;
use libeeg::{DecoderConfig, ProtocolChoice};

use crate::cli::Args;
use crate::cli::session::{ProtocolArg, SessionArgs};
use crate::error::Error;
use crate::labels::channel_labels;

/// Where bytes come from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// A serial device.
    Line(String),
    /// The one attached OpenEEG device, found by its USB ids.
    Attached,
    /// A capture file (`None`: standard input), optionally paced in real time.
    Replay {
        path: Option<PathBuf>,
        realtime: bool,
    },
    /// The simulator.
    Simulate { seed: u64, faults: bool },
    /// Only list the serial ports.
    List,
}

/// Standard output's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The original `timestamp_us|version|frame|ch1..ch6|switches` lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Everything the reader needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub source: SourceSpec,
    /// A replay reads its capture's arrivals file, when there is one.
    pub use_arrivals: bool,
    pub baud: u32,
    pub decoder: DecoderConfig,
    pub profile: DeviceProfile,
    pub format: Format,
    pub events: bool,
    pub record_csv: Option<PathBuf>,
    pub record_wav: Option<PathBuf>,
    pub record_raw: Option<PathBuf>,
    pub record_edf: Option<PathBuf>,
    /// The six channel labels.
    pub labels: Vec<String>,
    pub exit_on_disconnect: bool,
    pub duration: Option<Duration>,
    /// The Lab Streaming Layer stream to publish, and how long to wait for its consumer.
    pub lsl: Option<String>,
    pub lsl_wait: Option<Duration>,
}

impl Settings {
    /// Checks the flags and resolves defaults.
    pub fn from_args(args: Args) -> Result<Self, Error> {
        let source = if args.list {
            SourceSpec::List
        } else if let Some(line) = args.line {
            SourceSpec::Line(line)
        } else if let Some(path) = args.replay {
            let path = (path.as_os_str() != "-").then_some(path);
            SourceSpec::Replay {
                path,
                realtime: args.realtime,
            }
        } else if args.simulate {
            SourceSpec::Simulate {
                seed: args.seed,
                faults: args.faults,
            }
        } else {
            SourceSpec::Attached
        };
        let session = SessionSettings::from_args(args.session)?;
        let duration = match args.duration {
            Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
            Some(s) => {
                return Err(Error::new(format!(
                    "--duration {s} is not a positive number of seconds"
                )));
            }
            None => None,
        };
        let lsl_wait = match args.lsl_wait {
            Some(s) if s.is_finite() && s >= 0.0 => Some(Duration::from_secs_f64(s)),
            Some(s) => {
                return Err(Error::new(format!(
                    "--lsl-wait {s} is not a number of seconds"
                )));
            }
            None => None,
        };
        if args.lsl.as_deref().is_some_and(str::is_empty) {
            return Err(Error::new("--lsl needs a stream name").fix("e.g. --lsl OpenEEG"));
        }
        if args.baud == 0 {
            return Err(Error::new("--baud 0 is not a serial speed")
                .fix("OpenEEG devices use 57600 (some shields 115200)"));
        }
        Ok(Self {
            source,
            use_arrivals: !args.ignore_arrivals,
            baud: args.baud,
            decoder: session.decoder(args.low_latency),
            profile: session.profile,
            format: if args.json {
                Format::Json
            } else {
                Format::Text
            },
            events: session.events,
            record_csv: args.record_csv,
            record_wav: args.record_wav,
            record_raw: args.record_raw,
            record_edf: args.record_edf,
            labels: session.labels,
            exit_on_disconnect: args.exit_on_disconnect,
            duration,
            lsl: args.lsl,
            lsl_wait,
        })
    }
}

/// The flags acquisition and `convert` share, checked.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// `--protocol`.
    pub protocol: ProtocolChoice,
    /// The device profile, with `--scale` and `--rate` applied.
    pub profile: DeviceProfile,
    /// The six channel labels.
    pub labels: Vec<String>,
    /// Text and JSON output write event lines.
    pub events: bool,
}

impl SessionSettings {
    /// Checks the shared flags.
    pub fn from_args(args: SessionArgs) -> Result<Self, Error> {
        Ok(Self {
            protocol: match args.protocol {
                ProtocolArg::Auto => ProtocolChoice::Auto,
                ProtocolArg::P2 => ProtocolChoice::P2,
                ProtocolArg::P3 => ProtocolChoice::P3,
            },
            profile: device_profile(&args.profile, args.scale, args.rate)?,
            labels: channel_labels(args.labels.as_deref())?,
            events: !args.no_events,
        })
    }

    /// The decoder for the protocol at the profile's nominal rate; `low_latency` delivers a
    /// packet before the next header proves its end.
    pub fn decoder(&self, low_latency: bool) -> DecoderConfig {
        let mut decoder = DecoderConfig::with_protocol(self.protocol);
        decoder.sample_rate_hz = self.profile.nominal_rate_hz;
        decoder.low_latency = low_latency;
        decoder
    }
}

/// The device profile `name`, with `--scale` and `--rate` applied once checked.
fn device_profile(
    name: &str,
    scale: Option<f64>,
    rate: Option<f64>,
) -> Result<DeviceProfile, Error> {
    let mut profile = DeviceProfile::by_name(name).ok_or_else(|| {
        Error::new(format!("unknown device profile '{name}'"))
            .fix("use --profile modular-eeg (0.5 uV/LSB) or --profile eeg-smt (0.52 uV/LSB), and --scale to calibrate")
    })?;
    if let Some(scale) = scale {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::new(format!(
                "--scale {scale} is not a positive number of microvolts per step"
            )));
        }
        profile = profile.with_scale(scale);
    }
    if let Some(rate) = rate {
        if !(rate.is_finite() && (1.0..=10_000.0).contains(&rate)) {
            return Err(
                Error::new(format!("--rate {rate} is not a sample rate in Hz"))
                    .fix("typical rates: 256, 257.14, 250, 200"),
            );
        }
        profile.nominal_rate_hz = rate;
    }
    Ok(profile)
}
