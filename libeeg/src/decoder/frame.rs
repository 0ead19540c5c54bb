//! What the framing checks return.

use crate::CHANNELS;

/// Outcome of checking bytes against a packet layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check<T> {
    /// The bytes fit the layout.
    Valid(T),
    /// The bytes present break the layout.
    Invalid,
    /// The bytes present fit so far; more are needed to decide.
    NeedMore,
}

impl<T> Check<T> {
    /// The same outcome with the valid value mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Check<U> {
        match self {
            Check::Valid(v) => Check::Valid(f(v)),
            Check::Invalid => Check::Invalid,
            Check::NeedMore => Check::NeedMore,
        }
    }
}

/// The fields of one well-formed packet, before it is placed in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Frame {
    pub counter: u8,
    pub samples: [u16; CHANNELS],
    pub channel_count: u8,
    /// Switches carried by this packet (every P2 packet; P3 only when `counter & 7 == 4`).
    pub switches: Option<u8>,
    /// P3 auxiliary byte.
    pub aux: Option<u8>,
}
