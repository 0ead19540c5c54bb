//! Min/max decimation per pixel column that never joins samples across a gap.

use std::ops::Range;

use super::span::Run;

/// The time range of a plot and how many pixel columns it spans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Columns {
    /// Time at the left edge of the first column, seconds.
    pub t0: f64,
    /// Time at the right edge of the last column, seconds.
    pub t1: f64,
    /// Number of columns; column `c` covers `t0 + c * w .. t0 + (c + 1) * w` with
    /// `w = (t1 - t0) / count`, and the last one also takes `t1` itself.
    pub count: usize,
}

/// One sample kept by the decimation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Time, seconds.
    pub t: f64,
    /// Value.
    pub v: f32,
}

/// The samples of one segment that fall in one column, summarised by four of them: the
/// first, the last, the lowest and the highest. Drawing these four in time order gives the
/// same pixels as drawing every sample of the column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Column index.
    pub column: usize,
    /// Samples summarised.
    pub count: u32,
    /// Earliest sample.
    pub first: Point,
    /// Latest sample.
    pub last: Point,
    /// Lowest sample (the earliest of equals).
    pub min: Point,
    /// Highest sample (the earliest of equals).
    pub max: Point,
}

impl Bucket {
    fn new(column: usize, p: Point) -> Self {
        Self {
            column,
            count: 1,
            first: p,
            last: p,
            min: p,
            max: p,
        }
    }

    fn add(&mut self, p: Point) {
        self.count += 1;
        self.last = p;
        if p.v < self.min.v {
            self.min = p;
        }
        if p.v > self.max.v {
            self.max = p;
        }
    }

    /// The bucket's distinct samples in time order: first, the extremes, last.
    fn points(&self) -> impl Iterator<Item = Point> {
        let (a, b) = if self.min.t <= self.max.t {
            (self.min, self.max)
        } else {
            (self.max, self.min)
        };
        let all = [self.first, a, b, self.last];
        (0..4).filter_map(move |i| (i == 0 || all[i] != all[i - 1]).then_some(all[i]))
    }
}

/// One channel's samples in a time range, reduced to at most a few points per pixel column
/// and split into segments at every gap. Reuse one value per channel: [`decimate`]
/// refills it without allocating once its buffers have grown.
///
/// Samples are grouped by column and segment: a column in which a gap falls gets one bucket
/// on each side of it, in different segments, so no bucket and no polyline mixes samples from
/// both sides. Each bucket keeps its extremes, so a spike of a single sample survives any
/// zoom; stride decimation (keeping every k-th sample) would drop it.
///
/// [`decimate`]: Self::decimate
#[derive(Debug, Clone, Default)]
pub struct Decimated {
    buckets: Vec<Bucket>,
    /// Ranges of `buckets`, one per segment.
    segments: Vec<Range<usize>>,
    /// Polyline vertices `[t, v]`, all segments one after another.
    points: Vec<[f64; 2]>,
    /// Ranges of `points`, one per segment.
    polylines: Vec<Range<usize>>,
}

