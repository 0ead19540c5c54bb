//! The reader against a device played through a pseudo-terminal, as it meets a real one: every
//! byte a half-cooked tty would eat arrives, each packet reaches a pipe about one packet period
//! after its bytes, and unplugging and replugging the device is reported and survived.
#![cfg(unix)]

mod common;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use common::{DataLine, Pty, Running, data_lines, reader, summary_u64};
use libeeg::encode::encode_p2;

/// Sample codes whose low byte (or high byte, for 0x03..) is one a tty in its default mode eats
/// or rewrites: 0x03 (ISIG ^C, and the high byte of every code >= 768), 0x11 / 0x13 (IXON),
/// 0x0D (ICRNL), 0x1A (^Z), 0x1C (^\).
const TTY_BAIT: [u16; 12] = [
    0x0311, 0x0213, 0x010D, 0x001A, 0x031C, 0x0003, 0x0011, 0x0313, 0x021A, 0x000D, 0x0303, 0x011C,
];

/// Packet `i` of the bait stream: the counter goes through all 256 values, every channel and
/// the switches carry bait bytes.
fn bait_packet(i: usize) -> (u8, [u16; 6], u8) {
    let samples = std::array::from_fn(|ch| TTY_BAIT[(i + 5 * ch) % TTY_BAIT.len()]);
    // 0x03 and 0x0D as switch bytes too; changes are rare enough to stay realistic.
    let switches = [0x0F, 0x03, 0x0D, 0x0B][(i / 100) % 4];
    (i as u8, samples, switches)
}

#[test]
fn a_stream_full_of_tty_control_bytes_arrives_complete() {
    const PACKETS: usize = 2000;
    let mut stream = Vec::new();
    for i in 0..PACKETS {
        let (counter, samples, switches) = bait_packet(i);
        encode_p2(counter, &samples, switches, &mut stream);
    }
    for byte in [0x03, 0x11, 0x13, 0x0D, 0x1A, 0x1C] {
        assert!(
            stream.iter().filter(|&&b| b == byte).count() > 500,
            "too little bait 0x{byte:02X}"
        );
    }

    // The pty starts cooked, as a tty does: only the reader's raw mode lets the bait through.
    let mut pty = Pty::new();
    let mut command = reader();
    command.args(["-l", &pty.path, "--exit-on-disconnect"]);
    let mut run = Running::start(command);
    pty.wait_until_read_by(run.pid());

    // Chunks of irregular sizes, as a USB-serial adapter delivers them, about 8x faster than a
    // real device (the stream would take 7.8 s at 256 Hz).
    let sizes = [1, 16, 17, 18, 64, 5, 300, 2, 129, 1000, 33];
    let start = Instant::now();
    let (mut sent, mut k) = (0, 0);
    while sent < stream.len() {
        let n = sizes[k % sizes.len()].min(stream.len() - sent);
        pty.master.write_all(&stream[sent..sent + n]).unwrap();
        sent += n;
        k += 1;
        let due = start + Duration::from_secs_f64(sent as f64 / (17.0 * 2048.0));
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
    }
    // Unplug only once everything is out: a pty hang-up discards input not yet read.
    let complete = run.stdout().wait_for_data_lines(PACKETS);
    drop(pty.master);
    let status = run.wait();
    let stderr = run.stderr.text();
    let lines = run.stdout().lines();
    assert!(complete, "not every packet arrived; stderr:\n{stderr}");
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    common::assert_no_panic(&stderr);

    let packets = data_lines(&lines);
    assert_eq!(packets.len(), PACKETS);
    for (i, line) in packets.iter().enumerate() {
        let (counter, samples, switches) = bait_packet(i);
        assert_eq!(
            line.content(),
            (2, counter, samples, switches),
            "packet {i}"
        );
    }
    for line in lines.iter().filter(|l| l.starts_with('#')) {
        for damage in ["lost", "resync", "sync lost", "stalled"] {
            assert!(!line.contains(damage), "{line}");
        }
    }
    assert!(
        lines.iter().any(|l| l.starts_with("# device gone")),
        "{lines:?}"
    );
    assert_eq!(summary_u64(&stderr, "packets"), PACKETS as u64, "{stderr}");
    assert_eq!(summary_u64(&stderr, "lost"), 0, "{stderr}");
    assert_eq!(summary_u64(&stderr, "resyncs"), 0, "{stderr}");
    assert_eq!(summary_u64(&stderr, "skipped_bytes"), 0, "{stderr}");
    assert_eq!(
        summary_u64(&stderr, "bytes"),
        stream.len() as u64,
        "{stderr}"
    );
}

