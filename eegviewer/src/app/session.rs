//! What the viewer knows about the stream, free of any GUI: the history of raw and filtered
//! samples, the gaps, the counters and the measured rate. [`Session::ingest`] takes one
//! [`Batch`] at a time.

use std::collections::VecDeque;

use libeeg::CHANNELS;

use super::marks::{Mark, MarkKind, Marks, pressed_switches};
use crate::ingest::item::{Batch, Format, Marker, Sample};
use crate::signal::filter::{FilterBank, FilterSettings};
use crate::signal::mains::Mains;
use crate::signal::quality::{ChannelQuality, QualityState};
use crate::signal::ring::{History, HistoryConfig};

/// The nominal sample rate of OpenEEG devices, hertz, used until the stream's own is measured.
pub const NOMINAL_RATE_HZ: f64 = 256.0;

/// Stream time between two rate measurements, seconds.
const RATE_INTERVAL_S: f64 = 2.0;

/// Gaps remembered at most (the oldest are forgotten first).
const MAX_GAPS: usize = 4096;

/// Why there is no data between two samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapKind {
    /// The stream reported this many lost packets.
    Lost(u64),
    /// The device went away and came back.
    DeviceGone,
    /// Time jumped with no report (a silent hole).
    Unreported,
}

/// A hole in the history, from the last sample before it to the first one after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Time of the last sample before, seconds since the session's first sample.
    pub start: f64,
    /// Time of the first sample after.
    pub end: f64,
    /// What happened.
    pub kind: GapKind,
}

impl Gap {
    /// The text drawn on the plot and listed among the events: "5 lost", "device gone", "gap".
    pub fn label(&self) -> String {
        match self.kind {
            GapKind::Lost(n) => format!("{n} lost"),
            GapKind::DeviceGone => "device gone".to_owned(),
            GapKind::Unreported => "gap".to_owned(),
        }
    }
}

/// The counters shown in the status bar.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Counters {
    /// Samples (packets) received.
    pub packets: u64,
    /// Packets the stream reported lost.
    pub lost: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines skipped as garbage.
    pub skipped_lines: u64,
    /// The first skipped line, shortened, for a tooltip.
    pub first_skipped: Option<String>,
    /// Resynchronisations of the device's byte stream.
    pub resyncs: u64,
    /// Device restarts (no data lost).
    pub restarts: u64,
    /// Batches taken.
    pub batches: u64,
}

/// The stream as far as the viewer has read it. See the module documentation.
#[derive(Debug)]
pub struct Session {
    /// Columns `0..6`: raw codes; `6..12`: the same, filtered for display.
    history: History,
    filters: FilterBank,
    settings: FilterSettings,
    quality: ChannelQuality,
    /// Timestamp of the first sample, microseconds; times are seconds since then.
    origin_us: Option<i64>,
    newest_us: Option<i64>,
    counters: Counters,
    gaps: VecDeque<Gap>,
    /// A loss reported and not yet closed by the next sample.
    pending: Option<GapKind>,
    marks: Marks,
    rate: RateMeter,
    ended: Option<Option<String>>,
    format: Option<Format>,
    protocol: Option<libeeg::Protocol>,
}

impl Session {
    /// An empty session keeping `history_s` seconds of samples, with `settings` as display
    /// filters.
    pub fn new(history_s: f64, settings: FilterSettings) -> Self {
        let config = HistoryConfig {
            seconds: history_s,
            ..HistoryConfig::new(2 * CHANNELS, NOMINAL_RATE_HZ)
        };
        Self {
            history: History::new(config),
            filters: FilterBank::new(CHANNELS, NOMINAL_RATE_HZ, settings),
            settings,
            quality: ChannelQuality::new(
                CHANNELS,
                NOMINAL_RATE_HZ,
                settings.notch.unwrap_or_default(),
            ),
            origin_us: None,
            newest_us: None,
            counters: Counters::default(),
            gaps: VecDeque::new(),
            pending: None,
            marks: Marks::default(),
            rate: RateMeter::default(),
            ended: None,
            format: None,
            protocol: None,
        }
    }

    /// Takes one batch: its samples and markers in stream order.
    pub fn ingest(&mut self, batch: &Batch) {
        self.counters.batches += 1;
        self.counters.lines += batch.lines;
        self.counters.skipped_lines += batch.garbage_lines;
        if self.counters.first_skipped.is_none() {
            self.counters.first_skipped.clone_from(&batch.first_garbage);
        }
        let mut markers = batch.markers.iter().peekable();
        for (i, sample) in batch.samples.iter().enumerate() {
            while let Some(m) = markers.next_if(|m| m.before_sample <= i) {
                self.marker(&m.marker);
            }
            self.sample(sample);
        }
        for m in markers {
            self.marker(&m.marker);
        }
    }

