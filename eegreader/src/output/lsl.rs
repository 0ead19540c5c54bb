//! `--lsl NAME`: the samples as a Lab Streaming Layer stream, and the stream events as a marker
//! stream `NAME-events`.
//!
//! Samples keep the clock model's timestamps: each record's wall-clock time is moved onto LSL's
//! clock by one offset measured at start. Both clocks the reader's timestamps come from (the
//! session's start on the wall clock, then the monotonic clock) and `lsl_local_clock` (the
//! monotonic clock) advance together, so one offset is exact for the whole session; LSL's "now"
//! would add the delivery jitter the clock model removes.

use std::io;
use std::time::Duration;

use libeeg::CHANNELS;
use lsl_dynamic::{ChannelFormat, IRREGULAR_RATE, Lsl, LslError, Outlet, StreamInfo};

use super::Sink;
use crate::acquire::wall_clock_us;
use crate::error::Error;
use crate::record::{Note, Record};
use crate::settings::{Settings, SourceSpec};

/// Seconds of samples an outlet keeps for a consumer that falls behind.
const MAX_BUFFERED_S: i32 = 360;

/// How long the outlets stay open after the last push when consumers are connected.
const LINGER: Duration = Duration::from_millis(250);

/// The data outlet and the marker outlet of one session.
pub struct LslSink {
    name: String,
    data: Outlet,
    events: Outlet,
    /// Wall clock minus LSL clock, in seconds.
    wall_minus_lsl_s: f64,
    /// The LSL time of the latest sample: the time of events that carry none.
    latest_lsl_s: Option<f64>,
    samples: u64,
}

impl LslSink {
    /// Loads liblsl and publishes the stream `name` (type EEG) and `name-events` (type
    /// Markers) for the session the settings describe.
    pub fn open(name: &str, settings: &Settings) -> Result<Self, Error> {
        let lsl = Lsl::load().map_err(|e| lsl_error("--lsl", e))?;
        let source_id = source_id(&settings.source);
        let profile = &settings.profile;
        let mut info = StreamInfo::new(
            &lsl,
            name,
            "EEG",
            CHANNELS,
            profile.nominal_rate_hz,
            ChannelFormat::Float32,
            &source_id,
        )
        .map_err(|e| lsl_error(name, e))?;
        describe(&mut info, settings).map_err(|e| lsl_error(name, e))?;
        let data = Outlet::new(&info, MAX_BUFFERED_S).map_err(|e| lsl_error(name, e))?;

        let events_name = format!("{name}-events");
        let mut events_info = StreamInfo::new(
            &lsl,
            &events_name,
            "Markers",
            1,
            IRREGULAR_RATE,
            ChannelFormat::String,
            &format!("{source_id}-events"),
        )
        .map_err(|e| lsl_error(&events_name, e))?;
        let mut desc = events_info.desc();
        desc.append_child_value("manufacturer", "OpenEEG")
            .and_then(|()| desc.append_child_value("data_stream", name))
            .map_err(|e| lsl_error(&events_name, e))?;
        let events =
            Outlet::new(&events_info, MAX_BUFFERED_S).map_err(|e| lsl_error(&events_name, e))?;

        Ok(Self {
            name: name.to_string(),
            data,
            events,
            wall_minus_lsl_s: wall_minus_lsl(&lsl),
            latest_lsl_s: None,
            samples: 0,
        })
    }

    /// Waits up to `limit` for a consumer of the data stream; whether one came.
    pub fn wait_for_consumer(&self, limit: Duration) -> bool {
        self.data.wait_for_consumers(limit.as_secs_f64())
    }

    fn lsl_time(&self, timestamp_us: i64) -> f64 {
        timestamp_us as f64 / 1e6 - self.wall_minus_lsl_s
    }

    fn marker(&mut self, text: &str, timestamp_s: f64) -> io::Result<()> {
        self.events
            .push_str(text, timestamp_s)
            .map_err(|e| io::Error::other(format!("LSL stream {}-events: {e}", self.name)))
    }
}

impl Sink for LslSink {
    fn name(&self) -> String {
        format!("LSL stream {}", self.name)
    }

    fn record(&mut self, record: &Record) -> io::Result<()> {
        let values = record.microvolts.map(|uv| uv as f32);
        let t = self.lsl_time(record.timestamp_us);
        self.data
            .push_f32(&values, t)
            .map_err(|e| io::Error::other(format!("LSL stream {}: {e}", self.name)))?;
        self.latest_lsl_s = Some(t);
        self.samples += 1;
        Ok(())
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
            // The rest describe the byte stream, not the recording.
            Note::SyncLost { .. }
            | Note::Protocol(_)
            | Note::DeviceId(_)
            | Note::CounterStalled { .. }
            | Note::TrailingBytes { .. } => return Ok(()),
        };
        self.marker(&text, t)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Every push is sent at once.
        Ok(())
    }

    fn finish(&mut self, _estimated_rate_hz: f64) -> io::Result<()> {
        // Destroying an outlet drops what it has not sent yet, and liblsl has no call to wait
        // for that: give the last pushes time to leave while someone is listening.
        if self.data.have_consumers() || self.events.have_consumers() {
            std::thread::sleep(LINGER);
        }
        Ok(())
    }

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
/// them out.
fn describe(info: &mut StreamInfo, settings: &Settings) -> Result<(), LslError> {
    let profile = &settings.profile;
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
    acquisition.append_child_value("model", &profile.name)?;
    acquisition.append_child_value("resolution_bits", "10")?;
    acquisition.append_child_value(
        "microvolts_per_lsb",
        &profile.microvolts_per_lsb.to_string(),
    )?;
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
