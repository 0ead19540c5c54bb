//! Across the formats: what any writer writes, its parser reads back; the parsers survive any
//! input; and the reader's fixtures read as today's reader wrote them.

mod fixtures;
mod strategy;

use proptest::prelude::*;

use self::strategy::{any_event, any_record, session, session_info};
use super::json::tests::check_with_serde_json;
use super::{
    CsvWriter, Format, Item, JsonParser, JsonWriter, ParseError, Parser, SessionInfo, TextParser,
    TextWriter, parse_marker,
};

pub(super) fn write_text(items: &[Item]) -> Vec<u8> {
    let mut writer = TextWriter::new(Vec::new());
    for item in items {
        match item {
            Item::Record(r) => writer.record(r).unwrap(),
            Item::Event(e) => writer.event(e).unwrap(),
            Item::Unknown(_) => unreachable!("writers write what they know"),
        }
    }
    writer.into_inner().unwrap()
}

pub(super) fn write_json(items: &[Item], microvolts_per_lsb: f64) -> Vec<u8> {
    let mut writer = JsonWriter::new(Vec::new(), microvolts_per_lsb);
    for item in items {
        match item {
            Item::Record(r) => writer.record(r).unwrap(),
            Item::Event(e) => writer.event(e).unwrap(),
            Item::Unknown(_) => unreachable!("writers write what they know"),
        }
    }
    writer.into_inner().unwrap()
}

pub(super) fn write_csv(items: &[Item], info: &SessionInfo) -> Vec<u8> {
    let mut writer = CsvWriter::new(Vec::new(), info);
    for item in items {
        match item {
            Item::Record(r) => writer.record(r).unwrap(),
            Item::Event(e) => writer.event(e).unwrap(),
            Item::Unknown(_) => unreachable!("writers write what they know"),
        }
    }
    writer.into_inner().unwrap()
}

/// Every line of `bytes` through `parser`, errors in place.
pub(super) fn parse_all(parser: &mut Parser, bytes: &[u8]) -> Vec<Result<Item, ParseError>> {
    let mut items = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match parser.parse_line(line) {
            Ok(line_items) => items.extend(line_items.map(Ok)),
            Err(e) => items.push(Err(e)),
        }
    }
    if let Err(e) = parser.finish() {
        items.push(Err(e));
    }
    items
}

/// The items, which must all have parsed.
pub(super) fn all_ok(items: Vec<Result<Item, ParseError>>) -> Vec<Item> {
    items
        .into_iter()
        .map(|item| item.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// The CSV writer's test session.
pub(super) fn csv_session() -> SessionInfo {
    super::csv::tests::session()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn text_reads_back_what_it_writes(items in session()) {
        let bytes = write_text(&items);
        prop_assert_eq!(all_ok(parse_all(&mut Parser::Text(TextParser::new()), &bytes)), items);
    }

    #[test]
    fn json_reads_back_what_it_writes(
        items in proptest::collection::vec(prop_oneof![
            any_record().prop_map(Item::Record),
            any_event().prop_map(Item::Event),
        ], 0..40),
        scale in prop_oneof![Just(0.5), Just(0.52), 1e-6..1e3f64],
    ) {
        let bytes = write_json(&items, scale);
        for (line, item) in String::from_utf8(bytes.clone()).unwrap().lines().zip(&items) {
            check_with_serde_json(line, item, scale);
        }
        prop_assert_eq!(all_ok(parse_all(&mut Parser::Json(JsonParser::new()), &bytes)), items);
    }

    #[test]
    fn sessions_read_back_the_same_in_every_format(items in session(), info in session_info()) {
        let text = all_ok(parse_all(&mut Parser::Text(TextParser::new()), &write_text(&items)));
        let json = all_ok(parse_all(&mut Parser::Json(JsonParser::new()), &write_json(&items, 0.5)));
        let mut csv_parser = Parser::Csv(Box::default());
        let csv = all_ok(parse_all(&mut csv_parser, &write_csv(&items, &info)));
        prop_assert_eq!(&text, &items);
        prop_assert_eq!(&json, &items);
        // The session's switch changes are right before their packets, where a CSV reader finds
        // them.
        prop_assert_eq!(&csv, &items);
        let Parser::Csv(csv_parser) = csv_parser else { unreachable!() };
        prop_assert_eq!(csv_parser.session(), Some(&info));
    }

    #[test]
    fn markers_read_back(event in any_event()) {
        let text = event.to_string();
        prop_assert!(!text.contains('\n'));
        let mut line = b"# ".to_vec();
        line.extend_from_slice(text.as_bytes());
        prop_assert_eq!(write_text(&[Item::Event(event.clone())]), [&line[..], b"\n"].concat());
        prop_assert_eq!(parse_marker(&text), Ok(Item::Event(event)));
    }

    /// Any bytes: no panic, and every error says why.
    #[test]
    fn parsers_survive_any_line(lines in proptest::collection::vec(
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..80),
            "[#{}\\[\\]\",:|0-9a-z_= .-]{0,80}".prop_map(String::into_bytes),
        ],
        0..20,
    )) {
        for format in [Format::Text, Format::Json, Format::Csv] {
            let mut parser = format.parser();
            if format == Format::Csv {
                for line in write_csv(&[], &csv_session()).split_inclusive(|&b| b == b'\n') {
                    parser.parse_line(line).unwrap();
                }
            }
            for line in &lines {
                if let Err(e) = parser.parse_line(line) {
                    prop_assert!(!e.to_string().is_empty());
                }
            }
            let _ = parser.finish();
            if let Ok(text) = std::str::from_utf8(&lines.concat()) {
                let _ = parse_marker(text);
            }
        }
    }

    /// A damaged line of JSON lines costs that line only.
    #[test]
    fn damage_stays_on_its_line(
        items in session(),
        at in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let bytes = write_json(&items, 0.5);
        let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
        prop_assume!(!lines.is_empty());
        let damaged_at = at.index(lines.len());
        let line = lines[damaged_at];
        let mut damaged = line[..cut.index(line.len())].to_vec();
        damaged.push(byte);
        let mut parser = JsonParser::new();
        for (i, line) in lines.iter().enumerate() {
            let result = parser.parse_line(if i == damaged_at { &damaged } else { line });
            if i != damaged_at {
                prop_assert_eq!(result.unwrap().next(), Some(items[i].clone()));
            }
        }
        // And the text format's lines, damaged anywhere, never panic.
        let text = write_text(&items);
        let cut = cut.index(text.len().max(1));
        let mut damaged = text.clone();
        if cut < damaged.len() {
            damaged[cut] = byte;
        }
        parse_all(&mut Parser::Text(TextParser::new()), &damaged);
        let csv = write_csv(&items, &csv_session());
        let mut damaged = csv.clone();
        let cut = cut.min(damaged.len().saturating_sub(1));
        damaged.insert(cut, byte);
        parse_all(&mut Parser::Csv(Box::default()), &damaged);
    }
}
