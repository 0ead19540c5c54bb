//! The command line as typed: raw flags. `settings` turns them into validated settings.

pub mod session;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use self::session::SessionArgs;
use crate::convert::args::ConvertArgs;

/// Reads an OpenEEG amplifier (ModularEEG, Olimex EEG-SMT), a capture file or the built-in
/// simulator, writes one line per packet to standard output and records sessions to files.
#[derive(Debug, Parser)]
#[command(
    name = "eegreader",
    version,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub struct Args {
    /// Offline work on a capture instead of acquiring.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Serial device to read (e.g. /dev/ttyUSB0). Without a source, the one attached OpenEEG
    /// device is used.
    #[arg(short = 'l', long = "line", value_name = "DEVICE", group = "source")]
    pub line: Option<String>,

    /// Raw capture to decode as fast as possible ('-' for standard input). With its arrivals
    /// file beside it (PATH.arrivals, written by --record-raw), the reads come as they arrived
    /// live, so the output is the live session's: the same timestamps, events and losses.
    #[arg(long, value_name = "PATH", group = "source")]
    pub replay: Option<PathBuf>,

    /// The built-in simulator, paced in real time like a device.
    #[arg(long, group = "source")]
    pub simulate: bool,

    /// List serial ports with their USB ids, marking likely OpenEEG devices, and exit.
    #[arg(long, group = "source")]
    pub list: bool,

    /// Serial speed.
    #[arg(long, default_value_t = 57600, value_name = "N")]
    pub baud: u32,

    /// Pace --replay as it arrived live (by its arrivals file), or else at the stream's sample
    /// rate, instead of as fast as possible.
    #[arg(long, requires = "replay")]
    pub realtime: bool,

    /// Replay without the capture's arrivals file: bytes without times, as if it had none.
    #[arg(long, requires = "replay")]
    pub ignore_arrivals: bool,

    /// Simulator seed.
    #[arg(long, default_value_t = 1, value_name = "N", requires = "simulate")]
    pub seed: u64,

    /// Damage the simulated stream (dropped bytes, junk, bursts, lost packets) for
    /// demonstrations.
    #[arg(long, requires = "simulate")]
    pub faults: bool,

    /// The flags `convert` has too.
    #[command(flatten)]
    pub session: SessionArgs,

    /// One JSON object per line instead of the original format.
    #[arg(short = 'j', long)]
    pub json: bool,

    /// Record to a CSV file (raw codes and microvolts, gaps marked).
    #[arg(long, value_name = "FILE")]
    pub record_csv: Option<PathBuf>,

    /// Record to a 6-channel 16-bit WAV file at the nominal rate.
    #[arg(long, value_name = "FILE")]
    pub record_wav: Option<PathBuf>,

    /// Record to an EDF+ file (microvolts, 1 s records, annotations for lost packets, resyncs,
    /// device gone/back and switches), for MNE-Python, EDFbrowser and other EEG tools.
    #[arg(long, value_name = "FILE")]
    pub record_edf: Option<PathBuf>,

    /// Record the exact bytes received, and in FILE.arrivals when each read arrived, so that
    /// --replay FILE gives the same output as the live session.
    #[arg(long, value_name = "FILE")]
    pub record_raw: Option<PathBuf>,

    /// Also publish the samples as a Lab Streaming Layer stream NAME (type EEG, microvolts),
    /// with the stream events as NAME-events (type Markers). Needs liblsl (see LSL_LIB).
    #[arg(long, value_name = "NAME")]
    pub lsl: Option<String>,

    /// Hold the samples up to this long after the --lsl streams are published for a consumer
    /// (e.g. LabRecorder), so that it gets the session from its first sample.
    #[arg(long, value_name = "SECONDS", requires = "lsl")]
    pub lsl_wait: Option<f64>,

    /// Stop when the device goes away instead of waiting for it to come back.
    #[arg(long)]
    pub exit_on_disconnect: bool,

    /// Stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,

    /// Deliver each packet as soon as its counter continues the last one, without waiting for
    /// the next header to prove its end (saves ~4 ms; a rare splice of damaged packets can then
    /// pass as real).
    #[arg(long)]
    pub low_latency: bool,
}

/// Subcommands; without one, eegreader acquires.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert a raw capture to CSV, WAV, JSON lines, the text format or EDF+, as fast as it
    /// decodes.
    Convert(ConvertArgs),
}

const EXAMPLES: &str = "\
Examples:
  eegreader -l /dev/ttyUSB0                       stream a device to stdout
  eegreader -l /dev/ttyUSB0 | eegviewer           ... into the viewer
  eegreader --simulate | eegviewer                no device: the simulator
  eegreader -l /dev/ttyUSB0 --record-csv s.csv --record-raw s.bin
  eegreader -l /dev/ttyUSB0 --record-edf s.edf --labels Fp1,Fp2,C3,C4,P3,P4
  eegreader --replay s.bin                        the recorded session again, as it was live
  eegreader --replay s.bin --json                 decode a capture as JSON lines
  eegreader --list                                which serial ports are there?
  eegreader convert s.bin s.csv                   a capture to CSV (or .wav .json .txt .edf)
  eegreader --simulate --lsl OpenEEG              publish to Lab Streaming Layer

Output: one line per packet, timestamp_us|version|frame|ch1|...|ch6|switches, as the original
eegreader; lines starting with '#' are events (lost packets, resyncs, device gone/back).
A summary goes to stderr at exit. Ctrl-C finalises every recording.";
