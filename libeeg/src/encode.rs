//! Encoders for P2 and P3: the inverse of the decoder.
//!
//! [`encode_p2`] and [`encode_p3`] write one packet from explicit fields; [`Encoder`] keeps the
//! state a device keeps (the counter and the P3 aux schedule) so a caller only supplies samples.
//! Every function masks its inputs to the bits the wire carries instead of panicking, so any
//! value can be fed in; the simulator and fault injector rely on that.

use crate::{CHANNELS, MAX_CODE, Protocol, p2, p3};

/// Switches value with no switch pressed (pull-ups read 1).
const IDLE_SWITCHES: u8 = 0x0F;

/// Appends one 17-byte P2 packet to `out`.
///
/// Layout: `A5 5A 02 counter`, then per channel the high byte (bits 9..8) and the low byte,
/// then the switches. Masking: each sample keeps its low 10 bits (`& 0x3FF`) and `switches`
/// its low 4 bits (`& 0x0F`), the only bits P2 can carry.
pub fn encode_p2(counter: u8, samples: &[u16; CHANNELS], switches: u8, out: &mut Vec<u8>) {
    out.reserve(p2::PACKET_LEN);
    out.extend_from_slice(&[p2::SYNC0, p2::SYNC1, p2::VERSION, counter]);
    for &sample in samples {
        let code = sample & MAX_CODE;
        out.push((code >> 8) as u8);
        out.push((code & 0xFF) as u8);
    }
    out.push(switches & p2::MAX_SWITCHES);
}

/// Appends one P3 packet carrying `samples` to `out`: `2 + 3 * n / 2` bytes for `n` channels.
///
/// Byte 0 is `(counter & 63) << 1 | aux >> 7`, byte 1 is `aux & 0x7F`; each pair of channels
/// `a, b` follows as `a & 0x7F`, `b & 0x7F`, `0 a9 a8 a7 0 b9 b8 b7`. Bit 7 is set on the last
/// byte only.
///
/// Masking: the counter keeps 6 bits and each sample 10 bits. The channel count is
/// `samples.len()` capped at 6 and rounded down to even (0, 2, 4 or 6), so an odd trailing
/// sample or anything past the sixth is ignored.
pub fn encode_p3(counter: u8, aux: u8, samples: &[u16], out: &mut Vec<u8>) {
    let channels = p3_channels(samples.len());
    out.reserve(p3::packet_len(channels));
    out.push(((counter & 0x3F) << 1) | (aux >> 7));
    out.push(aux & 0x7F);
    for pair in samples[..channels].chunks_exact(2) {
        let (a, b) = (pair[0] & MAX_CODE, pair[1] & MAX_CODE);
        out.push((a & 0x7F) as u8);
        out.push((b & 0x7F) as u8);
        out.push((((a >> 7) as u8) << 4) | (b >> 7) as u8);
    }
    // Always present: at least the aux byte was just pushed.
    if let Some(last) = out.last_mut() {
        *last |= p3::END_BIT;
    }
}

/// The P3 channel count a request for `n` channels turns into: capped at 6, rounded down to even.
const fn p3_channels(n: usize) -> usize {
    let capped = if n > CHANNELS { CHANNELS } else { n };
    capped & !1
}

/// A device's encoding state: the packet counter and, for P3, the aux byte schedule.
///
/// Call [`Encoder::encode`] once per sample frame. P3 aux follows `counter & 7`: slot 0 sends
/// the next character of the NUL-terminated id [`p3::DEVICE_ID`] (cycling `m E E G v 1 . 0 NUL`),
/// slot 4 sends the switches, every other slot sends 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoder {
    protocol: Protocol,
    /// Counter of the next packet, already reduced to the protocol's cycle.
    counter: u8,
    /// Channels per P3 packet (always 6 for P2).
    channels: usize,
    /// Position in the id string of the next slot-0 aux character.
    id_index: usize,
}

impl Encoder {
    /// An encoder whose first packet carries `first_counter` (reduced to 6 bits for P3).
    /// P3 packets carry 6 channels until [`Encoder::with_channels`] says otherwise.
    pub fn new(protocol: Protocol, first_counter: u8) -> Self {
        let mut encoder = Self {
            protocol,
            counter: 0,
            channels: CHANNELS,
            id_index: 0,
        };
        encoder.set_counter(first_counter);
        encoder
    }

    /// Sets how many channels each P3 packet carries: capped at 6 and rounded down to even
    /// (0, 2, 4 or 6). P2 always carries 6, so this changes nothing for P2.
    #[must_use]
    pub fn with_channels(mut self, channels: usize) -> Self {
        if self.protocol == Protocol::P3 {
            self.channels = p3_channels(channels);
        }
        self
    }

    /// The protocol this encoder writes.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Channels each packet carries (6 for P2; 0, 2, 4 or 6 for P3).
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Length in bytes of every packet this encoder writes.
    pub fn packet_len(&self) -> usize {
        match self.protocol {
            Protocol::P2 => p2::PACKET_LEN,
            Protocol::P3 => p3::packet_len(self.channels),
        }
    }

    /// The counter the next packet will carry.
    pub fn next_counter(&self) -> u8 {
        self.counter
    }

