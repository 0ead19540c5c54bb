//! Why a line did not parse.

use std::borrow::Cow;
use std::fmt;

use super::MAX_LINE;

/// A line (or CSV row) that is not what its format says it must be.
///
/// A line the format allows but this version does not know (an event name added later, a `#`
/// comment) is not an error: parsers return it as [`Item::Unknown`](super::Item::Unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Longer than [`MAX_LINE`] bytes (a CSV row: its lines together). Parsers never hold more.
    TooLong,
    /// Text that must be UTF-8 is not.
    NotUtf8,
    /// The line does not have the format's shape; the reason says how.
    Malformed(Cow<'static, str>),
    /// A field the item needs is absent.
    Missing(&'static str),
    /// A field holds something other than what it must.
    Invalid {
        /// The key or column.
        field: &'static str,
        /// What it must hold.
        expected: &'static str,
    },
    /// A recording's final `#` line disagrees with the rows before it.
    Mismatch {
        /// `packets` or `lost`.
        field: &'static str,
        /// What the line says.
        written: u64,
        /// What the rows hold.
        counted: u64,
    },
}

impl ParseError {
    /// [`ParseError::Malformed`] with a fixed reason.
    pub(crate) const fn malformed(reason: &'static str) -> Self {
        Self::Malformed(Cow::Borrowed(reason))
    }

    /// [`ParseError::Invalid`].
    pub(crate) const fn invalid(field: &'static str, expected: &'static str) -> Self {
        Self::Invalid { field, expected }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong => write!(f, "longer than {MAX_LINE} bytes"),
            Self::NotUtf8 => f.write_str("not UTF-8"),
            Self::Malformed(reason) => f.write_str(reason),
            Self::Missing(field) => write!(f, "no `{field}`"),
            Self::Invalid { field, expected } => write!(f, "`{field}`: expected {expected}"),
            Self::Mismatch {
                field,
                written,
                counted,
            } => write!(
                f,
                "`{field}`: the recording says {written}, its rows hold {counted}"
            ),
        }
    }
}

impl std::error::Error for ParseError {}
