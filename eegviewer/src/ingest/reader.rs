//! The ingest thread: standard input (or any reader) to batches on a bounded channel, with a
//! wake-up call for the UI after every batch.
//!
//! Two threads, so that batching never adds latency:
//!
//! - the **read thread** only reads: each `read` result (up to 64 KiB) goes as one chunk on a
//!   small bounded channel;
//! - the **ingest thread** splits the chunks into lines, parses them and collects a batch. It
//!   sends the batch as soon as it has caught up with the input (no chunk is waiting), or once
//!   the batch holds [`MAX_SAMPLES`](super::batch::MAX_SAMPLES) samples or is [`MAX_BATCH_AGE`] old.
//!
//! A live stream (a line every 4 ms) so becomes one batch per read, sent at once; a fast replay
//! (`eegreader --replay big.bin | eegviewer`) becomes full batches of 4096 samples, so the
//! bounded batch channel holds seconds of data and never throttles the reader. Only the ingest
//! thread knows whether more input is already waiting, which a single thread blocked in `read`
//! cannot.
//!
//! Shutdown: when the UI drops its receiver, the ingest thread's next send fails and it
//! returns, dropping the chunk receiver, so the read thread's next chunk fails to send and it
//! returns too. While the input is silent both threads wait, costing nothing; the UI must not
//! `join` them when it closes (the process exit ends them). A send blocked on a full channel
//! returns as soon as the receiver is dropped.

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded};

use super::item::Batch;
use super::line::LineParser;
use super::stream::StreamIngest;

/// Batches the channel holds before the ingest thread waits for the UI (with full batches, 64 x
/// 16 s of data at 256 Hz).
pub const CHANNEL_CAPACITY: usize = 64;

/// A batch is sent once its first line is this old, even while more input is waiting.
pub const MAX_BATCH_AGE: Duration = Duration::from_millis(5);

/// Bytes asked for by each `read`.
const CHUNK: usize = 64 * 1024;

/// Chunks read ahead of the ingest thread.
const CHUNKS_AHEAD: usize = 4;

/// The bounded channel for [`spawn_ingest`]: keep the receiver in the UI.
pub fn channel() -> (Sender<Batch>, Receiver<Batch>) {
    bounded(CHANNEL_CAPACITY)
}

/// Ingests standard input (format detected) on its own threads; see [`spawn_ingest`].
pub fn spawn_stdin_ingest(
    sender: Sender<Batch>,
    wake: impl Fn() + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    spawn_ingest(io::stdin(), sender, wake)
}

/// Reads lines from `reader` on an ingest thread, parses them (format detected) and sends them
/// in batches on `sender`, calling `wake()` after every send. The last batch ends with
/// [`Marker::StreamEnded`](super::item::Marker::StreamEnded), at end of input or on a read
/// error; the thread returns after it, or as soon as the receiver is dropped.
///
/// Any `BufRead` (a `StdinLock`, a `BufReader`) is a `Read` and can be passed; reads are made
/// in 64 KiB chunks, which bypass a `BufReader`'s own buffer. The returned handle is the
/// ingest thread's; see the module documentation before joining it.
pub fn spawn_ingest<R: Read + Send + 'static>(
    reader: R,
    sender: Sender<Batch>,
    wake: impl Fn() + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    let (chunk_tx, chunk_rx) = bounded(CHUNKS_AHEAD);
    thread::Builder::new()
        .name("eegviewer-read".into())
        .spawn(move || read_chunks(reader, &chunk_tx))?;
    thread::Builder::new()
        .name("eegviewer-ingest".into())
        .spawn(move || {
            ingest(
                &chunk_rx,
                StreamIngest::new(LineParser::new()),
                &sender,
                &wake,
            )
        })
}

/// What the read thread hands over; the channel's end (disconnection) means end of input.
type Chunk = Result<Vec<u8>, io::Error>;

