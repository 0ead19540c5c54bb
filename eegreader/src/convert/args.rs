//! `eegreader convert`'s command line.

use std::path::PathBuf;

use clap::Args;

use super::format::OutputFormat;
use crate::cli::session::SessionArgs;

/// Converts a raw capture (recorded with --record-raw, or a BrainBay archive) to CSV, WAV,
/// JSON lines, the text format or EDF+, through the same writers as a live recording.
#[derive(Debug, Args)]
#[command(after_help = CONVERT_HELP)]
pub struct ConvertArgs {
    /// The raw capture ('-' for standard input).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,

    /// The file to write; its extension picks the format unless --to is given ('-' for
    /// standard output, with --to).
    #[arg(value_name = "OUTPUT")]
    pub output: PathBuf,

    /// Output format, instead of OUTPUT's extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: Option<OutputFormat>,

    /// Replace OUTPUT if it exists.
    #[arg(long)]
    pub force: bool,

    /// Time of the first sample, RFC 3339 (2024-05-01T10:00:00Z, 2024-05-01T12:00:00+02:00);
    /// with an arrivals file, of the session's start, which its times count from. Default: as
    /// recorded in the arrivals file; without one, INPUT's modification time minus its duration
    /// at the nominal rate.
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,

    /// Convert without INPUT's arrivals file (INPUT.arrivals, written by --record-raw): bytes
    /// without times, as if it had none.
    #[arg(long)]
    pub ignore_arrivals: bool,

    /// The flags acquisition has too.
    #[command(flatten)]
    pub session: SessionArgs,
}

const CONVERT_HELP: &str = "\
Examples:
  eegreader convert s.bin s.csv                   CSV rows, as --record-csv writes them
  eegreader convert s.bin s.wav --rate 257.14     16-bit WAV at 257 Hz
  eegreader convert s.bin - --to json | jq .      JSON lines to standard output
  eegreader convert brainbay.arc s.txt            the original text format
  eegreader convert s.bin s.edf --labels Fp1,Fp2  EDF+ for MNE-Python or EDFbrowser

A capture recorded with --record-raw has its arrivals file beside it (INPUT.arrivals): its
reads are decoded as they arrived live, so the output equals the live recording, timestamps
included. A capture without one holds no times: samples are placed at the nominal rate from
--start, or else from the capture's modification time minus its duration. OUTPUT is never
replaced without --force. An input without a single packet is an error and leaves no output
file.";
