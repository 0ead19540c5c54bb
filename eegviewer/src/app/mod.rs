//! The viewer's window: an [`eframe::App`] that drains ingest batches in
//! [`App::logic`](eframe::App::logic) and draws the channels in [`App::ui`](eframe::App::ui).
//!
//! - [`session`]: the stream as read so far (history, gaps, counters), no GUI;
//! - [`source`]: the live channel or a file's batches, drained within a time budget;
//! - [`view`]: what the user chose to see;
//! - [`plots`], [`toolbar`], [`status`], [`events`]: the parts of the window;
//! - [`spectrum_panel`] (toggled with F) and [`spectra`], the numbers behind it;
//! - [`screenshot`]: `--screenshot FILE --frames N`.
//! - [`time_layout`]: scrolling or sweeping time axis; [`marks`] and [`labels`]: events on
//!   the plots; [`cursor`] and [`readout`]: measurement cursors; [`shortcuts`], [`help`],
//!   [`requests`]: the keyboard and its help; [`snapshot`]: the Screenshot button.
//!
//! A [`Viewer`] needs no standard input and no display: tests build one with
//! [`Viewer::with_receiver`] or [`Viewer::from_batches`] and drive it with
//! [`Viewer::logic_step`] and [`Viewer::show`] in an `egui_kittest` harness.

pub mod cursor;
pub mod events;
pub mod help;
pub mod labels;
pub mod marks;
pub mod plots;
pub mod readout;
pub mod requests;
pub mod screenshot;
pub mod session;
pub mod shortcuts;
pub mod snapshot;
pub mod source;
pub mod spectra;
pub mod spectrum_panel;
pub mod status;
pub mod time_layout;
pub mod toolbar;
pub mod view;

use std::collections::VecDeque;
use std::path::PathBuf;

use crossbeam_channel::Receiver;
use egui::{Context, Key, Ui};

use self::plots::Plots;
use self::requests::Requests;
use self::screenshot::Screenshot;
use self::session::Session;
use self::snapshot::Snapshots;
use self::source::{LIVE_BUDGET, REVIEW_BUDGET, Source};
use self::spectrum_panel::SpectrumPanel;
use self::view::View;
use crate::ingest::files::Review;
use crate::ingest::item::Batch;
use crate::signal::filter::FilterSettings;
use crate::signal::ring::HistoryConfig;

/// The viewer: see the module documentation.
#[derive(Debug)]
pub struct Viewer {
    session: Session,
    source: Source,
    view: View,
    plots: Plots,
    spectrum: SpectrumPanel,
    show_events: bool,
    /// A file under review rather than a live stream.
    review: bool,
    screenshot: Option<Screenshot>,
    requests: Requests,
    snapshots: Snapshots,
}

impl Viewer {
    /// A live viewer fed by the ingest thread's `receiver`, keeping `history_s` seconds.
    pub fn with_receiver(receiver: Receiver<Batch>, history_s: f64) -> Self {
        Self::new(Source::Live(receiver), history_s)
    }

    /// A viewer reviewing `batches` (a whole file) with its history sized to hold them all.
    pub fn from_batches(batches: Vec<Batch>) -> Self {
        let span_s = session_seconds(&batches);
        let history_s = (span_s * 1.05 + 10.0).max(HistoryConfig::DEFAULT_SECONDS);
        let mut viewer = Self::new(Source::Review(VecDeque::from(batches)), history_s);
        viewer.review = true;
        let window = viewer.view.window_s;
        viewer.view.jump_to((0.0, window));
        viewer
    }

    /// A viewer reviewing a file opened with [`open_review`](crate::ingest::files::open_review):
    /// its channel labels and microvolt scale are used when it has them.
    pub fn from_review(review: Review) -> Self {
        let info = review.info;
        let mut viewer = Self::from_batches(review.batches);
        for (name, label) in viewer.view.names.iter_mut().zip(&info.labels) {
            if !label.trim().is_empty() {
                name.clone_from(label);
            }
        }
        if let Some(scale) = info.scale_uv_per_lsb.filter(|s| s.is_finite() && *s > 0.0) {
            viewer.view.uv_per_lsb = scale;
        }
        viewer
    }

    fn new(source: Source, history_s: f64) -> Self {
        Self {
            session: Session::new(history_s, FilterSettings::default()),
            source,
            view: View::default(),
            plots: Plots::default(),
            spectrum: SpectrumPanel::default(),
            show_events: true,
            review: false,
            screenshot: None,
            requests: Requests::default(),
            snapshots: Snapshots::new(PathBuf::from(".")),
        }
    }

