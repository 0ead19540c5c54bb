//! A byte stream of lines to batches, sans-IO: bytes go in in any chunking, batches come out.
//! The ingest thread (`reader.rs`) and saved streams opened for review (`files.rs`) both use it.

use std::ops::ControlFlow;

use super::batch::BatchBuilder;
use super::item::{Batch, Marker};
use super::line::LineParser;

/// Longest line kept; a longer one is garbage and is skipped up to its end, so no input makes
/// memory grow (eegreader's lines are under 200 bytes, its event lines rarely longer).
pub const MAX_LINE: usize = 64 * 1024;

/// Splits bytes into lines, parses them and collects batches.
#[derive(Debug)]
pub struct StreamIngest {
    parser: LineParser,
    builder: BatchBuilder,
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// An overlong line, already counted, is being skipped up to its end.
    skipping: bool,
    /// The format marker has been sent.
    announced: bool,
}

impl StreamIngest {
    /// Parses lines with `parser` (`LineParser::new()` to detect the format).
    pub fn new(parser: LineParser) -> Self {
        Self {
            parser,
            builder: BatchBuilder::new(),
            partial: Vec::new(),
            skipping: false,
            announced: false,
        }
    }

    /// Parses every line that `bytes` completes and keeps the unfinished last line for the next
    /// call. Each batch that fills up ([`MAX_SAMPLES`](super::batch::MAX_SAMPLES)) goes to
    /// `full`, which may stop the work (the batch's receiver is gone); the rest of `bytes` is
    /// then dropped.
    pub fn push(
        &mut self,
        bytes: &[u8],
        mut full: impl FnMut(Batch) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let line = &rest[..end];
            rest = &rest[end + 1..];
            if self.skipping {
                self.skipping = false;
            } else if self.partial.is_empty() {
                self.line(line);
            } else if self.partial.len() + line.len() > MAX_LINE {
                self.overlong(line);
                self.skipping = false;
            } else {
                let mut partial = std::mem::take(&mut self.partial);
                partial.extend_from_slice(line);
                self.line(&partial);
                partial.clear();
                self.partial = partial;
            }
            if self.builder.is_full() {
                full(self.builder.take())?;
            }
        }
        if !self.skipping {
            if self.partial.len() + rest.len() > MAX_LINE {
                self.overlong(rest);
            } else {
                self.partial.extend_from_slice(rest);
            }
        }
        ControlFlow::Continue(())
    }

    /// The batch collected so far, if it has anything in it.
    pub fn take(&mut self) -> Option<Batch> {
        (!self.builder.is_empty()).then(|| self.builder.take())
    }

    /// Samples collected and not yet taken.
    pub fn pending_samples(&self) -> usize {
        self.builder.samples()
    }

    /// The input ended (`error`: how, if it failed): parses a last line that had no line end,
    /// and returns the last batch, ending with [`Marker::StreamEnded`].
    pub fn finish(&mut self, error: Option<String>) -> Batch {
        if !self.skipping && !self.partial.is_empty() {
            let partial = std::mem::take(&mut self.partial);
            self.line(&partial);
        }
        self.skipping = false;
        self.builder.marker(Marker::StreamEnded { error });
        self.builder.take()
    }

    #[inline]
    fn line(&mut self, line: &[u8]) {
        if line.len() > MAX_LINE {
            self.overlong(line);
            self.skipping = false;
            return;
        }
        let parsed = self.parser.parse(line);
        if !self.announced
            && let Some(format) = self.parser.format()
        {
            self.announced = true;
            self.builder.marker(Marker::InputFormat(format));
        }
        self.builder.line(parsed, line);
    }

    /// Counts the line that `start` begins (after what `partial` holds) as garbage and skips
    /// the rest of it.
    fn overlong(&mut self, start: &[u8]) {
        let mut preview = std::mem::take(&mut self.partial);
        preview.extend_from_slice(&start[..start.len().min(256)]);
        self.builder.count_lines(1);
        self.builder.garbage(&preview);
        preview.clear();
        self.partial = preview;
        self.skipping = true;
    }
}

