//! Collects samples, markers and line counts into [`Batch`]es, in stream order.

use libeeg::Protocol;

use super::item::{Batch, Marker, MarkerAt, Sample, garbage_preview};
use super::line::Line;

/// A batch is handed over once it holds this many samples (16 s at 256 Hz).
pub const MAX_SAMPLES: usize = 4096;

/// Characters of a garbage line kept in [`Batch::first_garbage`].
const GARBAGE_PREVIEW_CHARS: usize = 80;

/// Builds batches and keeps what must carry over from one batch to the next.
///
/// Protocol markers are kept to changes: a `protocol` event that repeats the protocol the data
/// lines already named is dropped, and a data line naming a new protocol (or the first one,
/// when the reader ran with `--no-events`) adds a [`Marker::Protocol`] before its sample.
#[derive(Debug, Default)]
pub struct BatchBuilder {
    batch: Batch,
    protocol: Option<Protocol>,
}

impl BatchBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds what a line held; `raw` is the line itself, previewed when it is garbage.
    #[inline]
    pub fn line(&mut self, line: Line, raw: &[u8]) {
        self.batch.lines += 1;
        match line {
            Line::Sample(sample, protocol) => self.sample(sample, Some(protocol)),
            Line::Marker(marker) => self.marker(marker),
            Line::Ignored => {}
            Line::Garbage => self.garbage(raw),
        }
    }

    /// Adds a sample; `protocol` when the input names it per sample.
    #[inline]
    pub fn sample(&mut self, sample: Sample, protocol: Option<Protocol>) {
        if let Some(protocol) = protocol
            && self.protocol != Some(protocol)
        {
            self.marker(Marker::Protocol(protocol));
        }
        self.batch.samples.push(sample);
    }

    /// Adds a marker after the samples added so far.
    pub fn marker(&mut self, marker: Marker) {
        if let Marker::Protocol(protocol) = marker {
            if self.protocol == Some(protocol) {
                return;
            }
            self.protocol = Some(protocol);
        }
        self.batch.markers.push(MarkerAt {
            before_sample: self.batch.samples.len(),
            marker,
        });
    }

    /// Counts a garbage line (not counted by [`line`](Self::line)).
    pub fn garbage(&mut self, raw: &[u8]) {
        self.batch.garbage_lines += 1;
        if self.batch.first_garbage.is_none() {
            self.batch.first_garbage = Some(garbage_preview(raw, GARBAGE_PREVIEW_CHARS));
        }
    }

    /// Counts lines that [`line`](Self::line) did not see (an overlong line counted as garbage).
    pub fn count_lines(&mut self, n: u64) {
        self.batch.lines += n;
    }

    /// Samples in the batch being built.
    pub fn samples(&self) -> usize {
        self.batch.samples.len()
    }

    /// Whether the batch being built is full.
    pub fn is_full(&self) -> bool {
        self.batch.samples.len() >= MAX_SAMPLES
    }

    /// Whether the batch being built is empty.
    pub fn is_empty(&self) -> bool {
        self.batch.is_empty()
    }

    /// The batch built so far; the next one starts empty.
    pub fn take(&mut self) -> Batch {
        let capacity = self.batch.samples.len().clamp(16, MAX_SAMPLES);
        std::mem::replace(
            &mut self.batch,
            Batch {
                samples: Vec::with_capacity(capacity),
                ..Batch::default()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: i64) -> Sample {
        Sample {
            timestamp_us: t,
            sample_index: None,
            frame: 0,
            values: [512; 6],
            switches: 15,
        }
    }

    #[test]
    fn markers_are_placed_among_samples() {
        let mut b = BatchBuilder::new();
        b.marker(Marker::Resync { skipped_bytes: 3 });
        b.sample(sample(0), None);
        b.sample(sample(1), None);
        b.marker(Marker::SyncLost { at_byte: 9 });
        let batch = b.take();
        assert_eq!(batch.samples.len(), 2);
        assert_eq!(
            batch.markers[0],
            MarkerAt {
                before_sample: 0,
                marker: Marker::Resync { skipped_bytes: 3 }
            }
        );
        assert_eq!(
            batch.markers[1],
            MarkerAt {
                before_sample: 2,
                marker: Marker::SyncLost { at_byte: 9 }
            }
        );
        assert!(b.is_empty());
    }

    #[test]
    fn protocol_markers_are_kept_to_changes() {
        let mut b = BatchBuilder::new();
        b.sample(sample(0), Some(Protocol::P2));
        b.marker(Marker::Protocol(Protocol::P2));
        b.sample(sample(1), Some(Protocol::P2));
        let first = b.take();
        // Carried over to the next batch.
        b.sample(sample(2), Some(Protocol::P2));
        b.marker(Marker::Protocol(Protocol::P3));
        b.sample(sample(3), Some(Protocol::P3));
        let second = b.take();
        assert_eq!(
            first.markers,
            [MarkerAt {
                before_sample: 0,
                marker: Marker::Protocol(Protocol::P2)
            }]
        );
        assert_eq!(
            second.markers,
            [MarkerAt {
                before_sample: 1,
                marker: Marker::Protocol(Protocol::P3)
            }]
        );
    }

    #[test]
    fn lines_and_garbage_are_counted() {
        let mut b = BatchBuilder::new();
        b.line(Line::Garbage, b"first \x1b junk");
        b.line(Line::Ignored, b"");
        b.line(Line::Garbage, b"second");
        b.line(Line::Sample(sample(0), Protocol::P2), b"...");
        let batch = b.take();
        assert_eq!((batch.lines, batch.garbage_lines), (4, 2));
        assert_eq!(batch.first_garbage.as_deref(), Some("first \\u{1b} junk"));
        let next = b.take();
        assert_eq!(
            (next.lines, next.garbage_lines, next.first_garbage),
            (0, 0, None)
        );
    }

    #[test]
    fn full_at_max_samples() {
        let mut b = BatchBuilder::new();
        for i in 0..MAX_SAMPLES {
            assert!(!b.is_full());
            b.sample(sample(i as i64), None);
        }
        assert!(b.is_full());
        assert_eq!(b.samples(), MAX_SAMPLES);
    }
}
