use std::io::{self, Write};

use ::csv::{ReaderBuilder, StringRecord, WriterBuilder};
use proptest::prelude::*;

use super::super::text::tests::record;
use super::super::{Item, MAX_LINE, ParseError, Record, SessionEvent, SessionInfo};
use super::field::push_field;
use super::{COLUMNS, CsvParser, CsvWriter, DETAIL, TIMESTAMP, Totals};
use crate::{Protocol, RestartEvidence};

pub fn session() -> SessionInfo {
    SessionInfo {
        software: "eegreader 0.1.0".to_owned(),
        source: "/dev/ttyUSB0".to_owned(),
        profile: "modular-eeg".to_owned(),
        microvolts_per_lsb: 0.5,
        nominal_rate_hz: 256.0,
        start_us: 1_700_000_000_000_000,
        labels: ["Fp1", "Fp2", "C3", "C4", "P3", "P4"]
            .map(String::from)
            .to_vec(),
    }
}

/// The header eegreader's CSV sink wrote before this module, byte for byte.
const HEADER: &str = "\
# OpenEEG recording by eegreader 0.1.0
# source=/dev/ttyUSB0
# profile=modular-eeg
# start_time=2023-11-14T22:13:20.000000Z
# start_us=1700000000000000
# nominal_rate_hz=256
# scale_uv_per_lsb=0.5
# labels=Fp1,Fp2,C3,C4,P3,P4
# estimated_rate_hz: on the last line, written when the session ends
# column kind: packet, or the stream event the row records: gap (packets lost), device_gone, device_back,
#   protocol, device_id, sync_lost, resync, restart (no loss), counter_stalled, trailing_bytes
# column sample_index: position in the session, counting lost packets (gap: the first lost one;
#   restart: the first packet after it)
# column timestamp_us: sample time (device_gone, device_back: wall-clock time), microseconds since the Unix epoch, UTC
# column counter: the packet counter as sent (restart: the counter it jumped to)
# column ch1..ch6: raw 10-bit ADC codes, 0..1023, mid-scale 512
# column ch1_uv..ch6_uv: microvolts, (code - 512) * scale_uv_per_lsb, rounded to 0.000001
# column switches: switch inputs, bits 3..0, pressed = 0 (15: none pressed)
# column lost: how many packets are missing (gap rows)
# column detail: gone reason, device, protocol, id, at_byte=N, skipped_bytes=N, bytes=N,
#   previous_counter=N evidence=reset-signal|elapsed-time (restart)
kind,sample_index,timestamp_us,counter,ch1,ch2,ch3,ch4,ch5,ch6,ch1_uv,ch2_uv,ch3_uv,ch4_uv,ch5_uv,ch6_uv,switches,lost,detail
";

/// A session with every kind of row, as eegreader's CSV sink test wrote it.
fn items() -> Vec<Item> {
    let mut later = record(4, 21);
    later.switches = 11;
    vec![
        Item::Event(SessionEvent::Protocol {
            protocol: Protocol::P2,
        }),
        Item::Record(record(0, 17)),
        Item::Event(SessionEvent::Lost {
            count: 3,
            first_sample_index: 1,
            timestamp_us: 1_700_000_000_003_906,
        }),
        Item::Event(SessionEvent::Switches {
            sample_index: 4,
            previous: 15,
            current: 11,
        }),
        Item::Record(later),
        Item::Event(SessionEvent::DeviceGone {
            reason: "read failed: \"gone\", #5\nreally".to_owned(),
            timestamp_us: 1_700_000_010_000_000,
        }),
        Item::Event(SessionEvent::DeviceBack {
            device: "/dev/ttyUSB0".to_owned(),
            timestamp_us: 1_700_000_012_000_000,
        }),
        Item::Event(SessionEvent::SyncLost { at_byte: 4096 }),
        Item::Event(SessionEvent::Resync { skipped_bytes: 37 }),
        Item::Event(SessionEvent::DeviceId {
            id: "mEEGv1.0".to_owned(),
        }),
        Item::Event(SessionEvent::CounterStalled { counter: 7 }),
        Item::Event(SessionEvent::TrailingBytes { count: 5 }),
        Item::Event(SessionEvent::Restart {
            sample_index: 5,
            timestamp_us: 1_700_000_000_019_530,
            previous_counter: 21,
            counter: 0,
            evidence: RestartEvidence::ResetSignal,
        }),
        Item::Record(Record {
            timestamp_us: 1_700_000_000_019_530,
            ..record(5, 0)
        }),
        Item::Event(SessionEvent::end(257.142857)),
    ]
}

