//! Bounded history of a multichannel stream: a ring of samples in which gaps are explicit.

use std::ops::Range;

use super::span::Span;

/// Settings for a [`History`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryConfig {
    /// Value columns per sample: the six decoded channels, or more when the caller keeps raw
    /// and filtered copies side by side.
    pub channels: usize,
    /// The device's nominal sample rate, hertz; sizes the ring.
    pub nominal_rate_hz: f64,
    /// Seconds of signal kept. Default [`HistoryConfig::DEFAULT_SECONDS`].
    pub seconds: f64,
    /// A step between two samples longer than this (seconds) starts a new segment even when
    /// the stream reported no loss, so a silent hole is never bridged by a line. Default
    /// [`HistoryConfig::DEFAULT_MAX_STEP_PERIODS`] nominal periods; infinity turns this off.
    pub max_step: f64,
}

impl HistoryConfig {
    /// Default history: ten minutes.
    pub const DEFAULT_SECONDS: f64 = 600.0;
    /// Default silent-gap threshold, in nominal sample periods. The libeeg clock never spaces
    /// samples more than about 1.1 periods apart except across a real outage, and lost packets
    /// are reported anyway, so ten periods (39 ms at 256 Hz) only catches unreported holes.
    pub const DEFAULT_MAX_STEP_PERIODS: f64 = 10.0;
    /// Room above the nominal rate: the ModularEEG runs 0.45 % fast (257.14 Hz for a nominal
    /// 256 Hz), and the history should still span the configured seconds.
    const RATE_HEADROOM: f64 = 1.01;

    /// `channels` columns at `nominal_rate_hz`, other settings at their defaults.
    pub fn new(channels: usize, nominal_rate_hz: f64) -> Self {
        Self {
            channels,
            nominal_rate_hz,
            seconds: Self::DEFAULT_SECONDS,
            max_step: Self::DEFAULT_MAX_STEP_PERIODS / nominal_rate_hz,
        }
    }

    /// Samples the ring holds: the configured seconds at the nominal rate plus 1 % headroom.
    pub fn capacity(&self) -> usize {
        (self.seconds * self.nominal_rate_hz * Self::RATE_HEADROOM).ceil() as usize
    }
}

/// Counters of a [`History`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistoryStats {
    /// Samples stored.
    pub pushed: u64,
    /// Oldest samples overwritten because the ring was full.
    pub evicted: u64,
    /// Samples refused because their time was not finite or ran backwards; each one also
    /// breaks the line.
    pub rejected: u64,
    /// Segments started after the first: reported gaps, silent steps and rejections.
    pub breaks: u64,
}

/// What [`History::push`] did with a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Stored, continuing the newest segment.
    Continued,
    /// Stored as the first sample of a new segment (also the very first sample).
    NewSegment,
    /// Refused: its time was not finite or earlier than the newest sample's.
    Rejected,
}

/// A bounded history of a stream of multichannel samples, with explicit gaps.
///
/// Each sample is a time (seconds, as libeeg's clock gives them), one `f32` per channel, and
/// a segment id. Samples of one segment are contiguous in the stream; a new segment starts
/// after [`mark_gap`](Self::mark_gap) (lost packets, device outage), after a step longer than
/// [`HistoryConfig::max_step`], and after a rejected sample, so a consumer that never joins
/// samples of different segments never draws across missing data.
///
/// Memory is fixed at [`HistoryConfig::capacity`] samples: once full, each push overwrites the
/// oldest sample in O(1). Times must not decrease (the libeeg clock guarantees it within a
/// connection); a sample earlier than the newest one is refused and counted.
///
/// # Use
/// 1. Per sample: [`starts_segment`](Self::starts_segment) tells whether the sample at `t`
///    will begin a new segment, so per-segment state (filters) can be reset first; then
///    [`push`](Self::push) it.
/// 2. [`mark_gap`](Self::mark_gap) when the stream reports a loss.
/// 3. [`span`](Self::span) for a time range, borrowing up to two contiguous slices per
///    column; [`Span::newest_segment`] narrows it to the newest unbroken samples.
#[derive(Debug, Clone)]
pub struct History {
    config: HistoryConfig,
    capacity: usize,
    times: Vec<f64>,
    segments: Vec<u32>,
    values: Vec<Vec<f32>>,
    /// Physical index of the oldest sample (0 until the ring is full).
    start: usize,
    /// Segment id of the newest sample.
    segment: u32,
    /// The next sample starts a new segment whatever its time.
    break_pending: bool,
    stats: HistoryStats,
}

