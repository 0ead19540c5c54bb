//! Writing one row, column by column.

use super::COLUMNS;
use super::field::push_field;

/// A row being appended to a buffer: cells are set in column order, and the columns skipped
/// stay empty.
pub(super) struct RowWriter<'a> {
    out: &'a mut Vec<u8>,
    /// The column being written.
    column: usize,
}

impl<'a> RowWriter<'a> {
    /// Starts a row of `kind` (a fixed word: never quoted).
    pub(super) fn new(out: &'a mut Vec<u8>, kind: &str) -> Self {
        out.extend_from_slice(kind.as_bytes());
        Self { out, column: 0 }
    }

    /// Where `column`'s text goes; it must come after the columns set before.
    pub(super) fn at(&mut self, column: usize) -> &mut Vec<u8> {
        debug_assert!(column > self.column, "column {column} set out of order");
        while self.column < column {
            self.out.push(b',');
            self.column += 1;
        }
        self.out
    }

    /// Sets `column` to free text, quoted when it must be.
    pub(super) fn text(&mut self, column: usize, text: &str) {
        push_field(self.at(column), text.as_bytes());
    }

    /// Ends the row: the remaining columns empty, then the line end.
    pub(super) fn end(self) {
        for _ in self.column..COLUMNS.len() - 1 {
            self.out.push(b',');
        }
        self.out.push(b'\n');
    }
}
