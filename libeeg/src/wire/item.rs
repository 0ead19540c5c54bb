//! What parsers return: records, events, and what they do not know.

use super::{Record, SessionEvent};

/// One thing a line (or CSV row) held.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A packet.
    Record(Record),
    /// A session event.
    Event(SessionEvent),
    /// A line the format allows but this version does not know, as read (without its line
    /// end): a `#` line that is not event words or names an unknown event, a JSON object with
    /// an unknown `"event"`, a CSV row of an unknown kind. For the consumer to count and show;
    /// nothing is dropped silently.
    Unknown(String),
}

/// The items of one line: none (an empty line, a CSV header line, a CSV row that continues on
/// the next line), one, or two (a CSV `packet` row whose switches changed: the derived
/// [`SessionEvent::Switches`], then the record).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineItems {
    first: Option<Item>,
    second: Option<Item>,
}

impl LineItems {
    /// No item.
    pub(crate) fn none() -> Self {
        Self::default()
    }

    /// One item.
    pub(crate) fn one(item: Item) -> Self {
        Self {
            first: Some(item),
            second: None,
        }
    }

    /// Two items, in order.
    pub(crate) fn two(first: Item, second: Item) -> Self {
        Self {
            first: Some(first),
            second: Some(second),
        }
    }
}

impl Iterator for LineItems {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.first.take().or_else(|| self.second.take())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::from(self.first.is_some()) + usize::from(self.second.is_some());
        (n, Some(n))
    }
}

impl ExactSizeIterator for LineItems {}