impl Decimated {
    /// Empty, ready for [`decimate`](Self::decimate).
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the contents with the decimation of `runs` (one channel's samples, in time
    /// order, as [`Span::runs`](super::span::Span::runs) gives them) over `columns`.
    ///
    /// Times must not decrease within a run. Samples outside `t0..=t1` are skipped. A change of segment id between neighbouring
    /// samples, also across runs, starts a new segment; so does a non-finite value, which is
    /// itself skipped. Nothing is produced for zero columns or an empty or reversed range.
    pub fn decimate(&mut self, runs: &[Run<'_>], columns: Columns) {
        self.buckets.clear();
        self.segments.clear();
        self.points.clear();
        self.polylines.clear();
        let Columns { t0, t1, count } = columns;
        if count == 0 || t0.is_nan() || t1.is_nan() || t1 <= t0 {
            return;
        }
        let scale = count as f64 / (t1 - t0);
        let last_column = count - 1;
        // Truncation is the floor here: t >= t0.
        let column_of = |t: f64| (((t - t0) * scale) as usize).min(last_column);
        let mut bucket: Option<Bucket> = None;
        let mut segment_start = 0;
        let mut previous_segment: Option<u32> = None;
        for run in runs {
            let Run {
                times,
                segments,
                values,
            } = *run;
            debug_assert!(times.len() == values.len() && times.len() == segments.len());
            // Times do not decrease, so the samples in view are one stretch.
            let view = times.partition_point(|&t| t < t0)..times.partition_point(|&t| t <= t1);
            let samples = times[view.clone()]
                .iter()
                .zip(&values[view.clone()])
                .zip(&segments[view]);
            for ((&t, &v), &segment) in samples {
                if !v.is_finite() {
                    previous_segment = None;
                    continue;
                }
                let column = column_of(t);
                let same_segment = previous_segment == Some(segment);
                previous_segment = Some(segment);
                let p = Point { t, v };
                match &mut bucket {
                    Some(b) if same_segment && b.column == column => b.add(p),
                    _ => {
                        self.buckets.extend(bucket.take());
                        if !same_segment && segment_start < self.buckets.len() {
                            self.segments.push(segment_start..self.buckets.len());
                            segment_start = self.buckets.len();
                        }
                        bucket = Some(Bucket::new(column, p));
                    }
                }
            }
        }
        self.buckets.extend(bucket);
        if segment_start < self.buckets.len() {
            self.segments.push(segment_start..self.buckets.len());
        }
        for segment in &self.segments {
            let start = self.points.len();
            for b in &self.buckets[segment.clone()] {
                self.points
                    .extend(b.points().map(|p| [p.t, f64::from(p.v)]));
            }
            self.polylines.push(start..self.points.len());
        }
    }

    /// All buckets, in time order.
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// The buckets of each segment, in time order; consecutive segments are separated by a
    /// gap.
    pub fn segments(&self) -> impl Iterator<Item = &[Bucket]> {
        self.segments.iter().map(|r| &self.buckets[r.clone()])
    }

    /// One polyline per segment, vertices `[t, v]` in time order, ready to plot: up to four
    /// vertices per column (first, extremes, last), so a line through them lights exactly the
    /// pixels the full-resolution line would. Never draw a line from one polyline to the next.
    pub fn polylines(&self) -> impl Iterator<Item = &[[f64; 2]]> {
        self.polylines.iter().map(|r| &self.points[r.clone()])
    }

    /// The holes between consecutive segments, as (time of the last sample before, time of
    /// the first sample after): where the plot shades a gap.
    pub fn gaps(&self) -> impl Iterator<Item = (f64, f64)> {
        self.segments.windows(2).map(|w| {
            (
                self.buckets[w[0].end - 1].last.t,
                self.buckets[w[1].start].first.t,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 256.0;

    /// Owned samples of one channel, to borrow as runs.
    struct Samples {
        times: Vec<f64>,
        segments: Vec<u32>,
        values: Vec<f32>,
    }

    impl Samples {
        /// `values` at 256 Hz from t = 0, one segment.
        fn new(values: Vec<f32>) -> Self {
            Self {
                times: (0..values.len()).map(|i| i as f64 / RATE).collect(),
                segments: vec![0; values.len()],
                values,
            }
        }

        /// Starts a new segment at sample `i`.
        fn gap_at(mut self, i: usize) -> Self {
            for s in &mut self.segments[i..] {
                *s += 1;
            }
            self
        }

        fn run(&self) -> Run<'_> {
            self.run_of(0..self.values.len())
        }

        fn run_of(&self, r: Range<usize>) -> Run<'_> {
            Run {
                times: &self.times[r.clone()],
                segments: &self.segments[r.clone()],
                values: &self.values[r],
            }
        }

        fn columns(&self, count: usize) -> Columns {
            Columns {
                t0: 0.0,
                t1: *self.times.last().unwrap(),
                count,
            }
        }
    }

    fn decimate(runs: &[Run<'_>], columns: Columns) -> Decimated {
        let mut d = Decimated::new();
        d.decimate(runs, columns);
        d
    }

    /// A small deterministic pseudo-random signal (xorshift), amplitude about ±20.
    fn noise(len: usize, seed: u64) -> Vec<f32> {
        let mut x = seed.max(1);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 4001) as f32 / 100.0 - 20.0
            })
            .collect()
    }

    #[test]
    fn a_one_sample_spike_survives_every_zoom() {
        let len = 30 * 256;
        for (k, spike) in [
            (0, 500.0),
            (1, -500.0),
            (3001, 500.0),
            (5555, -500.0),
            (len - 1, 500.0),
        ] {
            let mut values = noise(len, k as u64 + 1);
            values[k] = spike;
            let s = Samples::new(values);
            for count in [
                1,
                2,
                3,
                7,
                64,
                333,
                1500,
                1920,
                len / 2,
                len - 1,
                len,
                3 * len,
            ] {
                let d = decimate(&[s.run()], s.columns(count));
                let kept: Vec<[f64; 2]> = d.polylines().flatten().copied().collect();
                assert!(
                    kept.contains(&[s.times[k], f64::from(spike)]),
                    "spike at {k} lost with {count} columns"
                );
                let extreme = if spike > 0.0 {
                    d.buckets().iter().map(|b| b.max.v).fold(f32::MIN, f32::max)
                } else {
                    d.buckets().iter().map(|b| b.min.v).fold(f32::MAX, f32::min)
                };
                assert_eq!(extreme, spike);
            }
        }
    }

    #[test]
    fn each_column_keeps_first_last_min_max_in_time_order() {
        let s = Samples::new(vec![5.0, 9.0, 1.0, 4.0, 7.0, 2.0, 8.0, 3.0]);
        // 8 samples at t = 0..7/256 into 2 columns: samples 0-3 and 4-7 (the last takes t1).
        let d = decimate(&[s.run()], s.columns(2));
        let b = d.buckets();
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].column, b[0].count), (0, 4));
        assert_eq!(
            (b[0].first.v, b[0].max.v, b[0].min.v, b[0].last.v),
            (5.0, 9.0, 1.0, 4.0)
        );
        assert_eq!(
            (b[1].first.v, b[1].min.v, b[1].max.v, b[1].last.v),
            (7.0, 2.0, 8.0, 3.0)
        );
        let line: Vec<f64> = d.polylines().flatten().map(|p| p[1]).collect();
        assert_eq!(line, [5.0, 9.0, 1.0, 4.0, 7.0, 2.0, 8.0, 3.0]);
        let times: Vec<f64> = d.polylines().flatten().map(|p| p[0]).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn zoomed_in_every_sample_is_a_vertex_once() {
        let s = Samples::new(noise(100, 3));
        let d = decimate(&[s.run()], s.columns(1000));
        assert_eq!(d.buckets().len(), 100);
        let line: Vec<[f64; 2]> = d.polylines().flatten().copied().collect();
        let expected: Vec<[f64; 2]> = s
            .times
            .iter()
            .zip(&s.values)
            .map(|(&t, &v)| [t, f64::from(v)])
            .collect();
        assert_eq!(line, expected);
    }

