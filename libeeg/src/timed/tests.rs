//! The timed decoder on hand-built streams, with and without arrival times.

use std::time::Duration;

use super::*;
use crate::encode::encode_p2;
use crate::{ProtocolChoice, RestartEvidence};

fn packet(counter: u8, value: u16, switches: u8) -> Vec<u8> {
    let mut out = Vec::new();
    encode_p2(
        counter,
        &[value, 512, 512, 512, 512, 512],
        switches,
        &mut out,
    );
    out
}

/// Packets numbered `indices`, their counters the indices' low bytes.
fn stream(indices: std::ops::Range<u64>) -> Vec<u8> {
    indices
        .flat_map(|i| packet(i as u8, 400 + (i % 200) as u16, 0x0F))
        .collect()
}

fn p2() -> DecoderConfig {
    DecoderConfig::with_protocol(ProtocolChoice::P2)
}

fn drain(eeg: &mut TimedDecoder) -> Vec<Timed> {
    std::iter::from_fn(|| eeg.poll()).collect()
}

/// The chunks a board sampling at `rate_hz` from `t0` seconds delivers: the packets of
/// `bytes` (sample indices from `first`) four to a chunk, each chunk arriving 2 ms after its
/// last packet was sampled.
fn chunks(
    bytes: &[u8],
    first: u64,
    t0: f64,
    rate_hz: f64,
) -> impl Iterator<Item = (&[u8], Duration)> {
    bytes.chunks(4 * 17).enumerate().map(move |(k, chunk)| {
        let last = first + 4 * k as u64 + (chunk.len() / 17) as u64 - 1;
        (
            chunk,
            Duration::from_secs_f64(t0 + last as f64 / rate_hz + 0.002),
        )
    })
}

/// Pushes the chunks of [`chunks`] and returns what comes out.
fn live(eeg: &mut TimedDecoder, bytes: &[u8], first: u64, t0: f64, rate_hz: f64) -> Vec<Timed> {
    let mut out = Vec::new();
    for (chunk, arrival) in chunks(bytes, first, t0, rate_hz) {
        eeg.push_at(chunk, arrival);
        out.extend(drain(eeg));
    }
    out
}

fn packet_times(timed: &[Timed]) -> Vec<(u64, f64)> {
    timed
        .iter()
        .filter_map(|x| match &x.event {
            Event::Packet(p) => Some((p.sample_index, x.t)),
            _ => None,
        })
        .collect()
}

#[test]
fn without_arrival_times_packets_are_timed_by_sample_index() {
    let mut config = p2();
    config.sample_rate_hz = 250.0;
    let mut eeg = TimedDecoder::new(config);
    eeg.push(&stream(0..300));
    eeg.finish();
    let times = packet_times(&drain(&mut eeg));
    assert_eq!(times.len(), 300);
    for (i, t) in times {
        assert!((t - i as f64 / 250.0).abs() < 1e-12, "{i}: {t}");
    }
}

#[test]
fn with_arrival_times_packets_follow_the_board_at_its_measured_rate() {
    let rate = 257.14;
    let mut eeg = TimedDecoder::new(p2());
    let timed = live(&mut eeg, &stream(0..256 * 20), 0, 100.0, rate);
    for (i, t) in packet_times(&timed).into_iter().skip(256) {
        let sampled = 100.0 + i as f64 / rate;
        assert!((t - sampled).abs() < 0.003, "{i}: {t} vs {sampled}");
    }
    assert!((eeg.clock().rate_hz() / rate - 1.0).abs() < 1e-3);
}

#[test]
fn the_decoder_counts_an_outage_at_the_measured_rate() {
    // A 125 Hz board (the Olimex shield) read as nominally 256 Hz: 300 packets vanish, 2.4 s.
    let (rate, t0) = (125.0, 10.0);
    let mut eeg = TimedDecoder::new(p2());
    let mut timed = live(&mut eeg, &stream(0..625), 0, t0, rate);
    timed.extend(live(&mut eeg, &stream(925..1200), 925, t0, rate));
    eeg.finish();
    timed.extend(drain(&mut eeg));
    let losses: Vec<_> = timed
        .iter()
        .filter_map(|x| match x.event {
            Event::PacketsLost {
                count,
                first_sample_index,
            } => Some((count, first_sample_index, x.t)),
            _ => None,
        })
        .collect();
    assert_eq!(losses.len(), 1, "{losses:?}");
    let (count, first, t) = losses[0];
    assert_eq!((count, first), (300, 625));
    // Timed at the first missing sample, on the board's clock.
    assert!((t - (t0 + 625.0 / rate)).abs() < 0.005, "{t}");

    // At the nominal rate the same arrivals contradict the counter.
    let mut decoder = Decoder::new(p2());
    let mut events = Vec::new();
    for (bytes, first) in [(stream(0..625), 0), (stream(925..1200), 925)] {
        for (chunk, arrival) in chunks(&bytes, first, t0, rate) {
            decoder.push_at(chunk, arrival);
            events.extend(std::iter::from_fn(|| decoder.poll()));
        }
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::PacketsLost { count: 300, .. }))
    );
}

#[test]
fn without_arrival_times_a_loss_is_timed_at_its_first_missing_sample() {
    let mut bytes = stream(0..600);
    bytes.drain(300 * 17..310 * 17);
    let mut eeg = TimedDecoder::new(p2());
    eeg.push(&bytes);
    eeg.finish();
    let timed = drain(&mut eeg);
    let loss = timed
        .iter()
        .find(|x| matches!(x.event, Event::PacketsLost { .. }))
        .unwrap();
    assert_eq!(
        loss.event,
        Event::PacketsLost {
            count: 10,
            first_sample_index: 300
        }
    );
    assert_eq!(loss.t, 300.0 / 256.0);
}