fn written(session: &SessionInfo, items: &[Item]) -> Vec<u8> {
    let mut writer = CsvWriter::new(Vec::new(), session);
    for item in items {
        match item {
            Item::Record(r) => writer.record(r).unwrap(),
            Item::Event(e) => writer.event(e).unwrap(),
            Item::Unknown(_) => unreachable!(),
        }
    }
    let size = writer.size();
    let file = writer.into_inner().unwrap();
    assert_eq!(size, file.len() as u64);
    file
}

fn parsed(file: &[u8]) -> (Vec<Result<Item, ParseError>>, CsvParser) {
    let mut parser = CsvParser::new();
    let mut items = Vec::new();
    for line in file.split_inclusive(|&b| b == b'\n') {
        match parser.parse_line(line) {
            Ok(line_items) => items.extend(line_items.map(Ok)),
            Err(e) => items.push(Err(e)),
        }
    }
    if let Err(e) = parser.finish() {
        items.push(Err(e));
    }
    (items, parser)
}

#[test]
fn golden_rows() {
    let file = written(&session(), &items());
    let text = String::from_utf8(file.clone()).unwrap();
    let expected = HEADER.to_owned()
        + "\
protocol,,,,,,,,,,,,,,,,,,P2
packet,0,1700000000000000,17,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
gap,1,1700000000003906,,,,,,,,,,,,,,,3,
packet,4,1700000000015624,21,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,11,,
device_gone,,1700000010000000,,,,,,,,,,,,,,,,\"read failed: \"\"gone\"\", #5
really\"
device_back,,1700000012000000,,,,,,,,,,,,,,,,/dev/ttyUSB0
sync_lost,,,,,,,,,,,,,,,,,,at_byte=4096
resync,,,,,,,,,,,,,,,,,,skipped_bytes=37
device_id,,,,,,,,,,,,,,,,,,mEEGv1.0
counter_stalled,,,7,,,,,,,,,,,,,,,
trailing_bytes,,,,,,,,,,,,,,,,,,bytes=5
restart,5,1700000000019530,0,,,,,,,,,,,,,,,previous_counter=21 evidence=reset-signal
packet,5,1700000000019530,0,512,498,530,1023,0,512,0,-7,9,255.5,-256,0,15,,
# packets=3
# lost=3
# estimated_rate_hz=257.142857
";
    assert_eq!(text, expected);
}

#[test]
fn rows_read_back() {
    let file = written(&session(), &items());
    let (read, parser) = parsed(&file);
    let read: Vec<Item> = read.into_iter().map(Result::unwrap).collect();
    // The switch change back to 15 before the last packet has no row either: it is found
    // from the column, as the first one is.
    let mut expected = items();
    expected.insert(
        13,
        Item::Event(SessionEvent::Switches {
            sample_index: 5,
            previous: 11,
            current: 15,
        }),
    );
    assert_eq!(read, expected);
    assert_eq!(parser.session(), Some(&session()));
    assert_eq!(
        parser.totals(),
        Totals {
            packets: 3,
            lost: 3
        }
    );
}

#[test]
fn the_csv_crate_reads_what_we_write() {
    let file = written(&session(), &items());
    let mut reader = ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(&file[..]);
    assert_eq!(
        reader.headers().unwrap(),
        &StringRecord::from(COLUMNS.to_vec())
    );
    let rows: Vec<StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 13);
    assert_eq!(&rows[4][0], "device_gone");
    assert_eq!(&rows[4][TIMESTAMP], "1700000010000000");
    assert_eq!(&rows[4][DETAIL], "read failed: \"gone\", #5\nreally");
}

