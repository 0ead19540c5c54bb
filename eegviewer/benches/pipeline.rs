//! The viewer's signal path per frame and per second of stream, for 6 channels at 256 Hz.
//!
//! - `decimate/6ch_30s_to_1500_columns`: the visible 30 s of every channel out of the
//!   history (the span straddles the ring's wrap) reduced to 1500 pixel columns. Target: well
//!   under 1 ms.
//! - `filter/6ch_1s_*`: one second of samples through the filter chains, the default
//!   (high-pass only) and everything on.
//! - `spectrum/6ch_512`: the spectrum and band powers of the newest 2 s of every channel.
//! - `frame/6ch_30s_decimate_and_spectrum`: both together, the signal work of one frame with
//!   the spectrum on (the budget for a whole UI pass is 4 ms).
//! - `ring/push_1s_6ch` and `quality/6ch_1s`: storing one second of samples and measuring
//!   its quality, the ingest side's work besides filtering.
//! - `ui_frame/*`: one whole frame of the live [`Viewer`] (`logic_step` taking a 60th of a
//!   second of new samples, then `show`) in a 1280 x 800 `egui_kittest` harness, laid out
//!   and tessellation-free (no rendering). The harness clock steps 1/60 s a frame, so the
//!   spectrum is recomputed every 8th frame as in the window and the figure is the mean
//!   over frames with and without. The budget is 4 ms per frame.
//!   - `30s_history_30s_window_spectrum`: 30 s of stream, all of it shown, spectrum open;
//!   - `30s_history_30s_window_no_spectrum`: the same without the panel, for its share;
//!   - `600s_history_60s_window_spectrum`: the full 10-minute history, 60 s shown.
//!
//! Run with `cargo bench -p eegviewer --bench pipeline` (`-- ui_frame` for those alone).

use std::f64::consts::PI;
use std::hint::black_box;

use criterion::{Criterion, Throughput};
use crossbeam_channel::Sender;
use eegviewer::app::Viewer;
use eegviewer::ingest::item::{Batch, Sample};
use eegviewer::ingest::reader;
use eegviewer::signal::decimate::{Columns, Decimated};
use eegviewer::signal::filter::{FilterBank, FilterSettings};
use eegviewer::signal::mains::Mains;
use eegviewer::signal::quality::ChannelQuality;
use eegviewer::signal::ring::{History, HistoryConfig};
use eegviewer::signal::spectrum::Spectrum;
use egui_kittest::Harness;

const CHANNELS: usize = 6;
const RATE: f64 = 256.0;
/// Visible time window, seconds.
const VIEW: f64 = 30.0;
/// Pixel columns of each channel's plot.
const COLUMNS: usize = 1500;

/// One sample of channel `ch` at sample index `i`: alpha, some beta, 50 Hz hum and a slow
/// drift on the mid-scale offset, with a spike now and then, in raw codes.
fn eeg(ch: usize, i: usize) -> f32 {
    let t = i as f64 / RATE;
    let phase = ch as f64;
    let mut x = 512.0
        + 40.0 * (2.0 * PI * 10.0 * t + phase).sin()
        + 10.0 * (2.0 * PI * 21.0 * t + 2.0 * phase).sin()
        + 15.0 * (2.0 * PI * 50.0 * t).sin()
        + 30.0 * (2.0 * PI * 0.1 * t).sin();
    if i % 997 == ch {
        x += 300.0;
    }
    x as f32
}

/// A history of 60 s holding 75 s of stream with a gap in it, so the ring has wrapped and
/// the last 30 s straddle the wrap.
fn history() -> (History, f64) {
    let mut h = History::new(HistoryConfig {
        seconds: 60.0,
        ..HistoryConfig::new(CHANNELS, RATE)
    });
    let len = (75.0 * RATE) as usize;
    let mut frame = [0.0; CHANNELS];
    for i in 0..len {
        if i == len - 10 * 256 {
            h.mark_gap();
        }
        for (ch, x) in frame.iter_mut().enumerate() {
            *x = eeg(ch, i);
        }
        h.push(i as f64 / RATE, &frame);
    }
    let newest = h.newest_time().expect("filled");
    let [a, b] = h.span(newest - VIEW, newest).times();
    assert!(
        !a.is_empty() && !b.is_empty(),
        "the view straddles the wrap"
    );
    (h, newest)
}

