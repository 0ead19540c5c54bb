//! Headless UI tests (egui_kittest, no display, no GPU): batches go in through the same
//! channel the ingest thread uses, frames run, and the window is checked by label and state.

use crossbeam_channel::Sender;
use eegviewer::app::Viewer;
use eegviewer::ingest::item::{Batch, Marker, MarkerAt, Sample};
use eegviewer::ingest::reader;
use eegviewer::signal::spectrum::EegBand;
use egui::accesskit::Toggled;
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
    let gap = harness.get_by_label_contains("7 lost");
    assert!(gap.accesskit_node().label().unwrap().starts_with("0:01.2"));
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