#[test]
fn header_values_stay_on_their_lines() {
    let mut info = session();
    info.source = "evil\nkind,sample_index".to_owned();
    info.nominal_rate_hz = 257.14;
    let file = written(&info, &[Item::Event(SessionEvent::end(f64::NAN))]);
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(text.contains("\n# source=evil\\nkind,sample_index\n"));
    assert!(text.contains("\n# nominal_rate_hz=257.14\n"));
    assert!(text.ends_with("\n# estimated_rate_hz=unknown\n"));
    let (read, parser) = parsed(&file);
    assert_eq!(read, [Ok(Item::Event(SessionEvent::end(0.0)))]);
    // Read back as written: the escape is the value.
    assert_eq!(parser.session().unwrap().source, "evil\\nkind,sample_index");
}

#[test]
fn quoted_line_ends_span_lines_and_keep_their_carriage_returns() {
    let event = SessionEvent::DeviceGone {
        reason: "a\r\nb\n\n# not a comment\r".to_owned(),
        timestamp_us: 1,
    };
    let file = written(&session(), &[Item::Event(event.clone())]);
    let (read, _) = parsed(&file);
    assert_eq!(read, [Ok(Item::Event(event.clone()))]);
    // The same file with CRLF line ends outside the quotes reads the same.
    let text = String::from_utf8(file).unwrap();
    let crlf = text
        .replace("# column", "\r# column")
        .replace("\ndetail\n", "\ndetail\r\n");
    let (read, _) = parsed(crlf.as_bytes());
    assert_eq!(read.last(), Some(&Ok(Item::Event(event))));
}

#[test]
fn unknown_rows_and_comments_are_items() {
    let text = HEADER.to_owned()
        + "# written by hand\n\
           mark,3,1700000000011718,,,,,,,,,,,,,,,,mark 1\n\
           protocol,,,,,,,,,,,,,,,,,,P4\n\
           # reviewed\n";
    let (read, parser) = parsed(text.as_bytes());
    assert!(parser.session().is_some());
    assert_eq!(
        read,
        [
            Ok(Item::Unknown("# written by hand".to_owned())),
            Ok(Item::Unknown(
                "mark,3,1700000000011718,,,,,,,,,,,,,,,,mark 1".to_owned()
            )),
            Ok(Item::Unknown("protocol,,,,,,,,,,,,,,,,,,P4".to_owned())),
            Ok(Item::Unknown("# reviewed".to_owned())),
        ]
    );
}

#[test]
fn damaged_rows_are_errors_with_a_reason() {
    for (row, reason) in [
        (
            "packet,0,1700000000000000,17,512,498,530,1024,0,512,,,,,,,15,,",
            "`ch4`: expected a code 0..=1023",
        ),
        (
            "packet,0,1700000000000000,256,512,498,530,1023,0,512,,,,,,,15,,",
            "`counter`: expected a P2 counter 0..=255",
        ),
        (
            "packet,0,1700000000000000,17,512,498,530,1023,0,512",
            "no `switches`",
        ),
        (
            "packet,,1700000000000000,17,512,498,530,1023,0,512,,,,,,,15,,",
            "`sample_index`: expected an unsigned integer",
        ),
        (
            "gap,1,1700000000003906,,,,,,,,,,,,,,,,",
            "`lost`: expected an unsigned integer",
        ),
        ("sync_lost,,,,,,,,,,,,,,,,,,at=4096", "no `at_byte`"),
        (
            "restart,5,1,0,,,,,,,,,,,,,,,previous_counter=300 evidence=reset-signal",
            "`previous_counter`: expected a counter 0..=255",
        ),
        (
            "device_gone,,1,,,,,,,,,,,,,,,,\"a\"b",
            "text after a quoted field",
        ),
        (
            "device_gone,,1,,,,,,,,,,,,,,,,a\"b",
            "a quote inside an unquoted field",
        ),
        (
            "# packets=9",
            "`packets`: the recording says 9, its rows hold 0",
        ),
        ("# lost=1", "`lost`: the recording says 1, its rows hold 0"),
        (
            "# estimated_rate_hz=fast",
            "`estimated_rate_hz`: expected a positive number or unknown",
        ),
        (
            "device_gone,,1,,,,,,,,,,,,,,,,\"never closed",
            "the last row ends inside a quoted field",
        ),
    ] {
        let text = HEADER.to_owned() + row + "\n";
        let (read, _) = parsed(text.as_bytes());
        assert_eq!(read.len(), 1, "{row}");
        assert_eq!(read[0].as_ref().unwrap_err().to_string(), reason, "{row}");
    }
}

