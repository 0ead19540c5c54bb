//! `--lsl NAME`: the samples as a Lab Streaming Layer stream, and the stream events as a marker
//! stream `NAME-events`.
//!
//! Samples keep the clock model's timestamps: each record's wall-clock time is moved onto LSL's
//! clock by one offset measured at start. Both clocks the reader's timestamps come from (the
//! session's start on the wall clock, then the monotonic clock) and `lsl_local_clock` (the
//! monotonic clock) advance together, so one offset is exact for the whole session; LSL's "now"
//! would add the delivery jitter the clock model removes.
//!
//! The declared rate: consumers take a stream's nominal rate as its rate (MNE-LSL, OpenViBE,
//! LabRecorder's file header), and it is fixed when the outlet is created. A device's real rate
//! is only known once the clock model has measured it from arrival times (an Arduino shield
//! sends 125 Hz where 256 is nominal, a ModularEEG 257.14 Hz), so the streams are published
//! when [`Sink::rate`] first says the rate is settled, declaring it to the millihertz: measured
//! from arrival times, or at once the nominal rate for a source without them (a replay, timed
//! at that rate). Until then samples and markers are held in memory, and they are pushed later
//! with their own timestamps. If the rate is not settled within 30 s of samples, or the session
//! ends first, the clock model's estimate at that point is declared.
//!
//! A consumer receives only what is pushed after it connects. With `--lsl-wait` the held samples
//! also wait for a consumer of the data stream, up to that long after publication (at the end of
//! a session too), so a consumer that comes in time gets the session from its first sample; the
//! session itself never waits.

use std::io;
use std::time::{Duration, Instant};

use libeeg::CHANNELS;
use lsl_dynamic::{ChannelFormat, IRREGULAR_RATE, Lsl, LslError, Outlet, StreamInfo};

use super::Sink;
use crate::acquire::wall_clock_us;
use crate::error::Error;
use crate::record::{Note, Record};
use crate::settings::{Settings, SourceSpec};

/// Seconds of samples an outlet keeps for a consumer that falls behind; held samples are
/// released at the latest when they span this much, as a consumer could not take more at once.
const MAX_BUFFERED_S: i32 = 360;

/// Seconds of held samples after which the streams are published with the rate estimated so
/// far, measured or not: a clock model measures well within this.
const RATE_WAIT_S: f64 = 30.0;

/// How long the outlets stay open after the last push when consumers are connected; longer
/// after held samples were released at the end, all at once, to consumers that had only just
/// connected.
const LINGER: Duration = Duration::from_millis(250);
const LINGER_AFTER_RELEASE: Duration = Duration::from_secs(1);

/// The data outlet and the marker outlet of one session, once published.
struct Outlets {
    data: Outlet,
    events: Outlet,
}

/// A sample or a marker not pushed yet, with its LSL time.
enum Held {
    Sample([f32; CHANNELS], f64),
    Marker(String, f64),
}

/// What the stream description says, kept until the streams are published.
struct Facts {
    source_id: String,
    model: String,
    microvolts_per_lsb: f64,
    nominal_rate_hz: f64,
}

/// The Lab Streaming Layer streams of one session (see the module documentation).
pub struct LslSink {
    name: String,
    lsl: Lsl,
    facts: Facts,
    /// `None` until published.
    outlets: Option<Outlets>,
    /// Whether samples and markers are held rather than pushed: until the streams are published,
    /// then until a consumer comes or `release_by` passes.
    holding: bool,
    held: Vec<Held>,
    /// `--lsl-wait`: how long held samples wait for a consumer after publication.
    consumer_wait: Option<Duration>,
    release_by: Option<Instant>,
    /// The clock model's latest rate estimate (the nominal rate until told).
    rate_hz: f64,
    /// Wall clock minus LSL clock, in seconds.
    wall_minus_lsl_s: f64,
    /// The LSL time of the latest sample: the time of events that carry none.
    latest_lsl_s: Option<f64>,
    /// Samples pushed.
    samples: u64,
}

