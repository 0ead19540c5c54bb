//! The decoder: bytes in any chunking, proven packets and stream events out.

mod autodetect;
mod device_id;
mod frame;
mod p2;
mod p3;
mod sequence;
mod window;

use std::collections::VecDeque;
use std::time::Duration;

use self::frame::{Check, Frame};
use self::sequence::Last;
use self::window::Window;
use crate::protocol::p2::PACKET_LEN as P2_LEN;
use crate::protocol::p3::END_BIT;
use crate::{Event, Packet, Protocol, Stats};

/// How far after a failed packet (bytes) a packet repeating its counter is refused: longer than
/// a packet plus the junk lines real streams carry.
const SUSPECT_SPAN: u64 = 96;

/// Which protocol to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolChoice {
    /// Decide from the stream. The decoder locks only after several consecutive packets of one
    /// protocol with continuing counters, which the other protocol's data cannot imitate.
    #[default]
    Auto,
    /// Decode P2 only.
    P2,
    /// Decode P3 only; the channel count is learnt from the stream.
    P3,
}

/// Decoder settings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DecoderConfig {
    /// Protocol to decode (default: automatic detection).
    pub protocol: ProtocolChoice,
    /// Sample rate used to turn arrival times into packet counts when resolving counter gaps
    /// longer than a counter cycle (default 256 Hz). Update it with the clock model's estimate.
    pub sample_rate_hz: f64,
    /// Deliver a packet as soon as its counter continues the previous one, instead of waiting
    /// for the next packet's header to prove where it ends (default `false`).
    ///
    /// **Risk:** without that proof a burst of lost bytes that splices the head of one packet
    /// to the tail of a later one can pass every field check, and its samples (half from each
    /// packet) are then delivered as real. The default costs one packet period (~4 ms).
    pub low_latency: bool,
    /// How many bytes of junk after a packet the decoder looks through for the next packet
    /// before it refuses the held packet (default 1024). Bounds memory.
    pub max_gap: usize,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self { protocol: ProtocolChoice::Auto, sample_rate_hz: 256.0, low_latency: false, max_gap: 1024 }
    }
}

impl DecoderConfig {
    /// Settings for one protocol, other fields default.
    pub fn with_protocol(protocol: ProtocolChoice) -> Self {
        Self { protocol, ..Self::default() }
    }
}

/// A sans-IO OpenEEG P2/P3 decoder: no I/O, no clock, no threads.
///
/// Call order: [`push`](Self::push) (or [`push_at`](Self::push_at) with the chunk's arrival time)
/// any number of bytes, then [`poll`](Self::poll) until it returns `None`; repeat. Call
/// [`quiet`](Self::quiet) when the source has been silent for a while (a read timeout) so that
/// a packet held for proof is released, and [`finish`](Self::finish) at end of input.
/// [`decode`](Self::decode) does push-and-poll in one call with a closure.
///
/// A packet is delivered once its framing is proven: its fields are valid and the next packet
/// starts exactly where it ends. Everything else is skipped and counted; nothing the decoder
/// cannot prove is delivered as a sample. The same bytes give the same events whatever the
/// chunking.
///
/// Memory: the decoder keeps the bytes of the last push that are not yet polled plus at most
/// [`DecoderConfig::max_gap`] and two packets' worth of held bytes.
///
/// ```
/// use libeeg::{Decoder, Event};
///
/// let mut stream = Vec::new();
/// for counter in 0..4u8 {
///     stream.extend([0xA5, 0x5A, 0x02, counter]);
///     stream.extend([0x02, 0x00].repeat(6)); // six channels at mid-scale
///     stream.push(0x0F); // switches idle
/// }
/// let mut decoder = Decoder::default();
/// decoder.push(&stream);
/// decoder.finish();
/// let mut packets = 0;
/// while let Some(event) = decoder.poll() {
///     if let Event::Packet(p) = event {
///         assert_eq!(p.samples, [512; 6]);
///         packets += 1;
///     }
/// }
/// assert_eq!(packets, 4);
/// assert_eq!(decoder.stats().lost, 0);
/// ```
#[derive(Debug)]
pub struct Decoder {
    config: DecoderConfig,
    window: Window,
    protocol: Option<Protocol>,
    /// Locked P3 packet length.
    p3_len: Option<usize>,
    /// The next packet is expected exactly at the window's start.
    in_sync: bool,
    ever_synced: bool,
    last: Option<Last>,
    switches: u8,
    stalled: bool,
    /// Bytes skipped since the last delivered packet.
    skip_run: u64,
    /// The expected packet that failed last: (stream offset, its counter). Junk inserted into a
    /// packet can hold a fake header that, with the packet's own tail, forms a well-formed
    /// packet; the fake copies the counter, so a packet soon after with that counter is refused.
    suspect: Option<(u64, u8)>,
    /// The P3 run the hunt is inside, when it began after an end byte: (its first byte's
    /// counter, its stream offset).
    run_head: Option<(u8, u64)>,
    /// Where a search for the next packet after a held one stopped: (window offset, index).
    scan_memo: Option<(u64, usize)>,
    /// `quiet()` covers the stream up to this offset.
    quiet_until: Option<u64>,
    finished: bool,
    trailing_reported: bool,
    device_id: device_id::DeviceIdText,
    pending: VecDeque<Event>,
    stats: Stats,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DecoderConfig::default())
    }
}

