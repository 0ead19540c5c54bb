//! The decoder: bytes in any chunking, proven packets and stream events out.

mod autodetect;
mod device_id;
mod frame;
mod p2;
mod p2_steps;
mod p3;
mod p3_steps;
mod sequence;
mod window;

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::time::Duration;

use self::frame::{Check, Frame};
use self::sequence::{ArrivalLine, Last, Step};
use self::window::Window;
use crate::protocol::p3::END_BIT;
use crate::{Event, Packet, Protocol, Stats};

/// How far after a failed packet (bytes) a packet repeating its counter is refused: longer than
/// a packet plus the junk lines real streams carry.
const SUSPECT_SPAN: u64 = 96;

/// Packets of one counter in a row, at exact packet spacing, that prove a run of repeats
/// beginning away from the last delivered packet (after a restart or a resync). Two would not do:
/// a fake header whose random counter hits the next real packet's makes a pair.
const STALL_CHAIN: usize = 3;

/// Whether `frame` looks like a packet of a reset signal (the Olimex shield's sketch): counter
/// 0 and every channel exactly at mid-scale, which real signals and junk practically never are.
fn is_reset_signal(frame: &Frame) -> bool {
    frame.counter == 0 && frame.samples == [crate::MID_SCALE; crate::CHANNELS]
}

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
        Self {
            protocol: ProtocolChoice::Auto,
            sample_rate_hz: 256.0,
            low_latency: false,
            max_gap: 1024,
        }
    }
}

impl DecoderConfig {
    /// Settings for one protocol, other fields default.
    pub fn with_protocol(protocol: ProtocolChoice) -> Self {
        Self {
            protocol,
            ..Self::default()
        }
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
    /// When the delivered packets can have been sampled, from their arrival times.
    line: ArrivalLine,
    switches: u8,
    stalled: bool,
    /// Bytes skipped since the last delivered packet.
    skip_run: u64,
    /// The packet with a header that failed last: (stream offset, its counter). Junk inserted
    /// into a packet can hold a fake header that, with the packet's own tail, forms a
    /// well-formed packet. P3: the expected packet; a packet soon after with its counter is
    /// refused. P2: any, judged by `p2_follows_failed`.
    suspect: Option<(u64, u8)>,
    /// The P3 run the hunt is inside, when it began after an end byte: (its first byte's
    /// counter, its stream offset).
    run_head: Option<(u8, u64)>,
    /// Where a search for the next packet after a held one stopped: (window offset, where the
    /// search began, index). Only a search that began at the same place may resume there: one
    /// that began further on may have passed well-formed packets.
    scan_memo: Option<(u64, usize, usize)>,
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
            line: ArrivalLine::default(),
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
        let mut next = None;
        let _ = self.drive(|event| {
            next = Some(event);
            ControlFlow::Break(())
        });
        next
    }

    /// Pushes `bytes` and hands every event they complete to `on_event`.
    pub fn decode(&mut self, bytes: &[u8], mut on_event: impl FnMut(Event)) {
        self.push(bytes);
        let _ = self.drive(|event| {
            on_event(event);
            ControlFlow::Continue(())
        });
    }

