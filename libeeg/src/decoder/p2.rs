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

/// Decides on a well-formed packet `p` (its bytes `p_bytes`) that directly follows the previous
/// delivered packet but is not followed by a header. `gap` holds the bytes between it and the
/// next well-formed packet, `next`; `last_samples` are the last delivered packet's.
///
/// Stories that fit such bytes:
/// - junk was inserted after `p` (or `A5 5A` was doubled): `p` is real and the next packet
///   continues its counter;
/// - the packets after `p` were damaged or lost: `p` is real and the counter jumps;
/// - `p` is a splice: a burst of lost bytes joined the head of `p` to a later packet X at
///   another offset, so `p`'s last bytes are X's and `gap` starts with the rest of X;
/// - junk inserted inside `p` closed it early and pushed its real tail, which ends in its
///   switches byte (the last packet's, or the next one's when they changed at `p`), to the end
///   of `gap`.
///
/// `p` is refused when one of the last two stories explains the bytes as simply as the others
/// (with as few faults) and would make any of its samples wrong. When only its switches byte
/// could be another's (a burst that ate exactly its last byte, junk inserted just before it),
/// its samples are right either way.
pub(super) fn accept_unaligned(
    p_bytes: &[u8],
    p: &Frame,
    prev_switches: u8,
    gap: &[u8],
    next: &Frame,
    last_samples: &[u16; 6],
) -> bool {
    // A splice or an insertion puts a byte of another field in the switches slot; the switches
    // rarely change, so a real packet here repeats the last ones, or has the next packet's when
    // they changed.
    let switches = [Some(prev_switches), next.switches];
    if !switches.contains(&p.switches) {
        return false;
    }
    let switches = |b: u8| switches.contains(&Some(b));
    let neighbours = [last_samples, &next.samples];
    let junk_inside = |inserted: usize, unclear: Unclear| {
        displaced_by_junk(p_bytes, p, gap, inserted, switches, neighbours, unclear)
    };
    if next.counter.wrapping_sub(p.counter) <= 1 {
        // Nothing was lost, so one fault made the gap: junk after `p`, or junk inside it whose
        // displaced tail ends the gap.
        return !junk_inside(gap.len(), Unclear::Refuse);
    }
    if packet_remains(gap, p.counter.wrapping_add(1), switches) {
        // One fault explains the gap (a packet that lost bytes, a burst between packets): only
        // a splice that one fault explains too can stand against it.
        return !splice_then_next(p_bytes, gap, switches);
    }
    // Two faults or more made the gap. A splice that fits the bytes is as likely as `p` being
    // real; so is junk inside `p` whose displaced tail ends where the next packet's remains
    // begin, when its samples are clearly nearer the neighbours'.
    if splice_before_damage(p_bytes, gap, switches) {
        return false;
    }
    let next_begins = |rest: &[u8]| {
        rest.is_empty() || rest.starts_with(&[SYNC0]) || rest.starts_with(&[SYNC1, VERSION])
    };
    !(1..=gap.len().min(MAX_JUNK_INSIDE))
        .any(|inserted| next_begins(&gap[inserted..]) && junk_inside(inserted, Unclear::Accept))
}

/// The longest junk inside a packet that the decoder looks for when the bytes after it are
/// damaged too (text lines and boot messages are shorter).
const MAX_JUNK_INSIDE: usize = 64;

/// Which way a comparison of samples goes when it is not clear.
#[derive(Clone, Copy)]
enum Unclear {
    /// The alternative reading is as likely as the packet: the packet must be clearly nearer.
    Refuse,
    /// The alternative needs more faults: it must be clearly nearer to refuse the packet.
    Accept,
}

/// Whether `inserted` bytes of junk inside `p` could have pushed its real tail into `gap`,
/// giving it other samples: taking `inserted` bytes out of `p` followed by `gap` somewhere
/// inside `p` leaves a well-formed packet whose last byte is a switches value the stream
/// carries, and whose samples the neighbouring packets' do not contradict (`unclear` says how
/// strongly). EEG moves little in 4 ms; junk bits land anywhere, so a real tail sits near the
/// neighbours and a junk one rarely does.
fn displaced_by_junk(
    p_bytes: &[u8],
    p: &Frame,
    gap: &[u8],
    inserted: usize,
    switches: impl Fn(u8) -> bool,
    neighbours: [&[u16; 6]; 2],
    unclear: Unclear,
) -> bool {
    if inserted == 0 || inserted > gap.len() {
        return false;
    }
    let seen = |i: usize| {
        if i < PACKET_LEN {
            p_bytes[i]
        } else {
            gap[i - PACKET_LEN]
        }
    };
    (1..PACKET_LEN - 1).any(|at| {
        let real: [u8; PACKET_LEN] =
            std::array::from_fn(|i| seen(if i < at { i } else { i + inserted }));
        match parse(&real) {
            Check::Valid(other) if other.samples != p.samples && switches(real[PACKET_LEN - 1]) => {
                let (from_p, from_other) = distances(&p.samples, &other.samples, neighbours);
                // Junk in a sample moves it by tens to hundreds of codes.
                match unclear {
                    Unclear::Refuse => from_other <= 2 * from_p + 64,
                    Unclear::Accept => 3 * from_other + 64 < from_p,
                }
            }
            _ => false,
        }
    })
}

