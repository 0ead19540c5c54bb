//! P3 framing: packets are runs of 7-bit bytes closed by a byte with bit 7 set.

use super::frame::{Check, Frame};
use crate::MID_SCALE;
use crate::protocol::p3::{END_BIT, RESERVED_BIT};

/// Packet lengths for 0, 2, 4 and 6 channels.
pub(super) const LENGTHS: [usize; 4] = [2, 5, 8, 11];

/// Whether the byte at `offset` of a `len`-byte packet is a high-bits byte (reserved bit 3).
#[inline]
fn is_high_bits(offset: usize) -> bool {
    offset >= 4 && (offset - 4).is_multiple_of(3)
}

/// Checks a `len`-byte packet at the start of `b`: bit 7 clear except on the last byte, reserved
/// bits clear.
pub(super) fn parse(b: &[u8], len: usize) -> Check<Frame> {
    for (i, &byte) in b.iter().take(len).enumerate() {
        let last = i + 1 == len;
        if (byte & END_BIT != 0) != last || (is_high_bits(i) && byte & RESERVED_BIT != 0) {
            return Check::Invalid;
        }
    }
    if b.len() < len {
        return Check::NeedMore;
    }
    let p = &b[..len];
    let mut samples = [MID_SCALE; 6];
    let pairs = (len - 2) / 3;
    for k in 0..pairs {
        let high = p[4 + 3 * k] & 0x7F;
        samples[2 * k] = u16::from(high >> 4 & 0x07) << 7 | u16::from(p[2 + 3 * k]);
        samples[2 * k + 1] = u16::from(high & 0x07) << 7 | u16::from(p[3 + 3 * k]);
    }
    let counter = p[0] >> 1;
    let aux = (p[0] & 1) << 7 | (p[1] & 0x7F);
    let switches = (counter & 7 == 4).then_some(aux & 0x0F);
    let channel_count = u8::try_from(2 * pairs).unwrap_or(6);
    Check::Valid(Frame { counter, samples, channel_count, switches, aux: Some(aux) })
}

/// The length of the run closed at the first end byte of `b`, if there is one.
pub(super) fn run_len(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x & END_BIT != 0).map(|i| i + 1)
}

/// Counter steps from `a` to `b` on the 6-bit counter.
pub(super) fn counter_delta(a: u8, b: u8) -> u8 {
    b.wrapping_sub(a) & 0x3F
}

/// Decides on a well-formed packet `p` (bytes `p_bytes`) that directly follows the previous
/// delivered packet but is not followed by a packet continuing its counter. `gap` holds the bytes
/// up to the next well-formed packet, whose counter is `next_counter`.
///
/// P3 splices of lost bytes change the run length, so they cannot pass. What can pass is junk
/// inserted inside a packet when the junk holds an end byte at the right place: the packet's
/// head then closes on the junk, and its real tail lands at the end of `gap`, just before the
/// next packet, which continues the counter. `p` is refused when `gap` ends in a tail that
/// completes its head to a well-formed packet.
pub(super) fn accept_unaligned(p_bytes: &[u8], p: &Frame, gap: &[u8], next_counter: u8) -> bool {
    if counter_delta(p.counter, next_counter) > 1 {
        // The next packet(s) were destroyed; an insertion inside `p` would not also do that.
        return true;
    }
    let len = p_bytes.len();
    // The last run of `gap` (after its last end byte but one).
    let run_start = gap[..gap.len().saturating_sub(1)]
        .iter()
        .rposition(|&x| x & END_BIT != 0)
        .map_or(0, |i| i + 1);
    let run = &gap[run_start..];
    let displaced_tail = (1..len).filter(|&head| len - head <= run.len()).any(|head| {
        let mut whole = p_bytes[..head].to_vec();
        whole.extend_from_slice(&run[run.len() - (len - head)..]);
        matches!(parse(&whole, len), Check::Valid(_))
    });
    !displaced_tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_six_channel_packet() {
        // counter 5, aux 0x84 (bit 7 travels in byte 0), samples 0x3FF, 0, 512, 513, 1, 1023.
        let b = [5 << 1 | 1, 0x04, 0x7F, 0x00, 0x70, 0x00, 0x01, 0x44, 0x01, 0x7F, 0x80 | 0x07];
        let Check::Valid(f) = parse(&b, 11) else { panic!() };
        assert_eq!(f.counter, 5);
        assert_eq!(f.aux, Some(0x84));
        assert_eq!(f.samples, [1023, 0, 512, 513, 1, 1023]);
        assert_eq!(f.channel_count, 6);
        assert_eq!(f.switches, None);
    }

    #[test]
    fn rejects_wrong_end_bits_and_reserved_bits() {
        let good = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80];
        assert!(matches!(parse(&good, 11), Check::Valid(_)));
        let mut early_end = good;
        early_end[5] = 0x80;
        assert_eq!(parse(&early_end, 11), Check::Invalid);
        assert_eq!(parse(&early_end[..7], 11), Check::Invalid);
        let mut reserved = good;
        reserved[7] = 0x08;
        assert_eq!(parse(&reserved, 11), Check::Invalid);
        assert_eq!(parse(&good[..6], 11), Check::NeedMore);
        assert_eq!(parse(&good, 8), Check::Invalid);
    }

    #[test]
    fn switches_come_from_aux_slot_four() {
        let Check::Valid(f) = parse(&[4 << 1, 0x80 | 0x0B], 2) else { panic!() };
        assert_eq!((f.counter, f.switches, f.channel_count), (4, Some(0x0B), 0));
        let Check::Valid(f) = parse(&[5 << 1, 0x80 | 0x0B], 2) else { panic!() };
        assert_eq!(f.switches, None);
    }

    #[test]
    fn junk_that_closed_a_packet_early_is_caught_by_its_displaced_tail() {
        let real = [6 << 1, 0, 1, 2, 0x11, 3, 4, 0x22, 5, 6, 0x80 | 0x33];
        // Junk `0x41 0xC0` inserted after 9 bytes: the first 11 bytes close on 0xC0.
        let mut spliced = real[..9].to_vec();
        spliced.extend([0x41, 0xC0]);
        let Check::Valid(p) = parse(&spliced, 11) else { panic!() };
        assert!(!accept_unaligned(&spliced, &p, &real[9..], 7));
        // The same packet followed by a junk run ending in an end byte is real.
        let Check::Valid(p) = parse(&real, 11) else { panic!() };
        assert!(accept_unaligned(&real, &p, &[0x41, 0x7F, 0xFF], 7));
    }
}
