//! eegreader's side: inputs as entries, files, and what users are told. The format itself is
//! tested in libeeg (`libeeg/src/arrivals/tests.rs`).

use super::*;
use crate::source::Moment;

fn us(us: u64) -> Duration {
    Duration::from_micros(us)
}

/// Writes `content` as the arrivals file of `s.bin` in `dir`.
fn write(dir: &tempfile::TempDir, content: &[u8]) -> PathBuf {
    let path = path_of(&dir.path().join("s.bin"));
    std::fs::write(&path, content).unwrap();
    path
}

/// A file with three reads (17, 34 and 4096 bytes), the last one at 568.141 ms.
fn recorded(dir: &tempfile::TempDir) -> PathBuf {
    let inputs = [
        Input::Bytes(&[0xA5; 17], Some(us(52_114))),
        Input::Bytes(&[0x5A; 34], Some(us(56_020))),
        Input::Quiet(us(156_124)),
        Input::Bytes(&[1; 4096], Some(us(568_141))),
        Input::End,
    ];
    logged(dir, &Header::new(1_714_557_600_000_000, "test"), &inputs)
}

/// Logs `inputs` as the recorder does, to the arrivals file of `s.bin` in `dir`.
fn logged(dir: &tempfile::TempDir, header: &Header, inputs: &[Input<'_>]) -> PathBuf {
    let mut text = Vec::new();
    let mut lines = LineWriter::start(header, &mut text);
    for input in inputs {
        lines.push(input, &mut text);
    }
    write(dir, &text)
}

#[test]
fn every_input_reads_back_as_its_entry_until_bytes_without_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let when = Moment {
        at: us(30),
        wall_us: 7,
    };
    let inputs = [
        Input::Bytes(b"abc", Some(us(12))),
        Input::Quiet(us(20)),
        Input::Gone {
            reason: "r\\".into(),
            when,
        },
        Input::Back {
            device: "d".into(),
            when,
        },
        Input::Bytes(b"untimed", None),
        Input::Bytes(b"timed again", Some(us(40))),
        Input::End,
    ];
    let path = logged(&dir, &Header::new(-5, "a\nb"), &inputs);
    let mut reader = Reader::open(&path).unwrap().unwrap();
    assert_eq!(reader.header(), &Header::new(-5, "a\nb"));
    let entries: Vec<Entry> = std::iter::from_fn(|| reader.next().unwrap()).collect();
    assert_eq!(
        entries,
        [
            Entry::Read { len: 3, at: us(12) },
            Entry::Quiet { at: us(20) },
            Entry::Gone {
                at: us(30),
                wall_us: 7,
                reason: "r\\".into()
            },
            Entry::Back {
                at: us(30),
                wall_us: 7,
                device: "d".into()
            },
        ]
    );
}

#[test]
fn no_file_is_no_arrivals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.arrivals");
    assert!(Reader::open(&path).unwrap().is_none());
    assert!(survey(&path, 0).unwrap().is_none());
}

#[test]
fn the_survey_counts_the_reads_and_refuses_more_than_the_capture_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = recorded(&dir);
    let e = survey(&path, 4096).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "the arrivals file {} records reads of 4147 bytes, but its capture holds only 4096: they are not a pair\n  \
             was the capture cut or replaced? --ignore-arrivals decodes the capture without it (as if it had none)",
            path.display()
        )
    );
    let recorded = survey(&path, 5000).unwrap().unwrap();
    assert_eq!(recorded.header, Header::new(1_714_557_600_000_000, "test"));
    assert_eq!(
        (recorded.reads, recorded.bytes, recorded.span),
        (3, 4147, us(568_141))
    );
}

#[test]
fn the_survey_leaves_a_torn_last_line_out() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(recorded(&dir)).unwrap();
    // "0 4096" cut to "0 40": a read of 4096 bytes, not of 40.
    let path = write(&dir, &whole[..whole.len() - 3]);
    let recorded = survey(&path, 51).unwrap().unwrap();
    assert_eq!((recorded.reads, recorded.bytes), (2, 51));
}

#[test]
fn a_damaged_file_says_where_what_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let damaged = "it is damaged, or not the arrivals file of this capture: --ignore-arrivals decodes the capture without it (as if it had none)";
    let cases: [(&[u8], &str, &str); 4] = [
        (
            b"PK\x03\x04 zip\n",
            "does not start with 'eegreader arrivals 1'",
            damaged,
        ),
        (
            b"eegreader arrivals 2\nwall_start_us 0\n",
            "is in a format this eegreader does not know ('eegreader arrivals 2'; it reads 'eegreader arrivals 1')",
            "a newer eegreader wrote it: use that one, or --ignore-arrivals decodes the capture without it (as if it had none)",
        ),
        (
            b"eegreader arrivals 1\n12 17\n",
            "has no 'wall_start_us' line before its entries",
            damaged,
        ),
        (
            b"eegreader arrivals 1\nwall_start_us 0\n12 17\n-3 17\n",
            "line 4, '-3 17', is not an entry ('MICROSECONDS BYTES', or MICROSECONDS then quiet, gone or back)",
            damaged,
        ),
    ];
    for (content, what, fix) in cases {
        let path = write(&dir, content);
        let expected = format!("the arrivals file {} {what}\n  {fix}", path.display());
        let e = survey(&path, u64::MAX).unwrap_err().to_string();
        assert_eq!(e, expected);
    }
}

#[test]
fn an_unreadable_file_says_so_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_of(&dir.path().join("s.bin"));
    std::fs::create_dir(&path).unwrap();
    let e = survey(&path, 0).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("reading {}: ", path.display())),
        "{e}"
    );
    assert!(
        e.ends_with("\n  --ignore-arrivals decodes the capture without it (as if it had none)"),
        "{e}"
    );
}
