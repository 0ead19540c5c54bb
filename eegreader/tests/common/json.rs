//! Just enough JSON to check the reader's `--json` output without a serialisation crate: the
//! objects are flat, so a small strict parser (RFC 8259 grammar, key order kept, duplicate keys
//! refused) does, and it catches what matters (the original reader's `"timestamp:"` key,
//! trailing commas, bad numbers).

/// Just enough JSON to check the reader's output: RFC 8259 values, objects keeping key order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses one complete JSON text.
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = parser.value()?;
        parser.space();
        if parser.at != parser.bytes.len() {
            return Err(format!("trailing characters at {}", parser.at));
        }
        Ok(value)
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b" \t\r\n".contains(b))
        {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", byte as char, self.at))
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(format!("bad literal at {}", self.at))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.peek().ok_or("unexpected end")? {
            b'{' => {
                self.at += 1;
                let mut fields = Vec::new();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Json::Object(fields));
                }
                loop {
                    if self.peek() != Some(b'"') {
                        return Err(format!("expected a key at {}", self.at));
                    }
                    let key = self.string()?;
                    if fields.iter().any(|(k, _)| *k == key) {
                        return Err(format!("duplicate key {key}"));
                    }
                    self.expect(b':')?;
                    fields.push((key, self.value()?));
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Object(fields));
                        }
                        _ => return Err(format!("expected ',' or '}}' at {}", self.at)),
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(format!("expected ',' or ']' at {}", self.at)),
                    }
                }
            }
            b'"' => self.string().map(Json::String),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        let rest = &self.bytes[start..];
        let len = rest
            .iter()
            .position(|b| !b"+-0123456789.eE".contains(b))
            .unwrap_or(rest.len());
        let text = std::str::from_utf8(&rest[..len]).unwrap();
        // JSON's grammar: optional minus, no leading zeros, digits after a dot and an exponent.
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (int, frac_exp) = digits.split_at(digits.find(['.', 'e', 'E']).unwrap_or(digits.len()));
        let valid_int = !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && (int == "0" || !int.starts_with('0'));
        let valid_tail = match frac_exp.strip_prefix('.') {
            Some(f) => {
                let d = f.find(['e', 'E']).unwrap_or(f.len());
                d > 0 && f[..d].bytes().all(|b| b.is_ascii_digit())
            }
            None => true,
        };
        match (valid_int && valid_tail, text.parse::<f64>()) {
            (true, Ok(n)) if n.is_finite() => {
                self.at += len;
                Ok(Json::Number(n))
            }
            _ => Err(format!("bad number {text:?} at {start}")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let byte = *self.bytes.get(self.at).ok_or("unterminated string")?;
            self.at += 1;
            match byte {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let escape = *self.bytes.get(self.at).ok_or("unterminated escape")?;
                    self.at += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self
                                .bytes
                                .get(self.at..self.at + 4)
                                .ok_or("short \\u escape")?;
                            self.at += 4;
                            let code = u32::from_str_radix(std::str::from_utf8(hex).unwrap(), 16)
                                .map_err(|e| e.to_string())?;
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        other => return Err(format!("bad escape \\{}", other as char)),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return Err("control character in a string".to_owned()),
                other => out.push(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_checker_accepts_json_and_refuses_the_rest() {
        assert_eq!(
            Json::parse(r#" {"a":[1,-2.5e3,null,true],"b":"x\"\u00fc\n"} "#),
            Ok(Json::Object(vec![
                (
                    "a".into(),
                    Json::Array(vec![
                        Json::Number(1.0),
                        Json::Number(-2500.0),
                        Json::Null,
                        Json::Bool(true)
                    ])
                ),
                ("b".into(), Json::String("x\"ü\n".into())),
            ]))
        );
        for bad in [
            r#"{"timestamp:":1,}"#,
            "{a:1}",
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":NaN}"#,
            r#"{"a":"b""#,
            r#"{"a":1}{"#,
            r#"{"a":1,"a":2}"#,
        ] {
            assert!(Json::parse(bad).is_err(), "{bad}");
        }
    }
}
