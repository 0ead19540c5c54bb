//! Where bytes come from: a serial device, a capture file or standard input, or the simulator.

use std::time::Duration;

/// What a source produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Input<'a> {
    /// Bytes, and when they arrived (time since the session started, on a monotonic clock).
    Bytes(&'a [u8], Duration),
    /// Nothing arrived within the read timeout: the stream is quiet for now.
    Quiet,
    /// The device went away; the source is waiting for it to come back.
    Gone(String),
    /// The device is back (path or USB serial number).
    Back(String),
    /// The input ended (end of file; or the device went away with `--exit-on-disconnect`).
    End,
}

/// A byte source the acquisition loop reads from.
pub trait Source {
    /// Blocks until something happens (bytes, a read timeout, the device going or coming back,
    /// the end); never busy-waits.
    fn next(&mut self) -> Result<Input<'_>, crate::error::Error>;
    /// Whether the source is live (a device or the simulator): outputs flush every packet.
    fn is_live(&self) -> bool;
    /// For headers and messages.
    fn describe(&self) -> String;
}

pub mod discover;
pub mod replay;
pub mod serial;
pub mod simulate;
