//! What the user chose to see: time window, units, channels, follow and pause, and each
//! channel's vertical scale. No drawing here.

use libeeg::CHANNELS;

use super::cursor::Cursors;
use super::time_layout::{TimeLayout, TimeMode};

/// Shortest and longest time window, seconds.
pub const WINDOW_RANGE_S: std::ops::RangeInclusive<f64> = 1.0..=60.0;
/// The time windows the `+` and `-` keys step through, seconds.
pub const WINDOW_STEPS_S: [f64; 7] = [1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0];
/// The time window at start-up, seconds.
pub const DEFAULT_WINDOW_S: f64 = 10.0;
/// Microvolts per ADC step of the ModularEEG (libeeg's `modular-eeg` profile).
pub const DEFAULT_UV_PER_LSB: f64 = 0.5;
/// ADC mid-scale: raw code of 0 µV.
pub const MID_SCALE: f64 = 512.0;

/// The vertical unit of the traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// Microvolts: `(code - 512) * uv_per_lsb`.
    Microvolts,
    /// Raw ADC codes, 0..=1023.
    Raw,
}

impl Units {
    /// The axis suffix: "µV" or "code".
    pub fn suffix(self) -> &'static str {
        match self {
            Units::Microvolts => "µV",
            Units::Raw => "code",
        }
    }
}

/// One channel's display state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelView {
    /// Shown.
    pub visible: bool,
    /// The vertical range follows the visible data.
    pub autoscale: bool,
    /// The vertical range in display units, as last set or measured.
    pub y_range: (f64, f64),
}

impl Default for ChannelView {
    fn default() -> Self {
        Self {
            visible: true,
            autoscale: true,
            y_range: (-100.0, 100.0),
        }
    }
}

/// The view: see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Width of the time window, seconds (see [`WINDOW_RANGE_S`]).
    pub window_s: f64,
    /// Vertical unit.
    pub units: Units,
    /// Microvolts per ADC step.
    pub uv_per_lsb: f64,
    /// Per channel.
    pub channels: [ChannelView; CHANNELS],
    /// Channel names for the axes.
    pub names: [String; CHANNELS],
    /// The window's right edge follows the newest sample.
    pub follow: bool,
    /// Paused at this stream time: the view stands still while samples keep arriving.
    pub paused_at: Option<f64>,
    /// The time range shown, seconds since the first sample: what the plots showed last.
    pub range: (f64, f64),
    /// `range` was set by the program (a jump to an event, a new window width, a file's
    /// start): the plots take it on the next frame instead of keeping their own.
    pub jump: bool,
    /// Scrolling or sweeping time axis.
    pub time_mode: TimeMode,
    /// Paused in sweep mode and not moved since: the sweep stays as it was at the pause, as
    /// a monitor's freeze does. Moving the view away shows the history scrolling instead.
    pub sweep_frozen: bool,
    /// The measurement cursors.
    pub cursors: Cursors,
    /// The spectrum panel is open.
    pub show_spectrum: bool,
}

impl Default for View {
    fn default() -> Self {
        Self {
            window_s: DEFAULT_WINDOW_S,
            units: Units::Microvolts,
            uv_per_lsb: DEFAULT_UV_PER_LSB,
            channels: [ChannelView::default(); CHANNELS],
            names: std::array::from_fn(|i| format!("Ch {}", i + 1)),
            follow: true,
            paused_at: None,
            range: (-DEFAULT_WINDOW_S, 0.0),
            jump: false,
            time_mode: TimeMode::Scroll,
            sweep_frozen: false,
            cursors: Cursors::default(),
            show_spectrum: false,
        }
    }
}

impl View {
    /// Shows only the EEG-SMT's two real channels (1 and 2).
    pub fn eeg_smt_preset(&mut self) {
        for (i, ch) in self.channels.iter_mut().enumerate() {
            ch.visible = i < 2;
        }
    }

    /// Shows every channel.
    pub fn show_all(&mut self) {
        self.channels.iter_mut().for_each(|ch| ch.visible = true);
    }