    fn marker(&mut self, marker: &Marker) {
        match marker {
            Marker::Lost { count, .. } => {
                self.counters.lost += count;
                self.history.mark_gap();
                self.pending = Some(match self.pending.take() {
                    Some(GapKind::Lost(n)) => GapKind::Lost(n + count),
                    Some(other) => other,
                    None => GapKind::Lost(*count),
                });
            }
            Marker::DeviceGone { .. } => {
                self.history.mark_gap();
                self.pending = Some(GapKind::DeviceGone);
                // The outage is no part of the sample rate.
                self.rate.restart();
            }
            Marker::Resync { skipped_bytes } => {
                self.counters.resyncs += 1;
                self.marks.push(MarkKind::Resync {
                    skipped_bytes: *skipped_bytes,
                });
            }
            Marker::DeviceBack { device, .. } => self.marks.push(MarkKind::DeviceBack {
                device: device.clone(),
            }),
            Marker::Restart {
                previous_counter,
                counter,
                evidence,
                ..
            } => {
                self.counters.restarts += 1;
                self.marks.push(MarkKind::Restart {
                    previous_counter: *previous_counter,
                    counter: *counter,
                    evidence: evidence.clone(),
                });
                // The device's sampling started afresh, after however long it took to boot:
                // that time is no part of the sample rate.
                self.rate.restart();
            }
            Marker::SwitchChange {
                previous, current, ..
            } => {
                for switch in pressed_switches(*previous, *current) {
                    self.marks.push(MarkKind::SwitchPressed { switch });
                }
            }
            Marker::StreamEnded { error } => {
                self.ended = Some(error.clone());
                // Events after the last sample are drawn at its time.
                if let Some(newest) = self.history.newest_time() {
                    self.marks.stamp(newest);
                }
            }
            Marker::InputFormat(format) => self.format = Some(*format),
            Marker::Protocol(protocol) => self.protocol = Some(*protocol),
            _ => {}
        }
    }

    fn sample(&mut self, sample: &Sample) {
        let origin = *self.origin_us.get_or_insert(sample.timestamp_us);
        let t = (sample.timestamp_us - origin) as f64 * 1e-6;
        if self.history.starts_segment(t) {
            self.filters.gap();
            self.quality.gap();
            let kind = self.pending.take();
            if let Some(before) = self.history.newest_time()
                && t >= before
            {
                self.push_gap(Gap {
                    start: before,
                    end: t,
                    kind: kind.unwrap_or(GapKind::Unreported),
                });
            }
        }
        // A sample running backwards is refused by the history; marks keep time order.
        self.marks
            .stamp(t.max(self.history.newest_time().unwrap_or(t)));
        self.quality.push(t, &sample.values);
        let mut frame = [0.0f32; 2 * CHANNELS];
        for (i, &code) in sample.values.iter().enumerate() {
            frame[i] = f32::from(code);
        }
        let (raw, filtered) = frame.split_at_mut(CHANNELS);
        filtered.copy_from_slice(raw);
        self.filters.process_frame(filtered);
        self.history.push(t, &frame);
        self.counters.packets += 1;
        self.newest_us = Some(sample.timestamp_us);
        let position = sample
            .sample_index
            .unwrap_or(self.counters.packets + self.counters.lost);
        if let Some(rate) = self.rate.push(t, position) {
            self.filters.set_rate_hz(rate);
            self.quality.set_rate_hz(rate);
        }
    }

    fn push_gap(&mut self, gap: Gap) {
        if self.gaps.len() == MAX_GAPS {
            self.gaps.pop_front();
        }
        self.gaps.push_back(gap);
    }

    /// Switches the display filters, re-filtering the whole history so the past matches.
    pub fn set_filters(&mut self, settings: FilterSettings) {
        if settings == self.settings {
            return;
        }
        self.settings = settings;
        let rate = self.filters.channel(0).rate_hz();
        let mut bank = FilterBank::new(CHANNELS, rate, settings);
        for ch in 0..CHANNELS {
            let filter = bank.channel_mut(ch);
            self.history.map_channel(ch, CHANNELS + ch, |starts, v| {
                if starts {
                    filter.gap();
                }
                filter.process(v)
            });
        }
        self.filters = bank;
        if let Some(mains) = settings.notch {
            self.quality.set_mains(mains);
        }
    }

    /// The display filters in use.
    pub fn filters(&self) -> FilterSettings {
        self.settings
    }

