//! Where each stream time goes on the plots' horizontal axis: scrolling (the axis is stream
//! time, the newest sample at the right edge) or sweeping, as clinical monitors do (a fixed
//! window written left to right that wraps to the left edge and overwrites the previous
//! sweep, with an erase bar just ahead of the write position).

/// How the time axis moves with new data: the user's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeMode {
    /// The traces move left; the axis is time since the first sample.
    #[default]
    Scroll,
    /// The traces stand still and are rewritten left to right; the axis is time into the
    /// sweep.
    Sweep,
}

/// Share of the sweep window blanked ahead of the write position, so the boundary between
/// the new sweep and the old one is plain at a glance.
pub const ERASE_FRACTION: f64 = 0.03;

/// A stretch of stream time, drawn at `x = t - offset`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// First stream time of the stretch, seconds since the first sample.
    pub t0: f64,
    /// Last stream time of the stretch.
    pub t1: f64,
    /// Subtracted from a stream time to give its position on the axis.
    pub offset: f64,
}

impl Piece {
    /// Whether stream time `t` falls in the stretch.
    pub fn contains(&self, t: f64) -> bool {
        t >= self.t0 && t <= self.t1
    }
}

/// The plots' time axis for one frame. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeLayout {
    /// The axis is stream time and shows `range`.
    Scroll {
        /// Stream times at the left and right edges.
        range: (f64, f64),
    },
    /// The axis runs from 0 to `window` seconds into the sweep; data is written up to stream
    /// time `write`.
    Sweep {
        /// Width of the sweep, seconds.
        window: f64,
        /// Stream time of the newest sample drawn (live: the newest one; frozen: the newest
        /// one when the view was paused).
        write: f64,
    },
}

impl TimeLayout {
    /// A sweep `window` seconds wide written up to `write`; sweeps start at whole multiples of
    /// `window` since the first sample, so a sweep's left edge is a round time.
    pub fn sweep(window: f64, write: f64) -> Self {
        Self::Sweep {
            window: window.max(1e-3),
            write: write.max(0.0),
        }
    }

    /// Whether this is a sweep.
    pub fn is_sweep(&self) -> bool {
        matches!(self, Self::Sweep { .. })
    }

    /// The axis range shown.
    pub fn x_range(&self) -> (f64, f64) {
        match *self {
            Self::Scroll { range } => range,
            Self::Sweep { window, .. } => (0.0, window),
        }
    }

    /// The stream time range the layout covers: the range itself, or for a sweep the last
    /// `window` seconds up to the write position (the erase bar's stretch included).
    pub fn stream_range(&self) -> (f64, f64) {
        match *self {
            Self::Scroll { range } => range,
            Self::Sweep { window, write } => (write - window, write),
        }
    }

    /// Stream time at the left edge of the sweep being written.
    pub fn sweep_start(&self) -> Option<f64> {
        match *self {
            Self::Scroll { .. } => None,
            Self::Sweep { window, write } => Some((write / window).floor() * window),
        }
    }

    /// The write position on the axis, seconds into the sweep.
    pub fn write_x(&self) -> Option<f64> {
        match *self {
            Self::Scroll { .. } => None,
            Self::Sweep { write, .. } => Some(write - self.sweep_start().unwrap_or(0.0)),
        }
    }

    /// The erase bar: axis positions ahead of the write position where nothing is drawn.
    pub fn erase(&self) -> Option<(f64, f64)> {
        match *self {
            Self::Scroll { .. } => None,
            Self::Sweep { window, .. } => {
                let x = self.write_x().unwrap_or(0.0);
                Some((x, (x + window * ERASE_FRACTION).min(window)))
            }
        }
    }

    /// The stretches of stream time drawn, left to right on the axis: one while scrolling;
    /// for a sweep the one being written (left of the write position) and what is left of
    /// the previous sweep (right of the erase bar). Lines must never join two pieces.
    pub fn pieces(&self) -> Vec<Piece> {
        match *self {
            Self::Scroll { range } => vec![Piece {
                t0: range.0,
                t1: range.1,
                offset: 0.0,
            }],
            Self::Sweep { window, write } => {
                let start = self.sweep_start().unwrap_or(0.0);
                let (_, erase_end) = self.erase().unwrap_or((0.0, 0.0));
                let mut pieces = vec![Piece {
                    t0: start,
                    t1: write,
                    offset: start,
                }];
                let previous = start - window;
                if erase_end < window && start > 0.0 {
                    pieces.push(Piece {
                        t0: previous + erase_end,
                        // Just short of the current sweep's start, so no sample is drawn twice.
                        t1: (start - 1e-9).max(previous + erase_end),
                        offset: previous,
                    });
                }
                pieces
            }
        }
    }

