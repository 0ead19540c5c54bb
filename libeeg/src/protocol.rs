//! The two OpenEEG serial framings and the facts about them the decoder relies on.

use std::fmt;

/// An OpenEEG packet format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Firmware "version 2" (ModularEEG, Olimex EEG-SMT): 17-byte packets behind `A5 5A 02`.
    P2,
    /// Firmware "version 3" (ModularEEG ATmega48 port): 7-bit bytes, bit 7 set on the last byte.
    P3,
}

impl Protocol {
    /// How many counter values there are before the counter wraps (256 for P2, 64 for P3).
    pub const fn counter_cycle(self) -> u16 {
        match self {
            Protocol::P2 => 256,
            Protocol::P3 => 64,
        }
    }

    /// The version number the original reader prints for this protocol (2 or 3).
    pub const fn version(self) -> u8 {
        match self {
            Protocol::P2 => 2,
            Protocol::P3 => 3,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::P2 => f.write_str("P2"),
            Protocol::P3 => f.write_str("P3"),
        }
    }
}

/// P2 wire constants.
pub mod p2 {
    /// First sync byte.
    pub const SYNC0: u8 = 0xA5;
    /// Second sync byte.
    pub const SYNC1: u8 = 0x5A;
    /// Version byte.
    pub const VERSION: u8 = 0x02;
    /// Bytes in one packet.
    pub const PACKET_LEN: usize = 17;
    /// Highest valid value of a channel's high byte (bits 9..8).
    pub const MAX_HIGH_BYTE: u8 = 0x03;
    /// Highest valid switches byte (bits 7..4 are always 0).
    pub const MAX_SWITCHES: u8 = 0x0F;
}

/// P3 wire constants.
pub mod p3 {
    /// Bit 7 marks the last byte of a packet; every other byte has it clear.
    pub const END_BIT: u8 = 0x80;
    /// Bit 3 of every high-bits byte is reserved and always 0.
    pub const RESERVED_BIT: u8 = 0x08;
    /// Bytes in a 6-channel packet.
    pub const PACKET_LEN_6CH: usize = 11;
    /// The id string the firmware spells out, one character every 8 packets.
    pub const DEVICE_ID: &str = "mEEGv1.0";

    /// Packet length for a channel count (0, 2, 4 or 6).
    pub const fn packet_len(channels: usize) -> usize {
        2 + 3 * (channels / 2)
    }
}
