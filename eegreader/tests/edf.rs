//! EDF+ recordings read back by the readers people use, pyedflib and MNE-Python (through
//! `tests/read_edf.py`), and compared with the CSV recording of the same session: channels,
//! labels, rate, duration, every sample to a quantisation step, every annotation within a
//! sample. Also after `kill -9`.
//!
//! The Python interpreter comes from `EEG_PYTHON` (a venv with `pip install pyedflib mne`;
//! `.ci/run` makes one); without it these tests say so and pass without checking.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Running, data_lines, output, reader};

/// Microvolts per step of the default profile (modular-eeg).
const STEP_UV: f64 = 0.5;

/// The labels given on the command line, as every reader must show them.
const LABELS: [&str; 6] = ["Fp1", "Fp2", "C3", "C4", "P3", "EEG P4-A1"];

/// The interpreter that has pyedflib and MNE, or `None` (after saying so) to skip.
fn python() -> Option<PathBuf> {
    match std::env::var_os("EEG_PYTHON") {
        Some(python) if !python.is_empty() => Some(PathBuf::from(python)),
        _ => {
            eprintln!(
                "SKIPPED: EEG_PYTHON is not set, so the EDF files are not read with pyedflib and MNE. \
                 Set it to a Python with both: python3 -m venv v && v/bin/pip install pyedflib mne && \
                 EEG_PYTHON=$PWD/v/bin/python cargo test -p eegreader --test edf"
            );
            None
        }
    }
}

/// What one reader made of a file.
#[derive(Debug, Default)]
struct View {
    reader: String,
    labels: Vec<String>,
    rate: f64,
    duration: f64,
    /// Microvolts, per channel.
    samples: Vec<Vec<f64>>,
    /// (onset s, duration s (-1 or 0 for none), text).
    annotations: Vec<(f64, f64, String)>,
    warnings: Vec<String>,
}

/// The file as pyedflib and as MNE read it.
fn read_edf(python: &Path, path: &Path) -> Vec<View> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read_edf.py");
    let out = output(Command::new(python).arg(script).arg(path));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the readers failed on {}:\n{stderr}",
        path.display()
    );
    let mut views: Vec<View> = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        if key == "reader" {
            views.push(View {
                reader: rest.to_owned(),
                ..View::default()
            });
            continue;
        }
        let view = views.last_mut().expect("a reader line first");
        match key {
            "channels" => {}
            "label" => view.labels.push(rest.to_owned()),
            "rate" => view.rate = rest.parse().unwrap(),
            "duration" => view.duration = rest.parse().unwrap(),
            "samples" => {
                let values = rest.split(' ').skip(1).map(|v| v.parse().unwrap());
                view.samples.push(values.collect());
            }
            "annotation" => {
                let mut fields = rest.splitn(3, '\t');
                let mut number = || fields.next().unwrap().parse::<f64>().unwrap();
                let (onset, duration) = (number(), number());
                let text = fields.next().unwrap_or("").to_owned();
                view.annotations.push((onset, duration, text));
            }
            "warning" => view.warnings.push(rest.to_owned()),
            other => panic!("unexpected line from read_edf.py: {other} {rest}"),
        }
    }
    assert_eq!(
        views.iter().map(|v| v.reader.as_str()).collect::<Vec<_>>(),
        ["pyedflib", "mne"]
    );
    views
}

/// What the file must hold, by sample index, derived from the CSV recording of the session.
#[derive(Debug, Default)]
struct Expected {
    /// Codes by sample index; lost samples are mid-scale.
    codes: Vec<[u16; 6]>,
    /// (onset, duration in samples, text).
    annotations: Vec<(u64, Option<u64>, String)>,
    estimated_rate: Option<f64>,
}

