//! Raw captures (`eegreader --record-raw`, or bytes saved from a serial port) decoded for
//! review with libeeg's decoder.
//!
//! A capture holds no times, so sample `n` is placed at `start_us + n / rate_hz` (256 Hz unless
//! told otherwise); lost packets keep their place, as the decoder counts them. Events map to
//! markers as eegreader maps them: the first sync is the [`Marker::Protocol`], later ones are
//! [`Marker::Resync`]s; a device restart is a [`Marker::Restart`] before its first packet.

use std::io::{self, Read};

use libeeg::{Decoder, DecoderConfig, Event, ProtocolChoice, Stats};

use super::batch::BatchBuilder;
use super::item::{Batch, Marker, Sample, one_line};

/// How to place a capture in time and decode it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawOptions {
    /// Sample rate (Hz) that turns sample indices into times; 256 by default.
    pub rate_hz: f64,
    /// Time of sample 0, microseconds (0 by default: times count from the capture's start).
    pub start_us: i64,
    /// Protocol to decode (automatic detection by default).
    pub protocol: ProtocolChoice,
}

impl Default for RawOptions {
    fn default() -> Self {
        Self {
            rate_hz: 256.0,
            start_us: 0,
            protocol: ProtocolChoice::Auto,
        }
    }
}

impl RawOptions {
    /// The time of sample `index`.
    fn time_us(&self, index: u64) -> i64 {
        let rate = if self.rate_hz.is_finite() && self.rate_hz > 0.0 {
            self.rate_hz
        } else {
            256.0
        };
        self.start_us
            .saturating_add((index as f64 * 1e6 / rate).round() as i64)
    }
}

/// Bytes handed to the decoder at a time.
const CHUNK: usize = 256 * 1024;

/// Decodes a whole capture into batches; also returns the decoder's counters.
pub fn decode(mut reader: impl Read, options: &RawOptions) -> io::Result<(Vec<Batch>, Stats)> {
    let mut config = DecoderConfig::with_protocol(options.protocol);
    config.sample_rate_hz = options.rate_hz;
    let mut decoder = Decoder::new(config);
    let mut capture = Capture {
        options,
        builder: BatchBuilder::new(),
        batches: Vec::new(),
        synced: false,
    };
    let mut buf = vec![0; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        decoder.push(&buf[..n]);
        while let Some(event) = decoder.poll() {
            capture.event(event);
        }
    }
    decoder.finish();
    while let Some(event) = decoder.poll() {
        capture.event(event);
    }
    capture.builder.marker(Marker::StreamEnded { error: None });
    capture.batches.push(capture.builder.take());
    Ok((capture.batches, *decoder.stats()))
}

struct Capture<'a> {
    options: &'a RawOptions,
    builder: BatchBuilder,
    batches: Vec<Batch>,
    /// Sync was acquired once (the next acquisition is a resync).
    synced: bool,
}

impl Capture<'_> {
    fn event(&mut self, event: Event) {
        let marker = match event {
            Event::Packet(p) => {
                let sample = Sample {
                    timestamp_us: self.options.time_us(p.sample_index),
                    sample_index: Some(p.sample_index),
                    frame: p.counter,
                    values: p.samples,
                    switches: p.switches,
                };
                self.builder.sample(sample, Some(p.protocol));
                if self.builder.is_full() {
                    self.batches.push(self.builder.take());
                }
                return;
            }
            Event::PacketsLost {
                count,
                first_sample_index,
            } => Marker::Lost {
                count,
                first_sample_index,
                at_us: self.options.time_us(first_sample_index),
            },
            Event::SyncLost { at_byte } => Marker::SyncLost { at_byte },
            Event::SyncAcquired {
                protocol,
                skipped_bytes,
            } => {
                if std::mem::replace(&mut self.synced, true) {
                    self.builder.marker(Marker::Resync { skipped_bytes });
                }
                // Kept only when it is new.
                Marker::Protocol(protocol)
            }
            Event::SwitchChanged {
                sample_index,
                previous,
                current,
            } => Marker::SwitchChange {
                sample_index,
                previous,
                current,
            },
            Event::Restart {
                sample_index,
                previous_counter,
                counter,
                evidence,
            } => Marker::Restart {
                sample_index,
                at_us: self.options.time_us(sample_index),
                previous_counter,
                counter,
                evidence: evidence.name().to_owned(),
            },
            Event::CounterStalled { counter, .. } => Marker::CounterStalled { counter },
            Event::DeviceId(id) => Marker::DeviceId(one_line(&id)),
            Event::TrailingBytes { count } => Marker::TrailingBytes { count },
            _ => return,
        };
        self.builder.marker(marker);
    }
}