    /// Makes the next packet carry `counter`, reduced to the protocol's cycle (6 bits for P3),
    /// as a firmware reset would. The P3 id position is kept.
    pub fn set_counter(&mut self, counter: u8) {
        self.counter = (u16::from(counter) % self.protocol.counter_cycle()) as u8;
    }

    /// The aux byte the next packet will carry given these switches; `None` for P2.
    pub fn next_aux(&self, switches: u8) -> Option<u8> {
        match self.protocol {
            Protocol::P2 => None,
            Protocol::P3 => Some(match self.counter & 7 {
                0 => id_char(self.id_index),
                4 => switches & IDLE_SWITCHES,
                _ => 0,
            }),
        }
    }

    /// Appends the next packet to `out` and advances the counter (and the P3 id position).
    /// P3 uses the first [`Encoder::channels`] samples. Inputs are masked as in [`encode_p2`]
    /// and [`encode_p3`].
    pub fn encode(&mut self, samples: &[u16; CHANNELS], switches: u8, out: &mut Vec<u8>) {
        match self.next_aux(switches) {
            None => encode_p2(self.counter, samples, switches, out),
            Some(aux) => {
                encode_p3(self.counter, aux, &samples[..self.channels], out);
                if self.counter & 7 == 0 {
                    self.id_index = (self.id_index + 1) % (p3::DEVICE_ID.len() + 1);
                }
            }
        }
        self.set_counter(self.counter.wrapping_add(1));
    }
}

/// Character `index` of the NUL-terminated device id (the NUL is the last position).
fn id_char(index: usize) -> u8 {
    p3::DEVICE_ID.as_bytes().get(index).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p2_known_packet() {
        let mut out = Vec::new();
        encode_p2(0x10, &[0, 1023, 512, 0x1A5, 0x25A, 3], 0x0F, &mut out);
        let expected = [
            0xA5, 0x5A, 0x02, 0x10, 0x00, 0x00, 0x03, 0xFF, 0x02, 0x00, 0x01, 0xA5, 0x02, 0x5A,
            0x00, 0x03, 0x0F,
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn p2_masks_out_of_range_inputs() {
        let mut out = Vec::new();
        encode_p2(0, &[0xFFFF, 0x0400, 0, 0, 0, 0], 0xF3, &mut out);
        assert_eq!(&out[4..8], &[0x03, 0xFF, 0x00, 0x00]);
        assert_eq!(out[16], 0x03);
    }

    #[test]
    fn p3_known_packet() {
        let mut out = Vec::new();
        encode_p3(5, 0xC5, &[0x3FF, 0, 0x155, 0x2AA, 512, 1], &mut out);
        let expected = [
            0x0B, 0x45, 0x7F, 0x00, 0x70, 0x55, 0x2A, 0x25, 0x00, 0x01, 0xC0,
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn p3_lengths_and_end_bit() {
        for (n, len) in [(0, 2), (1, 2), (2, 5), (4, 8), (6, 11), (9, 11)] {
            let mut out = Vec::new();
            encode_p3(63, 0xFF, &[1023; 9][..n], &mut out);
            assert_eq!(out.len(), len, "{n} samples");
            let (last, head) = out.split_last().unwrap();
            assert!(last & p3::END_BIT != 0);
            assert!(head.iter().all(|b| b & p3::END_BIT == 0), "{out:02X?}");
        }
    }

    #[test]
    fn p2_encoder_counts_and_wraps() {
        let mut enc = Encoder::new(Protocol::P2, 254);
        let mut out = Vec::new();
        for _ in 0..3 {
            enc.encode(&[512; CHANNELS], 0x0F, &mut out);
        }
        let counters: Vec<u8> = out.chunks(p2::PACKET_LEN).map(|p| p[3]).collect();
        assert_eq!(counters, [254, 255, 0]);
        assert_eq!(enc.next_counter(), 1);
    }

    #[test]
    fn p3_id_schedule() {
        let mut enc = Encoder::new(Protocol::P3, 0);
        let mut id = Vec::new();
        for _ in 0..(64 * 3) {
            let counter = enc.next_counter();
            let mut out = Vec::new();
            enc.encode(&[512; CHANNELS], 0x0B, &mut out);
            let aux = ((out[0] & 1) << 7) | (out[1] & 0x7F);
            assert_eq!(out[0] >> 1, counter);
            match counter & 7 {
                0 => id.push(aux),
                4 => assert_eq!(aux, 0x0B),
                _ => assert_eq!(aux, 0),
            }
        }
        // 24 slot-0 packets: the id and its NUL, repeated.
        assert_eq!(&id[..], b"mEEGv1.0\0mEEGv1.0\0mEEGv1");
    }

    #[test]
    fn p3_encoder_channels_and_counter_cycle() {
        let mut enc = Encoder::new(Protocol::P3, 70).with_channels(3);
        assert_eq!(enc.next_counter(), 6);
        assert_eq!(enc.channels(), 2);
        assert_eq!(enc.packet_len(), 5);
        enc.set_counter(63);
        let mut out = Vec::new();
        enc.encode(&[512; CHANNELS], 0x0F, &mut out);
        assert_eq!(out.len(), 5);
        assert_eq!(enc.next_counter(), 0);
        assert_eq!(Encoder::new(Protocol::P2, 0).with_channels(2).channels(), 6);
    }
}
