//! A serial device: raw 8N1 at the configured speed, exclusive, blocking reads with a timeout,
//! and surviving unplug and replug.
//!
//! Raw mode comes from serialport's `TTYPort::open`, which applies `cfmakeraw` (clearing ISIG,
//! ICANON, IEXTEN, ECHO*, IXON, ICRNL, INLCR, IGNCR, ISTRIP, PARMRK, BRKINT, IGNBRK and OPOST,
//! and setting CS8) and then our 8N1 / no flow control settings (clearing IXOFF, INPCK, PARENB,
//! CSTOPB and CRTSCTS). Every byte therefore arrives unchanged and nothing is echoed to the
//! device; the tests check it byte by byte through a pseudo-terminal left in cooked mode.
//!
//! When the device goes away the port is closed at once, so a replugged adapter gets its old
//! name back, and the source polls for it every [`RECONNECT_POLL`] without ever blocking the
//! caller for longer than the read timeout.

use std::io::{self, Read};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort, StopBits};

use super::discover::{self, PortInfo};
use super::{Input, Moment, Source};
use crate::error::Error;

#[cfg(unix)]
type Port = serialport::TTYPort;
#[cfg(windows)]
type Port = serialport::COMPort;

/// How often to look for a device that went away.
pub const RECONNECT_POLL: Duration = Duration::from_millis(200);
/// Bytes read at once: 0.7 s of a 57600-baud stream, far more than one read ever holds.
const BUF_LEN: usize = 4096;
/// A tty in raw mode never reads 0 bytes unless it was hung up; after this many in a row the
/// device is taken as gone.
const EOF_READS: u32 = 3;

/// How the serial source behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerialOptions {
    /// Report [`Input::End`] when the device goes away instead of waiting for it.
    pub exit_on_disconnect: bool,
    /// The longest a read blocks before reporting [`Input::Quiet`] (at least 1 ms).
    pub read_timeout: Duration,
}

impl Default for SerialOptions {
    fn default() -> Self {
        Self {
            exit_on_disconnect: false,
            read_timeout: Duration::from_millis(100),
        }
    }
}

/// A serial device as a [`Source`].
///
/// [`Source::next`] returns [`Input::Bytes`] with their arrival time, [`Input::Quiet`] after
/// a read timeout, [`Input::Gone`] once when the device goes away, then [`Input::Quiet`] while
/// waiting and [`Input::Back`] when it has been reopened (or, with
/// [`SerialOptions::exit_on_disconnect`], [`Input::End`] from then on).
#[derive(Debug)]
pub struct SerialSource {
    /// The path the user gave (may be a symlink such as /dev/serial/by-id/...).
    requested: String,
    /// The path currently open: differs from `requested` after the device came back elsewhere.
    current: String,
    baud: u32,
    options: SerialOptions,
    session_start: Instant,
    /// The USB device first opened, to find it again by serial number and not take another.
    device: Option<PortInfo>,
    state: State,
    buf: Vec<u8>,
    zero_reads: u32,
    latency: Option<String>,
}

#[derive(Debug)]
enum State {
    Open(Port),
    Waiting { next_try: Instant },
    Ended,
}

impl SerialSource {
    /// Opens `path` (57600 baud for OpenEEG, 115200 for some shields) raw, 8N1, without flow
    /// control and exclusively; on Linux sets an FTDI adapter's latency timer to 1 ms (see
    /// [`latency_note`](Self::latency_note)). Bytes that arrived before the port was configured
    /// are discarded. Arrival times are measured from `session_start`.
    pub fn open(
        path: &str,
        baud: u32,
        mut options: SerialOptions,
        session_start: Instant,
    ) -> Result<Self, Error> {
        options.read_timeout = options.read_timeout.max(Duration::from_millis(1));
        let port = open_port(path, baud, options.read_timeout).map_err(|f| open_error(path, f))?;
        Ok(Self {
            requested: path.to_owned(),
            current: path.to_owned(),
            baud,
            options,
            session_start,
            device: discover::port_at(path).filter(|p| p.vid.is_some()),
            state: State::Open(port),
            buf: vec![0; BUF_LEN],
            zero_reads: 0,
            latency: tune_latency(path),
        })
    }

