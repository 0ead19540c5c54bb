//! CSV text reaches the file in whole records only, so a recording killed at any moment ends
//! with a complete row, never a truncated number that still parses (`1023` cut to `10`).

use std::io::{self, Write};

use super::file::{BUFFER, FileTarget};

/// Collects what the CSV writer produces and passes it on to the file up to the end of the
/// last complete record, once a block has collected or on `flush`.
///
/// A record ends at a newline outside quotes. The CSV writer quotes a field containing a
/// newline and doubles the quotes inside it, so counting quotes tells the two apart. At most
/// one block plus one record is held.
#[derive(Debug)]
pub struct WholeRows {
    target: FileTarget,
    pending: Vec<u8>,
    /// How much of `pending` has been scanned for record ends.
    scanned: usize,
    /// Whether `scanned` is inside a quoted field.
    quoted: bool,
    /// Where the last complete record in `pending` ends.
    complete: usize,
}

impl WholeRows {
    /// Writes whole records to `target`.
    pub fn new(target: FileTarget) -> Self {
        Self {
            target,
            pending: Vec::with_capacity(BUFFER + 1024),
            scanned: 0,
            quoted: false,
            complete: 0,
        }
    }

    /// The file (for its length).
    pub fn target(&self) -> &FileTarget {
        &self.target
    }

    /// Passes on the complete records and returns the file; an incomplete record is dropped.
    pub fn into_target(mut self) -> io::Result<FileTarget> {
        self.pass_complete()?;
        Ok(self.target)
    }

    fn pass_complete(&mut self) -> io::Result<()> {
        if self.complete == 0 {
            return Ok(());
        }
        let result = self.target.write_all(&self.pending[..self.complete]);
        // After a failure the file takes nothing more (see `FileTarget`): keeping the records
        // would only hold memory.
        self.pending.drain(..self.complete);
        self.scanned -= self.complete;
        self.complete = 0;
        result
    }
}

impl Write for WholeRows {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        for (i, &b) in self.pending.iter().enumerate().skip(self.scanned) {
            match b {
                b'"' => self.quoted = !self.quoted,
                b'\n' if !self.quoted => self.complete = i + 1,
                _ => {}
            }
        }
        self.scanned = self.pending.len();
        if self.complete >= BUFFER {
            self.pass_complete()?;
        }
        Ok(buf.len())
    }

    /// The CSV writer flushes between records: everything collected goes to the file.
    fn flush(&mut self) -> io::Result<()> {
        self.pass_complete()?;
        self.target.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_records_pass() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        let mut rows = WholeRows::new(FileTarget::create(&path, "test file").unwrap());
        // A quoted newline and doubled quotes are inside the record, whatever the pieces.
        let text = b"a,1\nb,\"x\ny \"\"q\"\"\n\",2\nc,3";
        for piece in text.chunks(3) {
            rows.write_all(piece).unwrap();
        }
        assert_eq!(rows.complete, b"a,1\nb,\"x\ny \"\"q\"\"\n\",2\n".len());
        rows.flush().unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"a,1\nb,\"x\ny \"\"q\"\"\n\",2\n"
        );
        rows.write_all(b",4\n").unwrap();
        let target = rows.into_target().unwrap();
        assert_eq!(target.len(), text.len() as u64 + 3);
    }

    #[test]
    fn a_full_block_passes_on_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        let mut rows = WholeRows::new(FileTarget::create(&path, "test file").unwrap());
        let row = b"packet,123456789\n";
        let n = BUFFER / row.len() + 1;
        for _ in 0..n {
            rows.write_all(row).unwrap();
        }
        rows.write_all(b"packet,12").unwrap();
        assert_eq!(rows.target().len(), (n * row.len()) as u64);
        assert_eq!(rows.pending, b"packet,12");
    }
}
