//! What the reader tells people on stderr: a live status line on a terminal, and the summary
//! at exit as key=value fields that scripts can parse.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use libeeg::Stats;

/// What the acquisition loop keeps on stderr while it runs: the live status line, or a
/// conversion's progress bar.
pub trait StatusDisplay {
    /// Called after every batch; redraws if it is time to.
    fn update(&mut self, stats: &Stats, rate_hz: f64, recordings: &[(String, u64)]);
    /// Removes what is drawn, before other messages or the summary.
    fn clear(&mut self);
}

/// One line of stderr redrawn in place, at most once per `every`, and only on a terminal:
/// what the status line and the progress bar share.
pub struct TerminalLine {
    enabled: bool,
    every: Duration,
    last: Option<Instant>,
    drawn: bool,
}

impl TerminalLine {
    /// A line redrawn at most once per `every`, shown only when stderr is a terminal.
    pub fn new(every: Duration) -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            every,
            last: None,
            drawn: false,
        }
    }

    /// Whether a redraw is due; if so, the caller draws now.
    pub fn due(&mut self) -> bool {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < self.every) {
            return false;
        }
        self.last = Some(Instant::now());
        true
    }

    /// Replaces the line with `line`.
    pub fn draw(&mut self, line: &str) {
        // \x1b[K clears what a longer previous line left.
        let _ = write!(std::io::stderr(), "\r{line}\x1b[K");
        self.drawn = true;
    }

    /// Removes the line before other messages or the summary.
    pub fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
            self.drawn = false;
        }
    }
}

/// The live status line, redrawn in place a few times a second when stderr is a terminal.
pub struct StatusLine(TerminalLine);

const REDRAW: Duration = Duration::from_millis(250);

impl StatusLine {
    /// A status line, shown only when stderr is a terminal.
    pub fn new() -> Self {
        Self(TerminalLine::new(REDRAW))
    }
}

impl StatusDisplay for StatusLine {
    /// Redraws the line if it is time to.
    fn update(&mut self, stats: &Stats, rate_hz: f64, recordings: &[(String, u64)]) {
        if !self.0.due() {
            return;
        }
        self.0.draw(&status_text(stats, rate_hz, recordings));
    }

    /// Removes the line before other messages or the summary.
    fn clear(&mut self) {
        self.0.clear();
    }
}

/// The status line's text; restarts only once there was one (most devices never restart).
fn status_text(stats: &Stats, rate_hz: f64, recordings: &[(String, u64)]) -> String {
    let mut line = format!(
        "packets {}  rate {:.2} Hz  lost {}  resyncs {}",
        stats.packets, rate_hz, stats.lost, stats.resyncs
    );
    if stats.restarts > 0 {
        line.push_str(&format!("  restarts {}", stats.restarts));
    }
    for (name, size) in recordings {
        line.push_str(&format!("  {name} {}", human_size(*size)));
    }
    line
}

/// `bytes` for people: B, KiB, MiB or GiB.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// The facts printed at exit.
pub struct Summary<'a> {
    pub stats: &'a Stats,
    pub protocol: Option<libeeg::Protocol>,
    pub estimated_rate_hz: f64,
    pub nominal_rate_hz: f64,
    pub duration: Duration,
    pub source: &'a str,
}

impl std::fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.stats;
        write!(
            f,
            "packets={} lost={} resyncs={} restarts={} skipped_bytes={} refused={} bytes={} \
             protocol={} rate_hz={:.3} nominal_rate_hz={} duration_s={:.3} source={:?}",
            s.packets,
            s.lost,
            s.resyncs,
            s.restarts,
            s.skipped_bytes,
            s.refused_packets,
            s.bytes_in,
            self.protocol.map_or("none".to_string(), |p| p.to_string()),
            self.estimated_rate_hz,
            self.nominal_rate_hz,
            self.duration.as_secs_f64(),
            self.source,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(restarts: u64) -> Stats {
        let mut stats = Stats::default();
        stats.packets = 5000;
        stats.lost = 3;
        stats.resyncs = 2;
        stats.restarts = restarts;
        stats.skipped_bytes = 40;
        stats.bytes_in = 85_040;
        stats
    }

    #[test]
    fn the_summary_counts_restarts_apart_from_losses() {
        let stats = stats(1);
        let summary = Summary {
            stats: &stats,
            protocol: Some(libeeg::Protocol::P2),
            estimated_rate_hz: 125.004_2,
            nominal_rate_hz: 256.0,
            duration: Duration::from_millis(40_012),
            source: "/dev/ttyACM0 at 115200 baud",
        };
        assert_eq!(
            summary.to_string(),
            "packets=5000 lost=3 resyncs=2 restarts=1 skipped_bytes=40 refused=0 bytes=85040 \
             protocol=P2 rate_hz=125.004 nominal_rate_hz=256 duration_s=40.012 \
             source=\"/dev/ttyACM0 at 115200 baud\""
        );
    }

    #[test]
    fn the_status_line_shows_restarts_once_there_was_one() {
        let recordings = [("CSV file s.csv".to_owned(), 2048)];
        assert_eq!(
            status_text(&stats(0), 257.142, &recordings),
            "packets 5000  rate 257.14 Hz  lost 3  resyncs 2  CSV file s.csv 2.0 KiB"
        );
        assert_eq!(
            status_text(&stats(2), 125.0, &[]),
            "packets 5000  rate 125.00 Hz  lost 3  resyncs 2  restarts 2"
        );
    }
}
