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

use crate::acquire::Ending;
use crate::error::Error;
use crate::output::set::Outputs;
use crate::output::{
    CsvSink, EdfSink, JsonSink, LslSink, RawSink, SessionInfo, Sink, TextSink, WavSink,
};
use crate::settings::{Format, Settings, SourceSpec};
use crate::source::Source;
use crate::source::discover;
use crate::source::replay::ReplaySource;
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
    let session = SessionInfo {
        source: source.describe(),
        profile: settings.profile.name.clone(),
        microvolts_per_lsb: settings.profile.microvolts_per_lsb,
        nominal_rate_hz: settings.profile.nominal_rate_hz,
        start_us: acquire::wall_clock_us(),
        labels: settings.labels.clone(),
    };
    let mut outputs = open_outputs(&settings, &session, source.is_live(), lsl)?;
    let ending = acquire::run(
        source.as_mut(),
        &mut outputs,
        settings.decoder.clone(),
        &settings.profile,
        settings.duration,
        session_start,
    )?;
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
            // Paced at the packet length times the rate; P2's length unless P3 is forced.
            let packet_len = if p3 {
                libeeg::p3::PACKET_LEN_6CH
            } else {
                libeeg::p2::PACKET_LEN
            };
            let pace = realtime.then_some(rate * packet_len as f64);
            Box::new(ReplaySource::open(path.as_deref(), pace, session_start)?)
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

/// The `--lsl` streams, once a consumer came or `--lsl-wait` is up.
fn open_lsl(settings: &Settings) -> Result<Option<LslSink>, Error> {
    let Some(name) = &settings.lsl else {
        return Ok(None);
    };
    let sink = LslSink::open(name, settings)?;
    eprintln!("eegreader: publishing LSL streams {name} (EEG) and {name}-events (Markers)");
    if let Some(limit) = settings.lsl_wait
        && !sink.wait_for_consumer(limit)
    {
        eprintln!(
            "eegreader: no LSL consumer of {name} within {} s; starting anyway",
            limit.as_secs_f64()
        );
    }
    Ok(Some(sink))
}

/// Standard output in the chosen format, plus every recording (and the LSL stream) asked for.
fn open_outputs(
    settings: &Settings,
    session: &SessionInfo,
    live: bool,
    lsl: Option<LslSink>,
) -> Result<Outputs, Error> {
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
    if let Some(path) = &settings.record_raw {
        files.push(Box::new(RawSink::create(path)?));
    }
    // Among the recordings: it goes on when standard output is closed.
    if let Some(lsl) = lsl {
        files.push(Box::new(lsl));
    }
    // A live stream or a person watching gets every packet at once; a bulk replay into a pipe
    // or file gets large blocks.
    Ok(Outputs::new(
        stdout,
        files,
        live || io::stdout().is_terminal(),
    ))
}
