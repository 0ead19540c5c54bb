//! The acquisition loop: bytes from a source through the decoder and the clock model to the
//! outputs, until the input ends, the duration is up, or a signal asks to stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use libeeg::clock::Clock;
use libeeg::units::DeviceProfile;
use libeeg::{Decoder, DecoderConfig, Event, Stats};

use crate::error::Error;
use crate::output::raw::ArrivalLog;
use crate::output::set::{Outputs, Stop};
use crate::record::{Note, Record};
use crate::source::{Input, Source};
use crate::status::{StatusDisplay, StatusLine, Summary};

/// How a session ended.
pub enum Ending {
    /// Input ended, the duration was reached, or a signal came: everything is finalised.
    Done,
    /// Standard output was closed with nothing recording: exit quietly with status 0.
    PipeClosed,
}

/// With a live source and no packet after this long, say what arrived.
const NO_PACKET_WARNING: Duration = Duration::from_secs(3);

/// What a session is told.
pub struct Plan<'a> {
    /// The decoder's settings.
    pub decoder: DecoderConfig,
    /// The device profile: nominal rate and microvolts.
    pub profile: &'a DeviceProfile,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Time 0 of the clock model and of every input's time.
    pub session_start: Instant,
    /// Wall-clock time of time 0, microseconds since the Unix epoch.
    pub wall_start_us: i64,
    /// `--record-raw`'s arrivals file, told every input.
    pub arrivals: Option<ArrivalLog>,
}

/// Runs a session and prints the summary.
pub fn run(
    source: &mut dyn Source,
    outputs: &mut Outputs,
    plan: Plan<'_>,
) -> Result<Ending, Error> {
    run_plan(source, outputs, plan, &mut StatusLine::new()).0
}

/// Converts a capture offline, drawing `progress` instead of the status line. Prints the
/// summary, and returns the decoder's counts with the outcome so the caller can tell an input
/// without packets.
pub fn convert(
    source: &mut dyn Source,
    outputs: &mut Outputs,
    plan: Plan<'_>,
    progress: &mut dyn StatusDisplay,
) -> (Result<Ending, Error>, Stats) {
    run_plan(source, outputs, plan, progress)
}

fn run_plan(
    source: &mut dyn Source,
    outputs: &mut Outputs,
    plan: Plan<'_>,
    status: &mut dyn StatusDisplay,
) -> (Result<Ending, Error>, Stats) {
    let Plan {
        decoder,
        profile,
        duration,
        session_start,
        wall_start_us,
        arrivals,
    } = plan;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while finalising kills the process the usual way.
        if let Err(e) =
            signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&stop))
                .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&stop)))
        {
            return (
                Err(Error::io("installing the signal handlers", &e)),
                Stats::default(),
            );
        }
    }
    let mut session = Session {
        decoder: Decoder::new(decoder.clone()),
        clock: Clock::new(profile.nominal_rate_hz),
        profile,
        wall_start_us,
        first_bytes: Vec::new(),
        warned: false,
        last_packet_or_start: Instant::now(),
        timed: source.has_arrival_times(),
        real_time: source.is_real_time(),
        protocol_choice: decoder.protocol,
        restart: None,
        arrivals,
    };
    let result = session.pump(source, outputs, &stop, duration, session_start, status);
    status.clear();
    let rate = session.clock.rate_hz();
    let finished = outputs.finish(rate);
    eprintln!(
        "eegreader: {}",
        Summary {
            stats: session.decoder.stats(),
            protocol: session.decoder.protocol(),
            estimated_rate_hz: rate,
            nominal_rate_hz: profile.nominal_rate_hz,
            duration: session_start.elapsed(),
            source: &source.describe(),
        }
    );
    let ending = match (result, finished) {
        (Err(Stop::Failed(e)), _) | (_, Err(Stop::Failed(e))) => Err(e),
        (Err(Stop::PipeClosed), _) | (_, Err(Stop::PipeClosed)) => Ok(Ending::PipeClosed),
        (Ok(()), Ok(())) => Ok(Ending::Done),
    };
    (ending, *session.decoder.stats())
}

