//! `eegreader --lsl`: a pylsl inlet on loopback receives every sample the reader writes to
//! standard output, in order, in microvolts, at the clock model's times, and the lost-packet
//! and restart events on the marker stream; the stream declares the rate measured from the
//! device, not the nominal one.
//!
//! Needs Python with pylsl (`EEG_PYTHON`) and liblsl (`LSL_LIB`); `.ci/run` sets both up.
//! Without them the tests say so and pass.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Pty, Running, restarting_board};

/// Python with pylsl and a loopback-only LSL config file in `dir`; `None` (said on stderr)
/// without them.
fn lsl_environment(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let (Some(python), true) = (
        std::env::var_os("EEG_PYTHON"),
        std::env::var_os("LSL_LIB").is_some(),
    ) else {
        eprintln!(
            "skipped: set EEG_PYTHON (a Python with pylsl) and LSL_LIB (liblsl's path) to run the LSL tests"
        );
        return None;
    };
    // Loopback only, and a session id of our own, so that no other LSL program on this
    // machine or network sees these streams or is seen.
    let config = dir.join("lsl_api.cfg");
    std::fs::write(
        &config,
        format!(
            "[ports]\nIPv6 = disable\n[multicast]\nResolveScope = machine\n\
             [lab]\nKnownPeers = {{127.0.0.1}}\nSessionID = eegreader-test-{}\n",
            std::process::id()
        ),
    )
    .unwrap();
    Some((PathBuf::from(python), config))
}

/// What the Python inlet received.
struct Received {
    offset_s: f64,
    /// The data stream's declared (nominal) rate.
    rate_hz: f64,
    samples: Vec<(f64, [f64; 6])>,
    markers: Vec<(f64, String)>,
}

/// One line of the reader's text output: (timestamp_us, codes).
fn reader_samples(stdout: &str) -> Vec<(i64, [u16; 6])> {
    stdout
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('|').collect();
            assert_eq!(fields.len(), 10, "{line}");
            let codes = std::array::from_fn(|i| fields[3 + i].parse().unwrap());
            (fields[0].parse().unwrap(), codes)
        })
        .collect()
}

/// Starts the Python inlet for the streams `name` with the LSL `config`.
fn start_inlet(python: &Path, config: &Path, name: &str) -> Child {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsl/inlet.py");
    Command::new(python)
        .arg(script)
        .arg(name)
        .env("LSLAPICFG", config)
        .stdout(Stdio::piped())
        .spawn()
        .expect("EEG_PYTHON runs")
}

/// Runs the reader with `args` publishing `name`, with the Python inlet subscribed first.
fn run(args: &[&str], name: &str) -> Option<(String, Received)> {
    let dir = tempfile::tempdir().unwrap();
    let (python, config) = lsl_environment(dir.path())?;
    let inlet = start_inlet(&python, &config, name);
    let reader = Command::new(env!("CARGO_BIN_EXE_eegreader"))
        .args(args)
        .args(["--lsl", name, "--lsl-wait", "20"])
        .env("LSLAPICFG", &config)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(reader.status.success());
    Some((String::from_utf8(reader.stdout).unwrap(), received(inlet)))
}

