//! Write and parse throughput of each format, measured rather than asserted (timed assertions
//! make flaky tests):
//!
//! ```sh
//! cargo test --release -p libeeg --lib wire::throughput -- --ignored --nocapture
//! ```
//!
//! Input is the simulator's signal with an event every 1000 packets; each figure is the best of
//! three runs over the whole input, in memory.

use std::hint::black_box;
use std::time::{Duration, Instant};

use super::{
    CsvParser, CsvWriter, Item, JsonParser, JsonWriter, Parser, Record, SessionEvent, TextParser,
    TextWriter,
};
use crate::sim::{SimConfig, Simulator};
use crate::{Protocol, RestartEvidence};

const PACKETS: u64 = 1_000_000;

/// A session: packets with a loss, a resync or a restart every 1000.
fn session() -> Vec<Item> {
    let mut sim = Simulator::new(SimConfig::default());
    let mut items = Vec::with_capacity(PACKETS as usize + PACKETS as usize / 1000);
    for i in 0..PACKETS {
        let timestamp_us = 1_700_000_000_000_000 + (i as f64 * 3906.25) as i64;
        if i % 1000 == 999 {
            items.push(Item::Event(match i % 3000 {
                999 => SessionEvent::Resync { skipped_bytes: 17 },
                1999 => SessionEvent::Restart {
                    sample_index: i,
                    timestamp_us,
                    previous_counter: 3,
                    counter: 0,
                    evidence: RestartEvidence::ResetSignal,
                },
                _ => SessionEvent::DeviceGone {
                    reason: "read failed: No such device".to_owned(),
                    timestamp_us,
                },
            }));
        }
        let frame = sim.next_frame();
        items.push(Item::Record(Record {
            timestamp_us,
            sample_index: i,
            protocol: Protocol::P2,
            counter: i as u8,
            samples: frame.samples,
            switches: 15,
        }));
    }
    items
}

/// The best of three runs of `run`.
fn best(mut run: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .expect("three runs")
}

fn report(what: &str, bytes: usize, lines: usize, time: Duration) {
    let s = time.as_secs_f64();
    println!(
        "{what:<24} {:>7.0} MB/s {:>6.2} M lines/s",
        bytes as f64 / s / 1e6,
        lines as f64 / s / 1e6
    );
}

/// Every item through `record` or `event`, which must succeed.
macro_rules! write_all {
    ($writer:expr, $items:expr) => {
        for item in $items {
            match item {
                Item::Record(r) => $writer.record(r).unwrap(),
                Item::Event(e) => $writer.event(e).unwrap(),
                Item::Unknown(_) => {}
            }
        }
    };
}

fn parse(bytes: &[u8], make: impl Fn() -> Parser) -> usize {
    let mut parser = make();
    let mut n = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        n += parser.parse_line(line).map_or(0, |items| items.len());
    }
    n
}

#[test]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
fn throughput() {
    let items = session();
    let lines = items.len();
    let info = super::csv::tests::session();

    let mut text = Vec::new();
    let time = best(|| {
        let mut w = TextWriter::new(Vec::with_capacity(80 * lines));
        write_all!(w, &items);
        text = w.into_inner().unwrap();
    });
    report("text write", text.len(), lines, time);
    let time = best(|| {
        assert_eq!(
            black_box(parse(&text, || Parser::Text(TextParser::new()))),
            lines
        )
    });
    report("text parse", text.len(), lines, time);

    let mut json = Vec::new();
    let time = best(|| {
        let mut w = JsonWriter::new(Vec::with_capacity(200 * lines), 0.5);
        write_all!(w, &items);
        json = w.into_inner().unwrap();
    });
    report("JSON write", json.len(), lines, time);
    let time = best(|| {
        assert_eq!(
            black_box(parse(&json, || Parser::Json(JsonParser::new()))),
            lines
        )
    });
    report("JSON parse (fast path)", json.len(), lines, time);
    // Another producer's spacing: every line through serde_json.
    let spaced: Vec<u8> = json
        .iter()
        .flat_map(|&b| if b == b',' { vec![b',', b' '] } else { vec![b] })
        .collect();
    let time = best(|| {
        assert_eq!(
            black_box(parse(&spaced, || Parser::Json(JsonParser::new()))),
            lines
        )
    });
    report("JSON parse (serde_json)", spaced.len(), lines, time);

    let mut csv = Vec::new();
    let time = best(|| {
        let mut w = CsvWriter::new(Vec::with_capacity(120 * lines), &info);
        write_all!(w, &items);
        csv = w.into_inner().unwrap();
    });
    report("CSV write", csv.len(), lines, time);
    let time = best(|| {
        black_box(parse(&csv, || Parser::Csv(Box::new(CsvParser::new()))));
    });
    report("CSV parse", csv.len(), lines, time);
}