fn expected_from_csv(path: &Path) -> Expected {
    let text = std::fs::read_to_string(path).unwrap();
    let mut csv = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut expected = Expected::default();
    // The decoder takes the switches as idle (none pressed) before the first packet.
    let mut switches: u8 = 0x0F;
    for row in csv.records() {
        let row = row.unwrap();
        let next = expected.codes.len() as u64;
        let int = |i: usize| row[i].parse::<u64>().unwrap();
        match &row[0] {
            "packet" => {
                assert_eq!(int(1), next, "packets and gaps account for every index");
                expected
                    .codes
                    .push(std::array::from_fn(|c| int(4 + c) as u16));
                let now = int(16) as u8;
                expected
                    .annotations
                    .extend(switch_changes(next, switches, now));
                switches = now;
            }
            "gap" => {
                let lost = int(17);
                let plural = if lost == 1 { "" } else { "s" };
                let text = format!("BAD_ACQ_SKIP lost {lost} packet{plural}");
                expected.annotations.push((next, Some(lost), text));
                expected
                    .codes
                    .extend(std::iter::repeat_n([512; 6], lost as usize));
            }
            "resync" => {
                let skipped = row[18].strip_prefix("skipped_bytes=").unwrap();
                let text = format!("resync after {skipped} skipped bytes");
                expected.annotations.push((next, None, text));
            }
            "restart" => {
                // No loss: the packet row after it has its sample index.
                assert_eq!(int(1), next);
                let (previous, evidence) = row[18]
                    .strip_prefix("previous_counter=")
                    .and_then(|d| d.split_once(" evidence="))
                    .unwrap();
                let evidence = evidence.replace('-', " ");
                let text = format!(
                    "device restart ({evidence}): counter {previous} -> {}",
                    int(3)
                );
                expected.annotations.push((next, None, text));
            }
            _ => {}
        }
    }
    expected.estimated_rate = text
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("# estimated_rate_hz="))
        .and_then(|r| r.parse().ok());
    expected
}

/// The annotations of the switches that changed from `before` to `now` at sample `at`.
fn switch_changes(at: u64, before: u8, now: u8) -> Vec<(u64, Option<u64>, String)> {
    (0..4)
        .filter(|bit| (before ^ now) & (1 << bit) != 0)
        .map(|bit| {
            let state = if now & (1 << bit) == 0 {
                "pressed"
            } else {
                "released"
            };
            let text = format!("switch {} (PD{}) {state}", bit + 1, bit + 2);
            (at, None, text)
        })
        .collect()
}

/// The padding after the last sample to the end of its 1 s record, as the file annotates it.
fn add_padding(expected: &mut Expected, per_record: u64) {
    let n = expected.codes.len() as u64;
    let padded = n.div_ceil(per_record) * per_record;
    if padded > n {
        expected.annotations.push((
            n,
            Some(padded - n),
            "BAD_ACQ_SKIP no data: padding after the last sample".to_owned(),
        ));
        expected
            .codes
            .extend(std::iter::repeat_n([512; 6], (padded - n) as usize));
    }
}

/// Checks one reader's view against `expected` at `rate` Hz.
fn check(view: &View, expected: &Expected, rate: f64) {
    let who = &view.reader;
    assert_eq!(view.labels, LABELS, "{who}: labels");
    assert!(
        (view.rate - rate).abs() < rate * 2e-6,
        "{who}: rate {} instead of {rate}",
        view.rate
    );
    let n = expected.codes.len();
    let duration = n as f64 / rate;
    assert!(
        (view.duration - duration).abs() < 1e-3,
        "{who}: duration {} instead of {duration}",
        view.duration
    );
    assert_eq!(view.samples.len(), 6, "{who}: channels");
    let mut worst: f64 = 0.0;
    for (channel, values) in view.samples.iter().enumerate() {
        assert_eq!(values.len(), n, "{who}: samples of channel {channel}");
        for (i, (value, codes)) in values.iter().zip(&expected.codes).enumerate() {
            let uv = (f64::from(codes[channel]) - 512.0) * STEP_UV;
            let error = (value - uv).abs();
            assert!(
                error <= STEP_UV,
                "{who}: channel {channel} sample {i} is {value} uV, recorded {uv} uV"
            );
            worst = worst.max(error);
        }
    }
    // Every annotation is there once, within one sample, and nothing else.
    let period = 1.0 / rate;
    let mut found = view.annotations.clone();
    for (onset, samples, text) in &expected.annotations {
        let at = *onset as f64 * period;
        let position = found.iter().position(|(o, d, t)| {
            let length_ok = match samples {
                // MNE shortens an annotation reaching past the last sample by that sample.
                Some(s) => (d - *s as f64 * period).abs() <= period * 1.01,
                None => *d <= 0.0,
            };
            t == text && (o - at).abs() <= period && length_ok
        });
        let position = position.unwrap_or_else(|| {
            panic!(
                "{who}: no annotation '{text}' at {at} s (sample {onset}, {samples:?} samples); the file has {:?}",
                view.annotations
            )
        });
        found.remove(position);
    }
    assert!(found.is_empty(), "{who}: unexpected annotations {found:?}");
    eprintln!(
        "{who}: {} channels {:?} at {} Hz, {} s, {} samples per channel (largest error {worst} uV), {} annotations, warnings: {:?}",
        view.samples.len(),
        view.labels,
        view.rate,
        view.duration,
        n,
        view.annotations.len(),
        view.warnings
    );
}

