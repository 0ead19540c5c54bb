//! Headless UI tests (egui_kittest, no display, no GPU): batches go in through the same
//! channel the ingest thread uses, frames run, and the window is checked by label and state.

use crossbeam_channel::Sender;
use eegviewer::app::Viewer;
use eegviewer::app::shortcuts::SHORTCUTS;
use eegviewer::app::time_layout::{TimeLayout, TimeMode};
use eegviewer::ingest::item::{Batch, Marker, MarkerAt, Sample};
use eegviewer::ingest::reader;
use eegviewer::signal::spectrum::EegBand;
use egui::accesskit::Toggled;
use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

const RATE: f64 = 256.0;
const START_US: i64 = 1_700_000_000_000_000;

/// Samples `from..to` of a 10 Hz sine on every channel.
fn samples(from: u64, to: u64) -> Vec<Sample> {
    (from..to)
        .map(|i| {
            let t = i as f64 / RATE;
            let v = (512.0 + 100.0 * (2.0 * std::f64::consts::PI * 10.0 * t).sin()) as u16;
            Sample {
                timestamp_us: START_US + (t * 1e6) as i64,
                sample_index: Some(i),
                frame: (i % 256) as u8,
                values: [v; 6],
                switches: 15,
            }
        })
        .collect()
}

fn batch(from: u64, to: u64) -> Batch {
    let samples = samples(from, to);
    Batch {
        lines: samples.len() as u64,
        samples,
        ..Batch::default()
    }
}

/// A viewer fed by a channel, in a harness that runs `logic` then `ui` each frame.
fn live() -> (Harness<'static, Viewer>, Sender<Batch>) {
    let (tx, rx) = reader::channel();
    let viewer = Viewer::with_receiver(rx, 600.0);
    let harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, viewer: &mut Viewer| {
                viewer.logic_step(ui.ctx());
                viewer.show(ui);
            },
            viewer,
        );
    (harness, tx)
}

#[test]
fn the_status_bar_counts_packets_lost_and_skipped_lines() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 300)).unwrap();
    let mut damaged = batch(305, 400);
    damaged.markers.push(MarkerAt {
        before_sample: 0,
        marker: Marker::Lost {
            count: 5,
            first_sample_index: 300,
            at_us: START_US,
        },
    });
    damaged.lines += 3;
    damaged.garbage_lines = 2;
    damaged.first_garbage = Some("hello".into());
    tx.send(damaged).unwrap();
    harness.run();
    harness.get_by_label("Packets: 395");
    harness.get_by_label("Lost: 5");
    harness.get_by_label("Skipped lines: 2");
    // Shown only once the device restarted.
    assert!(harness.query_by_label_contains("Restarts").is_none());
    assert_eq!(harness.state().session().counters().lines, 398);
}

#[test]
fn a_lost_marker_shows_a_gap_labelled_with_its_count() {
    let (mut harness, tx) = live();
    let mut b = batch(0, 600);
    b.samples
        .retain(|s| !(300..307).contains(&s.sample_index.unwrap()));
    b.markers.push(MarkerAt {
        before_sample: 300,
        marker: Marker::Lost {
            count: 7,
            first_sample_index: 300,
            at_us: START_US,
        },
    });
    tx.send(b).unwrap();
    harness.run();
    // Labelled on the top plot, and listed with its time.
    harness.get_by_label("7 lost");
    harness.get_by_label("0:01.2  7 lost");
    let gaps: Vec<_> = harness.state().session().gaps().cloned().collect();
    assert_eq!(gaps.len(), 1);
    assert!(gaps[0].end - gaps[0].start > 7.0 / RATE);
}