/// Summed distance of `a` and of `b` to the neighbours, over the channels where they differ.
fn distances(a: &[u16; 6], b: &[u16; 6], neighbours: [&[u16; 6]; 2]) -> (u32, u32) {
    let mut sums = (0, 0);
    for ch in (0..6).filter(|&ch| a[ch] != b[ch]) {
        for n in neighbours {
            sums.0 += u32::from(a[ch].abs_diff(n[ch]));
            sums.1 += u32::from(b[ch].abs_diff(n[ch]));
        }
    }
    sums
}

/// Whether `gap` is what one fault leaves of the packets after one with counter `counter - 1`:
/// the head of the next packet (header, `counter`, as far as it goes) followed by the tail of a
/// packet (ending in a switches value the stream carries), with the bytes between them lost.
/// A packet that lost one byte, or a burst from inside the next packet into a later one.
fn packet_remains(gap: &[u8], counter: u8, switches: impl Fn(u8) -> bool) -> bool {
    let head_fits = |head: &[u8]| {
        head.iter().enumerate().all(|(i, &b)| fits(i, b))
            && head.get(3).is_none_or(|&c| c == counter)
    };
    (0..=gap.len().min(PACKET_LEN - 1)).any(|split| {
        let (head, tail) = gap.split_at(split);
        tail.len() < PACKET_LEN && head_fits(head) && is_tail(tail, &switches)
    })
}

/// Whether `tail` (at most 16 bytes) fits the end of a packet with a switches value the stream
/// carries. An empty tail fits: a burst may end exactly where a packet ends.
fn is_tail(tail: &[u8], switches: impl Fn(u8) -> bool) -> bool {
    let start = PACKET_LEN - tail.len();
    tail.last().is_none_or(|&b| switches(b))
        && tail.iter().enumerate().all(|(i, &b)| fits(start + i, b))
}

/// Whether packet `p` could be the head of one packet joined by a burst to a later packet X at
/// another offset, with `gap` exactly the rest of X, so that at least one of its sample bytes
/// is X's: its last two bytes must then fit X's layout `gap.len()` bytes earlier. (When only
/// its switches byte can be X's, its samples are its own.)
fn splice_then_next(p_bytes: &[u8], gap: &[u8], switches: impl Fn(u8) -> bool) -> bool {
    let l = gap.len();
    (1..PACKET_LEN - 1).contains(&l)
        && fits(PACKET_LEN - 1 - l, p_bytes[PACKET_LEN - 1])
        && fits(PACKET_LEN - 2 - l, p_bytes[PACKET_LEN - 2])
        && is_tail(gap, switches)
}

/// Whether packet `p` could be the head of one packet joined by a burst to a later packet X at
/// another offset, giving it some of X's samples, with `gap` starting with the rest of X (whole,
/// or missing one byte) and more damage after it.
fn splice_before_damage(p_bytes: &[u8], gap: &[u8], switches: impl Fn(u8) -> bool) -> bool {
    (1..PACKET_LEN - 1).any(|l| {
        fits(PACKET_LEN - 1 - l, p_bytes[PACKET_LEN - 1])
            && fits(PACKET_LEN - 2 - l, p_bytes[PACKET_LEN - 2])
            && (gap.get(..l).is_some_and(|tail| is_tail(tail, &switches))
                || gap
                    .get(..l - 1)
                    .is_some_and(|tail| is_tail_missing_one(tail, &switches)))
    })
}

