//! Moments in the stream worth a line on the plots besides its gaps: resynchronisations, the
//! device coming back after an outage, device restarts, switch presses. [`Marks`] keeps them
//! with their stream times, bounded like the gaps.

use std::collections::VecDeque;

/// Marks remembered at most (the oldest are forgotten first).
const MAX_MARKS: usize = 4096;

/// What happened at a [`Mark`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkKind {
    /// The decoder framed packets again after discarding bytes.
    Resync {
        /// Bytes discarded.
        skipped_bytes: u64,
    },
    /// The device is back after an outage (the outage itself is a "device gone" gap).
    DeviceBack {
        /// Which device, as the reader named it.
        device: String,
    },
    /// The device restarted (no data is missing: its counter started again).
    Restart {
        /// The counter before the jump.
        previous_counter: u8,
        /// The counter after it.
        counter: u8,
        /// What showed it (`reset-signal`, `elapsed-time`).
        evidence: String,
    },
    /// A switch input was pressed.
    SwitchPressed {
        /// Switch 1 to 4 (bit 0 to 3 of the switch byte).
        switch: u8,
    },
}

/// A moment in the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Stream time, seconds since the first sample: the first sample after the event.
    pub t: f64,
    /// What happened.
    pub kind: MarkKind,
}

impl Mark {
    /// The short text drawn on the plot and listed among the events.
    pub fn label(&self) -> String {
        match self.kind {
            MarkKind::Resync { .. } => "resync".to_owned(),
            MarkKind::DeviceBack { .. } => "device back".to_owned(),
            MarkKind::Restart { .. } => "restart".to_owned(),
            MarkKind::SwitchPressed { switch } => format!("switch {switch}"),
        }
    }

    /// The label with its details, for tooltips.
    pub fn detail(&self) -> String {
        match &self.kind {
            MarkKind::Resync { skipped_bytes: 1 } => "resync after 1 skipped byte".to_owned(),
            MarkKind::Resync { skipped_bytes } => {
                format!("resync after {skipped_bytes} skipped bytes")
            }
            MarkKind::DeviceBack { device } if device.is_empty() => "device back".to_owned(),
            MarkKind::DeviceBack { device } => format!("device back: {device}"),
            MarkKind::Restart {
                previous_counter,
                counter,
                evidence,
            } => format!(
                "device restart: counter {previous_counter} -> {counter} ({}), nothing lost",
                evidence.replace('-', " ")
            ),
            MarkKind::SwitchPressed { switch } => format!("switch {switch} pressed"),
        }
    }
}

/// The switches pressed between two switch bytes (bits 3..0, pressed = 0): switch numbers
/// 1 to 4 whose bit went from 1 to 0.
pub fn pressed_switches(previous: u8, current: u8) -> impl Iterator<Item = u8> {
    let pressed = previous & !current & 0x0f;
    (0..4u8)
        .filter(move |bit| pressed & (1 << bit) != 0)
        .map(|bit| bit + 1)
}

/// The marks of a session, oldest first, and those still waiting for their time.
#[derive(Debug, Default)]
pub struct Marks {
    marks: VecDeque<Mark>,
    /// Events read since the last sample: they take the time of the next one.
    waiting: Vec<MarkKind>,
}

impl Marks {
    /// Notes an event; it is placed at the next sample's time ([`stamp`](Self::stamp)).
    pub fn push(&mut self, kind: MarkKind) {
        self.waiting.push(kind);
    }

    /// Gives the waiting events time `t` (the sample that follows them).
    pub fn stamp(&mut self, t: f64) {
        for kind in self.waiting.drain(..) {
            if self.marks.len() == MAX_MARKS {
                self.marks.pop_front();
            }
            self.marks.push_back(Mark { t, kind });
        }
    }

    /// The marks at or after `oldest`, oldest first.
    pub fn since(&self, oldest: f64) -> impl Iterator<Item = &Mark> {
        // Times only grow, so the old ones are a prefix.
        let first = self.marks.partition_point(|m| m.t < oldest);
        self.marks.range(first..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presses_are_bits_going_to_zero() {
        assert_eq!(pressed_switches(15, 11).collect::<Vec<_>>(), [3]);
        assert_eq!(pressed_switches(15, 10).collect::<Vec<_>>(), [1, 3]);
        // A release is no press.
        assert_eq!(pressed_switches(11, 15).count(), 0);
    }

    #[test]
    fn marks_take_the_next_samples_time_and_stay_bounded() {
        let mut marks = Marks::default();
        marks.push(MarkKind::Resync { skipped_bytes: 3 });
        marks.stamp(1.5);
        marks.stamp(2.0);
        let all: Vec<&Mark> = marks.since(0.0).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].t, 1.5);
        assert_eq!(all[0].label(), "resync");
        assert_eq!(all[0].detail(), "resync after 3 skipped bytes");
        let restart = Mark {
            t: 0.0,
            kind: MarkKind::Restart {
                previous_counter: 57,
                counter: 0,
                evidence: "reset-signal".into(),
            },
        };
        assert_eq!(restart.label(), "restart");
        assert_eq!(
            restart.detail(),
            "device restart: counter 57 -> 0 (reset signal), nothing lost"
        );
        for i in 0..MAX_MARKS + 10 {
            marks.push(MarkKind::SwitchPressed { switch: 1 });
            marks.stamp(2.0 + i as f64);
        }
        assert_eq!(marks.since(0.0).count(), MAX_MARKS);
        assert_eq!(marks.since(MAX_MARKS as f64).count(), 12);
    }
}
