//! eegviewer: the real-time viewer for OpenEEG streams.
//!
//! `eegreader --simulate | eegviewer` shows a live stream from standard input;
//! `eegviewer session.csv` opens a recording (or a raw capture) for review.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use eegviewer::app::Viewer;
use eegviewer::app::screenshot::Screenshot;
use eegviewer::app::time_layout::TimeMode;
use eegviewer::app::view::DEFAULT_UV_PER_LSB;
use eegviewer::app::view::WINDOW_RANGE_S;
use eegviewer::ingest::files::open_review;
use eegviewer::ingest::lsl::{LslInput, spawn_lsl_ingest};
use eegviewer::ingest::raw_capture::RawOptions;
use eegviewer::ingest::reader;
use eegviewer::signal::ring::HistoryConfig;

/// Shows eegreader's output live (standard input), or a recording for review.
#[derive(Debug, Parser)]
#[command(version, after_help = EXAMPLES)]
struct Flags {
    /// A CSV recording, saved eegreader output or raw capture to review instead of reading
    /// standard input.
    file: Option<PathBuf>,

    /// Show the Lab Streaming Layer stream NAME (eegreader --lsl NAME, or any EEG source; the
    /// first 6 channels) instead of standard input. Needs liblsl (see LSL_LIB).
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    lsl: Option<String>,

    /// Seconds of live data kept for scrolling back.
    #[arg(long, value_name = "SECONDS", default_value_t = HistoryConfig::DEFAULT_SECONDS)]
    history: f64,

    /// Time window shown, 1 to 60 seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    window: f64,

    /// Microvolts per ADC step (0.5 for the ModularEEG, 0.52 for the EEG-SMT).
    #[arg(long, value_name = "UV")]
    scale: Option<f64>,

    /// Show only channels 1-2, the EEG-SMT's real ones.
    #[arg(long)]
    eeg_smt: bool,

    /// Start in sweep mode: traces written left to right over the previous sweep, as on a
    /// clinical monitor (the M key and the toolbar switch back to scrolling).
    #[arg(long)]
    sweep: bool,

    /// Where the Screenshot button (F12) saves its PNG files [default: the current directory].
    #[arg(long, value_name = "DIR")]
    screenshot_dir: Option<PathBuf>,
    /// Open the spectrum panel (power spectrum and EEG band powers) at start.
    #[arg(long)]
    spectrum: bool,

    /// Render some frames, write the window to this PNG file and exit.
    #[arg(long, value_name = "FILE", requires = "frames")]
    screenshot: Option<PathBuf>,

    /// Frames to render before --screenshot.
    #[arg(long, value_name = "N", requires = "screenshot")]
    frames: Option<u64>,
}

const EXAMPLES: &str = "Examples:
  eegreader --simulate | eegviewer         the simulator, live
  eegreader -l /dev/ttyUSB0 | eegviewer    a device, live
  eegviewer session.csv                    review a recording
  eegviewer --lsl OpenEEG                  a Lab Streaming Layer stream";

