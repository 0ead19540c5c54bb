//! The P3 arms of the decoder's state machine: in sync, and hunting for the bytes before an
//! end byte.

use super::frame::{Check, Frame};
use super::{Decoder, Flow, STALL_CHAIN, p3};
use crate::protocol::p3::END_BIT;

impl Decoder {
    #[inline(always)] // see `deliver`
    pub(super) fn p3_in_sync(&mut self) -> Flow {
        let Some(len) = self.p3_len else {
            return self.reject();
        };
        let frame = match p3::parse(self.window.bytes(), len) {
            Check::Valid(frame) => frame,
            Check::NeedMore => return self.wait(),
            Check::Invalid => return self.reject(),
        };
        match self.p3_proven_by_next(&frame, len) {
            Check::Valid(()) => self.deliver(frame, len),
            Check::NeedMore if self.flushing() || self.may_deliver_early(&frame) => {
                self.deliver(frame, len)
            }
            Check::NeedMore => self.wait(),
            Check::Invalid => match self.p3_judge_unproven(&frame, len) {
                Check::Valid(()) => self.deliver(frame, len),
                Check::NeedMore => Flow::Idle,
                Check::Invalid => self.refuse(),
            },
        }
    }

    /// Judges a well-formed P3 packet at the window's start that the packet after it does not
    /// prove, from the bytes up to the next proven packet: its counter must fall between the last
    /// delivered packet's and the next one's, and no run in between may be its real tail pushed
    /// out by junk (see [`p3::accept_unaligned`]).
    pub(super) fn p3_judge_unproven(&mut self, frame: &Frame, len: usize) -> Check<()> {
        let Some(last) = self.last else {
            return Check::Invalid;
        };
        let (at, next) = match self.find_next(len, |b| p3::parse(b, len)) {
            Check::Valid(found) => found,
            Check::NeedMore if !self.finished => return Check::NeedMore,
            _ => return Check::Invalid,
        };
        // Away from sync, the next packet must itself be proven by the one after it: junk can
        // form a packet, and a packet whose counter byte was replaced can precede it.
        let bytes = self.window.bytes();
        match p3::parse(&bytes[at + len..], len) {
            _ if self.in_sync => {}
            Check::Valid(after) if p3::counter_delta(next.counter, after.counter) == 1 => {}
            Check::NeedMore if !self.finished => return Check::NeedMore,
            Check::NeedMore => {}
            _ => return Check::Invalid,
        }
        let from_last = |c: u8| p3::counter_delta(last.counter, c);
        let ordered = (1..from_last(next.counter)).contains(&from_last(frame.counter));
        if ordered
            && p3::accept_unaligned(
                &bytes[..len],
                frame,
                &bytes[len..at],
                [&last.samples, &next.samples],
            )
        {
            Check::Valid(())
        } else {
            Check::Invalid
        }
    }

