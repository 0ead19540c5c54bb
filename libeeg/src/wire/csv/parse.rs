//! Reading a recording.

use super::super::number::{parse_i64, parse_u64};
use super::super::record::{CHANNEL_NAMES, code, counter, switches};
use super::super::{Item, LineItems, MAX_LINE, ParseError, Record, SessionEvent, SessionInfo};
use super::comments::{Footer, Header};
use super::event_row::{RowCells, event_from_row};
use super::field::{Cells, Quoting};
use super::{CH1, COLUMNS, COUNTER, DETAIL, KIND, LOST, SAMPLE_INDEX, SWITCHES, TIMESTAMP, Totals};
use crate::{CHANNELS, Protocol};

/// Switches before the first packet: none pressed, as the decoder starts.
const NO_SWITCH_PRESSED: u8 = 0x0F;

/// Reads a CSV recording, one line at a time (see the [module documentation](super)).
#[derive(Debug, Clone)]
pub struct CsvParser {
    header: Header,
    session: Option<SessionInfo>,
    /// Where each of [`COLUMNS`] is in the rows, once the column row is read.
    columns: Option<[usize; COLUMNS.len()]>,
    /// A row that continues on the next line, inside a quoted field.
    pub(super) pending: Vec<u8>,
    quoting: Quoting,
    cells: Cells,
    /// From the last `protocol` row.
    protocol: Protocol,
    /// The last packet's.
    switches: u8,
    totals: Totals,
}

impl Default for CsvParser {
    fn default() -> Self {
        Self {
            header: Header::default(),
            session: None,
            columns: None,
            pending: Vec::new(),
            quoting: Quoting::default(),
            cells: Cells::default(),
            protocol: Protocol::P2,
            switches: NO_SWITCH_PRESSED,
            totals: Totals::default(),
        }
    }
}

impl CsvParser {
    /// A parser at the start of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// The session the header describes, once the column row has been read after a complete
    /// header.
    pub fn session(&self) -> Option<&SessionInfo> {
        self.session.as_ref()
    }