#[test]
fn a_channel_checkbox_hides_its_channel() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 512)).unwrap();
    harness.run();
    let checkbox = harness.get_by_label("Ch 3");
    assert_eq!(checkbox.accesskit_node().toggled(), Some(Toggled::True));
    checkbox.click();
    harness.run();
    assert_eq!(
        harness.get_by_label("Ch 3").accesskit_node().toggled(),
        Some(Toggled::False)
    );
    assert!(!harness.state().view().channels[2].visible);
    assert!(harness.state().view().channels[1].visible);

    harness.get_by_label("EEG-SMT").click();
    harness.run();
    let shown: Vec<bool> = harness
        .state()
        .view()
        .channels
        .iter()
        .map(|c| c.visible)
        .collect();
    assert_eq!(shown, [true, true, false, false, false, false]);
}

#[test]
fn pause_stops_the_view_while_data_keeps_arriving() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 15 * 256)).unwrap();
    harness.run();
    let before = harness.state().view().range;
    assert!(
        (before.1 - (15.0 * 256.0 - 1.0) / RATE).abs() < 0.01,
        "{before:?}"
    );

    harness.get_by_label("Pause").click();
    harness.run();
    let paused = harness.state().view().range;
    tx.send(batch(15 * 256, 20 * 256)).unwrap();
    harness.run();
    assert_eq!(harness.state().session().counters().packets, 20 * 256);
    assert_eq!(harness.state().view().range, paused);
    harness.get_by_label("Paused (data keeps arriving)");

    harness.get_by_label("Resume").click();
    harness.run();
    let live = harness.state().view().range;
    assert!(live.1 > paused.1 + 4.9, "{live:?} after {paused:?}");
}

#[test]
fn the_end_of_the_stream_leaves_the_data_on_screen() {
    let (mut harness, tx) = live();
    let mut last = batch(0, 256);
    last.markers.push(MarkerAt {
        before_sample: 256,
        marker: Marker::StreamEnded { error: None },
    });
    tx.send(last).unwrap();
    drop(tx);
    harness.run();
    harness.get_by_label("Stream ended");
    harness.get_by_label("Packets: 256");
    assert_eq!(harness.state().session().history().len(), 256);
}

#[test]
fn a_file_is_reviewed_from_its_start() {
    let batches = vec![batch(0, 60 * 256)];
    let viewer = Viewer::from_batches(batches);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, viewer: &mut Viewer| {
                viewer.logic_step(ui.ctx());
                viewer.show(ui);
            },
            viewer,
        );
    harness.run();
    assert_eq!(harness.state().session().counters().packets, 60 * 256);
    let range = harness.state().view().range;
    assert!(
        range.0.abs() < 0.01 && (range.1 - 10.0).abs() < 0.01,
        "{range:?}"
    );
    harness.get_by_label("Go to end").click();
    harness.run();
    assert!(harness.state().view().range.1 > 59.9);
}

/// `batch` with `marker` placed before its sample `before_sample`.
fn with_marker(mut batch: Batch, before_sample: usize, marker: Marker) -> Batch {
    batch.markers.push(MarkerAt {
        before_sample,
        marker,
    });
    batch
}

/// Clicks the plot named `plot` ("Ch 1 plot") at stream time `t`, with `modifiers`.
fn click_plot_at(harness: &mut Harness<'static, Viewer>, plot: &str, t: f64, modifiers: Modifiers) {
    let rect = harness.get_by_label(plot).rect();
    let (r0, r1) = harness.state().view().range;
    let pos = Pos2::new(
        rect.left() + ((t - r0) / (r1 - r0)) as f32 * rect.width(),
        rect.center().y,
    );
    harness.event(Event::PointerMoved(pos));
    harness.event(Event::ModifiersChanged(modifiers));
    for pressed in [true, false] {
        harness.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers,
        });
    }
    harness.event(Event::ModifiersChanged(Modifiers::NONE));
    harness.run();
}