    /// Saves the Screenshot button's pictures in `dir` (default: the current directory).
    pub fn set_screenshot_dir(&mut self, dir: PathBuf) {
        self.snapshots = Snapshots::new(dir);
    }

    /// The help overlay and screenshot requests.
    pub fn requests(&self) -> &Requests {
        &self.requests
    }

    /// The plots, as drawn last frame.
    pub fn plots(&self) -> &Plots {
        &self.plots
    }

    /// Takes a screenshot after some frames (see [`screenshot`]).
    pub fn set_screenshot(&mut self, screenshot: Screenshot) {
        self.screenshot = Some(screenshot);
    }

    /// What the viewer has read.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// What the user chose to see.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// The spectrum panel, for its numbers.
    pub fn spectrum_panel(&self) -> &SpectrumPanel {
        &self.spectrum
    }

    /// The view, to change it (tests, command-line settings).
    pub fn view_mut(&mut self) -> &mut View {
        &mut self.view
    }

    /// Drains waiting batches within the frame's budget; asks for another frame at once if
    /// some are left. Runs before every frame, and while the window is hidden.
    pub fn logic_step(&mut self, ctx: &Context) {
        let budget = if self.source.is_review() {
            REVIEW_BUDGET
        } else {
            LIVE_BUDGET
        };
        if self.source.drain(&mut self.session, budget) {
            ctx.request_repaint();
        }
    }

    /// Draws the whole window into `ui`.
    pub fn show(&mut self, ui: &mut Ui) {
        let review = self.review;
        self.shortcuts(ui.ctx());
        shortcuts::apply(ui.ctx(), &mut self.view, &self.session, &mut self.requests);
        egui::Panel::top("toolbar").show(ui, |ui| {
            toolbar::show(
                ui,
                &mut self.session,
                &mut self.view,
                review,
                &mut self.show_events,
                &mut self.requests,
            );
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            status::show(
                ui,
                &self.session,
                review,
                self.view.paused_at.is_some(),
                self.source.waiting(),
            );
        });
        if !self.view.cursors.is_empty() {
            egui::Panel::bottom("cursor-readout").show(ui, |ui| {
                readout::show(ui, &self.session, &mut self.view);
            });
        }
        if self.show_events {
            egui::Panel::right("events")
                .default_size(170.0)
                .resizable(true)
                .show(ui, |ui| {
                    events::show(ui, &self.session, &mut self.view);
                });
        }
        self.spectrum.show(ui, &self.session, &self.view);
        egui::CentralPanel::default().show(ui, |ui| {
            self.plots.show(ui, &self.session, &mut self.view);
        });
        help::show(ui.ctx(), &mut self.requests.help_open);
        if std::mem::take(&mut self.requests.screenshot) {
            self.snapshots.request(ui.ctx());
        }
        self.snapshots.frame(ui.ctx());
        if let Some(screenshot) = &mut self.screenshot {
            screenshot.frame(ui.ctx());
        }
    }

    /// Space pauses or resumes, End follows the newest data again, F shows or hides the
    /// spectrum ([`spectrum_panel::TOGGLE_KEY`]).
    fn shortcuts(&mut self, ctx: &Context) {
        let (space, end) = ctx.input(|i| (i.key_pressed(Key::Space), i.key_pressed(Key::End)));
        spectrum_panel::toggle_on_key(ctx, &mut self.view);
        if space && !self.review {
            self.view.toggle_pause(self.session.newest_time());
        }
        if end {
            self.view.follow_live();
        }
    }
}

impl eframe::App for Viewer {
    fn logic(&mut self, ctx: &Context, _frame: &mut eframe::Frame) {
        self.logic_step(ctx);
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

/// Seconds from the first to the last sample of `batches`.
fn session_seconds(batches: &[Batch]) -> f64 {
    let mut times = batches
        .iter()
        .flat_map(|b| b.samples.iter().map(|s| s.timestamp_us));
    let first = times.next();
    let last = batches
        .iter()
        .rev()
        .find_map(|b| b.samples.last())
        .map(|s| s.timestamp_us);
    match (first, last) {
        (Some(a), Some(b)) => (b - a).max(0) as f64 * 1e-6,
        _ => 0.0,
    }
}
