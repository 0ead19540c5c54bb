//! A fixed-length sliding window of samples that says when a hop is due.

/// The last `len` samples in a ring, reporting a full window first when it fills and then
/// every `hop` samples. Memory is fixed at `len` samples whatever the input.
#[derive(Debug, Clone)]
pub(crate) struct SlidingWindow<T> {
    ring: Vec<T>,
    len: usize,
    hop: usize,
    /// Where the next sample goes once the ring is full (it is also the oldest sample).
    next: usize,
    /// Samples pushed since the last hop was reported (or since the window was cleared).
    since_hop: usize,
}

impl<T: Copy> SlidingWindow<T> {
    /// A window of `len` samples (at least 1) reporting every `hop` samples (at least 1).
    pub(crate) fn new(len: usize, hop: usize) -> Self {
        let len = len.max(1);
        Self {
            ring: Vec::with_capacity(len),
            len,
            hop: hop.max(1),
            next: 0,
            since_hop: 0,
        }
    }

    /// Adds a sample; true when the window is full and a hop is due.
    pub(crate) fn push(&mut self, value: T) -> bool {
        if self.ring.len() < self.len {
            self.ring.push(value);
            // The first full window is due however the hop falls.
            if self.ring.len() == self.len {
                self.since_hop = 0;
                return true;
            }
            return false;
        }
        self.ring[self.next] = value;
        self.next = (self.next + 1) % self.len;
        self.since_hop += 1;
        if self.since_hop >= self.hop {
            self.since_hop = 0;
            return true;
        }
        false
    }

    /// The samples held, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        let (newer, older) = self.ring.split_at(self.next);
        older.iter().chain(newer).copied()
    }

    /// Forgets every sample, so the next full window starts after this point.
    pub(crate) fn clear(&mut self) {
        self.ring.clear();
        self.next = 0;
        self.since_hop = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_when_full_then_every_hop_oldest_first() {
        let mut w = SlidingWindow::new(4, 2);
        let due: Vec<bool> = (0..10).map(|i| w.push(i)).collect();
        assert_eq!(
            due,
            [
                false, false, false, true, false, true, false, true, false, true
            ]
        );
        assert_eq!(w.iter().collect::<Vec<_>>(), [6, 7, 8, 9]);
    }

    #[test]
    fn clear_restarts_the_fill() {
        let mut w = SlidingWindow::new(3, 1);
        for i in 0..5 {
            let _ = w.push(i);
        }
        w.clear();
        assert!(!w.push(10));
        assert!(!w.push(11));
        assert!(w.push(12));
        assert_eq!(w.iter().collect::<Vec<_>>(), [10, 11, 12]);
    }
}
