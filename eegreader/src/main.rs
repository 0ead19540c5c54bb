//! eegreader: reads an OpenEEG amplifier (or a capture, or the simulator), streams samples to
//! standard output and records sessions to files.

mod acquire;
mod cli;
mod convert;
mod error;
mod labels;
mod output;
mod progress;
mod record;
mod settings;
mod source;
mod status;

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use libeeg::sim::SimConfig;
use libeeg::{Protocol, ProtocolChoice};

use crate::acquire::{Ending, Plan};
use crate::error::Error;
use crate::output::raw::ArrivalLog;
use crate::output::set::Outputs;
use crate::output::{
    CsvSink, EdfSink, JsonSink, LslSink, RawSink, SessionInfo, Sink, TextSink, WavSink,
};
use crate::settings::{Format, Settings, SourceSpec};
use crate::source::Source;
use crate::source::discover;
use crate::source::replay::{ReplayOptions, ReplaySource};
use crate::source::serial::{SerialOptions, SerialSource};
use crate::source::simulate::SimulatedSource;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eegreader: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, Error> {
    let mut args = cli::Args::parse();
    if let Some(cli::Command::Convert(convert)) = args.command.take() {
        return convert::run(convert);
    }
    let settings = Settings::from_args(args)?;
    // Before the session starts, so that waiting for a consumer loses no device bytes.
    let lsl = open_lsl(&settings)?;
    let session_start = Instant::now();
    let mut source = match open_source(&settings, session_start)? {
        Some(source) => source,
        None => return Ok(ExitCode::SUCCESS),
    };
    // Every time in the session counts from its start: now, or a recorded session's.
    let wall_start_us = source
        .recorded_start_us()
        .unwrap_or_else(|| acquire::wall_clock_us() - session_start.elapsed().as_micros() as i64);
    let session = SessionInfo {
        source: source.describe(),
        profile: settings.profile.name.clone(),
        microvolts_per_lsb: settings.profile.microvolts_per_lsb,
        nominal_rate_hz: settings.profile.nominal_rate_hz,
        start_us: wall_start_us,
        labels: settings.labels.clone(),
    };
    let (mut outputs, arrivals) = open_outputs(&settings, &session, source.as_ref(), lsl)?;
    let plan = Plan {
        decoder: settings.decoder.clone(),
        profile: &settings.profile,
        duration: settings.duration,
        session_start,
        wall_start_us,
        arrivals,
    };
    let ending = acquire::run(source.as_mut(), &mut outputs, plan)?;
    Ok(match ending {
        Ending::Done => ExitCode::SUCCESS,
        // Whoever read our output went away and nothing was recording: nothing is lost.
        Ending::PipeClosed => ExitCode::SUCCESS,
    })
}

/// Opens the source the settings name; `None` when there is nothing to acquire (`--list`).
fn open_source(
    settings: &Settings,
    session_start: Instant,
) -> Result<Option<Box<dyn Source>>, Error> {
    let serial = |path: &str| -> Result<Box<dyn Source>, Error> {
        let options = SerialOptions {
            exit_on_disconnect: settings.exit_on_disconnect,
            ..SerialOptions::default()
        };
        let port = SerialSource::open(path, settings.baud, options, session_start)?;
        if let Some(note) = port.latency_note() {
            eprintln!("eegreader: {note}");
        }
        Ok(Box::new(port))
    };
    let rate = settings.profile.nominal_rate_hz;
    let p3 = settings.decoder.protocol == ProtocolChoice::P3;
    Ok(Some(match &settings.source {
        SourceSpec::List => {
            print!("{}", discover::format_list(&discover::list_ports()));
            return Ok(None);
        }
        SourceSpec::Line(path) => serial(path)?,
        SourceSpec::Attached => {
            let path = discover::pick_device(&discover::list_ports())?;
            eprintln!("eegreader: reading {path} (the one OpenEEG device attached)");
            serial(&path)?
        }
        SourceSpec::Replay { path, realtime } => {
            // Without recorded times, paced at the packet length times the rate; P2's length
            // unless P3 is forced.
            let packet_len = if p3 {
                libeeg::p3::PACKET_LEN_6CH
            } else {
                libeeg::p2::PACKET_LEN
            };
            let options = ReplayOptions {
                pace: realtime.then_some(rate * packet_len as f64),
                use_arrivals: settings.use_arrivals,
            };
            let replay = ReplaySource::open(path.as_deref(), options, session_start)?;
            for note in replay.notes() {
                eprintln!("eegreader: {note}");
            }
            Box::new(replay)
        }
        SourceSpec::Simulate { seed, faults } => {
            let protocol = if p3 { Protocol::P3 } else { Protocol::P2 };
            let config = SimConfig {
                seed: *seed,
                rate_hz: rate,
                protocol,
                ..SimConfig::default()
            };
            Box::new(SimulatedSource::new(config, *faults, session_start))
        }
    }))
}

/// The `--lsl` streams: published once the sample rate is measured, holding the samples until
/// then (see `output::lsl`).
fn open_lsl(settings: &Settings) -> Result<Option<LslSink>, Error> {
    let Some(name) = &settings.lsl else {
        return Ok(None);
    };
    let sink = LslSink::open(name, settings)?;
    eprintln!(
        "eegreader: LSL streams {name} (EEG) and {name}-events (Markers) appear once the sample \
         rate is measured (about 12 s); samples until then are held and sent with their times"
    );
    Ok(Some(sink))
}

/// Standard output in the chosen format, plus every recording (and the LSL stream) asked for;
/// and the raw recording's arrivals file, for the acquisition loop to tell every input.
fn open_outputs(
    settings: &Settings,
    session: &SessionInfo,
    source: &dyn Source,
    lsl: Option<LslSink>,
) -> Result<(Outputs, Option<ArrivalLog>), Error> {
    let stdout: Box<dyn Sink> = match settings.format {
        Format::Text => Box::new(TextSink::new(io::stdout(), settings.events)),
        Format::Json => Box::new(JsonSink::new(io::stdout(), settings.events)),
    };
    let mut files: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(path) = &settings.record_csv {
        files.push(Box::new(CsvSink::create(path, session)?));
    }
    if let Some(path) = &settings.record_wav {
        files.push(Box::new(WavSink::create(path, session)?));
    }
    if let Some(path) = &settings.record_edf {
        files.push(Box::new(EdfSink::create(path, session)?));
    }
    let mut arrivals = None;
    if let Some(path) = &settings.record_raw {
        let (capture, log) = RawSink::create(path, session, source.has_arrival_times())?;
        files.push(Box::new(capture));
        arrivals = log;
    }
    // Among the recordings: it goes on when standard output is closed.
    if let Some(lsl) = lsl {
        files.push(Box::new(lsl));
    }
    // A live stream or a person watching gets every packet at once; a bulk replay into a pipe
    // or file gets large blocks.
    let outputs = Outputs::new(
        stdout,
        files,
        source.is_real_time() || io::stdout().is_terminal(),
    );
    Ok((outputs, arrivals))
}