#[test]
fn the_device_going_and_coming_back_shows_a_labelled_gap_and_mark() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 300)).unwrap();
    let gone = Marker::DeviceGone {
        at_us: START_US,
        reason: "unplugged".into(),
    };
    let back = Marker::DeviceBack {
        at_us: START_US,
        device: "/dev/ttyUSB0".into(),
    };
    // Two seconds without the device.
    tx.send(with_marker(with_marker(batch(812, 1200), 0, gone), 0, back))
        .unwrap();
    harness.run();
    // On the top plot, and in the events list with its time.
    harness.get_by_label("device gone");
    harness.get_by_label("device back");
    harness.get_by_label("0:01.2  device gone");
    harness.get_by_label("0:03.2  device back");
    let gaps: Vec<_> = harness.state().session().gaps().cloned().collect();
    assert_eq!(gaps.len(), 1);
    let marks: Vec<_> = harness.state().session().marks().cloned().collect();
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].t, gaps[0].end);
}

#[test]
fn a_resync_and_a_switch_press_show_as_marks() {
    let (mut harness, tx) = live();
    let resync = Marker::Resync { skipped_bytes: 12 };
    let press = Marker::SwitchChange {
        sample_index: 1500,
        previous: 15,
        current: 11,
    };
    tx.send(with_marker(
        with_marker(batch(0, 2000), 500, resync),
        1500,
        press,
    ))
    .unwrap();
    harness.run();
    harness.get_by_label("resync");
    harness.get_by_label("switch 3");
    // Listed newest first.
    let listed: Vec<String> = harness
        .get_all_by(|node| {
            node.label()
                .is_some_and(|l| l.ends_with("resync") || l.ends_with("switch 3"))
                && node.label().is_some_and(|l| l.contains(':'))
        })
        .map(|node| {
            node.accesskit_node()
                .label()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(listed, ["0:05.9  switch 3", "0:02.0  resync"]);
    // Clicking an entry brings it into view.
    harness.get_by_label("0:02.0  resync").click();
    harness.run();
    let range = harness.state().view().range;
    assert!(
        range.0 < 1.96 && range.1 > 1.96 && !harness.state().view().follow,
        "{range:?}"
    );
}

#[test]
fn a_restart_shows_as_a_mark_and_not_as_lost_data() {
    let (mut harness, tx) = live();
    let restart = Marker::Restart {
        sample_index: 768,
        at_us: START_US + 3_000_000,
        previous_counter: 255,
        counter: 0,
        evidence: "reset-signal".into(),
    };
    tx.send(with_marker(batch(0, 1500), 768, restart)).unwrap();
    harness.run();
    // On the top plot, and listed with its time; the tooltip says what it was.
    harness.get_by_label("restart");
    harness.get_by_label("0:03.0  restart");
    harness.get_by_label("Lost: 0");
    harness.get_by_label("Restarts: 1");
    let marks: Vec<_> = harness.state().session().marks().cloned().collect();
    assert_eq!(marks.len(), 1);
    assert_eq!(
        marks[0].detail(),
        "device restart: counter 255 -> 0 (reset signal), nothing lost"
    );
    assert_eq!(harness.state().session().gaps().count(), 0);
}

#[test]
fn the_sweep_toggle_sweeps_and_the_traces_still_show() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 15 * 256)).unwrap();
    harness.run();
    harness.get_by_label("Sweep").click();
    harness.run();
    let viewer = harness.state();
    assert_eq!(viewer.view().time_mode, TimeMode::Sweep);
    let Some(TimeLayout::Sweep { window, write }) = viewer.plots().layout() else {
        panic!("not sweeping: {:?}", viewer.plots().layout());
    };
    assert_eq!(window, 10.0);
    assert!(
        (write - (15.0 * 256.0 - 1.0) / RATE).abs() < 0.01,
        "{write}"
    );
    // The sweep being written and the rest of the previous one are both drawn.
    assert!(
        viewer.plots().points(0) > 1000,
        "{}",
        viewer.plots().points(0)
    );
    harness.get_by_label("Ch 1 plot");
    // M switches back.
    harness.key_press(Key::M);
    harness.run();
    assert_eq!(harness.state().view().time_mode, TimeMode::Scroll);
    assert!(matches!(
        harness.state().plots().layout(),
        Some(TimeLayout::Scroll { .. })
    ));
}

