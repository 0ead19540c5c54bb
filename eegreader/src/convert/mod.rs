//! `eegreader convert INPUT OUTPUT`: a raw capture through the decoder into one output file,
//! as fast as it decodes, with the acquisition loop and the sinks of a live recording, so a
//! converted file equals a recorded one. With the capture's arrivals file its reads come with
//! their live arrival times, so the converted file equals the one recorded live, timestamps
//! included.
//!
//! The output is refused before anything is written when it is the input (or the input's
//! arrivals file), when it exists (without `--force`), or when its format is unknown. An input
//! without a single packet is an error and the output file is removed (it would hold only a
//! header). Any other failure leaves the output finalised up to where writing stopped, and
//! says so.

pub mod args;
mod format;
mod start;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::acquire::{self, Ending, Plan};
use crate::error::Error;
use crate::output::SessionInfo;
use crate::output::set::Outputs;
use crate::output::utc::iso8601;
use crate::progress::ProgressBar;
use crate::settings::SessionSettings;
use crate::source::Source;
use crate::source::arrivals;
use crate::source::replay::{ReplayOptions, ReplaySource};

use self::args::ConvertArgs;
use self::format::{OutputFormat, Target};

/// Runs a conversion and reports it on stderr.
pub fn run(args: ConvertArgs) -> Result<ExitCode, Error> {
    let settings = SessionSettings::from_args(args.session)?;
    let profile = &settings.profile;
    // Offline, a packet can always wait for the next header to prove its end.
    let decoder = settings.decoder(false);
    let target = Target::of(&args.output);
    let input = (args.input.as_os_str() != "-").then_some(args.input.as_path());
    let session_start = Instant::now();
    let options = ReplayOptions {
        pace: None,
        use_arrivals: !args.ignore_arrivals,
    };
    let mut source = ReplaySource::open(input, options, session_start)?;
    if let (Some(input), Target::File(output)) = (input, &target) {
        refuse_to_clobber(input, output, args.force)?;
    }
    let format = OutputFormat::choose(args.to, &target)?;
    for note in source.notes() {
        eprintln!("eegreader: {note}");
    }
    let start_us = match (&args.start, source.recorded_start_us(), input) {
        (Some(text), recorded, _) => {
            let start_us = start::parse_rfc3339(text)?;
            if recorded.is_some() {
                eprintln!(
                    "eegreader: --start moves the recorded session to start at {}",
                    iso8601(start_us)
                );
            }
            start_us
        }
        (None, Some(recorded), _) => recorded,
        (None, None, Some(path)) => {
            let estimate = start::from_modification_time(path, &decoder, profile.nominal_rate_hz)?;
            eprintln!(
                "eegreader: a raw capture holds no times: the first sample is placed at {} ({}); --start sets it",
                iso8601(estimate.start_us),
                estimate.how
            );
            estimate.start_us
        }
        (None, None, None) => {
            let now = acquire::wall_clock_us();
            eprintln!(
                "eegreader: a raw capture holds no times and standard input has no modification time: the first sample is placed at {} (now); --start sets it",
                iso8601(now)
            );
            now
        }
    };
    let session = SessionInfo {
        source: source.describe(),
        profile: profile.name.clone(),
        microvolts_per_lsb: profile.microvolts_per_lsb,
        nominal_rate_hz: profile.nominal_rate_hz,
        start_us,
        labels: settings.labels.clone(),
    };
    let sink = format.open(&target, &session, settings.events)?;
    let mut outputs = match &target {
        Target::StandardOutput => Outputs::new(sink, Vec::new(), false),
        Target::File(_) => Outputs::recordings(vec![sink]),
    };
    let total = input.and_then(|path| std::fs::metadata(path).ok().map(|m| m.len()));
    let mut progress = ProgressBar::new(total);
    let plan = Plan {
        decoder,
        profile,
        duration: None,
        session_start,
        wall_start_us: start_us,
        arrivals: None,
    };
    let (ending, stats) = acquire::convert(&mut source, &mut outputs, plan, &mut progress);
    let written = match &target {
        Target::File(path) => path.display().to_string(),
        Target::StandardOutput => "standard output".to_owned(),
    };
    let input_bytes = match total {
        Some(total) => format!("{} of {total}", stats.bytes_in),
        None => stats.bytes_in.to_string(),
    };
    let describe_input = source.describe();
    match ending {
        Err(e) => {
            // What reached the file, not what the sink accepted: a failed block is not there.
            let holds = match &target {
                Target::File(path) => std::fs::metadata(path).map_or_else(
                    |_| "an unknown number of".to_owned(),
                    |m| m.len().to_string(),
                ),
                Target::StandardOutput => "some".to_owned(),
            };
            eprintln!(
                "eegreader: {written} is incomplete: it holds {holds} bytes, written before the error stopped the conversion at byte {input_bytes} of {describe_input}"
            );
            Err(e)
        }
        Ok(Ending::PipeClosed) => Ok(ExitCode::SUCCESS),
        Ok(Ending::Done) if stats.packets == 0 => {
            let kept = match &target {
                Target::File(path) => match std::fs::remove_file(path) {
                    Ok(()) => format!("{} was not kept", path.display()),
                    Err(e) => format!(
                        "{} holds no packets and could not be removed: {e}",
                        path.display()
                    ),
                },
                Target::StandardOutput => "nothing but events went to standard output".to_owned(),
            };
            Err(Error::new(format!(
                "no packets in {describe_input}: none of its {} bytes framed as P2 or P3; {kept}",
                stats.bytes_in
            ))
            .fix("is it a raw capture (--record-raw, a BrainBay archive)? --protocol p2 or p3 forces the protocol"))
        }
        Ok(Ending::Done) if total.is_some_and(|total| stats.bytes_in < total) => {
            Err(Error::new(format!(
                "interrupted: {written} is finalised and holds the {} packets of the first {input_bytes} bytes of {describe_input}",
                stats.packets
            )))
        }
        Ok(Ending::Done) => {
            match outputs.sizes().first() {
                Some((_, bytes)) => eprintln!("eegreader: wrote {written} ({bytes} bytes)"),
                None => eprintln!("eegreader: wrote {written}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Refuses an output that is the input (or its arrivals file), or that exists, unless `force`
/// (and never the input).
fn refuse_to_clobber(input: &Path, output: &Path, force: bool) -> Result<(), Error> {
    let Ok(existing) = std::fs::metadata(output) else {
        return Ok(());
    };
    if same_file(input, output, &existing) {
        return Err(Error::new(format!(
            "{} is the input: converting into it would destroy the capture",
            output.display()
        ))
        .fix("give another output name"));
    }
    if same_file(&arrivals::path_of(input), output, &existing) {
        return Err(Error::new(format!(
            "{} is the input's arrivals file: converting into it would destroy its times",
            output.display()
        ))
        .fix("give another output name"));
    }
    if !force {
        return Err(Error::new(format!(
            "{} exists: converting would replace it",
            output.display()
        ))
        .fix("give another output name, or --force to replace it"));
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(input: &Path, _output: &Path, output_meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(input)
        .is_ok_and(|m| m.dev() == output_meta.dev() && m.ino() == output_meta.ino())
}

#[cfg(not(unix))]
fn same_file(input: &Path, output: &Path, _output_meta: &std::fs::Metadata) -> bool {
    matches!(
        (std::fs::canonicalize(input), std::fs::canonicalize(output)),
        (Ok(a), Ok(b)) if a == b
    )
}
