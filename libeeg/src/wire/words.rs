//! An event as words, `name key=value ...`: the text format's `#` lines after their `# `, and
//! the LSL marker texts.
//!
//! ```text
//! words  = name *( " " key "=" value )
//! name   = 1*( a-z / 0-9 / "_" )              ; SessionEvent::name
//! key    = 1*( a-z / 0-9 / "_" )
//! value  = bare / string
//! bare   = 1*( any character but space ), not starting with `"`
//! string = a JSON string literal (RFC 8259)
//! ```
//!
//! Numbers are bare (`count=3`, `estimated_rate_hz=257.142857`, `null` for an unknown rate);
//! text is bare when it is printable ASCII without spaces, quotes or backslashes
//! (`device=/dev/ttyUSB0`, `evidence=reset-signal`), and a JSON string otherwise
//! (`reason="read failed: No such device"`), so any event is one line and reads back exactly.
//!
//! Words whose name is not followed by a `key=` (`lost 3 packets ...`, the reader's English
//! lines before this module) are not event words: they read as unknown, like a name this
//! version does not know. Once a name and a first `key=` show the grammar, anything that
//! breaks it is an error.

use std::borrow::Cow;

use super::field::{FieldValue, Found};
use super::json_string::{push_json_string, read_json_string};
use super::number::{push_decimal, push_i64, push_u64};
use super::{ParseError, SessionEvent};

/// Appends `event` as words (no line end).
pub(crate) fn push_words(out: &mut Vec<u8>, event: &SessionEvent) {
    out.extend_from_slice(event.name().as_bytes());
    event.for_each_field(|key, value| {
        out.push(b' ');
        out.extend_from_slice(key.as_bytes());
        out.push(b'=');
        match value {
            FieldValue::Unsigned(v) => push_u64(out, v),
            FieldValue::Signed(v) => push_i64(out, v),
            FieldValue::Text(text) if is_bare(text) => out.extend_from_slice(text.as_bytes()),
            FieldValue::Text(text) => push_json_string(out, text),
            FieldValue::Decimal(v) => {
                if !v.is_some_and(|v| push_decimal(out, v)) {
                    out.extend_from_slice(b"null");
                }
            }
        }
    });
}

