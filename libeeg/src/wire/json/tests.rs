use serde_json::{Value, json};

use super::super::event::tests::every_event;
use super::super::text::tests::record;
use super::super::{Item, ParseError, Record, SessionEvent};
use super::exact::exact_packet;
use super::{JsonParser, JsonWriter};
use crate::Protocol;

fn written(records: &[Record], events: &[SessionEvent], microvolts_per_lsb: f64) -> String {
    let mut out = Vec::new();
    let mut writer = JsonWriter::new(&mut out, microvolts_per_lsb);
    for record in records {
        writer.record(record).unwrap();
    }
    for event in events {
        writer.event(event).unwrap();
    }
    writer.flush().unwrap();
    let size = writer.size();
    drop(writer);
    assert_eq!(size, out.len() as u64);
    String::from_utf8(out).unwrap()
}

fn parsed(line: &str) -> Result<Option<Item>, ParseError> {
    Ok(JsonParser::new().parse_line(line.as_bytes())?.next())
}

/// What the eegreader's JSON sink wrote before this module, byte for byte.
#[test]
fn golden_objects() {
    let mut p3 = record(1, 63);
    p3.protocol = Protocol::P3;
    let expected = r#"{"timestamp_us":1700000000000000,"sample_index":0,"version":2,"frame":255,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}
{"timestamp_us":1700000000003906,"sample_index":1,"version":3,"frame":63,"channels":[512,498,530,1023,0,512],"microvolts":[0,-7,9,255.5,-256,0],"switches":15}
{"event":"protocol","protocol":"P3","version":3}
{"event":"device_id","id":"mEEG\"v1\\0\n"}
{"event":"lost","count":3,"first_sample_index":1200,"timestamp_us":1700000004687500}
{"event":"lost","count":1,"first_sample_index":7,"timestamp_us":1700000000027344}
{"event":"sync_lost","at_byte":4096}
{"event":"resync","skipped_bytes":37}
{"event":"device_gone","reason":"read failed:\tgone\u001b[2J","timestamp_us":1700000010000000}
{"event":"device_back","device":"/dev/ttyUSB0","timestamp_us":1700000012000000}
{"event":"switches","sample_index":400,"previous":15,"current":11}
{"event":"restart","sample_index":5120,"timestamp_us":1700000020000000,"previous_counter":57,"counter":0,"evidence":"reset-signal"}
{"event":"restart","sample_index":6000,"timestamp_us":1700000023437500,"previous_counter":12,"counter":200,"evidence":"elapsed-time"}
{"event":"counter_stalled","counter":7}
{"event":"trailing_bytes","count":5}
{"event":"end","estimated_rate_hz":257.142857}
"#;
    let text = written(&[record(0, 255), p3], &every_event(), 0.5);
    assert_eq!(text, expected);
    let mut parser = JsonParser::new();
    let items: Vec<Item> = text
        .lines()
        .flat_map(|line| parser.parse_line(line.as_bytes()).unwrap())
        .collect();
    let expected_items: Vec<_> = [record(0, 255), p3]
        .map(Item::Record)
        .into_iter()
        .chain(every_event().into_iter().map(Item::Event))
        .collect();
    assert_eq!(items, expected_items);
}

