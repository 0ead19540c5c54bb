//! P2 framing: which 17-byte windows are packets, and what the bytes after a packet prove.

use super::frame::{Check, Frame};
use crate::MID_SCALE;
use crate::protocol::p2::{MAX_HIGH_BYTE, MAX_SWITCHES, PACKET_LEN, SYNC0, SYNC1, VERSION};

const HEADER: [u8; 3] = [SYNC0, SYNC1, VERSION];

/// Whether `byte` may stand at `offset` (0..17) of a P2 packet.
#[inline]
fn fits(offset: usize, byte: u8) -> bool {
    match offset {
        0..=2 => byte == HEADER[offset],
        4..=14 if offset.is_multiple_of(2) => byte <= MAX_HIGH_BYTE,
        16 => byte <= MAX_SWITCHES,
        _ => true,
    }
}

/// Checks the packet layout at the start of `b`: header, high bytes <= 3, switches <= 0x0F.
#[inline]
pub(super) fn parse(b: &[u8]) -> Check<Frame> {
    let Some(p) = b.first_chunk::<PACKET_LEN>() else {
        return if b.iter().enumerate().all(|(i, &x)| fits(i, x)) {
            Check::NeedMore
        } else {
            Check::Invalid
        };
    };
    let high_bits = p[4] | p[6] | p[8] | p[10] | p[12] | p[14];
    if p[0] != SYNC0
        || p[1] != SYNC1
        || p[2] != VERSION
        || p[16] > MAX_SWITCHES
        || high_bits > MAX_HIGH_BYTE
    {
        return Check::Invalid;
    }
    // Channels are big-endian 16-bit words; decoding them in one pass lets the compiler use one
    // wide store, which the copies of the packet after it can read without a stall.
    let mut samples = [MID_SCALE; 6];
    for (sample, word) in samples.iter_mut().zip(p[4..16].chunks_exact(2)) {
        *sample = u16::from_be_bytes([word[0], word[1]]);
    }
    Check::Valid(Frame {
        counter: p[3],
        samples,
        channel_count: 6,
        switches: Some(p[16]),
        aux: None,
    })
}

/// Whether the next packet's header starts at the start of `b` (the proof that the packet before
/// it ended where it should).
#[inline]
pub(super) fn header_at(b: &[u8]) -> Check<()> {
    if let Some(h) = b.first_chunk::<3>() {
        // Compared byte by byte: a slice comparison calls memcmp on the hot path.
        return if h[0] == SYNC0 && h[1] == SYNC1 && h[2] == VERSION {
            Check::Valid(())
        } else {
            Check::Invalid
        };
    }
    let n = b.len().min(HEADER.len());
    if b[..n] != HEADER[..n] {
        Check::Invalid
    } else if n < HEADER.len() {
        Check::NeedMore
    } else {
        Check::Valid(())
    }
}

/// Decides on a well-formed packet `p` that directly follows the previous delivered packet but
/// is not followed by a header. `gap` holds the bytes between it and the next well-formed packet,
/// whose counter is `next_counter`.
///
/// Stories that fit such bytes:
/// - junk was inserted after `p` (or `A5 5A` was doubled): `p` is real and the next packet
///   continues its counter;
/// - the packets after `p` were damaged or lost: `p` is real and the counter jumps;
/// - `p` is a splice: a burst of lost bytes joined the head of `p` to the tail of a later packet
///   X, so `p`'s switches byte is one of X's bytes and `gap` starts with the rest of X;
/// - junk inserted inside `p` closed it early and pushed its real tail, which ends in its
///   switches byte, to the end of `gap`.
///
/// `p` is delivered only when the last two stories cannot explain the bytes.
pub(super) fn accept_unaligned(p: &Frame, prev_switches: u8, gap: &[u8], next_counter: u8) -> bool {
    // A splice or an insertion puts a byte of another field in the switches slot; the switches
    // rarely change, so a real packet here repeats them.
    if p.switches != Some(prev_switches) {
        return false;
    }
    match next_counter.wrapping_sub(p.counter) {
        0 | 1 => gap.last() != Some(&prev_switches),
        _ => !could_be_splice(prev_switches, gap),
    }
}