/// The simulator's packets, `n` of them, each encoded on its own.
fn simulated_packets(n: usize, first_counter: u8, seed: u64) -> Vec<Vec<u8>> {
    let config = libeeg::sim::SimConfig {
        seed,
        first_counter,
        ..libeeg::sim::SimConfig::default()
    };
    let mut sim = libeeg::sim::Simulator::new(config);
    (0..n).map(|_| sim.packets(1)).collect()
}

/// Writes `PACKETS` packets one at a time at 256 Hz to a reader started with `args`, and returns
/// for each packet the time from its write to its line arriving on our pipe (the last packet,
/// released only by the read timeout, left out).
fn latencies(args: &[&str]) -> Vec<Duration> {
    const PACKETS: usize = 512;
    let packets = simulated_packets(PACKETS, 0, 7);
    let mut pty = Pty::new();
    let mut command = reader();
    command
        .args(["-l", &pty.path, "--exit-on-disconnect"])
        .args(args);
    let mut run = Running::start(command);
    pty.wait_until_read_by(run.pid());

    // As a device with a 1 ms latency timer delivers them.
    let period = Duration::from_secs_f64(1.0 / 256.0);
    let start = Instant::now();
    let mut written = Vec::with_capacity(PACKETS);
    for (i, packet) in packets.iter().enumerate() {
        if let Some(wait) = (start + period * i as u32).checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        pty.master.write_all(packet).unwrap();
        written.push(Instant::now());
    }
    let complete = run.stdout().wait_for_data_lines(PACKETS);
    drop(pty.master);
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(complete, "not every packet arrived; stderr:\n{stderr}");
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    assert_eq!(summary_u64(&stderr, "lost"), 0, "{stderr}");

    let received: Vec<(Instant, DataLine)> = run
        .stdout()
        .timed()
        .into_iter()
        .filter(|(_, l)| !l.starts_with('#'))
        .map(|(at, l)| (at, DataLine::parse(&l)))
        .collect();
    assert_eq!(received.len(), PACKETS);
    for (i, (_, line)) in received.iter().enumerate() {
        assert_eq!(line.frame, i as u8, "packet {i} out of order");
    }
    received[..PACKETS - 1]
        .iter()
        .zip(&written)
        .map(|((at, _), sent)| at.saturating_duration_since(*sent))
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Prints the latency figures (recorded, not asserted: a loaded machine may be slower).
fn report(what: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "latency {what}, device write to line on our pipe, {} packets at 256 Hz: median {:.2} ms, p90 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms (load average {})",
        latencies.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.9)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    );
}

#[test]
fn each_packet_reaches_the_pipe_about_one_packet_period_after_its_bytes() {
    // By default a packet waits for the next header (one packet period, ~3.9 ms) to prove its end.
    report("(default)", latencies(&[]));
    // --low-latency releases it as soon as its counter continues the last one.
    report("(--low-latency)", latencies(&["--low-latency"]));
}

/// Writes `packets` at 256 Hz, four at a time, as a USB adapter delivers them.
fn send_paced(pty: &mut Pty, packets: &[Vec<u8>]) {
    let start = Instant::now();
    for (i, chunk) in packets.chunks(4).enumerate() {
        if let Some(wait) = (start + Duration::from_secs_f64(i as f64 * 4.0 / 256.0))
            .checked_duration_since(Instant::now())
        {
            thread::sleep(wait);
        }
        pty.master.write_all(&chunk.concat()).unwrap();
    }
}