/// Runs the reader with `args`, recording EDF and CSV; returns their paths.
fn record(dir: &Path, args: &[&str]) -> (PathBuf, PathBuf, String) {
    let (edf, csv) = (dir.join("s.edf"), dir.join("s.csv"));
    let out = output(
        reader()
            .args(args)
            .arg("--labels")
            .arg(LABELS.join(","))
            .arg("--record-edf")
            .arg(&edf)
            .arg("--record-csv")
            .arg(&csv),
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{}\n{stderr}", out.status);
    common::assert_no_panic(&stderr);
    (edf, csv, stderr)
}

/// The capture `fixtures/<name>.bin`, as a command-line argument.
fn fixture(name: &str) -> String {
    common::fixture(name).display().to_string()
}

#[test]
fn a_clean_replay_with_switch_presses() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (edf, csv, _) = record(
        dir.path(),
        &["--replay", &fixture("p2_counter_wrap_and_switches")],
    );
    let mut expected = expected_from_csv(&csv);
    assert_eq!(expected.codes.len(), 700);
    let presses = expected.annotations.len();
    assert!(presses >= 7, "{:?}", expected.annotations);
    add_padding(&mut expected, 256);
    // A replay has no arrival times: the estimate is the nominal 256 Hz.
    for view in read_edf(&python, &edf) {
        check(&view, &expected, 256.0);
    }
}

#[test]
fn a_damaged_replay_keeps_time_through_losses_and_resyncs() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (edf, csv, _) = record(dir.path(), &["--replay", &fixture("p2_damaged")]);
    let mut expected = expected_from_csv(&csv);
    let count = |prefix: &str| {
        expected
            .annotations
            .iter()
            .filter(|a| a.2.starts_with(prefix))
            .count()
    };
    assert!(count("BAD_ACQ_SKIP lost") > 5 && count("resync") > 5);
    // packets + lost = 700, as the fixture's transcript says.
    assert_eq!(expected.codes.len(), 700);
    add_padding(&mut expected, 256);
    for view in read_edf(&python, &edf) {
        check(&view, &expected, 256.0);
    }
}

#[test]
fn a_restart_is_an_annotation_at_its_first_packet_and_no_gap() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("restart.bin");
    std::fs::write(&capture, common::restarting_board(300, 40, 200).concat()).unwrap();
    let (edf, csv, _) = record(dir.path(), &["--replay", capture.to_str().unwrap()]);
    let mut expected = expected_from_csv(&csv);
    // Every packet in a row: nothing filled.
    assert_eq!(expected.codes.len(), 540);
    let restart = (
        300,
        None,
        "device restart (reset signal): counter 43 -> 0".to_owned(),
    );
    assert!(
        expected.annotations.contains(&restart),
        "{:?}",
        expected.annotations
    );
    add_padding(&mut expected, 256);
    for view in read_edf(&python, &edf) {
        check(&view, &expected, 256.0);
    }
}

