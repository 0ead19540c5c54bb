//! The dispatcher on encoded streams with known content: every hook, and stopping.

use super::*;
use crate::Packet;
use crate::RestartEvidence;
use crate::detect::{Band, BandPowerEvent, Crossing, PowerChange, QualityEvent, ThresholdEvent};
use crate::encode::encode_p2;

/// Encodes P2 packets whose channel 0 is `signal(i)` (microvolts at 0.5 uV/LSB) and whose
/// switches are `switches(i)`.
fn stream(n: usize, signal: impl Fn(usize) -> f64, switches: impl Fn(usize) -> u8) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let code = (512.0 + signal(i) / 0.5).round().clamp(0.0, 1023.0) as u16;
        encode_p2(
            i as u8,
            &[code, 512, 512, 512, 512, 1023],
            switches(i),
            &mut out,
        );
    }
    out
}

fn quiet_stream(n: usize) -> Vec<u8> {
    stream(n, |_| 0.0, |_| 0x0F)
}

/// One hook call.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Packet(u64, f64),
    Loss(u64, u64, f64),
    Resync(u64, f64),
    Restart(u64, u8, u8, RestartEvidence, f64),
    Pressed(u8, f64),
    Released(u8, f64),
    Threshold(usize, ThresholdEvent),
    BandPower(usize, BandPowerEvent),
    Quality(usize, QualityEvent),
}

/// Records every hook call but `event`'s, which it keeps apart.
#[derive(Default)]
struct Recorder {
    calls: Vec<Call>,
    events: Vec<(Event, f64)>,
}

impl Recorder {
    fn record(&mut self, call: Call) -> ControlFlow<()> {
        self.calls.push(call);
        ControlFlow::Continue(())
    }

    fn decode(eeg: &mut Dispatcher, bytes: &[u8]) -> Self {
        let mut recorder = Self::default();
        assert!(eeg.push(bytes, &mut recorder).is_continue());
        assert!(eeg.finish(&mut recorder).is_continue());
        recorder
    }

    /// The calls other than packets.
    fn notes(&self) -> Vec<Call> {
        self.calls
            .iter()
            .filter(|c| !matches!(c, Call::Packet(..)))
            .cloned()
            .collect()
    }
}

impl Handler for Recorder {
    fn packet(&mut self, packet: &Packet, t: f64) -> ControlFlow<()> {
        self.record(Call::Packet(packet.sample_index, t))
    }
    fn loss(&mut self, count: u64, first_sample_index: u64, t: f64) -> ControlFlow<()> {
        self.record(Call::Loss(count, first_sample_index, t))
    }
    fn resync(&mut self, skipped_bytes: u64, t: f64) -> ControlFlow<()> {
        self.record(Call::Resync(skipped_bytes, t))
    }
    fn restart(
        &mut self,
        sample_index: u64,
        previous_counter: u8,
        counter: u8,
        evidence: RestartEvidence,
        t: f64,
    ) -> ControlFlow<()> {
        self.record(Call::Restart(
            sample_index,
            previous_counter,
            counter,
            evidence,
            t,
        ))
    }
    fn switch_pressed(&mut self, switch: u8, t: f64) -> ControlFlow<()> {
        self.record(Call::Pressed(switch, t))
    }
    fn switch_released(&mut self, switch: u8, t: f64) -> ControlFlow<()> {
        self.record(Call::Released(switch, t))
    }
    fn threshold(&mut self, channel: usize, crossing: &ThresholdEvent) -> ControlFlow<()> {
        self.record(Call::Threshold(channel, *crossing))
    }
    fn band_power(&mut self, channel: usize, change: &BandPowerEvent) -> ControlFlow<()> {
        self.record(Call::BandPower(channel, *change))
    }
    fn quality(&mut self, channel: usize, change: &QualityEvent) -> ControlFlow<()> {
        self.record(Call::Quality(channel, *change))
    }
    fn event(&mut self, event: &Event, t: f64) -> ControlFlow<()> {
        self.events.push((event.clone(), t));
        ControlFlow::Continue(())
    }
}

#[test]
fn packets_come_with_sample_time() {
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let got = Recorder::decode(&mut eeg, &quiet_stream(512));
    assert_eq!(got.calls.len(), 512);
    assert_eq!(got.calls[256], Call::Packet(256, 1.0));
}

#[test]
fn loss_is_reported_at_the_first_missing_sample() {
    let mut bytes = quiet_stream(600);
    bytes.drain(300 * 17..310 * 17);
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let got = Recorder::decode(&mut eeg, &bytes);
    assert_eq!(got.notes(), [Call::Loss(10, 300, 300.0 / 256.0)]);
}

