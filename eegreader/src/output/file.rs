//! A recording file: created with a message that says what to do when it cannot be, written
//! through a guard that stops at the first failure so what was written before stays intact.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use crate::error::Error;

/// Buffer size of the recording writers: one `write` per 64 KiB during a fast replay, and a
/// live session's recordings are flushed every second anyway.
pub const BUFFER: usize = 64 * 1024;

/// The file under a format writer (unbuffered: the format writer buffers).
///
/// After the first failed write or seek, every later call fails with the same error and
/// nothing more reaches the file: a format writer that failed half-way (hound between seeking
/// to the header and back, say) must not then write samples over the header. The file keeps
/// what was written before the failure.
#[derive(Debug)]
pub struct FileTarget {
    file: Arc<File>,
    /// Where the next write goes.
    pos: u64,
    /// The file's length: the furthest any write reached.
    len: u64,
    /// The first failure, repeated from then on.
    failed: Option<(io::ErrorKind, String)>,
    /// Tests only: the file "fills the disk" at this length.
    #[cfg(test)]
    quota: Option<u64>,
}

impl FileTarget {
    /// Creates (or truncates) the file at `path` for a recording called `name` in messages
    /// ("CSV file session.csv").
    pub fn create(path: &Path, name: &str) -> Result<Self, Error> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| cannot("create", name, path, &e))?;
        Ok(Self {
            file: Arc::new(file),
            pos: 0,
            len: 0,
            failed: None,
            #[cfg(test)]
            quota: None,
        })
    }

    /// Tests only: behave like a disk that is full once the file reaches `len` bytes.
    #[cfg(test)]
    pub fn fill_disk_at(mut self, len: u64) -> Self {
        self.quota = Some(len);
        self
    }

    /// The file's length so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The open file, to sync it after the format writer is done with it.
    pub fn handle(&self) -> Arc<File> {
        Arc::clone(&self.file)
    }

    fn check(&self) -> io::Result<()> {
        match &self.failed {
            None => Ok(()),
            Some((kind, message)) => Err(io::Error::new(
                *kind,
                format!("{message} (nothing written since)"),
            )),
        }
    }

    fn fail<T>(&mut self, e: io::Error) -> io::Result<T> {
        if e.kind() != io::ErrorKind::Interrupted {
            self.failed = Some((e.kind(), e.to_string()));
        }
        Err(e)
    }
}

impl Write for FileTarget {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        #[cfg(test)]
        let buf = match self.quota {
            Some(quota) => {
                let room = usize::try_from(quota.saturating_sub(self.pos)).unwrap_or(usize::MAX);
                if room == 0 && !buf.is_empty() {
                    // ENOSPC, as a full disk reports it.
                    return self.fail(io::Error::from_raw_os_error(28));
                }
                &buf[..buf.len().min(room)]
            }
            None => buf,
        };
        match (&*self.file).write(buf) {
            Ok(n) => {
                self.pos += n as u64;
                self.len = self.len.max(self.pos);
                Ok(n)
            }
            Err(e) => self.fail(e),
        }
    }

    /// A `File` has no buffer of its own: this only reports an earlier failure.
    fn flush(&mut self) -> io::Result<()> {
        self.check()
    }
}

impl Seek for FileTarget {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.check()?;
        match (&*self.file).seek(to) {
            Ok(pos) => {
                self.pos = pos;
                Ok(pos)
            }
            Err(e) => self.fail(e),
        }
    }
}

/// Asks the OS to put the file's data on the disk (at the end of a session). Files that cannot
/// be synced (a terminal, `/dev/null`) have nothing to sync.
pub fn sync(file: &File) -> io::Result<()> {
    match file.sync_data() {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        result => result,
    }
}

/// An I/O error from the recording called `name`, saying so; the kind is kept.
pub fn context(name: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{name}: {e}"))
}

/// The error when the recording `name` at `path` cannot be created (`doing` = "create") or its
/// header cannot be written (`doing` = "write"), with what to do about it.
pub fn cannot(doing: &str, name: &str, path: &Path, e: &io::Error) -> Error {
    let error = Error::new(format!("cannot {doing} {name}: {e}"));
    let directory = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_owned(),
    };
    match e.kind() {
        io::ErrorKind::NotFound => {
            error.fix(format!("the directory {directory} does not exist: create it, or record somewhere else"))
        }
        io::ErrorKind::PermissionDenied => error.fix(format!(
            "you may not write there: check the permissions of {directory} (and of the file, if it exists), or record somewhere else"
        )),
        io::ErrorKind::ReadOnlyFilesystem => error.fix("the file system is read-only: record somewhere else"),
        io::ErrorKind::IsADirectory => {
            error.fix(format!("{} is a directory: give a file name inside it", path.display()))
        }
        io::ErrorKind::StorageFull => error.fix("the disk is full: free some space, or record somewhere else"),
        io::ErrorKind::NotSeekable => {
            error.fix("this recording rewrites its header as it goes, so it needs a regular file, not a pipe or device")
        }
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/session.csv");
        let e = FileTarget::create(&path, "CSV file x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot create CSV file x: "), "{e}");
        assert!(
            e.contains(&format!(
                "the directory {} does not exist",
                dir.path().join("missing").display()
            )),
            "{e}"
        );
    }

    #[test]
    fn a_directory_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = FileTarget::create(dir.path(), "raw capture x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_directory_is_explained() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let result = FileTarget::create(&dir.path().join("x.wav"), "WAV file x.wav");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        // Root may write anywhere; everyone else is refused with advice.
        if let Err(e) = result {
            let e = e.to_string();
            assert!(
                e.contains("cannot create WAV file x.wav: ") && e.contains("check the permissions"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_first_failure_stops_everything_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut target = FileTarget::create(&path, "test file")
            .unwrap()
            .fill_disk_at(10);
        target.write_all(b"0123456").unwrap();
        let e = target.write_all(b"789abc").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        // Not even a seek back to the start and a short write get through now.
        assert!(target.seek(SeekFrom::Start(0)).is_err());
        assert!(target.write_all(b"X").is_err());
        assert!(
            target
                .flush()
                .unwrap_err()
                .to_string()
                .contains("nothing written since")
        );
        let mut content = String::new();
        File::open(&path)
            .unwrap()
            .read_to_string(&mut content)
            .unwrap();
        assert_eq!(content, "0123456789");
        assert_eq!(target.len(), 10);
    }
}