#[test]
fn unplug_and_replug_through_a_symlink_is_reported_and_survived() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyEEG");
    let csv_path = dir.path().join("session.csv");
    let mut first = Pty::new();
    std::os::unix::fs::symlink(&first.path, &link).unwrap();

    let mut command = reader();
    command
        .arg("-l")
        .arg(&link)
        .arg("--record-csv")
        .arg(&csv_path);
    let mut run = Running::start(command);
    first.wait_until_read_by(run.pid());

    // First session: counters 0..299.
    let session1 = simulated_packets(300, 0, 11);
    send_paced(&mut first, &session1);
    assert!(
        run.stdout().wait_for_data_lines(300),
        "stderr:\n{}",
        run.stderr.text()
    );

    // Unplug: the device end goes away, the node with it.
    drop(first.master);
    assert!(
        run.stderr.wait_for_text("device gone"),
        "stderr:\n{}",
        run.stderr.text()
    );
    drop(first.slave);
    assert!(
        run.running(),
        "the reader stopped when the device went away:\n{}",
        run.stderr.text()
    );

    // Replug as a new device at the same path; its counter starts elsewhere (a new session).
    let mut second = Pty::new();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&second.path, &link).unwrap();
    assert!(
        run.stderr.wait_for_text("device back"),
        "stderr:\n{}",
        run.stderr.text()
    );
    second.wait_until_read_by(run.pid());
    let session2 = simulated_packets(300, 100, 12);
    send_paced(&mut second, &session2);
    assert!(
        run.stdout().wait_for_data_lines(600),
        "stderr:\n{}",
        run.stderr.text()
    );

    run.signal("TERM");
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    common::assert_no_panic(&stderr);
    assert_eq!(run.stderr.count("device gone"), 1, "{stderr}");
    assert_eq!(run.stderr.count("device back"), 1, "{stderr}");

    let lines = run.stdout().lines();
    let gone = lines
        .iter()
        .position(|l| l.starts_with("# device gone"))
        .expect("# device gone line");
    let back = lines
        .iter()
        .position(|l| l.starts_with("# device back"))
        .expect("# device back line");
    assert!(gone < back, "{lines:?}");
    // The new session's counter jumps: an outage if the time the device was away matches the
    // jump (whole counter cycles), a restart otherwise. Replugging takes a random time, so
    // either may be reported, but the jump is never silent.
    let jump = lines[back..]
        .iter()
        .find(|l| l.starts_with("# lost ") || l.starts_with("# restart "))
        .unwrap_or_else(|| panic!("the jump is reported: {lines:?}"));
    let before = data_lines(&lines[..gone]);
    let after = data_lines(&lines[back..]);
    let frames = |lines: &[DataLine]| lines.iter().map(|l| l.frame).collect::<Vec<_>>();
    assert_eq!(
        frames(&before),
        (0..300).map(|c| c as u8).collect::<Vec<_>>(),
        "first session"
    );
    assert_eq!(
        frames(&after),
        (0..300).map(|c| (100 + c) as u8).collect::<Vec<_>>(),
        "second session"
    );
    assert_eq!(summary_u64(&stderr, "packets"), 600, "{stderr}");
    // It is placed after the first session and before the second, in time as in samples.
    let jump_at: i64 = jump
        .split("timestamp_us=")
        .nth(1)
        .and_then(|t| t.trim_end_matches(')').parse().ok())
        .unwrap_or_else(|| panic!("no timestamp in {jump}"));
    assert!(
        before.last().unwrap().timestamp_us < jump_at && jump_at <= after[0].timestamp_us,
        "{jump}"
    );

    // The CSV recording spans both sessions, with the outage marked.
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let kinds: Vec<&str> = csv
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(',').next())
        .collect();
    let gone_row = kinds
        .iter()
        .position(|&k| k == "device_gone")
        .expect("device_gone row");
    let back_row = kinds
        .iter()
        .position(|&k| k == "device_back")
        .expect("device_back row");
    assert!(gone_row < back_row);
    assert_eq!(
        kinds[..gone_row].iter().filter(|&&k| k == "packet").count(),
        300
    );
    assert_eq!(
        kinds[back_row..].iter().filter(|&&k| k == "packet").count(),
        300
    );
    assert!(
        kinds[back_row..].contains(&"gap") || kinds[back_row..].contains(&"restart"),
        "the new session's counter jump is a gap or a restart row"
    );
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .starts_with("# estimated_rate_hz="),
        "not finalised"
    );
}

/// Starts a reader on a fresh pty, writes `bytes`, then leaves the device connected but silent
/// until the reader's 3-second warning; returns that warning.
fn silence_warning(bytes: &[u8]) -> String {
    let mut pty = Pty::new();
    let mut command = reader();
    command.args(["-l", &pty.path]);
    let mut run = Running::start(command);
    pty.wait_until_read_by(run.pid());
    pty.master.write_all(bytes).unwrap();
    assert!(
        run.stderr.wait_for_text("no valid packet"),
        "no warning; stderr:\n{}",
        run.stderr.text()
    );
    run.signal("TERM");
    let status = run.wait();
    assert!(status.success(), "{status}");
    run.stderr
        .lines()
        .into_iter()
        .find(|l| l.contains("no valid packet"))
        .unwrap()
}

#[test]
fn bytes_that_never_frame_are_shown_with_the_protocol_and_speed_tried() {
    // What a device at another speed looks like: bytes, but never a packet.
    let mut rng = libeeg::sim::Rng::new(3);
    let junk: Vec<u8> = (0..600).map(|_| rng.byte() | 0x80).collect();
    let warning = silence_warning(&junk);
    assert!(
        warning.contains("in 3 s: 600 bytes arrived but none framed as P2 and P3 (auto)"),
        "{warning}"
    );
    let first: Vec<String> = junk[..8].iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        warning.contains(&format!("the first were: {}", first.join(" "))),
        "{warning}"
    );
}

#[test]
fn a_device_that_falls_silent_after_packets_is_not_said_to_have_framed_none() {
    let packets = simulated_packets(100, 0, 4).concat();
    let warning = silence_warning(&packets);
    // 100 packets were decoded and shown: the stream stopped, the speed is right.
    assert!(!warning.contains("none framed"), "{warning}");
    assert!(!warning.contains("--baud"), "{warning}");
}