struct Session<'a> {
    decoder: Decoder,
    clock: Clock,
    profile: &'a DeviceProfile,
    wall_start_us: i64,
    /// The first bytes received, shown when no packet comes.
    first_bytes: Vec<u8>,
    warned: bool,
    last_packet_or_start: Instant,
    /// The source gives arrival times: the clock model follows them, the decoder weighs them,
    /// and a device restart makes the clock find the phase again.
    timed: bool,
    /// Input comes as it happens: a long silence is worth a warning.
    real_time: bool,
    protocol_choice: libeeg::ProtocolChoice,
    /// A restart ([`Event::Restart`]) whose note waits for the time of its first packet.
    restart: Option<Event>,
    arrivals: Option<ArrivalLog>,
}

impl Session<'_> {
    fn pump(
        &mut self,
        source: &mut dyn Source,
        outputs: &mut Outputs,
        stop: &AtomicBool,
        duration: Option<Duration>,
        session_start: Instant,
        status: &mut dyn StatusDisplay,
    ) -> Result<(), Stop> {
        loop {
            if stop.load(Ordering::Relaxed)
                || duration.is_some_and(|d| session_start.elapsed() >= d)
            {
                self.decoder.finish();
                return self.drain(outputs);
            }
            let input = source.next().map_err(Stop::Failed)?;
            if let Input::Bytes(bytes, _) = input {
                outputs.bytes(bytes)?;
            }
            // After the bytes went to the capture, whose arrivals must never run ahead of it.
            if let Some(arrivals) = &self.arrivals {
                arrivals.log(&input).map_err(Stop::Failed)?;
            }
            match input {
                Input::Bytes(bytes, arrival) => {
                    if self.first_bytes.len() < 32 {
                        self.first_bytes
                            .extend(bytes.iter().take(32 - self.first_bytes.len()));
                    }
                    match arrival {
                        Some(arrival) => self.decoder.push_at(bytes, arrival),
                        None => self.decoder.push(bytes),
                    }
                }
                // A read timeout: the stream paused, so a packet held for proof goes out now.
                Input::Quiet(_) => self.decoder.quiet(),
                Input::Gone { reason, when } => {
                    self.decoder.quiet();
                    self.drain(outputs)?;
                    // For the person watching; a fast replay's `#` lines say it.
                    if self.real_time {
                        status.clear();
                        eprintln!(
                            "eegreader: device gone ({reason}); recordings stay open, waiting for it to come back"
                        );
                    }
                    outputs.note(&Note::DeviceGone {
                        reason,
                        timestamp_us: when.wall_us,
                    })?;
                }
                Input::Back { device, when } => {
                    if self.real_time {
                        status.clear();
                        eprintln!("eegreader: device back: {device}");
                    }
                    // The device restarted its clock: keep the rate estimate, find the phase again.
                    self.clock.reset();
                    self.last_packet_or_start = Instant::now();
                    outputs.note(&Note::DeviceBack {
                        device,
                        timestamp_us: when.wall_us,
                    })?;
                }
                Input::End => {
                    self.decoder.finish();
                    return self.drain(outputs);
                }
            }
            self.drain(outputs)?;
            // The LSL streams declare their rate once it is settled: measured from arrival
            // times (converged, within 0.1 %), or at once the nominal rate without them.
            outputs.rate(
                self.clock.rate_hz(),
                !self.timed || self.clock.is_converged(),
            )?;
            outputs.end_of_batch()?;
            self.warn_if_silent(source, status);
            status.update(self.decoder.stats(), self.clock.rate_hz(), &outputs.sizes());
        }
    }

    /// Hands every decoded event to the outputs.
    fn drain(&mut self, outputs: &mut Outputs) -> Result<(), Stop> {
        let mut delivered = false;
        let result = self.drain_events(outputs, &mut delivered);
        // Once per batch, not per packet, and only where a silence is watched: reading the clock
        // is a fifth of replay time.
        if delivered && self.real_time {
            self.last_packet_or_start = Instant::now();
            self.warned = false;
        }
        result
    }

    fn drain_events(&mut self, outputs: &mut Outputs, delivered: &mut bool) -> Result<(), Stop> {
        while let Some(event) = self.decoder.poll() {
            match event {
                Event::Packet(p) => {
                    let t = match (self.timed, p.arrival) {
                        (true, Some(arrival)) => self.clock.observe(p.sample_index, arrival),
                        _ => self.clock.timestamp(p.sample_index),
                    };
                    // The decoder tells restarts from losses by elapsed time at this rate.
                    if p.sample_index % 64 == 0 && self.clock.rate_is_measured() {
                        self.decoder.set_sample_rate(self.clock.rate_hz());
                    }
                    *delivered = true;
                    if let Some(Event::Restart {
                        sample_index,
                        previous_counter,
                        counter,
                        evidence,
                    }) = self.restart.take()
                    {
                        outputs.note(&Note::Restart {
                            sample_index,
                            timestamp_us: self.wall_us(t),
                            previous_counter,
                            counter,
                            evidence,
                        })?;
                    }
                    let microvolts = p.samples.map(|code| self.profile.to_microvolts(code));
                    outputs.record(&Record {
                        timestamp_us: self.wall_us(t),
                        sample_index: p.sample_index,
                        protocol: p.protocol,
                        counter: p.counter,
                        samples: p.samples,
                        microvolts,
                        switches: p.switches,
                    })?;
                }
                Event::PacketsLost {
                    count,
                    first_sample_index,
                } => {
                    let timestamp_us = self.wall_us(self.clock.timestamp(first_sample_index));
                    outputs.note(&Note::Lost {
                        count,
                        first_sample_index,
                        timestamp_us,
                    })?;
                }
                restart @ Event::Restart { .. } => {
                    // The device's sampling clock started afresh: find its phase again.
                    if self.timed {
                        self.clock.reset();
                    }
                    self.restart = Some(restart);
                }
                Event::SyncLost { at_byte } => outputs.note(&Note::SyncLost { at_byte })?,
                Event::SyncAcquired {
                    protocol,
                    skipped_bytes,
                } => {
                    if self.decoder.stats().resyncs == 0 {
                        outputs.note(&Note::Protocol(protocol))?;
                    } else {
                        outputs.note(&Note::Resync { skipped_bytes })?;
                    }
                }
                Event::SwitchChanged {
                    sample_index,
                    previous,
                    current,
                } => {
                    outputs.note(&Note::Switches {
                        sample_index,
                        previous,
                        current,
                    })?;
                }
                Event::CounterStalled { counter, .. } => {
                    outputs.note(&Note::CounterStalled { counter })?
                }
                Event::DeviceId(id) => outputs.note(&Note::DeviceId(id))?,
                Event::TrailingBytes { count } => outputs.note(&Note::TrailingBytes { count })?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Real-time sources only: no packet for 3 s says which protocol and baud were tried and what
    /// bytes arrive, once per silence.
    fn warn_if_silent(&mut self, source: &dyn Source, status: &mut dyn StatusDisplay) {
        if !self.real_time || self.warned || self.last_packet_or_start.elapsed() < NO_PACKET_WARNING
        {
            return;
        }
        self.warned = true;
        status.clear();
        let stats = self.decoder.stats();
        let protocol = match self.protocol_choice {
            libeeg::ProtocolChoice::Auto => "P2 and P3 (auto)",
            libeeg::ProtocolChoice::P2 => "P2",
            libeeg::ProtocolChoice::P3 => "P3",
        };
        let what = if stats.packets > 0 {
            format!(
                "the stream stopped after {} packets; the device is connected but silent (reset or powered off?)",
                stats.packets
            )
        } else if stats.bytes_in == 0 {
            "no bytes arrived at all: is the device powered and is this its port? (eegreader --list)".to_string()
        } else {
            format!(
                "{} bytes arrived but none framed as {protocol}; the first were: {}\n  random-looking bytes usually mean the wrong speed: try --baud 115200 (or 57600)",
                stats.bytes_in,
                hex(&self.first_bytes)
            )
        };
        eprintln!(
            "eegreader: no valid packet from {} in {} s: {what}",
            source.describe(),
            NO_PACKET_WARNING.as_secs()
        );
    }

    fn wall_us(&self, t: f64) -> i64 {
        self.wall_start_us + (t * 1e6).round() as i64
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Now, in microseconds since the Unix epoch.
pub fn wall_clock_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}
