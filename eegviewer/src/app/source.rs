//! Where batches come from: the ingest thread's channel (live) or a file read whole (review),
//! drained into the [`Session`] within a time budget per frame.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};

use super::session::Session;
use crate::ingest::item::Batch;

/// Time per frame spent taking live batches: a burst is spread over frames instead of
/// stalling one.
pub const LIVE_BUDGET: Duration = Duration::from_millis(4);
/// Time per frame spent loading a file for review: loading shows progress and stays
/// responsive, and a 10-minute recording is in within a few frames.
pub const REVIEW_BUDGET: Duration = Duration::from_millis(30);

/// The batches still to take.
#[derive(Debug)]
pub enum Source {
    /// From the ingest thread (standard input).
    Live(Receiver<Batch>),
    /// A file's batches, in order.
    Review(VecDeque<Batch>),
    /// Nothing more will come.
    Done,
}

impl Source {
    /// Whether a file is still loading.
    pub fn is_review(&self) -> bool {
        matches!(self, Source::Review(_))
    }

    /// Ingests batches into `session` until none is waiting or `budget` is spent (at least
    /// one batch is taken). Returns whether batches are still waiting, so the caller asks for
    /// another frame at once.
    pub fn drain(&mut self, session: &mut Session, budget: Duration) -> bool {
        let start = Instant::now();
        loop {
            let batch = match self {
                Source::Live(rx) => match rx.try_recv() {
                    Ok(batch) => batch,
                    Err(TryRecvError::Empty) => return false,
                    // The ingest thread sends StreamEnded before it goes, so nothing is lost.
                    Err(TryRecvError::Disconnected) => {
                        *self = Source::Done;
                        return false;
                    }
                },
                Source::Review(queue) => match queue.pop_front() {
                    Some(batch) => batch,
                    None => {
                        *self = Source::Done;
                        return false;
                    }
                },
                Source::Done => return false,
            };
            session.ingest(&batch);
            if start.elapsed() >= budget {
                return match self {
                    Source::Live(rx) => !rx.is_empty(),
                    Source::Review(queue) => !queue.is_empty(),
                    Source::Done => false,
                };
            }
        }
    }

    /// Batches waiting (for a review: still to load).
    pub fn waiting(&self) -> usize {
        match self {
            Source::Live(rx) => rx.len(),
            Source::Review(queue) => queue.len(),
            Source::Done => 0,
        }
    }
}