    /// The packets and lost packets of the rows read so far.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Reads one line, with or without its line end. A row whose quoted field holds a line end
    /// spans lines: its items come with its last line. Header lines give no item (see
    /// [`session`](Self::session)).
    pub fn parse_line(&mut self, line: &[u8]) -> Result<LineItems, ParseError> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        if self.quoting.open() {
            return self.continue_row(line);
        }
        let trimmed = line.strip_suffix(b"\r").unwrap_or(line);
        if trimmed.len() > MAX_LINE {
            return Err(ParseError::TooLong);
        }
        if trimmed.starts_with(b"#") {
            return self.comment(trimmed);
        }
        self.quoting = Quoting::default().after(line);
        if self.quoting.open() {
            // Kept with its `\r`, which is inside the quotes.
            self.pending.extend_from_slice(line);
            return Ok(LineItems::none());
        }
        if trimmed.is_empty() {
            return Ok(LineItems::none());
        }
        self.row(trimmed)
    }

    /// Ends the input: an error if the last row was left inside a quoted field.
    pub fn finish(&mut self) -> Result<(), ParseError> {
        if !self.quoting.open() {
            return Ok(());
        }
        self.pending.clear();
        self.quoting = Quoting::default();
        Err(ParseError::malformed(
            "the last row ends inside a quoted field",
        ))
    }

    /// The next line of a row that is inside a quoted field.
    fn continue_row(&mut self, line: &[u8]) -> Result<LineItems, ParseError> {
        if self.pending.len() + 1 + line.len() > MAX_LINE {
            self.pending.clear();
            self.quoting = Quoting::default();
            return Err(ParseError::TooLong);
        }
        self.pending.push(b'\n');
        self.pending.extend_from_slice(line);
        self.quoting = self.quoting.after(b"\n").after(line);
        if self.quoting.open() {
            return Ok(LineItems::none());
        }
        let mut row = std::mem::take(&mut self.pending);
        if row.last() == Some(&b'\r') {
            row.pop();
        }
        let result = self.row(&row);
        // Keeps the allocation for the next one.
        row.clear();
        self.pending = row;
        result
    }

    /// A `#` line: the header before the column row, the totals after it.
    fn comment(&mut self, line: &[u8]) -> Result<LineItems, ParseError> {
        let text = std::str::from_utf8(line).map_err(|_| ParseError::NotUtf8)?;
        let unknown = || Ok(LineItems::one(Item::Unknown(text.to_owned())));
        if self.columns.is_none() {
            return if self.header.read(text)? {
                Ok(LineItems::none())
            } else {
                unknown()
            };
        }
        let check = |field, written, counted| {
            if written == counted {
                Ok(LineItems::none())
            } else {
                Err(ParseError::Mismatch {
                    field,
                    written,
                    counted,
                })
            }
        };
        match Footer::read(text)? {
            Some(Footer::Packets(n)) => check("packets", n, self.totals.packets),
            Some(Footer::Lost(n)) => check("lost", n, self.totals.lost),
            Some(Footer::EstimatedRate(estimated_rate_hz)) => {
                Ok(LineItems::one(Item::Event(SessionEvent::End {
                    estimated_rate_hz,
                })))
            }
            None => unknown(),
        }
    }

    /// A whole row.
    fn row(&mut self, row: &[u8]) -> Result<LineItems, ParseError> {
        self.cells.split(row)?;
        let Some(columns) = self.columns else {
            return self.column_row();
        };
        let cell = |column: usize| self.cells.get(columns[column]);
        let kind = cell(KIND).unwrap_or_default();
        if kind == b"packet" {
            return self.packet_row(&columns);
        }
        let cells = RowCells {
            sample_index: cell(SAMPLE_INDEX),
            timestamp_us: cell(TIMESTAMP),
            counter: cell(COUNTER),
            lost: cell(LOST),
            detail: cell(DETAIL),
        };
        let item = match event_from_row(kind, &cells)? {
            Some(event) => {
                match event {
                    SessionEvent::Lost { count, .. } => {
                        self.totals.lost = self.totals.lost.saturating_add(count);
                    }
                    SessionEvent::Protocol { protocol } => self.protocol = protocol,
                    _ => {}
                }
                Item::Event(event)
            }
            None => Item::Unknown(String::from_utf8_lossy(row).into_owned()),
        };
        Ok(LineItems::one(item))
    }

    /// The first row: the column names. The header is complete by then.
    fn column_row(&mut self) -> Result<LineItems, ParseError> {
        let mut columns = [0; COLUMNS.len()];
        for (at, name) in columns.iter_mut().zip(COLUMNS) {
            *at = (0..self.cells.len())
                .find(|&i| self.cells.get(i) == Some(name.as_bytes()))
                .ok_or(ParseError::Missing(name))?;
        }
        self.columns = Some(columns);
        self.session = Some(self.header.session()?);
        Ok(LineItems::none())
    }

    /// A `packet` row, after the switch change it shows, if any.
    fn packet_row(&mut self, columns: &[usize; COLUMNS.len()]) -> Result<LineItems, ParseError> {
        let cell = |column: usize| {
            self.cells
                .get(columns[column])
                .ok_or(ParseError::Missing(COLUMNS[column]))
        };
        let sample_index = parse_u64(cell(SAMPLE_INDEX)?)
            .ok_or(ParseError::invalid("sample_index", "an unsigned integer"))?;
        let timestamp_us =
            parse_i64(cell(TIMESTAMP)?).ok_or(ParseError::invalid("timestamp_us", "an integer"))?;
        let counter = counter("counter", parse_u64(cell(COUNTER)?), self.protocol)?;
        let mut samples = [0; CHANNELS];
        for (i, sample) in samples.iter_mut().enumerate() {
            *sample = code(CHANNEL_NAMES[i], parse_u64(cell(CH1 + i)?))?;
        }
        let switches = switches("switches", parse_u64(cell(SWITCHES)?))?;
        let record = Item::Record(Record {
            timestamp_us,
            sample_index,
            protocol: self.protocol,
            counter,
            samples,
            switches,
        });
        self.totals.packets += 1;
        let previous = std::mem::replace(&mut self.switches, switches);
        Ok(if previous == switches {
            LineItems::one(record)
        } else {
            let change = SessionEvent::Switches {
                sample_index,
                previous,
                current: switches,
            };
            LineItems::two(Item::Event(change), record)
        })
    }
}
