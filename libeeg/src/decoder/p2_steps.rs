//! The P2 arms of the decoder's state machine: in sync (the next packet is expected right
//! here) and hunting (looking for a packet whose end the next header proves).

use super::frame::{Check, Frame};
use super::{Decoder, Flow, STALL_CHAIN, is_reset_signal, p2};
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
                    // A counter after the next credible packet's is junk's: a fake header on a
                    // real tail. (The next well-formed packet may be such a fake itself.)
                    let bound = match self.p2_find_next_credible(P2_LEN) {
                        Check::Valid((_, credible)) => credible.counter,
                        Check::NeedMore if !self.finished => return Flow::Idle,
                        _ => next.counter,
                    };
                    let bytes = self.window.bytes();
                    let last_samples = self.last.map_or(next.samples, |last| last.samples);
                    if self.not_after(frame.counter, bound)
                        && p2::accept_unaligned(
                            &bytes[..P2_LEN],
                            &frame,
                            self.switches,
                            &bytes[P2_LEN..at],
                            &next,
                            &last_samples,
                        )
                    {
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
    /// the one before.) A packet whose switches changed needs more (see
    /// [`p2_new_switches_proven`](Self::p2_new_switches_proven)).
    #[inline(always)] // see `deliver`
    pub(super) fn p2_end_proven(&mut self, frame: &Frame) -> Check<()> {
        let after = self.window.from(P2_LEN);
        match p2::header_at(after) {
            Check::Valid(()) if frame.switches != Some(self.switches) => {
                self.p2_new_switches_proven(frame)
            }
            Check::Valid(()) if self.continues(frame) => Check::Valid(()),
            // The next header's counter byte is enough, even if that packet is damaged later.
            // A header repeating the counter makes one of the two a fake: refused, not guessed.
            Check::Valid(()) => match after.get(3) {
                Some(&next) if next != frame.counter && self.counter_fits(frame.counter, next) => {
                    Check::Valid(())
                }
                Some(&next) if next == frame.counter => self.p2_stall_chain(),
                Some(_) => Check::Invalid,
                None => Check::NeedMore,
            },
            other => other,
        }
    }

    /// Whether a packet whose switches differ from the last ones, with a header after it, is
    /// proven. Switches rarely change, and a misaligned splice puts a byte of some other field in
    /// their slot; the header after it may be junk's. So the next packet must be well-formed, or
    /// the next well-formed packet must repeat the new switches, and its counter must fit.
    fn p2_new_switches_proven(&mut self, frame: &Frame) -> Check<()> {
        match self.find_next(P2_LEN, p2::parse) {
            Check::Valid((at, next)) if at == P2_LEN || next.switches == frame.switches => {
                let fits = self.continues(frame) || self.counter_fits(frame.counter, next.counter);
                if fits {
                    Check::Valid(())
                } else {
                    Check::Invalid
                }
            }
            Check::NeedMore => Check::NeedMore,
            _ => Check::Invalid,
        }
    }

    /// Whether `counter` comes after the last delivered packet's and before `next`.
    fn strictly_before(&self, counter: u8, next: u8) -> bool {
        let Some(last) = &self.last else { return true };
        let from_last = |c: u8| c.wrapping_sub(last.counter);
        from_last(counter) < from_last(next)
    }

    /// Whether `counter` does not come after `next`, counting from the last delivered packet.
    fn not_after(&self, counter: u8, next: u8) -> bool {
        let Some(last) = &self.last else { return true };
        counter.wrapping_sub(last.counter) <= next.wrapping_sub(last.counter)
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
            Check::Valid(frame) => frame,
            Check::NeedMore => return self.wait(),
            Check::Invalid => {
                // Junk with a fake header may be inside it (see `p2_follows_failed`).
                if let Some(counter) = self.counter_at_start() {
                    self.suspect = Some((self.window.offset(), counter));
                }
                return self.skip(1);
            }
        };
        match self.p2_found_proven(&frame) {
            Check::Valid(()) => self.deliver(frame, P2_LEN),
            Check::NeedMore
                if self.flushing()
                    && self.continues(&frame)
                    && self.p2_follows_failed(frame.counter, None) =>
            {
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

    /// Whether the bytes after a well-formed P2 packet found while hunting prove it. The next
    /// header proves where it ends; where it stands in the sequence, the next well-formed
    /// packet's counter: a bare header may be junk holding a fake one, with a random counter.
    /// The packet must also fit after the one that broke sync (see
    /// [`p2_follows_failed`](Self::p2_follows_failed)).
    fn p2_found_proven(&mut self, frame: &Frame) -> Check<()> {
        match p2::header_at(self.window.from(P2_LEN)) {
            Check::Valid(()) => {}
            other => return other,
        }
        // One on from the last packet, with its switches, and not out of a broken packet: the
        // header is proof enough.
        let one_on = self
            .last
            .is_none_or(|last| frame.counter == last.counter.wrapping_add(1));
        if one_on && frame.switches == Some(self.switches) && !self.near_failed() {
            return Check::Valid(());
        }
        // The header after it repeats its counter (not a stall): it is a fake whose random
        // counter hit the real next one's, or junk after it copied its counter. Both are as
        // rare; refusing costs a packet, accepting a fake costs a false one.
        let stalled = self.last.is_none_or(|last| last.counter == frame.counter);
        match self.window.from(P2_LEN).get(3) {
            Some(&next) if next == frame.counter && !stalled => return self.p2_stall_chain(),
            None if !self.finished => return Check::NeedMore,
            _ => {}
        }
        let next = match self.p2_find_next_credible(P2_LEN) {
            // See `p2_new_switches_proven`.
            Check::Valid((at, next))
                if frame.switches != Some(self.switches)
                    && at != P2_LEN
                    && next.switches != frame.switches =>
            {
                return Check::Invalid;
            }
            Check::Valid((_, next)) => Some(next.counter),
            Check::NeedMore if !self.finished => return Check::NeedMore,
            // The input ends, or endless junk follows: the header's counter is all there is.
            _ => self.window.from(P2_LEN).get(3).copied(),
        };
        let Some(next) = next else {
            return Check::NeedMore;
        };
        // Strictly before the next: a found packet the next one repeats is a fake or a stall,
        // and stalls do not start after damage. A packet repeating the last counter is a stall
        // only if the next one repeats or continues it too.
        let repeats = self.last.is_some_and(|last| last.counter == frame.counter);
        let fits = if repeats {
            next.wrapping_sub(frame.counter) <= 1
        } else {
            self.continues(frame) || self.strictly_before(frame.counter, next)
        };
        if fits && self.p2_follows_failed(frame.counter, Some(next)) {
            Check::Valid(())
        } else {
            Check::Invalid
        }
    }

    /// Whether the packet at the window's start begins a run of one counter: the next packets
    /// stand at exact 17-byte spacing, well-formed, repeating its counter. A firmware's start-up
    /// run looks like this wherever it begins (after a restart, after a resync); a fake header
    /// repeating a counter does not, because the real packets after it go on counting.
    fn p2_stall_chain(&self) -> Check<()> {
        let Check::Valid(first) = p2::parse(self.window.bytes()) else {
            return Check::Invalid;
        };
        // A reset signal's packet (counter 0, every channel at mid-scale) is no junk's: one more
        // like it is enough.
        let chain = if is_reset_signal(&first) {
            2
        } else {
            STALL_CHAIN
        };
        for k in 1..chain {
            match p2::parse(self.window.from(k * P2_LEN)) {
                Check::Valid(next) if next.counter == first.counter => {}
                Check::NeedMore if !self.flushing() => return Check::NeedMore,
                _ => return Check::Invalid,
            }
        }
        Check::Valid(())
    }

    /// The well-formed P2 packet right at `start`, or else the first after it whose counter the
    /// header right after it continues (or the input ends right after it). Junk with a fake
    /// header can borrow a real packet's tail, so a header follows it too, but its random
    /// counter rarely runs on into the next packet's, and it is no bound for the packets before
    /// it. Right at `start`, where the packet before ends, a fake is rare: junk would have to
    /// hold all 17 bytes, or a burst end exactly where a fake header begins.
    fn p2_find_next_credible(&mut self, start: usize) -> Check<(usize, Frame)> {
        let mut from = start;
        loop {
            let (at, next) = match self.find_next(from, p2::parse) {
                Check::Valid((at, next)) if at == start => return Check::Valid((at, next)),
                Check::Valid(found) => found,
                other => return other,
            };
            let after = &self.window.bytes()[at + P2_LEN..];
            match (p2::header_at(after), after.get(3)) {
                (Check::Valid(()), Some(&c)) if c.wrapping_sub(next.counter) <= 1 => {
                    return Check::Valid((at, next));
                }
                (Check::Valid(()), Some(_)) | (Check::Invalid, _) => from = at + 1,
                _ if self.finished => return Check::Valid((at, next)),
                _ => return Check::NeedMore,
            }
        }
    }

    /// Whether the window starts inside the last broken packet with a header, where a fake
    /// borrowing its tail would start.
    fn near_failed(&self) -> bool {
        self.suspect
            .is_some_and(|(at, _)| self.window.offset() - at < P2_LEN as u64)
    }

    /// Whether a packet found while hunting, with `counter`, can follow the last broken packet
    /// with a header (the one that broke sync or one the hunt passed) when it starts inside it,
    /// given the next packet's counter (`None`: not there).
    ///
    /// Junk holding a fake header inserted into that packet can borrow its tail: 17 well-formed
    /// bytes that the header of the packet after it follows, with a random counter that passes
    /// the usual checks whenever it repeats or continues the last delivered one. When the broken
    /// packet's counter lies between the last delivered one's and the next one's, that packet was
    /// most likely real, and a real packet found after it lies strictly between it and the next.
    pub(super) fn p2_follows_failed(&self, counter: u8, next: Option<u8>) -> bool {
        let (Some((_, failed)), Some(last)) = (self.suspect, self.last) else {
            return true;
        };
        if !self.near_failed() {
            return true;
        }
        let from_last = |c: u8| u16::from(c.wrapping_sub(last.counter));
        // With no next packet, any counter after the last one would fit.
        let next = next.map_or(256, from_last);
        // Otherwise the broken packet was junk with a header, whose counter says nothing: not
        // even when a real packet after it happens to carry the same.
        !(1..next).contains(&from_last(failed))
            || (from_last(failed) + 1..next).contains(&from_last(counter))
    }

    /// Judges a well-formed P2 packet found away from sync that no header follows: its counter
    /// must fall between the last delivered packet's and the next credible packet's (the next
    /// well-formed one when a header follows it, else the first that a continuing header
    /// proves: junk can follow the next packet too), and the bytes up to the next well-formed
    /// packet must not make it a splice or a packet with junk inside (see
    /// [`p2::accept_unaligned`]).
    pub(super) fn p2_judge_unproven(&mut self, frame: &Frame) -> Check<()> {
        let Some(last) = self.last else {
            return Check::Invalid;
        };
        let (at, next) = match self.find_next(P2_LEN, p2::parse) {
            Check::Valid(found) => found,
            Check::NeedMore if !self.finished => return Check::NeedMore,
            _ => return Check::Invalid,
        };
        let from_last = |c: u8| c.wrapping_sub(last.counter);
        let bound = match p2::header_at(self.window.from(at + P2_LEN)) {
            Check::Valid(()) => next.counter,
            Check::NeedMore if !self.finished => return Check::NeedMore,
            Check::NeedMore => next.counter,
            Check::Invalid => match self.p2_find_next_credible(P2_LEN) {
                Check::Valid((_, credible))
                    if from_last(next.counter) <= from_last(credible.counter) =>
                {
                    credible.counter
                }
                Check::NeedMore if !self.finished => return Check::NeedMore,
                _ => return Check::Invalid,
            },
        };
        let bytes = self.window.bytes();
        let ordered = (1..from_last(bound)).contains(&from_last(frame.counter))
            && from_last(frame.counter) < from_last(next.counter);
        if ordered
            && self.p2_follows_failed(frame.counter, Some(bound))
            && p2::accept_unaligned(
                &bytes[..P2_LEN],
                frame,
                self.switches,
                &bytes[P2_LEN..at],
                &next,
                &last.samples,
            )
        {
            Check::Valid(())
        } else {
            Check::Invalid
        }
    }
}