#[test]
fn loss_restarts_the_detectors() {
    // 100 uV from 1 s on, but 0.3 s of it is lost before the crossing held for its minimum
    // duration: the crossing then starts at the first sample after the gap, not at 1 s.
    let mut bytes = stream(768, |i| if i >= 256 { 100.0 } else { 0.0 }, |_| 0x0F);
    bytes.drain(300 * 17..377 * 17);
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.watch_threshold(
        0,
        ThresholdConfig {
            level: 50.0,
            hysteresis: 10.0,
            min_duration: 0.25,
        },
    );
    let got = Recorder::decode(&mut eeg, &bytes);
    let crossings: Vec<_> = got
        .notes()
        .into_iter()
        .filter_map(|c| match c {
            Call::Threshold(0, e) => Some((e.direction, e.t)),
            _ => None,
        })
        .collect();
    assert_eq!(crossings, [(Crossing::Rising, 377.0 / 256.0)]);
}

#[test]
fn a_resync_is_reported_at_the_packet_it_found() {
    let mut bytes = quiet_stream(100);
    bytes.splice(50 * 17..50 * 17, *b"reset\r\n");
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let got = Recorder::decode(&mut eeg, &bytes);
    // The first sync is no resync.
    assert_eq!(got.notes(), [Call::Resync(7, 50.0 / 256.0)]);
    let at = got
        .calls
        .iter()
        .position(|c| matches!(c, Call::Resync(..)))
        .unwrap();
    assert_eq!(got.calls[at + 1], Call::Packet(50, 50.0 / 256.0));
}

#[test]
fn a_restart_is_reported_before_its_first_packet() {
    // An Olimex shield (switches 0x01) sends its reset signal: counter 0, every channel 512,
    // switches 0x02.
    let mut bytes = stream(200, |_| 0.0, |_| 0x01);
    for _ in 0..40 {
        encode_p2(0, &[512; 6], 0x02, &mut bytes);
    }
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let got = Recorder::decode(&mut eeg, &bytes);
    let t = 200.0 / 256.0;
    let at = got
        .calls
        .iter()
        .position(|c| matches!(c, Call::Restart(..)))
        .unwrap();
    assert_eq!(
        got.calls[at..at + 4],
        [
            Call::Restart(200, 199, 0, RestartEvidence::ResetSignal, t),
            // 0x01 -> 0x02: switch 1 closed and switch 2 opened, in bit order.
            Call::Pressed(1, t),
            Call::Released(2, t),
            Call::Packet(200, t),
        ]
    );
}

#[test]
fn a_restart_restarts_the_detectors() {
    // 100 uV from sample 100 on; at sample 150 the board restarts (its counter jumps to 0 while
    // only 20 ms pass) and the signal goes on. A crossing needs 0.25 s: it is counted from the
    // restart's first packet, timed at its arrival, not from sample 100.
    let before = stream(150, |i| if i >= 100 { 100.0 } else { 0.0 }, |_| 0x0F);
    let after = stream(100, |_| 100.0, |_| 0x0F);
    let restart = 149.0 / 256.0 + 0.022;
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.watch_threshold(
        0,
        ThresholdConfig {
            level: 50.0,
            hysteresis: 10.0,
            min_duration: 0.25,
        },
    );
    let mut got = Recorder::default();
    for (bytes, t0) in [(before, 0.002), (after, restart)] {
        for (k, chunk) in bytes.chunks(4 * 17).enumerate() {
            let last = 4 * k + chunk.len() / 17 - 1;
            let arrival = Duration::from_secs_f64(t0 + last as f64 / 256.0);
            assert!(eeg.push_at(chunk, arrival, &mut got).is_continue());
        }
    }
    assert!(eeg.finish(&mut got).is_continue());
    let first_after = Duration::from_secs_f64(restart + 3.0 / 256.0).as_secs_f64();
    let at = got
        .calls
        .iter()
        .position(|c| matches!(c, Call::Restart(..)))
        .unwrap();
    assert_eq!(
        got.calls[at..at + 2],
        [
            Call::Restart(150, 149, 0, RestartEvidence::ElapsedTime, first_after),
            Call::Packet(150, first_after),
        ]
    );
    let crossings: Vec<_> = got
        .notes()
        .into_iter()
        .filter_map(|c| match c {
            Call::Threshold(0, e) => Some((e.direction, e.t)),
            _ => None,
        })
        .collect();
    assert_eq!(crossings, [(Crossing::Rising, first_after)]);
}

#[test]
fn switch_presses_and_releases_name_the_switch() {
    let bytes = stream(
        100,
        |_| 0.0,
        |i| {
            if (40..60).contains(&i) {
                0x0F & !0b0100
            } else {
                0x0F
            }
        },
    );
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let got = Recorder::decode(&mut eeg, &bytes);
    assert_eq!(
        got.notes(),
        [
            Call::Pressed(3, 40.0 / 256.0),
            Call::Released(3, 60.0 / 256.0)
        ]
    );
}

#[test]
fn threshold_crossings_in_microvolts_on_the_watched_channel() {
    // 100 uV for 0.5 s from t = 1 s, otherwise 0.
    let bytes = stream(
        768,
        |i| if (256..384).contains(&i) { 100.0 } else { 0.0 },
        |_| 0x0F,
    );
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.watch_threshold(
        0,
        ThresholdConfig {
            level: 50.0,
            hysteresis: 10.0,
            min_duration: 0.05,
        },
    );
    let got = Recorder::decode(&mut eeg, &bytes);
    let crossings: Vec<_> = got
        .notes()
        .into_iter()
        .filter_map(|c| match c {
            Call::Threshold(channel, e) => Some((channel, e.direction, e.t)),
            _ => None,
        })
        .collect();
    assert_eq!(
        crossings,
        [(0, Crossing::Rising, 1.0), (0, Crossing::Falling, 1.5)]
    );
}

