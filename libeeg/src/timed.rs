//! The decoder and the clock model together: every event with the time it happened.

use std::collections::VecDeque;
use std::time::Duration;

use crate::clock::Clock;
use crate::{Decoder, DecoderConfig, Event, Packet};

/// How often (in sample indices) the decoder's gap-resolving rate follows the clock's estimate.
const RATE_UPDATE_PACKETS: u64 = 64;

/// A decoder event with its time.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    /// What the decoder reported.
    pub event: Event,
    /// When, in seconds: on the caller's arrival clock when bytes come with
    /// [`push_at`](TimedDecoder::push_at), else `sample_index / rate` from the stream's start.
    /// See [`TimedDecoder`] for which sample each event is timed at.
    pub t: f64,
}

/// A [`Decoder`] and a [`Clock`] glued together once: the decoder's events, each with its time.
///
/// Sans-IO like both: no I/O, no clock reads, no threads; arrival times come in as arguments.
///
/// # Call order
/// 1. [`new`](Self::new) with the decoder's settings; its `sample_rate_hz` is the nominal rate.
/// 2. [`push_at`](Self::push_at) each chunk with its arrival time (any monotonic clock, any
///    origin), or [`push`](Self::push) without one; then [`poll`](Self::poll) until `None`.
/// 3. [`quiet`](Self::quiet) after a read timeout, so a packet held for proof comes out;
///    [`device_gone`](Self::device_gone) and [`device_back`](Self::device_back) when the device
///    is unplugged and returns; [`finish`](Self::finish) at the end of input. Poll until `None`
///    after each of them too: `device_back` forgets the phase at once, which the packets before
///    it must not see.
///
/// # Guarantees
/// - Events come out in the decoder's order (stream order), each exactly once.
/// - A packet is timed by [`Clock::observe`] when it has an arrival time, else by
///   [`Clock::timestamp`]. The events the decoder reports before a packet wait for it: those
///   about the packet (sync acquired, restart, counter stalled, switches changed) take its
///   time, so a resync is timed at the packet it found and a restart at its first packet;
///   lost packets take the time of the first missing sample, on the line through that packet.
///   Sync lost, device id and trailing bytes take the latest packet's time (0 before any).
/// - A restart makes the clock find the device's phase again at its first packet (when that
///   packet has an arrival time: without one the sample line is all there is to go on).
/// - Once the clock has measured the rate, the decoder resolves counter gaps at that rate
///   (updated every 64 samples), not at the nominal one.
/// - Memory: the decoder's bound plus the few events of one packet.
///
/// ```
/// use std::time::Duration;
/// use libeeg::sim::Simulator;
/// use libeeg::{DecoderConfig, Event, TimedDecoder};
///
/// let bytes = Simulator::new(Default::default()).packets(256);
/// let mut eeg = TimedDecoder::new(DecoderConfig::default());
/// for (k, chunk) in bytes.chunks(4 * 17).enumerate() {
///     // Four packets every 15.625 ms, as a 256 Hz board's bytes would arrive.
///     eeg.push_at(chunk, Duration::from_micros(15_625 * (k as u64 + 1)));
///     while let Some(timed) = eeg.poll() {
///         if let Event::Packet(p) = timed.event {
///             assert!(p.sample_index < 256 && timed.t > 0.0);
///         }
///     }
/// }
/// eeg.finish();
/// while let Some(timed) = eeg.poll() {
///     println!("{:.3} s {:?}", timed.t, timed.event);
/// }
/// assert_eq!(eeg.decoder().stats().packets, 256);
/// ```
#[derive(Debug)]
pub struct TimedDecoder {
    decoder: Decoder,
    clock: Clock,
    /// Events polled from the decoder, in order; `None` until the packet they are about comes.
    queue: VecDeque<(Event, Option<f64>)>,
    /// A restart was reported: the clock finds the phase again at its first packet.
    restarting: bool,
    /// Time of the latest packet.
    now: f64,
}