/// Whether `text` can be written without quotes and read back the same.
fn is_bare(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// The event `text` holds as words; `Ok(None)` when it is not event words or names what this
/// version does not know.
pub(crate) fn parse_words(text: &str) -> Result<Option<SessionEvent>, ParseError> {
    let (name, rest) = text.split_once(' ').unwrap_or((text, ""));
    let starts_a_field = rest.split_once('=').is_some_and(|(key, _)| is_word(key));
    if !is_word(name) || !(text.len() == name.len() || starts_a_field) {
        return Ok(None);
    }
    SessionEvent::from_fields(name, &parse_fields(rest)?[..])
}

/// The `key=value` fields of `rest` (separated by one space), in order.
pub(crate) fn parse_fields(mut rest: &str) -> Result<Vec<(&str, Found<'_>)>, ParseError> {
    let mut fields: Vec<(&str, Found<'_>)> = Vec::new();
    while !rest.is_empty() {
        let (key, value) = rest
            .split_once('=')
            .filter(|(key, _)| is_word(key))
            .ok_or(ParseError::malformed("a field is not `key=value`"))?;
        let (value, after) = if value.starts_with('"') {
            let (value, after) = read_json_string(value).ok_or(ParseError::malformed(
                "a quoted value is not a closed JSON string",
            ))?;
            (Found::Quoted(Cow::Owned(value)), after)
        } else {
            let end = value.find(' ').unwrap_or(value.len());
            if end == 0 {
                return Err(ParseError::malformed("a field has no value"));
            }
            (Found::Bare(&value[..end]), &value[end..])
        };
        fields.push((key, value));
        rest = match after.strip_prefix(' ') {
            Some("") => return Err(ParseError::malformed("a space after the last field")),
            Some(next) => next,
            None if after.is_empty() => after,
            None => return Err(ParseError::malformed("no space between fields")),
        };
    }
    Ok(fields)
}

/// A name or key: lowercase ASCII letters, digits and `_`.
fn is_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::event::tests::every_event;

    fn words(event: &SessionEvent) -> String {
        let mut out = Vec::new();
        push_words(&mut out, event);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn golden_words() {
        let expected = [
            "protocol protocol=P3 version=3",
            r#"device_id id="mEEG\"v1\\0\n""#,
            "lost count=3 first_sample_index=1200 timestamp_us=1700000004687500",
            "lost count=1 first_sample_index=7 timestamp_us=1700000000027344",
            "sync_lost at_byte=4096",
            "resync skipped_bytes=37",
            r#"device_gone reason="read failed:\tgone\u001b[2J" timestamp_us=1700000010000000"#,
            "device_back device=/dev/ttyUSB0 timestamp_us=1700000012000000",
            "switches sample_index=400 previous=15 current=11",
            "restart sample_index=5120 timestamp_us=1700000020000000 previous_counter=57 counter=0 evidence=reset-signal",
            "restart sample_index=6000 timestamp_us=1700000023437500 previous_counter=12 counter=200 evidence=elapsed-time",
            "counter_stalled counter=7",
            "trailing_bytes count=5",
            "end estimated_rate_hz=257.142857",
        ];
        let events = every_event();
        assert_eq!(events.len(), expected.len());
        for (event, expected) in events.iter().zip(expected) {
            assert_eq!(words(event), expected);
            assert_eq!(parse_words(expected), Ok(Some(event.clone())), "{expected}");
        }
        assert_eq!(
            words(&SessionEvent::end(f64::NAN)),
            "end estimated_rate_hz=null"
        );
    }

    #[test]
    fn text_is_bare_only_when_it_reads_back_the_same() {
        for (text, written) in [
            ("/dev/ttyUSB0", "/dev/ttyUSB0"),
            ("a=b", "a=b"),
            ("null", "null"),
            ("42", "42"),
            ("", r#""""#),
            ("two words", r#""two words""#),
            ("ü", r#""ü""#),
            ("back\\slash", r#""back\\slash""#),
            ("\"", r#""\"""#),
        ] {
            let event = SessionEvent::DeviceBack {
                device: text.to_owned(),
                timestamp_us: -1,
            };
            let line = words(&event);
            assert_eq!(
                line,
                format!("device_back device={written} timestamp_us=-1")
            );
            assert_eq!(parse_words(&line), Ok(Some(event)));
        }
    }

    #[test]
    fn keys_in_any_order() {
        assert_eq!(
            parse_words("resync skipped_bytes=1 extra=\"new key\""),
            Ok(Some(SessionEvent::Resync { skipped_bytes: 1 }))
        );
        assert_eq!(
            parse_words("lost timestamp_us=5 count=3 first_sample_index=2"),
            Ok(Some(SessionEvent::Lost {
                count: 3,
                first_sample_index: 2,
                timestamp_us: 5
            }))
        );
    }

    #[test]
    fn not_event_words_are_unknown() {
        for text in [
            "",
            "lost 3 packets at sample 1200 (timestamp_us=1700000004687500)",
            "protocol P2",
            "end: estimated rate 256 Hz",
            "device gone: read failed (timestamp_us=1)",
            "OpenEEG recording by eegreader 0.1.0",
            "mark label=\"mark 1\"",
            "Lost count=3",
            "lost =3",
        ] {
            assert_eq!(parse_words(text), Ok(None), "{text:?}");
        }
    }

    #[test]
    fn broken_event_words_are_errors() {
        for (text, reason) in [
            ("lost", "no `count`"),
            ("lost count=3", "no `first_sample_index`"),
            (
                "lost count=3 first_sample_index=1 timestamp_us=x",
                "`timestamp_us`: expected an integer",
            ),
            ("lost count=3 first_sam", "a field is not `key=value`"),
            ("lost count=", "a field has no value"),
            ("lost count=3 ", "a space after the last field"),
            (
                "lost count=3  first_sample_index=1",
                "a field is not `key=value`",
            ),
            (
                "device_gone reason=\"read fa",
                "a quoted value is not a closed JSON string",
            ),
            (
                "device_gone reason=\"a\"timestamp_us=1",
                "no space between fields",
            ),
            (
                "device_gone reason=\"\\q\" timestamp_us=1",
                "a quoted value is not a closed JSON string",
            ),
            (
                "resync skipped_bytes=\"37\"",
                "`skipped_bytes`: expected an unsigned integer",
            ),
        ] {
            let error = parse_words(text).unwrap_err();
            assert_eq!(error.to_string(), reason, "{text:?}");
        }
    }
}