/// Whether a packet whose last byte is `switches` could be the head of one packet joined to a
/// later packet X with `gap` starting with X's last `l` bytes: the switches byte is then X's byte
/// at offset `16 - l`. (Taking more of X into the packet only adds constraints, and anything after
/// X's tail in `gap` may be damage.)
fn could_be_splice(switches: u8, gap: &[u8]) -> bool {
    (1..=gap.len().min(PACKET_LEN - 2)).any(|l| {
        fits(16 - l, switches)
            && gap[..l]
                .iter()
                .enumerate()
                .all(|(i, &b)| fits(PACKET_LEN - l + i, b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(counter: u8, switches: u8) -> Vec<u8> {
        let mut p = vec![SYNC0, SYNC1, VERSION, counter];
        for ch in 0..6u8 {
            p.extend([ch % 4, 0xA5]);
        }
        p.push(switches);
        p
    }

    #[test]
    fn parses_a_packet_high_byte_first() {
        let Check::Valid(f) = parse(&packet(7, 0x0F)) else {
            panic!()
        };
        assert_eq!(f.counter, 7);
        assert_eq!(f.samples, [0x0A5, 0x1A5, 0x2A5, 0x3A5, 0x0A5, 0x1A5]);
        assert_eq!(f.switches, Some(0x0F));
    }

    #[test]
    fn rejects_each_broken_field() {
        for (offset, byte) in [
            (0, 0xA4),
            (1, 0x5B),
            (2, 0x03),
            (4, 4),
            (14, 0xFF),
            (16, 0x10),
        ] {
            let mut p = packet(1, 0x0F);
            p[offset] = byte;
            assert_eq!(parse(&p), Check::Invalid, "offset {offset}");
            assert_eq!(parse(&p[..=offset]), Check::Invalid, "prefix to {offset}");
        }
        assert_eq!(parse(&packet(1, 0x0F)[..9]), Check::NeedMore);
    }

    #[test]
    fn header_proof_needs_three_bytes() {
        assert_eq!(header_at(&[]), Check::NeedMore);
        assert_eq!(header_at(&[0xA5, 0x5A]), Check::NeedMore);
        assert_eq!(header_at(&[0xA5, 0x5A, 0x02, 9]), Check::Valid(()));
        assert_eq!(header_at(&[0xA5, 0xA5]), Check::Invalid);
    }

    #[test]
    fn a_splice_is_refused_and_real_packets_before_damage_are_not() {
        let Check::Valid(p) = parse(&packet(10, 0x0F)) else {
            panic!()
        };
        // A burst joined packet 10's first 16 bytes to byte 11 of packet 12 (a low byte that
        // happens to be 0x0F): the gap is the rest of packet 12, then packet 13.
        let mut x = packet(12, 0x0F);
        x[11] = 0x0F;
        assert!(!accept_unaligned(&p, 0x0F, &x[12..], 13));
        // A text line inserted after the packet: the next packet continues the counter.
        assert!(accept_unaligned(&p, 0x0F, b"Reset signal logged.\r\n", 11));
        // Junk inserted inside the packet leaves its switches byte at the end of the gap.
        assert!(!accept_unaligned(&p, 0x0F, &[0x33, 0x0F], 11));
        // The next packet lost its sync byte, or a burst ate packets 11 and 12 and most of 13.
        assert!(accept_unaligned(&p, 0x0F, &packet(11, 0x0F)[1..], 12));
        assert!(accept_unaligned(&p, 0x0F, &packet(13, 0x0F)[13..], 14));
        // A packet whose switches differ from the last ones is not trusted without proof.
        assert!(!accept_unaligned(&p, 0x0E, b"junk", 11));
    }
}
