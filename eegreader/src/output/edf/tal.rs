//! The bytes of the "EDF Annotations" signal: time-stamped annotation lists (TALs).
//!
//! Each data record's block starts with its time-keeping TAL, `+<onset>\x14\x14\0`, the
//! record's start in seconds from the file's start; event TALs follow,
//! `+<onset>\x15<duration>\x14<text>\x14\0` (the duration is left out for instants); zero
//! bytes fill the rest of the block.

use crate::output::number::push_decimal;

/// An event, placed by sample position so that its onset can be computed again for another
/// record duration.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Sample index of its start.
    pub onset: u64,
    /// How many samples it covers; `None` for an instant.
    pub samples: Option<u64>,
    /// What happened (UTF-8, without the separator bytes 0x14, 0x15 and 0).
    pub text: String,
}

/// One record's annotation block under construction.
#[derive(Debug)]
pub struct Block {
    bytes: Vec<u8>,
    capacity: usize,
}

impl Block {
    /// A block of `capacity` bytes for the record starting `onset_s` seconds into the file.
    pub fn new(capacity: usize, onset_s: f64) -> Self {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.push(b'+');
        push_seconds(&mut bytes, onset_s);
        bytes.extend_from_slice(b"\x14\x14\0");
        Self { bytes, capacity }
    }

    /// Adds `annotation` with `seconds_per_sample` as the time base, unless it would leave less
    /// than `keep_free` bytes free; says whether it was added.
    pub fn push(
        &mut self,
        annotation: &Annotation,
        seconds_per_sample: f64,
        keep_free: usize,
    ) -> bool {
        let tal = event(annotation, seconds_per_sample);
        if self.bytes.len() + tal.len() + keep_free > self.capacity {
            return false;
        }
        self.bytes.extend_from_slice(&tal);
        true
    }

    /// The block, zero-filled to its capacity.
    pub fn into_bytes(mut self) -> Vec<u8> {
        debug_assert!(self.bytes.len() <= self.capacity);
        self.bytes.resize(self.capacity, 0);
        self.bytes
    }
}

/// An event TAL.
pub fn event(annotation: &Annotation, seconds_per_sample: f64) -> Vec<u8> {
    let mut tal = vec![b'+'];
    push_seconds(&mut tal, annotation.onset as f64 * seconds_per_sample);
    if let Some(samples) = annotation.samples {
        tal.push(0x15);
        push_seconds(&mut tal, samples as f64 * seconds_per_sample);
    }
    tal.push(0x14);
    tal.extend_from_slice(annotation.text.as_bytes());
    tal.extend_from_slice(b"\x14\0");
    tal
}

/// Seconds to the microsecond, trailing zeros dropped (`3`, `0.996094`): finer than a sample,
/// and exact for time-keeping onsets, which are multiples of a duration of at most six decimals.
fn push_seconds(out: &mut Vec<u8>, seconds: f64) {
    if !push_decimal(out, seconds) {
        out.push(b'0');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_byte_exact() {
        let mut block = Block::new(64, 2.0);
        let lost = Annotation {
            onset: 520,
            samples: Some(3),
            text: "BAD_ACQ_SKIP lost 3 packets".to_owned(),
        };
        assert!(block.push(&lost, 1.0 / 256.0, 0));
        // No room left for a second one.
        assert!(!block.push(&lost, 1.0 / 256.0, 0));
        let mut expected =
            b"+2\x14\x14\0+2.03125\x150.011719\x14BAD_ACQ_SKIP lost 3 packets\x14\0".to_vec();
        expected.resize(64, 0);
        assert_eq!(block.into_bytes(), expected);

        let mut block = Block::new(32, 0.995556 * 3.0);
        let press = Annotation {
            onset: 769,
            samples: None,
            text: "switch 1 (PD2) pressed".to_owned(),
        };
        // 34 bytes: too long for this block.
        assert!(!block.push(&press, 0.995556 / 256.0, 0));
        let mut expected = b"+2.986668\x14\x14\0".to_vec();
        expected.resize(32, 0);
        assert_eq!(block.into_bytes(), expected);
        assert_eq!(
            event(&press, 0.995556 / 256.0),
            b"+2.990557\x14switch 1 (PD2) pressed\x14\0"
        );
    }
}
