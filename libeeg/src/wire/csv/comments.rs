//! The `#` lines of a recording: the session header before the column row, and the totals
//! after the last row.

use std::borrow::Cow;

use super::super::number::{parse_finite, parse_i64, parse_u64, push_decimal, push_i64, push_u64};
use super::super::utc::iso8601;
use super::super::{ParseError, SessionInfo};
use super::Totals;

/// The first line, before the program's name and version.
const RECORDED_BY: &str = "# OpenEEG recording by ";

/// The lines after the session's values that say what the columns hold, for people.
const DESCRIPTION: [&str; 13] = [
    "# estimated_rate_hz: on the last line, written when the session ends",
    "# column kind: packet, or the stream event the row records: gap (packets lost), device_gone, device_back,",
    "#   protocol, device_id, sync_lost, resync, restart (no loss), counter_stalled, trailing_bytes",
    "# column sample_index: position in the session, counting lost packets (gap: the first lost one;",
    "#   restart: the first packet after it)",
    "# column timestamp_us: sample time (device_gone, device_back: wall-clock time), microseconds since the Unix epoch, UTC",
    "# column counter: the packet counter as sent (restart: the counter it jumped to)",
    "# column ch1..ch6: raw 10-bit ADC codes, 0..1023, mid-scale 512",
    "# column ch1_uv..ch6_uv: microvolts, (code - 512) * scale_uv_per_lsb, rounded to 0.000001",
    "# column switches: switch inputs, bits 3..0, pressed = 0 (15: none pressed)",
    "# column lost: how many packets are missing (gap rows)",
    "# column detail: gone reason, device, protocol, id, at_byte=N, skipped_bytes=N, bytes=N,",
    "#   previous_counter=N evidence=reset-signal|elapsed-time (restart)",
];

/// Appends the header: who recorded, the session's values, the column descriptions.
pub(super) fn push_header(out: &mut Vec<u8>, session: &SessionInfo) {
    out.extend_from_slice(RECORDED_BY.as_bytes());
    out.extend_from_slice(one_line(&session.software).as_bytes());
    out.push(b'\n');
    push_setting(out, "source", |out| {
        out.extend_from_slice(one_line(&session.source).as_bytes());
    });
    push_setting(out, "profile", |out| {
        out.extend_from_slice(one_line(&session.profile).as_bytes());
    });
    push_setting(out, "start_time", |out| {
        out.extend_from_slice(iso8601(session.start_us).as_bytes());
    });
    push_setting(out, "start_us", |out| push_i64(out, session.start_us));
    // Left empty if not a number.
    push_setting(out, "nominal_rate_hz", |out| {
        push_decimal(out, session.nominal_rate_hz);
    });
    push_setting(out, "scale_uv_per_lsb", |out| {
        push_decimal(out, session.microvolts_per_lsb);
    });
    push_setting(out, "labels", |out| {
        for (i, label) in session.labels.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(one_line(label).as_bytes());
        }
    });
    for description in DESCRIPTION {
        out.extend_from_slice(description.as_bytes());
        out.push(b'\n');
    }
}

/// Appends the last lines: the totals, then the estimated rate (`unknown` without one).
pub(super) fn push_footer(out: &mut Vec<u8>, totals: Totals, estimated_rate_hz: Option<f64>) {
    push_setting(out, "packets", |out| push_u64(out, totals.packets));
    push_setting(out, "lost", |out| push_u64(out, totals.lost));
    push_setting(out, "estimated_rate_hz", |out| {
        if !estimated_rate_hz.is_some_and(|rate| push_decimal(out, rate)) {
            out.extend_from_slice(b"unknown");
        }
    });
}

/// `# key=value` and a newline.
fn push_setting(out: &mut Vec<u8>, key: &str, value: impl FnOnce(&mut Vec<u8>)) {
    out.extend_from_slice(b"# ");
    out.extend_from_slice(key.as_bytes());
    out.push(b'=');
    value(out);
    out.push(b'\n');
}

/// `text` with control characters (newlines, escapes) written as Rust escapes (`\n`,
/// `\u{1b}`), so a value can never end its line early or drive a terminal.
fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The header's values as read so far.
#[derive(Debug, Clone, Default)]
pub(super) struct Header {
    software: Option<String>,
    source: Option<String>,
    profile: Option<String>,
    start_us: Option<i64>,
    nominal_rate_hz: Option<f64>,
    microvolts_per_lsb: Option<f64>,
    labels: Option<Vec<String>>,
}

