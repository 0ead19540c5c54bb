//! eegreader's `--json` lines, one object at a time (see `eegreader/src/output/json.rs` for the
//! writer):
//!
//! ```text
//! {"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":17,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}
//! {"event":"lost","count":3,"first_sample_index":1200,"timestamp_us":1700000004687500}
//! ```
//!
//! A packet needs `timestamp_us`, `version`, `frame`, `channels` (six codes) and `switches`, in
//! the reader's ranges; `sample_index` is kept when present; `microvolts` and unknown keys are
//! ignored (the viewer scales raw codes itself). An event object with a known `"event"` and its
//! fields is a marker; an unknown `"event"` is ignored, as the text format ignores unknown `#`
//! lines. Everything else is garbage.

use libeeg::{CHANNELS, Protocol};

use super::field;
use super::flat_json::{self, JsonStr, Value};
use super::item::{Marker, Sample, one_line};
use super::line::Line;

/// Parses one line (without its line ending).
#[inline]
pub fn parse(line: &[u8]) -> Line {
    if let Some((sample, protocol)) = exact_packet(line) {
        return Line::Sample(sample, protocol);
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return Line::Garbage;
    };
    let mut f = Fields::default();
    if flat_json::fields(text, |key, value| f.set(key, value)).is_none() {
        return Line::Garbage;
    }
    match f.event {
        None => packet(&f).map_or(Line::Garbage, |(sample, protocol)| {
            Line::Sample(sample, protocol)
        }),
        Some(kind) => match event(kind, &f) {
            Known::Marker(marker) => Line::Marker(marker),
            Known::Damaged => Line::Garbage,
            Known::Unknown => Line::Ignored,
        },
    }
}

