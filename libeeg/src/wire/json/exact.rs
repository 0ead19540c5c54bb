//! The fast path: a packet line exactly as [`JsonWriter`](super::JsonWriter) writes it (its key
//! order, no spaces), read in place without building a JSON value: several times faster than
//! serde_json. Any difference (other order, spaces, unknown keys, a value out of range) returns
//! `None` and the line takes the general path, so the result is the same either way; the tests
//! check that on damaged lines.

use super::super::Record;
use super::super::number::{parse_i64, parse_u64};
use super::super::record::{CHANNEL_NAMES, code, counter, protocol_of_version, switches};
use crate::CHANNELS;

/// The packet `line` holds, when it is exactly a writer's packet line.
pub(super) fn exact_packet(line: &[u8]) -> Option<Record> {
    let mut r = Cursor { line, at: 0 };
    r.literal(br#"{"timestamp_us":"#)?;
    let timestamp_us = r.signed()?;
    r.literal(br#","sample_index":"#)?;
    let sample_index = parse_u64(r.number()?)?;
    r.literal(br#","version":"#)?;
    let protocol = protocol_of_version(parse_u64(r.number()?)).ok()?;
    r.literal(br#","frame":"#)?;
    let counter = counter("frame", parse_u64(r.number()?), protocol).ok()?;
    r.literal(br#","channels":["#)?;
    let mut samples = [0; CHANNELS];
    for (i, sample) in samples.iter_mut().enumerate() {
        if i > 0 {
            r.literal(b",")?;
        }
        *sample = code(CHANNEL_NAMES[i], parse_u64(r.number()?)).ok()?;
    }
    r.literal(br#"],"microvolts":["#)?;
    // Checked as JSON, not read: the codes are the data.
    for i in 0..CHANNELS {
        if i > 0 {
            r.literal(b",")?;
        }
        if !r.eat(b"null") {
            r.decimal()?;
        }
    }
    r.literal(br#"],"switches":"#)?;
    let switches = switches("switches", parse_u64(r.number()?)).ok()?;
    r.literal(b"}")?;
    (r.at == line.len()).then_some(Record {
        timestamp_us,
        sample_index,
        protocol,
        counter,
        samples,
        switches,
    })
}

/// A position in the line.
struct Cursor<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// Skips `text` if the line continues with it. A fixed length, so the comparison is
    /// inlined rather than a `memcmp` call.
    fn eat<const N: usize>(&mut self, text: &[u8; N]) -> bool {
        let hit = self.line.get(self.at..self.at + N) == Some(&text[..]);
        if hit {
            self.at += N;
        }
        hit
    }

    fn literal<const N: usize>(&mut self, text: &[u8; N]) -> Option<()> {
        self.eat(text).then_some(())
    }

    /// A JSON number's text, grammar checked (integers are then read by `number`, which
    /// refuses fractions and exponents).
    fn number(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        self.at += json_number_len(&self.line[start..])?;
        Some(&self.line[start..self.at])
    }

    /// A decimal as the writer writes microvolts: no exponent, short enough to be a finite
    /// `f64` (which serde_json requires).
    fn decimal(&mut self) -> Option<()> {
        let text = self.number()?;
        (text.len() <= 40 && !text.iter().any(|&b| b == b'e' || b == b'E')).then_some(())
    }

    /// A signed integer. `-0` is left to serde_json, which reads it as a float.
    fn signed(&mut self) -> Option<i64> {
        let text = self.number()?;
        if text.starts_with(b"-0") {
            return None;
        }
        parse_i64(text)
    }
}

/// The length of the JSON number (RFC 8259 section 6) at the start of `b`: `-`, an integer
/// without leading zeros, an optional fraction and exponent.
fn json_number_len(b: &[u8]) -> Option<usize> {
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i += digits(i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return None;
        }
        i += n;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers() {
        for (text, len) in [
            ("0", 1),
            ("-0", 2),
            ("12,", 2),
            ("-1.5e3]", 6),
            ("1E+2", 4),
            ("0.000001", 8),
            ("01", 1),
        ] {
            assert_eq!(json_number_len(text.as_bytes()), Some(len), "{text}");
        }
        for bad in ["", "-", "+1", ".5", "1.", "1e", "1e+", "x"] {
            assert_eq!(json_number_len(bad.as_bytes()), None, "{bad}");
        }
    }
}