#[test]
fn the_help_lists_every_shortcut() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 256)).unwrap();
    harness.run();
    assert!(harness.query_by_label("Keyboard shortcuts").is_none());
    harness.key_press(Key::F1);
    harness.run();
    harness.get_by_label("Keyboard shortcuts");
    for (keys, action) in SHORTCUTS {
        harness.get_by_label(keys);
        harness.get_by_label(action);
    }
    harness.get_by_label("F");
    harness.get_by_label("Spectrum panel: power spectra and EEG band powers");
    harness.key_press(Key::Questionmark);
    harness.run();
    assert!(harness.query_by_label("Keyboard shortcuts").is_none());
    // The toolbar's button opens it too.
    harness.get_by_label("?").click();
    harness.run();
    harness.get_by_label("Keyboard shortcuts");
    assert!(harness.state().requests().help_open);
}

#[test]
fn cursors_read_the_samples_and_nothing_in_a_gap() {
    let (mut harness, tx) = live();
    // A constant 612 on every channel (50 µV at 0.5 µV per step), 12 s with 6.0-7.0 s lost.
    let constant = |mut b: Batch| {
        b.samples.iter_mut().for_each(|s| s.values = [612; 6]);
        b
    };
    tx.send(constant(batch(0, 1536))).unwrap();
    let lost = Marker::Lost {
        count: 256,
        first_sample_index: 1536,
        at_us: START_US,
    };
    tx.send(with_marker(constant(batch(1792, 12 * 256)), 0, lost))
        .unwrap();
    harness.run();
    // The high-pass would take the constant away.
    harness.get_by_label("High-pass 0.5 Hz").click();
    harness.run();
    click_plot_at(&mut harness, "Ch 1 plot", 4.0, Modifiers::NONE);
    let a = harness.state().view().cursors.a.expect("cursor A");
    assert!((a - 4.0).abs() < 0.02, "{a}");
    assert_eq!(harness.get_all_by_label("50.0").count(), 6);
    harness.get_by_label("Ch 1 (µV)");

    click_plot_at(&mut harness, "Ch 3 plot", 6.5, Modifiers::SHIFT);
    let b = harness.state().view().cursors.b.expect("cursor B");
    assert!((b - 6.5).abs() < 0.02, "{b}");
    // In the gap: no value, and no difference.
    assert_eq!(harness.get_all_by_label("no data").count(), 12);
    harness.get_by_label_contains("Δt 2.5");

    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.state().view().cursors.is_empty());
    assert!(harness.query_by_label("Cursor A").is_none());
}

#[test]
fn keys_change_the_window_and_scroll_back() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 30 * 256)).unwrap();
    harness.run();
    harness.key_press(Key::Minus);
    harness.run();
    assert_eq!(harness.state().view().window_s, 20.0);
    harness.key_press(Key::Plus);
    harness.key_press(Key::Plus);
    harness.run();
    assert_eq!(harness.state().view().window_s, 5.0);
    harness.key_press(Key::Space);
    harness.run();
    let paused = harness.state().view().range;
    harness.key_press(Key::ArrowLeft);
    harness.run();
    let back = harness.state().view().range;
    assert!(
        (paused.1 - back.1 - 1.25).abs() < 1e-6,
        "{paused:?} -> {back:?}"
    );
}

#[test]
fn the_screenshot_button_is_there() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 256)).unwrap();
    harness.run();
    // Taking one needs a renderer; eegviewer::app::snapshot's tests cover naming and failure.
    harness.get_by_label("Screenshot");
}