    /// Where stream time `t` is drawn, if it is shown.
    pub fn x_of(&self, t: f64) -> Option<f64> {
        match *self {
            Self::Scroll { range } => (t >= range.0 && t <= range.1).then_some(t),
            Self::Sweep { .. } => self
                .pieces()
                .iter()
                .find(|p| p.contains(t))
                .map(|p| t - p.offset),
        }
    }

    /// The stream time drawn at axis position `x`: `None` in the erase bar, and left of the
    /// first sweep's data.
    pub fn time_at(&self, x: f64) -> Option<f64> {
        match *self {
            Self::Scroll { .. } => Some(x),
            Self::Sweep { window, .. } => {
                let x = x.clamp(0.0, window);
                self.pieces()
                    .iter()
                    .map(|p| (p, x + p.offset))
                    .find(|(p, t)| p.contains(*t) && *t >= 0.0)
                    .map(|(_, t)| t)
            }
        }
    }

    /// The pieces' axis extents of the stream interval `start..=end`: a gap that straddles
    /// the wrap point is shaded on both sides of it.
    pub fn x_spans(&self, start: f64, end: f64) -> Vec<(f64, f64)> {
        self.pieces()
            .iter()
            .filter(|p| end >= p.t0 && start <= p.t1)
            .map(|p| (start.max(p.t0) - p.offset, end.min(p.t1) - p.offset))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_maps_time_to_itself() {
        let layout = TimeLayout::Scroll {
            range: (10.0, 20.0),
        };
        assert_eq!(layout.x_of(12.5), Some(12.5));
        assert_eq!(layout.x_of(25.0), None);
        assert_eq!(layout.time_at(12.5), Some(12.5));
        assert_eq!(layout.pieces().len(), 1);
    }

    #[test]
    fn a_sweep_writes_the_new_sweep_left_and_keeps_the_old_one_right_of_the_erase_bar() {
        // 10 s sweeps, 23 s written: the third sweep (20..30) is at 3 s.
        let layout = TimeLayout::sweep(10.0, 23.0);
        assert_eq!(layout.sweep_start(), Some(20.0));
        assert_eq!(layout.write_x(), Some(3.0));
        let (e0, e1) = layout.erase().unwrap();
        assert!((e0 - 3.0).abs() < 1e-9 && (e1 - 3.3).abs() < 1e-9);
        assert_eq!(layout.x_of(21.0), Some(1.0));
        // The old sweep shows right of the erase bar...
        assert!((layout.x_of(18.0).unwrap() - 8.0).abs() < 1e-9);
        // ...but not under it: 13.1 s would be drawn at 3.1, inside the bar.
        assert_eq!(layout.x_of(13.1), None);
        assert_eq!(layout.time_at(1.0), Some(21.0));
        assert!((layout.time_at(8.0).unwrap() - 18.0).abs() < 1e-9);
        assert_eq!(layout.time_at(3.1), None);
        assert_eq!(layout.stream_range(), (13.0, 23.0));
    }

    #[test]
    fn a_gap_across_the_wrap_point_is_shaded_on_both_sides() {
        let layout = TimeLayout::sweep(10.0, 23.0);
        let spans = layout.x_spans(19.0, 21.0);
        assert_eq!(spans.len(), 2);
        assert!((spans[0].0 - 0.0).abs() < 1e-9 && (spans[0].1 - 1.0).abs() < 1e-9);
        assert!((spans[1].0 - 9.0).abs() < 1e-9 && (spans[1].1 - 10.0).abs() < 1e-6);
    }

    #[test]
    fn the_first_sweep_has_nothing_before_it() {
        let layout = TimeLayout::sweep(10.0, 4.0);
        assert_eq!(layout.pieces().len(), 1);
        assert_eq!(layout.time_at(7.0), None);
    }
}
