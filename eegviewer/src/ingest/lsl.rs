//! `eegviewer --lsl NAME`: any Lab Streaming Layer stream with numeric channels (eegreader's
//! `--lsl`, or another EEG source) as [`Batch`]es, on an ingest thread like standard input's.
//!
//! The viewer works in 10-bit codes (0..=1023, mid-scale 512), so microvolts come back as
//! `code = uv / uv_per_lsb + 512`, rounded. For eegreader's streams this is exact: the stream
//! declares its scale (`desc/acquisition/microvolts_per_lsb`) and the viewer uses it. For other
//! sources the viewer's scale (`--scale`, 0.5 uV by default) applies and values beyond
//! +-256 steps are clamped: a generic source shows its first 6 channels, at 10-bit resolution,
//! within +-256 x scale microvolts. Samples carry no switch inputs (shown as none pressed), and
//! the marker stream `NAME-events` is not read.
//!
//! Timestamps: the sender's LSL times plus liblsl's time correction are on this machine's LSL
//! clock, then moved to the wall clock by one offset taken at start.

use std::io;
use std::thread::{self, JoinHandle};
use std::time::{SystemTime, UNIX_EPOCH};

use crossbeam_channel::Sender;
use libeeg::CHANNELS;
use lsl_dynamic::{Inlet, Lsl, LslError, StreamInfo};

use super::item::{Batch, Marker, MarkerAt, Sample};

/// Seconds of samples the inlet keeps while the UI is busy.
const MAX_BUFFERED_S: i32 = 360;

/// Samples asked for by each pull.
const PULL_SAMPLES: usize = 1024;

/// How long a pull waits for samples before trying again.
const PULL_TIMEOUT_S: f64 = 0.1;

/// Seconds to wait for the stream to accept the subscription and send its description.
const OPEN_TIMEOUT_S: f64 = 10.0;

/// A subscribed LSL stream, not yet read.
pub struct LslInput {
    inlet: Inlet,
    description: String,
    declared_uv_per_lsb: Option<f64>,
}

impl LslInput {
    /// Finds the stream `name` (waiting up to `timeout_s` seconds) and subscribes to it. When
    /// it is not there, the error lists the streams that are.
    pub fn open(name: &str, timeout_s: f64) -> Result<Self, String> {
        let lsl = Lsl::load().map_err(|e| e.to_string())?;
        let found = lsl
            .resolve_by_name(name, timeout_s)
            .map_err(|e| e.to_string())?;
        let Some(info) = found.iter().find(|info| info.channel_format().is_numeric()) else {
            return Err(not_found(&lsl, name, timeout_s, &found));
        };
        let mut inlet = Inlet::new(info, MAX_BUFFERED_S).map_err(|e| e.to_string())?;
        inlet.open(OPEN_TIMEOUT_S).map_err(|e| opening(name, e))?;
        let mut full = inlet
            .full_info(OPEN_TIMEOUT_S)
            .map_err(|e| opening(name, e))?;
        let declared_uv_per_lsb = declared_scale(&mut full);
        let channels = info.channel_count();
        let mut description = format!(
            "LSL stream {name} ({}, {channels} channels at {} Hz, from {})",
            info.kind(),
            info.nominal_rate_hz(),
            info.hostname()
        );
        if channels > CHANNELS {
            description.push_str(&format!("; showing the first {CHANNELS}"));
        }
        Ok(Self {
            inlet,
            description,
            declared_uv_per_lsb,
        })
    }

    /// The scale the stream declares (eegreader's do), in microvolts per step.
    pub fn declared_uv_per_lsb(&self) -> Option<f64> {
        self.declared_uv_per_lsb
    }

    /// What the stream is, for people.
    pub fn describe(&self) -> &str {
        &self.description
    }
}

/// Reads `input` on an ingest thread and sends its samples, as codes at `uv_per_lsb`, in one
/// batch per pull, calling `wake()` after each. The thread returns when the receiver is
/// dropped; a lost stream ends with [`Marker::StreamEnded`] carrying the reason.
pub fn spawn_lsl_ingest(
    input: LslInput,
    uv_per_lsb: f64,
    sender: Sender<Batch>,
    wake: impl Fn() + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("eegviewer-lsl".into())
        .spawn(move || ingest(input.inlet, uv_per_lsb, &sender, &wake))
}

fn ingest(mut inlet: Inlet, uv_per_lsb: f64, sender: &Sender<Batch>, wake: &impl Fn()) {
    let channels = inlet.channel_count();
    let mut data = vec![0.0f32; PULL_SAMPLES * channels];
    let mut timestamps = vec![0.0f64; PULL_SAMPLES];
    let wall_minus_lsl_s = wall_minus_lsl();
    let mut converter = Converter {
        channels,
        uv_per_lsb,
        next_index: 0,
    };
    loop {
        let pulled = inlet
            .pull_chunk(&mut data, &mut timestamps, PULL_TIMEOUT_S)
            // Instantaneous after the first call; follows drift between the two machines.
            .and_then(|n| Ok((n, inlet.time_correction(OPEN_TIMEOUT_S)?)));
        let batch = match pulled {
            Ok((0, _)) => continue,
            Ok((n, correction)) => converter.batch(
                &data[..n * channels],
                &timestamps[..n],
                correction + wall_minus_lsl_s,
            ),
            Err(e) => {
                let _ = sender.send(ended(e.to_string()));
                wake();
                return;
            }
        };
        if sender.send(batch).is_err() {
            return;
        }
        wake();
    }
}