#[test]
fn microvolts_to_six_decimals_and_unknown_rate() {
    let text = written(&[record(0, 0)], &[SessionEvent::end(f64::NAN)], 0.52);
    assert!(
        text.contains(r#""microvolts":[0,-7.28,9.36,265.72,-266.24,0]"#),
        "{text}"
    );
    assert!(text.ends_with("{\"event\":\"end\",\"estimated_rate_hz\":null}\n"));
    let nan = written(&[record(0, 0)], &[], f64::NAN);
    assert!(nan.contains(r#""microvolts":[null,null,null,null,null,null]"#));
    // Still the fast path's shape.
    assert!(exact_packet(nan.trim_end().as_bytes()).is_some());
}

#[test]
fn other_producers_any_order_spaces_and_extra_keys() {
    let r = record(7, 9);
    for line in [
        r#"{"switches":15,"channels":[512,498,530,1023,0,512],"frame":9,"version":2,"sample_index":7,"timestamp_us":1700000000027342}"#,
        r#" { "timestamp_us" : 1700000000027342 , "sample_index" : 7 , "version" : 2 , "frame" : 9 , "channels" : [ 512 , 498 , 530 , 1023 , 0 , 512 ] , "switches" : 15 , "device" : "x" } "#,
        r#"{"timestamp_us":1700000000027342,"sample_index":7,"version":2,"frame":9,"channels":[512,498,530,1023,0,512],"microvolts":"not read","switches":15}"#,
    ] {
        assert_eq!(parsed(line), Ok(Some(Item::Record(r))), "{line}");
    }
    assert_eq!(
        parsed(r#"{"count":5,"event":"trailing_bytes","why":[1,{"x":null}]}"#),
        Ok(Some(Item::Event(SessionEvent::TrailingBytes { count: 5 })))
    );
    assert_eq!(
        parsed(r#"{"event":"protocol","protocol":"P2"}"#),
        Ok(Some(Item::Event(SessionEvent::Protocol {
            protocol: Protocol::P2
        })))
    );
}

#[test]
fn packets_without_an_index_are_counted() {
    let mut parser = JsonParser::new();
    let line = |frame: u8| {
        format!(
            r#"{{"timestamp_us":1,"version":2,"frame":{frame},"channels":[1,2,3,4,5,6],"switches":15}}"#
        )
    };
    let mut indices = Vec::new();
    for text in [
        line(0),
        line(1),
        r#"{"event":"lost","count":2,"first_sample_index":2,"timestamp_us":1}"#.to_owned(),
        line(4),
    ] {
        for item in parser.parse_line(text.as_bytes()).unwrap() {
            if let Item::Record(r) = item {
                indices.push(r.sample_index);
            }
        }
    }
    assert_eq!(indices, [0, 1, 4]);
}

#[test]
fn unknown_events_are_items() {
    for line in [
        r#"{"event":"mark","label":"mark 1"}"#,
        r#"{"event":"protocol","protocol":"P4","version":4}"#,
        r#"{"event":"restart","sample_index":1,"timestamp_us":1,"previous_counter":1,"counter":0,"evidence":"watchdog"}"#,
    ] {
        assert_eq!(
            parsed(line),
            Ok(Some(Item::Unknown(line.to_owned()))),
            "{line}"
        );
    }
}

#[test]
fn damaged_lines_are_errors_with_a_reason() {
    for (line, reason) in [
        ("[1,2]", "not a JSON object"),
        ("null", "not a JSON object"),
        (r#"{"event":5}"#, "`event`: expected a string"),
        (r#"{"event":"lost","count":3}"#, "no `first_sample_index`"),
        (
            r#"{"event":"lost","count":-3,"first_sample_index":1,"timestamp_us":1}"#,
            "`count`: expected an unsigned integer",
        ),
        (r#"{"event":"device_id","id":5}"#, "`id`: expected a string"),
        (
            r#"{"event":"end","estimated_rate_hz":"fast"}"#,
            "`estimated_rate_hz`: expected a positive number or null",
        ),
        (r#"{}"#, "no `timestamp_us`"),
        (
            r#"{"timestamp_us":1,"version":2,"frame":0,"channels":[1,2,3,4,5],"switches":15}"#,
            "`channels`: expected an array of six codes",
        ),
        (
            r#"{"timestamp_us":1,"version":2,"frame":0,"channels":[1,2,3,4,5,1024],"switches":15}"#,
            "`ch6`: expected a code 0..=1023",
        ),
        (
            r#"{"timestamp_us":1,"version":2,"frame":0,"channels":[1,2,3,4,5,512.0],"switches":15}"#,
            "`ch6`: expected a code 0..=1023",
        ),
        (
            r#"{"timestamp_us":-0,"version":2,"frame":0,"channels":[1,2,3,4,5,6],"switches":15}"#,
            "`timestamp_us`: expected an integer",
        ),
        (
            r#"{"timestamp_us":1,"version":3,"frame":64,"channels":[1,2,3,4,5,6],"switches":15}"#,
            "`frame`: expected a P3 counter 0..=63",
        ),
        (
            r#"{"timestamp_us":1,"sample_index":"0","version":2,"frame":0,"channels":[1,2,3,4,5,6],"switches":15}"#,
            "`sample_index`: expected an unsigned integer",
        ),
    ] {
        assert_eq!(parsed(line).unwrap_err().to_string(), reason, "{line}");
    }
    for line in [
        &b"{\"event\":\"lost\""[..],
        b"{\"a\":1}}",
        b"{\"s\":\"\xff\"}",
        b"  ",
    ] {
        let error = JsonParser::new().parse_line(line).unwrap_err();
        assert!(error.to_string().starts_with("not JSON: "), "{error}");
    }
}

/// The fast path reads exactly what the general path reads, or leaves the line to it.
#[test]
fn the_fast_path_agrees_with_serde_json_on_damaged_lines() {
    let text = written(&[record(1_000_000, 200)], &[], 0.488);
    let line = text.trim_end().as_bytes();
    let general = |line: &[u8]| JsonParser::new().general(line);
    let mut variants: Vec<Vec<u8>> = Vec::new();
    for i in 0..line.len() {
        variants.push(line[..i].to_vec());
        variants.push([&line[..i], &line[i + 1..]].concat());
        for b in [
            b'0', b'9', b'-', b'.', b'e', b' ', b'"', b',', b'}', b']', b'n',
        ] {
            let mut v = line.to_vec();
            v[i] = b;
            variants.push(v.clone());
            v.insert(i, b);
            variants.push(v);
        }
    }
    let mut fast = 0;
    for v in &variants {
        if let Some(record) = exact_packet(v) {
            fast += 1;
            let expected = general(v).map(|mut items| items.next());
            assert_eq!(
                expected,
                Ok(Some(Item::Record(record))),
                "{}",
                String::from_utf8_lossy(v)
            );
        }
    }
    assert!(fast > 100, "{fast} variants took the fast path");
}

/// What every event is as JSON, written out independently of the vocabulary's table.
fn expected_json(event: &SessionEvent) -> Value {
    match event {
        SessionEvent::Lost {
            count,
            first_sample_index,
            timestamp_us,
        } => {
            json!({"event": "lost", "count": count, "first_sample_index": first_sample_index, "timestamp_us": timestamp_us})
        }
        SessionEvent::SyncLost { at_byte } => json!({"event": "sync_lost", "at_byte": at_byte}),
        SessionEvent::Resync { skipped_bytes } => {
            json!({"event": "resync", "skipped_bytes": skipped_bytes})
        }
        SessionEvent::Protocol { protocol } => {
            json!({"event": "protocol", "protocol": protocol.to_string(), "version": protocol.version()})
        }
        SessionEvent::DeviceId { id } => json!({"event": "device_id", "id": id}),
        SessionEvent::DeviceGone {
            reason,
            timestamp_us,
        } => json!({"event": "device_gone", "reason": reason, "timestamp_us": timestamp_us}),
        SessionEvent::DeviceBack {
            device,
            timestamp_us,
        } => json!({"event": "device_back", "device": device, "timestamp_us": timestamp_us}),
        SessionEvent::Switches {
            sample_index,
            previous,
            current,
        } => {
            json!({"event": "switches", "sample_index": sample_index, "previous": previous, "current": current})
        }
        SessionEvent::Restart {
            sample_index,
            timestamp_us,
            previous_counter,
            counter,
            evidence,
        } => {
            json!({"event": "restart", "sample_index": sample_index, "timestamp_us": timestamp_us, "previous_counter": previous_counter, "counter": counter, "evidence": evidence.name()})
        }
        SessionEvent::CounterStalled { counter } => {
            json!({"event": "counter_stalled", "counter": counter})
        }
        SessionEvent::TrailingBytes { count } => json!({"event": "trailing_bytes", "count": count}),
        SessionEvent::End { estimated_rate_hz } => {
            json!({"event": "end", "estimated_rate_hz": estimated_rate_hz})
        }
    }
}

/// Checks `line` with serde_json, an independent parser: one object holding what `item` says.
pub fn check_with_serde_json(line: &str, item: &Item, microvolts_per_lsb: f64) {
    let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    match item {
        Item::Event(event) => assert_eq!(value, expected_json(event), "{line}"),
        Item::Record(r) => {
            let mut value = value;
            let microvolts = value
                .as_object_mut()
                .and_then(|o| o.remove("microvolts"))
                .unwrap_or_else(|| panic!("no microvolts: {line}"));
            for (written, uv) in microvolts
                .as_array()
                .unwrap()
                .iter()
                .zip(r.microvolts(microvolts_per_lsb))
            {
                match written.as_f64() {
                    Some(w) => {
                        assert!((w - uv).abs() <= 0.5e-6 * (1.0 + uv.abs() * 1e-9), "{line}")
                    }
                    None => assert!(written.is_null() && !uv.is_finite(), "{line}"),
                }
            }
            let expected = json!({
                "timestamp_us": r.timestamp_us,
                "sample_index": r.sample_index,
                "version": r.protocol.version(),
                "frame": r.counter,
                "channels": r.samples,
                "switches": r.switches,
            });
            assert_eq!(value, expected, "{line}");
        }
        Item::Unknown(_) => panic!("the writer wrote an unknown item"),
    }
}

#[test]
fn every_golden_line_is_json() {
    let items: Vec<Item> = [record(0, 255)]
        .map(Item::Record)
        .into_iter()
        .chain(every_event().into_iter().map(Item::Event))
        .collect();
    let text = written(&[record(0, 255)], &every_event(), 0.5);
    for (line, item) in text.lines().zip(&items) {
        check_with_serde_json(line, item, 0.5);
    }
}
