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
        let mut line = format!(
            "packets {}  rate {:.2} Hz  lost {}  resyncs {}",
            stats.packets, rate_hz, stats.lost, stats.resyncs
        );
        for (name, size) in recordings {
            line.push_str(&format!("  {name} {}", human_size(*size)));
        }
        self.0.draw(&line);
    }

    /// Removes the line before other messages or the summary.
    fn clear(&mut self) {
        self.0.clear();
    }
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
            "packets={} lost={} resyncs={} skipped_bytes={} refused={} bytes={} protocol={} \
             rate_hz={:.3} nominal_rate_hz={} duration_s={:.3} source={:?}",
            s.packets,
            s.lost,
            s.resyncs,
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