    /// The history: columns `0..6` raw codes, `6..12` filtered (see [`filtered_column`]).
    ///
    /// [`filtered_column`]: Self::filtered_column
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The history column holding channel `ch` (0-based) after the display filters.
    pub fn filtered_column(ch: usize) -> usize {
        CHANNELS + ch
    }

    /// The gaps still in the history, oldest first.
    pub fn gaps(&self) -> impl Iterator<Item = &Gap> {
        let oldest = self.history.oldest_time().unwrap_or(f64::INFINITY);
        self.gaps.iter().filter(move |g| g.end >= oldest)
    }

    /// Resyncs, device returns, restarts and switch presses still in the history, oldest first.
    pub fn marks(&self) -> impl Iterator<Item = &Mark> {
        self.marks
            .since(self.history.oldest_time().unwrap_or(f64::INFINITY))
    }

    /// The status bar's counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The sample rate measured from the samples' times (and indices, so losses do not lower
    /// it), once two seconds of stream have been seen.
    pub fn rate_hz(&self) -> Option<f64> {
        self.rate.rate
    }

    /// Timestamp of the newest sample, microseconds since the Unix epoch.
    pub fn newest_timestamp_us(&self) -> Option<i64> {
        self.newest_us
    }

    /// Time of the newest sample, seconds since the first.
    pub fn newest_time(&self) -> Option<f64> {
        self.history.newest_time()
    }

    /// `Some(error)` once the input has ended (`error` is `None` at a clean end of input).
    pub fn ended(&self) -> Option<&Option<String>> {
        self.ended.as_ref()
    }

    /// The input's line format, once recognised.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// The packet protocol, once known.
    pub fn protocol(&self) -> Option<libeeg::Protocol> {
        self.protocol
    }

    /// Signal quality of channel `ch` (0-based).
    pub fn quality(&self, ch: usize) -> QualityState {
        self.quality.state(ch)
    }

    /// The mains frequency the quality monitor measures hum at.
    pub fn mains(&self) -> Mains {
        self.quality.mains()
    }
}

/// Sample rate from stream positions over stream time.
#[derive(Debug, Default)]
struct RateMeter {
    anchor: Option<(f64, u64)>,
    rate: Option<f64>,
}

impl RateMeter {
    /// Returns the new rate when one is measured.
    fn push(&mut self, t: f64, position: u64) -> Option<f64> {
        let Some((t0, p0)) = self.anchor else {
            self.anchor = Some((t, position));
            return None;
        };
        let dt = t - t0;
        if dt < RATE_INTERVAL_S {
            return None;
        }
        self.anchor = Some((t, position));
        let rate = position.saturating_sub(p0) as f64 / dt;
        (rate > 0.0).then(|| *self.rate.insert(rate))
    }