    #[test]
    fn a_gap_inside_a_column_splits_it_and_no_line_crosses() {
        let len = 2560;
        for gap in [1, 17, 1000, 1280, 2559] {
            let s = Samples::new(noise(len, 9)).gap_at(gap);
            for count in [1, 3, 100, 1500, 5000] {
                let d = decimate(&[s.run()], s.columns(count));
                assert_eq!(d.segments().count(), 2, "gap at {gap}, {count} columns");
                let polylines: Vec<&[[f64; 2]]> = d.polylines().collect();
                assert_eq!(polylines.len(), 2);
                let (before, after) = (s.times[gap - 1], s.times[gap]);
                assert!(polylines[0].iter().all(|p| p[0] <= before));
                assert!(polylines[1].iter().all(|p| p[0] >= after));
                assert_eq!(d.gaps().collect::<Vec<_>>(), [(before, after)]);
                // The column holding the gap, if shared, appears once on each side.
                let split: Vec<&[Bucket]> = d.segments().collect();
                let last_before = split[0].last().unwrap();
                let first_after = split[1][0];
                assert_eq!(last_before.last.t, before);
                assert_eq!(first_after.first.t, after);
                let total: u32 = d.buckets().iter().map(|b| b.count).sum();
                assert_eq!(total as usize, len, "every sample counted once");
            }
        }
    }