    /// What happened to the FTDI latency timer at the last open (Linux, FTDI adapters only):
    /// set to 1 ms, already 1 ms, or not writable and how to fix that.
    pub fn latency_note(&self) -> Option<String> {
        self.latency.clone()
    }

    /// The device went away: close it and start waiting (or end).
    fn lost(&mut self, reason: &str) -> Input<'static> {
        // Dropping the port releases the device node, so the replugged adapter gets its name back.
        self.state = if self.options.exit_on_disconnect {
            State::Ended
        } else {
            State::Waiting {
                next_try: Instant::now() + RECONNECT_POLL,
            }
        };
        self.zero_reads = 0;
        Input::Gone {
            reason: format!("{} disconnected ({reason})", self.current),
            when: Moment::now(self.session_start),
        }
    }

    /// Sleeps until the next attempt (at most one read timeout) and tries to reopen the device.
    fn wait_for_return(&mut self, next_try: Instant) -> Input<'static> {
        let now = Instant::now();
        if now < next_try {
            thread::sleep((next_try - now).min(self.options.read_timeout));
            if Instant::now() < next_try {
                return Input::Quiet(super::since(self.session_start));
            }
        }
        match self.reopen() {
            Some(device) => Input::Back {
                device,
                when: Moment::now(self.session_start),
            },
            None => {
                self.state = State::Waiting {
                    next_try: Instant::now() + RECONNECT_POLL,
                };
                Input::Quiet(super::since(self.session_start))
            }
        }
    }

    /// The path the user gave, when it names the same device again (a by-id link, or a symlink
    /// re-pointed to the new device); else the same USB serial number at another path.
    fn reopen(&mut self) -> Option<String> {
        let timeout = self.options.read_timeout;
        if Path::new(&self.requested).exists()
            && self.same_device(&self.requested)
            && let Ok(port) = open_port(&self.requested, self.baud, timeout)
        {
            return Some(self.resume(port, self.requested.clone()));
        }
        let device = self.device.as_ref()?;
        device.serial_number.as_ref()?;
        let elsewhere = discover::system_ports().into_iter().find(|p| {
            p.path != self.requested
                && (p.vid, p.pid, &p.serial_number)
                    == (device.vid, device.pid, &device.serial_number)
        })?;
        let port = open_port(&elsewhere.path, self.baud, timeout).ok()?;
        Some(self.resume(port, elsewhere.path))
    }

    /// Whether the device at `path` may be ours: not when it is a USB device with another
    /// serial number than the one first opened.
    fn same_device(&self, path: &str) -> bool {
        match (&self.device, discover::port_at(path)) {
            (Some(first), Some(now)) if first.serial_number.is_some() && now.vid.is_some() => {
                (now.vid, now.pid, &now.serial_number)
                    == (first.vid, first.pid, &first.serial_number)
            }
            _ => true,
        }
    }

    fn resume(&mut self, port: Port, path: String) -> String {
        self.state = State::Open(port);
        self.zero_reads = 0;
        self.latency = tune_latency(&path);
        let mut back = path.clone();
        if let Some(serial) = self.device.as_ref().and_then(|d| d.serial_number.as_ref()) {
            back += &format!(" (USB serial {serial})");
        }
        if path != self.current {
            back += &format!(", was {}", self.current);
        }
        self.current = path;
        back
    }
}

impl Source for SerialSource {
    fn next(&mut self) -> Result<Input<'_>, Error> {
        let read = match &mut self.state {
            State::Open(port) => port.read(&mut self.buf),
            &mut State::Waiting { next_try } => return Ok(self.wait_for_return(next_try)),
            State::Ended => return Ok(Input::End),
        };
        Ok(match read {
            Ok(0) => {
                self.zero_reads += 1;
                if self.zero_reads < EOF_READS {
                    Input::Quiet(super::since(self.session_start))
                } else {
                    self.lost("end of file")
                }
            }
            Ok(n) => {
                self.zero_reads = 0;
                Input::Bytes(&self.buf[..n], Some(super::since(self.session_start)))
            }
            // A timeout is a quiet stream; a signal (Ctrl-C) returns so the caller sees its flag.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                        | io::ErrorKind::WouldBlock
                ) =>
            {
                Input::Quiet(super::since(self.session_start))
            }
            // serialport reports a hang-up (POLLHUP: unplugged, pty master closed) as BrokenPipe;
            // EIO, ENXIO and ENODEV come through as errors of their own: all mean gone.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.lost("hang-up"),
            Err(e) => self.lost(&e.to_string()),
        })
    }

    fn has_arrival_times(&self) -> bool {
        true
    }

    fn is_real_time(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!("{} at {} baud", self.current, self.baud)
    }
}