impl History {
    /// An empty history.
    ///
    /// # Panics
    ///
    /// If `channels` is 0, `nominal_rate_hz` or `seconds` is not positive and finite, the
    /// capacity is below 2 samples, or `max_step` is not positive.
    pub fn new(config: HistoryConfig) -> Self {
        assert!(config.channels > 0, "a history needs at least one channel");
        assert!(
            config.nominal_rate_hz.is_finite() && config.nominal_rate_hz > 0.0,
            "nominal_rate_hz must be positive and finite"
        );
        assert!(
            config.seconds.is_finite() && config.seconds > 0.0,
            "seconds must be positive and finite"
        );
        assert!(config.max_step > 0.0, "max_step must be positive");
        let capacity = config.capacity();
        assert!(capacity >= 2, "the history must hold at least 2 samples");
        Self {
            config,
            capacity,
            times: Vec::with_capacity(capacity),
            segments: Vec::with_capacity(capacity),
            values: (0..config.channels)
                .map(|_| Vec::with_capacity(capacity))
                .collect(),
            start: 0,
            segment: 0,
            break_pending: true,
            stats: HistoryStats::default(),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &HistoryConfig {
        &self.config
    }

    /// Value columns per sample.
    pub fn channels(&self) -> usize {
        self.values.len()
    }

    /// Most samples held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether no sample is held.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Counters since creation.
    pub fn stats(&self) -> HistoryStats {
        self.stats
    }

    /// Time of the oldest sample held.
    pub fn oldest_time(&self) -> Option<f64> {
        self.times.get(self.start).copied()
    }

    /// Time of the newest sample held.
    pub fn newest_time(&self) -> Option<f64> {
        self.newest_index().map(|i| self.times[i])
    }

    /// Whether a sample at `t` pushed now would begin a new segment (or be rejected, which
    /// also breaks the line).
    pub fn starts_segment(&self, t: f64) -> bool {
        match self.newest_time() {
            None => true,
            Some(newest) => {
                // Negated so a NaN time counts as a break.
                self.break_pending || !(t >= newest && t - newest <= self.config.max_step)
            }
        }
    }

    /// Samples were lost: the next sample starts a new segment. Several calls before the next
    /// push make one break.
    pub fn mark_gap(&mut self) {
        self.break_pending = true;
    }

    /// Stores one sample taken at `t` seconds, one value per channel, overwriting the oldest
    /// when full.
    ///
    /// # Panics
    ///
    /// If `values` does not hold exactly [`channels`](Self::channels) values.
    pub fn push(&mut self, t: f64, values: &[f32]) -> Pushed {
        assert_eq!(
            values.len(),
            self.channels(),
            "one value per channel is needed"
        );
        if !t.is_finite() || self.newest_time().is_some_and(|newest| t < newest) {
            self.stats.rejected += 1;
            self.break_pending = true;
            return Pushed::Rejected;
        }
        let pushed = if self.starts_segment(t) {
            if !self.is_empty() || self.stats.pushed > 0 {
                self.stats.breaks += 1;
            }
            self.segment = self.segment.wrapping_add(1);
            self.break_pending = false;
            Pushed::NewSegment
        } else {
            Pushed::Continued
        };
        if self.times.len() < self.capacity {
            self.times.push(t);
            self.segments.push(self.segment);
            for (column, &v) in self.values.iter_mut().zip(values) {
                column.push(v);
            }
        } else {
            let i = self.start;
            self.times[i] = t;
            self.segments[i] = self.segment;
            for (column, &v) in self.values.iter_mut().zip(values) {
                column[i] = v;
            }
            self.start = (i + 1) % self.capacity;
            self.stats.evicted += 1;
        }
        self.stats.pushed += 1;
        pushed
    }

    /// Forgets every sample; counters are kept and the next sample starts a new segment.
    pub fn clear(&mut self) {
        self.times.clear();
        self.segments.clear();
        self.values.iter_mut().for_each(Vec::clear);
        self.start = 0;
        self.break_pending = true;
    }

    /// The samples with `t0 <= t <= t1`, oldest first.
    pub fn span(&self, t0: f64, t1: f64) -> Span<'_> {
        let [a, b] = self.physical_parts();
        if t0.is_nan() || t1.is_nan() || t0 > t1 {
            return self.view([a.start..a.start, b.start..b.start]);
        }
        let within = |part: Range<usize>| {
            let times = &self.times[part.clone()];
            let lo = times.partition_point(|&t| t < t0);
            let hi = times.partition_point(|&t| t <= t1);
            part.start + lo..part.start + hi
        };
        self.view([within(a), within(b)])
    }

    /// Rewrites channel `dst` from channel `src`, oldest sample first: `f(starts_segment,
    /// value)` gives the new value. For re-filtering the whole history when a filter is
    /// toggled, with `starts_segment` telling when to reset the filter.
    ///
    /// # Panics
    ///
    /// If `src` or `dst` is not a channel.
    pub fn map_channel(&mut self, src: usize, dst: usize, mut f: impl FnMut(bool, f32) -> f32) {
        assert!(
            src < self.channels() && dst < self.channels(),
            "no such channel"
        );
        let mut previous: Option<u32> = None;
        for part in self.physical_parts() {
            for i in part {
                let segment = self.segments[i];
                let value = f(previous != Some(segment), self.values[src][i]);
                self.values[dst][i] = value;
                previous = Some(segment);
            }
        }
    }

    /// The samples at physical `parts`, which follow each other in time.
    fn view(&self, parts: [Range<usize>; 2]) -> Span<'_> {
        Span::new(&self.times, &self.segments, &self.values, parts)
    }