/// The read thread: chunks until end of input, a read error, or the ingest thread is gone.
fn read_chunks(mut reader: impl Read, chunks: &Sender<Chunk>) {
    let mut buf = vec![0; CHUNK];
    loop {
        let chunk = match reader.read(&mut buf) {
            Ok(0) => return,
            // Copied at its size: a live stream's chunks are a line or two.
            Ok(n) => Ok(buf[..n].to_vec()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
        let failed = chunk.is_err();
        if chunks.send(chunk).is_err() || failed {
            return;
        }
    }
}

/// The ingest thread's loop.
fn ingest(
    chunks: &Receiver<Chunk>,
    mut stream: StreamIngest,
    sender: &Sender<Batch>,
    wake: &impl Fn(),
) {
    let send = |batch: Batch| -> ControlFlow<()> {
        if sender.send(batch).is_err() {
            return ControlFlow::Break(());
        }
        wake();
        ControlFlow::Continue(())
    };
    // When the batch being built got its first line.
    let mut started: Option<Instant> = None;
    let error = loop {
        let bytes = match chunks.recv() {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(e)) => break Some(format!("reading the input failed: {e}")),
            // The read thread is done: end of input.
            Err(_) => break None,
        };
        started.get_or_insert_with(Instant::now);
        let flow = stream.push(&bytes, |full| {
            started = Some(Instant::now());
            send(full)
        });
        if flow.is_break() {
            return;
        }
        // Caught up with the input: nothing more to wait for, so the batch goes now.
        let caught_up = chunks.is_empty();
        if caught_up || started.is_some_and(|t| t.elapsed() >= MAX_BATCH_AGE) {
            started = None;
            if let Some(batch) = stream.take()
                && send(batch).is_break()
            {
                return;
            }
        }
    };
    let _ = send(stream.finish(error));
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::super::batch::MAX_SAMPLES;
    use super::super::item::{Format, Marker};
    use super::*;

    const LINE: &str = "1700000000000000|2|17|512|498|530|1023|0|512|15\n";
    const WAIT: Duration = Duration::from_secs(10);

    fn counter() -> (Arc<AtomicUsize>, impl Fn() + Send + 'static) {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        (wakes, move || {
            w.fetch_add(1, Ordering::SeqCst);
        })
    }

    /// Receives until the stream's last batch.
    fn drain(rx: &Receiver<Batch>) -> Vec<Batch> {
        let mut out = Vec::new();
        loop {
            let batch = rx.recv_timeout(WAIT).expect("a batch");
            let last = batch.ends_stream();
            out.push(batch);
            if last {
                return out;
            }
        }
    }

    fn join_within(handle: JoinHandle<()>, limit: Duration) {
        let start = Instant::now();
        while !handle.is_finished() {
            assert!(start.elapsed() < limit, "the ingest thread did not exit");
            thread::sleep(Duration::from_millis(2));
        }
        handle.join().unwrap();
    }

    #[test]
    fn batches_then_stream_ended_at_eof() {
        let n = MAX_SAMPLES * 3 + 17;
        let mut input = String::from("# protocol P2\n");
        input.push_str(&LINE.repeat(n));
        input.push_str("not a line\n# end: estimated rate unknown\n");
        let (tx, rx) = channel();
        let (wakes, wake) = counter();
        let handle = spawn_ingest(Cursor::new(input.into_bytes()), tx, wake).unwrap();
        let batches = drain(&rx);
        join_within(handle, WAIT);
        assert_eq!(wakes.load(Ordering::SeqCst), batches.len());
        assert_eq!(batches.iter().map(|b| b.samples.len()).sum::<usize>(), n);
        assert!(batches.iter().all(|b| b.samples.len() <= MAX_SAMPLES));
        assert_eq!(batches.iter().map(|b| b.lines).sum::<u64>(), n as u64 + 3);
        assert_eq!(batches.iter().map(|b| b.garbage_lines).sum::<u64>(), 1);
        let markers: Vec<_> = batches
            .iter()
            .flat_map(|b| b.markers.iter().map(|m| m.marker.clone()))
            .collect();
        assert_eq!(
            markers,
            [
                Marker::InputFormat(Format::Text),
                Marker::Protocol(libeeg::Protocol::P2),
                Marker::ReaderFinished {
                    estimated_rate_hz: None
                },
                Marker::StreamEnded { error: None },
            ]
        );
        // Nothing after the end.
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
    }

    #[test]
    fn empty_input_still_ends_the_stream() {
        let (tx, rx) = channel();
        let handle = spawn_ingest(io::empty(), tx, || {}).unwrap();
        let batches = drain(&rx);
        assert_eq!(batches.len(), 1);
        assert_eq!(
            batches[0].markers[0].marker,
            Marker::StreamEnded { error: None }
        );
        join_within(handle, WAIT);
    }

    #[test]
    fn a_read_error_ends_the_stream_with_its_message() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.0 += 1;
                match self.0 {
                    1 => Err(io::ErrorKind::Interrupted.into()),
                    2 => {
                        buf[..LINE.len()].copy_from_slice(LINE.as_bytes());
                        Ok(LINE.len())
                    }
                    _ => Err(io::Error::other("device fell off")),
                }
            }
        }
        let (tx, rx) = channel();
        let handle = spawn_ingest(Failing(0), tx, || {}).unwrap();
        let batches = drain(&rx);
        join_within(handle, WAIT);
        assert_eq!(batches.iter().map(|b| b.samples.len()).sum::<usize>(), 1);
        let last = batches.last().unwrap().markers.last().unwrap();
        assert_eq!(
            last.marker,
            Marker::StreamEnded {
                error: Some("reading the input failed: device fell off".into())
            }
        );
    }

    /// Each line written to a pipe reaches the UI on its own, without waiting for more.
    #[test]
    fn live_lines_are_sent_at_once() {
        let (reader, mut writer) = io::pipe().unwrap();
        let (tx, rx) = channel();
        let (wakes, wake) = counter();
        let handle = spawn_ingest(reader, tx, wake).unwrap();
        for i in 0..5 {
            writer.write_all(LINE.as_bytes()).unwrap();
            let batch = rx
                .recv_timeout(WAIT)
                .expect("the line arrives without more input");
            assert_eq!(batch.samples.len(), 1, "line {i}");
            // The wake follows the send, so it may land just after the batch is received.
            let deadline = std::time::Instant::now() + WAIT;
            while wakes.load(Ordering::SeqCst) < i + 1 && std::time::Instant::now() < deadline {
                std::thread::yield_now();
            }
            assert_eq!(wakes.load(Ordering::SeqCst), i + 1);
        }
        drop(writer);
        let last = drain(&rx);
        assert!(last.last().unwrap().ends_stream());
        join_within(handle, WAIT);
    }

    /// Endless input, a UI that stops reading and drops its receiver: the thread, blocked on
    /// the full channel, exits at once.
    #[test]
    fn exits_promptly_when_the_receiver_is_dropped() {
        struct Endless;
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let whole = buf.len() / LINE.len() * LINE.len();
                for chunk in buf[..whole].chunks_mut(LINE.len()) {
                    chunk.copy_from_slice(LINE.as_bytes());
                }
                Ok(whole)
            }
        }
        let (tx, rx) = channel();
        let handle = spawn_ingest(Endless, tx, || {}).unwrap();
        let first = rx.recv_timeout(WAIT).unwrap();
        assert!(!first.samples.is_empty());
        // Let the channel fill up and the ingest thread block on it.
        let start = Instant::now();
        while !rx.is_full() {
            assert!(start.elapsed() < WAIT);
            thread::sleep(Duration::from_millis(1));
        }
        drop(rx);
        join_within(handle, Duration::from_secs(2));
    }

    /// A pipe whose writer keeps writing after the UI is gone: both threads end.
    #[test]
    fn exits_when_the_receiver_is_dropped_while_lines_trickle_in() {
        let (reader, mut writer) = io::pipe().unwrap();
        let (tx, rx) = channel();
        let handle = spawn_ingest(reader, tx, || {}).unwrap();
        writer.write_all(LINE.as_bytes()).unwrap();
        rx.recv_timeout(WAIT).unwrap();
        drop(rx);
        // The next line makes the ingest thread try to send, and it finds the receiver gone.
        let start = Instant::now();
        while !handle.is_finished() {
            assert!(start.elapsed() < WAIT, "the ingest thread did not exit");
            let _ = writer.write_all(LINE.as_bytes());
            thread::sleep(Duration::from_millis(5));
        }
        handle.join().unwrap();
        // The read thread ends too: the pipe's reader is closed, so writing fails.
        let start = Instant::now();
        while writer.write_all(LINE.as_bytes()).is_ok() {
            assert!(start.elapsed() < WAIT, "the read thread did not exit");
            thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn json_input_is_detected() {
        let input = concat!(
            r#"{"event":"protocol","protocol":"P3","version":3}"#,
            "\n",
            r#"{"timestamp_us":1,"sample_index":0,"version":3,"frame":0,"channels":[1,2,3,4,5,6],"microvolts":[0,0,0,0,0,0],"switches":15}"#,
            "\n"
        );
        let (tx, rx) = channel();
        spawn_ingest(Cursor::new(input), tx, || {}).unwrap();
        let batches = drain(&rx);
        let samples: Vec<_> = batches.iter().flat_map(|b| b.samples.clone()).collect();
        assert_eq!(samples.len(), 1);
        assert_eq!(
            (samples[0].sample_index, samples[0].values),
            (Some(0), [1, 2, 3, 4, 5, 6])
        );
        assert_eq!(
            batches[0].markers[0].marker,
            Marker::InputFormat(Format::Json)
        );
    }
}