impl LslSink {
    /// Loads liblsl and prepares the streams `name` (type EEG) and `name-events` (type
    /// Markers) for the session the settings describe; they are published once the rate is
    /// settled (see the module documentation).
    pub fn open(name: &str, settings: &Settings) -> Result<Self, Error> {
        let lsl = Lsl::load().map_err(|e| lsl_error("--lsl", e))?;
        let profile = &settings.profile;
        Ok(Self {
            name: name.to_string(),
            facts: Facts {
                source_id: source_id(&settings.source),
                model: profile.name.clone(),
                microvolts_per_lsb: profile.microvolts_per_lsb,
                nominal_rate_hz: profile.nominal_rate_hz,
            },
            outlets: None,
            holding: true,
            held: Vec::new(),
            consumer_wait: settings.lsl_wait,
            release_by: None,
            rate_hz: profile.nominal_rate_hz,
            wall_minus_lsl_s: wall_minus_lsl(&lsl),
            latest_lsl_s: None,
            samples: 0,
            lsl,
        })
    }

    fn lsl_time(&self, timestamp_us: i64) -> f64 {
        timestamp_us as f64 / 1e6 - self.wall_minus_lsl_s
    }

    /// Creates both outlets, the data stream declaring `rate_hz` (to the millihertz).
    fn publish(&mut self, rate_hz: f64) -> io::Result<()> {
        let rate_hz = (rate_hz * 1e3).round() / 1e3;
        let name = &self.name;
        let facts = &self.facts;
        let mut info = StreamInfo::new(
            &self.lsl,
            name,
            "EEG",
            CHANNELS,
            rate_hz,
            ChannelFormat::Float32,
            &facts.source_id,
        )
        .map_err(|e| io_error(name, e))?;
        describe(&mut info, facts).map_err(|e| io_error(name, e))?;
        let data = Outlet::new(&info, MAX_BUFFERED_S).map_err(|e| io_error(name, e))?;

        let events_name = format!("{name}-events");
        let mut events_info = StreamInfo::new(
            &self.lsl,
            &events_name,
            "Markers",
            1,
            IRREGULAR_RATE,
            ChannelFormat::String,
            &format!("{}-events", facts.source_id),
        )
        .map_err(|e| io_error(&events_name, e))?;
        let mut desc = events_info.desc();
        desc.append_child_value("manufacturer", "OpenEEG")
            .and_then(|()| desc.append_child_value("data_stream", name))
            .map_err(|e| io_error(&events_name, e))?;
        let events =
            Outlet::new(&events_info, MAX_BUFFERED_S).map_err(|e| io_error(&events_name, e))?;
        self.outlets = Some(Outlets { data, events });
        match self.consumer_wait {
            Some(wait) => self.release_by = Some(Instant::now() + wait),
            None => self.release()?,
        }
        Ok(())
    }

    /// Publishes or releases what is held when it is time to.
    fn progress(&mut self) -> io::Result<()> {
        if self.outlets.is_none() {
            if self.held_span_s() < RATE_WAIT_S {
                return Ok(());
            }
            self.publish(self.rate_hz)?;
        }
        if let Some(outlets) = &self.outlets
            && self.holding
            && (outlets.data.have_consumers()
                || self.release_by.is_none_or(|t| Instant::now() >= t)
                || self.held_span_s() >= f64::from(MAX_BUFFERED_S))
        {
            self.release()?;
        }
        Ok(())
    }

    /// LSL time from the oldest held item to the newest.
    fn held_span_s(&self) -> f64 {
        match (self.held.first(), self.held.last()) {
            (Some(first), Some(last)) => held_time(last) - held_time(first),
            _ => 0.0,
        }
    }

    /// Pushes everything held, in order, and from now on everything as it comes.
    fn release(&mut self) -> io::Result<()> {
        self.holding = false;
        for item in std::mem::take(&mut self.held) {
            self.push(item)?;
        }
        Ok(())
    }

