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
        return if b.iter().enumerate().all(|(i, &x)| fits(i, x)) { Check::NeedMore } else { Check::Invalid };
    };
    let high_bits = p[4] | p[6] | p[8] | p[10] | p[12] | p[14];
    if p[0] != SYNC0 || p[1] != SYNC1 || p[2] != VERSION || p[16] > MAX_SWITCHES || high_bits > MAX_HIGH_BYTE {
        return Check::Invalid;
    }
    // Channels are big-endian 16-bit words; decoding them in one pass lets the compiler use one
    // wide store, which the copies of the packet after it can read without a stall.
    let mut samples = [MID_SCALE; 6];
    for (sample, word) in samples.iter_mut().zip(p[4..16].chunks_exact(2)) {
        *sample = u16::from_be_bytes([word[0], word[1]]);
    }
    Check::Valid(Frame { counter: p[3], samples, channel_count: 6, switches: Some(p[16]), aux: None })
}

/// Whether the next packet's header starts at the start of `b` (the proof that the packet before
/// it ended where it should).
#[inline]
pub(super) fn header_at(b: &[u8]) -> Check<()> {
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
/// Three stories fit such bytes:
/// - junk was inserted after `p` (or `A5 5A` was doubled): `p` is real and the next packet
///   continues its counter;
/// - the next packet lost its first bytes: `gap` is that packet less one or two bytes and the
///   counter skips exactly one;
/// - `p` is a splice: a burst of lost bytes joined the head of one packet to the tail of a later
///   one, `gap` is the rest of that later packet, and the counter jumps; or junk inserted inside
///   `p` pushed its real tail, ending in its switches byte, into `gap`.
///
/// Only the first two deliver `p`; anything else is refused and counted as lost.
pub(super) fn accept_unaligned(p: &Frame, prev_switches: u8, gap: &[u8], next_counter: u8) -> bool {
    // A splice or an insertion puts a byte of the wrong field in the switches slot.
    if p.switches != Some(prev_switches) {
        return false;
    }
    match next_counter.wrapping_sub(p.counter) {
        // Junk after a packet does not end with that packet's switches byte; a displaced tail does.
        0 | 1 => gap.last() != Some(&prev_switches),
        2 => matches!(gap.len(), 15 | 16) && is_packet_missing_bytes(gap),
        _ => false,
    }
}

/// Whether `gap` is a packet with one or two of its bytes deleted.
fn is_packet_missing_bytes(gap: &[u8]) -> bool {
    let missing = PACKET_LEN - gap.len();
    let fits_without = |holes: &[usize]| {
        let mut offsets = (0..PACKET_LEN).filter(|o| !holes.contains(o));
        gap.iter().all(|&byte| offsets.next().is_some_and(|o| fits(o, byte)))
    };
    match missing {
        1 => (0..PACKET_LEN).any(|a| fits_without(&[a])),
        2 => (0..PACKET_LEN).any(|a| (a + 1..PACKET_LEN).any(|b| fits_without(&[a, b]))),
        _ => false,
    }
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
        let Check::Valid(f) = parse(&packet(7, 0x0F)) else { panic!() };
        assert_eq!(f.counter, 7);
        assert_eq!(f.samples, [0x0A5, 0x1A5, 0x2A5, 0x3A5, 0x0A5, 0x1A5]);
        assert_eq!(f.switches, Some(0x0F));
    }

    #[test]
    fn rejects_each_broken_field() {
        for (offset, byte) in [(0, 0xA4), (1, 0x5B), (2, 0x03), (4, 4), (14, 0xFF), (16, 0x10)] {
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
    fn recognises_a_packet_that_lost_its_sync_or_version_bytes() {
        let p = packet(3, 0x0F);
        assert!(is_packet_missing_bytes(&p[1..]));
        let mut no_version_counter = p[..2].to_vec();
        no_version_counter.extend(&p[4..]);
        assert!(is_packet_missing_bytes(&no_version_counter));
        assert!(!is_packet_missing_bytes(b"Reset signal lo"));
    }

    #[test]
    fn a_splice_is_refused_and_junk_after_a_packet_is_not() {
        let Check::Valid(p) = parse(&packet(10, 0x0F)) else { panic!() };
        // The tail of a later packet, then the packet after it: the counter jumps.
        let tail = &packet(12, 0x0F)[9..];
        assert!(!accept_unaligned(&p, 0x0F, tail, 13));
        // A text line inserted after the packet: the next packet continues the counter.
        assert!(accept_unaligned(&p, 0x0F, b"Reset signal logged.\r\n", 11));
        // Junk inserted inside the packet leaves its switches byte at the end of the gap.
        assert!(!accept_unaligned(&p, 0x0F, &[0x33, 0x0F], 11));
    }
}