/// Why a port could not be opened.
#[derive(Debug, PartialEq, Eq)]
enum OpenFailure {
    Missing,
    RegularFile,
    Directory,
    Permission,
    Busy,
    Other(String),
}

fn open_port(path: &str, baud: u32, timeout: Duration) -> Result<Port, OpenFailure> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(OpenFailure::Missing),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            return Err(OpenFailure::Permission);
        }
        Err(e) => return Err(OpenFailure::Other(e.to_string())),
        Ok(m) if m.is_file() => return Err(OpenFailure::RegularFile),
        Ok(m) if m.is_dir() => return Err(OpenFailure::Directory),
        Ok(_) => {}
    }
    let builder = serialport::new(path, baud)
        .data_bits(DataBits::Eight)
        .parity(Parity::None)
        .stop_bits(StopBits::One)
        .flow_control(FlowControl::None)
        .timeout(timeout);
    // TIOCEXCL (refuses other opens) plus an exclusive flock (refuses other flock users).
    #[cfg(unix)]
    let builder = builder.exclusive(true);
    let port = builder.open_native().map_err(|e| match e.kind() {
        // serialport's kind for EBUSY at open and for a lock held by someone else.
        serialport::ErrorKind::NoDevice => OpenFailure::Busy,
        serialport::ErrorKind::Io(io::ErrorKind::PermissionDenied) => OpenFailure::Permission,
        serialport::ErrorKind::Io(io::ErrorKind::NotFound) => OpenFailure::Missing,
        _ => OpenFailure::Other(e.description),
    })?;
    // Bytes queued before raw mode applied may have been altered; the decoder resyncs anyway.
    let _ = port.clear(ClearBuffer::Input);
    Ok(port)
}

fn open_error(path: &str, failure: OpenFailure) -> Error {
    match failure {
        OpenFailure::Missing => missing_error(path, &discover::list_ports()),
        OpenFailure::Permission => permission_error(path, group_of(path)),
        OpenFailure::Busy => busy_error(path),
        OpenFailure::RegularFile => Error::new(format!("{path} is a file, not a serial device"))
            .fix(format!("To decode a capture file use --replay {path}")),
        OpenFailure::Directory => Error::new(format!("{path} is a directory, not a serial device"))
            .fix(format!(
                "Serial ports on this machine:\n{}",
                discover::format_list(&discover::list_ports())
            )),
        OpenFailure::Other(why) => {
            let e = Error::new(format!("cannot open {path} as a serial port: {why}"));
            if why.contains("No such device") {
                e.fix("The device node exists but no device answers: it may have just been unplugged. \
                       `sudo dmesg | tail` shows what the kernel saw.")
            } else {
                e
            }
        }
    }
}

fn missing_error(path: &str, ports: &[PortInfo]) -> Error {
    let what = match std::fs::read_link(path) {
        Ok(target) => format!(
            "serial device {path} does not exist (it links to {}, which is missing)",
            target.display()
        ),
        Err(_) => format!("serial device {path} does not exist"),
    };
    let fix = if ports.is_empty() {
        discover::format_list(ports)
    } else {
        format!(
            "Serial ports on this machine:\n{}Choose one with -l PATH (`eegreader --list` shows \
             this list), or run without a device: --simulate.",
            discover::format_list(ports)
        )
    };
    Error::new(what).fix(fix)
}

