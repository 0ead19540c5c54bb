//! Helpers shared by the end-to-end tests: running the reader binary, playing a device through a
//! pseudo-terminal, collecting its output as it comes, and parsing what it wrote.
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

/// Generous limit for anything the tests wait for: reached only when something is broken, so a
/// loaded machine never makes a test fail.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The fixtures directory of the workspace.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .canonicalize()
        .expect("fixtures directory")
}

/// The capture `fixtures/<name>.bin`.
pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(format!("{name}.bin"))
}

/// Every capture in the fixtures directory, sorted by name.
pub fn captures() -> Vec<PathBuf> {
    let mut bins: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures directory")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bin"))
        .collect();
    bins.sort();
    assert!(bins.len() >= 9, "fixtures missing: {bins:?}");
    bins
}

/// The reader binary under test.
pub fn reader() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eegreader"))
}

/// Held while creating a pseudo-terminal and while starting a process.
///
/// serialport's `TTYPort::pair()` opens both ends without close-on-exec, so a process started
/// meanwhile (by a test running in parallel) would inherit them, keep the device end open after
/// the test "unplugs" it, and hold the slave. [`Pty::new`] replaces both descriptors with
/// close-on-exec copies before letting go of this lock.
fn spawn_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `command` to the end, collecting its output (started under [`spawn_lock`]).
pub fn output(command: &mut Command) -> std::process::Output {
    let child = {
        let _lock = spawn_lock();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {command:?}: {e}"))
    };
    child.wait_with_output().expect("wait for the process")
}

/// A reader process with its standard output and error collected line by line as they come.
/// Dropping it kills the process (SIGKILL) if it is still running, so a failing test leaves
/// nothing behind.
pub struct Running {
    pub child: Child,
    pub stdout: Option<Lines>,
    pub stderr: Lines,
}

impl Running {
    /// Starts `command` with stdout and stderr piped and collected.
    pub fn start(mut command: Command) -> Self {
        let _lock = spawn_lock();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start eegreader");
        let stdout = Lines::collect(child.stdout.take().unwrap());
        let stderr = Lines::collect(child.stderr.take().unwrap());
        Self {
            child,
            stdout: Some(stdout),
            stderr,
        }
    }

    /// Starts `command` with stdout piped but not read: the test reads (and closes) it itself.
    pub fn start_raw_stdout(mut command: Command) -> (Self, std::process::ChildStdout) {
        let _lock = spawn_lock();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start eegreader");
        let stdout = child.stdout.take().unwrap();
        let stderr = Lines::collect(child.stderr.take().unwrap());
        (
            Self {
                child,
                stdout: None,
                stderr,
            },
            stdout,
        )
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdout(&self) -> &Lines {
        self.stdout.as_ref().expect("stdout is collected")
    }

    /// Sends `signal` ("TERM", "KILL", "INT") with kill(1).
    pub fn signal(&self, signal: &str) {
        let _lock = spawn_lock();
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {} failed", self.pid());
    }

    /// Waits for the process to exit (killing it and failing after [`PATIENCE`]), then for its
    /// output to be read to the end.
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                if let Some(stdout) = &self.stdout {
                    stdout.wait_closed();
                }
                self.stderr.wait_closed();
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "eegreader did not exit within {PATIENCE:?}; stderr:\n{}",
                    self.stderr.text()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Lines read from a pipe by a thread, each with the instant it was received.
#[derive(Clone)]
pub struct Lines {
    shared: Arc<(Mutex<Collected>, Condvar)>,
}

#[derive(Default)]
struct Collected {
    lines: Vec<(Instant, String)>,
    closed: bool,
}

impl Lines {
    /// Reads `pipe` line by line on a new thread until it ends.
    pub fn collect(pipe: impl Read + Send + 'static) -> Self {
        let shared = Arc::new((Mutex::new(Collected::default()), Condvar::new()));
        let writer = Arc::clone(&shared);
        thread::spawn(move || {
            let mut pipe = BufReader::new(pipe);
            let mut line = Vec::new();
            loop {
                line.clear();
                match pipe.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let at = Instant::now();
                        let text = String::from_utf8_lossy(&line)
                            .trim_end_matches('\n')
                            .to_owned();
                        let (lock, wake) = &*writer;
                        lock.lock().unwrap().lines.push((at, text));
                        wake.notify_all();
                    }
                }
            }
            let (lock, wake) = &*writer;
            lock.lock().unwrap().closed = true;
            wake.notify_all();
        });
        Self { shared }
    }