/// Whether `bytes` are the last `bytes.len() + 1` bytes of a packet with one of them missing.
/// They must end in a switches value the stream carries, or, if the switches byte is the one
/// missing, still hold a high byte to check: two bytes of evidence or fewer fit anything.
fn is_tail_missing_one(bytes: &[u8], switches: impl Fn(u8) -> bool) -> bool {
    let start = PACKET_LEN - bytes.len() - 1;
    let fits_without = |missing: usize| {
        let offset = |i: usize| start + i + usize::from(i >= missing);
        bytes.iter().enumerate().all(|(i, &b)| fits(offset(i), b))
    };
    let ends_in_switches = bytes.last().is_some_and(|&b| switches(b));
    (ends_in_switches && (0..bytes.len()).any(fits_without))
        || (bytes.len() >= 3 && fits_without(bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(counter: u8, switches: u8) -> Frame {
        let Check::Valid(f) = parse(&packet(counter, switches)) else {
            panic!()
        };
        f
    }

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

    /// `accept_unaligned` for packet `p` with neighbours that carry the same samples.
    fn accept(p: &[u8], prev_switches: u8, gap: &[u8], next: &Frame) -> bool {
        let Check::Valid(frame) = parse(p) else {
            panic!()
        };
        let near = frame.samples;
        accept_unaligned(p, &frame, prev_switches, gap, next, &near)
    }

    #[test]
    fn a_splice_is_refused_and_real_packets_before_damage_are_not() {
        let p = packet(10, 0x0F);
        // With switches 0x01 (the Olimex shield's), a burst joined packet 10's first 15 bytes to
        // bytes 13-14 of packet 12 (a low byte and a high byte of 1): the gap is the rest of
        // packet 12, then packet 13. A burst that ate packet 11 and most of 12 explains the same
        // bytes with the packet real; one fault each, so the splice is not ruled out.
        let mut x = packet(12, 0x01);
        x[13] = 0x77;
        x[14] = 0x01;
        let mut spliced = packet(10, 0x01)[..15].to_vec();
        spliced.extend(&x[13..15]);
        assert!(!accept(&spliced, 0x01, &x[15..], &frame(13, 0x01)));
        // The same splice with more damage after it: packet 13 lost its sync byte.
        let mut gap = x[15..].to_vec();
        gap.extend(&packet(13, 0x01)[1..]);
        assert!(!accept(&spliced, 0x01, &gap, &frame(14, 0x01)));
        // The next packet lost its sync byte: one fault, no splice explains the 16 bytes.
        let real = packet(10, 0x01);
        assert!(accept(
            &real,
            0x01,
            &packet(11, 0x01)[1..],
            &frame(12, 0x01)
        ));
        // A text line inserted after the packet: the next packet continues the counter.
        assert!(accept(
            &p,
            0x0F,
            b"Reset signal logged.\r\n",
            &frame(11, 0x0F)
        ));
        // The next packet lost its sync byte, or a burst ate packets 11 and 12 and most of 13.
        assert!(accept(&p, 0x0F, &packet(11, 0x0F)[1..], &frame(12, 0x0F)));
        assert!(accept(&p, 0x0F, &packet(13, 0x0F)[13..], &frame(14, 0x0F)));
        // Only the switches byte could be another packet's: the samples are packet 10's.
        assert!(accept(&p, 0x0F, &packet(12, 0x0F)[14..], &frame(13, 0x0F)));
        // Switches that differ from the last ones are trusted when the next packet keeps them.
        assert!(accept(&p, 0x0E, b"junk", &frame(11, 0x0F)));
        assert!(!accept(&p, 0x0E, b"junk", &frame(11, 0x0E)));
    }

    #[test]
    fn junk_inside_a_packet_is_told_from_junk_after_it_by_the_samples() {
        let real = packet(10, 0x0F);
        // Junk `33 44` inserted before byte 15 (ch6's low byte) closes the packet early: its
        // last two bytes are junk, and its real tail (A5 0F) ends the gap.
        let mut early = real[..15].to_vec();
        early.extend([0x33, 0x0F]);
        let Check::Valid(seen) = parse(&early) else {
            panic!()
        };
        let near = frame(10, 0x0F).samples;
        let next = frame(11, 0x0F);
        assert!(!accept_unaligned(
            &early,
            &seen,
            0x0F,
            &[0xA5, 0x0F],
            &next,
            &near
        ));
        // The real packet followed by junk that happens to end in 0x0F: the alternative
        // reading's ch6 (low byte 0x33) is far from the neighbours, the packet's is not.
        assert!(accept_unaligned(
            &real,
            &frame(10, 0x0F),
            0x0F,
            &[0x33, 0x0F],
            &next,
            &near
        ));
        // Junk that ends in the new switches, when they change at this packet's successor.
        assert!(!accept_unaligned(
            &early,
            &seen,
            0x0F,
            &[0xA5, 0x07],
            &frame(11, 0x07),
            &near
        ));
        // Junk right before the switches byte changes nothing but the switches: harmless.
        let mut last_only = real[..16].to_vec();
        last_only.push(0x0F);
        assert!(accept_unaligned(
            &last_only,
            &frame(10, 0x0F),
            0x0F,
            &[0x0F],
            &next,
            &near
        ));
    }
}