fn permission_error(path: &str, group: Option<String>) -> Error {
    let group = group
        .filter(|g| g != "root")
        .unwrap_or_else(|| "dialout".to_owned());
    Error::new(format!("permission denied opening {path}")).fix(format!(
        "Serial devices belong to the `{group}` group. Add yourself to it, then log out and back in \
         (or start a shell with `newgrp {group}`):\n\
         \x20 sudo usermod -aG {group} $USER\n\
         Or let the group use the adapter with a udev rule, in /etc/udev/rules.d/99-openeeg.rules:\n\
         \x20 SUBSYSTEM==\"tty\", ATTRS{{idVendor}}==\"0403\", ATTRS{{idProduct}}==\"6001\", MODE=\"0660\", GROUP=\"{group}\"\n\
         then run `sudo udevadm control --reload-rules && sudo udevadm trigger` or replug the device.\n\
         The reader never needs root: do not run it with sudo."
    ))
}

fn busy_error(path: &str) -> Error {
    Error::new(format!("{path} is busy: another program has it open")).fix(format!(
        "Only one program can read the device at a time: close the other one (another eegreader, \
         a serial terminal, BrainBay; on Linux ModemManager or brltty sometimes grab USB-serial \
         adapters). `fuser -v {path}` shows which process holds it."
    ))
}

/// The name of the group owning `path`, from /etc/group.
#[cfg(unix)]
fn group_of(path: &str) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let gid = std::fs::metadata(path).ok()?.gid();
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == gid).then(|| name.to_owned())
    })
}

#[cfg(not(unix))]
fn group_of(_path: &str) -> Option<String> {
    None
}

/// Sets an FTDI adapter's latency timer to 1 ms, following symlinks to find its ttyUSBn name.
#[cfg(target_os = "linux")]
fn tune_latency(path: &str) -> Option<String> {
    let device = std::fs::canonicalize(path).ok()?;
    let tty = device.file_name()?.to_str()?;
    latency_timer(Path::new("/sys/bus/usb-serial/devices"), tty)
}

#[cfg(not(target_os = "linux"))]
fn tune_latency(_path: &str) -> Option<String> {
    None
}

/// Sets `<sysfs>/<tty>/latency_timer` to 1 ms if it exists; says what happened.
fn latency_timer(sysfs: &Path, tty: &str) -> Option<String> {
    let file = sysfs.join(tty).join("latency_timer");
    if !file.exists() {
        return None;
    }
    let read = || {
        std::fs::read_to_string(&file)
            .ok()?
            .trim()
            .parse::<u32>()
            .ok()
    };
    let was = read();
    if was == Some(1) {
        return Some("FTDI latency timer is 1 ms".to_owned());
    }
    let why = match std::fs::write(&file, "1") {
        Ok(()) if read() == Some(1) => {
            let was = was.map_or_else(String::new, |ms| format!(" (was {ms} ms)"));
            return Some(format!("FTDI latency timer set to 1 ms{was}"));
        }
        Ok(()) => "the driver kept its value".to_owned(),
        Err(e) => e.to_string(),
    };
    Some(latency_unwritable(tty, was, &why))
}

