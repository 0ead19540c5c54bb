//! The dispatcher on encoded streams with known content.

use std::cell::RefCell;
use std::rc::Rc;

use super::*;
use crate::detect::{Band, Crossing, PowerChange};
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

fn collect<T: Clone + 'static>() -> (Rc<RefCell<Vec<T>>>, impl FnMut(&T) + 'static) {
    let store = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&store);
    (store, move |x: &T| sink.borrow_mut().push(x.clone()))
}

#[test]
fn packets_come_with_sample_time() {
    let (packets, on_packet) = collect::<PacketNotice>();
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.on_packet(on_packet);
    let _ = eeg.push(&stream(512, |_| 0.0, |_| 0x0F));
    let _ = eeg.finish();
    let packets = packets.borrow();
    assert_eq!(packets.len(), 512);
    assert_eq!(packets[256].t, 1.0);
}

#[test]
fn loss_is_reported_and_restarts_detectors() {
    let mut bytes = stream(600, |_| 0.0, |_| 0x0F);
    bytes.drain(300 * 17..310 * 17);
    let (losses, on_loss) = collect::<LossNotice>();
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.on_loss(on_loss);
    let _ = eeg.push(&bytes);
    let _ = eeg.finish();
    let losses = losses.borrow();
    assert_eq!(losses.len(), 1);
    assert_eq!((losses[0].count, losses[0].first_sample_index), (10, 300));
    assert!((losses[0].t - 300.0 / 256.0).abs() < 1e-9);
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
    let (switches, on_switch) = collect::<SwitchNotice>();
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.on_switch(on_switch);
    let _ = eeg.push(&bytes);
    let _ = eeg.finish();
    let got: Vec<_> = switches
        .borrow()
        .iter()
        .map(|s| (s.switch, s.action, s.sample_index))
        .collect();
    assert_eq!(
        got,
        [
            (3, SwitchAction::Pressed, 40),
            (3, SwitchAction::Released, 60)
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
    let (crossings, on_crossing) = collect::<ThresholdNotice>();
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    let config = ThresholdConfig {
        level: 50.0,
        hysteresis: 10.0,
        min_duration: 0.05,
    };
    eeg.on_threshold(0, config, on_crossing);
    let _ = eeg.push(&bytes);
    let _ = eeg.finish();
    let got: Vec<_> = crossings
        .borrow()
        .iter()
        .map(|c| (c.channel, c.event.direction, c.event.t))
        .collect();
    assert_eq!(
        got,
        [(0, Crossing::Rising, 1.0), (0, Crossing::Falling, 1.5)]
    );
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
    let (changes, on_change) = collect::<BandPowerNotice>();
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.on_band_power(
        0,
        BandPowerConfig::new(Band::ALPHA, 256.0, 200.0),
        on_change,
    );
    let _ = eeg.push(&bytes);
    let _ = eeg.finish();
    let got: Vec<_> = changes
        .borrow()
        .iter()
        .map(|c| (c.event.kind, c.event.t))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, PowerChange::Rose);
    assert!((3.0..4.2).contains(&got[0].1), "{got:?}");
    assert_eq!(got[1].0, PowerChange::Fell);
    assert!((6.0..7.2).contains(&got[1].1), "{got:?}");
}

#[test]
fn a_railed_channel_is_reported() {
    let (reports, on_report) = collect::<QualityNotice>();
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.on_quality(5, QualityConfig::new(256.0, 50.0), on_report);
    let _ = eeg.push(&stream(256 * 3, |_| 0.0, |_| 0x0F));
    let _ = eeg.finish();
    let reports = reports.borrow();
    assert_eq!(
        reports
            .first()
            .map(|r| (r.channel, r.event.report.issues.railed)),
        Some((5, true))
    );
}

#[test]
fn a_callback_can_stop_and_resume_continues() {
    let count = Rc::new(RefCell::new(0));
    let seen = Rc::clone(&count);
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.on_packet(move |p| {
        *seen.borrow_mut() += 1;
        if p.packet.sample_index == 9 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert!(eeg.push(&stream(50, |_| 0.0, |_| 0x0F)).is_break());
    assert_eq!(*count.borrow(), 10);
    assert!(eeg.finish().is_continue());
    assert_eq!(*count.borrow(), 50);
}

#[test]
fn alpha_bursts_of_the_simulator_are_found() {
    let mut sim = crate::sim::Simulator::new(crate::sim::SimConfig {
        seed: 7,
        ..Default::default()
    });
    let bytes = sim.packets(256 * 60);
    let (changes, on_change) = collect::<BandPowerNotice>();
    let mut eeg = Dispatcher::new(DecoderConfig::default());
    eeg.on_band_power(
        0,
        BandPowerConfig::new(Band::ALPHA, 256.0, 150.0),
        on_change,
    );
    let _ = eeg.push(&bytes);
    let _ = eeg.finish();
    let rises: Vec<f64> = changes
        .borrow()
        .iter()
        .filter(|c| c.event.kind == PowerChange::Rose)
        .map(|c| c.event.t)
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