fn decimate_all(h: &History, newest: f64, out: &mut [Decimated]) {
    let span = h.span(newest - VIEW, newest);
    let columns = Columns {
        t0: newest - VIEW,
        t1: newest,
        count: COLUMNS,
    };
    for (ch, d) in out.iter_mut().enumerate() {
        d.decimate(&span.runs(ch), columns);
    }
}

fn spectra_all(h: &History, spectra: &mut [Spectrum]) -> f64 {
    let everything = h.span(f64::NEG_INFINITY, f64::INFINITY);
    let recent = everything.newest_segment(Spectrum::DEFAULT_LEN);
    let mut alpha = 0.0;
    for (ch, s) in spectra.iter_mut().enumerate() {
        s.compute(&recent.values(ch));
        alpha += s.band_powers().relative[2];
    }
    alpha
}

fn decimate(c: &mut Criterion) {
    let (h, newest) = history();
    let mut out = vec![Decimated::new(); CHANNELS];
    let mut group = c.benchmark_group("decimate");
    group.throughput(Throughput::Elements((CHANNELS as f64 * VIEW * RATE) as u64));
    group.bench_function("6ch_30s_to_1500_columns", |b| {
        b.iter(|| {
            decimate_all(&h, black_box(newest), &mut out);
            black_box(out[5].buckets().len())
        });
    });
    group.finish();
}

fn filter(c: &mut Criterion) {
    let second: Vec<[f32; CHANNELS]> = (0..RATE as usize)
        .map(|i| std::array::from_fn(|ch| eeg(ch, i)))
        .collect();
    let mut group = c.benchmark_group("filter");
    group.throughput(Throughput::Elements((CHANNELS * second.len()) as u64));
    let all = FilterSettings {
        high_pass: true,
        notch: Some(Mains::Hz50),
        low_pass: true,
    };
    for (name, settings) in [
        ("6ch_1s_high_pass", FilterSettings::default()),
        ("6ch_1s_all_on", all),
    ] {
        let mut bank = FilterBank::new(CHANNELS, RATE, settings);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut last = 0.0;
                for frame in &second {
                    let mut frame = *frame;
                    bank.process_frame(&mut frame);
                    last = frame[5];
                }
                black_box(last)
            });
        });
    }
    group.finish();
}

fn spectrum(c: &mut Criterion) {
    let (h, _) = history();
    let mut spectra = vec![Spectrum::new(Spectrum::DEFAULT_LEN, RATE); CHANNELS];
    let mut group = c.benchmark_group("spectrum");
    group.throughput(Throughput::Elements(
        (CHANNELS * Spectrum::DEFAULT_LEN) as u64,
    ));
    group.bench_function("6ch_512", |b| {
        b.iter(|| black_box(spectra_all(&h, &mut spectra)))
    });
    group.finish();
}

fn frame(c: &mut Criterion) {
    let (h, newest) = history();
    let mut out = vec![Decimated::new(); CHANNELS];
    let mut spectra = vec![Spectrum::new(Spectrum::DEFAULT_LEN, RATE); CHANNELS];
    c.bench_function("frame/6ch_30s_decimate_and_spectrum", |b| {
        b.iter(|| {
            decimate_all(&h, black_box(newest), &mut out);
            black_box(spectra_all(&h, &mut spectra))
        });
    });
}

fn ring(c: &mut Criterion) {
    let second: Vec<[f32; CHANNELS]> = (0..RATE as usize)
        .map(|i| std::array::from_fn(|ch| eeg(ch, i)))
        .collect();
    let mut h = History::new(HistoryConfig::new(CHANNELS, RATE));
    let mut i = 0u64;
    let mut group = c.benchmark_group("ring");
    group.throughput(Throughput::Elements(second.len() as u64));
    group.bench_function("push_1s_6ch", |b| {
        b.iter(|| {
            for frame in &second {
                h.push(i as f64 / RATE, frame);
                i += 1;
            }
            black_box(h.len())
        });
    });
    group.finish();
}

fn quality(c: &mut Criterion) {
    let second: Vec<[u16; CHANNELS]> = (0..RATE as usize)
        .map(|i| std::array::from_fn(|ch| eeg(ch, i).round().clamp(0.0, 1023.0) as u16))
        .collect();
    let mut q = ChannelQuality::new(CHANNELS, RATE, Mains::Hz50);
    let mut i = 0u64;
    let mut group = c.benchmark_group("quality");
    group.throughput(Throughput::Elements((CHANNELS * second.len()) as u64));
    group.bench_function("6ch_1s", |b| {
        b.iter(|| {
            let mut changed = false;
            for codes in &second {
                changed |= q.push(i as f64 / RATE, codes);
                i += 1;
            }
            black_box(changed)
        });
    });
    group.finish();
}

