//! LSL marker texts: each session event as its words, `name key=value ...`, exactly the text
//! format's `#` line without the `# `. The same text is the event's `Display`.
//!
//! ```
//! use libeeg::wire::{Item, SessionEvent, parse_marker};
//!
//! let lost = SessionEvent::Lost { count: 3, first_sample_index: 1200, timestamp_us: 1_700_000_004_687_500 };
//! let text = lost.to_string();
//! assert_eq!(text, "lost count=3 first_sample_index=1200 timestamp_us=1700000004687500");
//! assert_eq!(parse_marker(&text), Ok(Item::Event(lost)));
//! ```

use std::fmt;

use super::words::{parse_words, push_words};
use super::{Item, MAX_LINE, ParseError, SessionEvent};

impl fmt::Display for SessionEvent {
    /// The event's words (see [`marker`](super::marker)): its LSL marker text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words = Vec::new();
        push_words(&mut words, self);
        // Names, keys, numbers and JSON strings of `&str`s are UTF-8.
        f.write_str(&String::from_utf8_lossy(&words))
    }
}

/// The event an LSL marker text holds: [`Item::Event`], or [`Item::Unknown`] with the text when
/// it is not event words or names an event this version does not know. Never
/// [`Item::Record`].
pub fn parse_marker(text: &str) -> Result<Item, ParseError> {
    if text.len() > MAX_LINE {
        return Err(ParseError::TooLong);
    }
    Ok(match parse_words(text)? {
        Some(event) => Item::Event(event),
        None => Item::Unknown(text.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::event::tests::every_event;

    #[test]
    fn every_marker_reads_back() {
        for event in every_event() {
            assert_eq!(parse_marker(&event.to_string()), Ok(Item::Event(event)));
        }
    }

    #[test]
    fn unknown_and_broken_markers() {
        assert_eq!(
            parse_marker("mark label=\"mark 1\""),
            Ok(Item::Unknown("mark label=\"mark 1\"".to_owned()))
        );
        assert_eq!(
            parse_marker("resync skipped_bytes=x"),
            Err(ParseError::invalid("skipped_bytes", "an unsigned integer"))
        );
        assert_eq!(
            parse_marker(&"x".repeat(MAX_LINE + 1)),
            Err(ParseError::TooLong)
        );
    }
}
