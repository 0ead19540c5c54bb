//! Reader output with its wall-clock timestamps made relative to the first packet's, as the
//! goldens in `fixtures/` hold it, after checking its shape.

use crate::common::DataLine;
use crate::json::Json;

/// Replaces every number after `key` in `line` by `number - origin`.
fn offset_numbers(line: &str, key: &str, origin: i64) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(key) {
        let (before, after) = rest.split_at(at + key.len());
        out.push_str(before);
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(after.len());
        let value: i64 = after[..end]
            .parse()
            .unwrap_or_else(|_| panic!("{key} without a number: {line}"));
        out.push_str(&(value - origin).to_string());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Text output with timestamps made relative, after checking its shape: data lines have ten
/// numeric fields, everything else is a `#` event line.
pub fn normalise_text(stdout: &str) -> String {
    let origin = stdout
        .lines()
        .find(|l| !l.starts_with('#'))
        .map_or(0, |l| DataLine::parse(l).timestamp_us);
    let mut out = String::new();
    for line in stdout.lines() {
        if let Some(event) = line.strip_prefix('#') {
            assert!(
                event.starts_with(' ') && event.len() > 1,
                "bad event line {line:?}"
            );
            out.push_str(&offset_numbers(line, "timestamp_us=", origin));
        } else {
            let data = DataLine::parse(line);
            let (_, rest) = line.split_once('|').unwrap();
            out.push_str(&format!("{}|{rest}", data.timestamp_us - origin));
        }
        out.push('\n');
    }
    out
}

/// JSON output with timestamps made relative, after checking that every line is one JSON
/// object with the documented keys.
pub fn normalise_json(stdout: &str) -> String {
    let objects: Vec<Vec<(String, Json)>> = stdout
        .lines()
        .map(|line| match Json::parse(line) {
            Ok(Json::Object(fields)) => fields,
            Ok(other) => panic!("not an object: {other:?} in {line}"),
            Err(e) => panic!("invalid JSON ({e}): {line}"),
        })
        .collect();
    let mut origin = None;
    for fields in &objects {
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        if keys.first() == Some(&"event") {
            assert!(matches!(fields[0].1, Json::String(_)), "{fields:?}");
            continue;
        }
        assert_eq!(
            keys,
            [
                "timestamp_us",
                "sample_index",
                "version",
                "frame",
                "channels",
                "microvolts",
                "switches"
            ],
            "packet keys"
        );
        let Json::Array(channels) = &fields[4].1 else {
            panic!("channels: {fields:?}")
        };
        let Json::Array(microvolts) = &fields[5].1 else {
            panic!("microvolts: {fields:?}")
        };
        assert_eq!((channels.len(), microvolts.len()), (6, 6));
        for (code, uv) in channels.iter().zip(microvolts) {
            let (Json::Number(code), Json::Number(uv)) = (code, uv) else {
                panic!("{fields:?}")
            };
            assert_eq!(*uv, (code - 512.0) * 0.5, "microvolts of {fields:?}");
        }
        if origin.is_none() {
            let Json::Number(t) = fields[0].1 else {
                panic!("timestamp_us: {fields:?}")
            };
            origin = Some(t as i64);
        }
    }
    let origin = origin.unwrap_or(0);
    let mut out = String::new();
    for line in stdout.lines() {
        out.push_str(&offset_numbers(line, "\"timestamp_us\":", origin));
        out.push('\n');
    }
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.starts_with("{\"event\":\"end\"")),
        "no end event last"
    );
    out
}