    /// Waits until `done` holds for the lines so far (true) or [`PATIENCE`] passed or the pipe
    /// closed without it (false).
    pub fn wait_for(&self, mut done: impl FnMut(&[(Instant, String)]) -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let (lock, wake) = &*self.shared;
        let mut collected = lock.lock().unwrap();
        loop {
            if done(&collected.lines) {
                return true;
            }
            let now = Instant::now();
            if collected.closed || now >= deadline {
                return false;
            }
            collected = wake.wait_timeout(collected, deadline - now).unwrap().0;
        }
    }

    /// Waits until a line contains `text`; false if it never came.
    pub fn wait_for_text(&self, text: &str) -> bool {
        self.wait_for(|lines| lines.iter().any(|(_, l)| l.contains(text)))
    }

    /// Waits until at least `n` data lines (not starting with '#') arrived.
    pub fn wait_for_data_lines(&self, n: usize) -> bool {
        self.wait_for(|lines| lines.iter().filter(|(_, l)| !l.starts_with('#')).count() >= n)
    }

    /// Waits until the pipe is closed (the writer exited), at most [`PATIENCE`].
    pub fn wait_closed(&self) {
        let deadline = Instant::now() + PATIENCE;
        let (lock, wake) = &*self.shared;
        let mut collected = lock.lock().unwrap();
        while !collected.closed && Instant::now() < deadline {
            collected = wake
                .wait_timeout(collected, Duration::from_millis(100))
                .unwrap()
                .0;
        }
    }

    /// The lines so far with their arrival instants.
    pub fn timed(&self) -> Vec<(Instant, String)> {
        self.shared.0.lock().unwrap().lines.clone()
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.timed().into_iter().map(|(_, l)| l).collect()
    }

    /// The lines so far, joined with newlines.
    pub fn text(&self) -> String {
        let mut text = self.lines().join("\n");
        text.push('\n');
        text
    }

    /// How many lines contain `text`.
    pub fn count(&self, text: &str) -> usize {
        self.lines().iter().filter(|l| l.contains(text)).count()
    }
}

/// A pseudo-terminal playing a serial device: the test writes device bytes to `master`, the
/// reader opens `path` (the slave side). `slave` keeps the slave open so the pty stays up
/// until the test drops `master`.
pub struct Pty {
    pub master: TTYPort,
    pub slave: TTYPort,
    pub path: String,
}

/// The speed a fresh pty is set to, so that the reader's 57600 shows when it has opened it.
const UNOPENED_BAUD: u32 = 9600;

impl Pty {
    /// A pseudo-terminal in the state a freshly plugged serial device is in: the terminal's
    /// default ("cooked") mode, which eats or rewrites 0x03, 0x11, 0x13, 0x1A, 0x1C and 0x0D
    /// and echoes, until the reader makes it raw. (serialport's `pair()` leaves it raw.)
    pub fn new() -> Self {
        let (mut master, mut slave) = {
            let _lock = spawn_lock();
            let (master, slave) = TTYPort::pair().expect("pseudo-terminal");
            // Close-on-exec copies (F_DUPFD_CLOEXEC); the inheritable originals close here.
            (
                master.try_clone_native().unwrap(),
                slave.try_clone_native().unwrap(),
            )
        };
        master.set_timeout(Duration::from_secs(5)).unwrap();
        let path = slave.name().expect("slave path");
        let flag = if cfg!(target_os = "linux") {
            "-F"
        } else {
            "-f"
        };
        let stty = output(Command::new("stty").args([flag, &path, "sane", "ixon"]));
        assert!(
            stty.status.success(),
            "stty sane ixon: {}",
            String::from_utf8_lossy(&stty.stderr)
        );
        let settings = output(Command::new("stty").args([flag, &path, "-a"]));
        let settings = String::from_utf8_lossy(&settings.stdout);
        for flag in ["isig", "icanon", "ixon", "icrnl", "echo"] {
            assert!(
                settings.split([' ', '\n', ';']).any(|f| f == flag),
                "not cooked ({flag}):\n{settings}"
            );
        }
        slave.set_baud_rate(UNOPENED_BAUD).unwrap();
        Self {
            master,
            slave,
            path,
        }
    }

    /// Waits until the reader `pid` has configured the port (its speed is 57600 now) and sleeps
    /// in a read on it. The reader discards input that arrived before it configured the port,
    /// so device bytes must only be written after this.
    pub fn wait_until_read_by(&self, pid: u32) {
        let deadline = Instant::now() + PATIENCE;
        while self.slave.baud_rate().unwrap_or(0) != 57600 {
            assert!(
                Instant::now() < deadline,
                "eegreader never configured {}",
                self.path
            );
            thread::sleep(Duration::from_millis(2));
        }
        // After configuring the port the reader flushes its input and then blocks in a read,
        // the first thing it sleeps in (the same state must be seen twice, 5 ms apart).
        let mut seen = 0;
        while seen < 2 {
            assert!(
                Instant::now() < deadline,
                "eegreader never waited for bytes on {}",
                self.path
            );
            thread::sleep(Duration::from_millis(5));
            seen = if sleeping_in_read(pid) { seen + 1 } else { 0 };
        }
    }
}

