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