impl Header {
    /// Reads a `#` line before the column row; `Ok(false)` when it is not one the writer puts
    /// there.
    pub(super) fn read(&mut self, line: &str) -> Result<bool, ParseError> {
        if let Some(software) = line.strip_prefix(RECORDED_BY) {
            self.software = Some(software.to_owned());
            return Ok(true);
        }
        if DESCRIPTION.contains(&line) {
            return Ok(true);
        }
        let Some((key, value)) = setting(line) else {
            return Ok(false);
        };
        let number = |field| parse_finite(value).ok_or(ParseError::invalid(field, "a number"));
        match key {
            "source" => self.source = Some(value.to_owned()),
            "profile" => self.profile = Some(value.to_owned()),
            // `start_us` in other words.
            "start_time" => {}
            "start_us" => {
                let start = parse_i64(value.as_bytes())
                    .ok_or(ParseError::invalid("start_us", "an integer"))?;
                self.start_us = Some(start);
            }
            "nominal_rate_hz" => self.nominal_rate_hz = Some(number("nominal_rate_hz")?),
            "scale_uv_per_lsb" => self.microvolts_per_lsb = Some(number("scale_uv_per_lsb")?),
            "labels" => {
                let labels = if value.is_empty() {
                    Vec::new()
                } else {
                    value.split(',').map(str::to_owned).collect()
                };
                self.labels = Some(labels);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The session, once every value has been read.
    pub(super) fn session(&self) -> Result<SessionInfo, ParseError> {
        fn needed<T: Clone>(value: &Option<T>, key: &'static str) -> Result<T, ParseError> {
            value.clone().ok_or(ParseError::Missing(key))
        }
        Ok(SessionInfo {
            software: needed(&self.software, "OpenEEG recording by")?,
            source: needed(&self.source, "source")?,
            profile: needed(&self.profile, "profile")?,
            microvolts_per_lsb: needed(&self.microvolts_per_lsb, "scale_uv_per_lsb")?,
            nominal_rate_hz: needed(&self.nominal_rate_hz, "nominal_rate_hz")?,
            start_us: needed(&self.start_us, "start_us")?,
            labels: needed(&self.labels, "labels")?,
        })
    }
}

/// A `#` line after the column row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Footer {
    /// `# packets=N`.
    Packets(u64),
    /// `# lost=N`.
    Lost(u64),
    /// `# estimated_rate_hz=R` or `unknown`: the session's end.
    EstimatedRate(Option<f64>),
}

impl Footer {
    /// Reads a `#` line after the column row; `Ok(None)` when it is not one the writer puts
    /// there.
    pub(super) fn read(line: &str) -> Result<Option<Self>, ParseError> {
        let Some((key, value)) = setting(line) else {
            return Ok(None);
        };
        let count = |field| {
            parse_u64(value.as_bytes()).ok_or(ParseError::invalid(field, "an unsigned integer"))
        };
        Ok(Some(match key {
            "packets" => Self::Packets(count("packets")?),
            "lost" => Self::Lost(count("lost")?),
            "estimated_rate_hz" if value == "unknown" => Self::EstimatedRate(None),
            "estimated_rate_hz" => {
                Self::EstimatedRate(Some(parse_finite(value).filter(|&rate| rate > 0.0).ok_or(
                    ParseError::invalid("estimated_rate_hz", "a positive number or unknown"),
                )?))
            }
            _ => return Ok(None),
        }))
    }
}

/// `# key=value` as (key, value), the key a lowercase word.
fn setting(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.strip_prefix("# ")?.split_once('=')?;
    key.bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'_')
        .then_some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_stay_on_the_line() {
        assert!(matches!(one_line("mEEGv1.0"), Cow::Borrowed("mEEGv1.0")));
        assert_eq!(
            one_line("a\nb\r\t\u{1b}[2J\u{7f}"),
            "a\\nb\\r\\t\\u{1b}[2J\\u{7f}"
        );
        assert_eq!(one_line("quote \" and ü stay"), "quote \" and ü stay");
    }

    #[test]
    fn damaged_values_are_errors_and_other_lines_unknown() {
        let mut header = Header::default();
        assert_eq!(
            header.read("# start_us=soon"),
            Err(ParseError::invalid("start_us", "an integer"))
        );
        assert_eq!(
            header.read("# nominal_rate_hz=NaN"),
            Err(ParseError::invalid("nominal_rate_hz", "a number"))
        );
        assert_eq!(header.read("# comment by hand"), Ok(false));
        assert_eq!(header.read("# colour=blue"), Ok(false));
        assert_eq!(
            header.session(),
            Err(ParseError::Missing("OpenEEG recording by"))
        );
        assert_eq!(
            Footer::read("# estimated_rate_hz=0"),
            Err(ParseError::invalid(
                "estimated_rate_hz",
                "a positive number or unknown"
            ))
        );
        assert_eq!(Footer::read("# packets=3"), Ok(Some(Footer::Packets(3))));
        assert_eq!(Footer::read("# note=x"), Ok(None));
    }
}
