//! Where bytes come from: a serial device, a capture file or standard input, or the simulator.

use std::time::{Duration, Instant};

/// What a source produced.
///
/// Times are since the session started, on a monotonic clock, in whole microseconds (see
/// [`since`]), so that `--record-raw`'s arrivals file keeps them exactly and a replay feeds the
/// decoder and the clock model the very same values.
#[derive(Debug, PartialEq, Eq)]
pub enum Input<'a> {
    /// Bytes, and when they arrived; `None` for bytes without a known time (a capture replayed
    /// without its arrivals file).
    Bytes(&'a [u8], Option<Duration>),
    /// Nothing arrived until this time (a read timeout): the stream is quiet for now.
    Quiet(Duration),
    /// The device went away; the source is waiting for it to come back.
    Gone {
        /// What happened, for people.
        reason: String,
        /// When.
        when: Moment,
    },
    /// The device is back.
    Back {
        /// Which device (path or USB serial number).
        device: String,
        /// When.
        when: Moment,
    },
    /// The input ended (end of file; or the device went away with `--exit-on-disconnect`).
    End,
}

/// When something happened, on the session's clock and on the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// Since the session started, in whole microseconds.
    pub at: Duration,
    /// Microseconds since the Unix epoch.
    pub wall_us: i64,
}

impl Moment {
    /// Now, in a session that started at `session_start`.
    pub fn now(session_start: Instant) -> Self {
        Self {
            at: since(session_start),
            wall_us: crate::acquire::wall_clock_us(),
        }
    }
}

/// The time since `start` in whole microseconds: the resolution of every input's time. A
/// serial read's jitter is far coarser, and the arrivals file holds microseconds exactly.
pub fn since(start: Instant) -> Duration {
    Duration::from_micros(start.elapsed().as_micros() as u64)
}

/// A byte source the acquisition loop reads from.
pub trait Source {
    /// Blocks until something happens (bytes, a read timeout, the device going or coming back,
    /// the end); never busy-waits.
    fn next(&mut self) -> Result<Input<'_>, crate::error::Error>;
    /// Whether its bytes carry arrival times (a device, the simulator, a paced replay, a replay
    /// with its arrivals file): the decoder then tells lost packets from a restart by them, and
    /// the clock model times packets by them.
    fn has_arrival_times(&self) -> bool;
    /// Whether input comes as it happens (a device, the simulator, a `--realtime` replay):
    /// standard output then gets every packet at once, and a long silence is reported.
    fn is_real_time(&self) -> bool;
    /// For headers and messages.
    fn describe(&self) -> String;
    /// For a recorded session being replayed: the wall-clock time of its start (microseconds
    /// since the Unix epoch), which its input times count from. `None` for a session happening
    /// now.
    fn recorded_start_us(&self) -> Option<i64> {
        None
    }
}

pub mod arrivals;
pub mod discover;
pub mod replay;
pub mod serial;
pub mod simulate;