    /// Pauses at `newest` (the newest sample's time), or resumes following live data.
    pub fn toggle_pause(&mut self, newest: Option<f64>) {
        if self.paused_at.is_some() {
            self.paused_at = None;
            self.follow = true;
            self.sweep_frozen = false;
        } else {
            self.paused_at = Some(newest.unwrap_or(self.range.1));
            self.follow = false;
            self.sweep_frozen = true;
        }
    }

    /// Back to the live edge: unpaused, following.
    pub fn follow_live(&mut self) {
        self.paused_at = None;
        self.follow = true;
        self.sweep_frozen = false;
    }

    /// The time range to show this frame, given the newest sample's time: the window ending
    /// at the newest sample while following (starting at 0 until the window is full), else
    /// the range the plots showed last, wherever the user dragged or zoomed them.
    pub fn time_range(&self, newest: Option<f64>) -> (f64, f64) {
        if self.follow && self.paused_at.is_none() {
            let right = newest.unwrap_or(0.0).max(self.window_s);
            (right - self.window_s, right)
        } else {
            self.range
        }
    }

    /// Shows `range` from the next frame on, without following.
    pub fn jump_to(&mut self, range: (f64, f64)) {
        self.follow = false;
        self.range = range;
        self.jump = true;
        self.sweep_frozen = false;
    }

    /// The time axis this frame. Sweep mode sweeps while following live data, and stays
    /// frozen as it was when paused; scrolled back (dragged, a jump to an event, the arrow
    /// keys) it shows the history scrolling, since a sweep of old data would only reorder
    /// it. [`follow_live`](Self::follow_live) returns to the sweep.
    pub fn layout(&self, newest: Option<f64>) -> TimeLayout {
        if self.time_mode == TimeMode::Sweep {
            if self.follow && self.paused_at.is_none() {
                return TimeLayout::sweep(self.window_s, newest.unwrap_or(0.0));
            }
            if let Some(at) = self.paused_at
                && self.sweep_frozen
            {
                return TimeLayout::sweep(self.window_s, at);
            }
        }
        TimeLayout::Scroll {
            range: self.time_range(newest),
        }
    }

    /// Switches between scrolling and sweeping.
    pub fn toggle_time_mode(&mut self) {
        self.time_mode = match self.time_mode {
            TimeMode::Scroll => TimeMode::Sweep,
            TimeMode::Sweep => TimeMode::Scroll,
        };
    }

    /// Sets the time window; while not following, the new width applies from the current
    /// view's left edge (a frozen sweep stays frozen).
    pub fn set_window_s(&mut self, seconds: f64) {
        self.window_s = seconds.clamp(*WINDOW_RANGE_S.start(), *WINDOW_RANGE_S.end());
        if !self.follow && !self.sweep_frozen {
            let left = self.range.0;
            self.jump_to((left, left + self.window_s));
        }
    }

    /// The next shorter (or longer) window of [`WINDOW_STEPS_S`].
    pub fn step_window(&mut self, shorter: bool) {
        let next = if shorter {
            WINDOW_STEPS_S
                .iter()
                .rev()
                .find(|&&w| w < self.window_s - 1e-9)
        } else {
            WINDOW_STEPS_S.iter().find(|&&w| w > self.window_s + 1e-9)
        };
        if let Some(&w) = next {
            self.set_window_s(w);
        }
    }

    /// Moves the view `dt` seconds (negative: back in time), kept within the data from
    /// `oldest` to `newest`. Reaching the newest data while not paused follows it again.
    pub fn scroll_by(&mut self, dt: f64, oldest: Option<f64>, newest: Option<f64>) {
        let (left, right) = self.layout(newest).stream_range();
        let width = right - left;
        let last = newest.unwrap_or(right).max(width);
        let first = (oldest.unwrap_or(left) + width).min(last);
        let to = (right + dt).clamp(first, last);
        if dt > 0.0 && to >= last && self.paused_at.is_none() {
            self.follow_live();
        } else {
            self.jump_to((to - width, to));
        }
    }