#[test]
fn the_spectrum_of_a_10_hz_sine_peaks_at_10_hz_and_names_alpha() {
    let (mut harness, tx) = live();
    harness.get_by_label("Spectrum").click();
    tx.send(batch(0, 4 * 256)).unwrap();
    harness.run();
    harness.get_by_label("Power spectrum");
    // One line per channel, each naming alpha and the 10 Hz peak.
    // A label keeps its text as the node's value.
    let strongest: Vec<String> = harness
        .query_all_by_label_contains("strongest")
        .filter_map(|n| n.accesskit_node().value())
        .collect();
    assert_eq!(strongest.len(), 6, "{strongest:?}");
    assert!(
        strongest.iter().all(|l| l.starts_with("alpha strongest (")),
        "{strongest:?}"
    );
    assert_eq!(harness.query_all_by_label("peak 10.0 Hz").count(), 6);
    // The numbers behind the labels: the peak within a bin of 10 Hz, alpha nearly all of it.
    let spectra = harness.state().spectrum_panel().spectra();
    for ch in 0..6 {
        let spectrum = spectra.spectrum(ch).expect("computed");
        let (hz, _) = spectrum.peak().expect("a peak");
        assert!(
            (hz - 10.0).abs() <= spectrum.bin_hz(),
            "channel {}: {hz} Hz",
            ch + 1
        );
        let bands = spectra.bands(ch).expect("computed");
        assert_eq!(bands.strongest(), EegBand::Alpha);
        assert!(bands.relative(EegBand::Alpha) > 0.9, "{bands:?}");
    }
}

#[test]
fn the_spectrum_toggle_and_its_key_show_and_hide_the_panel() {
    let (mut harness, tx) = live();
    tx.send(batch(0, 256)).unwrap();
    harness.run();
    assert!(
        harness.query_by_label("Power spectrum").is_none(),
        "closed at start"
    );
    assert!(!harness.state().view().show_spectrum);

    harness.get_by_label("Spectrum").click();
    harness.run();
    assert_eq!(
        harness.get_by_label("Spectrum").accesskit_node().toggled(),
        Some(Toggled::True)
    );
    harness.get_by_label("Power spectrum");
    // One second of a two-second spectrum so far.
    harness.get_by_label("Collecting data: 1.0 of 2.0 s");

    harness.get_by_label("Spectrum").click();
    harness.run();
    assert!(harness.query_by_label("Power spectrum").is_none());

    harness.key_press(egui::Key::F);
    harness.run();
    harness.get_by_label("Power spectrum");
    assert!(harness.state().view().show_spectrum);
    harness.key_press(egui::Key::F);
    harness.run();
    assert!(harness.query_by_label("Power spectrum").is_none());
}

#[test]
fn hiding_a_channel_takes_it_out_of_the_spectrum() {
    let (mut harness, tx) = live();
    harness.state_mut().view_mut().show_spectrum = true;
    tx.send(batch(0, 3 * 256)).unwrap();
    harness.run();
    assert_eq!(harness.query_all_by_label("peak 10.0 Hz").count(), 6);
    harness.get_by_label("EEG-SMT").click();
    harness.run();
    assert_eq!(harness.query_all_by_label("peak 10.0 Hz").count(), 2);
    assert!(
        harness
            .state()
            .spectrum_panel()
            .spectra()
            .spectrum(2)
            .is_none()
    );
}

#[test]
fn after_a_gap_the_spectrum_waits_for_unbroken_signal() {
    let (mut harness, tx) = live();
    harness.state_mut().view_mut().show_spectrum = true;
    let mut b = batch(0, 4 * 256);
    b.samples
        .retain(|s| !(900..905).contains(&s.sample_index.unwrap()));
    b.markers.push(MarkerAt {
        before_sample: 900,
        marker: Marker::Lost {
            count: 5,
            first_sample_index: 900,
            at_us: START_US,
        },
    });
    tx.send(b).unwrap();
    harness.run();
    // 119 samples since the gap: not a spectrum across it.
    harness.get_by_label("Waiting for 2.0 s without a gap: 0.5 s since the last");
    assert!(
        harness
            .state()
            .spectrum_panel()
            .spectra()
            .spectrum(0)
            .is_none()
    );
    tx.send(batch(4 * 256, 6 * 256)).unwrap();
    harness.run();
    assert_eq!(harness.query_all_by_label("peak 10.0 Hz").count(), 6);
}
