//! How well the reader times a board whose rate it is not told, measured on the built binary
//! through a pseudo-terminal (printed, not asserted: a loaded machine delays the writer).
//!
//! ```sh
//! cargo bench -p eegreader --bench clock
//! ```
//!
//! For each rate, a board samples at exactly that rate from the moment the reader is ready and
//! delivers its packets every 16 ms (an FTDI adapter's default latency timer), for 20 s
//! (`BENCH_CLOCK_SECONDS`). The reader runs with no `--rate`, so it starts from the profile's
//! 256 Hz. Printed per rate: the `rate_hz=` of the summary, its error, and the RMS and largest
//! error of every packet's timestamp against the time the board sampled it (the wall clock when
//! the board started plus index / rate: no offset is removed, so the pty's own delay counts).

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{DataLine, Pty, Running, reader, summary};
use libeeg::encode::encode_p2;

/// How often the adapter hands the host what the board sent.
const BURST: Duration = Duration::from_millis(16);

fn main() {
    let seconds: f64 = std::env::var("BENCH_CLOCK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20.0);
    println!(
        "board rate  rate_hz=   error     RMS error  largest  ({seconds} s each, 16 ms bursts, load {})",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for rate in [100.0, 125.0, 257.14] {
        let (measured, rms, largest) = session(rate, seconds);
        println!(
            "{rate:>8.2} Hz  {measured:>9.3}  {:>+6.3} %  {rms:>7.3} ms  {largest:>6.2} ms",
            100.0 * (measured / rate - 1.0)
        );
    }
}

/// Runs one session; returns the measured rate and the RMS and largest timestamp error (ms).
fn session(rate: f64, seconds: f64) -> (f64, f64, f64) {
    let mut pty = Pty::new();
    let mut command = reader();
    command.arg("-l").arg(&pty.path);
    let mut run = Running::start(command);
    pty.wait_until_read_by(run.pid());

    let start = Instant::now();
    let start_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let packets = (seconds * rate) as u64;
    let mut sent = 0u64;
    let mut burst = Vec::new();
    for k in 1.. {
        if sent >= packets {
            break;
        }
        let next = start + BURST * k;
        thread::sleep(next.saturating_duration_since(Instant::now()));
        // Every packet sampled by now leaves (index / rate <= the time since the start).
        let due = (start.elapsed().as_secs_f64() * rate).floor() as u64 + 1;
        burst.clear();
        for i in sent..due.min(packets) {
            let value = 512 + ((i % 64) as u16);
            encode_p2(i as u8, &[value; 6], 0x0F, &mut burst);
        }
        sent = due.min(packets);
        pty.master.write_all(&burst).expect("write to the pty");
    }
    // The last packet is released once the line has been quiet for a read timeout.
    thread::sleep(Duration::from_millis(300));
    run.signal("TERM");
    run.wait();
    let stderr = run.stderr.text();
    let measured: f64 = summary(&stderr)["rate_hz"].parse().expect("rate_hz=");
    let errors: Vec<f64> = run
        .stdout()
        .lines()
        .iter()
        .filter(|l| !l.starts_with('#'))
        .enumerate()
        .map(|(i, l)| {
            let sampled = start_us as f64 + i as f64 * 1e6 / rate;
            (DataLine::parse(l).timestamp_us as f64 - sampled) / 1e3
        })
        .collect();
    let rms = (errors.iter().map(|e| e * e).sum::<f64>() / errors.len().max(1) as f64).sqrt();
    let largest = errors.iter().fold(0.0f64, |m, e| m.max(e.abs()));
    (measured, rms, largest)
}