/// A packet line exactly as eegreader writes it (its key order, no spaces), read without the
/// general object scanner: about twice as fast. Any difference (other order, spaces, unknown
/// keys, a damaged value) returns `None` and the line goes the general way, so the result is
/// the same either way; a test checks that on damaged lines.
#[inline]
fn exact_packet(line: &[u8]) -> Option<(Sample, Protocol)> {
    let mut r = Exact { line, at: 0 };
    r.literal(br#"{"timestamp_us":"#)?;
    let timestamp_us = field::signed(r.number()?)?;
    r.literal(br#","sample_index":"#)?;
    let sample_index = field::unsigned(r.number()?)?;
    r.literal(br#","version":"#)?;
    let protocol = field::version(r.number()?)?;
    r.literal(br#","frame":"#)?;
    let frame = field::frame(r.number()?, protocol)?;
    r.literal(br#","channels":["#)?;
    let mut values = [0u16; CHANNELS];
    for (i, value) in values.iter_mut().enumerate() {
        if i > 0 {
            r.literal(b",")?;
        }
        *value = field::code(r.number()?)?;
    }
    r.literal(br#"],"microvolts":["#)?;
    // Checked as JSON, not used: the viewer scales raw codes itself.
    if !r.eat(b']') {
        loop {
            if !r.eat_literal(b"null") {
                r.number()?;
            }
            if r.eat(b']') {
                break;
            }
            r.literal(b",")?;
        }
    }
    r.literal(br#","switches":"#)?;
    let switches = field::switches(r.number()?)?;
    r.literal(b"}")?;
    (r.at == line.len()).then_some((
        Sample {
            timestamp_us,
            sample_index: Some(sample_index),
            frame,
            values,
            switches,
        },
        protocol,
    ))
}

/// A cursor for [`exact_packet`].
struct Exact<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Exact<'a> {
    /// A fixed length, so the comparison is inlined rather than a `memcmp` call.
    #[inline]
    fn eat_literal<const N: usize>(&mut self, text: &[u8; N]) -> bool {
        let hit = self.line.get(self.at..self.at + N) == Some(&text[..]);
        if hit {
            self.at += N;
        }
        hit
    }

    #[inline]
    fn literal<const N: usize>(&mut self, text: &[u8; N]) -> Option<()> {
        self.eat_literal(text).then_some(())
    }

    #[inline]
    fn eat(&mut self, b: u8) -> bool {
        self.eat_literal(&[b])
    }

    /// A JSON number's text (integers are then parsed by `field`, which refuses the rest).
    #[inline]
    fn number(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        self.at += flat_json::number_len(self.line, start)?;
        Some(&self.line[start..self.at])
    }
}

/// The keys eegreader writes, as found on one line.
#[derive(Default)]
struct Fields<'a> {
    event: Option<JsonStr<'a>>,
    timestamp_us: Option<Value<'a>>,
    sample_index: Option<Value<'a>>,
    version: Option<Value<'a>>,
    frame: Option<Value<'a>>,
    channels: Option<Value<'a>>,
    switches: Option<Value<'a>>,
    count: Option<Value<'a>>,
    first_sample_index: Option<Value<'a>>,
    at_byte: Option<Value<'a>>,
    skipped_bytes: Option<Value<'a>>,
    protocol: Option<Value<'a>>,
    id: Option<Value<'a>>,
    reason: Option<Value<'a>>,
    device: Option<Value<'a>>,
    previous: Option<Value<'a>>,
    current: Option<Value<'a>>,
    counter: Option<Value<'a>>,
    previous_counter: Option<Value<'a>>,
    evidence: Option<Value<'a>>,
    estimated_rate_hz: Option<Value<'a>>,
}

impl<'a> Fields<'a> {
    /// Keeps a field; `None` (stop: garbage) when `"event"` is not a string.
    #[inline]
    fn set(&mut self, key: JsonStr<'a>, value: Value<'a>) -> Option<()> {
        let decoded;
        let key = match key.plain() {
            Some(key) => key,
            None => {
                decoded = key.decode()?;
                decoded.as_str()
            }
        };
        let slot = match key {
            "event" => {
                let Value::String(kind) = value else {
                    return None;
                };
                self.event = Some(kind);
                return Some(());
            }
            "timestamp_us" => &mut self.timestamp_us,
            "sample_index" => &mut self.sample_index,
            "version" => &mut self.version,
            "frame" => &mut self.frame,
            "channels" => &mut self.channels,
            "switches" => &mut self.switches,
            "count" => &mut self.count,
            "first_sample_index" => &mut self.first_sample_index,
            "at_byte" => &mut self.at_byte,
            "skipped_bytes" => &mut self.skipped_bytes,
            "protocol" => &mut self.protocol,
            "id" => &mut self.id,
            "reason" => &mut self.reason,
            "device" => &mut self.device,
            "previous" => &mut self.previous,
            "current" => &mut self.current,
            "counter" => &mut self.counter,
            "previous_counter" => &mut self.previous_counter,
            "evidence" => &mut self.evidence,
            "estimated_rate_hz" => &mut self.estimated_rate_hz,
            _ => return Some(()),
        };
        *slot = Some(value);
        Some(())
    }
}

/// A number field's digits (integers only).
#[inline]
fn digits<'a>(value: Option<Value<'a>>) -> Option<&'a [u8]> {
    match value? {
        Value::Number(n) => Some(n.as_bytes()),
        _ => None,
    }
}

fn unsigned(value: Option<Value<'_>>) -> Option<u64> {
    field::unsigned(digits(value)?)
}

fn text(value: Option<Value<'_>>) -> Option<String> {
    match value? {
        Value::String(s) => s.decode().map(|s| one_line(&s)),
        _ => None,
    }
}

#[inline]
fn packet(f: &Fields<'_>) -> Option<(Sample, Protocol)> {
    let protocol = field::version(digits(f.version)?)?;
    let Value::Array(channels) = f.channels? else {
        return None;
    };
    let mut values = [0u16; CHANNELS];
    let mut n = 0;
    for element in flat_json::elements(channels) {
        *values.get_mut(n)? = field::code(element?.as_bytes())?;
        n += 1;
    }
    if n != CHANNELS {
        return None;
    }
    let sample_index = match f.sample_index {
        None => None,
        Some(v) => Some(unsigned(Some(v))?),
    };
    let sample = Sample {
        timestamp_us: field::signed(digits(f.timestamp_us)?)?,
        sample_index,
        frame: field::frame(digits(f.frame)?, protocol)?,
        values,
        switches: field::switches(digits(f.switches)?)?,
    };
    Some((sample, protocol))
}

enum Known {
    Marker(Marker),
    /// A known event without its fields.
    Damaged,
    Unknown,
}

fn event(kind: JsonStr<'_>, f: &Fields<'_>) -> Known {
    let Some(kind) = kind.decode() else {
        return Known::Damaged;
    };
    let marker = match kind.as_str() {
        "lost" => (|| {
            Some(Marker::Lost {
                count: unsigned(f.count)?,
                first_sample_index: unsigned(f.first_sample_index)?,
                at_us: field::signed(digits(f.timestamp_us)?)?,
            })
        })(),
        "sync_lost" => unsigned(f.at_byte).map(|at_byte| Marker::SyncLost { at_byte }),
        "resync" => unsigned(f.skipped_bytes).map(|skipped_bytes| Marker::Resync { skipped_bytes }),
        "protocol" => match f.protocol {
            Some(Value::String(p)) if p.is("P2") => Some(Marker::Protocol(Protocol::P2)),
            Some(Value::String(p)) if p.is("P3") => Some(Marker::Protocol(Protocol::P3)),
            _ => None,
        },
        "device_id" => text(f.id).map(Marker::DeviceId),
        "device_gone" => (|| {
            Some(Marker::DeviceGone {
                at_us: field::signed(digits(f.timestamp_us)?)?,
                reason: text(f.reason)?,
            })
        })(),
        "device_back" => (|| {
            Some(Marker::DeviceBack {
                at_us: field::signed(digits(f.timestamp_us)?)?,
                device: text(f.device)?,
            })
        })(),
        "switches" => (|| {
            Some(Marker::SwitchChange {
                sample_index: unsigned(f.sample_index)?,
                previous: field::switches(digits(f.previous)?)?,
                current: field::switches(digits(f.current)?)?,
            })
        })(),
        "restart" => (|| {
            Some(Marker::Restart {
                sample_index: unsigned(f.sample_index)?,
                at_us: field::signed(digits(f.timestamp_us)?)?,
                previous_counter: field::small(digits(f.previous_counter)?, u8::MAX)?,
                counter: field::small(digits(f.counter)?, u8::MAX)?,
                evidence: field::evidence(&text(f.evidence)?)?,
            })
        })(),
        "counter_stalled" => digits(f.counter)
            .and_then(|c| field::small(c, u8::MAX))
            .map(|counter| Marker::CounterStalled { counter }),
        "trailing_bytes" => unsigned(f.count).map(|count| Marker::TrailingBytes { count }),
        "end" => match f.estimated_rate_hz {
            Some(Value::Null) => Some(Marker::ReaderFinished {
                estimated_rate_hz: None,
            }),
            Some(Value::Number(n)) => n
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0)
                .map(|r| Marker::ReaderFinished {
                    estimated_rate_hz: Some(r),
                }),
            _ => None,
        },
        _ => return Known::Unknown,
    };
    marker.map_or(Known::Damaged, Known::Marker)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(line: &str) -> Marker {
        match parse(line.as_bytes()) {
            Line::Marker(m) => m,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn packets() {
        let line = r#"{"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":255,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}"#;
        let Line::Sample(s, p) = parse(line.as_bytes()) else {
            panic!()
        };
        assert_eq!(p, Protocol::P2);
        assert_eq!(
            s,
            Sample {
                timestamp_us: 1_700_000_000_000_000,
                sample_index: Some(0),
                frame: 255,
                values: [512, 498, 530, 1023, 0, 512],
                switches: 15,
            }
        );
        // P3, null microvolts, and no sample_index (older writers): still a packet.
        let line = r#"{"timestamp_us":-3,"version":3,"frame":63,"channels":[1,2,3,4,5,6],"microvolts":[1.56,-0.26,0.3,null,0,1000000],"switches":11}"#;
        let Line::Sample(s, p) = parse(line.as_bytes()) else {
            panic!()
        };
        assert_eq!(
            (
                p,
                s.timestamp_us,
                s.sample_index,
                s.frame,
                s.values,
                s.switches
            ),
            (Protocol::P3, -3, None, 63, [1, 2, 3, 4, 5, 6], 11)
        );
        // Keys in any order, with whitespace and unknown keys.
        let line = r#" { "switches" : 15, "future": "x", "channels": [0,0,0,0,0,0], "frame": 1, "version": 2, "timestamp_us": 5 } "#;
        assert!(matches!(parse(line.as_bytes()), Line::Sample(..)));
    }

    /// The golden objects of eegreader's `JsonSink` test, one of every event.
    #[test]
    fn every_event_the_reader_writes() {
        let expected = [
            (
                r#"{"event":"protocol","protocol":"P3","version":3}"#,
                Marker::Protocol(Protocol::P3),
            ),
            (
                r#"{"event":"device_id","id":"mEEG\"v1\\0\n"}"#,
                Marker::DeviceId("mEEG\"v1\\0\\n".into()),
            ),
            (
                r#"{"event":"lost","count":3,"first_sample_index":1200,"timestamp_us":1700000004687500}"#,
                Marker::Lost {
                    count: 3,
                    first_sample_index: 1200,
                    at_us: 1_700_000_004_687_500,
                },
            ),
            (
                r#"{"event":"sync_lost","at_byte":4096}"#,
                Marker::SyncLost { at_byte: 4096 },
            ),
            (
                r#"{"event":"resync","skipped_bytes":37}"#,
                Marker::Resync { skipped_bytes: 37 },
            ),
            (
                r#"{"event":"device_gone","reason":"read failed:\tgone\u001b[2J","timestamp_us":1700000010000000}"#,
                // The same text as the text format's line.
                Marker::DeviceGone {
                    at_us: 1_700_000_010_000_000,
                    reason: "read failed:\\tgone\\u{1b}[2J".into(),
                },
            ),
            (
                r#"{"event":"device_back","device":"/dev/ttyUSB0","timestamp_us":1700000012000000}"#,
                Marker::DeviceBack {
                    at_us: 1_700_000_012_000_000,
                    device: "/dev/ttyUSB0".into(),
                },
            ),
            (
                r#"{"event":"switches","sample_index":400,"previous":15,"current":11}"#,
                Marker::SwitchChange {
                    sample_index: 400,
                    previous: 15,
                    current: 11,
                },
            ),
            (
                r#"{"event":"restart","sample_index":5120,"timestamp_us":1700000020000000,"previous_counter":57,"counter":0,"evidence":"reset-signal"}"#,
                Marker::Restart {
                    sample_index: 5120,
                    at_us: 1_700_000_020_000_000,
                    previous_counter: 57,
                    counter: 0,
                    evidence: "reset-signal".into(),
                },
            ),
            (
                r#"{"event":"restart","sample_index":6000,"timestamp_us":1700000023437500,"previous_counter":12,"counter":200,"evidence":"elapsed-time"}"#,
                Marker::Restart {
                    sample_index: 6000,
                    at_us: 1_700_000_023_437_500,
                    previous_counter: 12,
                    counter: 200,
                    evidence: "elapsed-time".into(),
                },
            ),
            (
                r#"{"event":"counter_stalled","counter":7}"#,
                Marker::CounterStalled { counter: 7 },
            ),
            (
                r#"{"event":"trailing_bytes","count":5}"#,
                Marker::TrailingBytes { count: 5 },
            ),
            (
                r#"{"event":"end","estimated_rate_hz":257.142857}"#,
                Marker::ReaderFinished {
                    estimated_rate_hz: Some(257.142857),
                },
            ),
            (
                r#"{"event":"end","estimated_rate_hz":null}"#,
                Marker::ReaderFinished {
                    estimated_rate_hz: None,
                },
            ),
        ];
        for (line, expected) in expected {
            assert_eq!(marker(line), expected, "{line}");
        }
    }

    /// The fast path for the reader's own packet lines agrees with the general parser on
    /// every line it accepts, damaged ones included.
    #[test]
    fn the_exact_packet_path_agrees_with_the_general_one() {
        let good = r#"{"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":255,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}"#;
        let general = |line: &[u8]| {
            let mut f = Fields::default();
            let text = std::str::from_utf8(line).ok()?;
            flat_json::fields(text, |k, v| f.set(k, v))?;
            if f.event.is_some() { None } else { packet(&f) }
        };
        assert!(exact_packet(good.as_bytes()).is_some());
        assert_eq!(exact_packet(good.as_bytes()), general(good.as_bytes()));
        let p3 = good.replace(r#""version":2,"frame":255"#, r#""version":3,"frame":63"#);
        assert_eq!(exact_packet(p3.as_bytes()).unwrap().1, Protocol::P3);
        let empty_uv = good.replace("[0,-7,9,255.5,-256,0]", "[]");
        assert_eq!(
            exact_packet(empty_uv.as_bytes()),
            general(empty_uv.as_bytes())
        );
        let null_uv = good.replace("[0,-7,9,255.5,-256,0]", "[null,1e-3,null]");
        assert_eq!(
            exact_packet(null_uv.as_bytes()),
            general(null_uv.as_bytes())
        );
        // Every single-byte change, and every cut, of the line.
        let bytes = good.as_bytes();
        let mut accepted = 0;
        for i in 0..bytes.len() {
            for b in [
                b'0', b'1', b'9', b'-', b'.', b'e', b',', b' ', b'"', b']', b'}', b'x', 0, 0xff,
            ] {
                let mut damaged = bytes.to_vec();
                damaged[i] = b;
                if let Some(fast) = exact_packet(&damaged) {
                    accepted += 1;
                    assert_eq!(
                        Some(fast),
                        general(&damaged),
                        "{}",
                        String::from_utf8_lossy(&damaged)
                    );
                }
            }
            assert_eq!(exact_packet(&bytes[..i]), None);
        }
        assert!(accepted > 50, "{accepted}");
    }

    #[test]
    fn unknown_events_are_ignored() {
        assert_eq!(parse(br#"{"event":"calibration","gain":3}"#), Line::Ignored);
    }

    #[test]
    fn garbage() {
        for line in [
            // Not JSON, or not a flat object.
            &br#"{"timestamp_us":1700000000000000,"version":2"#[..],
            b"[1,2,3]",
            b"{\"a\":{}}",
            b"\xff{}",
            br#"{"event":"lost","note":"\xff"}"#,
            // Packets missing fields, with the wrong types or out of range.
            br#"{}"#,
            br#"{"timestamp_us":1,"version":2,"frame":1,"channels":[0,0,0,0,0],"switches":15}"#,
            br#"{"timestamp_us":1,"version":2,"frame":1,"channels":[0,0,0,0,0,0,0],"switches":15}"#,
            br#"{"timestamp_us":1,"version":2,"frame":1,"channels":[0,0,0,0,0,1024],"switches":15}"#,
            br#"{"timestamp_us":1,"version":2,"frame":1,"channels":[0,0,0,0,0,null],"switches":15}"#,
            br#"{"timestamp_us":1,"version":2,"frame":1,"channels":[0,0,0,0,0,1.5],"switches":15}"#,
            br#"{"timestamp_us":1,"version":2,"frame":1,"channels":[0,0,0,0,0,-1],"switches":15}"#,
            br#"{"timestamp_us":1,"version":4,"frame":1,"channels":[0,0,0,0,0,0],"switches":15}"#,
            br#"{"timestamp_us":1,"version":3,"frame":64,"channels":[0,0,0,0,0,0],"switches":15}"#,
            br#"{"timestamp_us":1,"version":2,"frame":1,"channels":[0,0,0,0,0,0],"switches":16}"#,
            br#"{"timestamp_us":"1","version":2,"frame":1,"channels":[0,0,0,0,0,0],"switches":15}"#,
            br#"{"timestamp_us":1e3,"version":2,"frame":1,"channels":[0,0,0,0,0,0],"switches":15}"#,
            br#"{"timestamp_us":1,"sample_index":-1,"version":2,"frame":1,"channels":[0,0,0,0,0,0],"switches":15}"#,
            // Known events without their fields.
            br#"{"event":"lost","count":3}"#,
            br#"{"event":"protocol","protocol":"P9"}"#,
            br#"{"event":"switches","sample_index":1,"previous":15,"current":16}"#,
            br#"{"event":"restart","sample_index":1,"timestamp_us":1,"counter":0,"evidence":"reset-signal"}"#,
            br#"{"event":"restart","sample_index":1,"timestamp_us":1,"previous_counter":256,"counter":0,"evidence":"reset-signal"}"#,
            br#"{"event":"restart","sample_index":1,"timestamp_us":1,"previous_counter":5,"counter":0,"evidence":"Reset Signal"}"#,
            br#"{"event":"end"}"#,
            br#"{"event":"end","estimated_rate_hz":"fast"}"#,
            br#"{"event":3}"#,
        ] {
            assert_eq!(parse(line), Line::Garbage, "{}", String::from_utf8_lossy(line));
        }
    }
}
