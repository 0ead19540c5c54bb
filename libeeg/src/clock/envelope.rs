//! The lower envelope of (sample index, arrival time) points, kept as one minimum per block.

use std::collections::VecDeque;

/// One observation: `x` samples after the clock's origin index, arriving `y` seconds after the
/// caller's epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    /// Where the line of slope `period` through this point crosses `x = 0`: the lowest such
    /// value over a set of points is the lowest line of that slope lying under all of them.
    pub fn intercept(self, period: f64) -> f64 {
        self.y - self.x * period
    }
}

/// A bounded window of per-block minimum points, oldest first; the newest block may still be
/// filling.
#[derive(Debug, Clone)]
pub(super) struct Envelope {
    blocks: VecDeque<Point>,
    capacity: usize,
    /// Scratch for the hull, kept to avoid an allocation per block.
    hull: Vec<Point>,
}

impl Envelope {
    pub fn new(capacity: usize) -> Self {
        Self {
            blocks: VecDeque::with_capacity(capacity),
            capacity,
            hull: Vec::with_capacity(capacity),
        }
    }

    pub fn clear(&mut self) {
        self.blocks.clear();
    }

    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    pub fn is_full(&self) -> bool {
        self.blocks.len() == self.capacity
    }

    /// Replaces the newest block's minimum with `point` if it is lower under slope `period`.
    pub fn lower_newest(&mut self, point: Point, period: f64) {
        if let Some(newest) = self.blocks.back_mut()
            && point.intercept(period) < newest.intercept(period)
        {
            *newest = point;
        }
    }

    /// Halves the window: each pair of neighbouring blocks, oldest first, keeps its lower
    /// point under slope `period` (an odd last block stays alone).
    pub fn merge_pairs(&mut self, period: f64) {
        let kept = self.blocks.len().div_ceil(2);
        for i in 0..kept {
            let a = self.blocks[2 * i];
            self.blocks[i] = match self.blocks.get(2 * i + 1) {
                Some(&b) if b.intercept(period) < a.intercept(period) => b,
                _ => a,
            };
        }
        self.blocks.truncate(kept);
    }

    /// Starts a new block at `point`, dropping the oldest block when full.
    ///
    /// A newest block minimum that arrived no earlier than `point` is replaced instead: under
    /// any positive slope the later sample of one chunk lies lower, so the earlier one tells
    /// nothing, and left in the window it would make the first chunk look like a flat rate.
    pub fn push(&mut self, point: Point) {
        if let Some(newest) = self.blocks.back_mut()
            && point.y <= newest.y
        {
            *newest = point;
            return;
        }
        if self.is_full() {
            self.blocks.pop_front();
        }
        self.blocks.push_back(point);
    }

    /// Seconds of arrivals between the oldest and the newest block minimum.
    pub fn duration(&self) -> f64 {
        match (self.blocks.front(), self.blocks.back()) {
            (Some(first), Some(last)) => last.y - first.y,
            _ => 0.0,
        }
    }

    /// Lowest intercept under slope `period` over the blocks whose minimum lies at `since` or
    /// later.
    pub fn recent_intercept(&self, period: f64, since: f64) -> Option<f64> {
        self.blocks
            .iter()
            .rev()
            .take_while(|p| p.x >= since)
            .map(|p| p.intercept(period))
            .reduce(f64::min)
    }

    /// Slope (seconds per sample) of the line that lies under every block minimum and is as
    /// close to them as possible in total, or `None` with fewer than two blocks.
    ///
    /// That line is a lower-hull edge: the one spanning the mean `x` of the points (the
    /// linear programme "maximise the line at mean x subject to lying below every point").
    /// Only the extreme low points set it, so bursts and late jitter do not bias it.
    pub fn hull_slope(&mut self, period: f64) -> Option<f64> {
        let first = *self.blocks.front()?;
        // Shear by the current slope so the hull works with small, well-conditioned numbers.
        let local = |p: &Point| {
            let dx = p.x - first.x;
            Point {
                x: dx,
                y: p.y - first.y - dx * period,
            }
        };
        self.hull.clear();
        let mut sum_x = 0.0;
        for p in self.blocks.iter().map(local) {
            sum_x += p.x;
            // Monotone chain: drop points that would make the chain bend downwards.
            while let [.., a, b] = self.hull[..] {
                let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
                if cross > 0.0 {
                    break;
                }
                self.hull.pop();
            }
            self.hull.push(p);
        }
        let mean_x = sum_x / self.blocks.len() as f64;
        self.hull
            .windows(2)
            .find(|edge| edge[1].x >= mean_x)
            .map(|edge| period + (edge[1].y - edge[0].y) / (edge[1].x - edge[0].x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_slope_ignores_points_above_the_line() {
        let mut env = Envelope::new(8);
        // True line y = 1 + 0.01 x; every other point arrives late.
        for k in 0..8 {
            let x = f64::from(k) * 100.0;
            let late = if k % 2 == 0 { 0.0 } else { 0.3 };
            env.push(Point {
                x,
                y: 1.0 + 0.01 * x + late,
            });
        }
        let slope = env.hull_slope(0.0099).unwrap();
        assert!((slope - 0.01).abs() < 1e-12, "{slope}");
        assert_eq!(env.recent_intercept(0.01, 450.0), Some(1.0));
    }

    #[test]
    fn window_is_bounded() {
        let mut env = Envelope::new(4);
        for k in 0..10 {
            env.push(Point {
                x: f64::from(k),
                y: f64::from(k),
            });
        }
        assert_eq!(env.len(), 4);
        assert!(env.is_full());
        assert_eq!(env.duration(), 3.0);
        assert_eq!(env.hull_slope(0.5), Some(1.0));
    }

    #[test]
    fn a_later_point_of_the_same_chunk_replaces_the_newest() {
        let mut env = Envelope::new(4);
        for x in [0.0, 1.0, 2.0] {
            env.push(Point { x, y: 5.0 });
        }
        assert_eq!(env.len(), 1);
        assert_eq!(env.duration(), 0.0);
        assert_eq!(env.hull_slope(0.01), None);
    }

    #[test]
    fn merging_keeps_the_lower_point_of_each_pair() {
        let mut env = Envelope::new(8);
        // Line y = 0.01 x; points 1 and 2 are late, and the odd last one stays alone.
        for (k, late) in [0.0, 0.05, 0.05, 0.0, 0.0].into_iter().enumerate() {
            let x = k as f64 * 10.0;
            env.push(Point {
                x,
                y: 0.01 * x + late,
            });
        }
        env.merge_pairs(0.01);
        let xs: Vec<f64> = env.blocks.iter().map(|p| p.x).collect();
        assert_eq!(xs, [0.0, 30.0, 40.0]);
    }
}