#[test]
fn a_resync_is_timed_at_the_packet_it_found() {
    let mut bytes = stream(0..40);
    bytes.splice(20 * 17..20 * 17, *b"junk\n");
    let mut eeg = TimedDecoder::new(p2());
    eeg.push(&bytes);
    eeg.finish();
    let timed = drain(&mut eeg);
    let at = timed
        .iter()
        .rposition(|x| matches!(x.event, Event::SyncAcquired { .. }))
        .unwrap();
    assert_eq!(
        timed[at].event,
        Event::SyncAcquired {
            protocol: crate::Protocol::P2,
            skipped_bytes: 5
        }
    );
    let Event::Packet(found) = timed[at + 1].event else {
        panic!("{:?}", &timed[at..]);
    };
    assert_eq!(found.sample_index, 20);
    assert_eq!((timed[at].t, timed[at + 1].t), (20.0 / 256.0, 20.0 / 256.0));
    assert_eq!(eeg.decoder().stats().resyncs, 1);
}

#[test]
fn a_restart_is_timed_at_its_first_packet_and_keeps_stream_order() {
    // An Olimex shield (switches 0x01) at 256 Hz restarts: 1.5 s of boot, then its reset
    // signal (counter 0, mid-scale, switches 0x02) and counting again.
    let shield = |c: u8| packet(c, 400, 0x01);
    let mut eeg = TimedDecoder::new(p2());
    let before: Vec<u8> = (0..=99).flat_map(shield).collect();
    let mut timed = live(&mut eeg, &before, 0, 5.0, 256.0);
    let mut after: Vec<u8> = (0..40)
        .flat_map(|_| packet(0, 512, 0x02))
        .chain((1..=60).flat_map(shield))
        .collect();
    // The first chunk after the boot carries one packet, so its arrival is its own.
    let boot = 5.0 + 99.0 / 256.0 + 1.5;
    eeg.push_at(
        &after.drain(..17).collect::<Vec<_>>(),
        Duration::from_secs_f64(boot),
    );
    timed.extend(drain(&mut eeg));
    timed.extend(live(
        &mut eeg,
        &after,
        101,
        boot - 0.002 - 100.0 / 256.0,
        256.0,
    ));
    eeg.finish();
    timed.extend(drain(&mut eeg));

    let at = timed
        .iter()
        .position(|x| matches!(x.event, Event::Restart { .. }))
        .unwrap();
    assert_eq!(
        timed[at].event,
        Event::Restart {
            sample_index: 100,
            previous_counter: 99,
            counter: 0,
            evidence: RestartEvidence::ResetSignal
        }
    );
    assert_eq!(
        timed[at + 1].event,
        Event::SwitchChanged {
            sample_index: 100,
            previous: 0x01,
            current: 0x02
        }
    );
    assert!(matches!(timed[at + 2].event, Event::Packet(p) if p.sample_index == 100));
    // The clock found the phase again: the first packet is timed at its arrival, and so are
    // the events about it.
    for x in &timed[at..at + 3] {
        assert_eq!(x.t, boot, "{x:?}");
    }
    assert_eq!(eeg.decoder().stats().restarts, 1);
}

#[test]
fn device_gone_releases_the_packet_held_for_proof() {
    let mut eeg = TimedDecoder::new(p2());
    eeg.push_at(&stream(0..10), Duration::from_secs(1));
    assert_eq!(packet_times(&drain(&mut eeg)).len(), 9);
    eeg.device_gone();
    assert_eq!(
        packet_times(&drain(&mut eeg))
            .iter()
            .map(|&(i, _)| i)
            .collect::<Vec<_>>(),
        [9]
    );
}

#[test]
fn device_back_finds_the_phase_again() {
    // A 256 Hz board away for 3 s (768 packets, so its counter goes on where it was) comes back
    // with its sampling 20 ms later than before.
    let run = |back: bool| {
        let mut eeg = TimedDecoder::new(p2());
        live(&mut eeg, &stream(0..512), 0, 0.0, 256.0);
        eeg.device_gone();
        drain(&mut eeg);
        if back {
            eeg.device_back();
        }
        let bytes = stream(512 + 768..512 + 768 + 64);
        let timed = live(&mut eeg, &bytes, 512 + 768, 0.020, 256.0);
        let (index, t) = packet_times(&timed)[0];
        let arrival = 0.020 + (index + 3) as f64 / 256.0 + 0.002;
        (t, arrival)
    };
    let (t, arrival) = run(true);
    assert!((t - arrival).abs() < 1e-9, "{t} vs {arrival}");
    // Without being told, the clock keeps the old phase at first.
    let (t, arrival) = run(false);
    assert!(arrival - t > 0.015, "{t} vs {arrival}");
}

#[test]
fn any_chunking_gives_the_same_timed_events() {
    let mut bytes = stream(0..300);
    bytes.drain(100 * 17..103 * 17);
    bytes.splice(200 * 17..200 * 17, *b"\x00\xA5\x5A\x13");
    bytes.extend((0..5).flat_map(|_| packet(0, 512, 0x02)));
    let decode = |chunk: usize| {
        let mut eeg = TimedDecoder::new(DecoderConfig::default());
        let mut out = Vec::new();
        for part in bytes.chunks(chunk) {
            eeg.push(part);
            out.extend(drain(&mut eeg));
        }
        eeg.finish();
        out.extend(drain(&mut eeg));
        out
    };
    let whole = decode(bytes.len());
    assert!(
        whole
            .iter()
            .any(|x| matches!(x.event, Event::Restart { .. }))
    );
    for chunk in 1..=40 {
        assert_eq!(decode(chunk), whole, "chunk {chunk}");
    }
}
