//! A replay is the live session again: a device played through a pseudo-terminal in 16 ms
//! bursts, with damage and a restart, is recorded with `--record-raw`, and `--replay` and
//! `convert` of the recording print every line the live session printed, timestamps included.
#![cfg(unix)]

mod common;
#[path = "common/json.rs"]
mod json;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use common::{Pty, Running, assert_no_panic, data_lines, output, reader, summary};
use libeeg::encode::encode_p2;

/// How the device's bytes reach the host: a burst every 16 ms (an FTDI adapter's default
/// latency timer), and a pause while the board restarts.
struct Device {
    /// (bytes of one burst, pause after it).
    bursts: Vec<(Vec<u8>, Duration)>,
    /// Packets that decode intact, for knowing when the reader has them all.
    packets: usize,
}

const BURST: Duration = Duration::from_millis(16);
/// 16 ms of a 256 Hz P2 stream.
const BURST_BYTES: usize = 4 * 17;

/// Channel codes that vary from packet to packet and channel to channel.
fn samples(i: usize) -> [u16; 6] {
    std::array::from_fn(|ch| (512 + (i * 37 + ch * 101) % 401 - 200) as u16)
}

/// 600 packets (counters 1..) with junk text inside and one packet missing; then a restart: the
/// last packet cut short, boot noise, a 300 ms pause, 50 packets of the reset signal (counter 0,
/// every channel 512, switches 0x02) and 400 packets counting 1, 2, 3, ... again.
fn restarting_device() -> Device {
    let mut before = Vec::new();
    for i in 0..600 {
        match i {
            // Lost in transport: the counter jumps by two.
            300 => continue,
            150 => before.extend_from_slice(b"Reset signal logged.\r\n"),
            _ => {}
        }
        encode_p2((i + 1) as u8, &samples(i), 0x01, &mut before);
    }
    let mut cut = Vec::new();
    encode_p2(89, &samples(600), 0x01, &mut cut);
    cut.truncate(9);
    cut.extend_from_slice(&[
        0x00, 0xFF, 0xF8, 0x1C, 0x80, 0x00, 0xE0, 0x0A, 0xFE, 0x00, 0x11, 0x00, 0xA5, 0x5A, 0x30,
        0x42, 0xFF, 0x00, 0x06, 0x80,
    ]);
    let mut after = Vec::new();
    for _ in 0..50 {
        encode_p2(0, &[512; 6], 0x02, &mut after);
    }
    for i in 1..=400 {
        encode_p2(i as u8, &samples(1000 + i), 0x01, &mut after);
    }
    let mut bursts: Vec<(Vec<u8>, Duration)> = before
        .chunks(BURST_BYTES)
        .map(|b| (b.to_vec(), BURST))
        .collect();
    bursts.push((cut, Duration::from_millis(300)));
    bursts.extend(after.chunks(BURST_BYTES).map(|b| (b.to_vec(), BURST)));
    Device {
        bursts,
        packets: 599 + 450,
    }
}

/// A live session: what the reader printed and its stderr, and where it recorded.
struct Live {
    stdout: Vec<String>,
    stderr: String,
    capture: PathBuf,
}

/// Plays `device` to `eegreader -l PTY --record-raw CAPTURE ARGS`, and hangs up once the
/// reader has printed every packet.
fn live(device: &Device, dir: &Path, args: &[&str]) -> Live {
    let capture = dir.join("session.bin");
    let mut pty = Pty::new();
    let mut command = reader();
    command
        .args(["-l", &pty.path, "--exit-on-disconnect", "--record-raw"])
        .arg(&capture)
        .args(args);
    let mut run = Running::start(command);
    pty.wait_until_read_by(run.pid());

    let mut due = Instant::now();
    for (bytes, pause) in &device.bursts {
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        pty.master.write_all(bytes).unwrap();
        due += *pause;
    }
    // A pty hang-up discards what was not read yet: wait for the last packet, which a read
    // timeout releases, and a little longer.
    let all = run
        .stdout()
        .wait_for(|lines| lines.iter().filter(|(_, l)| is_packet(l)).count() >= device.packets);
    thread::sleep(Duration::from_millis(300));
    drop(pty.master);
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(all, "not every packet arrived; stderr:\n{stderr}");
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    assert_no_panic(&stderr);
    Live {
        stdout: run.stdout().lines(),
        stderr,
        capture,
    }
}

/// A packet line in either format.
fn is_packet(line: &str) -> bool {
    !line.starts_with('#') && !line.contains("\"event\"")
}

/// Runs `eegreader ARGS` to the end: its stdout lines and stderr, failing on a failure.
fn run(args: &[&str]) -> (Vec<String>, String) {
    let out = output(reader().args(args));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {}\n{stderr}", out.status);
    assert_no_panic(&stderr);
    let stdout = String::from_utf8(out.stdout).unwrap();
    (stdout.lines().map(str::to_owned).collect(), stderr)
}

/// Asserts that `got` has exactly the lines of `live`, showing the first difference.
fn assert_same_lines(what: &str, live: &[String], got: &[String]) {
    if let Some(i) = (0..live.len().max(got.len())).find(|&i| live.get(i) != got.get(i)) {
        let around =
            |lines: &[String]| lines[i.saturating_sub(3)..(i + 3).min(lines.len())].join("\n");
        panic!(
            "{what} differs from the live session at line {} of {} (live) / {}:\nlive:\n{}\n{what}:\n{}",
            i + 1,
            live.len(),
            got.len(),
            around(live),
            around(got)
        );
    }
}

