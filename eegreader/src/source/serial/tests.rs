//! The serial source read through pseudo-terminals: bytes unchanged, timeouts, unplug and
//! replug.

use std::io::Write;
use std::process::Command;

use serialport::{SerialPort, TTYPort};

use super::*;

/// An owned copy of one [`Input`], so a test can keep it past the next read.
#[derive(Debug, PartialEq)]
enum Event {
    Bytes(Vec<u8>),
    Quiet,
    Gone(String),
    Back(String),
    End,
}

fn next(source: &mut SerialSource) -> Event {
    match source
        .next()
        .expect("serial sources do not fail after opening")
    {
        Input::Bytes(bytes, _) => Event::Bytes(bytes.to_vec()),
        Input::Quiet(_) => Event::Quiet,
        Input::Gone { reason, .. } => Event::Gone(reason),
        Input::Back { device, .. } => Event::Back(device),
        Input::End => Event::End,
    }
}

/// The next event that is not `Quiet`, within 3 s.
fn next_event(source: &mut SerialSource) -> Event {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match next(source) {
            Event::Quiet if Instant::now() < deadline => continue,
            event => return event,
        }
    }
}

/// Reads until `want` bytes arrived (or 3 s passed, or something else happened).
fn read_bytes(source: &mut SerialSource, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < want {
        match next_event(source) {
            Event::Bytes(bytes) => got.extend(bytes),
            other => panic!("after {} of {want} bytes: {other:?}", got.len()),
        }
    }
    got
}

/// A pseudo-terminal: the master plays the device, the slave's path is what we open.
/// serialport's `pair()` keeps the slave open (raw, without the exclusive lock); the test
/// holds it so the pty stays up until the test says otherwise.
fn pty() -> (TTYPort, TTYPort, String) {
    let (mut master, slave) = TTYPort::pair().expect("pseudo-terminal");
    master.set_timeout(Duration::from_secs(2)).unwrap();
    let path = slave.name().expect("slave path");
    (master, slave, path)
}

fn options(read_timeout_ms: u64) -> SerialOptions {
    SerialOptions {
        read_timeout: Duration::from_millis(read_timeout_ms),
        ..SerialOptions::default()
    }
}

fn open(path: &str, options: SerialOptions) -> SerialSource {
    SerialSource::open(path, 57600, options, Instant::now()).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `stty` on `path`; `None` where stty is not available.
fn stty(path: &str, args: &[&str]) -> Option<String> {
    let flag = if cfg!(target_os = "linux") {
        "-F"
    } else {
        "-f"
    };
    let out = Command::new("stty")
        .arg(flag)
        .arg(path)
        .args(args)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "stty {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn every_byte_arrives_unchanged_and_nothing_is_echoed() {
    let (mut master, _slave, path) = pty();
    // Start from a cooked terminal (ISIG, IXON, ICRNL, ICANON, ECHO...), the state the
    // original reader met, so the test shows that opening makes the port raw.
    let cooked = stty(&path, &["sane"]).is_some();
    if cooked {
        let settings = stty(&path, &["-a"]).unwrap();
        assert!(
            settings.split([' ', '\n']).any(|f| f == "isig"),
            "not cooked:\n{settings}"
        );
    }
    let mut source = open(&path, options(100));

    let mut stream = vec![
        0x03, 0x11, 0x13, 0x1A, 0x1C, 0x0D, 0x0A, 0x7F, 0x04, 0x00, 0xFF,
    ];
    for _ in 0..8 {
        stream.extend(0..=255u8);
    }
    let sent = stream.clone();
    let writer = thread::spawn(move || {
        master.write_all(&stream).unwrap();
        master
    });
    let got = read_bytes(&mut source, sent.len());
    let mut master = writer.join().unwrap();
    assert_eq!(got.len(), sent.len());
    assert!(got == sent, "bytes were altered");

    master.set_timeout(Duration::from_millis(50)).unwrap();
    let mut echo = [0u8; 64];
    match master.read(&mut echo) {
        Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
        other => panic!("the device was sent something back: {other:?}"),
    }

    let State::Open(port) = &source.state else {
        panic!("not open")
    };
    assert_eq!(port.baud_rate().unwrap(), 57600);
    drop(source);
    if cooked {
        let settings = stty(&path, &["-a"]).unwrap();
        let flags: Vec<&str> = settings.split([' ', '\n', ';']).collect();
        for flag in [
            "-isig", "-icanon", "-iexten", "-echo", "-echonl", "-ixon", "-ixoff", "-icrnl",
            "-inlcr", "-igncr", "-istrip", "-parmrk", "-brkint", "-inpck", "-opost", "-parenb",
            "-cstopb", "-crtscts", "cs8", "cread", "clocal",
        ] {
            assert!(flags.contains(&flag), "{flag} not in:\n{settings}");
        }
    }
}

#[test]
fn a_read_timeout_is_quiet_and_blocks_without_spinning() {
    let (_master, _slave, path) = pty();
    let mut source = open(&path, options(60));
    let start = Instant::now();
    assert_eq!(next(&mut source), Event::Quiet);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(50) && waited < Duration::from_secs(1),
        "{waited:?}"
    );
    assert!(source.has_arrival_times() && source.is_real_time());
    assert_eq!(source.describe(), format!("{path} at 57600 baud"));
    assert_eq!(source.latency_note(), None);
}