    /// Physical index of the newest sample.
    fn newest_index(&self) -> Option<usize> {
        match self.times.len() {
            0 => None,
            len => Some((self.start + len - 1) % len),
        }
    }

    /// Physical ranges of the samples, oldest first: the ring's tail then its head.
    fn physical_parts(&self) -> [Range<usize>; 2] {
        [self.start..self.times.len(), 0..self.start]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 256.0;

    /// A one-channel history of `seconds` at 256 Hz (capacity `seconds * 256 * 1.01`).
    fn history(seconds: f64) -> History {
        History::new(HistoryConfig {
            seconds,
            ..HistoryConfig::new(1, RATE)
        })
    }

    fn t(i: usize) -> f64 {
        i as f64 / RATE
    }

    /// Pushes samples `range`, value = index.
    fn fill(h: &mut History, range: Range<usize>) {
        for i in range {
            h.push(t(i), &[i as f32]);
        }
    }

    fn collect_values(span: &Span<'_>) -> Vec<f32> {
        span.values(0).concat()
    }

    fn collect_times(span: &Span<'_>) -> Vec<f64> {
        span.times().concat()
    }

    #[test]
    fn default_capacity_is_ten_minutes_at_the_nominal_rate_with_headroom() {
        let config = HistoryConfig::new(6, 256.0);
        assert_eq!(config.seconds, 600.0);
        assert_eq!(config.capacity(), 155_136);
        // Still ten minutes at the ModularEEG's real rate.
        assert!(config.capacity() as f64 >= 600.0 * 257.14);
    }

    #[test]
    fn memory_stays_bounded_and_the_oldest_samples_are_overwritten() {
        let mut h = history(1.0);
        let cap = h.capacity();
        assert_eq!(cap, 259);
        fill(&mut h, 0..10 * cap + 7);
        assert_eq!(h.len(), cap);
        assert_eq!(h.times.capacity(), cap, "no growth beyond the capacity");
        let all = h.span(f64::NEG_INFINITY, f64::INFINITY);
        let values = collect_values(&all);
        let expected: Vec<f32> = (9 * cap + 7..10 * cap + 7).map(|i| i as f32).collect();
        assert_eq!(values, expected, "the newest samples, oldest first");
        assert_eq!(h.oldest_time(), Some(t(9 * cap + 7)));
        assert_eq!(h.newest_time(), Some(t(10 * cap + 6)));
        let stats = h.stats();
        assert_eq!(
            (stats.pushed, stats.evicted),
            (10 * cap as u64 + 7, 9 * cap as u64 + 7)
        );
    }

    #[test]
    fn span_selects_a_closed_time_range_across_the_wrap() {
        let mut h = history(1.0);
        let cap = h.capacity();
        // Wrapped: the physical start is in the middle.
        fill(&mut h, 0..cap + 100);
        assert_eq!(h.start, 100);
        let span = h.span(t(150), t(300));
        let [a, b] = span.times();
        assert!(
            !a.is_empty() && !b.is_empty(),
            "the range straddles the wrap"
        );
        assert_eq!(span.len(), 151);
        let values = collect_values(&span);
        assert_eq!(values.first(), Some(&150.0));
        assert_eq!(values.last(), Some(&300.0));
        assert!(values.windows(2).all(|w| w[1] == w[0] + 1.0));
        // Ranges entirely within one part, outside the history, reversed and NaN.
        assert_eq!(
            collect_values(&h.span(t(120), t(122))),
            [120.0, 121.0, 122.0]
        );
        assert_eq!(collect_values(&h.span(t(cap + 98), t(cap + 500))).len(), 2);
        assert!(h.span(t(0), t(99)).is_empty());
        assert!(h.span(t(300), t(200)).is_empty());
        assert!(h.span(f64::NAN, t(300)).is_empty());
        assert!(h.span(t(200), f64::NAN).is_empty());
    }

    #[test]
    fn span_between_samples_and_before_wrapping() {
        let mut h = history(1.0);
        fill(&mut h, 0..10);
        let span = h.span(t(2) + 0.001, t(5) - 0.001);
        assert_eq!(collect_values(&span), [3.0, 4.0]);
        let [_, b] = span.times();
        assert!(b.is_empty(), "not wrapped yet: one part");
    }

    #[test]
    fn explicit_and_silent_gaps_start_segments() {
        let mut h = history(10.0);
        assert!(h.starts_segment(0.0));
        assert_eq!(h.push(t(0), &[0.0]), Pushed::NewSegment);
        assert!(!h.starts_segment(t(1)));
        assert_eq!(h.push(t(1), &[1.0]), Pushed::Continued);
        h.mark_gap();
        h.mark_gap();
        assert!(h.starts_segment(t(2)));
        assert_eq!(h.push(t(2), &[2.0]), Pushed::NewSegment);
        assert_eq!(h.push(t(3), &[3.0]), Pushed::Continued);
        // 10 periods is still continuous, 11 is a silent hole.
        assert_eq!(h.push(t(13), &[13.0]), Pushed::Continued);
        assert!(h.starts_segment(t(24)));
        assert_eq!(h.push(t(24), &[24.0]), Pushed::NewSegment);
        let span = h.span(0.0, 1.0);
        assert_eq!(span.segments().concat(), [1, 1, 2, 2, 2, 3]);
        assert_eq!(h.stats().breaks, 2);
    }

    #[test]
    fn backwards_and_non_finite_times_are_rejected_and_break_the_line() {
        let mut h = history(10.0);
        fill(&mut h, 0..5);
        assert!(h.starts_segment(t(3)));
        assert_eq!(h.push(t(3), &[-1.0]), Pushed::Rejected);
        assert_eq!(h.push(f64::NAN, &[-1.0]), Pushed::Rejected);
        assert_eq!(h.push(f64::INFINITY, &[-1.0]), Pushed::Rejected);
        // Equal times are allowed; the rejection still broke the line.
        assert_eq!(h.push(t(4), &[4.5]), Pushed::NewSegment);
        assert_eq!(h.push(t(5), &[5.0]), Pushed::Continued);
        assert_eq!(h.stats().rejected, 3);
        assert_eq!(h.len(), 7);
        assert_eq!(collect_times(&h.span(0.0, 1.0)).len(), 7);
    }

    #[test]
    fn runs_carry_times_segments_and_values_of_one_channel() {
        let mut h = History::new(HistoryConfig::new(3, RATE));
        h.push(0.0, &[1.0, 2.0, 3.0]);
        h.push(t(1), &[4.0, 5.0, 6.0]);
        let span = h.span(0.0, 1.0);
        let [run, rest] = span.runs(2);
        assert_eq!(run.times, [0.0, t(1)]);
        assert_eq!(run.segments, [1, 1]);
        assert_eq!(run.values, [3.0, 6.0]);
        assert!(rest.times.is_empty() && rest.values.is_empty());
    }

    #[test]
    #[should_panic(expected = "one value per channel")]
    fn push_needs_one_value_per_channel() {
        History::new(HistoryConfig::new(6, RATE)).push(0.0, &[1.0]);
    }

    #[test]
    fn map_channel_rewrites_in_time_order_and_reports_segment_starts() {
        let mut h = History::new(HistoryConfig {
            seconds: 0.05,
            ..HistoryConfig::new(2, RATE)
        });
        let cap = h.capacity();
        assert_eq!(cap, 13);
        for i in 0..cap + 5 {
            if i == cap + 2 {
                h.mark_gap();
            }
            h.push(t(i), &[i as f32, 0.0]);
        }
        let mut starts = Vec::new();
        let mut running = 0.0;
        h.map_channel(0, 1, |start, v| {
            if start {
                starts.push(v);
                running = 0.0;
            }
            running += v;
            running
        });
        assert_eq!(starts, [5.0, (cap + 2) as f32]);
        let out = h.span(f64::NEG_INFINITY, f64::INFINITY).values(1).concat();
        assert_eq!(out[..2], [5.0, 11.0]);
        assert_eq!(out[out.len() - 3..], [15.0, 31.0, 48.0]);
    }

    #[test]
    fn clear_forgets_samples_and_breaks_the_line() {
        let mut h = history(1.0);
        fill(&mut h, 0..300);
        h.clear();
        assert!(h.is_empty() && h.newest_time().is_none());
        assert_eq!(h.push(t(1), &[1.0]), Pushed::NewSegment);
        assert_eq!(h.len(), 1);
        assert_eq!(h.stats().breaks, 1);
    }
}
