//! A serial device as a source: blocking reads with a timeout, and surviving unplug and replug.
//! [`open`] opens the port raw and exclusive, [`reconnect`] finds the device again, and
//! [`latency_timer`] makes an FTDI adapter pass bytes on at once.
//!
//! When the device goes away the port is closed at once, so a replugged adapter gets its old
//! name back, and the source polls for it every [`RECONNECT_POLL`] without ever blocking the
//! caller for longer than the read timeout.

mod latency_timer;
mod open;
mod reconnect;

use std::io::{self, Read};
use std::thread;
use std::time::{Duration, Instant};

use self::open::Port;
use self::reconnect::Device;
use super::{Input, Moment, Source};
use crate::error::Error;

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
    /// The device first opened, to find it again.
    device: Device,
    /// The path currently open: differs from the one given after the device came back elsewhere.
    current: String,
    baud: u32,
    options: SerialOptions,
    session_start: Instant,
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
    /// control and exclusively (see [`open::port`]); on Linux sets an FTDI adapter's latency
    /// timer to 1 ms (see [`latency_note`](Self::latency_note)). Arrival times are measured
    /// from `session_start`.
    pub fn open(
        path: &str,
        baud: u32,
        mut options: SerialOptions,
        session_start: Instant,
    ) -> Result<Self, Error> {
        options.read_timeout = options.read_timeout.max(Duration::from_millis(1));
        let port = open::port(path, baud, options.read_timeout)
            .map_err(|failure| failure.explain(path))?;
        Ok(Self {
            device: Device::at(path),
            current: path.to_owned(),
            baud,
            options,
            session_start,
            state: State::Open(port),
            buf: vec![0; BUF_LEN],
            zero_reads: 0,
            latency: latency_timer::tune(path),
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
        match self.device.reopen(self.baud, self.options.read_timeout) {
            Some((port, path)) => Input::Back {
                device: self.resume(port, path),
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

    /// Reads from `port`, at `path`, again; says which device is back.
    fn resume(&mut self, port: Port, path: String) -> String {
        self.state = State::Open(port);
        self.zero_reads = 0;
        self.latency = latency_timer::tune(&path);
        let mut back = path.clone();
        if let Some(serial) = self.device.serial_number() {
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

#[cfg(all(test, unix))]
mod tests;