#[test]
fn bytes_carry_their_arrival_time() {
    let (mut master, _slave, path) = pty();
    let session_start = Instant::now() - Duration::from_secs(5);
    let mut source = SerialSource::open(&path, 57600, options(100), session_start).unwrap();
    master.write_all(&[0xA5, 0x5A]).unwrap();
    let before = session_start.elapsed();
    match source.next().unwrap() {
        Input::Bytes(bytes, Some(at)) => {
            assert_eq!(bytes, [0xA5, 0x5A]);
            assert!(at >= before - Duration::from_millis(100) && at <= session_start.elapsed());
            assert_eq!(at.subsec_nanos() % 1000, 0, "whole microseconds: {at:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn closing_the_device_end_is_gone_once_then_quiet_while_waiting() {
    let (master, _slave, path) = pty();
    let mut source = open(&path, options(50));
    drop(master);
    match next_event(&mut source) {
        Event::Gone(why) => assert!(why.starts_with(&format!("{path} disconnected")), "{why}"),
        other => panic!("{other:?}"),
    }
    let start = Instant::now();
    for _ in 0..4 {
        assert_eq!(next(&mut source), Event::Quiet);
    }
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "waiting must not spin"
    );
}

#[test]
fn exit_on_disconnect_ends_after_reporting_why() {
    let (master, _slave, path) = pty();
    let mut source = open(
        &path,
        SerialOptions {
            exit_on_disconnect: true,
            ..options(50)
        },
    );
    drop(master);
    assert!(matches!(next_event(&mut source), Event::Gone(_)));
    assert_eq!(next(&mut source), Event::End);
    assert_eq!(next(&mut source), Event::End);
}

#[test]
fn unplug_and_replug_through_a_repointed_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("eeg");
    let link_path = link.to_str().unwrap().to_owned();
    let (mut master1, slave1, path1) = pty();
    std::os::unix::fs::symlink(&path1, &link).unwrap();

    let mut source = open(&link_path, options(50));
    master1.write_all(b"one").unwrap();
    assert_eq!(read_bytes(&mut source, 3), b"one");

    drop(master1);
    drop(slave1);
    assert!(matches!(next_event(&mut source), Event::Gone(_)));
    assert_eq!(next(&mut source), Event::Quiet);

    let (mut master2, _slave2, path2) = pty();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&path2, &link).unwrap();
    assert_eq!(next_event(&mut source), Event::Back(link_path.clone()));
    assert_eq!(source.describe(), format!("{link_path} at 57600 baud"));

    master2.write_all(&[0x03, 0x11, 0x13, 0x0D]).unwrap();
    assert_eq!(read_bytes(&mut source, 4), [0x03, 0x11, 0x13, 0x0D]);
}
