use std::io::{self, BufRead, BufReader, Read};

use proptest::prelude::*;

use super::*;

fn us(us: u64) -> Duration {
    Duration::from_micros(us)
}

fn header() -> Header {
    Header::new(1_714_557_600_000_000, "/dev/ttyUSB0 at 57600 baud")
}

/// A session with every kind of entry, texts that need escaping, and two at the same time.
fn entries() -> Vec<Entry> {
    vec![
        Entry::Read {
            len: 17,
            at: us(52_114),
        },
        Entry::Read {
            len: 34,
            at: us(56_020),
        },
        Entry::Quiet { at: us(156_124) },
        Entry::Gone {
            at: us(156_136),
            wall_us: 1_714_557_600_256_392,
            reason: "/dev/ttyUSB0 disconnected (a\\b\nc\rd)".into(),
        },
        Entry::Quiet { at: us(256_200) },
        Entry::Back {
            at: us(568_141),
            wall_us: 1_714_557_600_668_420,
            device: "/dev/ttyUSB1 (USB serial A9XK), was /dev/ttyUSB0".into(),
        },
        Entry::Read {
            len: 4096,
            at: us(568_141),
        },
    ]
}

/// The file of `header` and `entries`.
fn text(header: &Header, entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = Writer::start(header, &mut out);
    for entry in entries {
        writer.push(entry, &mut out);
    }
    out
}

/// The header, every entry and whether the last line was torn; or the first error.
fn read(input: impl BufRead) -> Result<(Header, Vec<Entry>, bool), Error> {
    let mut reader = Reader::new(input)?;
    let entries = reader.by_ref().collect::<Result<_, _>>()?;
    Ok((reader.header().clone(), entries, reader.is_torn()))
}

#[test]
fn what_is_written_reads_back_the_same() {
    let (read_header, read_entries, torn) = read(&text(&header(), &entries())[..]).unwrap();
    assert_eq!(read_header, header());
    assert_eq!(read_entries, entries());
    assert!(!torn);
}

#[test]
fn the_lines_are_as_documented() {
    let written = String::from_utf8(text(&header(), &entries())).unwrap();
    assert_eq!(
        written,
        "eegreader arrivals 1\n\
         wall_start_us 1714557600000000\n\
         source /dev/ttyUSB0 at 57600 baud\n\
         52114 17\n\
         3906 34\n\
         100104 quiet\n\
         12 gone 1714557600256392 /dev/ttyUSB0 disconnected (a\\\\b\\nc\\rd)\n\
         100064 quiet\n\
         311941 back 1714557600668420 /dev/ttyUSB1 (USB serial A9XK), was /dev/ttyUSB0\n\
         0 4096\n"
    );
}

#[test]
fn the_example_in_the_format_description_reads() {
    let doc = "eegreader arrivals 1\nwall_start_us 1714557600000000\nsource /dev/ttyUSB0 at 57600 baud\n\
               52114 17\n3906 34\n100104 quiet\n12 gone 1714557600256392 /dev/ttyUSB0 disconnected (hang-up)\n\
               412005 back 1714557600668420 /dev/ttyUSB0\n";
    let (read_header, entries, _) = read(doc.as_bytes()).unwrap();
    assert_eq!(read_header, header());
    assert_eq!(entries.len(), 5);
    assert_eq!(
        entries[4],
        Entry::Back {
            at: us(52_114 + 3_906 + 100_104 + 12 + 412_005),
            wall_us: 1_714_557_600_668_420,
            device: "/dev/ttyUSB0".into(),
        }
    );
}

#[test]
fn unknown_header_keys_are_ignored_and_an_empty_log_is_fine() {
    let (header, entries, torn) =
        read(&b"eegreader arrivals 1\nlatency_timer_ms 16\nwall_start_us -5\n"[..]).unwrap();
    assert_eq!(header, Header::new(-5, ""));
    assert!(entries.is_empty() && !torn);
}

