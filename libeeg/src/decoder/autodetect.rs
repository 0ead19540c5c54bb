//! Protocol detection: a run of consecutive packets that the other protocol cannot imitate.
//!
//! P2 bytes pass P3's bit-7 layout only by accident, and P3 bytes almost never hold `A5 5A 02`
//! followed by six bytes <= 3 in the right places. Requiring three packets in a row with
//! continuing counters makes an accidental lock practically impossible, even on damaged data.

use super::frame::Check;
use super::{p2, p3};
use crate::protocol::p2::PACKET_LEN as P2_LEN;

/// Packets in a row needed to lock.
const RUN: usize = 3;

/// Whether three P2 packets with continuing counters start at the start of `b`.
pub(super) fn p2_run(b: &[u8]) -> Check<()> {
    let mut previous = None;
    for k in 0..RUN {
        let frame = match p2::parse(&b[(k * P2_LEN).min(b.len())..]) {
            Check::Valid(frame) => frame,
            Check::NeedMore => return Check::NeedMore,
            Check::Invalid => return Check::Invalid,
        };
        if previous.is_some_and(|c: u8| frame.counter.wrapping_sub(c) > 1) {
            return Check::Invalid;
        }
        previous = Some(frame.counter);
    }
    Check::Valid(())
}

/// Whether three P3 packets of one length with continuing counters start at the start of `b`;
/// gives that length. Packets without channels (2 bytes) are too weak a signal to lock on.
pub(super) fn p3_run(b: &[u8]) -> Check<usize> {
    let len = match p3::run_len(b) {
        Some(len) if p3::LENGTHS[1..].contains(&len) => len,
        Some(_) => return Check::Invalid,
        None if b.len() < p3::LENGTHS[3] => return Check::NeedMore,
        None => return Check::Invalid,
    };
    let mut previous = None;
    for k in 0..RUN {
        let frame = match p3::parse(&b[(k * len).min(b.len())..], len) {
            Check::Valid(frame) => frame,
            Check::NeedMore => return Check::NeedMore,
            Check::Invalid => return Check::Invalid,
        };
        if previous.is_some_and(|c| p3::counter_delta(c, frame.counter) > 1) {
            return Check::Invalid;
        }
        previous = Some(frame.counter);
    }
    Check::Valid(len)
}