fn main() -> ExitCode {
    match run(Flags::parse()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("eegviewer: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(flags: Flags) -> Result<ExitCode, String> {
    if !(flags.history.is_finite() && flags.history >= 1.0) {
        return Err(format!(
            "--history {} is too short: give at least 1 second",
            flags.history
        ));
    }
    if !WINDOW_RANGE_S.contains(&flags.window) {
        return Err(format!(
            "--window {} is out of range: give 1 to 60 seconds",
            flags.window
        ));
    }
    if let Some(scale) = flags.scale
        && !(scale.is_finite() && scale > 0.0)
    {
        return Err(format!(
            "--scale {scale} must be a positive number of microvolts"
        ));
    }
    if let Some(dir) = &flags.screenshot_dir
        && !dir.is_dir()
    {
        return Err(format!(
            "--screenshot-dir {} is not a directory",
            dir.display()
        ));
    }
    if let Some(name) = &flags.lsl {
        return launch_lsl(name, &flags);
    }
    let viewer = match &flags.file {
        Some(path) => Viewer::from_review(
            open_review(path, &RawOptions::default()).map_err(|e| e.to_string())?,
        ),
        None => {
            if std::io::stdin().is_terminal() {
                return Err(
                    "nothing to show: pipe eegreader into it (eegreader --simulate | eegviewer) \
                            or give a recording file"
                        .into(),
                );
            }
            let (sender, receiver) = reader::channel();
            // The ingest threads start in the creator, once the window's context exists to wake.
            let viewer = Viewer::with_receiver(receiver, flags.history);
            return launch(viewer, Some(Ingest::Stdin(sender)), &flags);
        }
    };
    launch(viewer, None, &flags)
}

/// Seconds to look for the `--lsl` stream.
const LSL_RESOLVE_TIMEOUT_S: f64 = 5.0;

/// Subscribes to the `--lsl` stream before the window opens, so that a missing stream is a
/// message, not an empty window.
fn launch_lsl(name: &str, flags: &Flags) -> Result<ExitCode, String> {
    let input = LslInput::open(name, LSL_RESOLVE_TIMEOUT_S)?;
    eprintln!("eegviewer: showing {}", input.describe());
    // The scale the stream declares is the one its microvolts were made with.
    let uv_per_lsb = flags
        .scale
        .or(input.declared_uv_per_lsb())
        .unwrap_or(DEFAULT_UV_PER_LSB);
    let (sender, receiver) = reader::channel();
    let mut viewer = Viewer::with_receiver(receiver, flags.history);
    viewer.view_mut().uv_per_lsb = uv_per_lsb;
    launch(viewer, Some(Ingest::Lsl(input, uv_per_lsb, sender)), flags)
}

/// Where a live viewer's batches come from; the ingest thread starts once the window exists.
enum Ingest {
    Stdin(crossbeam_channel::Sender<eegviewer::ingest::item::Batch>),
    Lsl(
        LslInput,
        f64,
        crossbeam_channel::Sender<eegviewer::ingest::item::Batch>,
    ),
}

fn apply(viewer: &mut Viewer, flags: &Flags) {
    let view = viewer.view_mut();
    view.window_s = flags.window;
    if !view.follow {
        let left = view.range.0;
        view.jump_to((left, left + flags.window));
    }
    if let Some(scale) = flags.scale {
        view.uv_per_lsb = scale;
    }
    if flags.eeg_smt {
        view.eeg_smt_preset();
    }
    if flags.sweep {
        view.time_mode = TimeMode::Sweep;
    }
    view.show_spectrum |= flags.spectrum;
    if let Some(dir) = &flags.screenshot_dir {
        viewer.set_screenshot_dir(dir.clone());
    }
}

/// Opens the window and runs until it is closed. The ingest threads are never joined: they
/// end when the receiver is dropped, or with the process.
fn launch(mut viewer: Viewer, ingest: Option<Ingest>, flags: &Flags) -> Result<ExitCode, String> {
    apply(&mut viewer, flags);
    let outcome = match (&flags.screenshot, flags.frames) {
        (Some(path), Some(frames)) => {
            let (screenshot, outcome) = Screenshot::new(path.clone(), frames);
            viewer.set_screenshot(screenshot);
            Some(outcome)
        }
        _ => None,
    };
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("eegviewer")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([480.0, 320.0]),
        ..Default::default()
    };
    eframe::run_native(
        "eegviewer",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let wake = move || ctx.request_repaint();
            match ingest {
                Some(Ingest::Stdin(sender)) => {
                    reader::spawn_stdin_ingest(sender, wake)?;
                }
                Some(Ingest::Lsl(input, uv_per_lsb, sender)) => {
                    spawn_lsl_ingest(input, uv_per_lsb, sender, wake)?;
                }
                None => {}
            }
            Ok(Box::new(viewer))
        }),
    )
    .map_err(|e| format!("cannot open the window: {e}"))?;
    match outcome {
        None => Ok(ExitCode::SUCCESS),
        Some(outcome) => match outcome
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            Some(Ok(())) => Ok(ExitCode::SUCCESS),
            Some(Err(message)) => Err(message),
            None => Err("the window closed before the screenshot was taken".into()),
        },
    }
}