/// What one step of the state machine did.
enum Flow {
    Event(Event),
    Continue,
    /// Nothing more can be decided with the bytes at hand.
    Idle,
}

impl Decoder {
    /// A decoder with these settings.
    pub fn new(config: DecoderConfig) -> Self {
        let protocol = match config.protocol {
            ProtocolChoice::Auto => None,
            ProtocolChoice::P2 => Some(Protocol::P2),
            ProtocolChoice::P3 => Some(Protocol::P3),
        };
        Self {
            config,
            window: Window::default(),
            protocol,
            p3_len: None,
            in_sync: false,
            ever_synced: false,
            last: None,
            switches: crate::p2::MAX_SWITCHES,
            stalled: false,
            skip_run: 0,
            suspect: None,
            run_head: None,
            scan_memo: None,
            quiet_until: None,
            finished: false,
            trailing_reported: false,
            device_id: device_id::DeviceIdText::default(),
            pending: VecDeque::new(),
            stats: Stats::default(),
        }
    }

    /// Adds bytes from the stream, without an arrival time.
    pub fn push(&mut self, bytes: &[u8]) {
        self.push_inner(bytes, None);
    }

    /// Adds bytes from the stream that arrived at `arrival` (any monotonic clock, any origin).
    /// Arrival times let the decoder count outages longer than a counter cycle.
    pub fn push_at(&mut self, bytes: &[u8], arrival: Duration) {
        self.push_inner(bytes, Some(arrival));
    }

    fn push_inner(&mut self, bytes: &[u8], arrival: Option<Duration>) {
        self.window.push(bytes, arrival);
        self.stats.bytes_in += bytes.len() as u64;
        if !bytes.is_empty() {
            self.finished = false;
            self.trailing_reported = false;
        }
    }

    /// Tells the decoder the source went quiet: a packet held only because the bytes proving
    /// its end have not arrived is released now (if the bytes after it could start a packet).
    pub fn quiet(&mut self) {
        self.quiet_until = Some(self.window.end_offset());
    }

    /// Tells the decoder the input has ended: held packets are released or refused, leftover
    /// bytes are reported as [`Event::TrailingBytes`].
    pub fn finish(&mut self) {
        self.finished = true;
    }