#[test]
fn a_torn_last_line_is_left_out_wherever_it_was_cut() {
    let whole = text(&header(), &entries());
    let all = entries();
    let last_line = whole[..whole.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    // "0 4096" cut after "0 4", "0 40", ...: a torn line must never read as a shorter read.
    for cut in last_line..whole.len() {
        let (_, entries, torn) = read(&whole[..cut]).unwrap();
        assert_eq!(entries, all[..all.len() - 1], "cut at {cut}");
        assert_eq!(torn, cut > last_line, "cut at {cut}");
    }
}

#[test]
fn any_buffering_reads_the_same() {
    let whole = text(&header(), &entries());
    for capacity in [1, 2, 3, 7, 64] {
        let (_, read_entries, torn) = read(BufReader::with_capacity(capacity, &whole[..])).unwrap();
        assert_eq!(read_entries, entries(), "capacity {capacity}");
        assert!(!torn);
    }
}

#[test]
fn a_damaged_file_says_what_and_on_which_line() {
    let cases: [(&[u8], &str, Option<u64>); 11] = [
        (b"", "does not start with 'eegreader arrivals 1'", Some(1)),
        (
            b"PK\x03\x04 zip\n",
            "does not start with 'eegreader arrivals 1'",
            Some(1),
        ),
        (
            b"eegreader arrivals 2\nwall_start_us 0\n",
            "is in a version of the format this reader does not know ('eegreader arrivals 2'; it reads 'eegreader arrivals 1')",
            Some(1),
        ),
        (
            b"eegreader arrivals 1\n12 17\n",
            "has no 'wall_start_us' line before its entries",
            None,
        ),
        (
            b"eegreader arrivals 1\nwall_start_us soon\n",
            "line 2, 'wall_start_us soon', is not an entry ('MICROSECONDS BYTES', or MICROSECONDS then quiet, gone or back)",
            Some(2),
        ),
        (
            b"eegreader arrivals 1\nwall_start_us 0\nsource bad \\q escape\n",
            "line 3, 'source bad \\q escape', is not an entry",
            Some(3),
        ),
        (
            b"eegreader arrivals 1\nwall_start_us 0\n12 17\n-3 17\n",
            "line 4, '-3 17', is not an entry",
            Some(4),
        ),
        (
            b"eegreader arrivals 1\nwall_start_us 0\n12 17\n12 seventeen\n",
            "line 4, '12 seventeen', is not an entry",
            Some(4),
        ),
        (
            b"eegreader arrivals 1\nwall_start_us 0\n12 99999999999\n",
            "line 3, '12 99999999999', is not an entry",
            Some(3),
        ),
        (
            b"eegreader arrivals 1\nwall_start_us 0\n12 gone x reason\n",
            "line 3, '12 gone x reason', is not an entry",
            Some(3),
        ),
        (
            b"eegreader arrivals 1\nwall_start_us 0\n12 back 5 bad \\q escape\n",
            "line 3, '12 back 5 bad \\q escape', is not an entry",
            Some(3),
        ),
    ];
    for (content, what, line) in cases {
        let e = read(content).unwrap_err();
        assert!(e.to_string().starts_with(what), "{what}: {e}");
        assert_eq!(e.line(), line, "{what}");
    }
}

#[test]
fn after_a_damaged_line_the_entries_end() {
    let mut reader =
        Reader::new(&b"eegreader arrivals 1\nwall_start_us 0\n12 17\nbad\n5 17\n"[..]).unwrap();
    assert_eq!(
        reader.next().unwrap().unwrap(),
        Entry::Read {
            len: 17,
            at: us(12)
        }
    );
    assert!(matches!(
        reader.next(),
        Some(Err(Error::BadLine { line: 4, .. }))
    ));
    assert!(reader.next().is_none());
}

#[test]
fn a_bad_line_shows_its_first_60_characters() {
    let line = format!("12 gone 5 {}\\q", "x".repeat(100));
    let file = format!("eegreader arrivals 1\nwall_start_us 0\n{line}\n");
    match read(file.as_bytes()) {
        Err(Error::BadLine { line: 3, text }) => assert_eq!(text, line[..60]),
        other => panic!("{other:?}"),
    }
}

/// Fails on its first read after `ok` bytes.
struct FailingAfter {
    data: &'static [u8],
    ok: usize,
}

impl Read for FailingAfter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ok == 0 {
            return Err(io::Error::other("the disk went away"));
        }
        let n = buf.len().min(self.ok).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.ok -= n;
        Ok(n)
    }
}

#[test]
fn a_failed_read_says_on_which_line_and_why() {
    let data = b"eegreader arrivals 1\nwall_start_us 0\n12 17\n13 17\n";
    let failing = FailingAfter {
        data,
        ok: data.len() - 3,
    };
    let mut reader = Reader::new(BufReader::with_capacity(4, failing)).unwrap();
    assert!(reader.next().unwrap().is_ok());
    let e = reader.next().unwrap().unwrap_err();
    assert_eq!(e.line(), Some(4));
    assert_eq!(
        e.to_string(),
        "cannot be read at line 4: the disk went away"
    );
    assert!(std::error::Error::source(&e).is_some());
    assert!(reader.next().is_none());
}

/// Counts the bytes read through it.
struct Counting<'a> {
    data: &'a [u8],
    read: usize,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.data.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