fn latency_unwritable(tty: &str, was: Option<u32>, why: &str) -> String {
    let problem = match was {
        Some(ms) => {
            format!("is {ms} ms and not writable ({why}): packets will arrive in {ms} ms bursts")
        }
        None => format!("could not be set to 1 ms ({why}): packets may arrive in bursts"),
    };
    format!(
        "FTDI latency timer {problem}; to fix: echo 1 | sudo tee \
         /sys/bus/usb-serial/devices/{tty}/latency_timer, or for good with a udev rule in \
         /etc/udev/rules.d/99-openeeg.rules: ACTION==\"add\", SUBSYSTEM==\"usb-serial\", \
         DRIVER==\"ftdi_sio\", ATTR{{latency_timer}}=\"1\""
    )
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::Write;
    use std::process::Command;

    use serialport::TTYPort;

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
    fn a_second_reader_is_refused_as_busy() {
        let (_master, _slave, path) = pty();
        let _first = open(&path, options(50));
        let e = SerialSource::open(&path, 57600, options(50), Instant::now()).unwrap_err();
        assert_eq!(
            e.what,
            format!("{path} is busy: another program has it open")
        );
        assert!(e.fix.unwrap().contains(&format!("fuser -v {path}")));
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

    #[test]
    fn a_missing_device_says_so_and_how_to_choose() {
        let e = SerialSource::open(
            "/dev/ttyOPENEEG-missing",
            57600,
            options(50),
            Instant::now(),
        )
        .unwrap_err();
        assert_eq!(
            e.what,
            "serial device /dev/ttyOPENEEG-missing does not exist"
        );
        let fix = e.fix.unwrap();
        assert!(
            fix.contains("-l PATH") || fix.contains("No serial ports were found"),
            "{fix}"
        );

        let ports = [PortInfo {
            path: "/dev/ttyUSB0".into(),
            vid: Some(0x0403),
            pid: Some(0x6001),
            serial_number: None,
            manufacturer: None,
            product: None,
            likely_openeeg: true,
        }];
        let fix = missing_error("/dev/ttyUSB1", &ports).fix.unwrap();
        assert!(
            fix.contains("/dev/ttyUSB0") && fix.contains("-l PATH") && fix.contains("--list"),
            "{fix}"
        );
        assert!(
            missing_error("/dev/x", &[])
                .fix
                .unwrap()
                .contains("No serial ports were found")
        );
    }

    #[test]
    fn a_dangling_link_names_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("eeg");
        std::os::unix::fs::symlink("/dev/ttyOPENEEG-gone", &link).unwrap();
        let e = SerialSource::open(link.to_str().unwrap(), 57600, options(50), Instant::now())
            .unwrap_err();
        assert!(
            e.what
                .ends_with("(it links to /dev/ttyOPENEEG-gone, which is missing)"),
            "{e}"
        );
    }

    #[test]
    fn a_regular_file_points_to_replay() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let path = file.path().to_str().unwrap();
        let e = SerialSource::open(path, 57600, options(50), Instant::now()).unwrap_err();
        assert_eq!(
            e.fix.unwrap(),
            format!("To decode a capture file use --replay {path}")
        );
    }

    #[test]
    fn permission_denied_explains_the_group_and_the_udev_rule() {
        let e = permission_error("/dev/ttyUSB0", Some("uucp".into()));
        assert_eq!(e.what, "permission denied opening /dev/ttyUSB0");
        let fix = e.fix.unwrap();
        assert!(fix.contains("sudo usermod -aG uucp $USER"), "{fix}");
        assert!(fix.contains("log out and back in"));
        assert!(fix.contains(
            r#"SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", ATTRS{idProduct}=="6001", MODE="0660", GROUP="uucp""#
        ));
        assert!(fix.contains("/etc/udev/rules.d/99-openeeg.rules"));
        assert!(fix.contains("never needs root"));
        // A device left to root gets the usual group rather than advice to join root.
        let fix = permission_error("/dev/ttyUSB0", Some("root".into()))
            .fix
            .unwrap();
        assert!(fix.contains("sudo usermod -aG dialout $USER"), "{fix}");
    }

    #[test]
    fn the_latency_timer_is_set_when_writable() {
        let sysfs = tempfile::tempdir().unwrap();
        let dir = sysfs.path().join("ttyUSB0");
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(
            latency_timer(sysfs.path(), "ttyUSB1"),
            None,
            "not an FTDI adapter"
        );

        std::fs::write(dir.join("latency_timer"), "16\n").unwrap();
        assert_eq!(
            latency_timer(sysfs.path(), "ttyUSB0").as_deref(),
            Some("FTDI latency timer set to 1 ms (was 16 ms)")
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("latency_timer")).unwrap(),
            "1"
        );
        assert_eq!(
            latency_timer(sysfs.path(), "ttyUSB0").as_deref(),
            Some("FTDI latency timer is 1 ms")
        );
    }

    #[test]
    fn an_unwritable_latency_timer_says_what_it_costs_and_how_to_fix_it() {
        let note = latency_unwritable("ttyUSB0", Some(16), "Permission denied");
        assert!(note.starts_with(
            "FTDI latency timer is 16 ms and not writable (Permission denied): packets will arrive in 16 ms bursts; to fix: "
        ), "{note}");
        assert!(
            note.contains("echo 1 | sudo tee /sys/bus/usb-serial/devices/ttyUSB0/latency_timer")
        );
        assert!(note.contains(r#"ATTR{latency_timer}="1""#));
    }
}