    fn restart(&mut self) {
        self.anchor = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::item::MarkerAt;

    fn sample(i: u64) -> Sample {
        Sample {
            timestamp_us: 1_000_000 + (i as f64 * 1e6 / 256.0) as i64,
            sample_index: Some(i),
            frame: (i % 256) as u8,
            values: [512, 600, 400, 512, 512, 512],
            switches: 15,
        }
    }

    #[test]
    fn a_lost_marker_makes_a_labelled_gap_between_its_neighbours() {
        let mut session = Session::new(60.0, FilterSettings::default());
        let mut batch = Batch {
            samples: (0..10).map(sample).collect(),
            lines: 10,
            ..Batch::default()
        };
        batch.samples.extend((15..20).map(sample));
        batch.markers.push(MarkerAt {
            before_sample: 10,
            marker: Marker::Lost {
                count: 5,
                first_sample_index: 10,
                at_us: 0,
            },
        });
        session.ingest(&batch);
        let gaps: Vec<_> = session.gaps().collect();
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].label(), "5 lost");
        assert!((gaps[0].start - 9.0 / 256.0).abs() < 1e-5);
        assert!((gaps[0].end - 15.0 / 256.0).abs() < 1e-5);
        assert_eq!(
            (session.counters().packets, session.counters().lost),
            (15, 5)
        );
    }

    #[test]
    fn resyncs_returns_and_presses_become_marks_at_the_next_samples_time() {
        let mut session = Session::new(60.0, FilterSettings::OFF);
        let mut samples: Vec<Sample> = (0..100).map(sample).collect();
        // Two seconds without the device.
        samples.extend((612..700).map(sample));
        let at = |before_sample, marker| MarkerAt {
            before_sample,
            marker,
        };
        let markers = vec![
            at(50, Marker::Resync { skipped_bytes: 7 }),
            at(
                100,
                Marker::DeviceGone {
                    at_us: 0,
                    reason: "unplugged".into(),
                },
            ),
            at(
                100,
                Marker::DeviceBack {
                    at_us: 0,
                    device: "/dev/ttyUSB0".into(),
                },
            ),
            at(
                150,
                Marker::SwitchChange {
                    sample_index: 662,
                    previous: 15,
                    current: 13,
                },
            ),
        ];
        session.ingest(&Batch {
            samples,
            markers,
            ..Batch::default()
        });
        let time = |i: u64| (sample(i).timestamp_us - sample(0).timestamp_us) as f64 * 1e-6;
        let gaps: Vec<_> = session.gaps().collect();
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].label(), "device gone");
        let marks: Vec<(f64, String)> = session.marks().map(|m| (m.t, m.label())).collect();
        assert_eq!(
            marks,
            [
                (time(50), "resync".to_owned()),
                (time(612), "device back".to_owned()),
                (time(662), "switch 2".to_owned()),
            ]
        );
        assert_eq!(gaps[0].end, time(612));
        assert_eq!(session.counters().resyncs, 1);
    }

    #[test]
    fn a_restart_is_a_mark_at_its_first_sample_and_no_gap() {
        let mut session = Session::new(60.0, FilterSettings::OFF);
        let restart = Marker::Restart {
            sample_index: 300,
            at_us: sample(300).timestamp_us,
            previous_counter: 43,
            counter: 0,
            evidence: "reset-signal".into(),
        };
        session.ingest(&Batch {
            samples: (0..600).map(sample).collect(),
            markers: vec![MarkerAt {
                before_sample: 300,
                marker: restart,
            }],
            ..Batch::default()
        });
        let marks: Vec<&Mark> = session.marks().collect();
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].label(), "restart");
        let t300 = (sample(300).timestamp_us - sample(0).timestamp_us) as f64 * 1e-6;
        assert_eq!(marks[0].t, t300);
        assert_eq!(session.gaps().count(), 0);
        let c = session.counters();
        assert_eq!((c.packets, c.lost, c.restarts), (600, 0, 1));
    }

    #[test]
    fn the_rate_leaves_out_the_time_a_restart_took() {
        // A 200 Hz board that took 1.5 s to boot: its samples resume 1.5 s later.
        let at = |i: u64, boot_us: i64| Sample {
            timestamp_us: 1_000_000 + i as i64 * 5_000 + boot_us,
            ..sample(i)
        };
        let mut samples: Vec<Sample> = (0..1000).map(|i| at(i, 0)).collect();
        // Less than a measuring interval after it: the last interval measured would span it.
        samples.extend((1000..1300).map(|i| at(i, 1_500_000)));
        let restart = Marker::Restart {
            sample_index: 1000,
            at_us: samples[1000].timestamp_us,
            previous_counter: 231,
            counter: 0,
            evidence: "elapsed-time".into(),
        };
        let mut session = Session::new(60.0, FilterSettings::OFF);
        session.ingest(&Batch {
            samples,
            markers: vec![MarkerAt {
                before_sample: 1000,
                marker: restart,
            }],
            ..Batch::default()
        });
        let rate = session.rate_hz().expect("measured");
        assert!((rate - 200.0).abs() < 0.5, "{rate}");
        // The boot time is a hole in time, with the restart at its end.
        let gaps: Vec<&Gap> = session.gaps().collect();
        assert_eq!(gaps.len(), 1);
        assert_eq!(session.marks().next().unwrap().t, gaps[0].end);
    }

    #[test]
    fn the_rate_counts_lost_packets_as_time_passing() {
        let mut session = Session::new(60.0, FilterSettings::OFF);
        let samples = (0..2000).filter(|i| i % 10 != 3).map(sample).collect();
        session.ingest(&Batch {
            samples,
            ..Batch::default()
        });
        let rate = session.rate_hz().expect("measured");
        assert!((rate - 256.0).abs() < 1.0, "{rate}");
    }

    #[test]
    fn toggling_a_filter_refilters_the_past() {
        let mut session = Session::new(60.0, FilterSettings::OFF);
        session.ingest(&Batch {
            samples: (0..1000).map(sample).collect(),
            ..Batch::default()
        });
        let last = |s: &Session| {
            let everything = s.history().span(f64::NEG_INFINITY, f64::INFINITY);
            let [a, b] = everything
                .newest_segment(1)
                .values(Session::filtered_column(1));
            *b.last().or(a.last()).unwrap()
        };
        assert_eq!(last(&session), 600.0);
        session.set_filters(FilterSettings::default());
        // The high-pass has removed the constant offset.
        assert!(last(&session).abs() < 20.0, "{}", last(&session));
    }
}