/// Turns pulled chunks into batches of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Converter {
    /// Channels per sample in the stream.
    pub channels: usize,
    /// Microvolts per code step.
    pub uv_per_lsb: f64,
    /// Index of the next sample since the subscription.
    pub next_index: u64,
}

impl Converter {
    /// The samples of `data` (interleaved, `channels` per sample) at `timestamps` (LSL
    /// seconds), moved to the wall clock by adding `to_wall_s`.
    pub fn batch(&mut self, data: &[f32], timestamps: &[f64], to_wall_s: f64) -> Batch {
        let samples = data
            .chunks_exact(self.channels)
            .zip(timestamps)
            .map(|(values, &t)| {
                let index = self.next_index;
                self.next_index += 1;
                Sample {
                    timestamp_us: ((t + to_wall_s) * 1e6).round() as i64,
                    sample_index: Some(index),
                    frame: index as u8,
                    values: std::array::from_fn(|ch| {
                        values
                            .get(ch)
                            .map_or(MID_SCALE, |&uv| to_code(uv, self.uv_per_lsb))
                    }),
                    // No switch inputs: none pressed.
                    switches: 0x0f,
                }
            })
            .collect();
        Batch {
            samples,
            ..Batch::default()
        }
    }
}

const MID_SCALE: u16 = 512;

/// Microvolts as the nearest 10-bit code at `uv_per_lsb`, clamped to 0..=1023.
pub fn to_code(uv: f32, uv_per_lsb: f64) -> u16 {
    let code = (f64::from(uv) / uv_per_lsb + f64::from(MID_SCALE)).round();
    if code.is_nan() {
        return MID_SCALE;
    }
    code.clamp(0.0, 1023.0) as u16
}

fn declared_scale(info: &mut StreamInfo) -> Option<f64> {
    let desc = info.desc();
    let value = desc.child("acquisition")?.child_value("microvolts_per_lsb");
    value
        .parse::<f64>()
        .ok()
        .filter(|k| k.is_finite() && *k > 0.0)
}

fn not_found(lsl: &Lsl, name: &str, timeout_s: f64, found: &[StreamInfo]) -> String {
    if !found.is_empty() {
        return format!("the LSL stream {name} has string channels (markers?), not samples");
    }
    let seen = lsl.resolve_all(1.0).unwrap_or_default();
    if seen.is_empty() {
        return format!(
            "no LSL stream named {name} within {timeout_s} s, and no LSL stream at all: \
             is the source running (eegreader --lsl {name})?"
        );
    }
    let list: Vec<String> = seen
        .iter()
        .map(|info| {
            format!(
                "  {} ({}, {} channels, from {})",
                info.name(),
                info.kind(),
                info.channel_count(),
                info.hostname()
            )
        })
        .collect();
    format!(
        "no LSL stream named {name} within {timeout_s} s; the streams seen:\n{}",
        list.join("\n")
    )
}

fn opening(name: &str, e: LslError) -> String {
    format!("subscribing to the LSL stream {name}: {e}")
}

fn ended(error: String) -> Batch {
    Batch {
        markers: vec![MarkerAt {
            before_sample: 0,
            marker: Marker::StreamEnded { error: Some(error) },
        }],
        ..Batch::default()
    }
}

/// Wall clock minus LSL clock in seconds, read between two LSL readings.
fn wall_minus_lsl() -> f64 {
    let Ok(lsl) = Lsl::load() else {
        return 0.0;
    };
    let before = lsl.local_clock();
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let after = lsl.local_clock();
    wall - (before + after) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microvolts_become_codes_at_the_scale() {
        assert_eq!(to_code(0.0, 0.5), 512);
        assert_eq!(to_code(-256.0, 0.5), 0);
        assert_eq!(to_code(255.5, 0.5), 1023);
        assert_eq!(to_code(10.4, 0.52), 532);
        // Beyond the 10-bit range, and not a number.
        assert_eq!(to_code(1e6, 0.5), 1023);
        assert_eq!(to_code(-1e6, 0.5), 0);
        assert_eq!(to_code(f32::NAN, 0.5), 512);
    }

    #[test]
    fn chunks_become_samples_with_the_first_six_channels() {
        let mut converter = Converter {
            channels: 8,
            uv_per_lsb: 0.5,
            next_index: 255,
        };
        let data: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let batch = converter.batch(&data, &[10.0, 10.004], 1_700_000_000.0);
        assert_eq!(batch.samples.len(), 2);
        assert_eq!(batch.samples[0].values, [512, 514, 516, 518, 520, 522]);
        assert_eq!(batch.samples[1].values, [528, 530, 532, 534, 536, 538]);
        assert_eq!(batch.samples[0].timestamp_us, 1_700_000_010_000_000);
        assert_eq!(batch.samples[1].timestamp_us, 1_700_000_010_004_000);
        assert_eq!(
            (batch.samples[1].sample_index, batch.samples[1].frame),
            (Some(256), 0)
        );
        assert_eq!(converter.next_index, 257);
    }

    #[test]
    fn fewer_channels_than_six_leave_the_rest_at_mid_scale() {
        let mut converter = Converter {
            channels: 2,
            uv_per_lsb: 0.5,
            next_index: 0,
        };
        let batch = converter.batch(&[1.0, -1.0], &[0.0], 0.0);
        assert_eq!(batch.samples[0].values, [514, 510, 512, 512, 512, 512]);
    }
}