#[cfg(test)]
mod tests {
    use libeeg::Protocol;

    use super::super::batch::MAX_SAMPLES;
    use super::super::item::{Format, MarkerAt};
    use super::*;

    const LINE: &str = "1700000000000000|2|17|512|498|530|1023|0|512|15\n";

    fn run(chunks: &[&[u8]]) -> Vec<Batch> {
        let mut ingest = StreamIngest::new(LineParser::new());
        let mut out = Vec::new();
        for chunk in chunks {
            let _ = ingest.push(chunk, |b| {
                out.push(b);
                ControlFlow::Continue(())
            });
            out.extend(ingest.take());
        }
        out.push(ingest.finish(None));
        out
    }

    fn merged(batches: &[Batch]) -> (usize, Vec<Marker>, u64, u64) {
        let samples = batches.iter().map(|b| b.samples.len()).sum();
        let markers = batches
            .iter()
            .flat_map(|b| b.markers.iter().map(|m| m.marker.clone()))
            .collect();
        let lines = batches.iter().map(|b| b.lines).sum();
        let garbage = batches.iter().map(|b| b.garbage_lines).sum();
        (samples, markers, lines, garbage)
    }

    #[test]
    fn any_chunking_gives_the_same_result() {
        let text = format!(
            "# protocol P2\n{LINE}{LINE}junk\n{LINE}# lost 2 packets at sample 3 (timestamp_us=9)\n{LINE}"
        );
        let whole = merged(&run(&[text.as_bytes()]));
        assert_eq!(whole.0, 4);
        assert_eq!(whole.2, 7);
        assert_eq!(whole.3, 1);
        assert_eq!(
            whole.1,
            [
                Marker::InputFormat(Format::Text),
                Marker::Protocol(Protocol::P2),
                Marker::Lost {
                    count: 2,
                    first_sample_index: 3,
                    at_us: 9
                },
                Marker::StreamEnded { error: None },
            ]
        );
        for size in 1..text.len() {
            let chunks: Vec<&[u8]> = text.as_bytes().chunks(size).collect();
            assert_eq!(merged(&run(&chunks)), whole, "chunks of {size}");
        }
    }

    #[test]
    fn markers_keep_their_place() {
        let text = format!("{LINE}{LINE}# switches 15 -> 11 at sample 2\n{LINE}");
        let mut ingest = StreamIngest::new(LineParser::new());
        let _ = ingest.push(text.as_bytes(), |_| ControlFlow::Continue(()));
        let _ = ingest.push(LINE.as_bytes(), |_| ControlFlow::Continue(()));
        let batch = ingest.finish(None);
        assert_eq!(batch.samples.len(), 4);
        assert_eq!(
            batch.markers[2],
            MarkerAt {
                before_sample: 2,
                marker: Marker::SwitchChange {
                    sample_index: 2,
                    previous: 15,
                    current: 11
                }
            }
        );
        assert_eq!(
            batch.markers[3],
            MarkerAt {
                before_sample: 4,
                marker: Marker::StreamEnded { error: None }
            }
        );
    }

    #[test]
    fn a_last_line_without_a_line_end_counts() {
        let batches = run(&[LINE.trim_end().as_bytes()]);
        assert_eq!(merged(&batches).0, 1);
    }

    #[test]
    fn full_batches_are_handed_out_as_they_fill() {
        let text = LINE.repeat(MAX_SAMPLES * 2 + 5);
        let mut ingest = StreamIngest::new(LineParser::new());
        let mut full = Vec::new();
        let _ = ingest.push(text.as_bytes(), |b| {
            full.push(b);
            ControlFlow::Continue(())
        });
        assert_eq!(full.len(), 2);
        assert!(full.iter().all(|b| b.samples.len() == MAX_SAMPLES));
        assert_eq!(ingest.pending_samples(), 5);
        // The receiver is gone: the rest is dropped.
        let mut calls = 0;
        let flow = ingest.push(text.as_bytes(), |_| {
            calls += 1;
            ControlFlow::Break(())
        });
        assert_eq!((flow, calls), (ControlFlow::Break(()), 1));
    }

