//! A board that restarts (the Olimex shield's reset signal, PROTOCOL.md) replayed into every
//! output at once: each says "restart" at the first packet after it, and none counts a loss or
//! leaves a gap.

mod common;
#[path = "common/json.rs"]
mod json;

use std::path::Path;

use common::{DataLine, output, reader, restarting_board, summary_u64};
use json::Json;

/// Packets before the restart (so the restart is at this sample index), in the reset signal,
/// and after it.
const BEFORE: usize = 300;
const SIGNAL: usize = 40;
const AFTER: usize = 200;

/// Replays the restarting board with `args`; returns (stdout, stderr) after checking that the
/// summary counts one restart and no loss.
fn replay(capture: &Path, args: &[&str]) -> (String, String) {
    let out = output(reader().arg("--replay").arg(capture).args(args));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{}\n{stderr}", out.status);
    common::assert_no_panic(&stderr);
    assert_eq!(summary_u64(&stderr, "restarts"), 1, "{stderr}");
    assert_eq!(summary_u64(&stderr, "lost"), 0, "{stderr}");
    assert_eq!(
        summary_u64(&stderr, "packets") as usize,
        BEFORE + SIGNAL + AFTER,
        "{stderr}"
    );
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

#[test]
fn every_output_marks_the_restart_at_its_first_packet_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("restart.bin");
    std::fs::write(&capture, restarting_board(BEFORE, SIGNAL, AFTER).concat()).unwrap();
    let (csv, edf) = (dir.path().join("s.csv"), dir.path().join("s.edf"));
    let (text, _) = replay(
        &capture,
        &[
            "--record-csv",
            csv.to_str().unwrap(),
            "--record-edf",
            edf.to_str().unwrap(),
        ],
    );

    // Text: the event line, then the packet it names, with the time it gives.
    let lines: Vec<&str> = text.lines().collect();
    let events: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("# restart "))
        .collect();
    assert_eq!(events.len(), 1, "{text}");
    let line = lines[events[0]];
    let next = DataLine::parse(lines[events[0] + 1]);
    assert_eq!(
        line,
        format!(
            "# restart at sample {BEFORE}: counter {} -> 0, reset-signal (timestamp_us={})",
            (BEFORE - 1) as u8,
            next.timestamp_us
        )
    );
    assert_eq!((next.frame, next.channels, next.switches), (0, [512; 6], 2));
    assert!(!text.contains("# lost"), "{text}");
    // Sample times run on evenly across it: no packet is missing.
    let data = common::data_lines(&lines);
    let step = |i: usize| data[i + 1].timestamp_us - data[i].timestamp_us;
    assert!((step(BEFORE - 1) - step(BEFORE - 2)).abs() <= 1);

    // JSON: the same event, before its packet.
    let (jsonl, _) = replay(&capture, &["--json"]);
    let objects: Vec<Json> = jsonl.lines().map(|l| Json::parse(l).unwrap()).collect();
    let at = objects
        .iter()
        .position(|o| field(o, "event") == Some(&Json::String("restart".into())))
        .expect("a restart event");
    let restart = &objects[at];
    let packet = &objects[at + 1];
    let number = |o: &Json, key: &str| match field(o, key) {
        Some(Json::Number(n)) => *n,
        other => panic!("{key}: {other:?}"),
    };
    assert_eq!(number(restart, "sample_index"), BEFORE as f64);
    assert_eq!(number(packet, "sample_index"), BEFORE as f64);
    assert_eq!(
        number(restart, "timestamp_us"),
        number(packet, "timestamp_us")
    );
    assert_eq!(
        number(restart, "previous_counter"),
        ((BEFORE - 1) as u8).into()
    );
    assert_eq!(number(restart, "counter"), 0.0);
    assert_eq!(
        field(restart, "evidence"),
        Some(&Json::String("reset-signal".into()))
    );

    // CSV: a restart row, then the packet row at the same sample index; nothing lost.
    let csv = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    let at = rows
        .iter()
        .position(|r| r.starts_with("restart,"))
        .expect("a restart row");
    assert_eq!(
        rows[at],
        format!(
            "restart,{BEFORE},{},0,,,,,,,,,,,,,,,previous_counter={} evidence=reset-signal",
            next.timestamp_us,
            (BEFORE - 1) as u8
        )
    );
    assert!(
        rows[at + 1].starts_with(&format!("packet,{BEFORE},{},0,", next.timestamp_us)),
        "{}",
        rows[at + 1]
    );
    assert!(!rows.iter().any(|r| r.starts_with("gap,")));
    assert!(csv.contains("\n# lost=0\n"));

    // EDF+: an instant at the restart's onset (a replay is timed at 256 Hz: 300 / 256 s),
    // nothing filled before the padding of the last record.
    let edf = std::fs::read(&edf).unwrap();
    let edf = String::from_utf8_lossy(&edf);
    let tal = format!(
        "+1.171875\x14device restart (reset signal): counter {} -> 0\x14\0",
        (BEFORE - 1) as u8
    );
    assert_eq!(edf.matches(&tal).count(), 1, "no {tal:?}");
    assert_eq!(edf.matches("BAD_ACQ_SKIP").count(), 1);
    assert!(edf.contains("BAD_ACQ_SKIP no data: padding after the last sample"));
}

/// The value of `key` in a JSON object.
fn field<'a>(object: &'a Json, key: &str) -> Option<&'a Json> {
    match object {
        Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}
