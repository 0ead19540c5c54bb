use std::io::{self, Write};

use super::super::event::tests::every_event;
use super::super::{Item, ParseError, Record, SessionEvent};
use super::{TextParser, TextWriter};
use crate::{Protocol, RestartEvidence};

/// A P2 packet with recognisable values.
pub fn record(sample_index: u64, counter: u8) -> Record {
    Record {
        timestamp_us: 1_700_000_000_000_000 + sample_index as i64 * 3906,
        sample_index,
        protocol: Protocol::P2,
        counter,
        samples: [512, 498, 530, 1023, 0, 512],
        switches: 15,
    }
}

fn written(records: &[Record], events: &[SessionEvent]) -> String {
    let mut out = Vec::new();
    let mut writer = TextWriter::new(&mut out);
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

fn parsed(text: &str) -> Vec<Result<Item, ParseError>> {
    let mut parser = TextParser::new();
    let mut items = Vec::new();
    for line in text.split_inclusive('\n') {
        match parser.parse_line(line.as_bytes()) {
            Ok(line_items) => items.extend(line_items.map(Ok)),
            Err(e) => items.push(Err(e)),
        }
    }
    items
}

#[test]
fn golden_lines_and_events() {
    let mut p3 = record(1, 63);
    p3.protocol = Protocol::P3;
    p3.switches = 11;
    // The data lines are byte for byte the original reader's.
    let expected = r#"1700000000000000|2|255|512|498|530|1023|0|512|15
1700000000003906|3|63|512|498|530|1023|0|512|11
# protocol protocol=P3 version=3
# device_id id="mEEG\"v1\\0\n"
# lost count=3 first_sample_index=1200 timestamp_us=1700000004687500
# lost count=1 first_sample_index=7 timestamp_us=1700000000027344
# sync_lost at_byte=4096
# resync skipped_bytes=37
# device_gone reason="read failed:\tgone\u001b[2J" timestamp_us=1700000010000000
# device_back device=/dev/ttyUSB0 timestamp_us=1700000012000000
# switches sample_index=400 previous=15 current=11
# restart sample_index=5120 timestamp_us=1700000020000000 previous_counter=57 counter=0 evidence=reset-signal
# restart sample_index=6000 timestamp_us=1700000023437500 previous_counter=12 counter=200 evidence=elapsed-time
# counter_stalled counter=7
# trailing_bytes count=5
# end estimated_rate_hz=257.142857
"#;
    let text = written(&[record(0, 255), p3], &every_event());
    assert_eq!(text, expected);
    let items: Vec<_> = parsed(&text).into_iter().map(Result::unwrap).collect();
    let expected_items: Vec<_> = [record(0, 255), p3]
        .map(Item::Record)
        .into_iter()
        .chain(every_event().into_iter().map(Item::Event))
        .collect();
    assert_eq!(items, expected_items);
}

#[test]
fn unknown_rate_and_negative_times() {
    let mut r = record(0, 0);
    r.timestamp_us = -5;
    let text = written(&[r], &[SessionEvent::end(f64::NAN)]);
    assert_eq!(
        text,
        "-5|2|0|512|498|530|1023|0|512|15\n# end estimated_rate_hz=null\n"
    );
    assert_eq!(
        parsed(&text),
        [Ok(Item::Record(r)), Ok(Item::Event(SessionEvent::end(0.0)))]
    );
}

#[test]
fn sample_indices_follow_the_events() {
    let text = "\
# protocol protocol=P2 version=2
1|2|0|512|512|512|512|512|512|15
# lost count=3 first_sample_index=1 timestamp_us=2
1|2|4|512|512|512|512|512|512|15
# switches sample_index=5 previous=15 current=14
1|2|5|512|512|512|512|512|512|14
# restart sample_index=6 timestamp_us=9 previous_counter=5 counter=0 evidence=reset-signal
1|2|0|512|512|512|512|512|512|14
# a comment
1|2|1|512|512|512|512|512|512|14
";
    let indices: Vec<u64> = parsed(text)
        .into_iter()
        .filter_map(|item| match item {
            Ok(Item::Record(r)) => Some(r.sample_index),
            _ => None,
        })
        .collect();
    assert_eq!(indices, [0, 4, 5, 6, 7]);
}

#[test]
fn other_hash_lines_are_unknown() {
    for line in [
        "#",
        "# ",
        "#protocol protocol=P2",
        "# OpenEEG recording by eegreader 0.1.0",
        // The reader's lines before this format.
        "# protocol P2",
        "# lost 3 packets at sample 1200 (timestamp_us=1700000004687500)",
        "# end: estimated rate 257.142857 Hz",
        // Newer vocabulary.
        "# mark label=\"mark 1\" sample_index=5",
        "# restart sample_index=5 timestamp_us=1 previous_counter=57 counter=0 evidence=watchdog",
    ] {
        assert_eq!(parsed(line), [Ok(Item::Unknown(line.to_owned()))], "{line}");
    }
    assert_eq!(parsed(""), []);
    assert_eq!(parsed("\r\n"), []);
}

#[test]
fn damaged_lines_are_errors_with_a_reason() {
    for (line, reason) in [
        (
            "1700000000000000|2|255|512|498|530|1023|0|512",
            "fewer than 10 `|`-separated fields",
        ),
        (
            "1700000000000000|2|255|512|498|530|1023|0|512|15|15",
            "more than 10 `|`-separated fields",
        ),
        (
            "1700000000000000|2|255|512|498|530|1023|0|512|15|",
            "more than 10 `|`-separated fields",
        ),
        ("hello", "fewer than 10 `|`-separated fields"),
        (
            "1700000000000000|2|255|512|498|abc|1023|0|512|15",
            "`ch3`: expected a code 0..=1023",
        ),
        (
            "1700000000000000|2|255|512|498| 530|1023|0|512|15",
            "`ch3`: expected a code 0..=1023",
        ),
        (
            "1700000000000000|2|255||498|530|1023|0|512|15",
            "`ch1`: expected a code 0..=1023",
        ),
        (
            "1700000000000000|2|255|512|498|530|1024|0|512|15",
            "`ch4`: expected a code 0..=1023",
        ),
        (
            "17000000000000x0|2|255|512|498|530|1023|0|512|15",
            "`timestamp_us`: expected an integer",
        ),
        (
            "1700000000000000|4|255|512|498|530|1023|0|512|15",
            "`version`: expected 2 or 3",
        ),
        (
            "1700000000000000|2|256|512|498|530|1023|0|512|15",
            "`frame`: expected a P2 counter 0..=255",
        ),
        (
            "1700000000000000|3|64|512|498|530|1023|0|512|15",
            "`frame`: expected a P3 counter 0..=63",
        ),
        (
            "1700000000000000|2|255|512|498|530|1023|0|512|16",
            "`switches`: expected a switch byte 0..=15",
        ),
        (
            "99999999999999999999|2|255|512|498|530|1023|0|512|15",
            "`timestamp_us`: expected an integer",
        ),
        ("# lost count=3", "no `first_sample_index`"),
        (
            "# device_gone reason=\"cut sh",
            "a quoted value is not a closed JSON string",
        ),
        (
            "# switches sample_index=1 previous=15 current=99",
            "`current`: expected a switch byte 0..=15",
        ),
    ] {
        let result = parsed(line);
        assert_eq!(result.len(), 1, "{line}");
        assert_eq!(
            result[0].as_ref().unwrap_err().to_string(),
            reason,
            "{line}"
        );
    }
    let mut parser = TextParser::new();
    assert_eq!(
        parser.parse_line(b"# device_gone reason=\xff timestamp_us=1"),
        Err(ParseError::NotUtf8)
    );
    assert_eq!(
        parser.parse_line(&vec![b'1'; super::super::MAX_LINE + 1]),
        Err(ParseError::TooLong)
    );
}

#[test]
fn nothing_reaches_the_writer_before_flush() {
    let mut out = Vec::new();
    let mut writer = TextWriter::new(&mut out);
    writer.record(&record(0, 0)).unwrap();
    assert_eq!(writer.size(), 47);
    drop(writer);
    assert!(out.is_empty());
}

#[test]
fn a_closed_pipe_stays_a_broken_pipe() {
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut writer = TextWriter::new(Closed);
    writer
        .event(&SessionEvent::Restart {
            sample_index: 0,
            timestamp_us: 0,
            previous_counter: 1,
            counter: 0,
            evidence: RestartEvidence::ResetSignal,
        })
        .unwrap();
    assert_eq!(
        writer.flush().unwrap_err().kind(),
        io::ErrorKind::BrokenPipe
    );
}
