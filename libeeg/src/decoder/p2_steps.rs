//! The P2 arms of the decoder's state machine: in sync (the next packet is expected right
//! here) and hunting (looking for a packet whose end the next header proves).

use super::frame::{Check, Frame};
use super::{Decoder, Flow, p2};
use crate::protocol::p2::PACKET_LEN as P2_LEN;

impl Decoder {
    /// The previous packet's end is proven; the next one should start right here.
    #[inline(always)] // see `deliver`
    pub(super) fn p2_in_sync(&mut self) -> Flow {
        let frame = match p2::parse(self.window.bytes()) {
            Check::Valid(frame) => frame,
            Check::NeedMore => return self.wait(),
            Check::Invalid => return self.reject(),
        };
        match self.p2_end_proven(&frame) {
            Check::Valid(()) => self.deliver(frame, P2_LEN),
            Check::NeedMore if self.flushing() || self.may_deliver_early(&frame) => {
                self.deliver(frame, P2_LEN)
            }
            Check::NeedMore => self.wait(),
            // A header is where it belongs but the counters contradict the packet.
            Check::Invalid if p2::header_at(self.window.from(P2_LEN)) == Check::Valid(()) => {
                self.refuse()
            }
            Check::Invalid => match self.find_next(P2_LEN, p2::parse) {
                Check::Valid((at, next)) => {
                    let gap = &self.window.bytes()[P2_LEN..at];
                    if p2::accept_unaligned(&frame, self.switches, gap, next.counter) {
                        self.deliver(frame, P2_LEN)
                    } else {
                        self.refuse()
                    }
                }
                Check::NeedMore if !self.finished => Flow::Idle,
                _ => self.refuse(),
            },
        }
    }

    /// Whether the bytes after a well-formed P2 packet prove it: the next header stands where it
    /// should and, when the packet's counter does not continue the last one, its counter fits
    /// before the next packet's. (Junk holding a fake header can borrow the tail of the real
    /// packet it was inserted into; its counter is random and the packet after it continues
    /// the one before.)
    #[inline(always)] // see `deliver`
    pub(super) fn p2_end_proven(&self, frame: &Frame) -> Check<()> {
        let after = self.window.from(P2_LEN);
        match p2::header_at(after) {
            Check::Valid(()) if self.continues(frame) => Check::Valid(()),
            // The next header's counter byte is enough, even if that packet is damaged later.
            Check::Valid(()) => match after.get(3) {
                Some(&next) if self.counter_fits(frame.counter, next) => Check::Valid(()),
                Some(_) => Check::Invalid,
                None => Check::NeedMore,
            },
            other => other,
        }
    }

    /// Whether a packet with `counter` fits between the last delivered packet and the next one:
    /// the next continues it, or it lies strictly between them in counter order.
    pub(super) fn counter_fits(&self, counter: u8, next: u8) -> bool {
        let Some(last) = &self.last else { return true };
        let from_last = |c: u8| c.wrapping_sub(last.counter);
        next.wrapping_sub(counter) <= 1 || from_last(counter) < from_last(next)
    }

    /// Looking for a packet whose fields are valid and whose end the next header proves.
    pub(super) fn p2_hunt(&mut self) -> Flow {
        let bytes = self.window.bytes();
        match bytes.iter().position(|&b| b == crate::p2::SYNC0) {
            Some(0) => {}
            Some(i) => return self.skip(i),
            None => return self.skip(bytes.len()),
        }
        let frame = match p2::parse(bytes) {
            Check::Valid(frame) if !self.is_suspect(&frame) => frame,
            Check::NeedMore => return self.wait(),
            _ => return self.skip(1),
        };
        match self.p2_end_proven(&frame) {
            Check::Valid(()) => self.deliver(frame, P2_LEN),
            Check::NeedMore if self.flushing() && self.continues(&frame) => {
                self.deliver(frame, P2_LEN)
            }
            Check::NeedMore => self.wait(),
            Check::Invalid if p2::header_at(self.window.from(P2_LEN)) == Check::Valid(()) => {
                self.skip(1)
            }
            // No header after it: a packet between damaged ones, judged by what follows.
            Check::Invalid => match self.p2_judge_unproven(&frame) {
                Check::Valid(()) => self.deliver(frame, P2_LEN),
                Check::NeedMore => Flow::Idle,
                Check::Invalid => self.skip(1),
            },
        }
    }

    /// Judges a well-formed P2 packet found away from sync that no header follows: the next
    /// well-formed packet must itself be followed by a header, the packet's counter must fall
    /// between the last delivered packet's and that one's, and the bytes in between must not
    /// make it a splice or a packet with junk inside (see [`p2::accept_unaligned`]).
    pub(super) fn p2_judge_unproven(&mut self, frame: &Frame) -> Check<()> {
        let Some(last) = self.last else {
            return Check::Invalid;
        };
        let (at, next) = match self.find_next(P2_LEN, p2::parse) {
            Check::Valid(found) => found,
            Check::NeedMore if !self.finished => return Check::NeedMore,
            _ => return Check::Invalid,
        };
        let bytes = self.window.bytes();
        match p2::header_at(&bytes[at + P2_LEN..]) {
            Check::Valid(()) => {}
            Check::NeedMore if !self.finished => return Check::NeedMore,
            Check::NeedMore => {}
            Check::Invalid => return Check::Invalid,
        }
        let from_last = |c: u8| c.wrapping_sub(last.counter);
        let ordered = (1..from_last(next.counter)).contains(&from_last(frame.counter));
        if ordered && p2::accept_unaligned(frame, self.switches, &bytes[P2_LEN..at], next.counter) {
            Check::Valid(())
        } else {
            Check::Invalid
        }
    }
}