    #[test]
    fn overlong_lines_are_one_garbage_line_and_memory_stays_bounded() {
        let junk = vec![b'x'; MAX_LINE * 3];
        let mut ingest = StreamIngest::new(LineParser::new());
        for chunk in junk.chunks(1000) {
            let _ = ingest.push(chunk, |_| ControlFlow::Continue(()));
            assert!(ingest.partial.len() <= MAX_LINE);
        }
        let _ = ingest.push(
            format!("\n{LINE}").as_bytes(),
            |_| ControlFlow::Continue(()),
        );
        let batch = ingest.finish(None);
        assert_eq!(
            (batch.lines, batch.garbage_lines, batch.samples.len()),
            (2, 1, 1)
        );
        assert!(batch.first_garbage.unwrap().starts_with("xxxx"));

        // The same in one piece, and just at the limit.
        let mut at_limit = vec![b'#'; MAX_LINE];
        at_limit.push(b'\n');
        let mut over = vec![b'#'; MAX_LINE + 1];
        over.push(b'\n');
        let (_, _, lines, garbage) = merged(&run(&[&at_limit, &over, LINE.as_bytes()]));
        assert_eq!((lines, garbage), (3, 1));
    }

    /// Valid lines of both formats, damaged copies and random bytes, in random chunks: nothing
    /// panics, every line is counted once, and no line gives more than one sample.
    #[test]
    fn random_damage_keeps_the_counts() {
        use libeeg::sim::Rng;
        let good: [&[u8]; 5] = [
            LINE.as_bytes(),
            b"# lost 3 packets at sample 1200 (timestamp_us=1700000004687500)\n",
            b"# device gone: read failed (timestamp_us=1700000010000000)\n",
            br#"{"timestamp_us":1,"sample_index":0,"version":2,"frame":0,"channels":[1,2,3,4,5,6],"microvolts":[0,0,0,0,0,0],"switches":15}"#,
            br#"{"event":"device_back","device":"/dev/tty\u00fcSB0","timestamp_us":1}"#,
        ];
        let mut rng = Rng::new(7);
        for round in 0..200 {
            let mut bytes = Vec::new();
            for _ in 0..rng.inclusive(1, 40) {
                let mut line = good[rng.below(good.len())].to_vec();
                if !line.ends_with(b"\n") {
                    line.push(b'\n');
                }
                match rng.below(4) {
                    0 => {
                        let at = rng.below(line.len());
                        line[at] = rng.byte();
                    }
                    1 => line.truncate(rng.below(line.len())),
                    2 => line = (0..rng.below(60)).map(|_| rng.byte()).collect(),
                    _ => {}
                }
                bytes.extend_from_slice(&line);
            }
            let expected_lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64
                + u64::from(bytes.last().is_some_and(|&b| b != b'\n'));
            let mut chunks = Vec::new();
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let (chunk, after) = rest.split_at(rng.inclusive(1, rest.len()));
                chunks.push(chunk);
                rest = after;
            }
            let batches = run(&chunks);
            let (samples, markers, lines, garbage) = merged(&batches);
            assert_eq!(lines, expected_lines, "round {round}");
            assert!(
                garbage <= lines && samples as u64 + garbage <= lines,
                "round {round}"
            );
            assert_eq!(markers.last(), Some(&Marker::StreamEnded { error: None }));
            for batch in &batches {
                assert!(
                    batch
                        .markers
                        .iter()
                        .all(|m| m.before_sample <= batch.samples.len())
                );
            }
        }
    }

    #[test]
    fn binary_junk_and_invalid_utf8_are_garbage() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(LINE.as_bytes());
        bytes.extend_from_slice(b"\xa5\x5a\x02\x11\x00\xff\xfe\n");
        bytes.extend_from_slice(b"# device gone: \xc3\x28 (timestamp_us=1)\n");
        bytes.extend_from_slice(b"\n");
        bytes.extend_from_slice(LINE.as_bytes());
        let (samples, _, lines, garbage) = merged(&run(&[&bytes]));
        assert_eq!((samples, lines, garbage), (2, 5, 2));
    }
}