    /// The next event, or `None` when the bytes pushed so far are used up.
    #[must_use = "events hold the packets; poll until None"]
    pub fn poll(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            match self.step() {
                Flow::Event(event) => return Some(event),
                Flow::Continue => {}
                Flow::Idle => return self.trailing_bytes(),
            }
        }
    }

    /// Pushes `bytes` and hands every event they complete to `on_event`.
    pub fn decode(&mut self, bytes: &[u8], mut on_event: impl FnMut(Event)) {
        self.push(bytes);
        while let Some(event) = self.poll() {
            on_event(event);
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The protocol being decoded, once known.
    pub fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    /// Bytes pushed but not yet delivered or skipped.
    pub fn buffered(&self) -> usize {
        self.window.len()
    }

    /// Updates the sample rate used to resolve long gaps (e.g. from the clock model).
    pub fn set_sample_rate(&mut self, rate_hz: f64) {
        if rate_hz.is_finite() && rate_hz > 0.0 {
            self.config.sample_rate_hz = rate_hz;
        }
    }

    #[inline(always)] // see `deliver`
    fn step(&mut self) -> Flow {
        if self.window.len() == 0 {
            return Flow::Idle;
        }
        match (self.protocol, self.in_sync) {
            (None, _) => self.detect(),
            (Some(Protocol::P2), true) => self.p2_in_sync(),
            (Some(Protocol::P2), false) => self.p2_hunt(),
            (Some(Protocol::P3), true) => self.p3_in_sync(),
            (Some(Protocol::P3), false) => self.p3_hunt(),
        }
    }

    // ---- P2 ----

    /// The previous packet's end is proven; the next one should start right here.
    #[inline(always)] // see `deliver`
    fn p2_in_sync(&mut self) -> Flow {
        let frame = match p2::parse(self.window.bytes()) {
            Check::Valid(frame) => frame,
            Check::NeedMore => return self.wait(),
            Check::Invalid => return self.reject(),
        };
        match self.p2_end_proven(&frame) {
            Check::Valid(()) => self.deliver(frame, P2_LEN),
            Check::NeedMore if self.flushing() || self.may_deliver_early(&frame) => self.deliver(frame, P2_LEN),
            Check::NeedMore => self.wait(),
            // A header is where it belongs but the counters contradict the packet.
            Check::Invalid if p2::header_at(self.window.from(P2_LEN)) == Check::Valid(()) => self.refuse(),
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
    fn p2_end_proven(&self, frame: &Frame) -> Check<()> {
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
    fn counter_fits(&self, counter: u8, next: u8) -> bool {
        let Some(last) = &self.last else { return true };
        let from_last = |c: u8| c.wrapping_sub(last.counter);
        next.wrapping_sub(counter) <= 1 || from_last(counter) < from_last(next)
    }

    /// Looking for a packet whose fields are valid and whose end the next header proves.
    fn p2_hunt(&mut self) -> Flow {
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
            Check::NeedMore if self.flushing() && self.continues(&frame) => self.deliver(frame, P2_LEN),
            Check::NeedMore => self.wait(),
            Check::Invalid if p2::header_at(self.window.from(P2_LEN)) == Check::Valid(()) => self.skip(1),
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
    fn p2_judge_unproven(&mut self, frame: &Frame) -> Check<()> {
        let Some(last) = self.last else { return Check::Invalid };
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

    // ---- P3 ----

    #[inline(always)] // see `deliver`
    fn p3_in_sync(&mut self) -> Flow {
        let Some(len) = self.p3_len else { return self.reject() };
        let frame = match p3::parse(self.window.bytes(), len) {
            Check::Valid(frame) => frame,
            Check::NeedMore => return self.wait(),
            Check::Invalid => return self.reject(),
        };
        match p3::parse(self.window.from(len), len) {
            Check::Valid(next) if self.p3_followed_by(&frame, &next) => self.deliver(frame, len),
            Check::NeedMore if self.flushing() || self.may_deliver_early(&frame) => self.deliver(frame, len),
            Check::NeedMore => self.wait(),
            _ => match self.p3_judge_unproven(&frame, len) {
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
    fn p3_judge_unproven(&mut self, frame: &Frame, len: usize) -> Check<()> {
        let Some(last) = self.last else { return Check::Invalid };
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
        if ordered && p3::accept_unaligned(&bytes[..len], frame, &bytes[len..at], [&last.samples, &next.samples]) {
            Check::Valid(())
        } else {
            Check::Invalid
        }
    }

    /// Looking for a P3 packet: the bytes before an end byte, confirmed by the packet after it.
    /// Junk before a packet does not hide it: a packet is found from the end byte that closes it.
    fn p3_hunt(&mut self) -> Flow {
        let bytes = self.window.bytes();
        let longest = p3::LENGTHS[3];
        let Some(run) = p3::run_len(bytes) else {
            // No end byte yet: only the last bytes can still belong to a packet.
            let keep = longest - 1;
            if self.after_end_byte() {
                self.run_head = Some((bytes[0] >> 1, self.window.offset()));
            }
            return if bytes.len() > keep { self.skip(bytes.len() - keep) } else { self.wait() };
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
            Check::Valid(frame) if !self.is_suspect(&frame) && (self.after_end_byte() || self.mid_run_fits(&frame, len)) => frame,
            _ => return self.skip(len),
        };
        match p3::parse(self.window.from(len), len) {
            Check::Valid(next) if self.p3_followed_by(&frame, &next) => {}
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
    fn after_end_byte(&self) -> bool {
        self.window.previous_byte().is_none_or(|b| b & END_BIT != 0)
    }

    /// A packet that starts mid-run is trusted when it continues the last delivered packet, or
    /// the packet whose head began the run (that packet lost its end byte).
    fn mid_run_fits(&self, frame: &Frame, len: usize) -> bool {
        let follows = |counter: u8| p3::counter_delta(counter, frame.counter) == 1;
        // Exactly one byte short of a packet before this one: that packet lost its end byte.
        let lost_end_byte = |(counter, at): (u8, u64)| follows(counter) && self.window.offset() - at + 1 == len as u64;
        self.last.as_ref().is_none_or(|last| follows(last.counter)) || self.run_head.is_some_and(lost_end_byte)
    }

    /// Whether `next` proves the P3 packet `frame` before it: the counter steps by one. A repeat
    /// proves it only inside a run of repeats: a packet read one byte late takes its counter from
    /// the aux byte, which is 0 in most slots, and so often "repeats" a counter of 0.
    fn p3_followed_by(&self, frame: &Frame, next: &Frame) -> bool {
        match p3::counter_delta(frame.counter, next.counter) {
            1 => true,
            0 => self.last.as_ref().is_none_or(|last| last.counter == frame.counter),
            _ => false,
        }
    }

    // ---- shared ----

    /// Auto-detection: lock onto whichever protocol shows a run of consecutive packets first.
    fn detect(&mut self) -> Flow {
        let bytes = self.window.bytes();
        let p2 = autodetect::p2_run(bytes);
        let p3 = autodetect::p3_run(bytes);
        match (p2, p3) {
            (Check::Valid(()), _) => self.protocol = Some(Protocol::P2),
            (_, Check::Valid(len)) => {
                self.protocol = Some(Protocol::P3);
                self.p3_len = Some(len);
            }
            (Check::NeedMore, _) | (_, Check::NeedMore) => return self.wait(),
            _ => return self.skip(1),
        }
        Flow::Continue
    }

    /// Finds the first well-formed packet (by `parse`) at or after `from` bytes into the window,
    /// within `max_gap` bytes.
    fn find_next(&mut self, from: usize, parse: impl Fn(&[u8]) -> Check<Frame>) -> Check<(usize, Frame)> {
        let offset = self.window.offset();
        let resume = match self.scan_memo {
            Some((at, i)) if at == offset => i.max(from),
            _ => from,
        };
        let bytes = self.window.bytes();
        let p3 = self.protocol == Some(Protocol::P3);
        for i in resume..bytes.len() {
            if i - from > self.config.max_gap {
                return Check::Invalid;
            }
            // P3 packets are found by their end byte, so junk before one does not hide it.
            let candidate = if p3 { bytes[i] & END_BIT == 0 } else { bytes[i] == crate::p2::SYNC0 };
            if !candidate {
                continue;
            }
            match parse(&bytes[i..]) {
                Check::Valid(frame) => return Check::Valid((i, frame)),
                Check::NeedMore => {
                    self.scan_memo = Some((offset, i));
                    return Check::NeedMore;
                }
                Check::Invalid => {}
            }
        }
        self.scan_memo = Some((offset, bytes.len()));
        if bytes.len() - from > self.config.max_gap { Check::Invalid } else { Check::NeedMore }
    }

    /// Whether `frame`'s counter continues the last delivered packet (or there is none).
    fn continues(&self, frame: &Frame) -> bool {
        let Some(last) = &self.last else { return true };
        let cycle = self.protocol.map_or(256, Protocol::counter_cycle);
        u16::from(frame.counter.wrapping_sub(last.counter)) & (cycle - 1) <= 1
    }

    fn may_deliver_early(&self, frame: &Frame) -> bool {
        self.config.low_latency && self.last.is_some() && self.continues(frame)
    }

    /// The bytes pushed since the last `quiet()`/`finish()` are all there will be for now.
    fn flushing(&self) -> bool {
        self.finished || self.quiet_until == Some(self.window.end_offset())
    }

    /// More bytes are needed; at end of input there will be none, so what is left is trailing.
    fn wait(&mut self) -> Flow {
        if self.finished {
            let rest = self.window.len();
            self.skip(rest)
        } else {
            Flow::Idle
        }
    }

    /// The expected packet is not there: sync is lost; re-examine from the next byte.
    fn reject(&mut self) -> Flow {
        let lost = std::mem::replace(&mut self.in_sync, false);
        let at_byte = self.window.offset();
        if lost {
            let counter = self.counter_at_start();
            self.suspect = counter.map(|counter| (at_byte, counter));
            self.run_head = counter.map(|counter| (counter, at_byte));
        }
        self.skip(1);
        if lost { Flow::Event(Event::SyncLost { at_byte }) } else { Flow::Continue }
    }

    /// The counter of the packet that seems to start at the window's start, if any.
    fn counter_at_start(&self) -> Option<u8> {
        let bytes = self.window.bytes();
        match self.protocol? {
            // Header and first high byte: junk holding a bare header is not a packet that failed.
            Protocol::P2 => (p2::header_at(bytes) == Check::Valid(()) && bytes.get(4).is_some_and(|&h| h <= crate::p2::MAX_HIGH_BYTE))
                .then(|| bytes[3]),
            Protocol::P3 => bytes.first().filter(|&&b| b & END_BIT == 0).map(|&b| b >> 1),
        }
    }

    /// Whether a packet found while hunting repeats the counter of the packet that just failed,
    /// close enough to be that packet's tail behind a fake header.
    fn is_suspect(&self, frame: &Frame) -> bool {
        self.suspect.is_some_and(|(at, counter)| frame.counter == counter && self.window.offset() - at < SUSPECT_SPAN)
    }

    /// A well-formed packet whose framing the following bytes contradict.
    fn refuse(&mut self) -> Flow {
        self.stats.refused_packets += 1;
        self.reject()
    }

    fn skip(&mut self, n: usize) -> Flow {
        self.window.consume(n);
        self.stats.skipped_bytes += n as u64;
        self.skip_run += n as u64;
        Flow::Continue
    }

    fn trailing_bytes(&mut self) -> Option<Event> {
        if !self.finished || self.trailing_reported || self.skip_run == 0 || self.window.len() != 0 {
            return None;
        }
        self.trailing_reported = true;
        Some(Event::TrailingBytes { count: self.skip_run })
    }

    /// Delivers the packet at the start of the window with the events it implies.
    // The steady-state path (`step`, `*_in_sync`, `deliver`) is inlined into `poll` so the
    // packet is built where `poll` returns it: copying a freshly written packet out of a
    // callee's frame stalls on store forwarding and costs about half the throughput.
    #[inline(always)]
    fn deliver(&mut self, frame: Frame, len: usize) -> Flow {
        let Some(protocol) = self.protocol else { return self.skip(1) };
        let arrival = self.window.arrival_of(self.window.offset() + len as u64 - 1);
        let step = sequence::place(protocol, self.last.as_ref(), frame.counter, arrival, self.config.sample_rate_hz);
        if !self.in_sync {
            self.pending.push_back(Event::SyncAcquired { protocol, skipped_bytes: self.skip_run });
            self.stats.resyncs += u64::from(self.ever_synced);
            self.in_sync = true;
            self.ever_synced = true;
        }
        self.skip_run = 0;
        self.suspect = None;
        if step.lost > 0 {
            self.stats.lost += step.lost;
            let first_sample_index = step.sample_index - step.lost;
            self.pending.push_back(Event::PacketsLost { count: step.lost, first_sample_index });
        }
        if step.repeated {
            self.stats.repeated_counters += 1;
            if !self.stalled {
                self.pending.push_back(Event::CounterStalled { counter: frame.counter, sample_index: step.sample_index });
            }
        }
        self.stalled = step.repeated;
        let switches = frame.switches.unwrap_or(self.switches);
        if switches != self.switches {
            let previous = std::mem::replace(&mut self.switches, switches);
            self.pending.push_back(Event::SwitchChanged { sample_index: step.sample_index, previous, current: switches });
        }
        self.window.consume(len);
        self.stats.packets += 1;
        self.stats.packet_bytes += len as u64;
        self.last = Some(Last { counter: frame.counter, samples: frame.samples, sample_index: step.sample_index, arrival });
        let packet = Event::Packet(Packet {
            protocol,
            counter: frame.counter,
            channel_count: frame.channel_count,
            samples: frame.samples,
            switches,
            aux: frame.aux,
            sample_index: step.sample_index,
            arrival,
        });
        let id = frame.aux.and_then(|aux| self.device_id.update(frame.counter, aux, step.lost));
        if self.pending.is_empty() && id.is_none() {
            return Flow::Event(packet);
        }
        self.pending.push_back(packet);
        self.pending.extend(id.map(Event::DeviceId));
        Flow::Continue
    }
}

#[cfg(test)]
mod tests;