/// What the inlet printed, once it has ended.
fn received(mut inlet: Child) -> Received {
    let mut lines = BufReader::new(inlet.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let mut received = Received {
        offset_s: f64::NAN,
        rate_hz: f64::NAN,
        samples: Vec::new(),
        markers: Vec::new(),
    };
    for line in lines {
        let line = line.unwrap();
        let mut words = line.splitn(3, ' ');
        let (kind, time, rest) = (
            words.next().unwrap(),
            words.next().unwrap().parse::<f64>().unwrap(),
            words.next().unwrap_or(""),
        );
        match kind {
            "offset" => received.offset_s = time,
            "rate" => received.rate_hz = time,
            "sample" => {
                let values: Vec<f64> = rest.split(' ').map(|v| v.parse().unwrap()).collect();
                received
                    .samples
                    .push((time, values.try_into().expect("six values")));
            }
            "marker" => received.markers.push((time, rest.to_string())),
            _ => panic!("unexpected line from the inlet: {line}"),
        }
    }
    assert!(inlet.wait().unwrap().success());
    received
}

/// Every sample of standard output arrived over LSL, in order, with the same microvolts and
/// the same time (within 1 ms); returns the time differences in microseconds.
fn assert_same_samples(stdout: &str, received: &Received) -> Vec<f64> {
    let written = reader_samples(stdout);
    assert!(written.len() > 500, "{} samples", written.len());
    assert_eq!(received.samples.len(), written.len(), "samples received");
    let mut differences = Vec::new();
    for (n, ((timestamp_us, codes), (lsl_time, values))) in
        written.iter().zip(&received.samples).enumerate()
    {
        let microvolts = codes.map(|code| (f64::from(code) - 512.0) * 0.5);
        assert_eq!(*values, microvolts, "sample {n}");
        let wall_us = (lsl_time + received.offset_s) * 1e6;
        differences.push(wall_us - *timestamp_us as f64);
    }
    let mut magnitudes: Vec<f64> = differences.iter().map(|d| d.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let worst = magnitudes[magnitudes.len() - 1];
    let median = magnitudes[magnitudes.len() / 2];
    eprintln!(
        "LSL timestamps vs the reader's: worst {worst:.1} us, median {median:.1} us over {} samples",
        magnitudes.len()
    );
    assert!(worst < 1000.0, "worst timestamp difference {worst} us");
    differences
}

#[test]
fn simulator_samples_arrive_over_lsl_at_the_clock_models_times() {
    let name = format!("eegreader-test-sim-{}", std::process::id());
    let Some((stdout, received)) = run(&["--simulate", "--duration", "3"], &name) else {
        return;
    };
    assert_same_samples(&stdout, &received);
    assert!(received.markers.is_empty(), "{:?}", received.markers);
    // The simulator sends at the nominal rate, and that is what the stream declares.
    assert!(
        (received.rate_hz - 256.0).abs() < 0.5,
        "{}",
        received.rate_hz
    );
}

#[test]
fn lost_packets_arrive_on_the_marker_stream() {
    let name = format!("eegreader-test-faults-{}", std::process::id());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/p2_damaged.bin");
    let fixture = fixture.to_str().unwrap();
    let Some((stdout, received)) = run(&["--replay", fixture, "--realtime"], &name) else {
        return;
    };
    assert_same_samples(&stdout, &received);
    // Each "# lost N packets at sample I (timestamp_us=T)" line has its marker, at time T.
    let lost: Vec<(u64, u64, i64)> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("# lost "))
        .map(|rest| {
            let words: Vec<&str> = rest.split(' ').collect();
            let time = words[5]
                .trim_start_matches("(timestamp_us=")
                .trim_end_matches(')');
            (
                words[0].parse().unwrap(),
                words[4].parse().unwrap(),
                time.parse().unwrap(),
            )
        })
        .collect();
    assert!(!lost.is_empty(), "the fixture has lost packets");
    let markers: Vec<(u64, u64, f64)> = received
        .markers
        .iter()
        .filter_map(|(time, text)| {
            let rest = text.strip_prefix("lost count=")?;
            let (count, first) = rest.split_once(" first_sample_index=")?;
            let wall_us = (time + received.offset_s) * 1e6;
            Some((count.parse().unwrap(), first.parse().unwrap(), wall_us))
        })
        .collect();
    assert_eq!(markers.len(), lost.len(), "{markers:?}");
    for ((count, first, wall_us), (lost_count, lost_first, timestamp_us)) in
        markers.iter().zip(&lost)
    {
        assert_eq!((count, first), (lost_count, lost_first));
        assert!(
            (wall_us - *timestamp_us as f64).abs() < 1000.0,
            "lost at {first}"
        );
    }
}

#[test]
fn a_board_is_declared_at_its_measured_rate_and_its_restart_is_a_marker() {
    // A ModularEEG's timer gives 257.14 Hz where 256 is nominal.
    const RATE: f64 = 1_800_000.0 / 7_000.0;
    let name = format!("eegreader-test-restart-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let Some((python, config)) = lsl_environment(dir.path()) else {
        return;
    };
    let inlet = start_inlet(&python, &config, &name);
    // 8 s, restarting (with the reset signal) at about 6 s.
    let packets = restarting_board(1500, 40, 517);
    let pty = Pty::new();
    let mut command = common::reader();
    command
        .args(["-l", &pty.path, "--exit-on-disconnect"])
        .args(["--lsl", &name, "--lsl-wait", "20"])
        .env("LSLAPICFG", &config);
    let mut run = Running::start(command);
    pty.wait_until_read_by(run.pid());
    let Pty { mut master, .. } = pty;
    let start = Instant::now();
    // Four packets at a time, as a USB adapter delivers them.
    for (i, chunk) in packets.chunks(4).enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 * 4.0 / RATE);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        std::io::Write::write_all(&mut master, &chunk.concat()).unwrap();
    }
    assert!(run.stdout().wait_for_data_lines(packets.len() - 1));
    drop(master);
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    let received = received(inlet);

    assert!(
        (received.rate_hz - RATE).abs() < 0.1,
        "declared {} Hz; stderr:\n{stderr}",
        received.rate_hz
    );
    let stdout = run.stdout().text();
    assert_same_samples(&stdout, &received);
    // The restart line's marker, at the time of the first packet after it.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("# restart at sample 1500: counter 219 -> 0, reset-signal"))
        .unwrap_or_else(|| panic!("no restart line:\n{stdout}"));
    let timestamp_us: f64 = line
        .rsplit_once("(timestamp_us=")
        .and_then(|(_, t)| t.strip_suffix(')'))
        .and_then(|t| t.parse().ok())
        .unwrap();
    let restarts: Vec<f64> = received
        .markers
        .iter()
        .filter(|(_, text)| {
            text == "restart sample_index=1500 previous_counter=219 counter=0 evidence=reset-signal"
        })
        .map(|(time, _)| (time + received.offset_s) * 1e6)
        .collect();
    assert_eq!(restarts.len(), 1, "{:?}", received.markers);
    assert!((restarts[0] - timestamp_us).abs() < 1000.0);
    assert!(
        !received.markers.iter().any(|(_, m)| m.starts_with("lost")),
        "{:?}",
        received.markers
    );
}