    /// Pushes `item` now, or holds it.
    fn send(&mut self, item: Held) -> io::Result<()> {
        if self.holding {
            self.held.push(item);
            return self.progress();
        }
        self.push(item)
    }

    fn push(&mut self, item: Held) -> io::Result<()> {
        let outlets = self.outlets.as_mut().expect("pushed only once published");
        match item {
            Held::Sample(values, t) => {
                outlets
                    .data
                    .push_f32(&values, t)
                    .map_err(|e| io_error(&self.name, e))?;
                self.samples += 1;
            }
            Held::Marker(text, t) => outlets
                .events
                .push_str(&text, t)
                .map_err(|e| io_error(&format!("{}-events", self.name), e))?,
        }
        Ok(())
    }
}

fn held_time(item: &Held) -> f64 {
    match item {
        Held::Sample(_, t) | Held::Marker(_, t) => *t,
    }
}

impl Sink for LslSink {
    fn name(&self) -> String {
        format!("LSL stream {}", self.name)
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        let values = record.microvolts.map(|uv| uv as f32);
        let t = self.lsl_time(record.timestamp_us);
        self.latest_lsl_s = Some(t);
        self.send(Held::Sample(values, t))
    }

    fn note(&mut self, note: &Note) -> io::Result<()> {
        let latest = self
            .latest_lsl_s
            .unwrap_or_else(|| self.lsl_time(wall_clock_us()));
        let (text, t) = match note {
            Note::Lost {
                count,
                first_sample_index,
                timestamp_us,
            } => (
                format!("lost count={count} first_sample_index={first_sample_index}"),
                self.lsl_time(*timestamp_us),
            ),
            Note::Resync { skipped_bytes } => {
                (format!("resync skipped_bytes={skipped_bytes}"), latest)
            }
            Note::DeviceGone {
                reason,
                timestamp_us,
            } => (
                format!("device_gone reason={reason}"),
                self.lsl_time(*timestamp_us),
            ),
            Note::DeviceBack {
                device,
                timestamp_us,
            } => (
                format!("device_back device={device}"),
                self.lsl_time(*timestamp_us),
            ),
            Note::Switches {
                sample_index,
                previous,
                current,
            } => (
                format!(
                    "switches sample_index={sample_index} previous={previous} current={current}"
                ),
                latest,
            ),
            // At the time of the first sample after it.
            Note::Restart {
                sample_index,
                timestamp_us,
                previous_counter,
                counter,
                evidence,
            } => (
                format!(
                    "restart sample_index={sample_index} previous_counter={previous_counter} counter={counter} evidence={}",
                    evidence.name()
                ),
                self.lsl_time(*timestamp_us),
            ),
            // The rest describe the byte stream, not the recording.
            Note::SyncLost { .. }
            | Note::Protocol(_)
            | Note::DeviceId(_)
            | Note::CounterStalled { .. }
            | Note::TrailingBytes { .. } => return Ok(()),
        };
        self.send(Held::Marker(text, t))
    }

