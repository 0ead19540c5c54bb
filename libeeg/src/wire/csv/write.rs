//! Writing a recording.

use std::io::{self, Write};

use super::super::line_buffer::LineBuffer;
use super::super::number::{push_decimal, push_i64, push_u64};
use super::super::{Record, SessionEvent, SessionInfo};
use super::comments::{push_footer, push_header};
use super::event_row::event_row;
use super::row::RowWriter;
use super::{
    CH1, CH1_UV, COLUMNS, COUNTER, DETAIL, LOST, SAMPLE_INDEX, SWITCHES, TIMESTAMP, Totals,
};

/// Writes a CSV recording to any writer: the header at once, then rows, then (with the
/// session's [`End`](SessionEvent::End)) the final lines.
///
/// Rows are collected and handed to the writer whole, in blocks of 64 KiB or on
/// [`flush`](Self::flush), so a recording killed at any moment ends with a complete row,
/// never a truncated number that still parses (`1023` cut to `10`). The file itself (creating,
/// syncing, naming it in messages) is the caller's.
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    lines: LineBuffer<W>,
    microvolts_per_lsb: f64,
    totals: Totals,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header describing `session` and the column row (to the buffer: flush to
    /// have them reach `out`).
    pub fn new(out: W, session: &SessionInfo) -> Self {
        let mut lines = LineBuffer::new(out);
        push_header(lines.line(), session);
        let mut row = RowWriter::new(lines.line(), COLUMNS[0]);
        for (column, name) in COLUMNS.iter().enumerate().skip(1) {
            row.text(column, name);
        }
        row.end();
        Self {
            lines,
            microvolts_per_lsb: session.microvolts_per_lsb,
            totals: Totals::default(),
        }
    }

    /// Writes a `packet` row.
    pub fn record(&mut self, record: &Record) -> io::Result<()> {
        self.totals.packets += 1;
        push_packet_row(self.lines.line(), record, self.microvolts_per_lsb);
        self.lines.end_line()
    }

    /// Writes an event's row; for the [`End`](SessionEvent::End), the final lines. A
    /// [`Switches`](SessionEvent::Switches) event writes nothing: the `switches` column shows
    /// the change.
    pub fn event(&mut self, event: &SessionEvent) -> io::Result<()> {
        let out = self.lines.line();
        match event {
            SessionEvent::End { estimated_rate_hz } => {
                push_footer(out, self.totals, *estimated_rate_hz);
            }
            SessionEvent::Lost { count, .. } => {
                self.totals.lost += count;
                push_event_row(out, event);
            }
            _ => push_event_row(out, event),
        }
        self.lines.end_line()
    }

    /// Hands every row to the writer and flushes it.
    pub fn flush(&mut self) -> io::Result<()> {
        self.lines.flush()
    }

    /// Bytes accepted so far, whether or not they have reached the writer.
    pub fn size(&self) -> u64 {
        self.lines.size()
    }

    /// Packets and lost packets written so far.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        self.lines.get_ref()
    }

    /// Hands every row to the writer (without flushing it) and returns it.
    pub fn into_inner(self) -> io::Result<W> {
        self.lines.into_inner()
    }
}

/// Appends a `packet` row.
fn push_packet_row(out: &mut Vec<u8>, record: &Record, microvolts_per_lsb: f64) {
    let mut row = RowWriter::new(out, "packet");
    push_u64(row.at(SAMPLE_INDEX), record.sample_index);
    push_i64(row.at(TIMESTAMP), record.timestamp_us);
    push_u64(row.at(COUNTER), u64::from(record.counter));
    for (i, &code) in record.samples.iter().enumerate() {
        push_u64(row.at(CH1 + i), u64::from(code));
    }
    for (i, uv) in record
        .microvolts(microvolts_per_lsb)
        .into_iter()
        .enumerate()
    {
        // Left empty if not a number.
        push_decimal(row.at(CH1_UV + i), uv);
    }
    push_u64(row.at(SWITCHES), u64::from(record.switches));
    row.end();
}

/// Appends an event's row, if it has one.
fn push_event_row(out: &mut Vec<u8>, event: &SessionEvent) {
    let Some(cells) = event_row(event) else {
        return;
    };
    let mut row = RowWriter::new(out, cells.kind);
    if let Some(index) = cells.sample_index {
        push_u64(row.at(SAMPLE_INDEX), index);
    }
    if let Some(t) = cells.timestamp_us {
        push_i64(row.at(TIMESTAMP), t);
    }
    if let Some(counter) = cells.counter {
        push_u64(row.at(COUNTER), u64::from(counter));
    }
    if let Some(lost) = cells.lost {
        push_u64(row.at(LOST), lost);
    }
    if !cells.detail.is_empty() {
        row.text(DETAIL, &cells.detail);
    }
    row.end();
}