impl TimedDecoder {
    /// A decoder with `config`, and a clock whose nominal rate is `config.sample_rate_hz`.
    ///
    /// # Panics
    /// If `config.sample_rate_hz` is not finite and positive.
    #[must_use]
    pub fn new(config: DecoderConfig) -> Self {
        let clock = Clock::new(config.sample_rate_hz);
        Self {
            decoder: Decoder::new(config),
            clock,
            queue: VecDeque::new(),
            restarting: false,
            now: 0.0,
        }
    }

    /// Adds bytes without an arrival time: their packets are timed by sample index.
    pub fn push(&mut self, bytes: &[u8]) {
        self.decoder.push(bytes);
    }

    /// Adds bytes that arrived at `arrival`: their packets are timed on that clock.
    pub fn push_at(&mut self, bytes: &[u8], arrival: Duration) {
        self.decoder.push_at(bytes, arrival);
    }

    /// The source went quiet (a read timeout): a packet held for proof is released.
    pub fn quiet(&mut self) {
        self.decoder.quiet();
    }

    /// The device went away: what it sent is all there will be, so a held packet is released.
    pub fn device_gone(&mut self) {
        self.decoder.quiet();
    }

    /// The device came back: its sampling clock started afresh, so the clock finds the phase
    /// again at the next packet, keeping the measured rate. Poll what came before first.
    pub fn device_back(&mut self) {
        self.clock.reset();
    }

    /// The input ended: what is left comes out at the next polls.
    pub fn finish(&mut self) {
        self.decoder.finish();
    }

    /// The next event with its time, or `None` when the bytes pushed so far are used up.
    #[must_use = "events hold the packets; poll until None"]
    pub fn poll(&mut self) -> Option<Timed> {
        loop {
            if let Some(&(_, Some(t))) = self.queue.front() {
                let (event, _) = self.queue.pop_front()?;
                return Some(Timed { event, t });
            }
            // The decoder queues the events about a packet with the packet itself, so an
            // untimed front never waits here for bytes.
            let event = self.decoder.poll()?;
            self.enqueue(event);
        }
    }

    /// The decoder, for its statistics and protocol.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The clock model, for the estimated rate and whether it has converged.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Times `event`, or queues it for the packet that comes next.
    fn enqueue(&mut self, event: Event) {
        let t = match &event {
            Event::Packet(packet) => {
                let t = self.observe(packet);
                // What came before the packet is about it, or about the samples just before it.
                for (event, slot) in &mut self.queue {
                    slot.get_or_insert(match *event {
                        Event::PacketsLost {
                            first_sample_index, ..
                        } => self.clock.timestamp(first_sample_index),
                        _ => t,
                    });
                }
                Some(t)
            }
            Event::Restart { .. } => {
                self.restarting = true;
                None
            }
            Event::SyncAcquired { .. }
            | Event::PacketsLost { .. }
            | Event::CounterStalled { .. }
            | Event::SwitchChanged { .. } => None,
            _ => Some(self.now),
        };
        self.queue.push_back((event, t));
    }

    /// The time of `packet`; feeds the measured rate back to the decoder.
    fn observe(&mut self, packet: &Packet) -> f64 {
        let restarted = std::mem::take(&mut self.restarting);
        self.now = match packet.arrival {
            Some(arrival) => {
                if restarted {
                    self.clock.reset();
                }
                self.clock.observe(packet.sample_index, arrival)
            }
            None => self.clock.timestamp(packet.sample_index),
        };
        // The decoder tells restarts from losses by the time that passed, at this rate.
        if packet.sample_index.is_multiple_of(RATE_UPDATE_PACKETS) && self.clock.rate_is_measured()
        {
            self.decoder.set_sample_rate(self.clock.rate_hz());
        }
        self.now
    }
}

#[cfg(test)]
mod tests;