    /// Keeps the latest estimate; publishes the streams at the first settled rate.
    fn rate(&mut self, rate_hz: f64, settled: bool) -> io::Result<()> {
        if rate_hz.is_finite() && rate_hz > 0.0 {
            self.rate_hz = rate_hz;
            if settled && self.outlets.is_none() {
                self.publish(rate_hz)?;
            }
        }
        if self.holding {
            self.progress()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Every push is sent at once.
        Ok(())
    }

    /// Publishes the streams if the rate was never settled (at `estimated_rate_hz`), gives
    /// held samples what is left of `--lsl-wait` to find a consumer, and pushes them.
    fn finish(&mut self, estimated_rate_hz: f64) -> io::Result<()> {
        if self.outlets.is_none() {
            if estimated_rate_hz.is_finite() && estimated_rate_hz > 0.0 {
                self.rate_hz = estimated_rate_hz;
            }
            self.publish(self.rate_hz)?;
        }
        let mut linger = LINGER;
        if self.holding {
            if let (Some(outlets), Some(by)) = (&self.outlets, self.release_by) {
                let left = by.saturating_duration_since(Instant::now());
                outlets.data.wait_for_consumers(left.as_secs_f64());
            }
            if !self.held.is_empty() {
                linger = LINGER_AFTER_RELEASE;
            }
            self.release()?;
        }
        let outlets = self.outlets.as_ref().expect("published above");
        // Destroying an outlet drops what it has not sent yet, and liblsl has no call to wait
        // for that: give the last pushes time to leave while someone is listening.
        if outlets.data.have_consumers() || outlets.events.have_consumers() {
            std::thread::sleep(linger);
        }
        Ok(())
    }

    /// Bytes of samples pushed so far (none while they are held).
    fn size(&self) -> u64 {
        self.samples * (CHANNELS * size_of::<f32>()) as u64
    }
}

/// Stable per source, so that consumers (LabRecorder) reconnect to the same source after a
/// restart of the reader.
fn source_id(source: &SourceSpec) -> String {
    match source {
        SourceSpec::Line(path) => format!("openeeg:{path}"),
        SourceSpec::Attached => "openeeg:attached".to_string(),
        SourceSpec::Replay { path, .. } => match path {
            Some(path) => format!("openeeg:replay:{}", path.display()),
            None => "openeeg:replay:stdin".to_string(),
        },
        SourceSpec::Simulate { seed, .. } => format!("openeeg:simulator:seed{seed}"),
        SourceSpec::List => "openeeg:list".to_string(),
    }
}

/// Channels (label, unit, type) and acquisition facts, as the XDF meta-data conventions lay
/// them out; the device's nominal rate beside the declared one.
fn describe(info: &mut StreamInfo, facts: &Facts) -> Result<(), LslError> {
    let mut desc = info.desc();
    let mut channels = desc.append_child("channels")?;
    for n in 1..=CHANNELS {
        let mut channel = channels.append_child("channel")?;
        channel.append_child_value("label", &format!("ch{n}"))?;
        channel.append_child_value("unit", "microvolts")?;
        channel.append_child_value("type", "EEG")?;
    }
    desc.append_child_value("manufacturer", "OpenEEG")?;
    let mut acquisition = desc.append_child("acquisition")?;
    acquisition.append_child_value("manufacturer", "OpenEEG")?;
    acquisition.append_child_value("model", &facts.model)?;
    acquisition.append_child_value("resolution_bits", "10")?;
    acquisition.append_child_value("microvolts_per_lsb", &facts.microvolts_per_lsb.to_string())?;
    acquisition.append_child_value("nominal_rate_hz", &facts.nominal_rate_hz.to_string())?;
    acquisition.append_child_value("software", concat!("eegreader ", env!("CARGO_PKG_VERSION")))?;
    Ok(())
}

/// Wall clock minus LSL clock, read between two LSL readings so the error is half their gap.
fn wall_minus_lsl(lsl: &Lsl) -> f64 {
    let before = lsl.local_clock();
    let wall = wall_clock_us() as f64 / 1e6;
    let after = lsl.local_clock();
    wall - (before + after) / 2.0
}

/// An LSL failure during the session, naming the stream.
fn io_error(stream: &str, e: LslError) -> io::Error {
    io::Error::other(format!("LSL stream {stream}: {}", e.what))
}

fn lsl_error(what: &str, e: LslError) -> Error {
    let error = Error::new(format!("LSL stream {what}: {}", e.what));
    match e.help {
        Some(help) => error.fix(help),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn source_ids_name_the_source() {
        assert_eq!(
            source_id(&SourceSpec::Line("/dev/ttyUSB0".into())),
            "openeeg:/dev/ttyUSB0"
        );
        assert_eq!(
            source_id(&SourceSpec::Simulate {
                seed: 7,
                faults: true
            }),
            "openeeg:simulator:seed7"
        );
        assert_eq!(
            source_id(&SourceSpec::Replay {
                path: Some(PathBuf::from("s.bin")),
                realtime: true
            }),
            "openeeg:replay:s.bin"
        );
    }
}