    /// Looking for a P3 packet: the bytes before an end byte, confirmed by the packet after it.
    /// Junk before a packet does not hide it: a packet is found from the end byte that closes it.
    pub(super) fn p3_hunt(&mut self) -> Flow {
        let bytes = self.window.bytes();
        let longest = p3::LENGTHS[3];
        let Some(run) = p3::run_len(bytes) else {
            // No end byte yet: only the last bytes can still belong to a packet.
            let keep = longest - 1;
            if self.after_end_byte() {
                self.run_head = Some((bytes[0] >> 1, self.window.offset()));
            }
            return if bytes.len() > keep {
                self.skip(bytes.len() - keep)
            } else {
                self.wait()
            };
        };
        let len = self.p3_len.unwrap_or(run.min(longest));
        if run < len || !p3::LENGTHS[1..].contains(&len) {
            return self.skip(run);
        }
        if run > len {
            // The packet ending this run starts mid-run; remember how the run began.
            if self.after_end_byte() {
                self.run_head = Some((bytes[0] >> 1, self.window.offset()));
            }
            return self.skip(run - len);
        }
        let frame = match p3::parse(bytes, len) {
            Check::Valid(frame)
                if !self.is_suspect(&frame)
                    && (self.after_end_byte() || self.mid_run_fits(&frame, len)) =>
            {
                frame
            }
            // A run of one counter behind junk (a restart's boot noise) needs no more proof.
            Check::Valid(frame) => match self.p3_repeated_from(1, &frame, len) {
                Check::Valid(()) => frame,
                Check::NeedMore => return self.wait(),
                Check::Invalid => return self.skip(len),
            },
            _ => return self.skip(len),
        };
        match self.p3_proven_by_next(&frame, len) {
            Check::Valid(()) => {}
            Check::NeedMore if self.flushing() && self.continues(&frame) => {}
            Check::NeedMore => return self.wait(),
            // A packet between two damaged ones, cleanly after an end byte.
            _ if self.after_end_byte() => match self.p3_judge_unproven(&frame, len) {
                Check::Valid(()) => {}
                Check::NeedMore => return Flow::Idle,
                Check::Invalid => return self.skip(len),
            },
            _ => return self.skip(len),
        }
        self.p3_len = Some(len);
        self.deliver(frame, len)
    }

    /// Whether the window starts right after a P3 end byte (or at the start of the stream). A
    /// packet that starts mid-run is either a real one behind junk or a misaligned splice whose
    /// counter byte is a data byte.
    pub(super) fn after_end_byte(&self) -> bool {
        self.window.previous_byte().is_none_or(|b| b & END_BIT != 0)
    }

    /// A packet that starts mid-run is trusted when it continues the last delivered packet, or
    /// the packet whose head began the run (that packet lost its end byte).
    pub(super) fn mid_run_fits(&self, frame: &Frame, len: usize) -> bool {
        let follows = |counter: u8| p3::counter_delta(counter, frame.counter) == 1;
        // Exactly one byte short of a packet before this one: that packet lost its end byte.
        let lost_end_byte = |(counter, at): (u8, u64)| {
            follows(counter) && self.window.offset() - at + 1 == len as u64
        };
        self.last.as_ref().is_none_or(|last| follows(last.counter))
            || self.run_head.is_some_and(lost_end_byte)
    }

    /// Whether the packet after the `len`-byte P3 packet `frame` at the window's start proves
    /// it: the counter steps by one. A repeat proves it inside a run of repeats, or when the
    /// packet after the next repeats it too (a run beginning after a restart or a resync): a
    /// packet read one byte late takes its counter from the aux byte, which is 0 in most slots,
    /// and so often "repeats" a counter of 0 once.
    pub(super) fn p3_proven_by_next(&self, frame: &Frame, len: usize) -> Check<()> {
        let next = match p3::parse(self.window.from(len), len) {
            Check::Valid(next) => next,
            other => return other.map(|_| ()),
        };
        match p3::counter_delta(frame.counter, next.counter) {
            1 => Check::Valid(()),
            0 if self
                .last
                .as_ref()
                .is_none_or(|last| last.counter == frame.counter) =>
            {
                Check::Valid(())
            }
            0 => self.p3_repeated_from(2, frame, len),
            _ => Check::Invalid,
        }
    }

    /// Whether the packets from the `first`-th after the window's start up to the end of a
    /// stall chain ([`STALL_CHAIN`] packets of one counter at exact spacing) repeat `frame`'s
    /// counter: a run of repeats, which junk and misaligned reads do not make.
    fn p3_repeated_from(&self, first: usize, frame: &Frame, len: usize) -> Check<()> {
        for k in first..STALL_CHAIN {
            match p3::parse(self.window.from(k * len), len) {
                Check::Valid(later) if later.counter == frame.counter => {}
                Check::NeedMore if !self.flushing() => return Check::NeedMore,
                _ => return Check::Invalid,
            }
        }
        Check::Valid(())
    }
}
