//! An event's fields between the vocabulary and the formats: the values
//! [`SessionEvent`](super::SessionEvent) lists for writing, and the values a parser found,
//! read back by key with the checks every format shares.

use std::borrow::Cow;

use super::ParseError;
use super::number::{parse_finite, parse_i64, parse_u64};

/// One field's value, as the vocabulary hands it to a writer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldValue<'a> {
    /// Counts, indices, counters, switch bytes.
    Unsigned(u64),
    /// Timestamps.
    Signed(i64),
    /// Free text and names (a protocol, a restart's evidence).
    Text(&'a str),
    /// A rate to six decimals, `null` when unknown (or not finite).
    Decimal(Option<f64>),
}

/// One field's value as a parser found it, before it is checked against its key's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found<'a> {
    /// A word without quotes (text format, CSV details): a number, `null` or text.
    Bare(&'a str),
    /// A quoted string, decoded.
    Quoted(Cow<'a, str>),
    /// A JSON value.
    Json(&'a serde_json::Value),
}

/// The fields a parser found on one line, by key.
pub(crate) trait Fields {
    /// The value of `key`; when a key repeats, the last one (as in JSON objects).
    fn get(&self, key: &str) -> Option<Found<'_>>;

    /// The value of `key`, which must be there.
    fn required(&self, key: &'static str) -> Result<Found<'_>, ParseError> {
        self.get(key).ok_or(ParseError::Missing(key))
    }

    /// An integer `0..=u64::MAX`.
    fn unsigned(&self, key: &'static str) -> Result<u64, ParseError> {
        unsigned(key, self.required(key)?)
    }

    /// An integer `0..=max`.
    fn at_most(
        &self,
        key: &'static str,
        max: u8,
        expected: &'static str,
    ) -> Result<u8, ParseError> {
        let value = self.unsigned(key)?;
        u8::try_from(value)
            .ok()
            .filter(|&v| v <= max)
            .ok_or(ParseError::invalid(key, expected))
    }

    /// A signed integer.
    fn signed(&self, key: &'static str) -> Result<i64, ParseError> {
        let found = self.required(key)?;
        let value = match found {
            Found::Bare(text) => parse_i64(text.as_bytes()),
            Found::Json(json) => json.as_i64(),
            Found::Quoted(_) => None,
        };
        value.ok_or(ParseError::invalid(key, "an integer"))
    }

    /// Text: a string, or a bare word in the formats that allow one.
    fn text(&self, key: &'static str) -> Result<Cow<'_, str>, ParseError> {
        match self.required(key)? {
            Found::Bare(text) => Ok(Cow::Borrowed(text)),
            Found::Quoted(text) => Ok(text),
            Found::Json(serde_json::Value::String(text)) => Ok(Cow::Borrowed(text)),
            Found::Json(_) => Err(ParseError::invalid(key, "a string")),
        }
    }

    /// A positive finite number, or `null` (`None`).
    fn rate(&self, key: &'static str) -> Result<Option<f64>, ParseError> {
        const EXPECTED: &str = "a positive number or null";
        let value = match self.required(key)? {
            Found::Bare("null") | Found::Json(serde_json::Value::Null) => return Ok(None),
            Found::Bare(text) => parse_finite(text),
            Found::Json(json) => json.as_f64(),
            Found::Quoted(_) => None,
        };
        match value {
            Some(rate) if rate.is_finite() && rate > 0.0 => Ok(Some(rate)),
            _ => Err(ParseError::invalid(key, EXPECTED)),
        }
    }
}

/// An integer `0..=u64::MAX` from any format.
pub(crate) fn unsigned(key: &'static str, found: Found<'_>) -> Result<u64, ParseError> {
    let value = match found {
        Found::Bare(text) => parse_u64(text.as_bytes()),
        Found::Json(json) => json.as_u64(),
        Found::Quoted(_) => None,
    };
    value.ok_or(ParseError::invalid(key, "an unsigned integer"))
}

/// The fields of a text format line or an LSL marker, in the order written.
impl Fields for [(&str, Found<'_>)] {
    fn get(&self, key: &str) -> Option<Found<'_>> {
        self.iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }
}

/// The fields of a JSON object.
impl Fields for serde_json::Map<String, serde_json::Value> {
    fn get(&self, key: &str) -> Option<Found<'_>> {
        self.get(key).map(|value| match value {
            serde_json::Value::String(text) => Found::Quoted(Cow::Borrowed(text)),
            other => Found::Json(other),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_from_words_and_json_agree() {
        let w = [
            ("n", Found::Bare("42")),
            ("t", Found::Bare("-5")),
            ("r", Found::Bare("257.142857")),
            ("u", Found::Bare("null")),
        ];
        let serde_json::Value::Object(j) = json!({"n": 42, "t": -5, "r": 257.142857, "u": null})
        else {
            unreachable!()
        };
        check(&w[..]);
        check(&j);
    }

    fn check(fields: &(impl Fields + ?Sized)) {
        assert_eq!(fields.unsigned("n"), Ok(42));
        assert_eq!(fields.at_most("n", 255, "a counter"), Ok(42));
        assert_eq!(fields.signed("t"), Ok(-5));
        assert_eq!(fields.rate("r"), Ok(Some(257.142857)));
        assert_eq!(fields.rate("u"), Ok(None));
        assert_eq!(fields.unsigned("x"), Err(ParseError::Missing("x")));
        assert_eq!(
            fields.unsigned("t"),
            Err(ParseError::invalid("t", "an unsigned integer"))
        );
        assert_eq!(
            fields.at_most("n", 15, "0..=15"),
            Err(ParseError::invalid("n", "0..=15"))
        );
    }

    #[test]
    fn strings_are_not_numbers_and_numbers_not_json_strings() {
        let w = [("n", Found::Quoted("42".into())), ("w", Found::Bare("P2"))];
        assert_eq!(
            w.unsigned("n"),
            Err(ParseError::invalid("n", "an unsigned integer"))
        );
        assert_eq!(w.text("w").as_deref(), Ok("P2"));
        let serde_json::Value::Object(j) = json!({"n": 42, "f": 1.0, "s": "P2"}) else {
            unreachable!()
        };
        assert_eq!(j.text("n"), Err(ParseError::invalid("n", "a string")));
        assert_eq!(
            j.unsigned("f"),
            Err(ParseError::invalid("f", "an unsigned integer"))
        );
        assert_eq!(j.text("s").as_deref(), Ok("P2"));
    }

    #[test]
    fn the_last_of_a_repeated_key_counts() {
        let w = [("n", Found::Bare("1")), ("n", Found::Bare("2"))];
        assert_eq!(w.unsigned("n"), Ok(2));
    }
}
