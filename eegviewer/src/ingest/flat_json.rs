//! A minimal JSON reader for flat objects: `{"key": value, ...}` where a value is a number, a
//! string, `true`, `false`, `null` or an array of numbers and `null`s. That is every object
//! eegreader's `--json` writes; nested objects and other arrays are refused.
//!
//! Hand-written instead of serde_json because the shape is fixed and flat, the hot path (a
//! packet per line, a million lines a second) wants no allocation, and numbers we do not use
//! (the `microvolts` array) need only be checked, not converted. The grammar is RFC 8259's:
//! whitespace between tokens, string escapes including `\uXXXX` surrogate pairs, no raw
//! control characters in strings, numbers without leading zeros.

/// A value, borrowed from the line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// The number's text, grammar checked (`-1.5e3`).
    Number(&'a str),
    /// A string.
    String(JsonStr<'a>),
    /// The text between `[` and `]`, grammar checked: numbers and `null`s separated by commas.
    Array(&'a str),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// A string as written between its quotes; escapes are decoded on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// The text without escapes, when it has none (the common case, no allocation).
    pub fn plain(&self) -> Option<&'a str> {
        (!self.escaped).then_some(self.raw)
    }

    /// The decoded text; `None` when an escape is invalid (a lone surrogate).
    pub fn decode(&self) -> Option<String> {
        if !self.escaped {
            return Some(self.raw.to_owned());
        }
        let mut out = String::with_capacity(self.raw.len());
        let mut chars = self.raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            out.push(match chars.next()? {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' => {
                    let high = hex4(&mut chars)?;
                    if (0xD800..0xDC00).contains(&high) {
                        if chars.next()? != '\\' || chars.next()? != 'u' {
                            return None;
                        }
                        let low = hex4(&mut chars)?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                    } else {
                        char::from_u32(high)?
                    }
                }
                _ => return None,
            });
        }
        Some(out)
    }

    /// Whether the decoded text equals `text`.
    pub fn is(&self, text: &str) -> bool {
        match self.plain() {
            Some(raw) => raw == text,
            None => self.decode().is_some_and(|s| s == text),
        }
    }
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// Calls `field` for every key and value of the flat object that is the whole of `line`
/// (whitespace around it allowed), in order; `None` when the line is not such an object.
/// `field` may stop the scan by returning `None`.
pub fn fields<'a>(
    line: &'a str,
    mut field: impl FnMut(JsonStr<'a>, Value<'a>) -> Option<()>,
) -> Option<()> {
    let mut s = Scanner {
        text: line,
        bytes: line.as_bytes(),
        at: 0,
    };
    s.skip_ws();
    s.expect(b'{')?;
    s.skip_ws();
    if s.eat(b'}') {
        return s.at_end();
    }
    loop {
        s.skip_ws();
        let key = s.string()?;
        s.skip_ws();
        s.expect(b':')?;
        s.skip_ws();
        let value = s.value()?;
        field(key, value)?;
        s.skip_ws();
        if s.eat(b',') {
            continue;
        }
        s.expect(b'}')?;
        return s.at_end();
    }
}