/// The summary fields a replay must repeat (not the source or the time it took).
fn counts(stderr: &str) -> Vec<(String, String)> {
    let fields = summary(stderr);
    [
        "packets",
        "lost",
        "resyncs",
        "restarts",
        "skipped_bytes",
        "refused",
        "bytes",
        "protocol",
        "rate_hz",
    ]
    .iter()
    .map(|&key| {
        let value = fields
            .get(key)
            .unwrap_or_else(|| panic!("no {key}= in {stderr}"));
        (key.to_owned(), value.clone())
    })
    .collect()
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_replay_and_a_conversion_print_what_the_live_session_printed() {
    let dir = tempfile::tempdir().unwrap();
    let live = live(&restarting_device(), dir.path(), &[]);
    let capture = path(&live.capture);
    // The session is what this test is about: damage, a loss and a restart.
    for event in ["# lost 1 ", "# restart ", "# device gone"] {
        assert!(
            live.stdout.iter().any(|l| l.starts_with(event)),
            "no '{event}' line: {:?}",
            live.stdout
        );
    }
    assert!(
        summary(&live.stderr)["lost"] != "0",
        "the removed packet is a loss: {}",
        live.stderr
    );

    let (replayed, stderr) = run(&["--replay", capture]);
    assert_same_lines("--replay", &live.stdout, &replayed);
    assert_eq!(counts(&stderr), counts(&live.stderr));
    let arrivals = format!("{capture}.arrivals");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains(&format!("from the arrivals file {arrivals}:")))
            .count(),
        1,
        "says once that it uses the recorded times:\n{stderr}"
    );

    let (converted, stderr) = run(&["convert", capture, "-", "--to", "text"]);
    assert_same_lines("convert --to text", &live.stdout, &converted);
    assert_eq!(counts(&stderr), counts(&live.stderr));
    assert!(!stderr.contains("holds no times"), "{stderr}");

    // Without the arrivals the same bytes give other timestamps: the comparison above is no
    // accident of the format.
    let (untimed, stderr) = run(&["--replay", capture, "--ignore-arrivals"]);
    assert!(!stderr.contains("arrivals file"), "{stderr}");
    let timestamps = |lines: &[String]| -> Vec<i64> {
        data_lines(lines).iter().map(|l| l.timestamp_us).collect()
    };
    assert_ne!(timestamps(&untimed), timestamps(&live.stdout));
}

#[test]
fn json_lines_replay_the_same_too() {
    let dir = tempfile::tempdir().unwrap();
    let live = live(&restarting_device(), dir.path(), &["-j"]);
    let capture = path(&live.capture);
    assert!(
        live.stdout.iter().any(|l| l.contains("restart")),
        "{:?}",
        live.stdout
    );
    for line in &live.stdout {
        json::Json::parse(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    let (replayed, stderr) = run(&["--replay", capture, "-j"]);
    assert_same_lines("--replay -j", &live.stdout, &replayed);
    assert_eq!(counts(&stderr), counts(&live.stderr));
    let (converted, _) = run(&["convert", capture, "-", "--to", "json"]);
    assert_same_lines("convert --to json", &live.stdout, &converted);
}

#[test]
fn realtime_replays_at_the_recorded_pace_and_a_cut_recording_still_replays() {
    let dir = tempfile::tempdir().unwrap();
    let live = live(&restarting_device(), dir.path(), &[]);
    let capture = path(&live.capture);
    let arrivals = format!("{capture}.arrivals");
    let text = std::fs::read_to_string(&arrivals).unwrap();
    let span_us: u64 = text
        .lines()
        .skip(3)
        .map(|l| l.split(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();

    let start = Instant::now();
    let (replayed, _) = run(&["--replay", capture, "--realtime"]);
    let took = start.elapsed();
    assert_same_lines("--replay --realtime", &live.stdout, &replayed);
    assert!(
        took >= Duration::from_micros(span_us),
        "{took:?} for {span_us} us recorded"
    );

    // As after kill -9: the arrivals file torn in the middle of a line, the capture longer.
    let cut = text.len() / 2;
    std::fs::write(&arrivals, &text[..cut]).unwrap();
    let (replayed, stderr) = run(&["--replay", capture]);
    assert!(
        stderr.contains("have no arrival times (the recording was cut short)"),
        "{stderr}"
    );
    let packets = data_lines(&replayed);
    let live_packets = data_lines(&live.stdout);
    assert_eq!(packets.len(), live_packets.len(), "{stderr}");
    // The recorded half replays as it was live.
    let timed = packets
        .iter()
        .zip(&live_packets)
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        timed > live_packets.len() / 3,
        "only {timed} of {} packets as live",
        live_packets.len()
    );
}

#[test]
fn an_arrivals_file_that_does_not_fit_its_capture_is_refused_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let live = live(&restarting_device(), dir.path(), &[]);
    let capture = path(&live.capture);
    let bytes = std::fs::read(capture).unwrap();
    std::fs::write(capture, &bytes[..bytes.len() / 2]).unwrap();
    for args in [
        vec!["--replay", capture],
        vec!["convert", capture, "-", "--to", "text"],
    ] {
        let out = output(reader().args(&args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        assert_no_panic(&stderr);
        assert!(out.stdout.is_empty(), "{args:?} wrote output");
        assert!(
            stderr.contains(&format!(
                "the arrivals file {capture}.arrivals records reads of"
            )),
            "{stderr}"
        );
        assert!(stderr.contains("--ignore-arrivals"), "{stderr}");
    }
    // And the way out works.
    run(&["--replay", capture, "--ignore-arrivals"]);
}
