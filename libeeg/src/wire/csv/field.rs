//! CSV fields (RFC 4180), the one quoting rule of the recording, written and read here: a field
//! holding `,`, `"`, `\r`, `\n` or `#` is quoted, with its quotes doubled; `#` too, so readers
//! that skip comment lines keep it (the `csv` crate's rule with `comment(Some(b'#'))`).

use super::super::ParseError;

/// Appends `field`, quoted when it must be.
pub(super) fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n' | b'#'))
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Where a row's text stands, fed line by line: whether it ends inside a quoted field (and so
/// continues on the next line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Quoting {
    /// At the start of a field.
    #[default]
    FieldStart,
    /// In a field without quotes.
    Plain,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: its end, or the first of a doubled quote.
    QuoteInQuoted,
}

impl Quoting {
    /// The state after `bytes`.
    pub(super) fn after(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            self = match (self, b) {
                (Self::Quoted, b'"') => Self::QuoteInQuoted,
                (Self::Quoted, _) | (Self::QuoteInQuoted, b'"') => Self::Quoted,
                (_, b',') => Self::FieldStart,
                (Self::FieldStart, b'"') => Self::Quoted,
                // Text after a closing quote is an error that splitting reports.
                (Self::FieldStart | Self::Plain | Self::QuoteInQuoted, _) => Self::Plain,
            };
        }
        self
    }

    /// Whether the row continues on the next line.
    pub(super) fn open(self) -> bool {
        self == Self::Quoted
    }
}

/// A row's fields, unquoted, in one reused buffer.
#[derive(Debug, Clone, Default)]
pub(super) struct Cells {
    text: Vec<u8>,
    /// Where each field ends in `text`.
    ends: Vec<usize>,
}

impl Cells {
    /// Splits `row` (without its line end; quoted line ends inside it stay) into fields.
    pub(super) fn split(&mut self, row: &[u8]) -> Result<(), ParseError> {
        self.text.clear();
        self.ends.clear();
        let mut rest = row;
        loop {
            if let Some(quoted) = rest.strip_prefix(b"\"") {
                let mut i = 0;
                loop {
                    match quoted.get(i) {
                        None => return Err(ParseError::malformed("a quoted field is not closed")),
                        Some(b'"') if quoted.get(i + 1) == Some(&b'"') => {
                            self.text.push(b'"');
                            i += 2;
                        }
                        Some(b'"') => break,
                        Some(&b) => {
                            self.text.push(b);
                            i += 1;
                        }
                    }
                }
                rest = &quoted[i + 1..];
                if !(rest.is_empty() || rest.starts_with(b",")) {
                    return Err(ParseError::malformed("text after a quoted field"));
                }
            } else {
                let end = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
                if rest[..end].contains(&b'"') {
                    return Err(ParseError::malformed("a quote inside an unquoted field"));
                }
                self.text.extend_from_slice(&rest[..end]);
                rest = &rest[end..];
            }
            self.ends.push(self.text.len());
            match rest.split_first() {
                None => return Ok(()),
                Some((_comma, next)) => rest = next,
            }
        }
    }

    /// How many fields.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, if the row has it.
    pub(super) fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j]);
        Some(&self.text[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(row: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
        let mut cells = Cells::default();
        cells.split(row)?;
        Ok((0..cells.len())
            .map(|i| cells.get(i).unwrap().to_vec())
            .collect())
    }

    #[test]
    fn quoted_only_when_needed() {
        for (field, written) in [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\r", "\"cr\r\""),
            ("#5", "\"#5\""),
            ("ü €", "ü €"),
        ] {
            let mut out = Vec::new();
            push_field(&mut out, field.as_bytes());
            assert_eq!(String::from_utf8(out.clone()).unwrap(), written);
            assert_eq!(fields(&out).unwrap(), [field.as_bytes()]);
        }
    }

    #[test]
    fn rows_split_into_fields() {
        assert_eq!(
            fields(b"a,,\"b,\"\"c\"\"\",").unwrap(),
            [&b"a"[..], b"", b"b,\"c\"", b""]
        );
        assert_eq!(fields(b"").unwrap(), [b""]);
    }

    #[test]
    fn damaged_rows_are_errors() {
        for (row, reason) in [
            (&b"a,\"open"[..], "a quoted field is not closed"),
            (b"\"a\"b", "text after a quoted field"),
            (b"a\"b,c", "a quote inside an unquoted field"),
        ] {
            assert_eq!(fields(row).unwrap_err().to_string(), reason);
        }
    }

    #[test]
    fn quoting_across_lines() {
        let state = Quoting::default().after(b"device_gone,,1,\"read");
        assert!(state.open());
        assert!(!state.after(b"\nfailed\"").open());
        assert!(state.after(b"\n\"\"quoted\"\" more").open());
        // A stray quote in an unquoted field does not swallow the lines after it.
        assert!(!Quoting::default().after(b"packet,1\"2,3").open());
    }
}