/// The elements of an [`Value::Array`]'s text: `Some(number)` or `None` for `null`.
pub fn elements(array: &str) -> impl Iterator<Item = Option<&str>> {
    // The scanner checked the grammar, so splitting at commas is exact: numbers and `null`
    // hold no commas.
    let array = array.trim_matches(is_ws);
    array
        .split(',')
        .filter(move |_| !array.is_empty())
        .map(|e| {
            let e = e.trim_matches(is_ws);
            (e != "null").then_some(e)
        })
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The length of the JSON number at `b[start..]`,
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; `None` if there is none.
#[inline]
pub fn number_len(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + usize::from(b.get(start) == Some(&b'-'));
    let int = digit_run(b, i);
    if int == 0 || (int > 1 && b[i] == b'0') {
        return None;
    }
    i += int;
    if b.get(i) == Some(&b'.') {
        let frac = digit_run(b, i + 1);
        if frac == 0 {
            return None;
        }
        i += 1 + frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let exp = digit_run(b, i);
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    Some(i - start)
}

/// How many ASCII digits start at `b[i..]`. Eight bytes at a time without a branch per
/// digit: numbers are most of a packet line, and a data-dependent branch per digit costs a
/// misprediction per number.
#[inline]
fn digit_run(b: &[u8], mut i: usize) -> usize {
    let start = i;
    while let Some(chunk) = b.get(i..i + 8) {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // Per byte: `v - '0'` is below 10 for a digit. A byte is not a digit when the
        // subtraction borrows (bit 7 set after it) or when adding 118 reaches 128.
        let t = v.wrapping_sub(0x3030_3030_3030_3030);
        let not_digit = (t | t.wrapping_add(0x7676_7676_7676_7676) | v) & 0x8080_8080_8080_8080;
        if not_digit != 0 {
            return i - start + (not_digit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i - start
}

/// How many bytes from `b[i..]` on need no look inside a string: not `"`, not `\\`, not a
/// control character. Eight at a time, like [`digit_run`].
#[inline]
fn plain_run(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let start = i;
    while let Some(chunk) = b.get(i..i + 8) {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // The classic "has a zero byte" test (exact for the lowest such byte), on `v` xor the
        // quote, xor the backslash, and for bytes below 0x20.
        let zero = |x: u64| x.wrapping_sub(ONES) & !x;
        let special = (zero(v ^ (ONES * u64::from(b'"')))
            | zero(v ^ (ONES * u64::from(b'\\')))
            | (v.wrapping_sub(ONES * 0x20) & !v))
            & HIGH;
        if special != 0 {
            return i - start + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b
        .get(i)
        .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
    {
        i += 1;
    }
    i - start
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline]
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.at += usize::from(hit);
        hit
    }

    #[inline]
    fn expect(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    #[inline]
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn at_end(&mut self) -> Option<()> {
        self.skip_ws();
        (self.at == self.bytes.len()).then_some(())
    }

    fn value(&mut self) -> Option<Value<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Value::String),
            b'[' => self.array(),
            b't' => self.literal("true").map(|()| Value::Bool(true)),
            b'f' => self.literal("false").map(|()| Value::Bool(false)),
            b'n' => self.literal("null").map(|()| Value::Null),
            _ => self.number().map(Value::Number),
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// A string at the cursor; the cursor ends after its closing quote.
    #[inline]
    fn string(&mut self) -> Option<JsonStr<'a>> {
        self.expect(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            self.at += plain_run(self.bytes, self.at);
            match *self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    match *self.bytes.get(self.at + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 2,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 2..self.at + 6)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 6;
                        }
                        _ => return None,
                    }
                }
                0x00..=0x1f => return None,
                _ => self.at += 1,
            }
        }
        // Quotes and backslashes are ASCII, so both ends are on character boundaries.
        let raw = &self.text[start..self.at];
        self.at += 1;
        Some(JsonStr { raw, escaped })
    }

    #[inline]
    fn number(&mut self) -> Option<&'a str> {
        let start = self.at;
        self.at += number_len(self.bytes, start)?;
        Some(&self.text[start..self.at])
    }

    /// `[` numbers or nulls `]`; returns the text between the brackets.
    fn array(&mut self) -> Option<Value<'a>> {
        self.expect(b'[')?;
        let start = self.at;
        self.skip_ws();
        if self.eat(b']') {
            return Some(Value::Array(&self.text[start..self.at - 1]));
        }
        loop {
            self.skip_ws();
            if self.peek()? == b'n' {
                self.literal("null")?;
            } else {
                self.number()?;
            }
            self.skip_ws();
            if self.eat(b',') {
                continue;
            }
            self.expect(b']')?;
            return Some(Value::Array(&self.text[start..self.at - 1]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(line: &str) -> Option<Vec<(String, Value<'_>)>> {
        let mut out = Vec::new();
        fields(line, |k, v| {
            out.push((k.decode()?, v));
            Some(())
        })?;
        Some(out)
    }

    #[test]
    fn a_packet_object() {
        let line = r#"{"timestamp_us":1700000000000000,"sample_index":0,"channels":[512,498],"microvolts":[0,-7,9,255.5,null,-1e-9],"switches":15}"#;
        let f = collect(line).unwrap();
        assert_eq!(f.len(), 5);
        assert_eq!(
            f[0],
            ("timestamp_us".into(), Value::Number("1700000000000000"))
        );
        assert_eq!(f[2], ("channels".into(), Value::Array("512,498")));
        let Value::Array(uv) = f[3].1 else { panic!() };
        assert_eq!(
            elements(uv).collect::<Vec<_>>(),
            [
                Some("0"),
                Some("-7"),
                Some("9"),
                Some("255.5"),
                None,
                Some("-1e-9")
            ]
        );
    }

    #[test]
    fn whitespace_literals_and_empty_things() {
        let f = collect(
            " { \"a\" : [ ] , \"b\":true,\"c\":false,\"d\":null , \"e\" : [ 1 , null ] }\t",
        )
        .unwrap();
        assert_eq!(f[0].1, Value::Array(" "));
        assert_eq!(elements(" ").count(), 0);
        assert_eq!(
            (f[1].1, f[2].1, f[3].1),
            (Value::Bool(true), Value::Bool(false), Value::Null)
        );
        let Value::Array(e) = f[4].1 else { panic!() };
        assert_eq!(elements(e).collect::<Vec<_>>(), [Some("1"), None]);
        assert_eq!(collect("{}").unwrap().len(), 0);
    }

    #[test]
    fn strings_and_escapes() {
        let line = r#"{"reason":"read failed:\tgone\u001b[2J","id":"mEEG\"v1\\0\n","e":"\ud83e\udde0 \u00fc/\/","k\u0065y":"plain ü"}"#;
        let mut seen = Vec::new();
        fields(line, |k, v| {
            let Value::String(s) = v else { return None };
            seen.push((k, s));
            Some(())
        })
        .unwrap();
        assert_eq!(seen[0].1.decode().unwrap(), "read failed:\tgone\u{1b}[2J");
        assert_eq!(seen[0].1.plain(), None);
        assert_eq!(seen[1].1.decode().unwrap(), "mEEG\"v1\\0\n");
        assert_eq!(seen[2].1.decode().unwrap(), "\u{1f9e0} ü//");
        assert!(seen[3].0.is("key"));
        assert_eq!(seen[3].1.plain(), Some("plain ü"));
        // A lone surrogate scans (the grammar allows it) but does not decode.
        let f = collect(r#"{"a":"\ud800"}"#).unwrap();
        let Value::String(s) = f[0].1 else { panic!() };
        assert_eq!(s.decode(), None);
    }

    #[test]
    fn numbers() {
        for good in ["0", "-0", "12", "-12.5", "1e3", "1E+3", "2.5e-7"] {
            assert_eq!(
                collect(&format!("{{\"n\":{good}}}")).unwrap()[0].1,
                Value::Number(good),
                "{good}"
            );
        }
        for bad in [
            "01", "-", "1.", ".5", "1e", "+1", "1.2.3", "0x10", "NaN", "Infinity", "1 2",
        ] {
            assert!(collect(&format!("{{\"n\":{bad}}}")).is_none(), "{bad}");
        }
    }

    #[test]
    fn digit_runs_match_a_byte_by_byte_count() {
        let naive = |b: &[u8], i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        // Every byte value after runs of every length up to past two words.
        for len in 0..20 {
            for stop in 0..=255u8 {
                let mut b = vec![b'7'; len];
                b.push(stop);
                b.extend_from_slice(b"123456789");
                for i in 0..b.len() {
                    assert_eq!(digit_run(&b, i), naive(&b, i), "{b:?} from {i}");
                }
            }
        }
    }

    #[test]
    fn plain_runs_match_a_byte_by_byte_count() {
        let plain = |c: &u8| *c != b'"' && *c != b'\\' && *c >= 0x20;
        let naive = |b: &[u8], i: usize| b[i..].iter().take_while(|c| plain(c)).count();
        for len in 0..20 {
            for stop in 0..=255u8 {
                let mut b = vec![b'a'; len];
                b.push(stop);
                b.extend_from_slice(b"\x01\"\\\xff\x80abcdefgh");
                for i in 0..b.len() {
                    assert_eq!(plain_run(&b, i), naive(&b, i), "{b:?} from {i}");
                }
            }
        }
    }

    #[test]
    fn refused_shapes() {
        for bad in [
            "",
            "{",
            "}",
            "[1,2]",
            r#"{"a":1"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"{"a":1}}"#,
            r#"{"a":1} x"#,
            r#"{"a":{"b":1}}"#,
            r#"{"a":[1,[2]]}"#,
            r#"{"a":["x"]}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":"tab	inside"}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":"unterminated}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
        ] {
            assert!(collect(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_callback_can_stop_the_scan() {
        let mut n = 0;
        assert!(
            fields(r#"{"a":1,"b":2}"#, |_, _| {
                n += 1;
                None
            })
            .is_none()
        );
        assert_eq!(n, 1);
    }
}
