//! Borrowed views of a history's samples: a time-ordered span of up to two stretches, and a
//! run of one channel's samples.

use std::ops::Range;

/// Samples of a [`History`](super::ring::History) in time order, held as up to two
/// contiguous stretches (the ring may wrap inside the span). The first stretch comes first in
/// time; either may be empty.
#[derive(Debug, Clone)]
pub struct Span<'a> {
    times: &'a [f64],
    segments: &'a [u32],
    values: &'a [Vec<f32>],
    parts: [Range<usize>; 2],
}

impl<'a> Span<'a> {
    /// The samples at indices `parts` of columns `times`, `segments` and `values` (one
    /// column per channel, all as long as `times`).
    pub(super) fn new(
        times: &'a [f64],
        segments: &'a [u32],
        values: &'a [Vec<f32>],
        parts: [Range<usize>; 2],
    ) -> Self {
        Self {
            times,
            segments,
            values,
            parts,
        }
    }

    /// Samples in the span.
    pub fn len(&self) -> usize {
        self.parts.iter().map(Range::len).sum()
    }

    /// Whether the span holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Times of the samples, seconds, as two slices that follow each other.
    pub fn times(&self) -> [&'a [f64]; 2] {
        self.parts.clone().map(|p| &self.times[p])
    }

    /// Segment ids of the samples: a change between neighbours is a gap.
    pub fn segments(&self) -> [&'a [u32]; 2] {
        self.parts.clone().map(|p| &self.segments[p])
    }

    /// Values of `channel`.
    ///
    /// # Panics
    ///
    /// If `channel` is not a channel of the history.
    pub fn values(&self, channel: usize) -> [&'a [f32]; 2] {
        let column = &self.values[channel];
        self.parts.clone().map(|p| &column[p])
    }

    /// The newest samples of the span, at most `max`, none from before the segment of its
    /// newest sample: the input for a spectrum, which must not run across a gap.
    pub fn newest_segment(&self, max: usize) -> Span<'a> {
        let mut parts = [
            self.parts[0].end..self.parts[0].end,
            self.parts[1].end..self.parts[1].end,
        ];
        let Some(&newest) = self.segments().iter().rev().find_map(|s| s.last()) else {
            return Self { parts, ..*self };
        };
        let mut wanted = max;
        // Walk back from the newest sample through the second part, then the first.
        for (part, whole) in parts
            .iter_mut()
            .rev()
            .zip(self.parts.clone().into_iter().rev())
        {
            // Segment ids only grow, so within one part the newest segment is a suffix.
            let segment_start =
                whole.start + self.segments[whole.clone()].partition_point(|&s| s != newest);
            let begin = segment_start.max(whole.end.saturating_sub(wanted));
            *part = begin..whole.end;
            wanted -= part.len();
            if begin > whole.start || wanted == 0 {
                break;
            }
        }
        Self { parts, ..*self }
    }

    /// Times, segments and values of `channel` together, the input of
    /// [`Decimated::decimate`](super::decimate::Decimated::decimate).
    ///
    /// # Panics
    ///
    /// If `channel` is not a channel of the history.
    pub fn runs(&self, channel: usize) -> [Run<'a>; 2] {
        let column = &self.values[channel];
        self.parts.clone().map(|p| Run {
            times: &self.times[p.clone()],
            segments: &self.segments[p.clone()],
            values: &column[p],
        })
    }
}

/// A contiguous stretch of one channel's samples, oldest first. The three slices have the
/// same length.
#[derive(Debug, Clone, Copy, Default)]
pub struct Run<'a> {
    /// Sample times, seconds, not decreasing.
    pub times: &'a [f64],
    /// Segment id of each sample; samples with different ids must never be joined.
    pub segments: &'a [u32],
    /// The channel's values.
    pub values: &'a [f32],
}

#[cfg(test)]
mod tests {
    use crate::signal::ring::{History, HistoryConfig};

    const RATE: f64 = 256.0;

    fn t(i: usize) -> f64 {
        i as f64 / RATE
    }

    /// A one-channel history of one second (259 samples) holding samples `0..n`, value =
    /// index, with a reported gap before sample `gap_before`.
    fn history(n: usize, gap_before: usize) -> History {
        let mut h = History::new(HistoryConfig {
            seconds: 1.0,
            ..HistoryConfig::new(1, RATE)
        });
        for i in 0..n {
            if i == gap_before {
                h.mark_gap();
            }
            h.push(t(i), &[i as f32]);
        }
        h
    }

    #[test]
    fn newest_segment_of_a_span_in_the_past_stops_at_the_gap() {
        let h = history(200, 100);
        // A span ending before the newest sample: its newest segment began at the gap.
        let span = h.span(t(50), t(150));
        assert_eq!(
            span.newest_segment(1000).values(0).concat(),
            (100..=150).map(|i| i as f32).collect::<Vec<_>>()
        );
        assert_eq!(
            span.newest_segment(10).values(0).concat(),
            (141..=150).map(|i| i as f32).collect::<Vec<_>>()
        );
        // Ending before the gap: the older segment.
        let before = h.span(t(0), t(80));
        assert_eq!(before.newest_segment(1000).len(), 81);
        assert!(h.span(t(300), t(400)).newest_segment(10).is_empty());
    }

    #[test]
    fn newest_segment_follows_the_wrap() {
        // 259 samples held out of 400: the ring has wrapped, physical start at 141.
        let h = history(400, 330);
        let span = h.span(t(200), t(399));
        assert_eq!(
            span.newest_segment(1000).values(0).concat(),
            (330..400).map(|i| i as f32).collect::<Vec<_>>()
        );
        let [a, b] = span.newest_segment(1000).values(0);
        assert!(
            a.is_empty() && b.len() == 70,
            "the segment lies in the ring's head"
        );
        // Without a gap in it, across the wrap point.
        let h = history(400, 0);
        let span = h.span(t(300), t(399));
        let [a, b] = span.newest_segment(90).values(0);
        assert_eq!((a.len(), b.len()), (0, 90));
        let [a, b] = h.span(t(200), t(399)).newest_segment(200).values(0);
        assert!(
            !a.is_empty() && !b.is_empty(),
            "straddles the wrap: {} + {}",
            a.len(),
            b.len()
        );
        assert_eq!(
            h.span(t(200), t(399))
                .newest_segment(200)
                .values(0)
                .concat(),
            (200..400).map(|i| i as f32).collect::<Vec<_>>()
        );
    }
}
