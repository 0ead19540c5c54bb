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

/// A bounded window of per-block minimum points, oldest first.
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

    /// Adds a completed block's minimum, dropping the oldest block when full.
    pub fn push(&mut self, point: Point) {
        if self.blocks.len() == self.capacity {
            self.blocks.pop_front();
        }
        self.blocks.push_back(point);
    }

    /// Samples between the oldest and the newest block minimum.
    pub fn span(&self) -> f64 {
        match (self.blocks.front(), self.blocks.back()) {
            (Some(first), Some(last)) => last.x - first.x,
            _ => 0.0,
        }
    }

    /// Lowest intercept under slope `period` over the newest `recent` blocks.
    pub fn recent_intercept(&self, period: f64, recent: usize) -> Option<f64> {
        self.blocks
            .iter()
            .rev()
            .take(recent)
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
        assert_eq!(env.recent_intercept(0.01, 3), Some(1.0));
    }

    #[test]
    fn window_is_bounded() {
        let mut env = Envelope::new(4);
        for k in 0..10 {
            env.push(Point {
                x: f64::from(k),
                y: 0.0,
            });
        }
        assert_eq!(env.len(), 4);
        assert_eq!(env.span(), 3.0);
        assert_eq!(env.hull_slope(0.0), Some(0.0));
    }
}