#[test]
fn a_faulty_live_session_carries_the_estimated_rate() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (edf, csv, _) = record(
        dir.path(),
        &["--simulate", "--faults", "--seed", "3", "--duration", "3"],
    );
    let mut expected = expected_from_csv(&csv);
    let rate = expected
        .estimated_rate
        .expect("a finished CSV has the rate");
    add_padding(&mut expected, 256);
    // The record duration holds the estimate to 8 characters: 256 / rate, rounded.
    let header = std::fs::read(&edf).unwrap();
    let duration: f64 = String::from_utf8_lossy(&header[244..252])
        .trim()
        .parse()
        .unwrap();
    assert!(
        (duration - 256.0 / rate).abs() <= 5e-7,
        "{duration} s per record at {rate} Hz"
    );
    for view in read_edf(&python, &edf) {
        check(&view, &expected, 256.0 / duration);
    }
}

#[test]
fn after_kill_9_both_readers_open_the_file() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let edf = dir.path().join("killed.edf");
    let mut command = reader();
    command
        .args(["--simulate", "--seed", "9", "--labels"])
        .arg(LABELS.join(","))
        .arg("--record-edf")
        .arg(&edf);
    let mut run = Running::start(command);
    // 2.5 s of signal: flushed at least twice.
    assert!(
        run.stdout().wait_for_data_lines(640),
        "stderr:\n{}",
        run.stderr.text()
    );
    run.signal("KILL");
    assert!(!run.wait().success());
    let shown = data_lines(&run.stdout().lines());

    let views = read_edf(&python, &edf);
    // The samples up to the padding are the session's first packets; the padding is
    // annotated; the header still has the nominal rate.
    let padding = views[0]
        .annotations
        .iter()
        .find(|a| a.2.starts_with("BAD_ACQ_SKIP no data"))
        .map(|a| (a.0 * 256.0).round() as usize);
    let kept = padding.unwrap_or(views[0].samples[0].len());
    // At most the last second is lost; one more for a machine too busy to keep time.
    assert!(
        kept + 2 * 256 >= shown.len() && kept <= shown.len(),
        "the file kept {kept} of {} packets",
        shown.len()
    );
    let mut expected = Expected {
        codes: shown[..kept].iter().map(|l| l.channels).collect(),
        ..Expected::default()
    };
    for (i, pair) in shown[..kept].windows(2).enumerate() {
        let changes = switch_changes(i as u64 + 1, pair[0].switches, pair[1].switches);
        expected.annotations.extend(changes);
    }
    add_padding(&mut expected, 256);
    for view in &views {
        check(view, &expected, 256.0);
    }
    eprintln!("kill -9 after {} packets: EDF kept {kept}", shown.len());
}

#[test]
fn labels_that_edf_cannot_hold_are_refused_at_start() {
    let out = output(reader().args([
        "--simulate",
        "--labels",
        "Fp1,a-label-of-17-chars",
        "--record-edf",
        "/nonexistent/never-created.edf",
    ]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("'a-label-of-17-chars' (channel 2) is not a label of at most 16")
            && stderr.contains("shorten it"),
        "{stderr}"
    );
}

#[test]
fn an_unwritable_path_says_how_to_fix_it() {
    let out = output(reader().args(["--simulate", "--record-edf", "/nonexistent-directory/s.edf"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("cannot create EDF file /nonexistent-directory/s.edf: ")
            && stderr.contains("the directory /nonexistent-directory does not exist"),
        "{stderr}"
    );
}

#[test]
fn a_converted_capture_reads_as_its_replay_recording() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let capture = fixture("p2_damaged");
    let (_, csv, _) = record(dir.path(), &["--replay", &capture]);
    let converted = dir.path().join("converted.edf");
    let out = output(
        reader()
            .args(["convert", &capture])
            .arg(&converted)
            .arg("--labels")
            .arg(LABELS.join(",")),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}\n{stderr}", out.status);
    common::assert_no_panic(&stderr);
    let mut expected = expected_from_csv(&csv);
    add_padding(&mut expected, 256);
    for view in read_edf(&python, &converted) {
        check(&view, &expected, 256.0);
    }
}