/// Whether process `pid` sleeps, in a poll or read where the kernel says so.
fn sleeping_in_read(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        // Not Linux: no way to look; the speed change above has to do.
        return true;
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    if state != Some('S') {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/wchan")) {
        Ok(wchan) if !wchan.is_empty() && wchan != "0" => {
            wchan.contains("poll") || wchan.contains("read") || wchan.contains("wait_woken")
        }
        _ => true,
    }
}

/// One data line of the original format: `timestamp_us|version|frame|ch1..ch6|switches`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataLine {
    pub timestamp_us: i64,
    pub version: u8,
    pub frame: u8,
    pub channels: [u16; 6],
    pub switches: u8,
}

impl DataLine {
    /// Parses a data line, failing the test unless it has exactly ten numeric fields.
    pub fn parse(line: &str) -> Self {
        let fields: Vec<&str> = line.split('|').collect();
        assert_eq!(fields.len(), 10, "not 10 fields: {line:?}");
        let number = |i: usize| -> i64 {
            fields[i]
                .parse()
                .unwrap_or_else(|_| panic!("field {} is not a number: {line:?}", i + 1))
        };
        let small = |i: usize, max: i64| -> i64 {
            let v = number(i);
            assert!(
                (0..=max).contains(&v),
                "field {} out of range: {line:?}",
                i + 1
            );
            v
        };
        Self {
            timestamp_us: number(0),
            version: small(1, 3) as u8,
            frame: small(2, 255) as u8,
            channels: std::array::from_fn(|c| small(3 + c, 1023) as u16),
            switches: small(9, 15) as u8,
        }
    }

    /// Everything but the timestamp.
    pub fn content(&self) -> (u8, u8, [u16; 6], u8) {
        (self.version, self.frame, self.channels, self.switches)
    }
}

/// The data lines (every line not starting with '#'), parsed.
pub fn data_lines<S: AsRef<str>>(lines: &[S]) -> Vec<DataLine> {
    lines
        .iter()
        .map(AsRef::as_ref)
        .filter(|l| !l.starts_with('#'))
        .map(DataLine::parse)
        .collect()
}

/// The key=value fields of the summary line on stderr (`eegreader: packets=...`).
pub fn summary(stderr: &str) -> HashMap<String, String> {
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("eegreader: packets="))
        .unwrap_or_else(|| panic!("no summary on stderr:\n{stderr}"));
    line["eegreader: ".len()..]
        .split(' ')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A summary field as a number.
pub fn summary_u64(stderr: &str, key: &str) -> u64 {
    let fields = summary(stderr);
    fields
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in the summary:\n{stderr}"))
}

/// Asserts that nothing panicked in the reader.
pub fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked"),
        "eegreader panicked:\n{stderr}"
    );
}

/// A P2 packet: `A5 5A 02 counter`, six big-endian 10-bit samples, the switches.
pub fn p2_packet(counter: u8, samples: [u16; 6], switches: u8) -> Vec<u8> {
    let mut packet = vec![0xA5, 0x5A, 0x02, counter];
    for sample in samples {
        packet.extend(sample.to_be_bytes());
    }
    packet.push(switches);
    packet
}

/// The packets of a board that restarts the way the Olimex shield's sketch does (PROTOCOL.md):
/// `before` packets counting from 0 (switches 0x01, samples that vary), then the reset signal
/// (`signal` packets with counter 0, every channel 512, switches 0x02), then `after` packets
/// counting from 1. The restart is at sample index `before`.
pub fn restarting_board(before: usize, signal: usize, after: usize) -> Vec<Vec<u8>> {
    let normal = |i: usize, counter: u8| {
        let v = 400 + (i % 200) as u16;
        p2_packet(counter, [v, v + 1, v + 2, v + 3, v + 4, v + 5], 0x01)
    };
    let mut packets: Vec<Vec<u8>> = (0..before).map(|i| normal(i, i as u8)).collect();
    packets.extend((0..signal).map(|_| p2_packet(0, [512; 6], 0x02)));
    packets.extend((0..after).map(|i| normal(before + signal + i, (i + 1) as u8)));
    packets
}
