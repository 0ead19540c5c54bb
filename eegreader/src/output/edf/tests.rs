//! The EDF+ recorder without any reader in between: bytes checked exactly on tiny recordings.

use super::super::text::tests::record;
use super::*;

fn session(rate: f64) -> SessionInfo {
    SessionInfo {
        source: "simulator".to_owned(),
        profile: "modular-eeg".to_owned(),
        microvolts_per_lsb: 0.5,
        nominal_rate_hz: rate,
        start_us: 1_700_000_000_123_456,
        labels: ["Fp1", "Fp2", "C3", "C4", "P3", "P4"]
            .map(str::to_owned)
            .to_vec(),
    }
}

/// A tiny recording at 4 Hz (4 samples per record): packets 0 and 1, packets 2 and 3 lost,
/// packet 4 with switch 3 pressed.
fn tiny(path: &Path) -> EdfSink {
    let mut sink = EdfSink::create(path, &session(4.0)).unwrap();
    sink.note(&Note::Protocol(libeeg::Protocol::P2)).unwrap();
    sink.record(&record(0, 0)).unwrap();
    let mut second = record(1, 1);
    second.samples[0] = 7;
    sink.record(&second).unwrap();
    sink.note(&Note::SyncLost { at_byte: 40 }).unwrap();
    sink.note(&Note::Resync { skipped_bytes: 9 }).unwrap();
    sink.note(&Note::Lost {
        count: 2,
        first_sample_index: 2,
        timestamp_us: 0,
    })
    .unwrap();
    sink.note(&Note::Switches {
        sample_index: 4,
        previous: 15,
        current: 11,
    })
    .unwrap();
    let mut last = record(4, 4);
    last.switches = 11;
    sink.record(&last).unwrap();
    sink
}

/// One record's bytes: four samples per channel, then the annotation block.
fn data_record(samples: [[u16; 6]; 4], tals: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for channel in 0..6 {
        for sample in samples {
            out.extend_from_slice(&(sample[channel] as i16).to_le_bytes());
        }
    }
    let mut block = tals.to_vec();
    block.resize(BLOCK_LEN, 0);
    out.extend(block);
    out
}

const PACKET: [u16; 6] = [512, 498, 530, 1023, 0, 512];
const MID: [u16; 6] = [512; 6];

fn expected_header(records: u64, duration: &str) -> Vec<u8> {
    let fields = header::Fields {
        start_us: 1_700_000_000_123_456,
        profile: "modular-eeg".to_owned(),
        labels: session(4.0).labels,
        physical_range: ("-256".to_owned(), "255.5".to_owned()),
        samples_per_record: 4,
        annotation_samples: ANNOTATION_SAMPLES,
    };
    header::bytes(&fields, records, duration)
}

#[test]
fn a_tiny_recording_is_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.edf");
    let mut sink = tiny(&path);
    // The session ends with the nominal rate as the estimate (a replay): nothing to rewrite.
    sink.finish(4.0).unwrap();
    let mut second = PACKET;
    second[0] = 7;
    let mut expected = expected_header(2, "1");
    expected.extend(data_record(
        [PACKET, second, MID, MID],
        b"+0\x14\x14\0\
          +0.5\x14resync after 9 skipped bytes\x14\0\
          +0.5\x150.5\x14BAD_ACQ_SKIP lost 2 packets\x14\0",
    ));
    expected.extend(data_record(
        [PACKET, MID, MID, MID],
        b"+1\x14\x14\0\
          +1.25\x150.75\x14BAD_ACQ_SKIP no data: padding after the last sample\x14\0\
          +1\x14switch 3 (PD4) pressed\x14\0",
    ));
    let written = std::fs::read(&path).unwrap();
    assert_eq!(written.len(), expected.len());
    assert!(written == expected, "the bytes differ");
    assert_eq!(sink.size(), expected.len() as u64);
    // The header's start is the session start to the second, in UTC.
    assert_eq!(&written[168..184], b"14.11.2322.13.20");
}

