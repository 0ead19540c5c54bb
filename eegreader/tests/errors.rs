//! What the reader says when the input is wrong: a device or capture that is not there, and
//! captures (file or standard input) that hold no packets at all.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{output, reader, summary_u64};
use libeeg::sim::Rng;

/// `n` random bytes from a fixed seed (checked below to frame no packet, P2 or P3).
fn garbage(n: usize) -> Vec<u8> {
    let mut rng = Rng::new(0xBAD);
    (0..n).map(|_| rng.byte()).collect()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_missing_device_lists_the_ports_and_how_to_choose() {
    let out = output(reader().args(["-l", "/nonexistent"]));
    let stderr = stderr_of(&out);
    assert!(!out.status.success());
    common::assert_no_panic(&stderr);
    assert!(
        stderr.starts_with("eegreader: serial device /nonexistent does not exist\n"),
        "{stderr}"
    );
    // Either the ports with how to pick one, or what to check when there are none.
    assert!(
        (stderr.contains("Serial ports on this machine:")
            && stderr.contains("-l PATH")
            && stderr.contains("--list"))
            || stderr.contains("No serial ports were found"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_capture_says_what_to_check() {
    let out = output(reader().args(["--replay", "/nonexistent"]));
    let stderr = stderr_of(&out);
    assert!(!out.status.success());
    common::assert_no_panic(&stderr);
    assert!(
        stderr.contains("cannot open capture /nonexistent: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("check the path; '-' reads standard input"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

/// Checks the outcome of replaying `bytes` of garbage: no packet, the bytes reported, the
/// summary, status 0.
fn assert_no_packets(out: &std::process::Output, bytes: usize) {
    let stderr = stderr_of(out);
    assert!(out.status.success(), "{}: {stderr}", out.status);
    common::assert_no_panic(&stderr);
    assert_eq!(summary_u64(&stderr, "packets"), 0, "{stderr}");
    assert_eq!(summary_u64(&stderr, "bytes"), bytes as u64, "{stderr}");
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(stdout.lines().all(|l| l.starts_with('#')), "{stdout}");
    assert!(
        stdout.contains(&format!("# {bytes} bytes at the end made no packet\n")),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("# end: estimated rate 256 Hz\n"),
        "{stdout}"
    );
}

#[test]
fn a_garbage_file_replays_to_no_packets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.bin");
    let bytes = garbage(64 * 1024);
    std::fs::write(&path, &bytes).unwrap();
    assert_no_packets(&output(reader().arg("--replay").arg(&path)), bytes.len());
    // The JSON format ends the same way.
    let out = output(reader().arg("--replay").arg(&path).arg("--json"));
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.ends_with("{\"event\":\"end\",\"estimated_rate_hz\":256}\n"),
        "{stdout}"
    );
}

#[test]
fn garbage_on_standard_input_replays_to_no_packets() {
    let bytes = garbage(64 * 1024);
    let mut child = reader()
        .args(["--replay", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert_no_packets(&out, 64 * 1024);
    assert!(stderr_of(&out).contains("source=\"standard input\""));
}

#[test]
fn an_empty_capture_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.bin");
    std::fs::write(&path, b"").unwrap();
    let out = output(reader().arg("--replay").arg(&path));
    let stderr = stderr_of(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(summary_u64(&stderr, "packets"), 0);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "# end: estimated rate 256 Hz\n"
    );
}

#[test]
fn a_full_disk_mid_session_stops_with_a_clear_message_and_keeps_the_other_recordings() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    // /dev/full accepts the open and refuses the first flush, a second in.
    let out = output(
        reader()
            .args(["--simulate", "--record-raw", "/dev/full", "--record-csv"])
            .arg(&csv),
    );
    let stderr = stderr_of(&out);
    assert!(!out.status.success(), "{stderr}");
    common::assert_no_panic(&stderr);
    assert!(
        stderr.contains("eegreader: raw capture /dev/full: No space left on device"),
        "{stderr}"
    );
    assert!(stderr.contains("the disk is full"), "{stderr}");
    let packets = summary_u64(&stderr, "packets");
    // The CSV recording was finalised all the same, with every packet.
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.ends_with('\n')
            && text
                .lines()
                .last()
                .unwrap()
                .starts_with("# estimated_rate_hz="),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("packet,")).count() as u64,
        packets
    );
    assert!(packets > 0);
}
