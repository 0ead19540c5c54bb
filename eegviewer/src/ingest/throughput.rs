//! Ingest throughput, measured rather than asserted (timed assertions make flaky tests):
//!
//! ```sh
//! cargo test --release -p eegviewer throughput -- --ignored --nocapture
//! ```
//!
//! Input is the simulator's signal written in eegreader's formats, with an event line every
//! 1000 packets.

use std::io::{Cursor, Write};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use libeeg::sim::{SimConfig, Simulator};

use super::item::Format;
use super::line::{Line, LineParser};
use super::reader::{channel, spawn_ingest};
use super::stream::StreamIngest;

const LINES: usize = 2_000_000;

/// `LINES` lines of one format, as eegreader writes them.
fn input(format: Format) -> Vec<u8> {
    let mut sim = Simulator::new(SimConfig::default());
    let mut out = Vec::with_capacity(LINES * 200);
    let t0: i64 = 1_700_000_000_000_000;
    for i in 0..LINES as u64 {
        let f = sim.next_frame();
        let t = t0 + (i as f64 * 3906.25) as i64;
        let c = f.samples;
        if i % 1000 == 999 {
            match format {
                Format::Text => writeln!(out, "# lost 1 packet at sample {i} (timestamp_us={t})"),
                Format::Json => {
                    writeln!(out, r#"{{"event":"lost","count":1,"first_sample_index":{i},"timestamp_us":{t}}}"#)
                }
            }
            .unwrap();
            continue;
        }
        match format {
            Format::Text => {
                writeln!(out, "{t}|2|{}|{}|{}|{}|{}|{}|{}|{}", i as u8, c[0], c[1], c[2], c[3], c[4], c[5], f.switches)
            }
            Format::Json => {
                let uv = c.map(|c| (f64::from(c) - 512.0) * 0.5);
                writeln!(
                    out,
                    r#"{{"timestamp_us":{t},"sample_index":{i},"version":2,"frame":{},"channels":[{},{},{},{},{},{}],"microvolts":[{},{},{},{},{},{}],"switches":{}}}"#,
                    i as u8, c[0], c[1], c[2], c[3], c[4], c[5], uv[0], uv[1], uv[2], uv[3], uv[4], uv[5], f.switches
                )
            }
        }
        .unwrap();
    }
    out
}

fn report(what: &str, format: Format, bytes: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    eprintln!(
        "{what:<28} {format:<10}: {:6.2} M lines/s, {:6.1} MB/s ({LINES} lines, {:.1} MB, {:.0} ms)",
        LINES as f64 / secs / 1e6,
        bytes as f64 / secs / 1e6,
        bytes as f64 / 1e6,
        secs * 1e3
    );
}

#[test]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
fn throughput() {
    for format in [Format::Text, Format::Json] {
        let data = input(format);

        // The line parser alone.
        let start = Instant::now();
        let mut parser = LineParser::new();
        let mut samples = 0usize;
        for line in data.split(|&b| b == b'\n') {
            if let Line::Sample(..) = parser.parse(line) {
                samples += 1;
            }
        }
        report("parse lines", format, data.len(), start.elapsed());
        assert_eq!(samples, LINES - LINES / 1000);

        // Splitting, parsing and batching (what the ingest thread does), in 64 KiB chunks.
        let start = Instant::now();
        let mut stream = StreamIngest::new(LineParser::new());
        let mut samples = 0usize;
        for chunk in data.chunks(64 * 1024) {
            let _ = stream.push(chunk, |b| {
                samples += b.samples.len();
                ControlFlow::Continue(())
            });
            samples += stream.take().map_or(0, |b| b.samples.len());
        }
        samples += stream.finish(None).samples.len();
        report("split + parse + batch", format, data.len(), start.elapsed());
        assert_eq!(samples, LINES - LINES / 1000);

        // End to end: the two threads and the channel, a receiver that only counts.
        let (tx, rx) = channel();
        let start = Instant::now();
        spawn_ingest(Cursor::new(data.clone()), tx, || {}).unwrap();
        let mut samples = 0usize;
        let mut batches = 0usize;
        for batch in rx.iter() {
            samples += batch.samples.len();
            batches += 1;
            if batch.ends_stream() {
                break;
            }
        }
        report("threads + channel", format, data.len(), start.elapsed());
        eprintln!("{:<41}({batches} batches)", "");
        assert_eq!(samples, LINES - LINES / 1000);
    }
}
