//! When a converted capture starts. A raw capture holds no times, so its samples are placed at
//! the nominal rate from a start: `--start`, or else the capture's modification time (when the
//! recorder last wrote to it, its end) minus its duration, counted by decoding it once.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::UNIX_EPOCH;

use libeeg::{Decoder, DecoderConfig, Event};

use crate::error::Error;

/// Microseconds since the Unix epoch of an RFC 3339 time: `2024-05-01T10:00:00Z`, with
/// optional fractional seconds and a `Z` or `+HH:MM`/`-HH:MM` offset (a space for the `T`).
pub fn parse_rfc3339(text: &str) -> Result<i64, Error> {
    parse(text.trim()).ok_or_else(|| {
        Error::new(format!("--start {text} is not an RFC 3339 time"))
            .fix("for example --start 2024-05-01T10:00:00Z or --start 2024-05-01T12:00:00.5+02:00")
    })
}

fn parse(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |range| number_in(text, range);
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if bytes.len() < 20
        || separators.iter().any(|&(i, c)| bytes[i] != c)
        || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    // 60: a leap second, as RFC 3339 allows; it counts as the next second's start.
    if !(1..=days_in_month).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut micros = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        // Microseconds: the first six digits, padded.
        let padded = format!("{:0<6}", &fraction[..digits.min(6)]);
        micros = padded.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = (number_in(rest, 1..3)?, number_in(rest, 4..6)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
        _ => return None,
    };
    let seconds = days_since_epoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_minutes * 60;
    Some(seconds * 1_000_000 + micros)
}

fn number_in(text: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let digits = text.get(range)?;
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    // Years counted from March, so the leap day ends a year; 400-year cycles of 146097 days.
    let year = if month <= 2 { year - 1 } else { year };
    let cycle = year.div_euclid(400);
    let year_of_cycle = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
    cycle * 146_097 + day_of_cycle - 719_468
}

/// A start derived from the capture itself, and how, for the message that says so.
pub struct Estimate {
    /// Time of the first sample, microseconds since the Unix epoch.
    pub start_us: i64,
    /// How it was found, for people.
    pub how: String,
}

/// The capture at `path` ends at its modification time; it starts as many samples earlier as
/// decoding it finds (losses included) at `rate_hz`.
pub fn from_modification_time(
    path: &Path,
    decoder: &DecoderConfig,
    rate_hz: f64,
) -> Result<Estimate, Error> {
    let cannot = |e: &io::Error| Error::io(format!("reading {}", path.display()), e);
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| cannot(&e))?;
    let end_us = modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let samples = count_samples(path, decoder).map_err(|e| cannot(&e))?;
    let duration_s = samples as f64 / rate_hz;
    Ok(Estimate {
        start_us: end_us - (duration_s * 1e6).round() as i64,
        how: format!(
            "the capture's modification time minus its {samples} samples ({duration_s:.3} s at {rate_hz} Hz)"
        ),
    })
}

/// Samples the capture spans: one past the last packet's sample index.
fn count_samples(path: &Path, config: &DecoderConfig) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let mut decoder = Decoder::new(config.clone());
    let mut buf = vec![0; 256 * 1024];
    let mut samples = 0;
    let mut count = |event: Event| {
        if let Event::Packet(p) = event {
            samples = p.sample_index + 1;
        }
    };
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        decoder.decode(&buf[..n], &mut count);
    }
    decoder.finish();
    while let Some(event) = decoder.poll() {
        count(event);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(
            parse_rfc3339("2023-11-14T22:13:20.123456Z").unwrap(),
            1_700_000_000_123_456
        );
        assert_eq!(
            parse_rfc3339("2023-11-15T00:13:20.5+02:00").unwrap(),
            1_700_000_000_500_000
        );
        assert_eq!(
            parse_rfc3339("2000-02-29 23:59:59z").unwrap(),
            951_868_799_000_000
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:00:00-01:00").unwrap(), 0);
    }

    #[test]
    fn not_rfc3339() {
        for text in [
            "2023-11-14",
            "2023-11-14T22:13:20",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20+0200",
            "2023-1x-14T22:13:20Z",
            "yesterday",
        ] {
            let e = parse_rfc3339(text).unwrap_err().to_string();
            assert!(e.contains("is not an RFC 3339 time"), "{text}: {e}");
        }
    }
}