    #[test]
    fn split_runs_decimate_like_one_run_and_gaps_between_runs_count() {
        let s = Samples::new(noise(3000, 5));
        let whole = decimate(&[s.run()], s.columns(700));
        let split = decimate(&[s.run_of(0..1234), s.run_of(1234..3000)], s.columns(700));
        assert_eq!(whole.buckets(), split.buckets());
        assert_eq!(split.segments().count(), 1);

        let s = s.gap_at(1234);
        let split = decimate(&[s.run_of(0..1234), s.run_of(1234..3000)], s.columns(700));
        assert_eq!(split.segments().count(), 2);
    }

    #[test]
    fn a_wrapped_history_with_a_gap_decimates_end_to_end() {
        use crate::signal::ring::{History, HistoryConfig};

        let mut h = History::new(HistoryConfig {
            seconds: 10.0,
            ..HistoryConfig::new(1, RATE)
        });
        // 15 s into 10 s: the ring wraps. A reported loss at 11 s, a spike at 12.5 s.
        let (gap, spike) = (11 * 256, 12 * 256 + 128);
        for i in 0..15 * 256 {
            if i == gap {
                h.mark_gap();
            }
            let v = if i == spike { 900.0 } else { (i % 7) as f32 };
            h.push(i as f64 / RATE, &[v]);
        }
        let span = h.span(7.0, 15.0);
        let [a, b] = span.times();
        assert!(
            !a.is_empty() && !b.is_empty(),
            "the view straddles the wrap"
        );
        let d = decimate(
            &span.runs(0),
            Columns {
                t0: 7.0,
                t1: 15.0,
                count: 100,
            },
        );
        assert_eq!(d.segments().count(), 2);
        let t = |i: usize| i as f64 / RATE;
        assert_eq!(d.gaps().collect::<Vec<_>>(), [(t(gap - 1), t(gap))]);
        assert!(d.polylines().flatten().any(|p| *p == [t(spike), 900.0]));
    }

    #[test]
    fn samples_outside_the_view_are_skipped_and_t1_is_in_the_last_column() {
        let s = Samples::new(noise(1000, 7));
        let columns = Columns {
            t0: s.times[100],
            t1: s.times[199],
            count: 10,
        };
        let d = decimate(&[s.run()], columns);
        assert_eq!(d.buckets().len(), 10);
        assert!(d.buckets().iter().all(|b| b.count == 10));
        assert_eq!(d.buckets()[0].first.t, s.times[100]);
        assert_eq!(d.buckets()[9].last.t, s.times[199]);
        assert_eq!(d.buckets()[9].column, 9);
    }

    #[test]
    fn non_finite_values_are_skipped_and_break_the_line() {
        let mut values = noise(50, 2);
        values[20] = f32::NAN;
        values[30] = f32::INFINITY;
        let s = Samples::new(values);
        let d = decimate(&[s.run()], s.columns(500));
        assert_eq!(d.segments().count(), 3);
        assert_eq!(d.buckets().len(), 48);
        assert!(d.polylines().flatten().all(|p| p[1].is_finite()));
    }

    #[test]
    fn degenerate_views_give_nothing_and_the_buffers_are_reused() {
        let s = Samples::new(noise(100, 1));
        let mut d = Decimated::new();
        d.decimate(&[s.run()], s.columns(50));
        assert!(!d.buckets().is_empty());
        for columns in [
            s.columns(0),
            Columns {
                t0: 1.0,
                t1: 0.0,
                count: 10,
            },
            Columns {
                t0: f64::NAN,
                t1: 1.0,
                count: 10,
            },
            Columns {
                t0: 5.0,
                t1: 6.0,
                count: 10,
            },
        ] {
            d.decimate(&[s.run()], columns);
            assert_eq!(d.buckets().len(), 0);
            assert_eq!(d.polylines().count(), 0);
            assert_eq!(d.gaps().count(), 0);
        }
        d.decimate(&[], s.columns(50));
        assert_eq!(d.segments().count(), 0);
    }
}