/// Band-power rises and falls on channel 0, with their times.
fn band_changes(recorder: &Recorder) -> Vec<(PowerChange, f64)> {
    recorder
        .calls
        .iter()
        .filter_map(|c| match c {
            Call::BandPower(0, e) => Some((e.kind, e.t)),
            _ => None,
        })
        .collect()
}

#[test]
fn band_power_rises_with_a_10_hz_burst() {
    let burst = |i: usize| {
        let t = i as f64 / 256.0;
        if (3.0..6.0).contains(&t) {
            40.0 * (std::f64::consts::TAU * 10.0 * t).sin()
        } else {
            0.0
        }
    };
    let bytes = stream(256 * 9, burst, |_| 0x0F);
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.watch_band_power(0, BandPowerConfig::new(Band::ALPHA, 256.0, 200.0));
    let got = band_changes(&Recorder::decode(&mut eeg, &bytes));
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, PowerChange::Rose);
    assert!((3.0..4.2).contains(&got[0].1), "{got:?}");
    assert_eq!(got[1].0, PowerChange::Fell);
    assert!((6.0..7.2).contains(&got[1].1), "{got:?}");
}

#[test]
fn a_railed_channel_is_reported() {
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.watch_quality(5, QualityConfig::new(256.0, 50.0));
    let got = Recorder::decode(&mut eeg, &quiet_stream(256 * 3));
    let first = got.notes().into_iter().next();
    assert!(
        matches!(first, Some(Call::Quality(5, e)) if e.report.issues.railed),
        "{first:?}"
    );
}

#[test]
fn the_event_hook_sees_every_event_in_stream_order_with_its_time() {
    let mut bytes = quiet_stream(40);
    bytes.drain(20 * 17..23 * 17);
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let got = Recorder::decode(&mut eeg, &bytes);
    let mut timed = crate::TimedDecoder::new(DecoderConfig::default());
    timed.push(&bytes);
    timed.finish();
    let expected: Vec<_> = std::iter::from_fn(|| timed.poll())
        .map(|x| (x.event, x.t))
        .collect();
    assert_eq!(got.events, expected);
    assert_eq!(got.events.len(), 1 + 37 + 1); // sync acquired, the packets, the loss
}

#[test]
fn a_hook_can_stop_and_resume_continues() {
    /// Counts packets and stops after sample 9.
    struct StopAt9(u64);
    impl Handler for StopAt9 {
        fn packet(&mut self, packet: &Packet, _t: f64) -> ControlFlow<()> {
            self.0 += 1;
            if packet.sample_index == 9 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let mut count = StopAt9(0);
    assert!(eeg.push(&quiet_stream(50), &mut count).is_break());
    assert_eq!(count.0, 10);
    assert!(eeg.finish(&mut count).is_continue());
    assert_eq!(count.0, 50);
}

#[test]
fn closures_handle_packets_or_events() {
    let bytes = quiet_stream(30);
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let mut times = Vec::new();
    let mut on_packet = OnPacket(|_: &Packet, t| {
        times.push(t);
        ControlFlow::Continue(())
    });
    let _ = eeg.push(&bytes, &mut on_packet);
    let _ = eeg.finish(&mut on_packet);
    assert_eq!(times, (0..30).map(|i| i as f64 / 256.0).collect::<Vec<_>>());

    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let mut first = None;
    let flow = eeg.push(
        &bytes,
        &mut OnEvent(|event, _| {
            first = Some(event.clone());
            ControlFlow::Break(())
        }),
    );
    assert!(flow.is_break());
    assert!(matches!(first, Some(Event::SyncAcquired { .. })));
}

#[test]
fn alpha_bursts_of_the_simulator_are_found() {
    let mut sim = crate::sim::Simulator::new(crate::sim::SimConfig {
        seed: 7,
        ..Default::default()
    });
    let bytes = sim.packets(256 * 60);
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.watch_band_power(0, BandPowerConfig::new(Band::ALPHA, 256.0, 150.0));
    let rises: Vec<f64> = band_changes(&Recorder::decode(&mut eeg, &bytes))
        .into_iter()
        .filter(|&(kind, _)| kind == PowerChange::Rose)
        .map(|(_, t)| t)
        .collect();
    let truth = sim.alpha_bursts();
    assert!(truth.len() >= 8);
    for &(start, _) in truth {
        // A 1 s window reports a burst up to a window (plus a hop) after it starts.
        assert!(
            rises.iter().any(|&t| (start..start + 1.2).contains(&t)),
            "burst at {start:.2} s missed: {rises:?}"
        );
    }
    assert!(
        rises.len() <= truth.len() + truth.len() / 4,
        "too many detections: {rises:?}"
    );
}