#[cfg(test)]
mod tests {
    use libeeg::Protocol;
    use libeeg::sim::{SimConfig, Simulator};

    use super::super::batch::MAX_SAMPLES;
    use super::*;

    fn all_samples(batches: &[Batch]) -> Vec<Sample> {
        batches
            .iter()
            .flat_map(|b| b.samples.iter().copied())
            .collect()
    }

    fn all_markers(batches: &[Batch]) -> Vec<Marker> {
        batches
            .iter()
            .flat_map(|b| b.markers.iter().map(|m| m.marker.clone()))
            .collect()
    }

    #[test]
    fn simulator_packets_decode_to_the_simulated_frames() {
        let n = MAX_SAMPLES + 100;
        let mut sim = Simulator::new(SimConfig {
            switch_presses: false,
            ..SimConfig::default()
        });
        let frames = sim.clone().frames(n);
        let bytes = sim.packets(n);
        let (batches, stats) = decode(&bytes[..], &RawOptions::default()).unwrap();
        assert_eq!(stats.packets, n as u64);
        assert_eq!(batches.len(), 2);
        let samples = all_samples(&batches);
        assert_eq!(samples.len(), n);
        for (i, (s, f)) in samples.iter().zip(&frames).enumerate() {
            assert_eq!(s.values, f.samples, "sample {i}");
            assert_eq!(s.switches, f.switches);
            assert_eq!(s.sample_index, Some(i as u64));
            assert_eq!(s.frame, i as u8);
            assert_eq!(s.timestamp_us, (i as f64 * 1e6 / 256.0).round() as i64);
        }
        assert_eq!(
            all_markers(&batches),
            [
                Marker::Protocol(Protocol::P2),
                Marker::StreamEnded { error: None }
            ]
        );
    }

    #[test]
    fn the_rate_and_start_given_place_the_samples() {
        let bytes = Simulator::new(SimConfig::default()).packets(3);
        let options = RawOptions {
            rate_hz: 250.0,
            start_us: 1_000_000,
            ..RawOptions::default()
        };
        let (batches, _) = decode(&bytes[..], &options).unwrap();
        let times: Vec<_> = all_samples(&batches)
            .iter()
            .map(|s| s.timestamp_us)
            .collect();
        assert_eq!(times, [1_000_000, 1_004_000, 1_008_000]);
    }

