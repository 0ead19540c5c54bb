//! One packet as every wire format carries it.

use super::ParseError;
use crate::{CHANNELS, MAX_CODE, MID_SCALE, Packet, Protocol};

/// The channels' names in every format: the text format's header, CSV columns, messages.
pub(crate) const CHANNEL_NAMES: [&str; CHANNELS] = ["ch1", "ch2", "ch3", "ch4", "ch5", "ch6"];

/// One packet with its sample time: a data line of the text format, a JSON packet object, a
/// `packet` row of a CSV recording.
///
/// It is the decoder's [`Packet`] placed in the session (its wall-clock time); microvolts are
/// not stored but derived when written, through the device's scale
/// ([`microvolts`](Self::microvolts)), so the raw codes stay the one source of truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record {
    /// Sample time in microseconds since the Unix epoch, from the clock model.
    pub timestamp_us: i64,
    /// Position in the session, counting lost packets, from 0.
    pub sample_index: u64,
    /// P2 or P3 (written as its version, 2 or 3).
    pub protocol: Protocol,
    /// The packet counter as sent (written as `frame` or `counter`): below 256 for P2, 64 for
    /// P3.
    pub counter: u8,
    /// Raw 10-bit ADC codes, 0..=1023, mid-scale 512.
    pub samples: [u16; CHANNELS],
    /// Switch inputs, bits 3..0 = PD5..PD2, pressed = 0 (15: none pressed).
    pub switches: u8,
}

impl Record {
    /// The record of a decoded packet sampled at `timestamp_us`.
    pub fn new(packet: &Packet, timestamp_us: i64) -> Self {
        Self {
            timestamp_us,
            sample_index: packet.sample_index,
            protocol: packet.protocol,
            counter: packet.counter,
            samples: packet.samples,
            switches: packet.switches,
        }
    }

    /// The samples in microvolts, `(code - 512) * microvolts_per_lsb`, as
    /// [`DeviceProfile::to_microvolts`](crate::units::DeviceProfile::to_microvolts) computes
    /// them.
    pub fn microvolts(&self, microvolts_per_lsb: f64) -> [f64; CHANNELS] {
        self.samples
            .map(|code| (f64::from(code) - f64::from(MID_SCALE)) * microvolts_per_lsb)
    }
}

/// The protocol whose version is `version` (2 or 3).
pub(crate) fn protocol_of_version(version: Option<u64>) -> Result<Protocol, ParseError> {
    match version {
        Some(2) => Ok(Protocol::P2),
        Some(3) => Ok(Protocol::P3),
        _ => Err(ParseError::invalid("version", "2 or 3")),
    }
}

/// A packet counter below `protocol`'s counter cycle.
pub(crate) fn counter(
    field: &'static str,
    value: Option<u64>,
    protocol: Protocol,
) -> Result<u8, ParseError> {
    value
        .filter(|&v| v < u64::from(protocol.counter_cycle()))
        .map(|v| v as u8)
        .ok_or(ParseError::invalid(
            field,
            match protocol {
                Protocol::P2 => "a P2 counter 0..=255",
                Protocol::P3 => "a P3 counter 0..=63",
            },
        ))
}

/// A 10-bit code.
pub(crate) fn code(field: &'static str, value: Option<u64>) -> Result<u16, ParseError> {
    value
        .filter(|&v| v <= u64::from(MAX_CODE))
        .map(|v| v as u16)
        .ok_or(ParseError::invalid(field, "a code 0..=1023"))
}

/// A switch byte, bits 3..0.
pub(crate) fn switches(field: &'static str, value: Option<u64>) -> Result<u8, ParseError> {
    value
        .filter(|&v| v <= u64::from(crate::p2::MAX_SWITCHES))
        .map(|v| v as u8)
        .ok_or(ParseError::invalid(field, "a switch byte 0..=15"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::DeviceProfile;

    #[test]
    fn microvolts_agree_with_the_device_profile() {
        for k in [0.5, 0.52, 0.488, 0.977, 1.0 / 3.0] {
            let profile = DeviceProfile::modular_eeg().with_scale(k);
            for code in 0..=1023 {
                let record = Record {
                    timestamp_us: 0,
                    sample_index: 0,
                    protocol: Protocol::P2,
                    counter: 0,
                    samples: [code; CHANNELS],
                    switches: 15,
                };
                assert_eq!(record.microvolts(k)[0], profile.to_microvolts(code));
            }
        }
    }
}