#[test]
fn the_estimated_rate_rewrites_the_duration_and_every_onset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rate.edf");
    let mut sink = tiny(&path);
    // 5 Hz measured: 4 samples last 0.8 s. The events are packed again from the first block.
    sink.finish(5.0).unwrap();
    let written = std::fs::read(&path).unwrap();
    let mut expected = expected_header(2, "0.8");
    let mut second = PACKET;
    second[0] = 7;
    expected.extend(data_record(
        [PACKET, second, MID, MID],
        b"+0\x14\x14\0\
          +0.4\x14resync after 9 skipped bytes\x14\0\
          +0.4\x150.4\x14BAD_ACQ_SKIP lost 2 packets\x14\0\
          +1\x150.6\x14BAD_ACQ_SKIP no data: padding after the last sample\x14\0\
          +0.8\x14switch 3 (PD4) pressed\x14\0",
    ));
    expected.extend(data_record([PACKET, MID, MID, MID], b"+0.8\x14\x14\0"));
    assert!(written == expected, "the bytes differ");
}

#[test]
fn a_killed_recording_holds_the_record_in_progress_padded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.edf");
    let mut sink = tiny(&path);
    sink.flush().unwrap();
    let record_len = 48 + BLOCK_LEN;
    let flushed = std::fs::read(&path).unwrap();
    assert_eq!(flushed.len(), 2048 + 2 * record_len);
    assert_eq!(&flushed[236..244], b"2       ");
    // The record in progress: packet 4, then padding annotated as such; the pending switch
    // is there too.
    let mut second = PACKET;
    second[0] = 7;
    let mut expected = expected_header(2, "1");
    expected.extend(data_record(
        [PACKET, second, MID, MID],
        b"+0\x14\x14\0\
          +0.5\x14resync after 9 skipped bytes\x14\0\
          +0.5\x150.5\x14BAD_ACQ_SKIP lost 2 packets\x14\0",
    ));
    expected.extend(data_record(
        [PACKET, MID, MID, MID],
        b"+1\x14\x14\0\
          +1.25\x150.75\x14BAD_ACQ_SKIP no data: padding after the last sample\x14\0\
          +1\x14switch 3 (PD4) pressed\x14\0",
    ));
    assert!(flushed == expected, "the bytes differ");

    // More samples fill the same record in place; the next flush rewrites it.
    for i in 5..7 {
        sink.record(&record(i, i as u8)).unwrap();
    }
    sink.flush().unwrap();
    let flushed = std::fs::read(&path).unwrap();
    assert_eq!(flushed.len(), 2048 + 2 * record_len);
    expected.truncate(2048 + record_len);
    expected.extend(data_record(
        [PACKET, PACKET, PACKET, MID],
        b"+1\x14\x14\0\
          +1.75\x150.25\x14BAD_ACQ_SKIP no data: padding after the last sample\x14\0\
          +1\x14switch 3 (PD4) pressed\x14\0",
    ));
    assert!(flushed == expected, "the bytes differ");
    // kill -9: no finish.
    std::mem::forget(sink);
    assert_eq!(std::fs::read(&path).unwrap(), expected);
}

#[test]
fn an_outage_is_filled_and_annotated_from_gone_to_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outage.edf");
    let mut sink = EdfSink::create(&path, &session(4.0)).unwrap();
    sink.record(&record(0, 0)).unwrap();
    sink.note(&Note::DeviceGone {
        reason: "unplugged".to_owned(),
        timestamp_us: 0,
    })
    .unwrap();
    sink.note(&Note::DeviceBack {
        device: "/dev/ttyUSB0".to_owned(),
        timestamp_us: 0,
    })
    .unwrap();
    sink.note(&Note::Lost {
        count: 9,
        first_sample_index: 1,
        timestamp_us: 0,
    })
    .unwrap();
    sink.record(&record(10, 10)).unwrap();
    sink.finish(4.0).unwrap();
    let written = std::fs::read(&path).unwrap();
    let record_len = 48 + BLOCK_LEN;
    assert_eq!(written.len(), 2048 + 3 * record_len);
    let block = |r: usize| {
        let start = 2048 + r * record_len + 48;
        let block = &written[start..start + BLOCK_LEN];
        let end = block.iter().rposition(|&b| b != 0).map_or(0, |e| e + 2);
        block[..end].to_vec()
    };
    assert_eq!(
        block(0),
        b"+0\x14\x14\0\
          +0.25\x14device gone: unplugged\x14\0\
          +0.25\x152.25\x14BAD_ACQ_SKIP lost 9 packets\x14\0"
    );
    assert_eq!(block(1), b"+1\x14\x14\0");
    assert_eq!(
        block(2),
        b"+2\x14\x14\0\
          +2.75\x150.25\x14BAD_ACQ_SKIP no data: padding after the last sample\x14\0\
          +2.5\x14device back: /dev/ttyUSB0\x14\0"
    );
}