#[test]
fn memory_stays_bounded_on_a_file_without_line_feeds() {
    let mut junk = b"eegreader arrivals 1\nwall_start_us 0\n1 gone 5 ".to_vec();
    junk.resize(20 << 20, b'x');
    let mut counting = Counting {
        data: &junk,
        read: 0,
    };
    // The header ends at the first entry, which is this line.
    let e = Reader::new(BufReader::new(&mut counting)).err().unwrap();
    assert!(matches!(e, Error::BadLine { line: 3, .. }), "{e:?}");
    assert!(counting.read < 64 << 10, "{}", counting.read);
    // And as the first line.
    assert!(matches!(read(&junk[37..]), Err(Error::NotArrivals)));
}

#[test]
fn the_writer_counts_forward_in_whole_microseconds() {
    let entries = [
        Entry::Quiet {
            at: Duration::new(1, 999),
        },
        // Earlier than the previous entry: written at the same time.
        Entry::Quiet { at: us(10) },
        Entry::Read {
            len: 3,
            at: Duration::new(2, 1_500),
        },
    ];
    let file = text(&header(), &entries);
    assert!(file.ends_with(b"1000000 quiet\n0 quiet\n1000001 3\n"));
    let (_, read_entries, _) = read(&file[..]).unwrap();
    let times: Vec<Duration> = read_entries.iter().map(Entry::time).collect();
    assert_eq!(times, [us(1_000_000), us(1_000_000), us(2_000_001)]);
}

#[test]
fn what_no_reader_would_take_is_written_so_that_it_reads() {
    let long = "é".repeat(3000) + "\n";
    let entries = [
        Entry::Read {
            len: 2 * MAX_READ + 5,
            at: us(7),
        },
        Entry::Gone {
            at: us(8),
            wall_us: 0,
            reason: long.clone(),
        },
    ];
    let (_, read_entries, _) = read(&text(&header(), &entries)[..]).unwrap();
    let read_at_7 = |len| Entry::Read { len, at: us(7) };
    assert_eq!(
        read_entries[..3],
        [read_at_7(MAX_READ), read_at_7(MAX_READ), read_at_7(5)]
    );
    let Entry::Gone { reason, .. } = &read_entries[3] else {
        panic!("{:?}", read_entries[3]);
    };
    // Cut at a character boundary, at most 4 KiB.
    assert_eq!(reason.len(), 4096);
    assert!(long.starts_with(reason.as_str()));
}

#[test]
fn the_arrivals_file_sits_beside_its_capture() {
    assert_eq!(
        path_of(Path::new("/data/s.bin")),
        Path::new("/data/s.bin.arrivals")
    );
    assert_eq!(path_of(Path::new("s")), Path::new("s.arrivals"));
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "[a\\\\\n\r é]{0,20}",
        any::<String>().prop_map(|s| s.chars().take(200).collect()),
    ]
}

fn any_entry() -> impl Strategy<Value = (u64, Entry)> {
    let delta = prop_oneof![
        Just(0u64),
        0u64..1_000_000,
        any::<u32>().prop_map(u64::from)
    ];
    // Times are set by `session`, which knows the previous one.
    let at = Duration::ZERO;
    let entry = prop_oneof![
        (0..=MAX_READ).prop_map(move |len| Entry::Read { len, at }),
        Just(Entry::Quiet { at }),
        (any::<i64>(), any_text()).prop_map(move |(wall_us, reason)| Entry::Gone {
            at,
            wall_us,
            reason
        }),
        (any::<i64>(), any_text()).prop_map(move |(wall_us, device)| Entry::Back {
            at,
            wall_us,
            device
        }),
    ];
    (delta, entry)
}

/// `entries` with their times: each `delta` microseconds after the previous one.
fn session(entries: Vec<(u64, Entry)>) -> Vec<Entry> {
    let mut time = Duration::ZERO;
    entries
        .into_iter()
        .map(|(delta, mut entry)| {
            time += us(delta);
            match &mut entry {
                Entry::Read { at, .. }
                | Entry::Quiet { at }
                | Entry::Gone { at, .. }
                | Entry::Back { at, .. } => *at = time,
            }
            entry
        })
        .collect()
}

proptest! {
    #[test]
    fn any_session_reads_back_as_written(
        wall_start_us in any::<i64>(),
        source in any_text(),
        entries in prop::collection::vec(any_entry(), 0..40),
        capacity in 1usize..100,
    ) {
        let header = Header::new(wall_start_us, source);
        let entries = session(entries);
        let file = text(&header, &entries);
        let (read_header, read_entries, torn) =
            read(BufReader::with_capacity(capacity, &file[..])).unwrap();
        prop_assert_eq!(read_header, header);
        prop_assert_eq!(read_entries, entries);
        prop_assert!(!torn);
    }
}