    #[test]
    fn lost_packets_resyncs_and_switches_become_markers() {
        let mut sim = Simulator::new(SimConfig {
            switch_presses: false,
            ..SimConfig::default()
        });
        let mut frames = sim.frames(40);
        frames[30].switches = 0x0B;
        let mut bytes = Vec::new();
        let mut packet_starts = Vec::new();
        for frame in &frames {
            packet_starts.push(bytes.len());
            sim.encode_frame(frame, &mut bytes);
        }
        // Packets 10..13 vanish; junk sits between packets 20 and 21.
        let mut damaged = bytes[..packet_starts[10]].to_vec();
        damaged.extend_from_slice(&bytes[packet_starts[13]..packet_starts[21]]);
        damaged.extend_from_slice(&[0x00, 0x11, 0x22, 0x33, 0x44]);
        damaged.extend_from_slice(&bytes[packet_starts[21]..]);
        let (batches, stats) = decode(&damaged[..], &RawOptions::default()).unwrap();
        assert_eq!(stats.lost, 3);
        let markers = all_markers(&batches);
        assert!(
            markers.contains(&Marker::Lost {
                count: 3,
                first_sample_index: 10,
                at_us: 39_063
            }),
            "{markers:?}"
        );
        assert!(
            markers.iter().any(|m| matches!(m, Marker::Resync { .. })),
            "{markers:?}"
        );
        assert!(markers.contains(&Marker::SwitchChange {
            sample_index: 30,
            previous: 15,
            current: 11
        }));
        assert_eq!(
            markers
                .iter()
                .filter(|m| matches!(m, Marker::Protocol(_)))
                .count(),
            1
        );
        let samples = all_samples(&batches);
        assert_eq!(samples.len(), 37);
        assert_eq!(samples[10].sample_index, Some(13));
    }

    #[test]
    fn a_restart_is_a_marker_before_its_first_packet_and_loses_nothing() {
        // A board counting 0..=99, then the reset signal (40 packets of counter 0, every
        // channel 512, switches 0x02), then counting from 1 again.
        let packet = |counter: u8, value: u16, switches: u8| {
            let mut p = vec![0xA5, 0x5A, 0x02, counter];
            for _ in 0..6 {
                p.extend(value.to_be_bytes());
            }
            p.push(switches);
            p
        };
        let mut bytes: Vec<u8> = (0..100u8).flat_map(|c| packet(c, 400, 0x01)).collect();
        bytes.extend((0..40).flat_map(|_| packet(0, 512, 0x02)));
        bytes.extend((1..=60u8).flat_map(|c| packet(c, 400, 0x01)));
        let (batches, stats) = decode(&bytes[..], &RawOptions::default()).unwrap();
        assert_eq!((stats.packets, stats.lost, stats.restarts), (200, 0, 1));
        let restart = Marker::Restart {
            sample_index: 100,
            at_us: 390_625,
            previous_counter: 99,
            counter: 0,
            evidence: "reset-signal".into(),
        };
        // Placed before the first packet after it.
        let (batch, at) = batches
            .iter()
            .find_map(|b| Some((b, b.markers.iter().find(|m| m.marker == restart)?)))
            .unwrap_or_else(|| panic!("{:?}", all_markers(&batches)));
        let first = batch.samples[at.before_sample];
        assert_eq!((first.sample_index, first.frame), (Some(100), 0));
        // Sample indices run on: no gap.
        let samples = all_samples(&batches);
        assert!(
            samples
                .iter()
                .enumerate()
                .all(|(i, s)| s.sample_index == Some(i as u64))
        );
        assert!(
            !all_markers(&batches)
                .iter()
                .any(|m| matches!(m, Marker::Lost { .. }))
        );
    }

    #[test]
    fn p3_with_its_device_id() {
        let mut sim = Simulator::new(SimConfig {
            protocol: Protocol::P3,
            ..SimConfig::default()
        });
        let bytes = sim.packets(200);
        let (batches, stats) = decode(&bytes[..], &RawOptions::default()).unwrap();
        assert_eq!(stats.packets, 200);
        let markers = all_markers(&batches);
        assert_eq!(markers[0], Marker::Protocol(Protocol::P3));
        assert!(
            markers.contains(&Marker::DeviceId("mEEGv1.0".into())),
            "{markers:?}"
        );
    }

    #[test]
    fn junk_decodes_to_nothing() {
        let (batches, stats) = decode(
            &b"hello, this is not a capture\n"[..],
            &RawOptions::default(),
        )
        .unwrap();
        assert_eq!(stats.packets, 0);
        assert!(all_samples(&batches).is_empty());
    }
}
