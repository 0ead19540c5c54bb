//! A conversion's progress bar on stderr: bytes read of the total, percent, speed and time
//! left, redrawn at most ten times a second, and only when stderr is a terminal.

use std::time::{Duration, Instant};

use libeeg::Stats;

use crate::status::{StatusDisplay, TerminalLine};

/// Redraws are at least this far apart: more is flicker and wasted writes.
const REDRAW: Duration = Duration::from_millis(100);

/// Cells of the bar itself.
const WIDTH: usize = 24;

/// The progress of reading one input.
pub struct ProgressBar {
    line: TerminalLine,
    /// The input's size, when it is a file.
    total: Option<u64>,
    started: Instant,
}

impl ProgressBar {
    /// A bar for an input of `total` bytes (`None`: unknown, as for standard input), shown
    /// only when stderr is a terminal.
    pub fn new(total: Option<u64>) -> Self {
        Self {
            line: TerminalLine::new(REDRAW),
            total,
            started: Instant::now(),
        }
    }
}

impl StatusDisplay for ProgressBar {
    fn update(&mut self, stats: &Stats, _rate_hz: f64, _recordings: &[(String, u64)]) {
        if self.line.due() {
            let line = progress_line(stats.bytes_in, self.total, self.started.elapsed());
            self.line.draw(&line);
        }
    }

    fn clear(&mut self) {
        self.line.clear();
    }
}

/// `[#####-------]  41%  41.0/100.0 MB  180.3 MB/s  ETA 0:01`; without a total, only the
/// bytes read and the speed.
fn progress_line(done: u64, total: Option<u64>, elapsed: Duration) -> String {
    let mb = |bytes: u64| bytes as f64 / 1e6;
    let seconds = elapsed.as_secs_f64();
    let speed = if seconds > 0.0 {
        mb(done) / seconds
    } else {
        0.0
    };
    let Some(total) = total.filter(|&t| t > 0) else {
        return format!("{:.1} MB read  {speed:.1} MB/s", mb(done));
    };
    let fraction = (done as f64 / total as f64).clamp(0.0, 1.0);
    let filled = (fraction * WIDTH as f64).round() as usize;
    let eta = if speed > 0.0 {
        let left = (mb(total.saturating_sub(done)) / speed).round() as u64;
        format!("{}:{:02}", left / 60, left % 60)
    } else {
        "?".to_owned()
    };
    format!(
        "[{}{}] {:3.0}%  {:.1}/{:.1} MB  {speed:.1} MB/s  ETA {eta}",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        fraction * 100.0,
        mb(done),
        mb(total),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_share_speed_and_time_left() {
        let line = progress_line(25_000_000, Some(100_000_000), Duration::from_secs(1));
        assert_eq!(
            line,
            "[######------------------]  25%  25.0/100.0 MB  25.0 MB/s  ETA 0:03"
        );
        let done = progress_line(100_000_000, Some(100_000_000), Duration::from_secs(2));
        assert!(
            done.starts_with(&format!("[{}] 100%", "#".repeat(WIDTH))),
            "{done}"
        );
        assert!(done.ends_with("ETA 0:00"), "{done}");
    }

    #[test]
    fn without_a_total_only_bytes_and_speed() {
        assert_eq!(
            progress_line(3_000_000, None, Duration::from_secs(2)),
            "3.0 MB read  1.5 MB/s"
        );
        assert!(progress_line(0, Some(10), Duration::ZERO).ends_with("ETA ?"));
    }
}