    /// Converts a raw or filtered code to display units. A high-passed trace has no offset
    /// left, so only the raw one is centred on mid-scale.
    pub fn to_display(&self, value: f64, high_passed: bool) -> f64 {
        match self.units {
            Units::Raw => value,
            Units::Microvolts if high_passed => value * self.uv_per_lsb,
            Units::Microvolts => (value - MID_SCALE) * self.uv_per_lsb,
        }
    }
}

/// The vertical range that fits `lo..=hi` with a margin, snapped to round numbers, and kept
/// from `current` unless the data no longer fits or uses less than a third of it, so the
/// scale does not flicker frame to frame.
pub fn autoscale(current: (f64, f64), lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return current;
    }
    let (c0, c1) = current;
    let fits = lo >= c0 && hi <= c1;
    let extent = hi - lo;
    if fits && extent * 3.0 >= c1 - c0 {
        return current;
    }
    let half = nice_up((extent * 0.6).max(1.0));
    let step = half / 2.0;
    let mid = ((lo + hi) / 2.0 / step).round() * step;
    let mut range = (mid - half, mid + half);
    // Rounding the centre may cut an edge off: widen by a step until it fits.
    while range.0 > lo || range.1 < hi {
        range = (range.0 - step, range.1 + step);
    }
    range
}

/// The smallest 1-2-5 number at or above `x`.
fn nice_up(x: f64) -> f64 {
    let magnitude = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&v| v >= x)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autoscale_fits_the_data_and_keeps_still() {
        let r = autoscale((-1.0, 1.0), -30.0, 45.0);
        assert!(r.0 <= -30.0 && r.1 >= 45.0, "{r:?}");
        // Small changes inside keep the range.
        assert_eq!(autoscale(r, -28.0, 40.0), r);
        // Much smaller data shrinks it.
        let small = autoscale(r, -2.0, 2.0);
        assert!(small.1 - small.0 <= 10.0, "{small:?}");
    }

    #[test]
    fn pause_freezes_the_range_and_resume_follows() {
        let mut view = View::default();
        assert_eq!(view.time_range(Some(4.0)), (0.0, 10.0));
        assert_eq!(view.time_range(Some(20.0)), (10.0, 20.0));
        view.range = (10.0, 20.0);
        view.toggle_pause(Some(20.0));
        assert_eq!(view.time_range(Some(30.0)), (10.0, 20.0));
        view.toggle_pause(Some(30.0));
        assert_eq!(view.time_range(Some(30.0)), (20.0, 30.0));
    }

    #[test]
    fn sweep_mode_sweeps_live_freezes_when_paused_and_scrolls_when_moved() {
        let mut view = View {
            time_mode: TimeMode::Sweep,
            ..View::default()
        };
        assert_eq!(view.layout(Some(23.0)), TimeLayout::sweep(10.0, 23.0));
        view.toggle_pause(Some(23.0));
        assert_eq!(view.layout(Some(40.0)), TimeLayout::sweep(10.0, 23.0));
        view.scroll_by(-5.0, Some(0.0), Some(40.0));
        assert_eq!(
            view.layout(Some(40.0)),
            TimeLayout::Scroll { range: (8.0, 18.0) }
        );
        view.follow_live();
        assert_eq!(view.layout(Some(41.0)), TimeLayout::sweep(10.0, 41.0));
    }

    #[test]
    fn keys_step_the_window_and_scroll_within_the_data() {
        let mut view = View::default();
        view.step_window(true);
        assert_eq!(view.window_s, 5.0);
        view.step_window(false);
        view.step_window(false);
        assert_eq!(view.window_s, 20.0);
        view.window_s = 10.0;
        view.scroll_by(-2.5, Some(0.0), Some(30.0));
        assert_eq!(view.range, (17.5, 27.5));
        assert!(!view.follow);
        view.scroll_by(-100.0, Some(0.0), Some(30.0));
        assert_eq!(view.range, (0.0, 10.0));
        // Forward to the newest data follows it again.
        view.scroll_by(100.0, Some(0.0), Some(30.0));
        assert!(view.follow);
    }

    #[test]
    fn microvolts_from_codes() {
        let view = View::default();
        assert_eq!(view.to_display(612.0, false), 50.0);
        assert_eq!(view.to_display(100.0, true), 50.0);
    }
}