    /// Runs the state machine, handing events to `on_event` until it breaks or the bytes are
    /// used up. Inlined into each caller so a packet goes from where it is built straight to the
    /// consumer: copying it out of another frame first stalls on store forwarding.
    #[inline(always)]
    fn drive(&mut self, mut on_event: impl FnMut(Event) -> ControlFlow<()>) -> ControlFlow<()> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                on_event(event)?;
                continue;
            }
            match self.step() {
                Flow::Event(event) => on_event(event)?,
                Flow::Continue => {}
                Flow::Idle => {
                    if let Some(event) = self.trailing_bytes() {
                        on_event(event)?;
                    }
                    return ControlFlow::Continue(());
                }
            }
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
    fn find_next(
        &mut self,
        from: usize,
        parse: impl Fn(&[u8]) -> Check<Frame>,
    ) -> Check<(usize, Frame)> {
        let offset = self.window.offset();
        let resume = match self.scan_memo {
            Some((at, began, i)) if at == offset && began == from => i,
            _ => from,
        };
        let bytes = self.window.bytes();
        let p3 = self.protocol == Some(Protocol::P3);
        for i in resume..bytes.len() {
            if i - from > self.config.max_gap {
                return Check::Invalid;
            }
            // P3 packets are found by their end byte, so junk before one does not hide it.
            let candidate = if p3 {
                bytes[i] & END_BIT == 0
            } else {
                bytes[i] == crate::p2::SYNC0
            };
            if !candidate {
                continue;
            }
            match parse(&bytes[i..]) {
                Check::Valid(frame) => return Check::Valid((i, frame)),
                Check::NeedMore => {
                    self.scan_memo = Some((offset, from, i));
                    return Check::NeedMore;
                }
                Check::Invalid => {}
            }
        }
        self.scan_memo = Some((offset, from, bytes.len()));
        if bytes.len() - from > self.config.max_gap {
            Check::Invalid
        } else {
            Check::NeedMore
        }
    }

    /// Whether `frame`'s counter continues the last delivered packet (or there is none).
    #[inline]
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
        if lost {
            Flow::Event(Event::SyncLost { at_byte })
        } else {
            Flow::Continue
        }
    }

    /// The counter of the packet that seems to start at the window's start, if any.
    fn counter_at_start(&self) -> Option<u8> {
        let bytes = self.window.bytes();
        match self.protocol? {
            // Header, then a first high byte or what may start another header (junk inserted
            // right after the counter; the bytes after it may not have arrived). Junk holding a
            // bare header is judged by whether its counter fits (see `p2_follows_failed`); a
            // packet that lost its counter has a low byte at 4.
            Protocol::P2 => (p2::header_at(bytes) == Check::Valid(())
                && bytes
                    .get(4)
                    .is_some_and(|&h| h <= crate::p2::MAX_HIGH_BYTE || h == crate::p2::SYNC0))
            .then(|| bytes[3]),
            Protocol::P3 => bytes
                .first()
                .filter(|&&b| b & END_BIT == 0)
                .map(|&b| b >> 1),
        }
    }

    /// Whether a well-formed packet with `counter` starts right after the `len`-byte packet at
    /// the window's start (as far as the bytes at hand show).
    fn next_repeats(&self, len: usize, counter: u8) -> bool {
        let after = self.window.from(len);
        match self.protocol {
            Some(Protocol::P2) => {
                p2::header_at(after) == Check::Valid(()) && after.get(3) == Some(&counter)
            }
            Some(Protocol::P3) => {
                matches!(p3::parse(after, len), Check::Valid(next) if next.counter == counter)
            }
            None => false,
        }
    }

    /// Whether a packet found while hunting repeats the counter of the packet that just failed,
    /// close enough to be that packet's tail behind a fake header.
    fn is_suspect(&self, frame: &Frame) -> bool {
        self.suspect.is_some_and(|(at, counter)| {
            frame.counter == counter && self.window.offset() - at < SUSPECT_SPAN
        })
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
        if !self.finished || self.trailing_reported || self.skip_run == 0 || self.window.len() != 0
        {
            return None;
        }
        self.trailing_reported = true;
        Some(Event::TrailingBytes {
            count: self.skip_run,
        })
    }

    /// Reports a restart before the packet `step` places, with `counter`.
    #[cold]
    fn note_restart(&mut self, step: &Step, counter: u8, evidence: crate::RestartEvidence) {
        self.stats.restarts += 1;
        self.line.clear();
        let previous_counter = self.last.map_or(counter, |last| last.counter);
        self.pending.push_back(Event::Restart {
            sample_index: step.sample_index,
            previous_counter,
            counter,
            evidence,
        });
    }

    /// Adds a packet that arrived at `arrival` to the arrival line. Repeats stay off it, and a
    /// run of them ends it: the run's lost packets, which no counter shows, shift sample
    /// indices against time.
    fn follow_line(&mut self, step: &Step, arrival: Duration) {
        if step.repeated {
            return;
        }
        if self.last.is_some_and(|last| last.repeated) {
            self.line.clear();
        }
        self.line
            .observe(step.sample_index, arrival, self.config.sample_rate_hz);
    }

    /// Delivers the packet at the start of the window with the events it implies.
    // The steady-state path (`step`, `*_in_sync`, `deliver`) is inlined into `poll` so the
    // packet is built where `poll` returns it: copying a freshly written packet out of a
    // callee's frame stalls on store forwarding and costs about half the throughput.
    #[inline(always)]
    fn deliver(&mut self, frame: Frame, len: usize) -> Flow {
        let Some(protocol) = self.protocol else {
            return self.skip(1);
        };
        let arrival = self
            .window
            .arrival_of(self.window.offset() + len as u64 - 1);
        let step = match &self.last {
            // Nearly every packet: the counter steps by one and there is no time to weigh.
            Some(last) if frame.counter == last.counter.wrapping_add(1) && arrival.is_none() => {
                Step::after(last)
            }
            last => sequence::place(
                protocol,
                last.as_ref(),
                frame.counter,
                arrival,
                &self.line,
                self.config.sample_rate_hz,
                || is_reset_signal(&frame) || self.next_repeats(len, frame.counter),
            ),
        };
        if !self.in_sync {
            self.pending.push_back(Event::SyncAcquired {
                protocol,
                skipped_bytes: self.skip_run,
            });
            self.stats.resyncs += u64::from(self.ever_synced);
            self.in_sync = true;
            self.ever_synced = true;
        }
        self.skip_run = 0;
        self.suspect = None;
        if let Some(evidence) = step.restart {
            self.note_restart(&step, frame.counter, evidence);
        }
        if let Some(arrival) = arrival {
            self.follow_line(&step, arrival);
        }
        if step.lost > 0 {
            self.stats.lost += step.lost;
            let first_sample_index = step.sample_index - step.lost;
            self.pending.push_back(Event::PacketsLost {
                count: step.lost,
                first_sample_index,
            });
        }
        if step.repeated {
            self.stats.repeated_counters += 1;
            if !self.stalled {
                self.pending.push_back(Event::CounterStalled {
                    counter: frame.counter,
                    sample_index: step.sample_index,
                });
            }
        }
        self.stalled = step.repeated;
        let switches = frame.switches.unwrap_or(self.switches);
        if switches != self.switches {
            let previous = std::mem::replace(&mut self.switches, switches);
            self.pending.push_back(Event::SwitchChanged {
                sample_index: step.sample_index,
                previous,
                current: switches,
            });
        }
        self.window.consume(len);
        self.stats.packets += 1;
        self.stats.packet_bytes += len as u64;
        self.last = Some(Last {
            counter: frame.counter,
            samples: frame.samples,
            sample_index: step.sample_index,
            arrival,
            repeated: step.repeated,
        });
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
        let id = frame
            .aux
            .and_then(|aux| self.device_id.update(frame.counter, aux, step.lost));
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
