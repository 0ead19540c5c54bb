//! JSON string literals (RFC 8259 section 7), the one quoting rule of the JSON lines and of the
//! text format's `#` lines: written by hand (exact, and fast enough to need no second buffer),
//! read by serde_json.

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters U+0000..U+001F as
/// `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`; everything else, non-ASCII included, as UTF-8.
pub(crate) fn push_json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x00..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            // Bytes of multi-byte UTF-8 sequences are >= 0x80 and pass through whole.
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// The JSON string literal at the start of `text` (which starts with `"`): its decoded value and
/// the text after its closing quote; `None` when it is not closed or not valid JSON.
pub(crate) fn read_json_string(text: &str) -> Option<(String, &str)> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            // The escaped byte is never the closing quote; serde_json checks the escape.
            b'\\' => i += 2,
            b'"' => {
                let value = serde_json::from_str(&text[..=i]).ok()?;
                return Some((value, &text[i + 1..]));
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(s: &str) -> String {
        let mut out = Vec::new();
        push_json_string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes() {
        assert_eq!(
            written("a\"b\\c/\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f} ü €"),
            r#""a\"b\\c/\u0000\u0001\b\f\u001f"#.to_owned() + "\u{7f} ü €\""
        );
    }

    #[test]
    fn read_back_exactly_with_the_rest() {
        for s in ["", "plain", "a\"b\\c\n\t\u{1b}[2J", "ü € 😀", "\\", "\"\""] {
            let text = written(s) + " rest";
            assert_eq!(read_json_string(&text), Some((s.to_owned(), " rest")));
            // serde_json, the independent parser, agrees.
            assert_eq!(serde_json::from_str::<String>(&written(s)).unwrap(), s);
        }
    }

    #[test]
    fn damaged_literals_are_refused() {
        for bad in [
            "\"",
            "\"open",
            "\"ends in a backslash\\",
            "\"bad escape \\q\"",
            "\"lone surrogate \\ud800\"",
            "\"raw\ncontrol\"",
            "\"short \\u12\"",
        ] {
            assert_eq!(read_json_string(bad), None, "{bad:?}");
        }
    }
}