/// Frames per second of the window the UI benchmarks stand for.
const FPS: u64 = 60;

/// A live viewer in a headless harness, fed as eegreader would feed it.
struct LiveUi {
    harness: Harness<'static, Viewer>,
    tx: Sender<Batch>,
    /// Index of the next sample to send.
    next: u64,
    /// Index of the first sample sent by a live frame.
    live_from: u64,
    /// Live frames run.
    frames: u64,
}

impl LiveUi {
    /// `filled_s` seconds of stream already taken, `window_s` shown, the spectrum panel open
    /// or not.
    fn new(filled_s: f64, window_s: f64, spectrum: bool) -> Self {
        let (tx, rx) = reader::channel();
        let mut viewer = Viewer::with_receiver(rx, HistoryConfig::DEFAULT_SECONDS);
        viewer.view_mut().window_s = window_s;
        viewer.view_mut().show_spectrum = spectrum;
        let harness = Harness::builder()
            .with_size([1280.0, 800.0])
            .with_step_dt(1.0 / FPS as f32)
            .build_ui_state(
                |ui, viewer: &mut Viewer| {
                    viewer.logic_step(ui.ctx());
                    viewer.show(ui);
                },
                viewer,
            );
        let mut ui = Self {
            harness,
            tx,
            next: 0,
            live_from: 0,
            frames: 0,
        };
        let total = (filled_s * RATE) as u64;
        while ui.next < total {
            let to = (ui.next + 10 * RATE as u64).min(total);
            ui.send(to);
            while ui.harness.state().session().counters().packets < to {
                ui.harness.step();
            }
        }
        ui.live_from = ui.next;
        ui
    }

    /// Sends samples up to index `to` (exclusive) as one batch.
    fn send(&mut self, to: u64) {
        let samples: Vec<Sample> = (self.next..to).map(sample).collect();
        self.next = to;
        let batch = Batch {
            lines: samples.len() as u64,
            samples,
            ..Batch::default()
        };
        self.tx.send(batch).expect("the viewer holds the receiver");
    }

    /// One frame: a 60th of a second of new samples, then logic and layout.
    fn frame(&mut self) {
        self.frames += 1;
        // 4 or 5 samples: 256 Hz over 60 frames a second.
        self.send(self.live_from + self.frames * RATE as u64 / FPS);
        self.harness.step();
    }
}

/// Sample `i` of the stream: [`eeg`] on every channel as 10-bit codes, on the libeeg clock.
fn sample(i: u64) -> Sample {
    Sample {
        timestamp_us: 1_700_000_000_000_000 + (i as f64 * 1e6 / RATE) as i64,
        sample_index: Some(i),
        frame: (i % 256) as u8,
        values: std::array::from_fn(|ch| eeg(ch, i as usize).round().clamp(0.0, 1023.0) as u16),
        switches: 15,
    }
}

fn ui_frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("ui_frame");
    for (name, filled_s, window_s, spectrum) in [
        ("30s_history_30s_window_spectrum", 30.0, 30.0, true),
        ("30s_history_30s_window_no_spectrum", 30.0, 30.0, false),
        ("600s_history_60s_window_spectrum", 610.0, 60.0, true),
    ] {
        let mut ui = LiveUi::new(filled_s, window_s, spectrum);
        let spectra = |ui: &LiveUi| {
            ui.harness
                .state()
                .spectrum_panel()
                .spectra()
                .recomputations()
        };
        let before = spectra(&ui);
        group.bench_function(name, |b| b.iter(|| ui.frame()));
        // The spectra were computed 8 times a second of the harness clock, not every frame.
        let computed = spectra(&ui) - before;
        let expected = if spectrum { ui.frames / 8 } else { 0 };
        assert!(
            computed.abs_diff(expected) <= 2,
            "{computed} spectra in {} frames",
            ui.frames
        );
        let history = ui.harness.state().session().history();
        assert!(history.len() as f64 >= filled_s.min(600.0) * RATE);
    }
    group.finish();
}

fn main() {
    // What `criterion_group!`/`criterion_main!` expand to, written out so the bench crate has
    // no undocumented public items.
    let mut criterion = Criterion::default().configure_from_args();
    decimate(&mut criterion);
    filter(&mut criterion);
    spectrum(&mut criterion);
    frame(&mut criterion);
    ring(&mut criterion);
    quality(&mut criterion);
    ui_frame(&mut criterion);
    criterion.final_summary();
}