#[test]
fn a_damaged_header_says_what_is_missing() {
    let text = HEADER.replace("# labels=Fp1,Fp2,C3,C4,P3,P4\n", "");
    let (read, parser) = parsed(text.as_bytes());
    assert_eq!(read, [Err(ParseError::Missing("labels"))]);
    assert_eq!(parser.session(), None);
    // The rows still read.
    let text = text + "protocol,,,,,,,,,,,,,,,,,,P3\n";
    let (read, _) = parsed(text.as_bytes());
    assert_eq!(read.len(), 2);
    let without_columns = HEADER.replace(",detail\n", "\n");
    let (read, _) = parsed(without_columns.as_bytes());
    assert_eq!(read, [Err(ParseError::Missing("detail"))]);
}

#[test]
fn a_row_that_never_closes_its_quote_is_bounded() {
    let mut parser = CsvParser::new();
    for line in HEADER.lines() {
        assert!(parser.parse_line(line.as_bytes()).unwrap().next().is_none());
    }
    parser
        .parse_line(b"device_gone,,1,,,,,,,,,,,,,,,,\"open")
        .unwrap();
    let line = vec![b'x'; 1000];
    let mut errors = 0;
    for _ in 0..2 * MAX_LINE / line.len() {
        if parser.parse_line(&line) == Err(ParseError::TooLong) {
            errors += 1;
        }
    }
    assert_eq!(errors, 1);
    assert!(parser.pending.capacity() <= 2 * MAX_LINE);
}

/// A target that keeps each write apart.
#[derive(Default)]
struct Writes(Vec<Vec<u8>>);

impl Write for Writes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.push(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn rows_reach_the_target_whole() {
    let mut writer = CsvWriter::new(Writes::default(), &session());
    for i in 0..5000 {
        writer
            .event(&SessionEvent::DeviceGone {
                reason: "a\nb,\"c\"".to_owned(),
                timestamp_us: 0,
            })
            .unwrap();
        writer.record(&record(i, i as u8)).unwrap();
    }
    // Killed here: what reached the target is whole rows, each write a whole number of them.
    let writes = &writer.get_ref().0;
    assert!(writes.len() > 5);
    let mut file = Vec::new();
    for write in writes {
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .comment(Some(b'#'))
            .from_reader(&write[..]);
        for row in reader.records() {
            assert_eq!(row.unwrap().len(), COLUMNS.len());
        }
        file.extend_from_slice(write);
    }
    assert_eq!(file.last(), Some(&b'\n'));
    let (read, _) = parsed(&file);
    assert!(read.iter().all(Result::is_ok));
}

proptest! {
    /// Our quoting is the csv crate's (with `#` as comment character), and each reads the
    /// other.
    #[test]
    fn fields_as_the_csv_crate_writes_and_reads_them(fields in proptest::collection::vec(any::<String>(), 2..5)) {
        let mut ours = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                ours.push(b',');
            }
            push_field(&mut ours, field.as_bytes());
        }
        ours.push(b'\n');
        let mut theirs = WriterBuilder::new().comment(Some(b'#')).from_writer(Vec::new());
        theirs.write_record(&fields).unwrap();
        prop_assert_eq!(&ours, &theirs.into_inner().unwrap());
        let mut cells = super::field::Cells::default();
        cells.split(&ours[..ours.len() - 1]).unwrap();
        let read: Vec<&[u8]> = (0..cells.len()).map(|i| cells.get(i).unwrap()).collect();
        let expected: Vec<&[u8]> = fields.iter().map(|f| f.as_bytes()).collect();
        prop_assert_eq!(read, expected);
    }
}
