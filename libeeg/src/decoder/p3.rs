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
    Check::Valid(Frame {
        counter,
        samples,
        channel_count,
        switches,
        aux: Some(aux),
    })
}

/// The length of the run closed at the first end byte of `b`, if there is one.
pub(super) fn run_len(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x & END_BIT != 0).map(|i| i + 1)
}

/// Counter steps from `a` to `b` on the 6-bit counter.
pub(super) fn counter_delta(a: u8, b: u8) -> u8 {
    b.wrapping_sub(a) & 0x3F
}

/// Decides on a well-formed packet `p` (bytes `p_bytes`) that the packet after it does not
/// prove. `gap` holds the bytes up to the next well-formed packet; `neighbours` are the samples
/// of the last delivered packet and of that next one.
///
/// P3 splices of lost bytes change the run length, so they cannot pass. What can pass is junk
/// inserted inside a packet when the junk holds an end byte at the right place: the packet's
/// head then closes on the junk, and its real tail, closed by its real end byte, lands somewhere
/// in `gap`. When a run in `gap` completes `p`'s head to a well-formed packet with other samples,
/// the bytes alone cannot say which packet is real (a lone end byte inserted before or after a
/// packet's last byte looks the same), so the samples decide: `p` is refused when the
/// alternative's samples sit clearly closer to the neighbours' than its own do. EEG moves
/// little in 4 ms; junk bits land anywhere.
pub(super) fn accept_unaligned(
    p_bytes: &[u8],
    p: &Frame,
    gap: &[u8],
    neighbours: [&[u16; 6]; 2],
) -> bool {
    let len = p_bytes.len();
    // Distance to the packets before and after, over the channels where `p` and `other` differ.
    let distances = |other: &Frame| -> (u32, u32) {
        let mut sums = (0, 0);
        for ch in (0..6).filter(|&ch| p.samples[ch] != other.samples[ch]) {
            for n in neighbours {
                sums.0 += u32::from(p.samples[ch].abs_diff(n[ch]));
                sums.1 += u32::from(other.samples[ch].abs_diff(n[ch]));
            }
        }
        sums
    };
    let mut run_start = 0;
    for (end, _) in gap.iter().enumerate().filter(|&(_, &b)| b & END_BIT != 0) {
        let run = &gap[run_start..=end];
        run_start = end + 1;
        let displaced = (1..len)
            .filter(|&head| len - head <= run.len())
            .any(|head| {
                let mut whole = p_bytes[..head].to_vec();
                whole.extend_from_slice(&run[run.len() - (len - head)..]);
                match parse(&whole, len) {
                    Check::Valid(other) if other.samples != p.samples || other.aux != p.aux => {
                        let (from_p, from_other) = distances(&other);
                        // Junk bits shift a sample by 128 codes or more; real steps are small.
                        from_p > 2 * from_other + 128
                    }
                    _ => false,
                }
            });
        if displaced {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_six_channel_packet() {
        // counter 5, aux 0x84 (bit 7 travels in byte 0), samples 0x3FF, 0, 512, 513, 1, 1023.
        let b = [
            5 << 1 | 1,
            0x04,
            0x7F,
            0x00,
            0x70,
            0x00,
            0x01,
            0x44,
            0x01,
            0x7F,
            0x80 | 0x07,
        ];
        let Check::Valid(f) = parse(&b, 11) else {
            panic!()
        };
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
        let Check::Valid(f) = parse(&[4 << 1, 0x80 | 0x0B], 2) else {
            panic!()
        };
        assert_eq!((f.counter, f.switches, f.channel_count), (4, Some(0x0B), 0));
        let Check::Valid(f) = parse(&[5 << 1, 0x80 | 0x0B], 2) else {
            panic!()
        };
        assert_eq!(f.switches, None);
    }

    #[test]
    fn junk_that_closed_a_packet_early_is_caught_by_its_displaced_tail() {
        let real = [6 << 1, 0, 1, 2, 0x11, 3, 4, 0x22, 5, 6, 0x80 | 0x33];
        // Junk `0x41 0xC0` inserted after 9 bytes: the first 11 bytes close on 0xC0.
        let mut spliced = real[..9].to_vec();
        spliced.extend([0x41, 0xC0]);
        let Check::Valid(p) = parse(&spliced, 11) else {
            panic!()
        };
        let last = [130, 131, 258, 261, 388, 391];
        assert!(!accept_unaligned(&spliced, &p, &real[9..], [&last, &last]));
        // The same packet followed by a junk run ending in an end byte is real.
        let Check::Valid(p) = parse(&real, 11) else {
            panic!()
        };
        assert!(accept_unaligned(
            &real,
            &p,
            &[0x41, 0x7F, 0xFF],
            [&last, &last]
        ));
    }
}
