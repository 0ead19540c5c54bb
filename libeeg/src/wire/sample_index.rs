//! Sample indices for packet lines that carry none (the text format; JSON from producers that
//! leave `sample_index` out), reconstructed from the order of the lines and the events.

use super::SessionEvent;

/// The sample index the next packet line gets.
///
/// Records count up by one from 0. An event that says where the next packet is moves the count:
/// `lost` to `first_sample_index + count`, `restart` and `switches` to their `sample_index`
/// (both name the packet after them). A record that carries its own index sets the count to
/// the one after it. Without events (`eegreader --no-events`) the indices are the packets'
/// order: gaps do not show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NextSampleIndex(u64);

impl NextSampleIndex {
    /// The index of a packet line without one.
    pub(crate) fn take(&mut self) -> u64 {
        let index = self.0;
        self.0 = index.saturating_add(1);
        index
    }

    /// A packet line carried its index.
    pub(crate) fn saw_index(&mut self, sample_index: u64) {
        self.0 = sample_index.saturating_add(1);
    }

    /// An event passed.
    pub(crate) fn saw_event(&mut self, event: &SessionEvent) {
        match event {
            SessionEvent::Lost {
                count,
                first_sample_index,
                ..
            } => self.0 = first_sample_index.saturating_add(*count),
            SessionEvent::Restart { sample_index, .. }
            | SessionEvent::Switches { sample_index, .. } => self.0 = *sample_index,
            SessionEvent::SyncLost { .. }
            | SessionEvent::Resync { .. }
            | SessionEvent::Protocol { .. }
            | SessionEvent::DeviceId { .. }
            | SessionEvent::DeviceGone { .. }
            | SessionEvent::DeviceBack { .. }
            | SessionEvent::CounterStalled { .. }
            | SessionEvent::TrailingBytes { .. }
            | SessionEvent::End { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_events() {
        let mut next = NextSampleIndex::default();
        assert_eq!((next.take(), next.take()), (0, 1));
        next.saw_event(&SessionEvent::Lost {
            count: 3,
            first_sample_index: 2,
            timestamp_us: 0,
        });
        assert_eq!(next.take(), 5);
        next.saw_event(&SessionEvent::Resync { skipped_bytes: 9 });
        assert_eq!(next.take(), 6);
        next.saw_event(&SessionEvent::Switches {
            sample_index: 7,
            previous: 15,
            current: 11,
        });
        assert_eq!(next.take(), 7);
        next.saw_event(&SessionEvent::Restart {
            sample_index: 8,
            timestamp_us: 0,
            previous_counter: 3,
            counter: 0,
            evidence: crate::RestartEvidence::ResetSignal,
        });
        assert_eq!(next.take(), 8);
        next.saw_event(&SessionEvent::Lost {
            count: u64::MAX,
            first_sample_index: 9,
            timestamp_us: 0,
        });
        assert_eq!((next.take(), next.take()), (u64::MAX, u64::MAX));
    }
}
