//! One line of input, as every parser takes it: its line end trimmed, its length bounded.

use super::ParseError;

/// The longest line (CSV: row) a parser accepts, in bytes, without its line end; longer is
/// [`ParseError::TooLong`]. Callers that assemble lines from a stream need hold no more than
/// this (plus one byte to notice).
pub const MAX_LINE: usize = 64 * 1024;

/// `line` without its line end (`\n` or `\r\n`, either optional).
pub(crate) fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `line` without its line end, refused when longer than [`MAX_LINE`].
pub(crate) fn bounded(line: &[u8]) -> Result<&[u8], ParseError> {
    let line = trim_line_end(line);
    if line.len() > MAX_LINE {
        return Err(ParseError::TooLong);
    }
    Ok(line)
}