#[test]
fn a_restart_is_an_instant_at_its_first_packet_and_no_gap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.edf");
    let mut sink = EdfSink::create(&path, &session(4.0)).unwrap();
    for i in 0..3 {
        sink.record(&record(i, 100 + i as u8)).unwrap();
    }
    // An Arduino resets when its port is opened again: back, then restarted.
    sink.note(&Note::DeviceBack {
        device: "/dev/ttyACM0".to_owned(),
        timestamp_us: 0,
    })
    .unwrap();
    sink.note(&Note::Restart {
        sample_index: 3,
        timestamp_us: 0,
        previous_counter: 102,
        counter: 0,
        evidence: libeeg::RestartEvidence::ResetSignal,
    })
    .unwrap();
    for i in 3..6 {
        sink.record(&record(i, 0)).unwrap();
    }
    sink.finish(4.0).unwrap();
    let written = std::fs::read(&path).unwrap();
    let mut expected = expected_header(2, "1");
    // Six packets in a row: nothing filled, nothing marked BAD.
    expected.extend(data_record(
        [PACKET; 4],
        b"+0\x14\x14\0\
          +0.75\x14device back: /dev/ttyACM0\x14\0\
          +0.75\x14device restart (reset signal): counter 102 -> 0\x14\0",
    ));
    expected.extend(data_record(
        [PACKET, PACKET, MID, MID],
        b"+1\x14\x14\0\
          +1.5\x150.5\x14BAD_ACQ_SKIP no data: padding after the last sample\x14\0",
    ));
    assert!(written == expected, "the bytes differ");
}

#[test]
fn events_beyond_a_blocks_room_move_to_later_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.edf");
    let mut sink = EdfSink::create(&path, &session(4.0)).unwrap();
    for skipped in 0..60 {
        sink.note(&Note::Resync {
            skipped_bytes: 1000 + skipped,
        })
        .unwrap();
    }
    for i in 0..12 {
        sink.record(&record(i, i as u8)).unwrap();
    }
    sink.finish(4.0).unwrap();
    let written = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&written);
    // Every event is somewhere, once.
    for skipped in 0..60 {
        let tal = format!("+0\x14resync after {} skipped bytes\x14\0", 1000 + skipped);
        assert_eq!(text.matches(&tal).count(), 1, "{tal:?}");
    }
    // 2048 bytes hold 56 of these 36-byte TALs; the rest go to the next record.
    let record_len = 48 + BLOCK_LEN;
    let in_block = |r: usize| {
        let start = 2048 + r * record_len + 48;
        String::from_utf8_lossy(&written[start..start + BLOCK_LEN])
            .matches("resync")
            .count()
    };
    assert_eq!([in_block(0), in_block(1), in_block(2)], [56, 4, 0]);
}

#[test]
fn unwritable_targets_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing/s.edf");
    let e = EdfSink::create(&missing, &session(256.0))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("cannot create EDF file {}: ", missing.display()))
            && e.contains("does not exist: create it, or record somewhere else"),
        "{e}"
    );
    if Path::new("/dev/full").exists() {
        let e = EdfSink::create(Path::new("/dev/full"), &session(256.0))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cannot write EDF file /dev/full: "), "{e}");
    }
    let mut huge = session(256.0);
    huge.microvolts_per_lsb = 1e6;
    let e = EdfSink::create(&dir.path().join("huge.edf"), &huge)
        .unwrap_err()
        .to_string();
    assert!(e.contains("too large for an EDF header"), "{e}");
}

#[test]
fn events_that_do_not_fit_at_the_end_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.edf");
    let mut sink = EdfSink::create(&path, &session(4.0)).unwrap();
    sink.record(&record(0, 0)).unwrap();
    for skipped in 0..100 {
        sink.note(&Note::Resync {
            skipped_bytes: 1000 + skipped,
        })
        .unwrap();
    }
    sink.finish(4.0).unwrap();
    let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
    let stored = text.matches("\x14resync after").count();
    let summary = format!(
        "\x14{} more events not stored: the annotation signal is full",
        100 - stored
    );
    assert!(stored > 40 && text.contains(&summary), "{stored} stored");
}
